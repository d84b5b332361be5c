FROM fedora:40
RUN dnf install -y curl
RUN --network=none dnf install -C -y curl-minimal
