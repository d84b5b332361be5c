/*
 * graph.h - what a Dockerfile builds, as passes need to reason about it:
 * stages (FROM ... AS, the global ARGs before the first FROM, COPY --from and
 * RUN --mount=from= dependencies, the stages a build of the targets reaches,
 * the stages whose filesystem ends up in an image), variables (every ARG/ENV
 * definition and every use, scoped per stage), the build state each
 * instruction sees (WORKDIR, USER, SHELL, ENV, ARG) and the files each
 * instruction reads from the context or another stage and writes.
 *
 * Passes decide legality from this graph, not from text. The graph points
 * into its document and must be rebuilt after the document is re-parsed.
 */
#ifndef DKO_GRAPH_H
#define DKO_GRAPH_H

#include "cst.h"

#include <stdbool.h>
#include <stdint.h>

/* The build profile shared by the graph, every pass and verify. */
typedef struct dko_profile {
	const char *context_dir;  /* NULL: none (stdin, missing folder) */
	const char **targets;     /* --target stage names; none = the last stage */
	size_t ntargets;
	const char **build_args;  /* "NAME=value" (or "NAME" to take it from the environment) */
	size_t nbuild_args;
	const char **secrets;     /* --secret specs, as given */
	size_t nsecrets;
	const char **unshipped;   /* PCRE2 patterns: stage or image names never shipped */
	size_t nunshipped;
} dko_profile;

typedef enum dko_var_kind {
	DKO_VAR_ARG,
	DKO_VAR_ENV,
	DKO_VAR_BASE /* set by the base image; value unknown */
} dko_var_kind;

typedef struct dko_var {
	const char *name;
	const char *value; /* after expansion; NULL when unknown (or ARG without default) */
	dko_var_kind kind;
	uint32_t node;     /* defining instruction (UINT32_MAX for a build argument) */
} dko_var;

/* A use of a variable inside an instruction (not inside RUN's shell text). */
typedef struct dko_var_use {
	const char *name;
	uint32_t node;
	bool defined; /* visible at that point */
} dko_var_use;

/* The state an instruction sees when it runs. */
typedef struct dko_state {
	const char *workdir; /* absolute, expanded; NULL when unknown */
	const char *user;    /* NULL: the base image's (root unless it says otherwise) */
	const char **shell;  /* SHELL argv; NULL: the default ["/bin/sh", "-c"] */
	uint32_t nshell;
	const dko_var *vars; /* ENV and ARG visible here, last definition wins */
	uint32_t nvars;
} dko_state;

typedef enum dko_path_kind {
	DKO_PATH_CONTEXT, /* a path in the build context (may hold a glob) */
	DKO_PATH_STAGE,   /* a path in another stage or image (from names it) */
	DKO_PATH_URL,     /* ADD of a URL or git repository */
	DKO_PATH_HEREDOC, /* inline content */
	DKO_PATH_IMAGE    /* a path inside the image being built */
} dko_path_kind;

typedef struct dko_path {
	dko_path_kind kind;
	const char *path; /* expanded when possible, else as written */
	const char *from; /* DKO_PATH_STAGE: the stage name/index or image */
	int from_stage;   /* DKO_PATH_STAGE: stage index, -1 for an image */
} dko_path;

/* What one instruction is in the graph. Indexed by node index. */
typedef struct dko_ginstr {
	int stage;       /* stage index; -1 before the first FROM (global ARGs) */
	dko_state state; /* what it sees */
	dko_path *reads;
	uint32_t nreads;
	dko_path *writes;
	uint32_t nwrites;
} dko_ginstr;

typedef struct dko_stage {
	uint32_t index;
	uint32_t from_node;  /* node index of its FROM */
	uint32_t end_node;   /* one past its last node */
	const char *name;    /* AS name, lower case; NULL when unnamed */
	const char *base;    /* FROM image as written */
	const char *base_expanded; /* after global ARG expansion; NULL when unknown */
	int base_stage;      /* index of the stage it is built FROM, else -1 */
	const char *platform;
	uint32_t *deps;      /* stages it reads from (COPY --from, RUN --mount from) */
	uint32_t ndeps;
	bool is_target;
	bool reachable;      /* built when building the targets */
	bool shipped;        /* its filesystem is part of a target image */
	bool has_onbuild;
} dko_stage;

typedef struct dko_graph dko_graph;

/* Build the graph of doc for profile (NULL = defaults). A --target that names
 * no stage is DKO_EINVAL with a message. */
int dko_graph_build(dko_graph **out, const dko_doc *doc, const dko_profile *profile);
void dko_graph_free(dko_graph *g);

uint32_t dko_graph_stage_count(const dko_graph *g);
const dko_stage *dko_graph_stage(const dko_graph *g, uint32_t i);
/* Stage of a name (case-insensitive) or decimal index; -1 if none. */
int dko_graph_stage_lookup(const dko_graph *g, const char *name);
/* The graph view of node i (valid for every node; non-instructions get
 * stage and state only). */
const dko_ginstr *dko_graph_instr(const dko_graph *g, uint32_t node);
/* The final stage (last target). */
const dko_stage *dko_graph_final(const dko_graph *g);

uint32_t dko_graph_var_count(const dko_graph *g);
const dko_var *dko_graph_var(const dko_graph *g, uint32_t i);
uint32_t dko_graph_use_count(const dko_graph *g);
const dko_var_use *dko_graph_use(const dko_graph *g, uint32_t i);

/* Value of a variable as instruction node sees it; NULL when unset or unknown. */
const char *dko_state_lookup(const dko_state *st, const char *name);
/* Whether the variable is defined (even with an unknown value). */
bool dko_state_defines(const dko_state *st, const char *name);

/*
 * Expand a Dockerfile word as BuildKit does for WORKDIR/COPY/ENV (quotes
 * removed, \ escapes, $VAR ${VAR} ${VAR:-w} ${VAR-w} ${VAR:+w} ${VAR+w}).
 * Returns a malloc'd string, or NULL when it uses a variable whose value is
 * unknown or a form it cannot evaluate. lookup returns NULL for "unset" and
 * sets *unknown when the variable is set to an unknown value.
 */
typedef const char *(*dko_lookup_fn)(void *ctx, const char *name, bool *unknown);
char *dko_expand_word(const char *word, size_t len, char escape, dko_lookup_fn lookup, void *ctx);

/* `dump --graph`: the graph as text (malloc'd). */
int dko_graph_dump(char **out, size_t *len, const dko_graph *g, const dko_doc *doc);

#endif
