#!/bin/sh
# bench.sh BUILD - dockopt's benchmarks (not tests): parser throughput over
# ../shared/corpus/dev in one process (also with every RUN shell-parsed and
# its package operations recognised: those three are interleaved run by run
# and compared at their fastest runs, so load on a shared machine does not
# skew the ratio), and linear-time pathological inputs. Times are process CPU
# time.
set -eu
BUILD=${1:-build}
corpus=${DKO_CORPUS:-../shared/corpus}
if [ ! -d "$corpus/dev" ]; then
  echo "bench: $corpus/dev is absent; nothing to measure" >&2
  exit 0
fi
echo "== parser (parse + print, in memory), then with the shell parser and package model"
"$BUILD/bench" "$corpus/dev"
echo; tools/bench-fix.sh "$BUILD"
