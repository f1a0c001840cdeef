/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server_fb.c's feedback rules, on the sender core driven by hand (fake
 * clock, a 3-block file in memory, three clients): the repair pass waits
 * for the answers to the DONE, and a NAK for a block still ahead in the
 * pass is not kept for another pass.  Each case fails with the old rule
 * (repair one GRTT after the first NAK; every NAK kept).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "core/server.h"
#include "tests/unit/cutest.h"

#define GROUP  0x11223344u
#define SERVER 0x0A000064u
#define NCL    3
#define CL(i)  (0x0A000001u + (uint32_t)(i))
#define MS     UFTP_NS_PER_MSEC

struct fx {
	struct uftp_env env;
	struct uftp_server_config cfg;
	struct uftp_server_file file;
	struct uftp_server_file_ops fops;
	uint8_t data[3000];
	struct uftp_server *s;
	uint64_t now, grtt;
	uint8_t pkt[4000];
	struct uftp_peer to;
	struct uftp_header h;
	struct uftp_msg m;
};

static ssize_t rd(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	struct fx *f = arg;

	(void)idx;
	if (off >= sizeof(f->data))
		return 0;
	if (off + len > sizeof(f->data))
		len = sizeof(f->data) - off;
	memcpy(buf, f->data + off, len);
	return (ssize_t)len;
}

static int rnd(void *arg, uint8_t *out, size_t len)
{
	(void)arg;
	memset(out, 0x5a, len);
	return 0;
}

static void logf_(void *arg, int level, const char *msg)
{
	(void)arg;
	(void)level;
	if (getenv("TEST_SERVER_LOG"))
		fprintf(stderr, "log: %s\n", msg);
}

/* What the core sends next without moving the clock (0: nothing). */
static int pop(struct fx *f)
{
	int len;

	uftp_server_on_expiry(f->s, f->now);
	len = uftp_server_pop_send(f->s, &f->to, f->pkt, sizeof(f->pkt), f->now);
	if (len <= 0)
		return 0;
	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(&f->h, f->pkt, (size_t)len), UFTP_HEADER_LEN);
	CU_ASSERT_FATAL(uftp_decode_msg(&f->m, f->h.func, f->pkt + 16, (size_t)len - 16) > 0);
	return f->m.func;
}

/* The next datagram, moving the clock to the core's expiries up to limit ns ahead. */
static int next(struct fx *f, uint64_t limit)
{
	uint64_t end = f->now + limit, e;
	int t;

	while ((t = pop(f)) == 0) {
		e = uftp_server_next_expiry(f->s);
		if (e == UFTP_NEVER || e > end)
			return 0;
		if (e > f->now)
			f->now = e;
	}
	return t;
}

static int feed_rv(struct fx *f, uint32_t id, const uint8_t *body, size_t n)
{
	struct uftp_header h = {0};
	struct uftp_peer from = {{4, {10, 0, 0, (uint8_t)id}}, 1044};
	uint8_t buf[256];

	h.func = body[0];
	h.src_id = id;
	h.group_id = GROUP;
	CU_ASSERT_EQUAL_FATAL(uftp_encode_header(buf, sizeof(buf), &h), 16);
	memcpy(buf + 16, body, n);
	return uftp_server_on_datagram(f->s, &from, buf, 16 + n, f->now);
}

static void feed(struct fx *f, uint32_t id, const uint8_t *body, size_t n)
{
	CU_ASSERT_EQUAL(feed_rv(f, id, body, n), 0);
}

static void reply(struct fx *f, uint32_t id, int func, uint8_t naks)
{
	struct uftp_msg m = {.func = func};
	static const uint8_t zero[UFTP_RAND_LEN];
	uint8_t body[128];
	ssize_t n;

	switch (func) {
	case UFTP_MSG_REGISTER:
		m.u.reg.rand = zero;
		m.u.reg.tstamp_sec = 1700000000;
		n = uftp_encode_register(body, sizeof(body), &m.u.reg);
		break;
	case UFTP_MSG_FILEINFO_ACK:
		m.u.fileinfo_ack.file_id = 1;
		n = uftp_encode_fileinfo_ack(body, sizeof(body), &m.u.fileinfo_ack);
		break;
	case UFTP_MSG_STATUS:
		m.u.status.file_id = 1;
		m.u.status.naks = &naks;
		m.u.status.naks_len = 1;
		n = uftp_encode_status(body, sizeof(body), &m.u.status);
		break;
	default:
		m.u.complete.file_id = 1;
		n = uftp_encode_complete(body, sizeof(body), &m.u.complete);
		break;
	}
	CU_ASSERT_FATAL(n > 0);
	feed(f, id, body, (size_t)n);
}

/* The fixture's core configured (a 3-block file, GRTT 100 ms), not yet created. */
static void setup(struct fx *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < (int)sizeof(f->data); i++)
		f->data[i] = (uint8_t)i;
	f->env.random = rnd;
	f->env.log = logf_;
	f->env.log_level = UFTP_LOG_DEBUG;
	f->fops.arg = f;
	f->fops.read_at = rd;
	f->file.name = "f";
	f->file.ftype = UFTP_FTYPE_REG;
	f->file.size = sizeof(f->data);
	f->cfg.server_id = SERVER;
	f->cfg.group_id = GROUP;
	f->cfg.pub_addr.family = 4;
	memcpy(f->cfg.pub_addr.addr, "\xe6\x04\x04\x01", 4);
	f->cfg.priv_addr = f->cfg.pub_addr;
	f->cfg.port = 1044;
	f->cfg.block_size = 1300;
	f->cfg.robust = 20;
	f->cfg.rate_kbps = -1;
	f->cfg.grtt_init = 100 * MS;
	f->cfg.grtt_min = 100 * MS;
	f->cfg.grtt_max = 100 * MS;
	f->cfg.max_nak_pct = 100;
	f->cfg.max_nak_count = 1;
	f->cfg.files = &f->file;
	f->cfg.nfiles = 1;
	f->cfg.fops = &f->fops;
	f->now = 1000 * UFTP_NS_PER_SEC;
	f->grtt = 100 * MS;
}

/* Three clients registered and acked, pass 1 sent: the core has just sent its DONE. */
static void to_first_done(struct fx *f)
{
	int i, t;

	setup(f);
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f->s, &f->env, &f->cfg, f->now), 0);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_ANNOUNCE);
	for (i = 0; i < NCL; i++)
		reply(f, CL(i), UFTP_MSG_REGISTER, 0);
	do
		t = next(f, 60 * UFTP_NS_PER_SEC);
	while (t != 0 && t != UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_FILEINFO);
	for (i = 0; i < NCL; i++)
		reply(f, CL(i), UFTP_MSG_FILEINFO_ACK, 0);
	do
		t = next(f, 0);
	while (t == UFTP_MSG_FILESEG || t == UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f->m.u.done.ids.count, NCL);
	CU_ASSERT_EQUAL_FATAL(pop(f), 0);
}

/*
 * Rule 1: answers keep coming past the first NAK's GRTT; the repair pass
 * waits for the last one and resends what every client NAKed, once.
 */
static void test_waits_for_the_burst(void)
{
	struct fx f;
	uint64_t t0;
	int blocks = 0, t;

	to_first_done(&f);
	t0 = f.now;
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01); /* block 0 */
	f.now = t0 + f.grtt * 9 / 10;
	CU_ASSERT_EQUAL(pop(&f), 0);
	reply(&f, CL(1), UFTP_MSG_STATUS, 0x01);
	f.now = t0 + f.grtt + MS; /* the old rule repaired here, without client 3's NAK */
	CU_ASSERT_EQUAL(pop(&f), 0);
	reply(&f, CL(2), UFTP_MSG_STATUS, 0x04); /* block 2: every client has answered */
	CU_ASSERT_EQUAL(f.now, t0 + f.grtt + MS);
	t = pop(&f); /* at once */
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0); /* "got your STATUS" */
	while ((t = next(&f, 0)) == UFTP_MSG_FILESEG) {
		CU_ASSERT(f.m.u.fileseg.block == 0 || f.m.u.fileseg.block == 2);
		blocks |= 1 << f.m.u.fileseg.block;
	}
	CU_ASSERT_EQUAL(blocks, 0x05);
	CU_ASSERT_EQUAL(t, UFTP_MSG_DONE);
	uftp_server_free(f.s);
}

/* Rule 1, the cap: a client that never answers is not waited for past 8 GRTT. */
static void test_straggler_not_waited_for(void)
{
	struct fx f;
	uint64_t t0, i;
	int t;

	to_first_done(&f);
	t0 = f.now;
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01);
	/* client 2 answers again and again, client 3 never */
	for (i = 1; i <= 40; i++) {
		f.now = t0 + i * f.grtt / 5;
		if (pop(&f) != 0)
			break;
		reply(&f, CL(1), UFTP_MSG_STATUS, 0x02);
	}
	CU_ASSERT(f.now <= t0 + 8 * f.grtt + f.grtt / 5);
	CU_ASSERT(f.now > t0 + f.grtt);
	t = next(&f, f.grtt);
	CU_ASSERT(t == UFTP_MSG_FILESEG || t == UFTP_MSG_DONE);
	uftp_server_free(f.s);
}

/* Rule 1, quiet: when the answers stop, the repair starts a quarter GRTT later. */
static void test_quiet_after_burst(void)
{
	struct fx f;
	uint64_t t0;

	to_first_done(&f);
	t0 = f.now;
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01);
	f.now = t0 + 2 * f.grtt; /* late, but within the cap */
	reply(&f, CL(1), UFTP_MSG_STATUS, 0x02);
	CU_ASSERT_EQUAL(pop(&f), 0);
	f.now += f.grtt / 4 - MS;
	CU_ASSERT_EQUAL(pop(&f), 0);
	f.now += 2 * MS;
	CU_ASSERT_EQUAL(pop(&f), UFTP_MSG_DONE); /* pass 2 begins (empty DONE first) */
	uftp_server_free(f.s);
}

/*
 * Rule 2: during pass 2, a NAK for a block the pass has still to send is
 * not kept: once the clients complete after pass 2 there is no pass 3.
 */
static void test_nak_for_block_ahead_dropped(void)
{
	struct fx f;
	int t, i;

	to_first_done(&f);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01);
	reply(&f, CL(1), UFTP_MSG_STATUS, 0x04);
	reply(&f, CL(2), UFTP_MSG_COMPLETE, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, f.grtt), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	/* a late NAK for block 2, which this pass has still to send */
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x04);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	/* no NAK is pending: the DONE is asked again, nothing is resent */
	for (i = 0; i < 3; i++) {
		t = next(&f, 4 * f.grtt);
		CU_ASSERT_NOT_EQUAL(t, UFTP_MSG_FILESEG);
		if (t == 0)
			break;
	}
	reply(&f, CL(0), UFTP_MSG_COMPLETE, 0);
	reply(&f, CL(1), UFTP_MSG_COMPLETE, 0);
	uftp_server_free(f.s);
}

/*
 * server_reg.c's client index and sorted host list: a closed group of
 * thousands (one ID listed twice), every REGISTER twice, and one client
 * not on the list.  Each listed client gets one record and one REG_CONF,
 * the stranger none, and the file starts as soon as the last one is in
 * (the duplicate in the list is not waited for).
 */
#define MANY 3000
static void test_closed_group_of_thousands(void)
{
	static struct fx f;
	static struct uftp_peer_key hosts[MANY + 1];
	static uint8_t confirmed[MANY];
	struct uftp_session_stats ss;
	size_t i, n = 0, k;
	int t;

	for (i = 0; i < MANY; i++)
		hosts[i].id = CL(i * 7);
	hosts[MANY].id = CL(17 * 7); /* listed twice */
	setup(&f);
	f.cfg.hosts = hosts;
	f.cfg.nhosts = MANY + 1;
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f.s, &f.env, &f.cfg, f.now), 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	{ /* not listed */
		static const uint8_t zero[UFTP_RAND_LEN];
		struct uftp_register r = {.rand = zero};
		uint8_t body[128];
		ssize_t len = uftp_encode_register(body, sizeof(body), &r);

		CU_ASSERT_FATAL(len > 0);
		CU_ASSERT(feed_rv(&f, CL(3), body, (size_t)len) < 0);
	}
	for (i = 0; i < MANY; i++)
		reply(&f, CL(i * 7), UFTP_MSG_REGISTER, 0);
	for (i = 0; i < MANY; i += 5)
		reply(&f, CL(i * 7), UFTP_MSG_REGISTER, 0); /* again: no second record */
	CU_ASSERT_EQUAL_FATAL(uftp_server_session_stats(f.s, 0, &ss, f.now), 1);
	CU_ASSERT_EQUAL(ss.npeers, MANY);
	while ((t = pop(&f)) == UFTP_MSG_REG_CONF || t == UFTP_MSG_ANNOUNCE) {
		for (k = 0; t == UFTP_MSG_REG_CONF && k < f.m.u.reg_conf.ids.count; k++) {
			uint32_t id = uftp_idlist_get(&f.m.u.reg_conf.ids, k) - CL(0);

			CU_ASSERT_FATAL(id % 7 == 0 && id / 7 < MANY);
			CU_ASSERT_EQUAL(confirmed[id / 7], 0);
			confirmed[id / 7] = 1;
			n++;
		}
	}
	CU_ASSERT_EQUAL(n, MANY);
	CU_ASSERT_EQUAL(t, UFTP_MSG_FILEINFO); /* at once: no announce timer ran */
	uftp_server_free(f.s);
}

static const struct cutest tests[] = {
    CUTEST(test_closed_group_of_thousands),   CUTEST(test_waits_for_the_burst),
    CUTEST(test_straggler_not_waited_for),    CUTEST(test_quiet_after_burst),
    CUTEST(test_nak_for_block_ahead_dropped),
};

CUTEST_MAIN("server_fb", tests)
