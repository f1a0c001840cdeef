/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Encryption of the sender: EXT_ENC_INFO and its signature, premasters
 * (RSA or ECDH), client key checks, per-client keys and verify data, and
 * the ENCRYPTED envelope in both directions.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keyx.h"
#include "core/server_int.h"

static const struct uftp_crypto_ops *ops(const struct uftp_server *s)
{
	return s->env->crypto;
}

static int make_random(struct uftp_server *s)
{
	int rv = uftp_env_make_random(s->env, s->srand);

	if (rv < 0)
		return rv;
	s->group_master[0] = UFTP_VERSION;
	return uftp_env_random(s->env, s->group_master + 1, UFTP_MASTER_LEN - 1);
}

int srv_crypto_init(struct uftp_server *s)
{
	const struct uftp_server_config *cfg = s->cfg;
	int rv;

	if (ops(s) == NULL || cfg->server_key == NULL || uftp_key_len(cfg->keytype) == 0 ||
	    uftp_hash_len(cfg->hashtype) == 0)
		return UFTP_ERR_INVALID;
	s->encrypted = 1;
	s->sigtype = uftp_key_is_aead(cfg->keytype) ? UFTP_SIG_AUTHENC : cfg->sigtype;
	if (s->sigtype == UFTP_SIG_AUTHENC && !uftp_key_is_aead(cfg->keytype))
		return UFTP_ERR_INVALID;
	rv = make_random(s);
	if (rv < 0)
		return rv;
	rv = uftp_keysched_group_keys(ops(s), cfg->keytype, cfg->hashtype, s->group_master,
	                              s->srand, &s->gkeys);
	if (rv < 0)
		return rv;
	if (cfg->keyextype == UFTP_KEYEX_ECDH_RSA || cfg->keyextype == UFTP_KEYEX_ECDH_ECDSA) {
		rv = ops(s)->pkey_generate(UFTP_BLOB_EC, cfg->curve, &s->dhkey);
		if (rv < 0)
			return rv;
	}
	s->envl.ops = ops(s);
	s->envl.sigtype = s->sigtype;
	s->envl.keys = &s->gkeys;
	s->envl.sign_key = cfg->server_key;
	return 0;
}

void srv_crypto_free(struct uftp_server *s)
{
	if (s->dhkey && ops(s))
		ops(s)->pkey_free(s->dhkey);
	s->dhkey = NULL;
}

static int sig_len(const struct uftp_server *s, size_t *len)
{
	struct uftp_pkey_info info;
	int rv = ops(s)->pkey_info(s->cfg->server_key, &info);

	if (rv < 0)
		return rv;
	*len = info.sig_len;
	return 0;
}

int srv_enc_info(struct uftp_server *s, uint8_t *ext, size_t cap, size_t *sigoff, size_t *siglen)
{
	static const uint8_t zeros[UFTP_MAX_SIG_LEN];
	uint8_t pub[UFTP_MAX_BLOB_LEN], dh[UFTP_MAX_BLOB_LEN];
	struct uftp_ext_enc_info ei = {0};
	int pl, dl = 0, rv;
	ssize_t n;

	*siglen = 0;
	pl = ops(s)->blob_export(s->cfg->server_key, pub, sizeof(pub));
	if (pl < 0)
		return pl;
	if (s->dhkey) {
		dl = ops(s)->blob_export(s->dhkey, dh, sizeof(dh));
		if (dl < 0)
			return dl;
		rv = sig_len(s, siglen);
		if (rv < 0)
			return rv;
	}
	/* keyex signatures need the client keys: the reference asks for them too */
	ei.flags =
	    s->cfg->client_auth || s->sigtype == UFTP_SIG_KEYEX ? UFTP_ENC_INFO_CLIENT_AUTH : 0;
	ei.keyextype = (uint8_t)s->cfg->keyextype;
	ei.sigtype = (uint8_t)s->sigtype;
	ei.keytype = (uint8_t)s->cfg->keytype;
	ei.hashtype = (uint8_t)s->cfg->hashtype;
	ei.rand = s->srand;
	ei.pubkey = pub;
	ei.pubkey_len = (size_t)pl;
	ei.dhkey = dl ? dh : NULL;
	ei.dhkey_len = (size_t)dl;
	ei.sig = *siglen ? zeros : NULL;
	ei.sig_len = *siglen;
	*sigoff = UFTP_EXT_ENC_INFO_LEN + (size_t)pl + (size_t)dl;
	n = uftp_encode_ext_enc_info(ext, cap, &ei);
	return (int)n;
}

int srv_sign_announce(struct uftp_server *s, uint8_t *pkt, size_t len, size_t sigoff, size_t siglen)
{
	uint8_t sig[UFTP_MAX_SIG_LEN];
	int n;

	if (sigoff + siglen > len)
		return UFTP_ERR_INVALID;
	n = ops(s)->sign(s->cfg->server_key, s->cfg->hashtype, pkt, len, sig, sizeof(sig));
	if (n < 0)
		return n;
	if ((size_t)n != siglen)
		return UFTP_ERR_CRYPTO;
	memcpy(pkt + sigoff, sig, siglen);
	return (int)len;
}

int srv_client_premaster(struct uftp_server *s, struct srv_client *c, const uint8_t *ki,
                         size_t kilen)
{
	struct uftp_pkey *peer = NULL;
	int rv;

	if (s->cfg->keyextype == UFTP_KEYEX_RSA) {
		rv = ops(s)->rsa_decrypt(s->cfg->server_key, ki, kilen, c->premaster,
		                         sizeof(c->premaster));
		if (rv < 0)
			return rv;
		if (rv != UFTP_PREMASTER_LEN)
			return UFTP_ERR_BADLEN;
		c->premaster_len = (size_t)rv;
		return 0;
	}
	rv = ops(s)->blob_import(ki, kilen, &peer);
	if (rv < 0)
		return rv;
	rv = uftp_keysched_ecdh_premaster(ops(s), s->dhkey, peer, c->premaster);
	ops(s)->pkey_free(peer);
	if (rv < 0)
		return rv;
	c->premaster_len = UFTP_ECDH_PREMASTER_LEN;
	return 0;
}

static void handshake(const struct uftp_server *s, const struct srv_client *c,
                      struct uftp_handshake *hs)
{
	/* unicast sessions hash a zero private address of the same family */
	struct uftp_ipaddr zero = {.family = s->cfg->priv_addr.family};

	uftp_keyx_handshake(hs, s->cfg->group_id, s->cfg->unicast ? &zero : &s->cfg->priv_addr,
	                    s->srand, s->group_master);
	uftp_keyx_handshake_client(hs, c->rand, c->premaster, c->premaster_len,
	                           c->have_client_key ? c->ck_blob : NULL, c->ck_blob_len);
}

static int check_fingerprint(const struct uftp_server *s, const struct srv_client *c)
{
	size_t i;

	const struct uftp_peer_key *list = c->is_proxy ? s->cfg->proxies : s->cfg->hosts;
	size_t n = c->is_proxy ? s->cfg->nproxies : s->cfg->nhosts;

	/* a proxy's key is checked against the proxy list (-j), its clients' not at all */
	if (!s->cfg->client_auth || list == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (list[i].id == c->id && list[i].has_fp)
			return uftp_key_fp_matches(ops(s), c->ck_blob, c->ck_blob_len, list[i].fp)
			           ? 0
			           : UFTP_ERR_AUTH;
	}
	return 0;
}

int srv_client_key_check(struct uftp_server *s, struct srv_client *c)
{
	struct uftp_handshake hs;
	int rv;

	if (c->pubkey == NULL) {
		rv = ops(s)->blob_import(c->ck_blob, c->ck_blob_len, &c->pubkey);
		if (rv < 0)
			return rv;
	}
	rv = check_fingerprint(s, c);
	if (rv < 0) {
		uftp_env_log(s->env, UFTP_LOG_WARN, "client 0x%08X: key fingerprint mismatch",
		             c->id);
		return rv;
	}
	handshake(s, c, &hs);
	return uftp_keyx_client_key_check(ops(s), c->pubkey, s->cfg->hashtype, &hs, c->ck_sig,
	                                  c->ck_sig_len);
}

int srv_client_keys(struct uftp_server *s, struct srv_client *c)
{
	const struct uftp_server_config *cfg = s->cfg;
	struct uftp_handshake hs;
	int rv;

	rv = uftp_keyx_session_keys(ops(s), cfg->keytype, cfg->hashtype, c->premaster,
	                            c->premaster_len, s->srand, c->rand, &c->keys);
	if (rv < 0)
		return rv;
	handshake(s, c, &hs);
	return uftp_keysched_verify_data(ops(s), cfg->hashtype, &hs, c->verify);
}

/*
 * 1 if IV counter ctr of client c is new (and records it); 0 for one seen
 * before or older than the window: a replay, or a network duplicate.  Only
 * called for authenticated datagrams.
 */
static int fresh_counter(struct srv_client *c, uint64_t ctr)
{
	uint64_t d, k, i;

	if (ctr > c->rp_top) {
		d = ctr - c->rp_top;
		for (k = 1; k <= d && k <= 128; k++) {
			i = (c->rp_top + k) % 128;
			c->rp_bits[i / 64] &= ~(1ULL << (i % 64));
		}
		c->rp_top = ctr;
	} else if (c->rp_top - ctr >= 128) {
		return 0;
	}
	i = ctr % 128;
	if (c->rp_bits[i / 64] & (1ULL << (i % 64)))
		return 0;
	c->rp_bits[i / 64] |= 1ULL << (i % 64);
	return 1;
}

int srv_open(struct uftp_server *s, struct srv_client *c, const uint8_t *pkt, size_t len,
             uint8_t *plain, size_t cap)
{
	uint64_t ctr;
	int n;

	if (c->state == CS_NEW)
		return UFTP_ERR_STATE;
	if (s->sigtype == UFTP_SIG_KEYEX && c->pubkey == NULL)
		return UFTP_ERR_STATE;
	s->envl.verify_key = c->pubkey;
	n = uftp_envelope_open(&s->envl, pkt, len, &ctr, plain, cap);
	if (n >= 0 && !fresh_counter(c, ctr))
		return UFTP_ERR_REPLAY;
	return n;
}

int srv_seal(struct uftp_server *s, const uint8_t *hdr, const uint8_t *body, size_t blen,
             uint8_t *out, size_t cap)
{
	return uftp_envelope_seal(&s->envl, hdr, ++s->ivctr, body, blen, out, cap);
}
