/*
 * toolchain.h - the data the multi-stage pass decides with (internal):
 * which base images are build toolchains, which runtime image ships what
 * they build, and the package facts a runtime stage needs.
 *
 * A toolchain is recognised by PCRE2 patterns on the image name (the
 * `toolchains:` entries of .dockopt.yml first, whose runtime may say {tag}
 * for the builder's tag, then the built-in table:
 * golang, rust, gcc, debian/ubuntu/buildpack-deps with a compiler installed,
 * maven, gradle, eclipse-temurin JDKs, node, the .NET SDK). Its runtime
 * follows the builder's tag: the Debian suite or Alpine version it names, the
 * official -slim sibling (node), the JRE of the same JDK version, the ASP.NET
 * or .NET runtime of the same version; where the tag names no suite the
 * answer comes from a small table (gcc) or there is none (why says so).
 *
 * The package tables cover Debian/Ubuntu (apt) and Alpine (apk): the runtime
 * library of each -dev package (names do not follow a rule, and differ per
 * release: libssl-dev -> libssl1.1 on bullseye, libssl3 on bookworm), the
 * packages that only build (compilers, make, git, ...), the package that
 * provides a command, the commands a runtime image has, and the users every
 * image of a family has. Unknown answers are NULL: the pass then does not
 * rewrite.
 */
#ifndef DKO_TOOLCHAIN_H
#define DKO_TOOLCHAIN_H

#include "config.h"

#include <stdbool.h>

typedef enum dko_tc_kind {
	DKO_TC_NONE = 0,
	DKO_TC_GO,     /* golang */
	DKO_TC_RUST,   /* rust */
	DKO_TC_GCC,    /* gcc */
	DKO_TC_DISTRO, /* debian, ubuntu, buildpack-deps: a toolchain once a compiler is installed */
	DKO_TC_MAVEN,
	DKO_TC_GRADLE,
	DKO_TC_JDK,    /* eclipse-temurin JDK */
	DKO_TC_NODE,
	DKO_TC_DOTNET, /* mcr.microsoft.com/dotnet/sdk */
	DKO_TC_CUSTOM  /* a .dockopt.yml entry: the runtime is given */
} dko_tc_kind;

/* The operating system family of an image: what its package manager is and
 * which package names apply. */
typedef enum dko_os {
	DKO_OS_UNKNOWN = 0,
	DKO_OS_DEBIAN,
	DKO_OS_UBUNTU,
	DKO_OS_ALPINE,
	DKO_OS_DISTROLESS /* no shell, no package manager */
} dko_os;

/* Interpreters a runtime image provides (dko_runtime.provides). */
enum { DKO_RT_NODE = 1, DKO_RT_JAVA = 2, DKO_RT_DOTNET = 4 };

typedef struct dko_runtime {
	char *image;         /* e.g. "debian:bookworm-slim"; NULL: none */
	dko_os os;
	char *release;       /* suite ("bookworm"), codename ("jammy"), Alpine "3.19"; NULL unknown */
	bool shell;          /* has /bin/sh */
	bool ca;             /* has /etc/ssl/certs/ca-certificates.crt */
	unsigned provides;   /* DKO_RT_* */
	bool known;          /* a built-in image whose contents the tables describe */
} dko_runtime;

typedef struct dko_toolchain {
	dko_tc_kind kind;
	const char *family;  /* "golang", "node", ...; the config pattern for CUSTOM */
	char *image;         /* the builder image, normalised ("golang:1.21-bookworm") */
	dko_os os;           /* the builder's OS */
	char *release;       /* its suite / codename / Alpine version, NULL unknown */
	bool ca;             /* the builder image has CA certificates */
	const char *workdir; /* the WORKDIR the builder image sets, or NULL */
	const char *path;    /* the builder image's PATH */
	const char *gopath;  /* golang: GOPATH; rust: CARGO_HOME; else NULL */
	/* The runtime inherits an ENTRYPOINT equal to the builder's (none on
	 * either side counts as equal). False for maven (mvn-entrypoint.sh). */
	bool same_entrypoint;
	int major;           /* node/JDK/.NET major version from the tag, -1 unknown */
	dko_runtime runtime;     /* the runtime; image NULL when unknown (see why) */
	dko_runtime static_rt;   /* golang: for a static binary (distroless), else image NULL */
	const char *why;         /* why runtime.image is NULL */
} dko_toolchain;

/*
 * Match image (as written in FROM, after ARG expansion) against the config's
 * toolchain patterns, then the built-in table. Returns 0 and fills *out when
 * the image is a toolchain (even one without a runtime: then *out->why),
 * DKO_ENOTFOUND when it is none. cfg may be NULL. Release with
 * dko_toolchain_release().
 */
int dko_toolchain_match(dko_toolchain *out, const char *image, const dko_config *cfg);
void dko_toolchain_release(dko_toolchain *t);

/* The image name without docker.io/library/ and without a digest, lower
 * case: "golang:1.21" (malloc'd). */
char *dko_image_normalize(const char *image);

/* Facts about a runtime image named by a config entry: its OS from the name
 * (alpine, distroless, debian/ubuntu, node, eclipse-temurin, dotnet). */
void dko_runtime_guess(dko_runtime *rt, const char *image);
void dko_runtime_release(dko_runtime *rt);

/* The runtime package of a -dev package on os/release: a name, "" when the
 * runtime needs none (headers only), NULL when unknown. */
const char *dko_tc_dev_runtime(const char *dev_pkg, dko_os os, const char *release);
/* The -dev package behind a linker flag's library ("ssl" of -lssl): a name,
 * "" for the C library itself (m, pthread, dl, ...), NULL when unknown. */
const char *dko_tc_link_dev(const char *lib, dko_os os);
/* The -dev package a Rust *-sys crate links against: a name, "" when it
 * links nothing from the system (bundled, pure Rust), NULL when unknown. */
const char *dko_tc_crate_dev(const char *crate, dko_os os);
/* Whether a package only serves building (compilers, make, git, headers). */
bool dko_tc_build_only_pkg(const char *pkg);
/* Whether a package is a C or C++ compiler (or pulls one in). */
bool dko_tc_compiler_pkg(const char *pkg);
/* The package providing command cmd on os, or NULL when unknown. */
const char *dko_tc_tool_pkg(const char *cmd, dko_os os);
/* Whether runtime rt has command cmd (its shell, coreutils, interpreters). */
bool dko_tc_runtime_has(const dko_runtime *rt, const char *cmd);
/* Whether every image of rt's family has user (or group) name. */
bool dko_tc_runtime_has_user(const dko_runtime *rt, const char *name);
/* Whether cmd is a shell builtin (cd, exec, export, ...). */
bool dko_tc_builtin(const char *cmd);

#endif
