/*
 * ignore.c - .dockerignore reading and matching (see ignore.h).
 *
 * Each step mirrors the Go code BuildKit runs, in order:
 *   ignorefile.ReadAll   lines -> trimmed, cleaned patterns ("!" kept in front)
 *   patternmatcher.New   trim + Clean again, split off '!', validate with the
 *                        syntax of filepath.Match
 *   Pattern.compile      pattern -> exact / prefix / suffix / Go regexp
 *   MatchesUsingParentResults and fsutil's SkipDir rule for walking.
 * The regexp is evaluated by goregex.c with Go's semantics. Everything a
 * pattern needs is allocated at parse time; matching does not allocate except
 * the regexp simulation's work arrays.
 */
#include "ignore.h"
#include "util/utf8.h"
#include "goregex.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 65536 /* bufio.Scanner's default token limit */

typedef enum mtype { M_EXACT, M_PREFIX, M_SUFFIX, M_REGEXP } mtype;

typedef struct pat pat;
struct pat {
	char *text; /* cleaned, without '!' */
	size_t len;
	bool exception;
	unsigned line;
	mtype type;
	char *regex; /* M_REGEXP: the Go expression */
	dko_goregex *re;
};

typedef DKO_VEC(pat) pat_vec;

struct dko_ignore {
	pat *pats;
	size_t n;
	bool exceptions;
	bool only_prefix_exceptions; /* fsutil's onlyPrefixExcludeExceptions */
};

/* ---- Go string helpers ---- */

/* strings.TrimSpace on s[0..*len); returns the new start. */
static const char *trim_space(const char *s, size_t *len)
{
	size_t n = *len, i = 0, w;
	while (i < n && dko_unicode_is_space(dko_goregex_decode(s + i, n - i, &w)))
		i += w;
	size_t end = i;
	for (size_t k = i; k < n; k += w) {
		if (!dko_unicode_is_space(dko_goregex_decode(s + k, n - k, &w)))
			end = k + w;
	}
	*len = end - i;
	return s + i;
}

/* Go's filepath.Clean (Unix) of s[0..n), into a new string. */
static char *go_clean(const char *s, size_t n, size_t *outlen)
{
	if (n == 0) {
		*outlen = 1;
		return dko_xstrdup(".");
	}
	char *out = dko_xmalloc(n + 2);
	bool rooted = s[0] == '/';
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == n || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == n || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && s[r] != '/'; r++)
				out[w++] = s[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	*outlen = w;
	return out;
}

/* ---- filepath.Match syntax (what patternmatcher.New validates) ---- */

/* getEsc: one possibly escaped class character at c[*i]. */
static bool get_esc(const char *c, size_t n, size_t *i)
{
	if (*i >= n || c[*i] == '-' || c[*i] == ']')
		return false;
	if (c[*i] == '\\' && ++*i >= n)
		return false;
	size_t w;
	unsigned r = dko_goregex_decode(c + *i, n - *i, &w);
	if (r == 0xFFFD && w == 1)
		return false;
	*i += w;
	return *i < n;
}

static bool chunk_ok(const char *c, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (c[i] == '\\') {
			if (i + 1 >= n)
				return false;
			i += 2;
		} else if (c[i] == '[') {
			i++;
			if (i < n && c[i] == '^')
				i++;
			for (int nrange = 0;; nrange++) {
				if (i < n && c[i] == ']' && nrange > 0) {
					i++;
					break;
				}
				if (!get_esc(c, n, &i))
					return false;
				if (c[i] == '-' && (++i, !get_esc(c, n, &i)))
					return false;
			}
		} else {
			i++;
		}
	}
	return true;
}

/* Whether filepath.Match(p, ".") would not fail with ErrBadPattern. */
static bool glob_syntax_ok(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && p[i] == '*')
			i++;
		size_t start = i;
		bool inrange = false;
		for (; i < n; i++) {
			if (p[i] == '\\') {
				if (i + 1 < n)
					i++;
			} else if (p[i] == '[') {
				inrange = true;
			} else if (p[i] == ']') {
				inrange = false;
			} else if (p[i] == '*' && !inrange) {
				break;
			}
		}
		if (!chunk_ok(p + start, i - start))
			return false;
	}
	return true;
}

/* ---- Pattern.compile ---- */

/* patternmatcher means to escape ".+()|{}$", but its bitmap (escapeBytes
 * [8]byte, bit c/8) cannot hold bits for c >= 64, so only ".+()$" are
 * escaped and '|', '{', '}' reach the regexp as alternation and counts. */
static bool should_escape(unsigned r)
{
	return r == '.' || r == '+' || r == '(' || r == ')' || r == '$';
}

typedef DKO_VEC(unsigned) rune_vec;

/* text/scanner's view of the pattern: runes, a leading BOM skipped. */
static void runes_of(const char *s, size_t n, rune_vec *out)
{
	size_t w;
	for (size_t i = 0; i < n; i += w) {
		unsigned r = dko_goregex_decode(s + i, n - i, &w);
		if (i == 0 && r == 0xFEFF)
			continue;
		DKO_VEC_PUSH(out, r);
	}
}

/* "**" at r[*j-1]: the match type after it and its regexp text. */
static mtype double_star(const rune_vec *r, size_t *j, size_t i, mtype t, dko_buf *re)
{
	(*j)++;
	if (*j < r->len && r->items[*j] == '/')
		(*j)++;
	if (*j == r->len) {
		if (t == M_EXACT) {
			t = M_PREFIX;
		} else {
			dko_buf_puts(re, ".*");
			t = M_REGEXP;
		}
	} else {
		dko_buf_puts(re, "(.*/)?");
		t = M_REGEXP;
	}
	return i == 0 ? M_SUFFIX : t;
}

/* Builds p->type and p->regex exactly as patternmatcher does. */
static void compile_text(pat *p)
{
	rune_vec r = {0};
	runes_of(p->text, p->len, &r);
	dko_buf re = DKO_BUF_INIT;
	dko_buf_putc(&re, '^');
	mtype t = M_EXACT;
	for (size_t i = 0, j = 0; j < r.len; i++) {
		unsigned ch = r.items[j++];
		if (ch == '*' && j < r.len && r.items[j] == '*') {
			t = double_star(&r, &j, i, t, &re);
		} else if (ch == '*') {
			dko_buf_puts(&re, "[^/]*");
			t = M_REGEXP;
		} else if (ch == '?') {
			dko_buf_puts(&re, "[^/]");
			t = M_REGEXP;
		} else if (should_escape(ch)) {
			dko_buf_putc(&re, '\\');
			dko_buf_put_rune(&re, ch);
		} else if (ch == '\\' && j < r.len) {
			dko_buf_putc(&re, '\\');
			dko_buf_put_rune(&re, r.items[j++]);
			t = M_REGEXP;
		} else if (ch == '[' || ch == ']') {
			dko_buf_put_rune(&re, ch);
			t = M_REGEXP;
		} else {
			dko_buf_put_rune(&re, ch);
		}
	}
	p->type = t;
	if (t == M_REGEXP) {
		dko_buf_putc(&re, '$');
		p->regex = dko_buf_detach(&re, NULL);
	}
	dko_buf_release(&re);
	DKO_VEC_FREE(&r);
}

static bool has_prefix(const char *s, size_t n, const char *pre, size_t pn)
{
	return n >= pn && memcmp(s, pre, pn) == 0;
}

static bool pat_match(const pat *p, const char *s, size_t n)
{
	switch (p->type) {
	case M_EXACT:
		return n == p->len && memcmp(s, p->text, n) == 0;
	case M_PREFIX:
		return has_prefix(s, n, p->text, p->len - 2);
	case M_SUFFIX: {
		const char *suf = p->text + 2;
		size_t sl = p->len - 2;
		if (n >= sl && memcmp(s + n - sl, suf, sl) == 0)
			return true;
		return suf[0] == '/' && n == sl - 1 && memcmp(s, suf + 1, n) == 0;
	}
	case M_REGEXP:
		return dko_goregex_match(p->re, s, n);
	}
	return false;
}

/* ---- reading ---- */

static void pats_free(pat *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].regex);
		dko_goregex_free(v[i].re);
	}
	free(v);
}

void dko_ignore_free(dko_ignore *ig)
{
	if (!ig)
		return;
	pats_free(ig->pats, ig->n);
	free(ig);
}

typedef struct loc {
	const char *name;
	unsigned line, col;
} loc;

static int bad(const loc *l, const char *pattern, const char *why)
{
	return dko_error_set(DKO_ECONFIG, "%s:%u:%u: error: bad pattern \"%s\": %s", l->name, l->line,
	                     l->col, pattern, why);
}

/* patternmatcher.New for one ReadAll pattern s (NUL-terminated). */
static int new_pattern(pat *out, const char *s, size_t n, const loc *l)
{
	const char *t = trim_space(s, &n);
	size_t len;
	char *c = go_clean(t, n, &len);
	bool exc = c[0] == '!';
	if (exc && len == 1) {
		free(c);
		return bad(l, "!", "illegal exclusion pattern: \"!\"");
	}
	if (exc)
		memmove(c, c + 1, len--);
	if (!glob_syntax_ok(c, len)) {
		int rc = bad(l, c, "syntax error in pattern");
		free(c);
		return rc;
	}
	*out = (pat){.text = c, .len = len, .exception = exc, .line = l->line};
	compile_text(out);
	if (out->type == M_REGEXP) {
		int rc = dko_goregex_compile(&out->re, out->regex, strlen(out->regex));
		if (rc < 0) {
			char why[600];
			snprintf(why, sizeof(why), "%s%s",
			         rc == DKO_ECONFIG ? "not supported by dockopt: " : "syntax error in pattern: ",
			         dko_error_last());
			rc = bad(l, c, why);
			free(out->regex);
			free(c);
			*out = (pat){0};
			return rc;
		}
	}
	return 0;
}

/* ignorefile.ReadAll for one line; *keep false for comments and blanks. */
static void read_line(const char *s, size_t n, dko_buf *pattern, bool *keep, unsigned *col)
{
	*keep = false;
	if (n > 0 && s[0] == '#')
		return;
	size_t tn = n;
	const char *t = trim_space(s, &tn);
	*col = (unsigned)(t - s) + 1;
	if (tn == 0)
		return;
	bool invert = t[0] == '!';
	if (invert) {
		t++;
		tn--;
		t = trim_space(t, &tn);
	}
	dko_buf_clear(pattern);
	if (invert)
		dko_buf_putc(pattern, '!');
	if (tn > 0) {
		size_t cl;
		char *c = go_clean(t, tn, &cl);
		size_t skip = cl > 1 && c[0] == '/';
		dko_buf_put(pattern, c + skip, cl - skip);
		free(c);
	}
	*keep = true;
}

/* Sets fsutil's onlyPrefixExcludeExceptions from the exceptions' text. */
static size_t without_trailing_glob(const pat *p)
{
	size_t n = p->len;
	if (n >= 3 && memcmp(p->text + n - 3, "/**", 3) == 0)
		n -= 3;
	if (n >= 2 && memcmp(p->text + n - 2, "/*", 2) == 0)
		n -= 2;
	return n;
}

static void finish(dko_ignore *ig)
{
	ig->only_prefix_exceptions = true;
	for (size_t i = 0; i < ig->n; i++) {
		const pat *p = &ig->pats[i];
		if (!p->exception)
			continue;
		ig->exceptions = true;
		size_t n = without_trailing_glob(p);
		for (size_t k = 0; k < n; k++) {
			if (strchr("*[]?^\\", p->text[k]) && p->text[k]) {
				ig->only_prefix_exceptions = false;
				break;
			}
		}
	}
}

static int add_line(pat_vec *v, const char *s, size_t n, loc *l, dko_buf *tmp)
{
	if (n >= MAX_LINE)
		return dko_error_set(DKO_ECONFIG, "%s:%u:1: error: line too long", l->name, l->line);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (l->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	bool keep;
	read_line(s, n, tmp, &keep, &l->col);
	if (!keep)
		return 0;
	pat p;
	int rc = new_pattern(&p, tmp->ptr, tmp->len, l);
	if (rc == 0)
		DKO_VEC_PUSH(v, p);
	return rc;
}

int dko_ignore_parse(dko_ignore **out, const char *text, size_t len, const char *name)
{
	*out = NULL;
	pat_vec v = {0};
	dko_buf tmp = DKO_BUF_INIT;
	loc l = {name ? name : ".dockerignore", 0, 1};
	int rc = 0;
	for (size_t i = 0; i < len && rc == 0;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		l.line++;
		rc = add_line(&v, text + i, end - i, &l, &tmp);
		i = end + 1;
	}
	dko_buf_release(&tmp);
	if (rc < 0) {
		pats_free(v.items, v.len);
		return rc;
	}
	dko_ignore *ig = dko_xcalloc(1, sizeof(*ig));
	ig->pats = v.items;
	ig->n = v.len;
	finish(ig);
	*out = ig;
	return 0;
}

/* ---- queries ---- */

size_t dko_ignore_count(const dko_ignore *ig)
{
	return ig ? ig->n : 0;
}

const char *dko_ignore_pattern(const dko_ignore *ig, size_t i, bool *exception, unsigned *line)
{
	if (!ig || i >= ig->n)
		return NULL;
	if (exception)
		*exception = ig->pats[i].exception;
	if (line)
		*line = ig->pats[i].line;
	return ig->pats[i].text;
}

bool dko_ignore_has_exceptions(const dko_ignore *ig)
{
	return ig && ig->exceptions;
}

bool dko_ignore_pattern_matches(const dko_ignore *ig, size_t i, const char *path)
{
	return ig && i < ig->n && pat_match(&ig->pats[i], path, strlen(path));
}

const char *dko_ignore_pattern_regex(const dko_ignore *ig, size_t i)
{
	return ig && i < ig->n ? ig->pats[i].regex : NULL;
}

size_t dko_ignore_state_size(const dko_ignore *ig)
{
	return ig ? ig->n : 0;
}

/* A pattern matching one of path's parent folders (MatchesOrParentMatches):
 * the folders of filepath.Dir(path), which is cleaned. */
static bool parent_matches(const pat *p, const char *path, size_t n)
{
	size_t last = n;
	while (last > 0 && path[last - 1] != '/')
		last--;
	size_t dn;
	char *dir = go_clean(path, last, &dn);
	bool hit = false;
	if (!(dn == 1 && dir[0] == '.')) {
		for (size_t k = 0; k <= dn && !hit; k++) {
			if (k == dn || dir[k] == '/')
				hit = pat_match(p, dir, k);
		}
	}
	free(dir);
	return hit;
}

bool dko_ignore_match(const dko_ignore *ig, const char *path, const unsigned char *parent,
                      unsigned char *state)
{
	bool matched = false;
	size_t n = strlen(path);
	for (size_t i = 0; ig && i < ig->n; i++) {
		const pat *p = &ig->pats[i];
		bool m = parent && parent[i];
		state[i] = 0;
		if (!m) {
			/* Only a pattern that can change the verdict is evaluated. */
			if (p->exception != matched)
				continue;
			m = pat_match(p, path, n) || (!parent && parent_matches(p, path, n));
		}
		state[i] = m;
		if (m)
			matched = !p->exception;
	}
	return matched;
}

bool dko_ignore_dir_prunable(const dko_ignore *ig, const char *dir)
{
	if (!ig || !ig->only_prefix_exceptions)
		return false;
	size_t dn = strlen(dir);
	for (size_t i = 0; i < ig->n; i++) {
		const pat *p = &ig->pats[i];
		if (!p->exception)
			continue;
		/* strings.HasPrefix(pattern + "/", dir + "/") */
		size_t sn = without_trailing_glob(p);
		if (sn >= dn && memcmp(p->text, dir, dn) == 0 && (sn == dn || p->text[dn] == '/'))
			return false;
	}
	return true;
}

/* Walks path's folders from the top like fsutil; *pruned tells whether the
 * walk stopped at a folder it does not enter. */
static bool walk_to(const dko_ignore *ig, const char *path, bool prune_last, bool *pruned)
{
	size_t n = strlen(path);
	*pruned = false;
	if (!ig || ig->n == 0 || n == 0)
		return false;
	unsigned char *mem = dko_xcalloc(2, ig->n);
	unsigned char *parent = NULL, *cur = mem, *other = mem + ig->n;
	char *prefix = dko_xstrdup(path);
	bool ex = false;
	for (size_t k = 0; k <= n; k++) {
		if (k < n && path[k] != '/')
			continue;
		prefix[k] = '\0';
		ex = dko_ignore_match(ig, prefix, parent, cur);
		bool stop = ex && (k < n || prune_last) && dko_ignore_dir_prunable(ig, prefix);
		prefix[k] = path[k];
		if (stop) {
			*pruned = true;
			break;
		}
		parent = cur;
		cur = other;
		other = parent;
	}
	free(prefix);
	free(mem);
	return ex;
}

bool dko_ignore_excludes(const dko_ignore *ig, const char *path)
{
	bool pruned;
	return walk_to(ig, path, false, &pruned);
}

bool dko_ignore_skips_dir(const dko_ignore *ig, const char *dir)
{
	bool pruned;
	walk_to(ig, dir, true, &pruned);
	return pruned;
}
