FROM debian:bookworm
RUN apt-get update && apt-get install -y ca-certificates
WORKDIR /x
RUN apt-get download curl && apt-cache policy curl
