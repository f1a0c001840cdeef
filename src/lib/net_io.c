/* Batched, non-blocking datagram I/O: sendmmsg/recvmmsg with a per-datagram fallback. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/err.h"
#include "lib/net.h"

/* Per-call scratch space: message headers, iovecs and peer addresses. */
struct batch {
	struct mmsghdr msg[UFTP_NET_BATCH];
	struct iovec iov[UFTP_NET_BATCH];
	struct uftp_addr name[UFTP_NET_BATCH];
};

/* Errors that mean the socket itself is unusable, as opposed to one datagram. */
static int is_hard_error(int err)
{
	return err == EBADF || err == ENOTSOCK || err == EFAULT || err == ENOTCONN ||
	       err == EOPNOTSUPP;
}

static void prep_send(struct batch *b, const struct uftp_sock *s, const struct uftp_dgram *d,
                      size_t n)
{
	size_t i;

	memset(b->msg, 0, n * sizeof(b->msg[0]));
	for (i = 0; i < n; i++) {
		b->name[i] = d[i].addr;
		if (s->family == AF_INET6)
			uftp_addr_map_v6(&b->name[i]);
		b->iov[i].iov_base = d[i].buf;
		b->iov[i].iov_len = d[i].len;
		b->msg[i].msg_hdr.msg_name = &b->name[i].ss;
		b->msg[i].msg_hdr.msg_namelen = b->name[i].len;
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
	}
}

/* One sendmsg per datagram; same result convention as sendmmsg. */
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

/* Sends what it can of one batch; returns the count sent or -errno. */
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
	return r < 0 ? -errno : r;
}

static void count_sent(struct uftp_sock *s, const struct uftp_dgram *d, int n)
{
	int i;

	s->stats.tx_packets += (uint64_t)n;
	for (i = 0; i < n; i++)
		s->stats.tx_bytes += d[i].len;
}

int uftp_sock_send(struct uftp_sock *s, const struct uftp_dgram *d, size_t n)
{
	struct batch b;
	size_t done = 0, chunk;
	int r;

	while (done < n) {
		chunk = n - done < UFTP_NET_BATCH ? n - done : UFTP_NET_BATCH;
		prep_send(&b, s, d + done, chunk);
		r = send_batch(s, &b, (unsigned)chunk);
		if (r > 0) {
			count_sent(s, d + done, r);
			done += (size_t)r;
		} else if (r == -EINTR) {
			continue;
		} else if (r == -EAGAIN || r == -EWOULDBLOCK) {
			s->stats.tx_blocked++;
			break;
		} else if (is_hard_error(-r)) {
			errno = -r;
			return UFTP_ERR_IO;
		} else {
			s->stats.tx_dropped++;
			s->stats.tx_last_errno = -r;
			done++;
		}
	}
	return (int)done;
}

static void prep_recv(struct batch *b, struct uftp_dgram *d, size_t n)
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
	return r < 0 ? -errno : r;
}

static void finish_recv(struct uftp_sock *s, struct batch *b, struct uftp_dgram *d, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		d[i].addr = b->name[i];
		d[i].addr.len = b->msg[i].msg_hdr.msg_namelen;
		uftp_addr_unmap(&d[i].addr);
		d[i].truncated = !!(b->msg[i].msg_hdr.msg_flags & MSG_TRUNC);
		d[i].len = d[i].truncated ? d[i].cap : b->msg[i].msg_len;
		s->stats.rx_truncated += (uint64_t)d[i].truncated;
		s->stats.rx_bytes += d[i].len;
	}
	s->stats.rx_packets += (uint64_t)n;
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
		prep_recv(&b, d, n);
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
