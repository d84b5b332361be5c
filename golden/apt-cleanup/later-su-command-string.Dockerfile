FROM debian:bookworm
RUN apt-get update && apt-get install -y sudo
RUN su -c 'apt-get install -y curl'
