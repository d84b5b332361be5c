/*
 * redact.c - replace credentials in message text with "***" (see redact.h).
 *
 * Two passes over the text: known secret values first (exact byte search),
 * then URL user-info, so a token embedded in a URL is caught either way.
 */
#include "util/redact.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SECRET 4

const char *const dko_token_env_vars[] = {"DOCKOPT_GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN",
                                          NULL};

const char *dko_token_from_env(void)
{
	for (size_t i = 0; dko_token_env_vars[i]; i++) {
		const char *v = getenv(dko_token_env_vars[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/* out = in with every occurrence of secret replaced. */
static void replace_all(dko_buf *out, const char *in, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < MIN_SECRET) {
		dko_buf_puts(out, in);
		return;
	}
	const char *p = in, *hit;
	while ((hit = strstr(p, secret))) {
		dko_buf_put(out, p, (size_t)(hit - p));
		dko_buf_puts(out, "***");
		p = hit + n;
	}
	dko_buf_puts(out, p);
}

/* Length of the user-info at s (just after "://"), counting the '@', or 0. */
static size_t userinfo_len(const char *s)
{
	size_t i = 0;
	while (s[i] && !strchr("/?# \t\r\n\"'<>", s[i])) {
		if (s[i] == '@') {
			/* the last '@' before the host ends the user-info */
			size_t j = i + 1;
			while (s[j] && !strchr("/?#@ \t\r\n\"'<>", s[j]))
				j++;
			if (s[j] == '@') {
				i = j;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return 0;
}

static void strip_userinfo(dko_buf *out, const char *in)
{
	const char *p = in, *sep;
	while ((sep = strstr(p, "://"))) {
		sep += 3;
		dko_buf_put(out, p, (size_t)(sep - p));
		size_t n = userinfo_len(sep);
		if (n)
			dko_buf_puts(out, "***@");
		p = sep + n;
	}
	dko_buf_puts(out, p);
}

void dko_redact(dko_buf *out, const char *s, const char *extra)
{
	dko_buf a = DKO_BUF_INIT, b = DKO_BUF_INIT;
	dko_buf_puts(&a, s);
	for (size_t i = 0; dko_token_env_vars[i]; i++) {
		dko_buf_clear(&b);
		replace_all(&b, dko_buf_cstr(&a), getenv(dko_token_env_vars[i]));
		dko_buf t = a;
		a = b;
		b = t;
	}
	dko_buf_clear(&b);
	replace_all(&b, dko_buf_cstr(&a), extra);
	strip_userinfo(out, dko_buf_cstr(&b));
	dko_buf_release(&a);
	dko_buf_release(&b);
}

int dko_error_set_redacted(int code, const char *extra, const char *fmt, ...)
{
	dko_buf raw = DKO_BUF_INIT, clean = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	dko_redact(&clean, dko_buf_cstr(&raw), extra);
	dko_error_set(code, "%s", dko_buf_cstr(&clean));
	dko_buf_release(&raw);
	dko_buf_release(&clean);
	return code;
}
