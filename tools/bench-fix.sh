#!/bin/sh
# bench-fix.sh BUILD - `dockopt fix --check` over ../shared/corpus/dev in one
# process, beside dockerfmt and tally measured in the same run on the same
# files (a benchmark, not a test; the machine is shared, so medians and ratios).
#   dockerfmt: formats every file (Go, BuildKit parser + shfmt)
#   tally lint: the closest competitor (Go); slow, so it runs on the first 100
#               files and dockopt is timed on those too for the ratio
set -eu
BUILD=${1:-build}
corpus=${DKO_CORPUS:-../shared/corpus}/dev
RUNS=${RUNS:-5}
peers=$(tools/install-peers.sh "$BUILD/peers" 2>/dev/null) || peers=""
fmt=$peers/node_modules/@reteps/dockerfmt-linux-x64/bin/dockerfmt
tally=$peers/node_modules/@wharflab/tally-linux-x64/bin/tally
set_dir=$BUILD/bench-corpus
# The file set: every corpus Dockerfile that dockopt parses (and dockerfmt
# accepts, when it is there), each as <n>/Dockerfile so tally takes it.
if [ ! -f "$set_dir/.done" ]; then
  rm -rf "$set_dir"; mkdir -p "$set_dir"
  n=0
  for f in "$corpus"/*; do
    case $f in *manifest.tsv) continue;; esac
    "$BUILD/dockopt" dump "$f" >/dev/null 2>&1 || continue
    if [ -x "$fmt" ]; then "$fmt" "$f" >/dev/null 2>&1 || continue; fi
    n=$((n + 1)); mkdir -p "$set_dir/$n"; cp "$f" "$set_dir/$n/Dockerfile"
  done
  touch "$set_dir/.done"
fi
files=$(find "$set_dir" -name Dockerfile | sort -t/ -k3 -n)
nfiles=$(echo "$files" | wc -l)
bytes=$(cat $files | wc -c)
first100=$(echo "$files" | head -100)

now() { date +%s.%N; }
# median_time N CMD... : median wall time of N runs, in seconds
median_time() {
  runs=$1; shift
  i=0; : > "$BUILD/.bench-times"
  while [ $i -lt "$runs" ]; do
    t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
    echo "$t1 - $t0" | bc -l >> "$BUILD/.bench-times"; i=$((i + 1))
  done
  sort -g "$BUILD/.bench-times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "== fix --check: $nfiles files, $(echo "scale=2; $bytes/1000000" | bc) MB, median of $RUNS runs"
t=$(median_time "$RUNS" "$BUILD/dockopt" fix --check --no-config -q $files)
printf '  dockopt fix --check   %7.3f s  %8.0f files/s  %6.1f MB/s  peak RSS %s KB\n' \
  "$t" "$(echo "$nfiles/$t" | bc -l)" "$(echo "$bytes/1000000/$t" | bc -l)" \
  "$(rss "$BUILD/dockopt" fix --check --no-config -q $files)"
if [ -x "$fmt" ]; then
  tf=$(median_time "$RUNS" "$fmt" $files)
  printf '  dockerfmt             %7.3f s  %8.0f files/s  %6.1f MB/s  peak RSS %s KB   dockopt is %.1fx faster\n' \
    "$tf" "$(echo "$nfiles/$tf" | bc -l)" "$(echo "$bytes/1000000/$tf" | bc -l)" \
    "$(rss "$fmt" $files)" "$(echo "$tf/$t" | bc -l)"
else
  echo "  dockerfmt: not available (npm registry unreachable)"
fi
if [ -x "$tally" ]; then
  truns=${TALLY_RUNS:-3}
  tt=$(median_time "$truns" "$tally" lint --no-config --slow-checks off --fail-level none $first100)
  td=$(median_time "$RUNS" "$BUILD/dockopt" fix --check --no-config -q $first100)
  printf '  on the first 100 files (median of %s tally runs):\n' "$truns"
  printf '  tally lint            %7.3f s  %8.1f files/s  peak RSS %s KB\n' "$tt" \
    "$(echo "100/$tt" | bc -l)" "$(rss "$tally" lint --no-config --slow-checks off --fail-level none $first100)"
  printf '  dockopt fix --check   %7.3f s  %8.1f files/s  -> dockopt is %.0fx faster than tally\n' \
    "$td" "$(echo "100/$td" | bc -l)" "$(echo "$tt/$td" | bc -l)"
else
  echo "  tally: not available (npm registry unreachable)"
fi
rm -f "$BUILD/.bench-times"
