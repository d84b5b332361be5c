/*
 * main.c - dockopt's command table and dispatch (the CLI; not in the library).
 */
#include "cmd.h"
#include "dockopt/common.h"
#include "dockopt/fix.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} command;

static const command commands[] = {
	{"fix", cmd_fix, "rewrite Dockerfiles: smaller images, fewer layers, faster rebuilds"},
	{"rules", cmd_rules, "list the rules"},
	{"explain", cmd_explain, "explain a rule with a before/after example"},
	{"dump", cmd_dump, "print the syntax tree (BuildKit's test format; --shell, --graph)"},
	{"print", cmd_print, "parse and print the file back unchanged"},
	{"verify", cmd_verify, "build a Dockerfile and its rewrite for real and compare the images"},
	{"pre-commit", cmd_precommit, "fix the staged Dockerfiles in the git index (the git hook)"},
	{"install-hook", cmd_install_hook, "install the git pre-commit hook that runs pre-commit"},
	{"bot", cmd_bot, "fix a remote branch's Dockerfiles on a branch and open a pull request"},
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: dockopt <command> [options] [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-13s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\nRun 'dockopt <command> --help' for a command's options.\n");
}

void cmd_print_diags(const dko_doc *doc, FILE *fp)
{
	for (size_t i = 0; i < dko_doc_diag_count(doc); i++)
		dko_doc_print_diag(doc, dko_doc_diag(doc, i), fp);
}

void cmd_report(const char *what)
{
	const char *msg = dko_error_last();
	if (what && *what)
		fprintf(stderr, "dockopt: %s: %s\n", what, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

int cmd_write_all(FILE *fp, const char *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, fp) != len)
		return -1;
	return fflush(fp) == 0 ? 0 : -1;
}

bool cmd_opt_value(const char **val, int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (a[n] != '\0' || *i + 1 >= argc)
		return false;
	*val = argv[++*i];
	return true;
}

static void split_rules(cstrvec *v, const char *arg)
{
	char *copy = dko_xstrdup(arg);
	for (char *s = copy, *next; s; s = next) {
		next = strchr(s, ',');
		if (next)
			*next++ = '\0';
		if (*s)
			DKO_VEC_PUSH(v, dko_xstrdup(s));
	}
	free(copy);
}

bool cmd_rule_opt(cmd_rule_opts *r, int argc, char **argv, int *i)
{
	const char *v;
	if (cmd_opt_value(&v, argc, argv, i, "--select")) {
		split_rules(&r->select, v);
		r->have_select = true;
	} else if (cmd_opt_value(&v, argc, argv, i, "--ignore")) {
		split_rules(&r->ignore, v);
	} else {
		return false;
	}
	return true;
}

int cmd_rule_check(const cmd_rule_opts *r, const char *cmd)
{
	const cstrvec *lists[] = {&r->select, &r->ignore};
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; i < lists[l]->len; i++)
			if (!dko_rule_find(lists[l]->items[i])) {
				fprintf(stderr, "dockopt %s: unknown rule '%s' (see `dockopt rules`)\n", cmd,
				        lists[l]->items[i]);
				return -1;
			}
	return 0;
}

void cmd_rule_opts_free(cmd_rule_opts *r)
{
	cstrvec *lists[] = {&r->select, &r->ignore};
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->len; i++)
			free((char *)lists[l]->items[i]);
		DKO_VEC_FREE(lists[l]);
	}
}

int main(int argc, char **argv)
{
	dko_tune_allocator();
	if (argc < 2) {
		usage(stderr);
		return EXIT_FAIL;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("dockopt %s\n", DKO_VERSION);
		return EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dockopt: unknown command '%s'\n", name);
	usage(stderr);
	return EXIT_FAIL;
}
