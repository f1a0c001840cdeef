/* uftpproxyd's bounded send queue (txq.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "uftpproxyd/txq.h"

int txq_init(struct txq *q, struct uftp_sock *s, size_t slot)
{
	memset(q, 0, sizeof(*q));
	q->s = s;
	q->slot = slot;
	q->bufs = malloc(TXQ_CAP * slot); /* touched only as far as it fills */
	return q->bufs ? 0 : UFTP_ERR_NOMEM;
}

void txq_free(struct txq *q)
{
	free(q->bufs);
	q->bufs = NULL;
	q->n = 0;
}

static size_t tail_index(const struct txq *q)
{
	return (q->head + q->n) % TXQ_CAP;
}

uint8_t *txq_tail(struct txq *q)
{
	if (!q->bufs || q->n == TXQ_CAP)
		return NULL;
	return q->bufs + tail_index(q) * q->slot;
}

void txq_push(struct txq *q, const struct uftp_addr *to, size_t len)
{
	size_t t = tail_index(q);
	struct uftp_dgram *d = &q->dg[t];

	memset(d, 0, sizeof(*d));
	d->addr = *to;
	d->buf = q->bufs + t * q->slot;
	d->len = len;
	q->n++;
}

void txq_drop(struct txq *q)
{
	q->dropped++;
}

/* The waiting datagrams that lie in one run from head (the ring may wrap). */
static size_t run_len(const struct txq *q)
{
	size_t to_end = TXQ_CAP - q->head;

	return q->n < to_end ? q->n : to_end;
}

int txq_flush(struct txq *q)
{
	size_t run;
	int sent;

	while (q->n) {
		run = run_len(q);
		sent = uftp_sock_send(q->s, &q->dg[q->head], run);
		if (sent < 0) {
			q->dropped += q->n; /* the socket is gone: nothing will take them */
			q->head = q->n = 0;
			q->blocked = 0;
			return UFTP_ERR_IO;
		}
		q->head = (q->head + (size_t)sent) % TXQ_CAP;
		q->n -= (size_t)sent;
		if ((size_t)sent < run) {
			q->blocked = 1;
			return 1;
		}
	}
	q->head = 0;
	q->blocked = 0;
	return 0;
}
