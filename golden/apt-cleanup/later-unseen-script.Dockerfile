FROM debian:bookworm
RUN apt-get update && apt-get install -y make
COPY install.sh /install.sh
RUN sh /install.sh
