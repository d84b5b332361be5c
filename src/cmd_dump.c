/*
 * cmd_dump.c - `dockopt dump [--shell|--graph] FILE`: the syntax tree as
 * S-expressions (BuildKit's parser test format by default).
 */
#include "cmd.h"
#include "graph.h"
#include "pkg.h"
#include "shell.h"

#include <stdlib.h>
#include <string.h>

enum { MODE_AST, MODE_GRAPH, MODE_SHELL };

static int dump_graph(const dko_doc *doc, char **out, size_t *len)
{
	dko_graph *g;
	if (dko_graph_build(&g, doc, NULL) != 0) {
		cmd_report("dump --graph");
		dko_graph_free(g);
		return -1;
	}
	dko_graph_dump(out, len, g, doc);
	dko_graph_free(g);
	return 0;
}

/* ---- --shell ---- */

static const char *state_env(void *ctx, const char *name)
{
	return ctx ? dko_state_lookup(ctx, name) : NULL;
}

/* A shell problem (not "not a shell script") as a located warning. */
static void shell_warning(const dko_doc *doc, const dko_sh_script *s)
{
	dko_sh_okind k = dko_sh_opaque_kind(s);
	if (k != DKO_SH_SYNTAX && k != DKO_SH_TOO_DEEP)
		return;
	dko_diag d = {DKO_SEV_WARNING, "shell", dko_sh_phys_span(s, dko_sh_opaque_span(s)),
	              dko_sh_opaque_reason(s)};
	dko_doc_print_diag(doc, &d, stderr);
}

/* One line per RUN: (run L<line> <shell tree>), then one per package op. */
static void dump_run(dko_buf *b, const dko_doc *doc, uint32_t i, const dko_sh_opts *o,
                     const dko_state *st)
{
	dko_sh_script *s;
	dko_sh_parse_node(&s, doc, i, o);
	shell_warning(doc, s);
	dko_buf_printf(b, "(run L%u ", doc->nodes[i].line);
	dko_sh_dump(b, s);
	dko_buf_puts(b, ")\n");
	dko_pkg_op *ops;
	size_t nops;
	dko_pkg_env env = {state_env, (void *)st};
	dko_pkg_analyze(&ops, &nops, s, NULL, &env);
	for (size_t k = 0; k < nops; k++) {
		dko_buf_puts(b, "  ");
		dko_pkg_op_dump(b, &ops[k]);
		dko_buf_putc(b, '\n');
	}
	dko_sh_free(s);
}

static int dump_shell(const dko_doc *doc, char **out, size_t *len)
{
	dko_graph *g = NULL;
	if (dko_graph_build(&g, doc, NULL) != 0) {
		dko_graph_free(g);
		g = NULL;
	}
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	dko_buf b = DKO_BUF_INIT;
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *n = &doc->nodes[i];
		if (n->kind != DKO_NODE_INSTR || n->instr->kind != DKO_I_RUN)
			continue;
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		dump_run(&b, doc, i, &o, g ? &dko_graph_instr(g, i)->state : NULL);
	}
	dko_sh_walker_release(&w);
	dko_graph_free(g);
	*out = dko_buf_detach(&b, len);
	return 0;
}

static int dump_one(const char *path, int mode)
{
	dko_doc *doc = NULL;
	int err = dko_parse_file(&doc, path, NULL);
	if (!doc) {
		cmd_report(NULL);
		return EXIT_FAIL;
	}
	if (err) {
		cmd_print_diags(doc, stderr);
		dko_doc_free(doc);
		return EXIT_FAIL;
	}
	char *out;
	size_t len;
	if (mode == MODE_GRAPH) {
		if (dump_graph(doc, &out, &len) != 0) {
			dko_doc_free(doc);
			return EXIT_FAIL;
		}
	} else if (mode == MODE_SHELL) {
		dump_shell(doc, &out, &len);
	} else {
		dko_doc_dump(&out, &len, doc);
	}
	int rc = cmd_write_all(stdout, out, len) == 0 ? EXIT_CLEAN : EXIT_FAIL;
	free(out);
	dko_doc_free(doc);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	const char *file = NULL;
	int mode = MODE_AST;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: dockopt dump [--graph|--shell] FILE\n\n"
			     "Print each instruction as an S-expression, as BuildKit's parser tests do.\n"
			     "  --graph   stages, build state, files read/written, variables and their uses\n"
			     "  --shell   each RUN's shell tree and its package operations, one line each");
			return EXIT_CLEAN;
		} else if (!strcmp(argv[i], "--graph")) {
			mode = MODE_GRAPH;
		} else if (!strcmp(argv[i], "--shell")) {
			mode = MODE_SHELL;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "dockopt dump: unknown option %s\n", argv[i]);
			return EXIT_FAIL;
		} else if (!file) {
			file = argv[i];
		} else {
			fprintf(stderr, "dockopt dump: one FILE only\n");
			return EXIT_FAIL;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: dockopt dump FILE\n");
		return EXIT_FAIL;
	}
	return dump_one(file, mode);
}
