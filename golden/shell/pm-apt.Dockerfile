FROM debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates \
        curl=7.88.* \
    && apt-get purge -y --auto-remove gcc \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get -qq update && apt-get -o Dpkg::Options::="--force-confold" -o APT::Install-Recommends=0 install -y nginx
RUN apt install ./local.deb
RUN apt-get dist-upgrade -y && apt-get autoremove -y
