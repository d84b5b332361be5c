# Package operations behind wrappers, conditions and nested shells.
FROM debian
RUN set -eux; \
    sudo -E apt-get update; \
    env DEBIAN_FRONTEND=noninteractive eatmydata apt-get install -y tzdata; \
    cat /tmp/pkgs | xargs apt-get install -y; \
    if [ "$DEV" = 1 ]; then apt-get install -y gdb; fi; \
    [ -f /x ] && pip install extra || true; \
    sh -c 'apt-get install -y jq && rm -rf /var/lib/apt/lists/*'
RUN command -v pip && echo "apt-get install is not run" # apt-get install neither
