/*
 * test_corpus_shell.c - the shell parser and package model over
 * ../shared/corpus:
 *
 *  - lossless: for every RUN (and CMD/ENTRYPOINT/HEALTHCHECK shell form) of
 *    every corpus file, also with CRLF line ends, the shell tokens tile the
 *    script; each script byte maps to an equal source byte, in order; every
 *    source byte the script skips (inside or between tokens) is Dockerfile
 *    trivia (a continuation, a comment or empty line inside the instruction,
 *    the \r of a CRLF, a tab removed by <<-); and the node's bytes before the
 *    script + dko_sh_print() + the bytes after it equal the node;
 *  - coverage of dev/: the share of RUNs (of those written for a POSIX shell)
 *    that parse without an opaque node, reported and held to 99%;
 *  - package operations: apt/apk/dnf/yum/pip/npm install operations found
 *    by the model, against an independent word scan of the same RUN bodies
 *    (a grep -c with option skipping); every RUN where the scan finds more
 *    is a miss and fails the test.
 * Results are printed as "REPORT: shell: ..." lines. Skipped with a notice
 * without a corpus.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/doc.h"
#include "pkg.h"
#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int corpus_present(void **state)
{
	(void)state;
	if (!tu_corpus_dir()) {
		tu_notice("../shared/corpus is absent: corpus shell tests skipped");
		return -1;
	}
	return 0;
}

static bool has_shell(const dko_instr *in)
{
	if (in->kind == DKO_I_ONBUILD && in->sub)
		in = in->sub;
	return in->kind == DKO_I_RUN || in->kind == DKO_I_CMD || in->kind == DKO_I_ENTRYPOINT ||
	       in->kind == DKO_I_HEALTHCHECK;
}

/* Per source byte of the document: is it Dockerfile trivia inside an
 * instruction (continuation, comment line, empty line, line end)? Tabs of
 * heredoc lines count too: <<- removes them. */
static unsigned char *trivia_map(const dko_doc *doc)
{
	unsigned char *m = calloc(doc->len + 1, 1);
	for (uint32_t i = 0; i < doc->ntoks; i++) {
		const dko_token *t = &doc->toks[i];
		bool all = t->kind == DKO_TOK_CONT || t->kind == DKO_TOK_COMMENT ||
		           t->kind == DKO_TOK_NEWLINE || t->kind == DKO_TOK_WS;
		bool tabs = t->kind == DKO_TOK_HEREDOC_END || t->kind == DKO_TOK_HEREDOC_BODY;
		for (uint32_t k = t->span.start; k < t->span.end; k++)
			m[k] = all || (tabs && doc->src[k] == '\t');
	}
	return m;
}

typedef struct stats {
	int scripts, bad, runs, posix, parsed;
} stats;

static void fail_at(const char *name, const dko_node *n, const char *what, stats *st)
{
	if (st->bad < 20)
		print_error("%s:%u: %s\n", name, n->line, what);
	st->bad++;
}

/* Script bytes map to equal source bytes, in order, skipping trivia only. */
static bool check_map(const dko_doc *doc, const dko_sh_script *s, const unsigned char *triv)
{
	size_t len;
	const char *text = dko_sh_text(s, &len);
	uint32_t prev = 0;
	for (uint32_t k = 0; k < len; k++) {
		uint32_t p = dko_sh_phys_span(s, (dko_span){k, k + 1}).start;
		if (p >= doc->len || doc->src[p] != text[k] || (k && p <= prev))
			return false;
		for (uint32_t q = k ? prev + 1 : p; q < p; q++)
			if (!triv[q])
				return false;
		prev = p;
	}
	return true;
}

/* The tokens tile the script. */
static bool check_tiling(const dko_sh_script *s)
{
	size_t len;
	dko_sh_text(s, &len);
	uint32_t at = 0;
	for (size_t i = 0; i < dko_sh_token_count(s); i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->span.start != at || t->span.end <= t->span.start)
			return false;
		at = t->span.end;
	}
	return at == len;
}

/* prefix + print + suffix == node, the suffix is trivia (or the heredoc
 * terminator of RUN <<EOF), and the script starts where BuildKit's does. */
static bool check_print(const dko_doc *doc, const dko_node *n, const dko_sh_script *s,
                        const unsigned char *triv)
{
	dko_buf b = DKO_BUF_INIT;
	dko_sh_print(&b, s);
	dko_span src = dko_sh_source_span(s);
	size_t len;
	dko_sh_text(s, &len);
	bool ok = len == 0 || (b.len == src.end - src.start &&
	                       memcmp(b.ptr, doc->src + src.start, b.len) == 0);
	if (ok && len) {
		dko_buf whole = DKO_BUF_INIT;
		dko_buf_put(&whole, doc->src + n->span.start, src.start - n->span.start);
		dko_buf_put(&whole, b.ptr, b.len);
		dko_buf_put(&whole, doc->src + src.end, n->span.end - src.end);
		ok = whole.len == n->span.end - n->span.start &&
		     memcmp(whole.ptr, doc->src + n->span.start, whole.len) == 0;
		dko_buf_release(&whole);
		const dko_instr *in = n->instr->kind == DKO_I_ONBUILD ? n->instr->sub : n->instr;
		bool single = in->nheredocs == 1 && in->heredocs[0].word.start == in->rest.start &&
		              in->heredocs[0].word.end == in->rest.end && in->kind == DKO_I_RUN;
		for (uint32_t q = src.end; ok && q < n->span.end; q++)
			ok = triv[q] || doc->src[q] == ' ' || doc->src[q] == '\t' ||
			     (single && q >= in->heredocs[0].end.start && q < in->heredocs[0].end.end);
		if (ok && in->kind == DKO_I_RUN && !in->json && !single)
			ok = src.start == dko_node_phys(n, in->rest.start);
		for (uint32_t q = single ? in->heredocs[0].body.start : src.start; ok && q < src.start; q++)
			ok = doc->src[q] == '\t'; /* <<- chomped the first line's tabs */
	}
	dko_buf_release(&b);
	return ok;
}

static void check_doc(const char *name, const char *data, size_t n, stats *st)
{
	dko_doc *doc = NULL;
	dko_parse(&doc, data, n, &(dko_parse_opts){name});
	unsigned char *triv = trivia_map(doc);
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *nd = &doc->nodes[i];
		if (nd->kind != DKO_NODE_INSTR || !has_shell(nd->instr))
			continue;
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		dko_sh_script *s;
		dko_sh_parse_node(&s, doc, i, &o);
		st->scripts++;
		if (nd->instr->kind == DKO_I_RUN) {
			st->runs++;
			if (dko_sh_opaque_kind(s) != DKO_SH_NOT_SHELL) {
				st->posix++;
				st->parsed += !dko_sh_is_opaque(s);
			}
		}
		if (!check_tiling(s))
			fail_at(name, nd, "shell tokens do not tile the script", st);
		else if (!check_map(doc, s, triv))
			fail_at(name, nd, "script byte without its source byte, or a non-trivia gap", st);
		else if (!check_print(doc, nd, s, triv))
			fail_at(name, nd, "re-printing the shell tokens does not give the node back", st);
		dko_sh_free(s);
	}
	dko_sh_walker_release(&w);
	free(triv);
	dko_doc_free(doc);
}

static char *to_crlf(const char *s, size_t n, size_t *outn)
{
	char *o = malloc(n * 2 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			o[k++] = '\r';
		o[k++] = s[i];
	}
	*outn = k;
	return o;
}

static void test_corpus_shell__lossless(void **state)
{
	(void)state;
	size_t nfiles;
	char **files = tu_corpus_files(&nfiles);
	stats st = {0}, dev = {0};
	for (size_t i = 0; i < nfiles; i++) {
		size_t n;
		char *data = tu_read_file(files[i], &n);
		assert_non_null(data);
		check_doc(files[i], data, n, strstr(files[i], "/dev/") ? &dev : &st);
		size_t cn;
		char *cr = to_crlf(data, n, &cn);
		stats crlf = {0};
		check_doc(files[i], cr, cn, &crlf);
		st.scripts += crlf.scripts;
		st.bad += crlf.bad;
		free(cr);
		free(data);
	}
	tu_free_list(files);
	int scripts = st.scripts + dev.scripts, bad = st.bad + dev.bad;
	printf("REPORT: shell: %d shell scripts (corpus x LF/CRLF) re-print byte for byte from "
	       "their tokens with trivia-only gaps, %d differ\n", scripts, bad);
	printf("REPORT: shell: coverage: %d/%d RUNs of dev/ for a POSIX shell parse with no opaque "
	       "node (%.2f%%); %d RUNs in all, %d not shell (SHELL powershell/cmd, escape=`, "
	       "Windows base, exec form, #!python heredoc)\n",
	       dev.parsed, dev.posix, dev.posix ? 100.0 * dev.parsed / dev.posix : 0.0, dev.runs,
	       dev.runs - dev.posix);
	assert_int_equal(bad, 0);
	assert_true(scripts > 3000);
	assert_true(dev.posix > 1000);
	assert_true(dev.parsed * 100 >= dev.posix * 99);
}

/* ---- package operations against a word scan ---- */

typedef struct scan_rule {
	const char *pm;        /* dko_pm_name */
	const char *commands;  /* '|'-separated command words */
	const char *verbs;     /* install verbs */
} scan_rule;

static const scan_rule rules[] = {
	{"apt", "apt-get|apt|aptitude", "install"},
	{"apk", "apk", "add"},
	{"dnf", "dnf|dnf5", "install|groupinstall"},
	{"yum", "yum", "install|groupinstall"},
	{"pip", "pip|pip3|pip2|pip3.8|pip3.9|pip3.10|pip3.11|pip3.12|pip3.13", "install"},
	{"npm", "npm", "install|i|ci"},
};

static bool word_in(const char *list, const char *w, size_t n)
{
	for (const char *p = list; p;) {
		const char *e = strchr(p, '|');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && memcmp(p, w, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool word_char(char c)
{
	return c && !strchr(" \t\n\r;&|()\"'`", c);
}

/* Count "CMD [-opts...] VERB" in text, words split at blanks and shell
 * punctuation; a command word may carry a path (/usr/bin/pip). python -m pip
 * counts as pip. Independent of the shell parser on purpose. */
static int scan_count(const scan_rule *r, const char *t, size_t n)
{
	int count = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && !word_char(t[i]))
			i++;
		size_t a = i;
		while (i < n && word_char(t[i]))
			i++;
		size_t b = a;
		for (size_t k = a; k < i; k++)
			if (t[k] == '/')
				b = k + 1;
		bool cmd = i > b && word_in(r->commands, t + b, i - b);
		if (!cmd && !strcmp(r->pm, "pip") && i - b >= 6 && !strncmp(t + b, "python", 6)) {
			size_t j = i;
			while (j < n && (t[j] == ' ' || t[j] == '\t'))
				j++;
			if (j + 6 <= n && !strncmp(t + j, "-m pip", 6) && (j + 6 == n || !word_char(t[j + 6]))) {
				cmd = true;
				i = j + 6;
			}
		}
		if (!cmd)
			continue;
		/* Skip options (and the value of apt's -o/-t/-c), then the verb. */
		size_t j = i;
		bool skip_value = false;
		for (;;) {
			while (j < n && (t[j] == ' ' || t[j] == '\t'))
				j++;
			size_t c = j;
			while (j < n && word_char(t[j]))
				j++;
			if (j == c)
				break;
			if (skip_value) {
				skip_value = false;
				continue;
			}
			if (t[c] == '-') {
				skip_value = !strcmp(r->pm, "apt") && j - c == 2 && strchr("otc", t[c + 1]);
				continue;
			}
			count += word_in(r->verbs, t + c, j - c);
			break;
		}
	}
	return count;
}

static void test_corpus_shell__packages(void **state)
{
	(void)state;
	size_t nfiles;
	char **files = tu_corpus_dev_files(&nfiles);
	enum { NR = sizeof(rules) / sizeof(rules[0]) };
	int found[NR] = {0}, scanned[NR] = {0}, misses = 0, total_ops = 0;
	for (size_t f = 0; f < nfiles; f++) {
		size_t n;
		char *data = tu_read_file(files[f], &n);
		dko_doc *doc = NULL;
		dko_parse(&doc, data, n, &(dko_parse_opts){files[f]});
		dko_sh_walker w;
		dko_sh_walker_init(&w, doc);
		for (uint32_t i = 0; i < doc->nnodes; i++) {
			const dko_node *nd = &doc->nodes[i];
			if (nd->kind != DKO_NODE_INSTR || nd->instr->kind != DKO_I_RUN)
				continue;
			dko_sh_opts o;
			dko_sh_walker_opts(&w, i, &o);
			dko_sh_script *s;
			dko_sh_parse_node(&s, doc, i, &o);
			if (dko_sh_opaque_kind(s) == DKO_SH_NOT_SHELL) {
				dko_sh_free(s);
				continue;
			}
			dko_pkg_op *ops;
			size_t nops;
			dko_pkg_analyze(&ops, &nops, s, NULL, NULL);
			total_ops += (int)nops;
			size_t len;
			const char *text = dko_sh_text(s, &len);
			for (int r = 0; r < NR; r++) {
				int mine = 0, theirs = scan_count(&rules[r], text, len);
				for (size_t k = 0; k < nops; k++)
					mine += ops[k].verb == DKO_PV_INSTALL &&
					        !strcmp(dko_pm_name(ops[k].manager), rules[r].pm) && !ops[k].wrapper;
				found[r] += mine;
				scanned[r] += theirs;
				if (theirs > mine) {
					if (misses < 20)
						print_error("%s:%u: %s: scan finds %d install(s), the model %d\n",
						            files[f], nd->line, rules[r].pm, theirs, mine);
					misses++;
				}
			}
			dko_sh_free(s);
		}
		dko_sh_walker_release(&w);
		dko_doc_free(doc);
		free(data);
	}
	tu_free_list(files);
	dko_buf b = DKO_BUF_INIT;
	for (int r = 0; r < NR; r++)
		dko_buf_printf(&b, "%s%s %d/%d", r ? ", " : "", rules[r].pm, found[r], scanned[r]);
	printf("REPORT: shell: install operations found by the model / by a word scan (grep -c "
	       "with option skipping) in dev/: %s; %d RUNs where the scan finds more; %d package "
	       "operations of every kind\n",
	       dko_buf_cstr(&b), misses, total_ops);
	dko_buf_release(&b);
	assert_int_equal(misses, 0);
	for (int r = 0; r < NR; r++)
		assert_true(found[r] >= scanned[r]);
	assert_true(found[0] > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_shell__lossless),
		cmocka_unit_test(test_corpus_shell__packages),
	};
	return cmocka_run_group_tests(tests, corpus_present, NULL);
}
