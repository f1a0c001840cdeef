/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Heartbeats (protocol.txt 4, last part; 5.2.17-18).  A proxy with -H sends
 * HB_REQ to its upstream proxies every hb_interval, to keep a firewall
 * pinhole open; when one answers with a challenge, the next HB_REQ carries
 * our public key and the challenge nonce signed with it.
 *
 * A server proxy answers every HB_REQ.  With a fixed destination it says
 * OK.  In fp= mode a heartbeat from the current destination is OK; from
 * anywhere else it is challenged with a fresh nonce, and the sender becomes
 * the destination only if its key has the configured fingerprint and its
 * signature over our last nonce verifies.  The nonce is renewed after every
 * attempt, so a captured answer cannot be replayed.
 */
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/proxy_int.h"

/* The signed text: the nonce in network byte order. */
static void nonce_bytes(uint32_t nonce, uint8_t out[4])
{
	put_u32be(out, nonce);
}

static void send_msg(struct uftp_proxy *p, const struct uftp_peer *to, const struct uftp_msg *m)
{
	uint8_t buf[UFTP_HEADER_LEN + UFTP_HB_REQ_LEN + UFTP_MAX_BLOB_LEN + UFTP_MAX_SIG_LEN + 8];
	struct uftp_header h;
	ssize_t n;

	proxy_header(p, NULL, m->func, &h);
	uftp_encode_header(buf, sizeof(buf), &h);
	n = uftp_encode_msg(buf + UFTP_HEADER_LEN, sizeof(buf) - UFTP_HEADER_LEN, m);
	if (n < 0) {
		uftp_env_log(p->env, UFTP_LOG_WARN, "cannot encode %s: %s", uftp_msg_name(m->func),
		             uftp_strerror((int)n));
		return;
	}
	proxy_queue(p, to, 0, buf, UFTP_HEADER_LEN + (size_t)n);
}

/* Fills the key and signature of an answer to a challenge; 0 or an error. */
static int sign_nonce(struct uftp_proxy *p, uint32_t nonce, uint8_t *blob, size_t *blen,
                      uint8_t *sig, size_t *slen)
{
	const struct uftp_crypto_ops *c = p->env->crypto;
	uint8_t nb[4];
	int n;

	if (!c || !p->cfg->key)
		return UFTP_ERR_UNSUPPORTED;
	n = c->blob_export(p->cfg->key, blob, UFTP_MAX_BLOB_LEN);
	if (n < 0)
		return n;
	*blen = (size_t)n;
	nonce_bytes(nonce, nb);
	n = c->sign(p->cfg->key, UFTP_HASH_SHA1, nb, sizeof(nb), sig, UFTP_MAX_SIG_LEN);
	if (n < 0)
		return n;
	*slen = (size_t)n;
	return 0;
}

void proxy_hb_send(struct uftp_proxy *p, uint64_t now)
{
	uint8_t blob[UFTP_MAX_BLOB_LEN], sig[UFTP_MAX_SIG_LEN];
	size_t i, blen = 0, slen = 0;
	struct uftp_msg m;

	(void)now;
	for (i = 0; i < p->cfg->nhb; i++) {
		memset(&m, 0, sizeof(m));
		m.func = UFTP_MSG_HB_REQ;
		if (p->hb_nonce[i] && sign_nonce(p, p->hb_nonce[i], blob, &blen, sig, &slen) == 0) {
			m.u.hb_req.nonce = p->hb_nonce[i];
			m.u.hb_req.pubkey = blob, m.u.hb_req.pubkey_len = blen;
			m.u.hb_req.sig = sig, m.u.hb_req.sig_len = slen;
		}
		send_msg(p, &p->cfg->hb[i], &m);
		p->st.hb_sent++;
	}
}

void proxy_hb_on_resp(struct uftp_proxy *p, const struct uftp_peer *from,
                      const struct uftp_hb_resp *r, uint64_t now)
{
	size_t i;

	for (i = 0; i < p->cfg->nhb; i++) {
		if (!uftp_peer_equal(&p->cfg->hb[i], from))
			continue;
		if (r->authenticated == UFTP_HB_AUTH_CHALLENGE) {
			p->hb_nonce[i] = r->nonce;
			uftp_env_log(p->env, UFTP_LOG_DEBUG, "heartbeat challenged; answering");
			if (p->hb_next > now)
				p->hb_next = now; /* answer at once */
		} else if (r->authenticated == UFTP_HB_AUTH_FAILED) {
			uftp_env_log(p->env, UFTP_LOG_WARN, "heartbeat rejected by upstream proxy");
			p->hb_nonce[i] = 0;
		} else {
			p->hb_nonce[i] = 0;
		}
		return;
	}
	proxy_drop(p, UFTP_DROP_UNKNOWN, "HB_RESP from a proxy we do not heartbeat to");
}

static void answer(struct uftp_proxy *p, const struct uftp_peer *to, uint8_t auth, uint32_t nonce)
{
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_HB_RESP;
	m.u.hb_resp.authenticated = auth;
	m.u.hb_resp.nonce = nonce;
	send_msg(p, to, &m);
	p->st.hb_answered++;
}

static void new_challenge(struct uftp_proxy *p)
{
	uint8_t b[4];
	uint32_t v = 0;

	while (!v) {
		if (uftp_env_random(p->env, b, sizeof(b)) < 0)
			b[0] ^= 0x5a, b[3] += 1; /* never reached with a real RNG */
		get_u32be(&v, b);
	}
	p->challenge = v;
}

static void reject(struct uftp_proxy *p, const struct uftp_peer *from, const char *why)
{
	struct uftp_proxy_event e = proxy_ev(UFTP_PEV_HB_REJECT, 0, why);

	p->st.hb_rejected++;
	/* no log line here: the driver logs the event, with the sender and a rate limit */
	e.peer = *from;
	proxy_event(p, &e);
	answer(p, from, UFTP_HB_AUTH_FAILED, 0);
	new_challenge(p);
}

/* Checks key fingerprint and signature; 0 or a reason in *why. */
static int check_auth(struct uftp_proxy *p, const struct uftp_hb_req *r, const char **why)
{
	const struct uftp_crypto_ops *c = p->env->crypto;
	struct uftp_pkey *k = NULL;
	uint8_t nb[4];
	int rv;

	if (!c)
		return *why = "no crypto to verify with", UFTP_ERR_UNSUPPORTED;
	if (!uftp_key_fp_matches(c, r->pubkey, r->pubkey_len, p->cfg->dest_fp))
		return *why = "key fingerprint mismatch", UFTP_ERR_AUTH;
	if (c->blob_import(r->pubkey, r->pubkey_len, &k) < 0)
		return *why = "unusable public key", UFTP_ERR_AUTH;
	nonce_bytes(r->nonce, nb);
	rv = c->verify(k, UFTP_HASH_SHA1, nb, sizeof(nb), r->sig, r->sig_len);
	if (rv < 0) {
		rv = c->verify(k, UFTP_HASH_SHA256, nb, sizeof(nb), r->sig, r->sig_len);
		if (rv == 0)
			uftp_env_log(p->env, UFTP_LOG_DEBUG, "heartbeat signed with SHA-256");
	} else {
		uftp_env_log(p->env, UFTP_LOG_DEBUG, "heartbeat signed with SHA-1");
	}
	c->pkey_free(k);
	if (rv < 0)
		*why = "bad signature";
	return rv < 0 ? UFTP_ERR_AUTH : 0;
}

static void learn_dest(struct uftp_proxy *p, const struct uftp_peer *from)
{
	struct uftp_proxy_event e = proxy_ev(UFTP_PEV_DEST, 0, NULL);

	p->dest = *from;
	e.peer = *from;
	proxy_event(p, &e);
	uftp_env_log(p->env, UFTP_LOG_INFO, "downstream proxy authenticated; sending to it now");
}

void proxy_hb_on_req(struct uftp_proxy *p, const struct uftp_peer *from,
                     const struct uftp_header *h, const struct uftp_hb_req *r, uint64_t now)
{
	const char *why = NULL;

	(void)h, (void)now;
	if (!p->cfg->dest_by_fp || (p->dest.ip.family && uftp_peer_equal(&p->dest, from))) {
		answer(p, from, UFTP_HB_AUTH_OK, 0);
		return;
	}
	if (!p->challenge)
		new_challenge(p);
	if (!r->pubkey_len || !r->sig_len) {
		answer(p, from, UFTP_HB_AUTH_CHALLENGE, p->challenge);
		return;
	}
	if (r->nonce != p->challenge) {
		reject(p, from, "stale or replayed nonce");
		return;
	}
	if (check_auth(p, r, &why) < 0) {
		reject(p, from, why);
		return;
	}
	learn_dest(p, from);
	answer(p, from, UFTP_HB_AUTH_OK, 0);
	new_challenge(p);
}
