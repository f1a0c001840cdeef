# fragment: appended to by its module's owner

# ---- uftpd, the client daemon ----
bin_PROGRAMS += uftpd
uftpd_SOURCES = src/uftpd/main.c src/uftpd/options.c src/uftpd/driver.c src/uftpd/uftpd.h \
	src/uftpd/member.c src/uftpd/member.h
uftpd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
uftpd_LDADD = libuftpcrypto.a libuftplib.a libuftpcore.a $(LIBCRYPTO_LIBS)
dist_man_MANS += man/uftpd.1
