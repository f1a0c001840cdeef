/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/loop.h"

/* The self-pipe: signal handlers write the signal number, the loop reads it. */
static int sig_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	ssize_t r = write(sig_pipe[1], &b, 1);

	(void)r; /* a full pipe already holds a wake-up */
	errno = saved;
}

void uftp_loop_init(struct uftp_loop *l)
{
	memset(l, 0, sizeof(*l));
}

static int find(const struct uftp_loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->ent[i].fd == fd)
			return (int)i;
	return -1;
}

int uftp_loop_add(struct uftp_loop *l, int fd, short events, uftp_loop_fd_fn fn, void *arg)
{
	if (fd < 0 || !fn)
		return UFTP_ERR_INVALID;
	if (find(l, fd) >= 0)
		return UFTP_ERR_EXISTS;
	if (l->n == UFTP_LOOP_MAX)
		return UFTP_ERR_NOSPACE;
	l->ent[l->n].fd = fd;
	l->ent[l->n].fn = fn;
	l->ent[l->n].arg = arg;
	l->pfd[l->n].fd = fd;
	l->pfd[l->n].events = events;
	l->pfd[l->n].revents = 0;
	l->n++;
	return 0;
}

int uftp_loop_set_events(struct uftp_loop *l, int fd, short events)
{
	int i = fd < 0 ? -1 : find(l, fd);

	if (i < 0)
		return UFTP_ERR_INVALID;
	l->pfd[i].events = events;
	return 0;
}

/* Marks the entry removed; compact() drops it once no dispatch is running. */
int uftp_loop_del(struct uftp_loop *l, int fd)
{
	int i = fd < 0 ? -1 : find(l, fd);

	if (i < 0)
		return UFTP_ERR_INVALID;
	l->ent[i].fd = -1;
	l->pfd[i].fd = -1;
	return 0;
}

static void compact(struct uftp_loop *l)
{
	size_t i, j = 0;

	for (i = 0; i < l->n; i++) {
		if (l->ent[i].fd < 0)
			continue;
		l->ent[j] = l->ent[i];
		l->pfd[j] = l->pfd[i];
		j++;
	}
	l->n = j;
}

static void drain_signals(void *arg, int fd, short revents)
{
	struct uftp_loop *l = arg;
	unsigned char buf[64];
	ssize_t r, i;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			if (l->sig_fn)
				l->sig_fn(l->sig_arg, buf[i]);
}

static int open_sig_pipe(void)
{
	if (sig_pipe[0] >= 0)
		return UFTP_ERR_STATE;
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		sig_pipe[0] = sig_pipe[1] = -1;
		return UFTP_ERR_IO;
	}
	return 0;
}

static int install(struct uftp_loop *l, int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | (signo == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) < 0)
		return UFTP_ERR_IO;
	l->sigs[l->nsigs++] = signo;
	return 0;
}

int uftp_loop_catch_signals(struct uftp_loop *l, const int *signals, size_t n, uftp_loop_sig_fn fn,
                            void *arg)
{
	size_t i;
	int rv;

	if (n > sizeof(l->sigs) / sizeof(l->sigs[0]) || !fn)
		return UFTP_ERR_INVALID;
	rv = open_sig_pipe();
	if (rv < 0)
		return rv;
	l->sig_fn = fn;
	l->sig_arg = arg;
	rv = uftp_loop_add(l, sig_pipe[0], POLLIN, drain_signals, l);
	for (i = 0; i < n && rv == 0; i++)
		rv = install(l, signals[i]);
	if (rv < 0)
		uftp_loop_free(l);
	return rv;
}

void uftp_loop_free(struct uftp_loop *l)
{
	size_t i;

	for (i = 0; i < l->nsigs; i++)
		signal(l->sigs[i], SIG_DFL);
	l->nsigs = 0;
	if (sig_pipe[0] >= 0 && find(l, sig_pipe[0]) >= 0) {
		uftp_loop_del(l, sig_pipe[0]);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
	compact(l);
}

/* Converts a deadline to a ppoll timeout; NULL means wait without limit. */
static struct timespec *timeout_for(uint64_t deadline, struct timespec *ts)
{
	uint64_t now, left;

	if (deadline == UFTP_TIME_NEVER)
		return NULL;
	now = uftp_clock_now();
	left = deadline > now ? deadline - now : 0;
	ts->tv_sec = (time_t)(left / UFTP_NS_PER_SEC);
	ts->tv_nsec = (long)(left % UFTP_NS_PER_SEC);
	return ts;
}

static int dispatch(struct uftp_loop *l, size_t n)
{
	size_t i;
	int calls = 0;

	for (i = 0; i < n; i++) {
		if (l->ent[i].fd < 0 || !l->pfd[i].revents)
			continue;
		l->ent[i].fn(l->ent[i].arg, l->ent[i].fd, l->pfd[i].revents);
		calls++;
	}
	return calls;
}

int uftp_loop_run_once(struct uftp_loop *l, uint64_t deadline)
{
	struct timespec ts;
	size_t n;
	int r;

	log_flush(); /* a held debug line is not left waiting with us */
	compact(l);
	n = l->n;
	r = ppoll(l->pfd, n, timeout_for(deadline, &ts), NULL);
	if (r < 0)
		return errno == EINTR ? 0 : UFTP_ERR_IO;
	r = r ? dispatch(l, n) : 0;
	compact(l);
	return r;
}

/*
 * How many datagrams of avg bytes fit a quarter of the receive buffer,
 * each counted at twice its length plus 512 bytes: the kernel charges its
 * buffers, not the payload, against the limit.
 */
static size_t hold_fit(const struct uftp_rx_hold *h, size_t avg)
{
	size_t n = h->rcvbuf / 4 / (2 * avg + 512);

	return n < UFTP_HOLD_TARGET ? n : UFTP_HOLD_TARGET;
}

/*
 * The next hold: the first after a wake-up that found at least two
 * datagrams is the shortest; then each is scaled by the arrival rate the
 * last one saw, at most doubled.  A hold that found fewer than two is
 * doubled (a longer one may gather more) until the longest also finds
 * fewer than two: then the stream is a trickle, or over.
 */
static uint64_t hold_clamp(uint64_t ns)
{
	if (ns < UFTP_HOLD_MIN_NS)
		return UFTP_HOLD_MIN_NS;
	return ns < UFTP_HOLD_MAX_NS ? ns : UFTP_HOLD_MAX_NS;
}

static uint64_t hold_ns(const struct uftp_rx_hold *h, int n, size_t bytes, int held)
{
	size_t fit = n > 0 ? hold_fit(h, bytes / (size_t)n) : UFTP_HOLD_TARGET;
	uint64_t ns;

	if (fit < UFTP_HOLD_MIN_FIT)
		return 0;
	if (!held || !h->ns)
		return n >= 2 ? UFTP_HOLD_MIN_NS : 0;
	if (n < 2)
		return h->ns < UFTP_HOLD_MAX_NS ? hold_clamp(2 * h->ns) : 0;
	ns = h->ns * fit / (size_t)n;
	return hold_clamp(ns < 2 * h->ns ? ns : 2 * h->ns);
}

uint64_t uftp_rx_hold_next(struct uftp_rx_hold *h, int n, size_t bytes, int held, uint64_t now)
{
	h->ns = hold_ns(h, n, bytes, held);
	h->until = h->ns ? now + h->ns : 0;
	return h->ns;
}

void uftp_loop_stop(struct uftp_loop *l)
{
	l->stop = 1;
}

int uftp_loop_stopped(const struct uftp_loop *l)
{
	return l->stop;
}
