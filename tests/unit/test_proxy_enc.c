/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An encrypted session through the client proxy, in process: a server side
 * built from the key schedule (ECDH_ECDSA, AES-256-GCM, SHA-256), the proxy
 * core in client mode, and the real client core (core/client.h) behind it.
 * Checks each step the proxy owns: the ANNOUNCE re-keyed and re-signed for
 * its clients, its own key exchange and KEYINFO_ACK upstream, the KEYINFO it
 * gives its client after REG_CONF, and an encrypted reply aggregated and
 * sealed again under its ID.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/client.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/proxy.h"
#include "core/quant.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"

#define MSEC  UFTP_NS_PER_MSEC
#define SEC   UFTP_NS_PER_SEC
#define SRVID 0xC612000AU
#define PXID  0xC612010AU
#define CLID  0xC612010BU
#define GROUP 0x0BADCAFEU

static const struct uftp_crypto_ops *ops;
static const uint8_t PRIV[4] = {230, 5, 5, 9};

static struct testenv tenv = {.rng = 1};
static struct uftp_env env = TESTENV_ENV(&tenv, -1);

/* The server side. */
struct srv {
	struct uftp_pkey *key, *dh;
	uint8_t srand[UFTP_RAND_LEN], gm[UFTP_MASTER_LEN];
	struct uftp_keys gk;
	uint8_t grtt;
	uint64_t ctr;
};

static uint8_t pkt[UFTP_PROXY_DGRAM_MAX], outbuf[UFTP_PROXY_DGRAM_MAX];
static int ssm; /* 1: the ANNOUNCE names source-specific groups (232/8), as -S requires */

static size_t build(uint32_t src, uint8_t grtt, const struct uftp_msg *m, uint8_t *buf)
{
	struct uftp_header h = {m->func, 0, src, GROUP, 0, grtt, 0};
	ssize_t n;

	uftp_encode_header(buf, UFTP_PROXY_DGRAM_MAX, &h);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, UFTP_PROXY_DGRAM_MAX - UFTP_HEADER_LEN, m);
	CU_ASSERT_FATAL(n > 0);
	return UFTP_HEADER_LEN + (size_t)n;
}

static size_t srv_announce(struct srv *sv)
{
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
	struct uftp_ext_enc_info ei = {0};
	struct uftp_pkey_info info;
	uint8_t ext[1024], blob[300], dhblob[300], zero[UFTP_MAX_SIG_LEN] = {0};
	uint8_t sig[UFTP_MAX_SIG_LEN];
	size_t n, off;
	ssize_t e;

	CU_ASSERT_EQUAL_FATAL(ops->pkey_info(sv->key, &info), 0);
	ei.keyextype = UFTP_KEYEX_ECDH_ECDSA, ei.sigtype = UFTP_SIG_AUTHENC;
	ei.keytype = UFTP_KEY_AES256_GCM, ei.hashtype = UFTP_HASH_SHA256;
	ei.rand = sv->srand;
	ei.pubkey = blob, ei.pubkey_len = (size_t)ops->blob_export(sv->key, blob, sizeof(blob));
	ei.dhkey = dhblob, ei.dhkey_len = (size_t)ops->blob_export(sv->dh, dhblob, sizeof(dhblob));
	ei.sig = zero, ei.sig_len = info.sig_len;
	e = uftp_encode_ext_enc_info(ext, sizeof(ext), &ei);
	CU_ASSERT_FATAL(e > 0);
	m.u.announce.robust = 5;
	m.u.announce.block_size = 1300;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {ssm ? 232 : 230, 4, 4, 1}};
	m.u.announce.priv_addr = (struct uftp_ipaddr){4, {ssm ? 232 : 230, 5, 5, 9}};
	m.u.announce.ext = ext, m.u.announce.ext_len = (size_t)e;
	n = build(SRVID, sv->grtt, &m, pkt);
	off = UFTP_HEADER_LEN + UFTP_ANNOUNCE_LEN + 8 + UFTP_EXT_ENC_INFO_LEN + ei.pubkey_len +
	      ei.dhkey_len;
	CU_ASSERT_EQUAL_FATAL(ops->sign(sv->key, UFTP_HASH_SHA256, pkt, n, sig, sizeof(sig)),
	                      (int)info.sig_len);
	memcpy(pkt + off, sig, info.sig_len);
	return n;
}

/* An ENCRYPTED server message around m, sealed with the group keys. */
static size_t srv_sealed(struct srv *sv, const struct uftp_msg *m)
{
	struct uftp_envelope v = {ops, UFTP_SIG_AUTHENC, &sv->gk, NULL, NULL};
	struct uftp_header h = {UFTP_MSG_ENCRYPTED, 0, SRVID, GROUP, 0, sv->grtt, 0};
	uint8_t plain[2048], hdr[UFTP_HEADER_LEN];
	ssize_t n = uftp_encode_msg(plain, sizeof(plain), m);
	int len;

	CU_ASSERT_FATAL(n > 0);
	uftp_encode_header(hdr, sizeof(hdr), &h);
	len = uftp_envelope_seal(&v, hdr, ++sv->ctr, plain, (size_t)n, pkt, sizeof(pkt));
	CU_ASSERT_FATAL(len > 0);
	return (size_t)len;
}

/* Opens an ENCRYPTED datagram with the group keys into *m (views into a static buffer). */
static void srv_open(struct srv *sv, const uint8_t *buf, int len, struct uftp_header *h,
                     struct uftp_msg *m)
{
	static uint8_t plain[2048];
	struct uftp_envelope v = {ops, UFTP_SIG_AUTHENC, &sv->gk, NULL, NULL};
	uint64_t ctr;
	int n, func;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(h, buf, (size_t)len), UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL_FATAL(h->func, UFTP_MSG_ENCRYPTED);
	n = uftp_envelope_open(&v, buf, (size_t)len, &ctr, plain, sizeof(plain));
	CU_ASSERT_FATAL(n > 0);
	func = uftp_msg_func(plain, (size_t)n);
	CU_ASSERT_FATAL(func > 0);
	CU_ASSERT_FATAL(uftp_decode_msg(m, (uint8_t)func, plain, (size_t)n) > 0);
}

static int decode(const uint8_t *buf, int len, struct uftp_header *h, struct uftp_msg *m)
{
	CU_ASSERT_FATAL(len > UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(h, buf, (size_t)len), UFTP_HEADER_LEN);
	CU_ASSERT_FATAL(
	    uftp_decode_msg(m, h->func, buf + UFTP_HEADER_LEN, (size_t)len - UFTP_HEADER_LEN) > 0);
	return m->func;
}

/* ---- the client's files: only a directory is sent ------------------------- */

static struct testfs fs;
static const struct uftp_client_fops fops = TESTFS_FOPS(&fs);

/* ---- the test -------------------------------------------------------------- */

struct world {
	struct srv sv;
	struct uftp_pkey *pkey, *ckey;
	struct uftp_proxy_config pcfg;
	struct uftp_proxy *px;
	struct uftp_client_config ccfg;
	struct uftp_client *cl;
};

static const struct uftp_peer spx = {{4, {198, 18, 0, 11}}, 1044};
static const struct uftp_peer cpx = {{4, {198, 18, 1, 10}}, 1044};
static const struct uftp_peer cla = {{4, {198, 18, 1, 11}}, 1044};

static int setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return -1;
	ops = env.crypto = uftp_ossl_ops();
	if (ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &w->sv.key) < 0 ||
	    ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &w->sv.dh) < 0 ||
	    ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &w->pkey) < 0 ||
	    ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &w->ckey) < 0)
		return -1;
	memset(w->sv.srand, 0x5a, sizeof(w->sv.srand));
	memset(w->sv.gm, 0x33, sizeof(w->sv.gm));
	w->sv.gm[0] = UFTP_VERSION;
	w->sv.grtt = uftp_grtt_quantize(50 * MSEC);
	w->pcfg.mode = UFTP_PROXY_CLIENT;
	w->pcfg.uid = PXID;
	w->pcfg.client_port = 1044;
	w->pcfg.key = w->pcfg.keys[0] = w->pkey;
	w->pcfg.nkeys = 1;
	if (uftp_proxy_new(&w->px, &env, &w->pcfg, SEC) < 0)
		return -1;
	w->ccfg.uid = CLID;
	w->ccfg.roots[0] = "/r";
	w->ccfg.nroots = 1;
	w->ccfg.keys[0] = w->ckey;
	w->ccfg.nkeys = 1;
	w->ccfg.fops = &fops;
	return uftp_client_new(&w->cl, &env, &w->ccfg, 0);
}

static void teardown(struct world *w)
{
	uftp_client_free(w->cl);
	uftp_proxy_free(w->px);
	if (ops) {
		ops->pkey_free(w->sv.key);
		ops->pkey_free(w->sv.dh);
		ops->pkey_free(w->pkey);
		ops->pkey_free(w->ckey);
	}
	env.crypto = NULL;
	testfs_reset(&fs);
}

static int px_out(struct world *w, struct uftp_peer *to, uint64_t now)
{
	int mc;

	return uftp_proxy_pop_send(w->px, to, &mc, outbuf, sizeof(outbuf), now);
}

/* The ANNOUNCE the clients get: our keys, our signature, the server's random. */
static void check_rekeyed_announce(struct world *w, int len)
{
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_ext e;
	struct uftp_ext_enc_info ei;
	uint8_t blob[300], copy[2048];
	int bl = ops->blob_export(w->pkey, blob, sizeof(blob));

	CU_ASSERT_EQUAL_FATAL(decode(outbuf, len, &h, &m), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_EQUAL(h.src_id, SRVID);
	CU_ASSERT_EQUAL_FATAL(
	    uftp_ext_find(m.u.announce.ext, m.u.announce.ext_len, UFTP_EXT_ENC_INFO, &e), 1);
	CU_ASSERT_FATAL(uftp_decode_ext_enc_info(&ei, e.ptr, e.len) > 0);
	CU_ASSERT_EQUAL_FATAL(ei.pubkey_len, (size_t)bl);
	CU_ASSERT(memcmp(ei.pubkey, blob, (size_t)bl) == 0);
	CU_ASSERT(memcmp(ei.rand, w->sv.srand, UFTP_RAND_LEN) == 0);
	memcpy(copy, outbuf, (size_t)len);
	memset(copy + (ei.sig - outbuf), 0, ei.sig_len);
	CU_ASSERT_EQUAL(
	    ops->verify(w->pkey, UFTP_HASH_SHA256, copy, (size_t)len, ei.sig, ei.sig_len), 0);
}

/* The proxy's REGISTER: our client listed, its ECDH key; returns the proxy's client keys. */
static void check_register(struct world *w, int len, struct uftp_keys *ck, uint8_t *crand,
                           uint8_t *pm)
{
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_pkey *peer = NULL;
	uint8_t master[UFTP_MASTER_LEN];

	CU_ASSERT_EQUAL_FATAL(decode(outbuf, len, &h, &m), UFTP_MSG_REGISTER);
	CU_ASSERT_EQUAL(h.src_id, PXID);
	CU_ASSERT_EQUAL_FATAL(m.u.reg.ids.count, 1);
	CU_ASSERT_EQUAL(uftp_idlist_get(&m.u.reg.ids, 0), CLID);
	memcpy(crand, m.u.reg.rand, UFTP_RAND_LEN);
	CU_ASSERT_FATAL(ops->blob_import(m.u.reg.keyinfo, m.u.reg.keyinfo_len, &peer) > 0);
	CU_ASSERT_EQUAL_FATAL(uftp_keysched_ecdh_premaster(ops, w->sv.dh, peer, pm), 0);
	ops->pkey_free(peer);
	uftp_keysched_master(ops, UFTP_HASH_SHA256, pm, UFTP_ECDH_PREMASTER_LEN, w->sv.srand, crand,
	                     master);
	uftp_keysched_client_keys(ops, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, master, w->sv.srand,
	                          crand, ck);
}

static void server_keyinfo(struct world *w, const struct uftp_keys *ck, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_KEYINFO};
	uint8_t dk[UFTP_DESTKEY_LEN];
	size_t n;

	put_u32be(dk, PXID);
	CU_ASSERT_EQUAL(uftp_keysched_keyinfo_wrap(ops, ck, SRVID, 1, w->sv.gm, dk + 4), 0);
	m.u.keyinfo.iv_ctr = 1, m.u.keyinfo.keys = dk, m.u.keyinfo.key_count = 1;
	n = build(SRVID, w->sv.grtt, &m, pkt);
	uftp_proxy_on_datagram(w->px, &spx, pkt, n, now);
	uftp_keysched_group_keys(ops, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, w->sv.gm, w->sv.srand,
	                         &w->sv.gk);
	w->sv.ctr = 1;
}

static void check_keyinfo_ack(struct world *w, int len, const uint8_t *crand, const uint8_t *pm)
{
	struct uftp_handshake hs = {
	    GROUP, PRIV, 4, w->sv.srand, crand, pm, UFTP_ECDH_PREMASTER_LEN, NULL, 0, w->sv.gm};
	uint8_t verify[UFTP_VERIFY_LEN];
	struct uftp_header h;
	struct uftp_msg m;

	srv_open(&w->sv, outbuf, len, &h, &m);
	CU_ASSERT_EQUAL_FATAL(m.func, UFTP_MSG_KEYINFO_ACK);
	CU_ASSERT_EQUAL(h.src_id, PXID);
	uftp_keysched_verify_data(ops, UFTP_HASH_SHA256, &hs, verify);
	CU_ASSERT(memcmp(m.u.keyinfo_ack.verify, verify, UFTP_VERIFY_LEN) == 0);
}

/* Everything the client core sends goes to the proxy (from the client's address). */
static int client_to_proxy(struct world *w, uint64_t now)
{
	struct uftp_peer to;
	int n, k = 0;

	while ((n = uftp_client_pop_send(w->cl, &to, outbuf, sizeof(outbuf), now)) > 0) {
		CU_ASSERT(uftp_peer_equal(&to, &cpx));
		uftp_proxy_on_datagram(w->px, &cla, outbuf, (size_t)n, now);
		k++;
	}
	return k;
}

static void test_encrypted_through_client_proxy(void)
{
	struct world w;
	struct uftp_peer to;
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_client_event ev;
	struct uftp_keys ck;
	struct uftp_proxy_stats st;
	uint8_t crand[UFTP_RAND_LEN], pm[UFTP_ECDH_PREMASTER_LEN], idb[4];
	uint64_t t = 2 * SEC;
	size_t n;
	int len, connected = 0;

	if (setup(&w) < 0) {
		CU_FAIL("crypto set-up");
		teardown(&w);
		return;
	}
	/* ANNOUNCE: re-keyed for the client, which registers with the proxy */
	n = srv_announce(&w.sv);
	uftp_proxy_on_datagram(w.px, &spx, pkt, n, t);
	len = px_out(&w, &to, t);
	CU_ASSERT_FATAL(len > 0);
	check_rekeyed_announce(&w, len);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(w.cl, &cpx, outbuf, (size_t)len, t), 0);
	CU_ASSERT(client_to_proxy(&w, t) >= 1);
	CU_ASSERT_EQUAL(px_out(&w, &to, t), 0); /* held one GRTT */
	t = uftp_proxy_next_expiry(w.px);
	uftp_proxy_on_expiry(w.px, t);
	len = px_out(&w, &to, t);
	CU_ASSERT(uftp_peer_equal(&to, &spx));
	check_register(&w, len, &ck, crand, pm);

	/* the group key for the proxy; its KEYINFO_ACK */
	server_keyinfo(&w, &ck, t);
	len = px_out(&w, &to, t);
	CU_ASSERT_FATAL(len > 0);
	check_keyinfo_ack(&w, len, crand, pm);

	/* REG_CONF: the proxy's own KEYINFO, in the server's name, to the client */
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_REG_CONF;
	put_u32be(idb, CLID);
	m.u.reg_conf.ids.ptr = idb, m.u.reg_conf.ids.count = 1;
	n = build(SRVID, w.sv.grtt, &m, pkt);
	uftp_proxy_on_datagram(w.px, &spx, pkt, n, t);
	len = px_out(&w, &to, t);
	CU_ASSERT_EQUAL_FATAL(decode(outbuf, len, &h, &m), UFTP_MSG_KEYINFO);
	CU_ASSERT_EQUAL(h.src_id, SRVID);
	CU_ASSERT(memcmp(to.ip.addr, PRIV, 4) == 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(w.cl, &cpx, outbuf, (size_t)len, t), 0);
	while (uftp_client_pop_event(w.cl, &ev))
		connected |= ev.type == UFTP_CEV_CONNECT;
	CU_ASSERT(connected);
	CU_ASSERT_EQUAL(client_to_proxy(&w, t), 1); /* its KEYINFO_ACK, checked by the proxy */
	CU_ASSERT_EQUAL(px_out(&w, &to, t), 0);

	/* an encrypted FILEINFO passes unchanged; the reply comes back under the proxy's ID */
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_FILEINFO;
	m.u.fileinfo.file_id = 1;
	m.u.fileinfo.ftype = UFTP_FTYPE_DIR;
	m.u.fileinfo.name = (const uint8_t *)"dir", m.u.fileinfo.name_len = 3;
	m.u.fileinfo.ids.ptr = idb, m.u.fileinfo.ids.count = 1;
	n = srv_sealed(&w.sv, &m);
	uftp_proxy_on_datagram(w.px, &spx, pkt, n, t);
	len = px_out(&w, &to, t);
	CU_ASSERT_EQUAL_FATAL(len, (int)n);
	CU_ASSERT(memcmp(outbuf, pkt, n) == 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(w.cl, &cpx, outbuf, (size_t)len, t), 0);
	CU_ASSERT(testfs_find(&fs, 0, "dir") && testfs_find(&fs, 0, "dir")->type == UFTP_FTYPE_DIR);
	CU_ASSERT_EQUAL(client_to_proxy(&w, t), 1);
	t = uftp_proxy_next_expiry(w.px);
	uftp_proxy_on_expiry(w.px, t);
	len = px_out(&w, &to, t);
	CU_ASSERT_FATAL(len > 0);
	srv_open(&w.sv, outbuf, len, &h, &m);
	CU_ASSERT_EQUAL(h.src_id, PXID);
	CU_ASSERT_FATAL(m.func == UFTP_MSG_COMPLETE || m.func == UFTP_MSG_FILEINFO_ACK);
	if (m.func == UFTP_MSG_COMPLETE)
		CU_ASSERT(uftp_idlist_has(&m.u.complete.ids, CLID));
	uftp_proxy_get_counters(w.px, &st);
	CU_ASSERT_EQUAL(st.rx_dropped, 0);
	teardown(&w);
}

/*
 * -S with the server key's fingerprint: the proxy computes it with the key
 * schedule's function (no callback from the driver) and takes the session;
 * with another fingerprint it refuses the ANNOUNCE.
 */
static void test_server_list_fingerprint(void)
{
	struct uftp_peer_key srv = {.id = SRVID, .has_fp = 1};
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_peer to;
	struct world w;
	uint8_t blob[300];
	int bl, len, wrong;
	size_t n;

	for (wrong = 0; wrong < 2; wrong++) {
		if (setup(&w) < 0) {
			CU_FAIL("crypto set-up");
			teardown(&w);
			return;
		}
		bl = ops->blob_export(w.sv.key, blob, sizeof(blob));
		CU_ASSERT_FATAL(bl > 0);
		CU_ASSERT_EQUAL_FATAL(uftp_key_fingerprint(ops, blob, (size_t)bl, srv.fp), 0);
		srv.fp[UFTP_FP_LEN - 1] ^= (uint8_t)wrong;
		srv.addr = spx.ip;
		w.pcfg.servers = &srv, w.pcfg.nservers = 1; /* borrowed: the proxy sees it */
		ssm = 1;
		n = srv_announce(&w.sv);
		ssm = 0;
		uftp_proxy_on_datagram(w.px, &spx, pkt, n, 2 * SEC);
		len = px_out(&w, &to, 2 * SEC);
		if (wrong) {
			CU_ASSERT_EQUAL(len, 0);
		} else {
			CU_ASSERT_FATAL(len > 0);
			CU_ASSERT_EQUAL(decode(outbuf, len, &h, &m), UFTP_MSG_ANNOUNCE);
		}
		teardown(&w);
	}
}

static const struct cutest tests[] = {
    CUTEST(test_encrypted_through_client_proxy),
    CUTEST(test_server_list_fingerprint),
};

CUTEST_MAIN("proxy_enc", tests)
