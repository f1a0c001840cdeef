/* SPDX-License-Identifier: BSD-2-Clause */
/* Internals shared by the server_*.c files.  Not a public interface. */
#ifndef UFTP_CORE_SERVER_INT_H
#define UFTP_CORE_SERVER_INT_H

#include "core/keysched.h"
#include "core/section.h"
#include "core/server.h"
#include "core/stats.h"

#define SRV_MAX_EVENTS 512
#define SRV_MAX_IDS    256 /* client IDs per control message */
/* client records per session: a proxy's REGISTER can list hundreds at once */
#define SRV_MAX_CLIENTS 100000

enum srv_phase {
	PH_ANNOUNCE = 0,
	PH_FILEINFO,
	PH_DATA,
	PH_END,
	PH_FINISHED,
};

enum srv_cstate {
	CS_NEW = 0,   /* REGISTER seen, not yet confirmed */
	CS_CONFIRMED, /* REG_CONF / KEYINFO sent, waiting for KEYINFO_ACK (encrypted) */
	CS_ACTIVE,    /* in the session */
	CS_DONE,      /* sent COMPLETE for file 0 */
	CS_LOST,      /* dropped by the server */
	CS_ABORTED,   /* sent ABORT */
};

/* Per-client state of the current file. */
enum srv_fstate {
	FS_INFO = 0, /* FILEINFO not answered */
	FS_SENT,     /* FILEINFO not answered yet, its data sent after it (early data) */
	FS_ACKED,    /* FILEINFO_ACK received */
	FS_COMPLETE, /* COMPLETE received */
};

/*
 * A client record is a receiver, or a proxy (is_proxy) that registered for
 * the clients it lists.  A proxy is never a receiver: it is left out of
 * the counts, the FILEINFO and DONE_CONF lists and the failed clients; the
 * clients it registered carry its ID in via, and its FILEINFO_ACKs,
 * STATUSes, COMPLETEs and ABORTs apply to them.  In an encrypted session
 * the proxy alone does the key exchange with us; its clients get into the
 * session through a REG_CONF once the proxy has acknowledged its keys.
 */
struct srv_client {
	uint32_t id;
	struct uftp_peer peer;
	int is_proxy;
	uint32_t via; /* the proxy this client registered through, 0: directly */
	int state;
	int fstate;
	int fstatus;     /* COMPLETE status for the current file */
	int had_file;    /* has answered a FILEINFO (early data: server_file.c) */
	int confirm_due; /* REG_CONF / KEYINFO to be (re)sent */
	int doneconf_due;
	int nak_strikes;
	uint64_t naks; /* NAKed blocks it reported */
	int partial; /* FILEINFO_ACK said PARTIAL: holds part of the file from an earlier attempt */
	unsigned files_ok;
	uint64_t rtt;
	/* encryption */
	int have_register, have_client_key;
	uint8_t rand[UFTP_RAND_LEN];
	uint8_t premaster[UFTP_PREMASTER_LEN];
	size_t premaster_len;
	struct uftp_keys keys;
	uint8_t verify[UFTP_VERIFY_LEN];
	struct uftp_pkey *pubkey; /* from CLIENT_KEY */
	/*
	 * Replay window over the client's ENCRYPTED IV counters (it counts up
	 * from 1): the highest seen and which of the 128 below it were seen.
	 */
	uint64_t rp_top;
	uint64_t rp_bits[2];
	uint8_t *ck_blob, *ck_sig; /* CLIENT_KEY copies until REGISTER arrives */
	size_t ck_blob_len, ck_sig_len;
	uint32_t fb_round; /* server_fb.c: the round of answers it last counted in */
	/* server_cc.c: its latest TFMCC report (bytes/s; 0: none) and whether a CONG_CTRL owes it
	 * an RTT echo */
	double cc_rate;
	int cc_echo;
};

/*
 * The TFMCC sender's state (server_cc.c, RFC 4654): the rate the data is
 * paced at, the current limiting receiver (CLR) it follows, the feedback
 * round and the lowest rate reported in it (the suppression rate).
 */
struct srv_cc {
	int on;
	double rate;     /* bytes/s */
	double min, max; /* bytes/s */
	double pkt;      /* bytes per packet, the additive increase per feedback */
	int slowstart;   /* no receiver has reported loss yet */
	uint16_t seq;    /* feedback round */
	uint64_t round_end;
	double supp; /* lowest rate reported in this round; 0: none yet */
	/* the two lowest latest reports of distinct receivers in this round (ID 0: none) */
	double lo[2];
	uint32_t lo_id[2];
	uint32_t clr;    /* 0: none */
	double clr_rate; /* its latest report */
	unsigned silent; /* CONG_CTRLs sent during passes since the CLR last answered */
	uint64_t next_ctrl;
	uint64_t reports, decreases, clr_changes, timeouts; /* counters, for logs and tests */
};

struct uftp_server {
	const struct uftp_env *env;
	const struct uftp_server_config *cfg;
	int phase;
	int outcome; /* enum uftp_server_outcome, once finished */
	int aborting;
	char abort_text[128];
	uint16_t seq;
	uint64_t grtt;
	uint64_t max_rtt_round; /* largest RTT measured in the current round */
	/* the books of uftp_server_get_stats and friends (server_stats.c) */
	struct uftp_core_stats st;
	uint64_t start_ns;     /* now at creation */
	uint64_t data_sent;    /* FILESEGs sent, all files */
	uint64_t data_resent;  /* of which in passes after the first */
	uint64_t naks_rx;      /* NAKed blocks received, all files */
	uint64_t files_done;   /* files every receiver has answered */
	uint64_t bytes_before; /* sizes of the files before the current one */
	/* wire timestamps: wall time at creation + monotonic offset */
	uint64_t mono_base;
	uint64_t wall_base_us;

	struct srv_client *clients;
	size_t nclients, cap_clients;
	size_t n_counted; /* server.c: what srv_active returns, kept by srv_set_cstate */
	size_t n_failed;  /* server.c: receivers lost or aborted, kept by srv_set_cstate */
	/*
	 * server_file.c, srv_check_file_done: every record below info_from is
	 * past FS_INFO for the current file (or no member), every one below
	 * open_from past FS_ACKED; both only grow within a file.
	 */
	size_t info_from, open_from;
	/*
	 * server_reg.c: client ID -> record (open addressing, a slot holds the
	 * record's index + 1, 0: empty), never more than half full; and the
	 * closed group's host IDs sorted (hosts_sorted: built), so that a
	 * lookup is O(1) or O(log n), not a walk of every record.
	 */
	uint32_t *idx;
	size_t idx_cap;
	uint32_t *hosts_sorted;
	size_t hosts_unique; /* distinct IDs in it */
	int hosts_built;

	/* phase timer and resend counter */
	uint64_t timer;
	unsigned sends;
	int announce_due;
	int fileinfo_due;
	int info_again; /* FILEINFO to the FS_SENT clients before the next DONE */
	int done_due;
	int done_empty_due;
	int abort_due;
	size_t list_cursor; /* for multi-message client lists */
	int confirm_hint;   /* server_reg.c: some client may have confirm_due set */
	size_t ann_cursor;  /* closed-group list position in ANNOUNCE rounds */

	/* current file */
	size_t cur;
	struct uftp_sections sec; /* the current file's blocks and sections */
	uint8_t *naks;            /* NAKs recorded, 1 bit per block */
	uint8_t *pass;            /* blocks to send this pass */
	uint64_t pos;             /* next block to consider in this pass */
	unsigned passes;
	int pass_active;
	int have_naks;
	/* server_fb.c: the answers to the DONE of this pass (file fb_file, pass fb_pass) */
	int fb_on;
	uint16_t fb_file;
	unsigned fb_pass;
	uint32_t fb_round;
	size_t fb_owed, fb_answered;
	uint64_t fb_first, fb_first_nak;
	uint64_t deadline; /* -W limit of the current file, UFTP_NEVER if none */
	int any_fileinfo_answer;
	int any_received;

	/* pacing (token bucket, bytes) */
	double tokens;
	uint64_t last_fill;
	double rate_bpns; /* bytes per ns; 0: unpaced */
	struct srv_cc cc; /* -C tfmcc (server_cc.c) */

	/* events */
	struct uftp_server_event ev[SRV_MAX_EVENTS];
	size_t ev_head, ev_count;

	/* encryption */
	int encrypted;
	int sigtype;
	uint8_t srand[UFTP_RAND_LEN];
	uint8_t group_master[UFTP_MASTER_LEN];
	struct uftp_keys gkeys;
	struct uftp_pkey *dhkey; /* ephemeral ECDH key */
	uint64_t ivctr;
	struct uftp_envelope envl;
	uint8_t plain[65536]; /* decrypted inbound message */
};

/* server.c */
void srv_event(struct uftp_server *s, int type, uint32_t id, int status, uint64_t value,
               const char *text);
struct srv_client *srv_find(struct uftp_server *s, uint32_t id);
void srv_set_phase(struct uftp_server *s, int phase, uint64_t now);
void srv_set_cstate(struct uftp_server *s, struct srv_client *c, int state);
void srv_client_lost(struct uftp_server *s, struct srv_client *c, const char *why);
size_t srv_active(const struct uftp_server *s);
void srv_wire_time(const struct uftp_server *s, uint64_t now, uint32_t *sec, uint32_t *usec);
void srv_rtt(struct uftp_server *s, struct srv_client *c, uint32_t sec, uint32_t usec,
             uint64_t now);
void srv_grtt_follow(struct uftp_server *s);
int srv_finish_packet(struct uftp_server *s, uint8_t *out, size_t cap, const uint8_t *body,
                      size_t blen, int encrypt);
int srv_dest(const struct uftp_server *s, struct uftp_peer *to, int pub);
void srv_finish(struct uftp_server *s, int outcome, uint64_t now);
int srv_check_quit(struct uftp_server *s, uint64_t now);

/* server_reg.c: announce phase */
/* The record of client id (srv_find), through the index add_client keeps. */
struct srv_client *srv_index_find(const struct uftp_server *s, uint32_t id);
struct srv_client *srv_proxied(struct uftp_server *s, uint32_t proxy, uint32_t id);
void srv_proxy_abort(struct uftp_server *s, struct srv_client *p, uint32_t host, const char *text);
int srv_write_announce(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
int srv_write_confirm(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
void srv_announce_expiry(struct uftp_server *s, uint64_t now);
int srv_on_register(struct uftp_server *s, const struct uftp_header *h,
                    const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now);
int srv_on_client_key(struct uftp_server *s, const struct uftp_header *h,
                      const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now);
int srv_on_keyinfo_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                       uint64_t now);

/* The current file and its ID on the wire (file IDs count from 1). */
static inline const struct uftp_server_file *srv_cur_file(const struct uftp_server *s)
{
	return &s->cfg->files[s->cur];
}

static inline uint16_t srv_cur_id(const struct uftp_server *s)
{
	return (uint16_t)(s->cur + 1);
}

/* A receiver in the session (a proxy is none). */
static inline int srv_is_member(const struct srv_client *c)
{
	return c->state == CS_ACTIVE && !c->is_proxy;
}

/* server_file.c: files and the end of the session */
/* A proxy through which a client that pred picks registered. */
int srv_proxy_for(const struct uftp_server *s, const struct srv_client *p,
                  int (*pred)(const struct srv_client *));
/* A member that acknowledged the current file and owes a STATUS / COMPLETE for it. */
int srv_owes_status(const struct srv_client *c);
/* Drops (as lost, with why) every client pred picks. */
void srv_drop_silent(struct uftp_server *s, int (*pred)(const struct srv_client *),
                     const char *why);
void srv_start_file(struct uftp_server *s, size_t idx, uint64_t now);
int srv_write_fileinfo(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
int srv_write_fileinfo_again(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
void srv_data_silent(struct uftp_server *s, uint64_t now);
int srv_write_done(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
int srv_write_doneconf(struct uftp_server *s, uint8_t *out, size_t cap);
void srv_xfer_expiry(struct uftp_server *s, uint64_t now);
int srv_on_fileinfo_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body,
                        size_t len, uint64_t now);
int srv_on_complete(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                    uint64_t now);
void srv_check_file_done(struct uftp_server *s, uint64_t now);

/* server_data.c: the data passes of the current file */
/* What one FILESEG costs against the -R rate, in bytes. */
double srv_pkt_cost(const struct uftp_server *s);
/* Starts the first pass (every member acknowledged the FILEINFO). */
void srv_start_data(struct uftp_server *s, uint64_t now);
int srv_write_data(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
uint64_t srv_data_expiry(const struct uftp_server *s);
/* The phase timer in DATA: the -W deadline, the rewind after NAKs, DONE resends. */
void srv_data_timer(struct uftp_server *s, uint64_t now);
int srv_on_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now);

/*
 * server_fb.c: srv_on_status and srv_on_complete with the feedback rules
 * for many receivers (the repair pass waits for the answers to the DONE;
 * NAKs for blocks still ahead in the pass are not kept for the next one).
 */
int srv_fb_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now);
int srv_fb_complete(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                    uint64_t now);
/* A pass's DONE list is out (server.c): with NAKs already waiting, the next pass starts now. */
void srv_fb_done_sent(struct uftp_server *s, uint64_t now);

/*
 * server_cc.c: the TFMCC sender (RFC 4654).  The rate logic works on a
 * struct srv_cc alone (srv_cc_setup, srv_cc_feedback, srv_cc_round,
 * srv_cc_ctrl_sent); the rest binds it to the session.
 */
/* Sets cc from cfg's -C tfmcc bounds (kbps; 0: defaults); pkt bytes per packet. */
void srv_cc_setup(struct srv_cc *cc, const struct uftp_server_config *cfg, double pkt);
/*
 * A report of rate (bytes/s) with flags (UFTP_CC_*) from receiver id; grtt
 * paces the increase.  Picks the CLR and moves the rate; returns 1 if id
 * is the CLR afterwards.
 */
int srv_cc_feedback(struct srv_cc *cc, uint32_t id, double rate, int flags, uint64_t grtt);
/* Starts a new feedback round if the current one is over (rounds last CC_ROUND_GRTT GRTTs). */
void srv_cc_round(struct srv_cc *cc, uint64_t now, uint64_t grtt);
/* A CONG_CTRL went out; in_pass: data was flowing.  A silent CLR halves the rate. */
void srv_cc_ctrl_sent(struct srv_cc *cc, int in_pass);
/* Receiver id left (CC_LEAVE, lost, done): no longer the CLR nor among the round's lowest. */
void srv_cc_forget(struct srv_cc *cc, uint32_t id);

void srv_cc_init(struct uftp_server *s, uint64_t now);
/* The session's rate is now cc->rate: pace the data at it. */
void srv_cc_apply(struct uftp_server *s);
/* CC_ACK from c: its EXT_TFMCC_ACK_INFO.  Errors: BADLEN (undecodable), STATE (no TFMCC). */
int srv_cc_on_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now);
/* The EXT_TFMCC_ACK_INFO of a STATUS from c, if any (errors ignored: the NAKs still count). */
void srv_cc_on_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                      uint64_t now);
/* EXT_TFMCC_DATA_INFO for the next FILESEG into ext (UFTP_EXT_TFMCC_DATA_INFO_LEN bytes); 0 if off.
 */
size_t srv_cc_data_info(struct uftp_server *s, uint8_t *ext);
/* A CONG_CTRL into out when one is due; 0 if none. */
int srv_cc_write(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now);
/* When srv_cc_write has one due next; UFTP_NEVER if off or outside the data phase. */
uint64_t srv_cc_expiry(const struct uftp_server *s);

/* server_stats.c */
extern const char *const srv_phase_names[];
extern const char *const srv_cstate_names[];

/* server_crypto.c */
int srv_crypto_init(struct uftp_server *s);
void srv_crypto_free(struct uftp_server *s);
int srv_enc_info(struct uftp_server *s, uint8_t *ext, size_t cap, size_t *sigoff, size_t *siglen);
int srv_sign_announce(struct uftp_server *s, uint8_t *pkt, size_t len, size_t sigoff,
                      size_t siglen);
int srv_client_premaster(struct uftp_server *s, struct srv_client *c, const uint8_t *ki,
                         size_t kilen);
int srv_client_key_check(struct uftp_server *s, struct srv_client *c);
int srv_client_keys(struct uftp_server *s, struct srv_client *c);
int srv_open(struct uftp_server *s, struct srv_client *c, const uint8_t *pkt, size_t len,
             uint8_t *plain, size_t cap);
int srv_seal(struct uftp_server *s, const uint8_t *hdr, const uint8_t *body, size_t blen,
             uint8_t *out, size_t cap);

#endif
