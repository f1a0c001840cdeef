/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proxy core: sessions, the output queue, events, and the routing of each
 * datagram by mode and direction.  Aggregation lives in proxy_agg.c,
 * heartbeats in proxy_hb.c.
 *
 * Routing grid (mode x what arrived -> action):
 *
 *                         server proxy         client proxy         response proxy
 *   server msg, upstream  copy to dest         re-multicast         (reaches clients itself)
 *   ANNOUNCE              session, join priv   session              session, join priv
 *   client reply          (from dest) copy up  aggregate / copy up  aggregate / copy up
 *   HB_REQ                answer (fp: verify)  drop                 drop
 *   HB_RESP               drop                 heartbeat state      heartbeat state
 *   anything else         drop                 drop                 drop
 *
 * "server msg" is ANNOUNCE, REG_CONF, KEYINFO, FILEINFO, FILESEG, DONE,
 * DONE_CONF, CONG_CTRL, and ENCRYPTED or ABORT coming from the address the
 * session's ANNOUNCE came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/proxy_int.h"
#include "core/quant.h"

/* ---- events, queue, headers ------------------------------------------- */

void proxy_event(struct uftp_proxy *p, const struct uftp_proxy_event *ev)
{
	if (p->evlen == PROXY_EVQ) {
		p->st.ev_dropped++;
		uftp_env_log(p->env, UFTP_LOG_DEBUG, "event queue full: event %d not queued",
		             ev->type);
		return;
	}
	p->ev[(p->evhead + p->evlen++) % PROXY_EVQ] = *ev;
}

struct uftp_proxy_event proxy_ev(int type, uint32_t group_id, const char *text)
{
	struct uftp_proxy_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.group_id = group_id;
	if (text)
		snprintf(e.text, sizeof(e.text), "%s", text);
	return e;
}

int proxy_queue(struct uftp_proxy *p, const struct uftp_peer *to, int mcast, const uint8_t *buf,
                size_t len)
{
	int rv = uftp_outq_push(&p->q, to, mcast, buf, len);

	if (rv < 0)
		p->st.tx_dropped++;
	return rv;
}

void proxy_header(struct uftp_proxy *p, struct proxy_sess *s, uint8_t func, struct uftp_header *h)
{
	memset(h, 0, sizeof(*h));
	h->func = func;
	h->src_id = p->cfg->uid;
	if (s) {
		h->seq = s->seq++;
		h->group_id = s->group_id;
		h->group_inst = s->group_inst;
	} else {
		h->seq = p->hb_seq++;
	}
}

void proxy_drop(struct uftp_proxy *p, int reason, const char *why)
{
	p->st.rx_dropped++;
	p->drops[reason]++;
	uftp_env_log(p->env, UFTP_LOG_DEBUG, "dropped datagram: %s", why);
}

/* ---- sessions ---------------------------------------------------------- */

static struct proxy_sess *sess_find(struct uftp_proxy *p, uint32_t group_id)
{
	size_t i;

	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++)
		if (p->sess[i] && p->sess[i]->group_id == group_id)
			return p->sess[i];
	return NULL;
}

static int joins(const struct uftp_proxy *p)
{
	return p->cfg->mode != UFTP_PROXY_CLIENT;
}

static void sess_end(struct uftp_proxy *p, struct proxy_sess *s, const char *why)
{
	struct uftp_proxy_event e = proxy_ev(UFTP_PEV_SESSION_END, s->group_id, why);
	size_t i;

	uftp_env_log(p->env, UFTP_LOG_INFO, "[%08X] session ended: %s", s->group_id, why);
	if (s->joined)
		p->groups_gen++;
	e.addr = s->up.ip;
	proxy_event(p, &e);
	proxy_enc_free(p, s);
	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++)
		if (p->sess[i] == s)
			p->sess[i] = NULL;
	free(s);
}

static uint64_t sess_idle(const struct proxy_sess *s)
{
	uint64_t t = 4 * (uint64_t)s->robust * s->grtt;

	return t < UFTP_PROXY_MIN_IDLE ? UFTP_PROXY_MIN_IDLE : t;
}

static int is_mcast(const struct uftp_ipaddr *a)
{
	return a->family == 6 ? a->addr[0] == 0xff : a->family == 4 && (a->addr[0] & 0xf0) == 0xe0;
}

/* The session's private group becomes one the proxy needs (uftp_proxy_groups). */
static void sess_join(struct uftp_proxy *p, struct proxy_sess *s)
{
	if (!joins(p) || s->joined || !is_mcast(&s->priv) || uftp_ip_equal(&s->priv, &s->pub))
		return;
	s->joined = 1;
	p->groups_gen++;
}

/*
 * A slot for a new session: a free one, else that of the newest half-open
 * session (announced, nothing else from its server yet), evicted: a flood
 * of forged announcements then evicts its own sessions, never one whose
 * server has gone on with it.  -1 when every session is established: the
 * newcomer is refused until one ends.
 */
static int sess_slot(struct uftp_proxy *p)
{
	size_t i;
	int victim = -1;

	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++) {
		const struct proxy_sess *s = p->sess[i];
		if (!s)
			return (int)i;
		if (!s->established && (victim < 0 || s->serial > p->sess[victim]->serial))
			victim = (int)i;
	}
	if (victim >= 0) {
		p->st.sess_evicted++;
		sess_end(p, p->sess[victim], "evicted by a newer session");
	}
	return victim;
}

static struct proxy_sess *sess_new(struct uftp_proxy *p, const struct uftp_header *h,
                                   const struct uftp_peer *from)
{
	struct proxy_sess *s;
	int i = sess_slot(p);

	if (i < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->used = 1;
	s->serial = p->serial++;
	s->group_id = h->group_id;
	s->group_inst = h->group_inst;
	s->server_id = h->src_id;
	s->up = *from;
	p->sess[i] = s;
	p->st.sessions++;
	return s;
}

/* ---- server messages ---------------------------------------------------- */

static int server_func(int func)
{
	switch (func) {
	case UFTP_MSG_ANNOUNCE:
	case UFTP_MSG_REG_CONF:
	case UFTP_MSG_KEYINFO:
	case UFTP_MSG_FILEINFO:
	case UFTP_MSG_FILESEG:
	case UFTP_MSG_DONE:
	case UFTP_MSG_DONE_CONF:
	case UFTP_MSG_CONG_CTRL: return 1;
	default: return 0;
	}
}

/* Sends a server datagram on toward the clients, as the mode wants. */
static void forward_down(struct uftp_proxy *p, struct proxy_sess *s, int func, const uint8_t *buf,
                         size_t len)
{
	struct uftp_peer to;

	if (p->cfg->mode == UFTP_PROXY_RESPONSE)
		return;
	if (p->cfg->mode == UFTP_PROXY_SERVER) {
		if (!p->dest.ip.family) {
			proxy_drop(p, UFTP_DROP_UNEXPECTED, "no downstream proxy known yet");
			return;
		}
		if (proxy_queue(p, &p->dest, 0, buf, len) == 0)
			p->st.fwd_down++;
		return;
	}
	memset(&to, 0, sizeof(to));
	to.ip = func == UFTP_MSG_ANNOUNCE ? s->pub : s->priv;
	to.port = p->cfg->client_port;
	if (!to.ip.family) {
		proxy_drop(p, UFTP_DROP_UNEXPECTED, "no multicast address to forward to");
		return;
	}
	if (proxy_queue(p, &to, is_mcast(&to.ip), buf, len) == 0)
		p->st.fwd_down++;
}

static int announce_encrypted(const struct uftp_announce *a)
{
	struct uftp_ext e;

	return uftp_ext_find(a->ext, a->ext_len, UFTP_EXT_ENC_INFO, &e) == 1;
}

/* Client proxy, encrypted session: our clients get an ANNOUNCE with our keys. */
static void forward_enc_announce(struct uftp_proxy *p, struct proxy_sess *s,
                                 const struct uftp_announce *a, const uint8_t *buf, size_t len)
{
	static uint8_t out[UFTP_PROXY_DGRAM_MAX];
	struct uftp_ext_enc_info ei;
	struct uftp_ext e;
	int n;

	if (s->enc_failed)
		return;
	if (uftp_ext_find(a->ext, a->ext_len, UFTP_EXT_ENC_INFO, &e) != 1 ||
	    uftp_decode_ext_enc_info(&ei, e.ptr, e.len) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed EXT_ENC_INFO");
		return;
	}
	n = proxy_enc_announce(p, s, buf, len, a, &ei,
	                       p->cfg->mode == UFTP_PROXY_CLIENT ? out : NULL, sizeof(out));
	if (n < 0) {
		s->enc_failed = 1;
		uftp_env_log(p->env, UFTP_LOG_WARN,
		             "[%08X] cannot proxy this encrypted session: %s", s->group_id,
		             uftp_strerror(n));
		return;
	}
	if (n > 0)
		forward_down(p, s, UFTP_MSG_ANNOUNCE, out, (size_t)n);
}

static int is_ssm(const struct uftp_ipaddr *a)
{
	return a->family == 6 ? a->addr[0] == 0xff && (a->addr[1] & 0xf0) == 0x30
	                      : a->family == 4 && a->addr[0] == 232;
}

/* -S: the listed server, or NULL when the announcement is not allowed. */
static const struct uftp_peer_key *allowed_server(const struct uftp_proxy *p,
                                                  const struct uftp_header *h,
                                                  const struct uftp_peer *from,
                                                  const struct uftp_announce *a)
{
	if (!is_ssm(&a->pub_addr) || !is_ssm(&a->priv_addr))
		return NULL;
	return uftp_peer_key_find(p->cfg->servers, p->cfg->nservers, h->src_id, &from->ip);
}

static void announced(struct uftp_proxy *p, const struct uftp_header *h,
                      const struct uftp_peer *from)
{
	struct uftp_proxy_event e = proxy_ev(UFTP_PEV_SESSION_START, h->group_id, NULL);

	uftp_env_log(p->env, UFTP_LOG_INFO, "[%08X] announcement from server 0x%08X", h->group_id,
	             h->src_id);
	e.addr = from->ip;
	e.peer = *from;
	proxy_event(p, &e);
}

static void on_announce(struct uftp_proxy *p, const struct uftp_peer *from,
                        const struct uftp_header *h, const uint8_t *body, size_t blen,
                        const uint8_t *buf, size_t len, uint64_t now)
{
	struct uftp_announce a;
	struct proxy_sess *s;

	if (uftp_decode_announce(&a, body, blen) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed ANNOUNCE");
		return;
	}
	if (p->cfg->nservers && !allowed_server(p, h, from, &a)) {
		proxy_drop(p, UFTP_DROP_UNKNOWN,
		           "ANNOUNCE from a server not in the server list (or not SSM)");
		return;
	}
	s = sess_find(p, h->group_id);
	if (s && (s->group_inst != h->group_inst || !uftp_peer_equal(&s->up, from))) {
		sess_end(p, s, "replaced by a new announcement");
		s = NULL;
	}
	if (!s) {
		s = sess_new(p, h, from);
		if (!s) {
			p->st.sess_refused++;
			proxy_drop(p, UFTP_DROP_REFUSED,
			           "no room for a new session (or out of memory)");
			return;
		}
		s->pub = a.pub_addr;
		s->priv = a.priv_addr;
		announced(p, h, from);
		sess_join(p, s);
	}
	s->robust = a.robust ? a.robust : 1;
	s->grtt = uftp_grtt_unquantize(h->grtt);
	s->last_rx = now;
	if (p->cfg->mode != UFTP_PROXY_SERVER && announce_encrypted(&a))
		forward_enc_announce(p, s, &a, buf, len);
	else
		forward_down(p, s, UFTP_MSG_ANNOUNCE, buf, len);
}

/* Keyex signatures: the clients know our key, not the server's: sign again. */
static void forward_resigned(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *buf,
                             size_t len)
{
	static uint8_t out[UFTP_PROXY_DGRAM_MAX];
	int n = proxy_enc_resign_packet(p, s, buf, len, out, sizeof(out));

	if (n < 0) {
		proxy_drop(p, UFTP_DROP_AUTH, "server message whose signature does not verify");
		return;
	}
	forward_down(p, s, UFTP_MSG_ENCRYPTED, out, (size_t)n);
}

/* An ABORT from the server for everyone ends the session once passed on. */
static void server_abort_check(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *body,
                               size_t blen)
{
	struct uftp_abort ab;

	if (uftp_decode_abort(&ab, body, blen) < 0)
		return;
	if (ab.host == 0 || ab.host == p->cfg->uid)
		sess_end(p, s, "aborted by the server");
}

static void on_server_msg(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                          int func, const uint8_t *body, size_t blen, const uint8_t *buf,
                          size_t len, uint64_t now)
{
	struct uftp_msg m;

	if (func != UFTP_MSG_ENCRYPTED && uftp_decode_msg(&m, (uint8_t)func, body, blen) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed server message");
		return;
	}
	if (func == UFTP_MSG_ENCRYPTED && uftp_decode_encrypted(&m.u.encrypted, body, blen) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed ENCRYPTED");
		return;
	}
	s->grtt = uftp_grtt_unquantize(h->grtt);
	s->last_rx = now;
	s->established = 1;
	if (s->enc && func == UFTP_MSG_KEYINFO) {
		proxy_enc_on_keyinfo(p, s, h, &m.u.keyinfo);
		return;
	}
	if (s->enc && func == UFTP_MSG_REG_CONF) {
		proxy_enc_on_reg_conf(p, s, &m.u.reg_conf, now);
		return;
	}
	if (s->enc_failed)
		return;
	if (s->enc && func == UFTP_MSG_ENCRYPTED && proxy_enc_resign(p, s)) {
		forward_resigned(p, s, buf, len);
		return;
	}
	forward_down(p, s, func, buf, len);
	if (func == UFTP_MSG_ABORT)
		server_abort_check(p, s, body, blen);
}

/* ---- client replies ----------------------------------------------------- */

static void copy_up(struct uftp_proxy *p, struct proxy_sess *s, const uint8_t *buf, size_t len)
{
	if (proxy_queue(p, &s->up, 0, buf, len) == 0)
		p->st.fwd_up++;
}

/* -C: every client of the REGISTER (itself, or those a proxy below relays) is listed. */
static int client_allowed(const struct uftp_proxy *p, const struct uftp_header *h,
                          const struct uftp_register *r)
{
	size_t i, k;
	uint32_t id;

	if (!p->cfg->nclients)
		return 1;
	for (i = 0; i < (r->ids.count ? r->ids.count : 1); i++) {
		id = r->ids.count ? uftp_idlist_get(&r->ids, i) : h->src_id;
		for (k = 0; k < p->cfg->nclients && p->cfg->clients[k].id != id; k++)
			;
		if (k == p->cfg->nclients)
			return 0;
	}
	return 1;
}

/* A client reply into the session's aggregate (sent upstream after one GRTT). */
static void aggregate(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                      const struct uftp_msg *m, uint64_t now)
{
	if (proxy_agg_add(p, s, h, m, now) == 0)
		p->st.agg_in++;
	else
		proxy_drop(p, UFTP_DROP_REFUSED, "cannot aggregate");
}

/* An encrypted client reply: opened with the group keys, then aggregated or checked. */
static void on_client_sealed(struct uftp_proxy *p, struct proxy_sess *s,
                             const struct uftp_header *h, const uint8_t *buf, size_t len,
                             uint64_t now)
{
	static uint8_t plain[UFTP_PROXY_DGRAM_MAX];
	struct uftp_msg m;
	int n = proxy_enc_open(p, s, h->src_id, buf, len, plain, sizeof(plain));
	int func;

	if (n < 0) {
		proxy_drop(p, UFTP_DROP_AUTH,
		           "ENCRYPTED reply that does not open with the group key");
		return;
	}
	func = uftp_msg_func(plain, (size_t)n);
	if (func < 0 || uftp_decode_msg(&m, (uint8_t)func, plain, (size_t)n) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed encrypted reply");
		return;
	}
	switch (func) {
	case UFTP_MSG_KEYINFO_ACK:
		proxy_enc_on_keyinfo_ack(p, s, h->src_id, &m.u.keyinfo_ack);
		return;
	case UFTP_MSG_FILEINFO_ACK:
	case UFTP_MSG_STATUS:
	case UFTP_MSG_COMPLETE: aggregate(p, s, h, &m, now); return;
	default: copy_up(p, s, buf, len); return;
	}
}

static void on_client_msg(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                          int func, const uint8_t *body, size_t blen, const uint8_t *buf,
                          size_t len, uint64_t now)
{
	struct uftp_msg m;

	if (uftp_decode_msg(&m, (uint8_t)func, body, blen) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed client message");
		return;
	}
	if (func == UFTP_MSG_ENCRYPTED && s->enc) {
		on_client_sealed(p, s, h, buf, len, now);
		return;
	}
	if (func == UFTP_MSG_CLIENT_KEY && s->enc) {
		if (proxy_enc_client_key(p, s, h->src_id, &m.u.client_key) < 0)
			proxy_drop(p, UFTP_DROP_AUTH, "CLIENT_KEY refused");
		return;
	}
	if (func == UFTP_MSG_REGISTER && !client_allowed(p, h, &m.u.reg)) {
		proxy_drop(p, UFTP_DROP_UNKNOWN, "REGISTER from a client not in the client list");
		return;
	}
	if (func == UFTP_MSG_REGISTER && s->enc &&
	    proxy_enc_client_register(p, s, h->src_id, &m.u.reg) < 0) {
		proxy_drop(p, UFTP_DROP_AUTH, "REGISTER without a usable key exchange");
		return;
	}
	switch (func) {
	case UFTP_MSG_REGISTER:
	case UFTP_MSG_FILEINFO_ACK:
	case UFTP_MSG_STATUS:
	case UFTP_MSG_COMPLETE: aggregate(p, s, h, &m, now); return;
	case UFTP_MSG_CLIENT_KEY:
	case UFTP_MSG_KEYINFO_ACK:
	case UFTP_MSG_CC_ACK:
	case UFTP_MSG_ABORT:
	case UFTP_MSG_ENCRYPTED: copy_up(p, s, buf, len); return;
	default: proxy_drop(p, UFTP_DROP_UNEXPECTED, "not a client reply"); return;
	}
}

/* ---- dispatch ----------------------------------------------------------- */

static int from_dest(const struct uftp_proxy *p, const struct uftp_peer *from)
{
	return p->dest.ip.family && uftp_peer_equal(&p->dest, from);
}

/* Server proxy: replies from the downstream go back to the session's server. */
static void sp_from_dest(struct uftp_proxy *p, const struct uftp_header *h, const uint8_t *buf,
                         size_t len)
{
	struct proxy_sess *s = sess_find(p, h->group_id);

	if (!s) {
		proxy_drop(p, UFTP_DROP_UNKNOWN, "reply for no known session");
		return;
	}
	copy_up(p, s, buf, len);
}

static void dispatch(struct uftp_proxy *p, const struct uftp_peer *from,
                     const struct uftp_header *h, int func, const uint8_t *body, size_t blen,
                     const uint8_t *buf, size_t len, uint64_t now)
{
	struct proxy_sess *s;
	int upstream;

	if (func == UFTP_MSG_ANNOUNCE) {
		on_announce(p, from, h, body, blen, buf, len, now);
		return;
	}
	s = sess_find(p, h->group_id);
	if (!s) {
		proxy_drop(p, UFTP_DROP_UNKNOWN, "message for no known session");
		return;
	}
	upstream = uftp_peer_equal(&s->up, from);
	if (upstream && (server_func(func) || func == UFTP_MSG_ENCRYPTED || func == UFTP_MSG_ABORT))
		on_server_msg(p, s, h, func, body, blen, buf, len, now);
	else if (!upstream && !server_func(func) && p->cfg->mode != UFTP_PROXY_SERVER)
		on_client_msg(p, s, h, func, body, blen, buf, len, now);
	else
		proxy_drop(p, UFTP_DROP_UNEXPECTED, "unexpected message for its direction");
}

static void on_heartbeat(struct uftp_proxy *p, const struct uftp_peer *from,
                         const struct uftp_header *h, int func, const uint8_t *body, size_t blen,
                         uint64_t now)
{
	struct uftp_msg m;

	if (uftp_decode_msg(&m, (uint8_t)func, body, blen) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "malformed heartbeat");
		return;
	}
	if (func == UFTP_MSG_HB_REQ && p->cfg->mode == UFTP_PROXY_SERVER)
		proxy_hb_on_req(p, from, h, &m.u.hb_req, now);
	else if (func == UFTP_MSG_HB_RESP && p->cfg->mode != UFTP_PROXY_SERVER)
		proxy_hb_on_resp(p, from, &m.u.hb_resp, now);
	else
		proxy_drop(p, UFTP_DROP_UNEXPECTED, "heartbeat not for this mode");
}

int uftp_proxy_on_datagram(struct uftp_proxy *p, const struct uftp_peer *from, const uint8_t *buf,
                           size_t len, uint64_t now)
{
	struct uftp_header h;
	const uint8_t *body;
	size_t blen;
	int func;

	p->st.rx++;
	if (len > UFTP_PROXY_DGRAM_MAX || uftp_decode_header(&h, buf, len) < 0) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "bad UFTP header");
		return 0;
	}
	body = buf + UFTP_HEADER_LEN;
	blen = len - UFTP_HEADER_LEN;
	func = h.func;
	if (func != UFTP_MSG_ENCRYPTED && uftp_msg_func(body, blen) != func) {
		proxy_drop(p, UFTP_DROP_MALFORMED, "function byte disagrees with the header");
		return 0;
	}
	if (func == UFTP_MSG_HB_REQ || func == UFTP_MSG_HB_RESP) {
		on_heartbeat(p, from, &h, func, body, blen, now);
		return 0;
	}
	if (func == UFTP_MSG_KEY_REQ) {
		if (p->cfg->mode == UFTP_PROXY_RESPONSE &&
		    uftp_decode_key_req(&(struct uftp_key_req){0}, body, blen) >= 0)
			proxy_enc_on_key_req(p, now);
		else
			proxy_drop(p, UFTP_DROP_UNKNOWN, "KEY_REQ not for this proxy");
		return 0;
	}
	if (p->cfg->mode == UFTP_PROXY_SERVER && from_dest(p, from)) {
		sp_from_dest(p, &h, buf, len);
		return 0;
	}
	dispatch(p, from, &h, func, body, blen, buf, len, now);
	return 0;
}

/* ---- API ----------------------------------------------------------------- */

int uftp_proxy_new(struct uftp_proxy **out, const struct uftp_env *env,
                   const struct uftp_proxy_config *cfg, uint64_t now)
{
	struct uftp_proxy *p;

	*out = NULL;
	if (cfg->mode < UFTP_PROXY_SERVER || cfg->mode > UFTP_PROXY_RESPONSE || !cfg->uid ||
	    cfg->nhb > UFTP_PROXY_MAX_HB)
		return UFTP_ERR_INVALID;
	if (cfg->mode == UFTP_PROXY_SERVER && !cfg->dest_by_fp && !cfg->dest.ip.family)
		return UFTP_ERR_INVALID;
	if (cfg->mode == UFTP_PROXY_CLIENT && !cfg->client_port)
		return UFTP_ERR_INVALID;
	p = calloc(1, sizeof(*p));
	if (!p)
		return UFTP_ERR_NOMEM;
	p->env = env;
	p->cfg = cfg;
	if (!cfg->dest_by_fp)
		p->dest = cfg->dest;
	if (uftp_outq_init(&p->q, UFTP_PROXY_QUEUE, UFTP_PROXY_DGRAM_MAX) < 0) {
		uftp_proxy_free(p);
		return UFTP_ERR_NOMEM;
	}
	p->hb_next = cfg->nhb ? now : UFTP_NEVER;
	*out = p;
	return 0;
}

void uftp_proxy_free(struct uftp_proxy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++) {
		if (p->sess[i])
			proxy_enc_free(p, p->sess[i]);
		free(p->sess[i]);
	}
	uftp_outq_free(&p->q);
	free(p);
}

int uftp_proxy_pop_send(struct uftp_proxy *p, struct uftp_peer *to, int *mcast, uint8_t *out,
                        size_t cap, uint64_t now)
{
	int n = uftp_outq_pop(&p->q, to, mcast, out, cap);

	(void)now;
	if (n == UFTP_ERR_NOSPACE)
		p->st.tx_dropped++;
	return n;
}

int uftp_proxy_group_listed(const struct uftp_proxy_group *g, size_t n, const struct uftp_ipaddr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (uftp_ip_equal(&g[i].addr, a))
			return 1;
	return 0;
}

size_t uftp_proxy_groups(const struct uftp_proxy *p, struct uftp_proxy_group *out, size_t max)
{
	struct uftp_proxy_group g[UFTP_PROXY_MAX_GROUPS];
	size_t i, n = 0;

	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++) {
		const struct proxy_sess *s = p->sess[i];
		if (!s || !s->joined || uftp_proxy_group_listed(g, n, &s->priv))
			continue;
		g[n].addr = s->priv;
		g[n++].group_id = s->group_id;
	}
	memcpy(out, g, (n < max ? n : max) * sizeof(g[0]));
	return n;
}

uint64_t uftp_proxy_groups_gen(const struct uftp_proxy *p)
{
	return p->groups_gen;
}

uint64_t uftp_proxy_next_expiry(const struct uftp_proxy *p)
{
	uint64_t t = p->hb_next, e;
	size_t i;

	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++) {
		const struct proxy_sess *s = p->sess[i];
		if (!s)
			continue;
		e = proxy_agg_expiry(s);
		if (e < t)
			t = e;
		e = s->last_rx + sess_idle(s);
		if (e < t)
			t = e;
		e = proxy_enc_get_expiry(s);
		if (e < t)
			t = e;
	}
	return t;
}

void uftp_proxy_on_expiry(struct uftp_proxy *p, uint64_t now)
{
	size_t i;
	struct proxy_sess *s;

	if (now >= p->hb_next) {
		proxy_hb_send(p, now);
		p->hb_next = now + p->cfg->hb_interval;
	}
	for (i = 0; i < UFTP_PROXY_MAX_SESSIONS; i++) {
		s = p->sess[i];
		if (!s)
			continue;
		proxy_agg_flush(p, s, now);
		proxy_enc_expiry(p, s, now);
		if (proxy_agg_expiry(s) == UFTP_NEVER && now >= s->last_rx + sess_idle(s))
			sess_end(p, s, "timed out");
	}
}

int uftp_proxy_pop_event(struct uftp_proxy *p, struct uftp_proxy_event *ev)
{
	if (!p->evlen)
		return 0;
	*ev = p->ev[p->evhead];
	p->evhead = (p->evhead + 1) % PROXY_EVQ;
	p->evlen--;
	return 1;
}

void uftp_proxy_get_counters(const struct uftp_proxy *p, struct uftp_proxy_stats *st)
{
	*st = p->st;
}

struct uftp_peer uftp_proxy_dest(const struct uftp_proxy *p)
{
	return p->dest;
}
