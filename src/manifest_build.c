/*
 * manifest_build.c - build files the multi-stage passes read (see
 * manifest.h): pom.xml, build.gradle(.kts), Cargo.toml, Makefile.
 *
 * Each reader understands just enough of its format to find the few facts
 * asked for (a small XML tokenizer, a TOML subset, make's rule/variable
 * lines, literal Gradle assignments); anything computed at build time
 * (interpolation, functions, includes) makes the fact unknown (NULL).
 * Results are boxed with their arena as in manifest.c.
 */
#include "manifest.h"
#include "manifest_int.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(s, w, k) == 0;
}

/* ---- pom.xml ---- */

#define XML_DEPTH 64


typedef struct xml {
	const char *s;
	size_t n, p;
	const char *stack[XML_DEPTH];
	size_t depth;
	dko_buf text;
	dko_mf_pair *props;
	size_t nprops;
	dko_arena *a;
	dko_pom *pom;
} xml;

static bool xml_skip_to(xml *x, const char *end)
{
	const char *e = NULL;
	size_t k = strlen(end);
	for (size_t i = x->p; i + k <= x->n; i++) {
		if (memcmp(x->s + i, end, k) == 0) {
			e = x->s + i;
			break;
		}
	}
	if (!e)
		return false;
	x->p = (size_t)(e - x->s) + k;
	return true;
}

static void xml_entity(xml *x)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		if (starts(x->s + x->p, x->n - x->p, ents[i].name)) {
			dko_buf_putc(&x->text, ents[i].c);
			x->p += strlen(ents[i].name);
			return;
		}
	}
	dko_buf_putc(&x->text, '&'); /* numeric or unknown: kept as is */
	x->p++;
}

static size_t xml_name(xml *x, const char **name)
{
	size_t start = x->p;
	while (x->p < x->n && !isspace((unsigned char)x->s[x->p]) && !strchr("/>", x->s[x->p]))
		x->p++;
	const char *colon = memchr(x->s + start, ':', x->p - start); /* drop a namespace prefix */
	size_t from = colon ? (size_t)(colon - x->s) + 1 : start;
	*name = x->s + from;
	return x->p - from;
}

/* The element path as "a/b/c". */
static bool xml_at(const xml *x, const char *path)
{
	size_t i = 0;
	for (const char *p = path; i < x->depth; i++) {
		size_t k = strcspn(p, "/");
		if (strlen(x->stack[i]) != k || memcmp(x->stack[i], p, k) != 0)
			return false;
		p += k;
		if (*p == '\0')
			return i + 1 == x->depth;
		p++;
	}
	return false;
}

static void xml_leaf(xml *x)
{
	dko_pom *p = x->pom;
	const char *v = mf_trim(x->a, x->text.ptr ? x->text.ptr : "", x->text.len);
	static const struct {
		const char *path;
		size_t off;
	} fields[] = {
		{"project/groupId", offsetof(dko_pom, group_id)},
		{"project/artifactId", offsetof(dko_pom, artifact_id)},
		{"project/version", offsetof(dko_pom, version)},
		{"project/packaging", offsetof(dko_pom, packaging)},
		{"project/build/finalName", offsetof(dko_pom, final_name)},
		{"project/parent/groupId", offsetof(dko_pom, parent_group_id)},
		{"project/parent/artifactId", offsetof(dko_pom, parent_artifact_id)},
		{"project/parent/version", offsetof(dko_pom, parent_version)},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (xml_at(x, fields[i].path))
			*(const char **)((char *)p + fields[i].off) = v;
	}
	if (xml_at(x, "project/modules/module"))
		MF_PUSH(x->a, p->modules, p->nmodules, v);
	if (x->depth == 3 && !strcmp(x->stack[0], "project") && !strcmp(x->stack[1], "properties")) {
		dko_mf_pair pr = {x->stack[2], v};
		MF_PUSH(x->a, x->props, x->nprops, pr);
	}
}

/* A tag at x->p ('<'); false when the document is malformed. */
static bool xml_tag(xml *x)
{
	const char *r = x->s + x->p;
	size_t left = x->n - x->p;
	if (starts(r, left, "<!--"))
		return xml_skip_to(x, "-->");
	if (starts(r, left, "<![CDATA[")) {
		size_t from = x->p + 9;
		x->p = from;
		if (!xml_skip_to(x, "]]>"))
			return false;
		dko_buf_put(&x->text, x->s + from, x->p - 3 - from);
		return true;
	}
	if (starts(r, left, "<?"))
		return xml_skip_to(x, "?>");
	if (starts(r, left, "<!"))
		return xml_skip_to(x, ">");
	bool close = r[1] == '/';
	x->p += close ? 2 : 1;
	const char *name;
	size_t nl = xml_name(x, &name);
	char q = 0; /* attributes, quotes respected */
	for (; x->p < x->n && (q || x->s[x->p] != '>'); x->p++) {
		if (q ? x->s[x->p] == q : (x->s[x->p] == '"' || x->s[x->p] == '\''))
			q = q ? 0 : x->s[x->p];
	}
	if (x->p >= x->n || nl == 0)
		return false;
	bool self = x->s[x->p - 1] == '/';
	x->p++;
	if (close) {
		if (x->depth == 0 || strlen(x->stack[x->depth - 1]) != nl ||
		    memcmp(x->stack[x->depth - 1], name, nl) != 0)
			return false;
		xml_leaf(x);
		x->depth--;
	} else if (!self) {
		if (x->depth >= XML_DEPTH)
			return false;
		x->stack[x->depth++] = dko_arena_strndup(x->a, name, nl);
	}
	dko_buf_clear(&x->text);
	return true;
}

static void xml_parse(xml *x)
{
	while (x->p < x->n) {
		if (x->s[x->p] == '<') {
			if (!xml_tag(x)) {
				x->pom->malformed = true;
				return;
			}
		} else if (x->s[x->p] == '&') {
			xml_entity(x);
		} else {
			dko_buf_putc(&x->text, x->s[x->p++]);
		}
	}
	if (x->depth)
		x->pom->malformed = true;
}

/* ${...} references resolved from the POM itself, or NULL. */
static const char *pom_resolve(xml *x, const char *s, int depth)
{
	if (!s || depth > 8)
		return NULL;
	dko_pom *p = x->pom;
	dko_buf b = DKO_BUF_INIT;
	const char *r = NULL;
	for (;;) {
		const char *d = strstr(s, "${");
		if (!d) {
			dko_buf_puts(&b, s);
			r = dko_arena_strdup(x->a, dko_buf_cstr(&b));
			break;
		}
		const char *e = strchr(d, '}');
		if (!e)
			break;
		dko_buf_put(&b, s, (size_t)(d - s));
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(e - d - 2), d + 2);
		const char *k = !strncmp(key, "project.", 8) ? key + 8 : !strncmp(key, "pom.", 4) ? key + 4 : key;
		const char *v = NULL;
		if (!strcmp(k, "artifactId"))
			v = p->artifact_id;
		else if (!strcmp(k, "version"))
			v = p->version ? p->version : p->parent_version;
		else if (!strcmp(k, "groupId"))
			v = p->group_id ? p->group_id : p->parent_group_id;
		else if (!strcmp(k, "parent.version"))
			v = p->parent_version;
		for (size_t i = 0; !v && i < x->nprops; i++) {
			if (!strcmp(x->props[i].name, key))
				v = x->props[i].value;
		}
		v = pom_resolve(x, v, depth + 1);
		if (!v)
			break;
		dko_buf_puts(&b, v);
		s = e + 1;
	}
	dko_buf_release(&b);
	return r;
}

static void pom_artifact(xml *x)
{
	dko_pom *p = x->pom;
	const char *pk = p->packaging ? pom_resolve(x, p->packaging, 0) : "jar";
	static const char *const jar_like[] = {"jar", "maven-plugin", "bundle", "ejb"};
	const char *ext = NULL;
	for (size_t i = 0; pk && i < sizeof(jar_like) / sizeof(jar_like[0]); i++) {
		if (!strcmp(pk, jar_like[i]))
			ext = "jar";
	}
	if (pk && (!strcmp(pk, "war") || !strcmp(pk, "ear")))
		ext = pk;
	if (!ext)
		return;
	const char *base = pom_resolve(x, p->final_name ? p->final_name
	                                                : "${project.artifactId}-${project.version}", 0);
	if (!base || !p->artifact_id || (!p->final_name && !p->version && !p->parent_version))
		return;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s.%s", base, ext);
	p->artifact = dko_arena_strdup(x->a, dko_buf_cstr(&b));
	dko_buf_release(&b);
}

int dko_pom_read(dko_pom **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_pom));
	if (rc < 0)
		return rc;
	dko_pom *p = t.pub;
	p->path = t.path;
	xml x = {.s = t.text, .n = t.len, .a = t.a, .pom = p};
	xml_parse(&x);
	if (!p->malformed)
		pom_artifact(&x);
	p->has_wrapper = mf_has_file(ctx, t.a, mf_dir(t.a, p->path), "mvnw");
	dko_buf_release(&x.text);
	mf_text_close(&t);
	*out = p;
	return 0;
}

void dko_pom_free(dko_pom *p)
{
	mf_box_free(p, sizeof(*p));
}

/* ---- build.gradle ---- */


/* The literal string right after key (with " = ", " ", ".set(" or "(" between),
 * NULL when absent or not a plain literal; *seen tells whether key occurs. */
static const char *gradle_literal(dko_arena *a, const char *line, size_t n, const char *key, bool *seen)
{
	size_t k = strlen(key);
	if (!starts(line, n, key) || (n > k && (isalnum((unsigned char)line[k]) || line[k] == '_')))
		return NULL;
	if (seen)
		*seen = true;
	size_t i = k;
	if (starts(line + i, n - i, ".set"))
		i += 4;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '=' || line[i] == '('))
		i++;
	if (i >= n || (line[i] != '"' && line[i] != '\''))
		return NULL;
	char q = line[i++];
	size_t start = i;
	while (i < n && line[i] != q && line[i] != '$' && line[i] != '\\')
		i++;
	if (i >= n || line[i] != q || i == start)
		return NULL;
	return dko_arena_strndup(a, line + start, i - start);
}

typedef struct gradle_scan {
	const char *file_names[4];
	size_t nfile_names;
	bool ambiguous;
	bool version_seen;
} gradle_scan;

static void gradle_line(dko_gradle *g, dko_arena *a, gradle_scan *sc, const char *s, size_t n)
{
	const char *v;
	if ((v = gradle_literal(a, s, n, "version", &sc->version_seen)) != NULL)
		g->version = v;
	if ((v = gradle_literal(a, s, n, "archiveFileName", NULL)) != NULL) {
		if (g->archive_file_name && strcmp(g->archive_file_name, v) != 0)
			sc->ambiguous = true;
		g->archive_file_name = v;
	}
	if ((v = gradle_literal(a, s, n, "archiveBaseName", NULL)) != NULL ||
	    (v = gradle_literal(a, s, n, "archivesBaseName", NULL)) != NULL ||
	    (v = gradle_literal(a, s, n, "archivesName", NULL)) != NULL)
		g->archive_base_name = v;
}

/* Scan text line by line, calling fn on each trimmed line. */
static void each_line(const char *text, size_t len,
                      void (*fn)(void *, const char *, size_t), void *arg)
{
	size_t pos = 0, n;
	const char *line;
	while (mf_next_line(text, len, &pos, &line, &n)) {
		while (n && isspace((unsigned char)*line))
			line++, n--;
		while (n && isspace((unsigned char)line[n - 1]))
			n--;
		fn(arg, line, n);
	}
}

typedef struct gradle_arg {
	dko_gradle *g;
	dko_arena *a;
	gradle_scan *sc;
} gradle_arg;

static void on_build_line(void *p, const char *s, size_t n)
{
	gradle_arg *ga = p;
	gradle_line(ga->g, ga->a, ga->sc, s, n);
}

static void on_settings_line(void *p, const char *s, size_t n)
{
	gradle_arg *ga = p;
	const char *v = gradle_literal(ga->a, s, n, "rootProject.name", NULL);
	if (v)
		ga->g->root_project_name = v;
	if (starts(s, n, "include") && n > 7 && !isalnum((unsigned char)s[7]))
		ga->g->multi_project = true;
}

static void on_properties_line(void *p, const char *s, size_t n)
{
	gradle_arg *ga = p;
	if (!starts(s, n, "version"))
		return;
	size_t i = 7;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || (s[i] != '=' && s[i] != ':'))
		return;
	ga->sc->version_seen = true;
	const char *v = mf_trim(ga->a, s + i + 1, n - i - 1);
	if (v[0] && !strchr(v, '$'))
		ga->g->version = v;
}

static void read_sibling(dko_context *ctx, dko_arena *a, const char *dir, const char *name,
                         void (*fn)(void *, const char *, size_t), void *arg, const char **found)
{
	const char *path = mf_sibling(a, dir, name);
	char *clean, *text;
	size_t len;
	if (dko_context_kind(ctx, path) != DKO_CTX_FILE || mf_load(ctx, path, &clean, &text, &len) < 0)
		return;
	if (found)
		*found = path;
	each_line(text, len, fn, arg);
	free(clean);
	free(text);
}

static void gradle_jar(dko_gradle *g, dko_arena *a, const gradle_scan *sc)
{
	if (sc->ambiguous)
		return;
	if (g->archive_file_name) {
		g->jar = g->archive_file_name;
		return;
	}
	const char *base = g->archive_base_name ? g->archive_base_name : g->root_project_name;
	if (!base || g->multi_project || (sc->version_seen && !g->version))
		return;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s.jar", base, g->version ? "-" : "", g->version ? g->version : "");
	g->jar = dko_arena_strdup(a, dko_buf_cstr(&b));
	dko_buf_release(&b);
}

int dko_gradle_read(dko_gradle **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_gradle));
	if (rc < 0)
		return rc;
	dko_arena *a = t.a;
	dko_gradle *g = t.pub;
	g->path = t.path;
	g->kotlin = strlen(t.path) > 4 && !strcmp(t.path + strlen(t.path) - 4, ".kts");
	const char *dir = mf_dir(a, g->path);
	gradle_scan sc = {0};
	gradle_arg ga = {g, a, &sc};
	read_sibling(ctx, a, dir, "settings.gradle.kts", on_settings_line, &ga, &g->settings);
	if (!g->settings)
		read_sibling(ctx, a, dir, "settings.gradle", on_settings_line, &ga, &g->settings);
	read_sibling(ctx, a, dir, "gradle.properties", on_properties_line, &ga, NULL);
	each_line(t.text, t.len, on_build_line, &ga);
	g->has_wrapper = mf_has_file(ctx, a, dir, "gradlew");
	gradle_jar(g, a, &sc);
	mf_text_close(&t);
	*out = g;
	return 0;
}

void dko_gradle_free(dko_gradle *g)
{
	mf_box_free(g, sizeof(*g));
}

/* ---- Cargo.toml ---- */


typedef struct toml {
	dko_cargo *c;
	dko_arena *a;
	enum { T_OTHER, T_PACKAGE, T_BIN, T_WORKSPACE } table;
	bool in_array;      /* inside a multi-line members = [ ... ] */
	bool in_mlstring;   /* inside a """ or ''' string */
	char ml_quote;
} toml;

/* One TOML string at s[*i] ('"' or '\''), decoded; NULL if not a string. */
static const char *toml_string(dko_arena *a, const char *s, size_t n, size_t *i)
{
	if (*i >= n || (s[*i] != '"' && s[*i] != '\''))
		return NULL;
	char q = s[(*i)++];
	dko_buf b = DKO_BUF_INIT;
	for (; *i < n && s[*i] != q; (*i)++) {
		if (q == '"' && s[*i] == '\\' && *i + 1 < n) {
			char e = s[++*i];
			dko_buf_putc(&b, e == 'n' ? '\n' : e == 't' ? '\t' : e);
		} else {
			dko_buf_putc(&b, s[*i]);
		}
	}
	const char *r = *i < n ? dko_arena_strdup(a, dko_buf_cstr(&b)) : NULL;
	(*i)++;
	dko_buf_release(&b);
	return r;
}

/* Strings of an array body from s[i], until ']' (sets in_array when open). */
static void toml_members(toml *t, const char *s, size_t n, size_t i)
{
	t->in_array = true;
	while (i < n) {
		if (s[i] == ']') {
			t->in_array = false;
			return;
		}
		if (s[i] == '#')
			return;
		const char *v = toml_string(t->a, s, n, &i);
		if (v)
			MF_PUSH(t->a, t->c->members, t->c->nmembers, v);
		else
			i++;
	}
}

static void toml_header(toml *t, const char *s, size_t n)
{
	bool arr = starts(s, n, "[[");
	size_t i = arr ? 2 : 1, e = i;
	while (e < n && s[e] != ']')
		e++;
	const char *name = mf_trim(t->a, s + i, e - i);
	t->table = T_OTHER;
	if (!arr && !strcmp(name, "package"))
		t->table = T_PACKAGE;
	else if (arr && !strcmp(name, "bin"))
		t->table = T_BIN;
	else if (!arr && !strcmp(name, "workspace")) {
		t->table = T_WORKSPACE;
		t->c->workspace = true;
	}
}

static void toml_key(toml *t, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
		i++;
	const char *key = dko_arena_strndup(t->a, s, i);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || s[i] != '=')
		return;
	for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++) {
	}
	if (starts(s + i, n - i, "\"\"\"") || starts(s + i, n - i, "'''")) {
		const char *rest = s + i + 3;
		size_t rn = n - i - 3;
		char q = s[i];
		char end[4] = {q, q, q, 0};
		bool closed = false;
		for (size_t k = 0; k + 3 <= rn && !closed; k++)
			closed = memcmp(rest + k, end, 3) == 0;
		t->in_mlstring = !closed;
		t->ml_quote = q;
		return;
	}
	if (t->table == T_WORKSPACE && !strcmp(key, "members") && i < n && s[i] == '[') {
		toml_members(t, s, n, i + 1);
		return;
	}
	const char *v = toml_string(t->a, s, n, &i);
	if (!v)
		return;
	if (t->table == T_PACKAGE && !strcmp(key, "name"))
		t->c->package_name = v;
	else if (t->table == T_PACKAGE && !strcmp(key, "default-run"))
		t->c->default_run = v;
	else if (t->table == T_BIN && !strcmp(key, "name"))
		MF_PUSH(t->a, t->c->bins, t->c->nbins, v);
}

static void on_toml_line(void *p, const char *s, size_t n)
{
	toml *t = p;
	if (t->in_mlstring) {
		char end[4] = {t->ml_quote, t->ml_quote, t->ml_quote, 0};
		for (size_t k = 0; k + 3 <= n; k++) {
			if (memcmp(s + k, end, 3) == 0)
				t->in_mlstring = false;
		}
		return;
	}
	if (t->in_array) {
		toml_members(t, s, n, 0);
		return;
	}
	if (n == 0 || s[0] == '#')
		return;
	if (s[0] == '[')
		toml_header(t, s, n);
	else
		toml_key(t, s, n);
}

int dko_cargo_read(dko_cargo **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_cargo));
	if (rc < 0)
		return rc;
	dko_cargo *c = t.pub;
	c->path = t.path;
	toml tm = {.c = c, .a = t.a};
	each_line(t.text, t.len, on_toml_line, &tm);
	const char *dir = mf_dir(t.a, c->path);
	c->main_bin = c->package_name && mf_has_file(ctx, t.a, dir, "src/main.rs");
	c->has_lock = mf_has_file(ctx, t.a, dir, "Cargo.lock");
	mf_text_close(&t);
	*out = c;
	return 0;
}

void dko_cargo_free(dko_cargo *c)
{
	mf_box_free(c, sizeof(*c));
}

/* ---- Makefile ---- */


typedef struct mk {
	dko_makefile *m;
	dko_arena *a;
	dko_mf_pair *vars;  /* value NULL: computed, unknown */
	size_t nvars;
	size_t *current;    /* targets of the rule whose recipe is being read */
	size_t ncurrent;
	bool seen_target;
	bool include_first; /* an include came before the first target */
	bool in_define;
	const char *first;  /* first target eligible as the default goal */
	bool first_unknown; /* ... whose name could not be expanded */
	bool goal_set;      /* .DEFAULT_GOAL assigned */
	const char *goal;
} mk;

static size_t words(char *s, char **tok, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static const char *var_get(const mk *k, const char *name, size_t n, bool *found)
{
	for (size_t i = k->nvars; i-- > 0;) {
		if (strlen(k->vars[i].name) == n && !memcmp(k->vars[i].name, name, n)) {
			*found = true;
			return k->vars[i].value;
		}
	}
	*found = false;
	return NULL;
}

/* s with $(V) ${V} $@ $$ expanded (recursively); NULL when a reference
 * cannot be (a function, an unknown or computed variable). */
static const char *mk_expand_at(const mk *k, const char *s, const char *target, int depth)
{
	if (depth > 10)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	const char *r = NULL;
	for (const char *p = s;; p++) {
		if (*p == '\0') {
			r = dko_arena_strdup(k->a, dko_buf_cstr(&b));
			break;
		}
		if (*p != '$') {
			dko_buf_putc(&b, *p);
			continue;
		}
		if ((p[1] == '@' && target) || p[1] == '$') {
			dko_buf_puts(&b, p[1] == '$' ? "$" : target);
			p++;
			continue;
		}
		char close = p[1] == '(' ? ')' : p[1] == '{' ? '}' : 0;
		const char *e = close ? strchr(p + 2, close) : NULL;
		bool found;
		const char *v = e ? var_get(k, p + 2, (size_t)(e - p - 2), &found) : NULL;
		if (v)
			v = mk_expand_at(k, v, target, depth + 1);
		if (!v)
			break;
		dko_buf_puts(&b, v);
		p = e;
	}
	dko_buf_release(&b);
	return r;
}

static const char *mk_expand(const mk *k, const char *s, const char *target)
{
	return mk_expand_at(k, s, target, 0);
}

/* Variables keep their raw value (expanded when used, as make does for
 * '='); ':=' expands at once; NULL marks a computed value. */
static void mk_assign(mk *k, const char *name, size_t nn, const char *op, const char *value)
{
	bool found;
	const char *old = var_get(k, name, nn, &found);
	if (!strcmp(op, "?=") && found)
		return;
	if (!strcmp(op, "+=") && found) {
		dko_buf b = DKO_BUF_INIT;
		dko_buf_printf(&b, "%s %s", old ? old : "", value);
		value = old ? dko_arena_strdup(k->a, dko_buf_cstr(&b)) : NULL;
		dko_buf_release(&b);
	} else if (!strcmp(op, "!=")) {
		value = NULL;
	} else if (!strcmp(op, ":=")) {
		value = mk_expand(k, value, NULL);
	}
	if (nn == 13 && !memcmp(name, ".DEFAULT_GOAL", 13)) {
		k->goal_set = true;
		k->goal = value ? mk_expand(k, value, NULL) : NULL;
		return;
	}
	dko_mf_pair p = {dko_arena_strndup(k->a, name, nn), value};
	MF_PUSH(k->a, k->vars, k->nvars, p);
}

/* "NAME op value" (op = := ::= :::= ?= += !=); false when not one. */
static bool mk_assignment(mk *k, const char *s)
{
	static const char *const prefixes[] = {"export ", "override ", "private "};
	for (size_t i = 0; i < 3; i++) {
		if (!strncmp(s, prefixes[i], strlen(prefixes[i])))
			s += strlen(prefixes[i]);
	}
	size_t n = strcspn(s, "=:?+! \t");
	size_t i = n;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	static const char *const ops[] = {":::=", "::=", ":=", "?=", "+=", "!=", "="};
	for (size_t o = 0; n > 0 && o < sizeof(ops) / sizeof(ops[0]); o++) {
		size_t ol = strlen(ops[o]);
		if (!strncmp(s + i, ops[o], ol)) {
			const char *v = s + i + ol;
			mk_assign(k, s, n, ops[o][0] == ':' ? ":=" : ops[o], mf_trim(k->a, v, strlen(v)));
			return true;
		}
	}
	return false;
}

static size_t mk_target(mk *k, const char *name, unsigned line)
{
	for (size_t i = 0; i < k->m->ntargets; i++) {
		if (!strcmp(k->m->targets[i].name, name))
			return i;
	}
	dko_make_target t = {.name = name, .line = line, .outputs_complete = true};
	MF_PUSH(k->a, k->m->targets, k->m->ntargets, t);
	return k->m->ntargets - 1;
}

static void mk_recipe(mk *k, const char *s)
{
	const char *line = mf_trim(k->a, s, strlen(s));
	for (size_t i = 0; i < k->ncurrent; i++) {
		dko_make_target *t = &k->m->targets[k->current[i]];
		MF_PUSH(k->a, t->recipe, t->nrecipe, line);
	}
}

/* "targets : prereqs [; recipe]"; colon points at the rule's ':'. */
static void mk_rule(mk *k, char *s, char *colon, unsigned line)
{
	*colon = '\0';
	char *rest = colon + 1 + (colon[1] == ':');
	char *semi = strchr(rest, ';');
	char *eq = strchr(rest, '=');
	k->ncurrent = 0;
	if (eq && (!semi || eq < semi))
		return; /* a target-specific variable */
	char *tok[64];
	size_t n = words(s, tok, 64);
	for (size_t i = 0; i < n; i++) {
		const char *name = mk_expand(k, tok[i], NULL);
		bool unknown = name == NULL;
		if (unknown)
			name = dko_arena_strdup(k->a, tok[i]);
		if (!k->first && !k->first_unknown && !strchr(name, '%') && (name[0] != '.' || strchr(name, '/'))) {
			k->first = name;
			k->first_unknown = unknown || k->include_first;
		}
		size_t idx = mk_target(k, name, line);
		MF_PUSH(k->a, k->current, k->ncurrent, idx);
	}
	k->seen_target = true;
	if (semi)
		mk_recipe(k, semi + 1);
}

/* The ':' of a rule line outside $(...), or NULL. */
static char *rule_colon(char *s)
{
	int depth = 0;
	for (char *p = s; *p; p++) {
		if (*p == '$' && (p[1] == '(' || p[1] == '{'))
			depth++, p++;
		else if ((*p == ')' || *p == '}') && depth)
			depth--;
		else if (*p == ':' && !depth)
			return p;
	}
	return NULL;
}

static void mk_line(mk *k, char *s, unsigned line)
{
	if (k->in_define) {
		k->in_define = strncmp(mf_trim(k->a, s, strlen(s)), "endef", 5) != 0;
		return;
	}
	if (s[0] == '\t') {
		if (k->ncurrent)
			mk_recipe(k, s + 1);
		return;
	}
	for (char *p = s; *p; p++) { /* a comment ends the line (not \#) */
		if (*p == '#' && (p == s || p[-1] != '\\')) {
			*p = '\0';
			break;
		}
	}
	char *w[2];
	char *copy = dko_arena_strdup(k->a, s);
	size_t nw = words(copy, w, 2);
	if (nw == 0)
		return;
	static const char *const skip[] = {"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		if (!strcmp(w[0], skip[i]))
			return;
	}
	if (!strcmp(w[0], "define")) {
		k->in_define = true;
		return;
	}
	if (!strcmp(w[0], "include") || !strcmp(w[0], "-include") || !strcmp(w[0], "sinclude")) {
		k->include_first |= !k->seen_target;
		return;
	}
	if (mk_assignment(k, s)) {
		k->ncurrent = 0;
		return;
	}
	char *colon = rule_colon(s);
	if (colon)
		mk_rule(k, s, colon, line);
	else
		k->ncurrent = 0;
}

static bool is_compiler(const char *cmd)
{
	static const char *const names[] = {"cc", "gcc", "clang", "c++", "g++", "clang++", "ld",
	                                    "rustc", "tcc", "$(CC)", "${CC}", "$(CXX)", "${CXX}",
	                                    "$(LD)", "${LD}"};
	const char *base = strrchr(cmd, '/') && cmd[0] != '$' ? strrchr(cmd, '/') + 1 : cmd;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(base, names[i]))
			return true;
	}
	size_t n = strlen(base); /* cross compilers: x86_64-linux-gnu-gcc, gcc-12 */
	return (n > 4 && (!strcmp(base + n - 4, "-gcc") || !strcmp(base + n - 4, "-g++"))) ||
	       !strncmp(base, "gcc-", 4) || !strncmp(base, "clang-", 6);
}

/* One simple command of a recipe: "-o NAME" of a compiler or go build. */
static void mk_command(mk *k, dko_make_target *t, char *cmd)
{
	char *tok[128];
	size_t n = words(cmd, tok, 128), i = 0;
	while (i < n && strchr(tok[i], '=') && tok[i][0] != '-')
		i++; /* VAR=value prefixes */
	if (i >= n)
		return;
	char *c = tok[i];
	while (*c == '@' || *c == '-' || *c == '+')
		c++;
	bool go = (!strcmp(c, "go") || !strcmp(c, "$(GO)") || !strcmp(c, "${GO}")) && i + 1 < n &&
	          !strcmp(tok[i + 1], "build");
	if (!go && !is_compiler(c))
		return;
	for (size_t j = i + 1; j < n; j++) {
		const char *name = NULL;
		if (!strcmp(tok[j], "-o") && j + 1 < n)
			name = tok[++j];
		else if (!go && !strncmp(tok[j], "-o", 2) && tok[j][2])
			name = tok[j] + 2;
		if (!name)
			continue;
		const char *v = mk_expand(k, name, t->name);
		if (v)
			MF_PUSH(k->a, t->outputs, t->noutputs, v);
		else
			t->outputs_complete = false;
	}
}

static void mk_outputs(mk *k, dko_make_target *t)
{
	for (size_t r = 0; r < t->nrecipe; r++) {
		char *line = dko_arena_strdup(k->a, t->recipe[r]);
		for (char *p = line; *p; p++) {
			if (*p == ';' || *p == '|' || (*p == '&' && p[1] == '&'))
				*p = '\n';
		}
		for (char *seg = line, *nl; seg; seg = nl) {
			nl = strchr(seg, '\n');
			if (nl)
				*nl++ = '\0';
			mk_command(k, t, seg);
		}
	}
}

static void mk_parse(mk *k, const char *text, size_t len)
{
	dko_buf b = DKO_BUF_INIT;
	size_t pos = 0, n;
	const char *line;
	unsigned lineno = 0, start = 0;
	while (mf_next_line(text, len, &pos, &line, &n)) {
		lineno++;
		if (!b.len)
			start = lineno;
		else if (b.ptr[0] == '\t' && n && line[0] == '\t')
			line++, n--; /* make drops the recipe tab of a continuation line */
		dko_buf_put(&b, line, n);
		if (n && line[n - 1] == '\\') {
			b.ptr[b.len - 1] = ' '; /* continuation */
			continue;
		}
		mk_line(k, b.ptr ? b.ptr : (char *)"", start);
		dko_buf_clear(&b);
	}
	if (b.len)
		mk_line(k, b.ptr, start);
	dko_buf_release(&b);
}

int dko_makefile_read(dko_makefile **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_makefile));
	if (rc < 0)
		return rc;
	dko_makefile *m = t.pub;
	m->path = t.path;
	mk k = {.m = m, .a = t.a};
	mk_parse(&k, t.text, t.len);
	for (size_t i = 0; i < m->ntargets; i++)
		mk_outputs(&k, &m->targets[i]);
	if (k.goal_set)
		m->default_target = k.goal && k.goal[0] && !strchr(k.goal, ' ') ? k.goal : NULL;
	else if (!k.first_unknown)
		m->default_target = k.first;
	mf_text_close(&t);
	*out = m;
	return 0;
}

void dko_makefile_free(dko_makefile *m)
{
	mf_box_free(m, sizeof(*m));
}

const dko_make_target *dko_makefile_target(const dko_makefile *m, const char *name)
{
	for (size_t i = 0; m && i < m->ntargets; i++) {
		if (!strcmp(m->targets[i].name, name))
			return &m->targets[i];
	}
	return NULL;
}
