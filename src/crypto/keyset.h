/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemons' long-term keys (uftpd, uftpproxyd: -k keyfile[,...] and
 * -K rsa:bits|ec:curve[,...]), one implementation for both programs.
 *
 *   -K alone       the keys are made at start-up and not kept;
 *   -K and -k      made, and written to the -k files (one per item; an
 *                  existing file is never overwritten);
 *   -k alone       loaded from the files;
 *   neither        one 512-bit RSA key is made, as the reference does.
 *
 * Driver-side code: errors are logged (lib/log.h).
 */
#ifndef UFTP_CRYPTO_KEYSET_H
#define UFTP_CRYPTO_KEYSET_H

#include <stddef.h>

struct uftp_pkey;

/*
 * Checks one -K item: rsa:BITS (decimal, UFTP_RSA_MIN_BITS..MAX) or
 * ec:CURVE (a curve uftp_pkey_curve_by_name knows). Returns 0, or
 * UFTP_ERR_INVALID with a reason in err ("invalid RSA key size: ...").
 */
int uftp_keyspec_check(const char *spec, char *err, size_t errlen);

/* Makes the key a valid -K item describes. Returns 0 or a negative uftp_err. */
int uftp_keyspec_generate(const char *spec, struct uftp_pkey **out);

struct uftp_keyset_opts {
	char *const *files; /* -k */
	size_t nfiles;
	char *const *specs; /* -K */
	size_t nspecs;
};

/*
 * Fills keys[0..cap) as described above; *n is the number of keys. Returns
 * 0, or -1 after logging why (the keys made so far stay in keys[] for the
 * caller to free).
 */
int uftp_keyset_setup(const struct uftp_keyset_opts *o, struct uftp_pkey **keys, size_t cap,
                      size_t *n);

/* Logs one line per key: type, size or curve, fingerprint, file. */
void uftp_keyset_log(const struct uftp_keyset_opts *o, struct uftp_pkey *const *keys, size_t n);

#endif
