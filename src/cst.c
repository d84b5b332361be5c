/*
 * cst.c - syntax tree helpers: document lifetime, positions, diagnostics,
 * the logical -> source offset map, the edit API and dko_cst_check().
 */
#include "cst.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void dko_doc_free(dko_doc *doc)
{
	if (!doc)
		return;
	dko_arena_release(&doc->arena);
	free(doc->toks);
	free(doc->nodes);
	free(doc->diags);
	free(doc->src);
	free(doc->filename);
	free(doc);
}

const char *dko_doc_source(const dko_doc *doc, size_t *len)
{
	if (len)
		*len = doc->len;
	return doc->src;
}

const char *dko_doc_filename(const dko_doc *doc)
{
	return doc->filename;
}

size_t dko_doc_diag_count(const dko_doc *doc)
{
	return doc->ndiags;
}

const dko_diag *dko_doc_diag(const dko_doc *doc, size_t i)
{
	return i < doc->ndiags ? &doc->diags[i] : NULL;
}

bool dko_doc_has_errors(const dko_doc *doc)
{
	for (uint32_t i = 0; i < doc->ndiags; i++)
		if (doc->diags[i].severity == DKO_SEV_ERROR)
			return true;
	return false;
}

/* ---- positions and diagnostics ------------------------------------------------ */

void dko_doc_position(const dko_doc *doc, uint32_t offset, uint32_t *line, uint32_t *col)
{
	if (offset > doc->len)
		offset = doc->len;
	uint32_t lo = 0, hi = doc->nlines;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (doc->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	*line = lo + 1;
	uint32_t c = 1;
	for (uint32_t i = doc->line_starts[lo]; i < offset; i++)
		if (((unsigned char)doc->src[i] & 0xC0) != 0x80)
			c++;
	*col = c;
}

void dko_doc_diag_add(dko_doc *doc, dko_severity sev, const char *code, dko_span span,
                      const char *fmt, ...)
{
	/* A binary file gets one diagnostic: whatever follows would be noise. */
	if (doc->ndiags && strcmp(doc->diags[0].code, "binary-file") == 0)
		return;
	if (doc->ndiags == doc->diags_cap) {
		doc->diags_cap = doc->diags_cap ? doc->diags_cap * 2 : 8;
		doc->diags = dko_xreallocarray(doc->diags, doc->diags_cap, sizeof(*doc->diags));
	}
	dko_buf m = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	dko_diag *d = &doc->diags[doc->ndiags++];
	d->severity = sev;
	d->code = code;
	d->span = span;
	d->message = dko_arena_strndup(&doc->arena, dko_buf_cstr(&m), m.len);
	dko_buf_release(&m);
}

static const char *sev_name(dko_severity s)
{
	return s == DKO_SEV_ERROR ? "error" : s == DKO_SEV_WARNING ? "warning" : "note";
}

void dko_doc_print_diag(const dko_doc *doc, const dko_diag *d, FILE *fp)
{
	uint32_t line, col;
	dko_doc_position(doc, d->span.start, &line, &col);
	fprintf(fp, "%s:%u:%u: %s: %s\n", doc->filename, line, col, sev_name(d->severity),
	        d->message);
	if (line > doc->nlines || doc->len == 0)
		return;
	uint32_t s = doc->line_starts[line - 1], e = s;
	while (e < doc->len && doc->src[e] != '\n' && doc->src[e] != '\r')
		e++;
	if (e == s || e - s > 400)
		return;
	/* Show the line with control bytes made visible, then the caret. */
	fputs("    ", fp);
	for (uint32_t i = s; i < e; i++) {
		unsigned char c = (unsigned char)doc->src[i];
		fputc(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c, fp);
	}
	fputs("\n    ", fp);
	for (uint32_t i = 1; i < col; i++)
		fputc(' ', fp);
	fputs("^\n", fp);
}

/* ---- logical -> source offsets ------------------------------------------------ */

uint32_t dko_node_phys(const dko_node *node, uint32_t logical)
{
	if (node->nsegs == 0)
		return node->span.start;
	uint32_t lo = 0, hi = node->nsegs;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (node->segs[mid].log <= logical)
			lo = mid;
		else
			hi = mid;
	}
	const dko_seg *s = &node->segs[lo];
	uint32_t off = logical - s->log;
	if (off > s->len)
		off = s->len;
	return s->phys + off;
}

dko_span dko_node_phys_span(const dko_node *node, dko_span l)
{
	dko_span p;
	p.start = dko_node_phys(node, l.start);
	if (l.end <= l.start) {
		p.end = p.start;
		return p;
	}
	p.end = dko_node_phys(node, l.end - 1) + 1;
	return p;
}

const dko_flag *dko_instr_flag(const dko_instr *in, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; i < in->nflags; i++)
		if (in->flags[i].name_len == n && memcmp(in->flags[i].name, name, n) == 0)
			return &in->flags[i];
	return NULL;
}

char *dko_mount_field(const char *spec, size_t n, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && spec[e] != ',')
			e++;
		if (e - i > kl && !strncmp(spec + i, key, kl) && spec[i + kl] == '=')
			return dko_xstrndup(spec + i + kl + 1, e - i - kl - 1);
		i = e + 1;
	}
	return NULL;
}

/* ---- edits ------------------------------------------------------------------------ */

static dko_edit *new_edit(dko_doc *doc, const char *text, size_t len)
{
	dko_edit *e = dko_arena_alloc(&doc->arena, sizeof(*e));
	e->text = dko_arena_strndup(&doc->arena, text, len);
	e->len = (uint32_t)len;
	return e;
}

void dko_doc_replace_node(dko_doc *doc, uint32_t idx, const char *text, size_t len)
{
	if (idx >= doc->nnodes)
		return;
	dko_node *n = &doc->nodes[idx];
	n->repl = dko_arena_strndup(&doc->arena, text, len);
	n->repl_len = (uint32_t)len;
	n->replaced = true;
	doc->edited = true;
}

void dko_doc_insert_before(dko_doc *doc, uint32_t idx, const char *text, size_t len)
{
	dko_edit *e = new_edit(doc, text, len);
	dko_edit **link = idx < doc->nnodes ? &doc->nodes[idx].before : &doc->tail;
	while (*link)
		link = &(*link)->next;
	*link = e;
	doc->edited = true;
}

/* ---- invariants --------------------------------------------------------------------- */

int dko_cst_check(const dko_doc *doc)
{
	uint32_t at = 0;
	for (uint32_t i = 0; i < doc->ntoks; i++) {
		const dko_token *t = &doc->toks[i];
		if (t->span.start != at || t->span.end <= t->span.start)
			return dko_error_set(DKO_ERROR, "token %u [%u,%u) does not continue at %u", i,
			                     t->span.start, t->span.end, at);
		at = t->span.end;
	}
	if (at != doc->len)
		return dko_error_set(DKO_ERROR, "tokens end at %u, source at %u", at, doc->len);
	at = doc->bom ? 3 : 0;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->span.start != at || n->span.end < n->span.start)
			return dko_error_set(DKO_ERROR, "node %u does not continue at %u", i, at);
		uint32_t ts = n->tok_count ? doc->toks[n->tok_first].span.start : n->span.start;
		uint32_t te = n->tok_count ? doc->toks[n->tok_first + n->tok_count - 1].span.end
		                           : n->span.start;
		if (ts != n->span.start || te != n->span.end)
			return dko_error_set(DKO_ERROR, "node %u tokens [%u,%u) != span [%u,%u)", i, ts,
			                     te, n->span.start, n->span.end);
		for (uint32_t k = 0; k < n->nsegs; k++) {
			const dko_seg *s = &n->segs[k];
			if (s->phys < n->span.start || s->phys + s->len > n->span.end)
				return dko_error_set(DKO_ERROR, "node %u segment %u outside the node", i, k);
			if (k && (s->phys < n->segs[k - 1].phys + n->segs[k - 1].len ||
			          s->log != n->segs[k - 1].log + n->segs[k - 1].len))
				return dko_error_set(DKO_ERROR, "node %u segment %u out of order", i, k);
		}
		if (n->kind == DKO_NODE_INSTR) {
			if (!n->instr)
				return dko_error_set(DKO_ERROR, "node %u has no instruction", i);
			uint32_t tl = n->nsegs ? n->segs[n->nsegs - 1].log + n->segs[n->nsegs - 1].len : 0;
			if (tl != n->instr->text_len)
				return dko_error_set(DKO_ERROR, "node %u logical length mismatch", i);
		}
		at = n->span.end;
	}
	if (at != doc->len)
		return dko_error_set(DKO_ERROR, "nodes end at %u, source at %u", at, doc->len);
	return 0;
}
