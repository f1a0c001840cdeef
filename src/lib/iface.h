/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Network interfaces, for -I / -O: a snapshot of the system's interface
 * addresses (getifaddrs) and pure lookups in it, so drivers resolve an
 * operator's "eth0", "192.0.2.2" or host name to an (index, address) pair.
 */
#ifndef UFTP_LIB_IFACE_H
#define UFTP_LIB_IFACE_H

#include <net/if.h>
#include <stddef.h>

#include "lib/addr.h"

#define UFTP_IFF_UP        0x1
#define UFTP_IFF_LOOPBACK  0x2
#define UFTP_IFF_MULTICAST 0x4

/* Interfaces with several addresses appear once per address. */
struct uftp_iface {
	char name[IF_NAMESIZE];
	unsigned index;        /* if_nametoindex() of name */
	struct uftp_addr addr; /* AF_INET or AF_INET6, port 0 */
	unsigned flags;        /* UFTP_IFF_* */
};

/*
 * Fills out with up to cap IPv4/IPv6 interface addresses in the system's
 * order. Returns the count, UFTP_ERR_NOSPACE when there are more than cap
 * (out then holds the first cap), or UFTP_ERR_IO when getifaddrs fails.
 */
int uftp_iface_list(struct uftp_iface *out, size_t cap);

/*
 * Lookups in a list from uftp_iface_list(). Each returns the position of
 * the first match, or UFTP_ERR_INVALID when there is none. family is
 * AF_INET, AF_INET6, or AF_UNSPEC (then an IPv4 address is preferred).
 */
int uftp_iface_find_name(const struct uftp_iface *list, size_t n, const char *name, int family);
int uftp_iface_find_index(const struct uftp_iface *list, size_t n, unsigned index, int family);
int uftp_iface_find_addr(const struct uftp_iface *list, size_t n, const struct uftp_addr *addr);

/*
 * The default interface address: the first that is up, multicast-capable
 * and not loopback, of the family (AF_UNSPEC: IPv4 first, then IPv6 other
 * than link-local, then link-local). Returns its position or UFTP_ERR_INVALID.
 */
int uftp_iface_find_default(const struct uftp_iface *list, size_t n, int family);

/*
 * Resolves an -I value: an interface name, a numeric address of a local
 * interface, or a host name resolving to one. Lists the system's interfaces
 * itself. Returns 0 with *out filled, UFTP_ERR_INVALID when nothing
 * matches, or uftp_iface_list()'s error.
 */
int uftp_iface_lookup(struct uftp_iface *out, const char *spec, int family);

/* uftp_iface_find_default() over the system's interfaces; 0 or an error. */
int uftp_iface_default(struct uftp_iface *out, int family);

/* Interface indexes per address family, for a daemon's multicast memberships. */
#define UFTP_IFSET_MAX 32
struct uftp_ifset {
	unsigned v4[UFTP_IFSET_MAX], v6[UFTP_IFSET_MAX];
	size_t n4, n6;
};

/*
 * A daemon's start-up step, the interfaces it listens on, into *set: each
 * of the -I names (looked up as uftp_iface_lookup does; with both_families,
 * a name is also taken on its other address family when it has one) or,
 * with no names, every interface address that is up, multicast-capable and
 * not loopback. *first gets the first one's address (where the default ID
 * comes from). Returns 0, EXIT_BADOPT (lib/daemon.h) after logging the -I
 * name that matches nothing, or EXIT_NET when the interfaces cannot be read.
 */
int uftp_ifset_select(struct uftp_ifset *set, char *const *names, size_t n, int both_families,
                      struct uftp_addr *first);

/*
 * The indexes of family (AF_INET or AF_INET6) in *n; with none, a single
 * index 0, which lets the kernel choose the interface.
 */
const unsigned *uftp_ifset_get(const struct uftp_ifset *set, int family, size_t *n);

#endif
