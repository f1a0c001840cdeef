#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds the suite out of tree: scripts/build.sh DIR [configure options...]
# (in the tree itself when ./configure was run there)
# Example: scripts/build.sh build/san --enable-sanitizers
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build/default}
shift || true
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
if [ -f "$top/config.status" ]; then
	# configured in the tree (./configure): build there, as an out-of-tree
	# configure would refuse to run beside it
	make -C "$top" -j2 >/dev/null
	echo "build: $top ready (configured in the tree)"
	exit 0
fi
mkdir -p "$top/$dir"
cd "$top/$dir"
[ -f Makefile ] || "$top/configure" -q "$@"
make -j2 >/dev/null
echo "build: $top/$dir ready"
