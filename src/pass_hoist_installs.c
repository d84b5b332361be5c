/*
 * pass_hoist_installs.c - hoist-installs: a RUN that only installs system
 * packages from a registry moves up above the COPY/ADD instructions of its
 * stage that come before it, so that a change to the copied files no longer
 * re-runs the install (the build cache keys every step on all steps before
 * it).
 *
 * What may move: a shell-form RUN for a POSIX shell whose every command is a
 * package operation of apt, apk, dnf/yum/microdnf or zypper (update,
 * install, upgrade, remove, clean) naming packages only, an `rm` of absolute
 * paths (cache cleanup), `set` options, literal assignments or `export`s.
 * Nothing may read a file (no local package, no bind mount, no relative
 * path, no option naming a relative file), use `$(...)` or a variable, run
 * in the background or in a function. Its only other mounts are caches,
 * secrets, ssh and tmpfs.
 *
 * What it may cross: COPY/ADD whose destination is known and lies in an
 * application folder (not "/" and not a system folder such as /etc, /usr,
 * /var, /opt, /lib*, /bin, /sbin, /root, /home: package configuration,
 * repository keys and conffiles live there) and does not overlap any path
 * the RUN names; WORKDIR (the RUN uses no relative path and no `cd`); and
 * instructions that only set metadata (LABEL, EXPOSE, CMD ...). Everything
 * else stops it: FROM, RUN (a RUN never moves across another RUN), ENV and
 * ARG (every ENV/ARG above a RUN is in its environment, which package
 * managers and maintainer scripts read), USER, SHELL, ONBUILD, VOLUME.
 *
 * The RUN goes just before the earliest COPY/ADD it can cross (before that
 * instruction's comment lines) with its own comment lines, byte for byte;
 * when a RUN stops it, right under that RUN (merge-runs may then join them).
 * When a stop keeps a RUN below a COPY it could otherwise leave behind, or a
 * RUN that installs packages below a COPY cannot move for what it does, the
 * pass says so as a suggestion.
 */
#include "cacheorder.h"
#include "cleanup.h"
#include "runedit.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON \
	"Install system packages before copying sources: a source change then reuses the install layer."

typedef struct hoist {
	uint32_t node;
	DKO_VEC(char *) paths; /* absolute image paths the RUN names */
	bool installs;         /* it has an install, upgrade or update */
	uint32_t sources;      /* an earlier step that sets up a local package source, or UINT32_MAX */
	char why[256];         /* why it cannot move (content), when it cannot */
} hoist;

/* Where the walk up from the RUN stopped. */
typedef struct reach {
	uint32_t target;  /* the earliest COPY/ADD it can cross, or UINT32_MAX */
	uint32_t top;     /* the earliest instruction it can cross */
	uint32_t blocker; /* the instruction that stopped it, or UINT32_MAX */
	bool moved_run;   /* it stopped at a RUN moved there by this pass run */
	char why[256];    /* why the blocker stops it */
} reach;

static void hoist_release(hoist *h)
{
	for (size_t i = 0; i < h->paths.len; i++)
		free(h->paths.items[i]);
	DKO_VEC_FREE(&h->paths);
}

/* ---- what the RUN does ----------------------------------------------------------------- */

static bool system_manager(dko_pm pm)
{
	return pm == DKO_PM_APT || pm == DKO_PM_APK || pm == DKO_PM_DNF || pm == DKO_PM_YUM ||
	       pm == DKO_PM_MICRODNF || pm == DKO_PM_ZYPPER;
}

static bool in_words(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* A path-ish word: record an absolute one (up to its first glob), refuse a
 * relative one. Returns false for a relative path. */
static bool note_path(hoist *h, const char *s)
{
	if (strstr(s, "://"))
		return true;
	if (s[0] != '/')
		return strchr(s, '/') == NULL;
	size_t n = strcspn(s, "*?[");
	while (n > 1 && s[n - 1] != '/' && s[n] != '\0')
		n--; /* back to the folder holding the glob */
	char *p = dko_xstrndup(s, n);
	char *clean = dko_co_path_join(NULL, p);
	free(p);
	DKO_VEC_PUSH(&h->paths, clean);
	return true;
}

/* Options whose value is a file or folder the manager reads. */
static bool file_option(const char *name, size_t n)
{
	static const char *const opts[] = {"-c", "--config-file", "--config", "--repositories-file",
	                                   "--keys-dir", "-p", "--root", "--cache-dir", "--installroot",
	                                   "--repofrompath", "-R", "--reposd-path", "-C", "-D",
	                                   "--raw-cache-dir"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i]) == n && !strncmp(opts[i], name, n))
			return true;
	return false;
}

/* A flag as the package model keeps it ("-o VALUE", "--x=VALUE", "-y"). */
static bool flag_ok(hoist *h, const char *flag)
{
	size_t n = strcspn(flag, "= ");
	if (!flag[n])
		return true;
	const char *v = flag + n + 1;
	if (file_option(flag, n) && v[0] != '/')
		return snprintf(h->why, sizeof(h->why), "its option %s names a relative file", flag), false;
	/* Values may nest (apt's -o Dir::Etc::SourceList=...): check each piece. */
	char *copy = dko_xstrdup(v);
	bool ok = true;
	for (char *p = copy, *e; ok && p; p = e) {
		e = strpbrk(p, "=,");
		if (e)
			*e++ = '\0';
		ok = note_path(h, p);
	}
	free(copy);
	if (!ok)
		snprintf(h->why, sizeof(h->why), "its option %s names a relative path", flag);
	return ok;
}

static bool op_ok(hoist *h, const dko_pkg_op *op)
{
	if (!system_manager(op->manager))
		return snprintf(h->why, sizeof(h->why), "it runs %s, not only a system package manager",
		                dko_pm_name(op->manager)), false;
	switch (op->verb) {
	case DKO_PV_INSTALL: case DKO_PV_UPGRADE: case DKO_PV_UPDATE:
		h->installs = true;
		break;
	case DKO_PV_REMOVE: case DKO_PV_AUTOREMOVE: case DKO_PV_CLEAN:
		break;
	default:
		return snprintf(h->why, sizeof(h->why), "`%s %s` is not an install", dko_pm_name(op->manager),
		                dko_pkg_verb_name(op->verb)), false;
	}
	if (op->dynamic)
		return snprintf(h->why, sizeof(h->why), "its package list is computed when it runs"), false;
	if (op->nreads)
		return snprintf(h->why, sizeof(h->why), "it installs from the file %s", op->reads[0]), false;
	for (uint32_t f = 0; f < op->nflags; f++)
		if (!flag_ok(h, op->flags[f]))
			return false;
	return true;
}

/* rm of absolute literal paths (cleanup of caches, lists, temporary files). */
static bool rm_ok(hoist *h, const dko_sh_cmd *cmd)
{
	for (uint32_t k = 1; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (w[0] == '-')
			continue;
		if (w[0] != '/' || !strcmp(w, "/") || !note_path(h, w))
			return snprintf(h->why, sizeof(h->why), "it removes %s, not an absolute path", w), false;
	}
	return true;
}

/* Commands other than package operations that change nothing on disk. */
static bool harmless(const dko_sh_cmd *cmd)
{
	if (cmd->nwords == 0)
		return true; /* literal assignments */
	const char *name = cmd->words[0].lit;
	if (!strcmp(name, "true") || !strcmp(name, ":"))
		return cmd->nwords == 1;
	bool set = !strcmp(name, "set"), exp = !strcmp(name, "export");
	if (!set && !exp)
		return false;
	for (uint32_t k = 1; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (set ? (w[0] != '-' && w[0] != '+' && strcmp(w, "errexit") && strcmp(w, "pipefail") &&
		           strcmp(w, "nounset") && strcmp(w, "xtrace"))
		        : (w[0] == '-'))
			return false;
	}
	return true;
}

static bool words_static(hoist *h, const dko_sh_word *w, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		if (w[k].has_subst)
			return snprintf(h->why, sizeof(h->why), "it uses command substitution"), false;
		if (w[k].has_param || !w[k].lit)
			return snprintf(h->why, sizeof(h->why), "it uses the variable in `%s`", w[k].raw), false;
	}
	return true;
}

static bool cmd_ok(hoist *h, const dko_sh_cmd *cmd, uint32_t idx, const dko_pkg_op *ops, size_t nops)
{
	static const char *const managers[] = {"apt-get", "apt",  "aptitude", "apk", "dnf",
	                                       "dnf5",    "dnf-3", "microdnf", "yum", "zypper"};
	if (cmd->in_function || cmd->background)
		return snprintf(h->why, sizeof(h->why), "it defines a function or starts a background job"), false;
	if (!words_static(h, cmd->words, cmd->nwords) || !words_static(h, cmd->assigns, cmd->nassigns))
		return false;
	if (harmless(cmd))
		return true;
	const char *name = cmd->words[0].lit;
	if (!strcmp(name, "rm"))
		return rm_ok(h, cmd);
	if (!in_words(name, managers, sizeof(managers) / sizeof(managers[0])))
		return snprintf(h->why, sizeof(h->why), "it runs `%s`, which is not a package install", name), false;
	bool any = false;
	for (size_t k = 0; k < nops; k++) {
		if (ops[k].cmd_index != idx)
			continue;
		any = true;
		if (!op_ok(h, &ops[k]))
			return false;
	}
	if (!any)
		snprintf(h->why, sizeof(h->why), "`%s` there does nothing dockopt recognises", name);
	return any;
}

static bool has_heredoc_op(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '<' && s[i + 1] == '<')
			return true;
	return false;
}

/* Redirections go to absolute paths or file descriptors only. */
static bool redirs_ok(hoist *h, const dko_sh_script *s)
{
	size_t len;
	const char *text = dko_sh_text(s, &len);
	size_t n = dko_sh_token_count(s);
	for (size_t i = 0; i < n; i++) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->kind != DKO_SH_TOK_REDIR)
			continue;
		if (has_heredoc_op(text + t->span.start, t->span.end - t->span.start))
			return snprintf(h->why, sizeof(h->why), "it feeds a heredoc to a command"), false;
		size_t k = i + 1;
		while (k < n && dko_sh_token_at(s, k)->kind == DKO_SH_TOK_BLANK)
			k++;
		if (k >= n)
			return false;
		const dko_sh_token *w = dko_sh_token_at(s, k);
		const char *p = text + w->span.start;
		size_t wl = w->span.end - w->span.start;
		bool fd = wl > 0 && strspn(p, "0123456789-") >= wl;
		char *word = dko_xstrndup(p, wl);
		bool ok = fd || (word[0] == '/' && note_path(h, word));
		free(word);
		if (!ok)
			return snprintf(h->why, sizeof(h->why), "it redirects output to a relative path"), false;
	}
	return true;
}

/* Flags: mounts of caches, secrets, ssh and tmpfs; network; security. */
static bool run_flags_ok(hoist *h, dko_pass_ctx *c)
{
	const dko_instr *in = c->doc->nodes[h->node].instr;
	if (dko_graph_instr(c->graph, h->node)->nreads)
		return snprintf(h->why, sizeof(h->why), "it reads files through a --mount"), false;
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		bool known = (f->name_len == 5 && !memcmp(f->name, "mount", 5)) ||
		             (f->name_len == 7 && !memcmp(f->name, "network", 7)) ||
		             (f->name_len == 8 && !memcmp(f->name, "security", 8));
		if (!known)
			return snprintf(h->why, sizeof(h->why), "it has the flag --%.*s", (int)f->name_len, f->name), false;
	}
	return true;
}

/* Can the RUN move at all (whatever is above it)? Fills h. */
static bool movable(dko_pass_ctx *c, hoist *h)
{
	const dko_node *n = &c->doc->nodes[h->node];
	const dko_ginstr *gi = dko_graph_instr(c->graph, h->node);
	if (n->instr->json || !dko_run_posix_shell(&gi->state))
		return snprintf(h->why, sizeof(h->why), "it is not a shell-form RUN for a POSIX shell"), false;
	dko_sh_script *s = dko_pass_script(c, h->node);
	if (!s || dko_sh_is_opaque(s))
		return snprintf(h->why, sizeof(h->why), "dockopt could not fully parse its shell code"), false;
	if (!run_flags_ok(h, c) || !redirs_ok(h, s))
		return false;
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(c, h->node, &nops);
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++)
		if (!cmd_ok(h, dko_sh_cmd_at(s, i), (uint32_t)i, ops, nops))
			return false;
	if (!h->installs)
		return snprintf(h->why, sizeof(h->why), "it installs nothing"), false;
	return true;
}

/* Whether the RUN installs system packages (worth a suggestion when it
 * cannot move). */
static bool installs_packages(dko_pass_ctx *c, uint32_t node)
{
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(c, node, &nops);
	for (size_t i = 0; i < nops; i++)
		if (system_manager(ops[i].manager) && ops[i].verb == DKO_PV_INSTALL)
			return true;
	return false;
}

/* ---- what it may cross ---------------------------------------------------------------------- */

/* Is every part of a --chown value numeric (no user or group name that the
 * install could be the one to create)? */
static bool numeric_owner(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if ((*v < '0' || *v > '9') && *v != ':')
			return false;
	return true;
}

/* Package source configuration that may point into the image (a local
 * repository: deb file:/srv/debs, an apk repository folder). */
static const char *const source_paths[] = {"/etc/apt/", "/etc/apk/", "/etc/yum.repos.d", "/etc/zypp/",
                                           "/etc/dnf/", "/etc/yum.conf", "/etc/pacman"};

static bool names_source_config(const char *t)
{
	for (size_t i = 0; i < sizeof(source_paths) / sizeof(source_paths[0]); i++)
		if (strstr(t, source_paths[i]) || strstr(t, "sources.list"))
			return true;
	return false;
}

/* The first step of the stage above node that sets up a package source
 * which may be local: a COPY/ADD into the source configuration (dockopt
 * does not read what it copies), or a RUN that writes it with a file: or
 * folder repository. UINT32_MAX when none. */
static uint32_t local_source_step(dko_pass_ctx *c, uint32_t node)
{
	int stage = dko_graph_instr(c->graph, node)->stage;
	uint32_t from = dko_graph_stage(c->graph, (uint32_t)stage)->from_node;
	for (uint32_t k = from; k < node; k++) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind != DKO_NODE_INSTR || dko_co_gone(c->doc, k))
			continue;
		const dko_instr *in = n->instr;
		if (in->kind == DKO_I_COPY || in->kind == DKO_I_ADD) {
			const dko_ginstr *gi = dko_graph_instr(c->graph, k);
			for (uint32_t w = 0; w < gi->nwrites; w++) {
				char *dest = dko_co_path_join(NULL, gi->writes[w].path);
				bool hit = dest && names_source_config(dest);
				free(dest);
				if (hit)
					return k;
			}
		} else if (in->kind == DKO_I_RUN) {
			const char *t = c->doc->src + n->span.start;
			size_t len = n->span.end - n->span.start;
			char *text = dko_xstrndup(t, len);
			bool hit = (names_source_config(text) || strstr(text, "add-apt-repository") ||
			            strstr(text, "addrepo") || strstr(text, "zypper ar") ||
			            strstr(text, "config-manager")) &&
			           (strstr(text, "file:") || strstr(text, "copy:") || strstr(text, "/etc/apk/repositories") ||
			            strstr(text, "baseurl=/") || strstr(text, "zypper ar /") || strstr(text, "addrepo /"));
			free(text);
			if (hit)
				return k;
		}
	}
	return UINT32_MAX;
}

static bool copy_crossable(dko_pass_ctx *c, const hoist *h, uint32_t k, char *why, size_t wl)
{
	const char *kw = dko_instr_name(c->doc->nodes[k].instr->kind);
	uint32_t line = dko_pass_input_line(c, k);
	const dko_ginstr *gi = dko_graph_instr(c->graph, k);
	const dko_flag *own = dko_instr_flag(c->doc->nodes[k].instr, "chown");
	if (own && !numeric_owner(own->value ? own->value : ""))
		return snprintf(why, wl, "the %s at line %u gives its files to `%s`, a user or group the "
		                "install may be what creates", kw, line, own->value ? own->value : ""), false;
	if (h && h->sources != UINT32_MAX && h->sources < k)
		return snprintf(why, wl, "the %s at line %u sets up a package source, which may be a folder "
		                "the %s at line %u fills", dko_instr_name(c->doc->nodes[h->sources].instr->kind),
		                dko_pass_input_line(c, h->sources), kw, line), false;
	if (gi->nwrites != 1 || gi->writes[0].path[0] != '/')
		return snprintf(why, wl, "dockopt cannot tell where the %s at line %u writes", kw, line), false;
	char *dest = dko_co_path_join(NULL, gi->writes[0].path);
	bool ok = !dko_co_system_path(dest);
	if (!ok && !strcmp(dest, "/"))
		snprintf(why, wl, "the %s at line %u writes into /, over system files that package "
		         "installs may read", kw, line);
	else if (!ok)
		snprintf(why, wl, "the %s at line %u writes into %s, a system folder that package "
		         "installs may read", kw, line, dest);
	const char *var = ok && h ? dko_co_env_points_into(&dko_graph_instr(c->graph, h->node)->state,
	                                                   dko_pass_script(c, h->node), dest, true)
	                          : NULL;
	if (var) {
		snprintf(why, wl, "%s points the install at a file under %s, which the %s at line %u may provide", var,
		         dest, kw, line);
		ok = false;
	}
	for (size_t i = 0; ok && h && i < h->paths.len; i++)
		if (dko_co_paths_overlap(h->paths.items[i], dest)) {
			snprintf(why, wl, "it uses %s, which the %s at line %u writes", h->paths.items[i], kw, line);
			ok = false;
		}
	free(dest);
	return ok;
}

static void blocker_why(const dko_pass_ctx *c, uint32_t k, char *why, size_t wl)
{
	const dko_instr *in = c->doc->nodes[k].instr;
	const char *kw = in->kind ? dko_instr_name(in->kind) : "instruction";
	uint32_t line = dko_pass_input_line(c, k);
	switch (in->kind) {
	case DKO_I_RUN:
		snprintf(why, wl, "the RUN at line %u comes first (a RUN is never moved across another)", line);
		break;
	case DKO_I_ENV: case DKO_I_ARG:
		snprintf(why, wl, "the %s at line %u sets %s, which the RUN would no longer see", kw, line,
		         in->nargs ? in->args[0].value : "a variable");
		break;
	case DKO_I_USER: case DKO_I_SHELL:
		snprintf(why, wl, "the %s at line %u changes how it runs", kw, line);
		break;
	default:
		snprintf(why, wl, "the %s at line %u cannot be crossed", kw, line);
		break;
	}
}

/* Walk up from the RUN to the first instruction it may not cross. h may be
 * NULL: then only the instructions count, not what the RUN names. */
static void walk_up(dko_pass_ctx *c, const hoist *h, uint32_t node, reach *r)
{
	const dko_doc *doc = c->doc;
	int stage = dko_graph_instr(c->graph, node)->stage;
	uint32_t from = dko_graph_stage(c->graph, (uint32_t)stage)->from_node;
	r->target = r->blocker = r->top = UINT32_MAX;
	r->moved_run = false;
	r->why[0] = '\0';
	for (uint32_t k = dko_co_block_start(doc, node); k-- > from;) {
		const dko_node *n = &doc->nodes[k];
		if (dko_co_gone(doc, k))
			continue;
		if (n->kind == DKO_NODE_INSTR) {
			dko_instr_kind kind = n->instr->kind;
			bool ok = dko_co_metadata(kind) || kind == DKO_I_WORKDIR;
			if (kind == DKO_I_COPY || kind == DKO_I_ADD) {
				ok = copy_crossable(c, h, k, r->why, sizeof(r->why));
				if (ok)
					r->target = k;
			} else if (!ok) {
				blocker_why(c, k, r->why, sizeof(r->why));
			}
			if (!ok) {
				r->blocker = k;
				return;
			}
			r->top = k;
		}
		if (n->before) { /* a RUN this pass moved here: never cross it */
			r->moved_run = true;
			return;
		}
	}
	r->blocker = from;
	snprintf(r->why, sizeof(r->why), "it reached the FROM");
}

/* The nearest COPY/ADD above node in its stage that the RUN could cross,
 * or UINT32_MAX. */
static uint32_t copy_above(dko_pass_ctx *c, const hoist *h, uint32_t node)
{
	int stage = dko_graph_instr(c->graph, node)->stage;
	uint32_t from = dko_graph_stage(c->graph, (uint32_t)stage)->from_node;
	char why[256];
	for (uint32_t k = node; k-- > from + 1;) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind == DKO_NODE_INSTR && !dko_co_gone(c->doc, k) &&
		    (n->instr->kind == DKO_I_COPY || n->instr->kind == DKO_I_ADD))
			return copy_crossable(c, h, k, why, sizeof(why)) ? k : UINT32_MAX;
	}
	return UINT32_MAX;
}

/* Whether stage s builds from the context: a COPY/ADD of the context or a
 * RUN in it or in a stage it depends on (depth-bounded). */
static bool stage_follows_sources(const dko_pass_ctx *c, int s, int depth)
{
	if (s < 0 || depth > 16)
		return false;
	const dko_stage *st = dko_graph_stage(c->graph, (uint32_t)s);
	for (uint32_t k = st->from_node; k < st->end_node; k++) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind == DKO_NODE_INSTR && n->instr->kind == DKO_I_RUN)
			return true;
		const dko_ginstr *gi = dko_graph_instr(c->graph, k);
		for (uint32_t r = 0; r < gi->nreads; r++)
			if (gi->reads[r].kind == DKO_PATH_CONTEXT ||
			    (gi->reads[r].kind == DKO_PATH_STAGE &&
			     stage_follows_sources(c, gi->reads[r].from_stage, depth + 1)))
				return true;
	}
	return stage_follows_sources(c, st->base_stage, depth + 1);
}

/* Whether COPY/ADD k changes when the sources do (worth a suggestion):
 * it copies from the context or from a stage built from it. A COPY from an
 * image that is only pulled does not. */
static bool follows_sources(const dko_pass_ctx *c, uint32_t k)
{
	const dko_ginstr *gi = dko_graph_instr(c->graph, k);
	for (uint32_t r = 0; r < gi->nreads; r++)
		if (gi->reads[r].kind == DKO_PATH_CONTEXT || gi->reads[r].kind == DKO_PATH_URL ||
		    (gi->reads[r].kind == DKO_PATH_STAGE && stage_follows_sources(c, gi->reads[r].from_stage, 0)))
			return true;
	return false;
}

/* ---- the pass ------------------------------------------------------------------------------------ */

static void consider(dko_pass_ctx *c, uint32_t node)
{
	hoist h = {.node = node, .sources = local_source_step(c, node)};
	reach r;
	if (!movable(c, &h)) {
		walk_up(c, NULL, node, &r);
		if (r.target != UINT32_MAX && installs_packages(c, node) && follows_sources(c, r.target))
			dko_pass_suggest(c, node, "this RUN installs packages after the %s at line %u, so a change "
			                 "to the copied files re-runs it; it cannot move above it because %s",
			                 dko_instr_name(c->doc->nodes[r.target].instr->kind),
			                 dko_pass_input_line(c, r.target), h.why);
		hoist_release(&h);
		return;
	}
	walk_up(c, &h, node, &r);
	if (r.target != UINT32_MAX) {
		const dko_node *t = &c->doc->nodes[r.target];
		dko_pass_applied(c, node, node, "moved this RUN above the %s at line %u: it only installs "
		                 "packages, so a change to the copied files no longer re-runs it",
		                 dko_instr_name(t->instr->kind), dko_pass_input_line(c, r.target));
		/* Right under a RUN that stops it, it may merge with that RUN. */
		bool under_run = r.blocker != UINT32_MAX && c->doc->nodes[r.blocker].instr->kind == DKO_I_RUN;
		dko_co_move(c, node, under_run ? r.top : r.target, NULL);
	} else if (!r.moved_run && r.blocker != UINT32_MAX) {
		uint32_t cp = copy_above(c, &h, r.blocker);
		dko_instr_kind bk = c->doc->nodes[r.blocker].instr->kind;
		if (cp != UINT32_MAX && follows_sources(c, cp))
			dko_pass_suggest(c, node, "this RUN only installs packages and could move above the %s at "
			                 "line %u (a source change would then reuse it), but %s",
			                 dko_instr_name(c->doc->nodes[cp].instr->kind), dko_pass_input_line(c, cp), r.why);
		else if ((bk == DKO_I_COPY || bk == DKO_I_ADD) && follows_sources(c, r.blocker))
			dko_pass_suggest(c, node, "this RUN only installs packages but stays below the %s at line %u: %s",
			                 dko_instr_name(bk), dko_pass_input_line(c, r.blocker), r.why);
	}
	hoist_release(&h);
}

static int run(dko_pass_ctx *c)
{
	const dko_doc *doc = c->doc;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
			continue;
		if (dko_graph_instr(c->graph, i)->stage < 0 || dko_pass_disabled_at(c, i))
			continue;
		consider(c, i);
	}
	return 0;
}

const dko_pass dko_pass_hoist_installs = {
	{"hoist-installs", NULL, DKO_TIER_SAFE, REASON,
	 "The build cache reuses a step only when every step before it is unchanged, and a\n"
	 "COPY changes whenever a copied file does. A RUN that installs system packages\n"
	 "(apt, apk, dnf/yum, zypper) after a COPY of the sources is re-run on every source\n"
	 "change. When the RUN only installs packages by name (no file of the context, no\n"
	 "$(...), no variable, no relative path), it moves above the COPY/ADD instructions\n"
	 "that copy into application folders. It never crosses FROM, another RUN, ENV, ARG,\n"
	 "USER, SHELL, ONBUILD, VOLUME, or a COPY into a system folder (/etc, /usr, /var,\n"
	 "/opt, /lib*, /bin, /sbin, /root, /home: repository keys, sources lists and\n"
	 "conffiles that the install reads), a COPY --chown to a user or group by name (the\n"
	 "install may be what creates it), or any COPY below a step that sets up a package\n"
	 "source which may be a folder of the image (deb file:/srv/debs, an apk folder).\n"
	 "\n"
	 "Before:\n"
	 "  WORKDIR /app\n"
	 "  COPY . .\n"
	 "  RUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
	 "After:\n"
	 "  WORKDIR /app\n"
	 "  RUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
	 "  COPY . .\n"},
	run,
};
