/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receiving side of UFTP 4.x (uftpd), as a pure state machine.
 *
 * One struct uftp_client serves every session of a daemon: sessions are
 * created by ANNOUNCEs and keyed by (group ID, server ID, server address).
 * At most cfg.max_sessions run at once.  A new ANNOUNCE beyond that
 * displaces a half-open session (announce seen, registration not yet
 * confirmed), the newest of them; a session that has registered is never
 * displaced, so when every slot holds one the ANNOUNCE is refused.  Both
 * are counted (uftp_client_stats) and logged at most once a second.
 *
 * The core contract of session.h applies: time enters as `now` (monotonic
 * ns), datagrams enter through uftp_client_on_datagram() and leave through
 * uftp_client_pop_send(), file bytes cross struct uftp_client_fops, control
 * events are drained with uftp_client_pop_event().  Replies always go by
 * unicast to the address the server's message came from.
 *
 * Multicast memberships are state, not events: the driver pulls the set
 * of private groups the live sessions use (uftp_client_groups()) and
 * joins and leaves the difference whenever uftp_client_groups_gen()
 * changes, so no membership can be lost or leaked whatever happens to the
 * event queue.
 */
#ifndef UFTP_CORE_CLIENT_H
#define UFTP_CORE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"
#include "core/stats.h"

#define UFTP_CLIENT_MAX_ROOTS    32
#define UFTP_CLIENT_MAX_KEYS     16
#define UFTP_CLIENT_MAX_SERVERS  64
#define UFTP_CLIENT_MAX_SESSIONS 256
#define UFTP_CLIENT_NAME_MAX     4096 /* event file names, NUL included */
#define UFTP_CLIENT_MAX_HB       16

/*
 * File operations the driver implements (disk) and tests implement
 * (memory).  `root` indexes cfg.roots; `rel` is a relative name already
 * accepted by path.h.  Every function returns >= 0 or a negative uftp_err;
 * the core logs failures and rejects or aborts the file, never the daemon.
 */
struct uftp_client_fops {
	void *arg;
	/* Creates (truncating) a regular file for writing; returns a handle >= 0. */
	int (*open)(void *arg, size_t root, const char *rel);
	/* Writes buf[0..len) at offset off of handle h. */
	int (*write)(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len);
	/*
	 * Closes h.  ok = 1: the file is complete, set its mtime (seconds since
	 * the epoch) and final mode; ok = 0: the transfer failed (the driver may
	 * keep or remove the partial file).
	 */
	int (*close)(void *arg, int h, int ok, int64_t mtime);
	/* Creates directory rel (and parents); an existing directory is fine. */
	int (*mkdir)(void *arg, size_t root, const char *rel);
	/* Creates symlink rel -> target, replacing an existing non-directory. */
	int (*symlink)(void *arg, size_t root, const char *rel, const char *target);
	/* Removes rel (file, link or tree) for a @DELETE request; may be NULL. */
	int (*remove)(void *arg, size_t root, const char *rel);
	/* Free bytes in root 0, for @FREESPACE; may be NULL (reports 0). */
	int (*freespace)(void *arg, uint64_t *bytes);
	/*
	 * Sync mode: 1 with *size / *mtime filled if rel exists as a regular
	 * file, 0 if it does not exist, or a negative uftp_err.  May be NULL
	 * (sync mode then receives everything as new).
	 */
	int (*stat)(void *arg, size_t root, const char *rel, uint64_t *size, int64_t *mtime);
	/*
	 * Optional: used instead of open when set, with the session's group ID
	 * and the file ID (for temporary names, uftpd -t).
	 */
	int (*open_ex)(void *arg, size_t root, const char *rel, uint32_t group_id,
	               uint16_t file_id);
	/*
	 * Optional, for restarts with -T (all three or none): save_state keeps
	 * the block bitmap of a partly received file when its session fails;
	 * load_state returns 1 and fills bitmap (len bytes) when a state for
	 * this group, name and size exists (and forgets it), else 0;
	 * reopen opens the partial file for writing without truncating it.
	 */
	int (*save_state)(void *arg, uint32_t group_id, const char *name, uint64_t size,
	                  const uint8_t *bitmap, size_t len);
	int (*load_state)(void *arg, uint32_t group_id, const char *name, uint64_t size,
	                  uint8_t *bitmap, size_t len);
	int (*reopen)(void *arg, size_t root, const char *rel);
	/*
	 * Optional: free bytes where files of `root` are written (root nroots:
	 * the temp dir).  A file larger than that aborts the session at its
	 * FILEINFO ("Not enough disk space", as 4.10.2) instead of failing when
	 * the disk fills.
	 */
	int (*room)(void *arg, size_t root, uint64_t *bytes);
};

/* Configuration; copied by uftp_client_new() except the borrowed pointers noted. */
struct uftp_client_config {
	uint32_t uid;                             /* our client ID (-U), host order */
	const char *roots[UFTP_CLIENT_MAX_ROOTS]; /* -D (borrowed, absolute, normalised) */
	size_t nroots;                            /* >= 1 */
	int encrypted_only;                       /* -E */
	/*
	 * -T: relative names are received under the extra root index nroots
	 * as "_group_XXXXXXXX/<name>" (the session's group ID); absolute names
	 * are rejected.  The driver moves them at UFTP_CEV_COMPLETE.
	 */
	int temp_dir;
	/*
	 * -R: every reply goes to this response proxy instead of the server
	 * (family 0: none).  The proxy's key is asked for with KEY_REQ every 5
	 * seconds until a PROXY_KEY arrives; encrypted sessions wait for it, use
	 * it for the key exchange and take their KEYINFO from the proxy.
	 */
	struct uftp_peer resp_proxy;
	int resp_proxy_has_fp; /* -R proxy/fingerprint */
	uint8_t resp_proxy_fp[UFTP_FP_LEN];
	/*
	 * -H / -h: an HB_REQ goes to each of these proxies at start and then
	 * every hb_interval ns (0: 20 s, as 4.10.2).  A proxy answering
	 * HB_AUTH_CHALLENGE gets a signed HB_REQ at once (keys[0], SHA-1).
	 */
	struct uftp_peer hb[UFTP_CLIENT_MAX_HB];
	size_t nhb;
	uint64_t hb_interval;
	struct uftp_pkey *keys[UFTP_CLIENT_MAX_KEYS]; /* private keys (borrowed) */
	size_t nkeys;
	size_t max_sessions;                                   /* 0: default 16 */
	struct uftp_peer_key servers[UFTP_CLIENT_MAX_SERVERS]; /* -S: address family 0 = any */
	size_t nservers;                                       /* 0: any server */
	const struct uftp_client_fops *fops;                   /* borrowed */
};

enum uftp_client_event_type {
	UFTP_CEV_CONNECT = 1, /* registered with a server */
	UFTP_CEV_FILE,        /* a file finished: name, size, status (UFTP_COMP_*) */
	UFTP_CEV_DONE,        /* session completed normally */
	UFTP_CEV_ABORTED,     /* session aborted or timed out: text says why */
	UFTP_CEV_COMPLETE,    /* end of session announced (DONE for file 0), COMPLETE sent */
};

struct uftp_client_event {
	int type;
	uint32_t group_id;
	uint32_t server_id;
	struct uftp_peer server;         /* where the server's messages come from */
	struct uftp_ipaddr addr;         /* the session's private group */
	uint64_t size;                   /* FILE: bytes */
	int ftype;                       /* FILE: enum uftp_ftype */
	int status;                      /* FILE: enum uftp_comp_stat */
	char text[UFTP_CLIENT_NAME_MAX]; /* FILE: wire name; ABORTED: reason */
};

struct uftp_client;

/*
 * Creates a client core at time now and stores it in *out.  cfg is copied;
 * env, cfg->roots strings, keys and fops are borrowed and must outlive the
 * core.  Returns 0, UFTP_ERR_INVALID (no roots, no fops, too many roots or
 * heartbeat proxies) or UFTP_ERR_NOMEM; *out is NULL on failure.
 */
int uftp_client_new(struct uftp_client **out, const struct uftp_env *env,
                    const struct uftp_client_config *cfg, uint64_t now);

/* Frees the core, closing open files as failed (no events, no datagrams). */
void uftp_client_free(struct uftp_client *c);

/*
 * Feeds one datagram (UFTP header included) received from `from`.  Returns
 * 0 when it was used, or a negative uftp_err when it was dropped (counted,
 * logged at debug level); the caller needs to do nothing either way.
 */
int uftp_client_on_datagram(struct uftp_client *c, const struct uftp_peer *from, const uint8_t *buf,
                            size_t len, uint64_t now);

/*
 * Pulls the next datagram to send into out (cap bytes, 65536 always
 * suffices) and its destination into *to.  Returns its length, or 0 when
 * nothing is queued.
 */
int uftp_client_pop_send(struct uftp_client *c, struct uftp_peer *to, uint8_t *out, size_t cap,
                         uint64_t now);

/* Earliest time uftp_client_on_expiry() has work to do, or UFTP_NEVER. */
uint64_t uftp_client_next_expiry(const struct uftp_client *c);

/* Runs the timers due at now (resends, STATUS, timeouts). */
void uftp_client_on_expiry(struct uftp_client *c, uint64_t now);

/*
 * Pops the oldest pending event into *ev; returns 1, or 0 when none.  The
 * queue holds what one call of uftp_client_on_datagram(),
 * uftp_client_on_expiry() or uftp_client_shutdown() can raise with
 * every session slot busy, so a driver that drains after each call never
 * loses an event; one that does not loses the newest, counted in
 * stats.events_lost and logged.
 */
int uftp_client_pop_event(struct uftp_client *c, struct uftp_client_event *ev);

/*
 * Writes into out[0..max) the distinct multicast private groups of the live
 * sessions (every session from its ANNOUNCE until it ends, half-open ones
 * included), in slot order, and returns how many there are (which may be
 * more than max: only max are written).  Unicast private addresses are not
 * listed.  Source-specific joins take their sources from the driver's
 * server list (-S), as the core's ANNOUNCE check does.
 */
size_t uftp_client_groups(const struct uftp_client *c, struct uftp_ipaddr *out, size_t max);

/*
 * A counter that changes whenever the set uftp_client_groups() returns
 * may have changed (a session began or ended); never 0, so a driver can
 * start from 0 to mean "not synced yet".
 */
uint64_t uftp_client_groups_gen(const struct uftp_client *c);

/*
 * The read-only view of stats.h: the core's counters (dropped input never
 * reaches a log above debug: it is counted here, by reason), its live
 * sessions in slot order, and each session's one peer, its server.
 */
void uftp_client_get_stats(const struct uftp_client *c, struct uftp_core_stats *st);
int uftp_client_session_stats(const struct uftp_client *c, size_t i, struct uftp_session_stats *ss,
                              uint64_t now);
int uftp_client_peer_stats(const struct uftp_client *c, size_t i, size_t j,
                           struct uftp_peer_stats *ps);

/*
 * The daemon is exiting: every session is aborted with an ABORT to its
 * server ("Client shutting down", as the reference says it), so servers
 * drop us at once.  Drain uftp_client_pop_send() afterwards.
 */
void uftp_client_shutdown(struct uftp_client *c, uint64_t now);

/* Number of live sessions. */
size_t uftp_client_session_count(const struct uftp_client *c);

#endif
