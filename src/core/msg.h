/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UFTP 4.x wire codec (protocol.txt section 5, corrected by the real 4.10.2
 * binaries where they disagree: each correction is stated beside its
 * field below and in msg_*.c, and the captures that settled them are in
 * tests/vectors/, with their provenance in tests/vectors/README).
 *
 * Conventions shared by every function below:
 *
 *  - A datagram is a 16-byte UFTP header (uftp_decode_header) followed by a
 *    message body.  Body decoders take the body only: buf points at the
 *    Function byte (or, for ENCRYPTED, at the IV counter) and len is the
 *    number of bytes up to the end of the datagram.
 *  - Decoders never copy and never allocate.  Every pointer they store in
 *    *dst is a view into buf (or NULL with length 0) and stays valid only as
 *    long as the caller keeps buf alive and unchanged.  On error *dst is left
 *    in an unspecified state.
 *  - Decoders return the number of bytes consumed (always len for a message
 *    body: trailing bytes are an error), or a negative enum uftp_err:
 *      UFTP_ERR_TRUNCATED   len is shorter than the fixed part, or than what
 *                           the Header Length / a length field announces;
 *      UFTP_ERR_BADLEN      a length field is inconsistent (header length
 *                           smaller than the fixed part, list not a multiple
 *                           of its item size, extension overrun, zero-length
 *                           extension, key blob length mismatch, trailing
 *                           bytes after a message that has no body...);
 *      UFTP_ERR_BADVALUE    the Function byte is not this message's, or a
 *                           field holds a forbidden value;
 *      UFTP_ERR_UNKNOWN_TYPE  unknown key blob type or curve.
 *  - Reserved fields and padding are ignored on input and written as zero on
 *    output, so encode(decode(x)) == x byte for byte for well-formed x.
 *  - Encoders write into out (capacity cap) and return the number of bytes
 *    written, UFTP_ERR_NOSPACE if cap is too small (nothing useful is left in
 *    out then), or UFTP_ERR_INVALID if *src cannot be represented (a length
 *    too large for its field, a header longer than 1020 bytes, a malformed
 *    extension area...).  They never keep a pointer to src or out.
 *  - Header Length fields are computed by the encoders, never taken from src.
 */
#ifndef UFTP_CORE_MSG_H
#define UFTP_CORE_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/proto.h"

/* Sizes of the fixed parts, in bytes (protocol.txt 5.2). */
#define UFTP_ANNOUNCE_LEN     16 /* plus two addresses */
#define UFTP_REGISTER_LEN     44
#define UFTP_CLIENT_KEY_LEN   8
#define UFTP_REG_CONF_LEN     4
#define UFTP_KEYINFO_LEN      12
#define UFTP_KEYINFO_ACK_LEN  16
#define UFTP_FILEINFO_LEN     28
#define UFTP_FILEINFO_ACK_LEN 16
#define UFTP_FILESEG_LEN      8
#define UFTP_DONE_LEN         8
#define UFTP_STATUS_LEN       8
#define UFTP_COMPLETE_LEN     8
#define UFTP_DONE_CONF_LEN    4
#define UFTP_ABORT_LEN        308
#define UFTP_HB_REQ_LEN       12
#define UFTP_HB_RESP_LEN      8
#define UFTP_KEY_REQ_LEN      4
#define UFTP_PROXY_KEY_LEN    12
#define UFTP_CONG_CTRL_LEN    16
#define UFTP_CC_ACK_LEN       4
#define UFTP_ENCRYPTED_LEN    12

#define UFTP_MAX_HLEN            1020 /* 8-bit Header Length in 4-byte words */
#define UFTP_ABORT_TEXT_LEN      300  /* ABORT Message field */
#define UFTP_DESTKEY_LEN         52   /* KEYINFO item: client ID + group master */
#define UFTP_GROUPMASTER_ENC_LEN 48
#define UFTP_CC_ITEM_LEN         8                 /* CONG_CTRL item */
#define UFTP_MAX_NAK_LEN         UFTP_MAX_BLOCK    /* a section's bitmap fits one block */
#define UFTP_MAX_FILESIZE        0xffffffffffffULL /* 48-bit File Size */

/* Typed extension sizes, in bytes. */
#define UFTP_EXT_ENC_INFO_LEN        44 /* plus key blobs and signature */
#define UFTP_EXT_TFMCC_DATA_INFO_LEN 8
#define UFTP_EXT_TFMCC_ACK_INFO_LEN  20
#define UFTP_EXT_FREESPACE_INFO_LEN  12

/* Flag bits. */
#define UFTP_ANNOUNCE_SYNC_MODE    0x01
#define UFTP_ANNOUNCE_SYNC_PREVIEW 0x02
#define UFTP_ANNOUNCE_IPV6         0x04
#define UFTP_ENC_INFO_CLIENT_AUTH  0x01
#define UFTP_FILEINFO_ACK_PARTIAL  0x01
#define UFTP_ABORT_CURRENT_FILE    0x01
#define UFTP_CC_CLR                0x01
#define UFTP_CC_RTT                0x02
#define UFTP_CC_START              0x04
#define UFTP_CC_LEAVE              0x08

/* ---- common header ---------------------------------------------------- */

/* The 16-byte UFTP header.  The version byte is checked, not stored. */
struct uftp_header {
	uint8_t func;       /* UFTP_MSG_*; UFTP_MSG_ENCRYPTED if encrypted */
	uint16_t seq;       /* sequence number */
	uint32_t src_id;    /* sender's ID */
	uint32_t group_id;  /* session ID */
	uint8_t group_inst; /* session retry instance */
	uint8_t grtt;       /* quantized GRTT (quant.h) */
	uint8_t gsize;      /* quantized group size (quant.h) */
};

/*
 * Decodes the UFTP header at the start of a datagram.  Returns
 * UFTP_HEADER_LEN (the body starts there), UFTP_ERR_TRUNCATED if len < 16,
 * UFTP_ERR_VERSION if the first byte is not UFTP_VERSION, or
 * UFTP_ERR_UNKNOWN_TYPE if the function is not 1..UFTP_MSG_MAX.
 */
ssize_t uftp_decode_header(struct uftp_header *dst, const uint8_t *buf, size_t len);

/*
 * Writes the header (version UFTP_VERSION, reserved 0).  Returns 16,
 * UFTP_ERR_NOSPACE, or UFTP_ERR_INVALID if src->func is not 1..UFTP_MSG_MAX.
 */
ssize_t uftp_encode_header(uint8_t *out, size_t cap, const struct uftp_header *src);

/*
 * Returns the function code (1..UFTP_MSG_MAX) stored in the first byte of a
 * decrypted or unencrypted message body, for dispatch; UFTP_ERR_TRUNCATED
 * if len is 0, UFTP_ERR_UNKNOWN_TYPE for any other value.  An ENCRYPTED body
 * carries no function byte: dispatch it on the header's func instead.
 */
int uftp_msg_func(const uint8_t *body, size_t len);

/* Returns the protocol name of a function code ("ANNOUNCE"...), or "?"; never NULL. */
const char *uftp_msg_name(int func);

/* ---- lists ------------------------------------------------------------ */

/* A view of count big-endian 32-bit client IDs (ptr may be NULL if count is 0). */
struct uftp_idlist {
	const uint8_t *ptr;
	size_t count;
};

/* Returns the i-th ID of the list; i must be < l->count (not checked). */
uint32_t uftp_idlist_get(const struct uftp_idlist *l, size_t i);

/* 1 if host-order id is in the list, else 0. */
int uftp_idlist_has(const struct uftp_idlist *l, uint32_t id);

/*
 * Packs n host-order IDs into out as big-endian words, for building a list
 * to encode.  Returns 4*n or UFTP_ERR_NOSPACE.
 */
ssize_t uftp_idlist_pack(uint8_t *out, size_t cap, const uint32_t *ids, size_t n);

/* ---- header extensions ------------------------------------------------ */

/* One extension: its type and the whole of it (type and length bytes included). */
struct uftp_ext {
	uint8_t type;
	const uint8_t *ptr;
	size_t len; /* Extension Length * 4 */
};

/* Cursor over an extension area; initialise with uftp_ext_iter_init. */
struct uftp_ext_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/* Starts iterating over the len bytes at exts (borrowed, must outlive it). */
void uftp_ext_iter_init(struct uftp_ext_iter *it, const uint8_t *exts, size_t len);

/*
 * Stores the next extension in *ext and returns 1, or returns 0 at the end.
 * Errors: UFTP_ERR_TRUNCATED (fewer than 2 bytes left), UFTP_ERR_BADLEN (zero
 * Extension Length, or an extension running past the end of the area).
 * After an error the iterator stays at the bad extension.
 */
int uftp_ext_next(struct uftp_ext_iter *it, struct uftp_ext *ext);

/*
 * Checks that exts/len is a well-formed extension area (sequence of
 * extensions exactly filling len, unknown types allowed).  Returns the number
 * of extensions or an error of uftp_ext_next.
 */
ssize_t uftp_ext_validate(const uint8_t *exts, size_t len);

/*
 * Finds the first extension of the given type.  Returns 1 and fills *ext,
 * 0 if absent, or an error of uftp_ext_next.
 */
int uftp_ext_find(const uint8_t *exts, size_t len, uint8_t type, struct uftp_ext *ext);

/* EXT_ENC_INFO (ANNOUNCE): session encryption parameters. */
struct uftp_ext_enc_info {
	uint8_t flags;         /* UFTP_ENC_INFO_CLIENT_AUTH */
	uint8_t keyextype;     /* enum uftp_keyextype, 4 bits */
	uint8_t sigtype;       /* enum uftp_sigtype, 4 bits */
	uint8_t keytype;       /* enum uftp_keytype */
	uint8_t hashtype;      /* enum uftp_hashtype */
	const uint8_t *rand;   /* UFTP_RAND_LEN bytes: server random */
	const uint8_t *pubkey; /* server's RSA/EC key blob */
	size_t pubkey_len;
	const uint8_t *dhkey; /* server's ephemeral ECDH key blob, may be empty */
	size_t dhkey_len;
	const uint8_t *sig; /* signature over the packet, may be empty */
	size_t sig_len;
};

/* EXT_TFMCC_DATA_INFO (FILESEG). */
struct uftp_ext_tfmcc_data_info {
	uint16_t send_rate; /* quantized send rate, as on the wire */
	uint16_t cc_seq;
	uint16_t cc_rate;
};

/* EXT_TFMCC_ACK_INFO (STATUS, CC_ACK). */
struct uftp_ext_tfmcc_ack_info {
	uint8_t flags; /* UFTP_CC_* */
	uint16_t cc_seq;
	uint16_t cc_rate;
	uint32_t client_id;
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
};

/* EXT_FREESPACE_INFO (COMPLETE). */
struct uftp_ext_freespace_info {
	uint64_t freespace; /* bytes */
};

/*
 * Typed extension decoders: buf points at the Extension Type byte, len is
 * what is left of the extension area.  They return the extension's length
 * in bytes, or UFTP_ERR_TRUNCATED (len shorter than the fixed part or than
 * Extension Length says), UFTP_ERR_BADLEN (Extension Length not the size the
 * type requires; for ENC_INFO: not the 4-byte-padded sum of its parts, or a
 * key blob whose own length disagrees with its field), UFTP_ERR_BADVALUE
 * (wrong Extension Type; ENC_INFO with RSA key exchange and a DH key), or
 * for ENC_INFO any error of uftp_decode_keyblob.  Views in *dst point
 * into buf.
 */
ssize_t uftp_decode_ext_enc_info(struct uftp_ext_enc_info *dst, const uint8_t *buf, size_t len);
ssize_t uftp_decode_ext_tfmcc_data_info(struct uftp_ext_tfmcc_data_info *dst, const uint8_t *buf,
                                        size_t len);
ssize_t uftp_decode_ext_tfmcc_ack_info(struct uftp_ext_tfmcc_ack_info *dst, const uint8_t *buf,
                                       size_t len);
ssize_t uftp_decode_ext_freespace_info(struct uftp_ext_freespace_info *dst, const uint8_t *buf,
                                       size_t len);

/*
 * Typed extension encoders: write one extension, padded with zeros to a
 * multiple of 4.  Return its length, UFTP_ERR_NOSPACE, or UFTP_ERR_INVALID
 * (ENC_INFO: 4-bit fields out of range, rand NULL, or longer than 1020 bytes).
 */
ssize_t uftp_encode_ext_enc_info(uint8_t *out, size_t cap, const struct uftp_ext_enc_info *src);
ssize_t uftp_encode_ext_tfmcc_data_info(uint8_t *out, size_t cap,
                                        const struct uftp_ext_tfmcc_data_info *src);
ssize_t uftp_encode_ext_tfmcc_ack_info(uint8_t *out, size_t cap,
                                       const struct uftp_ext_tfmcc_ack_info *src);
ssize_t uftp_encode_ext_freespace_info(uint8_t *out, size_t cap,
                                       const struct uftp_ext_freespace_info *src);

/* ---- key blobs -------------------------------------------------------- */

/* An RSA (type 1) or EC (type 2) public key blob; fields of the other type are 0/NULL. */
struct uftp_keyblob {
	uint8_t type;           /* UFTP_BLOB_RSA or UFTP_BLOB_EC */
	uint32_t exponent;      /* RSA public exponent */
	const uint8_t *modulus; /* RSA modulus, big-endian */
	size_t modulus_len;
	uint8_t curve;        /* enum uftp_curve */
	const uint8_t *point; /* EC public key as the blob stores it */
	size_t point_len;
};

/*
 * Decodes a key blob occupying exactly len bytes at buf (the length comes
 * from the enclosing message's key length field).  An EC blob may carry up
 * to 3 bytes of zero padding to a 4-byte boundary, as the reference sends
 * it; its point_len excludes them.  Returns len, or
 * UFTP_ERR_TRUNCATED (len below the blob's fixed part or its key length),
 * UFTP_ERR_BADLEN (empty key, or bytes left after the key and its padding),
 * UFTP_ERR_BADVALUE (non-zero EC padding),
 * UFTP_ERR_UNKNOWN_TYPE (blob type not RSA/EC, curve not 1..UFTP_CURVE_MAX).
 */
ssize_t uftp_decode_keyblob(struct uftp_keyblob *dst, const uint8_t *buf, size_t len);

/*
 * Writes a key blob (an EC blob zero-padded to a multiple of 4 bytes, like
 * the reference).  Returns its length, UFTP_ERR_NOSPACE, or
 * UFTP_ERR_INVALID (unknown type or curve, empty key or key over 65535 bytes).
 */
ssize_t uftp_encode_keyblob(uint8_t *out, size_t cap, const struct uftp_keyblob *src);

/* ---- messages --------------------------------------------------------- */

/*
 * Every message struct below has ext/ext_len: a view of its header
 * extension area, validated by the decoder (see uftp_ext_next) and copied
 * verbatim by the encoder (which validates it too: UFTP_ERR_INVALID).
 * Build one with the uftp_encode_ext_* functions.
 */

/* ENCRYPTED (18): the envelope only; payload is still encrypted. */
struct uftp_encrypted {
	uint64_t iv_ctr;
	const uint8_t *sig;
	size_t sig_len;
	const uint8_t *payload;
	size_t payload_len;
};

/* An IPv4 or IPv6 address as the wire carries it. */
struct uftp_ipaddr {
	uint8_t family;   /* 4 or 6 */
	uint8_t addr[16]; /* network order; 4 bytes used for IPv4 */
};

/* ANNOUNCE (1). */
struct uftp_announce {
	uint8_t flags; /* UFTP_ANNOUNCE_*; IPV6 selects the address size */
	uint8_t robust;
	uint8_t cc_type; /* enum uftp_cc_type */
	uint16_t block_size;
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
	struct uftp_ipaddr pub_addr;
	struct uftp_ipaddr priv_addr;
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids; /* closed group members */
};

/* REGISTER (2). */
struct uftp_register {
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
	const uint8_t *rand;    /* UFTP_RAND_LEN bytes: client random */
	const uint8_t *keyinfo; /* encrypted premaster or ECDH key blob; may be empty */
	size_t keyinfo_len;
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids; /* clients a proxy relays for */
};

/* CLIENT_KEY (3). */
struct uftp_client_key {
	const uint8_t *pubkey; /* key blob */
	size_t pubkey_len;
	const uint8_t *verify; /* signed verify data */
	size_t verify_len;
	const uint8_t *ext;
	size_t ext_len;
};

/* REG_CONF (4). */
struct uftp_reg_conf {
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* One KEYINFO item. */
struct uftp_destkey {
	uint32_t client_id;
	const uint8_t *groupmaster; /* UFTP_GROUPMASTER_ENC_LEN bytes, encrypted */
};

/* KEYINFO (5). */
struct uftp_keyinfo {
	uint64_t iv_ctr;
	const uint8_t *ext;
	size_t ext_len;
	const uint8_t *keys; /* key_count items of UFTP_DESTKEY_LEN bytes */
	size_t key_count;
};

/* Returns the i-th item of a decoded KEYINFO; i must be < key_count (not checked). */
struct uftp_destkey uftp_keyinfo_get(const struct uftp_keyinfo *ki, size_t i);

/* KEYINFO_ACK (6). */
struct uftp_keyinfo_ack {
	const uint8_t *verify; /* UFTP_VERIFY_LEN bytes */
	const uint8_t *ext;
	size_t ext_len;
};

/* FILEINFO (7). */
struct uftp_fileinfo {
	uint16_t file_id;
	uint8_t ftype;       /* enum uftp_ftype */
	const uint8_t *name; /* path, without its NUL padding */
	size_t name_len;
	const uint8_t *link; /* link target, without padding; may be empty */
	size_t link_len;
	uint64_t fsize; /* 48 bits */
	uint32_t ftstamp;
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* FILEINFO_ACK (8). */
struct uftp_fileinfo_ack {
	uint16_t file_id;
	uint8_t flags; /* UFTP_FILEINFO_ACK_PARTIAL */
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* FILESEG (9). */
struct uftp_fileseg {
	uint16_t file_id;
	uint16_t section;
	uint16_t block; /* block number within the section */
	const uint8_t *ext;
	size_t ext_len;
	const uint8_t *data;
	size_t data_len;
};

/* DONE (10). */
struct uftp_done {
	uint16_t file_id; /* 0: end of session */
	uint16_t section;
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* STATUS (11). */
struct uftp_status {
	uint16_t file_id;
	uint16_t section;
	const uint8_t *ext;
	size_t ext_len;
	const uint8_t *naks; /* NAK bitmap, at most UFTP_MAX_NAK_LEN bytes */
	size_t naks_len;
};

/* COMPLETE (12). */
struct uftp_complete {
	uint16_t file_id;
	uint8_t status; /* enum uftp_comp_stat */
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* DONE_CONF (13). */
struct uftp_done_conf {
	const uint8_t *ext;
	size_t ext_len;
	struct uftp_idlist ids;
};

/* ABORT (19). */
struct uftp_abort {
	uint8_t flags;       /* UFTP_ABORT_CURRENT_FILE */
	uint32_t host;       /* client ID, 0 for all / self */
	const uint8_t *text; /* reason, up to the first NUL; at most 300 bytes */
	size_t text_len;
	const uint8_t *ext;
	size_t ext_len;
};

/* HB_REQ (14). */
struct uftp_hb_req {
	uint32_t nonce;
	const uint8_t *pubkey; /* key blob, may be empty */
	size_t pubkey_len;
	const uint8_t *sig; /* signed nonce, may be empty */
	size_t sig_len;
	const uint8_t *ext;
	size_t ext_len;
};

/* HB_RESP (15). */
struct uftp_hb_resp {
	uint8_t authenticated; /* enum uftp_hb_auth */
	uint32_t nonce;
	const uint8_t *ext;
	size_t ext_len;
};

/* KEY_REQ (16). */
struct uftp_key_req {
	const uint8_t *ext;
	size_t ext_len;
};

/* PROXY_KEY (17). */
struct uftp_proxy_key {
	uint32_t nonce;
	const uint8_t *pubkey; /* key blob */
	size_t pubkey_len;
	const uint8_t *dhkey; /* key blob, may be empty */
	size_t dhkey_len;
	const uint8_t *sig; /* signed nonce */
	size_t sig_len;
	const uint8_t *ext;
	size_t ext_len;
};

/* One CONG_CTRL item. */
struct uftp_cc_item {
	uint32_t client_id;
	uint8_t flags; /* UFTP_CC_* */
	uint8_t rtt;   /* quantized RTT */
};

/* CONG_CTRL (20). */
struct uftp_cong_ctrl {
	uint16_t cc_seq;
	uint16_t cc_rate;
	uint32_t tstamp_sec;
	uint32_t tstamp_usec;
	const uint8_t *ext;
	size_t ext_len;
	const uint8_t *items; /* item_count items of UFTP_CC_ITEM_LEN bytes */
	size_t item_count;
};

/* Returns the i-th item of a decoded CONG_CTRL; i must be < item_count (not checked). */
struct uftp_cc_item uftp_cong_ctrl_get(const struct uftp_cong_ctrl *cc, size_t i);

/*
 * Packs n items into out in wire form, for building a CONG_CTRL.  Returns
 * 8*n or UFTP_ERR_NOSPACE.
 */
ssize_t uftp_cc_items_pack(uint8_t *out, size_t cap, const struct uftp_cc_item *items, size_t n);

/* CC_ACK (21). */
struct uftp_cc_ack {
	const uint8_t *ext;
	size_t ext_len;
};

/*
 * Message decoders and encoders, one pair per message; see the conventions
 * at the top of this file for ownership and the common errors.  Specific
 * checks:
 *  - announce: the IPV6 flag sets both addresses' size (16 or 4 bytes);
 *    encoder: UFTP_ERR_INVALID if an address family disagrees with it;
 *  - register/client_key/hb_req/proxy_key: the variable key fields must fit
 *    inside Header Length (UFTP_ERR_BADLEN), key blobs must decode and fill
 *    their field (uftp_decode_keyblob errors, UFTP_ERR_BADLEN);
 *  - keyinfo: body not a multiple of 52 bytes: UFTP_ERR_BADLEN;
 *  - fileinfo: Name Length 0, name not NUL-free before its padding or
 *    empty, name/link running past Header Length: UFTP_ERR_BADLEN /
 *    UFTP_ERR_BADVALUE; encoder: empty or NUL-containing name, name/link
 *    over 1020 bytes, fsize over 48 bits: UFTP_ERR_INVALID;
 *  - status: NAK bitmap over UFTP_MAX_NAK_LEN: UFTP_ERR_BADLEN;
 *  - abort: text over 300 bytes: UFTP_ERR_INVALID (encoder);
 *  - cong_ctrl: body not a multiple of 8: UFTP_ERR_BADLEN;
 *  - ID lists: body not a multiple of 4: UFTP_ERR_BADLEN;
 *  - encrypted: 12 + sig_len + payload_len must equal len
 *    (UFTP_ERR_TRUNCATED if larger, UFTP_ERR_BADLEN if smaller), lengths
 *    over 65535: UFTP_ERR_INVALID (encoder).
 */
ssize_t uftp_decode_encrypted(struct uftp_encrypted *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_encrypted(uint8_t *out, size_t cap, const struct uftp_encrypted *src);
ssize_t uftp_decode_announce(struct uftp_announce *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_announce(uint8_t *out, size_t cap, const struct uftp_announce *src);
ssize_t uftp_decode_register(struct uftp_register *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_register(uint8_t *out, size_t cap, const struct uftp_register *src);
ssize_t uftp_decode_client_key(struct uftp_client_key *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_client_key(uint8_t *out, size_t cap, const struct uftp_client_key *src);
ssize_t uftp_decode_reg_conf(struct uftp_reg_conf *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_reg_conf(uint8_t *out, size_t cap, const struct uftp_reg_conf *src);
ssize_t uftp_decode_keyinfo(struct uftp_keyinfo *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_keyinfo(uint8_t *out, size_t cap, const struct uftp_keyinfo *src);
ssize_t uftp_decode_keyinfo_ack(struct uftp_keyinfo_ack *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_keyinfo_ack(uint8_t *out, size_t cap, const struct uftp_keyinfo_ack *src);
ssize_t uftp_decode_fileinfo(struct uftp_fileinfo *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_fileinfo(uint8_t *out, size_t cap, const struct uftp_fileinfo *src);
ssize_t uftp_decode_fileinfo_ack(struct uftp_fileinfo_ack *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_fileinfo_ack(uint8_t *out, size_t cap, const struct uftp_fileinfo_ack *src);
ssize_t uftp_decode_fileseg(struct uftp_fileseg *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_fileseg(uint8_t *out, size_t cap, const struct uftp_fileseg *src);
ssize_t uftp_decode_done(struct uftp_done *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_done(uint8_t *out, size_t cap, const struct uftp_done *src);
ssize_t uftp_decode_status(struct uftp_status *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_status(uint8_t *out, size_t cap, const struct uftp_status *src);
ssize_t uftp_decode_complete(struct uftp_complete *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_complete(uint8_t *out, size_t cap, const struct uftp_complete *src);
ssize_t uftp_decode_done_conf(struct uftp_done_conf *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_done_conf(uint8_t *out, size_t cap, const struct uftp_done_conf *src);
ssize_t uftp_decode_abort(struct uftp_abort *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_abort(uint8_t *out, size_t cap, const struct uftp_abort *src);
ssize_t uftp_decode_hb_req(struct uftp_hb_req *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_hb_req(uint8_t *out, size_t cap, const struct uftp_hb_req *src);
ssize_t uftp_decode_hb_resp(struct uftp_hb_resp *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_hb_resp(uint8_t *out, size_t cap, const struct uftp_hb_resp *src);
ssize_t uftp_decode_key_req(struct uftp_key_req *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_key_req(uint8_t *out, size_t cap, const struct uftp_key_req *src);
ssize_t uftp_decode_proxy_key(struct uftp_proxy_key *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_proxy_key(uint8_t *out, size_t cap, const struct uftp_proxy_key *src);
ssize_t uftp_decode_cong_ctrl(struct uftp_cong_ctrl *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_cong_ctrl(uint8_t *out, size_t cap, const struct uftp_cong_ctrl *src);
ssize_t uftp_decode_cc_ack(struct uftp_cc_ack *dst, const uint8_t *buf, size_t len);
ssize_t uftp_encode_cc_ack(uint8_t *out, size_t cap, const struct uftp_cc_ack *src);

/* ---- generic dispatch ------------------------------------------------- */

/* Any decoded message body, tagged with its function code. */
struct uftp_msg {
	uint8_t func; /* UFTP_MSG_* */
	union {
		struct uftp_encrypted encrypted;
		struct uftp_announce announce;
		struct uftp_register reg;
		struct uftp_client_key client_key;
		struct uftp_reg_conf reg_conf;
		struct uftp_keyinfo keyinfo;
		struct uftp_keyinfo_ack keyinfo_ack;
		struct uftp_fileinfo fileinfo;
		struct uftp_fileinfo_ack fileinfo_ack;
		struct uftp_fileseg fileseg;
		struct uftp_done done;
		struct uftp_status status;
		struct uftp_complete complete;
		struct uftp_done_conf done_conf;
		struct uftp_abort abort;
		struct uftp_hb_req hb_req;
		struct uftp_hb_resp hb_resp;
		struct uftp_key_req key_req;
		struct uftp_proxy_key proxy_key;
		struct uftp_cong_ctrl cong_ctrl;
		struct uftp_cc_ack cc_ack;
	} u;
};

/*
 * Decodes a message body of function func (from the UFTP header for
 * ENCRYPTED, from uftp_msg_func otherwise) into dst->u and sets dst->func.
 * Returns what the specific decoder returns, or UFTP_ERR_UNKNOWN_TYPE for
 * an unknown func.  Views point into buf.
 */
ssize_t uftp_decode_msg(struct uftp_msg *dst, uint8_t func, const uint8_t *buf, size_t len);

/* Encodes src->u according to src->func; errors as the specific encoder, or UFTP_ERR_INVALID. */
ssize_t uftp_encode_msg(uint8_t *out, size_t cap, const struct uftp_msg *src);

#endif
