# fragment: appended to by its module's owner
# In-process network simulator and whole-session scenarios (fake clock).
SIM_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS) -I$(top_srcdir)/tests/sim

check_PROGRAMS += tests/sim/test_simnet
TESTS += tests/sim/test_simnet
tests_sim_test_simnet_SOURCES = tests/sim/test_simnet.c tests/sim/simnet.c tests/sim/simnet.h \
	tests/unit/cutest.h
tests_sim_test_simnet_CFLAGS = $(SIM_CFLAGS)
tests_sim_test_simnet_LDADD = $(CORE_LIBS) $(UNIT_LIBS)
