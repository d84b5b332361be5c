FROM debian:bookworm
RUN make a;
RUN make b
