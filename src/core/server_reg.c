/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Announce phase of the sender: ANNOUNCE, REGISTER, CLIENT_KEY, REG_CONF or
 * KEYINFO, KEYINFO_ACK.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/server_int.h"

/* ---- the client index ------------------------------------------------- */

/*
 * With thousands of clients (through proxies, tens of thousands) every
 * message looks its sender up, and a proxy's REGISTER, FILEINFO_ACK and
 * COMPLETE look up every client they list: a walk of the records each
 * time made a round of replies quadratic in the number of clients.
 */
static size_t slot_of(uint32_t id, size_t cap)
{
	return (size_t)((id * 2654435761u) ^ (id >> 16)) & (cap - 1);
}

static void index_put(struct uftp_server *s, size_t i)
{
	size_t k = slot_of(s->clients[i].id, s->idx_cap);

	while (s->idx[k] != 0)
		k = (k + 1) & (s->idx_cap - 1);
	s->idx[k] = (uint32_t)(i + 1);
}

/* Room in the index for one more record (kept at most half full). */
static int index_room(struct uftp_server *s)
{
	size_t ncap, i;
	uint32_t *n;

	if ((s->nclients + 1) * 2 <= s->idx_cap)
		return 0;
	ncap = s->idx_cap ? s->idx_cap * 2 : 64;
	n = calloc(ncap, sizeof(*n));
	if (n == NULL)
		return UFTP_ERR_NOMEM;
	free(s->idx);
	s->idx = n;
	s->idx_cap = ncap;
	for (i = 0; i < s->nclients; i++)
		index_put(s, i);
	return 0;
}

struct srv_client *srv_index_find(const struct uftp_server *s, uint32_t id)
{
	size_t k;

	if (s->idx_cap == 0)
		return NULL;
	for (k = slot_of(id, s->idx_cap); s->idx[k] != 0; k = (k + 1) & (s->idx_cap - 1))
		if (s->clients[s->idx[k] - 1].id == id)
			return &s->clients[s->idx[k] - 1];
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the closed group's host IDs once; 0, or UFTP_ERR_NOMEM. */
static int hosts_build(struct uftp_server *s)
{
	size_t i, n = s->cfg->nhosts;

	if (s->hosts_built)
		return 0;
	s->hosts_sorted = malloc((n ? n : 1) * sizeof(uint32_t));
	if (s->hosts_sorted == NULL)
		return UFTP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		s->hosts_sorted[i] = s->cfg->hosts[i].id;
	qsort(s->hosts_sorted, n, sizeof(uint32_t), cmp_u32);
	s->hosts_unique = n ? 1 : 0;
	for (i = 1; i < n; i++)
		if (s->hosts_sorted[i] != s->hosts_sorted[i - 1])
			s->hosts_unique++;
	s->hosts_built = 1;
	return 0;
}

/* Whether id is in the closed group's host list. */
static int is_host(struct uftp_server *s, uint32_t id)
{
	size_t lo = 0, hi = s->cfg->nhosts, i;

	if (hosts_build(s) < 0) { /* out of memory: a walk of the list then */
		for (i = 0; i < s->cfg->nhosts; i++)
			if (s->cfg->hosts[i].id == id)
				return 1;
		return 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->hosts_sorted[mid] == id)
			return 1;
		if (s->hosts_sorted[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Closed group members that have not registered yet, listed in ANNOUNCE
 * from s->ann_cursor on; a long list takes several ANNOUNCEs per round.
 * Returns the count and tells in *more whether the round has more to list.
 */
static size_t unregistered_hosts(struct uftp_server *s, uint32_t *ids, size_t max, int *more)
{
	size_t n = 0;

	while (s->ann_cursor < s->cfg->nhosts && n < max) {
		uint32_t id = s->cfg->hosts[s->ann_cursor++].id;

		if (srv_find(s, id) == NULL)
			ids[n++] = id;
	}
	*more = s->ann_cursor < s->cfg->nhosts;
	if (!*more)
		s->ann_cursor = 0;
	return n;
}

static size_t announce_max_ids(const struct uftp_server *s, size_t fixed)
{
	size_t room = s->cfg->block_size > fixed + 4 ? s->cfg->block_size - fixed : 4;

	return room / 4 < SRV_MAX_IDS ? room / 4 : SRV_MAX_IDS;
}

static void announce_round_done(struct uftp_server *s, uint64_t now)
{
	s->sends++;
	s->timer = now + 3 * s->grtt;
}

/* The fixed part of ANNOUNCE. */
static void fill_announce(const struct uftp_server *s, struct uftp_announce *a, uint64_t now)
{
	a->flags = s->cfg->pub_addr.family == 6 ? UFTP_ANNOUNCE_IPV6 : 0;
	if (s->cfg->sync_mode)
		a->flags |= UFTP_ANNOUNCE_SYNC_MODE;
	if (s->cfg->sync_preview)
		a->flags |= UFTP_ANNOUNCE_SYNC_PREVIEW;
	a->robust = s->cfg->robust;
	a->cc_type = s->cc.on ? UFTP_CC_TFMCC : UFTP_CC_NONE;
	a->block_size = s->cfg->block_size;
	srv_wire_time(s, now, &a->tstamp_sec, &a->tstamp_usec);
	a->pub_addr = s->cfg->pub_addr;
	a->priv_addr = s->cfg->priv_addr;
	if (s->cfg->unicast) { /* the reference announces zero addresses then */
		memset(a->pub_addr.addr, 0, sizeof(a->pub_addr.addr));
		memset(a->priv_addr.addr, 0, sizeof(a->priv_addr.addr));
	}
}

int srv_write_announce(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	struct uftp_announce a = {0};
	uint8_t ext[1400], idbuf[SRV_MAX_IDS * 4];
	uint32_t ids[SRV_MAX_IDS];
	size_t siglen = 0, nids = 0, sigoff = 0;
	ssize_t n;
	int elen = 0, rv, more = 0;

	if (!s->announce_due)
		return 0;
	fill_announce(s, &a, now);
	if (s->encrypted) {
		elen = srv_enc_info(s, ext, sizeof(ext), &sigoff, &siglen);
		if (elen < 0)
			return elen;
		a.ext = ext;
		a.ext_len = (size_t)elen;
	}
	if (s->cfg->hosts) {
		nids = unregistered_hosts(
		    s, ids,
		    announce_max_ids(s, (size_t)elen + (a.flags & UFTP_ANNOUNCE_IPV6 ? 48 : 24)),
		    &more);
		uftp_idlist_pack(idbuf, sizeof(idbuf), ids, nids);
		a.ids.ptr = idbuf;
		a.ids.count = nids;
	}
	s->announce_due = more;
	if (!more)
		announce_round_done(s, now);
	n = uftp_encode_announce(out + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, &a);
	if (n < 0)
		return (int)n;
	rv = srv_finish_packet(s, out, cap, out + UFTP_HEADER_LEN, (size_t)n, 0);
	if (rv > 0 && siglen) {
		size_t fixed = a.flags & UFTP_ANNOUNCE_IPV6 ? 48 : 24;

		rv =
		    srv_sign_announce(s, out, (size_t)rv, UFTP_HEADER_LEN + fixed + sigoff, siglen);
	}
	return rv;
}

/*
 * Who a confirmation goes to: in an encrypted session KEYINFO to those that
 * did a key exchange with us (clients and proxies), REG_CONF to the clients
 * of proxies; without encryption REG_CONF to everyone, proxies included (as
 * the reference).
 */
static int gets_keyinfo(const struct uftp_server *s, const struct srv_client *c)
{
	return s->encrypted && c->via == 0;
}

/*
 * A REG_CONF / KEYINFO is due to c.  The hint spares the writers a walk of
 * every record for each datagram the session sends (the data phase
 * included): it is cleared once a walk finds nothing due.
 */
static void want_confirm(struct uftp_server *s, struct srv_client *c)
{
	c->confirm_due = 1;
	s->confirm_hint = 1;
}

/* Client states move on once their confirmation went out. */
static void confirmed(struct uftp_server *s, struct srv_client *c)
{
	c->confirm_due = 0;
	if (c->state != CS_NEW)
		return;
	if (gets_keyinfo(s, c)) {
		srv_set_cstate(s, c, CS_CONFIRMED);
		return;
	}
	srv_set_cstate(s, c, CS_ACTIVE);
	if (c->is_proxy) {
		uftp_env_log(s->env, UFTP_LOG_DEBUG, "proxy 0x%08X registered", c->id);
		return;
	}
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X registered", c->id);
	srv_event(s, UFTP_SEV_REGISTERED, c->id, 0, 0, NULL);
}

static int write_reg_conf(struct uftp_server *s, uint8_t *out, size_t cap)
{
	uint32_t ids[SRV_MAX_IDS];
	uint8_t idbuf[SRV_MAX_IDS * 4];
	struct uftp_reg_conf rc = {0};
	size_t i, n = 0, max = (s->cfg->block_size - 4) / 4;
	ssize_t len;

	if (max > SRV_MAX_IDS)
		max = SRV_MAX_IDS;
	for (i = 0; i < s->nclients && n < max; i++) {
		if (!s->clients[i].confirm_due || gets_keyinfo(s, &s->clients[i]))
			continue;
		ids[n++] = s->clients[i].id;
		confirmed(s, &s->clients[i]);
	}
	if (n == 0)
		return 0;
	uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n);
	rc.ids.ptr = idbuf;
	rc.ids.count = n;
	len = uftp_encode_reg_conf(out + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, &rc);
	if (len < 0)
		return (int)len;
	return srv_finish_packet(s, out, cap, out + UFTP_HEADER_LEN, (size_t)len, 0);
}

static int write_keyinfo(struct uftp_server *s, uint8_t *out, size_t cap)
{
	uint8_t keys[SRV_MAX_IDS * UFTP_DESTKEY_LEN];
	struct uftp_keyinfo ki = {0};
	size_t i, n = 0, max = (s->cfg->block_size - UFTP_KEYINFO_LEN) / UFTP_DESTKEY_LEN;
	ssize_t len;
	int rv;

	for (i = 0; i < s->nclients && !(s->clients[i].confirm_due && s->clients[i].via == 0); i++)
		;
	if (i == s->nclients)
		return 0;
	ki.iv_ctr = ++s->ivctr;
	for (i = 0; i < s->nclients && n < max; i++) {
		struct srv_client *c = &s->clients[i];
		uint8_t *p = keys + n * UFTP_DESTKEY_LEN;

		if (!c->confirm_due || c->via != 0)
			continue;
		put_u32be(p, c->id);
		rv = uftp_keysched_keyinfo_wrap(s->env->crypto, &c->keys, s->cfg->server_id,
		                                ki.iv_ctr, s->group_master, p + 4);
		if (rv < 0)
			return rv;
		n++;
		confirmed(s, c);
	}
	if (n == 0)
		return 0;
	ki.keys = keys;
	ki.key_count = n;
	len = uftp_encode_keyinfo(out + UFTP_HEADER_LEN, cap - UFTP_HEADER_LEN, &ki);
	if (len < 0)
		return (int)len;
	return srv_finish_packet(s, out, cap, out + UFTP_HEADER_LEN, (size_t)len, 0);
}

static void check_closed_complete(struct uftp_server *s, uint64_t now);

int srv_write_confirm(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	int n;

	if (!s->confirm_hint)
		return 0;
	n = s->encrypted ? write_keyinfo(s, out, cap) : 0;
	if (n == 0)
		n = write_reg_conf(s, out, cap);
	if (n == 0) /* both walked every record: none is due */
		s->confirm_hint = 0;
	if (n > 0)
		check_closed_complete(s, now);
	return n;
}

static void announce_end(struct uftp_server *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].state == CS_NEW || s->clients[i].state == CS_CONFIRMED)
			srv_client_lost(s, &s->clients[i], "no key acknowledgement");
	if (srv_active(s) == 0) {
		uftp_env_log(s->env, UFTP_LOG_ERROR, "Announce timed out");
		srv_finish(s, UFTP_SERVER_NO_REGISTER, now);
		return;
	}
	if (s->cfg->quit_on_error && s->cfg->hosts && srv_active(s) < s->cfg->nhosts) {
		/* the reference reports this as an announce failure */
		srv_finish(s, UFTP_SERVER_NO_REGISTER, now);
		s->aborting = 1;
		s->abort_due = 1;
		strncpy(s->abort_text, "Not all clients registered", sizeof(s->abort_text) - 1);
		return;
	}
	srv_start_file(s, 0, now);
}

/* A closed group goes on as soon as every listed member is in. */
static void check_closed_complete(struct uftp_server *s, uint64_t now)
{
	size_t i;

	if (s->phase != PH_ANNOUNCE || s->cfg->hosts == NULL)
		return;
	/* only listed hosts get in as receivers: too few in, no need to look further */
	if (hosts_build(s) == 0 && srv_active(s) < s->hosts_unique)
		return;
	for (i = 0; i < s->cfg->nhosts; i++) {
		struct srv_client *c = srv_find(s, s->cfg->hosts[i].id);

		if (c == NULL || c->state != CS_ACTIVE)
			return;
	}
	announce_end(s, now);
}

void srv_announce_expiry(struct uftp_server *s, uint64_t now)
{
	size_t i;

	if (s->sends >= s->cfg->robust) {
		announce_end(s, now);
		return;
	}
	s->announce_due = 1;
	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].state == CS_CONFIRMED)
			want_confirm(s, &s->clients[i]);
	s->timer = now + 3 * s->grtt;
	if (s->max_rtt_round) {
		uint64_t g = s->max_rtt_round;

		if (g < s->cfg->grtt_min)
			g = s->cfg->grtt_min;
		if (g > s->cfg->grtt_max)
			g = s->cfg->grtt_max;
		if (g > s->grtt / 10 * 9 || s->sends <= 1)
			s->grtt = g;
		else
			s->grtt = s->grtt / 10 * 9;
		s->max_rtt_round = 0;
	}
}

static struct srv_client *add_client(struct uftp_server *s, uint32_t id,
                                     const struct uftp_peer *from)
{
	struct srv_client *c;

	if (s->nclients >= SRV_MAX_CLIENTS) {
		uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X refused: %d clients already",
		             id, SRV_MAX_CLIENTS);
		return NULL;
	}
	if (index_room(s) < 0)
		return NULL;
	if (s->nclients == s->cap_clients) {
		size_t ncap = s->cap_clients ? s->cap_clients * 2 : 16;
		struct srv_client *nc = realloc(s->clients, ncap * sizeof(*nc));

		if (nc == NULL)
			return NULL;
		s->clients = nc;
		s->cap_clients = ncap;
	}
	c = &s->clients[s->nclients++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->peer = *from;
	c->state = CS_NEW;
	index_put(s, s->nclients - 1);
	return c;
}

/* Registration is complete when the keys exist (and the client key checked out). */
static int try_confirm(struct uftp_server *s, struct srv_client *c)
{
	int rv;

	if (!s->encrypted) {
		want_confirm(s, c);
		return 0;
	}
	if (!c->have_register)
		return 0;
	if ((s->cfg->client_auth || s->sigtype == UFTP_SIG_KEYEX) && !c->have_client_key)
		return 0;
	if (c->have_client_key) {
		rv = srv_client_key_check(s, c);
		if (rv < 0) {
			srv_client_lost(s, c, "client key rejected");
			return rv;
		}
	}
	rv = srv_client_keys(s, c);
	if (rv < 0) {
		srv_client_lost(s, c, "key derivation failed");
		return rv;
	}
	want_confirm(s, c);
	return 0;
}

static const struct uftp_peer_key *proxy_entry(const struct uftp_server *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->cfg->nproxies; i++)
		if (s->cfg->proxies[i].id == id)
			return &s->cfg->proxies[i];
	return NULL;
}

/*
 * Whether a closed group admits id: a client of the host list, a proxy
 * (as) of the proxy list; as < 0: either (a CLIENT_KEY before its REGISTER).
 */
static int admitted(struct uftp_server *s, uint32_t id, int as)
{
	if (s->cfg->hosts == NULL)
		return 1;
	if (as <= 0 && is_host(s, id))
		return 1;
	return as != 0 && proxy_entry(s, id) != NULL;
}

/* Finds or creates the client a REGISTER / CLIENT_KEY comes from; NULL: refuse. */
static struct srv_client *reg_client(struct uftp_server *s, uint32_t id,
                                     const struct uftp_peer *from, int as)
{
	struct srv_client *c = srv_find(s, id);

	if (c != NULL)
		return c;
	if (s->phase != PH_ANNOUNCE)
		return NULL;
	if (!admitted(s, id, as)) {
		uftp_env_log(s->env, UFTP_LOG_DEBUG, "%s 0x%08X not in the %s list",
		             as > 0 ? "proxy" : "client", id, as > 0 ? "proxy" : "host");
		return NULL;
	}
	return add_client(s, id, from);
}

struct srv_client *srv_proxied(struct uftp_server *s, uint32_t proxy, uint32_t id)
{
	struct srv_client *c = srv_find(s, id);

	return c != NULL && c->via == proxy ? c : NULL;
}

/*
 * The clients a proxy's REGISTER lists join through it (during the
 * announce phase); those already in get their REG_CONF again, the proxy
 * having missed it.  A client that registered directly or through another
 * proxy stays where it is.  In an encrypted session the proxy's clients
 * wait for the proxy's KEYINFO_ACK.
 */
static int reg_proxied(struct uftp_server *s, uint32_t pid, const struct uftp_peer *from,
                       const struct uftp_idlist *ids)
{
	size_t i;

	for (i = 0; i < ids->count; i++) {
		uint32_t id = uftp_idlist_get(ids, i);
		struct srv_client *k = srv_find(s, id), *p;

		if (id == 0 || id == pid || id == s->cfg->server_id)
			continue;
		if (k == NULL) {
			if (s->phase != PH_ANNOUNCE || !admitted(s, id, 0))
				continue;
			if (s->nclients >= SRV_MAX_CLIENTS)
				continue;
			k = add_client(s, id, from); /* moves the records */
			if (k == NULL)
				return UFTP_ERR_NOMEM;
			k->via = pid;
			uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X through proxy 0x%08X",
			             id, pid);
		}
		if (k->via != pid || k->state == CS_LOST || k->state == CS_ABORTED ||
		    k->state == CS_DONE)
			continue;
		p = srv_find(s, pid);
		if (!s->encrypted || (p != NULL && p->state == CS_ACTIVE))
			want_confirm(s, k);
	}
	return 0;
}

void srv_proxy_abort(struct uftp_server *s, struct srv_client *p, uint32_t host, const char *text)
{
	uint32_t pid = p->id;
	size_t i;

	uftp_env_log(s->env, UFTP_LOG_DEBUG, "proxy 0x%08X aborted %s0x%08X: %s", pid,
	             host ? "its client " : "", host ? host : pid, text);
	for (i = 0; i < s->nclients; i++) {
		struct srv_client *k = &s->clients[i];

		if (k->via != pid || (host != 0 && k->id != host) || k->state == CS_LOST ||
		    k->state == CS_ABORTED || k->state == CS_DONE)
			continue;
		srv_set_cstate(s, k, CS_ABORTED);
		srv_event(s, UFTP_SEV_CLIENT_ABORT, k->id, 0, 0, text);
	}
	if (host == 0 && p->state != CS_LOST)
		srv_set_cstate(s, p, CS_ABORTED);
}

int srv_on_register(struct uftp_server *s, const struct uftp_header *h,
                    const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	struct uftp_register r;
	struct srv_client *c;
	int rv;

	if (uftp_decode_register(&r, body, len) < 0)
		return UFTP_ERR_BADLEN;
	c = reg_client(s, h->src_id, from, r.ids.count > 0);
	if (c == NULL)
		return UFTP_ERR_STATE;
	if (r.ids.count > 0 && !c->is_proxy) {
		/* a receiver (or a proxy's client) does not turn into a proxy */
		if (c->state != CS_NEW || c->via != 0 || c->have_register)
			return UFTP_ERR_STATE;
		c->is_proxy = 1;
	}
	if (c->state == CS_LOST || c->state == CS_ABORTED || c->state == CS_DONE)
		return 0;
	if (c->via != 0) { /* a proxy's client: its key exchange is with the proxy */
		if (c->state != CS_NEW)
			want_confirm(s, c);
		return 0;
	}
	srv_rtt(s, c, r.tstamp_sec, r.tstamp_usec, now);
	if (c->is_proxy) {
		uint32_t pid = c->id;

		rv = reg_proxied(s, pid, from, &r.ids);
		c = srv_find(s, pid);
		if (rv < 0)
			return rv;
	}
	if (c->state != CS_NEW || c->confirm_due) { /* our confirmation was lost */
		if (c->state != CS_NEW)
			want_confirm(s, c);
		return 0;
	}
	if (s->encrypted && !c->have_register) {
		memcpy(c->rand, r.rand, UFTP_RAND_LEN);
		rv = srv_client_premaster(s, c, r.keyinfo, r.keyinfo_len);
		if (rv < 0) {
			uftp_env_log(s->env, UFTP_LOG_DEBUG, "REGISTER key info (%zu bytes): %s",
			             r.keyinfo_len, uftp_strerror(rv));
			srv_client_lost(s, c, "bad key exchange data in REGISTER");
			return rv;
		}
	}
	c->have_register = 1;
	return try_confirm(s, c);
}

static int copy_bytes(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len)
{
	free(*dst);
	*dst = malloc(len ? len : 1);
	if (*dst == NULL)
		return UFTP_ERR_NOMEM;
	memcpy(*dst, src, len);
	*dlen = len;
	return 0;
}

int srv_on_client_key(struct uftp_server *s, const struct uftp_header *h,
                      const struct uftp_peer *from, const uint8_t *body, size_t len, uint64_t now)
{
	struct uftp_client_key ck;
	struct srv_client *c;
	int rv;

	(void)now;
	if (!s->encrypted)
		return UFTP_ERR_STATE;
	if (uftp_decode_client_key(&ck, body, len) < 0)
		return UFTP_ERR_BADLEN;
	c = reg_client(s, h->src_id, from, -1);
	if (c == NULL || c->via != 0)
		return UFTP_ERR_STATE;
	if (c->have_client_key || c->state != CS_NEW)
		return 0;
	rv = copy_bytes(&c->ck_blob, &c->ck_blob_len, ck.pubkey, ck.pubkey_len);
	if (rv == 0)
		rv = copy_bytes(&c->ck_sig, &c->ck_sig_len, ck.verify, ck.verify_len);
	if (rv < 0)
		return rv;
	c->have_client_key = 1;
	return try_confirm(s, c);
}

int srv_on_keyinfo_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                       uint64_t now)
{
	struct uftp_keyinfo_ack ka;

	if (uftp_decode_keyinfo_ack(&ka, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (c->state != CS_CONFIRMED)
		return 0;
	if (memcmp(ka.verify, c->verify, UFTP_VERIFY_LEN) != 0) {
		srv_client_lost(s, c, "verify data mismatch");
		return UFTP_ERR_AUTH;
	}
	srv_set_cstate(s, c, CS_ACTIVE);
	if (c->is_proxy) { /* its clients' turn: REG_CONF */
		size_t i;

		uftp_env_log(s->env, UFTP_LOG_DEBUG, "proxy 0x%08X registered (keys confirmed)",
		             c->id);
		for (i = 0; i < s->nclients; i++)
			if (s->clients[i].via == c->id && s->clients[i].state == CS_NEW)
				want_confirm(s, &s->clients[i]);
		return 0;
	}
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "client 0x%08X registered (keys confirmed)", c->id);
	srv_event(s, UFTP_SEV_REGISTERED, c->id, 0, 0, NULL);
	check_closed_complete(s, now);
	return 0;
}
