/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the msg_*.c files of the wire codec.  Not part of the
 * public API (see msg.h); every function follows msg.h's conventions.
 */
#ifndef UFTP_CORE_MSG_INT_H
#define UFTP_CORE_MSG_INT_H

#include "core/bytes.h"
#include "core/err.h"
#include "core/msg.h"

/* Rounds n up to a multiple of 4. */
static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Opens a message body: checks len >= fixed (UFTP_ERR_TRUNCATED), the
 * Function byte (UFTP_ERR_BADVALUE), Header Length >= fixed
 * (UFTP_ERR_BADLEN) and <= len (UFTP_ERR_TRUNCATED).  Stores Header Length
 * in bytes in *hlen and returns 0.
 */
int uftp_msg_open(const uint8_t *buf, size_t len, uint8_t func, size_t fixed, size_t *hlen);

/*
 * Takes a variable field of n bytes at *off inside the header: UFTP_ERR_BADLEN
 * if it runs past hlen.  Sets the view (NULL when n is 0), advances *off,
 * returns 0.
 */
int uftp_msg_field(const uint8_t *buf, size_t *off, size_t n, size_t hlen, const uint8_t **ptr,
                   size_t *plen);

/*
 * Takes the extension area: from pad4(var_end) to hlen.  UFTP_ERR_BADLEN if
 * pad4(var_end) > hlen; errors of uftp_ext_validate.  Returns 0.
 */
int uftp_msg_exts(const uint8_t *buf, size_t var_end, size_t hlen, const uint8_t **ext,
                  size_t *ext_len);

/* For messages without a body: returns len if hlen == len, else UFTP_ERR_BADLEN. */
ssize_t uftp_msg_nobody(size_t hlen, size_t len);

/* Takes the body as an ID list: returns len, or UFTP_ERR_BADLEN if not a multiple of 4. */
ssize_t uftp_msg_idlist(struct uftp_idlist *l, const uint8_t *buf, size_t hlen, size_t len);

/* Checks a key blob filling a field of n bytes (n == 0 allowed if optional). */
int uftp_msg_blob(const uint8_t *p, size_t n, int optional);

/*
 * Plans an encoding: header of var_end bytes before padding, then ext_len
 * bytes of extensions (validated: UFTP_ERR_INVALID), then body bytes.
 * Stores the padded header length in *hlen (UFTP_ERR_INVALID over
 * UFTP_MAX_HLEN) and returns the total, or UFTP_ERR_NOSPACE over cap.
 */
ssize_t uftp_msg_plan(size_t var_end, const uint8_t *ext, size_t ext_len, size_t body, size_t cap,
                      size_t *hlen);

/* Writes zero padding from p up to out + pad4(p - out), then the extensions. */
uint8_t *uftp_msg_put_exts(uint8_t *out, uint8_t *p, const uint8_t *ext, size_t ext_len);

/* Writes Function and Header Length (hlen bytes, a multiple of 4). */
uint8_t *uftp_msg_put_start(uint8_t *out, uint8_t func, size_t hlen);

#endif
