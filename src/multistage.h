/*
 * multistage.h - the plan the multi-stage pass builds before it rewrites
 * (internal to pass_multi_stage.c, multi_build.c and multi_needs.c).
 *
 * The pass looks at the final stage in three steps, each of which may give
 * up with a reason (ms_fail) that becomes the suggestion:
 *   1. multi_build.c follows every RUN: which artifacts the build provably
 *      writes (go build -o, cargo's target/<profile>/<bin>, the Makefile
 *      goal's -o outputs, cc -o, dotnet publish -o, npm/mvn/gradle builds),
 *      the packages installed, the users created, and the libraries a native
 *      binary links. A command whose effect on the image it cannot follow
 *      stops the pass.
 *   2. multi_needs.c finds what the image needs at run time: the files
 *      copied from the build context that are not build inputs, and what
 *      CMD/ENTRYPOINT/HEALTHCHECK run (each program and each path argument
 *      must be an artifact, a run-time file, or something the runtime image
 *      has or gets from a package).
 *   3. pass_multi_stage.c chooses the runtime image and renders the stages.
 * Paths in the plan are absolute paths inside the image.
 */
#ifndef DKO_MULTISTAGE_H
#define DKO_MULTISTAGE_H

#include "context.h"
#include "pass.h"
#include "pkg.h"
#include "toolchain.h"
#include "util/arena.h"
#include "util/vec.h"

typedef enum ms_build {
	MS_B_NONE = 0,
	MS_B_GO,
	MS_B_CARGO,
	MS_B_MAKE,
	MS_B_CC,
	MS_B_MVN,
	MS_B_GRADLE,
	MS_B_NPM,
	MS_B_DOTNET
} ms_build;

#define MS_NATIVE ((1u << MS_B_GO) | (1u << MS_B_CARGO) | (1u << MS_B_MAKE) | (1u << MS_B_CC))

/* Something copied into the runtime stage from the build stage. */
typedef struct ms_item {
	const char *path;  /* in the build stage */
	const char *dest;  /* in the runtime stage (usually path) */
	const char *chown; /* --chown value, or NULL */
	const char *chmod; /* --chmod value, or NULL */
	bool dir;          /* a folder */
	bool needed;       /* artifacts: the image runs or reads it */
	bool candidate;    /* go install / cargo install: only when the command names it */
} ms_item;

typedef DKO_VEC(const char *) ms_strs;

typedef struct ms_plan {
	dko_pass_ctx *c;
	const dko_stage *st;
	dko_toolchain tc;
	dko_arena a;              /* every string of the plan */
	const char *dockerfile_rel; /* the Dockerfile's path in the context, or NULL */
	ms_build build;           /* the first java/npm/.NET build found */
	unsigned builds;          /* 1u << ms_build of every build found */
	uint32_t build_node;
	const char *build_dir;    /* where it ran (mvn/gradle/npm/go: the project folder) */
	const char *java_jar;     /* the archive pom.xml / build.gradle names, or NULL */
	DKO_VEC(ms_item) arts;    /* what the builds write */
	DKO_VEC(ms_item) files;   /* run-time files: context copies that are not build inputs */
	ms_strs pkgs;             /* apt/apk packages the file installs, in order */
	ms_strs devs;             /* -dev packages whose libraries the output links */
	ms_strs rt_pkgs;          /* packages the runtime stage installs */
	ms_strs user_cmds;        /* commands creating users/groups, as written */
	ms_strs users;            /* the names they create */
	DKO_VEC(ms_item) dirs;    /* folders created with mkdir (path, chown) */
	ms_strs globals;          /* commands installed globally by npm / cargo install */
	dko_pm pm;                /* the manager of pkgs (apt or apk), DKO_PM_NONE */
	bool any_build;           /* some RUN builds (else the pass says nothing) */
	bool native;              /* a native binary (go, cargo, make, cc) */
	bool go_dynamic;          /* a go build without CGO_ENABLED=0 */
	bool cxx;                 /* C++ was compiled */
	bool ca;                  /* the build stage has CA certificates */
	bool compiler_pkg;        /* a C compiler was installed (debian/ubuntu bases) */
	bool npm_install;         /* npm ci / npm install of the project */
	const char *npm_dir;      /* where it ran */
	bool dotnet_web;          /* the published project is ASP.NET */
	bool shell_needed;        /* a shell-form command or SHELL needs /bin/sh */
	const char *workdir;      /* the image's WORKDIR, NULL when neither file nor base sets one */
	const dko_runtime *rt;    /* the runtime being tried */
	char *why;                /* why not (malloc'd), NULL while all is well */
	uint32_t why_node;
} ms_plan;

/* Record why the rewrite is not possible (the first reason wins); returns false. */
bool ms_fail(ms_plan *p, uint32_t node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An arena copy / printf in the plan's arena. */
const char *ms_str(ms_plan *p, const char *s);
const char *ms_strf(ms_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* dir joined with rel, "." and ".." resolved; rel absolute stays itself.
 * NULL when dir is NULL and rel is relative. */
const char *ms_resolve(ms_plan *p, const char *dir, const char *rel);
/* Whether path is base or below it. */
bool ms_under(const char *path, const char *base);
/* Whether w is one of the '|'-separated words of list. */
bool ms_in_list(const char *list, const char *w);
void ms_push_unique(ms_plan *p, ms_strs *v, const char *s);

/* The context path that image path holds after the COPY/ADD instructions of
 * the stage before node (the last copy wins), or NULL when none copied it. */
const char *ms_context_path(ms_plan *p, uint32_t before_node, const char *image_path);
/* Read a context file (malloc'd, NUL-terminated) or NULL. */
char *ms_read_context(ms_plan *p, const char *rel, size_t *len);

/* Add an artifact (a copy into the plan's arena); returns it. */
ms_item *ms_add_artifact(ms_plan *p, const char *path, bool dir);

/* The kinds of build the RUNs of the stage run (1u << ms_build each; 0:
 * none, the pass has nothing to say), and whether a C compiler the file
 * installs is still installed at the end. */
unsigned ms_stage_builds(ms_plan *p, bool *compiler_kept);
/* Step 1: every RUN of the stage. */
bool ms_scan_runs(ms_plan *p);
/* Step 2a: the run-time files copied from the context. */
bool ms_scan_files(ms_plan *p);
/* Step 2b: what the commands of the image need, against runtime p->rt;
 * adds to p->rt_pkgs and marks artifacts needed. */
bool ms_check_commands(ms_plan *p);

#endif
