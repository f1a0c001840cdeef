/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpd: multicast memberships reconciled with the client core (member.h). */
#include "config.h"

#include <string.h>

#include "uftpd/member.h"

void uftpd_members_init(struct uftpd_members *m, uftpd_join_fn join, void *arg)
{
	memset(m, 0, sizeof(*m));
	m->join = join;
	m->arg = arg;
}

static void to_addr(const struct uftp_ipaddr *ip, struct uftp_addr *a)
{
	uftp_addr_from_bytes(a, ip->addr, ip->family == 6 ? 16 : 4, 0);
}

static int wanted(const struct uftp_addr *a, const struct uftp_addr *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (uftp_addr_equal_host(a, &want[i]))
			return 1;
	return 0;
}

/* Leaves every joined group that is not in want[0..n). */
static void leave_unwanted(struct uftpd_members *m, const struct uftp_addr *want, size_t n)
{
	size_t i = 0;

	while (i < m->n) {
		if (wanted(&m->joined[i], want, n)) {
			i++;
			continue;
		}
		m->join(m->arg, &m->joined[i], 0);
		m->joined[i] = m->joined[--m->n];
	}
}

size_t uftpd_members_sync(struct uftpd_members *m, const struct uftp_client *core)
{
	struct uftp_addr *want = m->want;
	uint64_t gen = uftp_client_groups_gen(core);
	size_t i, n, failed = 0;

	if (gen == m->gen)
		return 0;
	m->gen = gen;
	n = uftp_client_groups(core, m->ip, UFTP_CLIENT_MAX_SESSIONS);
	if (n > UFTP_CLIENT_MAX_SESSIONS)
		n = UFTP_CLIENT_MAX_SESSIONS; /* not reachable: one group per session at most */
	for (i = 0; i < n; i++)
		to_addr(&m->ip[i], &want[i]);
	leave_unwanted(m, want, n);
	for (i = 0; i < n; i++) {
		if (wanted(&want[i], m->joined, m->n))
			continue;
		if (m->join(m->arg, &want[i], 1) < 0) {
			failed++;
			continue;
		}
		m->joined[m->n++] = want[i];
	}
	return failed;
}

size_t uftpd_members_count(const struct uftpd_members *m)
{
	return m->n;
}
