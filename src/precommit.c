/*
 * precommit.c - fixing the staged Dockerfiles in the index (see precommit.h).
 *
 * Two phases keep the promise that a failure writes nothing: first every
 * staged Dockerfile is read from the index and fixed in memory (with the
 * writes it needs planned: the Dockerfile, and any file a pass adds next to
 * it); only when all succeeded are the plans carried out. For each write,
 * whether the working file may be rewritten is decided before the index
 * changes: it may when it holds exactly the staged bytes (after git's clean
 * filters), or when neither the index nor the working tree has the file.
 */
#include "precommit.h"
#include "config.h"
#include "diff.h"
#include "discover.h"
#include "git.h"
#include "gitfix.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One file to write: its index version (before) and the fix (after). */
typedef struct planned {
	char *path;
	char *before; /* NULL: not in the index */
	size_t before_len;
	const char *after; /* owned by the file's fix result */
	size_t after_len;
} planned;

typedef DKO_VEC(planned) plan_list;

typedef struct run_state {
	dko_git_repo *repo;
	const dko_precommit_opts *opts;
	dko_gitfix_configs *configs;
	plan_list *plans; /* per file */
} run_state;

/* ---- results -------------------------------------------------------------- */

static void file_release(dko_precommit_file *f)
{
	free(f->path);
	dko_fix_result_free(f->result);
	free(f->diff);
	free(f->error);
	for (size_t i = 0; i < f->nkept; i++)
		free(f->kept[i]);
	free(f->kept);
}

void dko_precommit_result_release(dko_precommit_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		file_release(&r->files[i]);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

static void fail_file(dko_precommit_file *f)
{
	f->state = DKO_PRECOMMIT_FAILED;
	f->error = dko_xstrdup(dko_error_last());
}

/* ---- reading ------------------------------------------------------------- */

/* The configuration source: the index version of a path, else the working
 * file (an untracked .dockopt.yml still configures the user's runs). */
static int read_index_or_worktree(void *src, const char *path, char **data, size_t *len)
{
	dko_git_repo *repo = src;
	int rc = dko_git_index_read(data, len, NULL, repo, path);
	if (rc != DKO_ENOTFOUND)
		return rc;
	dko_buf full = DKO_BUF_INIT;
	dko_buf_printf(&full, "%s%s", dko_git_repo_workdir(repo), path);
	rc = dko_fs_read_file(data, len, full.ptr);
	dko_buf_release(&full);
	return rc;
}

/* Whether a staged entry is a Dockerfile to fix; *cfg its configuration.
 * A broken configuration fails the file only when the file is a Dockerfile
 * by its name alone (else it cannot be told). */
static int select_file(bool *yes, const dko_config **cfg, run_state *st,
                       const dko_git_staged *s)
{
	*yes = false;
	*cfg = st->opts->config;
	if (s->status == DKO_GIT_DELETED ||
	    (s->new_mode != DKO_GIT_MODE_FILE && s->new_mode != DKO_GIT_MODE_EXEC))
		return 0; /* nothing to fix in a deletion, a symlink or a submodule */
	bool by_name = dko_is_dockerfile_name(s->path, NULL);
	if (!st->opts->config && !st->opts->no_config) {
		int rc = dko_gitfix_config_for(cfg, st->configs, s->path);
		if (rc < 0) {
			*yes = by_name;
			return by_name ? rc : 0;
		}
	}
	*yes = by_name || dko_is_dockerfile_name(s->path, *cfg);
	return 0;
}

/* ---- fixing in memory ---------------------------------------------------- */

static void fill_fix_opts(dko_fix_opts *o, const run_state *st, const char *path,
                          const char *context_dir, const dko_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->context_dir = context_dir;
	o->aggressive = st->opts->aggressive;
	o->select = st->opts->select;
	o->nselect = st->opts->nselect;
	o->ignore = st->opts->ignore;
	o->nignore = st->opts->nignore;
	o->config = cfg;
}

/* The planned writes of f's fix, with each target's index version. */
static int plan_writes(plan_list *plans, run_state *st, dko_precommit_file *f,
                       const char *staged, size_t staged_len)
{
	for (size_t i = 0; i < dko_fix_edit_count(f->result); i++) {
		const dko_file_edit *e = dko_fix_edit(f->result, i);
		planned p = {0};
		int rc = dko_gitfix_edit_path(&p.path, f->path, e);
		if (rc == 0 && e->old_text) {
			p.before = dko_xstrndup(staged, staged_len);
			p.before_len = staged_len;
		} else if (rc == 0) {
			rc = dko_git_index_read(&p.before, &p.before_len, NULL, st->repo, p.path);
			if (rc == DKO_ENOTFOUND)
				rc = 0;
		}
		if (rc < 0) {
			free(p.path);
			return rc;
		}
		p.after = e->new_text;
		p.after_len = e->new_len;
		DKO_VEC_PUSH(plans, p);
	}
	return 0;
}

static char *plans_diff(const plan_list *plans)
{
	dko_diff_file *files = dko_xcalloc(plans->len + 1, sizeof(*files));
	for (size_t i = 0; i < plans->len; i++) {
		const planned *p = &plans->items[i];
		files[i] = (dko_diff_file){p->path, NULL, p->before, p->before_len, p->after,
		                           p->after_len};
	}
	dko_buf d = DKO_BUF_INIT;
	if (dko_diff_unified(&d, NULL, files, plans->len, DKO_DIFF_CONTEXT) != 0)
		dko_buf_printf(&d, "(no diff: %s)\n", dko_error_last());
	free(files);
	return dko_buf_detach(&d, NULL);
}

/* The build context as it will be committed: the index written as a tree
 * (as `git write-tree` does), rooted at the Dockerfile's folder, so that a
 * staged .dockerignore counts even when the working copy lacks it. NULL
 * when the index cannot be a tree (a merge conflict): then the working
 * folder serves. */
static dko_context *index_context(run_state *st, const char *path, const char *dir)
{
	dko_git_oid tree;
	if (dko_git_index_write_tree(&tree, st->repo) < 0) {
		dko_error_clear();
		return NULL;
	}
	char hex[DKO_GIT_OID_HEXSZ];
	dko_git_oid_fmt(hex, &tree);
	void *self = NULL;
	dko_context *ctx = NULL;
	dko_buf label = DKO_BUF_INIT;
	dko_buf_printf(&label, "index:%s", dir);
	if (dko_git_context_self(&self, st->repo, hex, dir) < 0 ||
	    dko_context_new(&ctx, &dko_git_context_ops, self, label.ptr) < 0) {
		dko_error_clear();
		ctx = NULL;
	}
	dko_buf_release(&label);
	const char *name = path + strlen(dir) + (*dir ? 1 : 0);
	if (ctx && dko_context_load_ignore(ctx, name) < 0)
		dko_error_clear(); /* a bad ignore file only makes the context less precise */
	return ctx;
}

/* Read the staged version of f, fix it and plan its writes. */
static void fix_file(run_state *st, dko_precommit_file *f, plan_list *plans,
                     const dko_git_staged *s, const dko_config *cfg)
{
	char *data = NULL;
	size_t len = 0;
	int rc = dko_git_blob_read(&data, &len, st->repo, &s->new_id);
	if (rc < 0) {
		fail_file(f);
		return;
	}
	char *dir = dko_gitfix_dir(f->path);
	dko_buf ctx = DKO_BUF_INIT; /* the build context: the file's working folder */
	dko_buf_printf(&ctx, "%s%s", dko_git_repo_workdir(st->repo), dir);
	dko_fix_opts o;
	fill_fix_opts(&o, st, f->path, ctx.ptr, cfg);
	dko_context *staged_ctx = index_context(st, f->path, dir);
	o.context = staged_ctx;
	rc = dko_fix(&f->result, data, len, &o);
	dko_context_free(staged_ctx);
	if (rc == 0)
		rc = plan_writes(plans, st, f, data, len);
	if (rc < 0) {
		fail_file(f);
		dko_fix_result_free(f->result);
		f->result = NULL;
	} else if (plans->len) {
		f->state = DKO_PRECOMMIT_WOULD_FIX;
		f->diff = plans_diff(plans);
	}
	dko_buf_release(&ctx);
	free(dir);
	free(data);
}

/* ---- writing ------------------------------------------------------------- */

/* Whether the working file of p may be rewritten: it holds the staged
 * bytes, or neither side has the file (and its folder exists). */
static int worktree_writable(bool *ok, dko_git_repo *repo, const planned *p)
{
	*ok = false;
	if (p->before)
		return dko_git_worktree_matches_index(ok, repo, p->path);
	dko_buf full = DKO_BUF_INIT;
	dko_buf_printf(&full, "%s%s", dko_git_repo_workdir(repo), p->path);
	struct stat sb;
	int rc = 0;
	if (lstat(full.ptr, &sb) == 0) {
		*ok = false; /* an untracked file of the user's */
	} else if (errno == ENOENT) {
		char *slash = strrchr(full.ptr, '/');
		*slash = '\0';
		*ok = stat(full.ptr, &sb) == 0 && S_ISDIR(sb.st_mode);
	} else if (errno != ENOTDIR) {
		rc = dko_error_set(DKO_EIO, "%s: %s", full.ptr, strerror(errno));
	}
	dko_buf_release(&full);
	return rc;
}

static int write_one(dko_precommit_file *f, dko_git_repo *repo, const planned *p, bool writable)
{
	int rc = p->before ? dko_git_index_stage(NULL, repo, p->path, p->after, p->after_len)
	                   : dko_git_index_add(repo, p->path, p->after, p->after_len, 0);
	if (rc < 0)
		return rc;
	if (writable)
		return dko_git_worktree_write(repo, p->path, p->after, p->after_len);
	f->kept = dko_xreallocarray(f->kept, f->nkept + 1, sizeof(*f->kept));
	f->kept[f->nkept++] = dko_xstrdup(p->path);
	return 0;
}

/* Carry out f's plan: decide every working file first, then write. */
static int write_file(dko_precommit_file *f, dko_git_repo *repo, const plan_list *plans)
{
	bool *writable = dko_xcalloc(plans->len + 1, sizeof(bool));
	int rc = 0;
	for (size_t i = 0; i < plans->len && rc == 0; i++)
		rc = worktree_writable(&writable[i], repo, &plans->items[i]);
	for (size_t i = 0; i < plans->len && rc == 0; i++)
		rc = write_one(f, repo, &plans->items[i], writable[i]);
	free(writable);
	if (rc < 0)
		return rc;
	f->state = f->nkept ? DKO_PRECOMMIT_INDEX_ONLY : DKO_PRECOMMIT_FIXED;
	return 0;
}

/* ---- the run ---------------------------------------------------------------- */

static void collect(dko_precommit_result *out, run_state *st, const dko_git_staged *staged,
                    size_t n)
{
	DKO_VEC(dko_precommit_file) files = {0};
	DKO_VEC(plan_list) plans = {0};
	for (size_t i = 0; i < n; i++) {
		bool yes;
		const dko_config *cfg;
		int rc = select_file(&yes, &cfg, st, &staged[i]);
		if (!yes)
			continue;
		dko_precommit_file f = {0};
		plan_list pl = {0};
		f.path = dko_xstrdup(staged[i].path);
		if (rc < 0)
			fail_file(&f);
		else
			fix_file(st, &f, &pl, &staged[i], cfg);
		DKO_VEC_PUSH(&files, f);
		DKO_VEC_PUSH(&plans, pl);
	}
	out->files = files.items;
	out->nfiles = files.len;
	st->plans = plans.items;
}

static void free_plans(plan_list *plans, size_t n)
{
	for (size_t i = 0; i < n && plans; i++) {
		for (size_t k = 0; k < plans[i].len; k++) {
			free(plans[i].items[k].path);
			free(plans[i].items[k].before);
		}
		DKO_VEC_FREE(&plans[i]);
	}
	free(plans);
}

static void count(dko_precommit_result *out)
{
	out->nchanged = out->nfailed = 0;
	for (size_t i = 0; i < out->nfiles; i++) {
		dko_precommit_state s = out->files[i].state;
		out->nfailed += s == DKO_PRECOMMIT_FAILED;
		out->nchanged += s != DKO_PRECOMMIT_FAILED && s != DKO_PRECOMMIT_CLEAN;
	}
}

int dko_precommit_run(dko_precommit_result *out, dko_git_repo *repo,
                      const dko_precommit_opts *opts)
{
	memset(out, 0, sizeof(*out));
	dko_precommit_opts none = {0};
	run_state st = {repo, opts ? opts : &none, NULL, NULL};
	if (!dko_git_repo_workdir(repo))
		return dko_error_set(DKO_EINVAL, "pre-commit needs a working tree (this repository "
		                                 "is bare)");
	dko_git_staged *staged;
	size_t n;
	int rc = dko_git_staged_list(&staged, &n, repo);
	if (rc < 0)
		return rc;
	st.configs = dko_gitfix_configs_new(read_index_or_worktree, repo, NULL);
	collect(out, &st, staged, n);
	count(out);
	for (size_t i = 0; i < out->nfiles && !st.opts->check && out->nfailed == 0; i++) {
		dko_precommit_file *f = &out->files[i];
		if (f->state == DKO_PRECOMMIT_WOULD_FIX && write_file(f, repo, &st.plans[i]) < 0) {
			/* the files before it are written: say so, keep going no further */
			fail_file(f);
			count(out);
		}
	}
	free_plans(st.plans, out->nfiles);
	dko_gitfix_configs_free(st.configs);
	dko_git_staged_free(staged, n);
	return 0;
}
