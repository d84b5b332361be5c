FROM debian:bookworm
RUN sleep 30 & echo started
RUN echo next
