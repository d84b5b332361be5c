/*
 * fsutil.h - whole-file reads and crash-safe whole-file writes, shared by
 * `dockopt fix --write` and the git front ends (working-tree updates).
 */
#ifndef DKO_UTIL_FSUTIL_H
#define DKO_UTIL_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read all of path into *data (malloc'd, NUL-terminated after *len bytes; the
 * caller frees). Returns 0, DKO_ENOTFOUND when path does not exist, or
 * DKO_EIO ("path: reason").
 */
int dko_fs_read_file(char **data, size_t *len, const char *path);

/*
 * Replace the contents of path with data[0..len) atomically: readers see the
 * old file or the new one, never a mix, and a crash leaves one of the two.
 * The bytes go to a temporary file in the same folder, which is fsync'd and
 * renamed over the target (then the folder is fsync'd).
 *
 * - An existing file keeps its permission bits (and, for root, its owner).
 *   A new file gets 0666 minus the umask, like open(2).
 * - When path is a symbolic link (or a chain of them) the final target is
 *   written and the link is left in place; a dangling link creates its target.
 * - Hard links to the old file are not updated (rename replaces the inode).
 *
 * Returns 0, DKO_ENOTFOUND when the folder does not exist, DKO_EINVAL when
 * the target is not a regular file, or DKO_EIO. On failure the target is
 * untouched and no temporary file is left behind.
 */
int dko_fs_write_atomic(const char *path, const void *data, size_t len);

/*
 * The file a write to path lands on: path itself, or the final target of the
 * symbolic links it names (relative targets resolved against the link's
 * folder). *out is malloc'd. Returns 0, DKO_EINVAL for a link loop (more
 * than 40 links), or DKO_EIO.
 */
int dko_fs_resolve_links(char **out, const char *path);

/* Create path and its missing parents (mode 0755); existing ones are fine.
 * Returns 0 or DKO_EIO ("path: reason"). */
int dko_fs_mkdirs(const char *path);

/* Write (or append to) a whole file, not atomically: for files dockopt
 * makes in folders of its own (build copies, work folders). 0 or DKO_EIO. */
int dko_fs_write_file(const char *path, const void *data, size_t len, bool append);

/* Remove path and everything below it, making read-only folders writable
 * first; symbolic links are removed, never followed. Missing is fine. */
void dko_fs_remove_tree(const char *path);

/* The folder part of path ("." when there is none, "/" for "/x"); malloc'd. */
char *dko_fs_dirname(const char *path);
/* The last component of path: what follows its last '/' (points into path). */
const char *dko_fs_basename(const char *path);

#endif
