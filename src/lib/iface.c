/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "core/err.h"
#include "lib/daemon.h"
#include "lib/iface.h"
#include "lib/log.h"
#include "lib/opts.h"

#define IFACE_MAX 256

static unsigned iff_flags(unsigned sysflags)
{
	unsigned f = 0;

	if (sysflags & IFF_UP)
		f |= UFTP_IFF_UP;
	if (sysflags & IFF_LOOPBACK)
		f |= UFTP_IFF_LOOPBACK;
	if (sysflags & IFF_MULTICAST)
		f |= UFTP_IFF_MULTICAST;
	return f;
}

/* Converts one getifaddrs entry; returns 0, or -1 to skip it. */
static int from_ifaddr(struct uftp_iface *out, const struct ifaddrs *ifa)
{
	int fam;

	if (!ifa->ifa_addr || !ifa->ifa_name)
		return -1;
	fam = ifa->ifa_addr->sa_family;
	if (fam != AF_INET && fam != AF_INET6)
		return -1;
	memset(out, 0, sizeof(*out));
	if (uftp_strlcpy(out->name, ifa->ifa_name, sizeof(out->name)) < 0)
		return -1;
	out->index = if_nametoindex(ifa->ifa_name);
	out->addr.len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	memcpy(&out->addr.ss, ifa->ifa_addr, out->addr.len);
	uftp_addr_set_port(&out->addr, 0);
	out->flags = iff_flags(ifa->ifa_flags);
	return 0;
}

int uftp_iface_list(struct uftp_iface *out, size_t cap)
{
	struct ifaddrs *all, *ifa;
	struct uftp_iface tmp;
	size_t n = 0;
	int rv = 0;

	if (getifaddrs(&all) < 0)
		return UFTP_ERR_IO;
	for (ifa = all; ifa; ifa = ifa->ifa_next) {
		if (from_ifaddr(&tmp, ifa) < 0)
			continue;
		if (n == cap) {
			rv = UFTP_ERR_NOSPACE;
			break;
		}
		out[n++] = tmp;
	}
	freeifaddrs(all);
	return rv < 0 ? rv : (int)n;
}

static int family_ok(const struct uftp_iface *i, int family)
{
	return family == AF_UNSPEC || uftp_addr_family(&i->addr) == family;
}

/* Prefers IPv4 when family is AF_UNSPEC: tries AF_INET, then any. */
static int pick(const struct uftp_iface *list, size_t n, int family,
                int (*match)(const struct uftp_iface *, const void *), const void *key)
{
	size_t i;
	int pass;

	for (pass = family == AF_UNSPEC ? 0 : 1; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if (family_ok(&list[i], pass == 0 ? AF_INET : family) &&
			    match(&list[i], key))
				return (int)i;
	return UFTP_ERR_INVALID;
}

static int match_name(const struct uftp_iface *i, const void *key)
{
	return strcmp(i->name, key) == 0;
}

static int match_index(const struct uftp_iface *i, const void *key)
{
	return i->index == *(const unsigned *)key;
}

int uftp_iface_find_name(const struct uftp_iface *list, size_t n, const char *name, int family)
{
	return pick(list, n, family, match_name, name);
}

int uftp_iface_find_index(const struct uftp_iface *list, size_t n, unsigned index, int family)
{
	return pick(list, n, family, match_index, &index);
}

int uftp_iface_find_addr(const struct uftp_iface *list, size_t n, const struct uftp_addr *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (uftp_addr_equal_host(&list[i].addr, addr))
			return (int)i;
	return UFTP_ERR_INVALID;
}

static int is_link_local(const struct uftp_addr *a)
{
	uint8_t b[16];

	return uftp_addr_to_bytes(a, b, sizeof(b)) == 16 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

/* Default candidates: rank 0 IPv4, 1 global IPv6, 2 link-local IPv6. */
static int default_rank(const struct uftp_iface *i)
{
	const unsigned want = UFTP_IFF_UP | UFTP_IFF_MULTICAST;

	if ((i->flags & want) != want || (i->flags & UFTP_IFF_LOOPBACK))
		return -1;
	if (uftp_addr_family(&i->addr) == AF_INET)
		return 0;
	return is_link_local(&i->addr) ? 2 : 1;
}

int uftp_iface_find_default(const struct uftp_iface *list, size_t n, int family)
{
	size_t i;
	int rank;

	for (rank = 0; rank < 3; rank++)
		for (i = 0; i < n; i++)
			if (family_ok(&list[i], family) && default_rank(&list[i]) == rank)
				return (int)i;
	return UFTP_ERR_INVALID;
}

static int lookup_in(const struct uftp_iface *list, size_t n, const char *spec, int family)
{
	struct uftp_addr a;
	int pos;

	if (uftp_addr_parse(&a, spec, 0) == 0)
		return uftp_iface_find_addr(list, n, &a);
	pos = uftp_iface_find_name(list, n, spec, family);
	if (pos >= 0)
		return pos;
	if (uftp_addr_resolve(&a, spec, 0, family) < 0)
		return UFTP_ERR_INVALID;
	return uftp_iface_find_addr(list, n, &a);
}

int uftp_iface_lookup(struct uftp_iface *out, const char *spec, int family)
{
	struct uftp_iface list[IFACE_MAX];
	int n = uftp_iface_list(list, IFACE_MAX);
	int pos;

	if (n < 0 && n != UFTP_ERR_NOSPACE)
		return n;
	pos = lookup_in(list, n < 0 ? IFACE_MAX : (size_t)n, spec, family);
	if (pos < 0)
		return pos;
	*out = list[pos];
	return 0;
}

int uftp_iface_default(struct uftp_iface *out, int family)
{
	struct uftp_iface list[IFACE_MAX];
	int n = uftp_iface_list(list, IFACE_MAX);
	int pos;

	if (n < 0 && n != UFTP_ERR_NOSPACE)
		return n;
	pos = uftp_iface_find_default(list, n < 0 ? IFACE_MAX : (size_t)n, family);
	if (pos < 0)
		return pos;
	*out = list[pos];
	return 0;
}

/* Adds ifc's index under its address family, once. */
static void ifset_add(struct uftp_ifset *set, const struct uftp_iface *ifc)
{
	int v6 = uftp_addr_family(&ifc->addr) == AF_INET6;
	unsigned *list = v6 ? set->v6 : set->v4;
	size_t *n = v6 ? &set->n6 : &set->n4;
	size_t i;

	for (i = 0; i < *n; i++)
		if (list[i] == ifc->index)
			return;
	if (*n < UFTP_IFSET_MAX)
		list[(*n)++] = ifc->index;
}

/* Every interface address that is up, multicast-capable and not loopback. */
static int ifset_all(struct uftp_ifset *set, struct uftp_addr *first)
{
	struct uftp_iface all[64];
	int i, m = uftp_iface_list(all, sizeof(all) / sizeof(all[0]));

	if (m < 0 && m != UFTP_ERR_NOSPACE)
		return EXIT_NET;
	if (m < 0)
		m = (int)(sizeof(all) / sizeof(all[0]));
	for (i = 0; i < m; i++) {
		if (!(all[i].flags & UFTP_IFF_UP) || (all[i].flags & UFTP_IFF_LOOPBACK) ||
		    !(all[i].flags & UFTP_IFF_MULTICAST))
			continue;
		if (uftp_addr_family(first) == AF_UNSPEC)
			*first = all[i].addr;
		ifset_add(set, &all[i]);
	}
	return 0;
}

int uftp_ifset_select(struct uftp_ifset *set, char *const *names, size_t n, int both_families,
                      struct uftp_addr *first)
{
	struct uftp_iface ifc;
	size_t k;

	uftp_addr_clear(first);
	if (!n)
		return ifset_all(set, first);
	for (k = 0; k < n; k++) {
		if (uftp_iface_lookup(&ifc, names[k], AF_UNSPEC) < 0) {
			log_warnx("-I %s: no such interface or address", names[k]);
			return EXIT_BADOPT;
		}
		if (k == 0)
			*first = ifc.addr;
		ifset_add(set, &ifc);
		if (!both_families)
			continue;
		if (uftp_iface_lookup(&ifc, names[k], AF_INET6) >= 0)
			ifset_add(set, &ifc);
		if (uftp_iface_lookup(&ifc, names[k], AF_INET) >= 0)
			ifset_add(set, &ifc);
	}
	return 0;
}

const unsigned *uftp_ifset_get(const struct uftp_ifset *set, int family, size_t *n)
{
	static const unsigned any = 0;
	int v6 = family == AF_INET6;

	*n = v6 ? set->n6 : set->n4;
	if (!*n) {
		*n = 1;
		return &any;
	}
	return v6 ? set->v6 : set->v4;
}
