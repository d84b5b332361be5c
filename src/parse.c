/*
 * parse.c - one logical line -> a dko_instr, as BuildKit's line parsers do:
 * splitCommand (keyword, --flags, rest), then a per-instruction parser
 * (JSON-or-shell, word lists, ENV/LABEL pairs, HEALTHCHECK, ONBUILD), and the
 * detection of heredoc words on RUN/COPY/ADD lines.
 *
 * Every value keeps the logical span it came from, so later phases can map
 * it back to source bytes. Errors become diagnostics on the instruction.
 */
#include "cst.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pctx {
	dko_doc *doc;
	dko_node *node;
	const char *t; /* the logical text */
	dko_instr *in;
} pctx;

static const struct {
	const char *name;
	dko_instr_kind kind;
} keywords[] = {
	{"ADD", DKO_I_ADD},           {"ARG", DKO_I_ARG},
	{"CMD", DKO_I_CMD},           {"COPY", DKO_I_COPY},
	{"ENTRYPOINT", DKO_I_ENTRYPOINT}, {"ENV", DKO_I_ENV},
	{"EXPOSE", DKO_I_EXPOSE},     {"FROM", DKO_I_FROM},
	{"HEALTHCHECK", DKO_I_HEALTHCHECK}, {"LABEL", DKO_I_LABEL},
	{"MAINTAINER", DKO_I_MAINTAINER}, {"ONBUILD", DKO_I_ONBUILD},
	{"RUN", DKO_I_RUN},           {"SHELL", DKO_I_SHELL},
	{"STOPSIGNAL", DKO_I_STOPSIGNAL}, {"USER", DKO_I_USER},
	{"VOLUME", DKO_I_VOLUME},     {"WORKDIR", DKO_I_WORKDIR},
};

const char *dko_instr_name(dko_instr_kind k)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].kind == k)
			return keywords[i].name;
	return "";
}

dko_instr_kind dko_instr_lookup(const char *kw, size_t len)
{
	/* Called once per instruction: dispatch on length and first letter. */
	if (len < 3 || len > 11)
		return DKO_I_UNKNOWN;
	char first = (char)(kw[0] & ~0x20); /* ASCII upper case */
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		const char *name = keywords[i].name;
		if (name[0] != first)
			continue;
		size_t n = 1;
		while (n < len && name[n] && (kw[n] & ~0x20) == name[n])
			n++;
		if (n == len && name[n] == '\0')
			return keywords[i].kind;
	}
	return DKO_I_UNKNOWN;
}

/* ---- helpers --------------------------------------------------------------- */

static bool ws_byte(char c)
{
	/* BuildKit's reWhitespace: [\t\v\f\r ] */
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_alpha_c(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool re_space_c(char c)
{
	/* Go RE2's \s: [\t\n\f\r ] */
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool ascii_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool byte_is_space(unsigned char c)
{
	/* unicode.IsSpace(rune(b)) on a single byte, as Go code that indexes a string does. */
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
}

/* strings.TrimSpace on [a, b) of t (rune-wise). */
static void trim_space(const char *t, uint32_t *a, uint32_t *b)
{
	uint32_t w;
	while (*a < *b && (unsigned char)t[*a] < 0x80 && ascii_space(t[*a]))
		(*a)++;
	while (*b > *a && (unsigned char)t[*b - 1] < 0x80 && ascii_space(t[*b - 1]))
		(*b)--;
	while (*a < *b) {
		uint32_t r = dko_utf8_decode((const unsigned char *)t + *a, *b - *a, &w);
		if (!dko_unicode_is_space(r))
			break;
		*a += w;
	}
	while (*b > *a) {
		/* Find the start of the last rune. */
		uint32_t s = *b - 1;
		while (s > *a && ((unsigned char)t[s] & 0xC0) == 0x80 && *b - s < 4)
			s--;
		uint32_t r = dko_utf8_decode((const unsigned char *)t + s, *b - s, &w);
		if (s + w != *b) {
			/* Not a whole rune: the last byte alone is an invalid rune. */
			break;
		}
		if (!dko_unicode_is_space(r))
			break;
		*b = s;
	}
}

static char *adup(pctx *c, const char *s, size_t n)
{
	return dko_arena_strndup(&c->doc->arena, s, n);
}

typedef DKO_VEC(dko_arg) argvec;

static void push_arg(argvec *v, const char *val, uint32_t len, uint32_t a, uint32_t b)
{
	dko_arg x = {val, len, {a, b}};
	DKO_VEC_PUSH(v, x);
}

static void finish_args(pctx *c, argvec *v)
{
	c->in->args = dko_arena_grow(&c->doc->arena, NULL, 0, v->len, sizeof(dko_arg));
	if (v->len)
		memcpy(c->in->args, v->items, v->len * sizeof(dko_arg));
	c->in->nargs = (uint32_t)v->len;
	c->in->has_args = v->len > 0;
	DKO_VEC_FREE(v);
}

static void error_at(pctx *c, const char *code, const char *msg)
{
	dko_span sp = dko_node_phys_span(c->node, c->in->keyword);
	dko_doc_diag_add(c->doc, DKO_SEV_ERROR, code, sp, "%s", msg);
	c->in->error = true;
}

/* ---- flags (extractBuilderFlags) ----------------------------------------- */

/* Parse --flags at [a, b); returns where the arguments start. */
static uint32_t parse_flags(pctx *c, uint32_t a, uint32_t b)
{
	const char *t = c->t;
	char esc = c->doc->escape;
	DKO_VEC(dko_flag) flags = {0};
	dko_buf w = DKO_BUF_INIT;
	uint32_t pos = a, wstart = a;
	bool blank_ok = false;
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	char quote = 0;
	uint32_t args_at = b;

	for (;; pos++) {
		bool at_end = pos == b;
		char ch = at_end ? 0 : t[pos];
		if (phase == SPACES) {
			if (at_end)
				break;
			if (byte_is_space((unsigned char)ch))
				continue;
			if (ch != '-' || pos + 1 == b || t[pos + 1] != '-') {
				args_at = pos;
				goto done;
			}
			phase = WORD;
			wstart = pos;
		}
		if (at_end) {
			if (!(w.len == 2 && memcmp(w.ptr, "--", 2) == 0) && (blank_ok || w.len > 0)) {
				dko_flag f = {0};
				f.text = adup(c, dko_buf_cstr(&w), w.len);
				f.len = (uint32_t)w.len;
				f.span = (dko_span){wstart, pos};
				DKO_VEC_PUSH(&flags, f);
			}
			args_at = b;
			break;
		}
		if (phase == WORD) {
			if (byte_is_space((unsigned char)ch)) {
				phase = SPACES;
				if (w.len == 2 && memcmp(w.ptr, "--", 2) == 0) {
					args_at = pos;
					goto done;
				}
				if (blank_ok || w.len > 0) {
					dko_flag f = {0};
					f.text = adup(c, dko_buf_cstr(&w), w.len);
					f.len = (uint32_t)w.len;
					f.span = (dko_span){wstart, pos};
					DKO_VEC_PUSH(&flags, f);
				}
				dko_buf_clear(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
				continue;
			}
			if (ch == esc) {
				if (pos + 1 == b)
					continue;
				ch = t[++pos];
			}
			dko_buf_putc(&w, ch);
			continue;
		}
		/* QUOTE */
		if (ch == quote) {
			phase = WORD;
			continue;
		}
		if (ch == esc) {
			if (pos + 1 == b) {
				phase = WORD;
				continue;
			}
			ch = t[++pos];
		}
		dko_buf_putc(&w, ch);
	}
done:
	dko_buf_release(&w);
	for (size_t i = 0; i < flags.len; i++) {
		dko_flag *f = &flags.items[i];
		const char *s = f->text;
		uint32_t n = f->len, k = 0;
		while (k < n && s[k] == '-')
			k++;
		if (k > 2)
			k = 2;
		const char *eq = memchr(s + k, '=', n - k);
		f->name = s + k;
		f->name_len = eq ? (uint32_t)(eq - (s + k)) : n - k;
		if (eq) {
			f->value = eq + 1;
			f->value_len = (uint32_t)(s + n - (eq + 1));
		}
	}
	c->in->flags = dko_arena_grow(&c->doc->arena, NULL, 0, flags.len, sizeof(dko_flag));
	if (flags.len)
		memcpy(c->in->flags, flags.items, flags.len * sizeof(dko_flag));
	c->in->nflags = (uint32_t)flags.len;
	DKO_VEC_FREE(&flags);
	return args_at;
}

/* ---- JSON (Go's encoding/json, for arrays of strings) ---------------------- */

enum { JSON_OK, JSON_SYNTAX, JSON_NOT_STRINGS };

static bool jws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Scan a JSON string starting at the quote; returns the index after the
 * closing quote or 0 on a syntax error. */
static uint32_t json_skip_string(const char *t, uint32_t p, uint32_t b)
{
	p++;
	while (p < b) {
		unsigned char ch = (unsigned char)t[p];
		if (ch == '"')
			return p + 1;
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			if (p + 1 >= b)
				return 0;
			char e = t[p + 1];
			if (e == 'u') {
				if (p + 6 > b)
					return 0;
				for (int i = 2; i < 6; i++)
					if (dko_hexval(t[p + i]) < 0)
						return 0;
				p += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == 0)
				return 0;
			p += 2;
			continue;
		}
		p++;
	}
	return 0;
}

static uint32_t json_skip_number(const char *t, uint32_t p, uint32_t b)
{
	if (p < b && t[p] == '-')
		p++;
	if (p >= b)
		return 0;
	if (t[p] == '0') {
		p++;
	} else if (t[p] >= '1' && t[p] <= '9') {
		while (p < b && t[p] >= '0' && t[p] <= '9')
			p++;
	} else {
		return 0;
	}
	if (p < b && t[p] == '.') {
		p++;
		if (p >= b || !(t[p] >= '0' && t[p] <= '9'))
			return 0;
		while (p < b && t[p] >= '0' && t[p] <= '9')
			p++;
	}
	if (p < b && (t[p] == 'e' || t[p] == 'E')) {
		p++;
		if (p < b && (t[p] == '+' || t[p] == '-'))
			p++;
		if (p >= b || !(t[p] >= '0' && t[p] <= '9'))
			return 0;
		while (p < b && t[p] >= '0' && t[p] <= '9')
			p++;
	}
	return p;
}

#define JSON_MAX_DEPTH 10000

/* Validate one JSON value at p (no leading blanks); returns the index after
 * it or 0. Nesting is tracked on an explicit stack (no recursion). */
static uint32_t json_skip_value(const char *t, uint32_t p, uint32_t b)
{
	char *stack = NULL;
	size_t depth = 0, cap = 0;
	enum { VALUE, AFTER } st = VALUE;
	uint32_t result = 0;
	for (;;) {
		while (p < b && jws(t[p]))
			p++;
		if (p >= b)
			goto out;
		if (st == VALUE) {
			char ch = t[p];
			if (ch == '[' || ch == '{') {
				if (depth >= JSON_MAX_DEPTH)
					goto out;
				if (depth == cap) {
					cap = cap ? cap * 2 : 16;
					stack = dko_xrealloc(stack, cap);
				}
				stack[depth++] = ch;
				p++;
				while (p < b && jws(t[p]))
					p++;
				if (p < b && t[p] == (ch == '[' ? ']' : '}')) {
					p++;
					depth--;
					st = AFTER;
					goto maybe_done;
				}
				if (ch == '{') {
					if (p >= b || t[p] != '"' || !(p = json_skip_string(t, p, b)))
						goto out;
					while (p < b && jws(t[p]))
						p++;
					if (p >= b || t[p] != ':')
						goto out;
					p++;
				}
				continue;
			}
			if (ch == '"') {
				if (!(p = json_skip_string(t, p, b)))
					goto out;
			} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
				if (!(p = json_skip_number(t, p, b)))
					goto out;
			} else if (b - p >= 4 && memcmp(t + p, "true", 4) == 0) {
				p += 4;
			} else if (b - p >= 5 && memcmp(t + p, "false", 5) == 0) {
				p += 5;
			} else if (b - p >= 4 && memcmp(t + p, "null", 4) == 0) {
				p += 4;
			} else {
				goto out;
			}
			st = AFTER;
		maybe_done:
			if (depth == 0) {
				result = p;
				goto out;
			}
			continue;
		}
		/* AFTER a value inside a container */
		char open = stack[depth - 1];
		if (t[p] == ',') {
			p++;
			if (open == '{') {
				while (p < b && jws(t[p]))
					p++;
				if (p >= b || t[p] != '"' || !(p = json_skip_string(t, p, b)))
					goto out;
				while (p < b && jws(t[p]))
					p++;
				if (p >= b || t[p] != ':')
					goto out;
				p++;
			}
			st = VALUE;
			continue;
		}
		if (t[p] == (open == '[' ? ']' : '}')) {
			p++;
			depth--;
			goto maybe_done;
		}
		goto out;
	}
out:
	free(stack);
	return result;
}

static uint32_t hex4(const char *s)
{
	return (uint32_t)(dko_hexval(s[0]) << 12 | dko_hexval(s[1]) << 8 | dko_hexval(s[2]) << 4 | dko_hexval(s[3]));
}

/* Decode a validated JSON string [p, q) (with quotes) as Go does. */
static void json_decode_string(dko_buf *out, const char *t, uint32_t p, uint32_t q)
{
	p++;
	q--;
	while (p < q) {
		unsigned char ch = (unsigned char)t[p];
		if (ch == '\\') {
			char e = t[p + 1];
			p += 2;
			switch (e) {
			case 'b': dko_buf_putc(out, '\b'); break;
			case 'f': dko_buf_putc(out, '\f'); break;
			case 'n': dko_buf_putc(out, '\n'); break;
			case 'r': dko_buf_putc(out, '\r'); break;
			case 't': dko_buf_putc(out, '\t'); break;
			case 'u': {
				uint32_t r = hex4(t + p);
				p += 4;
				if (r >= 0xD800 && r < 0xDC00) {
					if (p + 6 <= q && t[p] == '\\' && t[p + 1] == 'u') {
						uint32_t r2 = hex4(t + p + 2);
						if (r2 >= 0xDC00 && r2 < 0xE000) {
							r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
							p += 6;
						} else {
							r = 0xFFFD;
						}
					} else {
						r = 0xFFFD;
					}
				} else if (r >= 0xDC00 && r < 0xE000) {
					r = 0xFFFD;
				}
				dko_buf_put_rune(out, r);
				break;
			}
			default: dko_buf_putc(out, e); break;
			}
			continue;
		}
		if (ch < 0x80) {
			dko_buf_putc(out, (char)ch);
			p++;
			continue;
		}
		uint32_t w;
		uint32_t r = dko_utf8_decode((const unsigned char *)t + p, q - p, &w);
		if (r == 0xFFFD && w == 1)
			dko_buf_put_rune(out, 0xFFFD);
		else
			dko_buf_put(out, t + p, w);
		p += w;
	}
}

/* BuildKit's parseJSON on [a, b). */
static int parse_json(pctx *c, uint32_t a, uint32_t b, argvec *out)
{
	const char *t = c->t;
	uint32_t w;
	while (a < b) {
		uint32_t r = dko_utf8_decode((const unsigned char *)t + a, b - a, &w);
		if (!dko_unicode_is_space(r))
			break;
		a += w;
	}
	if (a >= b || t[a] != '[')
		return JSON_SYNTAX;
	uint32_t end = json_skip_value(t, a, b);
	if (!end)
		return JSON_SYNTAX;
	uint32_t p = end;
	while (p < b && jws(t[p]))
		p++;
	if (p != b)
		return JSON_SYNTAX;
	/* Valid JSON: the top-level array must hold strings only. */
	p = a + 1;
	dko_buf s = DKO_BUF_INIT;
	for (;;) {
		while (jws(t[p]))
			p++;
		if (t[p] == ']')
			break;
		if (t[p] != '"') {
			dko_buf_release(&s);
			DKO_VEC_FREE(out);
			return JSON_NOT_STRINGS;
		}
		uint32_t q = json_skip_string(t, p, b);
		dko_buf_clear(&s);
		json_decode_string(&s, t, p, q);
		push_arg(out, adup(c, dko_buf_cstr(&s), s.len), (uint32_t)s.len, p, q);
		p = q;
		while (jws(t[p]))
			p++;
		if (t[p] == ',')
			p++;
	}
	dko_buf_release(&s);
	return JSON_OK;
}

/* ---- line parsers ------------------------------------------------------------ */

/* parseStringsWhitespaceDelimited */
static void parse_ws_list(pctx *c, uint32_t a, uint32_t b, argvec *v)
{
	uint32_t p = a;
	if (a >= b)
		return;
	while (p <= b) {
		uint32_t s = p;
		while (p < b && !ws_byte(c->t[p]))
			p++;
		push_arg(v, adup(c, c->t + s, p - s), p - s, s, p);
		if (p >= b)
			break;
		while (p < b && ws_byte(c->t[p]))
			p++;
	}
}

static void parse_maybe_json(pctx *c, uint32_t a, uint32_t b, bool to_list)
{
	argvec v = {0};
	if (!to_list && a >= b) {
		finish_args(c, &v);
		return;
	}
	int rc = parse_json(c, a, b, &v);
	if (rc == JSON_OK) {
		c->in->json = true;
		finish_args(c, &v);
		return;
	}
	if (rc == JSON_NOT_STRINGS) {
		error_at(c, "json-not-strings",
		         "when using JSON array syntax, arrays must be comprised of strings only");
		finish_args(c, &v);
		return;
	}
	if (to_list)
		parse_ws_list(c, a, b, &v);
	else
		push_arg(&v, adup(c, c->t + a, b - a), b - a, a, b);
	finish_args(c, &v);
}

/* parseWords: words separated by unicode spaces, quotes and escapes kept. */
typedef struct word {
	char *s;
	uint32_t len;
	dko_span span;
} word;
typedef DKO_VEC(word) wordvec;

static void put_rune_go(dko_buf *b, const char *t, uint32_t at, uint32_t w, uint32_t r)
{
	if (r == 0xFFFD && w == 1)
		dko_buf_put_rune(b, 0xFFFD); /* Go writes RuneError for an invalid byte */
	else
		dko_buf_put(b, t + at, w);
}

static void parse_words(pctx *c, uint32_t a, uint32_t b, wordvec *out)
{
	const char *t = c->t;
	char esc = c->doc->escape;
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	char quote = 0;
	bool blank_ok = false;
	dko_buf sb = DKO_BUF_INIT;
	uint32_t w = 0, r = 0, wstart = a;
	for (uint32_t pos = a; pos <= b; pos += w) {
		if (pos != b)
			r = dko_utf8_decode((const unsigned char *)t + pos, b - pos, &w);
		else
			w = 1;
		if (phase == SPACES) {
			if (pos == b)
				break;
			if (dko_unicode_is_space(r))
				continue;
			phase = WORD;
			wstart = pos;
		}
		if (pos == b) {
			if (blank_ok || sb.len > 0) {
				word x = {adup(c, dko_buf_cstr(&sb), sb.len), (uint32_t)sb.len, {wstart, pos}};
				DKO_VEC_PUSH(out, x);
			}
			break;
		}
		if (phase == WORD) {
			if (dko_unicode_is_space(r)) {
				phase = SPACES;
				if (blank_ok || sb.len > 0) {
					word x = {adup(c, dko_buf_cstr(&sb), sb.len), (uint32_t)sb.len, {wstart, pos}};
					DKO_VEC_PUSH(out, x);
				}
				dko_buf_clear(&sb);
				blank_ok = false;
				continue;
			}
			if (r == '\'' || r == '"') {
				quote = (char)r;
				blank_ok = true;
				phase = QUOTE;
			}
			if (r == (uint32_t)(unsigned char)esc) {
				if (pos + w == b)
					continue;
				dko_buf_putc(&sb, esc);
				pos += w;
				r = dko_utf8_decode((const unsigned char *)t + pos, b - pos, &w);
			}
			put_rune_go(&sb, t, pos, w, r);
			continue;
		}
		/* QUOTE */
		if (r == (uint32_t)(unsigned char)quote)
			phase = WORD;
		if (r == (uint32_t)(unsigned char)esc && quote != '\'') {
			if (pos + w == b) {
				phase = WORD;
				continue;
			}
			pos += w;
			dko_buf_putc(&sb, esc);
			r = dko_utf8_decode((const unsigned char *)t + pos, b - pos, &w);
		}
		put_rune_go(&sb, t, pos, w, r);
	}
	dko_buf_release(&sb);
}

/* parseNameVal: ENV and LABEL. */
static void parse_name_val(pctx *c, uint32_t a, uint32_t b, const char *key)
{
	argvec v = {0};
	wordvec words = {0};
	parse_words(c, a, b, &words);
	if (words.len == 0)
		goto out;
	if (!memchr(words.items[0].s, '=', words.items[0].len)) {
		/* Old form: KEY name value (split at the first run of blanks). */
		uint32_t p = a;
		while (p < b && !ws_byte(c->t[p]))
			p++;
		if (p >= b) {
			char msg[64];
			snprintf(msg, sizeof(msg), "%s must have two arguments", key);
			error_at(c, "missing-value", msg);
			goto out;
		}
		uint32_t q = p;
		while (q < b && ws_byte(c->t[q]))
			q++;
		push_arg(&v, adup(c, c->t + a, p - a), p - a, a, p);
		push_arg(&v, adup(c, c->t + q, b - q), b - q, q, b);
		push_arg(&v, "", 0, b, b);
		goto out;
	}
	for (size_t i = 0; i < words.len; i++) {
		word *wd = &words.items[i];
		const char *eq = memchr(wd->s, '=', wd->len);
		if (!eq) {
			dko_buf m = DKO_BUF_INIT;
			dko_buf_puts(&m, "Syntax error - can't find = in ");
			dko_go_quote(&m, wd->s, wd->len);
			dko_buf_puts(&m, ". Must be of the form: name=value");
			error_at(c, "missing-equals", dko_buf_cstr(&m));
			dko_buf_release(&m);
			v.len = 0;
			goto out;
		}
		uint32_t klen = (uint32_t)(eq - wd->s);
		/* The key's raw text ends at the first '=' of the raw word. */
		const char *raw_eq = memchr(c->t + wd->span.start, '=', wd->span.end - wd->span.start);
		uint32_t keq = raw_eq ? (uint32_t)(raw_eq - c->t) : wd->span.start + klen;
		push_arg(&v, adup(c, wd->s, klen), klen, wd->span.start, keq);
		push_arg(&v, adup(c, eq + 1, wd->len - klen - 1), wd->len - klen - 1, keq + 1, wd->span.end);
		push_arg(&v, "=", 1, keq, keq + 1);
	}
out:
	finish_args(c, &v);
	DKO_VEC_FREE(&words);
}

/* parseNameOrNameVal: ARG. */
static void parse_arg(pctx *c, uint32_t a, uint32_t b)
{
	argvec v = {0};
	wordvec words = {0};
	parse_words(c, a, b, &words);
	for (size_t i = 0; i < words.len; i++)
		push_arg(&v, words.items[i].s, words.items[i].len, words.items[i].span.start,
		         words.items[i].span.end);
	finish_args(c, &v);
	DKO_VEC_FREE(&words);
}

static void parse_string(pctx *c, uint32_t a, uint32_t b)
{
	argvec v = {0};
	if (a < b)
		push_arg(&v, adup(c, c->t + a, b - a), b - a, a, b);
	finish_args(c, &v);
}

static void parse_health(pctx *c, uint32_t a, uint32_t b)
{
	uint32_t sep = a, next;
	while (sep < b && !byte_is_space((unsigned char)c->t[sep]))
		sep++;
	next = sep;
	while (next < b && byte_is_space((unsigned char)c->t[next]))
		next++;
	if (sep == a) {
		c->in->has_args = false;
		return;
	}
	/* The type word, then the command as parseMaybeJSON. */
	parse_maybe_json(c, next, b, false);
	dko_arg *old = c->in->args;
	uint32_t n = c->in->nargs;
	dko_arg *args = dko_arena_alloc(&c->doc->arena, (n + 1) * sizeof(dko_arg));
	args[0] = (dko_arg){adup(c, c->t + a, sep - a), sep - a, {a, sep}};
	if (n)
		memcpy(args + 1, old, n * sizeof(dko_arg));
	c->in->args = args;
	c->in->nargs = n + 1;
	c->in->has_args = true;
}

static void dispatch(pctx *c, uint32_t a, uint32_t b);

static void parse_onbuild(pctx *c, uint32_t a, uint32_t b)
{
	if (a >= b)
		return;
	c->in->sub = dko_parse_instr(c->doc, c->node, c->t, b, a);
	c->in->has_args = true;
	if (c->in->sub->error)
		c->in->error = true;
}

static void dispatch(pctx *c, uint32_t a, uint32_t b)
{
	switch (c->in->kind) {
	case DKO_I_ADD:
	case DKO_I_COPY:
	case DKO_I_VOLUME: parse_maybe_json(c, a, b, true); break;
	case DKO_I_ARG: parse_arg(c, a, b); break;
	case DKO_I_CMD:
	case DKO_I_ENTRYPOINT:
	case DKO_I_RUN:
	case DKO_I_SHELL: parse_maybe_json(c, a, b, false); break;
	case DKO_I_ENV: parse_name_val(c, a, b, "ENV"); break;
	case DKO_I_LABEL: parse_name_val(c, a, b, "LABEL"); break;
	case DKO_I_EXPOSE:
	case DKO_I_FROM: {
		argvec v = {0};
		parse_ws_list(c, a, b, &v);
		finish_args(c, &v);
		break;
	}
	case DKO_I_HEALTHCHECK: parse_health(c, a, b); break;
	case DKO_I_MAINTAINER:
	case DKO_I_STOPSIGNAL:
	case DKO_I_USER:
	case DKO_I_WORKDIR: parse_string(c, a, b); break;
	case DKO_I_ONBUILD: parse_onbuild(c, a, b); break;
	default: {
		/* parseIgnore: BuildKit keeps an empty argument node. */
		argvec v = {0};
		push_arg(&v, "", 0, a, a);
		finish_args(c, &v);
		dko_buf m = DKO_BUF_INIT;
		dko_buf_printf(&m, "unknown instruction: %.*s",
		               (int)(c->in->keyword.end - c->in->keyword.start), c->t + c->in->keyword.start);
		error_at(c, "unknown-instruction", dko_buf_cstr(&m));
		dko_buf_release(&m);
		break;
	}
	}
}

dko_instr *dko_parse_instr(dko_doc *doc, dko_node *node, const char *text, uint32_t len,
                           uint32_t base)
{
	dko_instr *in = dko_arena_alloc(&doc->arena, sizeof(*in));
	pctx c = {doc, node, text, in};
	in->text = text;
	in->text_len = len;
	uint32_t a = base, b = len;
	trim_space(text, &a, &b);
	uint32_t k = a;
	while (k < b && !ws_byte(text[k]))
		k++;
	in->keyword = (dko_span){a, k};
	in->kind = dko_instr_lookup(text + a, k - a);
	uint32_t r0 = k, r1 = b;
	if (k < b) {
		while (r0 < b && ws_byte(text[r0]))
			r0++;
		r0 = parse_flags(&c, r0, b);
	}
	trim_space(text, &r0, &r1);
	in->rest = (dko_span){r0, r1};
	dispatch(&c, r0, r1);
	return in;
}

/* ---- heredocs ----------------------------------------------------------------- */

/*
 * BuildKit splits the line into words with its shell lexer (quotes and escapes
 * kept raw, "<<" swallowing the blanks after it) and takes every word that
 * matches ^(\d*)<<(-?)\s*([^<]*)$ with a non-empty rest that is one word.
 * An unterminated quote anywhere makes the split fail: then no heredocs.
 */
typedef struct hword {
	uint32_t a, b;
} hword;
typedef DKO_VEC(hword) hwordvec;

/* Skip a ${...} / $name at p ('$'); returns the index after it, or 0 on error. */
static uint32_t skip_dollar(const char *t, uint32_t p, uint32_t b);

static uint32_t skip_until(const char *t, uint32_t p, uint32_t b, char stop)
{
	/* processStopOn(stop) with raw escapes: returns index after stop, or 0. */
	while (p < b) {
		char ch = t[p];
		if (ch == stop)
			return p + 1;
		if (ch == '\'') {
			const char *q = memchr(t + p + 1, '\'', b - p - 1);
			if (!q)
				return 0;
			p = (uint32_t)(q - t) + 1;
		} else if (ch == '"') {
			p++;
			while (p < b && t[p] != '"') {
				if (t[p] == '\\' && p + 1 < b)
					p++;
				else if (t[p] == '$') {
					uint32_t q = skip_dollar(t, p, b);
					if (!q)
						return 0;
					p = q;
					continue;
				}
				p++;
			}
			if (p >= b)
				return 0;
			p++;
		} else if (ch == '$') {
			uint32_t q = skip_dollar(t, p, b);
			if (!q)
				return 0;
			p = q;
		} else if (ch == '\\') {
			p += 2;
		} else {
			p++;
		}
	}
	return 0;
}

static uint32_t skip_dollar(const char *t, uint32_t p, uint32_t b)
{
	p++;
	if (p >= b || t[p] != '{')
		return p;
	p++;
	if (p >= b || t[p] == '{' || t[p] == '}' || t[p] == ':')
		return 0;
	while (p < b && (t[p] == '_' || (t[p] >= '0' && t[p] <= '9') || is_alpha_c(t[p]) ||
	                 (unsigned char)t[p] >= 0x80))
		p++;
	if (p >= b)
		return 0;
	if (t[p] == '}')
		return p + 1;
	return skip_until(t, p + 1, b, '}');
}

static bool split_heredoc_words(const char *t, uint32_t a, uint32_t b, hwordvec *out)
{
	uint32_t p = a;
	while (p < b) {
		while (p < b && ascii_space(t[p]))
			p++;
		if (p >= b)
			break;
		uint32_t s = p;
		while (p < b && !ascii_space(t[p])) {
			char ch = t[p];
			if (ch == '\'') {
				const char *q = memchr(t + p + 1, '\'', b - p - 1);
				if (!q)
					return false;
				p = (uint32_t)(q - t) + 1;
			} else if (ch == '"') {
				p++;
				while (p < b && t[p] != '"') {
					if (t[p] == '\\' && p + 1 < b &&
					    (t[p + 1] == '"' || t[p + 1] == '$' || t[p + 1] == '\\'))
						p++;
					else if (t[p] == '$') {
						uint32_t q = skip_dollar(t, p, b);
						if (!q)
							return false;
						p = q;
						continue;
					}
					p++;
				}
				if (p >= b)
					return false;
				p++;
			} else if (ch == '$') {
				uint32_t q = skip_dollar(t, p, b);
				if (!q)
					return false;
				p = q;
			} else if (ch == '\\') {
				p += p + 1 < b ? 2 : 1;
			} else if (ch == '<' && p + 1 < b && t[p + 1] == '<') {
				p += 2;
				while (p < b && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r'))
					p++;
			} else {
				p++;
			}
		}
		hword w = {s, p};
		DKO_VEC_PUSH(out, w);
	}
	return true;
}

/* Remove quotes and escapes of a heredoc name word [a, b); counts the quote
 * characters that remain (to tell whether a part was quoted). */
static void unquote_name(const char *t, uint32_t a, uint32_t b, dko_buf *out, bool *ok,
                         uint32_t *nwords)
{
	*ok = true;
	*nwords = 0;
	bool in_word = false;
	uint32_t p = a;
	while (p < b) {
		char ch = t[p];
		if (ch == '\'') {
			const char *q = memchr(t + p + 1, '\'', b - p - 1);
			if (!q) {
				*ok = false;
				return;
			}
			dko_buf_put(out, t + p + 1, (size_t)(q - (t + p + 1)));
			p = (uint32_t)(q - t) + 1;
			in_word = true;
		} else if (ch == '"') {
			p++;
			while (p < b && t[p] != '"') {
				if (t[p] == '\\' && p + 1 < b &&
				    (t[p + 1] == '"' || t[p + 1] == '$' || t[p + 1] == '\\'))
					p++;
				dko_buf_putc(out, t[p]);
				p++;
			}
			if (p >= b) {
				*ok = false;
				return;
			}
			p++;
			in_word = true;
		} else if (ch == '\\') {
			if (p + 1 < b)
				dko_buf_putc(out, t[p + 1]);
			p += 2;
			in_word = true;
		} else if (ch == ' ' || ch == '\t') {
			if (in_word)
				(*nwords)++;
			in_word = false;
			p++;
			continue;
		} else {
			dko_buf_putc(out, ch);
			p++;
			in_word = true;
		}
		(void)0;
	}
	if (in_word)
		(*nwords)++;
}

static uint32_t count_quotes(const char *s, size_t n)
{
	uint32_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\'' || s[i] == '"')
			k++;
	return k;
}

void dko_parse_heredocs(dko_doc *doc, dko_node *node, dko_instr *in)
{
	if (in->kind == DKO_I_ONBUILD && in->sub)
		in = in->sub;
	const char *t = in->text;
	hwordvec words = {0};
	DKO_VEC(dko_heredoc) docs = {0};
	/* BuildKit splits the whole logical line, keyword included. */
	uint32_t a = 0, b = in->text_len;
	if (!split_heredoc_words(t, a, b, &words))
		goto out;
	for (size_t i = 0; i < words.len; i++) {
		uint32_t p = words.items[i].a, q = words.items[i].b;
		uint32_t d = p;
		while (d < q && t[d] >= '0' && t[d] <= '9')
			d++;
		if (q - d < 2 || t[d] != '<' || t[d + 1] != '<')
			continue;
		uint32_t r = d + 2;
		bool chomp = r < q && t[r] == '-';
		if (chomp)
			r++;
		while (r < q && re_space_c(t[r]))
			r++;
		if (r >= q || memchr(t + r, '<', q - r))
			continue;
		dko_buf name = DKO_BUF_INIT;
		bool ok;
		uint32_t nw;
		unquote_name(t, r, q, &name, &ok, &nw);
		if (!ok || nw != 1) {
			dko_buf_release(&name);
			continue;
		}
		uint32_t raw_quotes = count_quotes(t + r, q - r);
		dko_heredoc h = {0};
		h.name = dko_arena_strndup(&doc->arena, dko_buf_cstr(&name), name.len);
		h.name_len = (uint32_t)name.len;
		h.expand = count_quotes(h.name, h.name_len) == raw_quotes;
		h.chomp = chomp;
		uint32_t fd = 0;
		for (uint32_t k = p; k < d && fd < 100000000u; k++)
			fd = fd * 10 + (uint32_t)(t[k] - '0');
		h.fd = fd;
		h.word = (dko_span){p, q};
		DKO_VEC_PUSH(&docs, h);
		dko_buf_release(&name);
	}
	in->heredocs = dko_arena_grow(&doc->arena, NULL, 0, docs.len, sizeof(dko_heredoc));
	if (docs.len)
		memcpy(in->heredocs, docs.items, docs.len * sizeof(dko_heredoc));
	in->nheredocs = (uint32_t)docs.len;
out:
	(void)node;
	DKO_VEC_FREE(&words);
	DKO_VEC_FREE(&docs);
}
