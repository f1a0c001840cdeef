# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- proxy session state machine (uftpproxyd's core) ----
libuftpcore_a_SOURCES += src/core/proxy.h src/core/proxy_int.h src/core/proxy.c \
	src/core/proxy_agg.c src/core/proxy_hb.c src/core/proxy_enc.c \
	src/core/proxy_stats.c

check_PROGRAMS += tests/unit/test_proxy
TESTS += tests/unit/test_proxy
tests_unit_test_proxy_SOURCES = tests/unit/test_proxy.c tests/unit/cutest.h
tests_unit_test_proxy_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_proxy_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_proxy_enc
TESTS += tests/unit/test_proxy_enc
tests_unit_test_proxy_enc_SOURCES = tests/unit/test_proxy_enc.c tests/unit/cutest.h
tests_unit_test_proxy_enc_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_proxy_enc_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_proxy_flood
TESTS += tests/unit/test_proxy_flood
tests_unit_test_proxy_flood_SOURCES = tests/unit/test_proxy_flood.c tests/unit/cutest.h
tests_unit_test_proxy_flood_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_proxy_flood_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
