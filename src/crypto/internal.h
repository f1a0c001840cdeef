/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared between the files of the OpenSSL implementation under src/crypto;
 * not for use elsewhere.
 */
#ifndef UFTP_CRYPTO_INTERNAL_H
#define UFTP_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "core/crypto.h"

/* Fetched algorithms, NULL when unknown or unavailable (after uftp_ossl_init). */
const EVP_CIPHER *ossl_cipher(int keytype);
const EVP_MD *ossl_md(int hashtype);
EVP_MAC *ossl_hmac_mac(void);

/* Errors for a hash or key type the protocol knows but OpenSSL lacks, or not. */
int ossl_hash_err(int hashtype);
int ossl_key_err(int keytype);

int ossl_encrypt(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap);
int ossl_decrypt(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

int ossl_rsa_encrypt(const struct uftp_pkey *pub, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap);
int ossl_rsa_decrypt(const struct uftp_pkey *priv, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap);
int ossl_sign(const struct uftp_pkey *priv, int hashtype, const uint8_t *msg, size_t len,
              uint8_t *sig, size_t cap);
int ossl_verify(const struct uftp_pkey *pub, int hashtype, const uint8_t *msg, size_t len,
                const uint8_t *sig, size_t siglen);
int ossl_ecdh(const struct uftp_pkey *priv, const struct uftp_pkey *peer, uint8_t *out, size_t cap);
int ossl_pkey_generate(int blobtype, int param, struct uftp_pkey **out);
int ossl_blob_export(const struct uftp_pkey *key, uint8_t *out, size_t cap);
int ossl_blob_import(const uint8_t *in, size_t len, struct uftp_pkey **out);
int ossl_pkey_info(const struct uftp_pkey *key, struct uftp_pkey_info *info);
void ossl_pkey_free(struct uftp_pkey *key);

#endif
