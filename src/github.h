/*
 * github.h - opening (or updating) the bot's pull request through the GitHub
 * REST API, on top of http.h. Gitea and Forgejo serve a compatible API under
 * https://<host>/api/v1; GitHub Enterprise under https://<host>/api/v3.
 *
 * The token goes only into the Authorization header; no message (and no
 * dko_error_last()) ever contains it.
 */
#ifndef DKO_GITHUB_H
#define DKO_GITHUB_H

#include <stdbool.h>

#define DKO_GITHUB_API "https://api.github.com"

/* Where a repository lives, from its remote URL. */
typedef struct dko_github_repo {
	char *host;  /* "github.com" (no user-info, no port) */
	char *owner; /* "octo-org" */
	char *name;  /* "app" (without ".git") */
} dko_github_repo;

/*
 * Parse a remote URL: https://host/owner/name(.git), http://, ssh://[user@]host[:port]/
 * owner/name, git://, and scp-like [user@]host:owner/name. A path deeper
 * than owner/name (a Gitea under a sub-path) takes its last two parts.
 * DKO_EINVAL when there is no owner/name. Release with ..._release.
 */
int dko_github_parse_remote(dko_github_repo *out, const char *url);
void dko_github_repo_release(dko_github_repo *repo);

/* The API base URL for a host: DKO_GITHUB_API for github.com, else GitHub
 * Enterprise's https://<host>/api/v3 (Gitea/Forgejo need an explicit
 * https://<host>/api/v1). Malloc'd. */
char *dko_github_api_for_host(const char *host);

typedef struct dko_github_pr_opts {
	const char *api_url; /* NULL: DKO_GITHUB_API */
	const char *token;   /* required (GITHUB_TOKEN) */
	const char *owner, *repo;
	const char *head;       /* the branch holding the changes */
	const char *head_owner; /* NULL: owner (set it when head lives in a fork) */
	const char *base;       /* the branch to merge into */
	const char *title, *body;
	long timeout_ms; /* per request; 0: http.h's default */
} dko_github_pr_opts;

typedef struct dko_github_pr {
	long number;
	char *html_url;
	bool created; /* false: an open pull request for head was updated */
} dko_github_pr;

/*
 * Open a pull request from head into base (POST /repos/{owner}/{repo}/pulls).
 * When one is already open for head (422 "A pull request already exists",
 * or 409 from Gitea), find it (GET .../pulls?head=owner:branch&state=open)
 * and update its title and body (PATCH .../pulls/{number}) instead.
 * Returns 0, DKO_EINVAL for missing options, DKO_EHTTP for a failed request
 * or an error answer (the message quotes the API's "message" and errors).
 */
int dko_github_open_pr(dko_github_pr *out, const dko_github_pr_opts *opts);
void dko_github_pr_release(dko_github_pr *pr);

#endif
