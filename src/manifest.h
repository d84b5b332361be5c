/*
 * manifest.h - readers for the dependency manifests and build files the
 * cache-order and multi-stage passes reason about, all reading through a
 * dko_context (so they work on a folder or a git tree alike).
 *
 * These are heuristic readers of real-world files. They never fail on odd
 * content: what they cannot be sure of is reported as unknown (a NULL
 * string, a false "known" flag) rather than guessed; a pass that needs a
 * fact that is unknown should leave the Dockerfile alone. Files are read up
 * to DKO_MANIFEST_MAX bytes.
 *
 * Every reader: int dko_<kind>_read(dko_<kind> **out, dko_context *ctx,
 * const char *rel) with rel the manifest's path in the context. It returns 0,
 * DKO_ENOTFOUND when rel is not a regular file in the context (a symbolic
 * link counts as absent), DKO_EIO when it cannot be read or is too big, or,
 * for the JSON formats, DKO_EPARSE with "rel:line:col: error: ..." in
 * dko_error_last(). The result owns all its strings; free it with the
 * matching _free (NULL is a no-op). Paths in results are context paths
 * (canonical, relative to the context root) unless said otherwise.
 */
#ifndef DKO_MANIFEST_H
#define DKO_MANIFEST_H

#include "context.h"

#include <stdbool.h>
#include <stddef.h>

#define DKO_MANIFEST_MAX (4u << 20)

/* Whether a file the build would need is usable from the context. */
typedef enum dko_mf_state {
	DKO_MF_OK = 0,     /* a regular file in the context, not excluded */
	DKO_MF_MISSING,    /* does not exist */
	DKO_MF_EXCLUDED,   /* exists, but the ignore file leaves it out of the build */
	DKO_MF_LINK,       /* a symbolic link (or below one): not followed */
	DKO_MF_OUTSIDE,    /* the path leaves the context ("..", absolute) */
	DKO_MF_NOT_FILE    /* a folder or a special file */
} dko_mf_state;

/* State of rel in ctx (the ignore file loaded into ctx applies). */
dko_mf_state dko_manifest_state(dko_context *ctx, const char *rel);
/* "ok", "missing", "excluded", "symlink", "outside the context", "not a file". */
const char *dko_mf_state_name(dko_mf_state s);

/* Something a manifest says, with where it says it. */
typedef struct dko_mf_item {
	const char *text; /* as written (for pip: the whole logical line) */
	const char *file; /* context path of the file saying it */
	unsigned line;    /* 1-based */
} dko_mf_item;

/* A name and a value (scripts, bin entries, dependencies). */
typedef struct dko_mf_pair {
	const char *name, *value;
} dko_mf_pair;

/* ---- pip requirements files ---- */

typedef struct dko_pip_file {
	const char *path;   /* context path */
	bool constraint;    /* named by -c / --constraint */
	dko_mf_state state; /* OK, or EXCLUDED (the first file too), MISSING, ... */
	const char *from;   /* the file naming it, NULL for the first */
	unsigned line;      /* its line there */
} dko_pip_file;

typedef struct dko_pip_reqs {
	/* the file read first, then every file reachable through -r/-c (each
	 * once, in order of first mention); a missing one is listed, not read */
	dko_pip_file *files;
	size_t nfiles;
	size_t nreqs;         /* requirement lines naming packages (any form) */
	dko_mf_item *local;   /* local paths: "-e .", "./pkg", "../x", "/abs", "file:", local archives */
	size_t nlocal;
	dko_mf_item *vcs;     /* git+ / hg+ / svn+ / bzr+ requirements */
	size_t nvcs;
	dko_mf_item *options; /* global options: --index-url, --extra-index-url, --find-links, ... */
	size_t noptions;
	dko_mf_item *remote;  /* -r/-c naming a URL (fetched by pip, nothing to copy) */
	size_t nremote;
	bool env_vars;   /* ${VAR} used (expanded by pip from the environment) */
	bool truncated;  /* too many files or too deep: the lists are incomplete */
} dko_pip_reqs;

int dko_pip_read(dko_pip_reqs **out, dko_context *ctx, const char *rel);
void dko_pip_free(dko_pip_reqs *r);

/* ---- package.json (npm, yarn, pnpm) ---- */

typedef struct dko_npm {
	const char *path;            /* package.json's context path */
	const char *dir;             /* its folder ("" for the root) */
	const char *name, *version, *main, *type, *package_manager; /* NULL when absent */
	dko_mf_pair *scripts;        /* every script, in order */
	size_t nscripts;
	dko_mf_pair *bin;            /* "bin": name -> path (a string bin is named after the package) */
	size_t nbin;
	const char **workspaces;     /* "workspaces" (array, or {"packages": [...]}) */
	size_t nworkspaces;
	dko_mf_pair *local_deps;     /* dependencies on local sources: file:, link:, portal:, workspace:, paths */
	size_t nlocal_deps;
	/* install-time scripts of the package itself (npm/yarn/pnpm run them on
	 * install): preinstall install postinstall prepublish preprepare prepare
	 * postprepare dependencies; the names found, in that order */
	const char **install_scripts;
	size_t ninstall_scripts;
	const char **lockfiles;      /* next to package.json: package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml bun.lock bun.lockb */
	size_t nlockfiles;
	const char *lockfile;        /* the first of them, or NULL */
	/* configuration an install reads, present next to package.json: .npmrc
	 * .yarnrc .yarnrc.yml pnpm-workspace.yaml .pnpmfile.cjs; .yarn/releases
	 * .yarn/plugins .yarn/patches (folders) */
	const char **config_files;
	size_t nconfig_files;
} dko_npm;

int dko_npm_read(dko_npm **out, dko_context *ctx, const char *rel);
void dko_npm_free(dko_npm *n);
/* The command of script name, or NULL. */
const char *dko_npm_script(const dko_npm *n, const char *name);

/* ---- go.mod ---- */

typedef struct dko_go_replace {
	const char *old_path, *old_version; /* old_version NULL when absent */
	const char *new_path, *new_version;
	bool local;                          /* new_path is a folder (./ ../ / . ..) */
	unsigned line;
} dko_go_replace;

typedef struct dko_gomod {
	const char *path;        /* go.mod's context path */
	const char *module;      /* module path, NULL when absent */
	const char *go_version, *toolchain;
	size_t nrequire;
	dko_go_replace *replaces;
	size_t nreplaces;
	bool local_replace;      /* some replace points to a local folder */
	bool has_sum;            /* go.sum next to it */
	bool has_vendor;         /* vendor/modules.txt next to it */
	bool has_work;           /* go.work next to it */
} dko_gomod;

int dko_gomod_read(dko_gomod **out, dko_context *ctx, const char *rel);
void dko_gomod_free(dko_gomod *g);

/* ---- Gemfile (bundler) ---- */

typedef struct dko_gemfile {
	const char *path;
	const char *lockfile;    /* Gemfile.lock (gems.locked for gems.rb) when present, else NULL */
	dko_mf_item *path_gems;  /* gems from local folders: path: option or a path block */
	size_t npath_gems;
	dko_mf_item *git_gems;   /* git:, github:, gitlab:, bitbucket: options or a git block */
	size_t ngit_gems;
	bool gemspec;            /* a `gemspec` line: the app's own *.gemspec (and its files) are read */
	bool eval_gemfile;       /* eval_gemfile: another file is read */
} dko_gemfile;

int dko_gemfile_read(dko_gemfile **out, dko_context *ctx, const char *rel);
void dko_gemfile_free(dko_gemfile *g);

/* ---- composer.json ---- */

typedef struct dko_composer {
	const char *path;
	const char *name;          /* NULL when absent */
	bool has_lock;             /* composer.lock next to it */
	dko_mf_pair *scripts;      /* event or command -> commands joined with " && " */
	size_t nscripts;
	/* scripts of events `composer install` fires (pre/post-install-cmd,
	 * pre/post-autoload-dump, package and operation events, ...) */
	const char **install_events;
	size_t ninstall_events;
	const char **path_repos;   /* "repositories" of type "path": their urls */
	size_t npath_repos;
	bool autoload_scan;        /* autoload classmap/files: the autoloader dump reads sources */
} dko_composer;

int dko_composer_read(dko_composer **out, dko_context *ctx, const char *rel);
void dko_composer_free(dko_composer *c);

/* ---- pom.xml (maven) ---- */

typedef struct dko_pom {
	const char *path;
	const char *group_id, *artifact_id, *version, *packaging; /* as written, NULL when absent */
	const char *final_name;                                   /* build.finalName as written */
	const char *parent_group_id, *parent_artifact_id, *parent_version;
	const char **modules;      /* <modules><module> */
	size_t nmodules;
	/* the artifact mvn package writes to target/, e.g. "app-1.0.jar":
	 * finalName (or artifactId-version) with ${...} resolved, plus the
	 * packaging; NULL when unknown or when packaging is pom */
	const char *artifact;
	bool has_wrapper;          /* mvnw next to it */
	bool malformed;            /* XML the reader could not follow: fields may be missing */
} dko_pom;

int dko_pom_read(dko_pom **out, dko_context *ctx, const char *rel);
void dko_pom_free(dko_pom *p);

/* ---- build.gradle / build.gradle.kts ---- */

typedef struct dko_gradle {
	const char *path;
	bool kotlin;               /* build.gradle.kts */
	const char *settings;      /* settings.gradle(.kts) next to it, or NULL */
	bool has_wrapper;          /* gradlew next to it */
	bool multi_project;        /* the settings file include()s projects */
	const char *root_project_name; /* literal rootProject.name, or NULL */
	const char *version;       /* literal version (build file or gradle.properties), or NULL */
	const char *archive_file_name, *archive_base_name; /* literal, or NULL */
	/* the jar in build/libs/ when evident (a literal archiveFileName, or
	 * a literal base name + version), else NULL */
	const char *jar;
} dko_gradle;

int dko_gradle_read(dko_gradle **out, dko_context *ctx, const char *rel);
void dko_gradle_free(dko_gradle *g);

/* ---- Cargo.toml ---- */

typedef struct dko_cargo {
	const char *path;
	const char *package_name;  /* [package] name, NULL when absent */
	const char *default_run;   /* [package] default-run */
	const char **bins;         /* [[bin]] names */
	size_t nbins;
	bool main_bin;             /* src/main.rs next to it: a binary named package_name */
	bool workspace;            /* has a [workspace] table */
	const char **members;      /* [workspace] members */
	size_t nmembers;
	bool has_lock;             /* Cargo.lock next to it */
} dko_cargo;

int dko_cargo_read(dko_cargo **out, dko_context *ctx, const char *rel);
void dko_cargo_free(dko_cargo *c);

/* ---- Makefile ---- */

typedef struct dko_make_target {
	const char *name;
	unsigned line;
	const char **recipe;       /* recipe lines, continuations joined, the leading tab removed */
	size_t nrecipe;
	/* files the recipe writes with "-o NAME" of a compiler or linker (cc gcc
	 * clang c++ g++ clang++ ld rustc $(CC) $(CXX) $(LD), go build), with $@
	 * and the Makefile's simple variables expanded */
	const char **outputs;
	size_t noutputs;
	bool outputs_complete;     /* false: some "-o" names a variable it could not expand */
} dko_make_target;

typedef struct dko_makefile {
	const char *path;
	/* the goal `make` builds without arguments (.DEFAULT_GOAL or the first
	 * target not starting with '.' and not a pattern), NULL when unknown
	 * (e.g. an include comes before the first target) */
	const char *default_target;
	dko_make_target *targets;  /* explicit targets, in order of first rule */
	size_t ntargets;
} dko_makefile;

int dko_makefile_read(dko_makefile **out, dko_context *ctx, const char *rel);
void dko_makefile_free(dko_makefile *m);
/* The target named name, or NULL. */
const dko_make_target *dko_makefile_target(const dko_makefile *m, const char *name);

#endif
