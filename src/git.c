/*
 * git.c - dockopt's only use of libgit2 (see git.h): patches, the index and
 * working tree, trees, commits, refs, fetch/push and a tree-backed build
 * context.
 *
 * Invariants:
 * - This is the only file that includes <git2.h>; no libgit2 type leaves it.
 * - libgit2 is initialised once, on first use (ensure_init), under a lock.
 * - Every libgit2 failure becomes one dko error set here (gfail), with the
 *   text run through dko_redact so URLs with credentials and tokens from the
 *   environment never reach a message.
 * - The index is re-read from disk before each use (git_index_read with
 *   force=0 only reloads when the file changed), so a long-lived handle sees
 *   what git or another process staged meanwhile.
 */
#include "git.h"
#include "util/utf8.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/redact.h"
#include "util/vec.h"

#include <git2.h>

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(dko_git_oid) == sizeof(git_oid), "dko_git_oid mirrors git_oid");

struct dko_git_repo {
	git_repository *repo;
};

/* ---- Setup and errors --------------------------------------------------- */

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool initialised;

static int ensure_init(void)
{
	int rc = 0;
	pthread_mutex_lock(&init_lock);
	if (!initialised) {
		if (git_libgit2_init() < 0)
			rc = dko_error_set(DKO_EGIT, "cannot initialise libgit2");
		else
			initialised = true;
	}
	pthread_mutex_unlock(&init_lock);
	return rc;
}

void dko_git_shutdown(void)
{
	pthread_mutex_lock(&init_lock);
	if (initialised)
		git_libgit2_shutdown();
	initialised = false;
	pthread_mutex_unlock(&init_lock);
}

/* Set the error for a failed libgit2 call that returned err: "<what>: <libgit2
 * message>", redacted. GIT_ENOTFOUND (and an unborn branch) map to
 * DKO_ENOTFOUND, everything else to DKO_EGIT. */
static int gfail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int gfail(int err, const char *fmt, ...)
{
	dko_buf what = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&what, fmt, ap);
	va_end(ap);
	const git_error *e = git_error_last();
	int code = (err == GIT_ENOTFOUND || err == GIT_EUNBORNBRANCH) ? DKO_ENOTFOUND : DKO_EGIT;
	dko_error_set_redacted(code, NULL, "%s: %s", dko_buf_cstr(&what),
	                       e && e->message ? e->message : "unknown libgit2 error");
	dko_buf_release(&what);
	return code;
}

static const git_oid *goid(const dko_git_oid *id)
{
	return (const git_oid *)(const void *)id;
}

static void set_oid(dko_git_oid *out, const git_oid *id)
{
	memcpy(out->id, id->id, sizeof(out->id));
}

void dko_git_oid_fmt(char out[DKO_GIT_OID_HEXSZ], const dko_git_oid *id)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(id->id); i++) {
		out[2 * i] = hex[id->id[i] >> 4];
		out[2 * i + 1] = hex[id->id[i] & 15];
	}
	out[DKO_GIT_OID_HEXSZ - 1] = '\0';
}

int dko_git_oid_parse(dko_git_oid *out, const char *hex)
{
	if (!hex || strlen(hex) != DKO_GIT_OID_HEXSZ - 1)
		return dko_error_set(DKO_EINVAL, "not an object id: '%s'", hex ? hex : "");
	for (size_t i = 0; i < sizeof(out->id); i++) {
		int hi = dko_hexval(hex[2 * i]), lo = dko_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return dko_error_set(DKO_EINVAL, "not an object id: '%s'", hex);
		out->id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool dko_git_oid_equal(const dko_git_oid *a, const dko_git_oid *b)
{
	return memcmp(a->id, b->id, sizeof(a->id)) == 0;
}

static char *buf_to_str(git_buf *b)
{
	char *s = dko_xstrndup(b->ptr ? b->ptr : "", b->size);
	git_buf_dispose(b);
	return s;
}

/* ---- Unified diffs ------------------------------------------------------- */

int dko_git_patch(dko_buf *out, const char *old_path, const char *old_data, size_t old_len,
                  const char *new_path, const char *new_data, size_t new_len,
                  unsigned context_lines)
{
	if ((!old_data && old_len) || (!new_data && new_len) || (!old_path && !new_path))
		return dko_error_set(DKO_EINVAL, "dko_git_patch: bad arguments");
	if (!old_data && !new_data)
		return 0;
	int rc = ensure_init();
	if (rc < 0)
		return rc;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = context_lines;
	git_patch *patch = NULL;
	git_buf text = GIT_BUF_INIT;
	const char *op = old_path ? old_path : new_path, *np = new_path ? new_path : old_path;
	int err = git_patch_from_buffers(&patch, old_data, old_len, op, new_data, new_len, np,
	                                 &opts);
	if (err == 0)
		err = git_patch_to_buf(&text, patch);
	if (err < 0)
		rc = gfail(err, "diff of %s", np);
	else
		dko_buf_put(out, text.ptr, text.size);
	git_buf_dispose(&text);
	git_patch_free(patch);
	return rc;
}

/* ---- Repositories -------------------------------------------------------- */

int dko_git_repo_open(dko_git_repo **out, const char *path, unsigned flags)
{
	*out = NULL;
	int rc = ensure_init();
	if (rc < 0)
		return rc;
	unsigned gflags = (flags & DKO_GIT_OPEN_FROM_ENV) ? GIT_REPOSITORY_OPEN_FROM_ENV : 0;
	git_repository *r = NULL;
	int err = git_repository_open_ext(&r, path, gflags, NULL);
	if (err == GIT_ENOTFOUND)
		return dko_error_set(DKO_ENOTFOUND, "%s: not in a git repository",
		                     path ? path : ".");
	if (err < 0)
		return gfail(err, "%s: cannot open the git repository", path ? path : ".");
	*out = dko_xcalloc(1, sizeof(**out));
	(*out)->repo = r;
	return 0;
}

int dko_git_repo_init(dko_git_repo **out, const char *path, bool bare,
                      const char *initial_branch)
{
	*out = NULL;
	int rc = ensure_init();
	if (rc < 0)
		return rc;
	git_repository_init_options o;
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	o.flags = GIT_REPOSITORY_INIT_MKPATH | (bare ? GIT_REPOSITORY_INIT_BARE : 0);
	o.initial_head = initial_branch ? initial_branch : "main";
	git_repository *r = NULL;
	int err = git_repository_init_ext(&r, path, &o);
	if (err < 0)
		return gfail(err, "%s: cannot create a git repository", path);
	*out = dko_xcalloc(1, sizeof(**out));
	(*out)->repo = r;
	return 0;
}

void dko_git_repo_free(dko_git_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->repo);
	free(repo);
}

const char *dko_git_repo_workdir(const dko_git_repo *repo)
{
	return git_repository_workdir(repo->repo);
}

const char *dko_git_repo_gitdir(const dko_git_repo *repo)
{
	return git_repository_path(repo->repo);
}

int dko_git_config_get(char **out, dko_git_repo *repo, const char *key)
{
	*out = NULL;
	git_config *cfg = NULL;
	git_buf val = GIT_BUF_INIT;
	int err = git_repository_config(&cfg, repo->repo);
	if (err == 0)
		err = git_config_get_string_buf(&val, cfg, key);
	git_config_free(cfg);
	if (err == GIT_ENOTFOUND) {
		git_buf_dispose(&val);
		return dko_error_set(DKO_ENOTFOUND, "git config %s: not set", key);
	}
	if (err < 0) {
		git_buf_dispose(&val);
		return gfail(err, "git config %s", key);
	}
	*out = buf_to_str(&val);
	return 0;
}

int dko_git_config_set(dko_git_repo *repo, const char *key, const char *value)
{
	git_config *cfg = NULL, *local = NULL;
	int err = git_repository_config(&cfg, repo->repo);
	if (err == 0)
		err = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL);
	if (err == 0)
		err = git_config_set_string(local, key, value);
	git_config_free(local);
	git_config_free(cfg);
	return err < 0 ? gfail(err, "git config %s", key) : 0;
}

int dko_git_repo_hooks_dir(char **out, dko_git_repo *repo)
{
	*out = NULL;
	char *custom = NULL;
	int rc = dko_git_config_get(&custom, repo, "core.hooksPath");
	if (rc == 0 && custom[0]) {
		/* git runs hooks from the top of the working tree (the git folder
		 * of a bare repository): a relative core.hooksPath is from there. */
		const char *base = dko_git_repo_workdir(repo);
		if (custom[0] != '/') {
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%s%s", base ? base : dko_git_repo_gitdir(repo), custom);
			free(custom);
			custom = dko_buf_detach(&b, NULL);
		}
		*out = custom;
		return 0;
	}
	free(custom);
	if (rc < 0 && rc != DKO_ENOTFOUND)
		return rc;
	git_buf path = GIT_BUF_INIT;
	int err = git_repository_item_path(&path, repo->repo, GIT_REPOSITORY_ITEM_HOOKS);
	if (err < 0)
		return gfail(err, "hooks folder");
	*out = buf_to_str(&path);
	return 0;
}

/* ---- The index ----------------------------------------------------------- */

void dko_git_entries_free(dko_git_entry *entries, size_t n)
{
	if (!entries)
		return;
	for (size_t i = 0; i < n; i++)
		free(entries[i].path);
	free(entries);
}

/* The repository's index, refreshed from disk. The caller frees it. */
static int open_index(git_index **out, dko_git_repo *repo)
{
	int err = git_repository_index(out, repo->repo);
	if (err == 0)
		err = git_index_read(*out, 0);
	if (err < 0) {
		git_index_free(*out);
		*out = NULL;
		return gfail(err, "cannot read the index");
	}
	return 0;
}

int dko_git_index_list(dko_git_entry **out, size_t *n, dko_git_repo *repo)
{
	*out = NULL;
	*n = 0;
	git_index *idx;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	size_t count = git_index_entrycount(idx), k = 0;
	dko_git_entry *list = dko_xcalloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		if (GIT_INDEX_ENTRY_STAGE(e) != 0)
			continue;
		list[k].path = dko_xstrdup(e->path);
		list[k].mode = e->mode;
		set_oid(&list[k].id, &e->id);
		k++;
	}
	git_index_free(idx);
	*out = list;
	*n = k;
	return 0;
}

void dko_git_staged_free(dko_git_staged *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i].path);
	free(list);
}

/* HEAD's tree, or NULL before the first commit. */
static int head_tree(git_tree **out, git_repository *repo)
{
	*out = NULL;
	int unborn = git_repository_head_unborn(repo);
	if (unborn < 0)
		return gfail(unborn, "cannot read HEAD");
	if (unborn)
		return 0;
	git_object *obj = NULL;
	int err = git_revparse_single(&obj, repo, "HEAD^{tree}");
	if (err < 0)
		return gfail(err, "cannot read HEAD's tree");
	*out = (git_tree *)obj;
	return 0;
}

static bool intent_to_add(git_index *idx, const char *path)
{
	const git_index_entry *e = git_index_get_bypath(idx, path, 0);
	return e && (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD);
}

static bool staged_status(git_delta_t s, dko_git_status *out)
{
	switch (s) {
	case GIT_DELTA_ADDED: *out = DKO_GIT_ADDED; return true;
	case GIT_DELTA_MODIFIED: *out = DKO_GIT_MODIFIED; return true;
	case GIT_DELTA_DELETED: *out = DKO_GIT_DELETED; return true;
	case GIT_DELTA_TYPECHANGE: *out = DKO_GIT_TYPECHANGE; return true;
	default: return false;
	}
}

static void collect_staged(dko_git_staged **out, size_t *n, git_diff *diff, git_index *idx)
{
	size_t count = git_diff_num_deltas(diff), k = 0;
	dko_git_staged *list = dko_xcalloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; i < count; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		dko_git_staged *s = &list[k];
		if (!staged_status(d->status, &s->status))
			continue;
		const char *path = d->status == GIT_DELTA_DELETED ? d->old_file.path : d->new_file.path;
		if (d->status != GIT_DELTA_DELETED && intent_to_add(idx, path))
			continue;
		s->path = dko_xstrdup(path);
		if (d->status != GIT_DELTA_ADDED) {
			s->old_mode = d->old_file.mode;
			set_oid(&s->old_id, &d->old_file.id);
		}
		if (d->status != GIT_DELTA_DELETED) {
			s->new_mode = d->new_file.mode;
			set_oid(&s->new_id, &d->new_file.id);
		}
		k++;
	}
	*out = list;
	*n = k;
}

int dko_git_staged_list(dko_git_staged **out, size_t *n, dko_git_repo *repo)
{
	*out = NULL;
	*n = 0;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	int rc = open_index(&idx, repo);
	if (rc == 0)
		rc = head_tree(&tree, repo->repo);
	if (rc < 0)
		goto done;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	int err = git_diff_tree_to_index(&diff, repo->repo, tree, idx, &opts);
	if (err < 0) {
		rc = gfail(err, "cannot compare the index with HEAD");
		goto done;
	}
	collect_staged(out, n, diff, idx);
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_index_free(idx);
	return rc;
}

static int blob_contents(char **data, size_t *len, git_repository *repo, const git_oid *id,
                         const char *what)
{
	git_blob *blob = NULL;
	int err = git_blob_lookup(&blob, repo, id);
	if (err < 0)
		return gfail(err, "%s: cannot read the blob", what);
	size_t n = (size_t)git_blob_rawsize(blob);
	char *p = dko_xmalloc(n + 1);
	if (n)
		memcpy(p, git_blob_rawcontent(blob), n);
	p[n] = '\0';
	git_blob_free(blob);
	*data = p;
	*len = n;
	return 0;
}

int dko_git_blob_read(char **data, size_t *len, dko_git_repo *repo, const dko_git_oid *id)
{
	*data = NULL;
	*len = 0;
	char hex[DKO_GIT_OID_HEXSZ];
	dko_git_oid_fmt(hex, id);
	return blob_contents(data, len, repo->repo, goid(id), hex);
}

int dko_git_blob_write(dko_git_oid *id, dko_git_repo *repo, const char *data, size_t len)
{
	git_oid gid;
	int err = git_blob_create_from_buffer(&gid, repo->repo, data, len);
	if (err < 0)
		return gfail(err, "cannot write a blob");
	set_oid(id, &gid);
	return 0;
}

int dko_git_index_read(char **data, size_t *len, uint32_t *mode, dko_git_repo *repo,
                       const char *path)
{
	*data = NULL;
	*len = 0;
	git_index *idx;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	const git_index_entry *e = git_index_get_bypath(idx, path, 0);
	if (!e) {
		rc = dko_error_set(DKO_ENOTFOUND, "%s: not in the index", path);
	} else {
		if (mode)
			*mode = e->mode;
		rc = blob_contents(data, len, repo->repo, &e->id, path);
	}
	git_index_free(idx);
	return rc;
}

int dko_git_index_stage(dko_git_oid *new_id, dko_git_repo *repo, const char *path,
                        const char *data, size_t len)
{
	git_index *idx;
	char *entry_path = NULL;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	const git_index_entry *e = git_index_get_bypath(idx, path, 0);
	if (!e) {
		rc = dko_error_set(DKO_ENOTFOUND, "%s: not in the index (or conflicted)", path);
		goto done;
	}
	git_index_entry ne = *e;
	entry_path = dko_xstrdup(e->path); /* e dies when the entry is replaced */
	ne.path = entry_path;
	int err = git_blob_create_from_buffer(&ne.id, repo->repo, data, len);
	if (err < 0) {
		rc = gfail(err, "%s: cannot write the blob", path);
		goto done;
	}
	/* Zeroed stat data never matches the working file, so git re-hashes it
	 * rather than taking unstaged edits for the new staged contents. */
	memset(&ne.ctime, 0, sizeof(ne.ctime));
	memset(&ne.mtime, 0, sizeof(ne.mtime));
	ne.dev = ne.ino = ne.uid = ne.gid = 0;
	ne.file_size = (uint32_t)len;
	if ((err = git_index_add(idx, &ne)) < 0 || (err = git_index_write(idx)) < 0) {
		rc = gfail(err, "%s: cannot update the index", path);
		goto done;
	}
	if (new_id)
		set_oid(new_id, &ne.id);
done:
	free(entry_path);
	git_index_free(idx);
	return rc;
}

int dko_git_index_add(dko_git_repo *repo, const char *path, const char *data, size_t len,
                      uint32_t mode)
{
	git_index *idx;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	const git_index_entry *old = git_index_get_bypath(idx, path, 0);
	git_index_entry e;
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = mode ? mode : old ? old->mode : DKO_GIT_MODE_FILE;
	e.file_size = (uint32_t)len;
	int err = git_blob_create_from_buffer(&e.id, repo->repo, data, len);
	if (err == 0)
		err = git_index_add(idx, &e);
	if (err == 0)
		err = git_index_write(idx);
	if (err < 0)
		rc = gfail(err, "%s: cannot add to the index", path);
	git_index_free(idx);
	return rc;
}

int dko_git_index_remove(dko_git_repo *repo, const char *path)
{
	git_index *idx;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	if (!git_index_get_bypath(idx, path, 0)) {
		rc = dko_error_set(DKO_ENOTFOUND, "%s: not in the index", path);
	} else {
		int err = git_index_remove(idx, path, 0);
		if (err == 0)
			err = git_index_write(idx);
		if (err < 0)
			rc = gfail(err, "%s: cannot remove from the index", path);
	}
	git_index_free(idx);
	return rc;
}

int dko_git_index_write_tree(dko_git_oid *out, dko_git_repo *repo)
{
	git_index *idx;
	int rc = open_index(&idx, repo);
	if (rc < 0)
		return rc;
	git_oid id;
	int err = git_index_write_tree(&id, idx);
	if (err < 0)
		rc = gfail(err, "cannot write the index as a tree");
	else
		set_oid(out, &id);
	git_index_free(idx);
	return rc;
}

/* ---- The working tree ---------------------------------------------------- */

static int workdir_path(char **out, dko_git_repo *repo, const char *path)
{
	const char *wd = git_repository_workdir(repo->repo);
	if (!wd)
		return dko_error_set(DKO_EINVAL, "%s: the repository has no working tree", path);
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s", wd, path);
	*out = dko_buf_detach(&b, NULL);
	return 0;
}

/* The blob id the working file at full (an lstat'ed st) would have when
 * staged as path: a symlink's target text, or the file through the clean
 * filters. *found is false when its type cannot match an entry of mode. */
static int worktree_id(git_oid *id, bool *found, dko_git_repo *repo, const char *full,
                       const struct stat *st, const char *path, uint32_t mode)
{
	*found = false;
	if (S_ISLNK(st->st_mode) && mode == DKO_GIT_MODE_LINK) {
		char buf[4096]; /* PATH_MAX: no longer target can be a valid link */
		ssize_t n = readlink(full, buf, sizeof(buf));
		if (n < 0)
			return dko_error_set(DKO_EIO, "%s: readlink: %s", full, strerror(errno));
		if ((size_t)n == sizeof(buf))
			return 0;
		*found = true;
		int err = git_odb_hash(id, buf, (size_t)n, GIT_OBJECT_BLOB);
		return err < 0 ? gfail(err, "%s", path) : 0;
	}
	if (!S_ISREG(st->st_mode) || (mode != DKO_GIT_MODE_FILE && mode != DKO_GIT_MODE_EXEC))
		return 0;
	*found = true;
	int err = git_repository_hashfile(id, repo->repo, full, GIT_OBJECT_BLOB, path);
	return err < 0 ? gfail(err, "%s: cannot hash the working file", path) : 0;
}

int dko_git_worktree_matches_index(bool *same, dko_git_repo *repo, const char *path)
{
	*same = false;
	char *full = NULL;
	git_index *idx = NULL;
	int rc = workdir_path(&full, repo, path);
	if (rc == 0)
		rc = open_index(&idx, repo);
	if (rc < 0)
		goto done;
	const git_index_entry *e = git_index_get_bypath(idx, path, 0);
	if (!e) {
		rc = dko_error_set(DKO_ENOTFOUND, "%s: not in the index", path);
		goto done;
	}
	struct stat st;
	if (lstat(full, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = dko_error_set(DKO_EIO, "%s: %s", full, strerror(errno));
		goto done;
	}
	git_oid id;
	bool found;
	rc = worktree_id(&id, &found, repo, full, &st, path, e->mode);
	if (rc == 0 && found)
		*same = git_oid_equal(&id, &e->id);
done:
	git_index_free(idx);
	free(full);
	return rc;
}

int dko_git_worktree_write(dko_git_repo *repo, const char *path, const char *data,
                           size_t len)
{
	char *full = NULL;
	git_filter_list *filters = NULL;
	git_buf smudged = GIT_BUF_INIT;
	int rc = workdir_path(&full, repo, path);
	if (rc < 0)
		return rc;
	int err = git_filter_list_load(&filters, repo->repo, NULL, path, GIT_FILTER_TO_WORKTREE,
	                               GIT_FILTER_DEFAULT);
	if (err == 0 && filters)
		err = git_filter_list_apply_to_buffer(&smudged, filters, data, len);
	if (err < 0)
		rc = gfail(err, "%s: cannot apply the checkout filters", path);
	else if (filters)
		rc = dko_fs_write_atomic(full, smudged.ptr, smudged.size);
	else
		rc = dko_fs_write_atomic(full, data, len);
	git_buf_dispose(&smudged);
	git_filter_list_free(filters);
	free(full);
	return rc;
}

/* ---- Revisions and trees ------------------------------------------------- */

/* rev peeled to an object of type. */
static int peel_rev(git_object **out, git_repository *repo, const char *rev, git_object_t type)
{
	*out = NULL;
	git_object *obj = NULL;
	int err = git_revparse_single(&obj, repo, rev);
	if (err == 0) {
		err = git_object_peel(out, obj, type);
		git_object_free(obj);
	}
	if (err == GIT_ENOTFOUND || err == GIT_EUNBORNBRANCH || err == GIT_EINVALIDSPEC ||
	    err == GIT_EAMBIGUOUS)
		return dko_error_set(DKO_ENOTFOUND, "%s: no such %s", rev,
		                     type == GIT_OBJECT_TREE ? "tree" : "commit");
	if (err < 0)
		return gfail(err, "%s", rev);
	return 0;
}

static int lookup_tree(git_tree **out, dko_git_repo *repo, const char *rev)
{
	return peel_rev((git_object **)out, repo->repo, rev, GIT_OBJECT_TREE);
}

int dko_git_resolve_commit(dko_git_oid *out, dko_git_repo *repo, const char *rev)
{
	git_object *obj;
	int rc = peel_rev(&obj, repo->repo, rev, GIT_OBJECT_COMMIT);
	if (rc < 0)
		return rc;
	set_oid(out, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

int dko_git_resolve_tree(dko_git_oid *out, dko_git_repo *repo, const char *rev)
{
	git_tree *tree;
	int rc = lookup_tree(&tree, repo, rev);
	if (rc < 0)
		return rc;
	set_oid(out, git_tree_id(tree));
	git_tree_free(tree);
	return 0;
}

/* The entry at path of tree (the caller frees it); DKO_ENOTFOUND if absent. */
static int tree_entry(git_tree_entry **out, git_tree *tree, const char *path, const char *rev)
{
	int err = git_tree_entry_bypath(out, tree, path);
	if (err == GIT_ENOTFOUND)
		return dko_error_set(DKO_ENOTFOUND, "%s:%s: no such file", rev, path);
	return err < 0 ? gfail(err, "%s:%s", rev, path) : 0;
}

int dko_git_tree_read(char **data, size_t *len, uint32_t *mode, dko_git_repo *repo,
                      const char *rev, const char *path)
{
	*data = NULL;
	*len = 0;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int rc = lookup_tree(&tree, repo, rev);
	if (rc == 0)
		rc = tree_entry(&e, tree, path, rev);
	if (rc < 0)
		goto done;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		rc = dko_error_set(DKO_EINVAL, "%s:%s: is a %s, not a file", rev, path,
		                   git_tree_entry_type(e) == GIT_OBJECT_TREE ? "folder" : "submodule");
		goto done;
	}
	if (mode)
		*mode = git_tree_entry_filemode(e);
	rc = blob_contents(data, len, repo->repo, git_tree_entry_id(e), path);
done:
	git_tree_entry_free(e);
	git_tree_free(tree);
	return rc;
}

int dko_git_head_read(char **data, size_t *len, dko_git_repo *repo, const char *path)
{
	return dko_git_tree_read(data, len, NULL, repo, "HEAD", path);
}

typedef struct walk_state {
	DKO_VEC(dko_git_entry) list;
} walk_state;

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	walk_state *w = payload;
	git_object_t type = git_tree_entry_type(e);
	if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_COMMIT)
		return 0;
	dko_buf path = DKO_BUF_INIT;
	dko_buf_printf(&path, "%s%s", root, git_tree_entry_name(e));
	dko_git_entry ent = {dko_buf_detach(&path, NULL), git_tree_entry_filemode(e), {{0}}};
	set_oid(&ent.id, git_tree_entry_id(e));
	DKO_VEC_PUSH(&w->list, ent);
	return 0;
}

int dko_git_tree_list(dko_git_entry **out, size_t *n, dko_git_repo *repo, const char *rev)
{
	*out = NULL;
	*n = 0;
	git_tree *tree;
	int rc = lookup_tree(&tree, repo, rev);
	if (rc < 0)
		return rc;
	walk_state w = {{0}};
	int err = git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w);
	git_tree_free(tree);
	if (err < 0) {
		dko_git_entries_free(w.list.items, w.list.len);
		return gfail(err, "%s: cannot list the tree", rev);
	}
	*out = w.list.items;
	*n = w.list.len;
	return 0;
}

/* Whether path can name a file in a tree: relative, no empty, "." or ".."
 * parts, nothing inside .git. */
static bool valid_tree_path(const char *path)
{
	const char *p = path;
	do {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 4 && strncasecmp(p, ".git", 4) == 0))
			return false;
		p += n;
	} while (*p++ == '/');
	return true;
}

/* One git_tree_update for f against base (NULL: empty). *skip is set for the
 * removal of a path base does not have (libgit2 would fail on it). */
static int tree_change(git_tree_update *u, bool *skip, dko_git_repo *repo, git_tree *base,
                       const dko_git_file *f)
{
	git_tree_entry *old = NULL;
	*skip = false;
	if (!f->path || !valid_tree_path(f->path))
		return dko_error_set(DKO_EINVAL, "'%s': not a valid path in a tree",
		                     f->path ? f->path : "");
	if (base && git_tree_entry_bypath(&old, base, f->path) < 0)
		old = NULL;
	u->path = f->path;
	if (!f->data && !f->id) {
		u->action = GIT_TREE_UPDATE_REMOVE;
		*skip = old == NULL;
		git_tree_entry_free(old);
		return 0;
	}
	u->action = GIT_TREE_UPDATE_UPSERT;
	u->filemode = f->mode ? (git_filemode_t)f->mode : GIT_FILEMODE_BLOB;
	if (!f->mode && old && git_tree_entry_type(old) == GIT_OBJECT_BLOB)
		u->filemode = git_tree_entry_filemode(old);
	git_tree_entry_free(old);
	if (f->id) {
		git_oid_cpy(&u->id, goid(f->id));
		return 0;
	}
	int err = git_blob_create_from_buffer(&u->id, repo->repo, f->data, f->len);
	return err < 0 ? gfail(err, "%s: cannot write the blob", f->path) : 0;
}

int dko_git_tree_update(dko_git_oid *out, dko_git_repo *repo, const char *base,
                        const dko_git_file *files, size_t n)
{
	git_tree *tree = NULL;
	int rc = base ? lookup_tree(&tree, repo, base) : 0;
	if (rc < 0)
		return rc;
	git_tree_update *ups = dko_xcalloc(n ? n : 1, sizeof(*ups));
	size_t k = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool skip;
		rc = tree_change(&ups[k], &skip, repo, tree, &files[i]);
		if (rc == 0 && !skip)
			k++;
	}
	git_oid id;
	if (rc == 0) {
		int err = git_tree_create_updated(&id, repo->repo, tree, k, ups);
		if (err < 0)
			rc = gfail(err, "cannot build the new tree");
		else
			set_oid(out, &id);
	}
	free(ups);
	git_tree_free(tree);
	return rc;
}

/* ---- Commits and refs ---------------------------------------------------- */

static void trim_span(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

int dko_git_ident_parse(char **name, char **email, const char *text)
{
	*name = *email = NULL;
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *lt = strchr(text, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || gt + 1 != end || strchr(lt + 1, '<'))
		return dko_error_set(DKO_EINVAL, "'%s': expected \"Name <email>\"", text);
	const char *ns = text, *ne = lt, *es = lt + 1, *ee = gt;
	trim_span(&ns, &ne);
	trim_span(&es, &ee);
	if (ns == ne || es == ee)
		return dko_error_set(DKO_EINVAL, "'%s': expected \"Name <email>\"", text);
	*name = dko_xstrndup(ns, (size_t)(ne - ns));
	*email = dko_xstrndup(es, (size_t)(ee - es));
	return 0;
}

/* Author and committer: who's fields, the rest from user.name/user.email. */
static int signature(git_signature **out, dko_git_repo *repo, const dko_git_ident *who)
{
	char *name = NULL, *email = NULL;
	if (who && who->name)
		name = dko_xstrdup(who->name);
	else if (dko_git_config_get(&name, repo, "user.name") < 0)
		name = NULL;
	if (who && who->email)
		email = dko_xstrdup(who->email);
	else if (dko_git_config_get(&email, repo, "user.email") < 0)
		email = NULL;
	int rc = 0;
	if (!name || !*name || !email || !*email) {
		rc = dko_error_set(DKO_ECONFIG,
		                   "no identity to commit as: set %s%s%s in the git config "
		                   "(git config user.name \"Your Name\"; git config user.email "
		                   "you@example.com) or pass --author \"Name <email>\"",
		                   !name || !*name ? "user.name" : "",
		                   (!name || !*name) && (!email || !*email) ? " and " : "",
		                   !email || !*email ? "user.email" : "");
	} else {
		int err = git_signature_now(out, name, email);
		if (err < 0)
			rc = gfail(err, "bad identity '%s <%s>'", name, email);
	}
	free(name);
	free(email);
	return rc;
}

static int lookup_parents(git_commit ***out, dko_git_repo *repo, const dko_git_oid *ids,
                          size_t n)
{
	git_commit **parents = dko_xcalloc(n ? n : 1, sizeof(*parents));
	for (size_t i = 0; i < n; i++) {
		int err = git_commit_lookup(&parents[i], repo->repo, goid(&ids[i]));
		if (err < 0) {
			char hex[DKO_GIT_OID_HEXSZ];
			dko_git_oid_fmt(hex, &ids[i]);
			int rc = gfail(err, "parent %s", hex);
			for (size_t j = 0; j < i; j++)
				git_commit_free(parents[j]);
			free(parents);
			return rc;
		}
	}
	*out = parents;
	return 0;
}

int dko_git_commit_create(dko_git_oid *out, dko_git_repo *repo, const dko_git_oid *tree,
                          const dko_git_oid *parents, size_t nparents,
                          const dko_git_ident *who, const char *message)
{
	git_signature *sig = NULL;
	git_tree *t = NULL;
	git_commit **pc = NULL;
	dko_buf msg = DKO_BUF_INIT;
	int rc = signature(&sig, repo, who);
	int err = rc == 0 ? git_tree_lookup(&t, repo->repo, goid(tree)) : 0;
	if (err < 0)
		rc = gfail(err, "the commit's tree");
	if (rc == 0)
		rc = lookup_parents(&pc, repo, parents, nparents);
	if (rc < 0)
		goto done;
	dko_buf_puts(&msg, message);
	if (msg.len == 0 || msg.ptr[msg.len - 1] != '\n')
		dko_buf_putc(&msg, '\n');
	git_oid id;
	err = git_commit_create(&id, repo->repo, NULL, sig, sig, NULL, msg.ptr, t, nparents,
	                            (const git_commit **)pc);
	if (err < 0)
		rc = gfail(err, "cannot create the commit");
	else
		set_oid(out, &id);
	for (size_t i = 0; i < nparents; i++)
		git_commit_free(pc[i]);
done:
	free(pc);
	dko_buf_release(&msg);
	git_tree_free(t);
	git_signature_free(sig);
	return rc;
}

int dko_git_commit_lookup(dko_git_commit_info *out, dko_git_repo *repo, const char *rev)
{
	memset(out, 0, sizeof(*out));
	git_object *obj;
	int rc = peel_rev(&obj, repo->repo, rev, GIT_OBJECT_COMMIT);
	if (rc < 0)
		return rc;
	git_commit *c = (git_commit *)obj;
	set_oid(&out->id, git_commit_id(c));
	set_oid(&out->tree, git_commit_tree_id(c));
	out->nparents = git_commit_parentcount(c);
	out->parents = dko_xcalloc(out->nparents ? out->nparents : 1, sizeof(*out->parents));
	for (unsigned i = 0; i < out->nparents; i++)
		set_oid(&out->parents[i], git_commit_parent_id(c, i));
	out->message = dko_xstrdup(git_commit_message(c));
	const git_signature *a = git_commit_author(c), *m = git_commit_committer(c);
	out->author_name = dko_xstrdup(a->name);
	out->author_email = dko_xstrdup(a->email);
	out->committer_name = dko_xstrdup(m->name);
	out->committer_email = dko_xstrdup(m->email);
	git_object_free(obj);
	return 0;
}

void dko_git_commit_info_release(dko_git_commit_info *ci)
{
	if (!ci)
		return;
	free(ci->parents);
	free(ci->message);
	free(ci->author_name);
	free(ci->author_email);
	free(ci->committer_name);
	free(ci->committer_email);
	memset(ci, 0, sizeof(*ci));
}

int dko_git_ref_lookup(dko_git_oid *out, dko_git_repo *repo, const char *refname)
{
	git_oid id;
	int err = git_reference_name_to_id(&id, repo->repo, refname);
	if (err == GIT_ENOTFOUND || err == GIT_EINVALIDSPEC)
		return dko_error_set(DKO_ENOTFOUND, "%s: no such ref", refname);
	if (err < 0)
		return gfail(err, "%s", refname);
	set_oid(out, &id);
	return 0;
}

int dko_git_head_ref(char **out, dko_git_repo *repo)
{
	*out = NULL;
	git_reference *head = NULL;
	int err = git_reference_lookup(&head, repo->repo, "HEAD");
	if (err < 0)
		return gfail(err, "cannot read HEAD");
	int rc = 0;
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
		*out = dko_xstrdup(git_reference_symbolic_target(head));
	else
		rc = dko_error_set(DKO_ENOTFOUND, "HEAD is detached");
	git_reference_free(head);
	return rc;
}

int dko_git_ref_set(dko_git_repo *repo, const char *refname, const dko_git_oid *id,
                    const char *log_message)
{
	git_reference *ref = NULL;
	int err = git_reference_create(&ref, repo->repo, refname, goid(id), 1, log_message);
	git_reference_free(ref);
	return err < 0 ? gfail(err, "cannot set %s", refname) : 0;
}

/* ---- Remotes ------------------------------------------------------------- */

/*
 * Remotes are read from the config here rather than with git_remote_lookup:
 * libgit2 1.5 (PCRE2 build) leaks in the regex scan it does for insteadOf,
 * once per config entry and lookup. Reading remote.<name>.* and rewriting
 * the URL as git does, then making an anonymous remote with that URL and
 * fetch refspec, behaves the same for fetch and push and leaks nothing.
 */
typedef struct remote_cfg {
	char *url, *pushurl, *fetchspec;
} remote_cfg;

static void remote_cfg_release(remote_cfg *rc)
{
	free(rc->url);
	free(rc->pushurl);
	free(rc->fetchspec);
}

static int check_remote_name(const char *name)
{
	int valid = 0;
	if (git_remote_name_is_valid(&valid, name) < 0 || !valid)
		return dko_error_set(DKO_EINVAL, "'%s' is not a valid remote name", name);
	return 0;
}

/* remote.<name>.<var>, or NULL when unset. */
static char *remote_var(git_config *cfg, const char *name, const char *var)
{
	dko_buf key = DKO_BUF_INIT;
	git_buf val = GIT_BUF_INIT;
	dko_buf_printf(&key, "remote.%s.%s", name, var);
	int err = git_config_get_string_buf(&val, cfg, key.ptr);
	dko_buf_release(&key);
	if (err < 0) {
		git_buf_dispose(&val);
		git_error_clear();
		return NULL;
	}
	return buf_to_str(&val);
}

static int first_value(const git_config_entry *e, void *payload)
{
	char **out = payload;
	if (!*out)
		*out = dko_xstrdup(e->value);
	return 0;
}

/* The best url.<base>.<key> rewrite of url (the longest matching prefix). */
typedef struct rewrite {
	const char *url, *key;
	size_t best_len;
	char *result;
} rewrite;

static int rewrite_cb(const git_config_entry *e, void *payload)
{
	rewrite *rw = payload;
	size_t n = strlen(e->name), k = strlen(rw->key), plen = strlen(e->value);
	if (strncmp(e->name, "url.", 4) != 0 || n < 4 + k + 1 ||
	    strcmp(e->name + n - k, rw->key) != 0 || e->name[n - k - 1] != '.')
		return 0;
	if (plen == 0 || plen <= rw->best_len || strncmp(rw->url, e->value, plen) != 0)
		return 0;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_put(&b, e->name + 4, n - 4 - k - 1); /* <base> */
	dko_buf_puts(&b, rw->url + plen);
	free(rw->result);
	rw->result = dko_buf_detach(&b, NULL);
	rw->best_len = plen;
	return 0;
}

/* url after git's url.<base>.insteadOf (or pushInsteadOf) rules; *changed
 * tells whether a rule applied. Returns a malloc'd string. */
static char *rewrite_url(git_config *cfg, const char *url, const char *key, bool *changed)
{
	rewrite rw = {url, key, 0, NULL};
	git_config_foreach(cfg, rewrite_cb, &rw);
	if (changed)
		*changed = rw.result != NULL;
	return rw.result ? rw.result : dko_xstrdup(url);
}

static int read_remote(remote_cfg *out, dko_git_repo *repo, const char *name, bool push)
{
	memset(out, 0, sizeof(*out));
	int rc = check_remote_name(name);
	git_config *cfg = NULL;
	if (rc == 0 && git_repository_config_snapshot(&cfg, repo->repo) < 0)
		rc = gfail(-1, "cannot read the git config");
	if (rc < 0)
		return rc;
	char *url = remote_var(cfg, name, "url");
	char *pushurl = remote_var(cfg, name, "pushurl");
	if (!url && !pushurl) {
		rc = dko_error_set(DKO_ENOTFOUND, "no remote named '%s'", name);
	} else {
		bool pushed = false;
		if (url)
			out->url = rewrite_url(cfg, url, "insteadof", NULL);
		if (push && pushurl)
			out->pushurl = rewrite_url(cfg, pushurl, "insteadof", NULL);
		else if (push && url)
			out->pushurl = rewrite_url(cfg, url, "pushinsteadof", &pushed);
		if (push && !pushed && !pushurl && url) {
			free(out->pushurl);
			out->pushurl = dko_xstrdup(out->url);
		}
		dko_buf key = DKO_BUF_INIT;
		dko_buf_printf(&key, "remote.%s.fetch", name);
		git_config_get_multivar_foreach(cfg, key.ptr, NULL, first_value, &out->fetchspec);
		git_error_clear();
		dko_buf_release(&key);
	}
	free(url);
	free(pushurl);
	git_config_free(cfg);
	return rc;
}

/* A remote for fetching (push false) or pushing from the named config. */
static int lookup_remote(git_remote **out, dko_git_repo *repo, const char *name, bool push)
{
	*out = NULL;
	remote_cfg rc;
	int code = read_remote(&rc, repo, name, push);
	if (code < 0)
		return code;
	const char *url = push ? rc.pushurl : rc.url;
	git_remote_create_options o;
	git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	o.repository = repo->repo;
	o.fetchspec = rc.fetchspec;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	int err = url ? git_remote_create_with_opts(out, url, &o) : GIT_ENOTFOUND;
	if (!url)
		code = dko_error_set(DKO_ENOTFOUND, "remote '%s' has no URL", name);
	else if (err < 0)
		code = gfail(err, "remote %s", name);
	remote_cfg_release(&rc);
	return code;
}

int dko_git_remote_add(dko_git_repo *repo, const char *name, const char *url)
{
	int rc = check_remote_name(name);
	if (rc < 0)
		return rc;
	remote_cfg existing;
	if (read_remote(&existing, repo, name, false) == 0) {
		remote_cfg_release(&existing);
		return dko_error_set(DKO_EINVAL, "remote '%s' already exists", name);
	}
	dko_buf key = DKO_BUF_INIT, spec = DKO_BUF_INIT;
	dko_buf_printf(&key, "remote.%s.url", name);
	rc = dko_git_config_set(repo, key.ptr, url);
	dko_buf_clear(&key);
	dko_buf_printf(&key, "remote.%s.fetch", name);
	dko_buf_printf(&spec, "+refs/heads/*:refs/remotes/%s/*", name);
	if (rc == 0)
		rc = dko_git_config_set(repo, key.ptr, spec.ptr);
	dko_buf_release(&key);
	dko_buf_release(&spec);
	return rc;
}

int dko_git_remote_url(char **out, dko_git_repo *repo, const char *name)
{
	*out = NULL;
	remote_cfg rc;
	int code = read_remote(&rc, repo, name, false);
	if (code == 0 && !rc.url)
		code = dko_error_set(DKO_ENOTFOUND, "remote '%s' has no URL", name);
	if (code == 0) {
		*out = rc.url;
		rc.url = NULL;
	}
	remote_cfg_release(&rc);
	return code;
}

/* What the credential callback has tried, so a refused credential is not
 * offered again forever (libgit2 asks again after each refusal). */
typedef struct cred_state {
	int agent_tries, token_tries, user_tries;
} cred_state;

static int no_credentials(const char *url, unsigned allowed, const cred_state *st)
{
	dko_buf msg = DKO_BUF_INIT, clean = DKO_BUF_INIT;
	dko_buf_printf(&msg, "%s: authentication failed: ", url);
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && st->token_tries)
		dko_buf_puts(&msg, "the server refused the token from the environment");
	else if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)
		dko_buf_puts(&msg, "no token: set DOCKOPT_GIT_TOKEN or GITHUB_TOKEN");
	else if (allowed & GIT_CREDENTIAL_SSH_KEY)
		dko_buf_puts(&msg, "no key of the ssh agent was accepted (is ssh-agent running, "
		                   "SSH_AUTH_SOCK set and the key added?)");
	else
		dko_buf_puts(&msg, "no supported authentication method");
	dko_redact(&clean, dko_buf_cstr(&msg), NULL);
	git_error_set_str(GIT_ERROR_NET, dko_buf_cstr(&clean));
	dko_buf_release(&msg);
	dko_buf_release(&clean);
	return GIT_EAUTH;
}

static int credentials(git_credential **out, const char *url, const char *user_from_url,
                       unsigned int allowed, void *payload)
{
	cred_state *st = payload;
	const char *user = user_from_url && *user_from_url ? user_from_url : "git";
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && st->agent_tries++ == 0)
		return git_credential_ssh_key_from_agent(out, user);
	const char *token = dko_token_from_env();
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && token && st->token_tries++ == 0)
		return git_credential_userpass_plaintext_new(out, "x-access-token", token);
	if ((allowed & GIT_CREDENTIAL_USERNAME) && st->user_tries++ == 0)
		return git_credential_username_new(out, user);
	return no_credentials(url, allowed, st);
}

int dko_git_fetch(dko_git_repo *repo, const char *remote)
{
	git_remote *r;
	int rc = lookup_remote(&r, repo, remote, false);
	if (rc < 0)
		return rc;
	cred_state st = {0};
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.credentials = credentials;
	fo.callbacks.payload = &st;
	fo.prune = GIT_FETCH_PRUNE;
	fo.proxy_opts.type = GIT_PROXY_AUTO;
	/* Always the standard mapping into refs/remotes/<remote>/: a bare
	 * clone has no fetch refspec and a mirror maps every ref onto itself,
	 * yet the bot reads the remote's branches there. */
	dko_buf spec = DKO_BUF_INIT;
	dko_buf_printf(&spec, "+refs/heads/*:refs/remotes/%s/*", remote);
	char *specs[1] = {spec.ptr};
	git_strarray refspecs = {specs, 1};
	int err = git_remote_fetch(r, &refspecs, &fo, NULL);
	dko_buf_release(&spec);
	if (err < 0)
		rc = gfail(err, "fetch %s", remote);
	git_remote_free(r);
	return rc;
}

int dko_git_remote_branch(dko_git_oid *out, dko_git_repo *repo, const char *remote,
                          const char *branch)
{
	dko_buf ref = DKO_BUF_INIT;
	dko_buf_printf(&ref, "refs/remotes/%s/%s", remote, branch);
	int rc = dko_git_ref_lookup(out, repo, ref.ptr);
	dko_buf_release(&ref);
	return rc;
}

/* What a push learnt: the lease check (made on the push connection's own ref
 * advertisement) and the server's per-ref verdicts. */
typedef struct push_state {
	cred_state cred;
	const char *remote_ref;
	const git_oid *expect; /* NULL: the ref must not exist */
	bool lease_broken;
	git_oid actual; /* zero when the ref does not exist */
	dko_buf rejected;
} push_state;

static int negotiate(const git_push_update **updates, size_t len, void *payload)
{
	push_state *ps = payload;
	for (size_t i = 0; i < len; i++) {
		const git_push_update *u = updates[i];
		if (strcmp(u->dst_refname, ps->remote_ref) != 0)
			continue;
		bool exists = !git_oid_is_zero(&u->src);
		bool ok = ps->expect ? exists && git_oid_equal(&u->src, ps->expect) : !exists;
		if (!ok) {
			ps->lease_broken = true;
			git_oid_cpy(&ps->actual, &u->src);
			git_error_set_str(GIT_ERROR_NET, "stale lease");
			return GIT_EUSER;
		}
	}
	return 0;
}

static int update_reference(const char *refname, const char *status, void *payload)
{
	push_state *ps = payload;
	if (status)
		dko_buf_printf(&ps->rejected, "%s%s: %s", ps->rejected.len ? "; " : "", refname,
		               status);
	return 0;
}

static void oid_or_absent(char out[DKO_GIT_OID_HEXSZ], const git_oid *id)
{
	if (!id || git_oid_is_zero(id))
		snprintf(out, DKO_GIT_OID_HEXSZ, "%s", "(absent)");
	else
		git_oid_tostr(out, DKO_GIT_OID_HEXSZ, id);
}

static int push_failed(int err, const push_state *ps, const char *remote)
{
	if (ps->lease_broken) {
		char now[DKO_GIT_OID_HEXSZ], want[DKO_GIT_OID_HEXSZ];
		oid_or_absent(now, &ps->actual);
		oid_or_absent(want, ps->expect);
		return dko_error_set(DKO_EGIT,
		                     "push to %s refused: %s on the remote is %s, expected %s "
		                     "(it changed since the last fetch; fetch and run again)",
		                     remote, ps->remote_ref, now, want);
	}
	if (err < 0)
		return gfail(err, "push to %s", remote);
	return dko_error_set_redacted(DKO_EGIT, NULL, "push to %s rejected: %s", remote,
	                              dko_buf_cstr(&ps->rejected));
}

int dko_git_push(dko_git_repo *repo, const char *remote, const char *local_ref,
                 const char *remote_ref, const dko_git_oid *expect)
{
	git_remote *r;
	int rc = lookup_remote(&r, repo, remote, true);
	if (rc < 0)
		return rc;
	push_state ps = {.remote_ref = remote_ref, .expect = expect ? goid(expect) : NULL};
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.credentials = credentials;
	po.callbacks.push_negotiation = negotiate;
	po.callbacks.push_update_reference = update_reference;
	po.callbacks.payload = &ps; /* cred_state is its first member */
	po.proxy_opts.type = GIT_PROXY_AUTO;
	dko_buf spec = DKO_BUF_INIT;
	dko_buf_printf(&spec, "+%s:%s", local_ref, remote_ref);
	char *specs[] = {spec.ptr};
	git_strarray arr = {specs, 1};
	int err = git_remote_push(r, &arr, &po);
	if (err < 0 || ps.rejected.len)
		rc = push_failed(err, &ps, remote);
	dko_buf_release(&spec);
	dko_buf_release(&ps.rejected);
	git_remote_free(r);
	return rc;
}

/* ---- A build context over a tree ----------------------------------------- */

typedef struct tree_ctx {
	git_repository *repo;
	git_tree *root;
	char *label;
} tree_ctx;

/* rel as a tree path: "./" prefixes, empty and "." components dropped; ""
 * for the root. DKO_EINVAL for ".." or an absolute path. */
static int ctx_path(dko_buf *out, const tree_ctx *c, const char *rel)
{
	if (rel[0] == '/')
		return dko_error_set(DKO_EINVAL, "%s:%s: absolute path in the context", c->label, rel);
	const char *p = rel;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return dko_error_set(DKO_EINVAL, "%s:%s: path leaves the context", c->label, rel);
		if (n && !(n == 1 && p[0] == '.')) {
			if (out->len)
				dko_buf_putc(out, '/');
			dko_buf_put(out, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!out->ptr)
		dko_buf_puts(out, "");
	return 0;
}

/* The entry at rel, or NULL for the root (*kind says which). */
static int ctx_lookup(git_tree_entry **e, dko_ctx_kind *kind, tree_ctx *c, const char *rel)
{
	*e = NULL;
	*kind = DKO_CTX_NONE;
	dko_buf path = DKO_BUF_INIT;
	int rc = ctx_path(&path, c, rel);
	if (rc == 0 && path.len == 0)
		*kind = DKO_CTX_DIR;
	else if (rc == 0 && git_tree_entry_bypath(e, c->root, path.ptr) == 0)
		*kind = git_tree_entry_filemode(*e) == GIT_FILEMODE_LINK ? DKO_CTX_LINK
		        : git_tree_entry_type(*e) == GIT_OBJECT_BLOB     ? DKO_CTX_FILE
		                                                          : DKO_CTX_DIR;
	dko_buf_release(&path);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ctx_names(char ***names, size_t *n, tree_ctx *c, const git_tree_entry *e)
{
	git_tree *tree = c->root;
	if (e && git_tree_entry_type(e) == GIT_OBJECT_COMMIT) /* a submodule: empty */
		tree = NULL;
	else if (e && git_tree_lookup(&tree, c->repo, git_tree_entry_id(e)) < 0)
		return gfail(-1, "%s: cannot read a folder", c->label);
	size_t count = tree ? git_tree_entrycount(tree) : 0;
	char **list = dko_xcalloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; i < count; i++)
		list[i] = dko_xstrdup(git_tree_entry_name(git_tree_entry_byindex(tree, i)));
	/* git orders a folder as if its name ended in '/'; callers want bytes */
	qsort(list, count, sizeof(*list), cmp_names);
	if (tree && tree != c->root)
		git_tree_free(tree);
	*names = list;
	*n = count;
	return 0;
}

static int ctx_list(void *self, const char *rel, char ***names, size_t *n)
{
	tree_ctx *c = self;
	*names = NULL;
	*n = 0;
	git_tree_entry *e;
	dko_ctx_kind kind;
	int rc = ctx_lookup(&e, &kind, c, rel);
	if (rc == 0 && kind == DKO_CTX_NONE)
		rc = dko_error_set(DKO_ENOTFOUND, "%s:%s: no such folder", c->label, rel);
	else if (rc == 0 && kind != DKO_CTX_DIR)
		rc = dko_error_set(DKO_EINVAL, "%s:%s: not a folder", c->label, rel);
	if (rc == 0)
		rc = ctx_names(names, n, c, e);
	git_tree_entry_free(e);
	return rc;
}

static int ctx_read(void *self, const char *rel, char **data, size_t *len)
{
	tree_ctx *c = self;
	*data = NULL;
	*len = 0;
	git_tree_entry *e;
	dko_ctx_kind kind;
	int rc = ctx_lookup(&e, &kind, c, rel);
	if (rc == 0 && kind == DKO_CTX_NONE)
		rc = dko_error_set(DKO_ENOTFOUND, "%s:%s: no such file", c->label, rel);
	else if (rc == 0 && kind != DKO_CTX_FILE)
		rc = dko_error_set(DKO_EINVAL, "%s:%s: is a %s, not a file", c->label, rel,
		                   kind == DKO_CTX_LINK ? "symbolic link" : "folder");
	if (rc == 0)
		rc = blob_contents(data, len, c->repo, git_tree_entry_id(e), rel);
	git_tree_entry_free(e);
	return rc;
}

static int ctx_kind(void *self, const char *rel, dko_ctx_kind *out)
{
	git_tree_entry *e;
	int rc = ctx_lookup(&e, out, self, rel);
	git_tree_entry_free(e);
	if (rc == DKO_EINVAL) { /* a path out of the context is simply absent */
		*out = DKO_CTX_NONE;
		rc = 0;
	}
	return rc;
}

static void ctx_free(void *self)
{
	tree_ctx *c = self;
	if (!c)
		return;
	git_tree_free(c->root);
	free(c->label);
	free(c);
}

const dko_context_ops dko_git_context_ops = {ctx_list, ctx_read, ctx_kind, ctx_free};

int dko_git_context_self(void **self, dko_git_repo *repo, const char *rev, const char *root)
{
	*self = NULL;
	git_tree *top;
	int rc = lookup_tree(&top, repo, rev);
	if (rc < 0)
		return rc;
	tree_ctx *c = dko_xcalloc(1, sizeof(*c));
	c->repo = repo->repo;
	c->root = top;
	dko_buf label = DKO_BUF_INIT;
	dko_buf_printf(&label, "git:%s%s%s", rev, root && *root ? ":" : "", root ? root : "");
	c->label = dko_buf_detach(&label, NULL);
	git_tree_entry *e;
	dko_ctx_kind kind;
	rc = root && *root ? ctx_lookup(&e, &kind, c, root) : 0;
	if (rc == 0 && root && *root) {
		if (kind != DKO_CTX_DIR || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			rc = dko_error_set(DKO_ENOTFOUND, "%s: not a folder of the tree", c->label);
		else if (git_tree_lookup(&c->root, c->repo, git_tree_entry_id(e)) < 0)
			rc = gfail(-1, "%s", c->label);
		git_tree_free(top);
		git_tree_entry_free(e);
	}
	if (rc < 0)
		ctx_free(c);
	else
		*self = c;
	return rc;
}
