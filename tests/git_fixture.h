/*
 * git_fixture.h - what the git tests share (linked into every test): shell
 * commands that must succeed, files in a folder, object ids as hex, an
 * environment in which the user's git configuration cannot leak in, and
 * `git daemon` serving bare repositories on 127.0.0.1.
 */
#ifndef DKO_TEST_GIT_FIXTURE_H
#define DKO_TEST_GIT_FIXTURE_H

#include "git.h"

#include <sys/types.h>

/* Output of a shell command that must succeed (malloc'd); fails the test
 * with the command's stderr otherwise. */
char *gf_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* dir/rel (malloc'd). */
char *gf_path(const char *dir, const char *rel);
/* Write data to dir/rel (folders created); fails the test on error. */
void gf_write(const char *dir, const char *rel, const char *data);
/* dir/rel's contents (malloc'd) or NULL when unreadable; *len may be NULL. */
char *gf_read(const char *dir, const char *rel, size_t *len);
/* An id in hex (malloc'd). */
char *gf_hex(const dko_git_oid *id);

/*
 * Make the environment hermetic for git: HOME and XDG_CONFIG_HOME point to
 * a new empty folder (returned, malloc'd), the system config is off, the
 * variables git sets for hooks and proxy and token variables are unset, and
 * the git CLI gets an identity. Call once from main; tu_rmrf the folder.
 */
char *gf_isolate_env(void);

/* Start `git daemon` serving the bare repositories under root on
 * 127.0.0.1 with pushes allowed; returns its pid (*port its port) or -1. */
pid_t gf_daemon_start(const char *root, int *port);
void gf_daemon_stop(pid_t pid);

#endif
