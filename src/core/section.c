/* SPDX-License-Identifier: BSD-2-Clause */
/* Blocks and sections of a file (see section.h). */
#include "config.h"

#include "core/section.h"

#include <string.h>

#include "core/err.h"
#include "core/proto.h"

static int valid_block(uint16_t block_size)
{
	return block_size >= UFTP_MIN_BLOCK && block_size <= UFTP_MAX_BLOCK;
}

uint64_t uftp_sections_max_size(uint16_t block_size)
{
	if (!valid_block(block_size))
		return 0;
	return (uint64_t)UFTP_MAX_SECTIONS * 8u * block_size * block_size;
}

int uftp_sections_layout(struct uftp_sections *l, uint64_t size, uint16_t block_size)
{
	uint64_t per = 8ULL * block_size, nsec;

	memset(l, 0, sizeof(*l));
	if (!valid_block(block_size))
		return UFTP_ERR_INVALID;
	if (size > uftp_sections_max_size(block_size))
		return UFTP_ERR_TOOBIG;
	l->block_size = block_size;
	l->nblocks = (size + block_size - 1) / block_size;
	nsec = (l->nblocks + per - 1) / per;
	l->nsections = (uint32_t)nsec;
	if (nsec) {
		l->base = (uint32_t)(l->nblocks / nsec);
		l->extra = (uint32_t)(l->nblocks % nsec);
	}
	return 0;
}

uint32_t uftp_section_len(const struct uftp_sections *l, uint32_t sec)
{
	return l->base + (sec < l->extra ? 1 : 0);
}

uint64_t uftp_section_start(const struct uftp_sections *l, uint32_t sec)
{
	return (uint64_t)sec * l->base + (sec < l->extra ? sec : l->extra);
}

void uftp_section_pos(const struct uftp_sections *l, uint64_t b, uint16_t *sec, uint16_t *blk)
{
	uint64_t big = (uint64_t)l->extra * (l->base + 1);

	if (b < big) {
		*sec = (uint16_t)(b / (l->base + 1));
		*blk = (uint16_t)(b % (l->base + 1));
		return;
	}
	*sec = (uint16_t)(l->extra + (b - big) / l->base);
	*blk = (uint16_t)((b - big) % l->base);
}
