/*
 * test_shell.c - unit tests of the shell parser: the tree of every construct
 * (as the dump S-expression), quoting edge cases and word values, syntax
 * errors as opaque scripts, CRLF variants, token tiling, the flat command
 * view and its flags, the structure queries, deep nesting, and scripts taken
 * from Dockerfile nodes (heredocs, SHELL, escape, Windows, ONBUILD,
 * HEALTHCHECK) with their source spans.
 */
#include "testutil.h"

#include "cst.h"
#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dcase {
	const char *name;
	const char *input;
	const char *dump;
	bool crlf; /* the same dump with \r\n line ends */
} dcase;

/* clang-format off */
static const dcase dump_cases[] = {
	/* lists, and-or lists, pipelines */
	{"list", "a; b & c && d || e | f",
	 "(list (cmd \"a\") (bg (cmd \"b\")) (andor (cmd \"c\") && (cmd \"d\") || (pipe (cmd \"e\") (cmd \"f\"))))", true},
	{"and_chain", "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
	 "(and (cmd \"apt-get\" \"update\") (cmd \"apt-get\" \"install\" \"-y\" \"curl\") (cmd \"rm\" \"-rf\" (glob \"/var/lib/apt/lists/*\")))", true},
	{"or", "a || b", "(or (cmd \"a\") (cmd \"b\"))", true},
	{"newline_lists", "a\n# c\n\nb\n", "(list (cmd \"a\") (cmd \"b\"))", true},
	{"linebreak_after_ops", "a &&\nb ||\nc |\nd", "(andor (cmd \"a\") && (cmd \"b\") || (pipe (cmd \"c\") (cmd \"d\")))", true},
	{"bang", "! a | b", "(not (pipe (cmd \"a\") (cmd \"b\")))", true},
	{"pipe_amp", "a |& b", "(pipe|& (cmd \"a\") (cmd \"b\"))", true},
	{"background", "sleep 1 &", "(list (bg (cmd \"sleep\" \"1\")))", true},
	{"empty", "", "(list)", true},
	{"only_comment", "# only a comment", "(list)", true},
	{"trailing_comment", "echo a # comment", "(cmd \"echo\" \"a\")", true},
	/* compound commands */
	{"subshell", "(cd /x && make) > log 2>&1",
	 "(subshell (and (cmd \"cd\" \"/x\") (cmd \"make\")) (> \"log\") (2>& \"1\"))", true},
	{"group", "{ a; b; } | c", "(pipe (group (list (cmd \"a\") (cmd \"b\"))) (cmd \"c\"))", true},
	{"if", "if a; then b; elif c; then d; else e; fi",
	 "(if (cmd \"a\") (then (cmd \"b\")) (elif (cmd \"c\")) (then (cmd \"d\")) (else (cmd \"e\")))", true},
	{"if_multiline", "if [ -f x ]\nthen\n  a\nfi",
	 "(if (cmd \"[\" \"-f\" \"x\" \"]\") (then (cmd \"a\")))", true},
	{"for", "for x in 1 2 3; do echo $x; done",
	 "(for \"x\" (in \"1\" \"2\" \"3\") (do (cmd \"echo\" (w \"$x\" (param \"x\")))))", true},
	{"for_no_in", "for x; do :; done", "(for \"x\" (do (cmd \":\")))", true},
	{"for_arith", "for ((i=0; i<3; i++)); do echo $i; done",
	 "(for (arith \"((i=0; i<3; i++))\") (do (cmd \"echo\" (w \"$i\" (param \"i\")))))", true},
	{"while", "while read l; do echo \"$l\"; done < f",
	 "(while (cmd \"read\" \"l\") (do (cmd \"echo\" (w \"\\\"$l\\\"\" (param \"l\")))) (< \"f\"))", true},
	{"until", "until false; do break; done", "(until (cmd \"false\") (do (cmd \"break\")))", true},
	{"case", "case \"$a\" in a|b) echo ab;; (c) ;; *) echo other; esac",
	 "(case (w \"\\\"$a\\\"\" (param \"a\")) (item (\"a\" \"b\") (cmd \"echo\" \"ab\")) (item (\"c\")) (item ((glob \"*\")) (cmd \"echo\" \"other\")))", true},
	{"case_multiline", "case $x in\n  a)\n    echo a\n    ;;\n  b|c) echo bc ;;\nesac",
	 "(case (w \"$x\" (param \"x\")) (item (\"a\") (cmd \"echo\" \"a\")) (item (\"b\" \"c\") (cmd \"echo\" \"bc\")))", true},
	{"case_empty_item", "case $x in *) ;; esac", "(case (w \"$x\" (param \"x\")) (item ((glob \"*\"))))", true},
	{"function", "f() { echo hi; }", "(function \"f\" (group (cmd \"echo\" \"hi\")))", true},
	{"function_keyword", "function g { true; }", "(function \"g\" (group (cmd \"true\")))", true},
	{"function_forms", "f() ( echo sub ); function g() { :; }",
	 "(list (function \"f\" (subshell (cmd \"echo\" \"sub\"))) (function \"g\" (group (cmd \":\"))))", true},
	{"arith_cmd", "(( i++ )) || true", "(or (arith \"(( i++ ))\") (cmd \"true\"))", true},
	{"cond", "[[ -f x && $y =~ ^(a|b)$ ]] && echo yes",
	 "(and (cond \"-f\" \"x\" \"&&\" (w \"$y\" (param \"y\")) \"=~\" \"^(a|b)$\") (cmd \"echo\" \"yes\"))", true},
	{"reserved_as_args", "echo if then fi }; { echo }; }",
	 "(list (cmd \"echo\" \"if\" \"then\" \"fi\" \"}\") (group (cmd \"echo\" \"}\")))", true},
	/* simple commands: assignments, words, expansions */
	{"assignments", "X=1 Y=\"a b\" cmd arg",
	 "(cmd (= \"X=1\") (= (q \"Y=\\\"a b\\\"\" \"Y=a b\")) \"cmd\" \"arg\")", true},
	{"bare_assignment", "X=1", "(cmd (= \"X=1\"))", true},
	{"array_assignment", "arr=(a b c) && echo ${arr[1]}",
	 "(and (cmd (= (w \"arr=(a b c)\"))) (cmd \"echo\" (w \"${arr[1]}\" (param \"arr\"))))", true},
	{"quoted_name_not_assignment", "\"X\"=1 cmd -- -x", "(cmd (q \"\\\"X\\\"=1\" \"X=1\") \"cmd\" \"--\" \"-x\")", true},
	{"env_prefix", "DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata",
	 "(cmd (= \"DEBIAN_FRONTEND=noninteractive\") \"apt-get\" \"install\" \"-y\" \"tzdata\")", true},
	{"quoting",
	 "echo 'single' \"double $HOME\" $'ansi\\n' \\$lit a\\ b",
	 "(cmd \"echo\" (q \"'single'\" \"single\") (w \"\\\"double $HOME\\\"\" (param \"HOME\")) (q \"$'ansi\\\\n'\" \"ansi\\n\") (q \"\\\\$lit\" \"$lit\") (q \"a\\\\ b\" \"a b\"))", true},
	{"quoting_edges",
	 "echo \"a\\\"b\" 'it'\"'\"'s' \"\\$HOME\" \\\\ \"a\\nb\" '' a''b $ \"$\" \\' \"'\" '\"' $\"loc\" a#b {a} a=b",
	 "(cmd \"echo\" (q \"\\\"a\\\\\\\"b\\\"\" \"a\\\"b\") (q \"'it'\\\"'\\\"'s'\" \"it's\") (q \"\\\"\\\\$HOME\\\"\" \"$HOME\") (q \"\\\\\\\\\" \"\\\\\") (q \"\\\"a\\\\nb\\\"\" \"a\\\\nb\") (q \"''\" \"\") (q \"a''b\" \"ab\") \"$\" (q \"\\\"$\\\"\" \"$\") (q \"\\\\'\" \"'\") (q \"\\\"'\\\"\" \"'\") (q \"'\\\"'\" \"\\\"\") (q \"$\\\"loc\\\"\" \"loc\") \"a#b\" \"{a}\" \"a=b\")", true},
	{"expansions",
	 "echo ${V:-x} ${#V} ${V%%-*} $(uname -m) `date` $((1+2)) $@ $1 $?",
	 "(cmd \"echo\" (w \"${V:-x}\" (param \"V\")) (w \"${#V}\" (param \"V\")) (w \"${V%%-*}\" (param \"V\")) (w \"$(uname -m)\" (subst (cmd \"uname\" \"-m\"))) (w \"`date`\" (backq (cmd \"date\"))) (w \"$((1+2))\" (arith \"$((1+2))\")) (w \"$@\" (param \"@\")) (w \"$1\" (param \"1\")) (w \"$?\" (param \"?\")))", true},
	{"nested_expansions",
	 "echo \"${x:-\"$(pwd)\"}\" ${x:-'a b'} $(( (1+2) * 3 )) $((  $(echo 1) + 2 )) ${#} ${!p*}",
	 "(cmd \"echo\" (w \"\\\"${x:-\\\"$(pwd)\\\"}\\\"\" (subst (cmd \"pwd\")) (param \"x\")) (w \"${x:-'a b'}\" (param \"x\")) (w \"$(( (1+2) * 3 ))\" (arith \"$(( (1+2) * 3 ))\")) (w \"$((  $(echo 1) + 2 ))\" (arith \"$((  $(echo 1) + 2 ))\")) (w \"${#}\" (param \"#\")) (w \"${!p*}\" (param \"p\")))", true},
	{"subst_with_parens",
	 "echo \"$(echo ')')\" $(echo \")\") $(case x in x) echo y;; esac)",
	 "(cmd \"echo\" (w \"\\\"$(echo ')')\\\"\" (subst (cmd \"echo\" (q \"')'\" \")\")))) (w \"$(echo \\\")\\\")\" (subst (cmd \"echo\" (q \"\\\")\\\"\" \")\")))) (w \"$(case x in x) echo y;; esac)\" (subst (case \"x\" (item (\"x\") (cmd \"echo\" \"y\"))))))", true},
	{"nested_dquote_subst", "echo \"$(echo \"nested $(echo deep)\")\"",
	 "(cmd \"echo\" (w \"\\\"$(echo \\\"nested $(echo deep)\\\")\\\"\" (subst (cmd \"echo\" (w \"\\\"nested $(echo deep)\\\"\" (subst (cmd \"echo\" \"deep\")))))))", true},
	{"escaped_backquotes", "echo `echo \\`date\\``",
	 "(cmd \"echo\" (w \"`echo \\\\`date\\\\``\" (backq \"`echo \\\\`date\\\\``\")))", true},
	{"process_subst", "diff <(ls a) >(cat)",
	 "(cmd \"diff\" (w \"<(ls a)\" (proc (cmd \"ls\" \"a\"))) (w \">(cat)\" (proc (cmd \"cat\"))))", true},
	{"adjacent_words", "cat<(ls)>(wc)",
	 "(cmd \"cat\" (w \"<(ls)\" (proc (cmd \"ls\"))) (w \">(wc)\" (proc (cmd \"wc\"))))", true},
	{"globs", "echo *.txt file? [ab] {a,b} {1..3} ~/x",
	 "(cmd \"echo\" (glob \"*.txt\") (glob \"file?\") (glob \"[ab]\") (glob \"{a,b}\") (glob \"{1..3}\") \"~/x\")", true},
	{"quoted_glob", "rm -rf \"/tmp/\"*", "(cmd \"rm\" \"-rf\" (q \"\\\"/tmp/\\\"*\" \"/tmp/*\" glob))", true},
	/* redirections and heredocs */
	{"redirections", "cmd 2>&1 >|out <in <<<\"str\" &>/dev/null 3<>f >&2",
	 "(cmd \"cmd\" (2>& \"1\") (>| \"out\") (< \"in\") (<<< (q \"\\\"str\\\"\" \"str\")) (&> \"/dev/null\") (3<> \"f\") (>& \"2\"))", true},
	{"redir_no_blanks", "echo hi>out; cmd >&-; exec 3>&1",
	 "(list (cmd \"echo\" \"hi\" (> \"out\")) (cmd \"cmd\" (>& \"-\")) (cmd \"exec\" (3>& \"1\")))", true},
	{"redir_only", "> /tmp/empty", "(cmd (> \"/tmp/empty\"))", true},
	{"heredoc", "cat <<EOF | tr a b\nhello $x\nEOF",
	 "(pipe (cmd \"cat\" (<< \"EOF\" (body \"hello $x\\n\"))) (cmd \"tr\" \"a\" \"b\"))", false},
	{"heredoc_strip", "cat <<-'EOF' > f\n\ttabbed\n\tEOF\necho done",
	 "(list (cmd \"cat\" (<<- (q \"'EOF'\" \"EOF\") (body \"\\ttabbed\\n\")) (> \"f\")) (cmd \"echo\" \"done\"))", false},
	{"heredocs_two", "cat <<A <<\"B C\" <<\\D\na\nA\nb\nB C\nd\nD",
	 "(cmd \"cat\" (<< \"A\" (body \"a\\n\")) (<< (q \"\\\"B C\\\"\" \"B C\") (body \"b\\n\")) (<< (q \"\\\\D\" \"D\") (body \"d\\n\")))", false},
	{"heredoc_in_subst", "x=$(cat <<EOF\nbody\nEOF\n)",
	 "(cmd (= (w \"x=$(cat <<EOF\\nbody\\nEOF\\n)\" (subst (cmd \"cat\" (<< \"EOF\" (body \"body\\n\")))))))", false},
	{"heredoc_no_space", "cat<<EOF\nx\nEOF", "(cmd \"cat\" (<< \"EOF\" (body \"x\\n\")))", false},
	/* syntax errors: opaque */
	{"err_dquote", "echo \"unterminated", "(opaque \"unterminated double quote\")", true},
	{"err_squote", "echo 'x", "(opaque \"unterminated single quote\")", true},
	{"err_brace_param", "echo ${", "(opaque \"unterminated ${\")", true},
	{"err_backquote", "echo `x", "(opaque \"unterminated backquote\")", true},
	{"err_subst", "echo $(", "(opaque \"syntax error: unexpected end of script (expected `)`)\")", true},
	{"err_then", "if true; then", "(opaque \"syntax error: unexpected end of script (expected `a command`)\")", true},
	{"err_empty_then", "if x; then fi", "(opaque \"syntax error: unexpected `fi` (expected `a command`)\")", true},
	{"err_for", "for", "(opaque \"syntax error: unexpected end of script (expected `a variable name`)\")", true},
	{"err_case", "case x", "(opaque \"syntax error: unexpected end of script (expected `in`)\")", true},
	{"err_done", "done", "(opaque \"syntax error: unexpected `done`\")", true},
	{"err_rparen", ")", "(opaque \"syntax error: unexpected `)`\")", true},
	{"err_and", "a &&", "(opaque \"syntax error: unexpected end of script\")", true},
	{"err_pipe", "| a", "(opaque \"syntax error: unexpected `|`\")", true},
	{"err_dsemi", "a ;; b", "(opaque \"syntax error: unexpected `;;`\")", true},
	{"err_group", "{ a", "(opaque \"syntax error: unexpected end of script (expected `}`)\")", true},
	{"err_heredoc_missing", "cat <<EOF", "(opaque \"here-document without a body\")", true},
	{"err_heredoc_open", "cat <<EOF\nbody", "(opaque \"here-document delimited by end of script (wanted `EOF`)\")", true},
	{"err_array", "a=(1 2", "(opaque \"unterminated array assignment\")", true},
};
/* clang-format on */

#define NCASES (sizeof(dump_cases) / sizeof(dump_cases[0]))

static char *dump_text(const char *in, size_t len)
{
	dko_sh_script *s;
	dko_sh_parse_text(&s, in, len, NULL);
	dko_buf b = DKO_BUF_INIT;
	dko_sh_dump(&b, s);
	dko_sh_free(s);
	return dko_buf_detach(&b, NULL);
}

static char *crlf(const char *s, size_t *n)
{
	dko_buf b = DKO_BUF_INIT;
	for (; *s; s++) {
		if (*s == '\n')
			dko_buf_putc(&b, '\r');
		dko_buf_putc(&b, *s);
	}
	return dko_buf_detach(&b, n);
}

static void test_shell__dump(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < NCASES; i++) {
		const dcase *c = &dump_cases[i];
		char *got = dump_text(c->input, strlen(c->input));
		if (strcmp(got, c->dump) != 0) {
			print_error("%s:\n  want %s\n  got  %s\n", c->name, c->dump, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static void test_shell__dump_crlf(void **state)
{
	(void)state;
	int bad = 0, n = 0;
	for (size_t i = 0; i < NCASES; i++) {
		const dcase *c = &dump_cases[i];
		if (!c->crlf)
			continue;
		size_t len;
		char *in = crlf(c->input, &len);
		char *got = dump_text(in, len);
		if (strcmp(got, c->dump) != 0) {
			print_error("%s (CRLF):\n  want %s\n  got  %s\n", c->name, c->dump, got);
			bad++;
		}
		n++;
		free(got);
		free(in);
	}
	assert_int_equal(bad, 0);
	assert_true(n > 50);
}

/* Tokens tile the text, and print gives the text back, opaque or not. */
static void check_tiles(const char *name, const char *in, size_t len)
{
	dko_sh_script *s;
	dko_sh_parse_text(&s, in, len, NULL);
	uint32_t at = 0;
	for (size_t k = 0; k < dko_sh_token_count(s); k++) {
		const dko_sh_token *t = dko_sh_token_at(s, k);
		if (t->span.start != at || t->span.end <= t->span.start)
			fail_msg("%s: token %zu [%u,%u) does not continue at %u", name, k, t->span.start,
			         t->span.end, at);
		at = t->span.end;
	}
	if (at != len)
		fail_msg("%s: tokens end at %u of %zu", name, at, len);
	dko_buf b = DKO_BUF_INIT;
	dko_sh_print(&b, s);
	if (b.len != len || (len && memcmp(b.ptr, in, len) != 0))
		fail_msg("%s: print differs", name);
	dko_buf_release(&b);
	dko_sh_free(s);
}

static void test_shell__tokens_tile(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		const char *in = dump_cases[i].input;
		check_tiles(dump_cases[i].name, in, strlen(in));
		size_t len;
		char *cr = crlf(in, &len);
		check_tiles(dump_cases[i].name, cr, len);
		free(cr);
	}
}

/* NUL bytes are ordinary bytes (fuzzed input): a quoted NUL is no backquote. */
static void test_shell__nul_bytes(void **state)
{
	(void)state;
	static const char in[] = "echo \"a\0b\" c\0d '\0'";
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_text(&s, in, sizeof(in) - 1, NULL), 0);
	assert_int_equal(dko_sh_cmd_count(s), 1);
	const dko_sh_cmd *c = dko_sh_cmd_at(s, 0);
	assert_int_equal(c->nwords, 4);
	assert_int_equal(c->words[1].span.end - c->words[1].span.start, 5);
	assert_int_equal(c->words[2].span.end - c->words[2].span.start, 3);
	check_tiles("nul", in, sizeof(in) - 1);
	dko_sh_free(s);
}

static void test_shell__token_kinds(void **state)
{
	(void)state;
	const char *in = "a  \\\n b 2>&1 # c\ncat <<E\nx\nE\n(( i ))";
	static const dko_sh_tok_kind want[] = {
		DKO_SH_TOK_WORD, DKO_SH_TOK_BLANK, DKO_SH_TOK_CONT, DKO_SH_TOK_BLANK, DKO_SH_TOK_WORD,
		DKO_SH_TOK_BLANK, DKO_SH_TOK_REDIR, DKO_SH_TOK_WORD, DKO_SH_TOK_BLANK, DKO_SH_TOK_COMMENT,
		DKO_SH_TOK_NEWLINE, DKO_SH_TOK_WORD, DKO_SH_TOK_BLANK, DKO_SH_TOK_REDIR, DKO_SH_TOK_WORD,
		DKO_SH_TOK_NEWLINE, DKO_SH_TOK_HEREDOC_BODY, DKO_SH_TOK_HEREDOC_END, DKO_SH_TOK_NEWLINE,
		DKO_SH_TOK_ARITH};
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_text(&s, in, strlen(in), NULL), 0);
	assert_int_equal(dko_sh_token_count(s), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(dko_sh_token_at(s, i)->kind, want[i]);
	dko_sh_free(s);
	/* An opaque script: the tokens lexed so far, then one OPAQUE token. */
	in = "echo ok; echo \"broken";
	assert_int_equal(dko_sh_parse_text(&s, in, strlen(in), NULL), DKO_EPARSE);
	size_t n = dko_sh_token_count(s);
	assert_true(n >= 2);
	assert_int_equal(dko_sh_token_at(s, n - 1)->kind, DKO_SH_TOK_OPAQUE);
	assert_int_equal(dko_sh_token_at(s, n - 1)->span.end, strlen(in));
	assert_int_equal(dko_sh_token_at(s, 0)->kind, DKO_SH_TOK_WORD);
	assert_int_equal(dko_sh_opaque_kind(s), DKO_SH_SYNTAX);
	assert_int_equal(dko_sh_opaque_span(s).start, 14);
	assert_int_equal(dko_sh_cmd_count(s), 0);
	dko_sh_free(s);
}

/* ---- words ---- */

typedef struct wcase {
	const char *input; /* "cmd WORD": the second word is checked */
	const char *lit;   /* NULL: not static */
	bool subst, param, glob, quoted;
} wcase;

static const wcase word_cases[] = {
	{"x plain", "plain", false, false, false, false},
	{"x 'a b'", "a b", false, false, false, true},
	{"x \"a $b\"", NULL, false, true, false, true},
	{"x $(date)", NULL, true, false, false, false},
	{"x `date`", NULL, true, false, false, false},
	{"x $((1+1))", NULL, true, false, false, false},
	{"x ${HOME}/x", NULL, false, true, false, false},
	{"x /var/lib/apt/lists/*", "/var/lib/apt/lists/*", false, false, true, false},
	{"x \"*\"", "*", false, false, false, true},
	{"x a\\*", "a*", false, false, false, true},
	{"x file?.txt", "file?.txt", false, false, true, false},
	{"x [abc]", "[abc]", false, false, true, false},
	{"x [", "[", false, false, false, false},
	{"x {a,b}", "{a,b}", false, false, true, false},
	{"x ~/.cache/pip", "~/.cache/pip", false, false, false, false},
	{"x a\\\nb", "ab", false, false, false, false},
	{"x \"a\\\nb\"", "ab", false, false, false, true},
	{"x $'\\t'", "\t", false, false, false, true},
	{"x $'\\x41'", NULL, false, false, false, true},
	{"x --opt=\"v w\"", "--opt=v w", false, false, false, true},
	{"x pkg=1.2*", "pkg=1.2*", false, false, true, false},
};

static void test_shell__words(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(word_cases) / sizeof(word_cases[0]); i++) {
		const wcase *c = &word_cases[i];
		dko_sh_script *s;
		assert_int_equal(dko_sh_parse_text(&s, c->input, strlen(c->input), NULL), 0);
		assert_int_equal(dko_sh_cmd_count(s), 1 + c->subst * (strstr(c->input, "$((") == NULL));
		const dko_sh_cmd *cmd = dko_sh_cmd_at(s, 0);
		assert_int_equal(cmd->nwords, 2);
		const dko_sh_word *w = &cmd->words[1];
		if (c->lit)
			assert_string_equal(w->lit ? w->lit : "(null)", c->lit);
		else if (w->lit)
			fail_msg("%s: lit %s, want none", c->input, w->lit);
		assert_string_equal(w->raw, c->input + 2);
		assert_int_equal(w->span.start, 2);
		assert_int_equal(w->span.end, strlen(c->input));
		if (w->has_subst != c->subst || w->has_param != c->param || w->has_glob != c->glob ||
		    w->quoted != c->quoted)
			fail_msg("%s: flags subst=%d param=%d glob=%d quoted=%d", c->input, w->has_subst,
			         w->has_param, w->has_glob, w->quoted);
		dko_sh_free(s);
	}
}

/* ---- the flat view ---- */

typedef struct fcase {
	const char *input;
	const char *flags; /* per command: "name:flags;" with c=conditional s=subshell
	                      p=pipeline b=background f=function, then :list index */
} fcase;

static const fcase flag_cases[] = {
	{"a; b & c && d || e | f", "a:-:0;b:b:1;c:-:2;d:-:2;e:cp:2;f:cp:2;"},
	{"if a; then b; elif c; then d; else e; fi", "a:-:0;b:c:0;c:c:0;d:c:0;e:c:0;"},
	{"while a; do b; done; until c; do d; done", "a:-:0;b:c:0;c:-:1;d:c:1;"},
	{"for x in $(ls); do b; done", "ls:s:0;b:c:0;"},
	{"case x in y) a;; esac", "a:c:0;"},
	{"[ -f x ] && a && b || c", "[:-:0;a:c:0;b:c:0;c:c:0;"},
	{"test -n \"$X\" && a", "test:-:0;a:c:0;"},
	{"! a", "a:c:0;"},
	{"(a; b) | c", "a:sp:0;b:sp:0;c:p:0;"},
	{"f() { a; }; f", "a:cf:0;f:-:1;"},
	{"x=$(a | b) c", "c:-:0;a:sp:0;b:sp:0;"},
	{"{ a & } ; b", "a:b:0;b:-:1;"},
	{"set -ex; apt-get update", "set:-:0;apt-get:-:1;"},
};

static void test_shell__cmd_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		const fcase *c = &flag_cases[i];
		dko_sh_script *s;
		assert_int_equal(dko_sh_parse_text(&s, c->input, strlen(c->input), NULL), 0);
		dko_buf b = DKO_BUF_INIT;
		for (size_t k = 0; k < dko_sh_cmd_count(s); k++) {
			const dko_sh_cmd *cmd = dko_sh_cmd_at(s, k);
			dko_buf_printf(&b, "%s:", cmd->nwords ? cmd->words[0].raw : "=");
			size_t mark = b.len;
			if (cmd->conditional)
				dko_buf_putc(&b, 'c');
			if (cmd->in_subshell)
				dko_buf_putc(&b, 's');
			if (cmd->in_pipeline)
				dko_buf_putc(&b, 'p');
			if (cmd->background)
				dko_buf_putc(&b, 'b');
			if (cmd->in_function)
				dko_buf_putc(&b, 'f');
			if (b.len == mark)
				dko_buf_putc(&b, '-');
			dko_buf_printf(&b, ":%u;", cmd->list_index);
			/* The span covers the command's source text. */
			size_t len;
			const char *t = dko_sh_text(s, &len);
			assert_true(cmd->span.end <= len);
			if (cmd->nwords)
				assert_memory_equal(t + cmd->words[0].span.start, cmd->words[0].raw,
				                    strlen(cmd->words[0].raw));
		}
		if (strcmp(dko_buf_cstr(&b), c->flags) != 0)
			fail_msg("%s:\n  want %s\n  got  %s", c->input, c->flags, dko_buf_cstr(&b));
		dko_buf_release(&b);
		dko_sh_free(s);
	}
}

/* ---- structure queries ---- */

typedef struct qcase {
	const char *input;
	bool and_list, bg;
	const char *leak;        /* NULL: none */
	const char *leak_text;   /* the text of its span (prefix), or NULL */
} qcase;

static const qcase query_cases[] = {
	{"apt-get update && apt-get install -y curl", true, false, NULL, NULL},
	{"a && b;", true, false, NULL, NULL},
	{"a && b\n", true, false, NULL, NULL},
	{"a | b && c", true, false, NULL, NULL},
	{"a && (b || c)", true, false, NULL, NULL},
	{"a || b", false, false, NULL, NULL},
	{"a; b", false, false, NULL, NULL},
	{"a\nb", false, false, NULL, NULL},
	{"a && b &", false, true, "&", "&"},
	{"", false, false, NULL, NULL},
	{"cd /app && make", true, false, "cd", "cd /app"},
	{"(cd /app && make)", true, false, NULL, NULL},
	{"make && cd / | cat", true, false, NULL, NULL},
	{"export A=1", true, false, "export", "export A=1"},
	{"A=1 make", true, false, NULL, NULL},
	{"A=1", true, false, "assignment", "A=1"},
	{"set -eux; apt-get update", false, false, "set", "set -eux"},
	{"command cd /x", true, false, "cd", "command cd /x"},
	{"command -v cd", true, false, NULL, NULL},
	{"source /etc/profile", true, false, "source", NULL},
	{". ./env.sh", true, false, ".", NULL},
	{"umask 022", true, false, "umask", NULL},
	{"exit 0", true, false, "exit", NULL},
	{"exec nginx", true, false, "exec", NULL},
	{"trap 'rm x' EXIT", true, false, "trap", NULL},
	{"alias ll='ls -l'", true, false, "alias", NULL},
	{"shopt -s globstar", true, false, "shopt", NULL},
	{"ulimit -n 1024", true, false, "ulimit", NULL},
	{"eval \"$(x)\"", true, false, "eval", NULL},
	{"unset A", true, false, "unset", NULL},
	{"readonly A", true, false, "readonly", NULL},
	{"declare -x A=1", true, false, "declare", NULL},
	{"pushd /x", true, false, "pushd", NULL},
	{"f() { cd /x; }", true, false, "function", "f() { cd /x; }"},
	{"if true; then cd /x; fi", true, false, "cd", "cd /x"},
	{"{ cd /x; }", true, false, "cd", "cd /x"},
	{"for i in 1; do :; done", true, false, "assignment", NULL},
	{"echo $(cd /x)", true, false, NULL, NULL},
	{"read line < f", true, false, "read", NULL},
	{"(( n++ ))", true, false, "arithmetic", NULL},
	{"echo \"unterminated", false, false, "opaque", NULL},
};

static void test_shell__queries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
		const qcase *c = &query_cases[i];
		dko_sh_script *s;
		dko_sh_parse_text(&s, c->input, strlen(c->input), NULL);
		if (dko_sh_is_and_list(s) != c->and_list || dko_sh_ends_in_background(s) != c->bg)
			fail_msg("%s: and_list=%d bg=%d", c->input, dko_sh_is_and_list(s),
			         dko_sh_ends_in_background(s));
		dko_span w;
		const char *leak = dko_sh_leaked_state(s, &w);
		if ((leak == NULL) != (c->leak == NULL) || (leak && strcmp(leak, c->leak) != 0))
			fail_msg("%s: leak %s, want %s", c->input, leak ? leak : "none",
			         c->leak ? c->leak : "none");
		if (c->leak_text) {
			size_t len;
			const char *t = dko_sh_text(s, &len);
			assert_int_equal(w.end - w.start, strlen(c->leak_text));
			assert_memory_equal(t + w.start, c->leak_text, strlen(c->leak_text));
		}
		dko_sh_free(s);
	}
}

static void test_shell__stdin_heredoc(void **state)
{
	(void)state;
	const char *in = "bash <<A 3<<B\necho a\nA\nb\nB\ncat 0<<-C\n\tc\n\tC\necho none";
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_text(&s, in, strlen(in), NULL), 0);
	assert_int_equal(dko_sh_cmd_count(s), 3);
	size_t len;
	const char *t = dko_sh_text(s, &len);
	dko_span b = dko_sh_cmd_at(s, 0)->stdin_heredoc;
	assert_int_equal(b.end - b.start, 7);
	assert_memory_equal(t + b.start, "echo a\n", 7);
	b = dko_sh_cmd_at(s, 1)->stdin_heredoc;
	assert_memory_equal(t + b.start, "\tc\n", 3);
	b = dko_sh_cmd_at(s, 2)->stdin_heredoc;
	assert_int_equal(b.end, b.start);
	dko_sh_free(s);
}

static void test_shell__items(void **state)
{
	(void)state;
	const char *in = "a && b; c || d &\ne | f";
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_text(&s, in, strlen(in), NULL), 0);
	assert_int_equal(dko_sh_item_count(s), 3);
	const dko_sh_item *it = dko_sh_item_at(s, 0);
	assert_int_equal(it->span.start, 0);
	assert_int_equal(it->span.end, 6);
	assert_int_equal(it->sep, ';');
	assert_int_equal(it->sep_span.start, 6);
	assert_true(it->only_and);
	it = dko_sh_item_at(s, 1);
	assert_int_equal(it->span.start, 8);
	assert_int_equal(it->span.end, 14);
	assert_int_equal(it->sep, '&');
	assert_false(it->only_and);
	it = dko_sh_item_at(s, 2);
	assert_int_equal(it->sep, 0);
	assert_int_equal(it->span.end, strlen(in));
	assert_null(dko_sh_item_at(s, 3));
	dko_sh_free(s);
}

/* ---- deep nesting: a diagnostic, not a stack overflow ---- */

static char *repeat(const char *prefix, const char *open, const char *mid, const char *close,
                    size_t n)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_puts(&b, prefix);
	for (size_t i = 0; i < n; i++)
		dko_buf_puts(&b, open);
	dko_buf_puts(&b, mid);
	for (size_t i = 0; i < n; i++)
		dko_buf_puts(&b, close);
	return dko_buf_detach(&b, NULL);
}

static void test_shell__deep_nesting(void **state)
{
	(void)state;
	static const struct {
		const char *prefix, *open, *mid, *close;
		size_t depth;
		dko_sh_okind want;
	} cases[] = {
		{"echo ", "$(", "x", ")", 10000, DKO_SH_TOO_DEEP},
		{"", "( ", "x", " )", 10000, DKO_SH_TOO_DEEP},
		{"", "(", "x", ")", 10000, DKO_SH_PARSED}, /* ((...)) is arithmetic */
		{"", "{ ", "x", "; }", 10000, DKO_SH_TOO_DEEP},
		{"", "if true; then ", "x", "; fi", 10000, DKO_SH_TOO_DEEP},
		{"echo ", "${a:-", "x", "}", 10000, DKO_SH_TOO_DEEP},
		{"echo ", "\"$(echo ", "x", ")\"", 10000, DKO_SH_TOO_DEEP},
		{"", "f() ", "x", "", 10000, DKO_SH_TOO_DEEP},
		{"echo ", "$(", "x", "", 10000, DKO_SH_TOO_DEEP},  /* unbalanced */
		{"", "( ", "x", "", 10000, DKO_SH_TOO_DEEP},
		{"", "! ", "x", "", 10000, DKO_SH_PARSED},         /* a loop, not nesting */
		{"echo ", "$(", "x", ")", 100, DKO_SH_PARSED},
		{"", "( ", "x", " )", 100, DKO_SH_PARSED},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *in = repeat(cases[i].prefix, cases[i].open, cases[i].mid, cases[i].close,
		                  cases[i].depth);
		dko_sh_script *s;
		int rc = dko_sh_parse_text(&s, in, strlen(in), NULL);
		if (dko_sh_opaque_kind(s) != cases[i].want)
			fail_msg("%zu x %s: kind %d (%s)", cases[i].depth, cases[i].open,
			         dko_sh_opaque_kind(s), dko_sh_opaque_reason(s));
		assert_int_equal(rc, cases[i].want == DKO_SH_PARSED ? 0 : DKO_EPARSE);
		if (cases[i].want == DKO_SH_TOO_DEEP)
			assert_non_null(strstr(dko_sh_opaque_reason(s), "nesting deeper than"));
		check_tiles(cases[i].open, in, strlen(in));
		dko_sh_free(s);
		free(in);
	}
}

/* ---- scripts of Dockerfile nodes ---- */

typedef struct ncase {
	const char *name;
	const char *dockerfile;
	int node;          /* instruction index among instructions (0 = first) */
	const char *text;  /* the script text */
	const char *dump;
	dko_sh_okind kind;
} ncase;

/* clang-format off */
static const ncase node_cases[] = {
	{"run", "FROM a\nRUN --mount=type=cache,target=/x apt-get update\n", 1,
	 "apt-get update", "(cmd \"apt-get\" \"update\")", DKO_SH_PARSED},
	{"continuations", "FROM a\nRUN a \\\n# comment\n\n  && b \\\n  c\n", 1,
	 "a   && b   c", "(and (cmd \"a\") (cmd \"b\" \"c\"))", DKO_SH_PARSED},
	{"crlf_continuation", "FROM a\r\nRUN a \\\r\n  && b\r\n", 1,
	 "a   && b", "(and (cmd \"a\") (cmd \"b\"))", DKO_SH_PARSED},
	{"heredoc_full", "FROM a\nRUN cat <<EOF > /x\nhello\nEOF\n", 1,
	 "cat <<EOF > /x\nhello\nEOF", "(cmd \"cat\" (<< \"EOF\" (body \"hello\\n\")) (> \"/x\"))", DKO_SH_PARSED},
	{"heredoc_bash", "FROM a\nRUN <<EOT bash\n  set -e\n  apt-get update\nEOT\n", 1,
	 "<<EOT bash\n  set -e\n  apt-get update\nEOT",
	 "(cmd \"bash\" (<< \"EOT\" (body \"  set -e\\n  apt-get update\\n\")))", DKO_SH_PARSED},
	{"heredoc_two", "FROM a\nRUN cat <<A > a && cat <<B > b\n1\nA\n2\nB\n", 1,
	 "cat <<A > a && cat <<B > b\n1\nA\n2\nB",
	 "(and (cmd \"cat\" (<< \"A\" (body \"1\\n\")) (> \"a\")) (cmd \"cat\" (<< \"B\" (body \"2\\n\")) (> \"b\")))", DKO_SH_PARSED},
	{"heredoc_single", "FROM a\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\n", 1,
	 "apt-get update\napt-get install -y x\n",
	 "(list (cmd \"apt-get\" \"update\") (cmd \"apt-get\" \"install\" \"-y\" \"x\"))", DKO_SH_PARSED},
	{"heredoc_single_chomp", "FROM a\nRUN <<-EOF\n\techo a\n\t\techo b\n\tEOF\n", 1,
	 "echo a\necho b\n", "(list (cmd \"echo\" \"a\") (cmd \"echo\" \"b\"))", DKO_SH_PARSED},
	{"heredoc_shebang_sh", "FROM a\nRUN <<EOF\n#!/usr/bin/env bash\nset -e\necho hi\nEOF\n", 1,
	 "#!/usr/bin/env bash\nset -e\necho hi\n", "(list (cmd \"set\" \"-e\") (cmd \"echo\" \"hi\"))", DKO_SH_PARSED},
	{"heredoc_python", "FROM a\nRUN <<EOF\n#!/usr/bin/python3\nprint(1)\nEOF\n", 1,
	 "#!/usr/bin/python3\nprint(1)\n", "(opaque \"heredoc script runs /usr/bin/python3: not a shell script\")", DKO_SH_NOT_SHELL},
	{"heredoc_unterminated", "FROM a\nRUN cat <<EOF\nx\n", 1,
	 "cat <<EOF", "(opaque \"the instruction has errors (see the Dockerfile diagnostics)\")", DKO_SH_BROKEN},
	{"onbuild_heredoc_unterminated", "FROM a\nONBUILD RUN cat <<EOF\nx\n", 1,
	 "cat <<EOF", "(opaque \"the instruction has errors (see the Dockerfile diagnostics)\")", DKO_SH_BROKEN},
	{"exec_form", "FROM a\nRUN [\"apt-get\", \"update\"]\n", 1,
	 "[\"apt-get\", \"update\"]", "(opaque \"exec form (JSON): no shell\")", DKO_SH_NOT_SHELL},
	{"shell_powershell", "FROM a\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem | % { $_ }\n", 2,
	 "Get-ChildItem | % { $_ }", "(opaque \"SHELL is powershell: not a POSIX shell\")", DKO_SH_NOT_SHELL},
	{"shell_cmd", "FROM a\nSHELL [\"cmd\", \"/S\", \"/C\"]\nRUN dir\n", 2,
	 "dir", "(opaque \"SHELL is cmd: not a POSIX shell\")", DKO_SH_NOT_SHELL},
	{"shell_bash", "FROM a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN [[ -f x ]] && y\n", 2,
	 "[[ -f x ]] && y", "(and (cond \"-f\" \"x\") (cmd \"y\"))", DKO_SH_PARSED},
	{"shell_per_stage", "FROM a AS one\nSHELL [\"pwsh\", \"-c\"]\nFROM b\nRUN ls\n", 3,
	 "ls", "(cmd \"ls\")", DKO_SH_PARSED},
	{"shell_inherited", "FROM a AS one\nSHELL [\"pwsh\", \"-c\"]\nFROM one\nRUN ls\n", 3,
	 "ls", "(opaque \"SHELL is pwsh: not a POSIX shell\")", DKO_SH_NOT_SHELL},
	{"stage_name_repeated", "FROM a AS one\nSHELL [\"pwsh\"]\nFROM b AS one\nSHELL [\"/bin/bash\", \"-c\"]\nFROM one\nRUN ls\n", 5,
	 "ls", "(cmd \"ls\")", DKO_SH_PARSED},
	{"escape_backtick", "# escape=`\nFROM a\nRUN dir `\n  c:\\\n", 1,
	 "dir   c:\\", "(opaque \"escape=` marks a Windows Dockerfile: not a POSIX shell script\")", DKO_SH_NOT_SHELL},
	{"windows_base", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n", 1,
	 "dir", "(opaque \"Windows base image (default shell cmd): not a POSIX shell\")", DKO_SH_NOT_SHELL},
	{"onbuild_run", "FROM a\nONBUILD RUN make install\n", 1,
	 "make install", "(cmd \"make\" \"install\")", DKO_SH_PARSED},
	{"cmd_shell_form", "FROM a\nCMD exec nginx -g 'daemon off;'\n", 1,
	 "exec nginx -g 'daemon off;'", "(cmd \"exec\" \"nginx\" \"-g\" (q \"'daemon off;'\" \"daemon off;\"))", DKO_SH_PARSED},
	{"entrypoint_shell_form", "FROM a\nENTRYPOINT ./run.sh \"$@\"\n", 1,
	 "./run.sh \"$@\"", "(cmd \"./run.sh\" (w \"\\\"$@\\\"\" (param \"@\")))", DKO_SH_PARSED},
	{"healthcheck", "FROM a\nHEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n", 1,
	 "curl -f http://x/ || exit 1", "(or (cmd \"curl\" \"-f\" \"http://x/\") (cmd \"exit\" \"1\"))", DKO_SH_PARSED},
	{"healthcheck_empty", "FROM a\nHEALTHCHECK\n", 1,
	 "", "(opaque \"HEALTHCHECK without a shell command\")", DKO_SH_NOT_SHELL},
	{"healthcheck_none", "FROM a\nHEALTHCHECK NONE\n", 1,
	 "NONE", "(opaque \"HEALTHCHECK without a shell command\")", DKO_SH_NOT_SHELL},
	{"not_shell_instr", "FROM a\nCOPY a b\n", 1,
	 "a b", "(opaque \"not a RUN, CMD, ENTRYPOINT or HEALTHCHECK instruction\")", DKO_SH_NOT_SHELL},
	{"syntax_error", "FROM a\nRUN if true; then echo\n", 1,
	 "if true; then echo", "(opaque \"syntax error: unexpected end of script (expected `fi`)\")", DKO_SH_SYNTAX},
};
/* clang-format on */

static uint32_t nth_instr(const dko_doc *doc, int k)
{
	for (uint32_t i = 0; i < doc->nnodes; i++)
		if (doc->nodes[i].kind == DKO_NODE_INSTR && k-- == 0)
			return i;
	fail_msg("no instruction %d", k);
	return 0;
}

static void test_shell__nodes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(node_cases) / sizeof(node_cases[0]); i++) {
		const ncase *c = &node_cases[i];
		dko_doc *doc;
		dko_parse(&doc, c->dockerfile, strlen(c->dockerfile), NULL);
		uint32_t idx = nth_instr(doc, c->node);
		dko_sh_walker w;
		dko_sh_walker_init(&w, doc);
		dko_sh_opts o;
		dko_sh_walker_opts(&w, idx, &o);
		dko_sh_script *s;
		int rc = dko_sh_parse_node(&s, doc, idx, &o);
		size_t len;
		const char *t = dko_sh_text(s, &len);
		dko_buf b = DKO_BUF_INIT;
		dko_sh_dump(&b, s);
		if (len != strlen(c->text) || memcmp(t, c->text, len) != 0 ||
		    strcmp(dko_buf_cstr(&b), c->dump) != 0 || dko_sh_opaque_kind(s) != c->kind)
			fail_msg("%s:\n  text %.*s\n  dump %s\n  kind %d", c->name, (int)len, t,
			         dko_buf_cstr(&b), dko_sh_opaque_kind(s));
		assert_int_equal(rc, c->kind == DKO_SH_PARSED ? 0 : DKO_EPARSE);
		/* The script's source lies inside its node. */
		dko_span src = dko_sh_source_span(s);
		assert_true(src.start >= doc->nodes[idx].span.start && src.end <= doc->nodes[idx].span.end);
		/* Every script byte comes from an equal source byte. */
		for (uint32_t k = 0; k < len; k++) {
			dko_span p = dko_sh_phys_span(s, (dko_span){k, k + 1});
			assert_int_equal(p.end, p.start + 1);
			assert_int_equal(doc->src[p.start], t[k]);
		}
		dko_buf_release(&b);
		dko_sh_free(s);
		dko_sh_walker_release(&w);
		dko_doc_free(doc);
	}
}

static void test_shell__phys_spans(void **state)
{
	(void)state;
	const char *df = "FROM a\nRUN apt-get update \\\n    && apt-get install -y \\\n       curl\n";
	dko_doc *doc;
	dko_parse(&doc, df, strlen(df), NULL);
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_node(&s, doc, 1, NULL), 0);
	assert_int_equal(dko_sh_cmd_count(s), 2);
	const dko_sh_cmd *c = dko_sh_cmd_at(s, 1);
	/* "curl" sits on the third physical line. */
	dko_span p = dko_sh_phys_span(s, c->words[3].span);
	assert_int_equal(p.end - p.start, 4);
	assert_memory_equal(df + p.start, "curl", 4);
	/* The whole command spans the continuation (trivia included). */
	p = dko_sh_phys_span(s, c->span);
	assert_memory_equal(df + p.start, "apt-get install -y \\\n       curl", p.end - p.start);
	/* The script's source: the RUN body after the keyword. */
	p = dko_sh_source_span(s);
	assert_int_equal(p.start, strlen("FROM a\nRUN "));
	assert_int_equal(p.end, strlen(df) - 1);
	dko_buf b = DKO_BUF_INIT;
	dko_sh_print(&b, s);
	assert_int_equal(b.len, p.end - p.start);
	assert_memory_equal(b.ptr, df + p.start, b.len);
	dko_buf_release(&b);
	dko_sh_free(s);
	/* Not an instruction: EINVAL, still a script. */
	assert_int_equal(dko_sh_parse_node(&s, doc, 99, NULL), DKO_EINVAL);
	assert_true(dko_sh_is_opaque(s));
	dko_sh_free(s);
	dko_doc_free(doc);
	dko_sh_free(NULL);
}

static void test_shell__opts(void **state)
{
	(void)state;
	static const char *const bash[] = {"/bin/bash", "-c"};
	static const char *const pwsh[] = {"C:\\\\Program Files\\\\pwsh.exe", "-c"};
	dko_sh_opts o = {bash, 2, 0, false};
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_text(&s, "ls", 2, &o), 0);
	dko_sh_free(s);
	o.shell = pwsh;
	assert_int_equal(dko_sh_parse_text(&s, "ls", 2, &o), DKO_EPARSE);
	assert_int_equal(dko_sh_opaque_kind(s), DKO_SH_NOT_SHELL);
	dko_sh_free(s);
	o = (dko_sh_opts){NULL, 0, '`', false};
	assert_int_equal(dko_sh_parse_text(&s, "ls", 2, &o), DKO_EPARSE);
	dko_sh_free(s);
	o = (dko_sh_opts){NULL, 0, 0, true};
	assert_int_equal(dko_sh_parse_text(&s, "ls", 2, &o), DKO_EPARSE);
	dko_sh_free(s);
	/* A SHELL given explicitly wins over the Windows default. */
	o = (dko_sh_opts){bash, 2, 0, true};
	assert_int_equal(dko_sh_parse_text(&s, "ls", 2, &o), 0);
	dko_sh_free(s);
}

/* Options handed out for every node up front (as fix does) stay valid after
 * later SHELL instructions replace the argv they point to. */
static void test_shell__walker_keeps_opts(void **state)
{
	(void)state;
	const char *df = "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN ls\n"
	                 "SHELL [\"pwsh\", \"-c\"]\nRUN dir\nSHELL [\"/bin/sh\", \"-c\"]\nRUN ls\n"
	                 "FROM a AS b\nRUN ls\n";
	dko_doc *doc;
	assert_int_equal(dko_parse(&doc, df, strlen(df), NULL), 0);
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	dko_sh_opts *o = calloc(doc->nnodes, sizeof(*o));
	for (uint32_t i = 0; i < doc->nnodes; i++)
		dko_sh_walker_opts(&w, i, &o[i]);
	static const char *const want[] = {"/bin/bash", "pwsh", "/bin/sh", NULL};
	for (int k = 0; k < 4; k++) {
		uint32_t idx = nth_instr(doc, 2 + 2 * k); /* the RUNs */
		if (!want[k]) {
			assert_int_equal(o[idx].nshell, 0);
			continue;
		}
		assert_int_equal(o[idx].nshell, 2);
		assert_string_equal(o[idx].shell[0], want[k]);
	}
	dko_sh_script *s;
	assert_int_equal(dko_sh_parse_node(&s, doc, nth_instr(doc, 4), &o[nth_instr(doc, 4)]), DKO_EPARSE);
	assert_int_equal(dko_sh_opaque_kind(s), DKO_SH_NOT_SHELL);
	dko_sh_free(s);
	free(o);
	dko_sh_walker_release(&w);
	dko_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell__dump),
		cmocka_unit_test(test_shell__dump_crlf),
		cmocka_unit_test(test_shell__tokens_tile),
		cmocka_unit_test(test_shell__token_kinds),
		cmocka_unit_test(test_shell__nul_bytes),
		cmocka_unit_test(test_shell__words),
		cmocka_unit_test(test_shell__cmd_flags),
		cmocka_unit_test(test_shell__queries),
		cmocka_unit_test(test_shell__items),
		cmocka_unit_test(test_shell__stdin_heredoc),
		cmocka_unit_test(test_shell__deep_nesting),
		cmocka_unit_test(test_shell__nodes),
		cmocka_unit_test(test_shell__phys_spans),
		cmocka_unit_test(test_shell__opts),
		cmocka_unit_test(test_shell__walker_keeps_opts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
