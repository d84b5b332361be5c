/*
 * style.h - a Dockerfile's own formatting conventions, detected from the
 * file, so that re-rendered instructions look like their neighbours:
 * continuation indent (spaces or tabs, width), where "&&" goes around a line
 * continuation ("cmd && \" or "\" then "&& cmd" on the next line), keyword
 * case, the escape character and the line ending.
 */
#ifndef DKO_STYLE_H
#define DKO_STYLE_H

#include "cst.h"
#include "util/buf.h"

typedef struct dko_style {
	char escape;        /* '\\' or '`' */
	const char *eol;    /* "\n" or "\r\n" */
	char indent[17];    /* continuation indent, e.g. "    " or "\t" */
	bool op_leading;    /* "\" at the end, "&& cmd" on the next line */
	bool lower_keywords;
	unsigned width;     /* a re-rendered one-line RUN longer than this is split */
} dko_style;

/* Detect the style of doc (defaults: "\n", 4 spaces, trailing "&& \", upper case). */
void dko_style_detect(dko_style *st, const dko_doc *doc);

/* The keyword as the file writes it ("RUN" or "run"). */
const char *dko_style_keyword(const dko_style *st, dko_instr_kind k);

/* Append a line break inside an instruction: " \" + eol + indent. */
void dko_style_break(dko_buf *b, const dko_style *st);

/*
 * Append " && cmd" to b joining two commands. When split is true the join
 * spans a continuation in the file's style (" && \" eol indent "cmd", or
 * " \" eol indent "&& cmd").
 */
void dko_style_join(dko_buf *b, const dko_style *st, bool split, const char *cmd, size_t len);

/* Append "; cmd", split as "; \" eol indent "cmd" (a ';' never leads a line). */
void dko_style_join_semi(dko_buf *b, const dko_style *st, bool split, const char *cmd, size_t len);

/*
 * dko_style_join (semi false) or dko_style_join_semi (semi true) with the
 * Dockerfile comment lines lines[0..nlines) (whole lines, each with its line
 * end) right after the line break, where BuildKit drops them from the
 * instruction. They need split; without it they are not written.
 */
void dko_style_join_commented(dko_buf *b, const dko_style *st, bool split, bool semi,
                              const char *lines, size_t nlines, const char *cmd, size_t len);

#endif
