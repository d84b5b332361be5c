/*
 * test_corpus_fix.c - `dockopt fix` over every Dockerfile of ../shared/corpus
 * (safe tier, no build context):
 *   - the output parses again with no error;
 *   - fixing twice equals fixing once;
 *   - with every pass disabled the output is the input;
 *   - the image configuration the file declares is unchanged: the final
 *     stage's (and its base stages') ENV, ARG, WORKDIR, USER, CMD, ENTRYPOINT,
 *     EXPOSE, LABEL, VOLUME, HEALTHCHECK, STOPSIGNAL, SHELL in order, and FROM;
 *   - dockerfmt (an independent parser, from npm; skipped with a notice
 *     without npm) accepts every rewritten file it accepts in its original form.
 * It prints, for ../shared/corpus/dev: RUN instructions before/after, fixes
 * and suggestions per rule, and the smells the passes cover before/after as
 * counted by a small detector written here, separately from the passes.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/fix.h"
#include "graph.h"
#include "shell.h"
#include "util/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- declared configuration ------------------------------------------------------ */

static bool declares(dko_instr_kind k)
{
	switch (k) {
	case DKO_I_ENV: case DKO_I_ARG: case DKO_I_WORKDIR: case DKO_I_USER: case DKO_I_CMD:
	case DKO_I_ENTRYPOINT: case DKO_I_EXPOSE: case DKO_I_LABEL: case DKO_I_VOLUME:
	case DKO_I_HEALTHCHECK: case DKO_I_STOPSIGNAL: case DKO_I_SHELL: case DKO_I_FROM:
		return true;
	default:
		return false;
	}
}

/* The final stage's declared configuration (its base stages' first), one
 * dump line per instruction. */
static char *declared_config(const char *text, size_t len)
{
	dko_doc *doc;
	dko_parse(&doc, text, len, NULL);
	dko_graph *g;
	dko_buf b = DKO_BUF_INIT;
	if (dko_graph_build(&g, doc, NULL) == 0 && dko_graph_final(g)) {
		int chain[64], n = 0;
		for (int s = (int)dko_graph_final(g)->index; s >= 0 && n < 64;
		     s = dko_graph_stage(g, (uint32_t)s)->base_stage)
			chain[n++] = s;
		while (n-- > 0) {
			const dko_stage *st = dko_graph_stage(g, (uint32_t)chain[n]);
			for (uint32_t i = st->from_node; i < st->end_node; i++) {
				const dko_node *nd = &doc->nodes[i];
				if (nd->kind != DKO_NODE_INSTR || !declares(nd->instr->kind))
					continue;
				dko_buf_printf(&b, "%s", dko_instr_name(nd->instr->kind));
				for (uint32_t a = 0; a < nd->instr->nargs; a++)
					dko_buf_printf(&b, " [%s]", nd->instr->args[a].value);
				dko_buf_putc(&b, '\n');
			}
		}
	}
	dko_graph_free(g);
	dko_doc_free(doc);
	return dko_buf_detach(&b, NULL);
}

/* RUNs whose shell has a syntax error (a rewrite must never add one). */
static size_t broken_shells(const char *text, size_t len)
{
	dko_doc *doc;
	dko_parse(&doc, text, len, NULL);
	size_t n = 0;
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		const dko_node *nd = &doc->nodes[i];
		if (nd->kind != DKO_NODE_INSTR || nd->instr->kind != DKO_I_RUN || nd->instr->json)
			continue;
		dko_sh_script *s = NULL;
		dko_sh_parse_node(&s, doc, i, &o);
		n += s && dko_sh_opaque_kind(s) == DKO_SH_SYNTAX;
		dko_sh_free(s);
	}
	dko_sh_walker_release(&w);
	dko_doc_free(doc);
	return n;
}

/* ---- an independent smell counter --------------------------------------------------- */

/* S_RUN_PAIRS is not a smell of its own: every RUN that follows a RUN, any
 * size, any flags; hadolint's DL3059 counts only pairs of short RUNs. */
enum { S_DL3009, S_DL3019, S_DL3042, S_DL3032, S_DL3059, S_LONE_UPDATE, S_COUNT, S_RUN_PAIRS = S_COUNT,
       S_ALL };
static const char *const smell_names[S_ALL] = {
	"DL3009 apt lists kept", "DL3019 apk add without --no-cache", "DL3042 pip without --no-cache-dir",
	"DL3032/DL3040 yum/dnf without clean", "DL3059 consecutive short RUNs", "lone apt-get update",
	"(any RUN right after a RUN)",
};

/* hadolint's DL3059 weighs a RUN by its simple commands (ShellCheck's
 * parse: every command with a name, nested ones too); an exec-form RUN is
 * one; a body dockopt cannot parse is taken as long. */
static unsigned run_commands(const dko_doc *doc, uint32_t i, dko_sh_walker *w)
{
	if (doc->nodes[i].instr->json)
		return 1;
	dko_sh_opts so;
	dko_sh_walker_opts(w, i, &so);
	dko_sh_script *s;
	unsigned n = 0;
	if (dko_sh_parse_node(&s, doc, i, &so) != 0) {
		n = UINT32_MAX;
	} else {
		for (size_t k = 0; k < dko_sh_cmd_count(s); k++)
			n += dko_sh_cmd_at(s, k)->nwords > 0;
	}
	dko_sh_free(s);
	return n;
}

/* The flags of a RUN as one string, for "same flags" (malloc'd). */
static char *run_flags(const dko_instr *in)
{
	dko_buf b = DKO_BUF_INIT;
	for (uint32_t f = 0; f < in->nflags; f++) {
		dko_buf_put(&b, in->flags[f].text, in->flags[f].len);
		dko_buf_putc(&b, '\n');
	}
	return dko_buf_detach(&b, NULL);
}

static bool has_word(const char *t, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = strstr(t, w); p; p = strstr(p + 1, w)) {
		bool left = p == t || isspace((unsigned char)p[-1]) || strchr(";&|(", p[-1]);
		bool right = !p[n] || isspace((unsigned char)p[n]) || strchr(";&|)", p[n]);
		if (left && right)
			return true;
	}
	return false;
}

static bool has_seq(const char *t, const char *a, const char *b)
{
	/* "a b" with any blanks/flags between, approximated: a occurs before b. */
	const char *p = strstr(t, a);
	return p && strstr(p + strlen(a), b);
}

static void count_smells(const char *text, size_t len, unsigned counts[S_ALL], const char *debug)
{
	unsigned before[S_ALL];
	memcpy(before, counts, sizeof(before));
	dko_doc *doc;
	dko_parse(&doc, text, len, NULL);
	dko_graph *g = NULL;
	if (dko_graph_build(&g, doc, NULL) != 0) {
		dko_graph_free(g);
		dko_doc_free(doc);
		return;
	}
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	bool prev_run = false;
	unsigned prev_cmds = 0;
	char *prev_flags = NULL;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue; /* comments and blank lines do not break a sequence */
		const dko_instr *in = n->instr;
		if (in->kind != DKO_I_RUN) {
			prev_run = false;
			continue;
		}
		unsigned cmds = run_commands(doc, i, &w);
		char *flags = run_flags(in);
		if (prev_run) {
			counts[S_RUN_PAIRS]++;
			if (!strcmp(flags, prev_flags) && cmds <= 2 && prev_cmds <= 2)
				counts[S_DL3059]++;
		}
		free(prev_flags);
		prev_flags = flags;
		prev_cmds = cmds;
		prev_run = true;
		const dko_ginstr *gi = dko_graph_instr(g, i);
		bool shipped = gi->stage >= 0 && dko_graph_stage(g, (uint32_t)gi->stage)->shipped;
		const char *t = in->text + in->rest.start;
		bool mount_cache = strstr(in->text, "type=cache") != NULL;
		bool apt_update = has_seq(t, "apt-get", "update") || has_seq(t, "apt ", "update") ||
		                  strstr(t, "install --update");
		bool apt_install = has_seq(t, "apt-get", "install") || has_seq(t, "apt ", "install");
		if (shipped && !mount_cache && apt_update && apt_install && !strstr(t, "/var/lib/apt/lists") &&
		    !strstr(t, "dist-clean"))
			counts[S_DL3009]++;
		if (apt_update && !apt_install && !strchr(t, '&') && !strchr(t, ';'))
			counts[S_LONE_UPDATE]++;
		if (has_seq(t, "apk", "add") && !strstr(t, "--no-cache"))
			counts[S_DL3019]++;
		if (shipped && !mount_cache && has_word(t, "pip") + has_word(t, "pip3") > 0 &&
		    strstr(t, "install") && !strstr(t, "--no-cache-dir") && !strstr(in->text, "$(") &&
		    !dko_state_defines(&gi->state, "PIP_NO_CACHE_DIR"))
			counts[S_DL3042]++;
		if (shipped && !mount_cache &&
		    ((has_word(t, "yum") && strstr(t, "install") && !has_seq(t, "yum", "clean")) ||
		     (has_word(t, "dnf") && strstr(t, "install") && !has_seq(t, "dnf", "clean"))))
			counts[S_DL3032]++;
	}
	/* DKO_SMELL_DEBUG=1 lists the smells left after fixing, per file. */
	free(prev_flags);
	dko_sh_walker_release(&w);
	for (int k = 0; debug && getenv("DKO_SMELL_DEBUG") && k < S_ALL; k++)
		if (counts[k] > before[k])
			fprintf(stderr, "smell left: %s: %s x%u\n", debug, smell_names[k], counts[k] - before[k]);
	dko_graph_free(g);
	dko_doc_free(doc);
}

/* ---- the test ------------------------------------------------------------------------ */

typedef struct totals {
	size_t files, changed, runs_before, runs_after;
	unsigned smells_before[S_ALL], smells_after[S_ALL];
	size_t fmt_checked, fmt_rejected_before;
	struct {
		const char *rule;
		size_t applied, suggested;
	} rules[64];
	size_t nrules;
} totals;

static void tally_rule(totals *t, const dko_finding *f)
{
	for (size_t i = 0; i < t->nrules; i++)
		if (!strcmp(t->rules[i].rule, f->rule)) {
			t->rules[i].applied += f->applied;
			t->rules[i].suggested += !f->applied;
			return;
		}
	if (t->nrules < 64) {
		t->rules[t->nrules].rule = f->rule;
		t->rules[t->nrules].applied = f->applied;
		t->rules[t->nrules].suggested = !f->applied;
		t->nrules++;
	}
}

static const char *dockerfmt;

/* Exit status of dockerfmt on text (0: accepted). */
static int fmt_accepts(const char *text, size_t len)
{
	char path[] = "/tmp/dko-fmt-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	char *cmd = tu_asprintf("'%s' '%s' >/dev/null 2>&1", dockerfmt, path);
	int rc = tu_run(cmd, NULL, 0, NULL, NULL, NULL);
	free(cmd);
	unlink(path);
	return rc;
}

static void one_file(const char *path, bool dev, totals *t, int *bad)
{
	size_t len;
	char *in = tu_read_file(path, &len);
	dko_fix_opts o = {0};
	o.path = path;
	o.context_dir = "";
	dko_fix_result *r;
	if (dko_fix(&r, in, len, &o) != 0) {
		dko_fix_result_free(r);
		free(in);
		return; /* files with syntax errors are the parser tests' business */
	}
	const char *out = in;
	size_t olen = len;
	if (dko_fix_edit_count(r)) {
		out = dko_fix_edit(r, 0)->new_text;
		olen = dko_fix_edit(r, 0)->new_len;
	}
	dko_doc *doc;
	if (dko_parse(&doc, out, olen, NULL) != 0) {
		print_error("%s: the fixed file does not parse: %s\n", path, dko_error_last());
		(*bad)++;
	}
	dko_doc_free(doc);
	dko_fix_result *r2;
	o.path = path;
	dko_fix(&r2, out, olen, &o);
	if (dko_fix_edit_count(r2)) {
		print_error("%s: fixing twice differs from fixing once\n--- once\n%.*s\n--- twice\n%s\n", path,
		            (int)olen, out, dko_fix_edit(r2, 0)->new_text);
		(*bad)++;
	}
	dko_fix_result_free(r2);
	o.no_passes = true;
	dko_fix(&r2, in, len, &o);
	if (dko_fix_edit_count(r2)) {
		print_error("%s: with no pass the file changed\n", path);
		(*bad)++;
	}
	dko_fix_result_free(r2);
	char *c1 = declared_config(in, len), *c2 = declared_config(out, olen);
	if (strcmp(c1, c2)) {
		print_error("%s: declared configuration changed\n--- before\n%s--- after\n%s", path, c1, c2);
		(*bad)++;
	}
	free(c1);
	free(c2);
	if (out != in && broken_shells(out, olen) > broken_shells(in, len)) {
		print_error("%s: the rewrite has a RUN whose shell no longer parses\n", path);
		(*bad)++;
	}
	if (dockerfmt && out != in) {
		t->fmt_checked++;
		if (fmt_accepts(in, len) != 0)
			t->fmt_rejected_before++;
		else if (fmt_accepts(out, olen) != 0) {
			print_error("%s: dockerfmt accepts the original but not the rewrite:\n%.*s\n", path,
			            (int)olen, out);
			(*bad)++;
		}
	}
	if (dev) {
		size_t b, a;
		dko_fix_run_counts(r, &b, &a);
		t->files++;
		t->changed += out != in;
		t->runs_before += b;
		t->runs_after += a;
		count_smells(in, len, t->smells_before, NULL);
		count_smells(out, olen, t->smells_after, path);
		for (size_t i = 0; i < dko_fix_finding_count(r); i++)
			tally_rule(t, dko_fix_finding(r, i));
	}
	dko_fix_result_free(r);
	free(in);
}

static void report(const totals *t)
{
	printf("REPORT: fix: dev corpus: %zu files, %zu changed; RUN instructions %zu -> %zu (-%.1f%%)\n",
	       t->files, t->changed, t->runs_before, t->runs_after,
	       t->runs_before ? 100.0 * (double)(t->runs_before - t->runs_after) / (double)t->runs_before : 0.0);
	for (size_t i = 0; i < t->nrules; i++)
		printf("REPORT: fix:   %-18s %5zu fixes %5zu suggestions\n", t->rules[i].rule,
		       t->rules[i].applied, t->rules[i].suggested);
	unsigned before = 0, after = 0;
	for (int s = 0; s < S_COUNT; s++) {
		printf("REPORT: fix:   smell %-38s %4u -> %4u\n", smell_names[s], t->smells_before[s],
		       t->smells_after[s]);
		before += t->smells_before[s];
		after += t->smells_after[s];
	}
	printf("REPORT: fix:   smells in all %u -> %u (-%.1f%%)\n", before, after,
	       before ? 100.0 * (before - after) / before : 0.0);
	printf("REPORT: fix:   not a smell: %s %u -> %u\n", smell_names[S_RUN_PAIRS],
	       t->smells_before[S_RUN_PAIRS], t->smells_after[S_RUN_PAIRS]);
	if (dockerfmt)
		printf("REPORT: fix: dockerfmt re-parsed %zu rewritten files (%zu originals it rejects "
		       "were not compared)\n", t->fmt_checked, t->fmt_rejected_before);
}

static void test_corpus_fix__all(void **state)
{
	(void)state;
	char *peers = NULL;
	int rc = tu_run("tools/install-peers.sh build/peers", NULL, 0, &peers, NULL, NULL);
	static char fmt_path[4096];
	if (rc == 0) {
		peers[strcspn(peers, "\n")] = '\0';
		snprintf(fmt_path, sizeof(fmt_path), "%s/node_modules/@reteps/dockerfmt-linux-x64/bin/dockerfmt",
		         peers);
		dockerfmt = access(fmt_path, X_OK) == 0 ? fmt_path : NULL;
	}
	free(peers);
	if (!dockerfmt)
		tu_notice("npm or the registry is unavailable: the dockerfmt re-parse check is skipped");
	size_t n;
	char **files = tu_corpus_files(&n);
	char dev_prefix[4200];
	snprintf(dev_prefix, sizeof(dev_prefix), "%s/dev/", tu_corpus_dir());
	totals t;
	memset(&t, 0, sizeof(t));
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		one_file(files[i], !strncmp(files[i], dev_prefix, strlen(dev_prefix)), &t, &bad);
	report(&t);
	tu_free_list(files);
	assert_int_equal(bad, 0);
	assert_true(t.files > 500);
}

static int corpus_present(void **state)
{
	(void)state;
	if (!tu_corpus_dir()) {
		tu_notice("../shared/corpus is absent: corpus fix tests skipped");
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_fix__all),
	};
	return cmocka_run_group_tests(tests, corpus_present, NULL);
}
