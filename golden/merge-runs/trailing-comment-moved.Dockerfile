FROM debian:bookworm
RUN make a # build a
RUN make b # build b
