FROM debian:bookworm
RUN set -eux; mkdir /app
RUN cd /app; touch a
