/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-process network simulator for the session cores: nodes exchange
 * datagrams through a queue ordered by delivery time, under a fake clock,
 * with per-node scripted loss, duplication and reordering drawn from a
 * seeded generator.  The same seed replays the same session byte for byte.
 *
 * A node is any core with the ARCHITECTURE.md contract, adapted by a small
 * ops table.  Nodes sit on network segments (a bitmask, segment 1 unless
 * set): a multicast datagram reaches every other node on a segment the
 * sender multicasts on (every node there has joined every group), so a
 * proxy on two segments can stand between a server and clients that never
 * hear each other.  A unicast datagram reaches the node whose address
 * matches (the port is not checked), wherever it sits.
 */
#ifndef UFTP_TESTS_SIMNET_H
#define UFTP_TESTS_SIMNET_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"

#define SIM_MAX_NODES 64
#define SIM_MAX_DGRAM 9000
#define SIM_SEG(n)    (1u << ((n)-1)) /* segment n (1..32) as a mask bit */
#define SIM_SEG_DFLT  SIM_SEG(1)

struct sim_node_ops {
	int (*on_datagram)(void *core, const struct uftp_peer *from, const uint8_t *buf, size_t len,
	                   uint64_t now);
	/* Next datagram into out (cap bytes) and its destination; 0 = none due. */
	int (*write)(void *core, struct uftp_peer *to, uint8_t *out, size_t cap, uint64_t now);
	uint64_t (*get_expiry)(void *core);
	int (*handle_expiry)(void *core, uint64_t now);
};

/* Link behaviour of the datagrams a node receives (per mille values). */
struct sim_link {
	unsigned loss_pm;    /* dropped */
	unsigned dup_pm;     /* delivered twice */
	unsigned reorder_pm; /* delayed by up to reorder_ns extra */
	uint64_t delay_ns;   /* one-way latency */
	uint64_t reorder_ns; /* extra delay of reordered datagrams */
};

struct sim_node {
	const char *name;
	struct uftp_peer addr;
	const struct sim_node_ops *ops;
	void *core;
	struct sim_link in; /* applied to datagrams arriving at this node */
	uint32_t segs;      /* segments it is on, hearing multicast there (sim_add: segment 1) */
	uint32_t mcast_out; /* segments its multicast goes out on; 0: all of segs */
	/*
	 * Datagrams fed in before its writes are drained (a driver's receive
	 * batch); 0: drained once per turn of the clock, after every delivery.
	 */
	unsigned rx_batch;
	uint64_t sent, received, dropped, dup;
};

struct sim_pkt {
	uint64_t at;
	uint64_t seq; /* tie-break: FIFO among equal times */
	int dst;      /* node index */
	struct uftp_peer from;
	size_t len;
	uint8_t *buf;
};

struct simnet {
	uint64_t now;
	uint64_t rng; /* testenv_rand64() state: link effects, and the cores' env->random */
	uint64_t seq;
	struct sim_node nodes[SIM_MAX_NODES];
	size_t nnodes;
	struct sim_pkt *q; /* binary min-heap on (at, seq) */
	size_t qlen, qcap;
	/* Optional tap: sees every datagram as sent (before link effects). */
	void (*tap)(void *arg, int src, const struct uftp_peer *to, const uint8_t *buf, size_t len,
	            uint64_t now);
	void *tap_arg;
	uint64_t steps;
	uint64_t max_steps; /* safety net against a core that never settles */
};

void sim_init(struct simnet *net, uint64_t seed, uint64_t start_ns);
void sim_free(struct simnet *net);

/* Adds a node on segment 1; returns its index or -1 when full. */
int sim_add(struct simnet *net, const char *name, const struct uftp_peer *addr,
            const struct sim_node_ops *ops, void *core);

/*
 * Runs until done(arg) is true or the clock passes deadline_ns.  Returns 1
 * when done() held, 0 on deadline, -1 if a core returned an error from
 * write/handle_expiry (a core bug; on_datagram errors are drops and do not
 * stop the run).
 */
int sim_run(struct simnet *net, int (*done)(void *arg), void *arg, uint64_t deadline_ns);

/*
 * Whether a datagram from node src to `to` reaches node dst (the segment
 * and address rule above; never the sender itself).
 */
int sim_reaches(const struct simnet *net, int src, int dst, const struct uftp_peer *to);

/* Helpers to build addresses: 198.18.0.<host>:port, or a multicast group. */
struct uftp_peer sim_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port);

#endif
