FROM debian:bookworm
RUN echo a
# dockopt ignore=merge-runs
RUN echo b
