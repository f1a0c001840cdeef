/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two shapes of an address: the core's struct uftp_peer (family 4/6,
 * wire bytes, port) and the drivers' socket address (lib/addr.h).  Every
 * driver converts through these, so IPv4-mapped IPv6 addresses are
 * unmapped the same way everywhere.
 */
#ifndef UFTP_LIB_PEER_H
#define UFTP_LIB_PEER_H

#include "core/session.h"
#include "lib/addr.h"

/* The core's view of a socket address; an IPv4-mapped IPv6 address becomes IPv4. */
void uftp_addr_to_peer(const struct uftp_addr *a, struct uftp_peer *p);

/* The address part alone (no port), as configs carry it. */
void uftp_addr_to_ipaddr(const struct uftp_addr *a, struct uftp_ipaddr *ip);

/* A socket address for a core peer. */
void uftp_peer_to_addr(const struct uftp_peer *p, struct uftp_addr *a);

#endif
