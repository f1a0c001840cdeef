# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- wire codec and quantization (msg.h, quant.h) ----
libuftpcore_a_SOURCES += \
	src/core/msg.h src/core/msg_int.h \
	src/core/msg_common.c src/core/msg_ext.c src/core/msg_announce.c \
	src/core/msg_file.c src/core/msg_misc.c src/core/msg_dispatch.c \
	src/core/quant.h src/core/quant.c \
	src/core/section.h src/core/section.c \
	src/core/stats.h src/core/stats.c \
	src/core/loglevel.h

MSG_TEST_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
MSG_TEST_LIBS = $(CORE_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_msg_hdr tests/unit/test_msg_announce \
	tests/unit/test_msg_file tests/unit/test_msg_misc tests/unit/test_quant \
	tests/unit/test_vectors
TESTS += tests/unit/test_msg_hdr tests/unit/test_msg_announce \
	tests/unit/test_msg_file tests/unit/test_msg_misc tests/unit/test_quant \
	tests/unit/test_vectors

tests_unit_test_msg_hdr_SOURCES = tests/unit/test_msg_hdr.c tests/unit/test_msg.h \
	tests/unit/cutest.h
tests_unit_test_msg_hdr_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_msg_hdr_LDADD = $(MSG_TEST_LIBS)

tests_unit_test_msg_announce_SOURCES = tests/unit/test_msg_announce.c tests/unit/test_msg.h \
	tests/unit/cutest.h
tests_unit_test_msg_announce_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_msg_announce_LDADD = $(MSG_TEST_LIBS)

tests_unit_test_msg_file_SOURCES = tests/unit/test_msg_file.c tests/unit/test_msg.h \
	tests/unit/cutest.h
tests_unit_test_msg_file_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_msg_file_LDADD = $(MSG_TEST_LIBS)

tests_unit_test_msg_misc_SOURCES = tests/unit/test_msg_misc.c tests/unit/test_msg.h \
	tests/unit/cutest.h
tests_unit_test_msg_misc_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_msg_misc_LDADD = $(MSG_TEST_LIBS)

# The test checks the integer tables against RFC 5401's floating-point formula.
tests_unit_test_quant_SOURCES = tests/unit/test_quant.c tests/unit/cutest.h
tests_unit_test_quant_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_quant_LDADD = $(MSG_TEST_LIBS) -lm

# Decodes and re-encodes every packet captured from the real UFTP 4.10.2.
tests_unit_test_vectors_SOURCES = tests/unit/test_vectors.c tests/unit/cutest.h
tests_unit_test_vectors_CFLAGS = $(MSG_TEST_CFLAGS)
tests_unit_test_vectors_LDADD = $(MSG_TEST_LIBS)
AM_TESTS_ENVIRONMENT = UFTP_VECTOR_DIR=$(top_srcdir)/tests/vectors; export UFTP_VECTOR_DIR;

# ---- session contract shared by the role state machines ----
libuftpcore_a_SOURCES += src/core/session.h src/core/session.c \
	src/core/keyx.h src/core/keyx.c src/core/outq.h src/core/outq.c

# ---- wire name rules (path.h) ----
libuftpcore_a_SOURCES += src/core/path.h src/core/path.c

check_PROGRAMS += tests/unit/test_path
TESTS += tests/unit/test_path
tests_unit_test_path_SOURCES = tests/unit/test_path.c tests/unit/cutest.h
tests_unit_test_path_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_path_LDADD = $(CORE_LIBS) $(UNIT_LIBS)
