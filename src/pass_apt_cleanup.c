/*
 * pass_apt_cleanup.c - apt-cleanup (DL3009): a RUN that runs `apt-get
 * update` and installs also deletes the package lists it fetched, in the
 * same RUN, after the install: `... && rm -rf /var/lib/apt/lists/...`.
 * The lists (tens of MB) otherwise stay in the layer for good. Skipped when
 * a cache mount holds them, in stages that are not shipped, and when a later
 * RUN (or a stage built FROM this one, or ONBUILD) installs without its own
 * `apt-get update`: it needs those lists.
 */
#include "cleanup.h"

static const dko_pm apt[] = {DKO_PM_APT};

static const dko_cleanup_rule rules[] = {{
	.mode = DKO_CLEANUP_APPEND,
	.managers = apt,
	.nmanagers = 1,
	.leaving_verb = DKO_PV_UPDATE,
	.is_index = true,
	.needs_install = true,
	.what = "the apt package lists",
}};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 1);
}

const dko_pass dko_pass_apt_cleanup = {
	{"apt-cleanup", "DL3009", DKO_TIER_SAFE,
	 "Delete the apt lists after installing: they stay in the layer otherwise.",
	 "`apt-get update` downloads package lists into /var/lib/apt/lists (often 20-50 MB).\n"
	 "Deleting them in a later RUN does not shrink the image: the earlier layer keeps them.\n"
	 "They must go in the same RUN, after the install, chained with && so that a failed\n"
	 "install still fails the build. dockopt leaves the lists when a cache mount holds\n"
	 "them, in stages that are not shipped, and when a later RUN installs without its own\n"
	 "`apt-get update`.\n"
	 "\n"
	 "Before:\n"
	 "  RUN apt-get update && apt-get install -y curl\n"
	 "After:\n"
	 "  RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"},
	run,
};
