/* SPDX-License-Identifier: BSD-2-Clause */
/* The drivers' datagram pump: a send queue and a receive batch over lib/net.h. */
#include "config.h"

#include <errno.h>
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

/* Where the next datagram goes: the ring's slot after the newest. */
static size_t tail_index(const struct uftp_txq *q)
{
	return (q->head + q->n) % q->cap;
}

uint8_t *uftp_txq_next(struct uftp_txq *q)
{
	return q->n < q->cap ? q->mem + tail_index(q) * q->slot : NULL;
}

void uftp_txq_push(struct uftp_txq *q, const struct uftp_addr *to, size_t len)
{
	size_t t = tail_index(q);
	struct uftp_dgram *d = &q->d[t];

	memset(d, 0, sizeof(*d));
	d->addr = *to;
	d->buf = q->mem + t * q->slot;
	d->len = len;
	q->n++;
}

void uftp_txq_drop(struct uftp_txq *q)
{
	q->dropped++;
}

size_t uftp_txq_pending(const struct uftp_txq *q)
{
	return q->n;
}

int uftp_txq_flush(struct uftp_txq *q, struct uftp_sock *s)
{
	size_t run;
	int r;

	while (q->n) {
		run = q->cap - q->head < q->n ? q->cap - q->head : q->n; /* up to the ring's end */
		r = uftp_sock_send(s, q->d + q->head, run);
		if (r < 0) {
			s->stats.tx_dropped +=
			    q->n; /* the socket is gone: nothing will take them */
			q->head = q->n = 0;
			return r;
		}
		q->head = (q->head + (size_t)r) % q->cap;
		q->n -= (size_t)r;
		if ((size_t)r < run)
			return 1;
	}
	q->head = 0; /* empty: the next batch starts at the first slot, in one run */
	return 0;
}

int uftp_txq_pollout_wakes(const struct uftp_sock *s)
{
	return s->stats.tx_block_errno != ENOBUFS;
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
