/* SPDX-License-Identifier: BSD-2-Clause */
/* ANNOUNCE, REGISTER, CLIENT_KEY, REG_CONF, KEYINFO, KEYINFO_ACK. */
#include "config.h"

#include "tests/unit/test_msg.h"

/* REFERENCE-NOTES' example ANNOUNCE, closed group of one client. */
static const char announce_ref[] = "01"        /* function ANNOUNCE */
                                   "06"        /* header length 6 words */
                                   "00"        /* flags: none */
                                   "14"        /* robust 20 */
                                   "00"        /* CC type none */
                                   "00"        /* reserved */
                                   "0514"      /* block size 1300 */
                                   "6b027812"  /* timestamp seconds */
                                   "0003cf69"  /* timestamp microseconds */
                                   "e6040401"  /* public 230.4.4.1 */
                                   "e60505b4"  /* private 230.5.5.180 */
                                   "c612000b"; /* client ID 198.18.0.11 */

/* Captured from the real 4.10.2 server: IPv6, open group (tests/vectors/ipv6.pkts pkt 0). */
static const char announce_v6[] = "01"
                                  "0c" /* ANNOUNCE, 12 words */
                                  "04"
                                  "14" /* flags IPV6, robust 20 */
                                  "00"
                                  "00"
                                  "0514" /* CC none, reserved, block 1300 */
                                  "6b027885"
                                  "000360c4"                          /* timestamp */
                                  "ff150000000000000000000400040001"  /* public ff15::4:4:1 */
                                  "ff1500000000000000000005000500b4"; /* private ff15::5:5:b4 */

/*
 * Hand-built: an unknown extension (type 0x42, 1 word) then EXT_ENC_INFO
 * with RSA key exchange: 8-byte-modulus RSA blob, no DH key, no signature.
 */
static const char announce_enc[] =
    "01"
    "16" /* ANNOUNCE, 22 words = 24 fixed + 4 + 60 */
    "00"
    "03" /* flags none, robust 3 */
    "02"
    "00"
    "05dc" /* CC TFMCC, reserved, block 1500 */
    "00000001"
    "00000002" /* timestamp */
    "e6040401"
    "e6050501" /* addresses */
    "42"
    "01"
    "ffff" /* unknown extension: skipped, kept */
    "01"
    "0f" /* ENC_INFO, 15 words = 60: no padding needed */
    "00"
    "12" /* flags none, key exchange RSA (1), signature KEYEX (2) */
    "04"
    "03" /* AES256-CBC, SHA-256 */
    "0010"
    "0000"
    "0000" /* key len 16, DH len 0, sig len 0 */
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" /* random */
    "01"
    "00"
    "0008"
    "00010001"
    "c0ffee0123456789" /* RSA blob */
    "c612000b"
    "c612000c"; /* client IDs */

static void test_announce_ref(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(announce_ref, v);
	struct uftp_msg m;
	struct uftp_announce *a = &m.u.announce;

	check_all(UFTP_MSG_ANNOUNCE, v, n, 24, 24);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ANNOUNCE, v, n), 28);
	CU_ASSERT_EQUAL(a->flags, 0);
	CU_ASSERT_EQUAL(a->robust, 20);
	CU_ASSERT_EQUAL(a->cc_type, UFTP_CC_NONE);
	CU_ASSERT_EQUAL(a->block_size, 1300);
	CU_ASSERT_EQUAL(a->tstamp_sec, 0x6b027812U);
	CU_ASSERT_EQUAL(a->tstamp_usec, 0x3cf69U);
	CU_ASSERT_EQUAL(a->pub_addr.family, 4);
	CU_ASSERT_EQUAL(memcmp(a->pub_addr.addr, "\xe6\x04\x04\x01", 4), 0);
	CU_ASSERT_EQUAL(memcmp(a->priv_addr.addr, "\xe6\x05\x05\xb4", 4), 0);
	CU_ASSERT_EQUAL(a->ext_len, 0);
	CU_ASSERT_EQUAL(a->ids.count, 1);
	CU_ASSERT_EQUAL(uftp_idlist_get(&a->ids, 0), 0xc612000bU);
}

static void test_announce_v6(void)
{
	uint8_t v[VEC_MAX], out[VEC_MAX];
	size_t n = vec(announce_v6, v);
	struct uftp_msg m;
	struct uftp_announce *a = &m.u.announce;

	check_all(UFTP_MSG_ANNOUNCE, v, n, 48, 48);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ANNOUNCE, v, n), 48);
	CU_ASSERT_EQUAL(a->flags, UFTP_ANNOUNCE_IPV6);
	CU_ASSERT_EQUAL(a->pub_addr.family, 6);
	CU_ASSERT_EQUAL(a->priv_addr.family, 6);
	CU_ASSERT_EQUAL(a->priv_addr.addr[15], 0xb4);
	CU_ASSERT_EQUAL(a->ids.count, 0);
	CU_ASSERT_EQUAL(a->ids.ptr, NULL);
	a->priv_addr.family = 4; /* families must follow the IPV6 flag */
	CU_ASSERT_EQUAL(uftp_encode_announce(out, sizeof(out), a), UFTP_ERR_INVALID);
	/* the same bytes read as IPv4 leave 24 stray bytes: an ID list of 6 */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_v6, 2, 0), UFTP_ERR_BADLEN);
	/* an IPv4 packet flagged IPv6 is shorter than the IPv6 fixed part */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_ref, 2, 4), UFTP_ERR_TRUNCATED);
}

static void test_announce_enc(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(announce_enc, v);
	struct uftp_msg m;
	struct uftp_announce *a = &m.u.announce;
	struct uftp_ext e;
	struct uftp_ext_enc_info ei;

	check_all(UFTP_MSG_ANNOUNCE, v, n, 24, 88);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ANNOUNCE, v, n), 96);
	CU_ASSERT_EQUAL(a->cc_type, UFTP_CC_TFMCC);
	CU_ASSERT_EQUAL(a->ext, v + 24);
	CU_ASSERT_EQUAL(a->ext_len, 64);
	CU_ASSERT_EQUAL(uftp_ext_validate(a->ext, a->ext_len), 2);
	CU_ASSERT_EQUAL_FATAL(uftp_ext_find(a->ext, a->ext_len, UFTP_EXT_ENC_INFO, &e), 1);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_enc_info(&ei, e.ptr, e.len), 60);
	CU_ASSERT_EQUAL(ei.keyextype, UFTP_KEYEX_RSA);
	CU_ASSERT_EQUAL(ei.sigtype, UFTP_SIG_KEYEX);
	CU_ASSERT_EQUAL(ei.pubkey_len, 16);
	CU_ASSERT_EQUAL(ei.dhkey, NULL);
	CU_ASSERT_EQUAL(ei.sig_len, 0);
	CU_ASSERT_EQUAL(a->ids.count, 2);
	CU_ASSERT_EQUAL(uftp_idlist_get(&a->ids, 1), 0xc612000cU);
}

static void test_announce_errors(void)
{
	struct uftp_msg m;
	uint8_t v[VEC_MAX], out[VEC_MAX];
	size_t n;

	/* ID list not a multiple of 4 */
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_ANNOUNCE, announce_ref, "00"), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_ANNOUNCE, announce_ref, "c612000c"), 32);
	/* zero-length extension */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_enc, 25, 0), UFTP_ERR_BADLEN);
	/* extension running past the header length */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_enc, 29, 16), UFTP_ERR_BADLEN);
	/* header length cutting an extension in half */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_enc, 1, 8), UFTP_ERR_BADLEN);
	/* header length taking in the first client ID as an extension (type 0xc6, 18 words) */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ANNOUNCE, announce_enc, 1, 23), UFTP_ERR_BADLEN);
	/* an encoder refuses a malformed extension area */
	n = vec(announce_enc, v);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ANNOUNCE, v, n), (ssize_t)n);
	m.u.announce.ext_len = 6;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
	m.u.announce.ext_len = 8;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
	m.u.announce.ext_len = 1024;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
}

/* Captured: REGISTER without encryption (tests/vectors/closed.pkts pkt 1). */
static const char register_plain[] =
    "02"
    "0b"   /* REGISTER, 11 words */
    "0000" /* key info length 0 */
    "6b027812"
    "0003cfae" /* timestamp echoed */
    "0000000000000000000000000000000000000000000000000000000000000000";
/* client random: zero when unencrypted */

/* Hand-built: 5 bytes of key info (padded to 8), one relayed client ID. */
static const char register_key[] = "02"
                                   "0d"   /* REGISTER, 13 words = 44 + 5 + 3 */
                                   "0005" /* key info length 5 */
                                   "00000010"
                                   "00000020" /* timestamp */
                                   "000102030405060708090a0b0c0d0e0f"
                                   "101112131415161718191a1b1c1d1e1f" /* client random */
                                   "0217000130" /* key info: a 1-byte EC blob */
                                   "000000"     /* padding */
                                   "c612000d";  /* client ID */

static void test_register(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(register_key, v);
	struct uftp_msg m;
	struct uftp_register *r = &m.u.reg;

	n = vec(register_plain, v);
	check_all(UFTP_MSG_REGISTER, v, n, 44, 44);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_REGISTER, v, n), 44);
	CU_ASSERT_EQUAL(r->keyinfo, NULL);
	CU_ASSERT_EQUAL(r->keyinfo_len, 0);
	CU_ASSERT_EQUAL(r->tstamp_usec, 0x3cfae);
	n = vec(register_key, v);
	check_all(UFTP_MSG_REGISTER, v, n, 44, 52);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_REGISTER, v, n), 56);
	CU_ASSERT_EQUAL(r->tstamp_sec, 0x10);
	CU_ASSERT_EQUAL(r->rand, v + 12);
	CU_ASSERT_EQUAL(r->keyinfo, v + 44);
	CU_ASSERT_EQUAL(r->keyinfo_len, 5);
	CU_ASSERT_EQUAL(r->ext_len, 0);
	CU_ASSERT_EQUAL(r->ids.count, 1);
	CU_ASSERT_EQUAL(uftp_idlist_get(&r->ids, 0), 0xc612000dU);
}

static void test_register_errors(void)
{
	/* key info running past the header length */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_REGISTER, register_key, 3, 9), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_REGISTER, register_key, 2, 1), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_REGISTER, register_plain, 3, 1), UFTP_ERR_BADLEN);
	/* shorter key info leaves a 4-byte extension area starting 0x30 0x00: zero length */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_REGISTER, register_key, 3, 1), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_REGISTER, register_key, "0000"), UFTP_ERR_BADLEN);
}

/* Hand-built CLIENT_KEY: 16-byte RSA blob, 6 bytes of signed verify data, 2 padding. */
static const char client_key[] = "03"
                                 "08"   /* CLIENT_KEY, 8 words */
                                 "0000" /* reserved */
                                 "0010"
                                 "0006" /* key length 16, verify length 6 */
                                 "01"
                                 "00"
                                 "0008"
                                 "00010001"
                                 "c0ffee0123456789" /* RSA blob */
                                 "5555aaaa5555"     /* signed verify data */
                                 "0000";            /* padding */

static void test_client_key(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(client_key, v);
	struct uftp_msg m;
	struct uftp_client_key *c = &m.u.client_key;
	struct uftp_keyblob kb;

	check_all(UFTP_MSG_CLIENT_KEY, v, n, 8, 32);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_CLIENT_KEY, v, n), 32);
	CU_ASSERT_EQUAL(c->pubkey, v + 8);
	CU_ASSERT_EQUAL(c->pubkey_len, 16);
	CU_ASSERT_EQUAL(c->verify, v + 24);
	CU_ASSERT_EQUAL(c->verify_len, 6);
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, c->pubkey, c->pubkey_len), 16);
	CU_ASSERT_EQUAL(kb.exponent, 65537);
	/* key length disagreeing with the blob's modulus length */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 5, 0x0f), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 11, 0x09), UFTP_ERR_TRUNCATED);
	/* lengths past the header */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 7, 0x09), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 5, 0x20), UFTP_ERR_BADLEN);
	/* no key at all, unknown blob type */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 5, 0x00), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CLIENT_KEY, client_key, 8, 0x07),
	                UFTP_ERR_UNKNOWN_TYPE);
	/* CLIENT_KEY has no body */
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_CLIENT_KEY, client_key, "c612000b"), UFTP_ERR_BADLEN);
}

/* Captured: REG_CONF for two clients (tests/vectors/closed.pkts pkt 3). */
static const char reg_conf[] = "04"
                               "01"
                               "0000" /* REG_CONF, 1 word, reserved */
                               "c612000b"
                               "c612000c"; /* client IDs */

static void test_reg_conf(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(reg_conf, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_REG_CONF, v, n, 4, 4);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_REG_CONF, v, n), 12);
	CU_ASSERT_EQUAL(m.u.reg_conf.ids.count, 2);
	CU_ASSERT_EQUAL(uftp_idlist_get(&m.u.reg_conf.ids, 1), 0xc612000cU);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_REG_CONF, reg_conf, "0102"), UFTP_ERR_BADLEN);
	/* header length 2 turns the first client ID into an extension 0xc6 of 18 words */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_REG_CONF, reg_conf, 1, 2), UFTP_ERR_BADLEN);
}

/* Hand-built KEYINFO for two clients. */
static const char keyinfo[] = "05"
                              "03"
                              "0000" /* KEYINFO, 3 words, reserved */
                              "00000000"
                              "0000002a" /* IV counter 42 */
                              "c612000b" /* client 1 */
                              "1111111111111111111111111111111111111111111111111111111111111111"
                              "11111111111111111111111111111111" /* encrypted group master (48) */
                              "c612000c"                         /* client 2 */
                              "2222222222222222222222222222222222222222222222222222222222222222"
                              "22222222222222222222222222222222";

static void test_keyinfo(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(keyinfo, v);
	struct uftp_msg m;
	struct uftp_destkey dk;

	check_all(UFTP_MSG_KEYINFO, v, n, 12, 12);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_KEYINFO, v, n), 116);
	CU_ASSERT_EQUAL(m.u.keyinfo.iv_ctr, 42);
	CU_ASSERT_EQUAL(m.u.keyinfo.key_count, 2);
	dk = uftp_keyinfo_get(&m.u.keyinfo, 1);
	CU_ASSERT_EQUAL(dk.client_id, 0xc612000cU);
	CU_ASSERT_EQUAL(dk.groupmaster, v + 12 + 52 + 4);
	/* a body that is not whole 52-byte items */
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_KEYINFO, keyinfo, "c612000d"), UFTP_ERR_BADLEN);
}

/* Hand-built KEYINFO_ACK (it only travels encrypted). */
static const char keyinfo_ack[] = "06"
                                  "04"
                                  "0000"                      /* KEYINFO_ACK, 4 words, reserved */
                                  "0102030405060708090a0b0c"; /* verify data */

static void test_keyinfo_ack(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(keyinfo_ack, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_KEYINFO_ACK, v, n, 16, 16);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_KEYINFO_ACK, v, n), 16);
	CU_ASSERT_EQUAL(m.u.keyinfo_ack.verify, v + 4);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_KEYINFO_ACK, keyinfo_ack, "00000000"),
	                UFTP_ERR_BADLEN);
	/* with a FREESPACE extension inside the header length */
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_KEYINFO_ACK, keyinfo_ack,
	                             "07030000"
	                             "0000000000000001"),
	                UFTP_ERR_BADLEN);
	n = vec("0607"
	        "0000"
	        "0102030405060708090a0b0c"
	        "07030000"
	        "0000000000000001",
	        v);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_KEYINFO_ACK, v, n), 28);
	CU_ASSERT_EQUAL(m.u.keyinfo_ack.ext_len, 12);
}

static const struct cutest tests[] = {
    CUTEST(test_announce_ref),    CUTEST(test_announce_v6), CUTEST(test_announce_enc),
    CUTEST(test_announce_errors), CUTEST(test_register),    CUTEST(test_register_errors),
    CUTEST(test_client_key),      CUTEST(test_reg_conf),    CUTEST(test_keyinfo),
    CUTEST(test_keyinfo_ack),
};

CUTEST_MAIN("msg_announce", tests)
