# fragment: appended to by its module's owner

# ---- uftpproxyd, the proxy daemon ----
bin_PROGRAMS += uftpproxyd
uftpproxyd_SOURCES = src/uftpproxyd/main.c src/uftpproxyd/options.c src/uftpproxyd/driver.c \
	src/uftpproxyd/uftpproxyd.h
uftpproxyd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
uftpproxyd_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
dist_man_MANS += man/uftpproxyd.1
