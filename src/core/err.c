/* SPDX-License-Identifier: BSD-2-Clause */
#include "core/err.h"

const char *uftp_strerror(int err)
{
	switch (err) {
	case UFTP_OK: return "success";
	case UFTP_ERR_TRUNCATED: return "truncated input";
	case UFTP_ERR_BADLEN: return "inconsistent length field";
	case UFTP_ERR_BADVALUE: return "invalid field value";
	case UFTP_ERR_VERSION: return "unsupported protocol version";
	case UFTP_ERR_UNKNOWN_TYPE: return "unknown type";
	case UFTP_ERR_NOSPACE: return "output buffer too small";
	case UFTP_ERR_CRYPTO: return "crypto library failure";
	case UFTP_ERR_AUTH: return "authentication failed";
	case UFTP_ERR_UNSUPPORTED: return "not supported";
	case UFTP_ERR_NOMEM: return "out of memory";
	case UFTP_ERR_IO: return "I/O error";
	case UFTP_ERR_KEYFILE: return "invalid key file";
	case UFTP_ERR_EXISTS: return "file exists";
	case UFTP_ERR_STATE: return "invalid in current state";
	case UFTP_ERR_REPLAY: return "replayed message";
	case UFTP_ERR_INVALID: return "invalid argument";
	case UFTP_ERR_TOOBIG: return "file too large for the block size";
	default: return "unknown error";
	}
}
