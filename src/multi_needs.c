/*
 * multi_needs.c - step 2 of the multi-stage pass (see multistage.h): what
 * the image needs when it runs.
 *
 * Run-time files: every file the final stage copies from the build context
 * that is not a build input (sources, manifests, build files, tests,
 * VCS and CI files of the toolchain at hand) is copied from the build stage
 * into the runtime stage at the same path, with the same --chown/--chmod.
 * Copies from other stages or URLs and heredocs are kept as they are.
 *
 * Commands: CMD, ENTRYPOINT and HEALTHCHECK (exec or shell form, `sh -c`,
 * `npm start` and its pre/post scripts) are followed program by program. A
 * program is a build output (the artifact is then needed), a command of the
 * runtime image, a shell builtin, a tool a package adds to the runtime, or a
 * shell script copied from the context (an entrypoint script: its commands
 * are followed the same way, "$@" standing for the arguments it is given).
 * The arguments of a build output, and the files interpreters run (java
 * -jar, node, dotnet), must be build outputs, run-time files or system paths
 * when they look like paths. Anything else stops the pass with the reason.
 */
#include "manifest.h"
#include "multistage.h"
#include "shell.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* ---- where image paths come from ------------------------------------------------------- */

/* Folders an image certainly has: a file copied to one goes inside it. */
static bool image_dir(ms_plan *p, const char *path, uint32_t before)
{
	if (ms_in_list("/|/etc|/usr|/usr/local|/usr/local/bin|/usr/bin|/bin|/sbin|/usr/sbin|/opt|/srv|/tmp|"
	            "/var|/home|/root|/usr/share|/usr/local/share",
	            path))
		return true;
	for (uint32_t i = p->st->from_node; i < before && i < p->st->end_node; i++) {
		const dko_ginstr *gi = dko_graph_instr(p->c->graph, i);
		if (gi->state.workdir && !strcmp(gi->state.workdir, path))
			return true;
	}
	return false;
}

/* Where a source copied by a COPY with destination dest lands. */
static const char *landing(ms_plan *p, const char *src, const char *dest, bool many, bool src_dir,
                           uint32_t node)
{
	size_t n = strlen(dest);
	if (src_dir)
		return ms_resolve(p, dest, ".");
	if (many || (n && dest[n - 1] == '/') || image_dir(p, ms_resolve(p, dest, "."), node))
		return ms_resolve(p, dest, dko_fs_basename(src));
	return dest;
}

/* The context copies of a COPY/ADD node: sources and destination. */
static bool context_copy(ms_plan *p, uint32_t i, const dko_ginstr **gi_out)
{
	const dko_node *n = &p->c->doc->nodes[i];
	if (n->kind != DKO_NODE_INSTR || (n->instr->kind != DKO_I_COPY && n->instr->kind != DKO_I_ADD))
		return false;
	const dko_ginstr *gi = dko_graph_instr(p->c->graph, i);
	if (gi->nwrites != 1 || !gi->writes[0].path || gi->writes[0].path[0] != '/')
		return false;
	*gi_out = gi;
	return true;
}

const char *ms_context_path(ms_plan *p, uint32_t before_node, const char *image_path)
{
	const char *found = NULL;
	if (!p->c->context || !image_path)
		return NULL;
	for (uint32_t i = p->st->from_node + 1; i < before_node && i < p->st->end_node; i++) {
		const dko_ginstr *gi;
		if (!context_copy(p, i, &gi))
			continue;
		const char *dest = gi->writes[0].path;
		for (uint32_t r = 0; r < gi->nreads; r++) {
			const dko_path *src = &gi->reads[r];
			if (src->kind != DKO_PATH_CONTEXT || strpbrk(src->path, "*?["))
				continue;
			const char *s = !strcmp(src->path, ".") ? "" : src->path;
			bool dir = dko_context_kind(p->c->context, s) == DKO_CTX_DIR;
			const char *at = landing(p, s, dest, gi->nreads > 1, dir, i);
			if (!strcmp(at, image_path))
				found = s;
			else if (dir && ms_under(image_path, at))
				found = *s ? ms_strf(p, "%s/%s", s, image_path + strlen(at) + (strcmp(at, "/") != 0))
				           : ms_str(p, image_path + strlen(at) + (strcmp(at, "/") != 0));
		}
	}
	return found;
}

char *ms_read_context(ms_plan *p, const char *rel, size_t *len)
{
	char *data = NULL;
	if (!p->c->context || dko_context_read(p->c->context, rel, &data, len) != 0)
		return NULL;
	return data;
}

/* ---- run-time files --------------------------------------------------------------------------- */

static const char generic_inputs[] =
	"Dockerfile|Containerfile|.dockerignore|.containerignore|.git|.gitignore|.gitattributes|"
	".gitmodules|.github|.gitlab|.gitlab-ci.yml|.circleci|.travis.yml|.editorconfig|.vscode|.idea|"
	"CODEOWNERS|Makefile|makefile|GNUmakefile|Jenkinsfile|test|tests|testdata|__tests__|"
	"spec|e2e|.golangci.yml|.golangci.yaml|.goreleaser.yml|.goreleaser.yaml|.pre-commit-config.yaml|"
	"renovate.json|.dockopt.yml|.dockopt.yaml|.devcontainer";
/* Docs (README, LICENSE, ...) are not here: a program may read or serve
 * them, and they are small, so they stay in the runtime stage. */
static const char *const generic_prefixes[] = {"Dockerfile.", "docker-compose", "compose."};

typedef struct kind_inputs {
	ms_build build;
	const char *names;      /* exact names (files or folders) */
	const char *suffixes;   /* "|.go|.s" */
} kind_inputs;

static const kind_inputs inputs[] = {
	{MS_B_GO, "go.mod|go.sum|go.work|go.work.sum|vendor", ".go|.s|.c|.h"},
	{MS_B_CARGO, "Cargo.toml|Cargo.lock|build.rs|rust-toolchain|rust-toolchain.toml|.cargo|benches|examples|target",
	 ".rs"},
	{MS_B_MAKE, "CMakeLists.txt|configure|configure.ac|autogen.sh", ".c|.h|.cc|.cpp|.cxx|.hpp|.hh|.o|.a|.mk|.cmake|.am|.m4"},
	{MS_B_CC, "CMakeLists.txt|configure|configure.ac|autogen.sh", ".c|.h|.cc|.cpp|.cxx|.hpp|.hh|.o|.a|.mk|.cmake|.am|.m4"},
	{MS_B_MVN, "pom.xml|mvnw|mvnw.cmd|.mvn|src|target|build.gradle|build.gradle.kts|settings.gradle|"
	           "settings.gradle.kts|gradle.properties|gradlew|gradlew.bat|gradle|build|.gradle",
	 ".java|.kt|.kts|.groovy|.scala"},
	{MS_B_NPM, "package-lock.json|npm-shrinkwrap.json|yarn.lock|pnpm-lock.yaml|.npmrc|.nvmrc|"
	           ".babelrc|.eslintignore|.prettierignore|.browserslistrc|node_modules",
	 ".ts|.tsx|.jsx|.vue|.svelte|.scss|.sass|.less|.mts|.cts"},
	{MS_B_DOTNET, "Directory.Build.props|Directory.Build.targets|Directory.Packages.props|NuGet.config|"
	              "nuget.config|global.json|obj|bin|Properties",
	 ".cs|.csproj|.sln|.fs|.fsproj|.vb|.vbproj|.props|.targets"},
};

/* Prefixes of config files of node build tools (webpack.config.js, ...). */
static const char *const node_tool_configs[] = {"tsconfig", "webpack.config", "vite.config", "rollup.config",
                                                "babel.config", ".eslintrc", ".prettierrc", "jest.config",
                                                "vitest.config", "postcss.config", "tailwind.config"};

static bool suffix_in(const char *name, const char *list)
{
	for (const char *s = list; *s;) {
		const char *e = strchr(s, '|');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		size_t n = strlen(name);
		if (n > l && !memcmp(name + n - l, s, l))
			return true;
		s = e ? e + 1 : s + l;
	}
	return false;
}

/* Whether name (a file or folder of the context) is only a build input. */
static bool build_input(const ms_plan *p, const char *name)
{
	if (p->builds & (1u << MS_B_DOTNET))
		return true; /* dotnet publish copies the project's content files into its output */
	if (ms_in_list(generic_inputs, name) || suffix_in(name, ".Dockerfile|.dockerfile"))
		return true;
	for (size_t i = 0; i < sizeof(generic_prefixes) / sizeof(generic_prefixes[0]); i++)
		if (!strncmp(name, generic_prefixes[i], strlen(generic_prefixes[i])))
			return true;
	unsigned b = p->builds;
	if (b & (1u << MS_B_GRADLE))
		b |= 1u << MS_B_MVN;
	if (b & (1u << MS_B_CC))
		b |= 1u << MS_B_MAKE;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		if (!(b & (1u << inputs[i].build)))
			continue;
		if (ms_in_list(inputs[i].names, name) || suffix_in(name, inputs[i].suffixes))
			return true;
	}
	if (b & (1u << MS_B_NPM))
		for (size_t i = 0; i < sizeof(node_tool_configs) / sizeof(node_tool_configs[0]); i++)
			if (!strncmp(name, node_tool_configs[i], strlen(node_tool_configs[i])))
				return true;
	return false;
}

/* One top-level entry of a copied folder: whether anything below it runs. */
typedef struct top_entry {
	const char *name;
	bool dir, runtime;
} top_entry;

typedef struct classify {
	ms_plan *p;
	size_t skip; /* length of the folder's path prefix */
	DKO_VEC(top_entry) tops;
} classify;

static int classify_visit(const dko_context_entry *e, void *payload)
{
	classify *cl = payload;
	const char *rest = e->path + cl->skip;
	size_t tl = strcspn(rest, "/");
	if (cl->p->dockerfile_rel && !strcmp(e->path, cl->p->dockerfile_rel))
		return 0;
	if (e->depth == 1) {
		top_entry t = {dko_arena_strndup(&cl->p->a, rest, tl), e->kind == DKO_CTX_DIR, false};
		t.runtime = !build_input(cl->p, e->name) && e->kind != DKO_CTX_DIR;
		DKO_VEC_PUSH(&cl->tops, t);
		return e->kind == DKO_CTX_DIR && build_input(cl->p, e->name) ? DKO_CONTEXT_WALK_SKIP : 0;
	}
	if (e->kind == DKO_CTX_DIR)
		return build_input(cl->p, e->name) ? DKO_CONTEXT_WALK_SKIP : 0;
	if (!build_input(cl->p, e->name) && cl->tops.len)
		cl->tops.items[cl->tops.len - 1].runtime = true;
	return 0;
}

static void add_file(ms_plan *p, const char *path, bool dir, const dko_instr *in)
{
	for (size_t i = 0; i < p->files.len; i++)
		if (!strcmp(p->files.items[i].path, path))
			return;
	const dko_flag *chown = dko_instr_flag(in, "chown"), *chmod = dko_instr_flag(in, "chmod");
	ms_item f = {0};
	f.path = f.dest = path;
	f.dir = dir;
	f.chown = chown && chown->value ? dko_arena_strndup(&p->a, chown->value, chown->value_len) : NULL;
	f.chmod = chmod && chmod->value ? dko_arena_strndup(&p->a, chmod->value, chmod->value_len) : NULL;
	DKO_VEC_PUSH(&p->files, f);
}

/* A folder of the context copied to dest: its run-time entries. */
static bool copied_dir(ms_plan *p, uint32_t node, const char *src, const char *dest)
{
	classify cl = {p, *src ? strlen(src) + 1 : 0, {0}};
	dko_context_walk_opts o = {.max_entries = 50000};
	dko_context_walk_stats st = {0};
	int rc = dko_context_walk(p->c->context, src, &o, classify_visit, &cl, &st);
	bool ok = rc == 0 && !st.truncated;
	if (!ok)
		ms_fail(p, node, "the copied folder %s could not be classified (too big or unreadable)", *src ? src : ".");
	for (size_t i = 0; ok && i < cl.tops.len; i++)
		if (cl.tops.items[i].runtime)
			add_file(p, ms_resolve(p, dest, cl.tops.items[i].name), cl.tops.items[i].dir,
			         p->c->doc->nodes[node].instr);
	DKO_VEC_FREE(&cl.tops);
	return ok;
}

/* The context files matching a glob source (one folder level). */
static bool glob_sources(ms_plan *p, uint32_t node, const char *pattern, const char *dest)
{
	const char *slash = strrchr(pattern, '/');
	const char *dir = slash ? ms_strf(p, "%.*s", (int)(slash - pattern), pattern) : "";
	if (strpbrk(dir, "*?["))
		return ms_fail(p, node, "a COPY source with a glob in a folder name is not followed");
	char **names = NULL;
	size_t n = 0;
	if (dko_context_list(p->c->context, dir, &names, &n) != 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rel = *dir ? ms_strf(p, "%s/%s", dir, names[i]) : ms_str(p, names[i]);
		if (!fnmatch(slash ? slash + 1 : pattern, names[i], 0) && !dko_context_is_excluded(p->c->context, rel) &&
		    !build_input(p, names[i]) && !(p->dockerfile_rel && !strcmp(rel, p->dockerfile_rel)))
			add_file(p, ms_resolve(p, dest, names[i]), dko_context_kind(p->c->context, rel) == DKO_CTX_DIR,
			         p->c->doc->nodes[node].instr);
		free(names[i]);
	}
	free(names);
	return true;
}

static bool is_archive(const char *name)
{
	return suffix_in(name, ".tar|.tar.gz|.tgz|.tar.xz|.txz|.tar.bz2|.tbz2|.tar.zst|.tar.lz4");
}

static bool scan_copy(ms_plan *p, uint32_t node, const dko_ginstr *gi)
{
	const char *dest = gi->writes[0].path;
	const dko_instr *in = p->c->doc->nodes[node].instr;
	if (dko_instr_flag(in, "parents") || dko_instr_flag(in, "exclude"))
		return ms_fail(p, node, "COPY --parents / --exclude is not followed");
	for (uint32_t r = 0; r < gi->nreads; r++) {
		const dko_path *src = &gi->reads[r];
		if (src->kind != DKO_PATH_CONTEXT) {
			/* another stage, an image, a URL, a heredoc: keep what it wrote */
			add_file(p, dest, false, p->c->doc->nodes[node].instr);
			continue;
		}
		if (strpbrk(src->path, "*?[")) {
			if (!glob_sources(p, node, src->path, ms_resolve(p, dest, ".")))
				return false;
			continue;
		}
		const char *s = !strcmp(src->path, ".") ? "" : src->path;
		dko_ctx_kind k = dko_context_kind(p->c->context, s);
		if (in->kind == DKO_I_ADD && k == DKO_CTX_FILE && is_archive(s)) {
			add_file(p, ms_resolve(p, dest, "."), true, in); /* ADD unpacks it there */
		} else if (k == DKO_CTX_DIR && *s && build_input(p, dko_fs_basename(s))) {
			continue; /* COPY src ./src of a Java build, COPY vendor ... */
		} else if (k == DKO_CTX_DIR) {
			if (!copied_dir(p, node, s, ms_resolve(p, dest, ".")))
				return false;
		} else if (!build_input(p, dko_fs_basename(s)) && !(p->dockerfile_rel && !strcmp(s, p->dockerfile_rel))) {
			add_file(p, landing(p, s, dest, gi->nreads > 1, false, node), false, p->c->doc->nodes[node].instr);
		}
	}
	return true;
}

/* ---- programs that start other programs --------------------------------------------------- */

/* Source suffixes per build, and what in them starts another program: the
 * runtime image would then need that program, which the toolchain image had
 * (git, sh, compilers) and the runtime may not. */
static const struct {
	unsigned builds;
	const char *suffixes;
	const char *needles[8];
} spawners[] = {
    {1u << MS_B_GO, ".go", {"\"os/exec\"", "syscall.Exec", "syscall.ForkExec", "StartProcess"}},
    {1u << MS_B_CARGO, ".rs", {"process::Command", "Command::new", "libc::exec", "libc::system"}},
    {(1u << MS_B_MAKE) | (1u << MS_B_CC), ".c|.cc|.cpp|.cxx|.h|.hpp",
     {"system(", "popen(", "execv", "execl", "posix_spawn", "wordexp("}},
    {(1u << MS_B_MVN) | (1u << MS_B_GRADLE), ".java|.kt|.scala|.groovy",
     {"ProcessBuilder", "getRuntime().exec", "Runtime.exec"}},
    {1u << MS_B_NPM, ".js|.mjs|.cjs|.ts|.mts|.cts|.jsx|.tsx",
     {"child_process", "execa", "shelljs", "cross-spawn", "Bun.spawn", "Deno.Command"}},
    {1u << MS_B_DOTNET, ".cs|.fs|.vb", {"Process.Start", "ProcessStartInfo"}},
};

typedef struct spawn_scan {
	ms_plan *p;
	size_t bytes; /* read so far */
	const char *file, *needle;
	bool too_big;
} spawn_scan;

static int spawn_visit(const dko_context_entry *e, void *payload)
{
	spawn_scan *sc = payload;
	ms_plan *p = sc->p;
	if (e->kind == DKO_CTX_DIR)
		return ms_in_list("node_modules|vendor|target|.git|test|tests|testdata|__tests__|e2e", e->name)
		           ? DKO_CONTEXT_WALK_SKIP
		           : 0;
	if (e->kind != DKO_CTX_FILE || ends_with(e->name, "_test.go") || strstr(e->name, ".test.") ||
	    strstr(e->name, ".spec."))
		return 0;
	for (size_t i = 0; i < sizeof(spawners) / sizeof(spawners[0]); i++) {
		if (!(p->builds & spawners[i].builds) || !suffix_in(e->name, spawners[i].suffixes))
			continue;
		size_t len;
		char *data = ms_read_context(p, e->path, &len);
		if (!data)
			return 0;
		sc->bytes += len;
		for (size_t k = 0; k < 8 && spawners[i].needles[k] && !sc->needle; k++)
			if (dko_mem_find(data, len, spawners[i].needles[k])) {
				sc->needle = spawners[i].needles[k];
				sc->file = ms_str(p, e->path);
			}
		free(data);
		if (sc->needle)
			return DKO_EINVAL; /* stop: found one */
		if (sc->bytes > 64u << 20) {
			sc->too_big = true;
			return DKO_EINVAL;
		}
		return 0;
	}
	return 0;
}

/* Whether the program the build makes may start other programs. */
static bool check_spawns(ms_plan *p)
{
	if (!p->c->context)
		return true;
	spawn_scan sc = {p, 0, NULL, NULL, false};
	dko_context_walk_opts o = {.max_entries = 50000};
	dko_context_walk_stats st = {0};
	dko_context_walk(p->c->context, "", &o, spawn_visit, &sc, &st);
	if (sc.needle) {
		const char *n = sc.needle;
		size_t l = strlen(n);
		const char *shown = (l > 2 && n[0] == '"') ? ms_strf(p, "%.*s", (int)(l - 2), n + 1) : n;
		return ms_fail(p, p->build_node, "the program may start other programs (%s in %s), which the "
		               "toolchain image has and a runtime image may not", shown, sc.file);
	}
	if (sc.too_big || st.truncated)
		return ms_fail(p, p->build_node, "the sources are too many to check whether the program starts "
		               "other programs");
	return true;
}

bool ms_scan_files(ms_plan *p)
{
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++) {
		const dko_node *n = &p->c->doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || (n->instr->kind != DKO_I_COPY && n->instr->kind != DKO_I_ADD))
			continue;
		const dko_ginstr *gi = dko_graph_instr(p->c->graph, i);
		if (gi->nwrites != 1 || !gi->writes[0].path || gi->writes[0].path[0] != '/')
			return ms_fail(p, i, "the destination of a COPY is not known");
		if (!scan_copy(p, i, gi))
			return false;
	}
	return check_spawns(p);
}

/* ---- what the commands need ------------------------------------------------------------------- */

typedef struct cmdx {
	ms_plan *p;
	uint32_t node;
	const char *what;    /* "CMD", "ENTRYPOINT", "HEALTHCHECK" */
	const char *workdir;
	const char *path;    /* the image's PATH */
	int depth;
} cmdx;

static bool system_path(const char *path)
{
	static const char *const dirs[] = {"/dev", "/proc", "/sys", "/run", "/var/run"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (ms_under(path, dirs[i]))
			return true;
	return ms_in_list("/|/tmp|/var/tmp|/etc/hosts|/etc/hostname|/etc/resolv.conf|/etc/passwd|/etc/group|"
	               "/etc/ssl/certs/ca-certificates.crt|/etc/ssl/certs",
	               path);
}

/* Whether the runtime stage will have path; marks the artifact needed. */
static bool provided(ms_plan *p, const char *path)
{
	for (size_t i = 0; i < p->arts.len; i++) {
		ms_item *a = &p->arts.items[i];
		if (!strcmp(a->path, path) || (a->dir && ms_under(path, a->path))) {
			a->needed = true;
			return true;
		}
	}
	for (size_t i = 0; i < p->files.len; i++)
		if (!strcmp(p->files.items[i].path, path) || (p->files.items[i].dir && ms_under(path, p->files.items[i].path)))
			return true;
	for (size_t i = 0; i < p->dirs.len; i++) {
		if (ms_under(path, p->dirs.items[i].path)) {
			p->dirs.items[i].needed = true; /* copied whole, with what the build put there */
			return true;
		}
	}
	return system_path(path);
}

/* A path the build writes that a build kind proves: node's output folder
 * (not in the context), a jar in Maven's target/ or Gradle's build/libs/. */
static bool build_output(cmdx *x, const char *path)
{
	ms_plan *p = x->p;
	if (!p->build_dir || !ms_under(path, p->build_dir) || !strcmp(path, p->build_dir))
		return false;
	const char *rest = path + strlen(p->build_dir) + (strcmp(p->build_dir, "/") != 0);
	if (p->build == MS_B_NPM) {
		const char *top = ms_strf(p, "%.*s", (int)strcspn(rest, "/"), rest);
		const char *ctx = ms_context_path(p, p->st->end_node, ms_resolve(p, p->build_dir, top));
		if (!strcmp(top, "node_modules") || (ctx && dko_context_exists(p->c->context, ctx) &&
		                                     !dko_context_is_excluded(p->c->context, ctx)))
			return false;
		ms_add_artifact(p, ms_resolve(p, p->build_dir, top), true)->needed = true;
		return true;
	}
	if ((p->build == MS_B_MVN && !strncmp(rest, "target/", 7) && !strchr(rest + 7, '/')) ||
	    (p->build == MS_B_GRADLE && !strncmp(rest, "build/libs/", 11) && !strchr(rest + 11, '/'))) {
		if (!ends_with(rest, ".jar") && !ends_with(rest, ".war"))
			return false;
		bool glob = strpbrk(path, "*?[") != NULL;
		if (p->java_jar && (glob ? fnmatch(path, p->java_jar, 0) != 0 : strcmp(path, p->java_jar) != 0))
			return ms_fail(p, x->node, "%s names %s while the build file makes %s", x->what, path, p->java_jar);
		ms_item *a = ms_add_artifact(p, path, false);
		a->needed = true;
		if (glob) /* a glob: copied into its folder */
			a->dest = ms_strf(p, "%.*s", (int)(strrchr(path, '/') - path + 1), path);
		return true;
	}
	return false;
}

static bool need_file(cmdx *x, const char *arg)
{
	const char *path = ms_resolve(x->p, x->workdir, arg);
	if (provided(x->p, path) || build_output(x, path))
		return true;
	return ms_fail(x->p, x->node, "%s uses %s, which the build stage makes in a way the pass cannot trace",
	               x->what, arg);
}

/* Arguments that name files: paths, and names with a file extension. */
static bool path_like(const char *a)
{
	if (a[0] == '-' || strstr(a, "://") || strchr(a, '$') || strchr(a, '@'))
		return false;
	if (a[0] == '/' || !strncmp(a, "./", 2) || !strncmp(a, "../", 3))
		return true;
	if (strchr(a, ':') || strchr(a, '='))
		return false;
	return strchr(a, '/') || suffix_in(a, ".yaml|.yml|.json|.toml|.conf|.cfg|.ini|.properties|.xml|.env|"
	                                      ".pem|.crt|.key|.jar|.war|.js|.mjs|.cjs|.dll|.db|.sqlite|.html|.sh");
}

static bool check_generic_args(cmdx *x, const char *const *args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = args[i];
		if (!a)
			continue;
		const char *eq = a[0] == '-' ? strchr(a, '=') : NULL;
		const char *v = eq ? eq + 1 : a;
		if (path_like(v) && !need_file(x, v))
			return false;
	}
	return true;
}

static bool check_argv(cmdx *x, const char *const *argv, size_t n, bool shell);

/* java [options] (-jar FILE | CLASS) [args]: the jar and class path entries. */
static bool check_java(cmdx *x, const char *const *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (!a[i])
			continue;
		if (!strcmp(a[i], "-jar") && i + 1 < n && a[i + 1])
			return need_file(x, a[i + 1]) && check_generic_args(x, a + i + 2, n - i - 2);
		if ((!strcmp(a[i], "-cp") || !strcmp(a[i], "-classpath") || !strcmp(a[i], "--class-path")) && i + 1 < n) {
			char *cp = dko_arena_strdup(&x->p->a, a[++i] ? a[i] : "");
			for (char *s = cp, *e; s; s = e) {
				e = strchr(s, ':');
				if (e)
					*e++ = '\0';
				size_t l = strlen(s);
				if (l >= 2 && !strcmp(s + l - 2, "/*"))
					s[l - 2] = '\0';
				if (*s && !need_file(x, s))
					return false;
			}
		} else if (a[i][0] != '-') {
			return check_generic_args(x, a + i + 1, n - i - 1); /* the main class, then its arguments */
		}
	}
	return true;
}

/* The command of a package.json script of the project in the workdir. */
static const char *npm_script(cmdx *x, const char *name)
{
	ms_plan *p = x->p;
	const char *rel = ms_context_path(p, p->st->end_node, ms_resolve(p, x->workdir, "package.json"));
	dko_npm *npm = NULL;
	const char *cmd = NULL;
	if (rel && dko_npm_read(&npm, p->c->context, rel) == 0 && dko_npm_script(npm, name))
		cmd = ms_str(p, dko_npm_script(npm, name));
	dko_npm_free(npm);
	return cmd;
}

/* A shell text run by sh -c or a package.json script. */
static bool check_script_text(cmdx *x, const char *text)
{
	dko_sh_script *s;
	bool ok = dko_sh_parse_text(&s, text, strlen(text), NULL) == 0 && x->depth < 3;
	if (!ok)
		ok = ms_fail(x->p, x->node, "%s runs a shell script the pass cannot analyse", x->what);
	x->depth++;
	const char *workdir = x->workdir;
	for (size_t k = 0; ok && k < dko_sh_cmd_count(s); k++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, k);
		if (c->nwords == 2 && c->words[0].lit && !strcmp(c->words[0].lit, "cd") && c->words[1].lit &&
		    !c->in_subshell) {
			x->workdir = ms_resolve(x->p, x->workdir, c->words[1].lit); /* cd dir && ./app */
			continue;
		}
		const char **argv = dko_xcalloc(c->nwords + 1, sizeof(char *));
		for (uint32_t i = 0; i < c->nwords; i++)
			argv[i] = c->words[i].lit;
		if (c->nwords)
			ok = check_argv(x, argv, c->nwords, true);
		free(argv);
	}
	x->workdir = workdir;
	x->depth--;
	dko_sh_free(s);
	return ok;
}

/* npm start / npm run NAME / yarn NAME: the script must run node on a file. */
static bool check_npm(cmdx *x, const char *const *a, size_t n)
{
	const char *name = n >= 2 && a[1] && !strcmp(a[1], "start") ? "start"
	                   : n >= 3 && a[1] && a[2] && (!strcmp(a[1], "run") || !strcmp(a[1], "run-script")) ? a[2]
	                   : n >= 2 && a[1] && !strcmp(a[0], "yarn")                                        ? a[1]
	                                                                                                   : NULL;
	const char *script = name ? npm_script(x, name) : NULL;
	if (!script)
		return ms_fail(x->p, x->node, "%s runs `%s %s`, whose script the pass cannot find", x->what, a[0],
		               n > 1 && a[1] ? a[1] : "");
	const char *pre = npm_script(x, ms_strf(x->p, "pre%s", name));
	const char *post = npm_script(x, ms_strf(x->p, "post%s", name));
	return (!pre || check_script_text(x, pre)) && check_script_text(x, script) && (!post || check_script_text(x, post));
}

/* Whether a script's first line runs it with a POSIX shell the runtime has. */
static bool shell_script(cmdx *x, const char *text)
{
	static const struct {
		const char *line, *shell;
	} shebangs[] = {{"#!/bin/sh", "sh"},       {"#!/bin/bash", "bash"},        {"#!/bin/dash", "dash"},
	                {"#!/bin/ash", "ash"},     {"#!/usr/bin/env sh", "sh"},    {"#!/usr/bin/env bash", "bash"}};
	size_t n = strcspn(text, "\r\n");
	for (size_t i = 0; i < sizeof(shebangs) / sizeof(shebangs[0]); i++) {
		size_t k = strlen(shebangs[i].line);
		if (n >= k && !strncmp(text, shebangs[i].line, k) && (n == k || text[k] == ' ' || text[k] == '\t'))
			return dko_tc_runtime_has(x->p->rt, shebangs[i].shell);
	}
	return false;
}

/* Programs that run their arguments as a command ("gosu app "$@""). */
static bool runs_arguments(const char *name)
{
	return ms_in_list("gosu|su-exec|tini|dumb-init|setpriv|runuser|chroot|nice|timeout", dko_fs_basename(name));
}

/* One command of an entrypoint script: "$@" stands for the script's
 * arguments (the CMD), run directly or through gosu/tini/... */
static bool check_script_cmd(cmdx *x, const dko_sh_cmd *c, const char *const *args, size_t nargs)
{
	uint32_t k = 0;
	while (k < c->nwords && c->words[k].lit && ms_in_list("exec|command|nohup|env|time", c->words[k].lit))
		k++;
	if (k >= c->nwords)
		return true;
	const char *raw = c->words[k].raw;
	bool all = !strcmp(raw, "\"$@\"") || !strcmp(raw, "$@");
	if (all)
		return nargs == 0 || check_argv(x, args, nargs, false);
	const char **argv = dko_xcalloc(c->nwords + 1, sizeof(char *));
	bool forwards = false;
	for (uint32_t i = k; i < c->nwords; i++) {
		argv[i - k] = c->words[i].lit;
		forwards |= !strcmp(c->words[i].raw, "\"$@\"") || !strcmp(c->words[i].raw, "$@");
	}
	bool ok = check_argv(x, argv, c->nwords - k, true);
	if (ok && forwards && c->words[k].lit && runs_arguments(c->words[k].lit) && nargs)
		ok = check_argv(x, args, nargs, false);
	free(argv);
	return ok;
}

/* A shell script copied from the context that the image runs (an
 * entrypoint script): its commands must resolve like CMD's. */
static bool check_script_file(cmdx *x, const char *path, const char *const *args, size_t nargs)
{
	ms_plan *p = x->p;
	const char *rel = ms_context_path(p, p->st->end_node, path);
	size_t len;
	char *text = rel ? ms_read_context(p, rel, &len) : NULL;
	dko_sh_script *s = NULL;
	bool ok = text && shell_script(x, text) && x->depth < 3 && dko_sh_parse_text(&s, text, len, NULL) == 0;
	if (!ok)
		ok = ms_fail(p, x->node, "%s runs %s, a file whose commands the pass cannot check", x->what, path);
	const char *what = x->what;
	x->what = dko_fs_basename(path);
	x->depth++;
	for (size_t k = 0; ok && k < dko_sh_cmd_count(s); k++)
		if (dko_sh_cmd_at(s, k)->nwords)
			ok = check_script_cmd(x, dko_sh_cmd_at(s, k), args, nargs);
	x->depth--;
	x->what = what;
	dko_sh_free(s);
	free(text);
	return ok;
}

/* Where the runtime stage copies a binary the image finds on its PATH. */
static bool runtime_path_dir(const char *dir)
{
	return ms_in_list("/usr/local/sbin|/usr/local/bin|/usr/sbin|/usr/bin|/sbin|/bin", dir);
}

/* Whether path is a run-time file copied from the context (or lies in a
 * copied folder): a script whose commands can be read there. */
static bool runtime_file(const ms_plan *p, const char *path)
{
	for (size_t i = 0; i < p->files.len; i++) {
		const ms_item *f = &p->files.items[i];
		if (!strcmp(f->path, path) ? !f->dir : f->dir && ms_under(path, f->path))
			return true;
	}
	return false;
}

/* What a command runs: a build output, something the runtime image has (or
 * gets from a package), or a script copied from the context. */
typedef enum prog_kind { PROG_FAIL, PROG_BUILT, PROG_SYSTEM, PROG_SCRIPT } prog_kind;

/* A program named without a slash: PATH lookup in the build stage. A
 * script found there is returned in *file. */
static prog_kind check_bare(cmdx *x, const char *prog, bool shell, const char **file)
{
	ms_plan *p = x->p;
	char *path = dko_arena_strdup(&p->a, x->path);
	for (char *d = path, *e; d; d = e) {
		e = strchr(d, ':');
		if (e)
			*e++ = '\0';
		const char *cand = ms_resolve(p, d, prog);
		if (cand && runtime_file(p, cand)) {
			*file = cand;
			return PROG_SCRIPT;
		}
		for (size_t i = 0; cand && i < p->arts.len; i++) {
			ms_item *a = &p->arts.items[i];
			if (strcmp(a->path, cand))
				continue;
			a->needed = true;
			if (!runtime_path_dir(d))
				a->dest = ms_strf(p, "/usr/local/bin/%s", prog);
			return PROG_BUILT;
		}
	}
	if ((shell && dko_tc_builtin(prog)) || dko_tc_runtime_has(p->rt, prog))
		return PROG_SYSTEM;
	for (size_t i = 0; i < p->globals.len; i++)
		if (!strcmp(p->globals.items[i], prog))
			return ms_fail(p, x->node, "%s runs %s, which the build installs globally", x->what, prog), PROG_FAIL;
	const char *pkg = dko_tc_tool_pkg(prog, p->rt->os);
	if (pkg && p->rt->shell && p->rt->known) {
		ms_push_unique(p, &p->rt_pkgs, pkg);
		return PROG_SYSTEM;
	}
	ms_fail(p, x->node, "%s runs %s, which %s does not have", x->what, prog, p->rt->image);
	return PROG_FAIL;
}

/* A program named with a slash, relative to the WORKDIR. */
static prog_kind check_path_prog(cmdx *x, const char *prog, const char **file)
{
	const char *abs = ms_resolve(x->p, x->workdir, prog);
	if (runtime_file(x->p, abs)) {
		*file = abs;
		return PROG_SCRIPT;
	}
	if (provided(x->p, abs) && !system_path(abs))
		return PROG_BUILT;
	if (system_path(abs) || dko_tc_runtime_has(x->p->rt, dko_fs_basename(prog)))
		return PROG_SYSTEM;
	ms_fail(x->p, x->node, "%s runs %s, which the build stage makes in a way the pass cannot trace", x->what, prog);
	return PROG_FAIL;
}

/* The arguments of a program the runtime image has: those of interpreters
 * name files (java -jar, node, dotnet, sh -c, npm start); other tools' are
 * their business (mkdir or curl -o name what they create). */
static bool check_system_args(cmdx *x, const char *const *a, size_t an)
{
	const char *base = dko_fs_basename(a[0]);
	if (ms_in_list("sh|bash|dash|ash", base) && an >= 3 && a[1] && !strcmp(a[1], "-c") && a[2])
		return check_script_text(x, a[2]);
	if (!strcmp(base, "java"))
		return check_java(x, a, an);
	if (ms_in_list("npm|yarn|pnpm", base))
		return check_npm(x, a, an);
	if (!strcmp(base, "node") || !strcmp(base, "dotnet")) {
		size_t k = 1;
		while (k < an && a[k] && a[k][0] == '-')
			k++;
		if (k < an && a[k] && !need_file(x, a[k]))
			return false;
		return check_generic_args(x, a + k + 1, an > k + 1 ? an - k - 1 : 0);
	}
	return true;
}

static bool check_argv(cmdx *x, const char *const *argv, size_t n, bool shell)
{
	size_t i = 0;
	while (i < n && argv[i] && shell && ms_in_list("exec|command|nohup|env|time", argv[i]))
		i++; /* wrappers of the real program */
	if (i >= n)
		return true;
	const char *prog = argv[i], *file = NULL;
	if (!prog)
		return ms_fail(x->p, x->node, "%s runs a program named while it runs", x->what);
	const char *const *a = argv + i;
	size_t an = n - i;
	prog_kind k = strchr(prog, '/') ? check_path_prog(x, prog, &file) : check_bare(x, prog, shell, &file);
	switch (k) {
	case PROG_SCRIPT:
		return check_script_file(x, file, a + 1, an - 1);
	case PROG_BUILT:
		return check_generic_args(x, a + 1, an - 1);
	case PROG_SYSTEM:
		return check_system_args(x, a, an);
	default:
		return false;
	}
}

/* One CMD/ENTRYPOINT/HEALTHCHECK (exec or shell form). */
static bool check_instr(cmdx *x, uint32_t node, const char *const *prefix, size_t nprefix)
{
	ms_plan *p = x->p;
	const dko_instr *in = p->c->doc->nodes[node].instr;
	x->node = node;
	uint32_t first = in->kind == DKO_I_HEALTHCHECK ? 1 : 0;
	if (!in->json) {
		dko_sh_script *s = dko_pass_script(p->c, node);
		if (!s || dko_sh_is_opaque(s))
			return ms_fail(p, node, "%s is a shell command the pass cannot analyse", x->what);
		p->shell_needed = true;
		size_t len;
		const char *text = dko_sh_text(s, &len);
		return check_script_text(x, ms_strf(p, "%.*s", (int)len, text));
	}
	size_t n = nprefix + in->nargs - first;
	const char **argv = dko_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < nprefix; i++)
		argv[i] = prefix[i];
	for (uint32_t i = first; i < in->nargs; i++)
		argv[nprefix + i - first] = in->args[i].value;
	bool ok = check_argv(x, argv, n, false);
	free(argv);
	return ok;
}

/* The last instruction of kind k in the stage, or UINT32_MAX. */
static uint32_t last_of(const ms_plan *p, dko_instr_kind k)
{
	uint32_t found = UINT32_MAX;
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++)
		if (p->c->doc->nodes[i].kind == DKO_NODE_INSTR && p->c->doc->nodes[i].instr->kind == k)
			found = i;
	return found;
}

static bool check_run_commands(ms_plan *p, cmdx *x)
{
	uint32_t cmd = last_of(p, DKO_I_CMD), ep = last_of(p, DKO_I_ENTRYPOINT), hc = last_of(p, DKO_I_HEALTHCHECK);
	if (cmd == UINT32_MAX && ep == UINT32_MAX)
		return ms_fail(p, p->st->from_node, "the stage declares no CMD or ENTRYPOINT, so what the image runs is unknown");
	if (ep == UINT32_MAX && !p->tc.same_entrypoint)
		return ms_fail(p, cmd, "the %s image's ENTRYPOINT would not carry over: declare ENTRYPOINT", p->tc.family);
	const dko_instr *epi = ep != UINT32_MAX ? p->c->doc->nodes[ep].instr : NULL;
	bool ok = true;
	if (epi && epi->json && cmd != UINT32_MAX) {
		/* exec-form ENTRYPOINT: the CMD (of this file) is its arguments */
		x->what = "CMD";
		if (!p->c->doc->nodes[cmd].instr->json)
			return ms_fail(p, cmd, "a shell-form CMD after an exec-form ENTRYPOINT is not followed");
		const char **prefix = dko_xcalloc(epi->nargs + 1, sizeof(char *));
		for (uint32_t i = 0; i < epi->nargs; i++)
			prefix[i] = epi->args[i].value;
		ok = check_instr(x, cmd, prefix, epi->nargs);
		free(prefix);
	} else {
		x->what = epi ? "ENTRYPOINT" : "CMD";
		ok = check_instr(x, epi ? ep : cmd, NULL, 0);
	}
	if (ok && hc != UINT32_MAX && p->c->doc->nodes[hc].instr->nargs >= 2) {
		x->what = "HEALTHCHECK";
		ok = check_instr(x, hc, NULL, 0);
	}
	return ok;
}

static bool check_shell_instr(ms_plan *p)
{
	uint32_t sh = last_of(p, DKO_I_SHELL);
	if (sh == UINT32_MAX)
		return true;
	const dko_instr *in = p->c->doc->nodes[sh].instr;
	p->shell_needed = true;
	if (!in->nargs || !dko_tc_runtime_has(p->rt, in->args[0].value))
		return ms_fail(p, sh, "the SHELL %s is not in %s", in->nargs ? in->args[0].value : "", p->rt->image);
	return true;
}

/* "user[:group]": each part numeric, created by the file, or in the runtime. */
static bool check_user_spec(ms_plan *p, uint32_t node, const char *spec)
{
	if (strchr(spec, '$'))
		return ms_fail(p, node, "the user %s is named through a variable", spec);
	char *s = dko_arena_strdup(&p->a, spec);
	for (char *part = s, *next; part; part = next) {
		next = strchr(part, ':');
		if (next)
			*next++ = '\0';
		bool known = !*part || strspn(part, "0123456789") == strlen(part) || dko_tc_runtime_has_user(p->rt, part);
		for (size_t i = 0; !known && i < p->users.len; i++)
			known = !strcmp(p->users.items[i], part);
		if (!known)
			return ms_fail(p, node, "the user %s is not created in the file and %s may not have it", part,
			               p->rt->image);
	}
	return true;
}

static bool check_users(ms_plan *p)
{
	uint32_t u = last_of(p, DKO_I_USER);
	if (u != UINT32_MAX && p->c->doc->nodes[u].instr->nargs &&
	    !check_user_spec(p, u, p->c->doc->nodes[u].instr->args[0].value))
		return false;
	for (size_t i = 0; i < p->arts.len; i++)
		if (p->arts.items[i].chown && !check_user_spec(p, p->st->from_node, p->arts.items[i].chown))
			return false;
	for (size_t i = 0; i < p->files.len; i++)
		if (p->files.items[i].chown && !check_user_spec(p, p->st->from_node, p->files.items[i].chown))
			return false;
	for (size_t i = 0; i < p->user_cmds.len; i++) {
		const char *t = p->user_cmds.items[i];
		const char *name = ms_strf(p, "%.*s", (int)strcspn(t, " \t"), t);
		if (!p->rt->shell || !dko_tc_runtime_has(p->rt, name))
			return ms_fail(p, p->st->from_node, "the file creates a user with %s, which %s does not have", name,
			               p->rt->image);
	}
	return true;
}

/* The packages the runtime stage installs: what the file installed that is
 * neither a build tool nor CA certificates, and the library of each -dev
 * package the output may link. */
static bool check_packages(ms_plan *p)
{
	bool links = p->build != MS_B_GO && p->build != MS_B_MVN && p->build != MS_B_GRADLE &&
	             p->build != MS_B_DOTNET;
	ms_strs devs = {0};
	for (size_t i = 0; i < p->devs.len; i++)
		DKO_VEC_PUSH(&devs, p->devs.items[i]);
	for (size_t i = 0; i < p->pkgs.len; i++) {
		const char *pkg = p->pkgs.items[i];
		size_t n = strcspn(pkg, "=:");
		bool dev = (n > 4 && !strncmp(pkg + n - 4, "-dev", 4)) || (n > 6 && !strncmp(pkg + n - 6, "-devel", 6));
		if (!strncmp(pkg, "ca-certificates", 15) || (dko_tc_build_only_pkg(pkg) && !dev))
			continue;
		if (dev)
			DKO_VEC_PUSH(&devs, pkg);
		else
			ms_push_unique(p, &p->rt_pkgs, pkg);
	}
	bool ok = true;
	for (size_t i = 0; ok && links && i < devs.len; i++) {
		const char *lib = dko_tc_dev_runtime(devs.items[i], p->rt->os, p->rt->release);
		if (!lib)
			ok = ms_fail(p, p->st->from_node, "no runtime package is known for %s on %s", devs.items[i], p->rt->image);
		else if (*lib)
			ms_push_unique(p, &p->rt_pkgs, lib);
	}
	DKO_VEC_FREE(&devs);
	dko_os os = p->rt->os;
	bool same_pm = p->pm == DKO_PM_NONE || (p->pm == DKO_PM_APT && (os == DKO_OS_DEBIAN || os == DKO_OS_UBUNTU)) ||
	               (p->pm == DKO_PM_APK && os == DKO_OS_ALPINE);
	if (ok && p->rt_pkgs.len && (!p->rt->shell || !p->rt->known || !same_pm || os == DKO_OS_UNKNOWN))
		ok = ms_fail(p, p->st->from_node, "%s cannot install the packages the image needs (%s)", p->rt->image,
		             p->rt_pkgs.items[0]);
	return ok;
}

/* node: the project's node_modules (pruned) and package.json go along. */
static bool check_node(ms_plan *p)
{
	if (p->build != MS_B_NPM)
		return true;
	if (!p->npm_install || !p->npm_dir || strcmp(p->npm_dir, p->build_dir))
		return ms_fail(p, p->build_node, "node_modules is not installed with npm ci / npm install where the build runs");
	ms_add_artifact(p, ms_resolve(p, p->build_dir, "node_modules"), true)->needed = true;
	if (!provided(p, ms_resolve(p, p->build_dir, "package.json")))
		return ms_fail(p, p->build_node, "package.json is not copied from the build context");
	/* A dependency that builds native code at install links the toolchain
	 * image's system libraries (libpq, libvips...), which a slim runtime
	 * may lack: npm's lockfile marks them hasInstallScript. */
	const char *rel = ms_context_path(p, p->build_node, ms_resolve(p, p->build_dir, "package-lock.json"));
	size_t len = 0;
	char *lock = rel ? ms_read_context(p, rel, &len) : NULL;
	if (!lock)
		return ms_fail(p, p->build_node, "there is no package-lock.json to tell whether a dependency builds "
		               "native code against the toolchain image's libraries");
	bool native = strstr(lock, "\"hasInstallScript\": true") || strstr(lock, "\"hasInstallScript\":true");
	free(lock);
	if (native)
		return ms_fail(p, p->build_node, "a dependency builds native code at install (hasInstallScript in "
		               "package-lock.json), linking libraries of the toolchain image a slim runtime may lack");
	const char *gyp = ms_context_path(p, p->build_node, ms_resolve(p, p->build_dir, "binding.gyp"));
	if (gyp && p->c->context && dko_context_kind(p->c->context, gyp) == DKO_CTX_FILE)
		return ms_fail(p, p->build_node, "the package builds a native addon (binding.gyp)");
	return true;
}

bool ms_check_commands(ms_plan *p)
{
	p->rt_pkgs.len = 0;
	p->shell_needed = false;
	for (size_t i = 0; i < p->dirs.len; i++)
		p->dirs.items[i].needed = false;
	for (size_t i = 0; i < p->arts.len; i++) {
		p->arts.items[i].needed = false;
		p->arts.items[i].dest = p->arts.items[i].path;
	}
	const dko_ginstr *end = dko_graph_instr(p->c->graph, p->st->end_node - 1);
	const char *path = dko_state_lookup(&end->state, "PATH");
	cmdx x = {p, p->st->from_node, "CMD", p->workdir ? p->workdir : "/", path ? path : p->tc.path, 0};
	if (!check_run_commands(p, &x) || !check_shell_instr(p) || !check_node(p) || !check_users(p) ||
	    !check_packages(p))
		return false;
	if (p->shell_needed && !p->rt->shell)
		return ms_fail(p, p->st->from_node, "a shell-form command needs a shell, which %s lacks", p->rt->image);
	for (size_t i = 0; i < p->arts.len; i++)
		if (p->arts.items[i].needed)
			return true;
	return ms_fail(p, p->st->from_node, "CMD and ENTRYPOINT do not run anything the build made");
}
