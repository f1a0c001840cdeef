#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "lib/hostlist.h"

#define FIELD_MAX 96

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uftp_fp_parse(uint8_t fp[UFTP_FP_LEN], const char *s)
{
	uint8_t tmp[UFTP_FP_LEN];
	size_t i;
	int hi, lo;

	for (i = 0; i < UFTP_FP_LEN; i++) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return UFTP_ERR_INVALID;
		tmp[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i + 1 < UFTP_FP_LEN && *s++ != ':')
			return UFTP_ERR_INVALID;
	}
	if (*s)
		return UFTP_ERR_INVALID;
	memcpy(fp, tmp, UFTP_FP_LEN);
	return 0;
}

char *uftp_fp_format(const uint8_t fp[UFTP_FP_LEN], char *buf, size_t cap)
{
	size_t i, off = 0;

	if (cap < UFTP_FP_LEN * 3) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < UFTP_FP_LEN; i++) {
		snprintf(buf + off, cap - off, i ? ":%02X" : "%02X", fp[i]);
		off += i ? 3 : 2;
	}
	return buf;
}

/*
 * Copies the next '|'-separated field of *s, trimmed of blanks, into buf and
 * advances *s past the separator (to NULL after the last field).
 */
static int next_field(const char **s, char *buf, size_t cap)
{
	const char *p = *s, *bar = strchr(p, '|');
	const char *end = bar ? bar : p + strlen(p);
	size_t n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= cap)
		return UFTP_ERR_INVALID;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*s = bar ? bar + 1 : NULL;
	return 0;
}

static void hostent_clear(struct uftp_hostent *e)
{
	memset(e, 0, sizeof(*e));
	uftp_addr_clear(&e->addr);
}

/* Parses an optional last field: a fingerprint, then nothing more. */
static int parse_fp_tail(struct uftp_hostent *e, const char *s)
{
	char f[FIELD_MAX];

	if (!s)
		return 0;
	if (next_field(&s, f, sizeof(f)) < 0 || s)
		return UFTP_ERR_INVALID;
	if (uftp_fp_parse(e->fp, f) < 0)
		return UFTP_ERR_INVALID;
	e->has_fp = 1;
	return 0;
}

int uftp_hostent_parse_id(struct uftp_hostent *e, const char *s)
{
	char f[FIELD_MAX];
	int rv;

	hostent_clear(e);
	if (!s || next_field(&s, f, sizeof(f)) < 0 || uftp_id_parse(&e->id, f) < 0)
		return UFTP_ERR_INVALID;
	rv = parse_fp_tail(e, s);
	if (rv < 0)
		hostent_clear(e);
	return rv;
}

int uftp_hostent_parse_server(struct uftp_hostent *e, const char *s)
{
	char f[FIELD_MAX];
	int rv = UFTP_ERR_INVALID;

	hostent_clear(e);
	if (!s || next_field(&s, f, sizeof(f)) < 0 || uftp_id_parse(&e->id, f) < 0)
		return UFTP_ERR_INVALID;
	if (s && next_field(&s, f, sizeof(f)) == 0 && uftp_addr_parse(&e->addr, f, 0) == 0)
		rv = parse_fp_tail(e, s);
	if (rv < 0)
		hostent_clear(e);
	return rv;
}

int uftp_proxy_spec_parse(char *host, size_t cap, uint8_t fp[UFTP_FP_LEN], int *has_fp,
                          const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	*has_fp = 0;
	if (n == 0)
		return UFTP_ERR_INVALID;
	if (n >= cap)
		return UFTP_ERR_NOSPACE;
	if (slash && uftp_fp_parse(fp, slash + 1) < 0)
		return UFTP_ERR_INVALID;
	memcpy(host, s, n);
	host[n] = '\0';
	*has_fp = slash != NULL;
	return 0;
}
