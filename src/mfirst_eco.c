/*
 * mfirst_eco.c - manifest-first, per ecosystem: which files a dependency
 * install reads and whether those files alone give it the same result as
 * the whole source tree (see mfirst.h).
 *
 * Every check errs on the side of "no": a manifest that names local
 * sources (pip -e ., file: dependencies, path gems, path repositories,
 * local go.mod replaces, Maven modules), install-time scripts that may read
 * the sources, configuration the install reads from the project folder that
 * dockopt does not copy, or an install output (node_modules, vendor) that
 * the context also holds, each keeps the Dockerfile as it is and is
 * reported as the reason. Without a build context nothing can be checked:
 * the likely manifest names are recorded for the suggestion.
 */
#include "mfirst.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan helpers ------------------------------------------------------------------------ */

bool mf_fail(mf_plan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return false;
}

void mf_add(mf_plan *p, const char *rel)
{
	for (size_t i = 0; i < p->files.len; i++)
		if (!strcmp(p->files.items[i], rel))
			return;
	DKO_VEC_PUSH(&p->files, dko_xstrdup(rel));
}

/* rel below dir for context paths ("" is the root); NULL when outside. */
static const char *ctx_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0)
		return path;
	if (strncmp(path, dir, n) != 0)
		return NULL;
	return path[n] == '/' ? path + n + 1 : path[n] == '\0' ? path + n : NULL;
}

static char *ctx_join(const char *dir, const char *name)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s%s", dir, *dir && *name ? "/" : "", name);
	return dko_buf_detach(&b, NULL);
}

static const char *ignore_name(const mf_plan *p)
{
	const char *f = dko_context_ignore_file(p->ctx);
	return f ? f : ".dockerignore";
}

/* Whether path is a regular file the build receives; else the reason. */
static bool usable(mf_plan *p, const char *path)
{
	switch (dko_manifest_state(p->ctx, path)) {
	case DKO_MF_OK: return true;
	case DKO_MF_EXCLUDED: return mf_fail(p, "%s is excluded by %s", path, ignore_name(p));
	case DKO_MF_MISSING: return mf_fail(p, "%s is not in the build context", path);
	case DKO_MF_LINK: return mf_fail(p, "%s is a symbolic link", path);
	default: return mf_fail(p, "%s is not a regular file of the build context", path);
	}
}

/* A manifest reader failed on path: why. */
static bool unreadable(mf_plan *p, const char *path)
{
	return usable(p, path) && mf_fail(p, "dockopt could not read %s: %s", path, dko_error_last());
}

bool mf_add_ctx(mf_plan *p, const char *path)
{
	if (!usable(p, path))
		return false;
	const char *rel = ctx_below(path, p->cp.source);
	if (!rel || !*rel)
		return mf_fail(p, "%s is outside %s, the folder the COPY copies", path, p->cp.source);
	if (strpbrk(rel, " \t\"'$\\*?[#`"))
		return mf_fail(p, "the name %s would need quoting", rel);
	mf_add(p, rel);
	return true;
}

char *mf_ctx_here(const mf_plan *p, const char *name)
{
	char *dir = ctx_join(p->cp.source, p->cwd_rel);
	char *r = ctx_join(dir, name);
	free(dir);
	return r;
}

char *mf_ctx_path(mf_plan *p, const char *arg)
{
	char *abs = dko_co_path_join(p->cwd, arg);
	const char *rel = abs ? dko_co_path_below(abs, p->cp.dest) : NULL;
	char *r = NULL;
	if (!rel || !*rel)
		mf_fail(p, "%s is outside %s, where the COPY puts the files", arg, p->cp.dest);
	else
		r = ctx_join(p->cp.source, rel);
	free(abs);
	return r;
}

bool mf_not_shipped(mf_plan *p, const char *name, const char *writer)
{
	char *path = mf_ctx_here(p, name);
	/* Docker reads only .dockerignore files: a .containerignore (buildah,
	 * podman) does not keep the folder out of a docker build. */
	const char *ig = dko_context_ignore_file(p->ctx);
	bool docker_reads = !ig || strcmp(dko_fs_basename(ig), ".containerignore") != 0;
	bool ok = dko_context_kind(p->ctx, path) == DKO_CTX_NONE ||
	          (docker_reads && dko_context_is_excluded(p->ctx, path));
	if (!ok && !docker_reads)
		mf_fail(p, "%s is left out only by .containerignore, which docker build does not read, so %s", path,
		        writer);
	else if (!ok)
		mf_fail(p, "%s is in the build context and not in %s, so %s", path, ignore_name(p), writer);
	free(path);
	return ok;
}

const char *mf_opt_value(const char *flag, const char *shrt, const char *lng)
{
	size_t n;
	if (lng && !strncmp(flag, lng, n = strlen(lng)) && (flag[n] == ' ' || flag[n] == '='))
		return flag + n + 1;
	if (lng && !strcmp(flag, lng))
		return "";
	if (shrt && !strncmp(flag, shrt, n = strlen(shrt))) {
		if (flag[n] == ' ' || flag[n] == '=')
			return flag + n + 1;
		return flag + n; /* attached ("-rreq.txt") or none ("") */
	}
	return NULL;
}

bool mf_has_flag(const dko_pkg_op *op, const char *names)
{
	for (uint32_t i = 0; i < op->nflags; i++) {
		const char *f = op->flags[i];
		size_t n = strcspn(f, "= ");
		for (const char *p = names; p;) {
			const char *e = strchr(p, '|');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l == n && !strncmp(p, f, n))
				return true;
			p = e ? e + 1 : NULL;
		}
	}
	return false;
}

/* Read a context file whole (for a text search); NULL when unreadable. */
static char *read_text(mf_plan *p, const char *path, size_t *len)
{
	char *data = NULL;
	if (dko_context_read(p->ctx, path, &data, len) < 0)
		return NULL;
	return data;
}

/* ---- pip ----------------------------------------------------------------------------------- */

typedef DKO_VEC(const char *) strvec;

static bool pip_flags(mf_plan *p, const dko_pkg_op *op, strvec *reqs)
{
	for (uint32_t i = 0; i < op->nflags; i++) {
		const char *f = op->flags[i], *v;
		if ((v = mf_opt_value(f, "-r", "--requirement")) || (v = mf_opt_value(f, "-c", "--constraint")))
			DKO_VEC_PUSH(reqs, v);
		else if (mf_opt_value(f, "-e", "--editable"))
			return mf_fail(p, "it installs an editable package (%s)", f);
		else if ((v = mf_opt_value(f, "-f", "--find-links")) && (!strstr(v, "://") || !strncmp(v, "file:", 5)))
			return mf_fail(p, "it finds packages in the local folder %s", v);
		else if (((v = mf_opt_value(f, "-i", "--index-url")) || (v = mf_opt_value(f, NULL, "--extra-index-url"))) &&
		         (!strncmp(v, "file:", 5) || v[0] == '/' || v[0] == '.'))
			return mf_fail(p, "it uses the package index in the local folder %s", v);
		else if (((v = mf_opt_value(f, "-t", "--target")) || (v = mf_opt_value(f, NULL, "--prefix")) ||
		          (v = mf_opt_value(f, NULL, "--root")) || (v = mf_opt_value(f, NULL, "--src"))) &&
		         v[0] != '/')
			return mf_fail(p, "it installs into the relative folder %s", v);
	}
	for (uint32_t i = 0; i < op->nreads; i++) {
		bool named = false;
		for (size_t k = 0; k < reqs->len; k++)
			named |= !strcmp(reqs->items[k], op->reads[i]);
		if (!named)
			return mf_fail(p, "it installs the local path %s, which needs the sources", op->reads[i]);
	}
	return true;
}

/* One requirements file and everything it includes. */
static bool pip_file(mf_plan *p, const char *arg)
{
	char *path = mf_ctx_path(p, arg);
	if (!path)
		return false;
	dko_pip_reqs *r = NULL;
	bool ok = dko_pip_read(&r, p->ctx, path) == 0 || unreadable(p, path);
	for (size_t i = 0; ok && r && i < r->nfiles; i++)
		ok = mf_add_ctx(p, r->files[i].path);
	if (ok && r && r->nlocal)
		ok = mf_fail(p, "%s:%u installs a local path (%s), which needs the sources", r->local[0].file,
		             r->local[0].line, r->local[0].text);
	for (size_t i = 0; ok && r && i < r->nvcs; i++)
		if (!strncmp(r->vcs[i].text, "-e", 2) || !strncmp(r->vcs[i].text, "--editable", 10))
			ok = mf_fail(p, "%s:%u checks out an editable package into the project folder",
			             r->vcs[i].file, r->vcs[i].line);
	if (ok && r && r->truncated)
		ok = mf_fail(p, "%s includes too many files for dockopt to follow", path);
	dko_pip_free(r);
	free(path);
	return ok;
}

bool mf_eco_pip(mf_plan *p, const dko_pkg_op *op)
{
	strvec reqs = {0};
	bool ok = pip_flags(p, op, &reqs);
	for (size_t i = 0; ok && i < reqs.len; i++) {
		if (p->ctx)
			ok = pip_file(p, reqs.items[i]);
		else
			mf_add(p, reqs.items[i]);
	}
	DKO_VEC_FREE(&reqs);
	return ok;
}

/* ---- npm, yarn, pnpm ------------------------------------------------------------------------- */

static bool node_lockfile(mf_plan *p, const dko_npm *n, dko_pm pm)
{
	const char *want = pm == DKO_PM_YARN ? "yarn.lock" : pm == DKO_PM_PNPM ? "pnpm-lock.yaml"
	                                                                      : "package-lock.json";
	for (size_t i = 0; i < n->nlockfiles; i++) {
		const char *b = strrchr(n->lockfiles[i], '/');
		b = b ? b + 1 : n->lockfiles[i];
		if (!strcmp(b, want) || (pm == DKO_PM_NPM && !strcmp(b, "npm-shrinkwrap.json")))
			return true;
	}
	return mf_fail(p, "there is no %s next to %s, so the install resolves versions afresh", want, n->path);
}

static bool node_files(mf_plan *p, const dko_npm *n)
{
	bool ok = mf_add_ctx(p, n->path);
	for (size_t i = 0; ok && i < n->nlockfiles; i++)
		ok = mf_add_ctx(p, n->lockfiles[i]);
	for (size_t i = 0; ok && i < n->nconfig_files; i++) {
		if (dko_context_kind(p->ctx, n->config_files[i]) == DKO_CTX_DIR)
			ok = mf_fail(p, "the install also reads the folder %s", n->config_files[i]);
		else
			ok = mf_add_ctx(p, n->config_files[i]);
	}
	return ok;
}

bool mf_eco_node(mf_plan *p, const dko_pkg_op *op)
{
	if (op->global || op->npackages)
		return mf_fail(p, "it adds packages by name");
	if (mf_has_flag(op, "--prefix|-C|--cwd|--dir|-w|--workspace|--filter|-F|--modules-folder"))
		return mf_fail(p, "it installs for another folder");
	if (!p->ctx) {
		mf_add(p, "package.json");
		mf_add(p, op->manager == DKO_PM_YARN ? "yarn.lock"
		          : op->manager == DKO_PM_PNPM ? "pnpm-lock.yaml" : "package-lock.json");
		return true;
	}
	char *pj = mf_ctx_here(p, "package.json");
	dko_npm *n = NULL;
	bool ok = dko_npm_read(&n, p->ctx, pj) == 0 || unreadable(p, pj);
	free(pj);
	if (!ok || !n)
		return false;
	ok = node_lockfile(p, n, op->manager);
	if (ok && n->ninstall_scripts && !mf_has_flag(op, "--ignore-scripts"))
		ok = mf_fail(p, "%s has the `%s` script, which the install runs and which may need the sources",
		             n->path, n->install_scripts[0]);
	if (ok && n->nworkspaces)
		ok = mf_fail(p, "%s declares workspaces, whose own package.json files the install reads", n->path);
	if (ok && n->nlocal_deps)
		ok = mf_fail(p, "%s depends on the local package %s (%s)", n->path, n->local_deps[0].name,
		             n->local_deps[0].value);
	if (ok && mf_has_flag(op, "--offline|--prefer-offline"))
		ok = mf_fail(p, "it installs offline, from a cache or mirror the sources may hold");
	/* an offline mirror or cache set in .yarnrc/.npmrc (yarn-offline-mirror,
	 * cache=, offline=true) is a folder of the sources */
	for (size_t i = 0; ok && i < n->nconfig_files; i++) {
		size_t len;
		char *t = NULL;
		if (dko_context_read(p->ctx, n->config_files[i], &t, &len) != 0)
			continue;
		bool offline = dko_mem_find(t, len, "offline") || dko_mem_find(t, len, "cache=") ||
		               dko_mem_find(t, len, "cacheFolder");
		free(t);
		if (offline)
			ok = mf_fail(p, "%s sets an offline mirror or cache, which may be a folder of the sources",
			             n->config_files[i]);
	}
	ok = ok && node_files(p, n) &&
	     mf_not_shipped(p, "node_modules", "the COPY of the sources would copy it over the installed one");
	dko_npm_free(n);
	return ok;
}

/* ---- bundler ---------------------------------------------------------------------------------- */

/* A Gemfile is Ruby: reading other files from it is allowed only for the
 * version files dockopt copies along. */
static bool gemfile_code(mf_plan *p, const char *path)
{
	size_t len;
	char *t = read_text(p, path, &len);
	if (!t)
		return mf_fail(p, "dockopt could not read %s", path);
	static const char *const reads[] = {"File.", "Dir.", "Dir[", "IO.", "require", "load ", "eval",
	                                    "`", "%x", "system"};
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof(reads) / sizeof(reads[0]); i++)
		if (strstr(t, reads[i]))
			ok = mf_fail(p, "%s runs Ruby code (%s) that may read other files", path, reads[i]);
	static const char *const versions[] = {".ruby-version", ".tool-versions"};
	for (size_t i = 0; ok && i < 2; i++)
		if (strstr(t, versions[i])) {
			char *v = mf_ctx_here(p, versions[i]);
			ok = mf_add_ctx(p, v);
			free(v);
		}
	free(t);
	return ok;
}

bool mf_eco_bundle(mf_plan *p, const dko_pkg_op *op)
{
	if (mf_has_flag(op, "--gemfile"))
		return mf_fail(p, "it names its Gemfile with --gemfile");
	if (!p->ctx) {
		mf_add(p, "Gemfile");
		mf_add(p, "Gemfile.lock");
		return true;
	}
	/* Bundler reads gems.rb before Gemfile when both exist. */
	char *gems = mf_ctx_here(p, "gems.rb");
	bool has_gems = gems && dko_context_kind(p->ctx, gems) == DKO_CTX_FILE;
	free(gems);
	if (has_gems)
		return mf_fail(p, "the project has gems.rb, which bundler reads (before any Gemfile)");
	char *path = mf_ctx_here(p, "Gemfile");
	dko_gemfile *g = NULL;
	bool ok = (dko_gemfile_read(&g, p->ctx, path) == 0 || unreadable(p, path)) && g;
	if (ok && g->gemspec)
		ok = mf_fail(p, "%s has `gemspec`, which reads the gem's own files", path);
	if (ok && g->npath_gems)
		ok = mf_fail(p, "%s:%u takes a gem from a local folder", path, g->path_gems[0].line);
	if (ok && g->eval_gemfile)
		ok = mf_fail(p, "%s reads another Gemfile (eval_gemfile)", path);
	ok = ok && mf_add_ctx(p, path) && (!g->lockfile || mf_add_ctx(p, g->lockfile)) &&
	     gemfile_code(p, path) && mf_not_shipped(p, ".bundle", "the install would not see its settings") &&
	     mf_not_shipped(p, "vendor/bundle", "the COPY of the sources would copy it over the installed gems");
	dko_gemfile_free(g);
	free(path);
	return ok;
}

/* ---- composer -------------------------------------------------------------------------------- */

bool mf_eco_composer(mf_plan *p, const dko_pkg_op *op)
{
	if (op->npackages)
		return mf_fail(p, "it adds packages by name");
	if (mf_has_flag(op, "-d|--working-dir"))
		return mf_fail(p, "it works in another folder (%s)", "--working-dir");
	bool no_scripts = mf_has_flag(op, "--no-scripts");
	bool no_autoloader = mf_has_flag(op, "--no-autoloader");
	bool optimize = mf_has_flag(op, "-o|--optimize-autoloader|-a|--classmap-authoritative|--apcu-autoloader");
	if (!p->ctx) {
		mf_add(p, "composer.json");
		mf_add(p, "composer.lock");
		return true;
	}
	char *path = mf_ctx_here(p, "composer.json");
	dko_composer *cm = NULL;
	bool ok = (dko_composer_read(&cm, p->ctx, path) == 0 || unreadable(p, path)) && cm;
	if (ok && cm->ninstall_events && !no_scripts)
		ok = mf_fail(p, "%s runs `%s` scripts on install, which may need the sources", path,
		             cm->install_events[0]);
	if (ok && cm->npath_repos)
		ok = mf_fail(p, "%s installs from the local folder %s", path, cm->path_repos[0]);
	if (ok && !no_autoloader && (cm->autoload_scan || optimize))
		ok = mf_fail(p, "the autoloader composer writes scans the sources (classmap, files or an "
		             "optimised autoloader)");
	char *lock = mf_ctx_here(p, "composer.lock"), *auth = mf_ctx_here(p, "auth.json");
	ok = ok && mf_add_ctx(p, path) && (!cm->has_lock || mf_add_ctx(p, lock)) &&
	     (!dko_context_exists(p->ctx, auth) || mf_add_ctx(p, auth)) &&
	     mf_not_shipped(p, "vendor", "the COPY of the sources would copy it over the installed packages");
	free(lock);
	free(auth);
	dko_composer_free(cm);
	free(path);
	return ok;
}

/* ---- go ------------------------------------------------------------------------------------------- */

bool mf_eco_go(mf_plan *p, const dko_pkg_op *op)
{
	bool build = op->verb == DKO_PV_BUILD;
	for (uint32_t i = 0; i < op->nflags; i++) {
		const char *f = op->flags[i], *v;
		if (mf_opt_value(f, NULL, "-modfile") || mf_opt_value(f, NULL, "-C"))
			return mf_fail(p, "it uses %s", f);
		if ((v = mf_opt_value(f, NULL, "-mod")) && !strcmp(v, "vendor"))
			return mf_fail(p, "it builds with the vendored modules (-mod=vendor)");
	}
	const char *goflags = dko_state_lookup(&dko_graph_instr(p->c->graph, p->run)->state, "GOFLAGS");
	if (goflags && strstr(goflags, "-mod"))
		return mf_fail(p, "GOFLAGS sets -mod");
	if (!p->ctx) {
		mf_add(p, "go.mod");
		mf_add(p, "go.sum");
	} else {
		char *path = mf_ctx_here(p, "go.mod");
		dko_gomod *g = NULL;
		bool ok = (dko_gomod_read(&g, p->ctx, path) == 0 || unreadable(p, path)) && g;
		for (size_t i = 0; ok && i < g->nreplaces; i++)
			if (g->replaces[i].local)
				ok = mf_fail(p, "%s:%u replaces %s with the local folder %s", path, g->replaces[i].line,
				             g->replaces[i].old_path, g->replaces[i].new_path);
		if (ok && g->has_work)
			ok = mf_fail(p, "a go.work file next to %s changes which modules are used", path);
		if (ok && build && g->has_vendor)
			ok = mf_fail(p, "the build uses the modules in vendor/");
		if (ok && build && !g->nrequire) {
			p->quiet = true; /* no dependency: nothing to download */
			ok = mf_fail(p, "%s requires no module", path);
		}
		char *sum = mf_ctx_here(p, "go.sum");
		ok = ok && mf_add_ctx(p, path) && (!g->has_sum || mf_add_ctx(p, sum));
		free(sum);
		dko_gomod_free(g);
		free(path);
		if (!ok)
			return false;
	}
	if (build)
		p->download = dko_xstrdup("go mod download");
	return true;
}

/* ---- maven ------------------------------------------------------------------------------------------ */

/* The options of the build that the download must share (profiles,
 * properties, batch mode...), as written. */
static bool maven_options(mf_plan *p, const dko_pkg_op *op, dko_buf *carry)
{
	static const char *const bad = "-f|--file|-s|--settings|-gs|--global-settings|-t|--toolchains|"
	                               "-pl|--projects|-rf|--resume-from|-o|--offline|-am|--also-make|"
	                               "-amd|--also-make-dependents";
	if (mf_has_flag(op, bad))
		return mf_fail(p, "it runs Maven with options dockopt does not carry over to a download step");
	for (uint32_t i = 0; i < op->nflags; i++)
		dko_buf_printf(carry, " %s", op->flags[i]);
	return true;
}

static bool maven_pom(mf_plan *p)
{
	char *path = mf_ctx_here(p, "pom.xml");
	dko_pom *pom = NULL;
	bool ok = (dko_pom_read(&pom, p->ctx, path) == 0 || unreadable(p, path)) && pom;
	if (ok && pom->malformed)
		ok = mf_fail(p, "dockopt could not follow %s", path);
	if (ok && pom->nmodules)
		ok = mf_fail(p, "%s builds modules, whose own pom.xml files the download reads", path);
	size_t len;
	char *text = ok ? read_text(p, path, &len) : NULL;
	if (ok && text && strstr(text, "systemPath"))
		ok = mf_fail(p, "%s takes a dependency from a file (systemPath)", path);
	free(text);
	char *dir = mf_ctx_here(p, "");
	if (ok && pom->parent_artifact_id && *dir) {
		char *up = dko_xstrdup(dir), *slash = strrchr(up, '/');
		if (slash)
			*slash = '\0';
		char *parent = ctx_join(slash ? up : "", "pom.xml");
		if (dko_context_exists(p->ctx, parent))
			ok = mf_fail(p, "its parent POM may be %s, which the download would need too", parent);
		free(parent);
		free(up);
	}
	free(dir);
	ok = ok && mf_add_ctx(p, path) && mf_not_shipped(p, ".mvn", "Maven reads its settings there");
	dko_pom_free(pom);
	free(path);
	return ok;
}

bool mf_eco_maven(mf_plan *p, const dko_pkg_op *op)
{
	const dko_sh_cmd *cmd = dko_sh_cmd_at(p->s, op->cmd_index);
	const char *name = cmd->nwords ? cmd->words[0].lit : NULL;
	if (!name || strcmp(name, "mvn"))
		return mf_fail(p, "it runs %s, not mvn (a wrapper needs its own files too)", name ? name : "Maven");
	dko_buf carry = DKO_BUF_INIT;
	bool ok = maven_options(p, op, &carry);
	if (ok && p->ctx)
		ok = maven_pom(p);
	else if (ok)
		mf_add(p, "pom.xml");
	if (ok && op->verb == DKO_PV_BUILD) {
		dko_buf d = DKO_BUF_INIT;
		dko_buf_printf(&d, "mvn%s dependency:go-offline", dko_buf_cstr(&carry));
		p->download = dko_buf_detach(&d, NULL);
	}
	dko_buf_release(&carry);
	return ok;
}
