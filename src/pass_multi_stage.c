/*
 * pass_multi_stage.c - multi-stage (aggressive): a final stage built on a
 * toolchain image that builds an artifact becomes a build stage and a
 * runtime stage that ships the artifact without the toolchain.
 *
 * The final stage qualifies when its base is a toolchain (toolchain.h), it
 * is built FROM no other stage and no stage builds on it, and its RUNs build
 * something. multi_build.c and multi_needs.c then have to prove what the
 * runtime stage must hold (see multistage.h); when they cannot, the pass
 * only suggests, saying what was missing. Without a build context it only
 * suggests: the artifact's name and the run-time files come from there.
 *
 * The rewrite (the build stage keeps every byte except its FROM, which gets
 * an AS name, and the metadata instructions that move out of it):
 *   FROM <toolchain> AS build
 *   ...the build, unchanged...
 *
 *   FROM <runtime>
 *   RUN <install run-time packages: libraries of -dev packages, tools>
 *   RUN <the file's useradd/groupadd commands, again>
 *   WORKDIR <the stage's final WORKDIR>
 *   COPY --from=build /etc/ssl/certs/ca-certificates.crt ...  (when only the builder has them)
 *   COPY --from=build <artifact> <artifact>                   (same paths)
 *   COPY --from=build <run-time file> <run-time file>
 *   ARG (those used), ENV, USER, SHELL, VOLUME, EXPOSE, LABEL, STOPSIGNAL,
 *   HEALTHCHECK, ENTRYPOINT, CMD: as written, in their order
 * What may differ from the original image, and only this: FROM, the
 * environment the base image set (PATH, GOPATH, ...), and files that only
 * the toolchain and the build had. A binary CMD finds on the toolchain's
 * PATH outside the standard folders (/go/bin) moves to /usr/local/bin.
 */
#include "multistage.h"
#include "runedit.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* ---- plan helpers (multistage.h) --------------------------------------------------------- */

bool ms_fail(ms_plan *p, uint32_t node, const char *fmt, ...)
{
	if (p->why)
		return false;
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p->why = dko_buf_detach(&b, NULL);
	p->why_node = node;
	return false;
}

const char *ms_str(ms_plan *p, const char *s)
{
	return dko_arena_strdup(&p->a, s);
}

const char *ms_strf(ms_plan *p, const char *fmt, ...)
{
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	const char *s = dko_arena_strndup(&p->a, dko_buf_cstr(&b), b.len);
	dko_buf_release(&b);
	return s;
}

const char *ms_resolve(ms_plan *p, const char *dir, const char *rel)
{
	if (!rel || (rel[0] != '/' && !dir))
		return NULL;
	dko_buf in = DKO_BUF_INIT, out = DKO_BUF_INIT;
	if (rel[0] != '/')
		dko_buf_printf(&in, "%s/", dir);
	dko_buf_puts(&in, rel);
	const char *s = dko_buf_cstr(&in);
	while (*s) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || n == 0) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = out.len ? strrchr(out.ptr, '/') : NULL;
			out.len = slash ? (size_t)(slash - out.ptr) : 0;
			if (out.ptr)
				out.ptr[out.len] = '\0';
		} else {
			dko_buf_putc(&out, '/');
			dko_buf_put(&out, s, n);
		}
		s += n;
	}
	const char *r = out.len ? ms_str(p, out.ptr) : "/";
	dko_buf_release(&in);
	dko_buf_release(&out);
	return r;
}

bool ms_in_list(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !memcmp(p, w, n))
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
}

bool ms_under(const char *path, const char *base)
{
	size_t n = strlen(base);
	if (!strcmp(base, "/"))
		return path[0] == '/';
	return !strncmp(path, base, n) && (path[n] == '/' || path[n] == '\0');
}

void ms_push_unique(ms_plan *p, ms_strs *v, const char *s)
{
	(void)p;
	for (size_t i = 0; i < v->len; i++)
		if (!strcmp(v->items[i], s))
			return;
	DKO_VEC_PUSH(v, s);
}

ms_item *ms_add_artifact(ms_plan *p, const char *path, bool dir)
{
	for (size_t i = 0; i < p->arts.len; i++)
		if (!strcmp(p->arts.items[i].path, path))
			return &p->arts.items[i];
	ms_item a = {0};
	a.path = a.dest = ms_str(p, path);
	a.dir = dir;
	DKO_VEC_PUSH(&p->arts, a);
	return &p->arts.items[p->arts.len - 1];
}

static void plan_release(ms_plan *p)
{
	DKO_VEC_FREE(&p->arts);
	DKO_VEC_FREE(&p->files);
	DKO_VEC_FREE(&p->dirs);
	DKO_VEC_FREE(&p->pkgs);
	DKO_VEC_FREE(&p->devs);
	DKO_VEC_FREE(&p->rt_pkgs);
	DKO_VEC_FREE(&p->user_cmds);
	DKO_VEC_FREE(&p->users);
	DKO_VEC_FREE(&p->globals);
	dko_toolchain_release(&p->tc);
	dko_arena_release(&p->a);
	free(p->why);
}

/* ---- the stage --------------------------------------------------------------------------- */

static bool is_kind(const dko_doc *doc, uint32_t i, dko_instr_kind k)
{
	return doc->nodes[i].kind == DKO_NODE_INSTR && doc->nodes[i].instr->kind == k;
}

/* The final stage when it may be split: shipped, on an image, a leaf. */
static const dko_stage *candidate_stage(const dko_pass_ctx *c)
{
	const dko_stage *st = dko_graph_final(c->graph);
	if (!st || !st->shipped || st->base_stage >= 0 || st->has_onbuild)
		return NULL;
	for (uint32_t i = 0; i < dko_graph_stage_count(c->graph); i++) {
		const dko_stage *o = dko_graph_stage(c->graph, i);
		if (o->base_stage == (int)st->index)
			return NULL;
		for (uint32_t d = 0; d < o->ndeps; d++)
			if (o->deps[d] == st->index)
				return NULL;
	}
	return st;
}

/* Instructions that only describe the image: they move to the runtime stage. */
static bool moves(dko_instr_kind k)
{
	return k == DKO_I_CMD || k == DKO_I_ENTRYPOINT || k == DKO_I_HEALTHCHECK || k == DKO_I_EXPOSE ||
	       k == DKO_I_LABEL || k == DKO_I_MAINTAINER || k == DKO_I_STOPSIGNAL;
}

/* Instructions the runtime stage repeats (after its COPYs), as written. */
static bool repeats(dko_instr_kind k)
{
	return moves(k) || k == DKO_I_USER || k == DKO_I_SHELL || k == DKO_I_VOLUME;
}

/* Variables toolchain images set that their runtime images do not (or set
 * otherwise): a value built from one would change with FROM. Variables
 * neither sets expand alike, and those both set alike (JAVA_HOME in the
 * eclipse-temurin JDK and JRE, NODE_VERSION in node and node:-slim) too. */
static bool toolchain_var(const char *name)
{
	static const char *const vars[] = {
		"PATH", "GOPATH", "GOLANG_VERSION", "GOTOOLCHAIN", "GOROOT", "CARGO_HOME", "RUSTUP_HOME",
		"RUST_VERSION", "GCC_VERSION", "GCC_MIRRORS", "GPG_KEYS", "MAVEN_HOME", "MAVEN_CONFIG",
		"GRADLE_HOME", "GRADLE_VERSION", "DOTNET_SDK_VERSION", "DOTNET_GENERATE_ASPNET_CERTIFICATE",
		"DOTNET_NOLOGO", "DOTNET_USE_POLLING_FILE_WATCHER", "NUGET_XMLDOC_MODE",
		"POWERSHELL_DISTRIBUTION_CHANNEL", "LD_LIBRARY_PATH"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(name, vars[i]))
			return true;
	return false;
}

/* A variable a repeated instruction (or ENV) uses that the file does not
 * define must not be one the toolchain image sets: its value would change. */
static bool check_declared(ms_plan *p)
{
	const dko_doc *doc = p->c->doc;
	for (uint32_t i = 0; i < dko_graph_use_count(p->c->graph); i++) {
		const dko_var_use *u = dko_graph_use(p->c->graph, i);
		if (u->node <= p->st->from_node || u->node >= p->st->end_node || u->defined || !toolchain_var(u->name))
			continue;
		dko_instr_kind k = doc->nodes[u->node].instr->kind;
		if (repeats(k) || k == DKO_I_ENV || k == DKO_I_WORKDIR)
			return ms_fail(p, u->node, "%s uses $%s, which the %s image sets and the runtime image may not",
			               dko_instr_name(k), u->name, p->tc.family);
	}
	const dko_ginstr *end = dko_graph_instr(p->c->graph, p->st->end_node - 1);
	p->workdir = end->state.workdir;
	for (uint32_t i = p->st->from_node + 1; !p->workdir && i < p->st->end_node; i++)
		if (is_kind(doc, i, DKO_I_WORKDIR))
			return ms_fail(p, i, "the final WORKDIR is not known");
	if (!p->workdir)
		p->workdir = p->tc.workdir;
	return true;
}

/* Whether the kinds of build found suit the toolchain (else the pass says
 * nothing: a JDK image building a native library is no Java build). */
static bool kind_matches(const ms_plan *p, unsigned kinds, bool compiler_kept)
{
	unsigned other = kinds & ~MS_NATIVE, java = (1u << MS_B_MVN) | (1u << MS_B_GRADLE);
	switch (p->tc.kind) {
	case DKO_TC_GO:
	case DKO_TC_RUST:
	case DKO_TC_GCC:
		return (kinds & MS_NATIVE) && !other;
	case DKO_TC_DISTRO:
		return (kinds & MS_NATIVE) && !other && compiler_kept;
	case DKO_TC_MAVEN:
	case DKO_TC_GRADLE:
	case DKO_TC_JDK:
		return (kinds & java) && !(kinds & ~java);
	case DKO_TC_NODE:
		return kinds == (1u << MS_B_NPM);
	case DKO_TC_DOTNET:
		return kinds == (1u << MS_B_DOTNET);
	default:
		return kinds != 0;
	}
}

/* ---- choosing the runtime ------------------------------------------------------------------ */

typedef struct choice {
	dko_runtime rt;     /* the runtime image (owned) */
	bool force_static;  /* the build stage gets ENV CGO_ENABLED=0 */
} choice;

static bool try_runtime(ms_plan *p, const dko_runtime *rt)
{
	free(p->why);
	p->why = NULL;
	p->rt = rt;
	return ms_check_commands(p);
}

static void copy_runtime(dko_runtime *dst, const dko_runtime *src, const char *image)
{
	*dst = *src;
	dst->image = dko_xstrdup(image ? image : src->image);
	dst->release = src->release ? dko_xstrdup(src->release) : NULL;
}

/* Go: a static binary ships on distroless when nothing needs a shell,
 * else on the suite's slim image; a tag without a suite builds static. */
static bool choose_go(ms_plan *p, choice *ch)
{
	const dko_toolchain *tc = &p->tc;
	bool static_ok = !p->go_dynamic || !tc->runtime.image;
	if (static_ok && tc->static_rt.image && try_runtime(p, &tc->static_rt)) {
		copy_runtime(&ch->rt, &tc->static_rt, NULL);
		ch->force_static = p->go_dynamic;
		return true;
	}
	if (!tc->runtime.image)
		return p->why ? false : ms_fail(p, p->st->from_node, "%s", tc->why);
	if (!try_runtime(p, &tc->runtime))
		return false;
	copy_runtime(&ch->rt, &tc->runtime, NULL);
	return true;
}

static bool choose(ms_plan *p, choice *ch)
{
	memset(ch, 0, sizeof(*ch));
	if (p->tc.kind == DKO_TC_GO)
		return choose_go(p, ch);
	if (!p->tc.runtime.image)
		return ms_fail(p, p->st->from_node, "%s", p->tc.why ? p->tc.why : "no runtime image is known");
	char *image = NULL;
	if (p->tc.kind == DKO_TC_DOTNET && !p->dotnet_web) {
		/* a console app: the .NET runtime, without ASP.NET Core */
		const char *a = strstr(p->tc.runtime.image, "/aspnet:");
		dko_buf b = DKO_BUF_INIT;
		dko_buf_printf(&b, "%.*s/runtime:%s", (int)(a - p->tc.runtime.image), p->tc.runtime.image, a + 8);
		image = dko_buf_detach(&b, NULL);
	}
	copy_runtime(&ch->rt, &p->tc.runtime, image);
	free(image);
	if (!try_runtime(p, &ch->rt)) {
		dko_runtime_release(&ch->rt);
		return false;
	}
	return true;
}

/* ---- rendering ------------------------------------------------------------------------------ */

typedef struct render {
	ms_plan *p;
	const dko_style *st;
	const char *build_name; /* the build stage's name */
	const char *rt_name;    /* the runtime stage's name, or NULL */
	dko_buf out;            /* the runtime stage */
} render;

static const char *kw(const render *r, dko_instr_kind k)
{
	return dko_style_keyword(r->st, k);
}

static void line_end(render *r)
{
	dko_buf_puts(&r->out, r->st->eol);
}

/* A node's text as written, ending with a line break. */
static void put_node(render *r, uint32_t i)
{
	size_t len;
	const char *t = dko_pass_node_text(r->p->c, i, &len);
	dko_buf_put(&r->out, t, len);
	if (!len || t[len - 1] != '\n')
		line_end(r);
}

/* The comment lines directly above node i (they move with it). */
static uint32_t comments_above(const dko_doc *doc, uint32_t i, uint32_t stop)
{
	while (i > stop + 1 && doc->nodes[i - 1].kind == DKO_NODE_COMMENT)
		i--;
	return i;
}

static void put_copy(render *r, const char *chown, const char *chmod, const char *const *srcs, size_t n,
                     const char *dest)
{
	dko_buf_printf(&r->out, "%s --from=%s", kw(r, DKO_I_COPY), r->build_name);
	if (chown)
		dko_buf_printf(&r->out, " --chown=%s", chown);
	if (chmod)
		dko_buf_printf(&r->out, " --chmod=%s", chmod);
	for (size_t i = 0; i < n; i++)
		dko_buf_printf(&r->out, " %s", srcs[i]);
	dko_buf_printf(&r->out, " %s", dest);
	line_end(r);
}

static void put_item(render *r, const ms_item *it)
{
	put_copy(r, it->chown, it->chmod, &it->path, 1, it->dest);
}

static bool is_parent_of_copy(const ms_plan *p, const char *dir)
{
	for (size_t i = 0; i < p->arts.len; i++)
		if (p->arts.items[i].needed && ms_under(p->arts.items[i].dest, dir))
			return true;
	for (size_t i = 0; i < p->files.len; i++)
		if (ms_under(p->files.items[i].dest, dir) || ms_under(dir, p->files.items[i].dest))
			return true;
	return p->workdir && ms_under(p->workdir, dir);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Whether run-time file g can share f's COPY: plain files of one folder,
 * copied to the same path, with the same owner and no mode. */
static bool groups_with(const ms_item *f, const ms_item *g, size_t dl)
{
	return !f->dir && !g->dir && !f->chmod && !g->chmod && same_str(f->chown, g->chown) &&
	       !strncmp(g->path, f->path, dl) && !strchr(g->path + dl, '/') && !strcmp(g->path, g->dest) &&
	       !strcmp(f->path, f->dest);
}

/* Run-time files: files of one folder with the same flags share a COPY. */
static void put_files(render *r)
{
	ms_plan *p = r->p;
	for (size_t i = 0; i < p->files.len;) {
		const ms_item *f = &p->files.items[i];
		size_t dl = (size_t)(strrchr(f->path, '/') - f->path) + 1;
		size_t j = i + 1;
		while (j < p->files.len && groups_with(f, &p->files.items[j], dl))
			j++;
		if (j - i == 1) {
			put_item(r, f);
		} else {
			const char **srcs = dko_xcalloc(j - i, sizeof(char *));
			for (size_t k = i; k < j; k++)
				srcs[k - i] = p->files.items[k].path;
			put_copy(r, f->chown, NULL, srcs, j - i, ms_strf(p, "%.*s", (int)dl, f->path));
			free(srcs);
		}
		i = j;
	}
}

static void put_packages(render *r)
{
	ms_plan *p = r->p;
	if (!p->rt_pkgs.len)
		return;
	dko_buf_printf(&r->out, "%s ", kw(r, DKO_I_RUN));
	if (p->rt->os == DKO_OS_ALPINE) {
		dko_buf_puts(&r->out, "apk add --no-cache");
	} else {
		dko_buf_puts(&r->out, "apt-get update");
		dko_style_join(&r->out, r->st, true, "apt-get install -y --no-install-recommends", 42);
	}
	for (size_t i = 0; i < p->rt_pkgs.len; i++)
		dko_buf_printf(&r->out, " %s", p->rt_pkgs.items[i]);
	if (p->rt->os != DKO_OS_ALPINE)
		dko_style_join(&r->out, r->st, true, "rm -rf /var/lib/apt/lists/*", 27);
	line_end(r);
}

static void put_users(render *r)
{
	ms_plan *p = r->p;
	if (!p->user_cmds.len)
		return;
	dko_buf_printf(&r->out, "%s %s", kw(r, DKO_I_RUN), p->user_cmds.items[0]);
	for (size_t i = 1; i < p->user_cmds.len; i++)
		dko_style_join(&r->out, r->st, p->user_cmds.len > 2, p->user_cmds.items[i], strlen(p->user_cmds.items[i]));
	line_end(r);
}

/* Whether ARG node i defines a variable a repeated instruction or ENV uses. */
static bool arg_used(const ms_plan *p, uint32_t i)
{
	const dko_doc *doc = p->c->doc;
	for (uint32_t u = 0; u < dko_graph_use_count(p->c->graph); u++) {
		const dko_var_use *use = dko_graph_use(p->c->graph, u);
		if (use->node <= i || use->node >= p->st->end_node || doc->nodes[use->node].kind != DKO_NODE_INSTR)
			continue;
		dko_instr_kind k = doc->nodes[use->node].instr->kind;
		if (!repeats(k) && k != DKO_I_ENV)
			continue;
		for (uint32_t a = 0; a < doc->nodes[i].instr->nargs; a++) {
			const char *name = doc->nodes[i].instr->args[a].value;
			size_t n = strcspn(name, "=");
			if (strlen(use->name) == n && !strncmp(use->name, name, n))
				return true;
		}
	}
	return false;
}

/* ARG (those used), ENV and the repeated instructions, as written and in
 * their order: a value one of them takes from another stays the same. */
static void put_declared(render *r)
{
	ms_plan *p = r->p;
	const dko_doc *doc = p->c->doc;
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++) {
		if (doc->nodes[i].kind != DKO_NODE_INSTR)
			continue;
		dko_instr_kind k = doc->nodes[i].instr->kind;
		if (k == DKO_I_ENV || (k == DKO_I_ARG && arg_used(p, i))) {
			put_node(r, i);
		} else if (repeats(k)) {
			for (uint32_t c = moves(k) ? comments_above(doc, i, p->st->from_node) : i; c <= i; c++)
				put_node(r, c);
		}
	}
}

static void put_from(render *r, const choice *ch)
{
	const dko_flag *plat = dko_instr_flag(r->p->c->doc->nodes[r->p->st->from_node].instr, "platform");
	line_end(r);
	dko_buf_puts(&r->out, kw(r, DKO_I_FROM));
	if (plat && plat->value && !strstr(plat->value, "BUILDPLATFORM"))
		dko_buf_printf(&r->out, " --platform=%.*s", (int)plat->value_len, plat->value);
	dko_buf_printf(&r->out, " %s", ch->rt.image);
	if (r->rt_name)
		dko_buf_printf(&r->out, " %s %s", r->st->lower_keywords ? "as" : "AS", r->rt_name);
	line_end(r);
}

static void put_runtime(render *r, const choice *ch)
{
	ms_plan *p = r->p;
	put_from(r, ch);
	put_packages(r);
	put_users(r);
	if (p->workdir)
		dko_buf_printf(&r->out, "%s %s%s", kw(r, DKO_I_WORKDIR), p->workdir, r->st->eol);
	if (p->ca && !ch->rt.ca)
		dko_buf_printf(&r->out, "%s --from=%s %s %s%s", kw(r, DKO_I_COPY), r->build_name, CA_BUNDLE,
		               CA_BUNDLE, r->st->eol);
	for (size_t i = 0; i < p->dirs.len; i++)
		if (p->dirs.items[i].needed || !is_parent_of_copy(p, p->dirs.items[i].path))
			put_item(r, &p->dirs.items[i]);
	for (size_t i = 0; i < p->arts.len; i++)
		if (p->arts.items[i].needed)
			put_item(r, &p->arts.items[i]);
	put_files(r);
	put_declared(r);
}

/* The FROM line with its stage name set to name: " AS name" added to its
 * bytes when it has none, else the line written again with the new name. */
static void rename_from(render *r, const char *name)
{
	ms_plan *p = r->p;
	const dko_doc *doc = p->c->doc;
	const dko_node *n = &doc->nodes[p->st->from_node];
	const dko_instr *in = n->instr;
	const char *as = r->st->lower_keywords ? "as" : "AS";
	dko_buf b = DKO_BUF_INIT;
	if (!p->st->name) {
		uint32_t at = n->span.end;
		while (at > n->span.start && strchr(" \t\r\n", doc->src[at - 1]))
			at--;
		dko_node_splice(&b, doc, p->st->from_node, at, ms_strf(p, " %s %s", as, name));
	} else {
		dko_buf_puts(&b, kw(r, DKO_I_FROM));
		for (uint32_t i = 0; i < in->nflags; i++)
			dko_buf_printf(&b, " %.*s", (int)in->flags[i].len, in->flags[i].text);
		dko_buf_printf(&b, " %s %s %s%s", in->args[0].value, as, name, r->st->eol);
	}
	dko_doc_replace_node(p->c->doc, p->st->from_node, b.ptr, b.len);
	dko_buf_release(&b);
}

/* node: the build stage drops devDependencies right after its last RUN
 * (before a USER that could not write node_modules), for the runtime's copy. */
static void insert_prune(render *r)
{
	ms_plan *p = r->p;
	uint32_t last_run = p->st->from_node;
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++)
		if (is_kind(p->c->doc, i, DKO_I_RUN))
			last_run = i;
	const char *prune = ms_strf(p, "%s npm prune %s%s", kw(r, DKO_I_RUN),
	                            p->tc.major >= 0 && p->tc.major < 16 ? "--production" : "--omit=dev",
	                            r->st->eol);
	size_t len;
	const char *t = dko_pass_node_text(p->c, last_run, &len);
	if (len && t[len - 1] != '\n')
		prune = ms_strf(p, "%s%s", r->st->eol, prune);
	dko_doc_insert_before(p->c->doc, last_run + 1, prune, strlen(prune));
}

/* A stage name no other stage has. */
static const char *free_name(ms_plan *p, const char *want)
{
	const char *name = want;
	for (int k = 2; dko_graph_stage_lookup(p->c->graph, name) >= 0; k++)
		name = ms_strf(p, "%s-%d", want, k);
	return name;
}

static void apply(ms_plan *p, const choice *ch)
{
	dko_pass_ctx *c = p->c;
	dko_doc *doc = c->doc;
	render r = {p, c->style, NULL, NULL, DKO_BUF_INIT};
	const char *old = p->st->name;
	r.build_name = old ? free_name(p, ms_strf(p, "%s-build", old)) : free_name(p, "build");
	r.rt_name = old ? doc->nodes[p->st->from_node].instr->args[2].value : NULL;
	rename_from(&r, r.build_name);
	if (ch->force_static) {
		const char *env = ms_strf(p, "%s CGO_ENABLED=0%s", kw(&r, DKO_I_ENV), c->style->eol);
		dko_doc_insert_before(doc, p->st->from_node + 1, env, strlen(env));
	}
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++)
		if (doc->nodes[i].kind == DKO_NODE_INSTR && moves(doc->nodes[i].instr->kind))
			for (uint32_t k = comments_above(doc, i, p->st->from_node); k <= i; k++)
				dko_doc_replace_node(doc, k, "", 0);
	uint32_t last_kept = p->st->from_node;
	for (uint32_t i = p->st->from_node + 1; i < p->st->end_node; i++)
		if (!doc->nodes[i].replaced)
			last_kept = i;
	size_t len;
	const char *t = dko_pass_node_text(c, last_kept, &len);
	if (len && t[len - 1] != '\n')
		line_end(&r);
	if (p->build == MS_B_NPM)
		insert_prune(&r);
	put_runtime(&r, ch);
	dko_doc_insert_before(doc, p->st->end_node, r.out.ptr, r.out.len);
	dko_buf_release(&r.out);
}

/* ---- messages -------------------------------------------------------------------------------- */

static const char *shipped_list(ms_plan *p)
{
	dko_buf b = DKO_BUF_INIT;
	size_t n = 0;
	for (size_t i = 0; i < p->arts.len; i++) {
		if (!p->arts.items[i].needed)
			continue;
		if (n++ == 3) {
			dko_buf_puts(&b, ", ...");
			break;
		}
		const ms_item *a = &p->arts.items[i];
		size_t dl = strlen(a->dest);
		dko_buf_printf(&b, "%s%s", n > 1 ? ", " : "", dl && a->dest[dl - 1] == '/' ? a->path : a->dest);
	}
	const char *s = ms_str(p, dko_buf_cstr(&b));
	dko_buf_release(&b);
	return s;
}

static void suggest(ms_plan *p)
{
	const char *rt = p->rt && p->rt->image ? p->rt->image : p->tc.runtime.image;
	if (rt)
		dko_pass_suggest(p->c, p->why_node,
		                 "the final stage builds on the toolchain image %s; a runtime stage on %s could ship "
		                 "only what it builds, but %s",
		                 p->tc.image, rt, p->why);
	else
		dko_pass_suggest(p->c, p->why_node,
		                 "the final stage builds on the toolchain image %s; a runtime stage could ship only "
		                 "what it builds, but %s",
		                 p->tc.image, p->why);
}

/* ---- the pass -------------------------------------------------------------------------------- */

/* Steps 1 and 2 and the choice; false with p->why, or false and no why
 * when the stage does not build (nothing to say). */
static bool plan(ms_plan *p, choice *ch)
{
	bool compiler_kept;
	unsigned kinds = ms_stage_builds(p, &compiler_kept);
	if (!kinds || !kind_matches(p, kinds, compiler_kept))
		return false;
	if (!p->c->context)
		return ms_fail(p, p->st->from_node, "the build context is needed to find the artifact and the run-time files");
	if (!dko_context_ignore_file(p->c->context) &&
	    dko_context_load_ignore(p->c->context, p->dockerfile_rel) != 0)
		return ms_fail(p, p->st->from_node, "the ignore file cannot be read (%s)", dko_error_last());
	if (!ms_scan_runs(p))
		return false;
	if (p->tc.kind == DKO_TC_DISTRO && !p->compiler_pkg)
		return false;
	if (p->native && p->cxx && p->tc.kind == DKO_TC_GCC)
		return ms_fail(p, p->st->from_node,
		               "C++ built with the gcc image links its own libstdc++ from /usr/local, which Debian's lacks");
	p->ca |= p->tc.ca;
	return check_declared(p) && ms_scan_files(p) && choose(p, ch);
}

static int run(dko_pass_ctx *c)
{
	const dko_stage *st = candidate_stage(c);
	if (!st || dko_pass_disabled_at(c, st->from_node))
		return 0;
	ms_plan p = {0};
	p.c = c;
	p.st = st;
	dko_arena_init(&p.a);
	if (c->opts->path && !c->opts->context_dir) {
		const char *slash = strrchr(c->opts->path, '/');
		p.dockerfile_rel = slash ? slash + 1 : c->opts->path;
	}
	const dko_instr *from = c->doc->nodes[st->from_node].instr;
	if (!from->nargs || dko_toolchain_match(&p.tc, from->args[0].value, c->opts->config) != 0) {
		plan_release(&p);
		return 0;
	}
	choice ch = {0};
	if (plan(&p, &ch)) {
		const char *list = shipped_list(&p);
		apply(&p, &ch);
		dko_pass_applied(c, st->from_node, st->end_node - 1,
		                 "split into a build stage and a runtime stage on %s that ships %s, not the "
		                 "toolchain of %s",
		                 ch.rt.image, list, p.tc.image);
	} else if (p.why) {
		suggest(&p);
	}
	dko_runtime_release(&ch.rt);
	plan_release(&p);
	return 0;
}

const dko_pass dko_pass_multi_stage = {
	{"multi-stage", NULL, DKO_TIER_AGGRESSIVE,
	 "Ship the artifact, not the toolchain: build in one stage, run from a small runtime image.",
	 "A final stage FROM a toolchain image (golang, rust, gcc, maven, gradle, eclipse-temurin\n"
	 "JDK, node with a build step, the .NET SDK, or debian/ubuntu with a compiler installed)\n"
	 "ships the compiler, the sources and the caches. The pass splits it: the build stays as\n"
	 "it is in a build stage, and a runtime stage on the matching small image (debian:<suite>-slim,\n"
	 "distroless/static for a static Go binary, eclipse-temurin:<v>-jre, node:<v>-slim,\n"
	 "dotnet/aspnet) gets only what the image runs: the artifact the build provably writes,\n"
	 "files copied from the context that are not build inputs, CA certificates, the runtime\n"
	 "libraries of the -dev packages it linked, the tools HEALTHCHECK and CMD call, the users\n"
	 "the file created, and every ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, HEALTHCHECK,\n"
	 "STOPSIGNAL, ENTRYPOINT and CMD as written. Only FROM, the environment the base image set\n"
	 "(PATH, GOPATH, ...) and files of the toolchain and the build differ. When the artifact or\n"
	 "what CMD needs cannot be proven, it only suggests, saying what was missing.\n"
	 "Aggressive: applied with --aggressive, or with --verify when a real build proves it.\n"
	 "\n"
	 "Before:\n"
	 "  FROM golang:1.22-bookworm\n"
	 "  WORKDIR /src\n"
	 "  COPY . .\n"
	 "  RUN go build -o /usr/local/bin/app .\n"
	 "  CMD [\"app\"]\n"
	 "After:\n"
	 "  FROM golang:1.22-bookworm AS build\n"
	 "  WORKDIR /src\n"
	 "  COPY . .\n"
	 "  RUN go build -o /usr/local/bin/app .\n"
	 "\n"
	 "  FROM debian:bookworm-slim\n"
	 "  WORKDIR /src\n"
	 "  COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n"
	 "  COPY --from=build /usr/local/bin/app /usr/local/bin/app\n"
	 "  CMD [\"app\"]\n"},
	run,
};
