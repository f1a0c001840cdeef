/* SPDX-License-Identifier: BSD-2-Clause */
/* Core peers <-> socket addresses (see peer.h). */
#include "config.h"

#include <string.h>

#include "lib/peer.h"

void uftp_addr_to_ipaddr(const struct uftp_addr *a, struct uftp_ipaddr *ip)
{
	struct uftp_addr u = *a;
	int n;

	uftp_addr_unmap(&u);
	memset(ip, 0, sizeof(*ip));
	n = uftp_addr_to_bytes(&u, ip->addr, sizeof(ip->addr));
	ip->family = n == 16 ? 6 : 4;
}

void uftp_addr_to_peer(const struct uftp_addr *a, struct uftp_peer *p)
{
	struct uftp_addr u = *a;

	uftp_addr_unmap(&u);
	memset(p, 0, sizeof(*p));
	uftp_addr_to_ipaddr(&u, &p->ip);
	p->port = uftp_addr_port(&u);
}

void uftp_peer_to_addr(const struct uftp_peer *p, struct uftp_addr *a)
{
	uftp_addr_from_bytes(a, p->ip.addr, p->ip.family == 6 ? 16 : 4, p->port);
}
