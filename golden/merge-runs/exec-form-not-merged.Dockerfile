FROM debian:bookworm
RUN ["mkdir", "/app"]
RUN touch /app/x
