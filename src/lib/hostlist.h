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

/*
 * Parses "AA:BB:..." (exactly UFTP_FP_LEN bytes, hex digits in either case,
 * each byte two digits) into fp. Returns 0 or UFTP_ERR_INVALID.
 */
int uftp_fp_parse(uint8_t fp[UFTP_FP_LEN], const char *s);

/* Writes the fingerprint as upper-case "AA:BB:..." to buf (needs 60 bytes). */
char *uftp_fp_format(const uint8_t fp[UFTP_FP_LEN], char *buf, size_t cap);

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
