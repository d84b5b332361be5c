FROM debian:bookworm
# the first part keeps a variable: it runs in a subshell, its set line outside
RUN set -eux; \
	arch="$(dpkg --print-architecture)"; \
	echo "$arch" > /arch
# a middle part that changes directory: a subshell of its own
RUN set -eux; \
	cd /tmp; \
	touch made-in-tmp
RUN set -eux; \
	ls /tmp/made-in-tmp; \
	pwd
