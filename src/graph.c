/*
 * graph.c - stages, variables, build state and files read/written (see
 * graph.h). One forward walk over the nodes:
 *
 *  - ARGs before the first FROM are global: they expand FROM lines and are
 *    visible inside a stage only when the stage declares them again;
 *  - a stage starts from its base stage's final state when it is built FROM
 *    an earlier stage, else from an empty state (the base image's own ENV,
 *    WORKDIR and USER are unknown to us);
 *  - ENV and ARG definitions are expanded with the variables visible at that
 *    point, like BuildKit's word expansion; unknown values stay NULL;
 *  - COPY/ADD record their sources (context, other stage, URL, heredoc) and
 *    destination; RUN --mount=from= records a stage dependency.
 * Then targets, reachability (targets + FROM bases + dependencies) and the
 * shipped set (targets and, transitively, the stages they are built FROM).
 */
#include "graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef DKO_VEC(dko_var) varvec;
typedef DKO_VEC(dko_path) pathvec;

struct dko_graph {
	dko_arena arena;
	const dko_doc *doc;
	dko_stage *stages;
	uint32_t nstages;
	dko_ginstr *instrs; /* one per node */
	uint32_t ninstrs;
	varvec defs;        /* every definition, in order */
	DKO_VEC(dko_var_use) uses;
	int final;
};

/* ---- variable expansion ------------------------------------------------------- */

static bool name_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

typedef struct expander {
	const char *s;
	size_t n, p;
	char esc;
	dko_lookup_fn lookup;
	void *ctx;
	bool failed;
} expander;

static void expand_until(expander *e, dko_buf *out, char stop);

/* ${NAME...} or $NAME at e->p (on the '$'). */
static void expand_dollar(expander *e, dko_buf *out)
{
	e->p++;
	if (e->p >= e->n) {
		dko_buf_putc(out, '$');
		return;
	}
	bool brace = e->s[e->p] == '{';
	if (brace)
		e->p++;
	size_t ns = e->p;
	while (e->p < e->n && name_char(e->s[e->p], e->p == ns))
		e->p++;
	size_t nl = e->p - ns;
	if (nl == 0) {
		if (brace)
			e->failed = true; /* ${} or special parameters: not evaluated */
		else
			dko_buf_putc(out, '$');
		return;
	}
	char name[256];
	if (nl >= sizeof(name)) {
		e->failed = true;
		return;
	}
	memcpy(name, e->s + ns, nl);
	name[nl] = '\0';
	bool unknown = false;
	const char *val = e->lookup(e->ctx, name, &unknown);
	if (!brace) {
		if (unknown)
			e->failed = true;
		else if (val)
			dko_buf_puts(out, val);
		return;
	}
	if (e->p >= e->n) {
		e->failed = true;
		return;
	}
	char op = e->s[e->p];
	if (op == '}') {
		e->p++;
		if (unknown)
			e->failed = true;
		else if (val)
			dko_buf_puts(out, val);
		return;
	}
	bool colon = op == ':';
	if (colon) {
		e->p++;
		op = e->p < e->n ? e->s[e->p] : 0;
	}
	if (op != '-' && op != '+') {
		e->failed = true;
		return;
	}
	e->p++;
	dko_buf word = DKO_BUF_INIT;
	expand_until(e, &word, '}');
	if (unknown) {
		e->failed = true;
	} else {
		bool set = val && (!colon || *val);
		if (op == '-')
			dko_buf_puts(out, set ? val : dko_buf_cstr(&word));
		else if (set)
			dko_buf_puts(out, dko_buf_cstr(&word));
	}
	dko_buf_release(&word);
}

static void expand_until(expander *e, dko_buf *out, char stop)
{
	while (e->p < e->n && !e->failed) {
		char c = e->s[e->p];
		if (stop && c == stop) {
			e->p++;
			return;
		}
		if (c == '\'') {
			const char *q = memchr(e->s + e->p + 1, '\'', e->n - e->p - 1);
			if (!q) {
				e->failed = true;
				return;
			}
			dko_buf_put(out, e->s + e->p + 1, (size_t)(q - (e->s + e->p + 1)));
			e->p = (size_t)(q - e->s) + 1;
		} else if (c == '"') {
			e->p++;
			while (e->p < e->n && e->s[e->p] != '"' && !e->failed) {
				char d = e->s[e->p];
				if (d == e->esc && e->p + 1 < e->n &&
				    (e->s[e->p + 1] == '"' || e->s[e->p + 1] == '$' || e->s[e->p + 1] == e->esc)) {
					dko_buf_putc(out, e->s[e->p + 1]);
					e->p += 2;
				} else if (d == '$') {
					expand_dollar(e, out);
				} else {
					dko_buf_putc(out, d);
					e->p++;
				}
			}
			if (e->p >= e->n) {
				e->failed = true;
				return;
			}
			e->p++;
		} else if (c == '$') {
			expand_dollar(e, out);
		} else if (c == e->esc) {
			if (e->p + 1 < e->n)
				dko_buf_putc(out, e->s[e->p + 1]);
			e->p += 2;
		} else {
			dko_buf_putc(out, c);
			e->p++;
		}
	}
	if (stop)
		e->failed = true; /* missing terminator */
}

char *dko_expand_word(const char *word, size_t len, char escape, dko_lookup_fn lookup, void *ctx)
{
	expander e = {word, len, 0, escape, lookup, ctx, false};
	dko_buf out = DKO_BUF_INIT;
	expand_until(&e, &out, 0);
	if (e.failed) {
		dko_buf_release(&out);
		return NULL;
	}
	return dko_buf_detach(&out, NULL);
}

/* ---- state helpers ------------------------------------------------------------------ */

typedef struct walk {
	dko_graph *g;
	const dko_doc *doc;
	const dko_profile *prof;
	varvec globals;  /* ARGs before the first FROM */
	varvec vars;     /* visible in the current stage */
	dko_state st;    /* current state (vars filled at snapshot) */
	int stage;
} walk;

static const dko_var *find_var(const dko_var *v, uint32_t n, const char *name)
{
	for (uint32_t i = n; i-- > 0;)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

const char *dko_state_lookup(const dko_state *st, const char *name)
{
	const dko_var *v = find_var(st->vars, st->nvars, name);
	return v ? v->value : NULL;
}

bool dko_state_defines(const dko_state *st, const char *name)
{
	return find_var(st->vars, st->nvars, name) != NULL;
}

/* Lookup among the global ARGs (FROM lines): an unknown name is unset, and
 * so is an ARG with neither a default nor a --build-arg in the profile, as
 * in BuildKit. */
static const char *lookup_global(void *ctx, const char *name, bool *unknown)
{
	const varvec *v = ctx;
	const dko_var *x = find_var(v->items, (uint32_t)v->len, name);
	(void)unknown;
	return x ? x->value : NULL;
}

/* Lookup inside a stage: a name the Dockerfile does not define may come from
 * the base image's environment (PATH, GOPATH...), so its value is unknown. */
static const char *lookup_stage(void *ctx, const char *name, bool *unknown)
{
	const varvec *v = ctx;
	const dko_var *x = find_var(v->items, (uint32_t)v->len, name);
	if (!x || (!x->value && x->kind != DKO_VAR_ARG))
		*unknown = true;
	return x ? x->value : NULL;
}

static char *gdup(walk *w, const char *s)
{
	return s ? dko_arena_strdup(&w->g->arena, s) : NULL;
}

/* A build argument from the profile, if given: "NAME=value". */
static bool build_arg(const dko_profile *p, const char *name, const char **value)
{
	size_t n = strlen(name);
	for (size_t i = 0; p && i < p->nbuild_args; i++) {
		const char *a = p->build_args[i];
		if (strncmp(a, name, n) == 0 && (a[n] == '=' || a[n] == '\0')) {
			*value = a[n] == '=' ? a + n + 1 : getenv(name);
			return true;
		}
	}
	return false;
}

static void set_var(walk *w, varvec *v, const char *name, const char *value, dko_var_kind kind,
                    uint32_t node)
{
	dko_var x = {gdup(w, name), gdup(w, value), kind, node};
	DKO_VEC_PUSH(v, x);
	DKO_VEC_PUSH(&w->g->defs, x);
}

/* Record $NAME / ${NAME uses in text (outside single quotes). */
static void record_uses(walk *w, const char *t, size_t n, uint32_t node, const varvec *visible)
{
	bool squote = false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\'') {
			squote = !squote;
			continue;
		}
		if (squote || t[i] != '$' || i + 1 >= n)
			continue;
		size_t s = i + 1 + (t[i + 1] == '{');
		size_t e = s;
		while (e < n && name_char(t[e], e == s))
			e++;
		if (e == s || e - s > 255)
			continue;
		char name[256];
		memcpy(name, t + s, e - s);
		name[e - s] = '\0';
		dko_var_use u = {gdup(w, name), node,
		                 find_var(visible->items, (uint32_t)visible->len, name) != NULL};
		DKO_VEC_PUSH(&w->g->uses, u);
		i = e - 1;
	}
}

static char *join_path(const char *dir, const char *p)
{
	dko_buf b = DKO_BUF_INIT;
	if (p[0] == '/' || !dir)
		dko_buf_puts(&b, p);
	else {
		dko_buf_puts(&b, dir);
		if (b.len == 0 || b.ptr[b.len - 1] != '/')
			dko_buf_putc(&b, '/');
		dko_buf_puts(&b, p);
	}
	return dko_buf_detach(&b, NULL);
}

/* Clean an absolute path in place: collapse "//", "/./" and "/x/../"
 * (a trailing '/' is kept: it means "into this folder" for COPY). */
static void clean_path(char *p)
{
	size_t n = strlen(p);
	bool trail = n > 1 && p[n - 1] == '/';
	char *copy = dko_xstrdup(p);
	size_t *starts = dko_xmalloc((n / 2 + 2) * sizeof(size_t));
	size_t k = 0, depth = 0;
	p[k++] = '/';
	for (char *s = copy; *s;) {
		while (*s == '/')
			s++;
		char *e = s;
		while (*e && *e != '/')
			e++;
		size_t l = (size_t)(e - s);
		if (l == 0 || (l == 1 && s[0] == '.')) {
			/* nothing */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			if (depth)
				k = starts[--depth];
		} else {
			starts[depth++] = k;
			if (k > 1)
				p[k++] = '/';
			memcpy(p + k, s, l);
			k += l;
		}
		s = e;
	}
	if (trail && k > 1)
		p[k++] = '/';
	p[k] = '\0';
	free(starts);
	free(copy);
}

/* ---- instructions ------------------------------------------------------------------- */

static char *expand_arg(walk *w, const dko_arg *a, const varvec *vars)
{
	return dko_expand_word(a->value, a->len, w->doc->escape,
	                       vars == &w->globals ? lookup_global : lookup_stage, (void *)vars);
}

static void snapshot(walk *w, dko_ginstr *gi)
{
	gi->stage = w->stage;
	gi->state = w->st;
	gi->state.nvars = (uint32_t)w->vars.len;
	gi->state.vars = dko_arena_grow(&w->g->arena, NULL, 0, w->vars.len, sizeof(dko_var));
	if (w->vars.len)
		memcpy((void *)gi->state.vars, w->vars.items, w->vars.len * sizeof(dko_var));
}

static void do_arg(walk *w, const dko_instr *in, uint32_t node, bool global)
{
	for (uint32_t i = 0; i < in->nargs; i++) {
		const dko_arg *a = &in->args[i];
		const char *eq = memchr(a->value, '=', a->len);
		size_t nl = eq ? (size_t)(eq - a->value) : a->len;
		char *name = dko_xstrndup(a->value, nl);
		const char *val = NULL;
		char *dflt = NULL;
		varvec *scope = global ? &w->globals : &w->vars;
		if (eq) {
			/* The default expands with what is visible (globals for a global ARG). */
			dflt = dko_expand_word(eq + 1, a->len - nl - 1, w->doc->escape,
			                       global ? lookup_global : lookup_stage, scope);
		}
		const char *ba;
		if (build_arg(w->prof, name, &ba)) {
			val = ba;
		} else if (eq) {
			val = dflt;
		} else if (!global) {
			const dko_var *g = find_var(w->globals.items, (uint32_t)w->globals.len, name);
			val = g ? g->value : NULL;
		}
		set_var(w, scope, name, val, DKO_VAR_ARG, node);
		free(name);
		free(dflt);
	}
}

static void do_env(walk *w, const dko_instr *in, uint32_t node)
{
	/* Pairs: key, value, separator. All values expand against the state
	 * before the instruction, as BuildKit does. */
	varvec before = {0};
	for (size_t i = 0; i < w->vars.len; i++)
		DKO_VEC_PUSH(&before, w->vars.items[i]);
	for (uint32_t i = 0; i + 2 < in->nargs + 1 && i + 1 < in->nargs; i += 3) {
		char *key = dko_xstrndup(in->args[i].value, in->args[i].len);
		char *val = expand_arg(w, &in->args[i + 1], &before);
		set_var(w, &w->vars, key, val, DKO_VAR_ENV, node);
		free(key);
		free(val);
	}
	DKO_VEC_FREE(&before);
}

static void do_workdir(walk *w, const dko_instr *in)
{
	if (in->nargs < 1)
		return;
	char *p = expand_arg(w, &in->args[0], &w->vars);
	if (!p || (p[0] != '/' && !w->st.workdir)) {
		w->st.workdir = NULL;
		free(p);
		return;
	}
	char *j = join_path(w->st.workdir ? w->st.workdir : "/", p);
	clean_path(j);
	size_t l = strlen(j);
	if (l > 1 && j[l - 1] == '/')
		j[l - 1] = '\0';
	w->st.workdir = gdup(w, j);
	free(j);
	free(p);
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "git://", 6) || !strncmp(s, "ssh://", 6);
}

static void add_path(walk *w, pathvec *v, dko_path_kind kind, const char *path, const char *from,
                     int from_stage)
{
	dko_path p = {kind, gdup(w, path), gdup(w, from), from_stage};
	DKO_VEC_PUSH(v, p);
}

static void add_dep(walk *w, int stage)
{
	if (stage < 0 || w->stage < 0)
		return;
	dko_stage *s = &w->g->stages[w->stage];
	for (uint32_t i = 0; i < s->ndeps; i++)
		if (s->deps[i] == (uint32_t)stage)
			return;
	s->deps = dko_arena_grow(&w->g->arena, s->deps, s->ndeps, s->ndeps + 1, sizeof(uint32_t));
	s->deps[s->ndeps++] = (uint32_t)stage;
}

static void do_copy(walk *w, const dko_instr *in, dko_ginstr *gi)
{
	pathvec reads = {0}, writes = {0};
	const dko_flag *from = dko_instr_flag(in, "from");
	int from_stage = -1;
	char *fromv = NULL;
	if (from && from->value) {
		fromv = dko_expand_word(from->value, from->value_len, w->doc->escape, lookup_stage, &w->vars);
		from_stage = fromv ? dko_graph_stage_lookup(w->g, fromv) : -1;
		add_dep(w, from_stage);
	}
	for (uint32_t i = 0; i + 1 < in->nargs; i++) {
		const dko_arg *a = &in->args[i];
		bool heredoc = false;
		for (uint32_t h = 0; h < in->nheredocs; h++)
			heredoc |= a->span.start == in->heredocs[h].word.start;
		char *p = heredoc ? NULL : expand_arg(w, a, &w->vars);
		const char *path = p ? p : a->value;
		if (heredoc)
			add_path(w, &reads, DKO_PATH_HEREDOC, a->value, NULL, -1);
		else if (from)
			add_path(w, &reads, DKO_PATH_STAGE, path, fromv ? fromv : from->value, from_stage);
		else if (in->kind == DKO_I_ADD && is_url(path))
			add_path(w, &reads, DKO_PATH_URL, path, NULL, -1);
		else
			add_path(w, &reads, DKO_PATH_CONTEXT, path, NULL, -1);
		free(p);
	}
	if (in->nargs >= 1) {
		char *d = expand_arg(w, &in->args[in->nargs - 1], &w->vars);
		if (d) {
			char *j = d[0] == '/' ? dko_xstrdup(d) : w->st.workdir ? join_path(w->st.workdir, d) : NULL;
			if (j)
				clean_path(j);
			add_path(w, &writes, DKO_PATH_IMAGE, j ? j : d, NULL, -1);
			free(j);
		} else {
			add_path(w, &writes, DKO_PATH_IMAGE, in->args[in->nargs - 1].value, NULL, -1);
		}
		free(d);
	}
	free(fromv);
	gi->reads = dko_arena_grow(&w->g->arena, NULL, 0, reads.len, sizeof(dko_path));
	if (reads.len)
		memcpy(gi->reads, reads.items, reads.len * sizeof(dko_path));
	gi->nreads = (uint32_t)reads.len;
	gi->writes = dko_arena_grow(&w->g->arena, NULL, 0, writes.len, sizeof(dko_path));
	if (writes.len)
		memcpy(gi->writes, writes.items, writes.len * sizeof(dko_path));
	gi->nwrites = (uint32_t)writes.len;
	DKO_VEC_FREE(&reads);
	DKO_VEC_FREE(&writes);
}

static void do_run(walk *w, const dko_instr *in, dko_ginstr *gi)
{
	pathvec reads = {0};
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		if (f->name_len != 5 || memcmp(f->name, "mount", 5) || !f->value)
			continue;
		char *from = dko_mount_field(f->value, f->value_len, "from");
		char *type = dko_mount_field(f->value, f->value_len, "type");
		char *src = dko_mount_field(f->value, f->value_len, "source");
		if (!src)
			src = dko_mount_field(f->value, f->value_len, "src");
		bool bind = !type || !strcmp(type, "bind");
		if (from) {
			int st = dko_graph_stage_lookup(w->g, from);
			add_dep(w, st);
			add_path(w, &reads, DKO_PATH_STAGE, src ? src : "/", from, st);
		} else if (bind) {
			add_path(w, &reads, DKO_PATH_CONTEXT, src ? src : ".", NULL, -1);
		}
		free(from);
		free(type);
		free(src);
	}
	gi->reads = dko_arena_grow(&w->g->arena, NULL, 0, reads.len, sizeof(dko_path));
	if (reads.len)
		memcpy(gi->reads, reads.items, reads.len * sizeof(dko_path));
	gi->nreads = (uint32_t)reads.len;
	DKO_VEC_FREE(&reads);
}

static void do_from(walk *w, const dko_instr *in, uint32_t node)
{
	dko_graph *g = w->g;
	g->stages = dko_arena_grow(&g->arena, g->stages, g->nstages, g->nstages + 1, sizeof(dko_stage));
	dko_stage *s = &g->stages[g->nstages];
	s->index = g->nstages;
	s->from_node = node;
	s->base_stage = -1;
	if (in->nargs >= 1) {
		s->base = gdup(w, in->args[0].value);
		char *e = expand_arg(w, &in->args[0], &w->globals);
		s->base_expanded = gdup(w, e);
		if (e) {
			int b = dko_graph_stage_lookup(g, e);
			/* Only an earlier, named stage can be a base. */
			if (b >= 0 && g->stages[b].name && strcasecmp(g->stages[b].name, e) == 0)
				s->base_stage = b;
		}
		free(e);
	}
	if (in->nargs >= 3 && !strcasecmp(in->args[1].value, "as")) {
		char *n = dko_xstrdup(in->args[2].value);
		for (char *p = n; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		s->name = gdup(w, n);
		free(n);
	}
	const dko_flag *pl = dko_instr_flag(in, "platform");
	if (pl && pl->value)
		s->platform = gdup(w, pl->value);
	g->nstages++;
	w->stage = (int)s->index;
	/* The new stage's state: its base stage's final state, else empty. */
	w->vars.len = 0;
	memset(&w->st, 0, sizeof(w->st));
	if (s->base_stage >= 0) {
		const dko_stage *b = &g->stages[s->base_stage];
		const dko_ginstr *last = &g->instrs[b->end_node - 1];
		w->st = last->state;
		for (uint32_t i = 0; i < last->state.nvars; i++)
			if (last->state.vars[i].kind == DKO_VAR_ENV)
				DKO_VEC_PUSH(&w->vars, last->state.vars[i]);
	}
	w->st.vars = NULL;
	w->st.nvars = 0;
}

static void do_shell(walk *w, const dko_instr *in)
{
	if (!in->json || in->nargs == 0)
		return;
	const char **argv = dko_arena_alloc(&w->g->arena, in->nargs * sizeof(char *));
	for (uint32_t i = 0; i < in->nargs; i++)
		argv[i] = gdup(w, in->args[i].value);
	w->st.shell = argv;
	w->st.nshell = in->nargs;
}

static void instr_step(walk *w, uint32_t node)
{
	const dko_node *n = &w->doc->nodes[node];
	dko_ginstr *gi = &w->g->instrs[node];
	if (n->kind != DKO_NODE_INSTR) {
		snapshot(w, gi);
		return;
	}
	const dko_instr *in = n->instr;
	if (in->kind == DKO_I_FROM) {
		if (w->stage >= 0)
			w->g->stages[w->stage].end_node = node;
		do_from(w, in, node);
	}
	/* Uses are recorded against what is visible before the instruction. */
	const varvec *visible = w->stage < 0 || in->kind == DKO_I_FROM ? &w->globals : &w->vars;
	record_uses(w, in->text + in->keyword.end, in->text_len - in->keyword.end, node, visible);
	snapshot(w, gi);
	if (w->stage < 0) {
		if (in->kind == DKO_I_ARG)
			do_arg(w, in, node, true);
		return;
	}
	switch (in->kind) {
	case DKO_I_ARG: do_arg(w, in, node, false); break;
	case DKO_I_ENV: do_env(w, in, node); break;
	case DKO_I_WORKDIR: do_workdir(w, in); break;
	case DKO_I_USER:
		if (in->nargs) {
			char *u = expand_arg(w, &in->args[0], &w->vars);
			w->st.user = gdup(w, u ? u : in->args[0].value);
			free(u);
		}
		break;
	case DKO_I_SHELL: do_shell(w, in); break;
	case DKO_I_COPY:
	case DKO_I_ADD: do_copy(w, in, gi); break;
	case DKO_I_RUN: do_run(w, in, gi); break;
	case DKO_I_ONBUILD: w->g->stages[w->stage].has_onbuild = true; break;
	default: break;
	}
}

/* ---- targets, reachability, shipping ---------------------------------------------- */

static bool matches_any(const char **pats, size_t n, const char *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++) {
		dko_regex *re;
		if (dko_regex_compile(&re, pats[i], "unshipped") != 0)
			continue; /* config loading reports bad patterns */
		bool m = dko_regex_match(re, s, strlen(s));
		dko_regex_free(re);
		if (m)
			return true;
	}
	return false;
}

static void reach(dko_graph *g, uint32_t i)
{
	dko_stage *s = &g->stages[i];
	if (s->reachable)
		return;
	s->reachable = true;
	if (s->base_stage >= 0)
		reach(g, (uint32_t)s->base_stage);
	for (uint32_t k = 0; k < s->ndeps; k++)
		reach(g, s->deps[k]);
}

static int resolve_targets(dko_graph *g, const dko_profile *p)
{
	if (g->nstages == 0)
		return 0;
	size_t nt = p ? p->ntargets : 0;
	if (nt == 0) {
		g->stages[g->nstages - 1].is_target = true;
		g->final = (int)g->nstages - 1;
	}
	for (size_t i = 0; i < nt; i++) {
		int s = dko_graph_stage_lookup(g, p->targets[i]);
		if (s < 0)
			return dko_error_set(DKO_EINVAL, "target stage '%s' not found", p->targets[i]);
		g->stages[s].is_target = true;
		g->final = s;
	}
	/* Stages are built in dependency order, which is file order. */
	for (uint32_t i = g->nstages; i-- > 0;) {
		dko_stage *s = &g->stages[i];
		if (s->is_target)
			reach(g, i);
	}
	for (uint32_t i = g->nstages; i-- > 0;) {
		dko_stage *s = &g->stages[i];
		bool never = p && (matches_any(p->unshipped, p->nunshipped, s->name) ||
		                   matches_any(p->unshipped, p->nunshipped, s->base_expanded));
		if (never)
			s->shipped = false;
		else if (s->is_target)
			s->shipped = true;
		if (s->shipped && s->base_stage >= 0)
			g->stages[s->base_stage].shipped = true;
	}
	return 0;
}

int dko_graph_build(dko_graph **out, const dko_doc *doc, const dko_profile *profile)
{
	dko_graph *g = dko_xcalloc(1, sizeof(*g));
	dko_arena_init(&g->arena);
	g->doc = doc;
	g->final = -1;
	g->ninstrs = doc->nnodes;
	g->instrs = dko_arena_alloc(&g->arena, (doc->nnodes + 1) * sizeof(dko_ginstr));
	walk w = {.g = g, .doc = doc, .prof = profile, .stage = -1};
	for (uint32_t i = 0; i < doc->nnodes; i++)
		instr_step(&w, i);
	if (w.stage >= 0)
		g->stages[w.stage].end_node = doc->nnodes;
	DKO_VEC_FREE(&w.globals);
	DKO_VEC_FREE(&w.vars);
	*out = g;
	return resolve_targets(g, profile);
}

void dko_graph_free(dko_graph *g)
{
	if (!g)
		return;
	DKO_VEC_FREE(&g->defs);
	DKO_VEC_FREE(&g->uses);
	dko_arena_release(&g->arena);
	free(g);
}

uint32_t dko_graph_stage_count(const dko_graph *g)
{
	return g->nstages;
}

const dko_stage *dko_graph_stage(const dko_graph *g, uint32_t i)
{
	return i < g->nstages ? &g->stages[i] : NULL;
}

int dko_graph_stage_lookup(const dko_graph *g, const char *name)
{
	if (!name || !*name)
		return -1;
	for (uint32_t i = 0; i < g->nstages; i++)
		if (g->stages[i].name && strcasecmp(g->stages[i].name, name) == 0)
			return (int)i;
	char *end;
	long v = strtol(name, &end, 10);
	if (*end == '\0' && v >= 0 && (uint32_t)v < g->nstages)
		return (int)v;
	return -1;
}

const dko_ginstr *dko_graph_instr(const dko_graph *g, uint32_t node)
{
	return node < g->ninstrs ? &g->instrs[node] : NULL;
}

const dko_stage *dko_graph_final(const dko_graph *g)
{
	return g->final >= 0 ? &g->stages[g->final] : NULL;
}

uint32_t dko_graph_var_count(const dko_graph *g)
{
	return (uint32_t)g->defs.len;
}

const dko_var *dko_graph_var(const dko_graph *g, uint32_t i)
{
	return i < g->defs.len ? &g->defs.items[i] : NULL;
}

uint32_t dko_graph_use_count(const dko_graph *g)
{
	return (uint32_t)g->uses.len;
}

const dko_var_use *dko_graph_use(const dko_graph *g, uint32_t i)
{
	return i < g->uses.len ? &g->uses.items[i] : NULL;
}

/* ---- dump ------------------------------------------------------------------------------ */

static const char *path_kind(dko_path_kind k)
{
	static const char *const names[] = {"context", "stage", "url", "heredoc", "image"};
	return names[k];
}

static void dump_paths(dko_buf *b, const char *label, const dko_path *p, uint32_t n)
{
	if (!n)
		return;
	dko_buf_printf(b, " %s=[", label);
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			dko_buf_putc(b, ' ');
		if (p[i].kind == DKO_PATH_STAGE)
			dko_buf_printf(b, "%s:%s", p[i].from, p[i].path);
		else if (p[i].kind == DKO_PATH_IMAGE)
			dko_buf_puts(b, p[i].path);
		else
			dko_buf_printf(b, "%s:%s", path_kind(p[i].kind), p[i].path);
	}
	dko_buf_putc(b, ']');
}

static void dump_state(dko_buf *b, const dko_state *st)
{
	dko_buf_printf(b, " workdir=%s user=%s", st->workdir ? st->workdir : "?",
	               st->user ? st->user : "-");
	if (st->shell) {
		dko_buf_puts(b, " shell=[");
		for (uint32_t i = 0; i < st->nshell; i++)
			dko_buf_printf(b, "%s%s", i ? " " : "", st->shell[i]);
		dko_buf_putc(b, ']');
	}
}

int dko_graph_dump(char **out, size_t *len, const dko_graph *g, const dko_doc *doc)
{
	dko_buf b = DKO_BUF_INIT;
	for (uint32_t i = 0; i < g->nstages; i++) {
		const dko_stage *s = &g->stages[i];
		dko_buf_printf(&b, "(stage %u%s%s from=%s", i, s->name ? " name=" : "",
		               s->name ? s->name : "", s->base ? s->base : "?");
		if (s->base_stage >= 0)
			dko_buf_printf(&b, " base-stage=%d", s->base_stage);
		else if (s->base_expanded && strcmp(s->base_expanded, s->base))
			dko_buf_printf(&b, " image=%s", s->base_expanded);
		if (s->platform)
			dko_buf_printf(&b, " platform=%s", s->platform);
		if (s->ndeps) {
			dko_buf_puts(&b, " deps=[");
			for (uint32_t k = 0; k < s->ndeps; k++)
				dko_buf_printf(&b, "%s%u", k ? " " : "", s->deps[k]);
			dko_buf_putc(&b, ']');
		}
		dko_buf_printf(&b, "%s%s%s%s)\n", s->is_target ? " target" : "",
		               s->reachable ? " reachable" : " unreachable", s->shipped ? " shipped" : "",
		               s->has_onbuild ? " onbuild" : "");
	}
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		const dko_ginstr *gi = &g->instrs[i];
		dko_buf_printf(&b, "(L%u %s stage=%d", n->line,
		               n->instr->kind ? dko_instr_name(n->instr->kind) : "?", gi->stage);
		dump_state(&b, &gi->state);
		dump_paths(&b, "reads", gi->reads, gi->nreads);
		dump_paths(&b, "writes", gi->writes, gi->nwrites);
		dko_buf_puts(&b, ")\n");
	}
	for (size_t i = 0; i < g->defs.len; i++) {
		const dko_var *v = &g->defs.items[i];
		const char *val = v->value ? v->value : v->kind == DKO_VAR_ARG ? "<unset>" : "?";
		dko_buf_printf(&b, "(def L%u %s %s=%s)\n", doc->nodes[v->node].line,
		               v->kind == DKO_VAR_ARG ? "ARG" : "ENV", v->name, val);
	}
	for (size_t i = 0; i < g->uses.len; i++) {
		const dko_var_use *u = &g->uses.items[i];
		dko_buf_printf(&b, "(use L%u %s%s)\n", doc->nodes[u->node].line, u->name,
		               u->defined ? "" : " undefined");
	}
	*out = dko_buf_detach(&b, len);
	return 0;
}
