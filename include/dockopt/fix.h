/*
 * dockopt/fix.h - rewriting a Dockerfile: passes, findings, file edits.
 *
 * dko_fix() runs the enabled passes over a Dockerfile in a fixed order until
 * nothing changes (bounded), re-parsing after every pass that edited the
 * file, and returns a set of file edits (the Dockerfile itself, and files a
 * pass adds such as .dockerignore) plus findings: every change applied and
 * every suggestion a pass could not prove safe, located in the input file.
 */
#ifndef DOCKOPT_FIX_H
#define DOCKOPT_FIX_H

#include "dockopt/common.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum dko_tier {
	DKO_TIER_SAFE,      /* keeps the image's behaviour; on by default */
	DKO_TIER_AGGRESSIVE /* changes what gets installed; opt-in */
} dko_tier;

/* The versioned findings schema (JSON "schema" field). */
#define DKO_FINDINGS_SCHEMA "dockopt/findings/1"

typedef struct dko_finding {
	const char *rule;     /* dockopt rule id, e.g. "merge-runs" */
	const char *hadolint; /* hadolint id it settles ("DL3059"), or NULL */
	dko_tier tier;
	bool applied;         /* true: a change made; false: a suggestion */
	const char *file;     /* the file it is about */
	uint32_t line, col;   /* 1-based, in the input file */
	uint32_t end_line;    /* last input line the change touches */
	const char *message;  /* what was done / what could be done */
	const char *reason;   /* why (the rule's one-line rationale) */
} dko_finding;

/* One file the fix changes or creates. */
typedef struct dko_file_edit {
	const char *path; /* as given (the Dockerfile) or the new file's path */
	const char *old_text; /* NULL for a new file */
	size_t old_len;
	const char *new_text;
	size_t new_len;
} dko_file_edit;

typedef struct dko_fix_result dko_fix_result;

/* A rule as the registry describes it. */
typedef struct dko_rule_info {
	const char *id;
	const char *hadolint; /* or NULL */
	dko_tier tier;
	const char *title;   /* one-line reason */
	const char *explain; /* rationale with a before/after example */
} dko_rule_info;

size_t dko_rule_count(void);
const dko_rule_info *dko_rule_at(size_t i);
/* By dockopt id or hadolint id (case-insensitive); NULL when unknown. */
const dko_rule_info *dko_rule_find(const char *id);

typedef struct dko_config dko_config;
struct dko_context;

typedef struct dko_fix_opts {
	const char *path;          /* the Dockerfile's path (messages, context default) */
	const char *context_dir;   /* build context; NULL = the Dockerfile's folder; "" = none */
	const char **targets;      /* --target (repeatable) */
	size_t ntargets;
	const char **build_args;   /* NAME=value */
	size_t nbuild_args;
	const char **secrets;
	size_t nsecrets;
	bool aggressive;           /* run aggressive-tier passes */
	const char **select;       /* only these rules (ids or hadolint ids); NULL = all */
	size_t nselect;
	const char **ignore;       /* never these rules */
	size_t nignore;
	const dko_config *config;  /* .dockopt.yml, or NULL */
	bool no_passes;            /* run nothing (round-trip check) */
	/* Verify hook: called with the rewritten text before an aggressive rewrite is
	 * kept; returns 0 to keep it, non-zero to drop it. NULL: keep. */
	int (*verify)(void *ctx, const char *path, const char *old_text, size_t old_len,
	              const char *new_text, size_t new_len);
	void *verify_ctx;
	/* The build context to use instead of opening context_dir (e.g. a git
	 * tree: the bot never reads the working tree). Not freed by dko_fix. */
	struct dko_context *context;
} dko_fix_opts;

/*
 * Fix text[0..len). *out is always set (free with dko_fix_result_free).
 * Returns 0, DKO_EPARSE when the input has syntax errors (no edits then; the
 * message is in dko_error_last()), or another error code.
 */
int dko_fix(dko_fix_result **out, const char *text, size_t len, const dko_fix_opts *opts);
void dko_fix_result_free(dko_fix_result *r);

size_t dko_fix_edit_count(const dko_fix_result *r);
const dko_file_edit *dko_fix_edit(const dko_fix_result *r, size_t i);
size_t dko_fix_finding_count(const dko_fix_result *r);
const dko_finding *dko_fix_finding(const dko_fix_result *r, size_t i);
/* Count of applied changes (suggestions excluded). */
size_t dko_fix_applied_count(const dko_fix_result *r);
/* RUN instructions before and after (all stages). */
void dko_fix_run_counts(const dko_fix_result *r, size_t *before, size_t *after);

#endif
