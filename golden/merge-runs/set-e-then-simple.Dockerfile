FROM debian:bookworm
RUN set -eux; mkdir /app; touch /app/a
RUN touch /app/b
