/*
 * dockopt/doc.h - parsing a Dockerfile into a lossless syntax tree, printing
 * it back and dumping it.
 *
 * A dko_doc owns a copy of the input and everything derived from it (one
 * arena). Every input byte belongs to exactly one token, so printing an
 * unedited document gives back the input byte for byte, whatever it holds.
 * Problems in the Dockerfile are diagnostics attached to the document, not
 * failures of the call: the tree is complete even when it has error nodes.
 */
#ifndef DOCKOPT_DOC_H
#define DOCKOPT_DOC_H

#include "dockopt/common.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct dko_doc dko_doc;

typedef struct dko_parse_opts {
	const char *filename; /* used in messages; NULL means "Dockerfile" */
} dko_parse_opts;

typedef enum dko_severity {
	DKO_SEV_ERROR,
	DKO_SEV_WARNING,
	DKO_SEV_NOTE
} dko_severity;

/* A problem in the Dockerfile. span is in bytes of the document's source. */
typedef struct dko_diag {
	dko_severity severity;
	const char *code;    /* short id, e.g. "unknown-instruction" */
	dko_span span;
	const char *message; /* one line, no location prefix */
} dko_diag;

/*
 * Parse buf[0..len) (copied). *out receives the document in every case but
 * out-of-memory (which aborts). Returns 0, or DKO_EPARSE when the document has
 * error diagnostics; then dko_error_last() holds the first one formatted as
 * "file:line:col: error: message". The caller frees *out with dko_doc_free().
 */
int dko_parse(dko_doc **out, const char *buf, size_t len, const dko_parse_opts *opts);

/* Read a file (or stdin for "-") and parse it. Returns DKO_EIO/DKO_ENOTFOUND/
 * DKO_EINVAL (a directory) without a document, else as dko_parse(). */
int dko_parse_file(dko_doc **out, const char *path, const dko_parse_opts *opts);

/* Free a document; NULL is a no-op. */
void dko_doc_free(dko_doc *doc);

/* The source bytes (owned by the document) and their length. */
const char *dko_doc_source(const dko_doc *doc, size_t *len);
const char *dko_doc_filename(const dko_doc *doc);

/* Diagnostics, in source order. */
size_t dko_doc_diag_count(const dko_doc *doc);
const dko_diag *dko_doc_diag(const dko_doc *doc, size_t i);
bool dko_doc_has_errors(const dko_doc *doc);

/* 1-based line and column (in characters) of a byte offset. */
void dko_doc_position(const dko_doc *doc, uint32_t offset, uint32_t *line, uint32_t *col);

/* Print one diagnostic as "file:line:col: severity: message" followed by the
 * source line and a caret under the column. */
void dko_doc_print_diag(const dko_doc *doc, const dko_diag *d, FILE *fp);

/*
 * Print the document (with its edits, if any) into a new malloc'd buffer
 * (*out, NUL-terminated, caller frees; *len its length). Returns 0.
 */
int dko_doc_print(char **out, size_t *len, const dko_doc *doc);

/*
 * Dump the instructions in BuildKit's parser test format: one S-expression
 * per instruction, e.g. (copy ["--from=b"] "a" "/b"). Malloc'd, caller frees.
 */
int dko_doc_dump(char **out, size_t *len, const dko_doc *doc);

#endif
