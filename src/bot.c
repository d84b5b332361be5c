/*
 * bot.c - the pull-request bot (see bot.h).
 *
 * The base is pinned by commit id as soon as it is resolved: every read
 * (the tree listing, configurations, build contexts) names that id, so a
 * concurrent fetch cannot make one run see two bases. Nothing here opens a
 * path on disk; fix options always carry a context over the tree, so
 * dko_fix never falls back to a folder.
 *
 * Idempotence: the fix commit is judged by content, not by id (ids differ
 * with the time of the commit): a branch tip whose tree is the fixed tree
 * and whose only parent is the base tip already holds this fix.
 */
#include "bot.h"
#include "context.h"
#include "diff.h"
#include "discover.h"
#include "fixverify.h"
#include "gitfix.h"
#include "report.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct bot_run {
	dko_git_repo *repo;
	dko_bot_opts o; /* with defaults filled in */
	char base_hex[DKO_GIT_OID_HEXSZ];
	dko_gitfix_configs *configs;
	bool any_config; /* the tree holds a .dockopt.yml somewhere */
	DKO_VEC(dko_git_file) changes; /* paths malloc'd; data in the fix results */
	dko_fix_verifier *verifier;    /* --verify: every verification made */
	const dko_git_entry *entries;  /* the base tree's files */
	size_t nentries;
} bot_run;

/* ---- results --------------------------------------------------------------- */

void dko_bot_result_release(dko_bot_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		dko_fix_result_free(r->files[i].result);
		free(r->files[i].error);
		free(r->files[i].diff);
	}
	free(r->files);
	free(r->base_ref);
	free(r->title);
	free(r->message);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* ---- the base ---------------------------------------------------------------- */

static int resolve_base(dko_bot_result *out, bot_run *b)
{
	dko_buf ref = DKO_BUF_INIT;
	if (b->o.no_fetch)
		dko_buf_printf(&ref, "refs/heads/%s", b->o.base);
	else
		dko_buf_printf(&ref, "refs/remotes/%s/%s", b->o.remote, b->o.base);
	out->base_ref = dko_buf_detach(&ref, NULL);
	int rc = b->o.no_fetch ? 0 : dko_git_fetch(b->repo, b->o.remote);
	if (rc < 0)
		return rc;
	rc = dko_git_resolve_commit(&out->base, b->repo, out->base_ref);
	if (rc == DKO_ENOTFOUND)
		return b->o.no_fetch
		           ? dko_error_set(rc, "there is no local branch '%s'", b->o.base)
		           : dko_error_set(rc, "the remote '%s' has no branch '%s'", b->o.remote,
		                           b->o.base);
	if (rc == 0)
		dko_git_oid_fmt(b->base_hex, &out->base);
	return rc;
}

static int read_base(void *src, const char *path, char **data, size_t *len)
{
	bot_run *b = src;
	return dko_git_tree_read(data, len, NULL, b->repo, b->base_hex, path);
}

/* ---- fixing one Dockerfile ------------------------------------------------- */

/* A build context over the base tree, rooted at the Dockerfile's folder. */
static int open_context(dko_context **ctx, bot_run *b, const char *path)
{
	*ctx = NULL;
	char *dir = dko_gitfix_dir(path);
	void *self = NULL;
	int rc = dko_git_context_self(&self, b->repo, b->base_hex, dir);
	dko_buf label = DKO_BUF_INIT;
	dko_buf_printf(&label, "git:%.12s:%s", b->base_hex, dir);
	if (rc == 0)
		rc = dko_context_new(ctx, &dko_git_context_ops, self, label.ptr);
	const char *name = path + strlen(dir) + (*dir ? 1 : 0);
	/* a bad ignore file only makes the context less precise, as for fix */
	if (rc == 0 && dko_context_load_ignore(*ctx, name) < 0)
		dko_error_clear();
	dko_buf_release(&label);
	free(dir);
	return rc;
}

/* Add f's edits to the run's changes and make its diff. */
static int collect_edits(bot_run *b, dko_bot_file *f, const char *text, size_t len)
{
	size_t ne = dko_fix_edit_count(f->result);
	dko_diff_file *d = dko_xcalloc(ne + 1, sizeof(*d));
	char **old = dko_xcalloc(ne + 1, sizeof(char *));
	int rc = 0;
	for (size_t i = 0; i < ne && rc == 0; i++) {
		const dko_file_edit *e = dko_fix_edit(f->result, i);
		dko_git_file g = {NULL, e->new_text, e->new_len, 0, NULL};
		char *path;
		rc = dko_gitfix_edit_path(&path, f->path, e);
		if (rc < 0)
			break;
		g.path = path;
		DKO_VEC_PUSH(&b->changes, g);
		size_t olen = len;
		if (!e->old_text &&
		    (rc = dko_git_tree_read(&old[i], &olen, NULL, b->repo, b->base_hex, path)) ==
		        DKO_ENOTFOUND)
			rc = 0;
		d[i] = (dko_diff_file){path, NULL, e->old_text ? text : old[i], olen, e->new_text,
		                       e->new_len};
	}
	dko_buf diff = DKO_BUF_INIT;
	if (rc == 0)
		rc = dko_diff_unified(&diff, NULL, d, ne, DKO_DIFF_CONTEXT);
	f->diff = dko_buf_detach(&diff, NULL);
	for (size_t i = 0; i < ne; i++)
		free(old[i]);
	free(old);
	free(d);
	return rc;
}

/* --verify builds from a folder: write the base tree's files under dir (the
 * Dockerfile's context) to a new temporary folder, keeping executable bits
 * and symbolic links. *out is the folder (malloc'd; remove it with
 * dko_fs_remove_tree). */
static int write_context(char **out, bot_run *b, const char *dir)
{
	const char *tmp = getenv("TMPDIR");
	dko_buf root = DKO_BUF_INIT;
	dko_buf_printf(&root, "%s/dockopt-bot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	*out = NULL;
	if (!mkdtemp(root.ptr)) {
		int rc = dko_error_set(DKO_EIO, "%s: %s", root.ptr, strerror(errno));
		dko_buf_release(&root);
		return rc;
	}
	size_t dl = strlen(dir);
	int rc = 0;
	for (size_t i = 0; i < b->nentries && rc == 0; i++) {
		const dko_git_entry *e = &b->entries[i];
		if (dl && (strncmp(e->path, dir, dl) || e->path[dl] != '/'))
			continue;
		if (e->mode != DKO_GIT_MODE_FILE && e->mode != DKO_GIT_MODE_EXEC &&
		    e->mode != DKO_GIT_MODE_LINK)
			continue; /* submodules: an empty folder, as git checks them out */
		dko_buf path = DKO_BUF_INIT;
		dko_buf_printf(&path, "%s/%s", root.ptr, e->path + (dl ? dl + 1 : 0));
		char *parent = dko_fs_dirname(path.ptr);
		char *data = NULL;
		size_t len = 0;
		rc = dko_fs_mkdirs(parent);
		if (rc == 0)
			rc = dko_git_blob_read(&data, &len, b->repo, &e->id);
		if (rc == 0 && e->mode == DKO_GIT_MODE_LINK) {
			if (symlink(data, path.ptr) != 0)
				rc = dko_error_set(DKO_EIO, "%s: %s", path.ptr, strerror(errno));
		} else if (rc == 0) {
			rc = dko_fs_write_file(path.ptr, data, len, false);
			if (rc == 0 && e->mode == DKO_GIT_MODE_EXEC)
				chmod(path.ptr, 0755);
		}
		free(data);
		free(parent);
		dko_buf_release(&path);
	}
	*out = dko_buf_detach(&root, NULL);
	if (rc) {
		dko_fs_remove_tree(*out);
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* Point the verifier at the Dockerfile at path: its context written out. */
static int verify_setup(bot_run *b, const char *path, char **folder, dko_fix_opts *o)
{
	char *dir = dko_gitfix_dir(path);
	int rc = write_context(folder, b, dir);
	if (rc == 0) {
		dko_fix_verify_cfg cfg = {0};
		cfg.context_dir = *folder;
		cfg.dockerfile_rel = path + strlen(dir) + (*dir ? 1 : 0);
		cfg.engine = b->o.engine;
		cfg.engine_args = b->o.engine_args;
		cfg.nengine_args = b->o.nengine_args;
		cfg.smoke = b->o.smoke;
		cfg.no_rebuild = b->o.no_rebuild;
		dko_fix_verifier_configure(b->verifier, &cfg);
		o->verify = dko_fix_verifier_hook;
		o->verify_ctx = b->verifier;
	}
	free(dir);
	return rc;
}

static void fix_one(bot_run *b, dko_bot_file *f, const dko_git_entry *e, const dko_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	dko_context *ctx = NULL;
	int rc = dko_git_blob_read(&text, &len, b->repo, &e->id);
	if (rc == 0)
		rc = open_context(&ctx, b, f->path);
	if (rc == 0) {
		dko_fix_opts o = {0};
		o.path = f->path;
		o.context = ctx;
		o.aggressive = b->o.aggressive;
		o.select = b->o.select;
		o.nselect = b->o.nselect;
		o.ignore = b->o.ignore;
		o.nignore = b->o.nignore;
		o.config = cfg;
		char *folder = NULL;
		if (b->verifier)
			rc = verify_setup(b, f->path, &folder, &o);
		if (rc == 0)
			rc = dko_fix(&f->result, text, len, &o);
		if (folder)
			dko_fs_remove_tree(folder);
		free(folder);
	}
	if (rc == 0)
		rc = collect_edits(b, f, text, len);
	if (rc < 0) {
		f->error = dko_xstrdup(dko_error_last());
		dko_fix_result_free(f->result);
		f->result = NULL;
	}
	dko_context_free(ctx);
	free(text);
}

/* ---- the tree ------------------------------------------------------------------ */

/* Whether the tree entry is a Dockerfile; *cfg the configuration for it. */
static int is_dockerfile(bool *yes, const dko_config **cfg, bot_run *b, const dko_git_entry *e)
{
	*yes = false;
	*cfg = NULL;
	if ((e->mode != DKO_GIT_MODE_FILE && e->mode != DKO_GIT_MODE_EXEC) ||
	    dko_discover_skipped(e->path))
		return 0;
	bool by_name = dko_is_dockerfile_name(e->path, NULL);
	int rc = b->o.no_config || !b->any_config
	             ? 0
	             : dko_gitfix_config_for(cfg, b->configs, e->path);
	if (rc < 0) {
		*yes = by_name; /* a broken configuration fails the files it must apply to */
		return by_name ? rc : 0;
	}
	*yes = by_name || dko_is_dockerfile_name(e->path, *cfg);
	return 0;
}

static int scan_tree(dko_bot_result *out, bot_run *b)
{
	dko_git_entry *entries;
	size_t n;
	int rc = dko_git_tree_list(&entries, &n, b->repo, b->base_hex);
	if (rc < 0)
		return rc;
	b->entries = entries;
	b->nentries = n;
	/* without any configuration file, no folder needs looking at */
	for (size_t i = 0; i < n && !b->any_config; i++) {
		const char *slash = strrchr(entries[i].path, '/');
		const char *name = slash ? slash + 1 : entries[i].path;
		b->any_config = !strcmp(name, ".dockopt.yml") || !strcmp(name, ".dockopt.yaml");
	}
	DKO_VEC(dko_bot_file) files = {0};
	for (size_t i = 0; i < n; i++) {
		bool yes;
		const dko_config *cfg;
		rc = is_dockerfile(&yes, &cfg, b, &entries[i]);
		if (!yes)
			continue;
		dko_bot_file f = {0};
		f.path = dko_xstrdup(entries[i].path);
		if (rc < 0)
			f.error = dko_xstrdup(dko_error_last());
		else
			fix_one(b, &f, &entries[i], cfg);
		out->nfailed += f.error != NULL;
		out->nchanged += f.result && dko_fix_edit_count(f.result) > 0;
		DKO_VEC_PUSH(&files, f);
	}
	out->files = files.items;
	out->nfiles = files.len;
	b->entries = NULL;
	b->nentries = 0;
	dko_git_entries_free(entries, n);
	return 0;
}

/* ---- messages ----------------------------------------------------------------- */

static void make_messages(dko_bot_result *out, const bot_run *b)
{
	dko_buf t = DKO_BUF_INIT, m = DKO_BUF_INIT, body = DKO_BUF_INIT;
	dko_buf_printf(&t, "dockopt: optimize %zu Dockerfile%s", out->nchanged,
	               out->nchanged == 1 ? "" : "s");
	dko_buf_printf(&m, "%s\n\n", t.ptr);
	dko_report_file *rf = dko_xcalloc(out->nfiles + 1, sizeof(*rf));
	for (size_t i = 0; i < out->nfiles; i++) {
		const dko_bot_file *f = &out->files[i];
		rf[i] = (dko_report_file){f->path, f->result, f->error, f->diff, NULL};
		if (f->result && dko_fix_edit_count(f->result))
			dko_gitfix_change_lines(&m, f->result);
	}
	dko_buf_printf(&body,
	               "dockopt rewrote %zu Dockerfile%s of `%s` (%.12s) so that the images are "
	               "smaller, have fewer layers and rebuild faster from cache. Each change "
	               "keeps what the image does; the reasons are below.\n\n",
	               out->nchanged, out->nchanged == 1 ? "" : "s", b->o.base, b->base_hex);
	dko_buf footer = DKO_BUF_INIT;
	dko_buf_printf(&footer, "\n---\n<sub>dockopt %s. This branch holds one commit on top of "
	                        "`%s`; a run on a newer base replaces it.</sub>\n",
	               DKO_VERSION, b->o.base);
	if (b->verifier && dko_fix_verifier_count(b->verifier)) {
		dko_fix_verifier_markdown(&body, b->verifier);
		dko_buf_putc(&body, '\n');
	}
	dko_report_markdown(&body, rf, out->nfiles, DKO_BOT_MAX_BODY - body.len - footer.len);
	dko_buf_put(&body, footer.ptr, footer.len);
	dko_buf_release(&footer);
	free(rf);
	out->title = dko_buf_detach(&t, NULL);
	out->message = dko_buf_detach(&m, NULL);
	out->body = dko_buf_detach(&body, NULL);
}

/* ---- the commit ---------------------------------------------------------------- */

/* Whether the commit ref names is the fix: tree and the base as only parent. */
static bool holds_fix(bot_run *b, const char *ref, const dko_git_oid *tree,
                      const dko_git_oid *base, dko_git_oid *id)
{
	dko_git_commit_info ci;
	if (dko_git_commit_lookup(&ci, b->repo, ref) < 0) {
		dko_error_clear();
		return false;
	}
	bool same = dko_git_oid_equal(&ci.tree, tree) && ci.nparents == 1 &&
	            dko_git_oid_equal(&ci.parents[0], base);
	*id = ci.id;
	dko_git_commit_info_release(&ci);
	return same;
}

/* The local branch must not be the one checked out: moving it would make
 * the working tree look edited. */
static int check_not_checked_out(bot_run *b, const char *local)
{
	char *head = NULL;
	int rc = dko_git_head_ref(&head, b->repo);
	bool same = rc == 0 && strcmp(head, local) == 0 && dko_git_repo_workdir(b->repo);
	free(head);
	dko_error_clear();
	if (same)
		return dko_error_set(DKO_EINVAL, "%s is checked out here; the bot writes that branch, "
		                                 "switch to another one first", local);
	return 0;
}

static int make_commit(dko_bot_result *out, bot_run *b, const dko_git_oid *tree,
                       const char *local)
{
	char *name = NULL, *email = NULL;
	int rc = b->o.author ? dko_git_ident_parse(&name, &email, b->o.author) : 0;
	dko_git_ident who = {name, email};
	if (rc == 0)
		rc = dko_git_commit_create(&out->commit, b->repo, tree, &out->base, 1,
		                           b->o.author ? &who : NULL, out->message);
	if (rc == 0)
		rc = dko_git_ref_set(b->repo, local, &out->commit, "dockopt bot: optimize");
	free(name);
	free(email);
	return rc;
}

/* Commit (or find) the fix, then push it with a lease on what was fetched. */
static int commit_and_push(dko_bot_result *out, bot_run *b)
{
	dko_git_oid tree, remote_tip;
	int rc = dko_git_tree_update(&tree, b->repo, b->base_hex, b->changes.items, b->changes.len);
	if (rc < 0)
		return rc;
	dko_buf local = DKO_BUF_INIT, tracking = DKO_BUF_INIT;
	dko_buf_printf(&local, "refs/heads/%s", b->o.branch);
	dko_buf_printf(&tracking, "refs/remotes/%s/%s", b->o.remote, b->o.branch);
	bool on_remote = dko_git_ref_lookup(&remote_tip, b->repo, tracking.ptr) == 0;
	dko_error_clear();
	if (on_remote && holds_fix(b, tracking.ptr, &tree, &out->base, &out->commit)) {
		out->outcome = DKO_BOT_UP_TO_DATE;
		goto done;
	}
	rc = check_not_checked_out(b, local.ptr);
	if (rc < 0)
		goto done;
	out->outcome = DKO_BOT_COMMITTED;
	out->reused = holds_fix(b, local.ptr, &tree, &out->base, &out->commit);
	if (!out->reused && (rc = make_commit(out, b, &tree, local.ptr)) < 0)
		goto done;
	if (b->o.push) {
		rc = dko_git_push(b->repo, b->o.remote, local.ptr, local.ptr,
		                  on_remote ? &remote_tip : NULL);
		out->pushed = rc == 0;
	}
done:
	dko_buf_release(&local);
	dko_buf_release(&tracking);
	return rc;
}

/* ---- the run -------------------------------------------------------------------- */

static int check_opts(const bot_run *b)
{
	if (!*b->o.remote || !*b->o.base || !*b->o.branch)
		return dko_error_set(DKO_EINVAL, "the remote, base and branch names must not be empty");
	if (strcmp(b->o.base, b->o.branch) == 0)
		return dko_error_set(DKO_EINVAL,
		                     "the bot's branch must differ from the base branch '%s'",
		                     b->o.base);
	return 0;
}

int dko_bot_run(dko_bot_result *out, dko_git_repo *repo, const dko_bot_opts *opts)
{
	memset(out, 0, sizeof(*out));
	bot_run b = {0};
	b.repo = repo;
	b.o = *opts;
	b.o.remote = b.o.remote ? b.o.remote : DKO_BOT_REMOTE;
	b.o.base = b.o.base ? b.o.base : DKO_BOT_BASE;
	b.o.branch = b.o.branch ? b.o.branch : DKO_BOT_BRANCH;
	int rc = check_opts(&b);
	if (rc == 0)
		rc = resolve_base(out, &b);
	if (rc < 0)
		return rc;
	b.configs = dko_gitfix_configs_new(read_base, &b, NULL);
	if (b.o.verify) {
		/* --verify is how aggressive rewrites get in: each one is built and
		 * kept only when verify passes. */
		b.o.aggressive = true;
		dko_fix_verifier_new(&b.verifier);
	}
	rc = scan_tree(out, &b);
	if (rc == 0 && b.changes.len > 0) {
		make_messages(out, &b);
		rc = commit_and_push(out, &b);
	}
	for (size_t i = 0; i < b.changes.len; i++)
		free((char *)b.changes.items[i].path);
	DKO_VEC_FREE(&b.changes);
	dko_gitfix_configs_free(b.configs);
	dko_fix_verifier_free(b.verifier);
	return rc;
}

/* ---- the pull request ------------------------------------------------------------- */

/* The repository on the forge: host, owner and name from the remote's URL;
 * slug ("owner/name"), when given, names it instead (the host then stays
 * NULL if the URL says nothing). */
static int pr_repo(dko_github_repo *gr, dko_git_repo *repo, const char *remote,
                   const char *slug)
{
	char *url = NULL;
	int rc = dko_git_remote_url(&url, repo, remote);
	if (rc == 0)
		rc = dko_github_parse_remote(gr, url);
	else
		memset(gr, 0, sizeof(*gr));
	free(url);
	if (!slug)
		return rc;
	if (rc < 0)
		dko_error_clear();
	const char *slash = strchr(slug, '/');
	if (!slash || slash == slug || !slash[1] || strchr(slash + 1, '/'))
		return dko_error_set(DKO_EINVAL, "'%s': expected OWNER/NAME", slug);
	free(gr->owner);
	free(gr->name);
	gr->owner = dko_xstrndup(slug, (size_t)(slash - slug));
	gr->name = dko_xstrdup(slash + 1);
	return 0;
}

int dko_bot_check_pr(dko_git_repo *repo, const dko_bot_opts *opts, const dko_bot_pr_opts *pr)
{
	const char *remote = opts->remote ? opts->remote : DKO_BOT_REMOTE;
	dko_github_repo gr;
	int rc = pr_repo(&gr, repo, remote, pr->slug);
	if (rc == 0 && !(pr->api_url && *pr->api_url) && !gr.host)
		rc = dko_error_set(DKO_EINVAL, "cannot tell the API from the remote's URL; use --api-url");
	dko_github_repo_release(&gr);
	return rc;
}

int dko_bot_open_pr(dko_github_pr *out, dko_git_repo *repo, const dko_bot_opts *opts,
                    const dko_bot_result *res, const dko_bot_pr_opts *pr)
{
	memset(out, 0, sizeof(*out));
	bool have = res->outcome == DKO_BOT_UP_TO_DATE ||
	            (res->outcome == DKO_BOT_COMMITTED && res->pushed);
	if (!have)
		return dko_error_set(DKO_EINVAL, "no pushed fix to open a pull request for");
	const char *remote = opts->remote ? opts->remote : DKO_BOT_REMOTE;
	dko_github_repo gr;
	int rc = pr_repo(&gr, repo, remote, pr->slug);
	if (rc < 0) {
		dko_github_repo_release(&gr);
		return rc;
	}
	char *api = pr->api_url && *pr->api_url ? dko_xstrdup(pr->api_url)
	            : gr.host                     ? dko_github_api_for_host(gr.host)
	                                          : NULL;
	if (!api)
		rc = dko_error_set(DKO_EINVAL, "cannot tell the API from the remote's URL; use --api-url");
	dko_github_pr_opts g = {0};
	g.api_url = api;
	g.token = pr->token;
	g.owner = gr.owner;
	g.repo = gr.name;
	g.head = opts->branch ? opts->branch : DKO_BOT_BRANCH;
	g.base = opts->base ? opts->base : DKO_BOT_BASE;
	g.title = res->title;
	g.body = res->body;
	g.timeout_ms = pr->timeout_ms;
	if (rc == 0)
		rc = dko_github_open_pr(out, &g);
	free(api);
	dko_github_repo_release(&gr);
	return rc;
}
