/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftp_keymgt: generate and list the RSA / EC private keys of the suite.
 *
 * Output follows the reference uftp_keymgt 4.10.2 byte for byte where it has
 * any: every key line goes to stderr (the reference prints nothing on
 * stdout), as "FILE: RSA, N bits, fingerprint: AA:..." or
 * "FILE: ECDSA, curve NAME, fingerprint: AA:...".  Where the reference
 * exits 0 after an error (missing or unreadable key, existing file with -g,
 * bad option) we print one line and exit 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/proto.h"
#include "crypto/keyfile.h"
#include "lib/hostlist.h"
#include "crypto/pkey.h"
#include "lib/log.h"
#include "lib/opts.h"

#define PROG "uftp_keymgt"

enum mode { MODE_LIST, MODE_GENERATE, MODE_DELETE };

struct keymgt_opts {
	enum mode mode;
	const char *spec; /* -g argument */
	int system_store; /* -m: no effect outside Windows */
	int nfiles;
	char **files;
};

/* A key to generate: either RSA with bits, or EC with a protocol curve. */
struct keyspec {
	int blobtype;
	int bits;
	int curve;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: " PROG " [ -m ] [ key_file [ key_file ...] ]\n"
	        "       " PROG " [ -m ] -g { rsa:key_length | ec:curve } key_file\n"
	        "       " PROG " [ -m ] -d key_file\n"
	        "\n"
	        "  (no option)  print type, size or curve, and fingerprint of each key_file\n"
	        "  -g rsa:BITS  generate an RSA key of %d to %d bits into a new key_file\n"
	        "  -g ec:CURVE  generate an EC key on CURVE (e.g. prime256v1, secp384r1)\n"
	        "  -d           delete a Windows key container: does nothing here\n"
	        "  -m           use the Windows system key store: no effect here\n"
	        "  -h, --help   print this help\n"
	        "  --version    print the version\n"
	        "Key lines are printed on standard error, as by UFTP's uftp_keymgt.\n",
	        UFTP_RSA_MIN_BITS, UFTP_RSA_MAX_BITS);
}

static void errline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errline(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Prints the reference's one line for a key; returns 0 or a negative error. */
static int print_key(const char *file, const struct uftp_pkey *key)
{
	uint8_t fp[UFTP_FP_LEN];
	char fps[UFTP_FP_STRLEN];
	const char *curve;
	int rv;

	rv = uftp_pkey_fingerprint(key, fp);
	if (rv < 0)
		return rv;
	rv = uftp_fp_format(fps, sizeof(fps), fp);
	if (rv < 0)
		return rv;
	if (key->blobtype == UFTP_BLOB_RSA) {
		fprintf(stderr, "%s: RSA, %d bits, fingerprint: %s\n", file, uftp_pkey_bits(key),
		        fps);
		return 0;
	}
	curve = uftp_pkey_curve_name(key->curve);
	fprintf(stderr, "%s: ECDSA, curve %s, fingerprint: %s\n", file, curve ? curve : "UNKNOWN",
	        fps);
	return 0;
}

static void load_error(const char *file, int rv)
{
	if (rv == UFTP_ERR_IO)
		errline("%s: cannot read key file: %s", file, strerror(errno));
	else if (rv == UFTP_ERR_KEYFILE)
		errline("%s: not an unencrypted PEM RSA or EC private key", file);
	else
		errline("%s: %s", file, uftp_strerror(rv));
}

static int list_one(const char *file)
{
	struct uftp_pkey *key = NULL;
	int rv;

	rv = uftp_keyfile_load(&key, file);
	if (rv < 0) {
		load_error(file, rv);
		return rv;
	}
	rv = print_key(file, key);
	if (rv < 0)
		errline("%s: cannot compute fingerprint: %s", file, uftp_strerror(rv));
	uftp_pkey_free(key);
	return rv;
}

/* Lists every file, carrying on past bad ones; exit status 1 if any failed. */
static int list_keys(int nfiles, char **files)
{
	int i, status = EXIT_SUCCESS;

	for (i = 0; i < nfiles; i++)
		if (list_one(files[i]) < 0)
			status = EXIT_FAILURE;
	return status;
}

static int parse_bits(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < UFTP_RSA_MIN_BITS || v > UFTP_RSA_MAX_BITS)
		return -1;
	return (int)v;
}

/* Parses "rsa:BITS" or "ec:CURVE"; prints the error line itself. */
static int parse_spec(struct keyspec *ks, const char *spec)
{
	memset(ks, 0, sizeof(*ks));
	if (strncmp(spec, "rsa:", 4) == 0) {
		ks->blobtype = UFTP_BLOB_RSA;
		ks->bits = parse_bits(spec + 4);
		if (ks->bits > 0)
			return 0;
		errline("Invalid key size '%s': RSA keys are %d to %d bits", spec + 4,
		        UFTP_RSA_MIN_BITS, UFTP_RSA_MAX_BITS);
		return -1;
	}
	if (strncmp(spec, "ec:", 3) == 0) {
		ks->blobtype = UFTP_BLOB_EC;
		ks->curve = uftp_pkey_curve_by_name(spec + 3);
		if (ks->curve > 0)
			return 0;
		errline("Invalid curve '%s' (see " PROG "(1) for the list)", spec + 3);
		return -1;
	}
	errline("Invalid key specification '%s': use rsa:key_length or ec:curve", spec);
	return -1;
}

static int generate(const char *spec, const char *file)
{
	struct uftp_pkey *key = NULL;
	struct keyspec ks;
	int rv;

	if (parse_spec(&ks, spec) < 0)
		return EXIT_FAILURE;
	if (ks.blobtype == UFTP_BLOB_RSA)
		rv = uftp_pkey_generate_rsa(&key, ks.bits);
	else
		rv = uftp_pkey_generate_ec(&key, ks.curve);
	if (rv < 0) {
		errline("%s: cannot generate key: %s", file, uftp_strerror(rv));
		return EXIT_FAILURE;
	}
	rv = uftp_keyfile_save(key, file);
	if (rv == UFTP_ERR_EXISTS)
		errline("%s: private key file already exists, won't overwrite", file);
	else if (rv == UFTP_ERR_IO)
		errline("%s: cannot write key file: %s", file, strerror(errno));
	else if (rv < 0)
		errline("%s: cannot store key: %s", file, uftp_strerror(rv));
	else
		rv = print_key(file, key);
	uftp_pkey_free(key);
	return rv < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

enum { OPT_VERSION = 0x100 };

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to continue, else an exit status (help or a bad option). */
static int parse_opt(struct keymgt_opts *o, int c)
{
	switch (c) {
	case 'g':
		if (o->spec) {
			errline(PROG ": -g may be given only once");
			return EXIT_FAILURE;
		}
		o->spec = optarg;
		o->mode = MODE_GENERATE;
		return -1;
	case 'd': o->mode = MODE_DELETE; return -1;
	case 'm': o->system_store = 1; return -1;
	case 'h': usage(stdout); return EXIT_SUCCESS;
	case OPT_VERSION: uftp_print_version(PROG); return EXIT_SUCCESS;
	case ':': errline(PROG ": option -%c needs an argument (try -h)", optopt); break;
	default:
		if (optopt)
			errline(PROG ": invalid option -- '%c' (try -h)", optopt);
		else
			errline(PROG ": invalid option %s (try -h)", o->files[optind - 1]);
	}
	return EXIT_FAILURE;
}

static int parse_args(struct keymgt_opts *o, int argc, char **argv)
{
	int c, rv, saw_d = 0;

	memset(o, 0, sizeof(*o));
	o->files = argv;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:dmh", longopts, NULL)) != -1) {
		saw_d |= c == 'd';
		rv = parse_opt(o, c);
		if (rv >= 0)
			return rv;
	}
	if (saw_d && o->spec) {
		errline("Can't specify both -g and -d");
		return EXIT_FAILURE;
	}
	o->mode = saw_d ? MODE_DELETE : o->mode;
	o->nfiles = argc - optind;
	o->files = argv + optind;
	return -1;
}

int main(int argc, char **argv)
{
	struct keymgt_opts o;
	int rv;

	log_init(UFTP_LOG_INFO, stderr);
	rv = parse_args(&o, argc, argv);
	if (rv >= 0)
		return rv;
	if (o.mode != MODE_LIST && o.nfiles == 0) {
		errline("No keyfile specified");
		return EXIT_FAILURE;
	}
	if (o.mode == MODE_GENERATE && o.nfiles > 1) {
		errline(PROG ": -g takes exactly one key_file, got %d", o.nfiles);
		return EXIT_FAILURE;
	}
	/* Key containers exist only on Windows; like the reference, -d does
	 * nothing here and succeeds. */
	if (o.mode == MODE_DELETE)
		return EXIT_SUCCESS;
	if (o.mode == MODE_GENERATE)
		return generate(o.spec, o.files[0]);
	return list_keys(o.nfiles, o.files);
}
