/*
 * uftpproxyd's sends: each datagram the core has to send goes into the
 * send queue of its family's socket (txq.h) and out in batches of one
 * system call per socket; what a full socket buffer cannot take waits,
 * in order, for POLLOUT.
 */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "lib/peer.h"
#include "uftpproxyd/pxd.h"

/* Sends what waits on q, and watches its socket for room while some still waits. */
static void flush(struct pxd *d, struct txq *q)
{
	int rv;

	if (q->s->fd < 0 || !q->n)
		return;
	rv = txq_flush(q);
	uftp_loop_set_events(&d->loop, q->s->fd, rv == 1 ? POLLIN | POLLOUT : POLLIN);
}

/* Queues len bytes of buf to to on q: a full queue is flushed first, then drops. */
static void queue(struct pxd *d, struct txq *q, const struct uftp_peer *to, const uint8_t *buf,
                  size_t len)
{
	struct uftp_addr a;
	uint8_t *slot;

	if (q->s->fd < 0) {
		txq_drop(q); /* no socket of that family */
		return;
	}
	slot = txq_tail(q);
	if (!slot) {
		flush(d, q);
		slot = txq_tail(q);
	}
	if (!slot) {
		txq_drop(q);
		return;
	}
	memcpy(slot, buf, len);
	uftp_peer_to_addr(to, &a);
	txq_push(q, &a, len);
	if (q->n >= UFTP_NET_BATCH && !q->blocked)
		flush(d, q);
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
		queue(d, to.ip.family == 6 ? &d->q6 : &d->q4, &to, buf, (size_t)n);
	}
	flush(d, &d->q4);
	flush(d, &d->q6);
}
