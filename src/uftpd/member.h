/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's multicast memberships, reconciled with the client core: the
 * core says which private groups its live sessions need
 * (uftp_client_groups()); this module keeps the set the daemon has joined
 * and, whenever the core's generation changes, leaves what is no longer
 * needed and joins what is new.  Nothing is inferred from events, so no
 * membership can leak or be missed, whatever the traffic.
 */
#ifndef UFTP_UFTPD_MEMBER_H
#define UFTP_UFTPD_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "core/client.h"
#include "lib/addr.h"

/*
 * Joins (join = 1) or leaves (0) group g with the sockets and interfaces
 * the driver uses; returns 0 or a negative uftp_err.
 */
typedef int (*uftpd_join_fn)(void *arg, const struct uftp_addr *g, int join);

struct uftpd_members {
	uftpd_join_fn join;
	void *arg;
	uint64_t gen; /* the core's generation last reconciled (0: never) */
	size_t n;
	struct uftp_addr joined[UFTP_CLIENT_MAX_SESSIONS];
	struct uftp_ipaddr ip[UFTP_CLIENT_MAX_SESSIONS]; /* scratch: the core's set */
	struct uftp_addr want[UFTP_CLIENT_MAX_SESSIONS]; /* scratch: the same as addresses */
};

/* Starts with nothing joined; join/arg are borrowed. */
void uftpd_members_init(struct uftpd_members *m, uftpd_join_fn join, void *arg);

/*
 * Makes the joined set equal to the groups core needs, if its generation
 * changed since the last call: leaves first (so a full per-socket
 * membership table has room), then joins.  Returns the number of groups
 * that could not be joined (they are tried again at the next change).
 */
size_t uftpd_members_sync(struct uftpd_members *m, const struct uftp_client *core);

/* Number of groups joined. */
size_t uftpd_members_count(const struct uftpd_members *m);

#endif
