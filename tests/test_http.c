/*
 * test_http.c - the libcurl layer (src/http.c) and the GitHub pull-request
 * client (src/github.c) against a small HTTP/1.1 server on 127.0.0.1
 * (tests/http_server.c) that checks requests the way the GitHub API does
 * and answers as its documentation shows.
 */
#include "testutil.h"
#include "http_server.h"

#include "dockopt/common.h"
#include "github.h"
#include "http.h"
#include "json.h"
#include "util/buf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "ghp_TestToken_5f3a9c0e7b1d"

static char *base_url(http_server *s)
{
	return tu_asprintf("http://127.0.0.1:%d", http_server_port(s));
}

/* ---- the request layer ------------------------------------------------------ */

static void echo(void *ctx, const http_req *req, http_resp *resp)
{
	(void)ctx;
	if (strcmp(req->target, "/slow") == 0)
		nanosleep(&(struct timespec){1, 500 * 1000 * 1000}, NULL);
	resp->status = strcmp(req->target, "/missing") == 0 ? 404 : 200;
	resp->content_type = "text/plain";
	snprintf(resp->extra_headers, sizeof(resp->extra_headers), "X-Seen-Method: %s\r\n",
	         req->method);
	char *text = tu_asprintf("%s %s [%s]", req->method, req->target, req->body);
	http_resp_body(resp, text);
	free(text);
}

static void test_http__request(void **state)
{
	(void)state;
	http_server *srv = http_server_start(echo, NULL);
	assert_non_null(srv);
	char *base = base_url(srv);
	char *url = tu_asprintf("%s/a/b?x=1", base);
	const char *headers[] = {"X-Custom: yes", "Authorization: Bearer " TOKEN};
	dko_http_request req = {"GET", url, headers, 2, NULL, 0, 0, 0, TOKEN};
	dko_http_response r;
	assert_int_equal(dko_http_send(&r, &req), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.ptr, "GET /a/b?x=1 []");
	assert_string_equal(dko_http_response_header(&r, "x-seen-method"), "GET");
	assert_string_equal(dko_http_response_header(&r, "Content-Type"), "text/plain");
	assert_null(dko_http_response_header(&r, "X-Nope"));
	dko_http_response_release(&r);

	/* a body with PATCH; bytes go through untouched (NUL included) */
	static const char body[] = "{\"a\":1}\0tail";
	dko_http_request patch = {"PATCH", url, headers, 1, body, sizeof(body) - 1, 0, 0, NULL};
	assert_int_equal(dko_http_send(&r, &patch), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(dko_http_response_header(&r, "X-Seen-Method"), "PATCH");
	dko_http_response_release(&r);

	/* a 404 is an answer, not an error */
	char *missing = tu_asprintf("%s/missing", base);
	dko_http_request get404 = {"GET", missing, NULL, 0, NULL, 0, 0, 0, NULL};
	assert_int_equal(dko_http_send(&r, &get404), 0);
	assert_int_equal(r.status, 404);
	dko_http_response_release(&r);

	/* a timeout is */
	char *slow = tu_asprintf("%s/slow", base);
	dko_http_request tmo = {"GET", slow, NULL, 0, NULL, 0, 300, 0, NULL};
	assert_int_equal(dko_http_send(&r, &tmo), DKO_EHTTP);
	assert_non_null(strstr(dko_error_last(), "GET "));
	assert_non_null(strstr(dko_error_last(), "imed out"));
	dko_http_response_release(&r);
	http_server_stop(srv);

	/* what the server saw */
	assert_true(http_server_nrequests(srv) >= 3);
	const http_req *seen = http_server_request(srv, 0);
	assert_string_equal(http_req_header(seen, "X-Custom"), "yes");
	assert_string_equal(http_req_header(seen, "Authorization"), "Bearer " TOKEN);
	assert_non_null(strstr(http_req_header(seen, "User-Agent"), "dockopt/"));
	seen = http_server_request(srv, 1);
	assert_string_equal(seen->method, "PATCH");
	assert_int_equal(seen->body_len, sizeof(body) - 1);
	assert_memory_equal(seen->body, body, sizeof(body) - 1);
	assert_null(http_req_header(seen, "Expect"));
	http_server_free(srv);
	free(base);
	free(url);
	free(missing);
	free(slow);
}

static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd); /* nothing listens there now */
	return ntohs(a.sin_port);
}

static void test_http__errors_hide_credentials(void **state)
{
	(void)state;
	int port = closed_port();
	char *url = tu_asprintf("http://user:" TOKEN "@127.0.0.1:%d/x", port);
	const char *headers[] = {"Authorization: Bearer " TOKEN};
	dko_http_request req = {"POST", url, headers, 1, "{}", 2, 2000, 1000, TOKEN};
	dko_http_response r;
	assert_int_equal(dko_http_send(&r, &req), DKO_EHTTP);
	const char *msg = dko_error_last();
	assert_non_null(strstr(msg, "POST http://***@127.0.0.1:"));
	assert_null(strstr(msg, TOKEN));
	assert_null(strstr(msg, "Bearer"));
	dko_http_response_release(&r);

	/* only http and https */
	dko_http_request file = {"GET", "file:///etc/passwd", NULL, 0, NULL, 0, 0, 0, NULL};
	assert_int_equal(dko_http_send(&r, &file), DKO_EHTTP);
	dko_http_response_release(&r);
	free(url);

	dko_buf b = DKO_BUF_INIT;
	dko_http_put_escaped(&b, "a b/c:d~e_f.g-h%");
	assert_string_equal(b.ptr, "a%20b%2Fc%3Ad~e_f.g-h%25");
	dko_buf_release(&b);
}

/* ---- a GitHub API stand-in -------------------------------------------------- */

typedef struct github_state {
	bool pr_exists; /* an open PR for the head branch already exists */
	long number;
	int bad;        /* requests that broke the API's rules */
	char why[4096]; /* the first such rule */
	bool bad_credentials;
} github_state;

static void json_resp(http_resp *resp, int status, const char *json)
{
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	http_resp_body(resp, json);
}

/* Check what GitHub checks; record the first violation. */
static bool check_request(github_state *st, const http_req *req, bool has_body)
{
	const char *auth = http_req_header(req, "Authorization");
	const char *accept = http_req_header(req, "Accept");
	const char *ver = http_req_header(req, "X-GitHub-Api-Version");
	const char *ua = http_req_header(req, "User-Agent");
	const char *ct = http_req_header(req, "Content-Type");
	const char *problem = !auth || strcmp(auth, "Bearer " TOKEN) != 0 ? "Authorization"
	                      : !accept || strcmp(accept, "application/vnd.github+json") != 0
	                          ? "Accept"
	                      : !ver || strcmp(ver, "2022-11-28") != 0 ? "X-GitHub-Api-Version"
	                      : !ua || !*ua                             ? "User-Agent"
	                      : has_body && (!ct || strcmp(ct, "application/json") != 0)
	                          ? "Content-Type"
	                          : NULL;
	if (problem && !st->bad++)
		snprintf(st->why, sizeof(st->why), "%s %.2000s: bad %s header", req->method, req->target,
		         problem);
	return problem == NULL;
}

static char *pr_json(long n, const char *title)
{
	return tu_asprintf(
		"{\"url\":\"https://api.github.com/repos/octo/app/pulls/%ld\",\"id\":1,"
		"\"html_url\":\"https://github.com/octo/app/pull/%ld\",\"number\":%ld,"
		"\"state\":\"open\",\"title\":\"%s\","
		"\"head\":{\"label\":\"octo:dockopt/optimize\",\"ref\":\"dockopt/optimize\"},"
		"\"base\":{\"label\":\"octo:main\",\"ref\":\"main\"}}",
		n, n, n, title);
}

/* The body must be a JSON object with exactly these string members. */
static bool body_has(const http_req *req, const char *const *keys, const char *const *vals,
                     size_t n)
{
	dko_json_doc *doc;
	if (dko_json_parse(&doc, req->body, req->body_len) < 0)
		return false;
	const dko_json *root = dko_json_root(doc);
	bool ok = root->type == DKO_JSON_OBJECT && root->len == n;
	for (size_t i = 0; ok && i < n; i++) {
		const char *v = dko_json_string(dko_json_get(root, keys[i]));
		ok = v && strcmp(v, vals[i]) == 0;
	}
	dko_json_doc_free(doc);
	return ok;
}

static void on_create(github_state *st, const http_req *req, http_resp *resp)
{
	static const char *const keys[] = {"title", "head", "base", "body"};
	static const char *const vals[] = {"dockopt: optimize 2 Dockerfiles", "dockopt/optimize",
	                                   "main", "- Dockerfile: merge RUN layers\n- \"quoted\""};
	if (!body_has(req, keys, vals, 4)) {
		if (!st->bad++)
			snprintf(st->why, sizeof(st->why), "POST body: %.2000s", req->body);
		json_resp(resp, 400, "{\"message\":\"Problems parsing JSON\"}");
	} else if (st->pr_exists) {
		json_resp(resp, 422,
		          "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"PullRequest\","
		          "\"code\":\"custom\",\"message\":\"A pull request already exists for "
		          "octo:dockopt/optimize.\"}],\"documentation_url\":"
		          "\"https://docs.github.com/rest/pulls/pulls#create-a-pull-request\"}");
	} else {
		st->pr_exists = true;
		char *j = pr_json(st->number, vals[0]);
		json_resp(resp, 201, j);
		free(j);
	}
}

static void on_list(github_state *st, const http_req *req, http_resp *resp)
{
	const char *q = strchr(req->target, '?');
	if (!q || !strstr(q, "head=octo%3Adockopt%2Foptimize") || !strstr(q, "state=open")) {
		if (!st->bad++)
			snprintf(st->why, sizeof(st->why), "GET list query: %.2000s", req->target);
		json_resp(resp, 200, "[]");
		return;
	}
	/* another PR first (a different head) to make the client choose */
	char *mine = pr_json(st->number, "old title");
	char *list = tu_asprintf("[{\"number\":3,\"head\":{\"ref\":\"feature\"},\"base\":{\"ref\":"
	                         "\"main\"}},%s]",
	                         mine);
	json_resp(resp, 200, list);
	free(mine);
	free(list);
}

static void github(void *ctx, const http_req *req, http_resp *resp)
{
	github_state *st = ctx;
	bool has_body = strcmp(req->method, "POST") == 0 || strcmp(req->method, "PATCH") == 0;
	if (st->bad_credentials || !check_request(st, req, has_body)) {
		json_resp(resp, 401, "{\"message\":\"Bad credentials\",\"documentation_url\":"
		                     "\"https://docs.github.com/rest\"}");
		return;
	}
	char *patch_path = tu_asprintf("/api/v3/repos/octo/app/pulls/%ld", st->number);
	if (strcmp(req->method, "POST") == 0 && strcmp(req->target, "/api/v3/repos/octo/app/pulls") == 0)
		on_create(st, req, resp);
	else if (strcmp(req->method, "GET") == 0 &&
	         strncmp(req->target, "/api/v3/repos/octo/app/pulls?", 29) == 0)
		on_list(st, req, resp);
	else if (strcmp(req->method, "PATCH") == 0 && strcmp(req->target, patch_path) == 0) {
		static const char *const keys[] = {"title", "body"};
		static const char *const vals[] = {"dockopt: optimize 2 Dockerfiles",
		                                   "- Dockerfile: merge RUN layers\n- \"quoted\""};
		if (!body_has(req, keys, vals, 2) && !st->bad++)
			snprintf(st->why, sizeof(st->why), "PATCH body: %.2000s", req->body);
		char *j = pr_json(st->number, vals[0]);
		json_resp(resp, 200, j);
		free(j);
	} else {
		json_resp(resp, 404, "{\"message\":\"Not Found\"}");
	}
	free(patch_path);
}

static dko_github_pr_opts pr_opts(const char *api)
{
	dko_github_pr_opts o = {0};
	o.api_url = api;
	o.token = TOKEN;
	o.owner = "octo";
	o.repo = "app";
	o.head = "dockopt/optimize";
	o.base = "main";
	o.title = "dockopt: optimize 2 Dockerfiles";
	o.body = "- Dockerfile: merge RUN layers\n- \"quoted\"";
	return o;
}

static void test_http__github_create_then_update(void **state)
{
	(void)state;
	github_state st = {.number = 42};
	http_server *srv = http_server_start(github, &st);
	assert_non_null(srv);
	char *base = base_url(srv);
	char *api = tu_asprintf("%s/api/v3/", base); /* a trailing slash is fine */
	dko_github_pr_opts o = pr_opts(api);

	dko_github_pr pr;
	assert_int_equal(dko_github_open_pr(&pr, &o), 0);
	assert_true(pr.created);
	assert_int_equal(pr.number, 42);
	assert_string_equal(pr.html_url, "https://github.com/octo/app/pull/42");
	dko_github_pr_release(&pr);

	/* again: 422 "already exists" -> list the open PRs for the head -> PATCH */
	if (dko_github_open_pr(&pr, &o) != 0)
		fail_msg("%s [%s]", dko_error_last(), st.why);
	assert_false(pr.created);
	assert_int_equal(pr.number, 42);
	dko_github_pr_release(&pr);
	http_server_stop(srv);
	if (st.bad)
		fail_msg("%d bad request(s); first: %s", st.bad, st.why);

	static const char *const want[] = {"POST /api/v3/repos/octo/app/pulls",
	                                   "POST /api/v3/repos/octo/app/pulls",
	                                   "GET /api/v3/repos/octo/app/pulls?head=octo%3Adockopt%2F"
	                                   "optimize&state=open",
	                                   "PATCH /api/v3/repos/octo/app/pulls/42"};
	assert_int_equal(http_server_nrequests(srv), 4);
	for (size_t i = 0; i < 4; i++) {
		const http_req *r = http_server_request(srv, i);
		char *line = tu_asprintf("%s %s", r->method, r->target);
		assert_string_equal(line, want[i]);
		free(line);
	}
	assert_null(http_req_header(http_server_request(srv, 2), "Content-Type"));
	http_server_free(srv);
	free(api);
	free(base);
}

static void test_http__github_errors(void **state)
{
	(void)state;
	github_state st = {.number = 7, .bad_credentials = true};
	http_server *srv = http_server_start(github, &st);
	assert_non_null(srv);
	char *base = base_url(srv);
	char *api = tu_asprintf("%s/api/v3", base);
	dko_github_pr_opts o = pr_opts(api);
	dko_github_pr pr;
	assert_int_equal(dko_github_open_pr(&pr, &o), DKO_EHTTP);
	const char *msg = dko_error_last();
	assert_string_equal(msg, "GitHub API: POST /repos/octo/app/pulls: 401 Bad credentials");
	assert_null(strstr(msg, TOKEN));
	assert_int_equal(pr.number, 0);
	assert_null(pr.html_url);

	/* a 404 for a wrong repository */
	st.bad_credentials = false;
	o.repo = "nope";
	assert_int_equal(dko_github_open_pr(&pr, &o), DKO_EHTTP);
	assert_string_equal(dko_error_last(), "GitHub API: POST /repos/octo/nope/pulls: 404 Not Found");

	/* options checked before any request */
	o.token = "";
	assert_int_equal(dko_github_open_pr(&pr, &o), DKO_EINVAL);
	assert_non_null(strstr(dko_error_last(), "GITHUB_TOKEN"));
	http_server_free(srv);

	/* nothing listening */
	char *dead = tu_asprintf("http://127.0.0.1:%d", closed_port());
	o = pr_opts(dead);
	assert_int_equal(dko_github_open_pr(&pr, &o), DKO_EHTTP);
	assert_null(strstr(dko_error_last(), TOKEN));
	free(dead);
	free(api);
	free(base);
}

static void test_http__parse_remote(void **state)
{
	(void)state;
	static const struct {
		const char *url, *host, *owner, *name;
	} ok[] = {
		{"https://github.com/octo/app.git", "github.com", "octo", "app"},
		{"https://github.com/octo/app", "github.com", "octo", "app"},
		{"https://x-access-token:tok@github.com/octo/app.git/", "github.com", "octo", "app"},
		{"http://ghe.example.com:8080/team/svc", "ghe.example.com", "team", "svc"},
		{"git@github.com:octo/app.git", "github.com", "octo", "app"},
		{"github.com:octo/app", "github.com", "octo", "app"},
		{"ssh://git@github.com/octo/app.git", "github.com", "octo", "app"},
		{"ssh://git@[::1]:2222/octo/app.git", "::1", "octo", "app"},
		{"git://example.org/octo/app.git", "example.org", "octo", "app"},
		{"https://gitea.example.org/git/octo/app.git", "gitea.example.org", "octo", "app"},
		{"https://github.com/octo/my.app.git", "github.com", "octo", "my.app"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		dko_github_repo r;
		if (dko_github_parse_remote(&r, ok[i].url) != 0)
			fail_msg("%s: %s", ok[i].url, dko_error_last());
		assert_string_equal(r.host, ok[i].host);
		assert_string_equal(r.owner, ok[i].owner);
		assert_string_equal(r.name, ok[i].name);
		dko_github_repo_release(&r);
	}
	static const char *const bad[] = {"/srv/git/app.git", "https://github.com/app",
	                                  "file:///app.git", "app", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dko_github_repo r;
		if (dko_github_parse_remote(&r, bad[i]) != DKO_EINVAL)
			fail_msg("%s parsed", bad[i]);
		assert_null(r.owner);
	}
	dko_github_repo r;
	assert_int_equal(dko_github_parse_remote(&r, "https://u:secret-pass@h.example/a"),
	                 DKO_EINVAL);
	assert_null(strstr(dko_error_last(), "secret-pass"));

	char *api = dko_github_api_for_host("github.com");
	assert_string_equal(api, "https://api.github.com");
	free(api);
	api = dko_github_api_for_host("ghe.corp");
	assert_string_equal(api, "https://ghe.corp/api/v3");
	free(api);
}

int main(void)
{
	/* the test server is local: no proxy in between */
	static const char *const proxies[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
	                                      "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http__request),
		cmocka_unit_test(test_http__errors_hide_credentials),
		cmocka_unit_test(test_http__github_create_then_update),
		cmocka_unit_test(test_http__github_errors),
		cmocka_unit_test(test_http__parse_remote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
