/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Clocks for the drivers. The loop reads the monotonic clock once per turn
 * and hands that value to the core; the wall clock is only for timestamps
 * that travel on the wire (ANNOUNCE) or appear in logs and status files.
 */
#ifndef UFTP_LIB_CLOCK_H
#define UFTP_LIB_CLOCK_H

#include <stdint.h>

#define UFTP_NS_PER_SEC 1000000000ULL
#define UFTP_NS_PER_MS  1000000ULL
#define UFTP_NS_PER_US  1000ULL

/* Deadline meaning "no deadline" for uftp_loop_run_once(). */
#define UFTP_TIME_NEVER UINT64_MAX

/* Wall-clock time split as the wire carries it. */
struct uftp_walltime {
	int64_t sec;   /* seconds since the Unix epoch */
	uint32_t usec; /* 0-999999 */
};

/* Monotonic time in nanoseconds (CLOCK_MONOTONIC); never fails on Linux. */
uint64_t uftp_clock_now(void);

/* Current wall-clock time (CLOCK_REALTIME) in seconds and microseconds. */
struct uftp_walltime uftp_clock_wall(void);

#endif
