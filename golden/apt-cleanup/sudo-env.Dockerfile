FROM ubuntu:22.04
RUN sudo -E env DEBIAN_FRONTEND=noninteractive apt-get update && sudo apt-get install -y curl
