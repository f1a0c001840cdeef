/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/addr.h"

static struct sockaddr_in *sin4(struct uftp_addr *a)
{
	return (struct sockaddr_in *)(void *)&a->ss;
}

static struct sockaddr_in6 *sin6(struct uftp_addr *a)
{
	return (struct sockaddr_in6 *)(void *)&a->ss;
}

static const struct sockaddr_in *csin4(const struct uftp_addr *a)
{
	return (const struct sockaddr_in *)(const void *)&a->ss;
}

static const struct sockaddr_in6 *csin6(const struct uftp_addr *a)
{
	return (const struct sockaddr_in6 *)(const void *)&a->ss;
}

void uftp_addr_clear(struct uftp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->ss.ss_family = AF_UNSPEC;
}

int uftp_addr_family(const struct uftp_addr *a)
{
	if (a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6)
		return a->ss.ss_family;
	return AF_UNSPEC;
}

int uftp_addr_from_bytes(struct uftp_addr *a, const void *bytes, size_t len, uint16_t port)
{
	uftp_addr_clear(a);
	if (len == 4) {
		sin4(a)->sin_family = AF_INET;
		memcpy(&sin4(a)->sin_addr, bytes, 4);
		a->len = sizeof(struct sockaddr_in);
	} else if (len == 16) {
		sin6(a)->sin6_family = AF_INET6;
		memcpy(&sin6(a)->sin6_addr, bytes, 16);
		a->len = sizeof(struct sockaddr_in6);
	} else {
		return UFTP_ERR_INVALID;
	}
	uftp_addr_set_port(a, port);
	return 0;
}

/* Address bytes and their length, or NULL for an empty address. */
static const uint8_t *addr_bytes(const struct uftp_addr *a, size_t *len)
{
	switch (uftp_addr_family(a)) {
	case AF_INET: *len = 4; return (const uint8_t *)&csin4(a)->sin_addr;
	case AF_INET6: *len = 16; return csin6(a)->sin6_addr.s6_addr;
	default: *len = 0; return NULL;
	}
}

int uftp_addr_to_bytes(const struct uftp_addr *a, void *buf, size_t cap)
{
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);

	if (!b)
		return UFTP_ERR_INVALID;
	if (cap < len)
		return UFTP_ERR_NOSPACE;
	memcpy(buf, b, len);
	return (int)len;
}

uint16_t uftp_addr_port(const struct uftp_addr *a)
{
	switch (uftp_addr_family(a)) {
	case AF_INET: return ntohs(csin4(a)->sin_port);
	case AF_INET6: return ntohs(csin6(a)->sin6_port);
	default: return 0;
	}
}

void uftp_addr_set_port(struct uftp_addr *a, uint16_t port)
{
	switch (uftp_addr_family(a)) {
	case AF_INET: sin4(a)->sin_port = htons(port); break;
	case AF_INET6: sin6(a)->sin6_port = htons(port); break;
	default: break;
	}
}

/* Parses a scope ("eth0" or "3") into an interface index; 0 when unknown. */
static uint32_t parse_scope(const char *s)
{
	char *end;
	unsigned long v;

	if (*s >= '0' && *s <= '9') {
		v = strtoul(s, &end, 10);
		return (*end || v > UINT32_MAX) ? 0 : (uint32_t)v;
	}
	return if_nametoindex(s);
}

static int parse_v6(struct uftp_addr *a, const char *s, uint16_t port)
{
	char tmp[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	char *pct;
	uint8_t b[16];
	uint32_t scope = 0;
	size_t n = strlen(s);

	if (n >= sizeof(tmp))
		return UFTP_ERR_INVALID;
	memcpy(tmp, s, n + 1);
	pct = strchr(tmp, '%');
	if (pct) {
		*pct = '\0';
		scope = parse_scope(pct + 1);
		if (!scope)
			return UFTP_ERR_INVALID;
	}
	if (inet_pton(AF_INET6, tmp, b) != 1)
		return UFTP_ERR_INVALID;
	uftp_addr_from_bytes(a, b, 16, port);
	sin6(a)->sin6_scope_id = scope;
	return 0;
}

int uftp_addr_parse(struct uftp_addr *a, const char *s, uint16_t port)
{
	uint8_t b[4];

	uftp_addr_clear(a);
	if (!s || !*s)
		return UFTP_ERR_INVALID;
	if (inet_pton(AF_INET, s, b) == 1)
		return uftp_addr_from_bytes(a, b, 4, port);
	if (strchr(s, ':'))
		return parse_v6(a, s, port);
	return UFTP_ERR_INVALID;
}

/* Parses a decimal port 1-65535 with nothing after it. */
static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return UFTP_ERR_INVALID;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return UFTP_ERR_INVALID;
	*port = (uint16_t)v;
	return 0;
}

/*
 * Splits "host", "host:port", "[v6]" or "[v6]:port" into host (copied to
 * buf) and port. A string with two or more colons and no brackets is a bare
 * IPv6 address.
 */
static int split_hostport(const char *s, char *buf, size_t cap, uint16_t *port)
{
	const char *hend, *colon = strrchr(s, ':');
	const char *pstr = NULL;
	size_t n;

	if (*s == '[') {
		hend = strchr(s, ']');
		if (!hend || (hend[1] && hend[1] != ':'))
			return UFTP_ERR_INVALID;
		pstr = hend[1] ? hend + 2 : NULL;
		s++;
	} else if (colon && strchr(s, ':') == colon) {
		hend = colon;
		pstr = colon + 1;
	} else {
		hend = s + strlen(s);
	}
	n = (size_t)(hend - s);
	if (n == 0 || n >= cap)
		return UFTP_ERR_INVALID;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return pstr ? parse_port(pstr, port) : 0;
}

int uftp_addr_parse_hostport(struct uftp_addr *a, const char *s, uint16_t default_port)
{
	char host[NI_MAXHOST];
	uint16_t port = default_port;
	int rv;

	uftp_addr_clear(a);
	if (!s)
		return UFTP_ERR_INVALID;
	rv = split_hostport(s, host, sizeof(host), &port);
	if (rv < 0)
		return rv;
	return uftp_addr_parse(a, host, port);
}

int uftp_addr_resolve(struct uftp_addr *a, const char *s, uint16_t default_port, int family)
{
	struct addrinfo hints, *res = NULL;
	char host[NI_MAXHOST];
	uint16_t port = default_port;
	int rv;

	uftp_addr_clear(a);
	if (!s)
		return UFTP_ERR_INVALID;
	rv = split_hostport(s, host, sizeof(host), &port);
	if (rv < 0)
		return rv;
	if (uftp_addr_parse(a, host, port) == 0 &&
	    (family == AF_UNSPEC || uftp_addr_family(a) == family))
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return UFTP_ERR_IO;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	uftp_addr_set_port(a, port);
	return 0;
}

static void put_str(char *buf, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	snprintf(buf, cap, "%s", s);
}

char *uftp_addr_ntop(const struct uftp_addr *a, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];
	char name[IF_NAMESIZE];
	int fam = uftp_addr_family(a);
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);
	int n;

	if (!b || !inet_ntop(fam, b, tmp, sizeof(tmp))) {
		put_str(buf, cap, "?");
		return buf;
	}
	if (fam == AF_INET6 && csin6(a)->sin6_scope_id) {
		if (if_indextoname(csin6(a)->sin6_scope_id, name))
			n = snprintf(buf, cap, "%s%%%s", tmp, name);
		else
			n = snprintf(buf, cap, "%s%%%u", tmp, csin6(a)->sin6_scope_id);
	} else {
		n = snprintf(buf, cap, "%s", tmp);
	}
	if (n < 0 || (size_t)n >= cap)
		put_str(buf, cap, "?");
	return buf;
}

char *uftp_addr_format(const struct uftp_addr *a, char *buf, size_t cap)
{
	char host[UFTP_ADDRSTRLEN];
	int n;

	uftp_addr_ntop(a, host, sizeof(host));
	if (uftp_addr_family(a) == AF_INET6)
		n = snprintf(buf, cap, "[%s]:%u", host, uftp_addr_port(a));
	else if (uftp_addr_family(a) == AF_INET)
		n = snprintf(buf, cap, "%s:%u", host, uftp_addr_port(a));
	else
		n = -1;
	if (n < 0 || (size_t)n >= cap)
		put_str(buf, cap, "?");
	return buf;
}

int uftp_addr_cmp(const struct uftp_addr *a, const struct uftp_addr *b)
{
	size_t la, lb;
	const uint8_t *ba = addr_bytes(a, &la);
	const uint8_t *bb = addr_bytes(b, &lb);
	int c;

	if (uftp_addr_family(a) != uftp_addr_family(b))
		return uftp_addr_family(a) < uftp_addr_family(b) ? -1 : 1;
	if (!ba)
		return 0;
	c = memcmp(ba, bb, la);
	if (c)
		return c < 0 ? -1 : 1;
	if (uftp_addr_port(a) != uftp_addr_port(b))
		return uftp_addr_port(a) < uftp_addr_port(b) ? -1 : 1;
	return 0;
}

static int same_scope(const struct uftp_addr *a, const struct uftp_addr *b)
{
	if (uftp_addr_family(a) != AF_INET6)
		return 1;
	return csin6(a)->sin6_scope_id == csin6(b)->sin6_scope_id;
}

int uftp_addr_equal(const struct uftp_addr *a, const struct uftp_addr *b)
{
	return uftp_addr_cmp(a, b) == 0 && same_scope(a, b);
}

int uftp_addr_equal_host(const struct uftp_addr *a, const struct uftp_addr *b)
{
	size_t la, lb;
	const uint8_t *ba = addr_bytes(a, &la);
	const uint8_t *bb = addr_bytes(b, &lb);

	if (!ba || !bb || la != lb)
		return 0;
	return memcmp(ba, bb, la) == 0 && same_scope(a, b);
}

int uftp_addr_is_multicast(const struct uftp_addr *a)
{
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);

	if (!b)
		return 0;
	if (len == 4)
		return (b[0] & 0xf0) == 0xe0;
	return b[0] == 0xff;
}

int uftp_addr_is_ssm(const struct uftp_addr *a)
{
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);

	if (!b)
		return 0;
	if (len == 4)
		return b[0] == 232;
	return b[0] == 0xff && (b[1] & 0xf0) == 0x30 && b[2] == 0 && b[3] == 0;
}

static int all_zero(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

int uftp_addr_is_any(const struct uftp_addr *a)
{
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);

	return b ? all_zero(b, len) : 0;
}

int uftp_addr_is_loopback(const struct uftp_addr *a)
{
	size_t len;
	const uint8_t *b = addr_bytes(a, &len);

	if (!b)
		return 0;
	if (len == 4)
		return b[0] == 127;
	return all_zero(b, 15) && b[15] == 1;
}

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void uftp_addr_unmap(struct uftp_addr *a)
{
	const uint8_t *b = csin6(a)->sin6_addr.s6_addr;
	uint8_t v4[4];
	uint16_t port;

	if (uftp_addr_family(a) != AF_INET6 || memcmp(b, v4mapped_prefix, 12) != 0)
		return;
	memcpy(v4, b + 12, 4);
	port = uftp_addr_port(a);
	uftp_addr_from_bytes(a, v4, 4, port);
}

void uftp_addr_map_v6(struct uftp_addr *a)
{
	uint8_t v6[16];
	uint16_t port;

	if (uftp_addr_family(a) != AF_INET)
		return;
	memcpy(v6, v4mapped_prefix, 12);
	memcpy(v6 + 12, &csin4(a)->sin_addr, 4);
	port = uftp_addr_port(a);
	uftp_addr_from_bytes(a, v6, 16, port);
}

int uftp_addr_any(struct uftp_addr *a, int family, uint16_t port)
{
	static const uint8_t zero[16];

	uftp_addr_clear(a);
	if (family == AF_INET)
		return uftp_addr_from_bytes(a, zero, 4, port);
	if (family == AF_INET6)
		return uftp_addr_from_bytes(a, zero, 16, port);
	return UFTP_ERR_INVALID;
}
