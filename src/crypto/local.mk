# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# Crypto interface and key schedule (pure core).
libuftpcore_a_SOURCES += src/core/crypto.h src/core/keysched.c src/core/keysched.h

# OpenSSL 3 implementation of src/core/crypto.h.
libuftpcrypto_a_SOURCES += \
	src/crypto/ossl.c src/crypto/ossl.h src/crypto/internal.h \
	src/crypto/cipher.c src/crypto/pk.c src/crypto/pkey.h \
	src/crypto/keyset.c src/crypto/keyset.h src/crypto/env.c src/crypto/env.h

CRYPTO_TEST_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS) $(LIBCRYPTO_CFLAGS)

check_PROGRAMS += tests/unit/test_crypto
tests_unit_test_crypto_SOURCES = tests/unit/test_crypto.c tests/unit/cutest.h
tests_unit_test_crypto_CFLAGS = $(CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
TESTS += tests/unit/test_crypto

check_PROGRAMS += tests/unit/test_crypto_pk
tests_unit_test_crypto_pk_SOURCES = tests/unit/test_crypto_pk.c tests/unit/cutest.h
tests_unit_test_crypto_pk_CFLAGS = $(CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_pk_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
TESTS += tests/unit/test_crypto_pk

check_PROGRAMS += tests/unit/test_keysched
tests_unit_test_keysched_SOURCES = tests/unit/test_keysched.c tests/unit/cutest.h
tests_unit_test_keysched_CFLAGS = $(CRYPTO_TEST_CFLAGS)
tests_unit_test_keysched_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
TESTS += tests/unit/test_keysched

check_PROGRAMS += tests/unit/test_interop_crypto
tests_unit_test_interop_crypto_SOURCES = tests/unit/test_interop_crypto.c tests/unit/cutest.h
tests_unit_test_interop_crypto_CFLAGS = $(CRYPTO_TEST_CFLAGS)
tests_unit_test_interop_crypto_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
TESTS += tests/unit/test_interop_crypto
