#!/bin/sh
# fuzz.sh SECONDS - build the libFuzzer target with clang and run it, growing
# build/fuzz/work (seeded from the BuildKit test files and golden inputs).
# Crashes land in tests/fuzz/crashes/; inputs that add coverage are merged into
# tests/fuzz/corpus, which `make check` replays.
set -eu
secs=${1:-60}
tools/install-deps.sh --fuzz
out=build/fuzz
mkdir -p "$out" tests/fuzz/corpus tests/fuzz/crashes
CFLAGS="-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
PKGC=$(pkg-config --cflags libpcre2-8 libgit2 yaml-0.1 libcurl)
PKGL=$(pkg-config --libs libpcre2-8 libgit2 yaml-0.1 libcurl)
# The library as an archive, so the target links only what it uses.
mkdir -p "$out/obj"
rm -f "$out/libdockopt-fuzz.a"
for src in $(ls src/*.c src/util/*.c | grep -v -e 'src/main.c' -e 'src/cmd_'); do
  obj="$out/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
  # shellcheck disable=SC2086
  clang $CFLAGS $PKGC -c "$src" -o "$obj"
done
ar rcs "$out/libdockopt-fuzz.a" "$out"/obj/*.o
# shellcheck disable=SC2086
clang $CFLAGS $PKGC -o "$out/fuzz_parse" tests/fuzz_parse.c "$out/libdockopt-fuzz.a" $PKGL
seed=$out/seed
rm -rf "$seed"; mkdir -p "$seed"
for f in ../shared/corpus/buildkit/testfiles/*/Dockerfile golden/*/*.Dockerfile; do
  [ -f "$f" ] && cp "$f" "$seed/$(echo "$f" | tr '/' '_')"
done
work=$out/work
mkdir -p "$work"
"$out/fuzz_parse" -max_total_time="$secs" -max_len=8192 -timeout=10 -print_final_stats=1 \
  -artifact_prefix=tests/fuzz/crashes/ "$work" tests/fuzz/corpus "$seed"
# Keep only the inputs that add coverage in the saved corpus.
"$out/fuzz_parse" -merge=1 tests/fuzz/corpus "$work" "$seed" 2>&1 | tail -1
