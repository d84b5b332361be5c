/*
 * cleanup.h - the mechanism shared by the cache-cleanup passes (apt-cleanup,
 * apk-no-cache, pip-no-cache, dnf-yum-clean, npm-yarn-cache) and the
 * flag-adding aggressive ones: find, in the RUNs of shipped stages, the
 * package operations of some managers that leave caches or lists in their
 * layer, and make them leave none — by adding a flag to the operation or by
 * appending the cleanup to the same RUN, chained with && so that a failed
 * install still fails the build.
 *
 * It never edits a RUN whose shell it cannot fully parse, that ends in a
 * background job, whose cache directory a --mount covers (nothing is left in
 * the layer then), or that already cleans what it leaves. For package
 * indexes (apt lists, the apk index) it also leaves the RUN alone when a
 * later consumer needs the index: a later RUN of the stage, of a stage built
 * FROM it, or an ONBUILD RUN, installing with that manager without
 * refreshing the index first; that case is reported as a suggestion.
 */
#ifndef DKO_CLEANUP_H
#define DKO_CLEANUP_H

#include "pass.h"
#include "pkg.h"

typedef enum dko_cleanup_mode {
	DKO_CLEANUP_APPEND, /* append the operations' cleanup commands */
	DKO_CLEANUP_FLAG    /* add a flag after the verb of each operation */
} dko_cleanup_mode;

typedef struct dko_cleanup_rule {
	dko_cleanup_mode mode;
	const dko_pm *managers; /* the managers the rule covers */
	size_t nmanagers;
	/* APPEND: only directories left by these verbs count (UPDATE for the apt
	 * lists); DKO_PV_NONE = installs, upgrades and downloads. */
	dko_pkg_verb leaving_verb;
	/* APPEND: the dirs an index consumer needs (NULL: not an index). */
	bool is_index;
	/* APPEND: also require an install in the RUN (cleaning lists after a
	 * lone update would make the update pointless). */
	bool needs_install;
	/* FLAG: the flag, the verbs it applies to, and operations that already
	 * have the effect (op->no_cache or op->no_recommends). */
	const char *flag;
	dko_pkg_verb flag_verb;
	bool flag_is_no_recommends;
	/* FLAG: options that make the flag wrong or moot, "|"-separated: the
	 * operation is left alone when it has one (apk --no-network needs the
	 * local cache that --no-cache would ignore). */
	const char *conflicts;
	/* Message fragments. */
	const char *what; /* e.g. "the apt package lists" */
} dko_cleanup_rule;

/* Run rules over the RUNs of shipped stages; per RUN the first rule that
 * edits wins (the fix loop's next round applies the others). The managers
 * of rules[0] decide which RUNs are looked at. */
int dko_cleanup_run(dko_pass_ctx *c, const dko_cleanup_rule *rules, size_t nrules);

/* The package operations of a RUN node, analysed with the ENV/ARG it sees;
 * NULL (and *n = 0) when its shell is opaque or absent. Lives as long as the
 * pass's cached script. */
const dko_pkg_op *dko_cleanup_ops(dko_pass_ctx *c, uint32_t node, size_t *n);

#endif
