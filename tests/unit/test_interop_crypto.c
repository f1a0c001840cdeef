/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Replays sessions captured from the real UFTP 4.10.2 (tests/vectors/NAME.pkts,
 * with the PEM keys they used) through our crypto layer: RSA-decrypt the
 * premaster of REGISTER with the server key, derive the master secret and the
 * client keys, unwrap the group master from KEYINFO, check the client's
 * KEYINFO_ACK verify data, then open every ENCRYPTED packet (HMAC, RSA
 * signature or AEAD tag).  For ECDH sessions (ephemeral keys unknown) the
 * ANNOUNCE signature is checked.  This is what settles RSA padding, the PRF,
 * IVs and the bytes each signature covers.  Fields are parsed with bytes.h
 * directly so that this test depends on nothing but the wire.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/pem.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keysched.h"
#include "crypto/ossl.h"
#include "tests/unit/cutest.h"

#define MAXPKT 200
#define PKTCAP 9216

static const struct uftp_crypto_ops *ops;

struct pkt {
	uint8_t *b;
	size_t len;
};

struct session {
	struct pkt p[MAXPKT];
	int n;
	uint32_t server_id, client_id, group_id;
	int keyex, sigtype, keytype, hashtype;
	uint8_t srand[32], crand[32], priv[16], pm[48], gm[48];
	size_t privlen, pmlen;
	struct uftp_keys ck, gk;
};

static const char *vdir(void)
{
	const char *d = getenv("UFTP_VECTOR_DIR");

	return d ? d : "tests/vectors";
}

static int load_pkts(const char *name, struct session *s)
{
	char path[512], line[20000], hex[19000];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s.pkts", vdir(), name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (s->n < MAXPKT && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "pkt %*d %*s %*s %18999s", hex) != 1)
			continue;
		s->p[s->n].b = malloc(PKTCAP);
		n = s->p[s->n].b ? cutest_unhex(hex, s->p[s->n].b, PKTCAP) : -1;
		if (n < 16) {
			free(s->p[s->n].b);
			continue;
		}
		s->p[s->n++].len = (size_t)n;
	}
	fclose(f);
	return s->n;
}

static void free_session(struct session *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->p[i].b);
}

static struct uftp_pkey *load_key(const char *rel)
{
	char path[512];
	struct uftp_pkey *k = NULL;
	EVP_PKEY *pk;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", vdir(), rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk && uftp_ossl_pkey_wrap(pk, &k) < 0)
		EVP_PKEY_free(pk);
	return k;
}

/* The first packet whose function (header byte 1, or body byte 0) is fn. */
static const struct pkt *find(const struct session *s, int fn)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].b[1] == fn && s->p[i].len > 20)
			return &s->p[i];
	return NULL;
}

/* ANNOUNCE: addresses, EXT_ENC_INFO; returns the offset of the extension. */
static size_t parse_announce(struct session *s, const struct pkt *a)
{
	const uint8_t *b = a->b + 16;
	size_t alen = (b[2] & 0x04) ? 16 : 4, hlen = (size_t)b[1] * 4, off = 16 + 2 * alen;

	get_u32be(&s->server_id, a->b + 4);
	get_u32be(&s->group_id, a->b + 8);
	memcpy(s->priv, b + 16 + alen, alen);
	s->privlen = alen;
	while (off + 2 <= hlen && b[off] != UFTP_EXT_ENC_INFO && b[off + 1])
		off += (size_t)b[off + 1] * 4;
	CU_ASSERT_FATAL(off + 44 <= hlen && b[off] == UFTP_EXT_ENC_INFO);
	s->keyex = b[off + 3] >> 4;
	s->sigtype = b[off + 3] & 15;
	s->keytype = b[off + 4];
	s->hashtype = b[off + 5];
	memcpy(s->srand, b + off + 12, 32);
	return 16 + off;
}

static void rsa_premaster(struct session *s, const struct uftp_pkey *server_key)
{
	const struct pkt *r = find(s, UFTP_MSG_REGISTER);
	uint16_t kilen;
	int rv;

	CU_ASSERT_FATAL(r != NULL);
	get_u32be(&s->client_id, r->b + 4);
	get_u16be(&kilen, r->b + 16 + 2);
	memcpy(s->crand, r->b + 16 + 12, 32);
	rv = ops->rsa_decrypt(server_key, r->b + 16 + 44, kilen, s->pm, sizeof(s->pm));
	CU_ASSERT_EQUAL_FATAL(rv, 48); /* OAEP: only the right padding decodes */
	s->pmlen = 48;
}

static void keyinfo(struct session *s)
{
	const struct pkt *k = find(s, UFTP_MSG_KEYINFO);
	uint8_t master[48];
	uint64_t ctr;
	uint32_t id;
	size_t off;

	CU_ASSERT_FATAL(k != NULL);
	CU_ASSERT_EQUAL(
	    uftp_keysched_master(ops, s->hashtype, s->pm, s->pmlen, s->srand, s->crand, master), 0);
	CU_ASSERT_EQUAL(uftp_keysched_client_keys(ops, s->keytype, s->hashtype, master, s->srand,
	                                          s->crand, &s->ck),
	                0);
	get_u64be(&ctr, k->b + 16 + 4);
	off = 16 + (size_t)k->b[17] * 4;
	get_u32be(&id, k->b + off);
	CU_ASSERT_EQUAL(id, s->client_id);
	CU_ASSERT_EQUAL_FATAL(
	    uftp_keysched_keyinfo_unwrap(ops, &s->ck, s->server_id, ctr, k->b + off + 4, s->gm), 0);
	CU_ASSERT_EQUAL(
	    uftp_keysched_group_keys(ops, s->keytype, s->hashtype, s->gm, s->srand, &s->gk), 0);
}

/* CLIENT_KEY: the blob is the client's key; the signature covers the handshake. */
static void check_client_key(const struct session *s, const struct pkt *ckm,
                             const struct uftp_pkey *ckey)
{
	struct uftp_handshake hs = {s->group_id, s->priv,  s->privlen, s->srand, s->crand,
	                            s->pm,       s->pmlen, NULL,       0,        s->gm};
	uint8_t msg[200], blob[UFTP_MAX_BLOB_LEN];
	uint16_t pklen, siglen;
	int n;

	get_u16be(&siglen, get_u16be(&pklen, ckm->b + 16 + 4));
	CU_ASSERT_FATAL(ckey != NULL && 24u + pklen + siglen <= ckm->len);
	n = ops->blob_export(ckey, blob, sizeof(blob));
	CU_ASSERT_EQUAL(n, (int)pklen);
	CU_ASSERT_EQUAL(memcmp(blob, ckm->b + 24, pklen), 0);
	n = uftp_keysched_client_key_msg(&hs, msg, sizeof(msg));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(ops->verify(ckey, s->hashtype, msg, (size_t)n, ckm->b + 24 + pklen, siglen),
	                0);
}

/* Opens every ENCRYPTED packet; checks the first client one (KEYINFO_ACK). */
static void open_all(struct session *s, const struct uftp_pkey *skey, const struct uftp_pkey *ckey)
{
	struct uftp_envelope env = {ops, s->sigtype, &s->gk, NULL, NULL};
	struct uftp_handshake hs = {s->group_id, s->priv,  s->privlen, s->srand, s->crand,
	                            s->pm,       s->pmlen, NULL,       0,        s->gm};
	uint8_t plain[PKTCAP], verify[12];
	int i, n, opened = 0, acked = 0;
	uint32_t src;
	uint64_t ctr;

	const struct pkt *ckm = find(s, UFTP_MSG_CLIENT_KEY);
	uint16_t pklen;

	if (uftp_key_is_aead(s->keytype))
		env.sigtype = UFTP_SIG_AUTHENC;
	/* A CLIENT_KEY's blob joins the handshake hash. */
	if (ckm) {
		get_u16be(&pklen, ckm->b + 16 + 4);
		hs.client_key_blob = ckm->b + 16 + 8;
		hs.client_key_blob_len = pklen;
		check_client_key(s, ckm, ckey);
	}
	CU_ASSERT_EQUAL(uftp_keysched_verify_data(ops, s->hashtype, &hs, verify), 0);
	for (i = 0; i < s->n; i++) {
		if (s->p[i].b[1] != UFTP_MSG_ENCRYPTED)
			continue;
		get_u32be(&src, s->p[i].b + 4);
		env.verify_key = src == s->server_id ? skey : ckey;
		n = uftp_envelope_open(&env, s->p[i].b, s->p[i].len, &ctr, plain, sizeof(plain));
		CU_ASSERT(n > 0);
		if (n <= 0) {
			fprintf(stderr, "packet %d from %08x: %s\n", i, src, uftp_strerror(n));
			continue;
		}
		opened++;
		if (src == s->client_id && plain[0] == UFTP_MSG_KEYINFO_ACK && n >= 16) {
			CU_ASSERT_EQUAL(memcmp(plain + 4, verify, 12), 0);
			acked++;
		}
	}
	CU_ASSERT(opened > 5);
	CU_ASSERT(acked >= 1);
}

static void replay_rsa(const char *name, const char *client_key)
{
	struct session *s = calloc(1, sizeof(*s));
	struct uftp_pkey *skey = load_key("keys/server_rsa1024.pem");
	struct uftp_pkey *ckey = load_key(client_key);

	CU_ASSERT_FATAL(s != NULL);
	if (load_pkts(name, s) <= 0 || !skey) {
		fprintf(stderr, "%s: vectors or keys missing, skipped\n", name);
		goto out;
	}
	parse_announce(s, find(s, UFTP_MSG_ANNOUNCE));
	CU_ASSERT_EQUAL(s->keyex, UFTP_KEYEX_RSA);
	rsa_premaster(s, skey);
	keyinfo(s);
	open_all(s, skey, ckey);
out:
	ops->pkey_free(skey);
	ops->pkey_free(ckey);
	free_session(s);
	free(s);
}

/* aes128-cbc, SHA-1 (TLS 1.0-style PRF), HMAC signatures. */
static void test_rsa_hmac(void)
{
	replay_rsa("rsa_hmac", "keys/client1_rsa1024.pem");
}

/* aes256-gcm, SHA-256: AEAD with the headers as AAD. */
static void test_rsa_gcm(void)
{
	replay_rsa("rsa_gcm", "keys/client1_rsa1024.pem");
}

/* 3des, SHA-1, RSA signatures of every ENCRYPTED message. */
static void test_rsa_keyex(void)
{
	replay_rsa("rsa_keyex", "keys/client1_rsa1024.pem");
}

/* The ANNOUNCE signature of an ECDH session covers the packet, signature zeroed. */
static void check_announce_sig(const char *name, const char *server_key)
{
	struct session *s = calloc(1, sizeof(*s));
	struct uftp_pkey *skey = load_key(server_key);
	uint8_t copy[PKTCAP];
	const struct pkt *a;
	uint16_t pklen, dhlen, siglen;
	size_t ext;

	CU_ASSERT_FATAL(s != NULL);
	if (load_pkts(name, s) <= 0 || !skey) {
		fprintf(stderr, "%s: vectors or keys missing, skipped\n", name);
		goto out;
	}
	a = find(s, UFTP_MSG_ANNOUNCE);
	ext = parse_announce(s, a);
	get_u16be(&siglen, get_u16be(&dhlen, get_u16be(&pklen, a->b + ext + 6)));
	ext += 44 + pklen + dhlen;
	CU_ASSERT_FATAL(siglen > 0 && ext + siglen <= a->len);
	memcpy(copy, a->b, a->len);
	memset(copy + ext, 0, siglen);
	CU_ASSERT_EQUAL(ops->verify(skey, s->hashtype, copy, a->len, a->b + ext, siglen), 0);
	copy[20] ^= 1;
	CU_ASSERT_EQUAL(ops->verify(skey, s->hashtype, copy, a->len, a->b + ext, siglen),
	                UFTP_ERR_AUTH);
out:
	ops->pkey_free(skey);
	free_session(s);
	free(s);
}

static void test_ecdsa_announce(void)
{
	check_announce_sig("ecdh_ecdsa", "keys/server_ec256.pem");
}

static void test_rsa_announce_ecdh(void)
{
	check_announce_sig("client_auth", "keys/server_rsa1024.pem");
}

/* Our EC key blob export matches the one the reference put in ANNOUNCE. */
static void test_ec_blob_matches(void)
{
	struct session *s = calloc(1, sizeof(*s));
	struct uftp_pkey *skey = load_key("keys/server_ec256.pem");
	uint8_t blob[200];
	const struct pkt *a;
	uint16_t pklen;
	size_t ext;
	int n;

	CU_ASSERT_FATAL(s != NULL);
	if (load_pkts("ecdh_ecdsa", s) <= 0 || !skey)
		goto out;
	a = find(s, UFTP_MSG_ANNOUNCE);
	ext = parse_announce(s, a);
	get_u16be(&pklen, a->b + ext + 6);
	n = ops->blob_export(skey, blob, sizeof(blob));
	CU_ASSERT_EQUAL(n, (int)pklen);
	CU_ASSERT_EQUAL(memcmp(blob, a->b + ext + 44, pklen), 0);
out:
	ops->pkey_free(skey);
	free_session(s);
	free(s);
}

static const struct cutest tests[] = {
    CUTEST(test_rsa_hmac),       CUTEST(test_rsa_gcm),           CUTEST(test_rsa_keyex),
    CUTEST(test_ecdsa_announce), CUTEST(test_rsa_announce_ecdh), CUTEST(test_ec_blob_matches),
};

int main(void)
{
	char err[256];
	int rv = uftp_ossl_init(err, sizeof(err));

	if (rv < 0 && rv != UFTP_ERR_UNSUPPORTED) {
		fprintf(stderr, "uftp_ossl_init: %s\n", err);
		return EXIT_FAILURE;
	}
	ops = uftp_ossl_ops();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	if (cutest_add_suite("interop_crypto", tests, sizeof(tests) / sizeof(tests[0])))
		return EXIT_FAILURE;
	return cutest_run();
}
