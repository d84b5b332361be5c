/*
 * testutil.c - helpers shared by the cmocka tests.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
		n += r;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void mkparents(const char *path)
{
	char *p = strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	free(p);
}

int tu_write_file(const char *path, const char *data, size_t len)
{
	mkparents(path);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	int ok = fwrite(data, 1, len, fp) == len;
	return (fclose(fp) == 0 && ok) ? 0 : -1;
}

const char *tu_corpus_dir(void)
{
	static char path[4096];
	const char *env = getenv("DKO_CORPUS");
	snprintf(path, sizeof(path), "%s", env && *env ? env : "../shared/corpus");
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return path;
}

const char *tu_dockopt_bin(void)
{
	const char *env = getenv("DOCKOPT_BIN");
	return env && *env ? env : "build/dockopt";
}

typedef struct list {
	char **items;
	size_t len, cap;
} list;

static void list_push(list *l, char *s)
{
	if (l->len + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = realloc(l->items, l->cap * sizeof(char *));
	}
	l->items[l->len++] = s;
	l->items[l->len] = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_buildkit(list *l, const char *corpus)
{
	const char *subs[] = {"testfiles", "testfiles-negative"};
	for (int k = 0; k < 2; k++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/buildkit/%s", corpus, subs[k]);
		DIR *d = opendir(dir);
		if (!d)
			continue;
		size_t first = l->len;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p[8192 + 512];
			snprintf(p, sizeof(p), "%s/%s/Dockerfile", dir, e->d_name);
			if (access(p, R_OK) == 0)
				list_push(l, strdup(p));
		}
		closedir(d);
		qsort(l->items + first, l->len - first, sizeof(char *), cmp_str);
	}
}

static void add_dev(list *l, const char *corpus)
{
	char man[4096];
	snprintf(man, sizeof(man), "%s/dev/manifest.tsv", corpus);
	char *text = tu_read_file(man, NULL);
	if (!text)
		return;
	bool header = true;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (header || !*line) {
			header = false;
			continue;
		}
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		char p[8192];
		snprintf(p, sizeof(p), "%s/dev/%s", corpus, line);
		list_push(l, strdup(p));
	}
	free(text);
}

char **tu_corpus_files(size_t *n)
{
	const char *corpus = tu_corpus_dir();
	if (!corpus)
		return NULL;
	list l = {0};
	add_buildkit(&l, corpus);
	add_dev(&l, corpus);
	if (n)
		*n = l.len;
	if (!l.items)
		list_push(&l, NULL), l.len = 0;
	return l.items;
}

char **tu_corpus_dev_files(size_t *n)
{
	const char *corpus = tu_corpus_dir();
	if (!corpus)
		return NULL;
	list l = {0};
	add_dev(&l, corpus);
	if (n)
		*n = l.len;
	if (!l.items)
		list_push(&l, NULL), l.len = 0;
	return l.items;
}

void tu_free_list(char **l)
{
	if (!l)
		return;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
}

static char *slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int tu_run(const char *cmd, const char *stdin_data, size_t stdin_len, char **out,
           size_t *out_len, char **err)
{
	char inpath[] = "/tmp/dko-in-XXXXXX", errpath[] = "/tmp/dko-err-XXXXXX";
	int infd = mkstemp(inpath), errfd = mkstemp(errpath);
	if (infd < 0 || errfd < 0)
		return -1;
	if (stdin_data && stdin_len && write(infd, stdin_data, stdin_len) != (ssize_t)stdin_len)
		return -1;
	lseek(infd, 0, SEEK_SET);
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(infd, 0);
		dup2(pipefd[1], 1);
		dup2(errfd, 2);
		close(pipefd[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	char *o = slurp_fd(pipefd[0], out_len);
	close(pipefd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	lseek(errfd, 0, SEEK_SET);
	char *e = slurp_fd(errfd, NULL);
	close(infd);
	close(errfd);
	unlink(inpath);
	unlink(errpath);
	if (out)
		*out = o;
	else
		free(o);
	if (err)
		*err = e;
	else
		free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *tu_mkdtemp(void)
{
	char tmpl[] = "/tmp/dko-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

void tu_rmrf(const char *path)
{
	if (!path || strncmp(path, "/tmp/", 5) != 0)
		return;
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", path);
}

void tu_notice(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("NOTICE: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

char *tu_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
