FROM debian:bookworm
RUN set -eux; mkdir -p /app
RUN ls /nonexistent 2> /app/ls-error.log || true
