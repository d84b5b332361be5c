/*
 * alloc.h - checked heap allocation. Out-of-memory is not an error code in
 * dockopt: it aborts in one place (dko_oom) with a message.
 */
#ifndef DKO_UTIL_ALLOC_H
#define DKO_UTIL_ALLOC_H

#include <stddef.h>

_Noreturn void dko_oom(void);
void *dko_xmalloc(size_t n);
void *dko_xcalloc(size_t n, size_t size);
void *dko_xrealloc(void *p, size_t n);
/* realloc to n*size bytes, checking the multiplication. */
void *dko_xreallocarray(void *p, size_t n, size_t size);
char *dko_xstrdup(const char *s);
char *dko_xstrndup(const char *s, size_t n);
/*
 * Tune the allocator for dockopt's pattern: a document is parsed again
 * after every pass, so the same large blocks are allocated and freed over
 * and over. glibc would hand blocks over 128 KiB back to the kernel each
 * time and fault them in again; keeping them makes big files as cheap per
 * byte as small ones. A no-op elsewhere. Called once by the programs.
 */
void dko_tune_allocator(void);

#endif
