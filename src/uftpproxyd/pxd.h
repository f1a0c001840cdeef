/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpproxyd's driver state, shared by its files, one job each:
 * driver.c the loop, member.c the multicast memberships, setup.c set-up
 * and teardown, send.c the sends, stats.c the start-up and exit lines.
 */
#ifndef UFTP_UFTPPROXYD_PXD_H
#define UFTP_UFTPPROXYD_PXD_H

#include <stddef.h>
#include <stdint.h>

#include "core/proxy.h"
#include "crypto/env.h"
#include "lib/control.h"
#include "lib/daemon.h"
#include "lib/iface.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/net.h"
#include "lib/pump.h"
#include "uftpproxyd/uftpproxyd.h"

#define MAX_KEYS    16
#define MAX_SERVERS 64
#define MAX_CLIENTS 1024
/* member sockets per family: room for UFTP_PROXY_MAX_GROUPS at 20 per socket */
#define MEMBER_SOCKS 4

/* At most HB_LOG_BURST "heartbeat rejected" lines per HB_LOG_WINDOW. */
#define PXD_TXQ_CAP 256 /* datagrams waiting per socket */

#define HB_LOG_WINDOW (10 * UFTP_NS_PER_SEC)
#define HB_LOG_BURST  5

/* A session's group, as last reconciled with uftp_proxy_groups(). */
struct joined {
	struct uftp_ipaddr addr;
	uint32_t group_id;
	int holder;     /* the member socket holding it; -1: not joined (yet) */
	unsigned tries; /* failed joins so far */
};

struct pxd {
	struct uftpproxyd_opts *o;
	struct uftp_sock s4, s6;
	struct uftp_txq q4, q6; /* what s4, s6 could not take yet */
	int blocked4, blocked6; /* a full buffer stopped the last flush: wait for room */
	uint64_t send_retry_at; /* when to flush again after ENOBUFS (UFTP_NEVER: no need) */
	struct uftp_rxq rx;     /* one receive batch, for s4 and s6 in turn */
	struct uftp_ifset ifs;  /* -I: where memberships go */
	struct uftp_pkey *keys[MAX_KEYS];
	size_t nkeys;
	struct uftp_pkey *dhkey;                   /* -r:curve / -e */
	struct uftp_peer_key servers[MAX_SERVERS]; /* -S */
	struct uftp_peer_key clients[MAX_CLIENTS]; /* -C */
	struct uftp_proxy_config cfg;
	struct uftp_env env;
	struct uftp_proxy *core;
	struct uftp_loop loop;
	struct uftp_ctl *ctl;    /* --control */
	struct log_limit hb_log; /* rejected heartbeats: a flood must not fill the log */
	int ready4, ready6;      /* poll found the socket readable */
	struct joined joined[UFTP_PROXY_MAX_GROUPS];
	size_t njoined;
	struct uftp_sock m4[MEMBER_SOCKS], m6[MEMBER_SOCKS]; /* hold the memberships */
	uint64_t groups_gen; /* uftp_proxy_groups_gen() at the last reconciliation */
	uint64_t retry_at;   /* when failed joins are tried again (UFTP_NEVER: none) */
};

/* member.c: the socket receiving g's family. */
struct uftp_sock *pxd_sock_of(struct pxd *d, const struct uftp_addr *g);
/* member.c: joins or leaves g on s (ASM on every -I interface, or (S,G) with -S). */
int pxd_join_group(struct pxd *d, struct uftp_sock *s, const struct uftp_addr *g, int join);
/* member.c: brings the memberships to the groups the core needs now. */
void pxd_sync_groups(struct pxd *d, uint64_t now);
/* member.c: closes the member sockets (the kernel drops their memberships). */
void pxd_members_close(struct pxd *d);

/* send.c: everything the core has to send, queued and sent as the sockets take it. */
void pxd_drain_writes(struct pxd *d, uint64_t now);

/* setup.c: the privileged set-up and its undoing (struct uftp_daemon_ops). */
int pxd_setup(void *arg);
void pxd_teardown(void *arg);

/* stats.c: the keys and what we serve, for the start-up line; the exit figures. */
void pxd_started(void *arg, char *line, size_t cap);
void pxd_log_stats(struct pxd *d);
/* driver.c: reports the rejected heartbeats the rate limit kept out of the log. */
void pxd_flush_hb_log(struct pxd *d, uint64_t now);

#endif
