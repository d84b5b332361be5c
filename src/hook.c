/*
 * hook.c - `dockopt install-hook`: the git pre-commit hook script and its
 * installation (see precommit.h).
 *
 * The script runs the dockopt that installed it (an absolute path, so a
 * commit from a shell without it on PATH still works) and falls back to the
 * one on PATH when that binary has moved. Every script carries
 * DKO_HOOK_MARKER: a hook without it belongs to someone else and is only
 * replaced on request, after being saved.
 */
#include "precommit.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dko_hook_result_release(dko_hook_result *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->backup);
	memset(r, 0, sizeof(*r));
}

/* s quoted for sh: in single quotes, each ' as '\''. */
static void put_sh_quoted(dko_buf *b, const char *s)
{
	dko_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			dko_buf_puts(b, "'\\''");
		else
			dko_buf_putc(b, *s);
	}
	dko_buf_putc(b, '\'');
}

char *dko_hook_script(const dko_hook_opts *opts)
{
	const char *args = opts->check ? "pre-commit --check" : "pre-commit";
	dko_buf b = DKO_BUF_INIT;
	dko_buf_printf(&b,
	               "#!/bin/sh\n"
	               "# " DKO_HOOK_MARKER ": written by `dockopt install-hook`.\n"
	               "# Fixes the staged Dockerfiles in the index (and in the working tree\n"
	               "# when it has no unstaged edits). Exit 1 means files were changed:\n"
	               "# review them with `git diff --cached`, then commit again.\n"
	               "# Skip it once with `git commit --no-verify`.\n");
	if (opts->exe && *opts->exe) {
		dko_buf_puts(&b, "dockopt=");
		put_sh_quoted(&b, opts->exe);
		dko_buf_printf(&b, "\nif [ -x \"$dockopt\" ]; then\n"
		                   "\texec \"$dockopt\" %s\n"
		                   "fi\n",
		               args);
	}
	dko_buf_printf(&b, "exec dockopt %s\n", args);
	return dko_buf_detach(&b, NULL);
}

/* Whether the file at path is a hook dockopt wrote. *exists says whether
 * there is anything at path at all. */
static int is_ours(bool *ours, bool *exists, const char *path)
{
	*ours = *exists = false;
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return dko_error_set(DKO_EIO, "%s: %s", path, strerror(errno));
	}
	*exists = true;
	char *data = NULL;
	size_t len = 0;
	if (S_ISREG(st.st_mode) && dko_fs_read_file(&data, &len, path) == 0)
		*ours = strstr(data, DKO_HOOK_MARKER) != NULL;
	dko_error_clear(); /* unreadable or not a file: foreign */
	free(data);
	return 0;
}

/* Move the foreign hook at path aside: path.bak, else path.bak.N. */
static int save_foreign(char **backup, const char *path)
{
	for (int i = 0; i < 1000; i++) {
		dko_buf b = DKO_BUF_INIT;
		dko_buf_printf(&b, i ? "%s.bak.%d" : "%s.bak", path, i);
		struct stat st;
		if (lstat(b.ptr, &st) != 0 && errno == ENOENT) {
			if (rename(path, b.ptr) != 0) {
				int rc = dko_error_set(DKO_EIO, "%s: cannot move it to %s: %s", path, b.ptr,
				                       strerror(errno));
				dko_buf_release(&b);
				return rc;
			}
			*backup = dko_buf_detach(&b, NULL);
			return 0;
		}
		dko_buf_release(&b);
	}
	return dko_error_set(DKO_EIO, "%s: no free name to save it under", path);
}

/* mkdir -p dir (0777 minus the umask, as git makes its folders). */
static int make_dirs(const char *dir)
{
	char *p = dko_xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		bool end = *s == '\0';
		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			rc = dko_error_set(DKO_EIO, "%s: cannot create the folder: %s", p, strerror(errno));
			break;
		}
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

static int write_hook(const char *path, const dko_hook_opts *opts)
{
	char *script = dko_hook_script(opts);
	int rc = dko_fs_write_atomic(path, script, strlen(script));
	free(script);
	if (rc == 0 && chmod(path, 0755) != 0)
		rc = dko_error_set(DKO_EIO, "%s: cannot make it executable: %s", path, strerror(errno));
	return rc;
}

int dko_hook_install(dko_hook_result *out, dko_git_repo *repo, const dko_hook_opts *opts)
{
	memset(out, 0, sizeof(*out));
	char *dir = NULL;
	int rc = dko_git_repo_hooks_dir(&dir, repo);
	if (rc == 0)
		rc = make_dirs(dir);
	if (rc < 0)
		goto done;
	dko_buf path = DKO_BUF_INIT;
	dko_buf_printf(&path, "%s%spre-commit", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
	out->path = dko_buf_detach(&path, NULL);
	bool ours, exists;
	rc = is_ours(&ours, &exists, out->path);
	if (rc < 0)
		goto done;
	if (exists && !ours) {
		if (!opts->force) {
			rc = dko_error_set(DKO_EINVAL,
			                   "%s: a pre-commit hook that dockopt did not write is installed; "
			                   "use --force to replace it (it is saved as pre-commit.bak)",
			                   out->path);
			goto done;
		}
		rc = save_foreign(&out->backup, out->path);
		if (rc < 0)
			goto done;
	}
	out->updated = ours;
	rc = write_hook(out->path, opts);
done:
	free(dir);
	return rc;
}
