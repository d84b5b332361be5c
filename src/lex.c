/*
 * lex.c - bytes -> tokens and top-level nodes, following BuildKit's line
 * grouping (frontend/dockerfile/parser Parse) exactly:
 *
 *  - a UTF-8 BOM is dropped from the first line;
 *  - parser directives (# syntax|escape|check = value) are recognised until
 *    the first line that is not one; a repeated directive is an error;
 *  - top-level lines are trimmed of leading white space; comment lines and
 *    empty lines between instructions are skipped;
 *  - a line whose last non-blank character is the escape character (not
 *    itself escaped) continues on the next line; comment lines and empty
 *    lines inside a continued instruction are dropped from it; a
 *    continuation at end of file simply ends the instruction;
 *  - RUN/COPY/ADD (also under ONBUILD) in shell form whose line holds <<WORD
 *    read heredoc bodies from the following lines up to the terminator.
 *
 * Unlike BuildKit, which stops at the first error, every problem becomes a
 * diagnostic and scanning goes on, so the tree always covers every byte.
 */
#include "cst.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One physical line: [start, cend) is its content, [cend, end) its terminator. */
typedef struct pline {
	uint32_t start, cend, end;
} pline;

typedef struct scanner {
	dko_doc *doc;
	uint32_t pos;    /* start of the next physical line */
	uint32_t lineno; /* 1-based number of the line last returned */
	dko_buf text;    /* scratch: the logical line being built */
	dko_seg *segs;   /* scratch: its segments */
	uint32_t nsegs, segs_cap;
	bool directives_done;
	bool seen[3];
} scanner;

static bool next_line(scanner *s, pline *l)
{
	dko_doc *doc = s->doc;
	if (s->pos >= doc->len)
		return false;
	const char *p = doc->src + s->pos;
	const char *nl = memchr(p, '\n', doc->len - s->pos);
	uint32_t end = nl ? (uint32_t)(nl - doc->src) + 1 : doc->len;
	uint32_t cend = end;
	/* Go's bytes.TrimRight(line, "\r\n"): the whole run of CR/LF at the end. */
	while (cend > s->pos && (doc->src[cend - 1] == '\n' || doc->src[cend - 1] == '\r'))
		cend--;
	l->start = s->pos;
	l->cend = cend;
	l->end = end;
	s->pos = end;
	s->lineno++;
	return true;
}

/* ---- tokens and nodes ---------------------------------------------------- */

static void tok(dko_doc *doc, dko_tok_kind kind, uint32_t start, uint32_t end)
{
	if (start >= end)
		return;
	if (doc->ntoks == doc->toks_cap) {
		doc->toks_cap = doc->toks_cap ? doc->toks_cap * 2 : 256;
		doc->toks = dko_xreallocarray(doc->toks, doc->toks_cap, sizeof(*doc->toks));
	}
	doc->toks[doc->ntoks].kind = kind;
	doc->toks[doc->ntoks].span.start = start;
	doc->toks[doc->ntoks].span.end = end;
	doc->ntoks++;
}

static dko_node *new_node(dko_doc *doc, dko_node_kind kind, uint32_t start, uint32_t line)
{
	if (doc->nnodes == doc->nodes_cap) {
		doc->nodes_cap = doc->nodes_cap ? doc->nodes_cap * 2 : 64;
		doc->nodes = dko_xreallocarray(doc->nodes, doc->nodes_cap, sizeof(*doc->nodes));
	}
	dko_node *n = &doc->nodes[doc->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = line;
	n->span.start = n->span.end = start;
	n->tok_first = doc->ntoks;
	return n;
}

static void end_node(dko_doc *doc, dko_node *n, uint32_t end)
{
	n->span.end = end;
	n->tok_count = doc->ntoks - n->tok_first;
}

/* ---- white space, as Go's unicode.IsSpace over UTF-8 --------------------- */

static uint32_t space_len(const dko_doc *doc, uint32_t at, uint32_t end)
{
	uint32_t w;
	uint32_t r = dko_utf8_decode((const unsigned char *)doc->src + at, end - at, &w);
	return dko_unicode_is_space(r) ? w : 0;
}

static uint32_t skip_space(const dko_doc *doc, uint32_t at, uint32_t end)
{
	uint32_t w;
	while (at < end && (w = space_len(doc, at, end)) > 0)
		at += w;
	return at;
}

static bool is_comment_line(const dko_doc *doc, const pline *l)
{
	uint32_t at = skip_space(doc, l->start, l->cend);
	return at < l->cend && doc->src[at] == '#';
}

/* BuildKit's line-continuation regex: the escape character, then only blanks
 * up to the end, and not itself preceded by the escape character (unless it
 * opens the line). Returns the offset of the escape character or 0 (lead > 0
 * would be ambiguous, so the result is the offset + 1). */
static uint32_t continuation_at(const dko_doc *doc, uint32_t lead, uint32_t cend)
{
	uint32_t q = cend;
	while (q > lead && (doc->src[q - 1] == ' ' || doc->src[q - 1] == '\t'))
		q--;
	if (q == lead || doc->src[q - 1] != doc->escape)
		return 0;
	if (q - 1 > lead && doc->src[q - 2] == doc->escape)
		return 0;
	return q; /* escape character at q - 1 */
}

/* ---- parser directives --------------------------------------------------- */

static const char *const directive_names[3] = {"syntax", "escape", "check"};

static bool re_space(char c)
{
	/* Go RE2's \s: [\t\n\f\r ] */
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Try a top-level line [at, cend) (already trimmed) as a parser directive.
 * Returns true when it is one (then the line is a DIRECTIVE node). */
static bool directive(scanner *s, uint32_t at, uint32_t cend)
{
	dko_doc *doc = s->doc;
	const char *src = doc->src;
	if (s->directives_done)
		return false;
	if (at >= cend || src[at] != '#') {
		s->directives_done = true;
		return false;
	}
	uint32_t p = skip_space(doc, at + 1, cend);
	uint32_t k0 = p;
	if (p >= cend || !is_alpha(src[p])) {
		s->directives_done = true;
		return false;
	}
	while (p < cend && is_alnum(src[p]))
		p++;
	uint32_t k1 = p;
	while (p < cend && re_space(src[p]))
		p++;
	if (p >= cend || src[p] != '=') {
		s->directives_done = true;
		return false;
	}
	p++;
	uint32_t t0 = p; /* the text after '=': (\s*)(.+?)\s*$ */
	if (t0 >= cend) {
		s->directives_done = true;
		return false;
	}
	while (p < cend && re_space(src[p]))
		p++;
	uint32_t v0 = p, v1 = cend;
	if (v0 == cend) {
		v0 = cend - 1; /* all blank: the lazy group takes the last character */
	} else {
		while (v1 > v0 && re_space(src[v1 - 1]))
			v1--;
	}
	(void)t0;
	int which = -1;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(directive_names[i]);
		if (k1 - k0 == n && strncasecmp(src + k0, directive_names[i], n) == 0)
			which = i;
	}
	if (which < 0) {
		s->directives_done = true;
		return false;
	}
	dko_span sp = {at, cend};
	if (s->seen[which]) {
		dko_doc_diag_add(doc, DKO_SEV_ERROR, "repeated-directive", sp,
		                 "only one %s parser directive can be used", directive_names[which]);
		return true;
	}
	s->seen[which] = true;
	dko_directive *d = &doc->directives[doc->ndirectives++];
	d->name = directive_names[which];
	d->value = dko_arena_strndup(&doc->arena, src + v0, v1 - v0);
	d->span = sp;
	if (which == 1) {
		if (v1 - v0 == 1 && (src[v0] == '\\' || src[v0] == '`')) {
			doc->escape = src[v0];
		} else {
			dko_doc_diag_add(doc, DKO_SEV_ERROR, "invalid-escape", sp,
			                 "invalid escape token '%.*s' does not match ` or \\",
			                 (int)(v1 - v0), src + v0);
		}
	}
	return true;
}

/* ---- instructions -------------------------------------------------------- */

static void add_seg(scanner *s, uint32_t from, uint32_t to)
{
	if (from >= to)
		return;
	if (s->nsegs == s->segs_cap) {
		s->segs_cap = s->segs_cap ? s->segs_cap * 2 : 8;
		s->segs = dko_xreallocarray(s->segs, s->segs_cap, sizeof(*s->segs));
	}
	s->segs[s->nsegs].log = (uint32_t)s->text.len;
	s->segs[s->nsegs].phys = from;
	s->segs[s->nsegs].len = to - from;
	s->nsegs++;
	dko_buf_put(&s->text, s->doc->src + from, to - from);
}

/* Tokens of one content line [from, cend): TEXT up to the continuation,
 * CONT for the escape and trailing blanks, then the line terminator. */
static void content_tokens(dko_doc *doc, const pline *l, uint32_t from, uint32_t text_end)
{
	tok(doc, DKO_TOK_TEXT, from, text_end);
	tok(doc, DKO_TOK_CONT, text_end, l->cend);
	tok(doc, DKO_TOK_NEWLINE, l->cend, l->end);
}

/* Split the TEXT token holding the keyword into KEYWORD + TEXT. */
static void mark_keyword(dko_doc *doc, dko_node *n)
{
	dko_instr *in = n->instr;
	if (!in || in->keyword.start >= in->keyword.end)
		return;
	dko_span k = dko_node_phys_span(n, in->keyword);
	for (uint32_t i = n->tok_first; i < doc->ntoks; i++) {
		dko_token *t = &doc->toks[i];
		if (t->kind != DKO_TOK_TEXT || t->span.start > k.start || t->span.end < k.end)
			continue;
		if (k.end - k.start != in->keyword.end - in->keyword.start)
			return; /* keyword broken by a continuation: leave it as TEXT */
		uint32_t split[3] = {t->span.start, k.start, k.end};
		uint32_t tend = t->span.end;
		/* Replace token i by up to three: TEXT? KEYWORD TEXT? */
		dko_token pieces[3];
		int np = 0;
		if (split[0] < split[1])
			pieces[np++] = (dko_token){DKO_TOK_TEXT, {split[0], split[1]}};
		pieces[np++] = (dko_token){DKO_TOK_KEYWORD, {split[1], split[2]}};
		if (split[2] < tend)
			pieces[np++] = (dko_token){DKO_TOK_TEXT, {split[2], tend}};
		uint32_t extra = (uint32_t)np - 1;
		while (doc->ntoks + extra > doc->toks_cap) {
			doc->toks_cap *= 2;
			doc->toks = dko_xreallocarray(doc->toks, doc->toks_cap, sizeof(*doc->toks));
		}
		t = &doc->toks[i];
		memmove(t + np, t + 1, (doc->ntoks - i - 1) * sizeof(*t));
		memcpy(t, pieces, (size_t)np * sizeof(*t));
		doc->ntoks += extra;
		return;
	}
}

/* Read the bodies of the heredocs named on the instruction's line. */
static void read_heredocs(scanner *s, dko_node *n)
{
	dko_doc *doc = s->doc;
	dko_instr *in = n->instr->kind == DKO_I_ONBUILD && n->instr->sub ? n->instr->sub : n->instr;
	for (uint32_t h = 0; h < in->nheredocs; h++) {
		dko_heredoc *hd = &in->heredocs[h];
		uint32_t body0 = s->pos;
		pline l;
		hd->body.start = hd->body.end = body0;
		while (next_line(s, &l)) {
			uint32_t a = l.start;
			if (hd->chomp)
				while (a < l.cend && doc->src[a] == '\t')
					a++;
			if (l.cend - a == hd->name_len && memcmp(doc->src + a, hd->name, hd->name_len) == 0) {
				hd->terminated = true;
				hd->body.end = l.start;
				hd->end.start = l.start;
				hd->end.end = l.cend;
				tok(doc, DKO_TOK_HEREDOC_BODY, body0, l.start);
				tok(doc, DKO_TOK_HEREDOC_END, l.start, l.cend);
				tok(doc, DKO_TOK_NEWLINE, l.cend, l.end);
				break;
			}
		}
		if (!hd->terminated) {
			hd->body.end = doc->len;
			hd->end.start = hd->end.end = doc->len;
			tok(doc, DKO_TOK_HEREDOC_BODY, body0, doc->len);
			dko_doc_diag_add(doc, DKO_SEV_ERROR, "unterminated-heredoc",
			                 dko_node_phys_span(n, hd->word), "unterminated heredoc");
			in->error = true;
			return;
		}
	}
}

static bool has_heredoc_marker(const char *t, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (t[i] == '<' && t[i + 1] == '<')
			return true;
	return false;
}

static bool can_contain_heredoc(const dko_instr *in)
{
	if (in->kind == DKO_I_ONBUILD && in->sub)
		in = in->sub;
	if (in->kind != DKO_I_RUN && in->kind != DKO_I_COPY && in->kind != DKO_I_ADD)
		return false;
	return !in->json;
}

/* An instruction starting on line l, whose content (trimmed) begins at lead. */
static void instruction(scanner *s, const pline *first, uint32_t lead, uint32_t cont)
{
	dko_doc *doc = s->doc;
	dko_node *n = new_node(doc, DKO_NODE_INSTR, first->start, s->lineno);
	uint32_t node_idx = doc->nnodes - 1;
	bool empty_cont = false;
	dko_buf_clear(&s->text);
	s->nsegs = 0;

	tok(doc, DKO_TOK_WS, first->start, lead);
	uint32_t text_end = cont ? cont - 1 : first->cend;
	add_seg(s, lead, text_end);
	content_tokens(doc, first, lead, text_end);

	pline l;
	while (cont && next_line(s, &l)) {
		if (is_comment_line(doc, &l)) {
			uint32_t at = skip_space(doc, l.start, l.cend);
			tok(doc, DKO_TOK_WS, l.start, at);
			tok(doc, DKO_TOK_COMMENT, at, l.cend);
			tok(doc, DKO_TOK_NEWLINE, l.cend, l.end);
			continue;
		}
		if (skip_space(doc, l.start, l.cend) == l.cend) {
			empty_cont = true;
			tok(doc, DKO_TOK_WS, l.start, l.cend);
			tok(doc, DKO_TOK_NEWLINE, l.cend, l.end);
			continue;
		}
		cont = continuation_at(doc, l.start, l.cend);
		text_end = cont ? cont - 1 : l.cend;
		add_seg(s, l.start, text_end);
		content_tokens(doc, &l, l.start, text_end);
	}

	n = &doc->nodes[node_idx];
	n->instr = NULL;
	n->segs = dko_arena_grow(&doc->arena, NULL, 0, s->nsegs, sizeof(*s->segs));
	if (s->nsegs)
		memcpy(n->segs, s->segs, s->nsegs * sizeof(*s->segs));
	n->nsegs = s->nsegs;
	size_t tlen = s->text.len;
	char *at = dko_arena_strndup(&doc->arena, dko_buf_cstr(&s->text), tlen);

	n->instr = dko_parse_instr(doc, n, at, (uint32_t)tlen, 0);
	if (empty_cont) {
		dko_doc_diag_add(doc, DKO_SEV_WARNING, "no-empty-continuation",
		                 (dko_span){n->span.start, n->span.start},
		                 "empty continuation line (will become an error in a future BuildKit)");
	}
	if (can_contain_heredoc(n->instr) && has_heredoc_marker(at, tlen)) {
		dko_parse_heredocs(doc, n, n->instr);
		read_heredocs(s, n);
	}
	end_node(doc, n, s->pos);
	mark_keyword(doc, n);
	n->tok_count = doc->ntoks - n->tok_first;
}

static void top_line(scanner *s, const pline *l)
{
	uint32_t start = l->start;
	dko_doc *doc = s->doc;
	uint32_t lead = skip_space(doc, start, l->cend);
	bool comment = lead < l->cend && doc->src[lead] == '#';
	bool is_directive = directive(s, lead, l->cend);

	if (comment || is_directive) {
		dko_node *n = new_node(doc, is_directive ? DKO_NODE_DIRECTIVE : DKO_NODE_COMMENT, start, s->lineno);
		tok(doc, DKO_TOK_WS, start, lead);
		tok(doc, is_directive ? DKO_TOK_DIRECTIVE : DKO_TOK_COMMENT, lead, l->cend);
		tok(doc, DKO_TOK_NEWLINE, l->cend, l->end);
		end_node(doc, n, l->end);
		return;
	}
	uint32_t cont = continuation_at(doc, lead, l->cend);
	if (!cont && lead == l->cend) {
		dko_node *n = new_node(doc, DKO_NODE_BLANK, start, s->lineno);
		tok(doc, DKO_TOK_WS, start, l->cend);
		tok(doc, DKO_TOK_NEWLINE, l->cend, l->end);
		end_node(doc, n, l->end);
		return;
	}
	instruction(s, l, lead, cont);
}

static void compute_lines(dko_doc *doc)
{
	uint32_t n = 1;
	const char *p = doc->src, *end = doc->src + doc->len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	doc->line_starts = dko_arena_alloc(&doc->arena, (size_t)n * sizeof(uint32_t));
	doc->line_starts[0] = 0;
	uint32_t k = 1;
	p = doc->src;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		doc->line_starts[k++] = (uint32_t)(p - doc->src);
	}
	doc->nlines = n;
}

static void scan(dko_doc *doc)
{
	scanner s = {.doc = doc, .pos = 0};
	uint32_t start = 0;
	if (doc->len >= 3 && memcmp(doc->src, "\xEF\xBB\xBF", 3) == 0) {
		doc->bom = true;
		tok(doc, DKO_TOK_BOM, 0, 3);
		start = 3;
	}
	pline l;
	bool first = true;
	while (next_line(&s, &l)) {
		if (first && l.start < start)
			l.start = start;
		top_line(&s, &l);
		first = false;
	}
	dko_buf_release(&s.text);
	free(s.segs);
}

int dko_parse(dko_doc **out, const char *buf, size_t len, const dko_parse_opts *opts)
{
	dko_doc *doc = dko_xcalloc(1, sizeof(*doc));
	dko_arena_init(&doc->arena);
	doc->filename = dko_xstrdup(opts && opts->filename ? opts->filename : "Dockerfile");
	doc->escape = '\\';
	*out = doc;
	if (len >= UINT32_MAX) {
		doc->src = dko_xstrdup("");
		return dko_error_set(DKO_EINVAL, "%s: file too large", doc->filename);
	}
	doc->src = dko_xmalloc(len + 1);
	if (len)
		memcpy(doc->src, buf, len);
	doc->src[len] = '\0';
	doc->len = (uint32_t)len;
	compute_lines(doc);
	/* Size the arrays from the line count: about one node and four tokens
	 * per line, so big files do not pay for repeated growth. */
	doc->nodes_cap = doc->nlines + 1;
	doc->nodes = dko_xreallocarray(NULL, doc->nodes_cap, sizeof(*doc->nodes));
	doc->toks_cap = doc->nlines * 4 + 8;
	doc->toks = dko_xreallocarray(NULL, doc->toks_cap, sizeof(*doc->toks));

	const char *nul = memchr(doc->src, '\0', len);
	if (nul) {
		uint32_t at = (uint32_t)(nul - doc->src);
		dko_doc_diag_add(doc, DKO_SEV_ERROR, "binary-file", (dko_span){at, at + 1},
		                 "binary file: a NUL byte is not valid in a Dockerfile");
	}
	scan(doc);

	bool any_instr = false;
	for (uint32_t i = 0; i < doc->nnodes && !any_instr; i++)
		any_instr = doc->nodes[i].kind == DKO_NODE_INSTR;
	if (!any_instr && !nul) {
		dko_doc_diag_add(doc, DKO_SEV_ERROR, "no-instructions", (dko_span){doc->len, doc->len},
		                 "file with no instructions");
	}
	if (dko_doc_has_errors(doc)) {
		for (uint32_t i = 0; i < doc->ndiags; i++) {
			const dko_diag *d = &doc->diags[i];
			if (d->severity != DKO_SEV_ERROR)
				continue;
			uint32_t line, col;
			dko_doc_position(doc, d->span.start, &line, &col);
			return dko_error_set(DKO_EPARSE, "%s:%u:%u: error: %s", doc->filename, line, col,
			                     d->message);
		}
	}
	return 0;
}

int dko_parse_file(dko_doc **out, const char *path, const dko_parse_opts *opts)
{
	FILE *fp;
	bool is_stdin = strcmp(path, "-") == 0;
	*out = NULL;
	if (is_stdin) {
		fp = stdin;
	} else {
		struct stat st;
		/* Located at 1:1 so that every error has the file:line:col form. */
		if (stat(path, &st) != 0)
			return dko_error_set(errno == ENOENT ? DKO_ENOTFOUND : DKO_EIO,
			                     "%s:1:1: error: cannot read the file: %s", path, strerror(errno));
		if (S_ISDIR(st.st_mode))
			return dko_error_set(DKO_EINVAL, "%s:1:1: error: is a directory, not a Dockerfile", path);
		fp = fopen(path, "rb");
		if (!fp)
			return dko_error_set(DKO_EIO, "%s:1:1: error: cannot read the file: %s", path,
			                     strerror(errno));
	}
	dko_buf b = DKO_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		dko_buf_put(&b, chunk, n);
	int failed = ferror(fp);
	if (!is_stdin)
		fclose(fp);
	if (failed) {
		dko_buf_release(&b);
		return dko_error_set(DKO_EIO, "%s:1:1: error: cannot read the file", path);
	}
	dko_parse_opts o = {0};
	if (opts)
		o = *opts;
	if (!o.filename)
		o.filename = is_stdin ? "<stdin>" : path;
	int rc = dko_parse(out, b.ptr ? b.ptr : "", b.len, &o);
	dko_buf_release(&b);
	return rc;
}
