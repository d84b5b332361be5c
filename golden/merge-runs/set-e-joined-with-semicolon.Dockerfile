FROM debian:bookworm
RUN set -eux; \
	mkdir /app; \
	touch /app/a
RUN set -eux; \
	touch /app/b
