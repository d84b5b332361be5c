/*
 * goregex.h - the part of Go's regexp syntax (RE2, regexp.Compile's Perl
 * flags) that moby/patternmatcher's compiled .dockerignore patterns can
 * contain, evaluated with Go's semantics: UTF-8 runes (an invalid byte is
 * U+FFFD), '.' is any rune but '\n', '^'/'$' are the ends of the text,
 * classes with ranges, negation, POSIX "[:name:]" and Perl \d \s \w groups,
 * escapes (\x.., octal, \a \f \n \r \t \v, \Q..\E), \A \z \b \B, groups
 * "(...)", alternation '|' and the repetitions * + ? {n,m} (lazy forms too;
 * a '{' that does not start a valid count is a literal, as in Go).
 *
 * Not modelled (compiling them is DKO_ECONFIG naming them): "(?flags)" and
 * Unicode classes \p{..}; programs over 200,000 instructions. Matching is a
 * Thompson/Pike simulation: linear in the text times the program size.
 */
#ifndef DKO_GOREGEX_H
#define DKO_GOREGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dko_goregex dko_goregex;

/* Compile re[0..len). DKO_EINVAL when Go would reject it ("missing closing ]",
 * "invalid escape sequence", ...), DKO_ECONFIG for syntax outside the subset;
 * the message is in dko_error_last(). */
int dko_goregex_compile(dko_goregex **out, const char *re, size_t len);
void dko_goregex_free(dko_goregex *re);
/* Whether re matches somewhere in s[0..len) (Go's MatchString). */
bool dko_goregex_match(const dko_goregex *re, const char *s, size_t len);

/* Go's utf8.DecodeRune: the rune at s[0..len) and its width; an invalid or
 * truncated sequence is U+FFFD of width 1. len must be > 0. */
unsigned dko_goregex_decode(const char *s, size_t len, size_t *width);

#endif
