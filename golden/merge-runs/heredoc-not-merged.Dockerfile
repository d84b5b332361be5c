# syntax=docker/dockerfile:1
FROM debian:bookworm
RUN <<EOF
mkdir /app
EOF
RUN touch /app/x
