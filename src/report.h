/*
 * report.h - findings as text, JSON (the versioned findings schema) and
 * SARIF 2.1.0 (derived from the JSON model, with `fixes` carrying each
 * applied change's replacement). Shared by `fix`, the bot and `verify`.
 */
#ifndef DKO_REPORT_H
#define DKO_REPORT_H

#include "dockopt/fix.h"
#include "util/buf.h"

#include <stdio.h>

/* One processed file: its result, or the error that stopped it. */
typedef struct dko_report_file {
	const char *path;
	const dko_fix_result *result; /* NULL when err is set */
	const char *error;            /* "file:line:col: error: ..." or NULL */
	const char *diff;             /* unified diff of its edits (may be NULL or "") */
	const char *new_file_dir;     /* folder new files (.dockerignore) go to, or NULL */
} dko_report_file;

/* "Dockerfile:3:1: fixed [merge-runs DL3059] merged ... " lines. */
void dko_report_text(FILE *fp, const dko_report_file *files, size_t n);
/* The findings JSON document. extra_json, when not NULL, is inserted as
 * further top-level members (e.g. "\"verify\":{...}"). */
void dko_report_json(dko_buf *out, const dko_report_file *files, size_t n, const char *extra_json);
/* SARIF 2.1.0. */
void dko_report_sarif(dko_buf *out, const dko_report_file *files, size_t n);
/*
 * GitHub-flavoured Markdown (a pull request's body): for each file that
 * changed, a table of the applied changes (line, rule with its hadolint id,
 * what was done, why) and the RUN instructions before and after (the layers
 * removed); the suggestions that were not applied; the files that failed;
 * then the diff of every file in one collapsed <details> block. With
 * max_len (0: no limit) the text appended stays under max_len bytes: files
 * that do not fit are counted instead of shown, and a diff that does not
 * fit is replaced by a note.
 */
void dko_report_markdown(dko_buf *out, const dko_report_file *files, size_t n, size_t max_len);

#endif
