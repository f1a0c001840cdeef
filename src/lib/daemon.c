/* SPDX-License-Identifier: BSD-2-Clause */
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/session.h"
#include "lib/addr.h"
#include "lib/daemon.h"
#include "lib/hostlist.h"
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

/* The user part of "USER[:GROUP]" into name. */
static int user_part(char *name, size_t cap, const char *spec)
{
	size_t n = strcspn(spec, ":");

	if (n == 0 || n >= cap)
		return UFTP_ERR_INVALID;
	memcpy(name, spec, n);
	name[n] = '\0';
	return 0;
}

int uftp_user_lookup(const char *spec, uid_t *uid, gid_t *gid)
{
	const char *colon = strchr(spec, ':');
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char name[256], buf[4096];

	if (user_part(name, sizeof(name), spec) < 0 ||
	    getpwnam_r(name, &pw, buf, sizeof(buf), &pres) != 0 || !pres)
		return UFTP_ERR_INVALID;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	if (!colon)
		return 0;
	if (!colon[1] || getgrnam_r(colon + 1, &gr, buf, sizeof(buf), &gres) != 0 || !gres)
		return UFTP_ERR_INVALID;
	*gid = gr.gr_gid;
	return 0;
}

int uftp_drop_to(uid_t uid, gid_t gid)
{
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return UFTP_ERR_IO;
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		return UFTP_ERR_IO;
	if (uid != 0 && setuid(0) == 0)
		return UFTP_ERR_IO; /* root could be regained: refuse to go on */
	return 0;
}

int uftp_drop_privileges(const char *spec)
{
	uid_t uid;
	gid_t gid;

	if (uftp_user_lookup(spec, &uid, &gid) < 0)
		return UFTP_ERR_INVALID;
	return uftp_drop_to(uid, gid);
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

/* ---- the daemons' shared life ----------------------------------------- */

int uftp_daemon_id(const struct uftp_daemon_opts *c, const struct uftp_addr *first, uint32_t *id)
{
	if (c->have_uid)
		*id = c->uid;
	else
		uftp_id_from_addr(id, first);
	if (*id)
		return 0;
	log_warnx("no interface to take our ID from: use -U");
	return UFTP_ERR_INVALID;
}

struct servers {
	struct uftp_peer_key *out;
	size_t cap, n;
};

static int server_line(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct servers *sv = arg;
	struct uftp_peer_key *e;
	struct uftp_hostent h;
	int n;

	(void)lineno;
	if (uftp_hostent_parse_server(&h, line) < 0) {
		snprintf(err, errlen, "invalid server entry '%s'", line);
		return UFTP_ERR_INVALID;
	}
	if (sv->n == sv->cap) {
		snprintf(err, errlen, "too many servers");
		return UFTP_ERR_NOSPACE;
	}
	e = &sv->out[sv->n++];
	memset(e, 0, sizeof(*e));
	e->id = h.id;
	n = uftp_addr_to_bytes(&h.addr, e->addr.addr, sizeof(e->addr.addr));
	e->addr.family = n == 16 ? 6 : n == 4 ? 4 : 0;
	e->has_fp = h.has_fp;
	memcpy(e->fp, h.fp, sizeof(e->fp));
	return 0;
}

int uftp_daemon_read_servers(const char *path, struct uftp_peer_key *out, size_t cap, size_t *n)
{
	struct servers sv = {out, cap, 0};
	char err[256];

	if (uftp_opt_read_list(path, server_line, &sv, err, sizeof(err)) < 0) {
		log_warnx("-S %s: %s", path, err);
		return EXIT_BADOPT;
	}
	*n = sv.n;
	return 0;
}

int uftp_daemon_join_pubs(struct uftp_daemon_opts *c, int ssm,
                          int (*join)(void *arg, const struct uftp_addr *g), void *arg)
{
	static char deflt[] = "230.4.4.1";
	struct uftp_addr g;
	size_t i;

	if (!c->npubs)
		c->pubs[c->npubs++] = deflt;
	for (i = 0; i < c->npubs; i++) {
		if (uftp_addr_parse(&g, c->pubs[i], 0) < 0 || !uftp_addr_is_multicast(&g)) {
			log_warnx("-M %s: not a multicast address", c->pubs[i]);
			return EXIT_BADOPT;
		}
		if (ssm && !uftp_addr_is_ssm(&g)) {
			log_warnx("-M %s: not a source-specific multicast address, as -S requires",
			          c->pubs[i]);
			return EXIT_BADOPT;
		}
		if (join(arg, &g) < 0) {
			log_warn("cannot join %s", c->pubs[i]);
			return EXIT_NET;
		}
	}
	return 0;
}

static void on_signal(void *arg, int signo)
{
	struct uftp_daemon *d = arg;

	if (signo == SIGHUP) {
		if (log_reopen() < 0)
			log_warn("cannot reopen the log file");
		return;
	}
	if (signo != SIGINT && signo != SIGTERM) {
		if (d->ops->on_signal)
			d->ops->on_signal(d->arg, signo);
		return;
	}
	log_info("got signal %d, exiting", signo);
	d->interrupted = 1; /* exit 6, as the reference */
	uftp_loop_stop(d->loop);
}

static int catch_signals(struct uftp_daemon *d)
{
	int sigs[16] = {SIGINT, SIGTERM, SIGHUP};
	size_t i, n = 3;

	for (i = 0; i < d->ops->nextra && n < 16; i++)
		sigs[n++] = d->ops->extra_sigs[i];
	uftp_loop_init(d->loop);
	return uftp_loop_catch_signals(d->loop, sigs, n, on_signal, d) < 0 ? EXIT_NET : 0;
}

/* The log file, once set-up errors have reached the terminal. */
static int open_log(const struct uftp_daemon_opts *o)
{
	char path[4096];
	const char *lf = o->logfile;

	if (o->debug)
		return 0;
	if (!lf) {
		snprintf(path, sizeof(path), "/tmp/%s.log", o->prog);
		lf = path;
	}
	if (log_open_file(lf) < 0) {
		log_warn("cannot open log file %s", lf);
		return EXIT_LOG;
	}
	log_set_rolling(o->log_max, o->log_count);
	return 0;
}

/* --user: its ids, checked before anything starts (the message reaches the terminal). */
static int check_user(const struct uftp_daemon_opts *o, uid_t *uid, gid_t *gid)
{
	if (!o->user)
		return 0;
	if (uftp_user_lookup(o->user, uid, gid) < 0) {
		log_warnx("--user %s: no such user or group", o->user);
		return EXIT_BADOPT;
	}
	if (geteuid() != 0) {
		log_warnx("--user %s: only root can switch to another user", o->user);
		return EXIT_BADOPT;
	}
	return 0;
}

/* --user: after everything that needs root is open; refuses to go on if it fails. */
static int drop_root(const struct uftp_daemon_opts *o, uid_t uid, gid_t gid)
{
	if (!o->user)
		return 0;
	if (uftp_drop_to(uid, gid) < 0) {
		log_warn("--user %s: cannot switch to that user", o->user);
		return EXIT_BADOPT;
	}
	log_info("running as --user %s (uid %ld, gid %ld)", o->user, (long)uid, (long)gid);
	return 0;
}

/* Everything up to the start-up report: 0, or the exit status of the failure. */
static int start(struct uftp_daemon *d)
{
	const struct uftp_daemon_opts *o = d->o;
	uid_t uid = 0;
	gid_t gid = 0;
	int rv = check_user(o, &uid, &gid);

	if (!rv)
		rv = catch_signals(d);
	if (!rv)
		rv = d->ops->setup(d->arg);
	if (!rv && o->have_priority && setpriority(PRIO_PROCESS, 0, o->priority) < 0)
		log_warn("cannot set priority %d", o->priority);
	if (!rv && !o->debug && uftp_daemonize(d) < 0)
		rv = EXIT_NET;
	if (!rv)
		rv = open_log(o);
	if (!rv && o->pidfile && uftp_pidfile_claim(o->pidfile) < 0)
		rv = EXIT_BADOPT;
	if (!rv)
		rv = drop_root(o, uid, gid);
	return rv;
}

int uftp_daemon_main(struct uftp_daemon *d, const struct uftp_daemon_opts *o,
                     struct uftp_loop *loop, const struct uftp_daemon_ops *ops, void *arg)
{
	char line[256] = "";
	int rv;

	*d = (struct uftp_daemon){.ready_fd = -1, .o = o, .loop = loop, .ops = ops, .arg = arg};
	log_init(o->loglevel >= 3 ? UFTP_LOG_DEBUG : o->loglevel, stderr);
	log_set_timestamps(1); /* a daemon's lines are dated wherever they go, but in the journal */
	rv = start(d);
	uftp_daemon_ready(d, rv);
	if (!rv) {
		ops->started(arg, line, sizeof(line));
		log_info("%s (%s) %s: %s", o->prog, PACKAGE_NAME, PACKAGE_VERSION, line);
		ops->run(arg);
		ops->finish(arg);
		if (o->pidfile)
			uftp_pidfile_remove(o->pidfile);
		rv = d->interrupted ? EXIT_INTR : EXIT_OK;
	}
	ops->teardown(arg);
	uftp_loop_free(loop);
	return rv;
}
