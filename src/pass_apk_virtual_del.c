/*
 * pass_apk_virtual_del.c - apk-virtual-del (aggressive): packages installed
 * with `apk add --virtual NAME` are build dependencies by convention; when
 * the RUN that adds them never runs `apk del NAME`, they ship in the image.
 * The rule appends `apk del NAME` at the end of that RUN, only when no later
 * RUN of the stage (or of a stage built FROM it) could still need them. It
 * changes what is installed, so it is opt-in.
 */
#include "cleanup.h"
#include "runedit.h"
#include "util/buf.h"

#include <string.h>

static bool deletes(const dko_pkg_op *ops, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i].manager != DKO_PM_APK || ops[i].verb != DKO_PV_REMOVE)
			continue;
		for (uint32_t k = 0; k < ops[i].npackages; k++)
			if (!strcmp(ops[i].packages[k], name))
				return true;
	}
	return false;
}

/* No RUN follows node in its stage or in a stage built FROM it. */
static bool last_run(dko_pass_ctx *c, uint32_t node)
{
	const dko_graph *g = c->graph;
	int stage = dko_graph_instr(g, node)->stage;
	const dko_stage *st = dko_graph_stage(g, (uint32_t)stage);
	for (uint32_t k = node + 1; k < st->end_node; k++) {
		const dko_node *n = &c->doc->nodes[k];
		if (n->kind == DKO_NODE_INSTR && (n->instr->kind == DKO_I_RUN || n->instr->kind == DKO_I_ONBUILD))
			return false;
	}
	for (uint32_t s = 0; s < dko_graph_stage_count(g); s++)
		if (dko_graph_stage(g, s)->base_stage == stage)
			return false;
	return true;
}

static int run(dko_pass_ctx *c)
{
	const dko_doc *doc = c->doc;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		if (!dko_pass_shipped_run(c, i) || dko_pass_disabled_at(c, i))
			continue;
		size_t nops;
		const dko_pkg_op *ops = dko_cleanup_ops(c, i, &nops);
		const char *name = NULL;
		for (size_t k = 0; k < nops && !name; k++)
			if (ops[k].manager == DKO_PM_APK && ops[k].verb == DKO_PV_INSTALL &&
			    ops[k].virtual_name && !deletes(ops, nops, ops[k].virtual_name))
				name = ops[k].virtual_name;
		dko_run_geom g;
		if (!name || !dko_run_geom_get(doc, i, &g) || dko_sh_ends_in_background(dko_pass_script(c, i)))
			continue;
		if (!last_run(c, i)) {
			dko_pass_suggest(c, i, "the virtual package %s is never deleted; delete it with "
			                       "`apk del %s` once nothing needs it", name, name);
			continue;
		}
		dko_buf cmd = DKO_BUF_INIT, out = DKO_BUF_INIT;
		dko_buf_printf(&cmd, "apk del %s", name);
		dko_run_append(&out, doc, &g, c->style, cmd.ptr);
		dko_doc_replace_node(c->doc, i, out.ptr, out.len);
		dko_pass_applied(c, i, i, "appended `%s`: its build dependencies no longer ship", cmd.ptr);
		dko_buf_release(&cmd);
		dko_buf_release(&out);
	}
	return 0;
}

const dko_pass dko_pass_apk_virtual_del = {
	{"apk-virtual-del", NULL, DKO_TIER_AGGRESSIVE,
	 "Delete apk --virtual build dependencies (changes what gets installed).",
	 "`apk add --virtual .build-deps gcc make` groups build dependencies so that\n"
	 "`apk del .build-deps` can remove them after the build. A RUN that never deletes\n"
	 "them ships them. When no later RUN could need them, dockopt appends the delete;\n"
	 "the image then lacks those packages, so the rule is aggressive.\n"
	 "\n"
	 "Before:\n"
	 "  RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install psutil\n"
	 "After:\n"
	 "  RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install psutil \\\n"
	 "      && apk del .build-deps\n"},
	run,
};
