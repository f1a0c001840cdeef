/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/proto.h"
#include "crypto/keyfile.h"
#include "lib/hostlist.h"
#include "crypto/pkey.h"
#include "lib/log.h"
#include "tests/unit/cutest.h"

#ifndef UFTP_TEST_KEYDIR
#define UFTP_TEST_KEYDIR "keys"
#endif

static char tmpdir[256];

/* Joins tmpdir and name into buf. */
static const char *tmppath(char *buf, size_t cap, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", tmpdir, name);

	CU_ASSERT_FATAL(n > 0 && (size_t)n < cap);
	return buf;
}

static int suite_init(void)
{
	int n = snprintf(tmpdir, sizeof(tmpdir), "%s/test_keyfile.XXXXXX",
	                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");

	if (n < 0 || (size_t)n >= sizeof(tmpdir) || !mkdtemp(tmpdir))
		return -1;
	log_init(UFTP_LOG_ERROR, stderr); /* checked-in keys are 0644 in git */
	return 0;
}

static int suite_clean(void)
{
	char cmd[300];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);

	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static void fp_of(const struct uftp_pkey *k, char out[UFTP_FP_STRLEN])
{
	uint8_t fp[UFTP_FP_LEN];

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_fingerprint(k, fp), 0);
	CU_ASSERT_EQUAL(uftp_fp_format(out, UFTP_FP_STRLEN, fp), 59);
}

static void roundtrip(struct uftp_pkey *k, const char *name)
{
	char path[512], a[UFTP_FP_STRLEN], b[UFTP_FP_STRLEN];
	struct uftp_pkey *back = NULL;
	struct stat st;

	tmppath(path, sizeof(path), name);
	CU_ASSERT_EQUAL_FATAL(uftp_keyfile_save(k, path), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL_FATAL(uftp_keyfile_load(&back, path), 0);
	CU_ASSERT_EQUAL(back->blobtype, k->blobtype);
	CU_ASSERT_EQUAL(back->curve, k->curve);
	CU_ASSERT_EQUAL(back->has_private, 1);
	CU_ASSERT_EQUAL(uftp_pkey_bits(back), uftp_pkey_bits(k));
	fp_of(k, a);
	fp_of(back, b);
	CU_ASSERT_STRING_EQUAL(a, b);
	/* never overwrite */
	CU_ASSERT_EQUAL(uftp_keyfile_save(k, path), UFTP_ERR_EXISTS);
	uftp_pkey_free(back);
}

static void test_rsa_roundtrip(void)
{
	struct uftp_pkey *k = NULL;

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_rsa(&k, 512), 0);
	CU_ASSERT_EQUAL(k->blobtype, UFTP_BLOB_RSA);
	CU_ASSERT_EQUAL(uftp_pkey_bits(k), 512);
	roundtrip(k, "rsa512.key");
	uftp_pkey_free(k);
}

static void test_ec_roundtrip(void)
{
	struct uftp_pkey *k = NULL;

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&k, UFTP_CURVE_SECP256R1), 0);
	CU_ASSERT_EQUAL(k->blobtype, UFTP_BLOB_EC);
	CU_ASSERT_EQUAL(k->curve, UFTP_CURVE_SECP256R1);
	roundtrip(k, "ec256.key");
	uftp_pkey_free(k);
}

/* The file starts with the traditional header the reference writes. */
static void check_pem_header(const char *path, const char *want)
{
	char line[64] = "";
	FILE *f = fopen(path, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(line, want);
}

static void test_pem_form(void)
{
	struct uftp_pkey *r = NULL, *e = NULL;
	char p1[512], p2[512];

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_rsa(&r, 512), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&e, UFTP_CURVE_SECP384R1), 0);
	CU_ASSERT_EQUAL(uftp_keyfile_save(r, tmppath(p1, sizeof(p1), "form-rsa.key")), 0);
	CU_ASSERT_EQUAL(uftp_keyfile_save(e, tmppath(p2, sizeof(p2), "form-ec.key")), 0);
	check_pem_header(p1, "-----BEGIN RSA PRIVATE KEY-----\n");
	check_pem_header(p2, "-----BEGIN EC PRIVATE KEY-----\n");
	uftp_pkey_free(r);
	uftp_pkey_free(e);
}

static void test_refuse_overwrite_existing(void)
{
	struct uftp_pkey *k = NULL;
	char path[512];
	int fd;

	tmppath(path, sizeof(path), "exists.key");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "x\n", 2), 2);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&k, UFTP_CURVE_SECP256R1), 0);
	CU_ASSERT_EQUAL(uftp_keyfile_save(k, path), UFTP_ERR_EXISTS);
	/* a dangling symlink counts as existing: never follow it */
	tmppath(path, sizeof(path), "dangling.key");
	CU_ASSERT_EQUAL(symlink("/nonexistent/target", path), 0);
	CU_ASSERT_EQUAL(uftp_keyfile_save(k, path), UFTP_ERR_EXISTS);
	CU_ASSERT_EQUAL(uftp_keyfile_save(k, "/nonexistent-dir/x.key"), UFTP_ERR_IO);
	uftp_pkey_free(k);
}

static void test_load_errors(void)
{
	struct uftp_pkey *k = NULL;
	char path[512];
	FILE *f;

	CU_ASSERT_EQUAL(uftp_keyfile_load(&k, "/nonexistent/key"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(uftp_keyfile_load(&k, tmpdir), UFTP_ERR_KEYFILE);
	tmppath(path, sizeof(path), "junk.key");
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("-----BEGIN EC PRIVATE KEY-----\nnot base64\n-----END EC PRIVATE KEY-----\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(uftp_keyfile_load(&k, path), UFTP_ERR_KEYFILE);
	CU_ASSERT_EQUAL(uftp_keyfile_load(NULL, path), UFTP_ERR_INVALID);
	CU_ASSERT_PTR_NULL(k);
}

/* Fingerprints printed by the reference uftp_keymgt 4.10.2 for keys/. */
static const struct {
	const char *file;
	int blobtype, curve, bits;
	const char *fp;
} known[] = {
    {"test-rsa1024.key", UFTP_BLOB_RSA, 0, 1024,
     "17:38:6F:C6:DA:A4:1E:CC:4E:62:65:6C:E5:CA:26:50:A9:76:7C:30"},
    {"test-ec-prime256v1.key", UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, 256,
     "E3:D1:6A:E7:8F:44:E0:18:B4:D1:32:43:71:79:5D:DD:E4:60:E0:3B"},
    {"test-ec-secp521r1.key", UFTP_BLOB_EC, UFTP_CURVE_SECP521R1, 521,
     "4D:A0:2C:23:88:7F:17:DA:C6:FA:DC:CC:38:8D:30:C7:76:C8:8E:DA"},
    {"test-ec-secp384r1-pkcs8.key", UFTP_BLOB_EC, UFTP_CURVE_SECP384R1, 384,
     "10:5B:AB:C8:00:CD:33:10:8D:E6:33:7A:A0:6A:40:A2:7A:4D:B8:5D"},
};

static void test_known_fingerprints(void)
{
	char path[512], fps[UFTP_FP_STRLEN];
	struct uftp_pkey *k;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		k = NULL;
		snprintf(path, sizeof(path), "%s/%s", UFTP_TEST_KEYDIR, known[i].file);
		CU_ASSERT_EQUAL_FATAL(uftp_keyfile_load(&k, path), 0);
		CU_ASSERT_EQUAL(k->blobtype, known[i].blobtype);
		CU_ASSERT_EQUAL(k->curve, known[i].curve);
		CU_ASSERT_EQUAL(uftp_pkey_bits(k), known[i].bits);
		fp_of(k, fps);
		CU_ASSERT_STRING_EQUAL(fps, known[i].fp);
		uftp_pkey_free(k);
	}
}

/* Export, import, re-export: same bytes, same fingerprint. */
static void blob_roundtrip(struct uftp_pkey *k, size_t want_len)
{
	uint8_t a[UFTP_PKEY_BLOB_MAX], b[UFTP_PKEY_BLOB_MAX];
	uint8_t fa[UFTP_FP_LEN], fb[UFTP_FP_LEN];
	struct uftp_pkey *pub = NULL;
	ssize_t la, lb;

	la = uftp_pkey_export_blob(k, a, sizeof(a));
	CU_ASSERT_EQUAL_FATAL(la, (ssize_t)want_len);
	CU_ASSERT_EQUAL(uftp_pkey_export_blob(k, NULL, 0), la);
	CU_ASSERT_EQUAL(uftp_pkey_export_blob(k, a, (size_t)la - 1), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_import_blob(&pub, a, (size_t)la), 0);
	CU_ASSERT_EQUAL(pub->has_private, 0);
	CU_ASSERT_EQUAL(pub->blobtype, k->blobtype);
	CU_ASSERT_EQUAL(pub->curve, k->curve);
	lb = uftp_pkey_export_blob(pub, b, sizeof(b));
	CU_ASSERT_EQUAL_FATAL(lb, la);
	CU_ASSERT_EQUAL(memcmp(a, b, (size_t)la), 0);
	CU_ASSERT_EQUAL(uftp_pkey_fingerprint(k, fa), 0);
	CU_ASSERT_EQUAL(uftp_pkey_fingerprint_blob(b, (size_t)lb, fb), 0);
	CU_ASSERT_EQUAL(memcmp(fa, fb, sizeof(fa)), 0);
	CU_ASSERT_EQUAL(uftp_keyfile_save(pub, "/nonexistent"), UFTP_ERR_INVALID);
	uftp_pkey_free(pub);
}

static void test_blob_rsa(void)
{
	char path[512];
	uint8_t blob[UFTP_PKEY_BLOB_MAX];
	struct uftp_pkey *k = NULL;

	snprintf(path, sizeof(path), "%s/test-rsa1024.key", UFTP_TEST_KEYDIR);
	CU_ASSERT_EQUAL_FATAL(uftp_keyfile_load(&k, path), 0);
	blob_roundtrip(k, 8 + 128);
	CU_ASSERT_EQUAL(uftp_pkey_export_blob(k, blob, sizeof(blob)), 136);
	/* type 1, reserved 0, modulus length 128, exponent 65537 */
	CU_ASSERT_EQUAL(memcmp(blob, "\x01\x00\x00\x80\x00\x01\x00\x01", 8), 0);
	uftp_pkey_free(k);
}

static void test_blob_ec_all_curves(void)
{
	struct uftp_pkey *k;
	uint8_t blob[UFTP_PKEY_BLOB_MAX];
	int c;

	for (c = 1; c <= UFTP_CURVE_MAX; c++) {
		k = NULL;
		if (uftp_pkey_generate_ec(&k, c) == UFTP_ERR_UNSUPPORTED)
			continue;
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_TRUE(uftp_pkey_export_blob(k, blob, sizeof(blob)) > 4);
		CU_ASSERT_EQUAL(blob[0], UFTP_BLOB_EC);
		CU_ASSERT_EQUAL(blob[1], c);
		/* EC blobs are padded to 4-byte words */
		blob_roundtrip(k, (4 + (size_t)(blob[2] << 8 | blob[3]) + 3) & ~(size_t)3);
		uftp_pkey_free(k);
	}
}

static void test_blob_ec_layout(void)
{
	struct uftp_pkey *k = NULL;
	uint8_t blob[UFTP_PKEY_BLOB_MAX];

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&k, UFTP_CURVE_SECP521R1), 0);
	/* X || Y, 66 bytes each, no 0x04 prefix */
	CU_ASSERT_EQUAL(uftp_pkey_export_blob(k, blob, sizeof(blob)), 4 + 132);
	CU_ASSERT_EQUAL(memcmp(blob, "\x02\x19\x00\x84", 4), 0);
	uftp_pkey_free(k);
}

/* sect163k1: 42-byte point, sent as a 48-byte blob (as the reference does). */
static void test_blob_ec_padding(void)
{
	struct uftp_pkey *k = NULL, *pub = NULL;
	uint8_t blob[UFTP_PKEY_BLOB_MAX], fa[UFTP_FP_LEN], fb[UFTP_FP_LEN];

	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&k, UFTP_CURVE_SECT163K1), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_export_blob(k, blob, sizeof(blob)), 48);
	CU_ASSERT_EQUAL(memcmp(blob, "\x02\x01\x00\x2a", 4), 0);
	CU_ASSERT_EQUAL(blob[46], 0);
	CU_ASSERT_EQUAL(blob[47], 0);
	CU_ASSERT_EQUAL(uftp_pkey_fingerprint(k, fa), 0);
	/* the unpadded form is accepted and fingerprints the same */
	CU_ASSERT_EQUAL(uftp_pkey_fingerprint_blob(blob, 46, fb), 0);
	CU_ASSERT_EQUAL(memcmp(fa, fb, sizeof(fa)), 0);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_import_blob(&pub, blob, 46), 0);
	uftp_pkey_free(pub);
	pub = NULL;
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 47), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 52), UFTP_ERR_BADLEN);
	blob[47] = 1;
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 48), UFTP_ERR_BADVALUE);
	CU_ASSERT_PTR_NULL(pub);
	uftp_pkey_free(k);
}

static void test_blob_bad(void)
{
	struct uftp_pkey *k = NULL, *pub = NULL;
	uint8_t blob[UFTP_PKEY_BLOB_MAX];
	ssize_t n;

	memset(blob, 0, sizeof(blob));
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 0), UFTP_ERR_TRUNCATED);
	blob[0] = 3;
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 10), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_ec(&k, UFTP_CURVE_SECP256R1), 0);
	n = uftp_pkey_export_blob(k, blob, sizeof(blob));
	CU_ASSERT_EQUAL_FATAL(n, 68);
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 3), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 67), UFTP_ERR_BADLEN);
	blob[67] ^= 1; /* point off the curve */
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 68), UFTP_ERR_BADVALUE);
	blob[1] = 99;
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 68), UFTP_ERR_UNKNOWN_TYPE);
	blob[1] = UFTP_CURVE_SECP384R1; /* length wrong for that curve */
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 68), UFTP_ERR_BADLEN);
	uftp_pkey_free(k);
	CU_ASSERT_EQUAL_FATAL(uftp_pkey_generate_rsa(&k, 512), 0);
	n = uftp_pkey_export_blob(k, blob, sizeof(blob));
	CU_ASSERT_EQUAL_FATAL(n, 72);
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 7), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 71), UFTP_ERR_BADLEN);
	blob[1] = 1; /* reserved */
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 72), UFTP_ERR_BADVALUE);
	blob[1] = 0;
	blob[7] = 2; /* even exponent */
	CU_ASSERT_EQUAL(uftp_pkey_import_blob(&pub, blob, 72), UFTP_ERR_BADVALUE);
	CU_ASSERT_PTR_NULL(pub);
	uftp_pkey_free(k);
}

static void test_generate_bad(void)
{
	struct uftp_pkey *k = NULL;

	CU_ASSERT_EQUAL(uftp_pkey_generate_rsa(&k, 511), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_pkey_generate_rsa(&k, 2049), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_pkey_generate_ec(&k, 0), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(uftp_pkey_generate_ec(&k, 26), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_PTR_NULL(k);
	uftp_pkey_free(NULL);
}

static void test_curve_names(void)
{
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("prime256v1"), UFTP_CURVE_SECP256R1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("secp256r1"), UFTP_CURVE_SECP256R1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("prime192v1"), UFTP_CURVE_SECP192R1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("secp192r1"), UFTP_CURVE_SECP192R1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("sect163k1"), 1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("secp521r1"), 25);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("P-256"), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name("PRIME256V1"), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name(""), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_EQUAL(uftp_pkey_curve_by_name(NULL), UFTP_ERR_UNKNOWN_TYPE);
	CU_ASSERT_STRING_EQUAL(uftp_pkey_curve_name(UFTP_CURVE_SECP256R1), "prime256v1");
	CU_ASSERT_STRING_EQUAL(uftp_pkey_curve_name(UFTP_CURVE_SECP384R1), "secp384r1");
	CU_ASSERT_PTR_NULL(uftp_pkey_curve_name(0));
	CU_ASSERT_PTR_NULL(uftp_pkey_curve_name(26));
	CU_ASSERT_EQUAL(uftp_pkey_curve_to_nid(UFTP_CURVE_SECP256R1),
	                415); /* NID_X9_62_prime256v1 */
	CU_ASSERT_EQUAL(uftp_pkey_curve_from_nid(415), UFTP_CURVE_SECP256R1);
	CU_ASSERT_EQUAL(uftp_pkey_curve_to_nid(0), 0);
	CU_ASSERT_EQUAL(uftp_pkey_curve_from_nid(0), UFTP_CURVE_NONE);
}

static void test_curve_table_consistent(void)
{
	int c;

	for (c = 1; c <= UFTP_CURVE_MAX; c++) {
		const char *name = uftp_pkey_curve_name(c);

		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_EQUAL(uftp_pkey_curve_by_name(name), c);
		CU_ASSERT_EQUAL(uftp_pkey_curve_from_nid(uftp_pkey_curve_to_nid(c)), c);
	}
}

static void test_fp_parse(void)
{
	static const char *s = "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC";
	uint8_t fp[UFTP_FP_LEN], want[UFTP_FP_LEN];
	char out[UFTP_FP_STRLEN];

	CU_ASSERT_EQUAL(cutest_unhex(s, want, sizeof(want)), UFTP_FP_LEN);
	CU_ASSERT_EQUAL(uftp_fp_parse(fp, s), 0);
	CU_ASSERT_EQUAL(memcmp(fp, want, sizeof(fp)), 0);
	CU_ASSERT_EQUAL(uftp_fp_format(out, sizeof(out), fp), 59);
	CU_ASSERT_STRING_EQUAL(out, s);
	CU_ASSERT_EQUAL(uftp_fp_format(out, sizeof(out) - 1, fp), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(
	    uftp_fp_parse(fp, "66:1e:c9:1d:fc:99:db:60:b0:1a:f0:8f:ca:f4:28:27:a6:be:94:bc"), 0);
	CU_ASSERT_EQUAL(memcmp(fp, want, sizeof(fp)), 0);
	/* one-digit groups, as the reference accepts */
	CU_ASSERT_EQUAL(uftp_fp_parse(fp, "1:2:3:4:5:6:7:8:9:A:B:C:D:E:F:0:1:2:3:FF"), 0);
	CU_ASSERT_EQUAL(fp[0], 1);
	CU_ASSERT_EQUAL(fp[19], 0xff);
}

static void test_fp_parse_bad(void)
{
	static const char *bad[] = {
	    "",
	    "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94",       /* 19 */
	    "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC:11", /* 21 */
	    "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC:",   /* trailing : */
	    "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BCx",
	    "166:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC",
	    "661EC91DFC99DB60B01AF08FCAF42827A6BE94BC",
	    "66-1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC",
	    "ZZ:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC",
	    "66::1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC",
	    " 66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC",
	};
	uint8_t fp[UFTP_FP_LEN];
	size_t i;

	memset(fp, 0xaa, sizeof(fp));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(uftp_fp_parse(fp, bad[i]), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(fp[0], 0xaa); /* untouched on failure */
	CU_ASSERT_EQUAL(uftp_fp_parse(fp, NULL), UFTP_ERR_INVALID);
}

static const struct cutest tests[] = {
    CUTEST(test_rsa_roundtrip),  CUTEST(test_ec_roundtrip),
    CUTEST(test_pem_form),       CUTEST(test_refuse_overwrite_existing),
    CUTEST(test_load_errors),    CUTEST(test_known_fingerprints),
    CUTEST(test_blob_rsa),       CUTEST(test_blob_ec_all_curves),
    CUTEST(test_blob_ec_layout), CUTEST(test_blob_ec_padding),
    CUTEST(test_blob_bad),       CUTEST(test_generate_bad),
    CUTEST(test_curve_names),    CUTEST(test_curve_table_consistent),
    CUTEST(test_fp_parse),       CUTEST(test_fp_parse_bad),
};

int main(void)
{
	CU_pSuite s;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	s = CU_add_suite("keyfile", suite_init, suite_clean);
	if (!s)
		return EXIT_FAILURE;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return EXIT_FAILURE;
	return cutest_run();
}
