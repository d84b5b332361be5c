/*
 * ignore.h - Docker's .dockerignore rules, as BuildKit applies them.
 *
 * Reading (moby/patternmatcher ignorefile.ReadAll): a UTF-8 BOM is dropped
 * from the first line; a line whose first byte is '#' is a comment (only
 * there: "  # x" is a pattern); each line is trimmed of Unicode white space,
 * a leading '!' marks an exception (re-include), the rest is trimmed again,
 * cleaned like Go's filepath.Clean and loses one leading '/'.
 *
 * Matching (patternmatcher + tonistiigi/fsutil, the walker BuildKit sends the
 * context with): '*' is any run of non-'/' characters, '?' one of them, '**'
 * any number of folders (including none), "[...]" a class, '\' escapes the
 * next character; the last matching pattern wins; a pattern that matches a
 * folder excludes everything below it unless a later '!' pattern re-includes
 * it. Like patternmatcher, a pattern is turned into a Go regular expression,
 * and this module evaluates that expression with Go's regexp semantics (so
 * e.g. "[[:digit:]]" or "\d" mean what they mean to Docker). Like fsutil, a
 * walker does not enter an excluded folder when no '!' pattern (without glob
 * characters, ignoring a final "/" plus one or two stars) names a path below it, so
 * "!**" style exceptions do not reach into such folders.
 *
 * Paths given to the matching functions are relative to the context root,
 * '/'-separated and clean (no ".", "..", "//", leading or trailing '/').
 */
#ifndef DKO_IGNORE_H
#define DKO_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dko_ignore dko_ignore;

/*
 * Parse the text of an ignore file; name is the file's name for messages.
 * A bad pattern (one Docker rejects, e.g. "[" or a lone "!") is DKO_ECONFIG
 * with "name:line:col: error: ..." in dko_error_last(); so is a pattern using
 * a regular-expression escape this module does not model (\p, \C). *out is
 * freed with dko_ignore_free(); it is NULL on error.
 */
int dko_ignore_parse(dko_ignore **out, const char *text, size_t len, const char *name);
void dko_ignore_free(dko_ignore *ig);

/* Number of patterns (comments and empty lines not counted). */
size_t dko_ignore_count(const dko_ignore *ig);
/* Pattern i as Docker keeps it (cleaned, without its '!'); *exception (may
 * be NULL) tells whether it is a '!' pattern, *line (may be NULL) its line. */
const char *dko_ignore_pattern(const dko_ignore *ig, size_t i, bool *exception, unsigned *line);
/* Whether any pattern is a '!' exception. */
bool dko_ignore_has_exceptions(const dko_ignore *ig);

/* Whether path is left out of the build context (ancestors included: a file
 * below a folder the walker does not enter is excluded). "" is never. */
bool dko_ignore_excludes(const dko_ignore *ig, const char *path);
/* Whether folder dir and everything below it is left out, so that a walker
 * may skip it. */
bool dko_ignore_skips_dir(const dko_ignore *ig, const char *dir);

/*
 * Incremental matching for walkers (patternmatcher's MatchesUsingParentResults):
 * state and parent are arrays of dko_ignore_state_size() bytes; parent is the
 * state of path's folder (NULL for an entry of the root, or to match without
 * walking, which then also tries each parent folder). Fills state for path
 * and returns whether path itself is excluded.
 */
size_t dko_ignore_state_size(const dko_ignore *ig);
bool dko_ignore_match(const dko_ignore *ig, const char *path, const unsigned char *parent,
                      unsigned char *state);
/* Given that folder dir is excluded: whether no exception can re-include
 * anything below it, so that the walker does not enter it (fsutil's rule). */
bool dko_ignore_dir_prunable(const dko_ignore *ig, const char *dir);

/* Whether pattern i alone matches path (no parent rule, no order); for tests
 * and diagnostics. */
bool dko_ignore_pattern_matches(const dko_ignore *ig, size_t i, const char *path);
/* The Go regular expression pattern i compiles to ("^...$"), or NULL when it
 * is matched as an exact string, a prefix or a suffix; for tests. */
const char *dko_ignore_pattern_regex(const dko_ignore *ig, size_t i);

#endif
