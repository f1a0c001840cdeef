/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entries of the member lists given on the command line or in files:
 *   uftp -H, -j and uftpproxyd -C:  ID[|fingerprint]
 *   uftpd / uftpproxyd -S:          ID|IP[|fingerprint]
 *   uftpd -R:                       host[/fingerprint]
 * An ID is "0xnnnnnnnn" or a dotted-quad; a fingerprint is the key's SHA-1
 * digest as 20 colon-separated hex bytes ("66:1E:...:BC"), as uftp_keymgt
 * prints it. Pure functions: no I/O, no name lookups.
 */
#ifndef UFTP_LIB_HOSTLIST_H
#define UFTP_LIB_HOSTLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/proto.h" /* UFTP_FP_LEN */
#include "lib/addr.h"

struct uftp_hostent {
	uint32_t id;           /* member ID, host order */
	struct uftp_addr addr; /* AF_UNSPEC unless the entry has an IP */
	int has_fp;            /* 1 when fp holds a fingerprint */
	uint8_t fp[UFTP_FP_LEN];
};

#define UFTP_FP_STRLEN (UFTP_FP_LEN * 3) /* "AA:..:BB" plus NUL */

/* The value of one hex digit (either case), or -1. */
int uftp_hexval(char c);

/*
 * Parses a fingerprint as written in -H / -S / -C / -j / -R lists: exactly
 * 20 groups of one or two hex digits (either case, one digit as the
 * reference also takes) separated by single ':' characters, nothing before
 * or after (the reference also takes a wrong group count or trailing junk;
 * we refuse them).  Returns 0, or UFTP_ERR_INVALID (fp is then untouched).
 */
int uftp_fp_parse(uint8_t fp[UFTP_FP_LEN], const char *s);

/*
 * Formats fp as "AA:BB:...:TT" (upper case, as uftp_keymgt prints it) into
 * out, which must hold UFTP_FP_STRLEN bytes.  Returns the length (59) or
 * UFTP_ERR_NOSPACE.
 */
int uftp_fp_format(char *out, size_t cap, const uint8_t fp[UFTP_FP_LEN]);

/*
 * Parses "ID" or "ID|fingerprint" (white space around fields allowed).
 * Returns 0 or UFTP_ERR_INVALID; *e is cleared first.
 */
int uftp_hostent_parse_id(struct uftp_hostent *e, const char *s);

/* Parses "ID|IP" or "ID|IP|fingerprint" (a server list line). */
int uftp_hostent_parse_server(struct uftp_hostent *e, const char *s);

/*
 * Splits "host[/fingerprint]" (uftpd -R): copies host into host (size cap)
 * and parses the fingerprint if present (*has_fp says so). Returns 0,
 * UFTP_ERR_INVALID or UFTP_ERR_NOSPACE. The host is not looked up.
 */
int uftp_proxy_spec_parse(char *host, size_t cap, uint8_t fp[UFTP_FP_LEN], int *has_fp,
                          const char *s);

#endif
