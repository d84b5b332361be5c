/*
 * http_server.h - a small HTTP/1.1 server for tests: one thread, listening
 * on 127.0.0.1 on a free port, one request per connection (it answers with
 * "Connection: close"). A handler decides each answer; the requests are
 * kept so the test can check them after http_server_stop().
 */
#ifndef DKO_TEST_HTTP_SERVER_H
#define DKO_TEST_HTTP_SERVER_H

#include <stddef.h>

typedef struct http_req {
	char method[16];
	char target[2048];
	size_t nheaders;
	char **names, **values;
	char *body; /* NUL-terminated; chunked bodies are decoded */
	size_t body_len;
} http_req;

typedef struct http_resp {
	int status;
	const char *content_type; /* NULL: none */
	char extra_headers[1024]; /* more "Name: value\r\n" lines */
	char *body;               /* malloc'd by the handler (freed by the server) */
	size_t body_len;
} http_resp;

/* Called on the server thread for each request; fill resp (status 0 = 500). */
typedef void (*http_handler)(void *ctx, const http_req *req, http_resp *resp);

typedef struct http_server http_server;

/* Start serving; returns NULL when no socket or thread could be made. */
http_server *http_server_start(http_handler handler, void *ctx);
int http_server_port(const http_server *s);
/* Stop the thread; the recorded requests stay readable until _free. */
void http_server_stop(http_server *s);
void http_server_free(http_server *s);
size_t http_server_nrequests(const http_server *s);
const http_req *http_server_request(const http_server *s, size_t i);

/* A header of req by name (case-insensitive), or NULL. */
const char *http_req_header(const http_req *req, const char *name);
/* Set resp's body to a copy of s. */
void http_resp_body(http_resp *resp, const char *s);

#endif
