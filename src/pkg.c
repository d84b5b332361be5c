/*
 * pkg.c - the package-manager model (see pkg.h).
 *
 * Everything a manager is recognised by lives in the tables below: command
 * names, invocation (python -m pip, versioned names like pip3.11), options
 * that take a value, the flags that mean yes / no recommends / no cache,
 * verbs with their aliases (multi-word ones such as "cache clean"), the
 * build-context files a verb reads and the cache directories it leaves.
 * The code only interprets the tables; user wrappers (PCRE2 patterns on
 * argv[0]) are tried first. Lists inside a table entry are '|'-separated.
 *
 * Invariant: every string of a result is allocated in the output arena (the
 * script's), so results outlive any sub-script parsed for `sh -c '...'`.
 */
#include "pkg.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/regex.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tables ------------------------------------------------------------------------ */

enum {
	V_PKGS = 1,        /* operands after the verb are packages */
	V_READS_NOPKG = 2, /* reads only apply when no package is named */
	V_NOPKGS = 4       /* operands are not packages (targets, scripts, "all") */
};

typedef struct verb_def {
	const char *words; /* aliases; "a b" is a two-word verb; "" no operand; "*" anything */
	dko_pkg_verb verb;
	unsigned flags;
	const char *reads;   /* build-context files read */
	const char *leaves;  /* directories left behind */
	const char *cleanup; /* shell text removing them */
	const char *cleans;  /* DKO_PV_CLEAN: directories removed */
	const char *output;  /* DKO_PV_BUILD: default artifact */
	const char *requires; /* the verb counts only with one of these options */
} verb_def;

enum {
	M_VERSIONED = 1,  /* pip3, pip3.11, python3.12 */
	M_ANYWHERE = 2,   /* verbs are goals/tasks anywhere among the operands (mvn, gradle) */
	M_NO_PROMPT = 4,  /* never asks for confirmation */
	M_PATH_READS = 8, /* operands that are paths are files read, not packages */
	M_QUIET_YES = 16, /* apt: quiet level 2 (-qq) implies -y */
	M_NO_CLUSTER = 32 /* single-dash long options (go): -abc is not -a -b -c */
};

typedef struct pm_def {
	dko_pm pm;
	const char *name;
	const char *commands;     /* argv[0] basenames */
	const char *modules;      /* python -m NAME */
	unsigned flags;
	const char *value_opts;   /* options whose value may be the next word */
	const char *yes_opts;     /* options meaning "yes" (short letters count inside clusters) */
	const char *norec_opts;   /* options meaning "no recommended/weak dependencies" */
	const char *nocache_opts; /* options meaning "no cache left behind" */
	const char *nocache_env;  /* variables meaning the same when set to a true value */
	const char *read_opts;    /* options whose value is a file read from the context */
	const char *output_opts;  /* options whose value is the build output */
	const char *global_opts;
	const char *setting_values; /* option values meaning no-recommends ("N=") or yes ("Y=") */
	const verb_def *verbs;
} pm_def;

#define END_VERBS {NULL, DKO_PV_NONE, 0, NULL, NULL, NULL, NULL, NULL, NULL}

static const verb_def apt_verbs[] = {
	{"update", DKO_PV_UPDATE, 0, NULL, "/var/lib/apt/lists", "rm -rf /var/lib/apt/lists/*", NULL, NULL, NULL},
	{"install|build-dep|satisfy|reinstall", DKO_PV_INSTALL, V_PKGS, NULL, "/var/cache/apt/archives", "apt-get clean", NULL, NULL, NULL},
	{"upgrade|dist-upgrade|full-upgrade", DKO_PV_UPGRADE, V_PKGS, NULL, "/var/cache/apt/archives", "apt-get clean", NULL, NULL, NULL},
	{"remove|purge", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"autoremove|autopurge", DKO_PV_AUTOREMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"clean|autoclean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/var/cache/apt/archives|/var/cache/apt/*.bin", NULL, NULL},
	/* apt 3: clean plus the package lists */
	{"dist-clean|distclean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/var/cache/apt/archives|/var/cache/apt/*.bin|/var/lib/apt/lists", NULL, NULL},
	{"download|source", DKO_PV_DOWNLOAD, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def apk_verbs[] = {
	{"add", DKO_PV_INSTALL, V_PKGS, NULL, "/var/cache/apk", "rm -rf /var/cache/apk/*", NULL, NULL, NULL},
	{"del", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"update", DKO_PV_UPDATE, 0, NULL, "/var/cache/apk", "rm -rf /var/cache/apk/*", NULL, NULL, NULL},
	{"upgrade", DKO_PV_UPGRADE, V_PKGS, NULL, "/var/cache/apk", "rm -rf /var/cache/apk/*", NULL, NULL, NULL},
	{"cache clean|cache purge", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/var/cache/apk", NULL, NULL},
	{"fetch", DKO_PV_DOWNLOAD, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

#define RPM_VERBS(cache, clean)                                                                      \
	{"install|in|groupinstall|localinstall|reinstall|group install", DKO_PV_INSTALL, V_PKGS, NULL,   \
	 cache, clean, NULL, NULL, NULL},                                                                \
	{"remove|erase|rm|group remove", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},    \
	{"autoremove", DKO_PV_AUTOREMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},                  \
	{"update|upgrade|up|distro-sync|upgrade-minimal|update-minimal", DKO_PV_UPGRADE, V_PKGS, NULL,  \
	 cache, clean, NULL, NULL, NULL},                                                                \
	{"makecache", DKO_PV_UPDATE, V_NOPKGS, NULL, cache, clean, NULL, NULL, NULL},                   \
	{"clean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, cache, NULL, NULL},                          \
	{"download", DKO_PV_DOWNLOAD, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},                      \
	END_VERBS

static const verb_def dnf_verbs[] = {RPM_VERBS("/var/cache/dnf", "dnf clean all")};
static const verb_def yum_verbs[] = {RPM_VERBS("/var/cache/yum", "yum clean all")};
static const verb_def microdnf_verbs[] = {RPM_VERBS("/var/cache/yum", "microdnf clean all")};

static const verb_def zypper_verbs[] = {
	{"install|in|source-install|si", DKO_PV_INSTALL, V_PKGS, NULL, "/var/cache/zypp", "zypper clean -a", NULL, NULL, NULL},
	{"remove|rm", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"refresh|ref", DKO_PV_UPDATE, V_NOPKGS, NULL, "/var/cache/zypp", "zypper clean -a", NULL, NULL, NULL},
	{"update|up|dist-upgrade|dup|patch", DKO_PV_UPGRADE, V_PKGS, NULL, "/var/cache/zypp", "zypper clean -a", NULL, NULL, NULL},
	{"clean|cc", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/var/cache/zypp", NULL, NULL},
	END_VERBS};

static const verb_def pip_verbs[] = {
	{"install", DKO_PV_INSTALL, V_PKGS, NULL, "~/.cache/pip", "rm -rf ~/.cache/pip", NULL, NULL, NULL},
	{"uninstall", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"download", DKO_PV_DOWNLOAD, V_PKGS, NULL, "~/.cache/pip", "rm -rf ~/.cache/pip", NULL, NULL, NULL},
	{"wheel", DKO_PV_BUILD, V_PKGS, NULL, "~/.cache/pip", "rm -rf ~/.cache/pip", NULL, NULL, NULL},
	{"cache purge|cache remove", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "~/.cache/pip", NULL, NULL},
	END_VERBS};

static const verb_def npm_verbs[] = {
	{"ci|clean-install|install-clean|ic", DKO_PV_INSTALL, V_PKGS, "package.json|package-lock.json|npm-shrinkwrap.json", "~/.npm", "npm cache clean --force", NULL, NULL, NULL},
	{"install|i|add|isntall|in", DKO_PV_INSTALL, V_PKGS | V_READS_NOPKG, "package.json|package-lock.json|npm-shrinkwrap.json", "~/.npm", "npm cache clean --force", NULL, NULL, NULL},
	{"uninstall|remove|rm|un|r|unlink", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"prune", DKO_PV_AUTOREMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"update|up|upgrade", DKO_PV_UPGRADE, V_PKGS, "package.json", "~/.npm", "npm cache clean --force", NULL, NULL, NULL},
	{"cache clean|cache rm|cache clear", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "~/.npm", NULL, NULL},
	{"run|run-script|build", DKO_PV_BUILD, V_NOPKGS, "package.json", NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def yarn_verbs[] = {
	{"|install", DKO_PV_INSTALL, 0, "package.json|yarn.lock", "/usr/local/share/.cache/yarn", "yarn cache clean", NULL, NULL, NULL},
	{"add", DKO_PV_INSTALL, V_PKGS, NULL, "/usr/local/share/.cache/yarn", "yarn cache clean", NULL, NULL, NULL},
	{"remove", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"upgrade|up", DKO_PV_UPGRADE, V_PKGS, "package.json|yarn.lock", "/usr/local/share/.cache/yarn", "yarn cache clean", NULL, NULL, NULL},
	{"cache clean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/usr/local/share/.cache/yarn|~/.cache/yarn", NULL, NULL},
	{"run|build", DKO_PV_BUILD, V_NOPKGS, "package.json", NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def pnpm_verbs[] = {
	{"|install|i", DKO_PV_INSTALL, V_PKGS | V_READS_NOPKG, "package.json|pnpm-lock.yaml", "~/.local/share/pnpm/store", "pnpm store prune", NULL, NULL, NULL},
	{"add", DKO_PV_INSTALL, V_PKGS, NULL, "~/.local/share/pnpm/store", "pnpm store prune", NULL, NULL, NULL},
	{"fetch", DKO_PV_DOWNLOAD, 0, "pnpm-lock.yaml", "~/.local/share/pnpm/store", "pnpm store prune", NULL, NULL, NULL},
	{"remove|rm|uninstall|un", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"prune", DKO_PV_AUTOREMOVE, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	{"store prune", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "~/.local/share/pnpm/store", NULL, NULL},
	{"run|build", DKO_PV_BUILD, V_NOPKGS, "package.json", NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def gem_verbs[] = {
	{"install|i", DKO_PV_INSTALL, V_PKGS, NULL, "$GEM_HOME/cache", "rm -rf \"$GEM_HOME\"/cache", NULL, NULL, NULL},
	{"update", DKO_PV_UPGRADE, V_PKGS, NULL, "$GEM_HOME/cache", "rm -rf \"$GEM_HOME\"/cache", NULL, NULL, NULL},
	{"uninstall", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"build", DKO_PV_BUILD, V_NOPKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def bundle_verbs[] = {
	{"|install", DKO_PV_INSTALL, 0, "Gemfile|Gemfile.lock", "$GEM_HOME/cache|~/.bundle/cache", "rm -rf \"$GEM_HOME\"/cache ~/.bundle/cache", NULL, NULL, NULL},
	{"update", DKO_PV_UPGRADE, V_PKGS, "Gemfile|Gemfile.lock", "$GEM_HOME/cache|~/.bundle/cache", "rm -rf \"$GEM_HOME\"/cache ~/.bundle/cache", NULL, NULL, NULL},
	{"clean", DKO_PV_AUTOREMOVE, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def composer_verbs[] = {
	{"install|i", DKO_PV_INSTALL, 0, "composer.json|composer.lock", "~/.cache/composer|~/.composer/cache", "composer clear-cache", NULL, NULL, NULL},
	{"require|req", DKO_PV_INSTALL, V_PKGS, "composer.json", "~/.cache/composer|~/.composer/cache", "composer clear-cache", NULL, NULL, NULL},
	{"update|u|upgrade", DKO_PV_UPGRADE, V_PKGS, "composer.json", "~/.cache/composer|~/.composer/cache", "composer clear-cache", NULL, NULL, NULL},
	{"remove|rm", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"clear-cache|clearcache|cc", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "~/.cache/composer|~/.composer/cache", NULL, NULL},
	{"dump-autoload|dumpautoload", DKO_PV_BUILD, V_NOPKGS, "composer.json", NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

static const verb_def go_verbs[] = {
	{"mod download", DKO_PV_DOWNLOAD, V_PKGS, "go.mod|go.sum", "$GOPATH/pkg/mod", "go clean -modcache", NULL, NULL, NULL},
	{"build", DKO_PV_BUILD, V_PKGS, "go.mod|go.sum", "$GOPATH/pkg/mod|~/.cache/go-build", "go clean -modcache -cache", NULL, NULL, NULL},
	{"install|get", DKO_PV_INSTALL, V_PKGS, NULL, "$GOPATH/pkg/mod|~/.cache/go-build", "go clean -modcache -cache", NULL, NULL, NULL},
	{"clean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "$GOPATH/pkg/mod|~/.cache/go-build", NULL, "-modcache|-cache"},
	END_VERBS};

static const verb_def cargo_verbs[] = {
	{"build|b", DKO_PV_BUILD, V_NOPKGS, "Cargo.toml|Cargo.lock", "$CARGO_HOME/registry|$CARGO_HOME/git", "rm -rf \"$CARGO_HOME\"/registry \"$CARGO_HOME\"/git", NULL, "target", NULL},
	{"install", DKO_PV_INSTALL, V_PKGS, NULL, "$CARGO_HOME/registry|$CARGO_HOME/git", "rm -rf \"$CARGO_HOME\"/registry \"$CARGO_HOME\"/git", NULL, NULL, NULL},
	{"fetch", DKO_PV_DOWNLOAD, V_NOPKGS, "Cargo.toml|Cargo.lock", "$CARGO_HOME/registry|$CARGO_HOME/git", "rm -rf \"$CARGO_HOME\"/registry \"$CARGO_HOME\"/git", NULL, NULL, NULL},
	END_VERBS};

static const verb_def mvn_verbs[] = {
	{"package|install|verify|deploy|compile|spring-boot:repackage", DKO_PV_BUILD, V_NOPKGS, "pom.xml", "~/.m2/repository", "rm -rf ~/.m2/repository", NULL, "target", NULL},
	{"dependency:go-offline|dependency:resolve|dependency:resolve-plugins|de.qaware.maven:go-offline-maven-plugin:resolve-dependencies", DKO_PV_DOWNLOAD, V_NOPKGS, "pom.xml", "~/.m2/repository", "rm -rf ~/.m2/repository", NULL, NULL, NULL},
	END_VERBS};

static const verb_def gradle_verbs[] = {
	{"build|assemble|bootJar|shadowJar|installDist|jar|war|bootWar|distTar|distZip|classes|compileJava", DKO_PV_BUILD, V_NOPKGS, "build.gradle|build.gradle.kts|settings.gradle|settings.gradle.kts|gradle.properties", "~/.gradle/caches", "rm -rf ~/.gradle/caches", NULL, "build", NULL},
	{"dependencies|downloadDependencies|resolveDependencies", DKO_PV_DOWNLOAD, V_NOPKGS, "build.gradle|build.gradle.kts|settings.gradle|settings.gradle.kts|gradle.properties", "~/.gradle/caches", "rm -rf ~/.gradle/caches", NULL, NULL, NULL},
	END_VERBS};

static const verb_def conda_verbs[] = {
	{"install|create|env create", DKO_PV_INSTALL, V_PKGS, NULL, "/opt/conda/pkgs", "conda clean -afy", NULL, NULL, NULL},
	{"update|upgrade|env update", DKO_PV_UPGRADE, V_PKGS, NULL, "/opt/conda/pkgs", "conda clean -afy", NULL, NULL, NULL},
	{"remove|uninstall|env remove", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"clean", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "/opt/conda/pkgs", NULL, NULL},
	END_VERBS};

static const verb_def uv_verbs[] = {
	{"pip install", DKO_PV_INSTALL, V_PKGS, NULL, "~/.cache/uv", "uv cache clean", NULL, NULL, NULL},
	{"pip sync", DKO_PV_INSTALL, V_NOPKGS, NULL, "~/.cache/uv", "uv cache clean", NULL, NULL, NULL},
	{"sync", DKO_PV_INSTALL, V_NOPKGS, "pyproject.toml|uv.lock", "~/.cache/uv", "uv cache clean", NULL, NULL, NULL},
	{"add", DKO_PV_INSTALL, V_PKGS, "pyproject.toml", "~/.cache/uv", "uv cache clean", NULL, NULL, NULL},
	{"tool install", DKO_PV_INSTALL, V_PKGS, NULL, "~/.cache/uv", "uv cache clean", NULL, NULL, NULL},
	{"pip uninstall|remove", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"cache clean|cache prune", DKO_PV_CLEAN, V_NOPKGS, NULL, NULL, NULL, "~/.cache/uv", NULL, NULL},
	{"build", DKO_PV_BUILD, V_NOPKGS, "pyproject.toml", "~/.cache/uv", "uv cache clean", NULL, "dist", NULL},
	END_VERBS};

static const verb_def poetry_verbs[] = {
	{"install", DKO_PV_INSTALL, 0, "pyproject.toml|poetry.lock", "~/.cache/pypoetry", "rm -rf ~/.cache/pypoetry", NULL, NULL, NULL},
	{"add", DKO_PV_INSTALL, V_PKGS, "pyproject.toml", "~/.cache/pypoetry", "rm -rf ~/.cache/pypoetry", NULL, NULL, NULL},
	{"update", DKO_PV_UPGRADE, V_PKGS, "pyproject.toml|poetry.lock", "~/.cache/pypoetry", "rm -rf ~/.cache/pypoetry", NULL, NULL, NULL},
	{"remove", DKO_PV_REMOVE, V_PKGS, NULL, NULL, NULL, NULL, NULL, NULL},
	{"build", DKO_PV_BUILD, V_NOPKGS, "pyproject.toml", NULL, NULL, NULL, "dist", NULL},
	END_VERBS};

static const verb_def make_verbs[] = {
	{"*", DKO_PV_BUILD, V_NOPKGS, "Makefile", NULL, NULL, NULL, NULL, NULL},
	END_VERBS};

/* clang-format off */
static const pm_def managers[] = {
	{DKO_PM_APT, "apt", "apt-get|apt|aptitude", NULL, M_QUIET_YES | M_PATH_READS,
	 "-o|--option|-c|--config-file|-t|--target-release|--default-release|-a|--host-architecture|-P|--build-profiles",
	 "-y|--yes|--assume-yes|--force-yes", "--no-install-recommends", NULL, NULL, NULL, NULL, NULL,
	 "N=APT::Install-Recommends=false|N=APT::Install-Recommends=0|N=APT::Install-Recommends=no|Y=APT::Get::Assume-Yes=true|Y=APT::Get::Assume-Yes=1",
	 apt_verbs},
	{DKO_PM_APK, "apk", "apk", NULL, M_NO_PROMPT | M_PATH_READS,
	 "-X|--repository|--repositories-file|-p|--root|--arch|--keys-dir|--cache-dir|-t|--virtual|--cache-max-age",
	 NULL, NULL, "--no-cache", NULL, NULL, NULL, NULL, NULL, apk_verbs},
	{DKO_PM_DNF, "dnf", "dnf|dnf5|dnf-3", NULL, M_PATH_READS,
	 "--setopt|-c|--config|--enablerepo|--disablerepo|--repo|--repoid|--installroot|--releasever|-x|--exclude|--repofrompath|--forcearch|-d|--debuglevel|-e|--errorlevel|--rpmverbosity|--comment",
	 "-y|--assumeyes", NULL, NULL, NULL, NULL, NULL, NULL,
	 "N=install_weak_deps=False|N=install_weak_deps=false|N=install_weak_deps=0|N=install_weak_deps=no",
	 dnf_verbs},
	{DKO_PM_YUM, "yum", "yum", NULL, M_PATH_READS,
	 "--setopt|-c|--config|--enablerepo|--disablerepo|--installroot|--releasever|-x|--exclude|-d|--debuglevel|-e|--errorlevel",
	 "-y|--assumeyes", NULL, NULL, NULL, NULL, NULL, NULL,
	 "N=install_weak_deps=False|N=install_weak_deps=false|N=install_weak_deps=0|N=install_weak_deps=no",
	 yum_verbs},
	{DKO_PM_MICRODNF, "microdnf", "microdnf", NULL, M_NO_PROMPT | M_PATH_READS,
	 "--setopt|--config|--enablerepo|--disablerepo|--installroot|--releasever|--platform-id|--exclude",
	 "-y|--assumeyes", NULL, NULL, NULL, NULL, NULL, NULL,
	 "N=install_weak_deps=False|N=install_weak_deps=false|N=install_weak_deps=0|N=install_weak_deps=no",
	 microdnf_verbs},
	{DKO_PM_ZYPPER, "zypper", "zypper", NULL, M_PATH_READS,
	 "-r|--repo|--from|-t|--type|--root|-R|--reposd-path|-C|--cache-dir|-D|--raw-cache-dir|--releasever",
	 "-n|--non-interactive|-y|--no-confirm", "--no-recommends", NULL, NULL, NULL, NULL, NULL, NULL,
	 zypper_verbs},
	{DKO_PM_PIP, "pip", "pip|pip2|pip3", "pip", M_VERSIONED | M_NO_PROMPT | M_PATH_READS,
	 "-r|--requirement|-c|--constraint|-e|--editable|-i|--index-url|--extra-index-url|-f|--find-links|-t|--target|--prefix|--root|--src|--upgrade-strategy|--platform|--python-version|--implementation|--abi|--progress-bar|--log|--proxy|--retries|--timeout|--exists-action|--trusted-host|--cert|--client-cert|--cache-dir|--global-option|--install-option|--config-settings|-C|--only-binary|--no-binary|--python|--report|--root-user-action|--use-feature|--use-deprecated",
	 "-y|--yes", NULL, "--no-cache-dir", "PIP_NO_CACHE_DIR", "-r|--requirement|-c|--constraint|-e|--editable",
	 NULL, NULL, NULL, pip_verbs},
	{DKO_PM_NPM, "npm", "npm", NULL, M_NO_PROMPT | M_PATH_READS,
	 "--prefix|-C|--cache|--registry|--omit|--include|--workspace|-w|--userconfig|--loglevel|--tag|--install-strategy",
	 NULL, NULL, NULL, NULL, NULL, NULL, "-g|--global|--location=global", NULL, npm_verbs},
	{DKO_PM_YARN, "yarn", "yarn|yarnpkg", NULL, M_NO_PROMPT | M_PATH_READS,
	 "--cwd|--cache-folder|--modules-folder|--network-timeout|--registry|--mutex|--global-folder",
	 NULL, NULL, NULL, NULL, NULL, NULL, "global", NULL, yarn_verbs},
	{DKO_PM_PNPM, "pnpm", "pnpm", NULL, M_NO_PROMPT | M_PATH_READS,
	 "-C|--dir|--filter|-F|--store-dir|--registry|--reporter",
	 NULL, NULL, NULL, NULL, NULL, NULL, "-g|--global", NULL, pnpm_verbs},
	{DKO_PM_GEM, "gem", "gem", NULL, M_VERSIONED | M_NO_PROMPT | M_PATH_READS,
	 "-v|--version|-i|--install-dir|-n|--bindir|-s|--source|--platform|-P|--trust-policy|--document|-g|--file",
	 NULL, NULL, NULL, NULL, "-g|--file", NULL, NULL, NULL, gem_verbs},
	{DKO_PM_BUNDLE, "bundle", "bundle|bundler", NULL, M_NO_PROMPT,
	 "-j|--jobs|--retry|--path|--without|--with|--gemfile|--binstubs|--standalone|--trust-policy|--shebang",
	 NULL, NULL, NULL, NULL, "--gemfile", NULL, NULL, NULL, bundle_verbs},
	{DKO_PM_COMPOSER, "composer", "composer|composer.phar", NULL, M_PATH_READS,
	 "-d|--working-dir|--prefer-install|--ignore-platform-req",
	 "-n|--no-interaction", NULL, "--no-cache", "COMPOSER_NO_CACHE", NULL, NULL, "global", NULL,
	 composer_verbs},
	{DKO_PM_GO, "go", "go", NULL, M_NO_PROMPT | M_NO_CLUSTER,
	 "-o|-C|-p|-tags|-ldflags|-gcflags|-asmflags|-mod|-modfile|-pkgdir|-buildmode|-compiler|-gccgoflags|-installsuffix|-overlay|-pgo|-toolexec|-exec|-covermode|-coverpkg",
	 NULL, NULL, NULL, NULL, NULL, "-o", NULL, NULL, go_verbs},
	{DKO_PM_CARGO, "cargo", "cargo", NULL, M_NO_PROMPT,
	 "-p|--package|--bin|--example|--test|--bench|--features|-F|--target|--target-dir|--manifest-path|-j|--jobs|--profile|--root|--version|--git|--branch|--tag|--rev|--path|--index|--registry|--config|-Z|--color",
	 NULL, NULL, NULL, NULL, "--manifest-path", "--target-dir", NULL, NULL, cargo_verbs},
	{DKO_PM_MVN, "mvn", "mvn|mvnw|mvnd", NULL, M_ANYWHERE | M_NO_PROMPT,
	 "-f|--file|-s|--settings|-gs|--global-settings|-P|--activate-profiles|-pl|--projects|-rf|--resume-from|-T|--threads|-l|--log-file|-t|--toolchains|-b|--builder|-D|--define",
	 NULL, NULL, NULL, NULL, "-f|--file", NULL, NULL, NULL, mvn_verbs},
	{DKO_PM_GRADLE, "gradle", "gradle|gradlew", NULL, M_ANYWHERE | M_NO_PROMPT,
	 "-x|--exclude-task|-p|--project-dir|-b|--build-file|-c|--settings-file|-g|--gradle-user-home|-I|--init-script|-D|--system-prop|-P|--project-prop|--max-workers",
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, gradle_verbs},
	{DKO_PM_CONDA, "conda", "conda|mamba|micromamba", NULL, M_PATH_READS,
	 "-n|--name|-p|--prefix|-c|--channel|-f|--file|--solver|--repodata-fn|--override-channels-from",
	 "-y|--yes", NULL, NULL, NULL, "-f|--file", NULL, NULL, NULL, conda_verbs},
	{DKO_PM_UV, "uv", "uv", NULL, M_NO_PROMPT | M_PATH_READS,
	 "-r|--requirement|-c|--constraint|-e|--editable|-p|--python|--index-url|--extra-index-url|-i|--index|--cache-dir|--target|--prefix|--group|--extra|--package|--directory|--project|-o|--out-dir",
	 NULL, NULL, "--no-cache|-n", "UV_NO_CACHE", "-r|--requirement|-c|--constraint", "-o|--out-dir", "--system",
	 NULL, uv_verbs},
	{DKO_PM_POETRY, "poetry", "poetry", "poetry", M_NO_PROMPT,
	 "--only|--with|--without|-E|--extras|-C|--directory|-P|--project|--group|-G|--format|-f",
	 "-n|--no-interaction", NULL, "--no-cache", NULL, NULL, NULL, NULL, NULL, poetry_verbs},
	{DKO_PM_MAKE, "make", "make|gmake", NULL, M_NO_PROMPT,
	 "-C|--directory|-f|--file|--makefile|-j|--jobs|-l|--load-average|-o|--old-file|-W|--what-if|-I|--include-dir",
	 NULL, NULL, NULL, NULL, "-f|--file|--makefile", NULL, NULL, NULL, make_verbs},
};
/* clang-format on */

#define NMANAGERS (sizeof(managers) / sizeof(managers[0]))

static const char *const verb_names[DKO_PV__COUNT] = {
	"", "update", "install", "upgrade", "remove", "autoremove", "clean", "download", "build"};

/* ---- the index: built once from the tables ---------------------------------------------- */

typedef struct name_entry {
	const char *name; /* points into a table string; not NUL-terminated */
	uint32_t len;
	const pm_def *m;
} name_entry;

typedef struct dir_entry {
	char *dir; /* a cache directory, $VAR-free (defaults applied) */
	const pm_def *m;
} dir_entry;

static struct {
	name_entry *cmds, *mods;
	size_t ncmds, nmods;
	dir_entry *dirs;
	size_t ndirs;
} idx;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

/* Usual values of the variables in table paths when the Dockerfile does not
 * set them (official images: golang, rust, ruby). */
static const struct {
	const char *var, *values;
} var_defaults[] = {
	{"$GOPATH", "/go|~/go"},
	{"$CARGO_HOME", "/usr/local/cargo|~/.cargo"},
	{"$GEM_HOME", "/usr/local/bundle"},
};

static int cmp_name(const void *a, const void *b)
{
	const name_entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (int)x->len - (int)y->len;
}

static void index_names(const char *list, const pm_def *m, name_entry **v, size_t *n)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		*v = dko_xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = (name_entry){p, (uint32_t)len, m};
		p = e ? e + 1 : NULL;
	}
}

static void index_dir(const char *d, size_t n, const pm_def *m)
{
	for (size_t i = 0; i < idx.ndirs; i++)
		if (idx.dirs[i].m == m && strlen(idx.dirs[i].dir) == n && !memcmp(idx.dirs[i].dir, d, n))
			return;
	for (size_t i = 0; i < sizeof(var_defaults) / sizeof(var_defaults[0]); i++) {
		size_t k = strlen(var_defaults[i].var);
		if (n < k || memcmp(d, var_defaults[i].var, k) != 0)
			continue;
		for (const char *v = var_defaults[i].values; v;) {
			const char *e = strchr(v, '|');
			size_t vn = e ? (size_t)(e - v) : strlen(v);
			char buf[512];
			snprintf(buf, sizeof(buf), "%.*s%.*s", (int)vn, v, (int)(n - k), d + k);
			index_dir(buf, strlen(buf), m);
			v = e ? e + 1 : NULL;
		}
		return;
	}
	idx.dirs = dko_xreallocarray(idx.dirs, idx.ndirs + 1, sizeof(*idx.dirs));
	idx.dirs[idx.ndirs++] = (dir_entry){dko_xstrndup(d, n), m};
}

static void index_dirs(const char *list, const pm_def *m)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		index_dir(p, len, m);
		p = e ? e + 1 : NULL;
	}
}

/* The tables are constant: one index serves every call and thread; it is
 * never freed (it stays reachable). */
static void build_index(void)
{
	for (size_t i = 0; i < NMANAGERS; i++) {
		const pm_def *m = &managers[i];
		index_names(m->commands, m, &idx.cmds, &idx.ncmds);
		index_names(m->modules, m, &idx.mods, &idx.nmods);
		for (const verb_def *vd = m->verbs; vd->words; vd++) {
			index_dirs(vd->leaves, m);
			index_dirs(vd->cleans, m);
		}
	}
	qsort(idx.cmds, idx.ncmds, sizeof(name_entry), cmp_name);
	qsort(idx.mods, idx.nmods, sizeof(name_entry), cmp_name);
}

static const pm_def *find_name(const name_entry *v, size_t n, const char *s, size_t len)
{
	name_entry key = {s, (uint32_t)len, NULL};
	const name_entry *hit = bsearch(&key, v, n, sizeof(name_entry), cmp_name);
	return hit ? hit->m : NULL;
}

/* ---- names ------------------------------------------------------------------------------ */

const char *dko_pm_name(dko_pm pm)
{
	for (size_t i = 0; i < NMANAGERS; i++)
		if (managers[i].pm == pm)
			return managers[i].name;
	return "";
}

const char *dko_pkg_verb_name(dko_pkg_verb v)
{
	return (unsigned)v < DKO_PV__COUNT ? verb_names[v] : "";
}

int dko_pm_lookup(dko_pm *out, const char *name)
{
	for (size_t i = 0; i < NMANAGERS; i++) {
		if (strcasecmp(managers[i].name, name) == 0) {
			*out = managers[i].pm;
			return 0;
		}
	}
	return DKO_ENOTFOUND;
}

int dko_pkg_verb_lookup(dko_pkg_verb *out, const char *name)
{
	for (int v = 1; v < DKO_PV__COUNT; v++) {
		if (strcasecmp(verb_names[v], name) == 0) {
			*out = (dko_pkg_verb)v;
			return 0;
		}
	}
	return DKO_ENOTFOUND;
}

static const pm_def *manager_def(dko_pm pm)
{
	for (size_t i = 0; i < NMANAGERS; i++)
		if (managers[i].pm == pm)
			return &managers[i];
	return NULL;
}

/* ---- the table object ---------------------------------------------------------------------- */

typedef struct wrapper_def {
	dko_regex *re;
	dko_pm pm;
	dko_pkg_verb verb;
} wrapper_def;

struct dko_pkg_table {
	DKO_VEC(wrapper_def) wrappers;
};

int dko_pkg_table_new(dko_pkg_table **out)
{
	*out = dko_xcalloc(1, sizeof(**out));
	return 0;
}

int dko_pkg_table_add_wrapper(dko_pkg_table *t, const char *pattern, dko_pm manager,
                              dko_pkg_verb verb)
{
	if (!manager_def(manager) || verb <= DKO_PV_NONE || verb >= DKO_PV__COUNT)
		return dko_error_set(DKO_EINVAL, "wrapper %s: unknown manager or verb", pattern);
	wrapper_def w = {NULL, manager, verb};
	int rc = dko_regex_compile(&w.re, pattern, "wrapper pattern");
	if (rc)
		return rc;
	DKO_VEC_PUSH(&t->wrappers, w);
	return 0;
}

void dko_pkg_table_free(dko_pkg_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->wrappers.len; i++)
		dko_regex_free(t->wrappers.items[i].re);
	DKO_VEC_FREE(&t->wrappers);
	free(t);
}

/* ---- list helpers -------------------------------------------------------------------------- */

/* Is s[0..n) one of the '|'-separated entries of list? (One pass.) */
static bool in_list(const char *list, const char *s, size_t n)
{
	if (!list)
		return false;
	for (const char *p = list; *p;) {
		size_t i = 0;
		while (i < n && p[i] == s[i])
			i++;
		if (i == n && (p[i] == '|' || p[i] == '\0'))
			return true;
		p += i;
		while (*p && *p != '|')
			p++;
		if (*p)
			p++;
	}
	return n == 0 && *list == '\0';
}

static bool in_list_s(const char *list, const char *s)
{
	return in_list(list, s, strlen(s));
}

static bool in_list_ci(const char *list, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = list; p;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncasecmp(p, s, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static const char *wtext(const dko_sh_word *w)
{
	return w->lit ? w->lit : w->raw;
}

static bool word_is_lit(const dko_sh_word *w, const char *s)
{
	return w->lit && strcmp(w->lit, s) == 0;
}

static bool truthy(const char *v)
{
	return v && *v && !in_list_ci("0|false|no|off", v);
}

/* ---- analysis context ------------------------------------------------------------------------ */

typedef struct kv {
	const char *name;
	size_t nlen;
	const char *value;
} kv;

typedef DKO_VEC(const char *) strvec;

typedef struct actx {
	dko_arena *a; /* results live here */
	const dko_pkg_table *t;
	const dko_pkg_env *env;
	DKO_VEC(dko_pkg_op) ops;
	DKO_VEC(kv) vars; /* assigned or exported earlier in the script */
	uint32_t cmd_index;
	dko_span span;
	bool conditional;
	int depth; /* sh -c nesting */
	const dko_sh_script *script; /* being analysed (for heredoc bodies) */
	const dko_sh_cmd *cmd;
} actx;

/* A command's argv after unwrapping, with its own variables. */
#define MAX_LOCAL 16
typedef struct argv_view {
	const dko_sh_word *w;
	uint32_t n;
	bool dynamic; /* xargs: the operands come from stdin */
	kv local[MAX_LOCAL];
	uint32_t nlocal;
} argv_view;

static void add_local(argv_view *v, const char *assign)
{
	const char *eq = strchr(assign, '=');
	if (!eq || v->nlocal == MAX_LOCAL)
		return;
	size_t n = (size_t)(eq - assign);
	if (n && assign[n - 1] == '+')
		n--;
	v->local[v->nlocal++] = (kv){assign, n, eq + 1};
}

static const char *lookup(const actx *x, const argv_view *v, const char *name, size_t n)
{
	for (uint32_t i = v ? v->nlocal : 0; i-- > 0;)
		if (v->local[i].nlen == n && memcmp(v->local[i].name, name, n) == 0)
			return v->local[i].value;
	for (size_t i = x->vars.len; i-- > 0;)
		if (x->vars.items[i].nlen == n && memcmp(x->vars.items[i].name, name, n) == 0)
			return x->vars.items[i].value;
	if (x->env && x->env->lookup) {
		char buf[128];
		if (n >= sizeof(buf))
			return NULL;
		memcpy(buf, name, n);
		buf[n] = '\0';
		return x->env->lookup(x->env->ctx, buf);
	}
	return NULL;
}

/* Whether a variable disables the manager's cache. pip disables it for any
 * value PIP_NO_CACHE_DIR parses as a boolean, "false" included (kept for
 * backward compatibility), so only the empty value counts as unset. */
static bool env_disables_cache(const char *name, const char *value)
{
	if (!value)
		return false;
	if (strcmp(name, "PIP_NO_CACHE_DIR") == 0)
		return *value != '\0';
	return truthy(value);
}

static const char *adup(actx *x, const char *s)
{
	return dko_arena_strdup(x->a, s);
}

static void push_unique(strvec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return;
	DKO_VEC_PUSH(v, s);
}

/* Push each '|'-separated entry of list. */
static void push_list(actx *x, strvec *v, const char *list)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		push_unique(v, dko_arena_strndup(x->a, p, n));
		p = e ? e + 1 : NULL;
	}
}

static const char **finish_list(actx *x, strvec *v, uint32_t *n)
{
	*n = (uint32_t)v->len;
	const char **out = dko_arena_grow(x->a, NULL, 0, v->len, sizeof(char *));
	if (v->len)
		memcpy(out, v->items, v->len * sizeof(char *));
	DKO_VEC_FREE(v);
	return out;
}

/* ---- unwrapping ------------------------------------------------------------------------------ */

static void shift(argv_view *v, uint32_t k)
{
	if (k > v->n)
		k = v->n;
	v->w += k;
	v->n -= k;
}

/* Drop argv[0] and its options (value_opts take the next word). */
static void skip_options(argv_view *v, const char *value_opts)
{
	shift(v, 1);
	while (v->n) {
		const char *t = wtext(&v->w[0]);
		if (t[0] != '-' || !t[1])
			return;
		if (strcmp(t, "--") == 0) {
			shift(v, 1);
			return;
		}
		shift(v, in_list_s(value_opts, t) ? 2 : 1);
	}
}

static bool unwrap_env(argv_view *v)
{
	skip_options(v, "-u|--unset|-C|--chdir|-S|--split-string");
	while (v->n && v->w[0].lit && strchr(v->w[0].lit, '=') && v->w[0].lit[0] != '=') {
		add_local(v, v->w[0].lit);
		shift(v, 1);
	}
	return true;
}

/* Commands that run their operands as a command. */
enum { W_OPTS, W_ENV, W_SHIFT1, W_SHIFT2, W_TIMEOUT, W_COMMAND, W_XARGS };
static const struct {
	const char *name;
	uint8_t kind;
	const char *value_opts; /* W_OPTS, W_TIMEOUT, W_XARGS: options taking a value */
} wrappers[] = {
	{"sudo", W_OPTS, "-u|-g|-h|-p|-U|-C|-T|-r|-t|-D|--user|--group|--host|--prompt|--other-user|"
	                 "--close-from|--command-timeout|--role|--type|--chdir"},
	{"env", W_ENV, NULL},
	{"nice", W_OPTS, "-n|--adjustment"},
	{"time", W_OPTS, "-f|--format|-o|--output"},
	{"stdbuf", W_OPTS, "-i|-o|-e|--input|--output|--error"},
	{"exec", W_OPTS, "-a"},
	{"nohup", W_SHIFT1, NULL},
	{"eatmydata", W_SHIFT1, NULL},
	{"builtin", W_SHIFT1, NULL},
	{"gosu", W_SHIFT2, NULL},
	{"su-exec", W_SHIFT2, NULL},
	{"timeout", W_TIMEOUT, "-s|--signal|-k|--kill-after"},
	{"command", W_COMMAND, NULL},
	{"xargs", W_XARGS, "-I|-i|-n|-L|-l|-P|-s|-d|-E|-e|-a|--arg-file|--delimiter|--max-args|"
	                   "--max-lines|--max-procs|--max-chars|--eof|--replace|--process-slot-var"},
};

/* One wrapper layer off argv; false when argv[0] is no wrapper. */
static bool unwrap_once(argv_view *v)
{
	const char *a0 = dko_fs_basename(wtext(&v->w[0]));
	size_t i = 0, n = sizeof(wrappers) / sizeof(wrappers[0]);
	while (i < n && (wrappers[i].name[0] != a0[0] || strcmp(wrappers[i].name, a0) != 0))
		i++;
	if (i == n)
		return false;
	switch (wrappers[i].kind) {
	case W_OPTS: skip_options(v, wrappers[i].value_opts); break;
	case W_ENV: return unwrap_env(v);
	case W_SHIFT1: shift(v, 1); break;
	case W_SHIFT2: shift(v, 2); break; /* gosu USER cmd */
	case W_TIMEOUT:
		skip_options(v, wrappers[i].value_opts);
		shift(v, 1); /* the duration */
		break;
	case W_COMMAND:
		if (v->n > 1 && (word_is_lit(&v->w[1], "-v") || word_is_lit(&v->w[1], "-V")))
			return false; /* a lookup, nothing runs */
		skip_options(v, NULL);
		break;
	case W_XARGS:
		skip_options(v, wrappers[i].value_opts);
		v->dynamic = true; /* the operands come from stdin */
		break;
	}
	return true;
}

static void unwrap(argv_view *v)
{
	for (int guard = 0; guard < 16 && v->n && unwrap_once(v); guard++)
		;
}

/* ---- options and verbs ----------------------------------------------------------------------- */

typedef struct opb {
	actx *x;
	const pm_def *m;
	dko_pkg_op op;
	strvec flags, reads, opt_reads;
	DKO_VEC(const dko_sh_word *) pos; /* operands, verb words included */
	uint32_t quiet;
	strvec seen; /* option names given, for verb_def.requires */
} opb;

/* Effects of option name (with its value, if any). */
static void option_effects(opb *b, const char *name, const char *value, const char *whole)
{
	const pm_def *m = b->m;
	dko_pkg_op *op = &b->op;
	/* name may live in the caller's stack buffer: keep a copy. */
	bool seen = false;
	for (size_t i = 0; i < b->seen.len && !seen; i++)
		seen = strcmp(b->seen.items[i], name) == 0;
	if (!seen)
		DKO_VEC_PUSH(&b->seen, adup(b->x, name));
	if (in_list_s(m->yes_opts, name))
		op->assume_yes = true;
	if (in_list_s(m->norec_opts, name))
		op->no_recommends = true;
	if (in_list_s(m->nocache_opts, name))
		op->no_cache = true;
	if (in_list_s(m->global_opts, name) || in_list_s(m->global_opts, whole))
		op->global = true;
	if (value && in_list_s(m->read_opts, name))
		push_unique(&b->opt_reads, adup(b->x, value));
	if (value && in_list_s(m->output_opts, name))
		op->output = adup(b->x, value);
	if (value && b->m->pm == DKO_PM_APK && (!strcmp(name, "-t") || !strcmp(name, "--virtual")))
		op->virtual_name = adup(b->x, value);
	if (value && m->setting_values && strlen(value) < 250) {
		char key[256] = "N=";
		memcpy(key + 2, value, strlen(value) + 1);
		if (in_list_ci(m->setting_values, key))
			op->no_recommends = true;
		key[0] = 'Y';
		if (in_list_ci(m->setting_values, key))
			op->assume_yes = true;
	}
	if (value && (!strcmp(name, "-q") || !strcmp(name, "--quiet")))
		b->quiet = (uint32_t)atoi(value);
}

/* A cluster of short options (-yq): each letter is an option; one that takes
 * a value ends the cluster. Returns how many following words it consumed. */
static uint32_t short_cluster(opb *b, const char *t, const dko_sh_word *next)
{
	for (size_t k = 1; t[k]; k++) {
		char o[3] = {'-', t[k], 0};
		if (t[k] == 'q')
			b->quiet++;
		if (in_list_s(b->m->value_opts, o)) {
			const char *val = t[k + 1] ? t + k + 1 : next ? wtext(next) : NULL;
			option_effects(b, o, val, t);
			return t[k + 1] || !next ? 0 : 1;
		}
		option_effects(b, o, NULL, t);
	}
	return 0;
}

/* Record one option word at w[i]; returns how many extra words it used. */
static uint32_t one_option(opb *b, const dko_sh_word *w, uint32_t i, uint32_t n)
{
	const char *t = wtext(&w[i]);
	const char *eq = strchr(t, '=');
	size_t nlen = eq ? (size_t)(eq - t) : strlen(t);
	const dko_sh_word *next = i + 1 < n ? &w[i + 1] : NULL;
	char name[128];
	size_t k = nlen < sizeof(name) - 1 ? nlen : sizeof(name) - 1;
	memcpy(name, t, k);
	name[k] = '\0';
	if (in_list(b->m->value_opts, t, nlen)) {
		if (eq || !next) {
			option_effects(b, name, eq ? eq + 1 : NULL, t);
			push_unique(&b->flags, adup(b->x, t));
			return 0;
		}
		option_effects(b, name, wtext(next), t);
		dko_buf f = DKO_BUF_INIT;
		dko_buf_printf(&f, "%s %s", t, wtext(next));
		push_unique(&b->flags, adup(b->x, dko_buf_cstr(&f)));
		dko_buf_release(&f);
		return 1;
	}
	push_unique(&b->flags, adup(b->x, t));
	if (t[1] != '-' && nlen > 2 && in_list(b->m->value_opts, t, 2)) {
		name[2] = '\0';
		option_effects(b, name, t + 2, t); /* attached: -DskipTests, -j4 */
		return 0;
	}
	if (t[1] != '-' && !eq && nlen > 2 && !in_list(b->m->yes_opts, t, nlen) &&
	    !in_list_s(b->m->nocache_opts, t) && !in_list_s(b->m->global_opts, t) &&
	    !(b->m->flags & M_NO_CLUSTER)) {
		uint32_t used = short_cluster(b, t, next);
		if (used) {
			dko_buf f = DKO_BUF_INIT;
			dko_buf_printf(&f, "%s %s", t, wtext(next));
			b->flags.items[b->flags.len - 1] = adup(b->x, dko_buf_cstr(&f));
			dko_buf_release(&f);
		}
		return used;
	}
	option_effects(b, name, eq ? eq + 1 : NULL, t);
	return 0;
}

static void scan_options(opb *b, const dko_sh_word *w, uint32_t n)
{
	bool dashdash = false;
	for (uint32_t i = 0; i < n; i++) {
		const char *t = wtext(&w[i]);
		if (dashdash || t[0] != '-' || !t[1]) {
			DKO_VEC_PUSH(&b->pos, &w[i]);
			continue;
		}
		if (!strcmp(t, "--")) {
			dashdash = true;
			continue;
		}
		i += one_option(b, w, i, n);
	}
}

/* Do the words at pos[j..] spell the verb alias a[0..n) ("cache clean")? */
static uint32_t alias_at(const opb *b, size_t j, const char *a, size_t n)
{
	uint32_t used = 0;
	while (n) {
		const char *sp = memchr(a, ' ', n);
		size_t k = sp ? (size_t)(sp - a) : n;
		if (j + used >= b->pos.len)
			return 0;
		const dko_sh_word *w = b->pos.items[j + used];
		if (!w->lit || strncmp(w->lit, a, k) != 0 || w->lit[k] != '\0')
			return 0;
		used++;
		a += sp ? k + 1 : k;
		n -= sp ? k + 1 : k;
	}
	return used;
}

/* Find the verb: the longest alias at the first operand (or, for goal-style
 * managers, the first verb in table order found anywhere). *at and *len
 * receive where its words are among the operands. */
static const verb_def *match_verb(const opb *b, size_t *at, uint32_t *len)
{
	const verb_def *best = NULL, *star = NULL;
	uint32_t best_len = 0;
	bool anywhere = b->m->flags & M_ANYWHERE;
	for (const verb_def *vd = b->m->verbs; vd->words; vd++) {
		for (const char *p = vd->words; p;) {
			const char *e = strchr(p, '|');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (n == 1 && *p == '*') {
				star = star ? star : vd;
			} else if (n == 0) {
				if (b->pos.len == 0 && !best)
					best = vd, best_len = 0, *at = 0;
			} else {
				for (size_t j = 0; j < (anywhere ? b->pos.len : 1); j++) {
					uint32_t k = alias_at(b, j, p, n);
					if (k && (anywhere || k > best_len)) {
						*at = j, *len = k;
						if (anywhere)
							return vd;
						best = vd, best_len = k;
					}
				}
			}
			p = e ? e + 1 : NULL;
		}
	}
	if (!best && star) {
		*at = 0, *len = 0;
		return star;
	}
	if (best)
		*len = best_len;
	return best;
}

/* ---- building an operation --------------------------------------------------------------------- */

/* A local file rather than a package name: ./x, ../x, /x, ~/x, ., *.deb ... */
static bool looks_like_path(const char *s)
{
	static const char *const ext[] = {".deb", ".rpm", ".whl", ".tar.gz", ".tgz", ".zip", ".apk",
	                                  ".gem", ".txt"};
	if (strstr(s, "://"))
		return false;
	if (!strcmp(s, ".") || !strcmp(s, "..") || !strncmp(s, "./", 2) || !strncmp(s, "../", 3) ||
	    s[0] == '/' || !strncmp(s, "~/", 2))
		return true;
	size_t n = strlen(s);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);
		if (n > k && strcmp(s + n - k, ext[i]) == 0)
			return true;
	}
	return false;
}

/* Expand a leading $NAME of a table path with a known value. */
static const char *expand_dir(actx *x, const argv_view *v, const char *dir, size_t n)
{
	if (n > 1 && dir[0] == '$') {
		size_t k = 1;
		while (k < n && (dir[k] == '_' || (dir[k] >= 'A' && dir[k] <= 'Z') || (dir[k] >= '0' && dir[k] <= '9')))
			k++;
		const char *val = lookup(x, v, dir + 1, k - 1);
		if (val && *val && !strchr(val, '$')) {
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%s%.*s", val, (int)(n - k), dir + k);
			const char *r = adup(x, dko_buf_cstr(&b));
			dko_buf_release(&b);
			return r;
		}
	}
	return dko_arena_strndup(x->a, dir, n);
}

static void set_leaves(opb *b, const argv_view *v, const verb_def *vd)
{
	strvec leaves = {0};
	for (const char *p = vd->leaves; p && *p && !b->op.no_cache;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		push_unique(&leaves, expand_dir(b->x, v, p, n));
		p = e ? e + 1 : NULL;
	}
	if (leaves.len && vd->cleanup)
		b->op.cleanup = vd->cleanup;
	b->op.leaves = finish_list(b->x, &leaves, &b->op.nleaves);
}

/* Operands other than the verb's words: packages, local files, dynamic. */
static void set_operands(opb *b, const argv_view *v, const verb_def *vd, size_t at, uint32_t len,
                         bool wrapped)
{
	strvec pkgs = {0};
	for (size_t i = 0; i < b->pos.len; i++) {
		if (!wrapped && i >= at && i < at + len)
			continue;
		const dko_sh_word *w = b->pos.items[i];
		if (!(vd->flags & V_PKGS) && !wrapped)
			continue;
		if (!w->lit)
			b->op.dynamic = true;
		else if ((b->m->flags & M_PATH_READS) && looks_like_path(w->lit))
			push_unique(&b->opt_reads, adup(b->x, w->lit));
		else
			push_unique(&pkgs, adup(b->x, w->lit));
	}
	if (v->dynamic)
		b->op.dynamic = true;
	b->op.packages = finish_list(b->x, &pkgs, &b->op.npackages);
}

static bool has_required(const opb *b, const verb_def *vd)
{
	if (!vd->requires)
		return true;
	for (size_t i = 0; i < b->seen.len; i++)
		if (in_list_s(vd->requires, b->seen.items[i]))
			return true;
	return false;
}

static bool cache_env(opb *b, const argv_view *v)
{
	for (const char *p = b->m->nocache_env; p && *p;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char name[64];
		size_t k = n < sizeof(name) - 1 ? n : sizeof(name) - 1;
		memcpy(name, p, k);
		name[k] = '\0';
		if (env_disables_cache(name, lookup(b->x, v, p, n)))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static void opb_release(opb *b)
{
	DKO_VEC_FREE(&b->flags);
	DKO_VEC_FREE(&b->reads);
	DKO_VEC_FREE(&b->opt_reads);
	DKO_VEC_FREE(&b->pos);
	DKO_VEC_FREE(&b->seen);
}

/* yarn global add, composer global require: a leading word meaning global. */
static void take_global_word(opb *b)
{
	if (!b->pos.len || !b->pos.items[0]->lit || b->pos.items[0]->lit[0] == '-' ||
	    !in_list_s(b->m->global_opts, b->pos.items[0]->lit))
		return;
	b->op.global = true;
	memmove(b->pos.items, b->pos.items + 1, (b->pos.len - 1) * sizeof(*b->pos.items));
	b->pos.len--;
}

/* The verb: forced by a wrapper, else found among the operands. */
static const verb_def *find_verb(opb *b, dko_pkg_verb forced, size_t *at, uint32_t *len)
{
	*at = 0;
	*len = 0;
	if (!forced)
		return match_verb(b, at, len);
	for (const verb_def *d = b->m->verbs; d->words; d++)
		if (d->verb == forced)
			return d;
	return NULL;
}

/* Files named by options replace the verb's defaults (mvn -f, --gemfile);
 * cleaning reads nothing (conda clean -f is --force-pkgs-dirs). */
static void set_reads(opb *b, const verb_def *vd)
{
	if (vd->verb == DKO_PV_CLEAN)
		b->opt_reads.len = 0;
	for (size_t i = 0; i < b->opt_reads.len; i++)
		push_unique(&b->reads, b->opt_reads.items[i]);
	if (!b->opt_reads.len && vd->reads && !((vd->flags & V_READS_NOPKG) && b->op.npackages))
		push_list(b->x, &b->reads, vd->reads);
	b->op.reads = finish_list(b->x, &b->reads, &b->op.nreads);
}

static void set_cleans(opb *b, const argv_view *v, const verb_def *vd)
{
	strvec c = {0};
	for (const char *p = vd->cleans; p && *p;) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		push_unique(&c, expand_dir(b->x, v, p, n));
		p = e ? e + 1 : NULL;
	}
	b->op.cleans = finish_list(b->x, &c, &b->op.ncleans);
}

/* Only installing, upgrading and removing ask for confirmation. */
static bool never_asks(const opb *b, const verb_def *vd)
{
	return (b->m->flags & M_NO_PROMPT) || ((b->m->flags & M_QUIET_YES) && b->quiet >= 2) ||
	       (vd->verb != DKO_PV_INSTALL && vd->verb != DKO_PV_UPGRADE &&
	        vd->verb != DKO_PV_REMOVE && vd->verb != DKO_PV_AUTOREMOVE);
}

/* The operation of argv (after argv[0] and `first - 1` more words), or none. */
static void build_op(actx *x, const argv_view *v, const pm_def *m, uint32_t first,
                     dko_pkg_verb forced, const char *wrapper)
{
	opb b = {0};
	b.x = x;
	b.m = m;
	scan_options(&b, v->w + first, v->n - first);
	take_global_word(&b);
	size_t at;
	uint32_t len;
	const verb_def *vd = find_verb(&b, forced, &at, &len);
	if (vd && has_required(&b, vd)) {
		dko_pkg_op *op = &b.op;
		op->manager = m->pm;
		op->verb = vd->verb;
		op->wrapper = wrapper;
		op->assume_yes = op->assume_yes || never_asks(&b, vd);
		op->no_cache = op->no_cache || cache_env(&b, v);
		set_operands(&b, v, vd, at, len, forced != DKO_PV_NONE);
		set_reads(&b, vd);
		set_leaves(&b, v, vd);
		set_cleans(&b, v, vd);
		if (!op->output)
			op->output = vd->output;
		op->flags = finish_list(x, &b.flags, &op->nflags);
		op->conditional = x->conditional;
		op->cmd_index = x->cmd_index;
		op->span = x->span;
		DKO_VEC_PUSH(&x->ops, *op);
	}
	opb_release(&b);
}

/* ---- rm -rf of caches ---------------------------------------------------------------------------- */

/* A path as written, with $HOME, ${HOME} and /root spelled ~ and a trailing
 * slash or a trailing "/" + "*" dropped (removing a directory's contents
 * cleans it). Returns
 * false for a word whose value is not known. */
static bool norm_path(const dko_sh_word *w, char *out, size_t cap)
{
	const char *s = w->lit;
	dko_buf b = DKO_BUF_INIT;
	if (!s) {
		/* Only $HOME may be dynamic; quotes around it do not matter. */
		for (const char *p = w->raw; *p; p++)
			if (*p != '"')
				dko_buf_putc(&b, *p);
		s = dko_buf_cstr(&b);
		if (!strncmp(s, "$HOME", 5) || !strncmp(s, "${HOME}", 7)) {
			size_t k = s[1] == '{' ? 7 : 5;
			if (s[k] != '\0' && s[k] != '/') {
				dko_buf_release(&b);
				return false;
			}
			snprintf(out, cap, "~%s", s + k);
		} else {
			dko_buf_release(&b);
			return false;
		}
	} else if (!strncmp(s, "/root", 5) && (s[5] == '/' || !s[5])) {
		snprintf(out, cap, "~%s", s + 5);
	} else {
		snprintf(out, cap, "%s", s);
	}
	dko_buf_release(&b);
	if (strchr(out, '$'))
		return false;
	size_t n = strlen(out);
	for (;;) {
		if (n >= 2 && out[n - 1] == '*' && out[n - 2] == '/')
			n -= 2;
		else if (n >= 1 && out[n - 1] == '/')
			n -= 1;
		else
			break;
		out[n] = '\0';
	}
	return true;
}

static bool path_covers(const char *p, const char *d)
{
	size_t pn = strlen(p), dn = strlen(d);
	if (pn == 0)
		return true; /* "/" itself */
	if (pn == dn && memcmp(p, d, pn) == 0)
		return true;
	if (pn < dn && memcmp(p, d, pn) == 0 && d[pn] == '/')
		return true; /* p is an ancestor of d */
	/* A glob below d (d/archives/ + "*.deb") cleans d's contents. */
	return pn > dn && memcmp(p, d, dn) == 0 && p[dn] == '/' && strchr(p + dn, '*');
}

/* The concrete spellings of a table path: itself and, for a leading $VAR,
 * the variable's usual values. Returns how many were written (at most 4). */
static int path_alts(const char *d, char alts[4][512])
{
	int n = 0;
	snprintf(alts[n++], sizeof(alts[0]), "%s", d);
	for (size_t i = 0; i < sizeof(var_defaults) / sizeof(var_defaults[0]); i++) {
		size_t k = strlen(var_defaults[i].var);
		if (strncmp(d, var_defaults[i].var, k) != 0 || (d[k] && d[k] != '/'))
			continue;
		for (const char *v = var_defaults[i].values; v && n < 4;) {
			const char *e = strchr(v, '|');
			size_t vn = e ? (size_t)(e - v) : strlen(v);
			snprintf(alts[n++], sizeof(alts[0]), "%.*s%s", (int)vn, v, d + k);
			v = e ? e + 1 : NULL;
		}
	}
	return n;
}

bool dko_pkg_cleans(const dko_pkg_op *op, const char *dir)
{
	char d[512], da[4][512], pa[4][512];
	dko_sh_word w = {{0, 0}, dir, dir, false, false, false, false};
	if (!norm_path(&w, d, sizeof(d)))
		snprintf(d, sizeof(d), "%s", dir);
	int nd = path_alts(d, da);
	for (uint32_t i = 0; i < op->ncleans; i++) {
		int np = path_alts(op->cleans[i], pa);
		for (int x = 0; x < np; x++)
			for (int y = 0; y < nd; y++)
				if (path_covers(pa[x], da[y]))
					return true;
	}
	return false;
}

/* Does normalized path p clean one of manager m's cache directories? */
static bool cleans_manager(const pm_def *m, const char *p)
{
	for (size_t i = 0; i < idx.ndirs; i++)
		if (idx.dirs[i].m == m && path_covers(p, idx.dirs[i].dir))
			return true;
	return false;
}

/* rm [-rf] PATH...: one CLEAN operation per manager whose caches it removes. */
static void rm_clean(actx *x, const argv_view *v)
{
	strvec paths = {0}, flags = {0};
	bool dashdash = false;
	for (uint32_t i = 1; i < v->n; i++) {
		const char *t = wtext(&v->w[i]);
		char p[512];
		if (!dashdash && t[0] == '-' && t[1]) {
			dashdash = !strcmp(t, "--");
			push_unique(&flags, adup(x, t));
		} else if (norm_path(&v->w[i], p, sizeof(p))) {
			push_unique(&paths, adup(x, p));
		}
	}
	for (size_t k = 0; k < NMANAGERS; k++) {
		strvec cl = {0};
		for (size_t i = 0; i < paths.len; i++)
			if (cleans_manager(&managers[k], paths.items[i]))
				push_unique(&cl, paths.items[i]);
		if (!cl.len)
			continue;
		dko_pkg_op op = {0};
		op.manager = managers[k].pm;
		op.verb = DKO_PV_CLEAN;
		op.cleans = finish_list(x, &cl, &op.ncleans);
		strvec fl = {0};
		for (size_t i = 0; i < flags.len; i++)
			DKO_VEC_PUSH(&fl, flags.items[i]);
		op.flags = finish_list(x, &fl, &op.nflags);
		op.packages = op.reads = op.leaves = NULL;
		op.assume_yes = true;
		op.conditional = x->conditional;
		op.cmd_index = x->cmd_index;
		op.span = x->span;
		DKO_VEC_PUSH(&x->ops, op);
	}
	DKO_VEC_FREE(&paths);
	DKO_VEC_FREE(&flags);
}

/* ---- commands ----------------------------------------------------------------------------------- */

/* Manager by command name: exact, or a versioned name (pip3.11). */
static const pm_def *by_command(const char *b, bool module)
{
	size_t n = strlen(b);
	if (module)
		return find_name(idx.mods, idx.nmods, b, n);
	const pm_def *m = find_name(idx.cmds, idx.ncmds, b, n);
	if (m)
		return m;
	size_t k = n;
	while (k > 0 && ((b[k - 1] >= '0' && b[k - 1] <= '9') || b[k - 1] == '.'))
		k--;
	if (k == n || k == 0)
		return NULL;
	m = find_name(idx.cmds, idx.ncmds, b, k);
	return m && (m->flags & M_VERSIONED) ? m : NULL;
}

static bool versioned_name(const char *b, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(b, name, n) != 0)
		return false;
	for (b += n; *b; b++)
		if (!((*b >= '0' && *b <= '9') || *b == '.'))
			return false;
	return true;
}

/* python[3[.11]] [-u -B ...] -m MODULE ...: the manager and where its
 * arguments start. */
static const pm_def *python_module(const argv_view *v, uint32_t *first)
{
	if (!versioned_name(dko_fs_basename(wtext(&v->w[0])), "python"))
		return NULL;
	for (uint32_t i = 1; i + 1 < v->n; i++) {
		const char *t = wtext(&v->w[i]);
		if (!strcmp(t, "-m")) {
			*first = i + 2;
			return by_command(wtext(&v->w[i + 1]), true);
		}
		if (t[0] != '-')
			return NULL;
		if (!strcmp(t, "-W") || !strcmp(t, "-X"))
			i++;
	}
	return NULL;
}

static bool posix_shell(const char *b)
{
	return strchr("sbdakmz", b[0]) && in_list_s("sh|bash|dash|ash|ksh|mksh|zsh|busybox", b);
}

static void analyze_script(actx *x, const dko_sh_script *s);

/* Analyse text as a script run by this command (sh -c, bash <<EOF). */
static void sub_script(actx *x, const char *text, size_t len)
{
	if (x->depth >= 3)
		return;
	dko_sh_script *sub;
	const dko_sh_script *outer = x->script;
	const dko_sh_cmd *cmd = x->cmd;
	if (dko_sh_parse_text(&sub, text, len, NULL) == 0) {
		x->depth++;
		analyze_script(x, sub);
		x->depth--;
	}
	x->script = outer;
	x->cmd = cmd;
	dko_sh_free(sub);
}

/* sh -c 'script' / bash -ec "...", or a shell reading a heredoc on stdin
 * (RUN <<EOF bash): analyse that script as part of this command. Returns
 * true when argv is a shell call. */
static bool shell_c(actx *x, const argv_view *v)
{
	if (!posix_shell(dko_fs_basename(wtext(&v->w[0]))))
		return false;
	uint32_t i = 1;
	if (!strcmp(dko_fs_basename(wtext(&v->w[0])), "busybox") && v->n > 1)
		i++; /* busybox sh -c */
	bool c = false;
	for (; i < v->n && !c; i++) {
		const char *t = wtext(&v->w[i]);
		if (t[0] != '-' && t[0] != '+')
			break;
		if (!strcmp(t, "-o") || !strcmp(t, "+o"))
			i++;
		else if (t[1] != '-' && strchr(t, 'c'))
			c = true;
	}
	if (c && i < v->n && v->w[i].lit) {
		sub_script(x, v->w[i].lit, strlen(v->w[i].lit));
	} else if (!c && i >= v->n && x->cmd->stdin_heredoc.end > x->cmd->stdin_heredoc.start) {
		size_t len;
		const char *t = dko_sh_text(x->script, &len);
		dko_span b = x->cmd->stdin_heredoc;
		sub_script(x, t + b.start, b.end - b.start);
	}
	return true;
}

static void analyze_cmd(actx *x, const dko_sh_cmd *c)
{
	argv_view v;
	memset(&v, 0, sizeof(v));
	v.w = c->words;
	v.n = c->nwords;
	for (uint32_t i = 0; i < c->nassigns; i++)
		add_local(&v, wtext(&c->assigns[i]));
	unwrap(&v);
	if (!v.n)
		return;
	const char *a0 = wtext(&v.w[0]);
	for (size_t i = 0; x->t && i < x->t->wrappers.len; i++) {
		const wrapper_def *w = &x->t->wrappers.items[i];
		if (dko_regex_match(w->re, a0, strlen(a0))) {
			build_op(x, &v, manager_def(w->pm), 1, w->verb, dko_regex_pattern(w->re));
			return;
		}
	}
	if (shell_c(x, &v))
		return;
	const char *b = dko_fs_basename(a0);
	if (!strcmp(b, "rm")) {
		rm_clean(x, &v);
		return;
	}
	uint32_t first = 1;
	const pm_def *m = python_module(&v, &first);
	if (!m && first == 1)
		m = by_command(b, false);
	if (m && first <= v.n)
		build_op(x, &v, m, first, DKO_PV_NONE, NULL);
}

/* Variables set for the rest of the script: FOO=1 alone, export FOO=1. */
static void note_vars(actx *x, const dko_sh_cmd *c)
{
	if (c->in_subshell || c->in_function || c->in_pipeline || x->depth)
		return;
	const dko_sh_word *w = c->nwords ? c->words : c->assigns;
	uint32_t n = c->nwords ? c->nwords : c->nassigns;
	uint32_t i = 0;
	if (c->nwords) {
		if (!word_is_lit(&c->words[0], "export") && !word_is_lit(&c->words[0], "declare") &&
		    !word_is_lit(&c->words[0], "typeset"))
			return;
		i = 1;
	}
	for (; i < n; i++) {
		const char *t = wtext(&w[i]);
		const char *eq = strchr(t, '=');
		if (!eq || t[0] == '-')
			continue;
		kv e = {t, (size_t)(eq - t), eq + 1};
		DKO_VEC_PUSH(&x->vars, e);
	}
}

static void analyze_script(actx *x, const dko_sh_script *s)
{
	for (size_t i = 0; i < dko_sh_cmd_count(s); i++) {
		const dko_sh_cmd *c = dko_sh_cmd_at(s, i);
		x->script = s;
		x->cmd = c;
		bool cond = x->conditional;
		if (x->depth == 0) {
			x->cmd_index = (uint32_t)i;
			x->span = c->span;
			x->conditional = c->conditional;
		} else {
			x->conditional = cond || c->conditional;
		}
		analyze_cmd(x, c);
		note_vars(x, c);
		if (x->depth)
			x->conditional = cond;
	}
}

int dko_pkg_analyze(dko_pkg_op **ops, size_t *nops, const dko_sh_script *s, const dko_pkg_table *t,
                    const dko_pkg_env *env)
{
	*ops = NULL;
	*nops = 0;
	if (dko_sh_is_opaque(s))
		return 0;
	pthread_once(&idx_once, build_index);
	actx x;
	memset(&x, 0, sizeof(x));
	x.a = dko_sh_arena(s);
	x.t = t;
	x.env = env;
	analyze_script(&x, s);
	/* Values noted from sh -c scripts point into freed sub-scripts: copy
	 * nothing from x.vars out; only ops (all arena strings) survive. */
	*nops = x.ops.len;
	*ops = dko_arena_grow(x.a, NULL, 0, x.ops.len, sizeof(dko_pkg_op));
	if (x.ops.len)
		memcpy(*ops, x.ops.items, x.ops.len * sizeof(dko_pkg_op));
	DKO_VEC_FREE(&x.ops);
	DKO_VEC_FREE(&x.vars);
	return 0;
}

/* ---- dump ------------------------------------------------------------------------------------------ */

static void put_atom(dko_buf *b, const char *s)
{
	bool bare = *s != '\0';
	for (const char *p = s; *p && bare; p++)
		bare = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && !strchr("()\"'\\;|`", *p);
	if (bare)
		dko_buf_puts(b, s);
	else
		dko_go_quote(b, s, strlen(s));
}

static void put_group(dko_buf *b, const char *name, const char *const *items, uint32_t n)
{
	dko_buf_printf(b, " (%s", name);
	for (uint32_t i = 0; i < n; i++) {
		dko_buf_putc(b, ' ');
		put_atom(b, items[i]);
	}
	dko_buf_putc(b, ')');
}

void dko_pkg_op_dump(dko_buf *b, const dko_pkg_op *op)
{
	dko_buf_printf(b, "(pkg %s %s", dko_pm_name(op->manager), dko_pkg_verb_name(op->verb));
	const struct {
		bool on;
		const char *name;
	} marks[] = {{op->assume_yes, "yes"},     {op->no_recommends, "no-recommends"},
	             {op->no_cache, "no-cache"},  {op->dynamic, "dynamic"},
	             {op->conditional, "conditional"}, {op->global, "global"}};
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (marks[i].on)
			dko_buf_printf(b, " %s", marks[i].name);
	put_group(b, "packages", op->packages, op->npackages);
	put_group(b, "flags", op->flags, op->nflags);
	put_group(b, "reads", op->reads, op->nreads);
	put_group(b, "leaves", op->leaves, op->nleaves);
	if (op->cleanup) {
		dko_buf_puts(b, " (cleanup ");
		dko_go_quote(b, op->cleanup, strlen(op->cleanup));
		dko_buf_putc(b, ')');
	}
	if (op->verb == DKO_PV_CLEAN)
		put_group(b, "cleans", op->cleans, op->ncleans);
	if (op->virtual_name)
		put_group(b, "virtual", &op->virtual_name, 1);
	if (op->output)
		put_group(b, "output", &op->output, 1);
	if (op->wrapper) {
		dko_buf_puts(b, " (wrapper ");
		dko_go_quote(b, op->wrapper, strlen(op->wrapper));
		dko_buf_putc(b, ')');
	}
	dko_buf_putc(b, ')');
}
