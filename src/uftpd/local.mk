# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- uftpd, the client daemon ----
bin_PROGRAMS += uftpd
uftpd_SOURCES = src/uftpd/main.c src/uftpd/options.c src/uftpd/driver.c src/uftpd/uftpd.h \
	src/uftpd/member.c src/uftpd/member.h src/uftpd/disk.c src/uftpd/disk.h \
	src/uftpd/status.c src/uftpd/status.h
uftpd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
uftpd_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
dist_man_MANS += man/uftpd.1

# the disk backend on its own: files in a scratch directory
check_PROGRAMS += tests/unit/test_uftpd_disk
TESTS += tests/unit/test_uftpd_disk
tests_unit_test_uftpd_disk_SOURCES = tests/unit/test_uftpd_disk.c tests/unit/cutest.h \
	src/uftpd/disk.c src/uftpd/disk.h
tests_unit_test_uftpd_disk_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_uftpd_disk_LDADD = libuftplib.a libuftpcore.a $(UNIT_LIBS)
