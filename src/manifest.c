/*
 * manifest.c - the dependency manifests (see manifest.h): pip requirements,
 * package.json, go.mod, Gemfile, composer.json, and the helpers shared with
 * manifest_build.c.
 *
 * Each result is the public struct at the start of a private box that also
 * holds the arena owning every string and array of the result, so one _free
 * releases everything. Readers work line by line (or on the JSON tree) and
 * record only what they recognise; anything else is left unknown.
 */
#include "manifest.h"
#include "manifest_int.h"
#include "json.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

int mf_load(dko_context *ctx, const char *rel, char **clean, char **text, size_t *len)
{
	*clean = NULL;
	*text = NULL;
	int rc = dko_context_clean_path(clean, rel);
	if (rc < 0)
		return rc;
	if (dko_context_kind(ctx, *clean) != DKO_CTX_FILE) {
		rc = dko_error_set(DKO_ENOTFOUND, "%s: not a file in the build context", *clean);
	} else if ((rc = dko_context_read(ctx, *clean, text, len)) == 0 && *len > DKO_MANIFEST_MAX) {
		rc = dko_error_set(DKO_EIO, "%s: too big for a manifest", *clean);
	}
	if (rc < 0) {
		free(*clean);
		free(*text);
		*clean = NULL;
		*text = NULL;
	}
	return rc;
}

/* The arena's offset in a box: after the public struct, aligned. */
static size_t box_arena_at(size_t size)
{
	size_t al = _Alignof(max_align_t);
	return (size + al - 1) / al * al;
}

void *mf_box_new(size_t size, dko_arena **a)
{
	char *block = dko_xcalloc(1, box_arena_at(size) + sizeof(dko_arena));
	*a = (dko_arena *)(block + box_arena_at(size));
	dko_arena_init(*a);
	return block;
}

void mf_box_free(void *pub, size_t size)
{
	if (!pub)
		return;
	dko_arena_release((dko_arena *)((char *)pub + box_arena_at(size)));
	free(pub);
}

int mf_text_open(mf_text *t, dko_context *ctx, const char *rel, size_t size)
{
	char *clean;
	memset(t, 0, sizeof(*t));
	int rc = mf_load(ctx, rel, &clean, &t->text, &t->len);
	if (rc < 0)
		return rc;
	t->pub = mf_box_new(size, &t->a);
	t->path = dko_arena_strdup(t->a, clean);
	free(clean);
	return 0;
}

void mf_text_close(mf_text *t)
{
	free(t->text);
	t->text = NULL;
}

const char *mf_dir(dko_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? dko_arena_strndup(a, path, (size_t)(slash - path)) : "";
}

const char *mf_sibling(dko_arena *a, const char *dir, const char *name)
{
	if (!dir[0])
		return dko_arena_strdup(a, name);
	size_t dn = strlen(dir), nn = strlen(name);
	char *s = dko_arena_alloc(a, dn + nn + 2);
	memcpy(s, dir, dn);
	s[dn] = '/';
	memcpy(s + dn + 1, name, nn + 1);
	return s;
}

const char *mf_join(dko_arena *a, const char *dir, const char *rel)
{
	if (!rel[0] || rel[0] == '/')
		return NULL;
	size_t dn = strlen(dir), rn = strlen(rel);
	char *out = dko_arena_alloc(a, dn + rn + 2);
	size_t w = 0;
	memcpy(out, dir, dn);
	w = dn;
	for (const char *p = rel; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (w == 0)
				return NULL; /* above the context root */
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (w)
				out[w++] = '/';
			memcpy(out + w, p, n);
			w += n;
		}
		p += n + (e != NULL);
	}
	out[w] = '\0';
	return out;
}

bool mf_has_file(dko_context *ctx, dko_arena *a, const char *dir, const char *name)
{
	return dko_context_kind(ctx, mf_sibling(a, dir, name)) == DKO_CTX_FILE;
}

bool mf_has_dir(dko_context *ctx, dko_arena *a, const char *dir, const char *name)
{
	return dko_context_kind(ctx, mf_sibling(a, dir, name)) == DKO_CTX_DIR;
}

const char *mf_trim(dko_arena *a, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return dko_arena_strndup(a, s, n);
}

bool mf_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	const char *s = text + *pos;
	const char *nl = memchr(s, '\n', len - *pos);
	size_t k = nl ? (size_t)(nl - s) : len - *pos;
	*pos += k + (nl != NULL);
	if (k && s[k - 1] == '\r')
		k--;
	*line = s;
	*n = k;
	return true;
}

dko_mf_state dko_manifest_state(dko_context *ctx, const char *rel)
{
	char *p;
	if (dko_context_clean_path(&p, rel) < 0)
		return DKO_MF_OUTSIDE;
	dko_mf_state s;
	switch (dko_context_kind(ctx, p)) {
	case DKO_CTX_NONE: s = DKO_MF_MISSING; break;
	case DKO_CTX_LINK: s = DKO_MF_LINK; break;
	case DKO_CTX_DIR: s = DKO_MF_NOT_FILE; break;
	default: s = dko_context_is_excluded(ctx, p) ? DKO_MF_EXCLUDED : DKO_MF_OK; break;
	}
	free(p);
	return s;
}

const char *dko_mf_state_name(dko_mf_state s)
{
	static const char *const names[] = {"ok", "missing", "excluded", "symlink",
	                                    "outside the context", "not a file"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* ---- pip ---- */

#define PIP_MAX_FILES 64
#define PIP_MAX_DEPTH 16


typedef struct pip_ctx {
	dko_context *ctx;
	dko_pip_reqs *r;
	dko_arena *a;
	const char *file; /* current file */
	const char *dir;  /* its folder */
	unsigned line;
	unsigned depth;
} pip_ctx;

static bool is_url(const char *s)
{
	const char *c = strstr(s, "://");
	if (!c || c == s)
		return false;
	for (const char *p = s; p < c; p++) {
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
			return false;
	}
	return true;
}

static bool is_vcs(const char *s)
{
	return !strncmp(s, "git+", 4) || !strncmp(s, "hg+", 3) || !strncmp(s, "svn+", 4) ||
	       !strncmp(s, "bzr+", 4);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

static bool is_archive(const char *s)
{
	static const char *const ext[] = {".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (has_suffix(s, ext[i]))
			return true;
	}
	return false;
}

/* pip's idea of a local requirement: a path or a file: URL. */
static bool pip_is_local(const char *req)
{
	if (!strncmp(req, "file:", 5))
		return true;
	if (is_url(req) || is_vcs(req))
		return false;
	if (req[0] == '.' || req[0] == '/' || req[0] == '~')
		return true;
	size_t n = strcspn(req, ";");
	return memchr(req, '/', n) != NULL || memchr(req, '\\', n) != NULL || is_archive(req);
}

static void pip_item(pip_ctx *pc, dko_mf_item **arr, size_t *n, const char *text)
{
	dko_mf_item it = {dko_arena_strdup(pc->a, text), pc->file, pc->line};
	MF_PUSH(pc->a, *arr, *n, it);
}

static void pip_file(pip_ctx *pc, const char *arg, bool constraint);

/* A requirement line (args part of the line). */
static void pip_requirement(pip_ctx *pc, const char *req, const char *line)
{
	pc->r->nreqs++;
	const char *at = strstr(req, " @ ");
	const char *url = at ? at + 3 : req;
	while (*url == ' ')
		url++;
	if (is_vcs(url))
		pip_item(pc, &pc->r->vcs, &pc->r->nvcs, line);
	else if (at ? !strncmp(url, "file:", 5) : pip_is_local(req))
		pip_item(pc, &pc->r->local, &pc->r->nlocal, line);
}

/* The value of option tok (short or long, joined or separate), or NULL. */
static const char *opt_value(char **tok, size_t n, size_t *i, const char *shrt, const char *lng)
{
	const char *t = tok[*i];
	size_t ll = strlen(lng);
	if (shrt && !strcmp(t, shrt))
		return *i + 1 < n ? tok[++*i] : "";
	if (shrt && !strncmp(t, shrt, 2) && t[2])
		return t + 2;
	if (!strcmp(t, lng))
		return *i + 1 < n ? tok[++*i] : "";
	if (!strncmp(t, lng, ll) && t[ll] == '=')
		return t + ll + 1;
	return NULL;
}

/* An options line: -r, -c, -e, -f, index options, ... */
static void pip_options(pip_ctx *pc, char **tok, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++) {
		const char *v;
		if ((v = opt_value(tok, n, &i, "-r", "--requirement")) != NULL) {
			pip_file(pc, v, false);
		} else if ((v = opt_value(tok, n, &i, "-c", "--constraint")) != NULL) {
			pip_file(pc, v, true);
		} else if ((v = opt_value(tok, n, &i, "-e", "--editable")) != NULL) {
			pc->r->nreqs++;
			if (is_vcs(v))
				pip_item(pc, &pc->r->vcs, &pc->r->nvcs, line);
			else if (!is_url(v))
				pip_item(pc, &pc->r->local, &pc->r->nlocal, line);
		} else if ((v = opt_value(tok, n, &i, "-f", "--find-links")) != NULL) {
			pip_item(pc, &pc->r->options, &pc->r->noptions, line);
			if (!is_url(v) || !strncmp(v, "file:", 5)) /* a folder of the image */
				pip_item(pc, &pc->r->local, &pc->r->nlocal, line);
		} else if ((v = opt_value(tok, n, &i, "-i", "--index-url")) != NULL ||
		           (v = opt_value(tok, n, &i, NULL, "--extra-index-url")) != NULL) {
			pip_item(pc, &pc->r->options, &pc->r->noptions, line);
			if (!strncmp(v, "file:", 5) || v[0] == '/' || v[0] == '.') /* an index in the image */
				pip_item(pc, &pc->r->local, &pc->r->nlocal, line);
		} else if (tok[i][0] == '-') {
			pip_item(pc, &pc->r->options, &pc->r->noptions, line);
			break; /* the rest of the line belongs to this option */
		}
	}
}

/* Split on blanks, dropping simple quotes; the tokens point into s. */
static size_t split_words(char *s, char **tok, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		char q = (*s == '"' || *s == '\'') ? *s++ : 0;
		tok[n++] = s;
		while (*s && (q ? *s != q : (*s != ' ' && *s != '\t')))
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* One logical line, comments removed and trimmed. */
static void pip_line(pip_ctx *pc, char *s)
{
	if (strstr(s, "${"))
		pc->r->env_vars = true;
	char *copy = dko_arena_strdup(pc->a, s);
	char *tok[64];
	size_t n = split_words(s, tok, 64);
	if (n == 0)
		return;
	if (tok[0][0] == '-') {
		pip_options(pc, tok, n, copy);
		return;
	}
	/* the requirement is everything before the first option token */
	char *req = copy;
	for (char *p = copy; (p = strstr(p, " -")) != NULL; p++) {
		if (p[2] == '-' || isalpha((unsigned char)p[2])) {
			req = dko_arena_strndup(pc->a, copy, (size_t)(p - copy));
			break;
		}
	}
	pip_requirement(pc, mf_trim(pc->a, req, strlen(req)), copy);
}

/* pip's comment rule: '#' at the start or after a blank ends the line. */
static void strip_comment(dko_buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		if (b->ptr[i] == '#' && (i == 0 || b->ptr[i - 1] == ' ' || b->ptr[i - 1] == '\t')) {
			b->len = i;
			break;
		}
	}
	while (b->len && isspace((unsigned char)b->ptr[b->len - 1]))
		b->len--;
	b->ptr[b->len] = '\0';
}

static void pip_parse(pip_ctx *pc, const char *text, size_t len)
{
	dko_buf b = DKO_BUF_INIT;
	size_t pos = 0, n;
	const char *line;
	unsigned lineno = 0, start = 0;
	while (mf_next_line(text, len, &pos, &line, &n)) {
		lineno++;
		if (!b.len)
			start = lineno;
		dko_buf_put(&b, line, n);
		if (n && line[n - 1] == '\\' && !(b.len && b.ptr[0] == '#')) {
			b.len--; /* continuation */
			b.ptr[b.len] = '\0';
			continue;
		}
		strip_comment(&b);
		pc->line = start;
		if (b.len)
			pip_line(pc, b.ptr);
		dko_buf_clear(&b);
	}
	if (b.len) {
		strip_comment(&b);
		pc->line = start;
		if (b.len)
			pip_line(pc, b.ptr);
	}
	dko_buf_release(&b);
}

/* A nested -r/-c file: listed once, read when usable. */
static void pip_file(pip_ctx *pc, const char *arg, bool constraint)
{
	dko_pip_reqs *r = pc->r;
	if (is_url(arg)) {
		dko_mf_item it = {dko_arena_strdup(pc->a, arg), pc->file, pc->line};
		MF_PUSH(pc->a, r->remote, r->nremote, it);
		return;
	}
	const char *path = mf_join(pc->a, pc->dir, arg);
	for (size_t i = 0; path && i < r->nfiles; i++) {
		if (!strcmp(r->files[i].path, path))
			return;
	}
	if (r->nfiles >= PIP_MAX_FILES || pc->depth >= PIP_MAX_DEPTH) {
		r->truncated = true;
		return;
	}
	dko_pip_file f = {path ? path : dko_arena_strdup(pc->a, arg), constraint,
	                  path ? dko_manifest_state(pc->ctx, path) : DKO_MF_OUTSIDE, pc->file, pc->line};
	MF_PUSH(pc->a, r->files, r->nfiles, f);
	if (!path || dko_context_kind(pc->ctx, path) != DKO_CTX_FILE)
		return;
	char *clean, *text;
	size_t len;
	if (mf_load(pc->ctx, path, &clean, &text, &len) < 0)
		return;
	pip_ctx sub = {pc->ctx, r, pc->a, path, mf_dir(pc->a, path), 0, pc->depth + 1};
	pip_parse(&sub, text, len);
	free(clean);
	free(text);
}

int dko_pip_read(dko_pip_reqs **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_pip_reqs));
	if (rc < 0)
		return rc;
	dko_pip_reqs *r = t.pub;
	dko_pip_file first = {t.path, false, dko_manifest_state(ctx, t.path), NULL, 0};
	MF_PUSH(t.a, r->files, r->nfiles, first);
	pip_ctx pc = {ctx, r, t.a, t.path, mf_dir(t.a, t.path), 0, 0};
	pip_parse(&pc, t.text, t.len);
	mf_text_close(&t);
	*out = r;
	return 0;
}

void dko_pip_free(dko_pip_reqs *r)
{
	mf_box_free(r, sizeof(*r));
}

/* ---- JSON manifests ---- */

static int json_load(dko_context *ctx, const char *rel, char **clean, dko_json_doc **doc)
{
	char *text;
	size_t len;
	*doc = NULL;
	int rc = mf_load(ctx, rel, clean, &text, &len);
	if (rc < 0)
		return rc;
	rc = dko_json_parse(doc, text, len);
	free(text);
	if (rc < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", dko_error_last());
		char *colon = strchr(msg, ':');
		colon = colon ? strchr(colon + 1, ':') : NULL;
		if (colon)
			*colon = '\0';
		rc = dko_error_set(DKO_EPARSE, "%s:%s: error:%s", *clean, msg, colon ? colon + 1 : "");
	} else if (dko_json_root(*doc)->type != DKO_JSON_OBJECT) {
		rc = dko_error_set(DKO_EPARSE, "%s:1:1: error: not a JSON object", *clean);
	}
	if (rc < 0) {
		dko_json_doc_free(*doc);
		*doc = NULL;
		free(*clean);
		*clean = NULL;
	}
	return rc;
}

static const char *jstr(dko_arena *a, const dko_json *obj, const char *key)
{
	const char *s = dko_json_string(dko_json_get(obj, key));
	return s ? dko_arena_strdup(a, s) : NULL;
}

/* ---- package.json ---- */


static void npm_scripts(dko_npm *n, dko_arena *a, const dko_json *scripts)
{
	static const char *const install[] = {"preinstall", "install", "postinstall", "prepublish",
	                                      "preprepare", "prepare", "postprepare", "dependencies"};
	if (!scripts || scripts->type != DKO_JSON_OBJECT)
		return;
	for (size_t i = 0; i < scripts->len; i++) {
		const char *v = dko_json_string(scripts->items[i]);
		dko_mf_pair p = {dko_arena_strdup(a, scripts->keys[i]), v ? dko_arena_strdup(a, v) : ""};
		MF_PUSH(a, n->scripts, n->nscripts, p);
	}
	for (size_t k = 0; k < sizeof(install) / sizeof(install[0]); k++) {
		if (dko_json_get(scripts, install[k]))
			MF_PUSH(a, n->install_scripts, n->ninstall_scripts, install[k]);
	}
}

static void npm_bin(dko_npm *n, dko_arena *a, const dko_json *bin)
{
	if (bin && bin->type == DKO_JSON_STRING && n->name) {
		const char *slash = strrchr(n->name, '/'); /* "@scope/tool" installs "tool" */
		dko_mf_pair p = {slash ? slash + 1 : n->name, dko_arena_strdup(a, bin->str)};
		MF_PUSH(a, n->bin, n->nbin, p);
	} else if (bin && bin->type == DKO_JSON_OBJECT) {
		for (size_t i = 0; i < bin->len; i++) {
			const char *v = dko_json_string(bin->items[i]);
			dko_mf_pair p = {dko_arena_strdup(a, bin->keys[i]), v ? dko_arena_strdup(a, v) : ""};
			MF_PUSH(a, n->bin, n->nbin, p);
		}
	}
}

static void npm_workspaces(dko_npm *n, dko_arena *a, const dko_json *ws)
{
	if (ws && ws->type == DKO_JSON_OBJECT)
		ws = dko_json_get(ws, "packages");
	if (!ws || ws->type != DKO_JSON_ARRAY)
		return;
	for (size_t i = 0; i < ws->len; i++) {
		const char *s = dko_json_string(ws->items[i]);
		if (s)
			MF_PUSH(a, n->workspaces, n->nworkspaces, dko_arena_strdup(a, s));
	}
}

/* A dependency spec that names a file or folder of the project: a path, a
 * local protocol, a patch, or a bare tarball name (npm reads `foo.tgz` as a
 * file). */
static bool local_spec(const char *v)
{
	static const char *const pre[] = {"file:", "link:", "portal:", "workspace:", "patch:",
	                                  "git+file:", "./", "../", "/", "~/"};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		if (!strncmp(v, pre[i], strlen(pre[i])))
			return true;
	}
	if (!strstr(v, "://") && (has_suffix(v, ".tgz") || has_suffix(v, ".tar.gz") || has_suffix(v, ".tar")))
		return true;
	return !strcmp(v, ".") || !strcmp(v, "..");
}

static void npm_local_in(dko_npm *n, dko_arena *a, const dko_json *d, int depth)
{
	for (size_t i = 0; d && d->type == DKO_JSON_OBJECT && i < d->len; i++) {
		const char *v = dko_json_string(d->items[i]);
		if (v && local_spec(v)) {
			dko_mf_pair p = {dko_arena_strdup(a, d->keys[i]), dko_arena_strdup(a, v)};
			MF_PUSH(a, n->local_deps, n->nlocal_deps, p);
		} else if (!v && depth < 8) {
			npm_local_in(n, a, d->items[i], depth + 1); /* nested npm overrides */
		}
	}
}

static void npm_local_deps(dko_npm *n, dko_arena *a, const dko_json *root)
{
	static const char *const kinds[] = {"dependencies", "devDependencies", "optionalDependencies",
	                                    "resolutions", "overrides"};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		npm_local_in(n, a, dko_json_get(root, kinds[k]), 0);
	const dko_json *pnpm = dko_json_get(root, "pnpm");
	if (pnpm && pnpm->type == DKO_JSON_OBJECT) {
		npm_local_in(n, a, dko_json_get(pnpm, "overrides"), 0);
		/* pnpm applies these patch files of the project while it installs */
		const dko_json *pd = dko_json_get(pnpm, "patchedDependencies");
		for (size_t i = 0; pd && pd->type == DKO_JSON_OBJECT && i < pd->len; i++) {
			const char *v = dko_json_string(pd->items[i]);
			dko_mf_pair p = {dko_arena_strdup(a, pd->keys[i]), dko_arena_strdup(a, v ? v : "a patch file")};
			MF_PUSH(a, n->local_deps, n->nlocal_deps, p);
		}
	}
}

static void npm_siblings(dko_npm *n, dko_arena *a, dko_context *ctx)
{
	static const char *const locks[] = {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
	                                    "pnpm-lock.yaml", "bun.lock", "bun.lockb"};
	static const char *const conf[] = {".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml",
	                                   ".pnpmfile.cjs"};
	static const char *const confdirs[] = {".yarn/releases", ".yarn/plugins", ".yarn/patches"};
	for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++) {
		if (mf_has_file(ctx, a, n->dir, locks[i]))
			MF_PUSH(a, n->lockfiles, n->nlockfiles, mf_sibling(a, n->dir, locks[i]));
	}
	n->lockfile = n->nlockfiles ? n->lockfiles[0] : NULL;
	for (size_t i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		if (mf_has_file(ctx, a, n->dir, conf[i]))
			MF_PUSH(a, n->config_files, n->nconfig_files, mf_sibling(a, n->dir, conf[i]));
	}
	for (size_t i = 0; i < sizeof(confdirs) / sizeof(confdirs[0]); i++) {
		if (mf_has_dir(ctx, a, n->dir, confdirs[i]))
			MF_PUSH(a, n->config_files, n->nconfig_files, mf_sibling(a, n->dir, confdirs[i]));
	}
	/* A binding.gyp at the package root makes npm run `node-gyp rebuild` at
	 * install, an implicit install script that builds from the sources. */
	if (mf_has_file(ctx, a, n->dir, "binding.gyp"))
		MF_PUSH(a, n->install_scripts, n->ninstall_scripts, "install (implicit: node-gyp rebuild of binding.gyp)");
	/* pnpm 10 keeps patchedDependencies in pnpm-workspace.yaml: patch files
	 * of the project that the install applies. */
	char *ws;
	size_t wl;
	if (mf_has_file(ctx, a, n->dir, "pnpm-workspace.yaml") &&
	    dko_context_read(ctx, mf_sibling(a, n->dir, "pnpm-workspace.yaml"), &ws, &wl) == 0) {
		bool patched = dko_mem_find(ws, wl, "patchedDependencies") != NULL;
		free(ws);
		if (patched) {
			dko_mf_pair p = {"patchedDependencies", "patch files named in pnpm-workspace.yaml"};
			MF_PUSH(a, n->local_deps, n->nlocal_deps, p);
		}
	}
}

int dko_npm_read(dko_npm **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	char *clean;
	dko_json_doc *doc;
	int rc = json_load(ctx, rel, &clean, &doc);
	if (rc < 0)
		return rc;
	dko_arena *a;
	dko_npm *n = mf_box_new(sizeof(*n), &a);
	const dko_json *root = dko_json_root(doc);
	n->path = dko_arena_strdup(a, clean);
	n->dir = mf_dir(a, n->path);
	n->name = jstr(a, root, "name");
	n->version = jstr(a, root, "version");
	n->main = jstr(a, root, "main");
	n->type = jstr(a, root, "type");
	n->package_manager = jstr(a, root, "packageManager");
	npm_scripts(n, a, dko_json_get(root, "scripts"));
	npm_bin(n, a, dko_json_get(root, "bin"));
	npm_workspaces(n, a, dko_json_get(root, "workspaces"));
	npm_local_deps(n, a, root);
	npm_siblings(n, a, ctx);
	dko_json_doc_free(doc);
	free(clean);
	*out = n;
	return 0;
}

void dko_npm_free(dko_npm *n)
{
	mf_box_free(n, sizeof(*n));
}

const char *dko_npm_script(const dko_npm *n, const char *name)
{
	for (size_t i = 0; n && i < n->nscripts; i++) {
		if (!strcmp(n->scripts[i].name, name))
			return n->scripts[i].value;
	}
	return NULL;
}

/* ---- go.mod ---- */


/* modfile's tokens of one line: words, "quoted" (with escapes) and `raw`
 * strings; a // comment ends the line. */
static size_t go_tokens(dko_arena *a, const char *s, size_t n, const char **tok, size_t max)
{
	size_t k = 0, i = 0;
	while (i < n && k < max) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
			break;
		dko_buf b = DKO_BUF_INIT;
		if (s[i] == '"' || s[i] == '`') {
			char q = s[i++];
			for (; i < n && s[i] != q; i++) {
				if (q == '"' && s[i] == '\\' && i + 1 < n)
					i++;
				dko_buf_putc(&b, s[i]);
			}
			i++;
		} else {
			for (; i < n && s[i] != ' ' && s[i] != '\t'; i++) {
				if (s[i] == '/' && i + 1 < n && s[i + 1] == '/')
					break;
				dko_buf_putc(&b, s[i]);
			}
		}
		tok[k++] = dko_arena_strdup(a, dko_buf_cstr(&b));
		dko_buf_release(&b);
	}
	return k;
}

static bool go_dir_path(const char *p)
{
	return !strncmp(p, "./", 2) || !strncmp(p, "../", 3) || p[0] == '/' || !strcmp(p, ".") ||
	       !strcmp(p, "..") || !strncmp(p, ".\\", 2) || !strncmp(p, "..\\", 3);
}

/* "old [v] => new [v]" */
static void go_replace(dko_gomod *g, dko_arena *a, const char **t, size_t n, unsigned line)
{
	size_t arrow = 0;
	while (arrow < n && strcmp(t[arrow], "=>") != 0)
		arrow++;
	if (arrow == 0 || arrow > 2 || arrow + 1 >= n || n - arrow - 1 > 2)
		return;
	dko_go_replace r = {t[0], arrow == 2 ? t[1] : NULL, t[arrow + 1],
	                    n - arrow - 1 == 2 ? t[arrow + 2] : NULL, false, line};
	r.local = r.new_version == NULL && go_dir_path(r.new_path);
	g->local_replace |= r.local;
	MF_PUSH(a, g->replaces, g->nreplaces, r);
}

static void go_statement(dko_gomod *g, dko_arena *a, const char *verb, const char **t, size_t n,
                         unsigned line)
{
	if (!strcmp(verb, "module") && n >= 1)
		g->module = t[0];
	else if (!strcmp(verb, "go") && n >= 1)
		g->go_version = t[0];
	else if (!strcmp(verb, "toolchain") && n >= 1)
		g->toolchain = t[0];
	else if (!strcmp(verb, "require") && n >= 2)
		g->nrequire++;
	else if (!strcmp(verb, "replace"))
		go_replace(g, a, t, n, line);
}

static void go_parse(dko_gomod *g, dko_arena *a, const char *text, size_t len)
{
	size_t pos = 0, n;
	const char *line, *block = NULL;
	unsigned lineno = 0;
	while (mf_next_line(text, len, &pos, &line, &n)) {
		lineno++;
		const char *t[16];
		size_t k = go_tokens(a, line, n, t, 16);
		if (k == 0)
			continue;
		if (block) {
			if (k == 1 && !strcmp(t[0], ")"))
				block = NULL;
			else
				go_statement(g, a, block, t, k, lineno);
		} else if (k == 2 && !strcmp(t[1], "(")) {
			block = t[0];
		} else {
			go_statement(g, a, t[0], t + 1, k - 1, lineno);
		}
	}
}

int dko_gomod_read(dko_gomod **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_gomod));
	if (rc < 0)
		return rc;
	dko_gomod *g = t.pub;
	g->path = t.path;
	go_parse(g, t.a, t.text, t.len);
	const char *dir = mf_dir(t.a, g->path);
	g->has_sum = mf_has_file(ctx, t.a, dir, "go.sum");
	g->has_vendor = mf_has_file(ctx, t.a, dir, "vendor/modules.txt");
	g->has_work = mf_has_file(ctx, t.a, dir, "go.work");
	mf_text_close(&t);
	*out = g;
	return 0;
}

void dko_gomod_free(dko_gomod *g)
{
	mf_box_free(g, sizeof(*g));
}

/* ---- Gemfile ---- */


/* The line without a trailing # comment (quotes respected). */
static size_t ruby_code_len(const char *s, size_t n)
{
	char q = 0;
	for (size_t i = 0; i < n; i++) {
		if (q) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			q = s[i];
		} else if (s[i] == '#') {
			return i;
		}
	}
	return n;
}

static bool first_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return !strncmp(s, w, n) && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t' || s[n] == '(');
}

static bool has_option(const char *s, const char *name)
{
	char a[32], b[32];
	snprintf(a, sizeof(a), "%s:", name);
	snprintf(b, sizeof(b), ":%s", name);
	const char *p = strstr(s, a);
	if (p && (p == s || !isalnum((unsigned char)p[-1])) && p[strlen(a)] != ':')
		return true;
	return (p = strstr(s, b)) != NULL && !isalnum((unsigned char)p[strlen(b)]) && p[strlen(b)] != '_';
}

static bool ends_with_do(const char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n && s[n - 1] == '|') { /* do |x| */
		const char *bar = memchr(s, '|', n - 1);
		if (bar)
			n = (size_t)(bar - s);
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
	}
	return n >= 2 && !strncmp(s + n - 2, "do", 2) && (n == 2 || !isalnum((unsigned char)s[n - 3]));
}

typedef struct gem_state {
	int depth;      /* open do-blocks */
	int path_at;    /* depth at which a path block opened, or -1 */
	int git_at;
} gem_state;

static void gem_line(dko_gemfile *g, dko_arena *a, gem_state *st, const char *s, unsigned line)
{
	dko_mf_item it = {s, g->path, line};
	if (first_word(s, "gemspec"))
		g->gemspec = true;
	if (first_word(s, "eval_gemfile"))
		g->eval_gemfile = true;
	if (first_word(s, "gem")) {
		if (st->path_at >= 0 || has_option(s, "path"))
			MF_PUSH(a, g->path_gems, g->npath_gems, it);
		else if (st->git_at >= 0 || has_option(s, "git") || has_option(s, "github") ||
		         has_option(s, "gitlab") || has_option(s, "bitbucket"))
			MF_PUSH(a, g->git_gems, g->ngit_gems, it);
	}
	static const char *const openers[] = {"if", "unless", "case", "begin", "while", "until", "def"};
	bool opens = ends_with_do(s);
	for (size_t i = 0; i < sizeof(openers) / sizeof(openers[0]); i++)
		opens |= first_word(s, openers[i]);
	if (first_word(s, "end")) {
		if (st->depth > 0)
			st->depth--;
		if (st->path_at >= st->depth)
			st->path_at = -1;
		if (st->git_at >= st->depth)
			st->git_at = -1;
	} else if (opens) {
		if (ends_with_do(s) && first_word(s, "path") && st->path_at < 0)
			st->path_at = st->depth;
		else if (ends_with_do(s) && (first_word(s, "git") || first_word(s, "github")) && st->git_at < 0)
			st->git_at = st->depth;
		st->depth++;
	}
}

int dko_gemfile_read(dko_gemfile **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	mf_text t;
	int rc = mf_text_open(&t, ctx, rel, sizeof(dko_gemfile));
	if (rc < 0)
		return rc;
	dko_arena *a = t.a;
	dko_gemfile *g = t.pub;
	g->path = t.path;
	gem_state st = {0, -1, -1};
	size_t pos = 0, n;
	const char *line;
	for (unsigned lineno = 1; mf_next_line(t.text, t.len, &pos, &line, &n); lineno++) {
		const char *s = mf_trim(a, line, ruby_code_len(line, n));
		if (s[0])
			gem_line(g, a, &st, s, lineno);
	}
	const char *base = strrchr(g->path, '/') ? strrchr(g->path, '/') + 1 : g->path;
	const char *lock = !strcmp(base, "gems.rb") ? "gems.locked" : NULL;
	dko_buf lk = DKO_BUF_INIT;
	dko_buf_printf(&lk, "%s", lock ? lock : base);
	if (!lock)
		dko_buf_puts(&lk, ".lock");
	const char *dir = mf_dir(a, g->path);
	if (mf_has_file(ctx, a, dir, dko_buf_cstr(&lk)))
		g->lockfile = mf_sibling(a, dir, dko_buf_cstr(&lk));
	dko_buf_release(&lk);
	mf_text_close(&t);
	*out = g;
	return 0;
}

void dko_gemfile_free(dko_gemfile *g)
{
	mf_box_free(g, sizeof(*g));
}

/* ---- composer.json ---- */


static const char *const COMPOSER_INSTALL_EVENTS[] = {
	"pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump",
	"pre-package-install", "post-package-install", "pre-package-update", "post-package-update",
	"pre-package-uninstall", "post-package-uninstall", "pre-operations-exec", "pre-pool-create",
	"pre-dependencies-solving", "post-dependencies-solving", "pre-file-download",
	"post-file-download", "pre-command-run", "init",
};

static const char *joined_commands(dko_arena *a, const dko_json *v)
{
	if (v->type == DKO_JSON_STRING)
		return dko_arena_strdup(a, v->str);
	if (v->type != DKO_JSON_ARRAY)
		return "";
	dko_buf b = DKO_BUF_INIT;
	for (size_t i = 0; i < v->len; i++) {
		const char *s = dko_json_string(v->items[i]);
		if (s)
			dko_buf_printf(&b, "%s%s", b.len ? " && " : "", s);
	}
	const char *r = dko_arena_strdup(a, dko_buf_cstr(&b));
	dko_buf_release(&b);
	return r;
}

static void composer_scripts(dko_composer *c, dko_arena *a, const dko_json *s)
{
	if (!s || s->type != DKO_JSON_OBJECT)
		return;
	for (size_t i = 0; i < s->len; i++) {
		dko_mf_pair p = {dko_arena_strdup(a, s->keys[i]), joined_commands(a, s->items[i])};
		MF_PUSH(a, c->scripts, c->nscripts, p);
	}
	size_t ne = sizeof(COMPOSER_INSTALL_EVENTS) / sizeof(COMPOSER_INSTALL_EVENTS[0]);
	for (size_t k = 0; k < ne; k++) {
		if (dko_json_get(s, COMPOSER_INSTALL_EVENTS[k]))
			MF_PUSH(a, c->install_events, c->ninstall_events, COMPOSER_INSTALL_EVENTS[k]);
	}
}

static void composer_repos(dko_composer *c, dko_arena *a, const dko_json *repos)
{
	for (size_t i = 0; repos && (repos->type == DKO_JSON_ARRAY || repos->type == DKO_JSON_OBJECT) &&
	                   i < repos->len; i++) {
		const dko_json *r = repos->items[i];
		const char *type = dko_json_string(dko_json_get(r, "type"));
		const char *url = dko_json_string(dko_json_get(r, "url"));
		if (type && url && !strcmp(type, "path"))
			MF_PUSH(a, c->path_repos, c->npath_repos, dko_arena_strdup(a, url));
	}
}

static bool autoload_scans(const dko_json *al)
{
	if (!al || al->type != DKO_JSON_OBJECT)
		return false;
	const dko_json *cm = dko_json_get(al, "classmap"), *f = dko_json_get(al, "files");
	return (cm && cm->len) || (f && f->len);
}

int dko_composer_read(dko_composer **out, dko_context *ctx, const char *rel)
{
	*out = NULL;
	char *clean;
	dko_json_doc *doc;
	int rc = json_load(ctx, rel, &clean, &doc);
	if (rc < 0)
		return rc;
	dko_arena *a;
	dko_composer *c = mf_box_new(sizeof(*c), &a);
	const dko_json *root = dko_json_root(doc);
	c->path = dko_arena_strdup(a, clean);
	c->name = jstr(a, root, "name");
	c->has_lock = mf_has_file(ctx, a, mf_dir(a, c->path), "composer.lock");
	composer_scripts(c, a, dko_json_get(root, "scripts"));
	composer_repos(c, a, dko_json_get(root, "repositories"));
	c->autoload_scan = autoload_scans(dko_json_get(root, "autoload")) ||
	                   autoload_scans(dko_json_get(root, "autoload-dev"));
	dko_json_doc_free(doc);
	free(clean);
	*out = c;
	return 0;
}

void dko_composer_free(dko_composer *c)
{
	mf_box_free(c, sizeof(*c));
}
