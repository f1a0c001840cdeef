/*
 * The proxy's read-only view in the shape of stats.h, beside its own
 * forwarding counters (uftp_proxy_get_counters).  Nothing here changes
 * the proxy.
 */
#include "config.h"

#include <string.h>

#include "core/proxy_int.h"

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
		if (p->sess[i] != NULL && p->sess[i]->used)
			st->sessions_active++;
}

/* The i-th live session, in table order; NULL past the last. */
static const struct proxy_sess *nth_session(const struct uftp_proxy *p, size_t i)
{
	size_t k;

	for (k = 0; k < UFTP_PROXY_MAX_SESSIONS; k++) {
		if (p->sess[k] == NULL || !p->sess[k]->used)
			continue;
		if (i-- == 0)
			return p->sess[k];
	}
	return NULL;
}

int uftp_proxy_session_stats(const struct uftp_proxy *p, size_t i, struct uftp_session_stats *ss,
                             uint64_t now)
{
	const struct proxy_sess *s = nth_session(p, i);

	if (s == NULL)
		return 0;
	memset(ss, 0, sizeof(*ss));
	ss->group_id = s->group_id;
	ss->group_inst = s->group_inst;
	ss->server_id = s->server_id;
	ss->state = s->enc_failed    ? "refused (encryption)"
	            : s->established ? "active"
	                             : "announced";
	(void)now; /* the proxy keeps no session start time: elapsed_ns stays 0 */
	ss->grtt_ns = s->grtt;
	ss->npeers = 1;
	return 1;
}

int uftp_proxy_peer_stats(const struct uftp_proxy *p, size_t i, size_t j,
                          struct uftp_peer_stats *ps)
{
	const struct proxy_sess *s = nth_session(p, i);

	if (s == NULL || j != 0)
		return 0;
	memset(ps, 0, sizeof(*ps));
	ps->id = s->server_id;
	ps->addr = s->up;
	ps->state = "upstream";
	return 1;
}
