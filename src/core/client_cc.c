/*
 * Client core, TFMCC receiver feedback (uftp -C tfmcc; protocol.txt 3.3,
 * RFC 4654): answer each CONG_CTRL with a CC_ACK carrying our rate, and
 * put the same EXT_TFMCC_ACK_INFO on STATUS.  A 4.10.2 server drops a
 * receiver that sends no feedback for 40 GRTTs.
 *
 * Rates on the wire (settled with captures of 4.10.2): 12-bit mantissa m
 * (high bits) and 4-bit exponent e (low bits) for m * 10^(e+1) / 4096 bytes
 * per second, like the group size quantization with a wider mantissa.
 *
 * Our rate: twice the measured receive rate while no loss was seen (slow
 * start), then the TCP throughput equation of RFC 3448 with the loss
 * fraction seen in the data stream and the GRTT, capped at twice the
 * receive rate.
 */
#include <string.h>

#include "core/client_int.h"
#include "core/err.h"

#define RATE_FLOOR 10000.0 /* bytes/s: never report less */

/* Encodes a rate in bytes per second. */
uint16_t cl_cc_rate_encode(double rate)
{
	double scale = 10.0;
	unsigned e = 0;

	if (rate < 1)
		rate = 1;
	while (e < 15 && rate * 4096 / scale >= 4096)
		scale *= 10, e++;
	if (rate * 4096 / scale >= 4096)
		return 0xfff0 | 15;
	return (uint16_t)((unsigned)(rate * 4096 / scale) << 4 | e);
}

/* Decodes a rate; inverse of cl_cc_rate_encode up to rounding. */
double cl_cc_rate_decode(uint16_t q)
{
	double v = (double)(q >> 4) / 4096;
	unsigned e;

	for (e = 0; e <= (q & 15u); e++)
		v *= 10;
	return v;
}

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

/* Called for every FILESEG of the current file: throughput and loss counting. */
void cl_cc_on_data(struct csession *s, uint64_t block, size_t len)
{
	struct ccstate *cc = &s->cc;

	cc->bytes += len;
	cc->rx++;
	if (cc->have_last && block > cc->last_block + 1)
		cc->lost++; /* one loss event per gap, as TFMCC counts them */
	if (!cc->have_last || block > cc->last_block)
		cc->last_block = block;
	if (cc->have_last && block < cc->last_block)
		cc->last_block = block; /* a retransmission pass */
	cc->have_last = 1;
	if (cc->rx > 20000) /* forget old history slowly */
		cc->rx /= 2, cc->lost /= 2;
}

static double our_rate(struct csession *s, uint64_t now)
{
	struct ccstate *cc = &s->cc;
	double dt = (double)(now - cc->since) / UFTP_NS_PER_SEC, recv, p, rate;

	if (cc->bytes && dt > 0 && cc->since) {
		recv = (double)cc->bytes / dt;
		cc->recv_rate = recv;
	}
	recv = cc->recv_rate > RATE_FLOOR ? cc->recv_rate : RATE_FLOOR;
	cc->bytes = 0;
	cc->since = now;
	if (!cc->lost)
		return 2 * recv;
	cc->slowstart = 0;
	p = (double)cc->lost / (double)(cc->rx + cc->lost);
	rate = tcp_rate(s->block_size, (double)s->grtt / UFTP_NS_PER_SEC, p);
	if (rate > 2 * recv)
		rate = 2 * recv;
	return rate > RATE_FLOOR ? rate : RATE_FLOOR;
}

/* Builds EXT_TFMCC_ACK_INFO into ext (UFTP_EXT_TFMCC_ACK_INFO_LEN bytes). */
ssize_t cl_cc_ack_info(struct uftp_client *c, struct csession *s, uint8_t *ext, uint64_t now)
{
	struct uftp_ext_tfmcc_ack_info ai;

	memset(&ai, 0, sizeof(ai));
	ai.flags = UFTP_CC_RTT | (s->cc.slowstart ? UFTP_CC_START : 0);
	ai.cc_seq = s->cc.seq;
	ai.cc_rate = cl_cc_rate_encode(our_rate(s, now));
	ai.client_id = c->cfg.uid;
	cl_ts_echo(s, now, &ai.tstamp_sec, &ai.tstamp_usec);
	return uftp_encode_ext_tfmcc_ack_info(ext, UFTP_EXT_TFMCC_ACK_INFO_LEN, &ai);
}

int cl_on_cong_ctrl(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_cong_ctrl *cc = &in->msg->u.cong_ctrl;
	struct uftp_msg m = {.func = UFTP_MSG_CC_ACK};
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	ssize_t n;

	if (s->cc_type != UFTP_CC_TFMCC)
		return 0;
	s->cc.seq = cc->cc_seq;
	s->ts_sec = cc->tstamp_sec, s->ts_usec = cc->tstamp_usec, s->ts_rx = in->now;
	n = cl_cc_ack_info(c, s, ext, in->now);
	if (n < 0)
		return (int)n;
	m.u.cc_ack.ext = ext;
	m.u.cc_ack.ext_len = (size_t)n;
	return cl_send(c, s, &m, in->now);
}
