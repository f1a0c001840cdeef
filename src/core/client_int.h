/* SPDX-License-Identifier: BSD-2-Clause */
/* Internals shared by the client core's files (client*.c).  Not installed. */
#ifndef UFTP_CORE_CLIENT_INT_H
#define UFTP_CORE_CLIENT_INT_H

#include <stdarg.h>

#include "core/client.h"
#include "core/keysched.h"
#include "core/section.h"
#include "core/outq.h"

#define TXQ_LEN 64
#define TXQ_MAX 10240 /* largest datagram we build: STATUS of an 8800-byte block + signature */
/*
 * Events one core call can raise per session slot: FILE, COMPLETE and
 * DONE or ABORTED for the session itself, and one more for a session a new
 * ANNOUNCE displaces.  The queue holds that for every slot, plus spare.
 */
#define EV_PER_SESSION 4
#define EV_SPARE       16
#define PLAIN_MAX      65536
#define MIN_TMO_NS     UFTP_NS_PER_SEC

enum cstate {
	CS_REGISTER = 0, /* REGISTER sent, waiting for REG_CONF / KEYINFO */
	CS_ACTIVE = 1,   /* registered: file transfers */
	CS_DONE = 2,     /* COMPLETE for file 0 sent, waiting for DONE_CONF */
};

#define CS_BIT(s) (1u << (s))

/* The file being received. */
struct cfile {
	int active;   /* FILEINFO accepted, data expected */
	int complete; /* every block stored */
	int partial;  /* resumed from an earlier attempt (-T restart) */
	uint16_t id;
	uint8_t ftype;
	uint8_t status; /* COMPLETE status for this file */
	int fh;         /* fops handle, -1 if none */
	uint64_t size;
	uint32_t mtime;
	struct uftp_sections sec; /* blocks and sections (section.h) */
	uint8_t *have;            /* bitmap of stored blocks */
	uint64_t nhave;
	uint32_t max_section; /* highest section seen in a FILESEG */
	int nak_due;          /* STATUS timer armed */
	uint64_t nak_at;
	uint32_t nak_upto; /* sections to report: 0..nak_upto */
	uint64_t ckpt_at;  /* -T: next checkpoint of the bitmap (0: not yet armed) */
	int nak_done;      /* arm came from DONE: answer COMPLETE if nothing missing */
	char name[UFTP_CLIENT_NAME_MAX];
};

/* TFMCC receiver state (client_cc.c). */
#define CL_CC_NLI 8 /* loss intervals kept */
struct ccstate {
	uint16_t seq;      /* latest CC sequence from the server */
	int slowstart;     /* no loss seen yet */
	uint64_t bytes;    /* data bytes since the last report */
	uint64_t since;    /* time of the last report */
	double recv_rate;  /* bytes/s measured at the last report */
	uint64_t rx, lost; /* data packets received / lost (counters) */
	uint64_t last_block;
	int have_last;
	/* loss history (RFC 3448 section 5): li[0] the packets since the start of
	 * the latest loss event, li[1..nli] the closed intervals, newest first */
	uint64_t li[CL_CC_NLI + 1];
	int nli;
	uint64_t ev_start; /* time the latest loss event began */
	/* feedback rounds (RFC 4654 section 4.4) */
	int clr;                   /* the server's latest CONG_CTRL names us the CLR */
	int in_round;              /* seq is the current feedback round's */
	uint16_t supp_rate;        /* the server's suppression rate, as on the wire */
	int answered;              /* this round: fed back, or suppressed */
	uint64_t fb_at;            /* this round: when our feedback timer fires */
	uint64_t fb_sent, fb_held; /* CC_ACKs sent / suppressed (for tests and logs) */
	uint64_t rtt;              /* our RTT as the server's CONG_CTRL lists it (ns); 0: none */
};

/*
 * Replay protection for ENCRYPTED datagrams: per sender (the server, or a
 * proxy speaking for it), the highest IV counter seen and which of the
 * CL_REPLAY_WINDOW counters below it have been seen.  Senders count up from
 * 1 (as the reference does), so a counter seen before, or older than the
 * window, is a replay (or a duplicate from the network) and is dropped.
 */
#define CL_REPLAY_WINDOW  4096
#define CL_REPLAY_SENDERS 2
struct replay_win {
	int used;
	uint32_t src;
	uint64_t top;
	uint64_t bits[CL_REPLAY_WINDOW / 64];
};

struct csession {
	int used;
	enum cstate state;
	uint32_t group_id;
	uint8_t group_inst;
	uint32_t server_id;
	struct uftp_peer server;
	struct uftp_ipaddr priv;
	uint16_t seq;
	uint8_t robust;
	uint8_t sync;    /* ANNOUNCE flags: SYNC_MODE / SYNC_PREVIEW */
	uint8_t cc_type; /* ANNOUNCE congestion control */
	struct ccstate cc;
	uint16_t block_size;
	uint64_t grtt;            /* ns, from the latest server header */
	uint64_t last_rx;         /* last datagram from the server */
	uint64_t start;           /* REGISTER first sent / COMPLETE(0) first sent */
	uint64_t giveup;          /* REGISTER / final COMPLETE: last resend, fixed at the start */
	uint64_t resend_at;       /* REGISTER or final COMPLETE resend */
	uint32_t ts_sec, ts_usec; /* last server timestamp and when we got it */
	uint64_t ts_rx;
	/* encryption */
	int enc;
	int keyed;
	uint8_t keytype, hashtype, sigtype, keyextype, client_auth;
	uint8_t srand[UFTP_RAND_LEN], crand[UFTP_RAND_LEN];
	uint8_t premaster[UFTP_PREMASTER_LEN];
	size_t premaster_len;
	uint8_t keyinfo[UFTP_MAX_BLOB_LEN]; /* REGISTER key info */
	size_t keyinfo_len;
	uint8_t ckey_blob[UFTP_MAX_BLOB_LEN];
	size_t ckey_blob_len;
	uint8_t ckey_sig[UFTP_MAX_SIG_LEN]; /* CLIENT_KEY signed verify data */
	size_t ckey_sig_len;
	struct uftp_pkey *ckey;       /* our key used (borrowed from cfg) */
	struct uftp_pkey *server_key; /* owned */
	struct uftp_keys client_keys, group_keys;
	uint8_t group_master[UFTP_MASTER_LEN];
	uint64_t iv_ctr; /* our ENCRYPTED counter */
	struct replay_win replay[CL_REPLAY_SENDERS];
	uint8_t verify[UFTP_VERIFY_LEN];
	struct cfile file;
	/* the books of uftp_client_session_stats() */
	uint64_t began;        /* now when the ANNOUNCE created it */
	uint64_t files_done;   /* files finished in this session */
	uint64_t bytes_before; /* their bytes */
	uint64_t data_rx;      /* new data blocks stored */
	uint64_t naks_tx;      /* blocks NAKed in STATUS messages */
};

struct uftp_client {
	struct uftp_client_config cfg;
	const struct uftp_env *env;
	struct csession *sess;
	size_t nsess;
	struct uftp_outq txq; /* TXQ_LEN datagrams of TXQ_MAX bytes */
	struct uftp_client_event *evq;
	size_t ev_cap, ev_head, ev_n;
	uint64_t groups_gen;  /* bumped when a session begins or ends */
	uint64_t full_log_at; /* next "too many sessions" warning allowed */
	struct uftp_core_stats st;
	struct uftp_pkey *proxy_key;       /* -R: the response proxy's key (owned) */
	struct uftp_pkey *proxy_dh;        /* its ECDH key, if it sent one (owned) */
	uint64_t keyreq_at;                /* next KEY_REQ while proxy_key is missing */
	uint64_t hb_at;                    /* next round of HB_REQs (-H) */
	uint8_t hb_ok[UFTP_CLIENT_MAX_HB]; /* proxy i answered HB_AUTH_OK last */
	uint16_t seq;                      /* sequence of messages outside sessions */
	uint8_t plain[PLAIN_MAX];
};

/* A decoded message from a session's server, with the context handlers need. */
struct cin {
	const struct uftp_header *hdr;
	const struct uftp_msg *msg;
	const uint8_t *pkt; /* the whole datagram */
	size_t len;
	int encrypted; /* arrived inside ENCRYPTED */
	uint64_t now;
};

/*
 * Internal functions.  Conventions: c and s are borrowed; a handler
 * (cl_on_*) returns 0 when the message was used or ignored on purpose, or a
 * negative uftp_err when it is dropped (counted by the caller); a handler
 * may end the session (s->used = 0) and then returns 0.
 */

/* client.c */
/* Formats a log line for env->log when level is enabled. */
void cl_log(const struct uftp_client *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Queues an event about s (text copied, may be NULL).  When the driver
 * has not drained the queue it is full: the event is lost, counted and logged.
 */
void cl_event(struct uftp_client *c, const struct csession *s, int type, const char *text);
/* The one place a session's state changes; logs old -> new at debug level. */
void cl_set_state(struct uftp_client *c, struct csession *s, enum cstate state);
/* client_stats.c: the state's name, as the setter logs it and the stats report it. */
extern const char *const cl_state_names[];
/*
 * Encodes m for s (inside ENCRYPTED once keyed, except REGISTER and
 * CLIENT_KEY) and queues it to the server or the response proxy.  Errors:
 * NOSPACE (queue full, counted), the codec's and the envelope's.
 */
int cl_send(struct uftp_client *c, struct csession *s, const struct uftp_msg *m, uint64_t now);
/* Logs why, optionally sends ABORT to the server, raises ABORTED and ends s. */
void cl_abort(struct uftp_client *c, struct csession *s, const char *why, int tell_server,
              uint64_t now);
/* Closes the file (failed), frees keys, wipes and frees the slot (the group set changes). */
void cl_end(struct uftp_client *c, struct csession *s);
/* The last server timestamp advanced by the time since it arrived (RTT echo). */
void cl_ts_echo(const struct csession *s, uint64_t now, uint32_t *sec, uint32_t *usec);
uint64_t cl_max(uint64_t a, uint64_t b);

/* client_reg.c */
/*
 * ANNOUNCE: a repeat refreshes its session; a new one for us (open group,
 * or closed with our ID; allowed by -S) creates a session, sets up the key
 * exchange and sends REGISTER (+ CLIENT_KEY).  pkt/len: the whole datagram
 * (for the signature check).  Errors: decoder errors, AUTH (not in -S),
 * BADVALUE (non-SSM private group with -S).
 */
int cl_on_announce(struct uftp_client *c, const struct uftp_peer *from, const struct uftp_header *h,
                   const struct uftp_announce *a, const uint8_t *pkt, size_t len, uint64_t now);
/* Queues REGISTER (and CLIENT_KEY when a client key is used). */
int cl_send_register(struct uftp_client *c, struct csession *s, uint64_t now);
/* REG_CONF listing us: registered (unencrypted sessions). */
int cl_on_reg_conf(struct uftp_client *c, struct csession *s, const struct cin *in);
/* KEYINFO listing us: group keys, registered, KEYINFO_ACK (again for repeats). */
int cl_on_keyinfo(struct uftp_client *c, struct csession *s, const struct cin *in);

/* client_file.c */
/* FILEINFO listing us: file, directory, link, @DELETE, @FREESPACE; ACK or COMPLETE. */
int cl_on_fileinfo(struct uftp_client *c, struct csession *s, const struct cin *in);
/* FILESEG of the current file: stored once; BADVALUE/BADLEN for impossible blocks. */
int cl_on_fileseg(struct uftp_client *c, struct csession *s, const struct cin *in);
/* DONE listing us: COMPLETE, or STATUS after one GRTT; file 0 ends the session. */
int cl_on_done(struct uftp_client *c, struct csession *s, const struct cin *in);
/* DONE_CONF listing us: session complete (DONE event, slot freed). */
int cl_on_done_conf(struct uftp_client *c, struct csession *s, const struct cin *in);
/* Closes the current file through fops (ok: complete, set its mtime); returns fops->close's error.
 */
int cl_file_close(struct uftp_client *c, struct csession *s, int ok);
/* -T: saves the current file's bitmap through fops->save_state before a failed end. */
void cl_file_save(struct uftp_client *c, struct csession *s);
/* Runs the STATUS and checkpoint timers of s when due. */
void cl_file_expiry(struct uftp_client *c, struct csession *s, uint64_t now);
/* When the checkpoint timer of s is due (UFTP_NEVER when none is armed). */
uint64_t cl_file_ckpt_expiry(const struct csession *s);
/* Queues COMPLETE for file_id (0: the session) with status. */
int cl_send_complete(struct uftp_client *c, struct csession *s, uint16_t file_id, uint8_t status,
                     uint64_t now);

/* client_proxy.c */
/* 1 when -R names a response proxy. */
int cl_proxy_mode(const struct uftp_client *c);
/* 1 when from is the response proxy's address (any port). */
int cl_from_proxy(const struct uftp_client *c, const struct uftp_peer *from);
/* PROXY_KEY from the proxy: its keys (fingerprint checked).  Errors: STATE, AUTH, decoder's. */
int cl_on_proxy_key(struct uftp_client *c, const struct uftp_peer *from,
                    const struct uftp_header *h, const uint8_t *buf, size_t len);
/* When the next KEY_REQ is due, or UFTP_NEVER. */
uint64_t cl_proxy_expiry(const struct uftp_client *c);
/* Sends KEY_REQ when due (every 5 s until PROXY_KEY). */
void cl_proxy_timers(struct uftp_client *c, uint64_t now);
/* Frees the proxy's keys. */
void cl_proxy_free(struct uftp_client *c);

/* client_hb.c */
/*
 * HB_RESP from a -H proxy: OK noted, CHALLENGE answered with a signed
 * HB_REQ, FAILED logged.  Errors: STATE (not from a listed proxy), BADVALUE,
 * the decoder's, and those of the signed reply (no key, crypto, queue full).
 */
int cl_on_hb_resp(struct uftp_client *c, const struct uftp_peer *from, const uint8_t *buf,
                  size_t len);
/* When the next HB_REQs are due (UFTP_NEVER without -H). */
uint64_t cl_hb_expiry(const struct uftp_client *c);
/* Sends the HB_REQs when due and schedules the next round. */
void cl_hb_timers(struct uftp_client *c, uint64_t now);

/* client_cc.c */
/* Accounts a data block for the receive rate and loss events. */
void cl_cc_on_data(struct uftp_client *c, struct csession *s, const struct uftp_fileseg *fs,
                   uint64_t block, uint64_t now);
/* Writes EXT_TFMCC_ACK_INFO (UFTP_EXT_TFMCC_ACK_INFO_LEN bytes) into ext; its length or error. */
ssize_t cl_cc_ack_info(struct uftp_client *c, struct csession *s, uint8_t *ext, uint64_t now);
/* CONG_CTRL: answers with CC_ACK in TFMCC sessions. */
int cl_on_cong_ctrl(struct uftp_client *c, struct csession *s, const struct cin *in);

#endif
