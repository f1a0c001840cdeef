/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Quantized fields of the UFTP header: GRTT (RFC 5401 section 3.7, as
 * protocol.txt 5.2.1 prescribes) and group size (protocol.txt 5.2.1).
 * Integer-only, so the pure core needs no libm.
 */
#ifndef UFTP_CORE_QUANT_H
#define UFTP_CORE_QUANT_H

#include <stdint.h>

#define UFTP_RTT_MIN_NS 1000ULL          /* RFC 5401 RTT_MIN: 1 microsecond */
#define UFTP_RTT_MAX_NS 1000000000000ULL /* RFC 5401 RTT_MAX: 1000 seconds */
#define UFTP_GSIZE_MAX  96875000U        /* largest group size a byte holds */

/*
 * Quantizes a round-trip time given in nanoseconds, per RFC 5401:
 * rtt is clamped to [RTT_MIN, RTT_MAX]; below 33 us the result is
 * floor(rtt / RTT_MIN) - 1, above it ceil(255 - 13 * ln(RTT_MAX / rtt)).
 * Never fails.
 */
uint8_t uftp_grtt_quantize(uint64_t rtt_ns);

/*
 * Returns the RTT a quantized value stands for, in nanoseconds rounded
 * down: (q + 1) * RTT_MIN for q <= 31, RTT_MAX / exp((255 - q) / 13) above.
 * uftp_grtt_quantize(uftp_grtt_unquantize(q)) == q for every q.
 */
uint64_t uftp_grtt_unquantize(uint8_t q);

/*
 * Quantizes a group size into 5-bit mantissa m (high bits) and 3-bit
 * exponent e (low bits), standing for m * 10 / 32 * 10^e.  Uses the
 * smallest exponent whose truncated mantissa floor(n * 32 / 10^(e+1)) fits
 * in 5 bits.  Truncation is what the real 4.10.2 server does: 1 client is
 * sent as 0x18 (0.9375), 2 clients as 0x30 (1.875).  0 for n == 0; sizes
 * above UFTP_GSIZE_MAX give 0xff.
 */
uint8_t uftp_gsize_quantize(uint32_t n);

/*
 * Returns the group size a code stands for, in thousandths of a member
 * rounded down (m * 10^(e+4) / 32), so callers can round as they need
 * without floating point.
 */
uint64_t uftp_gsize_unquantize_milli(uint8_t q);

/*
 * TFMCC rates (EXT_TFMCC_DATA_INFO, EXT_TFMCC_ACK_INFO, CONG_CTRL), settled
 * with captures of 4.10.2: 12-bit mantissa m (high bits) and 4-bit exponent
 * e (low bits) for m * 10^(e+1) / 4096 bytes per second.  Quantizing
 * truncates (below 1 counts as 1; beyond the largest code, 0xffff); the
 * reference sends 2^48 (0x481e) as "no limit" for the suppression rate.
 */
uint16_t uftp_cc_rate_quantize(double rate);

/* The rate (bytes/s) a code stands for; inverse of uftp_cc_rate_quantize up to truncation. */
double uftp_cc_rate_unquantize(uint16_t q);

#endif
