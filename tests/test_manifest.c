/*
 * test_manifest.c - the manifest readers on fixtures the test writes into
 * temporary folders, read through a disk context.
 */
#include "testutil.h"

#include "context.h"
#include "manifest.h"
#include "dockopt/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp;
static dko_context *ctx;

static void put(const char *rel, const char *text)
{
	char *p = tu_asprintf("%s/%s", tmp, rel);
	assert_int_equal(tu_write_file(p, text, strlen(text)), 0);
	free(p);
}

/* A fresh context folder per test. */
static int setup(void **state)
{
	(void)state;
	tmp = tu_mkdtemp();
	if (!tmp || dko_context_open_dir(&ctx, tmp) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dko_context_free(ctx);
	tu_rmrf(tmp);
	free(tmp);
	return 0;
}

static bool has_item(const dko_mf_item *v, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].text, text))
			return true;
	}
	return false;
}

static void test_manifest__pip(void **state)
{
	(void)state;
	put("requirements.txt",
	    "# top\n"
	    "-r reqs/base.txt\n"
	    "--requirement=reqs/dev.txt  # dev\n"
	    "-c constraints.txt\n"
	    "-r https://example.org/remote.txt\n"
	    "--index-url https://pypi.example/simple\n"
	    "--extra-index-url=${EXTRA_URL}\n"
	    "-f ./wheels\n"
	    "--find-links file:///app/wheels\n"
	    "requests>=2.0 \\\n"
	    "    --hash=sha256:abc\n"
	    "-e .\n"
	    "./libs/pkg\n"
	    "foo @ file:///src/foo\n"
	    "git+https://github.com/x/y.git#egg=y\n"
	    "bar @ git+https://github.com/x/bar.git\n"
	    "baz; python_version < \"3.8\"\n"
	    "local.whl\n"
	    "-r ../outside.txt\n"
	    "-r missing.txt\n");
	put("reqs/base.txt", "flask==3.0\r\n-r common.txt\r\n");
	put("reqs/common.txt", "-r base.txt\nnumpy\n"); /* a loop back to base.txt */
	put("reqs/dev.txt", "pytest\n");
	put("constraints.txt", "urllib3<2\n");
	put(".dockerignore", "reqs/dev.txt\n");
	assert_int_equal(dko_context_load_ignore(ctx, NULL), 0);

	dko_pip_reqs *r;
	assert_int_equal(dko_pip_read(&r, ctx, "./requirements.txt"), 0);
	static const struct {
		const char *path;
		bool constraint;
		dko_mf_state state;
	} files[] = {
		{"requirements.txt", false, DKO_MF_OK},  {"reqs/base.txt", false, DKO_MF_OK},
		{"reqs/common.txt", false, DKO_MF_OK},   {"reqs/dev.txt", false, DKO_MF_EXCLUDED},
		{"constraints.txt", true, DKO_MF_OK},    {"../outside.txt", false, DKO_MF_OUTSIDE},
		{"missing.txt", false, DKO_MF_MISSING},
	};
	assert_int_equal(r->nfiles, sizeof(files) / sizeof(files[0]));
	for (size_t i = 0; i < r->nfiles; i++) {
		assert_string_equal(r->files[i].path, files[i].path);
		assert_int_equal(r->files[i].constraint, files[i].constraint);
		assert_int_equal(r->files[i].state, files[i].state);
	}
	assert_null(r->files[0].from);
	assert_string_equal(r->files[2].from, "reqs/base.txt");
	assert_int_equal(r->files[2].line, 2);
	/* requests, -e ., ./libs/pkg, foo, git+, bar, baz, local.whl, flask,
	 * numpy, pytest (excluded, still read), urllib3 */
	assert_int_equal(r->nreqs, 12);
	assert_int_equal(r->nlocal, 6);
	assert_true(has_item(r->local, r->nlocal, "-e ."));
	assert_true(has_item(r->local, r->nlocal, "./libs/pkg"));
	assert_true(has_item(r->local, r->nlocal, "foo @ file:///src/foo"));
	assert_true(has_item(r->local, r->nlocal, "local.whl"));
	assert_true(has_item(r->local, r->nlocal, "-f ./wheels"));
	/* a file: URL is a folder of the image, not a remote index */
	assert_true(has_item(r->local, r->nlocal, "--find-links file:///app/wheels"));
	assert_int_equal(r->nvcs, 2);
	assert_int_equal(r->vcs[1].line, 16);
	assert_string_equal(r->vcs[1].file, "requirements.txt");
	assert_int_equal(r->noptions, 4);
	assert_string_equal(r->options[0].text, "--index-url https://pypi.example/simple");
	assert_int_equal(r->nremote, 1);
	assert_true(r->env_vars);
	assert_false(r->truncated);
	dko_pip_free(r);
	dko_pip_free(NULL);

	assert_int_equal(dko_pip_read(&r, ctx, "nope.txt"), DKO_ENOTFOUND);
	assert_null(r);
	assert_int_equal(dko_pip_read(&r, ctx, "reqs"), DKO_ENOTFOUND);
}

static void test_manifest__pip_plain(void **state)
{
	(void)state;
	/* No final newline, only packages: nothing local, nothing to follow. */
	put("app/requirements.txt", "Django==5.0\npsycopg[binary]>=3  # db\n\n#-r x.txt\ngunicorn");
	dko_pip_reqs *r;
	assert_int_equal(dko_pip_read(&r, ctx, "app/requirements.txt"), 0);
	assert_int_equal(r->nfiles, 1);
	assert_int_equal(r->nreqs, 3);
	assert_int_equal(r->nlocal + r->nvcs + r->noptions + r->nremote, 0);
	assert_false(r->env_vars);
	dko_pip_free(r);
}

static void test_manifest__npm(void **state)
{
	(void)state;
	put("web/package.json",
	    "{\"name\":\"@acme/tool\",\"version\":\"1.2.3\",\"main\":\"dist/index.js\",\"type\":\"module\","
	    "\"packageManager\":\"yarn@4.1.0\",\"bin\":\"bin/cli.js\","
	    "\"scripts\":{\"build\":\"tsc -p .\",\"postinstall\":\"patch-package\",\"prepare\":\"husky\","
	    "\"start\":\"node dist/index.js\"},"
	    "\"workspaces\":{\"packages\":[\"packages/*\",\"apps/*\"]},"
	    "\"dependencies\":{\"left-pad\":\"^1.3.0\",\"shared\":\"file:../shared\",\"ui\":\"workspace:*\"},"
	    "\"devDependencies\":{\"local\":\"./vendor/local\",\"ts\":\"5\"}}");
	put("web/yarn.lock", "");
	put("web/package-lock.json", "{}");
	put("web/.yarnrc.yml", "nodeLinker: node-modules\n");
	put("web/.yarn/releases/yarn-4.1.0.cjs", "");
	dko_npm *n;
	assert_int_equal(dko_npm_read(&n, ctx, "web/package.json"), 0);
	assert_string_equal(n->path, "web/package.json");
	assert_string_equal(n->dir, "web");
	assert_string_equal(n->name, "@acme/tool");
	assert_string_equal(n->version, "1.2.3");
	assert_string_equal(n->main, "dist/index.js");
	assert_string_equal(n->type, "module");
	assert_string_equal(n->package_manager, "yarn@4.1.0");
	assert_int_equal(n->nscripts, 4);
	assert_string_equal(dko_npm_script(n, "build"), "tsc -p .");
	assert_null(dko_npm_script(n, "test"));
	assert_int_equal(n->ninstall_scripts, 2);
	assert_string_equal(n->install_scripts[0], "postinstall");
	assert_string_equal(n->install_scripts[1], "prepare");
	assert_int_equal(n->nbin, 1);
	assert_string_equal(n->bin[0].name, "tool");
	assert_string_equal(n->bin[0].value, "bin/cli.js");
	assert_int_equal(n->nworkspaces, 2);
	assert_string_equal(n->workspaces[1], "apps/*");
	assert_int_equal(n->nlocal_deps, 3);
	assert_string_equal(n->local_deps[0].name, "shared");
	assert_string_equal(n->local_deps[2].value, "./vendor/local");
	assert_int_equal(n->nlockfiles, 2);
	assert_string_equal(n->lockfile, "web/package-lock.json");
	assert_string_equal(n->lockfiles[1], "web/yarn.lock");
	assert_int_equal(n->nconfig_files, 2);
	assert_string_equal(n->config_files[0], "web/.yarnrc.yml");
	assert_string_equal(n->config_files[1], "web/.yarn/releases");
	dko_npm_free(n);

	/* The plain case: no scripts to worry about, no lockfile. */
	put("package.json", "{\"name\":\"x\",\"bin\":{\"a\":\"a.js\",\"b\":\"b.js\"},\"workspaces\":[\"p\"]}");
	assert_int_equal(dko_npm_read(&n, ctx, "package.json"), 0);
	assert_int_equal(n->ninstall_scripts, 0);
	assert_null(n->lockfile);
	assert_null(n->main);
	assert_int_equal(n->nbin, 2);
	assert_int_equal(n->nworkspaces, 1);
	dko_npm_free(n);

	/* Broken JSON is located; a non-object is refused. */
	put("bad/package.json", "{\n  \"name\": \"x\",\n}\n");
	assert_int_equal(dko_npm_read(&n, ctx, "bad/package.json"), DKO_EPARSE);
	assert_null(n);
	assert_string_equal(dko_error_last(), "bad/package.json:3:1: error: expected a member name");
	put("bad/array.json", "[1]");
	assert_int_equal(dko_npm_read(&n, ctx, "bad/array.json"), DKO_EPARSE);
	assert_non_null(strstr(dko_error_last(), "not a JSON object"));
}

static void test_manifest__gomod(void **state)
{
	(void)state;
	put("go.mod", "// comment\nmodule github.com/acme/app // trailing\n\ngo 1.22\ntoolchain go1.22.3\n\n"
	              "require (\n\tgithub.com/a/b v1.0.0\n\tgolang.org/x/c v0.1.0 // indirect\n)\n"
	              "require github.com/d/e v2.0.0\n"
	              "replace github.com/a/b => github.com/fork/b v1.0.1\n"
	              "replace (\n\tgolang.org/x/c v0.1.0 => ./third_party/c\n"
	              "\t\"example.com/q\" => `../q`\n)\n");
	put("go.sum", "");
	put("vendor/modules.txt", "");
	dko_gomod *g;
	assert_int_equal(dko_gomod_read(&g, ctx, "go.mod"), 0);
	assert_string_equal(g->module, "github.com/acme/app");
	assert_string_equal(g->go_version, "1.22");
	assert_string_equal(g->toolchain, "go1.22.3");
	assert_int_equal(g->nrequire, 3);
	assert_int_equal(g->nreplaces, 3);
	assert_false(g->replaces[0].local);
	assert_string_equal(g->replaces[0].new_version, "v1.0.1");
	assert_true(g->replaces[1].local);
	assert_string_equal(g->replaces[1].old_version, "v0.1.0");
	assert_string_equal(g->replaces[1].new_path, "./third_party/c");
	assert_int_equal(g->replaces[1].line, 14);
	assert_true(g->replaces[2].local);
	assert_string_equal(g->replaces[2].old_path, "example.com/q");
	assert_true(g->local_replace);
	assert_true(g->has_sum);
	assert_true(g->has_vendor);
	assert_false(g->has_work);
	dko_gomod_free(g);

	put("svc/go.mod", "module svc\n\ngo 1.21\n");
	assert_int_equal(dko_gomod_read(&g, ctx, "svc/go.mod"), 0);
	assert_string_equal(g->module, "svc");
	assert_false(g->local_replace);
	assert_false(g->has_sum);
	dko_gomod_free(g);
}

static void test_manifest__gemfile(void **state)
{
	(void)state;
	put("Gemfile", "source 'https://rubygems.org'\n"
	               "gemspec\n"
	               "gem 'rails', '~> 7.1'\n"
	               "gem 'mylib', path: 'vendor/mylib'\n"
	               "gem \"old\", :path => \"../old\"\n"
	               "gem 'forked', git: 'https://github.com/x/forked.git' # comment with path: x\n"
	               "gem 'gh', github: 'x/gh'\n"
	               "group :test do\n  gem 'rspec'\n  if ENV['CI']\n    gem 'ci'\n  end\nend\n"
	               "path 'engines' do\n  gem 'engine_a'\n  group :dev do\n    gem 'engine_b'\n  end\nend\n"
	               "gem 'after'\n"
	               "gem 'pathname'\n");
	put("Gemfile.lock", "GEM\n");
	dko_gemfile *g;
	assert_int_equal(dko_gemfile_read(&g, ctx, "Gemfile"), 0);
	assert_true(g->gemspec);
	assert_false(g->eval_gemfile);
	assert_string_equal(g->lockfile, "Gemfile.lock");
	assert_int_equal(g->npath_gems, 4);
	assert_string_equal(g->path_gems[0].text, "gem 'mylib', path: 'vendor/mylib'");
	assert_int_equal(g->path_gems[0].line, 4);
	assert_string_equal(g->path_gems[2].text, "gem 'engine_a'");
	assert_string_equal(g->path_gems[3].text, "gem 'engine_b'");
	assert_int_equal(g->ngit_gems, 2);
	dko_gemfile_free(g);

	put("rb/gems.rb", "gem 'x'\neval_gemfile 'other.rb'\n");
	assert_int_equal(dko_gemfile_read(&g, ctx, "rb/gems.rb"), 0);
	assert_null(g->lockfile);
	assert_true(g->eval_gemfile);
	assert_false(g->gemspec);
	assert_int_equal(g->npath_gems + g->ngit_gems, 0);
	dko_gemfile_free(g);
}

static void test_manifest__composer(void **state)
{
	(void)state;
	put("composer.json",
	    "{\"name\":\"acme/site\",\"scripts\":{\"post-install-cmd\":[\"@php artisan key:generate\","
	    "\"@php artisan optimize\"],\"test\":\"phpunit\",\"post-root-package-install\":\"x\"},"
	    "\"repositories\":[{\"type\":\"vcs\",\"url\":\"https://x\"},{\"type\":\"path\",\"url\":\"packages/*\"}],"
	    "\"autoload\":{\"psr-4\":{\"App\\\\\":\"app/\"},\"classmap\":[\"database/seeds\"]}}");
	put("composer.lock", "{}");
	dko_composer *c;
	assert_int_equal(dko_composer_read(&c, ctx, "composer.json"), 0);
	assert_string_equal(c->name, "acme/site");
	assert_true(c->has_lock);
	assert_int_equal(c->nscripts, 3);
	assert_string_equal(c->scripts[0].value, "@php artisan key:generate && @php artisan optimize");
	assert_int_equal(c->ninstall_events, 1);
	assert_string_equal(c->install_events[0], "post-install-cmd");
	assert_int_equal(c->npath_repos, 1);
	assert_string_equal(c->path_repos[0], "packages/*");
	assert_true(c->autoload_scan);
	dko_composer_free(c);

	put("lib/composer.json", "{\"require\":{\"php\":\">=8.1\"},\"autoload\":{\"psr-4\":{\"L\\\\\":\"src/\"}}}");
	assert_int_equal(dko_composer_read(&c, ctx, "lib/composer.json"), 0);
	assert_null(c->name);
	assert_false(c->has_lock);
	assert_int_equal(c->ninstall_events, 0);
	assert_false(c->autoload_scan);
	dko_composer_free(c);
}

static void test_manifest__pom(void **state)
{
	(void)state;
	put("pom.xml",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!-- <artifactId>not-this</artifactId> -->\n"
	    "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
	    "  <modelVersion>4.0.0</modelVersion>\n"
	    "  <parent><groupId>org.springframework.boot</groupId>"
	    "<artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>\n"
	    "  <artifactId>demo</artifactId>\n"
	    "  <properties><app.suffix>svc</app.suffix><java.version>21</java.version></properties>\n"
	    "  <dependencies><dependency><artifactId>dep</artifactId><version>9</version></dependency></dependencies>\n"
	    "  <build><finalName>${project.artifactId}-${app.suffix}</finalName>"
	    "<plugins><plugin><artifactId>p</artifactId></plugin></plugins></build>\n"
	    "  <profiles><profile><modules><module>not-this</module></modules></profile></profiles>\n"
	    "</project>\n");
	put("mvnw", "#!/bin/sh\n");
	dko_pom *p;
	assert_int_equal(dko_pom_read(&p, ctx, "pom.xml"), 0);
	assert_false(p->malformed);
	assert_string_equal(p->artifact_id, "demo");
	assert_null(p->version);
	assert_null(p->group_id);
	assert_string_equal(p->parent_version, "3.2.0");
	assert_string_equal(p->parent_artifact_id, "spring-boot-starter-parent");
	assert_string_equal(p->final_name, "${project.artifactId}-${app.suffix}");
	assert_string_equal(p->artifact, "demo-svc.jar");
	assert_int_equal(p->nmodules, 0);
	assert_true(p->has_wrapper);
	dko_pom_free(p);

	/* Default name from artifactId-version (inherited), war packaging. */
	put("w/pom.xml", "<project><parent><version>2.0</version></parent><artifactId>web</artifactId>"
	                 "<packaging>war</packaging><name><![CDATA[a<b]]></name></project>");
	assert_int_equal(dko_pom_read(&p, ctx, "w/pom.xml"), 0);
	assert_string_equal(p->artifact, "web-2.0.war");
	assert_false(p->has_wrapper);
	dko_pom_free(p);

	/* An aggregator: modules, no artifact; an unresolvable name is unknown. */
	put("m/pom.xml", "<project><artifactId>root</artifactId><version>1</version>"
	                 "<packaging>pom</packaging><modules><module>api</module>"
	                 "<module>web</module></modules></project>");
	assert_int_equal(dko_pom_read(&p, ctx, "m/pom.xml"), 0);
	assert_int_equal(p->nmodules, 2);
	assert_string_equal(p->modules[1], "web");
	assert_null(p->artifact);
	dko_pom_free(p);
	put("u/pom.xml", "<project><artifactId>a</artifactId><version>${revision}</version></project>");
	assert_int_equal(dko_pom_read(&p, ctx, "u/pom.xml"), 0);
	assert_null(p->artifact);
	dko_pom_free(p);

	/* Malformed XML: flagged, no crash, what was read before is kept. */
	put("x/pom.xml", "<project><artifactId>a</artifactId><version>1</oops></project>");
	assert_int_equal(dko_pom_read(&p, ctx, "x/pom.xml"), 0);
	assert_true(p->malformed);
	assert_string_equal(p->artifact_id, "a");
	assert_null(p->artifact);
	dko_pom_free(p);
}

static void test_manifest__gradle(void **state)
{
	(void)state;
	put("settings.gradle", "rootProject.name = 'billing'\n");
	put("build.gradle", "plugins { id 'java' }\ngroup = 'com.acme'\nversion = '0.3.1'\n");
	put("gradlew", "");
	dko_gradle *g;
	assert_int_equal(dko_gradle_read(&g, ctx, "build.gradle"), 0);
	assert_false(g->kotlin);
	assert_string_equal(g->settings, "settings.gradle");
	assert_true(g->has_wrapper);
	assert_string_equal(g->root_project_name, "billing");
	assert_string_equal(g->version, "0.3.1");
	assert_string_equal(g->jar, "billing-0.3.1.jar");
	dko_gradle_free(g);

	put("k/settings.gradle.kts", "rootProject.name = \"api\"\n");
	put("k/build.gradle.kts", "version = \"1.0\"\ntasks.bootJar {\n  archiveFileName.set(\"app.jar\")\n}\n");
	assert_int_equal(dko_gradle_read(&g, ctx, "k/build.gradle.kts"), 0);
	assert_true(g->kotlin);
	assert_string_equal(g->archive_file_name, "app.jar");
	assert_string_equal(g->jar, "app.jar");
	dko_gradle_free(g);

	/* Interpolation and multi-project builds: not evident. */
	put("i/settings.gradle", "rootProject.name = 'svc'\ninclude 'a', 'b'\n");
	put("i/build.gradle", "version = \"${ver}\"\n");
	assert_int_equal(dko_gradle_read(&g, ctx, "i/build.gradle"), 0);
	assert_true(g->multi_project);
	assert_null(g->version);
	assert_null(g->jar);
	dko_gradle_free(g);
	put("p/build.gradle", "apply plugin: 'java'\n");
	put("p/gradle.properties", "version=2.5\n");
	assert_int_equal(dko_gradle_read(&g, ctx, "p/build.gradle"), 0);
	assert_string_equal(g->version, "2.5");
	assert_null(g->jar); /* no literal project name: it is the folder's name */
	dko_gradle_free(g);
}

static void test_manifest__cargo(void **state)
{
	(void)state;
	put("Cargo.toml", "# comment\n[package]\nname = \"server\" # trailing\nversion = \"0.1.0\"\n"
	                  "description = \"\"\"\nname = \"not-this\"\n\"\"\"\ndefault-run = 'server'\n\n"
	                  "[dependencies]\nname = \"nope\"\n\n[[bin]]\nname = \"cli\"\npath = \"src/cli.rs\"\n\n"
	                  "[[bin]]\nname = 'worker'\n\n[workspace]\nmembers = [\n  \"crates/a\",\n  'crates/b', # x\n]\n");
	put("src/main.rs", "fn main() {}\n");
	put("Cargo.lock", "");
	dko_cargo *c;
	assert_int_equal(dko_cargo_read(&c, ctx, "Cargo.toml"), 0);
	assert_string_equal(c->package_name, "server");
	assert_string_equal(c->default_run, "server");
	assert_int_equal(c->nbins, 2);
	assert_string_equal(c->bins[0], "cli");
	assert_string_equal(c->bins[1], "worker");
	assert_true(c->main_bin);
	assert_true(c->workspace);
	assert_int_equal(c->nmembers, 2);
	assert_string_equal(c->members[1], "crates/b");
	assert_true(c->has_lock);
	dko_cargo_free(c);

	put("lib/Cargo.toml", "[workspace]\nmembers = [\"x\"]\n");
	assert_int_equal(dko_cargo_read(&c, ctx, "lib/Cargo.toml"), 0);
	assert_null(c->package_name);
	assert_false(c->main_bin);
	assert_int_equal(c->nmembers, 1);
	assert_false(c->has_lock);
	dko_cargo_free(c);
}

static void test_manifest__makefile(void **state)
{
	(void)state;
	put("Makefile", "# build\nCC ?= gcc\nBIN := app\nOUT = build/$(BIN)\nCFLAGS += -O2\n"
	                ".PHONY: all clean\n"
	                "%.o: %.c\n\t$(CC) -c $< -o $@\n"
	                "all: $(OUT) tool\n\n"
	                "$(OUT): main.o util.o\n\t@mkdir -p build\n\t$(CC) $(CFLAGS) -o $@ $^ \\\n\t  -lm\n"
	                "tool: tool.c ; cc -otool tool.c && strip tool\n"
	                "gobin:\n\tCGO_ENABLED=0 go build -ldflags='-s' -o bin/server ./cmd/server\n"
	                "dyn:\n\t$(CC) -o $(shell echo x) y.c\n"
	                "clean:\n\trm -rf build\n");
	dko_makefile *m;
	assert_int_equal(dko_makefile_read(&m, ctx, "Makefile"), 0);
	assert_string_equal(m->default_target, "all");
	const dko_make_target *t = dko_makefile_target(m, "build/app");
	assert_non_null(t);
	assert_int_equal(t->nrecipe, 2);
	assert_string_equal(t->recipe[1], "$(CC) $(CFLAGS) -o $@ $^    -lm");
	assert_int_equal(t->noutputs, 1);
	assert_string_equal(t->outputs[0], "build/app");
	assert_true(t->outputs_complete);
	t = dko_makefile_target(m, "tool");
	assert_int_equal(t->noutputs, 1);
	assert_string_equal(t->outputs[0], "tool");
	t = dko_makefile_target(m, "gobin");
	assert_int_equal(t->noutputs, 1);
	assert_string_equal(t->outputs[0], "bin/server");
	t = dko_makefile_target(m, "dyn");
	assert_int_equal(t->noutputs, 0);
	assert_false(t->outputs_complete);
	t = dko_makefile_target(m, "clean");
	assert_int_equal(t->noutputs, 0);
	assert_true(t->outputs_complete);
	assert_null(dko_makefile_target(m, "nope"));
	dko_makefile_free(m);

	put("g/Makefile", ".DEFAULT_GOAL := release\nfirst:\n\techo\nrelease:\n\tcc -o rel r.c\n");
	assert_int_equal(dko_makefile_read(&m, ctx, "g/Makefile"), 0);
	assert_string_equal(m->default_target, "release");
	dko_makefile_free(m);
	put("i/Makefile", "include config.mk\nall:\n\techo\n");
	assert_int_equal(dko_makefile_read(&m, ctx, "i/Makefile"), 0);
	assert_null(m->default_target);
	assert_int_equal(m->ntargets, 1);
	dko_makefile_free(m);
	put("v/Makefile", "$(shell uname): x\nall: y\n");
	assert_int_equal(dko_makefile_read(&m, ctx, "v/Makefile"), 0);
	assert_null(m->default_target);
	dko_makefile_free(m);
}

static void test_manifest__state(void **state)
{
	(void)state;
	put("a.txt", "x");
	put("dir/b.txt", "x");
	put(".dockerignore", "dir\n");
	assert_int_equal(dko_context_load_ignore(ctx, NULL), 0);
	assert_int_equal(dko_manifest_state(ctx, "a.txt"), DKO_MF_OK);
	assert_int_equal(dko_manifest_state(ctx, "./a.txt"), DKO_MF_OK);
	assert_int_equal(dko_manifest_state(ctx, "dir/b.txt"), DKO_MF_EXCLUDED);
	assert_int_equal(dko_manifest_state(ctx, "dir"), DKO_MF_NOT_FILE);
	assert_int_equal(dko_manifest_state(ctx, "nope"), DKO_MF_MISSING);
	assert_int_equal(dko_manifest_state(ctx, "../a.txt"), DKO_MF_OUTSIDE);
	char *p = tu_asprintf("%s/ln", tmp);
	assert_int_equal(symlink("a.txt", p), 0);
	free(p);
	assert_int_equal(dko_manifest_state(ctx, "ln"), DKO_MF_LINK);
	assert_string_equal(dko_mf_state_name(DKO_MF_EXCLUDED), "excluded");
	dko_npm *n;
	assert_int_equal(dko_npm_read(&n, ctx, "ln"), DKO_ENOTFOUND);
}

/* Garbage of every kind: every reader returns, with 0 or an error code. */
static void test_manifest__garbage(void **state)
{
	(void)state;
	unsigned seed = 12345;
	char buf[4096];
	static const char alphabet[] = "\"'{}[]<>/\\:=;,#$()@ \t\n\r-.!abcXYZ019\xff\xc3";
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)(seed % sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = round % 2 ? (char)(seed >> 16) : alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		char *p = tu_asprintf("%s/g", tmp);
		assert_int_equal(tu_write_file(p, buf, n), 0);
		free(p);
		dko_pip_reqs *r = NULL;
		dko_npm *np = NULL;
		dko_gomod *g = NULL;
		dko_gemfile *gf = NULL;
		dko_composer *c = NULL;
		dko_pom *pm = NULL;
		dko_gradle *gr = NULL;
		dko_cargo *cg = NULL;
		dko_makefile *m = NULL;
		assert_true(dko_pip_read(&r, ctx, "g") == 0);
		assert_true(dko_npm_read(&np, ctx, "g") <= 0);
		assert_true(dko_gomod_read(&g, ctx, "g") == 0);
		assert_true(dko_gemfile_read(&gf, ctx, "g") == 0);
		assert_true(dko_composer_read(&c, ctx, "g") <= 0);
		assert_true(dko_pom_read(&pm, ctx, "g") == 0);
		assert_true(dko_gradle_read(&gr, ctx, "g") == 0);
		assert_true(dko_cargo_read(&cg, ctx, "g") == 0);
		assert_true(dko_makefile_read(&m, ctx, "g") == 0);
		dko_pip_free(r);
		dko_npm_free(np);
		dko_gomod_free(g);
		dko_gemfile_free(gf);
		dko_composer_free(c);
		dko_pom_free(pm);
		dko_gradle_free(gr);
		dko_cargo_free(cg);
		dko_makefile_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest__pip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__pip_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__npm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__gomod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__gemfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__composer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__pom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__gradle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__cargo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__makefile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest__garbage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
