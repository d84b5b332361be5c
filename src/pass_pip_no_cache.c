/*
 * pass_pip_no_cache.c - pip-no-cache (DL3042): `pip install` gets
 * --no-cache-dir, so no wheel cache (~/.cache/pip) stays in the layer.
 * Skipped when PIP_NO_CACHE_DIR is set, a cache mount covers the cache, or
 * the stage is not shipped.
 */
#include "cleanup.h"

static const dko_pm pip[] = {DKO_PM_PIP};

static const dko_cleanup_rule rules[] = {{
	.mode = DKO_CLEANUP_FLAG,
	.managers = pip,
	.nmanagers = 1,
	.flag = "--no-cache-dir",
	.flag_verb = DKO_PV_INSTALL,
	.conflicts = "--cache-dir", /* a cache chosen on purpose */
	.what = "no pip cache in the layer",
}};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 1);
}

const dko_pass dko_pass_pip_no_cache = {
	{"pip-no-cache", "DL3042", DKO_TIER_SAFE,
	 "Use pip install --no-cache-dir: the wheel cache is useless in an image.",
	 "pip keeps downloaded wheels in ~/.cache/pip; in an image that cache is never used\n"
	 "again and only adds size. --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1) avoids it.\n"
	 "\n"
	 "Before:\n"
	 "  RUN pip install -r requirements.txt\n"
	 "After:\n"
	 "  RUN pip install --no-cache-dir -r requirements.txt\n"},
	run,
};
