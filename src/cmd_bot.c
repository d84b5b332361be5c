/*
 * cmd_bot.c - `dockopt bot`: the pull-request bot (bot.h) from the command
 * line, meant for a CI job.
 *
 * Stdout carries the pull request's title and Markdown body (only the
 * title with --body-file), and nothing when there is nothing to fix; what
 * was done (committed, pushed, pull request opened) and the findings go to
 * stderr. Tokens come from the environment and are never printed: every
 * message of the git and HTTP layers is redacted before it gets here.
 */
#include "bot.h"
#include "cmd.h"
#include "github.h"
#include "report.h"
#include "util/alloc.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

typedef struct bot_cli {
	dko_bot_opts o;
	const char *repo_path, *body_file, *api_url, *slug;
	bool open_pr, quiet;
	cmd_rule_opts rules;
	cstrvec engine_args;
} bot_cli;

static const char bot_usage[] =
	"usage: dockopt bot [--repo PATH] [OPTIONS]\n"
	"\n"
	"Fix the Dockerfiles of a remote's base branch and put the fix on a branch of\n"
	"its own, as one commit on top of the base; push it and open (or update) the\n"
	"pull request. Only git objects are read, never the working tree.\n"
	"\n"
	"      --repo PATH        the repository, a clone (bare or not; default: .)\n"
	"      --remote NAME      the remote to fetch and push (default: origin)\n"
	"      --base BRANCH      the branch to optimize (default: main)\n"
	"      --branch BRANCH    the branch to write (default: dockopt/optimize)\n"
	"      --no-fetch         read the local branch BASE instead of fetching REMOTE\n"
	"      --push             push the branch (forced, with a lease on what was fetched)\n"
	"      --open-pr          open the pull request or update the open one (needs\n"
	"                         --push; token from GITHUB_TOKEN, else GH_TOKEN)\n"
	"      --api-url URL      the REST API (default: from the remote's host:\n"
	"                         https://api.github.com, or https://HOST/api/v3 for GitHub\n"
	"                         Enterprise; Gitea/Forgejo: https://HOST/api/v1)\n"
	"      --github-repo OWNER/NAME  the repository on the forge (default: from the\n"
	"                         remote's URL)\n"
	"      --author 'NAME <EMAIL>'   author and committer (default: user.name and\n"
	"                         user.email of the git config)\n"
	"      --body-file FILE   write the pull request body to FILE (stdout: the title)\n"
	"      --select RULES     only these rules (comma-separated ids or hadolint ids)\n"
	"      --ignore RULES     never these rules\n"
	"      --aggressive       also run aggressive rules\n"
	"      --verify           build each aggressive rewrite and its original for real\n"
	"                         (context from the base tree) and keep it only when they\n"
	"                         behave the same; the measured savings go to the body\n"
	"      --engine E, --engine-arg ARG, --smoke CMD, --no-rebuild   as for verify\n"
	"      --no-config        ignore .dockopt.yml files\n"
	"  -q, --quiet            no findings on stderr\n"
	"\n"
	"Pushing authenticates with the ssh agent (ssh remotes) or, over https, with\n"
	"DOCKOPT_GIT_TOKEN, GITHUB_TOKEN or GH_TOKEN.\n"
	"\n"
	"Exit: 0 nothing to fix or done, 2 usage, input, git or HTTP error.\n";

/* One option with a value; false when a is none of them. */
static bool value_option(bot_cli *c, int argc, char **argv, int *i)
{
	const char *v;
	if (cmd_opt_value(&v, argc, argv, i, "--repo"))
		c->repo_path = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--remote"))
		c->o.remote = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--base"))
		c->o.base = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--branch"))
		c->o.branch = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--author"))
		c->o.author = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--api-url"))
		c->api_url = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--github-repo"))
		c->slug = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--body-file"))
		c->body_file = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--engine"))
		c->o.engine = v;
	else if (cmd_opt_value(&v, argc, argv, i, "--engine-arg"))
		DKO_VEC_PUSH(&c->engine_args, v);
	else if (cmd_opt_value(&v, argc, argv, i, "--smoke"))
		c->o.smoke = v;
	else if (!cmd_rule_opt(&c->rules, argc, argv, i))
		return false;
	return true;
}

static int check_cli(const bot_cli *c)
{
	if (cmd_rule_check(&c->rules, "bot"))
		return -1;
	if (c->open_pr && !c->o.push) {
		fprintf(stderr, "dockopt bot: --open-pr needs --push (the pull request's branch "
		                "must be on the remote)\n");
		return -1;
	}
	return 0;
}

static int parse_bot(bot_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(bot_usage, stdout);
			exit(EXIT_CLEAN);
		} else if (!strcmp(a, "--no-fetch")) {
			c->o.no_fetch = true;
		} else if (!strcmp(a, "--push")) {
			c->o.push = true;
		} else if (!strcmp(a, "--open-pr")) {
			c->open_pr = true;
		} else if (!strcmp(a, "--aggressive")) {
			c->o.aggressive = true;
		} else if (!strcmp(a, "--verify")) {
			c->o.verify = true;
		} else if (!strcmp(a, "--no-rebuild")) {
			c->o.no_rebuild = true;
		} else if (!strcmp(a, "--no-config")) {
			c->o.no_config = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			c->quiet = true;
		} else if (!value_option(c, argc, argv, &i)) {
			fprintf(stderr, "dockopt bot: unknown or incomplete option '%s'\n%s", a,
			        bot_usage);
			return -1;
		}
	}
	c->o.select = c->rules.have_select ? c->rules.select.items : NULL;
	c->o.nselect = c->rules.select.len;
	c->o.ignore = c->rules.ignore.items;
	c->o.nignore = c->rules.ignore.len;
	c->o.engine_args = c->engine_args.items;
	c->o.nengine_args = c->engine_args.len;
	return check_cli(c);
}

static const char *pr_token(void)
{
	const char *t = getenv("GITHUB_TOKEN");
	if (!t || !*t)
		t = getenv("GH_TOKEN");
	return t && *t ? t : NULL;
}

static void report(const bot_cli *c, const dko_bot_result *r)
{
	dko_report_file *rf = dko_xcalloc(r->nfiles + 1, sizeof(*rf));
	for (size_t i = 0; i < r->nfiles; i++)
		rf[i] = (dko_report_file){r->files[i].path, r->files[i].result, r->files[i].error,
		                          r->files[i].diff, NULL};
	if (!c->quiet) {
		dko_report_text(stderr, rf, r->nfiles);
	} else {
		for (size_t i = 0; i < r->nfiles; i++)
			if (rf[i].error)
				fprintf(stderr, "%s\n", rf[i].error);
	}
	free(rf);
}

/* Stdout: title and body (or the body to --body-file). */
static int emit(const bot_cli *c, const dko_bot_result *r)
{
	if (c->body_file) {
		if (dko_fs_write_atomic(c->body_file, r->body, strlen(r->body)) < 0) {
			cmd_report("bot");
			return -1;
		}
		printf("%s\n", r->title);
	} else {
		printf("%s\n\n%s", r->title, r->body);
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

static void tell(const bot_cli *c, const dko_bot_result *r)
{
	const char *branch = c->o.branch ? c->o.branch : DKO_BOT_BRANCH;
	char hex[DKO_GIT_OID_HEXSZ], base[DKO_GIT_OID_HEXSZ];
	dko_git_oid_fmt(hex, &r->commit);
	dko_git_oid_fmt(base, &r->base);
	if (r->outcome == DKO_BOT_NOTHING) {
		fprintf(stderr, "dockopt bot: nothing to fix on %s (%.12s)\n", r->base_ref, base);
		return;
	}
	if (r->outcome == DKO_BOT_UP_TO_DATE) {
		fprintf(stderr, "dockopt bot: the remote's %s already holds this fix (%.12s on %.12s); "
		                "nothing to do\n",
		        branch, hex, base);
		return;
	}
	fprintf(stderr, "dockopt bot: %s %.12s on %s (on top of %s %.12s)\n",
	        r->reused ? "kept" : "committed", hex, branch, r->base_ref, base);
	if (r->pushed)
		fprintf(stderr, "dockopt bot: pushed %s to %s\n", branch,
		        c->o.remote ? c->o.remote : DKO_BOT_REMOTE);
}

static int open_pr(const bot_cli *c, dko_git_repo *repo, const dko_bot_result *r)
{
	dko_bot_pr_opts p = {c->api_url, pr_token(), c->slug, 0};
	dko_github_pr pr;
	int rc = dko_bot_open_pr(&pr, repo, &c->o, r, &p);
	if (rc < 0)
		cmd_report("bot");
	else
		fprintf(stderr, "dockopt bot: %s pull request #%ld %s\n",
		        pr.created ? "opened" : "updated", pr.number, pr.html_url);
	dko_github_pr_release(&pr);
	return rc;
}

static int run_bot(bot_cli *c)
{
	dko_git_repo *repo = NULL;
	if (dko_git_repo_open(&repo, c->repo_path ? c->repo_path : ".", 0) < 0) {
		cmd_report("bot");
		return EXIT_FAIL;
	}
	if (c->open_pr) {
		/* Know where the pull request goes before pushing anything. */
		dko_bot_pr_opts p = {c->api_url, pr_token(), c->slug, 0};
		if (dko_bot_check_pr(repo, &c->o, &p) < 0) {
			cmd_report("bot");
			dko_git_repo_free(repo);
			return EXIT_FAIL;
		}
	}
	dko_bot_result r;
	int rc = dko_bot_run(&r, repo, &c->o);
	report(c, &r);
	if (rc < 0)
		cmd_report("bot");
	else
		tell(c, &r);
	if (rc == 0 && r.outcome != DKO_BOT_NOTHING)
		rc = emit(c, &r);
	if (rc == 0 && c->open_pr && r.outcome != DKO_BOT_NOTHING)
		rc = open_pr(c, repo, &r);
	int code = rc < 0 || r.nfailed ? EXIT_FAIL : EXIT_CLEAN;
	dko_bot_result_release(&r);
	dko_git_repo_free(repo);
	return code;
}

int cmd_bot(int argc, char **argv)
{
	bot_cli c = {0};
	int rc = EXIT_FAIL;
	if (parse_bot(&c, argc, argv) < 0)
		goto done;
	if (c.open_pr && !pr_token()) {
		fprintf(stderr, "dockopt bot: --open-pr needs a token in GITHUB_TOKEN (or GH_TOKEN)\n");
		goto done;
	}
	rc = run_bot(&c);
done:
	cmd_rule_opts_free(&c.rules);
	DKO_VEC_FREE(&c.engine_args);
	return rc;
}
