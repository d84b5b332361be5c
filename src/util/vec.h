/*
 * vec.h - typed growable arrays on the heap.
 *
 *   DKO_VEC(int) v = {0};
 *   DKO_VEC_PUSH(&v, 42);
 *   for (size_t i = 0; i < v.len; i++) use(v.items[i]);
 *   DKO_VEC_FREE(&v);
 */
#ifndef DKO_UTIL_VEC_H
#define DKO_UTIL_VEC_H

#include "util/alloc.h"

#include <stdlib.h>

#define DKO_VEC(T) struct { T *items; size_t len, cap; }

#define DKO_VEC_RESERVE(v, n)                                                        \
	do {                                                                             \
		if ((v)->len + (n) > (v)->cap) {                                             \
			size_t c_ = (v)->cap ? (v)->cap * 2 : 8;                                 \
			while (c_ < (v)->len + (n))                                              \
				c_ *= 2;                                                             \
			(v)->items = dko_xreallocarray((v)->items, c_, sizeof(*(v)->items));    \
			(v)->cap = c_;                                                           \
		}                                                                            \
	} while (0)

#define DKO_VEC_PUSH(v, x)                                                           \
	do {                                                                             \
		DKO_VEC_RESERVE(v, 1);                                                       \
		(v)->items[(v)->len++] = (x);                                                \
	} while (0)

#define DKO_VEC_FREE(v)                                                              \
	do {                                                                             \
		free((v)->items);                                                            \
		(v)->items = NULL;                                                           \
		(v)->len = (v)->cap = 0;                                                     \
	} while (0)

#endif
