/*
 * github.c - the pull-request calls of the GitHub REST API (see github.h).
 *
 * Every call sends the headers GitHub documents for REST v3 (Bearer token,
 * Accept: application/vnd.github+json, X-GitHub-Api-Version) and reads
 * answers with the JSON reader. Messages pass through dko_redact with the
 * token as an extra secret, so an API echoing a header cannot leak it.
 */
#include "github.h"
#include "dockopt/common.h"
#include "http.h"
#include "json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/redact.h"

#include <stdlib.h>
#include <string.h>

#define API_VERSION "2022-11-28"

/* ---- Remote URLs ---------------------------------------------------------- */

void dko_github_repo_release(dko_github_repo *repo)
{
	if (!repo)
		return;
	free(repo->host);
	free(repo->owner);
	free(repo->name);
	memset(repo, 0, sizeof(*repo));
}

/* Split "[user@]host[:port]" (or "[v6]:port") into the host alone. */
static char *host_of(const char *auth, size_t len)
{
	const char *end = auth + len, *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at)
		auth = at + 1;
	if (auth < end && *auth == '[') {
		const char *close = memchr(auth, ']', (size_t)(end - auth));
		return close ? dko_xstrndup(auth + 1, (size_t)(close - auth - 1)) : NULL;
	}
	const char *colon = memchr(auth, ':', (size_t)(end - auth));
	return dko_xstrndup(auth, (size_t)((colon ? colon : end) - auth));
}

/* owner and name: the last two non-empty parts of path, ".git" dropped. */
static int owner_and_name(dko_github_repo *out, const char *path)
{
	const char *parts[2] = {NULL, NULL};
	size_t lens[2] = {0, 0};
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n) {
			parts[0] = parts[1];
			lens[0] = lens[1];
			parts[1] = p;
			lens[1] = n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!parts[0])
		return -1;
	if (lens[1] > 4 && memcmp(parts[1] + lens[1] - 4, ".git", 4) == 0)
		lens[1] -= 4;
	out->owner = dko_xstrndup(parts[0], lens[0]);
	out->name = dko_xstrndup(parts[1], lens[1]);
	return 0;
}

int dko_github_parse_remote(dko_github_repo *out, const char *url)
{
	memset(out, 0, sizeof(*out));
	const char *sep = strstr(url, "://"), *path;
	if (sep) {
		const char *auth = sep + 3;
		size_t alen = strcspn(auth, "/");
		out->host = host_of(auth, alen);
		path = auth + alen;
	} else {
		/* scp-like: [user@]host:path, the ':' before any '/' */
		size_t hlen = strcspn(url, ":/");
		if (url[hlen] != ':' || hlen == 0)
			goto bad;
		out->host = host_of(url, hlen);
		path = url + hlen + 1;
	}
	if (!out->host || !*out->host || owner_and_name(out, path) < 0)
		goto bad;
	return 0;
bad:
	dko_github_repo_release(out);
	return dko_error_set_redacted(DKO_EINVAL, NULL,
	                              "%s: not a repository URL with an owner and a name", url);
}

char *dko_github_api_for_host(const char *host)
{
	if (strcmp(host, "github.com") == 0 || strcmp(host, "www.github.com") == 0)
		return dko_xstrdup(DKO_GITHUB_API);
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "https://%s/api/v3", host);
	return dko_buf_detach(&b, NULL);
}

/* ---- API calls -------------------------------------------------------------- */

void dko_github_pr_release(dko_github_pr *pr)
{
	if (!pr)
		return;
	free(pr->html_url);
	memset(pr, 0, sizeof(*pr));
}

/* "/repos/{owner}/{repo}/pulls" with both parts escaped. */
static void pulls_path(dko_buf *out, const dko_github_pr_opts *o)
{
	dko_buf_puts(out, "/repos/");
	dko_http_put_escaped(out, o->owner);
	dko_buf_putc(out, '/');
	dko_http_put_escaped(out, o->repo);
	dko_buf_puts(out, "/pulls");
}

/* One API call: method on api_url + path, with the JSON body if any. */
static int api_call(dko_http_response *resp, const dko_github_pr_opts *o, const char *method,
                    const char *path, const dko_buf *body)
{
	const char *api = o->api_url && *o->api_url ? o->api_url : DKO_GITHUB_API;
	size_t alen = strlen(api);
	while (alen > 0 && api[alen - 1] == '/')
		alen--;
	dko_buf url = DKO_BUF_INIT, auth = DKO_BUF_INIT;
	dko_buf_put(&url, api, alen);
	dko_buf_puts(&url, path);
	dko_buf_printf(&auth, "Authorization: Bearer %s", o->token);
	const char *headers[] = {auth.ptr, "Accept: application/vnd.github+json",
	                         "X-GitHub-Api-Version: " API_VERSION,
	                         "User-Agent: dockopt/" DKO_VERSION,
	                         "Content-Type: application/json"};
	dko_http_request req = {method, url.ptr, headers, body ? 5 : 4,
	                        body ? body->ptr : NULL, body ? body->len : 0,
	                        o->timeout_ms, 0, o->token};
	int rc = dko_http_send(resp, &req);
	dko_buf_release(&url);
	dko_buf_release(&auth);
	return rc;
}

/* The API's own explanation: "message" plus each errors[].message. */
static void api_reason(dko_buf *out, const dko_http_response *r)
{
	dko_json_doc *doc = NULL;
	if (dko_json_parse(&doc, r->body.ptr ? r->body.ptr : "", r->body.len) < 0) {
		dko_error_clear();
		return;
	}
	const dko_json *root = dko_json_root(doc);
	const char *msg = dko_json_string(dko_json_get(root, "message"));
	if (msg)
		dko_buf_printf(out, " %s", msg);
	const dko_json *errs = dko_json_get(root, "errors");
	for (size_t i = 0; errs && errs->type == DKO_JSON_ARRAY && i < errs->len; i++) {
		const char *m = dko_json_string(dko_json_get(errs->items[i], "message"));
		if (m)
			dko_buf_printf(out, "%s %s", i ? ";" : ":", m);
	}
	dko_json_doc_free(doc);
}

static int api_error(const dko_github_pr_opts *o, const char *method, const char *path,
                     const dko_http_response *r)
{
	dko_buf why = DKO_BUF_INIT;
	api_reason(&why, r);
	int rc = dko_error_set_redacted(DKO_EHTTP, o->token, "GitHub API: %s %s: %ld%s", method,
	                                path, r->status, dko_buf_cstr(&why));
	dko_buf_release(&why);
	return rc;
}

static int parse_pr(dko_github_pr *out, const dko_http_response *r)
{
	dko_json_doc *doc = NULL;
	int rc = dko_json_parse(&doc, dko_buf_cstr(&r->body), r->body.len);
	if (rc < 0)
		return dko_error_set(DKO_EHTTP, "GitHub API: bad JSON in the answer: %s",
		                     dko_error_last());
	const dko_json *num = dko_json_get(dko_json_root(doc), "number");
	const char *html = dko_json_string(dko_json_get(dko_json_root(doc), "html_url"));
	if (!num || num->type != DKO_JSON_NUMBER || num->number < 1) {
		rc = dko_error_set(DKO_EHTTP, "GitHub API: the answer has no pull request number");
	} else {
		out->number = (long)num->number;
		out->html_url = dko_xstrdup(html ? html : "");
	}
	dko_json_doc_free(doc);
	return rc;
}

/* Whether the API refused because a pull request for head is already open:
 * GitHub answers 422 with errors[].message "A pull request already exists
 * for owner:branch."; Gitea and Forgejo answer 409. */
static bool already_open(const dko_http_response *r)
{
	if (r->status == 409)
		return true;
	if (r->status != 422)
		return false;
	dko_buf why = DKO_BUF_INIT;
	api_reason(&why, r);
	bool yes = strstr(dko_buf_cstr(&why), "already exists") != NULL;
	dko_buf_release(&why);
	return yes;
}

static void pr_body(dko_buf *out, const dko_github_pr_opts *o, bool create)
{
	dko_buf_puts(out, "{\"title\":");
	dko_buf_put_json_str(out, o->title, strlen(o->title));
	if (create) {
		dko_buf head = DKO_BUF_INIT;
		if (o->head_owner && strcmp(o->head_owner, o->owner) != 0)
			dko_buf_printf(&head, "%s:", o->head_owner);
		dko_buf_puts(&head, o->head);
		dko_buf_puts(out, ",\"head\":");
		dko_buf_put_json_str(out, head.ptr, head.len);
		dko_buf_puts(out, ",\"base\":");
		dko_buf_put_json_str(out, o->base, strlen(o->base));
		dko_buf_release(&head);
	}
	dko_buf_puts(out, ",\"body\":");
	const char *body = o->body ? o->body : "";
	dko_buf_put_json_str(out, body, strlen(body));
	dko_buf_putc(out, '}');
}

/* The open pull request's number whose head is o->head (and base o->base). */
static int pick_open_pr(long *number, const dko_github_pr_opts *o, const dko_http_response *r)
{
	dko_json_doc *doc = NULL;
	if (dko_json_parse(&doc, dko_buf_cstr(&r->body), r->body.len) < 0)
		return dko_error_set(DKO_EHTTP, "GitHub API: bad JSON in the pull request list: %s",
		                     dko_error_last());
	const dko_json *list = dko_json_root(doc);
	*number = 0;
	for (size_t i = 0; list->type == DKO_JSON_ARRAY && i < list->len && !*number; i++) {
		const dko_json *pr = list->items[i];
		const char *head = dko_json_string(dko_json_path(pr, "head.ref"));
		const char *base = dko_json_string(dko_json_path(pr, "base.ref"));
		const dko_json *num = dko_json_get(pr, "number");
		if (head && strcmp(head, o->head) == 0 && (!base || strcmp(base, o->base) == 0) && num &&
		    num->type == DKO_JSON_NUMBER)
			*number = (long)num->number;
	}
	dko_json_doc_free(doc);
	if (!*number)
		return dko_error_set(DKO_EHTTP,
		                     "GitHub API: a pull request from %s is said to exist but none "
		                     "is open into %s",
		                     o->head, o->base);
	return 0;
}

static int find_open_pr(long *number, const dko_github_pr_opts *o)
{
	dko_buf path = DKO_BUF_INIT;
	pulls_path(&path, o);
	dko_buf_puts(&path, "?head=");
	dko_http_put_escaped(&path, o->head_owner ? o->head_owner : o->owner);
	dko_buf_puts(&path, "%3A"); /* ':' */
	dko_http_put_escaped(&path, o->head);
	dko_buf_puts(&path, "&state=open");
	dko_http_response r;
	int rc = api_call(&r, o, "GET", path.ptr, NULL);
	if (rc == 0 && r.status != 200)
		rc = api_error(o, "GET", path.ptr, &r);
	if (rc == 0)
		rc = pick_open_pr(number, o, &r);
	dko_http_response_release(&r);
	dko_buf_release(&path);
	return rc;
}

static int update_pr(dko_github_pr *out, const dko_github_pr_opts *o, long number)
{
	dko_buf path = DKO_BUF_INIT, body = DKO_BUF_INIT;
	pulls_path(&path, o);
	dko_buf_printf(&path, "/%ld", number);
	pr_body(&body, o, false);
	dko_http_response r;
	int rc = api_call(&r, o, "PATCH", path.ptr, &body);
	if (rc == 0 && r.status != 200)
		rc = api_error(o, "PATCH", path.ptr, &r);
	if (rc == 0)
		rc = parse_pr(out, &r);
	dko_http_response_release(&r);
	dko_buf_release(&path);
	dko_buf_release(&body);
	return rc;
}

static int check_opts(const dko_github_pr_opts *o)
{
	const char *missing = !o->token || !*o->token ? "a token (GITHUB_TOKEN)"
	                      : !o->owner || !o->repo ? "the repository owner and name"
	                      : !o->head || !o->base  ? "the head and base branches"
	                      : !o->title             ? "a title"
	                                              : NULL;
	if (missing)
		return dko_error_set(DKO_EINVAL, "opening a pull request needs %s", missing);
	return 0;
}

int dko_github_open_pr(dko_github_pr *out, const dko_github_pr_opts *opts)
{
	memset(out, 0, sizeof(*out));
	int rc = check_opts(opts);
	if (rc < 0)
		return rc;
	dko_buf path = DKO_BUF_INIT, body = DKO_BUF_INIT;
	pulls_path(&path, opts);
	pr_body(&body, opts, true);
	dko_http_response r;
	rc = api_call(&r, opts, "POST", path.ptr, &body);
	if (rc == 0 && r.status == 201) {
		rc = parse_pr(out, &r);
		out->created = rc == 0;
	} else if (rc == 0 && already_open(&r)) {
		long number;
		rc = find_open_pr(&number, opts);
		if (rc == 0)
			rc = update_pr(out, opts, number);
	} else if (rc == 0) {
		rc = api_error(opts, "POST", path.ptr, &r);
	}
	if (rc < 0)
		dko_github_pr_release(out);
	dko_http_response_release(&r);
	dko_buf_release(&path);
	dko_buf_release(&body);
	return rc;
}
