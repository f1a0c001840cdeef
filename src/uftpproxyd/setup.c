/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpproxyd's set-up (run by lib/daemon.c before it drops root): the -S
 * and -C lists, the peers (-s, -H), keys, sockets and public groups, the
 * core; and the teardown.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "lib/clock.h"
#include "lib/control.h"
#include "lib/hostlist.h"
#include "lib/opts.h"
#include "lib/peer.h"
#include "lib/statsview.h"
#include "uftpproxyd/pxd.h"

/* poll's callback: readable sockets are read in the next turn, with that turn's clock. */
static void on_ready(void *arg, int fd, short revents)
{
	struct pxd *d = arg;
	int v4 = fd == d->s4.fd;

	if (revents & (POLLIN | POLLERR))
		*(v4 ? &d->ready4 : &d->ready6) = 1;
	if (revents & POLLOUT)
		*(v4 ? &d->blocked4 : &d->blocked6) = 0; /* room again: the turn's sends go out */
}

static int open_socket(struct pxd *d, struct uftp_sock *s, int family)
{
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_addr any;
	struct uftp_iface ifc;

	uftp_addr_any(&any, family, c->port);
	if (uftp_sock_open(s, &any,
	                   UFTP_SOCK_REUSEADDR | (family == AF_INET6 ? UFTP_SOCK_V6ONLY : 0)) < 0)
		return UFTP_ERR_IO;
	uftp_sock_set_bufsize(s, c->bufsize);
	uftp_sock_set_ttl(s, d->o->ttl);
	uftp_sock_set_loop(s, 0);
	if (c->dscp)
		uftp_sock_set_dscp(s, c->dscp);
	if (d->o->out_if && uftp_iface_lookup(&ifc, d->o->out_if, family) == 0)
		uftp_sock_set_mcast_if(s, &ifc);
	return uftp_loop_add(&d->loop, s->fd, POLLIN, on_ready, d);
}

/* A public group (-M): joined on the receiving socket, and told to the core. */
static int join_pub(void *arg, const struct uftp_addr *g)
{
	struct pxd *d = arg;
	struct uftp_peer pp;

	if (pxd_join_group(d, pxd_sock_of(d, g), g, 1) < 0)
		return UFTP_ERR_IO;
	if (d->cfg.npubs < UFTP_PROXY_MAX_HB) {
		uftp_addr_to_peer(g, &pp);
		d->cfg.pubs[d->cfg.npubs++] = pp.ip;
	}
	return 0;
}

static int setup_net(struct pxd *d)
{
	struct uftp_iface ifc;

	if (d->o->out_if && uftp_iface_lookup(&ifc, d->o->out_if, AF_UNSPEC) < 0) {
		log_warnx("-O %s: no such interface or address", d->o->out_if);
		return EXIT_BADOPT;
	}
	if (open_socket(d, &d->s4, AF_INET) < 0) {
		log_warn("cannot bind UDP port %u (IPv4)", d->o->c.port);
		return EXIT_NET;
	}
	if (open_socket(d, &d->s6, AF_INET6) < 0)
		log_debug("no IPv6 socket: IPv6 sessions unavailable");
	if (uftp_txq_init(&d->q4, PXD_TXQ_CAP, UFTP_PROXY_DGRAM_MAX) < 0 ||
	    uftp_txq_init(&d->q6, PXD_TXQ_CAP, UFTP_PROXY_DGRAM_MAX) < 0)
		return EXIT_MEM;
	if (d->o->mode == UFTP_PROXY_CLIENT)
		return 0;
	return uftp_daemon_join_pubs(&d->o->c, d->cfg.nservers != 0, join_pub, d);
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

static int setup_keys(struct pxd *d)
{
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_keyset_opts k = {c->keyfiles, c->nkeyfiles, c->keyspecs, c->nkeyspecs};

	if (uftp_keyset_setup(&k, d->keys, MAX_KEYS, &d->nkeys) < 0)
		return EXIT_KEY;
	return setup_dhkey(d);
}

/* -S: the allowed servers. */
static int read_servers(struct pxd *d, const char *path)
{
	size_t n = 0;

	if (uftp_daemon_read_servers(path, d->servers, MAX_SERVERS, &n))
		return EXIT_BADOPT;
	d->cfg.nservers = n;
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
	const char *sl = d->o->c.serverlist, *cl = d->o->clientlist;
	char err[256];

	d->cfg.servers = d->servers;
	d->cfg.clients = d->clients;
	if (sl && read_servers(d, sl))
		return EXIT_BADOPT;
	if (cl && uftp_opt_read_list(cl, client_line, d, err, sizeof(err)) < 0) {
		log_warnx("-C %s: %s", cl, err);
		return EXIT_BADOPT;
	}
	return 0;
}

/* -s dest: the downstream proxy of a server proxy (or its fingerprint). */
static int setup_dest(struct pxd *d)
{
	struct uftpproxyd_opts *o = d->o;
	uint16_t dport = o->dest_port ? o->dest_port : o->c.port;
	struct uftp_addr a;

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
	return 0;
}

/* -H and -h: where heartbeats go, how often. */
static int setup_hb(struct pxd *d)
{
	const struct uftp_daemon_opts *c = &d->o->c;
	struct uftp_addr a;
	size_t i;

	for (i = 0; i < c->nhbs && i < UFTP_PROXY_MAX_HB; i++) {
		if (uftp_addr_resolve(&a, c->hbs[i], UFTP_DEFAULT_PORT, AF_UNSPEC) < 0) {
			log_warnx("-H %s: cannot resolve", c->hbs[i]);
			return EXIT_BADOPT;
		}
		uftp_addr_to_peer(&a, &d->cfg.hb[d->cfg.nhb++]);
	}
	d->cfg.hb_interval = (uint64_t)c->hb_interval * UFTP_NS_PER_SEC;
	return 0;
}

static int setup_core(struct pxd *d, const struct uftp_addr *first)
{
	struct uftpproxyd_opts *o = d->o;
	size_t i;
	int rv;

	d->cfg.mode = o->mode;
	if (uftp_daemon_id(&o->c, first, &d->cfg.uid) < 0)
		return EXIT_NET;
	d->cfg.client_port = o->dest_port ? o->dest_port : o->c.port;
	d->cfg.key = d->keys[0];
	for (i = 0; i < d->nkeys && i < UFTP_PROXY_MAX_KEYS; i++)
		d->cfg.keys[d->cfg.nkeys++] = d->keys[i];
	d->cfg.dhkey = d->dhkey;
	uftp_env_driver(&d->env, o->c.loglevel);
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

int pxd_setup(void *arg)
{
	struct pxd *d = arg;
	struct uftp_addr first;
	char err[256];
	int rv;

	if (uftp_ossl_init(err, sizeof(err)) == UFTP_ERR_CRYPTO) {
		log_warnx("crypto library: %s", err);
		return EXIT_KEY;
	}
	/* the interfaces to listen on, and the address our default ID comes from */
	rv = uftp_ifset_select(&d->ifs, d->o->c.ifaces, d->o->c.nifaces, 0, &first);
	if (!rv)
		rv = setup_lists(d);
	if (!rv)
		rv = setup_dest(d);
	if (!rv)
		rv = setup_hb(d);
	if (!rv)
		rv = setup_keys(d);
	if (!rv)
		rv = setup_net(d);
	if (!rv)
		rv = setup_core(d, &first);
	if (!rv && d->o->c.control &&
	    uftp_ctl_open(&d->ctl, d->o->c.control, &d->loop, uftp_stats_view_proxy(d->core),
	                  PROG) < 0)
		rv = EXIT_NET;
	return rv;
}

void pxd_teardown(void *arg)
{
	struct pxd *d = arg;
	size_t i;

	for (i = 0; i < d->nkeys; i++)
		uftp_pkey_free(d->keys[i]);
	uftp_pkey_free(d->dhkey);
	uftp_ctl_close(d->ctl);
	uftp_proxy_free(d->core);
	uftp_txq_free(&d->q4);
	uftp_txq_free(&d->q6);
	uftp_rxq_free(&d->rx);
	uftp_sock_close(&d->s4);
	uftp_sock_close(&d->s6);
	pxd_members_close(d);
}
