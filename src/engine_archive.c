/*
 * engine_archive.c - measuring an image exported as a docker-archive tar
 * (see engine.h for what the figures mean).
 *
 * The tar is indexed once (ustar, GNU long names, pax path/linkpath/size
 * records, base-256 sizes), manifest.json names the layers, and each layer
 * member is streamed from the archive to `gzip` (no extraction): `gzip -6 -n
 * -c` for the compressed size of a plain tar, `gzip -dc` for the
 * uncompressed size of a layer that is already gzip'd. Layer paths are
 * resolved through the archive's own symlinks and hard links (`docker save`
 * writes <id>/layer.tar as links to blobs/sha256/<digest>), never through the
 * file system. A layer whose resolved name holds a sha256 digest is content-
 * addressed: its figures are cached by digest and size.
 */
#include "engine.h"
#include "dockopt/common.h"
#include "json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 512
#define MAX_META ((uint64_t)1 << 24) /* manifest.json, long names, pax headers */

typedef struct member {
	char *name, *link;
	char type; /* '0' file, '1' hard link, '2' symlink, '5' folder, ... */
	uint64_t off, size;
} member;

typedef DKO_VEC(member) members;

/* Long name / pax overrides for the next member. */
typedef struct pending {
	char *name, *link;
	uint64_t size;
	bool has_size;
} pending;

typedef struct cached {
	char *key; /* digest:size */
	uint64_t uncompressed;
	int64_t compressed; /* -1: could not be measured */
} cached;

struct dko_layer_cache {
	DKO_VEC(cached) v;
};

dko_layer_cache *dko_layer_cache_new(void)
{
	return dko_xcalloc(1, sizeof(dko_layer_cache));
}

void dko_layer_cache_free(dko_layer_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->v.len; i++)
		free(c->v.items[i].key);
	DKO_VEC_FREE(&c->v);
	free(c);
}

/* "<64 hex digits>:<size>" when the member's name holds a digest, else NULL. */
static char *cache_key(const char *name, uint64_t size)
{
	for (const char *p = name; *p; p++) {
		size_t n = strspn(p, "0123456789abcdef");
		if (n == 64) {
			dko_buf b = DKO_BUF_INIT;
			dko_buf_printf(&b, "%.64s:%llu", p, (unsigned long long)size);
			return dko_buf_detach(&b, NULL);
		}
		p += n ? n - 1 : 0;
	}
	return NULL;
}

static const cached *cache_find(const dko_layer_cache *c, const char *key)
{
	for (size_t i = 0; c && key && i < c->v.len; i++)
		if (!strcmp(c->v.items[i].key, key))
			return &c->v.items[i];
	return NULL;
}

static void members_free(members *m)
{
	for (size_t i = 0; i < m->len; i++) {
		free(m->items[i].name);
		free(m->items[i].link);
	}
	DKO_VEC_FREE(m);
}

static uint64_t tar_number(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	if (p[0] & 0x80) { /* base-256, big-endian, for sizes >= 8 GiB */
		for (size_t i = 1; i < n; i++)
			v = (v << 8) | p[i];
		return v;
	}
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\0'))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');
	return v;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == tar_number(h + 148, 8);
}

/* "./a//b/../c/" -> "a/c": the form manifest.json uses. ".." never climbs
 * above the archive's root. */
static char *clean_path(const char *s, size_t n)
{
	dko_buf b = DKO_BUF_INIT;
	dko_buf_puts(&b, "");
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 2 && s[i] == '.' && s[i + 1] == '.') {
			char *slash = strrchr(b.ptr, '/');
			b.len = slash ? (size_t)(slash - b.ptr) : 0;
			b.ptr[b.len] = '\0';
		} else if (len && !(len == 1 && s[i] == '.')) {
			if (b.len)
				dko_buf_putc(&b, '/');
			dko_buf_put(&b, s + i, len);
		}
		i = j + 1;
	}
	return dko_buf_detach(&b, NULL);
}

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static char *read_meta(int fd, uint64_t off, uint64_t size)
{
	if (size > MAX_META)
		return NULL;
	char *s = dko_xmalloc((size_t)size + 1);
	if (read_exact(fd, s, (size_t)size, off)) {
		free(s);
		return NULL;
	}
	s[size] = '\0';
	return s;
}

/* pax extended header records: "LEN key=value\n". */
static void parse_pax(pending *p, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		char *end;
		unsigned long len = strtoul(s + i, &end, 10);
		if (len == 0 || i + len > n || *end != ' ')
			return;
		const char *kv = end + 1, *stop = s + i + len - 1; /* stop at the '\n' */
		const char *eq = memchr(kv, '=', (size_t)(stop - kv));
		if (eq && eq - kv == 4 && !memcmp(kv, "path", 4)) {
			free(p->name);
			p->name = dko_xstrndup(eq + 1, (size_t)(stop - eq - 1));
		} else if (eq && eq - kv == 8 && !memcmp(kv, "linkpath", 8)) {
			free(p->link);
			p->link = dko_xstrndup(eq + 1, (size_t)(stop - eq - 1));
		} else if (eq && eq - kv == 4 && !memcmp(kv, "size", 4)) {
			p->size = strtoull(eq + 1, NULL, 10);
			p->has_size = true;
		}
		i += len;
	}
}

/* Header h at off: a meta entry feeding p, or a member. Returns the size of
 * its data, or -1 on a malformed meta entry. */
static int64_t take_header(members *m, pending *p, int fd, const unsigned char *h, uint64_t off)
{
	char type = (char)h[156];
	uint64_t size = p->has_size ? p->size : tar_number(h + 124, 12);
	if (type == 'L' || type == 'K' || type == 'x') {
		char *s = read_meta(fd, off + BLOCK, size);
		if (!s)
			return -1;
		if (type == 'x') {
			parse_pax(p, s, (size_t)size);
			free(s);
		} else {
			char **dst = type == 'L' ? &p->name : &p->link;
			free(*dst);
			*dst = s;
		}
		return (int64_t)size;
	}
	if (type == 'g')
		return (int64_t)size;
	dko_buf name = DKO_BUF_INIT;
	/* POSIX ustar's name prefix; old GNU headers keep times there. */
	if (!memcmp(h + 257, "ustar\0", 6) && h[345]) {
		dko_buf_put(&name, h + 345, strnlen((const char *)h + 345, 155));
		dko_buf_putc(&name, '/');
	}
	dko_buf_put(&name, h, strnlen((const char *)h, 100));
	const char *nm = p->name ? p->name : name.ptr;
	member e = {clean_path(nm, strlen(nm)), NULL, type ? type : '0', off + BLOCK, size};
	e.link = p->link ? dko_xstrdup(p->link) : dko_xstrndup((const char *)h + 157,
	                                                        strnlen((const char *)h + 157, 100));
	DKO_VEC_PUSH(m, e);
	dko_buf_release(&name);
	free(p->name);
	free(p->link);
	memset(p, 0, sizeof(*p));
	return (int64_t)size;
}

static int tar_index(members *m, int fd, const char *path)
{
	unsigned char h[BLOCK];
	pending p = {0};
	uint64_t off = 0;
	int err = 0;
	for (;;) {
		if (read_exact(fd, h, BLOCK, off))
			break; /* end of file without the zero blocks: accept */
		bool zero = true;
		for (size_t i = 0; i < BLOCK && zero; i++)
			zero = h[i] == 0;
		if (zero)
			break;
		int64_t size = checksum_ok(h) ? take_header(m, &p, fd, h, off) : -1;
		if (size < 0) {
			err = dko_error_set(DKO_EPARSE, "%s: not a tar archive (bad header at byte %llu)",
			                    path, (unsigned long long)off);
			break;
		}
		off += BLOCK + (((uint64_t)size + BLOCK - 1) / BLOCK) * BLOCK;
	}
	free(p.name);
	free(p.link);
	return err;
}

static const member *find(const members *m, const char *name)
{
	/* The last entry of a name wins, as when extracting. */
	for (size_t i = m->len; i-- > 0;)
		if (!strcmp(m->items[i].name, name))
			return &m->items[i];
	return NULL;
}

/* Follow links inside the archive to the member holding the data. */
static const member *resolve(const members *m, const char *name)
{
	char *cur = clean_path(name, strlen(name));
	const member *e = NULL;
	for (int hops = 0; hops < 16; hops++) {
		e = find(m, cur);
		if (!e || (e->type != '1' && e->type != '2'))
			break;
		dko_buf t = DKO_BUF_INIT;
		const char *slash = strrchr(e->name, '/');
		/* A symlink is relative to its folder, a hard link to the root. */
		if (e->type == '2' && e->link[0] != '/' && slash)
			dko_buf_printf(&t, "%.*s/", (int)(slash - e->name), e->name);
		dko_buf_puts(&t, e->link);
		free(cur);
		cur = clean_path(t.ptr, t.len);
		dko_buf_release(&t);
		e = NULL;
	}
	free(cur);
	return e && e->type != '5' ? e : NULL;
}

/* Bytes that argv (a filter: gzip) writes when fed the member's data; -1
 * when it is not installed or fails. */
static int64_t filtered_size(int fd, const member *e, const char *const *argv)
{
	dko_proc_opts o = {0};
	o.in_fd = fd;
	o.in_off = e->off;
	o.in_len = e->size;
	o.count_stdout = true;
	o.keep_max = 4096;
	dko_proc_result r;
	int err = dko_proc_run(&r, argv, &o);
	int64_t n = !err && r.exit_code == 0 ? (int64_t)r.out_total : -1;
	dko_proc_result_release(&r);
	return n;
}

/* One layer's figures: uncompressed bytes and compressed bytes (-1 when
 * gzip is unusable). */
static void measure_member(uint64_t *unc, int64_t *comp, int fd, const member *e)
{
	static const char *const gz[] = {"gzip", "-6", "-n", "-c", NULL};
	static const char *const gunzip[] = {"gzip", "-d", "-c", NULL};
	static const char *const unzstd[] = {"zstd", "-d", "-c", "-q", NULL};
	unsigned char magic[4] = {0};
	if (e->size >= 4)
		read_exact(fd, magic, 4, e->off);
	bool gzipped = magic[0] == 0x1f && magic[1] == 0x8b;
	bool zstd = magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
	if (gzipped || zstd) {
		/* Exported compressed (containerd image store): that is the
		 * compressed figure; a layer that cannot be expanded counts as is. */
		*comp = (int64_t)e->size;
		int64_t n = filtered_size(fd, e, gzipped ? gunzip : unzstd);
		*unc = n >= 0 ? (uint64_t)n : e->size;
	} else {
		*unc = e->size;
		*comp = filtered_size(fd, e, gz);
	}
}

static void measure_layer(dko_image_size *out, int64_t *comp, bool *comp_ok, int fd,
                          const member *e, dko_layer_cache *cache)
{
	char *key = cache ? cache_key(e->name, e->size) : NULL;
	const cached *hit = cache_find(cache, key);
	cached c = {key, 0, -1};
	if (hit)
		c = *hit;
	else
		measure_member(&c.uncompressed, &c.compressed, fd, e);
	if (key && !hit)
		DKO_VEC_PUSH(&cache->v, c);
	else
		free(key);
	out->uncompressed += c.uncompressed;
	if (c.compressed < 0)
		*comp_ok = false;
	else
		*comp += c.compressed;
	out->layers++;
}

static int read_manifest(dko_json_doc **doc, const dko_json **layers, const members *m,
                         int fd, const char *path)
{
	*doc = NULL;
	const member *e = resolve(m, "manifest.json");
	char *text = e ? read_meta(fd, e->off, e->size) : NULL;
	if (!text)
		return dko_error_set(DKO_EPARSE, "%s: no manifest.json (not a docker-archive)", path);
	int err = dko_json_parse(doc, text, strlen(text));
	free(text);
	if (err)
		return dko_error_set(DKO_EPARSE, "%s: manifest.json: %s", path, dko_error_last());
	const dko_json *root = dko_json_root(*doc);
	*layers = root->type == DKO_JSON_ARRAY && root->len == 1
	              ? dko_json_get(root->items[0], "Layers") : NULL;
	if (!*layers || (*layers)->type != DKO_JSON_ARRAY)
		return dko_error_set(DKO_EPARSE, "%s: manifest.json does not describe one image", path);
	return 0;
}

static int measure_layers(dko_image_size *out, const members *m, const dko_json *layers,
                          int fd, const char *path, dko_layer_cache *cache)
{
	const member **seen = dko_xcalloc(layers->len + 1, sizeof(member *));
	int64_t comp = 0;
	bool comp_ok = true;
	int err = 0;
	for (size_t i = 0; i < layers->len && !err; i++) {
		const char *name = dko_json_string(layers->items[i]);
		const member *e = name ? resolve(m, name) : NULL;
		if (!e) {
			err = dko_error_set(DKO_EPARSE, "%s: layer %s is not in the archive", path,
			                    name ? name : "(not a string)");
			break;
		}
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = seen[j] == e;
		seen[i] = e;
		if (!dup)
			measure_layer(out, &comp, &comp_ok, fd, e, cache);
	}
	out->compressed = comp_ok ? comp : -1;
	free(seen);
	return err;
}

int dko_archive_measure(dko_image_size *out, const char *archive_path, dko_layer_cache *cache)
{
	memset(out, 0, sizeof(*out));
	out->compressed = -1;
	int fd = open(archive_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dko_error_set(errno == ENOENT ? DKO_ENOTFOUND : DKO_EIO, "%s: %s",
		                     archive_path, strerror(errno));
	members m = {0};
	dko_json_doc *doc = NULL;
	const dko_json *layers = NULL;
	int err = tar_index(&m, fd, archive_path);
	if (!err)
		err = read_manifest(&doc, &layers, &m, fd, archive_path);
	if (!err)
		err = measure_layers(out, &m, layers, fd, archive_path, cache);
	if (err)
		out->compressed = -1;
	dko_json_doc_free(doc);
	members_free(&m);
	close(fd);
	return err;
}
