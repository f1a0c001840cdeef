/* SPDX-License-Identifier: BSD-2-Clause */
/* Decoding and encoding any message body by its function code. */
#include "config.h"

#include "core/msg_int.h"

typedef ssize_t (*decode_fn)(struct uftp_msg *m, const uint8_t *buf, size_t len);
typedef ssize_t (*encode_fn)(uint8_t *out, size_t cap, const struct uftp_msg *m);

#define WRAP(name, field)                                                                          \
	static ssize_t dec_##name(struct uftp_msg *m, const uint8_t *buf, size_t len)              \
	{                                                                                          \
		return uftp_decode_##name(&m->u.field, buf, len);                                  \
	}                                                                                          \
	static ssize_t enc_##name(uint8_t *out, size_t cap, const struct uftp_msg *m)              \
	{                                                                                          \
		return uftp_encode_##name(out, cap, &m->u.field);                                  \
	}

WRAP(announce, announce)
WRAP(register, reg)
WRAP(client_key, client_key)
WRAP(reg_conf, reg_conf)
WRAP(keyinfo, keyinfo)
WRAP(keyinfo_ack, keyinfo_ack)
WRAP(fileinfo, fileinfo)
WRAP(fileinfo_ack, fileinfo_ack)
WRAP(fileseg, fileseg)
WRAP(done, done)
WRAP(status, status)
WRAP(complete, complete)
WRAP(done_conf, done_conf)
WRAP(hb_req, hb_req)
WRAP(hb_resp, hb_resp)
WRAP(key_req, key_req)
WRAP(proxy_key, proxy_key)
WRAP(encrypted, encrypted)
WRAP(abort, abort)
WRAP(cong_ctrl, cong_ctrl)
WRAP(cc_ack, cc_ack)

#define ENTRY(name)                                                                                \
	{                                                                                          \
		dec_##name, enc_##name                                                             \
	}

static const struct {
	decode_fn dec;
	encode_fn enc;
} codecs[UFTP_MSG_MAX + 1] = {
    [UFTP_MSG_ANNOUNCE] = ENTRY(announce),     [UFTP_MSG_REGISTER] = ENTRY(register),
    [UFTP_MSG_CLIENT_KEY] = ENTRY(client_key), [UFTP_MSG_REG_CONF] = ENTRY(reg_conf),
    [UFTP_MSG_KEYINFO] = ENTRY(keyinfo),       [UFTP_MSG_KEYINFO_ACK] = ENTRY(keyinfo_ack),
    [UFTP_MSG_FILEINFO] = ENTRY(fileinfo),     [UFTP_MSG_FILEINFO_ACK] = ENTRY(fileinfo_ack),
    [UFTP_MSG_FILESEG] = ENTRY(fileseg),       [UFTP_MSG_DONE] = ENTRY(done),
    [UFTP_MSG_STATUS] = ENTRY(status),         [UFTP_MSG_COMPLETE] = ENTRY(complete),
    [UFTP_MSG_DONE_CONF] = ENTRY(done_conf),   [UFTP_MSG_HB_REQ] = ENTRY(hb_req),
    [UFTP_MSG_HB_RESP] = ENTRY(hb_resp),       [UFTP_MSG_KEY_REQ] = ENTRY(key_req),
    [UFTP_MSG_PROXY_KEY] = ENTRY(proxy_key),   [UFTP_MSG_ENCRYPTED] = ENTRY(encrypted),
    [UFTP_MSG_ABORT] = ENTRY(abort),           [UFTP_MSG_CONG_CTRL] = ENTRY(cong_ctrl),
    [UFTP_MSG_CC_ACK] = ENTRY(cc_ack),
};

ssize_t uftp_decode_msg(struct uftp_msg *dst, uint8_t func, const uint8_t *buf, size_t len)
{
	if (func < 1 || func > UFTP_MSG_MAX)
		return UFTP_ERR_UNKNOWN_TYPE;
	dst->func = func;
	return codecs[func].dec(dst, buf, len);
}

ssize_t uftp_encode_msg(uint8_t *out, size_t cap, const struct uftp_msg *src)
{
	if (src->func < 1 || src->func > UFTP_MSG_MAX)
		return UFTP_ERR_INVALID;
	return codecs[src->func].enc(out, cap, src);
}
