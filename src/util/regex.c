/*
 * regex.c - PCRE2 wrapper (see regex.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "util/regex.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"

#include <pcre2.h>
#include <stdlib.h>

struct dko_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	char *pattern;
};

int dko_regex_compile(dko_regex **out, const char *pattern, const char *what)
{
	int err;
	PCRE2_SIZE off;
	*out = NULL;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err,
	                                 &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		if (!what)
			return dko_error_set(DKO_ECONFIG, "bad pattern '%s' at offset %zu: %s", pattern, (size_t)off,
			                     (const char *)msg);
		return dko_error_set(DKO_ECONFIG, "%s: bad pattern '%s' at offset %zu: %s", what, pattern,
		                     (size_t)off, (const char *)msg);
	}
	dko_regex *re = dko_xcalloc(1, sizeof(*re));
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	re->pattern = dko_xstrdup(pattern);
	*out = re;
	return 0;
}

void dko_regex_free(dko_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

bool dko_regex_match(const dko_regex *re, const char *s, size_t len)
{
	return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, NULL) >= 0;
}

const char *dko_regex_pattern(const dko_regex *re)
{
	return re->pattern;
}
