FROM debian:bookworm
ARG VERSION
ENV HOME_DIR=/home/app
RUN set -eux; mkdir -p /app
# VERSION may be unset: set -u from the RUN before is turned off first
RUN echo "version=$VERSION" > /app/version
RUN echo "home=$HOME_DIR" > /app/home
