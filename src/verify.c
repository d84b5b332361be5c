/*
 * verify.c - one verification run (see verify.h): a private work folder with
 * a copy of the context per Dockerfile, cold builds, a changed source file and
 * rebuilds, then inspect, measure and run of each image, and the comparison
 * (verify_compare.c).
 *
 * Invariants: the caller's context is only read (`cp -a` of it); everything
 * written lives in the work folder ($TMPDIR/dockopt-verify-XXXXXX); image tags
 * are unique to the run and removed at the end unless keep_images; at the end
 * the work folder goes away, except its logs/ when the verification did not
 * pass or failed (their paths are in the result and the error message).
 */
#include "verify.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_RUN_TIMEOUT 30
#define DEFAULT_BUILD_TIMEOUT 3600
#define WALK_MAX 100000 /* entries looked at when picking a file to change */

static const char *const side_names[2] = {"original", "rewritten"};

typedef struct vrun {
	const dko_verify_profile *p;
	const dko_verify_opts *o;
	dko_engine *engine;
	char *work, *logs;
	char *ctx[2], *df[2]; /* per side: context copy, Dockerfile path */
	char *tag_base;
	dko_verify_result *res;
	dko_cfg_list env, labels; /* declared names */
} vrun;

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return dko_buf_detach(&b, NULL);
}

static void push_line(char ***v, size_t *n, char *s)
{
	*v = dko_xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

static dko_verify_image *side(dko_verify_target *t, int which)
{
	return which ? &t->rewritten : &t->original;
}

/* ---- files ----------------------------------------------------------------- */

/* Run a file tool (cp, rm, chmod); its stderr becomes the message. */
static int tool(const char *what, const char *const *argv)
{
	dko_proc_result r;
	int err = dko_proc_run(&r, argv, NULL);
	if (!err && r.exit_code != 0) {
		size_t n = strcspn(r.err.ptr ? r.err.ptr : "", "\n");
		err = dko_error_set(DKO_EIO, "%s: %.*s", what, (int)n, r.err.ptr ? r.err.ptr : "");
	}
	dko_proc_result_release(&r);
	return err;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A relative path that stays inside its root. */
static bool safe_rel(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/')
		return false;
	for (const char *s = rel; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n + (s[n] == '/');
	}
	return true;
}

/* ---- setting up ------------------------------------------------------------ */

static int make_work(vrun *v)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = strf("%s/dockopt-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		int err = dko_error_set(DKO_EIO, "%s: %s", tmpl, strerror(errno));
		free(tmpl);
		return err;
	}
	v->work = tmpl;
	v->logs = v->o->log_dir ? dko_xstrdup(v->o->log_dir) : strf("%s/logs", v->work);
	v->tag_base = strf("localhost/dockopt-verify-%ld-%lx", (long)getpid(), (long)time(NULL));
	return dko_fs_mkdirs(v->logs);
}

/* Copy the context for one side and put that side's Dockerfile in it. */
static int prepare_side(vrun *v, int which, const char *text, size_t len)
{
	v->ctx[which] = strf("%s/%s", v->work, side_names[which]);
	char *src = strf("%s/.", v->p->context_dir);
	const char *const cp[] = {"cp", "-a", "--", src, v->ctx[which], NULL};
	int err = dko_fs_mkdirs(v->ctx[which]);
	if (!err)
		err = tool("copying the build context", cp);
	free(src);
	if (err)
		return err;
	if (v->p->dockerfile_rel) {
		v->df[which] = strf("%s/%s", v->ctx[which], v->p->dockerfile_rel);
	} else {
		char *dir = strf("%s/%s-dockerfile", v->work, side_names[which]);
		err = dko_fs_mkdirs(dir);
		v->df[which] = strf("%s/Dockerfile", dir);
		free(dir);
	}
	char *parent = dko_xstrdup(v->df[which]);
	*strrchr(parent, '/') = '\0';
	if (!err)
		err = dko_fs_mkdirs(parent);
	free(parent);
	return err ? err : dko_fs_write_file(v->df[which], text, len, false);
}

static dko_verify_result *result_new(const vrun *v)
{
	dko_verify_result *r = dko_xcalloc(1, sizeof(*r));
	r->engine = dko_xstrdup(dko_engine_name(v->engine));
	r->engine_version = dko_xstrdup(dko_engine_version(v->engine));
	r->log_dir = dko_xstrdup(v->logs);
	r->ntargets = v->p->ntargets ? v->p->ntargets : 1;
	r->targets = dko_xcalloc(r->ntargets, sizeof(dko_verify_target));
	for (size_t i = 0; i < r->ntargets; i++) {
		dko_verify_target *t = &r->targets[i];
		t->target = v->p->ntargets ? dko_xstrdup(v->p->targets[i]) : NULL;
		for (int s = 0; s < 2; s++) {
			side(t, s)->tag = strf("%s:%s-%zu", v->tag_base, side_names[s], i);
			side(t, s)->compressed_size = -1;
		}
	}
	return r;
}

/* ---- building -------------------------------------------------------------- */

static int build(vrun *v, size_t ti, int which, bool rebuild, double *secs, char **log)
{
	dko_verify_image *img = side(&v->res->targets[ti], which);
	char *tag = rebuild ? strf("%s-rebuild", img->tag) : dko_xstrdup(img->tag);
	*log = strf("%s/%s-%zu-%s.log", v->logs, side_names[which], ti, rebuild ? "rebuild" : "cold");
	unlink(*log);
	dko_build_spec s = {0};
	s.dockerfile = v->df[which];
	s.context = v->ctx[which];
	s.tag = tag;
	s.target = v->p->ntargets ? v->p->targets[ti] : NULL;
	s.build_args = v->p->build_args;
	s.nbuild_args = v->p->nbuild_args;
	s.secrets = v->p->secrets;
	s.nsecrets = v->p->nsecrets;
	s.no_cache = !rebuild;
	s.log_path = *log;
	s.timeout_secs = v->o->build_timeout_secs ? v->o->build_timeout_secs : DEFAULT_BUILD_TIMEOUT;
	int err = dko_engine_build(secs, v->engine, &s);
	free(tag);
	return err;
}

/* Cold builds; the original must build, the rewritten may fail (that is the
 * verdict, not an error). */
static int build_cold(vrun *v)
{
	for (size_t ti = 0; ti < v->res->ntargets; ti++) {
		dko_verify_target *t = &v->res->targets[ti];
		int err = build(v, ti, 0, false, &t->original.build_seconds, &t->original.log);
		if (err)
			return err;
		t->original.built = true;
		t->rewritten.built = build(v, ti, 1, false, &t->rewritten.build_seconds,
		                           &t->rewritten.log) == 0;
	}
	return 0;
}

/* ---- changing a source file and rebuilding --------------------------------- */

static bool has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		return false;
	for (; *exts; exts++)
		if (!strcasecmp(dot + 1, *exts))
			return true;
	return false;
}

static const char *const line_comment_slash[] = {
	"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "go", "js", "mjs", "cjs", "ts", "tsx", "jsx",
	"java", "kt", "kts", "rs", "cs", "swift", "scala", "dart", "groovy", "gradle", "php",
	"proto", "zig", NULL};
static const char *const line_comment_hash[] = {
	"py", "sh", "bash", "rb", "pl", "pm", "r", "yaml", "yml", "toml", "txt", "cfg", "conf",
	"ini", "properties", "mk", "cmake", "tf", "ex", "exs", "nix", "ps1", NULL};
static const char *const line_comment_dash[] = {"sql", "lua", "hs", "elm", NULL};
static const char *const block_comment_xml[] = {"html", "htm", "xml", "vue", "svelte", "md",
                                                "markdown", NULL};
static const char *const block_comment_c[] = {"css", "scss", "less", NULL};

static bool is_source(const char *name)
{
	return has_ext(name, line_comment_slash) || has_ext(name, line_comment_hash) ||
	       has_ext(name, line_comment_dash) || has_ext(name, block_comment_xml) ||
	       has_ext(name, block_comment_c);
}

/* Files whose change invalidates dependency installs: a poor example of an
 * everyday edit, picked only when nothing else is there. */
static bool is_manifest(const char *name)
{
	static const char *const names[] = {
		"package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum",
		"Pipfile", "Pipfile.lock", "pyproject.toml", "poetry.lock", "Cargo.toml", "Cargo.lock",
		"Gemfile", "Gemfile.lock", "composer.json", "composer.lock", "pom.xml", "build.gradle",
		"requirements.txt", "setup.py", "setup.cfg", "Makefile", NULL};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return !strncmp(name, "requirements", 12);
}

static bool is_build_file(const char *name)
{
	size_t n = strlen(name);
	return !strcmp(name, "Dockerfile") || !strcmp(name, "Containerfile") ||
	       !strncmp(name, "Dockerfile.", 11) || !strncmp(name, "Containerfile.", 14) ||
	       (n > 11 && !strcasecmp(name + n - 11, ".dockerfile")) ||
	       (n > 13 && !strcmp(name + n - 13, ".dockerignore"));
}

typedef struct pick {
	char *best;
	int rank; /* 3 source, 2 other, 1 dependency manifest */
	size_t seen;
	const char *skip; /* the Dockerfile */
} pick;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **sorted_entries(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	*n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		/* Hidden entries (.git, .env, .dockerignore) are not sources. */
		if (e->d_name[0] == '.')
			continue;
		names = dko_xreallocarray(names, *n + 1, sizeof(char *));
		names[(*n)++] = dko_xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof(char *), cmp_names);
	return names;
}

static void walk(pick *pk, const char *root, const char *rel, int depth)
{
	static const char *const skip_dirs[] = {"node_modules", "vendor", "__pycache__", "venv",
	                                        "target", "bower_components", NULL};
	char *dir = *rel ? strf("%s/%s", root, rel) : dko_xstrdup(root);
	size_t n;
	char **names = sorted_entries(dir, &n);
	for (size_t i = 0; i < n && pk->rank < 3 && pk->seen++ < WALK_MAX; i++) {
		char *r = *rel ? strf("%s/%s", rel, names[i]) : dko_xstrdup(names[i]);
		char *full = strf("%s/%s", root, r);
		struct stat st;
		bool skip_dir = false;
		for (size_t k = 0; skip_dirs[k]; k++)
			skip_dir |= !strcmp(names[i], skip_dirs[k]);
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < 32 && !skip_dir) {
			walk(pk, root, r, depth + 1);
		} else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) && !is_build_file(names[i]) &&
		           !(pk->skip && !strcmp(r, pk->skip))) {
			int rank = is_source(names[i]) ? 3 : is_manifest(names[i]) ? 1 : 2;
			if (rank > pk->rank) {
				free(pk->best);
				pk->best = dko_xstrdup(r);
				pk->rank = rank;
			}
		}
		free(full);
		free(r);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
}

/* What to append so that the file's content is new but its meaning is not:
 * a comment in the file's own syntax, or whitespace where none is known. */
static void touch_text(dko_buf *b, const char *name, const char *stamp, unsigned salt)
{
	if (has_ext(name, line_comment_slash))
		dko_buf_printf(b, "\n// %s\n", stamp);
	else if (has_ext(name, line_comment_hash))
		dko_buf_printf(b, "\n# %s\n", stamp);
	else if (has_ext(name, line_comment_dash))
		dko_buf_printf(b, "\n-- %s\n", stamp);
	else if (has_ext(name, block_comment_xml))
		dko_buf_printf(b, "\n<!-- %s -->\n", stamp);
	else if (has_ext(name, block_comment_c))
		dko_buf_printf(b, "\n/* %s */\n", stamp);
	else /* JSON and the unknown: a run of spaces of a length unlikely to repeat */
		dko_buf_printf(b, "\n%*s\n", (int)(salt % 4093 + 1), "");
}

static int touch_copies(vrun *v, const char *rel)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char *stamp = strf("changed by dockopt verify %lld.%09ld %ld", (long long)ts.tv_sec,
	                   (long)ts.tv_nsec, (long)getpid());
	dko_buf text = DKO_BUF_INIT;
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	touch_text(&text, base, stamp, (unsigned)ts.tv_nsec ^ (unsigned)getpid());
	int err = 0;
	for (int s = 0; s < 2 && !err; s++) {
		char *path = strf("%s/%s", v->ctx[s], rel);
		err = dko_fs_write_file(path, text.ptr, text.len, true);
		free(path);
	}
	dko_buf_release(&text);
	free(stamp);
	return err;
}

static void rebuild_target(vrun *v, size_t ti)
{
	dko_verify_target *t = &v->res->targets[ti];
	for (int s = 0; s < 2; s++) {
		dko_verify_image *img = side(t, s);
		if (!img->built)
			continue;
		img->rebuilt = true;
		img->rebuild_ok = build(v, ti, s, true, &img->rebuild_seconds, &img->rebuild_log) == 0;
	}
	const char *f = v->res->touched;
	if (!t->original.rebuilt || !t->rewritten.rebuilt)
		return;
	if (t->original.rebuild_ok && !t->rewritten.rebuild_ok)
		push_line(&t->reasons, &t->nreasons,
		          strf("the rewritten Dockerfile does not rebuild after %s changed; log: %s", f,
		               t->rewritten.rebuild_log));
	else if (!t->original.rebuild_ok)
		push_line(&t->notes, &t->nnotes,
		          strf("the original does not rebuild after %s changed (log: %s); rebuild "
		               "times are not comparable", f, t->original.rebuild_log));
}

static int measure_rebuilds(vrun *v)
{
	const char *touch = v->o->touch;
	char *rel = NULL;
	if (!touch) {
		pick pk = {NULL, 0, 0, v->p->dockerfile_rel};
		walk(&pk, v->ctx[0], "", 0);
		rel = pk.best;
	} else if (*touch) {
		rel = dko_xstrdup(touch);
	}
	if (!rel)
		return 0;
	v->res->touched = rel;
	int err = touch_copies(v, rel);
	for (size_t ti = 0; ti < v->res->ntargets && !err; ti++)
		rebuild_target(v, ti);
	return err;
}

/* ---- inspecting, measuring and running ------------------------------------- */

static void keep_run(dko_verify_exec *run, dko_proc_result *r)
{
	run->ran = true;
	run->exit_code = r->exit_code;
	run->timed_out = r->timed_out;
	run->out_total = r->out_total;
	run->err_total = r->err_total;
	run->out_len = r->out.len;
	run->err_len = r->err.len;
	run->out = r->out.ptr ? dko_buf_detach(&r->out, NULL) : dko_xstrdup("");
	run->err = r->err.ptr ? dko_buf_detach(&r->err, NULL) : dko_xstrdup("");
}

static int examine(vrun *v, dko_verify_image *img)
{
	dko_image_info info;
	int err = dko_engine_inspect(&info, v->engine, img->tag);
	if (err)
		return err;
	img->id = info.id;
	img->layers = info.layers;
	img->config = info.config;
	dko_image_size size;
	err = dko_engine_measure(&size, v->engine, img->tag, v->work);
	if (err)
		return err;
	img->size = size.uncompressed;
	img->compressed_size = size.compressed;
	const dko_image_config *c = &img->config;
	if (!v->o->smoke && !c->cmd.len && !c->entrypoint.len)
		return 0; /* nothing to run: run.ran stays false */
	dko_run_spec rs = {img->tag, c, v->o->smoke,
	                   v->o->run_timeout_secs ? v->o->run_timeout_secs : DEFAULT_RUN_TIMEOUT, 0};
	dko_proc_result r;
	err = dko_engine_run(&r, v->engine, &rs);
	if (!err)
		keep_run(&img->run, &r);
	dko_proc_result_release(&r);
	return err;
}

static int examine_all(vrun *v)
{
	for (size_t ti = 0; ti < v->res->ntargets; ti++) {
		dko_verify_target *t = &v->res->targets[ti];
		for (int s = 0; s < 2; s++) {
			int err = side(t, s)->built ? examine(v, side(t, s)) : 0;
			if (err)
				return err;
		}
	}
	return 0;
}

static void conclude(vrun *v)
{
	dko_verify_result *r = v->res;
	r->passed = true;
	for (size_t ti = 0; ti < r->ntargets; ti++) {
		dko_verify_target *t = &r->targets[ti];
		dko_verify_compare(t, &v->env, &v->labels);
		r->passed &= t->passed;
		for (size_t i = 0; i < t->nreasons; i++)
			push_line(&r->reasons, &r->nreasons,
			          r->ntargets > 1 ? strf("target %s: %s", t->target, t->reasons[i])
			                          : dko_xstrdup(t->reasons[i]));
	}
}

/* ---- cleaning up ----------------------------------------------------------- */

static void forget_logs(dko_verify_result *r)
{
	for (size_t ti = 0; ti < r->ntargets; ti++)
		for (int s = 0; s < 2; s++) {
			dko_verify_image *img = side(&r->targets[ti], s);
			free(img->log);
			free(img->rebuild_log);
			img->log = img->rebuild_log = NULL;
		}
	free(r->log_dir);
	r->log_dir = NULL;
}

static void cleanup(vrun *v, bool keep_logs)
{
	dko_verify_result *r = v->res;
	for (size_t ti = 0; r && !v->o->keep_images && ti < r->ntargets; ti++)
		for (int s = 0; s < 2; s++) {
			dko_verify_image *img = side(&r->targets[ti], s);
			char *re = strf("%s-rebuild", img->tag);
			if (img->built)
				dko_engine_remove_image(v->engine, img->tag);
			if (img->rebuild_ok)
				dko_engine_remove_image(v->engine, re);
			free(re);
		}
	if (!v->work)
		return;
	if (!keep_logs && !v->o->log_dir) {
		dko_fs_remove_tree(v->work);
		if (r)
			forget_logs(r);
		return;
	}
	for (int s = 0; s < 2; s++) {
		char *dir = strf("%s/%s-dockerfile", v->work, side_names[s]);
		if (v->ctx[s])
			dko_fs_remove_tree(v->ctx[s]);
		dko_fs_remove_tree(dir);
		free(dir);
	}
	/* Logs elsewhere, or none written (a failure before any build): the
	 * work folder has nothing worth keeping. */
	if (v->o->log_dir) {
		dko_fs_remove_tree(v->work);
	} else if (rmdir(v->logs) == 0) {
		dko_fs_remove_tree(v->work);
		if (r)
			forget_logs(r);
	}
}

static void vrun_release(vrun *v)
{
	dko_engine_free(v->engine);
	for (int s = 0; s < 2; s++) {
		free(v->ctx[s]);
		free(v->df[s]);
	}
	free(v->work);
	free(v->logs);
	free(v->tag_base);
	dko_cfg_list_release(&v->env);
	dko_cfg_list_release(&v->labels);
}

/* ---- the run --------------------------------------------------------------- */

static int check_inputs(const dko_verify_profile *p, const dko_verify_opts *o)
{
	if (!p->context_dir || !is_dir(p->context_dir))
		return dko_error_set(DKO_ENOTFOUND, "%s: the build context is not a folder",
		                     p->context_dir ? p->context_dir : "(none)");
	if (p->dockerfile_rel && !safe_rel(p->dockerfile_rel))
		return dko_error_set(DKO_EINVAL, "%s: the Dockerfile's path must be relative to the "
		                     "context and stay inside it", p->dockerfile_rel);
	if (o->touch && *o->touch) {
		char *path = strf("%s/%s", p->context_dir, o->touch);
		struct stat st;
		bool ok = safe_rel(o->touch) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!ok)
			return dko_error_set(DKO_ENOTFOUND, "--touch %s: no such file in the context %s",
			                     o->touch, p->context_dir);
	}
	if (o->smoke) {
		char **argv;
		if (dko_smoke_argv(&argv, o->smoke))
			return DKO_EINVAL;
		dko_strv_free(argv);
	}
	return 0;
}

static void declare(vrun *v, const char *original, size_t olen, const char *rewritten,
                    size_t rlen)
{
	for (size_t i = 0; i < v->res->ntargets; i++) {
		const char *target = v->res->targets[i].target;
		dko_verify_declared(&v->env, &v->labels, original, olen, target);
		dko_verify_declared(&v->env, &v->labels, rewritten, rlen, target);
	}
	for (size_t i = 0; i < v->o->ndeclared_env; i++) {
		v->env.items = dko_xreallocarray(v->env.items, v->env.len + 1, sizeof(char *));
		v->env.items[v->env.len++] = dko_xstrdup(v->o->declared_env[i]);
	}
}

int dko_verify_run(dko_verify_result **out, const dko_verify_profile *profile,
                   const char *original, size_t original_len, const char *rewritten,
                   size_t rewritten_len, const dko_verify_opts *opts)
{
	static const dko_verify_opts defaults = {0};
	vrun v = {0};
	v.p = profile;
	v.o = opts ? opts : &defaults;
	*out = NULL;
	int err = check_inputs(v.p, v.o);
	if (!err)
		err = dko_engine_open(&v.engine, v.o->engine, v.o->engine_args, v.o->nengine_args);
	if (!err)
		err = make_work(&v);
	if (!err)
		err = prepare_side(&v, 0, original, original_len);
	if (!err)
		err = prepare_side(&v, 1, rewritten, rewritten_len);
	if (!err) {
		v.res = result_new(&v);
		declare(&v, original, original_len, rewritten, rewritten_len);
		err = build_cold(&v);
	}
	if (!err)
		err = measure_rebuilds(&v);
	if (!err)
		err = examine_all(&v);
	if (!err)
		conclude(&v);
	/* Cleaning up runs engine commands: keep the first error's message. */
	char *msg = err ? dko_xstrdup(dko_error_last()) : NULL;
	cleanup(&v, err || !v.res->passed);
	if (err) {
		dko_error_set(err, "%s", msg);
		dko_verify_result_free(v.res);
	} else {
		*out = v.res;
	}
	free(msg);
	vrun_release(&v);
	return err;
}

/* ---- freeing ----------------------------------------------------------------- */

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void image_release(dko_verify_image *img)
{
	dko_image_info info = {img->id, 0, 0, img->config};
	dko_image_info_release(&info);
	free(img->tag);
	free(img->log);
	free(img->rebuild_log);
	free(img->run.out);
	free(img->run.err);
}

void dko_verify_result_free(dko_verify_result *r)
{
	if (!r)
		return;
	for (size_t ti = 0; ti < r->ntargets; ti++) {
		dko_verify_target *t = &r->targets[ti];
		image_release(&t->original);
		image_release(&t->rewritten);
		for (size_t i = 0; i < t->ndiffs; i++) {
			free(t->diffs[i].field);
			free(t->diffs[i].key);
			free(t->diffs[i].original);
			free(t->diffs[i].rewritten);
		}
		free(t->diffs);
		free_lines(t->reasons, t->nreasons);
		free_lines(t->notes, t->nnotes);
		free(t->target);
	}
	free(r->targets);
	free_lines(r->reasons, r->nreasons);
	free(r->engine);
	free(r->engine_version);
	free(r->touched);
	free(r->log_dir);
	free(r);
}
