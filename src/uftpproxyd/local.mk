# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- uftpproxyd, the proxy daemon ----
bin_PROGRAMS += uftpproxyd
dist_man_MANS += man/uftpproxyd.1
uftpproxyd_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
uftpproxyd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
# one job a file: options, the loop, set-up, memberships, sends (through
# lib/pump.c), the start-up and exit lines
uftpproxyd_SOURCES = src/uftpproxyd/main.c src/uftpproxyd/options.c src/uftpproxyd/driver.c \
	src/uftpproxyd/uftpproxyd.h src/uftpproxyd/pxd.h src/uftpproxyd/setup.c \
	src/uftpproxyd/member.c src/uftpproxyd/send.c src/uftpproxyd/stats.c

