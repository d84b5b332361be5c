/*
 * engine.c - docker, podman and buildah behind one interface (see engine.h):
 * detection, the command line of each operation, and cleaning up the
 * containers a run leaves behind when it times out.
 *
 * Invariants: every command starts with the program name and the user's
 * global arguments; commands are argv arrays (proc.h); every container this
 * module creates has a name unique to this process (dockopt-verify-PID-N) so
 * that it can be removed by name after a timeout, and is removed.
 */
#include "engine.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_TIMEOUT_MS 30000u
#define CMD_TIMEOUT_MS 600000u /* inspect, save, rmi: generous, never infinite */

static const char *const kind_names[] = {"docker", "podman", "buildah"};

struct dko_engine {
	dko_engine_kind kind;
	char *version;
	char **global;
	size_t nglobal;
	unsigned seq; /* containers created, for unique names */
	dko_layer_cache *layers;
};

/* An argv under construction; every entry is owned. */
typedef struct argvb {
	DKO_VEC(char *) v;
} argvb;

static void av_push(argvb *a, const char *s)
{
	DKO_VEC_PUSH(&a->v, dko_xstrdup(s));
}

static void av_pushf(argvb *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void av_pushf(argvb *a, const char *fmt, ...)
{
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	DKO_VEC_PUSH(&a->v, dko_buf_detach(&b, NULL));
}

/* The NULL-terminated array to hand to proc (valid until the next push). */
static const char *const *av_get(argvb *a)
{
	DKO_VEC_RESERVE(&a->v, 1);
	a->v.items[a->v.len] = NULL;
	return (const char *const *)a->v.items;
}

static void av_free(argvb *a)
{
	for (size_t i = 0; i < a->v.len; i++)
		free(a->v.items[i]);
	DKO_VEC_FREE(&a->v);
}

/* Program name and the global arguments: the start of every command. */
static void av_start(argvb *a, const dko_engine *e)
{
	memset(a, 0, sizeof(*a));
	av_push(a, kind_names[e->kind]);
	for (size_t i = 0; i < e->nglobal; i++)
		av_push(a, e->global[i]);
}

int dko_engine_kind_parse(dko_engine_kind *out, const char *name)
{
	for (int k = 0; k < 3; k++) {
		if (name && !strcmp(name, kind_names[k])) {
			*out = (dko_engine_kind)k;
			return 0;
		}
	}
	return dko_error_set(DKO_EINVAL, "unknown engine '%s' (docker, podman or buildah)",
	                     name ? name : "");
}

/* The first non-empty line of s, trimmed, appended to b. */
static void first_line(dko_buf *b, const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	size_t n = strcspn(s, "\r\n");
	while (n && s[n - 1] == ' ')
		n--;
	if (n > 300)
		n = 300;
	dko_buf_put(b, s, n);
}

/* Why a probe failed, as one clause for the detection message. */
static void probe_why(dko_buf *why, const dko_engine *e, const char *what,
                      const dko_proc_result *r)
{
	const char *name = kind_names[e->kind];
	if (r->timed_out) {
		dko_buf_printf(why, "%s: `%s %s` did not answer within %u s", name, name, what,
		               PROBE_TIMEOUT_MS / 1000);
		return;
	}
	dko_buf_printf(why, "%s: the client is installed but `%s %s` failed (", name, name, what);
	first_line(why, r->err.len ? r->err.ptr : r->out.ptr ? r->out.ptr : "");
	dko_buf_puts(why, e->kind == DKO_ENGINE_DOCKER ? "), so no daemon is reachable"
	                                                : ")");
}

static int run_probe(dko_engine *e, dko_buf *why, const char *what, const char *fmt,
                     dko_proc_result *r)
{
	argvb a;
	av_start(&a, e);
	av_push(&a, what);
	if (fmt) {
		av_push(&a, "--format");
		av_push(&a, fmt);
	}
	dko_proc_opts o = {0};
	o.timeout_ms = PROBE_TIMEOUT_MS;
	int err = dko_proc_run(r, av_get(&a), &o);
	av_free(&a);
	if (err == DKO_ENOTFOUND) {
		dko_buf_printf(why, "%s: not found on PATH", kind_names[e->kind]);
		return err;
	}
	if (!err && (r->timed_out || r->exit_code != 0)) {
		probe_why(why, e, what, r);
		return DKO_ENOTFOUND;
	}
	if (err)
		dko_buf_printf(why, "%s: %s", kind_names[e->kind], dko_error_last());
	return err;
}

/* buildah's version: the "Version:" line of `buildah version`. */
static char *buildah_version(dko_engine *e)
{
	dko_proc_result r;
	dko_buf why = DKO_BUF_INIT;
	char *v = NULL;
	if (run_probe(e, &why, "version", NULL, &r) == 0) {
		const char *p = strstr(r.out.ptr ? r.out.ptr : "", "Version:");
		if (p) {
			p += strlen("Version:");
			p += strspn(p, " \t");
			v = dko_xstrndup(p, strcspn(p, "\r\n"));
		}
	}
	dko_proc_result_release(&r);
	dko_buf_release(&why);
	return v ? v : dko_xstrdup("");
}

/* Whether the engine answers; fills e->version or appends why not. */
static int probe(dko_engine *e, dko_buf *why)
{
	static const char *const fmts[] = {"{{.ServerVersion}}", "{{.Version.Version}}", NULL};
	dko_proc_result r;
	int err = run_probe(e, why, "info", fmts[e->kind], &r);
	if (!err) {
		free(e->version);
		if (e->kind == DKO_ENGINE_BUILDAH) {
			e->version = buildah_version(e);
		} else {
			dko_buf v = DKO_BUF_INIT;
			first_line(&v, r.out.ptr ? r.out.ptr : "");
			e->version = dko_buf_detach(&v, NULL);
		}
	}
	dko_proc_result_release(&r);
	return err;
}

static dko_engine *engine_new(dko_engine_kind kind, const char *const *global, size_t n)
{
	dko_engine *e = dko_xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->version = dko_xstrdup("");
	e->global = dko_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		e->global[i] = dko_xstrdup(global[i]);
	e->nglobal = n;
	e->layers = dko_layer_cache_new();
	return e;
}

int dko_engine_open(dko_engine **out, const char *name, const char *const *global_args,
                    size_t n)
{
	*out = NULL;
	dko_engine_kind only = DKO_ENGINE_DOCKER;
	if (name && dko_engine_kind_parse(&only, name))
		return DKO_EINVAL;
	dko_buf why = DKO_BUF_INIT;
	for (int k = 0; k < 3; k++) {
		if (name && (dko_engine_kind)k != only)
			continue;
		dko_engine *e = engine_new((dko_engine_kind)k, global_args, n);
		if (why.len)
			dko_buf_puts(&why, "; ");
		if (probe(e, &why) == 0) {
			dko_buf_release(&why);
			*out = e;
			return 0;
		}
		dko_engine_free(e);
	}
	int err = dko_error_set(DKO_ENOTFOUND, "%s: %s",
	                        name ? "the container engine is not usable"
	                             : "no usable container engine (tried docker, podman, buildah)",
	                        dko_buf_cstr(&why));
	dko_buf_release(&why);
	return err;
}

void dko_engine_free(dko_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nglobal; i++)
		free(e->global[i]);
	free(e->global);
	free(e->version);
	dko_layer_cache_free(e->layers);
	free(e);
}

dko_engine_kind dko_engine_get_kind(const dko_engine *e)
{
	return e->kind;
}

const char *dko_engine_name(const dko_engine *e)
{
	return kind_names[e->kind];
}

const char *dko_engine_version(const dko_engine *e)
{
	return e->version;
}

/* ---- build ---------------------------------------------------------------- */

static void build_argv(argvb *a, const dko_engine *e, const dko_build_spec *s)
{
	av_start(a, e);
	switch (e->kind) {
	case DKO_ENGINE_DOCKER:
		av_push(a, "build");
		av_push(a, "--progress=plain");
		break;
	case DKO_ENGINE_PODMAN:
		av_push(a, "build");
		av_push(a, "--layers");
		av_push(a, "--format=docker");
		break;
	case DKO_ENGINE_BUILDAH:
		av_push(a, "bud");
		av_push(a, "--isolation=chroot");
		av_push(a, "--layers");
		av_push(a, "--format=docker");
		/* Else a failed build leaves its working container behind. */
		av_push(a, "--force-rm");
		break;
	}
	if (s->no_cache)
		av_push(a, "--no-cache");
	if (s->target)
		av_pushf(a, "--target=%s", s->target);
	for (size_t i = 0; i < s->nbuild_args; i++) {
		av_push(a, "--build-arg");
		av_push(a, s->build_args[i]);
	}
	for (size_t i = 0; i < s->nsecrets; i++)
		av_pushf(a, "--secret=%s", s->secrets[i]);
	av_push(a, "-f");
	av_push(a, s->dockerfile);
	av_push(a, "-t");
	av_push(a, s->tag);
	av_push(a, s->context);
}

static int log_line(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int log_line(const char *path, const char *fmt, ...)
{
	FILE *fp = fopen(path, "a");
	if (!fp)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	return fclose(fp);
}

int dko_engine_build(double *seconds, dko_engine *e, const dko_build_spec *spec)
{
	static const char *const buildkit[] = {"DOCKER_BUILDKIT=1", NULL};
	argvb a;
	build_argv(&a, e, spec);
	dko_buf line = DKO_BUF_INIT;
	dko_proc_argv_text(&line, av_get(&a));
	*seconds = 0;
	int err = 0;
	if (log_line(spec->log_path, "$ %s\n", line.ptr) != 0) {
		err = dko_error_set(DKO_EIO, "%s: cannot write the build log", spec->log_path);
		goto done;
	}
	dko_proc_opts o = {0};
	o.env = e->kind == DKO_ENGINE_DOCKER ? buildkit : NULL;
	o.log_path = spec->log_path;
	o.timeout_ms = spec->timeout_secs * 1000u;
	dko_proc_result r;
	err = dko_proc_run(&r, av_get(&a), &o);
	*seconds = r.seconds;
	if (!err) {
		log_line(spec->log_path, "# exit %d after %.2f s%s\n", r.exit_code, r.seconds,
		         r.timed_out ? " (timed out)" : "");
		if (r.timed_out)
			err = dko_error_set(DKO_EENGINE, "%s build timed out after %u s; log: %s",
			                    kind_names[e->kind], spec->timeout_secs, spec->log_path);
		else if (r.exit_code != 0)
			err = dko_error_set(DKO_EENGINE, "%s build failed (exit %d); log: %s",
			                    kind_names[e->kind], r.exit_code, spec->log_path);
	}
	dko_proc_result_release(&r);
done:
	dko_buf_release(&line);
	av_free(&a);
	return err;
}

/* ---- commands whose output is read ------------------------------------------- */

/* Run a and require exit 0; the failure message names the command and the
 * first line it printed. */
static int run_checked(dko_proc_result *r, argvb *a, unsigned timeout_ms)
{
	dko_proc_opts o = {0};
	o.timeout_ms = timeout_ms;
	const char *const *argv = av_get(a);
	int err = dko_proc_run(r, argv, &o);
	if (err || (!r->timed_out && r->exit_code == 0))
		return err;
	dko_buf msg = DKO_BUF_INIT;
	dko_proc_argv_text(&msg, argv);
	if (r->timed_out) {
		dko_buf_printf(&msg, ": timed out after %u s", timeout_ms / 1000);
	} else {
		dko_buf_printf(&msg, ": exit %d: ", r->exit_code);
		first_line(&msg, r->err.len ? r->err.ptr : r->out.ptr ? r->out.ptr : "");
	}
	err = dko_error_set(DKO_EENGINE, "%s", msg.ptr);
	dko_buf_release(&msg);
	return err;
}

int dko_engine_inspect(dko_image_info *out, dko_engine *e, const char *image)
{
	memset(out, 0, sizeof(*out));
	argvb a;
	av_start(&a, e);
	if (e->kind == DKO_ENGINE_BUILDAH) {
		av_push(&a, "inspect");
		av_push(&a, "--type=image");
	} else {
		av_push(&a, "image");
		av_push(&a, "inspect");
	}
	av_push(&a, image);
	dko_proc_result r;
	int err = run_checked(&r, &a, CMD_TIMEOUT_MS);
	if (!err) {
		err = dko_image_info_parse(out, e->kind, r.out.ptr ? r.out.ptr : "", r.out.len);
		if (err)
			err = dko_error_set(DKO_EENGINE, "%s inspect %s: unexpected output: %s",
			                    kind_names[e->kind], image, dko_error_last());
	}
	dko_proc_result_release(&r);
	av_free(&a);
	return err;
}

int dko_engine_measure(dko_image_size *out, dko_engine *e, const char *image,
                       const char *scratch_dir)
{
	memset(out, 0, sizeof(*out));
	out->compressed = -1;
	/* buildah names the file in a transport reference, where ':' separates. */
	if (e->kind == DKO_ENGINE_BUILDAH && strchr(scratch_dir, ':'))
		return dko_error_set(DKO_EINVAL, "%s: a folder whose path holds ':' cannot receive "
		                     "a docker-archive from buildah; set TMPDIR elsewhere", scratch_dir);
	dko_buf path = DKO_BUF_INIT;
	dko_buf_printf(&path, "%s/image-%ld-%u.tar", scratch_dir, (long)getpid(), ++e->seq);
	unlink(path.ptr);
	argvb a;
	av_start(&a, e);
	if (e->kind == DKO_ENGINE_BUILDAH) {
		av_push(&a, "push");
		av_push(&a, "--quiet");
		av_push(&a, image);
		av_pushf(&a, "docker-archive:%s", path.ptr);
	} else {
		av_push(&a, "save");
		if (e->kind == DKO_ENGINE_PODMAN)
			av_push(&a, "--format=docker-archive");
		av_push(&a, "-o");
		av_push(&a, path.ptr);
		av_push(&a, image);
	}
	dko_proc_result r;
	int err = run_checked(&r, &a, CMD_TIMEOUT_MS);
	dko_proc_result_release(&r);
	if (!err)
		err = dko_archive_measure(out, path.ptr, e->layers);
	unlink(path.ptr);
	av_free(&a);
	dko_buf_release(&path);
	return err;
}

int dko_engine_remove_image(dko_engine *e, const char *image)
{
	argvb a;
	av_start(&a, e);
	av_push(&a, "rmi");
	av_push(&a, "-f");
	av_push(&a, image);
	dko_proc_result r;
	int err = run_checked(&r, &a, CMD_TIMEOUT_MS);
	dko_proc_result_release(&r);
	av_free(&a);
	return err;
}

/* ---- run --------------------------------------------------------------------- */

void dko_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Remove a container by name, quietly (it may be gone already). */
static void remove_container(dko_engine *e, const char *name)
{
	argvb a;
	av_start(&a, e);
	av_push(&a, "rm");
	if (e->kind != DKO_ENGINE_BUILDAH)
		av_push(&a, "-f");
	av_push(&a, name);
	dko_proc_result r;
	dko_proc_opts o = {0};
	o.timeout_ms = CMD_TIMEOUT_MS;
	dko_proc_run(&r, av_get(&a), &o);
	dko_proc_result_release(&r);
	av_free(&a);
}

/* The command a buildah container runs: the smoke argv, or Entrypoint + Cmd. */
static void buildah_command(argvb *a, const dko_run_spec *s, char **smoke)
{
	if (smoke) {
		for (size_t i = 0; smoke[i]; i++)
			av_push(a, smoke[i]);
		return;
	}
	const dko_image_config *c = s->config;
	for (size_t i = 0; c && i < c->entrypoint.len; i++)
		av_push(a, c->entrypoint.items[i]);
	for (size_t i = 0; c && i < c->cmd.len; i++)
		av_push(a, c->cmd.items[i]);
}

static int run_buildah(dko_proc_result *res, dko_engine *e, const dko_run_spec *s,
                       char **smoke, const char *name, const dko_proc_opts *o)
{
	argvb a;
	av_start(&a, e);
	av_push(&a, "from");
	av_push(&a, "--quiet");
	av_push(&a, "--pull=never");
	av_pushf(&a, "--name=%s", name);
	av_push(&a, s->image);
	int err = run_checked(res, &a, CMD_TIMEOUT_MS);
	av_free(&a);
	dko_proc_result_release(res);
	dko_proc_result_init(res);
	if (err)
		return err;
	av_start(&a, e);
	av_push(&a, "run");
	av_push(&a, "--isolation=chroot");
	av_push(&a, name);
	av_push(&a, "--");
	size_t before = a.v.len;
	buildah_command(&a, s, smoke);
	if (a.v.len == before)
		err = dko_error_set(DKO_EINVAL, "%s has no command to run (no ENTRYPOINT or CMD)",
		                    s->image);
	else
		err = dko_proc_run(res, av_get(&a), o);
	av_free(&a);
	remove_container(e, name);
	return err;
}

static int run_docker(dko_proc_result *res, dko_engine *e, const dko_run_spec *s,
                      char **smoke, const char *name, const dko_proc_opts *o)
{
	argvb a;
	av_start(&a, e);
	av_push(&a, "run");
	av_push(&a, "--rm");
	av_pushf(&a, "--name=%s", name);
	av_push(&a, "--pull=never");
	if (smoke)
		av_pushf(&a, "--entrypoint=%s", smoke[0]);
	av_push(&a, s->image);
	for (size_t i = 1; smoke && smoke[i]; i++)
		av_push(&a, smoke[i]);
	int err = dko_proc_run(res, av_get(&a), o);
	av_free(&a);
	/* Killing the client leaves the container running in the daemon. */
	if (!err && res->timed_out)
		remove_container(e, name);
	return err;
}

int dko_engine_run(dko_proc_result *res, dko_engine *e, const dko_run_spec *spec)
{
	dko_proc_result_init(res);
	char **smoke = NULL;
	if (spec->smoke && dko_smoke_argv(&smoke, spec->smoke))
		return DKO_EINVAL;
	dko_buf name = DKO_BUF_INIT;
	dko_buf_printf(&name, "dockopt-verify-%ld-%u", (long)getpid(), ++e->seq);
	dko_proc_opts o = {0};
	o.timeout_ms = spec->timeout_secs * 1000u;
	o.keep_max = spec->keep_max ? spec->keep_max : (size_t)1 << 20;
	int err = e->kind == DKO_ENGINE_BUILDAH ? run_buildah(res, e, spec, smoke, name.ptr, &o)
	                                        : run_docker(res, e, spec, smoke, name.ptr, &o);
	dko_buf_release(&name);
	dko_strv_free(smoke);
	return err;
}
