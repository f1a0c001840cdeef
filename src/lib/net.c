/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/net.h"

static int setopt(int fd, int level, int name, int value)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
		return UFTP_ERR_IO;
	return 0;
}

/* 1 when the socket may carry IPv4 traffic (IPv4, or dual-stack IPv6). */
static int carries_v4(const struct uftp_sock *s)
{
	return s->family == AF_INET || !(s->flags & UFTP_SOCK_V6ONLY);
}

/*
 * Kernels with UDP GSO (4.18 and later) know the UDP_SEGMENT option; an
 * older one would ignore the control message and send one huge datagram.
 */
static int has_gso(int fd)
{
#ifdef UDP_SEGMENT
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
#else
	(void)fd;
	return 0;
#endif
}

static int open_fd(struct uftp_sock *s, const struct uftp_addr *a)
{
	int fam = uftp_addr_family(a);

	s->fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0)
		return UFTP_ERR_IO;
	if ((s->flags & UFTP_SOCK_REUSEADDR) && setopt(s->fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		return UFTP_ERR_IO;
	if (fam == AF_INET6 &&
	    setopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, !!(s->flags & UFTP_SOCK_V6ONLY)) < 0)
		return UFTP_ERR_IO;
	if (bind(s->fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		return UFTP_ERR_IO;
	if (!has_gso(s->fd))
		s->flags |= UFTP_SOCK_NO_GSO;
	return 0;
}

int uftp_sock_open(struct uftp_sock *s, const struct uftp_addr *bind_addr, unsigned flags)
{
	int rv, saved;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->flags = flags;
	s->family = uftp_addr_family(bind_addr);
	if (s->family == AF_UNSPEC)
		return UFTP_ERR_INVALID;
	rv = open_fd(s, bind_addr);
	if (rv < 0) {
		saved = errno;
		uftp_sock_close(s);
		errno = saved;
	}
	return rv;
}

void uftp_sock_close(struct uftp_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int uftp_sock_local(const struct uftp_sock *s, struct uftp_addr *a)
{
	uftp_addr_clear(a);
	a->len = sizeof(a->ss);
	if (getsockname(s->fd, (struct sockaddr *)&a->ss, &a->len) < 0) {
		uftp_addr_clear(a);
		return UFTP_ERR_IO;
	}
	uftp_addr_unmap(a);
	return 0;
}

int uftp_sock_set_nonblock(struct uftp_sock *s, int on)
{
	int fl = fcntl(s->fd, F_GETFL);

	if (fl < 0)
		return UFTP_ERR_IO;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	if (fcntl(s->fd, F_SETFL, fl) < 0)
		return UFTP_ERR_IO;
	return 0;
}

/* Tries the privileged option first so root is not capped by [rw]mem_max. */
static int set_buf(int fd, int force_name, int name, int bytes)
{
	if (setopt(fd, SOL_SOCKET, force_name, bytes) == 0)
		return 0;
	return setopt(fd, SOL_SOCKET, name, bytes);
}

int uftp_sock_set_bufsize(struct uftp_sock *s, int bytes)
{
	if (bytes <= 0)
		return UFTP_ERR_INVALID;
	if (set_buf(s->fd, SO_SNDBUFFORCE, SO_SNDBUF, bytes) < 0)
		return UFTP_ERR_IO;
	return set_buf(s->fd, SO_RCVBUFFORCE, SO_RCVBUF, bytes);
}

int uftp_sock_set_rcvbuf(struct uftp_sock *s, int bytes)
{
	if (bytes <= 0)
		return UFTP_ERR_INVALID;
	return set_buf(s->fd, SO_RCVBUFFORCE, SO_RCVBUF, bytes);
}

int uftp_sock_get_bufsize(const struct uftp_sock *s, int *snd, int *rcv)
{
	socklen_t len = sizeof(*snd);

	if (getsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, snd, &len) < 0)
		return UFTP_ERR_IO;
	len = sizeof(*rcv);
	if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, rcv, &len) < 0)
		return UFTP_ERR_IO;
	return 0;
}

/*
 * Sets an option for each protocol the socket carries: the IPv6 one on an
 * IPv6 socket, the IPv4 one on an IPv4 or dual-stack socket. The IPv4
 * option is best effort on a dual-stack socket.
 */
static int set_both(struct uftp_sock *s, int v4name, int v6name, int value)
{
	int rv;

	if (s->family == AF_INET)
		return setopt(s->fd, IPPROTO_IP, v4name, value);
	rv = setopt(s->fd, IPPROTO_IPV6, v6name, value);
	if (rv == 0 && carries_v4(s))
		setopt(s->fd, IPPROTO_IP, v4name, value);
	return rv;
}

int uftp_sock_set_ttl(struct uftp_sock *s, int ttl)
{
	if (ttl < 0 || ttl > 255)
		return UFTP_ERR_INVALID;
	return set_both(s, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, ttl);
}

int uftp_sock_set_loop(struct uftp_sock *s, int on)
{
	return set_both(s, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, !!on);
}

int uftp_sock_set_dscp(struct uftp_sock *s, int dscp)
{
	if (dscp < 0 || dscp > 63)
		return UFTP_ERR_INVALID;
	return set_both(s, IP_TOS, IPV6_TCLASS, dscp << 2);
}

static int set_mcast_if4(struct uftp_sock *s, const struct uftp_iface *ifc)
{
	struct ip_mreqn mr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)&ifc->addr.ss;

	memset(&mr, 0, sizeof(mr));
	mr.imr_address = sin->sin_addr;
	mr.imr_ifindex = (int)ifc->index;
	if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0)
		return UFTP_ERR_IO;
	return 0;
}

int uftp_sock_set_mcast_if(struct uftp_sock *s, const struct uftp_iface *ifc)
{
	int fam = uftp_addr_family(&ifc->addr);

	if (fam == AF_INET && carries_v4(s))
		return set_mcast_if4(s, ifc);
	if (fam == AF_INET6 && s->family == AF_INET6)
		return setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifc->index);
	return UFTP_ERR_INVALID;
}
