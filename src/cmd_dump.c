/*
 * cmd_dump.c - `dockopt dump [--shell|--graph] FILE`: the syntax tree as
 * S-expressions (BuildKit's parser test format by default).
 */
#include "cmd.h"
#include "graph.h"

#include <stdlib.h>
#include <string.h>

enum { MODE_AST, MODE_GRAPH };

static int dump_graph(const dko_doc *doc, char **out, size_t *len)
{
	dko_graph *g;
	if (dko_graph_build(&g, doc, NULL) != 0) {
		cmd_report("dump --graph");
		dko_graph_free(g);
		return -1;
	}
	dko_graph_dump(out, len, g, doc);
	dko_graph_free(g);
	return 0;
}

static int dump_one(const char *path, int mode)
{
	dko_doc *doc = NULL;
	int err = dko_parse_file(&doc, path, NULL);
	if (!doc) {
		cmd_report(NULL);
		return EXIT_FAIL;
	}
	if (err) {
		cmd_print_diags(doc, stderr);
		dko_doc_free(doc);
		return EXIT_FAIL;
	}
	char *out;
	size_t len;
	if (mode == MODE_GRAPH) {
		if (dump_graph(doc, &out, &len) != 0) {
			dko_doc_free(doc);
			return EXIT_FAIL;
		}
	} else {
		dko_doc_dump(&out, &len, doc);
	}
	int rc = cmd_write_all(stdout, out, len) == 0 ? EXIT_CLEAN : EXIT_FAIL;
	free(out);
	dko_doc_free(doc);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	const char *file = NULL;
	int mode = MODE_AST;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: dockopt dump [--graph] FILE\n\n"
			     "Print each instruction as an S-expression, as BuildKit's parser tests do.\n"
			     "  --graph   stages, build state, files read/written, variables and their uses");
			return EXIT_CLEAN;
		} else if (!strcmp(argv[i], "--graph")) {
			mode = MODE_GRAPH;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "dockopt dump: unknown option %s\n", argv[i]);
			return EXIT_FAIL;
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr, "dockopt dump: one FILE only\n");
			return EXIT_FAIL;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: dockopt dump FILE\n");
		return EXIT_FAIL;
	}
	return dump_one(file, mode);
}
