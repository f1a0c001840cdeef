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

static const struct cutest tests[] = {
    CUTEST(test_timer_only), CUTEST(test_readable_fd), CUTEST(test_pollout_events),
    CUTEST(test_capacity),   CUTEST(test_signals),
};

CUTEST_MAIN("loop", tests)
