/*
 * json.h - a small JSON reader (RFC 8259) for the files and answers dockopt
 * reads: package.json, composer.json, engine `inspect` output, GitHub API
 * responses. The whole document is parsed into a tree owned by one arena.
 */
#ifndef DKO_JSON_H
#define DKO_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum dko_json_type {
	DKO_JSON_NULL,
	DKO_JSON_BOOL,
	DKO_JSON_NUMBER,
	DKO_JSON_STRING,
	DKO_JSON_ARRAY,
	DKO_JSON_OBJECT
} dko_json_type;

typedef struct dko_json dko_json;
struct dko_json {
	dko_json_type type;
	bool boolean;
	double number;
	const char *str; /* STRING: decoded, NUL-terminated (may hold \u0000) */
	size_t len;      /* STRING: bytes; ARRAY/OBJECT: members */
	const char **keys;   /* OBJECT: member names, decoded */
	dko_json **items;    /* ARRAY/OBJECT: members in document order */
};

typedef struct dko_json_doc dko_json_doc;

/* Parse text[0..len). On error returns DKO_EPARSE with "line:col: message"
 * in dko_error_last() (prefix it with the file name). *out is freed with
 * dko_json_doc_free(). Nesting deeper than 512 levels is an error. */
int dko_json_parse(dko_json_doc **out, const char *text, size_t len);
void dko_json_doc_free(dko_json_doc *doc);
const dko_json *dko_json_root(const dko_json_doc *doc);

/* Member of an object by name (the last one if repeated), or NULL. */
const dko_json *dko_json_get(const dko_json *obj, const char *key);
/* Follow a path of object keys separated by '.', e.g. "Config.Env". */
const dko_json *dko_json_path(const dko_json *v, const char *path);
/* The string value, or NULL if v is NULL or not a string. */
const char *dko_json_string(const dko_json *v);

#endif
