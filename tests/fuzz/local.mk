# fragment: appended to by its module's owner
# Fuzz harnesses (see tests/fuzz/fuzz.h).  Every build replays each
# harness's checked-in corpus as a test (tests/fuzz/replay_*); with
# ./configure CC=clang --enable-fuzz the libFuzzer binaries tests/fuzz/fuzz_*
# are built too, and `make fuzz-smoke` runs each for FUZZ_TIME seconds.
FUZZ_HARNESSES = msg envelope client server proxy
FUZZ_TIME = 25
EXTRA_DIST += tests/fuzz tests/tools/fuzz_seeds.py

replay_common = tests/fuzz/standalone.c tests/fuzz/fuzz.h

check_PROGRAMS += tests/fuzz/replay_msg tests/fuzz/replay_envelope tests/fuzz/replay_client \
	tests/fuzz/replay_server tests/fuzz/replay_proxy
TESTS += tests/fuzz/replay_msg tests/fuzz/replay_envelope tests/fuzz/replay_client \
	tests/fuzz/replay_server tests/fuzz/replay_proxy

tests_fuzz_replay_msg_SOURCES = tests/fuzz/fuzz_msg.c $(replay_common)
tests_fuzz_replay_msg_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/msg"'
tests_fuzz_replay_msg_LDADD = $(CORE_LIBS)

tests_fuzz_replay_envelope_SOURCES = tests/fuzz/fuzz_envelope.c $(replay_common)
tests_fuzz_replay_envelope_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/envelope"'
tests_fuzz_replay_envelope_LDADD = $(CRYPTO_LIBS)

tests_fuzz_replay_client_SOURCES = tests/fuzz/fuzz_client.c $(replay_common)
tests_fuzz_replay_client_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/client"'
tests_fuzz_replay_client_LDADD = $(CRYPTO_LIBS)

tests_fuzz_replay_server_SOURCES = tests/fuzz/fuzz_server.c $(replay_common)
tests_fuzz_replay_server_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/server"'
tests_fuzz_replay_server_LDADD = $(CORE_LIBS)

tests_fuzz_replay_proxy_SOURCES = tests/fuzz/fuzz_proxy.c $(replay_common)
tests_fuzz_replay_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/proxy"'
tests_fuzz_replay_proxy_LDADD = $(CRYPTO_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS = tests/fuzz/fuzz_msg tests/fuzz/fuzz_envelope tests/fuzz/fuzz_client \
	tests/fuzz/fuzz_server tests/fuzz/fuzz_proxy
tests_fuzz_fuzz_msg_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_msg_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_msg_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_envelope_SOURCES = tests/fuzz/fuzz_envelope.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_envelope_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_fuzz_envelope_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_envelope_LDADD = $(CRYPTO_LIBS)
tests_fuzz_fuzz_client_SOURCES = tests/fuzz/fuzz_client.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_client_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_fuzz_client_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_client_LDADD = $(CRYPTO_LIBS)
tests_fuzz_fuzz_server_SOURCES = tests/fuzz/fuzz_server.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_server_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_server_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_proxy_SOURCES = tests/fuzz/fuzz_proxy.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_fuzz_proxy_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_proxy_LDADD = $(CRYPTO_LIBS)

# Each harness for FUZZ_TIME seconds from a copy of its corpus; a crash
# stops with the reproducer saved as tests/fuzz/crash-<harness>-* here.
fuzz-smoke: $(noinst_PROGRAMS)
	@set -e; for h in $(FUZZ_HARNESSES); do \
	  rm -rf fuzz-work/$$h && mkdir -p fuzz-work/$$h && \
	  cp $(top_srcdir)/tests/fuzz/corpus/$$h/* fuzz-work/$$h/ && \
	  echo "fuzz-smoke: $$h for $(FUZZ_TIME) s"; \
	  ./tests/fuzz/fuzz_$$h -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=tests/fuzz/crash-$$h- fuzz-work/$$h \
	    2>fuzz-work/$$h.log || { tail -60 fuzz-work/$$h.log; exit 1; }; \
	  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' fuzz-work/$$h.log || true; \
	  grep -E 'cov: [0-9]+' fuzz-work/$$h.log | tail -1; \
	done
else
fuzz-smoke:
	@echo "fuzz-smoke: configure with CC=clang --enable-fuzz first" >&2; exit 1
endif
clean-fuzz-work:
	rm -rf fuzz-work
clean-local: clean-fuzz-work
.PHONY: fuzz-smoke clean-fuzz-work
