/*
 * pass.c - the pass registry (the order passes run in), rule lookup and the
 * inline pragmas that switch a rule off:
 *   # dockopt ignore=merge-runs,apt-cleanup     the next instruction
 *   # hadolint ignore=DL3059                    the next instruction
 *   # dockopt global ignore=...                 the whole file (also hadolint's)
 * A pragma applies to the instruction that follows its comment block.
 */
#include "pass.h"

#include <string.h>
#include <strings.h>

extern const dko_pass dko_pass_merge_runs, dko_pass_apt_cleanup, dko_pass_apk_no_cache,
	dko_pass_pip_no_cache, dko_pass_dnf_yum_clean, dko_pass_npm_yarn_cache,
	dko_pass_apt_no_recommends, dko_pass_apk_virtual_del, dko_pass_multi_stage;
extern const dko_pass dko_pass_hoist_installs, dko_pass_manifest_first, dko_pass_dockerignore;

/* The fixed order: structure first (hoist-installs -> manifest-first ->
 * merge-runs), then the cleanup passes, then the aggressive ones (then
 * multi-stage -> dockerignore). */
const dko_pass *const dko_pass_registry[] = {
	&dko_pass_hoist_installs,
	&dko_pass_manifest_first,
	&dko_pass_merge_runs,
	&dko_pass_apt_cleanup,
	&dko_pass_apk_no_cache,
	&dko_pass_pip_no_cache,
	&dko_pass_dnf_yum_clean,
	&dko_pass_npm_yarn_cache,
	&dko_pass_apt_no_recommends,
	&dko_pass_apk_virtual_del,
	&dko_pass_multi_stage,
	&dko_pass_dockerignore,
};
const size_t dko_pass_registry_len = sizeof(dko_pass_registry) / sizeof(dko_pass_registry[0]);

size_t dko_rule_count(void)
{
	return dko_pass_registry_len;
}

const dko_rule_info *dko_rule_at(size_t i)
{
	return i < dko_pass_registry_len ? &dko_pass_registry[i]->info : NULL;
}

/* Whether id names rule r: its dockopt id or one of its hadolint ids. */
static bool rule_is(const dko_rule_info *r, const char *id, size_t n)
{
	if (strlen(r->id) == n && strncasecmp(r->id, id, n) == 0)
		return true;
	for (const char *h = r->hadolint; h && *h;) {
		const char *e = strchr(h, ',');
		size_t l = e ? (size_t)(e - h) : strlen(h);
		if (l == n && strncasecmp(h, id, n) == 0)
			return true;
		h = e ? e + 1 : h + l;
	}
	return false;
}

const dko_rule_info *dko_rule_find(const char *id)
{
	for (size_t i = 0; i < dko_pass_registry_len; i++)
		if (rule_is(&dko_pass_registry[i]->info, id, strlen(id)))
			return &dko_pass_registry[i]->info;
	return NULL;
}

/* Does comment text [s, e) hold a pragma switching r off? global selects
 * "# dockopt global ignore=" over "# dockopt ignore=". */
static bool pragma_ignores(const char *s, const char *e, const dko_rule_info *r, bool global)
{
	s++; /* '#' */
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	size_t n = (size_t)(e - s);
	if (n >= 7 && !strncmp(s, "dockopt", 7))
		s += 7;
	else if (n >= 8 && !strncmp(s, "hadolint", 8))
		s += 8;
	else
		return false;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (global) {
		if ((size_t)(e - s) < 6 || strncmp(s, "global", 6))
			return false;
		s += 6;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
	}
	if ((size_t)(e - s) < 7 || strncmp(s, "ignore=", 7))
		return false;
	s += 7;
	while (s < e) {
		const char *t = s;
		while (t < e && *t != ',' && *t != ' ' && *t != '\t' && *t != '\r')
			t++;
		if (t > s && rule_is(r, s, (size_t)(t - s)))
			return true;
		if (t >= e || *t != ',')
			break;
		s = t + 1;
	}
	return false;
}

static bool comment_node_ignores(const dko_doc *doc, const dko_node *n, const dko_rule_info *r,
                                 bool global)
{
	for (uint32_t t = n->tok_first; t < n->tok_first + n->tok_count; t++) {
		const dko_token *k = &doc->toks[t];
		if (k->kind == DKO_TOK_COMMENT &&
		    pragma_ignores(doc->src + k->span.start, doc->src + k->span.end, r, global))
			return true;
	}
	return false;
}

bool dko_pass_disabled_at(const dko_pass_ctx *c, uint32_t node)
{
	const dko_doc *doc = c->doc;
	const dko_rule_info *r = &c->pass->info;
	for (uint32_t i = 0; i < doc->nnodes; i++)
		if (doc->nodes[i].kind == DKO_NODE_COMMENT && comment_node_ignores(doc, &doc->nodes[i], r, true))
			return true;
	for (uint32_t i = node; i-- > 0;) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_COMMENT)
			break;
		if (comment_node_ignores(doc, n, r, false))
			return true;
	}
	return false;
}

bool dko_pass_shipped_run(const dko_pass_ctx *c, uint32_t i)
{
	const dko_node *n = &c->doc->nodes[i];
	if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
		return false;
	int stage = dko_graph_instr(c->graph, i)->stage;
	return stage >= 0 && dko_graph_stage(c->graph, (uint32_t)stage)->shipped;
}
