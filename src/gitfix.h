/*
 * gitfix.h - what the git front ends (pre-commit, the PR bot) share: the
 * .dockopt.yml that applies to a Dockerfile, looked up in the repository's
 * own files (the index, a tree) rather than on disk; where a pass's extra
 * file goes inside the repository; and the one-line description of each
 * change that commit messages carry.
 */
#ifndef DKO_GITFIX_H
#define DKO_GITFIX_H

#include "dockopt/fix.h"
#include "util/buf.h"

#include <stddef.h>

/* Reads the file at a repository path ('/'-separated, from the top).
 * Returns 0 with malloc'd, NUL-terminated contents, DKO_ENOTFOUND when there
 * is no such file, or another error code (message set). */
typedef int (*dko_gitfix_read_fn)(void *src, const char *path, char **data, size_t *len);

/* The configurations found so far in one source, parsed once each. */
typedef struct dko_gitfix_configs dko_gitfix_configs;

/* Configurations read through read(src, ...); both must outlive the cache.
 * label prefixes the file's path in messages ("origin/main:"; may be NULL). */
dko_gitfix_configs *dko_gitfix_configs_new(dko_gitfix_read_fn read, void *src,
                                           const char *label);
void dko_gitfix_configs_free(dko_gitfix_configs *c);

/*
 * The configuration for the file at repository path: the nearest
 * .dockopt.yml (else .dockopt.yaml) in its folder or a parent folder up to
 * the top of the repository, as dko_config_find does on disk. *out is NULL
 * when there is none; else it belongs to the cache. A file that does not
 * parse is DKO_ECONFIG (its message names the repository path).
 */
int dko_gitfix_config_for(const dko_config **out, dko_gitfix_configs *c, const char *path);

/* The folder part of a repository path: "" for a file at the top, "a/b"
 * for "a/b/Dockerfile". Malloc'd. */
char *dko_gitfix_dir(const char *path);

/*
 * The repository path an edit of dko_fix writes: the Dockerfile itself
 * (dockerfile_path) for an edit of an existing file, else the new file's
 * path (relative to the build context) under the Dockerfile's folder, which
 * is the context both front ends use. DKO_EINVAL when that path would leave
 * the repository or enter .git. *out is malloc'd.
 */
int dko_gitfix_edit_path(char **out, const char *dockerfile_path, const dko_file_edit *e);

/* Append one line per applied change of r: "<file>:<line> <rule>: <message>\n". */
void dko_gitfix_change_lines(dko_buf *out, const dko_fix_result *r);

#endif
