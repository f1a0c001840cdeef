# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- server session state machine (uftp's core) ----
libuftpcore_a_SOURCES += src/core/server.h src/core/server_int.h src/core/server.c \
	src/core/server_reg.c src/core/server_file.c src/core/server_data.c src/core/server_crypto.c \
	src/core/server_stats.c \
	src/core/server_restart.c src/core/server_fb.c src/core/server_cc.c

check_PROGRAMS += tests/unit/test_server
TESTS += tests/unit/test_server
tests_unit_test_server_SOURCES = tests/unit/test_server.c tests/unit/cutest.h
tests_unit_test_server_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_server_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_server_restart
TESTS += tests/unit/test_server_restart
tests_unit_test_server_restart_SOURCES = tests/unit/test_server_restart.c tests/unit/cutest.h
tests_unit_test_server_restart_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_server_restart_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_server_cc
TESTS += tests/unit/test_server_cc
tests_unit_test_server_cc_SOURCES = tests/unit/test_server_cc.c tests/unit/cutest.h
tests_unit_test_server_cc_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_server_cc_LDADD = $(CORE_LIBS) $(UNIT_LIBS)
