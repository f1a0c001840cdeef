/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JSON and Prometheus renderings of the cores' stats (see statsfmt.h).
 * Both walk the same tables, so a counter is named once per format and
 * the two never disagree on what exists.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/addr.h"
#include "lib/peer.h"
#include "lib/statsfmt.h"

#define NS_PER_SEC 1000000000ULL

/* ---- text buffer --------------------------------------------------------- */

void uftp_text_init(struct uftp_text *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void uftp_text_free(struct uftp_text *t)
{
	free(t->p);
	uftp_text_init(t, t->max);
}

/* Room for n more bytes and a NUL; 0 or UFTP_ERR_NOMEM (then t->err is set). */
static int reserve(struct uftp_text *t, size_t n)
{
	size_t want = t->len + n + 1, cap = t->cap ? t->cap : 1024;
	char *p;

	if (t->err)
		return t->err;
	if (want <= t->cap)
		return 0;
	if (n > t->max || want > t->max + 1) {
		t->err = UFTP_ERR_NOMEM;
		return t->err;
	}
	while (cap < want)
		cap *= 2;
	if (cap > t->max + 1)
		cap = t->max + 1;
	p = realloc(t->p, cap);
	if (p == NULL) {
		t->err = UFTP_ERR_NOMEM;
		return t->err;
	}
	t->p = p;
	t->cap = cap;
	return 0;
}

void uftp_text_add(struct uftp_text *t, const char *s, size_t n)
{
	if (reserve(t, n) < 0)
		return;
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void uftp_text_printf(struct uftp_text *t, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		uftp_text_add(t, small, (size_t)n);
		return;
	}
	if (reserve(t, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void add_str(struct uftp_text *t, const char *s)
{
	uftp_text_add(t, s, strlen(s));
}

/* ---- values -------------------------------------------------------------- */

/* "12", or "12.5" for 12 + frac/scale (scale a power of ten), trailing zeros cut. */
static void put_fixed(struct uftp_text *t, uint64_t whole, uint64_t frac, int digits)
{
	char f[24];
	int n;

	if (frac == 0) {
		uftp_text_printf(t, "%llu", (unsigned long long)whole);
		return;
	}
	n = snprintf(f, sizeof(f), "%0*llu", digits, (unsigned long long)frac);
	while (n > 1 && f[n - 1] == '0')
		f[--n] = '\0';
	uftp_text_printf(t, "%llu.%s", (unsigned long long)whole, f);
}

static void put_seconds(struct uftp_text *t, uint64_t ns)
{
	put_fixed(t, ns / NS_PER_SEC, ns % NS_PER_SEC, 9);
}

static void put_u64(struct uftp_text *t, uint64_t v)
{
	uftp_text_printf(t, "%llu", (unsigned long long)v);
}

/* The length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, k;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0; /* overlong, out of range, or a surrogate */
	return len;
}

/*
 * Appends s with the escapes of one format: JSON (json=1) or a Prometheus
 * label value (json=0: only backslash, double quote and line feed are
 * escaped).  A byte that does not start valid UTF-8 becomes U+FFFD.
 */
static void put_escaped(struct uftp_text *t, const char *s, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n) {
		k = utf8_len(p, n);
		if (k == 0) {
			add_str(t, "\xEF\xBF\xBD");
			k = 1;
		} else if (*p == '"' || *p == '\\') {
			uftp_text_printf(t, "\\%c", *p);
		} else if (*p == '\n') {
			add_str(t, "\\n");
		} else if (json && (*p < 0x20 || *p == 0x7F)) {
			uftp_text_printf(t, "\\u%04x", *p);
		} else {
			uftp_text_add(t, (const char *)p, k);
		}
		p += k;
		n -= k;
	}
}

static void json_str(struct uftp_text *t, const char *s)
{
	add_str(t, "\"");
	put_escaped(t, s ? s : "", 1);
	add_str(t, "\"");
}

const char *uftp_role_name(int role)
{
	switch (role) {
	case UFTP_ROLE_SERVER: return "server";
	case UFTP_ROLE_CLIENT: return "client";
	case UFTP_ROLE_PROXY: return "proxy";
	default: return "unknown";
	}
}

/* ---- what is rendered ---------------------------------------------------- */

enum unit {
	U_COUNT, /* as it is */
	U_NS,    /* nanoseconds, rendered as seconds */
	U_BITS,  /* bits/s: JSON as it is, metrics in bytes/s */
};

/* A uint64_t field of a stats struct, with its names in both formats. */
struct field {
	const char *key;    /* JSON */
	const char *metric; /* Prometheus family */
	const char *type;   /* "counter" or "gauge" */
	const char *help;
	size_t off;
	int unit;
};

#define CORE(f) offsetof(struct uftp_core_stats, f)
static const struct field core_fields[] = {
    {"rx_datagrams", "uftp_received_datagrams_total", "counter",
     "Datagrams fed to the protocol core.", CORE(rx_datagrams), U_COUNT},
    {"tx_datagrams", "uftp_sent_datagrams_total", "counter",
     "Datagrams the protocol core handed out to send.", CORE(tx_datagrams), U_COUNT},
    {"tx_bytes", "uftp_sent_bytes_total", "counter",
     "Bytes of the datagrams the protocol core handed out.", CORE(tx_bytes), U_COUNT},
    {"tx_dropped", "uftp_unsent_datagrams_total", "counter",
     "Datagrams the protocol core could not queue or hand out.", CORE(tx_dropped), U_COUNT},
    {"sessions_started", "uftp_sessions_started_total", "counter", "Sessions created.",
     CORE(sessions_started), U_COUNT},
    {"sessions_aborted", "uftp_sessions_aborted_total", "counter",
     "Sessions ended by an ABORT or a timeout.", CORE(sessions_aborted), U_COUNT},
    {"sessions_evicted", "uftp_sessions_evicted_total", "counter",
     "Half-open sessions displaced by newcomers.", CORE(sessions_evicted), U_COUNT},
    {"sessions_refused", "uftp_sessions_refused_total", "counter",
     "New sessions refused for want of room.", CORE(sessions_refused), U_COUNT},
    {"files_done", "uftp_files_done_total", "counter",
     "Files finished (on receivers: received or skipped).", CORE(files_done), U_COUNT},
    {"files_failed", "uftp_files_failed_total", "counter",
     "Finished files that were rejected or failed.", CORE(files_failed), U_COUNT},
    {"events_lost", "uftp_events_lost_total", "counter",
     "Core events the daemon did not take in time.", CORE(events_lost), U_COUNT},
};

#define SESS(f) offsetof(struct uftp_session_stats, f)
static const struct field session_fields[] = {
    {"files_done", "uftp_session_files_done_total", "counter", "Files of the session finished.",
     SESS(files_done), U_COUNT},
    {"files_total", "uftp_session_files", "gauge",
     "Files in the session (0: this role does not know).", SESS(files_total), U_COUNT},
    {"bytes_done", "uftp_session_bytes_total", "counter",
     "Payload bytes of the session's finished files and of the current one.", SESS(bytes_done),
     U_COUNT},
    {"rate_bps", "uftp_session_rate_bytes_per_second", "gauge",
     "The session's configured or measured rate (0: unpaced or unknown).", SESS(rate_bps), U_BITS},
    {"elapsed_seconds", "uftp_session_elapsed_seconds", "gauge",
     "Time since the session began (0: not kept by this role).", SESS(elapsed_ns), U_NS},
    {"grtt_seconds", "uftp_session_grtt_seconds", "gauge", "The session's group round-trip time.",
     SESS(grtt_ns), U_NS},
    {"data_blocks", "uftp_session_data_blocks_total", "counter",
     "Data blocks sent (senders) or received (receivers).", SESS(data_sent), U_COUNT},
    {"data_blocks_resent", "uftp_session_data_blocks_resent_total", "counter",
     "Data blocks sent again for NAKs.", SESS(data_resent), U_COUNT},
    {"naks", "uftp_session_naks_total", "counter",
     "NAKed blocks received (senders) or sent (receivers).", SESS(naks), U_COUNT},
    {"file_bytes_done", "uftp_session_file_done_bytes", "gauge",
     "Bytes of the current file done (0 between files).", SESS(file_bytes_done), U_COUNT},
    {"file_bytes_total", "uftp_session_file_size_bytes", "gauge",
     "Size of the current file (0 between files).", SESS(file_bytes_total), U_COUNT},
};
/* The last two are the "file" object in JSON. */
#define SESSION_FILE_FIELDS 2

#define PEER(f) offsetof(struct uftp_peer_stats, f)
static const struct field peer_fields[] = {
    {"files_done", "uftp_peer_files_done_total", "counter", "Files the peer received.",
     PEER(files_done), U_COUNT},
    {"naks", "uftp_peer_naks_total", "counter", "NAKed blocks the peer reported.", PEER(naks),
     U_COUNT},
    {"rtt_seconds", "uftp_peer_rtt_seconds", "gauge",
     "The peer's last measured round-trip time (0: unknown).", PEER(rtt_ns), U_NS},
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t field_of(const void *st, const struct field *f)
{
	uint64_t v;

	memcpy(&v, (const char *)st + f->off, sizeof(v));
	return v;
}

static void put_json_value(struct uftp_text *t, uint64_t v, int unit)
{
	if (unit == U_NS)
		put_seconds(t, v);
	else
		put_u64(t, v);
}

static void put_metric_value(struct uftp_text *t, uint64_t v, int unit)
{
	if (unit == U_NS)
		put_seconds(t, v);
	else if (unit == U_BITS)
		put_fixed(t, v / 8, (v % 8) * 125, 3);
	else
		put_u64(t, v);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_fields(struct uftp_text *t, const void *st, const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uftp_text_printf(t, ",\"%s\":", f[i].key);
		put_json_value(t, field_of(st, &f[i]), f[i].unit);
	}
}

static void json_daemon(struct uftp_text *t, const struct uftp_daemon_info *info,
                        const struct uftp_core_stats *st, uint64_t now)
{
	add_str(t, "\"daemon\":{\"program\":");
	json_str(t, info->program);
	add_str(t, ",\"version\":");
	json_str(t, info->version);
	uftp_text_printf(t, ",\"pid\":%ld,\"role\":\"%s\",\"uptime_seconds\":", info->pid,
	                 uftp_role_name(st->role));
	put_seconds(t, now > info->started ? now - info->started : 0);
	add_str(t, "}");
}

static void json_counters(struct uftp_text *t, const struct uftp_core_stats *st)
{
	int r;

	uftp_text_printf(t, "\"counters\":{\"sessions_active\":%zu", st->sessions_active);
	json_fields(t, st, core_fields, NFIELDS(core_fields));
	add_str(t, "},\"dropped\":{");
	for (r = 0; r < UFTP_DROP_NREASONS; r++)
		uftp_text_printf(t, "%s\"%s\":%llu", r ? "," : "", uftp_drop_name(r),
		                 (unsigned long long)st->dropped[r]);
	add_str(t, "}");
}

static void json_peer(struct uftp_text *t, const struct uftp_peer_stats *ps)
{
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	uftp_peer_to_addr(&ps->addr, &a);
	uftp_text_printf(t, "{\"id\":\"0x%08X\",\"address\":", ps->id);
	json_str(t, ps->addr.ip.family ? uftp_addr_format(&a, buf, sizeof(buf)) : "");
	add_str(t, ",\"state\":");
	json_str(t, ps->state);
	uftp_text_printf(t, ",\"proxy\":%s,\"via\":", ps->is_proxy ? "true" : "false");
	if (ps->via)
		uftp_text_printf(t, "\"0x%08X\"", ps->via);
	else
		add_str(t, "null");
	json_fields(t, ps, peer_fields, NFIELDS(peer_fields));
	add_str(t, "}");
}

static void json_file(struct uftp_text *t, const struct uftp_session_stats *ss)
{
	if (ss->file == NULL) {
		add_str(t, ",\"file\":null");
		return;
	}
	add_str(t, ",\"file\":{\"name\":");
	json_str(t, ss->file);
	uftp_text_printf(t, ",\"bytes_done\":%llu,\"bytes_total\":%llu}",
	                 (unsigned long long)ss->file_bytes_done,
	                 (unsigned long long)ss->file_bytes_total);
}

static void json_session(struct uftp_text *t, const struct uftp_stats_view *v, size_t i,
                         const struct uftp_session_stats *ss)
{
	struct uftp_peer_stats ps;
	size_t j;

	uftp_text_printf(t, "{\"group_id\":\"0x%08X\",\"group_inst\":%u,\"server_id\":\"0x%08X\"",
	                 ss->group_id, ss->group_inst, ss->server_id);
	add_str(t, ",\"state\":");
	json_str(t, ss->state);
	json_file(t, ss);
	json_fields(t, ss, session_fields, NFIELDS(session_fields) - SESSION_FILE_FIELDS);
	uftp_text_printf(t, ",\"pass\":%u,\"peers\":[", ss->pass);
	for (j = 0; j < UFTP_STATSFMT_MAX_PEERS && v->peer(v->core, i, j, &ps) == 1; j++) {
		if (j)
			add_str(t, ",");
		json_peer(t, &ps);
	}
	add_str(t, "]}");
}

int uftp_stats_json(struct uftp_text *out, const struct uftp_stats_view *v,
                    const struct uftp_daemon_info *info, uint64_t now)
{
	struct uftp_session_stats ss;
	struct uftp_core_stats st;
	size_t i;

	v->get(v->core, &st);
	add_str(out, "{");
	json_daemon(out, info, &st, now);
	add_str(out, ",");
	json_counters(out, &st);
	add_str(out, ",\"sessions\":[");
	for (i = 0; i < UFTP_STATSFMT_MAX_SESSIONS && v->session(v->core, i, &ss, now) == 1; i++) {
		if (i)
			add_str(out, ",");
		json_session(out, v, i, &ss);
	}
	add_str(out, "]}\n");
	return out->err;
}

/* ---- Prometheus ---------------------------------------------------------- */

static void family(struct uftp_text *t, const char *name, const char *type, const char *help)
{
	uftp_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void label(struct uftp_text *t, const char *name, const char *value, int first)
{
	uftp_text_printf(t, "%s%s=\"", first ? "" : ",", name);
	put_escaped(t, value ? value : "", 0);
	add_str(t, "\"");
}

static void session_labels(struct uftp_text *t, const struct uftp_session_stats *ss)
{
	uftp_text_printf(t, "{group=\"0x%08X\",inst=\"%u\",server=\"0x%08X\"", ss->group_id,
	                 ss->group_inst, ss->server_id);
}

static void prom_core(struct uftp_text *t, const struct uftp_core_stats *st,
                      const struct uftp_daemon_info *info, uint64_t now)
{
	size_t i;
	int r;

	family(t, "uftp_info", "gauge", "The daemon's program, version and role (always 1).");
	add_str(t, "uftp_info{");
	label(t, "program", info->program, 1);
	label(t, "version", info->version, 0);
	label(t, "role", uftp_role_name(st->role), 0);
	add_str(t, "} 1\n");
	family(t, "uftp_uptime_seconds", "gauge", "Time since the daemon started.");
	add_str(t, "uftp_uptime_seconds ");
	put_seconds(t, now > info->started ? now - info->started : 0);
	add_str(t, "\n");
	family(t, "uftp_sessions_active", "gauge", "Sessions open now.");
	uftp_text_printf(t, "uftp_sessions_active %zu\n", st->sessions_active);
	for (i = 0; i < NFIELDS(core_fields); i++) {
		family(t, core_fields[i].metric, core_fields[i].type, core_fields[i].help);
		uftp_text_printf(t, "%s %llu\n", core_fields[i].metric,
		                 (unsigned long long)field_of(st, &core_fields[i]));
	}
	family(t, "uftp_dropped_datagrams_total", "counter",
	       "Inbound datagrams the protocol core dropped, by reason.");
	for (r = 0; r < UFTP_DROP_NREASONS; r++)
		uftp_text_printf(t, "uftp_dropped_datagrams_total{reason=\"%s\"} %llu\n",
		                 uftp_drop_name(r), (unsigned long long)st->dropped[r]);
}

/* The family of field f, or (f NULL) the state family named state. */
static void family_of(struct uftp_text *t, const struct field *f, const char *state,
                      const char *help)
{
	if (f)
		family(t, f->metric, f->type, f->help);
	else
		family(t, state, "gauge", help);
}

/* Ends a sample begun with its labels: the state label and 1 (f NULL), or st's field f. */
static void sample_end(struct uftp_text *t, const struct field *f, const void *st,
                       const char *state)
{
	if (f == NULL) {
		label(t, "state", state, 0);
		add_str(t, "} 1\n");
		return;
	}
	add_str(t, "} ");
	put_metric_value(t, field_of(st, f), f->unit);
	add_str(t, "\n");
}

#define SESSION_STATE "uftp_session_state"
#define PEER_STATE    "uftp_peer_state"

/* One family of per-session samples: field f, or the state (f NULL). */
static void prom_session_family(struct uftp_text *t, const struct uftp_stats_view *v,
                                const struct field *f, uint64_t now)
{
	struct uftp_session_stats ss;
	size_t i;

	family_of(t, f, SESSION_STATE, "The session's state (always 1).");
	for (i = 0; i < UFTP_STATSFMT_MAX_SESSIONS && v->session(v->core, i, &ss, now) == 1; i++) {
		add_str(t, f ? f->metric : SESSION_STATE);
		session_labels(t, &ss);
		sample_end(t, f, &ss, ss.state);
	}
}

/* One family of per-peer samples: field f, or the state (f NULL). */
static void prom_peer_family(struct uftp_text *t, const struct uftp_stats_view *v,
                             const struct field *f, uint64_t now)
{
	struct uftp_session_stats ss;
	struct uftp_peer_stats ps;
	size_t i, j;

	family_of(t, f, PEER_STATE, "The state of a session's peer (always 1).");
	for (i = 0; i < UFTP_STATSFMT_MAX_SESSIONS && v->session(v->core, i, &ss, now) == 1; i++) {
		for (j = 0; j < UFTP_STATSFMT_MAX_PEERS && v->peer(v->core, i, j, &ps) == 1; j++) {
			add_str(t, f ? f->metric : PEER_STATE);
			session_labels(t, &ss);
			uftp_text_printf(t, ",peer=\"0x%08X\"", ps.id);
			sample_end(t, f, &ps, ps.state);
		}
	}
}

int uftp_stats_prometheus(struct uftp_text *out, const struct uftp_stats_view *v,
                          const struct uftp_daemon_info *info, uint64_t now)
{
	struct uftp_core_stats st;
	size_t i;

	v->get(v->core, &st);
	prom_core(out, &st, info, now);
	prom_session_family(out, v, NULL, now);
	for (i = 0; i < NFIELDS(session_fields); i++)
		prom_session_family(out, v, &session_fields[i], now);
	prom_peer_family(out, v, NULL, now);
	for (i = 0; i < NFIELDS(peer_fields); i++)
		prom_peer_family(out, v, &peer_fields[i], now);
	return out->err;
}
