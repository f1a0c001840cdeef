/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <time.h>

#include "lib/clock.h"

uint64_t uftp_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UFTP_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct uftp_walltime uftp_clock_wall(void)
{
	struct timespec ts;
	struct uftp_walltime w;

	clock_gettime(CLOCK_REALTIME, &ts);
	w.sec = (int64_t)ts.tv_sec;
	w.usec = (uint32_t)(ts.tv_nsec / 1000);
	return w;
}
