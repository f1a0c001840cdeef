/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TFMCC sender (uftp -C tfmcc; protocol.txt 3.3, RFC 4654).
 *
 * Receivers compute a TCP-friendly rate (client_cc.c for ours) and report
 * it in EXT_TFMCC_ACK_INFO, on CC_ACK or STATUS.  The sender:
 *   - follows the current limiting receiver (CLR): the receiver with the
 *     lowest rate reported; a lower report from another receiver makes
 *     that one the CLR at once, and so does the CLR's own report rising
 *     above a lower one heard in the same feedback round;
 *   - in slow start (no receiver has reported loss: every report so far
 *     carries CC_START, whose rate is twice the receiver's receive rate)
 *     raises its rate toward the CLR's report, at most doubling it per
 *     report, and does not lower it (a receiver's first measurements of a
 *     file are low: they include the wait before its data);
 *   - afterwards lowers its rate to the CLR's report at once and raises it
 *     by at most one packet per GRTT per report (RFC 4654 section 4.6);
 *   - when the CLR stops answering (CC_SILENT_MAX CONG_CTRLs during data
 *     passes without a report from it), halves its rate and lets the next
 *     report name another CLR;
 *   - keeps the rate within the -C tfmcc min and max.
 *
 * On the wire: a CONG_CTRL every GRTT of the data phase carries the round
 * (CC Sequence, one every CC_ROUND_GRTT GRTTs), the suppression rate (the
 * lowest rate reported in the round, 2^48 before any, as 4.10.2 sends),
 * a timestamp, and items: the CLR first (CC_CLR, CC_RTT once its RTT is
 * known, CC_START in slow start), then the receivers that reported since
 * the last CONG_CTRL, with the RTT measured from their echo.  Each FILESEG
 * carries EXT_TFMCC_DATA_INFO: the sending rate, the round and the
 * suppression rate.  Under TFMCC the GRTT follows the receivers' RTTs at
 * every CONG_CTRL (descending to half at most per update) rather than once
 * per phase, so that the feedback loop runs at the network's pace.
 *
 * ECN is not used.
 */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "core/quant.h"
#include "core/server_int.h"

#define CC_DEF_MIN_KBPS  80        /* the floor of our receivers' reports: 10 KB/s */
#define CC_DEF_INIT_KBPS 1000      /* near the 4.10.2 sender's first rate (1025 Kbps) */
#define CC_DEF_MAX_KBPS  100000000 /* 100 Gbps: no limit in practice */
#define CC_ROUND_GRTT    6         /* a feedback round; our receivers answer within 4 GRTT */
#define CC_SILENT_MAX    10        /* unanswered CONG_CTRLs before the rate is halved */
#define CC_MAX_ITEMS     64        /* items per CONG_CTRL */
#define CC_NO_LIMIT      0x481e    /* 2^48 bytes/s, rounded up as 4.10.2 sends it */

static double kbps_to_bps(int64_t kbps, int64_t def)
{
	return (double)(kbps > 0 ? kbps : def) * 1000.0 / 8.0;
}

static double clamp(const struct srv_cc *cc, double r)
{
	if (r > cc->max)
		r = cc->max;
	return r < cc->min ? cc->min : r;
}

void srv_cc_setup(struct srv_cc *cc, const struct uftp_server_config *cfg, double pkt)
{
	memset(cc, 0, sizeof(*cc));
	cc->on = cfg->cc_type == UFTP_CC_TFMCC;
	cc->min = kbps_to_bps(cfg->cc_min_kbps, CC_DEF_MIN_KBPS);
	cc->max = kbps_to_bps(cfg->cc_max_kbps, CC_DEF_MAX_KBPS);
	if (cc->max < cc->min)
		cc->max = cc->min;
	cc->rate = clamp(cc, kbps_to_bps(cfg->cc_init_kbps, CC_DEF_INIT_KBPS));
	cc->pkt = pkt;
	cc->slowstart = 1;
}

/* Moves the rate toward target, the CLR's report. */
static void follow(struct srv_cc *cc, double target, uint64_t grtt)
{
	double r = cc->rate, step;

	if (cc->slowstart) {
		if (target > r)
			r = target < 2 * r ? target : 2 * r;
	} else if (target < r) {
		r = target;
		cc->decreases++;
	} else {
		step = cc->pkt * (double)UFTP_NS_PER_SEC / (double)(grtt ? grtt : 1);
		r = target < r + step ? target : r + step;
	}
	cc->rate = clamp(cc, r);
}

static void set_clr(struct srv_cc *cc, uint32_t id, double rate)
{
	if (cc->clr != id)
		cc->clr_changes++;
	cc->clr = id;
	cc->clr_rate = rate;
	cc->silent = 0;
}

/* Keeps the two lowest latest reports of the round, from distinct receivers. */
static void note(struct srv_cc *cc, uint32_t id, double rate)
{
	double r;
	uint32_t i;

	if (cc->lo_id[0] == id)
		cc->lo[0] = rate;
	else if (cc->lo_id[1] == id || cc->lo_id[1] == 0 || rate < cc->lo[1])
		cc->lo[1] = rate, cc->lo_id[1] = id;
	if (cc->lo_id[1] && (cc->lo_id[0] == 0 || cc->lo[1] < cc->lo[0])) {
		r = cc->lo[0], i = cc->lo_id[0];
		cc->lo[0] = cc->lo[1], cc->lo_id[0] = cc->lo_id[1];
		cc->lo[1] = r, cc->lo_id[1] = i;
	}
}

int srv_cc_feedback(struct srv_cc *cc, uint32_t id, double rate, int flags, uint64_t grtt)
{
	int other;

	cc->reports++;
	if (flags & UFTP_CC_LEAVE) {
		srv_cc_forget(cc, id);
		return 0;
	}
	if (!(flags & UFTP_CC_START))
		cc->slowstart = 0; /* this receiver has seen loss */
	if (cc->supp == 0 || rate < cc->supp)
		cc->supp = rate;
	note(cc, id, rate);
	if (cc->clr == 0 || cc->clr_rate == 0 || id == cc->clr || rate < cc->clr_rate)
		set_clr(cc, id, rate);
	else
		return 0;
	/* the CLR's rate rose above another receiver's in this round: that one limits */
	other = cc->lo_id[0] == id;
	if (cc->lo_id[other] && cc->lo_id[other] != id && cc->lo[other] < rate)
		set_clr(cc, cc->lo_id[other], cc->lo[other]);
	follow(cc, cc->clr_rate, grtt);
	return cc->clr == id;
}

void srv_cc_round(struct srv_cc *cc, uint64_t now, uint64_t grtt)
{
	if (now < cc->round_end)
		return;
	cc->seq++;
	cc->supp = 0;
	memset(cc->lo, 0, sizeof(cc->lo));
	memset(cc->lo_id, 0, sizeof(cc->lo_id));
	cc->round_end = now + CC_ROUND_GRTT * grtt;
}

void srv_cc_ctrl_sent(struct srv_cc *cc, int in_pass)
{
	if (!in_pass || cc->clr == 0 || ++cc->silent < CC_SILENT_MAX)
		return;
	cc->rate = clamp(cc, cc->rate / 2);
	cc->timeouts++;
	cc->clr = 0;
	cc->clr_rate = 0;
	cc->silent = 0;
}

void srv_cc_forget(struct srv_cc *cc, uint32_t id)
{
	if (cc->lo_id[1] == id)
		cc->lo_id[1] = 0;
	if (cc->lo_id[0] == id) {
		cc->lo[0] = cc->lo[1], cc->lo_id[0] = cc->lo_id[1];
		cc->lo_id[1] = 0;
	}
	if (cc->clr != id)
		return;
	cc->clr = 0;
	cc->clr_rate = 0;
	cc->silent = 0;
}

/* ---- the session's side ---------------------------------------------- */

void srv_cc_apply(struct uftp_server *s)
{
	if (s->cc.on)
		s->rate_bpns = s->cc.rate / 1e9;
}

void srv_cc_init(struct uftp_server *s, uint64_t now)
{
	srv_cc_setup(&s->cc, s->cfg, srv_pkt_cost(s));
	s->cc.next_ctrl = now;
	s->cc.round_end = now;
	srv_cc_apply(s);
}

/* The member that limits before any report: the farthest one (largest RTT). */
static void pick_clr(struct uftp_server *s)
{
	struct srv_client *best = NULL, *c;
	size_t i;

	if (s->cc.clr) {
		c = srv_find(s, s->cc.clr);
		if (c != NULL && srv_is_member(c))
			return;
		srv_cc_forget(&s->cc, s->cc.clr);
	}
	for (i = 0; i < s->nclients; i++) {
		c = &s->clients[i];
		if (!srv_is_member(c))
			continue;
		if (best == NULL ||
		    (c->cc_rate > 0 && (best->cc_rate == 0 || c->cc_rate < best->cc_rate)) ||
		    (best->cc_rate == 0 && c->cc_rate == 0 && c->rtt > best->rtt))
			best = c;
	}
	if (best != NULL)
		set_clr(&s->cc, best->id, best->cc_rate);
}

/*
 * One report from c: its own, or, from a proxy, that of the client of the
 * proxy the extension names (a receiver cannot report for another).
 */
static void report(struct uftp_server *s, struct srv_client *c,
                   const struct uftp_ext_tfmcc_ack_info *ai, uint64_t now)
{
	struct srv_client *r = c->is_proxy ? srv_find(s, ai->client_id) : c;
	double was = s->cc.rate;

	if (r == NULL || (c->is_proxy && r->via != c->id) || !srv_is_member(r))
		return; /* a receiver done with the session no longer limits it */
	if (ai->flags & UFTP_CC_RTT)
		srv_rtt(s, r, ai->tstamp_sec, ai->tstamp_usec, now);
	r->cc_rate = uftp_cc_rate_unquantize(ai->cc_rate);
	r->cc_echo = 1;
	srv_cc_feedback(&s->cc, r->id, r->cc_rate, ai->flags, s->grtt);
	if (s->cc.rate != was) {
		uftp_env_log(s->env, UFTP_LOG_DEBUG, "TFMCC: rate %.0f -> %.0f B/s (CLR 0x%08X%s)",
		             was, s->cc.rate, s->cc.clr, s->cc.slowstart ? ", slow start" : "");
		srv_cc_apply(s);
	}
}

static int report_ext(struct uftp_server *s, struct srv_client *c, const uint8_t *ext,
                      size_t ext_len, uint64_t now)
{
	struct uftp_ext_tfmcc_ack_info ai;
	struct uftp_ext e;
	ssize_t n;

	if (uftp_ext_find(ext, ext_len, UFTP_EXT_TFMCC_ACK_INFO, &e) != 1)
		return UFTP_ERR_BADLEN;
	n = uftp_decode_ext_tfmcc_ack_info(&ai, e.ptr, e.len);
	if (n < 0)
		return (int)n;
	report(s, c, &ai, now);
	return 0;
}

int srv_cc_on_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now)
{
	struct uftp_cc_ack a;

	if (!s->cc.on)
		return UFTP_ERR_STATE;
	if (uftp_decode_cc_ack(&a, body, len) < 0)
		return UFTP_ERR_BADLEN;
	return report_ext(s, c, a.ext, a.ext_len, now);
}

void srv_cc_on_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                      uint64_t now)
{
	struct uftp_status st;

	if (s->cc.on && uftp_decode_status(&st, body, len) >= 0)
		report_ext(s, c, st.ext, st.ext_len, now);
}

size_t srv_cc_data_info(struct uftp_server *s, uint8_t *ext)
{
	struct uftp_ext_tfmcc_data_info di;

	if (!s->cc.on)
		return 0;
	di.send_rate = uftp_cc_rate_quantize(s->cc.rate);
	di.cc_seq = s->cc.seq;
	di.cc_rate = (s->cc.supp ? uftp_cc_rate_quantize(s->cc.supp) : CC_NO_LIMIT);
	return (size_t)uftp_encode_ext_tfmcc_data_info(ext, UFTP_EXT_TFMCC_DATA_INFO_LEN, &di);
}

/* The CLR, then the receivers that reported since the last CONG_CTRL. */
static size_t fill_items(struct uftp_server *s, struct uftp_cc_item *it)
{
	struct srv_client *c;
	size_t i, n = 0;

	c = s->cc.clr ? srv_find(s, s->cc.clr) : NULL;
	if (c != NULL) {
		it[n].client_id = c->id;
		it[n].flags = (uint8_t)(UFTP_CC_CLR | (c->rtt ? UFTP_CC_RTT : 0) |
		                        (s->cc.slowstart ? UFTP_CC_START : 0));
		it[n++].rtt = uftp_grtt_quantize(c->rtt);
		c->cc_echo = 0;
	}
	for (i = 0; i < s->nclients && n < CC_MAX_ITEMS; i++) {
		c = &s->clients[i];
		if (!c->cc_echo || !srv_is_member(c))
			continue;
		c->cc_echo = 0;
		it[n].client_id = c->id;
		it[n].flags =
		    (uint8_t)((c->rtt ? UFTP_CC_RTT : 0) | (s->cc.slowstart ? UFTP_CC_START : 0));
		it[n++].rtt = uftp_grtt_quantize(c->rtt);
	}
	return n;
}

int srv_cc_write(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	struct uftp_cc_item it[CC_MAX_ITEMS];
	uint8_t items[CC_MAX_ITEMS * UFTP_CC_ITEM_LEN];
	uint8_t *body = s->encrypted ? s->plain : out + UFTP_HEADER_LEN;
	struct uftp_cong_ctrl m = {0};
	ssize_t n;

	if (srv_cc_expiry(s) > now)
		return 0;
	srv_grtt_follow(s);
	srv_cc_round(&s->cc, now, s->grtt);
	pick_clr(s);
	n = uftp_cc_items_pack(items, sizeof(items), it, fill_items(s, it));
	if (n < 0)
		return (int)n;
	m.cc_seq = s->cc.seq;
	m.cc_rate = (s->cc.supp ? uftp_cc_rate_quantize(s->cc.supp) : CC_NO_LIMIT);
	srv_wire_time(s, now, &m.tstamp_sec, &m.tstamp_usec);
	m.items = items;
	m.item_count = (size_t)n / UFTP_CC_ITEM_LEN;
	n = uftp_encode_cong_ctrl(body, cap - UFTP_HEADER_LEN, &m);
	if (n < 0)
		return (int)n;
	s->cc.next_ctrl = now + s->grtt;
	srv_cc_ctrl_sent(&s->cc, s->pass_active);
	srv_cc_apply(s);
	return srv_finish_packet(s, out, cap, body, (size_t)n, 1);
}

uint64_t srv_cc_expiry(const struct uftp_server *s)
{
	if (!s->cc.on || s->phase != PH_DATA)
		return UFTP_NEVER;
	return s->cc.next_ctrl;
}
