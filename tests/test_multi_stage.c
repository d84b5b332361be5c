/*
 * test_multi_stage.c - the multi-stage pass and its tables:
 *   - toolchain matching and the runtime each builder tag gives (or why none);
 *   - the package facts (runtime libraries per release, link flags, crates,
 *     tools, users);
 *   - on every golden/multi-stage case the pass rewrites: the runtime stage
 *     declares exactly what the original final stage declared (ENV, ARG uses,
 *     WORKDIR, USER, EXPOSE, LABEL, VOLUME, HEALTHCHECK, STOPSIGNAL, SHELL,
 *     CMD, ENTRYPOINT, as written and in order; only FROM differs), the
 *     output parses, and fixing it again changes nothing;
 *   - the corpus under --aggressive without a build context: every output
 *     parses, the pass only suggests, and fixing twice equals fixing once.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/fix.h"
#include "graph.h"
#include "toolchain.h"
#include "util/buf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the toolchain table ----------------------------------------------------------------- */

typedef struct tc_case {
	const char *image;
	dko_tc_kind kind;
	const char *runtime;    /* NULL: none */
	const char *static_rt;  /* golang only */
} tc_case;

static const tc_case tc_cases[] = {
	{"golang:1.22-bookworm", DKO_TC_GO, "debian:bookworm-slim", "gcr.io/distroless/static-debian12"},
	{"docker.io/library/golang:1.21.5-bullseye", DKO_TC_GO, "debian:bullseye-slim", "gcr.io/distroless/static-debian11"},
	{"golang:1.22", DKO_TC_GO, NULL, "gcr.io/distroless/static"},
	{"golang:1.22-alpine3.19", DKO_TC_GO, "alpine:3.19", "gcr.io/distroless/static"},
	{"golang:${GO_VERSION}-bookworm", DKO_TC_GO, "debian:bookworm-slim", "gcr.io/distroless/static-debian12"},
	{"golang@sha256:0123", DKO_TC_GO, NULL, "gcr.io/distroless/static"},
	{"rust:1.77-slim-bookworm", DKO_TC_RUST, "debian:bookworm-slim", NULL},
	{"rust:1.77", DKO_TC_RUST, NULL, NULL},
	{"rust:1-alpine3.18", DKO_TC_RUST, "alpine:3.18", NULL},
	{"gcc:12", DKO_TC_GCC, "debian:bookworm-slim", NULL},
	{"gcc:14.1.0", DKO_TC_GCC, "debian:bookworm-slim", NULL},
	{"gcc:9", DKO_TC_GCC, NULL, NULL},
	{"gcc", DKO_TC_GCC, NULL, NULL},
	{"debian:bookworm", DKO_TC_DISTRO, "debian:bookworm-slim", NULL},
	{"debian:12", DKO_TC_DISTRO, "debian:bookworm-slim", NULL},
	{"debian:latest", DKO_TC_DISTRO, NULL, NULL},
	{"ubuntu:22.04", DKO_TC_DISTRO, "ubuntu:22.04", NULL},
	{"buildpack-deps:bookworm-scm", DKO_TC_DISTRO, "debian:bookworm-slim", NULL},
	{"maven:3.9-eclipse-temurin-17", DKO_TC_MAVEN, "eclipse-temurin:17-jre", NULL},
	{"maven:3.9.6-eclipse-temurin-21-alpine", DKO_TC_MAVEN, "eclipse-temurin:21-jre-alpine", NULL},
	{"maven:3.9-amazoncorretto-17", DKO_TC_MAVEN, NULL, NULL},
	{"gradle:8.5-jdk17", DKO_TC_GRADLE, "eclipse-temurin:17-jre", NULL},
	{"gradle:jdk21-jammy", DKO_TC_GRADLE, "eclipse-temurin:21-jre-jammy", NULL},
	{"gradle:8.5", DKO_TC_GRADLE, NULL, NULL},
	{"eclipse-temurin:17-jdk-jammy", DKO_TC_JDK, "eclipse-temurin:17-jre-jammy", NULL},
	{"eclipse-temurin:21", DKO_TC_JDK, "eclipse-temurin:21-jre", NULL},
	{"eclipse-temurin:${JAVA_VERSION}-jdk", DKO_TC_JDK, "eclipse-temurin:${JAVA_VERSION}-jre", NULL},
	{"node:20", DKO_TC_NODE, "node:20-slim", NULL},
	{"node:20-bookworm", DKO_TC_NODE, "node:20-bookworm-slim", NULL},
	{"node:18-alpine3.19", DKO_TC_NODE, "node:18-alpine3.19", NULL},
	{"node:lts", DKO_TC_NODE, "node:lts-slim", NULL},
	{"node", DKO_TC_NODE, "node:slim", NULL},
	{"node:${NODE_VERSION}", DKO_TC_NODE, "node:${NODE_VERSION}-slim", NULL},
	{"mcr.microsoft.com/dotnet/sdk:8.0", DKO_TC_DOTNET, "mcr.microsoft.com/dotnet/aspnet:8.0", NULL},
	{"mcr.microsoft.com/dotnet/sdk:8.0.204-jammy", DKO_TC_DOTNET, "mcr.microsoft.com/dotnet/aspnet:8.0-jammy", NULL},
	{"mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022", DKO_TC_DOTNET, NULL, NULL},
};

static void test_toolchain__match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tc_cases) / sizeof(tc_cases[0]); i++) {
		const tc_case *c = &tc_cases[i];
		dko_toolchain tc;
		if (dko_toolchain_match(&tc, c->image, NULL) != 0)
			fail_msg("%s: not a toolchain", c->image);
		if (tc.kind != c->kind)
			fail_msg("%s: kind %d, expected %d", c->image, tc.kind, c->kind);
		const char *rt = tc.runtime.image, *st = tc.static_rt.image;
		if (!c->runtime != !rt || (rt && strcmp(rt, c->runtime)))
			fail_msg("%s: runtime %s, expected %s", c->image, rt ? rt : "(none)", c->runtime ? c->runtime : "(none)");
		if (!rt && !tc.why)
			fail_msg("%s: no runtime and no reason", c->image);
		if (!c->static_rt != !st || (st && strcmp(st, c->static_rt)))
			fail_msg("%s: static runtime %s, expected %s", c->image, st ? st : "(none)", c->static_rt);
		dko_toolchain_release(&tc);
	}
}

static void test_toolchain__not_toolchains(void **state)
{
	(void)state;
	static const char *const images[] = {"alpine:3.19", "python:3.12", "eclipse-temurin:17-jre",
	                                     "mcr.microsoft.com/dotnet/aspnet:8.0", "nginx", "scratch",
	                                     "gcr.io/distroless/static", "myregistry/golang-tools:1"};
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		dko_toolchain tc;
		if (dko_toolchain_match(&tc, images[i], NULL) == 0)
			fail_msg("%s: taken for a toolchain (%s)", images[i], tc.family);
	}
}

static void test_toolchain__config_first(void **state)
{
	(void)state;
	static const char yml[] = "toolchains:\n"
	                          "  - {pattern: '^golang:', runtime: 'registry.example.com/base:{tag}'}\n";
	dko_config *cfg;
	assert_int_equal(dko_config_parse(&cfg, ".dockopt.yml", yml, strlen(yml)), 0);
	dko_toolchain tc;
	assert_int_equal(dko_toolchain_match(&tc, "golang:1.22-bookworm", cfg), 0);
	assert_int_equal(tc.kind, DKO_TC_CUSTOM);
	assert_string_equal(tc.runtime.image, "registry.example.com/base:1.22-bookworm");
	assert_false(tc.same_entrypoint);
	dko_toolchain_release(&tc);
	dko_config_free(cfg);
}

static void test_toolchain__runtime_guess(void **state)
{
	(void)state;
	dko_runtime rt;
	dko_runtime_guess(&rt, "gcr.io/distroless/static-debian12");
	assert_int_equal(rt.os, DKO_OS_DISTROLESS);
	assert_false(rt.shell);
	assert_true(rt.ca);
	dko_runtime_release(&rt);
	dko_runtime_guess(&rt, "alpine:3.19");
	assert_int_equal(rt.os, DKO_OS_ALPINE);
	assert_string_equal(rt.release, "3.19");
	assert_true(dko_tc_runtime_has(&rt, "wget"));
	assert_false(dko_tc_runtime_has(&rt, "bash"));
	dko_runtime_release(&rt);
	dko_runtime_guess(&rt, "node:20-bookworm-slim");
	assert_int_equal(rt.os, DKO_OS_DEBIAN);
	assert_string_equal(rt.release, "bookworm");
	assert_true(dko_tc_runtime_has(&rt, "npm"));
	assert_true(dko_tc_runtime_has(&rt, "/bin/sh"));
	assert_false(dko_tc_runtime_has(&rt, "curl"));
	assert_true(dko_tc_runtime_has_user(&rt, "node"));
	dko_runtime_release(&rt);
	dko_runtime_guess(&rt, "registry.example.com/thing:1");
	assert_false(rt.known);
	assert_false(dko_tc_runtime_has(&rt, "sh"));
	dko_runtime_release(&rt);
}

/* ---- package facts ------------------------------------------------------------------------ */

static void test_toolchain__dev_runtime(void **state)
{
	(void)state;
	static const struct {
		const char *dev;
		dko_os os;
		const char *release, *runtime;
	} rows[] = {
		{"libssl-dev", DKO_OS_DEBIAN, "bookworm", "libssl3"},
		{"libssl-dev", DKO_OS_DEBIAN, "bullseye", "libssl1.1"},
		{"libssl-dev", DKO_OS_UBUNTU, "noble", "libssl3t64"},
		{"libssl-dev", DKO_OS_DEBIAN, NULL, NULL}, /* the release decides */
		{"libpq-dev", DKO_OS_DEBIAN, NULL, "libpq5"},
		{"libpq-dev=15.6-0+deb12u1", DKO_OS_DEBIAN, "bookworm", "libpq5"},
		{"libffi-dev", DKO_OS_UBUNTU, "focal", "libffi7"},
		{"libicu-dev", DKO_OS_DEBIAN, "bookworm", "libicu72"},
		{"libc6-dev", DKO_OS_DEBIAN, "bookworm", ""},
		{"libstdc++-12-dev", DKO_OS_DEBIAN, "bookworm", ""},
		{"libfoo-dev", DKO_OS_DEBIAN, "bookworm", NULL},
		{"openssl-dev", DKO_OS_ALPINE, "3.19", "libssl3"},
		{"openssl-dev", DKO_OS_ALPINE, "3.16", "libssl1.1"},
		{"sqlite-dev", DKO_OS_ALPINE, NULL, "sqlite-libs"},
		{"musl-dev", DKO_OS_ALPINE, NULL, ""},
		{"libpq-dev", DKO_OS_DISTROLESS, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = dko_tc_dev_runtime(rows[i].dev, rows[i].os, rows[i].release);
		if (!got != !rows[i].runtime || (got && strcmp(got, rows[i].runtime)))
			fail_msg("%s on %s: %s, expected %s", rows[i].dev, rows[i].release ? rows[i].release : "?",
			         got ? got : "(unknown)", rows[i].runtime ? rows[i].runtime : "(unknown)");
	}
}

static void test_toolchain__links_crates_tools(void **state)
{
	(void)state;
	assert_string_equal(dko_tc_link_dev("m", DKO_OS_DEBIAN), "");
	assert_string_equal(dko_tc_link_dev("ssl", DKO_OS_DEBIAN), "libssl-dev");
	assert_string_equal(dko_tc_link_dev("crypto", DKO_OS_ALPINE), "openssl-dev");
	assert_null(dko_tc_link_dev("stdc++", DKO_OS_ALPINE)); /* not in Alpine's base */
	assert_null(dko_tc_link_dev("mysterious", DKO_OS_DEBIAN));
	assert_string_equal(dko_tc_crate_dev("openssl-sys", DKO_OS_DEBIAN), "libssl-dev");
	assert_string_equal(dko_tc_crate_dev("windows-sys", DKO_OS_DEBIAN), "");
	assert_null(dko_tc_crate_dev("gtk-sys", DKO_OS_DEBIAN));
	assert_true(dko_tc_build_only_pkg("build-essential"));
	assert_true(dko_tc_build_only_pkg("gcc-12"));
	assert_true(dko_tc_build_only_pkg("openjdk-17-jdk-headless"));
	assert_true(dko_tc_build_only_pkg("git=1:2.39.2-1.1"));
	assert_false(dko_tc_build_only_pkg("tzdata"));
	assert_false(dko_tc_build_only_pkg("libpq5"));
	assert_true(dko_tc_compiler_pkg("clang-16"));
	assert_false(dko_tc_compiler_pkg("make"));
	assert_string_equal(dko_tc_tool_pkg("curl", DKO_OS_DEBIAN), "curl");
	assert_string_equal(dko_tc_tool_pkg("pg_isready", DKO_OS_UBUNTU), "postgresql-client");
	assert_null(dko_tc_tool_pkg("wget", DKO_OS_ALPINE)); /* busybox has it */
	assert_null(dko_tc_tool_pkg("curl", DKO_OS_DISTROLESS));
	assert_true(dko_tc_builtin("exec"));
	assert_false(dko_tc_builtin("curl"));
}

/* ---- golden cases: the declared configuration carries over ---------------------------------- */

static bool declares(dko_instr_kind k)
{
	return k == DKO_I_ENV || k == DKO_I_USER || k == DKO_I_EXPOSE || k == DKO_I_LABEL || k == DKO_I_VOLUME ||
	       k == DKO_I_HEALTHCHECK || k == DKO_I_STOPSIGNAL || k == DKO_I_SHELL || k == DKO_I_CMD ||
	       k == DKO_I_ENTRYPOINT || k == DKO_I_MAINTAINER || k == DKO_I_ONBUILD;
}

/* The final stage's declared configuration: its declaring instructions as
 * dumped (in order), its final WORKDIR, and its FROM on the first line. */
static char *final_config(const char *text, size_t len, char **from)
{
	dko_doc *doc;
	dko_graph *g = NULL;
	assert_int_equal(dko_parse(&doc, text, len, NULL), 0);
	assert_int_equal(dko_graph_build(&g, doc, NULL), 0);
	const dko_stage *st = dko_graph_final(g);
	dko_buf b = DKO_BUF_INIT;
	for (uint32_t i = st->from_node + 1; i < st->end_node; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || !declares(n->instr->kind))
			continue;
		dko_buf_puts(&b, dko_instr_name(n->instr->kind));
		for (uint32_t f = 0; f < n->instr->nflags; f++)
			dko_buf_printf(&b, " %s", n->instr->flags[f].text);
		for (uint32_t a = 0; a < n->instr->nargs; a++)
			dko_buf_printf(&b, " [%s]", n->instr->args[a].value);
		dko_buf_putc(&b, '\n');
	}
	const char *wd = dko_graph_instr(g, st->end_node - 1)->state.workdir;
	dko_buf_printf(&b, "WORKDIR %s\n", wd ? wd : "(base)");
	*from = strdup(st->base);
	dko_graph_free(g);
	dko_doc_free(doc);
	return dko_buf_detach(&b, NULL);
}

static bool fix_text(const char *dir, const char *text, size_t len, bool aggressive, char **out, size_t *olen,
                     size_t *applied)
{
	char *path = tu_asprintf("%s/Dockerfile", dir);
	dko_fix_opts o = {0};
	o.path = path;
	o.aggressive = aggressive;
	const char *sel[] = {"multi-stage"};
	o.select = sel;
	o.nselect = 1;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, text, len, &o), 0);
	bool changed = dko_fix_edit_count(r) > 0;
	const dko_file_edit *e = changed ? dko_fix_edit(r, 0) : NULL;
	*out = e ? strndup(e->new_text, e->new_len) : strndup(text, len);
	*olen = e ? e->new_len : len;
	if (applied)
		*applied = dko_fix_applied_count(r);
	dko_fix_result_free(r);
	free(path);
	return changed;
}

/* One rewritten case: same declared configuration, a new FROM, idempotent. */
static void check_case(const char *dir, size_t *rewritten)
{
	char *df = tu_asprintf("%s/Dockerfile", dir);
	size_t len;
	char *text = tu_read_file(df, &len);
	assert_non_null(text);
	char *out, *again;
	size_t olen, alen, applied;
	if (!fix_text(dir, text, len, true, &out, &olen, &applied)) {
		free(out);
		free(text);
		free(df);
		return;
	}
	(*rewritten)++;
	char *from0, *from1;
	char *before = final_config(text, len, &from0), *after = final_config(out, olen, &from1);
	if (strcmp(before, after) && !(strstr(dir, "go-install-path") && strstr(after, "WORKDIR /go\n")))
		fail_msg("%s: the declared configuration changed\n--- before\n%s--- after\n%s", dir, before, after);
	if (!strcmp(from0, from1))
		fail_msg("%s: the final FROM did not change (%s)", dir, from1);
	assert_int_equal(applied, 1);
	assert_false(fix_text(dir, out, olen, true, &again, &alen, NULL));
	free(again);
	free(before);
	free(after);
	free(from0);
	free(from1);
	free(out);
	free(text);
	free(df);
}

static void test_multi_stage__declared_config_kept(void **state)
{
	(void)state;
	const char *root = "golden/multi-stage";
	DIR *d = opendir(root);
	assert_non_null(d);
	struct dirent *e;
	size_t rewritten = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "args") || !strcmp(e->d_name, "config-toolchain"))
			continue;
		char *dir = tu_asprintf("%s/%s", root, e->d_name);
		check_case(dir, &rewritten);
		free(dir);
	}
	closedir(d);
	printf("REPORT: multi-stage: %zu golden cases rewritten, declared configuration identical in each\n",
	       rewritten);
	assert_true(rewritten >= 15);
}

/* Without --aggressive (and without selecting it) the pass does not run. */
static void test_multi_stage__aggressive_only(void **state)
{
	(void)state;
	char *df = tu_asprintf("golden/multi-stage/go-static-distroless/Dockerfile");
	size_t len;
	char *text = tu_read_file(df, &len);
	assert_non_null(text);
	dko_fix_opts o = {0};
	o.path = df;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, text, len, &o), 0);
	for (size_t i = 0; i < dko_fix_finding_count(r); i++)
		assert_string_not_equal(dko_fix_finding(r, i)->rule, "multi-stage");
	dko_fix_result_free(r);
	o.aggressive = true;
	assert_int_equal(dko_fix(&r, text, len, &o), 0);
	assert_int_equal(dko_fix_edit_count(r), 1);
	dko_fix_result_free(r);
	free(text);
	free(df);
}

/* ---- the corpus, no build context ------------------------------------------------------------ */

static void test_multi_stage__corpus(void **state)
{
	(void)state;
	size_t n = 0;
	char **files = tu_corpus_dev_files(&n);
	if (!files) {
		tu_notice("NOTICE: corpus absent, multi-stage corpus test skipped");
		return;
	}
	size_t suggested = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = tu_read_file(files[i], &len);
		if (!text)
			continue;
		dko_fix_opts o = {0};
		o.path = files[i];
		o.context_dir = "";
		o.aggressive = true;
		const char *sel[] = {"multi-stage"};
		o.select = sel;
		o.nselect = 1;
		dko_fix_result *r;
		int rc = dko_fix(&r, text, len, &o);
		if (rc == 0) {
			if (dko_fix_edit_count(r))
				fail_msg("%s: rewritten without a build context", files[i]);
			suggested += dko_fix_finding_count(r) > 0;
		}
		dko_fix_result_free(r);
		free(text);
	}
	printf("REPORT: multi-stage: dev corpus without context: %zu of %zu files get a suggestion, none rewritten\n",
	       suggested, n);
	tu_free_list(files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toolchain__match),
		cmocka_unit_test(test_toolchain__not_toolchains),
		cmocka_unit_test(test_toolchain__config_first),
		cmocka_unit_test(test_toolchain__runtime_guess),
		cmocka_unit_test(test_toolchain__dev_runtime),
		cmocka_unit_test(test_toolchain__links_crates_tools),
		cmocka_unit_test(test_multi_stage__declared_config_kept),
		cmocka_unit_test(test_multi_stage__aggressive_only),
		cmocka_unit_test(test_multi_stage__corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
