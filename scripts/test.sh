#!/bin/bash
# The whole test suite: installs dependencies (as root), builds from scratch
# (warnings as errors, then with ASan+UBSan), runs the unit and vector tests
# of both builds, then the integration and interop suites (namespaces, real
# UFTP 4.10.2 binaries) where root is available.
#
#   sudo scripts/test.sh          # everything
#   SKIP_DEPS=1 scripts/test.sh   # do not touch apt
#   SKIP_SAN=1 scripts/test.sh    # skip the sanitizer build
#   SKIP_FUZZ=1 scripts/test.sh   # skip the libFuzzer smoke run
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
skipped=0
failures=()

step() {
	local name=$1
	shift
	echo "=== $name"
	local t0=$SECONDS rc=0
	"$@" || rc=$?
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		echo "=== $name: ok ($((SECONDS - t0)) s)"
	elif [ "$rc" = 77 ]; then
		skipped=$((skipped + 1))
		echo "=== $name: skipped"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "=== $name: FAILED (exit $rc, $((SECONDS - t0)) s)"
	fi
}

fresh_build() {
	local dir=$1
	shift
	rm -rf "$top/$dir"
	mkdir -p "$top/$dir"
	(cd "$top/$dir" && "$top/configure" -q "$@" && make -j2 >/dev/null)
}

unit_check() {
	local dir=$1
	(cd "$top/$dir" && make -j2 check) || {
		for l in "$top/$dir"/tests/unit/*.log "$top/$dir"/tests/sim/*.log; do
			grep -q -E 'FAIL|ERROR|Sanitizer|runtime error' "$l" 2>/dev/null && cat "$l"
		done
		return 1
	}
}

if [ -z "${SKIP_DEPS:-}" ]; then
	step deps scripts/install-deps.sh || true
fi

step autoreconf autoreconf -fi
step "build (werror)" fresh_build build/default --enable-werror
step "unit tests (werror build)" unit_check build/default
step format-check make -C build/default format-check
step "lint (cppcheck, clang-tidy)" make -C build/default lint
if [ -z "${SKIP_SAN:-}" ]; then
	step "build (sanitizers)" fresh_build build/san --enable-werror --enable-sanitizers
	step "unit tests (sanitizers)" unit_check build/san
fi

# libFuzzer harnesses (tests/fuzz): each runs for FUZZ_TIME s (default 25)
# from its checked-in corpus; a crash fails the step.
fuzz_smoke() {
	fresh_build build/fuzz CC=clang --enable-fuzz --enable-werror &&
		make -C "$top/build/fuzz" fuzz-smoke ${FUZZ_TIME:+FUZZ_TIME=$FUZZ_TIME}
}
if [ -z "${SKIP_FUZZ:-}" ]; then
	if command -v clang >/dev/null; then
		step "fuzz smoke (libFuzzer)" fuzz_smoke
	else
		step "fuzz smoke (libFuzzer): no clang" false
	fi
fi

bin=$top/build/default
if [ "$(id -u)" = 0 ]; then
	for t in tests/integration/*.sh tests/interop/*.sh; do
		[ -f "$t" ] || continue
		step "$t" timeout 900 bash "$t" "$bin"
	done
	# Our programs again, built with ASan+UBSan (leaks checked at exit),
	# against the real UFTP and each other.
	if [ -z "${SKIP_SAN:-}" ] && [ -x "$top/build/san/uftp" ]; then
		step "tests/interop/sessions.sh (sanitizer build)" env \
			COMBOS="ours-ref ref-ours ours-ours" timeout 900 \
			bash tests/interop/sessions.sh "$top/build/san"
		# the suites where our daemons see hostile, lossy or proxied
		# traffic (uftp-options.sh and uftpd-daemon.sh, mostly option
		# parsing and start-up, only run with the normal build)
		for t in tests/integration/hostile.sh tests/integration/hostile-wire.sh \
			tests/integration/faults.sh tests/integration/uftp-ops.sh; do
			[ -f "$t" ] || continue
			step "$t (sanitizer build)" timeout 900 bash "$t" "$top/build/san"
		done
		# the longest suites: the cases that reach the most code (every
		# mode, encryption, restarts, disk full, heartbeats, hostile
		# input), to keep the whole run near 30 minutes
		step "tests/integration/uftpd-ops.sh (sanitizer build, subset)" env \
			CASES="tempdir script restart heartbeat diskfull" timeout 900 \
			bash tests/integration/uftpd-ops.sh "$top/build/san"
		step "tests/interop/proxy.sh (sanitizer build, subset)" env \
			CASES="fig1 agg20 enc_gcm enc_auth nat hostile resp_enc s_fig1 s_enc_gcm s_loss s_resp_enc" \
			timeout 900 bash tests/interop/proxy.sh "$top/build/san"
	fi
else
	echo "=== integration and interop suites need root (network namespaces): skipped"
	skipped=$((skipped + 1))
fi

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "suite: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
