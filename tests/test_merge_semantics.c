/*
 * test_merge_semantics.c - merge-runs keeps behaviour, checked by running it.
 *
 * Random RUN sequences are built from commands whose effects show on stdout
 * (`ok N` and `fail N` print and succeed or fail; `pwd`, `echo V=$V` and
 * `umask` show leaked shell state) combined with ;, &&, ||, !, if, for,
 * { }, ( ), set -e / +e, cd, export, bare assignments and exit, and what
 * other shell options change: `echo U=$U` (U is never set: set -u fails
 * it), pipelines (set -o pipefail, bash only), `echo /bi*` (set -f), a
 * stderr redirection to stdout (set -x traces land there), $1 after
 * `set -- x`, assigning expansions (${V:=n}, $((V=n)), V=n :), the
 * loop variable after a for, a word ending in \; as in find -exec. Each
 * Dockerfile is fixed with merge-runs only; then both versions are "built"
 * the way docker does: every RUN in a fresh shell (dash for /bin/sh, bash
 * under SHELL bash), in order, stopping at the first that fails. The
 * printed output and whether the build failed must be identical.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/fix.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *bindir;
static unsigned rng = 12345;

static unsigned rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 16) % n;
}

static int counter;
static bool bash; /* the sequence runs under bash: -o pipefail exists */

static void gen_stmt(dko_buf *b, int depth);

static void gen_simple(dko_buf *b)
{
	switch (rnd(24)) {
	case 19: dko_buf_printf(b, ": \"${V:=%d}\"", ++counter); break;
	case 20: dko_buf_printf(b, "echo A=$((V=%d))", ++counter); break;
	case 21: dko_buf_printf(b, "V=%d :", ++counter); break;
	case 22: dko_buf_puts(b, "echo I=${i:-none}"); break;
	case 23: dko_buf_printf(b, "echo E %d \\;", ++counter); break;
	case 12: dko_buf_puts(b, "echo U=$U"); break;
	case 13: dko_buf_puts(b, rnd(2) ? "set -u" : rnd(2) ? "set -x" : "set -f"); break;
	case 14: dko_buf_printf(b, "fail %d | ok %d", counter + 1, counter + 2); counter += 2; break;
	case 15: dko_buf_puts(b, bash && rnd(2) ? "set -o pipefail" : "set -eu"); break;
	case 16: dko_buf_puts(b, "echo G=/bi*"); break;
	case 17: dko_buf_printf(b, "{ ok %d; } 2>&1", ++counter); break;
	case 18: dko_buf_puts(b, rnd(2) ? "set -- x" : "echo P=${1:-none}"); break;
	case 0: case 1: case 2: dko_buf_printf(b, "ok %d", ++counter); break;
	case 3: case 4: dko_buf_printf(b, "fail %d", ++counter); break;
	case 5: dko_buf_puts(b, rnd(2) ? "cd /tmp" : "cd /"); break;
	case 6: dko_buf_puts(b, "pwd"); break;
	case 7: dko_buf_printf(b, "export V=%d", ++counter); break;
	case 8: dko_buf_printf(b, "V=%d", ++counter); break;
	case 9: dko_buf_puts(b, "echo V=$V"); break;
	case 10: dko_buf_puts(b, rnd(2) ? "umask 077" : "umask"); break;
	default: dko_buf_puts(b, rnd(3) ? "set -e" : rnd(2) ? "set -eux" : "set +e"); break;
	}
}

static void gen_compound(dko_buf *b, int depth)
{
	switch (rnd(5)) {
	case 0:
		dko_buf_printf(b, "if ok %d; then ", ++counter);
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, "; fi");
		break;
	case 1:
		dko_buf_puts(b, "{ ");
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, "; ");
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, "; }");
		break;
	case 2:
		dko_buf_puts(b, "( ");
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, "; ");
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, " )");
		break;
	case 3:
		dko_buf_puts(b, "for i in 1 2; do ");
		gen_stmt(b, depth + 1);
		dko_buf_puts(b, "; done");
		break;
	default:
		dko_buf_puts(b, "! ");
		gen_simple(b);
		break;
	}
}

static void gen_stmt(dko_buf *b, int depth)
{
	if (depth < 2 && rnd(4) == 0)
		gen_compound(b, depth);
	else
		gen_simple(b);
}

/* A RUN body: one to three and-or lists joined by ; */
static void gen_body(dko_buf *b)
{
	int lists = 1 + (int)rnd(3);
	/* the docker-library style: a RUN that opens with its own set line */
	if (rnd(3) == 0)
		dko_buf_puts(b, rnd(3) ? "set -eux; " : rnd(2) ? "set -ex; " : "set -e; ");
	for (int l = 0; l < lists; l++) {
		if (l)
			dko_buf_puts(b, "; ");
		int parts = 1 + (int)rnd(2);
		for (int p = 0; p < parts; p++) {
			if (p)
				dko_buf_puts(b, rnd(3) ? " && " : " || ");
			gen_stmt(b, 0);
		}
	}
	if (rnd(12) == 0)
		dko_buf_puts(b, rnd(2) ? "; exit 0" : "; exit 1");
}

/* Build: run every RUN of text in a fresh shell, in order, stopping at the
 * first failure. Appends the output to out; returns whether it failed. */
static bool build(const char *text, size_t len, const char *shell, dko_buf *out)
{
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, text, len, NULL), 0);
	bool failed = false;
	for (uint32_t i = 0; i < doc->nnodes && !failed; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
			continue;
		const dko_instr *in = n->instr;
		char *script = tu_asprintf("%.*s", (int)(in->rest.end - in->rest.start), in->text + in->rest.start);
		char *cmd = tu_asprintf("cd / && PATH='%s':/usr/bin:/bin %s -c \"$(cat)\"", bindir, shell);
		char *o = NULL;
		int rc = tu_run(cmd, script, strlen(script), &o, NULL, NULL);
		dko_buf_printf(out, "%s[rc=%d]\n", o, rc);
		failed = rc != 0;
		free(o);
		free(cmd);
		free(script);
	}
	dko_doc_free(doc);
	dko_buf_puts(out, failed ? "BUILD FAILED\n" : "BUILD OK\n");
	return failed;
}

/* The build's output without the per-RUN exit codes (they differ by
 * design: several RUNs become one). */
static void strip_rc(dko_buf *out, const char *s)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, "[rc=", 4) != 0)
			dko_buf_put(out, p, n);
		else if (strchr(p, ']') && strchr(p, ']') + 1 < p + n - 1)
			dko_buf_put(out, strchr(p, ']') + 1, (size_t)(p + n - (strchr(p, ']') + 1)));
		p += n;
	}
}

static void one_case(const char *shell_line, const char *shell, int nruns, int *merged, int *bad)
{
	bash = strncmp(shell, "bash", 4) == 0;
	dko_buf df = DKO_BUF_INIT;
	dko_buf_puts(&df, "FROM debian:bookworm\n");
	dko_buf_puts(&df, shell_line);
	for (int r = 0; r < nruns; r++) {
		dko_buf_puts(&df, "RUN ");
		gen_body(&df);
		dko_buf_putc(&df, '\n');
	}
	const char *sel[] = {"merge-runs"};
	dko_fix_opts o = {0};
	o.context_dir = "";
	o.select = sel;
	o.nselect = 1;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, df.ptr, df.len, &o), 0);
	if (dko_fix_edit_count(r)) {
		const dko_file_edit *e = dko_fix_edit(r, 0);
		dko_buf before = DKO_BUF_INIT, after = DKO_BUF_INIT;
		build(df.ptr, df.len, shell, &before);
		build(e->new_text, e->new_len, shell, &after);
		/* Per-RUN exit codes differ by design; compare the output and the
		 * outcome of the build. */
		dko_buf bs = DKO_BUF_INIT, as = DKO_BUF_INIT;
		strip_rc(&bs, before.ptr);
		strip_rc(&as, after.ptr);
		(*merged)++;
		if (strcmp(bs.ptr, as.ptr)) {
			(*bad)++;
			if (*bad <= 3)
				print_error("behaviour changed (%s)\n--- original\n%s--- rewritten\n%s--- original "
				            "build\n%s--- rewritten build\n%s",
				            shell, df.ptr, e->new_text, before.ptr, after.ptr);
		}
		dko_buf_release(&bs);
		dko_buf_release(&as);
		dko_buf_release(&before);
		dko_buf_release(&after);
	}
	dko_fix_result_free(r);
	dko_buf_release(&df);
}

static void test_merge_semantics__random(void **state)
{
	(void)state;
	int merged = 0, bad = 0, cases = getenv("DKO_MERGE_CASES") ? atoi(getenv("DKO_MERGE_CASES")) : 600;
	if (getenv("DKO_MERGE_SEED"))
		rng = (unsigned)strtoul(getenv("DKO_MERGE_SEED"), NULL, 10);
	for (int i = 0; i < cases; i++) {
		int nruns = 2 + (int)rnd(3);
		if (i % 4 == 3)
			one_case("SHELL [\"/bin/bash\", \"-c\"]\n", "bash", nruns, &merged, &bad);
		else if (i % 8 == 5)
			one_case("SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\n", "bash -eo pipefail",
			         nruns, &merged, &bad);
		else
			one_case("", "sh", nruns, &merged, &bad);
	}
	printf("REPORT: merge-runs: %d random RUN sequences, %d merged and re-run in dash/bash, %d "
	       "behaved differently\n", cases, merged, bad);
	assert_int_equal(bad, 0);
	assert_true(merged > cases / 4);
}

static int setup(void **state)
{
	(void)state;
	bindir = tu_mkdtemp();
	char *ok = tu_asprintf("%s/ok", bindir), *fail = tu_asprintf("%s/fail", bindir);
	const char *oks = "#!/bin/sh\necho \"ok $1\"\n", *fails = "#!/bin/sh\necho \"fail $1\"\nexit 1\n";
	tu_write_file(ok, oks, strlen(oks));
	tu_write_file(fail, fails, strlen(fails));
	chmod(ok, 0755);
	chmod(fail, 0755);
	free(ok);
	free(fail);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(bindir);
	free(bindir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_semantics__random),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
