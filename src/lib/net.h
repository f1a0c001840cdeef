/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UDP sockets for the drivers: open/bind, socket options of the command
 * line (-B buffer size, -t TTL, -I interface, -Q DSCP), multicast
 * membership (any-source and source-specific, IPv4 and IPv6), and batched
 * non-blocking send/receive: UDP GSO (UDP_SEGMENT) where the kernel has it,
 * else sendmmsg, else one sendmsg per datagram, chosen at run time; recvmmsg
 * (with a one-by-one fallback) and, when asked, UDP GRO.
 *
 * An IPv6 socket bound to "::" is dual-stack unless UFTP_SOCK_V6ONLY is
 * given: IPv4 peers then appear as plain IPv4 addresses to the caller (the
 * mapping to ::ffff:a.b.c.d is done here in both directions).
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative enum uftp_err on failure, with errno left as the system set it.
 */
#ifndef UFTP_LIB_NET_H
#define UFTP_LIB_NET_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/iface.h"

/* Flags for uftp_sock_open(). */
#define UFTP_SOCK_REUSEADDR 0x1  /* SO_REUSEADDR before bind (daemons) */
#define UFTP_SOCK_V6ONLY    0x2  /* IPv6 socket that refuses IPv4 */
#define UFTP_SOCK_NO_MMSG   0x4  /* use sendmsg/recvmsg loops, not sendmmsg/recvmmsg */
#define UFTP_SOCK_NO_GSO    0x8  /* no UDP_SEGMENT sends (also set when the kernel refuses) */
#define UFTP_SOCK_GRO       0x10 /* set by uftp_sock_enable_gro(): UDP GRO receives are on */
#define UFTP_SOCK_NO_GRO    0x20 /* the kernel refused UDP GRO (lib/pump.c asks once) */

/* Messages handed to the kernel per system call. */
#define UFTP_NET_BATCH 64

/*
 * UDP GSO: at most this many datagrams in one message (the kernel's
 * UDP_MAX_SEGMENTS), and at most UFTP_NET_GSO_BYTES of payload in all.
 * Datagrams longer than UFTP_NET_GSO_SEG (a 1500-byte MTU's IPv6 payload)
 * are sent one per message: the kernel refuses segments over the MTU.
 */
#define UFTP_NET_GSO_SEGS  64
#define UFTP_NET_GSO_BYTES 65000
#define UFTP_NET_GSO_SEG   1452

/* The largest datagram a GRO receive may return: buffers for one are this long. */
#define UFTP_NET_GRO_MAX 65536

/*
 * Counters kept by the socket. Transient send failures (ENOBUFS, unreachable
 * networks, EPERM from a firewall, ...) drop the datagram and are counted
 * here instead of being logged per packet.
 */
struct uftp_net_stats {
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_dropped; /* datagrams dropped on a transient error */
	uint64_t tx_blocked; /* sends stopped because a buffer was full (EAGAIN, ENOBUFS) */
	uint64_t tx_calls;   /* system calls that sent datagrams */
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_truncated; /* datagrams larger than the buffer given */
	uint64_t rx_errors;    /* transient receive errors (ICMP reports) */
	uint64_t rx_calls;     /* system calls that returned datagrams */
	int tx_last_errno;     /* errno of the latest dropped datagram */
	int tx_block_errno;    /* why the latest send stopped: EAGAIN or ENOBUFS */
};

struct uftp_sock {
	int fd;         /* -1 when closed */
	int family;     /* AF_INET or AF_INET6 */
	unsigned flags; /* UFTP_SOCK_* given to uftp_sock_open() */
	struct uftp_net_stats stats;
};

/*
 * One datagram of a batch. For sending: addr is the destination, buf/len
 * the payload. For receiving: buf/cap is the caller's buffer; len, addr
 * (the source) and truncated are filled in, and seg: 0 for one datagram,
 * else (a GRO receive) buf holds len / seg datagrams of seg bytes from the
 * same source, the last one possibly shorter. The buffers stay the caller's.
 */
struct uftp_dgram {
	struct uftp_addr addr;
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t seg;
	int truncated;
};

/*
 * Opens a non-blocking, close-on-exec UDP socket of bind_addr's family and
 * binds it to bind_addr (port 0: any port). Returns 0, UFTP_ERR_INVALID
 * (empty address) or UFTP_ERR_IO; s->fd is -1 on failure.
 */
int uftp_sock_open(struct uftp_sock *s, const struct uftp_addr *bind_addr, unsigned flags);

/* Closes the socket if open; safe to call twice. */
void uftp_sock_close(struct uftp_sock *s);

/* Writes the bound local address (port included) to *a. */
int uftp_sock_local(const struct uftp_sock *s, struct uftp_addr *a);

/* Sets O_NONBLOCK on (1) or off (0). */
int uftp_sock_set_nonblock(struct uftp_sock *s, int on);

/*
 * Sets both the send and the receive buffer to bytes (-B). As root the
 * system maximum (net.core.[rw]mem_max) is bypassed. The kernel may grant
 * a different size: read it back with uftp_sock_get_bufsize().
 */
int uftp_sock_set_bufsize(struct uftp_sock *s, int bytes);

/*
 * Sets the receive buffer only, to bytes: past net.core.rmem_max as root,
 * else as large as rmem_max allows.
 */
int uftp_sock_set_rcvbuf(struct uftp_sock *s, int bytes);

/* Reads the send and receive buffer sizes the kernel reports. */
int uftp_sock_get_bufsize(const struct uftp_sock *s, int *snd, int *rcv);

/* Sets the multicast TTL / hop limit (-t, 0-255). */
int uftp_sock_set_ttl(struct uftp_sock *s, int ttl);

/* Enables (1) or disables (0) local delivery of our own multicast. */
int uftp_sock_set_loop(struct uftp_sock *s, int on);

/* Sets the DSCP (-Q, 0-63) of outgoing packets (TOS / traffic class). */
int uftp_sock_set_dscp(struct uftp_sock *s, int dscp);

/*
 * Sends multicast out of this interface (-I). ifc->addr's family chooses
 * IPv4 (IP_MULTICAST_IF) or IPv6 (IPV6_MULTICAST_IF by index); an IPv4
 * interface on a dual-stack socket is accepted.
 */
int uftp_sock_set_mcast_if(struct uftp_sock *s, const struct uftp_iface *ifc);

/*
 * Joins / leaves an any-source group on interface ifindex (0: the kernel
 * chooses by route). Joining a group already joined on that interface
 * succeeds. Errors: UFTP_ERR_INVALID (not a multicast group, or an IPv6
 * group on an IPv4 socket), UFTP_ERR_IO.
 */
int uftp_sock_join(struct uftp_sock *s, const struct uftp_addr *group, unsigned ifindex);
int uftp_sock_leave(struct uftp_sock *s, const struct uftp_addr *group, unsigned ifindex);

/* The same for a source-specific (S,G) membership; source and group of one family. */
int uftp_sock_join_source(struct uftp_sock *s, const struct uftp_addr *group,
                          const struct uftp_addr *source, unsigned ifindex);
int uftp_sock_leave_source(struct uftp_sock *s, const struct uftp_addr *group,
                           const struct uftp_addr *source, unsigned ifindex);

/*
 * Joins (join = 1) or leaves group g on every interface of set of g's
 * family (uftp_ifset_get), from source src only when src is not NULL.
 * Returns 0 when at least one interface succeeded, else UFTP_ERR_IO.
 */
struct uftp_ifset;
int uftp_sock_join_set(struct uftp_sock *s, const struct uftp_ifset *set, const struct uftp_addr *g,
                       const struct uftp_addr *src, int join);

/*
 * Sends d[0..n-1] in order: runs of datagrams to one destination, of one
 * length (the run's last may be shorter), go as one UDP GSO message; up to
 * UFTP_NET_BATCH messages per sendmmsg. When the kernel refuses GSO (EIO,
 * EINVAL, ...) the socket falls back to sendmmsg for good, and says so once
 * in the log. Returns how many were consumed (sent, or dropped and counted
 * on a transient error such as an unreachable network); fewer than n means
 * a buffer is full (EAGAIN or ENOBUFS, in stats.tx_block_errno): nothing of
 * the rest was sent; wait for POLLOUT (EAGAIN) or a moment (ENOBUFS) and
 * call again with the rest. Returns UFTP_ERR_IO on a hard error (bad
 * descriptor and the like).
 */
int uftp_sock_send(struct uftp_sock *s, const struct uftp_dgram *d, size_t n);

/* How the socket sends now: "gso", "sendmmsg" or "sendmsg". */
const char *uftp_sock_send_path(const struct uftp_sock *s);

/*
 * Turns UDP GRO receives on: a receive may then return several datagrams
 * in one buffer (struct uftp_dgram's seg), so every receive buffer must
 * hold UFTP_NET_GRO_MAX bytes. Returns 0, or UFTP_ERR_IO when the kernel
 * has no UDP GRO (receives stay one datagram each).
 */
int uftp_sock_enable_gro(struct uftp_sock *s);

/*
 * Receives up to n (at most UFTP_NET_BATCH) waiting datagrams into d
 * without blocking. Returns the count, 0 when none is waiting, or
 * UFTP_ERR_IO on a hard error.
 */
int uftp_sock_recv(struct uftp_sock *s, struct uftp_dgram *d, size_t n);

#endif
