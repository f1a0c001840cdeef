/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Self-test of the simulator with toy nodes: a sender multicasts numbered
 * datagrams on a timer, receivers answer each one by unicast.  Checks
 * delivery, loss and duplication rates, reordering, that one seed replays
 * the same run, the segment rule (multicast stays on the sender's
 * segments, unicast goes anywhere) and receive batches.
 */
#include <stdint.h>
#include <string.h>

#include "../unit/cutest.h"
#include "simnet.h"
#include "tests/common/testenv.h"

#define TOY_MAX 4096

struct toy {
	int is_sender;
	unsigned total, next;   /* sender: datagrams to send, next number */
	uint64_t due, interval; /* sender: next send time */
	struct uftp_peer group; /* sender: where to send */
	unsigned got[TOY_MAX];  /* counts per number (receiver) or per reply (sender) */
	unsigned nreply;        /* receiver: replies pending */
	unsigned reply[TOY_MAX];
	struct uftp_peer reply_to;
	unsigned last, out_of_order;
};

static int toy_on_datagram(void *core, const struct uftp_peer *from, const uint8_t *buf, size_t len,
                           uint64_t now)
{
	struct toy *t = core;
	unsigned v;

	(void)now;
	if (len != 4)
		return -1;
	v = (unsigned)buf[0] << 24 | (unsigned)buf[1] << 16 | (unsigned)buf[2] << 8 | buf[3];
	if (v >= TOY_MAX)
		return -1;
	t->got[v]++;
	if (v < t->last)
		t->out_of_order++;
	t->last = v;
	if (!t->is_sender && t->nreply < TOY_MAX) {
		t->reply[t->nreply++] = v;
		t->reply_to = *from;
	}
	return 0;
}

static int toy_write(void *core, struct uftp_peer *to, uint8_t *out, size_t cap, uint64_t now)
{
	struct toy *t = core;
	unsigned v;

	if (cap < 4)
		return -1;
	if (t->is_sender) {
		if (t->next >= t->total || now < t->due)
			return 0;
		v = t->next++;
		t->due = now + t->interval;
		*to = t->group;
	} else {
		if (t->nreply == 0)
			return 0;
		v = t->reply[--t->nreply];
		*to = t->reply_to;
	}
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return 4;
}

static uint64_t toy_get_expiry(void *core)
{
	struct toy *t = core;

	return t->is_sender && t->next < t->total ? t->due : UFTP_NEVER;
}

static int toy_handle_expiry(void *core, uint64_t now)
{
	(void)core;
	(void)now;
	return 0;
}

static const struct sim_node_ops toy_ops = {toy_on_datagram, toy_write, toy_get_expiry,
                                            toy_handle_expiry};

static struct toy toys[4];

static int sender_done(void *arg)
{
	struct simnet *net = arg;

	return toys[0].next >= toys[0].total && net->qlen == 0;
}

/* Runs 1 sender + 3 receivers; receiver 1 gets the given link. */
static void run_toy(struct simnet *net, uint64_t seed, const struct sim_link *l1, unsigned n)
{
	struct uftp_peer a;
	int i;

	memset(toys, 0, sizeof(toys));
	sim_init(net, seed, 1000);
	toys[0].is_sender = 1;
	toys[0].total = n;
	toys[0].interval = 1000000; /* 1 ms */
	toys[0].group = sim_ip4(230, 4, 4, 1, 1044);
	for (i = 0; i < 4; i++) {
		a = sim_ip4(198, 18, 0, (uint8_t)(10 + i), 1044);
		CU_ASSERT_EQUAL(sim_add(net, "toy", &a, &toy_ops, &toys[i]), i);
	}
	for (i = 0; i < 4; i++)
		net->nodes[i].in.delay_ns = 500000;
	if (l1 != NULL) {
		uint64_t d = net->nodes[1].in.delay_ns;

		net->nodes[1].in = *l1;
		if (net->nodes[1].in.delay_ns == 0)
			net->nodes[1].in.delay_ns = d;
	}
	CU_ASSERT_EQUAL(sim_run(net, sender_done, net, 60ULL * UFTP_NS_PER_SEC), 1);
}

static void test_clean_delivery(void)
{
	struct simnet net;
	unsigned v;
	int i;

	run_toy(&net, 1, NULL, 1000);
	for (i = 1; i < 4; i++) {
		CU_ASSERT_EQUAL(net.nodes[i].received, 1000);
		CU_ASSERT_EQUAL(toys[i].out_of_order, 0);
	}
	for (v = 0; v < 1000; v++)
		CU_ASSERT_EQUAL(toys[0].got[v], 3); /* one reply from each receiver */
	/* 1000 sends 1 ms apart, the last reply 1 ms after the last send. */
	CU_ASSERT(net.now >= 1000 + 999 * UFTP_NS_PER_MSEC + UFTP_NS_PER_MSEC);
	CU_ASSERT(net.now < 1001 * UFTP_NS_PER_MSEC + 1000);
	sim_free(&net);
}

static void test_loss_dup_reorder(void)
{
	struct sim_link l = {
	    .loss_pm = 100, .dup_pm = 50, .reorder_pm = 200, .reorder_ns = 5 * UFTP_NS_PER_MSEC};
	struct simnet net;
	unsigned v, lost = 0, dups = 0;

	run_toy(&net, 7, &l, 4000);
	for (v = 0; v < 4000; v++) {
		if (toys[1].got[v] == 0)
			lost++;
		if (toys[1].got[v] > 1)
			dups++;
		CU_ASSERT_EQUAL(toys[2].got[v], 1); /* other links untouched */
	}
	/* 10% loss and 5% duplication of the surviving ones, within wide bounds. */
	CU_ASSERT(lost > 280 && lost < 520);
	CU_ASSERT(dups > 100 && dups < 300);
	CU_ASSERT_EQUAL(net.nodes[1].dropped, lost);
	CU_ASSERT(toys[1].out_of_order > 50);
	sim_free(&net);
}

static void test_same_seed_same_run(void)
{
	struct sim_link l = {
	    .loss_pm = 200, .dup_pm = 100, .reorder_pm = 300, .reorder_ns = 3 * UFTP_NS_PER_MSEC};
	static struct toy first[4];
	struct simnet net;
	uint64_t end1;

	run_toy(&net, 42, &l, 2000);
	memcpy(first, toys, sizeof(first));
	end1 = net.now;
	sim_free(&net);
	run_toy(&net, 42, &l, 2000);
	CU_ASSERT_EQUAL(memcmp(first, toys, sizeof(first)), 0);
	CU_ASSERT_EQUAL(end1, net.now);
	sim_free(&net);
	run_toy(&net, 43, &l, 2000);
	CU_ASSERT_NOT_EQUAL(memcmp(first[1].got, toys[1].got, sizeof(first[1].got)), 0);
	sim_free(&net);
}

/* Runs the sender (node 0) and 3 receivers on the given segments, with no link effects. */
static void run_segments(struct simnet *net, const uint32_t segs[4], const uint32_t out[4],
                         unsigned n, uint64_t interval)
{
	struct uftp_peer a;
	int i;

	memset(toys, 0, sizeof(toys));
	sim_init(net, 1, 1000);
	toys[0].is_sender = 1;
	toys[0].total = n;
	toys[0].interval = interval;
	toys[0].group = sim_ip4(230, 4, 4, 1, 1044);
	for (i = 0; i < 4; i++) {
		a = sim_ip4(198, 18, 0, (uint8_t)(10 + i), 1044);
		CU_ASSERT_EQUAL(sim_add(net, "toy", &a, &toy_ops, &toys[i]), i);
		CU_ASSERT_EQUAL(net->nodes[i].segs, SIM_SEG_DFLT); /* the default */
		net->nodes[i].segs = segs[i];
		net->nodes[i].mcast_out = out[i];
		net->nodes[i].in.delay_ns = 500000;
	}
	CU_ASSERT_EQUAL(sim_run(net, sender_done, net, 60ULL * UFTP_NS_PER_SEC), 1);
}

static void test_segments_multicast_stays_on_segment(void)
{
	/* sender on 1; receivers on 1, on 2 only, and on both */
	static const uint32_t segs[4] = {SIM_SEG(1), SIM_SEG(1), SIM_SEG(2),
	                                 SIM_SEG(1) | SIM_SEG(2)};
	static const uint32_t none[4] = {0};
	struct simnet net;
	unsigned v;

	run_segments(&net, segs, none, 200, UFTP_NS_PER_MSEC);
	CU_ASSERT_EQUAL(net.nodes[1].received, 200);
	CU_ASSERT_EQUAL(net.nodes[2].received, 0); /* another segment: never heard the sender */
	CU_ASSERT_EQUAL(net.nodes[3].received, 200);
	/* unicast replies reach the sender from every receiver that heard it */
	for (v = 0; v < 200; v++)
		CU_ASSERT_EQUAL(toys[0].got[v], 2);
	CU_ASSERT_EQUAL(net.nodes[0].received, 400);
	sim_free(&net);
}

static void test_segments_mcast_out(void)
{
	/* a sender on both segments that multicasts on segment 2 only (a proxy's -O) */
	static const uint32_t segs[4] = {SIM_SEG(1) | SIM_SEG(2), SIM_SEG(1), SIM_SEG(2),
	                                 SIM_SEG(2) | SIM_SEG(3)};
	static const uint32_t out[4] = {SIM_SEG(2), 0, 0, 0};
	struct simnet net;

	run_segments(&net, segs, out, 100, UFTP_NS_PER_MSEC);
	CU_ASSERT_EQUAL(net.nodes[1].received, 0);
	CU_ASSERT_EQUAL(net.nodes[2].received, 100);
	CU_ASSERT_EQUAL(net.nodes[3].received, 100);
	CU_ASSERT_EQUAL(net.nodes[0].received, 200);
	sim_free(&net);
}

static void test_segments_rule(void)
{
	struct uftp_peer a, g4 = sim_ip4(230, 4, 4, 1, 1044), g6, u6;
	struct simnet net;
	int i;

	sim_init(&net, 1, 0);
	for (i = 0; i < 4; i++) {
		a = sim_ip4(198, 18, 0, (uint8_t)(10 + i), 1044);
		sim_add(&net, "toy", &a, &toy_ops, &toys[i]);
	}
	memset(&g6, 0, sizeof(g6));
	g6.ip.family = 6;
	g6.ip.addr[0] = 0xff;
	g6.ip.addr[1] = 0x15;
	u6 = g6;
	u6.ip.addr[0] = 0xfd;
	/* everyone on segment 1 by default: every multicast reaches every other node */
	CU_ASSERT(sim_reaches(&net, 0, 1, &g4));
	CU_ASSERT(sim_reaches(&net, 0, 3, &g6));
	CU_ASSERT(!sim_reaches(&net, 0, 0, &g4)); /* never the sender */
	net.nodes[1].segs = SIM_SEG(2);
	net.nodes[2].segs = SIM_SEG(1) | SIM_SEG(2);
	CU_ASSERT(!sim_reaches(&net, 0, 1, &g4));
	CU_ASSERT(!sim_reaches(&net, 1, 0, &g6));
	CU_ASSERT(sim_reaches(&net, 0, 2, &g4));
	CU_ASSERT(sim_reaches(&net, 1, 2, &g4));
	/* multicast out on segment 2 only: the sender's own segment 1 no longer hears it */
	net.nodes[2].mcast_out = SIM_SEG(2);
	CU_ASSERT(!sim_reaches(&net, 2, 0, &g4));
	CU_ASSERT(sim_reaches(&net, 2, 1, &g4));
	/* unicast: by address, across segments, and only there */
	a = net.nodes[1].addr;
	a.port = 9;
	CU_ASSERT(sim_reaches(&net, 0, 1, &a));
	CU_ASSERT(!sim_reaches(&net, 0, 2, &a));
	CU_ASSERT(!sim_reaches(&net, 0, 3, &a));
	CU_ASSERT(!sim_reaches(&net, 0, 1, &u6)); /* family differs */
	sim_free(&net);
}

static void test_rx_batch_drains_in_between(void)
{
	static const uint32_t segs[4] = {SIM_SEG(1), SIM_SEG(1), SIM_SEG(2), SIM_SEG(2)};
	static const uint32_t none[4] = {0};
	struct uftp_peer a;
	struct simnet net;
	int i;

	/* 50 datagrams at once: drained once per turn, the receiver answers them last first */
	run_segments(&net, segs, none, 50, 0);
	CU_ASSERT_EQUAL(toys[1].nreply, 0);
	CU_ASSERT_EQUAL(toys[0].out_of_order, 49);
	sim_free(&net);
	/* drained after each one, as a driver's receive batch of 1: in order */
	memset(toys, 0, sizeof(toys));
	sim_init(&net, 1, 1000);
	toys[0].is_sender = 1;
	toys[0].total = 50;
	toys[0].group = sim_ip4(230, 4, 4, 1, 1044);
	for (i = 0; i < 2; i++) {
		a = sim_ip4(198, 18, 0, (uint8_t)(10 + i), 1044);
		sim_add(&net, "toy", &a, &toy_ops, &toys[i]);
		net.nodes[i].in.delay_ns = 500000;
	}
	net.nodes[1].rx_batch = 1;
	CU_ASSERT_EQUAL(sim_run(&net, sender_done, &net, 60ULL * UFTP_NS_PER_SEC), 1);
	CU_ASSERT_EQUAL(net.nodes[0].received, 50);
	CU_ASSERT_EQUAL(toys[0].out_of_order, 0);
	sim_free(&net);
}

static void test_random_fill_deterministic(void)
{
	struct simnet a, b;
	uint8_t x[64], y[64];

	sim_init(&a, 5, 0);
	sim_init(&b, 5, 0);
	testenv_random(&a.rng, x, sizeof(x));
	testenv_random(&b.rng, y, sizeof(y));
	CU_ASSERT_EQUAL(memcmp(x, y, sizeof(x)), 0);
	testenv_random(&b.rng, y, sizeof(y));
	CU_ASSERT_NOT_EQUAL(memcmp(x, y, sizeof(x)), 0);
}

static const struct cutest tests[] = {
    CUTEST(test_clean_delivery),
    CUTEST(test_loss_dup_reorder),
    CUTEST(test_same_seed_same_run),
    CUTEST(test_random_fill_deterministic),
    CUTEST(test_segments_multicast_stays_on_segment),
    CUTEST(test_segments_mcast_out),
    CUTEST(test_segments_rule),
    CUTEST(test_rx_batch_drains_in_between),
};

CUTEST_MAIN("simnet", tests)
