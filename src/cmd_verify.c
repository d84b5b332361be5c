/*
 * cmd_verify.c - `dockopt verify`: build the original and the rewritten
 * Dockerfile with a container engine and compare the images (src/verify.h).
 * Exit 0 when the rewrite is proven, 1 on a mismatch, 2 on a usage, input or
 * engine error.
 */
#include "cmd.h"
#include "config.h"
#include "dockopt/common.h"
#include "dockopt/fix.h"
#include "util/alloc.h"
#include "util/fsutil.h"
#include "util/buf.h"
#include "util/vec.h"
#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: dockopt verify [options] [--rewritten FILE2] FILE\n"
	"\n"
	"Build FILE and its rewrite FILE2 for real, compare the images (declared\n"
	"configuration, size, layers, build and rebuild time, the result of running\n"
	"them) and say whether the rewrite behaves the same. Without --rewritten, the\n"
	"rewrite is what `dockopt fix --aggressive` makes of FILE (nothing to verify,\n"
	"exit 0, when it changes nothing).\n"
	"\n"
	"  --rewritten FILE2     the rewritten Dockerfile\n"
	"  --config FILE         .dockopt.yml for the rewrite (default: searched upward)\n"
	"  --no-config           ignore .dockopt.yml files\n"
	"  --context DIR         build context (default: FILE's folder)\n"
	"  --target T            stage to build and compare (repeatable; default: the last)\n"
	"  --build-arg K=V       build argument (repeatable)\n"
	"  --secret SPEC         build secret, e.g. id=tok,src=/path (repeatable)\n"
	"  --engine E            docker, podman or buildah (default: the first found)\n"
	"  --engine-arg ARG      global engine argument, e.g. --root=/x (repeatable)\n"
	"  --smoke CMD           run CMD (sh -c, or a JSON array) instead of the image's command\n"
	"  --timeout SECS        limit for each run of an image (default 30)\n"
	"  --build-timeout SECS  limit for each build (default 3600)\n"
	"  --touch REL           file of the context changed before the rebuild (default: a\n"
	"                        source file dockopt picks)\n"
	"  --no-rebuild          do not measure rebuilds\n"
	"  --log-dir DIR         keep the build logs there\n"
	"  --keep-images         do not remove the images built\n"
	"  --format text|json    output (default text)\n"
	"\n"
	"Exit status: 0 the rewrite is verified, 1 a mismatch was found, 2 error.\n";

typedef DKO_VEC(const char *) strvec;

typedef struct verify_args {
	const char *file, *rewritten, *context, *format, *config;
	bool no_config;
	strvec targets, build_args, secrets, engine_args;
	dko_verify_opts opts;
} verify_args;

static int parse_secs(unsigned *out, const char *opt, const char *v)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || !*v || n == 0 || n > 86400 * 7) {
		fprintf(stderr, "dockopt verify: %s: expected a number of seconds, got '%s'\n", opt, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* "--name value" or "--name=value"; *i advances past what was used. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* Options with a value; 1 when argv[*i] was one of them, -1 on a bad value. */
static int take_value(verify_args *a, int argc, char **argv, int *i)
{
	const char *v;
	if ((v = opt_value(argc, argv, i, "--rewritten")))
		a->rewritten = v;
	else if ((v = opt_value(argc, argv, i, "--context")))
		a->context = v;
	else if ((v = opt_value(argc, argv, i, "--target")))
		DKO_VEC_PUSH(&a->targets, v);
	else if ((v = opt_value(argc, argv, i, "--build-arg")))
		DKO_VEC_PUSH(&a->build_args, v);
	else if ((v = opt_value(argc, argv, i, "--secret")))
		DKO_VEC_PUSH(&a->secrets, v);
	else if ((v = opt_value(argc, argv, i, "--engine-arg")))
		DKO_VEC_PUSH(&a->engine_args, v);
	else if ((v = opt_value(argc, argv, i, "--engine")))
		a->opts.engine = v;
	else if ((v = opt_value(argc, argv, i, "--smoke")))
		a->opts.smoke = v;
	else if ((v = opt_value(argc, argv, i, "--touch")))
		a->opts.touch = v;
	else if ((v = opt_value(argc, argv, i, "--log-dir")))
		a->opts.log_dir = v;
	else if ((v = opt_value(argc, argv, i, "--format")))
		a->format = v;
	else if ((v = opt_value(argc, argv, i, "--config")))
		a->config = v;
	else if ((v = opt_value(argc, argv, i, "--timeout")))
		return parse_secs(&a->opts.run_timeout_secs, "--timeout", v) ? -1 : 1;
	else if ((v = opt_value(argc, argv, i, "--build-timeout")))
		return parse_secs(&a->opts.build_timeout_secs, "--build-timeout", v) ? -1 : 1;
	else
		return 0;
	return 1;
}

/* 0 ok, EXIT_CLEAN for --help (already printed), EXIT_FAIL on a usage error. */
static int parse_args(verify_args *a, int argc, char **argv, bool *help)
{
	for (int i = 1; i < argc; i++) {
		int took = take_value(a, argc, argv, &i);
		if (took < 0)
			return EXIT_FAIL;
		if (took)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			*help = true;
			return 0;
		} else if (!strcmp(argv[i], "--no-rebuild")) {
			a->opts.touch = "";
		} else if (!strcmp(argv[i], "--keep-images")) {
			a->opts.keep_images = true;
		} else if (!strcmp(argv[i], "--no-config")) {
			a->no_config = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "dockopt verify: unknown option or missing value: %s\n", argv[i]);
			return EXIT_FAIL;
		} else if (!a->file) {
			a->file = argv[i];
		} else {
			fprintf(stderr, "dockopt verify: one FILE only\n");
			return EXIT_FAIL;
		}
	}
	if (!a->file) {
		fprintf(stderr, "dockopt verify: FILE is missing\n%s", usage_text);
		return EXIT_FAIL;
	}
	if (strcmp(a->format, "text") && strcmp(a->format, "json")) {
		fprintf(stderr, "dockopt verify: --format must be text or json\n");
		return EXIT_FAIL;
	}
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "dockopt verify: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	dko_buf b = DKO_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		dko_buf_put(&b, chunk, n);
	bool bad = ferror(fp);
	fclose(fp);
	if (bad) {
		fprintf(stderr, "dockopt verify: %s: read error\n", path);
		dko_buf_release(&b);
		return NULL;
	}
	dko_buf_puts(&b, "");
	return dko_buf_detach(&b, len);
}

/* FILE's path relative to the context when it lies inside it, else NULL. */
static char *dockerfile_in_context(const char *file, const char *context)
{
	char *f = realpath(file, NULL), *c = realpath(context, NULL), *rel = NULL;
	size_t n = c ? strlen(c) : 0;
	if (f && c && !strncmp(f, c, n) && f[n] == '/')
		rel = dko_xstrdup(f + n + 1);
	else if (f && c && !strcmp(c, "/"))
		rel = dko_xstrdup(f + 1);
	free(f);
	free(c);
	return rel;
}

static int report(const dko_verify_result *r, const char *format)
{
	dko_buf out = DKO_BUF_INIT;
	if (!strcmp(format, "json"))
		dko_verify_format_json(&out, r);
	else
		dko_verify_format_text(&out, r);
	int rc = cmd_write_all(stdout, out.ptr, out.len) == 0 ? (r->passed ? EXIT_CLEAN : EXIT_CHANGES)
	                                                      : EXIT_FAIL;
	dko_buf_release(&out);
	return rc;
}

/* The .dockopt.yml that applies (--config, else found upward), or NULL;
 * -1 after reporting a bad one. */
static int verify_config(const verify_args *a, dko_config **out)
{
	char *path = NULL;
	*out = NULL;
	if (a->no_config)
		return 0;
	if (a->config) {
		path = dko_xstrdup(a->config);
	} else {
		char *dir = dko_fs_dirname(a->file);
		dko_config_find(&path, dir);
		free(dir);
	}
	int rc = path && dko_config_load(out, path) != 0 ? -1 : 0;
	if (rc)
		cmd_report("verify");
	free(path);
	return rc;
}

/* The Dockerfile's new text among the edits (malloc'd), or NULL; says on
 * stderr which rules made it. */
static char *rewritten_text(const dko_fix_result *res, const char *file, size_t *rlen)
{
	char *out = NULL;
	for (size_t i = 0; !out && i < dko_fix_edit_count(res); i++) {
		const dko_file_edit *e = dko_fix_edit(res, i);
		if (e->old_text) {
			out = dko_xstrndup(e->new_text, e->new_len);
			*rlen = e->new_len;
		}
	}
	if (!out)
		fprintf(stderr, "dockopt verify: %s: `dockopt fix --aggressive` changes nothing: nothing to verify\n", file);
	for (size_t i = 0; out && i < dko_fix_finding_count(res); i++) {
		const dko_finding *f = dko_fix_finding(res, i);
		if (f->applied)
			fprintf(stderr, "dockopt verify: rewrite: %s:%u: [%s] %s\n", f->file, f->line, f->rule, f->message);
	}
	return out;
}

/* The rewrite `dockopt fix --aggressive` makes of FILE, malloc'd; NULL with
 * *rc set when there is none (EXIT_CLEAN) or fixing failed (EXIT_FAIL). */
static char *fix_rewrite(const verify_args *a, const char *ctx, const char *orig, size_t olen,
                         size_t *rlen, int *rc)
{
	dko_config *cfg;
	*rc = EXIT_FAIL;
	if (verify_config(a, &cfg) != 0)
		return NULL;
	dko_fix_opts o = {0};
	o.path = a->file;
	o.context_dir = ctx;
	o.targets = a->targets.items;
	o.ntargets = a->targets.len;
	o.build_args = a->build_args.items;
	o.nbuild_args = a->build_args.len;
	o.secrets = a->secrets.items;
	o.nsecrets = a->secrets.len;
	o.aggressive = true;
	o.config = cfg;
	dko_fix_result *res = NULL;
	char *out = NULL;
	if (dko_fix(&res, orig, olen, &o) != 0) {
		cmd_report("verify");
	} else {
		out = rewritten_text(res, a->file, rlen);
		*rc = EXIT_CLEAN;
	}
	dko_fix_result_free(res);
	dko_config_free(cfg);
	return out;
}

static int run_verify(verify_args *a)
{
	size_t olen, rlen = 0;
	int frc = EXIT_FAIL;
	char *orig = read_all(a->file, &olen);
	char *ctx = a->context ? dko_xstrdup(a->context) : dko_fs_dirname(a->file);
	char *rew = !orig ? NULL : a->rewritten ? read_all(a->rewritten, &rlen)
	                                        : fix_rewrite(a, ctx, orig, olen, &rlen, &frc);
	if (orig && !rew && !a->rewritten) {
		free(ctx);
		free(orig);
		return frc;
	}
	char *rel = dockerfile_in_context(a->file, ctx);
	dko_verify_profile p = {ctx,
	                        rel,
	                        a->targets.items,
	                        a->targets.len,
	                        a->build_args.items,
	                        a->build_args.len,
	                        a->secrets.items,
	                        a->secrets.len};
	a->opts.engine_args = a->engine_args.items;
	a->opts.nengine_args = a->engine_args.len;
	int rc = EXIT_FAIL;
	dko_verify_result *res = NULL;
	if (orig && rew) {
		if (dko_verify_run(&res, &p, orig, olen, rew, rlen, &a->opts) == 0)
			rc = report(res, a->format);
		else
			cmd_report("verify");
	}
	dko_verify_result_free(res);
	free(rel);
	free(ctx);
	free(rew);
	free(orig);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	verify_args a;
	memset(&a, 0, sizeof(a));
	a.format = "text";
	bool help = false;
	int rc = parse_args(&a, argc, argv, &help);
	if (help) {
		fputs(usage_text, stdout);
		rc = EXIT_CLEAN;
	} else if (rc == 0) {
		rc = run_verify(&a);
	}
	DKO_VEC_FREE(&a.targets);
	DKO_VEC_FREE(&a.build_args);
	DKO_VEC_FREE(&a.secrets);
	DKO_VEC_FREE(&a.engine_args);
	return rc;
}
