# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner

# ---- uftp: the sender ----
bin_PROGRAMS += uftp
uftp_SOURCES = src/uftp/main.c src/uftp/options.c src/uftp/files.c src/uftp/driver.c \
	src/uftp/status.c src/uftp/restart.c src/uftp/progress.c \
	src/uftp/uftp.h
uftp_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
uftp_LDADD = $(CRYPTO_LIBS)
dist_man_MANS += man/uftp.1
