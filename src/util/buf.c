/*
 * buf.c - growable byte buffer (see buf.h).
 */
#include "util/buf.h"
#include "util/alloc.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dko_buf_init(dko_buf *b)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void dko_buf_release(dko_buf *b)
{
	free(b->ptr);
	dko_buf_init(b);
}

void dko_buf_clear(dko_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void dko_buf_grow(dko_buf *b, size_t extra)
{
	if (extra + 1 > b->cap - b->len || !b->ptr) {
		size_t want = b->len + extra + 1;
		size_t cap = b->cap ? b->cap : 64;
		while (cap < want) {
			if (cap > ((size_t)-1) / 2)
				dko_oom();
			cap *= 2;
		}
		b->ptr = dko_xrealloc(b->ptr, cap);
		b->cap = cap;
	}
}

void dko_buf_put(dko_buf *b, const void *data, size_t len)
{
	dko_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void dko_buf_puts(dko_buf *b, const char *s)
{
	dko_buf_put(b, s, strlen(s));
}

void dko_buf_putc(dko_buf *b, char c)
{
	dko_buf_put(b, &c, 1);
}

void dko_buf_vprintf(dko_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	dko_buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void dko_buf_printf(dko_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *dko_buf_detach(dko_buf *b, size_t *len)
{
	char *p = b->ptr ? b->ptr : dko_xstrdup("");
	if (len)
		*len = b->len;
	dko_buf_init(b);
	return p;
}

const char *dko_buf_cstr(const dko_buf *b)
{
	return b->ptr ? b->ptr : "";
}

void dko_buf_put_json_str(dko_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	dko_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': dko_buf_puts(b, "\\\""); break;
		case '\\': dko_buf_puts(b, "\\\\"); break;
		case '\n': dko_buf_puts(b, "\\n"); break;
		case '\r': dko_buf_puts(b, "\\r"); break;
		case '\t': dko_buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				dko_buf_put(b, e, 6);
			} else if (c < 0x80) {
				dko_buf_putc(b, (char)c);
			} else {
				/* JSON is UTF-8: a byte that does not start a valid
				 * sequence becomes U+FFFD (as Go's encoding/json does) */
				uint32_t w;
				uint32_t r = dko_utf8_decode((const unsigned char *)s + i, len - i, &w);
				if (r == 0xFFFD && w == 1)
					dko_buf_puts(b, "\\ufffd");
				else
					dko_buf_put(b, s + i, w);
				i += w - 1;
			}
		}
	}
	dko_buf_putc(b, '"');
}

const char *dko_mem_find(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if (h[i] == needle[0] && !memcmp(h + i, needle, k))
			return h + i;
	return NULL;
}
