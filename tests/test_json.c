/*
 * test_json.c - the JSON reader: values, escapes, errors with positions.
 */
#include "testutil.h"

#include "json.h"
#include "util/buf.h"
#include "util/error.h"
#include "dockopt/common.h"

#include <string.h>

static void test_json__values(void **state)
{
	(void)state;
	const char *t = "{\"name\":\"app\",\"n\":-1.5e2,\"ok\":true,\"no\":null,"
	                "\"scripts\":{\"build\":\"tsc\"},\"a\":[1,\"\\u00e9\\ud83d\\ude00\\n\"],\"name\":\"last\"}";
	dko_json_doc *doc;
	assert_int_equal(dko_json_parse(&doc, t, strlen(t)), 0);
	const dko_json *r = dko_json_root(doc);
	assert_int_equal(r->type, DKO_JSON_OBJECT);
	assert_string_equal(dko_json_string(dko_json_get(r, "name")), "last");
	assert_true(dko_json_get(r, "n")->number == -150.0);
	assert_true(dko_json_get(r, "ok")->boolean);
	assert_int_equal(dko_json_get(r, "no")->type, DKO_JSON_NULL);
	assert_string_equal(dko_json_string(dko_json_path(r, "scripts.build")), "tsc");
	assert_null(dko_json_path(r, "scripts.test"));
	const dko_json *a = dko_json_get(r, "a");
	assert_int_equal(a->len, 2);
	assert_string_equal(a->items[1]->str, "\xc3\xa9\xf0\x9f\x98\x80\n");
	dko_json_doc_free(doc);
}

static void test_json__errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"{\"a\":1,}", "1:8: expected a member name"},
		{"[1 2]", "1:4: expected ',' or ']'"},
		{"\"abc", "1:5: unterminated string"},
		{"{\"a\":\n tru}", "2:2: unexpected character"},
		{"[1] x", "1:5: trailing characters after the value"},
		{"", "1:1: unexpected end of input"},
		{"\"\\x\"", "1:3: bad escape in string"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dko_json_doc *doc;
		assert_int_equal(dko_json_parse(&doc, bad[i].text, strlen(bad[i].text)), DKO_EPARSE);
		assert_null(doc);
		assert_string_equal(dko_error_last(), bad[i].msg);
	}
	/* Deep nesting is an error, not a stack overflow. */
	char deep[4001];
	memset(deep, '[', 4000);
	deep[4000] = '\0';
	dko_json_doc *doc;
	assert_int_equal(dko_json_parse(&doc, deep, 4000), DKO_EPARSE);
	assert_non_null(strstr(dko_error_last(), "nesting too deep"));
}

/* An error message that wraps the previous one (as the GitHub client does
 * for a bad answer) keeps it intact. */
static void test_json__error_wraps_last(void **state)
{
	(void)state;
	dko_error_set(DKO_EINVAL, "bad JSON at 1:2");
	dko_error_set(DKO_EHTTP, "GitHub API: bad JSON in the answer: %s", dko_error_last());
	assert_string_equal(dko_error_last(), "GitHub API: bad JSON in the answer: bad JSON at 1:2");
	dko_error_clear();
}

/* JSON strings are UTF-8: invalid bytes become \ufffd, valid ones pass. */
static void test_json__invalid_utf8(void **state)
{
	(void)state;
	dko_buf b = DKO_BUF_INIT;
	const char in[] = "Ren\xe9 \xc3\xa9 \xff";
	dko_buf_put_json_str(&b, in, sizeof(in) - 1);
	assert_string_equal(dko_buf_cstr(&b), "\"Ren\\ufffd \xc3\xa9 \\ufffd\"");
	dko_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__values),
		cmocka_unit_test(test_json__errors),
		cmocka_unit_test(test_json__error_wraps_last),
		cmocka_unit_test(test_json__invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
