/*
 * fixture_engine.c - the fake container engine (see fixture_engine.h).
 */
#include "fixture_engine.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char script[] =
	"#!/bin/sh\n"
	"# fake container engine for test_fix_verify: logs its argv, answers canned output\n"
	"PATH=/usr/bin:/bin\n"
	"echo \"${0##*/} $*\" >> \"$FAKE_LOG\"\n"
	"while [ $# -gt 0 ]; do case $1 in -*) shift;; *) break;; esac; done\n"
	"sub=$1; shift\n"
	"case $sub in\n"
	"info) echo 1.0-fake;;\n"
	"build)\n"
	"  df=\n"
	"  while [ $# -gt 0 ]; do case $1 in -f) df=$2; shift 2;; *) shift;; esac; done\n"
	"  echo \"fake build of $df\"\n"
	"  if [ -n \"${FAKE_BREAK_REWRITE:-}\" ] && grep -q -- '--from=build' \"$df\"; then\n"
	"    echo 'fake: COPY --from=build /usr/local/bin/hello: no such file' >&2; exit 1\n"
	"  fi\n"
	"  grep -c -- '--from=build' \"$df\" >> \"$FAKE_LOG\"; exit 0;;\n"
	"image)\n"
	"  printf '[{\"Id\":\"sha256:%s\",\"Config\":{\"Env\":[\"PATH=/usr/bin:/bin\"],\"Cmd\":[\"hello\"],"
	"\"WorkingDir\":\"/src\"},\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:aa\"]},\"Size\":1}]\\n' "
	"\"$(echo \"$2\" | tr -c 'a-z0-9' _)\";;\n"
	"run) echo hello;;\n"
	"save)\n"
	"  out=; tag=\n"
	"  while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift 2;; *) tag=$1; shift;; esac; done\n"
	"  w=$(mktemp -d); mkdir -p \"$w/l\"\n"
	"  n=9000000; case $tag in *rewritten*) n=2000000;; esac\n"
	"  head -c $n /dev/zero > \"$w/f\"; tar -cf \"$w/l/layer.tar\" -C \"$w\" f; rm \"$w/f\"\n"
	"  printf '[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"l/layer.tar\"]}]' > \"$w/manifest.json\"\n"
	"  tar -cf \"$out\" -C \"$w\" manifest.json l; rm -rf \"$w\";;\n"
	"rmi|rm|version) ;;\n"
	"*) echo \"fake engine: unknown command $sub\" >&2; exit 2;;\n"
	"esac\n";

void fixture_fake_engine(const char *bin, const char *name)
{
	char *path = tu_asprintf("%s/%s", bin, name);
	assert_int_equal(tu_write_file(path, script, strlen(script)), 0);
	chmod(path, 0755);
	free(path);
}
