FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
COPY app /app
RUN apt-get update && apt-get install -y jq
