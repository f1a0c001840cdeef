/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UFTP key schedule (protocol.txt section 4) and the ENCRYPTED envelope
 * (section 5.2.2), as UFTP 4.10.2 actually computes them.  Pure: every
 * primitive goes through a struct uftp_crypto_ops.
 *
 * Facts settled against the real 4.10.2 binaries (tests/unit/test_interop_crypto.c
 * replays captured sessions through these functions):
 *  - the PRF is the TLS one (P_MD5 XOR P_SHA1 on the two halves of the secret
 *    when the hash is SHA-1, P_<hash> otherwise) EXCEPT that P_hash chains
 *    A(i+1) = HMAC(secret, A(i) + seed) -- the previous output block -- where
 *    RFC 2246/5246 use HMAC(secret, A(i)).  Only the first block of each P_hash
 *    agrees with the RFCs.  UFTP_PRF_UFTP selects the wire-compatible chain,
 *    UFTP_PRF_RFC the standard one (kept for the published test vectors);
 *  - the RSA premaster is 48 random bytes (no version byte); the group master
 *    is 0x40 (UFTP_VERSION) followed by 47 random bytes;
 *  - the handshake hash for verify data is Hash(group ID (4, network order) +
 *    private multicast address (4 or 16, as in ANNOUNCE) + server random +
 *    client random + premaster + [client key blob] + group master);
 *  - IVs: UID and counter in network byte order, salt as the key block has it;
 *  - HMAC and RSA/ECDSA signatures cover the whole UDP payload with the
 *    signature field zeroed; GCM/CCM authenticate the 16-byte UFTP header plus
 *    the 12-byte ENCRYPTED header as AAD and append a 16-byte tag to the
 *    ciphertext (payload length includes the tag);
 *  - the server's IV counter is shared by KEYINFO and its ENCRYPTED messages.
 */
#ifndef UFTP_CORE_KEYSCHED_H
#define UFTP_CORE_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/proto.h"

enum uftp_prf_variant {
	UFTP_PRF_UFTP = 0, /* what UFTP 4.10.2 puts on the wire */
	UFTP_PRF_RFC = 1,  /* RFC 2246 / RFC 5246 P_hash */
};

#define UFTP_PRF_MAX_LABEL_SEED 192 /* label + seed bytes accepted by the PRF */
#define UFTP_KEYINFO_ENC_LEN    48  /* encrypted group master in KEYINFO */
#define UFTP_ENC_HEADER_LEN     12  /* ENCRYPTED fixed part after the UFTP header */
#define UFTP_ECDH_PREMASTER_LEN 20  /* SHA-1 of the ECDH shared secret */

/* Keys derived from one key block (client session keys or group keys). */
struct uftp_keys {
	int keytype;                         /* UFTP_KEY_* */
	int hashtype;                        /* UFTP_HASH_* */
	uint8_t hmac_key[UFTP_MAX_HASH_LEN]; /* first hash_len bytes */
	uint8_t key[UFTP_MAX_KEY_LEN];       /* next key_len bytes */
	uint8_t salt[UFTP_SALT_LEN];         /* next 4 bytes */
};

/* The values hashed into the KEYINFO_ACK verify data (all borrowed). */
struct uftp_handshake {
	uint32_t group_id;
	const uint8_t *priv_addr; /* 4 (IPv4) or 16 (IPv6) bytes */
	size_t priv_addr_len;
	const uint8_t *server_random; /* UFTP_RAND_LEN bytes */
	const uint8_t *client_random; /* UFTP_RAND_LEN bytes */
	const uint8_t *premaster;
	size_t premaster_len;           /* 48 (RSA) or 20 (ECDH) */
	const uint8_t *client_key_blob; /* NULL if no CLIENT_KEY was sent */
	size_t client_key_blob_len;
	const uint8_t *group_master; /* UFTP_MASTER_LEN bytes */
};

/*
 * PRF(secret, label, seed) -> out[0..outlen).  hashtype SHA-1 selects the
 * TLS 1.0/1.1 construction (P_MD5 XOR P_SHA1), any other hash the TLS 1.2 one
 * with that hash.  label is a NUL-terminated ASCII string (the NUL is not
 * used).  Errors: INVALID (label + seed longer than UFTP_PRF_MAX_LABEL_SEED),
 * UNKNOWN_TYPE / UNSUPPORTED (hash), CRYPTO.
 */
int uftp_keysched_prf(const struct uftp_crypto_ops *ops, enum uftp_prf_variant variant,
                      int hashtype, const uint8_t *secret, size_t secretlen, const char *label,
                      const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen);

/*
 * master = PRF(premaster, "master secret", server_random + client_random)[0..47].
 * Randoms are UFTP_RAND_LEN bytes; master has UFTP_MASTER_LEN.  Errors: as prf.
 */
int uftp_keysched_master(const struct uftp_crypto_ops *ops, int hashtype, const uint8_t *premaster,
                         size_t premaster_len, const uint8_t *server_random,
                         const uint8_t *client_random, uint8_t *master);

/*
 * Splits a key block into keys: hmac_key = block[0..hash_len), key =
 * next key_len bytes, salt = next 4.  block has uftp_keysched_block_len()
 * bytes.  Errors: UNKNOWN_TYPE (keytype or hashtype).
 */
int uftp_keysched_split(int keytype, int hashtype, const uint8_t *block, struct uftp_keys *keys);

/* hash_len + key_len + 4, or 0 for an unknown type. */
size_t uftp_keysched_block_len(int keytype, int hashtype);

/*
 * The session keys of one client: PRF(master, "key expansion",
 * server_random + client_random), split.  Errors: as prf and split.
 */
int uftp_keysched_client_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                              const uint8_t *master, const uint8_t *server_random,
                              const uint8_t *client_random, struct uftp_keys *keys);

/*
 * The group keys: PRF(group_master, "key expansion", server_random), split.
 * Errors: as prf and split.
 */
int uftp_keysched_group_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                             const uint8_t *group_master, const uint8_t *server_random,
                             struct uftp_keys *keys);

/*
 * Builds the IV for keytype from salt, the sender's unique ID and the 64-bit
 * counter (protocol.txt section 4): 16 bytes S+UID+CTR (AES-CBC), 12 bytes
 * (S XOR UID)+CTR (GCM/CCM), 8 bytes (S+UID) XOR CTR (DES/3DES), all big
 * endian.  iv has UFTP_MAX_IV_LEN bytes.  Returns the IV length.
 * Errors: UNKNOWN_TYPE.
 */
int uftp_keysched_iv(int keytype, const uint8_t *salt, uint32_t uid, uint64_t ctr, uint8_t *iv);

/*
 * KEYINFO: encrypts group_master[1..47] with the client's session keys, in
 * CBC even when keys->keytype is GCM/CCM, IV from the client's salt, the
 * server's ID and ctr.  out receives UFTP_KEYINFO_ENC_LEN bytes.
 * Errors: UNKNOWN_TYPE, UNSUPPORTED, CRYPTO.
 */
int uftp_keysched_keyinfo_wrap(const struct uftp_crypto_ops *ops, const struct uftp_keys *keys,
                               uint32_t server_id, uint64_t ctr, const uint8_t *group_master,
                               uint8_t *out);

/*
 * Inverse of wrap: rebuilds the 48-byte group master as version byte
 * (UFTP_VERSION) + the 47 decrypted bytes.  in has UFTP_KEYINFO_ENC_LEN bytes.
 * Errors: AUTH (bad padding or wrong length: not for this client / wrong
 * keys), UNKNOWN_TYPE, UNSUPPORTED, CRYPTO.
 */
int uftp_keysched_keyinfo_unwrap(const struct uftp_crypto_ops *ops, const struct uftp_keys *keys,
                                 uint32_t server_id, uint64_t ctr, const uint8_t *in,
                                 uint8_t *group_master);

/*
 * verify = PRF(group_master, "client finished", Hash(handshake))[0..11];
 * out has UFTP_VERIFY_LEN bytes.  Errors: INVALID (priv_addr_len not 4 or
 * 16, premaster longer than 48, blob longer than UFTP_MAX_BLOB_LEN), as prf.
 */
int uftp_keysched_verify_data(const struct uftp_crypto_ops *ops, int hashtype,
                              const struct uftp_handshake *hs, uint8_t *out);

/*
 * The message a CLIENT_KEY signature covers (sign/verify hash it with the
 * session hash): group ID + private address + server random + client random
 * + premaster.  Writes to out (cap bytes), returns its length.
 * Errors: INVALID (as verify_data), NOSPACE.
 */
int uftp_keysched_client_key_msg(const struct uftp_handshake *hs, uint8_t *out, size_t cap);

/*
 * ECDH premaster: SHA-1 of the raw shared secret between priv and peer.
 * out has UFTP_ECDH_PREMASTER_LEN bytes.  Errors: as ops->ecdh and ops->hash.
 */
int uftp_keysched_ecdh_premaster(const struct uftp_crypto_ops *ops, const struct uftp_pkey *priv,
                                 const struct uftp_pkey *peer, uint8_t *out);

/* Overwrites n bytes at p with zeros in a way the compiler cannot elide. */
void uftp_keysched_wipe(void *p, size_t n);

/* ---- ENCRYPTED envelope ------------------------------------------------ */

/*
 * How ENCRYPTED messages of a session are protected.  All pointers borrowed.
 *  - UFTP_SIG_HMAC: HMAC of the whole packet (signature field zeroed) with
 *    keys->hmac_key; keys->keytype must be a CBC type.
 *  - UFTP_SIG_KEYEX: RSA/ECDSA signature of the whole packet (signature field
 *    zeroed) with sign_key (seal) / verify_key (open, the sender's key).
 *  - UFTP_SIG_AUTHENC: keys->keytype is GCM/CCM; no signature field.
 */
struct uftp_envelope {
	const struct uftp_crypto_ops *ops;
	int sigtype;
	const struct uftp_keys *keys;       /* group keys */
	const struct uftp_pkey *sign_key;   /* KEYEX seal: own private key */
	const struct uftp_pkey *verify_key; /* KEYEX open: sender's public key */
};

/*
 * Builds an ENCRYPTED packet into out: the 16-byte UFTP header hdr (its
 * function byte must already say ENCRYPTED; copied as is), the counter ctr,
 * the signature and plain[0..plen) encrypted.  The IV uses the Source ID of
 * hdr.  Returns the packet length.  Errors: INVALID (bad envelope, sigtype
 * and keytype mismatch, packet over 65535 bytes), NOSPACE, and those of the
 * ops used.
 */
int uftp_envelope_seal(const struct uftp_envelope *env, const uint8_t *hdr, uint64_t ctr,
                       const uint8_t *plain, size_t plen, uint8_t *out, size_t cap);

/*
 * Checks and decrypts the ENCRYPTED packet pkt[0..len) (UFTP header
 * included) into plain (cap bytes; the payload length always suffices).
 * Stores the IV counter in *ctr (for the caller's replay check).  Returns the
 * plaintext length.  Errors: TRUNCATED, BADLEN (lengths disagree with the
 * packet, signature length wrong for the sigtype), AUTH (HMAC, signature or
 * tag mismatch, bad padding), NOSPACE, INVALID (bad envelope).
 */
int uftp_envelope_open(const struct uftp_envelope *env, const uint8_t *pkt, size_t len,
                       uint64_t *ctr, uint8_t *plain, size_t cap);

/*
 * The fingerprint of a key blob as UFTP prints and checks it (-H, -S, -C,
 * -j, uftp_keymgt): SHA-1 of the protocol key blob, an EC blob zero-padded
 * to whole 4-byte words (how crypto/keyfile.c found it is recorded there).
 * Errors: INVALID (empty blob), BADLEN (longer than UFTP_MAX_BLOB_LEN),
 * the hash's error.
 */
int uftp_key_fingerprint(const struct uftp_crypto_ops *ops, const uint8_t *blob, size_t len,
                         uint8_t fp[UFTP_FP_LEN]);

/*
 * 1 when the key blob's fingerprint is want; 0 when it is not, when it
 * cannot be computed, or when ops is NULL (no crypto injected).
 */
int uftp_key_fp_matches(const struct uftp_crypto_ops *ops, const uint8_t *blob, size_t len,
                        const uint8_t want[UFTP_FP_LEN]);

#endif
