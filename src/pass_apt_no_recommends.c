/*
 * pass_apt_no_recommends.c - apt-no-recommends (DL3015, aggressive): `apt-get
 * install` gets --no-install-recommends. It changes what gets installed
 * (recommended packages are left out), so it only runs when asked for.
 */
#include "cleanup.h"

static const dko_pm apt[] = {DKO_PM_APT};

static const dko_cleanup_rule rules[] = {{
	.mode = DKO_CLEANUP_FLAG,
	.managers = apt,
	.nmanagers = 1,
	.flag = "--no-install-recommends",
	.flag_verb = DKO_PV_INSTALL,
	.flag_is_no_recommends = true,
	.conflicts = "--install-recommends", /* asked for on purpose */
	.what = "recommended packages are no longer installed",
}};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 1);
}

const dko_pass dko_pass_apt_no_recommends = {
	{"apt-no-recommends", "DL3015", DKO_TIER_AGGRESSIVE,
	 "Install without recommended packages (changes what gets installed).",
	 "apt installs a package's Recommends by default, often doubling what lands in the\n"
	 "image. --no-install-recommends installs only hard dependencies. Something the image\n"
	 "relied on may have come in as a recommendation, so this rule is aggressive: run it\n"
	 "with --aggressive, ideally with --verify.\n"
	 "\n"
	 "Before:\n"
	 "  RUN apt-get update && apt-get install -y curl\n"
	 "After:\n"
	 "  RUN apt-get update && apt-get install -y --no-install-recommends curl\n"},
	run,
};
