/*
 * cmd.h - the command-line front end (not part of libdockopt).
 * Each subcommand lives in cmd_<name>.c and returns the process exit code:
 * 0 nothing to change / success, 1 changes found or made or a mismatch,
 * 2 usage, input or runtime error.
 */
#ifndef DKO_CMD_H
#define DKO_CMD_H

#include "dockopt/doc.h"
#include "util/vec.h"

#include <stdbool.h>
#include <stdio.h>

enum { EXIT_CLEAN = 0, EXIT_CHANGES = 1, EXIT_FAIL = 2 };

int cmd_dump(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_precommit(int argc, char **argv);
int cmd_install_hook(int argc, char **argv);
int cmd_bot(int argc, char **argv);

/* Print every diagnostic of doc to stderr (errors and warnings). */
void cmd_print_diags(const dko_doc *doc, FILE *fp);
/* Report a failed library call: dko_error_last() to stderr, prefixed. */
void cmd_report(const char *what);
/* Write all of buf to fp; returns 0 or -1. */
int cmd_write_all(FILE *fp, const char *buf, size_t len);
/* Whether argv[*i] is option name with a value, as "--name VALUE" (then *i
 * moves past the value) or "--name=VALUE"; *val receives the value. */
bool cmd_opt_value(const char **val, int argc, char **argv, int *i, const char *name);

typedef DKO_VEC(const char *) cstrvec;

/* --select RULES and --ignore RULES: comma-separated rule ids or hadolint ids
 * (the strings are owned; cmd_rule_opts_free releases them). */
typedef struct cmd_rule_opts {
	cstrvec select, ignore;
	bool have_select; /* --select given (even empty: no rule at all) */
} cmd_rule_opts;

/* Whether argv[*i] is --select or --ignore; its value is split into r. */
bool cmd_rule_opt(cmd_rule_opts *r, int argc, char **argv, int *i);
/* 0, or -1 after "dockopt CMD: unknown rule 'X'" on stderr. */
int cmd_rule_check(const cmd_rule_opts *r, const char *cmd);
void cmd_rule_opts_free(cmd_rule_opts *r);

#endif
