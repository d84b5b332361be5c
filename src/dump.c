/*
 * dump.c - tree -> S-expressions in BuildKit's parser test format
 * (Node.Dump): one line per instruction, lower-case keyword, flags as a
 * bracketed list of Go-quoted strings, then each argument Go-quoted; an
 * ONBUILD shows its inner instruction as a nested S-expression.
 */
#include "cst.h"
#include "util/buf.h"

#include <ctype.h>

/* Go's unicode.IsPrint, approximated outside Latin-1 by excluding the space,
 * format, private-use and control ranges that matter in practice. */
static bool go_is_print(uint32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	if (r <= 0xFF)
		return r >= 0xA1 && r != 0xAD;
	if (dko_unicode_is_space(r))
		return false;
	if ((r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) ||
	    (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) ||
	    r == 0x061C || r == 0x06DD || r == 0x070F || r == 0x180E || r == 0x110BD ||
	    (r >= 0xE0000 && r <= 0xE007F) || (r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000 ||
	    r == 0xFFFE || r == 0xFFFF)
		return false;
	return true;
}

void dko_go_quote(dko_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	dko_buf_putc(b, '"');
	for (size_t i = 0; i < len;) {
		uint32_t w;
		uint32_t r = dko_utf8_decode((const unsigned char *)s + i, len - i, &w);
		if (r == 0xFFFD && w == 1) {
			unsigned char c = (unsigned char)s[i];
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			dko_buf_put(b, e, 4);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			dko_buf_putc(b, '\\');
			dko_buf_putc(b, (char)r);
		} else if (go_is_print(r)) {
			dko_buf_put(b, s + i, w);
		} else {
			switch (r) {
			case '\a': dko_buf_puts(b, "\\a"); break;
			case '\b': dko_buf_puts(b, "\\b"); break;
			case '\f': dko_buf_puts(b, "\\f"); break;
			case '\n': dko_buf_puts(b, "\\n"); break;
			case '\r': dko_buf_puts(b, "\\r"); break;
			case '\t': dko_buf_puts(b, "\\t"); break;
			case '\v': dko_buf_puts(b, "\\v"); break;
			default:
				if (r < ' ' || r == 0x7f)
					dko_buf_printf(b, "\\x%02x", r);
				else if (r < 0x10000)
					dko_buf_printf(b, "\\u%04x", r);
				else
					dko_buf_printf(b, "\\U%08x", r);
			}
		}
		i += w;
	}
	dko_buf_putc(b, '"');
}

static void dump_instr(dko_buf *b, const dko_instr *in)
{
	for (uint32_t i = in->keyword.start; i < in->keyword.end; i++)
		dko_buf_putc(b, (char)tolower((unsigned char)in->text[i]));
	if (in->nflags) {
		dko_buf_puts(b, " [");
		for (uint32_t i = 0; i < in->nflags; i++) {
			if (i)
				dko_buf_putc(b, ' ');
			dko_go_quote(b, in->flags[i].text, in->flags[i].len);
		}
		dko_buf_putc(b, ']');
	}
	if (in->sub) {
		dko_buf_puts(b, " (");
		dump_instr(b, in->sub);
		dko_buf_putc(b, ')');
		return;
	}
	for (uint32_t i = 0; i < in->nargs; i++) {
		dko_buf_putc(b, ' ');
		dko_go_quote(b, in->args[i].value, in->args[i].len);
	}
}

int dko_doc_dump(char **out, size_t *len, const dko_doc *doc)
{
	dko_buf b = DKO_BUF_INIT;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		dko_buf_putc(&b, '(');
		dump_instr(&b, n->instr);
		dko_buf_puts(&b, ")\n");
	}
	*out = dko_buf_detach(&b, len);
	return 0;
}
