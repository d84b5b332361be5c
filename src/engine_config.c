/*
 * engine_config.c - the `inspect` JSON of docker, podman and buildah turned
 * into one image model (see engine.h), and smoke commands turned into argv.
 *
 * Where each engine keeps the configuration:
 *   docker   [ { "Id", "Config": {...}, "RootFS": {"Layers": [...]}, "Size" } ]
 *   podman   the same, but Config is the OCI one (no Healthcheck, Shell or
 *            OnBuild) and Healthcheck sits next to it at the top level
 *   buildah  { "FromImageID", "Docker": {"config", "rootfs": {"diff_ids"}},
 *              "OCIv1": {...same...}, "Manifest": "<JSON text>" }; "Docker"
 *            has everything when the image was built with --format docker,
 *            else it is empty and OCIv1 is used.
 * Normalisation so that equal configurations compare equal whatever the
 * engine: an empty command list is the same as none, "" is unset, map-like
 * fields become sorted key lists, a port without a protocol is "/tcp", and
 * the health check is canonical JSON without zero-valued members.
 */
#include "engine.h"
#include "dockopt/common.h"
#include "json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

void dko_cfg_list_release(dko_cfg_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void strlist_push(dko_cfg_list *l, const char *s)
{
	l->items = dko_xreallocarray(l->items, l->len + 1, sizeof(char *));
	l->items[l->len++] = dko_xstrdup(s);
	l->set = true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An array of strings; non-strings are a parse error. */
static int read_list(dko_cfg_list *out, const dko_json *v, const char *what)
{
	if (!v || v->type == DKO_JSON_NULL)
		return 0;
	if (v->type != DKO_JSON_ARRAY)
		return dko_error_set(DKO_EPARSE, "%s is not an array", what);
	for (size_t i = 0; i < v->len; i++) {
		if (v->items[i]->type != DKO_JSON_STRING)
			return dko_error_set(DKO_EPARSE, "%s holds a non-string", what);
		strlist_push(out, v->items[i]->str);
	}
	out->set = true;
	return 0;
}

/* A command-like list: empty means none. */
static int read_command(dko_cfg_list *out, const dko_json *v, const char *what)
{
	int err = read_list(out, v, what);
	if (!err && out->len == 0)
		out->set = false;
	return err;
}

static char *read_string(const dko_json *v)
{
	const char *s = dko_json_string(v);
	return s && *s ? dko_xstrdup(s) : NULL;
}

/* Keys of an object ({"80/tcp": {}}), sorted; ports get their protocol. */
static int read_keys(dko_cfg_list *out, const dko_json *v, bool ports, const char *what)
{
	if (!v || v->type == DKO_JSON_NULL)
		return 0;
	if (v->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "%s is not an object", what);
	for (size_t i = 0; i < v->len; i++) {
		dko_buf k = DKO_BUF_INIT;
		dko_buf_puts(&k, v->keys[i]);
		if (ports && !strchr(v->keys[i], '/'))
			dko_buf_puts(&k, "/tcp");
		strlist_push(out, k.ptr);
		dko_buf_release(&k);
	}
	if (out->len)
		qsort(out->items, out->len, sizeof(char *), cmp_str);
	out->set = out->len > 0;
	return 0;
}

static int read_labels(dko_image_config *c, const dko_json *v)
{
	if (!v || v->type == DKO_JSON_NULL)
		return 0;
	if (v->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "Labels is not an object");
	size_t *order = dko_xcalloc(v->len + 1, sizeof(size_t));
	for (size_t i = 0; i < v->len; i++)
		order[i] = i;
	/* Insertion sort by key: label sets are small. A repeated key keeps
	 * its last value, as a JSON decoder would. */
	for (size_t i = 1; i < v->len; i++)
		for (size_t j = i; j > 0 && strcmp(v->keys[order[j - 1]], v->keys[order[j]]) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < v->len; i++) {
		const dko_json *val = v->items[order[i]];
		const char *key = v->keys[order[i]];
		if (i + 1 < v->len && !strcmp(key, v->keys[order[i + 1]]))
			continue;
		strlist_push(&c->label_keys, key);
		strlist_push(&c->label_values, val->type == DKO_JSON_STRING ? val->str : "");
	}
	free(order);
	return 0;
}

static bool json_is_zero(const dko_json *v)
{
	switch (v->type) {
	case DKO_JSON_NULL:
		return true;
	case DKO_JSON_BOOL:
		return !v->boolean;
	case DKO_JSON_NUMBER:
		return v->number == 0;
	case DKO_JSON_STRING:
	case DKO_JSON_ARRAY:
	case DKO_JSON_OBJECT:
		return v->len == 0;
	}
	return false;
}

static void canon_json(dko_buf *b, const dko_json *v);

static void canon_object(dko_buf *b, const dko_json *v)
{
	const char **keys = dko_xcalloc(v->len + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++)
		if (!json_is_zero(v->items[i]))
			keys[n++] = v->keys[i];
	if (n)
		qsort(keys, n, sizeof(char *), cmp_str);
	dko_buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(keys[i], keys[i - 1]))
			continue;
		if (i)
			dko_buf_putc(b, ',');
		dko_buf_put_json_str(b, keys[i], strlen(keys[i]));
		dko_buf_putc(b, ':');
		canon_json(b, dko_json_get(v, keys[i]));
	}
	dko_buf_putc(b, '}');
	free(keys);
}

/* JSON with sorted object keys, zero-valued members dropped, integral
 * numbers without exponent: equal values print equal. */
static void canon_json(dko_buf *b, const dko_json *v)
{
	switch (v->type) {
	case DKO_JSON_NULL:
		dko_buf_puts(b, "null");
		break;
	case DKO_JSON_BOOL:
		dko_buf_puts(b, v->boolean ? "true" : "false");
		break;
	case DKO_JSON_NUMBER:
		if (v->number > -9.0e15 && v->number < 9.0e15 &&
		    (double)(long long)v->number == v->number)
			dko_buf_printf(b, "%lld", (long long)v->number);
		else
			dko_buf_printf(b, "%.17g", v->number);
		break;
	case DKO_JSON_STRING:
		dko_buf_put_json_str(b, v->str, v->len);
		break;
	case DKO_JSON_ARRAY:
		dko_buf_putc(b, '[');
		for (size_t i = 0; i < v->len; i++) {
			if (i)
				dko_buf_putc(b, ',');
			canon_json(b, v->items[i]);
		}
		dko_buf_putc(b, ']');
		break;
	case DKO_JSON_OBJECT:
		canon_object(b, v);
		break;
	}
}

static char *read_healthcheck(const dko_json *v)
{
	if (!v || v->type != DKO_JSON_OBJECT || json_is_zero(v))
		return NULL;
	dko_buf b = DKO_BUF_INIT;
	canon_json(&b, v);
	return dko_buf_detach(&b, NULL);
}

/* The Config object of any engine; health is where the engine keeps the
 * health check when it is not in the config (podman), or NULL. */
static int read_config(dko_image_config *c, const dko_json *cfg, const dko_json *health)
{
	int err = 0;
	if (!cfg || cfg->type == DKO_JSON_NULL)
		cfg = NULL;
	else if (cfg->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "the image config is not an object");
	if (!err)
		err = read_list(&c->env, dko_json_get(cfg, "Env"), "Env");
	if (!err)
		err = read_command(&c->cmd, dko_json_get(cfg, "Cmd"), "Cmd");
	if (!err)
		err = read_command(&c->entrypoint, dko_json_get(cfg, "Entrypoint"), "Entrypoint");
	if (!err)
		err = read_command(&c->shell, dko_json_get(cfg, "Shell"), "Shell");
	if (!err)
		err = read_command(&c->onbuild, dko_json_get(cfg, "OnBuild"), "OnBuild");
	if (!err)
		err = read_keys(&c->exposed_ports, dko_json_get(cfg, "ExposedPorts"), true,
		                "ExposedPorts");
	if (!err)
		err = read_keys(&c->volumes, dko_json_get(cfg, "Volumes"), false, "Volumes");
	if (!err)
		err = read_labels(c, dko_json_get(cfg, "Labels"));
	c->working_dir = read_string(dko_json_get(cfg, "WorkingDir"));
	c->user = read_string(dko_json_get(cfg, "User"));
	c->stop_signal = read_string(dko_json_get(cfg, "StopSignal"));
	const dko_json *h = dko_json_get(cfg, "Healthcheck");
	c->healthcheck = read_healthcheck(h ? h : health);
	return err;
}

static size_t array_len(const dko_json *v)
{
	return v && v->type == DKO_JSON_ARRAY ? v->len : 0;
}

/* buildah's "Manifest" is JSON inside a string: sum of its layer sizes. */
static uint64_t manifest_size(const char *text)
{
	dko_json_doc *doc;
	uint64_t sum = 0;
	if (!text || dko_json_parse(&doc, text, strlen(text)))
		return 0;
	const dko_json *layers = dko_json_get(dko_json_root(doc), "layers");
	for (size_t i = 0; i < array_len(layers); i++) {
		const dko_json *sz = dko_json_get(layers->items[i], "size");
		if (sz && sz->type == DKO_JSON_NUMBER && sz->number > 0)
			sum += (uint64_t)sz->number;
	}
	dko_json_doc_free(doc);
	return sum;
}

static int parse_buildah(dko_image_info *out, const dko_json *root)
{
	if (root->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "expected an object");
	const dko_json *img = dko_json_get(root, "Docker");
	if (!dko_json_get(img, "config"))
		img = dko_json_get(root, "OCIv1");
	if (!img || img->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "no Docker or OCIv1 image description");
	out->id = dko_xstrdup(dko_json_string(dko_json_get(root, "FromImageID")) ?
	                      dko_json_string(dko_json_get(root, "FromImageID")) : "");
	out->layers = array_len(dko_json_path(img, "rootfs.diff_ids"));
	out->size = manifest_size(dko_json_string(dko_json_get(root, "Manifest")));
	return read_config(&out->config, dko_json_get(img, "config"), NULL);
}

static int parse_docker(dko_image_info *out, const dko_json *root)
{
	if (root->type != DKO_JSON_ARRAY || root->len != 1 ||
	    root->items[0]->type != DKO_JSON_OBJECT)
		return dko_error_set(DKO_EPARSE, "expected an array of one object");
	const dko_json *img = root->items[0];
	const char *id = dko_json_string(dko_json_get(img, "Id"));
	out->id = dko_xstrdup(id ? id : "");
	out->layers = array_len(dko_json_path(img, "RootFS.Layers"));
	const dko_json *size = dko_json_get(img, "Size");
	if (size && size->type == DKO_JSON_NUMBER && size->number > 0)
		out->size = (uint64_t)size->number;
	return read_config(&out->config, dko_json_get(img, "Config"),
	                   dko_json_get(img, "Healthcheck"));
}

int dko_image_info_parse(dko_image_info *out, dko_engine_kind kind, const char *json,
                         size_t len)
{
	memset(out, 0, sizeof(*out));
	dko_json_doc *doc;
	int err = dko_json_parse(&doc, json, len);
	if (err)
		return err;
	const dko_json *root = dko_json_root(doc);
	err = kind == DKO_ENGINE_BUILDAH ? parse_buildah(out, root) : parse_docker(out, root);
	dko_json_doc_free(doc);
	if (err)
		dko_image_info_release(out);
	return err;
}

void dko_image_info_release(dko_image_info *info)
{
	dko_image_config *c = &info->config;
	dko_cfg_list *lists[] = {&c->env,     &c->cmd,     &c->entrypoint, &c->shell,
	                        &c->onbuild, &c->exposed_ports, &c->volumes, &c->label_keys,
	                        &c->label_values};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		dko_cfg_list_release(lists[i]);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	free(c->healthcheck);
	free(info->id);
	memset(info, 0, sizeof(*info));
}

const char *dko_image_config_getenv(const dko_image_config *c, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	/* The last entry wins, as in the runtime's environment. */
	for (size_t i = 0; i < c->env.len; i++)
		if (!strncmp(c->env.items[i], name, n) && c->env.items[i][n] == '=')
			found = c->env.items[i] + n + 1;
	return found;
}

int dko_smoke_argv(char ***argv, const char *smoke)
{
	*argv = NULL;
	const char *p = smoke + strspn(smoke, " \t\r\n");
	if (*p != '[') {
		char **v = dko_xcalloc(4, sizeof(char *));
		v[0] = dko_xstrdup("/bin/sh");
		v[1] = dko_xstrdup("-c");
		v[2] = dko_xstrdup(smoke);
		*argv = v;
		return 0;
	}
	dko_json_doc *doc;
	if (dko_json_parse(&doc, p, strlen(p)))
		return dko_error_set(DKO_EINVAL, "--smoke: bad JSON array: %s", dko_error_last());
	dko_cfg_list l = {0};
	int err = read_list(&l, dko_json_root(doc), "--smoke");
	dko_json_doc_free(doc);
	if (!err && l.len == 0)
		err = dko_error_set(DKO_EINVAL, "--smoke: the array is empty");
	else if (err)
		err = dko_error_set(DKO_EINVAL, "--smoke: expected a JSON array of strings");
	if (!err) {
		*argv = dko_xreallocarray(l.items, l.len + 1, sizeof(char *));
		(*argv)[l.len] = NULL;
		l.items = NULL;
		l.len = 0;
	}
	dko_cfg_list_release(&l);
	return err;
}
