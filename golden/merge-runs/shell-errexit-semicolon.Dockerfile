FROM debian:bookworm
SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
RUN mkdir /app; touch /app/x
RUN touch a; touch b
