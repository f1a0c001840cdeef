/* The drivers' datagram pump: a send queue and a receive batch over lib/net.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/pump.h"

int uftp_txq_init(struct uftp_txq *q, size_t slots, size_t slot)
{
	memset(q, 0, sizeof(*q));
	q->mem = malloc(slots * slot);
	q->d = calloc(slots, sizeof(*q->d));
	if (!q->mem || !q->d) {
		uftp_txq_free(q);
		return UFTP_ERR_NOMEM;
	}
	q->slot = slot;
	q->cap = slots;
	return 0;
}

void uftp_txq_free(struct uftp_txq *q)
{
	free(q->mem);
	free(q->d);
	memset(q, 0, sizeof(*q));
}

uint8_t *uftp_txq_next(struct uftp_txq *q)
{
	return q->n < q->cap ? q->mem + q->n * q->slot : NULL;
}

void uftp_txq_push(struct uftp_txq *q, const struct uftp_addr *to, size_t len)
{
	struct uftp_dgram *d = &q->d[q->n++];

	d->addr = *to;
	d->buf = q->mem + (size_t)(d - q->d) * q->slot;
	d->len = len;
}

size_t uftp_txq_pending(const struct uftp_txq *q)
{
	return q->n - q->off;
}

int uftp_txq_flush(struct uftp_txq *q, struct uftp_sock *s)
{
	int r;

	if (q->off < q->n) {
		r = uftp_sock_send(s, q->d + q->off, q->n - q->off);
		if (r < 0) {
			s->stats.tx_dropped += q->n - q->off;
			q->n = q->off = 0;
			return r;
		}
		q->off += (size_t)r;
		if (q->off < q->n)
			return 1;
	}
	q->n = q->off = 0;
	return 0;
}

int uftp_rxq_init(struct uftp_rxq *q, size_t nslots, size_t maxlen, int gro)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	if (nslots > UFTP_NET_BATCH)
		nslots = UFTP_NET_BATCH;
	q->slot = gro && maxlen < UFTP_NET_GRO_MAX ? UFTP_NET_GRO_MAX : maxlen;
	q->mem = malloc(nslots * q->slot);
	q->raw = calloc(nslots, sizeof(*q->raw));
	if (!q->mem || !q->raw) {
		uftp_rxq_free(q);
		return UFTP_ERR_NOMEM;
	}
	q->nslots = nslots;
	for (i = 0; i < nslots; i++) {
		q->raw[i].buf = q->mem + i * q->slot;
		q->raw[i].cap = q->slot;
	}
	return 0;
}

void uftp_rxq_free(struct uftp_rxq *q)
{
	free(q->mem);
	free(q->raw);
	memset(q, 0, sizeof(*q));
}

int uftp_rxq_read(struct uftp_rxq *q, struct uftp_sock *s)
{
	int n;

	q->nraw = q->i = q->k = 0;
	if (q->slot >= UFTP_NET_GRO_MAX && !(s->flags & (UFTP_SOCK_GRO | UFTP_SOCK_NO_GRO)) &&
	    uftp_sock_enable_gro(s) < 0)
		s->flags |= UFTP_SOCK_NO_GRO; /* no GRO in this kernel: ask once */
	n = uftp_sock_recv(s, q->raw, q->nslots);
	if (n > 0)
		q->nraw = (size_t)n;
	return n;
}

int uftp_rxq_pop(struct uftp_rxq *q, uint8_t **buf, size_t *len, const struct uftp_addr **from,
                 int *truncated)
{
	const struct uftp_dgram *d;
	size_t off;

	if (q->i >= q->nraw)
		return 0;
	d = &q->raw[q->i];
	*from = &d->addr;
	*truncated = d->truncated;
	if (!d->seg) {
		*buf = d->buf;
		*len = d->len;
		q->i++;
		return 1;
	}
	off = q->k * d->seg;
	*buf = d->buf + off;
	*len = d->len - off < d->seg ? d->len - off : d->seg;
	if (off + *len >= d->len) {
		q->i++;
		q->k = 0;
	} else {
		q->k++;
	}
	return 1;
}
