/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A ring of datagrams waiting for the driver to pull them (the client's
 * and the proxy's pop_send): fixed slots, each with a buffer of the same
 * size, allocated once when the core is created.  Pure.
 */
#ifndef UFTP_CORE_OUTQ_H
#define UFTP_CORE_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"

struct uftp_outq_ent {
	struct uftp_peer to;
	int mcast; /* to is a multicast group */
	size_t len;
	uint8_t *buf; /* bufcap bytes */
};

struct uftp_outq {
	struct uftp_outq_ent *ent;
	uint8_t *mem;
	size_t slots, bufcap, head, n;
};

/* Allocates slots entries of bufcap bytes each.  0, or UFTP_ERR_NOMEM. */
int uftp_outq_init(struct uftp_outq *q, size_t slots, size_t bufcap);

/* Frees what init allocated; a zeroed queue is a no-op. */
void uftp_outq_free(struct uftp_outq *q);

/*
 * The next free entry, to fill in place (to, mcast, len, buf[0..bufcap));
 * it is queued only by uftp_outq_commit().  NULL when the queue is full.
 */
struct uftp_outq_ent *uftp_outq_slot(struct uftp_outq *q);

/* Queues the entry uftp_outq_slot() returned. */
void uftp_outq_commit(struct uftp_outq *q);

/*
 * Queues a copy of buf[0..len) for to.  0, or UFTP_ERR_NOSPACE (queue
 * full or len over bufcap: nothing queued).
 */
int uftp_outq_push(struct uftp_outq *q, const struct uftp_peer *to, int mcast, const uint8_t *buf,
                   size_t len);

/*
 * Takes the oldest datagram off: copies it into out (cap bytes), its
 * destination into *to and, when mcast is not NULL, its multicast flag into
 * *mcast.  Returns its length, 0 when the queue is empty, or
 * UFTP_ERR_NOSPACE (cap too small: the datagram is dropped).
 */
int uftp_outq_pop(struct uftp_outq *q, struct uftp_peer *to, int *mcast, uint8_t *out, size_t cap);

#endif
