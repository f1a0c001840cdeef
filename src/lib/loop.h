/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The drivers' event loop: poll() over registered descriptors until the
 * earliest protocol deadline, with signals turned into ordinary events
 * through a self-pipe. One turn:
 *
 *     now = uftp_clock_now();
 *     ... feed datagrams, handle expiries, drain writes and events ...
 *     uftp_loop_run_once(&loop, core_expiry);   // sleeps, then calls back
 *
 * Nothing here spins: with nothing ready and no deadline, the process sleeps.
 */
#ifndef UFTP_LIB_LOOP_H
#define UFTP_LIB_LOOP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define UFTP_LOOP_MAX 64 /* descriptors per loop, the signal pipe included */

/* Called when fd is ready; revents as poll() reports them (POLLIN, POLLOUT, POLLERR...). */
typedef void (*uftp_loop_fd_fn)(void *arg, int fd, short revents);

/* Called from the loop (never from a signal handler) for each caught signal. */
typedef void (*uftp_loop_sig_fn)(void *arg, int signo);

struct uftp_loop_ent {
	int fd; /* -1: removed, awaiting compaction */
	uftp_loop_fd_fn fn;
	void *arg;
};

struct uftp_loop {
	struct uftp_loop_ent ent[UFTP_LOOP_MAX];
	struct pollfd pfd[UFTP_LOOP_MAX];
	size_t n;
	int stop; /* set by uftp_loop_stop() */
	uftp_loop_sig_fn sig_fn;
	void *sig_arg;
	int sigs[16]; /* signals with our handler installed */
	size_t nsigs;
};

/* Initialises an empty loop. */
void uftp_loop_init(struct uftp_loop *l);

/*
 * Releases the loop: restores default handling of its signals and closes
 * the signal pipe. Registered descriptors are not closed (they are the caller's).
 */
void uftp_loop_free(struct uftp_loop *l);

/*
 * Watches fd for events (POLLIN and/or POLLOUT) and calls fn(arg, fd,
 * revents) when ready. Returns 0, UFTP_ERR_EXISTS (fd already watched),
 * UFTP_ERR_NOSPACE (UFTP_LOOP_MAX reached) or UFTP_ERR_INVALID.
 */
int uftp_loop_add(struct uftp_loop *l, int fd, short events, uftp_loop_fd_fn fn, void *arg);

/* Changes the events watched on fd (e.g. adds POLLOUT after a full send buffer). */
int uftp_loop_set_events(struct uftp_loop *l, int fd, short events);

/* Stops watching fd; safe inside a callback. Returns 0 or UFTP_ERR_INVALID (unknown fd). */
int uftp_loop_del(struct uftp_loop *l, int fd);

/*
 * Catches the n signals listed (e.g. SIGINT, SIGTERM, SIGHUP, SIGCHLD; at
 * most 16) and reports each through fn(arg, signo) inside
 * uftp_loop_run_once(). Only one loop per process may catch signals.
 * Returns 0, UFTP_ERR_IO (pipe or sigaction failed) or UFTP_ERR_STATE.
 */
int uftp_loop_catch_signals(struct uftp_loop *l, const int *signals, size_t n, uftp_loop_sig_fn fn,
                            void *arg);

/*
 * Waits until a watched descriptor is ready, a caught signal arrives, or
 * the monotonic clock reaches deadline (ns, as uftp_clock_now();
 * UFTP_TIME_NEVER: no limit; a past deadline: just check), then calls the
 * callbacks. Returns the number of callbacks made (0 on timeout), or
 * UFTP_ERR_IO when poll fails for a reason other than EINTR.
 */
int uftp_loop_run_once(struct uftp_loop *l, uint64_t deadline);

/*
 * Receive pacing for a socket that datagrams stream into.  A receiver that
 * keeps up with a fast sender wakes for every two or three datagrams, and
 * (on a virtual machine above all) the sleep and wake-up cost more than
 * receiving and storing them.  So while datagrams stream in, the caller
 * leaves the socket unwatched for a short hold after each read and then
 * reads what gathered in one batch.  The hold adapts so that each read
 * finds about UFTP_HOLD_TARGET datagrams, fewer when they are large: the
 * bytes gathered are kept under a quarter of the receive buffer, so the
 * kernel has no reason to drop any.  Fewer than two datagrams in the
 * longest hold (a trickle, or the end of a transfer) end holding, and no
 * hold is longer than UFTP_HOLD_MAX_NS, so no datagram waits longer.
 */
#define UFTP_HOLD_MIN_NS  50000ull  /* the first hold, and the shortest */
#define UFTP_HOLD_MAX_NS  500000ull /* the longest */
#define UFTP_HOLD_TARGET  32        /* datagrams per read aimed at */
#define UFTP_HOLD_MIN_FIT 4         /* fewer fitting the budget: no holds */

struct uftp_rx_hold {
	uint64_t ns;    /* the current hold; 0: the socket is read as datagrams arrive */
	uint64_t until; /* when the current hold ends (as uftp_clock_now()); 0: none */
	size_t rcvbuf;  /* the socket's receive buffer in bytes (0: never hold) */
};

/*
 * After a read of n datagrams (bytes in all) at time now, which followed a
 * hold (held) or a wake-up, sets h->ns and h->until to the next hold and
 * returns h->ns: 0 means watch the socket again.
 */
uint64_t uftp_rx_hold_next(struct uftp_rx_hold *h, int n, size_t bytes, int held, uint64_t now);

/* Asks the caller's loop to end: uftp_loop_stopped() then returns 1. */
void uftp_loop_stop(struct uftp_loop *l);
int uftp_loop_stopped(const struct uftp_loop *l);

#endif
