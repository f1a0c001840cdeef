# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- client session state machine (uftpd's core) ----
libuftpcore_a_SOURCES += src/core/client.h src/core/client_int.h src/core/client.c \
	src/core/client_reg.c src/core/client_file.c src/core/client_cc.c src/core/client_proxy.c \
	src/core/client_stats.c \
	src/core/client_hb.c

check_PROGRAMS += tests/unit/test_client
TESTS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c tests/unit/cutest.h \
	src/uftpd/member.c src/uftpd/member.h
tests_unit_test_client_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_client_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
