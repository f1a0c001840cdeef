/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ENCRYPTED envelope, ABORT, proxy heartbeat and key messages, congestion
 * control (protocol.txt 5.2.2, 5.2.16 - 5.2.22).
 */
#include "config.h"

#include "core/msg_int.h"

ssize_t uftp_decode_encrypted(struct uftp_encrypted *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	uint16_t slen, plen;
	size_t total;

	if (len < UFTP_ENCRYPTED_LEN)
		return UFTP_ERR_TRUNCATED;
	p = get_u64be(&dst->iv_ctr, buf);
	p = get_u16be(&slen, p);
	p = get_u16be(&plen, p);
	/*
	 * protocol.txt says both lengths are multiples of 4; DER-encoded ECDSA
	 * signatures and GCM/CCM payloads (data + 16-byte tag) are not, so
	 * only the sum is checked.
	 */
	total = UFTP_ENCRYPTED_LEN + (size_t)slen + plen;
	if (total > len)
		return UFTP_ERR_TRUNCATED;
	if (total < len)
		return UFTP_ERR_BADLEN;
	dst->sig_len = slen;
	dst->sig = slen ? p : NULL;
	dst->payload_len = plen;
	dst->payload = plen ? p + slen : NULL;
	return (ssize_t)len;
}

ssize_t uftp_encode_encrypted(uint8_t *out, size_t cap, const struct uftp_encrypted *src)
{
	size_t total = UFTP_ENCRYPTED_LEN + src->sig_len + src->payload_len;
	uint8_t *p = out;

	if (src->sig_len > 0xffff || src->payload_len > 0xffff)
		return UFTP_ERR_INVALID;
	if (total > cap)
		return UFTP_ERR_NOSPACE;
	p = put_u64be(p, src->iv_ctr);
	p = put_u16be(p, (uint16_t)src->sig_len);
	p = put_u16be(p, (uint16_t)src->payload_len);
	p = put_bytes(p, src->sig, src->sig_len);
	put_bytes(p, src->payload, src->payload_len);
	return (ssize_t)total;
}

ssize_t uftp_decode_abort(struct uftp_abort *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *nul;
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_ABORT, UFTP_ABORT_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_ABORT_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	dst->flags = buf[2];
	get_u32be(&dst->host, buf + 4);
	dst->text = buf + 8;
	nul = memchr(dst->text, 0, UFTP_ABORT_TEXT_LEN);
	dst->text_len = nul ? (size_t)(nul - dst->text) : UFTP_ABORT_TEXT_LEN;
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_abort(uint8_t *out, size_t cap, const struct uftp_abort *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (src->text_len > UFTP_ABORT_TEXT_LEN)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_ABORT_LEN, src->ext, src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_ABORT, hlen);
	p = put_u8(p, src->flags);
	p = put_u8(p, 0);
	p = put_u32be(p, src->host);
	p = put_bytes(p, src->text, src->text_len);
	p = put_zero(p, UFTP_ABORT_TEXT_LEN - src->text_len);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}

ssize_t uftp_decode_hb_req(struct uftp_hb_req *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen, off = UFTP_HB_REQ_LEN;
	uint16_t klen, slen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_HB_REQ, UFTP_HB_REQ_LEN, &hlen);
	if (rv < 0)
		return rv;
	p = get_u16be(&klen, buf + 4);
	p = get_u16be(&slen, p);
	get_u32be(&dst->nonce, p);
	rv = uftp_msg_field(buf, &off, klen, hlen, &dst->pubkey, &dst->pubkey_len);
	if (rv == 0)
		rv = uftp_msg_field(buf, &off, slen, hlen, &dst->sig, &dst->sig_len);
	if (rv == 0)
		rv = uftp_msg_exts(buf, off, hlen, &dst->ext, &dst->ext_len);
	if (rv == 0)
		rv = uftp_msg_blob(dst->pubkey, dst->pubkey_len, 1);
	if (rv < 0)
		return rv;
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_hb_req(uint8_t *out, size_t cap, const struct uftp_hb_req *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (src->pubkey_len > UFTP_MAX_HLEN || src->sig_len > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_HB_REQ_LEN + src->pubkey_len + src->sig_len, src->ext,
	                      src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_HB_REQ, hlen);
	p = put_u16be(p, 0);
	p = put_u16be(p, (uint16_t)src->pubkey_len);
	p = put_u16be(p, (uint16_t)src->sig_len);
	p = put_u32be(p, src->nonce);
	p = put_bytes(p, src->pubkey, src->pubkey_len);
	p = put_bytes(p, src->sig, src->sig_len);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}

ssize_t uftp_decode_hb_resp(struct uftp_hb_resp *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_HB_RESP, UFTP_HB_RESP_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_HB_RESP_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	dst->authenticated = buf[2];
	get_u32be(&dst->nonce, buf + 4);
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_hb_resp(uint8_t *out, size_t cap, const struct uftp_hb_resp *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_HB_RESP_LEN, src->ext, src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_HB_RESP, hlen);
	p = put_u8(p, src->authenticated);
	p = put_u8(p, 0);
	p = put_u32be(p, src->nonce);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}

/* KEY_REQ and CC_ACK are a bare 4-byte header plus extensions. */
static ssize_t decode_bare(uint8_t func, const uint8_t **ext, size_t *ext_len, const uint8_t *buf,
                           size_t len)
{
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, func, 4, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, 4, hlen, ext, ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_nobody(hlen, len);
}

static ssize_t encode_bare(uint8_t *out, size_t cap, uint8_t func, const uint8_t *ext,
                           size_t ext_len)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(4, ext, ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, func, hlen);
	p = put_u16be(p, 0);
	uftp_msg_put_exts(out, p, ext, ext_len);
	return total;
}

ssize_t uftp_decode_key_req(struct uftp_key_req *dst, const uint8_t *buf, size_t len)
{
	return decode_bare(UFTP_MSG_KEY_REQ, &dst->ext, &dst->ext_len, buf, len);
}

ssize_t uftp_encode_key_req(uint8_t *out, size_t cap, const struct uftp_key_req *src)
{
	return encode_bare(out, cap, UFTP_MSG_KEY_REQ, src->ext, src->ext_len);
}

ssize_t uftp_decode_cc_ack(struct uftp_cc_ack *dst, const uint8_t *buf, size_t len)
{
	return decode_bare(UFTP_MSG_CC_ACK, &dst->ext, &dst->ext_len, buf, len);
}

ssize_t uftp_encode_cc_ack(uint8_t *out, size_t cap, const struct uftp_cc_ack *src)
{
	return encode_bare(out, cap, UFTP_MSG_CC_ACK, src->ext, src->ext_len);
}

static int proxy_key_vars(struct uftp_proxy_key *dst, const uint8_t *buf, size_t hlen,
                          uint16_t klen, uint16_t dhlen, uint16_t slen)
{
	size_t off = UFTP_PROXY_KEY_LEN;
	int rv;

	rv = uftp_msg_field(buf, &off, klen, hlen, &dst->pubkey, &dst->pubkey_len);
	if (rv == 0)
		rv = uftp_msg_field(buf, &off, dhlen, hlen, &dst->dhkey, &dst->dhkey_len);
	if (rv == 0)
		rv = uftp_msg_field(buf, &off, slen, hlen, &dst->sig, &dst->sig_len);
	if (rv == 0)
		rv = uftp_msg_exts(buf, off, hlen, &dst->ext, &dst->ext_len);
	if (rv == 0)
		rv = uftp_msg_blob(dst->pubkey, dst->pubkey_len, 0);
	if (rv == 0)
		rv = uftp_msg_blob(dst->dhkey, dst->dhkey_len, 1);
	return rv;
}

ssize_t uftp_decode_proxy_key(struct uftp_proxy_key *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen;
	uint16_t klen, dhlen, slen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_PROXY_KEY, UFTP_PROXY_KEY_LEN, &hlen);
	if (rv < 0)
		return rv;
	p = get_u16be(&klen, buf + 2);
	p = get_u16be(&dhlen, p);
	p = get_u16be(&slen, p);
	get_u32be(&dst->nonce, p);
	rv = proxy_key_vars(dst, buf, hlen, klen, dhlen, slen);
	if (rv < 0)
		return rv;
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_proxy_key(uint8_t *out, size_t cap, const struct uftp_proxy_key *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (src->pubkey_len > UFTP_MAX_HLEN || src->dhkey_len > UFTP_MAX_HLEN ||
	    src->sig_len > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_PROXY_KEY_LEN + src->pubkey_len + src->dhkey_len + src->sig_len,
	                      src->ext, src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_PROXY_KEY, hlen);
	p = put_u16be(p, (uint16_t)src->pubkey_len);
	p = put_u16be(p, (uint16_t)src->dhkey_len);
	p = put_u16be(p, (uint16_t)src->sig_len);
	p = put_u32be(p, src->nonce);
	p = put_bytes(p, src->pubkey, src->pubkey_len);
	p = put_bytes(p, src->dhkey, src->dhkey_len);
	p = put_bytes(p, src->sig, src->sig_len);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}

ssize_t uftp_decode_cong_ctrl(struct uftp_cong_ctrl *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen, n;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_CONG_CTRL, UFTP_CONG_CTRL_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_CONG_CTRL_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	p = get_u16be(&dst->cc_seq, buf + 4);
	p = get_u16be(&dst->cc_rate, p);
	p = get_u32be(&dst->tstamp_sec, p);
	get_u32be(&dst->tstamp_usec, p);
	n = len - hlen;
	if (n % UFTP_CC_ITEM_LEN)
		return UFTP_ERR_BADLEN;
	dst->items = n ? buf + hlen : NULL;
	dst->item_count = n / UFTP_CC_ITEM_LEN;
	return (ssize_t)len;
}

ssize_t uftp_encode_cong_ctrl(uint8_t *out, size_t cap, const struct uftp_cong_ctrl *src)
{
	size_t hlen, body;
	uint8_t *p;
	ssize_t total;

	if (src->item_count > SIZE_MAX / UFTP_CC_ITEM_LEN)
		return UFTP_ERR_INVALID;
	body = src->item_count * UFTP_CC_ITEM_LEN;
	total = uftp_msg_plan(UFTP_CONG_CTRL_LEN, src->ext, src->ext_len, body, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_CONG_CTRL, hlen);
	p = put_u16be(p, 0);
	p = put_u16be(p, src->cc_seq);
	p = put_u16be(p, src->cc_rate);
	p = put_u32be(p, src->tstamp_sec);
	p = put_u32be(p, src->tstamp_usec);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->items, body);
	return total;
}

struct uftp_cc_item uftp_cong_ctrl_get(const struct uftp_cong_ctrl *cc, size_t i)
{
	struct uftp_cc_item it;
	const uint8_t *p = cc->items + i * UFTP_CC_ITEM_LEN;

	p = get_u32be(&it.client_id, p);
	p = get_u8(&it.flags, p);
	get_u8(&it.rtt, p);
	return it;
}

ssize_t uftp_cc_items_pack(uint8_t *out, size_t cap, const struct uftp_cc_item *items, size_t n)
{
	size_t i;

	if (n > cap / UFTP_CC_ITEM_LEN)
		return UFTP_ERR_NOSPACE;
	for (i = 0; i < n; i++) {
		out = put_u32be(out, items[i].client_id);
		out = put_u8(out, items[i].flags);
		out = put_u8(out, items[i].rtt);
		out = put_u16be(out, 0);
	}
	return (ssize_t)(n * UFTP_CC_ITEM_LEN);
}
