# fragment: appended to by its module's owner

# ---- uftpproxyd, the proxy daemon ----
bin_PROGRAMS += uftpproxyd
dist_man_MANS += man/uftpproxyd.1
uftpproxyd_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
uftpproxyd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
# one job a file: options, the loop, set-up, memberships, sends (and their
# queue), the start-up and exit lines
uftpproxyd_SOURCES = src/uftpproxyd/main.c src/uftpproxyd/options.c src/uftpproxyd/driver.c \
	src/uftpproxyd/uftpproxyd.h src/uftpproxyd/pxd.h src/uftpproxyd/setup.c \
	src/uftpproxyd/member.c src/uftpproxyd/send.c src/uftpproxyd/txq.c src/uftpproxyd/txq.h \
	src/uftpproxyd/stats.c

# the send queue on its own: a datagram socket pair whose buffer fills
check_PROGRAMS += tests/unit/test_proxyd_txq
TESTS += tests/unit/test_proxyd_txq
tests_unit_test_proxyd_txq_LDADD = libuftplib.a libuftpcore.a $(UNIT_LIBS)
tests_unit_test_proxyd_txq_CFLAGS = $(AM_CFLAGS) $(UNIT_CFLAGS)
tests_unit_test_proxyd_txq_SOURCES = tests/unit/test_proxyd_txq.c tests/unit/cutest.h \
	src/uftpproxyd/txq.c src/uftpproxyd/txq.h
