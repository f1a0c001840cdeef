#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Static analysis of the C sources: cppcheck (warning, portability and
# performance classes) and clang-tidy with the check set documented in
# .clang-tidy.  Exit 0 when both are clean, 1 otherwise.  Needs a
# configured build dir for config.h (default build/default).
#
#   scripts/lint.sh [BUILD_DIR]        (make lint runs it)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$top/build/default}
[ -f "$b/config.h" ] || { echo "lint: no $b/config.h: configure a build first" >&2; exit 2; }
cd "$top" || exit 2
mapfile -t srcs < <(git ls-files 'src/*.c' 'tests/fuzz/*.c' 'tests/common/*.c')
rc=0
echo "lint: cppcheck on ${#srcs[@]} files"
cppcheck --quiet --enable=warning,portability,performance --std=c11 --inline-suppr \
	--suppress=missingIncludeSystem -I src -I "$b" -I . -D__GNUC__ -DFUZZ_CORPUS=\"corpus\" \
	--template='{file}:{line}: {severity} [{id}] {message}' --error-exitcode=1 "${srcs[@]}" || rc=1
echo "lint: clang-tidy on ${#srcs[@]} files"
out=$(clang-tidy --quiet "${srcs[@]}" -- -Isrc -I"$b" -I. -std=gnu11 -D_GNU_SOURCE -DFUZZ_CORPUS=\"corpus\" \
	$(pkg-config --cflags libcrypto 2>/dev/null) 2>&1)
if grep -qE '(warning|error):' <<<"$out"; then
	grep -E -A3 '(warning|error):' <<<"$out"
	rc=1
fi
# every source, script and build file names its licence (LICENSE: BSD-2-Clause)
mapfile -t nospdx < <(git ls-files 'src/*.[ch]' 'tests/*.[ch]' '*.sh' '*.py' '*.am' '*.mk' \
	configure.ac 'man/*.1' | xargs grep -L 'SPDX-License-Identifier: BSD-2-Clause')
if [ ${#nospdx[@]} -gt 0 ]; then
	echo "lint: no SPDX-License-Identifier line in: ${nospdx[*]}"
	rc=1
fi
[ $rc = 0 ] && echo "lint: clean"
exit $rc
