/*
 * pass_dockerignore.c - dockerignore: when a stage copies the whole build
 * context and the context has no ignore file (.dockerignore,
 * <Dockerfile>.dockerignore, .containerignore), propose a .dockerignore
 * listing what exists in the context and should not ship. The Dockerfile
 * itself does not change; the new file is added to the result (the diff
 * shows it, --write creates it next to the context).
 *
 * What it lists, each only when it exists (found by a bounded walk of the
 * context) and no COPY/ADD or bind mount names it:
 *   - VCS folders (.git, .hg, .svn, .bzr) when no step may read
 *     version-control metadata (see ctxuse.h: git commands, versioning
 *     tools, Go and .NET builds, build configuration that mentions them;
 *     and any RUN command dockopt cannot see into);
 *   - node_modules folders when every stage that copies the whole context
 *     runs npm ci in that very folder after the COPY (it rebuilds them);
 *   - Python bytecode (__pycache__, and *.pyc when every one has its .py),
 *     .venv (unless the Dockerfile mentions it), *.log files, editor and OS
 *     files (.idea, .vscode, .DS_Store, *.swp) and tool caches
 *     (.pytest_cache, .mypy_cache, .ruff_cache, .tox, .nox).
 * .env files are only suggested: an application may read them at run time.
 * With an existing ignore file, or when other Dockerfiles live anywhere in
 * the context (one .dockerignore would serve them all), or without a build
 * context, it only suggests. VCS folders stay whenever any step of the file
 * may read them, a RUN that runs what dockopt cannot see into (make, a
 * script, a build tool, pip install .) included; node_modules only goes
 * when every stage that copies the whole context rebuilds it with npm ci in
 * that folder; target/ and build/ are only suggested (the tools keep what
 * they find there).
 */
#include "cleanup.h"
#include "ctxuse.h"
#include "discover.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REASON "Keep what the image does not need out of the build context with a .dockerignore."
#define WALK_LIMIT 50000u

/* What the walk found (context paths of entries the build would receive). */
typedef struct found {
	dko_cu_paths vcs, node_modules, pycache, pyc, logs, junk, venvs, outputs, envs, dockerfiles;
	bool pyc_orphan; /* a .pyc without its .py next to it */
	const char *self; /* the Dockerfile's context path, or NULL */
	dko_context *ctx;
} found;

/* A line of the proposal. */
typedef struct entry {
	char *pattern;
	const char *group; /* comment line above its group */
} entry;

typedef struct proposal {
	DKO_VEC(entry) list;   /* to write */
	DKO_VEC(char *) maybe; /* not proposed, with why ("x stays ...: why") */
} proposal;

static void found_free(found *f)
{
	dko_cu_paths *all[] = {&f->vcs, &f->node_modules, &f->pycache, &f->pyc, &f->logs,
	                       &f->junk, &f->venvs, &f->outputs, &f->envs, &f->dockerfiles};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		dko_cu_paths_free(all[i]);
}

/* ---- the walk ------------------------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static bool one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static void push(dko_cu_paths *v, const char *p)
{
	DKO_VEC_PUSH(v, dko_xstrdup(p));
}

/* A .pyc outside __pycache__ is used without its source: then it matters. */
static void note_pyc(found *f, const dko_context_entry *e)
{
	push(&f->pyc, e->path);
	char *src = dko_xstrndup(e->path, strlen(e->path) - 1); /* x.pyc -> x.py */
	if (dko_context_kind(f->ctx, src) != DKO_CTX_FILE)
		f->pyc_orphan = true;
	free(src);
}

static int visit_dir(found *f, const dko_context_entry *e)
{
	static const char *const vcs[] = {".git", ".hg", ".svn", ".bzr"};
	static const char *const junk[] = {".idea", ".vscode", ".vs", ".pytest_cache", ".mypy_cache",
	                                   ".ruff_cache", ".tox", ".nox"};
	const char *n = e->name;
	if (one_of(n, vcs, 4)) {
		if (e->depth == 1)
			push(&f->vcs, e->path);
		return DKO_CONTEXT_WALK_SKIP;
	}
	if (!strcmp(n, "node_modules"))
		return push(&f->node_modules, e->path), DKO_CONTEXT_WALK_SKIP;
	if (!strcmp(n, "__pycache__"))
		return push(&f->pycache, e->path), DKO_CONTEXT_WALK_SKIP;
	if (one_of(n, junk, sizeof(junk) / sizeof(junk[0])))
		return push(&f->junk, e->path), DKO_CONTEXT_WALK_SKIP;
	if (!strcmp(n, ".venv"))
		return push(&f->venvs, e->path), DKO_CONTEXT_WALK_SKIP;
	if (e->depth == 1 && (!strcmp(n, "target") || !strcmp(n, "build")))
		return push(&f->outputs, e->path), DKO_CONTEXT_WALK_SKIP;
	return 0;
}

static void visit_file(found *f, const dko_context_entry *e)
{
	const char *n = e->name;
	if (e->depth == 1 && !strcmp(n, ".git")) /* a worktree's or submodule's link to its git folder */
		push(&f->vcs, e->path);
	else if (ends_with(n, ".pyc") || ends_with(n, ".pyo"))
		note_pyc(f, e);
	else if (ends_with(n, ".log"))
		push(&f->logs, e->path);
	else if (!strcmp(n, ".DS_Store") || ends_with(n, ".swp") || ends_with(n, ".swo"))
		push(&f->junk, e->path);
	else if (e->depth == 1 && (!strcmp(n, ".env") || !strncmp(n, ".env.", 5)))
		push(&f->envs, e->path);
	/* Another Dockerfile anywhere in the context may be built from it too
	 * (docker build -f sub/x.Dockerfile .) and would share the file. */
	bool df = dko_is_dockerfile_name(n, NULL) || !strncmp(n, "Dockerfile", 10) ||
	          !strncmp(n, "Containerfile", 13) || ends_with(n, ".dockerfile") || ends_with(n, ".Dockerfile") ||
	          ends_with(n, ".containerfile") || ends_with(n, ".Containerfile");
	if (df && !ends_with(n, ".dockerignore") && !ends_with(n, ".containerignore") &&
	    (!f->self || strcmp(f->self, e->path)))
		push(&f->dockerfiles, e->path);
}

static int visit(const dko_context_entry *e, void *payload)
{
	found *f = payload;
	if (e->excluded)
		return e->kind == DKO_CTX_DIR ? DKO_CONTEXT_WALK_SKIP : 0;
	if (e->kind == DKO_CTX_DIR)
		return visit_dir(f, e);
	if (e->kind == DKO_CTX_FILE)
		visit_file(f, e);
	return 0;
}

/* ---- what the Dockerfile does with the context ----------------------------------------------- */

/* Folders (context paths) where an install or a build runs after a whole
 * COPY of its stage, and the first whole COPY. */
typedef struct usage {
	uint32_t first_whole;         /* first whole-context COPY/ADD, or UINT32_MAX */
	unsigned nwhole;              /* stages that copy the whole context */
	dko_cu_paths fresh_in_stage;  /* this stage's node_modules rebuilt (scratch) */
	dko_co_copy whole;            /* its mapping */
	dko_cu_paths installs_after;  /* node_modules rebuilt: their folder */
	dko_cu_paths installs_any;    /* installs anywhere (for suggestions) */
	dko_cu_paths outputs;         /* build outputs rebuilt after the COPY */
	dko_cu_paths sources;         /* context paths COPY/ADD/mounts name */
} usage;

static bool listed(const dko_cu_paths *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (!strcmp(v->items[i], s))
			return true;
	return false;
}

/* An install that rebuilds node_modules from scratch in its folder:
 * `npm ci` deletes it first. (npm install, yarn and pnpm reuse what they
 * find, so a copied node_modules may stay in the image: leaving it out of
 * the context would change the image.) */
static bool is_node_install(const dko_pkg_op *op, const dko_sh_script *s)
{
	if (op->manager != DKO_PM_NPM || op->verb != DKO_PV_INSTALL || op->global || op->npackages)
		return false;
	const dko_sh_cmd *cmd = dko_sh_cmd_at(s, op->cmd_index);
	bool ci = false;
	for (uint32_t k = 1; cmd && k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (!w)
			return false;
		if (!strcmp(w, "ci") || !strcmp(w, "clean-install"))
			ci = true;
		/* another folder than the WORKDIR */
		if (!strncmp(w, "--prefix", 8) || !strcmp(w, "-C") || !strncmp(w, "--cwd", 5) ||
		    !strncmp(w, "--dir", 5) || !strncmp(w, "--workspace", 11) || !strcmp(w, "-w"))
			return false;
	}
	return ci;
}

/* Does the script change folder before its last command (cd, pushd)? */
static bool changes_dir(const dko_sh_script *s)
{
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(s, i);
		const char *n = x->nwords ? x->words[0].lit : NULL;
		if (n && (!strcmp(n, "cd") || !strcmp(n, "pushd") || !strcmp(n, "popd")))
			return true;
	}
	return false;
}

static void note_ops(dko_pass_ctx *c, usage *u, uint32_t k, const dko_co_copy *whole, bool after)
{
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(c, k, &nops);
	const dko_sh_script *s = dko_pass_script(c, k);
	char *dir = dko_cu_workdir(c, k, whole);
	bool moved = s && changes_dir(s);
	for (size_t i = 0; dir && i < nops; i++) {
		const dko_pkg_op *op = &ops[i];
		if (!moved && is_node_install(op, s)) {
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%s%snode_modules", dir, *dir ? "/" : "");
			char *nm = dko_buf_detach(&b, NULL);
			if (after && !listed(&u->fresh_in_stage, nm))
				DKO_VEC_PUSH(&u->fresh_in_stage, dko_xstrdup(nm));
			DKO_VEC_PUSH(&u->installs_any, nm);
		} else if (after && op->verb == DKO_PV_BUILD && op->output && op->output[0] != '/' &&
		           (op->manager == DKO_PM_CARGO || op->manager == DKO_PM_MVN || op->manager == DKO_PM_GRADLE)) {
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%s%s%s", dir, *dir ? "/" : "", op->output);
			DKO_VEC_PUSH(&u->outputs, dko_buf_detach(&b, NULL));
		}
	}
	free(dir);
}

/* One stage: its first whole COPY (if any) and its RUNs, mapped through it.
 * A node_modules counts as rebuilt only when every stage that copies the
 * whole context rebuilds it (installs_after keeps one entry per stage). */
static void scan_stage(dko_pass_ctx *c, usage *u, const dko_stage *st)
{
	dko_co_copy whole = {0};
	uint32_t at = UINT32_MAX;
	for (uint32_t k = st->from_node; k < st->end_node && at == UINT32_MAX; k++)
		if (dko_co_copies_whole(c, k))
			at = k;
	if (at == UINT32_MAX)
		return;
	if (u->first_whole == UINT32_MAX)
		u->first_whole = at;
	u->nwhole++;
	dko_co_copy_get(c, at, &whole);
	free((char *)whole.source);
	whole.source = dko_xstrdup(""); /* '.', '/' and '*' all map the root to dest */
	for (uint32_t k = st->from_node; whole.dest && k < st->end_node; k++) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind == DKO_NODE_INSTR && n->instr->kind == DKO_I_RUN)
			note_ops(c, u, k, &whole, k > at);
	}
	for (size_t i = 0; i < u->fresh_in_stage.len; i++)
		DKO_VEC_PUSH(&u->installs_after, u->fresh_in_stage.items[i]);
	u->fresh_in_stage.len = 0;
	dko_co_copy_release(&whole);
}

static void usage_scan(dko_pass_ctx *c, usage *u)
{
	memset(u, 0, sizeof(*u));
	u->first_whole = UINT32_MAX;
	for (uint32_t s = 0; s < dko_graph_stage_count(c->graph); s++)
		scan_stage(c, u, dko_graph_stage(c->graph, s));
	dko_cu_sources(c, &u->sources);
	if (u->first_whole != UINT32_MAX) {
		dko_co_copy_get(c, u->first_whole, &u->whole);
		free((char *)u->whole.source);
		u->whole.source = dko_xstrdup("");
	}
}

static void usage_free(usage *u)
{
	dko_cu_paths_free(&u->installs_after);
	dko_cu_paths_free(&u->installs_any);
	dko_cu_paths_free(&u->outputs);
	dko_cu_paths_free(&u->sources);
	dko_cu_paths_free(&u->fresh_in_stage);
	dko_co_copy_release(&u->whole);
}

/* Whether any instruction's text mentions word (e.g. ".venv"). */
static bool mentioned(const dko_pass_ctx *c, const char *word)
{
	for (uint32_t i = 0; i < c->doc->nnodes; i++) {
		const dko_node *n = &c->doc->nodes[i];
		if (n->kind == DKO_NODE_INSTR && strstr(n->instr->text, word))
			return true;
	}
	return false;
}

/* Commands that do not read a project's version-control metadata. */
static const char vcs_blind[] =
	"|mkdir|chmod|chown|chgrp|ln|cp|mv|rm|rmdir|echo|printf|touch|true|false|:|set|export|unset|cd|"
	"pushd|popd|test|[|ls|cat|head|tail|sed|grep|tar|gzip|gunzip|unzip|bzip2|xz|zstd|curl|wget|"
	"useradd|adduser|groupadd|addgroup|usermod|id|sha256sum|sha512sum|sha1sum|md5sum|gpg|gpgconf|"
	"dpkg|dpkg-architecture|update-ca-certificates|ldconfig|locale-gen|localedef|sleep|date|uname|"
	"which|command|tee|sort|uniq|cut|tr|wc|dirname|basename|readlink|realpath|install|stat|umask|"
	"ulimit|apt-get|apt|apk|dnf|yum|microdnf|zypper|update-alternatives|setcap|rpm|gosu|su-exec|"
	"ca-certificates|savelog|mktemp|find|";

static bool blind(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 40 || strchr(name, '|'))
		return false;
	char key[48];
	snprintf(key, sizeof(key), "|%s|", name);
	return strstr(vcs_blind, key) != NULL;
}

/* A RUN step whose commands dockopt cannot see into (a build, a script, a
 * program of the project, pip install . of a local package) may read
 * version-control metadata one level down: a Makefile include running git
 * describe, a bundler config, a dynamic-versioning plugin. */
static bool run_opaque_to_vcs(dko_pass_ctx *c, uint32_t k, char *why, size_t wl)
{
	const dko_node *nd = &c->doc->nodes[k];
	const dko_instr *in = nd->instr->kind == DKO_I_ONBUILD ? nd->instr->sub : nd->instr;
	if (!in || in->kind != DKO_I_RUN)
		return false;
	dko_sh_script *s = in->json ? NULL : dko_pass_script(c, k);
	if (!s || dko_sh_is_opaque(s))
		return snprintf(why, wl, "dockopt cannot read its commands"), true;
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(c, k, &nops);
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(s, i);
		const dko_pkg_op *op = NULL;
		for (size_t o = 0; o < nops && !op; o++)
			if (ops[o].cmd_index == i)
				op = &ops[o];
		if (op) {
			/* Go, Cargo, Maven and Gradle builds read their own configuration,
			 * which ctxuse checks (stamping, build.rs, plugins); make and
			 * package scripts can run anything. */
			bool checked = op->manager == DKO_PM_GO || op->manager == DKO_PM_CARGO ||
			               op->manager == DKO_PM_MVN || op->manager == DKO_PM_GRADLE;
			if (op->verb == DKO_PV_BUILD && !checked)
				return snprintf(why, wl, "it runs a build with %s", dko_pm_name(op->manager)), true;
			for (uint32_t r = 0; op->verb == DKO_PV_INSTALL && r < op->npackages + op->nreads; r++) {
				const char *pk = r < op->npackages ? op->packages[r] : op->reads[r - op->npackages];
				if (!strcmp(pk, ".") || !strncmp(pk, "./", 2) || !strncmp(pk, "../", 3) || pk[0] == '/')
					return snprintf(why, wl, "it installs the local package %s", pk), true;
			}
			continue;
		}
		if (!x->nwords)
			continue;
		const char *a0 = x->words[0].lit;
		if (!a0 || !blind(dko_fs_basename(a0)))
			return snprintf(why, wl, "it runs `%s`, which dockopt cannot see into",
			                a0 ? a0 : x->words[0].raw), true;
	}
	return false;
}

/* The first step that may read VCS metadata: anywhere in the file (a bind
 * mount of the context reads it before any COPY). */
static bool vcs_read(dko_pass_ctx *c, const usage *u, char *why, size_t wl)
{
	for (uint32_t k = 0; k < c->doc->nnodes; k++) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		dko_instr_kind kind = n->instr->kind;
		if (kind != DKO_I_RUN && kind != DKO_I_CMD && kind != DKO_I_ENTRYPOINT &&
		    kind != DKO_I_HEALTHCHECK && kind != DKO_I_ONBUILD)
			continue;
		char r[256];
		if (dko_cu_reads_vcs(c, c->context, k, u->whole.dest ? &u->whole : NULL, r, sizeof(r))) {
			snprintf(why, wl, "the %s at line %u may read version-control metadata (%s)",
			         dko_instr_name(kind), dko_pass_input_line(c, k), r);
			return true;
		}
		if (run_opaque_to_vcs(c, k, r, sizeof(r))) {
			snprintf(why, wl, "the RUN at line %u may read version-control metadata (%s)",
			         dko_pass_input_line(c, k), r);
			return true;
		}
	}
	return false;
}

/* ---- the proposal ------------------------------------------------------------------------------- */

static void add(proposal *p, const char *pattern, const char *group)
{
	for (size_t i = 0; i < p->list.len; i++)
		if (!strcmp(p->list.items[i].pattern, pattern))
			return;
	entry e = {dko_xstrdup(pattern), group};
	DKO_VEC_PUSH(&p->list, e);
}

static void maybe(proposal *p, const char *what, const char *why)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s stays in the build context: %s", what, why);
	DKO_VEC_PUSH(&p->maybe, dko_buf_detach(&b, NULL));
}

/* A pattern for entries named like the last component of paths: the name
 * at the root, or **\/name when some lie deeper. */
static void add_named(proposal *p, const dko_cu_paths *paths, const char *name, const char *group)
{
	bool deep = false;
	for (size_t i = 0; i < paths->len; i++)
		deep |= strchr(paths->items[i], '/') != NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s%s", deep ? "**/" : "", name);
	add(p, dko_buf_cstr(&b), group);
	dko_buf_release(&b);
}

/* Whether no COPY/ADD names any of paths (parents: a COPY of a folder
 * holding one counts too). */
static bool unnamed(const usage *u, const dko_cu_paths *paths, bool parents)
{
	for (size_t i = 0; i < paths->len; i++)
		if (dko_cu_names(&u->sources, paths->items[i], parents))
			return false;
	return true;
}

static void propose_vcs(dko_pass_ctx *c, const found *f, const usage *u, proposal *p)
{
	char why[400];
	bool read = f->vcs.len && vcs_read(c, u, why, sizeof(why));
	for (size_t i = 0; i < f->vcs.len; i++) {
		if (read || !unnamed(u, &(dko_cu_paths){&f->vcs.items[i], 1, 1}, false))
			maybe(p, f->vcs.items[i], read ? why : "the Dockerfile copies it");
		else
			add(p, f->vcs.items[i], "version control");
	}
}

static void propose_deps(const found *f, const usage *u, proposal *p)
{
	for (size_t i = 0; i < f->node_modules.len; i++) {
		const char *nm = f->node_modules.items[i];
		dko_cu_paths one = {(char **)&f->node_modules.items[i], 1, 1};
		unsigned fresh = 0;
		for (size_t k = 0; k < u->installs_after.len; k++)
			fresh += !strcmp(u->installs_after.items[k], nm);
		if (fresh && fresh == u->nwhole && unnamed(u, &one, true))
			add(p, nm, "dependencies installed in the image");
		else if (fresh)
			maybe(p, nm, "a stage that copies the whole context does not rebuild it with npm ci");
		else if (listed(&u->installs_any, nm))
			maybe(p, nm, "no `npm ci` rebuilds it from scratch after the COPY (npm install, yarn and "
			             "pnpm keep what they find), so leaving it out could change the image");
	}
	for (size_t i = 0; i < f->outputs.len; i++) {
		/* cargo, maven and gradle keep what they find in their output
		 * folder (only a clean removes it): left out, the image changes. */
		if (listed(&u->outputs, f->outputs.items[i]))
			maybe(p, f->outputs.items[i], "the build writes there but keeps files it finds, so leaving "
			                              "it out could change what it packages");
	}
}

static void propose_junk(dko_pass_ctx *c, const found *f, const usage *u, proposal *p)
{
	if (f->pycache.len && unnamed(u, &f->pycache, true))
		add_named(p, &f->pycache, "__pycache__", "Python bytecode, rebuilt from the sources");
	if (f->pyc.len && !f->pyc_orphan && unnamed(u, &f->pyc, true))
		add_named(p, &f->pyc, "*.pyc", "Python bytecode, rebuilt from the sources");
	for (size_t i = 0; i < f->venvs.len; i++) {
		dko_cu_paths one = {(char **)&f->venvs.items[i], 1, 1};
		if (!mentioned(c, ".venv") && unnamed(u, &one, true))
			add(p, f->venvs.items[i], "a local virtual environment");
	}
	/* A .log file may be data the build or the program reads (test
	 * fixtures, samples): only suggested. */
	if (f->logs.len && unnamed(u, &f->logs, true))
		maybe(p, f->logs.items[0], f->logs.len > 1 ? "*.log files may be data the build or the program reads "
		                                              "(test fixtures, samples); add **/*.log if they are not"
		                                            : "a .log file may be data the build or the program reads; "
		                                              "add it to .dockerignore if it is not");
	for (size_t i = 0; i < f->junk.len; i++) {
		const char *name = dko_fs_basename(f->junk.items[i]);
		dko_cu_paths one = {(char **)&f->junk.items[i], 1, 1};
		if (mentioned(c, name) || !unnamed(u, &one, true))
			continue;
		const char *pat = ends_with(name, ".swp") ? "*.swp" : ends_with(name, ".swo") ? "*.swo" : name;
		dko_cu_paths same = {0};
		for (size_t k = 0; k < f->junk.len; k++) {
			const char *o = dko_fs_basename(f->junk.items[k]);
			if (!strcmp(o, name) || (pat != name && ends_with(o, pat + 1)))
				DKO_VEC_PUSH(&same, f->junk.items[k]);
		}
		add_named(p, &same, pat, "editor, OS and tool files");
		DKO_VEC_FREE(&same);
	}
	for (size_t i = 0; i < f->envs.len; i++)
		maybe(p, f->envs.items[i],
		      "an application may read it at run time; add it to .dockerignore if it does not");
}

/* The file, grouped under comment lines in the order groups first appear. */
static void render(const proposal *p, dko_buf *out)
{
	dko_buf_puts(out, "# Proposed by dockopt: what the build context holds but the image does not need.\n");
	/* The file itself would otherwise be copied into the image by COPY . */
	dko_buf_puts(out, "# this file (the builder still reads it)\n.dockerignore\n");
	bool *done = dko_xcalloc(p->list.len + 1, sizeof(bool));
	for (size_t i = 0; i < p->list.len; i++) {
		if (done[i])
			continue;
		dko_buf_printf(out, "# %s\n", p->list.items[i].group);
		for (size_t k = i; k < p->list.len; k++)
			if (!done[k] && !strcmp(p->list.items[k].group, p->list.items[i].group)) {
				dko_buf_printf(out, "%s\n", p->list.items[k].pattern);
				done[k] = true;
			}
	}
	free(done);
}

static void patterns(const proposal *p, dko_buf *b)
{
	for (size_t i = 0; i < p->list.len; i++)
		dko_buf_printf(b, "%s%s", i ? ", " : "", p->list.items[i].pattern);
}

/* ---- the pass ------------------------------------------------------------------------------------- */

/* The ignore file that applies: the context's, or <Dockerfile>.dockerignore
 * next to a Dockerfile that lives outside the context (BuildKit reads it
 * there). Malloc'd, or NULL. */
static char *ignore_file(const dko_pass_ctx *c, const found *f)
{
	const char *ig = dko_context_ignore_file(c->context);
	if (ig)
		return dko_xstrdup(ig);
	const char *path = c->opts ? c->opts->path : NULL;
	if (f->self || !path || !strcmp(path, "-") || !strcmp(path, "<stdin>"))
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s.dockerignore", path);
	char *side = dko_buf_detach(&b, NULL);
	struct stat st;
	if (stat(side, &st) == 0)
		return side;
	free(side);
	return NULL;
}

static void report(dko_pass_ctx *c, const found *f, const usage *u, proposal *p)
{
	uint32_t at = u->first_whole;
	char *ig = ignore_file(c, f);
	dko_buf pats = DKO_BUF_INIT;
	patterns(p, &pats);
	if (p->list.len && !ig && !f->dockerfiles.len) {
		dko_buf text = DKO_BUF_INIT;
		render(p, &text);
		dko_pass_add_file(c, ".dockerignore", text.ptr, text.len);
		dko_pass_applied(c, at, at, "proposed a .dockerignore leaving out %s: the build context holds "
		                 "them, the image does not need them, and a change to them no longer re-runs "
		                 "this COPY", dko_buf_cstr(&pats));
		dko_buf_release(&text);
	} else if (p->list.len && ig) {
		dko_pass_suggest(c, at, "this COPY sends the whole build context; adding %s to %s would keep "
		                 "out what the image does not need", dko_buf_cstr(&pats), ig);
	} else if (p->list.len) {
		dko_pass_suggest(c, at, "this COPY sends the whole build context; a .dockerignore could leave "
		                 "out %s, which the image does not need (dockopt does not write one because "
		                 "%s is in the same build context and would share it; BuildKit also reads "
		                 "<Dockerfile name>.dockerignore for one Dockerfile alone)", dko_buf_cstr(&pats),
		                 f->dockerfiles.items[0]);
	}
	for (size_t i = 0; i < p->maybe.len; i++)
		dko_pass_suggest(c, at, "%s", p->maybe.items[i]);
	dko_buf_release(&pats);
	free(ig);
}

static void with_context(dko_pass_ctx *c, usage *u)
{
	found f = {0};
	f.ctx = c->context;
	char *self = dko_co_dockerfile_rel(c);
	f.self = self;
	dko_context_walk_opts wo = {WALK_LIMIT, 16, true};
	dko_context_walk_stats ws = {0};
	dko_context_walk(c->context, "", &wo, visit, &f, &ws);
	proposal p = {0};
	propose_vcs(c, &f, u, &p);
	propose_deps(&f, u, &p);
	propose_junk(c, &f, u, &p);
	if (ws.truncated && p.list.len)
		maybe(&p, "what dockopt did not look at", "the context holds too many entries");
	report(c, &f, u, &p);
	for (size_t i = 0; i < p.list.len; i++)
		free(p.list.items[i].pattern);
	DKO_VEC_FREE(&p.list);
	for (size_t i = 0; i < p.maybe.len; i++)
		free(p.maybe.items[i]);
	DKO_VEC_FREE(&p.maybe);
	found_free(&f);
	free(self);
}

static int run(dko_pass_ctx *c)
{
	usage u;
	usage_scan(c, &u);
	if (u.first_whole != UINT32_MAX && !dko_pass_disabled_at(c, u.first_whole)) {
		const char *why = NULL;
		if (dko_co_context(c, &why))
			with_context(c, &u);
		else if (!why)
			dko_pass_suggest(c, u.first_whole, "this COPY sends the whole build context; dockopt could "
			                 "not read the context to check its .dockerignore (give one with --context DIR)");
	}
	usage_free(&u);
	return 0;
}

const dko_pass dko_pass_dockerignore = {
	{"dockerignore", NULL, DKO_TIER_SAFE, REASON,
	 "`COPY . .` sends the whole build context and copies all of it into the image:\n"
	 "version control folders, local dependency folders, caches, logs and editor files\n"
	 "make the image bigger, and every change to them re-runs the COPY and everything\n"
	 "after it. When the context has no ignore file (.dockerignore,\n"
	 "<Dockerfile>.dockerignore, .containerignore), dockopt proposes a .dockerignore with\n"
	 "what exists in the context and the image does not need: .git (only when no step\n"
	 "may read version-control metadata: git describe, setuptools-scm, a Go build, or\n"
	 "any command dockopt cannot see into such as make or a script), node_modules when\n"
	 "every stage that copies the context rebuilds it with npm ci, Python bytecode,\n"
	 ".venv, .idea, .vscode, and itself. It never lists a path the Dockerfile copies or\n"
	 "reads; .env and *.log files, target/ and build/ are only suggested, and with other\n"
	 "Dockerfiles in the context it only suggests.\n"
	 "\n"
	 "Proposed .dockerignore:\n"
	 "  # version control\n"
	 "  .git\n"
	 "  # dependencies installed in the image\n"
	 "  node_modules\n"},
	run,
};
