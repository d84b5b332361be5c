/*
 * cmd.h - the command-line front end (not part of libdockopt).
 * Each subcommand lives in cmd_<name>.c and returns the process exit code:
 * 0 nothing to change / success, 1 changes found or made or a mismatch,
 * 2 usage, input or runtime error.
 */
#ifndef DKO_CMD_H
#define DKO_CMD_H

#include "dockopt/doc.h"

#include <stdio.h>

enum { EXIT_CLEAN = 0, EXIT_CHANGES = 1, EXIT_FAIL = 2 };

int cmd_dump(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Print every diagnostic of doc to stderr (errors and warnings). */
void cmd_print_diags(const dko_doc *doc, FILE *fp);
/* Report a failed library call: dko_error_last() to stderr, prefixed. */
void cmd_report(const char *what);
/* Write all of buf to fp; returns 0 or -1. */
int cmd_write_all(FILE *fp, const char *buf, size_t len);

#endif
