/*
 * test_context.c - the build context over real temporary folders: kinds,
 * reads, listings, escapes and symbolic links, the ignore file, the walker.
 */
#include "testutil.h"

#include "context.h"
#include "ignore.h"
#include "dockopt/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmp;

static void put(const char *rel, const char *text)
{
	char *p = tu_asprintf("%s/%s", tmp, rel);
	assert_int_equal(tu_write_file(p, text, strlen(text)), 0);
	free(p);
}

static void mk(const char *rel)
{
	char *p = tu_asprintf("%s/%s", tmp, rel);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void ln(const char *target, const char *rel)
{
	char *p = tu_asprintf("%s/%s", tmp, rel);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	tmp = tu_mkdtemp();
	if (!tmp)
		return -1;
	put("a.txt", "alpha\n");
	put("sub/b.txt", "beta");
	put("sub/deep/c.txt", "");
	put("secret/key", "k");
	mk("empty");
	ln("/etc", "etclink");
	ln("a.txt", "alink");
	ln("../..", "sub/up");
	char *fifo = tu_asprintf("%s/pipe", tmp);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	free(fifo);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(tmp);
	free(tmp);
	return 0;
}

static dko_context *open_tmp(void)
{
	dko_context *ctx;
	assert_int_equal(dko_context_open_dir(&ctx, tmp), 0);
	return ctx;
}

static void test_context__clean_path(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out; /* out NULL: DKO_EINVAL */
	} t[] = {
		{"", ""}, {".", ""}, {"./", ""}, {"a", "a"}, {"./a//b/", "a/b"}, {"a/./b/.", "a/b"},
		{"..", NULL}, {"../x", NULL}, {"a/../b", NULL}, {"/etc/passwd", NULL}, {"a/..", NULL},
		{"...", "..."}, {"..a/b..", "..a/b.."},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *out;
		int rc = dko_context_clean_path(&out, t[i].in);
		if (!t[i].out) {
			assert_int_equal(rc, DKO_EINVAL);
			assert_null(out);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, t[i].out);
		free(out);
	}
	char *out;
	assert_int_equal(dko_context_clean_path(&out, NULL), DKO_EINVAL);
}

static void test_context__kinds_and_reads(void **state)
{
	(void)state;
	dko_context *ctx = open_tmp();
	assert_string_equal(dko_context_label(ctx), tmp);
	assert_int_equal(dko_context_kind(ctx, ""), DKO_CTX_DIR);
	assert_int_equal(dko_context_kind(ctx, "a.txt"), DKO_CTX_FILE);
	assert_int_equal(dko_context_kind(ctx, "./sub//b.txt"), DKO_CTX_FILE);
	assert_int_equal(dko_context_kind(ctx, "sub/deep"), DKO_CTX_DIR);
	assert_int_equal(dko_context_kind(ctx, "nope"), DKO_CTX_NONE);
	assert_int_equal(dko_context_kind(ctx, "a.txt/x"), DKO_CTX_NONE);
	assert_int_equal(dko_context_kind(ctx, "etclink"), DKO_CTX_LINK);
	assert_int_equal(dko_context_kind(ctx, "alink"), DKO_CTX_LINK);
	/* A path through a link is reported as a link, never followed. */
	assert_int_equal(dko_context_kind(ctx, "etclink/passwd"), DKO_CTX_LINK);
	assert_int_equal(dko_context_kind(ctx, "sub/up/etc"), DKO_CTX_LINK);
	assert_true(dko_context_exists(ctx, "alink"));
	assert_false(dko_context_exists(ctx, "nope"));
	assert_false(dko_context_exists(ctx, "../etc/passwd"));

	char *data;
	size_t len;
	assert_int_equal(dko_context_read(ctx, "a.txt", &data, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "alpha\n");
	free(data);
	assert_int_equal(dko_context_read(ctx, "sub/deep/c.txt", &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	assert_int_equal(dko_context_read(ctx, "nope", &data, &len), DKO_ENOTFOUND);
	assert_null(data);
	assert_int_equal(dko_context_read(ctx, "alink", &data, &len), DKO_ENOTFOUND);
	assert_non_null(strstr(dko_error_last(), "symbolic link"));
	assert_int_equal(dko_context_read(ctx, "etclink/passwd", &data, &len), DKO_ENOTFOUND);
	assert_int_equal(dko_context_read(ctx, "../../etc/passwd", &data, &len), DKO_EINVAL);
	assert_int_equal(dko_context_read(ctx, "/etc/passwd", &data, &len), DKO_EINVAL);
	assert_int_equal(dko_context_read(ctx, "sub", &data, &len), DKO_EIO);
	/* A FIFO is not read (it would block). */
	assert_int_equal(dko_context_kind(ctx, "pipe"), DKO_CTX_FILE);
	assert_int_equal(dko_context_read(ctx, "pipe", &data, &len), DKO_EIO);
	assert_non_null(strstr(dko_error_last(), "not a regular file"));
	dko_context_free(ctx);
	dko_context_free(NULL);
}

static void test_context__list(void **state)
{
	(void)state;
	dko_context *ctx = open_tmp();
	char **names;
	size_t n;
	assert_int_equal(dko_context_list(ctx, "", &names, &n), 0);
	const char *want[] = {"a.txt", "alink", "empty", "etclink", "pipe", "secret", "sub"};
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(names[i], want[i]);
		free(names[i]);
	}
	free(names);
	assert_int_equal(dko_context_list(ctx, "empty", &names, &n), 0);
	assert_int_equal(n, 0);
	free(names);
	assert_int_equal(dko_context_list(ctx, "etclink", &names, &n), DKO_ENOTFOUND);
	assert_int_equal(dko_context_list(ctx, "a.txt", &names, &n), DKO_ENOTFOUND);
	assert_int_equal(dko_context_list(ctx, "sub/..", &names, &n), DKO_EINVAL);
	dko_context_free(ctx);

	assert_int_equal(dko_context_open_dir(&ctx, "/nonexistent/dockopt"), DKO_ENOTFOUND);
	assert_null(ctx);
}

static void test_context__ignore_file(void **state)
{
	(void)state;
	dko_context *ctx = open_tmp();
	assert_int_equal(dko_context_load_ignore(ctx, "Dockerfile"), 0);
	assert_null(dko_context_ignore_file(ctx));
	assert_null(dko_context_ignore(ctx));
	assert_false(dko_context_is_excluded(ctx, "secret/key"));

	/* .containerignore, then .dockerignore, then <Dockerfile>.dockerignore. */
	put(".containerignore", "sub\n");
	assert_int_equal(dko_context_load_ignore(ctx, NULL), 0);
	assert_string_equal(dko_context_ignore_file(ctx), ".containerignore");
	assert_true(dko_context_is_excluded(ctx, "sub/b.txt"));
	put(".dockerignore", "# comment\nsecret\n*.txt\n!a.txt\n");
	assert_int_equal(dko_context_load_ignore(ctx, "Dockerfile"), 0);
	assert_string_equal(dko_context_ignore_file(ctx), ".dockerignore");
	assert_true(dko_context_is_excluded(ctx, "secret/key"));
	assert_true(dko_context_is_excluded(ctx, "./secret"));
	assert_false(dko_context_is_excluded(ctx, "a.txt"));
	assert_false(dko_context_is_excluded(ctx, "sub/b.txt")); /* *.txt is top-level only */
	assert_false(dko_context_is_excluded(ctx, ""));
	put("docker/app.Dockerfile.dockerignore", "a.txt\n");
	assert_int_equal(dko_context_load_ignore(ctx, "./docker/app.Dockerfile"), 0);
	assert_string_equal(dko_context_ignore_file(ctx), "docker/app.Dockerfile.dockerignore");
	assert_true(dko_context_is_excluded(ctx, "a.txt"));
	assert_false(dko_context_is_excluded(ctx, "secret/key"));
	assert_int_equal(dko_ignore_count(dko_context_ignore(ctx)), 1);

	/* A bad pattern names the file and line; nothing stays loaded. */
	put(".dockerignore", "ok\n[oops\n");
	assert_int_equal(dko_context_load_ignore(ctx, NULL), DKO_ECONFIG);
	char *want = tu_asprintf("%s/.dockerignore:2:1: error: bad pattern \"[oops\": syntax error in pattern",
	                         tmp);
	assert_string_equal(dko_error_last(), want);
	free(want);
	assert_null(dko_context_ignore_file(ctx));
	assert_false(dko_context_is_excluded(ctx, "a.txt"));

	/* An ignore file that is a link is refused rather than guessed. */
	char *p = tu_asprintf("%s/.dockerignore", tmp);
	unlink(p);
	free(p);
	ln(".containerignore", ".dockerignore");
	assert_int_equal(dko_context_load_ignore(ctx, NULL), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "symbolic link"));
	p = tu_asprintf("%s/.dockerignore", tmp);
	unlink(p);
	free(p);
	p = tu_asprintf("%s/.containerignore", tmp);
	unlink(p);
	free(p);
	p = tu_asprintf("%s/docker", tmp);
	tu_rmrf(p);
	free(p);
	dko_context_free(ctx);
}

typedef struct collect {
	char text[4096];
	size_t len;
	const char *skip; /* folder to answer SKIP for */
	int fail_at;      /* entry number to fail at (1-based), 0 never */
	int count;
} collect;

static int on_entry(const dko_context_entry *e, void *payload)
{
	collect *c = payload;
	c->count++;
	if (c->fail_at && c->count == c->fail_at)
		return DKO_EIO;
	const char *k = e->kind == DKO_CTX_DIR ? "/" : e->kind == DKO_CTX_LINK ? "@" : "";
	if (c->len < sizeof(c->text) - 1) {
		int w = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s%s%s ",
		                 e->excluded ? "-" : "", e->path, k);
		c->len += (size_t)w;
		if (c->len >= sizeof(c->text))
			c->len = sizeof(c->text) - 1;
	}
	assert_int_equal(strrchr(e->path, '/') ? strcmp(strrchr(e->path, '/') + 1, e->name)
	                                       : strcmp(e->path, e->name), 0);
	if (c->skip && strcmp(e->path, c->skip) == 0)
		return DKO_CONTEXT_WALK_SKIP;
	return 0;
}

static void test_context__walk(void **state)
{
	(void)state;
	dko_context *ctx = open_tmp();
	collect c = {0};
	dko_context_walk_stats st;
	assert_int_equal(dko_context_walk(ctx, "", NULL, on_entry, &c, &st), 0);
	assert_string_equal(c.text, "a.txt alink@ empty/ etclink@ pipe secret/ secret/key sub/ "
	                            "sub/b.txt sub/deep/ sub/deep/c.txt sub/up@ ");
	assert_int_equal(st.entries, 12);
	assert_false(st.truncated);

	/* SKIP keeps the walker out of a folder. */
	c = (collect){.skip = "sub"};
	assert_int_equal(dko_context_walk(ctx, ".", NULL, on_entry, &c, NULL), 0);
	assert_null(strstr(c.text, "sub/b.txt"));

	/* A callback error stops the walk and is returned. */
	c = (collect){.fail_at = 3};
	assert_int_equal(dko_context_walk(ctx, "", NULL, on_entry, &c, NULL), DKO_EIO);
	assert_int_equal(c.count, 3);

	/* Bounds: entries and depth. */
	c = (collect){0};
	dko_context_walk_opts o = {.max_entries = 5};
	assert_int_equal(dko_context_walk(ctx, "", &o, on_entry, &c, &st), 0);
	assert_int_equal(st.entries, 5);
	assert_true(st.truncated);
	c = (collect){0};
	o = (dko_context_walk_opts){.max_depth = 1};
	assert_int_equal(dko_context_walk(ctx, "", &o, on_entry, &c, &st), 0);
	assert_null(strstr(c.text, "sub/b.txt"));
	assert_true(st.truncated);

	/* Starting below the root; a missing start is an error. */
	c = (collect){0};
	assert_int_equal(dko_context_walk(ctx, "sub/deep", NULL, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, "sub/deep/c.txt ");
	assert_int_equal(dko_context_walk(ctx, "nope", NULL, on_entry, &c, NULL), DKO_ENOTFOUND);
	assert_int_equal(dko_context_walk(ctx, "../x", NULL, on_entry, &c, NULL), DKO_EINVAL);
	dko_context_free(ctx);
}

static void test_context__walk_ignored(void **state)
{
	(void)state;
	put(".dockerignore", "sub\n!sub/deep\nsecret\n*.txt\n!a.txt\n.dockerignore\n");
	dko_context *ctx = open_tmp();
	assert_int_equal(dko_context_load_ignore(ctx, NULL), 0);
	collect c = {0};
	assert_int_equal(dko_context_walk(ctx, "", NULL, on_entry, &c, NULL), 0);
	/* what the build receives: sub is walked for its exception, secret is not */
	assert_string_equal(c.text, "a.txt alink@ empty/ etclink@ pipe sub/deep/ sub/deep/c.txt ");
	c = (collect){0};
	dko_context_walk_opts all = {.all = true};
	assert_int_equal(dko_context_walk(ctx, "", &all, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, "-.dockerignore a.txt alink@ empty/ etclink@ pipe -secret/ "
	                            "-secret/key -sub/ -sub/b.txt sub/deep/ sub/deep/c.txt -sub/up@ ");
	/* Walking from inside an excluded folder keeps the parent rule. */
	c = (collect){0};
	assert_int_equal(dko_context_walk(ctx, "sub", &all, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, "-sub/b.txt sub/deep/ sub/deep/c.txt -sub/up@ ");
	c = (collect){0};
	assert_int_equal(dko_context_walk(ctx, "secret", NULL, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, "");
	c = (collect){0};
	assert_int_equal(dko_context_walk(ctx, "secret", &all, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, "-secret/key ");
	dko_context_free(ctx);
	char *p = tu_asprintf("%s/.dockerignore", tmp);
	unlink(p);
	free(p);
}

/* A tree bigger than the bound: the walk stops and says so, quickly. */
static void test_context__big_tree(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	for (int d = 0; d < 20; d++) {
		for (int f = 0; f < 150; f++) {
			char *p = tu_asprintf("%s/d%02d/f%03d", root, d, f);
			assert_int_equal(tu_write_file(p, "x", 1), 0);
			free(p);
		}
	}
	dko_context *ctx;
	assert_int_equal(dko_context_open_dir(&ctx, root), 0);
	collect c = {0};
	dko_context_walk_stats st;
	assert_int_equal(dko_context_walk(ctx, "", NULL, on_entry, &c, &st), 0);
	assert_int_equal(st.entries, 20 + 20 * 150);
	assert_false(st.truncated);
	dko_context_walk_opts o = {.max_entries = 1000};
	c = (collect){0};
	assert_int_equal(dko_context_walk(ctx, "", &o, on_entry, &c, &st), 0);
	assert_int_equal(st.entries, 1000);
	assert_true(st.truncated);
	dko_context_free(ctx);
	tu_rmrf(root);
	free(root);
}

/* ---- a backend written against the ops table (as the git one is) ---- */

typedef struct mem {
	int calls;
	char last[256];
} mem;

static int mem_list(void *self, const char *rel, char ***names, size_t *n)
{
	mem *m = self;
	m->calls++;
	snprintf(m->last, sizeof(m->last), "%s", rel);
	if (rel[0])
		return DKO_ENOTFOUND;
	*names = calloc(2, sizeof(char *));
	(*names)[0] = strdup(".dockerignore");
	(*names)[1] = strdup("f");
	*n = 2;
	return 0;
}

static int mem_read(void *self, const char *rel, char **data, size_t *len)
{
	mem *m = self;
	m->calls++;
	snprintf(m->last, sizeof(m->last), "%s", rel);
	if (strcmp(rel, ".dockerignore") != 0)
		return DKO_ENOTFOUND;
	*data = strdup("f\n");
	*len = 2;
	return 0;
}

static int mem_kind(void *self, const char *rel, dko_ctx_kind *out)
{
	mem *m = self;
	m->calls++;
	snprintf(m->last, sizeof(m->last), "%s", rel);
	*out = !strcmp(rel, "f") || !strcmp(rel, ".dockerignore") ? DKO_CTX_FILE
	       : rel[0]                                          ? DKO_CTX_NONE
	                                                         : DKO_CTX_DIR;
	return 0;
}

static void mem_free(void *self)
{
	free(self);
}

static void test_context__custom_backend(void **state)
{
	(void)state;
	static const dko_context_ops ops = {mem_list, mem_read, mem_kind, mem_free};
	mem *m = calloc(1, sizeof(*m));
	dko_context *ctx;
	assert_int_equal(dko_context_new(&ctx, &ops, m, "git:HEAD"), 0);
	assert_true(dko_context_exists(ctx, "./f"));
	assert_string_equal(m->last, "f"); /* the backend sees canonical paths */
	int before = m->calls;
	assert_false(dko_context_exists(ctx, "../f"));
	assert_int_equal(m->calls, before); /* escapes never reach it */
	assert_int_equal(dko_context_load_ignore(ctx, NULL), 0);
	assert_string_equal(dko_context_ignore_file(ctx), ".dockerignore");
	assert_true(dko_context_is_excluded(ctx, "f"));
	collect c = {0};
	assert_int_equal(dko_context_walk(ctx, "", NULL, on_entry, &c, NULL), 0);
	assert_string_equal(c.text, ".dockerignore ");
	dko_context_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_context__clean_path),
		cmocka_unit_test(test_context__kinds_and_reads),
		cmocka_unit_test(test_context__list),
		cmocka_unit_test(test_context__ignore_file),
		cmocka_unit_test(test_context__walk),
		cmocka_unit_test(test_context__walk_ignored),
		cmocka_unit_test(test_context__big_tree),
		cmocka_unit_test(test_context__custom_backend),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
