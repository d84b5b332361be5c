#!/bin/sh
# install-deps.sh - install dockopt's build and test dependencies from Debian's
# packages, non-interactively. A no-op when everything is present.
#
#   tools/install-deps.sh            build + test dependencies
#   tools/install-deps.sh --fuzz     also clang (libFuzzer) for `make fuzz`
#   tools/install-deps.sh --e2e      also buildah for `make e2e` and `dockopt verify`
set -eu

PKGS="build-essential pkg-config git libpcre2-dev libgit2-dev libcmocka-dev
      libyaml-dev libcurl4-openssl-dev python3 bc"
for arg in "$@"; do
  case $arg in
    --fuzz) PKGS="$PKGS clang libclang-rt-dev";;
    --e2e) PKGS="$PKGS buildah";;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2;;
  esac
done

missing=""
for p in $PKGS; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case $st in *" installed") ;; *) missing="$missing $p";; esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: missing packages:$missing (and no apt-get to install them)" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-deps.sh: missing packages:$missing; run as root to install them" >&2
    exit 2
  fi
fi
echo "install-deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
