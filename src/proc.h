/*
 * proc.h - running another program (internal): fork/exec of an argv array,
 * never a shell string. The child gets its own session (so a timeout can kill
 * everything it started by process group), stdin from /dev/null or from a byte
 * range of a file, and stdout/stderr captured in memory, appended to a log
 * file, or only counted.
 */
#ifndef DKO_PROC_H
#define DKO_PROC_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dko_proc_opts {
	/* "NAME=value" entries set in the child's environment on top of ours;
	 * NULL-terminated, or NULL for none. */
	const char *const *env;
	/* Non-NULL: stdout and stderr are both appended to this file (created
	 * 0644) instead of being captured. */
	const char *log_path;
	/* When in_len > 0, stdin is fed in_len bytes of the open file in_fd
	 * from offset in_off; otherwise stdin is /dev/null. */
	int in_fd;
	uint64_t in_off, in_len;
	/* Count stdout's bytes without keeping them (result.out stays empty). */
	bool count_stdout;
	/* Bytes kept of each captured stream; the rest is counted only.
	 * 0 means 64 MiB. */
	size_t keep_max;
	/* Wall-clock limit in milliseconds, 0 for none. When it expires the
	 * process group gets SIGTERM, then SIGKILL two seconds later. */
	unsigned timeout_ms;
} dko_proc_opts;

typedef struct dko_proc_result {
	int exit_code;           /* 0..255, 128+N when killed by signal N */
	bool timed_out;          /* the timeout expired and the group was killed */
	dko_buf out, err;        /* what was kept of stdout and stderr */
	uint64_t out_total, err_total; /* bytes the program wrote to each */
	double seconds;          /* wall-clock time from fork to exit */
} dko_proc_result;

void dko_proc_result_init(dko_proc_result *res);
void dko_proc_result_release(dko_proc_result *res);

/* The full path of program name found on $PATH (or name itself when it holds
 * a '/' and is executable); malloc'd, or NULL when there is none. */
char *dko_proc_which(const char *name);

/*
 * Run argv (NULL-terminated; argv[0] is looked up on $PATH) and wait for it.
 * Returns 0 whenever the program ran, whatever its exit code or a timeout
 * (see res); DKO_ENOTFOUND when argv[0] is not on $PATH; DKO_EIO when a pipe,
 * the log file, fork or exec failed. res is initialised in every case and
 * must be released by the caller.
 */
int dko_proc_run(dko_proc_result *res, const char *const *argv, const dko_proc_opts *opts);

/* argv as one line for messages and logs: words shell-quoted when needed.
 * Appended to b. */
void dko_proc_argv_text(dko_buf *b, const char *const *argv);

#endif
