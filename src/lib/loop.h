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

/* Asks the caller's loop to end: uftp_loop_stopped() then returns 1. */
void uftp_loop_stop(struct uftp_loop *l);
int uftp_loop_stopped(const struct uftp_loop *l);

#endif
