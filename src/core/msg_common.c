/* SPDX-License-Identifier: BSD-2-Clause */
/* UFTP header, dispatch helpers, ID lists, extension areas, key blobs. */
#include "config.h"

#include "core/msg_int.h"

ssize_t uftp_decode_header(struct uftp_header *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t ver, reserved;

	if (len < UFTP_HEADER_LEN)
		return UFTP_ERR_TRUNCATED;
	p = get_u8(&ver, p);
	if (ver != UFTP_VERSION)
		return UFTP_ERR_VERSION;
	p = get_u8(&dst->func, p);
	if (dst->func < 1 || dst->func > UFTP_MSG_MAX)
		return UFTP_ERR_UNKNOWN_TYPE;
	p = get_u16be(&dst->seq, p);
	p = get_u32be(&dst->src_id, p);
	p = get_u32be(&dst->group_id, p);
	p = get_u8(&dst->group_inst, p);
	p = get_u8(&dst->grtt, p);
	p = get_u8(&dst->gsize, p);
	get_u8(&reserved, p);
	return UFTP_HEADER_LEN;
}

ssize_t uftp_encode_header(uint8_t *out, size_t cap, const struct uftp_header *src)
{
	uint8_t *p = out;

	if (src->func < 1 || src->func > UFTP_MSG_MAX)
		return UFTP_ERR_INVALID;
	if (cap < UFTP_HEADER_LEN)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_VERSION);
	p = put_u8(p, src->func);
	p = put_u16be(p, src->seq);
	p = put_u32be(p, src->src_id);
	p = put_u32be(p, src->group_id);
	p = put_u8(p, src->group_inst);
	p = put_u8(p, src->grtt);
	p = put_u8(p, src->gsize);
	put_u8(p, 0);
	return UFTP_HEADER_LEN;
}

int uftp_msg_func(const uint8_t *body, size_t len)
{
	if (len < 1)
		return UFTP_ERR_TRUNCATED;
	if (body[0] < 1 || body[0] > UFTP_MSG_MAX)
		return UFTP_ERR_UNKNOWN_TYPE;
	return body[0];
}

const char *uftp_msg_name(int func)
{
	static const char *const names[UFTP_MSG_MAX + 1] = {
	    "?",           "ANNOUNCE",  "REGISTER",     "CLIENT_KEY", "REG_CONF", "KEYINFO",
	    "KEYINFO_ACK", "FILEINFO",  "FILEINFO_ACK", "FILESEG",    "DONE",     "STATUS",
	    "COMPLETE",    "DONE_CONF", "HB_REQ",       "HB_RESP",    "KEY_REQ",  "PROXY_KEY",
	    "ENCRYPTED",   "ABORT",     "CONG_CTRL",    "CC_ACK",
	};

	if (func < 1 || func > UFTP_MSG_MAX)
		return names[0];
	return names[func];
}

uint32_t uftp_idlist_get(const struct uftp_idlist *l, size_t i)
{
	uint32_t v;

	get_u32be(&v, l->ptr + 4 * i);
	return v;
}

int uftp_idlist_has(const struct uftp_idlist *l, uint32_t id)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (uftp_idlist_get(l, i) == id)
			return 1;
	return 0;
}

ssize_t uftp_idlist_pack(uint8_t *out, size_t cap, const uint32_t *ids, size_t n)
{
	size_t i;

	if (n > cap / 4)
		return UFTP_ERR_NOSPACE;
	for (i = 0; i < n; i++)
		out = put_u32be(out, ids[i]);
	return (ssize_t)(4 * n);
}

void uftp_ext_iter_init(struct uftp_ext_iter *it, const uint8_t *exts, size_t len)
{
	it->p = exts;
	it->end = exts ? exts + len : exts;
}

int uftp_ext_next(struct uftp_ext_iter *it, struct uftp_ext *ext)
{
	size_t left = (size_t)(it->end - it->p);
	size_t elen;

	if (left == 0)
		return 0;
	if (left < 2)
		return UFTP_ERR_TRUNCATED;
	elen = (size_t)it->p[1] * 4;
	/* A zero length would loop forever in a naive receiver: reject it. */
	if (elen == 0 || elen > left)
		return UFTP_ERR_BADLEN;
	ext->type = it->p[0];
	ext->ptr = it->p;
	ext->len = elen;
	it->p += elen;
	return 1;
}

ssize_t uftp_ext_validate(const uint8_t *exts, size_t len)
{
	struct uftp_ext_iter it;
	struct uftp_ext ext;
	ssize_t n = 0;
	int rv;

	uftp_ext_iter_init(&it, exts, len);
	for (;;) {
		rv = uftp_ext_next(&it, &ext);
		if (rv <= 0)
			return rv < 0 ? rv : n;
		n++;
	}
}

int uftp_ext_find(const uint8_t *exts, size_t len, uint8_t type, struct uftp_ext *ext)
{
	struct uftp_ext_iter it;
	int rv;

	uftp_ext_iter_init(&it, exts, len);
	for (;;) {
		rv = uftp_ext_next(&it, ext);
		if (rv <= 0 || ext->type == type)
			return rv;
	}
}

static ssize_t decode_rsa_blob(struct uftp_keyblob *dst, const uint8_t *buf, size_t len)
{
	uint16_t mlen;
	const uint8_t *p;

	if (len < 8)
		return UFTP_ERR_TRUNCATED;
	p = get_u16be(&mlen, buf + 2);
	p = get_u32be(&dst->exponent, p);
	if (mlen == 0)
		return UFTP_ERR_BADLEN;
	if (len < 8 + (size_t)mlen)
		return UFTP_ERR_TRUNCATED;
	if (len > 8 + (size_t)mlen)
		return UFTP_ERR_BADLEN;
	dst->modulus = p;
	dst->modulus_len = mlen;
	return (ssize_t)len;
}

/*
 * The reference sends EC blobs zero-padded to whole 4-byte words (sect163*
 * and sect193* keys need it) and counts the padding in the enclosing length
 * field; the blob's own Key Length excludes it.  Both forms are accepted.
 */
static ssize_t decode_ec_blob(struct uftp_keyblob *dst, const uint8_t *buf, size_t len)
{
	uint16_t klen;
	size_t i;

	if (len < 4)
		return UFTP_ERR_TRUNCATED;
	dst->curve = buf[1];
	if (dst->curve < 1 || dst->curve > UFTP_CURVE_MAX)
		return UFTP_ERR_UNKNOWN_TYPE;
	get_u16be(&klen, buf + 2);
	if (klen == 0)
		return UFTP_ERR_BADLEN;
	if (len < 4 + (size_t)klen)
		return UFTP_ERR_TRUNCATED;
	if (len != 4 + (size_t)klen && len != pad4(4 + (size_t)klen))
		return UFTP_ERR_BADLEN;
	for (i = 4 + (size_t)klen; i < len; i++)
		if (buf[i] != 0)
			return UFTP_ERR_BADVALUE;
	dst->point = buf + 4;
	dst->point_len = klen;
	return (ssize_t)len;
}

ssize_t uftp_decode_keyblob(struct uftp_keyblob *dst, const uint8_t *buf, size_t len)
{
	if (len < 1)
		return UFTP_ERR_TRUNCATED;
	memset(dst, 0, sizeof(*dst));
	dst->type = buf[0];
	if (dst->type == UFTP_BLOB_RSA)
		return decode_rsa_blob(dst, buf, len);
	if (dst->type == UFTP_BLOB_EC)
		return decode_ec_blob(dst, buf, len);
	return UFTP_ERR_UNKNOWN_TYPE;
}

ssize_t uftp_encode_keyblob(uint8_t *out, size_t cap, const struct uftp_keyblob *src)
{
	int rsa = src->type == UFTP_BLOB_RSA;
	size_t klen = rsa ? src->modulus_len : src->point_len;
	size_t raw = (rsa ? 8 : 4) + klen;
	size_t total = rsa ? raw : pad4(raw); /* EC blobs travel word-padded */
	uint8_t *p = out;

	if (!rsa && (src->type != UFTP_BLOB_EC || src->curve < 1 || src->curve > UFTP_CURVE_MAX))
		return UFTP_ERR_INVALID;
	if (klen == 0 || klen > 0xffff)
		return UFTP_ERR_INVALID;
	if (total > cap)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, src->type);
	p = put_u8(p, rsa ? 0 : src->curve);
	p = put_u16be(p, (uint16_t)klen);
	if (rsa)
		p = put_u32be(p, src->exponent);
	p = put_bytes(p, rsa ? src->modulus : src->point, klen);
	put_zero(p, total - raw);
	return (ssize_t)total;
}

/* ---- helpers for msg_*.c ---- */

int uftp_msg_open(const uint8_t *buf, size_t len, uint8_t func, size_t fixed, size_t *hlen)
{
	if (len < fixed)
		return UFTP_ERR_TRUNCATED;
	if (buf[0] != func)
		return UFTP_ERR_BADVALUE;
	*hlen = (size_t)buf[1] * 4;
	if (*hlen < fixed)
		return UFTP_ERR_BADLEN;
	if (*hlen > len)
		return UFTP_ERR_TRUNCATED;
	return 0;
}

int uftp_msg_field(const uint8_t *buf, size_t *off, size_t n, size_t hlen, const uint8_t **ptr,
                   size_t *plen)
{
	if (n > hlen || *off > hlen - n)
		return UFTP_ERR_BADLEN;
	*ptr = n ? buf + *off : NULL;
	*plen = n;
	*off += n;
	return 0;
}

int uftp_msg_exts(const uint8_t *buf, size_t var_end, size_t hlen, const uint8_t **ext,
                  size_t *ext_len)
{
	size_t start = pad4(var_end);
	ssize_t rv;

	if (start > hlen)
		return UFTP_ERR_BADLEN;
	*ext_len = hlen - start;
	*ext = *ext_len ? buf + start : NULL;
	rv = uftp_ext_validate(*ext, *ext_len);
	return rv < 0 ? (int)rv : 0;
}

ssize_t uftp_msg_nobody(size_t hlen, size_t len)
{
	return hlen == len ? (ssize_t)len : UFTP_ERR_BADLEN;
}

ssize_t uftp_msg_idlist(struct uftp_idlist *l, const uint8_t *buf, size_t hlen, size_t len)
{
	size_t n = len - hlen;

	if (n % 4)
		return UFTP_ERR_BADLEN;
	l->ptr = n ? buf + hlen : NULL;
	l->count = n / 4;
	return (ssize_t)len;
}

int uftp_msg_blob(const uint8_t *p, size_t n, int optional)
{
	struct uftp_keyblob kb;
	ssize_t rv;

	if (n == 0 && optional)
		return 0;
	rv = uftp_decode_keyblob(&kb, p, n);
	return rv < 0 ? (int)rv : 0;
}

ssize_t uftp_msg_plan(size_t var_end, const uint8_t *ext, size_t ext_len, size_t body, size_t cap,
                      size_t *hlen)
{
	if (ext_len % 4 || (ext_len && !ext) || uftp_ext_validate(ext, ext_len) < 0)
		return UFTP_ERR_INVALID;
	if (var_end > UFTP_MAX_HLEN || ext_len > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	*hlen = pad4(var_end) + ext_len;
	if (*hlen > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	if (body > cap || *hlen > cap - body)
		return UFTP_ERR_NOSPACE;
	return (ssize_t)(*hlen + body);
}

uint8_t *uftp_msg_put_exts(uint8_t *out, uint8_t *p, const uint8_t *ext, size_t ext_len)
{
	size_t used = (size_t)(p - out);

	p = put_zero(p, pad4(used) - used);
	return put_bytes(p, ext, ext_len);
}

uint8_t *uftp_msg_put_start(uint8_t *out, uint8_t func, size_t hlen)
{
	out = put_u8(out, func);
	return put_u8(out, (uint8_t)(hlen / 4));
}
