/*
 * http_server.c - the test HTTP/1.1 server (see http_server.h). Blocking I/O
 * on one thread; the accept loop polls so that stop() is prompt. Requests
 * are parsed strictly enough for curl and libgit2: request line, headers,
 * Content-Length or chunked body.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEAD (64 * 1024)

struct http_server {
	int fd, port;
	pthread_t thread;
	atomic_bool stop;
	bool running;
	http_handler handler;
	void *ctx;
	http_req *reqs;
	size_t nreqs;
};

typedef struct conn {
	int fd;
	char *buf;
	size_t len, cap, pos;
} conn;

/* Make sure at least need bytes are buffered from pos; -1 at EOF/error. */
static int fill(conn *c, size_t need)
{
	while (c->len - c->pos < need) {
		if (c->len + 4096 > c->cap) {
			c->cap = (c->cap + 4096) * 2;
			c->buf = realloc(c->buf, c->cap + 1);
		}
		ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
		c->buf[c->len] = '\0';
	}
	return 0;
}

/* The next line (without CRLF), NUL-terminated in place; NULL at EOF. */
static char *next_line(conn *c)
{
	for (;;) {
		char *start = c->buf ? c->buf + c->pos : NULL;
		char *nl = start ? memchr(start, '\n', c->len - c->pos) : NULL;
		if (nl) {
			*nl = '\0';
			if (nl > start && nl[-1] == '\r')
				nl[-1] = '\0';
			c->pos = (size_t)(nl - c->buf) + 1;
			return start;
		}
		if (c->len > MAX_HEAD || fill(c, c->len - c->pos + 1) < 0)
			return NULL;
	}
}

static void add_header(http_req *r, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return;
	const char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	r->names = realloc(r->names, (r->nheaders + 1) * sizeof(char *));
	r->values = realloc(r->values, (r->nheaders + 1) * sizeof(char *));
	r->names[r->nheaders] = strndup(line, (size_t)(colon - line));
	r->values[r->nheaders] = strdup(v);
	r->nheaders++;
}

static void append_body(http_req *r, const char *p, size_t n)
{
	r->body = realloc(r->body, r->body_len + n + 1);
	memcpy(r->body + r->body_len, p, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static int read_chunked(conn *c, http_req *r)
{
	for (;;) {
		char *line = next_line(c);
		if (!line)
			return -1;
		size_t n = strtoul(line, NULL, 16);
		if (n == 0) {
			while ((line = next_line(c)) && *line) /* trailers */
				;
			return 0;
		}
		if (fill(c, n + 2) < 0)
			return -1;
		append_body(r, c->buf + c->pos, n);
		c->pos += n + 2;
	}
}

static int read_request(conn *c, http_req *r)
{
	char *line = next_line(c);
	if (!line || sscanf(line, "%15s %2047s", r->method, r->target) != 2)
		return -1;
	while ((line = next_line(c)) && *line)
		add_header(r, line);
	if (!line)
		return -1;
	append_body(r, "", 0);
	const char *te = http_req_header(r, "Transfer-Encoding");
	if (te && strcasecmp(te, "chunked") == 0)
		return read_chunked(c, r);
	const char *cl = http_req_header(r, "Content-Length");
	size_t n = cl ? strtoul(cl, NULL, 10) : 0;
	if (n && fill(c, n) < 0)
		return -1;
	append_body(r, c->buf + c->pos, n);
	c->pos += n;
	return 0;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 422: return "Unprocessable Entity";
	default: return "Status";
	}
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void respond(int fd, http_resp *resp)
{
	int status = resp->status ? resp->status : 500;
	char head[2048];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
	                 status, reason(status), resp->content_type ? "Content-Type: " : "",
	                 resp->content_type ? resp->content_type : "",
	                 resp->content_type ? "\r\n" : "", resp->body_len, resp->extra_headers);
	send_all(fd, head, (size_t)n);
	if (resp->body_len)
		send_all(fd, resp->body, resp->body_len);
}

static void serve(http_server *s, int fd)
{
	conn c = {fd, NULL, 0, 0, 0};
	http_req r;
	memset(&r, 0, sizeof(r));
	if (read_request(&c, &r) == 0) {
		http_resp resp;
		memset(&resp, 0, sizeof(resp));
		s->handler(s->ctx, &r, &resp);
		respond(fd, &resp);
		free(resp.body);
		s->reqs = realloc(s->reqs, (s->nreqs + 1) * sizeof(*s->reqs));
		s->reqs[s->nreqs++] = r;
	} else {
		for (size_t i = 0; i < r.nheaders; i++) {
			free(r.names[i]);
			free(r.values[i]);
		}
		free(r.names);
		free(r.values);
		free(r.body);
	}
	free(c.buf);
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void *loop(void *arg)
{
	http_server *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int fd = accept(s->fd, NULL, NULL);
		if (fd >= 0)
			serve(s, fd);
	}
	return NULL;
}

http_server *http_server_start(http_handler handler, void *ctx)
{
	http_server *s = calloc(1, sizeof(*s));
	s->handler = handler;
	s->ctx = ctx;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s->fd, 16) != 0 || getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0 ||
	    pthread_create(&s->thread, NULL, loop, s) != 0) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	s->port = ntohs(a.sin_port);
	s->running = true;
	return s;
}

int http_server_port(const http_server *s)
{
	return s->port;
}

void http_server_stop(http_server *s)
{
	if (!s || !s->running)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	close(s->fd);
	s->running = false;
}

void http_server_free(http_server *s)
{
	if (!s)
		return;
	http_server_stop(s);
	for (size_t i = 0; i < s->nreqs; i++) {
		http_req *r = &s->reqs[i];
		for (size_t j = 0; j < r->nheaders; j++) {
			free(r->names[j]);
			free(r->values[j]);
		}
		free(r->names);
		free(r->values);
		free(r->body);
	}
	free(s->reqs);
	free(s);
}

size_t http_server_nrequests(const http_server *s)
{
	return s->nreqs;
}

const http_req *http_server_request(const http_server *s, size_t i)
{
	return i < s->nreqs ? &s->reqs[i] : NULL;
}

const char *http_req_header(const http_req *req, const char *name)
{
	for (size_t i = req->nheaders; i-- > 0;)
		if (strcasecmp(req->names[i], name) == 0)
			return req->values[i];
	return NULL;
}

void http_resp_body(http_resp *resp, const char *s)
{
	free(resp->body);
	resp->body_len = strlen(s);
	resp->body = malloc(resp->body_len + 1);
	memcpy(resp->body, s, resp->body_len + 1);
}
