/* SPDX-License-Identifier: BSD-2-Clause */
/* Error codes shared by every layer of the suite. */
#ifndef UFTP_CORE_ERR_H
#define UFTP_CORE_ERR_H

/*
 * Every fallible function returns a negative member of this enum on failure
 * (or NULL plus one of these through an out-parameter).  Zero or a positive
 * count means success.
 */
enum uftp_err {
	UFTP_OK = 0,
	UFTP_ERR_TRUNCATED = -1,    /* input shorter than its fixed part */
	UFTP_ERR_BADLEN = -2,       /* a length field disagrees with the data */
	UFTP_ERR_BADVALUE = -3,     /* a field holds a value the spec forbids */
	UFTP_ERR_VERSION = -4,      /* unknown protocol version byte */
	UFTP_ERR_UNKNOWN_TYPE = -5, /* unknown message, key, hash, curve... */
	UFTP_ERR_NOSPACE = -6,      /* output buffer too small */
	UFTP_ERR_CRYPTO = -7,       /* a crypto library call failed */
	UFTP_ERR_AUTH = -8,         /* signature, HMAC or AEAD tag mismatch */
	UFTP_ERR_UNSUPPORTED = -9,  /* valid but not available here */
	UFTP_ERR_NOMEM = -10,       /* allocation failed */
	UFTP_ERR_IO = -11,          /* file or socket error (see errno) */
	UFTP_ERR_KEYFILE = -12,     /* key file missing, unreadable or invalid */
	UFTP_ERR_EXISTS = -13,      /* refusing to overwrite an existing file */
	UFTP_ERR_STATE = -14,       /* call not valid in the current state */
	UFTP_ERR_REPLAY = -15,      /* counter or nonce already seen */
	UFTP_ERR_INVALID = -16,     /* bad argument from the caller */
	UFTP_ERR_TOOBIG = -17,      /* a file too large for the protocol at this block size */
};

/* Returns a static, human-readable description of an error code; never NULL. */
const char *uftp_strerror(int err);

#endif
