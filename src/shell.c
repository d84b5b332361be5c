/*
 * shell.c - RUN body -> lossless shell syntax tree (see shell.h).
 *
 * Phases: assemble the script BuildKit runs (with a segment map back to the
 * Dockerfile), lex and parse it by hand (recursive descent, one token of
 * lookahead, no regex), then derive the flat views (simple commands, top-
 * level and-or lists) that the package model and the passes use.
 *
 * Invariants: the recorded top-level tokens tile [0, len) of the script in
 * order; every script byte maps to exactly one source byte (segments are
 * increasing in both offsets); nesting never exceeds DKO_SH_MAX_DEPTH.
 *
 * Errors inside the parser unwind with longjmp to dko_sh_parse_*: the
 * recursion is bounded and everything it allocates lives in the script's
 * arena or in buffers owned by the parse context, which the landing site
 * frees, so nothing leaks and no function needs error checks after calls.
 */
#include "shell.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/vec.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the tree ---------------------------------------------------------------------- */

typedef enum nkind {
	N_LIST,     /* kids: and-or items, each with its separator in sep */
	N_ANDOR,    /* kids: pipelines; each after the first has role R_AND or R_OR */
	N_NOT,      /* kid: the pipeline */
	N_PIPE,     /* kids: two or more commands */
	N_CMD,      /* simple command */
	N_SUBSHELL, /* kid: list */
	N_BRACE,    /* kid: list */
	N_IF,       /* kids: lists with roles R_COND/R_THEN/R_ELSE */
	N_FOR,      /* words[0]: name; words[1..]: the in-list; kid: body */
	N_WHILE,    /* kids: condition, body */
	N_UNTIL,
	N_CASE,     /* words[0]: subject; kids: N_ITEM */
	N_ITEM,     /* words: patterns; kid: body (may be absent) */
	N_FUNC,     /* words[0]: name; kid: the body command */
	N_ARITH,    /* (( ... )) */
	N_COND      /* [[ ... ]]: words between the brackets */
} nkind;

enum { R_NONE, R_COND, R_THEN, R_ELSE, R_BODY, R_AND, R_OR };

enum { P_PARAM, P_SUBST, P_BACKQ, P_ARITH, P_PROC };

typedef struct sh_node sh_node;

typedef struct sh_part {
	struct sh_part *next;
	uint8_t kind;
	dko_span span;
	sh_node *list; /* P_SUBST, P_BACKQ (when parsed), P_PROC */
} sh_part;

typedef struct sh_redir {
	struct sh_redir *next;  /* the command's next redirection */
	struct sh_redir *pnext; /* next heredoc waiting for its body (lexer queue) */
	dko_span op;    /* operator with its fd */
	dko_sh_word target;
	sh_part *parts;
	bool heredoc, strip_tabs, terminated;
	int32_t fd;         /* the fd written before the operator, -1 when none */
	dko_span body, end; /* heredoc content lines and delimiter line */
	const char *delim;
} sh_redir;

struct sh_node {
	uint8_t kind, role;
	char sep;      /* list items: ';', '&', '\n' or 0 */
	bool pipe_amp; /* N_PIPE with |& */
	dko_span span;
	dko_span sep_span;
	dko_span arith; /* N_FOR: the (( ... )) header of an arithmetic for */
	sh_node *kid, *next;
	sh_redir *redirs;
	dko_sh_word *words;
	sh_part **wparts;
	uint32_t nwords;
	dko_sh_word *assigns;
	sh_part **aparts;
	uint32_t nassigns;
};

typedef DKO_VEC(dko_sh_token) tokvec;

typedef struct seg {
	uint32_t s, phys, len; /* script [s, s+len) <- source [phys, phys+len) */
} seg;

/* text, segs, toks and cmds are heap arrays handed over by the builders
 * (no copy); the rest lives in the arena. */
struct dko_sh_script {
	dko_arena arena;
	char *text;
	uint32_t len;
	seg *segs;
	uint32_t nsegs;
	const char *src; /* source bytes [src_base, src_base + src_len): the document's
	                    (which must outlive the script), or a copy for parse_text */
	uint32_t src_base, src_len;
	dko_sh_token *toks;
	uint32_t ntoks;
	sh_node *root;
	dko_sh_cmd *cmds;
	uint32_t ncmds;
	dko_sh_item *items;
	uint32_t nitems;
	dko_sh_okind okind;
	const char *reason;
	dko_span ospan;
};

/* ---- small helpers ------------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Characters that end an unquoted word. */
static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' ||
	       c == '<' || c == '>' || c == '(' || c == ')';
}

static bool word_is(const dko_sh_word *w, const char *s)
{
	return w->lit && !w->quoted && strcmp(w->raw, s) == 0;
}

static void set_opaque(dko_sh_script *s, dko_sh_okind k, dko_span at, const char *reason)
{
	s->okind = k;
	s->ospan = at;
	s->reason = dko_arena_strdup(&s->arena, reason);
}

/* ---- assembling the script ------------------------------------------------------------ */

typedef struct builder {
	const char *src; /* the whole source */
	dko_buf text;
	DKO_VEC(seg) segs;
	uint32_t anchor; /* where an empty script sits in the source */
} builder;

/* Append source bytes [phys, phys + n) to the script (the text buffer was
 * sized for the whole script up front). */
static void put_src(builder *b, uint32_t phys, uint32_t n)
{
	if (n == 0)
		return;
	uint32_t at = (uint32_t)b->text.len;
	seg *last = b->segs.len ? &b->segs.items[b->segs.len - 1] : NULL;
	if (last && last->s + last->len == at && last->phys + last->len == phys) {
		last->len += n;
	} else {
		seg x = {at, phys, n};
		DKO_VEC_PUSH(&b->segs, x);
	}
	if (b->text.len + n >= b->text.cap)
		dko_buf_grow(&b->text, n + 1);
	memcpy(b->text.ptr + b->text.len, b->src + phys, n);
	b->text.len += n;
	b->text.ptr[b->text.len] = '\0';
}

/* Append logical text [a, b) of node n through its segment map. */
static void put_logical(builder *b, const dko_node *n, uint32_t a, uint32_t e)
{
	for (uint32_t i = 0; i < n->nsegs && a < e; i++) {
		const dko_seg *g = &n->segs[i];
		if (g->log + g->len <= a)
			continue;
		if (g->log >= e)
			break;
		uint32_t from = a > g->log ? a : g->log;
		uint32_t to = e < g->log + g->len ? e : g->log + g->len;
		put_src(b, g->phys + (from - g->log), to - from);
		a = to;
	}
}

/* Append heredoc content [a, e), without the leading tabs of each line when
 * chomp (what BuildKit's ChompHeredocContent does). */
static void put_body(builder *b, uint32_t a, uint32_t e, bool chomp)
{
	if (!chomp) {
		put_src(b, a, e - a);
		return;
	}
	while (a < e) {
		while (a < e && b->src[a] == '\t')
			a++;
		const char *nl = memchr(b->src + a, '\n', e - a);
		uint32_t le = nl ? (uint32_t)(nl - b->src) + 1 : e;
		put_src(b, a, le - a);
		a = le;
	}
}

static const char *basename_of(const char *p, size_t n, size_t *out_n)
{
	size_t k = n;
	while (k > 0 && p[k - 1] != '/' && p[k - 1] != '\\')
		k--;
	*out_n = n - k;
	return p + k;
}

/* sh, bash, dash, ash, ksh, ... (any directory; a .exe suffix is not one). */
static bool posix_shell_name(const char *p, size_t n)
{
	static const char *const names[] = {"sh", "bash", "dash", "ash", "ksh", "mksh", "ksh93",
	                                    "zsh", "busybox", "posh", "yash", "oksh", "lksh"};
	size_t bn;
	const char *b = basename_of(p, n, &bn);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == bn && memcmp(names[i], b, bn) == 0)
			return true;
	return false;
}

/* The interpreter of a "#!" line [a, e): "/usr/bin/env X" runs X. Returns
 * whether it is a POSIX shell; *name and *nlen receive the interpreter. */
static bool shebang_is_shell(const char *t, uint32_t a, uint32_t e, const char **name,
                             size_t *nlen)
{
	uint32_t p = a + 2;
	const char *nl = memchr(t + p, '\n', e - p);
	uint32_t le = nl ? (uint32_t)(nl - t) : e;
	for (int arg = 0;; arg++) {
		while (p < le && (is_blank(t[p]) || t[p] == '\r'))
			p++;
		uint32_t q = p;
		while (q < le && !is_blank(t[q]) && t[q] != '\r')
			q++;
		*name = t + p;
		*nlen = q - p;
		size_t bn;
		const char *b = basename_of(t + p, q - p, &bn);
		bool is_env = arg == 0 && bn == 3 && memcmp(b, "env", 3) == 0;
		/* env's own options and NAME=value words come before the program. */
		bool skip = arg > 0 && q > p && (t[p] == '-' || memchr(t + p, '=', q - p));
		if (q == p || (!is_env && !skip))
			return q > p && posix_shell_name(t + p, q - p);
		p = q;
	}
}

static void finish_text(dko_sh_script *s, builder *b)
{
	size_t len;
	free(s->text);
	s->text = dko_buf_detach(&b->text, &len);
	s->len = (uint32_t)len;
	s->nsegs = (uint32_t)b->segs.len;
	s->segs = b->segs.items;
	b->segs.items = NULL;
	if (s->nsegs) {
		s->src_base = s->segs[0].phys;
		s->src_len = s->segs[s->nsegs - 1].phys + s->segs[s->nsegs - 1].len - s->src_base;
		s->src = b->src + s->src_base;
	} else {
		s->src_base = b->anchor;
		s->src = "";
	}
}

/* Why the options rule out a POSIX shell, or NULL. */
static const char *shell_refusal(const dko_sh_opts *o, char escape, dko_buf *why)
{
	if (escape == '`')
		return "escape=` marks a Windows Dockerfile: not a POSIX shell script";
	if (o && o->shell && o->nshell > 0) {
		const char *a0 = o->shell[0];
		if (!posix_shell_name(a0, strlen(a0))) {
			dko_buf_printf(why, "SHELL is %s: not a POSIX shell", a0);
			return dko_buf_cstr(why);
		}
		return NULL;
	}
	if (o && o->windows)
		return "Windows base image (default shell cmd): not a POSIX shell";
	return NULL;
}

typedef struct srcinfo {
	const dko_instr *in; /* the instruction holding the shell (ONBUILD's inner one) */
	uint32_t start;      /* logical offset where the script starts */
	const char *refuse;  /* not a shell script, why */
	bool broken;
} srcinfo;

static void locate_script(srcinfo *si, const dko_node *n)
{
	const dko_instr *in = n->instr;
	si->refuse = NULL;
	si->broken = in->error;
	if (in->kind == DKO_I_ONBUILD) {
		in = in->sub;
		si->broken = si->broken || (in && in->error); /* heredoc errors mark the inner one */
	}
	si->in = in;
	si->start = n->instr->text_len;
	if (!in) {
		si->refuse = "ONBUILD without an instruction";
		return;
	}
	si->start = in->rest.start;
	switch (in->kind) {
	case DKO_I_RUN:
	case DKO_I_CMD:
	case DKO_I_ENTRYPOINT:
		if (in->json)
			si->refuse = "exec form (JSON): no shell";
		return;
	case DKO_I_HEALTHCHECK:
		if (in->nargs >= 2 && strcasecmp(in->args[0].value, "CMD") == 0 && !in->json) {
			si->start = in->args[1].span.start;
			return;
		}
		si->refuse = in->json ? "exec form (JSON): no shell" : "HEALTHCHECK without a shell command";
		return;
	default:
		si->refuse = "not a RUN, CMD, ENTRYPOINT or HEALTHCHECK instruction";
		return;
	}
}

/* RUN <<EOF alone: the heredoc itself is the script. */
static bool single_heredoc(const dko_instr *in)
{
	return in->kind == DKO_I_RUN && in->nheredocs == 1 && in->heredocs[0].word.start == in->rest.start &&
	       in->heredocs[0].word.end == in->rest.end;
}

/* RUN <<EOF alone: the (chomped) heredoc content is the script. A #! line
 * for another interpreter makes it opaque; *shebang_shell tells whether a
 * #! line names a shell (then the file runs itself, whatever SHELL says). */
static dko_sh_okind put_heredoc_script(builder *b, const dko_heredoc *h, bool *shebang_shell,
                                       dko_buf *why, const char **reason)
{
	put_body(b, h->body.start, h->body.end, h->chomp);
	*shebang_shell = false;
	/* BuildKit checks the unchomped content for the shebang. */
	if (h->body.end - h->body.start < 2 || memcmp(b->src + h->body.start, "#!", 2) != 0)
		return DKO_SH_PARSED;
	const char *name;
	size_t nlen;
	*shebang_shell = shebang_is_shell(b->src, h->body.start, h->body.end, &name, &nlen);
	if (*shebang_shell)
		return DKO_SH_PARSED;
	dko_buf_printf(why, "heredoc script runs %.*s: not a shell script",
	               (int)(nlen > 200 ? 200 : nlen), name);
	*reason = dko_buf_cstr(why);
	return DKO_SH_NOT_SHELL;
}

/* The logical text from start, then for each heredoc "\n" + content +
 * name, as BuildKit hands it to the shell; every byte has a source byte. */
static dko_sh_okind put_line_and_heredocs(builder *b, const dko_node *n, const dko_instr *in,
                                          uint32_t start, const char **reason)
{
	put_logical(b, n, start, n->instr->text_len);
	for (uint32_t i = 0; in->kind == DKO_I_RUN && i < in->nheredocs; i++) {
		const dko_heredoc *h = &in->heredocs[i];
		if (!h->terminated || h->body.start == 0 || b->src[h->body.start - 1] != '\n') {
			*reason = "heredoc body does not follow a line break";
			return DKO_SH_BROKEN;
		}
		put_src(b, h->body.start - 1, 1);
		put_src(b, h->body.start, h->body.end - h->body.start);
		put_src(b, h->end.end - h->name_len, h->name_len);
	}
	return DKO_SH_PARSED;
}

/* Build the script of node n into s; returns how it is opaque before any
 * parsing (DKO_SH_PARSED when it is to be parsed), with the reason. */
static dko_sh_okind assemble_node(dko_sh_script *s, const dko_doc *doc, const dko_node *n,
                                  const dko_sh_opts *opts, dko_buf *why, const char **reason)
{
	builder b = {doc->src, DKO_BUF_INIT, {0}, 0};
	srcinfo si;
	locate_script(&si, n);
	b.anchor = dko_node_phys(n, si.start);
	/* The script is at most the logical text plus the heredoc bodies. */
	size_t cap = n->instr->text_len - si.start + 1;
	for (uint32_t i = 0; si.in && i < si.in->nheredocs; i++)
		cap += si.in->heredocs[i].end.end - si.in->heredocs[i].body.start + 2;
	dko_buf_grow(&b.text, cap);
	DKO_VEC_RESERVE(&b.segs, n->nsegs + 3 * (si.in ? si.in->nheredocs : 0) + 1);
	dko_sh_okind k = DKO_SH_PARSED;
	bool shebang_shell = false;
	if (si.refuse || si.broken) {
		put_logical(&b, n, si.start, n->instr->text_len);
		k = si.refuse ? DKO_SH_NOT_SHELL : DKO_SH_BROKEN;
		*reason = si.refuse ? si.refuse
		                    : "the instruction has errors (see the Dockerfile diagnostics)";
	} else if (si.in->nheredocs && single_heredoc(si.in)) {
		k = put_heredoc_script(&b, &si.in->heredocs[0], &shebang_shell, why, reason);
	} else {
		k = put_line_and_heredocs(&b, n, si.in, si.start, reason);
	}
	if (k == DKO_SH_PARSED) {
		char esc = opts && opts->escape ? opts->escape : doc->escape;
		dko_sh_opts o = opts ? *opts : (dko_sh_opts){0};
		if (shebang_shell)
			o.shell = NULL, o.nshell = 0, o.windows = false; /* the file runs itself */
		const char *r = shell_refusal(&o, esc, why);
		if (r) {
			k = DKO_SH_NOT_SHELL;
			*reason = r;
		}
	}
	finish_text(s, &b);
	return k;
}

/* ---- parse context and errors -------------------------------------------------------------- */

typedef struct wentry {
	dko_sh_word w;
	sh_part *parts;
	uint8_t rw; /* reserved word it could be (RW_*), decided once when lexed */
} wentry;

/* Reserved words (and [[ ]]), recognised only in the right positions. */
enum {
	RW_NONE, RW_IF, RW_THEN, RW_ELSE, RW_ELIF, RW_FI, RW_DO, RW_DONE, RW_CASE, RW_ESAC,
	RW_WHILE, RW_UNTIL, RW_FOR, RW_SELECT, RW_IN, RW_LBRACE, RW_RBRACE, RW_BANG,
	RW_FUNCTION, RW_DLBRACK, RW_DRBRACK, RW__COUNT
};

static const char *const rw_names[RW__COUNT] = {
	"", "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
	"for", "select", "in", "{", "}", "!", "function", "[[", "]]"};

/* The reserved word raw[0..n) spells, by its first byte (once per word). */
static uint8_t classify_word(const char *r, size_t n)
{
	if (n > 8)
		return RW_NONE;
#define IS(w) (n == sizeof(w) - 1 && memcmp(r, w, n) == 0)
	switch (r[0]) {
	case 'i': return IS("if") ? RW_IF : IS("in") ? RW_IN : RW_NONE;
	case 't': return IS("then") ? RW_THEN : RW_NONE;
	case 'e': return IS("else") ? RW_ELSE : IS("elif") ? RW_ELIF : IS("esac") ? RW_ESAC : RW_NONE;
	case 'f': return IS("fi") ? RW_FI : IS("for") ? RW_FOR : IS("function") ? RW_FUNCTION : RW_NONE;
	case 'd': return IS("do") ? RW_DO : IS("done") ? RW_DONE : RW_NONE;
	case 'c': return IS("case") ? RW_CASE : RW_NONE;
	case 'w': return IS("while") ? RW_WHILE : RW_NONE;
	case 'u': return IS("until") ? RW_UNTIL : RW_NONE;
	case 's': return IS("select") ? RW_SELECT : RW_NONE;
	case '{': return n == 1 ? RW_LBRACE : RW_NONE;
	case '}': return n == 1 ? RW_RBRACE : RW_NONE;
	case '!': return n == 1 ? RW_BANG : RW_NONE;
	case '[': return IS("[[") ? RW_DLBRACK : RW_NONE;
	case ']': return IS("]]") ? RW_DRBRACK : RW_NONE;
	default: return RW_NONE;
	}
#undef IS
}

typedef struct pctx {
	dko_sh_script *s;
	const char *t; /* the script text */
	uint32_t len;
	uint32_t depth;
	jmp_buf jb;
	tokvec toks;                /* top-level tokens */
	char *raws;                 /* a copy of the text where each top-level word is
	                               NUL-terminated in place: their raw strings */
	dko_buf lit;                /* literal values being built, used as a stack */
	DKO_VEC(wentry) words;      /* words of the commands being parsed, a stack */
	uint32_t nsimple;           /* simple commands parsed (sizes the flat view) */
	dko_sh_okind fkind;   /* set by fail() */
	uint32_t fat;
	const char *freason;
} pctx;

__attribute__((format(printf, 4, 5))) static _Noreturn void
fail(pctx *c, dko_sh_okind k, uint32_t at, const char *fmt, ...)
{
	dko_buf m = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	c->fkind = k;
	c->fat = at;
	c->freason = dko_arena_strndup(&c->s->arena, dko_buf_cstr(&m), m.len);
	dko_buf_release(&m);
	longjmp(c->jb, 1);
}

static void enter(pctx *c, uint32_t at)
{
	if (++c->depth > DKO_SH_MAX_DEPTH)
		fail(c, DKO_SH_TOO_DEEP, at, "nesting deeper than %d levels", DKO_SH_MAX_DEPTH);
}

static void leave(pctx *c)
{
	c->depth--;
}

static sh_node *new_node(pctx *c, nkind k, uint32_t start)
{
	sh_node *n = dko_arena_alloc(&c->s->arena, sizeof(*n));
	n->kind = (uint8_t)k;
	n->span.start = n->span.end = start;
	return n;
}

/* ---- lexer ------------------------------------------------------------------------------------ */

enum { T_EOF, T_WORD, T_OP, T_REDIR, T_NEWLINE };
enum {
	OP_SEMI, OP_DSEMI, OP_SEMIAMP, OP_DSEMIAMP, OP_AMP, OP_AND, OP_OR, OP_PIPE, OP_PIPEAMP,
	OP_LPAREN, OP_RPAREN
};
enum { RD_OTHER, RD_HEREDOC, RD_HEREDOC_STRIP };

/* Sentinel: t[end] is the text's NUL or (for the inside of `...`) the closing
 * backquote, and neither is a blank or a plain word byte, so the hot scanning
 * loops below need no bounds check. */
typedef struct lexer {
	pctx *c;
	uint32_t pos, end;
	uint32_t last_end; /* end of the last consumed token */
	bool top;          /* record tokens (the top-level lexer only) */
	bool cond;         /* inside [[ ]] */
	bool has;          /* the lookahead is valid */
	uint8_t kind, op;  /* the lookahead */
	dko_span span;
	uint32_t tokidx; /* number of recorded tokens before the lookahead */
	wentry w;        /* the lookahead word */
	sh_redir *pend;  /* heredocs whose bodies follow the next newline */
	sh_redir **pend_tail;
} lexer;

static void lexer_init(lexer *lx, pctx *c, uint32_t pos, uint32_t end, bool top)
{
	memset(lx, 0, sizeof(*lx));
	lx->c = c;
	lx->pos = lx->last_end = pos;
	lx->end = end;
	lx->top = top;
	lx->pend_tail = &lx->pend;
}

static void record(lexer *lx, dko_sh_tok_kind k, uint32_t a, uint32_t b)
{
	if (!lx->top || a >= b)
		return;
	dko_sh_token t = {k, {a, b}};
	DKO_VEC_PUSH(&lx->c->toks, t);
}

static void set_la(lexer *lx, uint8_t kind, uint8_t op, uint32_t a, uint32_t b)
{
	lx->kind = kind;
	lx->op = op;
	lx->span.start = a;
	lx->span.end = b;
	lx->tokidx = (uint32_t)lx->c->toks.len;
	lx->pos = b;
}

/* A backslash-newline (or backslash-CR-LF) at p: its length, else 0. */
static uint32_t cont_len(const char *t, uint32_t p, uint32_t end)
{
	if (p + 1 < end && t[p] == '\\' && t[p + 1] == '\n')
		return 2;
	if (p + 2 < end && t[p] == '\\' && t[p + 1] == '\r' && t[p + 2] == '\n')
		return 3;
	return 0;
}

/* ---- words ---- */

/* Bytes that end a run of plain text inside double quotes. */
static const unsigned char dq_stop[256] = {
	[0] = 1, ['"'] = 1, ['\\'] = 1, ['$'] = 1, ['`'] = 1,
};

/* Bytes that need a look in an unquoted word (metacharacters included). */
static const unsigned char word_specials[256] = {
	[0] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, ['"'] = 1, ['$'] = 1, ['&'] = 1,
	['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, [','] = 1, ['.'] = 1, [';'] = 1, ['<'] = 1,
	['>'] = 1, ['?'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1, ['`'] = 1, ['{'] = 1, ['|'] = 1,
	['}'] = 1,
};

static bool plain_char(char ch)
{
	return !word_specials[(unsigned char)ch];
}


typedef struct wbuild {
	size_t lit_base;
	bool dynamic, quoted, glob, param, subst;
	uint32_t brace_open, bracket_open;
	bool brace_sep;
	sh_part *parts, **tail;
} wbuild;

static void lit_put(pctx *c, const char *p, size_t n)
{
	dko_buf *b = &c->lit;
	if (b->len + n < b->cap) { /* the usual case: no growth, no call */
		memcpy(b->ptr + b->len, p, n);
		b->len += n;
		return;
	}
	dko_buf_put(b, p, n);
}

static void add_part(pctx *c, wbuild *wb, uint8_t kind, uint32_t a, uint32_t e, sh_node *list)
{
	sh_part *p = dko_arena_alloc(&c->s->arena, sizeof(*p));
	p->kind = kind;
	p->span.start = a;
	p->span.end = e;
	p->list = list;
	*wb->tail = p;
	wb->tail = &p->next;
	wb->dynamic = true;
	if (kind == P_PARAM)
		wb->param = true;
	else
		wb->subst = true;
}

static sh_node *parse_list(lexer *lx);
static uint8_t peek(lexer *lx);
static uint32_t scan_dollar(lexer *lx, uint32_t p, wbuild *wb, bool in_dq);
static uint32_t scan_backquote(lexer *lx, uint32_t p, wbuild *wb);
static _Noreturn void fail_unexpected(lexer *lx, const char *expected);

static uint32_t scan_squote(lexer *lx, uint32_t p, wbuild *wb)
{
	const char *t = lx->c->t;
	const char *q = memchr(t + p + 1, '\'', lx->end - p - 1);
	if (!q)
		fail(lx->c, DKO_SH_SYNTAX, p, "unterminated single quote");
	uint32_t e = (uint32_t)(q - t);
	lit_put(lx->c, t + p + 1, e - p - 1);
	wb->quoted = true;
	return e + 1;
}

static uint32_t scan_dquote(lexer *lx, uint32_t p, wbuild *wb)
{
	pctx *c = lx->c;
	const char *t = c->t;
	uint32_t open = p++;
	wb->quoted = true;
	for (;;) {
		uint32_t q = p;
		while (!dq_stop[(unsigned char)t[q]]) /* NUL and ` stop it: see lexer */
			q++;
		lit_put(c, t + p, q - p);
		p = q;
		if (p >= lx->end)
			fail(c, DKO_SH_SYNTAX, open, "unterminated double quote");
		char ch = t[p];
		if (ch == '"')
			return p + 1;
		if (ch == '\0') { /* a NUL byte inside the text: plain */
			lit_put(c, t + p++, 1);
			continue;
		}
		if (ch == '\\') {
			uint32_t k = cont_len(t, p, lx->end);
			if (k) {
				p += k;
			} else if (p + 1 < lx->end && strchr("$`\"\\", t[p + 1])) {
				lit_put(c, t + p + 1, 1);
				p += 2;
			} else {
				lit_put(c, "\\", 1);
				p++;
			}
		} else if (ch == '$') {
			p = scan_dollar(lx, p, wb, true);
		} else {
			p = scan_backquote(lx, p, wb);
		}
	}
}

/* $'...' (bash, ksh, and dash 0.5.12+): p at the quote. */
static uint32_t scan_ansi(lexer *lx, uint32_t p, wbuild *wb)
{
	pctx *c = lx->c;
	const char *t = c->t;
	uint32_t open = p++;
	wb->quoted = true;
	while (p < lx->end && t[p] != '\'') {
		if (t[p] != '\\' || p + 1 >= lx->end) {
			lit_put(c, t + p++, 1);
			continue;
		}
		char e = t[p + 1], out;
		const char *from = "abefnrtv\\'\"?", *to = "\a\b\x1b\f\n\r\t\v\\'\"?";
		const char *hit = strchr(from, e);
		if (e && hit) {
			out = to[hit - from];
			lit_put(c, &out, 1);
			p += 2;
		} else {
			/* \x, octal, \u, \c: not decoded; the value is not static. */
			wb->dynamic = true;
			lit_put(c, t + p, 2);
			p += 2;
		}
	}
	if (p >= lx->end)
		fail(c, DKO_SH_SYNTAX, open, "unterminated $'...'");
	return p + 1;
}

/* Arithmetic from p (just after "((" ) to the matching "))": returns the
 * offset after it, or 0 when the parentheses do not close that way. */
static uint32_t scan_arith(const lexer *lx, uint32_t p)
{
	const char *t = lx->c->t;
	uint32_t depth = 0;
	for (; p < lx->end; p++) {
		char ch = t[p];
		if (ch == '(') {
			depth++;
		} else if (ch == ')') {
			if (depth == 0)
				return p + 1 < lx->end && t[p + 1] == ')' ? p + 2 : 0;
			depth--;
		} else if (ch == '\'' || ch == '"' || ch == '`') {
			const char *q = memchr(t + p + 1, ch, lx->end - p - 1);
			if (!q)
				return 0;
			p = (uint32_t)(q - t);
		} else if (ch == '\\') {
			p++;
		}
	}
	return 0;
}

/* A nested list from p up to a ')' (for $( ) and <( )): returns the offset
 * after the ')'. */
static uint32_t parse_subst(lexer *lx, uint32_t p, sh_node **out)
{
	lexer sub;
	lexer_init(&sub, lx->c, p, lx->end, false);
	sub.cond = false;
	*out = parse_list(&sub);
	if (peek(&sub) != T_OP || sub.op != OP_RPAREN)
		fail_unexpected(&sub, ")");
	if (sub.pend)
		fail(lx->c, DKO_SH_SYNTAX, sub.pend->op.start, "here-document inside $( ) without a body");
	return sub.span.end;
}

static uint32_t scan_backquote(lexer *lx, uint32_t p, wbuild *wb)
{
	pctx *c = lx->c;
	const char *t = c->t;
	uint32_t q = p + 1;
	bool escaped = false;
	while (q < lx->end && t[q] != '`') {
		if (t[q] == '\\') {
			escaped = true;
			q++;
		}
		q++;
	}
	if (q >= lx->end)
		fail(c, DKO_SH_SYNTAX, p, "unterminated backquote");
	sh_node *list = NULL;
	if (!escaped) {
		/* Without backslashes the inner text is the command as written. */
		lexer sub;
		lexer_init(&sub, c, p + 1, q, false);
		list = parse_list(&sub);
		if (peek(&sub) != T_EOF)
			fail_unexpected(&sub, NULL);
		if (sub.pend)
			fail(c, DKO_SH_SYNTAX, sub.pend->op.start, "here-document inside `...`");
	}
	add_part(c, wb, P_BACKQ, p, q + 1, list);
	return q + 1;
}

/* ${...}: p after "${"; returns the offset after the closing brace. */
static uint32_t scan_brace_param(lexer *lx, uint32_t open, uint32_t p, wbuild *wb, bool in_dq)
{
	pctx *c = lx->c;
	const char *t = c->t;
	enter(c, open);
	while (p < lx->end) {
		char ch = t[p];
		if (ch == '}') {
			leave(c);
			return p + 1;
		}
		if (ch == '\\') {
			p += 2;
		} else if (ch == '\'' && !in_dq) {
			p = scan_squote(lx, p, wb);
		} else if (ch == '"') {
			p = scan_dquote(lx, p, wb);
		} else if (ch == '$') {
			p = scan_dollar(lx, p, wb, in_dq);
		} else if (ch == '`') {
			p = scan_backquote(lx, p, wb);
		} else {
			p++;
		}
	}
	fail(c, DKO_SH_SYNTAX, open, "unterminated ${");
}

static uint32_t scan_dollar(lexer *lx, uint32_t p, wbuild *wb, bool in_dq)
{
	pctx *c = lx->c;
	const char *t = c->t;
	char n = p + 1 < lx->end ? t[p + 1] : 0;
	if (n == '(') {
		if (p + 2 < lx->end && t[p + 2] == '(') {
			uint32_t e = scan_arith(lx, p + 3);
			if (e) {
				add_part(c, wb, P_ARITH, p, e, NULL);
				return e;
			}
		}
		sh_node *list;
		enter(c, p);
		uint32_t e = parse_subst(lx, p + 2, &list);
		leave(c);
		add_part(c, wb, P_SUBST, p, e, list);
		return e;
	}
	if (n == '{') {
		size_t keep = c->lit.len;
		uint32_t e = scan_brace_param(lx, p, p + 2, wb, in_dq);
		c->lit.len = keep; /* quotes inside ${ } added nothing to the value */
		add_part(c, wb, P_PARAM, p, e, NULL);
		return e;
	}
	if (n == '\'' && !in_dq)
		return scan_ansi(lx, p + 1, wb);
	if (n == '"' && !in_dq)
		return scan_dquote(lx, p + 1, wb);
	if (is_name_start(n)) {
		uint32_t e = p + 1;
		while (e < lx->end && is_name_char(t[e]))
			e++;
		add_part(c, wb, P_PARAM, p, e, NULL);
		return e;
	}
	if (n && (is_digit(n) || strchr("@*#?$!-", n))) {
		add_part(c, wb, P_PARAM, p, p + 2, NULL);
		return p + 2;
	}
	lit_put(c, "$", 1);
	return p + 1;
}

/* Is [a, p) "NAME=" or "NAME+=" (the start of an array assignment)? */
static bool assign_prefix(const char *t, uint32_t a, uint32_t p)
{
	if (p < a + 2 || t[p - 1] != '=' || !is_name_start(t[a]))
		return false;
	uint32_t e = p - 1;
	if (t[e - 1] == '+')
		e--;
	for (uint32_t i = a; i < e; i++)
		if (!is_name_char(t[i]))
			return false;
	return e > a;
}

/* NAME=(a b c): p at '('; returns after the matching ')'. */
static uint32_t scan_array(lexer *lx, uint32_t p, wbuild *wb)
{
	const char *t = lx->c->t;
	uint32_t open = p, depth = 0;
	for (; p < lx->end; p++) {
		char ch = t[p];
		if (ch == '(') {
			depth++;
		} else if (ch == ')') {
			if (--depth == 0) {
				wb->dynamic = true;
				return p + 1;
			}
		} else if (ch == '\'') {
			p = scan_squote(lx, p, wb) - 1;
		} else if (ch == '"') {
			p = scan_dquote(lx, p, wb) - 1;
		} else if (ch == '$') {
			p = scan_dollar(lx, p, wb, false) - 1;
		} else if (ch == '\\') {
			p++;
		}
	}
	fail(lx->c, DKO_SH_SYNTAX, open, "unterminated array assignment");
}

static inline bool word_end(const lexer *lx, uint32_t p)
{
	const char *t = lx->c->t;
	char ch = t[p];
	if (ch == '\r')
		return p + 1 < lx->end && t[p + 1] == '\n';
	if (lx->cond)
		return ch == ' ' || ch == '\t' || ch == '\n';
	return is_meta(ch);
}

/* One special character of an unquoted word at p; returns the next offset. */
static uint32_t word_special(lexer *lx, uint32_t start, uint32_t p, wbuild *wb)
{
	pctx *c = lx->c;
	const char *t = c->t;
	char ch = t[p];
	switch (ch) {
	case '\\': {
		uint32_t k = cont_len(t, p, lx->end);
		if (k)
			return p + k;
		if (p + 1 >= lx->end) {
			lit_put(c, "\\", 1); /* a trailing backslash stays */
			return p + 1;
		}
		wb->quoted = true;
		lit_put(c, t + p + 1, 1);
		return p + 2;
	}
	case '\'': return scan_squote(lx, p, wb);
	case '"': return scan_dquote(lx, p, wb);
	case '$': return scan_dollar(lx, p, wb, false);
	case '`': return scan_backquote(lx, p, wb);
	case '*':
	case '?': wb->glob = true; break;
	case '[': wb->bracket_open++; break;
	case ']':
		if (wb->bracket_open)
			wb->glob = true;
		break;
	case '{': wb->brace_open++; break;
	case ',':
		if (wb->brace_open)
			wb->brace_sep = true;
		break;
	case '.':
		if (wb->brace_open && p + 1 < lx->end && t[p + 1] == '.')
			wb->brace_sep = true;
		break;
	case '}':
		if (wb->brace_open && wb->brace_sep)
			wb->glob = true;
		break;
	case '<':
	case '>':
		/* <( ) / >( ): process substitution (bash), only at a word's start. */
		if (p == start && p + 1 < lx->end && t[p + 1] == '(') {
			sh_node *list;
			enter(c, p);
			uint32_t e = parse_subst(lx, p + 2, &list);
			leave(c);
			add_part(c, wb, P_PROC, p, e, list);
			return e;
		}
		break;
	default: break;
	}
	lit_put(c, t + p, 1);
	return p + 1;
}


/* Scan the parts of a word that needs interpreting (quotes, $, globs...)
 * from p; returns its end. */
static uint32_t scan_word(lexer *lx, uint32_t start, uint32_t p, wbuild *wb)
{
	const char *t = lx->c->t;
	while (p < lx->end) {
		uint32_t q = p;
		while (plain_char(t[q])) /* the sentinel stops it */
			q++;
		lit_put(lx->c, t + p, q - p);
		p = q;
		if (p >= lx->end)
			break;
		if (p > start && word_end(lx, p)) {
			if (t[p] != '(' || lx->cond || !assign_prefix(t, start, p))
				break;
			p = scan_array(lx, p, wb);
			continue;
		}
		p = word_special(lx, start, p, wb);
	}
	return p;
}

/* The lookahead word [start, p): raw text, value, flags. wb is NULL for a
 * plain word (nothing to interpret: its value is its raw text). */
static void finish_word(lexer *lx, uint32_t start, uint32_t p, const wbuild *wb)
{
	pctx *c = lx->c;
	const char *t = c->t;
	dko_sh_word *w = &lx->w.w;
	w->span.start = start;
	w->span.end = p;
	/* Top-level words never overlap, and the byte after one is never part of
	 * another, so they share one NUL-separated copy; a word inside $( ) lies
	 * within an outer word and needs its own. */
	bool next_word = p + 1 < lx->end && (t[p] == '<' || t[p] == '>') && t[p + 1] == '(';
	if (lx->top && !next_word) { /* cat<(ls): a word may start right after one */
		c->raws[p] = '\0';
		w->raw = c->raws + start;
	} else {
		w->raw = dko_arena_strndup(&c->s->arena, t + start, p - start);
	}
	if (!wb) {
		w->lit = w->raw;
		w->has_subst = w->has_param = w->has_glob = w->quoted = false;
		lx->w.parts = NULL;
		lx->w.rw = classify_word(w->raw, p - start);
	} else {
		w->lit = NULL;
		if (!wb->dynamic) {
			size_t n = c->lit.len - wb->lit_base;
			const char *l = n ? c->lit.ptr + wb->lit_base : "";
			w->lit = n == p - start && memcmp(l, w->raw, n) == 0
			             ? w->raw
			             : dko_arena_strndup(&c->s->arena, l, n);
		}
		c->lit.len = wb->lit_base;
		w->has_subst = wb->subst;
		w->has_param = wb->param;
		w->has_glob = wb->glob;
		w->quoted = wb->quoted;
		lx->w.parts = wb->parts;
		lx->w.rw = !wb->quoted && !wb->dynamic ? classify_word(w->raw, p - start) : RW_NONE;
	}
	set_la(lx, T_WORD, 0, start, p);
	record(lx, DKO_SH_TOK_WORD, start, p);
}

/* Lex a word starting at p into the lookahead. */
static void lex_word(lexer *lx, uint32_t p)
{
	const char *t = lx->c->t;
	if (lx->cond && p + 1 < lx->end && t[p] == ']' && t[p + 1] == ']' &&
	    (p + 2 >= lx->end || is_meta(t[p + 2]) || t[p + 2] == '\r')) {
		finish_word(lx, p, p + 2, NULL); /* the ]] closing [[ */
		return;
	}
	uint32_t q = p;
	while (plain_char(t[q])) /* the sentinel stops it */
		q++;
	if (q > p && (q >= lx->end || (word_end(lx, q) && t[q] != '('))) {
		finish_word(lx, p, q, NULL); /* the usual word: its value is itself */
		return;
	}
	wbuild wb = {0};
	wb.lit_base = lx->c->lit.len;
	wb.tail = &wb.parts;
	finish_word(lx, p, scan_word(lx, p, p, &wb), &wb);
}

/* ---- operators, trivia, heredoc bodies ---- */

/* A redirection operator at q, after the fd digits at [p, q). */
static void lex_redir(lexer *lx, uint32_t p, uint32_t q)
{
	const char *t = lx->c->t;
	uint32_t e = lx->end;
	char a = t[q], b = q + 1 < e ? t[q + 1] : 0, c3 = q + 2 < e ? t[q + 2] : 0;
	uint32_t n = 1;
	uint8_t rd = RD_OTHER;
	if (a == '<') {
		if (b == '<' && c3 == '<') {
			n = 3;
		} else if (b == '<' && c3 == '-') {
			n = 3, rd = RD_HEREDOC_STRIP;
		} else if (b == '<') {
			n = 2, rd = RD_HEREDOC;
		} else if (b == '&' || b == '>') {
			n = 2;
		}
	} else if (a == '>') {
		if (b == '>' || b == '&' || b == '|')
			n = 2;
	} else { /* &> and &>> */
		n = c3 == '>' ? 3 : 2;
	}
	set_la(lx, T_REDIR, rd, p, q + n);
	record(lx, DKO_SH_TOK_REDIR, p, q + n);
}

static void lex_op(lexer *lx, uint32_t p, uint8_t op, uint32_t n)
{
	set_la(lx, T_OP, op, p, p + n);
	record(lx, DKO_SH_TOK_OP, p, p + n);
}

/* Read the bodies of the pending heredocs; pos is just after a newline. */
static void read_heredocs(lexer *lx)
{
	const char *t = lx->c->t;
	for (sh_redir *r = lx->pend; r; r = r->pnext) {
		uint32_t body0 = lx->pos, p = body0;
		size_t dlen = strlen(r->delim);
		while (p < lx->end) {
			const char *nl = memchr(t + p, '\n', lx->end - p);
			uint32_t le = nl ? (uint32_t)(nl - t) : lx->end, ce = le;
			if (nl && ce > p && t[ce - 1] == '\r')
				ce--;
			uint32_t a = p;
			if (r->strip_tabs)
				while (a < ce && t[a] == '\t')
					a++;
			if (ce - a == dlen && memcmp(t + a, r->delim, dlen) == 0) {
				r->terminated = true;
				r->body = (dko_span){body0, p};
				r->end = (dko_span){p, ce};
				record(lx, DKO_SH_TOK_HEREDOC_BODY, body0, p);
				record(lx, DKO_SH_TOK_HEREDOC_END, p, ce);
				lx->pos = nl ? le + 1 : le;
				record(lx, DKO_SH_TOK_NEWLINE, ce, lx->pos);
				break;
			}
			p = nl ? le + 1 : le;
		}
		if (!r->terminated)
			fail(lx->c, DKO_SH_SYNTAX, r->op.start,
			     "here-document delimited by end of script (wanted `%s`)", r->delim);
	}
	lx->pend = NULL;
	lx->pend_tail = &lx->pend;
}

/* Skip and record trivia; returns true when a newline was lexed into the
 * lookahead. */
static bool lex_trivia(lexer *lx)
{
	const char *t = lx->c->t;
	for (;;) {
		uint32_t p = lx->pos, q = p, k;
		if (p >= lx->end)
			return false;
		char ch = t[p];
		if (is_blank(ch)) {
			while (is_blank(t[q])) /* the sentinel stops it */
				q++;
			record(lx, DKO_SH_TOK_BLANK, p, q);
		} else if ((k = cont_len(t, p, lx->end)) != 0) {
			q = p + k;
			record(lx, DKO_SH_TOK_CONT, p, q);
		} else if (ch == '#') {
			const char *nl = memchr(t + p, '\n', lx->end - p);
			q = nl ? (uint32_t)(nl - t) : lx->end;
			if (nl && q > p && t[q - 1] == '\r')
				q--;
			record(lx, DKO_SH_TOK_COMMENT, p, q);
		} else if (ch == '\n' || (ch == '\r' && p + 1 < lx->end && t[p + 1] == '\n')) {
			q = p + (ch == '\n' ? 1 : 2);
			if (!lx->cond) {
				set_la(lx, T_NEWLINE, 0, p, q);
				record(lx, DKO_SH_TOK_NEWLINE, p, q);
				return true;
			}
			record(lx, DKO_SH_TOK_NEWLINE, p, q);
		} else {
			return false;
		}
		lx->pos = q;
	}
}

static void lex_next(lexer *lx)
{
	const char *t = lx->c->t;
	if (lex_trivia(lx)) {
		if (lx->pend)
			read_heredocs(lx);
		return;
	}
	uint32_t p = lx->pos, e = lx->end;
	if (p >= e) {
		if (lx->pend)
			fail(lx->c, DKO_SH_SYNTAX, lx->pend->op.start, "here-document without a body");
		set_la(lx, T_EOF, 0, p, p);
		return;
	}
	char ch = t[p], n = p + 1 < e ? t[p + 1] : 0;
	if (lx->cond) {
		lex_word(lx, p);
		return;
	}
	if (is_digit(ch)) {
		uint32_t q = p;
		while (q < e && is_digit(t[q]))
			q++;
		if (q < e && (t[q] == '<' || t[q] == '>'))
			lex_redir(lx, p, q);
		else
			lex_word(lx, p);
		return;
	}
	switch (ch) {
	case '<':
	case '>':
		if (n == '(')
			lex_word(lx, p);
		else
			lex_redir(lx, p, p);
		return;
	case '&':
		if (n == '&')
			lex_op(lx, p, OP_AND, 2);
		else if (n == '>')
			lex_redir(lx, p, p);
		else
			lex_op(lx, p, OP_AMP, 1);
		return;
	case '|':
		lex_op(lx, p, n == '|' ? OP_OR : n == '&' ? OP_PIPEAMP : OP_PIPE, n == '|' || n == '&' ? 2 : 1);
		return;
	case ';':
		if (n == ';' && p + 2 < e && t[p + 2] == '&')
			lex_op(lx, p, OP_DSEMIAMP, 3);
		else if (n == ';' || n == '&')
			lex_op(lx, p, n == ';' ? OP_DSEMI : OP_SEMIAMP, 2);
		else
			lex_op(lx, p, OP_SEMI, 1);
		return;
	case '(': lex_op(lx, p, OP_LPAREN, 1); return;
	case ')': lex_op(lx, p, OP_RPAREN, 1); return;
	default: lex_word(lx, p); return;
	}
}

/* ---- parser ---------------------------------------------------------------------------------- */

static uint8_t peek(lexer *lx)
{
	if (!lx->has) {
		lex_next(lx);
		lx->has = true;
	}
	return lx->kind;
}

static void take(lexer *lx)
{
	lx->has = false;
	lx->last_end = lx->span.end;
}

static bool peek_op(lexer *lx, uint8_t op)
{
	return peek(lx) == T_OP && lx->op == op;
}

static bool peek_rw(lexer *lx, uint8_t rw)
{
	return peek(lx) == T_WORD && lx->w.rw == rw;
}

static void skip_newlines(lexer *lx)
{
	while (peek(lx) == T_NEWLINE)
		take(lx);
}

static _Noreturn void fail_unexpected(lexer *lx, const char *expected)
{
	pctx *c = lx->c;
	uint8_t k = peek(lx);
	char what[48];
	if (k == T_EOF) {
		snprintf(what, sizeof(what), "end of script");
	} else if (k == T_NEWLINE) {
		snprintf(what, sizeof(what), "newline");
	} else {
		uint32_t n = lx->span.end - lx->span.start;
		snprintf(what, sizeof(what), "`%.*s%s`", (int)(n > 30 ? 30 : n), c->t + lx->span.start,
		         n > 30 ? "..." : "");
	}
	if (expected)
		fail(c, DKO_SH_SYNTAX, lx->span.start, "syntax error: unexpected %s (expected `%s`)", what,
		     expected);
	fail(c, DKO_SH_SYNTAX, lx->span.start, "syntax error: unexpected %s", what);
}

static void expect_rw(lexer *lx, uint8_t rw)
{
	if (!peek_rw(lx, rw))
		fail_unexpected(lx, rw_names[rw]);
	take(lx);
}

static void expect_op(lexer *lx, uint8_t op, const char *text)
{
	if (!peek_op(lx, op))
		fail_unexpected(lx, text);
	take(lx);
}

static bool reserved_end(uint8_t rw)
{
	return rw == RW_THEN || rw == RW_ELSE || rw == RW_ELIF || rw == RW_FI || rw == RW_DO ||
	       rw == RW_DONE || rw == RW_ESAC || rw == RW_RBRACE;
}

/* The next token ends a list: end of input, ), ;; or a closing reserved word. */
static bool at_list_end(lexer *lx)
{
	uint8_t k = peek(lx);
	if (k == T_EOF)
		return true;
	if (k == T_OP)
		return lx->op == OP_RPAREN || lx->op == OP_DSEMI || lx->op == OP_SEMIAMP ||
		       lx->op == OP_DSEMIAMP;
	return k == T_WORD && reserved_end(lx->w.rw);
}

static void push_word(lexer *lx)
{
	DKO_VEC_PUSH(&lx->c->words, lx->w);
	take(lx);
}

/* Move words [base, top) of the stack into arena arrays. */
static uint32_t pop_words(pctx *c, size_t base, dko_sh_word **words, sh_part ***parts)
{
	uint32_t n = (uint32_t)(c->words.len - base);
	*words = NULL;
	*parts = NULL;
	if (n == 0)
		return 0;
	/* One block: the words, then their substitution lists. */
	size_t wsize = (size_t)n * sizeof(dko_sh_word);
	char *block = dko_arena_alloc(&c->s->arena, wsize + (size_t)n * sizeof(sh_part *));
	*words = (dko_sh_word *)block;
	*parts = (sh_part **)(block + wsize);
	for (uint32_t i = 0; i < n; i++) {
		(*words)[i] = c->words.items[base + i].w;
		(*parts)[i] = c->words.items[base + i].parts;
	}
	c->words.len = base;
	return n;
}

static bool is_assignment(const dko_sh_word *w)
{
	const char *r = w->raw;
	if (!is_name_start(r[0]))
		return false;
	size_t i = 1;
	while (is_name_char(r[i]))
		i++;
	return r[i] == '=' || (r[i] == '+' && r[i + 1] == '=');
}

/* The heredoc delimiter: the word with quotes and backslashes removed. */
static const char *heredoc_delim(pctx *c, const dko_sh_word *w)
{
	const char *r = w->raw;
	size_t n = strlen(r), k = 0;
	char *d = dko_arena_alloc(&c->s->arena, n + 1);
	char q = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = r[i];
		if (q) {
			if (ch == q)
				q = 0;
			else if (q == '"' && ch == '\\' && i + 1 < n && strchr("$`\"\\", r[i + 1]))
				d[k++] = r[++i];
			else
				d[k++] = ch;
		} else if (ch == '\'' || ch == '"') {
			q = ch;
		} else if (ch == '\\' && i + 1 < n) {
			d[k++] = r[++i];
		} else {
			d[k++] = ch;
		}
	}
	d[k] = '\0';
	return d;
}

static void parse_redir(lexer *lx, sh_redir ***tail)
{
	pctx *c = lx->c;
	sh_redir *r = dko_arena_alloc(&c->s->arena, sizeof(*r));
	r->op = lx->span;
	r->fd = -1;
	for (uint32_t k = r->op.start; k < r->op.end && is_digit(c->t[k]); k++)
		r->fd = (r->fd < 0 ? 0 : r->fd * 10 % 100000) + (c->t[k] - '0');
	uint8_t rd = lx->op;
	take(lx);
	if (peek(lx) != T_WORD)
		fail_unexpected(lx, "a word after the redirection");
	r->target = lx->w.w;
	r->parts = lx->w.parts;
	take(lx);
	if (rd != RD_OTHER) {
		r->heredoc = true;
		r->strip_tabs = rd == RD_HEREDOC_STRIP;
		r->delim = heredoc_delim(c, &r->target);
		*lx->pend_tail = r;
		lx->pend_tail = &r->pnext;
	}
	**tail = r;
	*tail = &r->next;
}

static sh_node *parse_command(lexer *lx);

static void parse_trailing_redirs(lexer *lx, sh_node *n)
{
	sh_redir **tail = &n->redirs;
	while (peek(lx) == T_REDIR)
		parse_redir(lx, &tail);
	n->span.end = lx->last_end;
}

/* A list that must hold at least one command (if/while bodies, ...). */
static sh_node *parse_body(lexer *lx, uint8_t role, const char *what)
{
	sh_node *l = parse_list(lx);
	if (!l->kid)
		fail_unexpected(lx, what);
	l->role = role;
	return l;
}

/* name ( ) body, after the name was pushed on the word stack at base. */
static sh_node *parse_funcdef(lexer *lx, uint32_t start, size_t base)
{
	pctx *c = lx->c;
	sh_node *n = new_node(c, N_FUNC, start);
	enter(c, start); /* f() g() h() ... would recurse without a list */
	if (peek_op(lx, OP_LPAREN)) {
		take(lx);
		expect_op(lx, OP_RPAREN, ")");
	}
	n->nwords = pop_words(c, base, &n->words, &n->wparts);
	skip_newlines(lx);
	n->kid = parse_command(lx);
	n->span.end = lx->last_end;
	leave(c);
	return n;
}

static sh_node *parse_simple(lexer *lx)
{
	pctx *c = lx->c;
	sh_node *n = new_node(c, N_CMD, lx->span.start);
	sh_redir **rtail = &n->redirs;
	c->nsimple++;
	size_t base = c->words.len;
	uint32_t nassign = 0;
	for (;;) {
		uint8_t k = peek(lx);
		if (k == T_REDIR) {
			parse_redir(lx, &rtail);
			continue;
		}
		if (k != T_WORD)
			break;
		bool before_argv = c->words.len == base + nassign;
		if (before_argv && is_assignment(&lx->w.w)) {
			push_word(lx);
			nassign++;
			continue;
		}
		push_word(lx);
		if (before_argv && nassign == 0 && !n->redirs && peek_op(lx, OP_LPAREN))
			return parse_funcdef(lx, n->span.start, base);
	}
	n->span.end = lx->last_end;
	sh_part **ap;
	dko_sh_word *aw;
	/* Words sit above the assignments on the stack: pop them first. */
	n->nwords = pop_words(c, base + nassign, &n->words, &n->wparts);
	n->nassigns = pop_words(c, base, &aw, &ap);
	n->assigns = aw;
	n->aparts = ap;
	return n;
}

static sh_node *parse_brace(lexer *lx)
{
	sh_node *n = new_node(lx->c, N_BRACE, lx->span.start);
	take(lx);
	n->kid = parse_body(lx, R_BODY, "a command");
	expect_rw(lx, RW_RBRACE);
	return n;
}

/* ( list ), or (( arithmetic )) when the parentheses close as "))". */
static sh_node *parse_paren(lexer *lx)
{
	pctx *c = lx->c;
	uint32_t start = lx->span.start;
	if (lx->span.end < lx->end && c->t[lx->span.end] == '(') {
		uint32_t e = scan_arith(lx, start + 2);
		if (e) {
			/* Re-lex as one token: drop the "(" already recorded. */
			if (lx->top)
				c->toks.len = lx->tokidx;
			lx->has = false;
			lx->pos = lx->last_end = e;
			record(lx, DKO_SH_TOK_ARITH, start, e);
			sh_node *n = new_node(c, N_ARITH, start);
			n->span.end = e;
			return n;
		}
	}
	sh_node *n = new_node(c, N_SUBSHELL, start);
	take(lx);
	n->kid = parse_body(lx, R_BODY, "a command");
	expect_op(lx, OP_RPAREN, ")");
	return n;
}

static sh_node *parse_if(lexer *lx)
{
	sh_node *n = new_node(lx->c, N_IF, lx->span.start), **tail = &n->kid;
	take(lx);
	for (;;) {
		*tail = parse_body(lx, R_COND, "a condition");
		tail = &(*tail)->next;
		expect_rw(lx, RW_THEN);
		*tail = parse_body(lx, R_THEN, "a command");
		tail = &(*tail)->next;
		if (!peek_rw(lx, RW_ELIF))
			break;
		take(lx);
	}
	if (peek_rw(lx, RW_ELSE)) {
		take(lx);
		*tail = parse_body(lx, R_ELSE, "a command");
	}
	expect_rw(lx, RW_FI);
	return n;
}

static sh_node *parse_while(lexer *lx, nkind kind)
{
	sh_node *n = new_node(lx->c, kind, lx->span.start);
	take(lx);
	n->kid = parse_body(lx, R_COND, "a condition");
	expect_rw(lx, RW_DO);
	n->kid->next = parse_body(lx, R_BODY, "a command");
	expect_rw(lx, RW_DONE);
	return n;
}

/* for NAME [in WORD...] ; do ... done, or for (( ...; ...; ... )) */
static sh_node *parse_for(lexer *lx)
{
	pctx *c = lx->c;
	sh_node *n = new_node(c, N_FOR, lx->span.start);
	take(lx);
	size_t base = c->words.len;
	if (peek_op(lx, OP_LPAREN) && lx->span.end < lx->end && c->t[lx->span.end] == '(') {
		uint32_t start = lx->span.start, e = scan_arith(lx, start + 2);
		if (!e)
			fail(c, DKO_SH_SYNTAX, start, "unterminated for (( ... ))");
		if (lx->top)
			c->toks.len = lx->tokidx;
		lx->has = false;
		lx->pos = lx->last_end = e;
		record(lx, DKO_SH_TOK_ARITH, start, e);
		n->arith = (dko_span){start, e};
		if (peek_op(lx, OP_SEMI))
			take(lx);
	} else {
		if (peek(lx) != T_WORD)
			fail_unexpected(lx, "a variable name");
		push_word(lx);
		skip_newlines(lx);
		if (peek_rw(lx, RW_IN)) {
			take(lx);
			while (peek(lx) == T_WORD)
				push_word(lx);
			if (peek(lx) != T_NEWLINE && !peek_op(lx, OP_SEMI))
				fail_unexpected(lx, ";");
			take(lx);
		} else if (peek_op(lx, OP_SEMI)) {
			take(lx);
		}
	}
	n->nwords = pop_words(c, base, &n->words, &n->wparts);
	skip_newlines(lx);
	if (peek_rw(lx, RW_LBRACE)) {
		n->kid = parse_brace(lx);
		n->kid->role = R_BODY;
	} else {
		expect_rw(lx, RW_DO);
		n->kid = parse_body(lx, R_BODY, "a command");
		expect_rw(lx, RW_DONE);
	}
	return n;
}

static sh_node *parse_case_item(lexer *lx)
{
	pctx *c = lx->c;
	sh_node *it = new_node(c, N_ITEM, lx->span.start);
	if (peek_op(lx, OP_LPAREN))
		take(lx);
	size_t base = c->words.len;
	for (;;) {
		if (peek(lx) != T_WORD)
			fail_unexpected(lx, "a pattern");
		push_word(lx);
		if (!peek_op(lx, OP_PIPE))
			break;
		take(lx);
	}
	expect_op(lx, OP_RPAREN, ")");
	it->nwords = pop_words(c, base, &it->words, &it->wparts);
	sh_node *body = parse_list(lx);
	if (body->kid) {
		body->role = R_BODY;
		it->kid = body;
	}
	it->span.end = lx->last_end;
	uint8_t k = peek(lx);
	if (k == T_OP && (lx->op == OP_DSEMI || lx->op == OP_SEMIAMP || lx->op == OP_DSEMIAMP)) {
		it->sep = ';';
		take(lx);
		skip_newlines(lx);
	} else if (!peek_rw(lx, RW_ESAC)) {
		fail_unexpected(lx, ";;");
	}
	return it;
}

static sh_node *parse_case(lexer *lx)
{
	pctx *c = lx->c;
	sh_node *n = new_node(c, N_CASE, lx->span.start), **tail = &n->kid;
	take(lx);
	size_t base = c->words.len;
	if (peek(lx) != T_WORD)
		fail_unexpected(lx, "a word");
	push_word(lx);
	skip_newlines(lx);
	expect_rw(lx, RW_IN);
	skip_newlines(lx);
	enter(c, n->span.start);
	while (!peek_rw(lx, RW_ESAC)) {
		*tail = parse_case_item(lx);
		tail = &(*tail)->next;
	}
	leave(c);
	take(lx);
	n->nwords = pop_words(c, base, &n->words, &n->wparts);
	return n;
}

static sh_node *parse_function(lexer *lx)
{
	uint32_t start = lx->span.start;
	take(lx);
	if (peek(lx) != T_WORD)
		fail_unexpected(lx, "a function name");
	size_t base = lx->c->words.len;
	push_word(lx);
	return parse_funcdef(lx, start, base);
}

/* [[ ... ]]: words up to ]], with && || ( ) < > as plain words. */
static sh_node *parse_cond(lexer *lx)
{
	pctx *c = lx->c;
	sh_node *n = new_node(c, N_COND, lx->span.start);
	size_t base = c->words.len;
	lx->cond = true;
	take(lx);
	for (;;) {
		uint8_t k = peek(lx);
		if (k == T_EOF)
			fail_unexpected(lx, "]]");
		if (lx->w.rw == RW_DRBRACK)
			break;
		push_word(lx);
	}
	lx->cond = false;
	take(lx);
	n->nwords = pop_words(c, base, &n->words, &n->wparts);
	return n;
}

static sh_node *parse_compound_word(lexer *lx)
{
	switch (lx->w.rw) {
	case RW_LBRACE: return parse_brace(lx);
	case RW_IF: return parse_if(lx);
	case RW_FOR:
	case RW_SELECT: return parse_for(lx);
	case RW_WHILE: return parse_while(lx, N_WHILE);
	case RW_UNTIL: return parse_while(lx, N_UNTIL);
	case RW_CASE: return parse_case(lx);
	case RW_FUNCTION: return parse_function(lx);
	case RW_DLBRACK: return parse_cond(lx);
	default:
		if (reserved_end(lx->w.rw))
			fail_unexpected(lx, NULL);
		return NULL;
	}
}

static sh_node *parse_command(lexer *lx)
{
	uint8_t k = peek(lx);
	sh_node *n = NULL;
	if (k == T_WORD) {
		n = parse_compound_word(lx);
		if (!n)
			return parse_simple(lx);
		if (n->kind == N_FUNC)
			return n;
	} else if (k == T_REDIR) {
		return parse_simple(lx);
	} else if (k == T_OP && lx->op == OP_LPAREN) {
		n = parse_paren(lx);
	} else {
		fail_unexpected(lx, NULL);
	}
	parse_trailing_redirs(lx, n);
	return n;
}

static sh_node *parse_pipeline(lexer *lx)
{
	pctx *c = lx->c;
	uint32_t start = UINT32_MAX;
	while (peek_rw(lx, RW_BANG)) {
		if (start == UINT32_MAX)
			start = lx->span.start;
		take(lx);
	}
	sh_node *first = parse_command(lx), *res = first;
	if (peek(lx) == T_OP && (lx->op == OP_PIPE || lx->op == OP_PIPEAMP)) {
		res = new_node(c, N_PIPE, first->span.start);
		res->kid = first;
		sh_node **tail = &first->next;
		while (peek(lx) == T_OP && (lx->op == OP_PIPE || lx->op == OP_PIPEAMP)) {
			if (lx->op == OP_PIPEAMP)
				res->pipe_amp = true;
			take(lx);
			skip_newlines(lx);
			*tail = parse_command(lx);
			tail = &(*tail)->next;
		}
		res->span.end = lx->last_end;
	}
	if (start != UINT32_MAX) {
		sh_node *n = new_node(c, N_NOT, start);
		n->kid = res;
		n->span.end = res->span.end;
		res = n;
	}
	return res;
}

static sh_node *parse_and_or(lexer *lx)
{
	sh_node *first = parse_pipeline(lx);
	if (peek(lx) != T_OP || (lx->op != OP_AND && lx->op != OP_OR))
		return first;
	sh_node *n = new_node(lx->c, N_ANDOR, first->span.start), **tail = &first->next;
	n->kid = first;
	while (peek(lx) == T_OP && (lx->op == OP_AND || lx->op == OP_OR)) {
		uint8_t role = lx->op == OP_AND ? R_AND : R_OR;
		take(lx);
		skip_newlines(lx);
		*tail = parse_pipeline(lx);
		(*tail)->role = role;
		tail = &(*tail)->next;
	}
	n->span.end = lx->last_end;
	return n;
}

static sh_node *parse_list(lexer *lx)
{
	pctx *c = lx->c;
	enter(c, lx->pos);
	skip_newlines(lx);
	sh_node *list = new_node(c, N_LIST, lx->has ? lx->span.start : lx->pos), **tail = &list->kid;
	while (!at_list_end(lx)) {
		sh_node *item = parse_and_or(lx);
		*tail = item;
		tail = &item->next;
		uint8_t k = peek(lx);
		if (k == T_OP && (lx->op == OP_SEMI || lx->op == OP_AMP)) {
			item->sep = lx->op == OP_SEMI ? ';' : '&';
		} else if (k == T_NEWLINE) {
			item->sep = '\n';
		} else {
			break;
		}
		item->sep_span = lx->span;
		take(lx);
		skip_newlines(lx);
	}
	if (list->kid)
		list->span.start = list->kid->span.start;
	list->span.end = lx->last_end > list->span.start ? lx->last_end : list->span.start;
	leave(c);
	return list;
}

/* ---- flat views ---------------------------------------------------------------------------- */

typedef struct wctx {
	bool cond, sub, pipe, bg, func;
	uint32_t li;
} wctx;

typedef DKO_VEC(dko_sh_cmd) cmdvec;

static void walk_node(cmdvec *v, const sh_node *n, wctx w);

static void walk_list(cmdvec *v, const sh_node *l, wctx w)
{
	for (const sh_node *it = l->kid; it; it = it->next) {
		wctx x = w;
		if (it->sep == '&')
			x.bg = true;
		walk_node(v, it, x);
	}
}

static void walk_parts(cmdvec *v, sh_part *const *parts, uint32_t n, wctx w)
{
	w.sub = true;
	w.pipe = false;
	for (uint32_t i = 0; i < n; i++)
		for (const sh_part *p = parts[i]; p; p = p->next)
			if (p->list)
				walk_list(v, p->list, w);
}

static void walk_redirs(cmdvec *v, const sh_redir *r, wctx w)
{
	for (; r; r = r->next)
		walk_parts(v, &r->parts, 1, w);
}

static bool is_test_cmd(const sh_node *n)
{
	if (n->kind == N_COND)
		return true;
	return n->kind == N_CMD && n->nwords &&
	       (word_is(&n->words[0], "[") || word_is(&n->words[0], "test"));
}

static void emit_cmd(cmdvec *v, const sh_node *n, wctx w)
{
	dko_sh_cmd c = {0};
	c.words = n->words;
	c.nwords = n->nwords;
	c.assigns = n->assigns;
	c.nassigns = n->nassigns;
	c.has_redirs = n->redirs != NULL;
	c.conditional = w.cond;
	c.in_subshell = w.sub;
	c.in_pipeline = w.pipe;
	c.background = w.bg;
	c.in_function = w.func;
	c.list_index = w.li;
	c.span = n->span;
	for (const sh_redir *r = n->redirs; r; r = r->next)
		if (r->heredoc && r->fd <= 0)
			c.stdin_heredoc = r->body; /* the last one wins, as in the shell */
	DKO_VEC_PUSH(v, c);
}

/* Right of ||, or right of && after a test or an already conditional part. */
static void walk_andor(cmdvec *v, const sh_node *n, wctx w)
{
	bool chain = false;
	const sh_node *prev = NULL;
	for (const sh_node *k = n->kid; k; prev = k, k = k->next) {
		if (k->role == R_OR)
			chain = true;
		else if (k->role == R_AND && prev && is_test_cmd(prev))
			chain = true;
		wctx x = w;
		x.cond = w.cond || chain;
		walk_node(v, k, x);
	}
}

static void walk_node(cmdvec *v, const sh_node *n, wctx w)
{
	wctx x = w;
	switch ((nkind)n->kind) {
	case N_LIST: walk_list(v, n, w); return;
	case N_ANDOR: walk_andor(v, n, w); return;
	case N_NOT:
		x.cond = true;
		walk_node(v, n->kid, x);
		return;
	case N_PIPE:
		x.pipe = true;
		for (const sh_node *k = n->kid; k; k = k->next)
			walk_node(v, k, x);
		return;
	case N_CMD:
		emit_cmd(v, n, w);
		walk_parts(v, n->aparts, n->nassigns, w);
		walk_parts(v, n->wparts, n->nwords, w);
		break;
	case N_SUBSHELL:
		x.sub = true;
		walk_list(v, n->kid, x);
		break;
	case N_BRACE: walk_list(v, n->kid, w); break;
	case N_IF:
	case N_WHILE:
	case N_UNTIL:
		/* The first condition always runs; everything after it may not. */
		for (const sh_node *k = n->kid; k; k = k->next) {
			x.cond = w.cond || k != n->kid;
			walk_list(v, k, x);
		}
		break;
	case N_FOR:
	case N_CASE:
		walk_parts(v, n->wparts, n->nwords, w);
		x.cond = true;
		for (const sh_node *k = n->kid; k; k = k->next)
			walk_node(v, k, x);
		break;
	case N_ITEM:
		walk_parts(v, n->wparts, n->nwords, w);
		if (n->kid)
			walk_list(v, n->kid, w);
		return;
	case N_FUNC:
		x.func = x.cond = true;
		walk_node(v, n->kid, x);
		return;
	case N_COND: walk_parts(v, n->wparts, n->nwords, w); break;
	case N_ARITH: break;
	}
	walk_redirs(v, n->redirs, w);
}

static bool only_and(const sh_node *n)
{
	if (n->kind != N_ANDOR)
		return true;
	for (const sh_node *k = n->kid->next; k; k = k->next)
		if (k->role != R_AND)
			return false;
	return true;
}

static void build_views(dko_sh_script *s, uint32_t ncmds)
{
	cmdvec v = {0};
	DKO_VEC_RESERVE(&v, ncmds + 1);
	uint32_t n = 0;
	for (const sh_node *it = s->root->kid; it; it = it->next)
		n++;
	s->items = dko_arena_grow(&s->arena, NULL, 0, n, sizeof(dko_sh_item));
	s->nitems = n;
	uint32_t i = 0;
	for (const sh_node *it = s->root->kid; it; it = it->next, i++) {
		dko_sh_item *x = &s->items[i];
		x->span = it->span;
		x->sep = it->sep;
		x->sep_span = it->sep ? it->sep_span : (dko_span){it->span.end, it->span.end};
		x->only_and = only_and(it);
		wctx w = {0};
		w.li = i;
		w.bg = it->sep == '&';
		walk_node(&v, it, w);
	}
	s->cmds = v.items; /* the script frees it */
	s->ncmds = (uint32_t)v.len;
}

/* ---- driver ------------------------------------------------------------------------------------ */

static dko_sh_script *new_script(void)
{
	dko_sh_script *s = dko_xcalloc(1, sizeof(*s));
	dko_arena_init(&s->arena);
	s->text = dko_xstrdup("");
	s->src = "";
	s->reason = "";
	return s;
}

/* The script takes the token array over. */
static void set_tokens(dko_sh_script *s, tokvec *v)
{
	free(s->toks);
	s->toks = v->items;
	s->ntoks = (uint32_t)v->len;
	v->items = NULL;
	v->len = v->cap = 0;
}

/* The first n tokens of v, then one OPAQUE token up to the end, so the
 * tiling holds. */
static void opaque_tokens(dko_sh_script *s, tokvec *v, size_t n)
{
	v->len = n;
	uint32_t at = n ? v->items[n - 1].span.end : 0;
	if (at < s->len) {
		dko_sh_token o = {DKO_SH_TOK_OPAQUE, {at, s->len}};
		DKO_VEC_PUSH(v, o);
	}
	set_tokens(s, v);
}

/* Parse s->text; on failure the script becomes opaque. */
static int parse_script(dko_sh_script *s)
{
	pctx ctx;
	pctx *volatile c = &ctx; /* setjmp: locals read after longjmp are volatile */
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->t = s->text;
	c->len = s->len;
	/* About one token per four bytes: no regrowth for usual scripts. */
	DKO_VEC_RESERVE(&c->toks, s->len / 4 + 8);
	c->raws = dko_arena_strndup(&s->arena, s->text, s->len);
	int rc = 0;
	if (setjmp(c->jb) == 0) {
		lexer lx;
		lexer_init(&lx, c, 0, c->len, true);
		s->root = parse_list(&lx);
		if (peek(&lx) != T_EOF)
			fail_unexpected(&lx, NULL);
		set_tokens(s, &c->toks);
		build_views(s, c->nsimple);
	} else {
		s->root = NULL;
		s->okind = c->fkind;
		s->ospan = (dko_span){c->fat, c->fat};
		s->reason = c->freason;
		/* The tokens end where the lexer stopped; heredoc tokens recorded
		 * ahead of a failure are dropped by the order check. */
		size_t n = 0;
		uint32_t at = 0;
		while (n < c->toks.len && c->toks.items[n].span.start == at)
			at = c->toks.items[n++].span.end;
		opaque_tokens(s, &c->toks, n);
		rc = DKO_EPARSE;
	}
	DKO_VEC_FREE(&c->toks);
	DKO_VEC_FREE(&c->words);
	dko_buf_release(&c->lit);
	return rc;
}

static void opaque_script(dko_sh_script *s, dko_sh_okind k, const char *reason)
{
	set_opaque(s, k, (dko_span){0, 0}, reason);
	tokvec v = {0};
	opaque_tokens(s, &v, 0);
}

int dko_sh_parse_node(dko_sh_script **out, const dko_doc *doc, uint32_t node_idx,
                      const dko_sh_opts *opts)
{
	dko_sh_script *s = new_script();
	*out = s;
	if (node_idx >= doc->nnodes || doc->nodes[node_idx].kind != DKO_NODE_INSTR) {
		opaque_script(s, DKO_SH_NOT_SHELL, "not an instruction");
		return dko_error_set(DKO_EINVAL, "node %u is not an instruction", node_idx);
	}
	dko_buf why = DKO_BUF_INIT;
	const char *reason = NULL;
	dko_sh_okind k = assemble_node(s, doc, &doc->nodes[node_idx], opts, &why, &reason);
	int rc;
	if (k != DKO_SH_PARSED) {
		opaque_script(s, k, reason);
		rc = DKO_EPARSE;
	} else {
		rc = parse_script(s);
	}
	dko_buf_release(&why);
	return rc;
}

int dko_sh_parse_text(dko_sh_script **out, const char *text, size_t len, const dko_sh_opts *opts)
{
	dko_sh_script *s = new_script();
	*out = s;
	if (len >= UINT32_MAX) {
		opaque_script(s, DKO_SH_BROKEN, "script too large");
		return DKO_EPARSE;
	}
	/* The script's own copy is its source, so it does not depend on text. */
	builder b = {dko_arena_strndup(&s->arena, text, len), DKO_BUF_INIT, {0}, 0};
	dko_buf_grow(&b.text, len + 1);
	put_src(&b, 0, (uint32_t)len);
	finish_text(s, &b);
	dko_buf why = DKO_BUF_INIT;
	const char *r = shell_refusal(opts, opts && opts->escape ? opts->escape : '\\', &why);
	int rc;
	if (r) {
		opaque_script(s, DKO_SH_NOT_SHELL, r);
		rc = DKO_EPARSE;
	} else {
		rc = parse_script(s);
	}
	dko_buf_release(&why);
	return rc;
}

void dko_sh_free(dko_sh_script *s)
{
	if (!s)
		return;
	dko_arena_release(&s->arena);
	free(s->text);
	free(s->segs);
	free(s->toks);
	free(s->cmds);
	free(s);
}

bool dko_sh_is_opaque(const dko_sh_script *s)
{
	return s->okind != DKO_SH_PARSED;
}

dko_sh_okind dko_sh_opaque_kind(const dko_sh_script *s)
{
	return s->okind;
}

const char *dko_sh_opaque_reason(const dko_sh_script *s)
{
	return s->reason;
}

dko_span dko_sh_opaque_span(const dko_sh_script *s)
{
	return s->ospan;
}

size_t dko_sh_token_count(const dko_sh_script *s)
{
	return s->ntoks;
}

const dko_sh_token *dko_sh_token_at(const dko_sh_script *s, size_t i)
{
	return i < s->ntoks ? &s->toks[i] : NULL;
}

size_t dko_sh_cmd_count(const dko_sh_script *s)
{
	return s->ncmds;
}

const dko_sh_cmd *dko_sh_cmd_at(const dko_sh_script *s, size_t i)
{
	return i < s->ncmds ? &s->cmds[i] : NULL;
}

size_t dko_sh_item_count(const dko_sh_script *s)
{
	return s->nitems;
}

const dko_sh_item *dko_sh_item_at(const dko_sh_script *s, size_t i)
{
	return i < s->nitems ? &s->items[i] : NULL;
}

const char *dko_sh_text(const dko_sh_script *s, size_t *len)
{
	if (len)
		*len = s->len;
	return s->text;
}

dko_arena *dko_sh_arena(const dko_sh_script *s)
{
	/* Results derived from a script live as long as it: the arena is the
	 * script's only mutable part. */
	return (dko_arena *)&s->arena;
}

/* ---- offsets -------------------------------------------------------------------------------- */

static uint32_t phys_of(const dko_sh_script *s, uint32_t off)
{
	if (s->nsegs == 0)
		return s->src_base;
	uint32_t lo = 0, hi = s->nsegs;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->segs[mid].s <= off)
			lo = mid;
		else
			hi = mid;
	}
	const seg *g = &s->segs[lo];
	uint32_t k = off - g->s;
	return g->phys + (k > g->len ? g->len : k);
}

dko_span dko_sh_phys_span(const dko_sh_script *s, dko_span sp)
{
	dko_span p;
	if (sp.end <= sp.start) {
		p.start = p.end = sp.start >= s->len && s->len ? phys_of(s, s->len - 1) + 1 : phys_of(s, sp.start);
		return p;
	}
	p.start = phys_of(s, sp.start);
	p.end = phys_of(s, sp.end - 1) + 1;
	return p;
}

dko_span dko_sh_source_span(const dko_sh_script *s)
{
	return dko_sh_phys_span(s, (dko_span){0, s->len});
}

/* ---- structure queries ------------------------------------------------------------------------ */

bool dko_sh_is_and_list(const dko_sh_script *s)
{
	if (!s->root || s->nitems != 1)
		return false;
	const dko_sh_item *it = &s->items[0];
	return it->only_and && it->sep != '&';
}

bool dko_sh_ends_in_background(const dko_sh_script *s)
{
	return s->root && s->nitems && s->items[s->nitems - 1].sep == '&';
}

static const char *const leaking_builtins[] = {
	"cd", "pushd", "popd", "export", "unset", "readonly", "declare", "typeset", "local", "set",
	"shopt", "umask", "ulimit", "source", ".", "exit", "return", "exec", "trap", "alias",
	"unalias", "eval", "read", "getopts", "shift", "let", "mapfile", "readarray", "hash",
	"enable", "disown",
};

/* Special builtins: assignments before them stay in the shell (POSIX). */
static const char *const special_builtins[] = {
	":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return",
	"set", "shift", "times", "trap", "unset",
};

static bool name_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Does arithmetic text assign (=, op=, ++, --)? Comparisons do not. */
static bool arith_assigns(const char *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if ((t[i] == '+' || t[i] == '-') && i + 1 < n && t[i + 1] == t[i])
			return true;
		if (t[i] != '=')
			continue;
		if (i + 1 < n && t[i + 1] == '=') {
			i++; /* == */
			continue;
		}
		if (i > 0 && (t[i - 1] == '!' || t[i - 1] == '<' || t[i - 1] == '>') &&
		    !(i > 1 && t[i - 2] == t[i - 1]))
			continue; /* != <= >= (but <<= >>= assign) */
		return true;
	}
	return false;
}

/* Does parameter expansion text (`${...}`, nested ones included) assign:
 * ${X=v}, ${X:=v}? */
static bool param_assigns(const char *t, uint32_t n)
{
	for (uint32_t i = 0; i + 2 < n; i++) {
		if (t[i] != '$' || t[i + 1] != '{')
			continue;
		uint32_t j = i + 2;
		while (j < n && name_char(t[j]))
			j++;
		if (j < n && t[j] == '[') { /* ${A[n=1]}: the subscript is arithmetic */
			uint32_t k = j + 1;
			while (k < n && t[k] != ']')
				k++;
			if (arith_assigns(t + j + 1, k - j - 1))
				return true;
			j = k < n ? k + 1 : k;
		}
		if (j < n && (t[j] == '=' || (t[j] == ':' && j + 1 < n && t[j + 1] == '=')))
			return true;
	}
	return false;
}

/* Do the expansions of these parts assign in the current shell? Command
 * substitutions run in a subshell and do not. */
static bool parts_assign(const dko_sh_script *s, const sh_part *p)
{
	for (; p; p = p->next) {
		const char *t = s->text + p->span.start;
		uint32_t n = p->span.end - p->span.start;
		if ((p->kind == P_PARAM && param_assigns(t, n)) || (p->kind == P_ARITH && arith_assigns(t, n)))
			return true;
	}
	return false;
}

static bool cmd_expansions_assign(const dko_sh_script *s, const sh_node *n)
{
	for (uint32_t i = 0; i < n->nwords; i++) {
		if (n->wparts && parts_assign(s, n->wparts[i]))
			return true;
		/* bash's old $[...] arithmetic */
		const char *r = n->words[i].raw, *d = r ? strstr(r, "$[") : NULL;
		if (d && arith_assigns(d, strlen(d)))
			return true;
	}
	for (uint32_t i = 0; i < n->nassigns; i++)
		if (n->aparts && parts_assign(s, n->aparts[i]))
			return true;
	for (const sh_redir *r = n->redirs; r; r = r->next)
		if (parts_assign(s, r->parts))
			return true;
	return false;
}

typedef struct leak_walk {
	const dko_sh_script *s;
	dko_span *where;
	bool skip_set; /* `set` does not count */
} leak_walk;

static const char *leak_cmd(const leak_walk *lw, const sh_node *n)
{
	*lw->where = n->span;
	if (cmd_expansions_assign(lw->s, n))
		return "assignment"; /* ${X:=v}, $((n+=1)) */
	if (n->nwords == 0)
		return n->nassigns ? "assignment" : NULL;
	uint32_t i = 0;
	while (i < n->nwords && (word_is(&n->words[i], "command") || word_is(&n->words[i], "builtin") ||
	                         (i > 0 && word_is(&n->words[i], "-p"))))
		i++;
	if (i == n->nwords)
		return NULL;
	if (!n->words[i].lit) {
		/* A command name known only at run time may be a builtin, unless
		 * its static start already makes it a path. */
		const char *raw = n->words[i].raw;
		size_t k = 0;
		while (raw[k] && raw[k] != '$' && raw[k] != '`' && raw[k] != '/')
			k++;
		return raw[k] == '/' ? NULL : "command";
	}
	const char *name = n->words[i].lit;
	/* bash: A[0]=1 (an array element), printf -v VAR, coproc */
	if (strchr(name, '=') || !strcmp(name, "coproc"))
		return "assignment";
	if (!strcmp(name, "printf"))
		for (uint32_t k = i + 1; k < n->nwords; k++)
			if (n->words[k].lit && !strncmp(n->words[k].lit, "-v", 2))
				return "assignment";
	if (n->nassigns)
		for (size_t k = 0; k < sizeof(special_builtins) / sizeof(special_builtins[0]); k++)
			if (strcmp(name, special_builtins[k]) == 0)
				return "assignment";
	if (lw->skip_set && strcmp(name, "set") == 0)
		return NULL;
	for (size_t k = 0; k < sizeof(leaking_builtins) / sizeof(leaking_builtins[0]); k++)
		if (strcmp(name, leaking_builtins[k]) == 0)
			return leaking_builtins[k];
	return NULL;
}

static const char *leak_in(const leak_walk *lw, const sh_node *n);

static const char *leak_in_list(const leak_walk *lw, const sh_node *l)
{
	for (const sh_node *it = l->kid; it; it = it->next) {
		if (it->sep == '&') {
			/* A background job: its shell is a copy, but it outlives the script. */
			*lw->where = it->sep_span;
			return "&";
		}
		const char *r = leak_in(lw, it);
		if (r)
			return r;
	}
	return NULL;
}

static const char *leak_in(const leak_walk *lw, const sh_node *n)
{
	const char *r = NULL;
	/* The redirections of a compound command (or a case pattern, or the
	 * words of [[ ]]) are expanded by the shell itself: ${F:=x} there
	 * assigns. A pipeline's elements run in subshells. */
	if (n->kind != N_PIPE && n->kind != N_CMD && n->kind != N_LIST && cmd_expansions_assign(lw->s, n)) {
		*lw->where = n->span;
		return "assignment";
	}
	switch ((nkind)n->kind) {
	case N_LIST: return leak_in_list(lw, n);
	case N_CMD: return leak_cmd(lw, n);
	case N_NOT: return leak_in(lw, n->kid);
	case N_ANDOR:
	case N_IF:
	case N_WHILE:
	case N_UNTIL:
	case N_CASE:
		for (const sh_node *k = n->kid; k && !r; k = k->next)
			r = leak_in(lw, k);
		return r;
	case N_ITEM: return n->kid ? leak_in(lw, n->kid) : NULL;
	case N_BRACE: return leak_in(lw, n->kid);
	case N_FOR:
		*lw->where = n->span;
		return "assignment"; /* the loop variable */
	case N_FUNC: *lw->where = n->span; return "function";
	case N_ARITH: *lw->where = n->span; return "arithmetic";
	case N_PIPE:     /* each element runs in a subshell */
	case N_SUBSHELL:
	case N_COND: return NULL;
	}
	return NULL;
}

static const char *leaked(const dko_sh_script *s, dko_span *where, bool skip_set)
{
	dko_span dummy;
	if (!where)
		where = &dummy;
	*where = (dko_span){0, 0};
	if (!s->root)
		return "opaque";
	leak_walk lw = {s, where, skip_set};
	return leak_in_list(&lw, s->root);
}

const char *dko_sh_leaked_state_beyond_set(const dko_sh_script *s)
{
	return leaked(s, NULL, true);
}

const char *dko_sh_leaked_state(const dko_sh_script *s, dko_span *where)
{
	return leaked(s, where, false);
}

/* ---- dump ----------------------------------------------------------------------------------- */

typedef struct dumper {
	dko_buf *b;
	const dko_sh_script *s;
} dumper;

static void dump_list(dumper *d, const sh_node *l);
static void dump_node(dumper *d, const sh_node *n);

static void dump_text(dumper *d, dko_span sp)
{
	dko_go_quote(d->b, d->s->text + sp.start, sp.end - sp.start);
}

static void dump_param(dumper *d, dko_span sp)
{
	const char *t = d->s->text + sp.start;
	uint32_t n = sp.end - sp.start, a = 1, e;
	if (n > 1 && t[1] == '{') {
		a = 2;
		if (a + 1 < n && (t[a] == '#' || t[a] == '!') && t[a + 1] != '}')
			a++;
	}
	e = a;
	if (e < n && is_name_start(t[e])) {
		while (e < n && is_name_char(t[e]))
			e++;
	} else if (e < n && is_digit(t[e])) {
		while (e < n && is_digit(t[e]))
			e++;
	} else if (e < n) {
		e++;
	}
	dko_buf_puts(d->b, "(param ");
	dko_go_quote(d->b, t + a, e - a);
	dko_buf_putc(d->b, ')');
}

static void dump_part(dumper *d, const sh_part *p)
{
	static const char *const names[] = {"param", "subst", "backq", "arith", "proc"};
	if (p->kind == P_PARAM) {
		dump_param(d, p->span);
		return;
	}
	dko_buf_printf(d->b, "(%s ", names[p->kind]);
	if (p->list)
		dump_list(d, p->list);
	else
		dump_text(d, p->span);
	dko_buf_putc(d->b, ')');
}

static void dump_word(dumper *d, const dko_sh_word *w, const sh_part *parts)
{
	dko_buf *b = d->b;
	if (!w->lit) {
		dko_buf_puts(b, "(w ");
		dko_go_quote(b, w->raw, strlen(w->raw));
		for (const sh_part *p = parts; p; p = p->next) {
			dko_buf_putc(b, ' ');
			dump_part(d, p);
		}
		dko_buf_putc(b, ')');
	} else if (w->quoted) {
		dko_buf_puts(b, "(q ");
		dko_go_quote(b, w->raw, strlen(w->raw));
		dko_buf_putc(b, ' ');
		dko_go_quote(b, w->lit, strlen(w->lit));
		dko_buf_puts(b, w->has_glob ? " glob)" : ")");
	} else if (w->has_glob) {
		dko_buf_puts(b, "(glob ");
		dko_go_quote(b, w->raw, strlen(w->raw));
		dko_buf_putc(b, ')');
	} else {
		dko_go_quote(b, w->raw, strlen(w->raw));
	}
}

static void dump_words(dumper *d, const dko_sh_word *w, sh_part *const *parts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		dko_buf_putc(d->b, ' ');
		dump_word(d, &w[i], parts ? parts[i] : NULL);
	}
}

static void dump_redirs(dumper *d, const sh_redir *r)
{
	for (; r; r = r->next) {
		dko_buf_puts(d->b, " (");
		dko_buf_put(d->b, d->s->text + r->op.start, r->op.end - r->op.start);
		dko_buf_putc(d->b, ' ');
		dump_word(d, &r->target, r->parts);
		if (r->heredoc) {
			dko_buf_puts(d->b, " (body ");
			dump_text(d, r->body);
			dko_buf_putc(d->b, ')');
		}
		dko_buf_putc(d->b, ')');
	}
}

static void dump_andor(dumper *d, const sh_node *n)
{
	bool all_and = true, all_or = true;
	for (const sh_node *k = n->kid->next; k; k = k->next) {
		all_and = all_and && k->role == R_AND;
		all_or = all_or && k->role == R_OR;
	}
	dko_buf_puts(d->b, all_and ? "(and" : all_or ? "(or" : "(andor");
	for (const sh_node *k = n->kid; k; k = k->next) {
		if (!all_and && !all_or && k != n->kid)
			dko_buf_puts(d->b, k->role == R_AND ? " &&" : " ||");
		dko_buf_putc(d->b, ' ');
		dump_node(d, k);
	}
	dko_buf_putc(d->b, ')');
}

static void dump_kids(dumper *d, const sh_node *n, const char *head)
{
	dko_buf_puts(d->b, head);
	for (const sh_node *k = n->kid; k; k = k->next) {
		static const char *const roles[] = {"", "", "(then ", "(else ", "(do "};
		dko_buf_putc(d->b, ' ');
		bool wrap = k->role >= R_THEN && k->role <= R_BODY;
		if (k->role == R_COND && k != n->kid)
			dko_buf_puts(d->b, "(elif ");
		if (wrap)
			dko_buf_puts(d->b, roles[k->role]);
		dump_list(d, k);
		if (wrap || (k->role == R_COND && k != n->kid))
			dko_buf_putc(d->b, ')');
	}
}

static void dump_for(dumper *d, const sh_node *n)
{
	dko_buf *b = d->b;
	dko_buf_puts(b, "(for");
	if (n->arith.end > n->arith.start) {
		dko_buf_puts(b, " (arith ");
		dump_text(d, n->arith);
		dko_buf_putc(b, ')');
	} else {
		dump_words(d, n->words, n->wparts, 1);
		if (n->nwords > 1) {
			dko_buf_puts(b, " (in");
			dump_words(d, n->words + 1, n->wparts + 1, n->nwords - 1);
			dko_buf_putc(b, ')');
		}
	}
	dko_buf_puts(b, " (do ");
	if (n->kid->kind == N_LIST)
		dump_list(d, n->kid);
	else
		dump_node(d, n->kid);
	dko_buf_putc(b, ')');
}

static void dump_case(dumper *d, const sh_node *n)
{
	dko_buf *b = d->b;
	dko_buf_puts(b, "(case");
	dump_words(d, n->words, n->wparts, 1);
	for (const sh_node *it = n->kid; it; it = it->next) {
		dko_buf_puts(b, " (item (");
		for (uint32_t i = 0; i < it->nwords; i++) {
			if (i)
				dko_buf_putc(b, ' ');
			dump_word(d, &it->words[i], it->wparts[i]);
		}
		dko_buf_putc(b, ')');
		if (it->kid) {
			dko_buf_putc(b, ' ');
			dump_list(d, it->kid);
		}
		dko_buf_putc(b, ')');
	}
}

static void dump_node(dumper *d, const sh_node *n)
{
	dko_buf *b = d->b;
	switch ((nkind)n->kind) {
	case N_LIST: dump_list(d, n); return;
	case N_ANDOR: dump_andor(d, n); return;
	case N_NOT:
		dko_buf_puts(b, "(not ");
		dump_node(d, n->kid);
		dko_buf_putc(b, ')');
		return;
	case N_PIPE:
		dko_buf_puts(b, n->pipe_amp ? "(pipe|&" : "(pipe");
		for (const sh_node *k = n->kid; k; k = k->next) {
			dko_buf_putc(b, ' ');
			dump_node(d, k);
		}
		dko_buf_putc(b, ')');
		return;
	case N_CMD:
		dko_buf_puts(b, "(cmd");
		for (uint32_t i = 0; i < n->nassigns; i++) {
			dko_buf_puts(b, " (= ");
			dump_word(d, &n->assigns[i], n->aparts[i]);
			dko_buf_putc(b, ')');
		}
		dump_words(d, n->words, n->wparts, n->nwords);
		break;
	case N_SUBSHELL:
	case N_BRACE:
		dko_buf_puts(b, n->kind == N_SUBSHELL ? "(subshell " : "(group ");
		dump_list(d, n->kid);
		break;
	case N_IF: dump_kids(d, n, "(if"); break;
	case N_WHILE: dump_kids(d, n, "(while"); break;
	case N_UNTIL: dump_kids(d, n, "(until"); break;
	case N_FOR: dump_for(d, n); break;
	case N_CASE: dump_case(d, n); break;
	case N_ITEM: break;
	case N_FUNC:
		dko_buf_puts(b, "(function");
		dump_words(d, n->words, n->wparts, n->nwords);
		dko_buf_putc(b, ' ');
		dump_node(d, n->kid);
		dko_buf_putc(b, ')');
		return;
	case N_ARITH:
		dko_buf_puts(b, "(arith ");
		dump_text(d, n->span);
		break;
	case N_COND:
		dko_buf_puts(b, "(cond");
		dump_words(d, n->words, n->wparts, n->nwords);
		break;
	}
	dump_redirs(d, n->redirs);
	dko_buf_putc(b, ')');
}

static void dump_list(dumper *d, const sh_node *l)
{
	const sh_node *k = l->kid;
	if (k && !k->next && k->sep != '&') {
		dump_node(d, k);
		return;
	}
	dko_buf_puts(d->b, "(list");
	for (; k; k = k->next) {
		dko_buf_puts(d->b, k->sep == '&' ? " (bg " : " ");
		dump_node(d, k);
		if (k->sep == '&')
			dko_buf_putc(d->b, ')');
	}
	dko_buf_putc(d->b, ')');
}

int dko_sh_dump(dko_buf *out, const dko_sh_script *s)
{
	if (!s->root) {
		dko_buf_puts(out, "(opaque ");
		dko_go_quote(out, s->reason, strlen(s->reason));
		dko_buf_putc(out, ')');
		return 0;
	}
	dumper d = {out, s};
	dump_list(&d, s->root);
	return 0;
}

int dko_sh_print(dko_buf *out, const dko_sh_script *s)
{
	if (s->ntoks == 0)
		return 0;
	uint32_t at = dko_sh_phys_span(s, s->toks[0].span).start;
	for (uint32_t i = 0; i < s->ntoks; i++) {
		/* The gap before a token holds only Dockerfile trivia; copy it.
		 * Source offsets only grow (an invariant the corpus test checks);
		 * never turn a broken one into a huge length. */
		dko_span p = dko_sh_phys_span(s, s->toks[i].span);
		if (p.end <= at)
			continue;
		dko_buf_put(out, s->src + (at - s->src_base), p.end - at);
		at = p.end;
	}
	return 0;
}

/* ---- the SHELL in effect ------------------------------------------------------------------------- */

struct dko_sh_stage {
	const char *name; /* AS name (document memory), or NULL */
	const char **argv;
	uint32_t argc;
	bool windows;
};

void dko_sh_walker_init(dko_sh_walker *w, const dko_doc *doc)
{
	memset(w, 0, sizeof(*w));
	w->doc = doc;
}

void dko_sh_walker_release(dko_sh_walker *w)
{
	for (uint32_t i = 0; i < w->nstages; i++)
		free(w->stages[i].argv);
	free(w->stages);
	for (uint32_t i = 0; i < w->nretired; i++)
		free(w->retired[i]);
	free(w->retired);
	memset(w, 0, sizeof(*w));
}

/* Does s contain needle (lower case), ignoring case? */
static bool contains_ci(const char *s, const char *needle)
{
	char low[512];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	return strstr(low, needle) != NULL;
}

bool dko_sh_windows_base(const char *image, const char *platform)
{
	if (platform && strncasecmp(platform, "windows", 7) == 0)
		return true;
	return image && (contains_ci(image, "nanoserver") || contains_ci(image, "servercore") ||
	                 contains_ci(image, "mcr.microsoft.com/windows"));
}

/* A base image whose default shell is cmd.exe. */
static bool windows_image(const dko_instr *in)
{
	const dko_flag *pf = dko_instr_flag(in, "platform");
	return dko_sh_windows_base(in->nargs ? in->args[0].value : NULL, pf ? pf->value : NULL);
}

static void retire(dko_sh_walker *w, const char **argv)
{
	if (!argv)
		return;
	if (w->nretired == w->capretired) {
		w->capretired = w->capretired ? w->capretired * 2 : 4;
		w->retired = dko_xreallocarray(w->retired, w->capretired, sizeof(*w->retired));
	}
	w->retired[w->nretired++] = argv;
}

static void walker_from(dko_sh_walker *w, const dko_instr *in)
{
	if (w->nstages == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->stages = dko_xreallocarray(w->stages, w->cap, sizeof(*w->stages));
	}
	struct dko_sh_stage *st = &w->stages[w->nstages];
	memset(st, 0, sizeof(*st));
	if (in->nargs >= 3 && strcasecmp(in->args[1].value, "AS") == 0)
		st->name = in->args[2].value;
	st->windows = windows_image(in);
	/* FROM an earlier stage inherits its SHELL and platform. */
	for (uint32_t i = 0; in->nargs && i < w->nstages; i++) {
		const struct dko_sh_stage *p = &w->stages[i];
		if (p->name && strcasecmp(p->name, in->args[0].value) == 0) {
			/* The last stage of that name wins (a repeated name is an error
			 * BuildKit reports; do not leak over it). */
			retire(w, st->argv);
			st->argv = NULL;
			st->windows = p->windows;
			st->argc = p->argc;
			if (p->argc) {
				st->argv = dko_xreallocarray(NULL, p->argc, sizeof(char *));
				memcpy(st->argv, p->argv, p->argc * sizeof(char *));
			}
		}
	}
	w->nstages++;
}

static void walker_shell(dko_sh_walker *w, const dko_instr *in)
{
	if (!in->json || w->nstages == 0)
		return;
	struct dko_sh_stage *st = &w->stages[w->nstages - 1];
	/* Options handed out earlier may still point at the old argv. */
	retire(w, st->argv);
	st->argv = in->nargs ? dko_xreallocarray(NULL, in->nargs, sizeof(char *)) : NULL;
	for (uint32_t i = 0; i < in->nargs; i++)
		st->argv[i] = in->args[i].value;
	st->argc = in->nargs;
}

void dko_sh_walker_opts(dko_sh_walker *w, uint32_t node_idx, dko_sh_opts *out)
{
	const dko_doc *doc = w->doc;
	for (; w->next < node_idx && w->next < doc->nnodes; w->next++) {
		const dko_node *n = &doc->nodes[w->next];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		if (n->instr->kind == DKO_I_FROM)
			walker_from(w, n->instr);
		else if (n->instr->kind == DKO_I_SHELL)
			walker_shell(w, n->instr);
	}
	memset(out, 0, sizeof(*out));
	out->escape = doc->escape;
	if (w->nstages) {
		const struct dko_sh_stage *st = &w->stages[w->nstages - 1];
		out->shell = st->argv;
		out->nshell = st->argc;
		out->windows = st->windows;
	}
}
