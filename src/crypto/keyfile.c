/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Key files, key generation, protocol key blobs and fingerprints.
 *
 * How the fingerprint definition was found (black box, no reference source):
 * keys were generated with the reference `uftp_keymgt -g` (RSA 512..2048,
 * e = 65537 and e = 3, odd sizes such as 513 and 1023 bits; every named curve
 * it accepts, plus brainpoolP256r1 and an explicit-parameter P-256 key made
 * with openssl), and SHA-1 was computed over candidate encodings: DER
 * SubjectPublicKeyInfo, DER PKCS#1 RSAPublicKey, the modulus alone, exponent
 * and modulus in both orders and widths, the EC point with and without its
 * 0x04 prefix, compressed points, and the protocol key blob with and without
 * the prefix.  Only the protocol key blob matched, for every key:
 *   RSA: 01 00 <len(n):16> <e:32> <n, len(n) bytes>
 *   EC:  02 <curve number> <2 * field bytes:16> <X> <Y>   (no 0x04)
 * An ANNOUNCE captured from the reference uftp with a sect163k1 key shows the
 * EC blob on the wire as 48 bytes: key length field 42, then two zero bytes,
 * so EC blobs travel padded to 4-byte words, and the fingerprint is over
 * that padded blob; with a 513-bit RSA key the RSA blob was 73 bytes, unpadded.
 * except that an EC blob whose length is not a multiple of 4 (sect163k1,
 * sect163r1, sect163r2: 46 bytes; sect193r1, sect193r2: 54 bytes) is hashed
 * with zero bytes appended up to the next multiple of 4: for those curves no
 * unpadded candidate matched, and a search over paddings found exactly two
 * zero bytes.  RSA blobs are hashed unpadded (513- and 1000-bit keys, with
 * 73- and 133-byte blobs, match without padding).
 * A key on a curve outside protocol.txt 5.3.12 hashes with curve byte 0 and
 * is listed as "curve UNKNOWN".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/keysched.h"
#include "core/proto.h"
#include "crypto/ossl.h"
#include "crypto/keyfile.h"
#include "crypto/pkey.h"
#include "lib/log.h"

#define KEYFILE_MAX (64 * 1024) /* far above any PEM key this suite uses */

/* ---- named curves ------------------------------------------------------ */

struct curve_info {
	int curve;         /* protocol number, protocol.txt 5.3.12 */
	const char *name;  /* as printed by uftp_keymgt (OpenSSL short name) */
	const char *alias; /* the other spelling accepted after -g ec: */
	int nid;
	int field_bits; /* the point is 2 * ceil(field_bits / 8) bytes */
};

static const struct curve_info curves[] = {
    {UFTP_CURVE_SECT163K1, "sect163k1", NULL, NID_sect163k1, 163},
    {UFTP_CURVE_SECT163R1, "sect163r1", NULL, NID_sect163r1, 163},
    {UFTP_CURVE_SECT163R2, "sect163r2", NULL, NID_sect163r2, 163},
    {UFTP_CURVE_SECT193R1, "sect193r1", NULL, NID_sect193r1, 193},
    {UFTP_CURVE_SECT193R2, "sect193r2", NULL, NID_sect193r2, 193},
    {UFTP_CURVE_SECT233K1, "sect233k1", NULL, NID_sect233k1, 233},
    {UFTP_CURVE_SECT233R1, "sect233r1", NULL, NID_sect233r1, 233},
    {UFTP_CURVE_SECT239K1, "sect239k1", NULL, NID_sect239k1, 239},
    {UFTP_CURVE_SECT283K1, "sect283k1", NULL, NID_sect283k1, 283},
    {UFTP_CURVE_SECT283R1, "sect283r1", NULL, NID_sect283r1, 283},
    {UFTP_CURVE_SECT409K1, "sect409k1", NULL, NID_sect409k1, 409},
    {UFTP_CURVE_SECT409R1, "sect409r1", NULL, NID_sect409r1, 409},
    {UFTP_CURVE_SECT571K1, "sect571k1", NULL, NID_sect571k1, 571},
    {UFTP_CURVE_SECT571R1, "sect571r1", NULL, NID_sect571r1, 571},
    {UFTP_CURVE_SECP160K1, "secp160k1", NULL, NID_secp160k1, 160},
    {UFTP_CURVE_SECP160R1, "secp160r1", NULL, NID_secp160r1, 160},
    {UFTP_CURVE_SECP160R2, "secp160r2", NULL, NID_secp160r2, 160},
    {UFTP_CURVE_SECP192K1, "secp192k1", NULL, NID_secp192k1, 192},
    {UFTP_CURVE_SECP192R1, "prime192v1", "secp192r1", NID_X9_62_prime192v1, 192},
    {UFTP_CURVE_SECP224K1, "secp224k1", NULL, NID_secp224k1, 224},
    {UFTP_CURVE_SECP224R1, "secp224r1", NULL, NID_secp224r1, 224},
    {UFTP_CURVE_SECP256K1, "secp256k1", NULL, NID_secp256k1, 256},
    {UFTP_CURVE_SECP256R1, "prime256v1", "secp256r1", NID_X9_62_prime256v1, 256},
    {UFTP_CURVE_SECP384R1, "secp384r1", NULL, NID_secp384r1, 384},
    {UFTP_CURVE_SECP521R1, "secp521r1", NULL, NID_secp521r1, 521},
};

#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static const struct curve_info *curve_lookup(int curve)
{
	size_t i;

	for (i = 0; i < NCURVES; i++)
		if (curves[i].curve == curve)
			return &curves[i];
	return NULL;
}

int uftp_pkey_curve_by_name(const char *name)
{
	size_t i;

	if (!name)
		return UFTP_ERR_UNKNOWN_TYPE;
	for (i = 0; i < NCURVES; i++) {
		if (strcmp(name, curves[i].name) == 0)
			return curves[i].curve;
		if (curves[i].alias && strcmp(name, curves[i].alias) == 0)
			return curves[i].curve;
	}
	return UFTP_ERR_UNKNOWN_TYPE;
}

const char *uftp_pkey_curve_name(int curve)
{
	const struct curve_info *ci = curve_lookup(curve);

	return ci ? ci->name : NULL;
}

int uftp_pkey_curve_to_nid(int curve)
{
	const struct curve_info *ci = curve_lookup(curve);

	return ci ? ci->nid : NID_undef;
}

int uftp_pkey_curve_from_nid(int nid)
{
	size_t i;

	if (nid == NID_undef)
		return UFTP_CURVE_NONE;
	for (i = 0; i < NCURVES; i++)
		if (curves[i].nid == nid)
			return curves[i].curve;
	return UFTP_CURVE_NONE;
}

/* ---- key objects ------------------------------------------------------- */

/* Wraps pkey (ownership passes in, freed on failure) into a new uftp_pkey. */
static int wrap(struct uftp_pkey **out, EVP_PKEY *pkey, int blobtype, int curve, int priv)
{
	struct uftp_pkey *k = calloc(1, sizeof(*k));

	if (!k) {
		EVP_PKEY_free(pkey);
		return UFTP_ERR_NOMEM;
	}
	k->pkey = pkey;
	k->blobtype = blobtype;
	k->curve = curve;
	k->has_private = priv;
	*out = k;
	return 0;
}

int uftp_pkey_generate_rsa(struct uftp_pkey **out, int bits)
{
	EVP_PKEY *pkey;

	if (!out || bits < UFTP_RSA_MIN_BITS || bits > UFTP_RSA_MAX_BITS)
		return UFTP_ERR_INVALID;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (!pkey)
		return UFTP_ERR_CRYPTO;
	return wrap(out, pkey, UFTP_BLOB_RSA, UFTP_CURVE_NONE, 1);
}

int uftp_pkey_generate_ec(struct uftp_pkey **out, int curve)
{
	const struct curve_info *ci = curve_lookup(curve);
	EVP_PKEY *pkey;

	if (!out)
		return UFTP_ERR_INVALID;
	if (!ci)
		return UFTP_ERR_UNKNOWN_TYPE;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ci->name);
	if (!pkey)
		return UFTP_ERR_UNSUPPORTED;
	return wrap(out, pkey, UFTP_BLOB_EC, curve, 1);
}

void uftp_pkey_free(struct uftp_pkey *key)
{
	if (!key)
		return;
	/* EVP_PKEY_free clears the private BIGNUMs (BN_clear_free). */
	EVP_PKEY_free(key->pkey);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

int uftp_pkey_bits(const struct uftp_pkey *key)
{
	int n;

	if (!key || !key->pkey)
		return UFTP_ERR_INVALID;
	/* The reference prints RSA sizes as whole modulus bytes times 8. */
	if (key->blobtype == UFTP_BLOB_RSA)
		n = EVP_PKEY_get_size(key->pkey) * 8;
	else
		n = EVP_PKEY_get_bits(key->pkey);
	return n > 0 ? n : UFTP_ERR_INVALID;
}

/* ---- loading ----------------------------------------------------------- */

/* Reads a whole small file; *buf is freed by the caller with cleanse. */
static int read_small(int fd, mode_t *mode, unsigned char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return UFTP_ERR_IO;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > KEYFILE_MAX)
		return UFTP_ERR_KEYFILE;
	*mode = st.st_mode;
	*buf = malloc((size_t)st.st_size);
	if (!*buf)
		return UFTP_ERR_NOMEM;
	*len = (size_t)st.st_size;
	n = read(fd, *buf, *len);
	if (n < 0)
		return UFTP_ERR_IO;
	*len = (size_t)n; /* a short read leaves a truncated PEM: decode fails */
	return 0;
}

/* Decodes PEM (traditional or PKCS#8, never encrypted) into an EVP_PKEY. */
static EVP_PKEY *decode_pem(const unsigned char *buf, size_t len)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = buf;
	size_t left = len;

	/* No passphrase callback is set, so an encrypted key fails quietly. */
	dctx =
	    OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
	if (!dctx)
		return NULL;
	if (!OSSL_DECODER_from_data(dctx, &p, &left)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

static int has_private_half(const EVP_PKEY *pkey, int blobtype)
{
	BIGNUM *bn = NULL;
	const char *name =
	    blobtype == UFTP_BLOB_RSA ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
	int ok = EVP_PKEY_get_bn_param(pkey, name, &bn) && bn;

	BN_clear_free(bn);
	return ok;
}

static int ec_curve_of(const EVP_PKEY *pkey)
{
	char name[64];
	size_t len = 0;

	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
	                                    &len))
		return UFTP_CURVE_NONE;
	return uftp_pkey_curve_from_nid(OBJ_sn2nid(name));
}

/* Classifies a decoded key; takes ownership of pkey. */
static int wrap_loaded(struct uftp_pkey **out, EVP_PKEY *pkey)
{
	int type;

	if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS"))
		type = UFTP_BLOB_RSA;
	else if (EVP_PKEY_is_a(pkey, "EC"))
		type = UFTP_BLOB_EC;
	else
		type = UFTP_BLOB_NONE;
	if (type == UFTP_BLOB_NONE || !has_private_half(pkey, type)) {
		EVP_PKEY_free(pkey);
		return UFTP_ERR_KEYFILE;
	}
	return wrap(out, pkey, type, type == UFTP_BLOB_EC ? ec_curve_of(pkey) : 0, 1);
}

int uftp_keyfile_load(struct uftp_pkey **out, const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	EVP_PKEY *pkey;
	int fd, rv, saved;

	if (!out || !path)
		return UFTP_ERR_INVALID;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return UFTP_ERR_IO;
	rv = read_small(fd, &mode, &buf, &len);
	saved = errno;
	close(fd);
	errno = saved;
	if (rv < 0) {
		free(buf);
		return rv;
	}
	pkey = decode_pem(buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!pkey)
		return UFTP_ERR_KEYFILE;
	rv = wrap_loaded(out, pkey);
	/* Warn only about real private keys: junk is reported as junk. */
	if (rv == 0 && (mode & (S_IRWXG | S_IRWXO)))
		log_warnx("warning: key file %s is accessible by group or others (mode %04o); "
		          "chmod 600 it",
		          path, (unsigned int)(mode & 07777));
	return rv;
}

/* ---- saving ------------------------------------------------------------ */

/* Encodes the private key as traditional PEM into a fresh memory buffer. */
static int encode_pem(const struct uftp_pkey *key, unsigned char **pem, size_t *len)
{
	OSSL_ENCODER_CTX *ectx;
	int ok;

	/* "type-specific" = PKCS#1 RSAPrivateKey / SEC1 ECPrivateKey, as the
	 * reference writes; EC parameters stay a named-curve OID. */
	ectx = OSSL_ENCODER_CTX_new_for_pkey(key->pkey, EVP_PKEY_KEYPAIR, "PEM", "type-specific",
	                                     NULL);
	if (!ectx)
		return UFTP_ERR_CRYPTO;
	*pem = NULL;
	*len = 0;
	ok = OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0 && OSSL_ENCODER_to_data(ectx, pem, len);
	OSSL_ENCODER_CTX_free(ectx);
	return ok ? 0 : UFTP_ERR_CRYPTO;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return UFTP_ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_new_file(const char *path, const unsigned char *data, size_t len)
{
	int fd, rv, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return errno == EEXIST ? UFTP_ERR_EXISTS : UFTP_ERR_IO;
	/* The umask may only have narrowed 0600; never widen it. */
	rv = fchmod(fd, 0600) < 0 ? UFTP_ERR_IO : 0;
	if (rv == 0)
		rv = write_all(fd, data, len);
	if (rv == 0 && fsync(fd) < 0)
		rv = UFTP_ERR_IO;
	saved = errno;
	if (close(fd) < 0 && rv == 0) {
		saved = errno;
		rv = UFTP_ERR_IO;
	}
	if (rv < 0)
		unlink(path);
	errno = saved;
	return rv;
}

int uftp_keyfile_save(const struct uftp_pkey *key, const char *path)
{
	unsigned char *pem;
	size_t len;
	int rv;

	if (!key || !key->pkey || !path || !key->has_private)
		return UFTP_ERR_INVALID;
	rv = encode_pem(key, &pem, &len);
	if (rv < 0)
		return rv;
	rv = write_new_file(path, pem, len);
	OPENSSL_clear_free(pem, len);
	return rv;
}

/* ---- blobs ------------------------------------------------------------- */

static ssize_t export_rsa(const EVP_PKEY *pkey, uint8_t *out, size_t cap)
{
	BIGNUM *n = NULL, *e = NULL;
	ssize_t rv = UFTP_ERR_CRYPTO;
	size_t modlen;
	uint8_t *p = out;

	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		goto done;
	modlen = (size_t)BN_num_bytes(n);
	rv = UFTP_ERR_INVALID;
	if (modlen == 0 || modlen > 0xffff || BN_num_bits(e) > 32)
		goto done;
	rv = (ssize_t)(UFTP_RSA_BLOB_HDR + modlen);
	if (!out)
		goto done;
	if (cap < (size_t)rv) {
		rv = UFTP_ERR_NOSPACE;
		goto done;
	}
	p = put_u8(p, UFTP_BLOB_RSA);
	p = put_u8(p, 0);
	p = put_u16be(p, (uint16_t)modlen);
	p = put_u32be(p, (uint32_t)BN_get_word(e));
	if (BN_bn2binpad(n, p, (int)modlen) < 0)
		rv = UFTP_ERR_CRYPTO;
done:
	BN_free(n);
	BN_free(e);
	return rv;
}

/*
 * The uncompressed SEC1 point 04 || X || Y into pt.  A key loaded from a file
 * written with compressed points is converted on a copy first.
 */
static int ec_point(const EVP_PKEY *pkey, uint8_t *pt, size_t cap, size_t *len)
{
	EVP_PKEY *dup;
	int ok;

	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pt, cap, len) &&
	    *len > 1 && pt[0] == 0x04)
		return 0;
	dup = EVP_PKEY_dup((EVP_PKEY *)(uintptr_t)pkey);
	if (!dup)
		return UFTP_ERR_CRYPTO;
	ok = EVP_PKEY_set_utf8_string_param(dup, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	                                    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) &&
	     EVP_PKEY_get_octet_string_param(dup, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, cap,
	                                     len) &&
	     *len > 1 && pt[0] == 0x04;
	EVP_PKEY_free(dup);
	return ok ? 0 : UFTP_ERR_CRYPTO;
}

/* EC blobs travel zero-padded to whole 4-byte words; RSA blobs do not. */
static size_t ec_blob_len(size_t keylen)
{
	return (UFTP_EC_BLOB_HDR + keylen + 3) & ~(size_t)3;
}

static ssize_t export_ec(const struct uftp_pkey *key, uint8_t *out, size_t cap)
{
	uint8_t pt[1 + 2 * 72]; /* sect571: 72-byte coordinates */
	size_t len = 0, keylen, total;
	uint8_t *p = out;
	int rv;

	rv = ec_point(key->pkey, pt, sizeof(pt), &len);
	if (rv < 0)
		return rv;
	keylen = len - 1; /* the blob carries X || Y without the 0x04 */
	total = ec_blob_len(keylen);
	if (!out)
		return (ssize_t)total;
	if (cap < total)
		return UFTP_ERR_NOSPACE;
	p = put_u8(p, UFTP_BLOB_EC);
	p = put_u8(p, (uint8_t)key->curve);
	p = put_u16be(p, (uint16_t)keylen);
	p = put_bytes(p, pt + 1, keylen);
	put_zero(p, total - UFTP_EC_BLOB_HDR - keylen);
	return (ssize_t)total;
}

ssize_t uftp_pkey_export_blob(const struct uftp_pkey *key, uint8_t *out, size_t cap)
{
	if (!key || !key->pkey)
		return UFTP_ERR_INVALID;
	if (key->blobtype == UFTP_BLOB_RSA)
		return export_rsa(key->pkey, out, cap);
	if (key->blobtype == UFTP_BLOB_EC)
		return export_ec(key, out, cap);
	return UFTP_ERR_INVALID;
}

/* Builds a public-only EVP_PKEY of type name from params. */
static int from_params(EVP_PKEY **pkey, const char *name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	int ok;

	*pkey = NULL;
	ok = params && ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
	     EVP_PKEY_fromdata(ctx, pkey, EVP_PKEY_PUBLIC_KEY, params) > 0;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return ok ? 0 : UFTP_ERR_BADVALUE;
}

static int import_rsa(struct uftp_pkey **out, const uint8_t *blob, size_t len)
{
	OSSL_PARAM_BLD *bld;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pkey = NULL;
	uint16_t modlen;
	uint32_t exp;
	int rv = UFTP_ERR_NOMEM;

	if (len < UFTP_RSA_BLOB_HDR)
		return UFTP_ERR_TRUNCATED;
	get_u16be(&modlen, blob + 2);
	get_u32be(&exp, blob + 4);
	if (modlen == 0 || len != UFTP_RSA_BLOB_HDR + (size_t)modlen)
		return UFTP_ERR_BADLEN;
	if (blob[1] != 0 || exp < 3 || !(exp & 1) || !(blob[len - 1] & 1))
		return UFTP_ERR_BADVALUE;
	bld = OSSL_PARAM_BLD_new();
	n = BN_bin2bn(blob + UFTP_RSA_BLOB_HDR, (int)modlen, NULL);
	e = BN_new();
	if (bld && n && e && BN_set_word(e, exp) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		rv = from_params(&pkey, "RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	if (rv < 0)
		return rv;
	return wrap(out, pkey, UFTP_BLOB_RSA, UFTP_CURVE_NONE, 0);
}

/* Rejects points that are not on the curve (or in the wrong subgroup). */
static int check_public(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = ctx && EVP_PKEY_public_check(ctx) > 0;

	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : UFTP_ERR_BADVALUE;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int import_ec(struct uftp_pkey **out, const uint8_t *blob, size_t len)
{
	const struct curve_info *ci;
	uint8_t pt[1 + 2 * 72];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;
	uint16_t keylen;
	int rv = UFTP_ERR_NOMEM;

	if (len < UFTP_EC_BLOB_HDR)
		return UFTP_ERR_TRUNCATED;
	ci = curve_lookup(blob[1]);
	if (!ci)
		return UFTP_ERR_UNKNOWN_TYPE;
	get_u16be(&keylen, blob + 2);
	if (keylen != 2 * (size_t)((ci->field_bits + 7) / 8))
		return UFTP_ERR_BADLEN;
	/* Accept the blob with its word padding (as sent) or without it. */
	if (len != UFTP_EC_BLOB_HDR + (size_t)keylen && len != ec_blob_len(keylen))
		return UFTP_ERR_BADLEN;
	if (!all_zero(blob + UFTP_EC_BLOB_HDR + keylen, len - UFTP_EC_BLOB_HDR - keylen))
		return UFTP_ERR_BADVALUE;
	pt[0] = 0x04;
	memcpy(pt + 1, blob + UFTP_EC_BLOB_HDR, keylen);
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ci->name, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + keylen))
		rv = from_params(&pkey, "EC", bld);
	OSSL_PARAM_BLD_free(bld);
	if (rv == 0)
		rv = check_public(pkey);
	if (rv < 0) {
		EVP_PKEY_free(pkey);
		return rv;
	}
	return wrap(out, pkey, UFTP_BLOB_EC, ci->curve, 0);
}

int uftp_pkey_import_blob(struct uftp_pkey **out, const uint8_t *blob, size_t len)
{
	if (!out || !blob)
		return UFTP_ERR_INVALID;
	if (len < 1)
		return UFTP_ERR_TRUNCATED;
	if (blob[0] == UFTP_BLOB_RSA)
		return import_rsa(out, blob, len);
	if (blob[0] == UFTP_BLOB_EC)
		return import_ec(out, blob, len);
	return UFTP_ERR_UNKNOWN_TYPE;
}

/* ---- fingerprints ------------------------------------------------------ */

int uftp_pkey_fingerprint_blob(const uint8_t *blob, size_t len, uint8_t fp[UFTP_FP_LEN])
{
	if (!fp)
		return UFTP_ERR_INVALID;
	/* uftp_keymgt and the key tests use this before (or without) a driver's set-up */
	if (uftp_ossl_init(NULL, 0) == UFTP_ERR_CRYPTO)
		return UFTP_ERR_CRYPTO;
	return uftp_key_fingerprint(uftp_ossl_ops(), blob, len, fp);
}

int uftp_pkey_fingerprint(const struct uftp_pkey *key, uint8_t fp[UFTP_FP_LEN])
{
	ssize_t len;
	uint8_t *blob;
	int rv;

	len = uftp_pkey_export_blob(key, NULL, 0);
	if (len < 0)
		return (int)len;
	blob = malloc((size_t)len);
	if (!blob)
		return UFTP_ERR_NOMEM;
	len = uftp_pkey_export_blob(key, blob, (size_t)len);
	rv = len < 0 ? (int)len : uftp_pkey_fingerprint_blob(blob, (size_t)len, fp);
	free(blob);
	return rv;
}
