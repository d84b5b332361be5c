/*
 * test_cacheorder.c - the cache-order and build-context passes beyond their
 * golden files: the path helpers they share; fixing the golden cases of
 * hoist-installs, manifest-first and dockerignore twice with every safe pass
 * on (idempotence, a result that parses, and convergence once the proposed
 * files are written); the .git decisions of dockerignore, which golden
 * folders cannot hold; `fix --write` creating .dockerignore; and one
 * finding per proposal however many rounds the fix loop runs.
 */
#include "testutil.h"

#include "cacheorder.h"
#include "dockopt/doc.h"
#include "dockopt/fix.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- path helpers ---------------------------------------------------------------------- */

static void test_cacheorder__path_join(void **state)
{
	(void)state;
	static const struct {
		const char *dir, *p, *want;
	} cases[] = {
		{"/app", "x", "/app/x"},       {"/app", "./x/", "/app/x"},  {"/app", "../etc/p", "/etc/p"},
		{"/", ".", "/"},               {"/a/b", "..", "/a"},        {NULL, "/abs//p/./q", "/abs/p/q"},
		{"/app", "/../..", "/"},       {"/app/", "a//b/", "/app/a/b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = dko_co_path_join(cases[i].dir, cases[i].p);
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	assert_null(dko_co_path_join(NULL, "relative"));
}

static void test_cacheorder__path_below(void **state)
{
	(void)state;
	assert_string_equal(dko_co_path_below("/app/a/b", "/app"), "a/b");
	assert_string_equal(dko_co_path_below("/app", "/app"), "");
	assert_string_equal(dko_co_path_below("/x", "/"), "x");
	assert_null(dko_co_path_below("/application", "/app"));
	assert_null(dko_co_path_below("/ap", "/app"));
	assert_true(dko_co_paths_overlap("/app", "/app/conf"));
	assert_true(dko_co_paths_overlap("/app/conf", "/app"));
	assert_false(dko_co_paths_overlap("/app2", "/app"));
}

static void test_cacheorder__system_paths(void **state)
{
	(void)state;
	static const char *const sys[] = {"/",         "/etc",          "/etc/apt/sources.list",
	                                  "/usr/local/bin/x", "/var/lib/x", "/opt/tool",
	                                  "/lib64",    "/libexec/x",    "/root/.ssh",
	                                  "/home/app", "/tmp/x",        "/usr/src",
	                                  "/srv",      "/bin"};
	static const char *const app[] = {"/app", "/code/x", "/usr/src/app", "/usr/local/src/app/x",
	                                  "/srv/www", "/workspace", "/data"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (!dko_co_system_path(sys[i]))
			fail_msg("%s should be a system path", sys[i]);
	for (size_t i = 0; i < sizeof(app) / sizeof(app[0]); i++)
		if (dko_co_system_path(app[i]))
			fail_msg("%s should be an application folder", app[i]);
}

static void test_cacheorder__has_word(void **state)
{
	(void)state;
	const char *t = "VERSION := $(shell git describe) # GIT_COMMIT";
	assert_true(dko_co_has_word(t, strlen(t), "git"));
	assert_false(dko_co_has_word("github.com/x", 12, "git"));
	assert_false(dko_co_has_word("digit", 5, "git"));
	assert_true(dko_co_has_word("[tool.setuptools_scm]", 21, "scm"));
}

/* ---- fixing a context folder --------------------------------------------------------------- */

/* Fix dir/Dockerfile with every safe pass and dir as the context. */
static dko_fix_result *fix_dir(const char *dir, const char *text, size_t len)
{
	char *path = tu_asprintf("%s/Dockerfile", dir);
	dko_fix_opts o = {0};
	o.path = path;
	o.context_dir = dir;
	dko_fix_result *r;
	int rc = dko_fix(&r, text, len, &o);
	if (rc != 0)
		fail_msg("%s: dko_fix failed: %s", path, dko_error_last());
	free(path);
	return r;
}

/* The Dockerfile's new text in r, or NULL when unchanged. */
static const dko_file_edit *dockerfile_edit(const dko_fix_result *r)
{
	for (size_t i = 0; i < dko_fix_edit_count(r); i++)
		if (dko_fix_edit(r, i)->old_text)
			return dko_fix_edit(r, i);
	return NULL;
}

static const dko_file_edit *added_file(const dko_fix_result *r, const char *name)
{
	for (size_t i = 0; i < dko_fix_edit_count(r); i++)
		if (!dko_fix_edit(r, i)->old_text && !strcmp(dko_fix_edit(r, i)->path, name))
			return dko_fix_edit(r, i);
	return NULL;
}

static void copy_tree(const char *from, const char *to)
{
	char *cmd = tu_asprintf("cp -a '%s/.' '%s/'", from, to);
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, NULL), 0);
	free(cmd);
}

/* Apply every edit of r inside dir (the Dockerfile and new files). */
static void apply(const char *dir, const dko_fix_result *r)
{
	for (size_t i = 0; i < dko_fix_edit_count(r); i++) {
		const dko_file_edit *e = dko_fix_edit(r, i);
		const char *base = e->old_text ? "Dockerfile" : e->path;
		char *p = tu_asprintf("%s/%s", dir, base);
		assert_int_equal(tu_write_file(p, e->new_text, e->new_len), 0);
		free(p);
	}
}

/* One golden case: fix twice (same context), then write the edits and fix
 * again until nothing changes (at most three times). */
static void check_case(const char *src)
{
	char *tmp = tu_mkdtemp();
	copy_tree(src, tmp);
	char *df = tu_asprintf("%s/Dockerfile", tmp);
	size_t len;
	char *text = tu_read_file(df, &len);
	assert_non_null(text);
	dko_fix_result *r1 = fix_dir(tmp, text, len);
	const dko_file_edit *e1 = dockerfile_edit(r1);
	if (e1) {
		dko_doc *doc;
		if (dko_parse(&doc, e1->new_text, e1->new_len, NULL) != 0)
			fail_msg("%s: the fixed file does not parse", src);
		dko_doc_free(doc);
		dko_fix_result *r2 = fix_dir(tmp, e1->new_text, e1->new_len);
		const dko_file_edit *e2 = dockerfile_edit(r2);
		if (e2)
			fail_msg("%s: fixing twice differs\n--- once\n%.*s--- twice\n%.*s", src, (int)e1->new_len,
			         e1->new_text, (int)e2->new_len, e2->new_text);
		dko_fix_result_free(r2);
	}
	bool converged = false;
	dko_fix_result *r = r1;
	for (int round = 0; round < 3 && !converged; round++) {
		converged = dko_fix_edit_count(r) == 0;
		apply(tmp, r);
		if (r != r1)
			dko_fix_result_free(r);
		free(text);
		text = tu_read_file(df, &len);
		r = fix_dir(tmp, text, len);
	}
	if (!converged)
		fail_msg("%s: writing the fixes does not converge", src);
	if (r != r1)
		dko_fix_result_free(r);
	dko_fix_result_free(r1);
	free(text);
	free(df);
	tu_rmrf(tmp);
	free(tmp);
}

static void test_cacheorder__golden_idempotent(void **state)
{
	(void)state;
	static const char *const suites[] = {"golden/hoist-installs", "golden/manifest-first",
	                                     "golden/dockerignore"};
	size_t cases = 0;
	for (size_t s = 0; s < 3; s++) {
		DIR *d = opendir(suites[s]);
		assert_non_null(d);
		struct dirent *e;
		while ((e = readdir(d))) {
			char *dir = tu_asprintf("%s/%s", suites[s], e->d_name);
			char *df = tu_asprintf("%s/Dockerfile", dir);
			struct stat st;
			if (e->d_name[0] != '.' && stat(df, &st) == 0) {
				check_case(dir);
				cases++;
			}
			free(df);
			free(dir);
		}
		closedir(d);
	}
	assert_true(cases >= 50);
}

/* ---- .git ------------------------------------------------------------------------------------- */

/* A context with a .git folder, dockerfile and extra files ("name", "text"
 * pairs); returns the proposed .dockerignore text (malloc'd) or NULL, and
 * the findings' messages joined in *msgs. */
static char *propose(const char *dockerfile, const char *const *files, char **msgs)
{
	char *tmp = tu_mkdtemp();
	char *p = tu_asprintf("%s/.git/HEAD", tmp);
	assert_int_equal(tu_write_file(p, "ref: refs/heads/main\n", 21), 0);
	free(p);
	for (size_t i = 0; files && files[i]; i += 2) {
		p = tu_asprintf("%s/%s", tmp, files[i]);
		assert_int_equal(tu_write_file(p, files[i + 1], strlen(files[i + 1])), 0);
		free(p);
	}
	dko_fix_result *r = fix_dir(tmp, dockerfile, strlen(dockerfile));
	const dko_file_edit *e = added_file(r, ".dockerignore");
	char *out = e ? strndup(e->new_text, e->new_len) : NULL;
	size_t cap = 1, n = 0;
	char *m = calloc(1, cap);
	for (size_t i = 0; i < dko_fix_finding_count(r); i++) {
		const char *s = dko_fix_finding(r, i)->message;
		m = realloc(m, cap += strlen(s) + 1);
		n += (size_t)sprintf(m + n, "%s\n", s);
	}
	*msgs = m;
	dko_fix_result_free(r);
	tu_rmrf(tmp);
	free(tmp);
	return out;
}

static bool lists(const char *ignore, const char *line)
{
	if (!ignore)
		return false;
	size_t n = strlen(line);
	for (const char *p = ignore; (p = strstr(p, line)) != NULL; p += n)
		if ((p == ignore || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static void test_cacheorder__git_unused(void **state)
{
	(void)state;
	const char *const files[] = {"index.html", "<p>hi</p>\n", "serve.sh", "exec busybox httpd -f\n",
	                             NULL};
	char *msgs;
	char *ig = propose("FROM debian:bookworm-slim\nCOPY . /srv\nCMD [\"sh\", \"/srv/serve.sh\"]\n",
	                   files, &msgs);
	assert_true(lists(ig, ".git"));
	assert_non_null(strstr(msgs, "proposed a .dockerignore leaving out .git"));
	free(ig);
	free(msgs);
}

static void test_cacheorder__git_read(void **state)
{
	(void)state;
	static const struct {
		const char *dockerfile;
		const char *const files[5];
		const char *why;
	} cases[] = {
		{"FROM alpine\nCOPY . /src\nRUN apk add git && git -C /src describe --tags > /version\n",
		 {NULL}, "it runs `git`"},
		{"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
		 {"pyproject.toml", "[build-system]\nrequires = [\"setuptools\", \"setuptools-scm\"]\n", NULL},
		 "pyproject.toml mentions `scm`"},
		{"FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
		 {"go.mod", "module m\n", NULL}, "`go build` stamps"},
		{"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
		 {"package.json", "{\"scripts\": {\"build\": \"VERSION=$(git rev-parse HEAD) vite build\"}}\n",
		  "package-lock.json", "{}\n", NULL},
		 "package.json mentions `git`"},
		{"FROM debian\nWORKDIR /app\nCOPY . .\nRUN ./build.sh\n",
		 {"build.sh", "#!/bin/sh\nhg id || git describe\n", NULL}, "build.sh mentions"},
		{"FROM debian\nWORKDIR /app\nCOPY . .\nCMD [\"sh\", \"-c\", \"git log -1 && exec ./app\"]\n",
		 {NULL}, "the CMD at line 4 may read version-control metadata (it mentions `git`)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *msgs;
		char *ig = propose(cases[i].dockerfile, cases[i].files, &msgs);
		if (lists(ig, ".git"))
			fail_msg("case %zu: .git proposed although a step reads it:\n%s", i, ig);
		if (!strstr(msgs, ".git stays in the build context") || !strstr(msgs, cases[i].why))
			fail_msg("case %zu: no suggestion saying `%s`:\n%s", i, cases[i].why, msgs);
		free(ig);
		free(msgs);
	}
}

static void test_cacheorder__go_buildvcs_false(void **state)
{
	(void)state;
	const char *const files[] = {"go.mod", "module m\n", "main.go", "package main\nfunc main() {}\n",
	                             NULL};
	char *msgs;
	char *ig = propose("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -buildvcs=false -o /app .\n",
	                   files, &msgs);
	assert_true(lists(ig, ".git"));
	free(ig);
	free(msgs);
}

/* ---- the CLI and the fix loop ----------------------------------------------------------------- */

static void test_cacheorder__write_creates_dockerignore(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	char *p = tu_asprintf("%s/Dockerfile", tmp);
	const char *df = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
	assert_int_equal(tu_write_file(p, df, strlen(df)), 0);
	free(p);
	p = tu_asprintf("%s/__pycache__/app.cpython-312.pyc", tmp);
	assert_int_equal(tu_write_file(p, "", 0), 0);
	free(p);
	char *cmd = tu_asprintf("'%s' fix --no-config --write '%s/Dockerfile'", tu_dockopt_bin(), tmp);
	char *err = NULL;
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, &err), 0);
	free(err);
	free(cmd);
	p = tu_asprintf("%s/.dockerignore", tmp);
	char *ig = tu_read_file(p, NULL);
	free(p);
	assert_non_null(ig);
	assert_true(lists(ig, "__pycache__"));
	free(ig);
	p = tu_asprintf("%s/Dockerfile", tmp);
	char *after = tu_read_file(p, NULL);
	free(p);
	assert_string_equal(after, df);
	free(after);
	tu_rmrf(tmp);
	free(tmp);
}

/* One run reaches what two would: with node_modules in the context, the
 * proposed .dockerignore leaves it out and manifest-first then copies the
 * manifests first in the same run, so `fix --check` after `fix --write`
 * finds nothing left. */
static void test_cacheorder__write_then_check_clean(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	const char *const files[][2] = {
	    {"Dockerfile", "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n"},
	    {"package.json", "{\"name\": \"a\", \"version\": \"1.0.0\", \"dependencies\": {\"ms\": \"2.1.3\"}}\n"},
	    {"package-lock.json", "{\"name\": \"a\", \"lockfileVersion\": 3, \"packages\": {}}\n"},
	    {"index.js", "console.log(1)\n"},
	    {"node_modules/ms/index.js", "module.exports = 1\n"}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = tu_asprintf("%s/%s", tmp, files[i][0]);
		assert_int_equal(tu_write_file(p, files[i][1], strlen(files[i][1])), 0);
		free(p);
	}
	char *cmd = tu_asprintf("'%s' fix --no-config --write '%s/Dockerfile'", tu_dockopt_bin(), tmp);
	char *err = NULL;
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, &err), 0);
	assert_non_null(strstr(err, "fixed [manifest-first]"));
	free(err);
	free(cmd);
	char *p = tu_asprintf("%s/.dockerignore", tmp);
	char *ig = tu_read_file(p, NULL);
	free(p);
	assert_non_null(ig);
	assert_true(lists(ig, "node_modules"));
	free(ig);
	cmd = tu_asprintf("'%s' fix --no-config --check '%s/Dockerfile'", tu_dockopt_bin(), tmp);
	err = NULL;
	char *out = NULL;
	assert_int_equal(tu_run(cmd, NULL, 0, &out, NULL, &err), 0);
	assert_string_equal(out, "");
	free(out);
	free(err);
	free(cmd);
	tu_rmrf(tmp);
	free(tmp);
}

/* Hoisting and manifest-first make the loop run several rounds: the
 * proposal is still reported once. */
static void test_cacheorder__one_finding_per_proposal(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	const char *const files[][2] = {{"requirements.txt", "flask\n"}, {"app.py", "print(1)\n"},
	                                {"__pycache__/app.cpython-312.pyc", "x\n"}};
	for (size_t i = 0; i < 3; i++) {
		char *p = tu_asprintf("%s/%s", tmp, files[i][0]);
		assert_int_equal(tu_write_file(p, files[i][1], strlen(files[i][1])), 0);
		free(p);
	}
	const char *df = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y "
	                 "gcc\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
	dko_fix_result *r = fix_dir(tmp, df, strlen(df));
	size_t proposals = 0, hoisted = 0, manifests = 0;
	for (size_t i = 0; i < dko_fix_finding_count(r); i++) {
		const dko_finding *f = dko_fix_finding(r, i);
		proposals += f->applied && !strcmp(f->rule, "dockerignore");
		hoisted += f->applied && !strcmp(f->rule, "hoist-installs");
		manifests += f->applied && !strcmp(f->rule, "manifest-first");
	}
	assert_int_equal(proposals, 1);
	assert_int_equal(hoisted, 1);
	assert_int_equal(manifests, 1);
	assert_non_null(added_file(r, ".dockerignore"));
	assert_int_equal(dko_fix_edit_count(r), 2);
	dko_fix_result_free(r);
	tu_rmrf(tmp);
	free(tmp);
}

/* A Dockerfile-specific ignore file counts, inside the context or next to a
 * Dockerfile that lives outside it: then dockerignore only suggests. */
static char *fix_elsewhere(const char *tmp, const char *df_rel, const char *ctx_rel, char **msgs)
{
	const char *df = "FROM python:3.12-slim\nCOPY . /app\n";
	char *p = tu_asprintf("%s/%s", tmp, df_rel);
	assert_int_equal(tu_write_file(p, df, strlen(df)), 0);
	char *ctx = tu_asprintf("%s/%s", tmp, ctx_rel);
	dko_fix_opts o = {0};
	o.path = p;
	o.context_dir = ctx;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, df, strlen(df), &o), 0);
	const dko_file_edit *e = added_file(r, ".dockerignore");
	char *out = e ? strndup(e->new_text, e->new_len) : NULL;
	*msgs = strdup(dko_fix_finding_count(r) ? dko_fix_finding(r, 0)->message : "");
	dko_fix_result_free(r);
	free(ctx);
	free(p);
	return out;
}

static void test_cacheorder__dockerfile_specific_ignore(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp(), *msgs;
	char *p = tu_asprintf("%s/ctx/__pycache__/a.cpython-312.pyc", tmp);
	assert_int_equal(tu_write_file(p, "", 0), 0);
	free(p);
	/* inside the context, in a sub-folder: no ignore file yet, so a proposal */
	char *ig = fix_elsewhere(tmp, "ctx/docker/Dockerfile", "ctx", &msgs);
	assert_true(lists(ig, "__pycache__"));
	free(ig);
	free(msgs);
	p = tu_asprintf("%s/ctx/docker/Dockerfile.dockerignore", tmp);
	assert_int_equal(tu_write_file(p, "*.md\n", 5), 0);
	free(p);
	ig = fix_elsewhere(tmp, "ctx/docker/Dockerfile", "ctx", &msgs);
	assert_null(ig);
	assert_non_null(strstr(msgs, "adding __pycache__ to docker/Dockerfile.dockerignore"));
	free(msgs);
	/* outside the context */
	p = tu_asprintf("%s/build/Dockerfile.dockerignore", tmp);
	assert_int_equal(tu_write_file(p, "*.md\n", 5), 0);
	free(p);
	ig = fix_elsewhere(tmp, "build/Dockerfile", "ctx", &msgs);
	assert_null(ig);
	assert_non_null(strstr(msgs, "build/Dockerfile.dockerignore"));
	free(msgs);
	tu_rmrf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cacheorder__path_join),
		cmocka_unit_test(test_cacheorder__path_below),
		cmocka_unit_test(test_cacheorder__system_paths),
		cmocka_unit_test(test_cacheorder__has_word),
		cmocka_unit_test(test_cacheorder__golden_idempotent),
		cmocka_unit_test(test_cacheorder__git_unused),
		cmocka_unit_test(test_cacheorder__git_read),
		cmocka_unit_test(test_cacheorder__go_buildvcs_false),
		cmocka_unit_test(test_cacheorder__write_creates_dockerignore),
		cmocka_unit_test(test_cacheorder__write_then_check_clean),
		cmocka_unit_test(test_cacheorder__one_finding_per_proposal),
		cmocka_unit_test(test_cacheorder__dockerfile_specific_ignore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
