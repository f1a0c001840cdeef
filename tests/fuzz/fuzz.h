/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput.  Built with --enable-fuzz
 * (clang) it links against libFuzzer; otherwise standalone.c supplies a
 * main() that replays every file of the harness's corpus directory, so the
 * corpus (seeds from real UFTP captures, plus every crash ever found) runs
 * as a regression test in `make check` of every build.
 *
 * Session harnesses read their input as a script of records:
 *   u8 ctl | u16 len (big endian) | len bytes of datagram
 * ctl bits 0-6 (v): the fake clock advances by v * v ms before the record
 * (up to 16 s, finer for short gaps); bit 7: the datagram comes from a
 * second, stranger peer.  A short tail is ignored.  The session harnesses
 * take their environment, fake disk and sender files from
 * tests/common/testenv.h (FUZZ_LOG=0..4: the core's log on stderr).
 */
#ifndef UFTP_TESTS_FUZZ_H
#define UFTP_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct uftp_crypto_ops;
struct uftp_pkey;

/*
 * OpenSSL's ops and a new RSA-1024 and EC P-256 key, for the harnesses
 * whose peers encrypt (fuzz_crypto.c); aborts when they cannot be had.
 */
const struct uftp_crypto_ops *fuzz_crypto(struct uftp_pkey **rsa, struct uftp_pkey **ec);

struct fuzz_rec {
	uint64_t advance_ns;
	int stranger;
	const uint8_t *buf;
	size_t len;
};

/* Takes the next record off the front of the input; 1 if one was read, 0 at the end. */
static inline int fuzz_next(const uint8_t **data, size_t *size, struct fuzz_rec *r)
{
	size_t len;
	uint8_t ctl;

	if (*size < 3)
		return 0;
	ctl = (*data)[0];
	len = ((size_t)(*data)[1] << 8) | (*data)[2];
	if (len > *size - 3)
		len = *size - 3;
	r->advance_ns = (uint64_t)(ctl & 0x7f) * (ctl & 0x7f) * 1000000ULL;
	r->stranger = (ctl & 0x80) != 0;
	r->buf = *data + 3;
	r->len = len;
	*data += 3 + len;
	*size -= 3 + len;
	return 1;
}

#endif
