#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/flood-proxy.sh - a server proxy in fp= mode (uftpproxyd
# -s fp=...) flooded with forged datagrams that reach it in one read batch
# together with a real session's ANNOUNCE, as an attacker on the network can
# arrange it; for OUR uftpproxyd and the REAL one (UFTP 4.10.2) side by side.
#
# One lab, the ports keeping the hops apart (as uftpproxyd-options.sh wire):
#   h0 real uftp -p 1050 -> h1 server proxy KIND (-s fp=<h2's key> -p 1050)
#   -> h2 client proxy (real; ours in evict) (-c -p 2000 -q 2001 -H h1:1050,
#   signed heartbeats) -> h3 real uftpd -p 2001;  h4 the attacker.
# While the server proxy is stopped (SIGSTOP: a busy proxy), the forged
# datagrams and the real ANNOUNCE pile up in its socket, so it reads them in
# one batch when it goes on (SIGCONT):
#   hb         63 forged HB_REQs (made-up key, nonce never issued), then the
#              real ANNOUNCE
#   announce   32 forged ANNOUNCEs (new groups 230.6.x.y), the real ANNOUNCE,
#              8 more forged ones
#   evict      no stop: while the session's data flows (uftp -R 4000), two
#              bursts of 70 forged ANNOUNCEs for new groups, more than the
#              proxy's session table holds (ours: 64); OUR client proxy
#              downstream here: the real one crashes (SIGSEGV) when that
#              many forged sessions reach it
# Checked for each: the session completes (uftp exit 0), every file arrives
# byte for byte, the server proxy survives (no sanitizer report), and its
# multicast memberships (/proc/net/igmp and /proc/net/igmp6 in its
# namespace) come back to what they were before the flood (bounded wait);
# printed before, during and after.
#
#   sudo tests/integration/flood-proxy.sh [BUILD_DIR]    (or BUILD_DIR=... in the environment)
#   CASES="hb" KINDS="ours" KEEP=1 sudo tests/integration/flood-proxy.sh build/san
#   N_HB=63 N_ANN_BEFORE=32 N_ANN_AFTER=8   the sizes of the bursts
#
# Output "PASS|FAIL <kind> <case>: ..." lines, details under FAILs, then
# "N passed, M failed". Exit 0 all passed, 1 any failed, 77 skip (not root,
# the real UFTP or our uftpproxyd missing). Every wait is bounded; the lab
# and every process started are removed on exit (lib.sh traps).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

: "${UFTPPROXYD_REF:=/usr/bin/uftpproxyd}"
: "${N_HB:=63}" "${N_ANN_BEFORE:=32}" "${N_ANN_AFTER:=8}"
: "${T_BASELINE:=60}" # s: how long memberships may take to come back
KINDS=${KINDS:-ours ref}
[ "$(id -u)" = 0 ] || { echo "SKIP: flood-proxy.sh needs root (network namespaces)"; exit 77; }
if [ ! -x "$UFTPPROXYD_REF" ] || ! il_have ref server || ! il_have ref client || ! il_have ref keymgt; then
	echo "SKIP: the real UFTP ($UFTPPROXYD_REF, $UFTP_REF, $UFTPD_REF, $UFTP_KEYMGT_REF) is not installed"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: flood-proxy.sh needs python3"; exit 77; }
il_init "${1:-${BUILD_DIR:-}}" || exit 2
if [ ! -x "$IL_BUILD/uftpproxyd" ]; then
	echo "SKIP: our uftpproxyd is not built in $IL_BUILD"
	exit 77
fi
W=$IL_WORK
FLOOD=$top/tests/tools/proxy_flood.py

px_bin() { if [ "$1" = ref ]; then echo "$UFTPPROXYD_REF"; else echo "$IL_BUILD/uftpproxyd"; fi; }

# memberships NS -> the multicast groups joined in NS, one "dev group" per
# line, sorted (IPv4 from /proc/net/igmp, IPv6 from /proc/net/igmp6)
memberships() {
	ip netns exec "$1" python3 - <<'EOF'
import socket, struct
out = []
dev = None
for line in open('/proc/net/igmp').read().splitlines()[1:]:
    f = line.split()
    if not line.startswith('\t') and len(f) >= 2:
        dev = f[1]
    elif f and len(f[0]) == 8:
        out.append('%s %s' % (dev, socket.inet_ntoa(struct.pack('<I', int(f[0], 16)))))
for line in open('/proc/net/igmp6').read().splitlines():
    f = line.split()
    if len(f) >= 3:
        out.append('%s %s' % (f[1], socket.inet_ntop(socket.AF_INET6, bytes.fromhex(f[2]))))
print('\n'.join(sorted(out)))
EOF
}

# recvq NS PORT -> bytes waiting in the receive queue of udp/PORT in NS
recvq() { ip netns exec "$1" ss -Huln "sport = :$2" | awk '{ print $2; exit }'; }

# wait_log FILE TEXT SECS: TEXT appears in FILE (bounded)
wait_log() {
	local k
	for ((k = 0; k < $3 * 10; k++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_grow NS PORT BYTES SECS: the receive queue holds more than BYTES (bounded)
wait_grow() {
	local k q
	for ((k = 0; k < $4 * 20; k++)); do
		q=$(recvq "$1" "$2")
		[ "${q:-0}" -gt "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# One source tree for every session: a few random files and a small one.
SRC=$W/src
mkdir -p "$SRC"
head -c 3000000 /dev/urandom >"$SRC/three-mb.bin"
head -c 1301 /dev/urandom >"$SRC/1301.bin"
printf 'flooded but intact\n' >"$SRC/hello.txt"
KEY=$W/cproxy_hb.pem
"$UFTP_KEYMGT_REF" -g ec:prime256v1 "$KEY" >/dev/null 2>&1 || { echo "cannot make a key with $UFTP_KEYMGT_REF"; exit 2; }
chmod 600 "$KEY"
FP=$(il_fp "$KEY")
lab_up f 5 >/dev/null || { echo "lab set-up failed"; exit 2; }
SP_NS=$(lab_ns h1)

# run_one KIND CASE: one flooded session; appends problems to the array WHY
run_one() {
	local kind=$1 cs=$2 d=$W/$1-$2 sp="" cp="" ud=""
	mkdir -p "$d/dest"
	lab_bg h1 sp "$(px_bin "$kind")" -d -x 3 -s "fp=$FP" -p 1050 >"$d/sp.log" 2>&1 </dev/null
	local cpbin=$UFTPPROXYD_REF
	# evict: the real client proxy crashes (SIGSEGV) under that many
	# sessions forwarded to it, so ours is the downstream for both kinds
	[ "$cs" = evict ] && cpbin=$IL_BUILD/uftpproxyd
	lab_bg h2 cp "$cpbin" -d -c -p 2000 -q 2001 -k "$KEY" -H "$(lab_ip4 1):1050" -h 1 \
		>"$d/cp.log" 2>&1 </dev/null
	lab_bg h3 ud "$UFTPD_REF" -d -q -p 2001 -D "$d/dest" >"$d/uftpd.log" 2>&1 </dev/null
	if ! lab_wait_udp h1 1050 10 || ! lab_wait_udp h2 2000 10 || ! lab_wait_udp h3 2001 10; then
		WHY+=("a program did not bind its port")
	elif ! wait_log "$d/sp.log" "downstream proxy is now\|as downstream address" 15; then
		WHY+=("the server proxy never authenticated the client proxy's heartbeat")
	else
		flooded_session "$kind" "$cs" "$d" "$sp" "$cp"
	fi
	kill -CONT "$sp" "$cp" 2>/dev/null
	kill -0 "$sp" 2>/dev/null || WHY+=("the server proxy exited")
	lab_stop "$ud" 3
	lab_stop "$cp" 3
	lab_stop "$sp" 3
	il_sanitized "$d/sp.log" && WHY+=("sanitizer report in the server proxy's log")
	return 0
}

# flooded_session KIND CASE DIR SP_PID CP_PID: the burst, the session, the checks
flooded_session() {
	local kind=$1 cs=$2 d=$3 sp=$4 cp=$5 up q0 rc before during after k f
	sleep 0.5
	before=$(memberships "$SP_NS")
	if [ "$cs" = evict ]; then
		evict_flood "$d" "$sp" "$before"
		return
	fi
	# the burst: the server proxy stopped (and the client proxy, whose
	# heartbeats would come between), the forged datagrams and the real
	# ANNOUNCE queue up in the server proxy's socket
	kill -STOP "$cp" "$sp"
	if [ "$cs" = hb ]; then
		lab_exec h4 python3 "$FLOOD" hb "$(lab_ip4 1):1050" "$N_HB" >"$d/flood.log" 2>&1
	else
		lab_exec h4 python3 "$FLOOD" announce 230.4.4.1:1050 "$N_ANN_BEFORE" >"$d/flood.log" 2>&1
	fi
	q0=$(recvq "$SP_NS" 1050)
	(cd "$SRC" && lab_exec h0 timeout -k 2 60 "$UFTP_REF" -I eth0 -M 230.4.4.1 -P 230.5.5.1 -p 1050 \
		-R 50000 -r 0.1 hello.txt 1301.bin three-mb.bin) >"$d/uftp.log" 2>&1 &
	up=$!
	wait_grow "$SP_NS" 1050 "${q0:-0}" 5 || WHY+=("the real ANNOUNCE never reached the stopped server proxy")
	if [ "$cs" = announce ]; then
		lab_exec h4 python3 "$FLOOD" announce 230.4.4.1:1050 "$N_ANN_AFTER" --first-group 0x0F100001 \
			>>"$d/flood.log" 2>&1
	fi
	echo "# queued at the server proxy when it went on: $(recvq "$SP_NS" 1050) bytes" >>"$d/flood.log"
	kill -CONT "$sp" "$cp"
	sleep 1
	during=$(memberships "$SP_NS")
	wait "$up"
	rc=$?
	session_checks "$kind $cs" "$d" "$rc" "$before" "$during"
}

# session_checks LABEL DIR UFTP_RC BEFORE DURING: the files, the memberships
# back to BEFORE (bounded wait), and what the memberships were
session_checks() {
	local label=$1 d=$2 rc=$3 before=$4 during=$5 after k f
	[ "$rc" = 0 ] || WHY+=("uftp exited $rc")
	for f in hello.txt 1301.bin three-mb.bin; do
		cmp -s "$SRC/$f" "$d/dest/$f" || WHY+=("$f not delivered byte for byte")
	done
	# every session the proxy took (real and forged) has to time out
	for ((k = 0; k < T_BASELINE * 2; k++)); do
		after=$(memberships "$SP_NS")
		[ "$after" = "$before" ] && break
		sleep 0.5
	done
	[ "$after" = "$before" ] || WHY+=("memberships not back to the baseline ${T_BASELINE} s after the session")
	echo "    $label: memberships of the server proxy's namespace (h1)"
	echo "      before:  $(echo "$before" | tr '\n' ' ')"
	echo "      during:  $(echo "$during" | tr '\n' ' ' | cut -c1-600)"
	echo "      after:   $(echo "$after" | tr '\n' ' ') (after $((k / 2)) s)"
	echo "      $(grep -v '^#' "$d/flood.log" | sort | uniq -c | tr -s ' \n' ' ') $(grep '^#' "$d/flood.log" | tail -1)"
}

# evict_flood DIR SP_PID BEFORE: the session at 4 Mbit/s, forged bursts while its data flows
evict_flood() {
	local d=$1 sp=$2 before=$3 up rc during k
	: >"$d/flood.log"
	(cd "$SRC" && lab_exec h0 timeout -k 2 60 "$UFTP_REF" -I eth0 -M 230.4.4.1 -P 230.5.5.1 -p 1050 \
		-R 4000 -r 0.1 hello.txt 1301.bin three-mb.bin) >"$d/uftp.log" 2>&1 &
	up=$!
	# data flows once the server proxy is in the private group
	for ((k = 0; k < 100; k++)); do
		memberships "$SP_NS" | grep -q ' 230\.5\.5\.1$' && break
		sleep 0.1
	done
	sleep 1
	for ((k = 0; k < 2; k++)); do
		kill -0 "$up" 2>/dev/null || break
		lab_exec h4 python3 "$FLOOD" announce 230.4.4.1:1050 70 \
			--first-group $((0x0F200000 + k * 100)) >>"$d/flood.log" 2>&1
		during=$(memberships "$SP_NS")
		sleep 0.5
	done
	wait "$up"
	rc=$?
	session_checks "$KIND evict" "$d" "$rc" "$before" "${during:-}"
}

for cs in ${CASES:-hb announce evict}; do
	for kind in $KINDS; do
		KIND=$kind
		WHY=()
		t0=$SECONDS
		run_one "$kind" "$cs"
		if [ ${#WHY[@]} = 0 ]; then
			ok "$kind $cs: session intact, memberships back to the baseline ($((SECONDS - t0)) s)"
		else
			ko "$kind $cs" "${WHY[@]}" "$(tail_of "$W/$kind-$cs/uftp.log" 3)" \
				"$(tail_of "$W/$kind-$cs/sp.log" 5)"
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
