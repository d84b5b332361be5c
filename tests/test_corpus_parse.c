/*
 * test_corpus_parse.c - the parser over ../shared/corpus: BuildKit's own
 * test files dump exactly as their `result` files (through the CLI), the
 * negative ones fail with a located error, and every Dockerfile (plus CRLF,
 * BOM and no-final-newline variants made here) prints back byte for byte
 * with the tree invariants holding. Skipped with a notice without a corpus.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/doc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int corpus_present(void **state)
{
	(void)state;
	if (!tu_corpus_dir()) {
		tu_notice("../shared/corpus is absent: corpus parser tests skipped");
		return -1;
	}
	return 0;
}

static void test_corpus_parse__buildkit_dump(void **state)
{
	(void)state;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/buildkit/testfiles", tu_corpus_dir());
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0, bad = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *cmd = tu_asprintf("'%s' dump '%s/%s/Dockerfile'", tu_dockopt_bin(), dir, e->d_name);
		char *res = tu_asprintf("%s/%s/result", dir, e->d_name);
		char *out = NULL;
		size_t olen;
		int rc = tu_run(cmd, NULL, 0, &out, &olen, NULL);
		char *expected = tu_read_file(res, NULL);
		if (rc != 0 || !expected || strcmp(out, expected) != 0) {
			print_error("buildkit case %s: rc=%d\n%s\nexpected\n%s\n", e->d_name, rc, out,
			            expected ? expected : "(none)");
			bad++;
		}
		n++;
		free(out);
		free(expected);
		free(cmd);
		free(res);
	}
	closedir(d);
	printf("REPORT: parser: %d/%d BuildKit test files dump byte for byte\n", n - bad, n);
	assert_int_equal(bad, 0);
	assert_true(n >= 33);
}

static void test_corpus_parse__buildkit_negative(void **state)
{
	(void)state;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/buildkit/testfiles-negative", tu_corpus_dir());
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = tu_asprintf("%s/%s/Dockerfile", dir, e->d_name);
		char *cmd = tu_asprintf("'%s' dump '%s'", tu_dockopt_bin(), path);
		char *out = NULL, *err = NULL;
		int rc = tu_run(cmd, NULL, 0, &out, NULL, &err);
		/* Exactly: exit 2, nothing on stdout, "PATH:LINE:COL: error: " first. */
		char *prefix = tu_asprintf("%s:", path);
		if (rc != 2 || *out || strncmp(err, prefix, strlen(prefix)) != 0 ||
		    !strstr(err, ": error: ")) {
			print_error("negative case %s: rc=%d stderr=%s\n", e->d_name, rc, err);
			fail();
		}
		n++;
		free(out);
		free(err);
		free(prefix);
		free(cmd);
		free(path);
	}
	closedir(d);
	assert_int_equal(n, 4);
}

static void roundtrip(const char *name, const char *data, size_t n, int *bad)
{
	dko_doc *doc = NULL;
	dko_parse(&doc, data, n, &(dko_parse_opts){name});
	char *out;
	size_t olen;
	dko_doc_print(&out, &olen, doc);
	if (olen != n || memcmp(out, data, n) != 0) {
		print_error("%s: print differs from input\n", name);
		(*bad)++;
	} else if (dko_cst_check(doc) != 0) {
		print_error("%s: %s\n", name, dko_error_last());
		(*bad)++;
	}
	free(out);
	dko_doc_free(doc);
}

static char *to_crlf(const char *s, size_t n, size_t *outn)
{
	char *o = malloc(n * 2 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			o[k++] = '\r';
		o[k++] = s[i];
	}
	*outn = k;
	return o;
}

static void test_corpus_parse__roundtrip(void **state)
{
	(void)state;
	size_t nfiles;
	char **files = tu_corpus_files(&nfiles);
	int bad = 0, docs = 0;
	for (size_t i = 0; i < nfiles; i++) {
		size_t n;
		char *data = tu_read_file(files[i], &n);
		assert_non_null(data);
		roundtrip(files[i], data, n, &bad);
		size_t cn;
		char *cr = to_crlf(data, n, &cn);
		roundtrip(files[i], cr, cn, &bad);
		char *bom = malloc(n + 3);
		memcpy(bom, "\xEF\xBB\xBF", 3);
		memcpy(bom + 3, data, n);
		roundtrip(files[i], bom, n + 3, &bad);
		size_t m = n;
		while (m && (data[m - 1] == '\n' || data[m - 1] == '\r'))
			m--;
		roundtrip(files[i], data, m, &bad);
		docs += 4;
		free(bom);
		free(cr);
		free(data);
	}
	printf("REPORT: parser: %d documents (%zu corpus files x LF/CRLF/BOM/no-EOL) print back "
	       "byte for byte, %d differ\n", docs, nfiles, bad);
	tu_free_list(files);
	assert_int_equal(bad, 0);
	assert_true(nfiles > 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_parse__buildkit_dump),
		cmocka_unit_test(test_corpus_parse__buildkit_negative),
		cmocka_unit_test(test_corpus_parse__roundtrip),
	};
	return cmocka_run_group_tests(tests, corpus_present, NULL);
}
