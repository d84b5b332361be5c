FROM debian:bookworm AS a
RUN echo a
FROM debian:bookworm
RUN echo b
