/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzzes the ENCRYPTED envelope (uftp_envelope_open) with each signature
 * type: HMAC (CBC ciphers), KEYEX (RSA and ECDSA signatures) and AUTHENC
 * (GCM, CCM), with fixed session keys.  Byte 0 picks the mode (low 3 bits);
 * with bit 3 set the rest is first sealed as a plaintext and the packet is
 * then opened, which must give the plaintext back (a seal/open round trip);
 * otherwise the rest is opened as a received packet, which must fail
 * cleanly or give a plaintext that fits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/keysched.h"
#include "core/msg.h"
#include "core/proto.h"
#include "crypto/ossl.h"
#include "tests/fuzz/fuzz.h"

struct mode {
	int sigtype, keytype, hashtype, keyidx; /* keyidx: 0 RSA, 1 EC (KEYEX only) */
};

static const struct mode modes[8] = {
    {UFTP_SIG_HMAC, UFTP_KEY_AES128_CBC, UFTP_HASH_SHA1, 0},
    {UFTP_SIG_HMAC, UFTP_KEY_AES256_CBC, UFTP_HASH_SHA256, 0},
    {UFTP_SIG_HMAC, UFTP_KEY_DES_EDE3, UFTP_HASH_SHA512, 0},
    {UFTP_SIG_AUTHENC, UFTP_KEY_AES128_GCM, UFTP_HASH_SHA256, 0},
    {UFTP_SIG_AUTHENC, UFTP_KEY_AES256_CCM, UFTP_HASH_SHA384, 0},
    {UFTP_SIG_KEYEX, UFTP_KEY_AES256_CBC, UFTP_HASH_SHA256, 0},
    {UFTP_SIG_KEYEX, UFTP_KEY_AES128_CBC, UFTP_HASH_SHA1, 1},
    {UFTP_SIG_AUTHENC, UFTP_KEY_AES256_GCM, UFTP_HASH_SHA512, 0},
};

static const struct uftp_crypto_ops *ops;
static struct uftp_pkey *keys[2];
static uint8_t pkt[65536 + 2048], plain[65536 + 2048];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc, (void)argv;
	if (uftp_ossl_init(err, sizeof(err)) < 0 && ops == NULL) {
		/* legacy provider missing is fine: DES is not among the modes */
	}
	ops = uftp_ossl_ops();
	if (ops->pkey_generate(UFTP_BLOB_RSA, 1024, &keys[0]) < 0 ||
	    ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &keys[1]) < 0)
		abort();
	return 0;
}

static void make_keys(const struct mode *m, struct uftp_keys *k)
{
	uint8_t block[UFTP_MAX_HASH_LEN + UFTP_MAX_KEY_LEN + UFTP_SALT_LEN];
	size_t i;

	for (i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 37 + 11);
	if (uftp_keysched_split(m->keytype, m->hashtype, block, k) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mode *m;
	struct uftp_envelope env;
	struct uftp_keys k;
	struct uftp_header h = {UFTP_MSG_ENCRYPTED, 1, 0x01020304, 0x0a0b0c0d, 0, 0, 0};
	uint64_t ctr = 0;
	int n, p;

	if (size < 1)
		return 0;
	m = &modes[data[0] & 7];
	make_keys(m, &k);
	memset(&env, 0, sizeof(env));
	env.ops = ops;
	env.sigtype = m->sigtype;
	env.keys = &k;
	env.sign_key = keys[m->keyidx];
	env.verify_key = keys[m->keyidx];
	if (data[0] & 8) {
		size_t plen = size - 1 > 9000 ? 9000 : size - 1;
		uint8_t hdr[UFTP_HEADER_LEN];

		if (uftp_encode_header(hdr, sizeof(hdr), &h) != UFTP_HEADER_LEN)
			abort();
		n = uftp_envelope_seal(&env, hdr, 12345, data + 1, plen, pkt, sizeof(pkt));
		if (n < 0)
			abort(); /* every mode here can seal up to 9000 bytes */
		p = uftp_envelope_open(&env, pkt, (size_t)n, &ctr, plain, sizeof(plain));
		if (p != (int)plen || ctr != 12345 || memcmp(plain, data + 1, plen) != 0)
			abort();
		return 0;
	}
	p = uftp_envelope_open(&env, data + 1, size - 1, &ctr, plain, sizeof(plain));
	if (p > (int)(size - 1))
		abort(); /* a plaintext longer than the packet */
	return 0;
}
