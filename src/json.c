/*
 * json.c - JSON reader (see json.h). Recursive descent with an explicit depth
 * bound; strings are decoded to UTF-8 (\u escapes, surrogate pairs; a lone
 * surrogate becomes U+FFFD). Everything lives in the document's arena.
 */
#include "json.h"
#include "dockopt/common.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/utf8.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

struct dko_json_doc {
	dko_arena arena;
	dko_json *root;
};

typedef struct reader {
	const char *t;
	size_t n, p;
	dko_arena *arena;
	dko_buf scratch;
	int err;
} reader;

static int fail(reader *r, const char *msg)
{
	if (r->err)
		return r->err;
	size_t line = 1, col = 1;
	for (size_t i = 0; i < r->p && i < r->n; i++) {
		if (r->t[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	r->err = dko_error_set(DKO_EPARSE, "%zu:%zu: %s", line, col, msg);
	return r->err;
}

static void skip_ws(reader *r)
{
	while (r->p < r->n) {
		char c = r->t[r->p];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		r->p++;
	}
}

static int read_hex4(reader *r, unsigned *out)
{
	if (r->n - r->p < 4)
		return fail(r, "short \\u escape");
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = dko_hexval(r->t[r->p + (size_t)i]);
		if (h < 0)
			return fail(r, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	r->p += 4;
	*out = v;
	return 0;
}

static int read_escape(reader *r, dko_buf *b)
{
	char e = r->t[r->p++];
	unsigned c;
	switch (e) {
	case '"': case '\\': case '/': dko_buf_putc(b, e); return 0;
	case 'b': dko_buf_putc(b, '\b'); return 0;
	case 'f': dko_buf_putc(b, '\f'); return 0;
	case 'n': dko_buf_putc(b, '\n'); return 0;
	case 'r': dko_buf_putc(b, '\r'); return 0;
	case 't': dko_buf_putc(b, '\t'); return 0;
	case 'u':
		if (read_hex4(r, &c))
			return r->err;
		if (c >= 0xD800 && c < 0xDC00 && r->n - r->p >= 6 && r->t[r->p] == '\\' &&
		    r->t[r->p + 1] == 'u') {
			size_t save = r->p;
			unsigned lo;
			r->p += 2;
			if (read_hex4(r, &lo))
				return r->err;
			if (lo >= 0xDC00 && lo < 0xE000)
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			else {
				c = 0xFFFD;
				r->p = save;
			}
		} else if (c >= 0xD800 && c < 0xE000) {
			c = 0xFFFD;
		}
		dko_buf_put_rune(b, c);
		return 0;
	default:
		r->p--;
		return fail(r, "bad escape in string");
	}
}

/* A string at r->p (the opening quote); result copied into the arena. */
static int read_string(reader *r, const char **out, size_t *len)
{
	dko_buf *b = &r->scratch;
	dko_buf_clear(b);
	r->p++;
	for (;;) {
		if (r->p >= r->n)
			return fail(r, "unterminated string");
		unsigned char c = (unsigned char)r->t[r->p];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(r, "control character in string");
		if (c == '\\') {
			r->p++;
			if (r->p >= r->n)
				return fail(r, "unterminated string");
			if (read_escape(r, b))
				return r->err;
			continue;
		}
		size_t s = r->p;
		while (r->p < r->n && r->t[r->p] != '"' && r->t[r->p] != '\\' &&
		       (unsigned char)r->t[r->p] >= 0x20)
			r->p++;
		dko_buf_put(b, r->t + s, r->p - s);
	}
	r->p++;
	*out = dko_arena_strndup(r->arena, dko_buf_cstr(b), b->len);
	*len = b->len;
	return 0;
}

static int read_number(reader *r, dko_json *v)
{
	size_t s = r->p;
	if (r->p < r->n && r->t[r->p] == '-')
		r->p++;
	if (r->p >= r->n || r->t[r->p] < '0' || r->t[r->p] > '9')
		return fail(r, "bad number");
	if (r->t[r->p] == '0')
		r->p++;
	else
		while (r->p < r->n && r->t[r->p] >= '0' && r->t[r->p] <= '9')
			r->p++;
	if (r->p < r->n && r->t[r->p] == '.') {
		r->p++;
		if (r->p >= r->n || r->t[r->p] < '0' || r->t[r->p] > '9')
			return fail(r, "bad number");
		while (r->p < r->n && r->t[r->p] >= '0' && r->t[r->p] <= '9')
			r->p++;
	}
	if (r->p < r->n && (r->t[r->p] == 'e' || r->t[r->p] == 'E')) {
		r->p++;
		if (r->p < r->n && (r->t[r->p] == '+' || r->t[r->p] == '-'))
			r->p++;
		if (r->p >= r->n || r->t[r->p] < '0' || r->t[r->p] > '9')
			return fail(r, "bad number");
		while (r->p < r->n && r->t[r->p] >= '0' && r->t[r->p] <= '9')
			r->p++;
	}
	char tmp[64];
	size_t len = r->p - s < sizeof(tmp) - 1 ? r->p - s : sizeof(tmp) - 1;
	memcpy(tmp, r->t + s, len);
	tmp[len] = '\0';
	v->type = DKO_JSON_NUMBER;
	v->number = strtod(tmp, NULL);
	return 0;
}

static int read_value(reader *r, dko_json **out, int depth);

static int read_members(reader *r, dko_json *v, bool object, int depth)
{
	DKO_VEC(dko_json *) items = {0};
	DKO_VEC(const char *) keys = {0};
	char close = object ? '}' : ']';
	r->p++;
	skip_ws(r);
	if (r->p < r->n && r->t[r->p] == close) {
		r->p++;
		goto done;
	}
	for (;;) {
		skip_ws(r);
		if (object) {
			const char *k;
			size_t kl;
			if (r->p >= r->n || r->t[r->p] != '"' || read_string(r, &k, &kl)) {
				fail(r, "expected a member name");
				goto done;
			}
			DKO_VEC_PUSH(&keys, k);
			skip_ws(r);
			if (r->p >= r->n || r->t[r->p] != ':') {
				fail(r, "expected ':'");
				goto done;
			}
			r->p++;
		}
		dko_json *item;
		if (read_value(r, &item, depth + 1))
			goto done;
		DKO_VEC_PUSH(&items, item);
		skip_ws(r);
		if (r->p < r->n && r->t[r->p] == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->n && r->t[r->p] == close) {
			r->p++;
			break;
		}
		fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto done;
	}
done:
	v->len = items.len;
	v->items = dko_arena_alloc(r->arena, (items.len + 1) * sizeof(dko_json *));
	if (items.len)
		memcpy(v->items, items.items, items.len * sizeof(dko_json *));
	if (object) {
		v->keys = dko_arena_alloc(r->arena, (keys.len + 1) * sizeof(char *));
		if (keys.len)
			memcpy(v->keys, keys.items, keys.len * sizeof(char *));
	}
	DKO_VEC_FREE(&items);
	DKO_VEC_FREE(&keys);
	return r->err;
}

static bool lit(reader *r, const char *w)
{
	size_t n = strlen(w);
	if (r->n - r->p >= n && memcmp(r->t + r->p, w, n) == 0) {
		r->p += n;
		return true;
	}
	return false;
}

static int read_value(reader *r, dko_json **out, int depth)
{
	dko_json *v = dko_arena_alloc(r->arena, sizeof(*v));
	*out = v;
	if (depth > MAX_DEPTH)
		return fail(r, "nesting too deep");
	skip_ws(r);
	if (r->p >= r->n)
		return fail(r, "unexpected end of input");
	char c = r->t[r->p];
	switch (c) {
	case '{': v->type = DKO_JSON_OBJECT; return read_members(r, v, true, depth);
	case '[': v->type = DKO_JSON_ARRAY; return read_members(r, v, false, depth);
	case '"': v->type = DKO_JSON_STRING; return read_string(r, &v->str, &v->len);
	default: break;
	}
	if (lit(r, "true")) {
		v->type = DKO_JSON_BOOL;
		v->boolean = true;
	} else if (lit(r, "false")) {
		v->type = DKO_JSON_BOOL;
	} else if (lit(r, "null")) {
		v->type = DKO_JSON_NULL;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		return read_number(r, v);
	} else {
		return fail(r, "unexpected character");
	}
	return 0;
}

int dko_json_parse(dko_json_doc **out, const char *text, size_t len)
{
	dko_json_doc *doc = calloc(1, sizeof(*doc));
	if (!doc)
		abort();
	dko_arena_init(&doc->arena);
	reader r = {text, len, 0, &doc->arena, DKO_BUF_INIT, 0};
	*out = NULL;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r.p = 3;
	if (read_value(&r, &doc->root, 0) == 0) {
		skip_ws(&r);
		if (r.p != r.n)
			fail(&r, "trailing characters after the value");
	}
	dko_buf_release(&r.scratch);
	if (r.err) {
		dko_json_doc_free(doc);
		return r.err;
	}
	*out = doc;
	return 0;
}

void dko_json_doc_free(dko_json_doc *doc)
{
	if (!doc)
		return;
	dko_arena_release(&doc->arena);
	free(doc);
}

const dko_json *dko_json_root(const dko_json_doc *doc)
{
	return doc ? doc->root : NULL;
}

const dko_json *dko_json_get(const dko_json *obj, const char *key)
{
	if (!obj || obj->type != DKO_JSON_OBJECT)
		return NULL;
	for (size_t i = obj->len; i-- > 0;)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const dko_json *dko_json_path(const dko_json *v, const char *path)
{
	char key[256];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = dko_json_get(v, key);
		path += n + (dot ? 1 : 0);
	}
	return v;
}

const char *dko_json_string(const dko_json *v)
{
	return v && v->type == DKO_JSON_STRING ? v->str : NULL;
}
