/* SPDX-License-Identifier: BSD-2-Clause */
/* The daemons' -k / -K keys (see keyset.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/proto.h"
#include "crypto/keyfile.h"
#include "lib/hostlist.h"
#include "crypto/keyset.h"
#include "crypto/pkey.h"
#include "lib/log.h"
#include "lib/opts.h"

int uftp_keyspec_check(const char *spec, char *err, size_t errlen)
{
	char why[UFTP_OPT_ERRLEN];
	int bits;

	if (strncmp(spec, "rsa:", 4) == 0) {
		if (uftp_opt_int(&bits, spec + 4, UFTP_RSA_MIN_BITS, UFTP_RSA_MAX_BITS, 0, why,
		                 sizeof(why)) < 0) {
			snprintf(err, errlen, "invalid RSA key size: %s", why);
			return UFTP_ERR_INVALID;
		}
		return 0;
	}
	if (strncmp(spec, "ec:", 3) == 0) {
		if (uftp_pkey_curve_by_name(spec + 3) < 0) {
			snprintf(err, errlen, "unknown EC curve");
			return UFTP_ERR_INVALID;
		}
		return 0;
	}
	snprintf(err, errlen, "expected rsa:key_len or ec:curve");
	return UFTP_ERR_INVALID;
}

int uftp_keyspec_generate(const char *spec, struct uftp_pkey **out)
{
	char err[UFTP_OPT_ERRLEN];
	int bits;

	if (uftp_keyspec_check(spec, err, sizeof(err)) < 0)
		return UFTP_ERR_INVALID;
	if (spec[0] == 'e')
		return uftp_pkey_generate_ec(out, uftp_pkey_curve_by_name(spec + 3));
	uftp_opt_int(&bits, spec + 4, UFTP_RSA_MIN_BITS, UFTP_RSA_MAX_BITS, 0, err, sizeof(err));
	return uftp_pkey_generate_rsa(out, bits);
}

static int make_keys(const struct uftp_keyset_opts *o, struct uftp_pkey **keys, size_t cap,
                     size_t *n)
{
	size_t i;
	int rv;

	for (i = 0; i < o->nspecs && *n < cap; i++) {
		rv = uftp_keyspec_generate(o->specs[i], &keys[*n]);
		if (rv < 0) {
			log_warnx("-K %s: cannot generate key: %s", o->specs[i], uftp_strerror(rv));
			return -1;
		}
		rv = o->nfiles ? uftp_keyfile_save(keys[*n], o->files[i]) : 0;
		if (rv < 0) {
			log_warnx("cannot write key file %s: %s", o->files[i],
			          rv == UFTP_ERR_EXISTS ? "it exists (not overwritten)"
			                                : uftp_strerror(rv));
			uftp_pkey_free(keys[*n]);
			keys[*n] = NULL;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

int uftp_keyset_setup(const struct uftp_keyset_opts *o, struct uftp_pkey **keys, size_t cap,
                      size_t *n)
{
	size_t i;
	int rv;

	*n = 0;
	if (o->nspecs)
		return make_keys(o, keys, cap, n);
	for (i = 0; i < o->nfiles && *n < cap; i++) {
		rv = uftp_keyfile_load(&keys[*n], o->files[i]);
		if (rv < 0) {
			log_warnx("cannot load key file %s: %s", o->files[i],
			          rv == UFTP_ERR_IO && errno ? strerror(errno) : uftp_strerror(rv));
			return -1;
		}
		(*n)++;
	}
	if (!*n && cap) {
		rv = uftp_pkey_generate_rsa(&keys[0], 512);
		if (rv < 0) {
			log_warnx("cannot generate a key: %s", uftp_strerror(rv));
			return -1;
		}
		*n = 1;
	}
	return 0;
}

void uftp_keyset_log(const struct uftp_keyset_opts *o, struct uftp_pkey *const *keys, size_t n)
{
	const char *how =
	    o->nspecs ? (o->nfiles ? "made and saved" : "made") : (o->nfiles ? "loaded" : "made");
	uint8_t fp[UFTP_FP_LEN];
	char fps[UFTP_FP_STRLEN], kind[64];
	const char *curve;
	size_t i;

	for (i = 0; i < n; i++) {
		if (uftp_pkey_fingerprint(keys[i], fp) < 0 ||
		    uftp_fp_format(fps, sizeof(fps), fp) < 0)
			continue;
		curve = uftp_pkey_curve_name(keys[i]->curve);
		if (keys[i]->blobtype == UFTP_BLOB_RSA)
			snprintf(kind, sizeof(kind), "RSA key, %d bits", uftp_pkey_bits(keys[i]));
		else
			snprintf(kind, sizeof(kind), "ECDSA key, curve %s",
			         curve ? curve : "UNKNOWN");
		log_info("%s %s, fingerprint %s%s%s", how, kind, fps,
		         i < o->nfiles ? ", file " : "", i < o->nfiles ? o->files[i] : "");
	}
}
