/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the wire codec tests: every vector is decoded from an
 * exact-size heap copy (so sanitizers catch any over-read), re-encoded and
 * compared byte for byte, then truncated and given bad header lengths.
 */
#ifndef UFTP_TESTS_TEST_MSG_H
#define UFTP_TESTS_TEST_MSG_H

#include "core/err.h"
#include "core/msg.h"
#include "tests/unit/cutest.h"

#define VEC_MAX 4096

/* Parses a hex vector; fails the test (and returns 0) if it is malformed. */
static inline size_t vec(const char *hex, uint8_t *buf)
{
	long n = cutest_unhex(hex, buf, VEC_MAX);

	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

/* Decodes len bytes of v as func from an exact-size copy. */
static inline ssize_t dec_copy(struct uftp_msg *m, uint8_t func, const uint8_t *v, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	ssize_t rv;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, v, len);
	rv = uftp_decode_msg(m, func, copy, len);
	free(copy);
	return rv;
}

/* Decodes v fully, checks encode(decode(v)) == v and NOSPACE for every smaller cap. */
static inline void check_roundtrip(uint8_t func, const uint8_t *v, size_t n)
{
	struct uftp_msg m;
	uint8_t out[VEC_MAX];
	size_t cap;

	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, func, v, n), (ssize_t)n);
	CU_ASSERT_EQUAL(m.func, func);
	CU_ASSERT_EQUAL_FATAL(uftp_encode_msg(out, sizeof(out), &m), (ssize_t)n);
	CU_ASSERT_EQUAL(memcmp(out, v, n), 0);
	for (cap = 0; cap < n; cap++)
		CU_ASSERT_EQUAL(uftp_encode_msg(out, cap, &m), UFTP_ERR_NOSPACE);
}

/* Every length below min is TRUNCATED; every length from min to n is handled without crashing. */
static inline void check_truncations(uint8_t func, const uint8_t *v, size_t n, size_t min)
{
	struct uftp_msg m;
	size_t len;

	for (len = 0; len < min; len++)
		CU_ASSERT_EQUAL(dec_copy(&m, func, v, len), UFTP_ERR_TRUNCATED);
	for (; len < n; len++) {
		ssize_t rv = dec_copy(&m, func, v, len);

		CU_ASSERT(rv < 0 || rv == (ssize_t)len);
	}
}

/*
 * Header Length (byte 1) below the fixed part is BADLEN; beyond the data it
 * is TRUNCATED.
 */
static inline void check_hlen(uint8_t func, const uint8_t *v, size_t n, size_t fixed)
{
	struct uftp_msg m;
	uint8_t buf[VEC_MAX];
	unsigned w;

	memcpy(buf, v, n);
	for (w = 0; w * 4 < fixed; w++) {
		buf[1] = (uint8_t)w;
		CU_ASSERT_EQUAL(uftp_decode_msg(&m, func, buf, n), UFTP_ERR_BADLEN);
	}
	for (w = (unsigned)(n / 4) + 1; w < 256; w++) {
		buf[1] = (uint8_t)w;
		CU_ASSERT_EQUAL(uftp_decode_msg(&m, func, buf, n), UFTP_ERR_TRUNCATED);
	}
}

/* A wrong Function byte is BADVALUE. */
static inline void check_func(uint8_t func, const uint8_t *v, size_t n)
{
	struct uftp_msg m;
	uint8_t buf[VEC_MAX];

	memcpy(buf, v, n);
	buf[0] = (uint8_t)(func == 1 ? 2 : 1);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, func, buf, n), UFTP_ERR_BADVALUE);
}

/* All of the above for a well-formed vector whose header is hlen bytes. */
static inline void check_all(uint8_t func, const uint8_t *v, size_t n, size_t fixed, size_t hlen)
{
	check_roundtrip(func, v, n);
	check_truncations(func, v, n, hlen);
	check_hlen(func, v, n, fixed);
	check_func(func, v, n);
}

/* Decodes hex with one byte patched; returns the decoder's result. */
static inline ssize_t dec_patched(uint8_t func, const char *hex, size_t off, uint8_t val)
{
	struct uftp_msg m;
	uint8_t buf[VEC_MAX];
	size_t n = vec(hex, buf);

	buf[off] = val;
	return uftp_decode_msg(&m, func, buf, n);
}

/* Decodes hex with extra bytes appended; returns the decoder's result. */
static inline ssize_t dec_appended(uint8_t func, const char *hex, const char *tail)
{
	struct uftp_msg m;
	uint8_t buf[VEC_MAX];
	size_t n = vec(hex, buf);
	long t = cutest_unhex(tail, buf + n, VEC_MAX - n);

	CU_ASSERT_FATAL(t >= 0);
	return uftp_decode_msg(&m, func, buf, n + (size_t)t);
}

#endif
