/*
 * fixverify.c - the verify hook of `fix --verify` and its reports (see
 * fixverify.h).
 *
 * Invariant: a rewrite is kept only when dko_verify_run() succeeded and its
 * result passed; an error (no engine, an original that does not build) drops
 * it like a mismatch does, and is recorded so that the caller can tell the
 * two apart.
 */
#include "fixverify.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/vec.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

struct dko_fix_verifier {
	const dko_verify_profile *profile;
	const dko_verify_opts *opts;
	dko_verify_profile own_profile; /* dko_fix_verifier_configure's */
	dko_verify_opts own_opts;
	DKO_VEC(dko_fix_verification) runs;
	DKO_VEC(uint64_t) keys; /* runs[i]'s (path, old, new) hash: a rewrite the fix
	                           loop proposes again is not built again */
};

/* FNV-1a over the bytes, chained. */
static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

int dko_fix_verifier_new(dko_fix_verifier **out)
{
	*out = dko_xcalloc(1, sizeof(**out));
	return 0;
}

void dko_fix_verifier_free(dko_fix_verifier *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->runs.len; i++) {
		free(v->runs.items[i].path);
		free(v->runs.items[i].error);
		dko_verify_result_free(v->runs.items[i].result);
	}
	DKO_VEC_FREE(&v->runs);
	DKO_VEC_FREE(&v->keys);
	free(v);
}

void dko_fix_verifier_set(dko_fix_verifier *v, const dko_verify_profile *profile,
                          const dko_verify_opts *opts)
{
	v->profile = profile;
	v->opts = opts;
}

void dko_fix_verifier_configure(dko_fix_verifier *v, const dko_fix_verify_cfg *cfg)
{
	dko_verify_profile *p = &v->own_profile;
	dko_verify_opts *o = &v->own_opts;
	memset(p, 0, sizeof(*p));
	memset(o, 0, sizeof(*o));
	p->context_dir = cfg->context_dir;
	p->dockerfile_rel = cfg->dockerfile_rel;
	p->targets = cfg->targets;
	p->ntargets = cfg->ntargets;
	p->build_args = cfg->build_args;
	p->nbuild_args = cfg->nbuild_args;
	p->secrets = cfg->secrets;
	p->nsecrets = cfg->nsecrets;
	o->engine = cfg->engine;
	o->engine_args = cfg->engine_args;
	o->nengine_args = cfg->nengine_args;
	o->smoke = cfg->smoke;
	o->touch = cfg->no_rebuild ? "" : NULL;
	dko_fix_verifier_set(v, p, o);
}

int dko_fix_verifier_hook(void *ctx, const char *path, const char *old_text, size_t old_len,
                          const char *new_text, size_t new_len)
{
	dko_fix_verifier *v = ctx;
	const char *name = path ? path : "Dockerfile";
	uint64_t key = fnv(fnv(fnv(14695981039346656037ull, name, strlen(name) + 1), old_text, old_len), new_text,
	                   new_len);
	for (size_t i = 0; i < v->keys.len; i++)
		if (v->keys.items[i] == key) /* the same rewrite again: the same verdict */
			return v->runs.items[i].kept ? 0 : 1;
	dko_fix_verification r = {0};
	r.path = dko_xstrdup(path ? path : "Dockerfile");
	dko_verify_opts none = {0};
	if (!v->profile) {
		r.error = dko_xstrdup("no build context to verify with");
	} else if (dko_verify_run(&r.result, v->profile, old_text, old_len, new_text, new_len,
	                          v->opts ? v->opts : &none) != 0) {
		r.error = dko_xstrdup(dko_error_last());
	} else {
		r.kept = r.result->passed;
	}
	DKO_VEC_PUSH(&v->runs, r);
	DKO_VEC_PUSH(&v->keys, key);
	return r.kept ? 0 : 1;
}

size_t dko_fix_verifier_count(const dko_fix_verifier *v)
{
	return v->runs.len;
}

const dko_fix_verification *dko_fix_verifier_at(const dko_fix_verifier *v, size_t i)
{
	return i < v->runs.len ? &v->runs.items[i] : NULL;
}

bool dko_fix_verifier_had_error(const dko_fix_verifier *v)
{
	for (size_t i = 0; i < v->runs.len; i++)
		if (v->runs.items[i].error)
			return true;
	return false;
}

void dko_fix_verifier_json(dko_buf *b, const dko_fix_verifier *v)
{
	dko_buf_putc(b, '[');
	for (size_t i = 0; i < v->runs.len; i++) {
		const dko_fix_verification *r = &v->runs.items[i];
		dko_buf_puts(b, i ? ",{\"file\":" : "{\"file\":");
		dko_buf_put_json_str(b, r->path, strlen(r->path));
		dko_buf_printf(b, ",\"kept\":%s,\"error\":", r->kept ? "true" : "false");
		if (r->error)
			dko_buf_put_json_str(b, r->error, strlen(r->error));
		else
			dko_buf_puts(b, "null");
		dko_buf_puts(b, ",\"result\":");
		if (r->result) {
			size_t at = b->len;
			dko_verify_format_json(b, r->result);
			while (b->len > at && b->ptr[b->len - 1] == '\n')
				b->ptr[--b->len] = '\0';
		} else {
			dko_buf_puts(b, "null");
		}
		dko_buf_putc(b, '}');
	}
	dko_buf_putc(b, ']');
}

void dko_fix_verifier_text(dko_buf *b, const dko_fix_verifier *v)
{
	for (size_t i = 0; i < v->runs.len; i++) {
		const dko_fix_verification *r = &v->runs.items[i];
		dko_buf_printf(b, "%s: verify of an aggressive rewrite: %s\n", r->path,
		               r->kept ? "passed, rewrite kept" : "rewrite dropped");
		if (r->error)
			dko_buf_printf(b, "  error: %s\n", r->error);
		if (r->result)
			dko_verify_format_text(b, r->result);
	}
}

/* ---- Markdown for a pull request body ------------------------------------------------- */

static void md_bytes(dko_buf *b, double n)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;
	while (n >= 1000 && u < 4) {
		n /= 1000;
		u++;
	}
	dko_buf_printf(b, u ? "%.1f %s" : "%.0f %s", n, units[u]);
}

static void md_change(dko_buf *b, double from, double to)
{
	if (from > 0)
		dko_buf_printf(b, " (%+.0f%%)", (to - from) * 100.0 / from);
}

static void md_row(dko_buf *b, const dko_fix_verification *r, const dko_verify_target *t)
{
	const dko_verify_image *o = &t->original, *w = &t->rewritten;
	dko_buf_printf(b, "| `%s`%s%s | ", r->path, t->target ? " " : "", t->target ? t->target : "");
	md_bytes(b, (double)o->size);
	dko_buf_puts(b, " → ");
	md_bytes(b, (double)w->size);
	md_change(b, (double)o->size, (double)w->size);
	dko_buf_printf(b, " | %zu → %zu | %.1f s → %.1f s", o->layers, w->layers, o->build_seconds,
	               w->build_seconds);
	md_change(b, o->build_seconds, w->build_seconds);
	if (o->rebuild_ok && w->rebuild_ok) {
		dko_buf_printf(b, " | %.1f s → %.1f s", o->rebuild_seconds, w->rebuild_seconds);
		md_change(b, o->rebuild_seconds, w->rebuild_seconds);
		dko_buf_puts(b, " |\n");
	} else {
		dko_buf_puts(b, " | not measured |\n");
	}
}

void dko_fix_verifier_markdown(dko_buf *b, const dko_fix_verifier *v)
{
	if (!v->runs.len)
		return;
	bool header = false;
	for (size_t i = 0; i < v->runs.len; i++) {
		const dko_fix_verification *r = &v->runs.items[i];
		if (!r->kept)
			continue;
		if (!header) {
			dko_buf_printf(b, "Measured with real builds (%s %s):\n\n", r->result->engine,
			               r->result->engine_version);
			dko_buf_puts(b, "| Dockerfile | image size | layers | cold build | rebuild |\n"
			                "| --- | --- | --- | --- | --- |\n");
			header = true;
		}
		for (size_t k = 0; k < r->result->ntargets; k++)
			md_row(b, r, &r->result->targets[k]);
	}
	if (header)
		dko_buf_puts(b, "\n");
	for (size_t i = 0; i < v->runs.len; i++) {
		const dko_fix_verification *r = &v->runs.items[i];
		if (r->kept)
			continue;
		dko_buf_printf(b, "- `%s`: an aggressive rewrite was not applied: ", r->path);
		if (r->error)
			dko_buf_printf(b, "verify could not run (%s)\n", r->error);
		else if (r->result->nreasons)
			dko_buf_printf(b, "verify failed (%s)\n", r->result->reasons[0]);
		else
			dko_buf_puts(b, "verify failed\n");
	}
}
