# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# swarm: N receivers (client cores) in one process, for scale tests and
# scripts/scale-bench.sh; built with the checks, not a test of its own.
check_PROGRAMS += tests/swarm/swarm
tests_swarm_swarm_SOURCES = tests/swarm/swarm.c
tests_swarm_swarm_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_swarm_swarm_LDADD = $(CRYPTO_LIBS)

# server_fb.c's feedback rules (the repair pass after a STATUS burst)
check_PROGRAMS += tests/unit/test_server_fb
TESTS += tests/unit/test_server_fb
tests_unit_test_server_fb_SOURCES = tests/unit/test_server_fb.c tests/unit/cutest.h
tests_unit_test_server_fb_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_server_fb_LDADD = $(CORE_LIBS) $(UNIT_LIBS)
