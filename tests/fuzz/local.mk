# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# Fuzz harnesses (see tests/fuzz/fuzz.h).  Every build replays each
# harness's checked-in corpus as a test (tests/fuzz/replay_*); with
# ./configure CC=clang --enable-fuzz the libFuzzer binaries tests/fuzz/fuzz_*
# are built too, and `make fuzz-smoke` runs each for FUZZ_TIME seconds (and
# each single-decoder harness for FUZZ_DECODER_TIME).
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

tests_fuzz_replay_client_SOURCES = tests/fuzz/fuzz_client.c tests/fuzz/fuzz_crypto.c $(replay_common)
tests_fuzz_replay_client_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/client"'
tests_fuzz_replay_client_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)

tests_fuzz_replay_server_SOURCES = tests/fuzz/fuzz_server.c $(replay_common)
tests_fuzz_replay_server_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/server"'
tests_fuzz_replay_server_LDADD = $(TEST_LIBS) $(CORE_LIBS)

tests_fuzz_replay_proxy_SOURCES = tests/fuzz/fuzz_proxy.c tests/fuzz/fuzz_crypto.c $(replay_common)
tests_fuzz_replay_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS) \
	-DFUZZ_CORPUS='"$(top_srcdir)/tests/fuzz/corpus/proxy"'
tests_fuzz_replay_proxy_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)

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
tests_fuzz_fuzz_client_SOURCES = tests/fuzz/fuzz_client.c tests/fuzz/fuzz_crypto.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_client_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_fuzz_client_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_client_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)
tests_fuzz_fuzz_server_SOURCES = tests/fuzz/fuzz_server.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_server_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_server_LDADD = $(TEST_LIBS) $(CORE_LIBS)
tests_fuzz_fuzz_proxy_SOURCES = tests/fuzz/fuzz_proxy.c tests/fuzz/fuzz_crypto.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_fuzz_proxy_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_proxy_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)

# One harness per decoder (fuzz_msg.c built with -DFUZZ_FUNC=n), 1 to 21;
# fuzz-smoke runs each for FUZZ_DECODER_TIME seconds from the msg corpus.
FUZZ_DECODERS = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21
FUZZ_DECODER_TIME = 3
noinst_PROGRAMS += tests/fuzz/fuzz_dec1 tests/fuzz/fuzz_dec2 tests/fuzz/fuzz_dec3 tests/fuzz/fuzz_dec4 tests/fuzz/fuzz_dec5 tests/fuzz/fuzz_dec6 tests/fuzz/fuzz_dec7 tests/fuzz/fuzz_dec8 tests/fuzz/fuzz_dec9 tests/fuzz/fuzz_dec10 tests/fuzz/fuzz_dec11 tests/fuzz/fuzz_dec12 tests/fuzz/fuzz_dec13 tests/fuzz/fuzz_dec14 tests/fuzz/fuzz_dec15 tests/fuzz/fuzz_dec16 tests/fuzz/fuzz_dec17 tests/fuzz/fuzz_dec18 tests/fuzz/fuzz_dec19 tests/fuzz/fuzz_dec20 tests/fuzz/fuzz_dec21
tests_fuzz_fuzz_dec1_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec1_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=1
tests_fuzz_fuzz_dec1_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec1_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec2_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec2_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=2
tests_fuzz_fuzz_dec2_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec2_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec3_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec3_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=3
tests_fuzz_fuzz_dec3_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec3_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec4_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec4_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=4
tests_fuzz_fuzz_dec4_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec4_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec5_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec5_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=5
tests_fuzz_fuzz_dec5_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec5_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec6_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec6_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=6
tests_fuzz_fuzz_dec6_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec6_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec7_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec7_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=7
tests_fuzz_fuzz_dec7_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec7_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec8_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec8_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=8
tests_fuzz_fuzz_dec8_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec8_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec9_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec9_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=9
tests_fuzz_fuzz_dec9_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec9_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec10_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec10_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=10
tests_fuzz_fuzz_dec10_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec10_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec11_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec11_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=11
tests_fuzz_fuzz_dec11_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec11_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec12_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec12_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=12
tests_fuzz_fuzz_dec12_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec12_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec13_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec13_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=13
tests_fuzz_fuzz_dec13_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec13_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec14_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec14_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=14
tests_fuzz_fuzz_dec14_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec14_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec15_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec15_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=15
tests_fuzz_fuzz_dec15_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec15_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec16_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec16_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=16
tests_fuzz_fuzz_dec16_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec16_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec17_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec17_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=17
tests_fuzz_fuzz_dec17_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec17_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec18_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec18_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=18
tests_fuzz_fuzz_dec18_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec18_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec19_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec19_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=19
tests_fuzz_fuzz_dec19_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec19_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec20_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec20_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=20
tests_fuzz_fuzz_dec20_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec20_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dec21_SOURCES = tests/fuzz/fuzz_msg.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_dec21_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_FUNC=21
tests_fuzz_fuzz_dec21_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dec21_LDADD = $(CORE_LIBS)

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
	done; \
	for d in $(FUZZ_DECODERS); do \
	  rm -rf fuzz-work/dec$$d && mkdir -p fuzz-work/dec$$d && \
	  cp $(top_srcdir)/tests/fuzz/corpus/msg/* fuzz-work/dec$$d/ && \
	  ./tests/fuzz/fuzz_dec$$d -max_total_time=$(FUZZ_DECODER_TIME) -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/crash-dec$$d- fuzz-work/dec$$d \
	    2>fuzz-work/dec$$d.log || { tail -60 fuzz-work/dec$$d.log; exit 1; }; \
	  echo "fuzz-smoke: decoder $$d: $$(grep -E '^#[0-9]+.*DONE' fuzz-work/dec$$d.log | tail -1)"; \
	done
else
fuzz-smoke:
	@echo "fuzz-smoke: configure with CC=clang --enable-fuzz first" >&2; exit 1
endif
clean-fuzz-work:
	rm -rf fuzz-work
clean-local: clean-fuzz-work
.PHONY: fuzz-smoke clean-fuzz-work
