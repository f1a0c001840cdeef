/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender core driven by hand: a fake clock, files in memory, client
 * datagrams built with the codec; checks what the core writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/msg.h"
#include "core/quant.h"
#include "core/server.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"

#define CLIENT1 0x0A000001u
#define CLIENT2 0x0A000002u
#define GROUP   0x11223344u
#define SERVER  0x0A000064u
#define MS      UFTP_NS_PER_MSEC

struct fixture {
	struct testenv te;
	struct uftp_env env;
	struct uftp_server_config cfg;
	struct uftp_server_file files[3];
	struct testsrc src;
	struct uftp_server_file_ops fops;
	struct uftp_server *s;
	uint64_t now;
	uint8_t pkt[10000];
	int len;
	struct uftp_peer to;
	struct uftp_header h;
	struct uftp_msg m;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	testenv_init(&f->te, &f->env, 0, NULL, UFTP_LOG_DEBUG, "TEST_SERVER_LOG");
	f->src.files = f->files;
	f->src.nfiles = 2;
	f->fops = (struct uftp_server_file_ops)TESTSRC_FOPS(&f->src);
	f->files[0].name = "pattern.bin";
	f->files[0].ftype = UFTP_FTYPE_REG;
	f->files[0].size = 3000;
	f->files[0].mtime = 1577836800;
	f->files[1].name = "dir/link";
	f->files[1].link = "target";
	f->files[1].ftype = UFTP_FTYPE_LINK;
	f->cfg.server_id = SERVER;
	f->cfg.group_id = GROUP;
	f->cfg.pub_addr.family = 4;
	memcpy(f->cfg.pub_addr.addr, "\xe6\x04\x04\x01", 4);
	f->cfg.priv_addr.family = 4;
	memcpy(f->cfg.priv_addr.addr, "\xe6\x05\x05\x07", 4);
	f->cfg.port = 1044;
	f->cfg.block_size = 1300;
	f->cfg.robust = 20;
	f->cfg.wait_fileinfo = 1; /* the reference's flow; early data: test_early_* */
	f->cfg.rate_kbps = -1;
	f->cfg.grtt_init = 500 * MS;
	f->cfg.grtt_min = 10 * MS;
	f->cfg.grtt_max = 15000 * MS;
	f->cfg.max_nak_pct = 100;
	f->cfg.max_nak_count = 1;
	f->cfg.files = f->files;
	f->cfg.nfiles = 2;
	f->cfg.fops = &f->fops;
	f->now = 1000 * UFTP_NS_PER_SEC;
}

static void start(struct fixture *f)
{
	CU_ASSERT_EQUAL_FATAL(uftp_server_new(&f->s, &f->env, &f->cfg, f->now), 0);
}

/* Writes the next datagram due, advancing the clock to expiries (at most limit ns). */
static int next(struct fixture *f, uint64_t limit)
{
	uint64_t end = f->now + limit;

	for (;;) {
		uint64_t exp;

		uftp_server_on_expiry(f->s, f->now);
		f->len = uftp_server_pop_send(f->s, &f->to, f->pkt, sizeof(f->pkt), f->now);
		if (f->len != 0)
			break;
		exp = uftp_server_next_expiry(f->s);
		if (exp == UFTP_NEVER || exp > end)
			return 0;
		if (exp > f->now)
			f->now = exp;
	}
	CU_ASSERT_FATAL(f->len > 0);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(&f->h, f->pkt, (size_t)f->len), UFTP_HEADER_LEN);
	if (f->h.func == UFTP_MSG_ENCRYPTED)
		return f->h.func;
	CU_ASSERT_FATAL(uftp_decode_msg(&f->m, f->h.func, f->pkt + 16, (size_t)f->len - 16) > 0);
	return f->m.func;
}

/* Skips datagrams of type skip until another one comes. */
static int next_not(struct fixture *f, int skip, uint64_t limit)
{
	int t;

	do
		t = next(f, limit);
	while (t == skip);
	return t;
}

/* Inbound datagrams dropped for any reason (stats.h). */
static uint64_t dropped(const struct uftp_server *s)
{
	struct uftp_core_stats st;
	uint64_t n = 0;
	int r;

	uftp_server_get_stats(s, &st);
	for (r = 0; r < UFTP_DROP_NREASONS; r++)
		n += st.dropped[r];
	return n;
}

/* Returns uftp_server_on_datagram's verdict: 0 used, < 0 dropped. */
static int feed(struct fixture *f, uint32_t id, const uint8_t *body, size_t blen)
{
	struct uftp_header h = {0};
	struct uftp_peer from = {{4, {10, 0, 0, (uint8_t)id}}, 1044};
	uint8_t buf[2000];

	h.func = body[0];
	h.src_id = id;
	h.group_id = GROUP;
	CU_ASSERT_EQUAL_FATAL(uftp_encode_header(buf, sizeof(buf), &h), 16);
	memcpy(buf + 16, body, blen);
	return uftp_server_on_datagram(f->s, &from, buf, 16 + blen, f->now);
}

static int send_register(struct fixture *f, uint32_t id)
{
	static const uint8_t rnd[UFTP_RAND_LEN];
	struct uftp_register r = {0};
	uint8_t body[100];
	ssize_t n;

	r.tstamp_sec = 1700000000;
	r.rand = rnd;
	n = uftp_encode_register(body, sizeof(body), &r);
	CU_ASSERT_FATAL(n > 0);
	return feed(f, id, body, (size_t)n);
}

static void send_fileinfo_ack(struct fixture *f, uint32_t id, uint16_t file)
{
	struct uftp_fileinfo_ack a = {0};
	uint8_t body[64];
	ssize_t n;

	a.file_id = file;
	n = uftp_encode_fileinfo_ack(body, sizeof(body), &a);
	CU_ASSERT_FATAL(n > 0);
	feed(f, id, body, (size_t)n);
}

static void send_partial_ack(struct fixture *f, uint32_t id, uint16_t file)
{
	struct uftp_fileinfo_ack a = {0};
	uint8_t body[64];
	ssize_t n;

	a.file_id = file;
	a.flags = UFTP_FILEINFO_ACK_PARTIAL;
	n = uftp_encode_fileinfo_ack(body, sizeof(body), &a);
	CU_ASSERT_FATAL(n > 0);
	feed(f, id, body, (size_t)n);
}

static void send_complete(struct fixture *f, uint32_t id, uint16_t file)
{
	struct uftp_complete c = {0};
	uint8_t body[64];
	ssize_t n;

	c.file_id = file;
	n = uftp_encode_complete(body, sizeof(body), &c);
	CU_ASSERT_FATAL(n > 0);
	feed(f, id, body, (size_t)n);
}

static void send_status(struct fixture *f, uint32_t id, uint16_t file, uint8_t naks)
{
	struct uftp_status st = {0};
	uint8_t body[64];
	ssize_t n;

	st.file_id = file;
	st.naks = &naks;
	st.naks_len = 1;
	n = uftp_encode_status(body, sizeof(body), &st);
	CU_ASSERT_FATAL(n > 0);
	feed(f, id, body, (size_t)n);
}

static int lists(const struct uftp_idlist *l, uint32_t id)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (uftp_idlist_get(l, i) == id)
			return 1;
	return 0;
}

/* Registers CLIENT1 in an open group and runs the announce phase out. */
static void register_open(struct fixture *f)
{
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_EQUAL(f->to.ip.addr[0], 0xe6);
	CU_ASSERT_EQUAL(f->to.ip.addr[1], 0x04);
	CU_ASSERT_EQUAL(f->h.src_id, SERVER);
	CU_ASSERT_EQUAL(f->h.grtt, 0x9d); /* 0.5 s */
	CU_ASSERT_EQUAL(f->m.u.announce.block_size, 1300);
	CU_ASSERT_EQUAL(f->m.u.announce.ids.count, 0);
	f->now += MS;
	send_register(f, CLIENT1);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f->to.ip.addr[1], 0x05);
	CU_ASSERT(lists(&f->m.u.reg_conf.ids, CLIENT1));
	CU_ASSERT_EQUAL_FATAL(next_not(f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
}

static void test_open_session(void)
{
	struct fixture f;
	int i;

	setup(&f);
	start(&f);
	register_open(&f);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.file_id, 1);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.fsize, 3000);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ftstamp, 1577836800);
	CU_ASSERT(lists(&f.m.u.fileinfo.ids, CLIENT1));
	send_fileinfo_ack(&f, CLIENT1, 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
		CU_ASSERT_EQUAL(f.m.u.fileseg.block, i);
		CU_ASSERT_EQUAL(f.m.u.fileseg.data_len, i < 2 ? 1300u : 400u);
		CU_ASSERT_EQUAL(
		    testsrc_match(0, i * 1300, f.m.u.fileseg.data, f.m.u.fileseg.data_len),
		    f.m.u.fileseg.data_len);
	}
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT(lists(&f.m.u.done.ids, CLIENT1));
	send_complete(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ftype, UFTP_FTYPE_LINK);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.link_len, 6);
	send_complete(&f, CLIENT1, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	send_complete(&f, CLIENT1, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT(lists(&f.m.u.done_conf.ids, CLIENT1));
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_DONE);
	uftp_server_free(f.s);
}

/* What get_stats and the iterators report after test_nak_retransmit's exchange. */
static void check_stats_after_nak(struct fixture *f)
{
	struct uftp_core_stats st;
	struct uftp_session_stats ss;
	struct uftp_peer_stats ps;

	uftp_server_get_stats(f->s, &st);
	CU_ASSERT_EQUAL(st.role, UFTP_ROLE_SERVER);
	CU_ASSERT_EQUAL(st.sessions_active, 1);
	CU_ASSERT(st.rx_datagrams >= 3); /* REGISTER, FILEINFO_ACK, STATUS */
	CU_ASSERT(st.tx_datagrams >= 8); /* ANNOUNCE .. the second DONE */
	CU_ASSERT(st.tx_bytes > 3000);   /* the file went out once */
	CU_ASSERT_EQUAL_FATAL(uftp_server_session_stats(f->s, 0, &ss, f->now + UFTP_NS_PER_SEC), 1);
	CU_ASSERT_EQUAL(ss.group_id, GROUP);
	CU_ASSERT_STRING_EQUAL(ss.state, "data");
	CU_ASSERT_STRING_EQUAL(ss.file, "pattern.bin");
	CU_ASSERT_EQUAL(ss.file_bytes_total, 3000);
	CU_ASSERT_EQUAL(ss.file_bytes_done, 3000);
	CU_ASSERT_EQUAL(ss.files_total, 1);
	CU_ASSERT_EQUAL(ss.files_done, 0);
	CU_ASSERT_EQUAL(ss.pass, 2);
	CU_ASSERT_EQUAL(ss.data_sent, 4); /* 3 blocks, then block 1 again */
	CU_ASSERT_EQUAL(ss.data_resent, 1);
	CU_ASSERT_EQUAL(ss.naks, 1);
	CU_ASSERT_EQUAL(ss.npeers, 1);
	CU_ASSERT(ss.elapsed_ns >= UFTP_NS_PER_SEC);
	CU_ASSERT_EQUAL(uftp_server_session_stats(f->s, 1, &ss, f->now), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_server_peer_stats(f->s, 0, 0, &ps), 1);
	CU_ASSERT_EQUAL(ps.id, CLIENT1);
	CU_ASSERT_STRING_EQUAL(ps.state, "active");
	CU_ASSERT_EQUAL(ps.naks, 1);
	CU_ASSERT_EQUAL(uftp_server_peer_stats(f->s, 0, 1, &ps), 0);
}

static void test_nak_retransmit(void)
{
	struct fixture f;

	setup(&f);
	f.cfg.nfiles = 1;
	start(&f);
	register_open(&f);
	send_fileinfo_ack(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	send_status(&f, CLIENT1, 1, 0x02); /* block 1 missing */
	CU_ASSERT_EQUAL_FATAL(next(&f, UFTP_NS_PER_SEC), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0); /* "got your STATUS" */
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT(lists(&f.m.u.done.ids, CLIENT1));
	check_stats_after_nak(&f);
	uftp_server_free(f.s);
}

static void test_closed_group(void)
{
	struct uftp_peer_key hosts[2] = {{.id = CLIENT1}, {.id = CLIENT2}};
	struct fixture f;

	setup(&f);
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 2;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_EQUAL(f.m.u.announce.ids.count, 2);
	CU_ASSERT(send_register(&f, 0x0A000009) < 0); /* not invited */
	CU_ASSERT_EQUAL(send_register(&f, CLIENT1), 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 2 * UFTP_NS_PER_SEC), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_EQUAL(f.m.u.announce.ids.count, 1); /* only the silent one */
	CU_ASSERT(lists(&f.m.u.announce.ids, CLIENT2));
	send_register(&f, CLIENT2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO); /* everyone is in: no wait */
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 2);
	uftp_server_free(f.s);
}

/* A closed group too long for one ANNOUNCE is listed over several per round. */
static void test_closed_group_long_list(void)
{
	struct uftp_peer_key hosts[400];
	struct fixture f;
	size_t i, total = 0;
	int t;

	memset(hosts, 0, sizeof(hosts));
	for (i = 0; i < 400; i++)
		hosts[i].id = 0x0B000000u + (uint32_t)i;
	setup(&f);
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 400;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	total += f.m.u.announce.ids.count;
	CU_ASSERT(f.m.u.announce.ids.count < 400);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE); /* same round, no wait */
	total += f.m.u.announce.ids.count;
	CU_ASSERT_EQUAL(total, 400);
	CU_ASSERT(lists(&f.m.u.announce.ids, 0x0B000000u + 399));
	t = next(&f, 0);
	CU_ASSERT_EQUAL(t, 0); /* the round is over */
	uftp_server_free(f.s);
}

static void test_no_clients(void)
{
	struct fixture f;
	int n = 0;

	setup(&f);
	start(&f);
	while (next(&f, 60 * UFTP_NS_PER_SEC) == UFTP_MSG_ANNOUNCE)
		n++;
	CU_ASSERT_EQUAL(n, 20);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_NO_REGISTER);
	uftp_server_free(f.s);
}

static void test_pacing(void)
{
	struct fixture f;
	uint64_t t0;

	setup(&f);
	f.cfg.rate_kbps = 1000; /* 125 bytes per ms */
	f.cfg.nfiles = 1;
	start(&f);
	register_open(&f);
	send_fileinfo_ack(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	t0 = f.now;
	CU_ASSERT_EQUAL(uftp_server_pop_send(f.s, &f.to, f.pkt, sizeof(f.pkt), f.now), 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, UFTP_NS_PER_SEC), UFTP_MSG_FILESEG);
	CU_ASSERT(f.now - t0 >= 9 * MS && f.now - t0 <= 12 * MS);
	uftp_server_free(f.s);
}

static void test_silent_client_dropped(void)
{
	struct fixture f;
	struct uftp_server_event ev;
	int lost = 0;

	setup(&f);
	start(&f);
	register_open(&f);
	while (next(&f, 60 * UFTP_NS_PER_SEC) == UFTP_MSG_FILEINFO)
		;
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_NO_FILEINFO);
	while (uftp_server_pop_event(f.s, &ev))
		lost += ev.type == UFTP_SEV_CLIENT_LOST;
	CU_ASSERT_EQUAL(lost, 1);
	uftp_server_free(f.s);
}

static void test_client_abort(void)
{
	struct fixture f;
	struct uftp_abort a = {0};
	uint8_t body[UFTP_ABORT_LEN];
	ssize_t n;

	setup(&f);
	start(&f);
	register_open(&f);
	a.text = (const uint8_t *)"disk full";
	a.text_len = 9;
	n = uftp_encode_abort(body, sizeof(body), &a);
	CU_ASSERT_FATAL(n > 0);
	feed(&f, CLIENT1, body, (size_t)n);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_ALL_LOST);
	uftp_server_free(f.s);
}

static void test_garbage_dropped(void)
{
	static const uint8_t junk[] = {0x40, 0x02, 0,    1, 0, 0, 0, 1, 0x11,
	                               0x22, 0x33, 0x44, 0, 0, 0, 0, 2};
	struct uftp_peer from = {{4, {10, 0, 0, 1}}, 1044};
	struct fixture f;

	setup(&f);
	start(&f);
	CU_ASSERT(uftp_server_on_datagram(f.s, &from, junk, sizeof(junk), f.now) < 0);
	CU_ASSERT_EQUAL(uftp_server_on_datagram(f.s, &from, junk, 3, f.now), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(dropped(f.s), 2);
	uftp_server_free(f.s);
}

/* ---- an RSA-encrypted registration, the client side done by hand ------- */

struct enc_client {
	const struct uftp_crypto_ops *ops;
	int keytype, hashtype, keyex;
	struct uftp_pkey *lkey; /* long-term key for CLIENT_KEY, or NULL */
	uint8_t srand[UFTP_RAND_LEN], crand[UFTP_RAND_LEN], pm[UFTP_PREMASTER_LEN], gm[48];
	size_t pmlen;
	uint8_t blob[UFTP_MAX_BLOB_LEN];
	size_t bloblen;
	struct uftp_keys ck, gk;
	uint32_t id;             /* CLIENT1 unless a test says otherwise */
	const uint32_t *proxied; /* a proxy's REGISTER lists these */
	size_t nproxied;
};

/* ECDH: our ephemeral key goes in REGISTER, the premaster comes from the server's. */
static int ecdh_keyinfo(struct enc_client *c, const struct uftp_ext_enc_info *ei, uint8_t *ki,
                        size_t cap)
{
	struct uftp_pkey *sdh = NULL, *eph = NULL;
	struct uftp_keyblob kb;
	int kl;

	CU_ASSERT_FATAL(uftp_decode_keyblob(&kb, ei->dhkey, ei->dhkey_len) > 0);
	CU_ASSERT_FATAL(c->ops->blob_import(ei->dhkey, ei->dhkey_len, &sdh) > 0);
	CU_ASSERT_EQUAL_FATAL(c->ops->pkey_generate(UFTP_BLOB_EC, kb.curve, &eph), 0);
	CU_ASSERT_EQUAL(uftp_keysched_ecdh_premaster(c->ops, eph, sdh, c->pm), 0);
	c->pmlen = UFTP_ECDH_PREMASTER_LEN;
	kl = c->ops->blob_export(eph, ki, cap);
	c->ops->pkey_free(sdh);
	c->ops->pkey_free(eph);
	return kl;
}

static int rsa_keyinfo(struct enc_client *c, const struct uftp_ext_enc_info *ei, uint8_t *ki,
                       size_t cap)
{
	struct uftp_pkey *spub = NULL;
	int kl;

	CU_ASSERT_FATAL(c->ops->blob_import(ei->pubkey, ei->pubkey_len, &spub) > 0);
	c->ops->random(c->pm, sizeof(c->pm));
	c->pmlen = sizeof(c->pm);
	kl = c->ops->rsa_encrypt(spub, c->pm, sizeof(c->pm), ki, cap);
	c->ops->pkey_free(spub);
	return kl;
}

/* CLIENT_KEY: our long-term key and its signature over the handshake so far. */
static void send_client_key(struct fixture *f, struct enc_client *c)
{
	struct uftp_handshake hs = {
	    GROUP, f->cfg.priv_addr.addr, 4, c->srand, c->crand, c->pm, c->pmlen, NULL, 0, NULL};
	struct uftp_client_key ck = {0};
	uint8_t msg[256], sig[UFTP_MAX_SIG_LEN], body[1200];
	int n, sl;
	ssize_t len;

	n = c->ops->blob_export(c->lkey, c->blob, sizeof(c->blob));
	CU_ASSERT_FATAL(n > 0);
	c->bloblen = (size_t)n;
	n = uftp_keysched_client_key_msg(&hs, msg, sizeof(msg));
	CU_ASSERT_FATAL(n > 0);
	sl = c->ops->sign(c->lkey, c->hashtype, msg, (size_t)n, sig, sizeof(sig));
	CU_ASSERT_FATAL(sl > 0);
	ck.pubkey = c->blob;
	ck.pubkey_len = c->bloblen;
	ck.verify = sig;
	ck.verify_len = (size_t)sl;
	len = uftp_encode_client_key(body, sizeof(body), &ck);
	CU_ASSERT_FATAL(len > 0);
	feed(f, c->id, body, (size_t)len);
}

static void enc_register(struct fixture *f, struct enc_client *c)
{
	struct uftp_ext_enc_info ei;
	struct uftp_register r = {0};
	uint8_t body[400], ki[256], idbuf[64];
	int kl;
	ssize_t n;

	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_ANNOUNCE);
	CU_ASSERT_FATAL(
	    uftp_decode_ext_enc_info(&ei, f->m.u.announce.ext, f->m.u.announce.ext_len) > 0);
	CU_ASSERT_EQUAL(ei.keytype, c->keytype);
	CU_ASSERT_EQUAL(ei.keyextype, c->keyex);
	CU_ASSERT_EQUAL(ei.flags, c->lkey ? UFTP_ENC_INFO_CLIENT_AUTH : 0);
	memcpy(c->srand, ei.rand, UFTP_RAND_LEN);
	c->ops->random(c->crand, sizeof(c->crand));
	kl = c->keyex == UFTP_KEYEX_RSA ? rsa_keyinfo(c, &ei, ki, sizeof(ki))
	                                : ecdh_keyinfo(c, &ei, ki, sizeof(ki));
	CU_ASSERT_FATAL(kl > 0);
	r.rand = c->crand;
	r.keyinfo = ki;
	r.keyinfo_len = (size_t)kl;
	CU_ASSERT_FATAL(c->nproxied <= 16);
	uftp_idlist_pack(idbuf, sizeof(idbuf), c->proxied, c->nproxied);
	r.ids.ptr = idbuf;
	r.ids.count = c->nproxied;
	n = uftp_encode_register(body, sizeof(body), &r);
	CU_ASSERT_FATAL(n > 0);
	feed(f, c->id, body, (size_t)n);
	if (c->lkey)
		send_client_key(f, c);
}

static void enc_keyinfo_got(struct fixture *f, struct enc_client *c)
{
	uint8_t master[48];
	struct uftp_destkey dk;

	CU_ASSERT_EQUAL_FATAL(f->m.u.keyinfo.key_count, 1);
	dk = uftp_keyinfo_get(&f->m.u.keyinfo, 0);
	CU_ASSERT_EQUAL(dk.client_id, c->id);
	CU_ASSERT_EQUAL(
	    uftp_keysched_master(c->ops, c->hashtype, c->pm, c->pmlen, c->srand, c->crand, master),
	    0);
	CU_ASSERT_EQUAL(uftp_keysched_client_keys(c->ops, c->keytype, c->hashtype, master, c->srand,
	                                          c->crand, &c->ck),
	                0);
	CU_ASSERT_EQUAL_FATAL(uftp_keysched_keyinfo_unwrap(c->ops, &c->ck, SERVER,
	                                                   f->m.u.keyinfo.iv_ctr, dk.groupmaster,
	                                                   c->gm),
	                      0);
	CU_ASSERT_EQUAL(
	    uftp_keysched_group_keys(c->ops, c->keytype, c->hashtype, c->gm, c->srand, &c->gk), 0);
}

static void enc_ack(struct fixture *f, struct enc_client *c)
{
	struct uftp_handshake hs = {
	    GROUP, f->cfg.priv_addr.addr, 4, c->srand, c->crand, c->pm, c->pmlen, NULL, 0, c->gm};
	struct uftp_envelope env = {c->ops, UFTP_SIG_AUTHENC, &c->gk, NULL, NULL};
	struct uftp_keyinfo_ack ka = {0};
	struct uftp_header h = {UFTP_MSG_ENCRYPTED, 0, c->id, GROUP, 0, 0, 0};
	struct uftp_peer from = {{4, {10, 0, 0, (uint8_t)c->id}}, 1044};
	uint8_t verify[12], body[64], hdr[16], pkt[200];
	ssize_t n;
	int len;

	if (c->lkey) {
		hs.client_key_blob = c->blob;
		hs.client_key_blob_len = c->bloblen;
	}
	CU_ASSERT_EQUAL(uftp_keysched_verify_data(c->ops, c->hashtype, &hs, verify), 0);
	ka.verify = verify;
	n = uftp_encode_keyinfo_ack(body, sizeof(body), &ka);
	CU_ASSERT_FATAL(n > 0);
	uftp_encode_header(hdr, sizeof(hdr), &h);
	len = uftp_envelope_seal(&env, hdr, 1, body, (size_t)n, pkt, sizeof(pkt));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(uftp_server_on_datagram(f->s, &from, pkt, (size_t)len, f->now), 0);
}

/* Sends body[0..n) from client c sealed with IV counter ctr. */
static int enc_send(struct fixture *f, struct enc_client *c, const uint8_t *body, size_t n,
                    uint64_t ctr)
{
	struct uftp_envelope env = {c->ops, UFTP_SIG_AUTHENC, &c->gk, NULL, NULL};
	struct uftp_header h = {UFTP_MSG_ENCRYPTED, 0, c->id, GROUP, 0, 0, 0};
	struct uftp_peer from = {{4, {10, 0, 0, (uint8_t)c->id}}, 1044};
	uint8_t hdr[16], pkt[200];
	int len;

	uftp_encode_header(hdr, sizeof(hdr), &h);
	len = uftp_envelope_seal(&env, hdr, ctr, body, n, pkt, sizeof(pkt));
	CU_ASSERT_FATAL(len > 0);
	return uftp_server_on_datagram(f->s, &from, pkt, (size_t)len, f->now);
}

/* Runs registration with an encrypted server; returns the first FILEINFO's counter (0: none). */
static uint64_t enc_session(struct enc_client *c, int skeytype, int param, int client_auth,
                            const uint8_t *fp)
{
	struct uftp_peer_key hosts[1] = {{.id = CLIENT1}};
	struct uftp_pkey *skey = NULL;
	struct uftp_envelope env;
	struct fixture f;
	uint8_t plain[2000];
	uint64_t ctr = 0;

	CU_ASSERT_EQUAL_FATAL(c->ops->pkey_generate(skeytype, param, &skey), 0);
	setup(&f);
	f.env.crypto = c->ops;
	f.cfg.keytype = c->keytype;
	f.cfg.hashtype = c->hashtype;
	f.cfg.keyextype = c->keyex;
	f.cfg.curve = UFTP_CURVE_SECP256R1;
	f.cfg.client_auth = client_auth;
	f.cfg.server_key = skey;
	if (fp) {
		hosts[0].has_fp = 1;
		memcpy(hosts[0].fp, fp, UFTP_FP_LEN);
	}
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 1;
	start(&f);
	enc_register(&f, c);
	if (next(&f, 0) == UFTP_MSG_KEYINFO) {
		enc_keyinfo_got(&f, c);
		enc_ack(&f, c);
		CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ENCRYPTED);
		env = (struct uftp_envelope){c->ops, UFTP_SIG_AUTHENC, &c->gk, NULL, NULL};
		CU_ASSERT_FATAL(
		    uftp_envelope_open(&env, f.pkt, (size_t)f.len, &ctr, plain, sizeof(plain)) > 0);
		CU_ASSERT_EQUAL(plain[0], UFTP_MSG_FILEINFO);
		if (c->keytype == UFTP_KEY_AES256_GCM) {
			/* a client's encrypted reply counts once: replays are dropped */
			struct uftp_fileinfo_ack fa = {.file_id = 1};
			uint8_t body[64];
			ssize_t n = uftp_encode_fileinfo_ack(body, sizeof(body), &fa);
			uint64_t d0 = dropped(f.s);

			CU_ASSERT_FATAL(n > 0);
			CU_ASSERT_EQUAL(enc_send(&f, c, body, (size_t)n, 2), 0);
			CU_ASSERT_EQUAL(dropped(f.s), d0);
			CU_ASSERT(enc_send(&f, c, body, (size_t)n, 2) < 0);
			CU_ASSERT_EQUAL(dropped(f.s), d0 + 1);
			/* the KEYINFO_ACK's counter */
			CU_ASSERT(enc_send(&f, c, body, (size_t)n, 1) < 0);
			CU_ASSERT_EQUAL(dropped(f.s), d0 + 2);
			CU_ASSERT_EQUAL(enc_send(&f, c, body, (size_t)n, 3), 0);
			CU_ASSERT_EQUAL(dropped(f.s), d0 + 2);
		}
	}
	uftp_server_free(f.s);
	c->ops->pkey_free(skey);
	return ctr;
}

static void enc_init(struct enc_client *c, int keytype, int hashtype, int keyex)
{
	memset(c, 0, sizeof(*c));
	c->ops = uftp_ossl_ops();
	c->keytype = keytype;
	c->hashtype = hashtype;
	c->keyex = keyex;
	c->id = CLIENT1;
}

static void test_encrypted_rsa_gcm(void)
{
	struct enc_client c;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	enc_init(&c, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, UFTP_KEYEX_RSA);
	CU_ASSERT_EQUAL(enc_session(&c, UFTP_BLOB_RSA, 1024, 0, NULL), 2); /* KEYINFO took 1 */
}

/* ECDH with ECDSA signatures, client authentication and a fingerprint check. */
static void test_encrypted_ecdh_client_auth(void)
{
	uint8_t fp[UFTP_FP_LEN], h[UFTP_MAX_HASH_LEN], blob[UFTP_MAX_BLOB_LEN];
	struct enc_client c;
	int n;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	enc_init(&c, UFTP_KEY_AES128_GCM, UFTP_HASH_SHA384, UFTP_KEYEX_ECDH_ECDSA);
	CU_ASSERT_EQUAL_FATAL(c.ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &c.lkey), 0);
	n = c.ops->blob_export(c.lkey, blob, sizeof(blob));
	CU_ASSERT_FATAL(n > 0);
	c.ops->hash(UFTP_HASH_SHA1, blob, (size_t)n, h);
	memcpy(fp, h, sizeof(fp));
	CU_ASSERT_EQUAL(enc_session(&c, UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, 1, fp), 2);
	fp[0] ^= 1; /* a wrong fingerprint: no KEYINFO */
	c.ops->pkey_free(c.lkey);
	enc_init(&c, UFTP_KEY_AES128_GCM, UFTP_HASH_SHA384, UFTP_KEYEX_ECDH_ECDSA);
	CU_ASSERT_EQUAL_FATAL(c.ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &c.lkey), 0);
	CU_ASSERT_EQUAL(enc_session(&c, UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, 1, fp), 0);
	c.ops->pkey_free(c.lkey);
}

static ssize_t zero_read(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	(void)arg;
	(void)idx;
	(void)off;
	memset(buf, 0, len);
	return (ssize_t)len;
}

/*
 * Sections as the reference lays them out (seen in a 30 MB capture):
 * 23077 blocks of 1300 need 3 sections of at most 10400; the first takes
 * the remainder: 7693, 7692, 7692 blocks.
 */
static void test_section_layout(void)
{
	struct fixture f;
	uint8_t naks = 0x01;
	struct uftp_status st = {0};
	uint8_t body[64];
	uint32_t count = 0;
	ssize_t n;
	int t;

	setup(&f);
	f.files[0].size = 30000000;
	f.fops.read_at = zero_read;
	f.cfg.nfiles = 1;
	start(&f);
	register_open(&f);
	send_fileinfo_ack(&f, CLIENT1, 1);
	for (;;) {
		t = next(&f, 0);
		if (t != UFTP_MSG_FILESEG)
			break;
		if (count == 7692)
			CU_ASSERT(f.m.u.fileseg.section == 0 && f.m.u.fileseg.block == 7692);
		if (count == 7693)
			CU_ASSERT(f.m.u.fileseg.section == 1 && f.m.u.fileseg.block == 0);
		if (count == 23076)
			CU_ASSERT(f.m.u.fileseg.section == 2 && f.m.u.fileseg.block == 7691);
		count++;
	}
	CU_ASSERT_EQUAL(count, 23077);
	CU_ASSERT_EQUAL_FATAL(t, UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.section, 2); /* the last section */
	st.file_id = 1;
	st.section = 2;
	st.naks = &naks;
	st.naks_len = 1;
	n = uftp_encode_status(body, sizeof(body), &st);
	CU_ASSERT_FATAL(n > 0);
	feed(&f, CLIENT1, body, (size_t)n);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_DONE, UFTP_NS_PER_SEC), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.section, 2);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	uftp_server_free(f.s);
}

/* -q: one receiver going silent ends the session for all, with an ABORT. */
static void test_quit_on_error(void)
{
	struct fixture f;

	setup(&f);
	f.cfg.quit_on_error = 1;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	send_register(&f, CLIENT1);
	send_register(&f, CLIENT2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 2);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
	send_fileinfo_ack(&f, CLIENT1, 1); /* CLIENT2 stays silent */
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILEINFO, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_ABORT);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_ALL_LOST);
	uftp_server_free(f.s);
}

/*
 * A restarted group (-F): the next instance in every header, and a client
 * that acks PARTIAL gets no first pass, only the blocks it NAKs.
 */
static void test_restart_partial(void)
{
	struct fixture f;

	setup(&f);
	f.cfg.nfiles = 1;
	f.cfg.group_inst = 1;
	start(&f);
	register_open(&f);
	CU_ASSERT_EQUAL(f.h.group_inst, 1);
	send_partial_ack(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE); /* no FILESEG before it */
	CU_ASSERT(lists(&f.m.u.done.ids, CLIENT1));
	CU_ASSERT_EQUAL(f.h.group_inst, 1);
	send_status(&f, CLIENT1, 1, 0x04); /* only block 2 missing */
	CU_ASSERT_EQUAL_FATAL(next(&f, UFTP_NS_PER_SEC), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL(f.m.u.fileseg.data_len, 400);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	send_complete(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	send_complete(&f, CLIENT1, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, NULL, 0), 0);
	uftp_server_free(f.s);
}

/* One client resumes, the other starts afresh: the first pass is sent whole. */
static void test_partial_mixed(void)
{
	struct uftp_peer_key hosts[2] = {{.id = CLIENT1}, {.id = CLIENT2}};
	struct fixture f;

	setup(&f);
	f.cfg.nfiles = 1;
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 2;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	send_register(&f, CLIENT1);
	send_register(&f, CLIENT2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	send_partial_ack(&f, CLIENT1, 1);
	send_fileinfo_ack(&f, CLIENT2, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	uftp_server_free(f.s);
}

/* The clients a restart file lists: silent members, then those that left. */
static void test_failed_clients(void)
{
	struct uftp_peer_key hosts[2] = {{.id = CLIENT1}, {.id = CLIENT2}};
	struct fixture f;
	struct uftp_abort a = {0};
	uint8_t body[UFTP_ABORT_LEN];
	uint32_t ids[4] = {0};
	ssize_t n;

	setup(&f); /* closed group: CLIENT2 never answers, CLIENT1 gets it all */
	f.cfg.nfiles = 1;
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 2;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	send_register(&f, CLIENT1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
	send_complete(&f, CLIENT1, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	send_complete(&f, CLIENT1, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, ids, 4), 1);
	CU_ASSERT_EQUAL(ids[0], CLIENT2);
	uftp_server_free(f.s);

	setup(&f); /* open group: CLIENT1 aborts */
	start(&f);
	register_open(&f);
	a.text = (const uint8_t *)"shutting down";
	a.text_len = 13;
	n = uftp_encode_abort(body, sizeof(body), &a);
	CU_ASSERT_FATAL(n > 0);
	feed(&f, CLIENT1, body, (size_t)n);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, NULL, 0), 1); /* counts without storing */
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, ids, 1), 1);
	CU_ASSERT_EQUAL(ids[0], CLIENT1);
	uftp_server_free(f.s);
}

/* ---- clients behind a proxy -------------------------------------------- */

#define PROXY   0x0A000050u
#define CLIENT3 0x0A000003u

/* A reply from the proxy for the clients in ids (REGISTER, FILEINFO_ACK, COMPLETE). */
static void proxy_reply(struct fixture *f, int func, uint16_t file, const uint32_t *ids, size_t n)
{
	static const uint8_t rnd[UFTP_RAND_LEN];
	uint8_t body[1500], idbuf[1400];
	struct uftp_msg m;
	ssize_t len;

	memset(&m, 0, sizeof(m));
	m.func = (uint8_t)func;
	CU_ASSERT_FATAL(uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n) == (ssize_t)(4 * n));
	switch (func) {
	case UFTP_MSG_REGISTER:
		m.u.reg.tstamp_sec = 1700000000;
		m.u.reg.rand = rnd;
		m.u.reg.ids = (struct uftp_idlist){idbuf, n};
		break;
	case UFTP_MSG_FILEINFO_ACK:
		m.u.fileinfo_ack.file_id = file;
		m.u.fileinfo_ack.ids = (struct uftp_idlist){idbuf, n};
		break;
	default:
		m.u.complete.file_id = file;
		m.u.complete.ids = (struct uftp_idlist){idbuf, n};
		break;
	}
	len = uftp_encode_msg(body, sizeof(body), &m);
	CU_ASSERT_FATAL(len > 0);
	feed(f, PROXY, body, (size_t)len);
}

static void proxy_abort(struct fixture *f, uint32_t host)
{
	struct uftp_abort a = {0};
	uint8_t body[UFTP_ABORT_LEN];
	ssize_t n;

	a.host = host;
	a.text = (const uint8_t *)"gone";
	a.text_len = 4;
	n = uftp_encode_abort(body, sizeof(body), &a);
	CU_ASSERT_FATAL(n > 0);
	feed(f, PROXY, body, (size_t)n);
}

/* Counts the events of a type for id (0: any). */
static int events(struct fixture *f, int type, uint32_t id)
{
	struct uftp_server_event ev;
	int n = 0;

	while (uftp_server_pop_event(f->s, &ev))
		n += ev.type == type && (id == 0 || ev.client_id == id);
	return n;
}

/*
 * A proxy registers CLIENT1 and CLIENT2 (as the reference, REG_CONF names
 * the proxy too); CLIENT3 registers directly.  Only the three clients are
 * receivers: FILEINFO and DONE_CONF leave the proxy out, DONE names it.
 */
static void proxy_session_start(struct fixture *f)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2};

	start(f);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_ANNOUNCE);
	f->now += MS;
	proxy_reply(f, UFTP_MSG_REGISTER, 0, two, 2);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f->m.u.reg_conf.ids.count, 3);
	CU_ASSERT(lists(&f->m.u.reg_conf.ids, PROXY));
	CU_ASSERT(lists(&f->m.u.reg_conf.ids, CLIENT1));
	CU_ASSERT(lists(&f->m.u.reg_conf.ids, CLIENT2));
	send_register(f, CLIENT3);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f->m.u.reg_conf.ids.count, 1);
	CU_ASSERT_EQUAL(events(f, UFTP_SEV_REGISTERED, 0), 3); /* not the proxy */
	CU_ASSERT_EQUAL_FATAL(next_not(f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f->h.gsize, uftp_gsize_quantize(3));
	CU_ASSERT_EQUAL(f->m.u.fileinfo.ids.count, 3);
	CU_ASSERT(!lists(&f->m.u.fileinfo.ids, PROXY));
}

static void test_proxy_session(void)
{
	static const uint32_t one[] = {CLIENT1}, two[] = {CLIENT2, CLIENT1},
	                      stranger[] = {CLIENT3, 0x0A000009u};
	struct fixture f;
	uint32_t ids[4];

	setup(&f);
	proxy_session_start(&f);
	send_fileinfo_ack(&f, CLIENT3, 1);
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 1, one, 1);
	CU_ASSERT_EQUAL(next(&f, 0), 0); /* CLIENT2 has not answered */
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 1, two, 2);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 4);
	CU_ASSERT(lists(&f.m.u.done.ids, PROXY));
	/* the proxy's STATUS: the union of its clients' NAKs */
	send_status(&f, PROXY, 1, 0x04);
	CU_ASSERT_EQUAL_FATAL(next(&f, UFTP_NS_PER_SEC), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	/* the proxy cannot speak for a client it did not register */
	proxy_reply(&f, UFTP_MSG_COMPLETE, 1, stranger, 2);
	send_complete(&f, CLIENT3, 1);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 1, two, 2);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_FILE_CLIENT, 0), 3);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.file_id, 2);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 2, two, 2);
	send_complete(&f, CLIENT3, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	CU_ASSERT(lists(&f.m.u.done.ids, PROXY));
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 4);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 0, one, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT_EQUAL(f.m.u.done_conf.ids.count, 1);
	CU_ASSERT(lists(&f.m.u.done_conf.ids, CLIENT1));
	CU_ASSERT(!uftp_server_finished(f.s));
	proxy_reply(&f, UFTP_MSG_COMPLETE, 0, two, 2);
	send_complete(&f, CLIENT3, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT(!lists(&f.m.u.done_conf.ids, PROXY));
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_DONE);
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, ids, 4), 0);
	uftp_server_free(f.s);
}

/* A proxy that missed its REG_CONF registers again: it gets one more, for its clients too. */
static void test_proxy_register_again(void)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2}, more[] = {CLIENT1, CLIENT2, CLIENT3};
	struct fixture f;

	setup(&f);
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	proxy_reply(&f, UFTP_MSG_REGISTER, 0, two, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(next(&f, 0), 0);
	proxy_reply(&f, UFTP_MSG_REGISTER, 0, more, 3); /* one more client meanwhile */
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 4);
	CU_ASSERT(lists(&f.m.u.reg_conf.ids, CLIENT3));
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_REGISTERED, 0), 3); /* each once */
	CU_ASSERT(send_register(&f, CLIENT1) < 0); /* a proxy's client, straight from elsewhere */
	CU_ASSERT_EQUAL(dropped(f.s), 1);
	uftp_server_free(f.s);
}

/* A proxy's lists may be longer than 256 IDs: every client listed counts. */
static void test_proxy_many_clients(void)
{
	uint32_t ids[300];
	struct fixture f;
	size_t i;

	for (i = 0; i < 300; i++)
		ids[i] = 0x0C000000u + (uint32_t)i;
	setup(&f);
	f.cfg.nfiles = 1;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	proxy_reply(&f, UFTP_MSG_REGISTER, 0, ids, 300);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF); /* 256 IDs a message */
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 256);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 45);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_REGISTERED, 0), 300);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 256);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 44);
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 1, ids, 300);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 1, ids, 300);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_FILE_CLIENT, 0), 300);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 0, ids, 300);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT_EQUAL(f.m.u.done_conf.ids.count, 256);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT_EQUAL(f.m.u.done_conf.ids.count, 44);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_DONE);
	uftp_server_free(f.s);
}

/* A silent proxy loses its clients (and only them); its ABORT names one client or all. */
static void test_proxy_abort_and_silence(void)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2};
	struct fixture f;
	uint32_t ids[4] = {0};

	setup(&f);
	f.cfg.nfiles = 1;
	proxy_session_start(&f);
	proxy_abort(&f, CLIENT2);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_CLIENT_ABORT, CLIENT2), 1);
	CU_ASSERT(!uftp_server_finished(f.s));
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 1, two, 2);
	send_fileinfo_ack(&f, CLIENT3, 1);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 3); /* CLIENT3, the proxy, CLIENT1 */
	proxy_abort(&f, 0);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_CLIENT_ABORT, CLIENT1), 1);
	CU_ASSERT(!uftp_server_finished(f.s)); /* CLIENT3 goes on */
	send_complete(&f, CLIENT3, 1);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 1);
	send_complete(&f, CLIENT3, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_failed(f.s, ids, 4), 2);
	CU_ASSERT(ids[0] != PROXY && ids[1] != PROXY);
	uftp_server_free(f.s);

	setup(&f); /* the proxy goes silent during FILEINFO: its clients are dropped */
	f.cfg.nfiles = 1;
	f.cfg.robust = 3;
	proxy_session_start(&f);
	send_fileinfo_ack(&f, CLIENT3, 1);
	while (next(&f, 60 * UFTP_NS_PER_SEC) == UFTP_MSG_FILEINFO)
		;
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_CLIENT_LOST, 0), 2);
	CU_ASSERT_EQUAL(f.m.func, UFTP_MSG_FILESEG);
	uftp_server_free(f.s);
}

/* Three files for the early data tests: pattern.bin, second.bin (both 3000 bytes), dir/link. */
static void early_setup(struct fixture *f)
{
	setup(f);
	f->cfg.wait_fileinfo = 0;
	f->files[2] = f->files[1];
	f->files[1] = f->files[0];
	f->files[1].name = "second.bin";
	f->cfg.nfiles = f->src.nfiles = 3;
}

/*
 * The first file waits for the FILEINFO_ACKs even with early data (the
 * reference's uftpd takes a DONE before its first FILEINFO for the end of
 * the session); once answered, the first FILEINFO of the second file is
 * in f->m.
 */
static void first_file_waits(struct fixture *f, const uint32_t *ids, size_t n)
{
	size_t i;

	CU_ASSERT_EQUAL(f->m.u.fileinfo.file_id, 1);
	CU_ASSERT_EQUAL(next(f, 0), 0);
	for (i = 0; i < n; i++)
		send_fileinfo_ack(f, ids[i], 1);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL_FATAL(next_not(f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	for (i = 0; i < n; i++)
		send_complete(f, ids[i], 1);
	CU_ASSERT_EQUAL_FATAL(next(f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f->m.u.fileinfo.file_id, 2);
}

/*
 * Early data (the default): from the second file on, a regular file's
 * FILESEGs and DONE follow its FILEINFO at once, the DONE listing the
 * client that has not answered yet; a link waits for its COMPLETE (no
 * data, no early DONE).
 */
static void test_early_data(void)
{
	static const uint32_t one[] = {CLIENT1};
	struct fixture f;
	int i;

	early_setup(&f);
	start(&f);
	register_open(&f);
	first_file_waits(&f, one, 1);
	for (i = 0; i < 3; i++) { /* no FILEINFO_ACK yet, no time passes */
		CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
		CU_ASSERT_EQUAL(f.m.u.fileseg.file_id, 2);
		CU_ASSERT_EQUAL(f.m.u.fileseg.block, i);
	}
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 2);
	CU_ASSERT(lists(&f.m.u.done.ids, CLIENT1));
	send_fileinfo_ack(&f, CLIENT1, 2); /* late, harmless */
	CU_ASSERT_EQUAL(next(&f, 0), 0);
	send_complete(&f, CLIENT1, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ftype, UFTP_FTYPE_LINK);
	CU_ASSERT_EQUAL(next(&f, 0), 0); /* a link: its COMPLETE first */
	send_complete(&f, CLIENT1, 3);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	send_complete(&f, CLIENT1, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE_CONF);
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_DONE);
	uftp_server_free(f.s);
}

/*
 * Early data to a client that missed the FILEINFO: at the DONE timer the
 * FILEINFO goes again, listing only it, just before the DONE; its answer
 * and STATUS then bring the blocks it NAKs.  The other client is not asked
 * again.
 */
static void test_early_fileinfo_lost(void)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2};
	struct fixture f;

	early_setup(&f);
	f.cfg.nfiles = 2;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	send_register(&f, CLIENT1);
	send_register(&f, CLIENT2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_FILEINFO);
	first_file_waits(&f, two, 2);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 2);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 2);
	send_fileinfo_ack(&f, CLIENT1, 2); /* CLIENT2 lost the FILEINFO */
	send_status(&f, CLIENT1, 2, 0x00);
	CU_ASSERT_EQUAL_FATAL(next(&f, 60 * UFTP_NS_PER_SEC), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.file_id, 2);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 1);
	CU_ASSERT(lists(&f.m.u.fileinfo.ids, CLIENT2));
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT(lists(&f.m.u.done.ids, CLIENT2));
	send_fileinfo_ack(&f, CLIENT2, 2);
	send_status(&f, CLIENT2, 2, 0x07); /* everything */
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_DONE, UFTP_NS_PER_SEC), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	CU_ASSERT_EQUAL(f.m.u.fileseg.block, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	send_complete(&f, CLIENT1, 2);
	send_complete(&f, CLIENT2, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_DONE);
	CU_ASSERT_EQUAL(f.m.u.done.file_id, 0);
	CU_ASSERT_EQUAL(f.m.u.done.ids.count, 2);
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_CLIENT_LOST, 0), 0);
	uftp_server_free(f.s);
}

/*
 * Early data to a client that stops answering: the FILEINFO again before
 * each DONE of the -s rounds, then it is dropped as silent to the FILEINFO.
 */
static void test_early_silent(void)
{
	static const uint32_t one[] = {CLIENT1};
	struct fixture f;
	struct uftp_server_event ev;
	int lost = 0, fileinfos = 0, func;

	early_setup(&f);
	f.cfg.robust = 3;
	start(&f);
	register_open(&f);
	first_file_waits(&f, one, 1);
	while ((func = next(&f, 60 * UFTP_NS_PER_SEC)) != 0)
		fileinfos += func == UFTP_MSG_FILEINFO;
	CU_ASSERT_EQUAL(fileinfos, 2); /* again before the 2nd and 3rd DONE */
	CU_ASSERT(uftp_server_finished(f.s));
	CU_ASSERT_EQUAL(uftp_server_outcome(f.s), UFTP_SERVER_ALL_LOST);
	while (uftp_server_pop_event(f.s, &ev))
		if (ev.type == UFTP_SEV_CLIENT_LOST) {
			lost++;
			CU_ASSERT_STRING_EQUAL(ev.text, "no response to FILEINFO");
		}
	CU_ASSERT_EQUAL(lost, 1);
	uftp_server_free(f.s);
}

/* A sync session (-z) keeps the wait: the answer decides what is sent. */
static void test_early_not_in_sync(void)
{
	static const uint32_t one[] = {CLIENT1};
	struct fixture f;

	early_setup(&f);
	f.cfg.sync_mode = 1;
	start(&f);
	register_open(&f);
	first_file_waits(&f, one, 1);
	CU_ASSERT_EQUAL(next(&f, 0), 0);
	send_fileinfo_ack(&f, CLIENT1, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	uftp_server_free(f.s);
}

/* No early data to clients behind a proxy: the reference's client proxy needs the data after its
 * FILEINFO_ACK. */
static void test_early_not_via_proxy(void)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2};
	struct fixture f;

	early_setup(&f);
	f.cfg.nfiles = 2;
	proxy_session_start(&f);
	send_fileinfo_ack(&f, CLIENT3, 1);
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 1, two, 2);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_FILESEG, 0), UFTP_MSG_DONE);
	send_complete(&f, CLIENT3, 1);
	proxy_reply(&f, UFTP_MSG_COMPLETE, 1, two, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO);
	CU_ASSERT_EQUAL(f.m.u.fileinfo.file_id, 2);
	CU_ASSERT_EQUAL(next(&f, 0), 0); /* waits for the answers */
	send_fileinfo_ack(&f, CLIENT3, 2);
	proxy_reply(&f, UFTP_MSG_FILEINFO_ACK, 2, two, 2);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILESEG);
	uftp_server_free(f.s);
}

/* A closed group takes a proxy only from its proxy list, and of its clients only members. */
static void test_proxy_closed_group(void)
{
	static const uint32_t three[] = {CLIENT1, CLIENT3, CLIENT2};
	struct uftp_peer_key hosts[2] = {{.id = CLIENT1}, {.id = CLIENT2}};
	struct uftp_peer_key proxies[1] = {{.id = PROXY}};
	struct fixture f;

	setup(&f);
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 2;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	proxy_reply(&f, UFTP_MSG_REGISTER, 0, three, 3); /* no proxy list: refused */
	CU_ASSERT_EQUAL(next(&f, 0), 0);
	uftp_server_free(f.s);

	setup(&f);
	f.cfg.hosts = hosts;
	f.cfg.nhosts = 2;
	f.cfg.proxies = proxies;
	f.cfg.nproxies = 1;
	start(&f);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ANNOUNCE);
	proxy_reply(&f, UFTP_MSG_REGISTER, 0, three, 3);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 3);
	CU_ASSERT(!lists(&f.m.u.reg_conf.ids, CLIENT3));
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_FILEINFO); /* every member is in */
	CU_ASSERT_EQUAL(f.m.u.fileinfo.ids.count, 2);
	uftp_server_free(f.s);
}

/*
 * Encrypted: the proxy alone does the key exchange (KEYINFO names only it);
 * once it acknowledged its keys, a REG_CONF lets its clients in, and its
 * encrypted FILEINFO_ACK speaks for them.
 */
static void test_proxy_encrypted(void)
{
	static const uint32_t two[] = {CLIENT1, CLIENT2};
	struct uftp_pkey *skey = NULL;
	struct uftp_envelope env;
	struct enc_client c;
	struct fixture f;
	struct uftp_fileinfo_ack fa = {0};
	struct uftp_header h = {UFTP_MSG_ENCRYPTED, 0, PROXY, GROUP, 0, 0, 0};
	struct uftp_peer from = {{4, {10, 0, 0, (uint8_t)PROXY}}, 1044};
	uint8_t idbuf[8], body[64], hdr[16], pkt[300], plain[2000];
	uint64_t ctr;
	ssize_t n;
	int len;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	enc_init(&c, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, UFTP_KEYEX_ECDH_ECDSA);
	c.id = PROXY;
	c.proxied = two;
	c.nproxied = 2;
	CU_ASSERT_EQUAL_FATAL(c.ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &skey), 0);
	setup(&f);
	f.cfg.nfiles = 1;
	f.env.crypto = c.ops;
	f.cfg.keytype = c.keytype;
	f.cfg.hashtype = c.hashtype;
	f.cfg.keyextype = c.keyex;
	f.cfg.curve = UFTP_CURVE_SECP256R1;
	f.cfg.server_key = skey;
	start(&f);
	enc_register(&f, &c);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_KEYINFO);
	enc_keyinfo_got(&f, &c);         /* one key: the proxy's */
	CU_ASSERT_EQUAL(next(&f, 0), 0); /* no REG_CONF before the ack */
	enc_ack(&f, &c);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_REG_CONF);
	CU_ASSERT_EQUAL(f.m.u.reg_conf.ids.count, 2);
	CU_ASSERT(lists(&f.m.u.reg_conf.ids, CLIENT1));
	CU_ASSERT(lists(&f.m.u.reg_conf.ids, CLIENT2));
	CU_ASSERT_EQUAL(events(&f, UFTP_SEV_REGISTERED, 0), 2);
	CU_ASSERT_EQUAL_FATAL(next_not(&f, UFTP_MSG_ANNOUNCE, 60 * UFTP_NS_PER_SEC),
	                      UFTP_MSG_ENCRYPTED);
	env = (struct uftp_envelope){c.ops, UFTP_SIG_AUTHENC, &c.gk, NULL, NULL};
	CU_ASSERT_FATAL(uftp_envelope_open(&env, f.pkt, (size_t)f.len, &ctr, plain, sizeof(plain)) >
	                0);
	CU_ASSERT_EQUAL(plain[0], UFTP_MSG_FILEINFO);
	uftp_idlist_pack(idbuf, sizeof(idbuf), two, 2);
	fa.file_id = 1;
	fa.ids = (struct uftp_idlist){idbuf, 2};
	n = uftp_encode_fileinfo_ack(body, sizeof(body), &fa);
	CU_ASSERT_FATAL(n > 0);
	uftp_encode_header(hdr, sizeof(hdr), &h);
	len = uftp_envelope_seal(&env, hdr, 2, body, (size_t)n, pkt, sizeof(pkt));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(uftp_server_on_datagram(f.s, &from, pkt, (size_t)len, f.now), 0);
	CU_ASSERT_EQUAL_FATAL(next(&f, 0), UFTP_MSG_ENCRYPTED);
	CU_ASSERT_FATAL(uftp_envelope_open(&env, f.pkt, (size_t)f.len, &ctr, plain, sizeof(plain)) >
	                0);
	CU_ASSERT_EQUAL(plain[0], UFTP_MSG_FILESEG); /* both clients acknowledged */
	uftp_server_free(f.s);
	c.ops->pkey_free(skey);
}

/* Section numbers are 16 bits: a file past 65536 sections is refused before the session. */
static void test_refuses_too_many_sections(void)
{
	struct fixture f;
	struct uftp_server *s = NULL;

	setup(&f);
	f.cfg.block_size = 512;
	f.files[0].size = 65536ULL * 8 * 512 * 512 + 1;
	CU_ASSERT_EQUAL(uftp_server_new(&s, &f.env, &f.cfg, f.now), UFTP_ERR_TOOBIG);
	CU_ASSERT_PTR_NULL(s);
	f.files[0].size--; /* exactly 65536 full sections */
	CU_ASSERT_EQUAL(uftp_server_new(&s, &f.env, &f.cfg, f.now), 0);
	uftp_server_free(s);
}

static const struct cutest tests[] = {
    CUTEST(test_open_session),
    CUTEST(test_refuses_too_many_sections),
    CUTEST(test_nak_retransmit),
    CUTEST(test_closed_group),
    CUTEST(test_no_clients),
    CUTEST(test_pacing),
    CUTEST(test_silent_client_dropped),
    CUTEST(test_client_abort),
    CUTEST(test_garbage_dropped),
    CUTEST(test_encrypted_rsa_gcm),
    CUTEST(test_encrypted_ecdh_client_auth),
    CUTEST(test_section_layout),
    CUTEST(test_quit_on_error),
    CUTEST(test_closed_group_long_list),
    CUTEST(test_restart_partial),
    CUTEST(test_partial_mixed),
    CUTEST(test_failed_clients),
    CUTEST(test_proxy_session),
    CUTEST(test_early_data),
    CUTEST(test_early_fileinfo_lost),
    CUTEST(test_early_silent),
    CUTEST(test_early_not_in_sync),
    CUTEST(test_early_not_via_proxy),
    CUTEST(test_proxy_abort_and_silence),
    CUTEST(test_proxy_closed_group),
    CUTEST(test_proxy_encrypted),
    CUTEST(test_proxy_many_clients),
    CUTEST(test_proxy_register_again),
};

CUTEST_MAIN("server", tests)
