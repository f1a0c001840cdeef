/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd driver: keys, sockets (memberships: member.c), set-up, and the
 * loop feeding the client core; files go through disk.c, reports of
 * finished work through status.c.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/log.h"

#include "core/err.h"
#include "crypto/env.h"
#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "crypto/ossl.h"
#include "lib/clock.h"
#include "lib/control.h"
#include "lib/daemon.h"
#include "lib/hostlist.h"
#include "lib/iface.h"
#include "lib/loop.h"
#include "lib/net.h"
#include "lib/opts.h"
#include "lib/peer.h"
#include "lib/statsview.h"
#include "lib/pump.h"
#include "uftpd/disk.h"
#include "uftpd/member.h"
#include "uftpd/status.h"
#include "uftpd/uftpd.h"

#define RX_BATCH  64
#define RX_BUFLEN 10240 /* an 8800-byte block, headers and an RSA-8192 signature */
#define RX_ROUNDS 8
#define TX_SLOTS  64
#define RCVBUF_AUTO                                                                                \
	(32 << 20) /* the receive buffer without -B (granted up to the system's limit) */

struct uftpd {
	struct uftpd_opts *o;
	struct uftp_sock s4, s6;
	struct uftp_rx_hold h4, h6; /* receive pacing of s4, s6 */
	struct uftp_ifset ifs;      /* -I: where memberships go */
	struct uftpd_disk disk;
	struct uftp_pkey *keys[UFTP_CLIENT_MAX_KEYS];
	size_t nkeys;
	struct uftp_client_config cfg;
	struct uftp_client_fops fops;
	struct uftp_env env;
	struct uftp_client *core;
	struct uftp_loop loop;
	struct uftp_ctl *ctl; /* --control */
	int ready4, ready6;   /* poll found s4 / s6 readable: read them this turn */
	int replied;          /* drain_writes queued a datagram since receive() began */
	struct uftpd_members members;
	struct uftpd_status status;
	uint64_t rx_oversized;  /* datagrams over RX_BUFLEN: no UFTP message is that long */
	struct uftp_rxq rx;     /* one receive batch, for s4 and s6 in turn */
	struct uftp_txq t4, t6; /* replies waiting for s4, s6 */
	uint64_t retry_at;      /* when to retry sends a full buffer stopped (0: none) */
};

/* ---- multicast memberships ---------------------------------------------- */

static int join_all(struct uftpd *d, const struct uftp_addr *g, int join)
{
	return uftp_sock_join_set(uftp_addr_family(g) == AF_INET6 ? &d->s6 : &d->s4, &d->ifs, g,
	                          NULL, join);
}

/* -S: (S,G) memberships for every listed server address of g's family. */
static int join_ssm(struct uftpd *d, const struct uftp_addr *g, const struct uftp_addr *only,
                    int join)
{
	int v6 = uftp_addr_family(g) == AF_INET6;
	struct uftp_addr src;
	size_t k;
	int ok = 0;

	for (k = 0; k < d->cfg.nservers; k++) {
		const struct uftp_peer_key *e = &d->cfg.servers[k];
		if (e->addr.family != (v6 ? 6 : 4))
			continue;
		uftp_addr_from_bytes(&src, e->addr.addr, v6 ? 16 : 4, 0);
		if (only && !uftp_addr_equal_host(&src, only))
			continue;
		ok += uftp_sock_join_set(v6 ? &d->s6 : &d->s4, &d->ifs, g, &src, join) == 0;
	}
	return ok ? 0 : UFTP_ERR_IO;
}

/* The join function of d->members: ASM on every -I interface, or (S,G) with -S. */
static int member_join(void *arg, const struct uftp_addr *g, int join)
{
	struct uftpd *d = arg;

	if (uftp_addr_is_ssm(g) && d->cfg.nservers)
		return join_ssm(d, g, NULL, join);
	return join_all(d, g, join);
}

/* Joins and leaves what the core's sessions need now (a no-op when nothing changed). */
static void sync_members(struct uftpd *d)
{
	size_t failed = uftpd_members_sync(&d->members, d->core);

	if (failed)
		log_warnx("cannot join a private multicast group (%zu failed)", failed);
}

/* ---- the loop --------------------------------------------------------- */

static void drain_events(struct uftpd *d)
{
	struct uftp_client_event ev;

	while (uftp_client_pop_event(d->core, &ev)) {
		uftpd_status_event(&d->status, &ev);
	}
}

/* Flushes both send queues; 1 when a full buffer left something queued. */
static int flush_writes(struct uftpd *d)
{
	int b4 = uftp_txq_flush(&d->t4, &d->s4);
	int b6 = uftp_txq_flush(&d->t6, &d->s6);

	return b4 == 1 || b6 == 1;
}

/*
 * Everything the core has to send, in batches per socket. When a full
 * buffer leaves a queue full, the rest waits in the core; the loop retries
 * at d->retry_at.
 */
static void drain_writes(struct uftpd *d, uint64_t now)
{
	struct uftp_txq *q;
	struct uftp_peer to;
	struct uftp_addr a;
	uint8_t buf[RX_BUFLEN];
	int n;

	d->retry_at = 0;
	for (;;) {
		if ((!uftp_txq_next(&d->t4) || !uftp_txq_next(&d->t6)) && flush_writes(d))
			break;
		n = uftp_client_pop_send(d->core, &to, buf, sizeof(buf), now);
		if (n <= 0)
			break;
		q = to.ip.family == 6 ? &d->t6 : &d->t4;
		memcpy(uftp_txq_next(q), buf, (size_t)n);
		uftp_peer_to_addr(&to, &a);
		uftp_txq_push(q, &a, (size_t)n);
		d->replied = 1;
	}
	if (flush_writes(d))
		d->retry_at = now + UFTP_PUMP_RETRY_NS;
}

/*
 * Reads what waits on s (up to RX_ROUNDS batches), all at the turn's time
 * now; returns the count and its bytes.  Events are taken after every
 * datagram (each core call raises at most what the queue holds), and the
 * memberships and replies follow each batch.
 */
static int read_socket(struct uftpd *d, struct uftp_sock *s, size_t *bytes, uint64_t now)
{
	const struct uftp_addr *a;
	struct uftp_peer p;
	uint8_t *buf;
	size_t len;
	int n, cut, round, total = 0;

	*bytes = 0;
	for (round = 0; round < RX_ROUNDS; round++) {
		n = uftp_rxq_read(&d->rx, s);
		while (uftp_rxq_pop(&d->rx, &buf, &len, &a, &cut)) {
			*bytes += len;
			total++;
			if (cut || len > RX_BUFLEN) {
				d->rx_oversized++;
				log_debug("dropped a datagram over %d bytes", RX_BUFLEN);
				continue;
			}
			uftp_addr_to_peer(a, &p);
			uftp_client_on_datagram(d->core, &p, buf, len, now);
			drain_events(d);
		}
		sync_members(d);
		drain_writes(d, now);
		if (n < RX_BATCH)
			break;
	}
	return total;
}

static struct uftp_rx_hold *hold_of(struct uftpd *d, const struct uftp_sock *s)
{
	return s == &d->s4 ? &d->h4 : &d->h6;
}

/* Reads s and decides whether (and how long) to leave it unwatched now. */
static void receive(struct uftpd *d, struct uftp_sock *s, int held, uint64_t now)
{
	struct uftp_rx_hold *h = hold_of(d, s);
	size_t bytes;
	uint64_t ns;
	int n;

	d->replied = 0;
	n = read_socket(d, s, &bytes, now);
	/*
	 * No hold after a reply (FILEINFO_ACK, STATUS, COMPLETE...): the
	 * server may be waiting for it, and what it sends next must be read
	 * when it comes (small files are a reply per file each way).
	 */
	if (d->replied)
		ns = uftp_rx_hold_next(h, 0, 0, 0, now);
	else
		ns = uftp_rx_hold_next(h, n, bytes, held, now);

	uftp_loop_set_events(&d->loop, s->fd, ns ? 0 : POLLIN); /* see lib/loop.h */
}

/* Noted only: the turn that follows reads the socket with its one clock reading. */
static void on_readable(void *arg, int fd, short revents)
{
	struct uftpd *d = arg;

	(void)revents;
	if (fd == d->s4.fd)
		d->ready4 = 1;
	else
		d->ready6 = 1;
}

/* The earlier of the core's next deadline and the end of a hold. */
static uint64_t loop_deadline(struct uftpd *d)
{
	uint64_t t = uftp_client_next_expiry(d->core);

	if (d->retry_at && d->retry_at < t)
		t = d->retry_at;
	if (d->h4.until && d->h4.until < t)
		t = d->h4.until;
	if (d->h6.until && d->h6.until < t)
		t = d->h6.until;
	return t;
}

/*
 * Reads a socket poll found readable, or one whose hold is over (and holds
 * it again if data still streams).
 */
static void read_ready(struct uftpd *d, struct uftp_sock *s, int *ready, uint64_t now)
{
	struct uftp_rx_hold *h = hold_of(d, s);

	if (*ready)
		receive(d, s, 0, now);
	else if (h->until && now >= h->until)
		receive(d, s, 1, now);
	*ready = 0;
}

/* SIGCHLD: a postreceive script (-s) ended (lib/daemon.c takes the other signals). */
static void on_child(void *arg, int signo)
{
	struct uftpd *d = arg;

	(void)signo;
	uftp_reap_children(uftpd_status_reaped, &d->status);
}

/*
 * One turn per wake-up, with one clock reading: the sockets poll found
 * readable (or whose hold ended), then the core's timers, then what they
 * changed (memberships, replies, events); then sleep until the next deadline.
 */
static void run_loop(void *arg)
{
	struct uftpd *d = arg;
	uint64_t now;

	while (!uftp_loop_stopped(&d->loop)) {
		now = uftp_clock_now();
		read_ready(d, &d->s4, &d->ready4, now);
		read_ready(d, &d->s6, &d->ready6, now);
		uftp_client_on_expiry(d->core, now);
		drain_events(d);
		sync_members(d);
		drain_writes(d, now);
		uftp_loop_run_once(&d->loop, uftp_ctl_turn(d->ctl, now, loop_deadline(d)));
	}
}

static void log_stats(const struct uftpd *d)
{
	struct uftp_core_stats st;
	uint64_t dropped = d->rx_oversized; /* dropped here, before the core */
	uint64_t rx;
	char why[256] = "";

	uftp_client_get_stats(d->core, &st);
	rx = st.rx_datagrams + d->rx_oversized;
	dropped += uftp_drops_format(&st, why, sizeof(why));
	log_info("exiting: %llu datagrams in (%llu dropped), %llu out; %llu sessions (%llu "
	         "aborted, %llu half-open displaced, %llu refused: too many), %llu files (%llu "
	         "rejected)",
	         (unsigned long long)rx, (unsigned long long)dropped,
	         (unsigned long long)st.tx_datagrams, (unsigned long long)st.sessions_started,
	         (unsigned long long)st.sessions_aborted, (unsigned long long)st.sessions_evicted,
	         (unsigned long long)st.sessions_refused, (unsigned long long)st.files_done,
	         (unsigned long long)st.files_failed);
	if (why[0])
		log_info("dropped by reason: %s", why);
	if (st.events_lost)
		log_warnx("%llu core events were lost", (unsigned long long)st.events_lost);
}

/* ---- set-up ----------------------------------------------------------- */

/* The receive buffer the kernel granted (0 if unknown: no holds then). */
static size_t rcvbuf_of(const struct uftp_sock *s)
{
	int snd, rcv;

	return uftp_sock_get_bufsize(s, &snd, &rcv) == 0 && rcv > 0 ? (size_t)rcv : 0;
}

static int open_socket(struct uftpd *d, struct uftp_sock *s, int family)
{
	struct uftp_addr any;

	uftp_addr_any(&any, family, d->o->c.port);
	if (uftp_sock_open(s, &any,
	                   UFTP_SOCK_REUSEADDR | (family == AF_INET6 ? UFTP_SOCK_V6ONLY : 0)) < 0)
		return UFTP_ERR_IO;
	if (d->o->c.bufsize)
		uftp_sock_set_bufsize(s, d->o->c.bufsize);
	else
		uftp_sock_set_rcvbuf(s, RCVBUF_AUTO);
	hold_of(d, s)->rcvbuf = rcvbuf_of(s);
	if (d->o->c.dscp)
		uftp_sock_set_dscp(s, d->o->c.dscp);
	return uftp_loop_add(&d->loop, s->fd, POLLIN, on_readable, d);
}

/* A public group (-M): joined on every -I interface, or (S,G) with -S. */
static int join_pub(void *arg, const struct uftp_addr *g)
{
	struct uftpd *d = arg;

	return d->cfg.nservers ? join_ssm(d, g, NULL, 1) : join_all(d, g, 1);
}

static int setup_net(struct uftpd *d)
{
	if (open_socket(d, &d->s4, AF_INET) < 0) {
		log_warn("cannot bind UDP port %u (IPv4)", d->o->c.port);
		return EXIT_NET;
	}
	if (open_socket(d, &d->s6, AF_INET6) < 0)
		log_debug("no IPv6 socket: IPv6 sessions unavailable");
	return uftp_daemon_join_pubs(&d->o->c, d->cfg.nservers != 0, join_pub, d);
}

static struct uftp_keyset_opts keyset_opts(const struct uftp_daemon_opts *c)
{
	struct uftp_keyset_opts k = {c->keyfiles, c->nkeyfiles, c->keyspecs, c->nkeyspecs};

	return k;
}

/* -R host[/fingerprint]: where replies go; the fingerprint checks its PROXY_KEY. */
static int setup_proxy(struct uftpd *d)
{
	char host[256];
	uint8_t fp[UFTP_FP_LEN];
	struct uftp_addr a;
	int has_fp;

	if (uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, d->o->proxy) < 0 ||
	    uftp_addr_resolve(&a, host, d->o->c.port, AF_UNSPEC) < 0) {
		log_warnx("-R %s: not a usable proxy address", d->o->proxy);
		return UFTP_ERR_INVALID;
	}
	uftp_addr_to_peer(&a, &d->cfg.resp_proxy);
	d->cfg.resp_proxy_has_fp = has_fp;
	memcpy(d->cfg.resp_proxy_fp, fp, sizeof(d->cfg.resp_proxy_fp));
	return 0;
}

/* -H host[:port],...: the proxies heartbeats go to (names resolved once, at start). */
static int setup_hb(struct uftpd *d)
{
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_addr a;
	size_t i;
	int rv;

	for (i = 0; i < c->nhbs; i++) {
		if (i == UFTP_CLIENT_MAX_HB) {
			log_warnx("-H: at most %d heartbeat proxies", UFTP_CLIENT_MAX_HB);
			return UFTP_ERR_INVALID;
		}
		rv = uftp_addr_resolve(&a, c->hbs[i], 1044, AF_UNSPEC);
		if (rv < 0 || uftp_addr_port(&a) == 0) {
			log_warnx("-H %s: %s", c->hbs[i],
			          rv == UFTP_ERR_IO ? "no such host" : "not host or host:port");
			return UFTP_ERR_INVALID;
		}
		uftp_addr_to_peer(&a, &d->cfg.hb[i]);
	}
	d->cfg.nhb = c->nhbs;
	d->cfg.hb_interval = (uint64_t)c->hb_interval * UFTP_NS_PER_SEC;
	return 0;
}

/* -D, -A, -T, -t, -c: the disk backend's options. */
static struct uftpd_disk_opts disk_opts(const struct uftpd_opts *o)
{
	struct uftpd_disk_opts k = {o->dest,    o->ndest,    o->backup,       o->nbackup,
	                            o->tempdir, o->tempfile, (size_t)o->cache};

	return k;
}

static int setup_core(struct uftpd *d, const struct uftp_addr *first)
{
	struct uftpd_opts *o = d->o;
	struct uftpd_disk_opts k = disk_opts(o);
	size_t i;
	int rv;

	if (uftp_daemon_id(&o->c, first, &d->cfg.uid) < 0)
		return EXIT_NET;
	if (uftpd_disk_init(&d->disk, &k) < 0)
		return EXIT_BADOPT;
	for (i = 0; i < o->ndest; i++)
		d->cfg.roots[i] = o->dest[i];
	d->cfg.nroots = o->ndest;
	if (o->proxy && setup_proxy(d) < 0)
		return EXIT_BADOPT;
	if (setup_hb(d) < 0)
		return EXIT_BADOPT;
	if (uftpd_disk_open_extra(&d->disk) < 0)
		return EXIT_BADOPT;
	d->cfg.temp_dir = o->tempdir != NULL;
	d->cfg.encrypted_only = o->encrypted_only;
	memcpy(d->cfg.keys, d->keys, sizeof(d->keys));
	d->cfg.nkeys = d->nkeys;
	uftpd_disk_fops(&d->disk, &d->fops);
	d->cfg.fops = &d->fops;
	d->status.roots = d->cfg.roots;
	d->status.nroots = d->cfg.nroots;
	d->status.disk = o->tempdir ? &d->disk : NULL;
	uftp_env_driver(&d->env, o->c.loglevel);
	rv = uftp_client_new(&d->core, &d->env, &d->cfg, uftp_clock_now());
	uftpd_members_init(&d->members, member_join, d);
	if (rv < 0)
		log_warnx("cannot start the client core: %s", uftp_strerror(rv));
	return rv == 0 ? 0 : rv == UFTP_ERR_NOMEM ? EXIT_MEM : EXIT_BADOPT;
}

/* The status file (-F) and scripts (-s): opened before going to the background. */
static int setup_status(struct uftpd *d)
{
	d->status.statusfile = d->o->statusfile;
	d->status.script = d->o->script;
	d->status.individual = d->o->individual;
	return uftpd_status_open(&d->status) < 0 ? EXIT_LOG : 0;
}

/* Keys, the -S list, sockets and the core (lib/daemon.c has set up the loop). */
static int setup(void *arg)
{
	struct uftpd *d = arg;
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_keyset_opts k = keyset_opts(c);
	struct uftp_addr first;
	char err[256];
	int rv = setup_status(d);

	if (!rv && uftp_ossl_init(err, sizeof(err)) == UFTP_ERR_CRYPTO) {
		log_warnx("crypto library: %s", err);
		return EXIT_KEY;
	}
	/* the interfaces to join on (a named one on both families), and the
	 * address our default ID comes from */
	if (!rv)
		rv = uftp_ifset_select(&d->ifs, c->ifaces, c->nifaces, 1, &first);
	if (!rv && uftp_keyset_setup(&k, d->keys, UFTP_CLIENT_MAX_KEYS, &d->nkeys) < 0)
		rv = EXIT_KEY;
	if (!rv && c->serverlist)
		rv = uftp_daemon_read_servers(c->serverlist, d->cfg.servers,
		                              UFTP_CLIENT_MAX_SERVERS, &d->cfg.nservers);
	if (!rv)
		rv = setup_net(d);
	if (!rv)
		rv = setup_core(d, &first);
	if (!rv && c->control &&
	    uftp_ctl_open(&d->ctl, c->control, &d->loop, uftp_stats_view_client(d->core), PROG) < 0)
		rv = EXIT_NET;
	return rv;
}

static void teardown(void *arg)
{
	struct uftpd *d = arg;
	size_t i;

	uftp_ctl_close(d->ctl);
	uftp_client_free(d->core);
	uftp_sock_close(&d->s4);
	uftp_sock_close(&d->s6);
	uftpd_disk_free(&d->disk);
	for (i = 0; i < d->nkeys; i++)
		uftp_pkey_free(d->keys[i]);
	uftpd_status_close(&d->status);
	uftp_rxq_free(&d->rx);
	uftp_txq_free(&d->t4);
	uftp_txq_free(&d->t6);
}

/* In the log file, once it is open: the keys in use; then what we serve. */
static void started(void *arg, char *line, size_t cap)
{
	struct uftpd *d = arg;
	struct uftp_keyset_opts k = keyset_opts(&d->o->c);

	uftp_keyset_log(&k, d->keys, d->nkeys);
	snprintf(line, cap, "listening on port %u as client 0x%08X", d->o->c.port, d->cfg.uid);
}

/* The last turn: every session ends, every group is left; then the figures. */
static void finish(void *arg)
{
	struct uftpd *d = arg;
	uint64_t now = uftp_clock_now();

	uftp_client_shutdown(d->core, now);
	drain_writes(d, now);
	drain_events(d);
	sync_members(d);
	log_stats(d);
}

int uftpd_run(struct uftpd_opts *o)
{
	static const int child[] = {SIGCHLD};
	static const struct uftp_daemon_ops ops = {setup,    started,  run_loop, finish,
	                                           teardown, on_child, child,    1};
	static struct uftpd d;
	struct uftp_daemon dm;

	d.o = o;
	d.s4.fd = d.s6.fd = -1;
	if (uftp_rxq_init(&d.rx, RX_BATCH, RX_BUFLEN, 1) < 0 ||
	    uftp_txq_init(&d.t4, TX_SLOTS, RX_BUFLEN) < 0 ||
	    uftp_txq_init(&d.t6, TX_SLOTS, RX_BUFLEN) < 0)
		return EXIT_MEM;
	return uftp_daemon_main(&dm, &o->c, &d.loop, &ops, &d);
}
