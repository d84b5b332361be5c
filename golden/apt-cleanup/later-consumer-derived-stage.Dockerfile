FROM debian:bookworm AS base
RUN apt-get update && apt-get install -y curl
FROM base
RUN apt-get install -y jq
