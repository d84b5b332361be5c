/*
 * verify_report.c - a verification result as text for people and as the
 * "verify" JSON object of the findings output (for the PR bot).
 *
 * JSON shape (schema "dockopt/verify/1"): the top level describes the first
 * (usually only) target: "original" and "rewritten" images, "config_diffs",
 * "savings" (original minus rewritten: positive is better), "passed",
 * "reasons", "notes". With several targets, "targets" holds one such object
 * per target and the top-level "passed"/"reasons" cover them all. Figures
 * that were not measured are null. Output text (run stdout/stderr) is made
 * valid UTF-8 (U+FFFD for invalid bytes).
 */
#include "verify.h"
#include "cst.h"
#include "util/buf.h"

#include <stdio.h>
#include <string.h>

/* ---- JSON ------------------------------------------------------------------ */

static void put_text(dko_buf *b, const char *s, size_t n)
{
	dko_buf clean = DKO_BUF_INIT;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t w = 1;
		if (c >= 0x80)
			dko_utf8_decode((const unsigned char *)s + i, n - i, &w);
		if (c >= 0x80 && w <= 1)
			dko_buf_puts(&clean, "\xef\xbf\xbd");
		else
			dko_buf_put(&clean, s + i, w);
		i += w ? w : 1;
	}
	dko_buf_put_json_str(b, clean.ptr ? clean.ptr : "", clean.len);
	dko_buf_release(&clean);
}

static void put_str(dko_buf *b, const char *s)
{
	if (s)
		put_text(b, s, strlen(s));
	else
		dko_buf_puts(b, "null");
}

static void put_raw(dko_buf *b, const char *json)
{
	dko_buf_puts(b, json ? json : "null");
}

static void put_lines(dko_buf *b, char *const *v, size_t n)
{
	dko_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			dko_buf_putc(b, ',');
		put_str(b, v[i]);
	}
	dko_buf_putc(b, ']');
}

static void put_list(dko_buf *b, const dko_cfg_list *l)
{
	if (!l->set) {
		dko_buf_puts(b, "null");
		return;
	}
	put_lines(b, l->items, l->len);
}

static void put_labels(dko_buf *b, const dko_image_config *c)
{
	if (!c->label_keys.len) {
		dko_buf_puts(b, "null");
		return;
	}
	dko_buf_putc(b, '{');
	for (size_t i = 0; i < c->label_keys.len; i++) {
		if (i)
			dko_buf_putc(b, ',');
		put_str(b, c->label_keys.items[i]);
		dko_buf_putc(b, ':');
		put_str(b, c->label_values.items[i]);
	}
	dko_buf_putc(b, '}');
}

static void put_config(dko_buf *b, const dko_image_config *c)
{
	dko_buf_puts(b, "{\"Env\":");
	put_list(b, &c->env);
	dko_buf_puts(b, ",\"Cmd\":");
	put_list(b, &c->cmd);
	dko_buf_puts(b, ",\"Entrypoint\":");
	put_list(b, &c->entrypoint);
	dko_buf_puts(b, ",\"WorkingDir\":");
	put_str(b, c->working_dir);
	dko_buf_puts(b, ",\"User\":");
	put_str(b, c->user);
	dko_buf_puts(b, ",\"ExposedPorts\":");
	put_list(b, &c->exposed_ports);
	dko_buf_puts(b, ",\"Labels\":");
	put_labels(b, c);
	dko_buf_puts(b, ",\"Volumes\":");
	put_list(b, &c->volumes);
	dko_buf_puts(b, ",\"Healthcheck\":");
	put_raw(b, c->healthcheck);
	dko_buf_puts(b, ",\"StopSignal\":");
	put_str(b, c->stop_signal);
	dko_buf_puts(b, ",\"Shell\":");
	put_list(b, &c->shell);
	dko_buf_puts(b, ",\"OnBuild\":");
	put_list(b, &c->onbuild);
	dko_buf_putc(b, '}');
}

static void put_run(dko_buf *b, const dko_verify_exec *r)
{
	if (!r->ran) {
		dko_buf_puts(b, "null");
		return;
	}
	dko_buf_printf(b, "{\"exit_code\":%d,\"timed_out\":%s,\"stdout\":", r->exit_code,
	               r->timed_out ? "true" : "false");
	put_text(b, r->out, r->out_len);
	dko_buf_puts(b, ",\"stderr\":");
	put_text(b, r->err, r->err_len);
	dko_buf_printf(b, ",\"stdout_bytes\":%llu,\"stderr_bytes\":%llu}",
	               (unsigned long long)r->out_total, (unsigned long long)r->err_total);
}

static void put_image(dko_buf *b, const dko_verify_image *img)
{
	dko_buf_puts(b, "{\"tag\":");
	put_str(b, img->tag);
	dko_buf_printf(b, ",\"built\":%s,\"log\":", img->built ? "true" : "false");
	put_str(b, img->log);
	dko_buf_printf(b, ",\"build_seconds\":%.3f,\"rebuild_seconds\":", img->build_seconds);
	if (img->rebuild_ok)
		dko_buf_printf(b, "%.3f", img->rebuild_seconds);
	else
		dko_buf_puts(b, "null");
	dko_buf_puts(b, ",\"rebuild_log\":");
	put_str(b, img->rebuild_log);
	if (!img->built) {
		dko_buf_puts(b, ",\"id\":null,\"layers\":null,\"size\":null,\"compressed_size\":null,"
		                "\"config\":null,\"run\":null}");
		return;
	}
	dko_buf_puts(b, ",\"id\":");
	put_str(b, img->id);
	dko_buf_printf(b, ",\"layers\":%zu,\"size\":%llu,\"compressed_size\":", img->layers,
	               (unsigned long long)img->size);
	if (img->compressed_size >= 0)
		dko_buf_printf(b, "%lld", (long long)img->compressed_size);
	else
		dko_buf_puts(b, "null");
	dko_buf_puts(b, ",\"config\":");
	put_config(b, &img->config);
	dko_buf_puts(b, ",\"run\":");
	put_run(b, &img->run);
	dko_buf_putc(b, '}');
}

static void put_diffs(dko_buf *b, const dko_verify_target *t)
{
	dko_buf_putc(b, '[');
	for (size_t i = 0; i < t->ndiffs; i++) {
		const dko_verify_diff *d = &t->diffs[i];
		if (i)
			dko_buf_putc(b, ',');
		dko_buf_puts(b, "{\"field\":");
		put_str(b, d->field);
		dko_buf_puts(b, ",\"key\":");
		put_str(b, d->key);
		dko_buf_puts(b, ",\"original\":");
		put_raw(b, d->original);
		dko_buf_puts(b, ",\"rewritten\":");
		put_raw(b, d->rewritten);
		dko_buf_printf(b, ",\"allowed\":%s}", d->allowed ? "true" : "false");
	}
	dko_buf_putc(b, ']');
}

static void put_savings(dko_buf *b, const dko_verify_target *t)
{
	const dko_verify_image *o = &t->original, *r = &t->rewritten;
	if (!o->built || !r->built) {
		dko_buf_puts(b, "null");
		return;
	}
	dko_buf_printf(b, "{\"size\":%lld,\"compressed_size\":",
	               (long long)o->size - (long long)r->size);
	if (o->compressed_size >= 0 && r->compressed_size >= 0)
		dko_buf_printf(b, "%lld", (long long)(o->compressed_size - r->compressed_size));
	else
		dko_buf_puts(b, "null");
	dko_buf_printf(b, ",\"layers\":%lld,\"build_seconds\":%.3f,\"rebuild_seconds\":",
	               (long long)o->layers - (long long)r->layers,
	               o->build_seconds - r->build_seconds);
	if (o->rebuild_ok && r->rebuild_ok)
		dko_buf_printf(b, "%.3f}", o->rebuild_seconds - r->rebuild_seconds);
	else
		dko_buf_puts(b, "null}");
}

/* The members describing one target (without braces). */
static void put_target_members(dko_buf *b, const dko_verify_target *t)
{
	dko_buf_puts(b, "\"target\":");
	put_str(b, t->target);
	dko_buf_puts(b, ",\"original\":");
	put_image(b, &t->original);
	dko_buf_puts(b, ",\"rewritten\":");
	put_image(b, &t->rewritten);
	dko_buf_puts(b, ",\"config_diffs\":");
	put_diffs(b, t);
	dko_buf_puts(b, ",\"savings\":");
	put_savings(b, t);
	dko_buf_puts(b, ",\"notes\":");
	put_lines(b, t->notes, t->nnotes);
}

void dko_verify_format_json(dko_buf *b, const dko_verify_result *r)
{
	dko_buf_puts(b, "{\"schema\":\"dockopt/verify/1\",\"engine\":");
	put_str(b, r->engine);
	dko_buf_puts(b, ",\"engine_version\":");
	put_str(b, r->engine_version);
	dko_buf_printf(b, ",\"passed\":%s,\"reasons\":", r->passed ? "true" : "false");
	put_lines(b, r->reasons, r->nreasons);
	dko_buf_puts(b, ",\"touched\":");
	put_str(b, r->touched);
	dko_buf_puts(b, ",\"log_dir\":");
	put_str(b, r->log_dir);
	dko_buf_putc(b, ',');
	put_target_members(b, &r->targets[0]);
	if (r->ntargets > 1) {
		dko_buf_puts(b, ",\"targets\":[");
		for (size_t i = 0; i < r->ntargets; i++) {
			dko_buf_puts(b, i ? ",{" : "{");
			put_target_members(b, &r->targets[i]);
			dko_buf_printf(b, ",\"passed\":%s,\"reasons\":",
			               r->targets[i].passed ? "true" : "false");
			put_lines(b, r->targets[i].reasons, r->targets[i].nreasons);
			dko_buf_putc(b, '}');
		}
		dko_buf_putc(b, ']');
	}
	dko_buf_puts(b, "}\n");
}

/* ---- text ------------------------------------------------------------------ */

static void human_bytes(dko_buf *b, double n)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;
	double a = n < 0 ? -n : n;
	while (a >= 1000 && u < 4) {
		a /= 1000;
		n /= 1000;
		u++;
	}
	if (u == 0)
		dko_buf_printf(b, "%.0f %s", n, units[u]);
	else
		dko_buf_printf(b, "%.1f %s", n, units[u]);
}

static void percent(dko_buf *b, double from, double to)
{
	if (from > 0)
		dko_buf_printf(b, " (%+.1f%%)", (to - from) * 100.0 / from);
}

/* One row: label, the two values and the change; bytes or seconds. */
static void row(dko_buf *b, const char *label, double o, double r, bool bytes, const char *tail)
{
	dko_buf cell = DKO_BUF_INIT;
	dko_buf_printf(b, "  %-13s", label);
	for (int k = 0; k < 3; k++) {
		double v = k == 0 ? o : k == 1 ? r : r - o;
		dko_buf_clear(&cell);
		if (k == 2 && v >= 0)
			dko_buf_putc(&cell, '+');
		if (bytes)
			human_bytes(&cell, v);
		else
			dko_buf_printf(&cell, "%.2f s", v);
		if (k == 2)
			percent(&cell, o, r);
		dko_buf_printf(b, k == 2 ? "%s" : "%-16s", dko_buf_cstr(&cell));
	}
	dko_buf_printf(b, "%s\n", tail ? tail : "");
	dko_buf_release(&cell);
}

static void run_cell(dko_buf *b, const dko_verify_exec *r)
{
	dko_buf cell = DKO_BUF_INIT;
	if (!r->ran)
		dko_buf_puts(&cell, "not run");
	else if (r->timed_out)
		dko_buf_puts(&cell, "timed out");
	else
		dko_buf_printf(&cell, "exit %d", r->exit_code);
	dko_buf_printf(b, "%-16s", cell.ptr);
	dko_buf_release(&cell);
}

static bool same_output(const dko_verify_exec *a, const dko_verify_exec *b)
{
	return a->out_total == b->out_total && a->err_total == b->err_total &&
	       a->out_len == b->out_len && a->err_len == b->err_len &&
	       !memcmp(a->out, b->out, a->out_len) && !memcmp(a->err, b->err, a->err_len);
}

static void text_figures(dko_buf *b, const dko_verify_target *t, const char *touched)
{
	const dko_verify_image *o = &t->original, *r = &t->rewritten;
	dko_buf_printf(b, "  %-13s%-16s%-16s%s\n", "", "original", "rewritten", "change");
	row(b, "size", (double)o->size, (double)r->size, true, NULL);
	if (o->compressed_size >= 0 && r->compressed_size >= 0)
		row(b, "compressed", (double)o->compressed_size, (double)r->compressed_size, true,
		    NULL);
	dko_buf_printf(b, "  %-13s%-16zu%-16zu%+lld\n", "layers", o->layers, r->layers,
	               (long long)r->layers - (long long)o->layers);
	row(b, "cold build", o->build_seconds, r->build_seconds, false, NULL);
	if (o->rebuild_ok && r->rebuild_ok) {
		dko_buf tail = DKO_BUF_INIT;
		dko_buf_printf(&tail, "  after changing %s", touched);
		row(b, "rebuild", o->rebuild_seconds, r->rebuild_seconds, false, tail.ptr);
		dko_buf_release(&tail);
	} else {
		dko_buf_printf(b, "  %-13s%s\n", "rebuild",
		               touched ? "not measured (a rebuild failed)"
		                       : "not measured (no source file to change; see --touch)");
	}
	dko_buf_printf(b, "  %-13s", "run");
	run_cell(b, &o->run);
	run_cell(b, &r->run);
	if (o->run.ran && r->run.ran)
		dko_buf_puts(b, same_output(&o->run, &r->run) ? "same output" : "output differs");
	dko_buf_putc(b, '\n');
}

static void text_target(dko_buf *b, const dko_verify_target *t, const char *touched)
{
	if (t->original.built && t->rewritten.built)
		text_figures(b, t, touched);
	if (t->ndiffs)
		dko_buf_puts(b, "  configuration differences:\n");
	for (size_t i = 0; i < t->ndiffs; i++) {
		const dko_verify_diff *d = &t->diffs[i];
		dko_buf_printf(b, "    %s%s%s: %s -> %s%s\n", d->field, d->key ? " " : "",
		               d->key ? d->key : "", d->original ? d->original : "unset",
		               d->rewritten ? d->rewritten : "unset",
		               d->allowed ? "  (allowed: from the base image, not declared)" : "");
	}
	for (size_t i = 0; i < t->nnotes; i++)
		dko_buf_printf(b, "  note: %s\n", t->notes[i]);
}

void dko_verify_format_text(dko_buf *b, const dko_verify_result *r)
{
	dko_buf_printf(b, "dockopt verify with %s %s\n", r->engine, r->engine_version);
	for (size_t i = 0; i < r->ntargets; i++) {
		const dko_verify_target *t = &r->targets[i];
		dko_buf_printf(b, "target %s:\n", t->target ? t->target : "(last stage)");
		text_target(b, t, r->touched);
	}
	if (r->passed) {
		dko_buf_puts(b, "PASSED: the rewritten image behaves like the original\n");
	} else {
		dko_buf_puts(b, "FAILED:\n");
		for (size_t i = 0; i < r->nreasons; i++)
			dko_buf_printf(b, "  - %s\n", r->reasons[i]);
	}
	if (r->log_dir)
		dko_buf_printf(b, "build logs: %s\n", r->log_dir);
}
