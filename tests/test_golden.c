/*
 * test_golden.c - golden tests: run build/dockopt on every case under golden/
 * and compare its output with the expected files.
 *
 * Layout: golden/<suite>/args lists the views of the suite, one per line,
 * "<ext>: <dockopt arguments>" (the input path is appended, or replaces {}).
 * A case is golden/<suite>/<name>.Dockerfile (expected files <name>.<ext>)
 * or a folder golden/<suite>/<name>/ holding a Dockerfile and its build
 * context (expected files <name>/expected.<ext>; an optional <name>/args
 * overrides the suite's views). For each view, stdout must equal <ext>; the
 * exit code must equal <ext>.rc (0 when absent) and stderr <ext>.err (empty
 * when absent). Commands run inside the case's folder so that paths in
 * messages are stable. DKO_GOLDEN_UPDATE=1 rewrites the expected files.
 */
#include "testutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct gcase {
	char *name;    /* suite/name */
	char *dir;     /* folder to run in */
	char *input;   /* path relative to dir */
	char *prefix;  /* expected-file prefix (absolute) */
	char *views;   /* contents of the args file */
} gcase;

static char *bin_abs;

#define xasprintf tu_asprintf

static bool updating(void)
{
	const char *u = getenv("DKO_GOLDEN_UPDATE");
	return u && *u && strcmp(u, "0") != 0;
}

static void compare(const gcase *c, const char *path, const char *actual, size_t alen,
                    bool optional_empty)
{
	size_t elen = 0;
	char *expected = tu_read_file(path, &elen);
	if (updating()) {
		if (optional_empty && alen == 0) {
			if (expected)
				unlink(path);
		} else {
			tu_write_file(path, actual, alen);
		}
		free(expected);
		return;
	}
	if (!expected) {
		expected = strdup("");
		elen = 0;
		if (!optional_empty) {
			print_error("%s: missing expected file %s\n", c->name, path);
			free(expected);
			fail();
		}
	}
	if (elen != alen || memcmp(expected, actual, alen) != 0) {
		print_error("%s: output differs from %s\n--- expected\n%s\n--- actual\n%s\n", c->name,
		            path, expected, actual);
		free(expected);
		fail();
	}
	free(expected);
}

static void run_view(const gcase *c, const char *ext, const char *args)
{
	char *argline;
	const char *ph = strstr(args, "{}");
	if (ph)
		argline = xasprintf("%.*s%s%s", (int)(ph - args), args, c->input, ph + 2);
	else
		argline = xasprintf("%s %s", args, c->input);
	char *cmd = xasprintf("cd '%s' && '%s' %s", c->dir, bin_abs, argline);
	char *out = NULL, *err = NULL;
	size_t olen = 0;
	int rc = tu_run(cmd, NULL, 0, &out, &olen, &err);
	char *p_out = xasprintf("%s%s", c->prefix, ext);
	char *p_err = xasprintf("%s%s.err", c->prefix, ext);
	char *p_rc = xasprintf("%s%s.rc", c->prefix, ext);
	char rcs[16];
	snprintf(rcs, sizeof(rcs), rc ? "%d\n" : "", rc);
	compare(c, p_out, out, olen, false);
	compare(c, p_err, err, strlen(err), true);
	compare(c, p_rc, rcs, strlen(rcs), true);
	free(p_out);
	free(p_err);
	free(p_rc);
	free(out);
	free(err);
	free(cmd);
	free(argline);
}

static void test_golden__case(void **state)
{
	const gcase *c = *state;
	char *views = strdup(c->views);
	int nviews = 0;
	for (char *line = views, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		char *colon = strchr(line, ':');
		assert_non_null(colon);
		*colon = '\0';
		char *args = colon + 1;
		while (*args == ' ')
			args++;
		run_view(c, line, args);
		nviews++;
	}
	free(views);
	assert_true(nviews > 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **sorted_entries(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	size_t cap = 16, len = 0;
	char **v = malloc(cap * sizeof(char *));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (len + 1 >= cap)
			v = realloc(v, (cap *= 2) * sizeof(char *));
		v[len++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(v, len, sizeof(char *), cmp_str);
	*n = len;
	return v;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "golden";
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return 2;
	const char *bin = tu_dockopt_bin();
	bin_abs = bin[0] == '/' ? strdup(bin) : xasprintf("%s/%s", cwd, bin);

	size_t cap = 64, ncases = 0;
	struct CMUnitTest *tests = malloc(cap * sizeof(*tests));
	size_t nsuites;
	char **suites = sorted_entries(root, &nsuites);
	for (size_t s = 0; s < nsuites; s++) {
		char *sdir = xasprintf("%s/%s/%s", cwd, root, suites[s]);
		struct stat st;
		if (stat(sdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(sdir);
			continue;
		}
		char *argsf = xasprintf("%s/args", sdir);
		char *sviews = tu_read_file(argsf, NULL);
		free(argsf);
		size_t nent;
		char **ents = sorted_entries(sdir, &nent);
		for (size_t i = 0; i < nent; i++) {
			gcase *c = calloc(1, sizeof(*c));
			char *p = xasprintf("%s/%s", sdir, ents[i]);
			if (ends_with(ents[i], ".Dockerfile") && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				size_t bl = strlen(ents[i]) - strlen(".Dockerfile");
				c->name = xasprintf("%s/%.*s", suites[s], (int)bl, ents[i]);
				c->dir = strdup(sdir);
				c->input = strdup(ents[i]);
				c->prefix = xasprintf("%s/%.*s.", sdir, (int)bl, ents[i]);
				c->views = sviews ? strdup(sviews) : NULL;
			} else if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
				char *df = xasprintf("%s/Dockerfile", p);
				char *cargs = xasprintf("%s/args", p);
				char *cv = tu_read_file(cargs, NULL);
				if (access(df, R_OK) == 0) {
					c->name = xasprintf("%s/%s", suites[s], ents[i]);
					c->dir = strdup(p);
					c->input = strdup("Dockerfile");
					c->prefix = xasprintf("%s/expected.", p);
					c->views = cv ? cv : (sviews ? strdup(sviews) : NULL);
				} else {
					free(cv);
				}
				free(df);
				free(cargs);
			}
			free(p);
			if (!c->name || !c->views) {
				if (c->name)
					fprintf(stderr, "golden: %s has no args file\n", c->name);
				free(c);
				continue;
			}
			if (ncases + 1 >= cap)
				tests = realloc(tests, (cap *= 2) * sizeof(*tests));
			tests[ncases++] = (struct CMUnitTest){c->name, test_golden__case, NULL, NULL, c};
		}
		for (size_t i = 0; i < nent; i++)
			free(ents[i]);
		free(ents);
		free(sviews);
		free(sdir);
	}
	for (size_t s = 0; s < nsuites; s++)
		free(suites[s]);
	free(suites);
	if (ncases == 0) {
		fprintf(stderr, "golden: no cases under %s\n", root);
		return 1;
	}
	return _cmocka_run_group_tests("golden", tests, ncases, NULL, NULL);
}
