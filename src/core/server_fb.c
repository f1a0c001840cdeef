/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Feedback after a pass, for many receivers (issue 12, "Scale").
 *
 * server_data.c starts the repair pass one GRTT after the first NAK that
 * follows a DONE.  With hundreds of receivers their STATUS burst takes
 * longer than that to arrive: the repair pass started without the late
 * NAKs, which were then recorded for the pass after it, although most of
 * their blocks were about to be resent anyway.  Two rules here, applied
 * around srv_on_status():
 *
 *  1. Between passes (DONE sent, waiting), the repair starts when every
 *     receiver owing a STATUS has answered (STATUS or COMPLETE), or when the
 *     answers stop coming: FB_QUIET_DIV-th of a GRTT without a new one,
 *     but never before the GRTT after the first NAK the old rule waited
 *     for, and never later than FB_CAP_GRTT GRTTs after the first answer
 *     (stragglers that lost the DONE are not waited for: the next DONE asks
 *     them again).
 *  2. During a pass, a NAK for a block this pass has still to send is
 *     already answered: it is not recorded for the next pass.
 *
 * Both are O(1) per STATUS or O(section) for rule 2, and the one count of
 * the receivers owing a STATUS is made once per round: nothing quadratic.
 */
#include "config.h"

#include <string.h>

#include "core/section.h"
#include "core/server_int.h"

#define FB_QUIET_DIV 4
#define FB_CAP_GRTT  8

#define BIT_TEST(m, i) (((m)[(i) >> 3] >> ((i)&7)) & 1)

/* Rule 2: forget the NAKs of section sec for blocks still ahead in this pass. */
static void drop_ahead(struct uftp_server *s, uint32_t sec, int had_naks)
{
	uint64_t base = uftp_section_start(&s->sec, sec);
	uint64_t end = base + uftp_section_len(&s->sec, sec), b, any = 0;

	b = base > s->pos ? base : s->pos;
	for (; b < end; b++) {
		if ((b & 7) == 0 && s->naks[b >> 3] == 0) {
			b += 7;
			continue;
		}
		if (!BIT_TEST(s->naks, b))
			continue;
		if (s->passes <= 1 || BIT_TEST(s->pass, b))
			s->naks[b >> 3] &= (uint8_t) ~(1u << (b & 7));
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
	uint64_t t, cap;

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
	if (s->fb_answered >= s->fb_owed) {
		s->timer = now;
		return;
	}
	t = now + s->grtt / FB_QUIET_DIV;
	if (t < s->fb_first_nak + s->grtt)
		t = s->fb_first_nak + s->grtt;
	cap = s->fb_first + FB_CAP_GRTT * s->grtt;
	s->timer = t < cap ? t : cap;
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
