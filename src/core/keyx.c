/* SPDX-License-Identifier: BSD-2-Clause */
/* Key exchange steps shared by the roles (keyx.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/keyx.h"

void uftp_keyx_handshake(struct uftp_handshake *hs, uint32_t group_id,
                         const struct uftp_ipaddr *priv, const uint8_t *srand,
                         const uint8_t *group_master)
{
	memset(hs, 0, sizeof(*hs));
	hs->group_id = group_id;
	hs->priv_addr = priv->addr;
	hs->priv_addr_len = priv->family == 6 ? 16 : 4;
	hs->server_random = srand;
	hs->group_master = group_master;
}

void uftp_keyx_handshake_client(struct uftp_handshake *hs, const uint8_t *crand,
                                const uint8_t *premaster, size_t plen, const uint8_t *blob,
                                size_t blob_len)
{
	hs->client_random = crand;
	hs->premaster = premaster;
	hs->premaster_len = plen;
	hs->client_key_blob = blob;
	hs->client_key_blob_len = blob ? blob_len : 0;
}

int uftp_keyx_session_keys(const struct uftp_crypto_ops *ops, int keytype, int hashtype,
                           const uint8_t *premaster, size_t plen, const uint8_t *srand,
                           const uint8_t *crand, struct uftp_keys *keys)
{
	uint8_t master[UFTP_MASTER_LEN];
	int rv = uftp_keysched_master(ops, hashtype, premaster, plen, srand, crand, master);

	if (rv >= 0)
		rv = uftp_keysched_client_keys(ops, keytype, hashtype, master, srand, crand, keys);
	uftp_keysched_wipe(master, sizeof(master));
	return rv < 0 ? rv : 0;
}

int uftp_keyx_verify_zeroed(const struct uftp_crypto_ops *ops, const struct uftp_pkey *key,
                            int hashtype, const uint8_t *pkt, size_t len, const uint8_t *sig,
                            size_t sig_len)
{
	uint8_t *copy;
	size_t off;
	int rv;

	if (!sig_len || sig < pkt || (size_t)(sig - pkt) > len ||
	    sig_len > len - (size_t)(sig - pkt))
		return UFTP_ERR_AUTH;
	off = (size_t)(sig - pkt);
	copy = malloc(len);
	if (!copy)
		return UFTP_ERR_NOMEM;
	memcpy(copy, pkt, len);
	memset(copy + off, 0, sig_len);
	rv = ops->verify(key, hashtype, copy, len, sig, sig_len);
	free(copy);
	return rv;
}

int uftp_keyx_rsa(const struct uftp_env *env, const struct uftp_pkey *peer, uint8_t *premaster,
                  uint8_t *keyinfo, size_t cap)
{
	int rv = uftp_env_random(env, premaster, UFTP_PREMASTER_LEN);

	if (rv < 0)
		return rv;
	return env->crypto->rsa_encrypt(peer, premaster, UFTP_PREMASTER_LEN, keyinfo, cap);
}

int uftp_keyx_ecdh_key(const struct uftp_crypto_ops *ops, const struct uftp_pkey *peer_dh,
                       struct uftp_pkey **eph)
{
	struct uftp_pkey_info info;
	int rv = ops->pkey_info(peer_dh, &info);

	return rv < 0 ? rv : ops->pkey_generate(UFTP_BLOB_EC, info.curve, eph);
}

int uftp_keyx_ecdh(const struct uftp_crypto_ops *ops, const struct uftp_pkey *eph,
                   const struct uftp_pkey *peer_dh, uint8_t *premaster, uint8_t *keyinfo,
                   size_t cap)
{
	int n = ops->blob_export(eph, keyinfo, cap);
	int rv;

	if (n < 0)
		return n;
	rv = uftp_keysched_ecdh_premaster(ops, eph, peer_dh, premaster);
	return rv < 0 ? rv : n;
}

int uftp_keyx_client_key(const struct uftp_crypto_ops *ops, const struct uftp_pkey *key,
                         int hashtype, struct uftp_handshake *hs, uint8_t *blob, size_t bcap,
                         size_t *blob_len, uint8_t *sig, size_t scap, size_t *sig_len)
{
	uint8_t msg[256];
	int rv, n;

	rv = ops->blob_export(key, blob, bcap);
	if (rv < 0)
		return rv;
	*blob_len = (size_t)rv;
	hs->client_key_blob = blob;
	hs->client_key_blob_len = *blob_len;
	n = uftp_keysched_client_key_msg(hs, msg, sizeof(msg));
	if (n < 0)
		return n;
	rv = ops->sign(key, hashtype, msg, (size_t)n, sig, scap);
	if (rv < 0)
		return rv;
	*sig_len = (size_t)rv;
	return 0;
}

int uftp_keyx_client_key_check(const struct uftp_crypto_ops *ops, const struct uftp_pkey *pub,
                               int hashtype, const struct uftp_handshake *hs, const uint8_t *sig,
                               size_t sig_len)
{
	uint8_t msg[256];
	int n = uftp_keysched_client_key_msg(hs, msg, sizeof(msg));

	if (n < 0)
		return n;
	return ops->verify(pub, hashtype, msg, (size_t)n, sig, sig_len);
}
