/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receiver's read-only view (stats.h): what uftpd's exit line, and
 * later its control port, read.  Nothing here changes the core, except the
 * state setter, kept beside the names it logs.
 */
#include "config.h"

#include <string.h>

#include "core/client_int.h"

const char *const cl_state_names[] = {"register", "active", "done"};

void cl_set_state(struct uftp_client *c, struct csession *s, enum cstate state)
{
	cl_log(c, UFTP_LOG_DEBUG, "[%08X] state %s -> %s", s->group_id, cl_state_names[s->state],
	       cl_state_names[state]);
	s->state = state;
}

static int live(const void *arg, size_t k)
{
	return ((const struct uftp_client *)arg)->sess[k].used;
}

/* The i-th live session, in slot order; NULL past the last. */
static const struct csession *nth_session(const struct uftp_client *c, size_t i)
{
	size_t k = uftp_stats_nth(c->nsess, i, live, c);

	return k < c->nsess ? &c->sess[k] : NULL;
}

static uint64_t file_bytes_done(const struct csession *s)
{
	const struct cfile *f = &s->file;
	uint64_t b;

	if (f->complete)
		return f->size;
	b = f->nhave * s->block_size;
	return b < f->size ? b : f->size;
}

int uftp_client_session_stats(const struct uftp_client *c, size_t i, struct uftp_session_stats *ss,
                              uint64_t now)
{
	const struct csession *s = nth_session(c, i);

	if (s == NULL)
		return 0;
	uftp_stats_session(ss, s->group_id, s->group_inst, s->server_id, cl_state_names[s->state],
	                   s->grtt);
	ss->files_done = s->files_done;
	ss->bytes_done = s->bytes_before;
	if (s->file.active && !s->file.complete) {
		ss->file = s->file.name;
		ss->file_bytes_total = s->file.size;
		ss->file_bytes_done = file_bytes_done(s);
		ss->bytes_done += ss->file_bytes_done;
	}
	ss->rate_bps = (uint64_t)(s->cc.recv_rate * 8);
	ss->elapsed_ns = now > s->began ? now - s->began : 0;
	ss->data_sent = s->data_rx;
	ss->naks = s->naks_tx;
	ss->npeers = 1;
	return 1;
}

int uftp_client_peer_stats(const struct uftp_client *c, size_t i, size_t j,
                           struct uftp_peer_stats *ps)
{
	const struct csession *s = nth_session(c, i);

	if (s == NULL ||
	    !uftp_stats_upstream(ps, j, s->server_id, &s->server,
	                         s->keyed || !s->enc ? "server" : "server (keys pending)"))
		return 0;
	ps->files_done = s->files_done;
	return 1;
}
