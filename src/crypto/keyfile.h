/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Long-term RSA / EC keys: PEM key files, key generation, the protocol's
 * public key blobs (protocol.txt 5.2.3.2 / 5.2.3.3), named-curve numbers
 * (5.3.12) and key fingerprints as UFTP 4.x prints and checks them.
 *
 * Key fingerprint (found by black-box experiment against uftp_keymgt 4.10.2,
 * see keyfile.c): SHA-1 of the key's public key blob exactly as it travels
 * in the protocol, i.e. for RSA
 *     01 00 <modlen:16> <exponent:32> <modulus>
 * and for EC
 *     02 <curve> <keylen:16> <X> <Y> [00..]  (no 0x04 prefix)
 * where an EC blob is zero-padded to a whole number of 4-byte words, as the
 * reference sends it (only sect163* and sect193* blobs need padding: 46 and
 * 54 bytes become 48 and 56).  RSA blobs are never padded.
 * It is printed as 20 upper-case hex pairs joined by ':'.
 *
 * Every function returns 0 (or a positive length) on success and a negative
 * enum uftp_err on failure; no function prints anything except
 * uftp_keyfile_load(), which may warn (log_warnx) about file permissions.
 */
#ifndef UFTP_CRYPTO_KEYFILE_H
#define UFTP_CRYPTO_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/proto.h" /* UFTP_FP_LEN */

struct uftp_pkey; /* defined in crypto/pkey.h */

#define UFTP_RSA_MIN_BITS  512 /* -g rsa: limits of the reference */
#define UFTP_RSA_MAX_BITS  2048
#define UFTP_RSA_BLOB_HDR  8                          /* type, reserved, modlen, exponent */
#define UFTP_EC_BLOB_HDR   4                          /* type, curve, keylen */
#define UFTP_PKEY_BLOB_MAX (UFTP_RSA_BLOB_HDR + 1024) /* RSA 8192 / EC 571 fit */

/* ---- named curves ------------------------------------------------------ */

/*
 * Looks up a curve by the name a user types after "-g ec:".  Accepts the
 * names of protocol.txt 5.3.12 plus the OpenSSL aliases prime192v1 and
 * prime256v1 (for secp192r1 / secp256r1), case-sensitively, like the
 * reference.  Returns the protocol curve number (enum uftp_curve, > 0) or
 * UFTP_ERR_UNKNOWN_TYPE.  name may be NULL (-> UFTP_ERR_UNKNOWN_TYPE).
 */
int uftp_pkey_curve_by_name(const char *name);

/*
 * Returns the name uftp_keymgt prints for a protocol curve number (OpenSSL's
 * short name: "prime256v1", not "secp256r1"), a static string; NULL if curve
 * is not a known protocol curve number.
 */
const char *uftp_pkey_curve_name(int curve);

/* Returns the OpenSSL NID of a protocol curve number, or 0 (NID_undef). */
int uftp_pkey_curve_to_nid(int curve);

/* Returns the protocol curve number of an OpenSSL NID, or UFTP_CURVE_NONE. */
int uftp_pkey_curve_from_nid(int nid);

/* ---- key objects ------------------------------------------------------- */

/*
 * Generates an RSA key of bits bits (UFTP_RSA_MIN_BITS..UFTP_RSA_MAX_BITS,
 * public exponent 65537).  On success *out owns a new key (free with
 * uftp_pkey_free).  Errors: UFTP_ERR_INVALID (bits out of range or out
 * NULL), UFTP_ERR_CRYPTO, UFTP_ERR_NOMEM.
 */
int uftp_pkey_generate_rsa(struct uftp_pkey **out, int bits);

/*
 * Generates an EC key on a protocol curve (enum uftp_curve).  On success *out
 * owns a new key.  Errors: UFTP_ERR_UNKNOWN_TYPE (not a protocol curve),
 * UFTP_ERR_UNSUPPORTED (this OpenSSL lacks the curve), UFTP_ERR_CRYPTO,
 * UFTP_ERR_NOMEM, UFTP_ERR_INVALID (out NULL).
 */
int uftp_pkey_generate_ec(struct uftp_pkey **out, int curve);

/* Frees a key and cleanses its private half; NULL is a no-op. */
void uftp_pkey_free(struct uftp_pkey *key);

/*
 * The size uftp_keymgt prints for a key: for RSA the modulus length in
 * bytes times 8 (so a 1023-bit key prints 1024, as the reference does); for
 * EC the group order's bit length.  Returns > 0, or UFTP_ERR_INVALID.
 */
int uftp_pkey_bits(const struct uftp_pkey *key);

/* ---- key files --------------------------------------------------------- */

/*
 * Reads an unencrypted PEM private key, RSA or EC, in any form the reference
 * reads: traditional ("BEGIN RSA PRIVATE KEY", "BEGIN EC PRIVATE KEY") or
 * PKCS#8 ("BEGIN PRIVATE KEY"); RSA-PSS keys count as RSA.  Encrypted keys,
 * public keys, DER and other key types are refused (never prompts).  Warns
 * with log_warnx when the file is readable or writable by group or others.
 * EC keys on curves outside protocol.txt 5.3.12 load with curve
 * UFTP_CURVE_NONE (the reference lists them as "curve UNKNOWN").
 * On success *out owns a new key with has_private = 1.
 * Errors: UFTP_ERR_IO (cannot open or read: errno is set), UFTP_ERR_KEYFILE
 * (not a usable private key), UFTP_ERR_NOMEM, UFTP_ERR_INVALID (NULL args).
 */
int uftp_keyfile_load(struct uftp_pkey **out, const char *path);

/*
 * Writes the private key to a new file, mode 0600, in the PEM form the
 * reference writes: traditional "BEGIN RSA PRIVATE KEY" / "BEGIN EC PRIVATE
 * KEY" (EC parameters as a named-curve OID).  Never overwrites: an existing
 * path (even a dangling symlink) gives UFTP_ERR_EXISTS.  On a write error the
 * partial file is removed.  Errors: UFTP_ERR_EXISTS, UFTP_ERR_IO (errno set),
 * UFTP_ERR_CRYPTO, UFTP_ERR_INVALID (no private half, NULL args).
 */
int uftp_keyfile_save(const struct uftp_pkey *key, const char *path);

/* ---- public key blobs and fingerprints ---------------------------------- */

/*
 * Encodes the public half as a protocol key blob into out (cap bytes), in the
 * form the reference sends: EC blobs zero-padded to 4-byte words, so the
 * length may exceed 4 + the key length field.  With out NULL, only returns
 * the length needed.
 * Returns the blob length (> 0), or UFTP_ERR_NOSPACE, UFTP_ERR_INVALID
 * (no key, RSA modulus over 65535 bytes, exponent over 32 bits),
 * UFTP_ERR_CRYPTO.  UFTP_PKEY_BLOB_MAX bytes always suffice for keys this
 * module generates.
 */
ssize_t uftp_pkey_export_blob(const struct uftp_pkey *key, uint8_t *out, size_t cap);

/*
 * Decodes a protocol key blob of exactly len bytes into a new public-only key
 * (*out, has_private = 0; free with uftp_pkey_free).  An EC blob may come
 * with or without its zero padding to 4-byte words.  Errors:
 * UFTP_ERR_TRUNCATED (shorter than its header), UFTP_ERR_BADLEN (length
 * field disagrees with len, or EC point length wrong for the curve),
 * UFTP_ERR_UNKNOWN_TYPE (blob type or curve), UFTP_ERR_BADVALUE (reserved
 * byte not 0, zero or even exponent, point not on the curve, non-zero
 * padding),
 * UFTP_ERR_UNSUPPORTED, UFTP_ERR_CRYPTO, UFTP_ERR_NOMEM, UFTP_ERR_INVALID.
 */
int uftp_pkey_import_blob(struct uftp_pkey **out, const uint8_t *blob, size_t len);

/*
 * Fingerprint of a key (SHA-1 of its protocol key blob) into fp.  Errors as
 * uftp_pkey_export_blob, plus UFTP_ERR_CRYPTO.
 */
int uftp_pkey_fingerprint(const struct uftp_pkey *key, uint8_t fp[UFTP_FP_LEN]);

/*
 * Fingerprint of a key blob as received: SHA-1 over the len bytes, followed,
 * for an EC blob (first byte 2) whose len is not a multiple of 4, by zero
 * bytes up to the next multiple of 4 (so a blob received with or without
 * that padding gives the same fingerprint).  Errors: UFTP_ERR_INVALID (NULL
 * or empty), UFTP_ERR_CRYPTO.
 */
int uftp_pkey_fingerprint_blob(const uint8_t *blob, size_t len, uint8_t fp[UFTP_FP_LEN]);

/* Fingerprints are parsed and formatted by lib/hostlist.h (uftp_fp_parse, uftp_fp_format). */

#endif
