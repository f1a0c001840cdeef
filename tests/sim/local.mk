# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# In-process network simulator and whole-session scenarios (fake clock).
SIM_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS) -I$(top_srcdir)/tests/sim

check_PROGRAMS += tests/sim/test_simnet
TESTS += tests/sim/test_simnet
tests_sim_test_simnet_SOURCES = tests/sim/test_simnet.c tests/sim/simnet.c tests/sim/simnet.h \
	tests/unit/cutest.h
tests_sim_test_simnet_CFLAGS = $(SIM_CFLAGS)
tests_sim_test_simnet_LDADD = $(CORE_LIBS) $(UNIT_LIBS)

# Whole sessions: server core + client cores over the simulator.
SIM_SESS_SOURCES = tests/sim/simsess.c tests/sim/simsess.h tests/sim/simnet.c \
	tests/sim/simnet.h tests/unit/cutest.h
check_PROGRAMS += tests/sim/test_sim_session
TESTS += tests/sim/test_sim_session
tests_sim_test_sim_session_SOURCES = tests/sim/test_sim_session.c $(SIM_SESS_SOURCES)
tests_sim_test_sim_session_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_sim_test_sim_session_CFLAGS = $(SIM_CFLAGS)
tests_sim_test_sim_session_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

# Whole sessions through a proxy core: server, client or response proxy, clients.
check_PROGRAMS += tests/sim/test_sim_proxy
TESTS += tests/sim/test_sim_proxy
tests_sim_test_sim_proxy_SOURCES = tests/sim/test_sim_proxy.c $(SIM_SESS_SOURCES)
tests_sim_test_sim_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_sim_test_sim_proxy_CFLAGS = $(SIM_CFLAGS)
tests_sim_test_sim_proxy_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)

# Whole sessions under -C tfmcc: the sender's TFMCC driven by our receivers' feedback.
check_PROGRAMS += tests/sim/test_sim_tfmcc
TESTS += tests/sim/test_sim_tfmcc
tests_sim_test_sim_tfmcc_SOURCES = tests/sim/test_sim_tfmcc.c $(SIM_SESS_SOURCES)
tests_sim_test_sim_tfmcc_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_sim_test_sim_tfmcc_CFLAGS = $(SIM_CFLAGS)
tests_sim_test_sim_tfmcc_LDADD = $(CRYPTO_LIBS) $(UNIT_LIBS)
