/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The drivers' send queue (src/lib/pump.c, a ring) over a datagram socket
 * pair whose peer does not read: the kernel refuses more (EAGAIN), the
 * rest must wait in order and all arrive once the peer reads; only what
 * finds the queue full is dropped, and counted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "tests/unit/cutest.h"
#include "lib/pump.h"

#define LEN     1000
#define TXQ_CAP 256

static int sv[2];
static struct uftp_sock sock;

static void open_pair(void)
{
	int small = 4096;

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	memset(&sock, 0, sizeof(sock));
	sock.fd = sv[0];
	sock.family = AF_INET;         /* no address: the pair is connected */
	sock.flags = UFTP_SOCK_NO_GSO; /* no UDP on a local pair: sendmmsg */
}

static void close_pair(void)
{
	close(sv[0]);
	close(sv[1]);
}

/* Queues datagram number seq (its first 4 bytes), as the proxy's send.c does. */
static int push(struct uftp_txq *q, uint32_t seq)
{
	struct uftp_addr none;
	uint8_t *slot = uftp_txq_next(q);

	if (!slot) {
		uftp_txq_drop(q);
		return 0;
	}
	memset(&none, 0, sizeof(none));
	memset(slot, 0xab, LEN);
	memcpy(slot, &seq, sizeof(seq));
	uftp_txq_push(q, &none, LEN);
	return 1;
}

/* Reads what the peer got; checks the order; returns the count. */
static unsigned read_all(uint32_t *next)
{
	uint8_t buf[2 * LEN];
	unsigned n = 0;
	uint32_t seq;
	ssize_t r;

	while ((r = recv(sv[1], buf, sizeof(buf), 0)) > 0) {
		CU_ASSERT_EQUAL(r, LEN);
		memcpy(&seq, buf, sizeof(seq));
		CU_ASSERT_EQUAL(seq, *next);
		*next = seq + 1;
		n++;
	}
	return n;
}

/*
 * 600 datagrams, far more than the socket takes and more than the ring
 * holds (it wraps): pushed while there is room, none lost, all in order.
 */
static void test_blocked_then_drained(void)
{
	struct uftp_txq q;
	uint32_t sent = 0, next = 0;
	unsigned got = 0;
	int rv, k;

	open_pair();
	CU_ASSERT_EQUAL_FATAL(uftp_txq_init(&q, TXQ_CAP, LEN), 0);
	while (sent < 200)
		sent += (uint32_t)push(&q, sent);
	rv = uftp_txq_flush(&q, &sock);
	CU_ASSERT_EQUAL(rv, 1); /* the socket refused some: they wait */
	CU_ASSERT(q.n > 0);
	CU_ASSERT_EQUAL(q.dropped, 0);
	CU_ASSERT(sock.stats.tx_blocked > 0);
	for (k = 0; k < 10000 && got < 600; k++) {
		while (sent < 600 && uftp_txq_next(&q))
			sent += (uint32_t)push(&q, sent);
		got += read_all(&next);
		rv = uftp_txq_flush(&q, &sock);
	}
	got += read_all(&next);
	CU_ASSERT_EQUAL(got, 600);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT_EQUAL(q.n, 0);
	CU_ASSERT_EQUAL(q.dropped, 0);
	uftp_txq_free(&q);
	close_pair();
}

/* The queue is bounded: with the peer not reading, what does not fit is counted. */
static void test_full_queue_counts(void)
{
	struct uftp_txq q;
	uint32_t i, next = 0;
	unsigned queued = 0, got = 0;
	int k;

	open_pair();
	CU_ASSERT_EQUAL_FATAL(uftp_txq_init(&q, TXQ_CAP, LEN), 0);
	for (i = 0; i < TXQ_CAP + 50; i++)
		queued += (unsigned)push(&q, i);
	CU_ASSERT_EQUAL(queued, TXQ_CAP);
	CU_ASSERT_EQUAL(q.dropped, 50);
	CU_ASSERT_EQUAL(uftp_txq_flush(&q, &sock), 1);
	for (k = 0; k < 10000 && got < TXQ_CAP; k++) {
		got += read_all(&next);
		uftp_txq_flush(&q, &sock);
	}
	CU_ASSERT_EQUAL(got, TXQ_CAP); /* the queued ones all arrive, in order */
	CU_ASSERT_EQUAL(q.dropped, 50);
	uftp_txq_free(&q);
	close_pair();
}

/* A hard error (the socket closed under us) empties the queue and counts it. */
static void test_hard_error(void)
{
	struct uftp_txq q;
	uint32_t i;

	open_pair();
	CU_ASSERT_EQUAL_FATAL(uftp_txq_init(&q, TXQ_CAP, LEN), 0);
	for (i = 0; i < 5; i++)
		push(&q, i);
	close(sv[0]);
	sock.fd = 1000; /* not open */
	CU_ASSERT_EQUAL(uftp_txq_flush(&q, &sock), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(q.n, 0);
	CU_ASSERT_EQUAL(sock.stats.tx_dropped, 5);
	uftp_txq_free(&q);
	close(sv[1]);
}

static const struct cutest tests[] = {
    CUTEST(test_blocked_then_drained),
    CUTEST(test_full_queue_counts),
    CUTEST(test_hard_error),
};

CUTEST_MAIN("txq", tests)
