/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include "core/bytes.h"
#include "core/err.h"
#include "tests/unit/cutest.h"

static void test_strerror_known(void)
{
	CU_ASSERT_STRING_EQUAL(uftp_strerror(UFTP_OK), "success");
	CU_ASSERT_STRING_EQUAL(uftp_strerror(UFTP_ERR_TRUNCATED), "truncated input");
	CU_ASSERT_STRING_EQUAL(uftp_strerror(UFTP_ERR_AUTH), "authentication failed");
}

static void test_strerror_unknown(void)
{
	CU_ASSERT_STRING_EQUAL(uftp_strerror(-9999), "unknown error");
	CU_ASSERT_STRING_EQUAL(uftp_strerror(42), "unknown error");
}

static void test_bytes_roundtrip(void)
{
	uint8_t buf[15];
	const uint8_t want[15] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01,
	                          0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
	uint8_t *p = buf;
	const uint8_t *q = buf;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	p = put_u8(p, 0xab);
	p = put_u16be(p, 0x1234);
	p = put_u32be(p, 0xdeadbeef);
	p = put_u64be(p, 0x0102030405060708ULL);
	CU_ASSERT_EQUAL(p - buf, 15);
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
	q = get_u8(&v8, q);
	q = get_u16be(&v16, q);
	q = get_u32be(&v32, q);
	q = get_u64be(&v64, q);
	CU_ASSERT_EQUAL(q - buf, 15);
	CU_ASSERT_EQUAL(v8, 0xab);
	CU_ASSERT_EQUAL(v16, 0x1234);
	CU_ASSERT_EQUAL(v32, 0xdeadbeefU);
	CU_ASSERT_EQUAL(v64, 0x0102030405060708ULL);
}

static const struct cutest tests[] = {
    CUTEST(test_strerror_known),
    CUTEST(test_strerror_unknown),
    CUTEST(test_bytes_roundtrip),
};

CUTEST_MAIN("err", tests)
