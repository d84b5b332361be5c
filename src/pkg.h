/*
 * pkg.h - the package-manager model (internal): which simple commands of a
 * RUN's shell tree are package operations, with their manager, verb,
 * packages, flags, the build-context files they read, the cache and list
 * directories they leave in the layer and the cleanup that removes them.
 *
 * Recognition is data-driven: a table of managers (command names, how they
 * are invoked, global options, verbs and their aliases, options that take a
 * value, yes/no-recommends/no-cache flags, files read per verb, caches left)
 * plus user wrappers, PCRE2 patterns on argv[0] mapped to a manager and a
 * verb (from the config file). Commands behind sudo, env, nice, time,
 * timeout, nohup, stdbuf, command, exec, gosu, su-exec, eatmydata and xargs
 * (the packages then come from stdin: dynamic) are unwrapped; the script of
 * `sh -c '...'` / `bash -ec "..."` (literal) and of a shell reading a here-
 * document (`RUN <<EOF bash`) is analysed as part of that command.
 *
 * Paths under the home directory are written "~/..." (the RUN user's home:
 * /root unless USER says otherwise); "$GOPATH"-style names stand for the
 * variable's value.
 */
#ifndef DKO_PKG_H
#define DKO_PKG_H

#include "shell.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum dko_pm {
	DKO_PM_NONE = 0,
	DKO_PM_APT,      /* apt-get, apt, aptitude */
	DKO_PM_APK,
	DKO_PM_DNF,      /* dnf, dnf5 */
	DKO_PM_YUM,
	DKO_PM_MICRODNF,
	DKO_PM_ZYPPER,
	DKO_PM_PIP,      /* pip, pip3, pip3.11, python -m pip */
	DKO_PM_NPM,
	DKO_PM_YARN,
	DKO_PM_PNPM,
	DKO_PM_GEM,
	DKO_PM_BUNDLE,
	DKO_PM_COMPOSER,
	DKO_PM_GO,
	DKO_PM_CARGO,
	DKO_PM_MVN,      /* mvn, mvnw */
	DKO_PM_GRADLE,   /* gradle, gradlew */
	DKO_PM_CONDA,    /* conda, mamba, micromamba */
	DKO_PM_UV,
	DKO_PM_POETRY,
	DKO_PM_MAKE,
	DKO_PM__COUNT
} dko_pm;

typedef enum dko_pkg_verb {
	DKO_PV_NONE = 0,
	DKO_PV_UPDATE,     /* refresh package lists: apt-get update, apk update, dnf makecache */
	DKO_PV_INSTALL,
	DKO_PV_UPGRADE,
	DKO_PV_REMOVE,
	DKO_PV_AUTOREMOVE,
	DKO_PV_CLEAN,      /* removes caches/lists: apt-get clean, rm -rf of /var/lib/apt/lists,
	                      dnf clean all, pip cache purge, npm cache clean, rm -rf ~/.cache/pip */
	DKO_PV_DOWNLOAD,   /* go mod download, mvn dependency:go-offline, cargo fetch */
	DKO_PV_BUILD,      /* go build, cargo build, mvn package, npm run build, make */
	DKO_PV__COUNT
} dko_pkg_verb;

typedef struct dko_pkg_op {
	dko_pm manager;
	dko_pkg_verb verb;
	const char **packages; /* literal names; a non-static one sets dynamic */
	uint32_t npackages;
	const char **flags; /* options as written; "-o VALUE" when the value is a separate word */
	uint32_t nflags;
	bool assume_yes;    /* will not stop at a prompt: a yes flag, or a manager that never asks */
	bool no_recommends; /* apt --no-install-recommends, dnf install_weak_deps=False, zypper --no-recommends */
	bool no_cache;      /* apk --no-cache, pip --no-cache-dir / PIP_NO_CACHE_DIR, ... */
	bool dynamic;       /* $(..)/$VAR/xargs in the packages */
	bool conditional;   /* the command is conditional (dko_sh_cmd.conditional) */
	bool global;        /* npm/yarn/pnpm -g, pip --user is not global */
	const char *virtual_name; /* apk --virtual NAME */
	const char **reads; /* build-context files it reads (requirements.txt, package.json + lockfile) */
	uint32_t nreads;
	const char **leaves; /* cache/list dirs it leaves in the layer */
	uint32_t nleaves;
	const char *cleanup; /* shell text that removes them, e.g. "apt-get clean" */
	const char **cleans; /* for DKO_PV_CLEAN: dirs this op removes */
	uint32_t ncleans;
	const char *output;  /* for BUILD: -o target / artifact dir when known */
	const char *wrapper; /* the user wrapper pattern that matched, or NULL */
	uint32_t cmd_index;  /* into dko_sh_cmd_at() */
	dko_span span;       /* script offsets of the command */
} dko_pkg_op;

/* ENV/ARG values visible to the RUN, for PIP_NO_CACHE_DIR and friends.
 * lookup returns NULL for an unset name. */
typedef struct dko_pkg_env {
	const char *(*lookup)(void *ctx, const char *name);
	void *ctx;
} dko_pkg_env;

typedef struct dko_pkg_table dko_pkg_table; /* recognition table: built-in + user wrappers */

/* The built-in table (caller frees with dko_pkg_table_free). Returns 0. */
int dko_pkg_table_new(dko_pkg_table **out);
/* Add a user wrapper: commands whose argv[0] (as written, after unwrapping
 * sudo/env...) matches the PCRE2 pattern are manager+verb, their operands the
 * packages. Wrappers are tried before the built-in managers, in the order
 * added. A bad pattern is DKO_ECONFIG with a message; DKO_EINVAL for a
 * manager or verb out of range. */
int dko_pkg_table_add_wrapper(dko_pkg_table *t, const char *pcre2_pattern, dko_pm manager,
                              dko_pkg_verb verb);
void dko_pkg_table_free(dko_pkg_table *t);

/*
 * Recognise the package operations of script s, in command order (several
 * per command when one rm cleans the caches of several managers). t may be
 * NULL (the built-in table, built once per call), env may be NULL. *ops and
 * everything it points to live in the script's arena: valid until
 * dko_sh_free(s), nothing to free. An opaque script has no operations.
 * Returns 0.
 */
int dko_pkg_analyze(dko_pkg_op **ops, size_t *nops, const dko_sh_script *s, const dko_pkg_table *t,
                    const dko_pkg_env *env);

/* Whether CLEAN operation op removes dir (a path as in dko_pkg_op.leaves). */
bool dko_pkg_cleans(const dko_pkg_op *op, const char *dir);

/* Names: "apt", "pip", ...; "install", "clean", ... ("" when out of range). */
const char *dko_pm_name(dko_pm pm);
const char *dko_pkg_verb_name(dko_pkg_verb v);
/* Inverse of the two above (a config file's "manager: apt"): 0 or DKO_ENOTFOUND. */
int dko_pm_lookup(dko_pm *out, const char *name);
int dko_pkg_verb_lookup(dko_pkg_verb *out, const char *name);

/* One operation as a line: (pkg apt install (packages ...) (flags ...) ...). */
void dko_pkg_op_dump(dko_buf *out, const dko_pkg_op *op);

#endif
