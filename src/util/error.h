/*
 * error.h - setting the per-thread last error (see dockopt/common.h).
 */
#ifndef DKO_UTIL_ERROR_H
#define DKO_UTIL_ERROR_H

#include "dockopt/common.h"

/* Set the last error message and return code, so callers can write
 * `return dko_error_set(DKO_EIO, "%s: %s", path, strerror(errno));`. */
int dko_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
