/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender's read-only view (stats.h): what uftp's end-of-run lines, and
 * later its progress line, read.  Nothing here changes the session.
 */
#include "config.h"

#include <string.h>

#include "core/server_int.h"

const char *const srv_phase_names[] = {"ANNOUNCE", "FILEINFO", "DATA", "END", "FINISHED"};
const char *const srv_cstate_names[] = {"NEW", "CONFIRMED", "ACTIVE", "DONE", "LOST", "ABORTED"};

static const char *const phase_labels[] = {"announce", "fileinfo", "data", "end", "finished"};
static const char *const cstate_labels[] = {"registered", "confirmed", "active",
                                            "done",       "lost",      "aborted"};

void uftp_server_get_stats(const struct uftp_server *s, struct uftp_core_stats *st)
{
	*st = s->st;
	st->sessions_active = s->phase != PH_FINISHED;
}

/* Bytes of the current file sent at least once: the first pass's position, then all of it. */
static uint64_t file_bytes_done(const struct uftp_server *s, uint64_t size)
{
	uint64_t b;

	if (s->phase == PH_FILEINFO || s->passes == 0)
		return 0;
	if (s->passes > 1 || s->phase != PH_DATA)
		return size;
	b = s->pos * s->cfg->block_size;
	return b < size ? b : size;
}

int uftp_server_session_stats(const struct uftp_server *s, size_t i, struct uftp_session_stats *ss,
                              uint64_t now)
{
	const struct uftp_server_file *f;
	int in_file = s->phase == PH_FILEINFO || s->phase == PH_DATA;

	if (i != 0)
		return 0;
	uftp_stats_session(ss, s->cfg->group_id, s->cfg->group_inst, s->cfg->server_id,
	                   phase_labels[s->phase], s->grtt);
	ss->files_total = s->cfg->nfiles;
	ss->files_done = s->files_done;
	ss->bytes_done = s->bytes_before;
	if (in_file && s->cur < s->cfg->nfiles) {
		f = &s->cfg->files[s->cur];
		ss->file = f->name;
		ss->file_bytes_total = f->ftype == UFTP_FTYPE_REG ? f->size : 0;
		ss->file_bytes_done = file_bytes_done(s, ss->file_bytes_total);
		ss->bytes_done += ss->file_bytes_done;
	}
	ss->rate_bps = s->cfg->rate_kbps > 0 ? (uint64_t)s->cfg->rate_kbps * 1000 : 0;
	ss->elapsed_ns = now > s->start_ns ? now - s->start_ns : 0;
	ss->pass = s->passes;
	ss->data_sent = s->data_sent;
	ss->data_resent = s->data_resent;
	ss->naks = s->naks_rx;
	ss->npeers = s->nclients;
	return 1;
}

int uftp_server_peer_stats(const struct uftp_server *s, size_t i, size_t j,
                           struct uftp_peer_stats *ps)
{
	const struct srv_client *c;

	if (i != 0 || j >= s->nclients)
		return 0;
	c = &s->clients[j];
	memset(ps, 0, sizeof(*ps));
	ps->id = c->id;
	ps->addr = c->peer;
	ps->state = cstate_labels[c->state];
	ps->is_proxy = c->is_proxy;
	ps->via = c->via;
	ps->files_done = c->files_ok;
	ps->naks = c->naks;
	ps->rtt_ns = c->rtt;
	return 1;
}
