/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Feedback after a pass, for many receivers (issue 12, "Scale").
 *
 * server_data.c starts the repair pass one GRTT after the first NAK that
 * follows a DONE and records every NAK for the pass after the one running.
 * With hundreds of receivers their STATUS burst (one STATUS per section
 * with a hole, from each) takes tens of milliseconds to arrive: waiting for
 * all of it leaves the link idle, and starting without it pushed the late
 * NAKs into one more pass.  The rules here, applied around srv_on_status()
 * and DONE, let a pass take its feedback while it runs:
 *
 *  1. Between passes (DONE sent, waiting), the repair starts when every
 *     receiver owing a STATUS has answered (STATUS or COMPLETE), or
 *     FB_START_DIV-th of a GRTT after the first NAK, whichever is first.
 *     When NAKs are already waiting as a pass ends (the sections a
 *     receiver NAKed as the first pass moved on), the next pass starts as
 *     soon as its DONE is out: the answers to that DONE join it (rule 2).
 *  2. During a pass, a NAK for a block still ahead of the pass is answered
 *     by this pass: a block the pass has still to send is not recorded for
 *     the next pass, and one it would not have sent joins it.
 *  3. During a repair pass, a NAK for a block the pass has already resent
 *     was sent before the resend reached its receiver: it is not recorded.
 *     Should the resend have been lost as well, the receiver says so again
 *     in its answer to the DONE that ends this pass, which every receiver
 *     owing the file is asked for: nothing is lost, one pass is saved.
 *
 * All are O(1) per STATUS or O(section) for rules 2 and 3, and the one
 * count of the receivers owing a STATUS is made once per round: nothing
 * quadratic.
 */
#include "config.h"

#include <string.h>

#include "core/section.h"
#include "core/server_int.h"

#define FB_START_DIV 4

#define BIT_TEST(m, i) (((m)[(i) >> 3] >> ((i)&7)) & 1)

/*
 * Rules 2 and 3 for the NAKs of section sec recorded during this pass:
 * those ahead go to this pass, those for blocks it has resent are dropped.
 */
static void drop_ahead(struct uftp_server *s, uint32_t sec, int had_naks)
{
	uint64_t base = uftp_section_start(&s->sec, sec);
	uint64_t end = base + uftp_section_len(&s->sec, sec), b, any = 0;
	int repair = s->passes > 1; /* pass 1 sends every block from pos on */

	b = base;
	if (!repair && s->pos > b)
		b = s->pos;
	for (; b < end; b++) {
		uint8_t bit = (uint8_t)(1u << (b & 7));

		if ((b & 7) == 0 && s->naks[b >> 3] == 0) {
			b += 7;
			continue;
		}
		if (!(s->naks[b >> 3] & bit))
			continue;
		if (b >= s->pos || (s->pass[b >> 3] & bit)) {
			s->naks[b >> 3] &= (uint8_t)~bit;
			if (repair && b >= s->pos)
				s->pass[b >> 3] |= bit;
		}
	}
	if (had_naks)
		return;
	/* the NAKs of this STATUS were the only ones: are any left? */
	for (b = base; b < end && !any; b++) {
		if ((b & 7) == 0 && s->naks[b >> 3] == 0 && b + 8 <= end) {
			b += 7;
			continue;
		}
		any = BIT_TEST(s->naks, b);
	}
	if (!any)
		s->have_naks = 0;
}

/*
 * Starts the books of a round of answers, once per pass of each file: who
 * owes a STATUS now, plus c when its answer (a COMPLETE) just settled it.
 */
static void round_begin(struct uftp_server *s, const struct srv_client *c, uint64_t now)
{
	size_t i, owed = 0;

	for (i = 0; i < s->nclients; i++)
		if (srv_owes_status(&s->clients[i]))
			owed++;
	if (!srv_owes_status(c))
		owed++;
	s->fb_on = 1;
	s->fb_file = srv_cur_id(s);
	s->fb_pass = s->passes;
	s->fb_round++;
	s->fb_owed = owed;
	s->fb_answered = 0;
	s->fb_first = now;
	s->fb_first_nak = UFTP_NEVER;
}

/* Rule 1: counts c's answer and sets when the repair pass starts. */
static void answered(struct uftp_server *s, struct srv_client *c, uint64_t now)
{
	uint64_t t;

	if (!s->fb_on || s->fb_file != srv_cur_id(s) || s->fb_pass != s->passes)
		round_begin(s, c, now);
	if (c->fb_round != s->fb_round) {
		c->fb_round = s->fb_round;
		s->fb_answered++;
	}
	if (!s->have_naks)
		return; /* nothing to repair: server_data.c's DONE timer goes on */
	if (s->fb_first_nak == UFTP_NEVER)
		s->fb_first_nak = now;
	t = s->fb_first_nak + s->grtt / FB_START_DIV;
	if (s->fb_answered >= s->fb_owed || t < now)
		t = now;
	if (t < s->timer)
		s->timer = t;
}

int srv_fb_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now)
{
	struct uftp_status st;
	int had_naks = s->have_naks, active = s->pass_active, rv;

	rv = srv_on_status(s, c, body, len, now);
	if (rv < 0 || s->phase != PH_DATA || uftp_decode_status(&st, body, len) < 0)
		return rv;
	if (st.file_id != srv_cur_id(s) || st.section >= s->sec.nsections)
		return rv;
	if (active && s->pass_active)
		drop_ahead(s, st.section, had_naks);
	else if (!active && !s->pass_active)
		answered(s, c, now);
	return rv;
}

void srv_fb_done_sent(struct uftp_server *s, uint64_t now)
{
	if (s->phase == PH_DATA && s->have_naks && s->timer > now)
		s->timer = now;
}

int srv_fb_complete(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                    uint64_t now)
{
	struct uftp_complete cm;
	uint16_t file = srv_cur_id(s);
	unsigned passes = s->passes;
	int waiting = s->phase == PH_DATA && !s->pass_active, rv;

	rv = srv_on_complete(s, c, body, len, now);
	if (rv < 0 || !waiting || s->phase != PH_DATA || s->pass_active || srv_cur_id(s) != file ||
	    s->passes != passes)
		return rv;
	if (uftp_decode_complete(&cm, body, len) < 0 || cm.file_id != file)
		return rv;
	answered(s, c, now);
	return rv;
}
