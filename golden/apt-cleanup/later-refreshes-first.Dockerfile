FROM debian:bookworm
RUN apt-get update && apt-get install -y make
RUN apt-get update && apt-get install -y curl && /opt/setup.sh
