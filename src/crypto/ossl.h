/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The OpenSSL 3 implementation of struct uftp_crypto_ops (src/core/crypto.h).
 * Drivers call uftp_ossl_init() once before anything else, then hand
 * uftp_ossl_ops() to the core.
 *
 * Wire facts this implementation encodes (settled against UFTP 4.10.2, see
 * tests/unit/test_interop_crypto.c and the comments in pk.c):
 *  - RSA premaster: RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label
 *    (PKCS#1 v1.5 with keys too small for that, see pk.c);
 *  - RSA signatures: RSASSA-PKCS1-v1_5 over the digest of the message with
 *    the session hash;
 *  - ECDSA signatures: see pk.c (uftp_ossl_sign);
 *  - EC key blobs carry the uncompressed point (see pk.c).
 */
#ifndef UFTP_CRYPTO_OSSL_H
#define UFTP_CRYPTO_OSSL_H

#include <stddef.h>

#include <openssl/evp.h>

#include "core/crypto.h"

/*
 * Loads the OpenSSL "default" provider and the "legacy" provider (needed only
 * for single DES; 3DES and AES live in "default") and fetches every cipher,
 * digest and MAC the protocol uses.  Safe to call more than once.
 * Returns 0 when everything is available.  Returns UFTP_ERR_UNSUPPORTED when
 * the legacy provider could not be loaded: DES is then unavailable (its
 * encrypt/decrypt return UFTP_ERR_UNSUPPORTED) but everything else works; a
 * message naming the cause is written to errbuf (if errbuf is not NULL).
 * Returns UFTP_ERR_CRYPTO (message in errbuf) if the default provider or a
 * required algorithm is missing.
 */
int uftp_ossl_init(char *errbuf, size_t errlen);

/* The ops table (static storage).  uftp_ossl_init() must have succeeded. */
const struct uftp_crypto_ops *uftp_ossl_ops(void);

/*
 * Wraps an EVP_PKEY (RSA or EC on a protocol curve) in a new struct
 * uftp_pkey, taking ownership of pk on success (on failure the caller keeps
 * it).  For key-file loaders.  Errors: UNKNOWN_TYPE (not RSA/EC, or an EC
 * curve outside protocol.txt 5.3.12), NOMEM.
 */
int uftp_ossl_pkey_wrap(EVP_PKEY *pk, struct uftp_pkey **out);

/* Maps a protocol curve number to OpenSSL's group name; NULL if unknown. */
const char *uftp_ossl_curve_name(int curve);

/* Maps an OpenSSL group name to a protocol curve number; 0 if unknown. */
int uftp_ossl_curve_from_name(const char *name);

#endif
