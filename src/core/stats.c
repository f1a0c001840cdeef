/* SPDX-License-Identifier: BSD-2-Clause */
/* Drop reasons of the cores' stats (see stats.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/stats.h"

int uftp_drop_reason(int err)
{
	switch (err) {
	case UFTP_ERR_TRUNCATED:
	case UFTP_ERR_BADLEN:
	case UFTP_ERR_BADVALUE:
	case UFTP_ERR_VERSION: return UFTP_DROP_MALFORMED;
	case UFTP_ERR_UNKNOWN_TYPE:
	case UFTP_ERR_STATE: return UFTP_DROP_UNEXPECTED;
	case UFTP_ERR_AUTH:
	case UFTP_ERR_CRYPTO:
	case UFTP_ERR_KEYFILE: return UFTP_DROP_AUTH;
	case UFTP_ERR_REPLAY: return UFTP_DROP_REPLAY;
	case UFTP_ERR_NOSPACE:
	case UFTP_ERR_NOMEM: return UFTP_DROP_REFUSED;
	default: return UFTP_DROP_OTHER;
	}
}

const char *uftp_drop_name(int reason)
{
	static const char *const names[UFTP_DROP_NREASONS] = {
	    "malformed", "unknown", "unexpected", "auth", "replay", "refused", "other",
	};

	return reason >= 0 && reason < UFTP_DROP_NREASONS ? names[reason] : "other";
}

uint64_t uftp_drops_format(const struct uftp_core_stats *st, char *out, size_t cap)
{
	uint64_t total = 0;
	int r, off = 0;

	if (cap)
		out[0] = '\0';
	for (r = 0; r < UFTP_DROP_NREASONS; r++) {
		total += st->dropped[r];
		if (st->dropped[r] && off >= 0 && (size_t)off < cap)
			off += snprintf(out + off, cap - (size_t)off, "%s%s %llu", off ? ", " : "",
			                uftp_drop_name(r), (unsigned long long)st->dropped[r]);
	}
	return total;
}

size_t uftp_stats_nth(size_t n, size_t i, int (*live)(const void *arg, size_t k), const void *arg)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (live(arg, k) && i-- == 0)
			return k;
	return n;
}

void uftp_stats_session(struct uftp_session_stats *ss, uint32_t group_id, uint8_t group_inst,
                        uint32_t server_id, const char *state, uint64_t grtt)
{
	memset(ss, 0, sizeof(*ss));
	ss->group_id = group_id;
	ss->group_inst = group_inst;
	ss->server_id = server_id;
	ss->state = state;
	ss->grtt_ns = grtt;
}

int uftp_stats_upstream(struct uftp_peer_stats *ps, size_t j, uint32_t id,
                        const struct uftp_peer *addr, const char *state)
{
	if (j != 0)
		return 0;
	memset(ps, 0, sizeof(*ps));
	ps->id = id;
	ps->addr = *addr;
	ps->state = state;
	return 1;
}
