/*
 * utf8.h - UTF-8 and character helpers with Go's semantics (BuildKit and
 * Docker are written in Go, and dockopt must split and trim text exactly as
 * they do): decoding, encoding, unicode.IsSpace, hex digits.
 */
#ifndef DKO_UTIL_UTF8_H
#define DKO_UTIL_UTF8_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one UTF-8 sequence like Go's utf8.DecodeRune: returns the rune and
 * sets *w to its width (1 and 0xFFFD for an invalid byte; 0 for n == 0). */
uint32_t dko_utf8_decode(const unsigned char *p, size_t n, uint32_t *w);
/* Append the UTF-8 encoding of rune r (at most 0x10FFFF) to b. */
void dko_buf_put_rune(dko_buf *b, uint32_t r);
/* Go's unicode.IsSpace. */
bool dko_unicode_is_space(uint32_t r);
/* The value of a hexadecimal digit, or -1. */
int dko_hexval(int c);

#endif
