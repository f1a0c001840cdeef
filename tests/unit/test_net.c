/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/clock.h"
#include "lib/daemon.h"
#include "lib/iface.h"
#include "lib/net.h"
#include "lib/pump.h"
#include "tests/unit/cutest.h"

#define NDGRAMS 150 /* more than two batches */
#define WAIT_NS (2 * UFTP_NS_PER_SEC)

static void test_clock(void)
{
	uint64_t a = uftp_clock_now(), b = uftp_clock_now();
	struct uftp_walltime w = uftp_clock_wall();

	CU_ASSERT(b >= a);
	CU_ASSERT(a > 0);
	CU_ASSERT(w.sec > 1600000000);
	CU_ASSERT(w.usec < 1000000);
}

static int have_v6_loopback(void)
{
	struct uftp_iface i;

	return uftp_iface_lookup(&i, "::1", AF_INET6) == 0;
}

static void test_iface_loopback(void)
{
	struct uftp_iface i, j;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL_FATAL(uftp_iface_lookup(&i, "lo", AF_UNSPEC), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&i.addr, buf, sizeof(buf)), "127.0.0.1");
	CU_ASSERT_EQUAL(i.index, if_nametoindex("lo"));
	CU_ASSERT(i.flags & UFTP_IFF_LOOPBACK);
	CU_ASSERT(i.flags & UFTP_IFF_UP);
	CU_ASSERT_EQUAL(uftp_iface_lookup(&j, "127.0.0.1", AF_UNSPEC), 0);
	CU_ASSERT_STRING_EQUAL(j.name, "lo");
	CU_ASSERT_EQUAL(uftp_iface_lookup(&j, "localhost", AF_INET), 0);
	CU_ASSERT_STRING_EQUAL(j.name, "lo");
	CU_ASSERT_EQUAL(uftp_iface_lookup(&j, "nosuchif0", AF_UNSPEC), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_iface_lookup(&j, "192.0.2.254", AF_UNSPEC), UFTP_ERR_INVALID);
	if (have_v6_loopback()) {
		CU_ASSERT_EQUAL(uftp_iface_lookup(&j, "lo", AF_INET6), 0);
		CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&j.addr, buf, sizeof(buf)), "::1");
	}
}

static void test_iface_list(void)
{
	struct uftp_iface list[64];
	int n = uftp_iface_list(list, 64);
	int pos;

	CU_ASSERT_FATAL(n > 0);
	pos = uftp_iface_find_index(list, (size_t)n, if_nametoindex("lo"), AF_INET);
	CU_ASSERT_FATAL(pos >= 0);
	CU_ASSERT_STRING_EQUAL(list[pos].name, "lo");
	CU_ASSERT_EQUAL(uftp_iface_find_index(list, (size_t)n, 0, AF_UNSPEC), UFTP_ERR_INVALID);
	if (n > 1)
		CU_ASSERT_EQUAL(uftp_iface_list(list, 1), UFTP_ERR_NOSPACE);
}

/* The daemons' -I step: interfaces into a set, -I names that match nothing refused. */
static void test_ifset_select(void)
{
	struct uftp_ifset set;
	struct uftp_addr first;
	char buf[UFTP_ADDRSTRLEN];
	char *lo[] = {"lo"}, *bad[] = {"lo", "nosuchif0"};
	const unsigned *idx;
	size_t n;

	memset(&set, 0, sizeof(set));
	idx = uftp_ifset_get(&set, AF_INET, &n); /* none: the kernel chooses */
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(idx[0], 0);
	CU_ASSERT_EQUAL_FATAL(uftp_ifset_select(&set, lo, 1, 1, &first), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&first, buf, sizeof(buf)), "127.0.0.1");
	idx = uftp_ifset_get(&set, AF_INET, &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(idx[0], if_nametoindex("lo"));
	idx = uftp_ifset_get(&set, AF_INET6, &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(idx[0], have_v6_loopback() ? if_nametoindex("lo") : 0);
	/* the same name again adds nothing; one-family selection leaves v6 alone */
	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(uftp_ifset_select(&set, lo, 1, 0, &first), 0);
	CU_ASSERT_EQUAL(uftp_ifset_select(&set, lo, 1, 0, &first), 0);
	CU_ASSERT_EQUAL(set.n4, 1);
	CU_ASSERT_EQUAL(set.n6, 0);
	CU_ASSERT_EQUAL(uftp_ifset_select(&set, bad, 2, 1, &first), EXIT_BADOPT);
}

static void set_iface(struct uftp_iface *i, const char *name, const char *addr, unsigned flags)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->index = (unsigned)name[3] - '0';
	uftp_addr_parse(&i->addr, addr, 0);
	i->flags = flags;
}

static void test_iface_default(void)
{
	const unsigned ok = UFTP_IFF_UP | UFTP_IFF_MULTICAST;
	struct uftp_iface l[6];

	set_iface(&l[0], "eth0", "fe80::1", ok);
	set_iface(&l[1], "lo00", "127.0.0.1", ok | UFTP_IFF_LOOPBACK);
	set_iface(&l[2], "eth1", "10.0.0.1", UFTP_IFF_UP); /* no multicast */
	set_iface(&l[3], "eth2", "fd00::2", ok);
	set_iface(&l[4], "eth3", "192.0.2.2", ok);
	set_iface(&l[5], "eth4", "192.0.2.3", UFTP_IFF_MULTICAST); /* down */
	CU_ASSERT_EQUAL(uftp_iface_find_default(l, 6, AF_UNSPEC), 4);
	CU_ASSERT_EQUAL(uftp_iface_find_default(l, 6, AF_INET6), 3);
	CU_ASSERT_EQUAL(uftp_iface_find_default(l, 1, AF_UNSPEC), 0);
	CU_ASSERT_EQUAL(uftp_iface_find_default(l + 1, 2, AF_UNSPEC), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_iface_find_name(l, 6, "eth2", AF_UNSPEC), 3);
	CU_ASSERT_EQUAL(uftp_iface_find_addr(l, 6, &l[4].addr), 4);
}

static void open_loopback(struct uftp_sock *s, const char *addr, unsigned flags)
{
	struct uftp_addr a;

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, addr, 0), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_sock_open(s, &a, flags), 0);
}

static void test_sock_options(void)
{
	struct uftp_sock s;
	struct uftp_addr local;
	struct uftp_iface lo;
	int snd = 0, rcv = 0;

	open_loopback(&s, "127.0.0.1", UFTP_SOCK_REUSEADDR);
	CU_ASSERT_EQUAL(uftp_sock_local(&s, &local), 0);
	CU_ASSERT_NOT_EQUAL(uftp_addr_port(&local), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_bufsize(&s, 262144), 0);
	CU_ASSERT_EQUAL(uftp_sock_get_bufsize(&s, &snd, &rcv), 0);
	CU_ASSERT(snd >= 262144 && rcv >= 262144);
	CU_ASSERT_EQUAL(uftp_sock_set_bufsize(&s, 0), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sock_set_ttl(&s, 1), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_ttl(&s, 256), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sock_set_dscp(&s, 46), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_dscp(&s, 64), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sock_set_loop(&s, 1), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_nonblock(&s, 1), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_iface_lookup(&lo, "lo", AF_INET), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_mcast_if(&s, &lo), 0);
	uftp_sock_close(&s);
	uftp_sock_close(&s);
	CU_ASSERT_EQUAL(s.fd, -1);
	uftp_addr_clear(&local);
	CU_ASSERT_EQUAL(uftp_sock_open(&s, &local, 0), UFTP_ERR_INVALID);
}

static void test_sock_v6_options(void)
{
	struct uftp_sock s;
	struct uftp_iface lo;

	if (!have_v6_loopback())
		return;
	open_loopback(&s, "::", 0);
	CU_ASSERT_EQUAL(uftp_sock_set_ttl(&s, 4), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_dscp(&s, 10), 0);
	CU_ASSERT_EQUAL(uftp_iface_lookup(&lo, "lo", AF_INET6), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_mcast_if(&s, &lo), 0);
	CU_ASSERT_EQUAL(uftp_iface_lookup(&lo, "lo", AF_INET), 0);
	CU_ASSERT_EQUAL(uftp_sock_set_mcast_if(&s, &lo), 0); /* dual-stack */
	uftp_sock_close(&s);
}

/* Waits at most ms for fd to become readable; returns 1 if it did. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* Receives until want datagrams arrived or WAIT_NS passed; returns the count. */
static int recv_all(struct uftp_sock *s, uint8_t bufs[][64], struct uftp_dgram *rx, int want)
{
	uint64_t end = uftp_clock_now() + WAIT_NS;
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	int got = 0, i, r;

	while (got < want && uftp_clock_now() < end) {
		for (i = got; i < want; i++) {
			rx[i].buf = bufs[i];
			rx[i].cap = 64;
		}
		r = uftp_sock_recv(s, rx + got, (size_t)(want - got));
		CU_ASSERT_FATAL(r >= 0);
		got += r;
		if (r == 0)
			poll(&p, 1, 100);
	}
	return got;
}

static void roundtrip(const char *bind_rx, const char *bind_tx, const char *dst, unsigned flags)
{
	static uint8_t txbuf[NDGRAMS][64], rxbuf[NDGRAMS][64];
	static struct uftp_dgram tx[NDGRAMS], rx[NDGRAMS];
	struct uftp_sock a, b;
	struct uftp_addr to, from;
	int i;

	open_loopback(&a, bind_rx, flags);
	open_loopback(&b, bind_tx, flags);
	uftp_sock_local(&a, &to);
	uftp_addr_parse(&to, dst, uftp_addr_port(&to));
	uftp_sock_local(&b, &from);
	for (i = 0; i < NDGRAMS; i++) {
		tx[i].addr = to;
		tx[i].buf = txbuf[i];
		tx[i].len = (size_t)(1 + i % 60);
		memset(txbuf[i], i, sizeof(txbuf[i]));
	}
	CU_ASSERT_EQUAL(uftp_sock_send(&b, tx, NDGRAMS), NDGRAMS);
	CU_ASSERT_EQUAL(b.stats.tx_packets, NDGRAMS);
	CU_ASSERT_EQUAL_FATAL(recv_all(&a, rxbuf, rx, NDGRAMS), NDGRAMS);
	for (i = 0; i < NDGRAMS; i++) {
		CU_ASSERT_EQUAL(rx[i].len, tx[i].len);
		CU_ASSERT_EQUAL(rx[i].buf[0], (uint8_t)i);
		CU_ASSERT(!rx[i].truncated);
		/* A sender bound to a wildcard address: the kernel picks its source. */
		CU_ASSERT(uftp_addr_is_any(&from)
		              ? uftp_addr_port(&rx[i].addr) == uftp_addr_port(&from)
		              : uftp_addr_equal(&rx[i].addr, &from));
	}
	CU_ASSERT_EQUAL(a.stats.rx_packets, NDGRAMS);
	CU_ASSERT_EQUAL(uftp_sock_recv(&a, rx, 4), 0); /* nothing left: EAGAIN -> 0 */
	uftp_sock_close(&a);
	uftp_sock_close(&b);
}

static void test_roundtrip_mmsg(void)
{
	roundtrip("127.0.0.1", "127.0.0.1", "127.0.0.1", 0);
}

static void test_roundtrip_fallback(void)
{
	roundtrip("127.0.0.1", "127.0.0.1", "127.0.0.1", UFTP_SOCK_NO_MMSG);
}

static void test_roundtrip_v6(void)
{
	if (!have_v6_loopback())
		return;
	roundtrip("::1", "::1", "::1", 0);
	/* A dual-stack receiver sees the IPv4 sender as plain IPv4. */
	roundtrip("::", "127.0.0.1", "127.0.0.1", 0);
	/* A dual-stack sender reaches an IPv4 address and reports itself as IPv4. */
	roundtrip("127.0.0.1", "::", "127.0.0.1", 0);
}

static void test_truncated_and_errors(void)
{
	uint8_t big[100] = {0}, small[10];
	struct uftp_sock a, b;
	struct uftp_dgram d = {.buf = big, .len = sizeof(big)};
	struct uftp_dgram r = {.buf = small, .cap = sizeof(small)};
	struct uftp_addr v6;

	open_loopback(&a, "127.0.0.1", 0);
	open_loopback(&b, "127.0.0.1", 0);
	uftp_sock_local(&a, &d.addr);
	CU_ASSERT_EQUAL(uftp_sock_send(&b, &d, 1), 1);
	CU_ASSERT(wait_readable(a.fd, 2000));
	CU_ASSERT_EQUAL(uftp_sock_recv(&a, &r, 1), 1);
	CU_ASSERT(r.truncated);
	CU_ASSERT_EQUAL(r.len, sizeof(small));
	CU_ASSERT_EQUAL(a.stats.rx_truncated, 1);
	/* A destination the socket cannot reach is dropped and counted, not fatal. */
	uftp_addr_parse(&v6, "::1", 9);
	d.addr = v6;
	CU_ASSERT_EQUAL(uftp_sock_send(&b, &d, 1), 1);
	CU_ASSERT_EQUAL(b.stats.tx_dropped, 1);
	CU_ASSERT_NOT_EQUAL(b.stats.tx_last_errno, 0);
	uftp_sock_close(&b);
	CU_ASSERT_EQUAL(uftp_sock_send(&b, &d, 1), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_sock_recv(&b, &r, 1), UFTP_ERR_IO);
	uftp_sock_close(&a);
}

/* Joins group on lo, sends to it, and expects the datagram back; 0 if skipped. */
static int mcast_loop(const char *group, const char *source)
{
	struct uftp_sock rx, tx;
	struct uftp_addr any, g, src;
	struct uftp_iface lo;
	uint8_t buf[64], msg[5] = "hello";
	struct uftp_dgram d = {.buf = msg, .len = sizeof(msg)};
	struct uftp_dgram r = {.buf = buf, .cap = sizeof(buf)};
	int rv, fam;

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&g, group, 0), 0);
	fam = uftp_addr_family(&g);
	CU_ASSERT_EQUAL_FATAL(uftp_iface_lookup(&lo, "lo", fam), 0);
	uftp_addr_any(&any, fam, 0);
	CU_ASSERT_EQUAL_FATAL(uftp_sock_open(&rx, &any, UFTP_SOCK_REUSEADDR), 0);
	uftp_sock_local(&rx, &any);
	uftp_addr_set_port(&g, uftp_addr_port(&any));
	open_loopback(&tx, fam == AF_INET ? "127.0.0.1" : "::1", 0);
	uftp_addr_parse(&src, fam == AF_INET ? "127.0.0.1" : "::1", 0);
	if (source)
		rv = uftp_sock_join_source(&rx, &g, &src, lo.index);
	else
		rv = uftp_sock_join(&rx, &g, lo.index);
	if (rv == 0 && !source)
		CU_ASSERT_EQUAL(uftp_sock_join(&rx, &g, lo.index), 0); /* idempotent */
	if (rv == 0 && uftp_sock_set_mcast_if(&tx, &lo) == 0 && uftp_sock_set_loop(&tx, 1) == 0) {
		d.addr = g;
		CU_ASSERT_EQUAL(uftp_sock_send(&tx, &d, 1), 1);
		rv = wait_readable(rx.fd, 1000) ? uftp_sock_recv(&rx, &r, 1) : 0;
		if (rv == 1) {
			CU_ASSERT_EQUAL(r.len, 5);
			CU_ASSERT_EQUAL(memcmp(buf, "hello", 5), 0);
		}
		CU_ASSERT_EQUAL(source ? uftp_sock_leave_source(&rx, &g, &src, lo.index)
		                       : uftp_sock_leave(&rx, &g, lo.index),
		                0);
	} else {
		rv = 0;
	}
	uftp_sock_close(&rx);
	uftp_sock_close(&tx);
	if (rv != 1)
		fprintf(stderr, "[multicast %s on lo not available: skipped] ", group);
	return rv;
}

/* The pump's batch: runs of one length (GSO messages), a shorter one that ends a run, more. */
#define PUMP_N 200
static size_t pump_len(int i)
{
	return i < 150 ? 1000 : i == 150 ? 300 : 700;
}

/* Queues PUMP_N datagrams to to and flushes them (waiting on POLLOUT if ever full). */
static void pump_send(struct uftp_sock *b, const struct uftp_addr *to)
{
	struct uftp_txq q;
	struct pollfd p = {.fd = b->fd, .events = POLLOUT};
	uint8_t *buf;
	int i, r, tries = 0;

	CU_ASSERT_EQUAL_FATAL(uftp_txq_init(&q, PUMP_N, 1500), 0);
	for (i = 0; i < PUMP_N; i++) {
		buf = uftp_txq_next(&q);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		memset(buf, i, pump_len(i));
		buf[0] = (uint8_t)(i >> 8);
		uftp_txq_push(&q, to, pump_len(i));
	}
	CU_ASSERT_PTR_NULL(uftp_txq_next(&q)); /* full */
	while ((r = uftp_txq_flush(&q, b)) == 1 && tries++ < 100)
		poll(&p, 1, 10);
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(uftp_txq_pending(&q), 0);
	uftp_txq_free(&q);
}

/* Receives the PUMP_N datagrams through a receive batch and checks each, in order. */
static void pump_recv(struct uftp_sock *a, int gro)
{
	uint64_t end = uftp_clock_now() + WAIT_NS;
	struct pollfd p = {.fd = a->fd, .events = POLLIN};
	const struct uftp_addr *from;
	struct uftp_rxq q;
	uint8_t *buf;
	size_t len;
	int got = 0, cut;

	CU_ASSERT_EQUAL_FATAL(uftp_rxq_init(&q, 16, 1500, gro), 0);
	while (got < PUMP_N && uftp_clock_now() < end) {
		if (uftp_rxq_read(&q, a) == 0)
			poll(&p, 1, 100);
		while (uftp_rxq_pop(&q, &buf, &len, &from, &cut)) {
			CU_ASSERT(!cut);
			CU_ASSERT_EQUAL(len, pump_len(got));
			CU_ASSERT_EQUAL(buf[0], (uint8_t)(got >> 8));
			CU_ASSERT_EQUAL(buf[len - 1], (uint8_t)got);
			got++;
		}
	}
	CU_ASSERT_EQUAL(got, PUMP_N);
	CU_ASSERT_EQUAL(a->stats.rx_packets, PUMP_N);
	if (got != PUMP_N)
		fprintf(stderr, "[%d of %d received, %llu receives] ", got, PUMP_N,
		        (unsigned long long)a->stats.rx_calls);
	uftp_rxq_free(&q);
}

/*
 * GSO out (when the kernel has it: then the 200 datagrams take one system
 * call), received with GRO (fewer receives than datagrams) or without.
 */
static void pump_roundtrip(unsigned txflags, int gro, const char *path)
{
	struct uftp_sock a, b;
	struct uftp_addr to;

	open_loopback(&a, "127.0.0.1", 0);
	open_loopback(&b, "127.0.0.1", txflags);
	CU_ASSERT_EQUAL(uftp_sock_set_rcvbuf(&a, 4 << 20), 0); /* room for the whole batch */
	uftp_sock_local(&a, &to);
	if (strcmp(path, "gso") == 0 && strcmp(uftp_sock_send_path(&b), "gso") != 0) {
		fprintf(stderr, "[no UDP GSO in this kernel: the sendmmsg path was tested] ");
		path = "sendmmsg";
	}
	CU_ASSERT_STRING_EQUAL(uftp_sock_send_path(&b), path);
	pump_send(&b, &to);
	CU_ASSERT_EQUAL(b.stats.tx_packets, PUMP_N);
	if (strcmp(path, "gso") == 0)
		CU_ASSERT_EQUAL(b.stats.tx_calls, 1);
	pump_recv(&a, gro);
	if (gro && strcmp(path, "gso") == 0 && (a.flags & UFTP_SOCK_GRO))
		CU_ASSERT(a.stats.rx_calls < PUMP_N / 4);
	uftp_sock_close(&a);
	uftp_sock_close(&b);
}

static void test_pump_gso_gro(void)
{
	pump_roundtrip(0, 1, "gso");
	pump_roundtrip(0, 0, "gso");
}

static void test_pump_fallbacks(void)
{
	pump_roundtrip(UFTP_SOCK_NO_GSO, 1, "sendmmsg");
	pump_roundtrip(UFTP_SOCK_NO_GSO | UFTP_SOCK_NO_MMSG, 0, "sendmsg");
}

/* A kernel refusing GSO (SO_NO_CHECK makes it EINVAL): sendmmsg then, nothing lost. */
static void test_pump_gso_refused(void)
{
	struct uftp_sock a, b;
	struct uftp_addr to;
	int one = 1;

	open_loopback(&a, "127.0.0.1", 0);
	open_loopback(&b, "127.0.0.1", 0);
	CU_ASSERT_EQUAL(uftp_sock_set_rcvbuf(&a, 4 << 20), 0);
	uftp_sock_local(&a, &to);
	if (strcmp(uftp_sock_send_path(&b), "gso") != 0 ||
	    setsockopt(b.fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)) < 0) {
		fprintf(stderr, "[no UDP GSO to refuse: skipped] ");
	} else {
		pump_send(&b, &to);
		CU_ASSERT_STRING_EQUAL(uftp_sock_send_path(&b), "sendmmsg");
		CU_ASSERT_EQUAL(b.stats.tx_packets, PUMP_N);
		CU_ASSERT_EQUAL(b.stats.tx_dropped, 0);
		pump_recv(&a, 0);
	}
	uftp_sock_close(&a);
	uftp_sock_close(&b);
}

static void test_multicast_lo(void)
{
	mcast_loop("239.255.10.1", NULL);
	mcast_loop("232.1.2.3", "127.0.0.1");
	if (have_v6_loopback()) {
		mcast_loop("ff15::1:2", NULL);
		mcast_loop("ff35::1:3", "::1");
	}
}

static void test_join_invalid(void)
{
	struct uftp_sock s;
	struct uftp_addr g, src;

	open_loopback(&s, "127.0.0.1", 0);
	uftp_addr_parse(&g, "10.0.0.1", 0);
	CU_ASSERT_EQUAL(uftp_sock_join(&s, &g, 0), UFTP_ERR_INVALID);
	uftp_addr_parse(&g, "ff15::1", 0);
	CU_ASSERT_EQUAL(uftp_sock_join(&s, &g, 0), UFTP_ERR_INVALID);
	uftp_addr_parse(&g, "232.1.1.1", 0);
	uftp_addr_parse(&src, "::1", 0);
	CU_ASSERT_EQUAL(uftp_sock_join_source(&s, &g, &src, 0), UFTP_ERR_INVALID);
	uftp_sock_close(&s);
}

static const struct cutest tests[] = {
    CUTEST(test_clock),
    CUTEST(test_iface_loopback),
    CUTEST(test_iface_list),
    CUTEST(test_iface_default),
    CUTEST(test_ifset_select),
    CUTEST(test_sock_options),
    CUTEST(test_sock_v6_options),
    CUTEST(test_roundtrip_mmsg),
    CUTEST(test_roundtrip_fallback),
    CUTEST(test_roundtrip_v6),
    CUTEST(test_truncated_and_errors),
    CUTEST(test_pump_gso_gro),
    CUTEST(test_pump_fallbacks),
    CUTEST(test_pump_gso_refused),
    CUTEST(test_multicast_lo),
    CUTEST(test_join_invalid),
};

CUTEST_MAIN("net", tests)
