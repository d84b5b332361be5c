FROM debian:bookworm
RUN apt-get update && aptitude install -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && aptitude install -y -R wget && rm -rf /var/lib/apt/lists/*
