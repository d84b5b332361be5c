/*
 * redact.h - keeping credentials out of messages. Error texts from libgit2,
 * libcurl and servers may quote URLs (with user:password@) or echo what was
 * sent; everything that can reach dko_error_last() from the git and HTTP
 * layers goes through dko_redact first.
 */
#ifndef DKO_UTIL_REDACT_H
#define DKO_UTIL_REDACT_H

#include "util/buf.h"

/* The environment variables holding tokens dockopt may send, in the order
 * they are preferred; NULL-terminated. */
extern const char *const dko_token_env_vars[];

/* The first non-empty token among dko_token_env_vars, or NULL. */
const char *dko_token_from_env(void);

/*
 * Append s to out with every secret replaced by "***": the values of the
 * dko_token_env_vars, extra (may be NULL), and the user-info part of URLs
 * (a "user:pass@" after "scheme:" and two slashes becomes "***@"). Secrets shorter than 4
 * bytes are not searched for (they cannot be real tokens and would mangle
 * the text).
 */
void dko_redact(dko_buf *out, const char *s, const char *extra);

/*
 * Set the last error to code and the redacted form of the message built from
 * fmt; returns code (like dko_error_set).
 */
int dko_error_set_redacted(int code, const char *extra, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
