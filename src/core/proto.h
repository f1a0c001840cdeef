/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Protocol constants of UFTP 4.x (protocol.txt section 5.3), with the
 * corrections the real 4.10.2 binaries impose, each stated beside its
 * constant; the captures that settled them are in tests/vectors/.
 */
#ifndef UFTP_CORE_PROTO_H
#define UFTP_CORE_PROTO_H

/* protocol.txt says 0x30; every 4.x binary puts 0x40 on the wire. */
#define UFTP_VERSION       0x40
#define UFTP_HEADER_LEN    16   /* common header, bytes */
#define UFTP_PORT          1044 /* default UDP port */
#define UFTP_PUB_MCAST     "230.4.4.1"
#define UFTP_PRIV_MCAST    "230.5.5.x"
#define UFTP_RAND_LEN      32   /* server and client random numbers */
#define UFTP_MASTER_LEN    48   /* master secret and group master */
#define UFTP_PREMASTER_LEN 48   /* RSA premaster secret */
#define UFTP_VERIFY_LEN    12   /* KEYINFO_ACK verify data */
#define UFTP_FP_LEN        20   /* key fingerprint: SHA-1 of the key blob */
#define UFTP_MAX_BLOCK     8800 /* largest -b the reference accepts */
#define UFTP_MIN_BLOCK     512

enum uftp_msg_type {
	UFTP_MSG_ANNOUNCE = 1,
	UFTP_MSG_REGISTER = 2,
	UFTP_MSG_CLIENT_KEY = 3,
	UFTP_MSG_REG_CONF = 4,
	UFTP_MSG_KEYINFO = 5,
	UFTP_MSG_KEYINFO_ACK = 6,
	UFTP_MSG_FILEINFO = 7,
	UFTP_MSG_FILEINFO_ACK = 8,
	UFTP_MSG_FILESEG = 9,
	UFTP_MSG_DONE = 10,
	UFTP_MSG_STATUS = 11,
	UFTP_MSG_COMPLETE = 12,
	UFTP_MSG_DONE_CONF = 13,
	UFTP_MSG_HB_REQ = 14,
	UFTP_MSG_HB_RESP = 15,
	UFTP_MSG_KEY_REQ = 16,
	UFTP_MSG_PROXY_KEY = 17,
	UFTP_MSG_ENCRYPTED = 18,
	UFTP_MSG_ABORT = 19,
	UFTP_MSG_CONG_CTRL = 20,
	UFTP_MSG_CC_ACK = 21,
	UFTP_MSG_MAX = 21,
};

enum uftp_keytype {
	UFTP_KEY_NONE = 0,
	UFTP_KEY_DES = 1,
	UFTP_KEY_DES_EDE3 = 2,
	UFTP_KEY_AES128_CBC = 3,
	UFTP_KEY_AES256_CBC = 4,
	UFTP_KEY_AES128_GCM = 5,
	UFTP_KEY_AES256_GCM = 6,
	UFTP_KEY_AES128_CCM = 7,
	UFTP_KEY_AES256_CCM = 8,
};

enum uftp_hashtype {
	UFTP_HASH_NONE = 0,
	UFTP_HASH_MD5 = 1,
	UFTP_HASH_SHA1 = 2,
	UFTP_HASH_SHA256 = 3,
	UFTP_HASH_SHA384 = 4,
	UFTP_HASH_SHA512 = 5,
};

enum uftp_sigtype {
	UFTP_SIG_NONE = 0,
	UFTP_SIG_HMAC = 1,
	UFTP_SIG_KEYEX = 2,
	UFTP_SIG_AUTHENC = 3,
};

enum uftp_keyextype {
	UFTP_KEYEX_NONE = 0,
	UFTP_KEYEX_RSA = 1,
	UFTP_KEYEX_ECDH_RSA = 2,
	UFTP_KEYEX_ECDH_ECDSA = 3,
};

enum uftp_blobtype {
	UFTP_BLOB_NONE = 0,
	UFTP_BLOB_RSA = 1,
	UFTP_BLOB_EC = 2,
};

enum uftp_hb_auth {
	UFTP_HB_AUTH_FAILED = 0,
	UFTP_HB_AUTH_OK = 1,
	UFTP_HB_AUTH_CHALLENGE = 2,
};

enum uftp_ftype {
	UFTP_FTYPE_REG = 0,
	UFTP_FTYPE_DIR = 1,
	UFTP_FTYPE_LINK = 2,
	UFTP_FTYPE_DELETE = 3,
	UFTP_FTYPE_FREESPACE = 4,
};

enum uftp_comp_stat {
	UFTP_COMP_NORMAL = 0,
	UFTP_COMP_SKIPPED = 1,
	UFTP_COMP_OVERWRITE = 2,
	UFTP_COMP_REJECTED = 3,
};

enum uftp_ext_type {
	UFTP_EXT_ENC_INFO = 1,
	UFTP_EXT_TFMCC_DATA_INFO = 2,
	UFTP_EXT_TFMCC_ACK_INFO = 3,
	UFTP_EXT_PGMCC_DATA_INFO = 4,
	UFTP_EXT_PGMCC_NAK_INFO = 5,
	UFTP_EXT_PGMCC_ACK_INFO = 6,
	UFTP_EXT_FREESPACE_INFO = 7,
};

enum uftp_cc_type {
	UFTP_CC_NONE = 0,
	UFTP_CC_UFTP3 = 1,
	UFTP_CC_TFMCC = 2,
	UFTP_CC_PGMCC = 3,
};

/* Named curves, numbered as the protocol numbers them (not TLS's). */
enum uftp_curve {
	UFTP_CURVE_NONE = 0,
	UFTP_CURVE_SECT163K1 = 1,
	UFTP_CURVE_SECT163R1 = 2,
	UFTP_CURVE_SECT163R2 = 3,
	UFTP_CURVE_SECT193R1 = 4,
	UFTP_CURVE_SECT193R2 = 5,
	UFTP_CURVE_SECT233K1 = 6,
	UFTP_CURVE_SECT233R1 = 7,
	UFTP_CURVE_SECT239K1 = 8,
	UFTP_CURVE_SECT283K1 = 9,
	UFTP_CURVE_SECT283R1 = 10,
	UFTP_CURVE_SECT409K1 = 11,
	UFTP_CURVE_SECT409R1 = 12,
	UFTP_CURVE_SECT571K1 = 13,
	UFTP_CURVE_SECT571R1 = 14,
	UFTP_CURVE_SECP160K1 = 15,
	UFTP_CURVE_SECP160R1 = 16,
	UFTP_CURVE_SECP160R2 = 17,
	UFTP_CURVE_SECP192K1 = 18,
	UFTP_CURVE_SECP192R1 = 19, /* prime192v1 */
	UFTP_CURVE_SECP224K1 = 20,
	UFTP_CURVE_SECP224R1 = 21,
	UFTP_CURVE_SECP256K1 = 22,
	UFTP_CURVE_SECP256R1 = 23, /* prime256v1 */
	UFTP_CURVE_SECP384R1 = 24,
	UFTP_CURVE_SECP521R1 = 25,
	UFTP_CURVE_MAX = 25,
};

#endif
