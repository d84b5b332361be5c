FROM debian:bookworm
RUN curl -fsSL https://example.com/some/really/long/path/to/a/tarball.tar.gz -o /tmp/x.tgz
RUN tar -xzf /tmp/x.tgz -C /opt
