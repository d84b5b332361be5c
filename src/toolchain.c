/*
 * toolchain.c - the toolchain table and the package facts of toolchain.h.
 *
 * A builder image is matched by PCRE2 patterns (config entries first, then
 * the built-in families below); each family derives the runtime from the
 * components of the builder's tag ("1.21-bookworm" -> version 1.21, suite
 * bookworm). Derivations only use what the tag says or a table states: a tag
 * without the fact needed leaves the runtime unknown, with the reason.
 *
 * Invariants: every string a dko_toolchain / dko_runtime owns is malloc'd
 * (image, release) or static (family, why, workdir, path); lookups in the
 * package tables never allocate.
 */
#include "toolchain.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/regex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- image names and tags ----------------------------------------------------------- */

char *dko_image_normalize(const char *image)
{
	static const char *const prefixes[] = {"docker.io/library/", "index.docker.io/library/",
	                                       "registry-1.docker.io/library/", "docker.io/",
	                                       "index.docker.io/", "library/"};
	const char *s = image;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(s, prefixes[i], n)) {
			s += n;
			break;
		}
	}
	size_t n = strcspn(s, "@");
	char *out = dko_xstrndup(s, n);
	char *colon = strrchr(out, ':');
	if (colon && strchr(colon, '/'))
		colon = NULL; /* a registry port */
	for (char *p = out; *p && p != colon; p++)
		*p = (char)tolower((unsigned char)*p); /* a tag keeps its case (and ${VARS}) */
	return out;
}

/* An image split into its name and the '-'-separated components of its tag. */
typedef struct tagparts {
	char *buf;          /* owns the strings below */
	const char *name;   /* "golang" */
	const char *tag;    /* "1.21-bookworm", "" when absent */
	const char *comp[16];
	size_t n;
} tagparts;

static void tag_split(tagparts *t, const char *normalized)
{
	memset(t, 0, sizeof(*t));
	size_t len = strlen(normalized);
	t->buf = dko_xmalloc(2 * len + 2);
	memcpy(t->buf, normalized, len + 1);
	char *colon = strrchr(t->buf, ':');
	if (colon && strchr(colon, '/'))
		colon = NULL; /* a registry port, not a tag */
	t->name = t->buf;
	t->tag = "";
	if (!colon)
		return;
	*colon = '\0';
	t->tag = colon + 1;
	char *copy = t->buf + len + 1;
	memcpy(copy, t->tag, strlen(t->tag) + 1);
	for (char *p = copy; *p && t->n < 16;) {
		t->comp[t->n++] = p;
		char *dash = p;
		for (int depth = 0; *dash && (*dash != '-' || depth); dash++)
			depth += (*dash == '{') - (*dash == '}' && depth);
		if (!*dash)
			break;
		*dash = '\0';
		p = dash + 1;
	}
}

static bool has_comp(const tagparts *t, const char *c)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->comp[i], c))
			return true;
	return false;
}

/* The leading number of a version component, -1 for none (or a variable). */
static int major_of(const char *s)
{
	return s && isdigit((unsigned char)s[0]) ? atoi(s) : -1;
}

/* A version, or a variable standing for one ("${GO_VERSION}"). */
static bool is_version(const char *s)
{
	return s && (isdigit((unsigned char)s[0]) || s[0] == '$');
}

static const char *const debian_suites[] = {"stretch", "buster", "bullseye", "bookworm", "trixie"};
static const char *const ubuntu_codenames[] = {"bionic", "focal", "jammy", "noble"};

static const char *find_of(const tagparts *t, const char *const *set, size_t n)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; k < n; k++)
			if (!strcmp(t->comp[i], set[k]))
				return set[k];
	return NULL;
}

#define FIND(t, set) find_of(t, set, sizeof(set) / sizeof(set[0]))

/* The Alpine component: "alpine" (version NULL) or "alpine3.19". */
static bool alpine_comp(const tagparts *t, const char **version)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!strncmp(t->comp[i], "alpine", 6)) {
			*version = t->comp[i][6] ? t->comp[i] + 6 : NULL;
			return true;
		}
	}
	return false;
}

static bool windows_tag(const tagparts *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strncmp(t->comp[i], "windowsservercore", 17) || !strncmp(t->comp[i], "nanoserver", 10) ||
		    !strcmp(t->comp[i], "ltsc2022") || !strcmp(t->comp[i], "ltsc2019"))
			return true;
	return false;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	dko_buf b = DKO_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	dko_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return dko_buf_detach(&b, NULL);
}

/* ---- runtimes ------------------------------------------------------------------------ */

static void rt_set(dko_runtime *rt, char *image, dko_os os, const char *release, bool ca,
                   unsigned provides)
{
	rt->image = image;
	rt->os = os;
	rt->release = release ? dko_xstrdup(release) : NULL;
	rt->shell = os != DKO_OS_DISTROLESS;
	rt->ca = ca;
	rt->provides = provides;
	rt->known = true;
}

void dko_runtime_release(dko_runtime *rt)
{
	free(rt->image);
	free(rt->release);
	memset(rt, 0, sizeof(*rt));
}

/* The OS a tag names: a Debian suite, an Ubuntu codename or Alpine. */
static dko_os tag_os(const tagparts *t, const char **release, dko_os dflt)
{
	const char *v;
	if ((*release = FIND(t, debian_suites)))
		return DKO_OS_DEBIAN;
	if ((*release = FIND(t, ubuntu_codenames)))
		return DKO_OS_UBUNTU;
	if (alpine_comp(t, &v)) {
		*release = v;
		return DKO_OS_ALPINE;
	}
	*release = NULL;
	return dflt;
}

void dko_runtime_guess(dko_runtime *rt, const char *image)
{
	memset(rt, 0, sizeof(*rt));
	char *norm = dko_image_normalize(image);
	tagparts t;
	tag_split(&t, norm);
	const char *rel = NULL;
	dko_os os = tag_os(&t, &rel, DKO_OS_UNKNOWN);
	rt->image = dko_xstrdup(image);
	rt->shell = true;
	if (strstr(t.name, "distroless")) {
		os = DKO_OS_DISTROLESS;
		rt->shell = false;
		rt->ca = true;
		rt->provides = strstr(t.name, "java") ? DKO_RT_JAVA : strstr(t.name, "nodejs") ? DKO_RT_NODE : 0;
		rt->known = strstr(t.name, "distroless/static") || strstr(t.name, "distroless/base");
	} else if (!strcmp(t.name, "scratch")) {
		rt->shell = false;
	} else if (!strcmp(t.name, "alpine")) {
		os = DKO_OS_ALPINE;
		rel = t.tag[0] && strcmp(t.tag, "latest") ? t.tag : NULL;
		rt->ca = rt->known = true;
	} else if (!strcmp(t.name, "debian") || !strcmp(t.name, "ubuntu")) {
		if (os == DKO_OS_UNKNOWN)
			os = t.name[0] == 'd' ? DKO_OS_DEBIAN : DKO_OS_UBUNTU;
		rt->known = true;
	} else if (!strcmp(t.name, "node")) {
		rt->provides = DKO_RT_NODE;
		rt->ca = os == DKO_OS_ALPINE;
		os = os == DKO_OS_UNKNOWN ? DKO_OS_DEBIAN : os;
		rt->known = true;
	} else if (!strcmp(t.name, "eclipse-temurin")) {
		rt->provides = DKO_RT_JAVA;
		rt->ca = rt->known = true;
		os = os == DKO_OS_UNKNOWN ? DKO_OS_UBUNTU : os;
	} else if (!strncmp(t.name, "mcr.microsoft.com/dotnet/", 25)) {
		rt->provides = DKO_RT_DOTNET;
		rt->ca = rt->known = true;
		os = os == DKO_OS_UNKNOWN ? DKO_OS_DEBIAN : os;
	}
	rt->os = os;
	rt->release = rel ? dko_xstrdup(rel) : NULL;
	free(t.buf);
	free(norm);
}

/* ---- the families ------------------------------------------------------------------------ */

static void derive_go(dko_toolchain *tc, const tagparts *t)
{
	const char *rel;
	tc->os = tag_os(t, &rel, DKO_OS_DEBIAN);
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->ca = true;
	tc->workdir = "/go";
	tc->path = "/go/bin:/usr/local/go/bin:" STD_PATH;
	tc->gopath = "/go";
	if (tc->os == DKO_OS_DEBIAN && rel)
		rt_set(&tc->runtime, strf("debian:%s-slim", rel), DKO_OS_DEBIAN, rel, false, 0);
	else if (tc->os == DKO_OS_ALPINE && rel)
		rt_set(&tc->runtime, strf("alpine:%s", rel), DKO_OS_ALPINE, rel, true, 0);
	else
		tc->why = "the golang tag names no Debian suite or Alpine version";
	const char *distroless = "gcr.io/distroless/static";
	if (rel && !strcmp(rel, "bullseye"))
		distroless = "gcr.io/distroless/static-debian11";
	else if (rel && !strcmp(rel, "bookworm"))
		distroless = "gcr.io/distroless/static-debian12";
	else if (rel && !strcmp(rel, "trixie"))
		distroless = "gcr.io/distroless/static-debian13";
	rt_set(&tc->static_rt, dko_xstrdup(distroless), DKO_OS_DISTROLESS, NULL, true, 0);
}

static void derive_rust(dko_toolchain *tc, const tagparts *t)
{
	const char *rel;
	tc->os = tag_os(t, &rel, DKO_OS_DEBIAN);
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->ca = true;
	tc->path = "/usr/local/cargo/bin:" STD_PATH;
	tc->gopath = "/usr/local/cargo";
	if (tc->os == DKO_OS_DEBIAN && rel)
		rt_set(&tc->runtime, strf("debian:%s-slim", rel), DKO_OS_DEBIAN, rel, false, 0);
	else if (tc->os == DKO_OS_ALPINE && rel)
		rt_set(&tc->runtime, strf("alpine:%s", rel), DKO_OS_ALPINE, rel, true, 0);
	else
		tc->why = "the rust tag names no Debian suite or Alpine version";
}

/* The Debian suite each gcc major version's image is built on, from the
 * official image's Dockerfiles (docker-library/gcc: FROM buildpack-deps:...). */
static const struct {
	int major;
	const char *suite;
} gcc_suites[] = {{12, "bookworm"}, {13, "bookworm"}, {14, "bookworm"}, {15, "bookworm"}};

static void derive_gcc(dko_toolchain *tc, const tagparts *t)
{
	tc->os = DKO_OS_DEBIAN;
	tc->ca = true;
	tc->path = STD_PATH;
	int major = t->n ? major_of(t->comp[0]) : -1;
	tc->major = major;
	for (size_t i = 0; i < sizeof(gcc_suites) / sizeof(gcc_suites[0]); i++) {
		if (gcc_suites[i].major == major) {
			tc->release = dko_xstrdup(gcc_suites[i].suite);
			rt_set(&tc->runtime, strf("debian:%s-slim", gcc_suites[i].suite), DKO_OS_DEBIAN,
			       gcc_suites[i].suite, false, 0);
			return;
		}
	}
	tc->why = major < 0 ? "the gcc tag names no version, so its Debian suite is unknown"
	                    : "the Debian suite of this gcc version's image is not in the table";
}

/* debian:<suite|N>[-slim], ubuntu:<version|codename>, buildpack-deps:<suite>[-curl|-scm]. */
static void derive_distro(dko_toolchain *tc, const tagparts *t)
{
	static const struct {
		const char *tag, *release;
	} numbers[] = {{"9", "stretch"}, {"10", "buster"}, {"11", "bullseye"}, {"12", "bookworm"},
	               {"13", "trixie"}, {"18.04", "bionic"}, {"20.04", "focal"}, {"22.04", "jammy"},
	               {"24.04", "noble"}};
	const char *rel;
	bool ubuntu = !strcmp(t->name, "ubuntu");
	tc->os = tag_os(t, &rel, ubuntu ? DKO_OS_UBUNTU : DKO_OS_DEBIAN);
	for (size_t i = 0; !rel && t->n && i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (!strcmp(t->comp[0], numbers[i].tag) || !strncmp(t->comp[0], numbers[i].tag, strlen(numbers[i].tag)))
			rel = numbers[i].release, tc->os = i < 5 ? DKO_OS_DEBIAN : DKO_OS_UBUNTU;
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->ca = !strcmp(t->name, "buildpack-deps");
	tc->path = STD_PATH;
	if (!rel || tc->os == DKO_OS_ALPINE)
		tc->why = "the tag names no Debian suite or Ubuntu release";
	else if (tc->os == DKO_OS_DEBIAN)
		rt_set(&tc->runtime, strf("debian:%s-slim", rel), DKO_OS_DEBIAN, rel, false, 0);
	else if (ubuntu)
		rt_set(&tc->runtime, strf("ubuntu:%s", t->tag), DKO_OS_UBUNTU, rel, false, 0);
	else
		rt_set(&tc->runtime, strf("ubuntu:%s", rel), DKO_OS_UBUNTU, rel, false, 0);
}

/* The JRE image of JDK major version v with the variant (alpine, jammy, ...). */
static void temurin_jre(dko_toolchain *tc, const char *version, const char *variant)
{
	static const char *const variants[] = {"alpine", "focal", "jammy", "noble"};
	bool ok = !variant;
	for (size_t i = 0; variant && i < sizeof(variants) / sizeof(variants[0]); i++)
		ok |= !strcmp(variant, variants[i]);
	tc->major = major_of(version);
	if (!ok) {
		tc->why = "no eclipse-temurin JRE is known for this JDK variant";
		return;
	}
	dko_os os = variant && !strcmp(variant, "alpine") ? DKO_OS_ALPINE : DKO_OS_UBUNTU;
	const char *rel = os == DKO_OS_UBUNTU ? variant : NULL;
	tc->os = os;
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	rt_set(&tc->runtime, variant ? strf("eclipse-temurin:%s-jre-%s", version, variant)
	                             : strf("eclipse-temurin:%s-jre", version),
	       os, rel, true, DKO_RT_JAVA);
}

static void derive_java(dko_toolchain *tc, const tagparts *t)
{
	tc->ca = true;
	tc->path = "/opt/java/openjdk/bin:" STD_PATH;
	tc->same_entrypoint = tc->kind != DKO_TC_MAVEN;
	if (windows_tag(t)) {
		tc->why = "a Windows image";
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *c = t->comp[i];
		if (tc->kind == DKO_TC_MAVEN && !strcmp(c, "eclipse") && i + 2 < t->n &&
		    !strcmp(t->comp[i + 1], "temurin") && is_version(t->comp[i + 2])) {
			temurin_jre(tc, t->comp[i + 2], i + 3 < t->n ? t->comp[i + 3] : NULL);
			return;
		}
		if (tc->kind == DKO_TC_GRADLE && !strncmp(c, "jdk", 3) && is_version(c + 3)) {
			temurin_jre(tc, c + 3, i + 1 < t->n ? t->comp[i + 1] : NULL);
			return;
		}
	}
	if (tc->kind == DKO_TC_JDK && t->n && is_version(t->comp[0])) {
		size_t v = 1;
		if (v < t->n && !strcmp(t->comp[v], "jdk"))
			v++;
		temurin_jre(tc, t->comp[0], v < t->n ? t->comp[v] : NULL);
		return;
	}
	tc->why = "the tag names no eclipse-temurin JDK version";
}

static void derive_node(dko_toolchain *tc, const tagparts *t)
{
	const char *rel;
	tc->os = tag_os(t, &rel, DKO_OS_DEBIAN);
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->ca = true;
	tc->path = STD_PATH;
	tc->major = t->n ? major_of(t->comp[0]) : -1;
	const char *tag = t->tag;
	char *rt;
	if (tc->os == DKO_OS_ALPINE || has_comp(t, "slim") || !strcmp(tag, "slim"))
		rt = strf("node:%s", tag); /* already the small variant */
	else if (!*tag || !strcmp(tag, "latest"))
		rt = dko_xstrdup("node:slim");
	else
		rt = strf("node:%s-slim", tag);
	rt_set(&tc->runtime, rt, tc->os, rel, tc->os == DKO_OS_ALPINE, DKO_RT_NODE);
}

static void derive_dotnet(dko_toolchain *tc, const tagparts *t)
{
	const char *rel;
	tc->os = tag_os(t, &rel, DKO_OS_DEBIAN);
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->ca = true;
	tc->path = STD_PATH;
	if (windows_tag(t) || has_comp(t, "cbl") || has_comp(t, "azurelinux3.0")) {
		tc->why = "no ASP.NET runtime image is known for this SDK variant";
		return;
	}
	if (!t->n || !is_version(t->comp[0])) {
		tc->why = "the .NET SDK tag names no version";
		return;
	}
	/* SDK versions are major.minor.feature (8.0.100); runtimes are tagged major.minor. */
	int major = 0, minor = 0;
	if (sscanf(t->comp[0], "%d.%d", &major, &minor) != 2) {
		tc->why = "the .NET SDK tag names no major.minor version";
		return;
	}
	tc->major = major;
	const char *rest = strchr(t->tag, '-');
	rt_set(&tc->runtime, strf("mcr.microsoft.com/dotnet/aspnet:%d.%d%s", major, minor, rest ? rest : ""),
	       tc->os, rel, true, DKO_RT_DOTNET);
}

typedef struct family {
	const char *pattern; /* PCRE2 on the normalised image */
	dko_tc_kind kind;
	const char *name;
	void (*derive)(dko_toolchain *tc, const tagparts *t);
} family;

static const family families[] = {
	{"^golang(:|$)", DKO_TC_GO, "golang", derive_go},
	{"^rust(:|$)", DKO_TC_RUST, "rust", derive_rust},
	{"^gcc(:|$)", DKO_TC_GCC, "gcc", derive_gcc},
	{"^(debian|ubuntu|buildpack-deps)(:|$)", DKO_TC_DISTRO, "debian", derive_distro},
	{"^maven(:|$)", DKO_TC_MAVEN, "maven", derive_java},
	{"^gradle(:|$)", DKO_TC_GRADLE, "gradle", derive_java},
	{"^eclipse-temurin(:(?!.*jre)|$)", DKO_TC_JDK, "eclipse-temurin", derive_java},
	{"^node(:|$)", DKO_TC_NODE, "node", derive_node},
	{"^mcr\\.microsoft\\.com/dotnet/sdk(:|$)", DKO_TC_DOTNET, ".NET SDK", derive_dotnet},
};

static bool pattern_matches(const char *pattern, const char *s)
{
	dko_regex *re;
	if (dko_regex_compile(&re, pattern, "toolchains") != 0)
		return false;
	bool m = dko_regex_match(re, s, strlen(s));
	dko_regex_free(re);
	return m;
}

/* A config entry: the runtime is given ({tag} takes the builder's tag). */
static void derive_custom(dko_toolchain *tc, const tagparts *t, const char *runtime)
{
	dko_buf b = DKO_BUF_INIT;
	for (const char *p = runtime; *p; p++) {
		if (!strncmp(p, "{tag}", 5)) {
			dko_buf_puts(&b, t->tag);
			p += 4;
		} else {
			dko_buf_putc(&b, *p);
		}
	}
	char *image = dko_buf_detach(&b, NULL);
	dko_runtime_guess(&tc->runtime, image);
	free(image);
	const char *rel;
	tc->os = tag_os(t, &rel, DKO_OS_UNKNOWN);
	tc->release = rel ? dko_xstrdup(rel) : NULL;
	tc->path = STD_PATH;
	tc->same_entrypoint = false; /* unknown: only a file declaring ENTRYPOINT is safe */
}

int dko_toolchain_match(dko_toolchain *out, const char *image, const dko_config *cfg)
{
	memset(out, 0, sizeof(*out));
	out->major = -1;
	out->same_entrypoint = true;
	char *norm = dko_image_normalize(image);
	tagparts t;
	tag_split(&t, norm);
	const dko_config_toolchain *ct = NULL;
	size_t nct = 0;
	if (cfg)
		dko_config_toolchains(cfg, &ct, &nct);
	int rc = DKO_ENOTFOUND;
	for (size_t i = 0; i < nct && rc; i++) {
		if (pattern_matches(ct[i].pattern, norm) || pattern_matches(ct[i].pattern, image)) {
			out->kind = DKO_TC_CUSTOM;
			out->family = ct[i].pattern;
			derive_custom(out, &t, ct[i].runtime);
			rc = 0;
		}
	}
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && rc; i++) {
		if (pattern_matches(families[i].pattern, norm)) {
			out->kind = families[i].kind;
			out->family = families[i].name;
			families[i].derive(out, &t);
			rc = 0;
		}
	}
	if (rc == 0)
		out->image = norm;
	else
		free(norm);
	free(t.buf);
	return rc;
}

void dko_toolchain_release(dko_toolchain *t)
{
	free(t->image);
	free(t->release);
	dko_runtime_release(&t->runtime);
	dko_runtime_release(&t->static_rt);
	memset(t, 0, sizeof(*t));
}

/* ---- package facts ---------------------------------------------------------------------- */

/* "a|b|c" contains w. */
static bool in_list(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !memcmp(p, w, n))
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
}

static bool apt_os(dko_os os)
{
	return os == DKO_OS_DEBIAN || os == DKO_OS_UBUNTU;
}

/* Alpine release a.b at least 3.minor (NULL: the latest, which is). */
static bool alpine_at_least(const char *release, int minor)
{
	int a = 0, b = 0;
	if (!release || sscanf(release, "%d.%d", &a, &b) != 2)
		return true;
	return a > 3 || (a == 3 && b >= minor);
}

/* The runtime library of a -dev package. Rows are tried in order: a row
 * naming releases applies to those only ("" = any release). */
typedef struct dev_row {
	const char *devs;     /* "a|b" */
	unsigned os;          /* bit per dko_os */
	const char *releases; /* "bookworm|jammy", "" any */
	const char *runtime;
} dev_row;

#define DEB (1u << DKO_OS_DEBIAN)
#define UBU (1u << DKO_OS_UBUNTU)
#define APT (DEB | UBU)
#define APK (1u << DKO_OS_ALPINE)

/* Debian and Ubuntu package names, per release where they differ (the t64
 * renames of trixie and noble, the soname bumps). */
static const dev_row dev_rows[] = {
	{"libc6-dev|libc-dev|linux-libc-dev|libstdc++-dev|libgcc-dev", APT, "", ""},
	{"libssl-dev", APT, "buster|bullseye|focal", "libssl1.1"},
	{"libssl-dev", APT, "bookworm|jammy", "libssl3"},
	{"libssl-dev", APT, "trixie|noble", "libssl3t64"},
	{"libpq-dev", APT, "", "libpq5"},
	{"libsqlite3-dev", APT, "", "libsqlite3-0"},
	{"zlib1g-dev", APT, "", "zlib1g"},
	{"libcurl4-openssl-dev|libcurl-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libcurl4"},
	{"libcurl4-openssl-dev|libcurl-dev", APT, "trixie|noble", "libcurl4t64"},
	{"libcurl4-gnutls-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libcurl3-gnutls"},
	{"libxml2-dev", APT, "buster|bullseye|bookworm|focal|jammy|noble", "libxml2"},
	{"libyaml-dev", APT, "", "libyaml-0-2"},
	{"libffi-dev", APT, "buster", "libffi6"},
	{"libffi-dev", APT, "bullseye|focal", "libffi7"},
	{"libffi-dev", APT, "bookworm|trixie|jammy|noble", "libffi8"},
	{"libpcre2-dev", APT, "", "libpcre2-8-0"},
	{"libpcre3-dev", APT, "", "libpcre3"},
	{"libgmp-dev", APT, "", "libgmp10"},
	{"libzstd-dev", APT, "", "libzstd1"},
	{"liblz4-dev", APT, "", "liblz4-1"},
	{"libbz2-dev", APT, "", "libbz2-1.0"},
	{"liblzma-dev", APT, "", "liblzma5"},
	{"libsodium-dev", APT, "", "libsodium23"},
	{"libpng-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libpng16-16"},
	{"libpng-dev", APT, "trixie|noble", "libpng16-16t64"},
	{"libjpeg-dev|libjpeg62-turbo-dev", DEB, "", "libjpeg62-turbo"},
	{"libjpeg-dev|libjpeg-turbo8-dev", UBU, "", "libjpeg-turbo8"},
	{"libmariadb-dev|libmariadb-dev-compat|default-libmysqlclient-dev", DEB, "", "libmariadb3"},
	{"libuv1-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libuv1"},
	{"libuv1-dev", APT, "trixie|noble", "libuv1t64"},
	{"libevent-dev", APT, "bullseye|bookworm|focal|jammy", "libevent-2.1-7"},
	{"libevent-dev", APT, "trixie|noble", "libevent-2.1-7t64"},
	{"libreadline-dev", APT, "bullseye|bookworm|focal|jammy", "libreadline8"},
	{"libreadline-dev", APT, "trixie|noble", "libreadline8t64"},
	{"libncurses-dev|libncurses5-dev|libncursesw5-dev", APT, "bullseye|bookworm|focal|jammy|noble", "libncursesw6"},
	{"libicu-dev", APT, "buster", "libicu63"},
	{"libicu-dev", APT, "bullseye", "libicu67"},
	{"libicu-dev", APT, "bookworm", "libicu72"},
	{"libicu-dev", APT, "focal", "libicu66"},
	{"libicu-dev", APT, "jammy", "libicu70"},
	{"libicu-dev", APT, "noble", "libicu74"},
	{"libcap-dev", APT, "", "libcap2"},
	{"libseccomp-dev", APT, "", "libseccomp2"},
	{"libgit2-dev", APT, "bookworm", "libgit2-1.5"},
	{"libgit2-dev", APT, "bullseye", "libgit2-1.1"},
	{"libssh2-1-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libssh2-1"},
	{"libsystemd-dev", APT, "", "libsystemd0"},
	{"libudev-dev", APT, "", "libudev1"},
	{"libexpat1-dev", APT, "", "libexpat1"},
	{"libmagic-dev", APT, "buster|bullseye|bookworm|focal|jammy", "libmagic1"},
	/* Alpine: the library package is mostly, not always, the name without -dev. */
	{"musl-dev|linux-headers|libc-dev", APK, "", ""},
	{"zlib-dev", APK, "", "zlib"},
	{"libpq-dev|postgresql-dev", APK, "", "libpq"},
	{"sqlite-dev", APK, "", "sqlite-libs"},
	{"curl-dev", APK, "", "libcurl"},
	{"libffi-dev", APK, "", "libffi"},
	{"yaml-dev", APK, "", "yaml"},
	{"pcre2-dev", APK, "", "pcre2"},
	{"libxml2-dev", APK, "", "libxml2"},
	{"zstd-dev", APK, "", "zstd-libs"},
	{"lz4-dev", APK, "", "lz4-libs"},
	{"bzip2-dev", APK, "", "libbz2"},
	{"xz-dev", APK, "", "xz-libs"},
	{"libsodium-dev", APK, "", "libsodium"},
	{"gmp-dev", APK, "", "gmp"},
	{"libpng-dev", APK, "", "libpng"},
	{"libjpeg-turbo-dev", APK, "", "libjpeg-turbo"},
	{"libuv-dev", APK, "", "libuv"},
	{"libevent-dev", APK, "", "libevent"},
	{"readline-dev", APK, "", "readline"},
	{"ncurses-dev", APK, "", "ncurses-libs"},
	{"icu-dev", APK, "", "icu-libs"},
	{"libseccomp-dev", APK, "", "libseccomp"},
	{"mariadb-dev|mariadb-connector-c-dev", APK, "", "mariadb-connector-c"},
};

const char *dko_tc_dev_runtime(const char *dev_pkg, dko_os os, const char *release)
{
	char name[128];
	size_t n = strcspn(dev_pkg, "=:");
	if (n >= sizeof(name))
		return NULL;
	memcpy(name, dev_pkg, n); /* drop a version pin or an architecture */
	name[n] = '\0';
	if (os == DKO_OS_ALPINE && !strcmp(name, "openssl-dev"))
		return alpine_at_least(release, 17) ? "libssl3" : "libssl1.1";
	for (size_t i = 0; i < sizeof(dev_rows) / sizeof(dev_rows[0]); i++) {
		const dev_row *r = &dev_rows[i];
		if (!(r->os & (1u << os)) || !in_list(r->devs, name))
			continue;
		if (!*r->releases || (release && in_list(r->releases, release)))
			return r->runtime;
	}
	/* Versioned headers of the compiler's own libraries are part of the toolchain. */
	if (apt_os(os) && (!strncmp(name, "libstdc++-", 10) || !strncmp(name, "libgcc-", 7)))
		return "";
	return NULL;
}

/* A linker flag's library -> the -dev package (apt name | apk name). */
static const struct {
	const char *libs, *apt, *apk;
} link_rows[] = {
	{"c|m|pthread|dl|rt|util|resolv|crypt|anl", "", ""},
	{"stdc++|gcc_s", "", NULL}, /* libstdc++6 and libgcc-s1 come with apt itself */
	{"ssl|crypto", "libssl-dev", "openssl-dev"},
	{"z", "zlib1g-dev", "zlib-dev"},
	{"pq", "libpq-dev", "libpq-dev"},
	{"sqlite3", "libsqlite3-dev", "sqlite-dev"},
	{"curl", "libcurl4-openssl-dev", "curl-dev"},
	{"ffi", "libffi-dev", "libffi-dev"},
	{"yaml", "libyaml-dev", "yaml-dev"},
	{"pcre2-8", "libpcre2-dev", "pcre2-dev"},
	{"xml2", "libxml2-dev", "libxml2-dev"},
	{"zstd", "libzstd-dev", "zstd-dev"},
	{"lz4", "liblz4-dev", "lz4-dev"},
	{"bz2", "libbz2-dev", "bzip2-dev"},
	{"lzma", "liblzma-dev", "xz-dev"},
	{"sodium", "libsodium-dev", "libsodium-dev"},
	{"gmp", "libgmp-dev", "gmp-dev"},
	{"png|png16", "libpng-dev", "libpng-dev"},
	{"jpeg", "libjpeg-dev", "libjpeg-turbo-dev"},
	{"uv", "libuv1-dev", "libuv-dev"},
	{"event", "libevent-dev", "libevent-dev"},
	{"readline", "libreadline-dev", "readline-dev"},
	{"ncurses|ncursesw|tinfo", "libncurses-dev", "ncurses-dev"},
	{"cap", "libcap-dev", NULL},
	{"seccomp", "libseccomp-dev", "libseccomp-dev"},
	{"systemd", "libsystemd-dev", NULL},
	{"udev", "libudev-dev", NULL},
	{"expat", "libexpat1-dev", NULL},
	{"magic", "libmagic-dev", NULL},
	{"mariadb|mysqlclient", "libmariadb-dev", "mariadb-dev"},
};

const char *dko_tc_link_dev(const char *lib, dko_os os)
{
	for (size_t i = 0; i < sizeof(link_rows) / sizeof(link_rows[0]); i++)
		if (in_list(link_rows[i].libs, lib))
			return os == DKO_OS_ALPINE ? link_rows[i].apk : apt_os(os) ? link_rows[i].apt : NULL;
	return NULL;
}

/* Rust *-sys crates: the -dev package whose library they link when it is
 * installed ("" for crates that build their C library themselves unless a
 * system one is installed, in which case the -dev package brings its own
 * runtime row, and for pure-Rust or other-OS bindings). */
static const struct {
	const char *crates, *apt, *apk;
} crate_rows[] = {
	{"openssl-sys", "libssl-dev", "openssl-dev"},
	{"pq-sys", "libpq-dev", "libpq-dev"},
	{"libsqlite3-sys", "libsqlite3-dev", "sqlite-dev"},
	{"curl-sys", "libcurl4-openssl-dev", "curl-dev"},
	{"libz-sys", "zlib1g-dev", "zlib-dev"},
	{"lzma-sys", "liblzma-dev", "xz-dev"},
	{"bzip2-sys", "libbz2-dev", "bzip2-dev"},
	{"mysqlclient-sys", "libmariadb-dev", "mariadb-dev"},
	{"libsodium-sys", "libsodium-dev", "libsodium-dev"},
	{"libudev-sys", "libudev-dev", NULL},
	{"zstd-sys|libgit2-sys|libssh2-sys|libnghttp2-sys|librocksdb-sys|lmdb-sys|onig_sys|"
	 "tikv-jemalloc-sys|jemalloc-sys|libmimalloc-sys|mimalloc-sys|brotli-sys|linux-raw-sys|"
	 "windows-sys|js-sys|web-sys|core-foundation-sys|security-framework-sys|"
	 "system-configuration-sys|ittapi-sys|wasi|psm|stacker",
	 "", ""},
};

const char *dko_tc_crate_dev(const char *crate, dko_os os)
{
	for (size_t i = 0; i < sizeof(crate_rows) / sizeof(crate_rows[0]); i++)
		if (in_list(crate_rows[i].crates, crate))
			return os == DKO_OS_ALPINE ? crate_rows[i].apk : apt_os(os) ? crate_rows[i].apt : NULL;
	return NULL;
}

static const char build_only[] =
	"build-essential|gcc|g++|cpp|clang|lld|llvm|make|cmake|ninja-build|ninja|meson|autoconf|"
	"automake|libtool|libtool-bin|pkg-config|pkgconf|pkgconfig|git|git-core|mercurial|"
	"subversion|bzr|curl|wget|unzip|xz-utils|xz|bzip2|patch|file|binutils|bison|flex|gettext|"
	"texinfo|golang|golang-go|go|rustc|cargo|rust|maven|gradle|default-jdk|"
	"default-jdk-headless|npm|python3|python3-pip|python3-setuptools|python-is-python3|"
	"python3-venv|musl-tools|upx|upx-ucl|protobuf-compiler|protoc|protobuf-dev|gnupg|gnupg2|"
	"dirmngr|openssh-client|build-base|alpine-sdk|linux-headers|musl-dev|libc6-dev|libc-dev|"
	"dpkg-dev|ccache|gdb|devscripts|debhelper|fakeroot|swig|nasm|yasm|tcc|apt-transport-https|"
	"software-properties-common|lsb-release";

static bool versioned(const char *pkg, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(pkg, prefix, n) && isdigit((unsigned char)pkg[n]);
}

bool dko_tc_compiler_pkg(const char *pkg)
{
	return in_list("build-essential|gcc|g++|clang|build-base|alpine-sdk|tcc|musl-tools", pkg) ||
	       versioned(pkg, "gcc-") || versioned(pkg, "g++-") || versioned(pkg, "clang-");
}

bool dko_tc_build_only_pkg(const char *pkg)
{
	char name[128];
	size_t n = strcspn(pkg, "=:");
	if (n >= sizeof(name))
		return false;
	memcpy(name, pkg, n);
	name[n] = '\0';
	return in_list(build_only, name) || dko_tc_compiler_pkg(name) || versioned(name, "llvm-") ||
	       versioned(name, "lld-") || (versioned(name, "openjdk-") && strstr(name, "-jdk"));
}

static const struct {
	const char *cmds, *apt, *apk;
} tool_rows[] = {
	{"curl", "curl", "curl"},
	{"wget", "wget", NULL /* busybox has one */},
	{"bash", "bash", "bash"},
	{"nc|netcat", "netcat-openbsd", NULL},
	{"ps|pgrep|pkill|top|free|pidof", "procps", NULL},
	{"ping", "iputils-ping", NULL},
	{"ip|ss", "iproute2", NULL},
	{"pg_isready|psql|pg_dump", "postgresql-client", "postgresql-client"},
	{"redis-cli", "redis-tools", "redis"},
	{"jq", "jq", "jq"},
	{"git", "git", "git"},
	{"openssl", "openssl", "openssl"},
	{"tini", "tini", "tini"},
	{"dumb-init", "dumb-init", "dumb-init"},
	{"gosu", "gosu", NULL},
	{"su-exec", NULL, "su-exec"},
	{"envsubst", "gettext-base", "gettext"},
	{"unzip", "unzip", NULL},
	{"zip", "zip", "zip"},
	{"xz", "xz-utils", NULL},
	{"bzip2", "bzip2", NULL},
	{"rsync", "rsync", "rsync"},
	{"ssh|scp", "openssh-client", "openssh-client"},
	{"sqlite3", "sqlite3", "sqlite"},
	{"file", "file", "file"},
	{"python3", "python3", "python3"},
};

const char *dko_tc_tool_pkg(const char *cmd, dko_os os)
{
	for (size_t i = 0; i < sizeof(tool_rows) / sizeof(tool_rows[0]); i++)
		if (in_list(tool_rows[i].cmds, cmd))
			return os == DKO_OS_ALPINE ? tool_rows[i].apk : apt_os(os) ? tool_rows[i].apt : NULL;
	return NULL;
}

/* Commands of a minimal Debian/Ubuntu image (coreutils, bash, dash, grep,
 * sed, mawk, findutils, gzip, tar, hostname, util-linux, login, passwd,
 * debianutils, perl-base, diffutils, apt, dpkg). */
static const char apt_cmds[] =
	"sh|bash|dash|cat|echo|ls|test|[|env|sleep|true|false|mkdir|rm|rmdir|cp|mv|ln|chmod|chown|"
	"chgrp|touch|date|id|whoami|basename|dirname|head|tail|sort|uniq|wc|tr|cut|tee|printf|nohup|"
	"timeout|grep|egrep|fgrep|sed|awk|mawk|find|xargs|gzip|gunzip|zcat|tar|hostname|su|mount|"
	"umount|stat|readlink|realpath|nproc|uname|expr|seq|yes|pwd|which|df|du|dd|sync|mktemp|"
	"mkfifo|install|tac|nl|od|paste|split|sha256sum|sha1sum|md5sum|base64|perl|diff|cmp|useradd|"
	"groupadd|usermod|userdel|groupdel|chpasswd|passwd|runuser|setpriv|getent|ldd|ldconfig|apt|"
	"apt-get|dpkg|flock|logger|more|nice|chroot|kill|tput|clear|run-parts|adduser|addgroup|deluser";
/* Commands of Alpine's busybox (and apk). */
static const char apk_cmds[] =
	"sh|ash|cat|echo|ls|test|[|env|sleep|true|false|mkdir|rm|rmdir|cp|mv|ln|chmod|chown|chgrp|"
	"touch|date|id|whoami|basename|dirname|head|tail|sort|uniq|wc|tr|cut|tee|printf|nohup|"
	"timeout|grep|egrep|fgrep|sed|awk|find|xargs|gzip|gunzip|zcat|tar|hostname|su|mount|umount|"
	"stat|readlink|realpath|nproc|uname|expr|seq|yes|pwd|which|df|du|dd|sync|mktemp|mkfifo|"
	"install|tac|nl|od|paste|split|sha256sum|sha1sum|md5sum|base64|diff|cmp|adduser|addgroup|"
	"deluser|delgroup|passwd|getent|ldd|ldconfig|apk|wget|nc|ping|ps|top|kill|pkill|pgrep|free|"
	"ip|netstat|vi|less|more|logger|flock|nice|chroot";

bool dko_tc_builtin(const char *cmd)
{
	return in_list("cd|exec|export|set|unset|exit|return|trap|wait|shift|read|.|source|eval|test|"
	               "[|echo|printf|true|false|:|command|type|ulimit|umask|kill|alias|local|"
	               "readonly|let",
	               cmd);
}

bool dko_tc_runtime_has(const dko_runtime *rt, const char *cmd)
{
	const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	if ((rt->provides & DKO_RT_NODE) && in_list("node|npm|npx|yarn|corepack|docker-entrypoint.sh", base))
		return true;
	if ((rt->provides & DKO_RT_JAVA) && in_list("java|keytool", base))
		return true;
	if ((rt->provides & DKO_RT_DOTNET) && !strcmp(base, "dotnet"))
		return true;
	if (!rt->shell || !rt->known)
		return false;
	if (apt_os(rt->os))
		return in_list(apt_cmds, base);
	if (rt->os == DKO_OS_ALPINE)
		return in_list(apk_cmds, base);
	return false;
}

bool dko_tc_runtime_has_user(const dko_runtime *rt, const char *name)
{
	if (!strcmp(name, "root") || !strcmp(name, "nobody"))
		return true;
	if ((rt->provides & DKO_RT_NODE) && !strcmp(name, "node"))
		return true;
	if (rt->os == DKO_OS_DISTROLESS)
		return !strcmp(name, "nonroot");
	if (apt_os(rt->os))
		return in_list("daemon|bin|sys|sync|games|man|lp|mail|news|uucp|proxy|www-data|backup|"
		               "list|irc|nogroup|adm|tty|disk|kmem|dialout|cdrom|floppy|tape|sudo|audio|"
		               "dip|operator|src|shadow|utmp|video|sasl|plugdev|staff|users",
		               name);
	if (rt->os == DKO_OS_ALPINE)
		return in_list("bin|daemon|adm|lp|sync|shutdown|halt|mail|news|uucp|operator|man|"
		               "postmaster|cron|ftp|sshd|at|squid|xfs|games|cyrus|vpopmail|ntp|smmsp|"
		               "guest|nogroup|www-data|users|wheel",
		               name);
	return false;
}
