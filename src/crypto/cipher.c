/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Symmetric encryption for the ops table: DES/3DES/AES in CBC with PKCS#7
 * padding, AES-GCM and AES-CCM with a 12-byte nonce and a 16-byte tag
 * appended to the ciphertext (the layout UFTP 4.10.2 puts on the wire).
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "core/err.h"
#include "crypto/internal.h"

/* Arguments of one encrypt/decrypt call. */
struct job {
	int keytype;
	const EVP_CIPHER *cipher;
	const uint8_t *key, *iv, *aad, *in;
	size_t aadlen, len;
	uint8_t *out;
	size_t cap;
};

static int is_ccm(int keytype)
{
	return keytype == UFTP_KEY_AES128_CCM || keytype == UFTP_KEY_AES256_CCM;
}

static int check_job(struct job *j)
{
	j->cipher = ossl_cipher(j->keytype);
	if (!j->cipher)
		return ossl_key_err(j->keytype);
	if (j->len > INT_MAX - UFTP_MAX_BLOCK_LEN || j->aadlen > INT_MAX)
		return UFTP_ERR_INVALID;
	return 0;
}

static int cbc_run(const struct job *j, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, finl = 0, ok;

	if (!ctx)
		return UFTP_ERR_NOMEM;
	/* Decryption runs without OpenSSL's padding so that out needs exactly
	 * len bytes; unpad() removes and checks the padding. */
	ok = EVP_CipherInit_ex2(ctx, j->cipher, j->key, j->iv, enc, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, enc) &&
	     EVP_CipherUpdate(ctx, j->out, &outl, j->in, (int)j->len) &&
	     EVP_CipherFinal_ex(ctx, j->out + outl, &finl);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? outl + finl : UFTP_ERR_CRYPTO;
}

/* Checks PKCS#7 padding of buf[0..len) without branching on its bytes. */
static int unpad(const uint8_t *buf, size_t len, size_t b)
{
	unsigned int pad = buf[len - 1], bad = 0;
	size_t i;

	bad |= (unsigned int)(pad == 0) | (unsigned int)(pad > b);
	for (i = 0; i < b; i++) {
		unsigned int in_pad = (unsigned int)(i < pad);

		bad |= in_pad & (unsigned int)(buf[len - 1 - i] != pad);
	}
	return bad ? UFTP_ERR_AUTH : (int)(len - pad);
}

static int cbc_encrypt(const struct job *j)
{
	if (j->cap < uftp_cipher_out_len(j->keytype, j->len))
		return UFTP_ERR_NOSPACE;
	return cbc_run(j, 1);
}

static int cbc_decrypt(const struct job *j)
{
	size_t b = uftp_block_len(j->keytype);
	int rv;

	if (b == 0)
		return UFTP_ERR_UNKNOWN_TYPE;
	if (j->len == 0 || j->len % b)
		return UFTP_ERR_AUTH;
	if (j->cap < j->len)
		return UFTP_ERR_NOSPACE;
	rv = cbc_run(j, 0);
	if (rv < 0)
		return rv;
	return unpad(j->out, j->len, b);
}

/* Sets up an AEAD context: nonce length, CCM tag length, key and nonce. */
static int aead_init(EVP_CIPHER_CTX *ctx, const struct job *j, int enc, const uint8_t *tag)
{
	size_t ivlen = 12, taglen = UFTP_AEAD_TAG_LEN;
	OSSL_PARAM p[3], *q = p;

	*q++ = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
	if (is_ccm(j->keytype))
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
		                                         (void *)(uintptr_t)tag, taglen);
	*q = OSSL_PARAM_construct_end();
	if (!EVP_CipherInit_ex2(ctx, j->cipher, NULL, NULL, enc, p))
		return UFTP_ERR_CRYPTO;
	if (!EVP_CipherInit_ex2(ctx, NULL, j->key, j->iv, enc, NULL))
		return UFTP_ERR_CRYPTO;
	return 0;
}

/* Feeds the AAD (and, for CCM, the total length first). */
static int aead_aad(EVP_CIPHER_CTX *ctx, const struct job *j, size_t datalen)
{
	int outl;

	if (is_ccm(j->keytype) && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)datalen))
		return UFTP_ERR_CRYPTO;
	if (j->aadlen && !EVP_CipherUpdate(ctx, NULL, &outl, j->aad, (int)j->aadlen))
		return UFTP_ERR_CRYPTO;
	return 0;
}

/* ctx: keyed, nonce set (aead_init or gcm_ctx). */
static int aead_encrypt_ctx(EVP_CIPHER_CTX *ctx, const struct job *j)
{
	OSSL_PARAM p[2];
	int outl = 0, finl = 0, rv;

	rv = aead_aad(ctx, j, j->len);
	if (rv < 0)
		return rv;
	if (!EVP_CipherUpdate(ctx, j->out, &outl, j->in, (int)j->len) ||
	    !EVP_CipherFinal_ex(ctx, j->out + outl, &finl))
		return UFTP_ERR_CRYPTO;
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, j->out + outl + finl,
	                                         UFTP_AEAD_TAG_LEN);
	p[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_get_params(ctx, p))
		return UFTP_ERR_CRYPTO;
	return outl + finl + UFTP_AEAD_TAG_LEN;
}

/* ctx: keyed, nonce set, and for CCM given the tag (aead_init or gcm_ctx). */
static int aead_decrypt_ctx(EVP_CIPHER_CTX *ctx, const struct job *j)
{
	size_t dlen = j->len - UFTP_AEAD_TAG_LEN;
	const uint8_t *tag = j->in + dlen;
	OSSL_PARAM p[2];
	int outl = 0, finl = 0, rv;

	if (!is_ccm(j->keytype)) {
		p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
		                                         (void *)(uintptr_t)tag, UFTP_AEAD_TAG_LEN);
		p[1] = OSSL_PARAM_construct_end();
		if (!EVP_CIPHER_CTX_set_params(ctx, p))
			return UFTP_ERR_CRYPTO;
	}
	rv = aead_aad(ctx, j, dlen);
	if (rv < 0)
		return rv;
	/* CCM checks the tag in Update, GCM in Final. */
	if (!EVP_CipherUpdate(ctx, j->out, &outl, j->in, (int)dlen))
		return UFTP_ERR_AUTH;
	if (!is_ccm(j->keytype) && !EVP_CipherFinal_ex(ctx, j->out + outl, &finl))
		return UFTP_ERR_AUTH;
	return outl + finl;
}

/*
 * AES-GCM contexts kept from one call to the next, one per direction: all
 * datagrams of a session are sealed or opened with one key, and setting up
 * a context per datagram (allocation, provider look-up, key expansion)
 * cost about as much as the cipher on a 1300-byte block.  A call with the
 * key of the previous one only sets the new nonce (GCM allows that; CCM
 * needs the tag before the key, so it keeps a context per call).  After a
 * failure the context is set up afresh.  The programs are single-threaded.
 */
static struct {
	EVP_CIPHER_CTX *ctx;
	const EVP_CIPHER *cipher; /* NULL: nothing reusable in ctx */
	uint8_t key[EVP_MAX_KEY_LENGTH];
} gcm_cache[2]; /* [enc] */

/* The cached context for j's key with j's nonce set, or NULL. */
static EVP_CIPHER_CTX *gcm_ctx(const struct job *j, int enc)
{
	int klen = EVP_CIPHER_get_key_length(j->cipher);

	if (klen <= 0 || klen > EVP_MAX_KEY_LENGTH)
		return NULL;
	if (!gcm_cache[enc].ctx)
		gcm_cache[enc].ctx = EVP_CIPHER_CTX_new();
	if (!gcm_cache[enc].ctx)
		return NULL;
	if (gcm_cache[enc].cipher == j->cipher &&
	    CRYPTO_memcmp(gcm_cache[enc].key, j->key, (size_t)klen) == 0 &&
	    EVP_CipherInit_ex2(gcm_cache[enc].ctx, NULL, NULL, j->iv, enc, NULL))
		return gcm_cache[enc].ctx;
	gcm_cache[enc].cipher = NULL;
	OPENSSL_cleanse(gcm_cache[enc].key, sizeof(gcm_cache[enc].key));
	if (!EVP_CIPHER_CTX_reset(gcm_cache[enc].ctx) ||
	    aead_init(gcm_cache[enc].ctx, j, enc, NULL) < 0)
		return NULL;
	memcpy(gcm_cache[enc].key, j->key, (size_t)klen);
	gcm_cache[enc].cipher = j->cipher;
	return gcm_cache[enc].ctx;
}

static int gcm_run(const struct job *j, int enc)
{
	EVP_CIPHER_CTX *ctx = gcm_ctx(j, enc);
	int rv;

	if (!ctx)
		return UFTP_ERR_CRYPTO;
	rv = enc ? aead_encrypt_ctx(ctx, j) : aead_decrypt_ctx(ctx, j);
	if (rv < 0)
		gcm_cache[enc].cipher = NULL;
	return rv;
}

static int aead_run(const struct job *j, int enc)
{
	EVP_CIPHER_CTX *ctx;
	int rv;

	if (enc && j->cap < j->len + UFTP_AEAD_TAG_LEN)
		return UFTP_ERR_NOSPACE;
	if (!enc && j->len < UFTP_AEAD_TAG_LEN)
		return UFTP_ERR_AUTH;
	if (!enc && j->cap < j->len - UFTP_AEAD_TAG_LEN)
		return UFTP_ERR_NOSPACE;
	if (!is_ccm(j->keytype))
		return gcm_run(j, enc);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return UFTP_ERR_NOMEM;
	rv = aead_init(ctx, j, enc, enc ? NULL : j->in + j->len - UFTP_AEAD_TAG_LEN);
	if (rv == 0)
		rv = enc ? aead_encrypt_ctx(ctx, j) : aead_decrypt_ctx(ctx, j);
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

int ossl_encrypt(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct job j = {keytype, NULL, key, iv, aad, in, aadlen, len, out, cap};
	int rv = check_job(&j);

	if (rv < 0)
		return rv;
	if (uftp_key_is_aead(keytype))
		return aead_run(&j, 1);
	return cbc_encrypt(&j);
}

int ossl_decrypt(int keytype, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct job j = {keytype, NULL, key, iv, aad, in, aadlen, len, out, cap};
	int rv = check_job(&j);

	if (rv < 0)
		return rv;
	if (uftp_key_is_aead(keytype))
		return aead_run(&j, 0);
	return cbc_decrypt(&j);
}
