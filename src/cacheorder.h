/*
 * cacheorder.h - what the cache-order and build-context passes share
 * (hoist-installs, manifest-first, dockerignore), internal.
 *
 *  - the build context as these passes read it: its ignore file loaded, so
 *    that dko_manifest_state() and dko_context_is_excluded() answer as
 *    BuildKit would;
 *  - moving an instruction (with the comment lines directly above it) to
 *    before another one, keeping its bytes and the file's blank-line layout;
 *  - image paths: joining and cleaning, "is it under that folder", and the
 *    system folders that package managers read and write;
 *  - how a COPY/ADD copies from the context, and whether two instructions
 *    see the same build state.
 */
#ifndef DKO_CACHEORDER_H
#define DKO_CACHEORDER_H

#include "context.h"
#include "pass.h"
#include "shell.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * The pass's build context with its ignore file loaded (once: a context
 * whose ignore file is already loaded is returned as it is). NULL when the
 * fix has no context, or when its ignore file cannot be used (a bad pattern,
 * a symbolic link): then *why (may be NULL) says why, else it is set to NULL.
 * The Dockerfile's own <name>.dockerignore counts when the Dockerfile lives
 * inside the context folder.
 */
dko_context *dko_co_context(dko_pass_ctx *c, const char **why);

/* The Dockerfile's path relative to the context root (malloc'd), or NULL
 * when it lives outside the context or the context is not a folder. */
char *dko_co_dockerfile_rel(const dko_pass_ctx *c);

/* The first node of the comment lines directly above node (node itself when
 * there are none): the block that moves, or that an insertion goes before. */
uint32_t dko_co_block_start(const dko_doc *doc, uint32_t node);

/* The next instruction after node, skipping blank and comment lines; nnodes
 * when there is none. */
uint32_t dko_co_next_instr(const dko_doc *doc, uint32_t node);

/*
 * Move node (an instruction) and the comment lines directly above it to
 * just before the block of node target (target < node), with the text pre
 * (complete lines in the file's line ending; may be NULL) before it. The
 * moved bytes are copied exactly (a missing final line ending is added).
 * When a blank line sets the block off from what precedes it, that blank
 * line moves along and goes after the block, so paragraphs stay apart at
 * both places. Several moves may be made in one pass run;
 * moves to the same target land in the order they are made.
 */
void dko_co_move(dko_pass_ctx *c, uint32_t node, uint32_t target, const char *pre);

/* Whether node was deleted (moved away) by an edit of this pass run. */
bool dko_co_gone(const dko_doc *doc, uint32_t node);

/* dir joined with p (absolute p is taken as is), cleaned: no "//", "." or
 * ".." components, no trailing '/' (except "/" itself). Malloc'd; NULL when
 * p is relative and dir is NULL. */
char *dko_co_path_join(const char *dir, const char *p);

/* When path is dir or below it (both clean and absolute): what follows dir
 * ("" for dir itself, "a/b" below it); else NULL. Points into path. */
const char *dko_co_path_below(const char *path, const char *dir);

/* Whether two clean absolute paths overlap: one is the other or below it. */
bool dko_co_paths_overlap(const char *a, const char *b);

/* Whether a clean absolute path is "/" or lies in a system folder (/etc,
 * /usr, /var, /opt, /lib*, /bin, /sbin, /root, /home, /tmp, /run, /srv,
 * /boot, /dev, /proc, /sys, /mnt, /media) where packages keep their
 * configuration, keys and files. /usr/src/NAME and /usr/local/src/NAME (one
 * level down or deeper) are application folders. */
bool dko_co_system_path(const char *path);

/*
 * An installer setting that points at a file or folder the COPY into dest
 * may provide: a variable the RUN sees (ENV, ARG) or sets itself, named like
 * a package manager's (PIP_*, NPM_CONFIG_*, BUNDLE_GEMFILE, COMPOSER,
 * APT_CONFIG, ...) or like a configuration (..CONF.., .._FILE, ..RC, CA
 * bundles), whose value is a path under dest or relative to the WORKDIR.
 * system: only the system package managers' and configuration names (for
 * apt, apk, dnf installs). Returns the variable's name, or NULL. For passes
 * that move a RUN above that COPY.
 */
const char *dko_co_env_points_into(const dko_state *st, const dko_sh_script *s, const char *dest, bool system);

/* How a COPY/ADD reads the build context. */
typedef struct dko_co_copy {
	const char *source; /* the one context source, clean ("" for the root), or NULL */
	const char *dest;   /* where it lands in the image, clean and absolute, or NULL */
	bool whole;         /* it copies the whole context ('.', './', '/', '*') */
	bool plain_flags;   /* only --chown, --chmod and --link */
} dko_co_copy;

/* Fill *out for COPY/ADD node; false when it is not a COPY/ADD from the
 * context (a --from, a URL, a heredoc) or has several sources. Strings are
 * malloc'd: release with dko_co_copy_release. */
bool dko_co_copy_get(const dko_pass_ctx *c, uint32_t node, dko_co_copy *out);
void dko_co_copy_release(dko_co_copy *cp);

/* Whether COPY/ADD node copies the whole context (any number of sources). */
bool dko_co_copies_whole(const dko_pass_ctx *c, uint32_t node);

/* Whether instructions a and b see the same WORKDIR, USER, SHELL and
 * ENV/ARG values. */
bool dko_co_same_state(const dko_state *a, const dko_state *b);

/* Whether an instruction kind only sets image metadata that no RUN sees
 * (LABEL, EXPOSE, MAINTAINER, CMD, ENTRYPOINT, HEALTHCHECK, STOPSIGNAL). */
bool dko_co_metadata(dko_instr_kind k);

/* The raw text of an instruction's argument or flag (logical span). */
char *dko_co_span_text(const dko_instr *in, dko_span sp);

/* Whether a word (letters and digits as word characters, any case) occurs in
 * text[0..n). */
bool dko_co_has_word(const char *text, size_t n, const char *word);

#endif
