# dockopt global ignore=DL3059
FROM debian:bookworm
RUN echo a
RUN echo b
