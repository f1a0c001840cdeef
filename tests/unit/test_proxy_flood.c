/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proxy core under bursts larger than any of its queues, as an attacker on
 * the network can send them in one read batch: forged heartbeats ahead of a
 * real ANNOUNCE, forged ANNOUNCEs around a real one (some naming the real
 * session's private group), and many sessions expiring in one turn.  What
 * must hold whatever the bursts: the set of multicast groups the driver is
 * told to be a member of is exactly the private groups of the live
 * sessions (server proxy), each address once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/proxy.h"
#include "crypto/keyfile.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"

#define MSEC    UFTP_NS_PER_MSEC
#define SEC     UFTP_NS_PER_SEC
#define T0      (1000 * SEC)
#define SRVID   0xC612000AU
#define FORGEID 0x0BADBAD0U
#define GROUP   0x55667788U
#define MAXM    256

static struct testenv tenv = {.rng = 1};

static struct uftp_peer peer(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct uftp_peer p;

	memset(&p, 0, sizeof(p));
	p.ip.family = 4;
	p.ip.addr[0] = a, p.ip.addr[1] = b, p.ip.addr[2] = c, p.ip.addr[3] = d;
	p.port = port;
	return p;
}

static struct uftp_ipaddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return peer(a, b, c, d, 0).ip;
}

static size_t build(uint8_t *buf, size_t cap, uint32_t src, uint32_t group,
                    const struct uftp_msg *m)
{
	struct uftp_header h;
	ssize_t n;

	memset(&h, 0, sizeof(h));
	h.func = m->func;
	h.src_id = src;
	h.group_id = group;
	CU_ASSERT_EQUAL_FATAL(uftp_encode_header(buf, cap, &h), UFTP_HEADER_LEN);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, m);
	CU_ASSERT_FATAL(n > 0);
	return UFTP_HEADER_LEN + (size_t)n;
}

static size_t announce(uint8_t *buf, size_t cap, uint32_t src, uint32_t group,
                       struct uftp_ipaddr priv)
{
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_ANNOUNCE;
	m.u.announce.robust = 2;
	m.u.announce.block_size = 1300;
	m.u.announce.pub_addr = v4(230, 4, 4, 1);
	m.u.announce.priv_addr = priv;
	return build(buf, cap, src, group, &m);
}

static size_t fileseg(uint8_t *buf, size_t cap, uint32_t group)
{
	static const uint8_t data[100] = {1, 2, 3};
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_FILESEG;
	m.u.fileseg.file_id = 1;
	m.u.fileseg.data = data;
	m.u.fileseg.data_len = sizeof(data);
	return build(buf, cap, SRVID, group, &m);
}

/* An HB_REQ with a real public key, a garbage signature and a nonce never issued. */
static size_t forged_hb(uint8_t *buf, size_t cap, const uint8_t *blob, size_t blen, uint32_t k)
{
	uint8_t sig[64];
	struct uftp_msg m;

	memset(sig, (int)(k & 0xff), sizeof(sig));
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_HB_REQ;
	m.u.hb_req.nonce = 0x70000000U + k;
	m.u.hb_req.pubkey = blob, m.u.hb_req.pubkey_len = blen;
	m.u.hb_req.sig = sig, m.u.hb_req.sig_len = sizeof(sig);
	return build(buf, cap, 0xC6120164U, 0, &m);
}

static void drain_out(struct uftp_proxy *p, uint64_t now)
{
	static uint8_t buf[UFTP_PROXY_DGRAM_MAX];
	struct uftp_peer to;
	int mc;

	while (uftp_proxy_pop_send(p, &to, &mc, buf, sizeof(buf), now) > 0)
		;
}

/* ---- the memberships a driver holds -------------------------------------------- */

struct members {
	struct uftp_ipaddr a[MAXM];
	size_t n;
};

static int ip_eq(const struct uftp_ipaddr *x, const struct uftp_ipaddr *y)
{
	return x->family == y->family && memcmp(x->addr, y->addr, x->family == 6 ? 16 : 4) == 0;
}

static int has(const struct members *m, struct uftp_ipaddr a)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (ip_eq(&m->a[i], &a))
			return 1;
	return 0;
}

/*
 * Brings m up to what the proxy says the driver must be a member of, as
 * uftpproxyd does after each loop turn: the groups it needs, pulled when
 * their generation changed.  The events on the way are informational:
 * each one is either queued, intact, or counted as dropped.
 */
static uint64_t seen_gen;
static uint64_t events; /* popped so far */

static void sync_members(struct uftp_proxy *p, struct members *m)
{
	struct uftp_proxy_group g[UFTP_PROXY_MAX_GROUPS + 1];
	struct uftp_proxy_event ev;
	size_t i, n;

	while (uftp_proxy_pop_event(p, &ev))
		events++;
	if (uftp_proxy_groups_gen(p) == seen_gen)
		return;
	seen_gen = uftp_proxy_groups_gen(p);
	n = uftp_proxy_groups(p, g, UFTP_PROXY_MAX_GROUPS + 1);
	CU_ASSERT_FATAL(n <= UFTP_PROXY_MAX_GROUPS);
	m->n = 0;
	for (i = 0; i < n; i++) {
		CU_ASSERT(!has(m, g[i].addr)); /* each address once */
		m->a[m->n++] = g[i].addr;
	}
}

/* m holds exactly the n addresses of want (want may repeat an address). */
static int same_set(const struct members *m, const struct uftp_ipaddr *want, size_t n)
{
	struct members w;
	size_t i;

	w.n = 0;
	for (i = 0; i < n; i++)
		if (!has(&w, want[i]))
			w.a[w.n++] = want[i];
	if (w.n != m->n) {
		printf("\n    memberships: %zu, expected %zu\n", m->n, w.n);
		return 0;
	}
	for (i = 0; i < w.n; i++)
		if (!has(m, w.a[i]))
			return 0;
	return 1;
}

/* ---- set-up --------------------------------------------------------------------- */

struct fx {
	struct uftp_env env;
	struct uftp_proxy_config cfg;
	struct uftp_proxy *p;
	struct uftp_pkey *key;
	uint8_t blob[UFTP_MAX_BLOB_LEN];
	size_t blen;
	struct members m;
};

/* A server proxy in fp= mode (real crypto: heartbeats are checked for real). */
static int fx_setup(struct fx *x)
{
	int n;

	memset(x, 0, sizeof(*x));
	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return -1;
	testenv_init(&tenv, &x->env, 1, NULL, -1, NULL);
	x->env.crypto = uftp_ossl_ops();
	if (uftp_pkey_generate_rsa(&x->key, 512) < 0)
		return -1;
	n = x->env.crypto->blob_export(x->key, x->blob, sizeof(x->blob));
	if (n < 0)
		return -1;
	x->blen = (size_t)n;
	x->cfg.mode = UFTP_PROXY_SERVER;
	x->cfg.uid = 0xC612000BU;
	x->cfg.dest_by_fp = 1;
	memset(x->cfg.dest_fp, 0x42, sizeof(x->cfg.dest_fp)); /* no forger has this key */
	seen_gen = 0, events = 0;
	return uftp_proxy_new(&x->p, &x->env, &x->cfg, T0);
}

static void fx_free(struct fx *x)
{
	uftp_proxy_free(x->p);
	uftp_pkey_free(x->key);
}

/* ---- tests ------------------------------------------------------------------------ */

/* 300 forged heartbeats, then the real ANNOUNCE, in one batch: its group is joined. */
static void test_hb_burst_then_announce(void)
{
	struct uftp_peer forger = peer(198, 18, 0, 99, 1044), srv = peer(198, 18, 0, 10, 34559);
	struct uftp_ipaddr priv = v4(230, 5, 5, 9);
	struct uftp_proxy_stats st;
	struct fx x;
	uint8_t in[2048];
	uint32_t k;
	size_t n;

	if (fx_setup(&x) < 0) {
		CU_FAIL("set-up");
		fx_free(&x);
		return;
	}
	struct uftp_proxy_event ev;
	uint64_t popped = 0;

	for (k = 0; k < 300; k++) {
		n = forged_hb(in, sizeof(in), x.blob, x.blen, k);
		uftp_proxy_on_datagram(x.p, &forger, in, n, T0);
	}
	n = announce(in, sizeof(in), SRVID, GROUP, priv);
	uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	drain_out(x.p, T0);
	/* every event queued is intact (nothing patched into another one) */
	while (uftp_proxy_pop_event(x.p, &ev)) {
		popped++;
		CU_ASSERT_EQUAL(ev.type, UFTP_PEV_HB_REJECT);
		CU_ASSERT(uftp_peer_equal(&ev.peer, &forger));
		CU_ASSERT_STRING_EQUAL(ev.text, "stale or replayed nonce");
	}
	sync_members(x.p, &x.m);
	CU_ASSERT(same_set(&x.m, &priv, 1));
	uftp_proxy_get_counters(x.p, &st);
	CU_ASSERT_EQUAL(st.hb_rejected, 300);
	CU_ASSERT_EQUAL(st.sessions, 1);
	/* and every one raised is either queued or counted */
	CU_ASSERT(popped > 0);
	CU_ASSERT_EQUAL(popped + st.ev_dropped, 300 + 1);
	/* drained after each datagram, as uftpproxyd does, none is dropped */
	n = announce(in, sizeof(in), SRVID, GROUP + 1, v4(230, 5, 5, 10));
	uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	CU_ASSERT_EQUAL(uftp_proxy_pop_event(x.p, &ev), 1);
	CU_ASSERT_EQUAL(ev.type, UFTP_PEV_SESSION_START);
	CU_ASSERT_EQUAL(ev.group_id, GROUP + 1);
	CU_ASSERT(uftp_peer_equal(&ev.peer, &srv));
	fx_free(&x);
}

/*
 * 40 forged ANNOUNCEs around the real one in one batch, a few naming the
 * real session's private group: while they live every announced group is a
 * membership; once they time out (the real server still sending) only the
 * real group is, and it goes with the real session.
 */
static void test_announce_flood(void)
{
	struct uftp_peer forger = peer(198, 18, 0, 99, 1044), srv = peer(198, 18, 0, 10, 34559);
	struct uftp_ipaddr priv = v4(230, 5, 5, 9), want[41];
	struct fx x;
	uint8_t in[2048];
	uint64_t t;
	size_t n, k, nw = 0;

	if (fx_setup(&x) < 0) {
		CU_FAIL("set-up");
		fx_free(&x);
		return;
	}
	for (k = 0; k < 41; k++) {
		if (k == 20) {
			n = announce(in, sizeof(in), SRVID, GROUP, priv);
			uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
			want[nw++] = priv;
			continue;
		}
		want[nw] = k % 8 == 3 ? priv : v4(230, 6, 0, (uint8_t)k);
		n = announce(in, sizeof(in), FORGEID, GROUP + 1 + (uint32_t)k, want[nw]);
		uftp_proxy_on_datagram(x.p, &forger, in, n, T0);
		nw++;
	}
	drain_out(x.p, T0);
	sync_members(x.p, &x.m);
	CU_ASSERT(same_set(&x.m, want, nw));

	/* the real server goes on; the forged sessions time out together */
	for (t = T0 + SEC; t <= T0 + UFTP_PROXY_MIN_IDLE + SEC; t += SEC) {
		n = fileseg(in, sizeof(in), GROUP);
		uftp_proxy_on_datagram(x.p, &srv, in, n, t);
		uftp_proxy_on_expiry(x.p, t);
		drain_out(x.p, t);
		sync_members(x.p, &x.m);
	}
	CU_ASSERT(same_set(&x.m, &priv, 1));
	uftp_proxy_on_expiry(x.p, t + UFTP_PROXY_MIN_IDLE);
	sync_members(x.p, &x.m);
	CU_ASSERT(same_set(&x.m, NULL, 0));
	fx_free(&x);
}

/* As many sessions as the proxy holds, all timing out in one turn: nothing stays joined. */
static void test_many_expire_at_once(void)
{
	struct uftp_peer srv = peer(198, 18, 0, 10, 34559);
	struct uftp_ipaddr want[UFTP_PROXY_MAX_SESSIONS];
	struct uftp_proxy_stats st;
	struct fx x;
	uint8_t in[2048];
	uint64_t gen;
	size_t n, k;

	if (fx_setup(&x) < 0) {
		CU_FAIL("set-up");
		fx_free(&x);
		return;
	}
	for (k = 0; k < UFTP_PROXY_MAX_SESSIONS; k++) {
		want[k] = v4(230, 7, (uint8_t)(k / 200), (uint8_t)(k % 200 + 1));
		n = announce(in, sizeof(in), SRVID, GROUP + (uint32_t)k, want[k]);
		uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
		drain_out(x.p, T0);
		sync_members(x.p, &x.m); /* a driver that keeps up, datagram by datagram */
	}
	CU_ASSERT(same_set(&x.m, want, UFTP_PROXY_MAX_SESSIONS));
	/* the same sessions announcing again change nothing: no reconciliation due */
	gen = uftp_proxy_groups_gen(x.p);
	for (k = 0; k < UFTP_PROXY_MAX_SESSIONS; k++) {
		n = announce(in, sizeof(in), SRVID, GROUP + (uint32_t)k, want[k]);
		uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	}
	drain_out(x.p, T0);
	CU_ASSERT_EQUAL(uftp_proxy_groups_gen(x.p), gen);
	uftp_proxy_on_expiry(x.p, T0 + UFTP_PROXY_MIN_IDLE);
	sync_members(x.p, &x.m);
	CU_ASSERT(same_set(&x.m, NULL, 0));
	CU_ASSERT_EQUAL(uftp_proxy_next_expiry(x.p), UFTP_NEVER);
	/* one SESSION_END each: the event queue held them all */
	uftp_proxy_get_counters(x.p, &st);
	CU_ASSERT_EQUAL(st.ev_dropped, 0);
	CU_ASSERT_EQUAL(events, 2 * UFTP_PROXY_MAX_SESSIONS);
	fx_free(&x);
}

/*
 * The table full: a flood of forged announcements evicts its own sessions,
 * newest first, never one whose server has gone on with it, nor a real
 * session still announcing that came before the flood; with every session
 * established, a newcomer is refused.
 */
static void test_flood_never_evicts_established(void)
{
	struct uftp_peer forger = peer(198, 18, 0, 99, 1044), srv = peer(198, 18, 0, 10, 34559);
	struct uftp_ipaddr want[2] = {v4(230, 5, 5, 9), v4(230, 5, 5, 10)};
	struct uftp_proxy_stats st;
	struct fx x;
	uint8_t in[2048];
	size_t n, k;

	if (fx_setup(&x) < 0) {
		CU_FAIL("set-up");
		fx_free(&x);
		return;
	}
	n = announce(in, sizeof(in), SRVID, GROUP, want[0]);
	uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	n = fileseg(in, sizeof(in), GROUP); /* its server goes on: established */
	uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	n = announce(in, sizeof(in), SRVID, GROUP + 1, want[1]); /* still announcing */
	uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	for (k = 0; k < 200; k++) {
		n = announce(in, sizeof(in), FORGEID, 0x0F000000U + (uint32_t)k,
		             v4(230, 6, (uint8_t)(k / 250), (uint8_t)(k % 250 + 1)));
		uftp_proxy_on_datagram(x.p, &forger, in, n, T0);
	}
	drain_out(x.p, T0);
	sync_members(x.p, &x.m);
	CU_ASSERT(has(&x.m, want[0]));
	CU_ASSERT(has(&x.m, want[1]));
	CU_ASSERT_EQUAL(x.m.n, UFTP_PROXY_MAX_SESSIONS);
	uftp_proxy_get_counters(x.p, &st);
	CU_ASSERT_EQUAL(st.sess_evicted, 200 - (UFTP_PROXY_MAX_SESSIONS - 2));
	CU_ASSERT_EQUAL(st.sess_refused, 0);
	fx_free(&x);

	/* every session established: the newcomer is refused, nobody displaced */
	if (fx_setup(&x) < 0) {
		CU_FAIL("set-up");
		fx_free(&x);
		return;
	}
	for (k = 0; k < UFTP_PROXY_MAX_SESSIONS; k++) {
		n = announce(in, sizeof(in), SRVID, GROUP + (uint32_t)k,
		             v4(230, 7, 0, (uint8_t)(k + 1)));
		uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
		n = fileseg(in, sizeof(in), GROUP + (uint32_t)k);
		uftp_proxy_on_datagram(x.p, &srv, in, n, T0);
	}
	n = announce(in, sizeof(in), FORGEID, 0x0F000000U, v4(230, 6, 0, 1));
	uftp_proxy_on_datagram(x.p, &forger, in, n, T0);
	drain_out(x.p, T0);
	sync_members(x.p, &x.m);
	CU_ASSERT_EQUAL(x.m.n, UFTP_PROXY_MAX_SESSIONS);
	CU_ASSERT(!has(&x.m, v4(230, 6, 0, 1)));
	uftp_proxy_get_counters(x.p, &st);
	CU_ASSERT_EQUAL(st.sess_refused, 1);
	CU_ASSERT_EQUAL(st.sess_evicted, 0);
	fx_free(&x);
}

static const struct cutest tests[] = {
    CUTEST(test_hb_burst_then_announce),
    CUTEST(test_announce_flood),
    CUTEST(test_many_expire_at_once),
    CUTEST(test_flood_never_evicts_established),
};

CUTEST_MAIN("proxy_flood", tests)
