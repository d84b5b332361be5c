/*
 * manifest_int.h - helpers shared by the manifest readers (manifest.c,
 * manifest_build.c); internal.
 */
#ifndef DKO_MANIFEST_INT_H
#define DKO_MANIFEST_INT_H

#include "manifest.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Append val to an arena array arr of n elements (capacity: powers of two). */
#define MF_PUSH(a, arr, n, val)                                                          \
	do {                                                                                 \
		if (((n) & ((n)-1)) == 0)                                                        \
			(arr) = dko_arena_grow((a), (void *)(arr), (n), (n) ? 2 * (n) : 1, sizeof(*(arr))); \
		(arr)[(n)++] = (val);                                                            \
	} while (0)

/* Read manifest rel: *clean its canonical path, *text its bytes (both
 * malloc'd). DKO_ENOTFOUND unless a regular file; DKO_EIO if too big. */
int mf_load(dko_context *ctx, const char *rel, char **clean, char **text, size_t *len);
/* A manifest being read. Its public struct (pub, size bytes) and the arena a
 * that owns the contents share one block: pub is the block, and
 * mf_box_free(pub, size) releases both. path is canonical, in a; text holds
 * the bytes until mf_text_close. */
typedef struct mf_text {
	void *pub;
	dko_arena *a;
	const char *path;
	char *text;
	size_t len;
} mf_text;

void *mf_box_new(size_t size, dko_arena **a);
void mf_box_free(void *pub, size_t size);
/* mf_load rel and make its box (t->pub zeroed); on error nothing is kept. */
int mf_text_open(mf_text *t, dko_context *ctx, const char *rel, size_t size);
void mf_text_close(mf_text *t);

/* The folder of a canonical path ("" at the root), in a. */
const char *mf_dir(dko_arena *a, const char *path);
/* dir/name (name alone when dir is ""), in a. */
const char *mf_sibling(dko_arena *a, const char *dir, const char *name);
/* rel (relative to folder dir) made canonical, in a; NULL when it is
 * absolute or leaves the context. */
const char *mf_join(dko_arena *a, const char *dir, const char *rel);
/* Whether dir/name is a regular file (or folder) of the context. */
bool mf_has_file(dko_context *ctx, dko_arena *a, const char *dir, const char *name);
bool mf_has_dir(dko_context *ctx, dko_arena *a, const char *dir, const char *name);
/* Copy of s[0..n) without leading and trailing blanks, in a. */
const char *mf_trim(dko_arena *a, const char *s, size_t n);
/* Next line of text[*pos..len) (without its "\n" or "\r\n"); false at the end. */
bool mf_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);

#endif
