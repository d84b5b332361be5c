/*
 * runedit.c - editing RUN instructions in place (see runedit.h).
 */
#include "runedit.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

bool dko_run_geom_get(const dko_doc *doc, uint32_t node, dko_run_geom *g)
{
	if (node >= doc->nnodes)
		return false;
	const dko_node *n = &doc->nodes[node];
	if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN || n->instr->json ||
	    n->instr->nheredocs || n->instr->rest.start >= n->instr->rest.end)
		return false;
	const dko_instr *in = n->instr;
	g->start = n->span.start;
	g->end = n->span.end;
	g->body = dko_node_phys(n, in->rest.start);
	g->content_end = dko_node_phys(n, in->rest.end - 1) + 1;
	g->multiline = false;
	for (uint32_t i = g->body; i < g->content_end; i++)
		if (doc->src[i] == '\n') {
			g->multiline = true;
			break;
		}
	return true;
}

bool dko_run_posix_shell(const dko_state *st)
{
	if (!st->shell || st->nshell == 0)
		return true;
	const char *sh = st->shell[0];
	const char *base = strrchr(sh, '/');
	base = base ? base + 1 : sh;
	static const char *const ok[] = {"sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox"};
	bool known = false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		known |= strcmp(base, ok[i]) == 0;
	if (!strcmp(base, "busybox"))
		known = st->nshell >= 3 && !strcmp(st->shell[1], "sh");
	return known && !strcmp(st->shell[st->nshell - 1], "-c");
}

static int cmp_flag(const void *a, const void *b)
{
	const dko_flag *x = *(const dko_flag *const *)a, *y = *(const dko_flag *const *)b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

bool dko_run_same_flags(const dko_instr *a, const dko_instr *b)
{
	if (a->nflags != b->nflags)
		return false;
	if (!a->nflags)
		return true;
	const dko_flag **fa = dko_xmalloc(a->nflags * sizeof(*fa));
	const dko_flag **fb = dko_xmalloc(b->nflags * sizeof(*fb));
	for (uint32_t i = 0; i < a->nflags; i++) {
		fa[i] = &a->flags[i];
		fb[i] = &b->flags[i];
	}
	qsort(fa, a->nflags, sizeof(*fa), cmp_flag);
	qsort(fb, b->nflags, sizeof(*fb), cmp_flag);
	bool same = true;
	for (uint32_t i = 0; i < a->nflags && same; i++)
		same = cmp_flag(&fa[i], &fb[i]) == 0;
	free(fa);
	free(fb);
	return same;
}

bool dko_run_mount_covers(const dko_instr *in, const char *path)
{
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		if (f->name_len != 5 || memcmp(f->name, "mount", 5) || !f->value)
			continue;
		char *t = dko_mount_field(f->value, f->value_len, "target");
		if (!t)
			t = dko_mount_field(f->value, f->value_len, "dst");
		if (!t)
			t = dko_mount_field(f->value, f->value_len, "destination");
		if (!t)
			continue;
		size_t tl = strlen(t);
		while (tl > 1 && t[tl - 1] == '/')
			t[--tl] = '\0';
		bool covers = !strncmp(path, t, tl) && (path[tl] == '\0' || path[tl] == '/' || tl == 1);
		free(t);
		if (covers)
			return true;
	}
	return false;
}

/* The indent of the RUN's own command lines (a continuation line opening
 * with an operator, or after a line ending with one), else the file's. */
static void run_style(dko_style *local, const dko_doc *doc, const dko_run_geom *g)
{
	const char *s = doc->src;
	bool prev_op = false;
	for (uint32_t i = g->body; i < g->content_end; i++) {
		if (s[i] != '\n')
			continue;
		/* The line that ended at i: did it end with "op \"? */
		uint32_t e = i;
		while (e > g->body && (s[e - 1] == '\r' || s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e > g->body && s[e - 1] == local->escape)
			e--;
		while (e > g->body && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		prev_op = e > g->body && (s[e - 1] == '&' || s[e - 1] == ';' || s[e - 1] == '|');
		uint32_t k = i + 1, w = 0;
		while (k + w < g->content_end && (s[k + w] == ' ' || s[k + w] == '\t'))
			w++;
		bool lead = k + w + 1 < g->content_end &&
		            ((s[k + w] == '&' && s[k + w + 1] == '&') || (s[k + w] == '|' && s[k + w + 1] == '|'));
		if ((prev_op || lead) && w > 0 && w < sizeof(local->indent)) {
			memcpy(local->indent, s + k, w);
			local->indent[w] = '\0';
		}
	}
}

void dko_run_append(dko_buf *out, const dko_doc *doc, const dko_run_geom *g,
                    const dko_style *file_style, const char *cmd)
{
	dko_style local = *file_style;
	const dko_style *st = &local;
	run_style(&local, doc, g);
	/* Length of the last physical line up to content_end. */
	uint32_t ls = g->content_end;
	while (ls > g->start && doc->src[ls - 1] != '\n')
		ls--;
	size_t line_len = g->content_end - ls + 4 + strlen(cmd);
	bool split = g->multiline || line_len > st->width;
	dko_buf_put(out, doc->src + g->start, g->content_end - g->start);
	dko_style_join(out, st, split, cmd, strlen(cmd));
	dko_buf_put(out, doc->src + g->content_end, g->end - g->content_end);
}

void dko_node_splice(dko_buf *out, const dko_doc *doc, uint32_t node, uint32_t at,
                     const char *text)
{
	const dko_node *n = &doc->nodes[node];
	dko_buf_put(out, doc->src + n->span.start, at - n->span.start);
	dko_buf_puts(out, text);
	dko_buf_put(out, doc->src + at, n->span.end - at);
}
