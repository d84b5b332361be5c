/*
 * test_config.c - .dockopt.yml loading: accepted keys, errors that name the
 * file, line and key, and the upward search.
 */
#include "testutil.h"

#include "config.h"

#include <stdlib.h>
#include <string.h>

static void test_config__good(void **state)
{
	(void)state;
	const char *y = "tier: aggressive\n"
	                "ignore: [DL3059]\n"
	                "dockerfiles: ['^build\\.docker$']\n"
	                "unshipped:\n  - '^test'\n"
	                "wrappers:\n  - {pattern: '^install_packages$', manager: apt}\n"
	                "toolchains:\n  - pattern: '^corp/go'\n    runtime: 'debian:bookworm-slim'\n";
	dko_config *c;
	assert_int_equal(dko_config_parse(&c, ".dockopt.yml", y, strlen(y)), 0);
	assert_true(dko_config_aggressive(c));
	const char **l;
	size_t n;
	dko_config_unshipped(c, &l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "^test");
	dko_config_dockerfiles(c, &l, &n);
	assert_int_equal(n, 1);
	const dko_config_wrapper *w;
	dko_config_wrappers(c, &w, &n);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].manager, "apt");
	assert_string_equal(w[0].verb, "install");
	const dko_config_toolchain *t;
	dko_config_toolchains(c, &t, &n);
	assert_string_equal(t[0].runtime, "debian:bookworm-slim");
	dko_config_free(c);
	/* An empty file is a valid, empty config. */
	assert_int_equal(dko_config_parse(&c, "e.yml", "", 0), 0);
	dko_config_free(c);
}

static void test_config__errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *msg;
	} bad[] = {
		{"tier: fast\n", "x.yml:1:7: error: tier: expected safe or aggressive"},
		{"colour: red\n", "x.yml:1:1: error: colour: unknown key"},
		{"unshipped: ['(']\n", "x.yml:1:12: error: unshipped[0]: bad pattern '('"},
		{"wrappers:\n  - {pattern: '(', manager: apt}\n", "x.yml:2:5: error: wrappers[0]: bad pattern '('"},
		{"wrappers:\n  - {pattern: x}\n", "x.yml:2:5: error: wrappers[0]: needs a pattern and a manager"},
		{"rules:\n  no-such-rule: on\n", "x.yml:2:3: error: rules.no-such-rule: unknown rule"},
		{"a: [\n", "x.yml:2:1: error:"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dko_config *c;
		assert_int_equal(dko_config_parse(&c, "x.yml", bad[i].yaml, strlen(bad[i].yaml)), DKO_ECONFIG);
		assert_null(c);
		if (strncmp(dko_error_last(), bad[i].msg, strlen(bad[i].msg)) != 0) {
			print_error("got '%s', expected prefix '%s'\n", dko_error_last(), bad[i].msg);
			fail();
		}
	}
}

static void test_config__find_upward(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *cfg = tu_asprintf("%s/.dockopt.yml", dir);
	char *deep = tu_asprintf("%s/a/b/c/Dockerfile", dir);
	tu_write_file(cfg, "tier: safe\n", 11);
	tu_write_file(deep, "FROM a\n", 7);
	char *start = tu_asprintf("%s/a/b/c", dir);
	char *found = NULL;
	assert_int_equal(dko_config_find(&found, start), 0);
	assert_non_null(found);
	assert_non_null(strstr(found, "/.dockopt.yml"));
	free(found);
	tu_rmrf(dir);
	free(start);
	free(deep);
	free(cfg);
	free(dir);
}

/* The example in the README is a valid configuration. */
static void test_config__readme_example(void **state)
{
	(void)state;
	char *readme = tu_read_file("README.md", NULL);
	assert_non_null(readme);
	const char *start = strstr(readme, "# .dockopt.yml, found from");
	assert_non_null(start);
	const char *end = strstr(start, "```");
	assert_non_null(end);
	dko_config *c;
	int rc = dko_config_parse(&c, "README.md", start, (size_t)(end - start));
	if (rc)
		fail_msg("%s", dko_error_last());
	const dko_config_wrapper *w;
	size_t n;
	dko_config_wrappers(c, &w, &n);
	assert_int_equal(n, 2);
	dko_config_free(c);
	free(readme);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__good),
		cmocka_unit_test(test_config__errors),
		cmocka_unit_test(test_config__find_upward),
		cmocka_unit_test(test_config__readme_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
