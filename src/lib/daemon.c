#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/daemon.h"
#include "lib/log.h"

/* Points fd at /dev/null. */
static int to_null(int fd, int flags)
{
	int null = open("/dev/null", flags | O_CLOEXEC);
	int rv = 0;

	if (null < 0)
		return UFTP_ERR_IO;
	if (null != fd && dup2(null, fd) < 0)
		rv = UFTP_ERR_IO;
	if (null != fd)
		close(null);
	return rv;
}

/* The launcher's side: wait for the daemon's report and exit with it. */
static void __attribute__((noreturn)) wait_report(int rd)
{
	unsigned char status = 1;
	ssize_t r;

	do
		r = read(rd, &status, 1);
	while (r < 0 && errno == EINTR);
	_exit(r == 1 ? status : 1);
}

int uftp_daemonize(struct uftp_daemon *d)
{
	int p[2];
	pid_t pid;

	d->ready_fd = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return UFTP_ERR_IO;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return UFTP_ERR_IO;
	}
	if (pid > 0) {
		close(p[1]);
		wait_report(p[0]);
	}
	close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(1);
	if (pid > 0)
		_exit(0); /* the session leader leaves: we can never regain a terminal */
	d->ready_fd = p[1];
	if (chdir("/") < 0 || to_null(STDIN_FILENO, O_RDONLY) < 0) {
		uftp_daemon_ready(d, 1);
		_exit(1);
	}
	return 0;
}

void uftp_daemon_ready(struct uftp_daemon *d, int status)
{
	unsigned char b = (unsigned char)status;
	ssize_t r;

	if (d->ready_fd < 0)
		return;
	fflush(NULL);
	do
		r = write(d->ready_fd, &b, 1);
	while (r < 0 && errno == EINTR);
	close(d->ready_fd);
	d->ready_fd = -1;
	to_null(STDOUT_FILENO, O_WRONLY);
	to_null(STDERR_FILENO, O_WRONLY);
}

/* Reads a pid from the file; 0 when it holds none. */
static pid_t read_pid(const char *path)
{
	char buf[32];
	char *end;
	ssize_t r;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 0 || v > INT32_MAX)
		return 0;
	return (pid_t)v;
}

static int pid_alive(pid_t pid)
{
	if (pid <= 0 || pid == getpid())
		return 0;
	return kill(pid, 0) == 0 || errno == EPERM;
}

static int write_pid(const char *path)
{
	char buf[32];
	int n, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ssize_t w;

	if (fd < 0)
		return UFTP_ERR_IO;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	w = write(fd, buf, (size_t)n);
	if (w != n || close(fd) < 0) {
		unlink(path);
		return UFTP_ERR_IO;
	}
	return 0;
}

int uftp_pidfile_create(const char *path, pid_t *other)
{
	pid_t pid;
	int rv = write_pid(path);

	if (rv == 0 || errno != EEXIST)
		return rv;
	pid = read_pid(path);
	if (pid_alive(pid)) {
		if (other)
			*other = pid;
		return UFTP_ERR_EXISTS;
	}
	log_warnx("removing stale pidfile %s (pid %ld not running)", path, (long)pid);
	if (unlink(path) < 0 && errno != ENOENT)
		return UFTP_ERR_IO;
	return write_pid(path);
}

int uftp_pidfile_remove(const char *path)
{
	if (read_pid(path) != getpid())
		return UFTP_ERR_STATE;
	if (unlink(path) < 0)
		return UFTP_ERR_IO;
	return 0;
}

int uftp_drop_privileges(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return UFTP_ERR_INVALID;
	if (setgroups(1, &pw.pw_gid) < 0 || setgid(pw.pw_gid) < 0 || setuid(pw.pw_uid) < 0)
		return UFTP_ERR_IO;
	if (pw.pw_uid != 0 && setuid(0) == 0)
		return UFTP_ERR_IO; /* root could be regained: refuse to go on */
	return 0;
}

int uftp_reap_children(void (*fn)(void *arg, pid_t pid, int status), void *arg)
{
	int status, n = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (fn)
			fn(arg, pid, status);
		n++;
	}
	return n;
}

int uftp_pidfile_claim(const char *path)
{
	pid_t other = 0;
	int rv = uftp_pidfile_create(path, &other);

	if (rv == UFTP_ERR_EXISTS)
		log_warnx("pidfile %s names process %ld, which is running: not replaced", path,
		          (long)other);
	else if (rv < 0)
		log_warn("cannot write pidfile %s", path);
	return rv < 0 ? -1 : 0;
}
