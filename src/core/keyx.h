/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key exchange steps the roles share (protocol.txt 4), pure: the
 * crypto and the randomness come from the session's env.
 *
 *  - the client side of the exchange, done by a client (client core) and
 *    by a client or response proxy toward its server (proxy core): the
 *    ANNOUNCE signature check, the RSA or ECDH premaster and the REGISTER
 *    key info, the CLIENT_KEY signature;
 *  - what both ends compute: the handshake record (keysched.h), the
 *    session keys from a premaster, the CLIENT_KEY check.
 */
#ifndef UFTP_CORE_KEYX_H
#define UFTP_CORE_KEYX_H

#include <stddef.h>
#include <stdint.h>

#include "core/keysched.h"
#include "core/session.h"

/*
 * Fills the session's part of *hs (every other field zero): group ID,
 * private address (4 or 16 bytes by family, borrowed), server random and
 * group master (borrowed).
 */
void uftp_keyx_handshake(struct uftp_handshake *hs, uint32_t group_id,
                         const struct uftp_ipaddr *priv, const uint8_t *srand,
                         const uint8_t *group_master);

/*
 * Adds one client's part to *hs: its random, premaster (plen bytes) and
 * CLIENT_KEY blob (NULL: none).  All borrowed.
 */
void uftp_keyx_handshake_client(struct uftp_handshake *hs, const uint8_t *crand,
                                const uint8_t *premaster, size_t plen, const uint8_t *blob,
                                size_t blob_len);

/*
 * The unicast keys of one client: master secret from premaster and the two
 * randoms, then the key block (keysched.h).  The master is wiped.  Errors:
 * as uftp_keysched_master and uftp_keysched_client_keys.
 */
int uftp_keyx_session_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                           const uint8_t *premaster, size_t plen, const uint8_t *srand,
                           const uint8_t *crand, struct uftp_keys *keys);

/*
 * Verifies a signature that sits inside the packet it signs (an ANNOUNCE
 * with ECDH, a signed ENCRYPTED): it covers pkt[0..len) with the signature
 * bytes sig[0..sig_len) zeroed; sig must point into pkt.  0, or AUTH (no
 * signature, or one that does not fit), NOMEM, ops->verify's error.
 */
int uftp_keyx_verify_zeroed(const struct uftp_crypto_ops *ops, const struct uftp_pkey *key,
                            int hashtype, const uint8_t *pkt, size_t len, const uint8_t *sig,
                            size_t sig_len);

/*
 * RSA key exchange: a fresh random premaster (UFTP_PREMASTER_LEN bytes,
 * env's randomness) encrypted to peer into keyinfo (cap bytes).  Returns
 * the key info's length; errors: env's randomness, ops->rsa_encrypt.
 */
int uftp_keyx_rsa(const struct uftp_env *env, const struct uftp_pkey *peer, uint8_t *premaster,
                  uint8_t *keyinfo, size_t cap);

/*
 * A new ECDH key on the curve of peer_dh into *eph (the caller frees it).
 * Errors: ops->pkey_info, ops->pkey_generate.
 */
int uftp_keyx_ecdh_key(const struct uftp_crypto_ops *ops, const struct uftp_pkey *peer_dh,
                       struct uftp_pkey **eph);

/*
 * ECDH key exchange with our key eph: its blob into keyinfo (cap bytes),
 * the premaster (UFTP_ECDH_PREMASTER_LEN bytes) from eph and peer_dh.
 * Returns the key info's length; errors: ops->blob_export, the premaster's.
 */
int uftp_keyx_ecdh(const struct uftp_crypto_ops *ops, const struct uftp_pkey *eph,
                   const struct uftp_pkey *peer_dh, uint8_t *premaster, uint8_t *keyinfo,
                   size_t cap);

/*
 * CLIENT_KEY: exports key into blob (bcap bytes), sets it in *hs (which
 * must hold the rest of the handshake) and signs the CLIENT_KEY message
 * into sig (scap bytes).  *blob_len and *sig_len receive the lengths.
 * 0, or the export's, the message's or ops->sign's error.
 */
int uftp_keyx_client_key(const struct uftp_crypto_ops *ops, const struct uftp_pkey *key,
                         int hashtype, struct uftp_handshake *hs, uint8_t *blob, size_t bcap,
                         size_t *blob_len, uint8_t *sig, size_t scap, size_t *sig_len);

/*
 * Checks a CLIENT_KEY signature sig[0..sig_len) by pub over the handshake
 * *hs.  0, or the message's or ops->verify's error.
 */
int uftp_keyx_client_key_check(const struct uftp_crypto_ops *ops, const struct uftp_pkey *pub,
                               int hashtype, const struct uftp_handshake *hs, const uint8_t *sig,
                               size_t sig_len);

#endif
