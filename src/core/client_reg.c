/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core, Announce/Register phase: ANNOUNCE -> REGISTER (+ CLIENT_KEY),
 * REG_CONF, KEYINFO -> KEYINFO_ACK (protocol.txt 4 and 5.1.1/5.1.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/client_int.h"
#include "core/err.h"
#include "core/keyx.h"
#include "core/quant.h"

/*
 * With a server list the private group must be source-specific (232/8,
 * ff3x::), as the reference requires; a unicast private address is fine.
 */
static int ssm_ok(const struct uftp_ipaddr *a)
{
	if (a->family == 6)
		return a->addr[0] != 0xff || (a->addr[1] & 0xf0) == 0x30;
	return a->addr[0] < 224 || a->addr[0] > 239 || a->addr[0] == 232;
}

/* At most one "too many sessions" warning a second, with the totals so far. */
static void full_log(struct uftp_client *c, uint64_t now)
{
	if (now < c->full_log_at)
		return;
	c->full_log_at = now + UFTP_NS_PER_SEC;
	cl_log(c, UFTP_LOG_WARN,
	       "too many sessions (%zu): %llu half-open sessions displaced, %llu announces refused "
	       "so far",
	       c->nsess, (unsigned long long)c->st.sessions_evicted,
	       (unsigned long long)c->st.sessions_refused);
}

/*
 * A free slot, or the slot of the newest half-open session (ended first),
 * or NULL when every slot holds a registered session.  Sessions that
 * registered have proven their server is real; a newcomer has proven
 * nothing, so it may only displace another newcomer, and the newest one:
 * a flood of forged ANNOUNCEs then churns one slot while a genuine
 * half-open session that came before it can still register.
 */
static struct csession *new_slot(struct uftp_client *c, const struct uftp_header *h, uint64_t now)
{
	struct csession *victim = NULL;
	size_t i;

	for (i = 0; i < c->nsess; i++) {
		struct csession *s = &c->sess[i];
		if (!s->used)
			return s;
		if (s->state == CS_REGISTER && (!victim || s->start >= victim->start))
			victim = s;
	}
	if (!victim) {
		c->st.sessions_refused++;
		cl_log(c, UFTP_LOG_DEBUG, "[%08X] too many sessions: announce refused",
		       h->group_id);
		full_log(c, now);
		return NULL;
	}
	c->st.sessions_evicted++;
	cl_log(c, UFTP_LOG_DEBUG, "[%08X] too many sessions: half-open session %08X displaced",
	       h->group_id, victim->group_id);
	full_log(c, now);
	cl_event(c, victim, UFTP_CEV_ABORTED, "evicted: too many sessions");
	cl_end(c, victim);
	return victim;
}

/* ---- encryption set-up ------------------------------------------------ */

static int ecdh_exchange(struct uftp_client *c, struct csession *s,
                         const struct uftp_ext_enc_info *ei)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	struct uftp_pkey *dh = NULL, *eph = NULL;
	const struct uftp_pkey *peer;
	int rv;

	if (cl_proxy_mode(c) && !c->proxy_dh)
		return UFTP_ERR_UNSUPPORTED; /* the proxy offered no ECDH key */
	rv = cl_proxy_mode(c) ? 0 : ops->blob_import(ei->dhkey, ei->dhkey_len, &dh);
	peer = cl_proxy_mode(c) ? c->proxy_dh : dh;
	if (rv >= 0)
		rv = uftp_keyx_ecdh_key(ops, peer, &eph);
	if (rv >= 0)
		rv = uftp_keyx_ecdh(ops, eph, peer, s->premaster, s->keyinfo, sizeof(s->keyinfo));
	if (rv >= 0) {
		s->keyinfo_len = (size_t)rv;
		s->premaster_len = UFTP_ECDH_PREMASTER_LEN;
	}
	ops->pkey_free(dh);
	ops->pkey_free(eph);
	return rv < 0 ? rv : 0;
}

static int rsa_exchange(struct uftp_client *c, struct csession *s)
{
	/* through a response proxy, the proxy holds the other end of the exchange */
	int rv = uftp_keyx_rsa(c->env, cl_proxy_mode(c) ? c->proxy_key : s->server_key,
	                       s->premaster, s->keyinfo, sizeof(s->keyinfo));

	if (rv < 0)
		return rv;
	s->premaster_len = UFTP_PREMASTER_LEN;
	s->keyinfo_len = (size_t)rv;
	return 0;
}

/* Our key for CLIENT_KEY: same type (and curve) as the server's when possible. */
static struct uftp_pkey *pick_key(struct uftp_client *c, struct csession *s, int strict)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	struct uftp_pkey_info si, ki;
	size_t i;
	int pass;

	if (ops->pkey_info(s->server_key, &si) < 0)
		return NULL;
	/* first pass: same RSA size too ("same type and size", protocol.txt 4) */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < c->cfg.nkeys; i++) {
			if (ops->pkey_info(c->cfg.keys[i], &ki) < 0 || ki.blobtype != si.blobtype)
				continue;
			if (si.blobtype == UFTP_BLOB_EC ? ki.curve == si.curve
			                                : (pass || ki.bits == si.bits))
				return c->cfg.keys[i];
		}
	}
	return strict || !c->cfg.nkeys ? NULL : c->cfg.keys[0];
}

static void handshake(const struct csession *s, struct uftp_handshake *hs)
{
	uftp_keyx_handshake(hs, s->group_id, &s->priv, s->srand, s->group_master);
	uftp_keyx_handshake_client(hs, s->crand, s->premaster, s->premaster_len,
	                           s->ckey ? s->ckey_blob : NULL, s->ckey_blob_len);
}

static int client_key_setup(struct uftp_client *c, struct csession *s)
{
	struct uftp_handshake hs;

	s->ckey = pick_key(c, s, s->sigtype == UFTP_SIG_KEYEX);
	if (!s->ckey)
		return UFTP_ERR_KEYFILE;
	handshake(s, &hs);
	return uftp_keyx_client_key(c->env->crypto, s->ckey, s->hashtype, &hs, s->ckey_blob,
	                            sizeof(s->ckey_blob), &s->ckey_blob_len, s->ckey_sig,
	                            sizeof(s->ckey_sig), &s->ckey_sig_len);
}

static int check_fingerprint(struct uftp_client *c, const struct uftp_peer_key *e,
                             const struct uftp_ext_enc_info *ei)
{
	if (!e || !e->has_fp)
		return 0;
	if (uftp_key_fp_matches(c->env->crypto, ei->pubkey, ei->pubkey_len, e->fp))
		return 0;
	cl_log(c, UFTP_LOG_WARN, "server 0x%08X: key fingerprint does not match the server list",
	       e->id);
	return UFTP_ERR_AUTH;
}

static int enc_params(struct csession *s, const struct uftp_ext_enc_info *ei)
{
	s->keytype = ei->keytype, s->hashtype = ei->hashtype;
	s->sigtype = ei->sigtype, s->keyextype = ei->keyextype;
	s->client_auth = ei->flags & UFTP_ENC_INFO_CLIENT_AUTH;
	if (!uftp_key_len(s->keytype) || !uftp_hash_len(s->hashtype))
		return UFTP_ERR_UNKNOWN_TYPE;
	if (s->sigtype < UFTP_SIG_HMAC || s->sigtype > UFTP_SIG_AUTHENC)
		return UFTP_ERR_UNKNOWN_TYPE;
	if (s->keyextype < UFTP_KEYEX_RSA || s->keyextype > UFTP_KEYEX_ECDH_ECDSA)
		return UFTP_ERR_UNKNOWN_TYPE;
	memcpy(s->srand, ei->rand, UFTP_RAND_LEN);
	return 0;
}

/* Everything REGISTER needs: key exchange, randoms, session keys, CLIENT_KEY. */
static int enc_setup(struct uftp_client *c, struct csession *s, const struct uftp_ext_enc_info *ei,
                     const struct uftp_peer_key *e, const uint8_t *pkt, size_t len)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	int rv = enc_params(s, ei);

	if (rv < 0)
		return rv;
	rv = check_fingerprint(c, e, ei);
	if (rv >= 0)
		rv = ops->blob_import(ei->pubkey, ei->pubkey_len, &s->server_key);
	if (rv >= 0 && s->keyextype != UFTP_KEYEX_RSA)
		rv = uftp_keyx_verify_zeroed(ops, s->server_key, s->hashtype, pkt, len, ei->sig,
		                             ei->sig_len);
	if (rv >= 0)
		rv = s->keyextype == UFTP_KEYEX_RSA ? rsa_exchange(c, s) : ecdh_exchange(c, s, ei);
	if (rv >= 0)
		rv = uftp_env_make_random(c->env, s->crand);
	if (rv >= 0)
		rv = uftp_keyx_session_keys(ops, s->keytype, s->hashtype, s->premaster,
		                            s->premaster_len, s->srand, s->crand, &s->client_keys);
	if (rv >= 0 && (s->client_auth || s->sigtype == UFTP_SIG_KEYEX))
		rv = client_key_setup(c, s);
	return rv < 0 ? rv : 0;
}

/* ---- messages --------------------------------------------------------- */

int cl_send_register(struct uftp_client *c, struct csession *s, uint64_t now)
{
	static const uint8_t zero[UFTP_RAND_LEN];
	struct uftp_msg m = {.func = UFTP_MSG_REGISTER};
	int rv;

	cl_ts_echo(s, now, &m.u.reg.tstamp_sec, &m.u.reg.tstamp_usec);
	m.u.reg.rand = s->enc ? s->crand : zero;
	m.u.reg.keyinfo = s->keyinfo;
	m.u.reg.keyinfo_len = s->keyinfo_len;
	rv = cl_send(c, s, &m, now);
	if (rv < 0 || !s->ckey)
		return rv;
	memset(&m, 0, sizeof(m));
	m.func = UFTP_MSG_CLIENT_KEY;
	m.u.client_key.pubkey = s->ckey_blob;
	m.u.client_key.pubkey_len = s->ckey_blob_len;
	m.u.client_key.verify = s->ckey_sig;
	m.u.client_key.verify_len = s->ckey_sig_len;
	return cl_send(c, s, &m, now);
}

static void note_timestamp(struct csession *s, uint32_t sec, uint32_t usec, uint64_t now)
{
	s->ts_sec = sec, s->ts_usec = usec, s->ts_rx = now;
}

static void session_init(struct uftp_client *c, struct csession *s, const struct uftp_peer *from,
                         const struct uftp_header *h, const struct uftp_announce *a, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->state = CS_REGISTER;
	s->group_id = h->group_id;
	s->group_inst = h->group_inst;
	s->server_id = h->src_id;
	s->server = *from;
	s->priv = a->priv_addr;
	s->robust = a->robust ? a->robust : 1;
	s->sync = a->flags & (UFTP_ANNOUNCE_SYNC_MODE | UFTP_ANNOUNCE_SYNC_PREVIEW);
	s->cc_type = a->cc_type;
	s->cc.slowstart = 1;
	s->block_size = a->block_size;
	s->grtt = uftp_grtt_unquantize(h->grtt);
	s->last_rx = s->start = s->began = now;
	s->file.fh = -1;
	note_timestamp(s, a->tstamp_sec, a->tstamp_usec, now);
	c->st.sessions_started++;
	c->groups_gen++; /* the driver joins s->priv */
}

/* Refuses an encrypted session we cannot join: ABORT in clear, then forget it. */
static int refuse(struct uftp_client *c, struct csession *s, const char *why, uint64_t now)
{
	cl_log(c, UFTP_LOG_WARN, "[%08X] refusing session from 0x%08X: %s", s->group_id,
	       s->server_id, why);
	cl_abort(c, s, why, 1, now);
	return 0;
}

static int start_session(struct uftp_client *c, struct csession *s,
                         const struct uftp_ext_enc_info *ei, const struct uftp_peer_key *e,
                         const uint8_t *pkt, size_t len, uint64_t now)
{
	int rv;

	if (ei) {
		if (!c->env->crypto)
			return refuse(c, s, "Encryption not supported", now);
		s->enc = 1;
		rv = enc_setup(c, s, ei, e, pkt, len);
		if (rv == UFTP_ERR_KEYFILE)
			return refuse(c, s, "No client key compatible with server key", now);
		if (rv < 0)
			return refuse(c, s, uftp_strerror(rv), now);
	}
	cl_log(c, UFTP_LOG_INFO, "[%08X] announce from server 0x%08X (%s), registering",
	       s->group_id, s->server_id, s->enc ? "encrypted" : "not encrypted");
	s->resend_at = now + 4 * s->grtt;
	s->giveup = now + cl_max(4 * (uint64_t)s->robust * s->grtt, MIN_TMO_NS);
	return cl_send_register(c, s, now);
}

static int find_enc_info(const struct uftp_announce *a, struct uftp_ext_enc_info *ei)
{
	struct uftp_ext ext;
	int rv = uftp_ext_find(a->ext, a->ext_len, UFTP_EXT_ENC_INFO, &ext);
	ssize_t n;

	if (rv <= 0)
		return rv;
	n = uftp_decode_ext_enc_info(ei, ext.ptr, ext.len);
	return n < 0 ? (int)n : 1;
}

int cl_on_announce(struct uftp_client *c, const struct uftp_peer *from, const struct uftp_header *h,
                   const struct uftp_announce *a, const uint8_t *pkt, size_t len, uint64_t now)
{
	const struct uftp_peer_key *e = NULL;
	struct uftp_ext_enc_info ei;
	struct csession *s;
	size_t i;
	int enc;

	for (i = 0; i < c->nsess; i++) {
		s = &c->sess[i];
		if (s->used && s->group_id == h->group_id && s->server_id == h->src_id &&
		    uftp_peer_equal(&s->server, from) && s->group_inst != h->group_inst) {
			cl_log(c, UFTP_LOG_INFO, "[%08X] session restarted by the server",
			       s->group_id);
			cl_event(c, s, UFTP_CEV_ABORTED, "restarted");
			cl_end(c, s);
			continue;
		}
		if (s->used && s->group_id == h->group_id && s->server_id == h->src_id &&
		    uftp_peer_equal(&s->server, from)) {
			s->last_rx = now; /* a repeat: the REGISTER timer answers it */
			s->grtt = uftp_grtt_unquantize(h->grtt);
			note_timestamp(s, a->tstamp_sec, a->tstamp_usec, now);
			return 0;
		}
	}
	if (a->ids.count && !uftp_idlist_has(&a->ids, c->cfg.uid))
		return 0; /* closed group without us */
	if (c->cfg.nservers) {
		e = uftp_peer_key_find(c->cfg.servers, c->cfg.nservers, h->src_id, &from->ip);
		if (!e)
			return UFTP_ERR_AUTH;
	}
	if (c->cfg.nservers && !ssm_ok(&a->priv_addr)) {
		cl_log(c, UFTP_LOG_WARN,
		       "[%08X] private address is not source-specific multicast (-S)", h->group_id);
		return UFTP_ERR_BADVALUE;
	}
	if (a->block_size < UFTP_MIN_BLOCK || a->block_size > UFTP_MAX_BLOCK) {
		/* no sender makes these (uftp -b takes 512..8800); a block must fit a datagram */
		cl_log(c, UFTP_LOG_WARN, "[%08X] ignoring session: block size %u outside %u..%u",
		       h->group_id, a->block_size, UFTP_MIN_BLOCK, UFTP_MAX_BLOCK);
		return UFTP_ERR_BADVALUE;
	}
	enc = find_enc_info(a, &ei);
	if (enc < 0)
		return enc;
	if (enc && cl_proxy_mode(c) && !c->proxy_key) {
		cl_log(c, UFTP_LOG_WARN,
		       "[%08X] ignoring encrypted session: no key from the response proxy yet",
		       h->group_id);
		return 0;
	}
	if (!enc && c->cfg.encrypted_only) {
		cl_log(c, UFTP_LOG_WARN, "[%08X] ignoring unencrypted session (-E)", h->group_id);
		return 0;
	}
	s = new_slot(c, h, now);
	if (!s)
		return UFTP_ERR_NOSPACE; /* counted in sessions_refused */
	session_init(c, s, from, h, a, now);
	return start_session(c, s, enc ? &ei : NULL, e, pkt, len, now);
}

static void registered(struct uftp_client *c, struct csession *s)
{
	cl_set_state(c, s, CS_ACTIVE);
	cl_log(c, UFTP_LOG_INFO, "[%08X] registered with server 0x%08X", s->group_id, s->server_id);
	cl_event(c, s, UFTP_CEV_CONNECT, NULL);
}

int cl_on_reg_conf(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	if (s->enc || !uftp_idlist_has(&in->msg->u.reg_conf.ids, c->cfg.uid))
		return 0;
	if (s->state == CS_REGISTER)
		registered(c, s);
	return 0;
}

static int send_keyinfo_ack(struct uftp_client *c, struct csession *s, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_KEYINFO_ACK};

	m.u.keyinfo_ack.verify = s->verify;
	return cl_send(c, s, &m, now);
}

static int take_keys(struct uftp_client *c, struct csession *s, const struct uftp_destkey *dk,
                     uint64_t ctr)
{
	const struct uftp_crypto_ops *ops = c->env->crypto;
	struct uftp_handshake hs;
	int rv;

	rv = uftp_keysched_keyinfo_unwrap(ops, &s->client_keys, s->server_id, ctr, dk->groupmaster,
	                                  s->group_master);
	if (rv >= 0)
		rv = uftp_keysched_group_keys(ops, s->keytype, s->hashtype, s->group_master,
		                              s->srand, &s->group_keys);
	if (rv < 0)
		return rv;
	handshake(s, &hs);
	return uftp_keysched_verify_data(ops, s->hashtype, &hs, s->verify);
}

int cl_on_keyinfo(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_keyinfo *ki = &in->msg->u.keyinfo;
	struct uftp_destkey dk;
	size_t i;
	int rv;

	if (!s->enc)
		return UFTP_ERR_STATE;
	for (i = 0; i < ki->key_count; i++) {
		dk = uftp_keyinfo_get(ki, i);
		if (dk.client_id == c->cfg.uid)
			break;
	}
	if (i == ki->key_count)
		return 0; /* for other clients */
	if (!s->keyed) {
		rv = take_keys(c, s, &dk, ki->iv_ctr);
		if (rv < 0) {
			cl_abort(c, s, "Failed to decrypt group key", 1, in->now);
			return 0;
		}
		s->keyed = 1;
		registered(c, s);
	}
	return send_keyinfo_ack(c, s, in->now);
}
