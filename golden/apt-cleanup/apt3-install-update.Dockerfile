FROM debian:trixie
RUN apt-get install --update -y curl
