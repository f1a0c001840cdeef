#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds the suite out of tree: scripts/build.sh DIR [configure options...]
# Example: scripts/build.sh build/san --enable-sanitizers
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build/default}
shift || true
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
mkdir -p "$top/$dir"
cd "$top/$dir"
[ -f Makefile ] || "$top/configure" -q "$@"
make -j2 >/dev/null
echo "build: $top/$dir ready"
