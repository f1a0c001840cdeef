/* SPDX-License-Identifier: BSD-2-Clause */
/* The datagram ring of txq.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/outq.h"

int uftp_outq_init(struct uftp_outq *q, size_t slots, size_t bufcap)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	q->ent = calloc(slots, sizeof(*q->ent));
	q->mem = malloc(slots * bufcap);
	if (!q->ent || !q->mem) {
		uftp_outq_free(q);
		return UFTP_ERR_NOMEM;
	}
	for (i = 0; i < slots; i++)
		q->ent[i].buf = q->mem + i * bufcap;
	q->slots = slots;
	q->bufcap = bufcap;
	return 0;
}

void uftp_outq_free(struct uftp_outq *q)
{
	free(q->ent);
	free(q->mem);
	memset(q, 0, sizeof(*q));
}

struct uftp_outq_ent *uftp_outq_slot(struct uftp_outq *q)
{
	if (q->n == q->slots)
		return NULL;
	return &q->ent[(q->head + q->n) % q->slots];
}

void uftp_outq_commit(struct uftp_outq *q)
{
	if (q->n < q->slots)
		q->n++;
}

int uftp_outq_push(struct uftp_outq *q, const struct uftp_peer *to, int mcast, const uint8_t *buf,
                   size_t len)
{
	struct uftp_outq_ent *t = uftp_outq_slot(q);

	if (!t || len > q->bufcap)
		return UFTP_ERR_NOSPACE;
	t->to = *to;
	t->mcast = mcast;
	t->len = len;
	memcpy(t->buf, buf, len);
	uftp_outq_commit(q);
	return 0;
}

int uftp_outq_pop(struct uftp_outq *q, struct uftp_peer *to, int *mcast, uint8_t *out, size_t cap)
{
	struct uftp_outq_ent *t;

	if (!q->n)
		return 0;
	t = &q->ent[q->head];
	q->head = (q->head + 1) % q->slots;
	q->n--;
	if (t->len > cap)
		return UFTP_ERR_NOSPACE;
	memcpy(out, t->buf, t->len);
	*to = t->to;
	if (mcast)
		*mcast = t->mcast;
	return (int)t->len;
}
