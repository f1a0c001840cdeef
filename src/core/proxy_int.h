/* SPDX-License-Identifier: BSD-2-Clause */
/* Proxy core internals shared by proxy*.c; not part of the API. */
#ifndef UFTP_CORE_PROXY_INT_H
#define UFTP_CORE_PROXY_INT_H

#include "core/keysched.h"
#include "core/proxy.h"
#include "core/outq.h"

#define PROXY_AGG_MAX 8 /* replies aggregated at once per session */
/* pending events: one expiry turn ending every session, plus one datagram's (3) */
#define PROXY_EVQ         (UFTP_PROXY_MAX_SESSIONS + 4)
#define PROXY_IDS_PER_TX  300 /* client IDs per aggregated message (fits a 1300-byte body) */
#define PROXY_KEYS_PER_TX 24  /* KEYINFO items per message (24 x 52 bytes) */

/* A client's key exchange with the proxy (encrypted sessions, client proxy). */
struct proxy_client {
	uint32_t id;
	uint8_t crand[UFTP_RAND_LEN];
	uint8_t premaster[UFTP_PREMASTER_LEN];
	size_t premaster_len;
	struct uftp_keys keys;
	int registered, confirmed, acked;
	/* client authentication: its CLIENT_KEY, checked once REGISTER is in too */
	struct uftp_pkey *pub;
	uint8_t blob[UFTP_MAX_BLOB_LEN];
	size_t blob_len;
	uint8_t sig[UFTP_MAX_SIG_LEN];
	size_t sig_len;
	int key_ok;
};

/* Encryption state of a session (proxy_enc.c). */
struct proxy_enc {
	int keyextype, sigtype, keytype, hashtype;
	int client_auth; /* CLIENT_KEY both ways (also implied by keyex signatures) */
	uint8_t srand[UFTP_RAND_LEN];
	/* our CLIENT_KEY to the server */
	uint8_t ckey_blob[UFTP_MAX_BLOB_LEN];
	size_t ckey_blob_len;
	uint8_t ckey_sig[UFTP_MAX_SIG_LEN];
	size_t ckey_sig_len;
	struct uftp_pkey *server_pub, *server_dh, *eph;
	const struct uftp_pkey *downdh; /* ECDH key our clients use: eph, or -r's long-lived key */
	const struct uftp_pkey *mykey;
	/* upstream: the proxy as the server's client */
	uint8_t crand[UFTP_RAND_LEN];
	uint8_t premaster[UFTP_PREMASTER_LEN];
	size_t premaster_len;
	uint8_t keyinfo[UFTP_MAX_BLOB_LEN];
	size_t keyinfo_len;
	struct uftp_keys ckeys;
	int have_group;
	uint8_t group_master[UFTP_MASTER_LEN];
	struct uftp_keys gkeys;
	uint32_t server_id;
	uint8_t hdr_grtt, hdr_gsize;
	uint64_t ctr; /* our IV counter */
	/* downstream */
	struct proxy_client clients[UFTP_PROXY_MAX_CLIENTS];
	size_t nclients;
	uint64_t keyinfo_due;
	unsigned keyinfo_tries;
};

/* One aggregated reply being collected (func 0: free). */
struct proxy_agg {
	uint8_t func;     /* REGISTER, FILEINFO_ACK, STATUS or COMPLETE */
	uint16_t file_id; /* FILEINFO_ACK, STATUS, COMPLETE */
	uint16_t section; /* STATUS */
	uint8_t flag;     /* FILEINFO_ACK flags, COMPLETE status */
	uint64_t due;     /* when it goes upstream */
	uint32_t ids[UFTP_PROXY_MAX_CLIENTS];
	size_t nids;
	/* The longest-RTT client so far: its echoed timestamp and when it came. */
	size_t best;
	int64_t best_key;
	uint32_t best_sec, best_usec;
	uint64_t best_at;
	/* STATUS: the union of the NAK bitmaps, and the CLR's TFMCC info. */
	uint8_t naks[UFTP_MAX_NAK_LEN];
	size_t naks_len;
	uint8_t cc[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	int has_cc;
	uint16_t cc_rate;
	int sealed; /* came encrypted: goes up encrypted */
};

struct proxy_sess {
	int used;
	uint32_t group_id;
	uint8_t group_inst;
	uint32_t server_id;
	struct uftp_peer up; /* where the ANNOUNCE came from */
	struct uftp_ipaddr pub, priv;
	int joined; /* priv is one of the groups the proxy needs (server and response proxies) */
	uint8_t robust;
	uint64_t grtt; /* ns, from the server's latest header */
	uint64_t last_rx;
	uint16_t seq;
	struct proxy_agg agg[PROXY_AGG_MAX];
	struct proxy_enc *enc; /* NULL: unencrypted (or not a client proxy) */
	int enc_failed;        /* encrypted session we cannot proxy */
	int established;       /* its server sent more than ANNOUNCE (never evicted) */
	uint64_t serial;       /* creation order */
};

struct uftp_proxy {
	const struct uftp_env *env;
	const struct uftp_proxy_config *cfg;
	struct uftp_peer dest; /* server proxy downstream */
	struct proxy_sess *sess[UFTP_PROXY_MAX_SESSIONS];
	struct uftp_outq q; /* UFTP_PROXY_QUEUE datagrams of UFTP_PROXY_DGRAM_MAX bytes */
	struct uftp_proxy_event ev[PROXY_EVQ];
	size_t evhead, evlen;
	uint64_t groups_gen; /* see uftp_proxy_groups_gen() */
	uint64_t serial;     /* the next session's */
	struct uftp_proxy_stats st;
	uint64_t drops[UFTP_DROP_NREASONS]; /* st.rx_dropped by reason (stats.h) */
	/* heartbeats */
	uint64_t hb_next;
	uint32_t hb_nonce[UFTP_PROXY_MAX_HB]; /* challenge to answer, per -H server */
	uint16_t hb_seq;
	/* fp= mode: the nonce we last challenged with */
	uint32_t challenge;
	/* response proxy: when the last PROXY_KEY went out */
	uint64_t proxy_key_at;
	int proxy_key_sent;
};

/* proxy.c */
/* Queues a copy of *ev; when the queue is full it is counted (ev_dropped) instead. */
void proxy_event(struct uftp_proxy *p, const struct uftp_proxy_event *ev);
/* An event of type for group_id with text (may be NULL), other fields zero. */
struct uftp_proxy_event proxy_ev(int type, uint32_t group_id, const char *text);
/* Queues a copy of buf[0..len) for to; 0, or UFTP_ERR_NOSPACE (queue full, counted). */
int proxy_queue(struct uftp_proxy *p, const struct uftp_peer *to, int mcast, const uint8_t *buf,
                size_t len);
/* Header for a message the proxy originates in session s (or none: s NULL). */
void proxy_header(struct uftp_proxy *p, struct proxy_sess *s, uint8_t func, struct uftp_header *h);
void proxy_drop(struct uftp_proxy *p, int reason, const char *why); /* reason: enum uftp_drop */

/* proxy_agg.c */
/*
 * Takes a client reply (decoded m, header h) into the matching aggregate of
 * s, starting one (due one GRTT later) if none matches.  Returns 0, or a
 * negative uftp_err when it cannot be held (dropped, counted by the caller).
 */
int proxy_agg_add(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                  const struct uftp_msg *m, uint64_t now);
/* Sends every aggregate of s due at now. */
void proxy_agg_flush(struct uftp_proxy *p, struct proxy_sess *s, uint64_t now);
/* Earliest aggregate due time of s, or UFTP_NEVER. */
uint64_t proxy_agg_expiry(const struct proxy_sess *s);

/* proxy_enc.c */
/*
 * Client proxy, ANNOUNCE with EXT_ENC_INFO ei: sets up the session's
 * encryption on the first call, then writes the ANNOUNCE our clients get
 * (our keys, our signature) into out.  Returns its length or an error
 * (UNSUPPORTED: keyex signatures, client auth, no key of the right type).
 */
int proxy_enc_announce(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *pkt, size_t len,
                       const struct uftp_announce *a, const struct uftp_ext_enc_info *ei,
                       uint8_t *out, size_t cap);
int proxy_enc_client_register(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                              const struct uftp_register *r);
void proxy_enc_on_keyinfo(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                          const struct uftp_keyinfo *ki);
void proxy_enc_on_reg_conf(struct uftp_proxy *p, struct proxy_sess *s,
                           const struct uftp_reg_conf *rc, uint64_t now);
void proxy_enc_on_keyinfo_ack(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                              const struct uftp_keyinfo_ack *ka);
/* Seals plain as an ENCRYPTED message with header h (group keys, our counter). */
int proxy_enc_seal(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                   const uint8_t *plain, size_t plen, uint8_t *out, size_t cap);
/* Opens client id's ENCRYPTED datagram; returns the plaintext length or an error. */
int proxy_enc_open(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id, const uint8_t *pkt,
                   size_t len, uint8_t *plain, size_t cap);
/* 0 when client id failed client authentication (leave it out of REGISTER), else 1. */
int proxy_enc_client_ok(const struct proxy_sess *s, uint32_t id);
/* A client's CLIENT_KEY; 0, or an error (bad key, fingerprint, signature). */
int proxy_enc_client_key(struct uftp_proxy *p, struct proxy_sess *s, uint32_t id,
                         const struct uftp_client_key *ck);
/* Our CLIENT_KEY for the server, into out; its length, 0 if none is due, or an error. */
int proxy_enc_own_client_key(struct uftp_proxy *p, struct proxy_sess *s, uint8_t *out, size_t cap);
/* 1 when server messages must be signed again for our clients (keyex signatures). */
int proxy_enc_resign(const struct uftp_proxy *p, const struct proxy_sess *s);
/* Checks the server's signature of pkt and writes it signed by us into out. */
int proxy_enc_resign_packet(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *pkt,
                            size_t len, uint8_t *out, size_t cap);
void proxy_enc_expiry(struct uftp_proxy *p, struct proxy_sess *s, uint64_t now);
uint64_t proxy_enc_get_expiry(const struct proxy_sess *s);
void proxy_enc_free(struct uftp_proxy *p, struct proxy_sess *s);
/* Response proxy: answers a KEY_REQ with PROXY_KEY on every public group (at most every 5 s). */
void proxy_enc_on_key_req(struct uftp_proxy *p, uint64_t now);

/* proxy_hb.c */
void proxy_hb_send(struct uftp_proxy *p, uint64_t now);
void proxy_hb_on_resp(struct uftp_proxy *p, const struct uftp_peer *from,
                      const struct uftp_hb_resp *r, uint64_t now);
void proxy_hb_on_req(struct uftp_proxy *p, const struct uftp_peer *from,
                     const struct uftp_header *h, const struct uftp_hb_req *r, uint64_t now);

#endif
