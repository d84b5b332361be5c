/*
 * cst.h - the concrete syntax tree of a Dockerfile (internal).
 *
 * Shape: a document is a flat list of top-level nodes that tile the source
 * (blank lines, comments, parser directives and instructions; each node
 * covers whole physical lines including their line terminators, and an
 * instruction node also covers its continuation lines, the comment and empty
 * lines inside them and its heredoc bodies). Independently, a token array
 * tiles the source byte for byte: every byte belongs to exactly one token.
 *
 * An instruction keeps BuildKit's "logical line": the physical lines joined
 * with continuations, embedded comments and empty lines removed (the string
 * BuildKit's parser dispatches on). All spans inside dko_instr are offsets into
 * that logical text; dko_node_phys() maps them back to source bytes through
 * the node's segment table.
 *
 * Invariants (checked by dko_cst_check): tokens are non-empty, contiguous and
 * cover [0, len); nodes are contiguous and cover [0, len); each node's tokens
 * cover exactly its span; segments are increasing and inside the node.
 */
#ifndef DKO_CST_H
#define DKO_CST_H

#include "dockopt/doc.h"
#include "util/arena.h"
#include "util/utf8.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum dko_tok_kind {
	DKO_TOK_BOM,          /* UTF-8 byte order mark */
	DKO_TOK_WS,           /* spaces/tabs: indentation, blank lines */
	DKO_TOK_NEWLINE,      /* \n, \r\n (any \r run before \n), or none at EOF */
	DKO_TOK_COMMENT,      /* a comment line's text */
	DKO_TOK_DIRECTIVE,    /* # syntax=..., # escape=..., # check=... */
	DKO_TOK_KEYWORD,      /* instruction keyword */
	DKO_TOK_TEXT,         /* instruction content on one physical line */
	DKO_TOK_CONT,         /* escape character + trailing blanks ending a line */
	DKO_TOK_HEREDOC_BODY, /* heredoc content lines */
	DKO_TOK_HEREDOC_END   /* heredoc terminator word (its newline is a NEWLINE) */
} dko_tok_kind;

typedef struct dko_token {
	uint32_t kind; /* dko_tok_kind */
	dko_span span;
} dko_token;

typedef enum dko_node_kind {
	DKO_NODE_BLANK,
	DKO_NODE_COMMENT,
	DKO_NODE_DIRECTIVE,
	DKO_NODE_INSTR
} dko_node_kind;

typedef enum dko_instr_kind {
	DKO_I_UNKNOWN = 0,
	DKO_I_ADD,
	DKO_I_ARG,
	DKO_I_CMD,
	DKO_I_COPY,
	DKO_I_ENTRYPOINT,
	DKO_I_ENV,
	DKO_I_EXPOSE,
	DKO_I_FROM,
	DKO_I_HEALTHCHECK,
	DKO_I_LABEL,
	DKO_I_MAINTAINER,
	DKO_I_ONBUILD,
	DKO_I_RUN,
	DKO_I_SHELL,
	DKO_I_STOPSIGNAL,
	DKO_I_USER,
	DKO_I_VOLUME,
	DKO_I_WORKDIR,
	DKO_I__COUNT
} dko_instr_kind;

/* One contiguous run of source bytes that is part of a logical line. */
typedef struct dko_seg {
	uint32_t log;  /* offset in the logical text */
	uint32_t phys; /* offset in the source */
	uint32_t len;
} dko_seg;

/* An argument as BuildKit's parser yields it (Node.Value). */
typedef struct dko_arg {
	const char *value; /* NUL-terminated; may contain NULs only via JSON \u0000 */
	uint32_t len;
	dko_span span; /* logical span of the raw text (empty for a separator) */
} dko_arg;

/* A --flag[=value] before the arguments. */
typedef struct dko_flag {
	const char *text; /* BuildKit's flag word: "--name=value" after quote removal */
	uint32_t len;
	const char *name; /* without the leading "--" and the value */
	uint32_t name_len;
	const char *value; /* after '=', NULL when there is no '=' */
	uint32_t value_len;
	dko_span span; /* logical span of the raw flag word */
} dko_flag;

typedef struct dko_heredoc {
	const char *name; /* terminator after quote removal */
	uint32_t name_len;
	uint32_t fd;      /* the N of N<<EOF, 0 when absent */
	bool chomp;       /* <<- : leading tabs stripped */
	bool expand;      /* unquoted terminator: variables expand */
	bool terminated;
	dko_span word; /* logical span of the <<EOF word */
	dko_span body; /* source bytes of the content lines */
	dko_span end;  /* source bytes of the terminator line, without its newline */
} dko_heredoc;

typedef struct dko_instr dko_instr;
struct dko_instr {
	dko_instr_kind kind;
	const char *text; /* logical line; shared with an ONBUILD's inner instruction */
	uint32_t text_len;
	dko_span keyword; /* logical */
	dko_flag *flags;
	uint32_t nflags;
	dko_span rest; /* logical: what follows the flags, trimmed (BuildKit's args) */
	dko_arg *args;
	uint32_t nargs;
	bool json;     /* exec (JSON array) form */
	bool has_args; /* BuildKit's Next != NULL (dump shows the arguments) */
	dko_instr *sub; /* ONBUILD's instruction */
	dko_heredoc *heredocs;
	uint32_t nheredocs;
	bool error; /* an error diagnostic was attached */
};

typedef struct dko_edit dko_edit;

typedef struct dko_node {
	dko_node_kind kind;
	dko_span span; /* source bytes, whole lines with terminators */
	uint32_t line; /* 1-based line of span.start */
	uint32_t tok_first, tok_count;
	dko_instr *instr; /* DKO_NODE_INSTR */
	dko_seg *segs;    /* logical -> source map of instr->text */
	uint32_t nsegs;
	/* Edits (see dko_doc_replace_node and friends); NULL when untouched. */
	dko_edit *before;  /* text inserted before the node, in order */
	const char *repl;  /* replacement text when replaced */
	uint32_t repl_len;
	bool replaced;
} dko_node;

struct dko_edit {
	dko_edit *next;
	const char *text;
	uint32_t len;
};

typedef struct dko_directive {
	const char *name; /* lower case: syntax, escape, check */
	const char *value;
	dko_span span; /* the directive's token */
} dko_directive;

struct dko_doc {
	dko_arena arena;
	char *filename;
	char *src; /* owned copy, NUL-terminated */
	uint32_t len;
	uint32_t *line_starts; /* offsets of the first byte of each line */
	uint32_t nlines;
	char escape; /* '\\' or '`' */
	bool bom;
	dko_token *toks;
	uint32_t ntoks, toks_cap;
	dko_node *nodes;
	uint32_t nnodes, nodes_cap;
	dko_diag *diags;
	uint32_t ndiags, diags_cap;
	dko_directive directives[3];
	uint32_t ndirectives;
	dko_edit *tail; /* text appended after the last node */
	bool edited;
};

/* Names of instruction kinds in upper case ("RUN"); "" for DKO_I_UNKNOWN. */
const char *dko_instr_name(dko_instr_kind k);
/* Kind of a keyword (any case); DKO_I_UNKNOWN if none. */
dko_instr_kind dko_instr_lookup(const char *kw, size_t len);

/* Map a logical offset of node's instruction text to a source offset.
 * An offset equal to the text length maps to the end of the last segment. */
uint32_t dko_node_phys(const dko_node *node, uint32_t logical);
/* Map a logical span; the result covers continuation bytes inside it. */
dko_span dko_node_phys_span(const dko_node *node, dko_span logical);

/* Add a diagnostic (message copied, printf-style). */
void dko_doc_diag_add(dko_doc *doc, dko_severity sev, const char *code, dko_span span,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check the tree invariants; returns 0 or DKO_ERROR with a message. */
int dko_cst_check(const dko_doc *doc);

/* The flag named name (without "--") of an instruction, or NULL. */
const dko_flag *dko_instr_flag(const dko_instr *in, const char *name);
/* The value of key in a RUN --mount spec ("type=cache,target=/x"), as a
 * malloc'd string, or NULL when the key is absent. */
char *dko_mount_field(const char *spec, size_t n, const char *key);

/* The source text of a node's span (not NUL-terminated). */
static inline const char *dko_node_src(const dko_doc *doc, const dko_node *n)
{
	return doc->src + n->span.start;
}

/*
 * Edits. Text is copied into the document's arena. A node may be replaced
 * (possibly by "", which deletes it) and may get text inserted before it;
 * inserting before index nnodes appends at the end. dko_doc_print applies the
 * edits; the tree itself is not re-parsed (print and parse again for that).
 */
void dko_doc_replace_node(dko_doc *doc, uint32_t idx, const char *text, size_t len);
void dko_doc_insert_before(dko_doc *doc, uint32_t idx, const char *text, size_t len);

/* Parse the logical text of one instruction (used for ONBUILD). Internal to
 * parse.c and lex.c. */
dko_instr *dko_parse_instr(dko_doc *doc, dko_node *node, const char *text, uint32_t len,
                           uint32_t base);

/* Find the heredocs of an instruction (RUN/COPY/ADD, or ONBUILD of one) on its
 * logical line; fills in->heredocs (names, flags, word spans). */
void dko_parse_heredocs(dko_doc *doc, dko_node *node, dko_instr *in);

/* Go's strconv.Quote of s[0..len) appended to b (BuildKit's dump format). */
struct dko_buf;
void dko_go_quote(struct dko_buf *b, const char *s, size_t len);


#endif
