/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The concrete form of struct uftp_pkey (opaque to src/core): an OpenSSL
 * EVP_PKEY plus what the protocol needs to know about it.  Only files under
 * src/crypto include this.
 */
#ifndef UFTP_CRYPTO_PKEY_H
#define UFTP_CRYPTO_PKEY_H

#include <openssl/evp.h>

struct uftp_pkey {
	EVP_PKEY *pkey;  /* owned */
	int blobtype;    /* enum uftp_blobtype: UFTP_BLOB_RSA or UFTP_BLOB_EC */
	int curve;       /* enum uftp_curve for EC keys, else 0 */
	int has_private; /* 1 if the private half is present */
};

#endif
