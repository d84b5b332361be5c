/*
 * diff.c - the unified diff of a set of file edits (see diff.h). It decides
 * what a change is (same bytes are no change; a missing side is a creation
 * or deletion) and leaves the diff text itself to libgit2 through
 * dko_git_patch, so this file stays free of libgit2 types.
 */
#include "diff.h"
#include "dockopt/common.h"
#include "git.h"
#include "util/error.h"

#include <stdbool.h>
#include <string.h>

static bool same_bytes(const dko_diff_file *f)
{
	if (!f->before || !f->after)
		return false;
	return f->before_len == f->after_len &&
	       (f->before_len == 0 || memcmp(f->before, f->after, f->before_len) == 0);
}

int dko_diff_unified(dko_buf *out, size_t *changed, const dko_diff_file *files, size_t n,
                     unsigned context)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		const dko_diff_file *f = &files[i];
		if (!f->path || (!f->before && !f->after))
			return dko_error_set(DKO_EINVAL, "diff: file %zu has no path or no contents", i);
		if (same_bytes(f) && (!f->old_path || strcmp(f->old_path, f->path) == 0))
			continue;
		const char *old_path = f->old_path ? f->old_path : f->path;
		size_t had = out->len;
		int rc = dko_git_patch(out, old_path, f->before, f->before_len, f->path, f->after,
		                       f->after_len, context);
		if (rc < 0)
			return rc;
		if (out->len > had) /* a rename with the same bytes prints nothing */
			count++;
	}
	if (changed)
		*changed = count;
	return 0;
}
