/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/clock.h"
#include "lib/loop.h"
#include "tests/unit/cutest.h"

#define MS UFTP_NS_PER_MS

struct seen {
	int calls;
	int fd;
	short revents;
	struct uftp_loop *loop;
	int del_self;
};

static void on_fd(void *arg, int fd, short revents)
{
	struct seen *s = arg;
	char buf[16];

	s->calls++;
	s->fd = fd;
	s->revents = revents;
	if (read(fd, buf, sizeof(buf)) < 0)
		s->revents = -1;
	if (s->del_self)
		uftp_loop_del(s->loop, fd);
}

static void make_pipe(int p[2])
{
	CU_ASSERT_EQUAL_FATAL(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void test_timer_only(void)
{
	struct uftp_loop l;
	uint64_t start, took;

	uftp_loop_init(&l);
	start = uftp_clock_now();
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, start + 30 * MS), 0);
	took = uftp_clock_now() - start;
	CU_ASSERT(took >= 30 * MS);
	CU_ASSERT(took < 1000 * MS);
	/* A deadline already past only checks, it does not sleep. */
	start = uftp_clock_now();
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, 0), 0);
	CU_ASSERT(uftp_clock_now() - start < 100 * MS);
	uftp_loop_free(&l);
}

static void test_readable_fd(void)
{
	struct uftp_loop l;
	struct seen s = {0};
	int p[2];
	uint64_t start;

	make_pipe(p);
	uftp_loop_init(&l);
	CU_ASSERT_EQUAL(uftp_loop_add(&l, p[0], POLLIN, on_fd, &s), 0);
	CU_ASSERT_EQUAL(uftp_loop_add(&l, p[0], POLLIN, on_fd, &s), UFTP_ERR_EXISTS);
	CU_ASSERT_EQUAL(uftp_loop_add(&l, -1, POLLIN, on_fd, &s), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	start = uftp_clock_now();
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, start + 2000 * MS), 1);
	CU_ASSERT(uftp_clock_now() - start < 1000 * MS); /* woke on the fd, not the deadline */
	CU_ASSERT_EQUAL(s.calls, 1);
	CU_ASSERT_EQUAL(s.fd, p[0]);
	CU_ASSERT(s.revents & POLLIN);
	/* Drained: the next turn times out. */
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, uftp_clock_now() + 20 * MS), 0);
	CU_ASSERT_EQUAL(s.calls, 1);
	/* Removal from inside the callback. */
	s.loop = &l;
	s.del_self = 1;
	CU_ASSERT_EQUAL(write(p[1], "y", 1), 1);
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, uftp_clock_now() + 2000 * MS), 1);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(uftp_loop_del(&l, p[0]), UFTP_ERR_INVALID);
	uftp_loop_free(&l);
	close(p[0]);
	close(p[1]);
}

static void test_pollout_events(void)
{
	struct uftp_loop l;
	struct seen s = {0};
	int p[2];

	make_pipe(p);
	uftp_loop_init(&l);
	CU_ASSERT_EQUAL(uftp_loop_add(&l, p[1], 0, on_fd, &s), 0);
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, uftp_clock_now() + 10 * MS), 0);
	CU_ASSERT_EQUAL(uftp_loop_set_events(&l, p[1], POLLOUT), 0);
	CU_ASSERT_EQUAL(uftp_loop_run_once(&l, uftp_clock_now() + 2000 * MS), 1);
	CU_ASSERT(s.revents & POLLOUT);
	CU_ASSERT_EQUAL(uftp_loop_set_events(&l, 12345, POLLOUT), UFTP_ERR_INVALID);
	uftp_loop_free(&l);
	close(p[0]);
	close(p[1]);
}

static void test_capacity(void)
{
	struct uftp_loop l;
	struct seen s = {0};
	int i;

	uftp_loop_init(&l);
	for (i = 0; i < UFTP_LOOP_MAX; i++)
		CU_ASSERT_EQUAL(uftp_loop_add(&l, 1000 + i, POLLIN, on_fd, &s), 0);
	CU_ASSERT_EQUAL(uftp_loop_add(&l, 5000, POLLIN, on_fd, &s), UFTP_ERR_NOSPACE);
	uftp_loop_free(&l);
}

struct sigs {
	int got[8];
	int n;
	struct uftp_loop *loop;
};

static void on_sig(void *arg, int signo)
{
	struct sigs *s = arg;

	if (s->n < 8)
		s->got[s->n++] = signo;
	if (signo == SIGTERM)
		uftp_loop_stop(s->loop);
}

static void test_signals(void)
{
	static const int catch[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
	struct uftp_loop l, other;
	struct sigs s = {{0}, 0, NULL};
	uint64_t end;

	uftp_loop_init(&l);
	uftp_loop_init(&other);
	s.loop = &l;
	CU_ASSERT_EQUAL_FATAL(uftp_loop_catch_signals(&l, catch, 4, on_sig, &s), 0);
	CU_ASSERT_EQUAL(uftp_loop_catch_signals(&other, catch, 1, on_sig, &s), UFTP_ERR_STATE);
	raise(SIGHUP);
	raise(SIGTERM);
	end = uftp_clock_now() + 2000 * MS;
	while (s.n < 2 && uftp_clock_now() < end)
		CU_ASSERT(uftp_loop_run_once(&l, end) >= 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.got[0], SIGHUP);
	CU_ASSERT_EQUAL(s.got[1], SIGTERM);
	CU_ASSERT(uftp_loop_stopped(&l));
	uftp_loop_free(&l);
	/* Freed: another loop may now catch signals. */
	CU_ASSERT_EQUAL(uftp_loop_catch_signals(&other, catch, 1, on_sig, &s), 0);
	uftp_loop_free(&other);
	CU_ASSERT(signal(SIGINT, SIG_DFL) == SIG_DFL);
}

/* ---- receive pacing ---------------------------------------------------- */

#define US 1000ull

/* Reads after holds while datagrams of len bytes arrive every gap ns; returns the last read's
 * count. */
static int stream(struct uftp_rx_hold *h, uint64_t gap, size_t len, int reads)
{
	uint64_t now = 0;
	int i, n = 3; /* the wake-up that started it */

	CU_ASSERT_EQUAL(uftp_rx_hold_next(h, n, n * len, 0, now), UFTP_HOLD_MIN_NS);
	for (i = 0; i < reads; i++) {
		CU_ASSERT_TRUE(h->ns >= UFTP_HOLD_MIN_NS && h->ns <= UFTP_HOLD_MAX_NS);
		CU_ASSERT_EQUAL(h->until, now + h->ns);
		now = h->until;
		n = (int)(h->ns / gap);
		if (!uftp_rx_hold_next(h, n, (size_t)n * len, 1, now))
			break;
	}
	return n;
}

static void test_hold_converges(void)
{
	struct uftp_rx_hold h = {0, 0, 524288};
	uint64_t prev;
	int n;

	/* 100000 datagrams/s of 1300 bytes: about 32 per read, within the budget */
	n = stream(&h, 10 * US, 1300, 20);
	CU_ASSERT_TRUE(n >= UFTP_HOLD_TARGET - 2 && n <= UFTP_HOLD_TARGET + 2);
	CU_ASSERT_TRUE(h.ns >= 300 * US && h.ns <= 340 * US);
	CU_ASSERT_TRUE((size_t)n * (2 * 1300 + 512) <= h.rcvbuf / 4);
	/* a rate tripling at once: the next hold shrinks in proportion */
	prev = h.ns;
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 3 * n, 3 * (size_t)n * 1300, 1, 0), prev / 3);
	/* a burst far over target: back to the shortest hold, never 0 */
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 512, 512 * 1300, 1, 0), UFTP_HOLD_MIN_NS);
	/* growth is at most twofold per read */
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 2, 2600, 1, 0), 2 * UFTP_HOLD_MIN_NS);
}

static void test_hold_budget(void)
{
	struct uftp_rx_hold h = {0, 0, 524288};
	int n;

	/* 8800-byte blocks: few fit a quarter of the buffer, so reads are smaller */
	n = stream(&h, 10 * US, 8800, 20);
	CU_ASSERT_TRUE(n >= 5 && n <= 8);
	CU_ASSERT_TRUE((size_t)n * (2 * 8800 + 512) <= h.rcvbuf / 4 + 2 * 8800);
	/* a buffer too small to gather UFTP_HOLD_MIN_FIT of them: no holds at all */
	h.rcvbuf = 65536;
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 10, 10 * 8800, 0, 0), 0);
	CU_ASSERT_EQUAL(h.until, 0);
	h.rcvbuf = 0;
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 10, 10 * 100, 0, 0), 0);
}

static void test_hold_trickle(void)
{
	struct uftp_rx_hold h = {0, 0, 524288};

	/* one datagram per wake-up: no hold, replies go out at once */
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 1, 1300, 0, 5), 0);
	CU_ASSERT_EQUAL(h.until, 0);
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 0, 0, 0, 5), 0);
	/* slow traffic (1000/s): the hold grows to the longest, then one per read ends it */
	CU_ASSERT_EQUAL(stream(&h, 1000 * US, 1300, 20), 0);
	CU_ASSERT_EQUAL(h.ns, 0);
	CU_ASSERT_EQUAL(h.until, 0);
	/* 5000/s: holds stay at the longest, never beyond */
	stream(&h, 200 * US, 1300, 20);
	CU_ASSERT_EQUAL(h.ns, UFTP_HOLD_MAX_NS);
	/* the transfer ends: the read after the hold finds nothing */
	CU_ASSERT_EQUAL(uftp_rx_hold_next(&h, 0, 0, 1, 7), 0);
	CU_ASSERT_EQUAL(h.until, 0);
}

static const struct cutest tests[] = {
    CUTEST(test_timer_only),  CUTEST(test_readable_fd),  CUTEST(test_pollout_events),
    CUTEST(test_capacity),    CUTEST(test_signals),      CUTEST(test_hold_converges),
    CUTEST(test_hold_budget), CUTEST(test_hold_trickle),
};

CUTEST_MAIN("loop", tests)
