/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File transfer and completion phase: FILEINFO, FILEINFO_ACK, FILESEG, DONE,
 * STATUS, COMPLETE, DONE_CONF (protocol.txt 5.2.9 - 5.2.15).
 */
#include "config.h"

#include "core/msg_int.h"

/*
 * Words a name of n bytes occupies: NUL padding to the next multiple of 4,
 * no terminator when n is already a multiple of 4 (protocol.txt 5.2.9).
 */
static size_t name_words(size_t n)
{
	return pad4(n) / 4;
}

/*
 * Takes a NUL-padded string field of `words` words at *off.  The string is
 * what precedes the first NUL; it must be non-empty, the padding all NULs
 * and exactly the canonical amount, so that re-encoding is byte-exact.
 */
static int take_name(const uint8_t *buf, size_t *off, size_t words, size_t hlen,
                     const uint8_t **ptr, size_t *plen)
{
	const uint8_t *nul;
	size_t i, n;
	int rv;

	*plen = 0;
	rv = uftp_msg_field(buf, off, 4 * words, hlen, ptr, &n);
	if (rv < 0 || n == 0)
		return rv;
	nul = memchr(*ptr, 0, n);
	*plen = nul ? (size_t)(nul - *ptr) : n;
	for (i = *plen; i < n; i++)
		if ((*ptr)[i] != 0)
			return UFTP_ERR_BADVALUE;
	if (*plen == 0)
		return UFTP_ERR_BADVALUE;
	if (name_words(*plen) != words)
		return UFTP_ERR_BADLEN;
	return 0;
}

static const uint8_t *fileinfo_fixed(struct uftp_fileinfo *dst, const uint8_t *buf)
{
	const uint8_t *p;
	uint16_t hi;
	uint32_t lo;

	p = get_u16be(&dst->file_id, buf + 2);
	p = get_u8(&dst->ftype, p);
	p = get_u16be(&hi, p + 3 + 2);
	p = get_u32be(&lo, p);
	dst->fsize = (uint64_t)hi << 32 | lo;
	p = get_u32be(&dst->ftstamp, p);
	p = get_u32be(&dst->tstamp_sec, p);
	return get_u32be(&dst->tstamp_usec, p);
}

ssize_t uftp_decode_fileinfo(struct uftp_fileinfo *dst, const uint8_t *buf, size_t len)
{
	size_t hlen, off = UFTP_FILEINFO_LEN;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_FILEINFO, UFTP_FILEINFO_LEN, &hlen);
	if (rv < 0)
		return rv;
	fileinfo_fixed(dst, buf);
	if (buf[8] == 0)
		return UFTP_ERR_BADLEN;
	rv = take_name(buf, &off, buf[8], hlen, &dst->name, &dst->name_len);
	if (rv == 0)
		rv = take_name(buf, &off, buf[9], hlen, &dst->link, &dst->link_len);
	if (rv == 0)
		rv = uftp_msg_exts(buf, off, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

static int fileinfo_check(const struct uftp_fileinfo *src)
{
	if (src->name_len == 0 || memchr(src->name, 0, src->name_len))
		return UFTP_ERR_INVALID;
	if (src->link_len && memchr(src->link, 0, src->link_len))
		return UFTP_ERR_INVALID;
	if (name_words(src->name_len) > 255 || name_words(src->link_len) > 255)
		return UFTP_ERR_INVALID;
	if (src->fsize > UFTP_MAX_FILESIZE)
		return UFTP_ERR_INVALID;
	return 0;
}

static uint8_t *put_name(uint8_t *p, const uint8_t *s, size_t n)
{
	p = put_bytes(p, s, n);
	return put_zero(p, 4 * name_words(n) - n);
}

ssize_t uftp_encode_fileinfo(uint8_t *out, size_t cap, const struct uftp_fileinfo *src)
{
	size_t nw, lw, hlen;
	uint8_t *p;
	ssize_t total;
	int rv = fileinfo_check(src);

	if (rv < 0)
		return rv;
	nw = name_words(src->name_len);
	lw = name_words(src->link_len);
	total = uftp_msg_plan(UFTP_FILEINFO_LEN + 4 * (nw + lw), src->ext, src->ext_len,
	                      4 * src->ids.count, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_FILEINFO, hlen);
	p = put_u16be(p, src->file_id);
	p = put_u8(p, src->ftype);
	p = put_zero(p, 3);
	p = put_u8(p, (uint8_t)nw);
	p = put_u8(p, (uint8_t)lw);
	p = put_u16be(p, (uint16_t)(src->fsize >> 32));
	p = put_u32be(p, (uint32_t)src->fsize);
	p = put_u32be(p, src->ftstamp);
	p = put_u32be(p, src->tstamp_sec);
	p = put_u32be(p, src->tstamp_usec);
	p = put_name(p, src->name, src->name_len);
	p = put_name(p, src->link, src->link_len);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}

ssize_t uftp_decode_fileinfo_ack(struct uftp_fileinfo_ack *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_FILEINFO_ACK, UFTP_FILEINFO_ACK_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_FILEINFO_ACK_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	p = get_u16be(&dst->file_id, buf + 2);
	p = get_u8(&dst->flags, p);
	p = get_u32be(&dst->tstamp_sec, p + 3);
	get_u32be(&dst->tstamp_usec, p);
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_fileinfo_ack(uint8_t *out, size_t cap, const struct uftp_fileinfo_ack *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_FILEINFO_ACK_LEN, src->ext, src->ext_len, 4 * src->ids.count,
	                      cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_FILEINFO_ACK, hlen);
	p = put_u16be(p, src->file_id);
	p = put_u8(p, src->flags);
	p = put_zero(p, 3);
	p = put_u32be(p, src->tstamp_sec);
	p = put_u32be(p, src->tstamp_usec);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}

ssize_t uftp_decode_fileseg(struct uftp_fileseg *dst, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_FILESEG, UFTP_FILESEG_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_FILESEG_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	p = get_u16be(&dst->file_id, buf + 2);
	p = get_u16be(&dst->section, p);
	get_u16be(&dst->block, p);
	dst->data_len = len - hlen;
	dst->data = dst->data_len ? buf + hlen : NULL;
	return (ssize_t)len;
}

ssize_t uftp_encode_fileseg(uint8_t *out, size_t cap, const struct uftp_fileseg *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_FILESEG_LEN, src->ext, src->ext_len, src->data_len, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_FILESEG, hlen);
	p = put_u16be(p, src->file_id);
	p = put_u16be(p, src->section);
	p = put_u16be(p, src->block);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->data, src->data_len);
	return total;
}

/* DONE, STATUS and COMPLETE share "File ID, 16-bit field, reserved" up front. */
static int open_file_msg(const uint8_t *buf, size_t len, uint8_t func, size_t *hlen,
                         const uint8_t **ext, size_t *ext_len)
{
	int rv;

	rv = uftp_msg_open(buf, len, func, UFTP_DONE_LEN, hlen);
	if (rv < 0)
		return rv;
	return uftp_msg_exts(buf, UFTP_DONE_LEN, *hlen, ext, ext_len);
}

static ssize_t encode_file_msg(uint8_t *out, size_t cap, uint8_t func, uint16_t file_id,
                               uint16_t word, const uint8_t *ext, size_t ext_len,
                               const uint8_t *body, size_t body_len)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_DONE_LEN, ext, ext_len, body_len, cap, &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, func, hlen);
	p = put_u16be(p, file_id);
	p = put_u16be(p, word);
	p = put_u16be(p, 0);
	p = uftp_msg_put_exts(out, p, ext, ext_len);
	put_bytes(p, body, body_len);
	return total;
}

ssize_t uftp_decode_done(struct uftp_done *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = open_file_msg(buf, len, UFTP_MSG_DONE, &hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	get_u16be(&dst->section, get_u16be(&dst->file_id, buf + 2));
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_done(uint8_t *out, size_t cap, const struct uftp_done *src)
{
	return encode_file_msg(out, cap, UFTP_MSG_DONE, src->file_id, src->section, src->ext,
	                       src->ext_len, src->ids.ptr, 4 * src->ids.count);
}

ssize_t uftp_decode_status(struct uftp_status *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = open_file_msg(buf, len, UFTP_MSG_STATUS, &hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	get_u16be(&dst->section, get_u16be(&dst->file_id, buf + 2));
	dst->naks_len = len - hlen;
	if (dst->naks_len > UFTP_MAX_NAK_LEN)
		return UFTP_ERR_BADLEN;
	dst->naks = dst->naks_len ? buf + hlen : NULL;
	return (ssize_t)len;
}

ssize_t uftp_encode_status(uint8_t *out, size_t cap, const struct uftp_status *src)
{
	if (src->naks_len > UFTP_MAX_NAK_LEN)
		return UFTP_ERR_INVALID;
	return encode_file_msg(out, cap, UFTP_MSG_STATUS, src->file_id, src->section, src->ext,
	                       src->ext_len, src->naks, src->naks_len);
}

ssize_t uftp_decode_complete(struct uftp_complete *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = open_file_msg(buf, len, UFTP_MSG_COMPLETE, &hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	get_u16be(&dst->file_id, buf + 2);
	dst->status = buf[4];
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_complete(uint8_t *out, size_t cap, const struct uftp_complete *src)
{
	/* Status sits in the high byte of the second 16-bit word. */
	return encode_file_msg(out, cap, UFTP_MSG_COMPLETE, src->file_id,
	                       (uint16_t)(src->status << 8), src->ext, src->ext_len, src->ids.ptr,
	                       4 * src->ids.count);
}

ssize_t uftp_decode_done_conf(struct uftp_done_conf *dst, const uint8_t *buf, size_t len)
{
	size_t hlen;
	int rv;

	rv = uftp_msg_open(buf, len, UFTP_MSG_DONE_CONF, UFTP_DONE_CONF_LEN, &hlen);
	if (rv == 0)
		rv = uftp_msg_exts(buf, UFTP_DONE_CONF_LEN, hlen, &dst->ext, &dst->ext_len);
	if (rv < 0)
		return rv;
	return uftp_msg_idlist(&dst->ids, buf, hlen, len);
}

ssize_t uftp_encode_done_conf(uint8_t *out, size_t cap, const struct uftp_done_conf *src)
{
	size_t hlen;
	uint8_t *p;
	ssize_t total;

	total = uftp_msg_plan(UFTP_DONE_CONF_LEN, src->ext, src->ext_len, 4 * src->ids.count, cap,
	                      &hlen);
	if (total < 0)
		return total;
	p = uftp_msg_put_start(out, UFTP_MSG_DONE_CONF, hlen);
	p = put_u16be(p, 0);
	p = uftp_msg_put_exts(out, p, src->ext, src->ext_len);
	put_bytes(p, src->ids.ptr, 4 * src->ids.count);
	return total;
}
