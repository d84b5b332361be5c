#!/usr/bin/env bash
# e2e.sh [BUILD] - end-to-end scenarios with real container builds (`make e2e`;
# slow, not part of `make check`). Uses Debian 12's buildah (installed by
# tools/install-deps.sh --e2e) with a storage root that
# ../shared/tools/buildah-build.sh prepares (ENGINE=host --setup-only: local
# debian:bookworm and debian:bookworm-slim images, no registry needed).
#
# Adding a scenario: write a function scenario_<name> that returns non-zero on
# failure (use `expect`/`json` below); all are found and run in name order.
#   E2E_ONLY=<name>   run only scenario_<name>
#   KEEP=1            keep the scenario folders (under $E2E_TMP)
# Environment shared with buildah-build.sh: WORK (default /var/tmp/buildah-work),
# DRIVER (overlay when the kernel has it, else vfs).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD;; esac
DOCKOPT=$BUILD/dockopt
SHARED=${DKO_SHARED:-$ROOT/../shared}
WORK=${WORK:-/var/tmp/buildah-work}
if [ -z "${DRIVER:-}" ]; then grep -qw overlay /proc/filesystems && DRIVER=overlay || DRIVER=vfs; fi
STORE=$WORK/storage/host-$DRIVER
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dockopt-e2e-XXXXXX")
log() { echo "[e2e] $*" >&2; }

cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$E2E_TMP"; }
trap cleanup EXIT

[ -x "$DOCKOPT" ] || { echo "e2e: $DOCKOPT is not built (make all)" >&2; exit 2; }
"$ROOT/tools/install-deps.sh" --e2e
if [ "$(id -u)" != 0 ]; then echo "e2e: buildah with --isolation chroot needs root here" >&2; exit 2; fi
log "base images in $STORE (buildah-build.sh ENGINE=host --setup-only)"
ENGINE=host WORK=$WORK DRIVER=$DRIVER bash "$SHARED/tools/buildah-build.sh" --setup-only >/dev/null

BUILDAH=(buildah "--root=$STORE" "--storage-driver=$DRIVER")
ENGINE_ARGS=(--engine buildah --engine-arg "--root=$STORE" --engine-arg "--storage-driver=$DRIVER")

# ---- helpers ------------------------------------------------------------------

# verify DIR [dockopt verify options...]: DIR holds Dockerfile, rewritten.Dockerfile
# and the context; sets RC, OUT (stdout) and ERR (stderr file).
verify() {
  local dir=$1; shift
  ERR=$dir/stderr
  set +e
  # TMPDIR: the logs kept by failed verifications go away with $E2E_TMP.
  OUT=$(TMPDIR=$E2E_TMP "$DOCKOPT" verify "${ENGINE_ARGS[@]}" "$@" \
        --rewritten "$dir/rewritten.Dockerfile" "$dir/Dockerfile" 2>"$ERR")
  RC=$?
  set -e
}

expect() {  # expect DESCRIPTION COMMAND...: fail the scenario with a message
  local what=$1; shift
  if ! "$@"; then
    log "  expected: $what"
    log "  stdout: $(printf '%s' "$OUT" | head -c 3000)"
    log "  stderr: $(head -c 2000 "$ERR" 2>/dev/null)"
    return 1
  fi
}

json() {  # json PYTHON-EXPRESSION: evaluate over the JSON in $OUT (as v), print it
  printf '%s' "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

is() { [ "$1" = "$2" ]; }
differ() { ! cmp -s "$1" "$2"; }

new_dir() {  # a fresh folder for the calling scenario
  local d=$E2E_TMP/${FUNCNAME[1]#scenario_}
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# ---- scenarios ----------------------------------------------------------------

# Merging RUN layers keeps the image's behaviour: passes, with fewer layers.
scenario_merged_layers() {
  local d; d=$(new_dir)
  printf '#!/bin/sh\necho "hello from $(cat /etc/app.conf)"\n' > "$d/app.sh"
  cat > "$d/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
RUN echo conf-one > /etc/app.conf
RUN mkdir -p /opt/app
RUN echo scratch > /tmp/scratch.txt
RUN rm /tmp/scratch.txt
COPY app.sh /opt/app/app.sh
ENV APP_MODE=prod
CMD ["sh", "/opt/app/app.sh"]
EOF
  cat > "$d/rewritten.Dockerfile" <<'EOF'
FROM debian:bookworm-slim
RUN echo conf-one > /etc/app.conf && mkdir -p /opt/app
COPY app.sh /opt/app/app.sh
ENV APP_MODE=prod
CMD ["sh", "/opt/app/app.sh"]
EOF
  verify "$d" --format json
  expect "exit 0" is "$RC" 0 || return 1
  expect "passed" is "$(json 'v["passed"]')" True || return 1
  expect "the run printed the greeting" is "$(json 'v["rewritten"]["run"]["stdout"]')" \
         "hello from conf-one" || return 1
  expect "fewer layers" is "$(json 'v["rewritten"]["layers"] < v["original"]["layers"]')" True || return 1
  expect "sizes measured" is "$(json 'v["original"]["size"] > 10**7 and v["original"]["compressed_size"] < v["original"]["size"]')" True || return 1
  expect "a rebuild after changing app.sh" is "$(json 'v["touched"]')" app.sh || return 1
  expect "rebuild timed" is "$(json 'v["rewritten"]["rebuild_seconds"] is not None')" True || return 1
  expect "the user's file is untouched" is "$(tail -n 1 "$d/app.sh")" 'echo "hello from $(cat /etc/app.conf)"' || return 1
  # The same with a smoke command and the text report.
  verify "$d" --no-rebuild --smoke 'cat /etc/app.conf'
  expect "exit 0 with --smoke" is "$RC" 0 || return 1
  expect "text report" grep -q '^PASSED' <<<"$OUT" || return 1
}

# docker-library style RUNs (set -eux; variables, cd, a final compound
# command) merged by dockopt itself: the parts that keep shell state run in
# subshells and the options a part did not ask for are turned off before it.
# The image does the same with fewer layers; a chain whose middle part fails
# still fails to build after the merge.
scenario_merged_set_e_chain() {
  local d; d=$(new_dir)
  cat > "$d/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
RUN set -eux; \
	arch="$(dpkg --print-architecture)"; \
	echo "arch=$arch" > /report
RUN set -eux; \
	cd /tmp; \
	touch made-in-tmp; \
	if [ -e /tmp/made-in-tmp ]; then echo "tmp ok" >> /report; fi
RUN set -eux; echo "pwd=$(pwd) arch=${arch:-unset}" >> /report
RUN if [ -n "${UNSET_IN_IMAGE:-}" ]; then echo set; fi; echo "unset=${UNSET_IN_IMAGE}" >> /report
RUN { echo one; echo two; } >> /report
CMD ["cat", "/report"]
EOF
  "$DOCKOPT" fix --select merge-runs "$d/Dockerfile" > "$d/rewritten.Dockerfile" 2>"$d/fix.err" || true
  expect "one RUN left" is "$(grep -c '^RUN' "$d/rewritten.Dockerfile")" 1 || return 1
  expect "a subshell keeps the variables" grep -q 'set -eux; ( ' "$d/rewritten.Dockerfile" || return 1
  expect "set -e and -u turned off before the part that did not ask for them" grep -q 'set +eu; ' "$d/rewritten.Dockerfile" || return 1
  verify "$d" --format json --no-rebuild
  expect "exit 0" is "$RC" 0 || return 1
  expect "passed" is "$(json 'v["passed"]')" True || return 1
  expect "the same report" is "$(json 'v["rewritten"]["run"]["stdout"] == v["original"]["run"]["stdout"]')" True || return 1
  expect "pwd and the variable did not leak" grep -q 'pwd=/ arch=unset' <<<"$(json 'v["rewritten"]["run"]["stdout"]')" || return 1
  expect "4 layers fewer" is "$(json 'v["original"]["layers"] - v["rewritten"]["layers"]')" 4 || return 1
  # A failing middle part fails the merged RUN too.
  sed -i 's|touch made-in-tmp;|touch made-in-tmp; ls /nonexistent;|' "$d/Dockerfile"
  "$DOCKOPT" fix --select merge-runs "$d/Dockerfile" > "$d/rewritten.Dockerfile" 2>"$d/fix.err" || true
  expect "still merged" is "$(grep -c '^RUN' "$d/rewritten.Dockerfile")" 1 || return 1
  cp "$d/rewritten.Dockerfile" "$d/Dockerfile"
  verify "$d" --no-rebuild
  expect "the merged RUN fails to build" is "$RC" 2 || return 1
  expect "at the failing command" grep -q 'buildah build failed' "$ERR" || return 1
}

# A rewrite that changes the command is caught.
scenario_changed_cmd() {
  local d; d=$(new_dir)
  printf 'FROM debian:bookworm-slim\nCMD ["echo", "one"]\n' > "$d/Dockerfile"
  printf 'FROM debian:bookworm-slim\nCMD ["echo", "two"]\n' > "$d/rewritten.Dockerfile"
  verify "$d" --format json --no-rebuild
  expect "exit 1" is "$RC" 1 || return 1
  expect "a Cmd difference" is "$(json '[x["field"] for x in v["config_diffs"] if not x["allowed"]]')" "['Cmd']" || return 1
  expect "the output differs too" is "$(json 'any("standard output differs" in r for r in v["reasons"])')" True || return 1
}

# A multi-stage rewrite: the toolchain image's own environment (PATH, GOPATH)
# is gone from the final image, which is allowed; what the file declares stays.
scenario_multistage_base_env() {
  local d; d=$(new_dir)
  printf 'FROM debian:bookworm\nENV GOPATH=/go PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nRUN mkdir -p /go/bin\n' > "$d/toolchain.Dockerfile"
  "${BUILDAH[@]}" bud --isolation=chroot --layers --format=docker -t localhost/e2e-toolchain:1 \
      -f "$d/toolchain.Dockerfile" "$d" > "$d/toolchain.log" 2>&1 || { cat "$d/toolchain.log"; return 1; }
  printf '#!/bin/sh\necho "built tool says $GREETING"\n' > "$d/tool.sh"
  cat > "$d/Dockerfile" <<'EOF'
FROM localhost/e2e-toolchain:1
ENV GREETING=hi
COPY tool.sh /src/tool.sh
RUN install -m 0755 /src/tool.sh /usr/local/bin/tool
CMD ["tool"]
EOF
  cat > "$d/rewritten.Dockerfile" <<'EOF'
FROM localhost/e2e-toolchain:1 AS build
COPY tool.sh /src/tool.sh
RUN install -m 0755 /src/tool.sh /usr/local/bin/tool

FROM debian:bookworm-slim
ENV GREETING=hi
COPY --from=build /usr/local/bin/tool /usr/local/bin/tool
CMD ["tool"]
EOF
  verify "$d" --format json --touch tool.sh
  "${BUILDAH[@]}" rmi localhost/e2e-toolchain:1 >/dev/null 2>&1 || true
  expect "exit 0" is "$RC" 0 || return 1
  expect "PATH and GOPATH differ, allowed" is "$(json 'sorted(x["key"] for x in v["config_diffs"] if x["allowed"])')" "['GOPATH', 'PATH']" || return 1
  expect "nothing else differs" is "$(json 'len(v["config_diffs"])')" 2 || return 1
  expect "smaller" is "$(json 'v["savings"]["size"] > 10**7')" True || return 1
}

# A rewrite that no longer builds fails verification (exit 1) with its log;
# an original that does not build is an error (exit 2).
scenario_broken_builds() {
  local d; d=$(new_dir)
  printf 'FROM debian:bookworm-slim\nCMD ["true"]\n' > "$d/Dockerfile"
  printf 'FROM debian:bookworm-slim\nRUN exit 7\nCMD ["true"]\n' > "$d/rewritten.Dockerfile"
  verify "$d" --no-rebuild
  expect "exit 1 when the rewrite breaks" is "$RC" 1 || return 1
  local logf; logf=$(grep -o 'log: [^ ]*' <<<"$OUT" | head -n 1 | cut -c6-)
  expect "the log names the failing step" grep -q 'exit 7\|exit status 7' "$logf" || return 1
  cp "$d/rewritten.Dockerfile" "$d/Dockerfile"
  verify "$d" --no-rebuild
  expect "exit 2 when the original breaks" is "$RC" 2 || return 1
  expect "the message names the log" grep -q 'buildah build failed (exit [0-9]*); log: ' "$ERR" || return 1
}

# ---- cache order: hoist-installs and manifest-first ------------------------------
# Each takes a golden case and dockopt's rewrite of it, checks with dockopt verify
# that both build and behave the same, then, for each of the two, builds it with
# the layer cache, changes one source file (a line never written before), rebuilds
# and reads the rebuild log: the install step must run again in the original and
# come from the layer cache in the rewrite. The figures go to stderr as
# "[e2e]   cache: ...". (The rebuilds are done here rather than by verify: its cold
# builds use --no-cache, which gives buildah 1.28 several cached chains for the
# same first steps, and a rebuild may then follow another chain.)

# step_state LOG PATTERN: "cached" when the build step whose instruction contains
# PATTERN was taken from the layer cache, "ran" when it ran, "" when there is none.
step_state() {
  python3 - "$1" "$2" <<'PY'
import sys
step, state = None, {}
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("STEP "):
        step = line.split(": ", 1)[-1].strip()
        state.setdefault(step, "ran")
    elif line.startswith("--> Using cache") and step is not None:
        state[step] = "cached"
print(next((v for k, v in state.items() if sys.argv[2] in k), ""))
PY
}

bud_logged() {  # bud_logged LOG BUD-ARGS...: a layered build, its output in LOG
  local lg=$1; shift
  "${BUILDAH[@]}" bud --isolation=chroot --layers --force-rm --format=docker "$@" > "$lg" 2>&1 \
    || { tail -20 "$lg" >&2; return 1; }
}

# rebuild_after_touch DIR DOCKERFILE TOUCH NAME: build (cache on), append a new line
# to TOUCH, rebuild; the rebuild log is DIR/NAME-rebuild.log, its time in SECS.
rebuild_after_touch() {
  local dir=$1 df=$2 touch=$3 name=$4 tag=localhost/dockopt-e2e-cache:$4 t0 t1 mark='#'
  bud_logged "$dir/$name-build.log" -t "$tag" -f "$df" "$dir/ctx" || return 1
  case $touch in *.c|*.h|*.go|*.js) mark='//';; esac
  printf '%s changed for the rebuild: %s %s\n' "$mark" "$(date +%s%N)" "$RANDOM" >> "$dir/ctx/$touch"
  t0=$(date +%s.%N)
  bud_logged "$dir/$name-rebuild.log" -t "$tag" -f "$df" "$dir/ctx" || return 1
  t1=$(date +%s.%N)
  SECS=$(python3 -c "print(round($t1 - $t0, 1))")
  "${BUILDAH[@]}" rmi "$tag" >/dev/null 2>&1 || true
}

# cache_case SUITE CASE TOUCH PATTERN [fix options...]: see above.
cache_case() {
  local suite=$1 case=$2 touch=$3 pat=$4; shift 4
  local d=$E2E_TMP/cache-$case before after so sr
  rm -rf "$d"; mkdir -p "$d/ctx"
  cp -a "$ROOT/golden/$suite/$case/." "$d/ctx/"
  rm -f "$d/ctx"/expected.* "$d/ctx/args"
  OUT=""; ERR=$d/findings
  "$DOCKOPT" fix --no-config "$@" "$d/ctx/Dockerfile" > "$d/rewritten.Dockerfile" 2> "$ERR"
  if [ "$*" = "--select $suite" ]; then
    expect "the rewrite is the golden one" cmp -s "$d/rewritten.Dockerfile" \
           "$ROOT/golden/$suite/$case/expected.out" || return 1
  fi
  expect "dockopt changed the file" differ "$d/rewritten.Dockerfile" "$d/ctx/Dockerfile" || return 1
  cp "$d/ctx/Dockerfile" "$d/Dockerfile"
  verify "$d" --format json --no-rebuild --context "$d/ctx"
  expect "verify passes (exit 0)" is "$RC" 0 || return 1
  expect "the same behaviour" is "$(json 'v["passed"]')" True || return 1
  rebuild_after_touch "$d" "$d/Dockerfile" "$touch" "$case-original" || return 1
  before=$(step_state "$d/$case-original-rebuild.log" "$pat"); so=$SECS
  rebuild_after_touch "$d" "$d/rewritten.Dockerfile" "$touch" "$case-rewritten" || return 1
  after=$(step_state "$d/$case-rewritten-rebuild.log" "$pat"); sr=$SECS
  log "  cache: $suite/$case: after a change to $touch, \"$pat\" $before in the original" \
      "(rebuild ${so} s) and was $after in the rewrite (rebuild ${sr} s)"
  expect "the original re-runs the install" is "$before" ran || return 1
  expect "the rewrite reuses the install layer" is "$after" cached || return 1
}

scenario_cache_hoist_gcc() {
  cache_case hoist-installs basic hello.c "apt-get install" --select hoist-installs
}

scenario_cache_hoist_two_installs() {
  cache_case hoist-installs two-installs setup.sh "apt-get install -y jq" --select hoist-installs
}

scenario_cache_hoist_python() {
  cache_case hoist-installs workdir-crossed main.py "apt-get install -y python3" --select hoist-installs
}

scenario_cache_hoist_all_passes() {
  cache_case hoist-installs with-other-passes hello.c "apt-get install -y gcc" --ignore dockerignore
}

scenario_cache_manifest_pip() {
  cache_case manifest-first pip-debian app.py "pip install" --select manifest-first
}

# ---- multi-stage: the split, built for real --------------------------------------

# standin NAME=PKGS[@BASE]...: local stand-ins for registry images (buildah-build.sh --image).
standin() {
  local args=() i
  for i in "$@"; do args+=(--image "$i"); done
  ENGINE=host WORK=$WORK DRIVER=$DRIVER bash "$SHARED/tools/buildah-build.sh" --setup-only "${args[@]}" \
      > "$E2E_TMP/standin.log" 2>&1 || { tail -20 "$E2E_TMP/standin.log" >&2; return 1; }
}

# fix_verify DIR [dockopt fix options...]: `dockopt fix --verify -w --format json` on
# DIR/Dockerfile with buildah; sets RC, OUT (the findings JSON) and ERR.
fix_verify() {
  local dir=$1; shift
  ERR=$dir/stderr
  set +e
  OUT=$(TMPDIR=$E2E_TMP "$DOCKOPT" fix --no-config --verify -w --format json "${ENGINE_ARGS[@]}" "$@" \
        "$dir/Dockerfile" 2>"$ERR")
  RC=$?
  set -e
}

c_app() {  # c_app DIR: a C program with a Makefile, reading a file of the context
  mkdir -p "$1"
  cat > "$1/hello.c" <<'SRC'
#include <stdio.h>
#include <string.h>
#include <math.h>

int main(void)
{
	FILE *f = fopen("greeting.txt", "r");
	char line[64] = "no greeting";
	if (f && fgets(line, sizeof(line), f))
		line[strcspn(line, "\n")] = '\0';
	printf("hello from C: %s, sqrt(2)=%.3f\n", line, sqrt(2.0));
	return 0;
}
SRC
  printf 'CFLAGS = -O2 -Wall\n\nall: hello\n\nhello: hello.c\n\t$(CC) $(CFLAGS) -o $@ hello.c -lm\n' > "$1/Makefile"
  printf 'a greeting from the context\n' > "$1/greeting.txt"
  printf 'stderr\n*.log\n*.Dockerfile\n' > "$1/.dockerignore"
}

# percent_smaller: the size saved by the first verification in $OUT, for the log.
percent_smaller() {
  json '"%d -> %d bytes (%.0f%% smaller)" % (v["verify"][0]["result"]["original"]["size"], v["verify"][0]["result"]["rewritten"]["size"], 100.0 * v["verify"][0]["result"]["savings"]["size"] / v["verify"][0]["result"]["original"]["size"])'
}

# A C app on gcc:12 (stand-in: Debian's gcc): `fix --verify` splits it, the builds
# prove it (the same output, a smaller image) and the rewrite is written.
scenario_multistage_c() {
  local d; d=$(new_dir)
  standin gcc:12=gcc,libc6-dev,make,ca-certificates || return 1
  c_app "$d"
  cat > "$d/Dockerfile" <<'DF'
FROM gcc:12
WORKDIR /app
COPY . .
RUN make
RUN useradd -r -u 1001 app
USER app
CMD ["./hello"]
DF
  cp "$d/Dockerfile" "$d/original.Dockerfile"
  fix_verify "$d" --select multi-stage
  expect "exit 0" is "$RC" 0 || return 1
  expect "one verification, kept" is "$(json '[x["kept"] for x in v["verify"]]')" "[True]" || return 1
  expect "verify passed" is "$(json 'v["verify"][0]["result"]["passed"]')" True || return 1
  expect "the rewrite's output" is "$(json 'v["verify"][0]["result"]["rewritten"]["run"]["stdout"]')" \
         "hello from C: a greeting from the context, sqrt(2)=1.414" || return 1
  expect "the same as the original's" is "$(json 'v["verify"][0]["result"]["original"]["run"]["stdout"]')" \
         "hello from C: a greeting from the context, sqrt(2)=1.414" || return 1
  expect "100 MB or more smaller" is "$(json 'v["verify"][0]["result"]["savings"]["size"] > 100*10**6')" True || return 1
  expect "the file was rewritten" grep -q '^FROM debian:bookworm-slim$' "$d/Dockerfile" || return 1
  expect "the user is created again" grep -q '^RUN useradd -r -u 1001 app$' "$d/Dockerfile" || return 1
  log "   C: $(percent_smaller), same output"
}

# A Go app on golang:1.19 (stand-in: Debian's golang-go). The tag names no suite, so
# the build goes static and ships on distroless/static (a stand-in here). Built and
# run before and after with buildah-build.sh itself, then proven by dockopt verify.
scenario_multistage_go() {
  local d; d=$(new_dir)
  standin golang:1.19=golang-go,ca-certificates "gcr.io/distroless/static=@debian:bookworm-slim" || return 1
  printf 'module example.com/greet\n\ngo 1.19\n' > "$d/go.mod"
  cat > "$d/main.go" <<'SRC'
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	cfg, err := os.ReadFile("config/greeting.txt")
	if err != nil {
		fmt.Println("no config:", err)
		os.Exit(3)
	}
	fmt.Printf("hello from Go (%s): %s", runtime.GOOS, cfg)
}
SRC
  mkdir -p "$d/config"; printf 'configured greeting\n' > "$d/config/greeting.txt"
  printf 'stderr\n*.log\n*.Dockerfile\n' > "$d/.dockerignore"
  cat > "$d/Dockerfile" <<'DF'
FROM golang:1.19
WORKDIR /src
COPY go.mod ./
COPY . .
RUN go build -o /usr/local/bin/greet .
CMD ["greet"]
DF
  "$DOCKOPT" fix --no-config --aggressive --select multi-stage "$d/Dockerfile" > "$d/rewritten.Dockerfile" 2>"$d/fix.log"
  ERR=$d/fix.log; OUT=$(cat "$d/rewritten.Dockerfile")
  expect "a runtime stage on distroless" grep -q '^FROM gcr.io/distroless/static$' "$d/rewritten.Dockerfile" || return 1
  local before after
  before=$(ENGINE=host WORK=$WORK DRIVER=$DRIVER bash "$SHARED/tools/buildah-build.sh" --run \
           -t localhost/e2e-go-before "$d/Dockerfile" "$d" 2>"$d/before.log") || { tail "$d/before.log" >&2; return 1; }
  after=$(ENGINE=host WORK=$WORK DRIVER=$DRIVER bash "$SHARED/tools/buildah-build.sh" --run \
          -t localhost/e2e-go-after "$d/rewritten.Dockerfile" "$d" 2>"$d/after.log") || { tail "$d/after.log" >&2; return 1; }
  "${BUILDAH[@]}" rmi localhost/e2e-go-before localhost/e2e-go-after >/dev/null 2>&1 || true
  local out_b out_a size_b size_a
  out_b=$(grep '^run_output=' <<<"$before"); out_a=$(grep '^run_output=' <<<"$after")
  size_b=$(grep '^size_bytes=' <<<"$before" | cut -d= -f2); size_a=$(grep '^size_bytes=' <<<"$after" | cut -d= -f2)
  OUT="$before"$'\n'"$after"; ERR=$d/after.log
  expect "both ran" is "$(grep -c '^run_rc=0$' <<<"$OUT")" 2 || return 1
  expect "identical output" is "$out_b" "$out_a" || return 1
  expect "the greeting" is "$out_b" "run_output=hello from Go (linux): configured greeting" || return 1
  expect "100 MB or more smaller" test $((size_b - size_a)) -gt 100000000 || return 1
  log "   Go: $size_b -> $size_a bytes ($(( (size_b - size_a) * 100 / size_b ))% smaller), same output"
  verify "$d" --format json --no-rebuild
  expect "dockopt verify passes too" is "$RC" 0 || return 1
  expect "only base-image values differ" is "$(json 'all(x["allowed"] for x in v["config_diffs"])')" True || return 1
}

# A rewrite the pass cannot see through: the program reads a file `make` writes (the
# pass knows only the -o outputs of the goal). fix --verify builds and runs both, the
# output differs, and the rewrite is not applied.
scenario_multistage_verify_rejects() {
  local d; d=$(new_dir)
  standin gcc:12=gcc,libc6-dev,make,ca-certificates || return 1
  c_app "$d"
  rm "$d/greeting.txt"
  printf 'CFLAGS = -O2 -Wall\n\nall: hello greeting.txt\n\nhello: hello.c\n\t$(CC) $(CFLAGS) -o $@ hello.c -lm\n\ngreeting.txt:\n\techo made by make > $@\n' > "$d/Makefile"
  cat > "$d/Dockerfile" <<'DF'
FROM gcc:12
WORKDIR /app
COPY . .
RUN make
CMD ["./hello"]
DF
  cp "$d/Dockerfile" "$d/original.Dockerfile"
  fix_verify "$d" --select multi-stage --no-rebuild
  expect "exit 0 (a failed verification is not an error)" is "$RC" 0 || return 1
  expect "verified and dropped" is "$(json '[(x["kept"], x["result"]["passed"]) for x in v["verify"]]')" "[(False, False)]" || return 1
  expect "the outputs differ" is "$(json 'any("standard output differs" in r for r in v["verify"][0]["result"]["reasons"])')" True || return 1
  expect "reported as not applied" is "$(json '[f["message"].endswith("(not applied: verify failed)") for f in v["findings"] if f["rule"] == "multi-stage"]')" "[True]" || return 1
  expect "the file is unchanged" cmp -s "$d/Dockerfile" "$d/original.Dockerfile" || return 1
}

# ---- main ---------------------------------------------------------------------

leftovers() {  # images dockopt tagged, and working containers of any name
  local images containers
  images=$("${BUILDAH[@]}" images --format '{{.Name}}' 2>/dev/null | grep -c dockopt-verify || true)
  containers=$("${BUILDAH[@]}" containers -q 2>/dev/null | wc -l)
  echo "$images images, $containers containers"
}

before=$(leftovers)
failed=()
for fn in $(declare -F | awk '{print $3}' | grep '^scenario_'); do
  name=${fn#scenario_}
  [ -n "${E2E_ONLY:-}" ] && [ "$E2E_ONLY" != "$name" ] && continue
  log "== $name"
  t0=$(date +%s)
  if "$fn"; then log "   ok ($(( $(date +%s) - t0 )) s)"; else log "   FAILED"; failed+=("$name"); fi
done
after=$(leftovers)
if [ "$after" != "$before" ]; then
  log "images or containers were left behind (before: $before; after: $after)"
  failed+=(cleanup)
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "e2e FAILED: ${failed[*]}"
  exit 1
fi
echo "e2e: all scenarios passed"
