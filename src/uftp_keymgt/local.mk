# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# Key files, key blobs and fingerprints (used by every program).
libuftpcrypto_a_SOURCES += src/crypto/keyfile.c src/crypto/keyfile.h

bin_PROGRAMS += uftp_keymgt
uftp_keymgt_SOURCES = src/uftp_keymgt/main.c
uftp_keymgt_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
uftp_keymgt_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
dist_man_MANS += man/uftp_keymgt.1

check_PROGRAMS += tests/unit/test_keyfile
tests_unit_test_keyfile_SOURCES = tests/unit/test_keyfile.c tests/unit/cutest.h
tests_unit_test_keyfile_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DUFTP_TEST_KEYDIR='"$(abs_top_srcdir)/keys"'
tests_unit_test_keyfile_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_keyfile_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a \
	$(LIBCRYPTO_LIBS) $(UNIT_LIBS)
TESTS += tests/unit/test_keyfile
