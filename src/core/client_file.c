/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client core, File Transfer and Completion phases: FILEINFO ->
 * FILEINFO_ACK / COMPLETE, FILESEG storage, DONE -> STATUS / COMPLETE,
 * DONE_CONF (protocol.txt 5.1.3, 5.1.4, 3.2).
 *
 * Section layout: section.h (settled against 4.10.2 with captures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client_int.h"
#include "core/err.h"
#include "core/path.h"

static int have(const struct cfile *f, uint64_t b)
{
	return (f->have[b / 8] >> (b % 8)) & 1;
}

/* Fails with TOOBIG past the protocol's 65536 sections, as uftp refuses to send such a file. */
static int layout(struct cfile *f, uint16_t block_size)
{
	int rv = uftp_sections_layout(&f->sec, f->size, block_size);

	if (rv < 0)
		return rv;
	f->have = calloc((size_t)(f->sec.nblocks / 8 + 1), 1);
	return f->have ? 0 : UFTP_ERR_NOMEM;
}

int cl_file_close(struct uftp_client *c, struct csession *s, int ok)
{
	struct cfile *f = &s->file;
	int rv = 0;

	if (f->fh >= 0)
		rv = c->cfg.fops->close(c->cfg.fops->arg, f->fh, ok, (int64_t)f->mtime);
	f->fh = -1;
	free(f->have);
	f->have = NULL;
	f->active = 0;
	return rv < 0 ? rv : 0;
}

int cl_send_complete(struct uftp_client *c, struct csession *s, uint16_t file_id, uint8_t status,
                     uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_COMPLETE};
	uint8_t ext[UFTP_EXT_FREESPACE_INFO_LEN];
	struct uftp_ext_freespace_info fi = {0};
	ssize_t n;

	m.u.complete.file_id = file_id;
	m.u.complete.status = status;
	if (file_id && file_id == s->file.id && s->file.ftype == UFTP_FTYPE_FREESPACE) {
		if (c->cfg.fops->freespace)
			c->cfg.fops->freespace(c->cfg.fops->arg, &fi.freespace);
		n = uftp_encode_ext_freespace_info(ext, sizeof(ext), &fi);
		if (n > 0)
			m.u.complete.ext = ext, m.u.complete.ext_len = (size_t)n;
	}
	return cl_send(c, s, &m, now);
}

static int send_fileinfo_ack(struct uftp_client *c, struct csession *s, uint64_t now)
{
	struct uftp_msg m = {.func = UFTP_MSG_FILEINFO_ACK};

	m.u.fileinfo_ack.file_id = s->file.id;
	m.u.fileinfo_ack.flags = s->file.partial ? UFTP_FILEINFO_ACK_PARTIAL : 0;
	cl_ts_echo(s, now, &m.u.fileinfo_ack.tstamp_sec, &m.u.fileinfo_ack.tstamp_usec);
	return cl_send(c, s, &m, now);
}

/* The file is settled (stored, rejected, made): report it once. */
/*
 * The file is done (received, skipped or rejected): closed, counted,
 * reported.  Returns the close error of a received file whose last bytes
 * could not be written (disk full): the caller aborts the session and no
 * FILE event claims it arrived.
 */
static int file_finished(struct uftp_client *c, struct csession *s, uint8_t status)
{
	struct cfile *f = &s->file;
	int rv;

	f->status = status;
	f->complete = 1;
	f->nak_due = 0;
	rv = cl_file_close(c, s, status != UFTP_COMP_REJECTED);
	if (rv < 0) {
		cl_log(c, UFTP_LOG_WARN, "[%08X] cannot complete %s: %s", s->group_id, f->name,
		       uftp_strerror(rv));
		return rv;
	}
	c->st.files_done++;
	if (status == UFTP_COMP_REJECTED)
		c->st.files_failed++;
	s->files_done++;
	s->bytes_before += f->ftype == UFTP_FTYPE_REG ? f->size : 0;
	cl_log(c, UFTP_LOG_INFO, "[%08X] %s %s (%llu bytes)", s->group_id,
	       status == UFTP_COMP_REJECTED ? "rejected" : "received", f->name,
	       (unsigned long long)f->size);
	cl_event(c, s, UFTP_CEV_FILE, f->name);
	return 0;
}

/* Directory, symlink, @DELETE, @FREESPACE: done at once, answered with COMPLETE. */
static uint8_t make_special(struct uftp_client *c, struct csession *s, size_t root, const char *rel,
                            const struct uftp_fileinfo *fi)
{
	const struct uftp_client_fops *ops = c->cfg.fops;
	char target[1024];
	int rv = 0;

	switch (fi->ftype) {
	case UFTP_FTYPE_DIR: rv = ops->mkdir(ops->arg, root, rel); break;
	case UFTP_FTYPE_LINK:
		if (!fi->link_len || fi->link_len >= sizeof(target) ||
		    memchr(fi->link, 0, fi->link_len))
			return UFTP_COMP_REJECTED;
		memcpy(target, fi->link, fi->link_len);
		target[fi->link_len] = 0;
		rv = ops->symlink(ops->arg, root, rel, target);
		break;
	case UFTP_FTYPE_DELETE: rv = ops->remove ? ops->remove(ops->arg, root, rel) : 0; break;
	default: break;
	}
	if (rv < 0)
		cl_log(c, UFTP_LOG_WARN, "[%08X] %s: %s", s->group_id, s->file.name,
		       uftp_strerror(rv));
	return rv < 0 ? UFTP_COMP_REJECTED : UFTP_COMP_NORMAL;
}

/*
 * Sync mode (uftp -z): an existing file newer than the incoming one, or of
 * the same age and size, is skipped; any other existing file is overwritten.
 */
static uint8_t sync_status(struct uftp_client *c, const struct csession *s, size_t root,
                           const char *rel)
{
	const struct uftp_client_fops *ops = c->cfg.fops;
	uint64_t size;
	int64_t mtime;

	if (!s->sync || !ops->stat || ops->stat(ops->arg, root, rel, &size, &mtime) <= 0)
		return UFTP_COMP_NORMAL;
	if (mtime > (int64_t)s->file.mtime ||
	    (mtime == (int64_t)s->file.mtime && size == s->file.size))
		return UFTP_COMP_SKIPPED;
	return UFTP_COMP_OVERWRITE;
}

/* -T restart: the blocks a failed earlier attempt of this group stored. */
static int resume(struct uftp_client *c, struct csession *s, size_t root, const char *rel)
{
	const struct uftp_client_fops *ops = c->cfg.fops;
	struct cfile *f = &s->file;
	uint64_t b;
	int fd;

	if (!c->cfg.temp_dir || !ops->load_state || !ops->reopen || !f->sec.nblocks ||
	    ops->load_state(ops->arg, s->group_id, f->name, f->size, f->have,
	                    (size_t)(f->sec.nblocks / 8 + 1)) != 1)
		return UFTP_ERR_STATE;
	fd = ops->reopen(ops->arg, root, rel);
	if (fd < 0) {
		memset(f->have, 0, (size_t)(f->sec.nblocks / 8 + 1));
		return fd;
	}
	for (b = 0; b < f->sec.nblocks; b++)
		f->nhave += (uint64_t)have(f, b);
	f->partial = 1;
	cl_log(c, UFTP_LOG_INFO, "[%08X] resuming %s (%llu of %llu blocks)", s->group_id, f->name,
	       (unsigned long long)f->nhave, (unsigned long long)f->sec.nblocks);
	return fd;
}

/* A failing session keeps what it has of its file for a restart (-T). */
void cl_file_save(struct uftp_client *c, struct csession *s)
{
	const struct uftp_client_fops *ops = c->cfg.fops;
	const struct cfile *f = &s->file;

	if (c->cfg.temp_dir && ops->save_state && f->active && f->fh >= 0 && f->have && f->nhave &&
	    ops->save_state(ops->arg, s->group_id, f->name, f->size, f->have,
	                    (size_t)(f->sec.nblocks / 8 + 1)) >= 0)
		cl_log(c, UFTP_LOG_INFO,
		       "[%08X] kept the state of %s for a restart (%llu of %llu blocks)",
		       s->group_id, f->name, (unsigned long long)f->nhave,
		       (unsigned long long)f->sec.nblocks);
}

static int start_regular(struct uftp_client *c, struct csession *s, size_t root, const char *rel)
{
	struct cfile *f = &s->file;
	int rv = layout(f, s->block_size);

	if (rv < 0) {
		cl_log(c, UFTP_LOG_WARN,
		       "[%08X] rejecting %s: %llu bytes at block size %u (at most %llu): %s",
		       s->group_id, f->name, (unsigned long long)f->size, s->block_size,
		       (unsigned long long)uftp_sections_max_size(s->block_size),
		       uftp_strerror(rv));
		return rv;
	}
	rv = resume(c, s, root, rel);
	if (rv >= 0) {
		f->fh = rv;
		f->active = 1;
		return 0;
	}
	rv = c->cfg.fops->open_ex
	         ? c->cfg.fops->open_ex(c->cfg.fops->arg, root, rel, s->group_id, f->id)
	         : c->cfg.fops->open(c->cfg.fops->arg, root, rel);
	if (rv < 0) {
		cl_log(c, UFTP_LOG_WARN, "[%08X] cannot create %s: %s", s->group_id, f->name,
		       uftp_strerror(rv));
		return rv;
	}
	f->fh = rv;
	f->active = 1;
	return 0;
}

static void new_file(struct cfile *f, const struct uftp_fileinfo *fi)
{
	size_t n = fi->name_len < sizeof(f->name) - 1 ? fi->name_len : sizeof(f->name) - 1;

	free(f->have);
	memset(f, 0, sizeof(*f));
	f->fh = -1;
	f->id = fi->file_id;
	f->ftype = fi->ftype;
	f->size = fi->ftype == UFTP_FTYPE_REG ? fi->fsize : 0;
	f->mtime = fi->ftstamp;
	memcpy(f->name, fi->name, n);
	for (size_t i = 0; i < n; i++) /* printable in logs and status lines */
		if ((unsigned char)f->name[i] < 0x20 || f->name[i] == 0x7f)
			f->name[i] = '?';
}

/* Answers a FILEINFO for the file we already handle (our reply got lost). */
static int repeat_reply(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (s->file.complete && s->file.ftype != UFTP_FTYPE_REG)
		return cl_send_complete(c, s, s->file.id, s->file.status, now);
	if (s->file.status == UFTP_COMP_REJECTED || s->file.status == UFTP_COMP_SKIPPED ||
	    (s->sync & UFTP_ANNOUNCE_SYNC_PREVIEW))
		return cl_send_complete(c, s, s->file.id, s->file.status, now);
	return send_fileinfo_ack(c, s, now);
}

/* 0 when the file certainly does not fit where it is written (fops->room). */
static int enough_room(struct uftp_client *c, const struct csession *s, size_t root)
{
	const struct uftp_client_fops *ops = c->cfg.fops;
	uint64_t bytes;

	if (!ops->room || ops->room(ops->arg, root, &bytes) < 0 || s->file.size <= bytes)
		return 1;
	cl_log(c, UFTP_LOG_WARN, "[%08X] not enough disk space for %s: %llu bytes, %llu free",
	       s->group_id, s->file.name, (unsigned long long)s->file.size,
	       (unsigned long long)bytes);
	return 0;
}

/* Where a wire name lands: a destination root, or the session's temp dir (-T). */
static int resolve_name(struct uftp_client *c, const struct csession *s,
                        const struct uftp_fileinfo *fi, size_t *root, char *rel, size_t cap)
{
	int rv, n;

	if (!c->cfg.temp_dir)
		return uftp_path_resolve(c->cfg.roots, c->cfg.nroots, (const char *)fi->name,
		                         fi->name_len, root, rel, cap);
	rv = uftp_path_check_relative((const char *)fi->name, fi->name_len);
	if (rv < 0)
		return rv;
	n = snprintf(rel, cap, "_group_%08X/%.*s", s->group_id, (int)fi->name_len,
	             (const char *)fi->name);
	if (n < 0 || (size_t)n >= cap)
		return UFTP_ERR_NOSPACE;
	*root = c->cfg.nroots;
	return 0;
}

static int accept_file(struct uftp_client *c, struct csession *s, const struct uftp_fileinfo *fi,
                       uint64_t now)
{
	char rel[UFTP_PATH_MAX + 1];
	size_t root;
	int rv;

	if (s->file.fh >= 0)
		cl_file_close(c, s, 0); /* the server moved on without us */
	new_file(&s->file, fi);
	if (fi->ftype == UFTP_FTYPE_FREESPACE) { /* the name ("." from 4.10.2) is not a path */
		file_finished(c, s, UFTP_COMP_NORMAL);
		return cl_send_complete(c, s, fi->file_id, UFTP_COMP_NORMAL, now);
	}
	rv = resolve_name(c, s, fi, &root, rel, sizeof(rel));
	if (rv < 0) {
		cl_log(c, UFTP_LOG_WARN,
		       "[%08X] rejecting file name '%s': outside the destination "
		       "directories or not a safe relative path",
		       s->group_id, s->file.name);
		file_finished(c, s, UFTP_COMP_REJECTED);
		return cl_send_complete(c, s, fi->file_id, UFTP_COMP_REJECTED, now);
	}
	if (fi->ftype != UFTP_FTYPE_REG && (s->sync & UFTP_ANNOUNCE_SYNC_PREVIEW)) {
		/* a preview changes nothing: no directory, link or deletion (as 4.10.2) */
		file_finished(c, s, UFTP_COMP_NORMAL);
		return cl_send_complete(c, s, fi->file_id, UFTP_COMP_NORMAL, now);
	}
	if (fi->ftype != UFTP_FTYPE_REG) {
		file_finished(c, s, make_special(c, s, root, rel, fi));
		return cl_send_complete(c, s, fi->file_id, s->file.status, now);
	}
	s->file.status = sync_status(c, s, root, rel);
	if (s->file.status == UFTP_COMP_SKIPPED || (s->sync & UFTP_ANNOUNCE_SYNC_PREVIEW)) {
		file_finished(c, s, s->file.status);
		return cl_send_complete(c, s, fi->file_id, s->file.status, now);
	}
	if (!enough_room(c, s, root)) {
		cl_abort(c, s, "Not enough disk space", 1, now);
		return 0;
	}
	rv = start_regular(c, s, root, rel);
	if (rv < 0) {
		file_finished(c, s, UFTP_COMP_REJECTED);
		return cl_send_complete(c, s, fi->file_id, UFTP_COMP_REJECTED, now);
	}
	cl_log(c, UFTP_LOG_DEBUG, "[%08X] receiving %s (%llu bytes, %u sections)", s->group_id,
	       s->file.name, (unsigned long long)s->file.size, s->file.sec.nsections);
	if (s->file.nhave == s->file.sec.nblocks && file_finished(c, s, s->file.status) < 0) {
		cl_abort(c, s, "Error writing file", 1, now);
		return 0;
	}
	return send_fileinfo_ack(c, s, now);
}

int cl_on_fileinfo(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_fileinfo *fi = &in->msg->u.fileinfo;

	if (!uftp_idlist_has(&fi->ids, c->cfg.uid))
		return 0;
	if (s->state == CS_REGISTER) {
		if (s->enc)
			return UFTP_ERR_STATE;
		cl_set_state(c, s, CS_ACTIVE); /* our REG_CONF was lost */
		cl_event(c, s, UFTP_CEV_CONNECT, NULL);
	}
	/*
	 * Files come in increasing ID order: a FILEINFO for an earlier file is
	 * a late duplicate (delayed or reordered on the way).  Taking it would
	 * abandon the file being received and reopen, truncating, one already
	 * complete: drop it.
	 */
	if (fi->file_id < s->file.id) {
		cl_log(c, UFTP_LOG_DEBUG, "[%08X] stale FILEINFO for file %u (now on %u) dropped",
		       s->group_id, fi->file_id, s->file.id);
		return UFTP_ERR_STATE;
	}
	s->ts_sec = fi->tstamp_sec, s->ts_usec = fi->tstamp_usec, s->ts_rx = in->now;
	if (s->file.id == fi->file_id && (s->file.active || s->file.complete))
		return repeat_reply(c, s, in->now);
	return accept_file(c, s, fi, in->now);
}

static void arm_naks(struct csession *s, uint32_t upto, int from_done, uint64_t now)
{
	struct cfile *f = &s->file;

	if (from_done)
		f->nak_done = 1;
	if (!f->nak_due || upto > f->nak_upto)
		f->nak_upto = upto;
	if (!f->nak_due) {
		f->nak_due = 1;
		f->nak_at = now + s->grtt;
	}
}

static int store_block(struct uftp_client *c, struct csession *s, const struct uftp_fileseg *fs,
                       uint64_t b)
{
	struct cfile *f = &s->file;
	uint64_t off = b * s->block_size;
	size_t want = (size_t)(f->size - off < s->block_size ? f->size - off : s->block_size);
	int rv;

	if (fs->data_len != want)
		return UFTP_ERR_BADLEN;
	if (have(f, b))
		return 0;
	rv = c->cfg.fops->write(c->cfg.fops->arg, f->fh, off, fs->data, fs->data_len);
	if (rv < 0)
		return rv;
	f->have[b / 8] |= (uint8_t)(1u << (b % 8));
	f->nhave++;
	s->data_rx++;
	return 0;
}

int cl_on_fileseg(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_fileseg *fs = &in->msg->u.fileseg;
	struct cfile *f = &s->file;
	uint64_t b;
	int rv;

	if (!f->active || fs->file_id != f->id)
		return 0; /* not ours, or already complete */
	if (fs->section >= f->sec.nsections || fs->block >= uftp_section_len(&f->sec, fs->section))
		return UFTP_ERR_BADVALUE;
	b = uftp_section_start(&f->sec, fs->section) + fs->block;
	if (s->cc_type == UFTP_CC_TFMCC)
		cl_cc_on_data(c, s, fs, b, in->now);
	rv = store_block(c, s, fs, b);
	if (rv == UFTP_ERR_BADLEN)
		return rv;
	if (rv < 0) {
		cl_abort(c, s, "Error writing file", 1, in->now);
		return 0;
	}
	if (fs->section > f->max_section) {
		f->max_section = fs->section;
		arm_naks(s, fs->section - 1u, 0, in->now);
	}
	if (f->nhave == f->sec.nblocks && file_finished(c, s, f->status) < 0)
		cl_abort(c, s, "Error writing file", 1, in->now);
	return 0;
}

static int section_missing(const struct cfile *f, uint32_t sec)
{
	uint64_t first = uftp_section_start(&f->sec, sec), i;

	for (i = 0; i < uftp_section_len(&f->sec, sec); i++)
		if (!have(f, first + i))
			return 1;
	return 0;
}

/*
 * The reference sizes a section's NAK bitmap as blocks / 8 + 1 bytes (one
 * byte more than needed when the count is a multiple of 8) and rejects a
 * STATUS of any other size.
 */
static int send_status(struct uftp_client *c, struct csession *s, uint32_t sec, uint64_t now)
{
	const struct cfile *f = &s->file;
	struct uftp_msg m = {.func = UFTP_MSG_STATUS};
	uint8_t naks[UFTP_MAX_NAK_LEN + 1], ext[UFTP_EXT_TFMCC_ACK_INFO_LEN];
	uint64_t first = uftp_section_start(&f->sec, sec), i, n = uftp_section_len(&f->sec, sec);
	size_t len = (size_t)(n / 8 + 1);

	if (len > sizeof(naks))
		return UFTP_ERR_NOSPACE;
	memset(naks, 0, len);
	for (i = 0; i < n; i++) {
		if (have(f, first + i))
			continue;
		naks[i / 8] |= (uint8_t)(1u << (i % 8));
		s->naks_tx++;
	}
	m.u.status.file_id = f->id;
	m.u.status.section = (uint16_t)sec;
	m.u.status.naks = naks;
	m.u.status.naks_len = len;
	if (s->cc_type == UFTP_CC_TFMCC) {
		ssize_t e = cl_cc_ack_info(c, s, ext, now);
		if (e > 0)
			m.u.status.ext = ext, m.u.status.ext_len = (size_t)e;
	}
	return cl_send(c, s, &m, now);
}

/* The STATUS timer fired: NAK every incomplete section up to nak_upto. */
static void report_naks(struct uftp_client *c, struct csession *s, uint64_t now)
{
	struct cfile *f = &s->file;
	uint32_t sec, sent = 0, upto = f->nak_upto;

	f->nak_due = 0;
	if (f->complete) {
		if (f->nak_done)
			cl_send_complete(c, s, f->id, f->status, now);
		return;
	}
	if (upto >= f->sec.nsections)
		upto = f->sec.nsections - 1;
	for (sec = 0; sec <= upto && sent < TXQ_LEN / 2; sec++) {
		if (!section_missing(f, sec))
			continue;
		send_status(c, s, sec, now);
		sent++;
	}
	f->nak_done = 0;
}

/*
 * -T checkpoints: while a file is being received its bitmap is saved every
 * CKPT_NS, so a daemon killed outright (SIGKILL, power cut) can still
 * resume it when the server restarts the session.  The driver flushes its
 * write cache before writing the state, so every block marked is on disk.
 * (4.10.2 keeps restart state only when a session fails while it runs.)
 */
#define CKPT_NS (1 * (uint64_t)UFTP_NS_PER_SEC)

static int ckpt_armed(const struct uftp_client *c, const struct cfile *f)
{
	return c->cfg.temp_dir && c->cfg.fops->save_state && f->active && !f->complete &&
	       f->fh >= 0 && f->nhave;
}

uint64_t cl_file_ckpt_expiry(const struct csession *s)
{
	return s->file.ckpt_at ? s->file.ckpt_at : UFTP_NEVER;
}

static void checkpoint(struct uftp_client *c, struct csession *s, uint64_t now)
{
	struct cfile *f = &s->file;

	if (!ckpt_armed(c, f)) {
		f->ckpt_at = 0;
		return;
	}
	if (!f->ckpt_at) {
		f->ckpt_at = now + CKPT_NS; /* the first blocks have arrived */
		return;
	}
	if (now < f->ckpt_at)
		return;
	c->cfg.fops->save_state(c->cfg.fops->arg, s->group_id, f->name, f->size, f->have,
	                        (size_t)(f->sec.nblocks / 8 + 1));
	f->ckpt_at = now + CKPT_NS;
}

void cl_file_expiry(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (s->file.nak_due && now >= s->file.nak_at)
		report_naks(c, s, now);
	checkpoint(c, s, now);
}

static int end_of_session(struct uftp_client *c, struct csession *s, uint64_t now)
{
	if (s->state == CS_ACTIVE) {
		if (s->file.fh >= 0)
			cl_file_close(c, s, 0);
		cl_set_state(c, s, CS_DONE);
		s->start = now;
		s->resend_at = now + 4 * s->grtt;
		s->giveup = now + cl_max((uint64_t)s->robust * s->grtt, MIN_TMO_NS);
		cl_event(c, s, UFTP_CEV_COMPLETE, NULL);
	}
	return cl_send_complete(c, s, 0, UFTP_COMP_NORMAL, now);
}

int cl_on_done(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	const struct uftp_done *d = &in->msg->u.done;
	struct cfile *f = &s->file;

	if (!uftp_idlist_has(&d->ids, c->cfg.uid))
		return 0;
	if (d->file_id == 0)
		return end_of_session(c, s, in->now);
	if (s->state != CS_ACTIVE || d->file_id != f->id)
		return 0;
	if (f->complete)
		return cl_send_complete(c, s, f->id, f->status, in->now);
	if (!f->active)
		return 0;
	arm_naks(s, d->section, 1, in->now);
	return 0;
}

int cl_on_done_conf(struct uftp_client *c, struct csession *s, const struct cin *in)
{
	if (!uftp_idlist_has(&in->msg->u.done_conf.ids, c->cfg.uid))
		return 0;
	cl_log(c, UFTP_LOG_INFO, "[%08X] session complete", s->group_id);
	cl_event(c, s, UFTP_CEV_DONE, NULL);
	cl_end(c, s);
	return 0;
}
