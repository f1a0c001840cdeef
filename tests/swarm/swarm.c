/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * swarm - N UFTP receivers in one process, for scale tests and benchmarks.
 *
 * Each receiver is one of our client cores (core/client.h) with its own
 * client ID (base + k) and in-memory file operations that store nothing:
 * every write is compared with the expected file given with -f (mapped
 * read-only), and a receiver succeeds when its session completed, its file
 * closed complete, every byte matched and exactly size bytes were written.
 * One UDP socket (one address family) carries everything: each datagram is
 * read once and fed to every receiver core (minus the data datagrams that
 * receiver's simulated loss drops); replies leave from the same socket,
 * each with its receiver's ID in the UFTP header.
 *
 *   swarm -n N -f FILE [-i BASE_ID] [-b BIND_ADDR] [-p PORT] [-g GROUP]
 *         [-I IFNAME] [-l LOSS_PERCENT] [-s SEED] [-T TIMEOUT_S] [-w HOSTS_FILE]
 *         [-K KEYSPEC] [-x LOGLEVEL] [-B HOLD_US]
 *
 * Encrypted sessions: every receiver uses the one key -K makes (default
 * rsa:1024, the -K syntax of uftpd), so the key exchange is real per
 * receiver (own randoms, own premaster) without N key generations.
 * -l drops FILESEG datagrams only, independently per receiver (seeded
 * xorshift per receiver, -s), so different receivers NAK different blocks.
 * -w writes the N client IDs (one per line) for the server's -H @FILE and
 * exits.  -B: how long (microseconds, default 2000) a batch of datagrams
 * may wait for more once the first is in; every core then takes the batch
 * in one go (0: take what is waiting).  The summary goes to stdout as "key value" lines; exit
 * status 0 when every receiver succeeded, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <net/if.h>
#include <unistd.h>

#include "core/client.h"
#include "crypto/env.h"
#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "core/err.h"
#include "crypto/ossl.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "lib/iface.h"
#include "lib/log.h"
#include "lib/net.h"
#include "lib/peer.h"

#define SW_TXSLOTS 64
#define SW_DGRAM   65536
#define SW_GROUPS  8
/*
 * Datagrams fed per batch, and their receive buffers (a larger datagram is
 * truncated and ignored).  Each receiver core takes the whole batch in one
 * go: its state is fetched from memory once per batch, not per datagram,
 * which is what a datagram costs a swarm of a thousand cores.
 */
#define SW_BATCH 512
#define SW_RXCAP 16384
/* how long a batch may wait for more datagrams once the first is in (-B) */
#define SW_HOLD_US 2000

enum { R_IDLE, R_CONNECTED, R_DONE, R_ABORTED };

struct rcv {
	struct uftp_client *core;
	struct uftp_client_fops fops;
	uint32_t id;
	uint8_t state;
	uint8_t file_ok; /* closed with ok = 1 and everything matched */
	uint8_t open;    /* a file is open */
	uint64_t rng;    /* xorshift64 state for the loss draw */
	uint64_t bytes;  /* bytes written into the open file */
	uint64_t bad;    /* writes that did not match the expected file */
	uint64_t next;   /* the core's next expiry */
	uint64_t gen;    /* groups_gen last synced */
	uint64_t lost;   /* FILESEG datagrams dropped by the loss model */
};

struct swarm {
	struct rcv *r;
	size_t n;
	const uint8_t *exp; /* expected file contents */
	uint64_t exp_len;
	uint32_t loss; /* drop threshold out of 2^32 */
	/*
	 * One comparison per datagram of the batch being fed: the receivers'
	 * writes of the same bytes share it.
	 */
	struct {
		const uint8_t *buf;
		uint64_t off;
		size_t len;
		int ok;
	} memo[SW_BATCH];
	size_t cur; /* the datagram being fed */
	struct uftp_sock sock;
	struct uftp_dgram tx[SW_TXSLOTS];
	uint8_t *txbuf;
	size_t ntx;
	struct uftp_addr groups[SW_GROUPS];
	size_t ngroups;
	unsigned ifindex;
	/* figures */
	uint64_t t_announce, t_connected, t_fileseg, t_done;
	size_t n_connected, n_done, n_aborted;
	uint64_t rx_dgrams, rx_fileseg, tx_dgrams, rounds, batches;
	uint16_t last_file, last_sec, last_blk;
	int seen_seg;
};

static uint64_t xs64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static struct swarm *g_sw; /* the fops reach the swarm through the receiver */

static int f_open(void *arg, size_t root, const char *rel)
{
	struct rcv *r = arg;
	(void)root;
	(void)rel;
	r->open = 1;
	r->bytes = 0;
	r->bad = 0;
	return 0;
}

static int f_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len)
{
	struct rcv *r = arg;
	struct swarm *sw = g_sw;
	int ok;
	(void)h;
	/*
	 * Plain data is written from the datagram itself, so the same pointer
	 * means the same bytes; decrypted data lands in each core's own buffer
	 * and is compared every time.
	 */
	if (sw->memo[sw->cur].buf == buf && sw->memo[sw->cur].off == off &&
	    sw->memo[sw->cur].len == len) {
		ok = sw->memo[sw->cur].ok;
	} else {
		ok = off <= sw->exp_len && len <= sw->exp_len - off &&
		     memcmp(sw->exp + off, buf, len) == 0;
		sw->memo[sw->cur].buf = buf;
		sw->memo[sw->cur].off = off;
		sw->memo[sw->cur].len = len;
		sw->memo[sw->cur].ok = ok;
	}
	r->bytes += len;
	if (!ok)
		r->bad++;
	return 0;
}

static int f_close(void *arg, int h, int ok, int64_t mtime)
{
	struct rcv *r = arg;
	(void)h;
	(void)mtime;
	r->file_ok = ok && r->open && r->bad == 0 && r->bytes == g_sw->exp_len;
	r->open = 0;
	return 0;
}

static int f_mkdir(void *arg, size_t root, const char *rel)
{
	(void)arg;
	(void)root;
	(void)rel;
	return 0;
}

static int f_symlink(void *arg, size_t root, const char *rel, const char *target)
{
	(void)arg;
	(void)root;
	(void)rel;
	(void)target;
	return 0;
}

static long rss_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0) {
			v = strtol(line + kl, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int flush_tx(struct swarm *sw)
{
	size_t done = 0;
	uint64_t deadline = uftp_clock_now() + UFTP_NS_PER_SEC;
	while (done < sw->ntx) {
		int k = uftp_sock_send(&sw->sock, sw->tx + done, sw->ntx - done);
		if (k < 0)
			return k;
		done += (size_t)k;
		if (done < sw->ntx) {
			struct pollfd p = {.fd = sw->sock.fd, .events = POLLOUT};
			if (uftp_clock_now() > deadline)
				break; /* dropped: the protocol's resends cover it */
			(void)poll(&p, 1, 50);
		}
	}
	sw->tx_dgrams += done;
	sw->ntx = 0;
	return 0;
}

static void sync_groups(struct swarm *sw, struct rcv *r)
{
	struct uftp_ipaddr g[SW_GROUPS];
	size_t i, j, k;
	uint64_t gen = uftp_client_groups_gen(r->core);
	if (gen == r->gen)
		return;
	r->gen = gen;
	k = uftp_client_groups(r->core, g, SW_GROUPS);
	if (k > SW_GROUPS)
		k = SW_GROUPS;
	for (i = 0; i < k; i++) {
		struct uftp_peer p = {.ip = g[i], .port = 0};
		struct uftp_addr a;
		uftp_peer_to_addr(&p, &a);
		for (j = 0; j < sw->ngroups; j++)
			if (uftp_addr_equal_host(&sw->groups[j], &a))
				break;
		if (j < sw->ngroups || sw->ngroups == SW_GROUPS)
			continue;
		if (uftp_sock_join(&sw->sock, &a, sw->ifindex) == 0)
			sw->groups[sw->ngroups++] = a;
		else
			log_warn("swarm: joining a private group");
	}
}

/* Drains what receiver r has to send and its events; full: and its expiry and groups. */
static void drain(struct swarm *sw, struct rcv *r, uint64_t now, int full)
{
	struct uftp_client_event ev;
	for (;;) {
		struct uftp_peer to;
		struct uftp_dgram *d;
		int len;
		if (sw->ntx == SW_TXSLOTS)
			(void)flush_tx(sw);
		d = &sw->tx[sw->ntx];
		len = uftp_client_pop_send(r->core, &to, d->buf, SW_DGRAM, now);
		if (len <= 0)
			break;
		d->len = (size_t)len;
		uftp_peer_to_addr(&to, &d->addr);
		sw->ntx++;
	}
	while (uftp_client_pop_event(r->core, &ev)) {
		switch (ev.type) {
		case UFTP_CEV_CONNECT:
			if (r->state == R_IDLE) {
				r->state = R_CONNECTED;
				sw->n_connected++;
				sw->t_connected = now;
			}
			break;
		case UFTP_CEV_DONE:
			if (r->state < R_DONE) {
				r->state = R_DONE;
				sw->n_done++;
				sw->t_done = now;
			}
			break;
		case UFTP_CEV_ABORTED:
			if (r->state < R_DONE) {
				r->state = R_ABORTED;
				sw->n_aborted++;
				sw->t_done = now;
				if (sw->n_aborted <= 5)
					log_warnx("swarm: receiver 0x%08" PRIX32 " aborted: %s",
					          r->id, ev.text);
			}
			break;
		default: break;
		}
	}
	if (!full)
		return;
	sync_groups(sw, r);
	r->next = uftp_client_next_expiry(r->core);
}

/*
 * Rounds of data seen on the wire (plaintext FILESEGs only): a block at or
 * before the previous one starts a round.  A server's repair pass is at
 * least one round; one that resends section by section as NAKs arrive
 * shows several per pass.
 */
static void note_fileseg(struct swarm *sw, const uint8_t *body, size_t len)
{
	struct uftp_fileseg fs;
	if (uftp_decode_fileseg(&fs, body, len) < 0)
		return;
	if (!sw->seen_seg || fs.file_id != sw->last_file) {
		sw->rounds = 1;
	} else if (fs.section < sw->last_sec ||
	           (fs.section == sw->last_sec && fs.block <= sw->last_blk)) {
		sw->rounds++;
	}
	sw->seen_seg = 1;
	sw->last_file = fs.file_id;
	sw->last_sec = fs.section;
	sw->last_blk = fs.block;
}

/*
 * Feeds a batch of datagrams to every receiver, receiver by receiver, so
 * that one receiver's state stays in cache for the whole batch (the cores
 * are otherwise bound by memory latency, a few misses per datagram each).
 */
static void on_batch(struct swarm *sw, const struct uftp_dgram *d, size_t n, uint64_t now)
{
	struct uftp_header h;
	static struct uftp_peer from[SW_BATCH];
	uint8_t use[SW_BATCH], data[SW_BATCH];
	size_t i, k;
	for (i = 0; i < n; i++) {
		use[i] = !d[i].truncated && uftp_decode_header(&h, d[i].buf, d[i].len) >= 0;
		data[i] = use[i] && h.func == UFTP_MSG_FILESEG;
		sw->memo[i].buf = NULL;
		if (!use[i])
			continue;
		sw->rx_dgrams++;
		if (h.func == UFTP_MSG_ANNOUNCE && sw->t_announce == 0)
			sw->t_announce = now;
		if (data[i]) {
			sw->rx_fileseg++;
			if (sw->t_fileseg == 0)
				sw->t_fileseg = now;
			note_fileseg(sw, d[i].buf + UFTP_HEADER_LEN, d[i].len - UFTP_HEADER_LEN);
		}
		uftp_addr_to_peer(&d[i].addr, &from[i]);
	}
	sw->batches++;
	/*
	 * A FILESEG makes a core send nothing at once (its STATUS answers a
	 * DONE) and only moves its expiry later (the idle limit): the drain
	 * after it waits for the end of the batch.  An expiry left earlier
	 * than the core's costs one on_expiry call that finds nothing due.
	 */
	for (k = 0; k < sw->n; k++) {
		struct rcv *r = &sw->r[k];
		for (i = 0; i < n; i++) {
			if (!use[i])
				continue;
			if (data[i] && sw->loss && (uint32_t)(xs64(&r->rng) >> 32) < sw->loss) {
				r->lost++;
				continue;
			}
			sw->cur = i;
			(void)uftp_client_on_datagram(r->core, &from[i], d[i].buf, d[i].len, now);
			if (!data[i])
				drain(sw, r, now, 0);
		}
		drain(sw, r, now, 1);
	}
}

/*
 * Receives one batch: what is waiting, and while the batch is not full,
 * what arrives within hold_ns of the first datagram.  Returns the count.
 */
static size_t gather(struct swarm *sw, struct uftp_dgram *rx, uint64_t hold_ns)
{
	size_t got = 0;
	uint64_t until = 0;

	while (got < SW_BATCH) {
		size_t want = SW_BATCH - got;
		int k = uftp_sock_recv(&sw->sock, rx + got,
		                       want < UFTP_NET_BATCH ? want : UFTP_NET_BATCH);
		uint64_t now;
		if (k > 0) {
			got += (size_t)k;
			continue;
		}
		if (got == 0 || hold_ns == 0)
			break;
		now = uftp_clock_now();
		if (until == 0)
			until = now + hold_ns;
		if (now >= until)
			break;
		{
			struct pollfd p = {.fd = sw->sock.fd, .events = POLLIN};
			int ms = (int)((until - now + UFTP_NS_PER_MSEC - 1) / UFTP_NS_PER_MSEC);
			if (poll(&p, 1, ms) <= 0)
				break;
		}
	}
	return got;
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: swarm -n N -f FILE [-i BASE_ID] [-b BIND_ADDR] [-p PORT] [-g GROUP]\n"
	        "             [-I IFNAME] [-l LOSS_PERCENT] [-s SEED] [-T TIMEOUT_S]\n"
	        "             [-w HOSTS_FILE] [-K KEYSPEC] [-x LOGLEVEL] [-B HOLD_US]\n");
	return 2;
}

static double secs(uint64_t a, uint64_t b)
{
	return a && b && b >= a ? (double)(b - a) / 1e9 : -1.0;
}

int main(int argc, char **argv)
{
	static struct swarm sw;
	struct uftp_env env;
	struct uftp_addr bind_addr, group;
	const char *fpath = NULL, *bind_s = "0.0.0.0", *group_s = "230.4.4.1", *ifname = NULL;
	const char *hosts = NULL, *keyspec = "rsa:1024";
	struct uftp_pkey *key = NULL;
	double loss_pct = 0;
	uint64_t hold_ns = (uint64_t)SW_HOLD_US * 1000;
	uint64_t seed = 1, timeout_s = 600, base = 0x0a000001, start, now, end_at = UFTP_NEVER;
	unsigned long port = 1044;
	int loglevel = 0, opt, rc;
	long rss0, rss1;
	size_t k, ok = 0;
	static struct uftp_dgram rx[SW_BATCH];
	uint8_t *rxbuf;

	while ((opt = getopt(argc, argv, "n:f:i:b:p:g:I:l:s:T:w:K:x:B:")) != -1) {
		switch (opt) {
		case 'n': sw.n = strtoul(optarg, NULL, 10); break;
		case 'f': fpath = optarg; break;
		case 'i': base = strtoull(optarg, NULL, 0); break;
		case 'b': bind_s = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 'g': group_s = optarg; break;
		case 'I': ifname = optarg; break;
		case 'l': loss_pct = strtod(optarg, NULL); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'T': timeout_s = strtoull(optarg, NULL, 10); break;
		case 'w': hosts = optarg; break;
		case 'K': keyspec = optarg; break;
		case 'x': loglevel = (int)strtol(optarg, NULL, 10); break;
		case 'B': hold_ns = strtoull(optarg, NULL, 10) * 1000; break;
		default: return usage();
		}
	}
	if (sw.n == 0 || sw.n > 1000000 || port == 0 || port > 65535 || loss_pct < 0 ||
	    loss_pct >= 100 || base == 0 || base + sw.n > 0xffffffffULL)
		return usage();
	log_init(loglevel, stderr);
	if (hosts) {
		FILE *f = fopen(hosts, "w");
		if (!f) {
			log_warn("swarm: %s", hosts);
			return 1;
		}
		for (k = 0; k < sw.n; k++)
			fprintf(f, "0x%08" PRIX64 "\n", base + k);
		return fclose(f) == 0 ? 0 : 1;
	}
	if (!fpath)
		return usage();
	{
		int fd = open(fpath, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			log_warn("swarm: %s", fpath);
			return 1;
		}
		sw.exp_len = (uint64_t)st.st_size;
		if (sw.exp_len) {
			void *m = mmap(NULL, (size_t)sw.exp_len, PROT_READ, MAP_PRIVATE, fd, 0);
			if (m == MAP_FAILED) {
				log_warn("swarm: mmap %s", fpath);
				return 1;
			}
			sw.exp = m;
		}
		close(fd);
	}
	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO) {
		log_warnx("swarm: crypto library unusable");
		return 1;
	}
	if (uftp_keyspec_generate(keyspec, &key) != 0) {
		log_warnx("swarm: cannot make a key %s", keyspec);
		return 2;
	}
	sw.loss = (uint32_t)(loss_pct / 100.0 * 4294967296.0);
	g_sw = &sw;
	uftp_env_driver(&env, loglevel);

	if (uftp_addr_parse(&bind_addr, bind_s, (uint16_t)port) != 0 ||
	    uftp_addr_parse(&group, group_s, (uint16_t)port) != 0) {
		log_warnx("swarm: bad address");
		return 2;
	}
	if (uftp_sock_open(&sw.sock, &bind_addr, UFTP_SOCK_REUSEADDR) != 0) {
		log_warn("swarm: socket");
		return 1;
	}
	(void)uftp_sock_set_bufsize(&sw.sock, 64 << 20);
	if (ifname && (sw.ifindex = if_nametoindex(ifname)) == 0) {
		log_warn("swarm: %s", ifname);
		return 1;
	}
	if (uftp_addr_is_multicast(&group) && uftp_sock_join(&sw.sock, &group, sw.ifindex) != 0) {
		log_warn("swarm: joining %s", group_s);
		return 1;
	}

	/*
	 * Large zeroed blocks (the cores' datagram and event buffers) straight
	 * from mmap: pages a receiver never touches then cost no memory.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 16384);
	sw.r = calloc(sw.n, sizeof(*sw.r));
	sw.txbuf = malloc((size_t)SW_TXSLOTS * SW_DGRAM);
	rxbuf = malloc((size_t)SW_BATCH * SW_RXCAP);
	if (!sw.r || !sw.txbuf || !rxbuf) {
		log_warnx("swarm: out of memory");
		return 1;
	}
	for (k = 0; k < SW_TXSLOTS; k++)
		sw.tx[k].buf = sw.txbuf + k * SW_DGRAM;
	/* the shared buffers are resident before the baseline: per receiver is per receiver */
	memset(sw.txbuf, 0, (size_t)SW_TXSLOTS * SW_DGRAM);
	memset(rxbuf, 0, (size_t)SW_BATCH * SW_RXCAP);
	rss0 = rss_kb("VmRSS:");
	start = uftp_clock_now();
	for (k = 0; k < sw.n; k++) {
		struct rcv *r = &sw.r[k];
		struct uftp_client_config cc;
		memset(&cc, 0, sizeof(cc));
		r->id = (uint32_t)(base + k);
		r->rng = (seed * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)r->id * 0xBF58476D1CE4E5B9ULL);
		if (r->rng == 0)
			r->rng = 1;
		r->fops.arg = r;
		r->fops.open = f_open;
		r->fops.write = f_write;
		r->fops.close = f_close;
		r->fops.mkdir = f_mkdir;
		r->fops.symlink = f_symlink;
		cc.uid = r->id;
		cc.roots[0] = "/swarm";
		cc.nroots = 1;
		cc.max_sessions = 1;
		cc.keys[0] = key;
		cc.nkeys = 1;
		cc.fops = &r->fops;
		if (uftp_client_new(&r->core, &env, &cc, start) != 0) {
			log_warnx("swarm: client core %zu", k);
			return 1;
		}
		r->next = uftp_client_next_expiry(r->core);
	}
	rss1 = rss_kb("VmRSS:");
	{
		int snd = 0, rcv = 0;
		(void)uftp_sock_get_bufsize(&sw.sock, &snd, &rcv);
		printf("receivers %zu\nrcvbuf %d\nready 1\n", sw.n, rcv);
	}
	fflush(stdout);

	end_at = start + timeout_s * UFTP_NS_PER_SEC;
	for (k = 0; k < SW_BATCH; k++) {
		rx[k].buf = rxbuf + k * SW_RXCAP;
		rx[k].cap = SW_RXCAP;
	}
	rc = 0;
	for (;;) {
		uint64_t next = UFTP_NEVER;
		int tmo;
		struct pollfd p = {.fd = sw.sock.fd, .events = POLLIN};
		now = uftp_clock_now();
		if (sw.n_done + sw.n_aborted == sw.n) {
			if (now >= sw.t_done + UFTP_NS_PER_SEC)
				break; /* a second to answer late resends */
		}
		if (now >= end_at) {
			log_warnx("swarm: timeout after %" PRIu64 " s", timeout_s);
			break;
		}
		for (k = 0; k < sw.n; k++) {
			struct rcv *r = &sw.r[k];
			if (r->next <= now) {
				uftp_client_on_expiry(r->core, now);
				drain(&sw, r, now, 1);
			}
			if (r->next < next)
				next = r->next;
		}
		(void)flush_tx(&sw);
		if (next > end_at)
			next = end_at;
		tmo = next <= now ? 0 : (int)((next - now) / UFTP_NS_PER_MSEC + 1);
		if (tmo > 100)
			tmo = 100;
		if (poll(&p, 1, tmo) < 0 && errno != EINTR)
			break;
		for (int turns = 0; turns < 4; turns++) {
			size_t got = gather(&sw, rx, hold_ns);
			if (got == 0)
				break;
			now = uftp_clock_now();
			on_batch(&sw, rx, got, now);
			(void)flush_tx(&sw);
		}
	}

	for (k = 0; k < sw.n; k++) {
		struct rcv *r = &sw.r[k];
		if (r->state == R_DONE && r->file_ok)
			ok++;
	}
	{
		long hwm = rss_kb("VmHWM:");
		uint64_t lost = 0;
		for (k = 0; k < sw.n; k++)
			lost += sw.r[k].lost;
		printf("registered %zu\n", sw.n_connected);
		printf("done %zu\naborted %zu\nsucceeded %zu\nfailed %zu\n", sw.n_done,
		       sw.n_aborted, ok, sw.n - ok);
		printf("registration_s %.3f\n", secs(sw.t_announce, sw.t_connected));
		/* encrypted sessions show no FILESEG: from the last registration then */
		printf("transfer_s %.3f\n",
		       secs(sw.t_fileseg ? sw.t_fileseg : sw.t_connected, sw.t_done));
		printf("rounds %" PRIu64 "\n", sw.rounds);
		/* the monotonic clock is the machine's: swarms in other namespaces compare */
		printf("t_announce_ns %" PRIu64 "\nt_connected_ns %" PRIu64
		       "\nt_fileseg_ns %" PRIu64 "\nt_done_ns %" PRIu64 "\n",
		       sw.t_announce, sw.t_connected, sw.t_fileseg, sw.t_done);
		printf("rx_datagrams %" PRIu64 "\nrx_fileseg %" PRIu64 "\ntx_datagrams %" PRIu64
		       "\n",
		       sw.rx_dgrams, sw.rx_fileseg, sw.tx_dgrams);
		printf("datagrams_per_batch %.1f\n",
		       sw.batches ? (double)sw.rx_dgrams / (double)sw.batches : 0.0);
		printf("lost_fileseg_per_receiver %.1f\n", (double)lost / (double)sw.n);
		printf("rss_kb %ld\nrss_hwm_kb %ld\n", rss_kb("VmRSS:"), hwm);
		{
			struct rusage ru;
			if (getrusage(RUSAGE_SELF, &ru) == 0)
				printf("cpu_s %.2f\n", (double)ru.ru_utime.tv_sec +
				                           (double)ru.ru_stime.tv_sec +
				                           ((double)ru.ru_utime.tv_usec +
				                            (double)ru.ru_stime.tv_usec) /
				                               1e6);
		}
		printf("bytes_per_receiver_at_start %ld\n",
		       rss1 > rss0 ? (rss1 - rss0) * 1024 / (long)sw.n : 0);
		printf("bytes_per_receiver_peak %ld\n",
		       hwm > rss0 ? (hwm - rss0) * 1024 / (long)sw.n : 0);
	}
	if (ok != sw.n)
		rc = 1;
	for (k = 0; k < sw.n; k++)
		uftp_client_free(sw.r[k].core);
	free(sw.r);
	free(sw.txbuf);
	free(rxbuf);
	uftp_sock_close(&sw.sock);
	uftp_pkey_free(key);
	if (sw.exp)
		munmap((void *)(uintptr_t)sw.exp, (size_t)sw.exp_len);
	return rc;
}
