/*
 * gitfix.c - configuration lookup in a repository's files, edit paths and
 * change lines for the git front ends (see gitfix.h).
 *
 * The configuration cache maps a folder to the configuration that applies
 * in it (or none), so a folder is looked at once however many Dockerfiles
 * it holds; the configurations themselves are parsed once and owned by the
 * cache. Folders are repository paths without a trailing '/', "" the top.
 */
#include "gitfix.h"
#include "config.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

typedef struct folder_config {
	char *dir;
	const dko_config *config; /* NULL: none applies */
} folder_config;

struct dko_gitfix_configs {
	dko_gitfix_read_fn read;
	void *src;
	char *label;
	DKO_VEC(folder_config) folders;
	DKO_VEC(dko_config *) owned;
};

dko_gitfix_configs *dko_gitfix_configs_new(dko_gitfix_read_fn read, void *src,
                                           const char *label)
{
	dko_gitfix_configs *c = dko_xcalloc(1, sizeof(*c));
	c->read = read;
	c->src = src;
	c->label = dko_xstrdup(label ? label : "");
	return c;
}

void dko_gitfix_configs_free(dko_gitfix_configs *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->folders.len; i++)
		free(c->folders.items[i].dir);
	for (size_t i = 0; i < c->owned.len; i++)
		dko_config_free(c->owned.items[i]);
	DKO_VEC_FREE(&c->folders);
	DKO_VEC_FREE(&c->owned);
	free(c->label);
	free(c);
}

char *dko_gitfix_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? dko_xstrndup(path, (size_t)(slash - path)) : dko_xstrdup("");
}

static const folder_config *cached(const dko_gitfix_configs *c, const char *dir)
{
	for (size_t i = 0; i < c->folders.len; i++)
		if (strcmp(c->folders.items[i].dir, dir) == 0)
			return &c->folders.items[i];
	return NULL;
}

/* The configuration file in dir itself: 0 with *out NULL when there is none. */
static int config_in(dko_config **out, dko_gitfix_configs *c, const char *dir)
{
	static const char *const names[] = {".dockopt.yml", ".dockopt.yaml"};
	*out = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dko_buf path = DKO_BUF_INIT, label = DKO_BUF_INIT;
		dko_buf_printf(&path, "%s%s%s", dir, *dir ? "/" : "", names[i]);
		char *text = NULL;
		size_t len = 0;
		int rc = c->read(c->src, path.ptr, &text, &len);
		if (rc == 0) {
			dko_buf_printf(&label, "%s%s", c->label, path.ptr);
			rc = dko_config_parse(out, label.ptr, text, len);
		}
		free(text);
		dko_buf_release(&path);
		dko_buf_release(&label);
		if (rc != DKO_ENOTFOUND)
			return rc; /* found (0) or broken */
	}
	dko_error_clear();
	return 0;
}

/* The configuration that applies in folder dir (recursing to its parent). */
static int folder_lookup(const dko_config **out, dko_gitfix_configs *c, const char *dir)
{
	const folder_config *hit = cached(c, dir);
	if (hit) {
		*out = hit->config;
		return 0;
	}
	dko_config *own;
	int rc = config_in(&own, c, dir);
	if (rc < 0)
		return rc;
	if (own) {
		DKO_VEC_PUSH(&c->owned, own);
		*out = own;
	} else if (*dir) {
		char *parent = dko_gitfix_dir(dir);
		rc = folder_lookup(out, c, parent);
		free(parent);
		if (rc < 0)
			return rc;
	} else {
		*out = NULL;
	}
	folder_config f = {dko_xstrdup(dir), *out};
	DKO_VEC_PUSH(&c->folders, f);
	return 0;
}

int dko_gitfix_config_for(const dko_config **out, dko_gitfix_configs *c, const char *path)
{
	*out = NULL;
	char *dir = dko_gitfix_dir(path);
	int rc = folder_lookup(out, c, dir);
	free(dir);
	return rc;
}

/* Whether rel is a clean relative path that stays below its folder and
 * does not name a .git folder. */
static bool safe_rel(const char *rel)
{
	if (!*rel || rel[0] == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)) ||
		    (n == 4 && !strncmp(p, ".git", 4)))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

int dko_gitfix_edit_path(char **out, const char *dockerfile_path, const dko_file_edit *e)
{
	*out = NULL;
	if (e->old_text) {
		*out = dko_xstrdup(dockerfile_path);
		return 0;
	}
	const char *rel = e->path;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!safe_rel(rel))
		return dko_error_set(DKO_EINVAL, "%s: a fix wants to write '%s', outside the folder",
		                     dockerfile_path, e->path);
	char *dir = dko_gitfix_dir(dockerfile_path);
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s", dir, *dir ? "/" : "", rel);
	free(dir);
	*out = dko_buf_detach(&b, NULL);
	return 0;
}

void dko_gitfix_change_lines(dko_buf *out, const dko_fix_result *r)
{
	for (size_t i = 0; i < dko_fix_finding_count(r); i++) {
		const dko_finding *f = dko_fix_finding(r, i);
		if (!f->applied)
			continue;
		/* one line each: a message never spans lines in a commit */
		dko_buf_printf(out, "%s:%u %s: ", f->file, f->line, f->rule);
		for (const char *m = f->message; *m; m++)
			dko_buf_putc(out, *m == '\n' || *m == '\r' ? ' ' : *m);
		dko_buf_putc(out, '\n');
	}
}
