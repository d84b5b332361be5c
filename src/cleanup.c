/*
 * cleanup.c - the cache-cleanup mechanism (see cleanup.h).
 */
#include "cleanup.h"
#include "context.h"
#include "runedit.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct insertion {
	uint32_t at; /* source offset */
	char *text;
} insertion;

typedef DKO_VEC(insertion) insvec;

static const char *env_lookup(void *ctx, const char *name)
{
	return dko_state_lookup(ctx, name);
}

const dko_pkg_op *dko_cleanup_ops(dko_pass_ctx *c, uint32_t node, size_t *n)
{
	*n = 0;
	dko_sh_script *s = dko_pass_script(c, node);
	if (!s || dko_sh_is_opaque(s))
		return NULL;
	const dko_ginstr *gi = dko_graph_instr(c->graph, node);
	dko_pkg_env env = {env_lookup, (void *)&gi->state};
	dko_pkg_op *ops = NULL;
	dko_pkg_analyze(&ops, n, s, c->pkgs, &env);
	return ops;
}

static bool covers(const dko_pm *set, size_t n, dko_pm pm)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pm)
			return true;
	return false;
}

/* A directory as the RUN's user sees it ("~/x" -> the home folder). */
static char *expand_home(const dko_state *st, const char *dir)
{
	if (strncmp(dir, "~/", 2) != 0)
		return dko_xstrdup(dir);
	dko_buf b = DKO_BUF_INIT;
	const char *u = st->user;
	if (!u || !strcmp(u, "root") || !strcmp(u, "0") || !strncmp(u, "root:", 5) || !strncmp(u, "0:", 2))
		dko_buf_printf(&b, "/root/%s", dir + 2);
	else
		dko_buf_printf(&b, "/home/%.*s/%s", (int)strcspn(u, ":"), u, dir + 2);
	return dko_buf_detach(&b, NULL);
}

/* Whether dir is removed by a CLEAN operation after operation index k. */
static bool cleaned_after(const dko_pkg_op *ops, size_t n, size_t k, const char *dir)
{
	for (size_t i = 0; i < n; i++)
		if (ops[i].verb == DKO_PV_CLEAN && ops[i].cmd_index >= ops[k].cmd_index && i != k &&
		    dko_pkg_cleans(&ops[i], dir))
			return true;
	return false;
}

/* Whether op has one of the "|"-separated options (exactly, or as --opt=...). */
static bool has_option(const dko_pkg_op *op, const char *list)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		for (uint32_t f = 0; f < op->nflags; f++)
			if (!strncmp(op->flags[f], p, n) &&
			    (op->flags[f][n] == '\0' || op->flags[f][n] == '=' || op->flags[f][n] == ' '))
				return true;
		p = e ? e + 1 : p + n;
	}
	return false;
}

/* ---- later consumers of a package index -------------------------------------------- */

static bool refreshes(const dko_pkg_op *op)
{
	if (op->verb == DKO_PV_UPDATE || op->no_cache)
		return true;
	for (uint32_t f = 0; f < op->nflags; f++)
		if (!strcmp(op->flags[f], "--update") || !strcmp(op->flags[f], "-U") ||
		    !strcmp(op->flags[f], "--update-cache"))
			return true;
	return false;
}

/* The commands of a manager that read its package index. */
static bool index_tool(dko_pm pm, const char *name)
{
	static const struct {
		dko_pm pm;
		const char *names;
	} tools[] = {
	    {DKO_PM_APT, "|apt-get|apt|aptitude|apt-cache|apt-file|"},
	    {DKO_PM_APK, "|apk|"},
	    {DKO_PM_DNF, "|dnf|dnf5|dnf-3|"},
	    {DKO_PM_YUM, "|yum|"},
	    {DKO_PM_MICRODNF, "|microdnf|"},
	    {DKO_PM_ZYPPER, "|zypper|"},
	};
	size_t n = strlen(name);
	if (n == 0 || strchr(name, '|'))
		return false;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (tools[i].pm != pm)
			continue;
		for (const char *p = strstr(tools[i].names, name); p; p = strstr(p + 1, name))
			if (p > tools[i].names && p[-1] == '|' && p[n] == '|')
				return true;
	}
	return false;
}

/* Programs that run other commands or files dockopt cannot see: a
 * Makefile's recipes, playbooks, every script of a folder, xargs, ... */
static bool runner(const char *b)
{
	static const char *const names[] = {"make", "gmake", "ansible", "ansible-playbook", "run-parts",
	                                    "just", "task", "invoke", "rake", "bats", "chroot"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(b, names[i]))
			return true;
	return false;
}

static bool interpreter(const char *b)
{
	static const char *const names[] = {"sh", "bash", "dash", "ash", "zsh", "ksh", "perl", "ruby",
	                                    "php", "node", "nodejs", "python", "python2", "python3"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(b, names[i]))
			return true;
	return !strncmp(b, "python3.", 8);
}

/* A path of a program outside the system folders: a script or a tool of the
 * project (/bin/x, /usr/bin/x and the sbin ones are the system's). */
static bool own_program(const char *w)
{
	static const char *const system_dirs[] = {"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/"};
	if (!strchr(w, '/'))
		return false;
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		size_t n = strlen(system_dirs[i]);
		if (!strncmp(w, system_dirs[i], n) && !strchr(w + n, '/'))
			return false;
	}
	return true;
}

/* Does a command string (sh -c, su -c) run something dockopt cannot see? */
/* Whether hit holds for some word of a command string (sh -c, su -c),
 * split at blanks, quotes and shell operators. */
static bool string_has_word(const char *t, bool (*hit)(const char *word, const void *arg), const void *arg)
{
	for (const char *p = t; *p;) {
		size_t n = strcspn(p, " \t\n;&|()'\"`");
		char one[256];
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (hit(one, arg))
				return true;
		}
		p += n;
		if (*p)
			p++;
	}
	return false;
}

static bool unseen_word(const char *w, const void *arg)
{
	(void)arg;
	return ((w[0] == '.' || w[0] == '/') && own_program(w)) || runner(dko_fs_basename(w));
}

static bool string_runs_unseen(const char *t)
{
	return string_has_word(t, unseen_word, NULL);
}

static bool tool_word(const char *w, const void *arg)
{
	return index_tool(*(const dko_pm *)arg, dko_fs_basename(w));
}

/* Does the command run a file or commands dockopt cannot see (a script
 * from the context or made by an earlier step, a Makefile's recipes),
 * which may use the index? */
static bool runs_unseen_file(const dko_sh_cmd *cmd)
{
	if (!cmd->nwords)
		return false;
	const char *a0 = cmd->words[0].lit;
	if (!a0)
		return true; /* a command known only at run time */
	if (own_program(a0))
		return true;
	const char *b = dko_fs_basename(a0);
	if (!strcmp(b, ".") || !strcmp(b, "source") || !strcmp(b, "eval") || runner(b))
		return true;
	if (!strcmp(b, "find"))
		for (uint32_t k = 1; k < cmd->nwords; k++)
			if (cmd->words[k].lit && !strncmp(cmd->words[k].lit, "-exec", 5))
				return true;
	static const char *const wrappers[] = {"sudo", "doas", "env", "gosu", "su-exec", "setpriv", "xargs",
	                                       "nohup", "timeout", "nice", "fakeroot", "parallel", "stdbuf", "time"};
	bool wrapper = false;
	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		wrapper |= !strcmp(b, wrappers[i]);
	if (wrapper) {
		/* a wrapper: what it runs is among its words (a program known only
		 * at run time counts when it comes first) */
		bool first = true;
		for (uint32_t k = 1; k < cmd->nwords; k++) {
			const char *w = cmd->words[k].lit;
			if (!w) {
				if (first)
					return true;
				continue;
			}
			if (w[0] == '-' || strchr(w, '='))
				continue; /* an option or an assignment (env X=/y) */
			if (own_program(w) || runner(dko_fs_basename(w)) || interpreter(dko_fs_basename(w)))
				return true;
			first = false;
		}
		return false;
	}
	bool string_cmd = !strcmp(b, "su") || !strcmp(b, "runuser");
	if (!interpreter(b) && !string_cmd)
		return false;
	for (uint32_t k = 1; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit;
		if (!w)
			return true;
		if (w[0] == '-' && w[1] != '-' && strchr(w, 'c') && (interpreter(b) || string_cmd)) {
			/* -c STRING: the package model reads the string's package
			 * commands; other programs it starts stay unseen */
			const char *str = k + 1 < cmd->nwords ? cmd->words[k + 1].lit : NULL;
			return !str || string_runs_unseen(str);
		}
		if (w[0] == '-' || w[0] == '+')
			continue;
		if (string_cmd)
			return false; /* su USER: the login shell, with -c handled above */
		/* interpreter FILE (python -m is a module, the model reads pip) */
		return strcmp(w, "-m") != 0;
	}
	return false; /* a shell reading stdin: what a pipeline feeds it */
}

/* Does a command that the package model did not recognise use pm: one of
 * its tools (apt-cache policy, apt-get download), or a command string that
 * names one (su -c 'apt-get install -y x'), or an unseen script? */
static const char *cmd_uses_index(const dko_sh_cmd *cmd, dko_pm pm, char *buf, size_t bn)
{
	if (runs_unseen_file(cmd)) {
		const char *w = cmd->words[0].lit ? cmd->words[0].lit : cmd->words[0].raw;
		const char *w1 = cmd->nwords > 1 ? cmd->words[1].raw : "";
		snprintf(buf, bn, "it runs `%.60s%s%.60s%s`, which dockopt cannot read", w, *w1 ? " " : "",
		         w1, cmd->nwords > 2 ? " ..." : "");
		return buf;
	}
	for (uint32_t k = 0; k < cmd->nwords; k++) {
		const char *w = cmd->words[k].lit ? cmd->words[k].lit : cmd->words[k].raw;
		if (k == 0 && index_tool(pm, dko_fs_basename(w)))
			return "it runs a command of the package manager";
		if (k > 0 && strchr(w, ' ') && string_has_word(w, tool_word, &pm))
			return "it names the package manager in a command string";
	}
	return NULL;
}

/* Does RUN (or ONBUILD RUN) node k use pm's package index without having
 * refreshed it itself: an install, upgrade or download, another command of
 * the manager (apt-cache), a command string that names it, or a script
 * dockopt cannot see? Opaque shell that names the manager counts. */
static const char *consumes_index(dko_pass_ctx *c, uint32_t k, dko_pm pm, char *buf, size_t bn)
{
	const dko_node *n = &c->doc->nodes[k];
	if (n->kind != DKO_NODE_INSTR)
		return NULL;
	const dko_instr *in = n->instr;
	if (in->kind == DKO_I_ONBUILD)
		in = in->sub;
	if (!in || in->kind != DKO_I_RUN)
		return NULL;
	dko_sh_script *s = dko_pass_script(c, k);
	if (!s || dko_sh_is_opaque(s)) {
		const char *name = dko_pm_name(pm);
		return strstr(in->text, name) ? "it names the package manager in shell code dockopt cannot parse"
		                              : NULL;
	}
	size_t nops;
	const dko_pkg_op *ops = dko_cleanup_ops(c, k, &nops);
	bool fresh = false;
	size_t o = 0;
	for (size_t i = 0; i < dko_sh_cmd_count(s) && !fresh; i++) {
		bool modelled = false;
		for (; o < nops && ops[o].cmd_index < i; o++)
			;
		for (; o < nops && ops[o].cmd_index == i; o++) {
			/* make runs the Makefile's recipes, which dockopt does not read */
			modelled = ops[o].manager != DKO_PM_MAKE;
			if (ops[o].manager != pm)
				continue;
			if (refreshes(&ops[o]))
				fresh = true;
			else if (ops[o].verb == DKO_PV_INSTALL || ops[o].verb == DKO_PV_UPGRADE ||
			         ops[o].verb == DKO_PV_DOWNLOAD)
				return "it installs, upgrades or downloads packages";
		}
		const char *why = modelled ? NULL : cmd_uses_index(dko_sh_cmd_at(s, i), pm, buf, bn);
		if (why)
			return why;
	}
	return NULL;
}

static bool stage_derives_from(const dko_graph *g, int stage, int base)
{
	for (int s = stage; s >= 0; s = dko_graph_stage(g, (uint32_t)s)->base_stage)
		if (s == base)
			return true;
	return false;
}

/* The first later consumer of pm's index after node, or -1. */
static int later_consumer(dko_pass_ctx *c, uint32_t node, dko_pm pm, const char **why, char *buf,
                          size_t bn)
{
	const dko_graph *g = c->graph;
	int stage = dko_graph_instr(g, node)->stage;
	const dko_stage *st = dko_graph_stage(g, (uint32_t)stage);
	for (uint32_t k = st->from_node; k < st->end_node; k++) {
		const dko_node *n = &c->doc->nodes[k];
		bool onbuild = n->kind == DKO_NODE_INSTR && n->instr->kind == DKO_I_ONBUILD;
		if ((k > node || onbuild) && (*why = consumes_index(c, k, pm, buf, bn)) != NULL)
			return (int)k;
	}
	for (uint32_t s = (uint32_t)stage + 1; s < dko_graph_stage_count(g); s++) {
		if (!stage_derives_from(g, (int)s, stage))
			continue;
		const dko_stage *t = dko_graph_stage(g, s);
		for (uint32_t k = t->from_node; k < t->end_node; k++)
			if ((*why = consumes_index(c, k, pm, buf, bn)) != NULL)
				return (int)k;
	}
	return -1;
}

/* A later RUN (same stage, or one built FROM it) that installs from pm's
 * cache alone: dnf/yum -C (--cacheonly), npm/yarn/pnpm --offline or
 * --prefer-offline. Cleaning the cache here would break or change it. */
static int later_cache_user(dko_pass_ctx *c, uint32_t node, const dko_pkg_op *own, size_t nown,
                            const char **why)
{
	static const char *const offline = "-C|--cacheonly|--offline|--prefer-offline";
	const dko_graph *g = c->graph;
	int stage = dko_graph_instr(g, node)->stage;
	for (uint32_t s = (uint32_t)stage; s < dko_graph_stage_count(g); s++) {
		if (!stage_derives_from(g, (int)s, stage))
			continue;
		const dko_stage *t = dko_graph_stage(g, s);
		for (uint32_t k = (int)s == stage ? node + 1 : t->from_node; k < t->end_node; k++) {
			const dko_node *n = &c->doc->nodes[k];
			if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
				continue;
			size_t nops;
			const dko_pkg_op *ops = dko_cleanup_ops(c, k, &nops);
			for (size_t i = 0; i < nops; i++)
				for (size_t o = 0; o < nown; o++)
					if (ops[i].manager == own[o].manager && has_option(&ops[i], offline)) {
						*why = "it installs from the package cache alone (offline)";
						return (int)k;
					}
		}
	}
	return -1;
}

/* ---- edits ------------------------------------------------------------------------------ */

/* Source offset where " && cmd" goes: after the last significant token of
 * the RUN's shell, before a trailing comment and before a trailing ';'
 * (which would otherwise end up as "x; && cmd"). */
static uint32_t append_point(dko_sh_script *s)
{
	size_t len;
	const char *text = dko_sh_text(s, &len);
	for (size_t i = dko_sh_token_count(s); i-- > 0;) {
		const dko_sh_token *t = dko_sh_token_at(s, i);
		if (t->kind == DKO_SH_TOK_BLANK || t->kind == DKO_SH_TOK_NEWLINE ||
		    t->kind == DKO_SH_TOK_CONT || t->kind == DKO_SH_TOK_COMMENT)
			continue;
		if (t->kind == DKO_SH_TOK_OP && t->span.end - t->span.start == 1 && text[t->span.start] == ';')
			continue;
		return dko_sh_phys_span(s, t->span).end;
	}
	return 0;
}

static int cmp_ins(const void *a, const void *b)
{
	const insertion *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

/* Apply insertions (flags) to node. */
static void apply_insertions(dko_pass_ctx *c, uint32_t node, insvec *ins)
{
	const dko_doc *doc = c->doc;
	const dko_node *n = &doc->nodes[node];
	qsort(ins->items, ins->len, sizeof(insertion), cmp_ins);
	dko_buf out = DKO_BUF_INIT;
	uint32_t at = n->span.start;
	for (size_t i = 0; i < ins->len; i++) {
		dko_buf_put(&out, doc->src + at, ins->items[i].at - at);
		dko_buf_puts(&out, ins->items[i].text);
		at = ins->items[i].at;
	}
	dko_buf_put(&out, doc->src + at, n->span.end - at);
	dko_doc_replace_node(c->doc, node, out.ptr, out.len);
	dko_buf_release(&out);
}

/* Append " && cmd" to the RUN's shell, before a trailing comment. */
static void apply_append(dko_pass_ctx *c, uint32_t node, const char *cmd)
{
	dko_run_geom g;
	if (!dko_run_geom_get(c->doc, node, &g))
		return;
	uint32_t ap = append_point(dko_pass_script(c, node));
	if (ap > g.body && ap < g.content_end)
		g.content_end = ap;
	dko_buf out = DKO_BUF_INIT;
	dko_run_append(&out, c->doc, &g, c->style, cmd);
	dko_doc_replace_node(c->doc, node, out.ptr, out.len);
	dko_buf_release(&out);
}

/* Whether a --mount of the RUN covers one of the dirs op leaves. */
/* Whether the RUN has a cache mount (type=cache) anywhere. */
static bool has_cache_mount(const dko_instr *in)
{
	for (uint32_t i = 0; i < in->nflags; i++) {
		const dko_flag *f = &in->flags[i];
		if (f->name_len != 5 || memcmp(f->name, "mount", 5) || !f->value)
			continue;
		char *t = dko_mount_field(f->value, f->value_len, "type");
		bool cache = t && !strcmp(t, "cache");
		free(t);
		if (cache)
			return true;
	}
	return false;
}

/* Whether a cache mount holds what op leaves: its own folder, or (other
 * managers than apt, whose cache can be moved by an environment variable
 * or a config file: PIP_CACHE_DIR, npm_config_cache, /etc/apk/cache) any
 * cache mount of the RUN: the cache is wanted, and not in the layer. */
static bool leaves_mounted(dko_pass_ctx *c, uint32_t node, const dko_pkg_op *op)
{
	const dko_state *st = &dko_graph_instr(c->graph, node)->state;
	const dko_instr *in = c->doc->nodes[node].instr;
	if (op->manager != DKO_PM_APT && has_cache_mount(in))
		return true;
	bool covered = false;
	for (uint32_t d = 0; d < op->nleaves && !covered; d++) {
		char *dir = expand_home(st, op->leaves[d]);
		covered = dko_run_mount_covers(in, dir);
		free(dir);
	}
	return covered;
}

/* The word of cmd naming the verb (after the manager), or NULL. */
static const dko_sh_word *verb_word(const dko_sh_cmd *cmd, const char *verb)
{
	for (uint32_t i = 1; i < cmd->nwords; i++)
		if (cmd->words[i].lit && !strcmp(cmd->words[i].lit, verb))
			return &cmd->words[i];
	return NULL;
}

static const char *verb_text(dko_pm pm, dko_pkg_verb v)
{
	if (v == DKO_PV_INSTALL)
		return pm == DKO_PM_APK ? "add" : "install";
	return dko_pkg_verb_name(v);
}

static bool run_flag(dko_pass_ctx *c, const dko_cleanup_rule *r, uint32_t node,
                     const dko_pkg_op *ops, size_t nops)
{
	dko_sh_script *s = dko_pass_script(c, node);
	insvec ins = {0};
	const char *mgr = NULL, *vw = NULL, *added = r->flag;
	for (size_t i = 0; i < nops; i++) {
		const dko_pkg_op *op = &ops[i];
		if (!covers(r->managers, r->nmanagers, op->manager) || op->verb != r->flag_verb)
			continue;
		if (r->flag_is_no_recommends ? op->no_recommends : op->no_cache)
			continue;
		if (!r->flag_is_no_recommends && leaves_mounted(c, node, op))
			continue; /* a cache mount: the cache is wanted and not in the layer */
		if (has_option(op, r->conflicts))
			continue;
		const char *verb = verb_text(op->manager, op->verb);
		const dko_sh_cmd *cmd = dko_sh_cmd_at(s, op->cmd_index);
		const dko_sh_word *w = verb_word(cmd, verb);
		if (!w)
			continue;
		/* aptitude spells it --without-recommends (-R) */
		const char *flag = r->flag;
		if (r->flag_is_no_recommends && cmd->nwords && cmd->words[0].lit &&
		    !strcmp(dko_fs_basename(cmd->words[0].lit), "aptitude")) {
			if (has_option(op, "--with-recommends|-r|--without-recommends|-R"))
				continue;
			flag = "--without-recommends";
		}
		insertion x = {dko_sh_phys_span(s, w->span).end, NULL};
		dko_buf t = DKO_BUF_INIT;
		dko_buf_printf(&t, " %s", flag);
		x.text = dko_buf_detach(&t, NULL);
		DKO_VEC_PUSH(&ins, x);
		mgr = dko_pm_name(op->manager);
		vw = verb;
		added = flag;
	}
	bool edited = ins.len > 0;
	if (edited) {
		apply_insertions(c, node, &ins);
		dko_pass_applied(c, node, node, "added %s to %s %s (%s)", added, mgr, vw, r->what);
	}
	for (size_t i = 0; i < ins.len; i++)
		free(ins.items[i].text);
	DKO_VEC_FREE(&ins);
	return edited;
}

/* The cleanup commands a RUN still needs (joined with " && "), or NULL. */
static char *needed_cleanup(dko_pass_ctx *c, const dko_cleanup_rule *r, uint32_t node,
                            const dko_pkg_op *ops, size_t nops, dko_pm *index_pm)
{
	const dko_state *st = &dko_graph_instr(c->graph, node)->state;
	const dko_instr *in = c->doc->nodes[node].instr;
	bool installs = false;
	DKO_VEC(const char *) cmds = {0};
	for (size_t i = 0; i < nops; i++)
		installs |= covers(r->managers, r->nmanagers, ops[i].manager) &&
		            (ops[i].verb == DKO_PV_INSTALL || ops[i].verb == DKO_PV_UPGRADE);
	if (r->needs_install && !installs)
		return NULL;
	for (size_t i = 0; i < nops; i++) {
		const dko_pkg_op *op = &ops[i];
		const char *const *leaves = (const char *const *)op->leaves;
		uint32_t nleaves = op->nleaves;
		const char *cleanup = op->cleanup;
		/* apt 3's `install --update` refreshes the lists like `update`. */
		static const char *const apt_lists[] = {"/var/lib/apt/lists"};
		bool apt_update_flag = op->manager == DKO_PM_APT && r->leaving_verb == DKO_PV_UPDATE &&
		                       (op->verb == DKO_PV_INSTALL || op->verb == DKO_PV_UPGRADE) &&
		                       has_option(op, "--update");
		if (apt_update_flag) {
			leaves = apt_lists;
			nleaves = 1;
			cleanup = "rm -rf /var/lib/apt/lists/*";
		} else if (!covers(r->managers, r->nmanagers, op->manager) || op->verb == DKO_PV_CLEAN ||
		           !op->cleanup || (r->leaving_verb != DKO_PV_NONE && op->verb != r->leaving_verb)) {
			continue;
		}
		bool left = false;
		bool mounted = op->manager != DKO_PM_APT && has_cache_mount(in);
		for (uint32_t d = 0; d < nleaves && !mounted; d++) {
			char *dir = expand_home(st, leaves[d]);
			if (!dko_run_mount_covers(in, dir) && !cleaned_after(ops, nops, i, leaves[d]))
				left = true;
			free(dir);
		}
		if (!left)
			continue;
		bool dup = false;
		for (size_t k = 0; k < cmds.len; k++)
			dup |= !strcmp(cmds.items[k], cleanup);
		if (!dup)
			DKO_VEC_PUSH(&cmds, cleanup);
		*index_pm = op->manager;
	}
	if (!cmds.len)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	for (size_t k = 0; k < cmds.len; k++)
		dko_buf_printf(&b, "%s%s", k ? " && " : "", cmds.items[k]);
	DKO_VEC_FREE(&cmds);
	return dko_buf_detach(&b, NULL);
}

/* Is the yarn of this RUN provably Yarn 1 (classic)? In Yarn 2+ (Berry)
 * `yarn cache clean` deletes the project's own cache (.yarn/cache), which
 * Plug'n'Play loads every dependency from. Proof needs the build context:
 * a package.json at its root that does not ask for another yarn, no
 * .yarnrc.yml, no yarn-path in .yarnrc, and nothing in the Dockerfile that
 * switches yarn (corepack, yarn set version) or a Berry-only flag. */
static bool yarn_classic(dko_pass_ctx *c, uint32_t node, const dko_pkg_op *ops, size_t nops,
                         char *why, size_t wl)
{
	static const char *const berry_flags[] = {"--immutable", "--immutable-cache", "--check-cache",
	                                          "--mode", "--refresh-lockfile", "--inline-builds"};
	for (size_t i = 0; i < nops; i++)
		for (size_t f = 0; ops[i].manager == DKO_PM_YARN && f < sizeof(berry_flags) / sizeof(berry_flags[0]); f++)
			if (has_option(&ops[i], berry_flags[f]))
				return snprintf(why, wl, "%s is a Yarn 2+ flag", berry_flags[f]), false;
	const dko_node *n = &c->doc->nodes[node];
	char *head = dko_xstrndup(c->doc->src, n->span.end);
	bool switches = strstr(head, "corepack") || strstr(head, "set version") ||
	                strstr(head, "policies set-version") || strstr(head, ".yarnrc") ||
	                strstr(head, "yarnPath") || strstr(head, "yarn-path");
	free(head);
	if (switches)
		return snprintf(why, wl, "the Dockerfile may switch to Yarn 2+ (corepack, yarn set version, .yarnrc)"), false;
	if (!c->context)
		return snprintf(why, wl, "without the build context dockopt cannot tell Yarn 1 from Yarn 2+"), false;
	char *data;
	size_t len;
	if (dko_context_exists(c->context, ".yarnrc.yml"))
		return snprintf(why, wl, "the context has a .yarnrc.yml (Yarn 2+)"), false;
	if (dko_context_read(c->context, ".yarnrc", &data, &len) == 0) {
		bool path = dko_mem_find(data, len, "yarn-path") != NULL;
		free(data);
		if (path)
			return snprintf(why, wl, ".yarnrc sets yarn-path (it may be Yarn 2+)"), false;
	}
	if (dko_context_read(c->context, "package.json", &data, &len) != 0)
		return snprintf(why, wl, "the context has no package.json at its root to tell the yarn version"), false;
	const char *pm = dko_mem_find(data, len, "\"packageManager\"");
	bool other = false;
	if (pm) {
		const char *y = dko_mem_find(pm, len - (size_t)(pm - data), "yarn@");
		other = !y || y - pm > 40 || strncmp(y + 5, "1.", 2) != 0;
	}
	free(data);
	if (other)
		return snprintf(why, wl, "package.json names a packageManager other than Yarn 1"), false;
	return true;
}

/* Whether word w names the program tool (or its package): "yum",
 * "/usr/bin/dnf*", ".../node_modules/npm". */
static bool names_tool(const char *w, const char *tool)
{
	const char *b = dko_fs_basename(w);
	size_t n = strlen(tool);
	bool same = !strncmp(b, tool, n) && (b[n] == '\0' || !strcmp(b + n, "*") || !strcmp(b + n, "-*"));
	if (!same)
		return false;
	if (!strchr(w, '/'))
		return true; /* a package name: rpm -e yum, apk del npm */
	return strstr(w, "/bin/") || strstr(w, "/sbin/") || strstr(w, "node_modules/");
}

/* The cleanup `tool ...` runs the package manager's own program: is it sure
 * to exist when the cleanup runs? Some operation of that manager must have
 * run for certain (not conditional, not tested with || as in
 * `dnf install || yum install`), and nothing after it may remove the
 * program (rpm -e yum, rm /usr/local/bin/npm). */
static bool tool_sure(dko_pass_ctx *c, uint32_t node, const dko_pkg_op *ops, size_t nops, const char *tool,
                      char *why, size_t wl)
{
	dko_sh_script *s = dko_pass_script(c, node);
	if (!s)
		return snprintf(why, wl, "dockopt cannot read the RUN"), false;
	size_t first = SIZE_MAX;
	for (size_t i = 0; i < nops && first == SIZE_MAX; i++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(s, ops[i].cmd_index);
		const char *a0 = x && x->nwords && x->words[0].lit ? dko_fs_basename(x->words[0].lit) : "";
		bool same = !strcmp(dko_pm_name(ops[i].manager), tool) || !strcmp(a0, tool);
		if (!same || !x || x->conditional || x->background || x->in_subshell)
			continue;
		const dko_sh_item *it = x->list_index < dko_sh_item_count(s) ? dko_sh_item_at(s, x->list_index) : NULL;
		if (it && it->only_and)
			first = ops[i].cmd_index;
	}
	if (first == SIZE_MAX)
		return snprintf(why, wl, "`%s` may not exist when it runs (the RUN uses it only conditionally, or with || after it)", tool),
		       false;
	static const char *const removers[] = {"rm", "rpm", "dpkg", "apt-get", "apt", "apk", "dnf", "yum",
	                                       "microdnf", "zypper", "npm", "pip", "pip3", "unlink"};
	for (size_t i = first + 1; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *x = dko_sh_cmd_at(s, i);
		const char *a0 = x->nwords && x->words[0].lit ? dko_fs_basename(x->words[0].lit) : "";
		bool remover = false;
		for (size_t k = 0; k < sizeof(removers) / sizeof(removers[0]); k++)
			remover |= !strcmp(a0, removers[k]);
		for (uint32_t k = 1; remover && k < x->nwords; k++)
			if (x->words[k].lit && names_tool(x->words[k].lit, tool)) {
				if (!strcmp(x->words[k].lit, tool))
					snprintf(why, wl, "the RUN removes `%s` before the cleanup would run", tool);
				else
					snprintf(why, wl, "the RUN removes `%s` (%s) before the cleanup would run", tool,
					         x->words[k].lit);
				return false;
			}
	}
	return true;
}

/* Every cleanup of cmd ("a && b") that runs a program must find it. */
static bool cleanups_runnable(dko_pass_ctx *c, uint32_t node, const dko_pkg_op *ops, size_t nops, const char *cmd,
                              char *why, size_t wl)
{
	for (const char *p = cmd; *p;) {
		const char *e = strstr(p, " && ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t t = strcspn(p, " ");
		if (t > n)
			t = n;
		char tool[32];
		if (t > 0 && t < sizeof(tool)) {
			memcpy(tool, p, t);
			tool[t] = '\0';
			if (strcmp(tool, "rm") && !tool_sure(c, node, ops, nops, tool, why, wl))
				return false;
		}
		p = e ? e + 4 : p + n;
	}
	return true;
}

static bool run_append(dko_pass_ctx *c, const dko_cleanup_rule *r, uint32_t node,
                       const dko_pkg_op *ops, size_t nops)
{
	dko_pm pm = DKO_PM_NONE;
	char *cmd = needed_cleanup(c, r, node, ops, nops, &pm);
	bool edited = false;
	if (!cmd)
		return false;
	const char *why = NULL;
	char whybuf[160];
	int consumer = r->is_index ? later_consumer(c, node, pm, &why, whybuf, sizeof(whybuf))
	                           : later_cache_user(c, node, ops, nops, &why);
	if (!cleanups_runnable(c, node, ops, nops, cmd, whybuf, sizeof(whybuf))) {
		dko_pass_suggest(c, node, "%s could be removed here with `%s`, but %s", r->what, cmd, whybuf);
	} else if (strstr(cmd, "yarn cache clean") && !yarn_classic(c, node, ops, nops, whybuf, sizeof(whybuf))) {
		dko_pass_suggest(c, node,
		                 "%s could be removed here with `%s` if this is Yarn 1, but %s; in Yarn 2+ "
		                 "`yarn cache clean` deletes the project cache Plug'n'Play loads from",
		                 r->what, cmd, whybuf);
	} else if (consumer >= 0) {
		if (r->is_index)
			dko_pass_suggest(c, node,
			                 "%s could be removed here with `%s`, but the RUN at line %u may use "
			                 "the %s index without refreshing it first: %s",
			                 r->what, cmd, dko_pass_input_line(c, (uint32_t)consumer), dko_pm_name(pm), why);
		else
			dko_pass_suggest(c, node, "%s could be removed here with `%s`, but the RUN at line %u may "
			                 "need it: %s", r->what, cmd, dko_pass_input_line(c, (uint32_t)consumer), why);
	} else {
		apply_append(c, node, cmd);
		dko_pass_applied(c, node, node, "appended `%s`, which keeps %s out of the layer", cmd,
		                 r->what);
		edited = true;
	}
	free(cmd);
	return edited;
}

int dko_cleanup_run(dko_pass_ctx *c, const dko_cleanup_rule *rules, size_t nrules)
{
	const dko_doc *doc = c->doc;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		if (!dko_pass_shipped_run(c, i))
			continue;
		const dko_node *n = &doc->nodes[i];
		size_t nops;
		const dko_pkg_op *ops = dko_cleanup_ops(c, i, &nops);
		bool relevant = false;
		for (size_t k = 0; k < nops; k++)
			relevant |= covers(rules[0].managers, rules[0].nmanagers, ops[k].manager);
		if (!relevant || dko_pass_disabled_at(c, i))
			continue;
		dko_run_geom g;
		dko_sh_script *s = dko_pass_script(c, i);
		if (!dko_run_geom_get(doc, i, &g) || dko_sh_ends_in_background(s)) {
			if (n->instr->nheredocs)
				dko_pass_suggest(c, i, "%s: this RUN uses a heredoc, which dockopt does not "
				                       "rewrite; clean up at its end", rules[0].what);
			continue;
		}
		/* One edit per RUN and pass run: the next round sees the result. */
		for (size_t k = 0; k < nrules; k++) {
			const dko_cleanup_rule *r = &rules[k];
			if (r->mode == DKO_CLEANUP_FLAG ? run_flag(c, r, i, ops, nops)
			                                : run_append(c, r, i, ops, nops))
				break;
		}
	}
	return 0;
}
