/*
 * alloc.c - checked heap allocation (see alloc.h).
 */
#include "util/alloc.h"

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void dko_oom(void)
{
	fputs("dockopt: out of memory\n", stderr);
	abort();
}

void *dko_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		dko_oom();
	return p;
}

void *dko_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		dko_oom();
	return p;
}

void *dko_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		dko_oom();
	return q;
}

void *dko_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		dko_oom();
	return dko_xrealloc(p, n * size);
}

char *dko_xstrndup(const char *s, size_t n)
{
	char *p = dko_xmalloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *dko_xstrdup(const char *s)
{
	return dko_xstrndup(s, strlen(s));
}

void dko_tune_allocator(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}
