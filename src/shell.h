/*
 * shell.h - the shell inside RUN (and CMD/ENTRYPOINT/HEALTHCHECK shell form):
 * a lossless POSIX sh (+ common bash) syntax tree with spans back into the
 * Dockerfile (internal).
 *
 * The script is exactly what BuildKit hands to the shell: the instruction's
 * logical text from in->rest.start to its end, followed for every heredoc
 * by "\n" + body + terminator; or, for `RUN <<EOF` alone, the (chomped) body
 * itself. Every script byte comes from one source byte, so a segment map
 * takes script offsets back to the Dockerfile; the source bytes the script
 * skips (continuations, comment and empty lines inside an instruction, the
 * '\r' of CRLF, tabs stripped by <<-) are Dockerfile trivia.
 *
 * The shell tokens tile the script text: every byte is in exactly one token
 * (words, operators, blanks, comments, newlines, heredoc bodies). A word
 * holding $( ... ) is one token; its inner commands are parsed into the tree
 * and show up in the flat command list, but not as separate tokens.
 *
 * Anything the parser cannot handle makes the whole script opaque (one
 * OPAQUE token after the tokens lexed so far) with a reason and a span:
 * passes must leave such a RUN alone. Nesting is limited to
 * DKO_SH_MAX_DEPTH levels so that no input can exhaust the stack.
 */
#ifndef DKO_SHELL_H
#define DKO_SHELL_H

#include "cst.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* Deepest nesting of lists, compound commands and substitutions. */
#define DKO_SH_MAX_DEPTH 500

typedef struct dko_sh_script dko_sh_script; /* owns its memory (one arena) */

typedef struct dko_sh_opts {
	/* argv of the SHELL instruction in effect (NULL: ["/bin/sh", "-c"]).
	 * A shell that is not POSIX sh or bash (powershell, cmd, ...) makes the
	 * script opaque. */
	const char *const *shell;
	uint32_t nshell;
	/* The file's escape character; 0 takes the document's ('\\' for text).
	 * A backtick means a Windows file: opaque. */
	char escape;
	/* The stage's base image is Windows, whose default shell is cmd. */
	bool windows;
} dko_sh_opts;

typedef enum dko_sh_okind {
	DKO_SH_PARSED = 0, /* not opaque */
	DKO_SH_NOT_SHELL,  /* not POSIX shell: exec form, SHELL powershell/cmd,
	                      backtick escape, Windows base, #!python heredoc */
	DKO_SH_SYNTAX,     /* syntax error or a construct the parser does not know */
	DKO_SH_TOO_DEEP,   /* nesting deeper than DKO_SH_MAX_DEPTH */
	DKO_SH_BROKEN      /* the instruction itself has errors (unterminated heredoc) */
} dko_sh_okind;

/*
 * Parse the shell of instruction node node_idx (RUN, CMD, ENTRYPOINT,
 * HEALTHCHECK CMD, or ONBUILD of one). *out always receives a script
 * (possibly opaque); free it with dko_sh_free(). The script refers to the
 * document's source for printing: doc must outlive it. Returns 0, or DKO_EPARSE
 * when the script is opaque for any reason, including "not a shell script"
 * (then dko_sh_opaque_kind() tells which and dko_sh_opaque_reason() why;
 * dko_error_last() is not set). DKO_EINVAL for a node that is no instruction.
 */
int dko_sh_parse_node(dko_sh_script **out, const dko_doc *doc, uint32_t node_idx,
                      const dko_sh_opts *opts);
/* Parse text[0..len) (copied) as a script; spans map to offsets in text. */
int dko_sh_parse_text(dko_sh_script **out, const char *text, size_t len, const dko_sh_opts *opts);
/* Free a script; NULL is a no-op. */
void dko_sh_free(dko_sh_script *s);

bool dko_sh_is_opaque(const dko_sh_script *s);
dko_sh_okind dko_sh_opaque_kind(const dko_sh_script *s);
/* Why the script is opaque (one line), "" when it is not. */
const char *dko_sh_opaque_reason(const dko_sh_script *s);
/* Script offsets of the problem (empty span at 0 when not located). */
dko_span dko_sh_opaque_span(const dko_sh_script *s);

/* ---- the SHELL in effect ------------------------------------------------------- */

/*
 * Walks a document in node order keeping, per build stage, the SHELL in
 * effect and whether the base image is Windows (a stage FROM an earlier
 * stage inherits both). Use: init, then dko_sh_walker_opts() for increasing
 * node indices, then release. Every dko_sh_opts handed out stays valid until
 * release (a later SHELL does not free the argv an earlier one pointed to).
 */
typedef struct dko_sh_walker {
	const dko_doc *doc;
	uint32_t next; /* first node not yet seen */
	struct dko_sh_stage *stages;
	uint32_t nstages, cap;
	const char ***retired; /* argv arrays replaced by a later SHELL */
	uint32_t nretired, capretired;
} dko_sh_walker;

void dko_sh_walker_init(dko_sh_walker *w, const dko_doc *doc);
/* Options for the instruction at node_idx (>= every index asked before). */
void dko_sh_walker_opts(dko_sh_walker *w, uint32_t node_idx, dko_sh_opts *out);
void dko_sh_walker_release(dko_sh_walker *w);

/* Whether a stage FROM image (as written or expanded; may be NULL) with
 * --platform (may be NULL) is a Windows image, whose default shell is cmd:
 * for callers that fill dko_sh_opts.windows from their own stage data. */
bool dko_sh_windows_base(const char *image, const char *platform);

/* ---- tokens ------------------------------------------------------------------------ */

typedef enum dko_sh_tok_kind {
	DKO_SH_TOK_WORD,         /* a word, reserved words included */
	DKO_SH_TOK_OP,           /* ; & && || | |& ( ) ;; ;& ;;& */
	DKO_SH_TOK_REDIR,        /* redirection operator with its fd: 2>&  >|  <<-  &> */
	DKO_SH_TOK_BLANK,        /* spaces and tabs */
	DKO_SH_TOK_CONT,         /* backslash-newline between words */
	DKO_SH_TOK_COMMENT,      /* # ... up to the end of the line */
	DKO_SH_TOK_NEWLINE,      /* \n (with a preceding \r, if any) */
	DKO_SH_TOK_HEREDOC_BODY, /* the lines of a shell heredoc */
	DKO_SH_TOK_HEREDOC_END,  /* its delimiter line (without the newline) */
	DKO_SH_TOK_ARITH,        /* (( ... )) as a command */
	DKO_SH_TOK_OPAQUE        /* the rest of an opaque script */
} dko_sh_tok_kind;

typedef struct dko_sh_token {
	uint32_t kind; /* dko_sh_tok_kind */
	dko_span span; /* script offsets */
} dko_sh_token;

size_t dko_sh_token_count(const dko_sh_script *s);
const dko_sh_token *dko_sh_token_at(const dko_sh_script *s, size_t i);

/* ---- the flat view -------------------------------------------------------------------- */

typedef struct dko_sh_word {
	dko_span span;   /* script offsets of the raw text */
	const char *raw; /* raw text (NUL-terminated copy) */
	const char *lit; /* value after quote removal when fully static, else NULL;
	                    globs and a leading ~ are kept as written */
	bool has_subst;  /* contains $(...), `...`, $((...)), <(...) */
	bool has_param;  /* contains $VAR / ${...} */
	bool has_glob;   /* unquoted * ? [ or a {a,b} brace expansion */
	bool quoted;     /* some part was quoted or escaped */
} dko_sh_word;

typedef struct dko_sh_cmd {
	const dko_sh_word *words; /* argv, assignments and redirections excluded */
	uint32_t nwords;
	const dko_sh_word *assigns; /* leading NAME=value (and NAME+=value) */
	uint32_t nassigns;
	bool has_redirs;
	bool conditional; /* may not run although the script succeeds: inside an
	                     if/while/until/case/for body (not the first if or while
	                     condition), in a function body, after !, right of ||,
	                     and right of && once the chain is conditional or after
	                     a test ([ ], [[ ]], test) */
	bool in_subshell; /* inside ( ), $( ), `...` or <( ) */
	bool in_pipeline; /* part of a pipeline with more than one element */
	bool background;  /* its and-or list is followed by & */
	bool in_function; /* inside a function body (runs only when called) */
	uint32_t list_index; /* index of the top-level and-or list it belongs to */
	dko_span span;       /* script offsets of the whole command */
	dko_span stdin_heredoc; /* body of a here-document on standard input (<<, <<-,
	                           0<<), script offsets; empty when none */
} dko_sh_cmd;

/* Simple commands in source order (a command before those in its words). */
size_t dko_sh_cmd_count(const dko_sh_script *s);
const dko_sh_cmd *dko_sh_cmd_at(const dko_sh_script *s, size_t i);

/* The top-level and-or lists, in order. */
typedef struct dko_sh_item {
	dko_span span;     /* the and-or list, without its separator */
	char sep;          /* what follows: ';', '&', '\n', or 0 (end of script) */
	dko_span sep_span; /* the separator token (empty when sep is 0) */
	bool only_and;     /* its pipelines are joined by && only (or it has one) */
} dko_sh_item;

size_t dko_sh_item_count(const dko_sh_script *s);
const dko_sh_item *dko_sh_item_at(const dko_sh_script *s, size_t i);

/* The script text (owned by s) and its length. */
const char *dko_sh_text(const dko_sh_script *s, size_t *len);
/* Script offsets -> source offsets (the Dockerfile, or the text given to
 * dko_sh_parse_text). The result covers the trivia inside the span. */
dko_span dko_sh_phys_span(const dko_sh_script *s, dko_span script_span);
/* The source bytes the script comes from: phys of [0, len). */
dko_span dko_sh_source_span(const dko_sh_script *s);

/* ---- structure queries ----------------------------------------------------------------- */

/* The top level is ONE and-or list using only && between its pipelines: no
 * ||, no ; & or newline between two lists, not backgrounded. A ; or newline
 * after the one list ends it and is allowed: to append, insert at the end of
 * dko_sh_item_at(s, 0)->span, not at the end of the text. False for an
 * opaque or empty script. */
bool dko_sh_is_and_list(const dko_sh_script *s);
/* The last top-level and-or list ends with &. */
bool dko_sh_ends_in_background(const dko_sh_script *s);
/*
 * Shell state that escapes the script to whatever would be appended after
 * it at top level: cd/pushd/popd, export/unset/readonly/declare/typeset/
 * local, set, shopt, umask, ulimit, source/., exit/return, exec, trap, alias,
 * eval, read/getopts/shift/let/mapfile, builtin/command of these, function
 * definitions, bare assignments, assignments before a special builtin
 * (FOO=1 :), assigning expansions (${X:=v}, $((n+=1))), a command whose
 * name is not static, and & backgrounding. Returns the first
 * such command's name (or "assignment", "function", "&") with its span in
 * *where (script offsets; may be NULL), or NULL when none. Commands inside
 * ( ), $( ) or a pipeline of several elements do not leak. An opaque script
 * returns "opaque".
 */
const char *dko_sh_leaked_state(const dko_sh_script *s, dko_span *where);
/* The same, except that `set` commands do not count. */
const char *dko_sh_leaked_state_beyond_set(const dko_sh_script *s);

/* ---- output ---------------------------------------------------------------------------- */

/* The tree as one S-expression (no newline), or (opaque "reason"). */
int dko_sh_dump(dko_buf *out, const dko_sh_script *s);
/* The source bytes of the script, trivia included: the tokens' source spans
 * and the gaps between them (for a RUN, the body after the flags). */
int dko_sh_print(dko_buf *out, const dko_sh_script *s);

/* The arena of the script, for results tied to its lifetime (pkg.c). */
dko_arena *dko_sh_arena(const dko_sh_script *s);

#endif
