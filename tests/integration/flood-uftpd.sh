#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/flood-uftpd.sh - a receiver flooded with forged
# ANNOUNCEs during a real transfer: our uftpd and the real uftpd 4.10.2,
# side by side, same lab, same flood, same checks.
#
#   sudo tests/integration/flood-uftpd.sh [BUILD_DIR]   (or BUILD_DIR=... in the environment)
#   TARGETS="ours" KEEP=1 sudo tests/integration/flood-uftpd.sh
#
# Lab: h0 the legitimate server (the real uftp), h1 the receiver under test
# (-d, 16 sessions at most: the default of both), h2 the attacker
# (tests/tools/flood_announce.py).  For each receiver:
#   1. memberships of h1 (/proc/net/igmp and /proc/net/igmp6) with the
#      receiver idle: the baseline, printed;
#   2. a 50 MB transfer, rate-limited (-R) to last about 12 s;
#   3. once the receiver is writing the file (registered, receiving), 4000
#      forged ANNOUNCEs at about 800 a second, each for a new group ID, a
#      new server ID and a new private group 230.6.x.y, none ever confirmed;
#      the memberships are sampled meanwhile and their peak printed;
#   4. the transfer ends with exit 0 and the file is byte-exact;
#   5. the forged sessions time out: the memberships return to the
#      baseline (bounded wait), printed;
#   6. a later session still works (exit 0, byte-exact), and leaves the
#      memberships at the baseline.
# Ours also: at most 16 private groups joined at any sample (the session
# table), the "too many sessions" warning logged, the exit statistics line
# counting displaced half-open sessions.
# Exit 0 pass, 1 fail, 77 skip (not root, a receiver or the real uftp missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"
FLOOD=$top/tests/tools/flood_announce.py
: "${FLOOD_COUNT:=4000}" "${FLOOD_RATE:=800}" "${FLOOD_BURST:=500}"

[ "$(id -u)" = 0 ] || { echo "SKIP: flood-uftpd.sh needs root (network namespaces)"; exit 77; }
il_init "${1:-${BUILD_DIR:-}}" || exit 2
if ! il_have ref server; then
	echo "SKIP: the real uftp ($UFTP_REF) is not installed"
	exit 77
fi
targets=""
for k in ${TARGETS:-ours ref}; do
	if il_have "$k" client; then
		targets="$targets $k"
	else
		echo "SKIP receiver $(il_bin "$k" client): not there"
	fi
done
[ -n "$targets" ] || { echo "SKIP: no receiver to flood"; exit 77; }
W=$IL_WORK
mkdir -p "$W/src"
head -c 52428800 /dev/urandom >"$W/src/big.bin"
head -c 300000 /dev/urandom >"$W/src/later.bin"

kname() { [ "$1" = ref ] && echo "real uftpd" || echo "our uftpd"; }

# memberships: h1's multicast memberships, one "igmp|igmp6 DEV GROUP" a line, sorted
memberships() {
	lab_exec h1 python3 - <<'EOF'
import ipaddress, socket, struct
out, dev = [], None
for line in open("/proc/net/igmp"):
    f = line.split()
    if not f or f[0] == "Idx":
        continue
    if not line[0].isspace():
        dev = f[1]
        continue
    out.append("igmp %s %s" % (dev, socket.inet_ntoa(struct.pack("=I", int(f[0], 16)))))
for line in open("/proc/net/igmp6"):
    f = line.split()
    out.append("igmp6 %s %s" % (f[1], ipaddress.IPv6Address(bytes.fromhex(f[2]))))
print("\n".join(sorted(out)))
EOF
}

# show TITLE FILE: the memberships in FILE, indented
show() {
	echo "    $1 ($(grep -c . "$2") memberships):"
	sed 's/^/      /' "$2"
}

# wait_baseline BASE T: until h1's memberships equal BASE (bounded T s); prints seconds waited
wait_baseline() {
	local k
	for ((k = 0; k < $2 * 4; k++)); do
		memberships >"$W/now.txt"
		if cmp -s "$1" "$W/now.txt"; then
			echo "$((k / 4))"
			return 0
		fi
		sleep 0.25
	done
	echo "$2"
	return 1
}

# a check the real uftpd is not held to (printed, not counted)
ko_t() {
	if [ "$kind" = ref ]; then
		echo "XFAIL (real uftpd) $1"
	else
		ko "$@"
	fi
}

run_target() {
	kind=$1
	local name dest base t0 legit rc sampler peak extra waited spid
	name=$(kname "$kind")
	dest=$W/d-$kind
	echo "# ---- $name"
	il_lab 2 || { ko "$kind: lab_up"; return; }
	il_recv 1 "$kind" "$dest"
	if ! il_wait_recvs 10; then
		ko "$kind: receiver did not start" "${IL_ERR[@]}"
		il_lab_down
		return
	fi
	sleep 0.5
	base=$W/base-$kind.txt
	memberships >"$base"
	show "$name: memberships before (idle)" "$base"

	# 2. the legitimate transfer
	IL_RATE=35000
	(IL_SLOG_TAG=-legit il_server ref 150 "$W/src" -- big.bin
		echo "$IL_SRC_RC" >"$W/legit-$kind.rc") &
	legit=$!
	for ((t0 = 0; t0 < 200; t0++)); do
		[ -s "$dest/big.bin" ] && break
		sleep 0.1
	done
	[ -s "$dest/big.bin" ] || echo "    (the receiver had not started writing after 20 s)"

	# 3. the flood, with the memberships sampled meanwhile
	(
		trap - EXIT
		while [ -e "$W/sampling" ]; do
			memberships | grep -v -x -F -f "$base" | grep -c . >>"$W/samples-$kind.txt"
			sleep 0.2
		done
	) &
	sampler=$!
	: >"$W/sampling"
	lab_bg h2 spid timeout 60 python3 "$FLOOD" --src "$(lab_ip4 2)" --count "$FLOOD_COUNT" \
		--rate "$FLOOD_RATE" --burst "$FLOOD_BURST" >"$W/flood-$kind.out" 2>&1
	lab_wait_pid "$spid" 70 >/dev/null
	echo "    attacker: $(cat "$W/flood-$kind.out")"
	local during=running
	kill -0 "$legit" 2>/dev/null || during="already over"
	echo "    legit transfer when the flood ended: $during"

	# 4. the legitimate transfer's outcome
	lab_wait_pid "$legit" 160 >/dev/null
	rm -f "$W/sampling"
	lab_wait_pid "$sampler" 5 >/dev/null || kill "$sampler" 2>/dev/null
	rc=$(cat "$W/legit-$kind.rc" 2>/dev/null)
	peak=$(sort -n "$W/samples-$kind.txt" 2>/dev/null | tail -1)
	echo "    peak memberships beyond the baseline during the flood: ${peak:-?} ($(grep -c . "$W/samples-$kind.txt" 2>/dev/null) samples)"
	if [ "$rc" = 0 ] && cmp -s "$W/src/big.bin" "$dest/big.bin"; then
		ok "$kind: 50 MB transfer under a flood of $FLOOD_COUNT forged ANNOUNCEs: exit 0, byte-exact"
	else
		ko_t "$kind: 50 MB transfer under the flood: uftp exit ${rc:-?}, file $(cmp "$W/src/big.bin" "$dest/big.bin" 2>&1 | head -1)" \
			"$(tail_of "$W/$IL_LAB-uftp-legit.log" 4)" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
	if [ "$kind" = ours ]; then
		if [ -n "$peak" ] && [ "$peak" -le 16 ]; then
			ok "$kind: at most 16 private groups joined during the flood (peak $peak)"
		else
			ko "$kind: ${peak:-?} private groups joined at the peak (the table holds 16)"
		fi
	fi

	# 5. back to the baseline once the forged sessions have timed out
	waited=$(wait_baseline "$base" 60)
	rc=$?
	memberships >"$W/after-$kind.txt"
	show "$name: memberships after the forged sessions timed out (${waited} s after the transfer)" "$W/after-$kind.txt"
	extra=$(grep -v -x -F -f "$base" "$W/after-$kind.txt" | grep -c .)
	if [ "$rc" = 0 ]; then
		ok "$kind: memberships back to the baseline ${waited} s after the transfer"
	else
		ko_t "$kind: memberships not back to the baseline after 60 s: $extra left over" \
			"$(diff "$base" "$W/after-$kind.txt" | grep '^[<>]' | head -5)"
	fi

	# 6. a later session
	IL_RATE=10000
	IL_SLOG_TAG=-later il_server ref 60 "$W/src" -- later.bin
	if [ "$IL_SRC_RC" = 0 ] && cmp -s "$W/src/later.bin" "$dest/later.bin"; then
		ok "$kind: a later session works (exit 0, byte-exact)"
	else
		ko_t "$kind: later session: uftp exit $IL_SRC_RC" "$(tail_of "$IL_SLOG" 3)" \
			"$(tail_of "${IL_RLOG[1]}" 3)"
	fi
	if wait_baseline "$base" 10 >/dev/null; then
		ok "$kind: memberships at the baseline after the later session"
	else
		ko_t "$kind: memberships after the later session differ from the baseline" \
			"$(diff "$base" "$W/now.txt" | grep '^[<>]' | head -5)"
	fi

	il_stop_recvs
	if [ "${IL_RALIVE[1]}" = 1 ]; then
		ok "$kind: receiver alive until stopped"
	else
		ko "$kind: receiver died (status ${IL_RRC[1]})" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
	if il_sanitized "${IL_RLOG[1]}"; then
		ko "$kind: sanitizer report" "$(grep -m3 -E 'Sanitizer|runtime error' "${IL_RLOG[1]}")"
	fi
	if [ "$kind" = ours ]; then
		local warn stats
		warn=$(grep -m1 "too many sessions" "${IL_RLOG[1]}")
		stats=$(grep -m1 "exiting:" "${IL_RLOG[1]}")
		if [ -n "$warn" ] && echo "$stats" | grep -q "half-open displaced"; then
			ok "$kind: refusals counted and logged"
			echo "    | ${warn#*: }"
			echo "    | ${stats#*: }"
		else
			ko "$kind: no 'too many sessions' warning or no counts in the exit line" "$(tail_of "${IL_RLOG[1]}" 3)"
		fi
	fi
	il_lab_down
}

for k in $targets; do
	t0=$SECONDS
	run_target "$k"
	echo "# $k: $((SECONDS - t0)) s"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
