/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core: the session table, input dispatch, the transmit and event
 * queues, timers.  Per-phase handlers live in client_reg.c (ANNOUNCE ..
 * KEYINFO) and client_file.c (FILEINFO .. DONE_CONF).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client_int.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/quant.h"

uint64_t cl_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void cl_log(const struct uftp_client *c, int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!c->env || !c->env->log || level > c->env->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->env->log(c->env->log_arg, level, line);
}

void cl_event(struct uftp_client *c, const struct csession *s, int type, const char *text)
{
	struct uftp_client_event *ev;

	if (c->ev_n == c->ev_cap) { /* the driver stopped draining: never silently */
		c->st.events_lost++;
		cl_log(c, UFTP_LOG_WARN, "[%08X] event queue full: event %d lost (%llu so far)",
		       s->group_id, type, (unsigned long long)c->st.events_lost);
		return;
	}
	ev = &c->evq[(c->ev_head + c->ev_n++) % c->ev_cap];
	memset(ev, 0, sizeof(*ev) - sizeof(ev->text));
	ev->type = type;
	ev->group_id = s->group_id;
	ev->server_id = s->server_id;
	ev->server = s->server;
	ev->addr = s->priv;
	ev->size = s->file.size;
	ev->ftype = s->file.ftype;
	ev->status = s->file.status;
	snprintf(ev->text, sizeof(ev->text), "%s", text ? text : "");
}

/* The server's last timestamp advanced by the time we held it (RTT echo). */
void cl_ts_echo(const struct csession *s, uint64_t now, uint32_t *sec, uint32_t *usec)
{
	uint64_t us = (uint64_t)s->ts_usec + (now - s->ts_rx) / UFTP_NS_PER_USEC;

	*sec = s->ts_sec + (uint32_t)(us / 1000000);
	*usec = (uint32_t)(us % 1000000);
}

static struct uftp_outq_ent *tx_slot(struct uftp_client *c)
{
	struct uftp_outq_ent *t = uftp_outq_slot(&c->txq);

	if (!t)
		c->st.tx_dropped++;
	return t;
}

static int seal(struct uftp_client *c, struct csession *s, uint8_t *hdr, const uint8_t *body,
                size_t blen, struct uftp_outq_ent *t)
{
	struct uftp_envelope env = {c->env->crypto, s->sigtype, &s->group_keys, s->ckey, NULL};

	hdr[1] = UFTP_MSG_ENCRYPTED;
	return uftp_envelope_seal(&env, hdr, ++s->iv_ctr, body, blen, t->buf, TXQ_MAX);
}

/* Encodes m for session s (inside ENCRYPTED once keyed) and queues it to the server. */
int cl_send(struct uftp_client *c, struct csession *s, const struct uftp_msg *m, uint64_t now)
{
	struct uftp_header h = {m->func, s->seq, c->cfg.uid, s->group_id, s->group_inst, 0, 0};
	uint8_t hdr[UFTP_HEADER_LEN], body[TXQ_MAX];
	struct uftp_outq_ent *t = tx_slot(c);
	ssize_t n;
	int rv;

	(void)now;
	if (!t)
		return UFTP_ERR_NOSPACE;
	n = uftp_encode_msg(body, sizeof(body), m);
	if (n < 0)
		return (int)n;
	uftp_encode_header(hdr, sizeof(hdr), &h);
	if (s->keyed && m->func != UFTP_MSG_REGISTER && m->func != UFTP_MSG_CLIENT_KEY) {
		rv = seal(c, s, hdr, body, (size_t)n, t);
		if (rv < 0)
			return rv;
		t->len = (size_t)rv;
	} else {
		if ((size_t)n + UFTP_HEADER_LEN > TXQ_MAX)
			return UFTP_ERR_NOSPACE;
		memcpy(t->buf, hdr, UFTP_HEADER_LEN);
		memcpy(t->buf + UFTP_HEADER_LEN, body, (size_t)n);
		t->len = (size_t)n + UFTP_HEADER_LEN;
	}
	t->to = c->cfg.resp_proxy.ip.family ? c->cfg.resp_proxy : s->server;
	s->seq++;
	uftp_outq_commit(&c->txq);
	c->st.tx_datagrams++;
	cl_log(c, UFTP_LOG_TRACE, "[%08X] send %s", s->group_id, uftp_msg_name(m->func));
	return 0;
}

/* Frees a session's resources and its slot (its group may no longer be needed). */
void cl_end(struct uftp_client *c, struct csession *s)
{
	cl_file_close(c, s, 0);
	c->groups_gen++;
	if (s->server_key && c->env->crypto)
		c->env->crypto->pkey_free(s->server_key);
	uftp_keysched_wipe(s, sizeof(*s));
	s->used = 0;
}

void cl_abort(struct uftp_client *c, struct csession *s, const char *why, int tell_server,
              uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_ABORT};

	cl_log(c, UFTP_LOG_ERROR, "[%08X] session aborted: %s", s->group_id, why);
	if (tell_server) {
		m.u.abort.text = (const uint8_t *)why;
		m.u.abort.text_len = strnlen(why, UFTP_ABORT_TEXT_LEN);
		cl_send(c, s, &m, now);
	}
	c->st.sessions_aborted++;
	cl_event(c, s, UFTP_CEV_ABORTED, why);
	cl_file_save(c, s);
	cl_end(c, s);
}

/* ---- input ----------------------------------------------------------- */

static struct csession *find_session(struct uftp_client *c, const struct uftp_header *h,
                                     const struct uftp_peer *from)
{
	size_t i;

	for (i = 0; i < c->nsess; i++) {
		struct csession *s = &c->sess[i];
		if (s->used && s->group_id == h->group_id && s->server_id == h->src_id &&
		    s->group_inst == h->group_inst &&
		    (uftp_peer_equal(&s->server, from) || cl_from_proxy(c, from)))
			return s;
	}
	return NULL;
}

/* ABORT from the session's server: all clients, or us by ID. */
static int on_abort(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_abort *a = &in->msg->u.abort;
	char why[UFTP_ABORT_TEXT_LEN + 40];

	if (a->host != 0 && a->host != c->cfg.uid)
		return 0;
	if (a->host == 0 && (a->flags & UFTP_ABORT_CURRENT_FILE) && !s->file.active)
		return 0; /* we are not on the current file: keep going */
	snprintf(why, sizeof(why), "server aborted: %.*s", (int)a->text_len, (const char *)a->text);
	cl_abort(c, s, why, 0, in->now);
	return 0;
}

typedef int (*handler_fn)(struct uftp_client *, struct csession *, const struct cin *);

/*
 * Messages from a session's server.  ANNOUNCE is handled before this table
 * (it may create the session).  "enc" = must arrive inside ENCRYPTED once
 * the session is keyed; before that, ENCRYPTED input is dropped.
 *
 *                 REGISTER   ACTIVE     DONE       enc
 *   REG_CONF      handle     drop(dup)  drop       no
 *   KEYINFO       handle     re-ack     re-ack     no (clear by design)
 *   FILEINFO      handle(1)  handle     drop       yes
 *   FILESEG       drop       handle     drop       yes
 *   DONE          drop       handle     handle     yes
 *   DONE_CONF     drop       drop       handle     yes
 *   ABORT         handle     handle     handle     yes once keyed
 *   CONG_CTRL     drop       CC_ACK     CC_ACK     yes
 * (1) a FILEINFO listing us also confirms an open-group registration whose
 *     REG_CONF was lost.  Anything else: dropped and counted.
 */
static const struct {
	uint8_t func;
	unsigned states;
	int enc;
	handler_fn fn;
} table[] = {
    {UFTP_MSG_REG_CONF, CS_BIT(CS_REGISTER) | CS_BIT(CS_ACTIVE), 0, cl_on_reg_conf},
    {UFTP_MSG_KEYINFO, CS_BIT(CS_REGISTER) | CS_BIT(CS_ACTIVE) | CS_BIT(CS_DONE), 0, cl_on_keyinfo},
    {UFTP_MSG_FILEINFO, CS_BIT(CS_REGISTER) | CS_BIT(CS_ACTIVE), 1, cl_on_fileinfo},
    {UFTP_MSG_FILESEG, CS_BIT(CS_ACTIVE), 1, cl_on_fileseg},
    {UFTP_MSG_DONE, CS_BIT(CS_ACTIVE) | CS_BIT(CS_DONE), 1, cl_on_done},
    {UFTP_MSG_DONE_CONF, CS_BIT(CS_DONE), 1, cl_on_done_conf},
    {UFTP_MSG_ABORT, CS_BIT(CS_REGISTER) | CS_BIT(CS_ACTIVE) | CS_BIT(CS_DONE), 1, on_abort},
    {UFTP_MSG_CONG_CTRL, CS_BIT(CS_ACTIVE) | CS_BIT(CS_DONE), 1, cl_on_cong_ctrl},
};

static int dispatch(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].func != in->msg->func)
			continue;
		if (!(table[i].states & CS_BIT(s->state)))
			return UFTP_ERR_STATE;
		if (s->keyed && table[i].enc && !in->encrypted)
			return UFTP_ERR_AUTH;
		if (s->enc && !s->keyed && in->msg->func != UFTP_MSG_KEYINFO &&
		    in->msg->func != UFTP_MSG_ABORT)
			return UFTP_ERR_STATE; /* nothing else before the keys */
		if (!s->enc && in->encrypted)
			return UFTP_ERR_STATE;
		return table[i].fn(c, s, in);
	}
	return UFTP_ERR_UNKNOWN_TYPE;
}

static int replay_bit(const struct replay_win *w, uint64_t ctr)
{
	uint64_t i = ctr % CL_REPLAY_WINDOW;

	return (int)((w->bits[i / 64] >> (i % 64)) & 1);
}

static void replay_set(struct replay_win *w, uint64_t ctr, int on)
{
	uint64_t i = ctr % CL_REPLAY_WINDOW, m = 1ULL << (i % 64);

	w->bits[i / 64] = on ? w->bits[i / 64] | m : w->bits[i / 64] & ~m;
}

/*
 * 1 if counter ctr of sender src has not been seen (and records it), 0 for a
 * replay or a counter too old to tell.  Called only for authenticated
 * datagrams, so forgeries cannot move the window.
 */
static int replay_fresh(struct csession *s, uint32_t src, uint64_t ctr)
{
	struct replay_win *w = NULL;
	uint64_t k, d;
	size_t i;

	for (i = 0; i < CL_REPLAY_SENDERS; i++)
		if (s->replay[i].used && s->replay[i].src == src)
			w = &s->replay[i];
	for (i = 0; !w && i < CL_REPLAY_SENDERS; i++)
		if (!s->replay[i].used)
			w = &s->replay[i];
	if (!w) { /* a third sender: take the last slot over */
		w = &s->replay[CL_REPLAY_SENDERS - 1];
		w->used = 0;
	}
	if (!w->used) {
		memset(w, 0, sizeof(*w));
		w->used = 1;
		w->src = src;
		w->top = ctr;
		replay_set(w, ctr, 1);
		return 1;
	}
	if (ctr > w->top) {
		d = ctr - w->top;
		for (k = 1; k <= d && k <= CL_REPLAY_WINDOW; k++)
			replay_set(w, w->top + k, 0);
		w->top = ctr;
		replay_set(w, ctr, 1);
		return 1;
	}
	if (w->top - ctr >= CL_REPLAY_WINDOW || replay_bit(w, ctr))
		return 0;
	replay_set(w, ctr, 1);
	return 1;
}

/* Opens an ENCRYPTED datagram into c->plain; returns the plaintext length. */
static int open_encrypted(struct uftp_client *c, struct csession *s, uint32_t src,
                          const uint8_t *buf, size_t len)
{
	struct uftp_envelope env = {c->env->crypto, s->sigtype, &s->group_keys, NULL,
	                            s->server_key};
	uint64_t ctr;
	int n;

	if (!s->keyed)
		return UFTP_ERR_STATE;
	n = uftp_envelope_open(&env, buf, len, &ctr, c->plain, sizeof(c->plain));
	if (n >= 0 && !replay_fresh(s, src, ctr)) {
		cl_log(c, UFTP_LOG_DEBUG,
		       "[%08X] replayed or duplicate ENCRYPTED (counter %llu) dropped", s->group_id,
		       (unsigned long long)ctr);
		return UFTP_ERR_REPLAY;
	}
	return n;
}

static int session_input(struct uftp_client *c, struct csession *s, const struct uftp_peer *from,
                         const struct uftp_header *h, const uint8_t *buf, size_t len, uint64_t now)
{
	struct cin in = {h, NULL, buf, len, 0, now};
	struct uftp_msg m;
	const uint8_t *body = buf + UFTP_HEADER_LEN;
	size_t blen = len - UFTP_HEADER_LEN;
	ssize_t n;
	int f;

	if (h->func == UFTP_MSG_ENCRYPTED) {
		f = open_encrypted(c, s, h->src_id, buf, len);
		if (f == UFTP_ERR_REPLAY)
			return f; /* counted as dropped by the caller */
		if (f < 0)
			return f == UFTP_ERR_NOMEM ? f : UFTP_ERR_AUTH;
		body = c->plain, blen = (size_t)f, in.encrypted = 1;
	}
	f = uftp_msg_func(body, blen);
	if (f < 0)
		return f;
	n = uftp_decode_msg(&m, (uint8_t)f, body, blen);
	if (n < 0)
		return (int)n;
	in.msg = &m;
	s->last_rx = now;
	if (h->grtt && uftp_peer_equal(from, &s->server)) /* proxies relay GRTT 0 */
		s->grtt = uftp_grtt_unquantize(h->grtt);
	return dispatch(c, s, &in);
}

static int announce_input(struct uftp_client *c, const struct uftp_peer *from,
                          const struct uftp_header *h, const uint8_t *buf, size_t len, uint64_t now)
{
	struct uftp_announce a;
	ssize_t n = uftp_decode_announce(&a, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN);

	if (n < 0)
		return (int)n;
	return cl_on_announce(c, from, h, &a, buf, len, now);
}

int uftp_client_on_datagram(struct uftp_client *c, const struct uftp_peer *from, const uint8_t *buf,
                            size_t len, uint64_t now)
{
	struct uftp_header h;
	struct csession *s;
	ssize_t n = uftp_decode_header(&h, buf, len);
	int rv;

	c->st.rx_datagrams++;
	if (n >= 0 && h.src_id == c->cfg.uid)
		n = UFTP_ERR_STATE; /* our own datagram looped back */
	if (n >= 0 && h.func == UFTP_MSG_ANNOUNCE) {
		rv = announce_input(c, from, &h, buf, len, now);
	} else if (n >= 0 && h.func == UFTP_MSG_PROXY_KEY) {
		rv = cl_on_proxy_key(c, from, &h, buf, len);
	} else if (n >= 0 && h.func == UFTP_MSG_HB_RESP) {
		rv = cl_on_hb_resp(c, from, buf, len);
	} else if (n >= 0) {
		s = find_session(c, &h, from);
		rv = s ? session_input(c, s, from, &h, buf, len, now) : UFTP_ERR_INVALID;
	} else {
		rv = (int)n;
	}
	if (rv < 0) {
		c->st.dropped[rv == UFTP_ERR_INVALID ? UFTP_DROP_UNKNOWN : uftp_drop_reason(rv)]++;
		cl_log(c, UFTP_LOG_DEBUG, "dropped %zu-byte datagram (%s): %s", len,
		       n >= 0 ? uftp_msg_name(h.func) : "bad header",
		       rv == UFTP_ERR_INVALID ? "no such session" : uftp_strerror(rv));
	}
	return rv < 0 ? rv : 0;
}

/* ---- output, timers, events ------------------------------------------ */

int uftp_client_pop_send(struct uftp_client *c, struct uftp_peer *to, uint8_t *out, size_t cap,
                         uint64_t now)
{
	int n = uftp_outq_pop(&c->txq, to, NULL, out, cap);

	(void)now;
	if (n == UFTP_ERR_NOSPACE) {
		c->st.tx_dropped++;
		return 0;
	}
	return n;
}

/* Inactivity limit of a registered session (protocol.txt 3.2, with a floor). */
static uint64_t idle_limit(const struct csession *s)
{
	return cl_max(4 * (uint64_t)s->robust * s->grtt, 2 * MIN_TMO_NS);
}

static uint64_t session_expiry(const struct csession *s)
{
	uint64_t t = s->last_rx + idle_limit(s);

	if (s->state == CS_REGISTER || s->state == CS_DONE) {
		t = s->resend_at < s->giveup ? s->resend_at : s->giveup;
	}
	if (s->file.nak_due && s->file.nak_at < t)
		t = s->file.nak_at;
	if (cl_file_ckpt_expiry(s) < t)
		t = cl_file_ckpt_expiry(s);
	return t;
}

uint64_t uftp_client_next_expiry(const struct uftp_client *c)
{
	uint64_t t = cl_proxy_expiry(c), e = cl_hb_expiry(c);
	size_t i;

	if (e < t)
		t = e;
	for (i = 0; i < c->nsess; i++) {
		if (!c->sess[i].used)
			continue;
		e = session_expiry(&c->sess[i]);
		if (e < t)
			t = e;
	}
	return t;
}

static void done_expiry(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (now >= s->giveup) {
		cl_log(c, UFTP_LOG_INFO, "[%08X] session complete (no DONE_CONF)", s->group_id);
		cl_event(c, s, UFTP_CEV_DONE, NULL);
		cl_end(c, s);
		return;
	}
	if (now >= s->resend_at) {
		cl_send_complete(c, s, 0, UFTP_COMP_NORMAL, now);
		s->resend_at = now + 4 * s->grtt;
	}
}

static void register_expiry(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (now >= s->giveup) {
		cl_abort(c, s, "no reply to REGISTER", 0, now);
		return;
	}
	if (now >= s->resend_at) {
		cl_send_register(c, s, now);
		s->resend_at = now + 4 * s->grtt;
	}
}

static void session_timers(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (s->state == CS_REGISTER) {
		register_expiry(c, s, now);
		return;
	}
	if (s->state == CS_DONE) {
		done_expiry(c, s, now);
		return;
	}
	if (now >= s->last_rx + idle_limit(s)) {
		cl_abort(c, s, "transfer timed out", 1, now);
		return;
	}
	cl_file_expiry(c, s, now);
}

void uftp_client_on_expiry(struct uftp_client *c, uint64_t now)
{
	size_t i;

	cl_proxy_timers(c, now);
	cl_hb_timers(c, now);
	for (i = 0; i < c->nsess; i++)
		if (c->sess[i].used)
			session_timers(c, &c->sess[i], now);
}

int uftp_client_pop_event(struct uftp_client *c, struct uftp_client_event *ev)
{
	if (!c->ev_n)
		return 0;
	*ev = c->evq[c->ev_head];
	c->ev_head = (c->ev_head + 1) % c->ev_cap;
	c->ev_n--;
	return 1;
}

static int is_multicast(const struct uftp_ipaddr *a)
{
	if (a->family == 6)
		return a->addr[0] == 0xff;
	return a->family == 4 && a->addr[0] >= 224 && a->addr[0] <= 239;
}

static int same_ip(const struct uftp_ipaddr *a, const struct uftp_ipaddr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

/* 1 if the private group of sess[i] is used by an earlier live slot. */
static int listed_before(const struct uftp_client *c, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (c->sess[k].used && same_ip(&c->sess[k].priv, &c->sess[i].priv))
			return 1;
	return 0;
}

size_t uftp_client_groups(const struct uftp_client *c, struct uftp_ipaddr *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < c->nsess; i++) {
		const struct csession *s = &c->sess[i];
		if (!s->used || !is_multicast(&s->priv) || listed_before(c, i))
			continue;
		if (n < max)
			out[n] = s->priv;
		n++;
	}
	return n;
}

uint64_t uftp_client_groups_gen(const struct uftp_client *c)
{
	return c->groups_gen;
}

void uftp_client_get_stats(const struct uftp_client *c, struct uftp_core_stats *st)
{
	*st = c->st;
	st->role = UFTP_ROLE_CLIENT;
	st->sessions_active = uftp_client_session_count(c);
}

void uftp_client_shutdown(struct uftp_client *c, uint64_t now)
{
	size_t i;

	for (i = 0; i < c->nsess; i++)
		if (c->sess[i].used)
			cl_abort(c, &c->sess[i], "Client shutting down", 1, now);
}

size_t uftp_client_session_count(const struct uftp_client *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->nsess; i++)
		n += c->sess[i].used ? 1 : 0;
	return n;
}

/* ---- life cycle --------------------------------------------------------- */

int uftp_client_new(struct uftp_client **out, const struct uftp_env *env,
                    const struct uftp_client_config *cfg, uint64_t now)
{
	struct uftp_client *c;

	*out = NULL;
	if (!cfg || !env || !cfg->fops || cfg->nroots < 1 || cfg->nroots > UFTP_CLIENT_MAX_ROOTS ||
	    cfg->nhb > UFTP_CLIENT_MAX_HB)
		return UFTP_ERR_INVALID;
	c = calloc(1, sizeof(*c));
	if (!c)
		return UFTP_ERR_NOMEM;
	c->cfg = *cfg;
	c->env = env;
	c->nsess = cfg->max_sessions ? cfg->max_sessions : 16;
	if (!c->cfg.hb_interval)
		c->cfg.hb_interval = 20 * (uint64_t)UFTP_NS_PER_SEC;
	c->hb_at = now; /* the first heartbeats go at once */
	if (c->nsess > UFTP_CLIENT_MAX_SESSIONS)
		c->nsess = UFTP_CLIENT_MAX_SESSIONS;
	c->sess = calloc(c->nsess, sizeof(*c->sess));
	c->ev_cap = EV_PER_SESSION * c->nsess + EV_SPARE;
	c->evq = calloc(c->ev_cap, sizeof(*c->evq));
	c->groups_gen = 1;
	if (!c->sess || !c->evq || uftp_outq_init(&c->txq, TXQ_LEN, TXQ_MAX) < 0) {
		uftp_client_free(c);
		return UFTP_ERR_NOMEM;
	}
	*out = c;
	return 0;
}

void uftp_client_free(struct uftp_client *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; c->sess && i < c->nsess; i++) {
		if (!c->sess[i].used)
			continue;
		cl_file_close(c, &c->sess[i], 0);
		if (c->sess[i].server_key && c->env->crypto)
			c->env->crypto->pkey_free(c->sess[i].server_key);
	}
	cl_proxy_free(c);
	free(c->sess);
	uftp_outq_free(&c->txq);
	free(c->evq);
	uftp_keysched_wipe(c->plain, sizeof(c->plain));
	free(c);
}
