/* SPDX-License-Identifier: BSD-2-Clause */
/* UFTP header, dispatch, ID lists, extension areas, typed extensions, key blobs, ENCRYPTED. */
#include "config.h"

#include "tests/unit/test_msg.h"

static const char hdr_hex[] = "40"       /* UFTP ID 0x40 (spec says 0x30; binaries send 0x40) */
                              "12"       /* function ENCRYPTED (18) */
                              "0102"     /* sequence 0x0102 */
                              "c612000b" /* source ID 198.18.0.11 */
                              "deadbeef" /* group ID */
                              "03"       /* group instance */
                              "9a"       /* GRTT */
                              "20"       /* group size */
                              "00";      /* reserved */

static void test_header_vector(void)
{
	uint8_t v[VEC_MAX], out[UFTP_HEADER_LEN];
	size_t n = vec(hdr_hex, v);
	struct uftp_header h;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_header(&h, v, n), UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL(h.func, UFTP_MSG_ENCRYPTED);
	CU_ASSERT_EQUAL(h.seq, 0x0102);
	CU_ASSERT_EQUAL(h.src_id, 0xc612000bU);
	CU_ASSERT_EQUAL(h.group_id, 0xdeadbeefU);
	CU_ASSERT_EQUAL(h.group_inst, 3);
	CU_ASSERT_EQUAL(h.grtt, 0x9a);
	CU_ASSERT_EQUAL(h.gsize, 0x20);
	CU_ASSERT_EQUAL(uftp_encode_header(out, sizeof(out), &h), UFTP_HEADER_LEN);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < UFTP_HEADER_LEN; len++) {
		CU_ASSERT_EQUAL(uftp_decode_header(&h, v, len), UFTP_ERR_TRUNCATED);
		CU_ASSERT_EQUAL(uftp_encode_header(out, len, &h), UFTP_ERR_NOSPACE);
	}
}

static void test_header_errors(void)
{
	uint8_t v[VEC_MAX], out[32];
	size_t n = vec(hdr_hex, v);
	struct uftp_header h;

	v[0] = 0x30; /* the stale version of protocol.txt */
	CU_ASSERT_EQUAL(uftp_decode_header(&h, v, n), UFTP_ERR_VERSION);
	v[0] = UFTP_VERSION;
	v[1] = 0;
	CU_ASSERT_EQUAL(uftp_decode_header(&h, v, n), UFTP_ERR_UNKNOWN_TYPE);
	v[1] = UFTP_MSG_MAX + 1;
	CU_ASSERT_EQUAL(uftp_decode_header(&h, v, n), UFTP_ERR_UNKNOWN_TYPE);
	h.func = 0;
	CU_ASSERT_EQUAL(uftp_encode_header(out, sizeof(out), &h), UFTP_ERR_INVALID);
	h.func = 22;
	CU_ASSERT_EQUAL(uftp_encode_header(out, sizeof(out), &h), UFTP_ERR_INVALID);
}

static void test_msg_func(void)
{
	uint8_t b[1] = {UFTP_MSG_FILESEG};
	struct uftp_msg m;
	uint8_t out[8];

	CU_ASSERT_EQUAL(uftp_msg_func(b, 0), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_msg_func(b, 1), UFTP_MSG_FILESEG);
	b[0] = 0;
	CU_ASSERT_EQUAL(uftp_msg_func(b, 1), UFTP_ERR_UNKNOWN_TYPE);
	b[0] = 22;
	CU_ASSERT_EQUAL(uftp_msg_func(b, 1), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_STRING_EQUAL(uftp_msg_name(UFTP_MSG_KEYINFO_ACK), "KEYINFO_ACK");
	CU_ASSERT_STRING_EQUAL(uftp_msg_name(UFTP_MSG_CC_ACK), "CC_ACK");
	CU_ASSERT_STRING_EQUAL(uftp_msg_name(0), "?");
	CU_ASSERT_STRING_EQUAL(uftp_msg_name(99), "?");
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, 0, b, 1), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, 22, b, 1), UFTP_ERR_UNKNOWN_TYPE);
	m.func = 0;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
}

static void test_idlist(void)
{
	const uint32_t ids[3] = {0xc612000b, 1, 0xffffffff};
	const uint8_t want[12] = {0xc6, 0x12, 0, 0x0b, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
	uint8_t out[12];
	struct uftp_idlist l = {out, 3};

	CU_ASSERT_EQUAL(uftp_idlist_pack(out, sizeof(out), ids, 3), 12);
	CU_ASSERT_EQUAL(memcmp(out, want, 12), 0);
	CU_ASSERT_EQUAL(uftp_idlist_get(&l, 0), 0xc612000bU);
	CU_ASSERT_EQUAL(uftp_idlist_get(&l, 2), 0xffffffffU);
	CU_ASSERT_EQUAL(uftp_idlist_pack(out, 11, ids, 3), UFTP_ERR_NOSPACE);
}

/* An unknown extension (type 0x55, 1 word) followed by EXT_FREESPACE_INFO. */
static const char exts_hex[] = "55"
                               "01"
                               "abcd" /* unknown: type, 1 word, junk */
                               "07"
                               "03"
                               "0000" /* FREESPACE_INFO, 3 words, reserved */
                               "00000001"
                               "00000000"; /* free space 2^32 */

static void test_ext_iter(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(exts_hex, v);
	struct uftp_ext_iter it;
	struct uftp_ext e;
	struct uftp_ext_freespace_info fs;

	uftp_ext_iter_init(&it, v, n);
	CU_ASSERT_EQUAL_FATAL(uftp_ext_next(&it, &e), 1);
	CU_ASSERT_EQUAL(e.type, 0x55);
	CU_ASSERT_EQUAL(e.len, 4);
	CU_ASSERT_EQUAL_FATAL(uftp_ext_next(&it, &e), 1);
	CU_ASSERT_EQUAL(e.type, UFTP_EXT_FREESPACE_INFO);
	CU_ASSERT_EQUAL(e.ptr, v + 4);
	CU_ASSERT_EQUAL(uftp_ext_next(&it, &e), 0);
	CU_ASSERT_EQUAL(uftp_ext_validate(v, n), 2);
	CU_ASSERT_EQUAL(uftp_ext_validate(NULL, 0), 0);
	CU_ASSERT_EQUAL(uftp_ext_find(v, n, UFTP_EXT_FREESPACE_INFO, &e), 1);
	CU_ASSERT_EQUAL(uftp_decode_ext_freespace_info(&fs, e.ptr, e.len), 12);
	CU_ASSERT_EQUAL(fs.freespace, 0x100000000ULL);
	CU_ASSERT_EQUAL(uftp_ext_find(v, n, UFTP_EXT_ENC_INFO, &e), 0);
}

static void test_ext_iter_errors(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(exts_hex, v);
	struct uftp_ext e;

	CU_ASSERT_EQUAL(uftp_ext_validate(v, 1), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_ext_validate(v, 5), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_ext_validate(v, 6), UFTP_ERR_BADLEN); /* runs past the end */
	CU_ASSERT_EQUAL(uftp_ext_validate(v, n - 4), UFTP_ERR_BADLEN);
	v[1] = 0; /* zero Extension Length */
	CU_ASSERT_EQUAL(uftp_ext_validate(v, n), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(uftp_ext_find(v, n, 7, &e), UFTP_ERR_BADLEN);
	v[1] = 4; /* covers the next extension too: consistent */
	CU_ASSERT_EQUAL(uftp_ext_validate(v, n), 1);
	v[1] = 5;
	CU_ASSERT_EQUAL(uftp_ext_validate(v, n), UFTP_ERR_BADLEN);
}

static const char tfmcc_data_hex[] = "02"
                                     "02"    /* TFMCC_DATA_INFO, 2 words */
                                     "1234"  /* send rate */
                                     "0007"  /* CC sequence */
                                     "8765"; /* CC rate */

static const char tfmcc_ack_hex[] = "03"
                                    "05" /* TFMCC_ACK_INFO, 5 words */
                                    "06"
                                    "00" /* flags CC_RTT|CC_START, reserved */
                                    "0007"
                                    "8765"      /* CC sequence, CC rate */
                                    "c612000b"  /* client ID */
                                    "655d1c80"  /* timestamp seconds */
                                    "0007a120"; /* timestamp microseconds */

static const char freespace_hex[] = "07"
                                    "03"
                                    "0000"              /* FREESPACE_INFO, 3 words, reserved */
                                    "0000000123456789"; /* free space */

static void test_ext_tfmcc_data(void)
{
	uint8_t v[VEC_MAX], out[64];
	size_t n = vec(tfmcc_data_hex, v), len;
	struct uftp_ext_tfmcc_data_info d;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_tfmcc_data_info(&d, v, n), 8);
	CU_ASSERT_EQUAL(d.send_rate, 0x1234);
	CU_ASSERT_EQUAL(d.cc_seq, 7);
	CU_ASSERT_EQUAL(d.cc_rate, 0x8765);
	CU_ASSERT_EQUAL(uftp_encode_ext_tfmcc_data_info(out, sizeof(out), &d), 8);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++) {
		CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_data_info(&d, v, len), UFTP_ERR_TRUNCATED);
		CU_ASSERT_EQUAL(uftp_encode_ext_tfmcc_data_info(out, len, &d), UFTP_ERR_NOSPACE);
	}
	v[1] = 3;
	CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_data_info(&d, v, n), UFTP_ERR_BADLEN);
	v[1] = 2;
	v[0] = 3;
	CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_data_info(&d, v, n), UFTP_ERR_BADVALUE);
}

static void test_ext_tfmcc_ack(void)
{
	uint8_t v[VEC_MAX], out[64];
	size_t n = vec(tfmcc_ack_hex, v), len;
	struct uftp_ext_tfmcc_ack_info a;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_tfmcc_ack_info(&a, v, n), 20);
	CU_ASSERT_EQUAL(a.flags, UFTP_CC_RTT | UFTP_CC_START);
	CU_ASSERT_EQUAL(a.cc_seq, 7);
	CU_ASSERT_EQUAL(a.cc_rate, 0x8765);
	CU_ASSERT_EQUAL(a.client_id, 0xc612000bU);
	CU_ASSERT_EQUAL(a.tstamp_sec, 0x655d1c80U);
	CU_ASSERT_EQUAL(a.tstamp_usec, 500000);
	CU_ASSERT_EQUAL(uftp_encode_ext_tfmcc_ack_info(out, sizeof(out), &a), 20);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++) {
		CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_ack_info(&a, v, len), UFTP_ERR_TRUNCATED);
		CU_ASSERT_EQUAL(uftp_encode_ext_tfmcc_ack_info(out, len, &a), UFTP_ERR_NOSPACE);
	}
	v[1] = 4;
	CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_ack_info(&a, v, n), UFTP_ERR_BADLEN);
	v[1] = 5;
	v[0] = 2;
	CU_ASSERT_EQUAL(uftp_decode_ext_tfmcc_ack_info(&a, v, n), UFTP_ERR_BADVALUE);
}

static void test_ext_freespace(void)
{
	uint8_t v[VEC_MAX], out[64];
	size_t n = vec(freespace_hex, v), len;
	struct uftp_ext_freespace_info f;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_freespace_info(&f, v, n), 12);
	CU_ASSERT_EQUAL(f.freespace, 0x123456789ULL);
	CU_ASSERT_EQUAL(uftp_encode_ext_freespace_info(out, sizeof(out), &f), 12);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++) {
		CU_ASSERT_EQUAL(uftp_decode_ext_freespace_info(&f, v, len), UFTP_ERR_TRUNCATED);
		CU_ASSERT_EQUAL(uftp_encode_ext_freespace_info(out, len, &f), UFTP_ERR_NOSPACE);
	}
	v[1] = 2;
	CU_ASSERT_EQUAL(uftp_decode_ext_freespace_info(&f, v, n), UFTP_ERR_BADLEN);
}

/*
 * EXT_ENC_INFO with ECDH_ECDSA: EC public key blob (4 + 5), EC DH blob
 * (4 + 3) and a 6-byte signature packed back to back, 2 bytes of padding.
 */
static const char enc_info_hex[] = "01"
                                   "11" /* ENC_INFO, 17 words = 68 bytes */
                                   "01" /* flags CLIENT_AUTH */
                                   "31" /* key exchange ECDH_ECDSA (3), signature HMAC (1) */
                                   "06"
                                   "03"   /* key type AES256-GCM, hash SHA-256 */
                                   "0009" /* public key length 9 */
                                   "0007" /* DH key length 7 */
                                   "0006" /* signature length 6 */
                                   "000102030405060708090a0b0c0d0e0f"
                                   "101112131415161718191a1b1c1d1e1f" /* server random */
                                   "02"
                                   "17"
                                   "0005"
                                   "0411223344" /* EC blob: secp256r1, 5-byte point */
                                   "02"
                                   "18"
                                   "0003"
                                   "045566"       /* EC blob: secp384r1, 3-byte point */
                                   "a1a2a3a4a5a6" /* signature */
                                   "0000";        /* padding */

static void test_ext_enc_info(void)
{
	uint8_t v[VEC_MAX], out[128];
	size_t n = vec(enc_info_hex, v), len;
	struct uftp_ext_enc_info e;

	CU_ASSERT_EQUAL_FATAL(n, 68);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_enc_info(&e, v, n), 68);
	CU_ASSERT_EQUAL(e.flags, UFTP_ENC_INFO_CLIENT_AUTH);
	CU_ASSERT_EQUAL(e.keyextype, UFTP_KEYEX_ECDH_ECDSA);
	CU_ASSERT_EQUAL(e.sigtype, UFTP_SIG_HMAC);
	CU_ASSERT_EQUAL(e.keytype, UFTP_KEY_AES256_GCM);
	CU_ASSERT_EQUAL(e.hashtype, UFTP_HASH_SHA256);
	CU_ASSERT_EQUAL(e.rand, v + 12);
	CU_ASSERT_EQUAL(e.pubkey, v + 44);
	CU_ASSERT_EQUAL(e.pubkey_len, 9);
	CU_ASSERT_EQUAL(e.dhkey, v + 53);
	CU_ASSERT_EQUAL(e.dhkey_len, 7);
	CU_ASSERT_EQUAL(e.sig, v + 60);
	CU_ASSERT_EQUAL(e.sig_len, 6);
	CU_ASSERT_EQUAL(uftp_encode_ext_enc_info(out, sizeof(out), &e), 68);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++) {
		CU_ASSERT_EQUAL(uftp_decode_ext_enc_info(&e, v, len), UFTP_ERR_TRUNCATED);
		CU_ASSERT_EQUAL(uftp_encode_ext_enc_info(out, len, &e), UFTP_ERR_NOSPACE);
	}
}

static ssize_t enc_info_patched(size_t off, uint8_t val)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(enc_info_hex, v);
	struct uftp_ext_enc_info e;

	v[off] = val;
	return uftp_decode_ext_enc_info(&e, v, n);
}

static void test_ext_enc_info_errors(void)
{
	CU_ASSERT_EQUAL(enc_info_patched(0, 2), UFTP_ERR_BADVALUE);       /* wrong type */
	CU_ASSERT_EQUAL(enc_info_patched(1, 10), UFTP_ERR_BADLEN);        /* below 44 bytes */
	CU_ASSERT_EQUAL(enc_info_patched(1, 16), UFTP_ERR_BADLEN);        /* parts overrun */
	CU_ASSERT_EQUAL(enc_info_patched(1, 18), UFTP_ERR_TRUNCATED);     /* past the data */
	CU_ASSERT_EQUAL(enc_info_patched(7, 0x0a), UFTP_ERR_BADLEN);      /* key len vs blob */
	CU_ASSERT_EQUAL(enc_info_patched(7, 0x00), UFTP_ERR_BADLEN);      /* parts don't fill it */
	CU_ASSERT_EQUAL(enc_info_patched(11, 0x0b), UFTP_ERR_BADLEN);     /* sig past the end */
	CU_ASSERT_EQUAL(enc_info_patched(11, 0x01), UFTP_ERR_BADLEN);     /* padding too long */
	CU_ASSERT_EQUAL(enc_info_patched(3, 0x11), UFTP_ERR_BADVALUE);    /* RSA with a DH key */
	CU_ASSERT_EQUAL(enc_info_patched(44, 9), UFTP_ERR_UNKNOWN_TYPE);  /* bad blob type */
	CU_ASSERT_EQUAL(enc_info_patched(45, 0), UFTP_ERR_UNKNOWN_TYPE);  /* curve 0 */
	CU_ASSERT_EQUAL(enc_info_patched(54, 26), UFTP_ERR_UNKNOWN_TYPE); /* DH curve 26 */
}

static const char rsa_blob_hex[] = "01"
                                   "00"                /* RSA blob, reserved */
                                   "0008"              /* modulus length 8 */
                                   "00010001"          /* exponent 65537 */
                                   "c0ffee0123456789"; /* modulus */

static void test_keyblob_rsa(void)
{
	uint8_t v[VEC_MAX], out[64];
	size_t n = vec(rsa_blob_hex, v), len;
	struct uftp_keyblob kb;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_keyblob(&kb, v, n), 16);
	CU_ASSERT_EQUAL(kb.type, UFTP_BLOB_RSA);
	CU_ASSERT_EQUAL(kb.exponent, 65537);
	CU_ASSERT_EQUAL(kb.modulus, v + 8);
	CU_ASSERT_EQUAL(kb.modulus_len, 8);
	CU_ASSERT_EQUAL(kb.point, NULL);
	CU_ASSERT_EQUAL(uftp_encode_keyblob(out, sizeof(out), &kb), 16);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++)
		CU_ASSERT_EQUAL(uftp_encode_keyblob(out, len, &kb), UFTP_ERR_NOSPACE);
	for (len = 0; len < n; len++)
		CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, len), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, n + 1), UFTP_ERR_BADLEN);
	v[2] = v[3] = 0;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, 8), UFTP_ERR_BADLEN);
	v[0] = 3;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, n), UFTP_ERR_UNKNOWN_TYPE);
	kb.type = 0;
	CU_ASSERT_EQUAL(uftp_encode_keyblob(out, sizeof(out), &kb), UFTP_ERR_INVALID);
}

static const char ec_blob_hex[] = "02"
                                  "17"   /* EC blob, secp256r1 */
                                  "0005" /* key length 5 */
                                  "0401020304"
                                  "000000"; /* zero padding to 12, as the reference pads */

static void test_keyblob_ec(void)
{
	uint8_t v[VEC_MAX], out[64];
	size_t n = vec(ec_blob_hex, v), len;
	struct uftp_keyblob kb;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_keyblob(&kb, v, n), 12);
	CU_ASSERT_EQUAL(kb.type, UFTP_BLOB_EC);
	CU_ASSERT_EQUAL(kb.curve, UFTP_CURVE_SECP256R1);
	CU_ASSERT_EQUAL(kb.point, v + 4);
	CU_ASSERT_EQUAL(kb.point_len, 5);
	CU_ASSERT_EQUAL(kb.modulus, NULL);
	CU_ASSERT_EQUAL(uftp_encode_keyblob(out, sizeof(out), &kb), 12);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (len = 0; len < n; len++)
		CU_ASSERT_EQUAL(uftp_encode_keyblob(out, len, &kb), UFTP_ERR_NOSPACE);
	for (len = 0; len < 9; len++)
		CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, len), UFTP_ERR_TRUNCATED);
	/* unpadded form accepted; partial padding and extra bytes are not */
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, 9), 9);
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, 10), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, 13), UFTP_ERR_BADLEN);
	v[11] = 1;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, n), UFTP_ERR_BADVALUE);
	v[11] = 0;
	v[1] = 26;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, n), UFTP_ERR_UNKNOWN_TYPE);
	v[1] = 0;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, n), UFTP_ERR_UNKNOWN_TYPE);
	v[1] = 23;
	v[2] = v[3] = 0;
	CU_ASSERT_EQUAL(uftp_decode_keyblob(&kb, v, 4), UFTP_ERR_BADLEN);
	kb.curve = 26;
	CU_ASSERT_EQUAL(uftp_encode_keyblob(out, sizeof(out), &kb), UFTP_ERR_INVALID);
	kb.curve = 23;
	kb.point_len = 0;
	CU_ASSERT_EQUAL(uftp_encode_keyblob(out, sizeof(out), &kb), UFTP_ERR_INVALID);
}

static const char encrypted_hex[] = "00000001"
                                    "00000002"         /* IV counter 0x100000002 */
                                    "0006"             /* signature length 6 */
                                    "0005"             /* payload length 5 */
                                    "5151515151510000" /* signature (6 bytes) + payload starts */
                                    "000000";          /* rest of the payload */

static void test_encrypted(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(encrypted_hex, v);
	struct uftp_msg m;

	CU_ASSERT_EQUAL_FATAL(n, 23);
	check_roundtrip(UFTP_MSG_ENCRYPTED, v, n);
	check_truncations(UFTP_MSG_ENCRYPTED, v, n, n);
	uftp_decode_msg(&m, UFTP_MSG_ENCRYPTED, v, n);
	CU_ASSERT_EQUAL(m.u.encrypted.iv_ctr, 0x100000002ULL);
	CU_ASSERT_EQUAL(m.u.encrypted.sig, v + 12);
	CU_ASSERT_EQUAL(m.u.encrypted.sig_len, 6);
	CU_ASSERT_EQUAL(m.u.encrypted.payload, v + 18);
	CU_ASSERT_EQUAL(m.u.encrypted.payload_len, 5);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_ENCRYPTED, encrypted_hex, "00"), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ENCRYPTED, encrypted_hex, 9, 7), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_ENCRYPTED, encrypted_hex, 11, 4), UFTP_ERR_BADLEN);
	m.u.encrypted.payload_len = 70000;
	CU_ASSERT_EQUAL(uftp_encode_msg(v, sizeof(v), &m), UFTP_ERR_INVALID);
}

static void test_encrypted_empty(void)
{
	/* AUTHENC ciphers leave the signature empty. */
	uint8_t v[VEC_MAX];
	size_t n = vec("0000000000000000"
	               "0000"
	               "0004"
	               "01020304",
	               v);
	struct uftp_msg m;

	check_roundtrip(UFTP_MSG_ENCRYPTED, v, n);
	uftp_decode_msg(&m, UFTP_MSG_ENCRYPTED, v, n);
	CU_ASSERT_EQUAL(m.u.encrypted.sig, NULL);
	CU_ASSERT_EQUAL(m.u.encrypted.sig_len, 0);
}

static const struct cutest tests[] = {
    CUTEST(test_header_vector),
    CUTEST(test_header_errors),
    CUTEST(test_msg_func),
    CUTEST(test_idlist),
    CUTEST(test_ext_iter),
    CUTEST(test_ext_iter_errors),
    CUTEST(test_ext_tfmcc_data),
    CUTEST(test_ext_tfmcc_ack),
    CUTEST(test_ext_freespace),
    CUTEST(test_ext_enc_info),
    CUTEST(test_ext_enc_info_errors),
    CUTEST(test_keyblob_rsa),
    CUTEST(test_keyblob_ec),
    CUTEST(test_encrypted),
    CUTEST(test_encrypted_empty),
};

CUTEST_MAIN("msg_hdr", tests)
