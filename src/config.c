/*
 * config.c - .dockopt.yml (see config.h). libyaml loads the document; the
 * walk below accepts only the keys it knows, so a typo is an error that
 * names the key rather than a silently ignored setting.
 */
#include "config.h"
#include "pkg.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct rule_set {
	const dko_rule_info *rule;
	bool on;
} rule_set;

struct dko_config {
	dko_arena arena;
	char *path;
	bool aggressive;
	DKO_VEC(rule_set) rules;
	DKO_VEC(const char *) ignore;
	DKO_VEC(const char *) dockerfiles;
	DKO_VEC(const char *) unshipped;
	DKO_VEC(dko_config_wrapper) wrappers;
	DKO_VEC(dko_config_toolchain) toolchains;
	struct dko_pkg_table *pkgs;
};

typedef struct loader {
	dko_config *c;
	yaml_document_t *doc;
	const char *path;
} loader;

static int err_at(loader *l, yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int build_pkgs(dko_config *c);

static int err_at(loader *l, yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return dko_error_set(DKO_ECONFIG, "%s:%zu:%zu: error: %s: %s", l->path,
	                     n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1, key, msg);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"on", "true", "yes", "enable", "enabled"};
	static const char *const no[] = {"off", "false", "no", "disable", "disabled"};
	for (size_t i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	}
	return -1;
}

static const char *cdup(loader *l, const char *s)
{
	return dko_arena_strdup(&l->c->arena, s);
}

typedef DKO_VEC(const char *) strvec;

/* A list of strings (or one string). Patterns are compiled to check them. */
static int string_list(loader *l, yaml_node_t *n, const char *key, strvec *out, bool patterns)
{
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = scalar(n);
		DKO_VEC_PUSH(out, cdup(l, s));
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *x = yaml_document_get_node(l->doc, *it);
			const char *s = scalar(x);
			if (!s)
				return err_at(l, x, key, "expected a string");
			DKO_VEC_PUSH(out, cdup(l, s));
		}
	} else {
		return err_at(l, n, key, "expected a list of strings");
	}
	for (size_t i = 0; patterns && i < out->len; i++) {
		dko_regex *re;
		char what[128];
		snprintf(what, sizeof(what), "%s[%zu]", key, i);
		if (dko_regex_compile(&re, out->items[i], NULL) != 0)
			return err_at(l, n, what, "%s", dko_error_last());
		dko_regex_free(re);
	}
	return 0;
}

static int load_rules(loader *l, yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE)
		return err_at(l, n, "rules", "expected a mapping of rule: on/off");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
		const char *id = scalar(k), *val = scalar(v);
		char key[160];
		snprintf(key, sizeof(key), "rules.%s", id ? id : "?");
		const dko_rule_info *r = id ? dko_rule_find(id) : NULL;
		if (!r)
			return err_at(l, k, key, "unknown rule (see `dockopt rules`)");
		bool on;
		if (!val || parse_bool(val, &on) != 0)
			return err_at(l, v, key, "expected on or off");
		rule_set rs = {r, on};
		DKO_VEC_PUSH(&l->c->rules, rs);
	}
	return 0;
}

/* The string members of mapping x named in names[] into vals[] (unset ones
 * untouched); an unknown member or a non-string value is an error. */
static int read_fields(loader *l, yaml_node_t *x, const char *key, const char *const *names,
                       const char **vals, size_t n)
{
	for (yaml_node_pair_t *p = x->data.mapping.pairs.start; p < x->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(l->doc, p->key));
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *v = scalar(vn);
		if (!k || !v)
			return err_at(l, vn, key, "expected string keys and values");
		size_t i = 0;
		while (i < n && strcmp(k, names[i]))
			i++;
		if (i == n)
			return err_at(l, vn, key, "unknown key '%s'", k);
		vals[i] = cdup(l, v);
	}
	return 0;
}

/* A list of mappings with a pattern and other string members: each item's
 * members go to add(), which stores them. */
static int load_pattern_list(loader *l, yaml_node_t *n, const char *name, const char *const *names,
                             size_t nnames, const char *usage,
                             void (*add)(dko_config *c, const char **vals))
{
	if (n->type != YAML_SEQUENCE_NODE)
		return err_at(l, n, name, "expected a list of %s", usage);
	size_t idx = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, idx++) {
		yaml_node_t *x = yaml_document_get_node(l->doc, *it);
		char key[64];
		snprintf(key, sizeof(key), "%s[%zu]", name, idx);
		if (x->type != YAML_MAPPING_NODE)
			return err_at(l, x, key, "expected %s", usage);
		const char *vals[4] = {NULL, NULL, NULL, NULL};
		int rc = read_fields(l, x, key, names, vals, nnames);
		if (rc)
			return rc;
		if (!vals[0] || !vals[1])
			return err_at(l, x, key, "needs a %s and a %s", names[0], names[1]);
		dko_regex *re;
		if (dko_regex_compile(&re, vals[0], NULL) != 0)
			return err_at(l, x, key, "%s", dko_error_last());
		dko_regex_free(re);
		add(l->c, vals);
	}
	return 0;
}

static void add_wrapper(dko_config *c, const char **vals)
{
	dko_config_wrapper w = {vals[0], vals[1], vals[2] ? vals[2] : "install"};
	DKO_VEC_PUSH(&c->wrappers, w);
}

static void add_toolchain(dko_config *c, const char **vals)
{
	dko_config_toolchain t = {vals[0], vals[1]};
	DKO_VEC_PUSH(&c->toolchains, t);
}

static int load_wrappers(loader *l, yaml_node_t *n)
{
	static const char *const names[] = {"pattern", "manager", "verb"};
	return load_pattern_list(l, n, "wrappers", names, 3, "{pattern, manager, verb}", add_wrapper);
}

static int load_toolchains(loader *l, yaml_node_t *n)
{
	static const char *const names[] = {"pattern", "runtime"};
	return load_pattern_list(l, n, "toolchains", names, 2, "{pattern, runtime}", add_toolchain);
}

static int load_top(loader *l, yaml_node_t *root)
{
	if (!root || (root->type == YAML_SCALAR_NODE && !*scalar(root)))
		return 0; /* empty file */
	if (root->type != YAML_MAPPING_NODE)
		return err_at(l, root, "(top level)", "expected a mapping");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
		const char *key = scalar(k);
		int rc = 0;
		if (!key) {
			rc = err_at(l, k, "(top level)", "expected a string key");
		} else if (!strcmp(key, "tier")) {
			const char *t = scalar(v);
			if (t && !strcmp(t, "aggressive"))
				l->c->aggressive = true;
			else if (!t || strcmp(t, "safe"))
				rc = err_at(l, v, key, "expected safe or aggressive");
		} else if (!strcmp(key, "rules")) {
			rc = load_rules(l, v);
		} else if (!strcmp(key, "ignore")) {
			rc = string_list(l, v, key, (strvec *)&l->c->ignore, false);
			for (size_t i = 0; !rc && i < l->c->ignore.len; i++)
				if (!dko_rule_find(l->c->ignore.items[i]))
					rc = err_at(l, v, key, "unknown rule '%s'", l->c->ignore.items[i]);
		} else if (!strcmp(key, "dockerfiles")) {
			rc = string_list(l, v, key, (strvec *)&l->c->dockerfiles, true);
		} else if (!strcmp(key, "unshipped")) {
			rc = string_list(l, v, key, (strvec *)&l->c->unshipped, true);
		} else if (!strcmp(key, "wrappers")) {
			rc = load_wrappers(l, v);
		} else if (!strcmp(key, "toolchains")) {
			rc = load_toolchains(l, v);
		} else {
			rc = err_at(l, k, key, "unknown key (known: tier, rules, ignore, dockerfiles, "
			                       "wrappers, unshipped, toolchains)");
		}
		if (rc)
			return rc;
	}
	return 0;
}

int dko_config_parse(dko_config **out, const char *path, const char *text, size_t len)
{
	*out = NULL;
	dko_config *c = dko_xcalloc(1, sizeof(*c));
	dko_arena_init(&c->arena);
	c->path = dko_xstrdup(path);
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = 0;
	if (!yaml_parser_load(&parser, &doc)) {
		rc = dko_error_set(DKO_ECONFIG, "%s:%zu:%zu: error: %s", path,
		                   parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		                   parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		dko_config_free(c);
		return rc;
	}
	loader l = {c, &doc, path};
	rc = load_top(&l, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc == 0)
		rc = build_pkgs(c);
	if (rc) {
		dko_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The built-in package table plus the configured wrappers. */
static int build_pkgs(dko_config *c)
{
	dko_pkg_table_new(&c->pkgs);
	for (size_t i = 0; i < c->wrappers.len; i++) {
		const dko_config_wrapper *w = &c->wrappers.items[i];
		dko_pm pm;
		dko_pkg_verb verb;
		if (dko_pm_lookup(&pm, w->manager) != 0)
			return dko_error_set(DKO_ECONFIG, "%s: error: wrappers[%zu]: unknown manager '%s'",
			                     c->path, i, w->manager);
		if (dko_pkg_verb_lookup(&verb, w->verb) != 0)
			return dko_error_set(DKO_ECONFIG, "%s: error: wrappers[%zu]: unknown verb '%s'",
			                     c->path, i, w->verb);
		int rc = dko_pkg_table_add_wrapper(c->pkgs, w->pattern, pm, verb);
		if (rc)
			return rc;
	}
	return 0;
}

int dko_config_load(dko_config **out, const char *path)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return dko_error_set(DKO_EIO, "%s: error: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		return dko_error_set(DKO_EIO, "%s: error: a folder, not a configuration file", path);
	}
	dko_buf b = DKO_BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		dko_buf_put(&b, chunk, n);
	fclose(fp);
	int rc = dko_config_parse(out, path, dko_buf_cstr(&b), b.len);
	dko_buf_release(&b);
	return rc;
}

int dko_config_find(char **path, const char *start_dir)
{
	*path = NULL;
	char *dir = realpath(start_dir && *start_dir ? start_dir : ".", NULL);
	if (!dir)
		return 0;
	for (;;) {
		static const char *const names[] = {".dockopt.yml", ".dockopt.yaml"};
		for (size_t i = 0; i < 2; i++) {
			dko_buf p = DKO_BUF_INIT;
			dko_buf_printf(&p, "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
			struct stat st;
			if (stat(p.ptr, &st) == 0 && S_ISREG(st.st_mode)) {
				*path = dko_buf_detach(&p, NULL);
				free(dir);
				return 0;
			}
			dko_buf_release(&p);
		}
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
	}
	free(dir);
	return 0;
}

void dko_config_free(dko_config *c)
{
	if (!c)
		return;
	dko_pkg_table_free(c->pkgs);
	DKO_VEC_FREE(&c->rules);
	DKO_VEC_FREE(&c->ignore);
	DKO_VEC_FREE(&c->dockerfiles);
	DKO_VEC_FREE(&c->unshipped);
	DKO_VEC_FREE(&c->wrappers);
	DKO_VEC_FREE(&c->toolchains);
	dko_arena_release(&c->arena);
	free(c->path);
	free(c);
}

const char *dko_config_path(const dko_config *c)
{
	return c->path;
}

int dko_config_rule_setting(const dko_config *c, const dko_rule_info *rule)
{
	int set = -1;
	for (size_t i = 0; i < c->rules.len; i++)
		if (c->rules.items[i].rule == rule)
			set = c->rules.items[i].on;
	for (size_t i = 0; i < c->ignore.len; i++)
		if (dko_rule_find(c->ignore.items[i]) == rule)
			set = 0;
	return set;
}

bool dko_config_aggressive(const dko_config *c)
{
	return c->aggressive;
}

void dko_config_ignored(const dko_config *c, const char ***ids, size_t *n)
{
	*ids = (const char **)c->ignore.items;
	*n = c->ignore.len;
}

void dko_config_dockerfiles(const dko_config *c, const char ***patterns, size_t *n)
{
	*patterns = (const char **)c->dockerfiles.items;
	*n = c->dockerfiles.len;
}

void dko_config_unshipped(const dko_config *c, const char ***patterns, size_t *n)
{
	*patterns = (const char **)c->unshipped.items;
	*n = c->unshipped.len;
}

void dko_config_wrappers(const dko_config *c, const dko_config_wrapper **w, size_t *n)
{
	*w = c->wrappers.items;
	*n = c->wrappers.len;
}

void dko_config_toolchains(const dko_config *c, const dko_config_toolchain **t, size_t *n)
{
	*t = c->toolchains.items;
	*n = c->toolchains.len;
}

const struct dko_pkg_table *dko_config_pkg_table(const dko_config *c)
{
	return c->pkgs;
}
