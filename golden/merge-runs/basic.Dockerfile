FROM debian:bookworm
RUN mkdir -p /app
RUN touch /app/ready
