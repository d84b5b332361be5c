/*
 * error.c - the per-thread last error message.
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last[1024];

int dko_error_set(int code, const char *fmt, ...)
{
	/* Format into a copy first: the arguments may include the previous
	 * message (dko_error_last()), which wraps it in context. */
	char buf[sizeof(last)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(last, buf, sizeof(last));
	return code;
}

const char *dko_error_last(void)
{
	return last;
}

void dko_error_clear(void)
{
	last[0] = '\0';
}
