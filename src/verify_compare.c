/*
 * verify_compare.c - what verify compares (see verify.h for the rule): the
 * names a Dockerfile declares, the field-by-field comparison of two image
 * configurations, and the verdict from builds, differences and runs.
 *
 * Values in differences are JSON text so that the report can show them as
 * they are and the JSON output can embed them unchanged.
 */
#include "verify.h"
#include "cst.h"
#include "dockopt/doc.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool list_has(const dko_cfg_list *l, const char *s, size_t n)
{
	for (size_t i = 0; l && i < l->len; i++)
		if (strlen(l->items[i]) == n && !memcmp(l->items[i], s, n))
			return true;
	return false;
}

static void list_add(dko_cfg_list *l, const char *s, size_t n)
{
	if (list_has(l, s, n))
		return;
	l->items = dko_xreallocarray(l->items, l->len + 1, sizeof(char *));
	l->items[l->len++] = dko_xstrndup(s, n);
	l->set = true;
}

/* ---- declared names -------------------------------------------------------- */

typedef struct stage {
	const dko_instr *from;
	uint32_t first, end; /* node range */
} stage;

static bool stage_named(const stage *s, const char *name, size_t n)
{
	const dko_instr *f = s->from;
	if (f->nargs < 3 || strcasecmp(f->args[1].value, "as"))
		return false;
	return f->args[2].len == n && !strncasecmp(f->args[2].value, name, n);
}

/* Keys of ENV / LABEL: BuildKit's arguments come as key, value, separator. */
static void add_keys(dko_cfg_list *out, const dko_instr *in)
{
	for (uint32_t i = 0; i < in->nargs; i += 3) {
		const char *k = in->args[i].value;
		size_t n = in->args[i].len;
		if (n >= 2 && (k[0] == '"' || k[0] == '\'') && k[n - 1] == k[0]) {
			k++;
			n -= 2;
		}
		if (n)
			list_add(out, k, n);
	}
}

static void add_stage(dko_cfg_list *env, dko_cfg_list *labels, const dko_doc *doc, const stage *s)
{
	for (uint32_t i = s->first; i < s->end; i++) {
		const dko_instr *in = doc->nodes[i].instr;
		if (doc->nodes[i].kind != DKO_NODE_INSTR || !in)
			continue;
		if (in->kind == DKO_I_ENV)
			add_keys(env, in);
		else if (in->kind == DKO_I_LABEL)
			add_keys(labels, in);
	}
}

static size_t find_stages(stage **out, const dko_doc *doc)
{
	size_t n = 0;
	stage *st = dko_xcalloc(doc->nnodes + 1, sizeof(stage));
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_instr *in = doc->nodes[i].instr;
		if (doc->nodes[i].kind != DKO_NODE_INSTR || !in || in->kind != DKO_I_FROM ||
		    in->nargs < 1)
			continue;
		if (n)
			st[n - 1].end = i;
		st[n++] = (stage){in, i, doc->nnodes};
	}
	*out = st;
	return n;
}

void dko_verify_declared(dko_cfg_list *env, dko_cfg_list *labels, const char *dockerfile,
                         size_t len, const char *target)
{
	dko_doc *doc = NULL;
	dko_parse(&doc, dockerfile, len, NULL);
	if (!doc)
		return;
	stage *st;
	size_t n = find_stages(&st, doc);
	size_t cur = n;
	for (size_t i = 0; target && i < n; i++)
		if (stage_named(&st[i], target, strlen(target)))
			cur = i;
	if (cur == n)
		cur = n ? n - 1 : n;
	/* Follow FROM <earlier stage> back to an image: all of it is inherited. */
	while (cur < n) {
		add_stage(env, labels, doc, &st[cur]);
		const dko_arg *base = &st[cur].from->args[0];
		size_t next = n;
		for (size_t i = cur; i-- > 0 && next == n;)
			if (stage_named(&st[i], base->value, base->len))
				next = i;
		cur = next;
	}
	free(st);
	dko_doc_free(doc);
}

/* ---- comparison ------------------------------------------------------------ */

static char *json_str(const char *s)
{
	if (!s)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_put_json_str(&b, s, strlen(s));
	return dko_buf_detach(&b, NULL);
}

static char *json_list(const dko_cfg_list *l)
{
	if (!l->set)
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	dko_buf_putc(&b, '[');
	for (size_t i = 0; i < l->len; i++) {
		if (i)
			dko_buf_putc(&b, ',');
		dko_buf_put_json_str(&b, l->items[i], strlen(l->items[i]));
	}
	dko_buf_putc(&b, ']');
	return dko_buf_detach(&b, NULL);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Record a difference (taking o and r) unless the values are equal. */
static void diff(dko_verify_target *t, const char *field, const char *key, char *o, char *r,
                 bool allowed)
{
	if (same(o, r)) {
		free(o);
		free(r);
		return;
	}
	t->diffs = dko_xreallocarray(t->diffs, t->ndiffs + 1, sizeof(dko_verify_diff));
	t->diffs[t->ndiffs++] = (dko_verify_diff){dko_xstrdup(field), key ? dko_xstrdup(key) : NULL,
	                                          o, r, allowed};
}

static const char *label(const dko_image_config *c, const char *key)
{
	for (size_t i = 0; i < c->label_keys.len; i++)
		if (!strcmp(c->label_keys.items[i], key))
			return c->label_values.items[i];
	return NULL;
}

static void diff_env(dko_verify_target *t, const dko_image_config *a, const dko_image_config *b,
                     const dko_cfg_list *declared)
{
	dko_cfg_list names = {0};
	const dko_cfg_list *envs[] = {&a->env, &b->env};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < envs[k]->len; i++)
			list_add(&names, envs[k]->items[i], strcspn(envs[k]->items[i], "="));
	for (size_t i = 0; i < names.len; i++) {
		const char *n = names.items[i];
		diff(t, "Env", n, json_str(dko_image_config_getenv(a, n)),
		     json_str(dko_image_config_getenv(b, n)), !list_has(declared, n, strlen(n)));
	}
	dko_cfg_list_release(&names);
}

static void diff_labels(dko_verify_target *t, const dko_image_config *a,
                        const dko_image_config *b, const dko_cfg_list *declared)
{
	dko_cfg_list keys = {0};
	for (size_t i = 0; i < a->label_keys.len; i++)
		list_add(&keys, a->label_keys.items[i], strlen(a->label_keys.items[i]));
	for (size_t i = 0; i < b->label_keys.len; i++)
		list_add(&keys, b->label_keys.items[i], strlen(b->label_keys.items[i]));
	for (size_t i = 0; i < keys.len; i++) {
		const char *k = keys.items[i];
		diff(t, "Labels", k, json_str(label(a, k)), json_str(label(b, k)),
		     !list_has(declared, k, strlen(k)));
	}
	dko_cfg_list_release(&keys);
}

/* A string field where unset means the runtime default (WorkingDir "/",
 * StopSignal SIGTERM): equal when both resolve to the same. */
static void diff_default(dko_verify_target *t, const char *field, const char *a, const char *b,
                         const char *dflt)
{
	if (same(a ? a : dflt, b ? b : dflt))
		return;
	diff(t, field, NULL, json_str(a), json_str(b), false);
}

static void compare_config(dko_verify_target *t, const dko_cfg_list *env,
                           const dko_cfg_list *labels)
{
	const dko_image_config *a = &t->original.config, *b = &t->rewritten.config;
	diff_env(t, a, b, env);
	diff(t, "Cmd", NULL, json_list(&a->cmd), json_list(&b->cmd), false);
	diff(t, "Entrypoint", NULL, json_list(&a->entrypoint), json_list(&b->entrypoint), false);
	diff_default(t, "WorkingDir", a->working_dir, b->working_dir, "/");
	diff(t, "User", NULL, json_str(a->user), json_str(b->user), false);
	diff(t, "ExposedPorts", NULL, json_list(&a->exposed_ports), json_list(&b->exposed_ports),
	     false);
	diff_labels(t, a, b, labels);
	diff(t, "Volumes", NULL, json_list(&a->volumes), json_list(&b->volumes), false);
	diff(t, "Healthcheck", NULL, a->healthcheck ? dko_xstrdup(a->healthcheck) : NULL,
	     b->healthcheck ? dko_xstrdup(b->healthcheck) : NULL, false);
	diff_default(t, "StopSignal", a->stop_signal, b->stop_signal, "SIGTERM");
	diff(t, "Shell", NULL, json_list(&a->shell), json_list(&b->shell), false);
	diff(t, "OnBuild", NULL, json_list(&a->onbuild), json_list(&b->onbuild), false);
}

/* ---- verdict --------------------------------------------------------------- */

static void add_line(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line(char ***v, size_t *n, const char *fmt, ...)
{
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*v = dko_xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = dko_buf_detach(&b, NULL);
}

/* Where two outputs first differ, as "line N: "a" vs "b"" (80 bytes each). */
static void first_difference(dko_buf *b, const char *x, size_t xn, const char *y, size_t yn)
{
	size_t i = 0, line = 1, start = 0;
	while (i < xn && i < yn && x[i] == y[i]) {
		if (x[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	const char *ends[] = {x, y};
	size_t lens[] = {xn, yn};
	dko_buf_printf(b, "line %zu: ", line);
	for (size_t k = 0; k < 2; k++) {
		size_t e = start;
		while (e < lens[k] && ends[k][e] != '\n' && e - start < 80)
			e++;
		if (k)
			dko_buf_puts(b, " vs ");
		dko_buf_put_json_str(b, ends[k] + start, e - start);
	}
}

static void compare_stream(dko_verify_target *t, const char *what, const char *x, size_t xn,
                           uint64_t xt, const char *y, size_t yn, uint64_t yt)
{
	if (xt == yt && xn == yn && (xn == 0 || !memcmp(x, y, xn)))
		return;
	dko_buf b = DKO_BUF_INIT;
	first_difference(&b, x ? x : "", xn, y ? y : "", yn);
	add_line(&t->reasons, &t->nreasons, "the command's %s differs (%s)", what, b.ptr);
	dko_buf_release(&b);
}

static void compare_runs(dko_verify_target *t)
{
	const dko_verify_exec *a = &t->original.run, *b = &t->rewritten.run;
	if (!a->ran && !b->ran) {
		add_line(&t->notes, &t->nnotes, "neither image has a command: nothing was run");
		return;
	}
	if (a->ran != b->ran) {
		add_line(&t->reasons, &t->nreasons, "only the %s image has a command to run",
		         a->ran ? "original" : "rewritten");
		return;
	}
	if (a->timed_out && b->timed_out)
		add_line(&t->notes, &t->nnotes, "both commands were still running at the timeout "
		                                "and were stopped; their output so far is compared");
	else if (a->timed_out != b->timed_out)
		add_line(&t->reasons, &t->nreasons, "the command timed out in the %s image only",
		         a->timed_out ? "original" : "rewritten");
	else if (a->exit_code != b->exit_code)
		add_line(&t->reasons, &t->nreasons,
		         "the command exits with %d in the original and %d in the rewritten image",
		         a->exit_code, b->exit_code);
	compare_stream(t, "standard output", a->out, a->out_len, a->out_total, b->out, b->out_len,
	               b->out_total);
	compare_stream(t, "standard error", a->err, a->err_len, a->err_total, b->err, b->err_len,
	               b->err_total);
}

void dko_verify_compare(dko_verify_target *t, const dko_cfg_list *env,
                        const dko_cfg_list *labels)
{
	if (!t->rewritten.built) {
		add_line(&t->reasons, &t->nreasons, "the rewritten Dockerfile does not build; log: %s",
		         t->rewritten.log ? t->rewritten.log : "(removed)");
	} else {
		compare_config(t, env, labels);
		for (size_t i = 0; i < t->ndiffs; i++) {
			const dko_verify_diff *d = &t->diffs[i];
			if (d->allowed)
				continue;
			add_line(&t->reasons, &t->nreasons, "%s%s%s differs: %s in the original, %s in the "
			         "rewritten image", d->field, d->key ? " " : "", d->key ? d->key : "",
			         d->original ? d->original : "unset", d->rewritten ? d->rewritten : "unset");
		}
		compare_runs(t);
	}
	t->passed = t->nreasons == 0;
}
