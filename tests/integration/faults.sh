#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/faults.sh - faults and resource abuse, in a namespace lab
# (h0 server, h1 our uftpd under test, h2 the real uftpd or an attacker):
#   impair    one link (h1's) loses 10% of the datagrams, duplicates 5% and
#             reorders 20% (nftables netdev egress + HTB, see lab_impair);
#             our uftp -> our uftpd (h1) + real uftpd (h2, clean link), then
#             the real uftp -> our uftpd: every tree byte-exact;
#   killed    our uftp SIGKILLed mid-file: our uftpd times the session out,
#             removes the partial file, stays up and takes the next session;
#   flood     500 ANNOUNCEs for new groups from a stranger during a legit
#             session: our uftpd keeps its session count bounded (evicting
#             idle ones), its RSS grows by less than 16 MiB, and the legit
#             session completes intact;
#   regflood  2000 REGISTERs with made-up client IDs at our uftp during its
#             announce phase: the session still delivers to the real
#             receiver, and uftp's peak RSS stays under 64 MiB;
#   sighup    uftpd as a daemon with -L: the log renamed, SIGHUP, and the
#             next session is logged in a new file.
#
#   sudo tests/integration/faults.sh [BUILD_DIR]
#   CASES="impair flood" KEEP=1 sudo tests/integration/faults.sh
#
# Output "PASS|FAIL <what>", "N passed, M failed". Exit 0 / 1, 77 = skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"
CRAFT=$top/tests/tools/uftp_craft.py
VEC=$top/tests/vectors/plain.pkts
CASES=${CASES:-impair killed flood regflood sighup}

[ "$(id -u)" = 0 ] || { echo "SKIP: faults.sh needs root"; exit 77; }
il_init "${1:-}" || exit 2
for k in "ours server" "ours client" "ref server" "ref client"; do
	# shellcheck disable=SC2086
	il_have $k || { echo "SKIP: $(il_bin $k) missing"; exit 77; }
done
command -v tc >/dev/null && command -v nft >/dev/null || { echo "SKIP: tc/nft missing"; exit 77; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
W=$IL_WORK

# ------------------------------------------------------------------ impair
case_impair() {
	il_lab 2
	il_make_tree "$W/src" full
	lab_impair h1 100 50 200 || { ko "impair: cannot set up the impaired link"; return; }
	local kind rc out
	for kind in ours ref; do
		rm -rf "$W/i1-$kind" "$W/i2-$kind"
		IL_ERR=() IL_RPID=() IL_RALIVE=() IL_RLOG=() IL_RKIND=()
		il_recv 1 ours "$W/i1-$kind"
		[ "$kind" = ours ] && il_recv 2 ref "$W/i2-$kind"
		if ! il_wait_recvs 10; then
			ko "impair ($kind uftp): receivers did not start" "${IL_ERR[@]}"
			il_stop_recvs
			continue
		fi
		IL_RATE=20000
		IL_SLOG_TAG=-impair-$kind il_server "$kind" 150 "$W/src" -- hello.txt zero.bin \
			"name with spaces.txt" pattern.bin dir tree
		rc=$IL_SRC_RC
		il_stop_recvs
		out=$(il_compare "$W/src" "$W/i1-$kind" 2>&1)
		if [ "$rc" = 0 ] && [ -z "$out" ] && [ "${IL_RALIVE[1]}" = 1 ]; then
			ok "impair: $kind uftp -> our uftpd over 10% loss, 5% dup, 20% reorder: exit 0, tree intact (link counters drop/dup/delay: $(lab_impair_count h1))"
		else
			ko "impair: $kind uftp -> our uftpd over the impaired link: uftp exit $rc, receiver alive ${IL_RALIVE[1]}" \
				"$out" "$(tail_of "$IL_SLOG" 4)" "$(tail_of "${IL_RLOG[1]}" 4)"
		fi
		if [ "$kind" = ours ]; then
			out=$(il_compare "$W/src" "$W/i2-$kind" 2>&1)
			if [ -z "$out" ]; then
				ok "impair: the real uftpd on a clean link in the same session: tree intact"
			else
				ko "impair: the real uftpd (clean link) tree differs" "$out"
			fi
		fi
	done
	lab_impair h1 0 0 0
	il_lab_down
}

# ------------------------------------------------------------------ killed
case_killed() {
	il_lab 2
	mkdir -p "$W/ksrc"
	head -c 20000000 /dev/urandom >"$W/ksrc/big.bin"
	printf 'after the crash\n' >"$W/ksrc/next.txt"
	il_recv 1 ours "$W/k1"
	if ! il_wait_recvs 10; then
		ko "killed: receiver did not start" "${IL_ERR[@]}"
		il_lab_down
		return
	fi
	local spid k grew=0 sz
	lab_bg h0 spid "$(il_bin ours server)" -I eth0 -M "$(il_pub)" -P "$(il_priv)" -p "$IL_PORT" \
		-R 8000 -r 0.1 "$W/ksrc/big.bin" >"$W/killed-uftp.log" 2>&1 </dev/null
	# wait (bounded) until part of the file has arrived, then kill the server
	for ((k = 0; k < 150; k++)); do
		sz=$(stat -c %s "$W/k1/big.bin" 2>/dev/null || echo 0)
		[ "$sz" -gt 2000000 ] && grew=1 && break
		sleep 0.1
	done
	kill -KILL "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	if [ "$grew" != 1 ]; then
		ko "killed: the transfer never started ($(stat -c %s "$W/k1/big.bin" 2>/dev/null) bytes)" \
			"$(tail_of "$W/killed-uftp.log" 4)" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
	# the receiver must give the session up (protocol timeout) and clean up
	local gone=0
	for ((k = 0; k < 600; k++)); do
		if grep -q "session aborted" "${IL_RLOG[1]}" && [ ! -e "$W/k1/big.bin" ]; then
			gone=1
			break
		fi
		sleep 0.1
	done
	if [ "$gone" = 1 ] && kill -0 "${IL_RPID[1]}" 2>/dev/null; then
		ok "killed: our uftpd timed the dead server's session out in <60 s, removed the partial file, still running ($(grep 'session aborted' "${IL_RLOG[1]}" | tail -1 | cut -c1-80))"
	else
		ko "killed: after the server died: timed out=$(grep -c 'session aborted' "${IL_RLOG[1]}"), partial file $(stat -c %s "$W/k1/big.bin" 2>/dev/null || echo absent)" \
			"$(tail_of "${IL_RLOG[1]}" 5)"
	fi
	IL_SLOG_TAG=-after il_server ours 60 "$W/ksrc" -- next.txt
	if [ "$IL_SRC_RC" = 0 ] && cmp -s "$W/ksrc/next.txt" "$W/k1/next.txt"; then
		ok "killed: the next session to the same uftpd completes"
	else
		ko "killed: next session exit $IL_SRC_RC" "$(tail_of "$IL_SLOG" 4)" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
	il_stop_recvs
	il_lab_down
}

# ------------------------------------------------------------------ flood
case_flood() {
	il_lab 2
	il_make_tree "$W/fsrc" full
	il_recv 1 ours "$W/f1"
	if ! il_wait_recvs 10; then
		ko "flood: receiver did not start" "${IL_ERR[@]}"
		il_lab_down
		return
	fi
	local rss0 rss1 legit fpid
	rss0=$(rss_kb "${IL_RPID[1]}")
	IL_RATE=8000
	(IL_SLOG_TAG=-flood il_server ref 120 "$W/fsrc" -- hello.txt zero.bin "name with spaces.txt" \
		pattern.bin dir tree
		echo "$IL_SRC_RC" >"$W/flood.rc") &
	legit=$!
	sleep 1
	# 500 ANNOUNCEs, each for a new group from a stranger server ID, at the
	# public group: a captured real ANNOUNCE with new group and server IDs
	lab_bg h2 fpid python3 - "$VEC" "$(il_pub)" "$IL_PORT" <<'EOF'
import random, socket, sys, time
pkts = [l.split() for l in open(sys.argv[1]) if l.startswith("pkt ")]
ann = bytearray(bytes.fromhex(pkts[0][4]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
for i in range(500):
    ann[4:8] = random.getrandbits(32).to_bytes(4, "big")
    ann[8:12] = random.getrandbits(32).to_bytes(4, "big")
    s.sendto(ann, (sys.argv[2], int(sys.argv[3])))
    time.sleep(0.004)
EOF
	lab_wait_pid "$fpid" 30 >/dev/null
	rss1=$(rss_kb "${IL_RPID[1]}")
	lab_wait_pid "$legit" 130 >/dev/null
	local rc out ev
	rc=$(cat "$W/flood.rc" 2>/dev/null)
	IL_SLOG=$W/$IL_LAB-uftp-flood.log # set by il_server in its subshell only
	il_stop_recvs
	out=$(il_compare "$W/fsrc" "$W/f1" 2>&1)
	ev=$(grep -c "too many sessions" "${IL_RLOG[1]}")
	if [ "${IL_RALIVE[1]}" = 1 ] && [ "$rc" = 0 ] && [ -z "$out" ]; then
		ok "flood: 500 ANNOUNCEs for new groups during a session: legit session exit 0, tree intact, receiver alive"
	else
		ko "flood: legit session exit ${rc:-?}, receiver alive ${IL_RALIVE[1]}" "$out" \
			"$(tail_of "$IL_SLOG" 4)" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
	if [ "$ev" -gt 0 ] && [ $((rss1 - rss0)) -lt 16384 ]; then
		ok "flood: sessions bounded ($ev evictions logged), RSS ${rss0} -> ${rss1} KiB"
	else
		ko "flood: evictions logged: $ev, RSS ${rss0} -> ${rss1} KiB (limit +16384)"
	fi
	il_lab_down
}

# ------------------------------------------------------------------ regflood
case_regflood() {
	il_lab 2
	mkdir -p "$W/rsrc"
	head -c 300000 /dev/urandom >"$W/rsrc/file.bin"
	il_recv 1 ref "$W/r1"
	if ! il_wait_recvs 10; then
		ko "regflood: receiver did not start" "${IL_ERR[@]}"
		il_lab_down
		return
	fi
	local spid legit from
	lab_bg h2 spid timeout 20 python3 "$CRAFT" sniff --src "$(lab_ip4 2)" --timeout 15 >"$W/rsniff.out" 2>&1
	lab_wait_udp h2 1044 5
	IL_SERVER_WRAP=(/usr/bin/time -f "maxrss=%M" -o "$W/regflood.time")
	# an announce phase of ~9 s (-s 10, GRTT held at 0.3 s) so the flood lands in it
	(IL_SLOG_TAG=-regflood il_server ours 120 "$W/rsrc" -s 10 -r 0.3:0.3:1 -- file.bin
		echo "$IL_SRC_RC" >"$W/regflood.rc") &
	legit=$!
	lab_wait_pid "$spid" 20 >/dev/null
	IL_SERVER_WRAP=()
	read -r _ g _ f _ <"$W/rsniff.out"
	from=${f#from=}
	if [ -z "$from" ] || [ "${g#group=}" = "$g" ]; then
		ko "regflood: no ANNOUNCE sniffed ($(cat "$W/rsniff.out"))"
		lab_wait_pid "$legit" 120 >/dev/null
		il_stop_recvs
		il_lab_down
		return
	fi
	lab_exec h2 python3 - "$VEC" "${g#group=}" "$from" <<'EOF'
import socket, sys, time
pkts = [l.split() for l in open(sys.argv[1]) if l.startswith("pkt ")]
reg = bytearray(bytes.fromhex(pkts[1][4]))  # a real REGISTER
host, port = sys.argv[3].rsplit(":", 1)
reg[8:12] = int(sys.argv[2], 16).to_bytes(4, "big")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(2000):
    reg[4:8] = (0x0A000000 + i).to_bytes(4, "big")
    s.sendto(reg, (host, int(port)))
    if i % 100 == 99:
        time.sleep(0.05)
EOF
	lab_wait_pid "$legit" 130 >/dev/null
	il_stop_recvs
	local rc rss reg
	rc=$(cat "$W/regflood.rc" 2>/dev/null)
	rss=$(sed -n 's/^maxrss=//p' "$W/regflood.time" 2>/dev/null)
	IL_SLOG=$W/$IL_LAB-uftp-regflood.log # set by il_server in its subshell only
	reg=$(grep -Ec '^(info: )?Client 0x0A.* registered' "$IL_SLOG") # a level word may lead
	if cmp -s "$W/rsrc/file.bin" "$W/r1/file.bin" && [ -n "$rss" ] && [ "$rss" -lt 65536 ] &&
		[ "$reg" -ge 1000 ]; then
		ok "regflood: 2000 forged REGISTERs ($reg forged clients registered, then dropped): the real receiver got the file intact (uftp exit ${rc:-?}, peak RSS $rss KiB)"
	else
		ko "regflood: file intact: $(cmp -s "$W/rsrc/file.bin" "$W/r1/file.bin" && echo yes || echo no), uftp exit ${rc:-?}, peak RSS ${rss:-?} KiB, forged clients registered: $reg" \
			"$(tail_of "$IL_SLOG" 5)"
	fi
	il_lab_down
}

# ------------------------------------------------------------------ sighup
case_sighup() {
	il_lab 1
	mkdir -p "$W/hsrc" "$W/h1"
	printf 'one\n' >"$W/hsrc/one.txt"
	printf 'two\n' >"$W/hsrc/two.txt"
	local pf=$W/hup.pid lf=$W/hup.log starter pid k
	lab_bg h1 starter "$(il_bin ours client)" -p "$IL_PORT" -D "$W/h1" -M "$(il_pub)" -I eth0 \
		-P "$pf" -L "$lf" >"$W/hup.start" 2>&1
	lab_wait_pid "$starter" 10 >/dev/null
	for ((k = 0; k < 50; k++)); do
		pid=$(tr -dc 0-9 <"$pf" 2>/dev/null)
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && break
		pid=""
		sleep 0.1
	done
	if [ -z "$pid" ]; then
		ko "sighup: daemon did not start" "$(cat "$W/hup.start")"
		il_lab_down
		return
	fi
	lab_wait_udp h1 "$IL_PORT" 5
	il_server ours 60 "$W/hsrc" -- one.txt
	mv "$lf" "$lf.1"
	kill -HUP "$pid"
	sleep 0.5
	il_server ours 60 "$W/hsrc" -- two.txt
	sleep 0.5
	if kill -0 "$pid" 2>/dev/null && grep -q "one.txt" "$lf.1" && grep -q "two.txt" "$lf" 2>/dev/null &&
		! grep -q "two.txt" "$lf.1"; then
		ok "sighup: the log was reopened (first session in the renamed file, the next in a new one)"
	else
		ko "sighup: daemon alive: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no); new log: $(wc -l <"$lf" 2>/dev/null || echo none) lines" \
			"$(tail_of "$lf.1" 3)"
	fi
	il_stop_daemon "$pid"
	il_lab_down
}

for c in $CASES; do
	echo "=== $c"
	"case_$c"
done
# a sanitizer build (scripts/test.sh runs this with build/san): any report
# in any log (leaks at exit included) fails the run
san=$(grep -l -E 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$W"/*.log 2>/dev/null)
if [ -n "$san" ]; then
	ko "sanitizer reports in: $san" "$(grep -h -m3 -E 'Sanitizer|runtime error:' $san)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
