/*
 * test_fix_verify.c - `dockopt fix --verify` and `dockopt verify FILE`
 * (the rewrite computed by fix --aggressive) without a real engine: a fake
 * `docker` first on PATH records every command it is given, "builds" any
 * Dockerfile (or refuses the multi-stage rewrite when FAKE_BREAK_REWRITE is
 * set: a rewrite made to fail), and answers inspect, run and save the same
 * way for both images. Checked: a verified rewrite is kept, a failed one is
 * never applied (and said so), an engine that cannot run is an error and
 * keeps the file as it is, and the reports (JSON, text, the pull-request
 * Markdown of fixverify.h) carry the measured figures. Real builds:
 * tools/e2e.sh (scenario_multistage_*).
 */
#include "testutil.h"
#include "fixture_engine.h"

#include "dockopt/fix.h"
#include "fixverify.h"
#include "json.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char dockerfile[] = "FROM golang:1.22-bookworm\n"
                                 "WORKDIR /src\n"
                                 "COPY . .\n"
                                 "RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello .\n"
                                 "CMD [\"hello\"]\n";

typedef struct fixture {
	char *dir, *bin, *ctx, *df, *log, *tmp, *dockopt;
} fixture;

static void fx_write(const char *path, const char *text)
{
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
}

/* bin/docker (the fake), ctx/ (a Go app and its Dockerfile), tmp/ (TMPDIR). */
static void fx_setup(fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp();
	assert_non_null(f->dir);
	f->bin = tu_asprintf("%s/bin", f->dir);
	f->ctx = tu_asprintf("%s/ctx", f->dir);
	f->df = tu_asprintf("%s/ctx/Dockerfile", f->dir);
	f->log = tu_asprintf("%s/engine.log", f->dir);
	f->tmp = tu_asprintf("%s/tmp", f->dir);
	fixture_fake_engine(f->bin, "docker");
	char *p = tu_asprintf("%s/go.mod", f->ctx);
	fx_write(p, "module example.com/hello\n\ngo 1.22\n");
	free(p);
	p = tu_asprintf("%s/main.go", f->ctx);
	fx_write(p, "package main\n\nfunc main() { println(\"hello\") }\n");
	free(p);
	fx_write(f->df, dockerfile);
	mkdir(f->tmp, 0755);
	f->dockopt = realpath(tu_dockopt_bin(), NULL);
	assert_non_null(f->dockopt);
}

static void fx_teardown(fixture *f)
{
	tu_rmrf(f->dir);
	char **v[] = {&f->dir, &f->bin, &f->ctx, &f->df, &f->log, &f->tmp, &f->dockopt};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		free(*v[i]);
}

/* Run dockopt ARGS on ctx/Dockerfile with the fake first on PATH (or with
 * path as the whole PATH) and env before it. */
static int fx_run(fixture *f, const char *path, const char *env, const char *args, char **out, char **err)
{
	char *p = path ? tu_asprintf("%s", path) : tu_asprintf("%s:/usr/bin:/bin", f->bin);
	char *cmd = tu_asprintf("cd '%s' && env PATH='%s' FAKE_LOG='%s' TMPDIR='%s' %s '%s' %s '%s'", f->dir, p,
	                        f->log, f->tmp, env ? env : "", f->dockopt, args, f->df);
	int rc = tu_run(cmd, NULL, 0, out, NULL, err);
	free(cmd);
	free(p);
	return rc;
}

static dko_json_doc *parse_json(const char *text)
{
	dko_json_doc *doc = NULL;
	if (dko_json_parse(&doc, text, strlen(text)) != 0)
		fail_msg("bad JSON (%s): %s", dko_error_last(), text);
	return doc;
}

static const dko_json *first_verify(const dko_json *root)
{
	const dko_json *v = dko_json_get(root, "verify");
	if (!v || v->type != DKO_JSON_ARRAY || v->len != 1)
		fail_msg("expected one verification");
	return v->items[0];
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_fix_verify__kept_when_verified(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f);
	char *out = NULL, *err = NULL;
	int rc = fx_run(&f, NULL, NULL, "fix --no-config --verify --engine docker --no-rebuild --format json", &out, &err);
	assert_int_equal(rc, 0);
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc), *v = first_verify(r);
	assert_true(dko_json_get(v, "kept")->boolean);
	assert_int_equal(dko_json_get(v, "error")->type, DKO_JSON_NULL);
	assert_true(dko_json_path(v, "result.passed")->boolean);
	assert_string_equal(dko_json_string(dko_json_path(v, "result.engine")), "docker");
	assert_true(dko_json_path(v, "result.savings.size")->number > 0);
	assert_true(dko_json_path(r, "files")->items[0] && dko_json_get(dko_json_get(r, "files")->items[0], "changed")->boolean);
	const char *diff = dko_json_string(dko_json_get(dko_json_get(r, "files")->items[0], "diff"));
	assert_non_null(strstr(diff, "+FROM gcr.io/distroless/static-debian12"));
	dko_json_doc_free(doc);
	/* Two builds: the original (no --from=build) and the rewrite. */
	char *log = tu_read_file(f.log, NULL);
	assert_int_equal(count(log, "docker build "), 2);
	assert_non_null(strstr(log, "docker run --rm"));
	free(log);
	/* The file on disk is untouched without -w. */
	char *now = tu_read_file(f.df, NULL);
	assert_string_equal(now, dockerfile);
	free(now);
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_fix_verify__failed_rewrite_not_applied(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f);
	char *out = NULL, *err = NULL;
	int rc = fx_run(&f, NULL, "FAKE_BREAK_REWRITE=1",
	                "fix --no-config --verify --engine docker --no-rebuild --format json -w", &out, &err);
	assert_int_equal(rc, 0); /* a failed verification is a finding, not an error */
	dko_json_doc *doc = parse_json(out);
	const dko_json *r = dko_json_root(doc), *v = first_verify(r);
	assert_false(dko_json_get(v, "kept")->boolean);
	assert_false(dko_json_path(v, "result.passed")->boolean);
	assert_false(dko_json_get(dko_json_get(r, "files")->items[0], "changed")->boolean);
	const dko_json *fs = dko_json_get(r, "findings");
	assert_int_equal(fs->len, 1);
	assert_false(dko_json_get(fs->items[0], "applied")->boolean);
	const char *msg = dko_json_string(dko_json_get(fs->items[0], "message"));
	assert_non_null(strstr(msg, "(not applied: verify failed)"));
	dko_json_doc_free(doc);
	char *now = tu_read_file(f.df, NULL);
	assert_string_equal(now, dockerfile); /* -w wrote nothing */
	free(now);
	free(out);
	free(err);
	/* The text report says why. */
	rc = fx_run(&f, NULL, "FAKE_BREAK_REWRITE=1", "fix --no-config --verify --engine docker --no-rebuild", &out, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(out, dockerfile);
	assert_non_null(strstr(err, "suggestion [multi-stage, aggressive]"));
	assert_non_null(strstr(err, "rewrite dropped"));
	assert_non_null(strstr(err, "FAILED"));
	free(out);
	free(err);
	fx_teardown(&f);
}

static void test_fix_verify__no_engine_is_an_error(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f);
	char *out = NULL, *err = NULL;
	int rc = fx_run(&f, "/nonexistent", NULL, "fix --no-config --verify --format json -w", &out, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "verify of "));
	assert_non_null(strstr(err, "could not run"));
	dko_json_doc *doc = parse_json(out);
	const dko_json *v = first_verify(dko_json_root(doc));
	assert_false(dko_json_get(v, "kept")->boolean);
	assert_int_equal(dko_json_get(v, "error")->type, DKO_JSON_STRING);
	assert_int_equal(dko_json_get(v, "result")->type, DKO_JSON_NULL);
	dko_json_doc_free(doc);
	char *now = tu_read_file(f.df, NULL);
	assert_string_equal(now, dockerfile);
	free(now);
	free(out);
	free(err);
	/* stdin has no build context to verify with. */
	char *cmd = tu_asprintf("'%s' fix --no-config --verify -", f.dockopt);
	rc = tu_run(cmd, dockerfile, strlen(dockerfile), &out, NULL, &err);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "--verify needs a file"));
	free(cmd);
	free(out);
	free(err);
	fx_teardown(&f);
}

/* The library side the PR bot uses: the hook, the records, the Markdown. */
static void test_fix_verify__markdown_for_the_bot(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f);
	char *old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char *path = tu_asprintf("%s:/usr/bin:/bin", f.bin);
	setenv("PATH", path, 1);
	setenv("FAKE_LOG", f.log, 1);
	setenv("TMPDIR", f.tmp, 1);
	dko_fix_verifier *v;
	assert_int_equal(dko_fix_verifier_new(&v), 0);
	dko_fix_verify_cfg cfg = {0};
	cfg.context_dir = f.ctx;
	cfg.dockerfile_rel = "Dockerfile";
	cfg.engine = "docker";
	cfg.no_rebuild = true;
	dko_fix_verifier_configure(v, &cfg);
	dko_fix_opts o = {0};
	o.path = f.df;
	o.aggressive = true;
	o.verify = dko_fix_verifier_hook;
	o.verify_ctx = v;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, dockerfile, strlen(dockerfile), &o), 0);
	assert_int_equal(dko_fix_edit_count(r), 1);
	assert_int_equal(dko_fix_verifier_count(v), 1);
	assert_true(dko_fix_verifier_at(v, 0)->kept);
	assert_false(dko_fix_verifier_had_error(v));
	dko_buf md = DKO_BUF_INIT;
	dko_fix_verifier_markdown(&md, v);
	assert_non_null(strstr(md.ptr, "Measured with real builds (docker 1.0-fake)"));
	assert_non_null(strstr(md.ptr, "| Dockerfile | image size | layers | cold build | rebuild |"));
	assert_non_null(strstr(md.ptr, "| not measured |"));
	assert_non_null(strstr(md.ptr, "(-78%)")); /* 9 MB -> 2 MB of layer data */
	dko_buf_release(&md);
	dko_fix_result_free(r);
	dko_fix_verifier_free(v);
	/* A verification that failed is a line saying why, no table. */
	setenv("FAKE_BREAK_REWRITE", "1", 1);
	dko_fix_verifier_new(&v);
	dko_fix_verifier_configure(v, &cfg);
	o.verify_ctx = v;
	assert_int_equal(dko_fix(&r, dockerfile, strlen(dockerfile), &o), 0);
	assert_int_equal(dko_fix_edit_count(r), 0);
	dko_fix_verifier_markdown(&md, v);
	assert_null(strstr(md.ptr, "| Dockerfile |"));
	assert_non_null(strstr(md.ptr, "an aggressive rewrite was not applied: verify failed"));
	dko_buf_release(&md);
	dko_fix_result_free(r);
	dko_fix_verifier_free(v);
	unsetenv("FAKE_BREAK_REWRITE");
	setenv("PATH", old_path, 1);
	free(old_path);
	free(path);
	fx_teardown(&f);
}

static void test_fix_verify__verify_without_rewritten(void **state)
{
	(void)state;
	fixture f;
	fx_setup(&f);
	char *out = NULL, *err = NULL;
	int rc = fx_run(&f, NULL, NULL, "verify --no-config --engine docker --no-rebuild --format json", &out, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(err, "[multi-stage] split into a build stage"));
	dko_json_doc *doc = parse_json(out);
	assert_true(dko_json_get(dko_json_root(doc), "passed")->boolean);
	dko_json_doc_free(doc);
	char *log = tu_read_file(f.log, NULL);
	assert_non_null(strstr(log, "\n1\n")); /* the rewrite built had one COPY --from=build */
	free(log);
	free(out);
	free(err);
	/* Nothing to rewrite: nothing to verify, and no engine is called. */
	fx_write(f.df, "FROM debian:bookworm-slim\nCMD [\"true\"]\n");
	unlink(f.log);
	rc = fx_run(&f, NULL, NULL, "verify --no-config --engine docker", &out, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(err, "changes nothing: nothing to verify"));
	assert_null(tu_read_file(f.log, NULL));
	free(out);
	free(err);
	fx_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_verify__kept_when_verified),
		cmocka_unit_test(test_fix_verify__failed_rewrite_not_applied),
		cmocka_unit_test(test_fix_verify__no_engine_is_an_error),
		cmocka_unit_test(test_fix_verify__markdown_for_the_bot),
		cmocka_unit_test(test_fix_verify__verify_without_rewritten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
