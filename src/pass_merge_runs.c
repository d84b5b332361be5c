/*
 * pass_merge_runs.c - merge-runs (DL3059): consecutive RUN instructions of a
 * stage become one, so the image has fewer layers.
 *
 * A chain R1..Rn of RUNs with nothing between them but comments and blank
 * lines is merged when every RUN is shell form for a POSIX shell, has no
 * heredoc, parses completely, carries the same flags (mounts, network,
 * security) as the others and is not switched off by a pragma. The merged
 * RUN must fail exactly when one of the originals would, and no part may see
 * shell state that an earlier part left behind. Parts are joined one of two
 * ways:
 *
 *  && : "R1 && R2". A later part that is not a single &&-list becomes
 *       { R2; } (else "R1 && x || y" would run y after a failed R1); a part
 *       that leaves shell state (cd, export, set, umask, traps, assignments,
 *       exit/exec ...) runs in a subshell ( R1 ). The shell ignores errexit
 *       (set -e) inside a compound command that is not the last of an
 *       &&-list, so a part that may rely on errexit is joined with && only
 *       when it is flat (no compound command) and not wrapped.
 *  ;  : "R1; R2", for the docker-library style where RUNs begin with
 *       `set -eux`: allowed when errexit is certainly on at the end of R1
 *       (R1 opens with `set -e...`, inherits it from an earlier ';' part, or
 *       the SHELL has -e), R1's last command is a single pipeline (a failing
 *       one then stops the script), the only state R1 leaves is its `set`
 *       options, and R2 behaves the same with them: it opens with the very
 *       same `set` line, or the SHELL gives it errexit anyway, or it is one
 *       flat list (errexit changes nothing for it); and every earlier join of
 *       the chain was ';' too. A part that is one flat list is joined with
 *       && even when errexit is on: it fails the same way either way.
 * A RUN ending in & is never merged. A trailing shell comment of a part
 * that is not last moves onto a comment line above the merged RUN, with the
 * comments that stood between the RUNs. A lone `apt-get update` RUN merged
 * into the install after it also fixes a cache bug: its layer would be
 * reused with stale package lists.
 */
#include "pass.h"
#include "runedit.h"
#include "shell.h"
#include "util/buf.h"
#include "util/vec.h"

#include <string.h>

#define REASON "Each RUN adds a layer; consecutive RUNs of one stage merge into one."

enum join { JOIN_NONE, JOIN_AND, JOIN_SEMI };

typedef struct elem {
	uint32_t node;
	dko_run_geom g;
	dko_sh_script *s;
	bool leaks;       /* leaves shell state behind */
	bool only_set;    /* ...and that state is only `set` options */
	bool and_list;    /* one &&-list */
	bool errexit;     /* errexit (set -e) may be on while it runs */
	bool errexit_sure;/* errexit is certainly on at its end */
	bool flat;        /* no compound command */
	bool last_single; /* its last top-level list is a single pipeline */
	bool single_flat; /* one top-level and-or list, flat: errexit changes nothing */
	bool sets_off;    /* may turn errexit off (set +e, or what could) */
	bool shell_errexit; /* the SHELL in effect has -e */
	const dko_sh_cmd *first_set; /* its first command, when that is `set` */
	uint32_t comment; /* source offset of a trailing shell comment, or 0 */
	enum join join;   /* how it joins the element before it */
} elem;

/* ---- shell facts ---------------------------------------------------------------------- */

/* Source offset of the shell comment that ends the script, or 0. */
static uint32_t trailing_comment(const dko_sh_script *s, const dko_run_geom *g)
{
	for (size_t i = dko_sh_token_count(s); i-- > 0;) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->kind == DKO_SH_TOK_BLANK || t->kind == DKO_SH_TOK_NEWLINE || t->kind == DKO_SH_TOK_CONT)
			continue;
		if (t->kind != DKO_SH_TOK_COMMENT)
			return 0;
		uint32_t at = dko_sh_phys_span(s, t->span).start;
		return at > g->body && at < g->content_end ? at : 0;
	}
	return 0;
}

static const char *cmd_name(const dko_sh_cmd *c)
{
	return c->nwords ? c->words[0].lit : NULL;
}

/* An option cluster ("-eux") or "-o errexit" that turns errexit on (off with +). */
static bool errexit_arg(const char *a, const char *next, char sign)
{
	if (!a || a[0] != sign || a[1] == sign || (sign == '-' && a[1] == '-'))
		return false;
	if (!strcmp(a + 1, "o"))
		return next && !strcmp(next, "errexit");
	return strchr(a + 1, 'e') != NULL;
}

static bool set_touches_errexit(const dko_sh_cmd *c, char sign)
{
	for (uint32_t k = 1; k < c->nwords; k++)
		if (errexit_arg(c->words[k].lit, k + 1 < c->nwords ? c->words[k + 1].lit : NULL, sign))
			return true;
	return false;
}

static bool shell_errexit(const dko_state *st)
{
	for (uint32_t i = 1; st->shell && i < st->nshell; i++)
		if (strcmp(st->shell[i], "-c") &&
		    errexit_arg(st->shell[i], i + 1 < st->nshell ? st->shell[i + 1] : NULL, '-'))
			return true;
	return false;
}

/* Errexit may be on: the SHELL's flags, a `set -e`, or what could do it. */
static bool errexit_possible(const dko_state *st, const dko_sh_script *s)
{
	if (shell_errexit(st))
		return true;
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		const char *name = cmd_name(c);
		if (!name)
			continue;
		if (!strcmp(name, "source") || !strcmp(name, ".") || !strcmp(name, "eval"))
			return true;
		if (!strcmp(name, "set") && set_touches_errexit(c, '-'))
			return true;
	}
	return false;
}

/* Errexit is certainly on at the end: the SHELL has -e or the script opens
 * with `set -e...`, and nothing turns it off (or could). */
static bool errexit_certain(const dko_state *st, const dko_sh_script *s, const dko_sh_cmd *first_set)
{
	if (!shell_errexit(st) && !(first_set && set_touches_errexit(first_set, '-')))
		return false;
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		const char *name = cmd_name(c);
		if (!c->nwords)
			continue; /* assignments only */
		if (!name)
			return false; /* a command name that is not static */
		if (!strcmp(name, "source") || !strcmp(name, ".") || !strcmp(name, "eval") ||
		    (!strcmp(name, "set") && set_touches_errexit(c, '+')))
			return false;
	}
	return true;
}

/* A `set +e` (or what could run one: source, ., eval) or a command whose
 * name is not static. */
static bool may_turn_errexit_off(const dko_sh_script *s)
{
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		const char *name = cmd_name(c);
		if (!c->nwords)
			continue;
		if (!name || !strcmp(name, "source") || !strcmp(name, ".") || !strcmp(name, "eval") ||
		    (!strcmp(name, "set") && set_touches_errexit(c, '+')))
			return true;
	}
	return false;
}

/* No compound command at all (a reserved word, a subshell or a function). */
static bool is_flat(const dko_sh_script *s)
{
	static const char *const reserved[] = {"if", "then", "else", "elif", "fi", "for", "while",
	                                       "until", "do", "done", "case", "esac", "{", "}",
	                                       "function", "select", "[[", "!"};
	size_t len;
	const char *text = dko_sh_text(s, &len);
	for (size_t i = 0; i < dko_sh_token_count(s); i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		size_t n = t->span.end - t->span.start;
		const char *w = text + t->span.start;
		if (t->kind == DKO_SH_TOK_OP && n == 1 && (*w == '(' || *w == ')'))
			return false;
		if (t->kind != DKO_SH_TOK_WORD)
			continue;
		for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
			if (strlen(reserved[r]) == n && !memcmp(reserved[r], w, n))
				return false;
	}
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		if (c->in_function || (c->in_subshell && !c->in_pipeline))
			return false;
	}
	return true;
}

/* The last top-level and-or list has no && or || (one pipeline). */
static bool last_is_single(const dko_sh_script *s)
{
	size_t n = dko_sh_item_count(s);
	if (n == 0)
		return false;
	dko_span sp = dko_sh_item_at(s, n - 1)->span;
	size_t len;
	const char *text = dko_sh_text(s, &len);
	for (size_t i = 0; i < dko_sh_token_count(s); i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->kind != DKO_SH_TOK_OP || t->span.start < sp.start || t->span.end > sp.end)
			continue;
		if (t->span.end - t->span.start == 2 &&
		    (!memcmp(text + t->span.start, "&&", 2) || !memcmp(text + t->span.start, "||", 2)))
			return false;
	}
	return true;
}

/* Whether the only shell state the script leaves is `set` options. */
static bool leaks_only_set(const dko_sh_script *s)
{
	static const char *const state[] = {"cd", "pushd", "popd", "export", "unset", "readonly",
	                                    "declare", "typeset", "local", "shopt", "umask", "ulimit",
	                                    "source", ".", "exit", "return", "exec", "trap", "alias",
	                                    "unalias", "eval", "read", "getopts", "shift", "let",
	                                    "mapfile", "readarray", "builtin", "command", "hash",
	                                    "enable", "wait"};
	if (dko_sh_ends_in_background(s))
		return false;
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		if (c->in_subshell || c->in_pipeline)
			continue;
		if (c->in_function || c->background || (c->nassigns && !c->nwords))
			return false;
		const char *name = cmd_name(c);
		if (!name)
			return false;
		for (size_t k = 0; k < sizeof(state) / sizeof(state[0]); k++)
			if (!strcmp(name, state[k]))
				return false;
	}
	return true;
}

static bool same_words(const dko_sh_cmd *a, const dko_sh_cmd *b)
{
	if (!a || !b || a->nwords != b->nwords || a->nassigns || b->nassigns)
		return false;
	for (uint32_t i = 0; i < a->nwords; i++)
		if (!a->words[i].lit || !b->words[i].lit || strcmp(a->words[i].lit, b->words[i].lit))
			return false;
	return true;
}

/* ---- chains ---------------------------------------------------------------------------- */

/* Can node i take part in a merge? Sets *why when it cannot. */
static bool candidate(dko_pass_ctx *c, uint32_t i, elem *e, const char **why)
{
	const dko_node *n = &c->doc->nodes[i];
	*why = NULL;
	if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
		return false;
	if (n->instr->json)
		return *why = "is in exec (JSON) form", false;
	if (n->instr->nheredocs)
		return *why = "uses a heredoc", false;
	if (dko_pass_disabled_at(c, i))
		return *why = "is excluded by a pragma", false;
	const dko_ginstr *gi = dko_graph_instr(c->graph, i);
	if (!dko_run_posix_shell(&gi->state))
		return *why = "runs under a SHELL that is not a POSIX shell", false;
	if (!dko_run_geom_get(c->doc, i, &e->g))
		return *why = "has no shell command", false;
	e->s = dko_pass_script(c, i);
	if (!e->s || dko_sh_is_opaque(e->s))
		return *why = "has shell code dockopt could not fully parse", false;
	e->node = i;
	e->leaks = dko_sh_leaked_state(e->s, NULL) != NULL;
	e->only_set = leaks_only_set(e->s);
	e->and_list = dko_sh_is_and_list(e->s);
	e->comment = trailing_comment(e->s, &e->g);
	e->flat = is_flat(e->s);
	e->last_single = last_is_single(e->s);
	const dko_sh_cmd *c0 = dko_sh_cmd_count(e->s) ? dko_sh_cmd_at(e->s, 0) : NULL;
	e->first_set = c0 && cmd_name(c0) && !strcmp(cmd_name(c0), "set") && !c0->conditional &&
	                       c0->list_index == 0 && !c0->in_subshell
	                   ? c0
	                   : NULL;
	e->errexit = errexit_possible(&gi->state, e->s);
	e->errexit_sure = errexit_certain(&gi->state, e->s, e->first_set);
	e->single_flat = e->flat && dko_sh_item_count(e->s) == 1 && !dko_sh_ends_in_background(e->s);
	e->sets_off = may_turn_errexit_off(e->s);
	e->shell_errexit = shell_errexit(&gi->state);
	return true;
}

/* The next instruction after node i with only comments/blank lines between. */
static int next_instr(const dko_doc *doc, uint32_t i)
{
	for (uint32_t k = i + 1; k < doc->nnodes; k++) {
		dko_node_kind kind = doc->nodes[k].kind;
		if (kind == DKO_NODE_INSTR)
			return (int)k;
		if (kind != DKO_NODE_BLANK && kind != DKO_NODE_COMMENT)
			return -1;
	}
	return -1;
}

/* What the chain built so far leaves for the next part: only ';' joins
 * carry shell state over (an && join needs a part that leaks nothing, or
 * wraps it in a subshell). */
typedef struct chain_state {
	bool all_semi;          /* every join so far is ';' */
	bool errexit_maybe;     /* errexit may be on at top level from here on */
	bool errexit_on;        /* errexit is certainly on when the last part starts */
	const dko_sh_cmd *set;  /* the `set` line the chain opened with, if any */
} chain_state;

/* Whether b runs the same when errexit is on: it was written for it (its
 * own set -e, or the SHELL's -e), or it is one flat list (a failure stops
 * it either way) that cannot turn errexit off. */
static bool errexit_neutral(const elem *b)
{
	return b->errexit_sure || b->shell_errexit || (b->single_flat && !b->sets_off);
}

/* How b may follow a (a being element k of the chain); JOIN_NONE with *why
 * when it may not. */
static enum join how_to_join(const elem *a, size_t k, const chain_state *cs, const elem *b,
                             const dko_doc *doc, const char **why)
{
	*why = NULL;
	if (dko_sh_ends_in_background(a->s))
		return *why = "the one before it ends in a background job (&)", JOIN_NONE;
	if (!dko_run_same_flags(doc->nodes[a->node].instr, doc->nodes[b->node].instr))
		return *why = "their flags (mounts, network, security) differ", JOIN_NONE;
	bool braced = k > 0 && a->join == JOIN_AND && !a->and_list;
	bool wrapped = a->leaks || braced;
	/* Once a ';' join has let errexit out at top level, every later part
	 * runs with it: each must be written for it or not care. */
	bool leaked = cs->errexit_maybe || (a->errexit && !wrapped);
	if (leaked && !errexit_neutral(b))
		return *why = "errexit (set -e) from the RUNs before it would apply to it", JOIN_NONE;
	/* Errexit only matters to a part with more than one list or a compound
	 * command: a single flat list fails the same way with it or without. */
	bool sensitive = (a->errexit || cs->errexit_maybe) && !a->single_flat;
	if (!sensitive || (!wrapped && a->flat))
		return JOIN_AND;
	/* ';' : a failure of a's last list must stop the script (errexit on),
	 * a may leave only its set options, and b must behave the same with
	 * them: it opens with the same set line, or the SHELL gives both
	 * errexit, or errexit changes nothing for b. */
	bool on_after_a = a->errexit_sure || (cs->errexit_on && !a->sets_off);
	bool b_same = b->first_set ? same_words(cs->set, b->first_set)
	                           : (b->shell_errexit || (b->single_flat && !b->sets_off));
	if (cs->all_semi && on_after_a && a->last_single && (!a->leaks || a->only_set) && b_same)
		return JOIN_SEMI;
	return *why = "the one before it relies on errexit (set -e), which the shell ignores inside a "
	              "merged && chain, and the two cannot be joined with ';'",
	       JOIN_NONE;
}

/* ---- rendering -------------------------------------------------------------------------- */

/* Whether element k of n loses its trailing shell comment to a comment line
 * above the merged RUN: everything but a plain last element does. */
static bool comment_moves(const elem *e, size_t k, size_t n)
{
	bool last = k + 1 == n;
	if (!e->comment)
		return false;
	if ((!last && e->leaks && e->join != JOIN_SEMI) || (e->join == JOIN_AND && !e->and_list))
		return true;
	return !last;
}

/* Body text, without a trailing comment that moves out and without a
 * trailing ';' before an && (and the blanks before them). */
static void put_body(dko_buf *b, const dko_doc *doc, const elem *e, bool strip_semicolon,
                     bool keep_comment)
{
	uint32_t s = e->g.body, end = e->g.content_end;
	if (e->comment && !keep_comment) {
		end = e->comment;
		while (end > s && (doc->src[end - 1] == ' ' || doc->src[end - 1] == '\t'))
			end--;
	}
	if (strip_semicolon && end > s && doc->src[end - 1] == ';') {
		end--;
		while (end > s && (doc->src[end - 1] == ' ' || doc->src[end - 1] == '\t'))
			end--;
	}
	dko_buf_put(b, doc->src + s, end - s);
}

/* Element k of n (next: how the element after it joins) as it appears in
 * the merged command. */
static void render_elem(dko_buf *b, const dko_doc *doc, const elem *e, size_t k, size_t n,
                        enum join next)
{
	bool keep = !comment_moves(e, k, n);
	if (next == JOIN_AND && e->leaks) {
		dko_buf_puts(b, "( ");
		put_body(b, doc, e, false, keep);
		dko_buf_puts(b, " )");
	} else if (e->join == JOIN_AND && !e->and_list) {
		dko_buf_puts(b, "{ ");
		size_t at = b->len;
		put_body(b, doc, e, false, keep);
		char tail = b->len > at ? b->ptr[b->len - 1] : ';';
		dko_buf_puts(b, (tail == ';' || tail == '&') ? " }" : "; }");
	} else {
		put_body(b, doc, e, next != JOIN_NONE, keep);
	}
}

static bool is_lone_apt_update(const elem *e)
{
	if (dko_sh_cmd_count(e->s) != 1)
		return false;
	const dko_sh_cmd *cmd = dko_sh_cmd_at(e->s, 0);
	if (cmd->nwords < 2 || !cmd->words[0].lit || !cmd->words[cmd->nwords - 1].lit)
		return false;
	const char *p = cmd->words[0].lit;
	return (!strcmp(p, "apt-get") || !strcmp(p, "apt")) &&
	       !strcmp(cmd->words[cmd->nwords - 1].lit, "update");
}

/* Comments between the RUNs and the shell comments that end a part, in
 * order: they go above the merged RUN. */
static void put_comments(dko_buf *out, dko_pass_ctx *c, const elem *chain, size_t n)
{
	const dko_doc *doc = c->doc;
	size_t k = 0;
	for (uint32_t i = chain[0].node; i <= chain[n - 1].node; i++) {
		if (doc->nodes[i].kind == DKO_NODE_COMMENT)
			dko_buf_put(out, doc->src + doc->nodes[i].span.start,
			            doc->nodes[i].span.end - doc->nodes[i].span.start);
		if (k < n && chain[k].node == i) {
			if (comment_moves(&chain[k], k, n)) {
				dko_buf_put(out, doc->src + chain[k].comment,
				            chain[k].g.content_end - chain[k].comment);
				dko_buf_puts(out, c->style->eol);
			}
			k++;
		}
	}
}

/* Replace the chain by one RUN. */
static void merge(dko_pass_ctx *c, const elem *chain, size_t n)
{
	const dko_doc *doc = c->doc;
	dko_buf out = DKO_BUF_INIT, joined = DKO_BUF_INIT;
	bool split = false;
	size_t oneline = chain[0].g.body - chain[0].g.start;
	for (size_t k = 0; k < n; k++) {
		split |= chain[k].g.multiline;
		oneline += chain[k].g.content_end - chain[k].g.body + 4;
	}
	split |= oneline > c->style->width;
	for (size_t k = 0; k < n; k++) {
		dko_buf piece = DKO_BUF_INIT;
		render_elem(&piece, doc, &chain[k], k, n, k + 1 < n ? chain[k + 1].join : JOIN_NONE);
		if (k == 0)
			dko_buf_put(&joined, piece.ptr, piece.len);
		else if (chain[k].join == JOIN_SEMI)
			dko_style_join_semi(&joined, c->style, split, piece.ptr, piece.len);
		else
			dko_style_join(&joined, c->style, split, piece.ptr, piece.len);
		dko_buf_release(&piece);
	}
	put_comments(&out, c, chain, n);
	const elem *first = &chain[0], *last = &chain[n - 1];
	dko_buf_put(&out, doc->src + first->g.start, first->g.body - first->g.start);
	dko_buf_put(&out, joined.ptr, joined.len);
	dko_buf_put(&out, doc->src + last->g.content_end, last->g.end - last->g.content_end);
	dko_doc_replace_node(c->doc, first->node, out.ptr, out.len);
	for (uint32_t i = first->node + 1; i <= last->node; i++)
		dko_doc_replace_node(c->doc, i, "", 0);
	bool lone_update = false;
	for (size_t j = 0; j + 1 < n; j++)
		lone_update |= is_lone_apt_update(&chain[j]);
	dko_pass_applied(c, first->node, last->node, "merged %zu RUN instructions into one%s", n,
	                 lone_update ? "; the lone `apt-get update` no longer leaves a cached layer "
	                               "with stale package lists"
	                             : "");
	dko_buf_release(&joined);
	dko_buf_release(&out);
}

static void grow_chain(dko_pass_ctx *c, void *vchain)
{
	DKO_VEC(elem) *chain = vchain;
	const dko_doc *doc = c->doc;
	const elem *first = &chain->items[0];
	chain_state cs = {true, false, false, first->first_set};
	for (;;) {
		elem *a = &chain->items[chain->len - 1];
		int k = next_instr(doc, a->node);
		if (k < 0 || doc->nodes[k].instr->kind != DKO_I_RUN)
			return;
		elem f = {0};
		const char *why = NULL;
		enum join j = JOIN_NONE;
		bool self = !candidate(c, (uint32_t)k, &f, &why);
		if (!self)
			j = how_to_join(a, chain->len - 1, &cs, &f, doc, &why);
		if (j == JOIN_NONE) {
			if (why && !dko_pass_disabled_at(c, (uint32_t)k) && !dko_pass_disabled_at(c, a->node))
				dko_pass_suggest(c, (uint32_t)k,
				                 "this RUN could be merged with the one before it, but %s%s",
				                 self ? "it " : "", why);
			return;
		}
		/* What f starts with: a ';' join hands it a's options; once errexit
		 * is out at top level it stays for the rest of the script. */
		bool semi = j == JOIN_SEMI;
		bool on_after_a = a->errexit_sure || (cs.errexit_on && !a->sets_off);
		cs.errexit_on = semi && on_after_a;
		cs.errexit_maybe |= semi && a->errexit;
		cs.all_semi &= semi;
		f.join = j;
		DKO_VEC_PUSH(chain, f);
	}
}

static int run(dko_pass_ctx *c)
{
	const dko_doc *doc = c->doc;
	DKO_VEC(elem) chain = {0};
	uint32_t i = 0;
	while (i < doc->nnodes) {
		elem e = {0};
		const char *why;
		if (!candidate(c, i, &e, &why)) {
			int k = why ? next_instr(doc, i) : -1;
			if (k >= 0 && doc->nodes[k].instr->kind == DKO_I_RUN && !dko_pass_disabled_at(c, i) &&
			    !dko_pass_disabled_at(c, (uint32_t)k))
				dko_pass_suggest(c, (uint32_t)k,
				                 "this RUN could be merged with the one before it, but that one %s",
				                 why);
			i++;
			continue;
		}
		chain.len = 0;
		DKO_VEC_PUSH(&chain, e);
		grow_chain(c, &chain);
		if (chain.len >= 2)
			merge(c, chain.items, chain.len);
		i = chain.items[chain.len - 1].node + 1;
	}
	DKO_VEC_FREE(&chain);
	return 0;
}

const dko_pass dko_pass_merge_runs = {
	{"merge-runs", "DL3059", DKO_TIER_SAFE, REASON,
	 "Every RUN instruction creates an image layer. Consecutive RUNs in one stage are\n"
	 "merged so that the image has fewer layers, and a lone `apt-get update` can no longer\n"
	 "be cached apart from the install that needs fresh lists. The merged RUN fails exactly\n"
	 "when one of the originals would: a later part that is not a plain &&-chain is wrapped\n"
	 "in { ...; }, a part that changes shell state (cd, export, umask...) runs in a\n"
	 "subshell ( ... ), and RUNs that rely on `set -e` are joined with ';' only when each\n"
	 "opens with the same `set` line, else not merged (errexit is ignored inside &&-chains).\n"
	 "\n"
	 "Before:\n"
	 "  RUN apt-get update\n"
	 "  RUN apt-get install -y curl\n"
	 "  RUN cd /src && make\n"
	 "  RUN make install\n"
	 "After:\n"
	 "  RUN apt-get update && apt-get install -y curl && ( cd /src && make ) && make install\n"},
	run,
};
