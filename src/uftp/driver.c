/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftp's driver: addresses, keys, the socket, and the loop that feeds the
 * server core (read the clock once per turn, feed datagrams, run timers,
 * drain writes through the pump: GSO or sendmmsg batches, drain events).
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/server.h"
#include "crypto/env.h"
#include "crypto/keyfile.h"
#include "crypto/ossl.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "lib/iface.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/net.h"
#include "lib/opts.h"
#include "lib/peer.h"
#include "lib/pump.h"
#include "uftp/uftp.h"

#define RX_SLOTS UFTP_NET_BATCH
#define TX_SLOTS 512   /* datagrams built per loop turn: 8 GSO messages of 64 */
#define PKT_CAP  10240 /* largest block + ENCRYPTED overhead with an RSA-8192 signature */

struct drv {
	const struct uftp_opts *o;
	struct uftp_server_config cfg;
	struct uftp_env env;
	struct uftp_server *srv;
	struct uftp_sock sock;
	struct uftp_loop loop;
	struct uftp_iface ifc;
	int have_ifc;
	struct uftp_addr pub, priv;
	struct uftp_pkey *key;
	const struct uftp_crypto_ops *ops;
	int interrupted;
	struct uftp_statfile *status;
	struct uftp_progress *progress;
	uint64_t now;
	struct uftp_txq tx;
	struct uftp_rxq rx;
	int rng_err; /* the last randomness failure (uftp_err), 0 if none */
};

/* ---- environment ------------------------------------------------------- */

static int addr_rand(void *ctx, void *buf, size_t len)
{
	struct drv *d = ctx;
	int rv = uftp_env_random(&d->env, buf, len);

	if (rv < 0)
		d->rng_err = rv;
	return rv;
}

/* ---- addresses --------------------------------------------------------- */

/* The default ID from the interface's address, as the reference derives it. */
static uint32_t id_from_iface(const struct uftp_iface *ifc)
{
	uint32_t id = 0;

	uftp_id_from_addr(&id, &ifc->addr);
	return id;
}

static int setup_addrs(struct drv *d)
{
	const struct uftp_opts *o = d->o;
	int fam, rv;

	rv = uftp_addr_resolve(&d->pub, o->pub_addr, (uint16_t)o->port, AF_UNSPEC);
	if (rv < 0) {
		/* the reference fails here while setting up the network: exit 2 */
		log_warnx("invalid public address %s", o->pub_addr);
		return EXIT_NET;
	}
	uftp_addr_set_port(&d->pub, (uint16_t)o->port);
	fam = uftp_addr_family(&d->pub);
	if (!uftp_addr_is_multicast(&d->pub)) {
		d->priv = d->pub;
		return 0;
	}
	if (o->priv_addr == NULL && fam == AF_INET6) {
		log_warnx("-P is required with an IPv6 multicast -M");
		return EXIT_BADARG;
	}
	rv = uftp_addr_parse_wild(&d->priv, o->priv_addr ? o->priv_addr : "230.5.5.x",
	                          (uint16_t)o->port, addr_rand, d);
	if (d->rng_err < 0) {
		log_warnx("cannot pick a private multicast address: random generator: %s",
		          uftp_strerror(d->rng_err));
		return EXIT_KEY;
	}
	/* like the reference, a unicast -P is taken as given */
	if (rv < 0 && o->priv_addr)
		rv = uftp_addr_parse(&d->priv, o->priv_addr, (uint16_t)o->port);
	if (rv < 0 || uftp_addr_family(&d->priv) != fam) {
		log_warnx("invalid private multicast address");
		return EXIT_BADARG;
	}
	return 0;
}

static int setup_iface(struct drv *d)
{
	int fam = uftp_addr_family(&d->pub);
	int rv;

	if (d->o->iface)
		rv = uftp_iface_lookup(&d->ifc, d->o->iface, fam);
	else
		rv = uftp_iface_default(&d->ifc, fam);
	if (rv < 0 && !d->o->iface)
		rv = uftp_iface_lookup(&d->ifc, "lo", fam);
	if (rv < 0) {
		log_warnx("interface %s not found", d->o->iface ? d->o->iface : "(default)");
		return d->o->iface ? EXIT_BADARG : EXIT_NET;
	}
	d->have_ifc = 1;
	return 0;
}

static int setup_socket(struct drv *d)
{
	const struct uftp_opts *o = d->o;
	struct uftp_addr any;
	int fam = uftp_addr_family(&d->pub);

	uftp_addr_any(&any, fam, (uint16_t)o->src_port);
	if (uftp_sock_open(&d->sock, &any, fam == AF_INET6 ? UFTP_SOCK_V6ONLY : 0) < 0) {
		log_warn("cannot open the UDP socket");
		return EXIT_NET;
	}
	if (uftp_sock_set_bufsize(&d->sock, o->bufsize) < 0)
		log_warn("cannot set the socket buffer size");
	if (uftp_sock_set_ttl(&d->sock, o->ttl) < 0 || uftp_sock_set_dscp(&d->sock, o->dscp) < 0)
		log_warn("cannot set TTL / DSCP");
	if (uftp_addr_is_multicast(&d->pub) && uftp_sock_set_mcast_if(&d->sock, &d->ifc) < 0) {
		log_warn("cannot send multicast on %s", d->ifc.name);
		return EXIT_NET;
	}
	return 0;
}

/* ---- keys -------------------------------------------------------------- */

static int want_ec(const struct uftp_opts *o)
{
	return o->keyextype == UFTP_KEYEX_ECDH_ECDSA;
}

static int generate_key(struct drv *d)
{
	const struct uftp_opts *o = d->o;
	int rv, bits = 512, curve = UFTP_CURVE_SECP256R1;

	if (o->keyparam && want_ec(o)) {
		curve = uftp_pkey_curve_by_name(o->keyparam);
		if (curve <= 0) {
			log_warnx("-K: unknown curve %s", o->keyparam);
			return EXIT_KEY;
		}
	} else if (o->keyparam) {
		char err[UFTP_OPT_ERRLEN];

		if (uftp_opt_int(&bits, o->keyparam, 512, 8192, 0, err, sizeof(err)) < 0) {
			log_warnx("-K: %s", err);
			return EXIT_KEY;
		}
	}
	rv = want_ec(o) ? uftp_pkey_generate_ec(&d->key, curve)
	                : uftp_pkey_generate_rsa(&d->key, bits);
	if (rv < 0) {
		log_warnx("cannot generate the server key: %s", uftp_strerror(rv));
		return EXIT_KEY;
	}
	rv = o->keyfile ? uftp_keyfile_save(d->key, o->keyfile) : 0;
	if (rv < 0) {
		log_errx("cannot write key file %s (it must not exist): %s", o->keyfile,
		         log_reason(rv));
		return EXIT_KEY;
	}
	return 0;
}

static int setup_keys(struct drv *d)
{
	const struct uftp_opts *o = d->o;
	struct uftp_pkey_info info;
	char err[256];
	int rv;

	rv = uftp_ossl_init(err, sizeof(err));
	if (rv == UFTP_ERR_CRYPTO || (rv < 0 && o->keytype == UFTP_KEY_DES)) {
		log_warnx("crypto library: %s", err);
		return EXIT_KEY;
	}
	d->ops = uftp_ossl_ops();
	if (o->keytype == UFTP_KEY_NONE)
		return 0;
	if (o->keyfile && !o->keyparam) {
		rv = uftp_keyfile_load(&d->key, o->keyfile);
		if (rv < 0) {
			log_errx("cannot load key file %s: %s", o->keyfile, log_reason(rv));
			return EXIT_KEY;
		}
	} else {
		rv = generate_key(d);
		if (rv)
			return rv;
	}
	if (d->ops->pkey_info(d->key, &info) < 0 ||
	    info.blobtype != (want_ec(o) ? UFTP_BLOB_EC : UFTP_BLOB_RSA)) {
		log_warnx("the server key does not suit key exchange -e");
		return EXIT_KEY;
	}
	return 0;
}

/* ---- config ------------------------------------------------------------ */

/* A random, non-zero group ID; an RNG failure ends the run with a message (exit 3). */
static int random_group_id(struct drv *d, uint32_t *gid)
{
	int i, rv;

	for (i = 0; i < 8; i++) { /* a working RNG gives 0 once in 2^32 draws */
		rv = uftp_env_random(&d->env, (uint8_t *)gid, sizeof(*gid));
		if (rv < 0) {
			log_warnx("cannot generate a group ID: %s", uftp_strerror(rv));
			return EXIT_KEY;
		}
		if (*gid != 0)
			return 0;
	}
	log_warnx("cannot generate a group ID: the random generator returns only zeros");
	return EXIT_KEY;
}

static int fill_config(struct drv *d, struct uftp_files *files)
{
	const struct uftp_opts *o = d->o;
	struct uftp_server_config *c = &d->cfg;
	uint32_t gid = 0;

	c->server_id = o->have_uid ? o->uid : id_from_iface(&d->ifc);
	if (o->restart_file) { /* the same group again, its next attempt */
		gid = o->restart->group_id;
		c->group_inst = (uint8_t)(o->restart->group_inst + 1);
	}
	if (gid == 0 && random_group_id(d, &gid) != 0)
		return EXIT_KEY;
	c->group_id = gid;
	uftp_addr_to_ipaddr(&d->pub, &c->pub_addr);
	uftp_addr_to_ipaddr(&d->priv, &c->priv_addr);
	c->unicast = !uftp_addr_is_multicast(&d->pub);
	c->port = (uint16_t)o->port;
	c->block_size = (uint16_t)o->block_size;
	c->robust = (uint8_t)o->robust;
	c->rate_kbps = o->rate;
	c->cc_type = o->cc_type;
	c->cc_min_kbps = o->cc_min;
	c->cc_init_kbps = o->cc_init;
	c->cc_max_kbps = o->cc_max;
	c->grtt_init = o->grtt_init_us * UFTP_NS_PER_USEC;
	c->grtt_min = o->grtt_min_us * UFTP_NS_PER_USEC;
	c->grtt_max = o->grtt_max_us * UFTP_NS_PER_USEC;
	c->max_passes = (unsigned)o->max_passes;
	c->max_nak_pct = (unsigned)o->max_nak_pct;
	c->max_nak_count = (unsigned)o->max_nak_count;
	c->txweight = (unsigned)o->txweight;
	c->quit_on_error = o->quit_on_error;
	c->sync_mode = o->sync_mode;
	c->wait_fileinfo = o->wait_fileinfo;
	c->sync_preview = o->sync_preview;
	c->hosts = o->nhosts ? o->hosts : NULL;
	c->nhosts = o->nhosts;
	c->proxies = o->nproxies ? o->proxies : NULL;
	c->nproxies = o->nproxies;
	c->keytype = o->keytype;
	c->hashtype = o->hashtype;
	c->sigtype = o->sigtype;
	c->keyextype = o->keyextype;
	c->curve = o->curve;
	c->client_auth = o->client_auth;
	c->server_key = d->key;
	c->files = uftp_files_list(files, &c->nfiles);
	c->fops = uftp_files_ops(files);
	return 0;
}

/* ---- events ------------------------------------------------------------ */

static const char *comp_name(int status)
{
	switch (status) {
	case UFTP_COMP_NORMAL: return "completed";
	case UFTP_COMP_SKIPPED: return "skipped";
	case UFTP_COMP_OVERWRITE: return "completed (overwritten)";
	case UFTP_COMP_REJECTED: return "rejected";
	default: return "completed with an unknown status";
	}
}

/* The exit status of man uftp for how the session ended. */
static int exit_status(int outcome)
{
	switch (outcome) {
	case UFTP_SERVER_DONE: return EXIT_OK;
	case UFTP_SERVER_INTERRUPTED: return EXIT_INTERRUPTED;
	case UFTP_SERVER_NO_REGISTER: return EXIT_NO_REGISTER;
	case UFTP_SERVER_NO_FILEINFO: return EXIT_NO_FILEINFO;
	case UFTP_SERVER_ALL_LOST: return EXIT_ALL_LOST;
	default: return EXIT_NONE_RECEIVED;
	}
}

static void log_event(struct drv *d, const struct uftp_server_event *e)
{
	switch (e->type) {
	case UFTP_SEV_REGISTERED: log_info("Client 0x%08X registered", e->client_id); break;
	case UFTP_SEV_CLIENT_LOST:
		log_warnx("Client 0x%08X lost: %s", e->client_id, e->text);
		break;
	case UFTP_SEV_CLIENT_ABORT:
		log_warnx("Client 0x%08X aborted: %s", e->client_id, e->text);
		break;
	case UFTP_SEV_FILE_CLIENT:
		log_info("Client 0x%08X: %s %s", e->client_id, e->text, comp_name(e->status));
		break;
	case UFTP_SEV_FILE_START:
		log_info("Sending %s (%llu bytes)", e->text,
		         (unsigned long long)d->cfg.files[e->file].size);
		break;
	case UFTP_SEV_FILE_DONE: log_info("Finished %s", e->text); break;
	case UFTP_SEV_FREESPACE:
		log_info("Client 0x%08X free space: %llu bytes", e->client_id,
		         (unsigned long long)e->value);
		break;
	case UFTP_SEV_FINISHED:
		log_info("Session finished (exit %d)", exit_status((int)e->value));
		break;
	default: break;
	}
	uftp_statfile_event(d->status, e, d->cfg.files, d->now);
}

/* The session's books (stats.h) at the end of the run, in two log lines. */
static void log_stats(struct drv *d)
{
	struct uftp_core_stats st;
	struct uftp_session_stats ss;
	struct uftp_peer_stats ps;
	size_t j, done = 0, lost = 0, other = 0, n = 0;
	char drops[256] = "";
	uint64_t total;

	uftp_server_get_stats(d->srv, &st);
	if (!uftp_server_session_stats(d->srv, 0, &ss, d->now))
		return;
	for (j = 0; uftp_server_peer_stats(d->srv, 0, j, &ps); j++) {
		if (ps.is_proxy)
			continue;
		n++;
		if (strcmp(ps.state, "done") == 0)
			done++;
		else if (strcmp(ps.state, "lost") == 0 || strcmp(ps.state, "aborted") == 0)
			lost++;
		else
			other++;
	}
	log_info("Statistics: %llu of %llu files, %llu bytes in %.3f s; %llu datagrams sent (%llu "
	         "bytes), %llu data blocks (%llu resent for %llu NAKs); %zu receivers: %zu done, "
	         "%zu lost or aborted, %zu unfinished",
	         (unsigned long long)ss.files_done, (unsigned long long)ss.files_total,
	         (unsigned long long)ss.bytes_done, (double)ss.elapsed_ns / 1e9,
	         (unsigned long long)st.tx_datagrams, (unsigned long long)st.tx_bytes,
	         (unsigned long long)ss.data_sent, (unsigned long long)ss.data_resent,
	         (unsigned long long)ss.naks, n, done, lost, other);
	total = uftp_drops_format(&st, drops, sizeof(drops));
	if (total)
		log_info("Dropped %llu of %llu datagrams received: %s", (unsigned long long)total,
		         (unsigned long long)st.rx_datagrams, drops);
}

/* ---- loop -------------------------------------------------------------- */

static void on_signal(void *arg, int signo)
{
	struct drv *d = arg;

	(void)signo;
	d->interrupted = 1;
}

static void receive(struct drv *d, uint64_t now)
{
	const struct uftp_addr *a;
	struct uftp_peer from;
	uint8_t *buf;
	size_t len;
	int n, cut;

	do {
		n = uftp_rxq_read(&d->rx, &d->sock);
		while (uftp_rxq_pop(&d->rx, &buf, &len, &a, &cut)) {
			if (cut)
				continue;
			uftp_addr_to_peer(a, &from);
			uftp_server_on_datagram(d->srv, &from, buf, len, now);
		}
	} while (n == RX_SLOTS);
}

/*
 * Pulls datagrams from the core into the send queue (up to TX_SLOTS a
 * turn) and hands them to the kernel. Returns 0, 1 when a full buffer left
 * some queued, or a negative error.
 */
static int transmit(struct drv *d, uint64_t now)
{
	struct uftp_peer to;
	struct uftp_addr a;
	uint8_t *buf;
	int n;

	while ((buf = uftp_txq_next(&d->tx)) != NULL) {
		n = uftp_server_pop_send(d->srv, &to, buf, PKT_CAP, now);
		if (n < 0) {
			log_warnx("cannot build a packet: %s", uftp_strerror(n));
			return n;
		}
		if (n == 0)
			break;
		uftp_peer_to_addr(&to, &a);
		uftp_txq_push(&d->tx, &a, (size_t)n);
	}
	return uftp_txq_flush(&d->tx, &d->sock);
}

static void drain_events(struct drv *d)
{
	struct uftp_server_event e;

	while (uftp_server_pop_event(d->srv, &e))
		log_event(d, &e);
}

static void noop_fd(void *arg, int fd, short revents)
{
	(void)arg;
	(void)fd;
	(void)revents;
}

static int run_loop(struct drv *d)
{
	uint64_t now, exp;
	int blocked, nobufs, sent_abort = 0;

	for (;;) {
		now = uftp_clock_now();
		d->now = now;
		if (d->interrupted && !sent_abort) {
			uftp_server_abort(d->srv, "Server quit, aborting all",
			                  now); /* the reference's text */
			sent_abort = 1;
		}
		receive(d, now);
		uftp_server_on_expiry(d->srv, now);
		blocked = transmit(d, now);
		if (blocked < 0) {
			log_warnx("session failed: %s", uftp_strerror(blocked));
			if (blocked == UFTP_ERR_IO)
				return EXIT_NET;
			return blocked == UFTP_ERR_NOMEM ? EXIT_MEM : EXIT_KEY;
		}
		drain_events(d);
		uftp_progress_tick(d->progress, d->srv, now);
		if (uftp_server_finished(d->srv) && !uftp_txq_pending(&d->tx))
			return exit_status(uftp_server_outcome(d->srv));
		exp = uftp_server_next_expiry(d->srv);
		if (exp == UFTP_NEVER)
			exp = UFTP_TIME_NEVER;
		exp = uftp_progress_expiry(d->progress, exp);
		/* a full socket buffer: wait for POLLOUT; a full device queue (ENOBUFS): a moment
		 */
		nobufs = blocked && !uftp_txq_pollout_wakes(&d->sock);
		uftp_loop_set_events(&d->loop, d->sock.fd,
		                     blocked && !nobufs ? POLLIN | POLLOUT : POLLIN);
		if (blocked)
			exp = nobufs ? now + UFTP_PUMP_RETRY_NS : UFTP_TIME_NEVER;
		/* a deadline in the past only checks the socket and the signals */
		if (uftp_loop_run_once(&d->loop, exp) < 0)
			return EXIT_NET;
	}
}

static int start(struct drv *d, struct uftp_files *files)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	int rv;

	uftp_env_driver(&d->env, d->o->log_level);
	rv = setup_keys(d);
	if (rv == 0)
		rv = setup_addrs(d);
	if (rv == 0)
		rv = setup_iface(d);
	if (rv == 0)
		rv = setup_socket(d);
	if (rv == 0)
		rv = fill_config(d, files);
	if (rv)
		return rv;
	if (uftp_statfile_open(&d->status, d->o->status_file, d->cfg.hosts, d->cfg.nhosts,
	                       d->o->sync_preview, d->o->rate) < 0) {
		log_warn("cannot open status file %s", d->o->status_file);
		return EXIT_BADARG;
	}
	if (uftp_txq_init(&d->tx, TX_SLOTS, PKT_CAP) < 0 ||
	    uftp_rxq_init(&d->rx, RX_SLOTS, PKT_CAP, 0) < 0)
		return EXIT_MEM;
	log_info("send path: %s", uftp_sock_send_path(&d->sock));
	uftp_loop_init(&d->loop);
	if (uftp_loop_add(&d->loop, d->sock.fd, POLLIN, noop_fd, d) < 0 ||
	    uftp_loop_catch_signals(&d->loop, sigs, 3, on_signal, d) < 0)
		return EXIT_NET;
	rv = uftp_server_new(&d->srv, &d->env, &d->cfg, uftp_clock_now());
	if (rv < 0) {
		log_warnx("cannot start the session: %s", uftp_strerror(rv));
		return rv == UFTP_ERR_NOMEM ? EXIT_MEM : EXIT_KEY;
	}
	return 0;
}

int uftp_run(const struct uftp_opts *o, struct uftp_files *files)
{
	struct drv *d = calloc(1, sizeof(*d));
	char pub[UFTP_ADDRSTRLEN], priv[UFTP_ADDRSTRLEN];
	int rv;

	if (d == NULL)
		return EXIT_MEM;
	d->o = o;
	d->sock.fd = -1;
	rv = start(d, files);
	if (rv == 0) {
		log_info("Starting session 0x%08X to %s (private %s), server ID 0x%08X",
		         d->cfg.group_id, uftp_addr_ntop(&d->pub, pub, sizeof(pub)),
		         uftp_addr_ntop(&d->priv, priv, sizeof(priv)), d->cfg.server_id);
		d->progress = uftp_progress_new(o->progress);
		rv = run_loop(d);
		log_stats(d);
		uftp_progress_end(d->progress, d->srv, d->now);
		uftp_restart_save(o, d->srv, &d->cfg, files);
	}
	uftp_progress_free(d->progress);
	uftp_server_free(d->srv);
	uftp_statfile_close(d->status);
	uftp_loop_free(&d->loop);
	uftp_sock_close(&d->sock);
	if (d->key)
		uftp_pkey_free(d->key);
	uftp_txq_free(&d->tx);
	uftp_rxq_free(&d->rx);
	free(d);
	return rv;
}
