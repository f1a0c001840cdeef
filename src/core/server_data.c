/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data passes of the current file for the sender: FILESEGs paced by a
 * token bucket at -R, the STATUS NAKs that mark blocks for the next pass,
 * the rewind that starts it, and the -W and -a limits.
 */
#include "config.h"

#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/section.h"
#include "core/server_int.h"

#define BIT_SET(m, i)  ((m)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))
#define BIT_TEST(m, i) (((m)[(i) >> 3] >> ((i)&7)) & 1)

/*
 * What one FILESEG costs against the -R rate: the reference waits
 * (block size + 20) bytes' worth between packets (its log: 1000 Kbps, block
 * 1300 -> 10562500 ns).
 */
double srv_pkt_cost(const struct uftp_server *s)
{
	return (double)s->cfg->block_size + 20;
}

/* -W: the file may take txweight % of the time its bytes need at the set rate. */
static uint64_t file_deadline(const struct uftp_server *s, uint64_t now)
{
	double ideal;

	if (s->cfg->txweight == 0 || s->rate_bpns <= 0 || s->cc.on) /* TFMCC: no set rate */
		return UFTP_NEVER;
	ideal = (double)s->sec.nblocks * srv_pkt_cost(s) / s->rate_bpns;
	return now + (uint64_t)(ideal * s->cfg->txweight / 100.0) + UFTP_NS_PER_SEC;
}

/*
 * When every client still owed this file holds part of it from an earlier
 * attempt (restart, FILEINFO_ACK PARTIAL), the first pass sends nothing:
 * its DONE makes them NAK just the blocks they miss.
 */
static int all_partial(const struct uftp_server *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nclients; i++) {
		const struct srv_client *c = &s->clients[i];

		if (!srv_is_member(c) || c->fstate != FS_ACKED)
			continue;
		if (!c->partial)
			return 0;
		n++;
	}
	return n > 0;
}

void srv_start_data(struct uftp_server *s, uint64_t now)
{
	s->deadline = file_deadline(s, now);
	srv_set_phase(s, PH_DATA, now);
	s->pass_active = 1;
	s->passes = 1;
	s->pos = 0;
	s->timer = UFTP_NEVER;
	s->last_fill = now;
	s->tokens = srv_pkt_cost(s);
	if (all_partial(s)) {
		uftp_env_log(s->env, UFTP_LOG_INFO,
		             "%s: every client resumes it, sending only what they NAK",
		             srv_cur_file(s)->name);
		s->pos = s->sec.nblocks;
	}
}

/*
 * The token bucket's depth: at least two packets, and 20 ms at a set rate
 * (-R), so that a sender woken a few ms late on a busy host catches up
 * instead of losing the time (with 5 ms, 1-10% below -R under load);
 * 5 ms under TFMCC, whose rate moves.
 */
static double bucket_size(const struct uftp_server *s, double cost)
{
	double burst = s->rate_bpns * (s->cc.on ? 5e6 : 20e6);

	return burst < 2 * cost ? 2 * cost : burst;
}

static int fill_tokens(struct uftp_server *s, uint64_t now, double cost)
{
	double burst;

	if (s->rate_bpns <= 0)
		return 1;
	if (now > s->last_fill) {
		s->tokens += (double)(now - s->last_fill) * s->rate_bpns;
		s->last_fill = now;
	}
	burst = bucket_size(s, cost);
	if (s->tokens > burst)
		s->tokens = burst;
	return s->tokens >= cost;
}

/*
 * What a paced sender waits for once the bucket is empty: tokens for
 * SRV_PACE_BATCH packets (at most half of what the bucket holds, so a
 * slow rate still sends one packet at a time), so that at a high rate the
 * driver wakes once per batch, not once per packet, and hands the kernel a
 * batch.
 */
#define SRV_PACE_BATCH 16
static double wake_tokens(const struct uftp_server *s, double cost)
{
	double k = s->rate_bpns * 5e6 / cost / 2; /* the wake-ups of a 5 ms bucket */

	if (k > SRV_PACE_BATCH)
		k = SRV_PACE_BATCH;
	return k < 1 ? cost : (double)(unsigned)k * cost;
}

uint64_t srv_data_expiry(const struct uftp_server *s)
{
	double cost = srv_pkt_cost(s), want;

	if (!s->pass_active)
		return UFTP_NEVER;
	if (s->rate_bpns <= 0 || s->tokens >= cost)
		return 0;
	want = wake_tokens(s, cost);
	return s->last_fill + (uint64_t)((want - s->tokens) / s->rate_bpns) + 1;
}

/* Next block of this pass at or after pos; nblocks when none is left. */
static uint64_t next_block(const struct uftp_server *s)
{
	uint64_t b = s->pos;

	if (s->passes <= 1)
		return b;
	while (b < s->sec.nblocks) {
		if ((b & 7) == 0 && s->pass[b >> 3] == 0) {
			b += 8;
			continue;
		}
		if (BIT_TEST(s->pass, b))
			return b;
		b++;
	}
	return s->sec.nblocks;
}

static void pass_end(struct uftp_server *s, uint64_t now)
{
	(void)now;
	s->pass_active = 0;
	s->done_due = 1;
	s->sends = 0;
	s->list_cursor = 0;
}

static int encode_fileseg(struct uftp_server *s, uint64_t b, uint8_t *out, size_t cap)
{
	const struct uftp_server_file *f = srv_cur_file(s);
	uint64_t off = b * s->cfg->block_size;
	size_t want = s->cfg->block_size;
	uint8_t *p = s->encrypted ? s->plain : out + UFTP_HEADER_LEN;
	uint16_t sec, blk;
	size_t hlen = UFTP_FILESEG_LEN;
	ssize_t n;

	if (off + want > f->size)
		want = (size_t)(f->size - off);
	uftp_section_pos(&s->sec, b, &sec, &blk);
	hlen += srv_cc_data_info(s, p + UFTP_FILESEG_LEN); /* TFMCC: EXT_TFMCC_DATA_INFO */
	p[0] = UFTP_MSG_FILESEG;
	p[1] = (uint8_t)(hlen / 4);
	put_u16be(put_u16be(put_u16be(p + 2, srv_cur_id(s)), sec), blk);
	n = s->cfg->fops->read_at(s->cfg->fops->arg, s->cur, off, p + hlen, want);
	if (n < 0)
		return (int)n;
	if ((size_t)n != want)
		return UFTP_ERR_IO;
	return srv_finish_packet(s, out, cap, p, hlen + want, 1);
}

int srv_write_data(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	double cost = srv_pkt_cost(s);
	uint64_t b;
	int n;

	if (!s->pass_active)
		return 0;
	b = next_block(s);
	if (b >= s->sec.nblocks) {
		pass_end(s, now);
		return srv_write_done(s, out, cap, now);
	}
	if (!fill_tokens(s, now, cost))
		return 0;
	n = encode_fileseg(s, b, out, cap);
	if (n < 0) {
		uftp_env_log(s->env, UFTP_LOG_ERROR, "reading %s: %s", srv_cur_file(s)->name,
		             uftp_strerror(n));
		uftp_server_abort(s, "Error reading file", now);
		return 0;
	}
	s->pos = b + 1;
	s->data_sent++;
	if (s->passes > 1)
		s->data_resent++;
	if (s->rate_bpns > 0)
		s->tokens -= cost;
	return n;
}

static unsigned record_naks(struct uftp_server *s, uint32_t sec, const uint8_t *map, size_t len)
{
	uint64_t base = uftp_section_start(&s->sec, sec);
	uint32_t i, n = uftp_section_len(&s->sec, sec);
	unsigned count = 0;

	for (i = 0; i < n && i / 8 < len; i++) {
		/* thousands of STATUS a pass: clean bytes skipped whole */
		if ((i & 7) == 0 && map[i / 8] == 0) {
			i += 7;
			continue;
		}
		if (!BIT_TEST(map, i))
			continue;
		BIT_SET(s->naks, base + i);
		count++;
	}
	return count;
}

int srv_on_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now)
{
	struct uftp_status st;
	unsigned count;
	size_t i;

	if (uftp_decode_status(&st, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (st.file_id != srv_cur_id(s) || st.section >= s->sec.nsections)
		return 0;
	/* a proxy's STATUS carries the union of its clients' NAKs */
	if (c->is_proxy ? !srv_proxy_for(s, c, srv_is_member) : !srv_is_member(c))
		return 0;
	if (!c->is_proxy && (c->fstate == FS_INFO || c->fstate == FS_SENT)) {
		c->fstate = FS_ACKED;
		c->had_file = 1;
	}
	/*
	 * A proxy's STATUS lists nobody: after early data it may speak for
	 * some of its clients only, and those it lists in FILEINFO_ACK or
	 * COMPLETE are the ones known to have the FILEINFO (FS_SENT stays).
	 */
	for (i = 0; c->is_proxy && i < s->nclients; i++)
		if (s->clients[i].via == c->id && srv_is_member(&s->clients[i]) &&
		    s->clients[i].fstate == FS_INFO)
			s->clients[i].fstate = FS_ACKED;
	count = record_naks(s, st.section, st.naks, st.naks_len);
	if (count == 0)
		return 0;
	s->naks_rx += count;
	c->naks += count;
	if (count * 100 > s->cfg->max_nak_pct * uftp_section_len(&s->sec, st.section) &&
	    ++c->nak_strikes >= (int)s->cfg->max_nak_count) {
		for (i = 0; c->is_proxy && i < s->nclients; i++)
			if (s->clients[i].via == c->id && srv_is_member(&s->clients[i]))
				srv_client_lost(s, &s->clients[i],
				                "too many NAKs (through its proxy)");
		if (!c->is_proxy)
			srv_client_lost(s, c, "too many NAKs");
		srv_check_file_done(s, now);
		return 0;
	}
	s->have_naks = 1;
	if (!s->pass_active) {
		s->sends = 0;
		if (s->timer > now + s->grtt)
			s->timer = now + s->grtt;
	}
	return 0;
}

static void rewind_pass(struct uftp_server *s, uint64_t now)
{
	uint8_t *t = s->pass;

	s->pass = s->naks;
	s->naks = t;
	memset(s->naks, 0, (size_t)(s->sec.nblocks / 8 + 1));
	s->have_naks = 0;
	s->passes++;
	uftp_env_log(s->env, UFTP_LOG_INFO, "%s: pass %u", srv_cur_file(s)->name, s->passes);
	if (s->cfg->max_passes && s->passes > s->cfg->max_passes) {
		srv_drop_silent(s, srv_owes_status, "maximum passes reached");
		srv_check_file_done(s, now);
		return;
	}
	s->pos = 0;
	s->pass_active = 1;
	s->done_empty_due = 1;
	s->timer = UFTP_NEVER;
}

/* A client the early data went to has not answered its FILEINFO yet. */
static int any_unanswered(const struct uftp_server *s)
{
	size_t i;

	for (i = 0; i < s->nclients; i++)
		if (srv_is_member(&s->clients[i]) && s->clients[i].fstate == FS_SENT)
			return 1;
	return 0;
}

void srv_data_timer(struct uftp_server *s, uint64_t now)
{
	if (now >= s->deadline) {
		s->deadline = UFTP_NEVER;
		s->pass_active = 0;
		s->have_naks = 0;
		srv_drop_silent(s, srv_owes_status, "maximum transfer time exceeded");
		srv_check_file_done(s, now);
		return;
	}
	if (s->pass_active)
		return;
	if (s->have_naks) {
		rewind_pass(s, now);
		return;
	}
	if (s->sends < s->cfg->robust) {
		s->done_due = 1;
		s->info_again = any_unanswered(s); /* early data: the FILEINFO first */
		s->timer = UFTP_NEVER;
		return;
	}
	srv_data_silent(s, now);
}
