#!/bin/sh
set -e
if [ "$1" = "serve" ]; then
	mkdir -p /var/cache/api
	echo "starting api on ${PORT:-8080}"
fi
exec gosu nobody "$@"
