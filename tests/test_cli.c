/*
 * test_cli.c - `dockopt fix` as users run it: what goes to stdout and stderr,
 * exit codes, --check/--diff/--write (atomic, mode and symlinks kept),
 * several files and folders, stdin, JSON and SARIF, configuration errors,
 * and a file that fails to parse among good ones.
 */
#include "testutil.h"

#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char mergeable[] = "FROM debian:bookworm\nRUN mkdir /app\nRUN touch /app/x\n";
static const char merged[] = "FROM debian:bookworm\nRUN mkdir /app && touch /app/x\n";
static const char clean[] = "FROM debian:bookworm\nCMD [\"true\"]\n";

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tu_mkdtemp();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

static char *path(const char *name)
{
	return tu_asprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char *p = path(name);
	assert_int_equal(tu_write_file(p, text, strlen(text)), 0);
	free(p);
}

/* Run dockopt with args (a shell fragment) inside dir. */
static int run(const char *args, const char *in, char **out, char **err)
{
	char *cmd = tu_asprintf("cd '%s' && '%s/%s' %s", dir, getenv("PWD"), tu_dockopt_bin(), args);
	if (tu_dockopt_bin()[0] == '/') {
		free(cmd);
		cmd = tu_asprintf("cd '%s' && '%s' %s", dir, tu_dockopt_bin(), args);
	}
	int rc = tu_run(cmd, in, in ? strlen(in) : 0, out, NULL, err);
	free(cmd);
	return rc;
}

static void test_cli__single_file_stdout(void **state)
{
	(void)state;
	put("Dockerfile", mergeable);
	char *out, *err;
	assert_int_equal(run("fix --no-config Dockerfile", NULL, &out, &err), 0);
	assert_string_equal(out, merged);
	assert_non_null(strstr(err, "Dockerfile:2:1: fixed [merge-runs DL3059]"));
	free(out);
	free(err);
	/* The file itself is untouched without --write. */
	char *p = path("Dockerfile");
	char *now = tu_read_file(p, NULL);
	assert_string_equal(now, mergeable);
	free(now);
	free(p);
}

static void test_cli__check_exit_codes(void **state)
{
	(void)state;
	put("Dockerfile", mergeable);
	put("clean.Dockerfile", clean);
	char *out, *err;
	assert_int_equal(run("fix --no-config --check Dockerfile", NULL, &out, &err), 1);
	assert_non_null(strstr(out, "+RUN mkdir /app && touch /app/x"));
	free(out);
	free(err);
	assert_int_equal(run("fix --no-config --check clean.Dockerfile", NULL, &out, &err), 0);
	assert_string_equal(out, "");
	free(out);
	free(err);
	/* Suggestions alone never make --check fail. */
	put("sugg.Dockerfile", "FROM debian:bookworm\nRUN sleep 1 &\nRUN echo\n");
	assert_int_equal(run("fix --no-config --check sugg.Dockerfile", NULL, &out, &err), 0);
	assert_non_null(strstr(err, "suggestion [merge-runs"));
	free(out);
	free(err);
}

static void test_cli__write_atomic_mode_symlink(void **state)
{
	(void)state;
	put("real.Dockerfile", mergeable);
	char *real = path("real.Dockerfile"), *link = path("Dockerfile");
	chmod(real, 0640);
	unlink(link);
	assert_int_equal(symlink("real.Dockerfile", link), 0);
	char *out, *err;
	assert_int_equal(run("fix --no-config --write Dockerfile", NULL, &out, &err), 0);
	assert_string_equal(out, "");
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode)); /* still a link */
	assert_int_equal(stat(real, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* mode kept */
	char *now = tu_read_file(real, NULL);
	assert_string_equal(now, merged);
	free(now);
	/* No temporary file is left behind. */
	char *ls = NULL;
	char *cmd = tu_asprintf("ls -a '%s' | grep -c '^\\.dko-'", dir);
	tu_run(cmd, NULL, 0, &ls, NULL, NULL);
	assert_int_equal(atoi(ls), 0);
	free(ls);
	free(cmd);
	free(out);
	free(err);
	free(real);
	free(link);
}

static void test_cli__several_files_and_folders(void **state)
{
	(void)state;
	put("a/Dockerfile", mergeable);
	put("a/b/web.Dockerfile", mergeable);
	put("a/b/Containerfile.dev", clean);
	put("a/node_modules/x/Dockerfile", mergeable); /* skipped by the walk */
	put("a/notes.txt", "RUN nothing\n");
	char *out, *err;
	assert_int_equal(run("fix --no-config a", NULL, &out, &err), 0);
	/* A diff for each changed file, nothing for the clean one. */
	assert_non_null(strstr(out, "+++ b/a/Dockerfile"));
	assert_non_null(strstr(out, "+++ b/a/b/web.Dockerfile"));
	assert_null(strstr(out, "Containerfile.dev"));
	assert_null(strstr(out, "node_modules"));
	free(out);
	free(err);
	/* A --context that is not a folder, a --config that is one, and stray
	 * arguments to rules are usage errors. */
	assert_int_equal(run("fix --no-config --context nowhere a/Dockerfile", NULL, &out, &err), 2);
	assert_non_null(strstr(err, "--context nowhere: not a folder"));
	free(out);
	free(err);
	assert_int_equal(run("fix --config a a/Dockerfile", NULL, &out, &err), 2);
	free(out);
	free(err);
	assert_int_equal(run("rules --bogus", NULL, &out, &err), 2);
	free(out);
	free(err);
	/* A folder without a Dockerfile is an input error, not silent success. */
	put("empty/notes.txt", "nothing\n");
	assert_int_equal(run("fix --no-config --check empty", NULL, &out, &err), 2);
	assert_non_null(strstr(err, "empty: no Dockerfile found"));
	free(out);
	free(err);
}

static void test_cli__stdin(void **state)
{
	(void)state;
	char *out, *err;
	assert_int_equal(run("fix --no-config -", mergeable, &out, &err), 0);
	assert_string_equal(out, merged);
	assert_non_null(strstr(err, "<stdin>:2:1: fixed"));
	free(out);
	free(err);
}

static void test_cli__json_and_sarif(void **state)
{
	(void)state;
	put("Dockerfile", mergeable);
	char *out, *err;
	assert_int_equal(run("fix --no-config --format json Dockerfile", NULL, &out, &err), 0);
	dko_json_doc *j;
	assert_int_equal(dko_json_parse(&j, out, strlen(out)), 0);
	const dko_json *r = dko_json_root(j);
	assert_string_equal(dko_json_string(dko_json_get(r, "schema")), "dockopt/findings/1");
	const dko_json *f = dko_json_get(r, "findings");
	assert_int_equal(f->len, 1);
	assert_string_equal(dko_json_string(dko_json_get(f->items[0], "rule")), "merge-runs");
	assert_string_equal(dko_json_string(dko_json_get(f->items[0], "hadolint")), "DL3059");
	assert_true(dko_json_get(f->items[0], "applied")->boolean);
	assert_true(dko_json_path(r, "summary.run_instructions_before")->number == 2);
	assert_true(dko_json_path(r, "summary.run_instructions_after")->number == 1);
	dko_json_doc_free(j);
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(run("fix --no-config --format sarif Dockerfile", NULL, &out, &err), 0);
	assert_int_equal(dko_json_parse(&j, out, strlen(out)), 0);
	r = dko_json_root(j);
	assert_string_equal(dko_json_string(dko_json_get(r, "version")), "2.1.0");
	const dko_json *res = dko_json_path(r, "runs")->items[0];
	const dko_json *result = dko_json_get(res, "results")->items[0];
	assert_string_equal(dko_json_string(dko_json_get(result, "ruleId")), "merge-runs");
	const dko_json *fix = dko_json_get(result, "fixes")->items[0];
	const dko_json *rep = dko_json_get(dko_json_get(fix, "artifactChanges")->items[0], "replacements")->items[0];
	assert_string_equal(dko_json_string(dko_json_path(rep, "insertedContent.text")),
	                    "RUN mkdir /app && touch /app/x\n");
	assert_true(dko_json_path(rep, "deletedRegion.startLine")->number == 2);
	assert_true(dko_json_path(rep, "deletedRegion.endLine")->number == 4);
	assert_true(dko_json_get(dko_json_get(res, "invocations")->items[0], "executionSuccessful")->boolean);
	dko_json_doc_free(j);
	free(out);
	free(err);
	/* Artifact URIs are percent-encoded; a file that does not parse makes
	 * the run unsuccessful, with a notification. */
	put("a b.Dockerfile", mergeable);
	put("bad.Dockerfile", "FROM a\nBOGUS x\n");
	assert_int_equal(run("fix --no-config --format sarif 'a b.Dockerfile' bad.Dockerfile", NULL, &out, &err), 2);
	assert_int_equal(dko_json_parse(&j, out, strlen(out)), 0);
	res = dko_json_path(dko_json_root(j), "runs")->items[0];
	result = dko_json_get(res, "results")->items[0];
	const dko_json *loc = dko_json_get(result, "locations")->items[0];
	assert_string_equal(dko_json_string(dko_json_path(loc, "physicalLocation.artifactLocation.uri")),
	                    "a%20b.Dockerfile");
	const dko_json *inv = dko_json_get(res, "invocations")->items[0];
	assert_false(dko_json_get(inv, "executionSuccessful")->boolean);
	const dko_json *note = dko_json_get(inv, "toolExecutionNotifications")->items[0];
	assert_non_null(strstr(dko_json_string(dko_json_path(note, "message.text")), "unknown instruction"));
	dko_json_doc_free(j);
	free(out);
	free(err);
}

static void test_cli__select_ignore_and_errors(void **state)
{
	(void)state;
	put("Dockerfile", mergeable);
	char *out, *err;
	assert_int_equal(run("fix --no-config --ignore DL3059 Dockerfile", NULL, &out, &err), 0);
	assert_string_equal(out, mergeable);
	free(out);
	free(err);
	assert_int_equal(run("fix --no-config --select no-such-rule Dockerfile", NULL, &out, &err), 2);
	assert_non_null(strstr(err, "unknown rule 'no-such-rule'"));
	free(out);
	free(err);
	/* A bad .dockopt.yml is an error naming the key. */
	put(".dockopt.yml", "rules:\n  merge-runs: sometimes\n");
	assert_int_equal(run("fix Dockerfile", NULL, &out, &err), 2);
	assert_non_null(strstr(err, ".dockopt.yml:2:15: error: rules.merge-runs: expected on or off"));
	free(out);
	free(err);
	put(".dockopt.yml", "rules:\n  merge-runs: off\n");
	assert_int_equal(run("fix --check Dockerfile", NULL, &out, &err), 0);
	free(out);
	free(err);
	char *cfg = path(".dockopt.yml");
	unlink(cfg);
	free(cfg);
}

static void test_cli__bad_file_among_good(void **state)
{
	(void)state;
	put("good.Dockerfile", mergeable);
	put("bad.Dockerfile", "FROM a\nRUN <<EOF\nnever ends\n");
	char *out, *err;
	assert_int_equal(run("fix --no-config --check bad.Dockerfile good.Dockerfile", NULL, &out, &err), 2);
	assert_non_null(strstr(err, "bad.Dockerfile:2:5: error: unterminated heredoc"));
	assert_non_null(strstr(out, "+++ b/good.Dockerfile")); /* still processed */
	free(out);
	free(err);
	assert_int_equal(run("fix --no-config missing.Dockerfile", NULL, &out, &err), 2);
	assert_non_null(strstr(err, "missing.Dockerfile"));
	free(out);
	free(err);
}

/* dump of what is not a readable Dockerfile: one located error, exit 2. */
static void test_cli__dump_bad_inputs(void **state)
{
	(void)state;
	char *d = path("adir");
	mkdir(d, 0755);
	free(d);
	static const struct {
		const char *arg, *err;
	} cases[] = {
		{"missing-file", "missing-file:1:1: error: cannot read the file: No such file or directory\n"},
		{"adir", "adir:1:1: error: is a directory, not a Dockerfile\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *args = tu_asprintf("dump %s", cases[i].arg), *out, *err;
		assert_int_equal(run(args, NULL, &out, &err), 2);
		assert_string_equal(out, "");
		assert_string_equal(err, cases[i].err);
		free(args);
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli__single_file_stdout),
		cmocka_unit_test(test_cli__check_exit_codes),
		cmocka_unit_test(test_cli__write_atomic_mode_symlink),
		cmocka_unit_test(test_cli__several_files_and_folders),
		cmocka_unit_test(test_cli__stdin),
		cmocka_unit_test(test_cli__json_and_sarif),
		cmocka_unit_test(test_cli__select_ignore_and_errors),
		cmocka_unit_test(test_cli__bad_file_among_good),
		cmocka_unit_test(test_cli__dump_bad_inputs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
