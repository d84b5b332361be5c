/*
 * multi_build.c - step 1 of the multi-stage pass (see multistage.h): follow
 * every RUN of the final stage, command by command, and record what it
 * provably leaves in the image that the runtime stage needs.
 *
 * A command is either understood (a package operation from pkg.c, a build
 * whose output path is known, a copy or mode change of a build output, a
 * user creation, a folder, shell state, a command that changes nothing the
 * runtime stage would take) or it stops the pass: the image might depend on
 * what it did. The current directory is followed through `cd`, `make -C`.
 */
#include "cleanup.h"
#include "manifest.h"
#include "multistage.h"
#include "shell.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct runx {
	ms_plan *p;
	uint32_t node;
	dko_sh_script *s;
	const dko_ginstr *gi;
	const char *cwd;
	const dko_pkg_op *ops;
	size_t nops;
	ms_strs exported; /* NAME=value exported earlier in the script */
} runx;

/* ---- small helpers -------------------------------------------------------------------- */

static const char *lit(const dko_sh_cmd *cmd, uint32_t i)
{
	return i < cmd->nwords ? cmd->words[i].lit : NULL;
}

/* The command's text as written (for messages and user creation). */
static const char *cmd_text(runx *rx, const dko_sh_cmd *cmd)
{
	size_t len;
	const char *t = dko_sh_text(rx->s, &len);
	return dko_arena_strndup(&rx->p->a, t + cmd->span.start, cmd->span.end - cmd->span.start);
}

static bool fail_cmd(runx *rx, const dko_sh_cmd *cmd, const char *what)
{
	const char *t = cmd_text(rx, cmd);
	if (strlen(t) > 60)
		return ms_fail(rx->p, rx->node, "`%.57s...` %s", t, what);
	return ms_fail(rx->p, rx->node, "`%s` %s", t, what);
}

/* NAME's value for cmd: its own assignment, an export before it, ENV/ARG. */
static const char *env_value(runx *rx, const dko_sh_cmd *cmd, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; i < cmd->nassigns; i++) {
		const char *a = cmd->assigns[i].lit;
		if (a && !strncmp(a, name, n) && a[n] == '=')
			return a + n + 1;
	}
	for (size_t i = rx->exported.len; i-- > 0;) {
		const char *a = rx->exported.items[i];
		if (!strncmp(a, name, n) && a[n] == '=')
			return a + n + 1;
	}
	return dko_state_lookup(&rx->gi->state, name);
}

/* The user files written by this RUN belong to: NULL for root. */
static const char *run_owner(runx *rx)
{
	const char *u = rx->gi->state.user;
	if (!u || !strcmp(u, "root") || !strcmp(u, "0") || !strncmp(u, "root:", 5) || !strncmp(u, "0:", 2))
		return NULL;
	return u;
}

/* An output redirection to anything but /dev/null, /dev/stdout, /dev/stderr
 * or another descriptor. */
static bool writes_file(runx *rx, const dko_sh_cmd *cmd)
{
	if (!cmd->has_redirs)
		return false;
	size_t len;
	const char *text = dko_sh_text(rx->s, &len);
	size_t n = dko_sh_token_count(rx->s);
	for (size_t i = 0; i < n; i++) {
		const dko_sh_token *t = dko_sh_token_at(rx->s, i);
		if (t->kind != DKO_SH_TOK_REDIR || t->span.start < cmd->span.start || t->span.end > cmd->span.end)
			continue;
		const char *op = text + t->span.start;
		size_t ol = t->span.end - t->span.start;
		if (!memchr(op, '>', ol) || op[ol - 1] == '&')
			continue; /* input, or a descriptor duplication (2>&1) */
		size_t k = i + 1;
		while (k < n && dko_sh_token_at(rx->s, k)->kind == DKO_SH_TOK_BLANK)
			k++;
		if (k >= n)
			return true;
		const dko_sh_token *w = dko_sh_token_at(rx->s, k);
		size_t wl = w->span.end - w->span.start;
		const char *target = text + w->span.start;
		if (!((wl == 9 && !memcmp(target, "/dev/null", 9)) || (wl == 11 && !memcmp(target, "/dev/stdout", 11)) ||
		      (wl == 11 && !memcmp(target, "/dev/stderr", 11))))
			return true;
	}
	return false;
}

static ms_item *find_artifact(ms_plan *p, const char *path)
{
	for (size_t i = 0; i < p->arts.len; i++)
		if (!strcmp(p->arts.items[i].path, path))
			return &p->arts.items[i];
	return NULL;
}

/* The artifact path is, or lies in (a folder artifact), or a mkdir'ed folder. */
static ms_item *covering(ms_plan *p, const char *path)
{
	for (size_t i = 0; i < p->arts.len; i++) {
		ms_item *a = &p->arts.items[i];
		if (!strcmp(a->path, path) || (a->dir && ms_under(path, a->path)))
			return a;
	}
	for (size_t i = 0; i < p->dirs.len; i++)
		if (!strcmp(p->dirs.items[i].path, path))
			return &p->dirs.items[i];
	return NULL;
}

/* ---- go ----------------------------------------------------------------------------------- */

/* The last element of an import path, without a /vN major version suffix. */
static const char *import_name(ms_plan *p, const char *path)
{
	char *s = dko_arena_strdup(&p->a, path);
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	char *last = strrchr(s, '/');
	if (last && last[1] == 'v' && strspn(last + 2, "0123456789") == strlen(last + 2) && last[2]) {
		*last = '\0';
		last = strrchr(s, '/');
	}
	return last ? last + 1 : s;
}

static const char *go_module_name(runx *rx, const char *dir)
{
	const char *rel = ms_context_path(rx->p, rx->node, ms_resolve(rx->p, dir, "go.mod"));
	dko_gomod *g = NULL;
	if (!rel || dko_gomod_read(&g, rx->p->c->context, rel) != 0 || !g->module) {
		dko_gomod_free(g);
		return NULL;
	}
	const char *name = import_name(rx->p, g->module);
	dko_gomod_free(g);
	return name;
}

typedef struct cgo_scan {
	dko_context *ctx;
	bool found;
} cgo_scan;

static int cgo_visit(const dko_context_entry *e, void *payload)
{
	cgo_scan *cs = payload;
	size_t n = strlen(e->name);
	if (e->kind == DKO_CTX_DIR && (!strcmp(e->name, "vendor") || !strcmp(e->name, "testdata") || e->name[0] == '.'))
		return DKO_CONTEXT_WALK_SKIP;
	if (e->kind != DKO_CTX_FILE || n < 4 || strcmp(e->name + n - 3, ".go"))
		return 0;
	char *data;
	size_t len;
	if (dko_context_read(cs->ctx, e->path, &data, &len) != 0)
		return 0;
	if (strstr(data, "import \"C\"") || strstr(data, "\t\"C\"\n"))
		cs->found = true;
	free(data);
	return cs->found ? -1 : 0;
}

/* Whether the Go sources copied to dir use cgo (the libraries it links are
 * then unknown). Unknown sources count as cgo. */
static bool go_uses_cgo(runx *rx, const char *dir)
{
	const char *rel = ms_context_path(rx->p, rx->node, dir);
	if (!rel)
		return true;
	cgo_scan cs = {rx->p->c->context, false};
	dko_context_walk_opts o = {.max_entries = 20000};
	dko_context_walk_stats st = {0};
	int rc = dko_context_walk(rx->p->c->context, rel, &o, cgo_visit, &cs, &st);
	return cs.found || (rc < 0 && rc != -1) || st.truncated;
}

/* The file `go build` writes: -o, else named after the package. NULL when
 * it writes none (several packages). */
static bool go_output(runx *rx, const dko_pkg_op *op, const char **path)
{
	ms_plan *p = rx->p;
	*path = NULL;
	if (op->output) {
		size_t n = strlen(op->output);
		if (n && op->output[n - 1] == '/')
			return ms_fail(p, rx->node, "`go build -o %s` names a folder", op->output);
		*path = ms_resolve(p, rx->cwd, op->output);
		return true;
	}
	const char *name = NULL;
	if (op->npackages == 0 || (op->npackages == 1 && !strcmp(op->packages[0], ".")))
		name = go_module_name(rx, rx->cwd);
	else if (op->npackages >= 1 && strlen(op->packages[0]) > 3 &&
	         !strcmp(op->packages[0] + strlen(op->packages[0]) - 3, ".go"))
		name = dko_arena_strndup(&p->a, dko_fs_basename(op->packages[0]), strlen(dko_fs_basename(op->packages[0])) - 3);
	else if (op->npackages > 1 || strstr(op->packages[0], "..."))
		return true; /* several packages: go build only checks they compile */
	else
		name = import_name(p, op->packages[0]);
	if (!name)
		return ms_fail(p, rx->node, "no go.mod was found for `go build`, so the binary's name is unknown");
	*path = ms_resolve(p, rx->cwd, name);
	return true;
}

/* Go modules that only work built with cgo, and whether the C they build is
 * self-contained (static) or links a system library the runtime would need. */
static const struct {
	const char *module;
	bool self_contained;
} cgo_modules[] = {
	{"github.com/mattn/go-sqlite3", true},
	{"github.com/confluentinc/confluent-kafka-go", true},
	{"github.com/google/gopacket", false},
	{"github.com/linxGnu/grocksdb", false},
	{"github.com/tecbot/gorocksdb", false},
	{"github.com/miekg/pkcs11", false},
	{"github.com/gotk3/gotk3", false},
	{"github.com/go-gl/glfw", false},
	{"fyne.io/fyne", false},
};

/* A dependency (go.sum, else go.mod, of the module in dir) that needs cgo:
 * any of them when the build is static, the ones linking system libraries
 * otherwise. NULL when none. */
static const char *go_cgo_dependency(runx *rx, const char *dir, bool static_build)
{
	ms_plan *p = rx->p;
	const char *rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "go.sum"));
	size_t len;
	char *text = rel ? ms_read_context(p, rel, &len) : NULL;
	if (!text && (rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "go.mod"))))
		text = ms_read_context(p, rel, &len);
	const char *found = NULL;
	for (size_t i = 0; text && !found && i < sizeof(cgo_modules) / sizeof(cgo_modules[0]); i++) {
		const char *m = strstr(text, cgo_modules[i].module);
		if (m && (static_build || !cgo_modules[i].self_contained))
			found = cgo_modules[i].module;
	}
	free(text);
	return found;
}

/* How a go build or install links: with cgo on (the default when the
 * image has a C compiler) a binary using net or os/user links libc
 * dynamically and needs a runtime with it. Fails for cgo code or cgo-only
 * dependencies; records a dynamic build. */
static bool go_link_mode(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	const char *cgo = env_value(rx, cmd, "CGO_ENABLED");
	bool dynamic = !cgo || strcmp(cgo, "0");
	if (dynamic && go_uses_cgo(rx, rx->cwd))
		return fail_cmd(rx, cmd, "builds with cgo (import \"C\"): the C libraries it links are unknown");
	/* A dynamic build may become static (a tag without a suite): then
	 * every cgo-only dependency counts. */
	const char *dep = go_cgo_dependency(rx, rx->cwd, !dynamic || !p->tc.runtime.image);
	if (dep)
		return fail_cmd(rx, cmd, ms_strf(p, "depends on %s, which needs cgo", dep));
	p->go_dynamic |= dynamic;
	return true;
}

static bool go_build(runx *rx, const dko_sh_cmd *cmd, const dko_pkg_op *op)
{
	ms_plan *p = rx->p;
	const char *path;
	if (!go_output(rx, op, &path))
		return false;
	if (!go_link_mode(rx, cmd))
		return false;
	p->builds |= 1u << MS_B_GO;
	if (!path)
		return true;
	ms_item *a = ms_add_artifact(p, path, false);
	a->chown = run_owner(rx);
	p->native = true;
	return true;
}

/* go install: $GOBIN or $GOPATH/bin/<name>; a candidate until a command names it. */
static bool go_install(runx *rx, const dko_sh_cmd *cmd, const dko_pkg_op *op)
{
	ms_plan *p = rx->p;
	const char *gobin = env_value(rx, cmd, "GOBIN");
	const char *gopath = env_value(rx, cmd, "GOPATH");
	if (!gopath)
		gopath = p->tc.gopath;
	if (!gobin && !gopath)
		return fail_cmd(rx, cmd, "installs into a GOPATH the pass does not know");
	if (!go_link_mode(rx, cmd))
		return false;
	const char *dir = gobin ? gobin : ms_strf(p, "%s/bin", gopath);
	size_t n = op->npackages ? op->npackages : 1;
	for (size_t i = 0; i < n; i++) {
		const char *pkg = op->npackages ? op->packages[i] : ".";
		const char *at = strchr(pkg, '@');
		const char *name = !strcmp(pkg, ".") ? go_module_name(rx, rx->cwd)
		                   : strstr(pkg, "...")  ? NULL
		                                        : import_name(p, at ? ms_strf(p, "%.*s", (int)(at - pkg), pkg) : pkg);
		if (!name)
			return fail_cmd(rx, cmd, "installs binaries whose names are unknown");
		ms_item *a = ms_add_artifact(p, ms_resolve(p, dir, name), false);
		a->candidate = true;
		a->chown = run_owner(rx);
	}
	p->native = p->any_build = true;
	p->builds |= 1u << MS_B_GO;
	return true;
}

/* ---- cargo ---------------------------------------------------------------------------------- */

/* The -dev packages behind the *-sys crates of Cargo.lock. */
static bool cargo_crates(runx *rx, const char *lock_rel)
{
	ms_plan *p = rx->p;
	size_t len;
	char *text = ms_read_context(p, lock_rel, &len);
	if (!text)
		return ms_fail(p, rx->node, "Cargo.lock is not in the build context, so the system libraries the binary links are unknown");
	bool vendored_ssl = strstr(text, "name = \"openssl-src\"") != NULL, ok = true;
	for (char *s = strstr(text, "name = \""); s && ok; s = strstr(s + 1, "name = \"")) {
		char *q = s + 8, *e = strchr(q, '"');
		if (!e)
			break;
		const char *crate = dko_arena_strndup(&p->a, q, (size_t)(e - q));
		size_t n = strlen(crate);
		const char *dev = dko_tc_crate_dev(crate, p->tc.os);
		if (!dev && (n < 5 || strcmp(crate + n - 4, "-sys")))
			continue; /* not a binding to a C library */
		if (!dev)
			ok = ms_fail(p, rx->node, "the binary links the crate %s, whose system library is not in the table", crate);
		else if (*dev && !(vendored_ssl && !strcmp(crate, "openssl-sys")))
			ms_push_unique(p, &p->devs, dev);
	}
	free(text);
	return ok;
}

typedef struct cargo_opts {
	bool release;
	const char *profile, *target;
	ms_strs bins;
} cargo_opts;

static bool cargo_flags(runx *rx, const dko_sh_cmd *cmd, uint32_t from, cargo_opts *o)
{
	for (uint32_t i = from; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (!w)
			return fail_cmd(rx, cmd, "has arguments that are not literals");
		if (!strcmp(w, "--release") || !strcmp(w, "-r"))
			o->release = true;
		else if (!strcmp(w, "--profile") && lit(cmd, i + 1))
			o->profile = lit(cmd, ++i);
		else if (!strcmp(w, "--target") && lit(cmd, i + 1))
			o->target = lit(cmd, ++i);
		else if (!strcmp(w, "--bin") && lit(cmd, i + 1))
			DKO_VEC_PUSH(&o->bins, lit(cmd, ++i));
		else if (!strncmp(w, "--profile=", 10) || !strncmp(w, "--target=", 9) || !strncmp(w, "--bin=", 6))
			return fail_cmd(rx, cmd, "uses an option form the pass does not follow");
		else if (ms_in_list("--manifest-path|--target-dir|--workspace|--all|-p|--package|--example|"
		                 "--examples|--all-targets|-Z|--out-dir|--artifact-dir",
		                 w))
			return fail_cmd(rx, cmd, "builds outside the one package's target folder");
	}
	return true;
}

/* The binaries of the Cargo.toml in dir (or the --bin ones). */
static bool cargo_bins(runx *rx, const dko_sh_cmd *cmd, const char *dir, cargo_opts *o, const char **lock)
{
	ms_plan *p = rx->p;
	const char *rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "Cargo.toml"));
	dko_cargo *cg = NULL;
	if (!rel || dko_cargo_read(&cg, p->c->context, rel) != 0) {
		dko_cargo_free(cg);
		return fail_cmd(rx, cmd, "builds a crate whose Cargo.toml is not in the build context");
	}
	bool ok = true;
	if (cg->workspace && !cg->package_name)
		ok = fail_cmd(rx, cmd, "builds a Cargo workspace: which binaries it makes is not followed");
	if (ok && !o->bins.len) {
		if (cg->main_bin && cg->package_name)
			DKO_VEC_PUSH(&o->bins, ms_str(p, cg->package_name));
		for (size_t i = 0; i < cg->nbins; i++)
			DKO_VEC_PUSH(&o->bins, ms_str(p, cg->bins[i]));
		if (!o->bins.len)
			ok = fail_cmd(rx, cmd, "builds a crate whose Cargo.toml names no binary");
	}
	const char *slash = strrchr(rel, '/');
	*lock = slash ? ms_strf(p, "%.*s/Cargo.lock", (int)(slash - rel), rel) : "Cargo.lock";
	dko_cargo_free(cg);
	return ok;
}

static bool cargo_build(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	cargo_opts o = {0};
	const char *lock = NULL;
	bool ok = cargo_flags(rx, cmd, 2, &o);
	if (ok && (env_value(rx, cmd, "CARGO_TARGET_DIR") || env_value(rx, cmd, "CARGO_BUILD_TARGET")))
		ok = fail_cmd(rx, cmd, "builds into a folder set by CARGO_TARGET_DIR / CARGO_BUILD_TARGET");
	ok = ok && cargo_bins(rx, cmd, rx->cwd, &o, &lock) && cargo_crates(rx, lock);
	const char *prof = o.profile ? (!strcmp(o.profile, "dev") ? "debug" : o.profile)
	                   : o.release ? "release"
	                               : "debug";
	for (size_t i = 0; ok && i < o.bins.len; i++) {
		const char *rel = o.target ? ms_strf(p, "target/%s/%s/%s", o.target, prof, o.bins.items[i])
		                           : ms_strf(p, "target/%s/%s", prof, o.bins.items[i]);
		ms_add_artifact(p, ms_resolve(p, rx->cwd, rel), false)->chown = run_owner(rx);
	}
	DKO_VEC_FREE(&o.bins);
	p->native = true;
	p->builds |= 1u << MS_B_CARGO;
	return ok;
}

/* cargo install --path DIR [--root R]: the binaries land in R/bin. */
static bool cargo_install(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	const char *path = NULL, *root = NULL;
	for (uint32_t i = 2; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (w && !strcmp(w, "--path") && lit(cmd, i + 1))
			path = lit(cmd, ++i);
		else if (w && !strcmp(w, "--root") && lit(cmd, i + 1))
			root = lit(cmd, ++i);
		else if (w && w[0] != '-')
			ms_push_unique(p, &p->globals, w); /* a crate from the registry */
	}
	if (!path)
		return true;
	if (!root)
		root = env_value(rx, cmd, "CARGO_INSTALL_ROOT");
	if (!root)
		root = env_value(rx, cmd, "CARGO_HOME");
	if (!root)
		root = p->tc.gopath;
	if (!root)
		return fail_cmd(rx, cmd, "installs into a CARGO_HOME the pass does not know");
	cargo_opts o = {0};
	const char *lock;
	bool ok = cargo_bins(rx, cmd, ms_resolve(p, rx->cwd, path), &o, &lock) && cargo_crates(rx, lock);
	for (size_t i = 0; ok && i < o.bins.len; i++) {
		ms_item *a = ms_add_artifact(p, ms_strf(p, "%s/bin/%s", root, o.bins.items[i]), false);
		a->candidate = true;
	}
	DKO_VEC_FREE(&o.bins);
	p->native = p->any_build = true;
	p->builds |= 1u << MS_B_CARGO;
	return ok;
}

/* ---- C: make and compilers ----------------------------------------------------------------- */

static bool add_link(runx *rx, const char *lib)
{
	const char *dev = dko_tc_link_dev(lib, rx->p->tc.os);
	if (!dev)
		return ms_fail(rx->p, rx->node, "the binary links -l%s, whose runtime package is not in the table", lib);
	if (*dev)
		ms_push_unique(rx->p, &rx->p->devs, dev);
	return true;
}

static bool is_compiler(const char *name)
{
	size_t n = strlen(name);
	return ms_in_list("cc|gcc|clang|c++|g++|clang++|tcc|musl-gcc", name) || !strncmp(name, "gcc-", 4) ||
	       !strncmp(name, "g++-", 4) || !strncmp(name, "clang-", 6) ||
	       (n > 4 && (!strcmp(name + n - 4, "-gcc") || !strcmp(name + n - 4, "-g++")));
}

static bool cxx_name(const char *w)
{
	size_t n = strlen(w);
	return strstr(w, "++") || (n > 3 && (!strcmp(w + n - 3, ".cc") || !strcmp(w + n - 4, ".cpp") ||
	                                     !strcmp(w + n - 4, ".cxx")));
}

static bool cc_build(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	const char *out = "a.out";
	p->cxx |= cxx_name(dko_fs_basename(lit(cmd, 0)));
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (!w)
			return fail_cmd(rx, cmd, "has arguments that are not literals");
		if (!strcmp(w, "-c") || !strcmp(w, "-S") || !strcmp(w, "-E") || !strcmp(w, "-M") || !strcmp(w, "-MM"))
			return true; /* no link: an object, assembly or dependency file */
		if (!strcmp(w, "-o") && lit(cmd, i + 1))
			out = lit(cmd, ++i);
		else if (!strncmp(w, "-o", 2) && w[2])
			out = w + 2;
		else if (!strcmp(w, "-l") && lit(cmd, i + 1)) {
			if (!add_link(rx, lit(cmd, ++i)))
				return false;
		} else if (!strncmp(w, "-l", 2) && w[2]) {
			if (!add_link(rx, w + 2))
				return false;
		} else if (!strcmp(w, "-shared")) {
			return fail_cmd(rx, cmd, "builds a shared library");
		} else {
			p->cxx |= w[0] != '-' && cxx_name(w);
		}
	}
	ms_add_artifact(p, ms_resolve(p, rx->cwd, out), false)->chown = run_owner(rx);
	p->native = true;
	p->builds |= 1u << MS_B_CC;
	return true;
}

/* The prerequisites of goal in the Makefile text (its rule line). */
static void make_prereqs(ms_plan *p, const char *text, const char *goal, ms_strs *out)
{
	size_t gl = strlen(goal);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, goal, gl) || (l[gl] != ':' && l[gl] != ' ' && l[gl] != '\t'))
			continue;
		const char *c = l + gl + strspn(l + gl, " \t");
		if (*c != ':' || c[1] == '=')
			continue;
		const char *e = c + 1 + strcspn(c + 1, "\n;#");
		char *rest = dko_arena_strndup(&p->a, c + 1, (size_t)(e - c - 1));
		for (char *w = rest; *w;) {
			w += strspn(w, " \t\r");
			size_t n = strcspn(w, " \t\r");
			if (!n)
				break;
			DKO_VEC_PUSH(out, dko_arena_strndup(&p->a, w, n));
			w += n;
		}
		return;
	}
}

/* Linker flags, C++ and pkg-config in a Makefile's text. */
static bool make_text_facts(runx *rx, const char *text)
{
	ms_plan *p = rx->p;
	if (strstr(text, "pkg-config") || strstr(text, "$(shell") || strstr(text, "${shell"))
		return ms_fail(p, rx->node, "the Makefile computes flags with $(shell ...) or pkg-config: the libraries it links are unknown");
	p->cxx |= strstr(text, "g++") || strstr(text, "c++") || strstr(text, "CXX") || strstr(text, "clang++");
	for (const char *s = text; (s = strstr(s, "-l")); s += 2) {
		if (s > text && s[-1] != ' ' && s[-1] != '\t' && s[-1] != '=')
			continue;
		size_t n = strspn(s + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.");
		if (n == 0)
			continue;
		if (!add_link(rx, dko_arena_strndup(&p->a, s + 2, n)))
			return false;
	}
	return true;
}

/* The files goal writes: its -o outputs, or those of its prerequisites. */
static bool make_goal(runx *rx, const dko_makefile *mf, const char *text, const char *goal, ms_strs *outs)
{
	const dko_make_target *t = dko_makefile_target(mf, goal);
	if (!t)
		return ms_fail(rx->p, rx->node, "the Makefile has no rule for `%s`", goal);
	if (!t->outputs_complete)
		return ms_fail(rx->p, rx->node, "the Makefile names its output through a variable the pass cannot expand");
	for (size_t i = 0; i < t->noutputs; i++)
		DKO_VEC_PUSH(outs, t->outputs[i]);
	if (t->noutputs || t->nrecipe)
		return true;
	ms_strs pre = {0};
	make_prereqs(rx->p, text, goal, &pre);
	bool ok = true;
	for (size_t i = 0; ok && i < pre.len; i++) {
		const dko_make_target *d = dko_makefile_target(mf, pre.items[i]);
		if (d && !d->outputs_complete)
			ok = ms_fail(rx->p, rx->node, "the Makefile names its output through a variable the pass cannot expand");
		for (size_t k = 0; ok && d && k < d->noutputs; k++)
			DKO_VEC_PUSH(outs, d->outputs[k]);
	}
	DKO_VEC_FREE(&pre);
	return ok;
}

typedef struct make_args {
	const char *dir, *file;
	ms_strs goals;
} make_args;

static bool make_parse(runx *rx, const dko_sh_cmd *cmd, make_args *m)
{
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (!w)
			return fail_cmd(rx, cmd, "has arguments that are not literals");
		if (!strcmp(w, "-C") && lit(cmd, i + 1))
			m->dir = lit(cmd, ++i);
		else if (!strncmp(w, "-C", 2) && w[2])
			m->dir = w + 2;
		else if (!strncmp(w, "--directory=", 12))
			m->dir = w + 12;
		else if ((!strcmp(w, "-f") || !strcmp(w, "--file")) && lit(cmd, i + 1))
			m->file = lit(cmd, ++i);
		else if (!strncmp(w, "--file=", 7) || !strncmp(w, "--makefile=", 11))
			m->file = strchr(w, '=') + 1;
		else if (!strcmp(w, "-j") || !strcmp(w, "-l"))
			i += lit(cmd, i + 1) && strspn(lit(cmd, i + 1), "0123456789.") == strlen(lit(cmd, i + 1));
		else if (w[0] == '-' || strchr(w, '='))
			continue;
		else if (ms_in_list("install|dist|distcheck|docker|deploy|release|package", w))
			return fail_cmd(rx, cmd, "installs where the Makefile says: not followed");
		else if (!ms_in_list("clean|distclean|test|check|lint|fmt|format|vet", w))
			DKO_VEC_PUSH(&m->goals, w);
	}
	return true;
}

static bool make_build(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	make_args m = {0};
	if (!make_parse(rx, cmd, &m)) {
		DKO_VEC_FREE(&m.goals);
		return false;
	}
	const char *dir = m.dir ? ms_resolve(p, rx->cwd, m.dir) : rx->cwd;
	const char *rel = NULL;
	static const char *const names[] = {"GNUmakefile", "makefile", "Makefile"};
	for (size_t i = 0; !rel && i < (m.file ? 1 : 3); i++) {
		const char *f = ms_context_path(p, rx->node, ms_resolve(p, dir, m.file ? m.file : names[i]));
		if (f && dko_context_kind(p->c->context, f) == DKO_CTX_FILE)
			rel = f;
	}
	dko_makefile *mf = NULL;
	size_t len;
	char *text = rel ? ms_read_context(p, rel, &len) : NULL;
	bool ok = text && dko_makefile_read(&mf, p->c->context, rel) == 0;
	if (!ok)
		ok = fail_cmd(rx, cmd, "builds with a Makefile that is not in the build context");
	if (ok && !m.goals.len && !mf->default_target)
		ok = ms_fail(p, rx->node, "the Makefile's default goal cannot be read from it");
	if (ok && !m.goals.len)
		DKO_VEC_PUSH(&m.goals, mf->default_target);
	ms_strs outs = {0};
	for (size_t i = 0; ok && i < m.goals.len; i++)
		ok = make_goal(rx, mf, text, m.goals.items[i], &outs);
	if (ok && !outs.len && m.goals.len)
		ok = ms_fail(p, rx->node, "the Makefile goal `%s` writes no file the pass can name (no -o)", m.goals.items[0]);
	ok = ok && make_text_facts(rx, text);
	for (size_t i = 0; ok && i < outs.len; i++)
		ms_add_artifact(p, ms_resolve(p, dir, outs.items[i]), false)->chown = run_owner(rx);
	p->native = true;
	p->builds |= 1u << MS_B_MAKE;
	DKO_VEC_FREE(&outs);
	DKO_VEC_FREE(&m.goals);
	dko_makefile_free(mf);
	free(text);
	return ok;
}

/* ---- java, node, .NET ----------------------------------------------------------------------- */

/* pom.xml / build.gradle(.kts) of the project in dir: refuses multi-module
 * builds; *jar is the archive it names, or NULL when unknown. */
static bool java_manifest(runx *rx, const dko_sh_cmd *cmd, const char *dir, dko_pm pm, const char **jar)
{
	ms_plan *p = rx->p;
	*jar = NULL;
	if (pm == DKO_PM_MVN) {
		const char *rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "pom.xml"));
		dko_pom *pom = NULL;
		bool ok = rel && dko_pom_read(&pom, p->c->context, rel) == 0;
		bool multi = ok && pom->nmodules > 0;
		if (ok && pom->artifact)
			*jar = ms_resolve(p, dir, ms_strf(p, "target/%s", pom->artifact));
		dko_pom_free(pom);
		return !multi || fail_cmd(rx, cmd, "builds a multi-module Maven project");
	}
	const char *rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "build.gradle"));
	if (!rel || !dko_context_exists(p->c->context, rel))
		rel = ms_context_path(p, rx->node, ms_resolve(p, dir, "build.gradle.kts"));
	dko_gradle *g = NULL;
	bool ok = rel && dko_gradle_read(&g, p->c->context, rel) == 0;
	bool multi = ok && g->multi_project;
	if (ok && g->jar)
		*jar = ms_resolve(p, dir, ms_strf(p, "build/libs/%s", g->jar));
	dko_gradle_free(g);
	return !multi || fail_cmd(rx, cmd, "builds a multi-project Gradle build");
}

static bool java_build(runx *rx, const dko_sh_cmd *cmd, dko_pm pm)
{
	ms_plan *p = rx->p;
	const char *dir = rx->cwd, *jar;
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (w && (!strcmp(w, "-f") || !strcmp(w, "--file")) && lit(cmd, i + 1)) {
			const char *f = ms_resolve(p, rx->cwd, lit(cmd, ++i));
			dir = ms_strf(p, "%.*s", (int)(strrchr(f, '/') - f), f);
		} else if (w && (!strcmp(w, "-p") || !strcmp(w, "--project-dir") || !strcmp(w, "-b"))) {
			return fail_cmd(rx, cmd, "builds in another project folder");
		}
	}
	if (!java_manifest(rx, cmd, dir, pm, &jar))
		return false;
	p->builds |= 1u << (pm == DKO_PM_MVN ? MS_B_MVN : MS_B_GRADLE);
	if (p->build == MS_B_NONE) {
		p->build = pm == DKO_PM_MVN ? MS_B_MVN : MS_B_GRADLE;
		p->build_dir = dir;
		p->build_node = rx->node;
		p->java_jar = jar;
	}
	return true;
}

/* The csproj published: web (ASP.NET) unless it says otherwise. */
static void dotnet_project(runx *rx, const char *project)
{
	ms_plan *p = rx->p;
	p->dotnet_web = true;
	const char *dir = project ? ms_resolve(p, rx->cwd, project) : rx->cwd;
	const char *rel = ms_context_path(p, rx->node, dir);
	char **names = NULL;
	size_t n = 0, csproj = 0;
	const char *file = NULL;
	if (rel && strlen(rel) > 7 && !strcmp(rel + strlen(rel) - 7, ".csproj")) {
		file = rel;
	} else if (rel && dko_context_list(p->c->context, rel, &names, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(names[i]);
			if (l > 7 && !strcmp(names[i] + l - 7, ".csproj") && !csproj++)
				file = *rel ? ms_strf(p, "%s/%s", rel, names[i]) : ms_str(p, names[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	size_t len;
	char *text = file && csproj <= 1 ? ms_read_context(p, file, &len) : NULL;
	if (text && strstr(text, "\"Microsoft.NET.Sdk\"") && !strstr(text, "AspNetCore"))
		p->dotnet_web = false;
	free(text);
}

static bool dotnet(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	const char *sub = lit(cmd, 1);
	if (sub && ms_in_list("restore|build|test|--info|--version|--list-sdks|--list-runtimes|tool|nuget|"
	                   "dev-certs|new|sln|add|list|format|workload",
	                   sub))
		return true;
	if (!sub || strcmp(sub, "publish"))
		return fail_cmd(rx, cmd, "is a dotnet command the pass does not follow");
	const char *out = NULL, *project = NULL;
	for (uint32_t i = 2; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (!w)
			return fail_cmd(rx, cmd, "has arguments that are not literals");
		if ((!strcmp(w, "-o") || !strcmp(w, "--output")) && lit(cmd, i + 1))
			out = lit(cmd, ++i);
		else if (!strncmp(w, "--output=", 9) || !strncmp(w, "-o:", 3))
			out = strchr(w, w[1] == 'o' ? ':' : '=') + 1;
		else if (ms_in_list("-c|--configuration|-r|--runtime|-f|--framework|--os|-a|--arch|-v|--verbosity|"
		                 "--version-suffix|-s|--source|--property",
		                 w))
			i++;
		else if (w[0] != '-')
			project = w;
	}
	if (!out)
		return fail_cmd(rx, cmd, "publishes without -o: where the output goes is not followed");
	ms_add_artifact(p, ms_resolve(p, rx->cwd, out), true)->chown = run_owner(rx);
	dotnet_project(rx, project);
	p->builds |= 1u << MS_B_DOTNET;
	if (p->build == MS_B_NONE) {
		p->build = MS_B_DOTNET;
		p->build_node = rx->node;
	}
	return true;
}

static bool npm_op(runx *rx, const dko_sh_cmd *cmd, const dko_pkg_op *op)
{
	ms_plan *p = rx->p;
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (w && (!strcmp(w, "--prefix") || !strncmp(w, "--prefix=", 9) || !strcmp(w, "-C")))
			return fail_cmd(rx, cmd, "works in another folder (--prefix)");
	}
	if (op->verb == DKO_PV_INSTALL && op->global) {
		for (uint32_t i = 0; i < op->npackages; i++)
			ms_push_unique(p, &p->globals, op->packages[i]);
		return true;
	}
	if (op->verb == DKO_PV_INSTALL) {
		if (op->manager != DKO_PM_NPM)
			return fail_cmd(rx, cmd, "installs with yarn or pnpm: the runtime stage prunes devDependencies with npm only");
		if (op->npackages)
			return fail_cmd(rx, cmd, "adds packages by name: the runtime stage keeps those in package.json only");
		p->npm_install = true;
		p->npm_dir = rx->cwd;
	} else if (op->verb == DKO_PV_BUILD && p->build == MS_B_NONE) {
		p->builds |= 1u << MS_B_NPM;
		p->build = MS_B_NPM;
		p->build_dir = rx->cwd;
		p->build_node = rx->node;
	}
	return true;
}

/* ---- package operations ---------------------------------------------------------------------- */

static void drop_pkg(ms_plan *p, const char *name)
{
	for (size_t i = 0; i < p->pkgs.len; i++) {
		if (!strcmp(p->pkgs.items[i], name)) {
			memmove(&p->pkgs.items[i], &p->pkgs.items[i + 1], (p->pkgs.len - i - 1) * sizeof(char *));
			p->pkgs.len--;
			return;
		}
	}
}

static bool os_pkg_op(runx *rx, const dko_sh_cmd *cmd, const dko_pkg_op *op)
{
	ms_plan *p = rx->p;
	if (p->pm && p->pm != op->manager)
		return fail_cmd(rx, cmd, "installs with a second package manager");
	if (op->verb == DKO_PV_REMOVE || op->verb == DKO_PV_AUTOREMOVE) {
		for (uint32_t i = 0; i < op->npackages; i++)
			drop_pkg(p, op->packages[i]);
		return true;
	}
	if (op->verb != DKO_PV_INSTALL)
		return true;
	if (op->dynamic || op->conditional)
		return fail_cmd(rx, cmd, "installs packages chosen while it runs");
	if (op->virtual_name)
		return fail_cmd(rx, cmd, "installs a virtual package group");
	p->pm = op->manager;
	for (uint32_t i = 0; i < op->npackages; i++) {
		const char *pkg = op->packages[i];
		if (pkg[0] == '/' || pkg[0] == '.' || strchr(pkg, '/'))
			return fail_cmd(rx, cmd, "installs a package file");
		ms_push_unique(p, &p->pkgs, ms_str(p, pkg));
		p->compiler_pkg |= dko_tc_compiler_pkg(pkg);
		p->ca |= !strcmp(pkg, "ca-certificates");
	}
	return true;
}

static bool follow_op(runx *rx, const dko_sh_cmd *cmd, const dko_pkg_op *op)
{
	ms_plan *p = rx->p;
	p->any_build |= op->verb == DKO_PV_BUILD;
	if (op->conditional && (op->verb == DKO_PV_BUILD || op->verb == DKO_PV_INSTALL))
		return fail_cmd(rx, cmd, "runs only under a condition");
	switch (op->manager) {
	case DKO_PM_APT:
	case DKO_PM_APK:
		return os_pkg_op(rx, cmd, op);
	case DKO_PM_GO:
		if (op->verb == DKO_PV_BUILD)
			return go_build(rx, cmd, op);
		if (op->verb == DKO_PV_INSTALL && lit(cmd, 1) && !strcmp(lit(cmd, 1), "install"))
			return go_install(rx, cmd, op);
		return true;
	case DKO_PM_CARGO:
		if (op->verb == DKO_PV_BUILD)
			return cargo_build(rx, cmd);
		return op->verb == DKO_PV_INSTALL ? cargo_install(rx, cmd) : true;
	case DKO_PM_MVN:
	case DKO_PM_GRADLE:
		return op->verb == DKO_PV_BUILD ? java_build(rx, cmd, op->manager) : true;
	case DKO_PM_NPM:
	case DKO_PM_YARN:
	case DKO_PM_PNPM:
		return npm_op(rx, cmd, op);
	case DKO_PM_MAKE:
		return make_build(rx, cmd);
	default:
		if (op->verb == DKO_PV_CLEAN || op->verb == DKO_PV_NONE)
			return true;
		return fail_cmd(rx, cmd, "installs packages the runtime image would need too");
	}
}

/* ---- plain commands --------------------------------------------------------------------------- */

/* The non-option words of cmd from index from; options in value_opts take
 * the next word. */
static void operands(const dko_sh_cmd *cmd, uint32_t from, const char *value_opts, ms_strs *out)
{
	for (uint32_t i = from; i < cmd->nwords; i++) {
		const char *w = cmd->words[i].lit;
		if (w && w[0] == '-' && w[1]) {
			i += ms_in_list(value_opts, w);
			continue;
		}
		DKO_VEC_PUSH(out, w);
	}
}

static bool all_literal(const dko_sh_cmd *cmd)
{
	for (uint32_t i = 0; i < cmd->nwords; i++)
		if (!cmd->words[i].lit || cmd->words[i].has_glob)
			return false;
	return true;
}

static bool user_cmd(runx *rx, const dko_sh_cmd *cmd, const char *name)
{
	ms_plan *p = rx->p;
	if (!all_literal(cmd) || cmd->nassigns || cmd->conditional || cmd->has_redirs)
		return fail_cmd(rx, cmd, "creates a user with words decided while it runs");
	ms_strs ops = {0};
	operands(cmd, 1, "-u|-g|-G|-d|-s|-c|-k|-K|-e|-f|-p|-R|-P|-b|-Z|-h|--uid|--gid|--home|--shell|"
	                 "--gecos|--ingroup|--groups|--comment|--home-dir|--base-dir|--password|--root|"
	                 "--key|--expiredate|--inactive",
	         &ops);
	if (ops.len)
		ms_push_unique(p, &p->users, ops.items[ops.len - 1]);
	DKO_VEC_FREE(&ops);
	(void)name;
	DKO_VEC_PUSH(&p->user_cmds, cmd_text(rx, cmd));
	return true;
}

static bool make_dirs(runx *rx, const dko_sh_cmd *cmd)
{
	ms_plan *p = rx->p;
	if (!all_literal(cmd))
		return fail_cmd(rx, cmd, "creates folders named while it runs");
	ms_strs ops = {0};
	operands(cmd, 1, "-m|--mode", &ops);
	for (size_t i = 0; i < ops.len; i++) {
		ms_item d = {0};
		d.path = d.dest = ms_resolve(p, rx->cwd, ops.items[i]);
		d.dir = true;
		d.chown = run_owner(rx);
		DKO_VEC_PUSH(&p->dirs, d);
	}
	DKO_VEC_FREE(&ops);
	return true;
}

/* chmod/chown/chgrp/strip/upx on build outputs only. */
static bool on_outputs(runx *rx, const dko_sh_cmd *cmd, const char *name)
{
	ms_plan *p = rx->p;
	if (!all_literal(cmd))
		return fail_cmd(rx, cmd, "changes files named while it runs");
	ms_strs ops = {0};
	operands(cmd, 1, "-o|--output|--reference", &ops);
	bool owner = !strcmp(name, "chown") || !strcmp(name, "chgrp");
	size_t first = !strcmp(name, "chmod") || owner;
	bool ok = ops.len > first;
	for (size_t i = first; ok && i < ops.len; i++) {
		ms_item *a = covering(p, ms_resolve(p, rx->cwd, ops.items[i]));
		if (!a)
			ok = fail_cmd(rx, cmd, "changes files that are not build outputs");
		else if (owner)
			a->chown = !strcmp(name, "chgrp") ? ms_strf(p, ":%s", ops.items[0]) : ops.items[0];
	}
	DKO_VEC_FREE(&ops);
	return ok;
}

static bool known_dir(ms_plan *p, const char *path)
{
	if (ms_in_list("/|/usr/local/bin|/usr/local/sbin|/usr/bin|/usr/sbin|/bin|/sbin|/opt|/srv|/usr/local|"
	            "/tmp|/root|/home|/app|/usr/share",
	            path))
		return true;
	for (size_t i = 0; i < p->dirs.len; i++)
		if (!strcmp(p->dirs.items[i].path, path))
			return true;
	return false;
}

typedef struct copy_args {
	const char *target; /* -t DIR, else the last operand */
	const char *owner;  /* install -o */
	bool preserve;      /* cp -p / -a: the copy keeps the owner */
	bool make_dirs;     /* install -d */
	ms_strs srcs;
} copy_args;

static void parse_copy(const dko_sh_cmd *cmd, const char *name, copy_args *ca)
{
	bool install = !strcmp(name, "install");
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if ((!strcmp(w, "-t") || !strcmp(w, "--target-directory")) && lit(cmd, i + 1))
			ca->target = lit(cmd, ++i);
		else if (install && !strcmp(w, "-o") && lit(cmd, i + 1))
			ca->owner = lit(cmd, ++i);
		else if (install && (!strcmp(w, "-m") || !strcmp(w, "-g")) && lit(cmd, i + 1))
			i++;
		else if (install && !strcmp(w, "-d"))
			ca->make_dirs = true;
		else if (w[0] == '-' && !install)
			ca->preserve |= strchr(w, 'p') || strchr(w, 'a') || !strncmp(w, "--preserve", 10);
		else if (w[0] != '-')
			DKO_VEC_PUSH(&ca->srcs, w);
	}
	if (!ca->target && ca->srcs.len >= 2)
		ca->target = ca->srcs.items[--ca->srcs.len];
}

/* cp/mv/install of build outputs: the copies become outputs too. */
static bool copy_outputs(runx *rx, const dko_sh_cmd *cmd, const char *name)
{
	ms_plan *p = rx->p;
	if (!all_literal(cmd))
		return fail_cmd(rx, cmd, "copies files named while it runs");
	copy_args ca = {0};
	parse_copy(cmd, name, &ca);
	if (ca.make_dirs) {
		DKO_VEC_FREE(&ca.srcs);
		return make_dirs(rx, cmd);
	}
	bool ok = ca.target && ca.srcs.len ? true : fail_cmd(rx, cmd, "is a copy the pass cannot follow");
	const char *tdir = ok ? ms_resolve(p, rx->cwd, ca.target) : NULL;
	bool into = ok && (ca.srcs.len > 1 || ca.target[strlen(ca.target) - 1] == '/' || known_dir(p, tdir));
	for (size_t i = 0; ok && i < ca.srcs.len; i++) {
		ms_item *a = find_artifact(p, ms_resolve(p, rx->cwd, ca.srcs.items[i]));
		if (!a) {
			ok = fail_cmd(rx, cmd, "copies files that are not build outputs the pass knows");
			break;
		}
		const char *dest = into ? ms_resolve(p, tdir, dko_fs_basename(a->path)) : tdir;
		if (!strcmp(name, "mv")) {
			a->path = a->dest = dest; /* a rename keeps the owner */
			continue;
		}
		const char *chown = ca.owner ? ca.owner : ca.preserve && !run_owner(rx) ? a->chown : run_owner(rx);
		bool dir = a->dir, cand = a->candidate;
		ms_item *b = ms_add_artifact(p, dest, dir);
		b->candidate = cand;
		b->chown = chown;
	}
	DKO_VEC_FREE(&ca.srcs);
	return ok;
}

static bool track_cd(runx *rx, const dko_sh_cmd *cmd)
{
	const char *dir = lit(cmd, 1);
	if (cmd->in_subshell || cmd->in_pipeline || cmd->conditional || !dir || cmd->nwords > 2 || !strcmp(dir, "-"))
		return fail_cmd(rx, cmd, "changes folder in a way the pass does not follow");
	rx->cwd = ms_resolve(rx->p, rx->cwd, dir);
	return true;
}

static void track_export(runx *rx, const dko_sh_cmd *cmd)
{
	for (uint32_t i = 1; i < cmd->nwords; i++) {
		const char *w = lit(cmd, i);
		if (w && strchr(w, '='))
			DKO_VEC_PUSH(&rx->exported, ms_str(rx->p, w));
	}
}

/* Subcommands of the build tools that leave nothing the runtime takes. */
static bool tool_subcommand(const dko_sh_cmd *cmd, const char *name)
{
	const char *sub = lit(cmd, 1);
	if (!sub)
		return ms_in_list("go|cargo|rustc|rustup|node|npm|yarn|java|javac|mvn|mvnw|gradle|gradlew", name);
	if (!strcmp(name, "go"))
		return ms_in_list("test|vet|version|env|generate|fmt|mod|list|get|work|tool|doc", sub);
	if (!strcmp(name, "cargo"))
		return ms_in_list("test|check|clippy|fmt|fetch|metadata|version|--version|-V|doc|tree|update", sub);
	if (!strcmp(name, "rustup") || !strcmp(name, "rustc") || !strcmp(name, "java") || !strcmp(name, "javac"))
		return ms_in_list("--version|-V|-version|component|target|toolchain|default|show|update", sub);
	if (ms_in_list("npm|yarn|pnpm", name))
		return ms_in_list("test|t|audit|config|--version|-v|version|cache|ls|list|outdated|doctor", sub);
	if (ms_in_list("mvn|mvnw|gradle|gradlew", name))
		return ms_in_list("test|--version|-v|-version|clean", sub);
	if (!strcmp(name, "node"))
		return ms_in_list("--version|-v", sub);
	return false;
}

/* Commands that write nothing the runtime stage would copy. */
static bool harmless(const dko_sh_cmd *cmd, const char *name)
{
	if (ms_in_list("true|:|echo|printf|test|[|ls|cat|pwd|which|whoami|id|uname|env|printenv|date|"
	            "nproc|sleep|du|df|file|ldd|sha256sum|sha512sum|md5sum|sha1sum|tree|rm|ldconfig|"
	            "update-ca-certificates|git|head|tail|grep|wc|sort|set|unset|type|hash|command|"
	            "stat|readlink|realpath|dirname|basename|go-licenses|protoc-gen-go",
	            name))
		return true;
	if (!strcmp(name, "find")) {
		for (uint32_t i = 1; i < cmd->nwords; i++) {
			const char *w = lit(cmd, i);
			if (!w || ms_in_list("-delete|-exec|-execdir|-fprint|-fprintf|-fls|-ok", w))
				return false;
		}
		return true;
	}
	return false;
}

static bool follow_plain(runx *rx, const dko_sh_cmd *cmd, const char *name)
{
	ms_plan *p = rx->p;
	const char *base = dko_fs_basename(name);
	if (!strcmp(base, "cd"))
		return track_cd(rx, cmd);
	if (!strcmp(base, "export")) {
		track_export(rx, cmd);
		return true;
	}
	if (ms_in_list("useradd|adduser|groupadd|addgroup", base))
		return user_cmd(rx, cmd, base);
	if (is_compiler(base)) {
		p->any_build = true;
		return cmd->conditional ? fail_cmd(rx, cmd, "runs only under a condition") : cc_build(rx, cmd);
	}
	if (!strcmp(base, "dotnet")) {
		p->any_build |= lit(cmd, 1) && !strcmp(lit(cmd, 1), "publish");
		return cmd->conditional ? fail_cmd(rx, cmd, "runs only under a condition") : dotnet(rx, cmd);
	}
	if (!strcmp(base, "mkdir"))
		return make_dirs(rx, cmd);
	if (ms_in_list("chmod|chown|chgrp|strip|upx", base))
		return on_outputs(rx, cmd, base);
	if (ms_in_list("cp|mv|install", base))
		return copy_outputs(rx, cmd, base);
	if (harmless(cmd, base) || tool_subcommand(cmd, base))
		return true;
	return fail_cmd(rx, cmd, "changes the image in a way the pass cannot follow");
}

static bool follow_cmd(runx *rx, size_t k, const dko_sh_cmd *cmd)
{
	if (cmd->nwords == 0)
		return !writes_file(rx, cmd) || fail_cmd(rx, cmd, "writes a file with a redirection");
	if (cmd->in_function || cmd->background)
		return fail_cmd(rx, cmd, "runs in a function or in the background");
	if (writes_file(rx, cmd))
		return fail_cmd(rx, cmd, "writes a file with a redirection");
	const char *name = lit(cmd, 0);
	if (!name)
		return fail_cmd(rx, cmd, "runs a command whose name is decided while it runs");
	bool any = false;
	for (size_t i = 0; i < rx->nops; i++) {
		if (rx->ops[i].cmd_index != k)
			continue;
		any = true;
		if (!follow_op(rx, cmd, &rx->ops[i]))
			return false;
	}
	return any || follow_plain(rx, cmd, name);
}

/* The folder a RUN starts in: its WORKDIR, else the base image's. */
static const char *run_cwd(ms_plan *p, uint32_t node)
{
	const dko_ginstr *gi = dko_graph_instr(p->c->graph, node);
	if (gi->state.workdir)
		return gi->state.workdir;
	for (uint32_t i = p->st->from_node + 1; i < node; i++) {
		const dko_node *n = &p->c->doc->nodes[i];
		if (n->kind == DKO_NODE_INSTR && n->instr->kind == DKO_I_WORKDIR)
			return NULL; /* set, but to something unknown */
	}
	return p->tc.workdir ? p->tc.workdir : "/";
}

static bool scan_run(ms_plan *p, uint32_t node)
{
	runx rx = {p, node, NULL, dko_graph_instr(p->c->graph, node), run_cwd(p, node), NULL, 0, {0}};
	const dko_instr *in = p->c->doc->nodes[node].instr;
	if (in->json)
		return ms_fail(p, node, "an exec-form RUN is not followed");
	if (!rx.cwd)
		return ms_fail(p, node, "the RUN's WORKDIR is not known");
	rx.s = dko_pass_script(p->c, node);
	if (!rx.s || dko_sh_is_opaque(rx.s))
		return ms_fail(p, node, "a RUN could not be analysed (%s)",
		               rx.s ? dko_sh_opaque_reason(rx.s) : "no shell script");
	rx.ops = dko_cleanup_ops(p->c, node, &rx.nops);
	bool ok = true;
	for (size_t k = 0; ok && k < dko_sh_cmd_count(rx.s); k++)
		ok = follow_cmd(&rx, k, dko_sh_cmd_at(rx.s, k));
	DKO_VEC_FREE(&rx.exported);
	return ok;
}

bool ms_scan_runs(ms_plan *p)
{
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++) {
		const dko_node *n = &p->c->doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR)
			continue;
		if (n->instr->kind == DKO_I_ONBUILD)
			return ms_fail(p, i, "the stage has ONBUILD triggers");
		if (n->instr->kind == DKO_I_RUN && !scan_run(p, i))
			return false;
	}
	return true;
}

/* The build kind of a package operation, MS_B_NONE for none. */
static ms_build op_build(const dko_pkg_op *op, const dko_sh_cmd *cmd)
{
	bool build = op->verb == DKO_PV_BUILD;
	switch (op->manager) {
	case DKO_PM_GO:
		return build || (op->verb == DKO_PV_INSTALL && lit(cmd, 1) && !strcmp(lit(cmd, 1), "install"))
		           ? MS_B_GO
		           : MS_B_NONE;
	case DKO_PM_CARGO:
		return build || op->verb == DKO_PV_INSTALL ? MS_B_CARGO : MS_B_NONE;
	case DKO_PM_MAKE:
		return MS_B_MAKE;
	case DKO_PM_MVN:
		return build ? MS_B_MVN : MS_B_NONE;
	case DKO_PM_GRADLE:
		return build ? MS_B_GRADLE : MS_B_NONE;
	case DKO_PM_NPM:
	case DKO_PM_YARN:
	case DKO_PM_PNPM:
		return build ? MS_B_NPM : MS_B_NONE;
	default:
		return MS_B_NONE;
	}
}

/* Follow the compilers an apt/apk operation installs or removes: *kept
 * ends true when one is still installed (a purge or autoremove after the
 * install counts as removing it: the docker-library pattern). */
static void track_compilers(const dko_pkg_op *op, bool *kept)
{
	if (op->manager != DKO_PM_APT && op->manager != DKO_PM_APK)
		return;
	if (op->verb == DKO_PV_REMOVE || op->verb == DKO_PV_AUTOREMOVE)
		*kept = false;
	for (uint32_t i = 0; op->verb == DKO_PV_INSTALL && i < op->npackages; i++)
		*kept |= dko_tc_compiler_pkg(op->packages[i]);
}

unsigned ms_stage_builds(ms_plan *p, bool *compiler_kept)
{
	unsigned kinds = 0;
	*compiler_kept = false;
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++) {
		if (p->c->doc->nodes[i].kind != DKO_NODE_INSTR || p->c->doc->nodes[i].instr->kind != DKO_I_RUN)
			continue;
		dko_sh_script *s = dko_pass_script(p->c, i);
		if (!s || dko_sh_is_opaque(s))
			continue;
		size_t nops;
		const dko_pkg_op *ops = dko_cleanup_ops(p->c, i, &nops);
		for (size_t k = 0; k < nops; k++) {
			kinds |= 1u << op_build(&ops[k], dko_sh_cmd_at(s, ops[k].cmd_index));
			track_compilers(&ops[k], compiler_kept);
		}
		for (size_t k = 0; k < dko_sh_cmd_count(s); k++) {
			const dko_sh_cmd *cmd = dko_sh_cmd_at(s, k);
			const char *name = lit(cmd, 0);
			if (name && is_compiler(dko_fs_basename(name)))
				kinds |= 1u << MS_B_CC;
			if (name && !strcmp(dko_fs_basename(name), "dotnet") && lit(cmd, 1) && !strcmp(lit(cmd, 1), "publish"))
				kinds |= 1u << MS_B_DOTNET;
		}
	}
	return kinds & ~(1u << MS_B_NONE);
}
