/*
 * test_precommit.c - the pre-commit autofix (src/precommit.c), the hook
 * installer (src/hook.c) and both commands, on temporary repositories made
 * with libgit2. The git CLI only looks at results (`git show :path` reads
 * the index) and, in the hook tests, runs `git commit` the way a user does.
 *
 * What a fix looks like is dko_fix's business: each test asks dko_fix for
 * the expected text of its input (same path, context and configuration as
 * pre-commit uses) and checks that this exact text lands where it must. A
 * test whose input no registered pass changes is skipped with a notice.
 * "Index untouched" is checked on the bytes of the index file itself.
 */
#include "testutil.h"
#include "git_fixture.h"

#include "config.h"
#include "discover.h"
#include "gitfix.h"
#include "dockopt/fix.h"
#include "git.h"
#include "precommit.h"
#include "util/buf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *home_dir;
static char *dockopt_abs; /* the CLI under test, absolute (tests cd elsewhere) */

/* Inputs the first passes change: consecutive RUNs (merge-runs), apt
 * without cleanup (apt-cleanup). */
#define NEEDS_FIX "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n"
#define NEEDS_FIX2 "FROM alpine:3.19\nRUN echo one > /one\nRUN echo two > /two\n"
#define CLEAN_FILE "FROM alpine:3.19\n"
#define BROKEN "FROM alpine:3.19\nFOO bar\n"

/* ---- helpers ---------------------------------------------------------------- */

static void assert_str_own(const char *expected, char *got)
{
	assert_non_null(got);
	assert_string_equal(got, expected);
	free(got);
}

/* Both strings made by the test, equal (both freed). */
static void assert_same_own(char *expected, char *got)
{
	assert_str_own(expected, got);
	free(expected);
}

/* A commit of the index on main (parent: HEAD if any). */
static void commit_index(dko_git_repo *repo, const char *msg)
{
	dko_git_oid tree, parent, id;
	assert_int_equal(dko_git_index_write_tree(&tree, repo), 0);
	bool has_parent = dko_git_resolve_commit(&parent, repo, "HEAD") == 0;
	dko_git_ident who = {"Test", "test@example.com"};
	assert_int_equal(
		dko_git_commit_create(&id, repo, &tree, &parent, has_parent ? 1 : 0, &who, msg), 0);
	assert_int_equal(dko_git_ref_set(repo, "refs/heads/main", &id, "commit"), 0);
}

/* Write a working file and stage it. */
static void stage(dko_git_repo *repo, const char *dir, const char *path, const char *data)
{
	gf_write(dir, path, data);
	assert_int_equal(dko_git_index_add(repo, path, data, strlen(data), 0), 0);
}

/* A new repository whose files (path, data pairs) are committed on main. */
static dko_git_repo *repo_with(char **dir, const char *const *files)
{
	*dir = tu_mkdtemp();
	dko_git_repo *repo;
	assert_int_equal(dko_git_repo_init(&repo, *dir, false, "main"), 0);
	for (size_t i = 0; files && files[i]; i += 2)
		stage(repo, *dir, files[i], files[i + 1]);
	commit_index(repo, "initial\n");
	return repo;
}

static void repo_done(dko_git_repo *repo, char *dir)
{
	dko_git_repo_free(repo);
	tu_rmrf(dir);
	free(dir);
}

/* What dko_fix makes of input at repository path (context: its working
 * folder, as pre-commit uses), or NULL when nothing changes. */
static char *fix_of(const char *dir, const char *path, const char *input, const dko_config *cfg)
{
	char *folder = strdup(path);
	char *slash = strrchr(folder, '/');
	char *ctx = tu_asprintf("%s/%s", dir, slash ? (*slash = '\0', folder) : "");
	dko_fix_opts o = {0};
	o.path = path;
	o.context_dir = ctx;
	o.config = cfg;
	dko_fix_result *r;
	assert_int_equal(dko_fix(&r, input, strlen(input), &o), 0);
	char *out = NULL;
	for (size_t i = 0; i < dko_fix_edit_count(r); i++) {
		const dko_file_edit *e = dko_fix_edit(r, i);
		if (e->old_text)
			out = strndup(e->new_text, e->new_len);
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
static char *expect_fix(const char *dir, const char *path, const char *input)
{
	char *out = fix_of(dir, path, input, NULL);
	if (!out)
		fail_msg("dko_fix changes nothing in %s", path);
	return out;
}

/* The staged contents of path, through the git CLI. */
static char *index_text(const char *dir, const char *path)
{
	return gf_sh("git -C %s show :%s", dir, path);
}

/* The index file's bytes (to show it was not written at all). */
static char *index_bytes(const char *dir, size_t *len)
{
	return gf_read(dir, ".git/index", len);
}

static void assert_index_untouched(const char *dir, const char *before, size_t before_len)
{
	size_t len;
	char *now = index_bytes(dir, &len);
	assert_int_equal(len, before_len);
	assert_memory_equal(now, before, len);
	free(now);
}

/* Run `dockopt <args>` in dir; returns the exit code. */
static int run_cli(const char *dir, const char *args, char **out, char **err)
{
	char *cmd = tu_asprintf("cd '%s' && '%s' %s", dir, dockopt_abs, args);
	int rc = tu_run(cmd, NULL, 0, out, NULL, err);
	free(cmd);
	return rc;
}

static dko_precommit_result run_lib(dko_git_repo *repo, const dko_precommit_opts *o)
{
	dko_precommit_result r;
	assert_int_equal(dko_precommit_run(&r, repo, o), 0);
	return r;
}

/* ---- fixing the index ------------------------------------------------------------ */

/* An added and a modified Dockerfile: both fixed in the index and in the
 * working tree; a second run finds nothing. HEAD does not move. */
static void test_precommit__staged_fix(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"README", "hi\n", "svc/Dockerfile", CLEAN_FILE, NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	char *want1 = expect_fix(d, "Dockerfile", NEEDS_FIX);
	char *want2 = expect_fix(d, "svc/Dockerfile", NEEDS_FIX2);
	char *head = gf_sh("git -C %s rev-parse HEAD", d);
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	stage(repo, d, "svc/Dockerfile", NEEDS_FIX2);

	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.nfiles, 2);
	assert_int_equal(r.nchanged, 2);
	assert_int_equal(r.nfailed, 0);
	assert_string_equal(r.files[0].path, "Dockerfile");
	assert_string_equal(r.files[1].path, "svc/Dockerfile");
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r.files[i].state, DKO_PRECOMMIT_FIXED);
		assert_int_equal(r.files[i].nkept, 0);
		assert_true(dko_fix_applied_count(r.files[i].result) > 0);
		assert_non_null(strstr(r.files[i].diff, "+++ b/"));
	}
	dko_precommit_result_release(&r);
	assert_str_own(want1, index_text(d, "Dockerfile"));
	assert_str_own(want2, index_text(d, "svc/Dockerfile"));
	assert_str_own(want1, gf_read(d, "Dockerfile", NULL));
	assert_str_own(want2, gf_read(d, "svc/Dockerfile", NULL));
	free(gf_sh("git -C %s diff --quiet", d)); /* working tree == index */
	assert_same_own(head, gf_sh("git -C %s rev-parse HEAD", d));

	r = run_lib(repo, NULL);
	assert_int_equal(r.nfiles, 2);
	assert_int_equal(r.nchanged, 0);
	assert_int_equal(r.files[0].state, DKO_PRECOMMIT_CLEAN);
	dko_precommit_result_release(&r);
	free(want1);
	free(want2);
	repo_done(repo, d);
}

/* The CLI's exit codes: 1 after fixing, 0 when clean; --check writes
 * nothing, prints the diff and exits 1. */
static void test_precommit__cli_exit_codes(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"README", "hi\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	char *want = expect_fix(d, "Dockerfile", NEEDS_FIX);
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	size_t before_len;
	char *before = index_bytes(d, &before_len);
	char *out, *err;

	assert_int_equal(run_cli(d, "pre-commit --check", &out, &err), 1);
	assert_non_null(strstr(out, "--- a/Dockerfile"));
	assert_non_null(strstr(out, "+++ b/Dockerfile"));
	assert_non_null(strstr(err, "Dockerfile needs fixing"));
	free(out);
	free(err);
	assert_index_untouched(d, before, before_len);
	assert_str_own(NEEDS_FIX, gf_read(d, "Dockerfile", NULL));

	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "dockopt: fixed Dockerfile (staged, and written"));
	assert_non_null(strstr(err, "git diff --cached"));
	assert_non_null(strstr(err, "Dockerfile:2:1: fixed ["));
	free(out);
	free(err);
	assert_str_own(want, index_text(d, "Dockerfile"));

	/* clean now: nothing fixed (suggestions, which never change a file, may show) */
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 0);
	assert_string_equal(out, "");
	assert_null(strstr(err, ": fixed ["));
	assert_null(strstr(err, "dockopt: "));
	free(out);
	free(err);
	assert_int_equal(run_cli(d, "pre-commit -q", NULL, &err), 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(run_cli(d, "pre-commit --check", NULL, NULL), 0);
	assert_int_equal(run_cli(d, "pre-commit --bogus", NULL, &err), 2);
	assert_non_null(strstr(err, "usage: dockopt pre-commit"));
	free(err);
	char *outside = tu_mkdtemp();
	assert_int_equal(run_cli(outside, "pre-commit", NULL, &err), 2);
	assert_non_null(strstr(err, "not in a git repository"));
	free(err);
	tu_rmrf(outside);
	free(outside);
	free(before);
	free(want);
	repo_done(repo, d);
}

/* A partially staged file: the index gets the fix of the staged version;
 * the unstaged edits in the working tree survive byte for byte. */
static void test_precommit__partially_staged(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"Dockerfile", CLEAN_FILE, NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	char *want = expect_fix(d, "Dockerfile", NEEDS_FIX);
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	/* unstaged: odd bytes on purpose (CRLF, trailing blanks, a tab, no final newline) */
	static const char edited[] = NEEDS_FIX "# mine \t \r\nRUN echo \"unstaged\"  ";
	gf_write(d, "Dockerfile", edited);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 1);
	assert_non_null(strstr(err, "fixed Dockerfile in the index only"));
	assert_non_null(strstr(err, "unstaged edits, which were left as they are"));
	assert_null(strstr(err, "written to the working tree"));
	free(out);
	free(err);
	assert_str_own(want, index_text(d, "Dockerfile"));
	size_t len;
	char *now = gf_read(d, "Dockerfile", &len);
	assert_int_equal(len, sizeof(edited) - 1);
	assert_memory_equal(now, edited, len);
	free(now);

	/* the library says which file it kept */
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	gf_write(d, "Dockerfile", edited);
	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.files[0].state, DKO_PRECOMMIT_INDEX_ONLY);
	assert_int_equal(r.files[0].nkept, 1);
	assert_string_equal(r.files[0].kept[0], "Dockerfile");
	dko_precommit_result_release(&r);
	now = gf_read(d, "Dockerfile", &len);
	assert_int_equal(len, sizeof(edited) - 1);
	assert_memory_equal(now, edited, len);
	free(now);
	free(want);
	repo_done(repo, d);
}

/* Nothing staged that is a Dockerfile: a staged README, an unstaged edit of
 * a Dockerfile and a committed one that needs a fix are all left alone. */
static void test_precommit__no_dockerfile_staged(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, "app/Containerfile",
	                                    CLEAN_FILE, NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	stage(repo, d, "README.md", "# docs\n");
	gf_write(d, "app/Containerfile", NEEDS_FIX2); /* not staged */
	size_t before_len;
	char *before = index_bytes(d, &before_len);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 0);
	assert_string_equal(out, "");
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_index_untouched(d, before, before_len);
	assert_str_own(NEEDS_FIX, gf_read(d, "Dockerfile", NULL));
	assert_str_own(NEEDS_FIX2, gf_read(d, "app/Containerfile", NULL));
	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.nfiles, 0);
	dko_precommit_result_release(&r);
	free(before);
	repo_done(repo, d);
}

/* A staged deletion is not a file to fix: nothing comes back, neither in
 * the index nor on disk (also with `git rm --cached`, file kept on disk). */
static void test_precommit__deleted_dockerfile(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", NEEDS_FIX, "b/Dockerfile", NEEDS_FIX2,
	                                    NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	assert_int_equal(dko_git_index_remove(repo, "Dockerfile"), 0);
	char *p = gf_path(d, "Dockerfile");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(dko_git_index_remove(repo, "b/Dockerfile"), 0); /* kept on disk */
	size_t before_len;
	char *before = index_bytes(d, &before_len);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 0);
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_index_untouched(d, before, before_len);
	assert_int_equal(access(p, F_OK), -1);
	assert_str_own(NEEDS_FIX2, gf_read(d, "b/Dockerfile", NULL));
	assert_str_own("", gf_sh("git -C %s ls-files", d));
	free(p);
	free(before);
	repo_done(repo, d);
}

/* The build context is what will be committed: a staged .dockerignore
 * counts although the working copy was deleted (not staged), so dockopt
 * proposes none over it; a file only in the working tree does not count. */
static void test_precommit__context_from_index(void **state)
{
	(void)state;
	static const char *const files[] = {"app.py", "print(1)\n", "__pycache__/app.cpython-312.pyc", "",
	                                    NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	const char *df = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
	stage(repo, d, "Dockerfile", df);
	stage(repo, d, ".dockerignore", "secret\n");
	char *p = gf_path(d, ".dockerignore");
	assert_int_equal(unlink(p), 0);
	free(p);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 0);
	assert_non_null(strstr(err, "suggestion [dockerignore]"));
	free(out);
	free(err);
	assert_str_own("secret\n", index_text(d, ".dockerignore"));
	assert_str_own(df, index_text(d, "Dockerfile"));
	repo_done(repo, d);
}

/* A staged file that does not parse: exit 2 with the diagnostic, and the
 * other staged Dockerfile is not fixed either (all or nothing). */
static void test_precommit__parse_error(void **state)
{
	(void)state;
	static const char *const files[] = {"README", "hi\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	stage(repo, d, "web/Dockerfile", BROKEN);
	size_t before_len;
	char *before = index_bytes(d, &before_len);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 2);
	assert_non_null(strstr(err, "web/Dockerfile:2:1: error: unknown instruction: FOO"));
	assert_non_null(strstr(err, "nothing was staged or written"));
	free(out);
	free(err);
	assert_index_untouched(d, before, before_len);
	assert_str_own(NEEDS_FIX, gf_read(d, "Dockerfile", NULL));
	assert_str_own(BROKEN, gf_read(d, "web/Dockerfile", NULL));

	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.nfailed, 1);
	assert_int_equal(r.files[0].state,
	                 fixes_available ? DKO_PRECOMMIT_WOULD_FIX : DKO_PRECOMMIT_CLEAN);
	assert_int_equal(r.files[1].state, DKO_PRECOMMIT_FAILED);
	assert_non_null(strstr(r.files[1].error, "unknown instruction"));
	dko_precommit_result_release(&r);
	assert_index_untouched(d, before, before_len);
	free(before);
	repo_done(repo, d);
}

/* Symlinks and files that are not Dockerfiles by name are not fixed; the
 * mode of an executable Dockerfile is kept. */
static void test_precommit__kinds_and_modes(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"README", "hi\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	char *want = expect_fix(d, "x.Dockerfile", NEEDS_FIX);
	gf_write(d, "x.Dockerfile", NEEDS_FIX);
	assert_int_equal(
		dko_git_index_add(repo, "x.Dockerfile", NEEDS_FIX, strlen(NEEDS_FIX), DKO_GIT_MODE_EXEC),
		0);
	char *p = gf_path(d, "x.Dockerfile");
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(
		dko_git_index_add(repo, "Dockerfile", "x.Dockerfile", 12, DKO_GIT_MODE_LINK), 0);
	stage(repo, d, "notes.txt", NEEDS_FIX);
	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].path, "x.Dockerfile");
	assert_int_equal(r.files[0].state, DKO_PRECOMMIT_FIXED);
	dko_precommit_result_release(&r);
	assert_str_own(want, index_text(d, "x.Dockerfile"));
	assert_str_own("100755 x.Dockerfile\n",
	               gf_sh("git -C %s ls-files -s x.Dockerfile | cut -d' ' -f1 | "
	                     "tr '\\n' ' '; echo x.Dockerfile",
	                     d));
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	assert_str_own(NEEDS_FIX, index_text(d, "notes.txt"));
	assert_str_own("x.Dockerfile", index_text(d, "Dockerfile"));
	free(p);
	free(want);
	repo_done(repo, d);
}

/* .dockopt.yml comes from the index (nearest folder first), else from the
 * working tree; the staged version wins over an unstaged one. */
static void test_precommit__config_from_index(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"README", "hi\n", NULL};
	static const char top_yml[] = "dockerfiles: ['^build\\.docker$']\n";
	static const char svc_yml[] = "rules:\n  merge-runs: off\n";
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	dko_config *svc_cfg;
	assert_int_equal(dko_config_parse(&svc_cfg, "svc", svc_yml, strlen(svc_yml)), 0);
	char *plain = expect_fix(d, "svc/Dockerfile", NEEDS_FIX2);
	char *svc_want = fix_of(d, "svc/Dockerfile", NEEDS_FIX2, svc_cfg);
	if (svc_want && strcmp(svc_want, plain) == 0) {
		tu_notice("test_precommit: turning merge-runs off changes nothing; skipped");
		dko_config_free(svc_cfg);
		free(svc_want);
		free(plain);
		repo_done(repo, d);
		skip();
	}
	char *build_want = expect_fix(d, "tools/build.docker", NEEDS_FIX);
	stage(repo, d, ".dockopt.yml", top_yml);
	stage(repo, d, "svc/.dockopt.yml", svc_yml);
	gf_write(d, "svc/.dockopt.yml", "rules:\n  merge-runs: on\n"); /* unstaged: ignored */
	stage(repo, d, "tools/build.docker", NEEDS_FIX);
	stage(repo, d, "svc/Dockerfile", NEEDS_FIX2);
	stage(repo, d, "other.docker", NEEDS_FIX); /* the pattern does not match it */

	dko_precommit_result r = run_lib(repo, NULL);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[0].path, "svc/Dockerfile");
	assert_string_equal(r.files[1].path, "tools/build.docker");
	dko_precommit_result_release(&r);
	assert_str_own(build_want, index_text(d, "tools/build.docker"));
	assert_str_own(svc_want ? svc_want : NEEDS_FIX2, index_text(d, "svc/Dockerfile"));
	assert_str_own(NEEDS_FIX, index_text(d, "other.docker"));

	/* a configuration only in the working tree applies too; a broken one fails */
	assert_int_equal(dko_git_index_remove(repo, ".dockopt.yml"), 0);
	stage(repo, d, "tools/build.docker", NEEDS_FIX);
	r = run_lib(repo, NULL);
	assert_int_equal(r.nchanged, 1);
	dko_precommit_result_release(&r);
	stage(repo, d, "svc/.dockopt.yml", "rules: [unclosed\n");
	stage(repo, d, "svc/Dockerfile", NEEDS_FIX2);
	char *out, *err;
	assert_int_equal(run_cli(d, "pre-commit", &out, &err), 2);
	assert_non_null(strstr(err, "svc/.dockopt.yml:"));
	free(out);
	free(err);
	assert_int_equal(run_cli(d, "pre-commit --no-config", NULL, NULL), 1);
	dko_config_free(svc_cfg);
	free(svc_want);
	free(plain);
	free(build_want);
	repo_done(repo, d);
}

/* ---- shared helpers (gitfix.c) ------------------------------------------------------ */

typedef struct fake_files {
	const char *const *files; /* path, data pairs */
	int reads;
} fake_files;

static int fake_read(void *src, const char *path, char **data, size_t *len)
{
	fake_files *f = src;
	f->reads++;
	for (size_t i = 0; f->files[i]; i += 2)
		if (!strcmp(f->files[i], path)) {
			*data = strdup(f->files[i + 1]);
			*len = strlen(*data);
			return 0;
		}
	return DKO_ENOTFOUND;
}

/* The nearest configuration applies (.yml before .yaml), folders are read
 * once, a broken file is an error naming it with the label. */
static void test_precommit__config_lookup(void **state)
{
	(void)state;
	static const char *const files[] = {
		".dockopt.yml", "dockerfiles: ['^top$']\n",
		"a/.dockopt.yaml", "dockerfiles: ['^a$']\n",
		"a/b/.dockopt.yml", "dockerfiles: ['^ab$']\n",
		"a/b/.dockopt.yaml", "this file is not read\n",
		"bad/.dockopt.yml", "rules: [unclosed\n", NULL};
	fake_files src = {files, 0};
	dko_gitfix_configs *c = dko_gitfix_configs_new(fake_read, &src, "origin/main:");
	const dko_config *cfg;
	static const struct {
		const char *path, *name; /* a name only the applying config accepts */
	} cases[] = {{"Dockerfile", "top"}, {"x/y/Dockerfile", "top"}, {"a/Dockerfile", "a"},
	             {"a/z/Dockerfile", "a"}, {"a/b/Dockerfile", "ab"}, {"a/b/c/d/Dockerfile", "ab"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(dko_gitfix_config_for(&cfg, c, cases[i].path), 0);
		assert_non_null(cfg);
		assert_true(dko_is_dockerfile_name(cases[i].name, cfg));
		assert_false(dko_is_dockerfile_name(strcmp(cases[i].name, "top") ? "top" : "a", cfg));
	}
	int reads = src.reads;
	assert_int_equal(dko_gitfix_config_for(&cfg, c, "a/b/c/d/Containerfile"), 0);
	assert_int_equal(src.reads, reads); /* cached */
	assert_int_equal(dko_gitfix_config_for(&cfg, c, "bad/Dockerfile"), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "origin/main:bad/.dockopt.yml:"));
	dko_gitfix_configs_free(c);

	static const char *const none[] = {NULL};
	fake_files empty = {none, 0};
	c = dko_gitfix_configs_new(fake_read, &empty, NULL);
	assert_int_equal(dko_gitfix_config_for(&cfg, c, "a/b/Dockerfile"), 0);
	assert_null(cfg);
	assert_int_equal(empty.reads, 6); /* two names in a/b, a and the top */
	dko_gitfix_configs_free(c);
}

/* Where a pass's new file goes: under the Dockerfile's folder, never out
 * of it or into .git. */
static void test_precommit__edit_paths(void **state)
{
	(void)state;
	static const struct {
		const char *dockerfile, *rel, *want; /* want NULL: refused */
	} cases[] = {{"svc/Dockerfile", ".dockerignore", "svc/.dockerignore"},
	             {"Dockerfile", "./.dockerignore", ".dockerignore"},
	             {"a/b/Dockerfile", "conf/x.txt", "a/b/conf/x.txt"},
	             {"Dockerfile", "../x", NULL},
	             {"svc/Dockerfile", "a/../../x", NULL},
	             {"Dockerfile", "/etc/passwd", NULL},
	             {"Dockerfile", ".git/hooks/pre-commit", NULL},
	             {"Dockerfile", "a//b", NULL},
	             {"Dockerfile", "", NULL}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dko_file_edit e = {cases[i].rel, NULL, 0, "x", 1};
		char *out;
		int rc = dko_gitfix_edit_path(&out, cases[i].dockerfile, &e);
		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_string_equal(out, cases[i].want);
		} else {
			assert_int_equal(rc, DKO_EINVAL);
			assert_null(out);
		}
		free(out);
	}
	dko_file_edit self = {"ignored", "old", 3, "new", 3};
	char *out;
	assert_int_equal(dko_gitfix_edit_path(&out, "svc/Dockerfile", &self), 0);
	assert_string_equal(out, "svc/Dockerfile");
	free(out);
}

/* ---- the hook ---------------------------------------------------------------------- */

static void assert_ours(const char *path, bool check)
{
	char *s = tu_read_file(path, NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, DKO_HOOK_MARKER));
	assert_non_null(strstr(s, check ? "pre-commit --check\n" : "pre-commit\n"));
	free(s);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true((st.st_mode & 0111) == 0111);
}

/* Installing over nothing, over our own hook, over a foreign one (refused,
 * then saved with --force), and into core.hooksPath. */
static void test_precommit__install_hook(void **state)
{
	(void)state;
	char *d;
	dko_git_repo *repo = repo_with(&d, NULL);
	char *hook = gf_path(d, ".git/hooks/pre-commit");
	dko_hook_result hr;
	dko_hook_opts o = {dockopt_abs, false, false};
	unlink(hook);
	assert_int_equal(dko_hook_install(&hr, repo, &o), 0);
	assert_string_equal(hr.path, hook);
	assert_false(hr.updated);
	assert_null(hr.backup);
	dko_hook_result_release(&hr);
	assert_ours(hook, false);
	o.check = true;
	assert_int_equal(dko_hook_install(&hr, repo, &o), 0);
	assert_true(hr.updated);
	dko_hook_result_release(&hr);
	assert_ours(hook, true);

	static const char foreign[] = "#!/bin/sh\nexec lint-staged\n";
	gf_write(d, ".git/hooks/pre-commit", foreign);
	assert_int_equal(dko_hook_install(&hr, repo, &o), DKO_EINVAL);
	assert_non_null(strstr(dko_error_last(), "--force"));
	dko_hook_result_release(&hr);
	char *err;
	assert_int_equal(run_cli(d, "install-hook", NULL, &err), 2);
	assert_non_null(strstr(err, "did not write"));
	free(err);
	assert_str_own(foreign, tu_read_file(hook, NULL));

	assert_int_equal(run_cli(d, "install-hook --force", NULL, &err), 0);
	assert_non_null(strstr(err, "saved the previous hook as"));
	free(err);
	assert_ours(hook, false);
	assert_str_own(foreign, gf_read(d, ".git/hooks/pre-commit.bak", NULL));
	gf_write(d, ".git/hooks/pre-commit", "#!/bin/sh\n# second\n");
	o.force = true;
	assert_int_equal(dko_hook_install(&hr, repo, &o), 0);
	assert_non_null(strstr(hr.backup, "pre-commit.bak.1"));
	dko_hook_result_release(&hr);
	assert_str_own("#!/bin/sh\n# second\n", gf_read(d, ".git/hooks/pre-commit.bak.1", NULL));
	assert_str_own(foreign, gf_read(d, ".git/hooks/pre-commit.bak", NULL));

	/* core.hooksPath, relative to the working tree; the folder is made */
	assert_int_equal(dko_git_config_set(repo, "core.hooksPath", "ci/hooks"), 0);
	assert_int_equal(run_cli(d, "install-hook", NULL, &err), 0);
	assert_non_null(strstr(err, "ci/hooks/pre-commit"));
	free(err);
	char *custom = gf_path(d, "ci/hooks/pre-commit");
	assert_ours(custom, false);
	free(custom);
	free(hook);
	repo_done(repo, d);
}

/* The installed hook inside a real `git commit`: the first commit stops
 * with the fix staged, the second records it; `git commit -a` too. */
static void test_precommit__hook_in_git_commit(void **state)
{
	(void)state;
	require_fixes();
	static const char *const files[] = {"README", "hi\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	char *want = expect_fix(d, "Dockerfile", NEEDS_FIX);
	char *want2 = expect_fix(d, "api/Dockerfile", NEEDS_FIX2);
	dko_hook_result hr;
	dko_hook_opts o = {dockopt_abs, false, false};
	assert_int_equal(dko_hook_install(&hr, repo, &o), 0);
	dko_hook_result_release(&hr);
	stage(repo, d, "Dockerfile", NEEDS_FIX);
	char *head = gf_sh("git -C %s rev-parse HEAD", d);
	char *cmd = tu_asprintf("git -C %s commit -q -m add", d);
	char *err;
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "review the fix with `git diff --cached`"));
	free(err);
	assert_same_own(head, gf_sh("git -C %s rev-parse HEAD", d)); /* nothing committed */
	assert_str_own(want, index_text(d, "Dockerfile"));
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, NULL), 0);
	assert_str_own(want, gf_sh("git -C %s show HEAD:Dockerfile", d));

	/* commit -a: git hands the hook a temporary index */
	stage(repo, d, "api/Dockerfile", CLEAN_FILE);
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, NULL), 0);
	gf_write(d, "api/Dockerfile", NEEDS_FIX2); /* tracked, not staged */
	free(cmd);
	cmd = tu_asprintf("git -C %s commit -q -a -m all", d);
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, NULL), 1);
	assert_str_own(want2, gf_read(d, "api/Dockerfile", NULL));
	assert_int_equal(tu_run(cmd, NULL, 0, NULL, NULL, NULL), 0);
	assert_str_own(want2, gf_sh("git -C %s show HEAD:api/Dockerfile", d));
	free(cmd);
	free(want);
	free(want2);
	repo_done(repo, d);
}

/* ---- .pre-commit-hooks.yaml ------------------------------------------------------------ */

/* The single-quoted value of "  key: '...'" in the first hook of yaml. */
static char *yaml_value(const char *yaml, const char *key)
{
	char *needle = tu_asprintf("\n  %s: '", key);
	const char *at = strstr(yaml, needle);
	assert_non_null(at);
	at += strlen(needle);
	const char *end = strstr(at, "'\n");
	assert_non_null(end);
	free(needle);
	return strndup(at, (size_t)(end - at));
}

/* The pre-commit framework's hooks: ids and entries, and files/exclude
 * patterns that pick exactly the names dockopt takes for Dockerfiles
 * (checked with Python's re, which the framework uses). */
static void test_precommit__framework_manifest(void **state)
{
	(void)state;
	char *yaml = tu_read_file(".pre-commit-hooks.yaml", NULL);
	assert_non_null(yaml);
	assert_non_null(strstr(yaml, "\n- id: dockopt\n"));
	assert_non_null(strstr(yaml, "\n  entry: dockopt fix --write\n"));
	char *files = yaml_value(yaml, "files"), *exclude = yaml_value(yaml, "exclude");
	free(yaml);
	if (tu_run("python3 -c 'import re'", NULL, 0, NULL, NULL, NULL) != 0) {
		tu_notice("test_precommit: python3 not found; the hook patterns were not checked");
		free(files);
		free(exclude);
		return;
	}
	static const char *const names[] = {
		"Dockerfile", "dockerfile", "DOCKERFILE", "a/b/Dockerfile", "Dockerfile.dev",
		"web/Dockerfile.prod", "Dockerfile.", "api.Dockerfile", "x/app.dockerfile",
		"Containerfile", "Containerfile.arm", "svc.Containerfile", ".Dockerfile",
		"Dockerfile.dockerignore", "Dockerfile.dev.dockerignore", "a.Dockerfile.dockerignore",
		"x.dockerignore.Dockerfile", "README.md", "Dockerfiles/README", "NotADockerfile",
		"Dockerfile/x", ".dockerignore", "docker-compose.yml", "Containerfile.containerignore",
		"a.Dockerfile.bak", NULL};
	dko_buf input = DKO_BUF_INIT, want = DKO_BUF_INIT;
	for (size_t i = 0; names[i]; i++) {
		dko_buf_printf(&input, "%s\n", names[i]);
		dko_buf_printf(&want, "%s %d\n", names[i], dko_is_dockerfile_name(names[i], NULL));
	}
	static const char script[] =
		"import re, sys\n"
		"inc, exc = re.compile(sys.argv[1]), re.compile(sys.argv[2])\n"
		"for n in sys.stdin.read().split():\n"
		"    print(n, int(bool(inc.search(n)) and not exc.search(n)))\n";
	char *path = tu_asprintf("%s/check.py", home_dir);
	assert_int_equal(tu_write_file(path, script, strlen(script)), 0);
	char *cmd = tu_asprintf("python3 %s '%s' '%s'", path, files, exclude);
	char *out = NULL;
	assert_int_equal(tu_run(cmd, input.ptr, input.len, &out, NULL, NULL), 0);
	assert_string_equal(out, want.ptr);
	free(out);
	free(cmd);
	free(path);
	free(files);
	free(exclude);
	dko_buf_release(&want);
	dko_buf_release(&input);
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

int main(void)
{
	home_dir = gf_isolate_env();
	dockopt_abs = realpath(tu_dockopt_bin(), NULL);
	if (!dockopt_abs) {
		fprintf(stderr, "test_precommit: %s not found (build it first)\n", tu_dockopt_bin());
		return 1;
	}
	fixes_available = changes(NEEDS_FIX) && changes(NEEDS_FIX2);
	if (!fixes_available)
		tu_notice("test_precommit: no registered pass changes the test Dockerfiles yet; "
		          "the tests that need a fix are skipped");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precommit__staged_fix),
		cmocka_unit_test(test_precommit__cli_exit_codes),
		cmocka_unit_test(test_precommit__partially_staged),
		cmocka_unit_test(test_precommit__no_dockerfile_staged),
		cmocka_unit_test(test_precommit__deleted_dockerfile),
		cmocka_unit_test(test_precommit__context_from_index),
		cmocka_unit_test(test_precommit__parse_error),
		cmocka_unit_test(test_precommit__kinds_and_modes),
		cmocka_unit_test(test_precommit__config_from_index),
		cmocka_unit_test(test_precommit__config_lookup),
		cmocka_unit_test(test_precommit__edit_paths),
		cmocka_unit_test(test_precommit__install_hook),
		cmocka_unit_test(test_precommit__hook_in_git_commit),
		cmocka_unit_test(test_precommit__framework_manifest),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	dko_git_shutdown();
	tu_rmrf(home_dir);
	free(home_dir);
	free(dockopt_abs);
	return rc;
}
