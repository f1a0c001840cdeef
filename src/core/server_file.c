/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Files and the end of the session for the sender: which file is next,
 * FILEINFO / FILEINFO_ACK, DONE, COMPLETE, and DONE(file 0) / COMPLETE /
 * DONE_CONF, with their timers.  The data passes themselves (FILESEG
 * pacing, STATUS NAKs, rewinds) are in server_data.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/section.h"
#include "core/server_int.h"

/* ---- sections ---------------------------------------------------------- */

/* The layout of the current file (section.h); 0 blocks for anything but a regular file. */
static int layout(struct uftp_server *s)
{
	const struct uftp_server_file *f = srv_cur_file(s);

	return uftp_sections_layout(&s->sec, f->ftype == UFTP_FTYPE_REG ? f->size : 0,
	                            s->cfg->block_size);
}

/* ---- per-file state ---------------------------------------------------- */

/* A proxy through which a client that pred picks registered. */
int srv_proxy_for(const struct uftp_server *s, const struct srv_client *p,
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
	s->info_from = 0;
	s->open_from = 0;
	srv_set_phase(s, PH_FILEINFO, now);
	s->fileinfo_due = 1;
	s->done_due = 0;
	s->done_empty_due = 0;
	s->have_naks = 0;
	s->pass_active = 0;
	s->passes = 0;
	srv_event(s, UFTP_SEV_FILE_START, 0, 0, 0, srv_cur_file(s)->name);
	uftp_env_log(s->env, UFTP_LOG_DEBUG, "sending %s (%llu bytes)", srv_cur_file(s)->name,
	             (unsigned long long)srv_cur_file(s)->size);
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

		if (pred(c) || (proxies && srv_proxy_for(s, c, pred)))
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
	return srv_is_member(c) && (c->fstate == FS_INFO || c->fstate == FS_SENT);
}

/* Early data sent, FILEINFO not answered yet. */
static int info_unanswered(const struct srv_client *c)
{
	return srv_is_member(c) && c->fstate == FS_SENT;
}

static size_t max_ids(const struct uftp_server *s, size_t fixed)
{
	size_t m = (s->cfg->block_size > fixed ? s->cfg->block_size - fixed : 4) / 4;

	return m > SRV_MAX_IDS ? SRV_MAX_IDS : m;
}

/*
 * One FILEINFO of a round over the clients that still need it; *wrapped
 * when the round has gone through every client.
 */
static int fileinfo_packet(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now,
                           int *wrapped)
{
	const struct uftp_server_file *f = srv_cur_file(s);
	uint8_t body[1400 + SRV_MAX_IDS * 4], idbuf[SRV_MAX_IDS * 4];
	struct uftp_fileinfo fi = {0};
	uint32_t ids[SRV_MAX_IDS];
	size_t n;
	ssize_t len;

	n = collect(s, needs_info, ids, max_ids(s, 28 + strlen(f->name) + 4));
	*wrapped = s->list_cursor >= s->nclients;
	if (*wrapped)
		s->list_cursor = 0;
	if (n == 0)
		return 0;
	uftp_idlist_pack(idbuf, sizeof(idbuf), ids, n);
	fi.file_id = srv_cur_id(s);
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

/*
 * Early data: a regular file's first pass follows its first FILEINFO
 * round at once instead of a round trip later, when every FILEINFO_ACK is
 * in.  The protocol does not need that wait: a receiver handles the
 * FILEINFO before the FILESEGs behind it, and its answer only matters to
 * a sync or restarted session (skipped files, PARTIAL), which keep it.
 * A receiver that missed the FILEINFO (FS_SENT still at the DONE timer)
 * gets it again before each DONE; its STATUS then NAKs what it missed.
 * For a directory or link there is no data, and its COMPLETE is the
 * answer to the FILEINFO: no early DONE for those.
 *
 * Not before every client has answered a FILEINFO in this session: the
 * reference's uftpd applies a DONE to the file it is on, whatever file the
 * DONE names (after a missed FILEINFO it repeats the COMPLETE of the file
 * before, which we ignore), and with no file yet it takes the DONE for the
 * end of the session and leaves (seen with 4.10.2 when the first FILEINFO
 * is lost).  So the first file of a session waits for its answers.
 *
 * Nor to clients behind a proxy: the reference's client proxy resends its
 * aggregated FILEINFO_ACK until the server's data or DONE for that file
 * comes after it, which early data never does (seen with 4.10.2: hundreds
 * of FILEINFO_ACKs for files long finished).
 */
static void early_data(struct uftp_server *s, uint64_t now)
{
	size_t i;

	if (s->cfg->wait_fileinfo || s->cfg->sync_mode || s->cfg->sync_preview ||
	    s->cfg->group_inst != 0 || srv_cur_file(s)->ftype != UFTP_FTYPE_REG || s->sends != 1)
		return;
	for (i = 0; i < s->nclients; i++)
		if (srv_is_member(&s->clients[i]) && s->clients[i].fstate == FS_INFO &&
		    (!s->clients[i].had_file || s->clients[i].via != 0))
			return;
	for (i = 0; i < s->nclients; i++)
		if (srv_is_member(&s->clients[i]) && s->clients[i].fstate == FS_INFO)
			s->clients[i].fstate = FS_SENT;
	srv_start_data(s, now);
}

int srv_write_fileinfo(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	int wrapped, n;

	if (!s->fileinfo_due)
		return 0;
	n = fileinfo_packet(s, out, cap, now, &wrapped);
	if (wrapped) {
		s->fileinfo_due = 0;
		s->sends++;
		s->timer = now + 3 * s->grtt;
		if (n >= 0)
			early_data(s, now);
	}
	return n;
}

/* The FILEINFO again, during the data phase, to those that have not answered it. */
int srv_write_fileinfo_again(struct uftp_server *s, uint8_t *out, size_t cap, uint64_t now)
{
	int wrapped, n;

	if (!s->info_again)
		return 0;
	n = fileinfo_packet(s, out, cap, now, &wrapped);
	if (wrapped)
		s->info_again = 0;
	return n;
}

/* ---- moving on --------------------------------------------------------- */

static void next_file(struct uftp_server *s, uint64_t now)
{
	srv_event(s, UFTP_SEV_FILE_DONE, 0, 0, 0, srv_cur_file(s)->name);
	s->files_done++;
	if (srv_cur_file(s)->ftype == UFTP_FTYPE_REG)
		s->bytes_before += srv_cur_file(s)->size;
	srv_start_file(s, s->cur + 1, now);
}

/*
 * Within a file a record's state only moves forward (FS_INFO, FS_SENT,
 * FS_ACKED, FS_COMPLETE, in enum order: FS_SENT counts as answered for
 * the FILEINFO phase and open for the file), and never back into the
 * session: the two cursors skip what is settled, so that a reply from
 * each of N clients costs O(N) in all, not O(N) each.
 */
static int settled(const struct srv_client *c, int past)
{
	return !srv_is_member(c) || c->fstate > past;
}

void srv_check_file_done(struct uftp_server *s, uint64_t now)
{
	size_t info, acked;

	if (s->phase != PH_FILEINFO && s->phase != PH_DATA)
		return;
	if (srv_check_quit(s, now))
		return;
	while (s->info_from < s->nclients && settled(&s->clients[s->info_from], FS_INFO))
		s->info_from++;
	while (s->open_from < s->nclients && settled(&s->clients[s->open_from], FS_ACKED))
		s->open_from++;
	info = s->info_from < s->nclients;
	acked = s->open_from < s->nclients;
	if (info == 0 && acked == 0) {
		next_file(s, now);
		return;
	}
	if (s->phase == PH_FILEINFO && info == 0)
		srv_start_data(s, now);
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

		if (k == NULL || !srv_is_member(k))
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
	if (c->fstate != FS_INFO && c->fstate != FS_SENT)
		return;
	c->fstate = FS_ACKED;
	c->had_file = 1;
	c->partial = (fa->flags & UFTP_FILEINFO_ACK_PARTIAL) != 0;
}

int srv_on_fileinfo_ack(struct uftp_server *s, struct srv_client *c, const uint8_t *body,
                        size_t len, uint64_t now)
{
	struct uftp_fileinfo_ack fa;

	if (uftp_decode_fileinfo_ack(&fa, body, len) < 0)
		return UFTP_ERR_BADLEN;
	if (fa.file_id != srv_cur_id(s))
		return 0;
	/* a proxy answers for the clients it lists; the echo is the slowest one's */
	if (c->is_proxy ? c->state != CS_ACTIVE || for_listed(s, c, &fa.ids, NULL, NULL) == 0
	                : !srv_is_member(c))
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

/* ---- DONE -------------------------------------------------------------- */

int srv_owes_status(const struct srv_client *c)
{
	return srv_is_member(c) && (c->fstate == FS_ACKED || c->fstate == FS_SENT);
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
	uint16_t file = s->phase == PH_END ? 0 : srv_cur_id(s);
	uint16_t sec =
	    s->phase == PH_END || s->sec.nsections == 0 ? 0 : (uint16_t)(s->sec.nsections - 1);
	size_t n;

	if (s->done_empty_due) {
		s->done_empty_due = 0;
		return encode_done(s, out, cap, file, sec, ids, 0);
	}
	if (!s->done_due)
		return 0;
	n = collect_ids(s, s->phase == PH_END ? owes_complete : srv_owes_status, 1, ids,
	                max_ids(s, 8));
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
	c->had_file = 1;
	c->fstatus = cm->status;
	if (cm->status == UFTP_COMP_NORMAL || cm->status == UFTP_COMP_OVERWRITE) {
		c->files_ok++;
		s->any_received = 1;
	}
	complete_ext(s, c, cm);
	srv_event(s, UFTP_SEV_FILE_CLIENT, c->id, cm->status, 0, srv_cur_file(s)->name);
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
	if (s->phase == PH_END || cm.file_id != srv_cur_id(s))
		return 0;
	if (c->is_proxy) { /* for the clients it lists */
		if (for_listed(s, c, &cm.ids, complete_file, &cm) == 0)
			return 0;
	} else if (srv_is_member(c)) {
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
	srv_finish(s, s->any_received ? UFTP_SERVER_DONE : UFTP_SERVER_NONE_RECEIVED, now);
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
	for (i = 0; i < n; i++) { /* through the index: not every record per ID */
		struct srv_client *c = srv_find(s, ids[i]);

		if (c != NULL)
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

void srv_drop_silent(struct uftp_server *s, int (*pred)(const struct srv_client *), const char *why)
{
	size_t i;

	for (i = 0; i < s->nclients; i++)
		if (pred(&s->clients[i]))
			srv_client_lost(s, &s->clients[i], why);
}

/*
 * The DONE timer ran out (-s rounds) in the data phase: drop who did not
 * answer, those that never answered the FILEINFO (early data) saying so;
 * as in the FILEINFO phase, a session nobody answered a FILEINFO in ends.
 */
void srv_data_silent(struct uftp_server *s, uint64_t now)
{
	size_t before = srv_active(s);

	srv_drop_silent(s, info_unanswered, "no response to FILEINFO");
	if (srv_active(s) < before && srv_active(s) == 0 && !s->any_fileinfo_answer) {
		srv_finish(s, UFTP_SERVER_NO_FILEINFO, now);
		return;
	}
	srv_drop_silent(s, srv_owes_status, "no response to DONE");
	srv_check_file_done(s, now);
}

static void fileinfo_expiry(struct uftp_server *s, uint64_t now)
{
	if (s->sends < s->cfg->robust) {
		s->fileinfo_due = 1;
		s->timer = UFTP_NEVER;
		return;
	}
	srv_drop_silent(s, needs_info, "no response to FILEINFO");
	if (srv_active(s) == 0 && !s->any_fileinfo_answer) {
		srv_finish(s, UFTP_SERVER_NO_FILEINFO, now);
		return;
	}
	srv_check_file_done(s, now);
}

static void end_expiry(struct uftp_server *s, uint64_t now)
{
	if (s->sends < s->cfg->robust) {
		s->done_due = 1;
		s->timer = UFTP_NEVER;
		return;
	}
	srv_drop_silent(s, owes_complete, "no COMPLETE at the end of the session");
	check_end(s, now);
	if (s->phase != PH_FINISHED)
		srv_finish(s, UFTP_SERVER_ALL_LOST, now);
}

void srv_xfer_expiry(struct uftp_server *s, uint64_t now)
{
	switch (s->phase) {
	case PH_FILEINFO: fileinfo_expiry(s, now); break;
	case PH_DATA: srv_data_timer(s, now); break;
	case PH_END: end_expiry(s, now); break;
	default: break;
	}
}
