/*
 * test_graph.c - stages, targets, shipped/reachable sets, variable scoping
 * and word expansion.
 */
#include "testutil.h"

#include "graph.h"

#include <stdlib.h>
#include <string.h>

static dko_doc *parse(const char *s)
{
	dko_doc *d;
	assert_int_equal(dko_parse(&d, s, strlen(s), NULL), 0);
	return d;
}

static const char multi[] = "FROM golang:1.22 AS build\nRUN go build -o /app\n"
                            "FROM build AS test\nRUN go test\n"
                            "FROM debian:bookworm-slim AS runtime\nCOPY --from=build /app /app\n"
                            "FROM runtime AS debug\nRUN apt-get install -y gdb\n";

static void test_graph__default_target(void **state)
{
	(void)state;
	dko_doc *d = parse(multi);
	dko_graph *g;
	assert_int_equal(dko_graph_build(&g, d, NULL), 0);
	assert_int_equal(dko_graph_stage_count(g), 4);
	/* Last stage is the target: debug ships itself and runtime (its base). */
	assert_true(dko_graph_stage(g, 3)->is_target);
	assert_true(dko_graph_stage(g, 3)->shipped);
	assert_true(dko_graph_stage(g, 2)->shipped);
	/* build is only a COPY --from source: reachable, not shipped. */
	assert_true(dko_graph_stage(g, 0)->reachable);
	assert_false(dko_graph_stage(g, 0)->shipped);
	assert_false(dko_graph_stage(g, 1)->reachable);
	assert_int_equal(dko_graph_stage(g, 2)->ndeps, 1);
	assert_int_equal(dko_graph_stage_lookup(g, "BUILD"), 0);
	assert_int_equal(dko_graph_stage_lookup(g, "2"), 2);
	assert_int_equal(dko_graph_stage_lookup(g, "nope"), -1);
	dko_graph_free(g);
	dko_doc_free(d);
}

static void test_graph__targets(void **state)
{
	(void)state;
	dko_doc *d = parse(multi);
	const char *targets[] = {"test"};
	dko_profile p = {0};
	p.targets = targets;
	p.ntargets = 1;
	dko_graph *g;
	assert_int_equal(dko_graph_build(&g, d, &p), 0);
	assert_true(dko_graph_stage(g, 1)->shipped);
	assert_true(dko_graph_stage(g, 0)->shipped); /* test is built FROM build */
	assert_false(dko_graph_stage(g, 3)->reachable);
	assert_ptr_equal(dko_graph_final(g), dko_graph_stage(g, 1));
	dko_graph_free(g);
	const char *bad[] = {"missing"};
	p.targets = bad;
	assert_int_equal(dko_graph_build(&g, d, &p), DKO_EINVAL);
	assert_string_equal(dko_error_last(), "target stage 'missing' not found");
	dko_graph_free(g);
	/* Configured never-shipped names. */
	const char *un[] = {"^debian:"};
	p.targets = NULL;
	p.ntargets = 0;
	p.unshipped = un;
	p.nunshipped = 1;
	assert_int_equal(dko_graph_build(&g, d, &p), 0);
	assert_false(dko_graph_stage(g, 2)->shipped);
	dko_graph_free(g);
	dko_doc_free(d);
}

static void test_graph__state(void **state)
{
	(void)state;
	/* Within one ENV, values see the state before it (B's $A is the base
	 * image's, unknown); the next ENV sees A. */
	dko_doc *d = parse("ARG V=1\nFROM a:$V\nARG V\nENV A=x B=${A}y\nENV C=${A}y\nWORKDIR /w\n"
	                   "WORKDIR s\nUSER 1000\nRUN true\n");
	const char *args[] = {"V=2"};
	dko_profile p = {0};
	p.build_args = args;
	p.nbuild_args = 1;
	dko_graph *g;
	assert_int_equal(dko_graph_build(&g, d, &p), 0);
	assert_string_equal(dko_graph_stage(g, 0)->base_expanded, "a:2");
	const dko_ginstr *run = dko_graph_instr(g, 8);
	assert_string_equal(run->state.workdir, "/w/s");
	assert_string_equal(run->state.user, "1000");
	assert_string_equal(dko_state_lookup(&run->state, "V"), "2");
	assert_null(dko_state_lookup(&run->state, "B"));
	assert_true(dko_state_defines(&run->state, "B"));
	assert_string_equal(dko_state_lookup(&run->state, "C"), "xy");
	assert_null(dko_state_lookup(&run->state, "PATH"));
	dko_graph_free(g);
	dko_doc_free(d);
}

static const char *lookup(void *ctx, const char *name, bool *unknown)
{
	(void)ctx;
	if (!strcmp(name, "X"))
		return "ex";
	if (!strcmp(name, "E"))
		return "";
	if (!strcmp(name, "U"))
		*unknown = true;
	return NULL;
}

static void test_graph__expand(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"a$X", "aex"},         {"${X}b", "exb"},       {"${N:-d}", "d"},
		{"${E:-d}", "d"},       {"${E-d}", ""},         {"${X:+y}", "y"},
		{"${N:+y}", ""},        {"'$X'", "$X"},         {"\"$X y\"", "ex y"},
		{"a\\ b", "a b"},       {"$", "$"},             {"${U}", NULL},
		{"$U", NULL},           {"${X/a/b}", NULL},     {"\"unterminated", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = dko_expand_word(cases[i].in, strlen(cases[i].in), '\\', lookup, NULL);
		if (cases[i].out == NULL) {
			if (r) {
				print_error("%s: expected failure, got %s\n", cases[i].in, r);
				fail();
			}
		} else {
			if (!r || strcmp(r, cases[i].out)) {
				print_error("%s: got %s, expected %s\n", cases[i].in, r ? r : "(null)", cases[i].out);
				fail();
			}
		}
		free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph__default_target),
		cmocka_unit_test(test_graph__targets),
		cmocka_unit_test(test_graph__state),
		cmocka_unit_test(test_graph__expand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
