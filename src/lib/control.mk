# SPDX-License-Identifier: BSD-2-Clause
# fragment: the control port (src/lib/control.h) and the stats renderers
# (src/lib/statsfmt.h), their unit tests and fuzz harness.
libuftplib_a_SOURCES += \
	src/lib/statsfmt.c src/lib/statsfmt.h src/lib/statsview.h \
	src/lib/ctlreq.c src/lib/control.c src/lib/control.h

check_PROGRAMS += tests/unit/test_control
tests_unit_test_control_SOURCES = tests/unit/test_control.c tests/unit/cutest.h
tests_unit_test_control_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_control_LDADD = $(LIB_TEST_LIBS)
TESTS += tests/unit/test_control

# The request parser and the answers, from bytes as a client sends them.
FUZZ_HARNESSES += ctl
check_PROGRAMS += tests/fuzz/replay_ctl
TESTS += tests/fuzz/replay_ctl
tests_fuzz_replay_ctl_SOURCES = tests/fuzz/fuzz_ctl.c $(replay_common)
tests_fuzz_replay_ctl_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/ctl"'
tests_fuzz_replay_ctl_LDADD = libuftplib.a $(CORE_LIBS)
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_ctl
tests_fuzz_fuzz_ctl_SOURCES = tests/fuzz/fuzz_ctl.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_ctl_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_ctl_LDADD = libuftplib.a $(CORE_LIBS)
endif
