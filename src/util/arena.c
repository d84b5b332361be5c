/*
 * arena.c - bump allocator (see arena.h). Invariant: every pointer returned
 * stays valid until dko_arena_release(); nothing is freed one by one.
 */
#include "util/arena.h"
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16
#define BLOCK_FIRST (4 * 1024)   /* small documents and results stay small */
#define BLOCK_MAX (1024 * 1024)

struct dko_arena_block {
	dko_arena_block *next;
	size_t used, cap;
	_Alignas(ALIGN) unsigned char data[];
};

void dko_arena_init(dko_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void dko_arena_release(dko_arena *a)
{
	dko_arena_block *b = a->head;
	while (b) {
		dko_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}

static dko_arena_block *new_block(size_t cap, dko_arena_block *next)
{
	dko_arena_block *b = dko_xmalloc(sizeof(*b) + cap);
	b->next = next;
	b->used = 0;
	b->cap = cap;
	return b;
}

/* Uninitialised memory (dko_arena_alloc zeroes it). */
static void *arena_raw(dko_arena *a, size_t size)
{
	void *p;
	if (size == 0)
		size = 1;
	a->total += size;
#if DKO_ARENA_MALLOC
	/* One block per allocation, linked behind the head so order is kept. */
	dko_arena_block *b = new_block(size, a->head);
	b->used = size;
	a->head = b;
	p = b->data;
#else
	size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	dko_arena_block *b = a->head;
	if (!b || b->cap - b->used < need) {
		size_t cap = b ? b->cap * 2 : BLOCK_FIRST;
		if (cap > BLOCK_MAX)
			cap = BLOCK_MAX;
		if (need > cap / 4) {
			/* Large object: its own block, kept behind the current head. */
			dko_arena_block *big = new_block(need, NULL);
			if (b) {
				big->next = b->next;
				b->next = big;
			} else {
				a->head = big;
			}
			big->used = need;
			return big->data;
		}
		/* Blocks double from 4 KiB up to 1 MiB: few allocations for big
		 * documents, little waste for small ones. */
		b = new_block(cap, a->head);
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
#endif
	return p;
}

void *dko_arena_alloc(dko_arena *a, size_t size)
{
	void *p = arena_raw(a, size);
	memset(p, 0, size ? size : 1);
	return p;
}

char *dko_arena_strndup(dko_arena *a, const char *s, size_t len)
{
	char *p = arena_raw(a, len + 1);
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *dko_arena_strdup(dko_arena *a, const char *s)
{
	return dko_arena_strndup(a, s, strlen(s));
}

void *dko_arena_grow(dko_arena *a, void *old, size_t old_n, size_t new_n, size_t elem)
{
	if (new_n && elem > SIZE_MAX / new_n)
		dko_oom();
	void *p = arena_raw(a, new_n * elem);
	size_t keep = old && old_n ? old_n * elem : 0;
	if (keep)
		memcpy(p, old, keep);
	memset((char *)p + keep, 0, new_n * elem - keep);
	return p;
}
