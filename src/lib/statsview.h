/*
 * A struct uftp_stats_view (lib/statsfmt.h) for each role core: its own
 * stats.h getters behind one shape.  Inline, so a daemon links only the
 * core it uses.
 */
#ifndef UFTP_LIB_STATSVIEW_H
#define UFTP_LIB_STATSVIEW_H

#include "core/client.h"
#include "core/proxy.h"
#include "core/server.h"
#include "lib/statsfmt.h"

static inline void uftp_sv_client_get(const void *c, struct uftp_core_stats *st)
{
	uftp_client_get_stats(c, st);
}

static inline int uftp_sv_client_session(const void *c, size_t i, struct uftp_session_stats *ss,
                                         uint64_t now)
{
	return uftp_client_session_stats(c, i, ss, now);
}

static inline int uftp_sv_client_peer(const void *c, size_t i, size_t j, struct uftp_peer_stats *ps)
{
	return uftp_client_peer_stats(c, i, j, ps);
}

/* uftpd's core. */
static inline struct uftp_stats_view uftp_stats_view_client(const struct uftp_client *c)
{
	struct uftp_stats_view v = {c, uftp_sv_client_get, uftp_sv_client_session,
	                            uftp_sv_client_peer};

	return v;
}

static inline void uftp_sv_proxy_get(const void *p, struct uftp_core_stats *st)
{
	uftp_proxy_get_stats(p, st);
}

static inline int uftp_sv_proxy_session(const void *p, size_t i, struct uftp_session_stats *ss,
                                        uint64_t now)
{
	return uftp_proxy_session_stats(p, i, ss, now);
}

static inline int uftp_sv_proxy_peer(const void *p, size_t i, size_t j, struct uftp_peer_stats *ps)
{
	return uftp_proxy_peer_stats(p, i, j, ps);
}

/* uftpproxyd's core. */
static inline struct uftp_stats_view uftp_stats_view_proxy(const struct uftp_proxy *p)
{
	struct uftp_stats_view v = {p, uftp_sv_proxy_get, uftp_sv_proxy_session,
	                            uftp_sv_proxy_peer};

	return v;
}

static inline void uftp_sv_server_get(const void *s, struct uftp_core_stats *st)
{
	uftp_server_get_stats(s, st);
}

static inline int uftp_sv_server_session(const void *s, size_t i, struct uftp_session_stats *ss,
                                         uint64_t now)
{
	return uftp_server_session_stats(s, i, ss, now);
}

static inline int uftp_sv_server_peer(const void *s, size_t i, size_t j, struct uftp_peer_stats *ps)
{
	return uftp_server_peer_stats(s, i, j, ps);
}

/* uftp's core (for its progress line, or a control port later). */
static inline struct uftp_stats_view uftp_stats_view_server(const struct uftp_server *s)
{
	struct uftp_stats_view v = {s, uftp_sv_server_get, uftp_sv_server_session,
	                            uftp_sv_server_peer};

	return v;
}

#endif
