# syntax=docker/dockerfile:1
FROM debian:bookworm
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
COPY <<-'CONF' <<SCRIPT /etc/app/
	key = $NOT_EXPANDED
	CONF
#!/bin/sh
echo "$HOME"
SCRIPT
RUN --mount=type=cache,target=/var/cache/apt 3<<IN cat /dev/fd/3 > /x
data
IN
ONBUILD RUN <<X
echo child
X
