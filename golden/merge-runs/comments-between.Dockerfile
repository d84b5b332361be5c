FROM debian:bookworm
# make the folder
RUN mkdir -p /app

# and a marker
RUN touch /app/ready
