# fragment: appended to by its module's owner

# ---- proxy session state machine (uftpproxyd's core) ----
libuftpcore_a_SOURCES += src/core/proxy.h src/core/proxy_int.h src/core/proxy.c \
	src/core/proxy_agg.c src/core/proxy_hb.c
