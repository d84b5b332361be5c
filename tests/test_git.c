/*
 * test_git.c - the libgit2 layer (src/git.c), the diff layer (src/diff.c),
 * the atomic writer (src/util/fsutil.c) and redaction (src/util/redact.c).
 *
 * Repositories are made in /tmp through dockopt's own git API (libgit2); the
 * git CLI is used only to look at results independently and to run
 * `git daemon` for the push tests. HOME points to an empty folder so that the
 * user's ~/.gitconfig cannot change what a test sees.
 */
#include "testutil.h"
#include "http_server.h"

#include "diff.h"
#include "dockopt/common.h"
#include "git.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/redact.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *home_dir;

/* ---- helpers ------------------------------------------------------------ */

static char *patch_of(const char *op, const char *o, const char *np, const char *n,
                      unsigned ctx)
{
	dko_buf b = DKO_BUF_INIT;
	assert_int_equal(dko_git_patch(&b, op, o, o ? strlen(o) : 0, np, n, n ? strlen(n) : 0, ctx),
	                 0);
	return dko_buf_detach(&b, NULL);
}

/* Output of a shell command that must succeed. */
static char *sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char cmd[8192];
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char *out = NULL, *err = NULL;
	int rc = tu_run(cmd, NULL, 0, &out, NULL, &err);
	if (rc != 0)
		fail_msg("command failed (%d): %s\n%s", rc, cmd, err ? err : "");
	free(err);
	return out;
}

static void assert_sh(const char *expected, char *out)
{
	assert_string_equal(out, expected);
	free(out);
}

/* Like assert_sh, for an expected string the test made (freed too). */
static void assert_sh_own(char *expected, char *out)
{
	assert_sh(expected, out);
	free(expected);
}

static char *path_in(const char *dir, const char *rel)
{
	return tu_asprintf("%s/%s", dir, rel);
}

static void write_at(const char *dir, const char *rel, const char *data)
{
	char *p = path_in(dir, rel);
	assert_int_equal(tu_write_file(p, data, strlen(data)), 0);
	free(p);
}

static char *read_at(const char *dir, const char *rel)
{
	char *p = path_in(dir, rel);
	char *d = tu_read_file(p, NULL);
	free(p);
	return d;
}

static char *hex(const dko_git_oid *id)
{
	char *h = malloc(DKO_GIT_OID_HEXSZ);
	dko_git_oid_fmt(h, id);
	return h;
}

/* A commit of the current index on HEAD's branch (parent: HEAD if any). */
static void commit_index(dko_git_repo *repo, const char *msg, dko_git_oid *out)
{
	dko_git_oid tree, parent, id;
	assert_int_equal(dko_git_index_write_tree(&tree, repo), 0);
	bool has_parent = dko_git_resolve_commit(&parent, repo, "HEAD") == 0;
	dko_git_ident who = {"Test", "test@example.com"};
	assert_int_equal(
		dko_git_commit_create(&id, repo, &tree, &parent, has_parent ? 1 : 0, &who, msg), 0);
	assert_int_equal(dko_git_ref_set(repo, "refs/heads/main", &id, "commit"), 0);
	if (out)
		*out = id;
}

/* A new non-bare repository in a temp folder with files committed on main. */
static dko_git_repo *repo_with(char **dir, const char *const *files)
{
	*dir = tu_mkdtemp();
	dko_git_repo *repo;
	assert_int_equal(dko_git_repo_init(&repo, *dir, false, "main"), 0);
	for (size_t i = 0; files && files[i]; i += 2) {
		write_at(*dir, files[i], files[i + 1]);
		assert_int_equal(
			dko_git_index_add(repo, files[i], files[i + 1], strlen(files[i + 1]), 0), 0);
	}
	if (files && files[0])
		commit_index(repo, "initial\n", NULL);
	return repo;
}

/* ---- unified diffs -------------------------------------------------------- */

static void test_git__patch_golden(void **state)
{
	(void)state;
	static const struct {
		const char *op, *o, *np, *n, *want;
	} cases[] = {
		{"Dockerfile", "FROM a\nRUN x\n", "Dockerfile", "FROM a\nRUN y\n",
		 "diff --git a/Dockerfile b/Dockerfile\n"
		 "index 6026320..c0ebd42 100644\n"
		 "--- a/Dockerfile\n"
		 "+++ b/Dockerfile\n"
		 "@@ -1,2 +1,2 @@\n"
		 " FROM a\n"
		 "-RUN x\n"
		 "+RUN y\n"},
		/* a new file */
		{NULL, NULL, "sub/Dockerfile", "FROM b\n",
		 "diff --git a/sub/Dockerfile b/sub/Dockerfile\n"
		 "new file mode 100644\n"
		 "index 0000000..386d2de\n"
		 "--- /dev/null\n"
		 "+++ b/sub/Dockerfile\n"
		 "@@ -0,0 +1 @@\n"
		 "+FROM b\n"},
		/* a deletion */
		{"old.Dockerfile", "FROM c\n", NULL, NULL,
		 "diff --git a/old.Dockerfile b/old.Dockerfile\n"
		 "deleted file mode 100644\n"
		 "index 98f0f30..0000000\n"
		 "--- a/old.Dockerfile\n"
		 "+++ /dev/null\n"
		 "@@ -1 +0,0 @@\n"
		 "-FROM c\n"},
		/* no final newline on both sides */
		{"D", "FROM a", "D", "FROM b",
		 "diff --git a/D b/D\n"
		 "index 654ce4e..3c52f8b 100644\n"
		 "--- a/D\n"
		 "+++ b/D\n"
		 "@@ -1 +1 @@\n"
		 "-FROM a\n"
		 "\\ No newline at end of file\n"
		 "+FROM b\n"
		 "\\ No newline at end of file\n"},
		/* CRLF stays CRLF */
		{"D", "FROM a\r\nRUN x\r\n", "D", "FROM a\r\nRUN y\r\n",
		 "diff --git a/D b/D\n"
		 "index 17a6c95..c4a798e 100644\n"
		 "--- a/D\n"
		 "+++ b/D\n"
		 "@@ -1,2 +1,2 @@\n"
		 " FROM a\r\n"
		 "-RUN x\r\n"
		 "+RUN y\r\n"},
		/* identical: nothing */
		{"D", "same\n", "D", "same\n", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = patch_of(cases[i].op, cases[i].o, cases[i].np, cases[i].n, 3);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu:\n%s\nwanted:\n%s", i, got, cases[i].want);
		free(got);
	}
}

static void test_git__patch_ids_match_git(void **state)
{
	(void)state;
	/* the abbreviated blob ids in "index" lines are git's own */
	char *d = tu_mkdtemp();
	write_at(d, "a", "FROM a\nRUN x\n");
	write_at(d, "b", "FROM a\nRUN y\n");
	char *want = sh("cd %s && git diff --no-index --no-color a b | sed -n 2p", d);
	char *got = patch_of("x", "FROM a\nRUN x\n", "x", "FROM a\nRUN y\n", 3);
	char *line2 = strchr(got, '\n') + 1;
	assert_memory_equal(line2, want, strlen(want));
	free(want);
	free(got);
	tu_rmrf(d);
	free(d);
}

static void test_git__patch_context_and_binary(void **state)
{
	(void)state;
	const char *o = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
	const char *n = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
	char *got = patch_of("f", o, "f", n, 1);
	assert_non_null(strstr(got, "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n"));
	free(got);
	got = patch_of("f", o, "f", n, 0);
	assert_non_null(strstr(got, "@@ -5 +5 @@\n-5\n+five\n"));
	free(got);

	dko_buf b = DKO_BUF_INIT;
	static const char bin_a[] = "\x7f" "ELF\0\1\2", bin_b[] = "\x7f" "ELF\0\1\3";
	assert_int_equal(dko_git_patch(&b, "img.bin", bin_a, 7, "img.bin", bin_b, 7, 3), 0);
	assert_non_null(strstr(b.ptr, "Binary files a/img.bin and b/img.bin differ\n"));
	dko_buf_release(&b);
	assert_int_equal(dko_git_patch(&b, "x", NULL, 3, "x", "a", 1, 3), DKO_EINVAL);
}

static void test_git__diff_unified(void **state)
{
	(void)state;
	dko_diff_file files[] = {
		{"a/Dockerfile", NULL, "FROM a\n", 7, "FROM b\n", 7},
		{"same/Dockerfile", NULL, "FROM s\n", 7, "FROM s\n", 7},
		{"new/Dockerfile", NULL, NULL, 0, "FROM n\n", 7},
		{"gone/Dockerfile", NULL, "FROM g\n", 7, NULL, 0},
	};
	dko_buf b = DKO_BUF_INIT;
	size_t changed = 99;
	assert_int_equal(dko_diff_unified(&b, &changed, files, 4, DKO_DIFF_CONTEXT), 0);
	assert_int_equal(changed, 3);
	/* the concatenation of the per-file patches, in order */
	char *p1 = patch_of("a/Dockerfile", "FROM a\n", "a/Dockerfile", "FROM b\n", 3);
	char *p2 = patch_of(NULL, NULL, "new/Dockerfile", "FROM n\n", 3);
	char *p3 = patch_of("gone/Dockerfile", "FROM g\n", NULL, NULL, 3);
	char *want = tu_asprintf("%s%s%s", p1, p2, p3);
	assert_string_equal(b.ptr, want);
	assert_non_null(strstr(b.ptr, "--- a/a/Dockerfile\n+++ b/a/Dockerfile\n"));

	/* git apply accepts it */
	char *d = tu_mkdtemp();
	write_at(d, "a/Dockerfile", "FROM a\n");
	write_at(d, "gone/Dockerfile", "FROM g\n");
	write_at(d, "x.patch", b.ptr);
	free(sh("cd %s && git apply x.patch", d));
	assert_sh("FROM b\n", read_at(d, "a/Dockerfile"));
	assert_sh("FROM n\n", read_at(d, "new/Dockerfile"));
	assert_null(read_at(d, "gone/Dockerfile"));
	tu_rmrf(d);
	free(d);
	free(p1);
	free(p2);
	free(p3);
	free(want);

	dko_buf_clear(&b);
	dko_diff_file bad = {"x", NULL, NULL, 0, NULL, 0};
	assert_int_equal(dko_diff_unified(&b, NULL, &bad, 1, 3), DKO_EINVAL);
	dko_buf_release(&b);
}

/* ---- the atomic writer ---------------------------------------------------- */

static int count_entries(const char *dir)
{
	char *out = sh("ls -A %s | wc -l", dir);
	int n = atoi(out);
	free(out);
	return n;
}

static void test_git__fs_write_atomic(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	char *f = path_in(d, "Dockerfile");
	write_at(d, "Dockerfile", "FROM old\n");
	assert_int_equal(chmod(f, 0751), 0);
	assert_int_equal(dko_fs_write_atomic(f, "FROM new\n", 9), 0);
	struct stat st;
	assert_int_equal(lstat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_sh("FROM new\n", read_at(d, "Dockerfile"));
	assert_int_equal(count_entries(d), 1); /* no temporary file left */

	/* a new file: 0666 minus the umask */
	mode_t old_mask = umask(022);
	char *g = path_in(d, "new");
	assert_int_equal(dko_fs_write_atomic(g, "x", 1), 0);
	assert_int_equal(stat(g, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(old_mask);

	/* empty contents */
	assert_int_equal(dko_fs_write_atomic(g, "", 0), 0);
	assert_int_equal(stat(g, &st), 0);
	assert_int_equal(st.st_size, 0);

	char *data;
	size_t len;
	assert_int_equal(dko_fs_read_file(&data, &len, f), 0);
	assert_int_equal(len, 9);
	assert_string_equal(data, "FROM new\n");
	free(data);
	char *missing = path_in(d, "nope/x");
	assert_int_equal(dko_fs_read_file(&data, &len, missing), DKO_ENOTFOUND);
	assert_int_equal(dko_fs_write_atomic(missing, "x", 1), DKO_ENOTFOUND);
	assert_int_equal(dko_fs_write_atomic(d, "x", 1), DKO_EINVAL); /* a folder */
	free(missing);
	free(f);
	free(g);
	tu_rmrf(d);
	free(d);
}

static void test_git__fs_write_through_symlink(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	write_at(d, "real/Dockerfile", "FROM old\n");
	char *target = path_in(d, "real/Dockerfile");
	assert_int_equal(chmod(target, 0600), 0);
	char *link1 = path_in(d, "link1"), *link2 = path_in(d, "sub/link2");
	assert_int_equal(symlink("real/Dockerfile", link1), 0); /* relative */
	write_at(d, "sub/.keep", "");
	assert_int_equal(symlink("../link1", link2), 0); /* a chain */
	assert_int_equal(dko_fs_write_atomic(link2, "FROM new\n", 9), 0);
	struct stat st;
	assert_int_equal(lstat(link1, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(link2, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_sh("FROM new\n", read_at(d, "real/Dockerfile"));

	/* a dangling link creates its target */
	char *dangling = path_in(d, "dangling");
	assert_int_equal(symlink("created", dangling), 0);
	assert_int_equal(dko_fs_write_atomic(dangling, "x\n", 2), 0);
	assert_sh("x\n", read_at(d, "created"));
	assert_int_equal(lstat(dangling, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* a loop */
	char *loop = path_in(d, "loop");
	assert_int_equal(symlink("loop", loop), 0);
	assert_int_equal(dko_fs_write_atomic(loop, "x", 1), DKO_EINVAL);
	free(loop);
	free(dangling);
	free(link1);
	free(link2);
	free(target);
	tu_rmrf(d);
	free(d);
}

static void test_git__redact(void **state)
{
	(void)state;
	setenv("GITHUB_TOKEN", "ghp_SECRET123", 1);
	dko_buf b = DKO_BUF_INIT;
	dko_redact(&b,
	           "https://x-access-token:ghp_SECRET123@github.com/o/r.git: token ghp_SECRET123 "
	           "and https://u:pw@h/x and http://plain/x and extra-SEKRIT",
	           "extra-SEKRIT");
	assert_string_equal(b.ptr, "https://***@github.com/o/r.git: token *** and https://***@h/x "
	                           "and http://plain/x and ***");
	dko_buf_release(&b);
	assert_int_equal(dko_error_set_redacted(DKO_EGIT, NULL, "bad %s", "ghp_SECRET123"),
	                 DKO_EGIT);
	assert_string_equal(dko_error_last(), "bad ***");
	unsetenv("GITHUB_TOKEN");
}

/* ---- repositories, the index, the working tree ---------------------------- */

static void test_git__open_and_config(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\n", "sub/x", "x\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	dko_git_repo *again;
	char *sub = path_in(d, "sub");
	assert_int_equal(dko_git_repo_open(&again, sub, 0), 0); /* found from a subfolder */
	char *wd = tu_asprintf("%s/", d);
	assert_string_equal(dko_git_repo_workdir(again), wd);
	char *gd = tu_asprintf("%s/.git/", d);
	assert_string_equal(dko_git_repo_gitdir(again), gd);

	char *hooks;
	assert_int_equal(dko_git_repo_hooks_dir(&hooks, again), 0);
	char *want = tu_asprintf("%s/.git/hooks/", d);
	assert_string_equal(hooks, want);
	free(hooks);
	free(want);
	assert_int_equal(dko_git_config_set(again, "core.hooksPath", "tools/hooks"), 0);
	assert_int_equal(dko_git_repo_hooks_dir(&hooks, again), 0);
	want = tu_asprintf("%s/tools/hooks", d);
	assert_string_equal(hooks, want);
	free(hooks);
	free(want);
	assert_sh("tools/hooks\n", sh("git -C %s config core.hooksPath", d));

	char *v;
	assert_int_equal(dko_git_config_get(&v, again, "no.such"), DKO_ENOTFOUND);
	assert_null(v);
	dko_git_repo_free(again);

	char *outside = tu_mkdtemp();
	assert_int_equal(dko_git_repo_open(&again, outside, 0), DKO_ENOTFOUND);
	assert_null(again);
	assert_non_null(strstr(dko_error_last(), "not in a git repository"));
	tu_rmrf(outside);
	free(outside);
	free(sub);
	free(wd);
	free(gd);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static const char *status_name(dko_git_status s)
{
	static char buf[2];
	buf[0] = (char)s;
	return buf;
}

static void test_git__staged(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\n", "old.Dockerfile", "FROM o\n",
	                                    "keep.txt", "k\n", "ita.txt", "i\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	dko_git_staged *st;
	size_t n;
	assert_int_equal(dko_git_staged_list(&st, &n, repo), 0);
	assert_int_equal(n, 0);
	dko_git_staged_free(st, n);

	write_at(d, "Dockerfile", "FROM b\n");
	assert_int_equal(dko_git_index_add(repo, "Dockerfile", "FROM b\n", 7, 0), 0);
	write_at(d, "sub/Dockerfile", "FROM s\n");
	assert_int_equal(dko_git_index_add(repo, "sub/Dockerfile", "FROM s\n", 7, 0), 0);
	assert_int_equal(dko_git_index_remove(repo, "old.Dockerfile"), 0);
	assert_int_equal(dko_git_index_remove(repo, "old.Dockerfile"), DKO_ENOTFOUND);
	/* an intent-to-add entry stages nothing */
	write_at(d, "later.txt", "l\n");
	free(sh("git -C %s add -N later.txt", d));

	assert_int_equal(dko_git_staged_list(&st, &n, repo), 0);
	dko_buf got = DKO_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		dko_buf_printf(&got, "%s\t%s\n", status_name(st[i].status), st[i].path);
	assert_sh(got.ptr, sh("git -C %s diff --cached --name-status --no-renames -- . "
	                      "':!later.txt'", d));
	assert_string_equal(got.ptr, "M\tDockerfile\nD\told.Dockerfile\nA\tsub/Dockerfile\n");
	assert_int_equal(st[0].old_mode, DKO_GIT_MODE_FILE);
	assert_int_equal(st[1].new_mode, 0);
	assert_int_equal(st[2].old_mode, 0);
	char *id = hex(&st[2].new_id);
	assert_sh_own(tu_asprintf("%s\n", id), sh("git -C %s rev-parse :sub/Dockerfile", d));
	free(id);
	dko_git_staged_free(st, n);
	dko_buf_release(&got);

	char *data;
	size_t len;
	uint32_t mode;
	assert_int_equal(dko_git_index_read(&data, &len, &mode, repo, "Dockerfile"), 0);
	assert_string_equal(data, "FROM b\n");
	assert_int_equal(mode, DKO_GIT_MODE_FILE);
	free(data);
	assert_int_equal(dko_git_head_read(&data, &len, repo, "Dockerfile"), 0);
	assert_string_equal(data, "FROM a\n");
	free(data);
	assert_int_equal(dko_git_index_read(&data, &len, NULL, repo, "old.Dockerfile"),
	                 DKO_ENOTFOUND);
	assert_int_equal(dko_git_head_read(&data, &len, repo, "old.Dockerfile"), 0);
	free(data);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__staged_before_first_commit(void **state)
{
	(void)state;
	char *d;
	dko_git_repo *repo = repo_with(&d, NULL);
	assert_int_equal(dko_git_index_add(repo, "Dockerfile", "FROM a\n", 7, 0), 0);
	dko_git_staged *st;
	size_t n;
	assert_int_equal(dko_git_staged_list(&st, &n, repo), 0);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].status, DKO_GIT_ADDED);
	assert_string_equal(st[0].path, "Dockerfile");
	dko_git_staged_free(st, n);
	char *data;
	size_t len;
	assert_int_equal(dko_git_head_read(&data, &len, repo, "Dockerfile"), DKO_ENOTFOUND);
	dko_git_oid id;
	assert_int_equal(dko_git_resolve_commit(&id, repo, "HEAD"), DKO_ENOTFOUND);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

/* The pre-commit situation: the index gets the fix, unstaged edits survive. */
static void test_git__stage_keeps_unstaged_edits(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\nRUN x\n", "run.sh", "#!/bin/sh\n",
	                                    NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	/* staged: RUN y; working tree: RUN y plus an unstaged line, CRLF and no
	 * final newline so that any normalisation would show */
	const char *staged = "FROM a\nRUN y\n";
	const char *worktree = "FROM a\nRUN y\nRUN unstaged\r\nEND";
	assert_int_equal(dko_git_index_add(repo, "Dockerfile", staged, strlen(staged), 0), 0);
	write_at(d, "Dockerfile", worktree);
	bool same = true;
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_false(same);

	const char *fixed = "FROM a\nRUN y && clean\n";
	dko_git_oid id;
	assert_int_equal(dko_git_index_stage(&id, repo, "Dockerfile", fixed, strlen(fixed)), 0);
	char *w = read_at(d, "Dockerfile");
	assert_string_equal(w, worktree); /* byte for byte */
	free(w);
	assert_sh(fixed, sh("git -C %s show :Dockerfile", d));
	char *h = hex(&id);
	assert_sh_own(tu_asprintf("%s\n", h), sh("git -C %s rev-parse :Dockerfile", d));
	free(h);
	/* git sees the unstaged edit against the new index (stat data cleared) */
	assert_sh("MM Dockerfile\n", sh("git -C %s status --porcelain -- Dockerfile", d));
	assert_sh("1\n", sh("git -C %s diff --quiet -- Dockerfile; echo $?", d));

	/* the mode of the entry is kept */
	free(sh("git -C %s update-index --chmod=+x run.sh", d));
	assert_int_equal(dko_git_index_stage(NULL, repo, "run.sh", "#!/bin/sh\nexit 0\n", 17), 0);
	assert_sh("100755\n", sh("git -C %s ls-files -s run.sh | cut -c1-6", d));
	assert_int_equal(dko_git_index_stage(NULL, repo, "nope", "x", 1), DKO_ENOTFOUND);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

/* After staging, git must not trust stat data recorded for the old blob:
 * the working file (unchanged, stat-clean) now differs from the index. */
static void test_git__stage_invalidates_stat(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	/* a stat-clean entry, old enough not to be "racily clean" */
	free(sh("cd %s && touch -d '2 hours ago' Dockerfile && git add Dockerfile && "
	        "git update-index --refresh >/dev/null; git diff --quiet; echo $?", d));
	assert_int_equal(dko_git_index_stage(NULL, repo, "Dockerfile", "FROM b\n", 7), 0);
	assert_sh("1\n", sh("git -C %s diff --quiet; echo $?", d));
	assert_sh("MM Dockerfile\n", sh("git -C %s status --porcelain", d));
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__stage_and_write_clean_file(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	write_at(d, "Dockerfile", "FROM b\n");
	assert_int_equal(dko_git_index_add(repo, "Dockerfile", "FROM b\n", 7, 0), 0);
	char *f = path_in(d, "Dockerfile");
	assert_int_equal(chmod(f, 0640), 0);
	bool same = false;
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_true(same);
	assert_int_equal(dko_git_index_stage(NULL, repo, "Dockerfile", "FROM c\n", 7), 0);
	assert_int_equal(dko_git_worktree_write(repo, "Dockerfile", "FROM c\n", 7), 0);
	assert_sh("FROM c\n", read_at(d, "Dockerfile"));
	struct stat st;
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_sh("M  Dockerfile\n", sh("git -C %s status --porcelain", d));
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_true(same);

	/* a missing working file and a symlink in place of a file never match */
	unlink(f);
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_false(same);
	write_at(d, "other", "FROM c\n");
	assert_int_equal(symlink("other", f), 0);
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_false(same);
	free(f);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__worktree_filters(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\nRUN x\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	assert_int_equal(dko_git_config_set(repo, "core.autocrlf", "true"), 0);
	write_at(d, "Dockerfile", "FROM a\r\nRUN x\r\n"); /* what a checkout writes */
	bool same = false;
	assert_int_equal(dko_git_worktree_matches_index(&same, repo, "Dockerfile"), 0);
	assert_true(same);
	assert_int_equal(dko_git_worktree_write(repo, "Dockerfile", "FROM a\nRUN y\n", 13), 0);
	assert_sh("FROM a\r\nRUN y\r\n", read_at(d, "Dockerfile"));
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__open_from_env(void **state)
{
	(void)state;
	static const char *const files[] = {"Dockerfile", "FROM a\n", NULL};
	char *d;
	dko_git_repo *repo = repo_with(&d, files);
	/* a second index file, as `git commit -a` hands to its hooks */
	free(sh("cp %s/.git/index %s/.git/other-index", d, d));
	char *other = tu_asprintf("%s/.git/other-index", d);
	setenv("GIT_INDEX_FILE", other, 1);
	dko_git_repo *hook;
	assert_int_equal(dko_git_repo_open(&hook, d, DKO_GIT_OPEN_FROM_ENV), 0);
	assert_int_equal(dko_git_index_stage(NULL, hook, "Dockerfile", "FROM env\n", 9), 0);
	unsetenv("GIT_INDEX_FILE");
	assert_sh("FROM env\n", sh("GIT_INDEX_FILE=%s git -C %s show :Dockerfile", other, d));
	assert_sh("FROM a\n", sh("git -C %s show :Dockerfile", d)); /* the main index */
	dko_git_repo_free(hook);
	free(other);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

/* ---- trees, commits, refs -------------------------------------------------- */

static char *list_text(dko_git_entry *e, size_t n)
{
	dko_buf b = DKO_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char h[DKO_GIT_OID_HEXSZ];
		dko_git_oid_fmt(h, &e[i].id);
		dko_buf_printf(&b, "%06o %s\t%s\n", (unsigned)e[i].mode, h, e[i].path);
	}
	return dko_buf_detach(&b, NULL);
}

/* `git ls-tree -r` in the same "mode id\tpath" form. */
static char *git_ls_tree(const char *dir, const char *rev)
{
	return sh("git -C %s ls-tree -r %s | sed 's/ blob / /; s/ commit / /'", dir, rev);
}

static void test_git__tree_update_and_list(void **state)
{
	(void)state;
	char *d;
	dko_git_repo *repo = repo_with(&d, NULL);
	dko_git_file base[] = {
		{"a/b/c.txt", "c\n", 2, 0, NULL},
		{"a/d.txt", "d\n", 2, 0, NULL},
		{"x", "x\n", 2, 0, NULL},
		{"run.sh", "#!/bin/sh\n", 10, DKO_GIT_MODE_EXEC, NULL},
		{"only/one", "1\n", 2, 0, NULL},
	};
	dko_git_oid t1, t2, c1;
	assert_int_equal(dko_git_tree_update(&t1, repo, NULL, base, 5), 0);
	assert_int_equal(dko_git_commit_create(&c1, repo, &t1, NULL, 0,
	                                       &(dko_git_ident){"T", "t@e"}, "base"),
	                 0);
	assert_int_equal(dko_git_ref_set(repo, "refs/heads/main", &c1, "base"), 0);
	dko_git_oid sub_commit = c1; /* any commit id will do for a gitlink */
	dko_git_file changes[] = {
		{"a/b/c.txt", "C\n", 2, 0, NULL},          /* replace, nested */
		{"a/new/deep/f.txt", "f\n", 2, 0, NULL},   /* add, new folders */
		{"x", NULL, 0, 0, NULL},                   /* remove */
		{"a.txt", "sorts before a/\n", 16, 0, NULL}, /* git's tree order */
		{"gone/never", NULL, 0, 0, NULL},          /* removing nothing */
		{"run.sh", "#!/bin/sh\nexit\n", 15, 0, NULL}, /* keeps 100755 */
		{"only/one", NULL, 0, 0, NULL},            /* empties a folder */
		{"link", "a/d.txt", 7, DKO_GIT_MODE_LINK, NULL},
		{"vendor/lib", NULL, 0, DKO_GIT_MODE_SUBMODULE, &sub_commit},
	};
	assert_int_equal(dko_git_tree_update(&t2, repo, "main", changes, 9), 0);
	char *h = hex(&t2);
	dko_git_entry *e;
	size_t n;
	assert_int_equal(dko_git_tree_list(&e, &n, repo, h), 0);
	char *mine = list_text(e, n);
	assert_sh(mine, git_ls_tree(d, h));
	char *paths = sh("git -C %s ls-tree -r --name-only %s | tr '\\n' ' '", d, h);
	assert_string_equal(paths, "a.txt a/b/c.txt a/d.txt a/new/deep/f.txt link run.sh "
	                           "vendor/lib ");
	free(paths);
	assert_int_equal(e[5].mode, DKO_GIT_MODE_EXEC);
	assert_int_equal(e[4].mode, DKO_GIT_MODE_LINK);
	assert_int_equal(e[6].mode, DKO_GIT_MODE_SUBMODULE);
	dko_git_entries_free(e, n);
	free(mine);

	char *data;
	size_t len;
	uint32_t mode;
	assert_int_equal(dko_git_tree_read(&data, &len, &mode, repo, h, "a/b/c.txt"), 0);
	assert_string_equal(data, "C\n");
	assert_int_equal(mode, DKO_GIT_MODE_FILE);
	free(data);
	assert_int_equal(dko_git_tree_read(&data, &len, NULL, repo, h, "a"), DKO_EINVAL);
	assert_int_equal(dko_git_tree_read(&data, &len, NULL, repo, h, "vendor/lib"), DKO_EINVAL);
	assert_int_equal(dko_git_tree_read(&data, &len, NULL, repo, h, "x"), DKO_ENOTFOUND);
	assert_int_equal(dko_git_tree_read(&data, &len, NULL, repo, "main", "x"), 0);
	free(data);
	assert_int_equal(dko_git_tree_read(&data, &len, NULL, repo, "no-such-branch", "x"),
	                 DKO_ENOTFOUND);
	dko_git_oid t;
	assert_int_equal(dko_git_resolve_tree(&t, repo, "main"), 0);
	assert_true(dko_git_oid_equal(&t, &t1));

	/* paths git would never hold are refused, nothing is written */
	static const char *const bad[] = {"../x", "a/../x", "/abs", ".git/config", "a//b", "a/",
	                                  "", "./x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dko_git_file f = {bad[i], "x", 1, 0, NULL};
		if (dko_git_tree_update(&t, repo, "main", &f, 1) != DKO_EINVAL)
			fail_msg("path '%s' accepted", bad[i]);
	}
	free(h);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__commit_identity(void **state)
{
	(void)state;
	char *d;
	dko_git_repo *repo = repo_with(&d, NULL);
	dko_git_oid tree, c1, c2;
	dko_git_file f = {"Dockerfile", "FROM a\n", 7, 0, NULL};
	assert_int_equal(dko_git_tree_update(&tree, repo, NULL, &f, 1), 0);

	/* nothing configured (HOME is empty): the error names what to set */
	assert_int_equal(dko_git_commit_create(&c1, repo, &tree, NULL, 0, NULL, "m"), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "user.name and user.email"));
	assert_int_equal(dko_git_config_set(repo, "user.name", "Config Name"), 0);
	assert_int_equal(dko_git_commit_create(&c1, repo, &tree, NULL, 0, NULL, "m"), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "set user.email in"));

	assert_int_equal(dko_git_config_set(repo, "user.email", "config@example.com"), 0);
	assert_int_equal(dko_git_commit_create(&c1, repo, &tree, NULL, 0, NULL,
	                                       "dockopt: optimize Dockerfiles\n\n- a\n- b"),
	                 0);
	char *h1 = hex(&c1);
	assert_sh("Config Name <config@example.com>|Config Name <config@example.com>\n",
	          sh("git -C %s log -1 --format='%%an <%%ae>|%%cn <%%ce>' %s", d, h1));
	assert_sh("dockopt: optimize Dockerfiles\n\n- a\n- b\n",
	          sh("git -C %s cat-file commit %s | sed '1,/^$/d'", d, h1));

	/* an explicit identity wins; a half one takes the rest from the config */
	dko_git_ident who = {"Bot", NULL};
	assert_int_equal(dko_git_commit_create(&c2, repo, &tree, &c1, 1, &who, "second\n"), 0);
	dko_git_commit_info ci;
	char *h2 = hex(&c2);
	assert_int_equal(dko_git_commit_lookup(&ci, repo, h2), 0);
	assert_string_equal(ci.author_name, "Bot");
	assert_string_equal(ci.author_email, "config@example.com");
	assert_string_equal(ci.committer_name, "Bot");
	assert_string_equal(ci.message, "second\n");
	assert_int_equal(ci.nparents, 1);
	assert_true(dko_git_oid_equal(&ci.parents[0], &c1));
	assert_true(dko_git_oid_equal(&ci.tree, &tree));
	assert_true(dko_git_oid_equal(&ci.id, &c2));
	dko_git_commit_info_release(&ci);

	/* refs */
	assert_int_equal(dko_git_ref_set(repo, "refs/heads/dockopt/optimize", &c2, "bot"), 0);
	dko_git_oid got;
	assert_int_equal(dko_git_ref_lookup(&got, repo, "refs/heads/dockopt/optimize"), 0);
	assert_true(dko_git_oid_equal(&got, &c2));
	assert_int_equal(dko_git_resolve_commit(&got, repo, "dockopt/optimize~1"), 0);
	assert_true(dko_git_oid_equal(&got, &c1));
	assert_int_equal(dko_git_ref_lookup(&got, repo, "refs/heads/none"), DKO_ENOTFOUND);
	assert_sh_own(tu_asprintf("%s\n", h2),
	              sh("git -C %s rev-parse refs/heads/dockopt/optimize", d));
	free(h1);
	free(h2);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

static void test_git__ident_parse(void **state)
{
	(void)state;
	char *name, *email;
	assert_int_equal(dko_git_ident_parse(&name, &email, "  Jane Q. Doe  <jane@x.org> "), 0);
	assert_string_equal(name, "Jane Q. Doe");
	assert_string_equal(email, "jane@x.org");
	free(name);
	free(email);
	static const char *const bad[] = {"Jane", "<j@x>", "Jane <>", "Jane <a> x", "J <a<b>"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dko_git_ident_parse(&name, &email, bad[i]), DKO_EINVAL);
		assert_null(name);
	}
	dko_git_oid id;
	assert_int_equal(dko_git_oid_parse(&id, "00112233445566778899aabbccddeeff00112233"), 0);
	char h[DKO_GIT_OID_HEXSZ];
	dko_git_oid_fmt(h, &id);
	assert_string_equal(h, "00112233445566778899aabbccddeeff00112233");
	assert_int_equal(dko_git_oid_parse(&id, "0011"), DKO_EINVAL);
	assert_int_equal(dko_git_oid_parse(&id, "g0112233445566778899aabbccddeeff00112233"),
	                 DKO_EINVAL);
}

/* ---- the tree-backed build context ---------------------------------------- */

static void check_ctx_list(const dko_context_ops *ops, void *c)
{
	char **names;
	size_t n;
	assert_int_equal(ops->list(c, "", &names, &n), 0);
	dko_buf b = DKO_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		dko_buf_printf(&b, "%s ", names[i]);
		free(names[i]);
	}
	free(names);
	/* bytewise, unlike git's tree order (which puts "a" after "a.txt") */
	assert_string_equal(b.ptr, "Dockerfile a a-b a.txt link mod ");
	dko_buf_release(&b);
	assert_int_equal(ops->list(c, "./a/", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "f");
	free(names[0]);
	free(names);
	assert_int_equal(ops->list(c, "mod", &names, &n), 0); /* a submodule: empty */
	assert_int_equal(n, 0);
	free(names);
	assert_int_equal(ops->list(c, "nope", &names, &n), DKO_ENOTFOUND);
	assert_int_equal(ops->list(c, "a.txt", &names, &n), DKO_EINVAL);
}

static void check_ctx_read(const dko_context_ops *ops, void *c)
{
	char *data;
	size_t len;
	assert_int_equal(ops->read(c, "Dockerfile", &data, &len), 0);
	assert_string_equal(data, "FROM a\n");
	assert_int_equal(len, 7);
	free(data);
	assert_int_equal(ops->read(c, "a//f", &data, &len), 0);
	assert_string_equal(data, "f\n");
	free(data);
	assert_int_equal(ops->read(c, "link", &data, &len), DKO_EINVAL);
	assert_int_equal(ops->read(c, "a", &data, &len), DKO_EINVAL);
	assert_int_equal(ops->read(c, "missing", &data, &len), DKO_ENOTFOUND);
	assert_int_equal(ops->read(c, "../top.txt", &data, &len), DKO_EINVAL);
}

static void check_ctx_kinds(const dko_context_ops *ops, void *c)
{
	static const struct {
		const char *rel;
		dko_ctx_kind kind;
	} kinds[] = {{"", DKO_CTX_DIR},          {"a", DKO_CTX_DIR},     {"a/f", DKO_CTX_FILE},
	             {"link", DKO_CTX_LINK},     {"mod", DKO_CTX_DIR},   {"missing", DKO_CTX_NONE},
	             {"link/x", DKO_CTX_NONE},   {"../top.txt", DKO_CTX_NONE}, {".", DKO_CTX_DIR}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		dko_ctx_kind k = DKO_CTX_FILE + DKO_CTX_DIR + DKO_CTX_LINK;
		assert_int_equal(ops->kind(c, kinds[i].rel, &k), 0);
		if (k != kinds[i].kind)
			fail_msg("kind of '%s': %d, wanted %d", kinds[i].rel, k, kinds[i].kind);
	}
}

static void test_git__context_ops(void **state)
{
	(void)state;
	char *d;
	dko_git_repo *repo = repo_with(&d, NULL);
	dko_git_oid tree, some;
	assert_int_equal(dko_git_blob_write(&some, repo, "x", 1), 0);
	dko_git_file files[] = {
		{"svc/Dockerfile", "FROM a\n", 7, 0, NULL},
		{"svc/a/f", "f\n", 2, 0, NULL},
		{"svc/a-b", "ab\n", 3, 0, NULL},
		{"svc/a.txt", "at\n", 3, 0, NULL},
		{"svc/link", "a.txt", 5, DKO_GIT_MODE_LINK, NULL},
		{"svc/mod", NULL, 0, DKO_GIT_MODE_SUBMODULE, &some},
		{"top.txt", "t\n", 2, 0, NULL},
	};
	assert_int_equal(dko_git_tree_update(&tree, repo, NULL, files, 7), 0);
	char *rev = hex(&tree);
	const dko_context_ops *ops = &dko_git_context_ops;
	void *c;
	assert_int_equal(dko_git_context_self(&c, repo, rev, "svc"), 0);
	check_ctx_list(ops, c);
	check_ctx_read(ops, c);
	check_ctx_kinds(ops, c);
	ops->free(c);

	/* the whole tree, and a root that is not a folder */
	assert_int_equal(dko_git_context_self(&c, repo, rev, NULL), 0);
	dko_ctx_kind k;
	assert_int_equal(ops->kind(c, "svc/a/f", &k), 0);
	assert_int_equal(k, DKO_CTX_FILE);
	ops->free(c);
	assert_int_equal(dko_git_context_self(&c, repo, rev, "top.txt"), DKO_ENOTFOUND);
	assert_null(c);
	free(rev);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

/* ---- remotes: fetch and push with a lease ----------------------------------- */

static void commit_file(dko_git_oid *out, dko_git_repo *repo, const char *base,
                        const dko_git_oid *parent, const char *path, const char *data,
                        const char *msg)
{
	dko_git_file f = {path, data, strlen(data), 0, NULL};
	dko_git_oid tree;
	assert_int_equal(dko_git_tree_update(&tree, repo, base, &f, 1), 0);
	dko_git_ident who = {"Dev", "dev@example.com"};
	assert_int_equal(dko_git_commit_create(out, repo, &tree, parent, parent ? 1 : 0, &who, msg),
	                 0);
}

static void assert_remote_ref(const char *bare, const char *ref, const dko_git_oid *want)
{
	char *h = hex(want);
	assert_sh_own(tu_asprintf("%s\n", h), sh("git --git-dir=%s rev-parse %s", bare, ref));
	free(h);
}

/* The PR bot's use of a remote: a developer's clone (dev), the bot's own
 * bare repository (bot), and the server-side bare repository (bare). */
typedef struct scenario {
	const char *bare;
	dko_git_repo *dev, *bot;
	dko_git_oid a, c1;
} scenario;

/* Point the local branch at commit and push it with the lease. */
static void push_branch(dko_git_repo *repo, const dko_git_oid *commit, const dko_git_oid *lease,
                        int want_rc)
{
	assert_int_equal(dko_git_ref_set(repo, "refs/heads/dockopt/optimize", commit, NULL), 0);
	assert_int_equal(dko_git_push(repo, "origin", "refs/heads/dockopt/optimize",
	                              "refs/heads/dockopt/optimize", lease),
	                 want_rc);
}

/* The developer publishes main; the bot fetches, fixes and pushes. */
static void scenario_first_run(scenario *sc)
{
	dko_git_oid got;
	commit_file(&sc->a, sc->dev, NULL, NULL, "Dockerfile", "FROM a\nRUN x\n", "base");
	assert_int_equal(dko_git_ref_set(sc->dev, "refs/heads/main", &sc->a, NULL), 0);
	assert_int_equal(
		dko_git_push(sc->dev, "origin", "refs/heads/main", "refs/heads/main", NULL), 0);
	assert_remote_ref(sc->bare, "refs/heads/main", &sc->a);

	assert_int_equal(dko_git_fetch(sc->bot, "origin"), 0);
	assert_int_equal(dko_git_remote_branch(&got, sc->bot, "origin", "main"), 0);
	assert_true(dko_git_oid_equal(&got, &sc->a));
	assert_int_equal(dko_git_remote_branch(&got, sc->bot, "origin", "dockopt/optimize"),
	                 DKO_ENOTFOUND);
	commit_file(&sc->c1, sc->bot, "refs/remotes/origin/main", &sc->a, "Dockerfile",
	            "FROM a\nRUN y\n", "dockopt: optimize 1 Dockerfile\n\nDockerfile: RUN x -> RUN y");
	push_branch(sc->bot, &sc->c1, NULL, 0);
	assert_remote_ref(sc->bare, "refs/heads/dockopt/optimize", &sc->c1);
	assert_sh("FROM a\nRUN y\n",
	          sh("git --git-dir=%s show dockopt/optimize:Dockerfile", sc->bare));
	assert_sh("dockopt: optimize 1 Dockerfile\n\nDockerfile: RUN x -> RUN y\n",
	          sh("git --git-dir=%s log -1 --format=%%B dockopt/optimize | sed '$d'", sc->bare));
	assert_remote_ref(sc->bare, "dockopt/optimize^", &sc->a);
	assert_int_equal(dko_git_remote_branch(&got, sc->bot, "origin", "dockopt/optimize"), 0);
	assert_true(dko_git_oid_equal(&got, &sc->c1)); /* the tracking ref moved */
}

/* Same base: the fix is already on the remote branch; a "must not exist"
 * lease is refused now that the branch exists. */
static void scenario_second_run(scenario *sc)
{
	assert_int_equal(dko_git_fetch(sc->bot, "origin"), 0);
	dko_git_commit_info ci;
	assert_int_equal(
		dko_git_commit_lookup(&ci, sc->bot, "refs/remotes/origin/dockopt/optimize"), 0);
	dko_git_oid want_tree;
	dko_git_file fix = {"Dockerfile", "FROM a\nRUN y\n", 13, 0, NULL};
	assert_int_equal(
		dko_git_tree_update(&want_tree, sc->bot, "refs/remotes/origin/main", &fix, 1), 0);
	assert_true(dko_git_oid_equal(&ci.tree, &want_tree));
	assert_true(ci.nparents == 1 && dko_git_oid_equal(&ci.parents[0], &sc->a));
	dko_git_commit_info_release(&ci);

	push_branch(sc->bot, &sc->c1, NULL, DKO_EGIT);
	assert_non_null(strstr(dko_error_last(), "expected (absent)"));
}

/* Someone else moves the branch: the bot's stale lease is refused. */
static void scenario_stale_lease(scenario *sc)
{
	dko_git_oid x, c2;
	assert_int_equal(dko_git_fetch(sc->dev, "origin"), 0);
	commit_file(&x, sc->dev, "refs/remotes/origin/dockopt/optimize", &sc->c1, "NOTES",
	            "hand edit\n", "manual");
	push_branch(sc->dev, &x, &sc->c1, 0);
	commit_file(&c2, sc->bot, "refs/remotes/origin/main", &sc->a, "Dockerfile",
	            "FROM a\nRUN z\n", "v2");
	push_branch(sc->bot, &c2, &sc->c1, DKO_EGIT);
	char *xh = hex(&x), *c1h = hex(&sc->c1);
	char *want = tu_asprintf("refs/heads/dockopt/optimize on the remote is %s, expected %s", xh,
	                         c1h);
	assert_non_null(strstr(dko_error_last(), want));
	free(want);
	free(xh);
	free(c1h);
	assert_remote_ref(sc->bare, "refs/heads/dockopt/optimize", &x);
}

/* The base moves: after a fetch the bot's fresh commit replaces the branch. */
static void scenario_new_base(scenario *sc)
{
	dko_git_oid b, c3, lease, got;
	commit_file(&b, sc->dev, "main", &sc->a, "README", "new base\n", "base 2");
	assert_int_equal(dko_git_ref_set(sc->dev, "refs/heads/main", &b, NULL), 0);
	assert_int_equal(
		dko_git_push(sc->dev, "origin", "refs/heads/main", "refs/heads/main", &sc->a), 0);
	assert_int_equal(dko_git_fetch(sc->bot, "origin"), 0);
	assert_int_equal(dko_git_remote_branch(&lease, sc->bot, "origin", "dockopt/optimize"), 0);
	commit_file(&c3, sc->bot, "refs/remotes/origin/main", &b, "Dockerfile", "FROM a\nRUN y\n",
	            "v3");
	push_branch(sc->bot, &c3, &lease, 0);
	assert_remote_ref(sc->bare, "refs/heads/dockopt/optimize", &c3);
	assert_remote_ref(sc->bare, "dockopt/optimize^", &b);
	assert_sh("README\n", sh("git --git-dir=%s ls-tree --name-only dockopt/optimize | "
	                         "grep README",
	                         sc->bare));

	/* fetch prunes tracking refs of branches deleted on the remote */
	assert_int_equal(dko_git_ref_set(sc->dev, "refs/heads/tmp", &b, NULL), 0);
	assert_int_equal(dko_git_push(sc->dev, "origin", "refs/heads/tmp", "refs/heads/tmp", NULL),
	                 0);
	assert_int_equal(dko_git_fetch(sc->bot, "origin"), 0);
	assert_int_equal(dko_git_remote_branch(&got, sc->bot, "origin", "tmp"), 0);
	free(sh("git --git-dir=%s branch -D tmp", sc->bare));
	assert_int_equal(dko_git_fetch(sc->bot, "origin"), 0);
	assert_int_equal(dko_git_remote_branch(&got, sc->bot, "origin", "tmp"), DKO_ENOTFOUND);
	assert_int_equal(dko_git_fetch(sc->bot, "nosuch"), DKO_ENOTFOUND);
}

static void remote_scenario(const char *url, const char *bare)
{
	char *dev_dir = tu_mkdtemp(), *bot_dir = tu_mkdtemp();
	scenario sc = {.bare = bare};
	assert_int_equal(dko_git_repo_init(&sc.dev, dev_dir, false, "main"), 0);
	assert_int_equal(dko_git_remote_add(sc.dev, "origin", url), 0);
	assert_int_equal(dko_git_repo_init(&sc.bot, bot_dir, true, "main"), 0);
	assert_int_equal(dko_git_remote_add(sc.bot, "origin", url), 0);
	scenario_first_run(&sc);
	scenario_second_run(&sc);
	scenario_stale_lease(&sc);
	scenario_new_base(&sc);
	dko_git_repo_free(sc.dev);
	dko_git_repo_free(sc.bot);
	tu_rmrf(dev_dir);
	tu_rmrf(bot_dir);
	free(dev_dir);
	free(bot_dir);
}

static void test_git__remote_file_url(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	char *bare = path_in(root, "remote.git");
	dko_git_repo *r;
	assert_int_equal(dko_git_repo_init(&r, bare, true, "main"), 0);
	dko_git_repo_free(r);
	char *url = tu_asprintf("file://%s", bare);
	remote_scenario(url, bare);
	free(url);
	free(bare);
	tu_rmrf(root);
	free(root);
}

/* Remote URLs as git rewrites them: insteadOf, pushInsteadOf, pushurl. */
static void test_git__remote_urls(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	char *bare = path_in(root, "real.git"), *other = path_in(root, "other.git");
	dko_git_repo *r, *local;
	assert_int_equal(dko_git_repo_init(&r, bare, true, "main"), 0);
	dko_git_repo_free(r);
	assert_int_equal(dko_git_repo_init(&r, other, true, "main"), 0);
	dko_git_repo_free(r);
	char *d;
	static const char *const files[] = {"Dockerfile", "FROM a\n", NULL};
	local = repo_with(&d, files);
	char *base = tu_asprintf("file://%s/", root);
	char *key = tu_asprintf("url.%s.insteadOf", base);
	assert_int_equal(dko_git_config_set(local, key, "fake:"), 0);
	free(key);
	assert_int_equal(dko_git_remote_add(local, "origin", "fake:real.git"), 0);
	assert_int_equal(dko_git_remote_add(local, "origin", "x"), DKO_EINVAL); /* exists */
	assert_int_equal(dko_git_remote_add(local, "bad name", "x"), DKO_EINVAL);
	char *url;
	assert_int_equal(dko_git_remote_url(&url, local, "origin"), 0);
	char *want = tu_asprintf("%sreal.git", base);
	assert_string_equal(url, want);
	free(url);
	assert_int_equal(dko_git_remote_url(&url, local, "none"), DKO_ENOTFOUND);
	assert_int_equal(dko_git_push(local, "origin", "refs/heads/main", "refs/heads/main", NULL),
	                 0);
	assert_sh("FROM a\n", sh("git --git-dir=%s show main:Dockerfile", bare));

	/* pushInsteadOf rewrites only what is pushed */
	char *alt = path_in(root, "push-real.git");
	assert_int_equal(dko_git_repo_init(&r, alt, true, "main"), 0);
	dko_git_repo_free(r);
	key = tu_asprintf("url.file://%s/push-.pushInsteadOf", root);
	assert_int_equal(dko_git_config_set(local, key, "fake:"), 0);
	free(key);
	assert_int_equal(dko_git_push(local, "origin", "refs/heads/main", "refs/heads/viapush", NULL),
	                 0);
	assert_sh("FROM a\n", sh("git --git-dir=%s show viapush:Dockerfile", alt));
	assert_int_equal(dko_git_remote_url(&url, local, "origin"), 0);
	assert_string_equal(url, want); /* fetching still uses insteadOf */
	free(url);
	free(alt);

	/* pushurl wins for pushes; fetches keep using url */
	char *other_url = tu_asprintf("file://%s", other);
	assert_int_equal(dko_git_config_set(local, "remote.origin.pushurl", other_url), 0);
	assert_int_equal(dko_git_push(local, "origin", "refs/heads/main", "refs/heads/pushed", NULL),
	                 0);
	assert_sh("FROM a\n", sh("git --git-dir=%s show pushed:Dockerfile", other));
	assert_int_equal(dko_git_fetch(local, "origin"), 0);
	dko_git_oid id;
	assert_int_equal(dko_git_remote_branch(&id, local, "origin", "main"), 0);
	free(want);
	free(other_url);
	free(base);
	free(bare);
	free(other);
	dko_git_repo_free(local);
	tu_rmrf(d);
	free(d);
	tu_rmrf(root);
	free(root);
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static bool port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Start `git daemon` serving root on 127.0.0.1; returns its pid or -1. */
static pid_t start_daemon(const char *root, int *port)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		*port = free_port();
		char base[4200], portopt[32];
		snprintf(base, sizeof(base), "--base-path=%s", root);
		snprintf(portopt, sizeof(portopt), "--port=%d", *port);
		pid_t pid = fork();
		if (pid == 0) {
			/* quiet: it reports every connection the lease tests cut */
			if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
				_exit(126);
			execlp("git", "git", "daemon", "--reuseaddr", base, "--export-all",
			       "--enable=receive-pack", "--informative-errors", portopt,
			       "--listen=127.0.0.1", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 100; i++) { /* up to 5 s */
			if (port_open(*port))
				return pid;
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break; /* it died: the port was taken meanwhile */
			nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
		}
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void test_git__remote_git_daemon(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	char *bare = path_in(root, "remote.git");
	dko_git_repo *r;
	assert_int_equal(dko_git_repo_init(&r, bare, true, "main"), 0);
	dko_git_repo_free(r);
	int port;
	pid_t pid = start_daemon(root, &port);
	if (pid < 0)
		fail_msg("git daemon did not start");
	char *url = tu_asprintf("git://127.0.0.1:%d/remote.git", port);
	remote_scenario(url, bare);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(url);
	free(bare);
	tu_rmrf(root);
	free(root);
}

/* ---- credentials over http ----------------------------------------------- */

static void always_401(void *ctx, const http_req *req, http_resp *resp)
{
	(void)ctx;
	(void)req;
	resp->status = 401;
	snprintf(resp->extra_headers, sizeof(resp->extra_headers),
	         "WWW-Authenticate: Basic realm=\"git\"\r\n");
	resp->content_type = "text/plain";
	http_resp_body(resp, "denied\n");
}

static void test_git__push_credentials_never_printed(void **state)
{
	(void)state;
	const char *token = "ghp_TESTTOKEN0123456789abcdef";
	http_server *srv = http_server_start(always_401, NULL);
	assert_non_null(srv);
	char *d;
	static const char *const files[] = {"Dockerfile", "FROM a\n", NULL};
	dko_git_repo *repo = repo_with(&d, files);
	char *url = tu_asprintf("http://127.0.0.1:%d/o/r.git", http_server_port(srv));
	assert_int_equal(dko_git_remote_add(repo, "origin", url), 0);
	char *url2 = tu_asprintf("http://someone:pw-URLSECRET-42@127.0.0.1:%d/o/r.git",
	                         http_server_port(srv));
	assert_int_equal(dko_git_remote_add(repo, "withpw", url2), 0);

	/* no token in the environment: the message says what to set */
	assert_int_equal(dko_git_push(repo, "origin", "refs/heads/main", "refs/heads/main", NULL),
	                 DKO_EGIT);
	assert_non_null(strstr(dko_error_last(), "DOCKOPT_GIT_TOKEN"));

	setenv("GITHUB_TOKEN", token, 1);
	assert_int_equal(dko_git_push(repo, "origin", "refs/heads/main", "refs/heads/main", NULL),
	                 DKO_EGIT);
	const char *msg = dko_error_last();
	assert_null(strstr(msg, token));
	assert_non_null(strstr(msg, "refused the token"));
	assert_int_equal(dko_git_fetch(repo, "withpw"), DKO_EGIT);
	msg = dko_error_last();
	assert_null(strstr(msg, token));
	assert_null(strstr(msg, "URLSECRET"));
	unsetenv("GITHUB_TOKEN");
	http_server_stop(srv);

	/* what reached the server: user x-access-token with the token */
	char *basic = sh("printf '%%s' 'x-access-token:%s' | base64 -w0", token);
	char *want = tu_asprintf("Basic %s", basic);
	bool sent = false;
	for (size_t i = 0; i < http_server_nrequests(srv); i++) {
		const char *auth = http_req_header(http_server_request(srv, i), "Authorization");
		sent |= auth && strcmp(auth, want) == 0;
	}
	assert_true(sent);
	free(basic);
	free(want);
	http_server_free(srv);
	free(url);
	free(url2);
	dko_git_repo_free(repo);
	tu_rmrf(d);
	free(d);
}

int main(void)
{
	home_dir = tu_mkdtemp();
	setenv("HOME", home_dir, 1);
	setenv("XDG_CONFIG_HOME", home_dir, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	for (size_t i = 0; dko_token_env_vars[i]; i++)
		unsetenv(dko_token_env_vars[i]);
	/* run from a hook, git would point these at the outer repository */
	static const char *const git_env[] = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
	                                      "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
	                                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE",
	                                      "GIT_CEILING_DIRECTORIES", "http_proxy", "HTTP_PROXY",
	                                      "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof(git_env) / sizeof(git_env[0]); i++)
		unsetenv(git_env[i]);
	/* the git CLI used to check results must not need an identity either */
	setenv("GIT_AUTHOR_NAME", "cli", 1);
	setenv("GIT_AUTHOR_EMAIL", "cli@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "cli", 1);
	setenv("GIT_COMMITTER_EMAIL", "cli@example.com", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_git__patch_golden),
		cmocka_unit_test(test_git__patch_ids_match_git),
		cmocka_unit_test(test_git__patch_context_and_binary),
		cmocka_unit_test(test_git__diff_unified),
		cmocka_unit_test(test_git__fs_write_atomic),
		cmocka_unit_test(test_git__fs_write_through_symlink),
		cmocka_unit_test(test_git__redact),
		cmocka_unit_test(test_git__open_and_config),
		cmocka_unit_test(test_git__staged),
		cmocka_unit_test(test_git__staged_before_first_commit),
		cmocka_unit_test(test_git__stage_keeps_unstaged_edits),
		cmocka_unit_test(test_git__stage_invalidates_stat),
		cmocka_unit_test(test_git__stage_and_write_clean_file),
		cmocka_unit_test(test_git__worktree_filters),
		cmocka_unit_test(test_git__open_from_env),
		cmocka_unit_test(test_git__tree_update_and_list),
		cmocka_unit_test(test_git__commit_identity),
		cmocka_unit_test(test_git__ident_parse),
		cmocka_unit_test(test_git__context_ops),
		cmocka_unit_test(test_git__remote_file_url),
		cmocka_unit_test(test_git__remote_git_daemon),
		cmocka_unit_test(test_git__remote_urls),
		cmocka_unit_test(test_git__push_credentials_never_printed),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	dko_git_shutdown();
	tu_rmrf(home_dir);
	free(home_dir);
	return rc;
}
