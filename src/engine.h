/*
 * engine.h - the container engines dockopt drives to prove a rewrite: docker,
 * podman and buildah, through their command-line clients (internal).
 *
 * Every operation runs the engine's CLI as an argv array (src/proc.h) with
 * the user's global engine arguments (--engine-arg, e.g. "--root=/x") placed
 * right after the program name. The differences between the three are kept
 * in this module: how to build (docker with BuildKit, podman and buildah with
 * --layers and the docker image format so that HEALTHCHECK and SHELL are
 * kept), the shape of their `inspect` JSON, how to export an image and how to
 * run its command. Callers see one image model (dko_image_info).
 *
 * Sizes: the image is exported as a docker-archive (`docker save`,
 * `podman save --format docker-archive`, `buildah push ... docker-archive:`),
 * whose manifest.json lists the layer tars. Uncompressed size is the sum of
 * those tars; compressed size is the sum of each tar through `gzip -6 -n`
 * (what `docker push` stores, give or take the gzip implementation). A layer
 * the engine exported already compressed counts as is and is decompressed
 * with `gzip -dc` for the other figure. Identical layers (same archive
 * member) count once, as a registry stores them once.
 */
#ifndef DKO_ENGINE_H
#define DKO_ENGINE_H

#include "proc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum dko_engine_kind {
	DKO_ENGINE_DOCKER,
	DKO_ENGINE_PODMAN,
	DKO_ENGINE_BUILDAH
} dko_engine_kind;

typedef struct dko_engine dko_engine;

/*
 * Open the engine named name ("docker", "podman" or "buildah"), or with name
 * NULL the first usable one in the order docker, podman, buildah. Usable means
 * the program is on $PATH and answers `info` (a docker client without a
 * reachable daemon does not count). global_args (n of them) are passed to
 * every command. Returns DKO_EINVAL for an unknown name, DKO_ENOTFOUND when
 * no engine is usable (the message says, per candidate, why). Free *out with
 * dko_engine_free().
 */
int dko_engine_open(dko_engine **out, const char *name, const char *const *global_args,
                    size_t n);
void dko_engine_free(dko_engine *e);
dko_engine_kind dko_engine_get_kind(const dko_engine *e);
/* "docker", "podman" or "buildah". */
const char *dko_engine_name(const dko_engine *e);
/* The engine's version as it reported it ("" when unknown). */
const char *dko_engine_version(const dko_engine *e);

/* Parse "docker"/"podman"/"buildah"; DKO_EINVAL otherwise. */
int dko_engine_kind_parse(dko_engine_kind *out, const char *name);

typedef struct dko_build_spec {
	const char *dockerfile; /* path of the Dockerfile */
	const char *context;    /* build context folder */
	const char *tag;        /* name given to the image */
	const char *target;     /* stage to build; NULL for the last one */
	const char *const *build_args; /* "NAME=value" */
	size_t nbuild_args;
	const char *const *secrets; /* BuildKit's "id=x,src=path" */
	size_t nsecrets;
	bool no_cache;
	const char *log_path;  /* the build's output is appended there */
	unsigned timeout_secs; /* 0: none */
} dko_build_spec;

/*
 * Build an image. *seconds receives the wall-clock time of the build. The
 * command line goes to the log first. A build that fails or times out is
 * DKO_EENGINE, with a message that names the exit code and the log.
 */
int dko_engine_build(double *seconds, dko_engine *e, const dko_build_spec *spec);

/* A list of strings; set is false when the image does not have the field at
 * all (null), which for a command differs from an empty list only in JSON. */
typedef struct dko_cfg_list {
	char **items;
	size_t len;
	bool set;
} dko_cfg_list;

/* The declared configuration of an image, normalised across engines:
 * map-like fields (ports, volumes) are sorted key lists, labels sorted by
 * key, ports carry their protocol ("80/tcp"). Strings are NULL when unset. */
typedef struct dko_image_config {
	dko_cfg_list env;        /* "NAME=value", in the image's order */
	dko_cfg_list cmd, entrypoint, shell, onbuild;
	char *working_dir, *user, *stop_signal;
	dko_cfg_list exposed_ports, volumes;
	dko_cfg_list label_keys, label_values; /* parallel, sorted by key */
	char *healthcheck; /* canonical JSON (sorted keys), NULL when none */
} dko_image_config;

typedef struct dko_image_info {
	char *id;       /* the engine's image id ("" when not reported) */
	size_t layers;  /* filesystem layers (RootFS) */
	uint64_t size;  /* the engine's own Size figure, 0 when not reported */
	dko_image_config config;
} dko_image_info;

/* Parse the output of the engine's inspect command (docker/podman: an array
 * with one object; buildah `inspect --type image`: one object holding
 * "Docker" and "OCIv1"). DKO_EPARSE on malformed or unexpected JSON.
 * Release with dko_image_info_release(). */
int dko_image_info_parse(dko_image_info *out, dko_engine_kind kind, const char *json,
                         size_t len);
void dko_image_info_release(dko_image_info *info);

/* The value of NAME in the image's environment, or NULL. */
const char *dko_image_config_getenv(const dko_image_config *c, const char *name);

/* Inspect image; DKO_EENGINE when the engine fails. */
int dko_engine_inspect(dko_image_info *out, dko_engine *e, const char *image);

typedef struct dko_image_size {
	uint64_t uncompressed; /* bytes of the layer tars */
	int64_t compressed;    /* gzip'd, -1 when it could not be measured */
	size_t layers;         /* distinct layer tars counted */
} dko_image_size;

/* Export image to a docker-archive in scratch_dir (removed afterwards) and
 * measure it. Layers already measured through this engine (same content
 * digest) are not compressed again. DKO_EENGINE when the export fails. */
int dko_engine_measure(dko_image_size *out, dko_engine *e, const char *image,
                       const char *scratch_dir);

/* Figures of layers already measured, by content digest: images built on
 * the same base share most of their bytes. */
typedef struct dko_layer_cache dko_layer_cache;
dko_layer_cache *dko_layer_cache_new(void);
void dko_layer_cache_free(dko_layer_cache *c);
/* Measure a docker-archive tar (engine-independent part of the above);
 * cache may be NULL. DKO_EIO / DKO_EPARSE for unreadable or malformed
 * archives. */
int dko_archive_measure(dko_image_size *out, const char *archive_path, dko_layer_cache *cache);

typedef struct dko_run_spec {
	const char *image;
	/* The image's configuration: buildah has no `run IMAGE`, so dockopt
	 * starts Entrypoint + Cmd itself. */
	const dko_image_config *config;
	/* Instead of the image's command: a shell command run with /bin/sh -c, or
	 * a JSON array of strings run as is (exec form). NULL for the image's. */
	const char *smoke;
	unsigned timeout_secs;
	size_t keep_max; /* bytes kept of each output stream; 0: 1 MiB */
} dko_run_spec;

/*
 * Run the image's command (or the smoke command) in a new container that is
 * removed afterwards, and wait up to the timeout. res gets the exit code,
 * whether the timeout struck, stdout and stderr. Returns 0 when the
 * container ran (whatever its exit code), DKO_EINVAL for a bad smoke
 * command, DKO_EENGINE when the container could not be created.
 */
int dko_engine_run(dko_proc_result *res, dko_engine *e, const dko_run_spec *spec);

/* Remove an image (its tag); errors are ignored but returned. */
int dko_engine_remove_image(dko_engine *e, const char *image);

/* Split a smoke command into argv: "[...]" as a JSON array of strings, else
 * /bin/sh -c CMD. *argv is a malloc'd NULL-terminated array of malloc'd
 * strings (free with dko_strv_free). DKO_EINVAL for a bad JSON array. */
int dko_smoke_argv(char ***argv, const char *smoke);
void dko_strv_free(char **v);

void dko_cfg_list_release(dko_cfg_list *l);

#endif
