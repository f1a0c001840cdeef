#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/demo.sh - quick start, part one: install the dependencies, build,
# then a real transfer on loopback with the built programs, checked byte for
# byte:  uftpd listens on 127.0.0.1 (interface lo, a free UDP port, client ID
# 0x7F0000FE so that it differs from the server's 0x7F000001), uftp
# sends a file to it by unicast (-M 127.0.0.1), the received copy is
# compared with the original.
#
#   scripts/demo.sh                 # as root on a fresh Debian machine
#   SKIP_DEPS=1 scripts/demo.sh     # deps already installed (no root needed)
#   DEMO_SIZE=50M scripts/demo.sh   # size of the demo file (default 4M)
#   DEMO_BIN=/path/to/builddir      # use programs built there, skip the build
#
# Nothing leaves the machine: every datagram goes to 127.0.0.1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -n "${SKIP_DEPS:-}" ] || scripts/install-deps.sh --build # no reference UFTP needed
if [ -n "${DEMO_BIN:-}" ]; then
	bin=$DEMO_BIN # programs built elsewhere (skips the build)
else
	scripts/build.sh build/default
	bin=$top/build/default
	[ ! -f "$top/config.status" ] || bin=$top # ./configure was run in the tree
fi
size=${DEMO_SIZE:-4M}

if [ ! -x "$bin/uftp" ] || [ ! -x "$bin/uftpd" ]; then
	echo "demo: $bin/uftp or $bin/uftpd was not built; no transfer possible" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/uftp-demo.XXXXXX")
dpid=""
cleanup() {
	if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/send" "$work/recv"
head -c "$size" /dev/urandom >"$work/send/demo.bin"

# a UDP port nobody uses right now, so the demo never meets another uftpd
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "demo: starting $bin/uftpd on lo, port $port, writing to $work/recv"
"$bin/uftpd" -d -q -p "$port" -I lo -U 0x7F0000FE -D "$work/recv" >"$work/uftpd.log" 2>&1 &
dpid=$!
bound=0
for _ in $(seq 100); do
	if [ -n "$(ss -Huln "sport = :$port" 2>/dev/null)" ]; then bound=1; break; fi
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if [ "$bound" != 1 ]; then
	echo "demo: FAILED: uftpd did not start listening on udp/$port; its output:" >&2
	cat "$work/uftpd.log" >&2
	exit 1
fi

echo "demo: sending demo.bin ($(stat -c %s "$work/send/demo.bin") bytes) with $bin/uftp to 127.0.0.1:$port"
rc=0
(cd "$work/send" && timeout 120 "$bin/uftp" -I lo -M 127.0.0.1 -p "$port" -R 200000 demo.bin) \
	>"$work/uftp.log" 2>&1 || rc=$?
sleep 0.2
kill "$dpid" 2>/dev/null || true
wait "$dpid" 2>/dev/null || true
dpid=""

# the sender's end-of-run figures (from its core's stats)
grep -h -e 'Statistics:' -e 'Dropped ' "$work/uftp.log" | sed 's/^[0-9/: .]*//; s/^/demo: uftp: /'
if [ "$rc" = 0 ] && cmp -s "$work/send/demo.bin" "$work/recv/demo.bin"; then
	echo "demo: OK: uftp exit 0; received file identical, sha256 $(sha256sum <"$work/recv/demo.bin" | cut -c1-16)..."
	exit 0
fi
echo "demo: FAILED: uftp exit $rc; received file $([ -f "$work/recv/demo.bin" ] && echo differs || echo missing)" >&2
echo "--- uftp output (last 15 lines)" >&2
tail -15 "$work/uftp.log" >&2
echo "--- uftpd output (last 15 lines)" >&2
tail -15 "$work/uftpd.log" >&2
exit 1
