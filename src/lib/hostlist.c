/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "lib/hostlist.h"

#define FIELD_MAX 96

int uftp_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One group of one or two hex digits at *s; advances *s past it.  The byte, or -1. */
static int fp_group(const char **s)
{
	int hi = uftp_hexval(**s), lo;

	if (hi < 0)
		return -1;
	(*s)++;
	lo = uftp_hexval(**s);
	if (lo < 0)
		return hi;
	(*s)++;
	return hi << 4 | lo;
}

int uftp_fp_parse(uint8_t fp[UFTP_FP_LEN], const char *s)
{
	uint8_t tmp[UFTP_FP_LEN];
	size_t i;
	int v;

	if (fp == NULL || s == NULL)
		return UFTP_ERR_INVALID;
	for (i = 0; i < UFTP_FP_LEN; i++) {
		if (i > 0 && *s++ != ':')
			return UFTP_ERR_INVALID;
		v = fp_group(&s);
		if (v < 0)
			return UFTP_ERR_INVALID;
		tmp[i] = (uint8_t)v;
	}
	if (*s != '\0')
		return UFTP_ERR_INVALID;
	memcpy(fp, tmp, UFTP_FP_LEN);
	return 0;
}

int uftp_fp_format(char *out, size_t cap, const uint8_t fp[UFTP_FP_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	char *p = out;

	if (out == NULL || fp == NULL || cap < UFTP_FP_STRLEN)
		return UFTP_ERR_NOSPACE;
	for (i = 0; i < UFTP_FP_LEN; i++) {
		if (i)
			*p++ = ':';
		*p++ = hex[fp[i] >> 4];
		*p++ = hex[fp[i] & 0xf];
	}
	*p = '\0';
	return (int)(p - out);
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
