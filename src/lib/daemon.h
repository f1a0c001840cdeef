/*
 * Process set-up for the daemons (uftpd, uftpproxyd): going to the
 * background with a start-up report to the launching shell, the pidfile
 * (-P), dropping root, and reaping children (postreceive scripts, -s).
 */
#ifndef UFTP_LIB_DAEMON_H
#define UFTP_LIB_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

/* The exit statuses of the daemons (man uftpd, man uftpproxyd). */
enum {
	EXIT_OK = 0,
	EXIT_BADOPT = 1,
	EXIT_NET = 2,
	EXIT_KEY = 3,
	EXIT_LOG = 4,
	EXIT_MEM = 5,
	EXIT_INTR = 6,
};

struct uftp_daemon {
	int ready_fd; /* write end of the start-up pipe; -1 once reported */
};

/*
 * Detaches from the terminal: fork, setsid, fork again, chdir("/"), stdin
 * from /dev/null. The launching process does not return: it waits until
 * the daemon calls uftp_daemon_ready() and exits with the status given
 * there (1 if the daemon dies first), so "uftpd ...; echo $?" reports
 * start-up failures. The daemon returns 0 and keeps stdout/stderr until
 * uftp_daemon_ready(). Returns UFTP_ERR_IO (in the caller, before any
 * fork succeeded) on failure.
 */
int uftp_daemonize(struct uftp_daemon *d);

/*
 * Reports the start-up result (0: running; else the exit status the
 * launcher should return), then points stdout and stderr at /dev/null.
 * Call once, after the privileged set-up; harmless when not daemonized
 * (d->ready_fd == -1; then stdout/stderr are left alone).
 */
void uftp_daemon_ready(struct uftp_daemon *d, int status);

/*
 * Writes our pid to path, created with O_EXCL (mode 0644). If the file
 * exists and names a live process, returns UFTP_ERR_EXISTS with that pid
 * in *other (when other is non-NULL). A file naming a dead process, our own
 * pid, or holding no valid pid is stale: it is replaced, with a warning in
 * the log. Returns 0 or UFTP_ERR_IO (errno set).
 */
int uftp_pidfile_create(const char *path, pid_t *other);

/*
 * uftp_pidfile_create() for a daemon's -P: 0, or -1 after logging why (a
 * running process named in it is not replaced).
 */
int uftp_pidfile_claim(const char *path);

/* Removes path if it holds our pid; returns 0, UFTP_ERR_STATE (not ours) or UFTP_ERR_IO. */
int uftp_pidfile_remove(const char *path);

/*
 * Switches to the named user's uid, gid and supplementary groups, for good.
 * Returns 0, UFTP_ERR_INVALID (no such user) or UFTP_ERR_IO (a set*id call
 * failed, e.g. when not root).
 */
int uftp_drop_privileges(const char *user);

/*
 * Collects every exited child without blocking (after SIGCHLD) and calls
 * fn(arg, pid, status) for each (fn may be NULL). Returns the count.
 */
int uftp_reap_children(void (*fn)(void *arg, pid_t pid, int status), void *arg);

#endif
