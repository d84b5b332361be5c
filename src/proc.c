/*
 * proc.c - fork/exec with pipes, a poll loop and a process-group timeout
 * (see proc.h).
 *
 * Invariants: every descriptor opened here is close-on-exec, so the child
 * inherits exactly the three it is given; the parent never blocks on a write
 * (stdin's pipe is non-blocking) and never waits past the deadline plus the
 * kill grace; SIGPIPE is blocked for the duration of a run and a pending one
 * is consumed before the mask is restored, so a child that stops reading its
 * stdin is an ordinary EPIPE here, not the death of dockopt. After the child
 * exits, descendants that still hold its pipes get DRAIN_MS before the
 * pipes are abandoned.
 */
#include "proc.h"
#include "dockopt/common.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define KEEP_DEFAULT ((size_t)64 << 20)
#define KILL_GRACE_MS 2000.0
#define DRAIN_MS 1000.0
#define SLICE_MS 200.0
#define CHUNK 65536

typedef struct runner {
	int out[2], err[2], in[2], report[2];
	int logfd, nullfd, feed_fd;
	pid_t pid;
	bool reaped;
	int status;
	sigset_t oldmask;
	char *chunk;
	size_t chunk_len, chunk_pos;
	uint64_t feed_off, feed_left;
} runner;

void dko_proc_result_init(dko_proc_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	dko_buf_init(&res->out);
	dko_buf_init(&res->err);
}

void dko_proc_result_release(dko_proc_result *res)
{
	dko_buf_release(&res->out);
	dko_buf_release(&res->err);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static bool is_exec_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *dko_proc_which(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return is_exec_file(name) ? dko_xstrdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	dko_buf b = DKO_BUF_INIT;
	for (const char *p = path;;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		dko_buf_clear(&b);
		/* An empty PATH entry means the current folder, as in execvp. */
		dko_buf_put(&b, n ? p : ".", n ? n : 1);
		dko_buf_putc(&b, '/');
		dko_buf_puts(&b, name);
		if (is_exec_file(b.ptr))
			return dko_buf_detach(&b, NULL);
		if (!end)
			break;
		p = end + 1;
	}
	dko_buf_release(&b);
	return NULL;
}

static bool env_overridden(const char *entry, const char *const *add)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
	for (; add && *add; add++)
		if (!strncmp(*add, entry, n) && (*add)[n] == '=')
			return true;
	return false;
}

/* Our environment with add's entries replacing same-named ones. Built
 * before fork so the child does nothing but async-signal-safe calls. */
static char **make_env(const char *const *add)
{
	size_t n = 0, k = 0, m = 0;
	while (environ && environ[n])
		n++;
	while (add && add[k])
		k++;
	char **env = dko_xcalloc(n + k + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if (!env_overridden(environ[i], add))
			env[m++] = environ[i];
	for (size_t i = 0; i < k; i++)
		env[m++] = (char *)add[i];
	return env;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static int runner_open(runner *r, const dko_proc_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->out[0] = r->out[1] = r->err[0] = r->err[1] = -1;
	r->in[0] = r->in[1] = r->report[0] = r->report[1] = -1;
	r->logfd = r->nullfd = r->feed_fd = -1;
	r->pid = -1;
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &r->oldmask);
	if (o->log_path) {
		r->logfd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (r->logfd < 0)
			return dko_error_set(DKO_EIO, "%s: %s", o->log_path, strerror(errno));
	} else if (cloexec_pipe(r->out) || cloexec_pipe(r->err)) {
		return dko_error_set(DKO_EIO, "pipe: %s", strerror(errno));
	}
	if (o->in_len > 0) {
		if (cloexec_pipe(r->in))
			return dko_error_set(DKO_EIO, "pipe: %s", strerror(errno));
		fcntl(r->in[1], F_SETFL, fcntl(r->in[1], F_GETFL) | O_NONBLOCK);
		r->feed_fd = o->in_fd;
		r->feed_off = o->in_off;
		r->feed_left = o->in_len;
		r->chunk = dko_xmalloc(CHUNK);
	} else if ((r->nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		return dko_error_set(DKO_EIO, "/dev/null: %s", strerror(errno));
	}
	if (cloexec_pipe(r->report))
		return dko_error_set(DKO_EIO, "pipe: %s", strerror(errno));
	return 0;
}

static void runner_close(runner *r)
{
	int *fds[] = {&r->out[0], &r->out[1], &r->err[0],  &r->err[1], &r->in[0],
	              &r->in[1],  &r->report[0], &r->report[1], &r->logfd, &r->nullfd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close_fd(fds[i]);
	free(r->chunk);
	r->chunk = NULL;
	/* Consume a SIGPIPE raised by feeding a child that stopped reading. */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	struct timespec zero = {0, 0};
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
}

/* In the child: only async-signal-safe calls until execve. */
static _Noreturn void child_exec(const runner *r, const char *path, const char *const *argv,
                                 char **envp)
{
	int in = r->in[0] >= 0 ? r->in[0] : r->nullfd;
	int out = r->logfd >= 0 ? r->logfd : r->out[1];
	int err = r->logfd >= 0 ? r->logfd : r->err[1];
	setsid();
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	if (dup2(in, 0) >= 0 && dup2(out, 1) >= 0 && dup2(err, 2) >= 0)
		execve(path, (char *const *)argv, envp);
	int e = errno;
	ssize_t w = write(r->report[1], &e, sizeof(e));
	(void)w;
	_exit(127);
}

static int runner_spawn(runner *r, const char *path, const char *const *argv,
                        const dko_proc_opts *o)
{
	char **envp = make_env(o->env);
	r->pid = fork();
	if (r->pid == 0)
		child_exec(r, path, argv, envp);
	free(envp);
	if (r->pid < 0)
		return dko_error_set(DKO_EIO, "fork: %s", strerror(errno));
	close_fd(&r->out[1]);
	close_fd(&r->err[1]);
	close_fd(&r->in[0]);
	close_fd(&r->report[1]);
	close_fd(&r->logfd);
	close_fd(&r->nullfd);
	/* EOF here means execve succeeded (the pipe was close-on-exec). */
	int e = 0;
	ssize_t n;
	do
		n = read(r->report[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close_fd(&r->report[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(r->pid, &r->status, 0);
		r->reaped = true;
		return dko_error_set(DKO_EIO, "cannot run %s: %s", path, strerror(e));
	}
	return 0;
}

static void reap(runner *r, bool block)
{
	if (r->reaped)
		return;
	pid_t p;
	do
		p = waitpid(r->pid, &r->status, block ? 0 : WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == r->pid || (p < 0 && errno == ECHILD))
		r->reaped = true;
}

static void drain(int *fd, dko_buf *keep, uint64_t *total, size_t keep_max, bool count_only)
{
	char buf[CHUNK];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n > 0) {
		*total += (uint64_t)n;
		if (!count_only && keep->len < keep_max) {
			size_t room = keep_max - keep->len;
			dko_buf_put(keep, buf, (size_t)n < room ? (size_t)n : room);
		}
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close_fd(fd);
}

/* Write the next piece of the stdin range; close the pipe when it is all
 * written, when the file ends early or when the child stopped reading. */
static void feed(runner *r)
{
	if (r->chunk_pos == r->chunk_len) {
		size_t want = r->feed_left < CHUNK ? (size_t)r->feed_left : CHUNK;
		ssize_t n = want ? pread(r->feed_fd, r->chunk, want, (off_t)r->feed_off) : 0;
		if (n <= 0) {
			close_fd(&r->in[1]);
			return;
		}
		r->chunk_len = (size_t)n;
		r->chunk_pos = 0;
		r->feed_off += (uint64_t)n;
		r->feed_left -= (uint64_t)n;
	}
	ssize_t w = write(r->in[1], r->chunk + r->chunk_pos, r->chunk_len - r->chunk_pos);
	if (w > 0)
		r->chunk_pos += (size_t)w;
	else if (w < 0 && errno != EAGAIN && errno != EINTR)
		close_fd(&r->in[1]);
}

typedef struct clock_state {
	double deadline, kill_at, give_up, exited_at;
} clock_state;

/* Timeout bookkeeping for one loop turn; false when the loop must stop. */
static bool tick(runner *r, clock_state *c, dko_proc_result *res)
{
	double t = now_ms();
	if (c->deadline && t >= c->deadline && !res->timed_out) {
		res->timed_out = true;
		kill(-r->pid, SIGTERM);
		close_fd(&r->in[1]);
		c->kill_at = t + KILL_GRACE_MS;
	}
	if (c->kill_at && t >= c->kill_at) {
		kill(-r->pid, SIGKILL);
		c->kill_at = 0;
		c->give_up = t + DRAIN_MS;
	}
	reap(r, false);
	if (r->reaped && !c->exited_at) {
		c->exited_at = t;
		close_fd(&r->in[1]);
	}
	if (c->give_up && t >= c->give_up)
		return false;
	/* Background descendants may hold the pipes after the child exits. */
	return !(c->exited_at && t >= c->exited_at + DRAIN_MS);
}

static int poll_timeout(const clock_state *c)
{
	double t = now_ms(), wait = SLICE_MS;
	double marks[] = {c->deadline, c->kill_at, c->give_up};
	for (size_t i = 0; i < 3; i++)
		if (marks[i] && marks[i] - t < wait)
			wait = marks[i] - t;
	return wait < 0 ? 0 : (int)wait + 1;
}

static void runner_loop(runner *r, dko_proc_result *res, const dko_proc_opts *o, double t0)
{
	size_t keep = o->keep_max ? o->keep_max : KEEP_DEFAULT;
	clock_state c = {o->timeout_ms ? t0 + o->timeout_ms : 0, 0, 0, 0};
	while (r->out[0] >= 0 || r->err[0] >= 0 || r->in[1] >= 0 || !r->reaped) {
		if (!tick(r, &c, res))
			break;
		struct pollfd p[3];
		nfds_t n = 0;
		if (r->out[0] >= 0)
			p[n++] = (struct pollfd){r->out[0], POLLIN, 0};
		if (r->err[0] >= 0)
			p[n++] = (struct pollfd){r->err[0], POLLIN, 0};
		if (r->in[1] >= 0)
			p[n++] = (struct pollfd){r->in[1], POLLOUT, 0};
		if (n == 0 && !c.deadline && !c.kill_at) {
			reap(r, true);
			break;
		}
		/* With nothing left to read, only the exit is awaited: poll often. */
		int wait = poll_timeout(&c);
		if (poll(p, n, n == 0 && wait > 10 ? 10 : wait) <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == r->out[0])
				drain(&r->out[0], &res->out, &res->out_total, keep, o->count_stdout);
			else if (p[i].fd == r->err[0])
				drain(&r->err[0], &res->err, &res->err_total, keep, false);
			else
				feed(r);
		}
	}
	if (!r->reaped) {
		kill(-r->pid, SIGKILL);
		reap(r, true);
	}
	res->seconds = ((c.exited_at ? c.exited_at : now_ms()) - t0) / 1000.0;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int dko_proc_run(dko_proc_result *res, const char *const *argv, const dko_proc_opts *opts)
{
	static const dko_proc_opts none = {0};
	const dko_proc_opts *o = opts ? opts : &none;
	dko_proc_result_init(res);
	char *path = dko_proc_which(argv[0]);
	if (!path)
		return dko_error_set(DKO_ENOTFOUND, "%s: not found on PATH", argv[0]);
	runner r;
	double t0 = now_ms();
	int err = runner_open(&r, o);
	if (!err)
		err = runner_spawn(&r, path, argv, o);
	if (!err) {
		runner_loop(&r, res, o, t0);
		res->exit_code = exit_code(r.status);
	}
	runner_close(&r);
	free(path);
	return err;
}

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-", *s))
			return false;
	return true;
}

void dko_proc_argv_text(dko_buf *b, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			dko_buf_putc(b, ' ');
		if (plain_word(argv[i])) {
			dko_buf_puts(b, argv[i]);
			continue;
		}
		dko_buf_putc(b, '\'');
		for (const char *s = argv[i]; *s; s++) {
			if (*s == '\'')
				dko_buf_puts(b, "'\\''");
			else
				dko_buf_putc(b, *s);
		}
		dko_buf_putc(b, '\'');
	}
}
