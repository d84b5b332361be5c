/*
 * regex.h - PCRE2 patterns for user-configurable matching (image and stage
 * names, install wrappers, file names). Not for parsing Dockerfiles or shell.
 */
#ifndef DKO_UTIL_REGEX_H
#define DKO_UTIL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dko_regex dko_regex;

/* Compile pattern (UTF-8). A bad pattern is DKO_ECONFIG with a message that
 * names `what` (e.g. "patterns.wrappers[2]"; NULL: no name, for callers that
 * add their own) and the offset of the error. */
int dko_regex_compile(dko_regex **out, const char *pattern, const char *what);
void dko_regex_free(dko_regex *re);
/* Whether s[0..len) matches anywhere (anchor with ^...$ in the pattern). */
bool dko_regex_match(const dko_regex *re, const char *s, size_t len);
const char *dko_regex_pattern(const dko_regex *re);

#endif
