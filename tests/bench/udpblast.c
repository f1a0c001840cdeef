/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udpblast: the raw UDP limit of a path, for scripts/bench.sh.  Sends
 * datagrams of one size as fast as the socket takes them, through the same
 * pump as uftp (lib/pump.c: UDP GSO, else sendmmsg, else sendmsg), and
 * counts what arrives with the same receive batch as uftpd (recvmmsg, GRO).
 *
 *   udpblast recv PORT SECS [GROUP]    prints "recv DGRAMS BYTES SECS"
 *   udpblast send ADDR PORT LEN SECS [gso|mmsg|msg]
 *                                      prints "send PATH DGRAMS BYTES SECS"
 *
 * The receiver stops SECS seconds after its first datagram (or after
 * 3 * SECS with none); the sender after SECS seconds.  Not a test: a tool.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/clock.h"
#include "lib/net.h"
#include "lib/pump.h"

#define SLOTS 1024
#define NS    1000000000ull

static int usage(void)
{
	fputs("usage: udpblast recv PORT SECS [GROUP]\n"
	      "       udpblast send ADDR PORT LEN SECS [gso|mmsg|msg]\n",
	      stderr);
	return 2;
}

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = {fd, ev, 0};

	return poll(&p, 1, ms);
}

static int do_recv(uint16_t port, double secs, const char *group)
{
	struct uftp_sock s;
	struct uftp_rxq q;
	struct uftp_addr any, g;
	const struct uftp_addr *from;
	uint64_t t0 = 0, start = uftp_clock_now(), n = 0, bytes = 0, end;
	uint8_t *buf;
	size_t len;
	int cut;

	uftp_addr_any(&any, AF_INET, port);
	if (uftp_sock_open(&s, &any, UFTP_SOCK_REUSEADDR) < 0 ||
	    uftp_rxq_init(&q, UFTP_NET_BATCH, 65536, 1) < 0)
		return 1;
	uftp_sock_set_rcvbuf(&s, 32 << 20);
	if (group && (uftp_addr_parse(&g, group, 0) < 0 || uftp_sock_join(&s, &g, 0) < 0)) {
		fprintf(stderr, "udpblast: cannot join %s\n", group);
		return 1;
	}
	end = start + (uint64_t)(3 * secs * NS);
	while (uftp_clock_now() < end) {
		if (wait_fd(s.fd, POLLIN, 100) <= 0)
			continue;
		while (uftp_rxq_read(&q, &s) > 0) {
			while (uftp_rxq_pop(&q, &buf, &len, &from, &cut)) {
				n++;
				bytes += len;
			}
		}
		if (!t0 && n) {
			t0 = uftp_clock_now();
			end = t0 + (uint64_t)(secs * NS);
		}
	}
	printf("recv %llu %llu %.3f\n", (unsigned long long)n, (unsigned long long)bytes,
	       t0 ? (double)(uftp_clock_now() - t0) / NS : 0.0);
	uftp_rxq_free(&q);
	uftp_sock_close(&s);
	return 0;
}

static int do_send(const char *addr, uint16_t port, size_t len, double secs, const char *path)
{
	struct uftp_sock s;
	struct uftp_txq q;
	struct uftp_addr any, to;
	uint64_t t0, end, seq = 0, now;
	unsigned flags = 0;
	uint8_t *b;
	int r;

	if (!strcmp(path, "mmsg"))
		flags = UFTP_SOCK_NO_GSO;
	else if (!strcmp(path, "msg"))
		flags = UFTP_SOCK_NO_GSO | UFTP_SOCK_NO_MMSG;
	if (uftp_addr_parse(&to, addr, port) < 0 || len < 8 || len > 9000)
		return usage();
	uftp_addr_any(&any, uftp_addr_family(&to), 0);
	if (uftp_sock_open(&s, &any, flags) < 0 || uftp_txq_init(&q, SLOTS, len) < 0)
		return 1;
	uftp_sock_set_bufsize(&s, 4 << 20);
	if (uftp_addr_is_multicast(&to))
		uftp_sock_set_loop(&s, 0);
	t0 = uftp_clock_now();
	end = t0 + (uint64_t)(secs * NS);
	while ((now = uftp_clock_now()) < end) {
		while ((b = uftp_txq_next(&q)) != NULL) {
			memset(b, 0x5a, len);
			memcpy(b, &seq, sizeof(seq));
			seq++;
			uftp_txq_push(&q, &to, len);
		}
		r = uftp_txq_flush(&q, &s);
		if (r < 0)
			return 1;
		if (r == 1)
			wait_fd(s.fd, POLLOUT, s.stats.tx_block_errno == ENOBUFS ? 1 : 10);
	}
	printf("send %s %llu %llu %.3f\n", uftp_sock_send_path(&s),
	       (unsigned long long)s.stats.tx_packets, (unsigned long long)s.stats.tx_bytes,
	       (double)(uftp_clock_now() - t0) / NS);
	uftp_txq_free(&q);
	uftp_sock_close(&s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "recv"))
		return do_recv((uint16_t)atoi(argv[2]), atof(argv[3]), argc > 4 ? argv[4] : NULL);
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], (uint16_t)atoi(argv[3]), (size_t)atoi(argv[4]),
		               atof(argv[5]), argc > 6 ? argv[6] : "gso");
	return usage();
}
