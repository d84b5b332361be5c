/*
 * utf8.c - UTF-8 and character helpers (see utf8.h).
 */
#include "util/utf8.h"

uint32_t dko_utf8_decode(const unsigned char *p, size_t n, uint32_t *w)
{
	if (n == 0) {
		*w = 0;
		return 0xFFFD;
	}
	unsigned char c = p[0];
	*w = 1;
	if (c < 0x80)
		return c;
	uint32_t need, r, min;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1, r = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2, r = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3, r = c & 0x07, min = 0x10000;
	} else {
		return 0xFFFD;
	}
	if (n < need + 1)
		return 0xFFFD;
	for (uint32_t i = 1; i <= need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past 0x10FFFF are invalid. */
	if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		return 0xFFFD;
	*w = need + 1;
	return r;
}

void dko_buf_put_rune(dko_buf *b, uint32_t r)
{
	char u[4];
	size_t n;
	if (r < 0x80) {
		u[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		u[0] = (char)(0xC0 | (r >> 6));
		u[1] = (char)(0x80 | (r & 0x3F));
		n = 2;
	} else if (r < 0x10000) {
		u[0] = (char)(0xE0 | (r >> 12));
		u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (r >> 18));
		u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[3] = (char)(0x80 | (r & 0x3F));
		n = 4;
	}
	dko_buf_put(b, u, n);
}

bool dko_unicode_is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

int dko_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
