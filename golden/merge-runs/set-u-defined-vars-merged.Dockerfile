FROM debian:bookworm
ARG VERSION=1.0
ENV HOME_DIR=/home/app
RUN set -eux; mkdir -p /app
RUN echo "version=$VERSION home=$HOME_DIR ${MISSING:-none}" > /app/info
