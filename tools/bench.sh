#!/bin/sh
# bench.sh BUILD - dockopt's benchmarks (not tests): parser throughput over
# ../shared/corpus/dev in one process, and linear-time pathological inputs.
set -eu
BUILD=${1:-build}
corpus=${DKO_CORPUS:-../shared/corpus}
if [ ! -d "$corpus/dev" ]; then
  echo "bench: $corpus/dev is absent; nothing to measure" >&2
  exit 0
fi
echo "== parser (parse + print, in memory)"
"$BUILD/bench" "$corpus/dev"
