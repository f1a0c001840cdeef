/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proxy core (core/proxy.h) driven by datagrams built with the codec and a
 * fake clock: server proxy forwarding both ways, client proxy
 * re-multicasting and aggregation (REGISTER with the longest-RTT client
 * first, merged STATUS maps, COMPLETE per status), session time-outs,
 * malformed input, and heartbeats with fp= authentication (real crypto).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/proxy.h"
#include "core/quant.h"
#include "crypto/keyfile.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"

#define MSEC  UFTP_NS_PER_MSEC
#define SEC   UFTP_NS_PER_SEC
#define PXID  0xC612010AU
#define SRVID 0xC612000AU
#define GROUP 0x55667788U
#define T0    (1000 * SEC)

static struct testenv tenv = {.rng = 1};
static struct uftp_env env = TESTENV_ENV(&tenv, -1);

static struct uftp_peer peer(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct uftp_peer p;

	memset(&p, 0, sizeof(p));
	p.ip.family = 4;
	p.ip.addr[0] = a, p.ip.addr[1] = b, p.ip.addr[2] = c, p.ip.addr[3] = d;
	p.port = port;
	return p;
}

static uint8_t grtt_q; /* quantized GRTT the fake server advertises */

/* Builds header + body of m from src_id into buf; returns the length. */
static size_t build(uint8_t *buf, size_t cap, uint32_t src, const struct uftp_msg *m)
{
	struct uftp_header h;
	ssize_t n;

	memset(&h, 0, sizeof(h));
	h.func = m->func;
	h.src_id = src;
	h.group_id = GROUP;
	h.grtt = grtt_q;
	CU_ASSERT_EQUAL_FATAL(uftp_encode_header(buf, cap, &h), UFTP_HEADER_LEN);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, m);
	CU_ASSERT_FATAL(n > 0);
	return UFTP_HEADER_LEN + (size_t)n;
}

static int ssm_groups; /* announce() names 232.x groups when set */

static size_t announce(uint8_t *buf, size_t cap)
{
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_ANNOUNCE;
	m.u.announce.robust = 2;
	m.u.announce.block_size = 1300;
	m.u.announce.tstamp_sec = 5000;
	m.u.announce.pub_addr.family = 4;
	memcpy(m.u.announce.pub_addr.addr, "\xe6\x04\x04\x01", 4);
	m.u.announce.priv_addr.family = 4;
	memcpy(m.u.announce.priv_addr.addr, "\xe6\x05\x05\x09", 4);
	if (ssm_groups) {
		m.u.announce.pub_addr.addr[0] = 232;
		m.u.announce.priv_addr.addr[0] = 232;
	}
	return build(buf, cap, SRVID, &m);
}

static size_t fileseg(uint8_t *buf, size_t cap)
{
	static const uint8_t data[100] = {1, 2, 3};
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_FILESEG;
	m.u.fileseg.file_id = 1;
	m.u.fileseg.data = data;
	m.u.fileseg.data_len = sizeof(data);
	return build(buf, cap, SRVID, &m);
}

static size_t reg(uint8_t *buf, size_t cap, uint32_t client, uint32_t usec)
{
	static const uint8_t rand[UFTP_RAND_LEN];
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_REGISTER;
	m.u.reg.tstamp_sec = 5000;
	m.u.reg.tstamp_usec = usec;
	m.u.reg.rand = rand;
	return build(buf, cap, client, &m);
}

static size_t status(uint8_t *buf, size_t cap, uint32_t client, const uint8_t *naks, size_t n)
{
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_STATUS;
	m.u.status.file_id = 1;
	m.u.status.section = 3;
	m.u.status.naks = naks;
	m.u.status.naks_len = n;
	return build(buf, cap, client, &m);
}

static size_t complete(uint8_t *buf, size_t cap, uint32_t client, uint8_t st)
{
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_COMPLETE;
	m.u.complete.file_id = 2;
	m.u.complete.status = st;
	return build(buf, cap, client, &m);
}

/* Pulls the next output datagram; returns its length (0: none). */
static int out(struct uftp_proxy *p, struct uftp_peer *to, int *mc, uint8_t *buf, uint64_t now)
{
	return uftp_proxy_pop_send(p, to, mc, buf, UFTP_PROXY_DGRAM_MAX, now);
}

static int nout(struct uftp_proxy *p, uint64_t now)
{
	static uint8_t buf[UFTP_PROXY_DGRAM_MAX];
	struct uftp_peer to;
	int mc, n = 0;

	while (out(p, &to, &mc, buf, now) > 0)
		n++;
	return n;
}

/* Decodes an output datagram; returns its function. */
static int parse(const uint8_t *buf, int len, struct uftp_header *h, struct uftp_msg *m)
{
	CU_ASSERT_FATAL(len > UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(h, buf, (size_t)len), UFTP_HEADER_LEN);
	CU_ASSERT_FATAL(
	    uftp_decode_msg(m, h->func, buf + UFTP_HEADER_LEN, (size_t)len - UFTP_HEADER_LEN) > 0);
	return m->func;
}

static struct uftp_proxy_config client_cfg(void)
{
	struct uftp_proxy_config c;

	memset(&c, 0, sizeof(c));
	c.mode = UFTP_PROXY_CLIENT;
	c.uid = PXID;
	c.client_port = 1044;
	return c;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_new_invalid(void)
{
	struct uftp_proxy_config c = client_cfg();
	struct uftp_proxy *p;

	c.uid = 0;
	CU_ASSERT_EQUAL(uftp_proxy_new(&p, &env, &c, T0), UFTP_ERR_INVALID);
	c = client_cfg();
	c.client_port = 0;
	CU_ASSERT_EQUAL(uftp_proxy_new(&p, &env, &c, T0), UFTP_ERR_INVALID);
	c = client_cfg();
	c.mode = UFTP_PROXY_SERVER; /* neither dest nor fp= */
	CU_ASSERT_EQUAL(uftp_proxy_new(&p, &env, &c, T0), UFTP_ERR_INVALID);
	c.mode = 9;
	CU_ASSERT_EQUAL(uftp_proxy_new(&p, &env, &c, T0), UFTP_ERR_INVALID);
	CU_ASSERT_PTR_NULL(p);
}

static void test_server_proxy_forwarding(void)
{
	struct uftp_proxy_config c;
	struct uftp_proxy *p;
	struct uftp_proxy_event ev;
	struct uftp_proxy_group g;
	struct uftp_peer srv = peer(198, 18, 0, 10, 34559), to;
	struct uftp_peer dest = peer(198, 18, 1, 10, 1044);
	struct uftp_peer stranger = peer(198, 18, 0, 99, 1044);
	uint8_t in[2048], o[UFTP_PROXY_DGRAM_MAX];
	size_t n;
	int len, mc;

	memset(&c, 0, sizeof(c));
	c.mode = UFTP_PROXY_SERVER;
	c.uid = 0xC612000BU;
	c.dest = dest;
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in));
	uftp_proxy_on_datagram(p, &srv, in, n, T0);
	len = out(p, &to, &mc, o, T0);
	CU_ASSERT_EQUAL(len, (int)n); /* copied unchanged */
	CU_ASSERT(memcmp(o, in, n) == 0);
	CU_ASSERT(uftp_peer_equal(&to, &dest));
	CU_ASSERT_EQUAL(mc, 0);
	CU_ASSERT_EQUAL(uftp_proxy_pop_event(p, &ev), 1);
	CU_ASSERT_EQUAL(ev.type, UFTP_PEV_SESSION_START);
	CU_ASSERT(memcmp(ev.addr.addr, srv.ip.addr, 4) == 0);
	CU_ASSERT_EQUAL(uftp_proxy_pop_event(p, &ev), 0);
	/* its private group is now one the proxy needs */
	CU_ASSERT_EQUAL(uftp_proxy_groups_gen(p), 1);
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_groups(p, &g, 1), 1);
	CU_ASSERT(memcmp(g.addr.addr, "\xe6\x05\x05\x09", 4) == 0);
	CU_ASSERT_EQUAL(g.group_id, GROUP);

	/* a reply from the downstream goes back to the server's address and port */
	n = reg(in, sizeof(in), PXID, 7);
	uftp_proxy_on_datagram(p, &dest, in, n, T0 + MSEC);
	len = out(p, &to, &mc, o, T0 + MSEC);
	CU_ASSERT_EQUAL(len, (int)n);
	CU_ASSERT(uftp_peer_equal(&to, &srv));

	/* server data forwarded; the same data from a stranger is not */
	n = fileseg(in, sizeof(in));
	uftp_proxy_on_datagram(p, &srv, in, n, T0 + 2 * MSEC);
	CU_ASSERT_EQUAL(nout(p, T0 + 2 * MSEC), 1);
	uftp_proxy_on_datagram(p, &stranger, in, n, T0 + 2 * MSEC);
	CU_ASSERT_EQUAL(nout(p, T0 + 2 * MSEC), 0);
	/* a client's reply arriving at the server proxy (not from dest) goes nowhere */
	n = reg(in, sizeof(in), 0x01020304, 7);
	uftp_proxy_on_datagram(p, &stranger, in, n, T0 + 2 * MSEC);
	CU_ASSERT_EQUAL(nout(p, T0 + 2 * MSEC), 0);
	uftp_proxy_free(p);
}

static void test_client_proxy_register_aggregation(void)
{
	struct uftp_proxy_config c = client_cfg();
	struct uftp_proxy *p;
	struct uftp_peer up = peer(198, 18, 0, 11, 1044), to;
	struct uftp_peer cl[3] = {peer(198, 18, 1, 11, 1044), peer(198, 18, 1, 12, 1044),
	                          peer(198, 18, 1, 13, 1044)};
	static const uint32_t usec[3] = {500, 200, 400}; /* client 2 has the longest RTT */
	uint8_t in[2048], o[UFTP_PROXY_DGRAM_MAX];
	struct uftp_header h;
	struct uftp_msg m;
	uint64_t grtt;
	size_t n, i;
	int len, mc;

	grtt_q = uftp_grtt_quantize(100 * MSEC);
	grtt = uftp_grtt_unquantize(grtt_q);
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in));
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	len = out(p, &to, &mc, o, T0);
	CU_ASSERT_EQUAL(len, (int)n);
	CU_ASSERT_EQUAL(mc, 1);
	CU_ASSERT(memcmp(to.ip.addr, "\xe6\x04\x04\x01", 4) == 0); /* public group */
	CU_ASSERT_EQUAL(to.port, 1044);
	n = fileseg(in, sizeof(in));
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	out(p, &to, &mc, o, T0);
	CU_ASSERT(memcmp(to.ip.addr, "\xe6\x05\x05\x09", 4) == 0); /* private group */

	for (i = 0; i < 3; i++) {
		n = reg(in, sizeof(in), 0xC612010BU + (uint32_t)i, usec[i]);
		uftp_proxy_on_datagram(p, &cl[i], in, n, T0 + MSEC);
		/* a duplicate: counted once */
		uftp_proxy_on_datagram(p, &cl[i], in, n, T0 + MSEC);
	}
	CU_ASSERT_EQUAL(nout(p, T0 + 2 * MSEC), 0); /* held */
	CU_ASSERT_EQUAL(uftp_proxy_next_expiry(p), T0 + MSEC + grtt);
	uftp_proxy_on_expiry(p, T0 + MSEC + grtt);
	len = out(p, &to, &mc, o, T0 + MSEC + grtt);
	CU_ASSERT_EQUAL_FATAL(parse(o, len, &h, &m), UFTP_MSG_REGISTER);
	CU_ASSERT(uftp_peer_equal(&to, &up));
	CU_ASSERT_EQUAL(h.src_id, PXID);
	CU_ASSERT_EQUAL(h.group_id, GROUP);
	CU_ASSERT_EQUAL_FATAL(m.u.reg.ids.count, 3);
	CU_ASSERT_EQUAL(uftp_idlist_get(&m.u.reg.ids, 0), 0xC612010CU); /* longest RTT first */
	CU_ASSERT(uftp_idlist_has(&m.u.reg.ids, 0xC612010BU));
	CU_ASSERT(uftp_idlist_has(&m.u.reg.ids, 0xC612010DU));
	/* its timestamp, moved on by the time we held it */
	CU_ASSERT_EQUAL(m.u.reg.tstamp_sec, 5000);
	CU_ASSERT_EQUAL(m.u.reg.tstamp_usec, 200 + grtt / 1000);
	CU_ASSERT_EQUAL(nout(p, T0 + MSEC + grtt), 0);
	uftp_proxy_free(p);
	grtt_q = 0;
}

static void test_client_proxy_status_complete(void)
{
	struct uftp_proxy_config c = client_cfg();
	struct uftp_proxy *p;
	struct uftp_peer up = peer(198, 18, 0, 11, 1044), to;
	struct uftp_peer c1 = peer(198, 18, 1, 11, 1044), c2 = peer(198, 18, 1, 12, 1044);
	static const uint8_t n1[4] = {0x01, 0x00, 0x80, 0x00}, n2[2] = {0x02, 0x10};
	uint8_t in[2048], o[UFTP_PROXY_DGRAM_MAX];
	struct uftp_header h;
	struct uftp_msg m;
	size_t n;
	int len, mc, k, seen_normal = 0, seen_skip = 0;
	uint64_t t;

	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in));
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	nout(p, T0);
	n = status(in, sizeof(in), 0xC612010BU, n1, sizeof(n1));
	uftp_proxy_on_datagram(p, &c1, in, n, T0);
	n = status(in, sizeof(in), 0xC612010CU, n2, sizeof(n2));
	uftp_proxy_on_datagram(p, &c2, in, n, T0);
	n = complete(in, sizeof(in), 0xC612010BU, UFTP_COMP_NORMAL);
	uftp_proxy_on_datagram(p, &c1, in, n, T0);
	n = complete(in, sizeof(in), 0xC612010CU, UFTP_COMP_SKIPPED);
	uftp_proxy_on_datagram(p, &c2, in, n, T0);
	t = uftp_proxy_next_expiry(p);
	CU_ASSERT(t > T0 && t < T0 + SEC);
	uftp_proxy_on_expiry(p, t);
	for (k = 0; k < 3; k++) {
		len = out(p, &to, &mc, o, t);
		CU_ASSERT_FATAL(len > 0);
		CU_ASSERT(uftp_peer_equal(&to, &up));
		if (parse(o, len, &h, &m) == UFTP_MSG_STATUS) {
			CU_ASSERT_EQUAL(m.u.status.section, 3);
			CU_ASSERT_EQUAL_FATAL(m.u.status.naks_len, 4);
			CU_ASSERT(memcmp(m.u.status.naks, "\x03\x10\x80\x00", 4) == 0);
		} else {
			CU_ASSERT_EQUAL_FATAL(m.func, UFTP_MSG_COMPLETE);
			CU_ASSERT_EQUAL(m.u.complete.ids.count, 1);
			if (m.u.complete.status == UFTP_COMP_NORMAL)
				seen_normal = uftp_idlist_get(&m.u.complete.ids, 0) == 0xC612010BU;
			else
				seen_skip = uftp_idlist_get(&m.u.complete.ids, 0) == 0xC612010CU;
		}
	}
	CU_ASSERT(seen_normal && seen_skip);
	CU_ASSERT_EQUAL(nout(p, t), 0);
	uftp_proxy_free(p);
}

static void test_timeout_and_bad_input(void)
{
	struct uftp_proxy_config c = client_cfg();
	struct uftp_proxy *p;
	struct uftp_proxy_event ev;
	struct uftp_proxy_stats st;
	struct uftp_peer up = peer(198, 18, 0, 11, 1044), c1 = peer(198, 18, 1, 11, 1044);
	uint8_t in[2048];
	size_t n;
	int ended = 0;

	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in));
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	nout(p, T0);
	/* truncated, wrong version, function byte disagreeing with the header */
	uftp_proxy_on_datagram(p, &up, in, 10, T0);
	in[0] = 0x30;
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	in[0] = 0x40;
	in[UFTP_HEADER_LEN] = UFTP_MSG_FILESEG;
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	/* a REGISTER cut short inside its body */
	n = reg(in, sizeof(in), 0xC612010BU, 1);
	uftp_proxy_on_datagram(p, &c1, in, n - 8, T0);
	/* a server message from a client's address */
	n = fileseg(in, sizeof(in));
	uftp_proxy_on_datagram(p, &c1, in, n, T0);
	CU_ASSERT_EQUAL(nout(p, T0), 0);
	uftp_proxy_get_counters(p, &st);
	CU_ASSERT_EQUAL(st.rx_dropped, 5);
	CU_ASSERT_EQUAL(st.agg_in, 0);
	{ /* the common view: the same drops, by reason, and the one session */
		struct uftp_core_stats cs;
		struct uftp_session_stats ss;
		struct uftp_peer_stats ps;
		uint64_t all = 0;
		int r;

		uftp_proxy_get_stats(p, &cs);
		for (r = 0; r < UFTP_DROP_NREASONS; r++)
			all += cs.dropped[r];
		CU_ASSERT_EQUAL(cs.role, UFTP_ROLE_PROXY);
		CU_ASSERT_EQUAL(all, 5);
		{
			char text[128];

			CU_ASSERT_EQUAL(uftp_drops_format(&cs, text, sizeof(text)), 5);
			CU_ASSERT_EQUAL(strncmp(text, "malformed ", 10), 0);
			CU_ASSERT_EQUAL(uftp_drops_format(&cs, text, 4),
			                5); /* cut short, still the sum */
			CU_ASSERT_EQUAL(strlen(text), 3);
		}
		CU_ASSERT(cs.dropped[UFTP_DROP_MALFORMED] >= 3);
		CU_ASSERT_EQUAL(cs.sessions_active, 1);
		CU_ASSERT_EQUAL_FATAL(uftp_proxy_session_stats(p, 0, &ss, T0), 1);
		CU_ASSERT_EQUAL(ss.group_id, GROUP);
		CU_ASSERT_EQUAL(uftp_proxy_session_stats(p, 1, &ss, T0), 0);
		CU_ASSERT_EQUAL_FATAL(uftp_proxy_peer_stats(p, 0, 0, &ps), 1);
		CU_ASSERT(uftp_peer_equal(&ps.addr, &up));
	}
	/* idle past the minimum time-out: the session goes */
	CU_ASSERT_EQUAL(uftp_proxy_next_expiry(p), T0 + UFTP_PROXY_MIN_IDLE);
	uftp_proxy_on_expiry(p, T0 + UFTP_PROXY_MIN_IDLE);
	while (uftp_proxy_pop_event(p, &ev))
		ended |= ev.type == UFTP_PEV_SESSION_END && ev.group_id == GROUP;
	CU_ASSERT(ended);
	CU_ASSERT_EQUAL(uftp_proxy_next_expiry(p), UFTP_NEVER);
	uftp_proxy_free(p);
}

static void test_server_and_client_lists(void)
{
	struct uftp_proxy_config c = client_cfg();
	struct uftp_peer_key srv = {.id = SRVID};
	static const struct uftp_peer_key allowed[] = {{.id = 0xC612010BU}};
	struct uftp_proxy *p;
	struct uftp_proxy_stats st;
	struct uftp_peer up = peer(198, 18, 0, 11, 1044), other = peer(198, 18, 0, 12, 1044);
	struct uftp_peer c1 = peer(198, 18, 1, 11, 1044), c2 = peer(198, 18, 1, 12, 1044);
	uint8_t in[2048];
	size_t n;

	srv.addr = up.ip;
	c.servers = &srv, c.nservers = 1;
	c.clients = allowed, c.nclients = 1;
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in)); /* 230.x groups: not source-specific */
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	CU_ASSERT_EQUAL(nout(p, T0), 0);
	ssm_groups = 1;
	n = announce(in, sizeof(in));
	uftp_proxy_on_datagram(p, &other, in, n, T0); /* listed ID, wrong address */
	CU_ASSERT_EQUAL(nout(p, T0), 0);
	uftp_proxy_on_datagram(p, &up, in, n, T0);
	CU_ASSERT_EQUAL(nout(p, T0), 1);
	ssm_groups = 0;
	n = reg(in, sizeof(in), 0xC612010CU, 1); /* not in -C */
	uftp_proxy_on_datagram(p, &c2, in, n, T0);
	n = reg(in, sizeof(in), 0xC612010BU, 1);
	uftp_proxy_on_datagram(p, &c1, in, n, T0);
	uftp_proxy_get_counters(p, &st);
	CU_ASSERT_EQUAL(st.agg_in, 1);
	CU_ASSERT_EQUAL(st.rx_dropped, 3);
	uftp_proxy_free(p);
}

/* ---- heartbeats ---------------------------------------------------------------- */

struct hb_pair {
	struct uftp_pkey *key, *other;
	struct uftp_proxy_config scfg, ccfg;
	struct uftp_proxy *sp, *cp;
	struct uftp_peer sp_addr, cp_addr;
	struct uftp_env env;
};

static int hb_setup(struct hb_pair *x)
{
	uint8_t blob[UFTP_MAX_BLOB_LEN];
	int n;

	memset(x, 0, sizeof(*x));
	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return -1;
	x->env = env;
	x->env.crypto = uftp_ossl_ops();
	if (uftp_pkey_generate_rsa(&x->key, 512) < 0 || uftp_pkey_generate_rsa(&x->other, 512) < 0)
		return -1;
	x->sp_addr = peer(198, 18, 0, 11, 1044);
	x->cp_addr = peer(198, 18, 2, 1, 40000); /* as a NAT shows it */
	x->scfg.mode = UFTP_PROXY_SERVER;
	x->scfg.uid = 0xC612000BU;
	x->scfg.dest_by_fp = 1;
	n = x->env.crypto->blob_export(x->key, blob, sizeof(blob));
	if (n < 0 || uftp_pkey_fingerprint_blob(blob, (size_t)n, x->scfg.dest_fp) < 0)
		return -1;
	x->ccfg = client_cfg();
	x->ccfg.hb[0] = x->sp_addr;
	x->ccfg.nhb = 1;
	x->ccfg.hb_interval = 5 * SEC;
	x->ccfg.key = x->key;
	if (uftp_proxy_new(&x->sp, &x->env, &x->scfg, T0) < 0 ||
	    uftp_proxy_new(&x->cp, &x->env, &x->ccfg, T0) < 0)
		return -1;
	return 0;
}

static void hb_free(struct hb_pair *x)
{
	uftp_proxy_free(x->sp);
	uftp_proxy_free(x->cp);
	uftp_pkey_free(x->key);
	uftp_pkey_free(x->other);
}

/* Moves every datagram of from to to (as if sent from src); returns the count. */
static int pump(struct uftp_proxy *from, struct uftp_proxy *to, const struct uftp_peer *src,
                uint64_t now, uint8_t *last, int *last_len)
{
	static uint8_t buf[UFTP_PROXY_DGRAM_MAX];
	struct uftp_peer dst;
	int n, mc, k = 0;

	while ((n = out(from, &dst, &mc, buf, now)) > 0) {
		if (last) {
			memcpy(last, buf, (size_t)n);
			*last_len = n;
		}
		uftp_proxy_on_datagram(to, src, buf, (size_t)n, now);
		k++;
	}
	return k;
}

static void test_heartbeat_fp(void)
{
	static uint8_t signed_req[UFTP_PROXY_DGRAM_MAX];
	struct hb_pair x;
	struct uftp_peer d, thief = peer(198, 18, 3, 3, 1044);
	struct uftp_proxy_stats st;
	int len = 0;
	uint64_t t = T0;

	if (hb_setup(&x) < 0) {
		CU_FAIL("crypto set-up");
		hb_free(&x);
		return;
	}
	CU_ASSERT_EQUAL(uftp_proxy_dest(x.sp).ip.family, 0);
	uftp_proxy_on_expiry(x.cp, t);                                   /* plain HB_REQ */
	CU_ASSERT_EQUAL(pump(x.cp, x.sp, &x.cp_addr, t, NULL, NULL), 1); /* -> challenge */
	CU_ASSERT_EQUAL(pump(x.sp, x.cp, &x.sp_addr, t, NULL, NULL), 1); /* answer at once */
	uftp_proxy_on_expiry(x.cp, t);
	CU_ASSERT_EQUAL(pump(x.cp, x.sp, &x.cp_addr, t, signed_req, &len), 1); /* signed */
	d = uftp_proxy_dest(x.sp);
	CU_ASSERT(uftp_peer_equal(&d, &x.cp_addr));
	pump(x.sp, x.cp, &x.sp_addr, t, NULL, NULL);

	/* the same signed heartbeat replayed from elsewhere: the nonce is spent */
	uftp_proxy_on_datagram(x.sp, &thief, signed_req, (size_t)len, t + SEC);
	d = uftp_proxy_dest(x.sp);
	CU_ASSERT(uftp_peer_equal(&d, &x.cp_addr));
	uftp_proxy_get_counters(x.sp, &st);
	CU_ASSERT_EQUAL(st.hb_rejected, 1);

	/* a proxy with the wrong key cannot take the tunnel over */
	x.ccfg.key = x.other;
	x.ccfg.hb[0] = x.sp_addr;
	t += 5 * SEC;
	uftp_proxy_on_expiry(x.cp, t);
	pump(x.cp, x.sp, &thief, t, NULL, NULL); /* challenged: thief is not the dest */
	pump(x.sp, x.cp, &x.sp_addr, t, NULL, NULL);
	uftp_proxy_on_expiry(x.cp, t);
	pump(x.cp, x.sp, &thief, t, NULL, NULL);
	d = uftp_proxy_dest(x.sp);
	CU_ASSERT(uftp_peer_equal(&d, &x.cp_addr));
	uftp_proxy_get_counters(x.sp, &st);
	CU_ASSERT_EQUAL(st.hb_rejected, 2);
	hb_free(&x);
}

/*
 * The send queue (core/outq.c): UFTP_PROXY_QUEUE datagrams wait, the next
 * one is refused and counted; a pop into a buffer too small drops that
 * datagram (counted) and the next one comes out whole.
 */
static void test_send_queue_limits(void)
{
	struct uftp_proxy_config c;
	struct uftp_proxy_stats st;
	struct uftp_proxy_group g;
	struct uftp_ipaddr other;
	struct uftp_proxy *p;
	struct uftp_peer srv = peer(198, 18, 0, 10, 34559), to;
	uint8_t in[2048], o[UFTP_PROXY_DGRAM_MAX];
	size_t n, i;
	int mc;

	memset(&c, 0, sizeof(c));
	c.mode = UFTP_PROXY_SERVER;
	c.uid = 0xC612000BU;
	c.dest = peer(198, 18, 1, 10, 1044);
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_new(&p, &env, &c, T0), 0);
	n = announce(in, sizeof(in));
	for (i = 0; i < UFTP_PROXY_QUEUE + 3; i++)
		uftp_proxy_on_datagram(p, &srv, in, n, T0);
	uftp_proxy_get_counters(p, &st);
	CU_ASSERT_EQUAL(st.fwd_down, UFTP_PROXY_QUEUE);
	CU_ASSERT_EQUAL(st.tx_dropped, 3);
	CU_ASSERT_EQUAL(uftp_proxy_pop_send(p, &to, &mc, o, n - 1, T0), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(uftp_proxy_pop_send(p, &to, &mc, o, sizeof(o), T0), (int)n);
	CU_ASSERT(memcmp(o, in, n) == 0);
	uftp_proxy_get_counters(p, &st);
	CU_ASSERT_EQUAL(st.tx_dropped, 4);
	CU_ASSERT_EQUAL(nout(p, T0), UFTP_PROXY_QUEUE - 2);
	CU_ASSERT_EQUAL(nout(p, T0), 0);
	/* the group the driver must hold, as its reconciliation checks it */
	CU_ASSERT_EQUAL_FATAL(uftp_proxy_groups(p, &g, 1), 1);
	other = g.addr;
	other.addr[3]++;
	CU_ASSERT(uftp_proxy_group_listed(&g, 1, &g.addr));
	CU_ASSERT(!uftp_proxy_group_listed(&g, 1, &other));
	uftp_proxy_free(p);
}

static const struct cutest tests[] = {
    CUTEST(test_send_queue_limits),
    CUTEST(test_new_invalid),
    CUTEST(test_server_proxy_forwarding),
    CUTEST(test_client_proxy_register_aggregation),
    CUTEST(test_client_proxy_status_complete),
    CUTEST(test_timeout_and_bad_input),
    CUTEST(test_server_and_client_lists),
    CUTEST(test_heartbeat_fp),
};

CUTEST_MAIN("proxy", tests)
