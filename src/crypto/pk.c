/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public-key operations for the ops table, on OpenSSL 3 EVP_PKEY only.
 *
 * Wire encodings, as UFTP 4.10.2 uses them (observed on its traffic and
 * library calls, see tests/unit/test_interop_crypto.c):
 *  - premaster: RSAES-OAEP, SHA-1 and MGF1-SHA-1, no label; with a key
 *    too small for OAEP to carry the 48-byte premaster (the 512-bit keys
 *    both reference programs generate by default), RSAES-PKCS1-v1_5, as
 *    seen by decrypting the reference's own KEYINFO and REGISTER;
 *  - RSA signature: RSASSA-PKCS1-v1_5 of Hash(msg) with the session hash;
 *  - ECDSA signature over Hash(msg): u16 len(r) | u16 len(s) | r | s, big
 *    endian unsigned integers (we write r and s at the full length of the
 *    group order, and accept any lengths that fit);
 *  - RSA blob: u8 1 | u8 0 | u16 len(n) | u32 e | n;
 *  - EC blob: u8 2 | u8 curve | u16 len | X | Y (no 0x04 point prefix).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/proto.h"
#include "crypto/keyfile.h"
#include "crypto/internal.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"

static const char *const curve_names[UFTP_CURVE_MAX + 1] = {
    [UFTP_CURVE_SECT163K1] = "sect163k1",  [UFTP_CURVE_SECT163R1] = "sect163r1",
    [UFTP_CURVE_SECT163R2] = "sect163r2",  [UFTP_CURVE_SECT193R1] = "sect193r1",
    [UFTP_CURVE_SECT193R2] = "sect193r2",  [UFTP_CURVE_SECT233K1] = "sect233k1",
    [UFTP_CURVE_SECT233R1] = "sect233r1",  [UFTP_CURVE_SECT239K1] = "sect239k1",
    [UFTP_CURVE_SECT283K1] = "sect283k1",  [UFTP_CURVE_SECT283R1] = "sect283r1",
    [UFTP_CURVE_SECT409K1] = "sect409k1",  [UFTP_CURVE_SECT409R1] = "sect409r1",
    [UFTP_CURVE_SECT571K1] = "sect571k1",  [UFTP_CURVE_SECT571R1] = "sect571r1",
    [UFTP_CURVE_SECP160K1] = "secp160k1",  [UFTP_CURVE_SECP160R1] = "secp160r1",
    [UFTP_CURVE_SECP160R2] = "secp160r2",  [UFTP_CURVE_SECP192K1] = "secp192k1",
    [UFTP_CURVE_SECP192R1] = "prime192v1", [UFTP_CURVE_SECP224K1] = "secp224k1",
    [UFTP_CURVE_SECP224R1] = "secp224r1",  [UFTP_CURVE_SECP256K1] = "secp256k1",
    [UFTP_CURVE_SECP256R1] = "prime256v1", [UFTP_CURVE_SECP384R1] = "secp384r1",
    [UFTP_CURVE_SECP521R1] = "secp521r1",
};

const char *uftp_ossl_curve_name(int curve)
{
	if (curve <= 0 || curve > UFTP_CURVE_MAX)
		return NULL;
	return curve_names[curve];
}

int uftp_ossl_curve_from_name(const char *name)
{
	int i;

	for (i = 1; i <= UFTP_CURVE_MAX; i++)
		if (!strcmp(name, curve_names[i]))
			return i;
	if (!strcmp(name, "secp192r1") || !strcmp(name, "P-192"))
		return UFTP_CURVE_SECP192R1;
	if (!strcmp(name, "secp256r1") || !strcmp(name, "P-256"))
		return UFTP_CURVE_SECP256R1;
	return 0;
}

/* ---- key handles ----------------------------------------------------- */

static int ec_curve_of(const EVP_PKEY *pk)
{
	char name[64];
	size_t len = 0;

	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
	                                    &len))
		return 0;
	return uftp_ossl_curve_from_name(name);
}

static int has_private(const EVP_PKEY *pk, int blobtype)
{
	BIGNUM *bn = NULL;
	int yes;

	yes = EVP_PKEY_get_bn_param(
	    pk, blobtype == UFTP_BLOB_RSA ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY, &bn);
	BN_clear_free(bn);
	return yes ? 1 : 0;
}

int uftp_ossl_pkey_wrap(EVP_PKEY *pk, struct uftp_pkey **out)
{
	struct uftp_pkey *k;
	int blobtype, curve = 0;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		blobtype = UFTP_BLOB_RSA;
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		blobtype = UFTP_BLOB_EC;
		curve = ec_curve_of(pk);
		if (!curve)
			return UFTP_ERR_UNKNOWN_TYPE;
	} else {
		return UFTP_ERR_UNKNOWN_TYPE;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return UFTP_ERR_NOMEM;
	k->pkey = pk;
	k->blobtype = blobtype;
	k->curve = curve;
	k->has_private = has_private(pk, blobtype);
	*out = k;
	return 0;
}

void ossl_pkey_free(struct uftp_pkey *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL cleanses private key material */
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

static size_t order_len(const struct uftp_pkey *key)
{
	return ((size_t)EVP_PKEY_get_bits(key->pkey) + 7) / 8;
}

static size_t ecdsa_sig_len(const struct uftp_pkey *key)
{
	return (4 + 2 * order_len(key) + 3) & ~(size_t)3;
}

int ossl_pkey_info(const struct uftp_pkey *key, struct uftp_pkey_info *info)
{
	if (!key || !key->pkey)
		return UFTP_ERR_INVALID;
	info->blobtype = key->blobtype;
	info->curve = key->curve;
	info->bits = EVP_PKEY_get_bits(key->pkey);
	info->has_private = key->has_private;
	if (key->blobtype == UFTP_BLOB_RSA)
		info->sig_len = (size_t)EVP_PKEY_get_size(key->pkey);
	else
		info->sig_len = ecdsa_sig_len(key);
	return 0;
}

int ossl_pkey_generate(int blobtype, int param, struct uftp_pkey **out)
{
	EVP_PKEY *pk;
	const char *name;
	int rv;

	if (blobtype == UFTP_BLOB_RSA) {
		if (param < 512 || param > 8192)
			return UFTP_ERR_INVALID;
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)param);
	} else if (blobtype == UFTP_BLOB_EC) {
		name = uftp_ossl_curve_name(param);
		if (!name)
			return UFTP_ERR_UNKNOWN_TYPE;
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", name);
		if (!pk)
			return UFTP_ERR_UNSUPPORTED;
	} else {
		return UFTP_ERR_UNKNOWN_TYPE;
	}
	if (!pk)
		return UFTP_ERR_CRYPTO;
	rv = uftp_ossl_pkey_wrap(pk, out);
	if (rv < 0)
		EVP_PKEY_free(pk);
	return rv;
}

/* ---- RSA premaster --------------------------------------------------- */

#define OAEP_OVERHEAD  42 /* 2 x SHA-1 + 2 */
#define PKCS1_OVERHEAD 11

/*
 * The padding for a key of k bytes: OAEP unless the key cannot carry a
 * premaster with it.  Decided by the key alone, so both ends agree.
 */
static int premaster_padding(size_t k)
{
	return k < UFTP_PREMASTER_LEN + OAEP_OVERHEAD ? RSA_PKCS1_PADDING : RSA_PKCS1_OAEP_PADDING;
}

static EVP_PKEY_CTX *rsa_ctx(const struct uftp_pkey *key, int enc, int padding)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);

	if (!ctx)
		return NULL;
	if ((enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, padding) <= 0 ||
	    (padding == RSA_PKCS1_OAEP_PADDING &&
	     (EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, "SHA1", NULL) <= 0 ||
	      EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, "SHA1", NULL) <= 0))) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int ossl_rsa_encrypt(const struct uftp_pkey *pub, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap)
{
	EVP_PKEY_CTX *ctx;
	size_t outl = cap, k;
	int ok, padding;

	if (!pub || pub->blobtype != UFTP_BLOB_RSA)
		return UFTP_ERR_INVALID;
	k = (size_t)EVP_PKEY_get_size(pub->pkey);
	if (cap < k)
		return UFTP_ERR_NOSPACE;
	padding = premaster_padding(k);
	if (len + (padding == RSA_PKCS1_PADDING ? PKCS1_OVERHEAD : OAEP_OVERHEAD) > k)
		return UFTP_ERR_INVALID;
	ctx = rsa_ctx(pub, 1, padding);
	if (!ctx)
		return UFTP_ERR_CRYPTO;
	ok = EVP_PKEY_encrypt(ctx, out, &outl, in, len) > 0;
	EVP_PKEY_CTX_free(ctx);
	return ok ? (int)outl : UFTP_ERR_CRYPTO;
}

int ossl_rsa_decrypt(const struct uftp_pkey *priv, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap)
{
	uint8_t buf[UFTP_MAX_SIG_LEN];
	EVP_PKEY_CTX *ctx;
	size_t outl = sizeof(buf);
	int ok;

	if (!priv || priv->blobtype != UFTP_BLOB_RSA || !priv->has_private)
		return UFTP_ERR_INVALID;
	ctx = rsa_ctx(priv, 0, premaster_padding((size_t)EVP_PKEY_get_size(priv->pkey)));
	if (!ctx)
		return UFTP_ERR_CRYPTO;
	ok = EVP_PKEY_decrypt(ctx, buf, &outl, in, len) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return UFTP_ERR_AUTH;
	}
	if (outl > cap) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return UFTP_ERR_NOSPACE;
	}
	memcpy(out, buf, outl);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (int)outl;
}

/* ---- signatures ------------------------------------------------------ */

/* DER ECDSA-Sig-Value -> u16 rlen | u16 slen | r | s, r and s at order length. */
static int ecdsa_from_der(const struct uftp_pkey *key, const uint8_t *der, size_t derlen,
                          uint8_t *sig, size_t cap)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	size_t n = order_len(key), total = ecdsa_sig_len(key);
	const BIGNUM *r, *s;
	uint8_t *q = sig;
	int ok;

	if (!es)
		return UFTP_ERR_CRYPTO;
	if (cap < total) {
		ECDSA_SIG_free(es);
		return UFTP_ERR_NOSPACE;
	}
	ECDSA_SIG_get0(es, &r, &s);
	q = put_u16be(q, (uint16_t)n);
	q = put_u16be(q, (uint16_t)n);
	ok = BN_bn2binpad(r, q, (int)n) == (int)n && BN_bn2binpad(s, q + n, (int)n) == (int)n;
	put_zero(q + 2 * n, total - 4 - 2 * n);
	ECDSA_SIG_free(es);
	return ok ? (int)total : UFTP_ERR_CRYPTO;
}

/* Inverse of ecdsa_from_der; the DER goes to der (cap derlen). */
static int ecdsa_to_der(const uint8_t *sig, size_t siglen, uint8_t *der, size_t cap)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	uint16_t rlen, slen;
	unsigned char *p = der;
	int n;

	if (siglen < 4)
		return UFTP_ERR_AUTH;
	get_u16be(&slen, get_u16be(&rlen, sig));
	if (!rlen || !slen || (size_t)rlen + slen > siglen - 4)
		return UFTP_ERR_AUTH;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig + 4, rlen, NULL);
	s = BN_bin2bn(sig + 4 + rlen, slen, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return UFTP_ERR_NOMEM;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > cap)
		n = UFTP_ERR_AUTH;
	else
		n = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	return n;
}

static int check_sig_args(const struct uftp_pkey *key, int hashtype)
{
	if (!key || !key->pkey)
		return UFTP_ERR_INVALID;
	if (!ossl_md(hashtype))
		return ossl_hash_err(hashtype);
	return 0;
}

int ossl_sign(const struct uftp_pkey *priv, int hashtype, const uint8_t *msg, size_t len,
              uint8_t *sig, size_t cap)
{
	uint8_t der[UFTP_MAX_SIG_LEN];
	EVP_MD_CTX *ctx;
	size_t outl;
	int rv = check_sig_args(priv, hashtype), ok;

	if (rv < 0)
		return rv;
	if (!priv->has_private)
		return UFTP_ERR_INVALID;
	if (priv->blobtype == UFTP_BLOB_RSA && cap < (size_t)EVP_PKEY_get_size(priv->pkey))
		return UFTP_ERR_NOSPACE;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return UFTP_ERR_NOMEM;
	outl = priv->blobtype == UFTP_BLOB_RSA ? cap : sizeof(der);
	/* The default RSA padding for signatures is PKCS#1 v1.5. */
	ok = EVP_DigestSignInit_ex(ctx, NULL, EVP_MD_get0_name(ossl_md(hashtype)), NULL, NULL,
	                           priv->pkey, NULL) > 0 &&
	     EVP_DigestSign(ctx, priv->blobtype == UFTP_BLOB_RSA ? sig : der, &outl, msg, len) > 0;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return UFTP_ERR_CRYPTO;
	if (priv->blobtype == UFTP_BLOB_RSA)
		return (int)outl;
	return ecdsa_from_der(priv, der, outl, sig, cap);
}

int ossl_verify(const struct uftp_pkey *pub, int hashtype, const uint8_t *msg, size_t len,
                const uint8_t *sig, size_t siglen)
{
	uint8_t der[UFTP_MAX_SIG_LEN];
	const uint8_t *s = sig;
	EVP_MD_CTX *ctx;
	int rv = check_sig_args(pub, hashtype);

	if (rv < 0)
		return rv;
	if (pub->blobtype == UFTP_BLOB_EC) {
		rv = ecdsa_to_der(sig, siglen, der, sizeof(der));
		if (rv < 0)
			return rv;
		s = der;
		siglen = (size_t)rv;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return UFTP_ERR_NOMEM;
	rv = EVP_DigestVerifyInit_ex(ctx, NULL, EVP_MD_get0_name(ossl_md(hashtype)), NULL, NULL,
	                             pub->pkey, NULL) > 0
	         ? EVP_DigestVerify(ctx, s, siglen, msg, len)
	         : -1;
	EVP_MD_CTX_free(ctx);
	if (rv == 1)
		return 0;
	return UFTP_ERR_AUTH;
}

/* ---- ECDH ------------------------------------------------------------ */

int ossl_ecdh(const struct uftp_pkey *priv, const struct uftp_pkey *peer, uint8_t *out, size_t cap)
{
	EVP_PKEY_CTX *ctx;
	size_t outl = 0;
	int ok;

	if (!priv || !peer || priv->blobtype != UFTP_BLOB_EC || peer->blobtype != UFTP_BLOB_EC ||
	    priv->curve != peer->curve || !priv->has_private)
		return UFTP_ERR_INVALID;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
	if (!ctx)
		return UFTP_ERR_NOMEM;
	ok = EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_derive_set_peer(ctx, peer->pkey) > 0 &&
	     EVP_PKEY_derive(ctx, NULL, &outl) > 0;
	if (ok && outl > cap) {
		EVP_PKEY_CTX_free(ctx);
		return UFTP_ERR_NOSPACE;
	}
	ok = ok && EVP_PKEY_derive(ctx, out, &outl) > 0;
	EVP_PKEY_CTX_free(ctx);
	return ok ? (int)outl : UFTP_ERR_CRYPTO;
}

/* ---- key blobs ------------------------------------------------------- */

/*
 * The ops table shares keyfile.c's blob codec, which emits the form the
 * reference sends (EC blobs zero-padded to 4-byte words, as fingerprints
 * need) and validates imported keys.
 */
int ossl_blob_export(const struct uftp_pkey *key, uint8_t *out, size_t cap)
{
	if (!key || !key->pkey)
		return UFTP_ERR_INVALID;
	return (int)uftp_pkey_export_blob(key, out, cap);
}

/* Bytes a blob starting at in occupies: header + key, EC padded to 4 bytes. */
static int blob_extent(const uint8_t *in, size_t len)
{
	uint16_t klen;
	size_t n;

	if (len < 4)
		return UFTP_ERR_TRUNCATED;
	if (in[0] != UFTP_BLOB_RSA && in[0] != UFTP_BLOB_EC)
		return UFTP_ERR_UNKNOWN_TYPE;
	if (in[0] == UFTP_BLOB_RSA && len < 8)
		return UFTP_ERR_TRUNCATED;
	get_u16be(&klen, in + 2);
	n = (in[0] == UFTP_BLOB_RSA ? 8u : 4u) + klen;
	if (len < n)
		return UFTP_ERR_TRUNCATED;
	/*
	 * An EC blob occupies its zero padding to 4-byte words, as the
	 * reference sends it; the bare form is accepted only as the whole input.
	 */
	if (in[0] == UFTP_BLOB_EC && n % 4 && len != n) {
		n += 4 - n % 4;
		if (len < n)
			return UFTP_ERR_TRUNCATED;
	}
	return (int)n;
}

int ossl_blob_import(const uint8_t *in, size_t len, struct uftp_pkey **out)
{
	int n = blob_extent(in, len);
	int rv;

	if (n < 0)
		return n;
	rv = uftp_pkey_import_blob(out, in, (size_t)n);
	return rv < 0 ? rv : n;
}
