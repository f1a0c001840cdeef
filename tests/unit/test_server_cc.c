/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TFMCC sender (server_cc.c): the rate logic alone on a struct srv_cc
 * (CLR choice, slow start, decrease, additive increase, bounds, a silent
 * CLR, rounds), then the sender core with -C tfmcc on a fake clock: what
 * it puts on the wire (ANNOUNCE's CC type, EXT_TFMCC_DATA_INFO, CONG_CTRL)
 * and how receivers' CC_ACK and STATUS reports move its pacing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/msg.h"
#include "core/quant.h"
#include "core/server.h"
#include "core/server_int.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"

#define MS   UFTP_NS_PER_MSEC
#define GRTT (10 * MS)
#define PKT  1320.0
#define KB   1000.0
#define ST   (UFTP_CC_RTT | UFTP_CC_START) /* a receiver in slow start */
#define LS   UFTP_CC_RTT                   /* a receiver that has seen loss */

/* A controller as -C tfmcc:min=..:init=..:max=.. (Kbps, 0: default) sets it up. */
static void setup(struct srv_cc *cc, int64_t min, int64_t init, int64_t max)
{
	struct uftp_server_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cc_type = UFTP_CC_TFMCC;
	cfg.cc_min_kbps = min;
	cfg.cc_init_kbps = init;
	cfg.cc_max_kbps = max;
	srv_cc_setup(cc, &cfg, PKT);
}

static void test_setup_bounds(void)
{
	struct srv_cc cc;

	setup(&cc, 0, 0, 0);
	CU_ASSERT(cc.on);
	CU_ASSERT(cc.slowstart);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 125 * KB, 1); /* 1000 Kbps */
	CU_ASSERT(cc.min > 0 && cc.min < cc.rate && cc.max > 1e9);
	setup(&cc, 800, 4000, 400000);
	CU_ASSERT_DOUBLE_EQUAL(cc.min, 100 * KB, 1);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 500 * KB, 1);
	CU_ASSERT_DOUBLE_EQUAL(cc.max, 50000 * KB, 1);
	setup(&cc, 0, 0, 400); /* the default start is above max: starts at max */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 50 * KB, 1);
	setup(&cc, 8000, 0, 0); /* ... below min: starts at min */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 1000 * KB, 1);
}

/* The lowest report names the CLR; a higher one from another receiver does not. */
static void test_clr_choice(void)
{
	struct srv_cc cc;

	setup(&cc, 0, 0, 0);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 1, 900 * KB, ST, GRTT), 1);
	CU_ASSERT_EQUAL(cc.clr, 1);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 2, 950 * KB, ST, GRTT), 0);
	CU_ASSERT_EQUAL(cc.clr, 1);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 3, 700 * KB, ST, GRTT), 1);
	CU_ASSERT_EQUAL(cc.clr, 3);
	CU_ASSERT_DOUBLE_EQUAL(cc.supp, 700 * KB, 1);
	CU_ASSERT_EQUAL(cc.lo_id[0], 3);
	CU_ASSERT_EQUAL(cc.lo_id[1], 1);
	/* the CLR's own report rises above receiver 3's in the same round: 3 limits */
	srv_cc_round(&cc, 0, GRTT);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 1, 800 * KB, ST, GRTT), 0);
	CU_ASSERT_EQUAL(cc.clr, 3);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 2, 600 * KB, ST, GRTT), 1);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 2, 900 * KB, ST, GRTT), 0);
	CU_ASSERT_EQUAL(cc.clr, 1); /* lowest heard this round: 800 from 1 */
	CU_ASSERT_DOUBLE_EQUAL(cc.clr_rate, 800 * KB, 1);
	/* the CLR leaves: the next report, whatever its rate, names the next */
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 1, 800 * KB, ST | UFTP_CC_LEAVE, GRTT), 0);
	CU_ASSERT_EQUAL(cc.clr, 0);
	CU_ASSERT_EQUAL(srv_cc_feedback(&cc, 2, 5000 * KB, ST, GRTT), 1);
	CU_ASSERT_EQUAL(cc.clr, 2);
	srv_cc_forget(&cc, 7); /* not the CLR: nothing changes */
	CU_ASSERT_EQUAL(cc.clr, 2);
	srv_cc_forget(&cc, 2);
	CU_ASSERT_EQUAL(cc.clr, 0);
}

/* Slow start: at most doubling per report, never above the report, never down. */
static void test_slow_start(void)
{
	struct srv_cc cc;
	double r;

	setup(&cc, 0, 1000, 0); /* 125 KB/s */
	srv_cc_feedback(&cc, 1, 10000 * KB, ST, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 250 * KB, 1);
	srv_cc_feedback(&cc, 1, 10000 * KB, ST, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 500 * KB, 1);
	srv_cc_feedback(&cc, 1, 600 * KB, ST, GRTT); /* twice its receive rate caps */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 600 * KB, 1);
	srv_cc_feedback(&cc, 1, 300 * KB, ST, GRTT); /* a low first measurement: kept */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 600 * KB, 1);
	CU_ASSERT(cc.slowstart);
	for (r = 0; r < 20; r++)
		srv_cc_feedback(&cc, 1, 1e12, ST, GRTT);
	CU_ASSERT(cc.rate <= cc.max); /* the default max */
	setup(&cc, 0, 1000, 2000);
	srv_cc_feedback(&cc, 1, 10000 * KB, ST, GRTT);
	srv_cc_feedback(&cc, 1, 10000 * KB, ST, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 250 * KB, 1); /* max=2000 Kbps */
	CU_ASSERT_EQUAL(cc.decreases, 0);
}

/* Loss ends slow start: down to the CLR's rate at once, up by a packet per GRTT per report. */
static void test_loss(void)
{
	struct srv_cc cc;
	double step = PKT * 1e9 / (double)GRTT;

	setup(&cc, 800, 8000, 0); /* 1 MB/s, min 100 KB/s */
	srv_cc_feedback(&cc, 2, 5000 * KB, ST, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 2000 * KB, 1);
	srv_cc_feedback(&cc, 1, 1500 * KB, LS, GRTT); /* lower: the CLR, and loss */
	CU_ASSERT(!cc.slowstart);
	CU_ASSERT_EQUAL(cc.clr, 1);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 1500 * KB, 1);
	CU_ASSERT_EQUAL(cc.decreases, 1);
	srv_cc_feedback(&cc, 1, 5000 * KB, LS, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 1500 * KB + step, 1);
	srv_cc_feedback(&cc, 1, 5000 * KB, LS, 2 * GRTT); /* half the step at twice the GRTT */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 1500 * KB + 1.5 * step, 1);
	srv_cc_feedback(&cc, 1, 1600 * KB, LS, GRTT); /* the step never passes the report */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 1600 * KB, 1);
	srv_cc_feedback(&cc, 1, 10 * KB, LS, GRTT); /* not below min */
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 100 * KB, 1);
	/* a receiver still in slow start cannot restart it */
	srv_cc_feedback(&cc, 1, 5000 * KB, ST, GRTT);
	CU_ASSERT(!cc.slowstart);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 100 * KB + step, 1);
}

/* A CLR that stops answering during data halves the rate and loses the part. */
static void test_silent_clr(void)
{
	struct srv_cc cc;
	int i;

	setup(&cc, 800, 8000, 0);
	srv_cc_feedback(&cc, 1, 1000 * KB, LS, GRTT);
	for (i = 0; i < 100; i++)
		srv_cc_ctrl_sent(&cc, 0); /* between passes: silence is normal */
	CU_ASSERT_EQUAL(cc.timeouts, 0);
	for (i = 0; i < 9; i++)
		srv_cc_ctrl_sent(&cc, 1);
	srv_cc_feedback(&cc, 1, 1000 * KB, LS, GRTT); /* answered just in time */
	for (i = 0; i < 9; i++)
		srv_cc_ctrl_sent(&cc, 1);
	CU_ASSERT_EQUAL(cc.timeouts, 0);
	srv_cc_ctrl_sent(&cc, 1);
	CU_ASSERT_EQUAL(cc.timeouts, 1);
	CU_ASSERT_DOUBLE_EQUAL(cc.rate, 500 * KB, 1);
	CU_ASSERT_EQUAL(cc.clr, 0);
	for (i = 0; i < 100; i++) /* no CLR: nothing more to time out */
		srv_cc_ctrl_sent(&cc, 1);
	CU_ASSERT_EQUAL(cc.timeouts, 1);
	srv_cc_feedback(&cc, 3, 2000 * KB, LS, GRTT);
	for (i = 0; i < 40; i++)
		srv_cc_ctrl_sent(&cc, 1);
	CU_ASSERT(cc.rate >= cc.min);
}

static void test_rounds(void)
{
	struct srv_cc cc;

	setup(&cc, 0, 0, 0);
	srv_cc_round(&cc, 1000, GRTT);
	CU_ASSERT_EQUAL(cc.seq, 1);
	srv_cc_feedback(&cc, 4, 900 * KB, ST, GRTT);
	srv_cc_round(&cc, 1000 + 5 * GRTT, GRTT);
	CU_ASSERT_EQUAL(cc.seq, 1);
	CU_ASSERT(cc.supp > 0);
	srv_cc_round(&cc, 1000 + 6 * GRTT, GRTT);
	CU_ASSERT_EQUAL(cc.seq, 2);
	CU_ASSERT_EQUAL(cc.supp, 0); /* a new round: no suppression yet */
}

/* ---- the sender core with -C tfmcc ------------------------------------ */

#define GROUP  0x0BADCAFEu
#define SERVER 0xC612000Au
#define NBLK   400

struct fx {
	uint64_t now;
	struct testenv te;
	struct uftp_env env;
	struct uftp_server_config cfg;
	struct uftp_server_file file;
	struct uftp_server_file_ops fops;
	struct uftp_server *s;
	uint8_t pkt[12000];
	struct uftp_peer to;
	struct uftp_msg m;
	struct uftp_ext_tfmcc_data_info di; /* of the last FILESEG */
	uint64_t last_seg;                  /* when it was sent */
};

static ssize_t rd(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	(void)arg;
	(void)idx;
	memset(buf, (int)(off & 0xff), len);
	return (ssize_t)len;
}

/* Decodes what the core sends now (0: nothing); a FILESEG's TFMCC extension into f->di. */
static int take(struct fx *f)
{
	struct uftp_header h;
	struct uftp_ext e;
	int len;

	uftp_server_on_expiry(f->s, f->now);
	len = uftp_server_pop_send(f->s, &f->to, f->pkt, sizeof(f->pkt), f->now);
	if (len <= 0)
		return 0;
	CU_ASSERT_FATAL(uftp_decode_header(&h, f->pkt, (size_t)len) > 0);
	CU_ASSERT_FATAL(uftp_decode_msg(&f->m, h.func, f->pkt + 16, (size_t)len - 16) > 0);
	if (f->m.func == UFTP_MSG_FILESEG) {
		CU_ASSERT_EQUAL_FATAL(uftp_ext_find(f->m.u.fileseg.ext, f->m.u.fileseg.ext_len,
		                                    UFTP_EXT_TFMCC_DATA_INFO, &e),
		                      1);
		CU_ASSERT_FATAL(uftp_decode_ext_tfmcc_data_info(&f->di, e.ptr, e.len) > 0);
		CU_ASSERT_EQUAL(f->m.u.fileseg.data_len, 1300);
		f->last_seg = f->now;
	}
	return f->m.func;
}

/* The next datagram of a kind in want (a bit per function), following expiries up to 100 s. */
static int until(struct fx *f, uint32_t want)
{
	uint64_t end = f->now + 100 * UFTP_NS_PER_SEC, e;
	int t;

	for (;;) {
		t = take(f);
		if (t && (want >> t & 1))
			return t;
		if (t)
			continue;
		e = uftp_server_next_expiry(f->s);
		if (e == UFTP_NEVER || e > end)
			return 0;
		f->now = e > f->now ? e : f->now + 1;
	}
}

static void deliver(struct fx *f, uint32_t id, const struct uftp_msg *m)
{
	struct uftp_peer from = {{4, {198, 18, 0, (uint8_t)id}}, 1044};
	uint8_t buf[512];
	ssize_t n;

	n = uftp_encode_msg(buf + 16, sizeof(buf) - 16, m);
	CU_ASSERT_FATAL(n > 0);
	uftp_encode_header(buf, 16,
	                   &(struct uftp_header){.func = m->func, .src_id = id, .group_id = GROUP});
	CU_ASSERT_EQUAL(uftp_server_on_datagram(f->s, &from, buf, 16 + (size_t)n, f->now), 0);
}

/* EXT_TFMCC_ACK_INFO of receiver id reporting rate (bytes/s) with flags, echoing time 0. */
static size_t ack_info(uint8_t *ext, uint32_t id, double rate, int flags, uint16_t seq)
{
	struct uftp_ext_tfmcc_ack_info ai = {0};

	ai.flags = (uint8_t)flags;
	ai.cc_seq = seq;
	ai.cc_rate = uftp_cc_rate_quantize(rate);
	ai.client_id = id;
	return (size_t)uftp_encode_ext_tfmcc_ack_info(ext, UFTP_EXT_TFMCC_ACK_INFO_LEN, &ai);
}

/* A CC_ACK from receiver from whose extension names receiver named. */
static void cc_ack_as(struct fx *f, uint32_t from, uint32_t named, double rate, int flags)
{
	struct uftp_msg m = {.func = UFTP_MSG_CC_ACK};
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];

	m.u.cc_ack.ext = ext;
	m.u.cc_ack.ext_len = ack_info(ext, named, rate, flags, 0);
	deliver(f, from, &m);
}

static void cc_ack(struct fx *f, uint32_t id, double rate, int flags)
{
	cc_ack_as(f, id, id, rate, flags);
}

#define CL(i) (0xC612000Bu + (uint32_t)(i))

/* Two receivers registered and acked the file (GRTT from grtt_init); stops at the first FILESEG. */
static void start(struct fx *f, uint64_t grtt_init)
{
	struct uftp_msg m;
	static const uint8_t rnd0[UFTP_RAND_LEN];
	int i;

	memset(f, 0, sizeof(*f));
	f->now = 5 * UFTP_NS_PER_SEC;
	testenv_init(&f->te, &f->env, 7, &f->now, UFTP_LOG_DEBUG, "TEST_SERVER_CC_LOG");
	f->fops.read_at = rd;
	f->file = (struct uftp_server_file){"big", NULL, UFTP_FTYPE_REG, NBLK * 1300, 0};
	f->cfg = (struct uftp_server_config){
	    .server_id = SERVER,
	    .group_id = GROUP,
	    .pub_addr = {4, {230, 4, 4, 1}},
	    .priv_addr = {4, {230, 5, 5, 1}},
	    .port = 1044,
	    .block_size = 1300,
	    .robust = 20,
	    .rate_kbps = 100, /* ignored under TFMCC */
	    .cc_type = UFTP_CC_TFMCC,
	    .cc_init_kbps = 8000, /* 1 MB/s */
	    .cc_max_kbps = 80000, /* 10 MB/s */
	    .grtt_init = grtt_init,
	    .grtt_min = GRTT,
	    .grtt_max = 1000 * MS,
	    .max_nak_pct = 100,
	    .max_nak_count = 1,
	    .files = &f->file,
	    .nfiles = 1,
	    .fops = &f->fops,
	};
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f->s, &f->env, &f->cfg, f->now), 0);
	CU_ASSERT_EQUAL_FATAL(until(f, 1u << UFTP_MSG_ANNOUNCE), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_EQUAL(f->m.u.announce.cc_type, UFTP_CC_TFMCC);
	for (i = 0; i < 2; i++) {
		m = (struct uftp_msg){.func = UFTP_MSG_REGISTER};
		m.u.reg.rand = rnd0;
		deliver(f, CL(i), &m);
	}
	CU_ASSERT_EQUAL_FATAL(until(f, 1u << UFTP_MSG_FILEINFO), UFTP_MSG_FILEINFO);
	for (i = 0; i < 2; i++) {
		m = (struct uftp_msg){.func = UFTP_MSG_FILEINFO_ACK};
		m.u.fileinfo_ack.file_id = 1;
		deliver(f, CL(i), &m);
	}
	CU_ASSERT_EQUAL_FATAL(until(f, 1u << UFTP_MSG_FILESEG), UFTP_MSG_FILESEG);
}

static uint64_t seg_gap(struct fx *f)
{
	uint64_t t;

	CU_ASSERT_EQUAL_FATAL(until(f, 1u << UFTP_MSG_FILESEG), UFTP_MSG_FILESEG);
	t = f->last_seg;
	CU_ASSERT_EQUAL_FATAL(until(f, 1u << UFTP_MSG_FILESEG), UFTP_MSG_FILESEG);
	return f->last_seg - t;
}

/* The CONG_CTRL's items: the index of id's, its flags in *flags; -1 if absent. */
static int item_of(const struct uftp_msg *m, uint32_t id, uint8_t *flags)
{
	struct uftp_cc_item it;
	size_t i;

	for (i = 0; i < m->u.cong_ctrl.item_count; i++) {
		it = uftp_cong_ctrl_get(&m->u.cong_ctrl, i);
		if (it.client_id == id) {
			*flags = it.flags;
			return (int)i;
		}
	}
	return -1;
}

static void test_session_wire(void)
{
	struct fx f;
	uint8_t fl = 0;
	double cost = 1320.0;
	uint64_t gap;

	start(&f, GRTT);
	CU_ASSERT_DOUBLE_EQUAL(uftp_cc_rate_unquantize(f.di.send_rate), 1e6, 1e6 / 400);
	CU_ASSERT_EQUAL(f.di.cc_rate, 0x481e); /* no report yet: 2^48, as 4.10.2 sends */
	/* the first CONG_CTRL names a CLR before any report, in slow start */
	CU_ASSERT_EQUAL_FATAL(until(&f, 1u << UFTP_MSG_CONG_CTRL), UFTP_MSG_CONG_CTRL);
	CU_ASSERT(f.m.u.cong_ctrl.item_count >= 1);
	CU_ASSERT(uftp_cong_ctrl_get(&f.m.u.cong_ctrl, 0).flags & UFTP_CC_CLR);
	CU_ASSERT(uftp_cong_ctrl_get(&f.m.u.cong_ctrl, 0).flags & UFTP_CC_START);
	gap = seg_gap(&f); /* paced at 1 MB/s: 1320 bytes in 1.32 ms */
	CU_ASSERT(gap <= (uint64_t)(cost / 1e6 * 1e9) + 10000);
	/* receiver 1 reports 4 MB/s in slow start: 2 MB/s (doubling) */
	cc_ack(&f, CL(1), 4e6, ST);
	seg_gap(&f);
	CU_ASSERT_DOUBLE_EQUAL(uftp_cc_rate_unquantize(f.di.send_rate), 2e6, 2e6 / 400);
	CU_ASSERT_DOUBLE_EQUAL(uftp_cc_rate_unquantize(f.di.cc_rate), 4e6, 4e6 / 400);
	/* receiver 0, with loss, reports 600 KB/s: it is the CLR, the rate drops */
	cc_ack(&f, CL(0), 600e3, LS);
	gap = seg_gap(&f);
	CU_ASSERT_DOUBLE_EQUAL(uftp_cc_rate_unquantize(f.di.send_rate), 600e3, 600e3 / 400);
	CU_ASSERT(gap >= (uint64_t)(cost / 600e3 * 1e9) * 9 / 10);
	CU_ASSERT_EQUAL_FATAL(until(&f, 1u << UFTP_MSG_CONG_CTRL), UFTP_MSG_CONG_CTRL);
	CU_ASSERT_EQUAL(item_of(&f.m, CL(0), &fl), 0);
	CU_ASSERT_EQUAL(fl & (UFTP_CC_CLR | UFTP_CC_START), UFTP_CC_CLR);
	/* a STATUS carries the same report: receiver 1 falls to 300 KB/s */
	{
		struct uftp_msg m = {.func = UFTP_MSG_STATUS};
		uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN], naks = 0;

		m.u.status.file_id = 1;
		m.u.status.naks = &naks;
		m.u.status.naks_len = 1;
		m.u.status.ext = ext;
		m.u.status.ext_len = ack_info(ext, CL(1), 300e3, LS, 0);
		deliver(&f, CL(1), &m);
	}
	seg_gap(&f);
	CU_ASSERT_DOUBLE_EQUAL(uftp_cc_rate_unquantize(f.di.send_rate), 300e3, 300e3 / 400);
	CU_ASSERT_EQUAL_FATAL(until(&f, 1u << UFTP_MSG_CONG_CTRL), UFTP_MSG_CONG_CTRL);
	CU_ASSERT_EQUAL(item_of(&f.m, CL(1), &fl), 0);
	CU_ASSERT(fl & UFTP_CC_CLR);
	CU_ASSERT_EQUAL(item_of(&f.m, CL(0), &fl), -1); /* no report since the last one */
	/* a receiver's report naming another receiver is its own */
	cc_ack_as(&f, CL(0), CL(1), 100e3, LS);
	CU_ASSERT_EQUAL_FATAL(until(&f, 1u << UFTP_MSG_CONG_CTRL), UFTP_MSG_CONG_CTRL);
	CU_ASSERT_EQUAL(item_of(&f.m, CL(0), &fl), 0);
	CU_ASSERT(fl & UFTP_CC_CLR);
	CU_ASSERT_EQUAL(item_of(&f.m, CL(1), &fl), -1);
	uftp_server_free(f.s);
}

/*
 * Under TFMCC the GRTT follows the receivers' RTTs at every CONG_CTRL (at
 * most halving each time) instead of once per phase: from 0.5 s to the
 * 10 ms minimum within a second of 1 ms echoes, CONG_CTRLs ever closer.
 */
static void test_grtt_follows(void)
{
	struct fx f;
	struct uftp_msg m = {.func = UFTP_MSG_CC_ACK};
	struct uftp_ext_tfmcc_ack_info ai = {.flags = ST, .client_id = CL(0)};
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	uint64_t t0 = 0, first = 0, gap = 0;
	int i;

	start(&f, 500 * MS);
	m.u.cc_ack.ext = ext;
	m.u.cc_ack.ext_len = sizeof(ext);
	for (i = 0; i < 12; i++) {
		CU_ASSERT_EQUAL_FATAL(until(&f, 1u << UFTP_MSG_CONG_CTRL), UFTP_MSG_CONG_CTRL);
		gap = f.now - t0;
		if (i == 1)
			first = gap;
		t0 = f.now;
		ai.cc_seq = f.m.u.cong_ctrl.cc_seq;
		ai.cc_rate = uftp_cc_rate_quantize(1e6);
		ai.tstamp_sec = f.m.u.cong_ctrl.tstamp_sec;
		ai.tstamp_usec = f.m.u.cong_ctrl.tstamp_usec;
		uftp_encode_ext_tfmcc_ack_info(ext, sizeof(ext), &ai);
		f.now += MS; /* the echo comes back 1 ms later */
		deliver(&f, CL(0), &m);
	}
	CU_ASSERT(first >= 200 * MS);
	CU_ASSERT_EQUAL(uftp_server_grtt(f.s), GRTT); /* the -r minimum */
	CU_ASSERT(gap <= GRTT + MS);
	uftp_server_free(f.s);
}

/* Without -C tfmcc a CC_ACK is dropped, and FILESEGs carry no extension. */
static void test_cc_ack_needs_tfmcc(void)
{
	struct fx f;
	struct uftp_peer from = {{4, {198, 18, 0, 11}}, 1044};
	uint8_t buf[64];
	struct uftp_msg m = {.func = UFTP_MSG_CC_ACK};
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	ssize_t n;

	start(&f, GRTT);
	uftp_server_free(f.s);
	f.cfg.cc_type = UFTP_CC_NONE;
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f.s, &f.env, &f.cfg, f.now), 0);
	CU_ASSERT_EQUAL(f.s->cc.on, 0);
	CU_ASSERT_EQUAL(srv_cc_data_info(f.s, ext), 0);
	CU_ASSERT_EQUAL(srv_cc_expiry(f.s), UFTP_NEVER);
	m.u.cc_ack.ext = ext;
	m.u.cc_ack.ext_len = ack_info(ext, CL(0), 1e6, ST, 0);
	n = uftp_encode_msg(buf + 16, sizeof(buf) - 16, &m);
	uftp_encode_header(
	    buf, 16, &(struct uftp_header){.func = m.func, .src_id = CL(0), .group_id = GROUP});
	CU_ASSERT(uftp_server_on_datagram(f.s, &from, buf, 16 + (size_t)n, f.now) < 0);
	uftp_server_free(f.s);
	f.cfg.cc_type = 7; /* an unknown type is refused */
	CU_ASSERT_EQUAL(uftp_server_new(&f.s, &f.env, &f.cfg, f.now), UFTP_ERR_INVALID);
}

static const struct cutest tests[] = {
    CUTEST(test_setup_bounds), CUTEST(test_clr_choice),   CUTEST(test_slow_start),
    CUTEST(test_loss),         CUTEST(test_silent_clr),   CUTEST(test_rounds),
    CUTEST(test_session_wire), CUTEST(test_grtt_follows), CUTEST(test_cc_ack_needs_tfmcc),
};

CUTEST_MAIN("server_cc", tests)
