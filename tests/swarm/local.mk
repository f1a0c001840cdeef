# fragment: appended to by its module's owner
# swarm: N receivers (client cores) in one process, for scale tests and
# scripts/scale-bench.sh; built with the checks, not a test of its own.
check_PROGRAMS += tests/swarm/swarm
tests_swarm_swarm_SOURCES = tests/swarm/swarm.c
tests_swarm_swarm_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_swarm_swarm_LDADD = $(CRYPTO_LIBS)
