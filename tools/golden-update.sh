#!/bin/sh
# golden-update.sh [SUITE_ROOT] - regenerate the expected files under golden/
# from the current build/dockopt. Review the result with `git diff golden/`.
set -eu
make -s all build/tests/test_golden
DKO_GOLDEN_UPDATE=1 DOCKOPT_BIN=build/dockopt build/tests/test_golden "${1:-golden}" >/dev/null 2>&1 || true
git status --short golden/
