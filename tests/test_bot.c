/*
 * test_bot.c - the pull-request bot (src/bot.c, src/cmd_bot.c) against real
 * remotes: a bare repository reached through file:// and through
 * `git daemon` on 127.0.0.1. A developer's repository publishes the base
 * branch; the bot's own repository fetches, fixes, commits and pushes; the
 * git CLI looks at what the server holds. The pull request goes to a local
 * HTTP server that checks requests as the GitHub REST API does.
 *
 * Expected fixes come from dko_fix itself (same path, the same files as the
 * build context); a test whose input no registered pass changes is skipped
 * with a notice.
 */
#include "testutil.h"
#include "fixture_engine.h"
#include "git_fixture.h"
#include "http_server.h"

#include "bot.h"
#include "dockopt/fix.h"
#include "git.h"
#include "json.h"
#include "util/buf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *home_dir;
static char *dockopt_abs;

#define NEEDS_FIX "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n"
#define NEEDS_FIX2 "FROM alpine:3.19\nRUN echo one > /one\nRUN echo two > /two\n"
#define CLEAN_FILE "FROM alpine:3.19\n"
#define BROKEN "FROM alpine:3.19\nFOO bar\n"
#define AUTHOR "dockopt-bot <bot@example.com>"
#define TOKEN "ghp_BOTTESTTOKEN0123456789abcdefXYZ"

/* ---- a remote, a developer and the bot ------------------------------------------ */

typedef struct world {
	char *root;    /* holds remote.git */
	char *bare;    /* the server's repository */
	char *url;     /* how dev and bot reach it */
	char *dev_dir, *bot_dir;
	dko_git_repo *dev, *bot;
	pid_t daemon;
} world;

static void world_open(world *w, bool use_daemon)
{
	memset(w, 0, sizeof(*w));
	w->root = tu_mkdtemp();
	w->bare = gf_path(w->root, "remote.git");
	dko_git_repo *r;
	assert_int_equal(dko_git_repo_init(&r, w->bare, true, "main"), 0);
	dko_git_repo_free(r);
	if (use_daemon) {
		int port;
		w->daemon = gf_daemon_start(w->root, &port);
		if (w->daemon < 0)
			fail_msg("git daemon did not start");
		w->url = tu_asprintf("git://127.0.0.1:%d/remote.git", port);
	} else {
		w->url = tu_asprintf("file://%s", w->bare);
	}
	w->dev_dir = tu_mkdtemp();
	w->bot_dir = tu_mkdtemp();
	assert_int_equal(dko_git_repo_init(&w->dev, w->dev_dir, false, "main"), 0);
	assert_int_equal(dko_git_remote_add(w->dev, "origin", w->url), 0);
	assert_int_equal(dko_git_repo_init(&w->bot, w->bot_dir, false, "main"), 0);
	assert_int_equal(dko_git_remote_add(w->bot, "origin", w->url), 0);
}

static void world_close(world *w)
{
	gf_daemon_stop(w->daemon);
	dko_git_repo_free(w->dev);
	dko_git_repo_free(w->bot);
	char *dirs[] = {w->root, w->dev_dir, w->bot_dir};
	for (size_t i = 0; i < 3; i++) {
		tu_rmrf(dirs[i]);
		free(dirs[i]);
	}
	free(w->bare);
	free(w->url);
}

/* The developer commits files (path, data pairs; data NULL removes) on
 * main, in its working tree too, and pushes main. *out: the new tip. */
static void publish(world *w, const char *const *files, dko_git_oid *out)
{
	dko_git_oid old, tree;
	bool has_old = dko_git_resolve_commit(&old, w->dev, "refs/heads/main") == 0;
	size_t n = 0;
	while (files[2 * n])
		n++;
	dko_git_file *f = calloc(n + 1, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		const char *data = files[2 * i + 1];
		f[i] = (dko_git_file){files[2 * i], data, data ? strlen(data) : 0, 0, NULL};
		if (data)
			gf_write(w->dev_dir, files[2 * i], data);
	}
	assert_int_equal(dko_git_tree_update(&tree, w->dev, has_old ? "refs/heads/main" : NULL, f, n),
	                 0);
	free(f);
	dko_git_ident who = {"Dev", "dev@example.com"};
	assert_int_equal(
		dko_git_commit_create(out, w->dev, &tree, &old, has_old ? 1 : 0, &who, "base\n"), 0);
	assert_int_equal(dko_git_ref_set(w->dev, "refs/heads/main", out, NULL), 0);
	assert_int_equal(dko_git_push(w->dev, "origin", "refs/heads/main", "refs/heads/main",
	                              has_old ? &old : NULL),
	                 0);
}

/* A ref on the server, through the git CLI; NULL when absent. */
static char *server_rev(const world *w, const char *rev)
{
	char *cmd = tu_asprintf("git --git-dir=%s rev-parse --verify -q '%s'", w->bare, rev);
	char *out = NULL;
	int rc = tu_run(cmd, NULL, 0, &out, NULL, NULL);
	free(cmd);
	if (rc != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void assert_str_own(const char *expected, char *got)
{
	assert_non_null(got);
	assert_string_equal(got, expected);
	free(got);
}

static void assert_same_own(char *a, char *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* ---- expectations ------------------------------------------------------------------ */

/* dko_fix of input at repository path, with the developer's working folder
 * (the same files as the base tree) as context. *lines gets the commit
 * message lines of its changes. NULL when nothing changes. */
static char *fix_of(const world *w, const char *path, const char *input, dko_buf *lines)
{
	char *folder = strdup(path);
	char *slash = strrchr(folder, '/');
	char *ctx = tu_asprintf("%s/%s", w->dev_dir, slash ? (*slash = '\0', folder) : "");
	dko_fix_opts o = {0};
	o.path = path;
	o.context_dir = ctx;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, input, strlen(input), &o), 0);
	char *out = NULL;
	for (size_t i = 0; i < dko_fix_edit_count(r); i++)
		if (dko_fix_edit(r, i)->old_text)
			out = strndup(dko_fix_edit(r, i)->new_text, dko_fix_edit(r, i)->new_len);
	for (size_t i = 0; lines && i < dko_fix_finding_count(r); i++) {
		const dko_finding *f = dko_fix_finding(r, i);
		if (f->applied)
			dko_buf_printf(lines, "%s:%u %s: %s\n", path, f->line, f->rule, f->message);
	}
	dko_fix_result_free(r);
	free(ctx);
	free(folder);
	return out;
}

/* Whether the registered passes change the test inputs (until the passes
 * land, they do not: the tests that need a fix are skipped then). */
static bool fixes_available;

static void require_fixes(void)
{
	if (!fixes_available)
		skip();
}

/* fix_of, which must change input (require_fixes() was called). */
static char *expect_fix(const world *w, const char *path, const char *input, dko_buf *lines)
{
	char *out = fix_of(w, path, input, lines);
	if (!out)
		fail_msg("dko_fix changes nothing in %s", path);
	return out;
}

static dko_bot_opts push_opts(void)
{
	dko_bot_opts o = {0};
	o.push = true;
	o.author = AUTHOR;
	return o;
}

/* ---- the scenario, over each transport -------------------------------------------- */

/* The bot's repository has a working tree and a local main that differ
 * from the remote's base: neither may be read. */
static void litter_bot(world *w)
{
	gf_write(w->bot_dir, "Dockerfile", BROKEN);
	gf_write(w->bot_dir, ".dockopt.yml", "rules:\n  merge-runs: off\n");
	gf_write(w->bot_dir, "extra/Dockerfile", NEEDS_FIX);
	dko_git_file f = {"Dockerfile", BROKEN, strlen(BROKEN), 0, NULL};
	dko_git_oid tree, junk;
	assert_int_equal(dko_git_tree_update(&tree, w->bot, NULL, &f, 1), 0);
	dko_git_ident who = {"Junk", "junk@example.com"};
	assert_int_equal(dko_git_commit_create(&junk, w->bot, &tree, NULL, 0, &who, "junk"), 0);
	assert_int_equal(dko_git_ref_set(w->bot, "refs/heads/main", &junk, NULL), 0);
}

typedef struct expected {
	char *df, *api;   /* fixed Dockerfile and api/Dockerfile */
	char *message;    /* the commit message */
} expected;

static void expected_release(expected *e)
{
	free(e->df);
	free(e->api);
	free(e->message);
}

/* First run: the fix is committed on top of the base and pushed. */
static void first_run(world *w, const dko_git_oid *base, expected *e)
{
	dko_bot_opts o = push_opts();
	dko_bot_result r;
	if (dko_bot_run(&r, w->bot, &o) != 0)
		fail_msg("bot: %s", dko_error_last());
	assert_int_equal(r.outcome, DKO_BOT_COMMITTED);
	assert_true(r.pushed);
	assert_false(r.reused);
	assert_true(dko_git_oid_equal(&r.base, base));
	assert_string_equal(r.base_ref, "refs/remotes/origin/main");
	assert_int_equal(r.nfiles, 3); /* Dockerfile, api/Dockerfile, web/Dockerfile */
	assert_int_equal(r.nchanged, 2);
	assert_int_equal(r.nfailed, 0);
	assert_string_equal(r.title, "dockopt: optimize 2 Dockerfiles");
	assert_string_equal(r.message, e->message);
	assert_non_null(strstr(r.body, "### `Dockerfile`"));
	assert_non_null(strstr(r.body, "### `api/Dockerfile`"));
	assert_null(strstr(r.body, "### `web/Dockerfile`")); /* nothing to say about it */
	assert_non_null(strstr(r.body, "| line | rule | change | why |"));
	assert_non_null(strstr(r.body, "<details>\n<summary>Diff</summary>\n\n```diff\n"));
	assert_non_null(strstr(r.body, "+++ b/api/Dockerfile"));
	char *tip = gf_hex(&r.commit);
	dko_bot_result_release(&r);

	char *head = server_rev(w, "dockopt/optimize");
	assert_non_null(head);
	assert_int_equal(strncmp(head, tip, 40), 0);
	free(head);
	free(tip);
	assert_same_own(server_rev(w, "main"), server_rev(w, "dockopt/optimize^"));
	assert_null(server_rev(w, "dockopt/optimize^2")); /* one parent */
	assert_str_own(e->df, gf_sh("git --git-dir=%s show dockopt/optimize:Dockerfile", w->bare));
	assert_str_own(e->api,
	               gf_sh("git --git-dir=%s show dockopt/optimize:api/Dockerfile", w->bare));
	assert_str_own(CLEAN_FILE,
	               gf_sh("git --git-dir=%s show dockopt/optimize:web/Dockerfile", w->bare));
	/* the working tree's files (extra/, .dockopt.yml) are not in the commit */
	assert_str_own("Dockerfile\napi/Dockerfile\napi/app.py\nweb/Dockerfile\n",
	               gf_sh("git --git-dir=%s ls-tree -r --name-only dockopt/optimize", w->bare));
	assert_str_own(AUTHOR "\n" AUTHOR "\n",
	               gf_sh("git --git-dir=%s log -1 --format='%%an <%%ae>%%n%%cn <%%ce>' "
	                     "dockopt/optimize",
	                     w->bare));
	char *msg = tu_asprintf("%s\n", e->message);
	assert_str_own(msg, gf_sh("git --git-dir=%s log -1 --format=%%B dockopt/optimize", w->bare));
	free(msg);
}

/* Same base: the remote branch holds the fix already; nothing moves. */
static void second_run(world *w)
{
	char *before = server_rev(w, "dockopt/optimize");
	dko_git_oid local_before;
	assert_int_equal(dko_git_ref_lookup(&local_before, w->bot, "refs/heads/dockopt/optimize"), 0);
	dko_bot_opts o = push_opts();
	dko_bot_result r;
	assert_int_equal(dko_bot_run(&r, w->bot, &o), 0);
	assert_int_equal(r.outcome, DKO_BOT_UP_TO_DATE);
	assert_false(r.pushed);
	char *tip = gf_hex(&r.commit);
	assert_int_equal(strncmp(before, tip, 40), 0);
	free(tip);
	dko_bot_result_release(&r);
	assert_same_own(before, server_rev(w, "dockopt/optimize"));
	dko_git_oid local_after;
	assert_int_equal(dko_git_ref_lookup(&local_after, w->bot, "refs/heads/dockopt/optimize"), 0);
	assert_true(dko_git_oid_equal(&local_before, &local_after));
}

/* The base moves: a fresh commit on the new base replaces the branch. */
static void new_base_run(world *w, const expected *e)
{
	static const char *const more[] = {"README", "new base\n", NULL};
	dko_git_oid b2;
	publish(w, more, &b2);
	char *old = server_rev(w, "dockopt/optimize");
	dko_bot_opts o = push_opts();
	dko_bot_result r;
	assert_int_equal(dko_bot_run(&r, w->bot, &o), 0);
	assert_int_equal(r.outcome, DKO_BOT_COMMITTED);
	assert_true(r.pushed);
	assert_true(dko_git_oid_equal(&r.base, &b2));
	dko_bot_result_release(&r);
	char *now = server_rev(w, "dockopt/optimize");
	assert_string_not_equal(now, old);
	free(old);
	free(now);
	assert_same_own(server_rev(w, "main"), server_rev(w, "dockopt/optimize^"));
	assert_str_own("new base\n", gf_sh("git --git-dir=%s show dockopt/optimize:README", w->bare));
	assert_str_own(e->df, gf_sh("git --git-dir=%s show dockopt/optimize:Dockerfile", w->bare));
}

/* Someone pushes to the branch after the bot last fetched; a run that does
 * not fetch (its lease is stale) is refused and the push does not land. */
static void stale_lease_run(world *w, const dko_git_oid *first_base)
{
	static const char *const mine[] = {"NOTES", "hand edit\n", NULL};
	dko_git_oid x, tree;
	assert_int_equal(dko_git_fetch(w->dev, "origin"), 0);
	dko_git_file f = {mine[0], mine[1], strlen(mine[1]), 0, NULL};
	assert_int_equal(
		dko_git_tree_update(&tree, w->dev, "refs/remotes/origin/dockopt/optimize", &f, 1), 0);
	dko_git_oid parent;
	assert_int_equal(
		dko_git_resolve_commit(&parent, w->dev, "refs/remotes/origin/dockopt/optimize"), 0);
	dko_git_ident who = {"Dev", "dev@example.com"};
	assert_int_equal(dko_git_commit_create(&x, w->dev, &tree, &parent, 1, &who, "manual"), 0);
	assert_int_equal(dko_git_ref_set(w->dev, "refs/heads/dockopt/optimize", &x, NULL), 0);
	assert_int_equal(dko_git_push(w->dev, "origin", "refs/heads/dockopt/optimize",
	                              "refs/heads/dockopt/optimize", &parent),
	                 0);
	/* the bot's local main: the first base (not what the remote branch holds) */
	assert_int_equal(dko_git_ref_set(w->bot, "refs/heads/main", first_base, NULL), 0);
	dko_bot_opts o = push_opts();
	o.no_fetch = true;
	dko_bot_result r;
	assert_int_equal(dko_bot_run(&r, w->bot, &o), DKO_EGIT);
	assert_string_equal(r.base_ref, "refs/heads/main");
	assert_false(r.pushed);
	char *xh = gf_hex(&x);
	assert_non_null(strstr(dko_error_last(), xh));
	assert_non_null(strstr(dko_error_last(), "expected"));
	dko_bot_result_release(&r);
	char *now = server_rev(w, "dockopt/optimize");
	assert_int_equal(strncmp(now, xh, 40), 0);
	free(now);
	free(xh);
}

static void bot_scenario(bool use_daemon)
{
	world w;
	world_open(&w, use_daemon);
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, "api/Dockerfile", NEEDS_FIX2,
	                                    "api/app.py", "print(1)\n", "web/Dockerfile",
	                                    CLEAN_FILE, NULL};
	expected e = {0};
	dko_buf lines = DKO_BUF_INIT;
	dko_buf_puts(&lines, "dockopt: optimize 2 Dockerfiles\n\n");
	e.df = expect_fix(&w, "Dockerfile", NEEDS_FIX, &lines);
	e.api = expect_fix(&w, "api/Dockerfile", NEEDS_FIX2, &lines);
	e.message = dko_buf_detach(&lines, NULL);
	dko_git_oid base;
	publish(&w, files, &base);
	litter_bot(&w);
	first_run(&w, &base, &e);
	second_run(&w);
	new_base_run(&w, &e);
	stale_lease_run(&w, &base);
	expected_release(&e);
	world_close(&w);
}

static void test_bot__file_remote(void **state)
{
	(void)state;
	require_fixes();
	bot_scenario(false);
}

static void test_bot__git_daemon_remote(void **state)
{
	(void)state;
	require_fixes();
	bot_scenario(true);
}

/* ---- the command ----------------------------------------------------------------- */

static int run_bot(const world *w, const char *args, char **out, char **err)
{
	char *cmd = tu_asprintf("'%s' bot --repo '%s' --author '" AUTHOR "' %s", dockopt_abs,
	                        w->bot_dir, args);
	int rc = tu_run(cmd, NULL, 0, out, NULL, err);
	free(cmd);
	return rc;
}

/* Nothing to fix: exit 0, nothing on stdout, no branch on the remote. */
static void test_bot__nothing_to_fix(void **state)
{
	(void)state;
	world w;
	world_open(&w, false);
	static const char *const files[] = {"Dockerfile", CLEAN_FILE, "README", "x\n", NULL};
	dko_git_oid base;
	publish(&w, files, &base);
	char *out, *err;
	assert_int_equal(run_bot(&w, "--push", &out, &err), 0);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "nothing to fix on refs/remotes/origin/main"));
	free(out);
	free(err);
	assert_null(server_rev(&w, "dockopt/optimize"));
	dko_git_oid id;
	assert_int_equal(dko_git_ref_lookup(&id, w.bot, "refs/heads/dockopt/optimize"),
	                 DKO_ENOTFOUND);
	world_close(&w);
}

/* A bare clone has no fetch refspec (a mirror maps refs onto themselves):
 * the bot still finds the remote's base branch after its fetch. */
static void test_bot__bare_clone(void **state)
{
	(void)state;
	require_fixes();
	world w;
	world_open(&w, false);
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, NULL};
	dko_git_oid base;
	publish(&w, files, &base);
	char *dir = tu_mkdtemp();
	char *bare = tu_asprintf("%s/clone.git", dir);
	free(gf_sh("git clone -q --bare '%s' '%s'", w.bare, bare));
	/* --open-pr with a remote that names no forge repository fails before
	 * anything is pushed. */
	char *cmd = tu_asprintf("GITHUB_TOKEN=x '%s' bot --repo '%s' --author '" AUTHOR "' --push --open-pr",
	                        dockopt_abs, bare);
	char *out, *err;
	assert_int_equal(tu_run(cmd, NULL, 0, &out, NULL, &err), 2);
	assert_non_null(strstr(err, "owner and a name"));
	assert_null(server_rev(&w, "dockopt/optimize"));
	free(out);
	free(err);
	free(cmd);
	cmd = tu_asprintf("'%s' bot --repo '%s' --author '" AUTHOR "'", dockopt_abs, bare);
	assert_int_equal(tu_run(cmd, NULL, 0, &out, NULL, &err), 0);
	assert_null(strstr(err, "has no branch"));
	free(out);
	free(err);
	free(cmd);
	char *log = gf_sh("git --git-dir='%s' log --format=%%s -1 dockopt/optimize", bare);
	assert_non_null(strstr(log, "dockopt"));
	free(log);
	tu_rmrf(dir);
	free(dir);
	free(bare);
	world_close(&w);
}

/* The CLI end to end: title on stdout and the body in --body-file; a
 * file that does not parse is reported (exit 2) without stopping the
 * others; usage and git errors exit 2. */
static void test_bot__command(void **state)
{
	(void)state;
	require_fixes();
	world w;
	world_open(&w, false);
	/* the base's .dockopt.yml (not the working tree's) names one more Dockerfile */
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, "bad/Dockerfile", BROKEN,
	                                    ".dockopt.yml", "dockerfiles: ['^build\\.docker$']\n",
	                                    "tools/build.docker", NEEDS_FIX2, NULL};
	char *want = expect_fix(&w, "Dockerfile", NEEDS_FIX, NULL);
	char *want_build = expect_fix(&w, "tools/build.docker", NEEDS_FIX2, NULL);
	dko_git_oid base;
	publish(&w, files, &base);
	char *body_path = gf_path(w.root, "body.md");
	char *args = tu_asprintf("--push --body-file '%s'", body_path);
	char *out, *err;
	assert_int_equal(run_bot(&w, args, &out, &err), 2);
	assert_string_equal(out, "dockopt: optimize 2 Dockerfiles\n");
	assert_non_null(strstr(err, "bad/Dockerfile:2:1: error: unknown instruction: FOO"));
	assert_non_null(strstr(err, "pushed dockopt/optimize to origin"));
	free(out);
	free(err);
	char *body = tu_read_file(body_path, NULL);
	assert_non_null(body);
	assert_non_null(strstr(body, "### `bad/Dockerfile`\n\nNot processed: "));
	assert_non_null(strstr(body, "### `Dockerfile`\n\n| line | rule |"));
	free(body);
	assert_str_own(want, gf_sh("git --git-dir=%s show dockopt/optimize:Dockerfile", w.bare));
	assert_str_own(BROKEN, gf_sh("git --git-dir=%s show dockopt/optimize:bad/Dockerfile", w.bare));
	assert_str_own(want_build,
	               gf_sh("git --git-dir=%s show dockopt/optimize:tools/build.docker", w.bare));

	/* again, without --body-file: title, blank line, body on stdout */
	assert_int_equal(run_bot(&w, "--push -q", &out, &err), 2);
	assert_non_null(strstr(err, "already holds this fix"));
	static const char lead[] = "dockopt: optimize 2 Dockerfiles\n\ndockopt rewrote 2 "
	                           "Dockerfiles of `main`";
	assert_int_equal(strncmp(out, lead, strlen(lead)), 0);
	free(out);
	free(err);

	assert_int_equal(run_bot(&w, "--branch main", NULL, &err), 2);
	assert_non_null(strstr(err, "must differ from the base branch"));
	free(err);
	assert_int_equal(run_bot(&w, "--base nosuch", NULL, &err), 2);
	assert_non_null(strstr(err, "the remote 'origin' has no branch 'nosuch'"));
	free(err);
	assert_int_equal(run_bot(&w, "--remote nosuch", NULL, &err), 2);
	free(err);
	assert_int_equal(run_bot(&w, "--open-pr", NULL, &err), 2);
	assert_non_null(strstr(err, "--open-pr needs --push"));
	free(err);
	assert_int_equal(run_bot(&w, "--push --open-pr", NULL, &err), 2);
	assert_non_null(strstr(err, "GITHUB_TOKEN"));
	free(err);
	assert_int_equal(run_bot(&w, "--frobnicate", NULL, &err), 2);
	assert_non_null(strstr(err, "usage: dockopt bot"));
	free(err);
	free(args);
	free(body_path);
	free(want);
	free(want_build);
	world_close(&w);
}

/* ---- the pull request --------------------------------------------------------------- */

/* A small GitHub: checks what the REST API checks, remembers the open pull
 * request, answers 201, 422 "already exists", the list, and the update. */
typedef struct forge {
	bool open;
	int bad;
	char why[4096];
	char *title, *body; /* as last received */
} forge;

static void json_resp(http_resp *resp, int status, const char *json)
{
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	http_resp_body(resp, json);
}

static void complain(forge *f, const http_req *req, const char *what)
{
	if (!f->bad++)
		snprintf(f->why, sizeof(f->why), "%s %.1000s: %s", req->method, req->target, what);
}

static bool headers_ok(forge *f, const http_req *req, bool has_body)
{
	const char *auth = http_req_header(req, "Authorization");
	const char *accept = http_req_header(req, "Accept");
	const char *ct = http_req_header(req, "Content-Type");
	if (!auth || strcmp(auth, "Bearer " TOKEN) != 0)
		return false; /* 401, not a test failure: the bad-token case sends one */
	if (!accept || strcmp(accept, "application/vnd.github+json") != 0)
		complain(f, req, "Accept");
	if (!http_req_header(req, "X-GitHub-Api-Version"))
		complain(f, req, "X-GitHub-Api-Version");
	if (!http_req_header(req, "User-Agent"))
		complain(f, req, "User-Agent");
	if (has_body && (!ct || strcmp(ct, "application/json") != 0))
		complain(f, req, "Content-Type");
	return true;
}

/* Keep title and body; head and base must be the bot's when creating. */
static bool read_pr_json(forge *f, const http_req *req, bool create)
{
	dko_json_doc *doc;
	if (dko_json_parse(&doc, req->body, req->body_len) < 0) {
		complain(f, req, "body is not JSON");
		return false;
	}
	const dko_json *root = dko_json_root(doc);
	const char *title = dko_json_string(dko_json_get(root, "title"));
	const char *body = dko_json_string(dko_json_get(root, "body"));
	const char *head = dko_json_string(dko_json_get(root, "head"));
	const char *base = dko_json_string(dko_json_get(root, "base"));
	bool ok = title && body &&
	          (create ? head && !strcmp(head, "dockopt/optimize") && base && !strcmp(base, "main")
	                  : !head && !base);
	if (ok) {
		free(f->title);
		free(f->body);
		f->title = strdup(title);
		f->body = strdup(body);
	} else {
		complain(f, req, "title, body, head or base");
	}
	dko_json_doc_free(doc);
	return ok;
}

static const char pr7[] =
	"{\"number\":7,\"html_url\":\"https://github.example/octo/app/pull/7\",\"state\":\"open\","
	"\"head\":{\"ref\":\"dockopt/optimize\"},\"base\":{\"ref\":\"main\"}}";

static void forge_handler(void *ctx, const http_req *req, http_resp *resp)
{
	forge *f = ctx;
	bool post = !strcmp(req->method, "POST"), patch = !strcmp(req->method, "PATCH");
	if (!headers_ok(f, req, post || patch)) {
		json_resp(resp, 401, "{\"message\":\"Bad credentials\"}");
	} else if (post && !strcmp(req->target, "/repos/octo/app/pulls")) {
		if (!read_pr_json(f, req, true))
			json_resp(resp, 422, "{\"message\":\"Validation Failed\"}");
		else if (f->open)
			json_resp(resp, 422, "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
			                     "\"PullRequest\",\"code\":\"custom\",\"message\":\"A pull "
			                     "request already exists for octo:dockopt/optimize.\"}]}");
		else {
			f->open = true;
			json_resp(resp, 201, pr7);
		}
	} else if (!strcmp(req->method, "GET") &&
	           !strcmp(req->target, "/repos/octo/app/pulls?head=octo%3Adockopt%2Foptimize&"
	                                "state=open")) {
		char *list = tu_asprintf("[%s]", pr7);
		json_resp(resp, 200, f->open ? list : "[]");
		free(list);
	} else if (patch && !strcmp(req->target, "/repos/octo/app/pulls/7")) {
		read_pr_json(f, req, false);
		json_resp(resp, 200, pr7);
	} else {
		complain(f, req, "unexpected request");
		json_resp(resp, 404, "{\"message\":\"Not Found\"}");
	}
}

static void assert_requests(const http_server *srv, size_t from, const char *const *want,
                            size_t n)
{
	assert_int_equal(http_server_nrequests(srv), from + n);
	for (size_t i = 0; i < n; i++) {
		const http_req *r = http_server_request(srv, from + i);
		char *line = tu_asprintf("%s %s", r->method, r->target);
		assert_string_equal(line, want[i]);
		free(line);
	}
}

/* --open-pr: created (201) on the first run; on the second, 422 "already
 * exists" leads to the open one being found and updated. The token reaches
 * the API and nothing else. */
static void test_bot__open_pull_request(void **state)
{
	(void)state;
	require_fixes();
	forge f = {0};
	http_server *srv = http_server_start(forge_handler, &f);
	assert_non_null(srv);
	world w;
	world_open(&w, false);
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, NULL};
	free(expect_fix(&w, "Dockerfile", NEEDS_FIX, NULL));
	dko_git_oid base;
	publish(&w, files, &base);
	char *args = tu_asprintf("--push --open-pr --github-repo octo/app --api-url "
	                         "http://127.0.0.1:%d",
	                         http_server_port(srv));
	setenv("GITHUB_TOKEN", TOKEN, 1);
	char *out, *err;
	assert_int_equal(run_bot(&w, args, &out, &err), 0);
	assert_non_null(strstr(err, "opened pull request #7 https://github.example/octo/app/pull/7"));
	assert_null(strstr(out, TOKEN));
	assert_null(strstr(err, TOKEN));
	/* what the API received is what the bot printed */
	assert_non_null(f.title);
	char *printed = tu_asprintf("%s\n\n%s", f.title, f.body);
	assert_string_equal(out, printed);
	free(printed);
	assert_string_equal(f.title, "dockopt: optimize 1 Dockerfile");
	assert_non_null(strstr(f.body, "| line | rule | change | why |"));
	free(out);
	free(err);
	static const char *const first[] = {"POST /repos/octo/app/pulls"};
	assert_requests(srv, 0, first, 1);

	assert_int_equal(run_bot(&w, args, &out, &err), 0);
	assert_non_null(strstr(err, "already holds this fix"));
	assert_non_null(strstr(err, "updated pull request #7"));
	free(out);
	free(err);
	static const char *const second[] = {
		"POST /repos/octo/app/pulls",
		"GET /repos/octo/app/pulls?head=octo%3Adockopt%2Foptimize&state=open",
		"PATCH /repos/octo/app/pulls/7"};
	assert_requests(srv, 1, second, 3);

	/* a refused token: exit 2 with the API's message, never the token */
	setenv("GITHUB_TOKEN", "ghp_WRONGWRONGWRONG123456", 1);
	assert_int_equal(run_bot(&w, args, &out, &err), 2);
	assert_non_null(strstr(err, "401"));
	assert_non_null(strstr(err, "Bad credentials"));
	assert_null(strstr(err, "WRONGWRONG"));
	assert_null(strstr(out, "WRONGWRONG"));
	free(out);
	free(err);
	unsetenv("GITHUB_TOKEN");
	http_server_stop(srv);
	if (f.bad)
		fail_msg("%d bad request(s); first: %s", f.bad, f.why);
	http_server_free(srv);
	free(f.title);
	free(f.body);
	free(args);
	world_close(&w);
}

/* ---- the Markdown body ---------------------------------------------------------------- */

/* A diff too long for a pull request body is replaced by a note (GitHub
 * refuses bodies over 65536 characters); without --push nothing is sent. */
static void test_bot__markdown(void **state)
{
	(void)state;
	require_fixes();
	world w;
	world_open(&w, false);
	/* 300 Dockerfiles, each with its own hunk: a diff far over the limit */
	enum { NFILES = 300 };
	const char **files = calloc(2 * NFILES + 1, sizeof(char *));
	char **paths = calloc(NFILES, sizeof(char *));
	for (int i = 0; i < NFILES; i++) {
		paths[i] = tu_asprintf("svc%03d/Dockerfile", i);
		files[2 * i] = paths[i];
		files[2 * i + 1] = NEEDS_FIX2;
	}
	dko_git_oid base;
	publish(&w, files, &base);
	dko_bot_opts o = {0};
	o.author = AUTHOR;
	dko_bot_result r;
	assert_int_equal(dko_bot_run(&r, w.bot, &o), 0);
	assert_int_equal(r.outcome, DKO_BOT_COMMITTED);
	assert_false(r.pushed);
	assert_non_null(strstr(r.body, "is too long to show here; see the commit."));
	assert_non_null(strstr(r.body, "more files, left out to keep this short"));
	assert_non_null(strstr(r.body, "### `svc000/Dockerfile`"));
	assert_true(strlen(r.body) < 65536);
	assert_null(strstr(r.body, "```diff"));
	dko_bot_result_release(&r);
	assert_null(server_rev(&w, "dockopt/optimize"));
	for (int i = 0; i < NFILES; i++)
		free(paths[i]);
	free(paths);
	free(files);
	world_close(&w);
}

/* Whether dko_fix (no context, no configuration) changes text. */
static bool changes(const char *text)
{
	dko_fix_opts o = {0};
	o.context_dir = "";
	dko_fix_result *r;
	bool yes = dko_fix(&r, text, strlen(text), &o) == 0 && dko_fix_edit_count(r) > 0;
	dko_fix_result_free(r);
	return yes;
}

/* --verify: the context is written from the base tree to a temporary folder,
 * the aggressive rewrite (multi-stage) and the original are built by the
 * engine (a fake one here, which records what it was asked), and the body
 * shows the measured saving; a rewrite that fails to build is not committed. */
#define GO_APP "FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\n" \
               "RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello .\nCMD [\"hello\"]\n"

static int run_bot_engine(const world *w, const char *bin, const char *env, const char *args,
                          char **out, char **err)
{
	char *tmp = tu_asprintf("%s/tmp", w->root), *log = tu_asprintf("%s/engine.log", w->root);
	char *mk = tu_asprintf("mkdir -p '%s'", tmp);
	tu_run(mk, NULL, 0, NULL, NULL, NULL);
	char *cmd = tu_asprintf("env PATH='%s':/usr/bin:/bin FAKE_LOG='%s' TMPDIR='%s' %s '%s' bot "
	                        "--repo '%s' --author '" AUTHOR "' %s",
	                        bin, log, tmp, env, dockopt_abs, w->bot_dir, args);
	int rc = tu_run(cmd, NULL, 0, out, NULL, err);
	free(cmd);
	free(mk);
	free(log);
	free(tmp);
	return rc;
}

static void test_bot__verify_savings(void **state)
{
	(void)state;
	world w;
	world_open(&w, false);
	static const char *const files[] = {
		"Dockerfile", GO_APP,
		"go.mod", "module example.com/hello\n\ngo 1.22\n",
		"main.go", "package main\n\nfunc main() { println(\"hello\") }\n",
		NULL};
	dko_git_oid base;
	publish(&w, files, &base);
	char *bin = tu_asprintf("%s/bin", w.root);
	fixture_fake_engine(bin, "docker");
	char *body = tu_asprintf("%s/body.md", w.root), *args = tu_asprintf(
		"--verify --no-rebuild --push --body-file '%s'", body);
	char *out, *err;
	/* A rewrite that does not build is never committed: nothing is left to fix. */
	assert_int_equal(run_bot_engine(&w, bin, "FAKE_BREAK_REWRITE=1", args, &out, &err), 0);
	assert_null(server_rev(&w, "dockopt/optimize"));
	free(out);
	free(err);
	/* Verified: committed, and the body has the measured saving. */
	assert_int_equal(run_bot_engine(&w, bin, "", args, &out, &err), 0);
	char *md = tu_read_file(body, NULL);
	assert_non_null(md);
	assert_non_null(strstr(md, "Measured with real builds ("));
	assert_non_null(strstr(md, "multi-stage"));
	assert_non_null(strstr(md, "9.0 MB"));   /* the fake's original image */
	assert_non_null(strstr(md, "2.0 MB"));   /* and its rewrite */
	char *rev = server_rev(&w, "dockopt/optimize:Dockerfile");
	assert_non_null(rev);
	free(rev);
	char *show = tu_asprintf("git --git-dir=%s show dockopt/optimize:Dockerfile", w.bare), *df = NULL;
	tu_run(show, NULL, 0, &df, NULL, NULL);
	assert_non_null(strstr(df, "AS build"));
	assert_non_null(strstr(df, "COPY --from=build"));
	/* The engine built from a copy of the base tree's files. */
	char *log = tu_asprintf("%s/engine.log", w.root), *logtext = tu_read_file(log, NULL);
	assert_non_null(strstr(logtext, "build"));
	free(logtext);
	free(log);
	free(df);
	free(show);
	free(md);
	free(out);
	free(err);
	free(args);
	free(body);
	free(bin);
	world_close(&w);
}

int main(void)
{
	home_dir = gf_isolate_env();
	dockopt_abs = realpath(tu_dockopt_bin(), NULL);
	if (!dockopt_abs) {
		fprintf(stderr, "test_bot: %s not found (build it first)\n", tu_dockopt_bin());
		return 1;
	}
	fixes_available = changes(NEEDS_FIX) && changes(NEEDS_FIX2);
	if (!fixes_available)
		tu_notice("test_bot: no registered pass changes the test Dockerfiles yet; the tests "
		          "that need a fix are skipped");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bot__file_remote),
		cmocka_unit_test(test_bot__git_daemon_remote),
		cmocka_unit_test(test_bot__nothing_to_fix),
		cmocka_unit_test(test_bot__bare_clone),
		cmocka_unit_test(test_bot__command),
		cmocka_unit_test(test_bot__open_pull_request),
		cmocka_unit_test(test_bot__markdown),
		cmocka_unit_test(test_bot__verify_savings),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	dko_git_shutdown();
	tu_rmrf(home_dir);
	free(home_dir);
	free(dockopt_abs);
	return rc;
}
