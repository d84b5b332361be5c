/*
 * print.c - tree -> bytes. An untouched node is copied as its source slice,
 * so an unedited document prints back byte for byte; a replaced node prints
 * its replacement, and inserted text goes before its node (or at the end).
 */
#include "cst.h"
#include "util/buf.h"

static void put_edits(dko_buf *b, const dko_edit *e)
{
	for (; e; e = e->next)
		dko_buf_put(b, e->text, e->len);
}

int dko_doc_print(char **out, size_t *len, const dko_doc *doc)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_grow(&b, doc->len);
	if (doc->bom)
		dko_buf_put(&b, doc->src, 3);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		put_edits(&b, n->before);
		if (n->replaced)
			dko_buf_put(&b, n->repl, n->repl_len);
		else
			dko_buf_put(&b, doc->src + n->span.start, n->span.end - n->span.start);
	}
	put_edits(&b, doc->tail);
	*out = dko_buf_detach(&b, len);
	return 0;
}
