/*
 * cmd_fix.c - `dockopt fix [OPTIONS] [PATH...]`, the one-shot front end.
 *
 * PATHs are files (taken whatever their name), folders (searched for
 * Dockerfiles) or '-' for stdin; none means the current folder. Stdout
 * carries one artefact: the rewritten file (one file, no other output
 * option), else the unified diff; findings go to stderr as text unless
 * --format json|sarif puts them on stdout instead. Every file is processed
 * even when one fails; the exit code is the worst: 2 for an error, 1 for
 * changes under --check (suggestions never count), else 0.
 */
#include "cmd.h"
#include "config.h"
#include "diff.h"
#include "discover.h"
#include "dockopt/fix.h"
#include "fixverify.h"
#include "report.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/vec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fix_cli {
	bool write, diff, check, aggressive, no_config, quiet;
	const char *format; /* text, json, sarif */
	const char *context;
	const char *config_path;
	cstrvec targets, build_args, secrets, paths;
	cmd_rule_opts rules;
	/* --verify: aggressive rewrites are kept only when real builds prove them */
	bool verify, no_rebuild;
	const char *engine, *smoke;
	cstrvec engine_args;
	dko_fix_verifier *verifier;
} fix_cli;

typedef struct processed {
	char *path;
	char *input;
	size_t input_len;
	dko_fix_result *result;
	dko_config *config;
	char *error;
	char *diff;
	bool from_stdin;
} processed;

static const char usage_text[] =
	"usage: dockopt fix [OPTIONS] [PATH...]\n"
	"\n"
	"Rewrite Dockerfiles so images are smaller, have fewer layers and rebuild\n"
	"faster, keeping what the image does. PATH is a file, a folder (searched for\n"
	"Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile) or - for stdin.\n"
	"\n"
	"  -w, --write          rewrite the files in place (atomically)\n"
	"      --diff           print a unified diff\n"
	"      --check          print what would change; exit 1 if anything would\n"
	"      --format FMT     findings as text (stderr), json or sarif (stdout)\n"
	"      --select RULES   only these rules (comma-separated ids or hadolint ids)\n"
	"      --ignore RULES   never these rules\n"
	"      --aggressive     also run aggressive rules (they change what gets installed)\n"
	"      --verify         run aggressive rules, and keep each of their rewrites only when\n"
	"                       building the original and the rewrite proves it (dockopt verify)\n"
	"      --engine E       with --verify: docker, podman or buildah (default: the first found)\n"
	"      --engine-arg A   with --verify: a global engine argument (repeatable)\n"
	"      --smoke CMD      with --verify: run CMD instead of the image's command\n"
	"      --no-rebuild     with --verify: do not measure rebuilds\n"
	"      --context DIR    the build context (default: the Dockerfile's folder)\n"
	"      --target STAGE   a stage that is built (repeatable; default: the last)\n"
	"      --build-arg K=V  a build argument (repeatable)\n"
	"      --secret SPEC    a build secret, as docker build takes it (repeatable)\n"
	"      --config FILE    use this .dockopt.yml (default: searched upward)\n"
	"      --no-config      ignore .dockopt.yml files\n"
	"  -q, --quiet          no findings on stderr\n"
	"\n"
	"Exit: 0 nothing to change or success, 1 changes found (--check), 2 error.\n";

static int parse_args(fix_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			exit(EXIT_CLEAN);
		} else if (!strcmp(a, "-w") || !strcmp(a, "--write")) {
			c->write = true;
		} else if (!strcmp(a, "--diff")) {
			c->diff = true;
		} else if (!strcmp(a, "--check")) {
			c->check = true;
		} else if (!strcmp(a, "--aggressive")) {
			c->aggressive = true;
		} else if (!strcmp(a, "--verify")) {
			c->verify = true;
		} else if (!strcmp(a, "--no-rebuild")) {
			c->no_rebuild = true;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--engine")) {
			c->engine = val;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--engine-arg")) {
			DKO_VEC_PUSH(&c->engine_args, val);
		} else if (cmd_opt_value(&val, argc, argv, &i, "--smoke")) {
			c->smoke = val;
		} else if (!strcmp(a, "--no-config")) {
			c->no_config = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			c->quiet = true;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--format")) {
			c->format = val;
		} else if (cmd_rule_opt(&c->rules, argc, argv, &i)) {
			continue;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--context")) {
			c->context = val;
		} else if (cmd_opt_value(&val, argc, argv, &i, "--target")) {
			DKO_VEC_PUSH(&c->targets, val);
		} else if (cmd_opt_value(&val, argc, argv, &i, "--build-arg")) {
			DKO_VEC_PUSH(&c->build_args, val);
		} else if (cmd_opt_value(&val, argc, argv, &i, "--secret")) {
			DKO_VEC_PUSH(&c->secrets, val);
		} else if (cmd_opt_value(&val, argc, argv, &i, "--config")) {
			c->config_path = val;
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				DKO_VEC_PUSH(&c->paths, argv[i]);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "dockopt fix: unknown or incomplete option '%s'\n%s", a, usage_text);
			return -1;
		} else {
			DKO_VEC_PUSH(&c->paths, a);
		}
	}
	if (strcmp(c->format, "text") && strcmp(c->format, "json") && strcmp(c->format, "sarif")) {
		fprintf(stderr, "dockopt fix: --format must be text, json or sarif\n");
		return -1;
	}
	if (cmd_rule_check(&c->rules, "fix"))
		return -1;
	struct stat st;
	if (c->context && *c->context && (stat(c->context, &st) != 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "dockopt fix: --context %s: not a folder\n", c->context);
		return -1;
	}
	if (c->config_path && stat(c->config_path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "dockopt fix: --config %s: a folder, not a .dockopt.yml file\n", c->config_path);
		return -1;
	}
	if (c->write && !strcmp(c->format, "text") && c->diff) {
		/* --write --diff: write and show the diff; fine. */
	}
	return 0;
}

static int load_config(fix_cli *c, const char *file, dko_config **out, char **err)
{
	*out = NULL;
	if (c->no_config)
		return 0;
	char *path = NULL;
	if (c->config_path) {
		path = dko_xstrdup(c->config_path);
	} else {
		char *dir = file ? dko_fs_dirname(file) : dko_xstrdup(".");
		dko_config_find(&path, dir);
		free(dir);
	}
	if (!path)
		return 0;
	int rc = dko_config_load(out, path);
	free(path);
	if (rc) {
		*err = dko_xstrdup(dko_error_last());
		return rc;
	}
	return 0;
}

static char *diff_of(fix_cli *c, const processed *p);

/* What the verifier needs while one file is fixed. */
typedef struct verify_setup {
	char *context, *dockerfile_rel;
} verify_setup;

/* The Dockerfile's path relative to the context when it lies inside it. */
static char *rel_in(const char *file, const char *dir)
{
	char *f = realpath(file, NULL), *d = realpath(dir, NULL), *rel = NULL;
	size_t n = d ? strlen(d) : 0;
	if (f && d && !strcmp(d, "/"))
		rel = dko_xstrdup(f + 1);
	else if (f && d && !strncmp(f, d, n) && f[n] == '/')
		rel = dko_xstrdup(f + n + 1);
	free(f);
	free(d);
	return rel;
}

/* --verify: the hook in o, the verifier pointed at this file's build. */
static bool verify_prepare(fix_cli *c, processed *p, verify_setup *vs, dko_fix_opts *o)
{
	if (p->from_stdin) {
		p->error = dko_xstrdup("<stdin>: error: --verify needs a file and its build context");
		return false;
	}
	o->aggressive = true;
	o->verify = dko_fix_verifier_hook;
	o->verify_ctx = c->verifier;
	vs->context = c->context ? dko_xstrdup(c->context) : dko_fs_dirname(p->path);
	vs->dockerfile_rel = rel_in(p->path, vs->context);
	dko_fix_verify_cfg cfg = {0};
	cfg.context_dir = vs->context;
	cfg.dockerfile_rel = vs->dockerfile_rel;
	cfg.targets = c->targets.items;
	cfg.ntargets = c->targets.len;
	cfg.build_args = c->build_args.items;
	cfg.nbuild_args = c->build_args.len;
	cfg.secrets = c->secrets.items;
	cfg.nsecrets = c->secrets.len;
	cfg.engine = c->engine;
	cfg.engine_args = c->engine_args.items;
	cfg.nengine_args = c->engine_args.len;
	cfg.smoke = c->smoke;
	cfg.no_rebuild = c->no_rebuild;
	dko_fix_verifier_configure(c->verifier, &cfg);
	return true;
}

static void verify_release(verify_setup *vs)
{
	free(vs->context);
	free(vs->dockerfile_rel);
}

static void process(fix_cli *c, processed *p)
{
	int rc = 0;
	if (p->from_stdin) {
		dko_buf b = DKO_BUF_INIT;
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			dko_buf_put(&b, chunk, n);
		p->input = dko_buf_detach(&b, &p->input_len);
	} else {
		struct stat st;
		if (stat(p->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			dko_buf m = DKO_BUF_INIT;
			dko_buf_printf(&m, "%s:1:1: error: is a directory, not a Dockerfile", p->path);
			p->error = dko_buf_detach(&m, NULL);
			return;
		}
		rc = dko_fs_read_file(&p->input, &p->input_len, p->path);
		if (rc) {
			dko_buf m = DKO_BUF_INIT;
			dko_buf_printf(&m, "%s:1:1: error: cannot read the file: %s", p->path,
			               rc == DKO_ENOTFOUND ? "No such file or directory" : dko_error_last());
			p->error = dko_buf_detach(&m, NULL);
			return;
		}
	}
	if (load_config(c, p->from_stdin ? NULL : p->path, &p->config, &p->error))
		return;
	dko_fix_opts o = {0};
	o.path = p->from_stdin ? "<stdin>" : p->path;
	o.context_dir = c->context ? c->context : p->from_stdin ? "" : NULL;
	o.targets = c->targets.items;
	o.ntargets = c->targets.len;
	o.build_args = c->build_args.items;
	o.nbuild_args = c->build_args.len;
	o.secrets = c->secrets.items;
	o.nsecrets = c->secrets.len;
	o.aggressive = c->aggressive;
	o.select = c->rules.have_select ? c->rules.select.items : NULL;
	o.nselect = c->rules.select.len;
	o.ignore = c->rules.ignore.items;
	o.nignore = c->rules.ignore.len;
	o.config = p->config;
	verify_setup vs = {0};
	if (c->verify && !verify_prepare(c, p, &vs, &o))
		return;
	rc = dko_fix(&p->result, p->input, p->input_len, &o);
	verify_release(&vs);
	if (rc) {
		p->error = dko_xstrdup(dko_error_last());
		dko_fix_result_free(p->result);
		p->result = NULL;
		return;
	}
	p->diff = diff_of(c, p);
}

/* Where a pass's extra file goes: relative to the context folder. */
static char *edit_target(fix_cli *c, const processed *p, const dko_file_edit *e);

/* The unified diff of a file's edits (paths as the user gave them). */
static char *diff_of(fix_cli *c, const processed *p)
{
	size_t ne = dko_fix_edit_count(p->result);
	dko_buf d = DKO_BUF_INIT;
	if (ne == 0)
		return dko_buf_detach(&d, NULL);
	dko_diff_file *files = dko_xcalloc(ne, sizeof(*files));
	char **paths = dko_xcalloc(ne, sizeof(char *));
	for (size_t i = 0; i < ne; i++) {
		const dko_file_edit *e = dko_fix_edit(p->result, i);
		paths[i] = p->from_stdin && e->old_text ? dko_xstrdup("Dockerfile") : edit_target(c, p, e);
		files[i].path = paths[i];
		while (files[i].path[0] == '.' && files[i].path[1] == '/')
			files[i].path += 2;
		files[i].before = e->old_text;
		files[i].before_len = e->old_len;
		files[i].after = e->new_text;
		files[i].after_len = e->new_len;
	}
	if (dko_diff_unified(&d, NULL, files, ne, DKO_DIFF_CONTEXT) != 0)
		fprintf(stderr, "dockopt fix: %s\n", dko_error_last());
	for (size_t i = 0; i < ne; i++)
		free(paths[i]);
	free(paths);
	free(files);
	return dko_buf_detach(&d, NULL);
}

static char *edit_target(fix_cli *c, const processed *p, const dko_file_edit *e)
{
	if (e->old_text)
		return dko_xstrdup(p->path);
	char *dir = c->context ? dko_xstrdup(c->context) : dko_fs_dirname(p->path);
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b, "%s/%s", dir, e->path);
	free(dir);
	return dko_buf_detach(&b, NULL);
}

/* Write every edit of one file's result, all or nothing: new files (the
 * .dockerignore) first, then the rewritten Dockerfile; when a later write
 * fails, the new files written before it are removed again. Each write is
 * atomic (temporary file, fsync, rename; the mode is kept). */
static int write_edits(fix_cli *c, processed *p)
{
	size_t ne = dko_fix_edit_count(p->result);
	char **made = dko_xcalloc(ne + 1, sizeof(char *));
	size_t nmade = 0;
	int rc = EXIT_CLEAN;
	for (int pass = 0; pass < 2 && rc == EXIT_CLEAN; pass++) {
		for (size_t i = 0; i < ne && rc == EXIT_CLEAN; i++) {
			const dko_file_edit *e = dko_fix_edit(p->result, i);
			bool fresh = e->old_text == NULL;
			if (fresh != (pass == 0))
				continue;
			char *target = edit_target(c, p, e);
			if (dko_fs_write_atomic(target, e->new_text, e->new_len)) {
				fprintf(stderr, "dockopt fix: %s\n", dko_error_last());
				free(target);
				rc = EXIT_FAIL;
			} else if (fresh) {
				made[nmade++] = target;
			} else {
				free(target);
			}
		}
	}
	for (size_t i = 0; i < nmade; i++) {
		if (rc != EXIT_CLEAN && unlink(made[i]) == 0)
			fprintf(stderr, "dockopt fix: removed %s again: the rest of the fix could not be written\n",
			        made[i]);
		free(made[i]);
	}
	free(made);
	return rc;
}

/* Returns how many folders held no Dockerfile (each reported). */
static int collect_paths(fix_cli *c, dko_strlist *files, bool *multi)
{
	int empty = 0;
	if (c->paths.len == 0)
		DKO_VEC_PUSH(&c->paths, ".");
	for (size_t i = 0; i < c->paths.len; i++) {
		const char *a = c->paths.items[i];
		struct stat st;
		if (strcmp(a, "-") && stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
			dko_config *cfg = NULL;
			char *err = NULL;
			if (!c->no_config) {
				char *cp = NULL;
				if (c->config_path)
					cp = dko_xstrdup(c->config_path);
				else
					dko_config_find(&cp, a);
				if (cp && dko_config_load(&cfg, cp) != 0)
					cfg = NULL; /* reported when a file is processed */
				free(cp);
			}
			size_t before = files->len;
			dko_discover(files, a, cfg);
			if (files->len == before) {
				fprintf(stderr, "dockopt fix: %s: no Dockerfile found (names: Dockerfile, Dockerfile.*, "
				        "*.Dockerfile, Containerfile)\n", a);
				empty++;
			}
			dko_config_free(cfg);
			free(err);
			*multi = true;
		} else {
			DKO_VEC_PUSH(files, dko_xstrdup(a));
		}
	}
	if (files->len > 1)
		*multi = true;
	return empty;
}

static int emit(fix_cli *c, processed *ps, size_t n, bool multi)
{
	int rc = EXIT_CLEAN;
	bool text = !strcmp(c->format, "text");
	bool show_diff = c->diff || c->check || multi;
	for (size_t i = 0; i < n; i++) {
		processed *p = &ps[i];
		if (p->error) {
			rc = EXIT_FAIL;
			continue;
		}
		size_t ne = dko_fix_edit_count(p->result);
		if (c->write && ne && !p->from_stdin && write_edits(c, p) != EXIT_CLEAN)
			rc = EXIT_FAIL;
		if (c->check && ne && rc < EXIT_CHANGES)
			rc = EXIT_CHANGES;
		if (!text)
			continue;
		if (show_diff && !(c->write && !c->diff)) {
			fputs(p->diff ? p->diff : "", stdout);
		} else if (!c->write || p->from_stdin) {
			/* The rewritten file itself (or the input when nothing changed). */
			const dko_file_edit *e = ne ? dko_fix_edit(p->result, 0) : NULL;
			if (e && e->old_text)
				cmd_write_all(stdout, e->new_text, e->new_len);
			else
				cmd_write_all(stdout, p->input, p->input_len);
		}
	}
	fflush(stdout);
	return rc;
}

static void report(fix_cli *c, processed *ps, size_t n)
{
	dko_report_file *rf = dko_xcalloc(n + 1, sizeof(*rf));
	char **dirs = dko_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		rf[i].path = ps[i].path;
		rf[i].result = ps[i].result;
		rf[i].error = ps[i].error;
		rf[i].diff = ps[i].diff;
		dirs[i] = c->context ? dko_xstrdup(c->context) : dko_fs_dirname(ps[i].path);
		rf[i].new_file_dir = dirs[i];
	}
	if (!strcmp(c->format, "text")) {
		if (c->quiet) {
			for (size_t i = 0; i < n; i++)
				if (rf[i].error)
					fprintf(stderr, "%s\n", rf[i].error);
		} else {
			dko_report_text(stderr, rf, n);
		}
		if (!c->quiet && c->verifier && dko_fix_verifier_count(c->verifier)) {
			dko_buf b = DKO_BUF_INIT;
			dko_fix_verifier_text(&b, c->verifier);
			fputs(dko_buf_cstr(&b), stderr);
			dko_buf_release(&b);
		}
	} else {
		dko_buf b = DKO_BUF_INIT, extra = DKO_BUF_INIT;
		if (c->verifier) {
			dko_buf_puts(&extra, "\"verify\":");
			dko_fix_verifier_json(&extra, c->verifier);
		}
		if (!strcmp(c->format, "json"))
			dko_report_json(&b, rf, n, c->verifier ? extra.ptr : NULL);
		else
			dko_report_sarif(&b, rf, n);
		cmd_write_all(stdout, b.ptr, b.len);
		dko_buf_release(&b);
		dko_buf_release(&extra);
		for (size_t i = 0; i < n; i++)
			if (rf[i].error)
				fprintf(stderr, "%s\n", rf[i].error);
	}
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	free(rf);
}

static void free_cli(fix_cli *c)
{
	cmd_rule_opts_free(&c->rules);
	DKO_VEC_FREE(&c->targets);
	DKO_VEC_FREE(&c->build_args);
	DKO_VEC_FREE(&c->secrets);
	DKO_VEC_FREE(&c->paths);
	DKO_VEC_FREE(&c->engine_args);
}

int cmd_fix(int argc, char **argv)
{
	fix_cli c = {0};
	c.format = "text";
	if (parse_args(&c, argc, argv) != 0) {
		free_cli(&c); /* a usage error exits 2, also under LeakSanitizer */
		return EXIT_FAIL;
	}
	dko_strlist files = {0};
	bool multi = false;
	int empty = collect_paths(&c, &files, &multi);
	if (c.verify)
		dko_fix_verifier_new(&c.verifier);
	processed *ps = dko_xcalloc(files.len + 1, sizeof(*ps));
	for (size_t i = 0; i < files.len; i++) {
		ps[i].path = files.items[i];
		ps[i].from_stdin = !strcmp(files.items[i], "-");
		process(&c, &ps[i]);
	}
	int rc = emit(&c, ps, files.len, multi);
	if (empty)
		rc = EXIT_FAIL;
	report(&c, ps, files.len);
	if (c.verifier && dko_fix_verifier_had_error(c.verifier)) {
		for (size_t i = 0; i < dko_fix_verifier_count(c.verifier); i++) {
			const dko_fix_verification *v = dko_fix_verifier_at(c.verifier, i);
			if (v->error)
				fprintf(stderr, "dockopt fix: verify of %s could not run: %s\n", v->path, v->error);
		}
		rc = EXIT_FAIL;
	}
	dko_fix_verifier_free(c.verifier);
	for (size_t i = 0; i < files.len; i++) {
		if (ps[i].error && rc < EXIT_FAIL)
			rc = EXIT_FAIL;
		dko_fix_result_free(ps[i].result);
		dko_config_free(ps[i].config);
		free(ps[i].input);
		free(ps[i].error);
		free(ps[i].diff);
	}
	free(ps);
	dko_strlist_free(&files);
	free_cli(&c);
	return rc;
}
