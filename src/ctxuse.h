/*
 * ctxuse.h - how a Dockerfile uses its build context, for the dockerignore
 * pass (internal): which context paths its COPY/ADD and bind mounts name,
 * where its instructions work in terms of context folders, and whether a
 * step may read version-control metadata (.git and friends) from the files
 * it was given.
 */
#ifndef DKO_CTXUSE_H
#define DKO_CTXUSE_H

#include "cacheorder.h"
#include "util/vec.h"

typedef DKO_VEC(char *) dko_cu_paths;

/* Context paths named by COPY/ADD sources (not --from, not URLs) and RUN
 * bind mounts of the context, cleaned ("" for the root; globs kept), other
 * than whole-context sources. Malloc'd strings appended to out. */
void dko_cu_sources(const dko_pass_ctx *c, dko_cu_paths *out);
void dko_cu_paths_free(dko_cu_paths *v);

/* Whether a source of the list names path, something below it, or (when
 * parents counts) a folder holding it. */
bool dko_cu_names(const dko_cu_paths *srcs, const char *path, bool parents);

/* The context folder an instruction works in: its WORKDIR mapped back
 * through the whole-context COPY `whole` of its stage (source "" -> dest).
 * Malloc'd, or NULL when its WORKDIR is not inside that destination. */
char *dko_cu_workdir(const dko_pass_ctx *c, uint32_t node, const dko_co_copy *whole);

/*
 * Whether instruction node (RUN, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD) may
 * read version-control metadata: it names git/hg/svn or a versioning tool,
 * runs a Go or .NET build (both stamp the commit), runs a tool whose
 * configuration in the context mentions one (Makefile, package.json
 * scripts, pyproject.toml/setup.py/setup.cfg, Gemfile/gemspecs/Rakefile,
 * Cargo.toml/build.rs, pom.xml, build.gradle, CMakeLists.txt), or runs a
 * file of the context that does. whole (may be NULL) maps its WORKDIR to the
 * context. *why receives a short reason.
 */
bool dko_cu_reads_vcs(dko_pass_ctx *c, dko_context *ctx, uint32_t node, const dko_co_copy *whole,
                      char *why, size_t n);

#endif
