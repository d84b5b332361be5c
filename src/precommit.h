/*
 * precommit.h - the pre-commit autofix: fix the Dockerfiles staged in a
 * repository's index, in the index, and install the git hook that runs it.
 *
 * What gets committed is the index, so that is what is read and fixed: each
 * staged Dockerfile (added, modified or changed type; same name rules as
 * `dockopt fix`, with the .dockopt.yml of the index, else of the working
 * tree) is read from the index, fixed, and the fixed blob is staged. The
 * working-tree file is rewritten too only when it held exactly the staged
 * version; a file with unstaged edits is never written, so those edits are
 * never lost (the index gets the fix, the file keeps the edits).
 *
 * All or nothing: when any staged Dockerfile fails (it does not parse, a
 * configuration is broken), nothing is written at all. (A git or disk error
 * while writing stops at that file; the files before it stay written.)
 */
#ifndef DKO_PRECOMMIT_H
#define DKO_PRECOMMIT_H

#include "dockopt/fix.h"
#include "git.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dko_precommit_opts {
	bool check;                /* write nothing; say what would change */
	bool aggressive;           /* also aggressive rules */
	const char **select;       /* only these rules; NULL: all */
	size_t nselect;
	const char **ignore;       /* never these rules */
	size_t nignore;
	const dko_config *config;  /* for every file (--config); NULL: look up .dockopt.yml */
	bool no_config;            /* no configuration at all */
} dko_precommit_opts;

typedef enum dko_precommit_state {
	DKO_PRECOMMIT_CLEAN,      /* nothing to change */
	DKO_PRECOMMIT_FIXED,      /* fixed in the index and in the working tree */
	DKO_PRECOMMIT_INDEX_ONLY, /* fixed in the index; working files with unstaged
	                             edits were left as they are (see kept) */
	DKO_PRECOMMIT_WOULD_FIX,  /* needs fixing; not written (check mode, or
	                             another file failed) */
	DKO_PRECOMMIT_FAILED      /* see error */
} dko_precommit_state;

typedef struct dko_precommit_file {
	char *path; /* repository path of the staged Dockerfile */
	dko_precommit_state state;
	dko_fix_result *result; /* findings; NULL when it failed before fixing */
	char *diff;             /* staged version -> fix (a/ b/ repository paths); or NULL */
	char *error;            /* the message when FAILED */
	char **kept;            /* working files not written (unstaged edits) */
	size_t nkept;
} dko_precommit_file;

typedef struct dko_precommit_result {
	dko_precommit_file *files; /* the staged Dockerfiles, in index order */
	size_t nfiles;
	size_t nchanged; /* FIXED, INDEX_ONLY or WOULD_FIX */
	size_t nfailed;  /* FAILED */
} dko_precommit_result;

/*
 * Fix the staged Dockerfiles of repo (which needs a working tree). Per-file
 * problems are in the files (state FAILED, nfailed); the return value is 0,
 * or a negative code when the index or HEAD cannot be read at all. *out is
 * always set; release it with dko_precommit_result_release.
 */
int dko_precommit_run(dko_precommit_result *out, dko_git_repo *repo,
                      const dko_precommit_opts *opts);
void dko_precommit_result_release(dko_precommit_result *r);

/* ---- The git hook ----------------------------------------------------- */

/* A line every hook dockopt writes holds; a hook without it is foreign. */
#define DKO_HOOK_MARKER "dockopt-pre-commit-hook"

typedef struct dko_hook_opts {
	const char *exe; /* the dockopt to run (absolute path); NULL: dockopt from PATH */
	bool check;      /* the hook runs `pre-commit --check` (never edits) */
	bool force;      /* replace a foreign hook (it is saved first, see backup) */
} dko_hook_opts;

typedef struct dko_hook_result {
	char *path;   /* the hook written */
	char *backup; /* where a foreign hook was moved, or NULL */
	bool updated; /* a dockopt hook was there already */
} dko_hook_result;

/*
 * Write the pre-commit hook of repo (in its hooks folder, honouring
 * core.hooksPath; created if missing), executable. An existing hook
 * written by dockopt is replaced; a foreign one is DKO_EINVAL ("... use
 * --force") unless opts->force, which first renames it to pre-commit.bak
 * (or .bak.1, .bak.2, ... when taken). *out is always set; release it with
 * dko_hook_result_release.
 */
int dko_hook_install(dko_hook_result *out, dko_git_repo *repo, const dko_hook_opts *opts);
void dko_hook_result_release(dko_hook_result *r);

/* The hook script for opts (malloc'd). */
char *dko_hook_script(const dko_hook_opts *opts);

#endif
