/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The -S status file: CONNECT, RESULT, HSTATS and STATS lines, in the
 * format the reference 4.10.2 binary writes (checked with its -S output:
 * sizes in whole KB, speeds in KB/s with two decimals, "mute" for members
 * that never registered, "lost" / "aborted" for members dropped or that
 * sent ABORT, no speed for skipped and rejected files, totals in whole MB).
 * In sync preview (-Z) nothing is sent: times and speeds are estimated
 * from the -R rate (the reference prints rate x 16 "KB/s" there; we print
 * the rate itself in KB/s).  "@LOG" sends the lines to the log.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "lib/log.h"
#include "uftp/uftp.h"

struct target {
	uint32_t id;
	int connected, lost, aborted;
	int status; /* of the current file: -1 none yet */
	int has_free;
	uint64_t freespace; /* @FREESPACE answer for the current file */
	uint64_t file_ns;
	unsigned copy, over, skip;
	uint64_t bytes, ns;
};

struct uftp_statfile {
	FILE *f;
	int to_log;
	struct target *t;
	size_t n;
	int connect_done;
	int in_file; /* a file started and not finished */
	size_t cur;
	uint64_t file_start;
	int preview;        /* -Z: nothing is sent, times are estimated */
	double preview_bps; /* -Z: bytes per second the times are estimated at (0: -R -1) */
};

static void out(struct uftp_statfile *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out(struct uftp_statfile *st, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (st->to_log) {
		log_raw(line);
		return;
	}
	fprintf(st->f, "%s\n", line);
	fflush(st->f);
}

static struct target *target(struct uftp_statfile *st, uint32_t id)
{
	struct target *t;
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->t[i].id == id)
			return &st->t[i];
	t = realloc(st->t, (st->n + 1) * sizeof(*t));
	if (t == NULL)
		return NULL;
	st->t = t;
	t = &st->t[st->n++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->status = -1;
	return t;
}

int uftp_statfile_open(struct uftp_statfile **out_st, const char *path,
                       const struct uftp_peer_key *hosts, size_t nhosts, int preview,
                       long rate_kbps)
{
	struct uftp_statfile *st;
	size_t i;

	*out_st = NULL;
	if (path == NULL)
		return 0;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	*out_st = st;
	st->preview = preview;
	if (preview && rate_kbps > 0)
		st->preview_bps = (double)rate_kbps * 1000.0 / 8.0;
	st->to_log = strcmp(path, "@LOG") == 0;
	if (!st->to_log) {
		st->f = fopen(path, "w");
		if (st->f == NULL)
			return -1;
	}
	for (i = 0; i < nhosts; i++)
		target(st, hosts[i].id);
	return 0;
}

static void connects(struct uftp_statfile *st)
{
	size_t i;

	if (st->connect_done)
		return;
	st->connect_done = 1;
	for (i = 0; i < st->n; i++)
		out(st, "CONNECT;%s;0x%08X", st->t[i].connected ? "success" : "failed",
		    st->t[i].id);
}

static const char *status_name(int status)
{
	switch (status) {
	case UFTP_COMP_NORMAL: return "copy";
	case UFTP_COMP_SKIPPED: return "skipped";
	case UFTP_COMP_OVERWRITE: return "overwritten";
	case UFTP_COMP_REJECTED: return "rejected";
	default: return "?";
	}
}

/* A member that left: "lost" when dropped, "aborted" when it sent ABORT, "mute" if never there. */
static const char *gone_name(const struct target *t)
{
	if (!t->connected)
		return "mute";
	return t->aborted ? "aborted" : "lost";
}

/* The name announced: "." for @FREESPACE, as the reference prints it too. */
static const char *file_name(const struct uftp_server_file *f)
{
	return f->name;
}

/*
 * Seconds the file took for t: measured, or in preview (-Z) estimated from
 * the rate, since nothing is sent.
 */
static double file_secs(const struct uftp_statfile *st, const struct target *t, uint64_t size)
{
	if (st->preview)
		return st->preview_bps > 0 ? (double)size / st->preview_bps : 0.0;
	return (double)t->file_ns / 1e9;
}

static void result(struct uftp_statfile *st, struct target *t, const char *name, uint64_t size)
{
	double secs = file_secs(st, t, size), speed;
	int sent = t->status == UFTP_COMP_NORMAL || t->status == UFTP_COMP_OVERWRITE;

	if (!t->connected || ((t->lost || t->aborted) && t->status < 0)) {
		out(st, "RESULT;0x%08X;%s;%lluKB;%s;", t->id, name,
		    (unsigned long long)(size / 1024), gone_name(t));
		return;
	}
	if (!sent) { /* skipped or rejected: nothing moved, no speed (as the reference) */
		out(st, "RESULT;0x%08X;%s;%lluKB;%s;", t->id, name,
		    (unsigned long long)(size / 1024), status_name(t->status));
		t->skip += t->status == UFTP_COMP_SKIPPED;
		return;
	}
	if (st->preview) /* unpaced (-R -1): no estimate, 0 as the reference prints */
		speed = st->preview_bps / 1024;
	else
		speed = secs > 0 ? (double)size / 1024 / secs : 0.0;
	out(st, "RESULT;0x%08X;%s;%lluKB;%s;%.2fKB/s", t->id, name,
	    (unsigned long long)(size / 1024), status_name(t->status), speed);
	/* the reference names the file, not the client, here: the line follows its RESULT */
	if (t->has_free)
		out(st, "FREESPACE;%s;%llu", name, (unsigned long long)t->freespace);
	t->copy += t->status == UFTP_COMP_NORMAL;
	t->over += t->status == UFTP_COMP_OVERWRITE;
	t->bytes += size;
	t->ns += (uint64_t)(secs * 1e9);
}

static void stats(struct uftp_statfile *st)
{
	size_t i;

	out(st, "HSTATS;target;copy;overwrite;skip;totalMB;time;speedKB/s");
	for (i = 0; i < st->n; i++) {
		const struct target *t = &st->t[i];
		double secs = (double)t->ns / 1e9;

		out(st, "STATS;0x%08X;%u;%u;%u;%lluMB;%.3f;%.2fKB/s", t->id, t->copy, t->over,
		    t->skip, (unsigned long long)(t->bytes / 1048576), secs,
		    secs > 0 ? (double)t->bytes / 1024 / secs : 0.0);
	}
}

static void file_done(struct uftp_statfile *st, const struct uftp_server_file *f)
{
	size_t i;

	st->in_file = 0;
	for (i = 0; i < st->n; i++) {
		result(st, &st->t[i], file_name(f), f->size);
		st->t[i].status = -1;
		st->t[i].file_ns = 0;
		st->t[i].has_free = 0;
	}
}

/*
 * The session ended in the middle of a file (interrupt, -q, every client
 * gone): as the reference, that file's RESULT lines still come, "aborted"
 * for the members still in it, and no STATS follow.
 */
static void cut_short(struct uftp_statfile *st, const struct uftp_server_file *f)
{
	size_t i;

	if (!st->in_file)
		return;
	for (i = 0; i < st->n; i++)
		if (st->t[i].connected && !st->t[i].lost && st->t[i].status < 0)
			st->t[i].aborted = 1;
	file_done(st, f);
}

static void finished(struct uftp_statfile *st, const struct uftp_server_file *files, int code)
{
	connects(st);
	if (code == UFTP_SERVER_DONE || code == UFTP_SERVER_NONE_RECEIVED) {
		stats(st);
		return;
	}
	cut_short(st, &files[st->cur]);
}

void uftp_statfile_event(struct uftp_statfile *st, const struct uftp_server_event *e,
                         const struct uftp_server_file *files, uint64_t now)
{
	struct target *t;

	if (st == NULL)
		return;
	switch (e->type) {
	case UFTP_SEV_REGISTERED:
		t = target(st, e->client_id);
		if (t)
			t->connected = 1;
		break;
	case UFTP_SEV_CLIENT_LOST:
	case UFTP_SEV_CLIENT_ABORT:
		t = target(st, e->client_id);
		if (t && e->type == UFTP_SEV_CLIENT_ABORT)
			t->aborted = 1;
		else if (t)
			t->lost = 1;
		break;
	case UFTP_SEV_FILE_START:
		connects(st);
		st->file_start = now;
		st->in_file = 1;
		st->cur = e->file;
		break;
	case UFTP_SEV_FILE_CLIENT:
		t = target(st, e->client_id);
		if (t) {
			t->status = e->status;
			t->file_ns = now - st->file_start;
		}
		break;
	case UFTP_SEV_FREESPACE:
		t = target(st, e->client_id);
		if (t) {
			t->has_free = 1;
			t->freespace = e->value;
		}
		break;
	case UFTP_SEV_FILE_DONE: file_done(st, &files[e->file]); break;
	case UFTP_SEV_FINISHED: finished(st, files, (int)e->value); break;
	default: break;
	}
}

void uftp_statfile_close(struct uftp_statfile *st)
{
	if (st == NULL)
		return;
	if (st->f)
		fclose(st->f);
	free(st->t);
	free(st);
}
