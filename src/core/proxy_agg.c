/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Aggregation of client replies (protocol.txt 3.2, 3.3): REGISTER,
 * FILEINFO_ACK, STATUS and COMPLETE that belong together are held one GRTT
 * and leave as one message from the proxy, listing the clients.  The
 * client with the longest RTT goes first and its echoed timestamp, moved on
 * by the time we held it, is the one the server sees.  STATUS NAK maps are
 * merged (a block missing anywhere is missing), with the TFMCC report of
 * the slowest client (the CLR) attached.
 */
#include <string.h>

#include "core/err.h"
#include "core/proxy_int.h"

/* What identifies one aggregate, taken from a decoded reply. */
struct agg_key {
	uint8_t func;
	uint16_t file_id, section;
	uint8_t flag;
	uint32_t sec, usec; /* echoed timestamp (REGISTER, FILEINFO_ACK) */
	int has_ts;
	struct uftp_idlist ids;
};

static void key_of(const struct uftp_msg *m, struct agg_key *k)
{
	memset(k, 0, sizeof(*k));
	k->func = m->func;
	switch (m->func) {
	case UFTP_MSG_REGISTER:
		k->sec = m->u.reg.tstamp_sec, k->usec = m->u.reg.tstamp_usec, k->has_ts = 1;
		k->ids = m->u.reg.ids;
		break;
	case UFTP_MSG_FILEINFO_ACK:
		k->file_id = m->u.fileinfo_ack.file_id, k->flag = m->u.fileinfo_ack.flags;
		k->sec = m->u.fileinfo_ack.tstamp_sec, k->usec = m->u.fileinfo_ack.tstamp_usec;
		k->has_ts = 1;
		k->ids = m->u.fileinfo_ack.ids;
		break;
	case UFTP_MSG_STATUS:
		k->file_id = m->u.status.file_id, k->section = m->u.status.section;
		break;
	default: /* COMPLETE */
		k->file_id = m->u.complete.file_id, k->flag = m->u.complete.status;
		k->ids = m->u.complete.ids;
		break;
	}
}

static struct proxy_agg *agg_find(struct proxy_sess *s, const struct agg_key *k, uint64_t due)
{
	struct proxy_agg *a, *fresh = NULL;
	size_t i;

	for (i = 0; i < PROXY_AGG_MAX; i++) {
		a = &s->agg[i];
		if (a->func == k->func && a->file_id == k->file_id && a->section == k->section &&
		    a->flag == k->flag)
			return a;
		if (!a->func && !fresh)
			fresh = a;
	}
	if (!fresh)
		return NULL;
	memset(fresh, 0, offsetof(struct proxy_agg, ids));
	fresh->func = k->func;
	fresh->file_id = k->file_id;
	fresh->section = k->section;
	fresh->flag = k->flag;
	fresh->due = due;
	fresh->nids = 0;
	fresh->naks_len = 0;
	fresh->has_cc = 0;
	fresh->best = SIZE_MAX;
	return fresh;
}

/* Adds id once; returns its position, or SIZE_MAX when the list is full. */
static size_t add_id(struct proxy_agg *a, uint32_t id)
{
	size_t i;

	for (i = 0; i < a->nids; i++)
		if (a->ids[i] == id)
			return i;
	if (a->nids == UFTP_PROXY_MAX_CLIENTS)
		return SIZE_MAX;
	a->ids[a->nids] = id;
	return a->nids++;
}

/*
 * A smaller echoed timestamp relative to its arrival means a longer round
 * trip: the server stamped it earlier for the same moment here.
 */
static void note_rtt(struct proxy_agg *a, size_t pos, const struct agg_key *k, uint64_t now)
{
	int64_t key = (int64_t)k->sec * 1000000 + k->usec - (int64_t)(now / UFTP_NS_PER_USEC);

	if (a->best != SIZE_MAX && key >= a->best_key)
		return;
	a->best = pos;
	a->best_key = key;
	a->best_sec = k->sec;
	a->best_usec = k->usec;
	a->best_at = now;
}

static void merge_status(struct proxy_agg *a, const struct uftp_status *st)
{
	struct uftp_ext e;
	struct uftp_ext_tfmcc_ack_info cc;
	size_t i;

	for (i = 0; i < st->naks_len && i < sizeof(a->naks); i++)
		a->naks[i] |= st->naks[i];
	if (st->naks_len > a->naks_len)
		a->naks_len = st->naks_len;
	if (uftp_ext_find(st->ext, st->ext_len, UFTP_EXT_TFMCC_ACK_INFO, &e) != 1 ||
	    uftp_decode_ext_tfmcc_ack_info(&cc, e.ptr, e.len) < 0 || e.len != sizeof(a->cc))
		return;
	if (a->has_cc && cc.cc_rate >= a->cc_rate)
		return;
	memcpy(a->cc, e.ptr, e.len);
	a->cc_rate = cc.cc_rate;
	a->has_cc = 1;
}

int proxy_agg_add(struct uftp_proxy *p, struct proxy_sess *s, const struct uftp_header *h,
                  const struct uftp_msg *m, uint64_t now)
{
	struct agg_key k;
	struct proxy_agg *a;
	size_t i, pos;

	key_of(m, &k);
	a = agg_find(s, &k, now + s->grtt);
	if (!a)
		return UFTP_ERR_NOSPACE;
	if (k.ids.count) { /* a proxy below us: its clients count, not itself */
		for (i = 0; i < k.ids.count; i++)
			if (add_id(a, uftp_idlist_get(&k.ids, i)) == SIZE_MAX)
				return UFTP_ERR_NOSPACE;
		pos = add_id(a, uftp_idlist_get(&k.ids, 0)); /* listed first: its longest RTT */
	} else {
		pos = add_id(a, h->src_id);
	}
	if (pos == SIZE_MAX)
		return UFTP_ERR_NOSPACE;
	if (k.has_ts)
		note_rtt(a, pos, &k, now);
	if (m->func == UFTP_MSG_STATUS)
		merge_status(a, &m->u.status);
	uftp_env_log(p->env, UFTP_LOG_DEBUG, "[%08X] %s from 0x%08X held (%zu so far)", s->group_id,
	             uftp_msg_name(m->func), h->src_id, a->nids);
	return 0;
}

/* ---- sending ------------------------------------------------------------ */

static ssize_t encode_body(const struct proxy_sess *s, const struct proxy_agg *a,
                           const uint8_t *ids, size_t n, uint32_t sec, uint32_t usec, uint8_t *out,
                           size_t cap)
{
	static const uint8_t zero_rand[UFTP_RAND_LEN];
	struct uftp_msg m;

	memset(&m, 0, sizeof(m));
	m.func = a->func;
	switch (a->func) {
	case UFTP_MSG_REGISTER:
		m.u.reg.tstamp_sec = sec, m.u.reg.tstamp_usec = usec;
		m.u.reg.rand = zero_rand;
		if (s->enc) { /* our own key exchange with the server */
			m.u.reg.rand = s->enc->crand;
			m.u.reg.keyinfo = s->enc->keyinfo;
			m.u.reg.keyinfo_len = s->enc->keyinfo_len;
		}
		m.u.reg.ids.ptr = ids, m.u.reg.ids.count = n;
		break;
	case UFTP_MSG_FILEINFO_ACK:
		m.u.fileinfo_ack.file_id = a->file_id, m.u.fileinfo_ack.flags = a->flag;
		m.u.fileinfo_ack.tstamp_sec = sec, m.u.fileinfo_ack.tstamp_usec = usec;
		m.u.fileinfo_ack.ids.ptr = ids, m.u.fileinfo_ack.ids.count = n;
		break;
	case UFTP_MSG_STATUS:
		m.u.status.file_id = a->file_id, m.u.status.section = a->section;
		m.u.status.naks = a->naks, m.u.status.naks_len = a->naks_len;
		if (a->has_cc)
			m.u.status.ext = a->cc, m.u.status.ext_len = sizeof(a->cc);
		break;
	default:
		m.u.complete.file_id = a->file_id, m.u.complete.status = a->flag;
		m.u.complete.ids.ptr = ids, m.u.complete.ids.count = n;
		break;
	}
	return uftp_encode_msg(out, cap, &m);
}

/* With client authentication our REGISTER is followed by our CLIENT_KEY. */
static void send_client_key(struct uftp_proxy *p, struct proxy_sess *s)
{
	uint8_t buf[UFTP_HEADER_LEN + UFTP_CLIENT_KEY_LEN + UFTP_MAX_BLOB_LEN + UFTP_MAX_SIG_LEN];
	int n = proxy_enc_own_client_key(p, s, buf, sizeof(buf));

	if (n > 0)
		proxy_queue(p, &s->up, 0, buf, (size_t)n);
}

static void send_part(struct uftp_proxy *p, struct proxy_sess *s, const struct proxy_agg *a,
                      const uint32_t *ids, size_t n, uint64_t now)
{
	static uint8_t
	    buf[UFTP_HEADER_LEN + UFTP_MAX_BLOB_LEN + 64 + UFTP_MAX_NAK_LEN + PROXY_IDS_PER_TX * 4];
	static uint8_t sealed[sizeof(buf) + 256];
	uint8_t packed[PROXY_IDS_PER_TX * 4];
	struct uftp_header h;
	uint64_t usec =
	    (uint64_t)a->best_sec * 1000000 + a->best_usec + (now - a->best_at) / UFTP_NS_PER_USEC;
	ssize_t blen;

	uftp_idlist_pack(packed, sizeof(packed), ids, n);
	proxy_header(p, s, a->func, &h);
	uftp_encode_header(buf, sizeof(buf), &h);
	blen = encode_body(s, a, packed, n, (uint32_t)(usec / 1000000), (uint32_t)(usec % 1000000),
	                   buf + UFTP_HEADER_LEN, sizeof(buf) - UFTP_HEADER_LEN);
	if (blen >= 0 && s->enc && a->func != UFTP_MSG_REGISTER) {
		blen = proxy_enc_seal(p, s, &h, buf + UFTP_HEADER_LEN, (size_t)blen, sealed,
		                      sizeof(sealed));
		if (blen >= 0 && proxy_queue(p, &s->up, 0, sealed, (size_t)blen) == 0)
			p->st.agg_out++;
	} else if (blen >= 0 &&
	           proxy_queue(p, &s->up, 0, buf, UFTP_HEADER_LEN + (size_t)blen) == 0) {
		p->st.agg_out++;
		if (a->func == UFTP_MSG_REGISTER && s->enc)
			send_client_key(p, s);
	}
	if (blen < 0)
		uftp_env_log(p->env, UFTP_LOG_WARN, "[%08X] cannot send aggregated %s: %s",
		             s->group_id, uftp_msg_name(a->func), uftp_strerror((int)blen));
}

/* With client authentication, clients whose CLIENT_KEY failed are not registered. */
static void drop_unauthenticated(struct uftp_proxy *p, struct proxy_sess *s, struct proxy_agg *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nids; i++) {
		if (proxy_enc_client_ok(s, a->ids[i]))
			a->ids[n++] = a->ids[i];
		else
			uftp_env_log(p->env, UFTP_LOG_WARN,
			             "[%08X] client 0x%08X not registered: no valid CLIENT_KEY",
			             s->group_id, a->ids[i]);
	}
	a->nids = n;
}

static void agg_send(struct uftp_proxy *p, struct proxy_sess *s, struct proxy_agg *a, uint64_t now)
{
	uint32_t tmp;
	size_t off, n;

	if (a->best != SIZE_MAX && a->best) { /* longest RTT first */
		tmp = a->ids[0], a->ids[0] = a->ids[a->best], a->ids[a->best] = tmp;
	}
	if (a->func == UFTP_MSG_REGISTER)
		drop_unauthenticated(p, s, a);
	if (!a->nids)
		return;
	uftp_env_log(p->env, UFTP_LOG_DEBUG, "[%08X] sending %s for %zu client(s)", s->group_id,
	             uftp_msg_name(a->func), a->nids);
	if (a->func == UFTP_MSG_STATUS) {
		send_part(p, s, a, NULL, 0, now);
		return;
	}
	for (off = 0; off < a->nids; off += n) {
		n = a->nids - off;
		if (n > PROXY_IDS_PER_TX)
			n = PROXY_IDS_PER_TX;
		send_part(p, s, a, a->ids + off, n, now);
	}
}

void proxy_agg_flush(struct uftp_proxy *p, struct proxy_sess *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < PROXY_AGG_MAX; i++) {
		if (!s->agg[i].func || s->agg[i].due > now)
			continue;
		agg_send(p, s, &s->agg[i], now);
		s->agg[i].func = 0;
	}
}

uint64_t proxy_agg_expiry(const struct proxy_sess *s)
{
	uint64_t t = UFTP_NEVER;
	size_t i;

	for (i = 0; i < PROXY_AGG_MAX; i++)
		if (s->agg[i].func && s->agg[i].due < t)
			t = s->agg[i].due;
	return t;
}
