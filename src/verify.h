/*
 * verify.h - proving a rewrite with real builds (internal API behind
 * `dockopt verify`, `fix --verify` and the PR bot).
 *
 * dko_verify_run() builds the original and the rewritten Dockerfile from
 * private copies of the build context (the caller's folder is never written),
 * cold (--no-cache), times the builds, changes one source file in the copies
 * and times a rebuild of each, then inspects, measures and runs both images
 * and compares them. The rewritten text is passed in memory, so a caller can
 * verify a rewrite it has not written anywhere.
 *
 * The rule for the declared configuration: Env, Cmd, Entrypoint, WorkingDir,
 * User, ExposedPorts, Labels, Volumes, Healthcheck, StopSignal, Shell and
 * OnBuild must be equal, except an environment variable or a label that
 * neither Dockerfile declares in the built stage or the stages it derives
 * from (ENV / LABEL): such a value came from the base image, and changing the
 * base (FROM) is what a multi-stage rewrite may do. Those differences are
 * listed as allowed. The runs must agree on exit code (or both time out),
 * standard output and standard error.
 */
#ifndef DKO_VERIFY_H
#define DKO_VERIFY_H

#include "engine.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What to build: the same for both Dockerfiles. */
typedef struct dko_verify_profile {
	const char *context_dir;    /* the build context; only read */
	/* Where the Dockerfile lives in the context ("Dockerfile",
	 * "docker/app.Dockerfile"), so each copy holds its own version there as
	 * the real tree would; NULL when it lives outside the context. */
	const char *dockerfile_rel;
	const char *const *targets; /* stages to build and compare; none: the last */
	size_t ntargets;
	const char *const *build_args; /* "NAME=value" */
	size_t nbuild_args;
	const char *const *secrets; /* "id=x,src=path" */
	size_t nsecrets;
} dko_verify_profile;

typedef struct dko_verify_opts {
	const char *engine; /* "docker", "podman", "buildah"; NULL: the first found */
	const char *const *engine_args; /* global engine arguments, e.g. "--root=/x" */
	size_t nengine_args;
	const char *smoke; /* command to run instead of the image's (see dko_run_spec) */
	unsigned run_timeout_secs;   /* 0: 30 */
	unsigned build_timeout_secs; /* 0: 3600 */
	/* File (relative to the context) changed before the rebuild; NULL: pick
	 * a source file; "": do not measure rebuilds. */
	const char *touch;
	/* More environment variable names that must not differ. */
	const char *const *declared_env;
	size_t ndeclared_env;
	/* Where build logs go; NULL: a logs/ folder in the temporary work folder,
	 * which is removed when verify passes. */
	const char *log_dir;
	bool keep_images; /* leave the built images (their tags are reported) */
} dko_verify_opts;

typedef struct dko_verify_exec {
	bool ran; /* false: neither a command nor --smoke, nothing was run */
	int exit_code;
	bool timed_out;
	char *out, *err; /* what was kept (1 MiB each at most), NUL-terminated */
	size_t out_len, err_len;
	uint64_t out_total, err_total; /* bytes written in all */
} dko_verify_exec;

typedef struct dko_verify_image {
	char *tag;  /* the image built (removed afterwards unless keep_images) */
	bool built; /* the cold build succeeded */
	char *log;  /* build log, NULL once removed */
	double build_seconds;
	bool rebuilt;  /* a rebuild was attempted ... */
	bool rebuild_ok; /* ... and succeeded */
	double rebuild_seconds;
	char *rebuild_log;
	char *id;
	size_t layers;
	uint64_t size;           /* uncompressed bytes of the layers */
	int64_t compressed_size; /* -1 when unknown */
	dko_image_config config;
	dko_verify_exec run;
} dko_verify_image;

/* One difference in the declared configuration. Values are JSON text
 * ("\"/app\"", "[\"a\"]"), NULL when the image does not have the field. */
typedef struct dko_verify_diff {
	char *field; /* "Env", "Cmd", ... */
	char *key;   /* the variable (Env) or label (Labels); NULL otherwise */
	char *original, *rewritten;
	bool allowed; /* a base-image value that neither file declares */
} dko_verify_diff;

typedef struct dko_verify_target {
	char *target; /* NULL: the last stage */
	dko_verify_image original, rewritten;
	dko_verify_diff *diffs;
	size_t ndiffs;
	bool passed;
	char **reasons; /* why it did not pass */
	size_t nreasons;
	char **notes; /* observations that do not fail it */
	size_t nnotes;
} dko_verify_target;

typedef struct dko_verify_result {
	char *engine, *engine_version;
	char *touched; /* the file changed for the rebuild; NULL: none */
	char *log_dir; /* NULL once removed */
	dko_verify_target *targets;
	size_t ntargets;
	bool passed;
	char **reasons; /* every target's reasons (prefixed with the target
	                 * when there are several) */
	size_t nreasons;
} dko_verify_result;

/*
 * Verify. Returns 0 when the comparison was made (then (*out)->passed says
 * whether the rewrite is proven; a rewritten Dockerfile that does not build
 * is a failed verification, not an error). Errors: DKO_ENOTFOUND (no usable
 * engine, a missing context or --touch file), DKO_EINVAL (bad option),
 * DKO_EIO (copying the context), DKO_EENGINE (the original does not build,
 * or the engine failed; the message names the build log). *out is NULL on
 * error; free it with dko_verify_result_free().
 */
int dko_verify_run(dko_verify_result **out, const dko_verify_profile *profile,
                   const char *original, size_t original_len, const char *rewritten,
                   size_t rewritten_len, const dko_verify_opts *opts);
void dko_verify_result_free(dko_verify_result *r);

/* Names a Dockerfile declares for the image of target (NULL: the last
 * stage): ENV and LABEL keys of that stage and the stages it is built FROM.
 * Appended (without duplicates) to env and labels. */
void dko_verify_declared(dko_cfg_list *env, dko_cfg_list *labels, const char *dockerfile,
                         size_t len, const char *target);

/* Fill t->diffs by comparing t->original.config and t->rewritten.config;
 * env and labels are the declared names (a difference elsewhere is allowed).
 * Then set t->passed and t->reasons from the builds, the diffs and the runs. */
void dko_verify_compare(dko_verify_target *t, const dko_cfg_list *env,
                        const dko_cfg_list *labels);

/* The report: human-readable, and the JSON object for the findings output
 * ({"schema":"dockopt/verify/1", ...}, see verify.c). Appended to b. */
void dko_verify_format_text(dko_buf *b, const dko_verify_result *r);
void dko_verify_format_json(dko_buf *b, const dko_verify_result *r);

#endif
