/* SPDX-License-Identifier: BSD-2-Clause */
/* Multicast membership with the protocol-independent group_req API (RFC 3678). */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "lib/iface.h"
#include "lib/net.h"

/* The option level for a group: IPv4 groups use IPPROTO_IP even on a dual-stack socket. */
static int group_level(const struct uftp_sock *s, const struct uftp_addr *group)
{
	int fam = uftp_addr_family(group);

	if (!uftp_addr_is_multicast(group))
		return -1;
	if (fam == AF_INET && (s->family == AF_INET || !(s->flags & UFTP_SOCK_V6ONLY)))
		return IPPROTO_IP;
	if (fam == AF_INET6 && s->family == AF_INET6)
		return IPPROTO_IPV6;
	return -1;
}

/* A second join of the same membership reports EADDRINUSE: already done. */
static int setopt_mship(const struct uftp_sock *s, int level, int name, const void *v,
                        socklen_t len)
{
	if (setsockopt(s->fd, level, name, v, len) == 0)
		return 0;
	if (errno == EADDRINUSE && (name == MCAST_JOIN_GROUP || name == MCAST_JOIN_SOURCE_GROUP))
		return 0;
	return UFTP_ERR_IO;
}

static int group_op(struct uftp_sock *s, const struct uftp_addr *group, unsigned ifindex, int name)
{
	struct group_req gr;
	int level = group_level(s, group);

	if (level < 0)
		return UFTP_ERR_INVALID;
	memset(&gr, 0, sizeof(gr));
	gr.gr_interface = ifindex;
	memcpy(&gr.gr_group, &group->ss, group->len);
	return setopt_mship(s, level, name, &gr, sizeof(gr));
}

int uftp_sock_join(struct uftp_sock *s, const struct uftp_addr *group, unsigned ifindex)
{
	return group_op(s, group, ifindex, MCAST_JOIN_GROUP);
}

int uftp_sock_leave(struct uftp_sock *s, const struct uftp_addr *group, unsigned ifindex)
{
	return group_op(s, group, ifindex, MCAST_LEAVE_GROUP);
}

static int source_op(struct uftp_sock *s, const struct uftp_addr *group,
                     const struct uftp_addr *source, unsigned ifindex, int name)
{
	struct group_source_req gsr;
	int level = group_level(s, group);

	if (level < 0 || uftp_addr_family(source) != uftp_addr_family(group))
		return UFTP_ERR_INVALID;
	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = ifindex;
	memcpy(&gsr.gsr_group, &group->ss, group->len);
	memcpy(&gsr.gsr_source, &source->ss, source->len);
	return setopt_mship(s, level, name, &gsr, sizeof(gsr));
}

int uftp_sock_join_source(struct uftp_sock *s, const struct uftp_addr *group,
                          const struct uftp_addr *source, unsigned ifindex)
{
	return source_op(s, group, source, ifindex, MCAST_JOIN_SOURCE_GROUP);
}

int uftp_sock_leave_source(struct uftp_sock *s, const struct uftp_addr *group,
                           const struct uftp_addr *source, unsigned ifindex)
{
	return source_op(s, group, source, ifindex, MCAST_LEAVE_SOURCE_GROUP);
}

int uftp_sock_join_set(struct uftp_sock *s, const struct uftp_ifset *set, const struct uftp_addr *g,
                       const struct uftp_addr *src, int join)
{
	size_t i, n;
	const unsigned *ifs = uftp_ifset_get(set, uftp_addr_family(g), &n);
	int ok = 0, rv;

	if (s->fd < 0)
		return UFTP_ERR_IO;
	for (i = 0; i < n; i++) {
		if (src)
			rv = join ? uftp_sock_join_source(s, g, src, ifs[i])
			          : uftp_sock_leave_source(s, g, src, ifs[i]);
		else
			rv = join ? uftp_sock_join(s, g, ifs[i]) : uftp_sock_leave(s, g, ifs[i]);
		ok += rv >= 0;
	}
	return ok ? 0 : UFTP_ERR_IO;
}
