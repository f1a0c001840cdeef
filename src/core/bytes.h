/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Big-endian get/put helpers.  Callers check lengths before calling: these
 * never bounds-check.  Each returns the advanced pointer so codecs read as
 * p = put_u32be(p, v); p = get_u16be(&v, p);
 */
#ifndef UFTP_CORE_BYTES_H
#define UFTP_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint8_t *put_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *put_u16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put_u64be(uint8_t *p, uint64_t v)
{
	p = put_u32be(p, (uint32_t)(v >> 32));
	return put_u32be(p, (uint32_t)v);
}

static inline uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	if (n)
		memcpy(p, src, n);
	return p + n;
}

static inline uint8_t *put_zero(uint8_t *p, size_t n)
{
	if (n)
		memset(p, 0, n);
	return p + n;
}

static inline const uint8_t *get_u8(uint8_t *v, const uint8_t *p)
{
	*v = *p;
	return p + 1;
}

static inline const uint8_t *get_u16be(uint16_t *v, const uint8_t *p)
{
	*v = (uint16_t)((uint16_t)p[0] << 8 | p[1]);
	return p + 2;
}

static inline const uint8_t *get_u32be(uint32_t *v, const uint8_t *p)
{
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return p + 4;
}

static inline const uint8_t *get_u64be(uint64_t *v, const uint8_t *p)
{
	uint32_t hi, lo;

	p = get_u32be(&hi, p);
	p = get_u32be(&lo, p);
	*v = (uint64_t)hi << 32 | lo;
	return p;
}

static inline const uint8_t *get_bytes(void *dst, const uint8_t *p, size_t n)
{
	if (n)
		memcpy(dst, p, n);
	return p + n;
}

#endif
