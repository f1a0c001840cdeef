# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# The fakes the unit, sim and fuzz tests share (tests/common/testenv.h):
# every CUnit program links it through UNIT_LIBS, the fuzz harnesses
# through TEST_LIBS.  It uses no symbol of the other libraries.
check_LIBRARIES = libuftptest.a
libuftptest_a_SOURCES = tests/common/testenv.c tests/common/testenv.h
TEST_LIBS = libuftptest.a
UNIT_LIBS += $(TEST_LIBS)
