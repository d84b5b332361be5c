/*
 * pass_npm_yarn_cache.c - npm-yarn-cache (DL3060 for yarn; npm and pnpm
 * alike): a RUN that installs node packages in a shipped stage cleans the
 * package manager's cache at its end (`npm cache clean --force`, `yarn cache
 * clean`, `pnpm store prune`), unless a cache mount holds it.
 */
#include "cleanup.h"

static const dko_pm node[] = {DKO_PM_NPM, DKO_PM_YARN, DKO_PM_PNPM};

static const dko_cleanup_rule rules[] = {{
	.mode = DKO_CLEANUP_APPEND,
	.managers = node,
	.nmanagers = 3,
	.leaving_verb = DKO_PV_NONE,
	.is_index = false,
	.needs_install = true,
	.what = "the npm/yarn/pnpm cache",
}};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 1);
}

const dko_pass dko_pass_npm_yarn_cache = {
	{"npm-yarn-cache", "DL3060", DKO_TIER_SAFE,
	 "Clean the npm/yarn cache in the RUN that installs.",
	 "npm, yarn and pnpm keep every downloaded package in a cache (~/.npm,\n"
	 "~/.cache/yarn, the pnpm store) that an image never uses again. Cleaning it in the\n"
	 "same RUN keeps it out of the layer. `yarn cache clean` is added only when the\n"
	 "build context proves Yarn 1: in Yarn 2+ it deletes the project's own cache, which\n"
	 "Plug'n'Play loads every dependency from.\n"
	 "\n"
	 "Before:\n"
	 "  RUN npm ci --omit=dev\n"
	 "After:\n"
	 "  RUN npm ci --omit=dev && npm cache clean --force\n"},
	run,
};
