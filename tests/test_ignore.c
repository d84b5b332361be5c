/*
 * test_ignore.c - .dockerignore reading and matching. The tables restate the
 * documented behaviour and the cases of moby/patternmatcher's and Go's
 * filepath.Match tests (facts, not code); the walk cases follow fsutil.
 */
#include "testutil.h"

#include "ignore.h"
#include "goregex.h"
#include "dockopt/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dko_ignore *parse_ok(const char *text)
{
	dko_ignore *ig = NULL;
	int rc = dko_ignore_parse(&ig, text, strlen(text), ".dockerignore");
	if (rc != 0)
		fail_msg("parse of \"%s\" failed: %s", text, dko_error_last());
	return ig;
}

/* Single-pattern match the way MatchesOrParentMatches answers. */
static bool match1(const dko_ignore *ig, const char *path)
{
	unsigned char st[64];
	assert_true(dko_ignore_state_size(ig) <= sizeof(st));
	return dko_ignore_match(ig, path, NULL, st);
}

static void test_ignore__patternmatcher_table(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *text;
		bool pass;
	} t[] = {
		{"**", "file", true}, {"**", "file/", true}, {"**/", "file", true},
		{"**/", "file/", true}, {"**", "/", true}, {"**/", "/", true},
		{"**", "dir/file", true}, {"**/", "dir/file", true}, {"**", "dir/file/", true},
		{"**/", "dir/file/", true}, {"**/**", "dir/file", true}, {"**/**", "dir/file/", true},
		{"dir/**", "dir/file", true}, {"dir/**", "dir/file/", true},
		{"dir/**", "dir/dir2/file", true}, {"dir/**", "dir/dir2/file/", true},
		{"**/dir", "dir", true}, {"**/dir", "dir/file", true},
		{"**/dir2/*", "dir/dir2/file", true}, {"**/dir2/*", "dir/dir2/file/", true},
		{"**/dir2/**", "dir/dir2/dir3/file", true}, {"**/dir2/**", "dir/dir2/dir3/file/", true},
		{"**file", "file", true}, {"**file", "dir/file", true}, {"**/file", "dir/file", true},
		{"**file", "dir/dir/file", true}, {"**/file", "dir/dir/file", true},
		{"**/file*", "dir/dir/file", true}, {"**/file*", "dir/dir/file.txt", true},
		{"**/file*txt", "dir/dir/file.txt", true}, {"**/file*.txt", "dir/dir/file.txt", true},
		{"**/file*.txt*", "dir/dir/file.txt", true}, {"**/**/*.txt", "dir/dir/file.txt", true},
		{"**/**/*.txt2", "dir/dir/file.txt", false}, {"**/*.txt", "file.txt", true},
		{"**/**/*.txt", "file.txt", true}, {"a**/*.txt", "a/file.txt", true},
		{"a**/*.txt", "a/dir/file.txt", true}, {"a**/*.txt", "a/dir/dir/file.txt", true},
		{"a/*.txt", "a/dir/file.txt", false}, {"a/*.txt", "a/file.txt", true},
		{"a/*.txt**", "a/file.txt", true}, {"a[b-d]e", "ae", false}, {"a[b-d]e", "ace", true},
		{"a[b-d]e", "aae", false}, {"a[^b-d]e", "aze", true}, {".*", ".foo", true},
		{".*", "foo", false}, {"abc.def", "abcdef", false}, {"abc.def", "abc.def", true},
		{"abc.def", "abcZdef", false}, {"abc?def", "abcZdef", true}, {"abc?def", "abcdef", false},
		{"a\\\\", "a\\", true}, {"**/foo/bar", "foo/bar", true}, {"**/foo/bar", "dir/foo/bar", true},
		{"**/foo/bar", "dir/dir2/foo/bar", true}, {"abc/**", "abc", false},
		{"abc/**", "abc/def", true}, {"abc/**", "abc/def/ghi", true}, {"**/.foo", ".foo", true},
		{"**/.foo", "bar.foo", false}, {"a(b)c/def", "a(b)c/def", true},
		{"a(b)c/def", "a(b)c/xyz", false}, {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
		{"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
		 "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
		{"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
		{"a\\*b", "a*b", true},
		/* Go's filepath.Match cases patternmatcher also runs */
		{"abc", "abc", true}, {"*", "abc", true}, {"*c", "abc", true}, {"a*", "a", true},
		{"a*", "abc", true}, {"a*", "ab/c", true}, {"a*/b", "abc/b", true},
		{"a*/b", "a/c/b", false}, {"a*b*c*d*e*/f", "axbxcxdxe/f", true},
		{"a*b*c*d*e*/f", "axbxcxdxexxx/f", true}, {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false},
		{"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false}, {"a*b?c*x", "abxbbxdbxebxczzx", true},
		{"a*b?c*x", "abxbbxdbxebxczzy", false}, {"ab[c]", "abc", true}, {"ab[b-d]", "abc", true},
		{"ab[e-g]", "abc", false}, {"ab[^c]", "abc", false}, {"ab[^b-d]", "abc", false},
		{"ab[^e-g]", "abc", true}, {"a\\*b", "ab", false}, {"a?b", "a\xe2\x98\xba" "b", true},
		{"a[^a]b", "a\xe2\x98\xba" "b", true}, {"a???b", "a\xe2\x98\xba" "b", false},
		{"a[^a][^a][^a]b", "a\xe2\x98\xba" "b", false}, {"[a-\xce\xb6]*", "\xce\xb1", true},
		{"*[a-\xce\xb6]", "A", false}, {"a?b", "a/b", false}, {"a*b", "a/b", false},
		{"[\\]a]", "]", true}, {"[\\-]", "-", true}, {"[x\\-]", "x", true}, {"[x\\-]", "-", true},
		{"[x\\-]", "z", false}, {"[\\-x]", "x", true}, {"[\\-x]", "-", true},
		{"[\\-x]", "a", false}, {"*x", "xxx", true},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_ignore *ig = parse_ok(t[i].pattern);
		if (match1(ig, t[i].text) != t[i].pass)
			fail_msg("pattern \"%s\" text \"%s\": expected %d", t[i].pattern, t[i].text, t[i].pass);
		dko_ignore_free(ig);
	}
}

static void test_ignore__bad_patterns(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "!",
		"a/[", "x*[", "[z-a]", /* Go's regexp rejects the reversed range */
		"\\q",                 /* \q is an invalid escape in the regexp */
		"a\\8",                /* a lone \8 is neither octal nor a back-reference Go takes */
		"x{1001}*",            /* counts are limited to 1000 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dko_ignore *ig = (dko_ignore *)1;
		int rc = dko_ignore_parse(&ig, bad[i], strlen(bad[i]), ".dockerignore");
		if (rc != DKO_ECONFIG)
			fail_msg("pattern \"%s\" should be rejected", bad[i]);
		assert_null(ig);
		assert_non_null(strstr(dko_error_last(), ".dockerignore:1:1: error: bad pattern"));
	}
	/* The message locates the line and column of the pattern. */
	const char *text = "node_modules\n# c\n\n   !\n";
	dko_ignore *ig;
	assert_int_equal(dko_ignore_parse(&ig, text, strlen(text), "ctx/.dockerignore"), DKO_ECONFIG);
	assert_string_equal(dko_error_last(), "ctx/.dockerignore:4:4: error: bad pattern \"!\": "
	                                      "illegal exclusion pattern: \"!\"");
	text = "ok\n  bad[\n";
	assert_int_equal(dko_ignore_parse(&ig, text, strlen(text), "x"), DKO_ECONFIG);
	assert_string_equal(dko_error_last(), "x:2:3: error: bad pattern \"bad[\": syntax error in pattern");
	/* A line longer than Go's bufio.Scanner token limit fails the build. */
	size_t n = 70000;
	char *huge = malloc(n + 1);
	memset(huge, 'a', n);
	huge[n] = '\0';
	assert_int_equal(dko_ignore_parse(&ig, huge, n, "x"), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "line too long"));
	free(huge);
}

static void test_ignore__compile_forms(void **state)
{
	(void)state;
	/* Regexp text patternmatcher builds, or NULL for exact/prefix/suffix. */
	static const struct {
		const char *pattern, *regex;
	} t[] = {
		{"*", "^[^/]*$"}, {"file*", "^file[^/]*$"}, {"*file", "^[^/]*file$"},
		{"a*/b", "^a[^/]*/b$"}, {"**", NULL}, {"**/**", "^(.*/)?.*$"}, {"dir/**", NULL},
		{"**/dir", NULL}, {"**/dir2/*", "^(.*/)?dir2/[^/]*$"}, {"**/dir2/**", "^(.*/)?dir2/.*$"},
		{"**file", NULL}, {"**/file*txt", "^(.*/)?file[^/]*txt$"},
		{"**/**/*.txt", "^(.*/)?(.*/)?[^/]*\\.txt$"}, {"a[b-d]e", "^a[b-d]e$"},
		{".*", "^\\.[^/]*$"}, {"abc.def", NULL}, {"abc?def", "^abc[^/]def$"},
		{"**/foo/bar", NULL}, {"a(b)c/def", NULL}, {"a.|)$(}+{bc", NULL},
		/* '|', '{' and '}' are not escaped (the bitmap bug), '^' neither */
		{"a|b*", "^a|b[^/]*$"}, {"x{2}*", "^x{2}[^/]*$"}, {"a^b*", "^a^b[^/]*$"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_ignore *ig = parse_ok(t[i].pattern);
		const char *re = dko_ignore_pattern_regex(ig, 0);
		if (t[i].regex == NULL ? re != NULL : (re == NULL || strcmp(re, t[i].regex) != 0))
			fail_msg("pattern \"%s\": regex %s, expected %s", t[i].pattern, re ? re : "(none)",
			         t[i].regex ? t[i].regex : "(none)");
		dko_ignore_free(ig);
	}
}

static void test_ignore__go_regexp_semantics(void **state)
{
	(void)state;
	/* What Docker does with regexp syntax that reaches Go's regexp. */
	static const struct {
		const char *pattern, *text;
		bool pass;
	} t[] = {
		{"a|b*", "a", true},         /* ^a | b[^/]*$ : a prefix "a" is enough */
		{"a|b*", "ax/y", true},      {"a|b*", "xb", true},  /* b[^/]*$ matches inside */
		{"a|b*", "c/d", false},      {"x{1001}", "x{1001}", true}, /* exact: no regexp */
		{"x{2}*", "xx.log", true},   {"x{2}*", "x.log", false},
		{"x{,2}*", "x{,2}y", true},  /* not a count: literal braces */
		{"[[:digit:]]*", "7up", true}, {"[[:digit:]]*", "up", false},
		{"\\d*.log", "1-a.log", true}, {"\\d*.log", "a.log", false},
		{"a^b*", "a^b", false},      /* '^' asserts the start: never matches here */
		{"[*]x", "[//]x", true},     /* becomes [[^/]*]x: a class of "[^/" then "]x" */
		{"[*]x", "*x", false},
		{"\\x41*", "AB", true},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_ignore *ig = parse_ok(t[i].pattern);
		if (match1(ig, t[i].text) != t[i].pass)
			fail_msg("pattern \"%s\" text \"%s\": expected %d", t[i].pattern, t[i].text, t[i].pass);
		dko_ignore_free(ig);
	}
	/* Syntax Docker accepts that dockopt does not model is refused clearly. */
	dko_ignore *ig;
	assert_int_equal(dko_ignore_parse(&ig, "\\pL*", 4, "x"), DKO_ECONFIG);
	assert_non_null(strstr(dko_error_last(), "not supported by dockopt"));
}

static void test_ignore__reading(void **state)
{
	(void)state;
	/* The same file with LF, CRLF and no final newline, and a BOM. */
	const char *texts[] = {
		"\xEF\xBB\xBF# comment\n  # not a comment\n\n /abs/x \n!  ./keep/../keep/it\n./a//b/\n\t*.log\t\n",
		"\xEF\xBB\xBF# comment\r\n  # not a comment\r\n\r\n /abs/x \r\n!  ./keep/../keep/it\r\n./a//b/\r\n\t*.log\t\r\n",
		"\xEF\xBB\xBF# comment\n  # not a comment\n\n /abs/x \n!  ./keep/../keep/it\n./a//b/\n\t*.log\t",
	};
	static const struct {
		const char *text;
		bool exception;
		unsigned line;
	} want[] = {
		{"# not a comment", false, 2}, {"abs/x", false, 4}, {"keep/it", true, 5},
		{"a/b", false, 6}, {"*.log", false, 7},
	};
	for (size_t k = 0; k < 3; k++) {
		dko_ignore *ig = parse_ok(texts[k]);
		assert_int_equal(dko_ignore_count(ig), 5);
		for (size_t i = 0; i < 5; i++) {
			bool exc;
			unsigned line;
			assert_string_equal(dko_ignore_pattern(ig, i, &exc, &line), want[i].text);
			assert_int_equal(exc, want[i].exception);
			assert_int_equal(line, want[i].line);
		}
		assert_true(dko_ignore_has_exceptions(ig));
		assert_true(dko_ignore_excludes(ig, "# not a comment"));
		dko_ignore_free(ig);
	}
	/* Odd lines as Docker reads them. */
	static const struct {
		const char *line, *pattern;
	} odd[] = {
		{"/", "/"},      {"..", ".."},   {"../x", "../x"}, {"a/../../b", "../b"},
		{"!/x", "x"},    {".", "."},     {"x/.", "x"},     {"\xc2\xa0x\xe3\x80\x80", "x"},
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		dko_ignore *ig = parse_ok(odd[i].line);
		assert_string_equal(dko_ignore_pattern(ig, 0, NULL, NULL), odd[i].pattern);
		dko_ignore_free(ig);
	}
	dko_ignore *ig = parse_ok("");
	assert_int_equal(dko_ignore_count(ig), 0);
	assert_false(dko_ignore_excludes(ig, "anything"));
	dko_ignore_free(ig);
}

static void test_ignore__walk(void **state)
{
	(void)state;
	static const struct {
		const char *file; /* ignore file */
		const char *path;
		bool excluded;
	} t[] = {
		/* a folder pattern excludes everything below it */
		{"node_modules", "node_modules/a/b.js", true},
		{"node_modules", "src/node_modules/a", false},
		{"**/node_modules", "src/node_modules/a", true},
		{"docs/", "docs/README.md", true},
		/* the last matching pattern wins; '!' re-includes */
		{"*.md\n!README.md", "README.md", false},
		{"!README.md\n*.md", "README.md", true},
		{"docs\n!docs/README.md", "docs/README.md", false},
		{"docs\n!docs/README.md", "docs/other.md", true},
		{"docs\n!docs/README.md", "docs", true},
		{"docs/*\n!docs/README.md", "docs/README.md", false},
		{"**\n!util/docker/web", "util/docker/web/foo", false},
		{"**\n!util/docker/web\nutil/docker/web/foo", "util/docker/web/foo", true},
		{"*\n!src\n!package.json", "src/app/main.js", false},
		{"*\n!src\n!package.json", "test/x.js", true},
		{"*\n!src\n!package.json", "package.json", false},
		/* an exception with glob characters keeps every folder walked */
		{"vendor\n!vendor/**/*.go", "vendor/a/b.go", false},
		{"vendor\n!vendor/**/*.go", "vendor/a/b.c", true},
		/* ...without them, a folder that no exception names is not entered,
		 * so an exception cannot reach into it */
		{"vendor\n!keep/x.go", "vendor/x.go", true},
		{"a\n!a/b/c", "a/b/c", false},
		{"a\n!a/b/c", "a/d/c", true},
		{"a\n!*.go", "a/x.go", true}, /* patterns match whole paths: *.go is top-level */
		{"a\n!**/*.go", "a/x.go", false},
		{"a\n!x.go", "a/x.go", true},
		/* a final "/" plus stars does not make an exception glob-like */
		{"a\n!a/b/**", "a/b/x", false},
		{"a\n!a/b/**", "a/c", true},
		{"tmp\n!tmp/keep/*", "tmp/keep/x", false},
		{"abc/**", "abc", false},
		{"abc/**", "abc/d", true},
		/* names without a folder part only match at the top */
		{".git\n*.pyc\n__pycache__", "pkg/__pycache__/m.cpython-311.pyc", false},
		{"**/__pycache__", "pkg/__pycache__/m.cpython-311.pyc", true},
		{".git\n*.pyc\n__pycache__", "m.pyc", true},
		{".git\n*.pyc\n__pycache__", "pkg/__pycache__", false},
		{".git\n*.pyc\n__pycache__", ".git/HEAD", true},
		{"**/*.pyc", "a/b/m.pyc", true},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_ignore *ig = parse_ok(t[i].file);
		if (dko_ignore_excludes(ig, t[i].path) != t[i].excluded)
			fail_msg("case %zu (%s | %s): excluded should be %d", i, t[i].file, t[i].path,
			         t[i].excluded);
		dko_ignore_free(ig);
	}
}

static void test_ignore__skip_dirs(void **state)
{
	(void)state;
	static const struct {
		const char *file, *dir;
		bool skipped;
	} t[] = {
		{"node_modules", "node_modules", true},
		{"node_modules", "src", false},
		{"node_modules\n!node_modules/keep", "node_modules", false},
		{"node_modules\n!other", "node_modules", true},
		{"node_modules\n!**/*.md", "node_modules", false}, /* glob exception: walk all */
		{"*\n!src", "test", true},
		{"*\n!src", "src", false},
		{"a\n!a/b/c", "a/d", true},
		{"a\n!a/b/c", "a/b", false},
		{"abc/**", "abc", false},
		{"abc/**", "abc/d", true},
		{"x/*\n!x/y", "x", false},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_ignore *ig = parse_ok(t[i].file);
		if (dko_ignore_skips_dir(ig, t[i].dir) != t[i].skipped)
			fail_msg("case %zu (%s | %s): skipped should be %d", i, t[i].file, t[i].dir,
			         t[i].skipped);
		dko_ignore_free(ig);
	}
}

/* The incremental form gives the same verdicts as the one-shot form. */
static void test_ignore__incremental(void **state)
{
	(void)state;
	dko_ignore *ig = parse_ok("build\n!build/keep\n**/*.o\n");
	size_t n = dko_ignore_state_size(ig);
	assert_int_equal(n, 3);
	unsigned char a[3], b[3], c[3];
	assert_true(dko_ignore_match(ig, "build", NULL, a));
	assert_true(dko_ignore_match(ig, "build/x", a, b));
	assert_false(dko_ignore_match(ig, "build/keep", a, b));
	assert_false(dko_ignore_match(ig, "build/keep/y.c", b, c));
	assert_true(dko_ignore_match(ig, "build/keep/y.o", b, c));
	assert_false(dko_ignore_dir_prunable(ig, "build"));
	assert_true(dko_ignore_dir_prunable(ig, "other"));
	assert_true(dko_ignore_excludes(ig, "build/keep/y.o"));
	assert_false(dko_ignore_excludes(ig, "build/keep/y.c"));
	assert_true(dko_ignore_pattern_matches(ig, 2, "y.o"));
	assert_true(dko_ignore_pattern_matches(ig, 2, "d/y.o"));
	assert_false(dko_ignore_pattern_matches(ig, 2, "d/y.c"));
	dko_ignore_free(ig);
	dko_ignore_free(NULL);
}

/* Many '**' against a long path stays fast (no backtracking). */
static void test_ignore__pathological(void **state)
{
	(void)state;
	char pat[400], path[8200];
	size_t k = 0;
	for (int i = 0; i < 60; i++)
		k += (size_t)snprintf(pat + k, sizeof(pat) - k, "**/a");
	snprintf(pat + k, sizeof(pat) - k, "*b");
	k = 0;
	for (int i = 0; i < 4000; i++)
		k += (size_t)snprintf(path + k, sizeof(path) - k, "a/");
	path[k - 1] = 'c';
	dko_ignore *ig = parse_ok(pat);
	assert_false(match1(ig, path));
	path[k - 1] = 'b';
	assert_true(match1(ig, path));
	dko_ignore_free(ig);
}

static void test_ignore__goregex(void **state)
{
	(void)state;
	static const struct {
		const char *re, *text;
		int match; /* -1: compile error */
	} t[] = {
		{"^a(b|c)*d$", "abcbd", 1}, {"^a(b|c)*d$", "abxd", 0}, {"a+", "baab", 1},
		{"^a{2,3}$", "aaaa", 0}, {"^a{2,}$", "aaaa", 1}, {"^a{0}b$", "b", 1},
		{"\\bfoo\\b", "a foo.", 1}, {"\\bfoo\\b", "afoo", 0}, {"\\Bfoo", "afoo", 1},
		{"^\\Qa.b\\E$", "a.b", 1}, {"^\\Qa.b\\E$", "axb", 0}, {"^[\\D]$", "x", 1},
		{"^[[:^alpha:]]$", "1", 1}, {"^\\101\\x42\\x{43}$", "ABC", 1}, {"^.$", "\n", 0},
		{"^[^a]$", "\n", 1}, {"^.$", "\xff", 1}, {"\\Aab\\z", "ab", 1},
		{"a**", "", -1}, {"*", "", -1}, {"(", "", -1}, {")", "", -1}, {"[a", "", -1},
		{"[[:foo:]]", "", -1}, {"\\", "", -1}, {"a{2}{2}", "", -1}, {"(?i)a", "", -1},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dko_goregex *re;
		int rc = dko_goregex_compile(&re, t[i].re, strlen(t[i].re));
		if (t[i].match < 0) {
			if (rc == 0)
				fail_msg("regexp %s should not compile", t[i].re);
			continue;
		}
		if (rc != 0)
			fail_msg("regexp %s: %s", t[i].re, dko_error_last());
		if (dko_goregex_match(re, t[i].text, strlen(t[i].text)) != (t[i].match == 1))
			fail_msg("regexp %s on \"%s\": expected %d", t[i].re, t[i].text, t[i].match);
		dko_goregex_free(re);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignore__patternmatcher_table),
		cmocka_unit_test(test_ignore__bad_patterns),
		cmocka_unit_test(test_ignore__compile_forms),
		cmocka_unit_test(test_ignore__go_regexp_semantics),
		cmocka_unit_test(test_ignore__reading),
		cmocka_unit_test(test_ignore__walk),
		cmocka_unit_test(test_ignore__skip_dirs),
		cmocka_unit_test(test_ignore__incremental),
		cmocka_unit_test(test_ignore__pathological),
		cmocka_unit_test(test_ignore__goregex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
