/*
 * fixverify.h - `fix --verify`: the dko_fix_opts.verify hook backed by real
 * builds (verify.h), and the reports the front ends make of it (internal; the
 * CLI and the PR bot use it).
 *
 * Use: create a verifier, point it at the build profile and verify options
 * of the Dockerfile about to be fixed (dko_fix_verifier_set), pass
 * dko_fix_verifier_hook with the verifier as dko_fix_opts.verify_ctx, call
 * dko_fix(). The fix loop calls the hook with the text before and after each
 * aggressive pass that edited; the hook builds both and keeps the rewrite
 * only when the verification passes. Every verification made is recorded, in
 * order, with its result or the error that prevented it.
 */
#ifndef DKO_FIXVERIFY_H
#define DKO_FIXVERIFY_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* verify.h's types (not included here: its dko_strlist clashes with discover.h's). */
struct dko_verify_profile;
struct dko_verify_opts;
struct dko_verify_result;

typedef struct dko_fix_verification {
	char *path;                /* the Dockerfile */
	struct dko_verify_result *result; /* NULL when it could not be made */
	char *error;               /* why not (no engine, the original does not build, ...) */
	bool kept;                 /* the rewrite passed and was kept */
} dko_fix_verification;

typedef struct dko_fix_verifier dko_fix_verifier;

/* A verifier (free with dko_fix_verifier_free). Returns 0. */
int dko_fix_verifier_new(dko_fix_verifier **out);
void dko_fix_verifier_free(dko_fix_verifier *v);

/* The profile and options for the next calls of the hook. Both are borrowed:
 * they must outlive the dko_fix() call that uses the hook. */
void dko_fix_verifier_set(dko_fix_verifier *v, const struct dko_verify_profile *profile,
                          const struct dko_verify_opts *opts);

/* The same from plain fields, for callers that do not include verify.h
 * (its dko_strlist clashes with discover.h's). Strings are borrowed as above. */
typedef struct dko_fix_verify_cfg {
	const char *context_dir;    /* the build context */
	const char *dockerfile_rel; /* the Dockerfile's path in it, or NULL */
	const char *const *targets;
	size_t ntargets;
	const char *const *build_args;
	size_t nbuild_args;
	const char *const *secrets;
	size_t nsecrets;
	const char *engine;         /* NULL: the first found */
	const char *const *engine_args;
	size_t nengine_args;
	const char *smoke;          /* NULL: the image's own command */
	bool no_rebuild;            /* do not measure rebuilds */
} dko_fix_verify_cfg;
void dko_fix_verifier_configure(dko_fix_verifier *v, const dko_fix_verify_cfg *cfg);

/* The dko_fix_opts.verify hook (ctx: the verifier). 0 keeps the rewrite:
 * the verification passed; 1 drops it: it failed or could not be made. */
int dko_fix_verifier_hook(void *ctx, const char *path, const char *old_text, size_t old_len,
                          const char *new_text, size_t new_len);

size_t dko_fix_verifier_count(const dko_fix_verifier *v);
const dko_fix_verification *dko_fix_verifier_at(const dko_fix_verifier *v, size_t i);
/* Whether some verification could not be made (an error, not a mismatch). */
bool dko_fix_verifier_had_error(const dko_fix_verifier *v);

/* The verifications as a JSON array (no trailing newline): each
 * {"file":..., "kept":bool, "error":string|null, "result":<verify JSON>|null}.
 * For dko_report_json's extra member: "\"verify\":" + this. */
void dko_fix_verifier_json(dko_buf *b, const dko_fix_verifier *v);
/* Human-readable: each verification's text report, headed by its file. */
void dko_fix_verifier_text(dko_buf *b, const dko_fix_verifier *v);
/*
 * The measured savings for a pull request body (Markdown): a table with one
 * row per verification whose rewrite was kept (image size, layers, cold
 * build and rebuild time, original -> rewritten) and a line per dropped one
 * saying why. Appends nothing when there were no verifications.
 */
void dko_fix_verifier_markdown(dko_buf *b, const dko_fix_verifier *v);

#endif
