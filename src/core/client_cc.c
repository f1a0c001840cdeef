/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core, TFMCC receiver feedback (uftp -C tfmcc; protocol.txt 3.3,
 * RFC 4654), with the same EXT_TFMCC_ACK_INFO on STATUS.
 *
 * Who answers (RFC 4654 section 4.4), so that a thousand receivers do not
 * all answer every CONG_CTRL:
 *   - the current limiting receiver (CLR), named in the CONG_CTRL, answers
 *     each one (once per GRTT);
 *   - any other receiver answers at most once per feedback round (a new CC
 *     sequence number, seen in CONG_CTRL or in a FILESEG's
 *     EXT_TFMCC_DATA_INFO), after a random delay t = T (1 + log_N x),
 *     x uniform in (0, 1], N = 10000, T = 4 GRTT, and only if its rate is
 *     below the server's suppression rate when the timer fires: the
 *     server lowers that rate to the lowest report it has, so the few
 *     early answers silence the rest.  Nothing is sent before data arrives,
 *     nor in round 0 (a new file, nothing measured yet).
 * The 4.10.2 uftpd behaves alike: in captures its non-CLR receivers answer
 * a few rounds per file, not every CONG_CTRL.
 *
 * Rates on the wire: uftp_cc_rate_quantize (quant.h).
 *
 * Our rate: twice the measured receive rate while no loss was seen (slow
 * start), then the TCP throughput equation of RFC 3448 with our RTT (the
 * one the server lists for us in a CONG_CTRL, measured from our echoed
 * timestamps; the GRTT until it has listed us) and the loss event rate of
 * RFC 3448 section 5: losses less than an RTT (at least the GRTT, see
 * event_span) after the start of a loss event belong to it, and the loss
 * event rate is the inverse of the weighted mean of the last 8 loss
 * intervals (the open one included once it is longer).  A lost block is
 * one missing from the bitmap between two blocks that arrive in order: a
 * repair pass skips the blocks we hold, and those are not lost.
 */
#include <string.h>

#include "core/client_int.h"
#include "core/err.h"
#include "core/quant.h"

#define RATE_FLOOR 10000.0 /* bytes/s: never report less */

static double root(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

/* RFC 3448 section 3.1 with b = 1 and t_RTO = 4R. */
static double tcp_rate(double s, double rtt, double p)
{
	double d = rtt * root(2 * p / 3) + 4 * rtt * (3 * root(3 * p / 8)) * p * (1 + 32 * p * p);

	return d > 0 ? s / d : 1e12;
}

static void round_seen(struct csession *s, uint16_t seq, uint16_t supp);
static void feedback_due(struct uftp_client *c, struct csession *s, uint64_t now);

/* Our RTT: the one the server lists for us, else the GRTT (ns). */
static uint64_t rtt_ns(const struct csession *s)
{
	return s->cc.rtt ? s->cc.rtt : s->grtt;
}

/* Blocks in [from, to) that we do not hold: lost, not skipped by a repair pass. */
static uint64_t missing(const struct cfile *f, uint64_t from, uint64_t to)
{
	uint64_t b, n = 0;

	for (b = from; b < to; b++)
		if (!f->have || !(f->have[b / 8] & (1u << (b % 8))))
			n++;
	return n;
}

/*
 * The interval before the first loss event (RFC 3448 section 6.3.1): the
 * one whose loss event rate gives the rate at which we were receiving, so
 * that a long loss-free start does not leave an inflated history.
 */
static uint64_t first_interval(const struct csession *s)
{
	double rtt = (double)rtt_ns(s) / UFTP_NS_PER_SEC, lo = 1e-8, hi = 1, p = 1;
	int i;

	if (s->cc.recv_rate <= 0 || rtt <= 0)
		return s->cc.li[0] ? s->cc.li[0] : 1;
	for (i = 0; i < 50; i++) { /* tcp_rate falls as p rises */
		p = (lo + hi) / 2;
		if (tcp_rate(s->block_size, rtt, p) > s->cc.recv_rate)
			lo = p;
		else
			hi = p;
	}
	return (uint64_t)(1 / p) + 1;
}

/*
 * How long after the start of a loss event further losses belong to it:
 * our RTT (RFC 3448 section 5.2), but not less than the GRTT.  The sender
 * hears from us and changes its rate once per GRTT (a CONG_CTRL, our
 * answer): losses closer together than that come from one sending rate,
 * as losses within one RTT do for TCP.  The 4.10.2 uftpd behaves alike:
 * at a fixed loss fraction its reports rise with the sending rate.
 */
static uint64_t event_span(const struct csession *s)
{
	uint64_t r = rtt_ns(s);

	return r > s->grtt ? r : s->grtt;
}

/* n packets lost just before now: a new loss event unless one began within event_span. */
static void on_loss(struct csession *s, uint64_t n, uint64_t now)
{
	struct ccstate *cc = &s->cc;
	int i;

	cc->lost += n;
	if (cc->nli && now - cc->ev_start <= event_span(s)) {
		cc->li[0] += n;
		return;
	}
	if (!cc->nli)
		cc->li[0] = first_interval(s);
	for (i = CL_CC_NLI; i > 0; i--)
		cc->li[i] = cc->li[i - 1];
	cc->nli += cc->nli < CL_CC_NLI;
	cc->li[0] = n;
	cc->ev_start = now;
	cc->slowstart = 0;
}

/* Called for every FILESEG of the current file: throughput and loss history. */
void cl_cc_on_data(struct uftp_client *c, struct csession *s, const struct uftp_fileseg *fs,
                   uint64_t block, uint64_t now)
{
	struct ccstate *cc = &s->cc;
	struct uftp_ext_tfmcc_data_info di;
	struct uftp_ext e;
	uint64_t n;

	if (uftp_ext_find(fs->ext, fs->ext_len, UFTP_EXT_TFMCC_DATA_INFO, &e) == 1 &&
	    uftp_decode_ext_tfmcc_data_info(&di, e.ptr, e.len) > 0) {
		round_seen(s, di.cc_seq, di.cc_rate);
		feedback_due(c, s, now);
	}
	if (!cc->since)
		cc->since = now; /* the first report measures from the first data */
	cc->bytes += fs->data_len;
	cc->rx++;
	if (cc->have_last && block > cc->last_block + 1) {
		n = missing(&s->file, cc->last_block + 1, block);
		if (n)
			on_loss(s, n, now);
	}
	cc->last_block = block; /* lower: a repair pass began */
	cc->have_last = 1;
	cc->li[0]++;
}

/* The loss event rate from the history (RFC 3448 section 5.4); 0 before any loss. */
static double loss_rate(const struct ccstate *cc)
{
	static const double w[CL_CC_NLI] = {1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2};
	double tot0 = 0, tot1 = 0, wt = 0;
	int i;

	if (!cc->nli)
		return 0;
	for (i = 0; i < cc->nli; i++) {
		tot0 += (double)cc->li[i] * w[i];
		tot1 += (double)cc->li[i + 1] * w[i];
		wt += w[i];
	}
	tot0 = tot0 > tot1 ? tot0 : tot1; /* the open interval counts once it is long */
	return tot0 > 0 ? wt / tot0 : 1;
}

static double our_rate(struct csession *s, uint64_t now)
{
	struct ccstate *cc = &s->cc;
	double dt = (double)(now - cc->since) / UFTP_NS_PER_SEC, recv, rate;

	if (cc->bytes && dt > 0 && cc->since) {
		recv = (double)cc->bytes / dt;
		cc->recv_rate = recv;
	}
	recv = cc->recv_rate > RATE_FLOOR ? cc->recv_rate : RATE_FLOOR;
	cc->bytes = 0;
	cc->since = now;
	if (!cc->nli)
		return 2 * recv; /* slow start (RFC 4654 section 4.3) */
	/* after it, the equation alone: a short report interval's receive rate
	 * is too noisy to cap it (a gap in the data would halve our report) */
	rate = tcp_rate(s->block_size, (double)rtt_ns(s) / UFTP_NS_PER_SEC, loss_rate(cc));
	return rate > RATE_FLOOR ? rate : RATE_FLOOR;
}

/* EXT_TFMCC_ACK_INFO with rate (as on the wire) into ext. */
static ssize_t ack_info(struct uftp_client *c, struct csession *s, uint16_t rate, uint8_t *ext,
                        uint64_t now)
{
	struct uftp_ext_tfmcc_ack_info ai;

	memset(&ai, 0, sizeof(ai));
	ai.flags = UFTP_CC_RTT | (s->cc.slowstart ? UFTP_CC_START : 0);
	ai.cc_seq = s->cc.seq;
	ai.cc_rate = rate;
	ai.client_id = c->cfg.uid;
	cl_ts_echo(s, now, &ai.tstamp_sec, &ai.tstamp_usec);
	return uftp_encode_ext_tfmcc_ack_info(ext, UFTP_EXT_TFMCC_ACK_INFO_LEN, &ai);
}

/* Our rate for a report, as on the wire (logged at trace level). */
static uint16_t report_rate(struct uftp_client *c, struct csession *s, uint64_t now)
{
	const struct ccstate *cc = &s->cc;
	double r = our_rate(s, now);

	cl_log(c, UFTP_LOG_TRACE,
	       "[%08X] TFMCC report %.0f B/s: p %.5f rtt %.3f ms recv %.0f B/s li %llu %llu %llu",
	       s->group_id, r, loss_rate(cc), (double)rtt_ns(s) / 1e6, cc->recv_rate,
	       (unsigned long long)cc->li[0], (unsigned long long)cc->li[1],
	       (unsigned long long)cc->li[2]);
	return uftp_cc_rate_quantize(r);
}

/* Builds EXT_TFMCC_ACK_INFO into ext (UFTP_EXT_TFMCC_ACK_INFO_LEN bytes). */
ssize_t cl_cc_ack_info(struct uftp_client *c, struct csession *s, uint8_t *ext, uint64_t now)
{
	return ack_info(c, s, report_rate(c, s, now), ext, now);
}

/* A CC_ACK reporting rate (as on the wire). */
static int send_cc_ack(struct uftp_client *c, struct csession *s, uint16_t rate, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_CC_ACK};
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	ssize_t n = ack_info(c, s, rate, ext, now);

	if (n < 0)
		return (int)n;
	m.u.cc_ack.ext = ext;
	m.u.cc_ack.ext_len = (size_t)n;
	s->cc.fb_sent++;
	return cl_send(c, s, &m, now);
}

/* log2(u) for u >= 1, within 0.09 (piecewise linear between powers of 2). */
static double log2_approx(uint32_t u)
{
	int b = 31;

	while (b > 0 && !(u >> b))
		b--;
	return b + (b ? (double)(u - (1u << b)) / (double)(1u << b) : 0);
}

/* The feedback delay of RFC 4654 section 4.4 for a fresh round. */
static uint64_t feedback_delay(struct uftp_client *c, struct csession *s)
{
	const double log2_n = 13.2877; /* N = 10000 receivers at most */
	uint8_t r[4];
	uint32_t u;
	double f, t_round = 4.0 * (double)s->grtt;

	if (uftp_env_random(c->env, r, sizeof(r)) < 0)
		return (uint64_t)t_round; /* no randomness: answer late, not early */
	u = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
	if (!u)
		u = 1;
	f = 1 + (log2_approx(u) - 32) / log2_n; /* 1 + log_N(u / 2^32) */
	return f > 0 ? (uint64_t)(t_round * f) : 0;
}

/* A CC sequence number from the server: a new one starts a feedback round. */
static void round_seen(struct csession *s, uint16_t seq, uint16_t supp)
{
	struct ccstate *cc = &s->cc;

	cc->supp_rate = supp;
	if (cc->in_round && cc->seq == seq)
		return;
	cc->in_round = 1;
	cc->seq = seq;
	cc->answered = 0;
	cc->fb_at = UFTP_NEVER; /* armed by feedback_due, which has the client */
}

/* A non-CLR receiver's answer in this round, once its timer has fired. */
static void feedback_due(struct uftp_client *c, struct csession *s, uint64_t now)
{
	struct ccstate *cc = &s->cc;
	uint16_t ours;

	/* round 0 is the server's start of a file, before any rate is measured:
	 * like the 4.10.2 uftpd, only the CLR answers in it */
	if (!cc->in_round || cc->answered || cc->clr || !cc->rx || !cc->seq)
		return;
	if (cc->fb_at == UFTP_NEVER)
		cc->fb_at = now + feedback_delay(c, s);
	if (now < cc->fb_at)
		return;
	cc->answered = 1;
	ours = report_rate(c, s, now);
	if (cc->supp_rate &&
	    uftp_cc_rate_unquantize(ours) >= uftp_cc_rate_unquantize(cc->supp_rate)) {
		cc->fb_held++; /* a receiver as slow or slower already answered */
		return;
	}
	send_cc_ack(c, s, ours, now);
}

int cl_on_cong_ctrl(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_cong_ctrl *cc = &in->msg->u.cong_ctrl;
	struct uftp_cc_item it;
	size_t i;

	if (s->cc_type != UFTP_CC_TFMCC)
		return 0;
	s->ts_sec = cc->tstamp_sec, s->ts_usec = cc->tstamp_usec, s->ts_rx = in->now;
	s->cc.clr = 0;
	for (i = 0; i < cc->item_count; i++) {
		it = uftp_cong_ctrl_get(cc, i);
		if (it.client_id != c->cfg.uid)
			continue;
		if (it.flags & UFTP_CC_CLR)
			s->cc.clr = 1;
		if (it.flags & UFTP_CC_RTT)
			s->cc.rtt =
			    uftp_grtt_unquantize(it.rtt); /* measured by the server for us */
	}
	round_seen(s, cc->cc_seq, cc->cc_rate);
	if (s->cc.clr) /* the CLR answers every CONG_CTRL */
		return send_cc_ack(c, s, report_rate(c, s, in->now), in->now);
	feedback_due(c, s, in->now);
	return 0;
}
