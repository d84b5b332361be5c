FROM debian:bookworm
# the \; ends find -exec: it is a word, not a separator
RUN find / -name "*.pyc" -exec rm -f {} \;
RUN echo done
RUN set -eux; find /tmp -name "*.o" -exec rm {} \;
RUN set -eux; ls /tmp
