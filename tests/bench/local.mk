# SPDX-License-Identifier: BSD-2-Clause
# udpblast: the raw UDP limit of a path through our pump (scripts/bench.sh);
# built with the checks, not a test of its own.
check_PROGRAMS += tests/bench/udpblast
tests_bench_udpblast_SOURCES = tests/bench/udpblast.c
tests_bench_udpblast_LDADD = libuftplib.a libuftpcore.a
