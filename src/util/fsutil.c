/*
 * fsutil.c - whole-file reads and atomic whole-file writes (see fsutil.h).
 *
 * Invariant of dko_fs_write_atomic: the target path only ever changes by one
 * rename(2) of a complete, fsync'd temporary file from the same folder (so
 * the rename cannot cross file systems); every failure path unlinks the
 * temporary file.
 */
#include "util/fsutil.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40

static int io_error(const char *path, const char *what)
{
	int code = errno == ENOENT ? DKO_ENOTFOUND : DKO_EIO;
	return dko_error_set(code, "%s: %s%s", path, what, strerror(errno));
}

int dko_fs_read_file(char **data, size_t *len, const char *path)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return io_error(path, "");
	dko_buf b = DKO_BUF_INIT;
	dko_buf_grow(&b, 4096);
	for (;;) {
		dko_buf_grow(&b, 4096);
		ssize_t r = read(fd, b.ptr + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int rc = io_error(path, "read: ");
			close(fd);
			dko_buf_release(&b);
			return rc;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		b.ptr[b.len] = '\0';
	}
	close(fd);
	*data = dko_buf_detach(&b, len);
	return 0;
}

char *dko_fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return dko_xstrdup(".");
	if (slash == path)
		return dko_xstrdup("/");
	return dko_xstrndup(path, (size_t)(slash - path));
}

const char *dko_fs_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int read_link(char **out, const char *path)
{
	size_t cap = 256;
	for (;;) {
		char *t = dko_xmalloc(cap);
		ssize_t n = readlink(path, t, cap);
		if (n < 0) {
			free(t);
			return io_error(path, "readlink: ");
		}
		if ((size_t)n < cap) {
			t[n] = '\0';
			*out = t;
			return 0;
		}
		free(t);
		cap *= 2;
	}
}

int dko_fs_resolve_links(char **out, const char *path)
{
	char *cur = dko_xstrdup(path);
	for (int i = 0; i <= MAX_LINKS; i++) {
		struct stat st;
		if (lstat(cur, &st) != 0) {
			if (errno == ENOENT) /* a new file, or a dangling link's target */
				break;
			int rc = io_error(cur, "");
			free(cur);
			return rc;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (i == MAX_LINKS) {
			free(cur);
			return dko_error_set(DKO_EINVAL, "%s: too many levels of symbolic links", path);
		}
		char *target = NULL;
		int rc = read_link(&target, cur);
		if (rc < 0) {
			free(cur);
			return rc;
		}
		if (target[0] != '/') {
			char *dir = dko_fs_dirname(cur);
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%s/%s", dir, target);
			free(dir);
			free(target);
			target = dko_buf_detach(&b, NULL);
		}
		free(cur);
		cur = target;
	}
	*out = cur;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Create a fresh temporary file in dir; 0666 so the umask applies as for a
 * new file. Names are unique per process (pid + counter) and O_EXCL. */
static int open_temp(char **tmp, const char *dir)
{
	static atomic_uint counter;
	for (int tries = 0; tries < 100; tries++) {
		dko_buf b = DKO_BUF_INIT;
		dko_buf_printf(&b, "%s/.dko-%ld-%u.tmp", dir, (long)getpid(),
		               atomic_fetch_add(&counter, 1));
		int fd = open(b.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp = dko_buf_detach(&b, NULL);
			return fd;
		}
		int err = errno;
		dko_buf_release(&b);
		if (err != EEXIST) {
			errno = err;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* Give the new file the old one's permissions (and owner when we may). */
static int copy_attrs(int fd, const struct stat *old)
{
	if (fchmod(fd, old->st_mode & 07777) != 0)
		return -1;
	if (geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) != 0)
		return -1;
	return 0;
}

static void sync_dir(const char *dir)
{
	/* Best effort: makes the rename durable; some file systems refuse it. */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int write_via_temp(const char *target, const struct stat *old, const void *data,
                          size_t len)
{
	char *dir = dko_fs_dirname(target), *tmp = NULL;
	int rc = 0;
	int fd = open_temp(&tmp, dir);
	if (fd < 0) {
		rc = io_error(dir, "cannot create a temporary file: ");
		goto done;
	}
	if (write_all(fd, data, len) != 0 || (old && copy_attrs(fd, old) != 0) ||
	    fsync(fd) != 0) {
		rc = dko_error_set(DKO_EIO, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto done;
	}
	if (close(fd) != 0) {
		rc = dko_error_set(DKO_EIO, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	if (rename(tmp, target) != 0) {
		rc = dko_error_set(DKO_EIO, "%s: rename: %s", target, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	sync_dir(dir);
done:
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

int dko_fs_write_atomic(const char *path, const void *data, size_t len)
{
	char *target;
	int rc = dko_fs_resolve_links(&target, path);
	if (rc < 0)
		return rc;
	struct stat st;
	bool exists = stat(target, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		rc = dko_error_set(DKO_EINVAL, "%s: not a regular file", path);
	else
		rc = write_via_temp(target, exists ? &st : NULL, data, len);
	free(target);
	return rc;
}

int dko_fs_mkdirs(const char *path)
{
	char *p = dko_xstrdup(path);
	int err = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			err = dko_error_set(DKO_EIO, "%s: %s", p, strerror(errno));
		*s = c;
		if (!c || err)
			break;
	}
	free(p);
	return err;
}

int dko_fs_write_file(const char *path, const void *data, size_t len, bool append)
{
	FILE *fp = fopen(path, append ? "ab" : "wb");
	if (!fp)
		return dko_error_set(DKO_EIO, "%s: %s", path, strerror(errno));
	bool ok = fwrite(data, 1, len, fp) == len;
	if (fclose(fp) != 0 || !ok)
		return dko_error_set(DKO_EIO, "%s: write failed", path);
	return 0;
}

void dko_fs_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, (st.st_mode & 07777) | S_IRWXU);
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			dko_buf child = DKO_BUF_INIT;
			dko_buf_printf(&child, "%s/%s", path, e->d_name);
			dko_fs_remove_tree(child.ptr);
			dko_buf_release(&child);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}
