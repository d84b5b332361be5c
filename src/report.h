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
} dko_report_file;

/* "Dockerfile:3:1: fixed [merge-runs DL3059] merged ... " lines. */
void dko_report_text(FILE *fp, const dko_report_file *files, size_t n);
/* The findings JSON document. extra_json, when not NULL, is inserted as
 * further top-level members (e.g. "\"verify\":{...}"). */
void dko_report_json(dko_buf *out, const dko_report_file *files, size_t n, const char *extra_json);
/* SARIF 2.1.0. */
void dko_report_sarif(dko_buf *out, const dko_report_file *files, size_t n);

#endif
