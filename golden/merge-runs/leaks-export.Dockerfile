FROM debian:bookworm
RUN export PATH=/opt/bin:$PATH
RUN which sh
