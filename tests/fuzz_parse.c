/*
 * fuzz_parse.c - libFuzzer target for the parsers: any input must parse
 * without a crash, satisfy the tree invariants and print back byte for byte.
 * Every RUN/CMD/ENTRYPOINT/HEALTHCHECK of the document is also shell-parsed
 * (and its package operations recognised): the shell tokens must tile the
 * script and re-print the node's body byte for byte; the whole input is also
 * parsed as a bare shell script, which must print back unchanged. Inputs
 * that parse go through `dockopt fix --aggressive` (every pass, no build
 * context): a rewrite must parse again, and fixing it again must change
 * nothing.
 * Built with -fsanitize=fuzzer by `make fuzz`; `make check` replays the saved
 * corpus in tests/fuzz/corpus through tests/fuzz_replay.c.
 */
#include "cst.h"
#include "dockopt/doc.h"
#include "dockopt/fix.h"
#include "pkg.h"
#include "shell.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tokens tile [0, len) and printing gives source[lo, hi) back. */
static void check_script(const dko_sh_script *s, const char *src, uint32_t lo, uint32_t hi)
{
	size_t len;
	dko_sh_text(s, &len);
	uint32_t at = 0;
	for (size_t i = 0; i < dko_sh_token_count(s); i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->span.start != at || t->span.end <= t->span.start)
			abort();
		at = t->span.end;
	}
	if (at != len)
		abort();
	dko_buf b = DKO_BUF_INIT;
	dko_sh_print(&b, s);
	if (len && (b.len != hi - lo || memcmp(b.ptr, src + lo, b.len) != 0))
		abort();
	dko_buf_release(&b);
	dko_pkg_op *ops;
	size_t nops;
	dko_pkg_analyze(&ops, &nops, s, NULL, NULL);
	dko_span where;
	dko_sh_leaked_state(s, &where);
	dko_sh_is_and_list(s);
	dko_buf d = DKO_BUF_INIT;
	dko_sh_dump(&d, s);
	for (size_t i = 0; i < nops; i++)
		dko_pkg_op_dump(&d, &ops[i]);
	dko_buf_release(&d);
}

static void check_shells(const dko_doc *doc)
{
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		const dko_instr *in = n->instr->kind == DKO_I_ONBUILD && n->instr->sub ? n->instr->sub
		                                                                       : n->instr;
		if (in->kind != DKO_I_RUN && in->kind != DKO_I_CMD && in->kind != DKO_I_ENTRYPOINT &&
		    in->kind != DKO_I_HEALTHCHECK)
			continue;
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		dko_sh_script *s;
		dko_sh_parse_node(&s, doc, i, &o);
		dko_span src = dko_sh_source_span(s);
		if (src.start < n->span.start || src.end > n->span.end)
			abort();
		check_script(s, doc->src, src.start, src.end);
		dko_sh_free(s);
	}
	dko_sh_walker_release(&w);
}

/* fix: a rewrite parses with no error and is a fixed point. */
static void check_fix(const char *data, size_t size)
{
	dko_fix_opts o = {0};
	o.path = "Dockerfile";
	o.context_dir = "";
	o.aggressive = true;
	dko_fix_result *r = NULL;
	if (dko_fix(&r, data, size, &o) != 0) {
		dko_fix_result_free(r);
		return;
	}
	if (dko_fix_edit_count(r)) {
		const dko_file_edit *e = dko_fix_edit(r, 0);
		dko_doc *doc = NULL;
		if (dko_parse(&doc, e->new_text, e->new_len, NULL) != 0 || dko_doc_has_errors(doc))
			abort();
		dko_doc_free(doc);
		dko_fix_result *r2 = NULL;
		if (dko_fix(&r2, e->new_text, e->new_len, &o) != 0 || dko_fix_edit_count(r2))
			abort();
		dko_fix_result_free(r2);
	}
	dko_fix_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dko_doc *doc = NULL;
	dko_parse(&doc, (const char *)data, size, NULL);
	if (!doc)
		abort();
	if (dko_cst_check(doc) != 0)
		abort();
	char *out;
	size_t len;
	dko_doc_print(&out, &len, doc);
	if (len != size || (size && memcmp(out, data, size) != 0))
		abort();
	free(out);
	dko_doc_dump(&out, &len, doc);
	free(out);
	check_shells(doc);
	bool clean = !dko_doc_has_errors(doc);
	dko_doc_free(doc);
	if (clean && size <= 16384)
		check_fix((const char *)data, size);

	dko_sh_script *s;
	dko_sh_parse_text(&s, (const char *)data, size, NULL);
	check_script(s, (const char *)data, 0, (uint32_t)size);
	dko_sh_free(s);
	return 0;
}
