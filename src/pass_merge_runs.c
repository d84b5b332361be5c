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
 *       the SHELL has -e), and every earlier join of the chain was ';' too.
 *       R1 stays bare when its last command is a single pipeline (a failing
 *       one then stops the script) and the only state it leaves is its
 *       opening `set` line; otherwise it runs in a subshell "( R1 ); R2",
 *       which fails the script as R1 failed its RUN and keeps its variables,
 *       cd and the like to itself. The first part of a chain can only be
 *       wrapped when it opens with its `set -e...` line: that line stays
 *       outside, "set -eux; ( rest ); R2", so errexit is on for the subshell.
 *  Shell options that a bare part leaves on (set -u, -x, -o pipefail, ...)
 *  reach every later part: each must either set the option itself in its
 *  opening `set` line or not be affected by it (no parameter that may be
 *  unset under -u, no pipeline under pipefail, no stderr redirection under
 *  -x, no glob under -f; errexit as above). Otherwise, on a ';' join, the
 *  options that would change it are turned off first ("set +eu; R2"): e, u,
 *  x, v and f are off in a fresh sh -c. A part that is one flat list is
 *  joined with && even when errexit is on: it fails the same way either way.
 * A RUN that starts a background job (&) is merged only as the last part:
 * its job would outlive the part. A trailing shell comment of a part
 * that is not last moves onto a comment line above the merged RUN, with the
 * comments that stood between the RUNs. A lone `apt-get update` RUN merged
 * into the install after it also fixes a cache bug: its layer would be
 * reused with stale package lists.
 */
#include "pass.h"
#include "runedit.h"
#include "shell.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <string.h>

#define REASON "Each RUN adds a layer; consecutive RUNs of one stage merge into one."

enum join { JOIN_NONE, JOIN_AND, JOIN_SEMI };

/* Shell options that `set` lines change, either way. */
enum { OPT_PIPEFAIL = 1u << 0 };
typedef struct optset {
	uint64_t letters; /* -a..-z, -A..-Z */
	unsigned named;   /* OPT_* (from -o NAME without a one-letter form) */
	bool positional;  /* the positional parameters */
	bool other;       /* anything else: an unknown -o name, a word that is not static */
} optset;

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
	optset setopts;   /* what first_set changes */
	bool extra_set;   /* another `set` outside a subshell, or one that is not static */
	bool hoistable;   /* first_set turns errexit on and is the whole first list */
	bool has_bg;      /* starts a background job */
	bool swaps_shell; /* replaces the shell program later RUNs start (ln -s bash /bin/sh) */
	bool unset_ref;   /* may expand a parameter that is unset (set -u would fail it) */
	bool positional;  /* uses the positional parameters */
	bool stderr_redir;/* redirects stderr (set -x / -v traces could land there) */
	bool has_pipe;    /* has a pipeline (set -o pipefail changes its status) */
	bool glob_chars;  /* may glob (set -f) */
	bool wrap;        /* runs in a subshell before a ';' join */
	uint64_t reset;   /* options turned off ("set +u; ") before it, on a ';' join */
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
		if (!c->words[k].lit || errexit_arg(c->words[k].lit, k + 1 < c->nwords ? c->words[k + 1].lit : NULL, sign))
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
static bool has_compound(const dko_sh_script *s, const dko_span *sp);

static bool is_flat(const dko_sh_script *s)
{
	if (has_compound(s, NULL))
		return false;
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		if (c->in_function || (c->in_subshell && !c->in_pipeline))
			return false;
	}
	return true;
}

/* Whether a reserved word or a subshell parenthesis is among the tokens
 * of script span sp (the whole script when sp is NULL). */
static bool has_compound(const dko_sh_script *s, const dko_span *sp)
{
	static const char *const reserved[] = {"if", "then", "else", "elif", "fi", "for", "while",
	                                       "until", "do", "done", "case", "esac", "{", "}",
	                                       "function", "select", "[[", "!"};
	size_t len;
	const char *text = dko_sh_text(s, &len);
	for (size_t i = 0; i < dko_sh_token_count(s); i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (sp && (t->span.start < sp->start || t->span.end > sp->end))
			continue;
		size_t n = t->span.end - t->span.start;
		const char *w = text + t->span.start;
		if (t->kind == DKO_SH_TOK_OP && n == 1 && (*w == '(' || *w == ')'))
			return true;
		if (t->kind != DKO_SH_TOK_WORD)
			continue;
		for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
			if (strlen(reserved[r]) == n && !memcmp(reserved[r], w, n))
				return true;
	}
	return false;
}

/* The last top-level and-or list is one pipeline of simple commands: no
 * && or ||, no !, no compound command (whose status may come from a
 * command errexit ignores, as in "if c; then ! x; fi"), so errexit acts on
 * its failure. */
static bool last_is_single(const dko_sh_script *s)
{
	size_t n = dko_sh_item_count(s);
	if (n == 0)
		return false;
	dko_span sp = dko_sh_item_at(s, n - 1)->span;
	if (has_compound(s, &sp))
		return false;
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
	if (dko_sh_ends_in_background(s) || dko_sh_leaked_state_beyond_set(s))
		return false; /* also loop variables, ${X:=v}, FOO=1 : ... */
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

static uint64_t letter_bit(char c)
{
	if (c >= 'a' && c <= 'z')
		return 1ull << (c - 'a');
	if (c >= 'A' && c <= 'Z')
		return 1ull << (26 + c - 'A');
	return 0;
}

/* -o NAME / +o NAME: the letter it stands for, or 0 (then *named). */
static char named_option(const char *name, unsigned *named, bool *other)
{
	static const struct {
		const char *name;
		char letter;
	} map[] = {{"errexit", 'e'}, {"nounset", 'u'}, {"xtrace", 'x'}, {"verbose", 'v'},
	           {"noglob", 'f'}, {"allexport", 'a'}, {"noclobber", 'C'}, {"noexec", 'n'}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].letter;
	if (!strcmp(name, "pipefail"))
		*named |= OPT_PIPEFAIL;
	else
		*other = true;
	return 0;
}

/* What a `set` command changes. */
static optset set_options(const dko_sh_cmd *c)
{
	optset o = {0};
	if (c->nassigns)
		o.other = true;
	for (uint32_t k = 1; k < c->nwords; k++) {
		const char *w = c->words[k].lit;
		if (!w) {
			o.other = true;
			break;
		}
		if (!strcmp(w, "--") || !strcmp(w, "-")) {
			o.positional = k + 1 < c->nwords || !strcmp(w, "--");
			break;
		}
		if (w[0] != '-' && w[0] != '+') {
			o.positional = true;
			break;
		}
		/* a cluster; an 'o' in it takes the next word as an option name
		 * ("-o pipefail", "-euxo pipefail") */
		for (const char *p = w + 1; *p; p++) {
			if (*p == 'o') {
				if (k + 1 < c->nwords) { /* a lone "set -o" only lists them */
					const char *name = c->words[++k].lit;
					if (name)
						o.letters |= letter_bit(named_option(name, &o.named, &o.other));
					else
						o.other = true;
				}
				continue;
			}
			uint64_t bit = letter_bit(*p);
			if (!bit)
				o.other = true;
			o.letters |= bit;
		}
	}
	return o;
}

static void optset_add(optset *o, const optset *x)
{
	o->letters |= x->letters;
	o->named |= x->named;
	o->positional |= x->positional;
	o->other |= x->other;
}

/* Whether b behaves the same when the options of o may be on: each is set
 * again by b's opening `set` line or changes nothing for b. NULL when it
 * does, else why not. */
static const char *options_clash(const optset *o, const elem *b)
{
	optset own = {0};
	if (b->first_set) {
		own = set_options(b->first_set);
		if (own.other)
			own = (optset){0};
	}
	if (o->other)
		return "shell options that the RUNs before it set would apply to it";
	if (o->positional && !own.positional && b->positional)
		return "it uses positional parameters ($1, $@ ...), which a `set` before it changes";
	if ((o->named & OPT_PIPEFAIL) && !(own.named & OPT_PIPEFAIL) && b->has_pipe)
		return "`set -o pipefail` from the RUNs before it would change the status of its pipelines";
	for (int i = 0; i < 52; i++) {
		uint64_t bit = 1ull << i;
		if (!(o->letters & bit) || (own.letters & bit))
			continue;
		char l = (char)(i < 26 ? 'a' + i : 'A' + i - 26);
		switch (l) {
		case 'e':
			if (!(b->errexit_sure || b->shell_errexit || (b->single_flat && !b->sets_off)))
				return "errexit (set -e) from the RUNs before it would apply to it";
			break;
		case 'x':
		case 'v':
			if (b->stderr_redir)
				return "`set -x` from the RUNs before it would write traces where it redirects stderr";
			break;
		case 'u':
			if (b->unset_ref)
				return "`set -u` from the RUNs before it would fail it on a variable that may be unset";
			break;
		case 'f':
			if (b->glob_chars)
				return "`set -f` from the RUNs before it would turn off its globs";
			break;
		default:
			return "shell options that the RUNs before it set would apply to it";
		}
	}
	return NULL;
}

static bool has_pair(const char *t, size_t n, const char *pair)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (t[i] == pair[0] && t[i + 1] == pair[1])
			return true;
	return false;
}

/* Parameters the shell itself always sets, and PATH, which BuildKit sets. */
static bool always_set(const char *name, size_t n)
{
	static const char *const names[] = {"PATH", "PWD", "PPID", "IFS", "OPTIND"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return true;
	return false;
}

static bool var_certainly_set(const dko_state *st, const char *name, size_t n)
{
	if (always_set(name, n))
		return true;
	for (uint32_t i = st->nvars; i-- > 0;) {
		const dko_var *v = &st->vars[i];
		if (strlen(v->name) == n && !memcmp(v->name, name, n))
			return v->kind == DKO_VAR_ENV || v->value != NULL;
	}
	return false;
}

/* Scan the script text for parameter expansions: *unset when one may expand
 * a parameter that is not certainly set (a default form such as ${X:-y} is
 * fine), *positional when it uses $1.., $@, $*, $#. Quotes are not looked
 * at, so '$X' counts too: the answers err on the safe side. */
static void scan_params(const char *t, size_t n, const dko_state *st, bool *unset, bool *positional)
{
	*unset = *positional = false;
	for (size_t i = 0; i + 1 < n; i++) {
		if (t[i] != '$')
			continue;
		size_t j = i + 1;
		bool brace = t[j] == '{';
		if (brace) {
			j++;
			if (j < n && (t[j] == '#' || t[j] == '!') && j + 1 < n && t[j + 1] != '}')
				j++; /* ${#X}, ${!X} */
		}
		if (j >= n)
			break;
		char c = t[j];
		if (c == '(') {
			if (!brace && j + 1 < n && t[j + 1] == '(')
				*unset = true; /* $(( )): names inside need not carry a $ */
			continue;
		}
		if (c >= '0' && c <= '9') {
			*positional = *unset = true;
			continue;
		}
		if (c == '@' || c == '*' || c == '#') {
			*positional = true;
			continue;
		}
		if (c == '!') {
			*unset = true;
			continue;
		}
		if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			continue; /* $?, $$, $-, $'...', a lone $ */
		size_t k = j;
		while (k < n && (t[k] == '_' || (t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z') ||
		                 (t[k] >= '0' && t[k] <= '9')))
			k++;
		bool has_default = brace && k < n &&
		                   (strchr("-=?+", t[k]) || (t[k] == ':' && k + 1 < n && strchr("-=?+", t[k + 1])));
		if (!has_default && !var_certainly_set(st, t + j, k - j))
			*unset = true;
	}
}

/* ---- the shell program itself ----------------------------------------------------------- */

/* Does the shell each RUN starts read startup files: a login (-l,
 * --login) or interactive (-i) SHELL, an --rcfile/--init-file, or bash
 * with BASH_ENV set (nvm's recipe)? Each RUN re-reads them, so a file an
 * earlier RUN changes (~/.bashrc, $BASH_ENV) takes effect in the next RUN:
 * merged, it would not. */
static bool reads_startup_files(const dko_state *st)
{
	bool bash = false;
	for (uint32_t i = 0; st->shell && i < st->nshell; i++) {
		const char *a = st->shell[i];
		if (i == 0) {
			bash = !strcmp(dko_fs_basename(a), "bash");
			continue;
		}
		if (!strcmp(a, "-c"))
			break;
		if (!strcmp(a, "--login") || !strcmp(a, "--rcfile") || !strcmp(a, "--init-file") ||
		    (a[0] == '-' && a[1] != '-' && (strchr(a, 'l') || strchr(a, 'i'))))
			return true;
	}
	return bash && dko_state_lookup(st, "BASH_ENV") != NULL;
}

/* Does the script replace the shell program RUNs start: a file command
 * (ln, rm, mv, cp, install, dpkg-divert, update-alternatives) naming
 * /bin/sh or the SHELL's program? */
static bool swaps_shell(const dko_state *st, const dko_sh_script *s)
{
	static const char *const file_cmds[] = {"ln", "rm", "mv", "cp", "install", "unlink",
	                                        "dpkg-divert", "update-alternatives", "chmod"};
	const char *prog = st->shell && st->nshell ? st->shell[0] : "/bin/sh";
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(s, i);
		const char *a0 = x->nwords && x->words[0].lit ? x->words[0].lit : NULL;
		const char *b = a0 ? dko_fs_basename(a0) : NULL;
		bool file_cmd = false;
		for (size_t k = 0; b && k < sizeof(file_cmds) / sizeof(file_cmds[0]); k++)
			file_cmd |= !strcmp(b, file_cmds[k]);
		for (uint32_t k = 1; file_cmd && k < x->nwords; k++) {
			const char *w = x->words[k].lit;
			if (w && (!strcmp(w, prog) || !strcmp(w, "/bin/sh") || !strcmp(w, "/usr/bin/sh")))
				return true;
		}
	}
	return false;
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
	if (reads_startup_files(&gi->state))
		return *why = "runs a shell that reads startup files (BASH_ENV, a login or interactive SHELL), "
		              "which an earlier RUN may change; a merged RUN would read them only once",
		       false;
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
	e->swaps_shell = swaps_shell(&gi->state, e->s);
	e->setopts = e->first_set ? set_options(e->first_set) : (optset){0};
	e->extra_set = e->setopts.other;
	for (size_t k = 0; k < dko_sh_cmd_count(e->s); k++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(e->s, k);
		const char *name = cmd_name(x);
		e->has_bg |= x->background;
		e->has_pipe |= x->in_pipeline;
		if (x != e->first_set && !x->in_subshell && (!name || !strcmp(name, "set")))
			e->extra_set = true;
	}
	const dko_sh_item *it0 = dko_sh_item_count(e->s) > 1 ? dko_sh_item_at(e->s, 0) : NULL;
	e->hoistable = e->first_set && set_touches_errexit(e->first_set, '-') &&
	               !set_touches_errexit(e->first_set, '+') && !e->setopts.other && it0 &&
	               it0->sep == ';' && it0->span.start == e->first_set->span.start &&
	               it0->span.end == e->first_set->span.end;
	size_t tlen;
	const char *text = dko_sh_text(e->s, &tlen);
	scan_params(text, tlen, &gi->state, &e->unset_ref, &e->positional);
	e->stderr_redir = has_pair(text, tlen, "2>") || has_pair(text, tlen, ">&") ||
	                  has_pair(text, tlen, "&>");
	e->glob_chars = memchr(text, '*', tlen) || memchr(text, '?', tlen) || memchr(text, '[', tlen);
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
	optset opts;            /* options the parts so far may have left on at top level */
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
/* Options "set +X" may turn off before a part: off by default in sh -c. */
#define RESETTABLE "euxvf"

/* How b joins a, the element k of the chain; on a ';' join, *wrap tells
 * whether a runs in a subshell, *errexit_after whether errexit is certainly
 * on at top level when b starts, *reset which options are turned off before
 * b and *opts what options b starts with. */
static enum join how_to_join(const elem *a, size_t k, const chain_state *cs, const elem *b,
                             const dko_doc *doc, const char **why, bool *wrap,
                             bool *errexit_after, optset *opts, uint64_t *reset)
{
	*reset = 0;
	*why = NULL;
	*wrap = false;
	*errexit_after = false;
	*opts = cs->opts;
	if (dko_sh_ends_in_background(a->s) || a->has_bg)
		return *why = "the one before it starts a background job (&), which would outlive it",
		       JOIN_NONE;
	if (a->swaps_shell)
		return *why = "the one before it replaces the shell program the next RUN starts (/bin/sh)",
		       JOIN_NONE;
	if (!dko_run_same_flags(doc->nodes[a->node].instr, doc->nodes[b->node].instr))
		return *why = "their flags (mounts, network, security) differ", JOIN_NONE;
	bool braced = k > 0 && a->join == JOIN_AND && !a->and_list;
	bool wrapped = a->leaks || braced;
	/* Once a ';' join has let errexit out at top level, every later part
	 * runs with it: each must be written for it or not care. */
	bool leaked = cs->errexit_maybe || (a->errexit && !wrapped);
	/* Errexit only matters to a part with more than one list or a compound
	 * command: a single flat list fails the same way with it or without. */
	bool sensitive = (a->errexit || cs->errexit_maybe) && !a->single_flat;
	/* ';' : a failure of a must stop the script: errexit is on after a
	 * bare a, or before a wrapped one (whose subshell then fails). */
	const char *semi_why =
		"the one before it relies on errexit (set -e), which the shell ignores inside a "
		"merged && chain, and the two cannot be joined with ';'";
	if (!sensitive || (!wrapped && a->flat)) {
		/* a leaves nothing at top level (it leaks nothing, or runs in ( )):
		 * && unless what the parts before it left on changes b; then ';'
		 * may still turn those options off before b */
		const char *clash = leaked && !errexit_neutral(b)
		                        ? "errexit (set -e) from the RUNs before it would apply to it"
		                        : options_clash(opts, b);
		if (!clash)
			return JOIN_AND;
		semi_why = clash;
	}
	if (!cs->all_semi)
		return *why = semi_why, JOIN_NONE;
	bool bare = a->last_single && (!a->leaks || a->only_set) && !a->extra_set;
	bool on;
	if (bare) {
		on = a->errexit_sure || (cs->errexit_on && !a->sets_off);
		optset_add(opts, &a->setopts);
	} else if (k > 0) {
		on = cs->errexit_on;
	} else {
		on = a->hoistable; /* "set -e...; ( rest )" */
		optset_add(opts, &a->setopts);
	}
	if (!on)
		return *why = semi_why, JOIN_NONE;
	if ((*why = options_clash(opts, b)) != NULL) {
		/* Options b does not set itself and that would change it are
		 * turned off before it ("set +u; b"): all are off by default. */
		uint64_t own = b->first_set && !b->setopts.other ? b->setopts.letters : 0;
		for (const char *l = RESETTABLE; *l; l++) {
			optset one = {letter_bit(*l), 0, false, false};
			if ((opts->letters & ~own & one.letters) && options_clash(&one, b))
				*reset |= one.letters;
		}
		optset after = *opts;
		after.letters &= ~*reset;
		if (!*reset || options_clash(&after, b))
			return JOIN_NONE;
		*opts = after;
		*why = NULL;
	}
	*wrap = !bare;
	*errexit_after = !(*reset & letter_bit('e'));
	return JOIN_SEMI;
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

/* Is the ';' just before end the separator after the script's last item
 * (and not, say, the end of a word: find ... -exec rm {} \;)? */
static bool ends_with_sep(const elem *e, uint32_t end)
{
	size_t n = dko_sh_item_count(e->s);
	if (n == 0)
		return false;
	const dko_sh_item *it = dko_sh_item_at(e->s, n - 1);
	if (it->sep_span.end == it->sep_span.start)
		return false;
	return dko_sh_phys_span(e->s, it->sep_span).end == end;
}

/* Body text, without a trailing comment that moves out and without a
 * trailing ';' before an && (and the blanks before them). */
static uint32_t body_end(const dko_doc *doc, const elem *e, bool strip_semicolon, bool keep_comment)
{
	uint32_t s = e->g.body, end = e->g.content_end;
	if (e->comment && !keep_comment) {
		end = e->comment;
		while (end > s && (doc->src[end - 1] == ' ' || doc->src[end - 1] == '\t'))
			end--;
	}
	if (strip_semicolon && end > s && doc->src[end - 1] == ';' && ends_with_sep(e, end)) {
		end--;
		while (end > s && (doc->src[end - 1] == ' ' || doc->src[end - 1] == '\t'))
			end--;
	}
	return end;
}

static void put_body(dko_buf *b, const dko_doc *doc, const elem *e, bool strip_semicolon,
                     bool keep_comment)
{
	uint32_t end = body_end(doc, e, strip_semicolon, keep_comment);
	dko_buf_put(b, doc->src + e->g.body, end - e->g.body);
}

/* Element k of n (next: how the element after it joins) as it appears in
 * the merged command. */
static void render_elem(dko_buf *b, const dko_doc *doc, const elem *e, size_t k, size_t n,
                        enum join next)
{
	bool keep = !comment_moves(e, k, n);
	if (e->reset) {
		dko_buf_puts(b, "set +");
		for (const char *l = RESETTABLE; *l; l++)
			if (e->reset & letter_bit(*l))
				dko_buf_putc(b, *l);
		dko_buf_puts(b, "; ");
	}
	if (next == JOIN_SEMI && e->wrap && k == 0) {
		/* "set -eux; ( rest )": the set line stays at top level */
		const dko_sh_item *it0 = dko_sh_item_at(e->s, 0);
		uint32_t cut = dko_sh_phys_span(e->s, it0->sep_span).end;
		uint32_t end = body_end(doc, e, true, keep);
		dko_buf_put(b, doc->src + e->g.body, cut - e->g.body);
		dko_buf_puts(b, " (");
		dko_buf_put(b, doc->src + cut, end - cut);
		dko_buf_puts(b, " )");
	} else if (next == JOIN_SEMI && e->wrap) {
		dko_buf_puts(b, "( ");
		put_body(b, doc, e, true, keep);
		dko_buf_puts(b, " )");
	} else if (next == JOIN_AND && e->leaks) {
		dko_buf_puts(b, "( ");
		put_body(b, doc, e, false, keep);
		dko_buf_puts(b, " )");
	} else if (e->join == JOIN_AND && !e->and_list) {
		dko_buf_puts(b, "{ ");
		uint32_t end = body_end(doc, e, false, keep);
		dko_buf_put(b, doc->src + e->g.body, end - e->g.body);
		/* A body ending in its own ; or & separator needs no other. */
		char tail = end > e->g.body ? doc->src[end - 1] : ';';
		bool sep = (tail == ';' || tail == '&') && ends_with_sep(e, end);
		dko_buf_puts(b, sep || end == e->g.body ? " }" : "; }");
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

/* A comment line that speaks to a tool about the instruction after it
 * (a pragma such as "# hadolint ignore=DL3008"): it stays above the RUN. */
static bool is_pragma(const dko_doc *doc, uint32_t i)
{
	static const char *const tools[] = {"hadolint", "dockopt", "tally", "checkov", "trivy"};
	const char *p = doc->src + doc->nodes[i].span.start, *end = doc->src + doc->nodes[i].span.end;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '#'))
		p++;
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		size_t n = strlen(tools[t]);
		if ((size_t)(end - p) > n && !memcmp(p, tools[t], n) && (p[n] == ' ' || p[n] == ':'))
			return true;
	}
	return false;
}

/* Whether comment node i stands between two parts of a merged RUN that is
 * split over lines: it then stays there, as a comment line inside the RUN. */
static bool comment_inline(const dko_doc *doc, uint32_t i, const elem *chain, bool split)
{
	return split && i > chain[0].node && !is_pragma(doc, i);
}

/* The comment lines between part k-1 and part k that stay in place. */
static void between_comments(dko_buf *out, const dko_doc *doc, const elem *chain, size_t k, bool split)
{
	for (uint32_t i = chain[k - 1].node + 1; i < chain[k].node; i++)
		if (doc->nodes[i].kind == DKO_NODE_COMMENT && comment_inline(doc, i, chain, split))
			dko_buf_put(out, doc->src + doc->nodes[i].span.start,
			            doc->nodes[i].span.end - doc->nodes[i].span.start);
}

/* Comments between the RUNs that do not stay in place and the shell
 * comments that end a part, in order: they go above the merged RUN. */
static void put_comments(dko_buf *out, dko_pass_ctx *c, const elem *chain, size_t n, bool split)
{
	const dko_doc *doc = c->doc;
	size_t k = 0;
	for (uint32_t i = chain[0].node; i <= chain[n - 1].node; i++) {
		if (doc->nodes[i].kind == DKO_NODE_COMMENT && !comment_inline(doc, i, chain, split))
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
		if (k == 0) {
			dko_buf_put(&joined, piece.ptr, piece.len);
		} else {
			dko_buf lines = DKO_BUF_INIT;
			between_comments(&lines, doc, chain, k, split);
			dko_style_join_commented(&joined, c->style, split, chain[k].join == JOIN_SEMI,
			                         lines.ptr, lines.len, piece.ptr, piece.len);
			dko_buf_release(&lines);
		}
		dko_buf_release(&piece);
	}
	put_comments(&out, c, chain, n, split);
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
	chain_state cs = {true, false, false, {0}};
	for (;;) {
		elem *a = &chain->items[chain->len - 1];
		int k = next_instr(doc, a->node);
		if (k < 0 || doc->nodes[k].instr->kind != DKO_I_RUN)
			return;
		elem f = {0};
		const char *why = NULL;
		enum join j = JOIN_NONE;
		bool wrap = false, on = false;
		optset opts = {0};
		uint64_t reset = 0;
		bool self = !candidate(c, (uint32_t)k, &f, &why);
		if (!self)
			j = how_to_join(a, chain->len - 1, &cs, &f, doc, &why, &wrap, &on, &opts, &reset);
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
		a->wrap = wrap;
		cs.errexit_on = semi && on;
		cs.errexit_maybe |= semi && a->errexit;
		if (reset & letter_bit('e'))
			cs.errexit_maybe = f.shell_errexit; /* "set +e" before f */
		cs.all_semi &= semi;
		cs.opts = opts;
		f.join = j;
		f.reset = reset;
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
