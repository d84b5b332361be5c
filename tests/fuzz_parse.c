/*
 * fuzz_parse.c - libFuzzer target for the parsers: any input must parse
 * without a crash, satisfy the tree invariants and print back byte for byte.
 * Built with -fsanitize=fuzzer by `make fuzz`; `make check` replays the saved
 * corpus in tests/fuzz/corpus through tests/fuzz_replay.c.
 */
#include "cst.h"
#include "dockopt/doc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dko_doc *doc = NULL;
	dko_parse(&doc, (const char *)data, size, NULL);
	if (!doc)
		abort();
	if (dko_cst_check(doc) != 0)
		abort();
	char *out;
	size_t len;
	dko_doc_print(&out, &len, doc);
	if (len != size || (size && memcmp(out, data, size) != 0))
		abort();
	free(out);
	dko_doc_dump(&out, &len, doc);
	free(out);
	dko_doc_free(doc);
	return 0;
}
