/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzzes the wire codec: the UFTP header, every message decoder (chosen by
 * the header, or by the body's function byte), the extension walker and the
 * key blob decoder.  Property checked beyond "no crash": whatever decodes and
 * re-encodes must re-decode to the same encoding (encode o decode is stable),
 * so the codec never invents or loses fields.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "tests/fuzz/fuzz.h"

static uint8_t enc1[65536 + 64], enc2[65536 + 64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

static void roundtrip(uint8_t func, const uint8_t *body, size_t len)
{
	struct uftp_msg m, m2;
	ssize_t n1, n2;

	memset(&m, 0, sizeof(m));
	if (uftp_decode_msg(&m, func, body, len) < 0)
		return;
	n1 = uftp_encode_msg(enc1, sizeof(enc1), &m);
	if (n1 < 0)
		return; /* a decoded message the encoder refuses is not a bug by itself */
	memset(&m2, 0, sizeof(m2));
	if (uftp_decode_msg(&m2, func, enc1, (size_t)n1) < 0)
		abort(); /* our own encoding must decode */
	n2 = uftp_encode_msg(enc2, sizeof(enc2), &m2);
	if (n2 != n1 || memcmp(enc1, enc2, (size_t)n1) != 0)
		abort(); /* encode o decode must be stable */
}

#ifdef FUZZ_FUNC
/*
 * Built with -DFUZZ_FUNC=n (tests/fuzz/fuzz_dec<n>): one decoder only.  The
 * input is a datagram of that function (its body is decoded) or, failing
 * that, a body as it is.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uftp_header h;

	if (uftp_decode_header(&h, data, size) == UFTP_HEADER_LEN && h.func == FUZZ_FUNC)
		roundtrip(FUZZ_FUNC, data + UFTP_HEADER_LEN, size - UFTP_HEADER_LEN);
	else
		roundtrip(FUZZ_FUNC, data, size);
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uftp_header h;
	struct uftp_keyblob kb;
	struct uftp_ext_iter it;
	struct uftp_ext ext;
	const uint8_t *body;
	size_t blen;
	int func, guard = 0;

	if (uftp_decode_header(&h, data, size) == UFTP_HEADER_LEN) {
		body = data + UFTP_HEADER_LEN;
		blen = size - UFTP_HEADER_LEN;
		if (h.func == UFTP_MSG_ENCRYPTED) {
			roundtrip(UFTP_MSG_ENCRYPTED, body, blen);
		} else {
			func = uftp_msg_func(body, blen);
			if (func > 0)
				roundtrip((uint8_t)func, body, blen);
		}
	}
	/* The raw bytes as a body of each type, an extension list and a key blob. */
	if (size > 0) {
		roundtrip((uint8_t)(data[0] % (UFTP_MSG_MAX + 2)), data, size);
		uftp_decode_keyblob(&kb, data, size);
		if (uftp_ext_validate(data, size) >= 0) {
			uftp_ext_iter_init(&it, data, size);
			while (uftp_ext_next(&it, &ext) > 0 && guard++ < 10000)
				;
		}
	}
	return 0;
}
#endif
