FROM debian:bookworm
RUN echo a
# hadolint ignore=DL3059
RUN echo b
