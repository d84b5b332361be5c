FROM fedora:40
RUN --mount=type=cache,target=/var/cache/dnf dnf -y install git
