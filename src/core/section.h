/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How a file is cut into blocks and sections (protocol.txt section 2), the
 * one layout the server and the client share.  A section holds at most as
 * many blocks as one block's worth of NAK bits (8 x block size), blocks are
 * spread over the fewest such sections, and the first sections take one
 * block more when the division leaves a remainder.  Section numbers travel
 * in 16-bit fields, so a file may have at most UFTP_MAX_SECTIONS sections:
 * files larger than uftp_section_max_size() cannot be sent at that block
 * size.  Pure arithmetic, no allocation.
 */
#ifndef UFTP_CORE_SECTION_H
#define UFTP_CORE_SECTION_H

#include <stdint.h>

#define UFTP_MAX_SECTIONS 65536u /* section numbers are 16 bits on the wire */

struct uftp_sections {
	uint16_t block_size;
	uint64_t nblocks;   /* ceil(size / block_size) */
	uint32_t nsections; /* 0 for an empty file */
	uint32_t base;      /* blocks in each section beyond the first `extra` */
	uint32_t extra;     /* sections (the first ones) holding base + 1 blocks */
};

/*
 * Fills *l for a file of size bytes at block_size.  Returns 0, or
 * UFTP_ERR_INVALID for a block size outside UFTP_MIN_BLOCK..UFTP_MAX_BLOCK,
 * or UFTP_ERR_TOOBIG when the file needs more than UFTP_MAX_SECTIONS
 * sections (*l is then left zeroed).
 */
int uftp_sections_layout(struct uftp_sections *l, uint64_t size, uint16_t block_size);

/* The largest file size (bytes) that block_size can carry; 0 for an invalid block size. */
uint64_t uftp_sections_max_size(uint16_t block_size);

/* Blocks in section sec (sec < nsections). */
uint32_t uftp_section_len(const struct uftp_sections *l, uint32_t sec);

/* The file-wide index of the first block of section sec (sec <= nsections). */
uint64_t uftp_section_start(const struct uftp_sections *l, uint32_t sec);

/* The section and the block within it of file-wide block b (b < nblocks). */
void uftp_section_pos(const struct uftp_sections *l, uint64_t b, uint16_t *sec, uint16_t *blk);

#endif
