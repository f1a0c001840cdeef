/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The crypto interface of the pure core.  The core never calls a crypto
 * library: every primitive arrives through a struct uftp_crypto_ops that the
 * driver injects (src/crypto/ossl.h gives the OpenSSL 3 one; tests may wrap it,
 * e.g. to seed the RNG).  Sizes per algorithm are pure facts of the protocol
 * and live here as inline helpers.
 *
 * Conventions for every function pointer below:
 *  - inputs are (pointer, length) pairs the callee only reads; outputs are
 *    caller-owned buffers with an explicit capacity;
 *  - a non-negative return is success (a byte count where documented, else 0);
 *    failure is a negative enum uftp_err and the output is unspecified (the
 *    callee never writes past the stated capacity);
 *  - UFTP_ERR_UNKNOWN_TYPE: a key/hash/curve number outside the protocol's list;
 *    UFTP_ERR_UNSUPPORTED: a valid number this build/library cannot do (e.g. DES
 *    without the OpenSSL legacy provider, a curve the library lacks);
 *    UFTP_ERR_NOSPACE: the output capacity is too small; UFTP_ERR_CRYPTO: the
 *    library failed; UFTP_ERR_AUTH: a tag/signature/padding check failed.
 */
#ifndef UFTP_CORE_CRYPTO_H
#define UFTP_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/proto.h"

/* A public or private key (RSA or EC).  Opaque to the core; see src/crypto/pkey.h. */
struct uftp_pkey;

#define UFTP_MAX_HASH_LEN  64 /* SHA-512 */
#define UFTP_MAX_KEY_LEN   32 /* AES-256 */
#define UFTP_MAX_IV_LEN    16
#define UFTP_MAX_BLOCK_LEN 16
#define UFTP_AEAD_TAG_LEN  16 /* GCM and CCM tags as UFTP uses them */
#define UFTP_SALT_LEN      4
#define UFTP_MAX_SIG_LEN   1024       /* RSA-8192 */
#define UFTP_MAX_BLOB_LEN  (8 + 1024) /* RSA-8192 blob; EC blobs are smaller */
#define UFTP_MAX_ECDH_LEN  72         /* raw ECDH shared secret: field bytes of sect571 */

/* What the core may learn about a key without seeing inside it. */
struct uftp_pkey_info {
	int blobtype;    /* UFTP_BLOB_RSA or UFTP_BLOB_EC */
	int curve;       /* enum uftp_curve for EC keys, else 0 */
	int bits;        /* RSA modulus bits or EC field bits */
	int has_private; /* 1 if the private half is present */
	size_t sig_len;  /* largest signature sign() may produce, bytes */
};

struct uftp_crypto_ops {
	/*
	 * Hashes in[0..len) with hashtype (UFTP_HASH_*) into out, which has at
	 * least uftp_hash_len(hashtype) bytes.  Returns the digest length.
	 * Errors: UNKNOWN_TYPE, UNSUPPORTED, CRYPTO.
	 */
	int (*hash)(int hashtype, const uint8_t *in, size_t len, uint8_t *out);

	/*
	 * HMAC of in[0..len) keyed with key[0..keylen) (any length, may be 0)
	 * using hashtype; out has at least uftp_hash_len(hashtype) bytes.
	 * Returns the MAC length.  Errors: UNKNOWN_TYPE, UNSUPPORTED, CRYPTO.
	 */
	int (*hmac)(int hashtype, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len,
	            uint8_t *out);

	/*
	 * Encrypts in[0..len) with keytype (UFTP_KEY_*), key of
	 * uftp_key_len(keytype) bytes and iv of uftp_iv_len(keytype) bytes.
	 * CBC types pad with PKCS#7 (output = len rounded up to the next whole
	 * block, a full block of padding when len is a multiple).  GCM/CCM types
	 * authenticate aad[0..aadlen) (aad may be NULL when aadlen is 0) and
	 * append a UFTP_AEAD_TAG_LEN tag; aad is ignored for CBC.  in and out may
	 * not overlap.  Returns bytes written to out (at most cap).
	 * Errors: UNKNOWN_TYPE, UNSUPPORTED, NOSPACE, CRYPTO.
	 */
	int (*encrypt)(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
	               size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

	/*
	 * Inverse of encrypt: for GCM/CCM, in ends with the tag.  Returns the
	 * plaintext length.  out needs len bytes for CBC types (whole blocks are
	 * decrypted before the padding is removed), len - tag for GCM/CCM.
	 * Errors: UFTP_ERR_AUTH (tag mismatch, bad CBC padding, or len not a
	 * positive multiple of the block size / shorter than the tag),
	 * UNKNOWN_TYPE, UNSUPPORTED, NOSPACE, CRYPTO.
	 */
	int (*decrypt)(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
	               size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

	/* Fills out[0..len) from a cryptographically secure RNG.  Errors: CRYPTO. */
	int (*random)(uint8_t *out, size_t len);

	/*
	 * Encrypts the RSA premaster in[0..len) with the public RSA key pub.
	 * Returns the ciphertext length (the modulus size).
	 * Errors: INVALID (not an RSA key, or len too long for it), NOSPACE, CRYPTO.
	 */
	int (*rsa_encrypt)(const struct uftp_pkey *pub, const uint8_t *in, size_t len, uint8_t *out,
	                   size_t cap);

	/*
	 * Decrypts an RSA premaster with the private key priv.  Returns the
	 * plaintext length.  Errors: AUTH (padding check failed: the input did
	 * not come from the holder of the public key), INVALID (not a private RSA
	 * key), NOSPACE, CRYPTO.
	 */
	int (*rsa_decrypt)(const struct uftp_pkey *priv, const uint8_t *in, size_t len,
	                   uint8_t *out, size_t cap);

	/*
	 * Signs msg[0..len) with the private RSA or EC key, hashing with
	 * hashtype, in the encoding UFTP uses on the wire (see src/crypto/pk.c).
	 * Returns the signature length (<= info.sig_len).
	 * Errors: INVALID (no private half), UNKNOWN_TYPE, NOSPACE, CRYPTO.
	 */
	int (*sign)(const struct uftp_pkey *priv, int hashtype, const uint8_t *msg, size_t len,
	            uint8_t *sig, size_t cap);

	/*
	 * Checks sig[0..siglen) over msg[0..len) with the public key.
	 * Returns 0 if valid.  Errors: AUTH (invalid or malformed signature),
	 * UNKNOWN_TYPE, CRYPTO.
	 */
	int (*verify)(const struct uftp_pkey *pub, int hashtype, const uint8_t *msg, size_t len,
	              const uint8_t *sig, size_t siglen);

	/*
	 * Raw ECDH: the x coordinate of priv * peer, both on the same curve.
	 * Returns the secret length (the field size).  Errors: INVALID (not EC
	 * keys, curves differ, no private half), NOSPACE, CRYPTO.
	 */
	int (*ecdh)(const struct uftp_pkey *priv, const struct uftp_pkey *peer, uint8_t *out,
	            size_t cap);

	/*
	 * Generates a key pair: an EC key on curve (UFTP_CURVE_*) when blobtype is
	 * UFTP_BLOB_EC, an RSA key of param bits (e = 65537) when UFTP_BLOB_RSA.
	 * *out is owned by the caller (free with pkey_free).
	 * Errors: UNKNOWN_TYPE, UNSUPPORTED (curve not in this library), INVALID
	 * (RSA bits < 512 or > 8192), NOMEM, CRYPTO.
	 */
	int (*pkey_generate)(int blobtype, int param, struct uftp_pkey **out);

	/*
	 * Writes the public half of key as a protocol key blob (protocol.txt
	 * 5.2.3.2 RSA, 5.2.3.3 EC).  Returns the blob length.
	 * Errors: NOSPACE, UNSUPPORTED (e.g. RSA exponent > 32 bits), CRYPTO.
	 */
	int (*blob_export)(const struct uftp_pkey *key, uint8_t *out, size_t cap);

	/*
	 * Parses a key blob from in[0..len) into a new public key *out (caller
	 * owns it).  Returns the number of bytes the blob occupies (trailing data
	 * is left to the caller).  Errors: TRUNCATED, BADLEN, UNKNOWN_TYPE (blob
	 * type or curve), UNSUPPORTED, BADVALUE (point not on the curve, bad
	 * modulus), NOMEM, CRYPTO.
	 */
	int (*blob_import)(const uint8_t *in, size_t len, struct uftp_pkey **out);

	/* Fills *info about key.  Errors: INVALID (unusable key), CRYPTO. */
	int (*pkey_info)(const struct uftp_pkey *key, struct uftp_pkey_info *info);

	/* Frees key (private material cleansed); NULL is a no-op. */
	void (*pkey_free)(struct uftp_pkey *key);
};

/* ---- sizes: pure protocol facts (0 for an unknown type) ------------------- */

/* Symmetric key length in bytes for a UFTP_KEY_* type. */
static inline size_t uftp_key_len(int keytype)
{
	switch (keytype) {
	case UFTP_KEY_DES: return 8;
	case UFTP_KEY_DES_EDE3: return 24;
	case UFTP_KEY_AES128_CBC:
	case UFTP_KEY_AES128_GCM:
	case UFTP_KEY_AES128_CCM: return 16;
	case UFTP_KEY_AES256_CBC:
	case UFTP_KEY_AES256_GCM:
	case UFTP_KEY_AES256_CCM: return 32;
	default: return 0;
	}
}

/* Cipher block size in bytes (16 for every AES mode, 8 for DES/3DES). */
static inline size_t uftp_block_len(int keytype)
{
	switch (keytype) {
	case UFTP_KEY_DES:
	case UFTP_KEY_DES_EDE3: return 8;
	default: return uftp_key_len(keytype) ? 16 : 0;
	}
}

/* 1 for the authenticated-encryption types (GCM, CCM), else 0. */
static inline int uftp_key_is_aead(int keytype)
{
	return keytype >= UFTP_KEY_AES128_GCM && keytype <= UFTP_KEY_AES256_CCM;
}

/* IV length in bytes: 8 (DES, 3DES), 16 (AES-CBC), 12 (GCM, CCM). */
static inline size_t uftp_iv_len(int keytype)
{
	if (uftp_key_is_aead(keytype))
		return 12;
	return uftp_block_len(keytype);
}

/*
 * The CBC type with the same key as keytype: GCM/CCM map to AES-CBC of the
 * same size (KEYINFO wraps the group master in CBC even then), CBC types map
 * to themselves.  0 for an unknown type.
 */
static inline int uftp_key_cbc_of(int keytype)
{
	switch (keytype) {
	case UFTP_KEY_AES128_GCM:
	case UFTP_KEY_AES128_CCM: return UFTP_KEY_AES128_CBC;
	case UFTP_KEY_AES256_GCM:
	case UFTP_KEY_AES256_CCM: return UFTP_KEY_AES256_CBC;
	default: return uftp_key_len(keytype) ? keytype : 0;
	}
}

/* Digest length in bytes of a UFTP_HASH_* type. */
static inline size_t uftp_hash_len(int hashtype)
{
	switch (hashtype) {
	case UFTP_HASH_MD5: return 16;
	case UFTP_HASH_SHA1: return 20;
	case UFTP_HASH_SHA256: return 32;
	case UFTP_HASH_SHA384: return 48;
	case UFTP_HASH_SHA512: return 64;
	default: return 0;
	}
}

/*
 * Bytes encrypt() produces from len bytes of plaintext: the padded length for
 * CBC, len + tag for GCM/CCM; 0 for an unknown type.
 */
static inline size_t uftp_cipher_out_len(int keytype, size_t len)
{
	size_t b = uftp_block_len(keytype);

	if (!b)
		return 0;
	if (uftp_key_is_aead(keytype))
		return len + UFTP_AEAD_TAG_LEN;
	return (len / b + 1) * b;
}

#endif
