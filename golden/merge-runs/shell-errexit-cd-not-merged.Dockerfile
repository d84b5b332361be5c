FROM debian:bookworm
SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
RUN mkdir /app; cd /app
RUN touch a; touch b
