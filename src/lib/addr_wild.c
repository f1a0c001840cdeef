/* SPDX-License-Identifier: BSD-2-Clause */
/* The -P wildcard form ("230.5.5.x", "ff15::x") and member IDs. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/addr.h"
#include "lib/hostlist.h"

#define WILD_MAX 8 /* an IPv6 address has 8 groups, an IPv4 one 4 parts */

struct wild {
	char text[INET6_ADDRSTRLEN]; /* the input with each 'x' part turned to '0' */
	unsigned pos[WILD_MAX];      /* index of each 'x' part in the split text */
	unsigned nwild;
	unsigned nparts_right; /* parts after "::" */
	int has_gap;           /* the text contains "::" */
};

static int is_x(const char *p)
{
	return (*p == 'x' || *p == 'X') && (p[1] == '\0' || p[1] == '.' || p[1] == ':');
}

/*
 * Copies s into w->text, replacing parts that are a lone 'x' with '0' and
 * recording their part index (counted from the right of a "::" gap for parts
 * after it, flagged with 0x100).
 */
static int scan_wild(struct wild *w, const char *s, char sep)
{
	size_t i, n = strlen(s);
	unsigned part = 0;

	memset(w, 0, sizeof(*w));
	if (n == 0 || n >= sizeof(w->text))
		return UFTP_ERR_INVALID;
	for (i = 0; i <= n; i++) {
		int start = (i == 0 || s[i - 1] == sep);

		if (sep == ':' && start && s[i] == sep && i > 0 && !w->has_gap) {
			w->has_gap = 1;
			w->text[i] = s[i];
			part = 0;
			continue;
		}
		if (start && is_x(s + i)) {
			if (w->nwild == WILD_MAX)
				return UFTP_ERR_INVALID;
			w->pos[w->nwild++] = (w->has_gap ? 0x100u : 0u) | part;
			w->text[i] = '0';
			continue;
		}
		w->text[i] = s[i];
		if (s[i] == sep || s[i] == '\0')
			part++;
	}
	if (w->has_gap)
		w->nparts_right = part;
	return 0;
}

/* Index of wildcard k among the address's parts (total of them). */
static unsigned wild_index(const struct wild *w, unsigned k, unsigned total)
{
	unsigned p = w->pos[k];

	if (p & 0x100u)
		return total - w->nparts_right + (p & 0xffu);
	return p;
}

static int fill_wild(const struct wild *w, uint8_t *b, unsigned total, uftp_rand_fn rnd, void *ctx)
{
	unsigned k, idx, width = total == 4 ? 1 : 2;
	uint8_t r[2];
	int rv;

	for (k = 0; k < w->nwild; k++) {
		idx = wild_index(w, k, total);
		if (idx == 0 || idx >= total)
			return UFTP_ERR_INVALID;
		rv = rnd(ctx, r, width);
		if (rv < 0)
			return rv;
		memcpy(b + idx * width, r, width);
	}
	return 0;
}

int uftp_addr_parse_wild(struct uftp_addr *a, const char *s, uint16_t port, uftp_rand_fn rnd,
                         void *ctx)
{
	struct wild w;
	uint8_t b[16];
	int v6, rv;

	uftp_addr_clear(a);
	if (!s || !rnd)
		return UFTP_ERR_INVALID;
	v6 = strchr(s, ':') != NULL;
	rv = scan_wild(&w, s, v6 ? ':' : '.');
	if (rv < 0)
		return rv;
	if (v6 && strchr(s, '.') && w.nwild)
		return UFTP_ERR_INVALID;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, w.text, b) != 1)
		return UFTP_ERR_INVALID;
	rv = fill_wild(&w, b, v6 ? 8 : 4, rnd, ctx);
	if (rv < 0)
		return rv;
	uftp_addr_from_bytes(a, b, v6 ? 16 : 4, port);
	if (!uftp_addr_is_multicast(a)) {
		uftp_addr_clear(a);
		return UFTP_ERR_INVALID;
	}
	return 0;
}

static int parse_hex_id(uint32_t *id, const char *s)
{
	uint32_t v = 0;
	size_t n = 0;
	int d;

	for (; *s; s++, n++) {
		d = uftp_hexval(*s);
		if (d < 0 || n == 8)
			return UFTP_ERR_INVALID;
		v = v << 4 | (uint32_t)d;
	}
	if (n == 0)
		return UFTP_ERR_INVALID;
	*id = v;
	return 0;
}

int uftp_id_parse(uint32_t *id, const char *s)
{
	uint8_t b[4];
	uint32_t v;
	int rv;

	if (!s)
		return UFTP_ERR_INVALID;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		rv = parse_hex_id(&v, s + 2);
		if (rv < 0)
			return rv;
	} else if (inet_pton(AF_INET, s, b) == 1) {
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	} else {
		return UFTP_ERR_INVALID;
	}
	if (v == 0 || v == UINT32_MAX)
		return UFTP_ERR_INVALID;
	*id = v;
	return 0;
}

int uftp_id_from_addr(uint32_t *id, const struct uftp_addr *a)
{
	uint8_t b[16];
	int n = uftp_addr_to_bytes(a, b, sizeof(b));
	const uint8_t *p;

	if (n < 0)
		return n;
	p = b + n - 4;
	if (n == 4)
		*id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	else /* the reference reads the last 4 bytes in host (little-endian) order */
		*id = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return 0;
}

char *uftp_id_format(uint32_t id, char *buf, size_t cap)
{
	if (cap)
		snprintf(buf, cap, "0x%08X", (unsigned)id);
	return buf;
}
