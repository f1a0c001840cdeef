/* SPDX-License-Identifier: BSD-2-Clause */
/* ABORT, HB_REQ, HB_RESP, KEY_REQ, PROXY_KEY, CONG_CTRL, CC_ACK. */
#include "config.h"

#include "tests/unit/test_msg.h"

static const char abort_text[] = "No client key compatible with server key";

/* Captured: a client's ABORT (tests/vectors/abort_keytype.pkts pkt 1), 308 bytes. */
static size_t abort_vec(uint8_t *v)
{
	size_t n = vec("13"
	               "4d" /* ABORT, 77 words = 308 */
	               "00"
	               "00"        /* flags none, reserved */
	               "00000000", /* host 0: the sender itself */
	               v);

	memset(v + n, 0, UFTP_ABORT_TEXT_LEN); /* message: text, NUL padded to 300 */
	memcpy(v + n, abort_text, strlen(abort_text));
	return n + UFTP_ABORT_TEXT_LEN;
}

static void test_abort(void)
{
	uint8_t v[VEC_MAX], out[VEC_MAX];
	size_t n = abort_vec(v);
	struct uftp_msg m;
	struct uftp_abort *a = &m.u.abort;

	check_all(UFTP_MSG_ABORT, v, n, 308, 308);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ABORT, v, n), 308);
	CU_ASSERT_EQUAL(a->flags, 0);
	CU_ASSERT_EQUAL(a->host, 0);
	CU_ASSERT_EQUAL(a->text, v + 8);
	CU_ASSERT_EQUAL(a->text_len, strlen(abort_text));
	/* a server aborting one client for the current file, 300 bytes of text */
	a->flags = UFTP_ABORT_CURRENT_FILE;
	a->host = 0xc612000b;
	memset(out + 400, 'z', 300);
	a->text = out + 400;
	a->text_len = 300;
	CU_ASSERT_EQUAL_FATAL(uftp_encode_msg(v, sizeof(v), &m), 308);
	CU_ASSERT_EQUAL(v[2], UFTP_ABORT_CURRENT_FILE);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_ABORT, v, 308), 308);
	CU_ASSERT_EQUAL(a->host, 0xc612000bU);
	CU_ASSERT_EQUAL(a->text_len, 300);
	a->text_len = 301;
	CU_ASSERT_EQUAL(uftp_encode_msg(v, sizeof(v), &m), UFTP_ERR_INVALID);
	/* trailing bytes, header length in the middle of the text */
	n = abort_vec(v);
	memset(v + n, 0, 4);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_ABORT, v, n + 4), UFTP_ERR_BADLEN);
	v[1] = 76;
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_ABORT, v, n), UFTP_ERR_BADLEN);
}

/* Hand-built HB_REQ: EC blob (4 + 5) and a 7-byte signed nonce, padded by 0. */
static const char hb_req[] = "0e"
                             "07"
                             "0000" /* HB_REQ, 7 words, reserved */
                             "0009"
                             "0007"     /* key length 9, signed nonce length 7 */
                             "12345678" /* nonce */
                             "02"
                             "17"
                             "0005"
                             "0411223344"      /* EC blob, secp256r1 */
                             "aabbccddeeff00"; /* signed nonce; 28 bytes, no padding */

static void test_hb_req(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(hb_req, v);
	struct uftp_msg m;
	struct uftp_hb_req *h = &m.u.hb_req;

	check_all(UFTP_MSG_HB_REQ, v, n, 12, 28);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_HB_REQ, v, n), 28);
	CU_ASSERT_EQUAL(h->nonce, 0x12345678U);
	CU_ASSERT_EQUAL(h->pubkey, v + 12);
	CU_ASSERT_EQUAL(h->pubkey_len, 9);
	CU_ASSERT_EQUAL(h->sig, v + 21);
	CU_ASSERT_EQUAL(h->sig_len, 7);
	/* unauthenticated: no key, no signature */
	n = vec("0e03000000000000"
	        "00000000",
	        v);
	check_all(UFTP_MSG_HB_REQ, v, n, 12, 12);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_HB_REQ, v, n), 12);
	CU_ASSERT_EQUAL(h->pubkey, NULL);
	CU_ASSERT_EQUAL(h->sig_len, 0);
	/* bad key and signature lengths */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_HB_REQ, hb_req, 5, 0x0a), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_HB_REQ, hb_req, 5, 0x08), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_HB_REQ, hb_req, 7, 0x08), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_HB_REQ, hb_req, 13, 0x1a), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_HB_REQ, hb_req, "00000000"), UFTP_ERR_BADLEN);
}

/* Hand-built HB_RESP: challenge with a nonce. */
static const char hb_resp[] = "0f"
                              "02" /* HB_RESP, 2 words */
                              "02"
                              "00"        /* HB_AUTH_CHALLENGE, reserved */
                              "cafebabe"; /* nonce */

static void test_hb_resp(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(hb_resp, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_HB_RESP, v, n, 8, 8);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_HB_RESP, v, n), 8);
	CU_ASSERT_EQUAL(m.u.hb_resp.authenticated, UFTP_HB_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(m.u.hb_resp.nonce, 0xcafebabeU);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_HB_RESP, hb_resp, "00"), UFTP_ERR_BADLEN);
}

static void test_key_req(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec("10"
	               "01"
	               "0000",
	               v); /* KEY_REQ, 1 word, reserved */
	struct uftp_msg m;

	check_all(UFTP_MSG_KEY_REQ, v, n, 4, 4);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_KEY_REQ, v, n), 4);
	CU_ASSERT_EQUAL(m.u.key_req.ext_len, 0);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_KEY_REQ, "10010000", "0000"), UFTP_ERR_BADLEN);
	/* with an unknown extension, kept verbatim */
	n = vec("10"
	        "02"
	        "0000"
	        "99"
	        "01"
	        "abcd",
	        v);
	check_all(UFTP_MSG_KEY_REQ, v, n, 4, 8);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_KEY_REQ, "1002000099010000", 5, 0), UFTP_ERR_BADLEN);
}

/* Hand-built PROXY_KEY: RSA blob (16), EC DH blob (4 + 3), 6-byte signed nonce, pad 3. */
static const char proxy_key[] = "11"
                                "0b" /* PROXY_KEY, 11 words = 12 + 29 + 3 */
                                "0010"
                                "0007"
                                "0006"     /* key, DH key, signed nonce lengths */
                                "01020304" /* nonce */
                                "01"
                                "00"
                                "0008"
                                "00010001"
                                "c0ffee0123456789" /* RSA blob */
                                "02"
                                "19"
                                "0003"
                                "040506"       /* EC blob, secp521r1 */
                                "a1a2a3a4a5a6" /* signed nonce */
                                "000000";      /* padding */

static void test_proxy_key(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(proxy_key, v);
	struct uftp_msg m;
	struct uftp_proxy_key *p = &m.u.proxy_key;

	check_all(UFTP_MSG_PROXY_KEY, v, n, 12, 44);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_PROXY_KEY, v, n), 44);
	CU_ASSERT_EQUAL(p->nonce, 0x01020304U);
	CU_ASSERT_EQUAL(p->pubkey, v + 12);
	CU_ASSERT_EQUAL(p->pubkey_len, 16);
	CU_ASSERT_EQUAL(p->dhkey, v + 28);
	CU_ASSERT_EQUAL(p->dhkey_len, 7);
	CU_ASSERT_EQUAL(p->sig, v + 35);
	CU_ASSERT_EQUAL(p->sig_len, 6);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_PROXY_KEY, proxy_key, 3, 0x00), UFTP_ERR_BADLEN);
	/* a shorter key leaves the tail of the header as a bogus extension area */
	CU_ASSERT(dec_patched(UFTP_MSG_PROXY_KEY, proxy_key, 5, 0x08) < 0);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_PROXY_KEY, proxy_key, 5, 0x06), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_PROXY_KEY, proxy_key, 7, 0x0a), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_PROXY_KEY, proxy_key, 29, 0x00),
	                UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_PROXY_KEY, proxy_key, "00000000"), UFTP_ERR_BADLEN);
	/* without a DH key */
	n = vec("1108"
	        "0010"
	        "0000"
	        "0004"
	        "01020304"
	        "01000008"
	        "00010001"
	        "c0ffee0123456789"
	        "a1a2a3a4",
	        v);
	check_all(UFTP_MSG_PROXY_KEY, v, n, 12, 32);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_PROXY_KEY, v, n), 32);
	CU_ASSERT_EQUAL(p->dhkey, NULL);
}

/* Captured: CONG_CTRL with one item (tests/vectors/tfmcc.pkts pkt 25). */
static const char cong_ctrl[] = "14"
                                "04"
                                "0000" /* CONG_CTRL, 4 words, reserved */
                                "0000"
                                "481e" /* CC sequence 0, CC rate */
                                "6b027892"
                                "0001ee1d" /* timestamp */
                                "c612000b"
                                "07"
                                "6a"
                                "0000"; /* item: client, CLR|RTT|START, RTT */

static void test_cong_ctrl(void)
{
	uint8_t v[VEC_MAX], out[32];
	size_t n = vec(cong_ctrl, v);
	struct uftp_msg m;
	struct uftp_cc_item it;

	check_all(UFTP_MSG_CONG_CTRL, v, n, 16, 16);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_CONG_CTRL, v, n), 24);
	CU_ASSERT_EQUAL(m.u.cong_ctrl.cc_rate, 0x481e);
	CU_ASSERT_EQUAL(m.u.cong_ctrl.tstamp_sec, 0x6b027892U);
	CU_ASSERT_EQUAL(m.u.cong_ctrl.item_count, 1);
	it = uftp_cong_ctrl_get(&m.u.cong_ctrl, 0);
	CU_ASSERT_EQUAL(it.client_id, 0xc612000bU);
	CU_ASSERT_EQUAL(it.flags, UFTP_CC_CLR | UFTP_CC_RTT | UFTP_CC_START);
	CU_ASSERT_EQUAL(it.rtt, 0x6a);
	CU_ASSERT_EQUAL(uftp_cc_items_pack(out, sizeof(out), &it, 1), 8);
	CU_ASSERT_EQUAL(memcmp(out, v + 16, 8), 0);
	CU_ASSERT_EQUAL(uftp_cc_items_pack(out, 7, &it, 1), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_CONG_CTRL, cong_ctrl, "c612000c"), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_CONG_CTRL, cong_ctrl, "c612000c01020000"), 32);
}

/* Captured: CC_ACK with EXT_TFMCC_ACK_INFO (tests/vectors/tfmcc.pkts pkt 26). */
static const char cc_ack[] = "15"
                             "06"
                             "0000" /* CC_ACK, 6 words, reserved */
                             "03"
                             "05"
                             "06"
                             "00" /* TFMCC_ACK_INFO, CC_RTT|CC_START */
                             "0000"
                             "b854"     /* CC sequence, CC rate */
                             "c612000b" /* client ID */
                             "6b027892"
                             "0001ee20"; /* timestamp echoed */

static void test_cc_ack(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(cc_ack, v);
	struct uftp_msg m;
	struct uftp_ext_tfmcc_ack_info a;

	check_all(UFTP_MSG_CC_ACK, v, n, 4, 24);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_CC_ACK, v, n), 24);
	CU_ASSERT_EQUAL(m.u.cc_ack.ext, v + 4);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_tfmcc_ack_info(&a, m.u.cc_ack.ext, 20), 20);
	CU_ASSERT_EQUAL(a.cc_rate, 0xb854);
	CU_ASSERT_EQUAL(a.tstamp_usec, 0x1ee20);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CC_ACK, cc_ack, 5, 0), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_CC_ACK, cc_ack, 5, 6), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_CC_ACK, cc_ack, "00000000"), UFTP_ERR_BADLEN);
}

static const struct cutest tests[] = {
    CUTEST(test_abort),     CUTEST(test_hb_req),    CUTEST(test_hb_resp), CUTEST(test_key_req),
    CUTEST(test_proxy_key), CUTEST(test_cong_ctrl), CUTEST(test_cc_ack),
};

CUTEST_MAIN("msg_misc", tests)
