/* SPDX-License-Identifier: BSD-2-Clause */
/* The crypto of the harnesses that hold keys (see fuzz.h). */
#include "config.h"

#include <stdlib.h>

#include "core/err.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/fuzz/fuzz.h"

const struct uftp_crypto_ops *fuzz_crypto(struct uftp_pkey **rsa, struct uftp_pkey **ec)
{
	const struct uftp_crypto_ops *ops;
	char err[256];
	int rv = uftp_ossl_init(err, sizeof(err));

	if (rv < 0 && rv != UFTP_ERR_UNSUPPORTED)
		abort();
	ops = uftp_ossl_ops();
	if (testenv_key(ops, 0, rsa) < 0 || testenv_key(ops, 1, ec) < 0)
		abort();
	return ops;
}
