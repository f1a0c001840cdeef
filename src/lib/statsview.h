/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A struct uftp_stats_view (lib/statsfmt.h) for each role core: its own
 * stats.h getters behind one shape.  Inline, so a daemon links only the
 * core it uses:
 *
 *   struct uftp_stats_view uftp_stats_view_client(const struct uftp_client *c);  (uftpd)
 *   struct uftp_stats_view uftp_stats_view_proxy(const struct uftp_proxy *p);    (uftpproxyd)
 *   struct uftp_stats_view uftp_stats_view_server(const struct uftp_server *s);  (uftp)
 */
#ifndef UFTP_LIB_STATSVIEW_H
#define UFTP_LIB_STATSVIEW_H

#include "core/client.h"
#include "core/proxy.h"
#include "core/server.h"
#include "lib/statsfmt.h"

/* The three getters of role X behind void pointers, and the view made of them. */
#define UFTP_STATS_VIEW(X)                                                                         \
	static inline void uftp_sv_##X##_get(const void *core, struct uftp_core_stats *st)         \
	{                                                                                          \
		uftp_##X##_get_stats(core, st);                                                    \
	}                                                                                          \
	static inline int uftp_sv_##X##_session(const void *core, size_t i,                        \
	                                        struct uftp_session_stats *ss, uint64_t now)       \
	{                                                                                          \
		return uftp_##X##_session_stats(core, i, ss, now);                                 \
	}                                                                                          \
	static inline int uftp_sv_##X##_peer(const void *core, size_t i, size_t j,                 \
	                                     struct uftp_peer_stats *ps)                           \
	{                                                                                          \
		return uftp_##X##_peer_stats(core, i, j, ps);                                      \
	}                                                                                          \
	static inline struct uftp_stats_view uftp_stats_view_##X(const struct uftp_##X *core) {    \
		struct uftp_stats_view v = {core, uftp_sv_##X##_get, uftp_sv_##X##_session,        \
		                            uftp_sv_##X##_peer};                                   \
		return v;                                                                          \
	}

UFTP_STATS_VIEW(client)
UFTP_STATS_VIEW(proxy)
UFTP_STATS_VIEW(server)

#endif
