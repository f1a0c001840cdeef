/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Restart files of uftp -f / -F: the codec only (the driver reads and
 * writes the file).  The layout is the reference's, recorded in server.h;
 * every field is checked before use since the file may be damaged.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/server.h"

#define HOST_NAME_LEN 80 /* ID as text */
#define HOST_ID_OFF   80
#define HOST_FLAG_OFF 84
#define HOST_FP_OFF   88

size_t uftp_restart_size(const struct uftp_restart *r)
{
	return UFTP_RESTART_HDR_LEN + r->nfiles * UFTP_RESTART_NAME_LEN +
	       r->nhosts * UFTP_RESTART_HOST_LEN;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_host(uint8_t *p, const struct uftp_peer_key *h, const char *name)
{
	if (name && name[0] && strlen(name) < HOST_NAME_LEN)
		memcpy(p, name, strlen(name));
	else
		snprintf((char *)p, HOST_NAME_LEN, "0x%08X", h->id);
	put_u32be(p + HOST_ID_OFF, h->id);
	p[HOST_FLAG_OFF] = h->has_fp ? 1 : 0;
	if (h->has_fp)
		memcpy(p + HOST_FP_OFF, h->fp, UFTP_FP_LEN);
}

ssize_t uftp_restart_encode(uint8_t *out, size_t cap, const struct uftp_restart *r)
{
	size_t i, len, need = uftp_restart_size(r);
	uint8_t *p = out;

	if (cap < need)
		return UFTP_ERR_NOSPACE;
	for (i = 0; i < r->nfiles; i++) {
		len = strlen(r->files[i]);
		if (len == 0 || len >= UFTP_RESTART_NAME_LEN)
			return UFTP_ERR_INVALID;
	}
	memset(out, 0, need);
	put_u32le(p, r->group_id);
	p[4] = r->group_inst;
	put_u32le(p + 8, (uint32_t)r->nfiles);
	p += UFTP_RESTART_HDR_LEN;
	for (i = 0; i < r->nfiles; i++, p += UFTP_RESTART_NAME_LEN)
		memcpy(p, r->files[i], strlen(r->files[i]));
	for (i = 0; i < r->nhosts; i++, p += UFTP_RESTART_HOST_LEN)
		put_host(p, &r->hosts[i], r->host_names ? r->host_names[i] : NULL);
	return (ssize_t)need;
}

/* A name record must hold a non-empty, NUL-terminated name. */
static const char *get_name(const uint8_t *p)
{
	if (p[0] == '\0' || memchr(p, '\0', UFTP_RESTART_NAME_LEN) == NULL)
		return NULL;
	return (const char *)p;
}

static int get_host(struct uftp_peer_key *h, const uint8_t *p)
{
	memset(h, 0, sizeof(*h));
	get_u32be(&h->id, p + HOST_ID_OFF);
	if (h->id == 0 || p[HOST_FLAG_OFF] > 1)
		return UFTP_ERR_BADVALUE;
	h->has_fp = p[HOST_FLAG_OFF];
	if (h->has_fp)
		memcpy(h->fp, p + HOST_FP_OFF, UFTP_FP_LEN);
	return 0;
}

static const char *get_host_name(const uint8_t *p)
{
	if (p[0] == '\0' || memchr(p, '\0', HOST_NAME_LEN) == NULL)
		return NULL;
	return (const char *)p;
}

static int decode_parts(struct uftp_restart *r, const char **files, const char **names,
                        const uint8_t *buf)
{
	const uint8_t *p = buf + UFTP_RESTART_HDR_LEN;
	size_t i;
	int rv;

	for (i = 0; i < r->nfiles; i++, p += UFTP_RESTART_NAME_LEN) {
		files[i] = get_name(p);
		if (files[i] == NULL)
			return UFTP_ERR_BADVALUE;
	}
	for (i = 0; i < r->nhosts; i++, p += UFTP_RESTART_HOST_LEN) {
		rv = get_host(&r->hosts[i], p);
		if (rv < 0)
			return rv;
		names[i] = get_host_name(p);
	}
	return 0;
}

int uftp_restart_decode(struct uftp_restart *r, const uint8_t *buf, size_t len)
{
	const char **files, **names = NULL;
	uint32_t nfiles;
	size_t rest;
	int rv;

	memset(r, 0, sizeof(*r));
	if (len < UFTP_RESTART_HDR_LEN)
		return UFTP_ERR_TRUNCATED;
	nfiles = get_u32le(buf + 8);
	if (nfiles == 0)
		return UFTP_ERR_BADVALUE;
	if (nfiles > (len - UFTP_RESTART_HDR_LEN) / UFTP_RESTART_NAME_LEN)
		return UFTP_ERR_TRUNCATED;
	rest = len - UFTP_RESTART_HDR_LEN - (size_t)nfiles * UFTP_RESTART_NAME_LEN;
	if (rest % UFTP_RESTART_HOST_LEN != 0)
		return UFTP_ERR_BADLEN;
	r->group_id = get_u32le(buf);
	r->group_inst = buf[4];
	r->nfiles = nfiles;
	r->nhosts = rest / UFTP_RESTART_HOST_LEN;
	files = calloc(nfiles, sizeof(*files));
	r->files = files;
	if (r->nhosts) {
		r->hosts = calloc(r->nhosts, sizeof(*r->hosts));
		names = calloc(r->nhosts, sizeof(*names));
		r->host_names = names;
	}
	if (r->files == NULL || (r->nhosts && (r->hosts == NULL || names == NULL))) {
		uftp_restart_free(r);
		return UFTP_ERR_NOMEM;
	}
	rv = decode_parts(r, files, names, buf);
	if (rv < 0)
		uftp_restart_free(r);
	return rv;
}

void uftp_restart_free(struct uftp_restart *r)
{
	free((void *)(uintptr_t)r->files);
	free((void *)(uintptr_t)r->host_names);
	free(r->hosts);
	memset(r, 0, sizeof(*r));
}
