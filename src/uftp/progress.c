/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The live progress line on stderr and the summary table at the end (see
 * man uftp, PROGRESS).  Everything shown is read through the server core's
 * stats API (core/stats.h); the only state kept here is what a reader of
 * samples needs: the rate's last sample, and per receiver when it was first
 * seen, when it ended and the bytes of the files it completed (the API
 * counts a receiver's files, not its bytes: each file it completes is
 * credited with the size of the file current when it completed it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/server.h"
#include "lib/log.h"
#include "uftp/uftp.h"

#define DRAW_NS       250000000ULL /* at most 4 redraws a second */
#define SAMPLE_NS     50000000ULL  /* receivers are sampled at least this often */
#define PROGRESS_LINE 512

struct rcv {
	uint32_t id;
	uint64_t files, bytes;
	uint64_t first_ns, end_ns; /* end_ns 0: still going */
	const char *state;
};

struct uftp_progress {
	FILE *out;
	int shown;           /* a line is on the screen */
	uint64_t last_draw;  /* when it was drawn */
	uint64_t last_peers; /* when the receivers were sampled */
	const char *file;    /* the current file at the last sample */
	uint64_t file_total; /* its size */
	uint64_t files_done;
	uint64_t rate_bytes, rate_ns; /* the session's bytes at the last rate sample */
	double rate;                  /* bytes/s, smoothed */
	struct rcv *r;
	size_t n;
};

int uftp_progress_wanted(int mode)
{
	if (mode >= 0)
		return mode;
	return isatty(STDERR_FILENO);
}

/* The line erases itself before a log line is written under it. */
static void clear_line(void *arg)
{
	struct uftp_progress *p = arg;

	if (!p->shown)
		return;
	fputs("\r\033[K", p->out);
	p->shown = 0;
}

struct uftp_progress *uftp_progress_new(int mode)
{
	struct uftp_progress *p;

	if (!uftp_progress_wanted(mode))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->out = stderr;
	log_set_tty_hook(clear_line, p);
	return p;
}

void uftp_progress_free(struct uftp_progress *p)
{
	if (p == NULL)
		return;
	log_set_tty_hook(NULL, NULL);
	free(p->r);
	free(p);
}

static struct rcv *rcv_get(struct uftp_progress *p, uint32_t id, uint64_t now)
{
	struct rcv *r;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->r[i].id == id)
			return &p->r[i];
	r = realloc(p->r, (p->n + 1) * sizeof(*r));
	if (r == NULL)
		return NULL;
	p->r = r;
	r = &p->r[p->n++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->first_ns = now;
	return r;
}

static int is_end_state(const char *state)
{
	return strcmp(state, "done") == 0 || strcmp(state, "lost") == 0 ||
	       strcmp(state, "aborted") == 0;
}

/* Reads every receiver; files completed since the last sample are credited with file_total. */
static void sample_peers(struct uftp_progress *p, const struct uftp_server *srv, uint64_t now)
{
	struct uftp_peer_stats ps;
	struct rcv *r;
	size_t j;

	p->last_peers = now;
	for (j = 0; uftp_server_peer_stats(srv, 0, j, &ps); j++) {
		if (ps.is_proxy)
			continue;
		r = rcv_get(p, ps.id, now);
		if (r == NULL)
			return;
		if (ps.files_done > r->files)
			r->bytes += (ps.files_done - r->files) * p->file_total;
		r->files = ps.files_done;
		r->state = ps.state;
		if (r->end_ns == 0 && is_end_state(ps.state))
			r->end_ns = now;
	}
}

/* Smoothed over about a second, so the figure does not jitter with each redraw. */
static void update_rate(struct uftp_progress *p, uint64_t bytes, uint64_t now)
{
	double inst;

	if (p->rate_ns == 0 || now <= p->rate_ns || bytes < p->rate_bytes) {
		p->rate_ns = now;
		p->rate_bytes = bytes;
		return;
	}
	inst = (double)(bytes - p->rate_bytes) * 1e9 / (double)(now - p->rate_ns);
	p->rate = p->rate == 0 ? inst : 0.75 * p->rate + 0.25 * inst;
	p->rate_ns = now;
	p->rate_bytes = bytes;
}

/* "12.3 MB" style, decimal units. */
static void human(char *buf, size_t cap, double v, const char *unit)
{
	static const char *const pre[] = {"", "k", "M", "G", "T"};
	size_t i = 0;

	while (v >= 1000 && i + 1 < sizeof(pre) / sizeof(pre[0])) {
		v /= 1000;
		i++;
	}
	snprintf(buf, cap, i ? "%.1f %s%s" : "%.0f %s%s", v, pre[i], unit);
}

static void eta(char *buf, size_t cap, const struct uftp_session_stats *ss, double rate)
{
	uint64_t left, s;

	if (ss->file == NULL || rate < 1 || ss->file_bytes_total < ss->file_bytes_done) {
		snprintf(buf, cap, "--:--");
		return;
	}
	left = ss->file_bytes_total - ss->file_bytes_done;
	s = (uint64_t)((double)left / rate + 0.5);
	if (s >= 3600)
		snprintf(buf, cap, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
		         (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, cap, "%llu:%02llu", (unsigned long long)(s / 60),
		         (unsigned long long)(s % 60));
}

static unsigned term_width(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* "...dir/name" keeping the end of a name too long for w columns. */
static void fit_name(char *buf, size_t cap, const char *name, size_t w)
{
	size_t n = strlen(name);

	if (w < 4)
		w = 4;
	if (n <= w)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "...%s", name + n - (w - 3));
}

/*
 * The line, cut to width - 1 columns (a wrapped line could not be redrawn
 * in place) by shortening the file name:
 * "big.bin  45%  1.2 MB/s  ETA 0:03  files 1/3  receivers 2 done/1 active/0 lost"
 */
static void format_line(const struct uftp_progress *p, const struct uftp_session_stats *ss,
                        char *line, size_t cap, unsigned width)
{
	size_t i, done = 0, active = 0, lost = 0, used;
	char rate[32], left[32], tail[160], name[PROGRESS_LINE];
	unsigned pct = 0;

	for (i = 0; i < p->n; i++) {
		if (p->r[i].state && strcmp(p->r[i].state, "done") == 0)
			done++;
		else if (p->r[i].end_ns)
			lost++;
		else
			active++;
	}
	if (ss->file_bytes_total)
		pct = (unsigned)(ss->file_bytes_done * 100 / ss->file_bytes_total);
	else if (ss->file)
		pct = 100;
	human(rate, sizeof(rate), p->rate, "B/s");
	eta(left, sizeof(left), ss, p->rate);
	snprintf(tail, sizeof(tail),
	         "  %3u%%  %s  ETA %s  files %llu/%llu  receivers %zu done/%zu active/%zu lost",
	         pct, rate, left, (unsigned long long)ss->files_done,
	         (unsigned long long)ss->files_total, done, active, lost);
	used = strlen(tail) + 1;
	fit_name(name, sizeof(name), ss->file ? ss->file : ss->state,
	         width > used + 12 ? width - used : 12);
	snprintf(line, cap, "%s%s", name, tail);
}

static void draw(struct uftp_progress *p, const struct uftp_session_stats *ss, uint64_t now)
{
	char line[PROGRESS_LINE];
	unsigned w = term_width(p->out);

	format_line(p, ss, line, sizeof(line), w);
	if (w - 1 < sizeof(line))
		line[w - 1] = '\0'; /* never wrap: \r must return to this line's start */
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
	p->shown = 1;
	p->last_draw = now;
}

void uftp_progress_tick(struct uftp_progress *p, const struct uftp_server *srv, uint64_t now)
{
	struct uftp_session_stats ss;
	int due;

	if (p == NULL || !uftp_server_session_stats(srv, 0, &ss, now))
		return;
	due = p->last_draw == 0 || now - p->last_draw >= DRAW_NS;
	if (due || ss.file != p->file || ss.files_done != p->files_done ||
	    now - p->last_peers >= SAMPLE_NS)
		sample_peers(p, srv, now);
	if (ss.file != NULL) {
		p->file = ss.file;
		p->file_total = ss.file_bytes_total;
	}
	p->files_done = ss.files_done;
	if (!due)
		return;
	update_rate(p, ss.bytes_done, now);
	draw(p, &ss, now);
}

uint64_t uftp_progress_expiry(const struct uftp_progress *p, uint64_t deadline)
{
	uint64_t next;

	if (p == NULL)
		return deadline;
	next = p->last_draw + DRAW_NS;
	return next < deadline ? next : deadline;
}

static void summary_row(FILE *out, const struct rcv *r, uint64_t files_total, uint64_t now)
{
	uint64_t ns = (r->end_ns ? r->end_ns : now) - r->first_ns;
	char bytes[32], rate[32], id[16];

	snprintf(id, sizeof(id), "0x%08X", r->id);
	human(bytes, sizeof(bytes), (double)r->bytes, "B");
	human(rate, sizeof(rate), ns ? (double)r->bytes * 1e9 / (double)ns : 0, "B/s");
	fprintf(out, "%-12s %5llu/%-5llu %10s %9.3f s %12s  %s\n", id, (unsigned long long)r->files,
	        (unsigned long long)files_total, bytes, (double)ns / 1e9, rate,
	        r->state ? r->state : "-");
}

void uftp_progress_end(struct uftp_progress *p, const struct uftp_server *srv, uint64_t now)
{
	struct uftp_session_stats ss;
	size_t i;

	if (p == NULL || !uftp_server_session_stats(srv, 0, &ss, now))
		return;
	sample_peers(p, srv, now);
	clear_line(p);
	fprintf(p->out, "%-12s %11s %10s %11s %12s  %s\n", "Receiver", "Files", "Bytes", "Time",
	        "Rate", "Status");
	for (i = 0; i < p->n; i++)
		summary_row(p->out, &p->r[i], ss.files_total, now);
	if (p->n == 0)
		fprintf(p->out, "(no receiver registered)\n");
	fflush(p->out);
}
