/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Encrypted sessions through a client proxy (protocol.txt 4 and 5.1.1.2).
 *
 * Upstream the proxy is one client: it registers with its own random and
 * key exchange (ECDH with the server's key, or an RSA-encrypted premaster),
 * receives the group master in the server's KEYINFO and answers with its
 * own KEYINFO_ACK.  Downstream it stands in for the server: the ANNOUNCE it
 * re-multicasts carries the proxy's public key, the proxy's ECDH key and
 * the proxy's signature (the server random stays), so the clients' key
 * exchange ends at the proxy.  When the server's REG_CONF confirms clients,
 * the proxy hands them the group master in a KEYINFO of its own (in the
 * server's name, as the reference does) and checks their KEYINFO_ACKs.
 * Everything else the server sends is group-encrypted and passes through
 * unchanged; client replies are opened with the group keys, aggregated and
 * sealed again under the proxy's ID.
 *
 * With client authentication the proxy sends the server a CLIENT_KEY of its
 * own and checks its clients' (against -C fingerprints when given).  With
 * per-message RSA/ECDSA signatures (sigtype KEYEX) every server message is
 * verified with the server's key and signed again with ours before it is
 * multicast, since our clients know only our key; their replies are
 * verified with the keys of their CLIENT_KEYs.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/keyx.h"
#include "core/proxy_int.h"

static const struct uftp_crypto_ops *ops(const struct uftp_proxy *p)
{
	return p->env->crypto;
}

void proxy_enc_free(struct uftp_proxy *p, struct proxy_sess *s)
{
	struct proxy_enc *e = s->enc;

	if (!e)
		return;
	if (ops(p)) {
		size_t i;
		for (i = 0; i < e->nclients; i++)
			ops(p)->pkey_free(e->clients[i].pub);
		ops(p)->pkey_free(e->server_pub);
		ops(p)->pkey_free(e->server_dh);
		ops(p)->pkey_free(e->eph);
	}
	uftp_keysched_wipe(e, sizeof(*e));
	free(e);
	s->enc = NULL;
}

/* Our key of the blob type the key exchange needs (the first one listed). */
static const struct uftp_pkey *pick_key(struct uftp_proxy *p, int blobtype)
{
	struct uftp_pkey_info info;
	size_t i;

	for (i = 0; i < p->cfg->nkeys; i++)
		if (ops(p)->pkey_info(p->cfg->keys[i], &info) == 0 && info.blobtype == blobtype &&
		    info.has_private)
			return p->cfg->keys[i];
	return NULL;
}

/* Our side of the exchange with the server: premaster and REGISTER key info. */
static int upstream_exchange(struct uftp_proxy *p, struct proxy_enc *e)
{
	int rv;

	if (e->keyextype != UFTP_KEYEX_RSA) {
		e->premaster_len = UFTP_ECDH_PREMASTER_LEN;
		rv = uftp_keyx_ecdh(ops(p), e->eph, e->server_dh, e->premaster, e->keyinfo,
		                    sizeof(e->keyinfo));
	} else {
		e->premaster_len = UFTP_PREMASTER_LEN;
		rv = uftp_keyx_rsa(p->env, e->server_pub, e->premaster, e->keyinfo,
		                   sizeof(e->keyinfo));
	}
	if (rv < 0)
		return rv;
	e->keyinfo_len = (size_t)rv;
	return 0;
}

static int setup_keys(struct uftp_proxy *p, struct proxy_enc *e, const struct uftp_ext_enc_info *ei)
{
	int rv;

	rv = ops(p)->blob_import(ei->pubkey, ei->pubkey_len, &e->server_pub);
	if (rv >= 0 && e->keyextype != UFTP_KEYEX_RSA)
		rv = ops(p)->blob_import(ei->dhkey, ei->dhkey_len, &e->server_dh);
	if (rv >= 0 && e->server_dh)
		rv = uftp_keyx_ecdh_key(ops(p), e->server_dh, &e->eph);
	e->downdh = p->cfg->mode == UFTP_PROXY_RESPONSE ? p->cfg->dhkey : e->eph;
	if (rv >= 0 && e->server_dh && !e->downdh)
		rv = UFTP_ERR_UNSUPPORTED; /* a response proxy without -r:curve */
	if (rv >= 0)
		rv = uftp_env_make_random(p->env, e->crand);
	if (rv >= 0)
		rv = upstream_exchange(p, e);
	if (rv >= 0)
		rv = uftp_keyx_session_keys(ops(p), e->keytype, e->hashtype, e->premaster,
		                            e->premaster_len, e->srand, e->crand, &e->ckeys);
	return rv < 0 ? rv : 0;
}

/* -S with a fingerprint: the server's key must be that one. */
static int check_server_fp(struct uftp_proxy *p, const struct proxy_sess *s,
                           const struct uftp_ext_enc_info *ei)
{
	const struct uftp_peer_key *e =
	    uftp_peer_key_find(p->cfg->servers, p->cfg->nservers, s->server_id, &s->up.ip);

	if (!e || !e->has_fp || uftp_key_fp_matches(ops(p), ei->pubkey, ei->pubkey_len, e->fp))
		return 0;
	return UFTP_ERR_AUTH;
}

static void handshake(const struct proxy_sess *s, const struct proxy_enc *e, const uint8_t *crand,
                      const uint8_t *premaster, size_t plen, struct uftp_handshake *hs);

/* Our CLIENT_KEY: our key and our signature over the handshake so far. */
static int own_client_key(struct uftp_proxy *p, struct proxy_sess *s, struct proxy_enc *e)
{
	struct uftp_handshake hs;

	handshake(s, e, e->crand, e->premaster, e->premaster_len, &hs);
	return uftp_keyx_client_key(ops(p), e->mykey, e->hashtype, &hs, e->ckey_blob,
	                            sizeof(e->ckey_blob), &e->ckey_blob_len, e->ckey_sig,
	                            sizeof(e->ckey_sig), &e->ckey_sig_len);
}

int proxy_enc_own_client_key(struct uftp_proxy *p, struct proxy_sess *s, uint8_t *out, size_t cap)
{
	struct uftp_header h;
	struct uftp_msg m;
	ssize_t n;

	if (!s->enc || !s->enc->client_auth || cap < UFTP_HEADER_LEN)
		return 0;
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_CLIENT_KEY;
	m.u.client_key.pubkey = s->enc->ckey_blob;
	m.u.client_key.pubkey_len = s->enc->ckey_blob_len;
	m.u.client_key.verify = s->enc->ckey_sig;
	m.u.client_key.verify_len = s->enc->ckey_sig_len;
	proxy_header(p, s, UFTP_MSG_CLIENT_KEY, &h);
	uftp_encode_header(out, cap, &h);
	n = uftp_encode_msg(out + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, &m);
	return n < 0 ? (int)n : UFTP_HEADER_LEN + (int)n;
}

static int enc_start(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_ext_enc_info *ei,
                     const uint8_t *pkt, size_t len)
{
	struct proxy_enc *e;
	int rv;

	if (!ops(p))
		return UFTP_ERR_UNSUPPORTED;
	if (check_server_fp(p, s, ei) < 0)
		return UFTP_ERR_AUTH;
	e = calloc(1, sizeof(*e));
	if (!e)
		return UFTP_ERR_NOMEM;
	s->enc = e;
	e->keyinfo_due = UFTP_NEVER; /* until REG_CONF */
	e->keyextype = ei->keyextype, e->sigtype = ei->sigtype;
	e->keytype = ei->keytype, e->hashtype = ei->hashtype;
	e->client_auth = (ei->flags & UFTP_ENC_INFO_CLIENT_AUTH) || ei->sigtype == UFTP_SIG_KEYEX;
	memcpy(e->srand, ei->rand, UFTP_RAND_LEN);
	e->mykey =
	    pick_key(p, e->keyextype == UFTP_KEYEX_ECDH_ECDSA ? UFTP_BLOB_EC : UFTP_BLOB_RSA);
	if (!e->mykey)
		return UFTP_ERR_UNSUPPORTED;
	rv = setup_keys(p, e, ei);
	if (rv >= 0 && e->keyextype != UFTP_KEYEX_RSA)
		rv = uftp_keyx_verify_zeroed(ops(p), e->server_pub, e->hashtype, pkt, len, ei->sig,
		                             ei->sig_len);
	if (rv >= 0 && e->client_auth)
		rv = own_client_key(p, s, e);
	return rv < 0 ? rv : 0;
}

/* ---- the ANNOUNCE as our clients see it -------------------------------- */

static int new_enc_info(struct uftp_proxy *p, struct proxy_enc *e,
                        const struct uftp_ext_enc_info *ei, uint8_t *ext, size_t cap,
                        size_t *sigoff, size_t *siglen)
{
	static const uint8_t zeros[UFTP_MAX_SIG_LEN];
	uint8_t pub[UFTP_MAX_BLOB_LEN], dh[UFTP_MAX_BLOB_LEN];
	struct uftp_ext_enc_info n = *ei;
	struct uftp_pkey_info info;
	int pl, dl = 0, rv;

	*siglen = 0;
	pl = ops(p)->blob_export(e->mykey, pub, sizeof(pub));
	if (pl < 0)
		return pl;
	if (e->eph) {
		dl = ops(p)->blob_export(e->eph, dh, sizeof(dh));
		rv = ops(p)->pkey_info(e->mykey, &info);
		if (dl < 0 || rv < 0)
			return dl < 0 ? dl : rv;
		*siglen = info.sig_len;
	}
	n.pubkey = pub, n.pubkey_len = (size_t)pl;
	n.dhkey = dl ? dh : NULL, n.dhkey_len = (size_t)dl;
	n.sig = *siglen ? zeros : NULL, n.sig_len = *siglen;
	*sigoff = UFTP_EXT_ENC_INFO_LEN + (size_t)pl + (size_t)dl;
	return (int)uftp_encode_ext_enc_info(ext, cap, &n);
}

/* Our extension area: the new ENC_INFO first, then the others unchanged. */
static int new_exts(struct uftp_proxy *p, struct proxy_enc *e, const struct uftp_announce *a,
                    const struct uftp_ext_enc_info *ei, uint8_t *ext, size_t cap, size_t *sigoff,
                    size_t *siglen)
{
	struct uftp_ext_iter it;
	struct uftp_ext x;
	size_t off;
	int n = new_enc_info(p, e, ei, ext, cap, sigoff, siglen);

	if (n < 0)
		return n;
	off = (size_t)n;
	uftp_ext_iter_init(&it, a->ext, a->ext_len);
	while (uftp_ext_next(&it, &x) == 1) {
		if (x.type == UFTP_EXT_ENC_INFO)
			continue;
		if (off + x.len > cap)
			return UFTP_ERR_NOSPACE;
		memcpy(ext + off, x.ptr, x.len);
		off += x.len;
	}
	return (int)off;
}

static int sign_announce(struct uftp_proxy *p, struct proxy_enc *e, uint8_t *pkt, size_t len,
                         size_t sigoff, size_t siglen)
{
	uint8_t sig[UFTP_MAX_SIG_LEN];
	int n;

	if (!siglen)
		return 0;
	if (sigoff + siglen > len)
		return UFTP_ERR_INVALID;
	n = ops(p)->sign(e->mykey, e->hashtype, pkt, len, sig, sizeof(sig));
	if (n < 0)
		return n;
	if ((size_t)n != siglen)
		return UFTP_ERR_CRYPTO;
	memcpy(pkt + sigoff, sig, siglen);
	return 0;
}

int proxy_enc_announce(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *pkt, size_t len,
                       const struct uftp_announce *a, const struct uftp_ext_enc_info *ei,
                       uint8_t *out, size_t cap)
{
	uint8_t ext[UFTP_MAX_HLEN];
	struct uftp_announce n = *a;
	size_t sigoff = 0, siglen = 0, addrlen = a->pub_addr.family == 6 ? 16 : 4;
	ssize_t blen;
	int rv;

	if (!s->enc) {
		rv = enc_start(p, s, ei, pkt, len);
		if (rv < 0)
			return rv;
	}
	if (!out)
		return 0; /* response proxy: the clients have the server's ANNOUNCE */
	rv = new_exts(p, s->enc, a, ei, ext, sizeof(ext), &sigoff, &siglen);
	if (rv < 0)
		return rv;
	n.ext = ext, n.ext_len = (size_t)rv;
	if (cap < UFTP_HEADER_LEN)
		return UFTP_ERR_NOSPACE;
	memcpy(out, pkt, UFTP_HEADER_LEN);
	blen = uftp_encode_announce(out + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, &n);
	if (blen < 0)
		return (int)blen;
	sigoff += UFTP_HEADER_LEN + UFTP_ANNOUNCE_LEN + 2 * addrlen;
	rv = sign_announce(p, s->enc, out, UFTP_HEADER_LEN + (size_t)blen, sigoff, siglen);
	return rv < 0 ? rv : UFTP_HEADER_LEN + (int)blen;
}

/* ---- clients' registrations ---------------------------------------------- */

static struct proxy_client *client_slot(struct proxy_enc *e, uint32_t id)
{
	size_t i;

	for (i = 0; i < e->nclients; i++)
		if (e->clients[i].id == id)
			return &e->clients[i];
	if (e->nclients == UFTP_PROXY_MAX_CLIENTS)
		return NULL;
	memset(&e->clients[e->nclients], 0, sizeof(e->clients[0]));
	e->clients[e->nclients].id = id;
	return &e->clients[e->nclients++];
}

static int client_premaster(struct uftp_proxy *p, struct proxy_enc *e, struct proxy_client *c,
                            const struct uftp_register *r)
{
	struct uftp_pkey *peer = NULL;
	int rv;

	if (e->keyextype == UFTP_KEYEX_RSA) {
		rv = ops(p)->rsa_decrypt(e->mykey, r->keyinfo, r->keyinfo_len, c->premaster,
		                         sizeof(c->premaster));
		if (rv >= 0 && rv != UFTP_PREMASTER_LEN)
			rv = UFTP_ERR_BADLEN;
		c->premaster_len = UFTP_PREMASTER_LEN;
		return rv < 0 ? rv : 0;
	}
	rv = ops(p)->blob_import(r->keyinfo, r->keyinfo_len, &peer);
	if (rv >= 0)
		rv = uftp_keysched_ecdh_premaster(ops(p), e->downdh, peer, c->premaster);
	c->premaster_len = UFTP_ECDH_PREMASTER_LEN;
	ops(p)->pkey_free(peer);
	return rv < 0 ? rv : 0;
}

/* The CLIENT_KEY signature, once both it and the REGISTER are in. */
static void check_client_key(struct uftp_proxy *p, struct proxy_sess *s, struct proxy_client *c)
{
	struct uftp_handshake hs;

	handshake(s, s->enc, c->crand, c->premaster, c->premaster_len, &hs);
	c->key_ok = uftp_keyx_client_key_check(ops(p), c->pub, s->enc->hashtype, &hs, c->sig,
	                                       c->sig_len) == 0;
	if (!c->key_ok)
		uftp_env_log(p->env, UFTP_LOG_WARN,
		             "[%08X] client 0x%08X: CLIENT_KEY does not verify", s->group_id,
		             c->id);
}

static int client_fp_ok(const struct uftp_proxy *p, uint32_t id, const uint8_t *blob, size_t len)
{
	const struct uftp_peer_key *e =
	    uftp_peer_key_find(p->cfg->clients, p->cfg->nclients, id, NULL);

	return !e || !e->has_fp || uftp_key_fp_matches(ops(p), blob, len, e->fp);
}

static struct proxy_client *client_slot(struct proxy_enc *e, uint32_t id);

int proxy_enc_client_ok(const struct proxy_sess *s, uint32_t id)
{
	size_t i;

	if (!s->enc || !s->enc->client_auth)
		return 1;
	for (i = 0; i < s->enc->nclients; i++)
		if (s->enc->clients[i].id == id)
			return s->enc->clients[i].key_ok;
	return 0;
}

int proxy_enc_client_key(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                         const struct uftp_client_key *ck)
{
	struct proxy_enc *e = s->enc;
	struct proxy_client *c;

	if (!e->client_auth || ck->pubkey_len > sizeof(c->blob) || ck->verify_len > sizeof(c->sig))
		return UFTP_ERR_BADVALUE;
	if (!client_fp_ok(p, id, ck->pubkey, ck->pubkey_len)) {
		uftp_env_log(p->env, UFTP_LOG_WARN,
		             "[%08X] client 0x%08X: key fingerprint mismatch", s->group_id, id);
		return UFTP_ERR_AUTH;
	}
	c = client_slot(e, id);
	if (!c)
		return UFTP_ERR_NOSPACE;
	if (c->pub && c->blob_len == ck->pubkey_len &&
	    memcmp(c->blob, ck->pubkey, ck->pubkey_len) == 0 && c->sig_len == ck->verify_len &&
	    memcmp(c->sig, ck->verify, ck->verify_len) == 0)
		return 0; /* a resend */
	ops(p)->pkey_free(c->pub);
	c->pub = NULL;
	c->key_ok = 0;
	if (ops(p)->blob_import(ck->pubkey, ck->pubkey_len, &c->pub) < 0)
		return UFTP_ERR_AUTH;
	memcpy(c->blob, ck->pubkey, ck->pubkey_len);
	c->blob_len = ck->pubkey_len;
	memcpy(c->sig, ck->verify, ck->verify_len);
	c->sig_len = ck->verify_len;
	if (c->registered)
		check_client_key(p, s, c);
	return 0;
}

int proxy_enc_client_register(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                              const struct uftp_register *r)
{
	struct proxy_enc *e = s->enc;
	struct proxy_client *c;
	int rv;

	if (!r->keyinfo_len || !r->rand)
		return UFTP_ERR_BADVALUE; /* an unencrypted REGISTER for an encrypted session */
	c = client_slot(e, id);
	if (!c)
		return UFTP_ERR_NOSPACE;
	if (c->registered && memcmp(c->crand, r->rand, UFTP_RAND_LEN) == 0)
		return 0; /* a resend */
	memcpy(c->crand, r->rand, UFTP_RAND_LEN);
	rv = client_premaster(p, e, c, r);
	if (rv >= 0)
		rv = uftp_keyx_session_keys(ops(p), e->keytype, e->hashtype, c->premaster,
		                            c->premaster_len, e->srand, c->crand, &c->keys);
	c->registered = rv >= 0;
	c->acked = 0;
	if (rv >= 0 && e->client_auth && c->pub)
		check_client_key(p, s, c);
	return rv < 0 ? rv : 0;
}

/* ---- the envelope ------------------------------------------------------- */

static void envelope(const struct uftp_proxy *p, const struct proxy_enc *e, struct uftp_envelope *v)
{
	memset(v, 0, sizeof(*v));
	v->ops = ops(p);
	v->sigtype = e->sigtype;
	v->keys = &e->gkeys;
	v->sign_key = e->mykey;
}

int proxy_enc_seal(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                   const uint8_t *plain, size_t plen, uint8_t *out, size_t cap)
{
	struct uftp_envelope v;
	struct uftp_header eh = *h;
	uint8_t hdr[UFTP_HEADER_LEN];

	if (!s->enc || !s->enc->have_group)
		return UFTP_ERR_STATE;
	envelope(p, s->enc, &v);
	eh.func = UFTP_MSG_ENCRYPTED;
	uftp_encode_header(hdr, sizeof(hdr), &eh);
	return uftp_envelope_seal(&v, hdr, ++s->enc->ctr, plain, plen, out, cap);
}

int proxy_enc_open(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id, const uint8_t *pkt,
                   size_t len, uint8_t *plain, size_t cap)
{
	struct uftp_envelope v;
	uint64_t ctr;
	size_t i;

	if (!s->enc || !s->enc->have_group)
		return UFTP_ERR_STATE;
	envelope(p, s->enc, &v);
	if (s->enc->sigtype == UFTP_SIG_KEYEX) {
		for (i = 0; i < s->enc->nclients && s->enc->clients[i].id != id; i++)
			;
		if (i == s->enc->nclients || !s->enc->clients[i].key_ok)
			return UFTP_ERR_AUTH;
		v.verify_key = s->enc->clients[i].pub;
	}
	return uftp_envelope_open(&v, pkt, len, &ctr, plain, cap);
}

int proxy_enc_resign(const struct uftp_proxy *p, const struct proxy_sess *s)
{
	return p->cfg->mode == UFTP_PROXY_CLIENT && s->enc && s->enc->sigtype == UFTP_SIG_KEYEX;
}

/*
 * The signature covers the whole packet with the signature field zeroed;
 * ours may differ in length from the server's, so the packet is rebuilt:
 * same header, counter and payload, our signature.
 */
int proxy_enc_resign_packet(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *pkt,
                            size_t len, uint8_t *out, size_t cap)
{
	const size_t hl = UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN;
	struct proxy_enc *e = s->enc;
	struct uftp_encrypted en;
	struct uftp_pkey_info info;
	uint8_t sig[UFTP_MAX_SIG_LEN];
	size_t total;
	int rv, n;

	if (uftp_decode_encrypted(&en, pkt + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN) < 0 ||
	    ops(p)->pkey_info(e->mykey, &info) < 0)
		return UFTP_ERR_BADVALUE;
	rv = uftp_keyx_verify_zeroed(ops(p), e->server_pub, e->hashtype, pkt, len, en.sig,
	                             en.sig_len);
	total = hl + info.sig_len + en.payload_len;
	if (rv < 0)
		return rv;
	if (total > cap || info.sig_len > 0xffff)
		return UFTP_ERR_NOSPACE;
	memcpy(out, pkt, UFTP_HEADER_LEN);
	en.sig = NULL, en.sig_len = info.sig_len; /* zeros while signing */
	memset(out + hl, 0, info.sig_len);
	memcpy(out + hl + info.sig_len, en.payload, en.payload_len);
	put_u16be(put_u64be(out + UFTP_HEADER_LEN, en.iv_ctr), (uint16_t)info.sig_len);
	put_u16be(out + UFTP_HEADER_LEN + 10, (uint16_t)en.payload_len);
	n = ops(p)->sign(e->mykey, e->hashtype, out, total, sig, sizeof(sig));
	if (n < 0)
		return n;
	if ((size_t)n != info.sig_len)
		return UFTP_ERR_CRYPTO;
	memcpy(out + hl, sig, info.sig_len);
	return (int)total;
}

/* ---- group master from the server, KEYINFO to our clients --------------------- */

static void handshake(const struct proxy_sess *s, const struct proxy_enc *e, const uint8_t *crand,
                      const uint8_t *premaster, size_t plen, struct uftp_handshake *hs)
{
	/* only our own exchange with the server covers a CLIENT_KEY blob */
	int own = e->client_auth && crand == e->crand;

	uftp_keyx_handshake(hs, s->group_id, &s->priv, e->srand, e->group_master);
	uftp_keyx_handshake_client(hs, crand, premaster, plen, own ? e->ckey_blob : NULL,
	                           e->ckey_blob_len);
}

static void send_keyinfo_ack(struct uftp_proxy *p, struct proxy_sess *s)
{
	struct proxy_enc *e = s->enc;
	uint8_t verify[UFTP_VERIFY_LEN], plain[64], out[256];
	struct uftp_handshake hs;
	struct uftp_header h;
	struct uftp_msg m;
	ssize_t n;
	int len;

	handshake(s, e, e->crand, e->premaster, e->premaster_len, &hs);
	if (uftp_keysched_verify_data(ops(p), e->hashtype, &hs, verify) < 0)
		return;
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_KEYINFO_ACK;
	m.u.keyinfo_ack.verify = verify;
	n = uftp_encode_msg(plain, sizeof(plain), &m);
	proxy_header(p, s, UFTP_MSG_ENCRYPTED, &h);
	len = n < 0 ? (int)n : proxy_enc_seal(p, s, &h, plain, (size_t)n, out, sizeof(out));
	if (len > 0)
		proxy_queue(p, &s->up, 0, out, (size_t)len);
}

void proxy_enc_on_keyinfo(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                          const struct uftp_keyinfo *ki)
{
	struct proxy_enc *e = s->enc;
	struct uftp_destkey dk;
	size_t i;

	for (i = 0; i < ki->key_count; i++) {
		dk = uftp_keyinfo_get(ki, i);
		if (dk.client_id != p->cfg->uid)
			continue;
		if (uftp_keysched_keyinfo_unwrap(ops(p), &e->ckeys, h->src_id, ki->iv_ctr,
		                                 dk.groupmaster, e->group_master) < 0 ||
		    uftp_keysched_group_keys(ops(p), e->keytype, e->hashtype, e->group_master,
		                             e->srand, &e->gkeys) < 0) {
			uftp_env_log(p->env, UFTP_LOG_WARN, "[%08X] cannot open the group key",
			             s->group_id);
			return;
		}
		if (!e->have_group)
			uftp_env_log(p->env, UFTP_LOG_INFO, "[%08X] got the group key",
			             s->group_id);
		e->have_group = 1;
		e->server_id = h->src_id;
		e->hdr_grtt = h->grtt, e->hdr_gsize = h->gsize;
		send_keyinfo_ack(p, s);
		return;
	}
}

/* One KEYINFO to the private group for every confirmed client not yet acked. */
static void send_keyinfo(struct uftp_proxy *p, struct proxy_sess *s)
{
	struct proxy_enc *e = s->enc;
	uint8_t items[PROXY_KEYS_PER_TX * UFTP_DESTKEY_LEN], buf[UFTP_PROXY_DGRAM_MAX];
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_peer to;
	size_t i, k = 0;
	uint64_t ctr = ++e->ctr;
	ssize_t n;

	for (i = 0; i < e->nclients && k < PROXY_KEYS_PER_TX; i++) {
		struct proxy_client *c = &e->clients[i];
		if (!c->confirmed || c->acked || !c->registered || (e->client_auth && !c->key_ok))
			continue;
		put_u32be(items + k * UFTP_DESTKEY_LEN, c->id);
		if (uftp_keysched_keyinfo_wrap(ops(p), &c->keys, e->server_id, ctr, e->group_master,
		                               items + k * UFTP_DESTKEY_LEN + 4) < 0)
			continue;
		k++;
	}
	if (!k)
		return;
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_KEYINFO;
	m.u.keyinfo.iv_ctr = ctr;
	m.u.keyinfo.keys = items, m.u.keyinfo.key_count = k;
	proxy_header(p, s, UFTP_MSG_KEYINFO, &h);
	h.src_id = e->server_id; /* in the server's name, as the reference */
	h.grtt = e->hdr_grtt, h.gsize = e->hdr_gsize;
	uftp_encode_header(buf, sizeof(buf), &h);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, sizeof(buf) - UFTP_HEADER_LEN, &m);
	if (n < 0)
		return;
	memset(&to, 0, sizeof(to));
	to.ip = s->priv;
	to.port = p->cfg->client_port;
	proxy_queue(p, &to, 1, buf, UFTP_HEADER_LEN + (size_t)n);
	uftp_env_log(p->env, UFTP_LOG_DEBUG, "[%08X] KEYINFO for %zu client(s)", s->group_id, k);
}

void proxy_enc_on_reg_conf(struct uftp_proxy *p, struct proxy_sess *s,
                           const struct uftp_reg_conf *rc, uint64_t now)
{
	struct proxy_enc *e = s->enc;
	size_t i;

	if (!e->have_group)
		return;
	for (i = 0; i < e->nclients; i++)
		if (uftp_idlist_has(&rc->ids, e->clients[i].id))
			e->clients[i].confirmed = 1;
	e->keyinfo_tries = 0;
	send_keyinfo(p, s);
	e->keyinfo_due = now + 2 * s->grtt;
}

void proxy_enc_expiry(struct uftp_proxy *p, struct proxy_sess *s, uint64_t now)
{
	struct proxy_enc *e = s->enc;

	if (!e || e->keyinfo_due > now)
		return;
	if (++e->keyinfo_tries > s->robust) {
		e->keyinfo_due = UFTP_NEVER;
		return;
	}
	send_keyinfo(p, s);
	e->keyinfo_due = now + 2 * s->grtt;
}

uint64_t proxy_enc_get_expiry(const struct proxy_sess *s)
{
	return s->enc ? s->enc->keyinfo_due : UFTP_NEVER;
}

void proxy_enc_on_keyinfo_ack(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                              const struct uftp_keyinfo_ack *ka)
{
	struct proxy_enc *e = s->enc;
	uint8_t verify[UFTP_VERIFY_LEN];
	struct uftp_handshake hs;
	size_t i;

	for (i = 0; i < e->nclients; i++) {
		struct proxy_client *c = &e->clients[i];
		if (c->id != id || !c->registered)
			continue;
		handshake(s, e, c->crand, c->premaster, c->premaster_len, &hs);
		if (e->client_auth) {
			hs.client_key_blob = c->blob;
			hs.client_key_blob_len = c->blob_len;
		}
		if (uftp_keysched_verify_data(ops(p), e->hashtype, &hs, verify) < 0 ||
		    memcmp(verify, ka->verify, UFTP_VERIFY_LEN) != 0) {
			uftp_env_log(p->env, UFTP_LOG_WARN, "[%08X] client 0x%08X: bad verify data",
			             s->group_id, id);
			return;
		}
		c->acked = 1;
		uftp_env_log(p->env, UFTP_LOG_DEBUG, "[%08X] client 0x%08X has the group key",
		             s->group_id, id);
		return;
	}
}

/* ---- response proxy: PROXY_KEY ------------------------------------------------ */

#define PROXY_KEY_INTERVAL (5 * UFTP_NS_PER_SEC)

void proxy_enc_on_key_req(struct uftp_proxy *p, uint64_t now)
{
	uint8_t pub[UFTP_MAX_BLOB_LEN], dh[UFTP_MAX_BLOB_LEN], sig[UFTP_MAX_SIG_LEN], nb[4];
	uint8_t buf[UFTP_HEADER_LEN + UFTP_PROXY_KEY_LEN + 3 * UFTP_MAX_BLOB_LEN];
	const struct uftp_pkey *key = p->cfg->key;
	struct uftp_header h;
	struct uftp_msg m;
	struct uftp_peer to;
	int pl, dl = 0, sl;
	ssize_t n;
	size_t i;

	if (!ops(p) || !key || (p->proxy_key_sent && now < p->proxy_key_at + PROXY_KEY_INTERVAL))
		return;
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_PROXY_KEY;
	if (uftp_env_random(p->env, nb, sizeof(nb)) < 0)
		return;
	get_u32be(&m.u.proxy_key.nonce, nb);
	pl = ops(p)->blob_export(key, pub, sizeof(pub));
	if (p->cfg->dhkey)
		dl = ops(p)->blob_export(p->cfg->dhkey, dh, sizeof(dh));
	sl = ops(p)->sign(key, UFTP_HASH_SHA1, nb, sizeof(nb), sig, sizeof(sig));
	if (pl < 0 || dl < 0 || sl < 0)
		return;
	m.u.proxy_key.pubkey = pub, m.u.proxy_key.pubkey_len = (size_t)pl;
	m.u.proxy_key.dhkey = dl ? dh : NULL, m.u.proxy_key.dhkey_len = (size_t)dl;
	m.u.proxy_key.sig = sig, m.u.proxy_key.sig_len = (size_t)sl;
	proxy_header(p, NULL, UFTP_MSG_PROXY_KEY, &h);
	uftp_encode_header(buf, sizeof(buf), &h);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, sizeof(buf) - UFTP_HEADER_LEN, &m);
	if (n < 0)
		return;
	for (i = 0; i < p->cfg->npubs; i++) {
		memset(&to, 0, sizeof(to));
		to.ip = p->cfg->pubs[i];
		to.port = p->cfg->client_port;
		proxy_queue(p, &to, 1, buf, UFTP_HEADER_LEN + (size_t)n);
	}
	p->proxy_key_at = now;
	p->proxy_key_sent = 1;
	uftp_env_log(p->env, UFTP_LOG_DEBUG, "PROXY_KEY sent");
}
