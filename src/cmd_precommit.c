/*
 * cmd_precommit.c - `dockopt pre-commit [--check]` (what the git hook runs)
 * and `dockopt install-hook [--force]` (which writes that hook).
 *
 * pre-commit opens the repository as git hands it to a hook (GIT_DIR,
 * GIT_INDEX_FILE, ... are honoured: `git commit -a` passes a temporary
 * index), fixes the staged Dockerfiles there (precommit.h) and tells the
 * user what happened on stderr; diffs go to stdout. Exit 1 when anything
 * changed, so the commit stops and the user can review it; 2 on errors.
 */
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "precommit.h"
#include "report.h"
#include "util/alloc.h"
#include "util/vec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct precommit_cli {
	bool check, diff, quiet, no_config, aggressive;
	const char *config_path;
	cmd_rule_opts rules;
} precommit_cli;

static const char precommit_usage[] =
	"usage: dockopt pre-commit [OPTIONS]\n"
	"\n"
	"Fix the Dockerfiles staged in the git index (run it from a pre-commit hook:\n"
	"see `dockopt install-hook`). Each staged Dockerfile is read from the index,\n"
	"fixed, and the fix is staged. The working-tree file is rewritten too when it\n"
	"holds no unstaged edits; when it does, they are left as they are.\n"
	"\n"
	"      --check          change nothing; print the diff; exit 1 if anything would change\n"
	"      --diff           also print the diff of what was changed\n"
	"      --select RULES   only these rules (comma-separated ids or hadolint ids)\n"
	"      --ignore RULES   never these rules\n"
	"      --aggressive     also run aggressive rules\n"
	"      --config FILE    use this .dockopt.yml (default: the repository's, staged\n"
	"                       version first, nearest the Dockerfile)\n"
	"      --no-config      ignore .dockopt.yml files\n"
	"  -q, --quiet          no findings, only what was changed and errors\n"
	"\n"
	"Exit: 0 nothing to fix, 1 files were fixed (review with `git diff --cached`,\n"
	"then commit again) or would be (--check), 2 error.\n";

static const char hook_usage[] =
	"usage: dockopt install-hook [--force] [--check]\n"
	"\n"
	"Write the pre-commit hook of the repository containing the current folder\n"
	"(its hooks folder, or core.hooksPath), which runs `dockopt pre-commit`.\n"
	"\n"
	"      --force   replace a pre-commit hook that dockopt did not write (it is\n"
	"                saved as pre-commit.bak first)\n"
	"      --check   the hook only checks (`pre-commit --check`) and never edits\n"
	"\n"
	"Exit: 0 installed, 2 error (e.g. a foreign hook is there and no --force).\n";

static int parse_precommit(precommit_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(precommit_usage, stdout);
			exit(EXIT_CLEAN);
		} else if (!strcmp(a, "--check")) {
			c->check = true;
		} else if (!strcmp(a, "--diff")) {
			c->diff = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			c->quiet = true;
		} else if (!strcmp(a, "--aggressive")) {
			c->aggressive = true;
		} else if (!strcmp(a, "--no-config")) {
			c->no_config = true;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--config")) {
			c->config_path = val;
		} else if (!cmd_rule_opt(&c->rules, argc, argv, &i)) {
			fprintf(stderr, "dockopt pre-commit: unknown or incomplete option '%s'\n%s", a,
			        precommit_usage);
			return -1;
		}
	}
	if (cmd_rule_check(&c->rules, "pre-commit"))
		return -1;
	return 0;
}

static void tell_fixed(const dko_precommit_file *f)
{
	bool kept_self = false;
	for (size_t k = 0; k < f->nkept; k++)
		kept_self |= strcmp(f->kept[k], f->path) == 0;
	if (!kept_self)
		fprintf(stderr, "dockopt: fixed %s (staged, and written to the working tree)\n",
		        f->path);
	for (size_t k = 0; k < f->nkept; k++)
		fprintf(stderr,
		        "dockopt: fixed %s in the index only: the working-tree file has unstaged "
		        "edits, which were left as they are (`git diff %s` shows them against the "
		        "fix)\n",
		        f->kept[k], f->kept[k]);
}

/* What happened to each file, on stderr; diffs on stdout. */
static void tell(const precommit_cli *c, const dko_precommit_result *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const dko_precommit_file *f = &r->files[i];
		if (f->diff && (c->check || c->diff))
			cmd_write_all(stdout, f->diff, strlen(f->diff));
		switch (f->state) {
		case DKO_PRECOMMIT_FIXED:
		case DKO_PRECOMMIT_INDEX_ONLY:
			tell_fixed(f);
			break;
		case DKO_PRECOMMIT_WOULD_FIX:
			fprintf(stderr, "dockopt: %s %s\n", f->path,
			        c->check ? "needs fixing" : "was not changed (see the errors)");
			break;
		case DKO_PRECOMMIT_FAILED:
			fprintf(stderr, "%s\n", f->error);
			break;
		case DKO_PRECOMMIT_CLEAN:
			break;
		}
	}
}

static void report_findings(const precommit_cli *c, const dko_precommit_result *r)
{
	if (c->quiet)
		return;
	dko_report_file *rf = dko_xcalloc(r->nfiles + 1, sizeof(*rf));
	size_t n = 0;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].result)
			rf[n++] = (dko_report_file){r->files[i].path, r->files[i].result, NULL,
			                            r->files[i].diff, NULL};
	dko_report_text(stderr, rf, n);
	free(rf);
}

static int exit_code(const precommit_cli *c, const dko_precommit_result *r)
{
	if (r->nfailed) {
		fprintf(stderr, "dockopt: %s\n",
		        c->check ? "some staged Dockerfiles could not be checked"
		                 : "nothing was staged or written because of the errors above");
		return EXIT_FAIL;
	}
	if (!r->nchanged)
		return EXIT_CLEAN;
	if (c->check)
		fprintf(stderr, "dockopt: %zu staged Dockerfile%s need%s fixing: run `dockopt "
		                "pre-commit` to fix them\n",
		        r->nchanged, r->nchanged == 1 ? "" : "s", r->nchanged == 1 ? "s" : "");
	else
		fprintf(stderr, "dockopt: review the fix with `git diff --cached`, then commit "
		                "again\n");
	return EXIT_CHANGES;
}

static int run_precommit(precommit_cli *c, dko_config *cfg)
{
	dko_git_repo *repo = NULL;
	if (dko_git_repo_open(&repo, ".", DKO_GIT_OPEN_FROM_ENV) < 0) {
		cmd_report("pre-commit");
		return EXIT_FAIL;
	}
	dko_precommit_opts o = {0};
	o.check = c->check;
	o.aggressive = c->aggressive;
	o.select = c->rules.have_select ? c->rules.select.items : NULL;
	o.nselect = c->rules.select.len;
	o.ignore = c->rules.ignore.items;
	o.nignore = c->rules.ignore.len;
	o.config = cfg;
	o.no_config = c->no_config;
	dko_precommit_result r;
	int rc = dko_precommit_run(&r, repo, &o);
	if (rc < 0) {
		cmd_report("pre-commit");
		rc = EXIT_FAIL;
	} else {
		report_findings(c, &r);
		tell(c, &r);
		rc = exit_code(c, &r);
	}
	fflush(stdout);
	dko_precommit_result_release(&r);
	dko_git_repo_free(repo);
	return rc;
}

int cmd_precommit(int argc, char **argv)
{
	precommit_cli c = {0};
	int rc = EXIT_FAIL;
	dko_config *cfg = NULL;
	if (parse_precommit(&c, argc, argv) < 0)
		goto done;
	if (c.config_path && !c.no_config && dko_config_load(&cfg, c.config_path) < 0) {
		cmd_report("pre-commit");
		goto done;
	}
	rc = run_precommit(&c, cfg);
done:
	dko_config_free(cfg);
	cmd_rule_opts_free(&c.rules);
	return rc;
}

/* ---- install-hook ------------------------------------------------------------- */

/* The absolute path of the running dockopt, or NULL when it cannot be told. */
static char *self_path(void)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0 || (size_t)n >= sizeof(buf) - 1)
		return NULL;
	buf[n] = '\0';
	return dko_xstrdup(buf);
}

int cmd_install_hook(int argc, char **argv)
{
	dko_hook_opts o = {0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(hook_usage, stdout);
			return EXIT_CLEAN;
		} else if (!strcmp(argv[i], "--force")) {
			o.force = true;
		} else if (!strcmp(argv[i], "--check")) {
			o.check = true;
		} else {
			fprintf(stderr, "dockopt install-hook: unknown option '%s'\n%s", argv[i], hook_usage);
			return EXIT_FAIL;
		}
	}
	dko_git_repo *repo = NULL;
	if (dko_git_repo_open(&repo, ".", DKO_GIT_OPEN_FROM_ENV) < 0) {
		cmd_report("install-hook");
		return EXIT_FAIL;
	}
	char *exe = self_path();
	o.exe = exe;
	dko_hook_result r;
	int rc = dko_hook_install(&r, repo, &o);
	if (rc < 0) {
		cmd_report("install-hook");
	} else {
		if (r.backup)
			fprintf(stderr, "dockopt: saved the previous hook as %s\n", r.backup);
		fprintf(stderr, "dockopt: %s %s\n", r.updated ? "updated" : "installed", r.path);
	}
	dko_hook_result_release(&r);
	free(exe);
	dko_git_repo_free(repo);
	return rc < 0 ? EXIT_FAIL : EXIT_CLEAN;
}
