FROM debian:bookworm
RUN set -e; if [ -d /x ]; then false; echo never; fi
RUN echo next
