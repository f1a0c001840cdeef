/*
 * uftpproxyd's send queue, one per socket: datagrams the core has handed
 * over wait here while the socket's buffer is full (EAGAIN), and go out in
 * order, in batches, when poll reports the socket writable again.  The
 * queue is bounded: a datagram that finds it full is dropped and counted.
 */
#ifndef UFTP_UFTPPROXYD_TXQ_H
#define UFTP_UFTPPROXYD_TXQ_H

#include <stddef.h>
#include <stdint.h>

#include "lib/net.h"

#define TXQ_CAP 256 /* datagrams waiting per socket */

struct txq {
	struct uftp_sock *s;
	size_t slot;   /* bytes per datagram at most */
	uint8_t *bufs; /* TXQ_CAP slots of slot bytes */
	struct uftp_dgram dg[TXQ_CAP];
	size_t head, n;   /* the oldest waiting, and how many wait */
	int blocked;      /* the socket refused the last flush: wait for POLLOUT */
	uint64_t dropped; /* datagrams refused: the queue full, or no socket */
};

/* Sets q up for socket s and datagrams of up to slot bytes: 0 or UFTP_ERR_NOMEM. */
int txq_init(struct txq *q, struct uftp_sock *s, size_t slot);

/* Frees the buffers (safe on a zeroed or freed queue). */
void txq_free(struct txq *q);

/* The buffer the next datagram goes into (slot bytes), or NULL when the queue is full. */
uint8_t *txq_tail(struct txq *q);

/* Queues the datagram written at txq_tail(q): len bytes to addr. */
void txq_push(struct txq *q, const struct uftp_addr *to, size_t len);

/* Counts a datagram that found the queue full (the caller had nowhere to put it). */
void txq_drop(struct txq *q);

/*
 * Sends what waits, oldest first, until the socket refuses more. Returns
 * 0 when the queue is empty, 1 when datagrams still wait (watch for
 * POLLOUT), UFTP_ERR_IO on a hard socket error (what waited is dropped
 * and counted).
 */
int txq_flush(struct txq *q);

#endif
