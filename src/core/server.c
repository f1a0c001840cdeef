/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sender session: life cycle, inbound dispatch, output scheduling, events.
 * The phases themselves live in server_reg.c (announce / keys),
 * server_file.c (files, end of session), server_data.c (data passes, NAKs),
 * server_crypto.c, and its read-only view in server_stats.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/quant.h"
#include "core/server_int.h"

/* ---- events ------------------------------------------------------------ */

void srv_event(struct uftp_server *s, int type, uint32_t id, int status, uint64_t value,
               const char *text)
{
	struct uftp_server_event *e;

	if (s->ev_count == SRV_MAX_EVENTS) { /* drop the oldest */
		s->ev_head = (s->ev_head + 1) % SRV_MAX_EVENTS;
		s->ev_count--;
	}
	e = &s->ev[(s->ev_head + s->ev_count) % SRV_MAX_EVENTS];
	s->ev_count++;
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->client_id = id;
	e->file = s->cur;
	e->status = status;
	e->value = value;
	if (text) {
		strncpy(e->text, text, sizeof(e->text) - 1);
		e->text[sizeof(e->text) - 1] = '\0';
	}
}

int uftp_server_pop_event(struct uftp_server *s, struct uftp_server_event *ev)
{
	if (s->ev_count == 0)
		return 0;
	*ev = s->ev[s->ev_head];
	s->ev_head = (s->ev_head + 1) % SRV_MAX_EVENTS;
	s->ev_count--;
	return 1;
}

/* ---- clients ----------------------------------------------------------- */

struct srv_client *srv_find(struct uftp_server *s, uint32_t id)
{
	return srv_index_find(s, id);
}

/* Counted in n_failed (srv_check_quit): a receiver lost or aborted. */
static int failed(const struct srv_client *c)
{
	return (c->state == CS_LOST || c->state == CS_ABORTED) && !c->is_proxy;
}

/* Counted by srv_active: a receiver (not a proxy) in the session or done with it. */
static int counted(const struct srv_client *c)
{
	return (c->state == CS_ACTIVE || c->state == CS_DONE) && !c->is_proxy;
}

/*
 * Kept by srv_set_cstate (the only place a state changes once a record
 * exists; a record turns into a proxy only while CS_NEW): every datagram's
 * header carries the count, and a walk of thousands of records per
 * datagram was most of the sender's CPU.
 */
size_t srv_active(const struct uftp_server *s)
{
	return s->n_counted;
}

void srv_set_cstate(struct uftp_server *s, struct srv_client *c, int state)
{
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X: %s -> %s", c->id,
	             srv_cstate_names[c->state], srv_cstate_names[state]);
	if (counted(c))
		s->n_counted--;
	if (failed(c))
		s->n_failed--;
	c->state = state;
	if (counted(c))
		s->n_counted++;
	if (failed(c))
		s->n_failed++;
}

void srv_client_lost(struct uftp_server *s, struct srv_client *c, const char *why)
{
	if (c->state == CS_LOST || c->state == CS_ABORTED || c->state == CS_DONE)
		return;
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "%s 0x%08X dropped: %s",
	             c->is_proxy ? "proxy" : "client", c->id, why);
	srv_set_cstate(s, c, CS_LOST);
	if (!c->is_proxy) /* a proxy is no receiver; its clients are dropped on their own */
		srv_event(s, UFTP_SEV_CLIENT_LOST, c->id, 0, 0, why);
}

/* ---- time -------------------------------------------------------------- */

void srv_wire_time(const struct uftp_server *s, uint64_t now, uint32_t *sec, uint32_t *usec)
{
	uint64_t us = s->wall_base_us + (now - s->mono_base) / UFTP_NS_PER_USEC;

	*sec = (uint32_t)(us / 1000000);
	*usec = (uint32_t)(us % 1000000);
}

/* A client echoed our timestamp (sec, usec): measure its RTT, raise the GRTT. */
void srv_rtt(struct uftp_server *s, struct srv_client *c, uint32_t sec, uint32_t usec, uint64_t now)
{
	uint64_t echoed = (uint64_t)sec * 1000000 + usec;
	uint64_t cur = s->wall_base_us + (now - s->mono_base) / UFTP_NS_PER_USEC;
	uint64_t rtt;

	if (echoed > cur || cur - echoed > 1000000000ULL)
		return;
	rtt = (cur - echoed) * UFTP_NS_PER_USEC;
	c->rtt = rtt;
	if (rtt > s->max_rtt_round)
		s->max_rtt_round = rtt;
}

/* End of a round of responses: the GRTT follows the largest RTT, not below floor. */
static void grtt_update(struct uftp_server *s, uint64_t floor)
{
	uint64_t g = s->max_rtt_round;

	if (g == 0)
		return;
	if (g < floor)
		g = floor;
	if (g < s->cfg->grtt_min)
		g = s->cfg->grtt_min;
	if (g > s->cfg->grtt_max)
		g = s->cfg->grtt_max;
	s->grtt = g;
	s->max_rtt_round = 0;
}

/* TFMCC: the GRTT follows the RTTs measured since the last CONG_CTRL (floor 0.5 x old). */
void srv_grtt_follow(struct uftp_server *s)
{
	grtt_update(s, s->grtt / 2);
}

void srv_set_phase(struct uftp_server *s, int phase, uint64_t now)
{
	(void)now;
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "phase %s -> %s", srv_phase_names[s->phase],
	             srv_phase_names[phase]);
	grtt_update(s, s->grtt / 10 * 9);
	s->phase = phase;
	s->sends = 0;
	s->list_cursor = 0;
}

/* ---- packets ----------------------------------------------------------- */

static void put_header(struct uftp_server *s, uint8_t *out, int func)
{
	struct uftp_header h = {
	    .func = (uint8_t)func,
	    .seq = s->seq++,
	    .src_id = s->cfg->server_id,
	    .group_id = s->cfg->group_id,
	    .group_inst = s->cfg->group_inst,
	    .grtt = uftp_grtt_quantize(s->grtt),
	    .gsize = uftp_gsize_quantize((uint32_t)srv_active(s)),
	};

	uftp_encode_header(out, UFTP_HEADER_LEN, &h);
}

/*
 * Prepends the UFTP header to body (already at out + 16 when not
 * encrypting) or seals it into an ENCRYPTED packet.  Returns the length.
 */
int srv_finish_packet(struct uftp_server *s, uint8_t *out, size_t cap, const uint8_t *body,
                      size_t blen, int encrypt)
{
	uint8_t hdr[UFTP_HEADER_LEN];

	if (!encrypt || !s->encrypted) {
		put_header(s, out, body[0]);
		if (body != out + UFTP_HEADER_LEN)
			memmove(out + UFTP_HEADER_LEN, body, blen);
		return (int)(UFTP_HEADER_LEN + blen);
	}
	put_header(s, hdr, UFTP_MSG_ENCRYPTED);
	return srv_seal(s, hdr, body, blen, out, cap);
}

int srv_dest(const struct uftp_server *s, struct uftp_peer *to, int pub)
{
	to->ip = pub ? s->cfg->pub_addr : s->cfg->priv_addr;
	to->port = s->cfg->port;
	return 0;
}

/* ---- life cycle -------------------------------------------------------- */

static int check_config(const struct uftp_server_config *cfg)
{
	size_t i;

	if (cfg->block_size < UFTP_MIN_BLOCK || cfg->block_size > UFTP_MAX_BLOCK)
		return UFTP_ERR_INVALID;
	if (cfg->robust == 0 || cfg->grtt_init == 0 || cfg->fops == NULL)
		return UFTP_ERR_INVALID;
	if (cfg->cc_type != UFTP_CC_NONE && cfg->cc_type != UFTP_CC_TFMCC)
		return UFTP_ERR_INVALID;
	if (cfg->pub_addr.family != 4 && cfg->pub_addr.family != 6)
		return UFTP_ERR_INVALID;
	for (i = 0; i < cfg->nfiles; i++)
		if (cfg->files[i].ftype == UFTP_FTYPE_REG &&
		    cfg->files[i].size > uftp_sections_max_size(cfg->block_size))
			return UFTP_ERR_TOOBIG;
	return 0;
}

int uftp_server_new(struct uftp_server **out, const struct uftp_env *env,
                    const struct uftp_server_config *cfg, uint64_t now)
{
	struct uftp_server *s;
	uint32_t sec, usec;
	int rv;

	rv = check_config(cfg);
	if (rv < 0)
		return rv;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return UFTP_ERR_NOMEM;
	s->env = env;
	s->cfg = cfg;
	s->grtt = cfg->grtt_init;
	s->mono_base = now;
	s->start_ns = now;
	s->st.role = UFTP_ROLE_SERVER;
	s->st.sessions_started = 1;
	uftp_env_wall(env, &sec, &usec);
	s->wall_base_us = (uint64_t)sec * 1000000 + usec;
	s->rate_bpns = cfg->rate_kbps > 0 ? (double)cfg->rate_kbps * 1000.0 / 8.0 / 1e9 : 0;
	s->last_fill = now;
	srv_cc_init(s, now);
	s->phase = PH_ANNOUNCE;
	s->announce_due = 1;
	s->timer = now + 3 * s->grtt;
	s->sends = 0;
	if (cfg->keytype != UFTP_KEY_NONE) {
		rv = srv_crypto_init(s);
		if (rv < 0) {
			uftp_server_free(s);
			return rv;
		}
	}
	*out = s;
	return 0;
}

void uftp_server_free(struct uftp_server *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nclients; i++) {
		struct srv_client *c = &s->clients[i];

		if (c->pubkey && s->env->crypto)
			s->env->crypto->pkey_free(c->pubkey);
		free(c->ck_blob);
		free(c->ck_sig);
		uftp_keysched_wipe(c, sizeof(*c));
	}
	free(s->clients);
	free(s->idx);
	free(s->hosts_sorted);
	free(s->naks);
	free(s->pass);
	srv_crypto_free(s);
	uftp_keysched_wipe(s, sizeof(*s));
	free(s);
}

/* ---- finishing --------------------------------------------------------- */

void srv_finish(struct uftp_server *s, int outcome, uint64_t now)
{
	if (s->phase == PH_FINISHED)
		return;
	srv_set_phase(s, PH_FINISHED, now);
	s->outcome = outcome;
	srv_event(s, UFTP_SEV_FINISHED, 0, 0, (uint64_t)outcome, NULL);
}

/* With -q any lost or aborted client ends the session; without, only when none is left. */
int srv_check_quit(struct uftp_server *s, uint64_t now)
{
	size_t bad = s->n_failed; /* kept by srv_set_cstate: this runs for every reply */

	if (s->phase == PH_ANNOUNCE || s->phase == PH_FINISHED)
		return 0;
	if ((s->cfg->quit_on_error && bad) || srv_active(s) == 0) {
		if (s->cfg->quit_on_error && bad && srv_active(s)) {
			s->aborting = 1;
			s->abort_due = 1;
			strncpy(s->abort_text, "Client dropped out (quit on error)",
			        sizeof(s->abort_text) - 1);
		}
		srv_finish(s, UFTP_SERVER_ALL_LOST, now);
		return 1;
	}
	return 0;
}

void uftp_server_abort(struct uftp_server *s, const char *text, uint64_t now)
{
	if (s->phase == PH_FINISHED)
		return;
	s->aborting = 1;
	s->abort_due = 1;
	strncpy(s->abort_text, text ? text : "Aborted", sizeof(s->abort_text) - 1);
	srv_finish(s, UFTP_SERVER_INTERRUPTED, now);
}

int uftp_server_finished(const struct uftp_server *s)
{
	return s->phase == PH_FINISHED && !s->abort_due;
}

int uftp_server_outcome(const struct uftp_server *s)
{
	return s->outcome;
}

uint64_t uftp_server_grtt(const struct uftp_server *s)
{
	return s->grtt;
}

static void add_failed(uint32_t *ids, size_t max, size_t *n, uint32_t id)
{
	if (*n < max)
		ids[*n] = id;
	(*n)++;
}

size_t uftp_server_failed(const struct uftp_server *s, uint32_t *ids, size_t max)
{
	size_t i, k, n = 0;

	/* a closed group admits only its members: list them, in -H order */
	if (s->cfg->hosts) {
		for (i = 0; i < s->cfg->nhosts; i++) {
			for (k = 0; k < s->nclients; k++)
				if (s->clients[k].id == s->cfg->hosts[i].id)
					break;
			if (k == s->nclients || s->clients[k].state != CS_DONE)
				add_failed(ids, max, &n, s->cfg->hosts[i].id);
		}
		return n;
	}
	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].state != CS_DONE && !s->clients[i].is_proxy)
			add_failed(ids, max, &n, s->clients[i].id);
	return n;
}

/* ---- inbound ----------------------------------------------------------- */

typedef int (*srv_handler)(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                           const struct uftp_peer *from, const uint8_t *body, size_t len,
                           uint64_t now);

#define P(x)  (1u << (x))
#define P_ANY (P(PH_ANNOUNCE) | P(PH_FILEINFO) | P(PH_DATA) | P(PH_END))

static int h_register(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                      const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	(void)c;
	return srv_on_register(s, h, from, body, len, now);
}

static int h_client_key(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                        const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	(void)c;
	return srv_on_client_key(s, h, from, body, len, now);
}

static int h_keyinfo_ack(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                         const struct uftp_peer *from, const uint8_t *body, size_t len,
                         uint64_t now)
{
	(void)h;
	(void)from;
	return srv_on_keyinfo_ack(s, c, body, len, now);
}

static int h_fileinfo_ack(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                          const struct uftp_peer *from, const uint8_t *body, size_t len,
                          uint64_t now)
{
	(void)h;
	(void)from;
	return srv_on_fileinfo_ack(s, c, body, len, now);
}

static int h_status(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                    const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	(void)h;
	(void)from;
	srv_cc_on_status(s, c, body, len, now);
	return srv_fb_status(s, c, body, len, now);
}

static int h_cc_ack(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                    const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	(void)h;
	(void)from;
	return srv_cc_on_ack(s, c, body, len, now);
}

static int h_complete(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                      const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	(void)h;
	(void)from;
	return srv_fb_complete(s, c, body, len, now);
}

static int h_abort(struct uftp_server *s, struct srv_client *c, const struct uftp_header *h,
                   const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	struct uftp_abort a;
	char text[UFTP_ABORT_TEXT_LEN + 1];

	(void)h;
	(void)from;
	if (uftp_decode_abort(&a, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (c->state == CS_LOST || c->state == CS_ABORTED || c->state == CS_DONE)
		return 0;
	memcpy(text, a.text, a.text_len);
	text[a.text_len] = '\0';
	if (c->is_proxy) { /* for one of its clients (host), or for all */
		srv_proxy_abort(s, c, a.host, text);
		if (!srv_check_quit(s, now))
			srv_check_file_done(s, now);
		return 0;
	}
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X aborted: %s", c->id, text);
	srv_set_cstate(s, c, CS_ABORTED);
	srv_event(s, UFTP_SEV_CLIENT_ABORT, c->id, 0, 0, text);
	if (!srv_check_quit(s, now))
		srv_check_file_done(s, now);
	return 0;
}

/*
 * Inbound message table.  Grid (phase x message -> action); "-" = drop:
 *
 *                 ANNOUNCE  FILEINFO  DATA    END
 *   REGISTER      handle    handle*   handle* handle*   (* resend confirm only)
 *   CLIENT_KEY    handle    handle*   handle* handle*
 *   KEYINFO_ACK   handle    handle    handle  handle    (late acks are harmless)
 *   FILEINFO_ACK  -         handle    handle  -
 *   STATUS        -         -         handle  -
 *   COMPLETE      -         handle    handle  handle
 *   ABORT         handle    handle    handle  handle
 *   CC_ACK        -         handle    handle  handle    (TFMCC only; late ones count)
 *
 * "enc": must arrive inside ENCRYPTED when the session is encrypted.
 * "known": the sender must be a client that registered.
 */
static const struct {
	unsigned phases;
	int enc;
	int known;
	srv_handler fn;
} msg_table[UFTP_MSG_MAX + 1] = {
    [UFTP_MSG_REGISTER] = {P_ANY, 0, 0, h_register},
    [UFTP_MSG_CLIENT_KEY] = {P_ANY, 0, 0, h_client_key},
    [UFTP_MSG_KEYINFO_ACK] = {P_ANY, 1, 1, h_keyinfo_ack},
    [UFTP_MSG_FILEINFO_ACK] = {P(PH_FILEINFO) | P(PH_DATA), 1, 1, h_fileinfo_ack},
    [UFTP_MSG_STATUS] = {P(PH_DATA), 1, 1, h_status},
    [UFTP_MSG_COMPLETE] = {P(PH_FILEINFO) | P(PH_DATA) | P(PH_END), 1, 1, h_complete},
    [UFTP_MSG_ABORT] = {P_ANY, 0, 1, h_abort},
    [UFTP_MSG_CC_ACK] = {P(PH_FILEINFO) | P(PH_DATA) | P(PH_END), 1, 1, h_cc_ack},
};

/* Counts (under reason) and logs a dropped datagram; returns err, the verdict for the caller. */
static int drop_as(struct uftp_server *s, int reason, int err, const char *why, uint32_t id)
{
	s->st.dropped[reason]++;
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "dropped datagram from 0x%08X: %s", id, why);
	return err;
}

static int drop(struct uftp_server *s, int err, const char *why, uint32_t id)
{
	return drop_as(s, uftp_drop_reason(err), err, why, id);
}

static int dispatch(struct uftp_server *s, const struct uftp_header *h,
                    const struct uftp_peer *from, const uint8_t *body, size_t len, int was_enc,
                    uint64_t now)
{
	struct srv_client *c = srv_find(s, h->src_id);
	int func = uftp_msg_func(body, len), rv;

	if (func < 0 || func > UFTP_MSG_MAX || msg_table[func].fn == NULL) {
		return drop(s, UFTP_ERR_UNKNOWN_TYPE, "unexpected message type", h->src_id);
	}
	if (!(msg_table[func].phases & P(s->phase))) {
		return drop(s, UFTP_ERR_STATE, "message not expected in this phase", h->src_id);
	}
	if (msg_table[func].enc && s->encrypted && !was_enc) {
		return drop(s, UFTP_ERR_AUTH, "message must be encrypted", h->src_id);
	}
	if (msg_table[func].known && c == NULL) {
		return drop_as(s, UFTP_DROP_UNKNOWN, UFTP_ERR_STATE,
		               "message from an unknown client", h->src_id);
	}
	/* anyone can put a registered client's ID in a plaintext message (a
	 * COMPLETE would have us report a file delivered that never arrived):
	 * take it only from where the client registered; and a plaintext ABORT
	 * not once the client holds the group keys (it then encrypts its ABORT,
	 * protocol.txt 5.2.16) */
	if (c != NULL && !was_enc && !uftp_peer_equal(from, &c->peer)) {
		return drop(s, UFTP_ERR_AUTH,
		            func == UFTP_MSG_ABORT ? "ABORT from another address than the client's"
		                                   : "client's ID from another address",
		            h->src_id);
	}
	if (func == UFTP_MSG_ABORT && !was_enc && s->encrypted && c != NULL &&
	    (c->state == CS_ACTIVE || c->state == CS_DONE)) {
		return drop(s, UFTP_ERR_AUTH,
		            "plaintext ABORT from a client holding the group keys", h->src_id);
	}
	rv = msg_table[func].fn(s, c, h, from, body, len, now);
	if (rv < 0)
		return drop(s, rv, uftp_strerror(rv), h->src_id);
	return 0;
}

int uftp_server_on_datagram(struct uftp_server *s, const struct uftp_peer *from, const uint8_t *buf,
                            size_t len, uint64_t now)
{
	struct uftp_header h;
	uint8_t *plain = s->plain;
	struct srv_client *c;
	int n;

	if (s->phase == PH_FINISHED)
		return UFTP_ERR_STATE;
	s->st.rx_datagrams++;
	if (uftp_decode_header(&h, buf, len) < 0)
		return drop(s, UFTP_ERR_BADVALUE, "bad header", 0);
	if (h.group_id != s->cfg->group_id)
		return drop_as(s, UFTP_DROP_UNKNOWN, UFTP_ERR_BADVALUE, "other group", h.src_id);
	if (h.func != UFTP_MSG_ENCRYPTED)
		return dispatch(s, &h, from, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN, 0, now);
	c = srv_find(s, h.src_id);
	if (!s->encrypted || c == NULL) {
		return drop_as(s, c == NULL ? UFTP_DROP_UNKNOWN : UFTP_DROP_UNEXPECTED,
		               UFTP_ERR_STATE, "ENCRYPTED from a client without keys", h.src_id);
	}
	n = srv_open(s, c, buf, len, plain, sizeof(s->plain));
	if (n <= 0) {
		return drop(s, n < 0 ? n : UFTP_ERR_TRUNCATED, n < 0 ? uftp_strerror(n) : "empty",
		            h.src_id);
	}
	return dispatch(s, &h, from, plain, (size_t)n, 1, now);
}

/* ---- outbound ---------------------------------------------------------- */

static int write_abort(struct uftp_server *s, struct uftp_peer *to, uint8_t *out, size_t cap)
{
	uint8_t body[UFTP_ABORT_LEN + 8];
	struct uftp_abort a = {0};
	ssize_t n;

	s->abort_due = 0;
	a.host = 0;
	a.text = (const uint8_t *)s->abort_text;
	a.text_len = strlen(s->abort_text);
	n = uftp_encode_abort(body, sizeof(body), &a);
	if (n < 0)
		return (int)n;
	srv_dest(s, to, 0);
	return srv_finish_packet(s, out, cap, body, (size_t)n, s->ivctr > 0);
}

static int write_phase(struct uftp_server *s, struct uftp_peer *to, uint8_t *out, size_t cap,
                       uint64_t now)
{
	int n;

	n = srv_write_confirm(s, out, cap, now);
	if (n != 0) {
		srv_dest(s, to, 0);
		return n;
	}
	switch (s->phase) {
	case PH_ANNOUNCE: srv_dest(s, to, 1); return srv_write_announce(s, out, cap, now);
	case PH_FILEINFO: srv_dest(s, to, 0); return srv_write_fileinfo(s, out, cap, now);
	case PH_DATA: {
		int was_due = s->done_due || s->pass_active;

		srv_dest(s, to, 0);
		n = srv_write_fileinfo_again(s, out, cap, now);
		if (n == 0)
			n = srv_write_done(s, out, cap, now);
		if (n == 0)
			n = srv_cc_write(s, out, cap, now);
		if (n == 0)
			n = srv_write_data(s, out, cap, now);
		if (n > 0 && was_due && !s->done_due && !s->pass_active)
			srv_fb_done_sent(s, now); /* a pass's DONE is out */
		return n;
	}
	case PH_END:
		srv_dest(s, to, 0);
		n = srv_write_done(s, out, cap, now);
		if (n != 0)
			return n;
		return srv_write_doneconf(s, out, cap);
	default: return 0;
	}
}

int uftp_server_pop_send(struct uftp_server *s, struct uftp_peer *to, uint8_t *out, size_t cap,
                         uint64_t now)
{
	int n;

	if (cap < (size_t)s->cfg->block_size + UFTP_HEADER_LEN + UFTP_ENC_HEADER_LEN +
	              UFTP_MAX_SIG_LEN + 64)
		return UFTP_ERR_NOSPACE;
	if (s->abort_due)
		n = write_abort(s, to, out, cap);
	else if (s->phase == PH_FINISHED)
		n = 0;
	else
		n = write_phase(s, to, out, cap, now);
	if (n > 0) {
		s->st.tx_datagrams++;
		s->st.tx_bytes += (uint64_t)n;
	}
	return n;
}

static int confirm_pending(const struct uftp_server *s)
{
	size_t i;

	/* REG_CONF / KEYINFO only with the hint set; DONE_CONF only at the end */
	if (!s->confirm_hint && s->phase != PH_END)
		return 0;
	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].confirm_due || s->clients[i].doneconf_due)
			return 1;
	return 0;
}

uint64_t uftp_server_next_expiry(const struct uftp_server *s)
{
	uint64_t t;

	if (s->abort_due)
		return 0;
	if (s->phase == PH_FINISHED)
		return UFTP_NEVER;
	if (s->announce_due || s->fileinfo_due || s->info_again || s->done_due ||
	    s->done_empty_due || confirm_pending(s))
		return 0;
	t = s->timer;
	if (s->phase == PH_DATA) {
		uint64_t d = srv_data_expiry(s);

		if (d < t)
			t = d;
		d = srv_cc_expiry(s);
		if (d < t)
			t = d;
		if (s->deadline < t)
			t = s->deadline;
	}
	return t;
}

void uftp_server_on_expiry(struct uftp_server *s, uint64_t now)
{
	if (s->phase == PH_FINISHED)
		return;
	if (now < s->timer && !(s->phase == PH_DATA && now >= s->deadline))
		return;
	if (s->phase == PH_ANNOUNCE)
		srv_announce_expiry(s, now);
	else
		srv_xfer_expiry(s, now);
}
