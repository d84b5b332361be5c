/*
 * goregex.c - a subset of Go's regexp (see goregex.h), for .dockerignore.
 *
 * The parser follows Go's regexp/syntax (parse.go) rule by rule for the
 * constructs it accepts, so that what Go rejects is rejected with Go's
 * reason. It builds a small tree (one arena), which is compiled to a
 * Thompson program; classes are stored normalized (sorted, merged, negation
 * applied). Matching simulates all threads at once with two sparse sets and
 * an explicit stack: no recursion on the input, no backtracking.
 */
#include "goregex.h"
#include "util/utf8.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNE 0x10FFFFu
#define RUNE_ERROR 0xFFFDu
#define MAX_NEST 1000
#define MAX_PROG 200000 /* instructions */

typedef struct range {
	unsigned lo, hi;
} range;

typedef DKO_VEC(range) range_vec;

typedef enum op { OP_RUNE, OP_ANY, OP_SPLIT, OP_JMP, OP_BEGIN, OP_END, OP_WORDB, OP_NWORDB, OP_MATCH } op;

typedef struct inst {
	op op;
	unsigned x, y; /* SPLIT/JMP targets; RUNE: x is the class index */
} inst;

typedef struct cls {
	size_t off, n; /* into the range pool */
} cls;

struct dko_goregex {
	inst *prog;
	size_t n;
	range *pool;
	cls *classes;
};

typedef enum nkind {
	N_CLASS, N_ANY, N_BEGIN, N_END, N_WB, N_NWB, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST, N_REPEAT
} nkind;

typedef struct node node;
struct node {
	nkind k;
	unsigned cls;
	int min, max; /* N_REPEAT; max -1: unbounded */
	node **kids;
	size_t nkids;
};

typedef DKO_VEC(node *) node_vec;

typedef struct parser {
	const char *s;
	size_t n, p;
	dko_arena arena;
	range_vec pool;
	DKO_VEC(cls) classes;
	int err;
} parser;

/* ---- UTF-8 (Go's utf8.DecodeRune) ---- */

unsigned dko_goregex_decode(const char *str, size_t len, size_t *width)
{
	uint32_t w;
	uint32_t r = dko_utf8_decode((const unsigned char *)str, len, &w);
	*width = w ? w : 1;
	return r;
}

/* ---- classes ---- */

static int cmp_range(const void *a, const void *b)
{
	const range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge v in place. */
static void normalize(range_vec *v)
{
	if (v->len == 0)
		return;
	qsort(v->items, v->len, sizeof(range), cmp_range);
	size_t w = 0;
	for (size_t i = 1; i < v->len; i++) {
		if (v->items[i].lo <= v->items[w].hi + 1) {
			if (v->items[i].hi > v->items[w].hi)
				v->items[w].hi = v->items[i].hi;
		} else {
			v->items[++w] = v->items[i];
		}
	}
	v->len = w + 1;
}

/* Replace v (normalized) by its complement over [0, MAX_RUNE]. */
static void complement(range_vec *v)
{
	range_vec out = {0};
	unsigned next = 0;
	bool done = false;
	for (size_t i = 0; i < v->len; i++) {
		if (v->items[i].lo > next)
			DKO_VEC_PUSH(&out, ((range){next, v->items[i].lo - 1}));
		if (v->items[i].hi >= MAX_RUNE) {
			done = true;
			break;
		}
		next = v->items[i].hi + 1;
	}
	if (!done)
		DKO_VEC_PUSH(&out, ((range){next, MAX_RUNE}));
	DKO_VEC_FREE(v);
	*v = out;
}

/* Add a group given as lo,hi pairs (0-terminated after the last pair). */
static void add_group(range_vec *v, const unsigned *pairs, bool negated)
{
	range_vec g = {0};
	for (size_t i = 0; pairs[i] || pairs[i + 1]; i += 2)
		DKO_VEC_PUSH(&g, ((range){pairs[i], pairs[i + 1]}));
	normalize(&g);
	if (negated)
		complement(&g);
	for (size_t i = 0; i < g.len; i++)
		DKO_VEC_PUSH(v, g.items[i]);
	DKO_VEC_FREE(&g);
}

static const unsigned G_DIGIT[] = {'0', '9', 0, 0};
static const unsigned G_SPACE_PERL[] = {'\t', '\n', '\f', '\r', ' ', ' ', 0, 0};
static const unsigned G_WORD[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z', 0, 0};

static const struct posix {
	const char *name;
	unsigned pairs[12];
} POSIX[] = {
	{"alnum", {'0', '9', 'A', 'Z', 'a', 'z', 0, 0}},
	{"alpha", {'A', 'Z', 'a', 'z', 0, 0}},
	{"ascii", {0, 0x7F, 0, 0}},
	{"blank", {'\t', '\t', ' ', ' ', 0, 0}},
	{"cntrl", {0, 0x1F, 0x7F, 0x7F, 0, 0}},
	{"digit", {'0', '9', 0, 0}},
	{"graph", {'!', '~', 0, 0}},
	{"lower", {'a', 'z', 0, 0}},
	{"print", {' ', '~', 0, 0}},
	{"punct", {'!', '/', ':', '@', '[', '`', '{', '~', 0, 0}},
	{"space", {'\t', '\r', ' ', ' ', 0, 0}},
	{"upper", {'A', 'Z', 0, 0}},
	{"word", {'0', '9', 'A', 'Z', '_', '_', 'a', 'z', 0, 0}},
	{"xdigit", {'0', '9', 'A', 'F', 'a', 'f', 0, 0}},
};

/* The "ascii" group starts at 0: add_group's terminator test needs care. */
static void add_posix(range_vec *v, const struct posix *g, bool negated)
{
	if (g->pairs[0] == 0 && g->pairs[1] != 0) {
		range_vec t = {0};
		for (size_t i = 0; i < 12 && (i == 0 || g->pairs[i] || g->pairs[i + 1]); i += 2)
			DKO_VEC_PUSH(&t, ((range){g->pairs[i], g->pairs[i + 1]}));
		normalize(&t);
		if (negated)
			complement(&t);
		for (size_t i = 0; i < t.len; i++)
			DKO_VEC_PUSH(v, t.items[i]);
		DKO_VEC_FREE(&t);
		return;
	}
	add_group(v, g->pairs, negated);
}

/* A Perl group \d \D \s \S \w \W, or NULL. */
static const unsigned *perl_group(char c, bool *negated)
{
	*negated = c == 'D' || c == 'S' || c == 'W';
	switch (c) {
	case 'd': case 'D': return G_DIGIT;
	case 's': case 'S': return G_SPACE_PERL;
	case 'w': case 'W': return G_WORD;
	default: return NULL;
	}
}

static unsigned intern_class(parser *ps, range_vec *v, bool negated)
{
	normalize(v);
	if (negated)
		complement(v);
	cls c = {ps->pool.len, v->len};
	for (size_t i = 0; i < v->len; i++)
		DKO_VEC_PUSH(&ps->pool, v->items[i]);
	DKO_VEC_PUSH(&ps->classes, c);
	return (unsigned)(ps->classes.len - 1);
}

/* ---- parser ---- */

static int perr(parser *ps, int code, const char *what, size_t from)
{
	if (!ps->err) {
		size_t to = ps->p < ps->n ? ps->p : ps->n;
		int len = (int)(to > from ? to - from : 0);
		if (len > 40)
			len = 40;
		ps->err = dko_error_set(code, "%s: `%.*s`", what, len, ps->s + from);
	}
	return ps->err;
}

static unsigned next_rune(parser *ps)
{
	size_t w;
	unsigned r = dko_goregex_decode(ps->s + ps->p, ps->n - ps->p, &w);
	ps->p += w;
	return r;
}

static bool is_alnum(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_octal(parser *ps)
{
	return ps->p < ps->n && ps->s[ps->p] >= '0' && ps->s[ps->p] <= '7';
}

/* \x.. after the 'x'; -1 when malformed. */
static long parse_hex(parser *ps)
{
	if (ps->p >= ps->n)
		return -1;
	unsigned c = next_rune(ps);
	if (c != '{') {
		if (ps->p >= ps->n)
			return -1;
		int x = dko_hexval((int)c), y = dko_hexval((int)next_rune(ps));
		return x < 0 || y < 0 ? -1 : x * 16 + y;
	}
	long r = 0;
	int nhex = 0;
	for (;;) {
		if (ps->p >= ps->n)
			return -1;
		c = next_rune(ps);
		if (c == '}')
			break;
		int v = dko_hexval((int)c);
		if (v < 0)
			return -1;
		r = r * 16 + v;
		if (r > (long)MAX_RUNE)
			return -1;
		nhex++;
	}
	return nhex ? r : -1;
}

/* Go's parseEscape: ps->p is at the backslash. */
static int parse_escape(parser *ps, unsigned *out)
{
	size_t from = ps->p++;
	if (ps->p >= ps->n)
		return perr(ps, DKO_EINVAL, "trailing backslash at end of expression", from);
	unsigned c = next_rune(ps);
	if (c < 0x80 && !is_alnum(c)) {
		*out = c;
		return 0;
	}
	if ((c >= '1' && c <= '7' && is_octal(ps)) || c == '0') {
		unsigned r = c - '0';
		for (int i = 1; i < 3 && is_octal(ps); i++)
			r = r * 8 + (unsigned)(ps->s[ps->p++] - '0');
		*out = r;
		return 0;
	}
	long h;
	switch (c) {
	case 'x':
		if ((h = parse_hex(ps)) >= 0) {
			*out = (unsigned)h;
			return 0;
		}
		break;
	case 'a': *out = 7; return 0;
	case 'f': *out = 12; return 0;
	case 'n': *out = 10; return 0;
	case 'r': *out = 13; return 0;
	case 't': *out = 9; return 0;
	case 'v': *out = 11; return 0;
	default: break;
	}
	return perr(ps, DKO_EINVAL, "invalid escape sequence", from);
}

static int class_char(parser *ps, unsigned *out)
{
	if (ps->p >= ps->n)
		return perr(ps, DKO_EINVAL, "missing closing ]", 0);
	if (ps->s[ps->p] == '\\')
		return parse_escape(ps, out);
	*out = next_rune(ps);
	return 0;
}

/* "[:name:]" or "[:^name:]" at ps->p: 1 when added, 0 when not one. */
static int named_class(parser *ps, range_vec *v)
{
	const char *t = ps->s + ps->p;
	size_t rest = ps->n - ps->p;
	if (rest <= 2 || t[0] != '[' || t[1] != ':')
		return 0;
	size_t i = 2;
	while (i + 1 < rest && !(t[i] == ':' && t[i + 1] == ']'))
		i++;
	if (i + 1 >= rest)
		return 0;
	bool neg = t[2] == '^';
	const char *name = t + 2 + neg;
	size_t nlen = (size_t)(t + i - name);
	for (size_t k = 0; k < sizeof(POSIX) / sizeof(POSIX[0]); k++) {
		if (strlen(POSIX[k].name) == nlen && memcmp(POSIX[k].name, name, nlen) == 0) {
			add_posix(v, &POSIX[k], neg);
			ps->p += i + 2;
			return 1;
		}
	}
	size_t from = ps->p;
	ps->p += i + 2;
	return perr(ps, DKO_EINVAL, "invalid character class range", from);
}

/* One item of a class body: a named or Perl group, a rune or a range. */
static int class_item(parser *ps, range_vec *v)
{
	int rc = named_class(ps, v);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	const char *t = ps->s + ps->p;
	if (ps->n - ps->p >= 2 && t[0] == '\\') {
		bool neg;
		const unsigned *g = perl_group(t[1], &neg);
		if (g) {
			add_group(v, g, neg);
			ps->p += 2;
			return 0;
		}
		if (t[1] == 'p' || t[1] == 'P')
			return perr(ps, DKO_ECONFIG, "Unicode classes are not supported", ps->p);
	}
	size_t from = ps->p;
	unsigned lo, hi;
	if ((rc = class_char(ps, &lo)) < 0)
		return rc;
	hi = lo;
	if (ps->n - ps->p >= 2 && ps->s[ps->p] == '-' && ps->s[ps->p + 1] != ']') {
		ps->p++;
		if ((rc = class_char(ps, &hi)) < 0)
			return rc;
		if (hi < lo)
			return perr(ps, DKO_EINVAL, "invalid character class range", from);
	}
	DKO_VEC_PUSH(v, ((range){lo, hi}));
	return 0;
}

/* Go's parseClass: ps->p is at the '['. */
static int parse_class(parser *ps, unsigned *out)
{
	size_t from = ps->p++;
	bool neg = ps->p < ps->n && ps->s[ps->p] == '^';
	if (neg)
		ps->p++;
	range_vec v = {0};
	int rc = 0;
	for (bool first = true; ps->p >= ps->n || ps->s[ps->p] != ']' || first; first = false) {
		if (ps->p >= ps->n) {
			ps->p = ps->n;
			rc = perr(ps, DKO_EINVAL, "missing closing ]", from);
			break;
		}
		if ((rc = class_item(ps, &v)) < 0)
			break;
	}
	if (rc == 0) {
		ps->p++; /* ']' */
		*out = intern_class(ps, &v, neg);
	}
	DKO_VEC_FREE(&v);
	return rc;
}

static node *new_node(parser *ps, nkind k)
{
	node *n = dko_arena_alloc(&ps->arena, sizeof(node));
	n->k = k;
	return n;
}

static node *rune_node(parser *ps, unsigned lo, unsigned hi)
{
	range_vec v = {0};
	DKO_VEC_PUSH(&v, ((range){lo, hi}));
	node *n = new_node(ps, N_CLASS);
	n->cls = intern_class(ps, &v, false);
	DKO_VEC_FREE(&v);
	return n;
}

static node *group_node(parser *ps, const unsigned *g, bool neg)
{
	range_vec v = {0};
	add_group(&v, g, neg);
	node *n = new_node(ps, N_CLASS);
	n->cls = intern_class(ps, &v, false);
	DKO_VEC_FREE(&v);
	return n;
}

/* \Q...\E: literal runes up to \E or the end. */
static void quoted(parser *ps, node_vec *seq)
{
	ps->p += 2;
	while (ps->p < ps->n) {
		if (ps->n - ps->p >= 2 && ps->s[ps->p] == '\\' && ps->s[ps->p + 1] == 'E') {
			ps->p += 2;
			return;
		}
		unsigned r = next_rune(ps);
		DKO_VEC_PUSH(seq, rune_node(ps, r, r));
	}
}

/* A top-level escape at ps->p; adds to seq. */
static int top_escape(parser *ps, node_vec *seq)
{
	char c = ps->p + 1 < ps->n ? ps->s[ps->p + 1] : '\0';
	nkind k = N_CAT;
	switch (c) {
	case 'A': k = N_BEGIN; break;
	case 'z': k = N_END; break;
	case 'b': k = N_WB; break;
	case 'B': k = N_NWB; break;
	case 'Q': quoted(ps, seq); return 0;
	case 'C': ps->p += 2; return perr(ps, DKO_EINVAL, "invalid escape sequence", ps->p - 2);
	case 'p': case 'P':
		return perr(ps, DKO_ECONFIG, "Unicode classes are not supported", ps->p);
	default: break;
	}
	if (k != N_CAT) {
		ps->p += 2;
		DKO_VEC_PUSH(seq, new_node(ps, k));
		return 0;
	}
	bool neg;
	const unsigned *g = c ? perl_group(c, &neg) : NULL;
	if (g) {
		ps->p += 2;
		DKO_VEC_PUSH(seq, group_node(ps, g, neg));
		return 0;
	}
	unsigned r;
	int rc = parse_escape(ps, &r);
	if (rc == 0)
		DKO_VEC_PUSH(seq, rune_node(ps, r, r));
	return rc;
}

static node *cat_node(parser *ps, node_vec *seq)
{
	node *n = new_node(ps, N_CAT);
	n->nkids = seq->len;
	n->kids = dko_arena_alloc(&ps->arena, (seq->len ? seq->len : 1) * sizeof(node *));
	if (seq->len)
		memcpy(n->kids, seq->items, seq->len * sizeof(node *));
	return n;
}

/* Go's repeatIsValid: nested counted repetitions stay within n copies. */
static bool repeat_valid(const node *n, int lim)
{
	if (n->k == N_REPEAT) {
		int m = n->max;
		if (m == 0)
			return true;
		if (m < 0)
			m = n->min;
		if (m > lim)
			return false;
		if (m > 0)
			lim /= m;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		if (!repeat_valid(n->kids[i], lim))
			return false;
	}
	return true;
}

/* A repetition (ps->p after its operator) of the last node of seq. */
static int apply_repeat(parser *ps, node_vec *seq, bool last_repeat, size_t from, nkind k, int min,
                        int max)
{
	if (ps->p < ps->n && ps->s[ps->p] == '?')
		ps->p++; /* non-greedy: same language */
	if (last_repeat)
		return perr(ps, DKO_EINVAL, "invalid nested repetition operator", from);
	if (seq->len == 0)
		return perr(ps, DKO_EINVAL, "missing argument to repetition operator", from);
	node *n = new_node(ps, k);
	n->kids = dko_arena_alloc(&ps->arena, sizeof(node *));
	n->kids[0] = seq->items[seq->len - 1];
	n->nkids = 1;
	n->min = min;
	n->max = max;
	if (k == N_REPEAT && (min >= 2 || max >= 2) && !repeat_valid(n, 1000))
		return perr(ps, DKO_EINVAL, "invalid repeat count", from);
	seq->items[seq->len - 1] = n;
	return 0;
}

/* Go's parseInt: a decimal without leading zeros; -1 when too big. */
static bool parse_int(parser *ps, int *out)
{
	const char *s = ps->s;
	size_t p = ps->p;
	if (p >= ps->n || s[p] < '0' || s[p] > '9')
		return false;
	if (p + 1 < ps->n && s[p] == '0' && s[p + 1] >= '0' && s[p + 1] <= '9')
		return false;
	long v = 0;
	for (; p < ps->n && s[p] >= '0' && s[p] <= '9'; p++) {
		if (v >= 0 && v < 100000000)
			v = v * 10 + (s[p] - '0');
		else
			v = -1;
	}
	*out = (int)v;
	ps->p = p;
	return true;
}

/* Go's parseRepeat at '{': "{n}", "{n,}" or "{n,m}"; false (ps->p kept)
 * when it is not one, and '{' is then a literal. */
static bool parse_repeat(parser *ps, int *min, int *max)
{
	size_t save = ps->p++;
	bool ok = parse_int(ps, min) && ps->p < ps->n;
	if (ok && ps->s[ps->p] != ',') {
		*max = *min;
	} else if (ok) {
		ps->p++;
		if (ps->p < ps->n && ps->s[ps->p] == '}')
			*max = -1;
		else if ((ok = parse_int(ps, max)) && *max < 0)
			*min = -1;
	}
	ok = ok && ps->p < ps->n && ps->s[ps->p] == '}';
	if (!ok) {
		ps->p = save;
		return false;
	}
	ps->p++;
	return true;
}

/* A repetition operator at ps->p: * + ? or {n,m}; false when '{' is a
 * literal. */
static bool repeat_op(parser *ps, node_vec *seq, bool last_repeat)
{
	size_t from = ps->p;
	char c = ps->s[ps->p];
	int min = 0, max = -1;
	if (c == '{') {
		if (!parse_repeat(ps, &min, &max))
			return false;
		if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
			perr(ps, DKO_EINVAL, "invalid repeat count", from);
			return true;
		}
	} else {
		ps->p++;
	}
	nkind k = c == '*' ? N_STAR : c == '+' ? N_PLUS : c == '?' ? N_QUEST : N_REPEAT;
	apply_repeat(ps, seq, last_repeat, from, k, min, max);
	return true;
}

/* One token at ps->p (not a repetition, parenthesis or bar). */
static int atom(parser *ps, node_vec *seq)
{
	char c = ps->s[ps->p];
	unsigned r = 0;
	int rc;
	switch (c) {
	case '^': ps->p++; DKO_VEC_PUSH(seq, new_node(ps, N_BEGIN)); return 0;
	case '$': ps->p++; DKO_VEC_PUSH(seq, new_node(ps, N_END)); return 0;
	case '.': ps->p++; DKO_VEC_PUSH(seq, new_node(ps, N_ANY)); return 0;
	case '[':
		if ((rc = parse_class(ps, &r)) < 0)
			return rc;
		node *n = new_node(ps, N_CLASS);
		n->cls = r;
		DKO_VEC_PUSH(seq, n);
		return 0;
	case '\\': return top_escape(ps, seq);
	default:
		r = next_rune(ps);
		DKO_VEC_PUSH(seq, rune_node(ps, r, r));
		return 0;
	}
}

/* One parenthesized level: alternatives so far and the current sequence. */
typedef struct level {
	node_vec seq, alts;
	size_t open_at;
} level;

typedef DKO_VEC(level) level_vec;

static node *close_level(parser *ps, level *lv)
{
	node *n = cat_node(ps, &lv->seq);
	if (lv->alts.len) {
		DKO_VEC_PUSH(&lv->alts, n);
		n = cat_node(ps, &lv->alts);
		n->k = N_ALT;
	}
	DKO_VEC_FREE(&lv->seq);
	DKO_VEC_FREE(&lv->alts);
	return n;
}

static void open_group(parser *ps, level_vec *stack)
{
	if (ps->p + 1 < ps->n && ps->s[ps->p + 1] == '?') {
		perr(ps, DKO_ECONFIG, "group flags are not supported", ps->p);
		return;
	}
	if (stack->len > MAX_NEST) {
		perr(ps, DKO_EINVAL, "expression nests too deeply", ps->p);
		return;
	}
	DKO_VEC_PUSH(stack, ((level){.open_at = ps->p++}));
}

/* The whole expression: sequences, alternatives, nested by parentheses. */
static node *parse_all(parser *ps)
{
	level_vec stack = {0};
	DKO_VEC_PUSH(&stack, ((level){0}));
	bool last_repeat = false;
	while (ps->p < ps->n && !ps->err) {
		level *lv = &stack.items[stack.len - 1];
		char c = ps->s[ps->p];
		bool rep = false;
		if (strchr("*+?{", c) && c && (rep = repeat_op(ps, &lv->seq, last_repeat))) {
			/* done */
		} else if (c == '{') {
			ps->p++;
			DKO_VEC_PUSH(&lv->seq, rune_node(ps, '{', '{'));
		} else if (c == '(') {
			open_group(ps, &stack);
		} else if (c == '|') {
			ps->p++;
			DKO_VEC_PUSH(&lv->alts, cat_node(ps, &lv->seq));
			lv->seq.len = 0;
		} else if (c == ')') {
			if (stack.len == 1) {
				perr(ps, DKO_EINVAL, "unexpected )", ps->p);
				break;
			}
			ps->p++;
			node *g = close_level(ps, lv);
			stack.len--;
			DKO_VEC_PUSH(&stack.items[stack.len - 1].seq, g);
		} else {
			atom(ps, &lv->seq);
		}
		last_repeat = rep;
	}
	if (!ps->err && stack.len > 1)
		perr(ps, DKO_EINVAL, "missing closing )", stack.items[stack.len - 1].open_at);
	node *root = NULL;
	for (size_t i = stack.len; i-- > 0;) {
		node *n = close_level(ps, &stack.items[i]);
		if (i == 0)
			root = n;
	}
	DKO_VEC_FREE(&stack);
	return ps->err ? NULL : root;
}

/* ---- compiler ---- */

typedef DKO_VEC(inst) prog_vec;

static size_t emit(prog_vec *pg, op o, unsigned x, unsigned y)
{
	DKO_VEC_PUSH(pg, ((inst){o, x, y}));
	return pg->len - 1;
}

static void gen(prog_vec *pg, const node *n);

static void gen_star(prog_vec *pg, const node *e) /* L1: split L2, L3; L2: e; jmp L1; L3: */
{
	size_t l1 = emit(pg, OP_SPLIT, 0, 0);
	pg->items[l1].x = (unsigned)(l1 + 1);
	gen(pg, e);
	emit(pg, OP_JMP, (unsigned)l1, 0);
	pg->items[l1].y = (unsigned)pg->len;
}

static void gen_quest(prog_vec *pg, const node *e) /* split L2, L3; L2: e; L3: */
{
	size_t l1 = emit(pg, OP_SPLIT, 0, 0);
	pg->items[l1].x = (unsigned)(l1 + 1);
	gen(pg, e);
	pg->items[l1].y = (unsigned)pg->len;
}

/* split L1, next; L1: a1; jmp end; next: split ...; the last has no split. */
static void gen_alt(prog_vec *pg, const node *n)
{
	DKO_VEC(size_t) jumps = {0};
	for (size_t i = 0; i < n->nkids; i++) {
		size_t sp = 0;
		if (i + 1 < n->nkids) {
			sp = emit(pg, OP_SPLIT, 0, 0);
			pg->items[sp].x = (unsigned)(sp + 1);
		}
		gen(pg, n->kids[i]);
		if (i + 1 < n->nkids) {
			DKO_VEC_PUSH(&jumps, emit(pg, OP_JMP, 0, 0));
			pg->items[sp].y = (unsigned)pg->len;
		}
	}
	for (size_t i = 0; i < jumps.len; i++)
		pg->items[jumps.items[i]].x = (unsigned)pg->len;
	DKO_VEC_FREE(&jumps);
}

static void gen(prog_vec *pg, const node *n)
{
	size_t l1;
	switch (n->k) {
	case N_CLASS: emit(pg, OP_RUNE, n->cls, 0); break;
	case N_ANY: emit(pg, OP_ANY, 0, 0); break;
	case N_BEGIN: emit(pg, OP_BEGIN, 0, 0); break;
	case N_END: emit(pg, OP_END, 0, 0); break;
	case N_WB: emit(pg, OP_WORDB, 0, 0); break;
	case N_NWB: emit(pg, OP_NWORDB, 0, 0); break;
	case N_CAT:
		for (size_t i = 0; i < n->nkids; i++)
			gen(pg, n->kids[i]);
		break;
	case N_ALT: gen_alt(pg, n); break;
	case N_STAR: gen_star(pg, n->kids[0]); break;
	case N_QUEST: gen_quest(pg, n->kids[0]); break;
	case N_PLUS: /* L1: e; split L1, L3; L3: */
		l1 = pg->len;
		gen(pg, n->kids[0]);
		emit(pg, OP_SPLIT, (unsigned)l1, (unsigned)(pg->len + 1));
		break;
	case N_REPEAT: /* e{2,4} = e e e? e?; e{2,} = e e e* */
		for (int i = 0; i < n->min; i++)
			gen(pg, n->kids[0]);
		if (n->max < 0)
			gen_star(pg, n->kids[0]);
		for (int i = n->min; i < n->max; i++)
			gen_quest(pg, n->kids[0]);
		break;
	}
}

/* Instructions gen() will emit (saturating), to refuse huge programs. */
static size_t prog_size(const node *n)
{
	size_t k = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		k += prog_size(n->kids[i]);
		if (k > MAX_PROG)
			return MAX_PROG + 1;
	}
	switch (n->k) {
	case N_CAT: return k;
	case N_ALT: return k + 2 * n->nkids;
	case N_STAR: return k + 2;
	case N_PLUS: case N_QUEST: return k + 1;
	case N_REPEAT: {
		size_t copies = (size_t)(n->max < 0 ? n->min + 1 : n->max);
		return copies > MAX_PROG / (k + 2) ? MAX_PROG + 1 : copies * (k + 2);
	}
	default: return 1;
	}
}

int dko_goregex_compile(dko_goregex **out, const char *re, size_t len)
{
	*out = NULL;
	parser ps = {.s = re, .n = len};
	dko_arena_init(&ps.arena);
	node *root = parse_all(&ps);
	int rc = ps.err;
	if (rc == 0 && prog_size(root) > MAX_PROG)
		rc = dko_error_set(DKO_ECONFIG, "expression too large");
	if (rc == 0) {
		prog_vec pg = {0};
		gen(&pg, root);
		emit(&pg, OP_MATCH, 0, 0);
		dko_goregex *g = dko_xcalloc(1, sizeof(*g));
		g->prog = pg.items;
		g->n = pg.len;
		g->pool = ps.pool.items;
		g->classes = ps.classes.items;
		ps.pool.items = NULL;
		ps.classes.items = NULL;
		*out = g;
	}
	DKO_VEC_FREE(&ps.pool);
	DKO_VEC_FREE(&ps.classes);
	dko_arena_release(&ps.arena);
	return rc;
}

void dko_goregex_free(dko_goregex *re)
{
	if (!re)
		return;
	free(re->prog);
	free(re->pool);
	free(re->classes);
	free(re);
}

/* ---- matcher ---- */

typedef struct sset {
	unsigned *dense, *sparse;
	size_t n;
} sset;

static bool sset_has(const sset *s, unsigned pc)
{
	unsigned i = s->sparse[pc];
	return i < s->n && s->dense[i] == pc;
}

static void sset_add(sset *s, unsigned pc)
{
	s->sparse[pc] = (unsigned)s->n;
	s->dense[s->n++] = pc;
}

static bool in_class(const dko_goregex *re, unsigned c, unsigned r)
{
	const range *v = re->pool + re->classes[c].off;
	size_t lo = 0, hi = re->classes[c].n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r < v[mid].lo)
			hi = mid;
		else if (r > v[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool is_word(long r)
{
	return r >= 0 && r < 0x80 && (is_alnum((unsigned)r) || r == '_');
}

typedef struct ctx {
	bool at_begin, at_end, boundary;
	unsigned *stack;
} ctx;

/* Follow empty transitions from pc into s; true when MATCH is reached. */
static bool add_thread(const dko_goregex *re, sset *s, unsigned pc, const ctx *c)
{
	size_t top = 0;
	c->stack[top++] = pc;
	while (top) {
		pc = c->stack[--top];
		if (sset_has(s, pc))
			continue;
		sset_add(s, pc);
		const inst *in = &re->prog[pc];
		bool go = false;
		switch (in->op) {
		case OP_MATCH: return true;
		case OP_JMP: c->stack[top++] = in->x; break;
		case OP_SPLIT:
			c->stack[top++] = in->y;
			c->stack[top++] = in->x;
			break;
		case OP_BEGIN: go = c->at_begin; break;
		case OP_END: go = c->at_end; break;
		case OP_WORDB: go = c->boundary; break;
		case OP_NWORDB: go = !c->boundary; break;
		case OP_RUNE: case OP_ANY: break;
		}
		if (go)
			c->stack[top++] = pc + 1;
	}
	return false;
}

static bool step(const dko_goregex *re, const sset *cur, sset *next, unsigned r, const ctx *c)
{
	for (size_t i = 0; i < cur->n; i++) {
		const inst *in = &re->prog[cur->dense[i]];
		bool ok = (in->op == OP_ANY && r != '\n') || (in->op == OP_RUNE && in_class(re, in->x, r));
		if (ok && add_thread(re, next, cur->dense[i] + 1, c))
			return true;
	}
	return false;
}

bool dko_goregex_match(const dko_goregex *re, const char *s, size_t len)
{
	size_t n = re->n;
	unsigned *mem = dko_xcalloc(6 * n + 2, sizeof(unsigned));
	sset a = {mem, mem + n, 0}, b = {mem + 2 * n, mem + 3 * n, 0};
	sset *cur = &a, *next = &b;
	ctx c = {.stack = mem + 4 * n};
	long prev = -1;
	bool matched = false;
	for (size_t pos = 0;; ) {
		size_t w = 0;
		long r = pos < len ? (long)dko_goregex_decode(s + pos, len - pos, &w) : -1;
		c.at_begin = pos == 0;
		c.at_end = pos == len;
		c.boundary = is_word(prev) != is_word(r);
		if (add_thread(re, cur, 0, &c)) {
			matched = true;
			break;
		}
		if (pos >= len)
			break;
		size_t after = pos + w;
		size_t w2 = 0;
		long r2 = after < len ? (long)dko_goregex_decode(s + after, len - after, &w2) : -1;
		ctx nc = {after == 0, after == len, is_word(r) != is_word(r2), c.stack};
		next->n = 0;
		if (step(re, cur, next, (unsigned)r, &nc)) {
			matched = true;
			break;
		}
		sset *t = cur;
		cur = next;
		next = t;
		prev = r;
		pos = after;
	}
	free(mem);
	return matched;
}
