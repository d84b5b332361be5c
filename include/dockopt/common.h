/*
 * dockopt/common.h - error codes, byte spans and the last-error message.
 *
 * Conventions (libgit2's): fallible functions return int, 0 on success or a
 * negative DKO_E* code. The function that detects a failure sets a message
 * once; dko_error_last() returns it (per thread) until the next failure.
 * Messages about a file carry "file:line:col: error: ...".
 */
#ifndef DOCKOPT_COMMON_H
#define DOCKOPT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define DKO_VERSION "0.1.0"

/* Error codes (negative). DKO_OK is success. */
typedef enum dko_error_code {
	DKO_OK = 0,
	DKO_ERROR = -1,     /* generic failure */
	DKO_ENOTFOUND = -2, /* a file, object or key does not exist */
	DKO_EIO = -3,       /* reading or writing a file failed */
	DKO_EINVAL = -4,    /* bad argument or usage */
	DKO_EPARSE = -5,    /* the input has syntax errors (see the diagnostics) */
	DKO_ECONFIG = -6,   /* bad configuration file or pattern */
	DKO_EGIT = -7,      /* a libgit2 operation failed */
	DKO_EHTTP = -8,     /* an HTTP request failed */
	DKO_EENGINE = -9    /* a container engine command failed */
} dko_error_code;

/* A half-open byte range [start, end). */
typedef struct dko_span {
	uint32_t start, end;
} dko_span;

/* The message of the last error set in this thread; "" when none. Never NULL. */
const char *dko_error_last(void);

/* Forget the last error. */
void dko_error_clear(void);

#endif
