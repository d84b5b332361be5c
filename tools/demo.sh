#!/bin/sh
# demo.sh BUILD - run dockopt on the shipped example and show the result.
set -eu
BUILD=${1:-build}
ex=golden/demo/python-app/Dockerfile
echo "== $ex"
cat "$ex"
echo
echo "== dockopt dump $ex"
"$BUILD/dockopt" dump "$ex"
