/*
 * bot.h - the pull-request bot: fix the Dockerfiles of a remote's base
 * branch and offer the fix as one commit on a branch of its own.
 *
 * Everything is read from the base branch's tree: the Dockerfiles, their
 * .dockopt.yml, and each one's build context (the tree below the
 * Dockerfile's folder); the working tree, if the repository has one, is
 * never read. The commit's tree is the base tree with the fixed files, its
 * parent is the base tip, so the branch always holds exactly one commit on
 * top of the base. Re-running on the same base finds that commit on the
 * remote and does nothing; a new base tip gives a new commit, pushed over
 * the old one with a lease (the push fails if the branch moved meanwhile).
 */
#ifndef DKO_BOT_H
#define DKO_BOT_H

#include "dockopt/fix.h"
#include "git.h"
#include "github.h"

#include <stdbool.h>
#include <stddef.h>

#define DKO_BOT_REMOTE "origin"
#define DKO_BOT_BASE "main"
#define DKO_BOT_BRANCH "dockopt/optimize"

/* GitHub refuses a pull request body longer than 65536 characters; the
 * body stays under this many bytes (so also characters). */
#define DKO_BOT_MAX_BODY 65000u

typedef struct dko_bot_opts {
	const char *remote; /* NULL: DKO_BOT_REMOTE */
	const char *base;   /* the branch to optimize; NULL: DKO_BOT_BASE */
	const char *branch; /* the branch to write; NULL: DKO_BOT_BRANCH */
	bool no_fetch;      /* read the local branch base, not <remote>/<base> after a fetch */
	bool push;          /* push the branch to the remote */
	const char *author; /* "Name <email>" for author and committer; NULL: the config's */
	bool aggressive;
	const char **select; /* NULL: all rules */
	size_t nselect;
	const char **ignore;
	size_t nignore;
	bool no_config; /* ignore .dockopt.yml files */
	/* Verify aggressive rewrites with real builds (fix --verify): each
	 * Dockerfile's context is written from the base tree to a temporary
	 * folder, the original and the rewrite are built and compared, and a
	 * rewrite is kept only when verify passes. The measured savings go to
	 * the pull request body. */
	bool verify;
	const char *engine;        /* NULL: the first found */
	const char **engine_args;
	size_t nengine_args;
	const char *smoke;         /* NULL: the image's own command */
	bool no_rebuild;           /* do not measure rebuild times */
} dko_bot_opts;

typedef struct dko_bot_file {
	char *path;             /* repository path of the Dockerfile */
	dko_fix_result *result; /* NULL when it failed */
	char *error;
	char *diff; /* base -> fix, a/ b/ repository paths; "" when unchanged */
} dko_bot_file;

typedef enum dko_bot_outcome {
	DKO_BOT_NOTHING,    /* nothing to fix on the base */
	DKO_BOT_UP_TO_DATE, /* the remote branch already holds this fix on this base */
	DKO_BOT_COMMITTED   /* the local branch holds the fix (pushed says if it was sent) */
} dko_bot_outcome;

typedef struct dko_bot_result {
	char *base_ref;     /* what was read: "refs/remotes/origin/main" or "refs/heads/main" */
	dko_git_oid base;   /* its commit */
	dko_bot_file *files; /* every Dockerfile of the base tree, in tree order */
	size_t nfiles;
	size_t nchanged, nfailed;
	dko_bot_outcome outcome;
	dko_git_oid commit; /* the fix commit (UP_TO_DATE, COMMITTED) */
	bool reused;        /* COMMITTED: the local branch held it already */
	bool pushed;
	char *title;   /* "dockopt: optimize 2 Dockerfiles" (NULL when NOTHING) */
	char *message; /* the commit message */
	char *body;    /* the pull request's Markdown body */
} dko_bot_result;

/*
 * Run the bot on repo (bare or not). Per-file problems (a Dockerfile that
 * does not parse) are in the files (nfailed) and do not stop the others;
 * the return value is 0, or a negative code for a git failure (fetch, push,
 * a missing base branch: the message is libgit2's, without credentials) or
 * bad options (DKO_EINVAL). *out is always set; release it.
 */
int dko_bot_run(dko_bot_result *out, dko_git_repo *repo, const dko_bot_opts *opts);
void dko_bot_result_release(dko_bot_result *r);

typedef struct dko_bot_pr_opts {
	const char *api_url; /* NULL: from the remote's host (dko_github_api_for_host) */
	const char *token;   /* GITHUB_TOKEN */
	const char *slug;    /* "owner/name"; NULL: from the remote's URL */
	long timeout_ms;     /* per request; 0: the HTTP layer's default */
} dko_bot_pr_opts;

/* Whether a pull request could be opened (the forge repository and its API
 * can be told from the remote's URL or the options): checked before the
 * run pushes anything. DKO_EINVAL with the reason. */
int dko_bot_check_pr(dko_git_repo *repo, const dko_bot_opts *opts, const dko_bot_pr_opts *pr);

/*
 * Open the pull request for a run that has a fix (UP_TO_DATE or a pushed
 * COMMITTED), or update the one open for the branch: head opts->branch,
 * base opts->base, the run's title and body. DKO_EINVAL when there is
 * nothing to propose or the repository cannot be told from the remote's
 * URL; DKO_EHTTP with the API's message.
 */
int dko_bot_open_pr(dko_github_pr *out, dko_git_repo *repo, const dko_bot_opts *opts,
                    const dko_bot_result *res, const dko_bot_pr_opts *pr);

#endif
