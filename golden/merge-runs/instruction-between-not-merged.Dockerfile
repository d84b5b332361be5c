FROM debian:bookworm
RUN echo a
ENV X=1
RUN echo $X
