/*
 * cmd_dump.c - `dockopt dump [--shell|--graph] FILE`: the syntax tree as
 * S-expressions (BuildKit's parser test format by default).
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int dump_one(const char *path)
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
	dko_doc_dump(&out, &len, doc);
	int rc = cmd_write_all(stdout, out, len) == 0 ? EXIT_CLEAN : EXIT_FAIL;
	free(out);
	dko_doc_free(doc);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: dockopt dump FILE\n\nPrint each instruction as an S-expression, as BuildKit's parser tests do.");
			return EXIT_CLEAN;
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
	return dump_one(file);
}
