FROM debian:bookworm
RUN if true; then echo a
RUN echo b
