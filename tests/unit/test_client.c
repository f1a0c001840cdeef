/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core (core/client.h) driven by scripted server datagrams built with
 * the codec, a fake clock and an in-memory file table: REGISTER timing,
 * STATUS bitmaps, rejected names, stray ABORTs, session end, an encrypted
 * handshake against a server side built from the key schedule.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/client.h"
#include "core/client_int.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/quant.h"
#include "crypto/keyfile.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/unit/cutest.h"
#include "uftpd/member.h"

#define SEC      UFTP_NS_PER_SEC
#define MSEC     UFTP_NS_PER_MSEC
#define UID      0xC612000BU
#define SRV      0xC612000AU
#define GROUP    0x11223344U
#define BLOCK    1300
#define MAXFILES 16

/* ---- in-memory files and environment (tests/common/testenv.h) ------------ */

static struct testfs fs = {.nroots = 2};
static struct uftp_client_fops fops = TESTFS_FOPS(&fs);
static struct testenv tenv = {.rng = 12345};
static struct uftp_env env = TESTENV_ENV(&tenv, 3);

static int temp_dir_mode;
static struct uftp_pkey *test_key;         /* the client's -k key, if any */
static const struct uftp_peer *test_proxy; /* -R */
static const struct uftp_peer *test_hb;    /* -H (one proxy), -h 3 */

static struct uftp_client *client(size_t max_sessions)
{
	struct uftp_client_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.uid = UID;
	cfg.roots[0] = "/dst";
	cfg.roots[1] = "/other";
	cfg.nroots = 2;
	cfg.max_sessions = max_sessions;
	cfg.temp_dir = temp_dir_mode;
	if (test_proxy)
		cfg.resp_proxy = *test_proxy;
	if (test_hb) {
		cfg.hb[0] = *test_hb;
		cfg.nhb = 1;
		cfg.hb_interval = 3 * SEC;
	}
	cfg.keys[0] = test_key;
	cfg.nkeys = test_key ? 1 : 0;
	cfg.fops = &fops;
	testfs_reset(&fs);
	{
		struct uftp_client *c = NULL;

		CU_ASSERT_EQUAL(uftp_client_new(&c, &env, &cfg, 0), 0);
		return c;
	}
}

/* ---- scripted server ------------------------------------------------------ */

static const struct uftp_peer server = {{4, {198, 18, 0, 10}}, 1045};
static const struct uftp_peer stranger = {{4, {198, 18, 0, 99}}, 1045};

static uint8_t pkt[65536];

static size_t build(uint32_t src, uint32_t group, const struct uftp_msg *m, uint8_t grtt)
{
	struct uftp_header h = {m->func, 0, src, group, 0, grtt, 0x18};
	ssize_t n;

	uftp_encode_header(pkt, sizeof(pkt), &h);
	n = uftp_encode_msg(pkt + UFTP_HEADER_LEN, sizeof(pkt) - UFTP_HEADER_LEN, m);
	CU_ASSERT_FATAL(n > 0);
	return (size_t)n + UFTP_HEADER_LEN;
}

/* An ENCRYPTED datagram from the server carrying m, IV counter ctr, in sealed[]. */
static uint8_t sealed[65536];
static size_t sealed_len;

static int seal_to(const struct uftp_envelope *envl, const struct uftp_msg *m, uint64_t ctr)
{
	struct uftp_msg e = {.func = UFTP_MSG_ENCRYPTED};
	uint8_t body[9000];
	ssize_t n;
	int rv;

	build(SRV, GROUP, &e, 0x6a); /* only the header is used */
	n = uftp_encode_msg(body, sizeof(body), m);
	if (n < 0)
		return -1;
	rv = uftp_envelope_seal(envl, pkt, ctr, body, (size_t)n, sealed, sizeof(sealed));
	sealed_len = rv > 0 ? (size_t)rv : 0;
	return rv;
}

/* 0x9d = 0.5 s (the initial GRTT), 0x6a ~ 10 ms. */
static int feed_from(struct uftp_client *c, const struct uftp_peer *from, uint32_t src,
                     const struct uftp_msg *m, uint64_t now)
{
	size_t n = build(src, GROUP, m, 0x6a);

	return uftp_client_on_datagram(c, from, pkt, n, now);
}

static int feed(struct uftp_client *c, const struct uftp_msg *m, uint64_t now)
{
	return feed_from(c, &server, SRV, m, now);
}

static uint8_t ids_buf[64];

static struct uftp_idlist us(void)
{
	struct uftp_idlist l = {ids_buf, 1};

	put_u32be(ids_buf, UID);
	return l;
}

static uint8_t announce_flags; /* UFTP_ANNOUNCE_SYNC_* for the next announce() */

static void announce(struct uftp_client *c, int closed_with_us, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
	uint32_t other = 0xC612000C;

	m.u.announce.flags = announce_flags;
	m.u.announce.robust = 20;
	m.u.announce.block_size = BLOCK;
	m.u.announce.tstamp_sec = 1000;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	m.u.announce.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 1}};
	if (closed_with_us >= 0) {
		m.u.announce.ids.ptr = ids_buf;
		m.u.announce.ids.count = 1;
		put_u32be(ids_buf, closed_with_us ? UID : other);
	}
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, pkt, build(SRV, GROUP, &m, 0x9d), now),
	                0);
}

/* Pops the next datagram we send; returns its decoded function, 0 if none. */
static struct uftp_msg out;
static uint8_t outbuf[65536];
static size_t outlen;

static int next_out(struct uftp_client *c, uint64_t now)
{
	struct uftp_peer to;
	struct uftp_header h;
	int n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), now);

	if (n <= 0)
		return 0;
	outlen = (size_t)n;
	CU_ASSERT(uftp_peer_equal(&to, &server));
	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(&h, outbuf, (size_t)n), UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL(h.src_id, UID);
	CU_ASSERT_EQUAL(h.group_id, GROUP);
	if (h.func == UFTP_MSG_ENCRYPTED)
		return UFTP_MSG_ENCRYPTED;
	CU_ASSERT_FATAL(uftp_decode_msg(&out, outbuf[UFTP_HEADER_LEN], outbuf + UFTP_HEADER_LEN,
	                                (size_t)n - UFTP_HEADER_LEN) > 0);
	return out.func;
}

static int count_events(struct uftp_client *c, int type)
{
	struct uftp_client_event ev;
	int n = 0;

	while (uftp_client_pop_event(c, &ev))
		n += ev.type == type;
	return n;
}

static void registered(struct uftp_client *c, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_REG_CONF};

	announce(c, -1, now);
	CU_ASSERT_EQUAL(next_out(c, now), UFTP_MSG_REGISTER);
	m.u.reg_conf.ids = us();
	CU_ASSERT_EQUAL(feed(c, &m, now + MSEC), 0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_CONNECT), 1);
}

static void fileinfo(struct uftp_client *c, uint16_t id, int type, const char *name, uint64_t size,
                     uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_FILEINFO};

	m.u.fileinfo.file_id = id;
	m.u.fileinfo.ftype = (uint8_t)type;
	m.u.fileinfo.name = (const uint8_t *)name;
	m.u.fileinfo.name_len = strlen(name);
	if (type == UFTP_FTYPE_LINK)
		m.u.fileinfo.link = (const uint8_t *)"target", m.u.fileinfo.link_len = 6;
	m.u.fileinfo.fsize = size;
	m.u.fileinfo.ftstamp = 1600000000;
	m.u.fileinfo.ids = us();
	CU_ASSERT_EQUAL(feed(c, &m, now), 0);
}

static void fileseg(struct uftp_client *c, uint16_t id, uint16_t sec, uint16_t blk, size_t len,
                    uint64_t now)
{
	static uint8_t data[BLOCK];
	struct uftp_msg m = {.func = UFTP_MSG_FILESEG};

	memset(data, blk + 1, sizeof(data));
	m.u.fileseg.file_id = id;
	m.u.fileseg.section = sec;
	m.u.fileseg.block = blk;
	m.u.fileseg.data = data;
	m.u.fileseg.data_len = len;
	CU_ASSERT_EQUAL(feed(c, &m, now), 0);
}

static void done(struct uftp_client *c, uint16_t id, uint16_t sec, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_DONE};

	m.u.done.file_id = id;
	m.u.done.section = sec;
	m.u.done.ids = us();
	CU_ASSERT_EQUAL(feed(c, &m, now), 0);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_register_timing(void)
{
	struct uftp_client *c = client(0);
	uint64_t t0 = 10 * SEC, grtt = uftp_grtt_unquantize(0x9d), t;
	int sent = 0;

	CU_ASSERT_FATAL(c != NULL);
	announce(c, -1, t0);
	CU_ASSERT_EQUAL(next_out(c, t0), UFTP_MSG_REGISTER);
	CU_ASSERT_EQUAL(out.u.reg.tstamp_sec, 1000);
	{ /* the driver is to join the private group */
		struct uftp_ipaddr g[2];
		CU_ASSERT_EQUAL_FATAL(uftp_client_groups(c, g, 2), 1);
		CU_ASSERT(memcmp(g[0].addr, (uint8_t[]){230, 5, 5, 1}, 4) == 0);
	}
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), t0 + 4 * grtt);
	/* a repeated ANNOUNCE does not trigger an early REGISTER */
	announce(c, -1, t0 + grtt);
	CU_ASSERT_EQUAL(next_out(c, t0 + grtt), 0);
	for (t = t0; t < t0 + 4 * 20 * grtt; t = uftp_client_next_expiry(c)) {
		uftp_client_on_expiry(c, t);
		while (next_out(c, t) == UFTP_MSG_REGISTER)
			sent++;
		if (!uftp_client_session_count(c))
			break;
	}
	/* resends every 4 GRTT until 4 x ROBUST x GRTT: 19 after the first */
	CU_ASSERT_EQUAL(sent, 19);
	uftp_client_on_expiry(c, t0 + 4 * 20 * grtt);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_ABORTED), 1);
	CU_ASSERT_EQUAL(uftp_client_groups(c, NULL, 0), 0);
	uftp_client_free(c);
}

static void test_closed_group(void)
{
	struct uftp_client *c = client(0);

	announce(c, 0, SEC);
	CU_ASSERT_EQUAL(next_out(c, SEC), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	announce(c, 1, SEC);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_REGISTER);
	uftp_client_free(c);
}

/* 3 blocks, the middle one lost: STATUS bitmap 0x02 (LSB first, 3/8+1 = 1 byte). */
static void test_status_bitmap(void)
{
	struct uftp_client *c = client(0);
	uint64_t t = SEC, grtt = uftp_grtt_unquantize(0x6a);
	struct testfs_file *f;

	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "a/b.bin", 3000, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	CU_ASSERT_EQUAL(out.u.fileinfo_ack.file_id, 1);
	fileseg(c, 1, 0, 0, BLOCK, t);
	fileseg(c, 1, 0, 2, 400, t);
	done(c, 1, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), 0); /* STATUS waits one GRTT */
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), t + grtt);
	uftp_client_on_expiry(c, t + grtt);
	CU_ASSERT_EQUAL_FATAL(next_out(c, t + grtt), UFTP_MSG_STATUS);
	CU_ASSERT_EQUAL(out.u.status.section, 0);
	CU_ASSERT_EQUAL_FATAL(out.u.status.naks_len, 1);
	CU_ASSERT_EQUAL(out.u.status.naks[0], 0x02);
	fileseg(c, 1, 0, 1, BLOCK, t + 2 * grtt);
	done(c, 1, 0, t + 3 * grtt);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_NORMAL);
	f = testfs_find(&fs, 0, "a/b.bin");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->size, 3000);
	CU_ASSERT_EQUAL(f->data[1300], 2);
	CU_ASSERT_EQUAL(f->data[2999], 3);
	CU_ASSERT(f->ok);
	CU_ASSERT_EQUAL(f->mtime, 1600000000);
	uftp_client_free(c);
}

/*
 * A late duplicate of an earlier file's FILEINFO (delayed or reordered on a
 * lossy link) must neither abandon the file being received nor reopen
 * (truncate) the completed one: seen with the real uftp over a link that
 * duplicates and reorders (tests/integration/faults.sh).
 */
static void test_stale_fileinfo(void)
{
	struct uftp_client *c = client(0);
	uint64_t t = SEC;
	struct uftp_msg m = {.func = UFTP_MSG_FILEINFO};
	struct testfs_file *f;

	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "old.bin", 400, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	fileseg(c, 1, 0, 0, 400, t);
	done(c, 1, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	fileinfo(c, 2, UFTP_FTYPE_REG, "cur.bin", 3000, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	fileseg(c, 2, 0, 0, BLOCK, t);
	/* the stale one: dropped, nothing sent, nothing reopened */
	m.u.fileinfo.file_id = 1;
	m.u.fileinfo.ftype = UFTP_FTYPE_REG;
	m.u.fileinfo.name = (const uint8_t *)"old.bin";
	m.u.fileinfo.name_len = 7;
	m.u.fileinfo.fsize = 400;
	m.u.fileinfo.ftstamp = 1600000000;
	m.u.fileinfo.ids = us();
	CU_ASSERT(feed(c, &m, t) < 0);
	CU_ASSERT_EQUAL(next_out(c, t), 0);
	f = testfs_find(&fs, 0, "old.bin");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->size, 400);
	CU_ASSERT(f->ok);
	/* the current file goes on */
	fileseg(c, 2, 0, 1, BLOCK, t);
	fileseg(c, 2, 0, 2, 400, t);
	done(c, 2, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.file_id, 2);
	f = testfs_find(&fs, 0, "cur.bin");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->size, 3000);
	CU_ASSERT(f->ok);
	uftp_client_free(c);
}

/* 16 blocks missing 8 (bit 0 of byte 1); 16/8+1 = 3 bytes, as the reference sizes it. */
static void test_status_size(void)
{
	struct uftp_client *c = client(0);
	uint64_t t = SEC;
	int i;

	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "x", 16 * BLOCK, t);
	next_out(c, t);
	for (i = 0; i < 16; i++)
		if (i != 8)
			fileseg(c, 1, 0, (uint16_t)i, BLOCK, t);
	done(c, 1, 0, t);
	uftp_client_on_expiry(c, uftp_client_next_expiry(c));
	CU_ASSERT_EQUAL_FATAL(next_out(c, t), UFTP_MSG_STATUS);
	CU_ASSERT_EQUAL_FATAL(out.u.status.naks_len, 3);
	CU_ASSERT_EQUAL(out.u.status.naks[0], 0);
	CU_ASSERT_EQUAL(out.u.status.naks[1], 1);
	CU_ASSERT_EQUAL(out.u.status.naks[2], 0);
	uftp_client_free(c);
}

static void test_rejected_names(void)
{
	static const char *bad[] = {"../evil", "a/../../evil", "/etc/passwd",
	                            "/dst",    "a/../b",       "/dstx/y"};
	struct uftp_client *c = client(0);
	uint64_t t = SEC;
	size_t i;

	registered(c, t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fileinfo(c, (uint16_t)(i + 1), UFTP_FTYPE_REG, bad[i], 10, t);
		CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
		CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_REJECTED);
	}
	CU_ASSERT_EQUAL(testfs_count(&fs), 0);
	/* the session goes on: absolute names inside a root land there */
	fileinfo(c, 10, UFTP_FTYPE_REG, "/other/ok.txt", 10, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	CU_ASSERT(testfs_find(&fs, 1, "ok.txt") != NULL);
	fileinfo(c, 11, UFTP_FTYPE_DIR, "empty", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT(testfs_find(&fs, 0, "empty") != NULL &&
	          testfs_find(&fs, 0, "empty")->type == UFTP_FTYPE_DIR);
	fileinfo(c, 12, UFTP_FTYPE_LINK, "d/l", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT(testfs_find(&fs, 0, "d/l") != NULL &&
	          strcmp(testfs_find(&fs, 0, "d/l")->link, "target") == 0);
	/* @FREESPACE: the name is not a path; COMPLETE carries EXT_FREESPACE_INFO */
	fileinfo(c, 13, UFTP_FTYPE_FREESPACE, ".", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_NORMAL);
	CU_ASSERT_EQUAL(out.u.complete.ext_len, UFTP_EXT_FREESPACE_INFO_LEN);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 1);
	uftp_client_free(c);
}

static void test_stray_abort(void)
{
	struct uftp_client *c = client(0);
	struct uftp_msg m = {.func = UFTP_MSG_ABORT};
	uint64_t t = SEC;

	registered(c, t);
	m.u.abort.text = (const uint8_t *)"go away";
	m.u.abort.text_len = 7;
	CU_ASSERT(feed_from(c, &stranger, SRV, &m, t) < 0);      /* wrong address */
	CU_ASSERT(feed_from(c, &server, 0x01020304, &m, t) < 0); /* wrong server ID */
	m.u.abort.host = 0xC612000C;                             /* another client */
	CU_ASSERT_EQUAL(feed(c, &m, t), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 1);
	m.u.abort.host = UID;
	CU_ASSERT_EQUAL(feed(c, &m, t), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_ABORTED), 1);
	uftp_client_free(c);
}

static void test_garbage(void)
{
	struct uftp_client *c = client(0);
	struct uftp_core_stats st;
	uint8_t junk[64];
	size_t i;

	registered(c, SEC);
	memset(junk, 0xa5, sizeof(junk));
	for (i = 0; i < sizeof(junk); i++)
		CU_ASSERT(uftp_client_on_datagram(c, &server, junk, i, SEC) < 0);
	fileinfo(c, 1, UFTP_FTYPE_REG, "f", 100, SEC);
	next_out(c, SEC);
	/* a truncated FILESEG and one of the wrong length */
	{
		struct uftp_msg m = {.func = UFTP_MSG_FILESEG};
		uint8_t d[50] = {0};
		size_t n;
		m.u.fileseg.file_id = 1;
		m.u.fileseg.data = d;
		m.u.fileseg.data_len = sizeof(d);
		CU_ASSERT(feed(c, &m, SEC) < 0);
		n = build(SRV, GROUP, &m, 0x6a);
		CU_ASSERT(uftp_client_on_datagram(c, &server, pkt, n - 60, SEC) < 0);
	}
	uftp_client_get_stats(c, &st);
	CU_ASSERT(st.dropped[UFTP_DROP_MALFORMED] >= sizeof(junk) + 2);
	CU_ASSERT_EQUAL(st.role, UFTP_ROLE_CLIENT);
	CU_ASSERT_EQUAL(st.sessions_active, 1);
	{
		struct uftp_session_stats ss;
		struct uftp_peer_stats ps;

		CU_ASSERT_EQUAL_FATAL(uftp_client_session_stats(c, 0, &ss, 3 * SEC), 1);
		CU_ASSERT_EQUAL(ss.group_id, GROUP);
		CU_ASSERT_EQUAL(ss.server_id, SRV);
		CU_ASSERT_STRING_EQUAL(ss.state, "active");
		CU_ASSERT_STRING_EQUAL(ss.file, "f");
		CU_ASSERT_EQUAL(ss.file_bytes_total, 100);
		CU_ASSERT_EQUAL(ss.file_bytes_done, 0);
		CU_ASSERT_EQUAL(ss.npeers, 1);
		CU_ASSERT_EQUAL(uftp_client_session_stats(c, 1, &ss, 3 * SEC), 0);
		CU_ASSERT_EQUAL_FATAL(uftp_client_peer_stats(c, 0, 0, &ps), 1);
		CU_ASSERT_EQUAL(ps.id, SRV);
		CU_ASSERT_EQUAL(uftp_client_peer_stats(c, 0, 1, &ps), 0);
	}
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 1);
	uftp_client_free(c);
}

static void test_session_end(void)
{
	struct uftp_client *c = client(0);
	struct uftp_msg m = {.func = UFTP_MSG_DONE_CONF};
	uint64_t t = SEC;

	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "empty.txt", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	done(c, 1, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT(testfs_find(&fs, 0, "empty.txt") && testfs_find(&fs, 0, "empty.txt")->ok);
	done(c, 0, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.file_id, 0);
	/* resent every 4 GRTT until DONE_CONF */
	uftp_client_on_expiry(c, uftp_client_next_expiry(c));
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	m.u.done_conf.ids = us();
	CU_ASSERT_EQUAL(feed(c, &m, t + SEC / 10), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_DONE), 1);
	uftp_client_free(c);
}

static void test_shutdown(void)
{
	struct uftp_client *c = client(0);

	registered(c, SEC);
	uftp_client_shutdown(c, SEC);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_ABORT);
	CU_ASSERT_EQUAL(memcmp(out.u.abort.text, "Client shutting down", 20), 0);
	uftp_client_free(c);
}

static void test_idle_timeout(void)
{
	struct uftp_client *c = client(0);

	registered(c, SEC);
	uftp_client_on_expiry(c, uftp_client_next_expiry(c));
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_ABORT);
	uftp_client_free(c);
}

static void test_eviction(void)
{
	struct uftp_client *c = client(2);
	struct uftp_peer s2 = server, s3 = server;

	s2.port = 2000, s3.port = 3000;
	announce(c, -1, SEC);
	/* a second and a third server: the oldest session is evicted */
	{
		struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
		m.u.announce.robust = 20;
		m.u.announce.block_size = BLOCK;
		m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
		m.u.announce.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 2}};
		CU_ASSERT_EQUAL(
		    uftp_client_on_datagram(c, &s2, pkt, build(SRV, GROUP + 1, &m, 0x9d), 2 * SEC),
		    0);
		CU_ASSERT_EQUAL(uftp_client_session_count(c), 2);
		CU_ASSERT_EQUAL(
		    uftp_client_on_datagram(c, &s3, pkt, build(SRV, GROUP + 2, &m, 0x9d), 3 * SEC),
		    0);
	}
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 2);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_ABORTED), 1);
	/* the newest half-open session made room; the first one is still there */
	CU_ASSERT(c->sess[0].used && c->sess[0].group_id == GROUP);
	CU_ASSERT(c->sess[1].used && c->sess[1].group_id == GROUP + 2);
	uftp_client_free(c);
}

/* ---- encrypted handshake against a key-schedule server -------------------- */

static struct uftp_pkey *load(const char *name)
{
	char path[1024];
	const char *dir = getenv("UFTP_VECTOR_DIR");
	struct uftp_pkey *k = NULL;

	snprintf(path, sizeof(path), "%s/keys/%s", dir ? dir : "tests/vectors", name);
	return uftp_keyfile_load(&k, path) < 0 ? NULL : k;
}

static void test_rsa_gcm_handshake(void)
{
	const struct uftp_crypto_ops *ops;
	struct uftp_pkey *skey = load("server_rsa1024.pem");
	struct uftp_client *c;
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
	struct uftp_ext_enc_info ei = {0};
	struct uftp_keys ck, gk;
	struct uftp_handshake hs = {0};
	uint8_t ext[512], blob[300], srand[32], crand[32], pm[64], master[48], gm[48], dk[52];
	uint8_t verify[12], plain[256];
	uint8_t priv[4] = {230, 5, 5, 1};
	struct uftp_envelope envl = {0};
	uint64_t ctr;
	ssize_t n;
	int rv;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO || !skey) {
		fprintf(stderr, "no crypto or keys: skipped\n");
		return;
	}
	ops = uftp_ossl_ops();
	env.crypto = ops;
	c = client(0);
	memset(srand, 7, sizeof(srand));
	ei.keyextype = UFTP_KEYEX_RSA, ei.sigtype = UFTP_SIG_AUTHENC;
	ei.keytype = UFTP_KEY_AES256_GCM, ei.hashtype = UFTP_HASH_SHA256;
	ei.rand = srand;
	ei.pubkey = blob;
	ei.pubkey_len = (size_t)ops->blob_export(skey, blob, sizeof(blob));
	n = uftp_encode_ext_enc_info(ext, sizeof(ext), &ei);
	CU_ASSERT_FATAL(n > 0);
	m.u.announce.robust = 20;
	m.u.announce.block_size = BLOCK;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	m.u.announce.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 1}};
	m.u.announce.ext = ext, m.u.announce.ext_len = (size_t)n;
	CU_ASSERT_EQUAL(feed(c, &m, SEC), 0);
	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_REGISTER);
	memcpy(crand, out.u.reg.rand, 32);
	CU_ASSERT_EQUAL(crand[0], (uint8_t)TESTENV_WALL); /* time, little-endian */
	rv = ops->rsa_decrypt(skey, out.u.reg.keyinfo, out.u.reg.keyinfo_len, pm, sizeof(pm));
	CU_ASSERT_EQUAL_FATAL(rv, 48);
	/* server side: master, client keys, KEYINFO */
	uftp_keysched_master(ops, UFTP_HASH_SHA256, pm, 48, srand, crand, master);
	uftp_keysched_client_keys(ops, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, master, srand, crand,
	                          &ck);
	memset(gm, 9, sizeof(gm));
	gm[0] = UFTP_VERSION;
	put_u32be(dk, UID);
	CU_ASSERT_EQUAL(uftp_keysched_keyinfo_wrap(ops, &ck, SRV, 1, gm, dk + 4), 0);
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_KEYINFO;
	m.u.keyinfo.iv_ctr = 1;
	m.u.keyinfo.keys = dk;
	m.u.keyinfo.key_count = 1;
	CU_ASSERT_EQUAL(feed(c, &m, SEC + MSEC), 0);
	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_ENCRYPTED);
	uftp_keysched_group_keys(ops, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, gm, srand, &gk);
	envl.ops = ops, envl.sigtype = UFTP_SIG_AUTHENC, envl.keys = &gk;
	rv = uftp_envelope_open(&envl, outbuf, outlen, &ctr, plain, sizeof(plain));
	CU_ASSERT_EQUAL_FATAL(rv, 16);
	CU_ASSERT_EQUAL(plain[0], UFTP_MSG_KEYINFO_ACK);
	hs.group_id = GROUP, hs.priv_addr = priv, hs.priv_addr_len = 4;
	hs.server_random = srand, hs.client_random = crand;
	hs.premaster = pm, hs.premaster_len = 48, hs.group_master = gm;
	uftp_keysched_verify_data(ops, UFTP_HASH_SHA256, &hs, verify);
	CU_ASSERT_EQUAL(memcmp(plain + 4, verify, 12), 0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_CONNECT), 1);
	/* now a clear FILEINFO is refused */
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_FILEINFO;
	m.u.fileinfo.file_id = 1;
	m.u.fileinfo.ftype = UFTP_FTYPE_DIR;
	m.u.fileinfo.name = (const uint8_t *)"d", m.u.fileinfo.name_len = 1;
	m.u.fileinfo.ids = us();
	CU_ASSERT(feed(c, &m, SEC) < 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), 0);
	/* encrypted, it is taken once: a replay of the same datagram is dropped */
	CU_ASSERT_FATAL(seal_to(&envl, &m, 5) > 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC), 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_ENCRYPTED);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC),
	                UFTP_ERR_REPLAY);
	CU_ASSERT_EQUAL(next_out(c, SEC), 0);
	/* an older counter not seen yet is fine (reordering); seen twice, not */
	m.u.fileinfo.file_id = 2;
	m.u.fileinfo.name = (const uint8_t *)"e";
	CU_ASSERT_FATAL(seal_to(&envl, &m, 3) > 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC), 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_ENCRYPTED);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC),
	                UFTP_ERR_REPLAY);
	/* far ahead, then one older than the window: dropped */
	m.u.fileinfo.file_id = 3;
	m.u.fileinfo.name = (const uint8_t *)"f";
	CU_ASSERT_FATAL(seal_to(&envl, &m, 10000) > 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC), 0);
	m.u.fileinfo.file_id = 4;
	m.u.fileinfo.name = (const uint8_t *)"g";
	CU_ASSERT_FATAL(seal_to(&envl, &m, 4) > 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, sealed, sealed_len, SEC),
	                UFTP_ERR_REPLAY);
	uftp_client_free(c);
	ops->pkey_free(skey);
	env.crypto = NULL;
}

/* Rates as 4.10.2 writes them: 0x2ff6 = 767 * 10^7 / 4096 bytes/s. */
static void test_cc_rate(void)
{
	double r = uftp_cc_rate_unquantize(0x2ff6);

	CU_ASSERT(r > 1872558 && r < 1872560);
	CU_ASSERT_EQUAL(uftp_cc_rate_quantize(r + 1), 0x2ff6);
	CU_ASSERT_EQUAL(uftp_cc_rate_quantize(72000), 0xb854); /* the reference's first CC_ACK */
	CU_ASSERT(uftp_cc_rate_unquantize(uftp_cc_rate_quantize(123456789)) <= 123456789);
	CU_ASSERT(uftp_cc_rate_unquantize(uftp_cc_rate_quantize(123456789)) > 123000000);
}

/* A CONG_CTRL of round seq, suppression rate supp; flags for us and another client. */
static uint8_t cc_items[16];

static int cong_ctrl(struct uftp_client *c, uint16_t seq, uint16_t supp, uint8_t our_flags,
                     uint8_t other_flags, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_CONG_CTRL};

	memset(cc_items, 0, sizeof(cc_items));
	put_u32be(cc_items, 0xC612000CU), cc_items[4] = other_flags, cc_items[5] = 0x60;
	put_u32be(cc_items + 8, UID), cc_items[12] = our_flags, cc_items[13] = 0x60;
	m.u.cong_ctrl.cc_seq = seq;
	m.u.cong_ctrl.cc_rate = supp;
	m.u.cong_ctrl.tstamp_sec = 5;
	m.u.cong_ctrl.items = cc_items;
	m.u.cong_ctrl.item_count = 2;
	return feed(c, &m, now);
}

/* A FILESEG carrying EXT_TFMCC_DATA_INFO (round seq, suppression rate supp). */
static void fileseg_cc(struct uftp_client *c, uint16_t blk, uint16_t seq, uint16_t supp,
                       uint64_t now)
{
	static uint8_t data[BLOCK];
	uint8_t ext[UFTP_EXT_TFMCC_DATA_INFO_LEN];
	struct uftp_ext_tfmcc_data_info di = {0x1234, seq, supp};
	struct uftp_msg m = {.func = UFTP_MSG_FILESEG};

	CU_ASSERT_FATAL(uftp_encode_ext_tfmcc_data_info(ext, sizeof(ext), &di) > 0);
	m.u.fileseg.file_id = 1;
	m.u.fileseg.block = blk;
	m.u.fileseg.ext = ext;
	m.u.fileseg.ext_len = sizeof(ext);
	m.u.fileseg.data = data;
	m.u.fileseg.data_len = BLOCK;
	CU_ASSERT_EQUAL(feed(c, &m, now), 0);
}

/* CC_ACKs among what the client has to send now. */
static int cc_acks(struct uftp_client *c, uint64_t now)
{
	int f, n = 0;

	while ((f = next_out(c, now)) != 0)
		n += f == UFTP_MSG_CC_ACK;
	return n;
}

/* The session in use (one per test). */
static struct csession *s_first(struct uftp_client *c)
{
	size_t i;

	for (i = 0; i < c->nsess; i++)
		if (c->sess[i].used)
			return &c->sess[i];
	CU_FAIL_FATAL("no session");
	return NULL;
}

static struct uftp_client *tfmcc_session(void)
{
	struct uftp_client *c = client(0);
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};

	m.u.announce.robust = 20;
	m.u.announce.cc_type = UFTP_CC_TFMCC;
	m.u.announce.block_size = BLOCK;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	m.u.announce.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 1}};
	CU_ASSERT_EQUAL(feed(c, &m, SEC), 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_REGISTER);
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_REG_CONF;
	m.u.reg_conf.ids = us();
	feed(c, &m, SEC);
	return c;
}

/*
 * TFMCC feedback suppression (RFC 4654 4.4): a receiver that is not the CLR
 * answers once per round at most, after its random timer, and not at all
 * when its rate is not below the server's suppression rate; the CLR answers
 * every CONG_CTRL.  (GRTT ~10 ms in these headers: the timer is < 40 ms.)
 */
static void test_cc_suppression(void)
{
	struct uftp_client *c = tfmcc_session();
	const uint16_t top = 0xfff0 | 15; /* the highest rate: nobody is suppressed */
	uint64_t t = 2 * SEC;
	int i, acks;

	fileinfo(c, 1, UFTP_FTYPE_REG, "f", 1000 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	/* round 1 before any data: nothing to report */
	CU_ASSERT_EQUAL(cong_ctrl(c, 1, top, UFTP_CC_RTT, UFTP_CC_CLR | UFTP_CC_RTT, t), 0);
	CU_ASSERT_EQUAL(cc_acks(c, t), 0);
	/* data and 10 CONG_CTRLs in round 1 (100 ms): one CC_ACK */
	for (acks = 0, i = 0; i < 100; i++) {
		t += MSEC;
		fileseg_cc(c, (uint16_t)i, 1, top, t);
		if (i % 10 == 9)
			cong_ctrl(c, 1, top, UFTP_CC_RTT, UFTP_CC_CLR | UFTP_CC_RTT, t);
		acks += cc_acks(c, t);
	}
	CU_ASSERT_EQUAL(acks, 1);
	CU_ASSERT_EQUAL(s_first(c)->cc.fb_sent, 1);
	/* round 2 announced in the data: a suppression rate far below ours */
	for (acks = 0; i < 200; i++) {
		t += MSEC;
		fileseg_cc(c, (uint16_t)i, 2, uftp_cc_rate_quantize(1000), t);
		if (i % 10 == 9)
			cong_ctrl(c, 2, uftp_cc_rate_quantize(1000), UFTP_CC_RTT, UFTP_CC_CLR, t);
		acks += cc_acks(c, t);
	}
	CU_ASSERT_EQUAL(acks, 0);
	CU_ASSERT_EQUAL(s_first(c)->cc.fb_held, 1);
	/* we become the CLR: every CONG_CTRL is answered at once */
	for (acks = 0; i < 230; i++) {
		t += MSEC;
		fileseg_cc(c, (uint16_t)i, 3, uftp_cc_rate_quantize(1000), t);
		if (i % 10 == 9) {
			cong_ctrl(c, 3, uftp_cc_rate_quantize(1000), UFTP_CC_CLR | UFTP_CC_RTT, 0,
			          t);
			CU_ASSERT_EQUAL(cc_acks(c, t), 1);
			acks++;
		}
	}
	CU_ASSERT_EQUAL(acks, 3);
	uftp_client_free(c);
}

/* TFMCC: the CLR's CONG_CTRL gets a CC_ACK echoing the CC sequence, with our ID. */
static void test_cc_ack(void)
{
	struct uftp_client *c = tfmcc_session();
	struct uftp_ext_tfmcc_ack_info ai;
	struct uftp_ext ext;

	CU_ASSERT_EQUAL(cong_ctrl(c, 7, 0x481e, UFTP_CC_CLR | UFTP_CC_RTT, UFTP_CC_RTT, 2 * SEC),
	                0);
	CU_ASSERT_EQUAL_FATAL(next_out(c, 2 * SEC), UFTP_MSG_CC_ACK);
	CU_ASSERT_EQUAL_FATAL(
	    uftp_ext_find(out.u.cc_ack.ext, out.u.cc_ack.ext_len, UFTP_EXT_TFMCC_ACK_INFO, &ext),
	    1);
	CU_ASSERT(uftp_decode_ext_tfmcc_ack_info(&ai, ext.ptr, ext.len) > 0);
	CU_ASSERT_EQUAL(ai.cc_seq, 7);
	CU_ASSERT_EQUAL(ai.client_id, UID);
	CU_ASSERT_EQUAL(ai.tstamp_sec, 5);
	CU_ASSERT(ai.flags & UFTP_CC_START);
	uftp_client_free(c);
}

/*
 * TFMCC: under loss the rate comes from our own RTT as the server lists it
 * in the CONG_CTRL (flag RTT), not from the header's GRTT: a receiver near
 * the server must not report the rate of the farthest one.
 */
static void test_cc_own_rtt(void)
{
	struct uftp_client *c = tfmcc_session();
	struct csession *s = s_first(c);

	CU_ASSERT_EQUAL(cong_ctrl(c, 7, 0x481e, UFTP_CC_CLR, UFTP_CC_RTT, 2 * SEC), 0);
	CU_ASSERT_EQUAL(s->cc.rtt, 0); /* listed without an RTT: none taken */
	CU_ASSERT_EQUAL(cong_ctrl(c, 8, 0x481e, UFTP_CC_CLR | UFTP_CC_RTT, 0, 2 * SEC), 0);
	CU_ASSERT_EQUAL(s->cc.rtt, uftp_grtt_unquantize(0x60));
	CU_ASSERT(s->cc.rtt != s->grtt);
	uftp_client_free(c);
}

/* The rate our next report would carry (bytes/s), as the server reads it. */
static double reported(struct uftp_client *c, struct csession *s, uint64_t now)
{
	uint8_t ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	struct uftp_ext_tfmcc_ack_info ai;

	CU_ASSERT_FATAL(cl_cc_ack_info(c, s, ext, now) > 0);
	CU_ASSERT_FATAL(uftp_decode_ext_tfmcc_ack_info(&ai, ext + 0, sizeof(ext)) > 0);
	return uftp_cc_rate_unquantize(ai.cc_rate);
}

/*
 * n blocks of a fresh file at 10,000 per second, those for which lose(i)
 * is true left out, with our RTT and the GRTT given (10 ms: 100 blocks).
 * Returns the time after the last.
 */
static uint64_t cc_stream(struct uftp_client *c, int n, int (*lose)(int), uint64_t rtt,
                          uint64_t grtt, uint64_t t)
{
	struct csession *s = s_first(c);
	const uint16_t top = 0xfff0 | 15;
	int i;

	fileinfo(c, 1, UFTP_FTYPE_REG, "f", (uint64_t)n * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	s->cc.rtt = rtt;
	s->grtt = grtt;
	for (i = 0; i < n; i++, t += MSEC / 10) {
		if (!lose(i))
			fileseg_cc(c, (uint16_t)i, 1, top, t);
		while (next_out(c, t) != 0)
			;
	}
	return t;
}

static int lose_1of200(int i)
{
	return i % 200 == 50;
}

static int lose_2of200(int i)
{
	return i % 200 == 50 || i % 200 == 55;
}

/*
 * TFMCC loss events (RFC 3448 section 5.2): losses within one RTT of the
 * start of a loss event belong to it.  Two blocks lost 5 apart (0.5 ms, our
 * RTT is 10 ms) every 200 give the rate of one loss every 200, not half of
 * it (what counting each gap as an event gave).
 */
static void test_cc_loss_event(void)
{
	struct uftp_client *c = tfmcc_session();
	double one, two;
	uint64_t t;

	t = cc_stream(c, 3000, lose_1of200, 10 * MSEC, MSEC, 2 * SEC);
	one = reported(c, s_first(c), t);
	uftp_client_free(c);
	c = tfmcc_session();
	t = cc_stream(c, 3000, lose_2of200, 10 * MSEC, MSEC, 2 * SEC);
	two = reported(c, s_first(c), t);
	CU_ASSERT_EQUAL(s_first(c)->cc.lost, 30);
	CU_ASSERT(!s_first(c)->cc.slowstart);
	CU_ASSERT(two > one * 0.9);
	CU_ASSERT(two < one * 1.1);
	/* one loss per 200 blocks, s = 1300, R = 10 ms: 2.16 MB/s (RFC 3448 3.1) */
	CU_ASSERT(one > 2.0e6 && one < 2.3e6);
	uftp_client_free(c);
}

static int lose_30apart(int i)
{
	return i % 300 == 50 || i % 300 == 80;
}

static int lose_1of300(int i)
{
	return i % 300 == 50;
}

/*
 * Losses 3 ms apart with our RTT at 1 ms but a GRTT of 10 ms are one loss
 * event: the sender answers once per GRTT, so they come from one rate.
 */
static void test_cc_event_grtt(void)
{
	struct uftp_client *c = tfmcc_session();
	double one, two;
	uint64_t t;

	t = cc_stream(c, 3000, lose_1of300, MSEC, 10 * MSEC, 2 * SEC);
	one = reported(c, s_first(c), t);
	uftp_client_free(c);
	c = tfmcc_session();
	t = cc_stream(c, 3000, lose_30apart, MSEC, 10 * MSEC, 2 * SEC);
	two = reported(c, s_first(c), t);
	CU_ASSERT_EQUAL(s_first(c)->cc.lost, 20);
	CU_ASSERT(two > one * 0.9);
	uftp_client_free(c);
}

/*
 * A repair pass sends only the blocks that were NAKed: the blocks it skips
 * are held, not lost, and must not lower our rate; nor must a pause in the
 * data (the receive rate over a short report interval) once slow start is
 * over (RFC 4654: the receive rate bounds the report only in slow start).
 */
static void test_cc_repair_pass(void)
{
	struct uftp_client *c = tfmcc_session();
	struct csession *s = s_first(c);
	const uint16_t top = 0xfff0 | 15;
	double before, after;
	uint64_t t;
	int i;

	t = cc_stream(c, 3000, lose_1of200, 10 * MSEC, MSEC, 2 * SEC);
	before = reported(c, s, t);
	CU_ASSERT_EQUAL(s->cc.lost, 15);
	for (i = 50; i < 3000; i += 200, t += MSEC / 10)
		fileseg_cc(c, (uint16_t)i, 2, top, t);
	CU_ASSERT_EQUAL(s->cc.lost, 15);
	after = reported(c, s, t);
	CU_ASSERT(after > before * 0.9);
	/* a quiet 200 ms, then one block: the report stays */
	t += 200 * MSEC;
	s->cc.rtt = 10 * MSEC;
	after = reported(c, s, t);
	CU_ASSERT(after > before * 0.9);
	uftp_client_free(c);
}

/* -T restart state kept in memory. */
static uint8_t saved_bitmap[64];
static size_t saved_len;

static int m_save_state(void *arg, uint32_t group_id, const char *name, uint64_t size,
                        const uint8_t *bitmap, size_t len)
{
	(void)arg, (void)group_id, (void)name, (void)size;
	CU_ASSERT_FATAL(len <= sizeof(saved_bitmap));
	memcpy(saved_bitmap, bitmap, len);
	saved_len = len;
	return 0;
}

static int m_load_state(void *arg, uint32_t group_id, const char *name, uint64_t size,
                        uint8_t *bitmap, size_t len)
{
	(void)arg, (void)group_id, (void)name, (void)size;
	if (!saved_len || len != saved_len)
		return 0;
	memcpy(bitmap, saved_bitmap, len);
	saved_len = 0;
	return 1;
}

/* A failed session keeps its bitmap; the restarted one acks PARTIAL and NAKs the rest. */
static void test_restart_resume(void)
{
	struct uftp_client_fops rf = fops;
	struct uftp_client_config cfg;
	struct uftp_client *c;
	uint64_t t = SEC;

	rf.save_state = m_save_state, rf.load_state = m_load_state, rf.reopen = testfs_reopen;
	memset(&cfg, 0, sizeof(cfg));
	cfg.uid = UID, cfg.roots[0] = "/dst", cfg.nroots = 1, cfg.temp_dir = 1, cfg.fops = &rf;
	testfs_reset(&fs);
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&c, &env, &cfg, t), 0);
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "f.bin", 3 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	CU_ASSERT_EQUAL(out.u.fileinfo_ack.flags, 0);
	fileseg(c, 1, 0, 1, BLOCK, t);
	uftp_client_shutdown(c, t);
	CU_ASSERT_EQUAL(saved_len, 1);
	CU_ASSERT_EQUAL(saved_bitmap[0], 0x02);
	uftp_client_free(c);
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&c, &env, &cfg, t),
	                      0); /* same group again: a restart */
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "f.bin", 3 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	CU_ASSERT_EQUAL(out.u.fileinfo_ack.flags, UFTP_FILEINFO_ACK_PARTIAL);
	done(c, 1, 0, t);
	uftp_client_on_expiry(c, uftp_client_next_expiry(c));
	CU_ASSERT_EQUAL_FATAL(next_out(c, t), UFTP_MSG_STATUS);
	CU_ASSERT_EQUAL(out.u.status.naks[0], 0x05); /* blocks 0 and 2 only */
	uftp_client_free(c);
}

/* -T: relative names go to root index nroots under _group_ID/; absolute ones are refused. */
static void test_temp_dir(void)
{
	struct uftp_client *c;
	uint64_t t = SEC;

	temp_dir_mode = 1;
	c = client(0);
	temp_dir_mode = 0;
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "a/b.txt", 5, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	CU_ASSERT(testfs_find(&fs, 2, "_group_11223344/a/b.txt") != NULL);
	fileinfo(c, 2, UFTP_FTYPE_REG, "/dst/abs.txt", 5, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_REJECTED);
	count_events(c, 0);
	done(c, 0, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_COMPLETE), 1);
	uftp_client_free(c);
}

/* The server side of an ECDH_RSA + CCM + SHA-512 session with client authentication. */
struct ecdh_server {
	const struct uftp_crypto_ops *ops;
	struct uftp_pkey *skey, *ckey, *dh;
	uint8_t srand[32], crand[32], pm[64], gm[48], cblob[300];
	size_t pmlen, cblob_len;
};

static size_t ecdh_announce(struct ecdh_server *sv, int corrupt)
{
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
	struct uftp_ext_enc_info ei = {0};
	uint8_t ext[1024], blob[300], dhblob[200], zero[128] = {0}, sig[256];
	size_t n, off;
	ssize_t e;
	int k;

	memset(sv->srand, 5, sizeof(sv->srand));
	ei.flags = UFTP_ENC_INFO_CLIENT_AUTH;
	ei.keyextype = UFTP_KEYEX_ECDH_RSA, ei.sigtype = UFTP_SIG_AUTHENC;
	ei.keytype = UFTP_KEY_AES256_CCM, ei.hashtype = UFTP_HASH_SHA512;
	ei.rand = sv->srand;
	ei.pubkey = blob,
	ei.pubkey_len = (size_t)sv->ops->blob_export(sv->skey, blob, sizeof(blob));
	ei.dhkey = dhblob,
	ei.dhkey_len = (size_t)sv->ops->blob_export(sv->dh, dhblob, sizeof(dhblob));
	ei.sig = zero, ei.sig_len = sizeof(zero);
	e = uftp_encode_ext_enc_info(ext, sizeof(ext), &ei);
	CU_ASSERT_FATAL(e > 0);
	m.u.announce.robust = 20;
	m.u.announce.block_size = BLOCK;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	m.u.announce.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 1}};
	m.u.announce.ext = ext, m.u.announce.ext_len = (size_t)e;
	n = build(SRV, GROUP, &m, 0x9d);
	off = 16 + 24 + UFTP_EXT_ENC_INFO_LEN + ei.pubkey_len + ei.dhkey_len;
	k = sv->ops->sign(sv->skey, UFTP_HASH_SHA512, pkt, n, sig, sizeof(sig));
	CU_ASSERT_EQUAL_FATAL(k, 128);
	memcpy(pkt + off, sig, 128);
	pkt[off + 5] ^= (uint8_t)corrupt;
	return n;
}

/* REGISTER (ephemeral EC key) and CLIENT_KEY (signed with our RSA key). */
static void ecdh_register(struct ecdh_server *sv, struct uftp_client *c)
{
	const uint8_t priv[4] = {230, 5, 5, 1};
	struct uftp_handshake hs = {GROUP, priv, 4, sv->srand, sv->crand, NULL, 0, NULL, 0, NULL};
	struct uftp_pkey *ceph = NULL;
	uint8_t msg[256];
	int n;

	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_REGISTER);
	memcpy(sv->crand, out.u.reg.rand, 32);
	CU_ASSERT_FATAL(sv->ops->blob_import(out.u.reg.keyinfo, out.u.reg.keyinfo_len, &ceph) > 0);
	CU_ASSERT_EQUAL_FATAL(uftp_keysched_ecdh_premaster(sv->ops, sv->dh, ceph, sv->pm), 0);
	sv->pmlen = UFTP_ECDH_PREMASTER_LEN;
	sv->ops->pkey_free(ceph);
	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_CLIENT_KEY);
	sv->cblob_len = out.u.client_key.pubkey_len;
	memcpy(sv->cblob, out.u.client_key.pubkey, sv->cblob_len);
	hs.premaster = sv->pm, hs.premaster_len = sv->pmlen;
	n = uftp_keysched_client_key_msg(&hs, msg, sizeof(msg));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(sv->ops->verify(sv->ckey, UFTP_HASH_SHA512, msg, (size_t)n,
	                                out.u.client_key.verify, out.u.client_key.verify_len),
	                0);
}

/* KEYINFO for us; checks the KEYINFO_ACK verify data (client key blob included). */
static void ecdh_keyinfo(struct ecdh_server *sv, struct uftp_client *c)
{
	const uint8_t priv[4] = {230, 5, 5, 1};
	struct uftp_handshake hs = {GROUP,  priv,      4,         sv->srand,     sv->crand,
	                            sv->pm, sv->pmlen, sv->cblob, sv->cblob_len, sv->gm};
	struct uftp_msg m = {.func = UFTP_MSG_KEYINFO};
	struct uftp_keys ck, gk;
	struct uftp_envelope envl = {sv->ops, UFTP_SIG_AUTHENC, &gk, NULL, NULL};
	uint8_t master[48], dk[52], plain[256], verify[12];
	uint64_t ctr;

	uftp_keysched_master(sv->ops, UFTP_HASH_SHA512, sv->pm, sv->pmlen, sv->srand, sv->crand,
	                     master);
	uftp_keysched_client_keys(sv->ops, UFTP_KEY_AES256_CCM, UFTP_HASH_SHA512, master, sv->srand,
	                          sv->crand, &ck);
	memset(sv->gm, 3, sizeof(sv->gm));
	sv->gm[0] = UFTP_VERSION;
	put_u32be(dk, UID);
	CU_ASSERT_EQUAL(uftp_keysched_keyinfo_wrap(sv->ops, &ck, SRV, 7, sv->gm, dk + 4), 0);
	m.u.keyinfo.iv_ctr = 7, m.u.keyinfo.keys = dk, m.u.keyinfo.key_count = 1;
	CU_ASSERT_EQUAL(feed(c, &m, SEC), 0);
	CU_ASSERT_EQUAL_FATAL(next_out(c, SEC), UFTP_MSG_ENCRYPTED);
	uftp_keysched_group_keys(sv->ops, UFTP_KEY_AES256_CCM, UFTP_HASH_SHA512, sv->gm, sv->srand,
	                         &gk);
	CU_ASSERT_EQUAL_FATAL(uftp_envelope_open(&envl, outbuf, outlen, &ctr, plain, sizeof(plain)),
	                      16);
	CU_ASSERT_EQUAL(ctr, 1); /* our first ENCRYPTED */
	uftp_keysched_verify_data(sv->ops, UFTP_HASH_SHA512, &hs, verify);
	CU_ASSERT_EQUAL(memcmp(plain + 4, verify, 12), 0);
}

static void test_ecdh_rsa_client_auth(void)
{
	struct ecdh_server sv = {0};
	struct uftp_client *c;
	size_t n;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	sv.ops = uftp_ossl_ops();
	sv.skey = load("server_rsa1024.pem");
	sv.ckey = load("client1_rsa1024.pem");
	if (!sv.skey || !sv.ckey ||
	    sv.ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &sv.dh))
		goto out;
	env.crypto = sv.ops;
	test_key = sv.ckey;
	c = client(0);
	/* a bad ANNOUNCE signature: refused with a clear ABORT, no session */
	n = ecdh_announce(&sv, 1);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, pkt, n, SEC), 0);
	CU_ASSERT_EQUAL(next_out(c, SEC), UFTP_MSG_ABORT);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	n = ecdh_announce(&sv, 0);
	CU_ASSERT_EQUAL(uftp_client_on_datagram(c, &server, pkt, n, SEC), 0);
	ecdh_register(&sv, c);
	ecdh_keyinfo(&sv, c);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_CONNECT), 1);
	uftp_client_free(c);
out:
	test_key = NULL;
	env.crypto = NULL;
	sv.ops->pkey_free(sv.skey);
	sv.ops->pkey_free(sv.ckey);
	sv.ops->pkey_free(sv.dh);
}

/* -R: KEY_REQ to the proxy (when crypto is there), every reply to the proxy. */
static void test_response_proxy(void)
{
	static const struct uftp_peer proxy = {{4, {198, 18, 0, 13}}, 1044};
	struct uftp_client *c;
	struct uftp_peer to;
	int n;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	env.crypto = uftp_ossl_ops();
	test_proxy = &proxy;
	c = client(0);
	test_proxy = NULL;
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), 0);
	uftp_client_on_expiry(c, SEC);
	n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), SEC);
	CU_ASSERT_EQUAL_FATAL(n, UFTP_HEADER_LEN + UFTP_KEY_REQ_LEN);
	CU_ASSERT_EQUAL(outbuf[1], UFTP_MSG_KEY_REQ);
	CU_ASSERT(uftp_peer_equal(&to, &proxy));
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), 6 * SEC); /* again every 5 s */
	announce(c, -1, SEC);
	n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), SEC);
	CU_ASSERT(n > 0 && outbuf[1] == UFTP_MSG_REGISTER);
	CU_ASSERT(uftp_peer_equal(&to, &proxy));
	uftp_client_free(c);
	env.crypto = NULL;
}

/* An HB_RESP from proxy (header: the proxy's ID, group 0). */
static int hb_resp(struct uftp_client *c, const struct uftp_peer *from, uint8_t auth,
                   uint32_t nonce)
{
	struct uftp_msg m = {.func = UFTP_MSG_HB_RESP};
	struct uftp_header h = {UFTP_MSG_HB_RESP, 0, 0xC612000DU, 0, 0, 0, 0};
	ssize_t n;

	m.u.hb_resp.authenticated = auth;
	m.u.hb_resp.nonce = nonce;
	uftp_encode_header(pkt, sizeof(pkt), &h);
	n = uftp_encode_msg(pkt + UFTP_HEADER_LEN, sizeof(pkt) - UFTP_HEADER_LEN, &m);
	CU_ASSERT_FATAL(n > 0);
	return uftp_client_on_datagram(c, from, pkt, (size_t)n + UFTP_HEADER_LEN, SEC);
}

/*
 * -H / -h: an unsigned HB_REQ at start and every interval (bytes as
 * 4.10.2 sends them); a challenge is answered at once with the nonce, our
 * key blob and the nonce signed with SHA-1; other HB_RESPs send nothing.
 */
static void test_heartbeat(void)
{
	static const struct uftp_peer proxy = {{4, {198, 18, 0, 13}}, 1044};
	static const uint8_t plain[] = {0x40, 0x0e, 0,    0, 0xC6, 0x12, 0, 0x0B, 0, 0, 0, 0, 0, 0,
	                                0,    0,    0x0e, 3, 0,    0,    0, 0,    0, 0, 0, 0, 0, 0};
	const struct uftp_crypto_ops *ops;
	struct uftp_client *c;
	struct uftp_peer to;
	struct uftp_msg m;
	uint8_t nb[4] = {0xA1, 0xB2, 0xC3, 0xD4};
	int n;

	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return;
	ops = env.crypto = uftp_ossl_ops();
	test_key = load("client1_rsa1024.pem");
	CU_ASSERT_FATAL(test_key != NULL);
	test_hb = &proxy;
	c = client(0);
	test_hb = NULL;
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), 0);
	uftp_client_on_expiry(c, SEC);
	n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), SEC);
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(plain));
	CU_ASSERT_EQUAL(memcmp(outbuf, plain, sizeof(plain)), 0);
	CU_ASSERT(uftp_peer_equal(&to, &proxy));
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), 4 * SEC);
	uftp_client_on_expiry(c, 2 * SEC); /* not yet due */
	CU_ASSERT_EQUAL(uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), 2 * SEC), 0);

	CU_ASSERT_EQUAL(hb_resp(c, &proxy, UFTP_HB_AUTH_CHALLENGE, 0xA1B2C3D4), 0);
	n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), SEC);
	CU_ASSERT_FATAL(n > UFTP_HEADER_LEN);
	CU_ASSERT(uftp_peer_equal(&to, &proxy));
	CU_ASSERT_FATAL(uftp_decode_msg(&m, UFTP_MSG_HB_REQ, outbuf + UFTP_HEADER_LEN,
	                                (size_t)n - UFTP_HEADER_LEN) > 0);
	CU_ASSERT_EQUAL(m.u.hb_req.nonce, 0xA1B2C3D4);
	CU_ASSERT(m.u.hb_req.pubkey_len > 0);
	CU_ASSERT_EQUAL(ops->verify(test_key, UFTP_HASH_SHA1, nb, sizeof(nb), m.u.hb_req.sig,
	                            m.u.hb_req.sig_len),
	                0);
	nb[0] ^= 1; /* the signature covers the nonce */
	CU_ASSERT_NOT_EQUAL(ops->verify(test_key, UFTP_HASH_SHA1, nb, sizeof(nb), m.u.hb_req.sig,
	                                m.u.hb_req.sig_len),
	                    0);

	CU_ASSERT_EQUAL(hb_resp(c, &proxy, UFTP_HB_AUTH_OK, 0), 0);
	CU_ASSERT_EQUAL(hb_resp(c, &proxy, UFTP_HB_AUTH_FAILED, 0), 0);
	CU_ASSERT(hb_resp(c, &proxy, 7, 0) < 0);
	CU_ASSERT(hb_resp(c, &stranger, UFTP_HB_AUTH_CHALLENGE, 1) < 0); /* not a -H proxy */
	CU_ASSERT_EQUAL(uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), SEC), 0);

	uftp_client_on_expiry(c, 4 * SEC);
	n = uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), 4 * SEC);
	CU_ASSERT_EQUAL(n, (int)sizeof(plain));
	CU_ASSERT_EQUAL(uftp_client_next_expiry(c), 7 * SEC);
	uftp_client_free(c);
	uftp_pkey_free(test_key);
	test_key = NULL;
	env.crypto = NULL;
}

/* -T checkpoints: the bitmap of a file being received is saved every second. */
static void test_checkpoint(void)
{
	struct uftp_client_fops rf = fops;
	struct uftp_client_config cfg;
	struct uftp_client *c;
	uint64_t t = SEC;

	rf.save_state = m_save_state, rf.load_state = m_load_state, rf.reopen = testfs_reopen;
	memset(&cfg, 0, sizeof(cfg));
	cfg.uid = UID, cfg.roots[0] = "/dst", cfg.nroots = 1, cfg.temp_dir = 1, cfg.fops = &rf;
	testfs_reset(&fs);
	saved_len = 0;
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&c, &env, &cfg, t), 0);
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "f.bin", 3 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	uftp_client_on_expiry(c, t); /* nothing stored yet: no checkpoint armed */
	fileseg(c, 1, 0, 1, BLOCK, t);
	uftp_client_on_expiry(c, t); /* armed */
	CU_ASSERT(uftp_client_next_expiry(c) <= t + SEC);
	CU_ASSERT_EQUAL(saved_len, 0);
	uftp_client_on_expiry(c, t + SEC);
	CU_ASSERT_EQUAL(saved_len, 1);
	CU_ASSERT_EQUAL(saved_bitmap[0], 0x02);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 1); /* the session goes on */
	fileseg(c, 1, 0, 0, BLOCK, t + SEC);
	uftp_client_on_expiry(c, t + 2 * SEC);
	CU_ASSERT_EQUAL(saved_bitmap[0], 0x03);
	uftp_client_free(c);
	saved_len = 0;
}

static int fail_close(void *arg, int h, int ok, int64_t mtime)
{
	testfs_close(arg, h, ok, mtime);
	return ok ? UFTP_ERR_IO : 0;
}

static uint64_t room_bytes;

static int m_room(void *arg, size_t root, uint64_t *bytes)
{
	(void)arg, (void)root;
	*bytes = room_bytes;
	return 0;
}

/*
 * A file whose last bytes cannot be written aborts the session and is never
 * reported received; a file larger than the free space aborts at FILEINFO.
 */
static void test_write_failures(void)
{
	struct uftp_client_fops rf = fops;
	struct uftp_client_config cfg;
	struct uftp_client *c;
	uint64_t t = SEC;

	memset(&cfg, 0, sizeof(cfg));
	cfg.uid = UID, cfg.roots[0] = "/dst", cfg.nroots = 1, cfg.fops = &rf;
	rf.close = fail_close;
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&c, &env, &cfg, t), 0);
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "f.bin", 5, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	fileseg(c, 1, 0, 0, 5, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_ABORT);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_FILE), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 0);
	uftp_client_free(c);

	rf.close = testfs_close, rf.room = m_room, room_bytes = 100;
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&c, &env, &cfg, t), 0);
	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "fits.bin", 100, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	fileinfo(c, 2, UFTP_FTYPE_REG, "big.bin", 101, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_ABORT);
	CU_ASSERT(memmem(out.u.abort.text, out.u.abort.text_len, "disk space", 10) != NULL);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_ABORTED), 1);
	uftp_client_free(c);
}

/* A sync preview (uftp -Z) makes no directory or link. */
static void test_preview(void)
{
	struct uftp_client *c = client(0);
	uint64_t t = SEC;

	announce_flags = UFTP_ANNOUNCE_SYNC_MODE | UFTP_ANNOUNCE_SYNC_PREVIEW;
	registered(c, t);
	announce_flags = 0;
	fileinfo(c, 1, UFTP_FTYPE_DIR, "d", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_NORMAL);
	fileinfo(c, 2, UFTP_FTYPE_LINK, "l", 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	fileinfo(c, 3, UFTP_FTYPE_REG, "f", 10, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(testfs_count(&fs), 0);
	uftp_client_free(c);
}

/* ---- ANNOUNCE floods: memberships and registered sessions ----------------- */

/*
 * A fake kernel membership table for uftpd's reconciler (uftpd/member.c):
 * at most KERN_MAX groups per socket, as Linux's igmp_max_memberships
 * default; joining a group twice or leaving one not joined is an error.
 */
#define KERN_MAX 20
static struct uftp_addr kern[KERN_MAX];
static size_t nkern;
static int kern_errors;

static int kern_find(const struct uftp_addr *g)
{
	size_t i;

	for (i = 0; i < nkern; i++)
		if (uftp_addr_equal_host(&kern[i], g))
			return (int)i;
	return -1;
}

static int kern_join(void *arg, const struct uftp_addr *g, int join)
{
	int i = kern_find(g);

	(void)arg;
	if (join && i >= 0)
		kern_errors++;
	if (join && (i >= 0 || nkern == KERN_MAX))
		return UFTP_ERR_IO;
	if (join) {
		kern[nkern++] = *g;
		return 0;
	}
	if (i < 0) {
		kern_errors++;
		return UFTP_ERR_IO;
	}
	kern[i] = kern[--nkern];
	return 0;
}

/* 1 when the fake kernel holds exactly the private groups of the live sessions. */
static int kern_matches(const struct uftp_client *c)
{
	struct uftp_addr a;
	size_t i, k, want = 0;

	for (i = 0; i < c->nsess; i++) {
		const struct csession *s = &c->sess[i];
		if (!s->used)
			continue;
		for (k = 0; k < i; k++)
			if (c->sess[k].used &&
			    memcmp(&c->sess[k].priv, &s->priv, sizeof(s->priv)) == 0)
				break;
		if (k < i)
			continue; /* a group two sessions share counts once */
		uftp_addr_from_bytes(&a, s->priv.addr, 4, 0);
		if (kern_find(&a) < 0)
			return 0;
		want++;
	}
	return want == nkern && kern_errors == 0;
}

/* A forged ANNOUNCE: group ID, private group 230.6.x.y and server port all new. */
static int forged_announce(struct uftp_client *c, unsigned i, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_ANNOUNCE};
	struct uftp_peer from = {{4, {198, 18, 1, 66}}, (uint16_t)(2000 + i)};

	m.u.announce.robust = 20;
	m.u.announce.block_size = BLOCK;
	m.u.announce.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	m.u.announce.priv_addr =
	    (struct uftp_ipaddr){4, {230, 6, (uint8_t)(i / 250), (uint8_t)(1 + i % 250)}};
	return uftp_client_on_datagram(c, &from, pkt,
	                               build(0x0BAD0000u + i, 0x70000000u + i, &m, 0x9d), now);
}

/* Pulls every queued datagram, wherever it goes. */
static void drain_out(struct uftp_client *c, uint64_t now)
{
	struct uftp_peer to;

	while (uftp_client_pop_send(c, &to, outbuf, sizeof(outbuf), now) > 0)
		;
}

#define FLOOD 1000 /* ANNOUNCEs in one burst: more than any queue holds */

/*
 * A burst of FLOOD forged ANNOUNCEs, every one for a new group, arrives
 * with nothing drained in between (worse than uftpd, which drains events
 * after each datagram).  The reconciled memberships are exactly the live
 * sessions' groups after the burst, while the forged sessions time out
 * (the legitimate one kept alive), and empty at the end; never more than
 * the table holds, so the kernel's per-socket limit is never reached.
 */
static void test_flood_memberships(void)
{
	struct uftp_client *c = client(16);
	struct uftpd_members *mb = calloc(1, sizeof(*mb));
	struct uftp_core_stats st;
	uint64_t t = SEC, grtt = uftp_grtt_unquantize(0x9d);
	unsigned i;

	CU_ASSERT_FATAL(c != NULL && mb != NULL);
	nkern = 0, kern_errors = 0;
	uftpd_members_init(mb, kern_join, NULL);
	registered(c, t);
	CU_ASSERT_EQUAL(uftpd_members_sync(mb, c), 0);
	CU_ASSERT_EQUAL(nkern, 1);
	fileinfo(c, 1, UFTP_FTYPE_REG, "big.bin", 100 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	t += MSEC;
	for (i = 0; i < FLOOD; i++)
		forged_announce(c, i, t);
	CU_ASSERT_EQUAL(uftpd_members_sync(mb, c), 0);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 16);
	CU_ASSERT_EQUAL(nkern, 16);
	CU_ASSERT(kern_matches(c));
	uftp_client_get_stats(c, &st);
	CU_ASSERT_EQUAL(st.sessions_evicted, FLOOD - 15);
	CU_ASSERT(st.events_lost > 0); /* nothing drained: lost, but counted */
	/* the forged sessions give up on REGISTER after 4 x 20 x 0.5 s; the legit one goes on */
	for (i = 0; i < 50; i++) {
		t += SEC;
		fileseg(c, 1, 0, (uint16_t)i, BLOCK, t);
		uftp_client_on_expiry(c, t);
		drain_out(c, t);
		count_events(c, 0);
		CU_ASSERT_EQUAL(uftpd_members_sync(mb, c), 0);
		CU_ASSERT(kern_matches(c));
	}
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 1);
	CU_ASSERT_EQUAL(nkern, 1);
	CU_ASSERT(t > SEC + 4 * 20 * grtt);
	/* a later session still gets its group; the end of both leaves none */
	announce(c, -1, t); /* the same server again: a repeat, nothing new */
	CU_ASSERT_EQUAL(forged_announce(c, FLOOD, t), 0);
	uftpd_members_sync(mb, c);
	CU_ASSERT_EQUAL(nkern, 2);
	CU_ASSERT(kern_matches(c));
	uftp_client_shutdown(c, t);
	uftpd_members_sync(mb, c);
	CU_ASSERT_EQUAL(nkern, 0);
	CU_ASSERT_EQUAL(kern_errors, 0);
	free(mb);
	uftp_client_free(c);
}

/*
 * A registered session receiving a file survives a full table of forged
 * half-open sessions and a burst of FLOOD more: newcomers displace only
 * half-open sessions, the newest first; the file completes.  Events are
 * drained after every datagram, as uftpd does: none is lost.
 */
static void test_flood_keeps_registered(void)
{
	struct uftp_client *c = client(16);
	struct uftp_core_stats st;
	uint64_t t = SEC;
	struct testfs_file *f;
	unsigned i;
	int aborted = 0;

	registered(c, t);
	fileinfo(c, 1, UFTP_FTYPE_REG, "live.bin", 3 * BLOCK, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_FILEINFO_ACK);
	fileseg(c, 1, 0, 0, BLOCK, t);
	t += MSEC;
	for (i = 0; i < FLOOD; i++) {
		forged_announce(c, i, t + i);
		aborted += count_events(c, UFTP_CEV_ABORTED);
		drain_out(c, t);
	}
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 16);
	CU_ASSERT_EQUAL(aborted, FLOOD - 15);
	/* the 14 oldest forged sessions stayed: only the newest was displaced */
	for (i = 1; i < 15; i++)
		CU_ASSERT(c->sess[i].used && c->sess[i].group_id == 0x70000000u + i - 1);
	t += 2 * MSEC;
	fileseg(c, 1, 0, 1, BLOCK, t);
	fileseg(c, 1, 0, 2, BLOCK, t);
	done(c, 1, 0, t);
	CU_ASSERT_EQUAL(next_out(c, t), UFTP_MSG_COMPLETE);
	CU_ASSERT_EQUAL(out.u.complete.status, UFTP_COMP_NORMAL);
	f = testfs_find(&fs, 0, "live.bin");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(f->size, 3 * BLOCK);
	CU_ASSERT(f->ok);
	uftp_client_get_stats(c, &st);
	CU_ASSERT_EQUAL(st.sessions_evicted, FLOOD - 15);
	CU_ASSERT_EQUAL(st.sessions_refused, 0);
	CU_ASSERT_EQUAL(st.events_lost, 0);
	uftp_client_free(c);
}

/* With every slot registered, a newcomer is refused (counted, logged) and nobody is displaced. */
static void test_full_table_refuses(void)
{
	struct uftp_client *c = client(2);
	struct uftp_msg m = {.func = UFTP_MSG_REG_CONF};
	struct uftp_peer s2 = {{4, {198, 18, 1, 66}}, 2001};
	struct uftp_core_stats st;
	unsigned long lines;

	registered(c, SEC);
	CU_ASSERT_EQUAL(forged_announce(c, 1, SEC), 0);
	m.u.reg_conf.ids = us();
	CU_ASSERT_EQUAL(
	    uftp_client_on_datagram(c, &s2, pkt, build(0x0BAD0001u, 0x70000001u, &m, 0x6a), SEC),
	    0);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_CONNECT), 1);
	lines = tenv.warns;
	CU_ASSERT_EQUAL(forged_announce(c, 2, 2 * SEC), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(forged_announce(c, 3, 2 * SEC + 1), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(tenv.warns, lines + 1); /* one warning a second at most */
	CU_ASSERT_EQUAL(forged_announce(c, 4, 3 * SEC + 1), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(tenv.warns, lines + 2);
	CU_ASSERT_EQUAL(uftp_client_session_count(c), 2);
	CU_ASSERT_EQUAL(count_events(c, UFTP_CEV_ABORTED), 0);
	uftp_client_get_stats(c, &st);
	CU_ASSERT_EQUAL(st.sessions_refused, 3);
	CU_ASSERT_EQUAL(st.sessions_evicted, 0);
	uftp_client_free(c);
}

static const struct cutest tests[] = {
    CUTEST(test_flood_memberships),
    CUTEST(test_flood_keeps_registered),
    CUTEST(test_full_table_refuses),
    CUTEST(test_checkpoint),
    CUTEST(test_write_failures),
    CUTEST(test_preview),
    CUTEST(test_heartbeat),
    CUTEST(test_restart_resume),
    CUTEST(test_shutdown),
    CUTEST(test_response_proxy),
    CUTEST(test_ecdh_rsa_client_auth),
    CUTEST(test_temp_dir),
    CUTEST(test_cc_rate),
    CUTEST(test_cc_ack),
    CUTEST(test_cc_own_rtt),
    CUTEST(test_cc_loss_event),
    CUTEST(test_cc_event_grtt),
    CUTEST(test_cc_repair_pass),
    CUTEST(test_cc_suppression),
    CUTEST(test_register_timing),
    CUTEST(test_closed_group),
    CUTEST(test_status_bitmap),
    CUTEST(test_status_size),
    CUTEST(test_stale_fileinfo),
    CUTEST(test_rejected_names),
    CUTEST(test_stray_abort),
    CUTEST(test_garbage),
    CUTEST(test_session_end),
    CUTEST(test_idle_timeout),
    CUTEST(test_eviction),
    CUTEST(test_rsa_gcm_handshake),
};
CUTEST_MAIN("client", tests)
