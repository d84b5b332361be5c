/*
 * test_pkg.c - unit tests of the package-manager model: for each manager the
 * operations recognised in small scripts (as dump lines), unwrapping of
 * sudo/env/xargs/sh -c, conditional operations, cache directories and their
 * cleanup, ENV values (PIP_NO_CACHE_DIR), user wrappers with PCRE2 patterns,
 * name lookups, CRLF scripts.
 */
#include "testutil.h"

#include "pkg.h"
#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pcase {
	const char *name;
	const char *script;
	const char *ops; /* one dump line per operation, each ending in \n */
} pcase;

/* clang-format off */
static const pcase cases[] = {
	{"apt",
	 "apt-get -qq update && apt-get -yq install --no-install-recommends curl=7.* \"ca-certificates\" $EXTRA && apt-get purge -y --auto-remove gcc && apt-get autoremove -y && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/*",
	 "(pkg apt update yes (packages) (flags -qq) (reads) (leaves /var/lib/apt/lists) (cleanup \"rm -rf /var/lib/apt/lists/*\"))\n"
	 "(pkg apt install yes no-recommends dynamic (packages curl=7.* ca-certificates) (flags -yq --no-install-recommends) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"
	 "(pkg apt remove yes (packages gcc) (flags -y --auto-remove) (reads) (leaves))\n"
	 "(pkg apt autoremove yes (packages) (flags -y) (reads) (leaves))\n"
	 "(pkg apt clean yes (packages) (flags) (reads) (leaves) (cleans /var/cache/apt/archives /var/cache/apt/*.bin))\n"
	 "(pkg apt clean yes (packages) (flags -rf) (reads) (leaves) (cleans /var/lib/apt/lists))\n"},
	{"apt_no_yes", "apt install nginx",
	 "(pkg apt install (packages nginx) (flags) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"apt_options",
	 "apt-get -o Dpkg::Options::=\"--force-confold\" -o APT::Install-Recommends=false install -y nginx",
	 "(pkg apt install yes no-recommends (packages nginx) (flags \"-o Dpkg::Options::=--force-confold\" \"-o APT::Install-Recommends=false\" -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"apt_local_deb", "apt install -y ./local.deb && apt-get dist-upgrade -y",
	 "(pkg apt install yes (packages) (flags -y) (reads ./local.deb) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"
	 "(pkg apt upgrade yes (packages) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"apt_rm_partial", "rm -rf /var/lib/apt/lists/partial", ""},
	{"apk",
	 "apk add --no-cache --virtual .build-deps gcc musl-dev && apk del .build-deps && apk update && apk upgrade && rm -rf /var/cache/apk/*",
	 "(pkg apk install yes no-cache (packages gcc musl-dev) (flags --no-cache \"--virtual .build-deps\") (reads) (leaves) (virtual .build-deps))\n"
	 "(pkg apk remove yes (packages .build-deps) (flags) (reads) (leaves))\n"
	 "(pkg apk update yes (packages) (flags) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"
	 "(pkg apk upgrade yes (packages) (flags) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"
	 "(pkg apk clean yes (packages) (flags -rf) (reads) (leaves) (cleans /var/cache/apk))\n"},
	{"apk_global_option", "apk --update add curl",
	 "(pkg apk install yes (packages curl) (flags --update) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"},
	{"dnf", "dnf -y install --setopt=install_weak_deps=False httpd && dnf clean all",
	 "(pkg dnf install yes no-recommends (packages httpd) (flags -y --setopt=install_weak_deps=False) (reads) (leaves /var/cache/dnf) (cleanup \"dnf clean all\"))\n"
	 "(pkg dnf clean yes (packages) (flags) (reads) (leaves) (cleans /var/cache/dnf))\n"},
	{"yum", "yum install -y epel-release && yum makecache && yum -y update && yum clean all",
	 "(pkg yum install yes (packages epel-release) (flags -y) (reads) (leaves /var/cache/yum) (cleanup \"yum clean all\"))\n"
	 "(pkg yum update yes (packages) (flags) (reads) (leaves /var/cache/yum) (cleanup \"yum clean all\"))\n"
	 "(pkg yum upgrade yes (packages) (flags -y) (reads) (leaves /var/cache/yum) (cleanup \"yum clean all\"))\n"
	 "(pkg yum clean yes (packages) (flags) (reads) (leaves) (cleans /var/cache/yum))\n"},
	{"microdnf", "microdnf install -y --nodocs java-17 && microdnf clean all",
	 "(pkg microdnf install yes (packages java-17) (flags -y --nodocs) (reads) (leaves /var/cache/yum) (cleanup \"microdnf clean all\"))\n"
	 "(pkg microdnf clean yes (packages) (flags) (reads) (leaves) (cleans /var/cache/yum))\n"},
	{"zypper", "zypper -n install --no-recommends vim && zypper clean -a",
	 "(pkg zypper install yes no-recommends (packages vim) (flags -n --no-recommends) (reads) (leaves /var/cache/zypp) (cleanup \"zypper clean -a\"))\n"
	 "(pkg zypper clean yes (packages) (flags -a) (reads) (leaves) (cleans /var/cache/zypp))\n"},
	{"pip",
	 "pip install --no-cache-dir -r requirements.txt -c constraints.txt && pip3 install -e . && pip3.11 install flask==2.* && python3 -m pip install --upgrade pip && pip uninstall -y x && pip cache purge",
	 "(pkg pip install yes no-cache (packages) (flags --no-cache-dir \"-r requirements.txt\" \"-c constraints.txt\") (reads requirements.txt constraints.txt) (leaves))\n"
	 "(pkg pip install yes (packages) (flags \"-e .\") (reads .) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg pip install yes (packages flask==2.*) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg pip install yes (packages pip) (flags --upgrade) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg pip remove yes (packages x) (flags -y) (reads) (leaves))\n"
	 "(pkg pip clean yes (packages) (flags) (reads) (leaves) (cleans ~/.cache/pip))\n"},
	{"pip_env", "PIP_NO_CACHE_DIR=1 pip install x && env PIP_NO_CACHE_DIR=false pip install y && PIP_NO_CACHE_DIR= pip install z",
	 "(pkg pip install yes no-cache (packages x) (flags) (reads) (leaves))\n"
	 "(pkg pip install yes no-cache (packages y) (flags) (reads) (leaves))\n"
	 "(pkg pip install yes (packages z) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"},
	{"pip_export", "export PIP_NO_CACHE_DIR=1; pip install z",
	 "(pkg pip install yes no-cache (packages z) (flags) (reads) (leaves))\n"},
	{"npm",
	 "npm ci --omit=dev && npm install && npm install -g typescript@5 && npm run build && npm cache clean --force",
	 "(pkg npm install yes (packages) (flags --omit=dev) (reads package.json package-lock.json npm-shrinkwrap.json) (leaves ~/.npm) (cleanup \"npm cache clean --force\"))\n"
	 "(pkg npm install yes (packages) (flags) (reads package.json package-lock.json npm-shrinkwrap.json) (leaves ~/.npm) (cleanup \"npm cache clean --force\"))\n"
	 "(pkg npm install yes global (packages typescript@5) (flags -g) (reads) (leaves ~/.npm) (cleanup \"npm cache clean --force\"))\n"
	 "(pkg npm build yes (packages) (flags) (reads package.json) (leaves))\n"
	 "(pkg npm clean yes (packages) (flags --force) (reads) (leaves) (cleans ~/.npm))\n"},
	{"yarn", "yarn && yarn add react && yarn global add serve && yarn build && yarn cache clean",
	 "(pkg yarn install yes (packages) (flags) (reads package.json yarn.lock) (leaves /usr/local/share/.cache/yarn) (cleanup \"yarn cache clean\"))\n"
	 "(pkg yarn install yes (packages react) (flags) (reads) (leaves /usr/local/share/.cache/yarn) (cleanup \"yarn cache clean\"))\n"
	 "(pkg yarn install yes global (packages serve) (flags) (reads) (leaves /usr/local/share/.cache/yarn) (cleanup \"yarn cache clean\"))\n"
	 "(pkg yarn build yes (packages) (flags) (reads package.json) (leaves))\n"
	 "(pkg yarn clean yes (packages) (flags) (reads) (leaves) (cleans /usr/local/share/.cache/yarn ~/.cache/yarn))\n"},
	{"pnpm", "pnpm install --frozen-lockfile && pnpm fetch && pnpm store prune",
	 "(pkg pnpm install yes (packages) (flags --frozen-lockfile) (reads package.json pnpm-lock.yaml) (leaves ~/.local/share/pnpm/store) (cleanup \"pnpm store prune\"))\n"
	 "(pkg pnpm download yes (packages) (flags) (reads pnpm-lock.yaml) (leaves ~/.local/share/pnpm/store) (cleanup \"pnpm store prune\"))\n"
	 "(pkg pnpm clean yes (packages) (flags) (reads) (leaves) (cleans ~/.local/share/pnpm/store))\n"},
	{"gem_bundle", "gem install bundler -v 2.4 --no-document && bundle install --jobs 4 && bundle config set frozen true",
	 "(pkg gem install yes (packages bundler) (flags \"-v 2.4\" --no-document) (reads) (leaves $GEM_HOME/cache) (cleanup \"rm -rf \\\"$GEM_HOME\\\"/cache\"))\n"
	 "(pkg bundle install yes (packages) (flags \"--jobs 4\") (reads Gemfile Gemfile.lock) (leaves $GEM_HOME/cache ~/.bundle/cache) (cleanup \"rm -rf \\\"$GEM_HOME\\\"/cache ~/.bundle/cache\"))\n"},
	{"composer", "composer install --no-dev && composer require monolog/monolog && composer clear-cache",
	 "(pkg composer install (packages) (flags --no-dev) (reads composer.json composer.lock) (leaves ~/.cache/composer ~/.composer/cache) (cleanup \"composer clear-cache\"))\n"
	 "(pkg composer install (packages monolog/monolog) (flags) (reads composer.json) (leaves ~/.cache/composer ~/.composer/cache) (cleanup \"composer clear-cache\"))\n"
	 "(pkg composer clean yes (packages) (flags) (reads) (leaves) (cleans ~/.cache/composer ~/.composer/cache))\n"},
	{"go", "go mod download && go build -ldflags \"-s -w\" -o /bin/app ./cmd/app && go clean -modcache && go clean",
	 "(pkg go download yes (packages) (flags) (reads go.mod go.sum) (leaves $GOPATH/pkg/mod) (cleanup \"go clean -modcache\"))\n"
	 "(pkg go build yes (packages ./cmd/app) (flags \"-ldflags -s -w\" \"-o /bin/app\") (reads go.mod go.sum) (leaves $GOPATH/pkg/mod ~/.cache/go-build) (cleanup \"go clean -modcache -cache\") (output /bin/app))\n"
	 "(pkg go clean yes (packages) (flags -modcache) (reads) (leaves) (cleans $GOPATH/pkg/mod ~/.cache/go-build))\n"},
	{"cargo", "cargo build --release && cargo install ripgrep",
	 "(pkg cargo build yes (packages) (flags --release) (reads Cargo.toml Cargo.lock) (leaves $CARGO_HOME/registry $CARGO_HOME/git) (cleanup \"rm -rf \\\"$CARGO_HOME\\\"/registry \\\"$CARGO_HOME\\\"/git\") (output target))\n"
	 "(pkg cargo install yes (packages ripgrep) (flags) (reads) (leaves $CARGO_HOME/registry $CARGO_HOME/git) (cleanup \"rm -rf \\\"$CARGO_HOME\\\"/registry \\\"$CARGO_HOME\\\"/git\"))\n"},
	{"mvn", "mvn -B -f app/pom.xml dependency:go-offline && ./mvnw -B -DskipTests clean package",
	 "(pkg mvn download yes (packages) (flags -B \"-f app/pom.xml\") (reads app/pom.xml) (leaves ~/.m2/repository) (cleanup \"rm -rf ~/.m2/repository\"))\n"
	 "(pkg mvn build yes (packages) (flags -B -DskipTests) (reads pom.xml) (leaves ~/.m2/repository) (cleanup \"rm -rf ~/.m2/repository\") (output target))\n"},
	{"gradle", "./gradlew build -x test --no-daemon",
	 "(pkg gradle build yes (packages) (flags \"-x test\" --no-daemon) (reads build.gradle build.gradle.kts settings.gradle settings.gradle.kts gradle.properties) (leaves ~/.gradle/caches) (cleanup \"rm -rf ~/.gradle/caches\") (output build))\n"},
	{"conda", "conda install -y -c conda-forge numpy && conda env create -f environment.yml && conda clean -afy",
	 "(pkg conda install yes (packages numpy) (flags -y \"-c conda-forge\") (reads) (leaves /opt/conda/pkgs) (cleanup \"conda clean -afy\"))\n"
	 "(pkg conda install (packages) (flags \"-f environment.yml\") (reads environment.yml) (leaves /opt/conda/pkgs) (cleanup \"conda clean -afy\"))\n"
	 "(pkg conda clean yes (packages) (flags -afy) (reads) (leaves) (cleans /opt/conda/pkgs))\n"},
	{"uv_poetry", "uv pip install --system -r requirements.txt && poetry install --no-root",
	 "(pkg uv install yes global (packages) (flags --system \"-r requirements.txt\") (reads requirements.txt) (leaves ~/.cache/uv) (cleanup \"uv cache clean\"))\n"
	 "(pkg poetry install yes (packages) (flags --no-root) (reads pyproject.toml poetry.lock) (leaves ~/.cache/pypoetry) (cleanup \"rm -rf ~/.cache/pypoetry\"))\n"},
	{"make", "make -j4 && make install",
	 "(pkg make build yes (packages) (flags -j4) (reads Makefile) (leaves))\n"
	 "(pkg make build yes (packages) (flags) (reads Makefile) (leaves))\n"},
	/* unwrapping */
	{"wrappers",
	 "sudo -E apt-get install -y a && sudo -u app npm ci && nice -n 10 pip install b && timeout 60 apk add c && command apt-get update && exec apk add d && gosu app pip install e && eatmydata apt-get install -y f",
	 "(pkg apt install yes (packages a) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"
	 "(pkg npm install yes (packages) (flags) (reads package.json package-lock.json npm-shrinkwrap.json) (leaves ~/.npm) (cleanup \"npm cache clean --force\"))\n"
	 "(pkg pip install yes (packages b) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg apk install yes (packages c) (flags) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"
	 "(pkg apt update yes (packages) (flags) (reads) (leaves /var/lib/apt/lists) (cleanup \"rm -rf /var/lib/apt/lists/*\"))\n"
	 "(pkg apk install yes (packages d) (flags) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"
	 "(pkg pip install yes (packages e) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg apt install yes (packages f) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"xargs", "cat pkgs.txt | xargs apt-get install -y",
	 "(pkg apt install yes dynamic (packages) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"lookups_only", "command -v pip && which apt-get && echo apt-get install x # apt-get install y", ""},
	{"conditional", "if [ -n \"$DEV\" ]; then pip install pytest; fi; [ -f x ] && apk add y",
	 "(pkg pip install yes conditional (packages pytest) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"
	 "(pkg apk install yes conditional (packages y) (flags) (reads) (leaves /var/cache/apk) (cleanup \"rm -rf /var/cache/apk/*\"))\n"},
	{"function", "f() { apt-get install -y \"$@\"; }; f curl",
	 "(pkg apt install yes dynamic conditional (packages) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"sh_c", "sh -c 'apt-get update && apt-get install -y curl' && bash -ec \"pip install x\"",
	 "(pkg apt update yes (packages) (flags) (reads) (leaves /var/lib/apt/lists) (cleanup \"rm -rf /var/lib/apt/lists/*\"))\n"
	 "(pkg apt install yes (packages curl) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"
	 "(pkg pip install yes (packages x) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"},
	{"stdin_heredoc", "bash -e <<EOF\npip install x\nEOF\ncat <<EOF\napt-get install y\nEOF\nsh 3<<EOF\napk add z\nEOF",
	 "(pkg pip install yes (packages x) (flags) (reads) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\"))\n"},
	{"set_ex", "set -eux; apt-get update; apt-get install -y --no-install-recommends git",
	 "(pkg apt update yes (packages) (flags) (reads) (leaves /var/lib/apt/lists) (cleanup \"rm -rf /var/lib/apt/lists/*\"))\n"
	 "(pkg apt install yes no-recommends (packages git) (flags -y --no-install-recommends) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	/* rm of caches */
	{"rm_caches", "rm -rf /var/cache/apt/archives/*.deb $HOME/.m2 \"${HOME}/.gradle/caches\" /go/pkg/mod",
	 "(pkg apt clean yes (packages) (flags -rf) (reads) (leaves) (cleans /var/cache/apt/archives/*.deb))\n"
	 "(pkg go clean yes (packages) (flags -rf) (reads) (leaves) (cleans /go/pkg/mod))\n"
	 "(pkg mvn clean yes (packages) (flags -rf) (reads) (leaves) (cleans ~/.m2))\n"
	 "(pkg gradle clean yes (packages) (flags -rf) (reads) (leaves) (cleans ~/.gradle/caches))\n"},
	{"rm_root_cache", "rm -rf /root/.cache/pip",
	 "(pkg pip clean yes (packages) (flags -rf) (reads) (leaves) (cleans ~/.cache/pip))\n"},
	{"crlf", "apt-get update\r\napt-get install -y x\r\n",
	 "(pkg apt update yes (packages) (flags) (reads) (leaves /var/lib/apt/lists) (cleanup \"rm -rf /var/lib/apt/lists/*\"))\n"
	 "(pkg apt install yes (packages x) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\"))\n"},
	{"opaque", "apt-get install \"x", ""},
};
/* clang-format on */

static char *ops_text(const char *script, const dko_pkg_table *t, const dko_pkg_env *env,
                      size_t *nops)
{
	dko_sh_script *s;
	dko_sh_parse_text(&s, script, strlen(script), NULL);
	dko_pkg_op *ops;
	assert_int_equal(dko_pkg_analyze(&ops, nops, s, t, env), 0);
	dko_buf b = DKO_BUF_INIT;
	for (size_t i = 0; i < *nops; i++) {
		dko_pkg_op_dump(&b, &ops[i]);
		dko_buf_putc(&b, '\n');
		/* The op points at its command. */
		const dko_sh_cmd *c = dko_sh_cmd_at(s, ops[i].cmd_index);
		assert_non_null(c);
		assert_int_equal(ops[i].span.start, c->span.start);
	}
	dko_sh_free(s);
	return dko_buf_detach(&b, NULL);
}

static void test_pkg__managers(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		char *got = ops_text(cases[i].script, NULL, NULL, &n);
		if (strcmp(got, cases[i].ops) != 0) {
			print_error("%s:\n--- want\n%s--- got\n%s", cases[i].name, cases[i].ops, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static void test_pkg__fields(void **state)
{
	(void)state;
	const char *sc = "apt-get update && apt-get install -y --no-install-recommends curl git";
	dko_sh_script *s;
	dko_sh_parse_text(&s, sc, strlen(sc), NULL);
	dko_pkg_op *ops;
	size_t n;
	dko_pkg_analyze(&ops, &n, s, NULL, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(ops[0].manager, DKO_PM_APT);
	assert_int_equal(ops[0].verb, DKO_PV_UPDATE);
	assert_int_equal(ops[0].cmd_index, 0);
	assert_int_equal(ops[1].verb, DKO_PV_INSTALL);
	assert_int_equal(ops[1].cmd_index, 1);
	assert_int_equal(ops[1].npackages, 2);
	assert_string_equal(ops[1].packages[0], "curl");
	assert_string_equal(ops[1].packages[1], "git");
	assert_true(ops[1].assume_yes && ops[1].no_recommends && !ops[1].conditional);
	size_t len;
	const char *t = dko_sh_text(s, &len);
	assert_memory_equal(t + ops[1].span.start, "apt-get install", 15);
	assert_int_equal(ops[1].span.end, len);
	dko_sh_free(s);
}

/* A CLEAN operation covers a directory when it removes it, an ancestor, or
 * its contents. */
static void test_pkg__cleans(void **state)
{
	(void)state;
	const char *sc = "rm -rf /var/lib/apt/lists/* /root/.cache && go clean -modcache";
	dko_sh_script *s;
	dko_sh_parse_text(&s, sc, strlen(sc), NULL);
	dko_pkg_op *ops;
	size_t n;
	dko_pkg_analyze(&ops, &n, s, NULL, NULL);
	const dko_pkg_op *apt = NULL, *pip = NULL, *go = NULL;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ops[i].verb, DKO_PV_CLEAN);
		if (ops[i].manager == DKO_PM_APT)
			apt = &ops[i];
		if (ops[i].manager == DKO_PM_PIP)
			pip = &ops[i];
		if (ops[i].manager == DKO_PM_GO && ops[i].cmd_index == 1)
			go = &ops[i];
	}
	assert_non_null(apt);
	assert_non_null(pip);
	assert_non_null(go);
	assert_true(dko_pkg_cleans(apt, "/var/lib/apt/lists"));
	assert_false(dko_pkg_cleans(apt, "/var/cache/apt/archives"));
	assert_true(dko_pkg_cleans(pip, "~/.cache/pip"));
	assert_true(dko_pkg_cleans(pip, "/root/.cache/pip"));
	assert_false(dko_pkg_cleans(pip, "~/.npm"));
	assert_true(dko_pkg_cleans(go, "$GOPATH/pkg/mod"));
	assert_true(dko_pkg_cleans(go, "/go/pkg/mod"));
	dko_sh_free(s);
}

static const char *env_lookup(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (; kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			return kv[1];
	return NULL;
}

static void test_pkg__env(void **state)
{
	(void)state;
	const char *vars[] = {"PIP_NO_CACHE_DIR", "off", "GOPATH", "/work/go", NULL};
	dko_pkg_env env = {env_lookup, vars};
	size_t n;
	char *got = ops_text("pip install x && go mod download", NULL, &env, &n);
	assert_string_equal(got,
	                    "(pkg pip install yes no-cache (packages x) (flags) (reads) (leaves))\n"
	                    "(pkg go download yes (packages) (flags) (reads go.mod go.sum) (leaves "
	                    "/work/go/pkg/mod) (cleanup \"go clean -modcache\"))\n");
	free(got);
	/* A command's own assignment wins over ENV. */
	got = ops_text("PIP_NO_CACHE_DIR= pip install x", NULL, &env, &n);
	assert_non_null(strstr(got, "(leaves ~/.cache/pip)"));
	free(got);
}

static void test_pkg__wrappers(void **state)
{
	(void)state;
	dko_pkg_table *t;
	assert_int_equal(dko_pkg_table_new(&t), 0);
	assert_int_equal(dko_pkg_table_add_wrapper(t, "^install_packages$", DKO_PM_APT, DKO_PV_INSTALL), 0);
	assert_int_equal(dko_pkg_table_add_wrapper(t, "scripts/apt-install\\.sh$", DKO_PM_APT, DKO_PV_INSTALL), 0);
	assert_int_equal(dko_pkg_table_add_wrapper(t, "^fetch-deps$", DKO_PM_PIP, DKO_PV_INSTALL), 0);
	size_t n;
	char *got = ops_text("install_packages curl git && ./scripts/apt-install.sh -y jq && "
	                     "fetch-deps -r req.txt && install_packages_x y && sudo install_packages z",
	                     t, NULL, &n);
	assert_string_equal(got,
		"(pkg apt install (packages curl git) (flags) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\") (wrapper \"^install_packages$\"))\n"
		"(pkg apt install yes (packages jq) (flags -y) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\") (wrapper \"scripts/apt-install\\\\.sh$\"))\n"
		"(pkg pip install yes (packages) (flags \"-r req.txt\") (reads req.txt) (leaves ~/.cache/pip) (cleanup \"rm -rf ~/.cache/pip\") (wrapper \"^fetch-deps$\"))\n"
		"(pkg apt install (packages z) (flags) (reads) (leaves /var/cache/apt/archives) (cleanup \"apt-get clean\") (wrapper \"^install_packages$\"))\n");
	free(got);
	/* Without the table the wrapper is unknown. */
	got = ops_text("install_packages curl", NULL, NULL, &n);
	assert_int_equal(n, 0);
	free(got);
	/* A bad pattern is a configuration error with a message. */
	dko_error_clear();
	assert_int_equal(dko_pkg_table_add_wrapper(t, "([a-z", DKO_PM_APT, DKO_PV_INSTALL), DKO_ECONFIG);
	assert_true(strlen(dko_error_last()) > 0);
	assert_int_equal(dko_pkg_table_add_wrapper(t, "x", DKO_PM__COUNT, DKO_PV_INSTALL), DKO_EINVAL);
	assert_int_equal(dko_pkg_table_add_wrapper(t, "x", DKO_PM_APT, DKO_PV_NONE), DKO_EINVAL);
	dko_pkg_table_free(t);
	dko_pkg_table_free(NULL);
}

static void test_pkg__names(void **state)
{
	(void)state;
	for (int pm = DKO_PM_APT; pm < DKO_PM__COUNT; pm++) {
		const char *name = dko_pm_name((dko_pm)pm);
		assert_true(*name);
		dko_pm back;
		assert_int_equal(dko_pm_lookup(&back, name), 0);
		assert_int_equal(back, pm);
	}
	for (int v = DKO_PV_UPDATE; v < DKO_PV__COUNT; v++) {
		dko_pkg_verb back;
		assert_int_equal(dko_pkg_verb_lookup(&back, dko_pkg_verb_name((dko_pkg_verb)v)), 0);
		assert_int_equal(back, v);
	}
	dko_pm pm;
	assert_int_equal(dko_pm_lookup(&pm, "APT"), 0);
	assert_int_equal(pm, DKO_PM_APT);
	assert_int_equal(dko_pm_lookup(&pm, "nix"), DKO_ENOTFOUND);
	assert_string_equal(dko_pm_name(DKO_PM__COUNT), "");
	assert_string_equal(dko_pkg_verb_name(DKO_PV__COUNT), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkg__managers),
		cmocka_unit_test(test_pkg__fields),
		cmocka_unit_test(test_pkg__cleans),
		cmocka_unit_test(test_pkg__env),
		cmocka_unit_test(test_pkg__wrappers),
		cmocka_unit_test(test_pkg__names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
