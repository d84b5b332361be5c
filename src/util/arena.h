/*
 * arena.h - bump allocator owning everything of one document.
 *
 * Blocks are chained and freed together by dko_arena_release(). Built with
 * -DDKO_ARENA_MALLOC=1 (the sanitizer build) every allocation is a separate
 * malloc so that AddressSanitizer sees overflows between objects.
 */
#ifndef DKO_UTIL_ARENA_H
#define DKO_UTIL_ARENA_H

#include <stddef.h>

typedef struct dko_arena_block dko_arena_block;

typedef struct dko_arena {
	dko_arena_block *head;
	size_t total; /* bytes handed out, for statistics */
} dko_arena;

void dko_arena_init(dko_arena *a);
void dko_arena_release(dko_arena *a);
/* Zeroed, aligned memory; aborts on out-of-memory. */
void *dko_arena_alloc(dko_arena *a, size_t size);
/* A NUL-terminated copy of s[0..len). */
char *dko_arena_strndup(dko_arena *a, const char *s, size_t len);
char *dko_arena_strdup(dko_arena *a, const char *s);
/* Grow an arena array: returns a new array of new_n elements holding old_n old ones. */
void *dko_arena_grow(dko_arena *a, void *old, size_t old_n, size_t new_n, size_t elem);

#endif
