/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The read-only view every role core gives of itself (server.h, client.h,
 * proxy.h): counters of the core as a whole, and an iterator over its
 * sessions and their peers.  Logs, the status lines at the end of a run,
 * the control port and the progress line read through it only, so there
 * is one set of books: the core's.
 *
 * Each role provides, under its own prefix X (server, client, proxy):
 *
 *   void uftp_X_get_stats(const struct uftp_X *x, struct uftp_core_stats *st);
 *   int  uftp_X_session_stats(const struct uftp_X *x, size_t i,
 *                             struct uftp_session_stats *ss, uint64_t now);
 *   int  uftp_X_peer_stats(const struct uftp_X *x, size_t i, size_t j,
 *                          struct uftp_peer_stats *ps);
 *
 * session_stats fills session i (0 ..) and returns 1, or 0 past the last;
 * peer_stats does the same for peer j of session i.  Strings in the
 * structs are borrowed from the core and valid until the next call that
 * changes it (any call but these getters).  Pure: no allocation.
 */
#ifndef UFTP_CORE_STATS_H
#define UFTP_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"

enum uftp_role {
	UFTP_ROLE_SERVER = 1,
	UFTP_ROLE_CLIENT,
	UFTP_ROLE_PROXY,
};

/* Why an inbound datagram was dropped (uftp_drop_reason maps a uftp_err). */
enum uftp_drop {
	UFTP_DROP_MALFORMED = 0, /* header or message failed to decode */
	UFTP_DROP_UNKNOWN,       /* another group, an unknown session or peer */
	UFTP_DROP_UNEXPECTED,    /* a message the current state does not take */
	UFTP_DROP_AUTH,          /* signature, MAC or key check failed; must be encrypted */
	UFTP_DROP_REPLAY,        /* an IV counter or timestamp already seen */
	UFTP_DROP_REFUSED,       /* no room: session table or queue full */
	UFTP_DROP_OTHER,         /* anything else (a local failure on its behalf) */
	UFTP_DROP_NREASONS
};

/* Counters of one core since it was created. */
struct uftp_core_stats {
	int role;                             /* enum uftp_role */
	uint64_t rx_datagrams;                /* fed to on_datagram */
	uint64_t tx_datagrams, tx_bytes;      /* returned by write */
	uint64_t dropped[UFTP_DROP_NREASONS]; /* inbound datagrams dropped, by reason */
	uint64_t tx_dropped;                  /* datagrams the core could not queue or hand out */
	uint64_t sessions_started;            /* sessions created */
	uint64_t sessions_aborted;            /* ended by an ABORT or a timeout */
	uint64_t sessions_evicted;            /* half-open sessions displaced by newcomers */
	uint64_t sessions_refused;            /* newcomers refused: no room */
	size_t sessions_active;               /* sessions now open */
	uint64_t files_done;                  /* files finished (receivers: received or skipped) */
	uint64_t files_failed;                /* of which rejected or failed */
	uint64_t events_lost;                 /* events the driver did not drain in time */
};

/* One session as the core sees it now. */
struct uftp_session_stats {
	uint32_t group_id;
	uint8_t group_inst;
	uint32_t server_id;
	const char *state;        /* the phase, as the core's setter logs it */
	const char *file;         /* the current file's name, NULL between files */
	uint64_t file_bytes_done; /* of the current file */
	uint64_t file_bytes_total;
	uint64_t files_done;  /* files finished (every receiver answered) */
	uint64_t files_total; /* 0 when the role does not know (receivers) */
	uint64_t bytes_done;  /* payload bytes of finished files and the current one */
	uint64_t rate_bps;    /* the configured or measured rate, bits/s; 0 unpaced/unknown */
	uint64_t elapsed_ns;  /* since the session began */
	uint64_t grtt_ns;
	unsigned pass;        /* data pass of the current file (1 = first) */
	uint64_t data_sent;   /* data blocks sent (senders), received (receivers) */
	uint64_t data_resent; /* of which repeated for NAKs */
	uint64_t naks;        /* NAKed blocks received (senders) or sent (receivers) */
	size_t npeers;        /* peers listed by peer_stats */
};

/* One peer of a session: a receiver, a proxy or the server. */
struct uftp_peer_stats {
	uint32_t id;
	struct uftp_peer addr;
	const char *state; /* "registered", "active", "done", "lost", "aborted", ... */
	int is_proxy;
	uint32_t via;        /* the proxy it came through, 0 directly */
	uint64_t files_done; /* files it received */
	uint64_t naks;       /* NAKed blocks it reported */
	uint64_t rtt_ns;     /* last measured round trip, 0 unknown */
};

/*
 * For the iterators: the slot index of the i-th (0 ..) of n slots for
 * which live(arg, k) is true, or n past the last.
 */
size_t uftp_stats_nth(size_t n, size_t i, int (*live)(const void *arg, size_t k), const void *arg);

/*
 * Zeroes *ss and fills what every role's session has: its IDs, a state
 * label (borrowed) and the GRTT (ns).
 */
void uftp_stats_session(struct uftp_session_stats *ss, uint32_t group_id, uint8_t group_inst,
                        uint32_t server_id, const char *state, uint64_t grtt);

/*
 * Peer j of a session with one peer upstream (a receiver's, a proxy's):
 * for j == 0 zeroes *ps, fills ID, address and state (borrowed) and
 * returns 1; 0 for any other j.
 */
int uftp_stats_upstream(struct uftp_peer_stats *ps, size_t j, uint32_t id,
                        const struct uftp_peer *addr, const char *state);

/* The drop reason for a uftp_err returned by a handler. */
int uftp_drop_reason(int err);

/* A short lower-case name for a drop reason ("malformed", ...), for logs and metrics labels. */
const char *uftp_drop_name(int reason);

/*
 * Writes the non-zero drop counters of st into out as "malformed 3,
 * unknown 2" (empty when none; cut short to fit cap) and returns their sum.
 */
uint64_t uftp_drops_format(const struct uftp_core_stats *st, char *out, size_t cap);

#endif
