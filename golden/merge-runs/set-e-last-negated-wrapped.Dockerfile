FROM debian:bookworm
RUN set -eux; mkdir -p /app; ! grep -q nobody /app/users
RUN set -eux; touch /app/ready
