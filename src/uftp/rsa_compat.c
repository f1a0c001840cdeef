/*
 * RSA premaster decryption as the reference does it with small keys.
 *
 * Observed against UFTP 4.10.2 (uftpd with its default 512-bit key): a
 * 48-byte premaster does not fit RSA-OAEP in a 512-bit modulus, and the
 * reference then uses PKCS#1 v1.5 padding (checked by decrypting a captured
 * REGISTER with the server key).  Larger keys use OAEP (src/crypto/pk.c).
 * This wraps the OpenSSL ops table so the core sees one rsa_decrypt.
 */
#include "config.h"

#include <string.h>

#include <openssl/rsa.h>

#include "core/err.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "uftp/uftp.h"

#define OAEP_OVERHEAD 42 /* 2 x SHA-1 + 2 */

static struct uftp_crypto_ops ops;

static int pkcs1_decrypt(const struct uftp_pkey *priv, const uint8_t *in, size_t len, uint8_t *out,
                         size_t cap)
{
	uint8_t buf[1024];
	size_t outl = sizeof(buf);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv->pkey, NULL);
	int ok;

	if (ctx == NULL)
		return UFTP_ERR_CRYPTO;
	ok = EVP_PKEY_decrypt_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_decrypt(ctx, buf, &outl, in, len) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok || outl > cap) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return ok ? UFTP_ERR_NOSPACE : UFTP_ERR_AUTH;
	}
	memcpy(out, buf, outl);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (int)outl;
}

static int compat_rsa_decrypt(const struct uftp_pkey *priv, const uint8_t *in, size_t len,
                              uint8_t *out, size_t cap)
{
	if (priv && priv->pkey && priv->blobtype == UFTP_BLOB_RSA &&
	    (size_t)EVP_PKEY_get_size(priv->pkey) < UFTP_PREMASTER_LEN + OAEP_OVERHEAD)
		return pkcs1_decrypt(priv, in, len, out, cap);
	return uftp_ossl_ops()->rsa_decrypt(priv, in, len, out, cap);
}

const struct uftp_crypto_ops *uftp_compat_ops(void)
{
	ops = *uftp_ossl_ops();
	ops.rsa_decrypt = compat_rsa_decrypt;
	return &ops;
}
