/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenSSL 3 set-up (providers, fetched algorithms), digests, HMAC, RNG and
 * the ops table.  Algorithms are fetched once at init: fetching per packet
 * costs a provider lookup each time.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "crypto/internal.h"
#include "crypto/ossl.h"

#define NKEY  (UFTP_KEY_AES256_CCM + 1)
#define NHASH (UFTP_HASH_SHA512 + 1)

static const char *const cipher_names[NKEY] = {
    [UFTP_KEY_DES] = "DES-CBC",
    [UFTP_KEY_DES_EDE3] = "DES-EDE3-CBC",
    [UFTP_KEY_AES128_CBC] = "AES-128-CBC",
    [UFTP_KEY_AES256_CBC] = "AES-256-CBC",
    [UFTP_KEY_AES128_GCM] = "AES-128-GCM",
    [UFTP_KEY_AES256_GCM] = "AES-256-GCM",
    [UFTP_KEY_AES128_CCM] = "AES-128-CCM",
    [UFTP_KEY_AES256_CCM] = "AES-256-CCM",
};

/* Writable because OSSL_PARAM_construct_utf8_string takes a char *. */
static char md_names[NHASH][12] = {
    [UFTP_HASH_MD5] = "MD5",         [UFTP_HASH_SHA1] = "SHA1",
    [UFTP_HASH_SHA256] = "SHA2-256", [UFTP_HASH_SHA384] = "SHA2-384",
    [UFTP_HASH_SHA512] = "SHA2-512",
};

static EVP_CIPHER *ciphers[NKEY];
static EVP_MD *mds[NHASH];
static EVP_MAC *hmac_mac;
static OSSL_PROVIDER *prov_default, *prov_legacy;
static int initialised;

const EVP_CIPHER *ossl_cipher(int keytype)
{
	if (keytype <= 0 || keytype >= NKEY)
		return NULL;
	return ciphers[keytype];
}

const EVP_MD *ossl_md(int hashtype)
{
	if (hashtype <= 0 || hashtype >= NHASH)
		return NULL;
	return mds[hashtype];
}

EVP_MAC *ossl_hmac_mac(void)
{
	return hmac_mac;
}

int ossl_hash_err(int hashtype)
{
	return uftp_hash_len(hashtype) ? UFTP_ERR_UNSUPPORTED : UFTP_ERR_UNKNOWN_TYPE;
}

int ossl_key_err(int keytype)
{
	return uftp_key_len(keytype) ? UFTP_ERR_UNSUPPORTED : UFTP_ERR_UNKNOWN_TYPE;
}

/* Writes "<what>: <first OpenSSL error>" to errbuf, if any. */
static void set_err(char *errbuf, size_t errlen, const char *what)
{
	char detail[256];
	unsigned long e = ERR_get_error();

	if (!errbuf || !errlen)
		return;
	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "no detail from OpenSSL");
	snprintf(errbuf, errlen, "%s: %s", what, detail);
	ERR_clear_error();
}

static int fetch_all(char *errbuf, size_t errlen)
{
	int i;

	for (i = 1; i < NHASH; i++) {
		mds[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
		if (!mds[i]) {
			set_err(errbuf, errlen, "OpenSSL digest missing");
			return UFTP_ERR_CRYPTO;
		}
	}
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac_mac) {
		set_err(errbuf, errlen, "OpenSSL HMAC missing");
		return UFTP_ERR_CRYPTO;
	}
	for (i = 1; i < NKEY; i++) {
		ciphers[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], NULL);
		if (!ciphers[i] && i != UFTP_KEY_DES) {
			set_err(errbuf, errlen, "OpenSSL cipher missing");
			return UFTP_ERR_CRYPTO;
		}
	}
	ERR_clear_error();
	return 0;
}

int uftp_ossl_init(char *errbuf, size_t errlen)
{
	int rv;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (initialised)
		return ciphers[UFTP_KEY_DES] ? 0 : UFTP_ERR_UNSUPPORTED;
	/* Loading any provider explicitly disables the implicit default one. */
	prov_default = OSSL_PROVIDER_load(NULL, "default");
	if (!prov_default) {
		set_err(errbuf, errlen, "cannot load the OpenSSL default provider");
		return UFTP_ERR_CRYPTO;
	}
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	ERR_clear_error();
	rv = fetch_all(errbuf, errlen);
	if (rv < 0)
		return rv;
	initialised = 1;
	if (!prov_legacy && errbuf && errlen)
		snprintf(errbuf, errlen,
		         "cannot load the OpenSSL legacy provider (legacy.so missing from "
		         "OPENSSL_MODULES?): DES is unavailable, 3DES and AES are not affected");
	return ciphers[UFTP_KEY_DES] ? 0 : UFTP_ERR_UNSUPPORTED;
}

static int hash(int hashtype, const uint8_t *in, size_t len, uint8_t *out)
{
	const EVP_MD *md = ossl_md(hashtype);
	unsigned int outl = 0;

	if (!md)
		return ossl_hash_err(hashtype);
	if (!EVP_Digest(in, len, out, &outl, md, NULL))
		return UFTP_ERR_CRYPTO;
	return (int)outl;
}

static int hmac(int hashtype, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len,
                uint8_t *out)
{
	static const uint8_t nokey[1];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t outl = 0;
	int ok;

	if (!ossl_md(hashtype))
		return ossl_hash_err(hashtype);
	ctx = EVP_MAC_CTX_new(hmac_mac);
	if (!ctx)
		return UFTP_ERR_NOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md_names[hashtype], 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(ctx, keylen ? key : nokey, keylen, params) &&
	     EVP_MAC_update(ctx, in, len) &&
	     EVP_MAC_final(ctx, out, &outl, uftp_hash_len(hashtype));
	EVP_MAC_CTX_free(ctx);
	return ok ? (int)outl : UFTP_ERR_CRYPTO;
}

static int random_bytes(uint8_t *out, size_t len)
{
	if (len > 0x7fffffff)
		return UFTP_ERR_INVALID;
	return RAND_bytes(out, (int)len) == 1 ? 0 : UFTP_ERR_CRYPTO;
}

static const struct uftp_crypto_ops ops = {
    .hash = hash,
    .hmac = hmac,
    .encrypt = ossl_encrypt,
    .decrypt = ossl_decrypt,
    .random = random_bytes,
    .rsa_encrypt = ossl_rsa_encrypt,
    .rsa_decrypt = ossl_rsa_decrypt,
    .sign = ossl_sign,
    .verify = ossl_verify,
    .ecdh = ossl_ecdh,
    .pkey_generate = ossl_pkey_generate,
    .blob_export = ossl_blob_export,
    .blob_import = ossl_blob_import,
    .pkey_info = ossl_pkey_info,
    .pkey_free = ossl_pkey_free,
};

const struct uftp_crypto_ops *uftp_ossl_ops(void)
{
	return &ops;
}
