/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include "core/err.h"
#include "core/proto.h"
#include "core/section.h"
#include "tests/unit/cutest.h"

static void test_small_files(void)
{
	struct uftp_sections l;

	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 0, 1300), 0);
	CU_ASSERT_EQUAL(l.nblocks, 0);
	CU_ASSERT_EQUAL(l.nsections, 0);
	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 3000, 1300), 0);
	CU_ASSERT_EQUAL(l.nblocks, 3);
	CU_ASSERT_EQUAL(l.nsections, 1);
	CU_ASSERT_EQUAL(uftp_section_len(&l, 0), 3);
	/* one block past a full section: two sections, the first one block longer */
	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 10401ULL * 1300, 1300), 0);
	CU_ASSERT_EQUAL(l.nblocks, 10401);
	CU_ASSERT_EQUAL(l.nsections, 2);
	CU_ASSERT_EQUAL(uftp_section_len(&l, 0), 5201);
	CU_ASSERT_EQUAL(uftp_section_len(&l, 1), 5200);
	CU_ASSERT_EQUAL(uftp_section_start(&l, 1), 5201);
}

static void test_bad_block_size(void)
{
	struct uftp_sections l;

	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 100, 0), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 100, UFTP_MIN_BLOCK - 1), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sections_layout(&l, 100, UFTP_MAX_BLOCK + 1), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_sections_max_size(0), 0);
}

/* Every block size: the largest size fits 65536 sections exactly, one byte more is refused. */
static void test_section_limit_every_block_size(void)
{
	struct uftp_sections l;
	uint64_t max;
	unsigned b;
	int bad = 0;

	for (b = UFTP_MIN_BLOCK; b <= UFTP_MAX_BLOCK; b++) {
		max = uftp_sections_max_size((uint16_t)b);
		if (max != (uint64_t)UFTP_MAX_SECTIONS * 8 * b * b)
			bad++;
		if (uftp_sections_layout(&l, max, (uint16_t)b) != 0 ||
		    l.nsections != UFTP_MAX_SECTIONS ||
		    uftp_section_len(&l, UFTP_MAX_SECTIONS - 1) != 8u * b)
			bad++;
		if (uftp_sections_layout(&l, max + 1, (uint16_t)b) != UFTP_ERR_TOOBIG ||
		    l.nsections != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The last block of the largest file sits in section 65535, not in a wrapped section 0. */
static void test_positions_at_the_limit(void)
{
	struct uftp_sections l;
	uint16_t sec, blk;

	CU_ASSERT_EQUAL_FATAL(uftp_sections_layout(&l, uftp_sections_max_size(512), 512), 0);
	uftp_section_pos(&l, l.nblocks - 1, &sec, &blk);
	CU_ASSERT_EQUAL(sec, 65535);
	CU_ASSERT_EQUAL(blk, 4095);
	/* an uneven layout: positions and starts agree both ways */
	CU_ASSERT_EQUAL_FATAL(uftp_sections_layout(&l, 123456789ULL * 700 + 3, 700), 0);
	for (uint32_t s = 0; s < l.nsections; s += 997) {
		uint64_t b = uftp_section_start(&l, s) + uftp_section_len(&l, s) - 1;

		uftp_section_pos(&l, b, &sec, &blk);
		CU_ASSERT_EQUAL(sec, s);
		CU_ASSERT_EQUAL(blk, uftp_section_len(&l, s) - 1);
		CU_ASSERT(uftp_section_len(&l, s) <= 8u * 700);
	}
	CU_ASSERT_EQUAL(uftp_section_start(&l, l.nsections), l.nblocks);
}

static const struct cutest tests[] = {
    CUTEST(test_small_files),
    CUTEST(test_bad_block_size),
    CUTEST(test_section_limit_every_block_size),
    CUTEST(test_positions_at_the_limit),
};

CUTEST_MAIN("section", tests)
