/*
 * context.h - the build context (the folder `docker build` sends), read
 * through one small interface so that it can be served from a folder on disk
 * (dko_context_open_dir) or from a git tree (the git front ends, src/git.c).
 *
 * Paths are relative to the context root, '/'-separated, without a leading
 * "./" or "/"; "" is the root. Implementations never follow a path out of
 * the context (no "..", symlinks are reported as DKO_CTX_LINK, not followed).
 *
 * The context also knows its ignore file (BuildKit reads
 * <Dockerfile name>.dockerignore next to the Dockerfile first, then
 * .dockerignore in the root; buildah/podman also read .containerignore) and
 * answers whether a path is excluded by it, with Docker's matching rules.
 */
#ifndef DKO_CONTEXT_H
#define DKO_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum dko_ctx_kind {
	DKO_CTX_NONE = 0, /* does not exist */
	DKO_CTX_FILE,
	DKO_CTX_DIR,
	DKO_CTX_LINK
} dko_ctx_kind;

/* What a backend implements. Each returns 0 or a negative DKO_E* code
 * (DKO_ENOTFOUND when the path does not exist). */
typedef struct dko_context_ops {
	/* Entry names of folder rel, sorted bytewise; *names is a malloc'd array of
	 * malloc'd strings (the caller frees both). */
	int (*list)(void *self, const char *rel, char ***names, size_t *n);
	/* A whole file, malloc'd and NUL-terminated (the caller frees). */
	int (*read)(void *self, const char *rel, char **data, size_t *len);
	/* The kind of rel; DKO_CTX_NONE (and 0) when absent. */
	int (*kind)(void *self, const char *rel, dko_ctx_kind *out);
	/* Release self. */
	void (*free)(void *self);
} dko_context_ops;

typedef struct dko_context dko_context;

/* A context over a backend; label names it in messages (a folder, "git:<rev>"). */
int dko_context_new(dko_context **out, const dko_context_ops *ops, void *self, const char *label);
/* A context over a folder on disk; DKO_ENOTFOUND if it does not exist. */
int dko_context_open_dir(dko_context **out, const char *dir);
void dko_context_free(dko_context *ctx);
const char *dko_context_label(const dko_context *ctx);

int dko_context_list(dko_context *ctx, const char *rel, char ***names, size_t *n);
int dko_context_read(dko_context *ctx, const char *rel, char **data, size_t *len);
dko_ctx_kind dko_context_kind(dko_context *ctx, const char *rel);
bool dko_context_exists(dko_context *ctx, const char *rel);

/*
 * Load the ignore file that applies to the Dockerfile named dockerfile_rel
 * (its path relative to the context root, or NULL when it lives outside the
 * context): <that path>.dockerignore, else .dockerignore, else
 * .containerignore. Returns 0 also when there is none. A bad pattern is
 * DKO_ECONFIG naming the file and line.
 */
int dko_context_load_ignore(dko_context *ctx, const char *dockerfile_rel);
/* Put ignore rules in force as if the file name (relative to the context)
 * held text: for a fix that has just proposed that file. NULL text drops
 * the rules (no ignore file). */
int dko_context_use_ignore(dko_context *ctx, const char *name, const char *text, size_t len);
/* The ignore file loaded (relative path), or NULL when there is none. */
const char *dko_context_ignore_file(const dko_context *ctx);
/* Whether rel is excluded from the build context by the ignore file
 * (Docker's rules: last matching pattern wins, '!' re-includes, '**',
 * a match on a parent folder excludes its contents). */
bool dko_context_is_excluded(const dko_context *ctx, const char *rel);

/* ---- Added after the first version (backward compatible). ----
 *
 * Notes on the functions above, as implemented in context.c: paths are
 * made canonical first (dko_context_clean_path; "../x" and "/x" are
 * DKO_EINVAL, and dko_context_kind/exists answer NONE/false for them). The
 * disk backend reports a path whose folder part goes through a symbolic link
 * as DKO_CTX_LINK too, and list/read of a link (or through one) is
 * DKO_ENOTFOUND; a FIFO or device is DKO_CTX_FILE but reading it is DKO_EIO.
 * dko_context_load_ignore refuses (DKO_ECONFIG) an ignore file that is a
 * symbolic link or a folder rather than guess what BuildKit would read.
 */

typedef struct dko_ignore dko_ignore;

/* The loaded ignore file's matcher (see ignore.h), or NULL when none. */
const dko_ignore *dko_context_ignore(const dko_context *ctx);

/* rel made canonical: "." components, repeated and trailing '/' dropped
 * ("./a//b/" -> "a/b", "." -> ""). DKO_EINVAL for NULL, an absolute path or
 * a ".." component. *out is malloc'd. Every dko_context_* function taking a
 * path applies this first (so "./x" works, "../x" is DKO_EINVAL). */
int dko_context_clean_path(char **out, const char *rel);

/* Files bigger than this are not read by the disk backend (DKO_EIO). */
#define DKO_CONTEXT_READ_MAX (64u << 20)

/* Default bound of a walk, in entries visited. */
#define DKO_CONTEXT_WALK_MAX 200000u

/* Returned by a walk callback: do not enter this folder. */
#define DKO_CONTEXT_WALK_SKIP 1

typedef struct dko_context_entry {
	const char *path; /* relative to the context root; valid during the callback */
	const char *name; /* last component of path */
	dko_ctx_kind kind;
	unsigned depth;   /* 1 for the entries of the folder the walk starts at */
	bool excluded;    /* left out of the build by the ignore file */
} dko_context_entry;

/* 0 to go on, DKO_CONTEXT_WALK_SKIP not to enter this folder, or a negative
 * DKO_E* code to stop the walk (dko_context_walk returns it). */
typedef int (*dko_context_walk_fn)(const dko_context_entry *entry, void *payload);

typedef struct dko_context_walk_opts {
	size_t max_entries; /* stop after visiting this many entries; 0: DKO_CONTEXT_WALK_MAX */
	unsigned max_depth; /* do not enter folders deeper than this; 0: 256 */
	/* false: report only what the build receives, and do not enter folders
	 * the ignore file prunes (as BuildKit). true: report every entry, with
	 * its excluded flag, and enter every folder. */
	bool all;
} dko_context_walk_opts;

typedef struct dko_context_walk_stats {
	size_t entries;    /* entries visited */
	size_t unreadable; /* folders below the start that could not be listed */
	bool truncated;    /* stopped at max_entries or max_depth */
} dko_context_walk_stats;

/*
 * Walk the tree under folder rel ("" for the root) depth-first, entries of a
 * folder in bytewise order, calling fn for each. Symbolic links are reported
 * (DKO_CTX_LINK) and never followed. opts and stats may be NULL. Returns 0
 * (also when truncated: see stats), the callback's negative code, or an error
 * listing rel itself.
 */
int dko_context_walk(dko_context *ctx, const char *rel, const dko_context_walk_opts *opts,
                     dko_context_walk_fn fn, void *payload, dko_context_walk_stats *stats);

#endif
