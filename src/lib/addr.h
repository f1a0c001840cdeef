/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP addresses for the drivers: one struct for IPv4 and IPv6 socket addresses,
 * numeric parsing and formatting, multicast/SSM classification, the 'x'
 * wildcard fill of uftp -P, and member IDs (-U, -H, the default client ID).
 *
 * Everything here is pure except uftp_addr_resolve(), which may query DNS.
 */
#ifndef UFTP_LIB_ADDR_H
#define UFTP_LIB_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for "[ffff:...:255.255.255.255%ifname]:65535" and a NUL. */
#define UFTP_ADDRSTRLEN 72

/* UDP port used by every UFTP program unless -p says otherwise. */
#define UFTP_DEFAULT_PORT 1044

/*
 * A socket address (AF_INET or AF_INET6; AF_UNSPEC when empty). The port is
 * kept in the sockaddr in network order; use the accessors below.
 */
struct uftp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Source of random bytes for wildcard fills: writes len bytes to buf and
 * returns 0, or a negative enum uftp_err. Tests pass a fixed sequence.
 */
typedef int (*uftp_rand_fn)(void *ctx, void *buf, size_t len);

/* Empties *a (family AF_UNSPEC, len 0). */
void uftp_addr_clear(struct uftp_addr *a);

/* Returns AF_INET, AF_INET6 or AF_UNSPEC. */
int uftp_addr_family(const struct uftp_addr *a);

/*
 * Parses a numeric IPv4 or IPv6 address without a port ("230.4.4.1",
 * "ff15::1", "fe80::1%eth0") into *a with the given port (host order).
 * Returns 0, or UFTP_ERR_INVALID for anything else (names, ports, junk).
 */
int uftp_addr_parse(struct uftp_addr *a, const char *s, uint16_t port);

/*
 * Parses "addr", "addr:port", "[v6addr]" or "[v6addr]:port" (numeric only).
 * A bare IPv6 address takes default_port. Returns 0 or UFTP_ERR_INVALID.
 */
int uftp_addr_parse_hostport(struct uftp_addr *a, const char *s, uint16_t default_port);

/*
 * Like uftp_addr_parse_hostport() but the host part may also be a name,
 * looked up with getaddrinfo() (family AF_UNSPEC/AF_INET/AF_INET6 restricts
 * the answer; the first one is used). Returns 0, UFTP_ERR_INVALID for a
 * malformed string, or UFTP_ERR_IO when the name does not resolve.
 */
int uftp_addr_resolve(struct uftp_addr *a, const char *s, uint16_t default_port, int family);

/*
 * Builds an address from raw bytes: 4 bytes for AF_INET, 16 for AF_INET6,
 * in network order. Returns 0 or UFTP_ERR_INVALID (other lengths).
 */
int uftp_addr_from_bytes(struct uftp_addr *a, const void *bytes, size_t len, uint16_t port);

/*
 * Copies the address bytes (4 or 16, network order) into buf.
 * Returns the count, or UFTP_ERR_NOSPACE / UFTP_ERR_INVALID (empty address).
 */
int uftp_addr_to_bytes(const struct uftp_addr *a, void *buf, size_t cap);

/* Returns the port in host order (0 for an empty address). */
uint16_t uftp_addr_port(const struct uftp_addr *a);

/* Sets the port (host order); no effect on an empty address. */
void uftp_addr_set_port(struct uftp_addr *a, uint16_t port);

/*
 * Writes the address without its port ("230.4.4.1", "ff15::1") to buf.
 * Returns buf; on a short buffer or an empty address writes "?" (if cap > 1).
 */
char *uftp_addr_ntop(const struct uftp_addr *a, char *buf, size_t cap);

/* Same with the port: "230.4.4.1:1044", "[ff15::1]:1044". */
char *uftp_addr_format(const struct uftp_addr *a, char *buf, size_t cap);

/* Returns 1 when family, address, port (and IPv6 scope) match, else 0. */
int uftp_addr_equal(const struct uftp_addr *a, const struct uftp_addr *b);

/* Like uftp_addr_equal() but ignores the ports. */
int uftp_addr_equal_host(const struct uftp_addr *a, const struct uftp_addr *b);

/* Total order (family, address bytes, port): <0, 0, >0, for sorting. */
int uftp_addr_cmp(const struct uftp_addr *a, const struct uftp_addr *b);

/* 1 for 224.0.0.0/4 or ff00::/8, else 0. */
int uftp_addr_is_multicast(const struct uftp_addr *a);

/* 1 for a source-specific multicast group: 232.0.0.0/8 or ff3x::/32. */
int uftp_addr_is_ssm(const struct uftp_addr *a);

/* 1 for 0.0.0.0 or ::, else 0. */
int uftp_addr_is_any(const struct uftp_addr *a);

/* 1 for 127.0.0.0/8 or ::1, else 0. */
int uftp_addr_is_loopback(const struct uftp_addr *a);

/*
 * Converts an IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack
 * socket reports IPv4 peers) to plain IPv4 in place; others are unchanged.
 */
void uftp_addr_unmap(struct uftp_addr *a);

/* Converts IPv4 to IPv4-mapped IPv6 in place (for a dual-stack socket). */
void uftp_addr_map_v6(struct uftp_addr *a);

/* Sets *a to the wildcard address of the family (0.0.0.0 or ::) and port. */
int uftp_addr_any(struct uftp_addr *a, int family, uint16_t port);

/*
 * Parses the -P form of a multicast address, where any part but the first
 * may be the letter 'x' ("230.5.5.x", "ff15::x:1"): each 'x' becomes a random
 * 0-255 (IPv4) or 0-0xffff (IPv6) drawn from rnd(ctx). The result must be a
 * multicast address. Returns 0, UFTP_ERR_INVALID, or rnd's error.
 */
int uftp_addr_parse_wild(struct uftp_addr *a, const char *s, uint16_t port, uftp_rand_fn rnd,
                         void *ctx);

/*
 * Member IDs (32 bits, host order here, sent big-endian). uftp_id_parse()
 * accepts "0x" followed by 1-8 hex digits (as -U and the host lists write
 * them) or a dotted-quad IPv4 address ("198.18.0.11" -> 0xC612000B).
 * Returns 0, or UFTP_ERR_INVALID (also for the reserved IDs 0 and 0xffffffff).
 */
int uftp_id_parse(uint32_t *id, const char *s);

/*
 * The default ID of a host with this address, as UFTP 4.x derives it: the
 * IPv4 address itself; for IPv6 the last 4 bytes in reverse order
 * (fd00::1:c612:b gives 0x0B0012C6, ...::10 gives 0x10000000). Returns 0
 * or UFTP_ERR_INVALID.
 */
int uftp_id_from_addr(uint32_t *id, const struct uftp_addr *a);

/* Writes "0xC612000B" (upper-case, as UFTP logs IDs) to buf; returns buf. */
char *uftp_id_format(uint32_t id, char *buf, size_t cap);

#endif
