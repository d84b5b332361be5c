/*
 * cacheorder.c - helpers shared by hoist-installs, manifest-first and
 * dockerignore (see cacheorder.h).
 *
 * Moves never re-render an instruction: the moved node's source bytes are
 * inserted verbatim before the target's block and the old nodes are
 * replaced by "", so every byte outside the two places stays as it was.
 */
#include "cacheorder.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the build context ------------------------------------------------------------- */

static char *dir_part(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return dko_xstrdup(".");
	return s == path ? dko_xstrdup("/") : dko_xstrndup(path, (size_t)(s - path));
}

char *dko_co_dockerfile_rel(const dko_pass_ctx *c)
{
	const char *path = c->opts ? c->opts->path : NULL;
	if (!c->context || !path || !strcmp(path, "-") || !strcmp(path, "<stdin>"))
		return NULL;
	char root[PATH_MAX], dir[PATH_MAX];
	char *d = dir_part(path);
	bool ok = realpath(dko_context_label(c->context), root) && realpath(d, dir);
	free(d);
	if (!ok)
		return NULL;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *below = dko_co_path_below(dir, root);
	if (!below)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s", below, *below ? "/" : "", base);
	return dko_buf_detach(&b, NULL);
}

dko_context *dko_co_context(dko_pass_ctx *c, const char **why)
{
	if (why)
		*why = NULL;
	dko_context *ctx = c->context;
	if (!ctx || dko_context_ignore_file(ctx))
		return ctx;
	char *rel = dko_co_dockerfile_rel(c);
	int rc = dko_context_load_ignore(ctx, rel);
	free(rel);
	if (rc < 0) {
		if (why)
			*why = dko_error_last();
		return NULL;
	}
	return ctx;
}

/* ---- nodes and moves ----------------------------------------------------------------- */

bool dko_co_gone(const dko_doc *doc, uint32_t node)
{
	return node < doc->nnodes && doc->nodes[node].replaced && doc->nodes[node].repl_len == 0;
}

uint32_t dko_co_block_start(const dko_doc *doc, uint32_t node)
{
	while (node > 0 && doc->nodes[node - 1].kind == DKO_NODE_COMMENT &&
	       !dko_co_gone(doc, node - 1))
		node--;
	return node;
}

uint32_t dko_co_next_instr(const dko_doc *doc, uint32_t node)
{
	for (uint32_t k = node + 1; k < doc->nnodes; k++) {
		dko_node_kind kind = doc->nodes[k].kind;
		if (kind == DKO_NODE_INSTR)
			return k;
		if (kind != DKO_NODE_BLANK && kind != DKO_NODE_COMMENT)
			return doc->nnodes;
	}
	return doc->nnodes;
}

static bool is_blank(const dko_doc *doc, uint32_t i)
{
	return i < doc->nnodes && doc->nodes[i].kind == DKO_NODE_BLANK && !dko_co_gone(doc, i);
}

void dko_co_move(dko_pass_ctx *c, uint32_t node, uint32_t target, const char *pre)
{
	dko_doc *doc = c->doc;
	uint32_t first = dko_co_block_start(doc, node);
	uint32_t to = dko_co_block_start(doc, target);
	/* A block set off by a blank line above it takes that blank line along
	 * (it then separates the block from what it lands on). */
	bool apart = first > 0 && is_blank(doc, first - 1);
	dko_buf b = DKO_BUF_INIT;
	if (pre)
		dko_buf_puts(&b, pre);
	for (uint32_t i = first; i <= node; i++) {
		const dko_node *n = &doc->nodes[i];
		dko_buf_put(&b, doc->src + n->span.start, n->span.end - n->span.start);
		dko_doc_replace_node(doc, i, "", 0);
	}
	if (b.len && b.ptr[b.len - 1] != '\n')
		dko_buf_puts(&b, c->style->eol);
	if (apart) {
		dko_buf_puts(&b, c->style->eol);
		dko_doc_replace_node(doc, first - 1, "", 0);
	}
	dko_doc_insert_before(doc, to, b.ptr, b.len);
	dko_buf_release(&b);
}

/* ---- image paths ------------------------------------------------------------------------ */

char *dko_co_path_join(const char *dir, const char *p)
{
	if (p[0] != '/' && !dir)
		return NULL;
	dko_buf in = DKO_BUF_INIT;
	if (p[0] != '/')
		dko_buf_printf(&in, "%s/", dir);
	dko_buf_puts(&in, p);
	/* Components onto a stack: "." and "" vanish, ".." pops. */
	char *s = dko_buf_detach(&in, NULL);
	size_t n = strlen(s), k = 0;
	char *out = dko_xmalloc(n + 2);
	size_t *starts = dko_xmalloc((n / 2 + 2) * sizeof(size_t));
	size_t depth = 0;
	for (char *q = s; *q;) {
		while (*q == '/')
			q++;
		char *e = q;
		while (*e && *e != '/')
			e++;
		size_t l = (size_t)(e - q);
		if (l == 2 && q[0] == '.' && q[1] == '.') {
			if (depth)
				k = starts[--depth];
		} else if (l && !(l == 1 && q[0] == '.')) {
			starts[depth++] = k;
			out[k++] = '/';
			memcpy(out + k, q, l);
			k += l;
		}
		q = e;
	}
	if (k == 0)
		out[k++] = '/';
	out[k] = '\0';
	free(starts);
	free(s);
	return out;
}

const char *dko_co_path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' ? path + 1 : NULL;
	if (strncmp(path, dir, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	return path[n] == '/' ? path + n + 1 : NULL;
}

bool dko_co_paths_overlap(const char *a, const char *b)
{
	return dko_co_path_below(a, b) || dko_co_path_below(b, a);
}

bool dko_co_system_path(const char *path)
{
	static const char *const top[] = {"etc",  "usr", "var",  "opt", "bin", "sbin", "root",
	                                  "home", "tmp", "run",  "boot", "dev", "proc", "sys",
	                                  "mnt",  "media"};
	const char *p = path[0] == '/' ? path + 1 : path;
	size_t l = strcspn(p, "/");
	if (l == 0)
		return true; /* "/" itself */
	if (l >= 3 && !strncmp(p, "lib", 3))
		return true;
	/* Application folders inside system ones: one level below these. */
	static const char *const app[] = {"/usr/src/", "/usr/local/src/", "/srv/"};
	for (size_t i = 0; i < sizeof(app) / sizeof(app[0]); i++) {
		size_t k = strlen(app[i]);
		if (!strncmp(path, app[i], k) && path[k] && path[k] != '/')
			return false;
	}
	if (l == 3 && !strncmp(p, "srv", 3))
		return true;
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (strlen(top[i]) == l && !strncmp(p, top[i], l))
			return true;
	return false;
}

/* ---- COPY and ADD ----------------------------------------------------------------------- */

/* A context source as the context names it ("" for the root), or NULL for
 * one that leaves the context or holds a glob. */
static char *context_source(const char *src)
{
	while (src[0] == '/')
		src++;
	if (strpbrk(src, "*?[\\"))
		return NULL;
	char *p;
	if (dko_context_clean_path(&p, src) < 0)
		return NULL;
	return p;
}

static bool is_whole(const char *src)
{
	while (src[0] == '/')
		src++;
	if (!strcmp(src, "*"))
		return true;
	char *p = context_source(src);
	bool whole = p && !p[0];
	free(p);
	return whole;
}

static bool plain_flags(const dko_instr *in)
{
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		bool ok = (f->name_len == 5 && !memcmp(f->name, "chown", 5)) ||
		          (f->name_len == 5 && !memcmp(f->name, "chmod", 5)) ||
		          (f->name_len == 4 && !memcmp(f->name, "link", 4));
		if (!ok)
			return false;
	}
	return true;
}

bool dko_co_copy_get(const dko_pass_ctx *c, uint32_t node, dko_co_copy *out)
{
	memset(out, 0, sizeof(*out));
	const dko_node *n = &c->doc->nodes[node];
	if (n->kind != DKO_NODE_INSTR ||
	    (n->instr->kind != DKO_I_COPY && n->instr->kind != DKO_I_ADD) || n->instr->nheredocs ||
	    dko_instr_flag(n->instr, "from"))
		return false;
	const dko_ginstr *gi = dko_graph_instr(c->graph, node);
	if (gi->nreads != 1 || gi->reads[0].kind != DKO_PATH_CONTEXT || gi->nwrites != 1)
		return false;
	out->whole = is_whole(gi->reads[0].path);
	out->source = context_source(gi->reads[0].path);
	if (gi->writes[0].path[0] == '/')
		out->dest = dko_co_path_join(NULL, gi->writes[0].path);
	out->plain_flags = plain_flags(n->instr);
	return true;
}

void dko_co_copy_release(dko_co_copy *cp)
{
	free((char *)cp->source);
	free((char *)cp->dest);
	memset(cp, 0, sizeof(*cp));
}

bool dko_co_copies_whole(const dko_pass_ctx *c, uint32_t node)
{
	const dko_node *n = &c->doc->nodes[node];
	if (n->kind != DKO_NODE_INSTR || (n->instr->kind != DKO_I_COPY && n->instr->kind != DKO_I_ADD))
		return false;
	const dko_ginstr *gi = dko_graph_instr(c->graph, node);
	for (uint32_t i = 0; i < gi->nreads; i++)
		if (gi->reads[i].kind == DKO_PATH_CONTEXT && is_whole(gi->reads[i].path))
			return true;
	return false;
}

/* ---- state ---------------------------------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool dko_co_same_state(const dko_state *a, const dko_state *b)
{
	if (!same_str(a->workdir, b->workdir) || !same_str(a->user, b->user) ||
	    a->nshell != b->nshell || a->nvars != b->nvars)
		return false;
	for (uint32_t i = 0; i < a->nshell; i++)
		if (!same_str(a->shell[i], b->shell[i]))
			return false;
	for (uint32_t i = 0; i < a->nvars; i++)
		if (!same_str(a->vars[i].name, b->vars[i].name) ||
		    !same_str(a->vars[i].value, b->vars[i].value) || a->vars[i].kind != b->vars[i].kind)
			return false;
	return true;
}

bool dko_co_metadata(dko_instr_kind k)
{
	switch (k) {
	case DKO_I_LABEL: case DKO_I_EXPOSE: case DKO_I_MAINTAINER: case DKO_I_CMD:
	case DKO_I_ENTRYPOINT: case DKO_I_HEALTHCHECK: case DKO_I_STOPSIGNAL:
		return true;
	default:
		return false;
	}
}

char *dko_co_span_text(const dko_instr *in, dko_span sp)
{
	return dko_xstrndup(in->text + sp.start, sp.end - sp.start);
}

bool dko_co_has_word(const char *text, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; k && i + k <= n; i++) {
		if (strncasecmp(text + i, word, k) != 0)
			continue;
		bool left = i == 0 || !isalnum((unsigned char)text[i - 1]);
		bool right = i + k == n || !isalnum((unsigned char)text[i + k]);
		if (left && right)
			return true;
	}
	return false;
}

/* ---- installer settings in the environment ---------------------------------------------------- */

static bool installer_var(const char *name, bool system)
{
	static const char *const system_prefixes[] = {"APT_", "DPKG_", "DEBCONF_", "APK_", "DNF_", "YUM_", "ZYPP",
	                                              "RPM_"};
	static const char *const prefixes[] = {"PIP_", "NPM_CONFIG_", "npm_config_", "YARN_", "BUNDLE_", "COMPOSER",
	                                       "GEM_", "PNPM_", "UV_", "POETRY_", "PIPENV_", "MAVEN_", "GRADLE_",
	                                       "CARGO_", "GO", "NODE_", "XDG_", "CONDA", "MAMBA", "PYTHON"};
	for (size_t i = 0; i < sizeof(system_prefixes) / sizeof(system_prefixes[0]); i++)
		if (!strncmp(name, system_prefixes[i], strlen(system_prefixes[i])))
			return true;
	for (size_t i = 0; !system && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	size_t n = strlen(name);
	return strstr(name, "CONF") || strstr(name, "conf") || (n > 5 && !strcmp(name + n - 5, "_FILE")) ||
	       (n > 2 && !strcmp(name + n - 2, "RC")) || !strcmp(name, "SSL_CERT_DIR") ||
	       !strcmp(name, "REQUESTS_CA_BUNDLE") || !strcmp(name, "CURL_CA_BUNDLE") ||
	       !strcmp(name, "NODE_EXTRA_CA_CERTS");
}

/* Is value a path under dest, or a relative file or path (composer.prod.json,
 * conf/pip.conf)? Not a URL, a number or a version. */
static bool value_points_into(const char *v, const char *dest)
{
	if (!v || !*v)
		return false;
	if (strstr(v, "://") && strncmp(v, "file:", 5) != 0)
		return false; /* a remote URL */
	if (!strncmp(v, "file://", 7))
		v += 7;
	else if (!strncmp(v, "file:", 5))
		v += 5;
	if (v[0] == '/') {
		char *clean = dko_co_path_join(NULL, v);
		bool in = clean && dest && dko_co_path_below(clean, dest) != NULL;
		free(clean);
		return in;
	}
	if (strspn(v, "0123456789.") == strlen(v) || strchr(v, ' ') || strchr(v, ':'))
		return false; /* a number, a version, a list or host:port */
	return strchr(v, '/') || strchr(v, '.');
}

const char *dko_co_env_points_into(const dko_state *st, const dko_sh_script *s, const char *dest, bool system)
{
	for (uint32_t i = 0; i < st->nvars; i++)
		if (installer_var(st->vars[i].name, system) && value_points_into(st->vars[i].value, dest))
			return st->vars[i].name;
	for (size_t i = 0; s && i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		bool exp = c->nwords && c->words[0].lit && !strcmp(c->words[0].lit, "export");
		for (uint32_t k = 0; k < c->nassigns + (exp ? c->nwords - 1 : 0); k++) {
			const char *a = k < c->nassigns ? c->assigns[k].lit : c->words[k - c->nassigns + 1].lit;
			const char *eq = a ? strchr(a, '=') : NULL;
			if (!eq)
				continue;
			char *name = dko_xstrndup(a, (size_t)(eq - a));
			bool hit = installer_var(name, system) && value_points_into(eq + 1, dest);
			free(name);
			if (hit)
				return k < c->nassigns ? c->assigns[k].lit : c->words[k - c->nassigns + 1].lit;
		}
	}
	return NULL;
}
