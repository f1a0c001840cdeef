/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpproxyd's start-up line (after the keys in use) and exit figures. */
#include "config.h"

#include <stdio.h>

#include "crypto/keyset.h"
#include "uftpproxyd/pxd.h"

static const char *mode_name(int mode)
{
	switch (mode) {
	case UFTP_PROXY_SERVER: return "server";
	case UFTP_PROXY_CLIENT: return "client";
	default: return "response";
	}
}

/* After the log is open (the log file in daemon mode): every key in use, with
 * the fingerprint that -s fp= and -C lists name it by. */
void pxd_started(void *arg, char *line, size_t cap)
{
	struct pxd *d = arg;
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_keyset_opts k = {c->keyfiles, c->nkeyfiles, c->keyspecs, c->nkeyspecs};

	uftp_keyset_log(&k, d->keys, d->nkeys);
	snprintf(line, cap, "%s proxy listening on port %u as 0x%08X", mode_name(d->o->mode),
	         c->port, d->cfg.uid);
}

/* Where the sockets lost datagrams: transient errors, and full send queues. */
static void log_send_losses(const struct pxd *d)
{
	if (d->s4.stats.tx_dropped || d->s6.stats.tx_dropped)
		log_info("send errors: %llu IPv4 (last errno %d), %llu IPv6 (last errno %d)",
		         (unsigned long long)d->s4.stats.tx_dropped, d->s4.stats.tx_last_errno,
		         (unsigned long long)d->s6.stats.tx_dropped, d->s6.stats.tx_last_errno);
	if (d->q4.dropped || d->q6.dropped)
		log_info("send queue full: %llu IPv4, %llu IPv6 datagrams dropped",
		         (unsigned long long)d->q4.dropped, (unsigned long long)d->q6.dropped);
	if (d->s4.stats.tx_blocked || d->s6.stats.tx_blocked)
		log_info("send buffer full %llu times (IPv4), %llu (IPv6): datagrams waited",
		         (unsigned long long)d->s4.stats.tx_blocked,
		         (unsigned long long)d->s6.stats.tx_blocked);
}

void pxd_log_stats(struct pxd *d)
{
	struct uftp_proxy_stats st;
	struct uftp_core_stats cs;
	char why[256] = "";

	uftp_proxy_get_counters(d->core, &st);
	uftp_proxy_get_stats(d->core, &cs);
	uftp_drops_format(&cs, why, sizeof(why));
	pxd_flush_hb_log(d, UINT64_MAX / 2);
	log_info("exiting: %llu datagrams in (%llu dropped); %llu forwarded down, %llu up; "
	         "%llu replies aggregated into %llu; %llu sessions; %llu heartbeats rejected",
	         (unsigned long long)st.rx, (unsigned long long)st.rx_dropped,
	         (unsigned long long)st.fwd_down, (unsigned long long)st.fwd_up,
	         (unsigned long long)st.agg_in, (unsigned long long)st.agg_out,
	         (unsigned long long)st.sessions, (unsigned long long)st.hb_rejected);
	if (why[0])
		log_info("dropped by reason: %s", why);
	if (st.ev_dropped)
		log_info("%llu events not queued (queue full)", (unsigned long long)st.ev_dropped);
	if (st.sess_evicted || st.sess_refused)
		log_info("session table full: %llu half-open sessions evicted, %llu announcements "
		         "refused",
		         (unsigned long long)st.sess_evicted, (unsigned long long)st.sess_refused);
	log_send_losses(d);
}
