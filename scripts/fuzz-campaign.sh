#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# A longer libFuzzer campaign than `make fuzz-smoke` (not part of CI).
#
#   scripts/fuzz-campaign.sh [SECONDS_PER_HARNESS] [HARNESS...]
#   (defaults: 600 s; msg envelope client server proxy ctl)
#
# Builds build/fuzz with clang (--enable-fuzz) if needed, runs each harness
# from a working copy of its corpus (build/fuzz/campaign/<h>, kept between
# runs, so campaigns accumulate), at nice 19, and prints per harness the
# executions, coverage (edges "cov", features "ft") and corpus size.  Crash
# reproducers land in build/fuzz/campaign/crash-<h>-*: minimise them
# (-minimize_crash=1), fix the bug, and check the file into
# tests/fuzz/corpus/<h>/crash-<what> so every build replays it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(msg envelope client server proxy ctl)
b=$top/build/fuzz
if [ ! -x "$b/tests/fuzz/fuzz_msg" ]; then
	mkdir -p "$b"
	(cd "$b" && "$top/configure" -q CC=clang --enable-fuzz && make -j2 >/dev/null) || exit 2
fi
make -C "$b" -s tests/fuzz/fuzz_msg tests/fuzz/fuzz_envelope tests/fuzz/fuzz_client \
	tests/fuzz/fuzz_server tests/fuzz/fuzz_proxy tests/fuzz/fuzz_ctl || exit 2
rc=0
printf '%-9s %10s %8s %8s %8s %s\n' harness execs cov ft corpus result
for h in "${harnesses[@]}"; do
	w=$b/campaign/$h
	mkdir -p "$w"
	cp -n "$top/tests/fuzz/corpus/$h"/* "$w/" 2>/dev/null
	log=$b/campaign/$h.log
	res=ok
	nice -n 19 "$b/tests/fuzz/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$b/campaign/crash-$h-" "$w" >"$log" 2>&1 || {
		res="CRASH (see $log)"
		rc=1
	}
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	printf '%-9s %10s %8s %8s %8s %s\n' "$h" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
		"$(find "$w" -type f | wc -l)" "$res"
done
exit $rc
