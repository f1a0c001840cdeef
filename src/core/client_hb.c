/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core, heartbeats (uftpd -H / -h; protocol.txt 4 and 5.2.17-18):
 * an HB_REQ to every listed proxy each interval opens a firewall pinhole
 * and tells a server proxy where we are.  A proxy that wants proof of who
 * we are answers HB_AUTH_CHALLENGE with a nonce; we then send it at once
 * an HB_REQ carrying the nonce, our first key's public blob and the nonce
 * signed with that key (SHA-1, as 4.10.2 signs it).
 */
#include <string.h>

#include "core/bytes.h"
#include "core/client_int.h"
#include "core/err.h"

/* The listed proxy a datagram came from (any port: a proxy answers from its own), or -1. */
static int hb_index(const struct uftp_client *c, const struct uftp_peer *from)
{
	size_t i, n = from->ip.family == 6 ? 16 : 4;

	for (i = 0; i < c->cfg.nhb; i++)
		if (c->cfg.hb[i].ip.family == from->ip.family &&
		    memcmp(c->cfg.hb[i].ip.addr, from->ip.addr, n) == 0)
			return (int)i;
	return -1;
}

/* Queues an HB_REQ to proxy i; signed (nonce, blob, signature) when challenged. */
static int send_hb(struct uftp_client *c, size_t i, int challenged, uint32_t nonce)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	struct uftp_header h = {UFTP_MSG_HB_REQ, 0, c->cfg.uid, 0, 0, 0, 0};
	struct uftp_msg m = {.func = UFTP_MSG_HB_REQ};
	uint8_t blob[2048], sig[1100], nb[4];
	struct uftp_outq_ent *t = uftp_outq_slot(&c->txq);
	ssize_t n;
	int bl, sl;

	if (!t) {
		c->st.tx_dropped++;
		return UFTP_ERR_NOSPACE;
	}
	if (challenged) {
		if (!ops || !c->cfg.nkeys)
			return UFTP_ERR_STATE;
		put_u32be(nb, nonce);
		bl = ops->blob_export(c->cfg.keys[0], blob, sizeof(blob));
		sl = bl < 0 ? bl
		            : ops->sign(c->cfg.keys[0], UFTP_HASH_SHA1, nb, sizeof(nb), sig,
		                        sizeof(sig));
		if (sl < 0)
			return sl;
		m.u.hb_req.nonce = nonce;
		m.u.hb_req.pubkey = blob, m.u.hb_req.pubkey_len = (size_t)bl;
		m.u.hb_req.sig = sig, m.u.hb_req.sig_len = (size_t)sl;
	}
	uftp_encode_header(t->buf, TXQ_MAX, &h);
	n = uftp_encode_msg(t->buf + UFTP_HEADER_LEN, TXQ_MAX - UFTP_HEADER_LEN, &m);
	if (n < 0)
		return (int)n;
	t->len = (size_t)n + UFTP_HEADER_LEN;
	t->to = c->cfg.hb[i];
	uftp_outq_commit(&c->txq);
	c->st.tx_datagrams++;
	cl_log(c, UFTP_LOG_DEBUG, "sent %sHB_REQ to proxy %zu", challenged ? "signed " : "", i + 1);
	return 0;
}

int cl_on_hb_resp(struct uftp_client *c, const struct uftp_peer *from, const uint8_t *buf,
                  size_t len)
{
	struct uftp_hb_resp r;
	ssize_t n;
	int i = hb_index(c, from);

	if (i < 0)
		return UFTP_ERR_STATE;
	n = uftp_decode_hb_resp(&r, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN);
	if (n < 0)
		return (int)n;
	switch (r.authenticated) {
	case UFTP_HB_AUTH_OK:
		if (!c->hb_ok[i])
			cl_log(c, UFTP_LOG_INFO, "heartbeat: proxy %d accepted us", i + 1);
		c->hb_ok[i] = 1;
		return 0;
	case UFTP_HB_AUTH_CHALLENGE:
		cl_log(c, UFTP_LOG_INFO, "heartbeat: proxy %d asks for authentication", i + 1);
		c->hb_ok[i] = 0;
		return send_hb(c, (size_t)i, 1, r.nonce);
	case UFTP_HB_AUTH_FAILED:
		cl_log(c, UFTP_LOG_WARN, "heartbeat: proxy %d refused our key", i + 1);
		c->hb_ok[i] = 0;
		return 0;
	default: return UFTP_ERR_BADVALUE;
	}
}

uint64_t cl_hb_expiry(const struct uftp_client *c)
{
	return c->cfg.nhb ? c->hb_at : UFTP_NEVER;
}

void cl_hb_timers(struct uftp_client *c, uint64_t now)
{
	size_t i;

	if (!c->cfg.nhb || now < c->hb_at)
		return;
	for (i = 0; i < c->cfg.nhb; i++)
		send_hb(c, i, 0, 0);
	c->hb_at = now + c->cfg.hb_interval;
}
