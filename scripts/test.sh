#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The whole test suite: installs dependencies (as root), builds from scratch
# (warnings as errors, then with ASan+UBSan), runs the unit and vector tests
# of both builds, lint, the Debian package check (as root) and a libFuzzer
# smoke run, then the integration and interop suites (namespaces, real UFTP
# 4.10.2 binaries) where root is available: all of them with the sanitizer
# build, the session matrix and the option differential with the normal
# build as well.
#
#   sudo scripts/test.sh          # everything
#   SKIP_DEPS=1 scripts/test.sh   # do not touch apt
#   SKIP_SAN=1 scripts/test.sh    # skip the sanitizer build
#   SKIP_FUZZ=1 scripts/test.sh   # skip the libFuzzer smoke run
#   SKIP_PKG=1 scripts/test.sh    # skip the Debian package build and check
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
	step deps scripts/install-deps.sh --package || true
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

# The Debian package (scripts/package-check.sh, about 2 min): built with
# dpkg-buildpackage -b from a clone of HEAD in /tmp, so nothing is written
# in this tree (checked: git status is the same after it); its contents,
# hardening, lintian, systemd-analyze verify of the units where the machine
# has systemd-analyze, an install and purge in a throwaway overlay of /.
package_check() {
	local t before after
	for t in dpkg-buildpackage dh lintian; do
		command -v "$t" >/dev/null && continue
		echo "package check: $t missing (scripts/install-deps.sh --package): the package was not built"
		return 77
	done
	command -v systemd-analyze >/dev/null ||
		echo "package check: no systemd-analyze here: the units are not verified"
	before=$(git -C "$top" status --porcelain --untracked-files=all)
	timeout -k 10 600 "$top/scripts/package-check.sh" || return 1
	after=$(git -C "$top" status --porcelain --untracked-files=all)
	if [ "$before" != "$after" ]; then
		echo "package check: the tree changed:"
		diff <(echo "$before") <(echo "$after")
		return 1
	fi
	echo "package check: git status unchanged"
}
if [ -n "${SKIP_PKG:-}" ]; then
	:
elif [ "$(id -u)" = 0 ]; then
	step "Debian package (scripts/package-check.sh)" package_check
else
	echo "=== Debian package (scripts/package-check.sh): needs root (overlay install): skipped"
	skipped=$((skipped + 1))
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
san=$top/build/san
if [ "$(id -u)" = 0 ]; then
	# Every namespace suite runs with the ASan+UBSan build (leaks checked
	# at exit; the suites fail on any sanitizer report or on a changed exit
	# status), and the two that pin down wire and command-line parity with
	# the real UFTP (the session matrix, the option differential) run with
	# the normal build too, so the production binaries are tested as well.
	if [ -n "${SKIP_SAN:-}" ] || [ ! -x "$san/uftp" ]; then
		san=$bin
	fi
	for t in tests/interop/sessions.sh tests/integration/uftp-options.sh; do
		[ "$san" = "$bin" ] && break
		step "$t" timeout 900 bash "$t" "$bin"
	done
	for t in tests/integration/*.sh tests/interop/*.sh; do
		[ -f "$t" ] || continue
		if [ "$san" != "$bin" ]; then
			step "$t (sanitizer build)" timeout 900 bash "$t" "$san"
		else
			step "$t" timeout 900 bash "$t" "$bin"
		fi
	done
else
	echo "=== integration and interop suites need root (network namespaces): skipped"
	skipped=$((skipped + 1))
fi

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "suite: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
