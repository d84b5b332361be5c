/*
 * pass_apk_no_cache.c - apk-no-cache (DL3019): `apk add` gets --no-cache, so
 * that it fetches a fresh index and leaves neither the index nor packages in
 * /var/cache/apk; a RUN that still runs `apk update` removes the index it
 * fetched at its end (unless a later consumer needs it, see cleanup.h).
 */
#include "cleanup.h"

static const dko_pm apk[] = {DKO_PM_APK};

static const dko_cleanup_rule rules[] = {
	{
		.mode = DKO_CLEANUP_FLAG,
		.managers = apk,
		.nmanagers = 1,
		.flag = "--no-cache",
		.flag_verb = DKO_PV_INSTALL,
		/* --no-network installs from the local cache only; explicit cache
		 * options mean the cache is managed on purpose. */
		.conflicts = "--no-network|--cache-dir|--cache-max-age",
		.what = "no apk index or package cache in the layer",
	},
	{
		.mode = DKO_CLEANUP_APPEND,
		.managers = apk,
		.nmanagers = 1,
		.leaving_verb = DKO_PV_UPDATE,
		.is_index = true,
		.needs_install = false,
		.what = "the apk index",
	},
};

static int run(dko_pass_ctx *c)
{
	return dko_cleanup_run(c, rules, 2);
}

const dko_pass dko_pass_apk_no_cache = {
	{"apk-no-cache", "DL3019", DKO_TIER_SAFE,
	 "Use apk add --no-cache: no index or package cache left in the layer.",
	 "`apk add --no-cache` downloads a fresh index for the install and keeps nothing in\n"
	 "/var/cache/apk, so `apk update` is no longer needed and nothing stays behind.\n"
	 "Where a RUN still runs `apk update`, the index it fetched is removed at its end.\n"
	 "\n"
	 "Before:\n"
	 "  RUN apk update && apk add curl\n"
	 "After:\n"
	 "  RUN apk update && apk add --no-cache curl && rm -rf /var/cache/apk/*\n"},
	run,
};
