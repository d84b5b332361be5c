/*
 * runedit.h - editing RUN instructions in place, for the passes: where a
 * RUN's shell body begins and ends in the source, splicing text into it,
 * appending a command in the file's style, and the checks every RUN rewrite
 * shares (POSIX shell, same flags, cache mounts).
 *
 * Geometry of a RUN node's bytes:
 *   prefix  [node start, body start)   indent, keyword, flags
 *   body    [body start, content end)  the shell text with its continuations
 *   suffix  [content end, node end)    trailing blanks, line ending
 */
#ifndef DKO_RUNEDIT_H
#define DKO_RUNEDIT_H

#include "cst.h"
#include "graph.h"
#include "style.h"
#include "util/buf.h"

typedef struct dko_run_geom {
	uint32_t start;       /* node start */
	uint32_t body;        /* first byte of the shell text */
	uint32_t content_end; /* one past the last non-blank byte of the text */
	uint32_t end;         /* node end */
	bool multiline;       /* the body spans a continuation */
} dko_run_geom;

/* Geometry of a shell-form RUN node without heredocs; false otherwise. */
bool dko_run_geom_get(const dko_doc *doc, uint32_t node, dko_run_geom *g);

/* Whether the SHELL in effect is a POSIX shell (default, sh, bash, dash, ash,
 * ksh, zsh with -c last). */
bool dko_run_posix_shell(const dko_state *st);

/* Whether two RUNs carry the same flags (order-insensitive). */
bool dko_run_same_flags(const dko_instr *a, const dko_instr *b);

/* Whether a --mount of type cache, tmpfs or bind covers path (the mount
 * target is path or one of its parents). */
bool dko_run_mount_covers(const dko_instr *in, const char *path);

/* A new text for a RUN node: its bytes with cmd appended after the body as
 * " && cmd", split onto a continuation line in the file's style (with the
 * RUN's own command indent) when the body is multi-line or the line would
 * exceed the style's width. */
void dko_run_append(dko_buf *out, const dko_doc *doc, const dko_run_geom *g,
                    const dko_style *st, const char *cmd);

/* A new text for a node: its bytes with text inserted at source offset at. */
void dko_node_splice(dko_buf *out, const dko_doc *doc, uint32_t node, uint32_t at,
                     const char *text);

#endif
