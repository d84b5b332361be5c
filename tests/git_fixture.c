/*
 * git_fixture.c - helpers of the git tests (see git_fixture.h).
 */
#include "git_fixture.h"
#include "testutil.h"

#include "util/redact.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *gf_sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char cmd[8192];
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char *out = NULL, *err = NULL;
	int rc = tu_run(cmd, NULL, 0, &out, NULL, &err);
	if (rc != 0)
		fail_msg("command failed (%d): %s\n%s", rc, cmd, err ? err : "");
	free(err);
	return out;
}

char *gf_path(const char *dir, const char *rel)
{
	return tu_asprintf("%s/%s", dir, rel);
}

void gf_write(const char *dir, const char *rel, const char *data)
{
	char *p = gf_path(dir, rel);
	assert_int_equal(tu_write_file(p, data, strlen(data)), 0);
	free(p);
}

char *gf_read(const char *dir, const char *rel, size_t *len)
{
	char *p = gf_path(dir, rel);
	char *d = tu_read_file(p, len);
	free(p);
	return d;
}

char *gf_hex(const dko_git_oid *id)
{
	char *h = malloc(DKO_GIT_OID_HEXSZ);
	dko_git_oid_fmt(h, id);
	return h;
}

char *gf_isolate_env(void)
{
	char *home = tu_mkdtemp();
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	for (size_t i = 0; dko_token_env_vars[i]; i++)
		unsetenv(dko_token_env_vars[i]);
	/* run from a hook, git would point these at the outer repository */
	static const char *const vars[] = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
	                                   "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
	                                   "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE",
	                                   "GIT_CEILING_DIRECTORIES", "http_proxy", "HTTP_PROXY",
	                                   "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	/* the git CLI used to check results must not need an identity either */
	setenv("GIT_AUTHOR_NAME", "cli", 1);
	setenv("GIT_AUTHOR_EMAIL", "cli@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "cli", 1);
	setenv("GIT_COMMITTER_EMAIL", "cli@example.com", 1);
	return home;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static bool port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

pid_t gf_daemon_start(const char *root, int *port)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		*port = free_port();
		char base[4200], portopt[32];
		snprintf(base, sizeof(base), "--base-path=%s", root);
		snprintf(portopt, sizeof(portopt), "--port=%d", *port);
		pid_t pid = fork();
		if (pid == 0) {
			/* quiet: it reports every connection the lease tests cut */
			if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
				_exit(126);
			execlp("git", "git", "daemon", "--reuseaddr", base, "--export-all",
			       "--enable=receive-pack", "--informative-errors", portopt,
			       "--listen=127.0.0.1", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 100; i++) { /* up to 5 s */
			if (port_open(*port))
				return pid;
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break; /* it died: the port was taken meanwhile */
			nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
		}
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

void gf_daemon_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
