/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cores' read-only stats (core/stats.h) rendered for operators: JSON
 * (the control port's uftp-status, GET /status) and the Prometheus text
 * exposition format 0.0.4 (uftp-metrics, GET /metrics).
 *
 * Pure: no clock, no socket, no file.  The caller passes the time and
 * the daemon's facts; the numbers come only through a stats view, i.e.
 * the role core's own getters, so there is one set of books.
 */
#ifndef UFTP_LIB_STATSFMT_H
#define UFTP_LIB_STATSFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

/* A growing text buffer that never grows past max bytes. */
struct uftp_text {
	char *p;    /* NUL-terminated while len < cap; NULL until the first append */
	size_t len; /* bytes written */
	size_t cap; /* bytes allocated */
	size_t max; /* the limit */
	int err;    /* 0, or UFTP_ERR_NOMEM (allocation failed or max reached): the text is cut */
};

/* An empty text of at most max bytes (no allocation yet). */
void uftp_text_init(struct uftp_text *t, size_t max);

/* Frees the text and empties it (max kept). */
void uftp_text_free(struct uftp_text *t);

/* Appends s[0..n); sets t->err and appends nothing when it does not fit. */
void uftp_text_add(struct uftp_text *t, const char *s, size_t n);

/* Appends a formatted string, as uftp_text_add. */
void uftp_text_printf(struct uftp_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * One role core seen through its stats.h getters (uftp_X_get_stats,
 * uftp_X_session_stats, uftp_X_peer_stats): lib/statsview.h makes one per
 * role.  core is borrowed; the functions are called with it.
 */
struct uftp_stats_view {
	const void *core;
	void (*get)(const void *core, struct uftp_core_stats *st);
	int (*session)(const void *core, size_t i, struct uftp_session_stats *ss, uint64_t now);
	int (*peer)(const void *core, size_t i, size_t j, struct uftp_peer_stats *ps);
};

/* What the daemon says of itself beside its core's numbers. */
struct uftp_daemon_info {
	const char *program; /* "uftpd" */
	const char *version; /* PACKAGE_VERSION */
	long pid;
	uint64_t started; /* when the daemon started, on the clock of now (ns) */
};

/* Sessions and peers per session rendered at most (the rest are counted only). */
#define UFTP_STATSFMT_MAX_SESSIONS 1024
#define UFTP_STATSFMT_MAX_PEERS    4096

/*
 * Appends the status document to out: one JSON object (UTF-8; names that
 * are not valid UTF-8 get U+FFFD for each bad byte) and a newline.
 * Returns 0, or UFTP_ERR_NOMEM when out hit its limit (out->err is set).
 */
int uftp_stats_json(struct uftp_text *out, const struct uftp_stats_view *v,
                    const struct uftp_daemon_info *info, uint64_t now);

/*
 * Appends the metrics in the Prometheus text format (version 0.0.4): HELP
 * and TYPE lines for every family, counters named *_total, label values
 * escaped.  Returns 0 or UFTP_ERR_NOMEM, as uftp_stats_json.
 */
int uftp_stats_prometheus(struct uftp_text *out, const struct uftp_stats_view *v,
                          const struct uftp_daemon_info *info, uint64_t now);

/* A role's name as rendered: "server", "client", "proxy" ("unknown" otherwise). */
const char *uftp_role_name(int role);

#endif
