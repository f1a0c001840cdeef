#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab_bg assigns PIDs by name; IL_* settings are read by tests/interop/lib.sh:
# shellcheck disable=SC2034,SC2154
# tests/integration/uftp-ops.sh - operator features of our uftp (issue 4),
# each checked against the real UFTP 4.10.2 in a network-namespace lab:
#   restart_ref   our uftp -f, a real uftpd -T killed (SIGTERM) in the middle of
#                 a 3 MB file: the restart file _group_{ID}_restart (the
#                 reference's layout: group, files, the failed client), then our
#                 uftp -F: same group, next instance, only the failed client,
#                 only the blocks it NAKs (FILESEGs counted on the wire), tree
#                 byte-exact
#   restart_ours  the same with our uftpd -T
#   restart_enc   restart_ref encrypted (aes256-gcm, client keys checked against a
#                 host list with fingerprints, kept in the restart file)
#   restart_x     the restart files are interchangeable: the real uftp -f then
#                 our uftp -F, and our uftp -f then the real uftp -F (real uftpd)
#   sync          -z: our -S lines equal the real uftp's field by field (speeds
#                 and times excepted): copy / skipped / overwritten, no speed for
#                 skipped; trees equal, to a real and to our uftpd
#   preview       -Z: the same statuses, no FILESEG on the wire, receivers'
#                 trees untouched, speeds and times estimated from -R
#   rejected      a name the receivers refuse: RESULT rejected (as the real
#                 uftp), exit 10; a silent closed-group member: CONNECT failed,
#                 RESULT mute
#   statlog       -S @LOG: the same lines in the log
#   meta          links, an empty directory and @FREESPACE: the same -S lines
#                 as the real uftp (RESULT for ".", then FREESPACE;.;bytes)
#   cutshort      a session cut in the middle of a file, by SIGINT to uftp
#                 (exit 6) or by -q when a receiver leaves (exit 9): -S lines
#                 (that file "aborted", no STATS), exit code and restart file
#                 (every unfinished client) as the real uftp
#   logs          -L appends, -T / -L timestamps, -g/-n rolling (archives .1 .2,
#                 never .3), unwritable -L exit 4, -x 0 still shows errors,
#                 each as the real uftp
#   layout        -f after a failed announce (exit 7, no receiver): our restart
#                 file equals the real uftp's byte for byte but for the group ID
#                 and the 3 padding bytes the reference leaves uninitialised
#                 (-H @file with a fingerprint, an ID typed short, an address);
#                 our -F of that file failing again rewrites it, instance 1
#   badinput      -F missing, truncated, damaged, a directory, with -H; -H @file
#                 missing or malformed: a clear message and exit 1; a file past
#                 the 65536 sections that 16-bit section numbers allow: exit 1
#                 before the session (the limit itself is sent); a failing random
#                 generator (OPENSSL_CONF with no DRBG): exit 3 with a message
#   progress      (issue 13) uftp on a pseudo-terminal: the live progress line
#                 (file, percent, rate, ETA, receivers), redrawn at most 4 times
#                 a second, erased before each log line, and a summary table per
#                 receiver at the end; none of it with --no-progress or when
#                 stderr is not a terminal; --progress forces it on a pipe;
#                 at -x 5 each event is told once
#   keymsg        (issue 13) a missing -k key file: exit 3 and the system's reason
#                 ("No such file or directory", not "I/O error"), with a level
#
#   sudo tests/integration/uftp-ops.sh [BUILD_DIR]
#   CASES="sync preview" KEEP=1 sudo tests/integration/uftp-ops.sh
#
# Prints "PASS|FAIL <case>: <what>" lines, then "N passed, M failed". Exit 0
# all passed, 1 any failed, 77 skip (not root, real UFTP, our programs,
# tcpdump, nft or python3 missing). Bounded: each session has a timeout, the whole run takes
# about a minute and a half.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: uftp-ops.sh needs root (network namespaces)"; exit 77; }
if ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
for t in tcpdump nft python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done
il_init "${1:-}" || exit 2
if ! il_have ours server || ! il_have ours client; then
	echo "SKIP: our uftp/uftpd not built in $IL_BUILD"
	exit 77
fi
T_START=$SECONDS
W=$IL_WORK
OURS=$(il_bin ours server)
REF=$(il_bin ref server)

# check CASE WHAT COND...: PASS if the command COND succeeds
check() {
	local cs=$1 what=$2
	shift 2
	if "$@"; then ok "$cs: $what"; else ko "$cs: $what" "${DETAIL[@]}"; fi
	DETAIL=()
}
DETAIL=()

# ---------------------------------------------------------------- helpers
# stats_fields FILE: the -S lines without the measured fields (RESULT speed,
# STATS time and speed), one per line, sorted within each kind
stats_fields() {
	awk -F';' '
		$1 == "RESULT" { print $1 ";" $2 ";" $3 ";" $4 ";" $5; next }
		$1 == "STATS" { print $1 ";" $2 ";" $3 ";" $4 ";" $5 ";" $6; next }
		$1 == "FREESPACE" && $3 ~ /^[0-9]+$/ { print $1 ";" $2 ";N"; next }
		$1 == "CONNECT" || $1 == "HSTATS" { print }
	' "$1"
}

# restart_info FILE: "GID INST NFILES name,name,... ID,ID,..." from a restart file
restart_info() {
	python3 - "$1" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
gid, inst, n = struct.unpack_from("<IB3xI", b, 0)
names = [b[12 + 300 * i:12 + 300 * (i + 1)].split(b"\0")[0].decode() for i in range(n)]
rest = b[12 + 300 * n:]
ids = ["0x%08X" % struct.unpack_from(">I", rest, 156 * i + 80)[0] for i in range(len(rest) // 156)]
ok = len(rest) % 156 == 0
print("%08X %d %d %s %s %s" % (gid, inst, n, ",".join(names), ",".join(ids) or "-", "ok" if ok else "bad-size"))
EOF
}

# seg_count_start: count, in the kernel (a capture may drop packets), the
# FILESEGs h0 sends (unencrypted: function byte 9, file ID at byte 26 of the
# UDP datagram): per file 2 and 3, and in all. seg_count NAME reads one.
seg_count_start() {
	lab_exec h0 nft delete table inet uftpops 2>/dev/null
	lab_exec h0 nft -f - <<EOF
table inet uftpops {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport $IL_PORT @th,72,8 9 @th,208,16 2 counter comment "f2"
		udp dport $IL_PORT @th,72,8 9 @th,208,16 3 counter comment "f3"
		udp dport $IL_PORT @th,72,8 9 counter comment "all"
	}
}
EOF
}
# seg_count NAME: FILESEG datagrams counted by rule NAME.  Our uftp sends a
# run of datagrams as one UDP GSO message, which the output hook sees (and
# counts) once, with one IP and UDP header: so the count comes from the bytes,
# each datagram 24 bytes of UFTP headers and a 1300-byte block (the last of a
# file shorter), less 28 bytes of IP and UDP headers per packet counted.
seg_count() {
	lab_exec h0 nft list table inet uftpops 2>/dev/null |
		awk -v c="\"$1\"" '$NF == c { for (i = 1; i <= NF; i++) { if ($i == "packets") p = $(i + 1); if ($i == "bytes") b = $(i + 1) }
			d = b - 28 * p; n = int(d / 1324); if (n * 1324 < d) n++; print n }'
}

# inst_of PCAP: the group instance bytes of the server's datagrams (distinct)
inst_of() {
	tcpdump -n -x -r "$1" "udp dst port $IL_PORT and src host $(lab_ip4 0)" 2>/dev/null |
		python3 -c '
import sys, re
pk, out = [], set()
def flush():
    if pk:
        b = bytes.fromhex("".join(pk))
        ihl = (b[0] & 15) * 4
        if len(b) > ihl + 20: out.add(b[ihl + 8 + 12])
for line in sys.stdin:
    m = re.match(r"\s+0x[0-9a-f]+:\s+([0-9a-f ]+)$", line)
    if m: pk.append(m.group(1).replace(" ", ""))
    else:
        flush(); pk = []
flush()
print(" ".join(str(x) for x in sorted(out)))'
}

# wait_partial DIR: wait (bounded) until a big.bin under DIR passes 1000 KB
wait_partial() {
	local k
	for ((k = 0; k < 300; k++)); do
		[ -n "$(find "$1" -name big.bin -size +1000k 2>/dev/null | head -1)" ] && return 0
		sleep 0.05
	done
	return 1
}

gid_of_log() { # GID as our uftp or the real uftp logs it
	sed -n -e 's/.*Starting session 0x\([0-9A-F]\{8\}\).*/\1/p' -e 's/.*Group ID: \([0-9A-F]\{8\}\).*/\1/p' "$1" | head -1
}

SRC=$W/src
mkdir -p "$SRC/sub"
head -c 3000000 /dev/urandom >"$SRC/big.bin"
printf 'hello\n' >"$SRC/a.txt"
head -c 500000 /dev/urandom >"$SRC/mid.bin"
printf 'x\n' >"$SRC/sub/x.txt"
touch -d @1500000000 "$SRC/big.bin" "$SRC/a.txt" "$SRC/mid.bin" "$SRC/sub/x.txt"
RFILES=(a.txt big.bin mid.bin sub)

# ---------------------------------------------------------------- restart
# restart_run CASE SKIND1 SKIND2 RKIND: session 1 by SKIND1 with -f to h1 and
# h2 (uftpd RKIND -T), h1 stopped with SIGTERM mid big.bin; session 2 by
# SKIND2 -F with h1 restarted. Checks everything the header promises.
# With ENC=1: encrypted (RSA keys, -c), a host list file with both
# receivers' fingerprints, which the restart file must carry; FILESEGs
# cannot be told apart on the wire then, the server's log says it resumed.
restart_run() {
	local cs=$1 sk1=$2 sk2=$3 rk=$4 base=$W/$1 i gid rf info kp st
	local -a sopts=() hosts=(-H "$(il_id 1),$(il_id 2)")
	local -a ropts1=() ropts2=()
	mkdir -p "$base"
	il_lab 2 || { ko "$cs: lab_up"; return; }
	IL_RATE=8000
	if [ "${ENC:-0}" = 1 ]; then
		[ -n "${IL_KEYS:-}" ] || il_keys || { ko "$cs: keys"; il_lab_down; return; }
		sopts=(-Y aes256-gcm -h sha256 -c -k "$IL_KEYS/server_rsa.pem")
		ropts1=(-k "$IL_KEYS/client1_rsa.pem") ropts2=(-k "$IL_KEYS/client2_rsa.pem")
		printf '%s|%s\n%s|%s\n' "$(il_id 1)" "$(il_fp "$IL_KEYS/client1_rsa.pem")" \
			"$(il_id 2)" "$(il_fp "$IL_KEYS/client2_rsa.pem")" >"$base/hosts"
		hosts=(-H "@$base/hosts")
	fi
	local src=$base/src
	cp -a "$SRC" "$src"
	mkdir -p "$base/t1" "$base/t2"
	il_recv 1 "$rk" "$base/d1" -T "$base/t1" "${ropts1[@]}"
	il_recv 2 "$rk" "$base/d2" -T "$base/t2" "${ropts2[@]}"
	if ! il_wait_recvs 10; then ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return; fi
	( wait_partial "$base/t1" && kill -TERM "${IL_RPID[1]}" ) &
	kp=$!
	IL_SLOG_TAG=-1
	il_server "$sk1" 40 "$src" -f "${sopts[@]}" "${hosts[@]}" -S "$base/status1" -- "${RFILES[@]}"
	wait "$kp"
	st=$?
	il_stop_recvs
	cp "$IL_SLOG" "$base/uftp1.log"
	gid=$(gid_of_log "$base/uftp1.log")
	rf=$src/_group_${gid}_restart
	DETAIL=("uftp exit $IL_SRC_RC, receiver stopped: $st" "$(tail -3 "$base/uftp1.log")")
	check "$cs" "$sk1 uftp -f: session 1 ends (exit 0), h1 stopped mid-file" [ "$IL_SRC_RC" = 0 -a "$st" = 0 ]
	DETAIL=("$(ls "$src")")
	check "$cs" "restart file _group_${gid}_restart written in the current directory" [ -n "$gid" -a -f "$rf" ]
	[ -f "$rf" ] || { il_lab_down; return; }
	info=$(restart_info "$rf")
	DETAIL=("got: $info")
	check "$cs" "restart file: group, instance 0, the 4 names as given, only h1 ($(il_id 1))" \
		[ "$info" = "$gid 0 4 a.txt,big.bin,mid.bin,sub $(il_id 1) ok" ]
	if [ "${ENC:-0}" = 1 ]; then
		local fp
		fp=$(python3 -c 'import sys; b = open(sys.argv[1], "rb").read()[1212:]; print(b[84], ":".join("%02X" % x for x in b[88:108]))' "$rf")
		DETAIL=("got: $fp" "want: 1 $(il_fp "$IL_KEYS/client1_rsa.pem")")
		check "$cs" "restart file: h1's key fingerprint from the host list" [ "$fp" = "1 $(il_fp "$IL_KEYS/client1_rsa.pem")" ]
	fi
	if [ "$sk1" = ref ]; then
		DETAIL=("$(cat "$base/status1")")
		check "$cs" "real uftp -S: h1 big.bin aborted" grep -q "^RESULT;$(il_id 1);big.bin;2929KB;aborted;$" "$base/status1"
	else
		DETAIL=("$(cat "$base/status1")")
		check "$cs" "-S: h1 a.txt copy, big.bin lost or aborted (no speed), h2 all copy" \
			eval "grep -q '^RESULT;$(il_id 1);a.txt;0KB;copy;' '$base/status1' &&
			grep -Eq '^RESULT;$(il_id 1);big.bin;2929KB;(lost|aborted);$' '$base/status1' &&
			[ \$(grep -c '^RESULT;$(il_id 2);.*;copy;[0-9.]*KB/s$' '$base/status1') = 4 ]"
	fi
	DETAIL=("$(python3 "$IL_TREECMP" --umask "$IL_UMASK" "$SRC" "$base/d2" 2>&1 | head -5)")
	check "$cs" "h2 received everything in session 1" python3 "$IL_TREECMP" --umask "$IL_UMASK" "$SRC" "$base/d2"
	mv "$rf" "$base/" # keep the source tree clean for the comparison
	rf=$base/_group_${gid}_restart
	# ---- session 2: restart
	IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=()
	il_recv 1 "$rk" "$base/d1" -T "$base/t1" "${ropts1[@]}"
	if ! il_wait_recvs 10; then ko "$cs: receiver restart" "${IL_ERR[@]}"; il_lab_down; return; fi
	il_capture_start
	seg_count_start || { ko "$cs: nft counters"; il_lab_down; return; }
	IL_SLOG_TAG=-2
	il_server "$sk2" 40 "$src" "${sopts[@]}" -S "$base/status2" -F "$rf" -- ignored.txt
	il_capture_stop
	il_stop_recvs
	cp "$IL_SLOG" "$base/uftp2.log"
	local segs segs3
	segs=$(seg_count f2) segs3=$(seg_count f3)
	DETAIL=("$(tail -5 "$base/uftp2.log")")
	check "$cs" "$sk2 uftp -F: exit 0" [ "$IL_SRC_RC" = 0 ]
	DETAIL=("session 2 group $(gid_of_log "$base/uftp2.log"), session 1 $gid")
	check "$cs" "-F: the same group ID" [ "$(gid_of_log "$base/uftp2.log")" = "$gid" ]
	local inst
	inst=$(inst_of "$W/$IL_LAB.pcap")
	DETAIL=("instances on the wire: '$inst'")
	check "$cs" "-F: group instance 1 in every server datagram" [ "$inst" = 1 ]
	DETAIL=("$(cat "$base/status2")")
	check "$cs" "-F: only h1 is addressed (CONNECT, RESULTs)" \
		eval "[ \"\$(grep -c '^CONNECT;' '$base/status2')\" = 1 ] && grep -q '^CONNECT;success;$(il_id 1)$' '$base/status2' &&
		! grep -q '$(il_id 2)' '$base/status2' && grep -q '^RESULT;$(il_id 1);big.bin;2929KB;copy;' '$base/status2'"
	if [ "${ENC:-0}" = 1 ]; then
		DETAIL=("$(grep -i -E 'resume|pass' "$base/uftp2.log")")
		check "$cs" "-F: big.bin resumed (no first pass, only what h1 NAKs)" grep -q "big.bin: every client resumes it" "$base/uftp2.log"
	else
		DETAIL=("$segs FILESEGs of big.bin (2308 blocks); pcap $W/$IL_LAB.pcap")
		check "$cs" "-F: only the missing part of big.bin is sent ($segs of 2308 blocks, h1 had over 770)" [ "$segs" -gt 0 -a "$segs" -le 1608 ]
		DETAIL=("$segs3 FILESEGs of mid.bin")
		check "$cs" "-F: a file h1 never started is sent whole ($segs3 of 385 blocks)" [ "$segs3" -ge 385 ]
	fi
	DETAIL=("$(python3 "$IL_TREECMP" --umask "$IL_UMASK" "$SRC" "$base/d1" 2>&1 | head -8)")
	check "$cs" "h1's tree after the restart equals the source, byte for byte" python3 "$IL_TREECMP" --umask "$IL_UMASK" "$SRC" "$base/d1"
	DETAIL=("$(head -3 "$base/uftp2.log")")
	check "$cs" "-F: the names on the command line are ignored, with a warning" grep -qi "warning: ignoring" "$base/uftp2.log"
	il_lab_down
}

case_restart_ref() { restart_run restart_ref ours ours ref; }
case_restart_ours() { restart_run restart_ours ours ours ours; }
case_restart_enc() { ENC=1 restart_run restart_enc ours ours ref; }
case_restart_x() {
	restart_run restart_x_ref_to_ours ref ours ref
	restart_run restart_x_ours_to_ref ours ref ref
}

# ---------------------------------------------------------------- sync / preview
# sync_prep DIR: a receiver's tree before the session
sync_prep() {
	mkdir -p "$1"
	cp -p "$SYNC/same.txt" "$1/"
	printf 'old\n' >"$1/older.txt"
	touch -d @1400000000 "$1/older.txt"
	printf 'newer at the receiver\n' >"$1/newer.txt"
	touch -d @1600000000 "$1/newer.txt"
}
SYNC=$W/sync-src
mkdir -p "$SYNC"
printf 'new\n' >"$SYNC/new.txt"
printf 'same\n' >"$SYNC/same.txt"
printf 'the sender has the newer one\n' >"$SYNC/older.txt"
printf 'the receiver has a newer one\n' >"$SYNC/newer.txt"
head -c 200000 /dev/urandom >"$SYNC/big.bin"
touch -d @1500000000 "$SYNC"/*
SYNC_FILES=(new.txt same.txt older.txt newer.txt big.bin)

# sync_run CASE MODE: the real uftp then ours, each to a fresh real (h1) and
# our (h2) uftpd with prepared trees; results under $W/CASE/{ref,ours}
sync_run() {
	local cs=$1 mode=$2 k i
	il_lab 2 || { ko "$cs: lab_up"; return 1; }
	for k in ref ours; do
		IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=()
		for i in 1 2; do sync_prep "$W/$cs/$k/h$i"; done
		il_recv 1 ref "$W/$cs/$k/h1"
		il_recv 2 ours "$W/$cs/$k/h2"
		il_wait_recvs 10 || { ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return 1; }
		seg_count_start || { ko "$cs: nft counters"; il_lab_down; return 1; }
		IL_SLOG_TAG=-$k IL_RATE=8000
		il_server "$k" 30 "$SYNC" "$mode" -H "$(il_id 1),$(il_id 2)" -S "$W/$cs/$k.status" -- "${SYNC_FILES[@]}"
		echo "$IL_SRC_RC" >"$W/$cs/$k.rc"
		seg_count all >"$W/$cs/$k.segs"
		il_stop_recvs
		cp "$IL_SLOG" "$W/$cs/$k.log"
	done
	il_lab_down
}

sync_common_checks() {
	local cs=$1 r o
	r=$(cat "$W/$cs/ref.rc") o=$(cat "$W/$cs/ours.rc")
	DETAIL=("real $r, ours $o")
	check "$cs" "exit codes: real $r, ours $o" [ "$r" = 0 -a "$o" = 0 ]
	DETAIL=("$(diff <(stats_fields "$W/$cs/ref.status") <(stats_fields "$W/$cs/ours.status"))")
	check "$cs" "-S lines equal the real uftp's field by field (speeds, times excepted)" \
		diff -q <(stats_fields "$W/$cs/ref.status") <(stats_fields "$W/$cs/ours.status")
	local want="new.txt;0KB;copy same.txt;0KB;skipped older.txt;0KB;overwritten newer.txt;0KB;skipped big.bin;195KB;copy"
	local got
	got=$(awk -F';' -v id="$(il_id 1)" '$1 == "RESULT" && $2 == id { printf "%s%s;%s;%s", sep, $3, $4, $5; sep = " " }' "$W/$cs/ours.status")
	DETAIL=("got: $got")
	check "$cs" "statuses as man uftp: copy / skipped / overwritten" [ "$got" = "$want" ]
	DETAIL=("$(grep -E ';skipped;.+' "$W/$cs/ours.status")")
	check "$cs" "skipped files carry no speed (as the real uftp)" eval "! grep -Eq ';skipped;.+' '$W/$cs/ours.status'"
	DETAIL=("$(grep '^STATS' "$W/$cs/ours.status")")
	check "$cs" "STATS: 2 copied, 1 overwritten, 2 skipped for each receiver" \
		eval "[ \$(grep -c '^STATS;0x[0-9A-F]*;2;1;2;0MB;' '$W/$cs/ours.status') = 2 ]"
	for i in 1 2; do
		DETAIL=("$(python3 "$IL_TREECMP" --umask "$IL_UMASK" "$W/$cs/ref/h$i" "$W/$cs/ours/h$i" 2>&1 | head -6)")
		check "$cs" "h$i ($([ $i = 1 ] && echo real || echo our) uftpd): tree from our uftp equals the real uftp's" \
			python3 "$IL_TREECMP" --umask "$IL_UMASK" "$W/$cs/ref/h$i" "$W/$cs/ours/h$i"
	done
}

case_sync() {
	local cs=sync
	sync_run sync -z || return
	sync_common_checks sync
	DETAIL=("$(cmp "$SYNC/older.txt" "$W/$cs/ours/h1/older.txt" 2>&1; cmp "$SYNC/newer.txt" "$W/$cs/ours/h1/newer.txt" 2>&1)")
	check "$cs" "older copy overwritten, newer one kept" \
		eval "cmp -s '$SYNC/older.txt' '$W/$cs/ours/h1/older.txt' && ! cmp -s '$SYNC/newer.txt' '$W/$cs/ours/h1/newer.txt'"
}

case_preview() {
	local cs=preview i n
	sync_run preview -Z || return
	sync_common_checks preview
	n=$(cat "$W/$cs/ours.segs")
	DETAIL=("$n FILESEGs (kernel counter)")
	check "$cs" "no FILESEG on the wire" [ "$n" = 0 ]
	for i in 1 2; do
		sync_prep "$W/$cs/expect"
		DETAIL=("$(python3 "$IL_TREECMP" --umask "$IL_UMASK" "$W/$cs/expect" "$W/$cs/ours/h$i" 2>&1 | head -5)")
		check "$cs" "h$i: tree untouched" python3 "$IL_TREECMP" --umask "$IL_UMASK" "$W/$cs/expect" "$W/$cs/ours/h$i"
	done
	# 8000 Kbps = 976.56 KB/s; the 200018 bytes sent "would" take 0.200 s
	DETAIL=("$(grep -E 'copy|overwritten|^STATS' "$W/$cs/ours.status")")
	check "$cs" "speeds and times estimated from -R 8000 (976.56KB/s, 0.200 s)" \
		eval "[ \$(grep -Ec ';(copy|overwritten);976.56KB/s$' '$W/$cs/ours.status') = 6 ] &&
		[ \$(grep -c '^STATS;0x[0-9A-F]*;2;1;2;0MB;0.200;976.56KB/s$' '$W/$cs/ours.status') = 2 ]"
}

# ---------------------------------------------------------------- rejected / mute / @LOG
case_rejected() {
	local cs=rejected k i
	il_lab 3 || { ko "$cs: lab_up"; return; }
	for k in ref ours; do
		IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=()
		il_recv 1 ref "$W/$cs/$k/h1"
		il_recv 2 ours "$W/$cs/$k/h2"
		il_wait_recvs 10 || { ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return; }
		IL_SLOG_TAG=-$k
		# h3 is listed but runs no receiver: mute
		il_server "$k" 30 "$SYNC" -H "$(il_id 1),$(il_id 2),$(il_id 3)" -S "$W/$cs/$k.status" -D /elsewhere/x.txt -- new.txt
		echo "$IL_SRC_RC" >"$W/$cs/$k.rc"
		il_stop_recvs
	done
	il_lab_down
	DETAIL=("real $(cat "$W/$cs/ref.rc"), ours $(cat "$W/$cs/ours.rc")")
	check "$cs" "nothing received: exit 10 (both)" [ "$(cat "$W/$cs/ref.rc")" = 10 -a "$(cat "$W/$cs/ours.rc")" = 10 ]
	DETAIL=("$(diff "$W/$cs/ref.status" "$W/$cs/ours.status")")
	check "$cs" "-S output identical to the real uftp's (rejected, mute, CONNECT failed)" diff -q "$W/$cs/ref.status" "$W/$cs/ours.status"
	DETAIL=("$(cat "$W/$cs/ours.status")")
	check "$cs" "RESULT rejected for both receivers, mute for the silent member" \
		eval "[ \$(grep -c '^RESULT;0x[0-9A-F]*;/elsewhere/x.txt;0KB;rejected;$' '$W/$cs/ours.status') = 2 ] &&
		grep -q '^RESULT;$(il_id 3);/elsewhere/x.txt;0KB;mute;$' '$W/$cs/ours.status' &&
		grep -q '^CONNECT;failed;$(il_id 3)$' '$W/$cs/ours.status'"
}

case_statlog() {
	local cs=statlog
	il_lab 1 || { ko "$cs: lab_up"; return; }
	il_recv 1 ref "$W/$cs/h1"
	il_wait_recvs 10 || { ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return; }
	IL_SLOG_TAG=-statlog
	il_server ours 30 "$SYNC" -H "$(il_id 1)" -S @LOG -- new.txt big.bin
	il_stop_recvs
	il_lab_down
	DETAIL=("exit $IL_SRC_RC" "$(grep -E '^(CONNECT|RESULT|HSTATS|STATS);' "$IL_SLOG")")
	check "$cs" "-S @LOG: CONNECT, 2 RESULT, HSTATS, STATS lines in the log" \
		eval "[ '$IL_SRC_RC' = 0 ] && grep -q '^CONNECT;success;$(il_id 1)$' '$IL_SLOG' &&
		[ \$(grep -c '^RESULT;$(il_id 1);.*;copy;[0-9.]*KB/s$' '$IL_SLOG') = 2 ] &&
		grep -qx 'HSTATS;target;copy;overwrite;skip;totalMB;time;speedKB/s' '$IL_SLOG' &&
		grep -q '^STATS;$(il_id 1);2;0;0;0MB;[0-9.]*;[0-9.]*KB/s$' '$IL_SLOG'"
}

case_meta() {
	local cs=meta k
	local src=$W/$cs/src
	il_make_tree "$src" small
	il_lab 2 || { ko "$cs: lab_up"; return; }
	for k in ref ours; do
		IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=()
		il_recv 1 ref "$W/$cs/$k/h1"
		il_recv 2 ours "$W/$cs/$k/h2"
		il_wait_recvs 10 || { ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return; }
		IL_SLOG_TAG=-$cs-$k
		il_server "$k" 30 "$src" -H "$(il_id 1),$(il_id 2)" -S "$W/$cs/$k.status" -- hello.txt dir @FREESPACE
		echo "$IL_SRC_RC" >"$W/$cs/$k.rc"
		il_stop_recvs
	done
	il_lab_down
	DETAIL=("real $(cat "$W/$cs/ref.rc"), ours $(cat "$W/$cs/ours.rc")")
	check "$cs" "exit 0 (both)" [ "$(cat "$W/$cs/ref.rc")$(cat "$W/$cs/ours.rc")" = 00 ]
	DETAIL=("$(diff <(stats_fields "$W/$cs/ref.status") <(stats_fields "$W/$cs/ours.status"))")
	check "$cs" "-S lines equal the real uftp's (speeds, times and free bytes excepted)" \
		diff -q <(stats_fields "$W/$cs/ref.status") <(stats_fields "$W/$cs/ours.status")
	DETAIL=("$(cat "$W/$cs/ours.status")")
	check "$cs" "@FREESPACE: RESULT for \".\" then FREESPACE;.;bytes, per receiver" \
		eval "[ \$(grep -c '^FREESPACE;\\.;[0-9][0-9]*$' '$W/$cs/ours.status') = 2 ] &&
		grep -A1 '^RESULT;$(il_id 1);\\.;0KB;copy;' '$W/$cs/ours.status' | grep -q '^FREESPACE;'"
}

# cut_run CASE SKIND MODE: h1 real, h2 our uftpd; MODE int: SIGINT to uftp
# mid big.bin; q: -q and SIGTERM to h1 mid big.bin
cut_run() {
	local cs=$1 k=$2 mode=$3 base=$W/$1/$2 kp sbin p
	mkdir -p "$base"
	cp -a "$SRC" "$base/src"
	IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=()
	il_recv 1 ref "$base/h1"
	il_recv 2 ours "$base/h2"
	il_wait_recvs 10 || { echo "receivers-failed" >"$base/rc"; il_stop_recvs; return; }
	sbin=$(readlink -f "$(il_bin "$k" server)")
	(
		wait_partial "$base/h1" || exit 1
		if [ "$mode" = int ]; then # uftp found by its executable among h0's processes (all ours)
			for p in $(ip netns pids "$(lab_ns h0)" 2>/dev/null); do
				[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$sbin" ] && kill -INT "$p"
			done
		else
			kill -TERM "${IL_RPID[1]}"
		fi
	) &
	kp=$!
	local -a q=()
	[ "$mode" = q ] && q=(-q)
	IL_SLOG_TAG=-$cs-$k IL_RATE=8000
	il_server "$k" 30 "$base/src" -f "${q[@]}" -H "$(il_id 1),$(il_id 2)" -S "$base/status" -- a.txt big.bin mid.bin
	echo "$IL_SRC_RC" >"$base/rc"
	wait "$kp"
	echo $? >"$base/killrc"
	il_stop_recvs
	cp "$IL_SLOG" "$base/uftp.log"
	p=$(ls "$base/src"/_group_*_restart 2>/dev/null | head -1)
	if [ -n "$p" ]; then restart_info "$p" | cut -d' ' -f2- >"$base/restart"; else echo none >"$base/restart"; fi
}

case_cutshort() {
	local cs mode want
	for mode in int q; do
		cs=cutshort_$mode
		want=$([ $mode = int ] && echo 6 || echo 9)
		il_lab 2 || { ko "$cs: lab_up"; return; }
		cut_run "$cs" ref "$mode"
		cut_run "$cs" ours "$mode"
		il_lab_down
		DETAIL=("real $(cat "$W/$cs/ref/rc"), ours $(cat "$W/$cs/ours/rc"); stopped: $(cat "$W/$cs/ref/killrc") $(cat "$W/$cs/ours/killrc")")
		check "$cs" "exit $want (real and ours), cut in the middle of big.bin" \
			[ "$(cat "$W/$cs/ref/rc")" = "$want" -a "$(cat "$W/$cs/ours/rc")" = "$want" -a "$(cat "$W/$cs/ref/killrc")$(cat "$W/$cs/ours/killrc")" = 00 ]
		DETAIL=("$(diff <(stats_fields "$W/$cs/ref/status") <(stats_fields "$W/$cs/ours/status"))")
		check "$cs" "-S lines equal the real uftp's (big.bin aborted for both, no STATS)" \
			eval "diff -q <(stats_fields '$W/$cs/ref/status') <(stats_fields '$W/$cs/ours/status') >/dev/null &&
			[ \$(grep -c ';big.bin;2929KB;aborted;$' '$W/$cs/ours/status') = 2 ] && ! grep -q '^STATS' '$W/$cs/ours/status'"
		DETAIL=("real: $(cat "$W/$cs/ref/restart")" "ours: $(cat "$W/$cs/ours/restart")")
		check "$cs" "restart file as the real uftp's (both clients listed)" \
			eval "[ \"\$(cat '$W/$cs/ours/restart')\" = \"\$(cat '$W/$cs/ref/restart')\" ] &&
			[ \"\$(cat '$W/$cs/ours/restart')\" = '0 3 a.txt,big.bin,mid.bin $(il_id 1),$(il_id 2) ok' ]"
	done
}

# ---------------------------------------------------------------- logs (no lab: loopback, no receiver)
# quick BIN ARGS...: a session that times out at once (exit 7), output to stdout
quick() {
	local bin=$1
	shift
	(cd "$SYNC" && timeout -k 2 20 "$bin" -I lo -r 0.001:0.001:0.01 -s 10 "$@" new.txt)
}
case_logs() {
	local cs=logs k bin out rc
	for k in ref ours; do
		bin=$(il_bin "$k" server)
		mkdir -p "$W/$cs/$k"
		out=$(quick "$bin" 2>&1)
		DETAIL=("$(head -3 <<<"$out")")
		check "$cs" "$k: no -T, no -L: lines without timestamps" eval "! grep -Eq '^[0-9]{4}/[0-9]{2}/[0-9]{2} ' <<<'${out//\'/}'"
		out=$(quick "$bin" -T 2>&1)
		DETAIL=("$(head -3 <<<"$out")")
		check "$cs" "$k: -T: every line starts with a timestamp" \
			eval "[ -n '${out//\'/}' ] && ! grep -Evq '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}: ' <<<'${out//\'/}'"
		out=$(quick "$bin" -x 0 2>&1)
		DETAIL=("$out")
		check "$cs" "$k: -x 0: the least verbose, yet the error that ends the session shows" \
			eval "grep -q 'Announce timed out' <<<'${out//\'/}' && [ \$(grep -c . <<<'${out//\'/}') -le 2 ]"
		quick "$bin" -L "$W/$cs/$k/log" >/dev/null 2>&1
		quick "$bin" -L "$W/$cs/$k/log" >/dev/null 2>&1
		DETAIL=("$(head -3 "$W/$cs/$k/log" 2>&1)")
		check "$cs" "$k: -L appends (two sessions in one file), with timestamps" \
			eval "[ \$(grep -Ec 'exit 7|Announce timed out|timed out' '$W/$cs/$k/log') -ge 2 ] && head -1 '$W/$cs/$k/log' | grep -Eq '^[0-9]{4}/'"
		rm -f "$W/$cs/$k/roll"*
		for i in 1 2 3; do
			head -c 1048500 /dev/zero | tr '\0' x >>"$W/$cs/$k/roll"
			quick "$bin" -L "$W/$cs/$k/roll" -g 1 -n 2 >/dev/null 2>&1
		done
		DETAIL=("$(ls -l "$W/$cs/$k"/roll*)")
		check "$cs" "$k: -g 1 -n 2: the log rolls past 1 MB into .1 and .2, never .3" \
			eval "[ -f '$W/$cs/$k/roll.1' ] && [ -f '$W/$cs/$k/roll.2' ] && [ ! -e '$W/$cs/$k/roll.3' ] &&
			[ \$(stat -c %s '$W/$cs/$k/roll') -lt 1048576 ] && [ \$(stat -c %s '$W/$cs/$k/roll.1') -ge 1048576 ]"
		quick "$bin" -L /nonexistent/dir/log >/dev/null 2>&1
		rc=$?
		DETAIL=("exit $rc")
		check "$cs" "$k: unwritable -L: exit 4" [ "$rc" = 4 ]
	done
}

# ---------------------------------------------------------------- restart file layout
case_layout() {
	local cs=layout k d=$W/layout/run
	mkdir -p "$d"
	printf '0xC612000B|%s\n0x1020304\n1.2.3.4\n' "$(printf '%02X:' $(seq 101 120) | sed 's/:$//')" >"$W/$cs/hosts"
	cp -a "$SYNC/new.txt" "$SYNC/big.bin" "$d/"
	for k in ref ours; do # one after the other in the same directory: the same absolute name
		(cd "$d" && timeout -k 2 20 "$(il_bin "$k" server)" -I lo -r 0.001:0.001:0.01 -s 10 -f \
			-H "@$W/$cs/hosts" new.txt ./big.bin "$d/new.txt" >"$W/$cs/$k.log" 2>&1)
		echo $? >"$W/$cs/$k.rc"
		mv "$d"/_group_*_restart "$W/$cs/$k.restart" 2>/dev/null
	done
	DETAIL=("real $(cat "$W/$cs/ref.rc"), ours $(cat "$W/$cs/ours.rc")")
	check "$cs" "no receiver: exit 7 (both)" [ "$(cat "$W/$cs/ref.rc")$(cat "$W/$cs/ours.rc")" = 77 ]
	local r=$W/$cs/ref.restart o=$W/$cs/ours.restart
	DETAIL=("$(ls "$W/$cs")")
	check "$cs" "both write a restart file after a failed announce" [ -f "$r" -a -f "$o" ]
	[ -f "$r" ] && [ -f "$o" ] || return
	DETAIL=("$(cmp -l <(tail -c +9 "$r") <(tail -c +9 "$o") | head -5)" "real: $(restart_info "$r")" "ours: $(restart_info "$o")")
	check "$cs" "restart files equal byte for byte past the group ID ($(stat -c %s "$o") bytes: 3 names, 3 clients)" \
		eval "cmp -s <(tail -c +9 '$r') <(tail -c +9 '$o') && [ \"\$(head -c 5 '$r' | tail -c 1 | od -An -tu1)\" = \"\$(head -c 5 '$o' | tail -c 1 | od -An -tu1)\" ]"
	# a restart that fails again: the same file, instance 1
	(cd "$d" && timeout -k 2 20 "$OURS" -I lo -r 0.001:0.001:0.01 -s 10 -f -F "$r" >"$W/$cs/again.log" 2>&1)
	local again
	again=$d/_group_$(restart_info "$r" | cut -d' ' -f1)_restart
	DETAIL=("$(ls "$d")" "$(cmp -l "$r" "$again" 2>&1 | head -5)")
	check "$cs" "our -F of the real uftp's file, failing again: its file rewritten with instance 1, all else equal" \
		eval "[ -f '$again' ] && [ \"\$(cmp -l <(tail -c +9 '$r') <(tail -c +9 '$again') | wc -l)\" = 0 ] &&
		cmp -s <(head -c 4 '$r') <(head -c 4 '$again') && [ \$(head -c 5 '$again' | tail -c 1 | od -An -tu1) = 1 ]"
}

# ---------------------------------------------------------------- bad input
case_badinput() {
	local cs=badinput rc out
	local good=$W/$cs/good
	mkdir -p "$W/$cs"
	# a valid restart file, as the reference lays it out
	python3 - "$good" <<'EOF'
import struct, sys
b = struct.pack("<IB3xI", 0x12345678, 0, 1) + b"new.txt".ljust(300, b"\0")
h = b"0xC612000B".ljust(80, b"\0") + struct.pack(">I", 0xC612000B) + b"\0" * 72
open(sys.argv[1], "wb").write(b + h)
EOF
	head -c 5 "$good" >"$W/$cs/short"
	head -c 412 "$good" >"$W/$cs/parthost"
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[8] = 9; open(sys.argv[2], "wb").write(b)' "$good" "$W/$cs/count"
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[12:312] = b"y" * 300; open(sys.argv[2], "wb").write(b)' "$good" "$W/$cs/noname"
	: >"$W/$cs/empty"
	printf '0xC612000B\nnot-an-id\n' >"$W/$cs/hosts-bad"
	printf '0xC612000B|ZZ:11\n' >"$W/$cs/hosts-badfp"
	local what f
	for f in "/nonexistent/restart:missing" "$W/$cs/empty:empty" "$W/$cs/short:truncated header" \
		"$W/$cs/count:more names announced than present" "$W/$cs/parthost:a partial client record" \
		"$W/$cs/noname:an unterminated name" "$W/$cs:a directory"; do
		what=${f##*:}
		out=$(cd "$SYNC" && timeout 10 "$OURS" -F "${f%:*}" new.txt 2>&1)
		rc=$?
		DETAIL=("exit $rc: $out")
		check "$cs" "-F $what: exit 1 with a message naming the file" eval "[ $rc = 1 ] && grep -q -- '-F ${f%:*}' <<<'${out//\'/}'"
	done
	out=$(cd "$SYNC" && timeout 10 "$OURS" -F "$good" -H 0xC612000C new.txt 2>&1)
	rc=$?
	DETAIL=("exit $rc: $out")
	check "$cs" "-F with -H: exit 1 (as the real uftp)" [ "$rc" = 1 ]
	for f in "/nonexistent/hosts:missing" "$W/$cs/hosts-bad:an entry that is no ID" "$W/$cs/hosts-badfp:a bad fingerprint"; do
		what=${f##*:}
		out=$(cd "$SYNC" && timeout 10 "$OURS" -H "@${f%:*}" new.txt 2>&1)
		rc=$?
		DETAIL=("exit $rc: $out")
		check "$cs" "-H @file, $what: exit 1 with a message" eval "[ $rc = 1 ] && [ -n '${out//\'/}' ]"
	done
	local k
	for k in ref ours; do
		out=$(quick "$(il_bin "$k" server)" -S /nonexistent/dir/status 2>&1)
		rc=$?
		DETAIL=("exit $rc: $out")
		check "$cs" "$k: -S in a missing directory: exit 1 with a message" eval "[ $rc = 1 ] && grep -qi 'status file' <<<'${out//\'/}'"
	done
	# section numbers are 16 bits: at -b 512 a file may hold 65536 x 4096 blocks
	# (137438953472 bytes); one byte more is refused before the session (the
	# real uftp has no such check: it would wrap the section numbers)
	truncate -s 137438953473 "$W/$cs/huge.bin" && truncate -s 137438953472 "$W/$cs/limit.bin"
	out=$(cd "$W/$cs" && timeout 10 "$OURS" -I lo -b 512 huge.bin 2>&1)
	rc=$?
	DETAIL=("exit $rc: $out")
	check "$cs" "a file past 65536 sections at -b 512: exit 1 before the session, naming the file and the -b that carries it" \
		eval "[ $rc = 1 ] && grep -q 'huge.bin: 137438953473 bytes .*use -b 513 or more' <<<'${out//\'/}' && ! grep -q ANNOUNCE <<<'${out//\'/}'"
	out=$(cd "$W/$cs" && timeout -k 2 20 "$OURS" -I lo -b 512 -r 0.001:0.001:0.01 -s 10 limit.bin 2>&1)
	rc=$?
	DETAIL=("exit $rc: $out")
	check "$cs" "a file of exactly 65536 sections at -b 512 is announced (exit 7: no receiver)" [ "$rc" = 7 ]
	rm -f "$W/$cs/huge.bin" "$W/$cs/limit.bin"
	# a random generator that fails: a message and exit 3, never a spin
	printf 'openssl_conf = init\n[init]\nrandom = rnd\n[rnd]\nrandom = NO-SUCH-DRBG\n' >"$W/$cs/badrng.cnf"
	out=$(cd "$SYNC" && OPENSSL_CONF=$W/$cs/badrng.cnf timeout -k 2 10 "$OURS" -I lo new.txt 2>&1)
	rc=$?
	DETAIL=("exit $rc: $out")
	check "$cs" "the random generator failing: exit 3 with a message (not a spin)" \
		eval "[ $rc = 3 ] && grep -qi 'random\|group ID' <<<'${out//\'/}'"
	# the real uftp refuses the same damaged restart files with exit 1
	for f in "$W/$cs/short" "$W/$cs/parthost"; do
		out=$(cd "$SYNC" && timeout 10 "$REF" -F "$f" new.txt 2>&1)
		rc=$?
		DETAIL=("exit $rc: $out")
		check "$cs" "(reference) the real uftp -F ${f##*/}: exit 1" [ "$rc" = 1 ]
	done
}

# ---------------------------------------------------------------- progress line
# ptyrun.py CMD...: runs CMD with its stdin, stdout and stderr on a new
# pseudo-terminal, copies what it writes to our stdout, exits with its status
PTYRUN=$W/ptyrun.py
cat >"$PTYRUN" <<'EOF'
import os, pty, sys
sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))
EOF
# prog_draws LOG: how many times the progress line was drawn ("\r...ETA")
prog_draws() { grep -o $'\r[^\r]*ETA [0-9-]' "$1" | wc -l; }
# erased_first LOG: nothing is written after a progress line but a carriage return
erased_first() { ! grep -Eq $'active/[0-9]+ lost(\e\\[K)?[^\r\e]' "$1"; }
# lines LOG: the log with carriage returns as line ends
lines() { tr '\r' '\n' <"$1" | sed 's/\x1b\[K//g'; }
case_progress() {
	local cs=progress t0 secs draws n k l
	il_lab 2 || { ko "$cs: lab_up"; return; }
	il_recv 1 ours "$W/$cs/h1"
	il_recv 2 ref "$W/$cs/h2"
	il_wait_recvs 10 || { ko "$cs: receivers start" "${IL_ERR[@]}"; il_lab_down; return; }
	t0=$SECONDS
	IL_SLOG_TAG=-pty IL_RATE=12000 IL_SERVER_WRAP=(python3 "$PTYRUN")
	il_server ours 30 "$SRC" -- a.txt big.bin
	echo "$IL_SRC_RC" >"$W/$cs/pty.rc"
	secs=$((SECONDS - t0 + 1))
	cp "$IL_SLOG" "$W/$cs/pty.log"
	IL_SLOG_TAG=-off IL_RATE=50000
	il_server ours 30 "$SRC" --no-progress -- a.txt big.bin
	cp "$IL_SLOG" "$W/$cs/off.log"
	IL_SERVER_WRAP=()
	IL_SLOG_TAG=-pipe
	il_server ours 30 "$SRC" -x 5 -- a.txt big.bin
	cp "$IL_SLOG" "$W/$cs/pipe.log"
	IL_SLOG_TAG=-forced
	il_server ours 30 "$SRC" --progress -- a.txt big.bin
	cp "$IL_SLOG" "$W/$cs/forced.log"
	IL_SLOG_TAG=
	il_stop_recvs
	il_lab_down
	l=$W/$cs/pty.log
	draws=$(prog_draws "$l")
	DETAIL=("exit $(cat "$W/$cs/pty.rc")" "$(lines "$l" | grep -E 'ETA|Receiver|^0x' | tail -12)")
	check "$cs" "on a terminal: the progress line (big.bin, percent, rate, ETA, receivers), exit 0" \
		eval "[ \$(cat '$W/$cs/pty.rc') = 0 ] &&
		grep -Eq $'\r''big.bin +[0-9]+%  [0-9.]+ [kMG]?B/s  ETA [0-9]+:[0-9]{2}  files [0-9]/2  receivers [0-9] done/[0-9] active/0 lost' '$l'"
	check "$cs" "on a terminal: redrawn, at most 4 times a second ($draws draws in about $secs s)" \
		[ "$draws" -ge 2 ] && [ "$draws" -le $((4 * secs + 2)) ]
	check "$cs" "on a terminal: the summary, one row per receiver (2/2 files, 3.0 MB, done)" \
		eval "lines '$l' | grep -q '^Receiver  *Files  *Bytes  *Time  *Rate  *Status' &&
		[ \$(lines '$l' | grep -Ec '^0x[0-9A-F]{8} +2/2 +3\.0 MB +[0-9.]+ s +[0-9.]+ [kMG]?B/s +done$') = 2 ] &&
		lines '$l' | grep -q '^$(il_id 1) ' && lines '$l' | grep -q '^$(il_id 2) '"
	check "$cs" "on a terminal: log lines start with the program name, the time and the level" \
		eval "lines '$l' | grep -Eq '^uftp: [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:.]+: info: Client $(il_id 1) registered'"
	DETAIL=("$(grep -Eo $'active/[0-9]+ lost(\e\\[K)?[^\r\e].{0,40}' "$l" | head -3)")
	check "$cs" "on a terminal: the line is erased before each log line (no text after it)" \
		erased_first "$l"
	l=$W/$cs/off.log
	DETAIL=("$(lines "$l" | head -8)")
	check "$cs" "--no-progress on a terminal: no progress line, no summary" \
		eval "! grep -q 'ETA' '$l' && ! grep -q '^Receiver ' <(lines '$l') && grep -q 'Finished big.bin' '$l'"
	l=$W/$cs/pipe.log
	DETAIL=("$(head -c 600 "$l")")
	check "$cs" "stderr not a terminal: no progress line, no summary, no carriage return" \
		eval "! grep -q $'\r' '$l' && ! grep -q 'ETA' '$l' && ! grep -q '^Receiver ' '$l' &&
		grep -q 'Finished big.bin' '$l'"
	l=$W/$cs/pipe.log
	DETAIL=("$(grep -i -E 'registered|sending' "$l")")
	check "$cs" "-x 5: each event told once (the core's debug line and uftp's info line are one)" \
		eval "[ \$(grep -ic '$(il_id 1) registered$' '$l') = 1 ] && [ \$(grep -ic 'sending big.bin' '$l') = 1 ] &&
		grep -q '^debug: phase' '$l'"
	l=$W/$cs/forced.log
	n=$(prog_draws "$l")
	DETAIL=("$(lines "$l" | tail -5)")
	check "$cs" "--progress on a pipe: the line ($n draws) and the summary" \
		eval "[ $n -ge 1 ] && [ \$(grep -Ec ' 2/2 +3\.0 MB .* done$' '$l') = 2 ]"
}

# ---------------------------------------------------------------- error messages
case_keymsg() {
	local cs=keymsg out rc
	out=$(cd "$SYNC" && timeout 10 "$OURS" -I lo -Y aes128-cbc -k /nonexistent/key.pem new.txt 2>&1)
	rc=$?
	DETAIL=("exit $rc: $out")
	check "$cs" "a missing key file: exit 3, 'error: ...: No such file or directory'" \
		eval "[ $rc = 3 ] && grep -qx 'error: cannot load key file /nonexistent/key.pem: No such file or directory' <<<'${out//\'/}' &&
		! grep -q 'I/O error' <<<'${out//\'/}'"
}

# ---------------------------------------------------------------- main
ALL_CASES="keymsg progress badinput layout logs rejected statlog meta sync preview cutshort restart_ref restart_ours restart_enc restart_x"
BUDGET=${BUDGET:-190}
for cs in ${CASES:-$ALL_CASES}; do
	declare -F "case_$cs" >/dev/null || { echo "unknown case '$cs'" >&2; exit 2; }
	if [ $((SECONDS - T_START)) -gt "$BUDGET" ]; then
		ko "$cs: not run, time budget of ${BUDGET}s exhausted"
		continue
	fi
	"case_$cs"
done
lab_down_all
san=$(grep -rlE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|Assertion .* failed' "$W" --include='*.log' 2>/dev/null)
DETAIL=("$san")
check all "no sanitizer or assertion report in any uftp / uftpd log" [ -z "$san" ]
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
