/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UFTP key schedule and ENCRYPTED envelope; see keysched.h for the wire
 * facts each function follows and how they were settled.
 */
#include "config.h"

#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keysched.h"

#define MAX_PKT 10240 /* largest ENCRYPTED packet open() accepts */

void uftp_keysched_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

static int ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

/* ---- PRF ---------------------------------------------------------------- */

struct phash {
	const struct uftp_crypto_ops *ops;
	enum uftp_prf_variant variant;
	int hashtype;
	const uint8_t *secret;
	size_t secretlen;
	const uint8_t *ls; /* label + seed */
	size_t lslen;
};

/*
 * P_hash(secret, label + seed), XORed into out when xor is set.  UFTP's chain
 * takes the previous output block as the next A; the RFC's hashes A alone.
 */
static int p_hash(const struct phash *ph, uint8_t *out, size_t outlen, int xor)
{
	uint8_t buf[UFTP_MAX_HASH_LEN + UFTP_PRF_MAX_LABEL_SEED], blk[UFTP_MAX_HASH_LEN];
	size_t h = uftp_hash_len(ph->hashtype), n, i;
	int rv;

	memcpy(buf + h, ph->ls, ph->lslen);
	rv = ph->ops->hmac(ph->hashtype, ph->secret, ph->secretlen, ph->ls, ph->lslen, buf);
	while (rv >= 0 && outlen) {
		rv =
		    ph->ops->hmac(ph->hashtype, ph->secret, ph->secretlen, buf, h + ph->lslen, blk);
		if (rv < 0)
			break;
		n = outlen < h ? outlen : h;
		for (i = 0; i < n; i++)
			out[i] = xor? (uint8_t)(out[i] ^ blk[i]) : blk[i];
		out += n;
		outlen -= n;
		if (ph->variant == UFTP_PRF_UFTP)
			memcpy(buf, blk, h);
		else
			rv = ph->ops->hmac(ph->hashtype, ph->secret, ph->secretlen, buf, h, buf);
	}
	uftp_keysched_wipe(buf, sizeof(buf));
	uftp_keysched_wipe(blk, sizeof(blk));
	return rv < 0 ? rv : 0;
}

int uftp_keysched_prf(const struct uftp_crypto_ops *ops, enum uftp_prf_variant variant,
                      int hashtype, const uint8_t *secret, size_t secretlen, const char *label,
                      const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
	uint8_t ls[UFTP_PRF_MAX_LABEL_SEED];
	size_t llen = strlen(label), half;
	struct phash ph = {ops, variant, hashtype, secret, secretlen, ls, llen + seedlen};
	int rv;

	if (llen + seedlen > sizeof(ls) || llen + seedlen < llen)
		return UFTP_ERR_INVALID;
	if (!uftp_hash_len(hashtype))
		return UFTP_ERR_UNKNOWN_TYPE;
	memcpy(ls, label, llen);
	put_bytes(ls + llen, seed, seedlen);
	if (hashtype != UFTP_HASH_SHA1)
		return p_hash(&ph, out, outlen, 0);
	/* TLS 1.0/1.1: P_MD5 on the first half XOR P_SHA1 on the second; the
	 * halves share the middle byte when the length is odd. */
	half = (secretlen + 1) / 2;
	ph.hashtype = UFTP_HASH_MD5;
	ph.secretlen = half;
	rv = p_hash(&ph, out, outlen, 0);
	if (rv < 0)
		return rv;
	ph.hashtype = UFTP_HASH_SHA1;
	ph.secret = secret + secretlen - half;
	return p_hash(&ph, out, outlen, 1);
}

/* ---- master secret and key blocks -------------------------------------- */

int uftp_keysched_master(const struct uftp_crypto_ops *ops, int hashtype, const uint8_t *premaster,
                         size_t premaster_len, const uint8_t *server_random,
                         const uint8_t *client_random, uint8_t *master)
{
	uint8_t seed[2 * UFTP_RAND_LEN];

	memcpy(seed, server_random, UFTP_RAND_LEN);
	memcpy(seed + UFTP_RAND_LEN, client_random, UFTP_RAND_LEN);
	return uftp_keysched_prf(ops, UFTP_PRF_UFTP, hashtype, premaster, premaster_len,
	                         "master secret", seed, sizeof(seed), master, UFTP_MASTER_LEN);
}

size_t uftp_keysched_block_len(int keytype, int hashtype)
{
	if (!uftp_key_len(keytype) || !uftp_hash_len(hashtype))
		return 0;
	return uftp_hash_len(hashtype) + uftp_key_len(keytype) + UFTP_SALT_LEN;
}

int uftp_keysched_split(int keytype, int hashtype, const uint8_t *block, struct uftp_keys *keys)
{
	size_t h = uftp_hash_len(hashtype), k = uftp_key_len(keytype);

	if (!h || !k)
		return UFTP_ERR_UNKNOWN_TYPE;
	memset(keys, 0, sizeof(*keys));
	keys->keytype = keytype;
	keys->hashtype = hashtype;
	memcpy(keys->hmac_key, block, h);
	memcpy(keys->key, block + h, k);
	memcpy(keys->salt, block + h + k, UFTP_SALT_LEN);
	return 0;
}

static int expand(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                  const uint8_t *secret, const uint8_t *seed, size_t seedlen,
                  struct uftp_keys *keys)
{
	uint8_t block[UFTP_MAX_HASH_LEN + UFTP_MAX_KEY_LEN + UFTP_SALT_LEN];
	size_t blen = uftp_keysched_block_len(keytype, hashtype);
	int rv;

	if (!blen)
		return UFTP_ERR_UNKNOWN_TYPE;
	rv = uftp_keysched_prf(ops, UFTP_PRF_UFTP, hashtype, secret, UFTP_MASTER_LEN,
	                       "key expansion", seed, seedlen, block, blen);
	if (rv >= 0)
		rv = uftp_keysched_split(keytype, hashtype, block, keys);
	uftp_keysched_wipe(block, sizeof(block));
	return rv;
}

int uftp_keysched_client_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                              const uint8_t *master, const uint8_t *server_random,
                              const uint8_t *client_random, struct uftp_keys *keys)
{
	uint8_t seed[2 * UFTP_RAND_LEN];

	memcpy(seed, server_random, UFTP_RAND_LEN);
	memcpy(seed + UFTP_RAND_LEN, client_random, UFTP_RAND_LEN);
	return expand(ops, keytype, hashtype, master, seed, sizeof(seed), keys);
}

int uftp_keysched_group_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                             const uint8_t *group_master, const uint8_t *server_random,
                             struct uftp_keys *keys)
{
	return expand(ops, keytype, hashtype, group_master, server_random, UFTP_RAND_LEN, keys);
}

/* ---- IVs and KEYINFO ------------------------------------------------------ */

int uftp_keysched_iv(int keytype, const uint8_t *salt, uint32_t uid, uint64_t ctr, uint8_t *iv)
{
	uint8_t su[8];
	uint64_t v;
	uint32_t s;

	switch (uftp_iv_len(keytype)) {
	case 16: put_u64be(put_u32be(put_bytes(iv, salt, 4), uid), ctr); return 16;
	case 12:
		get_u32be(&s, salt);
		put_u64be(put_u32be(iv, s ^ uid), ctr);
		return 12;
	case 8:
		put_u32be(put_bytes(su, salt, 4), uid);
		get_u64be(&v, su);
		put_u64be(iv, v ^ ctr);
		return 8;
	default: return UFTP_ERR_UNKNOWN_TYPE;
	}
}

int uftp_keysched_keyinfo_wrap(const struct uftp_crypto_ops *ops, const struct uftp_keys *keys,
                               uint32_t server_id, uint64_t ctr, const uint8_t *group_master,
                               uint8_t *out)
{
	int cbc = uftp_key_cbc_of(keys->keytype);
	uint8_t iv[UFTP_MAX_IV_LEN];
	int rv;

	rv = uftp_keysched_iv(cbc, keys->salt, server_id, ctr, iv);
	if (rv < 0)
		return rv;
	rv = ops->encrypt(cbc, keys->key, iv, NULL, 0, group_master + 1, UFTP_MASTER_LEN - 1, out,
	                  UFTP_KEYINFO_ENC_LEN);
	if (rv < 0)
		return rv;
	return rv == UFTP_KEYINFO_ENC_LEN ? 0 : UFTP_ERR_CRYPTO;
}

int uftp_keysched_keyinfo_unwrap(const struct uftp_crypto_ops *ops, const struct uftp_keys *keys,
                                 uint32_t server_id, uint64_t ctr, const uint8_t *in,
                                 uint8_t *group_master)
{
	int cbc = uftp_key_cbc_of(keys->keytype);
	uint8_t iv[UFTP_MAX_IV_LEN], plain[UFTP_KEYINFO_ENC_LEN];
	int rv;

	rv = uftp_keysched_iv(cbc, keys->salt, server_id, ctr, iv);
	if (rv < 0)
		return rv;
	rv = ops->decrypt(cbc, keys->key, iv, NULL, 0, in, UFTP_KEYINFO_ENC_LEN, plain,
	                  sizeof(plain));
	if (rv >= 0 && rv != UFTP_MASTER_LEN - 1)
		rv = UFTP_ERR_AUTH;
	if (rv >= 0) {
		group_master[0] = UFTP_VERSION;
		memcpy(group_master + 1, plain, UFTP_MASTER_LEN - 1);
		rv = 0;
	}
	uftp_keysched_wipe(plain, sizeof(plain));
	return rv;
}

/* ---- verify data, CLIENT_KEY, ECDH ----------------------------------- */

int uftp_keysched_client_key_msg(const struct uftp_handshake *hs, uint8_t *out, size_t cap)
{
	uint8_t *p = out;

	if ((hs->priv_addr_len != 4 && hs->priv_addr_len != 16) ||
	    hs->premaster_len > UFTP_PREMASTER_LEN)
		return UFTP_ERR_INVALID;
	if (cap < 4 + hs->priv_addr_len + 2 * UFTP_RAND_LEN + hs->premaster_len)
		return UFTP_ERR_NOSPACE;
	p = put_u32be(p, hs->group_id);
	p = put_bytes(p, hs->priv_addr, hs->priv_addr_len);
	p = put_bytes(p, hs->server_random, UFTP_RAND_LEN);
	p = put_bytes(p, hs->client_random, UFTP_RAND_LEN);
	p = put_bytes(p, hs->premaster, hs->premaster_len);
	return (int)(p - out);
}

int uftp_keysched_verify_data(const struct uftp_crypto_ops *ops, int hashtype,
                              const struct uftp_handshake *hs, uint8_t *out)
{
	uint8_t buf[4 + 16 + 2 * UFTP_RAND_LEN + UFTP_PREMASTER_LEN + UFTP_MAX_BLOB_LEN +
	            UFTP_MASTER_LEN];
	uint8_t digest[UFTP_MAX_HASH_LEN], *p;
	int rv, dlen;

	if (hs->client_key_blob_len > UFTP_MAX_BLOB_LEN)
		return UFTP_ERR_INVALID;
	rv = uftp_keysched_client_key_msg(hs, buf, sizeof(buf));
	if (rv < 0)
		return rv;
	p = buf + rv;
	p = put_bytes(p, hs->client_key_blob, hs->client_key_blob ? hs->client_key_blob_len : 0);
	p = put_bytes(p, hs->group_master, UFTP_MASTER_LEN);
	dlen = ops->hash(hashtype, buf, (size_t)(p - buf), digest);
	uftp_keysched_wipe(buf, sizeof(buf));
	if (dlen < 0)
		return dlen;
	return uftp_keysched_prf(ops, UFTP_PRF_UFTP, hashtype, hs->group_master, UFTP_MASTER_LEN,
	                         "client finished", digest, (size_t)dlen, out, UFTP_VERIFY_LEN);
}

int uftp_keysched_ecdh_premaster(const struct uftp_crypto_ops *ops, const struct uftp_pkey *priv,
                                 const struct uftp_pkey *peer, uint8_t *out)
{
	uint8_t shared[UFTP_MAX_ECDH_LEN];
	int rv;

	rv = ops->ecdh(priv, peer, shared, sizeof(shared));
	if (rv >= 0)
		rv = ops->hash(UFTP_HASH_SHA1, shared, (size_t)rv, out);
	uftp_keysched_wipe(shared, sizeof(shared));
	return rv < 0 ? rv : 0;
}

/* ---- ENCRYPTED envelope ---------------------------------------------- */

/* Signature field length for env, or a negative error. */
static int sig_len(const struct uftp_envelope *env, const struct uftp_pkey *key)
{
	struct uftp_pkey_info info;
	int rv, aead = uftp_key_is_aead(env->keys->keytype);

	switch (env->sigtype) {
	case UFTP_SIG_HMAC:
		return aead ? UFTP_ERR_INVALID : (int)uftp_hash_len(env->keys->hashtype);
	case UFTP_SIG_AUTHENC: return aead ? 0 : UFTP_ERR_INVALID;
	case UFTP_SIG_KEYEX:
		if (aead || !key)
			return UFTP_ERR_INVALID;
		rv = env->ops->pkey_info(key, &info);
		if (rv < 0)
			return rv;
		return info.sig_len > UFTP_MAX_SIG_LEN ? UFTP_ERR_INVALID : (int)info.sig_len;
	default: return UFTP_ERR_INVALID;
	}
}

/* Computes the signature of pkt[0..len) (signature field zeroed) into sig. */
static int make_sig(const struct uftp_envelope *env, const uint8_t *pkt, size_t len, uint8_t *sig,
                    size_t siglen)
{
	const struct uftp_keys *k = env->keys;
	int rv;

	if (env->sigtype == UFTP_SIG_HMAC)
		return env->ops->hmac(k->hashtype, k->hmac_key, uftp_hash_len(k->hashtype), pkt,
		                      len, sig);
	rv = env->ops->sign(env->sign_key, k->hashtype, pkt, len, sig, siglen);
	if (rv >= 0 && (size_t)rv < siglen)
		put_zero(sig + rv, siglen - (size_t)rv);
	return rv;
}

int uftp_envelope_seal(const struct uftp_envelope *env, const uint8_t *hdr, uint64_t ctr,
                       const uint8_t *plain, size_t plen, uint8_t *out, size_t cap)
{
	const struct uftp_keys *k = env->keys;
	size_t paylen = uftp_cipher_out_len(k->keytype, plen), total;
	int slen = sig_len(env, env->sign_key), aead = uftp_key_is_aead(k->keytype), rv;
	uint8_t iv[UFTP_MAX_IV_LEN], *p;
	uint32_t uid;

	if (slen < 0)
		return slen;
	total = UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN + (size_t)slen + paylen;
	if (!paylen || paylen > 0xffff || total > 0xffff)
		return UFTP_ERR_INVALID;
	if (cap < total)
		return UFTP_ERR_NOSPACE;
	get_u32be(&uid, hdr + 4);
	rv = uftp_keysched_iv(k->keytype, k->salt, uid, ctr, iv);
	if (rv < 0)
		return rv;
	p = put_bytes(out, hdr, UFTP_HEADER_LEN);
	p = put_u64be(p, ctr);
	p = put_u16be(p, (uint16_t)slen);
	p = put_u16be(p, (uint16_t)paylen);
	p = put_zero(p, (size_t)slen);
	rv = env->ops->encrypt(k->keytype, k->key, iv, out, aead ? (size_t)(p - out) : 0, plain,
	                       plen, p, paylen);
	if (rv < 0)
		return rv;
	if ((size_t)rv != paylen)
		return UFTP_ERR_CRYPTO;
	if (slen) {
		rv = make_sig(env, out, total, out + UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN,
		              (size_t)slen);
		if (rv < 0)
			return rv;
	}
	return (int)total;
}

/* Checks the signature field of pkt (copied to scratch with it zeroed). */
static int check_sig(const struct uftp_envelope *env, const uint8_t *pkt, size_t len, size_t slen)
{
	uint8_t scratch[MAX_PKT], mac[UFTP_MAX_HASH_LEN];
	const uint8_t *sig = pkt + UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN;
	const struct uftp_keys *k = env->keys;
	int rv;

	if (len > sizeof(scratch))
		return UFTP_ERR_BADLEN;
	memcpy(scratch, pkt, len);
	put_zero(scratch + UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN, slen);
	if (env->sigtype == UFTP_SIG_KEYEX)
		return env->ops->verify(env->verify_key, k->hashtype, scratch, len, sig, slen);
	rv =
	    env->ops->hmac(k->hashtype, k->hmac_key, uftp_hash_len(k->hashtype), scratch, len, mac);
	if (rv < 0)
		return rv;
	return ct_equal(mac, sig, slen) ? 0 : UFTP_ERR_AUTH;
}

/* Checks that the ENCRYPTED lengths fit len and env; returns the signature length. */
static int check_lengths(const struct uftp_envelope *env, const uint8_t *pkt, size_t len,
                         size_t *paylen)
{
	uint16_t slen, plen;
	int want;

	if (len < UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN)
		return UFTP_ERR_TRUNCATED;
	get_u16be(&plen, get_u16be(&slen, pkt + UFTP_HEADER_LEN + 8));
	if ((size_t)UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN + slen + plen != len)
		return UFTP_ERR_BADLEN;
	want = sig_len(env, env->verify_key);
	if (want < 0)
		return want;
	/* A signer's key may be shorter than ours (RSA) only for KEYEX. */
	if (env->sigtype == UFTP_SIG_KEYEX ? slen > want || slen == 0 : slen != want)
		return UFTP_ERR_BADLEN;
	*paylen = plen;
	return slen;
}

int uftp_envelope_open(const struct uftp_envelope *env, const uint8_t *pkt, size_t len,
                       uint64_t *ctr, uint8_t *plain, size_t cap)
{
	const struct uftp_keys *k = env->keys;
	const size_t fixed = UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN;
	int aead = uftp_key_is_aead(k->keytype), slen, rv;
	uint8_t iv[UFTP_MAX_IV_LEN];
	size_t paylen = 0;
	uint32_t uid;

	slen = check_lengths(env, pkt, len, &paylen);
	if (slen < 0)
		return slen;
	if (slen) {
		rv = check_sig(env, pkt, len, (size_t)slen);
		if (rv < 0)
			return rv;
	}
	get_u64be(ctr, pkt + UFTP_HEADER_LEN);
	get_u32be(&uid, pkt + 4);
	rv = uftp_keysched_iv(k->keytype, k->salt, uid, *ctr, iv);
	if (rv < 0)
		return rv;
	return env->ops->decrypt(k->keytype, k->key, iv, pkt, aead ? fixed : 0,
	                         pkt + fixed + (size_t)slen, paylen, plain, cap);
}

int uftp_key_fingerprint(const struct uftp_crypto_ops *ops, const uint8_t *blob, size_t len,
                         uint8_t fp[UFTP_FP_LEN])
{
	uint8_t buf[UFTP_MAX_BLOB_LEN + 4] = {0};
	uint8_t h[UFTP_MAX_HASH_LEN];
	size_t n = len;
	int rv;

	if (blob == NULL || len == 0)
		return UFTP_ERR_INVALID;
	if (len > UFTP_MAX_BLOB_LEN)
		return UFTP_ERR_BADLEN;
	memcpy(buf, blob, len);
	if (blob[0] == UFTP_BLOB_EC)
		n = (len + 3) & ~(size_t)3;
	rv = ops->hash(UFTP_HASH_SHA1, buf, n, h);
	if (rv < 0)
		return rv;
	memcpy(fp, h, UFTP_FP_LEN);
	return 0;
}

int uftp_key_fp_matches(const struct uftp_crypto_ops *ops, const uint8_t *blob, size_t len,
                        const uint8_t want[UFTP_FP_LEN])
{
	uint8_t fp[UFTP_FP_LEN];

	return ops != NULL && uftp_key_fingerprint(ops, blob, len, fp) == 0 &&
	       memcmp(fp, want, UFTP_FP_LEN) == 0;
}
