FROM fedora:40
RUN dnf -y install git make
