/*
 * bench.c - throughput benchmark (not a test): loads every file of a folder
 * into memory, then parses and prints them all in one process, several runs,
 * and reports the median MB/s and files/s and the peak RSS. Also measures two
 * generated inputs (100,000 lines of corpus content; 10,000 continuations;
 * 10,000 vs 100,000 one-instruction lines) to show
 * that time per byte stays linear. The same corpus is measured again with
 * every RUN also shell-parsed (and its package operations recognised),
 * interleaved with parse+print and compared at the fastest runs, and three
 * pathological shell inputs: 10,000 levels of $( and of ( , which must end in
 * a diagnostic, not a stack overflow, and the 10,000-command && chain.
 *
 *   build/bench [--runs N] DIR
 */
#include "cst.h"
#include "dockopt/doc.h"
#include "util/alloc.h"
#include "pkg.h"
#include "shell.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct file {
	char *data;
	size_t len;
} file;

/* Process CPU time (user + system): other jobs on a shared machine do not
 * distort it as they do wall time. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static size_t load(const char *dir, file **out)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	file *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strstr(e->d_name, "manifest.tsv"))
			continue;
		char p[8192];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		FILE *fp = fopen(p, "rb");
		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		long sz = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		if (sz < 0) {
			fclose(fp);
			continue;
		}
		if (n == cap)
			v = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(file));
		v[n].data = malloc((size_t)sz + 1);
		v[n].len = fread(v[n].data, 1, (size_t)sz, fp);
		fclose(fp);
		n++;
	}
	closedir(d);
	*out = v;
	return n;
}

static int with_shell; /* 1: shell-parse every RUN, 2: also analyse packages */
static size_t shell_runs, shell_opaque;

/* Shell-parse every RUN of doc with the SHELL in effect. */
static void shell_all(const dko_doc *doc)
{
	dko_sh_walker w;
	dko_sh_walker_init(&w, doc);
	for (uint32_t i = 0; i < doc->nnodes; i++) {
		const dko_node *nd = &doc->nodes[i];
		if (nd->kind != DKO_NODE_INSTR || nd->instr->kind != DKO_I_RUN)
			continue;
		dko_sh_opts o;
		dko_sh_walker_opts(&w, i, &o);
		dko_sh_script *s;
		dko_sh_parse_node(&s, doc, i, &o);
		shell_runs++;
		shell_opaque += dko_sh_is_opaque(s);
		if (with_shell > 1) {
			dko_pkg_op *ops;
			size_t nops;
			dko_pkg_analyze(&ops, &nops, s, NULL, NULL);
		}
		dko_sh_free(s);
	}
	dko_sh_walker_release(&w);
}

/* Parse + print every file once; returns seconds. */
static double one_run(const file *f, size_t n)
{
	double t0 = now();
	for (size_t i = 0; i < n; i++) {
		dko_doc *doc;
		dko_parse(&doc, f[i].data, f[i].len, NULL);
		char *out;
		size_t len;
		dko_doc_print(&out, &len, doc);
		if (len != f[i].len)
			abort();
		free(out);
		if (with_shell)
			shell_all(doc);
		dko_doc_free(doc);
	}
	return now() - t0;
}

static double median_run(const file *f, size_t n, int runs)
{
	double *t = malloc((size_t)runs * sizeof(double));
	for (int r = 0; r < runs; r++)
		t[r] = one_run(f, n);
	qsort(t, (size_t)runs, sizeof(double), cmp_double);
	double m = t[runs / 2];
	free(t);
	return m;
}

/* A 100,000-line Dockerfile made of the corpus itself: its files one after
 * the other (each from its first FROM on), repeated until there are enough
 * lines. The same kind of content as the corpus, only bigger: the per-byte
 * cost must not grow with the size of a file. */
static file corpus_lines(const file *f, size_t n, size_t lines)
{
	size_t cap = 1 << 20, len = 0, have = 0;
	char *buf = malloc(cap);
	for (size_t i = 0; have < lines; i = (i + 1) % n) {
		const char *from = strstr(f[i].data, "FROM ");
		/* Files with a parser directive (escape=`) or errors do not join. */
		dko_doc *d;
		int bad = dko_parse(&d, f[i].data, f[i].len, NULL) != 0 || d->ndirectives;
		dko_doc_free(d);
		if (!from || bad)
			continue;
		size_t l = f[i].len - (size_t)(from - f[i].data);
		while (len + l + 2 > cap)
			buf = realloc(buf, cap *= 2);
		memcpy(buf + len, from, l);
		len += l;
		if (buf[len - 1] != '\n')
			buf[len++] = '\n';
		for (size_t k = 0; k < l; k++)
			have += from[k] == '\n';
	}
	file out = {buf, len};
	return out;
}

/* One short instruction per line: the worst case for per-instruction costs. */
static file make_lines(size_t lines)
{
	file f;
	f.data = malloc(lines * 40 + 16);
	size_t k = (size_t)snprintf(f.data, 16, "FROM a\n");
	for (size_t i = 0; i < lines; i++)
		k += (size_t)snprintf(f.data + k, 40, "RUN echo line %zu > /tmp/x\n", i);
	f.len = k;
	return f;
}

static file make_continuations(size_t n)
{
	file f;
	f.data = malloc(n * 40 + 32);
	size_t k = (size_t)snprintf(f.data, 32, "FROM a\nRUN true");
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(f.data + k, 40, " \\\n    && echo step %zu", i);
	f.data[k++] = '\n';
	f.len = k;
	return f;
}

/* prefix + n x open + "x" + n x close. */
static file make_nested(const char *prefix, const char *open, const char *close, size_t n)
{
	size_t lo = strlen(open), lc = strlen(close), lp = strlen(prefix);
	file f;
	f.data = malloc(lp + n * (lo + lc) + 4);
	memcpy(f.data, prefix, lp);
	size_t k = lp;
	for (size_t i = 0; i < n; i++, k += lo)
		memcpy(f.data + k, open, lo);
	f.data[k++] = 'x';
	for (size_t i = 0; i < n; i++, k += lc)
		memcpy(f.data + k, close, lc);
	f.data[k++] = '\n';
	f.len = k;
	return f;
}

/*
 * The shell figures. parse+print alone, with every RUN shell-parsed, and with
 * package operations too, interleaved run by run and each taken at its
 * fastest run: load on a shared machine comes and goes, and this way it
 * weighs on the three alike, so their ratio is stable.
 */
static void shell_figures(const file *f, size_t n, size_t bytes, int runs)
{
	double best[3] = {1e30, 1e30, 1e30};
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < 3; k++) {
			with_shell = k;
			double t = one_run(f, n);
			best[k] = t < best[k] ? t : best[k];
		}
	}
	static const char *const names[3] = {"parse+print          ", "parse+print+shell    ",
	                                     "parse+print+shell+pkg"};
	printf("interleaved, fastest of %d runs each (%zu RUNs per pass, %zu opaque):\n", runs,
	       shell_runs / (size_t)(2 * runs), shell_opaque / (size_t)(2 * runs));
	for (int k = 0; k < 3; k++)
		printf("  %s corpus: %6.1f MB/s  (%3.0f%% of parse+print)\n", names[k],
		       (double)bytes / 1e6 / best[k], 100.0 * best[0] / best[k]);
	shell_runs = shell_opaque = 0;
	with_shell = 1;
}

int main(int argc, char **argv)
{
	int runs = 9;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else
			dir = argv[i];
	}
	if (!dir || runs < 1) {
		fprintf(stderr, "usage: bench [--runs N] DIR\n");
		return 2;
	}
	dko_tune_allocator(); /* as build/dockopt does */
	file *f;
	size_t n = load(dir, &f);
	if (!n) {
		fprintf(stderr, "bench: no files in %s\n", dir);
		return 2;
	}
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += f[i].len;
	one_run(f, n); /* warm up */
	double t = median_run(f, n, runs);
	printf("parse+print corpus: %zu files, %.2f MB, median of %d runs: %.1f ms  "
	       "%.1f MB/s  %.0f files/s\n",
	       n, (double)bytes / 1e6, runs, t * 1e3, (double)bytes / 1e6 / t, (double)n / t);
	double corpus_ns = t * 1e9 / (double)bytes;

	file big = corpus_lines(f, n, 100000), cont = make_continuations(10000);
	double tb = median_run(&big, 1, runs), tc = median_run(&cont, 1, runs);
	printf("100,000-line file:       %.2f MB  %.1f MB/s  (%.2f ns/byte; corpus %.2f)\n",
	       (double)big.len / 1e6, (double)big.len / 1e6 / tb, tb * 1e9 / (double)big.len, corpus_ns);
	/* Linear time: 10,000 and 100,000 one-instruction lines cost the same per byte. */
	file l10 = make_lines(10000), l100 = make_lines(100000);
	double t10 = median_run(&l10, 1, runs), t100 = median_run(&l100, 1, runs);
	printf("10k vs 100k RUN lines:   %.2f vs %.2f ns/byte (ratio %.2f; 1.0 is linear)\n",
	       t10 * 1e9 / (double)l10.len, t100 * 1e9 / (double)l100.len,
	       (t100 / (double)l100.len) / (t10 / (double)l10.len));
	printf("10,000-continuation RUN: %.2f MB  %.1f MB/s  (%.2f ns/byte; corpus %.2f)\n",
	       (double)cont.len / 1e6, (double)cont.len / 1e6 / tc, tc * 1e9 / (double)cont.len,
	       corpus_ns);
	shell_figures(f, n, bytes, runs);
	with_shell = 1;
	file deep_subst = make_nested("FROM a\nRUN echo ", "$(", ")", 10000);
	file deep_paren = make_nested("FROM a\nRUN ", "( ", " )", 10000);
	double td = median_run(&deep_subst, 1, runs), tp = median_run(&deep_paren, 1, runs);
	printf("10,000 x $( in a RUN:    %.2f MB  %.1f MB/s  (too deep: opaque)\n",
	       (double)deep_subst.len / 1e6, (double)deep_subst.len / 1e6 / td);
	printf("10,000 x ( in a RUN:     %.2f MB  %.1f MB/s  (too deep: opaque)\n",
	       (double)deep_paren.len / 1e6, (double)deep_paren.len / 1e6 / tp);
	double tcs = median_run(&cont, 1, runs);
	printf("10,000-continuation RUN + shell: %.1f MB/s  (%.2f ns/byte)\n",
	       (double)cont.len / 1e6 / tcs, tcs * 1e9 / (double)cont.len);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
