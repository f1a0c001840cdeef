/*
 * uftpproxyd driver: keys, sockets and multicast memberships, and the loop
 * feeding the proxy core (src/core/proxy.h).
 *
 * One loop turn: read the clock once; read the sockets poll found readable
 * (draining the core's output after each batch and its events after each
 * datagram); run the core's expiries; drain again; reconcile the multicast
 * memberships with the groups the core needs; sleep until the next
 * deadline or datagram.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/log.h"

#include "core/err.h"
#include "crypto/env.h"
#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "lib/clock.h"
#include "lib/daemon.h"
#include "lib/hostlist.h"
#include "lib/iface.h"
#include "lib/loop.h"
#include "lib/net.h"
#include "lib/opts.h"
#include "lib/peer.h"
#include "uftpproxyd/uftpproxyd.h"

#define MAX_KEYS    16
#define RX_BATCH    64
#define RX_ROUNDS   8
#define MAX_SERVERS 64
#define MAX_CLIENTS 1024
/* member sockets per family: room for UFTP_PROXY_MAX_GROUPS at 20 per socket */
#define MEMBER_SOCKS 4
#define MEMBER_RETRY (UFTP_NS_PER_SEC / 4) /* a failed join is tried again this often */

struct pxd {
	struct uftpproxyd_opts *o;
	struct uftp_sock s4, s6;
	struct uftp_ifset ifs; /* -I: where memberships go */
	struct uftp_pkey *keys[MAX_KEYS];
	size_t nkeys;
	struct uftp_pkey *dhkey;                   /* -r:curve / -e */
	struct uftp_peer_key servers[MAX_SERVERS]; /* -S */
	struct uftp_peer_key clients[MAX_CLIENTS]; /* -C */
	struct uftp_proxy_config cfg;
	struct uftp_env env;
	struct uftp_proxy *core;
	struct uftp_loop loop;
	int interrupted;
	uint8_t *rxbuf;
	struct log_limit hb_log; /* rejected heartbeats: a flood must not fill the log */
	int ready4, ready6;      /* poll found the socket readable */
	/* the sessions' groups, as last reconciled with uftp_proxy_groups() */
	struct joined {
		struct uftp_ipaddr addr;
		uint32_t group_id;
		int holder;     /* the member socket holding it; -1: not joined (yet) */
		unsigned tries; /* failed joins so far */
	} joined[UFTP_PROXY_MAX_GROUPS];
	size_t njoined;
	struct uftp_sock m4[MEMBER_SOCKS], m6[MEMBER_SOCKS]; /* hold the memberships */
	uint64_t groups_gen; /* uftp_proxy_groups_gen() at the last reconciliation */
	uint64_t retry_at;   /* when failed joins are tried again (UFTP_NEVER: none) */
};

/* At most HB_LOG_BURST "heartbeat rejected" lines per HB_LOG_WINDOW. */
#define HB_LOG_WINDOW (10 * UFTP_NS_PER_SEC)
#define HB_LOG_BURST  5

/* ---- addresses ---------------------------------------------------------- */

static void ipaddr_to_addr(const struct uftp_ipaddr *ip, struct uftp_addr *a)
{
	uftp_addr_from_bytes(a, ip->addr, ip->family == 6 ? 16 : 4, 0);
}

/* ---- multicast memberships ---------------------------------------------- */

/*
 * The receiving socket holds the public groups (-M).  The sessions' private
 * groups are held by member sockets opened as needed (never read: with
 * IP_MULTICAST_ALL, the kernel's default, a membership held by any socket
 * brings the group's datagrams to the receiving socket), because the kernel
 * limits memberships per socket (net.ipv4.igmp_max_memberships, 20 by
 * default) and a flood of forged announcements must not use up the slots a
 * real session needs.
 */
static struct uftp_sock *sock_of(struct pxd *d, const struct uftp_addr *g)
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

static int join_group(struct pxd *d, struct uftp_sock *s, const struct uftp_addr *g, int join)
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
	if (sock_of(d, g)->fd < 0)
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
		if (s && join_group(d, s, &g, 1) == 0) {
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
	join_group(d, member_sock(d, &g, (size_t)j->holder), &g, 0);
	log_debug("[%08X] left %s", j->group_id, uftp_addr_ntop(&g, buf, sizeof(buf)));
}

static int ip_equal(const struct uftp_ipaddr *a, const struct uftp_ipaddr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static int wanted(const struct uftp_proxy_group *g, size_t n, const struct uftp_ipaddr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ip_equal(&g[i].addr, a))
			return 1;
	return 0;
}

static int is_joined(const struct pxd *d, const struct uftp_ipaddr *a)
{
	size_t i;

	for (i = 0; i < d->njoined; i++)
		if (ip_equal(&d->joined[i].addr, a))
			return 1;
	return 0;
}

/*
 * Brings the memberships to the groups the core needs: leaves first (that
 * frees room), then joins.  A join that failed stays wanted and is tried
 * again at every change and every MEMBER_RETRY until it works.
 */
static void sync_groups(struct pxd *d, uint64_t now)
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
		if (wanted(g, n, &d->joined[i].addr)) {
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

/* ---- the loop ----------------------------------------------------------- */

/* Reports the rejected heartbeats the rate limit kept out of the log. */
static void flush_hb_log(struct pxd *d, uint64_t now)
{
	uint64_t n = log_limit_flush(&d->hb_log, now);

	if (n)
		log_warnx("%llu more heartbeats rejected in %u s (not logged one by one)",
		          (unsigned long long)n, (unsigned)(HB_LOG_WINDOW / UFTP_NS_PER_SEC));
}

static void drain_events(struct pxd *d, uint64_t now)
{
	struct uftp_proxy_event ev;
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	while (uftp_proxy_pop_event(d->core, &ev)) {
		switch (ev.type) {
		case UFTP_PEV_DEST:
			uftp_peer_to_addr(&ev.peer, &a);
			log_info("downstream proxy is now %s",
			         uftp_addr_format(&a, buf, sizeof(buf)));
			break;
		case UFTP_PEV_HB_REJECT:
			flush_hb_log(d, now);
			if (!log_limit_allow(&d->hb_log, now))
				break;
			uftp_peer_to_addr(&ev.peer, &a);
			log_warnx("heartbeat from %s rejected: %s",
			          uftp_addr_format(&a, buf, sizeof(buf)), ev.text);
			break;
		default: break; /* sessions: the core logs them */
		}
	}
}

/* Sends a batch on one socket; what a full socket buffer refuses is dropped (UDP). */
static void send_batch(struct uftp_sock *s, struct uftp_dgram *dg, size_t n)
{
	int sent;

	if (!n || s->fd < 0)
		return;
	sent = uftp_sock_send(s, dg, n);
	if (sent >= 0 && (size_t)sent < n)
		s->stats.tx_dropped += n - (size_t)sent;
}

/* Everything the core has queued, in batches of one system call per socket. */
static void drain_writes(struct pxd *d, uint64_t now)
{
	static uint8_t bufs[UFTP_NET_BATCH][UFTP_PROXY_DGRAM_MAX];
	struct uftp_dgram dg[UFTP_NET_BATCH];
	struct uftp_sock *s, *cur = NULL;
	struct uftp_peer to;
	size_t k = 0;
	int n, mcast;

	for (;;) {
		n = uftp_proxy_pop_send(d->core, &to, &mcast, bufs[k], UFTP_PROXY_DGRAM_MAX, now);
		if (n == UFTP_ERR_NOSPACE)
			continue;
		if (n <= 0)
			break;
		s = to.ip.family == 6 ? &d->s6 : &d->s4;
		if (cur && (s != cur || k == UFTP_NET_BATCH - 1)) {
			send_batch(cur, dg, k);
			memcpy(bufs[0], bufs[k], (size_t)n); /* this one starts the next batch */
			k = 0;
		}
		cur = s;
		memset(&dg[k], 0, sizeof(dg[k]));
		uftp_peer_to_addr(&to, &dg[k].addr);
		dg[k].buf = bufs[k];
		dg[k].len = (size_t)n;
		k++;
	}
	if (cur)
		send_batch(cur, dg, k);
}

/* Reads what waits on s (up to RX_ROUNDS batches), all of it at time now. */
static void read_socket(struct pxd *d, struct uftp_sock *s, uint64_t now)
{
	struct uftp_dgram dg[RX_BATCH];
	struct uftp_peer p;
	int i, n, round;

	for (round = 0; round < RX_ROUNDS; round++) {
		memset(dg, 0, sizeof(dg));
		for (i = 0; i < RX_BATCH; i++)
			dg[i].buf = d->rxbuf + (size_t)i * UFTP_PROXY_DGRAM_MAX,
			dg[i].cap = UFTP_PROXY_DGRAM_MAX;
		n = uftp_sock_recv(s, dg, RX_BATCH);
		for (i = 0; i < n; i++) {
			if (dg[i].truncated)
				continue;
			uftp_addr_to_peer(&dg[i].addr, &p);
			uftp_proxy_on_datagram(d->core, &p, dg[i].buf, dg[i].len, now);
			drain_events(d, now); /* the queue never holds more than one datagram's */
		}
		drain_writes(d, now);
		if (n < RX_BATCH)
			break;
	}
}

/* poll's callback: the socket is read in the next turn, with that turn's clock. */
static void on_readable(void *arg, int fd, short revents)
{
	struct pxd *d = arg;

	(void)revents;
	if (fd == d->s4.fd)
		d->ready4 = 1;
	else
		d->ready6 = 1;
}

static void read_ready(struct pxd *d, uint64_t now)
{
	if (d->ready4)
		read_socket(d, &d->s4, now);
	if (d->ready6)
		read_socket(d, &d->s6, now);
	d->ready4 = d->ready6 = 0;
}

static void on_signal(void *arg, int signo)
{
	struct pxd *d = arg;

	if (signo == SIGHUP) {
		log_reopen();
		return;
	}
	log_info("got signal %d, exiting", signo);
	d->interrupted = 1;
	uftp_loop_stop(&d->loop);
}

static void run_loop(struct pxd *d)
{
	uint64_t now, next;

	while (!uftp_loop_stopped(&d->loop)) {
		now = uftp_clock_now();
		read_ready(d, now);
		uftp_proxy_on_expiry(d->core, now);
		drain_writes(d, now);
		drain_events(d, now);
		sync_groups(d, now);
		flush_hb_log(d, now);
		next = uftp_proxy_next_expiry(d->core);
		if (d->retry_at < next)
			next = d->retry_at;
		if (log_limit_expiry(&d->hb_log) < next)
			next = log_limit_expiry(&d->hb_log);
		uftp_loop_run_once(&d->loop, next);
	}
}

static void log_stats(struct pxd *d)
{
	struct uftp_proxy_stats st;
	struct uftp_core_stats cs;
	char why[256] = "";

	uftp_proxy_get_counters(d->core, &st);
	uftp_proxy_get_stats(d->core, &cs);
	uftp_drops_format(&cs, why, sizeof(why));
	flush_hb_log(d, UINT64_MAX / 2);
	log_info("exiting: %llu datagrams in (%llu dropped); %llu forwarded down, %llu up; "
	         "%llu replies aggregated into %llu; %llu sessions; %llu heartbeats rejected",
	         (unsigned long long)st.rx, (unsigned long long)st.rx_dropped,
	         (unsigned long long)st.fwd_down, (unsigned long long)st.fwd_up,
	         (unsigned long long)st.agg_in, (unsigned long long)st.agg_out,
	         (unsigned long long)st.sessions, (unsigned long long)st.hb_rejected);
	if (why[0])
		log_info("dropped by reason: %s", why);
	if (st.ev_dropped)
		log_info("%llu events not queued (queue full)", (unsigned long long)st.ev_dropped);
	if (st.sess_evicted || st.sess_refused)
		log_info("session table full: %llu half-open sessions evicted, %llu announcements "
		         "refused",
		         (unsigned long long)st.sess_evicted, (unsigned long long)st.sess_refused);
	if (d->s4.stats.tx_dropped || d->s6.stats.tx_dropped)
		log_info("send errors: %llu IPv4 (last errno %d), %llu IPv6 (last errno %d)",
		         (unsigned long long)d->s4.stats.tx_dropped, d->s4.stats.tx_last_errno,
		         (unsigned long long)d->s6.stats.tx_dropped, d->s6.stats.tx_last_errno);
}

/* ---- set-up ------------------------------------------------------------- */

static int open_socket(struct pxd *d, struct uftp_sock *s, int family)
{
	struct uftp_addr any;
	struct uftp_iface ifc;

	uftp_addr_any(&any, family, d->o->port);
	if (uftp_sock_open(s, &any,
	                   UFTP_SOCK_REUSEADDR | (family == AF_INET6 ? UFTP_SOCK_V6ONLY : 0)) < 0)
		return UFTP_ERR_IO;
	uftp_sock_set_bufsize(s, d->o->bufsize);
	uftp_sock_set_ttl(s, d->o->ttl);
	uftp_sock_set_loop(s, 0);
	if (d->o->dscp)
		uftp_sock_set_dscp(s, d->o->dscp);
	if (d->o->out_if && uftp_iface_lookup(&ifc, d->o->out_if, family) == 0)
		uftp_sock_set_mcast_if(s, &ifc);
	return uftp_loop_add(&d->loop, s->fd, POLLIN, on_readable, d);
}

static int join_pubs(struct pxd *d)
{
	static char deflt[] = "230.4.4.1";
	struct uftp_addr g;
	size_t i;

	if (!d->o->npubs)
		d->o->pubs[d->o->npubs++] = deflt;
	for (i = 0; i < d->o->npubs; i++) {
		if (uftp_addr_parse(&g, d->o->pubs[i], 0) < 0 || !uftp_addr_is_multicast(&g)) {
			log_warnx("-M %s: not a multicast address", d->o->pubs[i]);
			return EXIT_BADOPT;
		}
		if (d->cfg.nservers && !uftp_addr_is_ssm(&g)) {
			log_warnx("-M %s: not a source-specific multicast address, as -S requires",
			          d->o->pubs[i]);
			return EXIT_BADOPT;
		}
		if (join_group(d, sock_of(d, &g), &g, 1) < 0) {
			log_warn("cannot join %s", d->o->pubs[i]);
			return EXIT_NET;
		}
		if (d->cfg.npubs < UFTP_PROXY_MAX_HB) {
			struct uftp_peer pp;
			uftp_addr_to_peer(&g, &pp);
			d->cfg.pubs[d->cfg.npubs++] = pp.ip;
		}
	}
	return 0;
}

static int setup_net(struct pxd *d)
{
	if (d->o->out_if) {
		struct uftp_iface ifc;
		if (uftp_iface_lookup(&ifc, d->o->out_if, AF_UNSPEC) < 0) {
			log_warnx("-O %s: no such interface or address", d->o->out_if);
			return EXIT_BADOPT;
		}
	}
	if (open_socket(d, &d->s4, AF_INET) < 0) {
		log_warn("cannot bind UDP port %u (IPv4)", d->o->port);
		return EXIT_NET;
	}
	if (open_socket(d, &d->s6, AF_INET6) < 0)
		log_debug("no IPv6 socket: IPv6 sessions unavailable");
	if (d->o->mode != UFTP_PROXY_CLIENT)
		return join_pubs(d);
	return 0;
}

/* Response proxy: the long-lived ECDH key of -r:curve (or -e curve). */
static int setup_dhkey(struct pxd *d)
{
	const char *name = d->o->rcurve ? d->o->rcurve : d->o->ecdh_curve;
	int curve;

	if (d->o->mode != UFTP_PROXY_RESPONSE || !name)
		return 0;
	curve = uftp_pkey_curve_by_name(name);
	if (curve < 0 || uftp_pkey_generate_ec(&d->dhkey, curve) < 0) {
		log_warnx("cannot make an ECDH key on curve %s", name);
		return EXIT_KEY;
	}
	return 0;
}

static struct uftp_keyset_opts keyset_opts(const struct uftpproxyd_opts *o)
{
	struct uftp_keyset_opts k = {o->keyfiles, o->nkeyfiles, o->keyspecs, o->nkeyspecs};

	return k;
}

/* After the log is open (the log file in daemon mode): every key in use, with
 * the fingerprint that -s fp= and -C lists name it by. */
static void log_keys(struct pxd *d)
{
	struct uftp_keyset_opts k = keyset_opts(d->o);

	uftp_keyset_log(&k, d->keys, d->nkeys);
}

static int setup_keys(struct pxd *d)
{
	struct uftp_keyset_opts k = keyset_opts(d->o);

	if (uftp_keyset_setup(&k, d->keys, MAX_KEYS, &d->nkeys) < 0)
		return EXIT_KEY;
	return setup_dhkey(d);
}

static int server_line(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct pxd *d = arg;
	struct uftp_peer_key *e;
	struct uftp_hostent h;
	int n;

	(void)lineno;
	if (uftp_hostent_parse_server(&h, line) < 0) {
		snprintf(err, errlen, "invalid server entry '%s'", line);
		return UFTP_ERR_INVALID;
	}
	if (d->cfg.nservers == MAX_SERVERS) {
		snprintf(err, errlen, "too many servers");
		return UFTP_ERR_NOSPACE;
	}
	e = &d->servers[d->cfg.nservers++];
	memset(e, 0, sizeof(*e));
	e->id = h.id;
	n = uftp_addr_to_bytes(&h.addr, e->addr.addr, sizeof(e->addr.addr));
	e->addr.family = n == 16 ? 6 : n == 4 ? 4 : 0;
	e->has_fp = h.has_fp;
	memcpy(e->fp, h.fp, sizeof(e->fp));
	return 0;
}

/* -C lines are "ID[|fingerprint]". */
static int client_line(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct pxd *d = arg;
	struct uftp_hostent h;

	(void)lineno;
	if (uftp_hostent_parse_id(&h, line) < 0) {
		snprintf(err, errlen, "invalid client entry '%s'", line);
		return UFTP_ERR_INVALID;
	}
	if (d->cfg.nclients == MAX_CLIENTS) {
		snprintf(err, errlen, "too many clients");
		return UFTP_ERR_NOSPACE;
	}
	d->clients[d->cfg.nclients].id = h.id;
	d->clients[d->cfg.nclients].has_fp = h.has_fp;
	memcpy(d->clients[d->cfg.nclients++].fp, h.fp, UFTP_FP_LEN);
	return 0;
}

static int setup_lists(struct pxd *d)
{
	char err[256];

	d->cfg.servers = d->servers;
	d->cfg.clients = d->clients;
	if (d->o->serverlist &&
	    uftp_opt_read_list(d->o->serverlist, server_line, d, err, sizeof(err)) < 0) {
		log_warnx("-S %s: %s", d->o->serverlist, err);
		return EXIT_BADOPT;
	}
	if (d->o->clientlist &&
	    uftp_opt_read_list(d->o->clientlist, client_line, d, err, sizeof(err)) < 0) {
		log_warnx("-C %s: %s", d->o->clientlist, err);
		return EXIT_BADOPT;
	}
	return 0;
}

/* -s dest and -H: resolve to peers. */
static int setup_peers(struct pxd *d)
{
	struct uftpproxyd_opts *o = d->o;
	uint16_t dport = o->dest_port ? o->dest_port : o->port;
	struct uftp_addr a;
	size_t i;

	if (o->mode == UFTP_PROXY_SERVER && o->dest) {
		if (uftp_addr_resolve(&a, o->dest, dport, AF_UNSPEC) < 0) {
			log_warnx("-s %s: cannot resolve", o->dest);
			return EXIT_BADOPT;
		}
		if (!o->dest_port)
			uftp_addr_set_port(&a, dport);
		uftp_addr_to_peer(&a, &d->cfg.dest);
	}
	d->cfg.dest_by_fp = o->dest_by_fp;
	memcpy(d->cfg.dest_fp, o->dest_fp, sizeof(d->cfg.dest_fp));
	for (i = 0; i < o->nhb && i < UFTP_PROXY_MAX_HB; i++) {
		if (uftp_addr_resolve(&a, o->hb[i], UFTP_DEFAULT_PORT, AF_UNSPEC) < 0) {
			log_warnx("-H %s: cannot resolve", o->hb[i]);
			return EXIT_BADOPT;
		}
		uftp_addr_to_peer(&a, &d->cfg.hb[d->cfg.nhb++]);
	}
	d->cfg.hb_interval = (uint64_t)o->hb_interval * UFTP_NS_PER_SEC;
	return 0;
}

static int setup_core(struct pxd *d, const struct uftp_addr *first)
{
	struct uftpproxyd_opts *o = d->o;
	size_t i;
	int rv;

	d->cfg.mode = o->mode;
	if (o->have_uid)
		d->cfg.uid = o->uid;
	else
		uftp_id_from_addr(&d->cfg.uid, first);
	if (!d->cfg.uid) {
		log_warnx("no interface to take our ID from: use -U");
		return EXIT_NET;
	}
	d->cfg.client_port = o->dest_port ? o->dest_port : o->port;
	d->cfg.key = d->keys[0];
	for (i = 0; i < d->nkeys && i < UFTP_PROXY_MAX_KEYS; i++)
		d->cfg.keys[d->cfg.nkeys++] = d->keys[i];
	d->cfg.dhkey = d->dhkey;
	uftp_env_driver(&d->env, o->loglevel);
	rv = uftp_proxy_new(&d->core, &d->env, &d->cfg, uftp_clock_now());
	if (rv == UFTP_ERR_NOMEM) {
		log_warnx("out of memory");
		return EXIT_MEM;
	}
	if (rv < 0) {
		log_warnx("invalid proxy configuration: %s", uftp_strerror(rv));
		return EXIT_BADOPT;
	}
	return 0;
}

static int setup_logs(struct pxd *d, int logfile)
{
	struct uftpproxyd_opts *o = d->o;
	const char *lf = o->logfile ? o->logfile : "/tmp/uftpproxyd.log";

	if (logfile) {
		if (!o->debug && log_open_file(lf) < 0) {
			log_warn("cannot open log file %s", lf);
			return EXIT_LOG;
		}
		log_set_rolling(o->log_max, o->log_count);
		return 0;
	}
	log_init(o->loglevel >= 3 ? UFTP_LOG_DEBUG : o->loglevel, stderr);
	return 0;
}

static int setup(struct pxd *d)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	char err[256];
	struct uftp_addr first;
	int rv;

	if (uftp_ossl_init(err, sizeof(err)) == UFTP_ERR_CRYPTO) {
		log_warnx("crypto library: %s", err);
		return EXIT_KEY;
	}
	uftp_loop_init(&d->loop);
	if (uftp_loop_catch_signals(&d->loop, sigs, 3, on_signal, d) < 0)
		return EXIT_NET;
	/* the interfaces to listen on, and the address our default ID comes from */
	rv = uftp_ifset_select(&d->ifs, d->o->ifaces, d->o->nifaces, 0, &first);
	if (!rv)
		rv = setup_lists(d);
	if (!rv)
		rv = setup_peers(d);
	if (!rv)
		rv = setup_keys(d);
	if (!rv)
		rv = setup_net(d);
	if (!rv)
		rv = setup_core(d, &first);
	if (!rv && d->o->have_priority && setpriority(PRIO_PROCESS, 0, d->o->priority) < 0)
		log_warn("cannot set priority %d", d->o->priority);
	return rv;
}

static void teardown(struct pxd *d)
{
	size_t i;

	uftp_proxy_free(d->core);
	uftp_sock_close(&d->s4);
	uftp_sock_close(&d->s6);
	for (i = 0; i < MEMBER_SOCKS; i++) {
		uftp_sock_close(&d->m4[i]);
		uftp_sock_close(&d->m6[i]);
	}
	for (i = 0; i < d->nkeys; i++)
		uftp_pkey_free(d->keys[i]);
	uftp_pkey_free(d->dhkey);
	uftp_loop_free(&d->loop);
	free(d->rxbuf);
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case UFTP_PROXY_SERVER: return "server";
	case UFTP_PROXY_CLIENT: return "client";
	default: return "response";
	}
}

int uftpproxyd_run(struct uftpproxyd_opts *o)
{
	static struct pxd d;
	struct uftp_daemon dm = {-1};
	size_t i;
	int rv;

	d.o = o;
	d.s4.fd = d.s6.fd = -1;
	for (i = 0; i < MEMBER_SOCKS; i++)
		d.m4[i].fd = d.m6[i].fd = -1;
	d.retry_at = UFTP_NEVER;
	d.hb_log = (struct log_limit)LOG_LIMIT_INIT(HB_LOG_WINDOW, HB_LOG_BURST);
	d.rxbuf = malloc((size_t)RX_BATCH * UFTP_PROXY_DGRAM_MAX);
	if (!d.rxbuf) {
		log_warnx("out of memory");
		return EXIT_MEM;
	}
	rv = setup_logs(&d, 0);
	if (!rv)
		rv = setup(&d);
	if (!rv && !o->debug && uftp_daemonize(&dm) < 0)
		rv = EXIT_NET;
	if (!rv)
		rv = setup_logs(&d, 1);
	if (!rv && o->pidfile && uftp_pidfile_claim(o->pidfile) < 0)
		rv = EXIT_BADOPT;
	uftp_daemon_ready(&dm, rv);
	if (rv) {
		teardown(&d);
		return rv;
	}
	log_keys(&d);
	log_info(PROG ": %s proxy listening on port %u as 0x%08X", mode_name(o->mode), o->port,
	         d.cfg.uid);
	run_loop(&d);
	log_stats(&d);
	if (o->pidfile)
		uftp_pidfile_remove(o->pidfile);
	teardown(&d);
	return d.interrupted ? EXIT_INTR : EXIT_OK;
}
