/*
 * style.c - detecting a file's formatting conventions (see style.h). Votes
 * are counted over the continuation lines of every instruction; ties and
 * files without continuations fall back to the common Docker documentation
 * style.
 */
#include "style.h"

#include <string.h>

typedef struct votes {
	unsigned crlf, lf;
	unsigned lead_op, trail_op;
	unsigned lower, upper;
	unsigned tabs;
	unsigned width[9]; /* indents of 1..8 spaces */
	unsigned any_tabs, any_spaces; /* every continuation line: the fallback */
} votes;

static void vote_line_endings(votes *v, const dko_doc *doc)
{
	for (uint32_t i = 0; i < doc->ntoks; i++) {
		const dko_token *t = &doc->toks[i];
		if (t->kind != DKO_TOK_NEWLINE)
			continue;
		if (t->span.end - t->span.start >= 2 && doc->src[t->span.end - 2] == '\r')
			v->crlf++;
		else
			v->lf++;
	}
}

static bool is_op_start(const char *s, uint32_t n)
{
	return (n >= 2 && ((s[0] == '&' && s[1] == '&') || (s[0] == '|' && s[1] == '|'))) ||
	       (n >= 1 && (s[0] == ';' || s[0] == '|'));
}

/* A continuation line's indent counts when it starts a command: it opens
 * with an operator, or the line before ended with one (after_op). Deeper
 * lines (package lists, arguments) say nothing about the command indent. */
static void vote_continuation(votes *v, const dko_doc *doc, const dko_token *t, bool after_op)
{
	const char *s = doc->src + t->span.start;
	uint32_t n = t->span.end - t->span.start, k = 0;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	bool lead = is_op_start(s + k, n - k);
	if (k > 0 && s[0] == '\t')
		v->any_tabs++;
	else if (k > 0)
		v->any_spaces++;
	if (!lead && !after_op)
		return;
	if (k < n && s[0] == '\t')
		v->tabs++;
	else if (k >= 1 && k <= 8)
		v->width[k]++;
	if (n - k >= 2 && s[k] == '&' && s[k + 1] == '&')
		v->lead_op++;
}

/* Whether a content token ends (before blanks) with an operator. */
static bool ends_with_op(const dko_doc *doc, const dko_token *p)
{
	uint32_t e = p->span.end;
	while (e > p->span.start && (doc->src[e - 1] == ' ' || doc->src[e - 1] == '\t'))
		e--;
	if (e == p->span.start)
		return false;
	char c = doc->src[e - 1];
	return c == '&' || c == '|' || c == ';';
}

static void vote_node(votes *v, const dko_doc *doc, const dko_node *n)
{
	bool after_cont = false, after_op = false;
	for (uint32_t i = n->tok_first; i < n->tok_first + n->tok_count; i++) {
		const dko_token *t = &doc->toks[i];
		if (t->kind == DKO_TOK_KEYWORD) {
			const char *s = doc->src + t->span.start;
			if (*s >= 'a' && *s <= 'z')
				v->lower++;
			else
				v->upper++;
		} else if (t->kind == DKO_TOK_TEXT && after_cont) {
			vote_continuation(v, doc, t, after_op);
		} else if (t->kind == DKO_TOK_CONT && i > n->tok_first) {
			const dko_token *p = &doc->toks[i - 1];
			after_op = p->kind == DKO_TOK_TEXT && ends_with_op(doc, p);
			uint32_t e = p->span.end;
			while (e > p->span.start && (doc->src[e - 1] == ' ' || doc->src[e - 1] == '\t'))
				e--;
			if (e - p->span.start >= 2 && doc->src[e - 1] == '&' && doc->src[e - 2] == '&')
				v->trail_op++;
		}
		if (t->kind == DKO_TOK_NEWLINE)
			after_cont = i > n->tok_first && doc->toks[i - 1].kind == DKO_TOK_CONT;
		else if (t->kind != DKO_TOK_WS && t->kind != DKO_TOK_COMMENT)
			after_cont = false;
	}
}

void dko_style_detect(dko_style *st, const dko_doc *doc)
{
	votes v;
	memset(&v, 0, sizeof(v));
	memset(st, 0, sizeof(*st));
	vote_line_endings(&v, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++)
		if (doc->nodes[i].kind == DKO_NODE_INSTR)
			vote_node(&v, doc, &doc->nodes[i]);
	st->escape = doc->escape;
	st->eol = v.crlf > v.lf ? "\r\n" : "\n";
	st->op_leading = v.lead_op > v.trail_op;
	st->lower_keywords = v.lower > v.upper;
	st->width = 80;
	unsigned best = 4, bestn = 0;
	for (unsigned w = 1; w <= 8; w++) {
		if (v.width[w] > bestn) {
			best = w;
			bestn = v.width[w];
		}
	}
	/* No command line to go by: the indent of the other continuation
	 * lines (package lists) says whether the file uses tabs. */
	if (v.tabs > bestn || (!v.tabs && !bestn && v.any_tabs > v.any_spaces)) {
		memcpy(st->indent, "\t", 2);
	} else {
		memset(st->indent, ' ', best);
		st->indent[best] = '\0';
	}
}

const char *dko_style_keyword(const dko_style *st, dko_instr_kind k)
{
	static const char *const lower[DKO_I__COUNT] = {
		[DKO_I_ADD] = "add", [DKO_I_ARG] = "arg", [DKO_I_CMD] = "cmd", [DKO_I_COPY] = "copy",
		[DKO_I_ENTRYPOINT] = "entrypoint", [DKO_I_ENV] = "env", [DKO_I_EXPOSE] = "expose",
		[DKO_I_FROM] = "from", [DKO_I_HEALTHCHECK] = "healthcheck", [DKO_I_LABEL] = "label",
		[DKO_I_MAINTAINER] = "maintainer", [DKO_I_ONBUILD] = "onbuild", [DKO_I_RUN] = "run",
		[DKO_I_SHELL] = "shell", [DKO_I_STOPSIGNAL] = "stopsignal", [DKO_I_USER] = "user",
		[DKO_I_VOLUME] = "volume", [DKO_I_WORKDIR] = "workdir",
	};
	if (st->lower_keywords && k > DKO_I_UNKNOWN && k < DKO_I__COUNT)
		return lower[k];
	return dko_instr_name(k);
}

/* " \" eol, the comment lines, indent. */
static void break_with(dko_buf *b, const dko_style *st, const char *lines, size_t nlines)
{
	dko_buf_putc(b, ' ');
	dko_buf_putc(b, st->escape);
	dko_buf_puts(b, st->eol);
	dko_buf_put(b, lines, nlines);
	dko_buf_puts(b, st->indent);
}

void dko_style_break(dko_buf *b, const dko_style *st)
{
	break_with(b, st, NULL, 0);
}

void dko_style_join_commented(dko_buf *b, const dko_style *st, bool split, bool semi,
                              const char *lines, size_t nlines, const char *cmd, size_t len)
{
	if (!split) {
		dko_buf_puts(b, semi ? "; " : " && ");
	} else if (semi) {
		dko_buf_putc(b, ';');
		break_with(b, st, lines, nlines);
	} else if (st->op_leading) {
		break_with(b, st, lines, nlines);
		dko_buf_puts(b, "&& ");
	} else {
		dko_buf_puts(b, " &&");
		break_with(b, st, lines, nlines);
	}
	dko_buf_put(b, cmd, len);
}

void dko_style_join(dko_buf *b, const dko_style *st, bool split, const char *cmd, size_t len)
{
	dko_style_join_commented(b, st, split, false, NULL, 0, cmd, len);
}

void dko_style_join_semi(dko_buf *b, const dko_style *st, bool split, const char *cmd, size_t len)
{
	dko_style_join_commented(b, st, split, true, NULL, 0, cmd, len);
}
