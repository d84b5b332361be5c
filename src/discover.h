/*
 * discover.h - recognising Dockerfiles by name and finding them in folders.
 */
#ifndef DKO_DISCOVER_H
#define DKO_DISCOVER_H

#include "dockopt/fix.h"
#include "util/vec.h"

#include <stdbool.h>

typedef DKO_VEC(char *) dko_strlist;

/* Whether path names a Dockerfile (by its last component, or a configured
 * pattern matching the name or the path). cfg may be NULL. */
bool dko_is_dockerfile_name(const char *path, const dko_config *cfg);
/* Append (malloc'd) paths of the Dockerfiles under dir, sorted, recursively,
 * not following symlinked folders, skipping .git, node_modules and the like. */
int dko_discover(dko_strlist *out, const char *dir, const dko_config *cfg);
void dko_strlist_free(dko_strlist *l);
/* Whether a '/'-separated path lies in a folder dko_discover never enters
 * (.git, node_modules, ...): for lists of paths that do not come from a walk,
 * such as a git tree. */
bool dko_discover_skipped(const char *path);

#endif
