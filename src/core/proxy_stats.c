/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The proxy's read-only view in the shape of stats.h, beside its own
 * forwarding counters (uftp_proxy_get_counters).  Nothing here changes
 * the proxy.
 */
#include "config.h"

#include <string.h>

#include "core/proxy_int.h"

static int live(const void *arg, size_t k)
{
	const struct uftp_proxy *p = arg;

	return p->sess[k] != NULL && p->sess[k]->used;
}

void uftp_proxy_get_stats(const struct uftp_proxy *p, struct uftp_core_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->role = UFTP_ROLE_PROXY;
	st->rx_datagrams = p->st.rx;
	memcpy(st->dropped, p->drops, sizeof(st->dropped));
	st->tx_datagrams =
	    p->st.fwd_down + p->st.fwd_up + p->st.agg_out + p->st.hb_sent + p->st.hb_answered;
	st->tx_dropped = p->st.tx_dropped;
	st->sessions_started = p->st.sessions;
	st->sessions_evicted = p->st.sess_evicted;
	st->sessions_refused = p->st.sess_refused;
	st->events_lost = p->st.ev_dropped;
	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++)
		st->sessions_active += (size_t)live(p, i);
}

/* The i-th live session, in table order; NULL past the last. */
static const struct proxy_sess *nth_session(const struct uftp_proxy *p, size_t i)
{
	size_t k = uftp_stats_nth(UFTP_PROXY_MAX_SESSIONS, i, live, p);

	return k < UFTP_PROXY_MAX_SESSIONS ? p->sess[k] : NULL;
}

int uftp_proxy_session_stats(const struct uftp_proxy *p, size_t i, struct uftp_session_stats *ss,
                             uint64_t now)
{
	const struct proxy_sess *s = nth_session(p, i);

	if (s == NULL)
		return 0;
	uftp_stats_session(ss, s->group_id, s->group_inst, s->server_id,
	                   s->enc_failed    ? "refused (encryption)"
	                   : s->established ? "active"
	                                    : "announced",
	                   s->grtt);
	(void)now; /* the proxy keeps no session start time: elapsed_ns stays 0 */
	ss->npeers = 1;
	return 1;
}

int uftp_proxy_peer_stats(const struct uftp_proxy *p, size_t i, size_t j,
                          struct uftp_peer_stats *ps)
{
	const struct proxy_sess *s = nth_session(p, i);

	return s != NULL && uftp_stats_upstream(ps, j, s->server_id, &s->up, "upstream");
}
