/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server_fb.c's feedback rules, on the sender core driven by hand (fake
 * clock, a 3-block file in memory, three clients): when the repair pass
 * starts, NAKs that arrive during a pass joining it or dropped as stale,
 * and the client index of server_reg.c.  Each rule's case fails with the
 * rule before it (repair one GRTT after the first NAK or once every
 * client answered; every NAK received during a pass kept for the next).
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
 * As to_first_done, with client 1's STATUS NAKing block 0 once the first
 * `after` FILESEGs of pass 1 are out (a NAK recorded during the pass).
 */
static void to_first_done_after(struct fx *f, int after)
{
	int i, t, segs = 0;

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
	do {
		t = next(f, 0);
		if (t == UFTP_MSG_FILESEG && ++segs == after)
			reply(f, CL(1), UFTP_MSG_STATUS, 0x01);
	} while (t == UFTP_MSG_FILESEG || t == UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f->m.u.done.ids.count, NCL);
}

/*
 * Rule 1: the repair starts a quarter GRTT after the first NAK, without
 * waiting for the rest of the answers (the old rule waited for all of them,
 * or a GRTT), and a late NAK for a block ahead still makes this pass.
 */
static void test_repair_starts_after_first_nak(void)
{
	struct fx f;
	uint64_t t0;
	int t;

	to_first_done(&f);
	t0 = f.now;
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01); /* block 0 */
	f.now = t0 + f.grtt / 4 - MS;
	CU_ASSERT_EQUAL(pop(&f), 0);
	f.now = t0 + f.grtt / 4 + MS;
	CU_ASSERT_EQUAL_FATAL(pop(&f), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0); /* pass 2 begins */
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	reply(&f, CL(2), UFTP_MSG_STATUS, 0x04); /* late: block 2 */
	reply(&f, CL(1), UFTP_MSG_COMPLETE, 0);
	t = next(&f, 0);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL(next(&f, 0), UFTP_MSG_DONE);
	uftp_server_free(f.s);
}

/* Rule 1: when every receiver has answered, the repair starts at once. */
static void test_all_answered_starts_at_once(void)
{
	struct fx f;
	int blocks = 0, t;

	to_first_done(&f);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01);
	reply(&f, CL(1), UFTP_MSG_STATUS, 0x01);
	reply(&f, CL(2), UFTP_MSG_STATUS, 0x04);
	CU_ASSERT_EQUAL_FATAL(pop(&f), UFTP_MSG_DONE); /* no clock move */
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0);
	while ((t = next(&f, 0)) == UFTP_MSG_FILESEG) {
		CU_ASSERT(f.m.u.fileseg.block == 0 || f.m.u.fileseg.block == 2);
		blocks |= 1 << f.m.u.fileseg.block;
	}
	CU_ASSERT_EQUAL(blocks, 0x05);
	CU_ASSERT_EQUAL(t, UFTP_MSG_DONE);
	uftp_server_free(f.s);
}

/*
 * Rule 1, NAKs waiting at the end of a pass: a NAK for block 0 while pass 1
 * is still sending; the pass ends and pass 2 starts as soon as the DONE is
 * out, with no answer to it (the old rule waited for the answers).
 */
static void test_next_pass_at_once(void)
{
	struct fx f;
	int t;

	to_first_done_after(&f, 1);
	CU_ASSERT_EQUAL_FATAL(pop(&f), UFTP_MSG_DONE); /* no clock move */
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0);
	t = next(&f, 0);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	uftp_server_free(f.s);
}

/*
 * Rule 3: in pass 2, a NAK for a block the pass has already resent is not
 * kept: there is no pass 3 (the old rule resent block 0 once more).
 */
static void test_stale_nak_dropped(void)
{
	struct fx f;
	int t, i;

	to_first_done(&f);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01);
	reply(&f, CL(1), UFTP_MSG_STATUS, 0x05);
	reply(&f, CL(2), UFTP_MSG_COMPLETE, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01); /* sent before block 0 came again */
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	for (i = 0; i < 3; i++) {
		t = next(&f, 4 * f.grtt);
		CU_ASSERT_NOT_EQUAL(t, UFTP_MSG_FILESEG);
		if (t == 0)
			break;
	}
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
 * Rule 2, the other half: during pass 2, a NAK for a block ahead that the
 * pass would not have sent joins the pass (the old rule kept it for pass 3).
 */
static void test_nak_ahead_joins_the_pass(void)
{
	struct fx f;
	int t;

	to_first_done(&f);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x01); /* pass 2: block 0 only */
	reply(&f, CL(1), UFTP_MSG_COMPLETE, 0);
	reply(&f, CL(2), UFTP_MSG_COMPLETE, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, f.grtt), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	reply(&f, CL(0), UFTP_MSG_STATUS, 0x04); /* late: block 2, ahead of the pass */
	t = next(&f, 0);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL(next(&f, 0), UFTP_MSG_DONE);
	reply(&f, CL(0), UFTP_MSG_COMPLETE, 0);
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

/* Deterministic bytes for any offset (the pacing case's larger file). */
static ssize_t rd_any(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i;

	(void)arg;
	(void)idx;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(off + i);
	return (ssize_t)len;
}

/*
 * server_data.c's pacing at a set rate (-R 10000: 1320 bytes each 1.06 ms):
 * a sender woken 15 ms late sends the 15 ms it owes at once (the bucket
 * holds 20 ms), where a 5 ms bucket lost two thirds of them.
 */
static void test_late_wake_catches_up(void)
{
	struct fx f;
	int i, t, n = 0;

	setup(&f);
	f.cfg.rate_kbps = 10000;
	f.file.size = 80 * 1300;
	f.fops.read_at = rd_any;
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f.s, &f.env, &f.cfg, f.now), 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	for (i = 0; i < NCL; i++)
		reply(&f, CL(i), UFTP_MSG_REGISTER, 0);
	do
		t = next(&f, 60 * UFTP_NS_PER_SEC);
	while (t != 0 && t != UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_FILEINFO);
	for (i = 0; i < NCL; i++)
		reply(&f, CL(i), UFTP_MSG_FILEINFO_ACK, 0);
	while ((t = pop(&f)) == UFTP_MSG_REG_CONF)
		;
	while (t == UFTP_MSG_FILESEG) /* what the bucket held at the start */
		t = pop(&f);
	CU_ASSERT_EQUAL_FATAL(t, 0);
	f.now += 15 * MS;
	while (pop(&f) == UFTP_MSG_FILESEG)
		n++;
	CU_ASSERT(n >= 13); /* 15 ms / 1.056 ms = 14.2 */
	CU_ASSERT(n <= 15);
	uftp_server_free(f.s);
}

static const struct cutest tests[] = {
    CUTEST(test_late_wake_catches_up),        CUTEST(test_repair_starts_after_first_nak),
    CUTEST(test_all_answered_starts_at_once), CUTEST(test_next_pass_at_once),
    CUTEST(test_stale_nak_dropped),           CUTEST(test_nak_ahead_joins_the_pass),
    CUTEST(test_nak_for_block_ahead_dropped), CUTEST(test_closed_group_of_thousands),
};

CUTEST_MAIN("server_fb", tests)
