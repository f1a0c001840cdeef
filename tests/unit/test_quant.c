/* SPDX-License-Identifier: BSD-2-Clause */
/* GRTT (RFC 5401 3.7) and group size quantization, against the floating-point definitions. */
#include "config.h"

#include <math.h>

#include "core/quant.h"
#include "tests/unit/cutest.h"

/* RFC 5401's formula, literally, with RTT_MIN 1e-6 s and RTT_MAX 1000 s. */
static unsigned rfc_quantize(double rtt)
{
	if (rtt > 1000.0)
		rtt = 1000.0;
	else if (rtt < 1.0e-6)
		rtt = 1.0e-6;
	if (rtt < 3.3e-5)
		return (unsigned)(rtt / 1.0e-6) - 1;
	return (unsigned)ceil(255.0 - 13.0 * log(1000.0 / rtt));
}

static double rfc_unquantize(unsigned q)
{
	return q <= 31 ? (q + 1) * 1.0e-6 : 1000.0 / exp((255.0 - q) / 13.0);
}

static void test_grtt_known(void)
{
	CU_ASSERT_EQUAL(uftp_grtt_quantize(0), 0);
	CU_ASSERT_EQUAL(uftp_grtt_quantize(1000), 0);         /* 1 us */
	CU_ASSERT_EQUAL(uftp_grtt_quantize(32000), 31);       /* 32 us */
	CU_ASSERT_EQUAL(uftp_grtt_quantize(33000), 32);       /* log region starts */
	CU_ASSERT_EQUAL(uftp_grtt_quantize(500000000), 157);  /* 0.5 s: ceil(156.19) */
	CU_ASSERT_EQUAL(uftp_grtt_quantize(1000000000), 166); /* 1 s: ceil(165.2) */
	CU_ASSERT_EQUAL(uftp_grtt_quantize(1000000000000ULL), 255);
	CU_ASSERT_EQUAL(uftp_grtt_quantize(UINT64_MAX), 255);
	CU_ASSERT_EQUAL(uftp_grtt_unquantize(0), 1000);
	CU_ASSERT_EQUAL(uftp_grtt_unquantize(31), 32000);
	CU_ASSERT_EQUAL(uftp_grtt_unquantize(255), 1000000000000ULL);
}

static void test_grtt_roundtrip(void)
{
	unsigned q;

	for (q = 0; q < 256; q++) {
		uint64_t ns = uftp_grtt_unquantize((uint8_t)q);

		CU_ASSERT_EQUAL(uftp_grtt_quantize(ns), q);
		/* the table agrees with the formula to within 1 ns */
		CU_ASSERT(fabs((double)ns - rfc_unquantize(q) * 1e9) < 1.0);
		if (q > 0)
			CU_ASSERT(ns > uftp_grtt_unquantize((uint8_t)(q - 1)));
	}
}

static void test_grtt_matches_formula(void)
{
	double ns;
	unsigned bad = 0;

	/* 1 ns .. 2000 s in 0.1% steps, off the exact boundaries */
	for (ns = 1.0; ns < 2e12; ns *= 1.001) {
		uint64_t i = (uint64_t)ns;

		if (uftp_grtt_quantize(i) != rfc_quantize((double)i / 1e9))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_gsize_known(void)
{
	CU_ASSERT_EQUAL(uftp_gsize_quantize(0), 0x00);
	/* as captured from the real 4.10.2 server (tests/vectors) */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(1), 0x18);          /* m 3: 0.9375 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(2), 0x30);          /* m 6: 1.875 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(9), 28 << 3 | 0);   /* 8.75 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(10), 3 << 3 | 1);   /* 9.375 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(96), 30 << 3 | 1);  /* 93.75 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(97), 31 << 3 | 1);  /* 96.875 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(1000), 3 << 3 | 3); /* 937.5 */
	CU_ASSERT_EQUAL(uftp_gsize_quantize(UFTP_GSIZE_MAX), 0xff);
	CU_ASSERT_EQUAL(uftp_gsize_quantize(UFTP_GSIZE_MAX + 1), 0xff);
	CU_ASSERT_EQUAL(uftp_gsize_quantize(UINT32_MAX), 0xff);
	CU_ASSERT_EQUAL(uftp_gsize_unquantize_milli(0x18), 937);
	CU_ASSERT_EQUAL(uftp_gsize_unquantize_milli(0x30), 1875);
	CU_ASSERT_EQUAL(uftp_gsize_unquantize_milli(3 << 3 | 1), 9375);
	CU_ASSERT_EQUAL(uftp_gsize_unquantize_milli(0xff), 96875000000ULL);
}

static void test_gsize_roundtrip(void)
{
	uint32_t n;
	unsigned q;

	for (n = 1; n < 2000000; n += 1 + n / 100) {
		uint8_t c = uftp_gsize_quantize(n);
		uint64_t v = uftp_gsize_unquantize_milli(c);

		/* truncation: never above n, and one mantissa step more would be */
		CU_ASSERT(v <= (uint64_t)n * 1000);
		if ((c >> 3) < 31)
			CU_ASSERT(uftp_gsize_unquantize_milli((uint8_t)(c + 8)) >
			          (uint64_t)n * 1000);
	}
	/* a code whose value is a whole number re-quantizes to itself */
	for (q = 0; q < 256; q++) {
		uint64_t v = uftp_gsize_unquantize_milli((uint8_t)q);

		if (v % 1000 == 0 && v > 0)
			CU_ASSERT_EQUAL(
			    uftp_gsize_unquantize_milli(uftp_gsize_quantize((uint32_t)(v / 1000))),
			    v);
	}
}

static const struct cutest tests[] = {
    CUTEST(test_grtt_known),  CUTEST(test_grtt_roundtrip),  CUTEST(test_grtt_matches_formula),
    CUTEST(test_gsize_known), CUTEST(test_gsize_roundtrip),
};

CUTEST_MAIN("quant", tests)
