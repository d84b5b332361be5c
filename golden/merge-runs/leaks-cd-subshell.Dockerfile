FROM debian:bookworm
RUN cd /tmp && touch a
RUN touch b
