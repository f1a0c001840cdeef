/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Batched, non-blocking datagram I/O: UDP GSO messages in sendmmsg batches,
 * falling back to sendmmsg, then sendmsg; recvmmsg with UDP GRO when asked,
 * falling back to recvmsg.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/err.h"
#include "lib/log.h"
#include "lib/net.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* The iovecs of one call: a full batch of full GSO messages would need more; it stops earlier. */
#define BATCH_IOV 1024

/* Room for one control message: UDP_SEGMENT (a u16) to send, UDP_GRO (an int) received. */
union cmsg_int {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Per-call scratch space: message headers, iovecs, peer addresses and control data. */
struct batch {
	struct mmsghdr msg[UFTP_NET_BATCH];
	struct iovec iov[BATCH_IOV];
	struct uftp_addr name[UFTP_NET_BATCH];
	union cmsg_int ctl[UFTP_NET_BATCH];
	unsigned segs[UFTP_NET_BATCH]; /* datagrams carried by each message */
};

/* Errors that mean the socket itself is unusable, as opposed to one datagram. */
static int is_hard_error(int err)
{
	return err == EBADF || err == ENOTSOCK || err == EFAULT || err == ENOTCONN ||
	       err == EOPNOTSUPP;
}

/* Errors that say a buffer on the way is full: keep the datagrams and retry later. */
static int is_full(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
}

/* Errors with which a kernel refuses a GSO message it cannot segment. */
static int is_gso_refusal(int err)
{
	return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP;
}

const char *uftp_sock_send_path(const struct uftp_sock *s)
{
	if (!(s->flags & UFTP_SOCK_NO_GSO))
		return "gso";
	return (s->flags & UFTP_SOCK_NO_MMSG) ? "sendmsg" : "sendmmsg";
}

/* How many of d[0..n-1] may share one GSO message with d[0]. */
static size_t gso_run(const struct uftp_sock *s, const struct uftp_dgram *d, size_t n)
{
	size_t k, total = d[0].len;

	if ((s->flags & UFTP_SOCK_NO_GSO) || d[0].len > UFTP_NET_GSO_SEG || d[0].len == 0)
		return 1;
	for (k = 1; k < n && k < UFTP_NET_GSO_SEGS; k++) {
		if (d[k].len > d[0].len || d[k].len == 0 || total + d[k].len > UFTP_NET_GSO_BYTES ||
		    !uftp_addr_equal(&d[k].addr, &d[0].addr))
			break;
		total += d[k].len;
		if (d[k].len < d[0].len)
			return k + 1; /* a shorter one ends the message */
	}
	return k;
}

static void set_segment(struct msghdr *h, union cmsg_int *ctl, uint16_t seg)
{
	struct cmsghdr *c;

	memset(ctl, 0, sizeof(*ctl));
	h->msg_control = ctl->buf;
	h->msg_controllen = CMSG_SPACE(sizeof(seg));
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

/*
 * Fills the batch from the head of d[0..n-1]: one message per GSO run (one
 * per datagram without GSO). Returns the message count (b->segs: the
 * datagrams of each).
 */
static unsigned prep_send(struct batch *b, const struct uftp_sock *s, const struct uftp_dgram *d,
                          size_t n)
{
	size_t i = 0, k, j, v = 0;
	unsigned m = 0;

	memset(b->msg, 0, sizeof(b->msg));
	while (i < n && m < UFTP_NET_BATCH) {
		k = gso_run(s, d + i, n - i);
		if (v + k > BATCH_IOV)
			break;
		b->name[m] = d[i].addr;
		if (s->family == AF_INET6)
			uftp_addr_map_v6(&b->name[m]);
		for (j = 0; j < k; j++) {
			b->iov[v + j].iov_base = d[i + j].buf;
			b->iov[v + j].iov_len = d[i + j].len;
		}
		b->msg[m].msg_hdr.msg_name = &b->name[m].ss;
		b->msg[m].msg_hdr.msg_namelen = b->name[m].len;
		b->msg[m].msg_hdr.msg_iov = &b->iov[v];
		b->msg[m].msg_hdr.msg_iovlen = k;
		if (k > 1)
			set_segment(&b->msg[m].msg_hdr, &b->ctl[m], (uint16_t)d[i].len);
		b->segs[m++] = (unsigned)k;
		v += k;
		i += k;
	}
	return m;
}

/* One sendmsg per message; same result convention as sendmmsg. */
static int sendmsg_loop(int fd, struct mmsghdr *msg, unsigned n)
{
	unsigned i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		r = sendmsg(fd, &msg[i].msg_hdr, 0);
		if (r < 0)
			return i ? (int)i : -1;
		msg[i].msg_len = (unsigned)r;
	}
	return (int)n;
}

/* Sends what it can of one batch; returns the count of messages sent or -errno. */
static int send_batch(struct uftp_sock *s, struct batch *b, unsigned n)
{
	int r;

	if (s->flags & UFTP_SOCK_NO_MMSG) {
		r = sendmsg_loop(s->fd, b->msg, n);
	} else {
		r = sendmmsg(s->fd, b->msg, n, 0);
		if (r < 0 && errno == ENOSYS) {
			s->flags |= UFTP_SOCK_NO_MMSG;
			r = sendmsg_loop(s->fd, b->msg, n);
		}
	}
	if (r > 0)
		s->stats.tx_calls++;
	return r < 0 ? -errno : r;
}

static void count_sent(struct uftp_sock *s, const struct uftp_dgram *d, size_t n)
{
	size_t i;

	s->stats.tx_packets += (uint64_t)n;
	for (i = 0; i < n; i++)
		s->stats.tx_bytes += d[i].len;
}

/* Datagrams carried by the first n messages of the batch. */
static size_t dgrams_of(const struct batch *b, int n)
{
	size_t k = 0;
	int i;

	for (i = 0; i < n; i++)
		k += b->segs[i];
	return k;
}

/* The kernel refused the GSO message at the head of the batch: never try GSO again. */
static void gso_off(struct uftp_sock *s, int err)
{
	s->flags |= UFTP_SOCK_NO_GSO;
	log_info("send path: %s (UDP GSO refused: %s)", uftp_sock_send_path(s), strerror(err));
}

int uftp_sock_send(struct uftp_sock *s, const struct uftp_dgram *d, size_t n)
{
	struct batch b;
	size_t done = 0, k;
	unsigned m;
	int r;

	while (done < n) {
		m = prep_send(&b, s, d + done, n - done);
		r = send_batch(s, &b, m);
		if (r > 0) {
			k = dgrams_of(&b, r);
			count_sent(s, d + done, k);
			done += k;
		} else if (r == -EINTR) {
			continue;
		} else if (b.segs[0] > 1 && is_gso_refusal(-r)) {
			gso_off(s, -r);
		} else if (is_full(-r)) {
			s->stats.tx_blocked++;
			s->stats.tx_block_errno = -r;
			break;
		} else if (is_hard_error(-r)) {
			errno = -r;
			return UFTP_ERR_IO;
		} else {
			/* this message cannot go (unreachable, filtered, ...): count it, go on */
			s->stats.tx_dropped += b.segs[0];
			s->stats.tx_last_errno = -r;
			done += b.segs[0];
		}
	}
	return (int)done;
}

int uftp_sock_enable_gro(struct uftp_sock *s)
{
	int on = 1;

	if (setsockopt(s->fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) < 0)
		return UFTP_ERR_IO;
	s->flags |= UFTP_SOCK_GRO;
	return 0;
}

static void prep_recv(struct batch *b, const struct uftp_sock *s, struct uftp_dgram *d, size_t n)
{
	size_t i;

	memset(b->msg, 0, n * sizeof(b->msg[0]));
	for (i = 0; i < n; i++) {
		b->iov[i].iov_base = d[i].buf;
		b->iov[i].iov_len = d[i].cap;
		b->msg[i].msg_hdr.msg_name = &b->name[i].ss;
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->name[i].ss);
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		if (s->flags & UFTP_SOCK_GRO) {
			b->msg[i].msg_hdr.msg_control = b->ctl[i].buf;
			b->msg[i].msg_hdr.msg_controllen = sizeof(b->ctl[i].buf);
		}
	}
}

static int recvmsg_loop(int fd, struct mmsghdr *msg, unsigned n)
{
	unsigned i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		r = recvmsg(fd, &msg[i].msg_hdr, MSG_DONTWAIT);
		if (r < 0)
			return i ? (int)i : -1;
		msg[i].msg_len = (unsigned)r;
	}
	return (int)n;
}

static int recv_batch(struct uftp_sock *s, struct batch *b, unsigned n)
{
	int r;

	if (s->flags & UFTP_SOCK_NO_MMSG) {
		r = recvmsg_loop(s->fd, b->msg, n);
	} else {
		r = recvmmsg(s->fd, b->msg, n, MSG_DONTWAIT, NULL);
		if (r < 0 && errno == ENOSYS) {
			s->flags |= UFTP_SOCK_NO_MMSG;
			r = recvmsg_loop(s->fd, b->msg, n);
		}
	}
	if (r > 0)
		s->stats.rx_calls++;
	return r < 0 ? -errno : r;
}

/* The GRO segment size a receive reported (0: one datagram). */
static size_t gro_segment(struct msghdr *h, size_t len)
{
	struct cmsghdr *c;
	int seg;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO)
			continue;
		memcpy(&seg, CMSG_DATA(c), sizeof(seg));
		return seg > 0 && (size_t)seg < len ? (size_t)seg : 0;
	}
	return 0;
}

static void finish_recv(struct uftp_sock *s, struct batch *b, struct uftp_dgram *d, int n)
{
	struct msghdr *h;
	int i;

	for (i = 0; i < n; i++) {
		h = &b->msg[i].msg_hdr;
		d[i].addr = b->name[i];
		d[i].addr.len = h->msg_namelen;
		uftp_addr_unmap(&d[i].addr);
		d[i].truncated = !!(h->msg_flags & MSG_TRUNC);
		d[i].len = d[i].truncated ? d[i].cap : b->msg[i].msg_len;
		d[i].seg = (s->flags & UFTP_SOCK_GRO) ? gro_segment(h, d[i].len) : 0;
		s->stats.rx_truncated += (uint64_t)d[i].truncated;
		s->stats.rx_bytes += d[i].len;
		s->stats.rx_packets += d[i].seg ? (d[i].len + d[i].seg - 1) / d[i].seg : 1;
	}
}

int uftp_sock_recv(struct uftp_sock *s, struct uftp_dgram *d, size_t n)
{
	struct batch b;
	unsigned tries;
	int r = 0;

	if (n > UFTP_NET_BATCH)
		n = UFTP_NET_BATCH;
	/* An ICMP error queued on the socket fails one call; retry a few times. */
	for (tries = 0; tries < 8 && n > 0; tries++) {
		prep_recv(&b, s, d, n);
		r = recv_batch(s, &b, (unsigned)n);
		if (r >= 0) {
			finish_recv(s, &b, d, r);
			return r;
		}
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			return 0;
		if (is_hard_error(-r)) {
			errno = -r;
			return UFTP_ERR_IO;
		}
		if (r != -EINTR)
			s->stats.rx_errors++;
	}
	return 0;
}
