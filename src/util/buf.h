/*
 * buf.h - growable byte buffer, always NUL-terminated after its contents.
 */
#ifndef DKO_UTIL_BUF_H
#define DKO_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct dko_buf {
	char *ptr;
	size_t len, cap;
} dko_buf;

#define DKO_BUF_INIT {NULL, 0, 0}

void dko_buf_init(dko_buf *b);
void dko_buf_release(dko_buf *b);
void dko_buf_clear(dko_buf *b);
void dko_buf_grow(dko_buf *b, size_t extra);
void dko_buf_put(dko_buf *b, const void *data, size_t len);
void dko_buf_puts(dko_buf *b, const char *s);
void dko_buf_putc(dko_buf *b, char c);
void dko_buf_printf(dko_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dko_buf_vprintf(dko_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Give the contents away (caller frees); the buffer is left empty. */
char *dko_buf_detach(dko_buf *b, size_t *len);
/* The contents as a C string ("" when empty, never NULL). */
const char *dko_buf_cstr(const dko_buf *b);
/* Append s quoted as a JSON string (with the quotes). */
void dko_buf_put_json_str(dko_buf *b, const char *s, size_t len);
/* The first occurrence of the string needle in the n bytes at h, or NULL
 * (memmem, which strict C11 lacks). */
const char *dko_mem_find(const char *h, size_t n, const char *needle);

#endif
