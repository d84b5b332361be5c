/*
 * cmd_print.c - `dockopt print FILE...`: parse and print back with no change.
 * Output equals the input byte for byte, even when the file has errors
 * (they are reported on stderr and the exit code is 2).
 */
#include "cmd.h"

#include <string.h>
#include <stdlib.h>

int cmd_print(int argc, char **argv)
{
	int rc = EXIT_CLEAN, nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: dockopt print FILE...\n\nParse each FILE ('-' for stdin) and print it back from the tree.");
			return EXIT_CLEAN;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "dockopt print: unknown option %s\n", argv[i]);
			return EXIT_FAIL;
		}
	}
	for (int i = 1; i < argc; i++) {
		dko_doc *doc = NULL;
		int err = dko_parse_file(&doc, argv[i], NULL);
		nfiles++;
		if (!doc) {
			cmd_report(NULL);
			rc = EXIT_FAIL;
			continue;
		}
		char *out;
		size_t len;
		dko_doc_print(&out, &len, doc);
		if (cmd_write_all(stdout, out, len) != 0) {
			fprintf(stderr, "dockopt print: write error\n");
			rc = EXIT_FAIL;
		}
		free(out);
		if (err) {
			cmd_print_diags(doc, stderr);
			rc = EXIT_FAIL;
		}
		dko_doc_free(doc);
	}
	if (!nfiles) {
		fprintf(stderr, "usage: dockopt print FILE...\n");
		return EXIT_FAIL;
	}
	return rc;
}
