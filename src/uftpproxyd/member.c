/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpproxyd's multicast memberships: the public groups on the receiving
 * sockets, the sessions' private groups on member sockets, reconciled
 * with what the core needs (uftp_proxy_groups).
 */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "lib/addr.h"
#include "uftpproxyd/pxd.h"

#define MEMBER_RETRY (UFTP_NS_PER_SEC / 4) /* a failed join is tried again this often */

static void ipaddr_to_addr(const struct uftp_ipaddr *ip, struct uftp_addr *a)
{
	uftp_addr_from_bytes(a, ip->addr, ip->family == 6 ? 16 : 4, 0);
}

/*
 * The receiving socket holds the public groups (-M).  The sessions' private
 * groups are held by member sockets opened as needed (never read: with
 * IP_MULTICAST_ALL, the kernel's default, a membership held by any socket
 * brings the group's datagrams to the receiving socket), because the kernel
 * limits memberships per socket (net.ipv4.igmp_max_memberships, 20 by
 * default) and a flood of forged announcements must not use up the slots a
 * real session needs.
 */
struct uftp_sock *pxd_sock_of(struct pxd *d, const struct uftp_addr *g)
{
	return uftp_addr_family(g) == AF_INET6 ? &d->s6 : &d->s4;
}

static int join_all(struct pxd *d, struct uftp_sock *s, const struct uftp_addr *g, int join)
{
	return uftp_sock_join_set(s, &d->ifs, g, NULL, join);
}

/* -S: one source-specific membership per listed server (of the group's family). */
static int join_ssm(struct pxd *d, struct uftp_sock *s, const struct uftp_addr *g, int join)
{
	int v6 = uftp_addr_family(g) == AF_INET6;
	struct uftp_addr src;
	size_t k;
	int ok = 0;

	for (k = 0; k < d->cfg.nservers; k++) {
		const struct uftp_peer_key *e = &d->servers[k];
		if (e->addr.family != (v6 ? 6 : 4))
			continue;
		uftp_addr_from_bytes(&src, e->addr.addr, v6 ? 16 : 4, 0);
		ok += uftp_sock_join_set(s, &d->ifs, g, &src, join) == 0;
	}
	return ok ? 0 : UFTP_ERR_IO;
}

int pxd_join_group(struct pxd *d, struct uftp_sock *s, const struct uftp_addr *g, int join)
{
	return d->cfg.nservers && uftp_addr_is_ssm(g) ? join_ssm(d, s, g, join)
	                                              : join_all(d, s, g, join);
}

/* Member socket k of g's family, opened on first use; NULL if it cannot be. */
static struct uftp_sock *member_sock(struct pxd *d, const struct uftp_addr *g, size_t k)
{
	int v6 = uftp_addr_family(g) == AF_INET6;
	struct uftp_sock *s = v6 ? &d->m6[k] : &d->m4[k];
	struct uftp_addr any;

	if (s->fd >= 0)
		return s;
	if (pxd_sock_of(d, g)->fd < 0)
		return NULL; /* no socket of that family to receive with */
	uftp_addr_any(&any, v6 ? AF_INET6 : AF_INET, 0);
	if (uftp_sock_open(s, &any, v6 ? UFTP_SOCK_V6ONLY : 0) < 0)
		return NULL;
	return s;
}

/* Joins j's group on the first member socket with room; sets j->holder. */
static void member_join(struct pxd *d, struct joined *j)
{
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_sock *s;
	struct uftp_addr g;
	size_t k;

	ipaddr_to_addr(&j->addr, &g);
	uftp_addr_ntop(&g, buf, sizeof(buf));
	for (k = 0; k < MEMBER_SOCKS; k++) {
		s = member_sock(d, &g, k);
		if (s && pxd_join_group(d, s, &g, 1) == 0) {
			j->holder = (int)k;
			log_debug("[%08X] joined %s", j->group_id, buf);
			if (j->tries)
				log_info("[%08X] joined %s after %u failed tries", j->group_id, buf,
				         j->tries);
			return;
		}
	}
	if (!j->tries++)
		log_warn("[%08X] cannot join %s (will try again)", j->group_id, buf);
}

static void member_leave(struct pxd *d, const struct joined *j)
{
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_addr g;

	if (j->holder < 0)
		return;
	ipaddr_to_addr(&j->addr, &g);
	pxd_join_group(d, member_sock(d, &g, (size_t)j->holder), &g, 0);
	log_debug("[%08X] left %s", j->group_id, uftp_addr_ntop(&g, buf, sizeof(buf)));
}

static int is_joined(const struct pxd *d, const struct uftp_ipaddr *a)
{
	size_t i;

	for (i = 0; i < d->njoined; i++)
		if (uftp_ip_equal(&d->joined[i].addr, a))
			return 1;
	return 0;
}

/*
 * Brings the memberships to the groups the core needs: leaves first (that
 * frees room), then joins.  A join that failed stays wanted and is tried
 * again at every change and every MEMBER_RETRY until it works.
 */
void pxd_sync_groups(struct pxd *d, uint64_t now)
{
	struct uftp_proxy_group g[UFTP_PROXY_MAX_GROUPS];
	uint64_t gen = uftp_proxy_groups_gen(d->core);
	size_t n, i;

	if (gen == d->groups_gen && now < d->retry_at)
		return;
	d->groups_gen = gen;
	d->retry_at = UFTP_NEVER;
	n = uftp_proxy_groups(d->core, g, UFTP_PROXY_MAX_GROUPS);
	for (i = 0; i < d->njoined;) {
		if (uftp_proxy_group_listed(g, n, &d->joined[i].addr)) {
			i++;
			continue;
		}
		member_leave(d, &d->joined[i]);
		d->joined[i] = d->joined[--d->njoined];
	}
	for (i = 0; i < n && d->njoined < UFTP_PROXY_MAX_GROUPS; i++)
		if (!is_joined(d, &g[i].addr))
			d->joined[d->njoined++] = (struct joined){g[i].addr, g[i].group_id, -1, 0};
	for (i = 0; i < d->njoined; i++) {
		if (d->joined[i].holder >= 0)
			continue;
		member_join(d, &d->joined[i]);
		if (d->joined[i].holder < 0)
			d->retry_at = now + MEMBER_RETRY;
	}
}

void pxd_members_close(struct pxd *d)
{
	size_t i;

	for (i = 0; i < MEMBER_SOCKS; i++) {
		uftp_sock_close(&d->m4[i]);
		uftp_sock_close(&d->m6[i]);
	}
}
