FROM debian:bookworm
RUN make build
RUN make a; make b
