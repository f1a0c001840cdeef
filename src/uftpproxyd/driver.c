/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpproxyd driver: the loop feeding the proxy core (src/core/proxy.h).
 * Set-up is in setup.c, memberships in member.c, sends in send.c, the
 * start-up and exit lines in stats.c; lib/daemon.c runs the whole.
 *
 * One loop turn: read the clock once; read the sockets poll found readable
 * (draining the core's output after each batch and its events after each
 * datagram); run the core's expiries; drain again; reconcile the multicast
 * memberships with the groups the core needs; sleep until the next
 * deadline, datagram, or room in a full socket buffer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/peer.h"
#include "uftpproxyd/pxd.h"

#define RX_BATCH  64
#define RX_ROUNDS 8

void pxd_flush_hb_log(struct pxd *d, uint64_t now)
{
	uint64_t n = log_limit_flush(&d->hb_log, now);

	if (n)
		log_warnx("%llu more heartbeats rejected in %u s (not logged one by one)",
		          (unsigned long long)n, (unsigned)(HB_LOG_WINDOW / UFTP_NS_PER_SEC));
}

static void log_hb_reject(struct pxd *d, const struct uftp_proxy_event *ev, uint64_t now)
{
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	pxd_flush_hb_log(d, now);
	if (!log_limit_allow(&d->hb_log, now))
		return;
	uftp_peer_to_addr(&ev->peer, &a);
	log_warnx("heartbeat from %s rejected: %s", uftp_addr_format(&a, buf, sizeof(buf)),
	          ev->text);
}

static void drain_events(struct pxd *d, uint64_t now)
{
	struct uftp_proxy_event ev;
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	while (uftp_proxy_pop_event(d->core, &ev)) {
		switch (ev.type) {
		case UFTP_PEV_DEST:
			uftp_peer_to_addr(&ev.peer, &a);
			log_info("downstream proxy is now %s",
			         uftp_addr_format(&a, buf, sizeof(buf)));
			break;
		case UFTP_PEV_HB_REJECT: log_hb_reject(d, &ev, now); break;
		default: break; /* sessions: the core logs them */
		}
	}
}

/* Reads what waits on s (up to RX_ROUNDS batches), all of it at time now. */
static void read_socket(struct pxd *d, struct uftp_sock *s, uint64_t now)
{
	const struct uftp_addr *from;
	struct uftp_peer p;
	uint8_t *buf;
	size_t len;
	int n, round, truncated;

	for (round = 0; round < RX_ROUNDS; round++) {
		n = uftp_rxq_read(&d->rx, s);
		while (uftp_rxq_pop(&d->rx, &buf, &len, &from, &truncated)) {
			if (truncated)
				continue;
			uftp_addr_to_peer(from, &p);
			uftp_proxy_on_datagram(d->core, &p, buf, len, now);
			drain_events(d, now); /* the queue never holds more than one datagram's */
		}
		pxd_drain_writes(d, now);
		if (n < RX_BATCH)
			break;
	}
}

static void read_ready(struct pxd *d, uint64_t now)
{
	if (d->ready4)
		read_socket(d, &d->s4, now);
	if (d->ready6)
		read_socket(d, &d->s6, now);
	d->ready4 = d->ready6 = 0;
}

/* The earliest of the core's deadline, the next join and send retries and the heartbeat log's. */
static uint64_t loop_deadline(struct pxd *d)
{
	uint64_t next = uftp_proxy_next_expiry(d->core);

	if (d->retry_at < next)
		next = d->retry_at;
	if (d->send_retry_at < next)
		next = d->send_retry_at;
	if (log_limit_expiry(&d->hb_log) < next)
		next = log_limit_expiry(&d->hb_log);
	return next;
}

static void run_loop(void *arg)
{
	struct pxd *d = arg;
	uint64_t now;

	while (!uftp_loop_stopped(&d->loop)) {
		now = uftp_clock_now();
		read_ready(d, now);
		uftp_proxy_on_expiry(d->core, now);
		pxd_drain_writes(d, now);
		drain_events(d, now);
		pxd_sync_groups(d, now);
		pxd_flush_hb_log(d, now);
		uftp_loop_run_once(&d->loop, uftp_ctl_turn(d->ctl, now, loop_deadline(d)));
	}
}

static void finish(void *arg)
{
	pxd_log_stats(arg);
}

int uftpproxyd_run(struct uftpproxyd_opts *o)
{
	static const struct uftp_daemon_ops ops = {pxd_setup,    pxd_started, run_loop, finish,
	                                           pxd_teardown, NULL,        NULL,     0};
	static struct pxd d;
	struct uftp_daemon dm;
	size_t i;

	d.o = o;
	d.s4.fd = d.s6.fd = -1;
	for (i = 0; i < MEMBER_SOCKS; i++)
		d.m4[i].fd = d.m6[i].fd = -1;
	d.retry_at = UFTP_NEVER;
	d.hb_log = (struct log_limit)LOG_LIMIT_INIT(HB_LOG_WINDOW, HB_LOG_BURST);
	d.send_retry_at = UFTP_NEVER;
	if (uftp_rxq_init(&d.rx, RX_BATCH, UFTP_PROXY_DGRAM_MAX, 1) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_MEM;
	}
	return uftp_daemon_main(&dm, &o->c, &d.loop, &ops, &d);
}
