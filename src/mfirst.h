/*
 * mfirst.h - the plan of a manifest-first rewrite (internal to
 * pass_manifest_first.c and mfirst_eco.c).
 *
 * A plan starts from a COPY/ADD of a context folder into D and the RUN
 * right after it, which installs dependencies (moved above the COPY) or
 * builds (a download step is inserted above the COPY). The ecosystem
 * checks in mfirst_eco.c decide which manifest files the install reads and
 * whether they alone give it the same result; every manifest is kept as a
 * path relative to D, which is also its path relative to the COPY's source.
 */
#ifndef DKO_MFIRST_H
#define DKO_MFIRST_H

#include "cacheorder.h"
#include "manifest.h"
#include "pkg.h"
#include "util/vec.h"

typedef struct mf_plan {
	dko_pass_ctx *c;
	dko_context *ctx;      /* NULL: no build context, suggest only */
	uint32_t copy;         /* the COPY/ADD of the sources */
	uint32_t run;          /* the RUN after it */
	dko_co_copy cp;        /* its source (context folder) and destination D */
	const char *cwd;       /* the RUN's WORKDIR */
	const char *cwd_rel;   /* cwd relative to D ("" for D itself); NULL: outside D */
	const dko_sh_script *s;
	const char *what;      /* "pip install", "go build" ... for messages */
	char *download;        /* the step to insert (go mod download ...); NULL: the RUN moves */
	DKO_VEC(char *) files; /* manifests, relative to D, in order */
	char why[400];         /* why the rewrite cannot be made */
	bool quiet;            /* ... and nothing worth a suggestion (nothing to download) */
} mf_plan;

/* Record why the plan fails; returns false. */
bool mf_fail(mf_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add a manifest by its path relative to D (once). */
void mf_add(mf_plan *p, const char *rel);

/* Add a manifest by its context path: it must be a regular file that the
 * ignore file does not exclude, inside the COPY's source. */
bool mf_add_ctx(mf_plan *p, const char *ctx_path);

/* The context path of arg as the RUN names it (relative to its WORKDIR, or
 * absolute), when it lies inside what the COPY copies; malloc'd, or NULL
 * (with the reason recorded). */
char *mf_ctx_path(mf_plan *p, const char *arg);

/* The context path of the RUN's working folder joined with name (malloc'd);
 * only when the RUN works inside D (cwd_rel set). */
char *mf_ctx_here(const mf_plan *p, const char *name);

/* Fails when name (next to the RUN's working folder) exists in the context
 * and the ignore file does not exclude it: the COPY that now follows the
 * install would copy it over what the install wrote. */
bool mf_not_shipped(mf_plan *p, const char *name, const char *writer);

/* The value of an option as the package model keeps flags ("-r x",
 * "--requirement=x", "-rx"); NULL when flag is not that option. */
const char *mf_opt_value(const char *flag, const char *shrt, const char *lng);

/* Whether op has a flag named one of the '|'-separated names (value or not). */
bool mf_has_flag(const dko_pkg_op *op, const char *names);

/* The ecosystems. Each checks one key operation of the RUN, adds the
 * manifests it reads (or, without a context, their likely names) and
 * returns false (with plan->why) when the install needs more than them. */
bool mf_eco_pip(mf_plan *p, const dko_pkg_op *op);
bool mf_eco_node(mf_plan *p, const dko_pkg_op *op);
bool mf_eco_bundle(mf_plan *p, const dko_pkg_op *op);
bool mf_eco_composer(mf_plan *p, const dko_pkg_op *op);
bool mf_eco_go(mf_plan *p, const dko_pkg_op *op);
bool mf_eco_maven(mf_plan *p, const dko_pkg_op *op);

#endif
