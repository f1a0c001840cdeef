# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# Shared driver library (src/lib): addresses, option values, host lists,
# interfaces, sockets, clock, event loop, daemon helpers.
libuftplib_a_SOURCES += \
	src/lib/addr.c src/lib/addr.h src/lib/addr_wild.c \
	src/lib/hostlist.c src/lib/hostlist.h \
	src/lib/opts.c src/lib/opts.h \
	src/lib/clock.c src/lib/clock.h \
	src/lib/iface.c src/lib/iface.h \
	src/lib/net.c src/lib/net.h src/lib/net_mcast.c src/lib/net_io.c \
	src/lib/pump.c src/lib/pump.h \
	src/lib/loop.c src/lib/loop.h \
	src/lib/daemon.c src/lib/daemon.h \
	src/lib/peer.c src/lib/peer.h

LIB_TEST_LIBS = libuftplib.a libuftpcore.a $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_addr
tests_unit_test_addr_SOURCES = tests/unit/test_addr.c tests/unit/cutest.h
tests_unit_test_addr_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_addr_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_addr

check_PROGRAMS += tests/unit/test_opts
tests_unit_test_opts_SOURCES = tests/unit/test_opts.c tests/unit/cutest.h
tests_unit_test_opts_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_opts_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_opts

check_PROGRAMS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c tests/unit/cutest.h
tests_unit_test_net_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_net_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_net
# the send queue: a datagram socket pair whose buffer fills
check_PROGRAMS += tests/unit/test_txq
tests_unit_test_txq_SOURCES = tests/unit/test_txq.c tests/unit/cutest.h
tests_unit_test_txq_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_txq_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_txq

check_PROGRAMS += tests/unit/test_loop
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c tests/unit/cutest.h
tests_unit_test_loop_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_loop_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_loop

check_PROGRAMS += tests/unit/test_daemon
tests_unit_test_daemon_SOURCES = tests/unit/test_daemon.c tests/unit/cutest.h
tests_unit_test_daemon_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_daemon_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_daemon

check_PROGRAMS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c tests/unit/cutest.h
tests_unit_test_log_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_log

# ---- receiver's confined file store and sender's file walker ----
libuftplib_a_SOURCES += src/lib/fstore.c src/lib/fstore.h

check_PROGRAMS += tests/unit/test_fstore
tests_unit_test_fstore_SOURCES = tests/unit/test_fstore.c tests/unit/cutest.h
tests_unit_test_fstore_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_fstore_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_fstore

libuftplib_a_SOURCES += src/lib/walk.c src/lib/walk.h

check_PROGRAMS += tests/unit/test_walk
tests_unit_test_walk_SOURCES = tests/unit/test_walk.c tests/unit/cutest.h
tests_unit_test_walk_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_walk_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_walk
