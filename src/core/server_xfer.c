/*
 * File transfer and end of session for the sender: FILEINFO / FILEINFO_ACK,
 * FILESEG passes paced by a token bucket, DONE / STATUS / COMPLETE, and
 * DONE(file 0) / COMPLETE / DONE_CONF.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/section.h"
#include "core/server_int.h"

#define BIT_SET(m, i)  ((m)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))
#define BIT_TEST(m, i) (((m)[(i) >> 3] >> ((i)&7)) & 1)

static const struct uftp_server_file *cur_file(const struct uftp_server *s)
{
	return &s->cfg->files[s->cur];
}

static uint16_t cur_id(const struct uftp_server *s)
{
	return (uint16_t)(s->cur + 1);
}

/* ---- sections ---------------------------------------------------------- */

/* The layout of the current file (section.h); 0 blocks for anything but a regular file. */
static int layout(struct uftp_server *s)
{
	const struct uftp_server_file *f = cur_file(s);

	return uftp_sections_layout(&s->sec, f->ftype == UFTP_FTYPE_REG ? f->size : 0,
	                            s->cfg->block_size);
}

/* ---- per-file state ---------------------------------------------------- */

/* A receiver in the session (a proxy is none). */
static int is_member(const struct srv_client *c)
{
	return c->state == CS_ACTIVE && !c->is_proxy;
}

/* A proxy through which a client that pred picks registered. */
static int proxy_for(const struct uftp_server *s, const struct srv_client *p,
                     int (*pred)(const struct srv_client *))
{
	size_t i;

	if (!p->is_proxy || p->state != CS_ACTIVE)
		return 0;
	for (i = 0; i < s->nclients; i++)
		if (s->clients[i].via == p->id && pred(&s->clients[i]))
			return 1;
	return 0;
}

static void end_session_start(struct uftp_server *s, uint64_t now)
{
	srv_set_phase(s, PH_END, now);
	s->done_due = 1;
}

/* Skips the regular files the driver cannot open. */
static size_t first_readable(struct uftp_server *s, size_t idx)
{
	const struct uftp_server_file_ops *fops = s->cfg->fops;
	int rv;

	for (; idx < s->cfg->nfiles; idx++) {
		if (fops->open == NULL || s->cfg->files[idx].ftype != UFTP_FTYPE_REG)
			break;
		rv = fops->open(fops->arg, idx);
		if (rv == 0)
			break;
		uftp_env_log(s->env, UFTP_LOG_WARN, "skipping %s: %s", s->cfg->files[idx].name,
		             uftp_strerror(rv));
	}
	return idx;
}

void srv_start_file(struct uftp_server *s, size_t idx, uint64_t now)
{
	size_t i, bytes;

	idx = first_readable(s, idx);
	if (idx >= s->cfg->nfiles) {
		end_session_start(s, now);
		return;
	}
	s->cur = idx;
	if (layout(s) < 0) { /* uftp_server_new refuses such files: an invariant */
		uftp_server_abort(s, "File too large for the block size", now);
		return;
	}
	free(s->naks);
	free(s->pass);
	bytes = (size_t)(s->sec.nblocks / 8 + 1);
	s->naks = calloc(1, bytes);
	s->pass = calloc(1, bytes);
	if (s->naks == NULL || s->pass == NULL) {
		uftp_server_abort(s, "Out of memory", now);
		return;
	}
	for (i = 0; i < s->nclients; i++) {
		s->clients[i].fstate = FS_INFO;
		s->clients[i].fstatus = 0;
		s->clients[i].partial = 0;
	}
	srv_set_phase(s, PH_FILEINFO, now);
	s->fileinfo_due = 1;
	s->done_due = 0;
	s->done_empty_due = 0;
	s->have_naks = 0;
	s->pass_active = 0;
	s->passes = 0;
	srv_event(s, UFTP_SEV_FILE_START, 0, 0, 0, cur_file(s)->name);
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "sending %s (%llu bytes)", cur_file(s)->name,
	             (unsigned long long)cur_file(s)->size);
}

/*
 * The next IDs pred picks, from s->list_cursor on.  With proxies, the
 * proxies of such clients are listed too: the reference names them in DONE.
 */
static size_t collect_ids(struct uftp_server *s, int (*pred)(const struct srv_client *),
                          int proxies, uint32_t *ids, size_t max)
{
	size_t n = 0;

	while (s->list_cursor < s->nclients && n < max) {
		const struct srv_client *c = &s->clients[s->list_cursor++];

		if (pred(c) || (proxies && proxy_for(s, c, pred)))
			ids[n++] = c->id;
	}
	return n;
}

static size_t collect(struct uftp_server *s, int (*pred)(const struct srv_client *), uint32_t *ids,
                      size_t max)
{
	return collect_ids(s, pred, 0, ids, max);
}

static int needs_info(const struct srv_client *c)
{
	return is_member(c) && c->fstate == FS_INFO;
}

static size_t max_ids(const struct uftp_server *s, size_t fixed)
{
	size_t m = (s->cfg->block_size > fixed ? s->cfg->block_size - fixed : 4) / 4;

	return m > SRV_MAX_IDS ? SRV_MAX_IDS : m;
}

int srv_write_fileinfo(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	const struct uftp_server_file *f = cur_file(s);
	uint8_t body[1400 + SRV_MAX_IDS * 4], idbuf[SRV_MAX_IDS * 4];
	struct uftp_fileinfo fi = {0};
	uint32_t ids[SRV_MAX_IDS];
	size_t n;
	ssize_t len;

	if (!s->fileinfo_due)
		return 0;
	n = collect(s, needs_info, ids, max_ids(s, 28 + strlen(f->name) + 4));
	if (s->list_cursor >= s->nclients) {
		s->fileinfo_due = 0;
		s->list_cursor = 0;
		s->sends++;
		s->timer = now + 3 * s->grtt;
	}
	if (n == 0)
		return 0;
	uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n);
	fi.file_id = cur_id(s);
	fi.ftype = f->ftype;
	fi.name = (const uint8_t *)f->name;
	fi.name_len = strlen(f->name);
	fi.link = (const uint8_t *)f->link;
	fi.link_len = f->link ? strlen(f->link) : 0;
	fi.fsize = f->size;
	fi.ftstamp = f->mtime;
	srv_wire_time(s, now, &fi.tstamp_sec, &fi.tstamp_usec);
	fi.ids.ptr = idbuf;
	fi.ids.count = n;
	len = uftp_encode_fileinfo(body, sizeof(body), &fi);
	if (len < 0)
		return (int)len;
	return srv_finish_packet(s, out, cap, body, (size_t)len, 1);
}

/* ---- moving on --------------------------------------------------------- */

static void next_file(struct uftp_server *s, uint64_t now)
{
	srv_event(s, UFTP_SEV_FILE_DONE, 0, 0, 0, cur_file(s)->name);
	s->files_done++;
	if (cur_file(s)->ftype == UFTP_FTYPE_REG)
		s->bytes_before += cur_file(s)->size;
	srv_start_file(s, s->cur + 1, now);
}

/*
 * What one FILESEG costs against the -R rate: the reference waits
 * (block size + 20) bytes' worth between packets (its log: 1000 Kbps, block
 * 1300 -> 10562500 ns).
 */
static double pkt_cost(const struct uftp_server *s)
{
	return (double)s->cfg->block_size + 20;
}

/* -W: the file may take txweight % of the time its bytes need at the set rate. */
static uint64_t file_deadline(const struct uftp_server *s, uint64_t now)
{
	double ideal;

	if (s->cfg->txweight == 0 || s->rate_bpns <= 0)
		return UFTP_NEVER;
	ideal = (double)s->sec.nblocks * pkt_cost(s) / s->rate_bpns;
	return now + (uint64_t)(ideal * s->cfg->txweight / 100.0) + UFTP_NS_PER_SEC;
}

/*
 * When every client still owed this file holds part of it from an earlier
 * attempt (restart, FILEINFO_ACK PARTIAL), the first pass sends nothing:
 * its DONE makes them NAK just the blocks they miss.
 */
static int all_partial(const struct uftp_server *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nclients; i++) {
		const struct srv_client *c = &s->clients[i];

		if (!is_member(c) || c->fstate != FS_ACKED)
			continue;
		if (!c->partial)
			return 0;
		n++;
	}
	return n > 0;
}

static void start_data(struct uftp_server *s, uint64_t now)
{
	s->deadline = file_deadline(s, now);
	srv_set_phase(s, PH_DATA, now);
	s->pass_active = 1;
	s->passes = 1;
	s->pos = 0;
	s->timer = UFTP_NEVER;
	s->last_fill = now;
	s->tokens = pkt_cost(s);
	if (all_partial(s)) {
		uftp_env_log(s->env, UFTP_LOG_INFO,
		             "%s: every client resumes it, sending only what they NAK",
		             cur_file(s)->name);
		s->pos = s->sec.nblocks;
	}
}

void srv_check_file_done(struct uftp_server *s, uint64_t now)
{
	size_t i, info = 0, acked = 0;

	if (s->phase != PH_FILEINFO && s->phase != PH_DATA)
		return;
	if (srv_check_quit(s, now))
		return;
	for (i = 0; i < s->nclients; i++) {
		if (!is_member(&s->clients[i]))
			continue;
		if (s->clients[i].fstate == FS_INFO)
			info++;
		else if (s->clients[i].fstate == FS_ACKED)
			acked++;
	}
	if (info == 0 && acked == 0) {
		next_file(s, now);
		return;
	}
	if (s->phase == PH_FILEINFO && info == 0)
		start_data(s, now);
}

/*
 * The clients a proxy's reply speaks for: those of its ID list that
 * registered through it and are still in the session.  Calls fn for each
 * (every one: a list may be longer than any array we would keep) and
 * returns the count.
 */
static size_t for_listed(struct uftp_server *s, const struct srv_client *p,
                         const struct uftp_idlist *ids,
                         void (*fn)(struct uftp_server *, struct srv_client *, const void *),
                         const void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < ids->count; i++) {
		struct srv_client *k = srv_proxied(s, p->id, uftp_idlist_get(ids, i));

		if (k == NULL || !is_member(k))
			continue;
		if (fn != NULL)
			fn(s, k, arg);
		n++;
	}
	return n;
}

static void fileinfo_acked(struct uftp_server *s, struct srv_client *c, const void *arg)
{
	const struct uftp_fileinfo_ack *fa = arg;

	(void)s;
	if (c->fstate != FS_INFO)
		return;
	c->fstate = FS_ACKED;
	c->partial = (fa->flags & UFTP_FILEINFO_ACK_PARTIAL) != 0;
}

int srv_on_fileinfo_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body,
                        size_t len, uint64_t now)
{
	struct uftp_fileinfo_ack fa;

	if (uftp_decode_fileinfo_ack(&fa, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (fa.file_id != cur_id(s))
		return 0;
	/* a proxy answers for the clients it lists; the echo is the slowest one's */
	if (c->is_proxy ? c->state != CS_ACTIVE || for_listed(s, c, &fa.ids, NULL, NULL) == 0
	                : !is_member(c))
		return 0;
	srv_rtt(s, c, fa.tstamp_sec, fa.tstamp_usec, now);
	s->any_fileinfo_answer = 1;
	if (c->is_proxy)
		for_listed(s, c, &fa.ids, fileinfo_acked, &fa);
	else
		fileinfo_acked(s, c, &fa);
	srv_check_file_done(s, now);
	return 0;
}

/* ---- data -------------------------------------------------------------- */

static int fill_tokens(struct uftp_server *s, uint64_t now, double cost)
{
	double burst;

	if (s->rate_bpns <= 0)
		return 1;
	if (now > s->last_fill) {
		s->tokens += (double)(now - s->last_fill) * s->rate_bpns;
		s->last_fill = now;
	}
	burst = s->rate_bpns * 5e6; /* 5 ms worth */
	if (burst < 2 * cost)
		burst = 2 * cost;
	if (s->tokens > burst)
		s->tokens = burst;
	return s->tokens >= cost;
}

uint64_t srv_data_expiry(const struct uftp_server *s)
{
	double cost = pkt_cost(s);

	if (!s->pass_active)
		return UFTP_NEVER;
	if (s->rate_bpns <= 0 || s->tokens >= cost)
		return 0;
	return s->last_fill + (uint64_t)((cost - s->tokens) / s->rate_bpns) + 1;
}

/* Next block of this pass at or after pos; nblocks when none is left. */
static uint64_t next_block(const struct uftp_server *s)
{
	uint64_t b = s->pos;

	if (s->passes <= 1)
		return b;
	while (b < s->sec.nblocks) {
		if ((b & 7) == 0 && s->pass[b >> 3] == 0) {
			b += 8;
			continue;
		}
		if (BIT_TEST(s->pass, b))
			return b;
		b++;
	}
	return s->sec.nblocks;
}

static void pass_end(struct uftp_server *s, uint64_t now)
{
	(void)now;
	s->pass_active = 0;
	s->done_due = 1;
	s->sends = 0;
	s->list_cursor = 0;
}

static int encode_fileseg(struct uftp_server *s, uint64_t b, uint8_t *out, size_t cap)
{
	const struct uftp_server_file *f = cur_file(s);
	uint64_t off = b * s->cfg->block_size;
	size_t want = s->cfg->block_size;
	uint8_t *p = s->encrypted ? s->plain : out + UFTP_HEADER_LEN;
	uint16_t sec, blk;
	ssize_t n;

	if (off + want > f->size)
		want = (size_t)(f->size - off);
	uftp_section_pos(&s->sec, b, &sec, &blk);
	p[0] = UFTP_MSG_FILESEG;
	p[1] = UFTP_FILESEG_LEN / 4;
	put_u16be(put_u16be(put_u16be(p + 2, cur_id(s)), sec), blk);
	n = s->cfg->fops->read_at(s->cfg->fops->arg, s->cur, off, p + UFTP_FILESEG_LEN, want);
	if (n < 0)
		return (int)n;
	if ((size_t)n != want)
		return UFTP_ERR_IO;
	return srv_finish_packet(s, out, cap, p, UFTP_FILESEG_LEN + want, 1);
}

int srv_write_data(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	double cost = pkt_cost(s);
	uint64_t b;
	int n;

	if (!s->pass_active)
		return 0;
	b = next_block(s);
	if (b >= s->sec.nblocks) {
		pass_end(s, now);
		return srv_write_done(s, out, cap, now);
	}
	if (!fill_tokens(s, now, cost))
		return 0;
	n = encode_fileseg(s, b, out, cap);
	if (n < 0) {
		uftp_env_log(s->env, UFTP_LOG_ERROR, "reading %s: %s", cur_file(s)->name,
		             uftp_strerror(n));
		uftp_server_abort(s, "Error reading file", now);
		return 0;
	}
	s->pos = b + 1;
	s->data_sent++;
	if (s->passes > 1)
		s->data_resent++;
	if (s->rate_bpns > 0)
		s->tokens -= cost;
	return n;
}

/* ---- DONE -------------------------------------------------------------- */

static int owes_status(const struct srv_client *c)
{
	return is_member(c) && c->fstate == FS_ACKED;
}

static int owes_complete(const struct srv_client *c)
{
	return c->state == CS_ACTIVE && !c->is_proxy;
}

static int encode_done(struct uftp_server *s, uint8_t *out, size_t cap, uint16_t file, uint16_t sec,
                       const uint32_t *ids, size_t n)
{
	uint8_t body[UFTP_DONE_LEN + SRV_MAX_IDS * 4], idbuf[SRV_MAX_IDS * 4];
	struct uftp_done d = {0};
	ssize_t len;

	uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n);
	d.file_id = file;
	d.section = sec;
	d.ids.ptr = idbuf;
	d.ids.count = n;
	len = uftp_encode_done(body, sizeof(body), &d);
	if (len < 0)
		return (int)len;
	return srv_finish_packet(s, out, cap, body, (size_t)len, 1);
}

int srv_write_done(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	uint32_t ids[SRV_MAX_IDS] = {0};
	uint16_t file = s->phase == PH_END ? 0 : cur_id(s);
	uint16_t sec =
	    s->phase == PH_END || s->sec.nsections == 0 ? 0 : (uint16_t)(s->sec.nsections - 1);
	size_t n;

	if (s->done_empty_due) {
		s->done_empty_due = 0;
		return encode_done(s, out, cap, file, sec, ids, 0);
	}
	if (!s->done_due)
		return 0;
	n = collect_ids(s, s->phase == PH_END ? owes_complete : owes_status, 1, ids, max_ids(s, 8));
	if (s->list_cursor >= s->nclients) {
		s->done_due = 0;
		s->list_cursor = 0;
		s->sends++;
		s->timer = now + 3 * s->grtt;
	}
	if (n == 0)
		return 0;
	return encode_done(s, out, cap, file, sec, ids, n);
}

/* ---- STATUS ------------------------------------------------------------ */

static unsigned record_naks(struct uftp_server *s, uint32_t sec, const uint8_t *map, size_t len)
{
	uint64_t base = uftp_section_start(&s->sec, sec);
	uint32_t i, n = uftp_section_len(&s->sec, sec);
	unsigned count = 0;

	for (i = 0; i < n && i / 8 < len; i++) {
		if (!BIT_TEST(map, i))
			continue;
		BIT_SET(s->naks, base + i);
		count++;
	}
	return count;
}

int srv_on_status(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                  uint64_t now)
{
	struct uftp_status st;
	unsigned count;
	size_t i;

	if (uftp_decode_status(&st, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (st.file_id != cur_id(s) || st.section >= s->sec.nsections)
		return 0;
	/* a proxy's STATUS carries the union of its clients' NAKs */
	if (c->is_proxy ? !proxy_for(s, c, is_member) : !is_member(c))
		return 0;
	if (!c->is_proxy && c->fstate == FS_INFO)
		c->fstate = FS_ACKED;
	for (i = 0; c->is_proxy && i < s->nclients; i++)
		if (s->clients[i].via == c->id && is_member(&s->clients[i]) &&
		    s->clients[i].fstate == FS_INFO)
			s->clients[i].fstate = FS_ACKED;
	count = record_naks(s, st.section, st.naks, st.naks_len);
	if (count == 0)
		return 0;
	s->naks_rx += count;
	c->naks += count;
	if (count * 100 > s->cfg->max_nak_pct * uftp_section_len(&s->sec, st.section) &&
	    ++c->nak_strikes >= (int)s->cfg->max_nak_count) {
		for (i = 0; c->is_proxy && i < s->nclients; i++)
			if (s->clients[i].via == c->id && is_member(&s->clients[i]))
				srv_client_lost(s, &s->clients[i],
				                "too many NAKs (through its proxy)");
		if (!c->is_proxy)
			srv_client_lost(s, c, "too many NAKs");
		srv_check_file_done(s, now);
		return 0;
	}
	s->have_naks = 1;
	if (!s->pass_active) {
		s->sends = 0;
		if (s->timer > now + s->grtt)
			s->timer = now + s->grtt;
	}
	return 0;
}

/* ---- COMPLETE ---------------------------------------------------------- */

static void complete_end(struct uftp_server *s, struct srv_client *c)
{
	if (c->state == CS_ACTIVE) {
		srv_set_cstate(s, c, CS_DONE);
		uftp_env_log(s->env, UFTP_LOG_INFO, "client 0x%08X completed the session", c->id);
	}
	if (c->state == CS_DONE)
		c->doneconf_due = 1;
}

static void complete_ext(struct uftp_server *s, struct srv_client *c,
                         const struct uftp_complete *cm)
{
	struct uftp_ext e;
	struct uftp_ext_freespace_info fs;

	if (uftp_ext_find(cm->ext, cm->ext_len, UFTP_EXT_FREESPACE_INFO, &e) == 1 &&
	    uftp_decode_ext_freespace_info(&fs, e.ptr, e.len) > 0)
		srv_event(s, UFTP_SEV_FREESPACE, c->id, 0, fs.freespace, NULL);
}

static void complete_file(struct uftp_server *s, struct srv_client *c, const void *arg)
{
	const struct uftp_complete *cm = arg;

	if (c->fstate == FS_COMPLETE)
		return;
	c->fstate = FS_COMPLETE;
	c->fstatus = cm->status;
	if (cm->status == UFTP_COMP_NORMAL || cm->status == UFTP_COMP_OVERWRITE) {
		c->files_ok++;
		s->any_received = 1;
	}
	complete_ext(s, c, cm);
	srv_event(s, UFTP_SEV_FILE_CLIENT, c->id, cm->status, 0, cur_file(s)->name);
}

/* A proxy's COMPLETE for the end of the session: each client it lists. */
static void proxy_complete_end(struct uftp_server *s, const struct srv_client *p,
                               const struct uftp_idlist *ids)
{
	size_t i;

	for (i = 0; i < ids->count; i++) {
		struct srv_client *k = srv_proxied(s, p->id, uftp_idlist_get(ids, i));

		if (k != NULL)
			complete_end(s, k);
	}
}

int srv_on_complete(struct uftp_server *s, struct srv_client *c, const uint8_t *body, size_t len,
                    uint64_t now)
{
	struct uftp_complete cm;

	if (uftp_decode_complete(&cm, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (c->is_proxy && c->state != CS_ACTIVE)
		return 0;
	if (cm.file_id == 0) {
		if (s->phase == PH_END && c->is_proxy)
			proxy_complete_end(s, c, &cm.ids);
		else if (s->phase == PH_END)
			complete_end(s, c);
		return 0;
	}
	if (s->phase == PH_END || cm.file_id != cur_id(s))
		return 0;
	if (c->is_proxy) { /* for the clients it lists */
		if (for_listed(s, c, &cm.ids, complete_file, &cm) == 0)
			return 0;
	} else if (is_member(c)) {
		complete_file(s, c, &cm);
	} else {
		return 0;
	}
	s->any_fileinfo_answer = 1;
	srv_check_file_done(s, now);
	return 0;
}

/* ---- DONE_CONF and the end --------------------------------------------- */

static int needs_doneconf(const struct srv_client *c)
{
	return c->doneconf_due;
}

static void check_end(struct uftp_server *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < s->nclients; i++)
		if ((s->clients[i].state == CS_ACTIVE && !s->clients[i].is_proxy) ||
		    s->clients[i].doneconf_due)
			return;
	srv_finish(s, s->any_received ? UFTP_SERVER_EXIT_OK : UFTP_SERVER_EXIT_NONE_RECEIVED, now);
}

int srv_write_doneconf(struct uftp_server *s, uint8_t *out, size_t cap)
{
	uint8_t body[UFTP_DONE_CONF_LEN + SRV_MAX_IDS * 4], idbuf[SRV_MAX_IDS * 4];
	struct uftp_done_conf dc = {0};
	uint32_t ids[SRV_MAX_IDS];
	size_t i, n;
	ssize_t len;

	s->list_cursor = 0;
	n = collect(s, needs_doneconf, ids, max_ids(s, 4));
	s->list_cursor = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < s->nclients; i++) {
		struct srv_client *c = &s->clients[i];
		size_t k;

		for (k = 0; k < n; k++)
			if (ids[k] == c->id)
				c->doneconf_due = 0;
	}
	uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n);
	dc.ids.ptr = idbuf;
	dc.ids.count = n;
	len = uftp_encode_done_conf(body, sizeof(body), &dc);
	if (len < 0)
		return (int)len;
	len = srv_finish_packet(s, out, cap, body, (size_t)len, 1);
	check_end(s, 0);
	return (int)len;
}

/* ---- timers ------------------------------------------------------------ */

static void drop_silent(struct uftp_server *s, int (*pred)(const struct srv_client *),
                        const char *why)
{
	size_t i;

	for (i = 0; i < s->nclients; i++)
		if (pred(&s->clients[i]))
			srv_client_lost(s, &s->clients[i], why);
}

static void fileinfo_expiry(struct uftp_server *s, uint64_t now)
{
	if (s->sends < s->cfg->robust) {
		s->fileinfo_due = 1;
		s->timer = UFTP_NEVER;
		return;
	}
	drop_silent(s, needs_info, "no response to FILEINFO");
	if (srv_active(s) == 0 && !s->any_fileinfo_answer) {
		srv_finish(s, UFTP_SERVER_EXIT_NO_FILEINFO, now);
		return;
	}
	srv_check_file_done(s, now);
}

static void rewind_pass(struct uftp_server *s, uint64_t now)
{
	uint8_t *t = s->pass;

	s->pass = s->naks;
	s->naks = t;
	memset(s->naks, 0, (size_t)(s->sec.nblocks / 8 + 1));
	s->have_naks = 0;
	s->passes++;
	uftp_env_log(s->env, UFTP_LOG_INFO, "%s: pass %u", cur_file(s)->name, s->passes);
	if (s->cfg->max_passes && s->passes > s->cfg->max_passes) {
		drop_silent(s, owes_status, "maximum passes reached");
		srv_check_file_done(s, now);
		return;
	}
	s->pos = 0;
	s->pass_active = 1;
	s->done_empty_due = 1;
	s->timer = UFTP_NEVER;
}

static void data_expiry(struct uftp_server *s, uint64_t now)
{
	if (now >= s->deadline) {
		s->deadline = UFTP_NEVER;
		s->pass_active = 0;
		s->have_naks = 0;
		drop_silent(s, owes_status, "maximum transfer time exceeded");
		srv_check_file_done(s, now);
		return;
	}
	if (s->pass_active)
		return;
	if (s->have_naks) {
		rewind_pass(s, now);
		return;
	}
	if (s->sends < s->cfg->robust) {
		s->done_due = 1;
		s->timer = UFTP_NEVER;
		return;
	}
	drop_silent(s, owes_status, "no response to DONE");
	srv_check_file_done(s, now);
}

static void end_expiry(struct uftp_server *s, uint64_t now)
{
	if (s->sends < s->cfg->robust) {
		s->done_due = 1;
		s->timer = UFTP_NEVER;
		return;
	}
	drop_silent(s, owes_complete, "no COMPLETE at the end of the session");
	check_end(s, now);
	if (s->phase != PH_FINISHED)
		srv_finish(s, UFTP_SERVER_EXIT_ALL_LOST, now);
}

void srv_xfer_expiry(struct uftp_server *s, uint64_t now)
{
	switch (s->phase) {
	case PH_FILEINFO: fileinfo_expiry(s, now); break;
	case PH_DATA: data_expiry(s, now); break;
	case PH_END: end_expiry(s, now); break;
	default: break;
	}
}
