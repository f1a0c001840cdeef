/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The proxy's state machine (uftpproxyd), pure like server.h and client.h:
 * datagrams and time come in through the calls below, datagrams leave
 * through uftp_proxy_pop_send().  The multicast groups the driver must be a
 * member of are pulled with uftp_proxy_groups() and reconciled with what
 * the driver has joined, so no burst of input can make it miss a join or
 * a leave.  Informational events (sessions seen and ended, downstream
 * address learned, heartbeats rejected) are drained with
 * uftp_proxy_pop_event(); one that finds the queue full is counted
 * (ev_dropped), never lost silently.
 *
 * Three modes (man uftpproxyd):
 *  - server proxy: tunnel head.  Server traffic (ANNOUNCE on a public
 *    group, everything else on the private group named in the ANNOUNCE) is
 *    copied unchanged to one downstream address; what comes back from the
 *    downstream goes, unchanged, to the address the ANNOUNCE came from.
 *  - client proxy: tunnel tail.  What the upstream sends is re-multicast
 *    unchanged (ANNOUNCE to its public group, the rest to its private
 *    group, on cfg.client_port).  Client replies are aggregated: REGISTER,
 *    FILEINFO_ACK, STATUS and COMPLETE are held one GRTT and sent upstream
 *    as one message carrying the proxy's ID and the clients' IDs (the
 *    longest-RTT client first, its timestamp echoed); CC_ACK, ABORT and
 *    anything encrypted go upstream at once.
 *  - response proxy: like a client proxy for replies, but the server
 *    reaches the clients by multicast itself, so nothing is re-multicast.
 *
 * Encrypted sessions (client and response proxies, proxy_enc.c): the proxy
 * registers with the server as a client of its own and stands in for the
 * server toward its clients (its keys in the ANNOUNCE they get, or in
 * PROXY_KEY; KEYINFO after the server's REG_CONF); client replies are
 * opened with the group keys, aggregated and sealed again under our ID.
 * Server proxies pass encrypted traffic through untouched.
 *
 * Sessions are keyed by group ID; one is dropped after 4 x ROBUST x GRTT
 * (at least UFTP_PROXY_MIN_IDLE) without traffic from its server.  When
 * all UFTP_PROXY_MAX_SESSIONS are in use, a new announcement evicts the
 * newest half-open session (nothing but ANNOUNCE from its server yet), or
 * is refused when every session is established.
 */
#ifndef UFTP_CORE_PROXY_H
#define UFTP_CORE_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/session.h"
#include "core/stats.h"

#define UFTP_PROXY_MAX_SESSIONS 64
#define UFTP_PROXY_MAX_CLIENTS  1024 /* distinct clients held per aggregated reply */
#define UFTP_PROXY_DGRAM_MAX    10240
#define UFTP_PROXY_QUEUE        256 /* datagrams waiting for uftp_proxy_pop_send */
#define UFTP_PROXY_MAX_HB       16
#define UFTP_PROXY_MAX_KEYS     16
#define UFTP_PROXY_MIN_IDLE     (10 * UFTP_NS_PER_SEC)

enum uftp_proxy_mode {
	UFTP_PROXY_SERVER = 1,
	UFTP_PROXY_CLIENT = 2,
	UFTP_PROXY_RESPONSE = 3,
};

/* Everything the proxy needs; the driver owns it for the proxy's life. */
struct uftp_proxy_config {
	int mode;     /* enum uftp_proxy_mode */
	uint32_t uid; /* our ID (-U), host order, never 0 */
	/*
	 * Server proxy: the downstream proxy (-s dest, with its port).  With
	 * dest_by_fp the destination is unknown (family 0) until a heartbeat
	 * signed by the key of fingerprint dest_fp arrives (-s fp=...).
	 */
	struct uftp_peer dest;
	int dest_by_fp;
	uint8_t dest_fp[UFTP_FP_LEN];
	/* Client proxy: the UDP port its clients listen on (-q). */
	uint16_t client_port;
	/* Heartbeats (-H, -h): proxies to send HB_REQ to, every hb_interval ns. */
	struct uftp_peer hb[UFTP_PROXY_MAX_HB];
	size_t nhb;
	uint64_t hb_interval;
	/*
	 * Key used to answer an HB_RESP challenge (the first -k key); NULL:
	 * challenges cannot be answered.  Borrowed.
	 */
	const struct uftp_pkey *key;
	/*
	 * Our private keys (-k/-K), borrowed.  A client proxy in an encrypted
	 * session uses the first of the type the key exchange needs (EC for
	 * ecdh_ecdsa, RSA otherwise) as the key its clients see.
	 */
	const struct uftp_pkey *keys[UFTP_PROXY_MAX_KEYS];
	size_t nkeys;
	/* Response proxy: its long-lived ECDH key (-r:curve, -e), or NULL. Borrowed. */
	const struct uftp_pkey *dhkey;
	/*
	 * -S (struct uftp_peer_key, session.h): when nservers > 0, only
	 * announcements from a listed server ID coming from its listed
	 * address are relayed, their groups must be
	 * source-specific (232/8, ff3x::), and in encrypted sessions the
	 * server's key must have the listed fingerprint (if one is given).
	 */
	const struct uftp_peer_key *servers;
	size_t nservers;
	/*
	 * -C (client and response proxies): when nclients > 0, the only clients
	 * served (addr unused); a fingerprint is checked against the key of the client's
	 * CLIENT_KEY in sessions with client authentication.
	 */
	const struct uftp_peer_key *clients;
	size_t nclients;
	/* Response proxy: the public groups PROXY_KEY goes to (-M). */
	struct uftp_ipaddr pubs[UFTP_PROXY_MAX_HB];
	size_t npubs;
};

/*
 * A multicast group the proxy needs (server and response proxies: the
 * private group of a live session).  Each address appears once, however
 * many sessions share it.
 */
struct uftp_proxy_group {
	struct uftp_ipaddr addr;
	uint32_t group_id; /* the first session that wants it (for logs) */
};

#define UFTP_PROXY_MAX_GROUPS UFTP_PROXY_MAX_SESSIONS /* never more groups than sessions */

/*
 * Informational: the driver logs them; what it must act on (memberships,
 * the downstream) it pulls with uftp_proxy_groups() and uftp_proxy_dest().
 */
enum uftp_proxy_event_type {
	UFTP_PEV_SESSION_START = 1, /* group_id announced by server addr */
	UFTP_PEV_SESSION_END,       /* group_id (server addr) forgotten; text says why */
	UFTP_PEV_DEST,              /* server proxy: downstream is now peer (fp= mode) */
	UFTP_PEV_HB_REJECT,         /* server proxy: a heartbeat from peer failed; text says why */
};

struct uftp_proxy_event {
	int type;
	uint32_t group_id;
	struct uftp_ipaddr addr;
	struct uftp_peer peer;
	char text[128];
};

/* Counters for logs and tests. */
struct uftp_proxy_stats {
	uint64_t rx;           /* datagrams fed in */
	uint64_t rx_dropped;   /* malformed, unexpected, or for no session */
	uint64_t fwd_down;     /* datagrams copied toward the clients */
	uint64_t fwd_up;       /* datagrams copied toward the server unchanged */
	uint64_t agg_in;       /* client replies taken into an aggregate */
	uint64_t agg_out;      /* aggregated replies sent upstream */
	uint64_t tx_dropped;   /* output queue full */
	uint64_t hb_sent;      /* HB_REQs sent */
	uint64_t hb_answered;  /* HB_RESPs sent */
	uint64_t hb_rejected;  /* heartbeats that failed authentication */
	uint64_t sessions;     /* sessions started */
	uint64_t ev_dropped;   /* events that found the event queue full */
	uint64_t sess_evicted; /* half-open sessions evicted by newer ones (table full) */
	uint64_t sess_refused; /* announcements refused: every session established */
};

struct uftp_proxy;

/*
 * Creates a proxy at time now.  env and cfg (and what they point to) are
 * borrowed for the proxy's life.  Errors: UFTP_ERR_INVALID (bad mode, uid
 * 0, server proxy without a destination or a fingerprint, client proxy
 * without client_port), UFTP_ERR_NOMEM.
 */
int uftp_proxy_new(struct uftp_proxy **out, const struct uftp_env *env,
                   const struct uftp_proxy_config *cfg, uint64_t now);

/* Frees the proxy; NULL is a no-op. */
void uftp_proxy_free(struct uftp_proxy *p);

/*
 * Feeds one datagram buf[0..len) received from peer from.  Anything
 * malformed or unexpected is dropped and counted; never fails (returns 0).
 */
int uftp_proxy_on_datagram(struct uftp_proxy *p, const struct uftp_peer *from, const uint8_t *buf,
                           size_t len, uint64_t now);

/*
 * Copies the next datagram due into out (cap bytes; UFTP_PROXY_DGRAM_MAX is
 * always enough) and its destination into *to; *mcast is set to 1 when to
 * is a multicast group (the driver applies -t and -O).  Returns its length,
 * 0 when nothing is due, or UFTP_ERR_NOSPACE (cap too small: the datagram
 * is dropped).
 */
int uftp_proxy_pop_send(struct uftp_proxy *p, struct uftp_peer *to, int *mcast, uint8_t *out,
                        size_t cap, uint64_t now);

/* When handle_expiry has work next (ns); UFTP_NEVER if none. */
uint64_t uftp_proxy_next_expiry(const struct uftp_proxy *p);

/* Runs what is due at now: aggregated replies, heartbeats, session timeouts. */
void uftp_proxy_on_expiry(struct uftp_proxy *p, uint64_t now);

/*
 * Writes the groups the proxy needs now into out[0..max) and returns how
 * many there are (at most UFTP_PROXY_MAX_GROUPS; when more than max, only
 * the first max are written).  The public groups (-M) are the driver's own.
 */
size_t uftp_proxy_groups(const struct uftp_proxy *p, struct uftp_proxy_group *out, size_t max);

/*
 * A counter that changes whenever the set uftp_proxy_groups() reports may
 * have changed (0 at creation, with the set empty): a driver reconciles
 * its memberships only when it differs from the value it last saw.
 */
uint64_t uftp_proxy_groups_gen(const struct uftp_proxy *p);

/* 1 when address a is one of the groups g[0..n) (as uftp_proxy_groups() gives them), else 0. */
int uftp_proxy_group_listed(const struct uftp_proxy_group *g, size_t n,
                            const struct uftp_ipaddr *a);

/*
 * Pops the oldest event into *ev; returns 1, or 0 if none.  One datagram
 * raises at most 3 events and one uftp_proxy_on_expiry() at most one
 * per session; the queue holds those if the driver drains it after each.
 */
int uftp_proxy_pop_event(struct uftp_proxy *p, struct uftp_proxy_event *ev);

/* Copies the proxy's own forwarding counters (the common ones: uftp_proxy_get_stats). */
void uftp_proxy_get_counters(const struct uftp_proxy *p, struct uftp_proxy_stats *st);

/*
 * The read-only view of stats.h, as the other roles give it: the core's
 * counters with drops by reason, its sessions in table order, and each
 * session's one upstream peer (the server, or the proxy it came through).
 */
void uftp_proxy_get_stats(const struct uftp_proxy *p, struct uftp_core_stats *st);
int uftp_proxy_session_stats(const struct uftp_proxy *p, size_t i, struct uftp_session_stats *ss,
                             uint64_t now);
int uftp_proxy_peer_stats(const struct uftp_proxy *p, size_t i, size_t j,
                          struct uftp_peer_stats *ps);

/* Server proxy: the current downstream (family 0 while unknown). */
struct uftp_peer uftp_proxy_dest(const struct uftp_proxy *p);

#endif
