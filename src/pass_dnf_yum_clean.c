/*
 * pass_dnf_yum_clean.c - dnf-yum-clean (DL3032 yum, DL3040 dnf, DL3036
 * zypper): a RUN that installs with dnf, yum, microdnf or zypper cleans the
 * package cache at its end (`dnf clean all`, `yum clean all`, `microdnf
 * clean all`, `zypper clean -a`), chained with &&.
 */
#include "cleanup.h"

static const dko_pm rpm[] = {DKO_PM_DNF, DKO_PM_YUM, DKO_PM_MICRODNF, DKO_PM_ZYPPER};

static const dko_cleanup_rule rules[] = {{
	.mode = DKO_CLEANUP_APPEND,
	.managers = rpm,
	.nmanagers = 4,
	.leaving_verb = DKO_PV_NONE,
	.is_index = false,
	.needs_install = true,
	.what = "the package manager's cache and metadata",
}};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 1);
}

const dko_pass dko_pass_dnf_yum_clean = {
	{"dnf-yum-clean", "DL3032,DL3040,DL3036", DKO_TIER_SAFE,
	 "Clean the dnf/yum/zypper cache in the RUN that installs.",
	 "dnf, yum, microdnf and zypper keep metadata and downloaded packages under\n"
	 "/var/cache (often 100 MB or more). Cleaning them in the same RUN, after the install,\n"
	 "keeps them out of the layer; && keeps a failed install failing the build.\n"
	 "\n"
	 "Before:\n"
	 "  RUN dnf install -y httpd\n"
	 "After:\n"
	 "  RUN dnf install -y httpd && dnf clean all\n"},
	run,
};
