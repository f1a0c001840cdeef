/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process set-up for the daemons (uftpd, uftpproxyd): their shared life
 * (uftp_daemon_main: log, signals, privileged set-up, background with a
 * start-up report to the launching shell, pidfile, dropping root, loop,
 * statistics, teardown), and its pieces: going to the background, the
 * pidfile (-P), dropping root (--user), reaping children (-s scripts).
 */
#ifndef UFTP_LIB_DAEMON_H
#define UFTP_LIB_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/loop.h"
#include "lib/opts.h"

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

/* What a daemon does at each step of uftp_daemon_main(); arg is its own state. */
struct uftp_daemon_ops {
	/* The privileged set-up (keys, sockets, core): 0 or an exit status (EXIT_*). */
	int (*setup)(void *arg);
	/* Once running, with the log open: logs the keys in use and writes what it
	 * serves ("listening on port 1044 as ...") into line for the start-up line. */
	void (*started)(void *arg, char *line, size_t cap);
	/* The loop, until a signal stops it (uftp_loop_stopped). */
	void (*run)(void *arg);
	/* After the loop: the last sends, the exit statistics. */
	void (*finish)(void *arg);
	/* Frees what setup made (also after a failed setup: must cope with zeroes). */
	void (*teardown)(void *arg);
	/* Signals other than SIGINT, SIGTERM and SIGHUP (extra_sigs); may be NULL. */
	void (*on_signal)(void *arg, int signo);
	const int *extra_sigs;
	size_t nextra;
};

struct uftp_daemon {
	int ready_fd;    /* write end of the start-up pipe; -1 once reported */
	int interrupted; /* SIGINT or SIGTERM ended the loop */
	const struct uftp_daemon_opts *o;
	struct uftp_loop *loop;
	const struct uftp_daemon_ops *ops;
	void *arg;
};

/*
 * A daemon's whole life, the same for uftpd and uftpproxyd: the log on
 * stderr at -x's level; loop set-up and signals (SIGINT, SIGTERM: stop
 * the loop; SIGHUP: reopen the log file; others to ops->on_signal);
 * ops->setup; -N; to the background unless -d; the log file (-L, default
 * /tmp/PROG.log, rolled as -g/-n say); the pidfile (-P); --user; the
 * start-up report; the start-up line "PROG (PACKAGE) VERSION: ..."; the
 * loop; ops->finish; the pidfile removed; ops->teardown; the loop freed.
 * The loop belongs to the caller (its sockets are registered in setup).
 * Returns the exit status: the first failure's, else EXIT_INTR after a
 * signal, else EXIT_OK.
 */
int uftp_daemon_main(struct uftp_daemon *d, const struct uftp_daemon_opts *o,
                     struct uftp_loop *loop, const struct uftp_daemon_ops *ops, void *arg);

struct uftp_addr;
struct uftp_peer_key;

/*
 * -S FILE: the allowed servers, one "ID|IP[|fingerprint]" per line, into
 * out[0..cap) and *n. Returns 0, or EXIT_BADOPT after logging the file,
 * line and problem.
 */
int uftp_daemon_read_servers(const char *path, struct uftp_peer_key *out, size_t cap, size_t *n);

/*
 * Our member ID: -U, else derived from first (the first interface's
 * address). Returns 0, or UFTP_ERR_INVALID after logging that -U is needed.
 */
int uftp_daemon_id(const struct uftp_daemon_opts *c, const struct uftp_addr *first, uint32_t *id);

/*
 * The public groups (-M, default 230.4.4.1): each must be a multicast
 * address (source-specific when ssm is set: -S), and is joined with
 * join(arg, group), which returns <0 on failure. Returns 0, or the exit
 * status after logging why (EXIT_BADOPT for a bad address, EXIT_NET when
 * a join fails).
 */
int uftp_daemon_join_pubs(struct uftp_daemon_opts *c, int ssm,
                          int (*join)(void *arg, const struct uftp_addr *g), void *arg);

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
 * The ids of spec, "USER" or "USER:GROUP": USER's uid, and GROUP's gid
 * (else USER's login group). Returns 0 or UFTP_ERR_INVALID (no such user
 * or group, or an empty name).
 */
int uftp_user_lookup(const char *spec, uid_t *uid, gid_t *gid);

/*
 * Switches for good to uid and gid, with gid alone as the supplementary
 * groups (setgroups, setgid, setuid; then checked, and root must not be
 * regained). Returns 0 or UFTP_ERR_IO (e.g. when not root).
 */
int uftp_drop_to(uid_t uid, gid_t gid);

/* uftp_user_lookup() then uftp_drop_to(); the errors of both. */
int uftp_drop_privileges(const char *spec);

/*
 * Collects every exited child without blocking (after SIGCHLD) and calls
 * fn(arg, pid, status) for each (fn may be NULL). Returns the count.
 */
int uftp_reap_children(void (*fn)(void *arg, pid_t pid, int status), void *arg);

#endif
