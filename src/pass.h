/*
 * pass.h - the pass interface (internal).
 *
 * A pass is one file (src/pass_<name>.c) with one descriptor: its rule id,
 * hadolint cross-reference, tier, one-line reason, rationale, and a run
 * function. run() looks at a freshly parsed document and its graph, edits
 * the document only through the tree's edit API (dko_doc_replace_node,
 * dko_doc_insert_before) and reports every change or suggestion with the
 * node it concerns. It must be idempotent: run on its own output it changes
 * nothing. A pass that cannot show a rewrite is safe leaves the code alone
 * and may suggest.
 */
#ifndef DKO_PASS_H
#define DKO_PASS_H

#include "cst.h"
#include "dockopt/fix.h"
#include "graph.h"
#include "style.h"

struct dko_context;
struct dko_sh_script;
struct dko_pkg_table;
struct fix_run;

typedef struct dko_pass_ctx {
	dko_doc *doc;
	const dko_graph *graph;
	const dko_fix_opts *opts;
	const dko_style *style;
	struct dko_context *context;      /* NULL: no build context (suggest only) */
	const struct dko_pkg_table *pkgs; /* package recognition table */
	struct fix_run *run;              /* private to fix.c */
	const struct dko_pass *pass;
} dko_pass_ctx;

typedef struct dko_pass {
	dko_rule_info info;
	int (*run)(dko_pass_ctx *ctx);
} dko_pass;

/* The registry, in the order passes run (pass.c). */
extern const dko_pass *const dko_pass_registry[];
extern const size_t dko_pass_registry_len;

/* Report a change made to nodes [node, last_node] (printf-style message). */
void dko_pass_applied(dko_pass_ctx *c, uint32_t node, uint32_t last_node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Report a suggestion about node. */
void dko_pass_suggest(dko_pass_ctx *c, uint32_t node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add or replace a whole file next to the Dockerfile (e.g. .dockerignore):
 * path relative to the context root. */
void dko_pass_add_file(dko_pass_ctx *c, const char *rel_path, const char *text, size_t len);

/* Whether this pass is switched off for node by an inline pragma
 * (# dockopt ignore=..., # hadolint ignore=..., or a global one). */
bool dko_pass_disabled_at(const dko_pass_ctx *c, uint32_t node);

/* The shell tree of a RUN (or CMD/ENTRYPOINT) node, parsed once per pass
 * run and cached; NULL for exec form. Check dko_sh_is_opaque() before
 * rewriting. */
struct dko_sh_script *dko_pass_script(dko_pass_ctx *c, uint32_t node);

/* The line of the input file that node i comes from (for messages naming
 * another instruction: earlier passes may have moved lines). */
uint32_t dko_pass_input_line(const dko_pass_ctx *c, uint32_t i);

/* Whether node i is a RUN instruction of a stage whose filesystem ships
 * (caches left there reach the image). */
bool dko_pass_shipped_run(const dko_pass_ctx *c, uint32_t i);

/* Source text of node i (not NUL-terminated) and its length. */
const char *dko_pass_node_text(const dko_pass_ctx *c, uint32_t i, size_t *len);

#endif
