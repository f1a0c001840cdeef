/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The datagram pump of the drivers: a send queue that the core's pop_send
 * fills in place and that goes to the kernel in as few system calls as the
 * socket allows (lib/net.h: GSO, sendmmsg, sendmsg), keeping whatever a
 * full buffer refused for the next try; and a receive batch that reads
 * with recvmmsg (and UDP GRO when its buffers are large enough) and hands
 * out one datagram at a time. One queue serves one socket at a time; the
 * buffers are allocated once, nothing per datagram.
 */
#ifndef UFTP_LIB_PUMP_H
#define UFTP_LIB_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/net.h"

/* How long a driver waits before it retries a send that ENOBUFS stopped (ns). */
#define UFTP_PUMP_RETRY_NS 1000000ull

struct uftp_txq {
	uint8_t *mem; /* cap slots of slot bytes */
	size_t slot, cap;
	struct uftp_dgram *d; /* cap entries: a ring */
	size_t head, n;       /* the oldest waiting, and how many wait */
	uint64_t dropped;     /* datagrams counted by uftp_txq_drop() */
};

/*
 * Allocates a queue of slots buffers of slot bytes each. Returns 0 or
 * UFTP_ERR_NOMEM. uftp_txq_free() releases it (safe on a zeroed queue).
 */
int uftp_txq_init(struct uftp_txq *q, size_t slots, size_t slot);
void uftp_txq_free(struct uftp_txq *q);

/*
 * The buffer (q->slot bytes) the next datagram is built in, NULL when the
 * queue is full. A ring: room frees as soon as the oldest have gone.
 */
uint8_t *uftp_txq_next(struct uftp_txq *q);

/* Queues the datagram just built in uftp_txq_next()'s buffer: len bytes to to. */
void uftp_txq_push(struct uftp_txq *q, const struct uftp_addr *to, size_t len);

/* Counts a datagram the caller had to drop (the queue full, or no socket for it). */
void uftp_txq_drop(struct uftp_txq *q);

/* Datagrams queued and not yet sent. */
size_t uftp_txq_pending(const struct uftp_txq *q);

/*
 * Hands the queued datagrams to the kernel, oldest first. Returns 0 when
 * the queue is empty afterwards, 1 when a full buffer stopped it (the rest
 * stays queued: retry on POLLOUT, or after UFTP_PUMP_RETRY_NS when
 * s->stats.tx_block_errno is ENOBUFS), UFTP_ERR_IO on a hard socket error
 * (the queue is emptied, its datagrams counted in s->stats.tx_dropped).
 */
int uftp_txq_flush(struct uftp_txq *q, struct uftp_sock *s);

/*
 * After a flush that returned 1: whether poll's POLLOUT on s will say when
 * there is room (the socket's buffer was full, EAGAIN); 0 when only time
 * will (a full device queue, ENOBUFS): retry after UFTP_PUMP_RETRY_NS.
 */
int uftp_txq_pollout_wakes(const struct uftp_sock *s);

struct uftp_rxq {
	uint8_t *mem; /* nslots buffers of slot bytes */
	size_t slot, nslots;
	struct uftp_dgram *raw; /* what the kernel returned, nslots */
	size_t nraw, i, k;      /* next: raw[i], its k-th segment */
};

/*
 * Allocates a receive batch of nslots buffers (at most UFTP_NET_BATCH) for
 * datagrams of up to maxlen bytes; with gro, buffers of UFTP_NET_GRO_MAX
 * bytes so that the sockets it reads may use UDP GRO. Returns 0 or
 * UFTP_ERR_NOMEM.
 */
int uftp_rxq_init(struct uftp_rxq *q, size_t nslots, size_t maxlen, int gro);
void uftp_rxq_free(struct uftp_rxq *q);

/*
 * Reads one batch from s (turning UDP GRO on for s first when the batch
 * was made for it). Returns the count of kernel receives (0: none waiting)
 * or UFTP_ERR_IO; then uftp_rxq_pop() hands out their datagrams.
 */
int uftp_rxq_read(struct uftp_rxq *q, struct uftp_sock *s);

/*
 * The next datagram of the batch read last, split out of a GRO receive
 * when it carried several: *buf, *len and *from; *truncated when it was
 * longer than the buffer (its data is cut). Returns 0 when none is left.
 */
int uftp_rxq_pop(struct uftp_rxq *q, uint8_t **buf, size_t *len, const struct uftp_addr **from,
                 int *truncated);

#endif
