/*
 * test_parse.c - unit tests of the Dockerfile parser: dumps of small inputs
 * (each also checked with CRLF line endings and without a final newline),
 * lossless printing, tokens, spans and diagnostics.
 */
#include "testutil.h"

#include "cst.h"
#include "dockopt/doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pcase {
	const char *name;
	const char *input;
	const char *dump;  /* expected dump, or NULL when parsing must fail */
	const char *error; /* expected first error message (substring) */
} pcase;

static const pcase cases[] = {
	{"from_as", "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
	 "(from [\"--platform=$BUILDPLATFORM\"] \"golang:1.22\" \"AS\" \"build\")\n", NULL},
	{"keyword_case", "from alpine\nRuN echo hi\n", "(from \"alpine\")\n(run \"echo hi\")\n", NULL},
	{"run_shell", "FROM a\nRUN apt-get update && apt-get install -y curl\n",
	 "(from \"a\")\n(run \"apt-get update && apt-get install -y curl\")\n", NULL},
	{"run_exec", "FROM a\nRUN [\"sh\", \"-c\", \"echo\"]\n",
	 "(from \"a\")\n(run \"sh\" \"-c\" \"echo\")\n", NULL},
	{"run_mount", "FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none make\n",
	 "(from \"a\")\n(run [\"--mount=type=cache,target=/root/.cache\" \"--network=none\"] \"make\")\n",
	 NULL},
	{"continuation", "FROM a\nRUN a \\\n  && b \\\n  && c\n",
	 "(from \"a\")\n(run \"a   && b   && c\")\n", NULL},
	{"continuation_comment", "FROM a\nRUN a \\\n# comment\n  b\n", "(from \"a\")\n(run \"a   b\")\n",
	 NULL},
	{"continuation_empty_line", "FROM a\nRUN a \\\n\n  b\n", "(from \"a\")\n(run \"a   b\")\n", NULL},
	{"continuation_eof", "FROM a\nRUN a \\", "(from \"a\")\n(run \"a\")\n", NULL},
	{"escaped_escape", "FROM a\nRUN echo \\\\\nRUN b\n",
	 "(from \"a\")\n(run \"echo \\\\\\\\\")\n(run \"b\")\n", NULL},
	{"escape_backtick", "# escape=`\nFROM a\nRUN dir `\n  c:\\\n",
	 "(from \"a\")\n(run \"dir   c:\\\\\")\n", NULL},
	{"directive_case", "# ESCAPE = `\nFROM a\nRUN x `\n y\n", "(from \"a\")\n(run \"x  y\")\n", NULL},
	{"directive_after_comment", "# hello\n# escape=`\nFROM a\nRUN x \\\n y\n",
	 "(from \"a\")\n(run \"x  y\")\n", NULL},
	{"directive_repeated", "# escape=\\\n# escape=`\nFROM a\n", NULL,
	 "only one escape parser directive can be used"},
	{"directive_bad_escape", "# escape=x\nFROM a\n", NULL, "invalid escape token 'x'"},
	{"syntax_check", "# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n", "(from \"a\")\n",
	 NULL},
	{"env_forms", "FROM a\nENV A 1 2\nENV B=\"x y\" C=z\n",
	 "(from \"a\")\n(env \"A\" \"1 2\" \"\")\n(env \"B\" \"\\\"x y\\\"\" \"=\" \"C\" \"z\" \"=\")\n", NULL},
	{"env_missing_value", "FROM a\nENV A\n", NULL, "ENV must have two arguments"},
	{"env_missing_equals", "FROM a\nENV A=1 B\n", NULL, "can't find = in \"B\""},
	{"label", "FROM a\nLABEL a=b \"c d\"=e\n",
	 "(from \"a\")\n(label \"a\" \"b\" \"=\" \"\\\"c d\\\"\" \"e\" \"=\")\n", NULL},
	{"arg", "ARG V=1\nFROM a:$V\nARG X\n", "(arg \"V=1\")\n(from \"a:$V\")\n(arg \"X\")\n", NULL},
	{"copy_flags",
	 "FROM a\nCOPY --from=b --chown=1:1 --chmod=755 --link --parents --exclude=*.md x /y/\n",
	 "(from \"a\")\n(copy [\"--from=b\" \"--chown=1:1\" \"--chmod=755\" \"--link\" \"--parents\" "
	 "\"--exclude=*.md\"] \"x\" \"/y/\")\n",
	 NULL},
	{"add_checksum", "FROM a\nADD --checksum=sha256:ab --keep-git-dir=true http://x/y /z\n",
	 "(from \"a\")\n(add [\"--checksum=sha256:ab\" \"--keep-git-dir=true\"] \"http://x/y\" \"/z\")\n",
	 NULL},
	{"double_dash", "FROM a\nCOPY -- --weird /x\n", "(from \"a\")\n(copy \"--weird\" \"/x\")\n", NULL},
	{"shell_json_invalid", "FROM a\nSHELL [\"powershell\", \n", "(from \"a\")\n(shell \"[\\\"powershell\\\",\")\n",
	 NULL},
	{"json_nested", "FROM a\nCMD [\"a\", [\"b\"]]\n", NULL, "arrays must be comprised of strings only"},
	{"json_number", "FROM a\nCMD [\"a\", 1]\n", NULL, "arrays must be comprised of strings only"},
	{"json_escapes", "FROM a\nCMD [\"\\u00e9\\n\\/\"]\n", "(from \"a\")\n(cmd \"é\\n/\")\n", NULL},
	{"healthcheck", "FROM a\nHEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\nHEALTHCHECK NONE\n",
	 "(from \"a\")\n(healthcheck [\"--interval=5s\"] \"CMD\" \"curl -f http://x/ || exit 1\")\n"
	 "(healthcheck \"NONE\")\n",
	 NULL},
	{"onbuild", "FROM a\nONBUILD RUN echo hi\nONBUILD COPY --from=x a b\n",
	 "(from \"a\")\n(onbuild (run \"echo hi\"))\n(onbuild (copy [\"--from=x\"] \"a\" \"b\"))\n", NULL},
	{"misc", "FROM a\nEXPOSE 80/tcp 443\nVOLUME [\"/data\"]\nVOLUME /a /b\nUSER app:app\n"
	         "WORKDIR /src\nSTOPSIGNAL SIGTERM\nMAINTAINER me <me@x>\nENTRYPOINT [\"/bin/app\"]\n",
	 "(from \"a\")\n(expose \"80/tcp\" \"443\")\n(volume \"/data\")\n(volume \"/a\" \"/b\")\n"
	 "(user \"app:app\")\n(workdir \"/src\")\n(stopsignal \"SIGTERM\")\n(maintainer \"me <me@x>\")\n"
	 "(entrypoint \"/bin/app\")\n",
	 NULL},
	{"unknown", "FROM a\nFOO bar\n", NULL, "unknown instruction: FOO"},
	{"heredoc_run", "FROM a\nRUN <<EOF\necho hi\nEOF\nRUN b\n",
	 "(from \"a\")\n(run \"<<EOF\")\n(run \"b\")\n", NULL},
	{"heredoc_two", "FROM a\nCOPY <<A <<B /d/\n1\nA\n2\nB\n", "(from \"a\")\n(copy \"<<A\" \"<<B\" \"/d/\")\n",
	 NULL},
	{"heredoc_chomp", "FROM a\nRUN <<-EOF\n\techo\n\tEOF\nRUN b\n", "(from \"a\")\n(run \"<<-EOF\")\n(run \"b\")\n",
	 NULL},
	{"heredoc_unterminated", "FROM a\nRUN <<EOF\necho\n", NULL, "unterminated heredoc"},
	{"heredoc_quoted_not", "FROM a\nRUN echo '<<EOF'\nRUN b\n",
	 "(from \"a\")\n(run \"echo '<<EOF'\")\n(run \"b\")\n", NULL},
	{"heredoc_json_not", "FROM a\nRUN [\"<<EOF\"]\nRUN b\n", "(from \"a\")\n(run \"<<EOF\")\n(run \"b\")\n",
	 NULL},
	{"empty", "", NULL, "file with no instructions"},
	{"only_comments", "# a\n\n# b\n", NULL, "file with no instructions"},
	{"binary", "FROM a\nRUN \0x\n", NULL, "binary file"},
	{"bom", "\xEF\xBB\xBF# escape=`\nFROM a\n", "(from \"a\")\n", NULL},
	{"trailing_spaces", "FROM a   \t\nRUN x \\   \n  y\t\n", "(from \"a\")\n(run \"x   y\")\n", NULL},
	{"invalid_utf8", "FROM a\nRUN echo \xff\xfe\n", "(from \"a\")\n(run \"echo \\xff\\xfe\")\n", NULL},
};

static char *crlf(const char *s, size_t n, size_t *outn)
{
	char *o = malloc(n * 2 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			o[k++] = '\r';
		o[k++] = s[i];
	}
	o[k] = '\0';
	*outn = k;
	return o;
}

static void check_one(const pcase *c, const char *in, size_t n, const char *variant)
{
	dko_doc *doc = NULL;
	int rc = dko_parse(&doc, in, n, &(dko_parse_opts){.filename = "Dockerfile"});
	assert_non_null(doc);
	/* Lossless whatever happened. */
	char *out;
	size_t olen;
	dko_doc_print(&out, &olen, doc);
	if (olen != n || memcmp(out, in, n) != 0) {
		print_error("%s (%s): print differs from input\n", c->name, variant);
		fail();
	}
	free(out);
	if (dko_cst_check(doc) != 0) {
		print_error("%s (%s): %s\n", c->name, variant, dko_error_last());
		fail();
	}
	if (c->dump) {
		if (rc != 0) {
			print_error("%s (%s): unexpected error %s\n", c->name, variant, dko_error_last());
			fail();
		}
		char *d;
		size_t dl;
		dko_doc_dump(&d, &dl, doc);
		if (strcmp(d, c->dump) != 0) {
			print_error("%s (%s): dump\n%s\nexpected\n%s\n", c->name, variant, d, c->dump);
			fail();
		}
		free(d);
	} else {
		assert_int_equal(rc, DKO_EPARSE);
		if (!strstr(dko_error_last(), c->error)) {
			print_error("%s (%s): error '%s' lacks '%s'\n", c->name, variant, dko_error_last(),
			            c->error);
			fail();
		}
		assert_non_null(strstr(dko_error_last(), "Dockerfile:"));
	}
	dko_doc_free(doc);
}

static size_t case_len(const pcase *c)
{
	/* The binary case holds a NUL: its length is written out. */
	if (!strcmp(c->name, "binary"))
		return sizeof("FROM a\nRUN \0x\n") - 1;
	return strlen(c->input);
}

static void test_parse__cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const pcase *c = &cases[i];
		size_t n = case_len(c);
		check_one(c, c->input, n, "lf");
		size_t cn;
		char *cr = crlf(c->input, n, &cn);
		check_one(c, cr, cn, "crlf");
		/* Without the final newline. */
		if (n && c->input[n - 1] == '\n')
			check_one(c, c->input, n - 1, "no-eol");
		if (cn && cr[cn - 1] == '\n')
			check_one(c, cr, cn - 2, "crlf-no-eol");
		free(cr);
	}
}

static void test_parse__error_position(void **state)
{
	(void)state;
	const char *in = "FROM a\n\n  RUN ok\n  BOGUS x\n";
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, in, strlen(in), &(dko_parse_opts){"df"}), DKO_EPARSE);
	assert_string_equal(dko_error_last(), "df:4:3: error: unknown instruction: BOGUS");
	dko_doc_free(doc);
	in = "FROM a\nRUN <<EOF cat\nx\n";
	assert_int_equal(dko_parse(&doc, in, strlen(in), &(dko_parse_opts){"df"}), DKO_EPARSE);
	assert_string_equal(dko_error_last(), "df:2:5: error: unterminated heredoc");
	dko_doc_free(doc);
}

static void test_parse__tokens_and_spans(void **state)
{
	(void)state;
	const char *in = "FROM a\nRUN echo \\\n  # c\n  hi\nCOPY <<EOF /x\nbody\nEOF\n";
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, in, strlen(in), NULL), 0);
	assert_int_equal(doc->nnodes, 3);
	const dko_node *run = &doc->nodes[1];
	assert_int_equal(run->kind, DKO_NODE_INSTR);
	assert_int_equal(run->instr->kind, DKO_I_RUN);
	assert_int_equal(run->line, 2);
	assert_string_equal(run->instr->text, "RUN echo   hi");
	/* "hi" maps back to its source bytes across the continuation. */
	const char *hi = strstr(run->instr->text, "hi");
	uint32_t p = dko_node_phys(run, (uint32_t)(hi - run->instr->text));
	assert_memory_equal(in + p, "hi\n", 3);
	bool saw_comment = false, saw_cont = false, saw_kw = false;
	for (uint32_t i = run->tok_first; i < run->tok_first + run->tok_count; i++) {
		saw_comment |= doc->toks[i].kind == DKO_TOK_COMMENT;
		saw_cont |= doc->toks[i].kind == DKO_TOK_CONT;
		saw_kw |= doc->toks[i].kind == DKO_TOK_KEYWORD;
	}
	assert_true(saw_comment && saw_cont && saw_kw);
	const dko_node *cp = &doc->nodes[2];
	assert_int_equal(cp->instr->nheredocs, 1);
	const dko_heredoc *h = &cp->instr->heredocs[0];
	assert_string_equal(h->name, "EOF");
	assert_true(h->expand && !h->chomp && h->terminated);
	assert_memory_equal(in + h->body.start, "body\n", h->body.end - h->body.start);
	assert_int_equal(cp->span.end, strlen(in));
	dko_doc_free(doc);
}

static void test_parse__heredoc_names(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		const char *name;
		bool expand, chomp;
		unsigned fd;
	} hs[] = {
		{"RUN <<EOF", "EOF", true, false, 0},     {"RUN <<-EOF", "EOF", true, true, 0},
		{"RUN <<'EOF'", "EOF", false, false, 0},  {"RUN <<\"EOF\"", "EOF", false, false, 0},
		{"RUN <<eo'f'", "eof", false, false, 0},  {"RUN <<eo\\'f", "eo'f", true, false, 0},
		{"RUN 3<<EOF", "EOF", true, false, 3},    {"RUN <<  EOF  > foo", "EOF", true, false, 0},
		{"RUN << -EOF", "-EOF", true, false, 0},  {"RUN <<$EOF", "$EOF", true, false, 0},
		{"RUN <<'one two'", "one two", false, false, 0},
	};
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "FROM a\n%s\n%s\n", hs[i].line, hs[i].name);
		dko_doc *doc;
		int rc = dko_parse(&doc, buf, strlen(buf), NULL);
		if (rc != 0 || doc->nnodes < 2 || doc->nodes[1].instr->nheredocs != 1) {
			print_error("%s: %s\n", hs[i].line, dko_error_last());
			fail();
		}
		const dko_heredoc *h = &doc->nodes[1].instr->heredocs[0];
		assert_string_equal(h->name, hs[i].name);
		assert_int_equal(h->expand, hs[i].expand);
		assert_int_equal(h->chomp, hs[i].chomp);
		assert_int_equal(h->fd, hs[i].fd);
		dko_doc_free(doc);
	}
	/* Not heredocs. */
	const char *nots[] = {"RUN '<<EOF'", "RUN \"<<EOF\"", "RUN <<", "RUN <<<EOF", "USER <<EOF"};
	for (size_t i = 0; i < sizeof(nots) / sizeof(nots[0]); i++) {
		char buf[128];
		snprintf(buf, sizeof(buf), "FROM a\n%s\n", nots[i]);
		dko_doc *doc;
		dko_parse(&doc, buf, strlen(buf), NULL);
		assert_int_equal(doc->nodes[1].instr->nheredocs, 0);
		dko_doc_free(doc);
	}
}

static void test_parse__edits(void **state)
{
	(void)state;
	const char *in = "\xEF\xBB\xBF" "FROM a\nRUN x\n";
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, in, strlen(in), NULL), 0);
	dko_doc_replace_node(doc, 0, "FROM b\n", 7);
	dko_doc_insert_before(doc, 1, "# c\n", 4);
	dko_doc_insert_before(doc, doc->nnodes, "CMD y\n", 6);
	char *out;
	size_t n;
	dko_doc_print(&out, &n, doc);
	assert_string_equal(out, "\xEF\xBB\xBF" "FROM b\n# c\nRUN x\nCMD y\n");
	free(out);
	dko_doc_free(doc);
}

static void test_parse__pathological(void **state)
{
	(void)state;
	/* 100,000 lines and 10,000 continuations parse, and print back. */
	size_t n = 100000;
	char *big = malloc(n * 16 + 16);
	size_t k = 0;
	k += (size_t)snprintf(big + k, 16, "FROM a\n");
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(big + k, 16, "RUN x%zu\n", i % 1000);
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, big, k, NULL), 0);
	assert_int_equal(doc->nnodes, n + 1);
	dko_doc_free(doc);
	k = (size_t)snprintf(big, 16, "FROM a\nRUN a");
	for (size_t i = 0; i < 10000; i++)
		k += (size_t)snprintf(big + k, 16, " \\\n  && b");
	big[k++] = '\n';
	assert_int_equal(dko_parse(&doc, big, k, NULL), 0);
	assert_int_equal(doc->nnodes, 2);
	assert_int_equal(doc->nodes[1].nsegs, 10001);
	char *out;
	size_t olen;
	dko_doc_print(&out, &olen, doc);
	assert_int_equal(olen, k);
	assert_memory_equal(out, big, k);
	free(out);
	dko_doc_free(doc);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse__cases),
		cmocka_unit_test(test_parse__error_position),
		cmocka_unit_test(test_parse__tokens_and_spans),
		cmocka_unit_test(test_parse__heredoc_names),
		cmocka_unit_test(test_parse__edits),
		cmocka_unit_test(test_parse__pathological),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
