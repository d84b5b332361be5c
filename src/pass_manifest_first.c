/*
 * pass_manifest_first.c - manifest-first: when a COPY of the sources comes
 * right before a dependency install that reads only manifest files, the
 * manifests are copied first and the install moves between them and the
 * full COPY:
 *
 *     COPY . .                          COPY requirements.txt ./
 *     RUN pip install -r requirements.txt   ->  RUN pip install -r requirements.txt
 *                                       COPY . .
 *
 * so that a change to any other file reuses the install layer. For a build
 * that downloads its dependencies itself (go build, mvn package) a download
 * step is inserted instead: COPY go.mod go.sum ./ + RUN go mod download.
 *
 * The pattern: a COPY/ADD of a context folder (usually the whole context)
 * into a known destination D with only --chown/--chmod/--link, then (with
 * only comments and metadata between) a shell-form RUN whose WORKDIR lies in
 * D (pip may also work elsewhere when it names its files by absolute paths).
 * A moved RUN may hold, besides the install, only commands that read no
 * source: `set`, literal exports, cleanups of absolute paths, registry
 * installs by name (pip install --upgrade pip), `python -m venv` outside D,
 * `corepack enable`, `bundle config`; never a `cd` or a command
 * substitution. An inserted step carries the build RUN's mounts (caches,
 * secrets, ssh), network and security flags, and is made only when the
 * build sets none of the variables the download reads. What
 * the manifests must satisfy is in mfirst_eco.c; every manifest must exist
 * in the context, be a regular file and not be excluded by the ignore file.
 *
 * Without a build context, or when a check fails, the pass only suggests,
 * saying why. Cargo builds are always a suggestion: they need the sources.
 */
#include "cleanup.h"
#include "mfirst.h"
#include "runedit.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#define REASON                                                                           \
	"Copy dependency manifests and install before copying the sources: a source change then " \
	"reuses the install."

typedef enum key_kind { KEY_NONE, KEY_INSTALL, KEY_BUILD, KEY_CARGO } key_kind;

/* ---- the install and its RUN ------------------------------------------------------------ */

static bool has_r_flag(const dko_pkg_op *op)
{
	for (uint32_t i = 0; i < op->nflags; i++)
		if (mf_opt_value(op->flags[i], "-r", "--requirement"))
			return true;
	return false;
}

/* What kind of key operation op is, if any. */
static key_kind key_of(const dko_pkg_op *op)
{
	switch (op->manager) {
	case DKO_PM_PIP:
		return op->verb == DKO_PV_INSTALL && has_r_flag(op) ? KEY_INSTALL : KEY_NONE;
	case DKO_PM_NPM: case DKO_PM_YARN: case DKO_PM_PNPM: case DKO_PM_COMPOSER:
		return op->verb == DKO_PV_INSTALL && !op->global && !op->npackages ? KEY_INSTALL : KEY_NONE;
	case DKO_PM_BUNDLE:
		return op->verb == DKO_PV_INSTALL ? KEY_INSTALL : KEY_NONE;
	case DKO_PM_GO: case DKO_PM_MVN:
		return op->verb == DKO_PV_DOWNLOAD ? KEY_INSTALL : op->verb == DKO_PV_BUILD ? KEY_BUILD : KEY_NONE;
	case DKO_PM_CARGO:
		return op->verb == DKO_PV_BUILD || op->verb == DKO_PV_DOWNLOAD ? KEY_CARGO : KEY_NONE;
	default:
		return KEY_NONE;
	}
}

/* The key operation of the RUN: an install wins over a build. */
static const dko_pkg_op *find_key(const dko_pkg_op *ops, size_t n, key_kind *kind)
{
	static const key_kind order[] = {KEY_INSTALL, KEY_BUILD, KEY_CARGO};
	for (size_t o = 0; o < 3; o++)
		for (size_t i = 0; i < n; i++)
			if (key_of(&ops[i]) == order[o]) {
				*kind = order[o];
				return &ops[i];
			}
	*kind = KEY_NONE;
	return NULL;
}

/* "pip install", "npm ci", "go build", "mvn package": for messages. */
static char *describe(const dko_sh_script *s, const dko_pkg_op *op)
{
	const dko_sh_cmd *cmd = dko_sh_cmd_at(s, op->cmd_index);
	const char *verb = NULL, *sub = NULL;
	for (uint32_t i = 1; i < cmd->nwords && !sub; i++) {
		const char *w = cmd->words[i].lit;
		if (!w || w[0] == '-' || !strcmp(w, "pip") || strchr(w, '='))
			continue;
		if (verb)
			sub = w;
		else
			verb = w;
		if (strcmp(w, "mod"))
			break; /* "go mod download" takes two words */
	}
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s %s%s%s", dko_pm_name(op->manager), verb ? verb : "install", sub ? " " : "",
	               sub ? sub : "");
	return dko_buf_detach(&b, NULL);
}

/* Managers whose installs by name write into the project (package.json,
 * go.mod ...): allowed next to the key install only when global. */
static bool writes_project(dko_pm pm)
{
	return pm == DKO_PM_NPM || pm == DKO_PM_YARN || pm == DKO_PM_PNPM || pm == DKO_PM_COMPOSER ||
	       pm == DKO_PM_BUNDLE || pm == DKO_PM_POETRY || pm == DKO_PM_UV || pm == DKO_PM_GO ||
	       pm == DKO_PM_CARGO || pm == DKO_PM_MVN || pm == DKO_PM_GRADLE || pm == DKO_PM_MAKE;
}

static bool op_reads_nothing(const dko_pkg_op *op)
{
	if (op->nreads || op->dynamic)
		return false;
	switch (op->verb) {
	case DKO_PV_INSTALL: case DKO_PV_UPGRADE:
		return op->npackages && (!writes_project(op->manager) || op->global);
	case DKO_PV_UPDATE: case DKO_PV_CLEAN: case DKO_PV_REMOVE:
		return !writes_project(op->manager) || op->global || op->verb == DKO_PV_CLEAN;
	default:
		return false;
	}
}

/* rm of absolute (or home) paths outside the project folder. */
static bool rm_outside(const mf_plan *p, const dko_sh_cmd *cmd)
{
	for (uint32_t k = 1; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (!w)
			return false;
		if (w[0] == '-' || !strncmp(w, "~/", 2))
			continue;
		char *abs = w[0] == '/' ? dko_co_path_join(NULL, w) : NULL;
		bool ok = abs && !dko_co_paths_overlap(abs, p->cp.dest);
		free(abs);
		if (!ok)
			return false;
	}
	return true;
}

static bool harmless(const dko_sh_cmd *cmd)
{
	if (cmd->nwords == 0)
		return true;
	const char *n = cmd->words[0].lit;
	if (n && !strcmp(n, "corepack"))
		return cmd->nwords == 2 && cmd->words[1].lit && !strcmp(cmd->words[1].lit, "enable");
	return n && (!strcmp(n, "set") || !strcmp(n, "export") || !strcmp(n, "true") || !strcmp(n, ":"));
}

/* python -m venv [options] /abs: a virtual environment outside the project. */
static bool venv_outside(const mf_plan *p, const dko_sh_cmd *cmd)
{
	const char *n = cmd->nwords > 3 ? cmd->words[0].lit : NULL;
	if (!n || strncmp(n, "python", 6) || !cmd->words[1].lit || strcmp(cmd->words[1].lit, "-m") ||
	    !cmd->words[2].lit || strcmp(cmd->words[2].lit, "venv"))
		return false;
	size_t dirs = 0;
	for (uint32_t k = 3; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (!w)
			return false;
		if (w[0] == '-')
			continue;
		char *abs = w[0] == '/' ? dko_co_path_join(NULL, w) : NULL;
		bool ok = abs && !dko_co_paths_overlap(abs, p->cp.dest);
		free(abs);
		if (!ok)
			return false;
		dirs++;
	}
	return dirs > 0;
}

/* Every command of a RUN that moves is the key install or reads no source. */
static bool extras_ok(mf_plan *p, const dko_pkg_op *ops, size_t nops, const dko_pkg_op *key)
{
	for (size_t i = 0; i < dko_sh_cmd_count(p->s); i++) {
		const dko_sh_cmd *cmd = dko_sh_cmd_at(p->s, i);
		for (uint32_t k = 0; k < cmd->nwords; k++)
			if (cmd->words[k].has_subst)
				return mf_fail(p, "it uses a command substitution");
		const char *name = cmd->nwords ? cmd->words[0].lit : NULL;
		if (name && (!strcmp(name, "cd") || !strcmp(name, "pushd")))
			return mf_fail(p, "it changes folder with `%s`", name);
		if (harmless(cmd) || (name && !strcmp(name, "rm") && rm_outside(p, cmd)) || venv_outside(p, cmd) ||
		    (key->manager == DKO_PM_BUNDLE && name && !strcmp(name, "bundle") && cmd->nwords > 1 &&
		     cmd->words[1].lit && !strcmp(cmd->words[1].lit, "config")))
			continue;
		bool any = false, ok = true;
		for (size_t k = 0; k < nops; k++) {
			if (ops[k].cmd_index != i)
				continue;
			any = true;
			bool is_key = ops[k].manager == key->manager && key_of(&ops[k]) == KEY_INSTALL;
			ok &= is_key || op_reads_nothing(&ops[k]);
		}
		if (!any || !ok)
			return mf_fail(p, "it also runs `%s`, which may need the sources", name ? name : cmd->words[0].raw);
	}
	return true;
}

/* Check every key operation of the key's manager and kind. */
static bool check_keys(mf_plan *p, const dko_pkg_op *ops, size_t nops, const dko_pkg_op *key)
{
	for (size_t i = 0; i < nops; i++) {
		const dko_pkg_op *op = &ops[i];
		if (op->manager != key->manager || key_of(op) != key_of(key) || op->verb != key->verb)
			continue;
		if (op->dynamic)
			return mf_fail(p, "its arguments are computed when it runs");
		if (op->manager != DKO_PM_PIP && !p->cwd_rel)
			return mf_fail(p, "it runs in %s, outside %s where the COPY puts the files", p->cwd,
			               p->cp.dest);
		bool ok;
		switch (op->manager) {
		case DKO_PM_PIP: ok = mf_eco_pip(p, op); break;
		case DKO_PM_NPM: case DKO_PM_YARN: case DKO_PM_PNPM: ok = mf_eco_node(p, op); break;
		case DKO_PM_BUNDLE: ok = mf_eco_bundle(p, op); break;
		case DKO_PM_COMPOSER: ok = mf_eco_composer(p, op); break;
		case DKO_PM_GO: ok = mf_eco_go(p, op); break;
		default: ok = mf_eco_maven(p, op); break;
		}
		if (!ok)
			return false;
		if (key_of(key) == KEY_BUILD)
			break; /* one download step */
	}
	return true;
}

/* ---- an inserted download step ---------------------------------------------------------- */

/* The RUN's flags as the download step carries them, or false. */
static bool carried_flags(mf_plan *p, dko_buf *out)
{
	const dko_instr *in = p->c->doc->nodes[p->run].instr;
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		bool mount = f->name_len == 5 && !memcmp(f->name, "mount", 5);
		bool other = (f->name_len == 7 && !memcmp(f->name, "network", 7)) ||
		             (f->name_len == 8 && !memcmp(f->name, "security", 8));
		if (mount && f->value) {
			const char *v = f->value;
			mount = strstr(v, "type=cache") || strstr(v, "type=secret") || strstr(v, "type=ssh") ||
			        strstr(v, "type=tmpfs");
		}
		if (!mount && !other)
			return mf_fail(p, "its flag %.*s cannot be carried over to a download step", (int)f->len, f->text);
		char *raw = dko_co_span_text(in, f->span);
		dko_buf_printf(out, "%s ", raw);
		free(raw);
	}
	return true;
}

/* Variables the download reads: a build that sets them (VAR=x go build,
 * export VAR=x) would download differently. */
static bool build_env_ok(mf_plan *p)
{
	static const char *const vars[] = {"GOFLAGS", "GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB",
	                                   "GONOSUMCHECK", "GOSUMDB", "GOINSECURE", "GOTOOLCHAIN",
	                                   "GOWORK", "GO111MODULE", "GOPATH", "GOMODCACHE", "GOENV",
	                                   "HOME", "MAVEN_OPTS", "MAVEN_ARGS", "MAVEN_CONFIG"};
	for (size_t i = 0; i < dko_sh_cmd_count(p->s); i++) {
		const dko_sh_cmd *cmd = dko_sh_cmd_at(p->s, i);
		const char *name = cmd->nwords ? cmd->words[0].lit : NULL;
		bool exp = name && !strcmp(name, "export");
		if (name && (!strcmp(name, "cd") || !strcmp(name, "pushd")))
			return mf_fail(p, "it changes folder with `%s`", name);
		for (uint32_t k = 0; k < cmd->nassigns + (exp ? cmd->nwords : 0); k++) {
			const char *a = k < cmd->nassigns ? cmd->assigns[k].raw : cmd->words[k - cmd->nassigns].raw;
			for (size_t v = 0; v < sizeof(vars) / sizeof(vars[0]); v++) {
				size_t l = strlen(vars[v]);
				if (!strncmp(a, vars[v], l) && a[l] == '=')
					return mf_fail(p, "it sets %s, which the download step would need too", vars[v]);
			}
		}
	}
	return true;
}

/* Whether a RUN of the stage before the COPY already downloads with pm. */
static bool already_downloads(const mf_plan *p, dko_pm pm)
{
	int stage = dko_graph_instr(p->c->graph, p->copy)->stage;
	uint32_t from = dko_graph_stage(p->c->graph, (uint32_t)stage)->from_node;
	for (uint32_t k = from; k < p->copy; k++) {
		const dko_node *n = &p->c->doc->nodes[k];
		if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
			continue;
		size_t nops;
		const dko_pkg_op *ops = dko_cleanup_ops(p->c, k, &nops);
		for (size_t i = 0; i < nops; i++)
			if (ops[i].manager == pm && ops[i].verb == DKO_PV_DOWNLOAD)
				return true;
	}
	return false;
}

/* ---- rendering ------------------------------------------------------------------------------- */

/* The COPY's indent (the bytes before its keyword). */
static void put_indent(dko_buf *b, const dko_doc *doc, uint32_t node)
{
	const dko_node *n = &doc->nodes[node];
	uint32_t kw = dko_node_phys(n, n->instr->keyword.start);
	dko_buf_put(b, doc->src + n->span.start, kw - n->span.start);
}

/* The destination as written, to which a sub-folder is appended. */
static char *dest_text(const mf_plan *p)
{
	const dko_instr *in = p->c->doc->nodes[p->copy].instr;
	const dko_arg *a = &in->args[in->nargs - 1];
	char *d = in->json ? dko_xstrndup(a->value, a->len) : dko_co_span_text(in, a->span);
	return d;
}

/* One COPY per folder of manifests: "COPY [flags] a b dest/sub/". */
static void copy_lines(const mf_plan *p, dko_buf *out)
{
	const dko_doc *doc = p->c->doc;
	const dko_instr *in = doc->nodes[p->copy].instr;
	char *dest = dest_text(p);
	size_t dl = strlen(dest);
	bool *done = dko_xcalloc(p->files.len + 1, sizeof(bool));
	for (size_t i = 0; i < p->files.len; i++) {
		if (done[i])
			continue;
		const char *f = p->files.items[i], *slash = strrchr(f, '/');
		size_t dirlen = slash ? (size_t)(slash - f) : 0;
		put_indent(out, doc, p->copy);
		dko_buf_puts(out, dko_style_keyword(p->c->style, DKO_I_COPY));
		for (uint32_t k = 0; k < in->nflags; k++) {
			char *raw = dko_co_span_text(in, in->flags[k].span);
			dko_buf_printf(out, " %s", raw);
			free(raw);
		}
		/* files are relative to D: their context path lies under the
		 * COPY's source folder (COPY backend/ . copies backend/x to D/x) */
		const char *src = p->cp.source && strcmp(p->cp.source, ".") ? p->cp.source : "";
		for (size_t j = i; j < p->files.len; j++) {
			const char *g = p->files.items[j], *gs = strrchr(g, '/');
			if (!done[j] && (gs ? (size_t)(gs - g) : 0) == dirlen && !strncmp(g, f, dirlen)) {
				dko_buf_printf(out, " %s%s%s", src, *src ? "/" : "", g);
				done[j] = true;
			}
		}
		dko_buf_printf(out, " %s%s", strcmp(dest, ".") ? dest : "./",
		               dl && dest[dl - 1] != '/' && strcmp(dest, ".") ? "/" : "");
		if (dirlen)
			dko_buf_printf(out, "%.*s/", (int)dirlen, f);
		dko_buf_puts(out, p->c->style->eol);
	}
	free(done);
	free(dest);
}

static void file_list(const mf_plan *p, dko_buf *b)
{
	for (size_t i = 0; i < p->files.len; i++)
		dko_buf_printf(b, "%s%s", i ? (i + 1 == p->files.len ? " and " : ", ") : "", p->files.items[i]);
}

static void rewrite(mf_plan *p, dko_buf *flags)
{
	dko_pass_ctx *c = p->c;
	dko_buf pre = DKO_BUF_INIT, files = DKO_BUF_INIT;
	copy_lines(p, &pre);
	file_list(p, &files);
	uint32_t line = dko_pass_input_line(c, p->copy);
	if (p->download) {
		put_indent(&pre, c->doc, p->copy);
		dko_buf_printf(&pre, "%s %s%s%s", dko_style_keyword(c->style, DKO_I_RUN), dko_buf_cstr(flags),
		               p->download, c->style->eol);
		dko_doc_insert_before(c->doc, dko_co_block_start(c->doc, p->copy), pre.ptr, pre.len);
		dko_pass_applied(c, p->copy, p->copy, "copied %s and ran `%s` before this COPY: the "
		                 "dependencies download again only when %s change%s, not on every source change",
		                 dko_buf_cstr(&files), p->download, dko_buf_cstr(&files),
		                 p->files.len == 1 ? "s" : "");
	} else {
		dko_co_move(c, p->run, p->copy, pre.ptr);
		dko_pass_applied(c, p->run, p->run, "copied %s first and moved this %s above the COPY at "
		                 "line %u: a change to any other file no longer re-runs it",
		                 dko_buf_cstr(&files), p->what, line);
	}
	dko_buf_release(&pre);
	dko_buf_release(&files);
}

/* ---- the pass ---------------------------------------------------------------------------------- */

static void suggest(mf_plan *p, key_kind kind)
{
	dko_pass_ctx *c = p->c;
	dko_buf files = DKO_BUF_INIT;
	file_list(p, &files);
	uint32_t line = dko_pass_input_line(c, p->copy);
	if (kind == KEY_CARGO)
		dko_pass_suggest(c, p->run, "the COPY at line %u copies every file before this %s, so any change "
		                 "rebuilds every dependency; Cargo needs the sources to build, so dockopt leaves "
		                 "it to you to build the dependencies first (Cargo.toml and Cargo.lock with a "
		                 "stub src/main.rs) or to use a cache mount", line, p->what);
	else if (p->why[0])
		dko_pass_suggest(c, p->run, "the COPY at line %u copies every file before this %s, so any change "
		                 "re-runs it; copying the manifests first would avoid that, but %s", line,
		                 p->what, p->why);
	else if (!p->ctx)
		dko_pass_suggest(c, p->run, "the COPY at line %u copies every file before this %s; copying %s "
		                 "first and %s would let source changes reuse it (dockopt needs the build "
		                 "context to check the manifests: --context DIR)", line, p->what,
		                 files.len ? dko_buf_cstr(&files) : "the manifests",
		                 p->download ? "downloading the dependencies before the full COPY"
		                             : "installing before the full COPY");
	dko_buf_release(&files);
}

/* The plan's RUN after the COPY, or false. */
static bool find_run(mf_plan *p)
{
	const dko_doc *doc = p->c->doc;
	uint32_t k = dko_co_next_instr(doc, p->copy);
	while (k < doc->nnodes && dko_co_metadata(doc->nodes[k].instr->kind))
		k = dko_co_next_instr(doc, k);
	if (k >= doc->nnodes || doc->nodes[k].instr->kind != DKO_I_RUN || dko_pass_disabled_at(p->c, k) ||
	    dko_graph_instr(p->c->graph, k)->stage != dko_graph_instr(p->c->graph, p->copy)->stage)
		return false;
	p->run = k;
	const dko_ginstr *gi = dko_graph_instr(p->c->graph, k);
	if (doc->nodes[k].instr->json || !dko_run_posix_shell(&gi->state))
		return false;
	p->s = dko_pass_script(p->c, k);
	return p->s && !dko_sh_is_opaque(p->s);
}

/* Where the RUN works, relative to where the COPY puts the files. */
static bool locate(mf_plan *p)
{
	const dko_ginstr *gi = dko_graph_instr(p->c->graph, p->run);
	p->cwd = gi->state.workdir;
	if (!p->cwd)
		return mf_fail(p, "dockopt cannot tell its WORKDIR");
	p->cwd_rel = dko_co_path_below(p->cwd, p->cp.dest); /* NULL: only absolute paths map */
	if (!dko_co_same_state(&dko_graph_instr(p->c->graph, p->copy)->state, &gi->state))
		return mf_fail(p, "its build state differs from the COPY's");
	if (gi->nreads)
		return mf_fail(p, "it reads files through a --mount");
	return true;
}

static void plan_run(mf_plan *p)
{
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(p->c, p->run, &nops);
	key_kind kind;
	const dko_pkg_op *key = find_key(ops, nops, &kind);
	if (!key || (kind == KEY_BUILD && already_downloads(p, key->manager)))
		return;
	p->what = describe(p->s, key);
	dko_buf flags = DKO_BUF_INIT;
	bool ok = kind != KEY_CARGO && locate(p) && check_keys(p, ops, nops, key);
	if (ok && kind == KEY_INSTALL)
		ok = extras_ok(p, ops, nops, key);
	if (ok && kind == KEY_BUILD)
		ok = build_env_ok(p) && carried_flags(p, &flags);
	const char *var = ok ? dko_co_env_points_into(&dko_graph_instr(p->c->graph, p->run)->state, p->s,
	                                              p->cp.dest, false)
	                     : NULL;
	if (var)
		ok = mf_fail(p, "%s points the installer at a file or folder that the COPY of the sources may provide",
		             var);
	if (ok && p->ctx)
		rewrite(p, &flags);
	else if (!p->quiet && (p->why[0] || !p->ctx || kind == KEY_CARGO))
		suggest(p, kind);
	dko_buf_release(&flags);
}

static void consider(dko_pass_ctx *c, dko_context *ctx, uint32_t copy)
{
	mf_plan p = {0};
	p.c = c;
	p.ctx = ctx;
	p.copy = copy;
	if (dko_co_copy_get(c, copy, &p.cp) && p.cp.source && p.cp.dest && p.cp.plain_flags &&
	    (ctx ? dko_context_kind(ctx, p.cp.source[0] ? p.cp.source : ".") == DKO_CTX_DIR : p.cp.whole) &&
	    (!ctx || !dko_context_is_excluded(ctx, p.cp.source)) && find_run(&p))
		plan_run(&p);
	for (size_t i = 0; i < p.files.len; i++)
		free(p.files.items[i]);
	DKO_VEC_FREE(&p.files);
	free((char *)p.what);
	free(p.download);
	dko_co_copy_release(&p.cp);
}

static int run(dko_pass_ctx *c)
{
	dko_context *ctx = dko_co_context(c, NULL);
	const dko_doc *doc = c->doc;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || (n->instr->kind != DKO_I_COPY && n->instr->kind != DKO_I_ADD))
			continue;
		if (dko_graph_instr(c->graph, i)->stage < 0 || dko_pass_disabled_at(c, i))
			continue;
		consider(c, ctx, i);
	}
	return 0;
}

const dko_pass dko_pass_manifest_first = {
	{"manifest-first", NULL, DKO_TIER_SAFE, REASON,
	 "A COPY of the whole source tree changes whenever any file does, and every step\n"
	 "after it runs again. When a dependency install that reads only its manifests\n"
	 "(requirements files, package.json + lockfile, go.mod/go.sum, Gemfile + lock,\n"
	 "composer.json + lock, pom.xml) follows the COPY, the manifests are copied first\n"
	 "and the install moves between them and the full COPY; a `go build` or `mvn\n"
	 "package` gets a `go mod download` / `mvn dependency:go-offline` step. dockopt reads\n"
	 "the build context to check that the manifests exist, are not excluded by\n"
	 ".dockerignore, and that nothing else is needed (no `-e .`, no install scripts, no\n"
	 "local path dependencies). Without a context it only suggests.\n"
	 "\n"
	 "Before:\n"
	 "  WORKDIR /app\n"
	 "  COPY . .\n"
	 "  RUN pip install --no-cache-dir -r requirements.txt\n"
	 "After:\n"
	 "  WORKDIR /app\n"
	 "  COPY requirements.txt ./\n"
	 "  RUN pip install --no-cache-dir -r requirements.txt\n"
	 "  COPY . .\n"},
	run,
};
