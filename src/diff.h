/*
 * diff.h - the unified diff `dockopt fix` prints: one patch in git's format
 * for a list of file edits, in the order given. The text of each file's part
 * comes from libgit2's patch API (dko_git_patch), so `git apply` and
 * `patch -p1` accept the result.
 */
#ifndef DKO_DIFF_H
#define DKO_DIFF_H

#include "util/buf.h"

#include <stddef.h>

/* One edited file. before == NULL: a new file; after == NULL: a deletion. */
typedef struct dko_diff_file {
	const char *path;     /* shown as a/<path> b/<path> */
	const char *old_path; /* NULL: path (a rename or copy shows both names) */
	const char *before;
	size_t before_len;
	const char *after;
	size_t after_len;
} dko_diff_file;

/* Lines of context when the caller has no preference (git's default). */
#define DKO_DIFF_CONTEXT 3

/*
 * Append to out the unified diff of files[0..n), context lines of context
 * around each change. Files whose bytes did not change add nothing.
 * *changed (may be NULL) receives the number of files that did change.
 * Returns 0, DKO_EINVAL for a file with neither side or no path, or DKO_EGIT.
 */
int dko_diff_unified(dko_buf *out, size_t *changed, const dko_diff_file *files, size_t n,
                     unsigned context);

#endif
