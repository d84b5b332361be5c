/*
 * cmd_rules.c - `dockopt rules` lists the rules; `dockopt explain RULE`
 * prints one rule's rationale with a before/after example.
 */
#include "cmd.h"
#include "dockopt/fix.h"

#include <string.h>

int cmd_rules(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: dockopt rules\n\nList the rules: id, hadolint id, tier, reason.");
		return EXIT_CLEAN;
	}
	if (argc > 1) {
		fprintf(stderr, "dockopt rules: unexpected argument '%s'\nusage: dockopt rules\n", argv[1]);
		return EXIT_FAIL;
	}
	printf("%-20s %-22s %-11s %s\n", "RULE", "HADOLINT", "TIER", "REASON");
	for (size_t i = 0; i < dko_rule_count(); i++) {
		const dko_rule_info *r = dko_rule_at(i);
		printf("%-20s %-22s %-11s %s\n", r->id, r->hadolint ? r->hadolint : "-",
		       r->tier == DKO_TIER_SAFE ? "safe" : "aggressive", r->title);
	}
	return EXIT_CLEAN;
}

int cmd_explain(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs("usage: dockopt explain RULE\n\nExplain a rule (dockopt id or hadolint id).\n",
		      argc == 2 ? stdout : stderr);
		return argc == 2 ? EXIT_CLEAN : EXIT_FAIL;
	}
	const dko_rule_info *r = dko_rule_find(argv[1]);
	if (!r) {
		fprintf(stderr, "dockopt explain: unknown rule '%s' (see `dockopt rules`)\n", argv[1]);
		return EXIT_FAIL;
	}
	printf("%s%s%s (%s)\n\n%s\n\n%s", r->id, r->hadolint ? " / " : "", r->hadolint ? r->hadolint : "",
	       r->tier == DKO_TIER_SAFE ? "safe" : "aggressive, opt-in with --aggressive", r->title,
	       r->explain);
	size_t n = strlen(r->explain);
	if (n && r->explain[n - 1] != '\n')
		putchar('\n');
	return EXIT_CLEAN;
}
