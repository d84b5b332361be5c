FROM debian:bookworm
RUN set -eux; mkdir /app
RUN touch /app/a
RUN { echo a; echo b; } > /app/f
