/*
 * test_verify.c - the engine layer and `dockopt verify` without a real
 * engine: a fake `docker` / `podman` (a shell script written here, first on
 * PATH) records every command line it gets and answers info, build, image
 * inspect, run, save, rm and rmi with output taken from "# FAKE_*" comment
 * lines of the Dockerfile it built. Also the pieces that need no engine at
 * all: inspect JSON of the three engines, docker-archive measurement, the
 * declared names, and the process runner. Real builds: tools/e2e.sh.
 */
#include "testutil.h"

#include "dockopt/common.h"
#include "engine.h"
#include "json.h"
#include "proc.h"
#include "verify.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char fake_engine[] =
	"#!/bin/sh\n"
	"# fake container engine for test_verify: logs its argv, answers canned output\n"
	"PATH=/usr/bin:/bin\n"
	"prog=${0##*/}\n"
	"echo \"$prog $* [DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-}]\" >> \"$FAKE_LOG\"\n"
	"while [ $# -gt 0 ]; do case $1 in -*) shift;; *) break;; esac; done\n"
	"sub=$1; shift\n"
	"key() { printf '%s' \"$1\" | tr -c 'A-Za-z0-9' '_'; }\n"
	"# val TAG KEY: the value of '# KEY@<target> v' (the target built), else '# KEY v'\n"
	"val() {\n"
	"  f=\"$FAKE_STATE/$(key \"$1\")\"; t=$(cat \"$f.target\" 2>/dev/null)\n"
	"  { [ -n \"$t\" ] && sed -n \"s/^# $2@$t //p\" \"$f.df\"; sed -n \"s/^# $2 //p\" \"$f.df\"; } | head -n 1\n"
	"}\n"
	"case $sub in\n"
	"info)\n"
	"  if [ -n \"${FAKE_NO_DAEMON:-}\" ] && [ \"$prog\" = docker ]; then\n"
	"    echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
	"docker daemon running?' >&2; exit 1\n"
	"  fi\n"
	"  echo 99.0-fake; exit 0;;\n"
	"build)\n"
	"  df=; tag=; ctx=; target=\n"
	"  while [ $# -gt 0 ]; do\n"
	"    case $1 in\n"
	"      -f) df=$2; shift 2;;\n"
	"      --target=*) target=${1#--target=}; shift;;\n"
	"      -t) tag=$2; shift 2;;\n"
	"      --build-arg) shift 2;;\n"
	"      -*) shift;;\n"
	"      *) ctx=$1; shift;;\n"
	"    esac\n"
	"  done\n"
	"  echo \"fake build of $df\"\n"
	"  echo \"ctx=$ctx app=$(cksum < \"$ctx/app.py\" | cut -d' ' -f1)\" >> \"$FAKE_LOG\"\n"
	"  if grep -q FAKE_BUILD_FAIL \"$df\"; then echo 'fake: build error' >&2; exit 1; fi\n"
	"  cp \"$df\" \"$FAKE_STATE/$(key \"$tag\").df\"\n"
	"  printf '%s' \"$target\" > \"$FAKE_STATE/$(key \"$tag\").target\"; exit 0;;\n"
	"image)\n"
	"  [ \"$1\" = inspect ] || exit 2\n"
	"  tag=$2\n"
	"  [ -f \"$FAKE_STATE/$(key \"$tag\").df\" ] || { echo \"no image $tag\" >&2; exit 1; }\n"
	"  cfg=$(val \"$tag\" FAKE_CONFIG); [ -n \"$cfg\" ] || cfg='{}'\n"
	"  layers='\"sha256:aa\",\"sha256:bb\"'\n"
	"  [ \"$(val \"$tag\" FAKE_LAYERS)\" = 1 ] && layers='\"sha256:aa\"'\n"
	"  printf '[{\"Id\":\"sha256:%s\",\"Config\":%s,\"RootFS\":{\"Type\":\"layers\","
	"\"Layers\":[%s]},\"Size\":1234}]\\n' \"$(key \"$tag\")\" \"$cfg\" \"$layers\"\n"
	"  exit 0;;\n"
	"run)\n"
	"  ep=; tag=\n"
	"  while [ $# -gt 0 ]; do\n"
	"    case $1 in\n"
	"      --entrypoint=*) ep=${1#--entrypoint=}; shift;;\n"
	"      -*) shift;;\n"
	"      *) tag=$1; shift; break;;\n"
	"    esac\n"
	"  done\n"
	"  s=$(val \"$tag\" FAKE_RUN_SLEEP); [ -n \"$s\" ] && sleep \"$s\"\n"
	"  if [ -n \"$ep\" ]; then echo \"smoke: $ep $*\"; exit 0; fi\n"
	"  val \"$tag\" FAKE_RUN_OUT\n"
	"  rc=$(val \"$tag\" FAKE_RUN_RC); exit \"${rc:-0}\";;\n"
	"save)\n"
	"  out=; tag=\n"
	"  while [ $# -gt 0 ]; do\n"
	"    case $1 in -o) out=$2; shift 2;; -*) shift;; *) tag=$1; shift;; esac\n"
	"  done\n"
	"  w=$(mktemp -d); mkdir -p \"$w/base\" \"$w/app\" \"$w/blobs\"\n"
	"  d=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"  yes base-layer-content | head -c 200000 > \"$w/f\"\n"
	"  tar -cf \"$w/blobs/$d.tar\" -C \"$w\" f\n"
	"  n=$(val \"$tag\" FAKE_APP_BYTES)\n"
	"  head -c \"${n:-5000}\" /dev/urandom > \"$w/f\"; tar -cf \"$w/app/layer.tar\" -C \"$w\" f\n"
	"  rm \"$w/f\"; ln -s \"../blobs/$d.tar\" \"$w/base/layer.tar\"\n"
	"  l='\"base/layer.tar\"'\n"
	"  [ \"$(val \"$tag\" FAKE_LAYERS)\" = 1 ] || l=\"$l,\\\"app/layer.tar\\\"\"\n"
	"  printf '[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[%s]}]' \"$l\" > "
	"\"$w/manifest.json\"\n"
	"  tar -cf \"$out\" -C \"$w\" .; rm -rf \"$w\"; exit 0;;\n"
	"rmi|rm|version) exit 0;;\n"
	"*) echo \"fake engine: unknown command $sub\" >&2; exit 2;;\n"
	"esac\n";

typedef struct fixture {
	char *dir, *bin, *ctx, *log, *state, *tmp, *dockopt;
} fixture;

static void fx_write(const char *path, const char *text)
{
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
}

/* A temp root with bin/ (the fake as the engines listed), ctx/ (the user's
 * context: app.py), state/ and tmp/ (TMPDIR for dockopt). */
static void fx_setup(fixture *f, bool docker, bool podman)
{
	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp();
	assert_non_null(f->dir);
	f->bin = tu_asprintf("%s/bin", f->dir);
	f->ctx = tu_asprintf("%s/ctx", f->dir);
	f->log = tu_asprintf("%s/engine.log", f->dir);
	f->state = tu_asprintf("%s/state", f->dir);
	f->tmp = tu_asprintf("%s/tmp", f->dir);
	char *fake = tu_asprintf("%s/fake-engine", f->dir);
	fx_write(fake, fake_engine);
	chmod(fake, 0755);
	const char *names[] = {docker ? "docker" : NULL, podman ? "podman" : NULL};
	mkdir(f->bin, 0755);
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		char *link = tu_asprintf("%s/%s", f->bin, names[i]);
		assert_int_equal(symlink(fake, link), 0);
		free(link);
	}
	free(fake);
	mkdir(f->ctx, 0755);
	mkdir(f->state, 0755);
	mkdir(f->tmp, 0755);
	char *app = tu_asprintf("%s/app.py", f->ctx);
	fx_write(app, "print('hello')\n");
	free(app);
	f->dockopt = realpath(tu_dockopt_bin(), NULL);
	assert_non_null(f->dockopt);
}

static void fx_teardown(fixture *f)
{
	tu_rmrf(f->dir);
	char **v[] = {&f->dir, &f->bin, &f->ctx, &f->log, &f->state, &f->tmp, &f->dockopt};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		free(*v[i]);
}

/* Run `dockopt verify ARGS --rewritten R ctx/Dockerfile` with the Dockerfiles
 * given; path is the PATH to use (NULL: the fakes, then the system). */
static int fx_verify(fixture *f, const char *path, const char *env, const char *orig,
                     const char *rew, const char *args, char **out, char **err)
{
	char *df = tu_asprintf("%s/Dockerfile", f->ctx);
	char *rf = tu_asprintf("%s/rewritten.Dockerfile", f->dir);
	fx_write(df, orig);
	fx_write(rf, rew);
	char *p = path ? tu_asprintf("%s", path) : tu_asprintf("%s:/usr/bin:/bin", f->bin);
	char *cmd = tu_asprintf("cd '%s' && env PATH='%s' FAKE_LOG='%s' FAKE_STATE='%s' "
	                        "TMPDIR='%s' %s '%s' verify %s --rewritten '%s' '%s'",
	                        f->dir, p, f->log, f->state, f->tmp, env ? env : "", f->dockopt,
	                        args ? args : "", rf, df);
	int rc = tu_run(cmd, NULL, 0, out, NULL, err);
	free(cmd);
	free(p);
	free(rf);
	free(df);
	return rc;
}

static char *fx_log(const fixture *f)
{
	char *s = tu_read_file(f->log, NULL);
	return s ? s : strdup("");
}

/* Entries left in TMPDIR (work folders that were not removed). */
static int fx_leftovers(const fixture *f)
{
	char *cmd = tu_asprintf("ls -A '%s' | wc -l", f->tmp);
	char *out = NULL;
	tu_run(cmd, NULL, 0, &out, NULL, NULL);
	int n = atoi(out);
	free(out);
	free(cmd);
	return n;
}

static dko_json_doc *parse_json(const char *text)
{
	dko_json_doc *doc = NULL;
	if (dko_json_parse(&doc, text, strlen(text)) != 0)
		fail_msg("bad JSON (%s): %s", dko_error_last(), text);
	return doc;
}

static double num(const dko_json *root, const char *path)
{
	const dko_json *v = dko_json_path(root, path);
	if (!v || v->type != DKO_JSON_NUMBER)
		fail_msg("%s is not a number", path);
	return v->number;
}

static bool flag(const dko_json *root, const char *path)
{
	const dko_json *v = dko_json_path(root, path);
	if (!v || v->type != DKO_JSON_BOOL)
		fail_msg("%s is not a boolean", path);
	return v->boolean;
}

/* The first config diff of field (and key), or NULL. */
static const dko_json *find_diff(const dko_json *root, const char *field, const char *key)
{
	const dko_json *d = dko_json_get(root, "config_diffs");
	for (size_t i = 0; d && i < d->len; i++) {
		const char *fl = dko_json_string(dko_json_get(d->items[i], "field"));
		const char *k = dko_json_string(dko_json_get(d->items[i], "key"));
		if (fl && !strcmp(fl, field) && (!key || (k && !strcmp(k, key))))
			return d->items[i];
	}
	return NULL;
}

#define BASE_CONFIG                                                                         \
	"{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","      \
	"\"APP=1\"],\"Cmd\":[\"python3\",\"app.py\"],\"WorkingDir\":\"/app\","                  \
	"\"ExposedPorts\":{\"8080/tcp\":{}},\"Labels\":{\"org.example\":\"x\"}}"

static const char df_orig[] = "FROM python:3.12\n"
                              "ENV APP=1\n"
                              "LABEL org.example=x\n"
                              "COPY app.py /app/\n"
                              "RUN echo one\n"
                              "RUN echo two\n"
                              "# FAKE_CONFIG " BASE_CONFIG "\n"
                              "# FAKE_RUN_OUT hello\n"
                              "# FAKE_APP_BYTES 50000\n";

static const char df_same[] = "FROM python:3.12\n"
                              "ENV APP=1\n"
                              "LABEL org.example=x\n"
                              "COPY app.py /app/\n"
                              "RUN echo one && echo two\n"
                              "# FAKE_CONFIG " BASE_CONFIG "\n"
                              "# FAKE_RUN_OUT hello\n"
                              "# FAKE_LAYERS 1\n";

static void test_verify__identical_images_pass(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, df_orig, df_same,
	                   "--format json --engine-arg --host=tcp://fake:1 --target app "
	                   "--build-arg V=1 --secret id=tok,src=/run/tok",
	                   &out, &err);
	assert_int_equal(rc, 0);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_string_equal(dko_json_string(dko_json_get(r, "schema")), "dockopt/verify/1");
	assert_string_equal(dko_json_string(dko_json_get(r, "engine")), "docker");
	assert_string_equal(dko_json_string(dko_json_get(r, "engine_version")), "99.0-fake");
	assert_string_equal(dko_json_string(dko_json_get(r, "target")), "app");
	assert_true(flag(r, "passed"));
	assert_int_equal(dko_json_get(r, "reasons")->len, 0);
	assert_int_equal(dko_json_get(r, "config_diffs")->len, 0);
	assert_string_equal(dko_json_string(dko_json_get(r, "touched")), "app.py");
	assert_int_equal(num(r, "original.layers"), 2);
	assert_int_equal(num(r, "rewritten.layers"), 1);
	assert_true(num(r, "original.size") > num(r, "rewritten.size"));
	assert_true(num(r, "savings.size") == num(r, "original.size") - num(r, "rewritten.size"));
	/* The base layer is text and compresses; the app layer is random bytes. */
	assert_true(num(r, "rewritten.compressed_size") < num(r, "rewritten.size") / 4);
	assert_true(num(r, "original.compressed_size") > 50000);
	assert_int_equal(num(r, "original.run.exit_code"), 0);
	assert_string_equal(dko_json_string(dko_json_path(r, "original.run.stdout")), "hello\n");
	assert_non_null(dko_json_path(r, "original.rebuild_seconds"));
	assert_int_equal(dko_json_path(r, "original.rebuild_seconds")->type, DKO_JSON_NUMBER);
	assert_int_equal(dko_json_get(r, "log_dir")->type, DKO_JSON_NULL);
	dko_json_doc_free(doc);

	char *log = fx_log(&f);
	/* Global args first; the profile passed through; BuildKit on. */
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 info --format {{.ServerVersion}}"));
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 build --progress=plain --no-cache "
	                            "--target=app --build-arg V=1 --secret=id=tok,src=/run/tok -f "));
	assert_non_null(strstr(log, "[DOCKER_BUILDKIT=1]"));
	/* A rebuild without --no-cache after app.py changed in the copy. */
	assert_non_null(strstr(log, "build --progress=plain --target=app"));
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 image inspect localhost/dockopt-verify-"));
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 save -o "));
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 run --rm --name=dockopt-verify-"));
	assert_non_null(strstr(log, "docker --host=tcp://fake:1 rmi -f localhost/dockopt-verify-"));
	/* Builds ran in copies of the context, never in the user's. */
	char *user_ctx = tu_asprintf("ctx=%s ", f.ctx);
	assert_null(strstr(log, user_ctx));
	free(user_ctx);
	char *app = tu_asprintf("%s/app.py", f.ctx);
	char *content = tu_read_file(app, NULL);
	assert_string_equal(content, "print('hello')\n");
	free(content);
	free(app);
	/* The copies saw two versions of app.py: cold builds, then the rebuilds. */
	const char *p = strstr(log, "app=");
	assert_non_null(p);
	char first[32] = {0};
	sscanf(p, "app=%31s", first);
	bool changed = false;
	for (const char *q = p; (q = strstr(q + 1, "app="));) {
		char other[32] = {0};
		sscanf(q, "app=%31s", other);
		changed |= strcmp(other, first) != 0;
	}
	assert_true(changed);
	assert_int_equal(fx_leftovers(&f), 0);
	free(log);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__differing_cmd_fails(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	const char *rew = "FROM python:3.12\n"
	                  "ENV APP=1\n"
	                  "LABEL org.example=x\n"
	                  "# FAKE_CONFIG {\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	                  "/usr/bin:/sbin:/bin\",\"APP=1\"],\"Cmd\":[\"python3\",\"main.py\"],"
	                  "\"WorkingDir\":\"/app\",\"ExposedPorts\":{\"8080\":{}},"
	                  "\"Labels\":{\"org.example\":\"x\"}}\n"
	                  "# FAKE_RUN_OUT hello\n";
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, df_orig, rew, "--format json", &out, &err);
	assert_int_equal(rc, 1);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_false(flag(r, "passed"));
	/* Exactly one difference: "8080" and "8080/tcp" are the same port. */
	assert_int_equal(dko_json_get(r, "config_diffs")->len, 1);
	const dko_json *d = find_diff(r, "Cmd", NULL);
	assert_non_null(d);
	assert_false(dko_json_get(d, "allowed")->boolean);
	assert_string_equal(dko_json_get(d, "rewritten")->items[1]->str, "main.py");
	const dko_json *reasons = dko_json_get(r, "reasons");
	assert_int_equal(reasons->len, 1);
	assert_non_null(strstr(reasons->items[0]->str, "Cmd differs"));
	/* A failed verification keeps its logs. */
	const char *logs = dko_json_string(dko_json_get(r, "log_dir"));
	assert_non_null(logs);
	char *cold = tu_asprintf("%s/rewritten-0-cold.log", logs);
	char *text = tu_read_file(cold, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "fake build of"));
	assert_non_null(strstr(text, "# exit 0 after"));
	free(text);
	free(cold);
	dko_json_doc_free(doc);
	free(out);
	free(err);
	/* The text report says the same. */
	rc = fx_verify(&f, NULL, NULL, df_orig, rew, NULL, &out, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "FAILED"));
	assert_non_null(strstr(out, "Cmd: [\"python3\",\"app.py\"] -> [\"python3\",\"main.py\"]"));
	free(out);
	free(err);
	fx_teardown(&f);
}

static const char path_orig[] =
	"FROM golang:1.22\n"
	"ENV CGO_ENABLED=0\n"
	"# FAKE_CONFIG {\"Env\":[\"PATH=/go/bin:/usr/local/go/bin:/usr/bin:/bin\","
	"\"GOPATH=/go\",\"CGO_ENABLED=0\"],\"Cmd\":[\"/app\"]}\n"
	"# FAKE_RUN_OUT ok\n";

static const char path_rew[] =
	"FROM golang:1.22 AS build\n"
	"ENV CGO_ENABLED=0\n"
	"FROM debian:bookworm-slim\n"
	"ENV CGO_ENABLED=0\n"
	"# FAKE_CONFIG {\"Env\":[\"PATH=/usr/bin:/bin\",\"CGO_ENABLED=0\"],\"Cmd\":[\"/app\"]}\n"
	"# FAKE_RUN_OUT ok\n";

static void test_verify__base_image_env_may_differ(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, path_orig, path_rew, "--format json --no-rebuild", &out,
	                   &err);
	assert_int_equal(rc, 0);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_true(flag(r, "passed"));
	const dko_json *d = find_diff(r, "Env", "PATH");
	assert_non_null(d);
	assert_true(dko_json_get(d, "allowed")->boolean);
	assert_string_equal(dko_json_string(dko_json_get(d, "rewritten")), "/usr/bin:/bin");
	d = find_diff(r, "Env", "GOPATH");
	assert_non_null(d);
	assert_true(dko_json_get(d, "allowed")->boolean);
	assert_int_equal(dko_json_get(d, "rewritten")->type, DKO_JSON_NULL);
	assert_int_equal(dko_json_get(r, "touched")->type, DKO_JSON_NULL);
	assert_int_equal(dko_json_path(r, "original.rebuild_seconds")->type, DKO_JSON_NULL);
	dko_json_doc_free(doc);
	free(out);
	free(err);
	char *log = fx_log(&f);
	assert_null(strstr(log, "build --progress=plain -f")); /* no rebuild without --no-cache */
	free(log);

	/* When the Dockerfile itself sets PATH, the value must stay. */
	char *declared = tu_asprintf("%sENV PATH=/go/bin:$PATH\n", path_orig);
	rc = fx_verify(&f, NULL, NULL, declared, path_rew, "--format json --no-rebuild", &out, &err);
	assert_int_equal(rc, 1);
	doc = parse_json(out);
	r = dko_json_root(doc);
	d = find_diff(r, "Env", "PATH");
	assert_non_null(d);
	assert_false(dko_json_get(d, "allowed")->boolean);
	assert_true(find_diff(r, "Env", "GOPATH") && dko_json_get(find_diff(r, "Env", "GOPATH"),
	                                                           "allowed")->boolean);
	dko_json_doc_free(doc);
	free(declared);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__differing_run_output_fails(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *rew = strdup(df_same);
	char *p = strstr(rew, "FAKE_RUN_OUT hello");
	memcpy(p, "FAKE_RUN_OUT hellO", 18);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, df_orig, rew, "--format json --no-rebuild", &out, &err);
	assert_int_equal(rc, 1);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_false(flag(r, "passed"));
	assert_int_equal(dko_json_get(r, "config_diffs")->len, 0);
	const dko_json *reasons = dko_json_get(r, "reasons");
	assert_int_equal(reasons->len, 1);
	assert_non_null(strstr(reasons->items[0]->str, "standard output differs"));
	assert_non_null(strstr(reasons->items[0]->str, "line 1: \"hello\" vs \"hellO\""));
	dko_json_doc_free(doc);
	free(out);
	free(err);

	/* A different exit code fails too. */
	char *rc_rew = tu_asprintf("%s# FAKE_RUN_RC 3\n", df_same);
	rc = fx_verify(&f, NULL, NULL, df_orig, rc_rew, "--no-rebuild", &out, &err);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "exits with 0 in the original and 3 in the rewritten"));
	free(rc_rew);
	free(rew);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__failing_build(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *bad = tu_asprintf("%s# FAKE_BUILD_FAIL\n", df_orig);
	char *out = NULL, *err = NULL;
	/* The original does not build: nothing to compare, exit 2 with the log. */
	int rc = fx_verify(&f, NULL, NULL, bad, df_same, NULL, &out, &err);
	assert_int_equal(rc, 2);
	assert_string_equal(out, "");
	const char *at = strstr(err, "docker build failed (exit 1); log: ");
	assert_non_null(at);
	char logpath[4096] = {0};
	sscanf(at + strlen("docker build failed (exit 1); log: "), "%4095s", logpath);
	char *text = tu_read_file(logpath, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "$ docker build --progress=plain --no-cache -f "));
	assert_non_null(strstr(text, "fake: build error"));
	assert_non_null(strstr(text, "# exit 1 after"));
	free(text);
	free(out);
	free(err);

	/* The rewritten one does not build: a failed verification, exit 1. */
	rc = fx_verify(&f, NULL, NULL, df_orig, bad, "--format json", &out, &err);
	assert_int_equal(rc, 1);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_false(flag(r, "passed"));
	assert_false(flag(r, "rewritten.built"));
	assert_non_null(strstr(dko_json_get(r, "reasons")->items[0]->str,
	                       "the rewritten Dockerfile does not build; log: "));
	assert_int_equal(dko_json_get(r, "savings")->type, DKO_JSON_NULL);
	dko_json_doc_free(doc);
	free(bad);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__podman_when_docker_has_no_daemon(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, true);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, "FAKE_NO_DAEMON=1", df_orig, df_same,
	                   "--format json --touch app.py --smoke 'echo hi'", &out, &err);
	assert_int_equal(rc, 0);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_string_equal(dko_json_string(dko_json_get(r, "engine")), "podman");
	assert_string_equal(dko_json_string(dko_json_path(r, "rewritten.run.stdout")),
	                    "smoke: /bin/sh -c echo hi\n");
	dko_json_doc_free(doc);
	char *log = fx_log(&f);
	assert_non_null(strstr(log, "docker info --format {{.ServerVersion}}"));
	assert_non_null(strstr(log, "podman info --format {{.Version.Version}}"));
	assert_non_null(strstr(log, "podman build --layers --format=docker --no-cache -f "));
	assert_non_null(strstr(log, "[DOCKER_BUILDKIT=]"));
	assert_non_null(strstr(log, "podman save --format=docker-archive -o "));
	assert_non_null(strstr(log, "podman run --rm --name=dockopt-verify-"));
	assert_non_null(strstr(log, "--pull=never --entrypoint=/bin/sh localhost/dockopt-verify-"));
	assert_non_null(strstr(log, "podman rmi -f "));
	assert_null(strstr(log, "docker build"));
	free(log);
	free(out);
	free(err);

	/* An exec-form smoke command keeps its words. */
	rc = fx_verify(&f, NULL, "FAKE_NO_DAEMON=1", df_orig, df_same,
	               "--format json --no-rebuild --smoke '[\"/app\",\"--version\"]'", &out, &err);
	assert_int_equal(rc, 0);
	doc = parse_json(out);
	assert_string_equal(dko_json_string(dko_json_path(dko_json_root(doc), "original.run.stdout")),
	                    "smoke: /app --version\n");
	dko_json_doc_free(doc);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__no_engine(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *out = NULL, *err = NULL;
	/* Only the daemon-less docker on PATH: nothing usable, and why. */
	int rc = fx_verify(&f, f.bin, "FAKE_NO_DAEMON=1", df_orig, df_same, NULL, &out, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "no usable container engine"));
	assert_non_null(strstr(err, "docker: the client is installed but `docker info` failed "
	                            "(Cannot connect to the Docker daemon"));
	assert_non_null(strstr(err, "so no daemon is reachable"));
	assert_non_null(strstr(err, "podman: not found on PATH"));
	assert_non_null(strstr(err, "buildah: not found on PATH"));
	free(out);
	free(err);
	/* Usage errors. */
	rc = fx_verify(&f, NULL, NULL, df_orig, df_same, "--engine rkt", &out, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "unknown engine 'rkt'"));
	free(out);
	free(err);
	rc = fx_verify(&f, NULL, NULL, df_orig, df_same, "--touch missing.py", &out, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "--touch missing.py: no such file"));
	free(out);
	free(err);
	rc = fx_verify(&f, NULL, NULL, df_orig, df_same, "--smoke '[1]'", &out, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "--smoke"));
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__run_timeout(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	char *o = tu_asprintf("%s# FAKE_RUN_SLEEP 30\n", df_orig);
	char *r = tu_asprintf("%s# FAKE_RUN_SLEEP 30\n", df_same);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, o, r, "--format json --no-rebuild --timeout 1", &out,
	                   &err);
	/* Both still running at the timeout: a service; the output so far matches. */
	assert_int_equal(rc, 0);
	dko_json_doc *doc = parse_json(out);
	const dko_json *root = dko_json_root(doc);
	assert_true(flag(root, "original.run.timed_out"));
	assert_true(flag(root, "rewritten.run.timed_out"));
	assert_non_null(strstr(dko_json_get(root, "notes")->items[0]->str, "still running"));
	dko_json_doc_free(doc);
	char *log = fx_log(&f);
	assert_non_null(strstr(log, "docker rm -f dockopt-verify-"));
	free(log);
	free(out);
	free(err);
	free(o);
	free(r);
	fx_teardown(&f);
}

static void test_verify__several_targets(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f, true, false);
	const char *orig = "FROM debian AS web\nFROM debian AS worker\n"
	                   "# FAKE_CONFIG {\"Cmd\":[\"serve\"]}\n"
	                   "# FAKE_RUN_OUT@web web\n# FAKE_RUN_OUT@worker worker\n";
	/* The fake takes the first matching line: the changed one goes first. */
	char *rew2 = tu_asprintf("# FAKE_RUN_OUT@worker WORKER\n%s", orig);
	char *out = NULL, *err = NULL;
	int rc = fx_verify(&f, NULL, NULL, orig, rew2, "--format json --no-rebuild --target web "
	                   "--target worker", &out, &err);
	assert_int_equal(rc, 1);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc);
	assert_string_equal(dko_json_string(dko_json_get(r, "target")), "web");
	const dko_json *targets = dko_json_get(r, "targets");
	assert_non_null(targets);
	assert_int_equal(targets->len, 2);
	assert_true(dko_json_get(targets->items[0], "passed")->boolean);
	assert_false(dko_json_get(targets->items[1], "passed")->boolean);
	assert_string_equal(dko_json_string(dko_json_path(targets->items[1], "rewritten.run.stdout")),
	                    "WORKER\n");
	const dko_json *reasons = dko_json_get(r, "reasons");
	assert_int_equal(reasons->len, 1);
	assert_non_null(strstr(reasons->items[0]->str, "target worker: the command's standard output"));
	dko_json_doc_free(doc);
	char *log = fx_log(&f);
	assert_non_null(strstr(log, "--no-cache --target=web -f"));
	assert_non_null(strstr(log, "--no-cache --target=worker -f"));
	free(log);
	free(rew2);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_verify__json_is_valid_utf8(void **state)
{
	(void)state;
	dko_verify_result r;
	memset(&r, 0, sizeof(r));
	dko_verify_target t;
	memset(&t, 0, sizeof(t));
	char engine[] = "docker", version[] = "1", out[] = "ok \xff\xfe caf\xc3\xa9\n", err[] = "";
	r.engine = engine;
	r.engine_version = version;
	r.targets = &t;
	r.ntargets = 1;
	t.original.built = t.rewritten.built = true;
	t.original.compressed_size = t.rewritten.compressed_size = -1;
	t.original.run = (dko_verify_exec){true, 0, false, out, err, strlen(out), 0, strlen(out), 0};
	dko_buf b = DKO_BUF_INIT;
	dko_verify_format_json(&b, &r);
	dko_json_doc *doc = parse_json(b.ptr);
	assert_string_equal(dko_json_string(dko_json_path(dko_json_root(doc), "original.run.stdout")),
	                    "ok \xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9\n");
	assert_int_equal(dko_json_path(dko_json_root(doc), "savings.compressed_size")->type,
	                 DKO_JSON_NULL);
	dko_json_doc_free(doc);
	dko_buf_release(&b);
}

/* ---- no engine needed -------------------------------------------------------- */

static const char buildah_json[] =
	"{\"Type\":\"buildah 0.0.1\",\"FromImageID\":\"2263a7\","
	"\"Manifest\":\"{\\\"schemaVersion\\\":2,\\\"layers\\\":[{\\\"size\\\":77899264},"
	"{\\\"size\\\":2048}]}\","
	"\"OCIv1\":{\"config\":{\"Env\":[\"PATH=/usr/bin\"],\"Cmd\":[\"cat\",\"/hello.txt\"]},"
	"\"rootfs\":{\"diff_ids\":[\"sha256:a\",\"sha256:b\"]}},"
	"\"Docker\":{\"config\":{\"Hostname\":\"ad0b\",\"User\":\"\",\"ExposedPorts\":"
	"{\"8080/tcp\":{}},\"Env\":[\"PATH=/usr/bin\",\"FOO=bar\"],\"Cmd\":[\"cat\",\"/hello.txt\"],"
	"\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]},\"Volumes\":{\"/data\":{}},"
	"\"WorkingDir\":\"/app\",\"Entrypoint\":[],\"OnBuild\":[],\"Labels\":{\"b\":\"2\",\"a\":\"1\"},"
	"\"StopSignal\":\"SIGTERM\",\"Shell\":[\"/bin/bash\",\"-c\"]},"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:a\",\"sha256:b\"]}}}";

static const char docker_json[] =
	"[{\"Id\":\"sha256:x\",\"Config\":{\"ExposedPorts\":{\"8080/tcp\":{}},"
	"\"Env\":[\"PATH=/usr/bin\",\"FOO=bar\"],\"Cmd\":[\"cat\",\"/hello.txt\"],"
	"\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":0},\"Image\":\"\","
	"\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/app\",\"Entrypoint\":null,\"OnBuild\":null,"
	"\"Labels\":{\"a\":\"1\",\"b\":\"2\"},\"StopSignal\":\"SIGTERM\","
	"\"Shell\":[\"/bin/bash\",\"-c\"]},\"RootFS\":{\"Type\":\"layers\","
	"\"Layers\":[\"sha256:a\",\"sha256:b\"]},\"Size\":77901312}]";

static const char podman_json[] =
	"[{\"Id\":\"x\",\"Config\":{\"ExposedPorts\":{\"8080/tcp\":{}},"
	"\"Env\":[\"PATH=/usr/bin\",\"FOO=bar\"],\"Cmd\":[\"cat\",\"/hello.txt\"],"
	"\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/app\",\"Labels\":{\"a\":\"1\",\"b\":\"2\"},"
	"\"StopSignal\":\"SIGTERM\"},\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:a\","
	"\"sha256:b\"]},\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]},\"Size\":1}]";

static void compare_infos(dko_verify_target *t, const dko_image_info *a, const dko_image_info *b)
{
	memset(t, 0, sizeof(*t));
	t->original.config = a->config;
	t->rewritten.config = b->config;
	t->original.built = t->rewritten.built = true;
	dko_verify_compare(t, NULL, NULL);
}

static void target_release(dko_verify_target *t)
{
	for (size_t i = 0; i < t->ndiffs; i++) {
		free(t->diffs[i].field);
		free(t->diffs[i].key);
		free(t->diffs[i].original);
		free(t->diffs[i].rewritten);
	}
	free(t->diffs);
	for (size_t i = 0; i < t->nreasons; i++)
		free(t->reasons[i]);
	free(t->reasons);
	for (size_t i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
}

static void test_verify__inspect_shapes(void **state)
{
	(void)state;
	dko_image_info b, d, p;
	assert_int_equal(dko_image_info_parse(&b, DKO_ENGINE_BUILDAH, buildah_json,
	                                      strlen(buildah_json)), 0);
	assert_int_equal(dko_image_info_parse(&d, DKO_ENGINE_DOCKER, docker_json,
	                                      strlen(docker_json)), 0);
	assert_int_equal(dko_image_info_parse(&p, DKO_ENGINE_PODMAN, podman_json,
	                                      strlen(podman_json)), 0);
	/* buildah: the Docker description wins over OCIv1 (it has Healthcheck). */
	assert_string_equal(b.id, "2263a7");
	assert_int_equal(b.layers, 2);
	assert_int_equal(b.size, 77899264 + 2048);
	assert_int_equal(b.config.env.len, 2);
	assert_string_equal(dko_image_config_getenv(&b.config, "FOO"), "bar");
	assert_false(b.config.entrypoint.set); /* [] is no entrypoint */
	assert_null(b.config.user);            /* "" is unset */
	assert_string_equal(b.config.label_keys.items[0], "a"); /* sorted */
	assert_string_equal(b.config.label_values.items[1], "2");
	assert_string_equal(b.config.healthcheck, "{\"Test\":[\"CMD-SHELL\",\"true\"]}");
	assert_string_equal(d.config.healthcheck, b.config.healthcheck); /* zero Interval dropped */
	assert_string_equal(p.config.healthcheck, b.config.healthcheck); /* podman: top level */
	assert_int_equal(d.size, 77901312);
	assert_string_equal(d.config.exposed_ports.items[0], "8080/tcp");

	/* docker and buildah describe the same image alike. Nothing ran: a note. */
	dko_verify_target t;
	compare_infos(&t, &d, &b);
	assert_int_equal(t.ndiffs, 0);
	assert_true(t.passed);
	assert_int_equal(t.nnotes, 1);
	target_release(&t);
	/* podman's OCI config has no Shell: the one difference it shows. */
	compare_infos(&t, &p, &b);
	assert_int_equal(t.ndiffs, 1);
	assert_string_equal(t.diffs[0].field, "Shell");
	assert_null(t.diffs[0].original);
	assert_string_equal(t.diffs[0].rewritten, "[\"/bin/bash\",\"-c\"]");
	target_release(&t);

	const char *bad[] = {"{}", "[{\"Config\":{\"Env\":\"x\"}}]", "[1,2]", "nope"};
	for (size_t i = 0; i < 4; i++) {
		dko_image_info x;
		assert_int_not_equal(dko_image_info_parse(&x, i ? DKO_ENGINE_DOCKER : DKO_ENGINE_BUILDAH,
		                                          bad[i], strlen(bad[i])), 0);
	}
	dko_image_info_release(&b);
	dko_image_info_release(&d);
	dko_image_info_release(&p);
}

static void test_verify__runtime_defaults_compare_equal(void **state)
{
	(void)state;
	const char *a = "[{\"Config\":{\"WorkingDir\":\"\",\"Cmd\":[\"x\"],\"ExposedPorts\":{\"80\":{}}}}]";
	const char *b = "[{\"Config\":{\"WorkingDir\":\"/\",\"StopSignal\":\"SIGTERM\","
	                "\"Cmd\":[\"x\"],\"ExposedPorts\":{\"80/tcp\":{}},\"Entrypoint\":[]}}]";
	dko_image_info x, y;
	assert_int_equal(dko_image_info_parse(&x, DKO_ENGINE_DOCKER, a, strlen(a)), 0);
	assert_int_equal(dko_image_info_parse(&y, DKO_ENGINE_DOCKER, b, strlen(b)), 0);
	dko_verify_target t;
	compare_infos(&t, &x, &y);
	assert_int_equal(t.ndiffs, 0);
	target_release(&t);
	dko_image_info_release(&x);
	/* A real difference in WorkingDir is one. */
	const char *c = "[{\"Config\":{\"WorkingDir\":\"/srv\",\"Cmd\":[\"x\"]}}]";
	assert_int_equal(dko_image_info_parse(&x, DKO_ENGINE_DOCKER, c, strlen(c)), 0);
	compare_infos(&t, &x, &y);
	assert_int_equal(t.ndiffs, 2); /* WorkingDir and ExposedPorts */
	assert_string_equal(t.diffs[0].field, "WorkingDir");
	assert_false(t.passed);
	target_release(&t);
	dko_image_info_release(&x);
	dko_image_info_release(&y);
}

static char *sh_out(const char *cmd)
{
	char *out = NULL;
	assert_int_equal(tu_run(cmd, NULL, 0, &out, NULL, NULL), 0);
	return out;
}

static long long file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (long long)st.st_size;
}

static void check_archive(const char *dir, const char *format)
{
	static const char hex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *cmd = tu_asprintf(
		"set -e; cd '%s'; rm -rf a; mkdir -p a/blobs/sha256; cd a;"
		"yes layer-one | head -c 100000 > f; tar -cf blobs/sha256/%s f;"
		"head -c 3000 /dev/urandom > f; tar -cf l2.tar f;"
		"yes layer-three | head -c 7000 > f; tar -cf ../l3.tar f; gzip -n -c ../l3.tar > blobs/l3.tar.gz;"
		"rm f; long=$(printf 'd%%.0s' $(seq 1 120)); mkdir \"$long\";"
		"ln -s ../blobs/sha256/%s \"$long/layer.tar\"; ln l2.tar hard.tar;"
		"printf '[{\"Config\":\"c.json\",\"Layers\":[\"%%s/layer.tar\",\"hard.tar\","
		"\"blobs/l3.tar.gz\",\"./blobs/sha256/%s\"]}]' \"$long\" > manifest.json;"
		"tar --format=%s -cf ../archive.tar .",
		dir, hex, hex, hex, format);
	char *out = sh_out(cmd);
	free(out);
	free(cmd);
	char *l1 = tu_asprintf("%s/a/blobs/sha256/%s", dir, hex);
	char *l2 = tu_asprintf("%s/a/l2.tar", dir);
	char *l3 = tu_asprintf("%s/l3.tar", dir);
	char *l3gz = tu_asprintf("%s/a/blobs/l3.tar.gz", dir);
	char *gz = tu_asprintf("for f in '%s' '%s'; do gzip -6 -n -c \"$f\" | wc -c; done", l1, l2);
	char *sizes = sh_out(gz);
	long long g1 = 0, g2 = 0;
	assert_int_equal(sscanf(sizes, "%lld %lld", &g1, &g2), 2);
	char *archive = tu_asprintf("%s/archive.tar", dir);
	dko_image_size sz;
	dko_layer_cache *cache = dko_layer_cache_new();
	for (int round = 0; round < 2; round++) { /* the second from the cache */
		assert_int_equal(dko_archive_measure(&sz, archive, cache), 0);
		/* The first layer is listed twice (a symlink and its target): once. */
		assert_int_equal(sz.layers, 3);
		assert_int_equal((long long)sz.uncompressed,
		                 file_size(l1) + file_size(l2) + file_size(l3));
		assert_int_equal((long long)sz.compressed, g1 + g2 + file_size(l3gz));
	}
	dko_layer_cache_free(cache);
	free(archive);
	free(sizes);
	free(gz);
	free(l1);
	free(l2);
	free(l3);
	free(l3gz);
}

static void test_verify__archive_measure(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	check_archive(dir, "pax"); /* long names as pax records */
	check_archive(dir, "gnu"); /* long names as ././@LongLink entries */
	dko_image_size sz;
	char *notar = tu_asprintf("%s/l3.tar", dir);
	assert_int_equal(dko_archive_measure(&sz, notar, NULL), DKO_EPARSE); /* no manifest.json */
	char *junk = tu_asprintf("%s/junk", dir);
	assert_int_equal(tu_write_file(junk, "not a tar at all", 16), 0);
	assert_int_equal(dko_archive_measure(&sz, junk, NULL), DKO_EPARSE);
	assert_int_equal(dko_archive_measure(&sz, "/nonexistent/x.tar", NULL), DKO_ENOTFOUND);
	free(junk);
	free(notar);
	tu_rmrf(dir);
	free(dir);
}

static void test_verify__declared_names(void **state)
{
	(void)state;
	static const char df[] = "FROM node:20 AS deps\n"
	                         "ENV NODE_ENV=production\n"
	                         "LABEL stage=deps\n"
	                         "FROM deps AS build\n"
	                         "ENV \"BUILD_FLAG\"=1 OTHER=2\n"
	                         "FROM debian AS runtime\n"
	                         "ENV PORT 8080\n"
	                         "LABEL \"org.opencontainers.image.title\"=\"x\"\n";
	static const struct {
		const char *target, *env, *labels;
	} cases[] = {
		{NULL, "PORT", "org.opencontainers.image.title"},
		{"runtime", "PORT", "org.opencontainers.image.title"},
		{"BUILD", "BUILD_FLAG OTHER NODE_ENV", "stage"},
		{"deps", "NODE_ENV", "stage"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dko_cfg_list env = {0}, labels = {0};
		dko_verify_declared(&env, &labels, df, strlen(df), cases[i].target);
		char got_env[256] = "", got_labels[256] = "";
		for (size_t k = 0; k < env.len; k++)
			snprintf(got_env + strlen(got_env), sizeof(got_env) - strlen(got_env), "%s%s",
			         k ? " " : "", env.items[k]);
		for (size_t k = 0; k < labels.len; k++)
			snprintf(got_labels + strlen(got_labels), sizeof(got_labels) - strlen(got_labels),
			         "%s%s", k ? " " : "", labels.items[k]);
		assert_string_equal(got_env, cases[i].env);
		assert_string_equal(got_labels, cases[i].labels);
		dko_cfg_list_release(&env);
		dko_cfg_list_release(&labels);
	}
}

static void test_verify__proc(void **state)
{
	(void)state;
	dko_proc_result r;
	const char *const three[] = {"sh", "-c", "printf out; printf err >&2; exit 3", NULL};
	assert_int_equal(dko_proc_run(&r, three, NULL), 0);
	assert_int_equal(r.exit_code, 3);
	assert_string_equal(r.out.ptr, "out");
	assert_string_equal(r.err.ptr, "err");
	assert_false(r.timed_out);
	dko_proc_result_release(&r);

	const char *const none[] = {"dockopt-no-such-program", NULL};
	assert_int_equal(dko_proc_run(&r, none, NULL), DKO_ENOTFOUND);
	dko_proc_result_release(&r);

	/* The timeout kills the whole group: the background sleep too. */
	const char *const hang[] = {"sh", "-c", "sleep 20 & sleep 20; echo never", NULL};
	dko_proc_opts o = {0};
	o.timeout_ms = 300;
	assert_int_equal(dko_proc_run(&r, hang, &o), 0);
	assert_true(r.timed_out);
	assert_true(r.seconds < 5);
	assert_int_equal(r.out.len, 0);
	dko_proc_result_release(&r);

	/* stdin from a byte range of a file; output kept up to keep_max. */
	char *dir = tu_mkdtemp();
	char *path = tu_asprintf("%s/in", dir);
	assert_int_equal(tu_write_file(path, "0123456789", 10), 0);
	int fd = open(path, O_RDONLY);
	memset(&o, 0, sizeof(o));
	o.in_fd = fd;
	o.in_off = 2;
	o.in_len = 5;
	const char *const cat[] = {"cat", NULL};
	assert_int_equal(dko_proc_run(&r, cat, &o), 0);
	assert_string_equal(r.out.ptr, "23456");
	dko_proc_result_release(&r);
	/* A child that does not read its stdin is not fatal (SIGPIPE). */
	const char *const deaf[] = {"true", NULL};
	o.in_off = 0;
	o.in_len = 10;
	assert_int_equal(dko_proc_run(&r, deaf, &o), 0);
	assert_int_equal(r.exit_code, 0);
	dko_proc_result_release(&r);
	close(fd);
	memset(&o, 0, sizeof(o));
	o.keep_max = 10;
	const char *const yes[] = {"sh", "-c", "yes | head -c 100000", NULL};
	assert_int_equal(dko_proc_run(&r, yes, &o), 0);
	assert_int_equal(r.out.len, 10);
	assert_int_equal(r.out_total, 100000);
	dko_proc_result_release(&r);
	/* A log file gets both streams. */
	char *log = tu_asprintf("%s/log", dir);
	o.log_path = log;
	assert_int_equal(dko_proc_run(&r, three, &o), 0);
	dko_proc_result_release(&r);
	char *text = tu_read_file(log, NULL);
	assert_string_equal(text, "outerr");
	free(text);
	free(log);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify__proc),
		cmocka_unit_test(test_verify__inspect_shapes),
		cmocka_unit_test(test_verify__runtime_defaults_compare_equal),
		cmocka_unit_test(test_verify__archive_measure),
		cmocka_unit_test(test_verify__declared_names),
		cmocka_unit_test(test_verify__identical_images_pass),
		cmocka_unit_test(test_verify__differing_cmd_fails),
		cmocka_unit_test(test_verify__base_image_env_may_differ),
		cmocka_unit_test(test_verify__differing_run_output_fails),
		cmocka_unit_test(test_verify__failing_build),
		cmocka_unit_test(test_verify__podman_when_docker_has_no_daemon),
		cmocka_unit_test(test_verify__no_engine),
		cmocka_unit_test(test_verify__run_timeout),
		cmocka_unit_test(test_verify__several_targets),
		cmocka_unit_test(test_verify__json_is_valid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
