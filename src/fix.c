/*
 * fix.c - the fix pipeline: parse -> graph -> passes -> print, repeated.
 *
 * Every pass runs on a fresh parse of the current text, so passes never see
 * stale spans. After a pass edits, its output must parse again without an
 * error (else its edits are dropped: a safety net, never expected to fire),
 * and an aggressive pass's output goes through the verify hook when one is
 * set. Passes run in registry order, round after round, until a round
 * changes nothing (at most MAX_ROUNDS); suggestions are those of that last,
 * quiet round, so none is reported twice.
 *
 * Findings are located in the input file: a line map from the current text
 * to input lines is carried through every rewrite (a replaced or inserted
 * instruction maps to the first line of what it replaced).
 */
#include "dockopt/fix.h"
#include "config.h"
#include "context.h"
#include "pass.h"
#include "pkg.h"
#include "shell.h"
#include "util/alloc.h"
#include "util/fsutil.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 8

struct dko_fix_result {
	dko_arena arena;
	DKO_VEC(dko_file_edit) edits;
	DKO_VEC(dko_finding) findings;
	size_t runs_before, runs_after;
};

typedef struct extra_file {
	char *path;
	char *text;
	size_t len;
} extra_file;

typedef struct fix_run {
	const dko_fix_opts *opts;
	dko_fix_result *res;
	const char *path;
	uint32_t *origin; /* origin[line] = input line, 1-based; origin[0] unused */
	uint32_t norigin;
	DKO_VEC(dko_finding) pending;     /* findings of the pass being run */
	DKO_VEC(dko_finding) suggestions; /* suggestions of the current round */
	DKO_VEC(extra_file) files;
	struct dko_sh_script **scripts; /* per node, for the current pass */
	dko_sh_opts *sh_opts;           /* per node: the SHELL in effect */
	uint32_t nscripts;
	const dko_doc *doc;
} fix_run;

/* ---- results ------------------------------------------------------------------- */

void dko_fix_result_free(dko_fix_result *r)
{
	if (!r)
		return;
	DKO_VEC_FREE(&r->edits);
	DKO_VEC_FREE(&r->findings);
	dko_arena_release(&r->arena);
	free(r);
}

size_t dko_fix_edit_count(const dko_fix_result *r)
{
	return r->edits.len;
}

const dko_file_edit *dko_fix_edit(const dko_fix_result *r, size_t i)
{
	return i < r->edits.len ? &r->edits.items[i] : NULL;
}

size_t dko_fix_finding_count(const dko_fix_result *r)
{
	return r->findings.len;
}

const dko_finding *dko_fix_finding(const dko_fix_result *r, size_t i)
{
	return i < r->findings.len ? &r->findings.items[i] : NULL;
}

size_t dko_fix_applied_count(const dko_fix_result *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.len; i++)
		n += r->findings.items[i].applied;
	return n;
}

void dko_fix_run_counts(const dko_fix_result *r, size_t *before, size_t *after)
{
	*before = r->runs_before;
	*after = r->runs_after;
}

/* ---- the pass API -------------------------------------------------------------- */

static uint32_t origin_line(const fix_run *fr, uint32_t line)
{
	if (line >= 1 && line < fr->norigin)
		return fr->origin[line];
	return line;
}

static uint32_t node_last_line(const dko_doc *doc, const dko_node *n)
{
	uint32_t line = n->line;
	for (uint32_t i = n->span.start; i + 1 < n->span.end; i++)
		if (doc->src[i] == '\n')
			line++;
	return line;
}

static void add_pending(dko_pass_ctx *c, uint32_t node, uint32_t last, bool applied,
                        const char *fmt, va_list ap)
{
	fix_run *fr = c->run;
	dko_buf m = DKO_BUF_INIT;
	dko_buf_vprintf(&m, fmt, ap);
	const dko_node *n = &c->doc->nodes[node < c->doc->nnodes ? node : 0];
	const dko_node *ln = &c->doc->nodes[last < c->doc->nnodes ? last : 0];
	uint32_t line, col = 1;
	if (n->kind == DKO_NODE_INSTR) {
		dko_span k = dko_node_phys_span(n, n->instr->keyword);
		dko_doc_position(c->doc, k.start, &line, &col);
	}
	dko_finding f = {0};
	f.rule = c->pass->info.id;
	f.hadolint = c->pass->info.hadolint;
	f.tier = c->pass->info.tier;
	f.applied = applied;
	f.file = fr->path;
	f.line = origin_line(fr, n->line);
	f.col = col;
	f.end_line = origin_line(fr, node_last_line(c->doc, ln));
	if (f.end_line < f.line)
		f.end_line = f.line;
	f.message = dko_arena_strndup(&fr->res->arena, dko_buf_cstr(&m), m.len);
	f.reason = c->pass->info.title;
	dko_buf_release(&m);
	DKO_VEC_PUSH(&fr->pending, f);
}

void dko_pass_applied(dko_pass_ctx *c, uint32_t node, uint32_t last_node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_pending(c, node, last_node, true, fmt, ap);
	va_end(ap);
}

void dko_pass_suggest(dko_pass_ctx *c, uint32_t node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_pending(c, node, node, false, fmt, ap);
	va_end(ap);
}

void dko_pass_add_file(dko_pass_ctx *c, const char *rel_path, const char *text, size_t len)
{
	fix_run *fr = c->run;
	for (size_t i = 0; i < fr->files.len; i++) {
		if (strcmp(fr->files.items[i].path, rel_path) == 0) {
			free(fr->files.items[i].text);
			fr->files.items[i].text = dko_xstrndup(text, len);
			fr->files.items[i].len = len;
			return;
		}
	}
	extra_file f = {dko_xstrdup(rel_path), dko_xstrndup(text, len), len};
	DKO_VEC_PUSH(&fr->files, f);
}

uint32_t dko_pass_input_line(const dko_pass_ctx *c, uint32_t i)
{
	return origin_line(c->run, c->doc->nodes[i < c->doc->nnodes ? i : 0].line);
}

const char *dko_pass_node_text(const dko_pass_ctx *c, uint32_t i, size_t *len)
{
	const dko_node *n = &c->doc->nodes[i];
	*len = n->span.end - n->span.start;
	return c->doc->src + n->span.start;
}

/* ---- line origins ------------------------------------------------------------- */

static uint32_t count_lines(const char *s, size_t n)
{
	uint32_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* When an inserted text holds a run of nodes the same edit deleted (a pass
 * moved them, possibly with a new line or two before them and blank lines
 * after), the index of the first of them and, in *skip, how many lines of
 * the text come before it; else -1. */
static int moved_from(const dko_doc *doc, const dko_edit *e, uint32_t *skip)
{
	uint32_t start = 0;
	for (uint32_t lines = 0; lines < 8 && start < e->len; lines++) {
		for (uint32_t i = 0; i < doc->nnodes; i++) {
			uint32_t k = i, off = start;
			while (k < doc->nnodes && off < e->len) {
				const dko_node *n = &doc->nodes[k];
				uint32_t len = n->span.end - n->span.start;
				if (!n->replaced || n->repl_len || len == 0 || len > e->len - off ||
				    memcmp(e->text + off, doc->src + n->span.start, len) != 0)
					break;
				off += len;
				k++;
			}
			uint32_t rest = off;
			while (rest < e->len && (e->text[rest] == '\n' || e->text[rest] == '\r'))
				rest++;
			if (k > i && rest == e->len) {
				*skip = lines;
				return (int)i;
			}
		}
		const char *nl = memchr(e->text + start, '\n', e->len - start);
		if (!nl)
			break;
		start = (uint32_t)(nl - e->text) + 1;
	}
	return -1;
}

/* After printing doc's edits: the origin of every line of the new text.
 * Moved instructions keep the lines they came from. */
static void remap_origins(fix_run *fr, const dko_doc *doc, uint32_t new_lines)
{
	uint32_t *o = dko_xcalloc(new_lines + 2, sizeof(uint32_t));
	uint32_t at = 1;
#define EMIT(orig)                                                                     \
	do {                                                                               \
		if (at <= new_lines + 1)                                                       \
			o[at] = (orig);                                                            \
		at++;                                                                          \
	} while (0)
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		uint32_t first = origin_line(fr, n->line);
		for (const dko_edit *e = n->before; e; e = e->next) {
			uint32_t skip = 0;
			int from = moved_from(doc, e, &skip);
			uint32_t lines = count_lines(e->text, e->len);
			for (uint32_t k = 0; k < lines; k++)
				EMIT(from >= 0 && k >= skip ? origin_line(fr, doc->nodes[from].line + k - skip) : first);
		}
		if (n->replaced) {
			for (uint32_t k = count_lines(n->repl, n->repl_len); k > 0; k--)
				EMIT(first);
		} else {
			uint32_t k = count_lines(doc->src + n->span.start, n->span.end - n->span.start);
			for (uint32_t j = 0; j < k; j++)
				EMIT(origin_line(fr, n->line + j));
		}
	}
	uint32_t last = fr->norigin > 1 ? fr->origin[fr->norigin - 1] : 1;
	while (at <= new_lines + 1)
		EMIT(last);
#undef EMIT
	free(fr->origin);
	fr->origin = o;
	fr->norigin = new_lines + 2;
}

/* ---- rule selection -------------------------------------------------------------- */

static bool id_in(const char *const *list, size_t n, const dko_rule_info *r)
{
	for (size_t i = 0; i < n; i++) {
		const dko_rule_info *x = dko_rule_find(list[i]);
		if (x == r)
			return true;
	}
	return false;
}

static bool pass_enabled(const dko_fix_opts *o, const dko_pass *p)
{
	const dko_rule_info *r = &p->info;
	if (o->select)
		return id_in(o->select, o->nselect, r) && !id_in(o->ignore, o->nignore, r);
	if (id_in(o->ignore, o->nignore, r))
		return false;
	int set = o->config ? dko_config_rule_setting(o->config, r) : -1;
	if (set >= 0)
		return set == 1;
	bool aggressive = o->aggressive || (o->config && dko_config_aggressive(o->config));
	return r->tier == DKO_TIER_SAFE || aggressive;
}

/* ---- one pass ------------------------------------------------------------------------ */

static void free_scripts(fix_run *fr);

static size_t count_runs(const dko_doc *doc)
{
	size_t n = 0;
	for (uint32_t i = 0; i < doc->nnodes; i++)
		n += doc->nodes[i].kind == DKO_NODE_INSTR && doc->nodes[i].instr->kind == DKO_I_RUN;
	return n;
}

/* Keep the pass's findings: applied ones go to the result (or become
 * suggestions saying why, when the edit was dropped), suggestions to the
 * current round's list. A pass that changed nothing in the Dockerfile but
 * reports a change made one to another file (dockerignore adds a file): it
 * does so again every round, so, like suggestions, only the last round's
 * count (kept_text: the pass left the Dockerfile as it was). */
static void commit_pending(fix_run *fr, const char *dropped, bool kept_text)
{
	for (size_t i = 0; i < fr->pending.len; i++) {
		dko_finding f = fr->pending.items[i];
		if (f.applied && dropped) {
			dko_buf m = DKO_BUF_INIT;
			dko_buf_printf(&m, "%s (not applied: %s)", f.message, dropped);
			f.message = dko_arena_strndup(&fr->res->arena, dko_buf_cstr(&m), m.len);
			dko_buf_release(&m);
			f.applied = false;
		}
		if (f.applied && !kept_text)
			DKO_VEC_PUSH(&fr->res->findings, f);
		else
			DKO_VEC_PUSH(&fr->suggestions, f);
	}
	fr->pending.len = 0;
}

typedef struct env {
	const dko_profile *profile;
	dko_context *context;
	const struct dko_pkg_table *pkgs;
} env;

/* RUN instructions whose shell does not parse (syntax errors, not "not a
 * shell"). A pass must never add one: that is checked after every edit. */
static size_t broken_shells(const dko_doc *doc)
{
	size_t n = 0;
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *nd = &doc->nodes[i];
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		if (nd->kind != DKO_NODE_INSTR || nd->instr->kind != DKO_I_RUN || nd->instr->json)
			continue;
		dko_sh_script *s = NULL;
		dko_sh_parse_node(&s, doc, i, &o);
		dko_sh_okind k = s ? dko_sh_opaque_kind(s) : DKO_SH_PARSED;
		n += k == DKO_SH_SYNTAX || k == DKO_SH_TOO_DEEP;
		dko_sh_free(s);
	}
	dko_sh_walker_release(&w);
	return n;
}

/* Run pass p on *text. Returns true when it changed the text. */
static bool run_pass(fix_run *fr, const dko_pass *p, char **text, size_t *len, const env *e)
{
	dko_doc *doc;
	dko_parse(&doc, *text, *len, &(dko_parse_opts){fr->path});
	dko_graph *g = NULL;
	bool changed = false;
	if (dko_graph_build(&g, doc, e->profile) != 0) {
		dko_graph_free(g);
		dko_doc_free(doc);
		return false;
	}
	dko_style st;
	dko_style_detect(&st, doc);
	dko_pass_ctx c = {doc, g, fr->opts, &st, e->context, e->pkgs, fr, p};
	fr->doc = doc;
	fr->nscripts = doc->nnodes;
	fr->scripts = dko_xcalloc(doc->nnodes + 1, sizeof(*fr->scripts));
	fr->sh_opts = dko_xcalloc(doc->nnodes + 1, sizeof(*fr->sh_opts));
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++)
		dko_sh_walker_opts(&w, i, &fr->sh_opts[i]);
	fr->pending.len = 0;
	p->run(&c);
	if (doc->edited) {
		char *out;
		size_t olen;
		dko_doc_print(&out, &olen, doc);
		if (olen == *len && memcmp(out, *text, olen) == 0) {
			free(out);
		} else {
			const char *drop = NULL;
			dko_doc *check;
			if (dko_parse(&check, out, olen, NULL) != 0 || dko_cst_check(check) != 0)
				drop = "the rewrite did not parse (internal error, please report)";
			else if (broken_shells(check) > broken_shells(doc))
				drop = "the rewrite broke a RUN's shell syntax (internal error, please report)";
			dko_doc_free(check);
			if (!drop && p->info.tier == DKO_TIER_AGGRESSIVE && fr->opts->verify &&
			    fr->opts->verify(fr->opts->verify_ctx, fr->path, *text, *len, out, olen) != 0)
				drop = "verify failed";
			if (drop) {
				free(out);
				commit_pending(fr, drop, false);
			} else {
				remap_origins(fr, doc, count_lines(out, olen));
				free(*text);
				*text = out;
				*len = olen;
				changed = true;
			}
		}
	}
	commit_pending(fr, NULL, !changed);
	free_scripts(fr);
	dko_sh_walker_release(&w);
	fr->doc = NULL;
	dko_graph_free(g);
	dko_doc_free(doc);
	return changed;
}

static void clear_files(fix_run *fr)
{
	for (size_t i = 0; i < fr->files.len; i++) {
		free(fr->files.items[i].path);
		free(fr->files.items[i].text);
	}
	fr->files.len = 0;
}

/* Passes in registry order, round after round, until a round changes
 * nothing. Suggestions and added files are those of the last round. */
static void run_rounds(fix_run *fr, const dko_fix_opts *o, char **cur, size_t *clen, const env *e)
{
	for (int round = 0; round < MAX_ROUNDS; round++) {
		bool changed = false;
		fr->suggestions.len = 0;
		/* Added files too are those of the last round: every pass runs in it. */
		clear_files(fr);
		for (size_t i = 0; i < dko_pass_registry_len; i++) {
			const dko_pass *p = dko_pass_registry[i];
			if (pass_enabled(o, p))
				changed |= run_pass(fr, p, cur, clen, e);
		}
		if (!changed)
			break;
	}
}

/*
 * When the fix proposes a .dockerignore for a context that had none, the
 * input is fixed again with it in force, as `dockopt fix` would fix it
 * with the file already written (manifest-first may then copy the
 * manifests first once node_modules is left out), so fixing the result
 * again changes nothing. The proposal and its findings are those of the
 * first phase; every other finding is the second's.
 */
static void second_phase(fix_run *fr, const dko_fix_opts *o, char **cur, size_t *clen, const env *e,
                         const char *text, size_t len, size_t nfindings)
{
	const extra_file *ig = NULL;
	for (size_t i = 0; i < fr->files.len && !ig; i++)
		if (!strcmp(fr->files.items[i].path, ".dockerignore"))
			ig = &fr->files.items[i];
	if (!ig || !e->context || dko_context_ignore_file(e->context))
		return;
	if (dko_context_use_ignore(e->context, ".dockerignore", ig->text, ig->len) != 0) {
		dko_context_use_ignore(e->context, NULL, NULL, 0);
		dko_error_clear();
		return;
	}
	/* Keep the first phase's files and dockerignore findings. */
	DKO_VEC(extra_file) files = {0};
	for (size_t i = 0; i < fr->files.len; i++)
		DKO_VEC_PUSH(&files, fr->files.items[i]);
	fr->files.len = 0;
	DKO_VEC(dko_finding) kept = {0};
	for (size_t i = 0; i < fr->suggestions.len; i++)
		if (!strcmp(fr->suggestions.items[i].rule, "dockerignore"))
			DKO_VEC_PUSH(&kept, fr->suggestions.items[i]);
	/* Start again from the input: the first phase's rewrites were made
	 * without the file (merge-runs may have joined what manifest-first
	 * would now split off). Its applied findings go too. */
	fr->res->findings.len = nfindings;
	free(*cur);
	*cur = dko_xstrndup(text, len);
	*clen = len;
	free(fr->origin);
	fr->norigin = count_lines(text, len) + 2;
	fr->origin = dko_xcalloc(fr->norigin, sizeof(uint32_t));
	for (uint32_t i = 0; i < fr->norigin; i++)
		fr->origin[i] = i;
	run_rounds(fr, o, cur, clen, e);
	clear_files(fr);
	for (size_t i = 0; i < files.len; i++)
		DKO_VEC_PUSH(&fr->files, files.items[i]);
	DKO_VEC_FREE(&files);
	/* The second phase's dockerignore findings speak of a file that does
	 * not exist yet: drop them for the first phase's. */
	size_t w = 0;
	for (size_t i = 0; i < fr->suggestions.len; i++)
		if (strcmp(fr->suggestions.items[i].rule, "dockerignore") != 0)
			fr->suggestions.items[w++] = fr->suggestions.items[i];
	fr->suggestions.len = w;
	for (size_t i = 0; i < kept.len; i++)
		DKO_VEC_PUSH(&fr->suggestions, kept.items[i]);
	DKO_VEC_FREE(&kept);
	dko_context_use_ignore(e->context, NULL, NULL, 0);
}

/* ---- the loop -------------------------------------------------------------------------- */

static void add_edit(dko_fix_result *r, const char *path, const char *old, size_t olen,
                     const char *new_text, size_t nlen)
{
	dko_file_edit e;
	e.path = dko_arena_strdup(&r->arena, path);
	e.old_text = old ? dko_arena_strndup(&r->arena, old, olen) : NULL;
	e.old_len = olen;
	e.new_text = dko_arena_strndup(&r->arena, new_text, nlen);
	e.new_len = nlen;
	DKO_VEC_PUSH(&r->edits, e);
}

static int cmp_finding(const void *a, const void *b)
{
	const dko_finding *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->applied != y->applied)
		return x->applied ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

static void open_context(const dko_fix_opts *o, dko_context **ctx)
{
	*ctx = NULL;
	if (o->context_dir && !*o->context_dir)
		return;
	char *dir = o->context_dir ? dko_xstrdup(o->context_dir)
	                           : (o->path && strcmp(o->path, "-") && strcmp(o->path, "<stdin>"))
	                                 ? dko_fs_dirname(o->path)
	                                 : NULL;
	if (dir && dko_context_open_dir(ctx, dir) != 0)
		*ctx = NULL;
	free(dir);
}

int dko_fix(dko_fix_result **out, const char *text, size_t len, const dko_fix_opts *opts)
{
	dko_fix_result *r = dko_xcalloc(1, sizeof(*r));
	dko_arena_init(&r->arena);
	*out = r;
	dko_fix_opts defaults = {0};
	const dko_fix_opts *o = opts ? opts : &defaults;
	const char *path = o->path ? o->path : "Dockerfile";

	dko_doc *doc;
	int rc = dko_parse(&doc, text, len, &(dko_parse_opts){path});
	r->runs_before = r->runs_after = count_runs(doc);
	dko_doc_free(doc);
	if (rc != 0 || o->no_passes)
		return rc;

	dko_profile prof = {0};
	prof.context_dir = o->context_dir;
	prof.targets = o->targets;
	prof.ntargets = o->ntargets;
	prof.build_args = o->build_args;
	prof.nbuild_args = o->nbuild_args;
	prof.secrets = o->secrets;
	prof.nsecrets = o->nsecrets;
	if (o->config)
		dko_config_unshipped(o->config, &prof.unshipped, &prof.nunshipped);
	dko_graph *g;
	dko_parse(&doc, text, len, &(dko_parse_opts){path});
	rc = dko_graph_build(&g, doc, &prof);
	dko_graph_free(g);
	dko_doc_free(doc);
	if (rc != 0)
		return rc;

	dko_pkg_table *own_table = NULL;
	env e = {&prof, NULL, o->config ? dko_config_pkg_table(o->config) : NULL};
	if (!e.pkgs) {
		dko_pkg_table_new(&own_table);
		e.pkgs = own_table;
	}
	if (o->context)
		e.context = o->context; /* the caller's, not ours to free */
	else
		open_context(o, &e.context);
	fix_run fr = {0};
	fr.opts = o;
	fr.res = r;
	fr.path = dko_arena_strdup(&r->arena, path);
	fr.norigin = count_lines(text, len) + 2;
	fr.origin = dko_xcalloc(fr.norigin, sizeof(uint32_t));
	for (uint32_t i = 0; i < fr.norigin; i++)
		fr.origin[i] = i;

	char *cur = dko_xstrndup(text, len);
	size_t clen = len;
	size_t nfindings = r->findings.len;
	run_rounds(&fr, o, &cur, &clen, &e);
	second_phase(&fr, o, &cur, &clen, &e, text, len, nfindings);
	for (size_t i = 0; i < fr.suggestions.len; i++)
		DKO_VEC_PUSH(&r->findings, fr.suggestions.items[i]);
	if (clen != len || memcmp(cur, text, len) != 0)
		add_edit(r, path, text, len, cur, clen);
	dko_parse(&doc, cur, clen, NULL);
	r->runs_after = count_runs(doc);
	dko_doc_free(doc);
	for (size_t i = 0; i < fr.files.len; i++) {
		extra_file *f = &fr.files.items[i];
		add_edit(r, f->path, NULL, 0, f->text, f->len);
		free(f->path);
		free(f->text);
	}
	if (r->findings.len)
		qsort(r->findings.items, r->findings.len, sizeof(dko_finding), cmp_finding);
	DKO_VEC_FREE(&fr.files);
	DKO_VEC_FREE(&fr.pending);
	DKO_VEC_FREE(&fr.suggestions);
	free(fr.origin);
	free(cur);
	if (!o->context)
		dko_context_free(e.context);
	dko_pkg_table_free(own_table);
	return 0;
}

/* ---- shell trees, cached per pass run ------------------------------------------------ */

static void free_scripts(fix_run *fr)
{
	for (uint32_t i = 0; i < fr->nscripts; i++)
		dko_sh_free(fr->scripts[i]);
	free(fr->scripts);
	free(fr->sh_opts);
	fr->scripts = NULL;
	fr->sh_opts = NULL;
	fr->nscripts = 0;
}

struct dko_sh_script *dko_pass_script(dko_pass_ctx *c, uint32_t node)
{
	fix_run *fr = c->run;
	if (node >= fr->nscripts || c->doc->nodes[node].kind != DKO_NODE_INSTR)
		return NULL;
	const dko_instr *in = c->doc->nodes[node].instr;
	if (in->kind == DKO_I_ONBUILD)
		in = in->sub;
	if (!in || in->json)
		return NULL;
	if (!fr->scripts[node])
		dko_sh_parse_node(&fr->scripts[node], c->doc, node, &fr->sh_opts[node]);
	return fr->scripts[node];
}
