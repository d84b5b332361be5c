#!/bin/sh
# install-peers.sh [DIR] - install the peer tools dockopt is compared with
# (dockerfmt: an independent parser used by the corpus tests; tally: the
# benchmark peer) from the npm registry into DIR (default build/peers).
# Prints the folder on success; exits 1 (with a message) when npm is absent
# or the registry cannot be reached, so callers can skip with a notice.
set -eu
dir=${1:-build/peers}
if ! command -v npm >/dev/null 2>&1; then
  echo "install-peers.sh: npm is not installed" >&2
  exit 1
fi
fmt=$dir/node_modules/@reteps/dockerfmt-linux-x64/bin/dockerfmt
tally=$dir/node_modules/@wharflab/tally-linux-x64/bin/tally
if [ ! -x "$fmt" ] || [ ! -x "$tally" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"dockopt-peers","private":true}' > "$dir/package.json"
  if ! (cd "$dir" && npm install --silent --no-audit --no-fund --ignore-scripts \
        @reteps/dockerfmt@0.5.4 @wharflab/tally-linux-x64@0.45.0 >/dev/null 2>&1); then
    echo "install-peers.sh: npm install failed (no registry?)" >&2
    exit 1
  fi
fi
echo "$dir"
