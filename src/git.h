/*
 * git.h - everything dockopt does with git, through libgit2: unified diffs of
 * two buffers, the index and working tree (pre-commit), trees, commits and
 * refs, fetch and push (the PR bot), and a build context served from a tree.
 *
 * Only src/git.c includes <git2.h>; this header exposes dockopt types only.
 * libgit2 is initialised on first use; dko_git_shutdown() releases it (tests).
 *
 * Conventions: functions return 0 or a negative DKO_E* code. A libgit2
 * failure is DKO_EGIT with libgit2's message (prefixed by what was being
 * done); a missing path, ref or object is DKO_ENOTFOUND. Messages never hold
 * credentials (see util/redact.h). Paths inside a repository are relative to
 * its top folder and '/'-separated. A "rev" is anything `git rev-parse`
 * understands: a ref name ("main", "refs/remotes/origin/main", "HEAD"), a hex
 * object id, "HEAD~1", "main^{tree}".
 */
#ifndef DKO_GIT_H
#define DKO_GIT_H

#include "context.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File modes as git stores them. */
enum {
	DKO_GIT_MODE_TREE = 0040000,
	DKO_GIT_MODE_FILE = 0100644,
	DKO_GIT_MODE_EXEC = 0100755,
	DKO_GIT_MODE_LINK = 0120000,
	DKO_GIT_MODE_SUBMODULE = 0160000
};

/* A SHA-1 object id. */
typedef struct dko_git_oid {
	unsigned char id[20];
} dko_git_oid;

/* Hex form of an id: 40 digits and a NUL. */
#define DKO_GIT_OID_HEXSZ 41
void dko_git_oid_fmt(char out[DKO_GIT_OID_HEXSZ], const dko_git_oid *id);
/* Parse 40 hex digits; DKO_EINVAL otherwise. */
int dko_git_oid_parse(dko_git_oid *out, const char *hex);
bool dko_git_oid_equal(const dko_git_oid *a, const dko_git_oid *b);

/* Release libgit2's global state if dockopt initialised it (tests call this
 * at exit so leak checkers stay quiet). Later calls re-initialise. */
void dko_git_shutdown(void);

/* ---- Unified diffs -------------------------------------------------- */

/*
 * Append to out the unified diff (git's format, from libgit2's patch API)
 * turning old[0..old_len) at old_path into new[0..new_len) at new_path, with
 * context_lines lines of context. old == NULL is a new file ("new file mode",
 * "--- /dev/null"); new == NULL a deletion. A path NULL takes the other one.
 * Bytes are compared as they are (CRLF stays CRLF, a missing final newline
 * gets "\ No newline at end of file"); binary content gives git's "Binary
 * files ... differ" line. Identical inputs append nothing.
 */
int dko_git_patch(dko_buf *out, const char *old_path, const char *old_data, size_t old_len,
                  const char *new_path, const char *new_data, size_t new_len,
                  unsigned context_lines);

/* ---- Repositories ---------------------------------------------------- */

typedef struct dko_git_repo dko_git_repo;

enum {
	/* Honour GIT_DIR, GIT_INDEX_FILE, GIT_CEILING_DIRECTORIES, ... as git
	 * does; use it inside hooks, where git sets them. */
	DKO_GIT_OPEN_FROM_ENV = 1 << 0
};

/* Open the repository containing folder path (searching upwards, like git).
 * DKO_ENOTFOUND when there is none. Free with dko_git_repo_free. */
int dko_git_repo_open(dko_git_repo **out, const char *path, unsigned flags);
/* Create a repository at path (bare: no working tree) whose initial branch
 * is initial_branch (NULL: "main"). */
int dko_git_repo_init(dko_git_repo **out, const char *path, bool bare,
                      const char *initial_branch);
void dko_git_repo_free(dko_git_repo *repo);
/* The working-tree folder with a trailing '/', or NULL for a bare repository. */
const char *dko_git_repo_workdir(const dko_git_repo *repo);
/* The git folder (".git/" or the bare repository) with a trailing '/'. */
const char *dko_git_repo_gitdir(const dko_git_repo *repo);
/* Where hooks live: core.hooksPath if set (relative to the working tree),
 * else the hooks folder of the common git folder. *out is malloc'd. */
int dko_git_repo_hooks_dir(char **out, dko_git_repo *repo);

/* A config value (all levels: repo, global, system); *out malloc'd.
 * DKO_ENOTFOUND when unset. */
int dko_git_config_get(char **out, dko_git_repo *repo, const char *key);
/* Set a value in the repository's own config (.git/config). */
int dko_git_config_set(dko_git_repo *repo, const char *key, const char *value);

/* ---- Files in the index and in trees -------------------------------- */

typedef struct dko_git_entry {
	char *path;
	uint32_t mode; /* DKO_GIT_MODE_* */
	dko_git_oid id;
} dko_git_entry;

void dko_git_entries_free(dko_git_entry *entries, size_t n);

/* Every stage-0 entry of the index, in index (path) order. */
int dko_git_index_list(dko_git_entry **out, size_t *n, dko_git_repo *repo);

typedef enum dko_git_status {
	DKO_GIT_ADDED = 'A',
	DKO_GIT_MODIFIED = 'M',
	DKO_GIT_DELETED = 'D',
	DKO_GIT_TYPECHANGE = 'T'
} dko_git_status;

typedef struct dko_git_staged {
	char *path;
	dko_git_status status;
	uint32_t old_mode, new_mode; /* 0 for the side that does not exist */
	dko_git_oid old_id, new_id;
} dko_git_staged;

/*
 * What `git commit` would record: the index compared with HEAD's tree (every
 * entry is ADDED before the first commit). No rename detection: a rename is
 * a DELETED plus an ADDED. Intent-to-add entries (`git add -N`) are left out:
 * nothing of them is staged.
 */
int dko_git_staged_list(dko_git_staged **out, size_t *n, dko_git_repo *repo);
void dko_git_staged_free(dko_git_staged *list, size_t n);

/* The staged (index) version of path: contents malloc'd and NUL-terminated;
 * mode may be NULL. DKO_ENOTFOUND when path is not in the index. */
int dko_git_index_read(char **data, size_t *len, uint32_t *mode, dko_git_repo *repo,
                       const char *path);

/*
 * Stage data as the new contents of path: write the blob, point the index
 * entry at it keeping its mode, and write the index (under its lock). The
 * working tree is not touched; the entry's cached stat data is cleared so git
 * re-reads the working file instead of trusting it. new_id may be NULL.
 * DKO_ENOTFOUND when path has no stage-0 entry (e.g. it is conflicted).
 */
int dko_git_index_stage(dko_git_oid *new_id, dko_git_repo *repo, const char *path,
                        const char *data, size_t len);

/*
 * Add path to the index with contents data (creating or replacing its stage-0
 * entry, as `git add` would for a file holding them), mode 0 meaning the
 * existing entry's mode or DKO_GIT_MODE_FILE; then write the index.
 */
int dko_git_index_add(dko_git_repo *repo, const char *path, const char *data, size_t len,
                      uint32_t mode);
/* Remove path from the index (`git rm --cached`) and write the index.
 * DKO_ENOTFOUND when it is not there. */
int dko_git_index_remove(dko_git_repo *repo, const char *path);
/* Write the index as a tree (`git write-tree`); *out receives its id. */
int dko_git_index_write_tree(dko_git_oid *out, dko_git_repo *repo);

/*
 * Whether the working-tree file of path holds what the index holds for it
 * (after git's clean filters, e.g. core.autocrlf, as `git diff` compares).
 * *same is false when the file is missing or of another type (symlink vs
 * file). Needs a working tree (DKO_EINVAL on a bare repository).
 */
int dko_git_worktree_matches_index(bool *same, dko_git_repo *repo, const char *path);

/*
 * Write data (repository form) to the working-tree file of path, through
 * git's smudge filters for that path (as a checkout would), atomically with
 * dko_fs_write_atomic (mode kept; a symlink's target is written).
 */
int dko_git_worktree_write(dko_git_repo *repo, const char *path, const char *data,
                           size_t len);

/* The commit rev names, peeled (a tag becomes its commit). DKO_ENOTFOUND
 * when rev does not resolve (e.g. HEAD of an empty repository). */
int dko_git_resolve_commit(dko_git_oid *out, dko_git_repo *repo, const char *rev);
/* The tree of rev (a commit, tag or tree). */
int dko_git_resolve_tree(dko_git_oid *out, dko_git_repo *repo, const char *rev);

/* Contents of the blob at path in the tree of rev (commit or tree). mode
 * may be NULL. DKO_ENOTFOUND when absent; DKO_EINVAL when path is a folder
 * or a submodule. */
int dko_git_tree_read(char **data, size_t *len, uint32_t *mode, dko_git_repo *repo,
                      const char *rev, const char *path);
/* Contents of the blob at path in HEAD. */
int dko_git_head_read(char **data, size_t *len, dko_git_repo *repo, const char *path);
/* Contents of a blob by id. */
int dko_git_blob_read(char **data, size_t *len, dko_git_repo *repo, const dko_git_oid *id);
/* Store data as a blob; *id receives its id. */
int dko_git_blob_write(dko_git_oid *id, dko_git_repo *repo, const char *data, size_t len);

/* Every file of the tree of rev, recursively, in git's tree order: blobs
 * (FILE, EXEC), symlinks (LINK, id of the target text) and submodules
 * (SUBMODULE, id of the commit); folders themselves are not listed. */
int dko_git_tree_list(dko_git_entry **out, size_t *n, dko_git_repo *repo, const char *rev);

/* One change to a tree; see dko_git_tree_update. */
typedef struct dko_git_file {
	const char *path;
	const char *data; /* new contents; NULL (and no id) removes the path */
	size_t len;
	uint32_t mode; /* 0: the base entry's mode, else DKO_GIT_MODE_FILE */
	/* Instead of data: an existing object, a blob or, with mode
	 * DKO_GIT_MODE_SUBMODULE, the commit a submodule points to. */
	const dko_git_oid *id;
} dko_git_file;

/*
 * Build a new tree: the tree of base (NULL: an empty tree) with files
 * replaced, added (creating folders as needed) or removed (removing an
 * absent path is a no-op; a folder left empty disappears). Returns its id in
 * *out; nothing else changes (no ref, no index). DKO_EINVAL for a path git
 * cannot hold (absolute, empty parts, "." or "..", inside .git).
 */
int dko_git_tree_update(dko_git_oid *out, dko_git_repo *repo, const char *base,
                        const dko_git_file *files, size_t n);

/* ---- Commits and refs ------------------------------------------------ */

/* Who a commit is by. name or email NULL: taken from the config (user.name,
 * user.email); when still missing the error says what to set. */
typedef struct dko_git_ident {
	const char *name, *email;
} dko_git_ident;

/* Parse "Name <email>" (as `git commit --author` takes) into malloc'd parts. */
int dko_git_ident_parse(char **name, char **email, const char *text);

/*
 * Create a commit of tree with the given parents (nparents may be 0), author
 * and committer who (NULL: both from the config), now, and message (a final
 * newline is added when missing). No ref moves; *out receives its id.
 */
int dko_git_commit_create(dko_git_oid *out, dko_git_repo *repo, const dko_git_oid *tree,
                          const dko_git_oid *parents, size_t nparents,
                          const dko_git_ident *who, const char *message);

typedef struct dko_git_commit_info {
	dko_git_oid id, tree;
	dko_git_oid *parents;
	size_t nparents;
	char *message;
	char *author_name, *author_email;
	char *committer_name, *committer_email;
} dko_git_commit_info;

/* Read a commit (rev peeled to a commit). Release with ..._release. */
int dko_git_commit_lookup(dko_git_commit_info *out, dko_git_repo *repo, const char *rev);
void dko_git_commit_info_release(dko_git_commit_info *ci);

/* The id a ref points to (symbolic refs followed, tags not peeled).
 * refname is a full name ("refs/heads/main"). DKO_ENOTFOUND when absent. */
int dko_git_ref_lookup(dko_git_oid *out, dko_git_repo *repo, const char *refname);
/* Create or move refname (full name) to id, with log_message in the reflog. */
int dko_git_ref_set(dko_git_repo *repo, const char *refname, const dko_git_oid *id,
                    const char *log_message);

/* ---- Remotes --------------------------------------------------------- */

/* Add a named remote (remote.<name>.url) with git's default fetch refspec.
 * DKO_EINVAL when the name is invalid or taken. */
int dko_git_remote_add(dko_git_repo *repo, const char *name, const char *url);
/* The fetch URL of a named remote after url.<base>.insteadOf rewriting
 * (malloc'd); DKO_ENOTFOUND when there is no such remote. It may hold
 * credentials: never print it without dko_redact. */
int dko_git_remote_url(char **out, dko_git_repo *repo, const char *name);

/*
 * Fetch a named remote with its fetch refspec (the first remote.<name>.fetch;
 * by default every branch into refs/remotes/<remote>/), pruning tracking
 * refs of branches deleted there. Tags are not fetched. Credentials: see
 * dko_git_push.
 */
int dko_git_fetch(dko_git_repo *repo, const char *remote);

/* refs/remotes/<remote>/<branch> as last fetched. DKO_ENOTFOUND if absent. */
int dko_git_remote_branch(dko_git_oid *out, dko_git_repo *repo, const char *remote,
                          const char *branch);

/*
 * Push local_ref to remote_ref (both full ref names) on the named remote (its
 * pushurl, else its url after pushInsteadOf/insteadOf, as git picks it),
 * forced but with a lease: the push goes ahead only when remote_ref on the
 * server still points to *expect, or does not exist when expect is NULL. The
 * server's value is the one advertised on the push connection itself and is
 * sent as the old value of the update, so a change racing with the push is
 * refused by the server too. A refused lease is DKO_EGIT saying what the
 * ref holds. On success the tracking ref refs/remotes/<remote>/... moves.
 *
 * Credentials, when the server asks: the ssh agent for ssh URLs; for http(s)
 * user "x-access-token" with the token of $DOCKOPT_GIT_TOKEN, $GITHUB_TOKEN
 * or $GH_TOKEN. They are never printed.
 */
int dko_git_push(dko_git_repo *repo, const char *remote, const char *local_ref,
                 const char *remote_ref, const dko_git_oid *expect);

/* ---- A build context over a tree ------------------------------------ */

/* The dko_context backend over a git tree; pair with dko_git_context_self. */
extern const dko_context_ops dko_git_context_ops;

/*
 * The backend state for the tree of rev, rooted at folder root inside it
 * (NULL or "": the top), for
 *   dko_context_new(&ctx, &dko_git_context_ops, self, "git:<rev>")
 * (the context frees self). repo must outlive it. Symlinks (mode 120000) are
 * DKO_CTX_LINK and are not followed; a submodule is an empty DKO_CTX_DIR
 * (what a checkout without `submodule update` holds). DKO_ENOTFOUND when
 * root is not a folder of the tree.
 */
int dko_git_context_self(void **self, dko_git_repo *repo, const char *rev, const char *root);

#endif
