/* SPDX-License-Identifier: BSD-2-Clause */
/* Typed header extensions (protocol.txt 5.2.3.1, 5.2.11.1, 5.2.13.1, 5.2.14.1). */
#include "config.h"

#include "core/msg_int.h"

/*
 * Checks an extension of a fixed size: type, room for the fixed part and an
 * Extension Length equal to it.
 */
static int open_fixed(const uint8_t *buf, size_t len, uint8_t type, size_t size)
{
	if (len < size)
		return UFTP_ERR_TRUNCATED;
	if (buf[0] != type)
		return UFTP_ERR_BADVALUE;
	if ((size_t)buf[1] * 4 != size)
		return UFTP_ERR_BADLEN;
	return 0;
}

/* Takes one of ENC_INFO's variable fields and checks it against the extension's end. */
static int take(const uint8_t **ptr, size_t *plen, const uint8_t *buf, size_t *off, size_t n,
                size_t end)
{
	return uftp_msg_field(buf, off, n, end, ptr, plen);
}

static int enc_info_vars(struct uftp_ext_enc_info *dst, const uint8_t *buf, size_t elen,
                         uint16_t klen, uint16_t dhlen, uint16_t slen)
{
	size_t off = UFTP_EXT_ENC_INFO_LEN;
	int rv;

	rv = take(&dst->pubkey, &dst->pubkey_len, buf, &off, klen, elen);
	if (rv == 0)
		rv = take(&dst->dhkey, &dst->dhkey_len, buf, &off, dhlen, elen);
	if (rv == 0)
		rv = take(&dst->sig, &dst->sig_len, buf, &off, slen, elen);
	if (rv < 0)
		return rv;
	/* The parts are packed back to back; only the end is padded. */
	if (pad4(off) != elen)
		return UFTP_ERR_BADLEN;
	rv = uftp_msg_blob(dst->pubkey, dst->pubkey_len, 0);
	if (rv == 0)
		rv = uftp_msg_blob(dst->dhkey, dst->dhkey_len, 1);
	return rv;
}

ssize_t uftp_decode_ext_enc_info(struct uftp_ext_enc_info *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	uint16_t klen, dhlen, slen;
	size_t elen;
	int rv;

	if (len < UFTP_EXT_ENC_INFO_LEN)
		return UFTP_ERR_TRUNCATED;
	if (buf[0] != UFTP_EXT_ENC_INFO)
		return UFTP_ERR_BADVALUE;
	elen = (size_t)buf[1] * 4;
	if (elen > len)
		return UFTP_ERR_TRUNCATED;
	if (elen < UFTP_EXT_ENC_INFO_LEN)
		return UFTP_ERR_BADLEN;
	dst->flags = buf[2];
	dst->keyextype = buf[3] >> 4;
	dst->sigtype = buf[3] & 0x0f;
	p = get_u8(&dst->keytype, buf + 4);
	p = get_u8(&dst->hashtype, p);
	p = get_u16be(&klen, p);
	p = get_u16be(&dhlen, p);
	p = get_u16be(&slen, p);
	dst->rand = p;
	if (dst->keyextype == UFTP_KEYEX_RSA && dhlen != 0)
		return UFTP_ERR_BADVALUE;
	rv = enc_info_vars(dst, buf, elen, klen, dhlen, slen);
	return rv < 0 ? rv : (ssize_t)elen;
}

ssize_t uftp_encode_ext_enc_info(uint8_t *out, size_t cap, const struct uftp_ext_enc_info *src)
{
	size_t raw = UFTP_EXT_ENC_INFO_LEN + src->pubkey_len + src->dhkey_len + src->sig_len;
	size_t elen = pad4(raw);
	uint8_t *p = out;

	if (src->keyextype > 15 || src->sigtype > 15 || !src->rand || elen > UFTP_MAX_HLEN)
		return UFTP_ERR_INVALID;
	if (elen > cap)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_EXT_ENC_INFO);
	p = put_u8(p, (uint8_t)(elen / 4));
	p = put_u8(p, src->flags);
	p = put_u8(p, (uint8_t)(src->keyextype << 4 | src->sigtype));
	p = put_u8(p, src->keytype);
	p = put_u8(p, src->hashtype);
	p = put_u16be(p, (uint16_t)src->pubkey_len);
	p = put_u16be(p, (uint16_t)src->dhkey_len);
	p = put_u16be(p, (uint16_t)src->sig_len);
	p = put_bytes(p, src->rand, UFTP_RAND_LEN);
	p = put_bytes(p, src->pubkey, src->pubkey_len);
	p = put_bytes(p, src->dhkey, src->dhkey_len);
	p = put_bytes(p, src->sig, src->sig_len);
	put_zero(p, elen - raw);
	return (ssize_t)elen;
}

ssize_t uftp_decode_ext_tfmcc_data_info(struct uftp_ext_tfmcc_data_info *dst, const uint8_t *buf,
                                        size_t len)
{
	const uint8_t *p;
	int rv;

	rv = open_fixed(buf, len, UFTP_EXT_TFMCC_DATA_INFO, UFTP_EXT_TFMCC_DATA_INFO_LEN);
	if (rv < 0)
		return rv;
	p = get_u16be(&dst->send_rate, buf + 2);
	p = get_u16be(&dst->cc_seq, p);
	get_u16be(&dst->cc_rate, p);
	return UFTP_EXT_TFMCC_DATA_INFO_LEN;
}

ssize_t uftp_encode_ext_tfmcc_data_info(uint8_t *out, size_t cap,
                                        const struct uftp_ext_tfmcc_data_info *src)
{
	uint8_t *p = out;

	if (cap < UFTP_EXT_TFMCC_DATA_INFO_LEN)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_EXT_TFMCC_DATA_INFO);
	p = put_u8(p, UFTP_EXT_TFMCC_DATA_INFO_LEN / 4);
	p = put_u16be(p, src->send_rate);
	p = put_u16be(p, src->cc_seq);
	put_u16be(p, src->cc_rate);
	return UFTP_EXT_TFMCC_DATA_INFO_LEN;
}

ssize_t uftp_decode_ext_tfmcc_ack_info(struct uftp_ext_tfmcc_ack_info *dst, const uint8_t *buf,
                                       size_t len)
{
	const uint8_t *p;
	int rv;

	rv = open_fixed(buf, len, UFTP_EXT_TFMCC_ACK_INFO, UFTP_EXT_TFMCC_ACK_INFO_LEN);
	if (rv < 0)
		return rv;
	dst->flags = buf[2];
	p = get_u16be(&dst->cc_seq, buf + 4);
	p = get_u16be(&dst->cc_rate, p);
	p = get_u32be(&dst->client_id, p);
	p = get_u32be(&dst->tstamp_sec, p);
	get_u32be(&dst->tstamp_usec, p);
	return UFTP_EXT_TFMCC_ACK_INFO_LEN;
}

ssize_t uftp_encode_ext_tfmcc_ack_info(uint8_t *out, size_t cap,
                                       const struct uftp_ext_tfmcc_ack_info *src)
{
	uint8_t *p = out;

	if (cap < UFTP_EXT_TFMCC_ACK_INFO_LEN)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_EXT_TFMCC_ACK_INFO);
	p = put_u8(p, UFTP_EXT_TFMCC_ACK_INFO_LEN / 4);
	p = put_u8(p, src->flags);
	p = put_u8(p, 0);
	p = put_u16be(p, src->cc_seq);
	p = put_u16be(p, src->cc_rate);
	p = put_u32be(p, src->client_id);
	p = put_u32be(p, src->tstamp_sec);
	put_u32be(p, src->tstamp_usec);
	return UFTP_EXT_TFMCC_ACK_INFO_LEN;
}

ssize_t uftp_decode_ext_freespace_info(struct uftp_ext_freespace_info *dst, const uint8_t *buf,
                                       size_t len)
{
	int rv;

	rv = open_fixed(buf, len, UFTP_EXT_FREESPACE_INFO, UFTP_EXT_FREESPACE_INFO_LEN);
	if (rv < 0)
		return rv;
	get_u64be(&dst->freespace, buf + 4);
	return UFTP_EXT_FREESPACE_INFO_LEN;
}

ssize_t uftp_encode_ext_freespace_info(uint8_t *out, size_t cap,
                                       const struct uftp_ext_freespace_info *src)
{
	uint8_t *p = out;

	if (cap < UFTP_EXT_FREESPACE_INFO_LEN)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_EXT_FREESPACE_INFO);
	p = put_u8(p, UFTP_EXT_FREESPACE_INFO_LEN / 4);
	p = put_u16be(p, 0);
	put_u64be(p, src->freespace);
	return UFTP_EXT_FREESPACE_INFO_LEN;
}
