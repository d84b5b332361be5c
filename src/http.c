/*
 * http.c - one HTTP request through libcurl (see http.h).
 *
 * Invariants: curl_global_init runs once (pthread_once); every request uses
 * a fresh easy handle with TLS verification on and redirects off; response
 * headers are reset at each status line so only the final response's remain;
 * error text is built from curl's error buffer and the redacted URL only.
 */
#include "http.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/redact.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct receiver {
	dko_http_response *resp;
	bool too_big;
} receiver;

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	receiver *r = userdata;
	size_t len = size * n;
	if (r->resp->body.len + len > DKO_HTTP_MAX_BODY) {
		r->too_big = true;
		return 0; /* makes curl fail the transfer */
	}
	dko_buf_put(&r->resp->body, data, len);
	return len;
}

static void clear_headers(dko_http_response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		free(resp->headers[i]);
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	receiver *r = userdata;
	size_t len = size * n, keep = len;
	while (keep > 0 && (data[keep - 1] == '\n' || data[keep - 1] == '\r'))
		keep--;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		clear_headers(r->resp); /* a new response (after 100 Continue, ...) */
		return len;
	}
	if (keep == 0 || !memchr(data, ':', keep))
		return len;
	dko_http_response *resp = r->resp;
	resp->headers = dko_xreallocarray(resp->headers, resp->nheaders + 1, sizeof(char *));
	resp->headers[resp->nheaders++] = dko_xstrndup(data, keep);
	return len;
}

static bool has_header(const dko_http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->nheaders; i++)
		if (strncasecmp(req->headers[i], name, n) == 0 && req->headers[i][n] == ':')
			return true;
	return false;
}

static struct curl_slist *header_list(const dko_http_request *req)
{
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < req->nheaders; i++)
		list = curl_slist_append(list, req->headers[i]);
	if (!has_header(req, "User-Agent"))
		list = curl_slist_append(list, "User-Agent: dockopt/" DKO_VERSION);
	/* no "Expect: 100-continue" round trip for API bodies */
	list = curl_slist_append(list, "Expect:");
	if (!list)
		dko_oom();
	return list;
}

/* Options shared by every request: safety first, then this request's own. */
static CURLcode setup(CURL *h, const dko_http_request *req, struct curl_slist *hdrs,
                      receiver *rcv, char *errbuf)
{
	CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                    \
	do {                                                                                 \
		if (c == CURLE_OK)                                                               \
			c = curl_easy_setopt(h, opt, val);                                           \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, rcv);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, rcv);
	if (req->body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body);
	}
	if (strcmp(req->method, "GET") == 0 && !req->body)
		SET(CURLOPT_HTTPGET, 1L);
	else if (strcmp(req->method, "POST") != 0)
		SET(CURLOPT_CUSTOMREQUEST, req->method);
#undef SET
	return c;
}

static int request_failed(const dko_http_request *req, CURLcode c, const char *errbuf,
                          bool too_big)
{
	const char *why = too_big  ? "the response is larger than the limit"
	                  : *errbuf ? errbuf
	                            : curl_easy_strerror(c);
	return dko_error_set_redacted(DKO_EHTTP, req->secret, "%s %s: %s", req->method, req->url,
	                              why);
}

int dko_http_send(dko_http_response *out, const dko_http_request *req)
{
	memset(out, 0, sizeof(*out));
	if (!req->method || !req->url || (!req->body && req->body_len))
		return dko_error_set(DKO_EINVAL, "http: bad request");
	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK)
		return dko_error_set(DKO_EHTTP, "cannot initialise libcurl: %s",
		                     curl_easy_strerror(curl_init_rc));
	CURL *h = curl_easy_init();
	if (!h)
		return dko_error_set(DKO_EHTTP, "cannot initialise libcurl");
	char errbuf[CURL_ERROR_SIZE] = "";
	receiver rcv = {out, false};
	struct curl_slist *hdrs = header_list(req);
	CURLcode c = setup(h, req, hdrs, &rcv, errbuf);
	if (c == CURLE_OK)
		c = curl_easy_perform(h);
	int rc = 0;
	if (c != CURLE_OK)
		rc = request_failed(req, c, errbuf, rcv.too_big);
	else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}

const char *dko_http_response_header(const dko_http_response *resp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = resp->nheaders; i-- > 0;) {
		const char *h = resp->headers[i];
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			h += n + 1;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}

void dko_http_response_release(dko_http_response *resp)
{
	if (!resp)
		return;
	clear_headers(resp);
	dko_buf_release(&resp->body);
	resp->status = 0;
}

void dko_http_put_escaped(dko_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			dko_buf_putc(out, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			dko_buf_put(out, e, 3);
		}
	}
}
