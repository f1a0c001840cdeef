/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpproxyd's sends: each datagram the core has to send goes into the
 * send queue of its family's socket (lib/pump.h) and out in batches of one
 * system call per socket; what a full socket buffer cannot take waits,
 * in order, for POLLOUT.
 */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "lib/peer.h"
#include "uftpproxyd/pxd.h"

/*
 * Sends what waits on q: while some still waits, its socket is watched for
 * room (a full socket buffer), or the loop comes back after
 * UFTP_PUMP_RETRY_NS (a full device queue, ENOBUFS: poll would not say).
 */
static void flush(struct pxd *d, struct uftp_txq *q, struct uftp_sock *s, int *blocked,
                  uint64_t now)
{
	int nobufs;

	if (s->fd < 0 || !uftp_txq_pending(q))
		return;
	*blocked = uftp_txq_flush(q, s) == 1;
	nobufs = *blocked && !uftp_txq_pollout_wakes(s);
	uftp_loop_set_events(&d->loop, s->fd, *blocked && !nobufs ? POLLIN | POLLOUT : POLLIN);
	if (nobufs && d->send_retry_at > now + UFTP_PUMP_RETRY_NS)
		d->send_retry_at = now + UFTP_PUMP_RETRY_NS;
}

/* Queues len bytes of buf to to on its family's queue: a full queue is flushed first, then drops.
 */
static void queue(struct pxd *d, const struct uftp_peer *to, const uint8_t *buf, size_t len,
                  uint64_t now)
{
	int v6 = to->ip.family == 6;
	struct uftp_txq *q = v6 ? &d->q6 : &d->q4;
	struct uftp_sock *s = v6 ? &d->s6 : &d->s4;
	int *blocked = v6 ? &d->blocked6 : &d->blocked4;
	struct uftp_addr a;
	uint8_t *slot;

	if (s->fd < 0) {
		uftp_txq_drop(q); /* no socket of that family */
		return;
	}
	slot = uftp_txq_next(q);
	if (!slot) {
		flush(d, q, s, blocked, now);
		slot = uftp_txq_next(q);
	}
	if (!slot) {
		uftp_txq_drop(q);
		return;
	}
	memcpy(slot, buf, len);
	uftp_peer_to_addr(to, &a);
	uftp_txq_push(q, &a, len);
	if (uftp_txq_pending(q) >= UFTP_NET_BATCH && !*blocked)
		flush(d, q, s, blocked, now);
}

void pxd_drain_writes(struct pxd *d, uint64_t now)
{
	static uint8_t buf[UFTP_PROXY_DGRAM_MAX];
	struct uftp_peer to;
	int n, mcast;

	for (;;) {
		n = uftp_proxy_pop_send(d->core, &to, &mcast, buf, sizeof(buf), now);
		if (n == UFTP_ERR_NOSPACE)
			continue;
		if (n <= 0)
			break;
		queue(d, &to, buf, (size_t)n, now);
	}
	d->send_retry_at = UFTP_NEVER;
	flush(d, &d->q4, &d->s4, &d->blocked4, now);
	flush(d, &d->q6, &d->s6, &d->blocked6, now);
}
