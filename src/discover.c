/*
 * discover.c - which files are Dockerfiles: the names BuildKit, buildah and
 * common practice use (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile,
 * Containerfile.*, *.Containerfile, case-insensitive like Docker Desktop and
 * hadolint), plus configured PCRE2 patterns; and a recursive walk that finds
 * them under a folder without following symlinked folders and skipping VCS
 * and dependency folders.
 */
#include "discover.h"
#include "config.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/regex.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool has_prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

static bool has_suffix_ci(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && strcasecmp(s + a - b, suf) == 0;
}

bool dko_is_dockerfile_name(const char *path, const dko_config *cfg)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcasecmp(base, "Dockerfile") || !strcasecmp(base, "Containerfile"))
		return true;
	if ((has_prefix_ci(base, "Dockerfile.") || has_prefix_ci(base, "Containerfile.")) &&
	    !has_suffix_ci(base, ".dockerignore") && !has_suffix_ci(base, ".containerignore"))
		return true;
	if (has_suffix_ci(base, ".Dockerfile") || has_suffix_ci(base, ".Containerfile"))
		return true;
	if (cfg) {
		const char **pats;
		size_t n;
		dko_config_dockerfiles(cfg, &pats, &n);
		for (size_t i = 0; i < n; i++) {
			dko_regex *re;
			if (dko_regex_compile(&re, pats[i], "dockerfiles") != 0)
				continue;
			bool m = dko_regex_match(re, base, strlen(base)) || dko_regex_match(re, path, strlen(path));
			dko_regex_free(re);
			if (m)
				return true;
		}
	}
	return false;
}

static bool skip_dir(const char *name)
{
	static const char *const skip[] = {".git", ".hg", ".svn", "node_modules", ".venv",
	                                   "__pycache__", ".tox", ".terraform"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(name, skip[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, const dko_config *cfg, dko_strlist *out, int depth)
{
	if (depth > 64)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	DKO_VEC(char *) names = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		DKO_VEC_PUSH(&names, dko_xstrdup(e->d_name));
	}
	closedir(d);
	if (names.len)
		qsort(names.items, names.len, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.len; i++) {
		dko_buf p = DKO_BUF_INIT;
		dko_buf_printf(&p, "%s%s%s", strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "",
		               names.items[i]);
		struct stat st;
		if (lstat(p.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (!skip_dir(names.items[i]))
					walk(p.ptr, cfg, out, depth + 1);
			} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			           dko_is_dockerfile_name(p.ptr, cfg)) {
				DKO_VEC_PUSH(out, dko_buf_detach(&p, NULL));
			}
		}
		dko_buf_release(&p);
		free(names.items[i]);
	}
	DKO_VEC_FREE(&names);
}

int dko_discover(dko_strlist *out, const char *dir, const dko_config *cfg)
{
	walk(dir, cfg, out, 0);
	return 0;
}

void dko_strlist_free(dko_strlist *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	DKO_VEC_FREE(l);
}
