FROM debian:bookworm
RUN apt-get update && apt-get install -y make
RUN apt-get --no-install-recommends install -y binutils
