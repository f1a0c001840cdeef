/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core, response proxy (uftpd -R; protocol.txt 5.1.1.3): the
 * proxy's public key is fetched with KEY_REQ / PROXY_KEY; in encrypted
 * sessions the key exchange is made with that key and the KEYINFO comes
 * from the proxy (carrying the server's ID), every reply goes to the proxy.
 */
#include <string.h>

#include "core/client_int.h"
#include "core/err.h"

#define KEYREQ_INTERVAL (5 * UFTP_NS_PER_SEC)

int cl_proxy_mode(const struct uftp_client *c)
{
	return c->cfg.resp_proxy.ip.family != 0;
}

/* The proxy answers from its own port; its address is what identifies it. */
int cl_from_proxy(const struct uftp_client *c, const struct uftp_peer *from)
{
	return cl_proxy_mode(c) && uftp_ip_equal(&from->ip, &c->cfg.resp_proxy.ip);
}

static int check_fp(const struct uftp_client *c, const uint8_t *blob, size_t len)
{
	if (!c->cfg.resp_proxy_has_fp)
		return 0;
	return uftp_key_fp_matches(c->env->crypto, blob, len, c->cfg.resp_proxy_fp) ? 0
	                                                                            : UFTP_ERR_AUTH;
}

int cl_on_proxy_key(struct uftp_client *c, const struct uftp_peer *from,
                    const struct uftp_header *h, const uint8_t *buf, size_t len)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	struct uftp_proxy_key pk;
	struct uftp_pkey *key = NULL, *dh = NULL;
	ssize_t n;
	int rv;

	(void)h;
	if (!cl_from_proxy(c, from) || !ops)
		return UFTP_ERR_STATE;
	n = uftp_decode_proxy_key(&pk, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN);
	if (n < 0)
		return (int)n;
	rv = check_fp(c, pk.pubkey, pk.pubkey_len);
	if (rv >= 0)
		rv = ops->blob_import(pk.pubkey, pk.pubkey_len, &key);
	if (rv >= 0 && pk.dhkey_len)
		rv = ops->blob_import(pk.dhkey, pk.dhkey_len, &dh);
	if (rv < 0) {
		ops->pkey_free(key);
		cl_log(c, UFTP_LOG_WARN, "PROXY_KEY from the response proxy refused: %s",
		       uftp_strerror(rv));
		return rv;
	}
	if (!c->proxy_key)
		cl_log(c, UFTP_LOG_INFO, "got the response proxy's key");
	ops->pkey_free(c->proxy_key);
	ops->pkey_free(c->proxy_dh);
	c->proxy_key = key, c->proxy_dh = dh;
	return 0;
}

uint64_t cl_proxy_expiry(const struct uftp_client *c)
{
	if (!cl_proxy_mode(c) || c->proxy_key || !c->env->crypto)
		return UFTP_NEVER;
	return c->keyreq_at;
}

static void send_keyreq(struct uftp_client *c)
{
	struct uftp_header h = {UFTP_MSG_KEY_REQ, c->seq++, c->cfg.uid, 0, 0, 0, 0};
	struct uftp_msg m = {.func = UFTP_MSG_KEY_REQ};
	struct uftp_outq_ent *t = uftp_outq_slot(&c->txq);
	ssize_t n;

	if (!t)
		return;
	uftp_encode_header(t->buf, TXQ_MAX, &h);
	n = uftp_encode_msg(t->buf + UFTP_HEADER_LEN, TXQ_MAX - UFTP_HEADER_LEN, &m);
	if (n < 0)
		return;
	t->len = (size_t)n + UFTP_HEADER_LEN;
	t->to = c->cfg.resp_proxy;
	uftp_outq_commit(&c->txq);
	c->st.tx_datagrams++;
}

void cl_proxy_timers(struct uftp_client *c, uint64_t now)
{
	if (cl_proxy_expiry(c) > now)
		return;
	send_keyreq(c);
	c->keyreq_at = now + KEYREQ_INTERVAL;
}

void cl_proxy_free(struct uftp_client *c)
{
	if (!c->env->crypto)
		return;
	c->env->crypto->pkey_free(c->proxy_key);
	c->env->crypto->pkey_free(c->proxy_dh);
}
