/*
 * ctxuse.c - how a Dockerfile uses its build context (see ctxuse.h).
 *
 * The version-control check is deliberately broad: a false "reads it" only
 * keeps .git in the context (a suggestion instead of a rewrite), while a
 * false "does not read it" would change what a build stamps into the image.
 * So a step counts as a reader when it runs a VCS command anywhere in its
 * shell (inside $(...) too), names a versioning tool, runs a Go or .NET
 * build, runs a build tool whose configuration mentions one, runs a file of
 * the context that mentions one, or has shell code dockopt cannot parse and
 * mentions one in its text.
 */
#include "ctxuse.h"
#include "cleanup.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words that mean version-control metadata is read. */
static const char *const vcs_words[] = {"git", "hg", "svn", "bzr", "fossil", "scm", "vcs",
                                        "versioneer", "dunamai", "versioningit", "pbr", "vergen",
                                        "husky", "jgit", "grgit"};

/* ---- sources ---------------------------------------------------------------------------- */

static char *clean_source(const char *src)
{
	while (src[0] == '/')
		src++;
	char *p;
	if (dko_context_clean_path(&p, src) < 0)
		return NULL;
	if (!p[0] || !strcmp(p, "*")) {
		free(p);
		return NULL; /* the whole context */
	}
	return p;
}

void dko_cu_sources(const dko_pass_ctx *c, dko_cu_paths *out)
{
	for (uint32_t i = 0; i < c->doc->nnodes; i++) {
		const dko_node *n = &c->doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		const dko_ginstr *gi = dko_graph_instr(c->graph, i);
		for (uint32_t k = 0; k < gi->nreads; k++) {
			if (gi->reads[k].kind != DKO_PATH_CONTEXT)
				continue;
			char *p = clean_source(gi->reads[k].path);
			if (p)
				DKO_VEC_PUSH(out, p);
		}
	}
}

void dko_cu_paths_free(dko_cu_paths *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	DKO_VEC_FREE(v);
}

/* The part of a source before its first glob character. */
static size_t literal_prefix(const char *s)
{
	return strcspn(s, "*?[\\");
}

bool dko_cu_names(const dko_cu_paths *srcs, const char *path, bool parents)
{
	size_t pl = strlen(path);
	for (size_t i = 0; i < srcs->len; i++) {
		const char *s = srcs->items[i];
		size_t sl = literal_prefix(s);
		bool glob = s[sl] != '\0';
		/* the source is path, below it, or (a glob) may reach into it */
		if (!strncmp(s, path, pl) && (s[pl] == '\0' || s[pl] == '/'))
			return true;
		if (glob && (sl <= pl ? !strncmp(s, path, sl) : !strncmp(s, path, pl)))
			return true;
		if (parents && !glob && sl < pl && !strncmp(path, s, sl) && path[sl] == '/')
			return true;
	}
	return false;
}

/* ---- where an instruction works ------------------------------------------------------------ */

char *dko_cu_workdir(const dko_pass_ctx *c, uint32_t node, const dko_co_copy *whole)
{
	const char *w = dko_graph_instr(c->graph, node)->state.workdir;
	if (!whole || !whole->dest || !w)
		return NULL;
	const char *rel = dko_co_path_below(w, whole->dest);
	if (!rel)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s", whole->source ? whole->source : "",
	               whole->source && *whole->source && *rel ? "/" : "", rel);
	return dko_buf_detach(&b, NULL);
}

/* The context path of a word as instruction node names it, or NULL. */
static char *word_path(const dko_pass_ctx *c, uint32_t node, const dko_co_copy *whole, const char *w)
{
	const char *wd = dko_graph_instr(c->graph, node)->state.workdir;
	if (!whole || !whole->dest || strstr(w, "://") || w[0] == '-' || w[0] == '$')
		return NULL;
	char *abs = dko_co_path_join(wd, w);
	const char *rel = abs ? dko_co_path_below(abs, whole->dest) : NULL;
	char *r = NULL;
	if (rel && *rel) {
		dko_buf b = DKO_BUF_INIT;
		dko_buf_printf(&b, "%s%s%s", whole->source, *whole->source ? "/" : "", rel);
		r = dko_buf_detach(&b, NULL);
	}
	free(abs);
	return r;
}

/* ---- version control ------------------------------------------------------------------------ */

static bool text_mentions_vcs(const char *t, size_t n, const char **which)
{
	for (size_t i = 0; i < sizeof(vcs_words) / sizeof(vcs_words[0]); i++)
		if (dko_co_has_word(t, n, vcs_words[i])) {
			*which = vcs_words[i];
			return true;
		}
	return false;
}

/* Whether a context file mentions version control. */
static bool file_mentions_vcs(dko_context *ctx, const char *path, char *why, size_t wl)
{
	if (dko_context_kind(ctx, path) != DKO_CTX_FILE)
		return false;
	char *data;
	size_t len;
	if (dko_context_read(ctx, path, &data, &len) < 0)
		return false;
	const char *w;
	bool hit = text_mentions_vcs(data, len, &w);
	if (hit)
		snprintf(why, wl, "%s mentions `%s`", path, w);
	free(data);
	return hit;
}

static char *ctx_join(const char *dir, const char *name)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s", dir, *dir ? "/" : "", name);
	return dko_buf_detach(&b, NULL);
}

/* Configuration files of build tools, by command name. */
static const struct {
	const char *cmds, *files;
} tools[] = {
	{"make|gmake", "Makefile|makefile|GNUmakefile"},
	{"cmake", "CMakeLists.txt"},
	{"pip|pip3|python|python3|poetry|uv|pdm|hatch|flit|pipenv|tox|nox", "pyproject.toml|setup.py|setup.cfg"},
	{"bundle|bundler|gem|rake|ruby", "Gemfile|Rakefile|.gemspec"},
	{"cargo", "Cargo.toml|build.rs"},
	{"mvn|mvnw", "pom.xml"},
	{"gradle|gradlew", "build.gradle|build.gradle.kts|settings.gradle|settings.gradle.kts"},
	{"composer", "composer.json"},
	{"npm|yarn|pnpm|npx|bun", "package.json|.husky"},
};

static bool in_bar_list(const char *list, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = list; p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !strncmp(p, s, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* *.gemspec files of a folder (".gemspec" in the table). */
static bool gemspecs_mention(dko_context *ctx, const char *dir, char *why, size_t wl)
{
	char **names;
	size_t n;
	bool hit = false;
	if (dko_context_list(ctx, dir[0] ? dir : ".", &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		if (!hit && l > 8 && !strcmp(names[i] + l - 8, ".gemspec")) {
			char *p = ctx_join(dir, names[i]);
			hit = file_mentions_vcs(ctx, p, why, wl);
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return hit;
}

static bool tool_reads_vcs(dko_context *ctx, const char *tool, const char *dir, char *why, size_t wl)
{
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		if (!in_bar_list(tools[t].cmds, tool))
			continue;
		for (const char *p = tools[t].files; p;) {
			const char *e = strchr(p, '|');
			char *name = e ? dko_xstrndup(p, (size_t)(e - p)) : dko_xstrdup(p);
			char *path = ctx_join(dir, name);
			bool hit = !strcmp(name, ".gemspec") ? gemspecs_mention(ctx, dir, why, wl)
			           : !strcmp(name, ".husky") && dko_context_exists(ctx, path)
			               ? (snprintf(why, wl, "%s uses git hooks (.husky)", tool), true)
			               : file_mentions_vcs(ctx, path, why, wl);
			free(path);
			free(name);
			if (hit)
				return true;
			p = e ? e + 1 : NULL;
		}
	}
	return false;
}

/* Builds that stamp the commit they are built from into their output. */
static bool stamping_build(const dko_pass_ctx *c, uint32_t node, const dko_sh_cmd *cmd,
                           const char *tool, char *why, size_t wl)
{
	const char *sub = cmd->nwords > 1 && cmd->words[1].lit ? cmd->words[1].lit : "";
	if (!strcmp(tool, "go") && in_bar_list("build|install|run|test|vet|generate|list", sub)) {
		const char *gf = dko_state_lookup(&dko_graph_instr(c->graph, node)->state, "GOFLAGS");
		const dko_instr *in = c->doc->nodes[node].instr;
		if (strstr(in->text, "-buildvcs=false") || (gf && strstr(gf, "-buildvcs=false")))
			return false;
		snprintf(why, wl, "`go %s` stamps version control information into what it builds", sub);
		return true;
	}
	if (!strcmp(tool, "dotnet") && in_bar_list("build|publish|pack|run|test|msbuild", sub)) {
		snprintf(why, wl, "`dotnet %s` embeds the commit it builds from", sub);
		return true;
	}
	return false;
}

/* One simple command of a step. */
static bool cmd_reads_vcs(dko_pass_ctx *c, dko_context *ctx, uint32_t node, const dko_co_copy *whole,
                          const dko_sh_cmd *cmd, const char *dir, char *why, size_t wl)
{
	const char *a0 = cmd->nwords && cmd->words[0].lit ? dko_fs_basename(cmd->words[0].lit) : NULL;
	for (uint32_t k = 0; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit ? cmd->words[k].lit : cmd->words[k].raw;
		const char *which;
		if ((k == 0 && text_mentions_vcs(dko_fs_basename(w), strlen(dko_fs_basename(w)), &which) &&
		     !strcmp(which, dko_fs_basename(w))) ||
		    strstr(w, ".git") || strstr(w, ".hg") || strstr(w, ".svn")) {
			snprintf(why, wl, "it runs `%s`", w);
			return true;
		}
		char *path = ctx ? word_path(c, node, whole, w) : NULL;
		bool hit = path && file_mentions_vcs(ctx, path, why, wl);
		free(path);
		if (hit)
			return true;
	}
	if (!a0)
		return false;
	if (stamping_build(c, node, cmd, a0, why, wl))
		return true;
	return ctx && tool_reads_vcs(ctx, a0, dir, why, wl);
}

/* Words of a step that name versioning tools (pip install setuptools-scm). */
static bool names_tool(const char *text, size_t n, char *why, size_t wl)
{
	static const char *const tools_words[] = {"setuptools_scm", "setuptools-scm", "hatch-vcs",
	                                          "versioneer", "dunamai", "versioningit", "vergen",
	                                          "husky", "gitpython", "git-version", "pbr"};
	for (size_t i = 0; i < sizeof(tools_words) / sizeof(tools_words[0]); i++)
		if (dko_co_has_word(text, n, tools_words[i])) {
			snprintf(why, wl, "it uses %s", tools_words[i]);
			return true;
		}
	return false;
}

bool dko_cu_reads_vcs(dko_pass_ctx *c, dko_context *ctx, uint32_t node, const dko_co_copy *whole,
                      char *why, size_t n)
{
	const dko_node *nd = &c->doc->nodes[node];
	const dko_instr *in = nd->instr->kind == DKO_I_ONBUILD ? nd->instr->sub : nd->instr;
	if (!in)
		return false;
	const char *src = c->doc->src + nd->span.start;
	size_t len = nd->span.end - nd->span.start;
	if (names_tool(src, len, why, n))
		return true;
	for (uint32_t k = 0; ctx && in->json && k < in->nargs; k++) {
		char *path = word_path(c, node, whole, in->args[k].value);
		bool hit = path && file_mentions_vcs(ctx, path, why, n);
		free(path);
		if (hit)
			return true;
	}
	dko_sh_script *s = in->json ? NULL : dko_pass_script(c, node);
	if (!s || dko_sh_is_opaque(s)) {
		const char *w;
		if (!text_mentions_vcs(src, len, &w))
			return false;
		snprintf(why, n, "it mentions `%s`", w);
		return true;
	}
	char *dir = dko_cu_workdir(c, node, whole);
	bool hit = false;
	for (size_t i = 0; !hit && i < dko_sh_cmd_count(s); i++)
		hit = cmd_reads_vcs(c, ctx, node, whole, dko_sh_cmd_at(s, i), dir ? dir : "", why, n);
	free(dir);
	return hit;
}
