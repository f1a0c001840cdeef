/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender's session state machine (uftp).  Pure: datagrams, time and
 * file bytes come in through the calls below; datagrams go out through
 * uftp_server_pop_send(); control events are drained with
 * uftp_server_pop_event().  See session.h for the shared contract.
 *
 * Phases: ANNOUNCE (registration, key exchange) -> per file FILEINFO,
 * DATA (FILESEG passes, DONE, STATUS-driven retransmission) -> END (DONE
 * for file 0, COMPLETE, DONE_CONF) -> FINISHED.  Timing follows
 * protocol.txt section 3: messages are resent every 3 x GRTT at most
 * ROBUST times; silent clients are dropped.
 */
#ifndef UFTP_CORE_SERVER_H
#define UFTP_CORE_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/session.h"
#include "core/stats.h"

/* One entry of the file list, as announced in FILEINFO.  Strings borrowed. */
struct uftp_server_file {
	const char *name; /* wire name ('/'-separated) */
	const char *link; /* link target for UFTP_FTYPE_LINK, else NULL */
	uint8_t ftype;    /* enum uftp_ftype */
	uint64_t size;    /* bytes (0 for everything but regular files) */
	uint32_t mtime;   /* seconds since the epoch (0 for dirs and links) */
};

/*
 * How the core reads file bytes.  read_at fills buf[0..len) from offset off
 * of file index idx (position in the file list) and returns the bytes read
 * (len except at the end of the file) or a negative uftp_err; the session
 * aborts on an error.  arg is passed back unchanged.
 */
struct uftp_server_file_ops {
	void *arg;
	ssize_t (*read_at)(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len);
	/*
	 * Optional (NULL: every file is readable): called before a regular
	 * file is announced; 0 if it can be read, or a negative uftp_err, and
	 * the file is then skipped with a warning, as the reference does.
	 */
	int (*open)(void *arg, size_t idx);
};

/* Everything a session needs; the driver owns it (and what it points to) for the session's life. */
struct uftp_server_config {
	uint32_t server_id; /* host order */
	uint32_t group_id;
	uint8_t group_inst;           /* 0, or the attempt number of a restarted group (-F) */
	struct uftp_ipaddr pub_addr;  /* ANNOUNCE destination (multicast or unicast) */
	struct uftp_ipaddr priv_addr; /* all other messages (= pub_addr in unicast mode) */
	int unicast;         /* pub_addr is a unicast receiver: ANNOUNCE carries zero addresses */
	uint16_t port;       /* destination UDP port */
	uint16_t block_size; /* -b */
	uint8_t robust;      /* -s */
	int64_t rate_kbps;   /* -R; -1: unpaced (ignored under TFMCC) */
	/*
	 * -C: UFTP_CC_NONE (paced at rate_kbps) or UFTP_CC_TFMCC, paced at the
	 * rate server_cc.c sets, starting at cc_init_kbps, kept within
	 * [cc_min_kbps, cc_max_kbps] (0: the defaults of server_cc.c).
	 */
	int cc_type;
	int64_t cc_min_kbps, cc_init_kbps, cc_max_kbps;
	uint64_t grtt_init, grtt_min, grtt_max; /* -r, ns */
	unsigned max_passes;                    /* -a (0: no limit) */
	unsigned max_nak_pct, max_nak_count;    /* -N, -m */
	/* -W: per-file time limit in % of the ideal time at rate_kbps; 0: none */
	unsigned txweight;
	int quit_on_error;           /* -q */
	int sync_mode, sync_preview; /* -z, -Z */
	/*
	 * --wait-fileinfo: a file's data waits for every FILEINFO_ACK (one
	 * round trip per file, as the reference does).  0: the first pass
	 * follows the FILEINFO at once (server_file.c, "early data").
	 */
	int wait_fileinfo;
	const struct uftp_peer_key *hosts; /* -H; NULL: open group */
	size_t nhosts;
	/*
	 * -j: the proxies a closed group accepts REGISTERs from (their key
	 * fingerprints checked with client_auth, instead of their clients').
	 * With hosts set and no proxy list, proxies are refused; an open group
	 * takes any proxy.
	 */
	const struct uftp_peer_key *proxies;
	size_t nproxies;
	/* Encryption (keytype UFTP_KEY_NONE: none). */
	int keytype, hashtype, sigtype, keyextype, curve;
	int client_auth;                      /* -c */
	const struct uftp_pkey *server_key;   /* RSA or EC private key, driver-owned */
	const struct uftp_server_file *files; /* the file list, in send order */
	size_t nfiles;
	const struct uftp_server_file_ops *fops;
};

enum uftp_server_event_type {
	UFTP_SEV_REGISTERED = 1, /* client_id joined */
	UFTP_SEV_CLIENT_LOST,  /* client_id dropped (silence, NAK limit, bad key); text says why */
	UFTP_SEV_CLIENT_ABORT, /* client_id sent ABORT; text is its message */
	UFTP_SEV_FILE_START,   /* file index starts */
	UFTP_SEV_FILE_CLIENT,  /* client_id finished file with status (enum uftp_comp_stat) */
	UFTP_SEV_FILE_DONE,    /* file index finished for every client */
	UFTP_SEV_FREESPACE,    /* client_id reported value bytes free */
	UFTP_SEV_FINISHED,     /* session over; value = enum uftp_server_outcome */
};

struct uftp_server_event {
	int type;
	uint32_t client_id;
	size_t file;
	int status;
	uint64_t value;
	char text[128];
};

/* How a session ended; the driver maps it onto its exit status (man uftp). */
enum uftp_server_outcome {
	UFTP_SERVER_DONE = 0,      /* at least one receiver got at least one file */
	UFTP_SERVER_INTERRUPTED,   /* uftp_server_abort() */
	UFTP_SERVER_NO_REGISTER,   /* no receiver answered the ANNOUNCE */
	UFTP_SERVER_NO_FILEINFO,   /* no receiver answered a FILEINFO */
	UFTP_SERVER_ALL_LOST,      /* every receiver left (or one did, with quit_on_error) */
	UFTP_SERVER_NONE_RECEIVED, /* finished, but no file reached any receiver */
};

struct uftp_server;

/*
 * Creates a session that starts announcing at time now.  env and cfg (and
 * everything they point to) are borrowed for the session's life.  Stores
 * the session in *out.  Errors: INVALID (bad config), TOOBIG (a regular
 * file larger than uftp_sections_max_size(block_size): the driver should
 * refuse it before this call, naming the file), NOMEM, UNSUPPORTED /
 * CRYPTO (key generation for encryption failed).
 */
int uftp_server_new(struct uftp_server **out, const struct uftp_env *env,
                    const struct uftp_server_config *cfg, uint64_t now);

/* Frees the session (key material wiped); NULL is a no-op. */
void uftp_server_free(struct uftp_server *s);

/*
 * Feeds one received datagram buf[0..len) from peer from (UFTP header
 * included; the buffer is borrowed for the call).  Returns 0 when the
 * datagram was used, or a negative uftp_err saying why it was dropped
 * (counted, logged at debug level): a bad header or another group
 * (BADVALUE), a message not expected now or from an unknown client (STATE,
 * UNKNOWN_TYPE), a failed authentication or a plaintext message that must
 * be encrypted (AUTH), or the handler's own reason.  The caller needs to do
 * nothing either way: a local failure that ends the session is reported by
 * an event, never by this return.
 */
int uftp_server_on_datagram(struct uftp_server *s, const struct uftp_peer *from, const uint8_t *buf,
                            size_t len, uint64_t now);

/*
 * Writes the next datagram due into out (cap bytes, at least block size +
 * 1120: room for an ENCRYPTED header and an RSA-8192 signature) and its destination into *to.
 * Returns its length, 0 when nothing is due now (see get_expiry), or a negative uftp_err on a local
 * failure (the session is then finished).
 */
int uftp_server_pop_send(struct uftp_server *s, struct uftp_peer *to, uint8_t *out, size_t cap,
                         uint64_t now);

/* The time (ns) at which write or handle_expiry has work next; UFTP_NEVER if none. */
uint64_t uftp_server_next_expiry(const struct uftp_server *s);

/* Runs the timers due at now (resends, timeouts, phase changes). */
void uftp_server_on_expiry(struct uftp_server *s, uint64_t now);

/* Pops the oldest pending event into *ev; returns 1, or 0 if none. */
int uftp_server_pop_event(struct uftp_server *s, struct uftp_server_event *ev);

/*
 * Aborts the session (user interrupt): an ABORT with text goes out to every
 * client on the next write, then the session finishes as UFTP_SERVER_INTERRUPTED.
 */
void uftp_server_abort(struct uftp_server *s, const char *text, uint64_t now);

/* 1 once the session has finished (FINISHED event queued). */
int uftp_server_finished(const struct uftp_server *s);

/* How the finished session ended (enum uftp_server_outcome; valid once finished). */
int uftp_server_outcome(const struct uftp_server *s);

/* Current GRTT in ns (for logs and tests). */
uint64_t uftp_server_grtt(const struct uftp_server *s);

/*
 * The read-only view of stats.h: the core's counters, its one session
 * (i = 0) and that session's peers (its receivers and proxies, in
 * registration order).  now is only read, to report the elapsed time.
 */
void uftp_server_get_stats(const struct uftp_server *s, struct uftp_core_stats *st);
int uftp_server_session_stats(const struct uftp_server *s, size_t i, struct uftp_session_stats *ss,
                              uint64_t now);
int uftp_server_peer_stats(const struct uftp_server *s, size_t i, size_t j,
                           struct uftp_peer_stats *ps);

/*
 * The clients that did not receive every file: members of a closed group
 * that never registered, then clients that were dropped, aborted, or had
 * not finished when the session ended (in that order, each once).  Stores
 * up to max IDs in ids and returns how many there are in all (which may
 * exceed max).  Meaningful once the session has finished.
 */
size_t uftp_server_failed(const struct uftp_server *s, uint32_t *ids, size_t max);

/* ---- restart files (-f / -F) ---------------------------------------------
 *
 * The reference writes its restart file "_group_{ID}_restart" as raw
 * little-endian records; we read and write the same layout so a session
 * can be restarted by either program:
 *   header (12 bytes): group ID (u32 LE), group instance (u8), 3 zero
 *     bytes, file count (u32 LE);
 *   per file (300 bytes): the name as given to the first attempt,
 *     NUL-terminated, zero-padded;
 *   per failed client, up to the end (156 bytes): its name (the -H entry
 *     as typed, e.g. "0xC612000B") NUL-padded to 80 bytes, the ID (u32 big-endian), a
 *     fingerprint flag (u8, 3 zero bytes), the 20-byte key fingerprint,
 *     zero padding.
 */
#define UFTP_RESTART_HDR_LEN  12
#define UFTP_RESTART_NAME_LEN 300
#define UFTP_RESTART_HOST_LEN 156

struct uftp_restart {
	uint32_t group_id;
	uint8_t group_inst;       /* instance of the attempt that wrote the file */
	const char *const *files; /* decode: allocated array, names point into the buffer */
	size_t nfiles;
	struct uftp_peer_key *hosts; /* decode: allocated */
	/*
	 * The text each client record names it by (the reference keeps the -H
	 * entry as typed): encode writes "0xNNNNNNNN" where this or an entry is
	 * NULL, or where the text does not fit; decode sets an allocated array
	 * pointing into the buffer, an entry NULL when its text is empty or
	 * unterminated (the ID is what counts).
	 */
	const char *const *host_names;
	size_t nhosts;
};

/* Bytes the encoding of r takes. */
size_t uftp_restart_size(const struct uftp_restart *r);

/*
 * Encodes r into out[0..cap).  Returns the length, or INVALID (a name
 * empty or too long for its 300-byte record), NOSPACE (cap too small).
 */
ssize_t uftp_restart_encode(uint8_t *out, size_t cap, const struct uftp_restart *r);

/*
 * Decodes a restart file held in buf[0..len).  buf must stay alive and
 * unchanged while r->files is used; r->files and r->hosts are allocated
 * (release with uftp_restart_free).  Errors: TRUNCATED (shorter than the
 * header and the file records it announces), BADLEN (a partial client
 * record at the end), BADVALUE (no file, an unterminated or empty name, a
 * zero client ID, a fingerprint flag other than 0 or 1), NOMEM.  r is left
 * empty on error.
 */
int uftp_restart_decode(struct uftp_restart *r, const uint8_t *buf, size_t len);

/* Frees what uftp_restart_decode allocated; r is left empty. */
void uftp_restart_free(struct uftp_restart *r);

#endif
