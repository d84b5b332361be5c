FROM debian:bookworm
RUN echo a
RUN echo b