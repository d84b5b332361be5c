FROM debian:bookworm
RUN set -eux; \
	apt-get update; \
	apt-get install -y curl
