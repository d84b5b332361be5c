#!/bin/sh
# run-tests.sh BUILD - run every test of dockopt built in BUILD (build/ or
# build/asan/): the cmocka unit tests, the golden tests, the corpus tests and
# the fuzz-corpus replay. Lines the tests print as "REPORT: ..." are gathered
# and shown at the end. Exits non-zero if any test failed.
set -u
BUILD=${1:-build}
export DOCKOPT_BIN="$BUILD/dockopt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=""
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  printf '== %s\n' "$name"
  if "$t" >"$log.out" 2>&1; then
    grep -E '^\[  (PASSED|SKIPPED) |^NOTICE' "$log.out" | sed 's/^/   /'
  else
    cat "$log.out"
    failed="$failed $name"
  fi
  grep '^REPORT: ' "$log.out" >>"$log" || true
  grep '^NOTICE' "$log.out" | sed 's/^NOTICE/REPORT: NOTICE/' >>"$log" || true
  rm -f "$log.out"
done
printf '== fuzz replay\n'
if "$BUILD/tests/fuzz_replay" tests/fuzz/corpus >"$log.out" 2>&1; then
  sed 's/^/   /' "$log.out"
  sed 's/^/REPORT: /' "$log.out" >>"$log"
else
  cat "$log.out"
  failed="$failed fuzz_replay"
fi
rm -f "$log.out"
echo
echo "== summary"
sed 's/^REPORT: /   /' "$log"
if [ -n "$failed" ]; then
  echo "FAILED:$failed"
  exit 1
fi
echo "all tests passed"
