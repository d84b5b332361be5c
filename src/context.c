/*
 * context.c - the build context (see context.h): the backend-neutral layer
 * (path checks, the ignore file, the walker) and the disk backend.
 *
 * Invariants: every path reaching a backend is canonical (no ".", "..",
 * empty components, leading or trailing '/'), so a backend only has to stay
 * inside its root by not following symbolic links. The disk backend resolves
 * a path one component at a time with openat(O_NOFOLLOW) from a descriptor of
 * the root, so neither a link nor a rename of the root's parents can lead it
 * outside; a link anywhere on the path is reported as DKO_CTX_LINK and never
 * read through. Files are opened non-blocking and must be regular, so a FIFO
 * or a device in the context cannot hang or flood a read.
 */
#include "context.h"
#include "ignore.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

struct dko_context {
	const dko_context_ops *ops;
	void *self;
	char *label;
	dko_ignore *ignore;
	char *ignore_file;
};

/* ---- paths ---- */

int dko_context_clean_path(char **out, const char *rel)
{
	*out = NULL;
	if (!rel)
		return dko_error_set(DKO_EINVAL, "no path given");
	if (rel[0] == '/')
		return dko_error_set(DKO_EINVAL, "%s: absolute path in the build context", rel);
	dko_buf b = DKO_BUF_INIT;
	for (const char *p = rel; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			dko_buf_release(&b);
			return dko_error_set(DKO_EINVAL, "%s: path leaves the build context", rel);
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len)
				dko_buf_putc(&b, '/');
			dko_buf_put(&b, p, n);
		}
		p += n + (e != NULL);
	}
	*out = b.len ? dko_buf_detach(&b, NULL) : dko_xstrdup("");
	dko_buf_release(&b);
	return 0;
}

/* ---- generic layer ---- */

int dko_context_new(dko_context **out, const dko_context_ops *ops, void *self, const char *label)
{
	dko_context *ctx = dko_xcalloc(1, sizeof(*ctx));
	ctx->ops = ops;
	ctx->self = self;
	ctx->label = dko_xstrdup(label ? label : "");
	*out = ctx;
	return 0;
}

void dko_context_free(dko_context *ctx)
{
	if (!ctx)
		return;
	if (ctx->ops && ctx->ops->free)
		ctx->ops->free(ctx->self);
	dko_ignore_free(ctx->ignore);
	free(ctx->ignore_file);
	free(ctx->label);
	free(ctx);
}

const char *dko_context_label(const dko_context *ctx)
{
	return ctx->label;
}

int dko_context_list(dko_context *ctx, const char *rel, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	char *p;
	int rc = dko_context_clean_path(&p, rel);
	if (rc == 0)
		rc = ctx->ops->list(ctx->self, p, names, n);
	free(p);
	return rc;
}

int dko_context_read(dko_context *ctx, const char *rel, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	char *p;
	int rc = dko_context_clean_path(&p, rel);
	if (rc == 0)
		rc = ctx->ops->read(ctx->self, p, data, len);
	free(p);
	return rc;
}

dko_ctx_kind dko_context_kind(dko_context *ctx, const char *rel)
{
	char *p;
	dko_ctx_kind k = DKO_CTX_NONE;
	if (dko_context_clean_path(&p, rel) == 0 && ctx->ops->kind(ctx->self, p, &k) < 0)
		k = DKO_CTX_NONE;
	free(p);
	return k;
}

bool dko_context_exists(dko_context *ctx, const char *rel)
{
	return dko_context_kind(ctx, rel) != DKO_CTX_NONE;
}

/* ---- the ignore file ---- */

static int load_one(dko_context *ctx, const char *name, bool *found)
{
	dko_ctx_kind k = dko_context_kind(ctx, name);
	*found = k != DKO_CTX_NONE;
	if (!*found)
		return 0;
	const char *sep = ctx->label[0] ? "/" : "";
	if (k != DKO_CTX_FILE)
		return dko_error_set(DKO_ECONFIG, "%s%s%s: the ignore file is a %s, which dockopt does not read",
		                     ctx->label, sep, name, k == DKO_CTX_LINK ? "symbolic link" : "folder");
	char *text;
	size_t len;
	int rc = dko_context_read(ctx, name, &text, &len);
	if (rc < 0)
		return rc;
	dko_buf where = DKO_BUF_INIT;
	dko_buf_printf(&where, "%s%s%s", ctx->label, sep, name);
	dko_ignore *ig;
	rc = dko_ignore_parse(&ig, text, len, dko_buf_cstr(&where));
	free(text);
	dko_buf_release(&where);
	if (rc == 0) {
		ctx->ignore = ig;
		ctx->ignore_file = dko_xstrdup(name);
	}
	return rc;
}

int dko_context_load_ignore(dko_context *ctx, const char *dockerfile_rel)
{
	dko_ignore_free(ctx->ignore);
	free(ctx->ignore_file);
	ctx->ignore = NULL;
	ctx->ignore_file = NULL;
	char *df = NULL;
	if (dockerfile_rel && dko_context_clean_path(&df, dockerfile_rel) == 0 && df[0]) {
		size_t n = strlen(df);
		df = dko_xrealloc(df, n + sizeof(".dockerignore"));
		memcpy(df + n, ".dockerignore", sizeof(".dockerignore"));
	}
	const char *cands[] = {df && df[0] ? df : NULL, ".dockerignore", ".containerignore"};
	int rc = 0;
	for (size_t i = 0; i < 3 && rc == 0; i++) {
		bool found = false;
		if (cands[i])
			rc = load_one(ctx, cands[i], &found);
		if (found)
			break;
	}
	free(df);
	return rc;
}

int dko_context_use_ignore(dko_context *ctx, const char *name, const char *text, size_t len)
{
	dko_ignore_free(ctx->ignore);
	free(ctx->ignore_file);
	ctx->ignore = NULL;
	ctx->ignore_file = NULL;
	if (!text)
		return 0;
	int rc = dko_ignore_parse(&ctx->ignore, text, len, name);
	if (rc == 0)
		ctx->ignore_file = dko_xstrdup(name);
	return rc;
}

const char *dko_context_ignore_file(const dko_context *ctx)
{
	return ctx->ignore_file;
}

const dko_ignore *dko_context_ignore(const dko_context *ctx)
{
	return ctx->ignore;
}

bool dko_context_is_excluded(const dko_context *ctx, const char *rel)
{
	if (!ctx->ignore)
		return false;
	char *p;
	if (dko_context_clean_path(&p, rel) < 0)
		return false;
	bool ex = dko_ignore_excludes(ctx->ignore, p);
	free(p);
	return ex;
}

/* ---- walking ---- */

typedef struct walker {
	dko_context *ctx;
	const dko_ignore *ig;
	dko_context_walk_opts o;
	dko_context_walk_fn fn;
	void *payload;
	dko_context_walk_stats *st;
	dko_buf path;
} walker;

#define WALK_STOP 2 /* internal: the entry bound was reached */

/* Decides the verdict on the entry at w->path; *enter whether to descend. */
static int visit(walker *w, const char *name, unsigned depth, const unsigned char *parent,
                 unsigned char *state, bool pruned, bool *enter, bool *child_pruned)
{
	const char *path = dko_buf_cstr(&w->path);
	dko_ctx_kind kind = dko_context_kind(w->ctx, path);
	bool ex = pruned;
	if (!pruned && w->ig)
		ex = dko_ignore_match(w->ig, path, parent, state);
	bool prunes = ex && !pruned && kind == DKO_CTX_DIR && dko_ignore_dir_prunable(w->ig, path);
	*child_pruned = pruned || prunes;
	*enter = kind == DKO_CTX_DIR && (w->o.all || !*child_pruned);
	if (*enter && depth >= w->o.max_depth) {
		*enter = false;
		w->st->truncated = true;
	}
	if (ex && !w->o.all)
		return 0; /* not in the build: no callback, but maybe entered */
	dko_context_entry e = {path, name, kind, depth, ex};
	int rc = w->fn(&e, w->payload);
	if (rc == DKO_CONTEXT_WALK_SKIP) {
		*enter = false;
		rc = 0;
	}
	return rc;
}

static int walk_dir(walker *w, const unsigned char *parent, bool pruned, unsigned depth)
{
	char **names;
	size_t n;
	int rc = dko_context_list(w->ctx, dko_buf_cstr(&w->path), &names, &n);
	if (rc < 0) {
		if (depth == 1)
			return rc;
		w->st->unreadable++;
		return 0;
	}
	size_t base = w->path.len, ns = dko_ignore_state_size(w->ig);
	unsigned char *state = dko_xcalloc(ns ? ns : 1, 1);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (w->st->entries >= w->o.max_entries) {
			w->st->truncated = true;
			rc = WALK_STOP;
			break;
		}
		w->st->entries++;
		w->path.len = base;
		dko_buf_printf(&w->path, "%s%s", base ? "/" : "", names[i]);
		bool enter, child_pruned;
		rc = visit(w, names[i], depth, parent, state, pruned, &enter, &child_pruned);
		if (rc == 0 && enter)
			rc = walk_dir(w, state, child_pruned, depth + 1);
	}
	w->path.len = base;
	w->path.ptr[base] = '\0';
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(state);
	return rc;
}

/* Match state of the start folder rel (the parent state of its entries);
 * *pruned when rel or a folder above it is not entered by BuildKit. */
static void start_state(walker *w, const char *rel, unsigned char *state, bool *pruned)
{
	size_t ns = dko_ignore_state_size(w->ig);
	unsigned char *a = dko_xcalloc(ns ? ns : 1, 1), *b = dko_xcalloc(ns ? ns : 1, 1);
	unsigned char *parent = NULL, *cur = a;
	char *p = dko_xstrdup(rel);
	size_t n = strlen(rel);
	*pruned = false;
	for (size_t k = 0; k <= n && !*pruned; k++) {
		if (k < n && rel[k] != '/')
			continue;
		p[k] = '\0';
		bool ex = dko_ignore_match(w->ig, p, parent, cur);
		*pruned = ex && dko_ignore_dir_prunable(w->ig, p);
		p[k] = rel[k];
		parent = cur;
		cur = cur == a ? b : a;
	}
	if (parent)
		memcpy(state, parent, ns);
	free(p);
	free(a);
	free(b);
}

int dko_context_walk(dko_context *ctx, const char *rel, const dko_context_walk_opts *opts,
                     dko_context_walk_fn fn, void *payload, dko_context_walk_stats *stats)
{
	dko_context_walk_stats local = {0};
	walker w = {.ctx = ctx, .ig = ctx->ignore, .fn = fn, .payload = payload,
	            .st = stats ? stats : &local};
	*w.st = (dko_context_walk_stats){0};
	if (opts)
		w.o = *opts;
	if (w.o.max_entries == 0)
		w.o.max_entries = DKO_CONTEXT_WALK_MAX;
	if (w.o.max_depth == 0 || w.o.max_depth > MAX_DEPTH)
		w.o.max_depth = MAX_DEPTH;
	char *start;
	int rc = dko_context_clean_path(&start, rel);
	if (rc < 0)
		return rc;
	size_t ns = dko_ignore_state_size(w.ig);
	unsigned char *state = dko_xcalloc(ns ? ns : 1, 1);
	bool pruned = false;
	if (start[0] && w.ig)
		start_state(&w, start, state, &pruned);
	dko_buf_puts(&w.path, start);
	if (!pruned || w.o.all)
		rc = walk_dir(&w, start[0] && w.ig ? state : NULL, pruned, 1);
	if (rc == WALK_STOP)
		rc = 0;
	dko_buf_release(&w.path);
	free(state);
	free(start);
	return rc;
}

/* ---- the disk backend ---- */

typedef struct disk {
	int rootfd;
	char *root;
} disk;

static int sys_error(const disk *d, const char *rel, const char *what)
{
	int e = errno;
	int code = (e == ENOENT || e == ENOTDIR) ? DKO_ENOTFOUND : DKO_EIO;
	return dko_error_set(code, "%s/%s: %s: %s", d->root, rel, what, strerror(e));
}

/* A descriptor of the folder holding rel's last component (*leaf). A link
 * on the way sets *link and returns DKO_ENOTFOUND. */
static int open_parent(const disk *d, const char *rel, const char **leaf, bool *link)
{
	*link = false;
	int fd = dup(d->rootfd);
	if (fd < 0)
		return sys_error(d, rel, "dup");
	const char *p = rel;
	for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		char *comp = dko_xstrndup(p, (size_t)(slash - p));
		int nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		struct stat st;
		if (nfd < 0 && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			*link = true;
		free(comp);
		close(fd);
		if (nfd < 0 && *link)
			return dko_error_set(DKO_ENOTFOUND, "%s/%s: a parent folder is a symbolic link (not followed)",
			                     d->root, rel);
		if (nfd < 0) {
			errno = e;
			return sys_error(d, rel, "open");
		}
		fd = nfd;
	}
	*leaf = p;
	return fd;
}

static int disk_kind(void *self, const char *rel, dko_ctx_kind *out)
{
	disk *d = self;
	*out = DKO_CTX_NONE;
	if (!rel[0]) {
		*out = DKO_CTX_DIR;
		return 0;
	}
	const char *leaf;
	bool link;
	int fd = open_parent(d, rel, &leaf, &link);
	if (fd < 0) {
		if (link)
			*out = DKO_CTX_LINK;
		return fd == DKO_ENOTFOUND ? 0 : fd;
	}
	struct stat st;
	int rc = fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW);
	int e = errno;
	close(fd);
	if (rc < 0) {
		errno = e;
		return (e == ENOENT || e == ENOTDIR) ? 0 : sys_error(d, rel, "stat");
	}
	*out = S_ISDIR(st.st_mode) ? DKO_CTX_DIR : S_ISLNK(st.st_mode) ? DKO_CTX_LINK : DKO_CTX_FILE;
	return 0;
}

/* openat of rel itself with flags, never following a link. */
static int open_leaf(const disk *d, const char *rel, int flags)
{
	if (!rel[0]) {
		int fd = openat(d->rootfd, ".", flags | O_CLOEXEC);
		return fd < 0 ? sys_error(d, rel, "open") : fd;
	}
	const char *leaf;
	bool link;
	int dir = open_parent(d, rel, &leaf, &link);
	if (dir < 0)
		return dir;
	int fd = openat(dir, leaf, flags | O_NOFOLLOW | O_CLOEXEC);
	int e = errno;
	close(dir);
	if (fd >= 0)
		return fd;
	if (e == ELOOP)
		return dko_error_set(DKO_ENOTFOUND, "%s/%s: a symbolic link (not followed)", d->root, rel);
	errno = e;
	return sys_error(d, rel, "open");
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int disk_list(void *self, const char *rel, char ***names, size_t *n)
{
	disk *d = self;
	int fd = open_leaf(d, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		int rc = sys_error(d, rel, "opendir");
		close(fd);
		return rc;
	}
	DKO_VEC(char *) v = {0};
	for (struct dirent *e; (e = readdir(dir)) != NULL;) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			DKO_VEC_PUSH(&v, dko_xstrdup(e->d_name));
	}
	closedir(dir);
	if (v.len)
		qsort(v.items, v.len, sizeof(char *), cmp_name);
	*names = v.items ? v.items : dko_xcalloc(1, sizeof(char *));
	*n = v.len;
	return 0;
}

static int read_fd(const disk *d, const char *rel, int fd, char **data, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sys_error(d, rel, "stat");
	if (!S_ISREG(st.st_mode))
		return dko_error_set(DKO_EIO, "%s/%s: not a regular file", d->root, rel);
	if ((unsigned long long)st.st_size > DKO_CONTEXT_READ_MAX)
		return dko_error_set(DKO_EIO, "%s/%s: file too large to read", d->root, rel);
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = dko_xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > DKO_CONTEXT_READ_MAX) {
				free(buf);
				return dko_error_set(DKO_EIO, "%s/%s: file too large to read", d->root, rel);
			}
			buf = dko_xrealloc(buf, cap *= 2);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return sys_error(d, rel, "read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int disk_read(void *self, const char *rel, char **data, size_t *len)
{
	disk *d = self;
	int fd = open_leaf(d, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	int rc = read_fd(d, rel, fd, data, len);
	close(fd);
	return rc;
}

static void disk_free(void *self)
{
	disk *d = self;
	if (!d)
		return;
	close(d->rootfd);
	free(d->root);
	free(d);
}

static const dko_context_ops disk_ops = {disk_list, disk_read, disk_kind, disk_free};

int dko_context_open_dir(dko_context **out, const char *dir)
{
	*out = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		int code = (e == ENOENT || e == ENOTDIR) ? DKO_ENOTFOUND : DKO_EIO;
		return dko_error_set(code, "%s: cannot open the build context: %s", dir, strerror(e));
	}
	disk *d = dko_xcalloc(1, sizeof(*d));
	d->rootfd = fd;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	d->root = dko_xstrndup(dir, n);
	return dko_context_new(out, &disk_ops, d, d->root);
}
