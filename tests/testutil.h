/*
 * testutil.h - helpers shared by the cmocka tests (linked into each one).
 */
#ifndef DKO_TESTUTIL_H
#define DKO_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Whole file, NUL-terminated (malloc'd), or NULL. */
char *tu_read_file(const char *path, size_t *len);
/* Write a file (creating parent folders); returns 0 or -1. */
int tu_write_file(const char *path, const char *data, size_t len);
/* ../shared/corpus (or $DKO_CORPUS) when it exists, else NULL. */
const char *tu_corpus_dir(void);
/* The dockopt binary under test ($DOCKOPT_BIN, default build/dockopt). */
const char *tu_dockopt_bin(void);
/* Every Dockerfile of the corpus: buildkit testfiles + dev/manifest.tsv
 * entries. Returns a NULL-terminated malloc'd array of malloc'd paths
 * (free with tu_free_list), or NULL when the corpus is absent. */
char **tu_corpus_files(size_t *n);
/* Only the dev/ files. */
char **tu_corpus_dev_files(size_t *n);
void tu_free_list(char **list);
/* Run a shell command; captures stdout and stderr (malloc'd, may be NULL to
 * discard) and returns its exit status (or -1). stdin_data may be NULL. */
int tu_run(const char *cmd, const char *stdin_data, size_t stdin_len, char **out,
           size_t *out_len, char **err);
/* A new empty temporary folder (malloc'd path). */
char *tu_mkdtemp(void);
/* rm -rf path. */
void tu_rmrf(const char *path);
/* printf into a new malloc'd string. */
char *tu_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a visible notice that a test group was skipped. */
void tu_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
