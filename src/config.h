/*
 * config.h - .dockopt.yml: rules on or off, the tier, and PCRE2 patterns
 * (extra Dockerfile names, install wrappers mapped to a package manager,
 * stage or image names never shipped, toolchain images for multi-stage).
 * Found from the Dockerfile's folder upward; read with libyaml. A bad file
 * or pattern is DKO_ECONFIG with a message naming the file, line and key.
 *
 *   tier: safe                  # or aggressive
 *   rules:
 *     merge-runs: off           # on/off (also true/false, yes/no)
 *     apt-no-recommends: on     # an aggressive rule can be enabled alone
 *   ignore: [DL3059]            # rule ids or hadolint ids
 *   dockerfiles: ['^build\.docker$']          # extra file names for directory walks
 *   wrappers:
 *     - {pattern: '^install_packages$', manager: apt}        # verb: install (default)
 *     - {pattern: 'scripts/apt-install\.sh$', manager: apt, verb: install}
 *   unshipped: ['^test(-|$)', 'ci-tools']     # stage or image names never shipped
 *   toolchains:
 *     - {pattern: '^registry\.example\.com/go-builder', runtime: 'debian:bookworm-slim'}
 */
#ifndef DKO_CONFIG_H
#define DKO_CONFIG_H

#include "dockopt/fix.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dko_config_wrapper {
	const char *pattern;
	const char *manager; /* e.g. "apt" */
	const char *verb;    /* e.g. "install" */
} dko_config_wrapper;

typedef struct dko_config_toolchain {
	const char *pattern;
	const char *runtime;
} dko_config_toolchain;

struct dko_pkg_table;

/* Search start_dir and its parents for .dockopt.yml (or .dockopt.yaml).
 * *path is NULL (and 0 returned) when there is none; else malloc'd. */
int dko_config_find(char **path, const char *start_dir);
/* Load a config file. */
int dko_config_load(dko_config **out, const char *path);
/* Load from text (path only names it in messages). */
int dko_config_parse(dko_config **out, const char *path, const char *text, size_t len);
void dko_config_free(dko_config *c);

const char *dko_config_path(const dko_config *c);
/* 1 on, 0 off, -1 not set. */
int dko_config_rule_setting(const dko_config *c, const dko_rule_info *rule);
bool dko_config_aggressive(const dko_config *c);
void dko_config_ignored(const dko_config *c, const char ***ids, size_t *n);
void dko_config_dockerfiles(const dko_config *c, const char ***patterns, size_t *n);
void dko_config_unshipped(const dko_config *c, const char ***patterns, size_t *n);
void dko_config_wrappers(const dko_config *c, const dko_config_wrapper **w, size_t *n);
void dko_config_toolchains(const dko_config *c, const dko_config_toolchain **t, size_t *n);
/* The package recognition table with the wrappers added (owned by the config). */
const struct dko_pkg_table *dko_config_pkg_table(const dko_config *c);

#endif
