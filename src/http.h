/*
 * http.h - one HTTP(S) request through libcurl, for the GitHub (and
 * Gitea/Forgejo) REST API. TLS certificates and host names are always
 * verified, redirects are not followed (an API answer is never a redirect
 * worth sending credentials after), only http:// and https:// are allowed,
 * and the proxy comes from the usual environment variables.
 *
 * Any HTTP status is a successful request (the caller judges 4xx/5xx);
 * DKO_EHTTP means no answer: connection, TLS, timeout, or a response over
 * the size limit. Its message names the method and URL (user-info removed)
 * and curl's reason, never a header value: the Authorization header and
 * req->secret never reach dko_error_last().
 */
#ifndef DKO_HTTP_H
#define DKO_HTTP_H

#include "util/buf.h"

#include <stddef.h>

typedef struct dko_http_request {
	const char *method; /* "GET", "POST", "PATCH", ... */
	const char *url;
	const char *const *headers; /* "Name: value" lines; a User-Agent is added if none */
	size_t nheaders;
	const char *body; /* NULL: no body */
	size_t body_len;
	long timeout_ms;         /* the whole exchange; 0: 30 s */
	long connect_timeout_ms; /* 0: 10 s */
	const char *secret;      /* a credential to keep out of messages, or NULL */
} dko_http_request;

typedef struct dko_http_response {
	long status;
	dko_buf body;
	char **headers; /* the final response's "Name: value" lines, without CRLF */
	size_t nheaders;
} dko_http_response;

/* Largest response body accepted (bytes). */
#define DKO_HTTP_MAX_BODY (32u << 20)

/* Send req and fill *out (release it with dko_http_response_release, also
 * after an error). Returns 0 or DKO_EHTTP / DKO_EINVAL. */
int dko_http_send(dko_http_response *out, const dko_http_request *req);

/* The value of a response header (case-insensitive name; the last one when
 * repeated), or NULL. */
const char *dko_http_response_header(const dko_http_response *resp, const char *name);

void dko_http_response_release(dko_http_response *resp);

/* Append s to out percent-encoded for a URL path segment or query value
 * (everything but RFC 3986 unreserved characters is escaped). */
void dko_http_put_escaped(dko_buf *out, const char *s);

#endif
