/* SPDX-License-Identifier: BSD-2-Clause */
/* In-process network simulator (see simnet.h). */
#include <stdlib.h>
#include <string.h>

#include "simnet.h"
#include "tests/common/testenv.h"

void sim_init(struct simnet *net, uint64_t seed, uint64_t start_ns)
{
	memset(net, 0, sizeof(*net));
	net->now = start_ns;
	testenv_seed(&net->rng, seed);
	net->max_steps = 50000000;
}

void sim_free(struct simnet *net)
{
	size_t i;

	for (i = 0; i < net->qlen; i++)
		free(net->q[i].buf);
	free(net->q);
	net->q = NULL;
	net->qlen = net->qcap = 0;
}

int sim_add(struct simnet *net, const char *name, const struct uftp_peer *addr,
            const struct sim_node_ops *ops, void *core)
{
	struct sim_node *n;

	if (net->nnodes >= SIM_MAX_NODES)
		return -1;
	n = &net->nodes[net->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->addr = *addr;
	n->ops = ops;
	n->core = core;
	n->segs = SIM_SEG_DFLT;
	return (int)net->nnodes++;
}

struct uftp_peer sim_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct uftp_peer p;

	memset(&p, 0, sizeof(p));
	p.ip.family = 4;
	p.ip.addr[0] = a;
	p.ip.addr[1] = b;
	p.ip.addr[2] = c;
	p.ip.addr[3] = d;
	p.port = port;
	return p;
}

static int pkt_before(const struct sim_pkt *a, const struct sim_pkt *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_swap(struct sim_pkt *q, size_t i, size_t j)
{
	struct sim_pkt t = q[i];

	q[i] = q[j];
	q[j] = t;
}

static int heap_push(struct simnet *net, const struct sim_pkt *p)
{
	size_t i;

	if (net->qlen == net->qcap) {
		size_t cap = net->qcap ? net->qcap * 2 : 256;
		struct sim_pkt *nq = realloc(net->q, cap * sizeof(*nq));

		if (nq == NULL)
			return -1;
		net->q = nq;
		net->qcap = cap;
	}
	i = net->qlen++;
	net->q[i] = *p;
	while (i > 0 && pkt_before(&net->q[i], &net->q[(i - 1) / 2])) {
		heap_swap(net->q, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_pop(struct simnet *net, struct sim_pkt *out)
{
	size_t i = 0;

	*out = net->q[0];
	net->q[0] = net->q[--net->qlen];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < net->qlen && pkt_before(&net->q[l], &net->q[m]))
			m = l;
		if (r < net->qlen && pkt_before(&net->q[r], &net->q[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(net->q, i, m);
		i = m;
	}
}

static int is_multicast(const struct uftp_peer *p)
{
	if (p->ip.family == 6)
		return p->ip.addr[0] == 0xff;
	return (p->ip.addr[0] & 0xf0) == 0xe0;
}

static int roll(struct simnet *net, unsigned pm)
{
	return pm > 0 && testenv_rand64(&net->rng) % 1000 < pm;
}

static int enqueue_one(struct simnet *net, int src, int dst, const uint8_t *buf, size_t len)
{
	struct sim_node *n = &net->nodes[dst];
	struct sim_pkt p;
	int copies = 1, k;

	if (roll(net, n->in.loss_pm)) {
		n->dropped++;
		return 0;
	}
	if (roll(net, n->in.dup_pm)) {
		copies = 2;
		n->dup++;
	}
	for (k = 0; k < copies; k++) {
		p.at = net->now + n->in.delay_ns;
		if (roll(net, n->in.reorder_pm) && n->in.reorder_ns > 0)
			p.at += testenv_rand64(&net->rng) % n->in.reorder_ns;
		p.seq = net->seq++;
		p.dst = dst;
		p.from = net->nodes[src].addr;
		p.len = len;
		p.buf = malloc(len ? len : 1);
		if (p.buf == NULL)
			return -1;
		memcpy(p.buf, buf, len);
		if (heap_push(net, &p) < 0) {
			free(p.buf);
			return -1;
		}
	}
	return 0;
}

int sim_reaches(const struct simnet *net, int src, int dst, const struct uftp_peer *to)
{
	const struct sim_node *s = &net->nodes[src], *n = &net->nodes[dst];
	size_t alen = n->addr.ip.family == 6 ? 16 : 4;

	if (src == dst)
		return 0;
	if (is_multicast(to))
		return (n->segs & (s->mcast_out ? s->mcast_out : s->segs)) != 0;
	return n->addr.ip.family == to->ip.family &&
	       memcmp(n->addr.ip.addr, to->ip.addr, alen) == 0;
}

static int route(struct simnet *net, int src, const struct uftp_peer *to, const uint8_t *buf,
                 size_t len)
{
	size_t i;

	if (net->tap)
		net->tap(net->tap_arg, src, to, buf, len, net->now);
	net->nodes[src].sent++;
	for (i = 0; i < net->nnodes; i++)
		if (sim_reaches(net, src, (int)i, to) &&
		    enqueue_one(net, src, (int)i, buf, len) < 0)
			return -1;
	return 0;
}

/* Drains every datagram a node has due now. */
static int drain(struct simnet *net, int idx)
{
	static uint8_t buf[SIM_MAX_DGRAM];
	struct sim_node *n = &net->nodes[idx];
	struct uftp_peer to;
	int len, guard;

	for (guard = 0; guard < 100000; guard++) {
		memset(&to, 0, sizeof(to));
		len = n->ops->write(n->core, &to, buf, sizeof(buf), net->now);
		if (len < 0)
			return -1;
		if (len == 0)
			return 0;
		if (route(net, idx, &to, buf, (size_t)len) < 0)
			return -1;
	}
	return 0; /* a paced sender may always have more: yield to the clock */
}

static uint64_t next_time(const struct simnet *net)
{
	uint64_t t = UFTP_NEVER;
	size_t i;

	if (net->qlen > 0)
		t = net->q[0].at;
	for (i = 0; i < net->nnodes; i++) {
		uint64_t e = net->nodes[i].ops->get_expiry(net->nodes[i].core);

		if (e < t)
			t = e;
	}
	return t;
}

static int step(struct simnet *net)
{
	unsigned batch[SIM_MAX_NODES] = {0};
	struct sim_pkt p;
	size_t i;

	while (net->qlen > 0 && net->q[0].at <= net->now) {
		struct sim_node *n;

		heap_pop(net, &p);
		n = &net->nodes[p.dst];
		n->received++;
		n->ops->on_datagram(n->core, &p.from, p.buf, p.len, net->now);
		free(p.buf);
		if (n->rx_batch && ++batch[p.dst] == n->rx_batch) {
			batch[p.dst] = 0;
			if (drain(net, p.dst) < 0)
				return -1;
		}
	}
	for (i = 0; i < net->nnodes; i++) {
		struct sim_node *n = &net->nodes[i];

		if (n->ops->get_expiry(n->core) <= net->now &&
		    n->ops->handle_expiry(n->core, net->now) < 0)
			return -1;
		if (drain(net, (int)i) < 0)
			return -1;
	}
	return 0;
}

int sim_run(struct simnet *net, int (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
	for (;;) {
		uint64_t t;

		if (step(net) < 0)
			return -1;
		if (++net->steps > net->max_steps)
			return 0; /* a runaway core: report it as a deadline */
		if (done != NULL && done(arg))
			return 1;
		t = next_time(net);
		if (t <= net->now)
			t = net->now +
			    1; /* a core that keeps its expiry in the past still advances */
		if (t == UFTP_NEVER || t > deadline_ns) {
			net->now = deadline_ns;
			return 0;
		}
		net->now = t;
	}
}
