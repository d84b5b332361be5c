/*
 * report.c - findings as text, JSON and SARIF (see report.h).
 *
 * The JSON document is the model ("schema": "dockopt/findings/1"); SARIF is
 * derived from the same fields; Markdown (the bot's pull requests) shows them
 * as tables. A SARIF fix replaces whole input lines: the
 * hunk of the file's unified diff that covers the finding's lines gives the
 * deleted region and the inserted text.
 */
#include "report.h"
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *tier_name(dko_tier t)
{
	return t == DKO_TIER_AGGRESSIVE ? "aggressive" : "safe";
}

void dko_report_text(FILE *fp, const dko_report_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const dko_report_file *f = &files[i];
		if (f->error) {
			fprintf(fp, "%s\n", f->error);
			continue;
		}
		for (size_t k = 0; k < dko_fix_finding_count(f->result); k++) {
			const dko_finding *x = dko_fix_finding(f->result, k);
			fprintf(fp, "%s:%u:%u: %s [%s%s%s%s] %s\n", x->file, x->line, x->col,
			        x->applied ? "fixed" : "suggestion", x->rule, x->hadolint ? " " : "",
			        x->hadolint ? x->hadolint : "",
			        x->tier == DKO_TIER_AGGRESSIVE ? ", aggressive" : "", x->message);
		}
	}
}

static void json_kv_str(dko_buf *b, const char *k, const char *v, bool comma)
{
	dko_buf_printf(b, "%s\"%s\":", comma ? "," : "", k);
	if (v)
		dko_buf_put_json_str(b, v, strlen(v));
	else
		dko_buf_puts(b, "null");
}

static void json_finding(dko_buf *b, const dko_finding *x)
{
	dko_buf_putc(b, '{');
	json_kv_str(b, "rule", x->rule, false);
	json_kv_str(b, "hadolint", x->hadolint, true);
	json_kv_str(b, "tier", tier_name(x->tier), true);
	dko_buf_printf(b, ",\"applied\":%s", x->applied ? "true" : "false");
	json_kv_str(b, "file", x->file, true);
	dko_buf_printf(b, ",\"line\":%u,\"column\":%u,\"end_line\":%u", x->line, x->col, x->end_line);
	json_kv_str(b, "message", x->message, true);
	json_kv_str(b, "reason", x->reason, true);
	dko_buf_putc(b, '}');
}

void dko_report_json(dko_buf *b, const dko_report_file *files, size_t n, const char *extra_json)
{
	size_t applied = 0, suggested = 0, changed = 0, errors = 0, before = 0, after = 0;
	dko_buf_printf(b, "{\"schema\":\"%s\",\"tool\":{\"name\":\"dockopt\",\"version\":\"%s\"}",
	               DKO_FINDINGS_SCHEMA, DKO_VERSION);
	dko_buf_puts(b, ",\"files\":[");
	for (size_t i = 0; i < n; i++) {
		const dko_report_file *f = &files[i];
		dko_buf_puts(b, i ? ",{" : "{");
		json_kv_str(b, "path", f->path, false);
		if (f->error) {
			json_kv_str(b, "error", f->error, true);
			errors++;
		} else {
			size_t rb, ra, ne = dko_fix_edit_count(f->result);
			dko_fix_run_counts(f->result, &rb, &ra);
			before += rb;
			after += ra;
			changed += ne > 0;
			dko_buf_printf(b, ",\"changed\":%s,\"run_instructions\":{\"before\":%zu,\"after\":%zu}",
			               ne ? "true" : "false", rb, ra);
			dko_buf_puts(b, ",\"edits\":[");
			for (size_t k = 0; k < ne; k++) {
				const dko_file_edit *e = dko_fix_edit(f->result, k);
				dko_buf_puts(b, k ? ",{" : "{");
				if (!e->old_text && f->new_file_dir && *f->new_file_dir && strcmp(f->new_file_dir, ".")) {
					/* as the diff names it: under the context folder */
					dko_buf full = DKO_BUF_INIT;
					dko_buf_printf(&full, "%s/%s", f->new_file_dir, e->path);
					json_kv_str(b, "path", dko_buf_cstr(&full), false);
					dko_buf_release(&full);
				} else {
					json_kv_str(b, "path", e->path, false);
				}
				dko_buf_printf(b, ",\"new_file\":%s}", e->old_text ? "false" : "true");
			}
			dko_buf_putc(b, ']');
			if (f->diff) {
				dko_buf_puts(b, ",\"diff\":");
				dko_buf_put_json_str(b, f->diff, strlen(f->diff));
			}
		}
		dko_buf_putc(b, '}');
	}
	dko_buf_puts(b, "],\"findings\":[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (files[i].error)
			continue;
		for (size_t k = 0; k < dko_fix_finding_count(files[i].result); k++) {
			const dko_finding *x = dko_fix_finding(files[i].result, k);
			if (!first)
				dko_buf_putc(b, ',');
			first = false;
			json_finding(b, x);
			if (x->applied)
				applied++;
			else
				suggested++;
		}
	}
	dko_buf_printf(b, "],\"summary\":{\"files\":%zu,\"changed\":%zu,\"errors\":%zu,"
	                  "\"applied\":%zu,\"suggested\":%zu,\"run_instructions_before\":%zu,"
	                  "\"run_instructions_after\":%zu}",
	               n, changed, errors, applied, suggested, before, after);
	if (extra_json && *extra_json)
		dko_buf_printf(b, ",%s", extra_json);
	dko_buf_puts(b, "}\n");
}

/* ---- SARIF ---------------------------------------------------------------------- */

typedef struct hunk {
	unsigned old_start, old_len;
	const char *body; /* first line after the @@ header */
	size_t body_len;
} hunk;

/* Drop a hunk's leading and trailing context lines, so that its old range
 * and body cover only what changed. */
static void trim_context(hunk *h)
{
	const char *p = h->body, *end = h->body + h->body_len;
	while (p < end && *p == ' ') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
		h->old_start++;
		h->old_len--;
	}
	const char *last = end;
	for (;;) {
		/* Find the start of the last line before `last`. */
		if (last <= p)
			break;
		const char *s = last - 1;
		while (s > p && s[-1] != '\n')
			s--;
		if (*s == '\\') { /* "\ No newline at end of file" belongs to the line before */
			last = s;
			continue;
		}
		if (*s != ' ')
			break;
		last = s;
		h->old_len--;
	}
	/* Keep a "\ No newline" marker that follows the kept lines. */
	while (last < end && *last == '\\') {
		const char *nl = memchr(last, '\n', (size_t)(end - last));
		last = nl ? nl + 1 : end;
	}
	h->body = p;
	h->body_len = (size_t)(last - p);
}

/* The hunks of the first file section of a unified diff. */
static size_t parse_hunks(const char *diff, hunk **out)
{
	size_t n = 0, cap = 0;
	hunk *v = NULL;
	int sections = 0;
	for (const char *p = diff; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= 4 && !strncmp(p, "--- ", 4) && ++sections > 1)
			break;
		if (len > 4 && !strncmp(p, "@@ -", 4)) {
			hunk h = {0, 1, nl ? nl + 1 : p + len, 0};
			char *e;
			h.old_start = (unsigned)strtoul(p + 4, &e, 10);
			if (*e == ',')
				h.old_len = (unsigned)strtoul(e + 1, &e, 10);
			if (n == cap)
				v = dko_xreallocarray(v, cap = cap ? cap * 2 : 8, sizeof(hunk));
			v[n++] = h;
		} else if (n && (*p == ' ' || *p == '-' || *p == '+' || *p == '\\')) {
			v[n - 1].body_len = (size_t)((nl ? nl + 1 : p + len) - v[n - 1].body);
		}
		p = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < n; i++)
		trim_context(&v[i]);
	*out = v;
	return n;
}

/* A path as a SARIF artifact URI (RFC 3986): an absolute path becomes a
 * file:// URI; bytes outside the path characters are percent-encoded. */
static void sarif_uri(dko_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	dko_buf u = DKO_BUF_INIT;
	if (path[0] == '/')
		dko_buf_puts(&u, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/!$&'()*+,;=:@", *p)) {
			dko_buf_putc(&u, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			dko_buf_put(&u, e, 3);
		}
	}
	dko_buf_put_json_str(b, u.ptr, u.len);
	dko_buf_release(&u);
}

static void sarif_fix(dko_buf *b, const dko_finding *x, const hunk *h, size_t nh)
{
	for (size_t i = 0; i < nh; i++) {
		unsigned a = h[i].old_start, e = h[i].old_start + (h[i].old_len ? h[i].old_len - 1 : 0);
		if (h[i].old_len == 0)
			a = e = h[i].old_start + 1;
		if (x->line > e || x->end_line < a)
			continue;
		dko_buf inserted = DKO_BUF_INIT;
		for (const char *p = h[i].body; p < h[i].body + h[i].body_len;) {
			const char *nl = memchr(p, '\n', (size_t)(h[i].body + h[i].body_len - p));
			size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(h[i].body + h[i].body_len - p);
			const char *next = p + len;
			bool no_eol = next < h[i].body + h[i].body_len && *next == '\\';
			if (*p == ' ' || *p == '+')
				dko_buf_put(&inserted, p + 1, len - 1 - (no_eol && p[len - 1] == '\n'));
			p += len;
		}
		dko_buf_puts(b, ",\"fixes\":[{\"description\":{\"text\":");
		dko_buf_put_json_str(b, x->message, strlen(x->message));
		dko_buf_puts(b, "},\"artifactChanges\":[{\"artifactLocation\":{\"uri\":");
		sarif_uri(b, x->file);
		dko_buf_printf(b, "},\"replacements\":[{\"deletedRegion\":{\"startLine\":%u,\"startColumn\":1,"
		                  "\"endLine\":%u,\"endColumn\":1},\"insertedContent\":{\"text\":",
		               a, h[i].old_len ? e + 1 : a);
		dko_buf_put_json_str(b, dko_buf_cstr(&inserted), inserted.len);
		dko_buf_puts(b, "}}]}]}]");
		dko_buf_release(&inserted);
		return;
	}
}

static void sarif_rules(dko_buf *b)
{
	for (size_t i = 0; i < dko_rule_count(); i++) {
		const dko_rule_info *r = dko_rule_at(i);
		dko_buf_puts(b, i ? ",{" : "{");
		json_kv_str(b, "id", r->id, false);
		dko_buf_puts(b, ",\"shortDescription\":{\"text\":");
		dko_buf_put_json_str(b, r->title, strlen(r->title));
		dko_buf_puts(b, "},\"fullDescription\":{\"text\":");
		dko_buf_put_json_str(b, r->explain, strlen(r->explain));
		dko_buf_puts(b, "},\"properties\":{");
		json_kv_str(b, "tier", tier_name(r->tier), false);
		json_kv_str(b, "hadolint", r->hadolint, true);
		dko_buf_puts(b, "}}");
	}
}

void dko_report_sarif(dko_buf *b, const dko_report_file *files, size_t n)
{
	dko_buf_puts(b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	                "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"dockopt\","
	                "\"informationUri\":\"https://github.com/dockopt/dockopt\",\"version\":\"");
	dko_buf_puts(b, DKO_VERSION);
	dko_buf_puts(b, "\",\"rules\":[");
	sarif_rules(b);
	dko_buf_puts(b, "]}},\"results\":[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (files[i].error)
			continue;
		hunk *h = NULL;
		size_t nh = files[i].diff ? parse_hunks(files[i].diff, &h) : 0;
		for (size_t k = 0; k < dko_fix_finding_count(files[i].result); k++) {
			const dko_finding *x = dko_fix_finding(files[i].result, k);
			dko_buf_puts(b, first ? "{" : ",{");
			first = false;
			json_kv_str(b, "ruleId", x->rule, false);
			dko_buf_printf(b, ",\"level\":\"%s\",\"message\":{\"text\":",
			               x->applied ? "warning" : "note");
			dko_buf_put_json_str(b, x->message, strlen(x->message));
			dko_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
			sarif_uri(b, x->file);
			dko_buf_printf(b, "},\"region\":{\"startLine\":%u,\"startColumn\":%u,\"endLine\":%u}}}]",
			               x->line, x->col, x->end_line);
			dko_buf_printf(b, ",\"properties\":{\"applied\":%s,\"tier\":\"%s\"",
			               x->applied ? "true" : "false", tier_name(x->tier));
			if (x->hadolint)
				json_kv_str(b, "hadolint", x->hadolint, true);
			dko_buf_putc(b, '}');
			if (x->applied)
				sarif_fix(b, x, h, nh);
			dko_buf_putc(b, '}');
		}
		free(h);
	}
	/* Files that could not be read or parsed: the run did not succeed. */
	dko_buf_puts(b, "],\"invocations\":[{\"executionSuccessful\":");
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= files[i].error != NULL;
	dko_buf_puts(b, any ? "false" : "true");
	dko_buf_puts(b, ",\"toolExecutionNotifications\":[");
	first = true;
	for (size_t i = 0; i < n; i++) {
		if (!files[i].error)
			continue;
		dko_buf_puts(b, first ? "{" : ",{");
		first = false;
		dko_buf_puts(b, "\"level\":\"error\",\"message\":{\"text\":");
		dko_buf_put_json_str(b, files[i].error, strlen(files[i].error));
		dko_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
		sarif_uri(b, files[i].path);
		dko_buf_puts(b, "}}}]}");
	}
	dko_buf_puts(b, "]}]}]}\n");
}

/* ---- Markdown ------------------------------------------------------------------- */

/* s as the text of a table cell: '|' escaped, line breaks as spaces, HTML
 * characters as entities (a message must not open a tag in the body). */
static void md_cell(dko_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '|': dko_buf_puts(b, "\\|"); break;
		case '<': dko_buf_puts(b, "&lt;"); break;
		case '>': dko_buf_puts(b, "&gt;"); break;
		case '&': dko_buf_puts(b, "&amp;"); break;
		case '\n':
		case '\r': dko_buf_putc(b, ' '); break;
		default: dko_buf_putc(b, *s);
		}
	}
}

/* s as inline code: a backtick fence longer than any run inside it. */
static void md_code(dko_buf *b, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	for (size_t i = 0; i <= longest; i++)
		dko_buf_putc(b, '`');
	dko_buf_printf(b, "%s%s%s", longest ? " " : "", s, longest ? " " : "");
	for (size_t i = 0; i <= longest; i++)
		dko_buf_putc(b, '`');
}

static void md_rule(dko_buf *b, const dko_finding *x)
{
	md_code(b, x->rule);
	if (x->hadolint)
		dko_buf_printf(b, " (%s)", x->hadolint);
	if (x->tier == DKO_TIER_AGGRESSIVE)
		dko_buf_puts(b, ", aggressive");
}

static void md_changes(dko_buf *b, const dko_fix_result *r)
{
	dko_buf_puts(b, "| line | rule | change | why |\n| ---: | --- | --- | --- |\n");
	for (size_t k = 0; k < dko_fix_finding_count(r); k++) {
		const dko_finding *x = dko_fix_finding(r, k);
		if (!x->applied)
			continue;
		dko_buf_printf(b, "| %u | ", x->line);
		md_rule(b, x);
		dko_buf_puts(b, " | ");
		md_cell(b, x->message);
		dko_buf_puts(b, " | ");
		md_cell(b, x->reason);
		dko_buf_puts(b, " |\n");
	}
}

static void md_suggestions(dko_buf *b, const dko_fix_result *r)
{
	bool first = true;
	for (size_t k = 0; k < dko_fix_finding_count(r); k++) {
		const dko_finding *x = dko_fix_finding(r, k);
		if (x->applied)
			continue;
		if (first)
			dko_buf_puts(b, "\nSuggestions, not applied (dockopt could not show them safe):\n\n");
		first = false;
		dko_buf_printf(b, "- line %u, ", x->line);
		md_rule(b, x);
		dko_buf_puts(b, ": ");
		md_cell(b, x->message);
		dko_buf_putc(b, '\n');
	}
}

static void md_file(dko_buf *b, const dko_report_file *f)
{
	dko_buf_puts(b, "### ");
	md_code(b, f->path);
	dko_buf_puts(b, "\n\n");
	if (f->error) {
		dko_buf_puts(b, "Not processed: ");
		md_cell(b, f->error);
		dko_buf_puts(b, "\n\n");
		return;
	}
	size_t before, after;
	dko_fix_run_counts(f->result, &before, &after);
	if (dko_fix_applied_count(f->result))
		md_changes(b, f->result);
	dko_buf_printf(b, "\nRUN instructions: %zu before, %zu after", before, after);
	if (before > after)
		dko_buf_printf(b, " (%zu layer%s removed)", before - after, before - after == 1 ? "" : "s");
	dko_buf_puts(b, ".\n");
	md_suggestions(b, f->result);
	dko_buf_putc(b, '\n');
}

/* The diff of every file in one collapsed block (empty when no diff). */
static void md_diff(dko_buf *b, const dko_report_file *files, size_t n)
{
	dko_buf diff = DKO_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		if (!files[i].error && files[i].diff)
			dko_buf_puts(&diff, files[i].diff);
	if (diff.len == 0)
		return;
	size_t run = 0, longest = 2; /* a fence longer than any backtick run inside */
	for (size_t i = 0; i < diff.len; i++) {
		run = diff.ptr[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	dko_buf_puts(b, "<details>\n<summary>Diff</summary>\n\n");
	for (size_t i = 0; i <= longest; i++)
		dko_buf_putc(b, '`');
	dko_buf_puts(b, "diff\n");
	dko_buf_put(b, diff.ptr, diff.len);
	if (diff.ptr[diff.len - 1] != '\n')
		dko_buf_putc(b, '\n');
	for (size_t i = 0; i <= longest; i++)
		dko_buf_putc(b, '`');
	dko_buf_puts(b, "\n\n</details>\n");
	dko_buf_release(&diff);
}

/* Room kept for the closing notes when the output is bounded. */
#define MD_NOTE_ROOM 256

void dko_report_markdown(dko_buf *b, const dko_report_file *files, size_t n, size_t max_len)
{
	size_t start = b->len, omitted = 0;
	size_t limit = max_len > MD_NOTE_ROOM ? max_len - MD_NOTE_ROOM : max_len ? 1 : SIZE_MAX;
	dko_buf sec = DKO_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const dko_report_file *f = &files[i];
		if (!f->error && !dko_fix_edit_count(f->result) && !dko_fix_finding_count(f->result))
			continue;
		dko_buf_clear(&sec);
		md_file(&sec, f);
		if (omitted || b->len - start + sec.len > limit)
			omitted++;
		else
			dko_buf_put(b, sec.ptr, sec.len);
	}
	if (omitted)
		dko_buf_printf(b, "...and %zu more file%s, left out to keep this short (the commit "
		                  "message lists every change).\n\n",
		               omitted, omitted == 1 ? "" : "s");
	dko_buf_clear(&sec);
	md_diff(&sec, files, n);
	if (sec.len && (omitted || b->len - start + sec.len > limit))
		dko_buf_printf(b, "The diff (%zu bytes) is too long to show here; see the commit.\n",
		               sec.len);
	else
		dko_buf_put(b, sec.ptr, sec.len);
	dko_buf_release(&sec);
}
