/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Announce/register phase: ANNOUNCE, REGISTER, CLIENT_KEY, REG_CONF,
 * KEYINFO, KEYINFO_ACK (protocol.txt 5.2.3 - 5.2.8).
 */
#include "config.h"

#include "core/msg_int.h"

static const uint8_t *get_addr(struct uftp_ipaddr *a, const uint8_t *p, int v6)
{
	memset(a, 0, sizeof(*a));
	a->family = v6 ? 6 : 4;
	return get_bytes(a->addr, p, v6 ? 16 : 4);
}

ssize_t uftp_decode_announce(struct uftp_announce *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen, fixed;
	int rv, v6;

	if (len < 3)
		return UFTP_ERR_TRUNCATED;
	v6 = (buf[2] & UFTP_ANNOUNCE_IPV6) != 0;
	fixed = UFTP_ANNOUNCE_LEN + (v6 ? 32 : 8);
	rv = uftp_msg_open(buf, len, UFTP_MSG_ANNOUNCE, fixed, &hlen);
	if (rv < 0)
		return rv;
	p = get_u8(&dst->flags, buf + 2);
	p = get_u8(&dst->robust, p);
	p = get_u8(&dst->cc_type, p);
	p = get_u16be(&dst->block_size, p + 1);
	p = get_u32be(&dst->tstamp_sec, p);
	p = get_u32be(&dst->tstamp_usec, p);
	p = get_addr(&dst->pub_addr, p, v6);
	get_addr(&dst->priv_addr, p, v6);
	rv = uftp_msg_exts(buf, fixed, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_announce(uint8_t *out, size_t cap, const struct uftp_announce *src)
{
	int v6 = (src->flags & UFTP_ANNOUNCE_IPV6) != 0;
	size_t alen = v6 ? 16 : 4, hlen;
	uint8_t fam = v6 ? 6 : 4;
	uint8_t *p;
	ssize_t total;

	if (src->pub_addr.family != fam || src->priv_addr.family != fam)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_ANNOUNCE_LEN + 2 * alen, src->ext, src->ext_len,
	                      4 * src->ids.count, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_ANNOUNCE, hlen);
	p = put_u8(p, src->flags);
	p = put_u8(p, src->robust);
	p = put_u8(p, src->cc_type);
	p = put_u8(p, 0);
	p = put_u16be(p, src->block_size);
	p = put_u32be(p, src->tstamp_sec);
	p = put_u32be(p, src->tstamp_usec);
	p = put_bytes(p, src->pub_addr.addr, alen);
	p = put_bytes(p, src->priv_addr.addr, alen);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}

ssize_t uftp_decode_register(struct uftp_register *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen, off = UFTP_REGISTER_LEN;
	uint16_t klen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_REGISTER, UFTP_REGISTER_LEN, &hlen);
	if (rv < 0)
		return rv;
	p = get_u16be(&klen, buf + 2);
	p = get_u32be(&dst->tstamp_sec, p);
	p = get_u32be(&dst->tstamp_usec, p);
	dst->rand = p;
	rv = uftp_msg_field(buf, &off, klen, hlen, &dst->keyinfo, &dst->keyinfo_len);
	if (rv == 0)
		rv = uftp_msg_exts(buf, off, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_register(uint8_t *out, size_t cap, const struct uftp_register *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (!src->rand || src->keyinfo_len > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_REGISTER_LEN + src->keyinfo_len, src->ext, src->ext_len,
	                      4 * src->ids.count, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_REGISTER, hlen);
	p = put_u16be(p, (uint16_t)src->keyinfo_len);
	p = put_u32be(p, src->tstamp_sec);
	p = put_u32be(p, src->tstamp_usec);
	p = put_bytes(p, src->rand, UFTP_RAND_LEN);
	p = put_bytes(p, src->keyinfo, src->keyinfo_len);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}

ssize_t uftp_decode_client_key(struct uftp_client_key *dst, const uint8_t *buf, size_t len)
{
	size_t hlen, off = UFTP_CLIENT_KEY_LEN;
	uint16_t klen, vlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_CLIENT_KEY, UFTP_CLIENT_KEY_LEN, &hlen);
	if (rv < 0)
		return rv;
	get_u16be(&vlen, get_u16be(&klen, buf + 4));
	rv = uftp_msg_field(buf, &off, klen, hlen, &dst->pubkey, &dst->pubkey_len);
	if (rv == 0)
		rv = uftp_msg_field(buf, &off, vlen, hlen, &dst->verify, &dst->verify_len);
	if (rv == 0)
		rv = uftp_msg_exts(buf, off, hlen, &dst->ext, &dst->ext_len);
	if (rv == 0)
		rv = uftp_msg_blob(dst->pubkey, dst->pubkey_len, 0);
	if (rv < 0)
		return rv;
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_client_key(uint8_t *out, size_t cap, const struct uftp_client_key *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (src->pubkey_len > UFTP_MAX_HLEN || src->verify_len > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_CLIENT_KEY_LEN + src->pubkey_len + src->verify_len, src->ext,
	                      src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_CLIENT_KEY, hlen);
	p = put_u16be(p, 0);
	p = put_u16be(p, (uint16_t)src->pubkey_len);
	p = put_u16be(p, (uint16_t)src->verify_len);
	p = put_bytes(p, src->pubkey, src->pubkey_len);
	p = put_bytes(p, src->verify, src->verify_len);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}

ssize_t uftp_decode_reg_conf(struct uftp_reg_conf *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_REG_CONF, UFTP_REG_CONF_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_REG_CONF_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_reg_conf(uint8_t *out, size_t cap, const struct uftp_reg_conf *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_REG_CONF_LEN, src->ext, src->ext_len, 4 * src->ids.count, cap,
	                      &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_REG_CONF, hlen);
	p = put_u16be(p, 0);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}

ssize_t uftp_decode_keyinfo(struct uftp_keyinfo *dst, const uint8_t *buf, size_t len)
{
	size_t hlen, n;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_KEYINFO, UFTP_KEYINFO_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_KEYINFO_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	get_u64be(&dst->iv_ctr, buf + 4);
	n = len - hlen;
	if (n % UFTP_DESTKEY_LEN)
		return UFTP_ERR_BADLEN;
	dst->keys = n ? buf + hlen : NULL;
	dst->key_count = n / UFTP_DESTKEY_LEN;
	return (ssize_t)len;
}

ssize_t uftp_encode_keyinfo(uint8_t *out, size_t cap, const struct uftp_keyinfo *src)
{
	size_t hlen, body;
	uint8_t *p;
	ssize_t total;

	if (src->key_count > SIZE_MAX / UFTP_DESTKEY_LEN)
		return UFTP_ERR_INVALID;
	body = src->key_count * UFTP_DESTKEY_LEN;
	total = uftp_msg_plan(UFTP_KEYINFO_LEN, src->ext, src->ext_len, body, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_KEYINFO, hlen);
	p = put_u16be(p, 0);
	p = put_u64be(p, src->iv_ctr);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->keys, body);
	return total;
}

struct uftp_destkey uftp_keyinfo_get(const struct uftp_keyinfo *ki, size_t i)
{
	struct uftp_destkey dk;
	const uint8_t *p = ki->keys + i * UFTP_DESTKEY_LEN;

	dk.groupmaster = get_u32be(&dk.client_id, p);
	return dk;
}

ssize_t uftp_decode_keyinfo_ack(struct uftp_keyinfo_ack *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_KEYINFO_ACK, UFTP_KEYINFO_ACK_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_KEYINFO_ACK_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	dst->verify = buf + 4;
	return uftp_msg_nobody(hlen, len);
}

ssize_t uftp_encode_keyinfo_ack(uint8_t *out, size_t cap, const struct uftp_keyinfo_ack *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	if (!src->verify)
		return UFTP_ERR_INVALID;
	total = uftp_msg_plan(UFTP_KEYINFO_ACK_LEN, src->ext, src->ext_len, 0, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_KEYINFO_ACK, hlen);
	p = put_u16be(p, 0);
	p = put_bytes(p, src->verify, UFTP_VERIFY_LEN);
	uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	return total;
}
