#!/bin/sh
# demo.sh BUILD - run dockopt on the shipped example and show the result:
# the Dockerfile, the diff dockopt proposes with a reason for every change,
# and the rules it knows.
set -eu
BUILD=${1:-build}
ex=golden/demo/python-app/Dockerfile
echo "== $ex"
cat "$ex"
echo
echo "== dockopt fix --diff $ex"
"$BUILD/dockopt" fix --diff "$ex" || true
echo
echo "== dockopt rules"
"$BUILD/dockopt" rules
