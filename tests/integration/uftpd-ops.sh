#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154,SC2016,SC2012
# tests/integration/uftpd-ops.sh - the operator features of our uftpd, each
# compared with the real uftpd 4.10.2 given the same command line and the
# same sessions (from the real uftp and from ours), in a namespace lab (h0
# the server, h1 the receiver under test, h2 a real uftpproxyd):
#   tempdir   -T: the session is received under temp/_group_ID and moved into
#             the destination at its end (whole directories replaced); with -i
#             entry by entry (existing files kept)
#   tempname  -t: NAME.~uftp-GROUP-FILE while a file arrives, renamed at the end
#   backup    -A with two -D roots: overwritten files moved to
#             backup/YYYYMMDD/HHMMSS/<full path>
#   sync      uftp -Z then -z into prepared files (same, older, newer, other
#             size, missing): skipped / overwritten / copied as the real one
#             decides, the same uftp -S and uftpd -F RESULT lines; -F @LOG
#   rejected  -T with absolute names: rejected, RESULT lines as the real one's
#   restart   uftp -f (the real one and ours), the receiver (-T) killed by
#             SIGKILL mid-file, restarted, uftp -F: ours answers FILEINFO_ACK
#             PARTIAL and only missing blocks are sent (the real uftpd, which
#             keeps no state when killed, has the whole file resent); the
#             receiver's network cut mid-file instead: both resume (PARTIAL)
#   script    -s: argv of every call (no -T: per file; -T: once per session
#             with the top-level entries; -T -i: per file), never via a shell
#   serverlist -S with SSM groups: the listed server's session arrives, a
#             non-SSM private group, an unlisted server and a key not matching
#             the listed fingerprint are refused; the same (S,G) memberships
#   heartbeat -H/-h to a real uftpproxyd -s fp=<our key>: HB_REQ every -h
#             seconds, the challenge answered (RSA and EC keys), a wrong key
#             refused; bad -H/-h values; IPv6 -H ([addr], [addr]:port, addr)
#             to our uftpproxyd (the real uftpd and fp= proxy take no IPv6)
#   options   -T/-A/-t/-D combinations the man page forbids, bad -S files,
#             missing directories, bad -H/-h: refused at start with a clear
#             error (a malformed -S fingerprint and extra -A dirs too, which
#             the real uftpd accepts)
#   diskfull  a 1 MB tmpfs as destination (mounted in the daemon's own mount
#             namespace): a 2 MB file is refused at its FILEINFO (not enough
#             space), the client is reported failed, the next session succeeds
#   diskfull_mid  two 700 KB sessions at once fill that tmpfs during the
#             transfer: the failed file is removed (never reported complete),
#             the write error logged, the next session succeeds
#   readonly  a read-only destination refused at start; a read-only
#             subdirectory of the destination: that file is rejected, the rest
#             of the session and the next one succeed
#   dest_removed  the destination directory removed while the daemon runs
#             (the session fails, the daemon stays), then made again (the next
#             session lands in the new directory)
#
#   sudo tests/integration/uftpd-ops.sh [BUILD_DIR]
#   CASES="sync script" KEEP=1 sudo tests/integration/uftpd-ops.sh
#
# Output "PASS|FAIL <case>: <what>", details under FAILs, "N passed, M
# failed". Exit 0 / 1, 77 = skip (not root, real UFTP or ours missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: uftpd-ops.sh needs root (network namespaces)"; exit 77; }
if ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
# a parent of our own for the work dir (removed at exit): while developing,
# something else on the shared machine removed /tmp/uftp-interop.* dirs
OPS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/uftpd-ops.XXXXXX") || exit 2
export TMPDIR=$OPS_TMP
il_init "${1:-}" || exit 2
trap 'il_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$OPS_TMP"' EXIT
if ! il_have ours server || ! il_have ours client; then
	echo "SKIP: our uftp/uftpd not built in $IL_BUILD"
	exit 77
fi
: "${UFTPPROXYD_REF:=/usr/bin/uftpproxyd}"
T_START=$SECONDS
W=$IL_WORK
SRC=$W/src
il_make_tree "$SRC" small
head -c 2000000 /dev/urandom >"$SRC/big.bin"
head -c 700000 /dev/urandom >"$SRC/m700.bin"
touch -d @1500100000 "$SRC/big.bin" "$SRC/m700.bin"
mkdir -p "$SRC/odd"
printf 'shell words\n' >"$SRC/odd/a;b \$x \`id\`.txt"
touch -d @1500200000 "$SRC/odd/a;b \$x \`id\`.txt" "$SRC/odd"

il_pub() { echo "${PARITY_M:-230.4.4.1}"; }

il_lab 2 || { echo "FAIL lab_up"; exit 1; }
reset_recv_state() { IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=() IL_RDLOG=(); }

# rstart KIND DEST [uftpd options]: our or the real uftpd in h1 (-d -q)
rstart() {
	reset_recv_state
	il_recv 1 "$@"
	il_wait_recvs 10
}
# rstop TAG: stop the receiver, keep its log as $W/TAG.log
rstop() {
	il_stop_recvs
	cp "${IL_RLOG[1]}" "$W/$1.log" 2>/dev/null
}
# sess KIND [uftp options] -- FILES: one session from h0 (exit in IL_SRC_RC)
sess() {
	local kind=$1
	shift
	IL_SLOG_TAG=-$kind$RANDOM
	il_server "$kind" 40 "$SRC" "$@"
}
# sess_bg KIND [uftp options] -- FILES: the same in the background; sess_wait
sess_bg() {
	(
		sess "$@"
		echo "$IL_SRC_RC" >"$W/bg.rc"
	) &
	BG_PID=$!
}
sess_wait() {
	lab_wait_pid "$BG_PID" 50 >/dev/null
	IL_SRC_RC=$(cat "$W/bg.rc" 2>/dev/null || echo none)
	rm -f "$W/bg.rc"
}
# wait_for T CMD...: run CMD every 0.05 s until it succeeds, at most T seconds
wait_for() {
	local t=$1 k
	shift
	for ((k = 0; k < t * 20; k++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}
# grows PATTERN [MIN]: a file matching the glob PATTERN (no spaces) has more than MIN bytes
grows() {
	local s f
	# shellcheck disable=SC2086
	for f in $1; do
		s=$(stat -c %s "$f" 2>/dev/null)
		[ "${s:-0}" -gt "${2:-0}" ] && return 0
	done
	return 1
}
# listing DIR: names|type|size, with group IDs, file IDs and backup stamps
# made neutral (they differ between runs)
listing() {
	[ -d "$1" ] || { echo "(no $1)"; return; }
	(cd "$1" && find . -mindepth 1 -printf '%P|%y|%s\n') | norm | sort
}
listing_names() {
	[ -d "$1" ] || { echo "(no $1)"; return; }
	(cd "$1" && find . -mindepth 1 -printf '%P|%y\n') | norm | sort
}
norm() {
	sed -E -e 's/_group_[0-9A-F]{8}/_group_G/g' -e 's/\.~uftp-[0-9A-F]{8}-[0-9A-F]{4}/.~uftp-G-F/g' \
		-e 's#^[0-9]{8}/[0-9]{6}#STAMP#' -e 's#^[0-9]{8}\|#STAMPDAY|#' -e 's#^STAMPDAY/[0-9]{6}\|#STAMP|#'
}
kinds="ref ours"

# ---------------------------------------------------------------- -T
# tree shape seen while big.bin arrives, and after the session; dest holds
# dir/old.txt (inside a directory the session sends) and keep.txt
test_tempdir() {
	local sk mode kind b
	for sk in ref ours; do
		for mode in "" -i; do
			declare -A res=()
			for kind in $kinds; do
				b=$W/td-$sk$mode-$kind
				mkdir -p "$b/dest/dir" "$b/tmp"
				echo old >"$b/dest/dir/old.txt"
				echo keep >"$b/dest/keep.txt"
				# shellcheck disable=SC2086
				rstart "$kind" "$b/dest" -T "$b/tmp" $mode
				IL_RATE=16000 sess_bg "$sk" -- hello.txt dir big.bin
				if wait_for 15 grows "$b/tmp/_group_*/big.bin"; then
					# our restart checkpoint (_group_ID_restart) is ours alone
					res[$kind.during]="dest: $(listing_names "$b/dest" | tr '\n' ' ') tmp: $(listing_names "$b/tmp" | grep -v '^_group_G_restart|f$' | tr '\n' ' ')"
				else
					res[$kind.during]="tmp/_group_*/big.bin never grew"
				fi
				sess_wait
				rstop "td-$sk$mode-$kind"
				res[$kind.after]="uftp exit $IL_SRC_RC; dest: $(listing "$b/dest" | tr '\n' ' ') tmp: $(listing "$b/tmp" | tr '\n' ' ')"
			done
			local bad=() out
			[ "${res[ours.during]}" = "${res[ref.during]}" ] ||
				bad+=("while receiving: ours: ${res[ours.during]}" "real: ${res[ref.during]}")
			[ "${res[ours.after]}" = "${res[ref.after]}" ] ||
				bad+=("after the session: ours: ${res[ours.after]}" "real: ${res[ref.after]}")
			cmp -s "$SRC/big.bin" "$W/td-$sk$mode-ours/dest/big.bin" || bad+=("dest/big.bin differs from the source")
			case "${res[ours.during]}" in *"dest: dir/old.txt|f dir|d keep.txt|f  tmp:"*) ;; *) bad+=("dest changed during the session") ;; esac
			if [ -n "$mode" ]; then
				[ -f "$W/td-$sk$mode-ours/dest/dir/old.txt" ] || bad+=("-i: dir/old.txt deleted")
			else
				[ -f "$W/td-$sk$mode-ours/dest/dir/old.txt" ] && bad+=("no -i: dir/old.txt kept (the directory is replaced)")
			fi
			if [ ${#bad[@]} = 0 ]; then
				ok "tempdir: -T ${mode:+-i }from $(kname "$sk" uftp): ${res[ours.during]}; then ${res[ours.after]} (as the real uftpd)"
			else
				ko "tempdir: -T ${mode:+-i }from $(kname "$sk" uftp)" "${bad[@]}" "$(tail_of "$W/td-$sk$mode-ours.log" 4)"
			fi
			unset res
		done
	done
}
kname() { [ "$1" = ref ] && echo "the real ${2:-uftpd}" || echo "our ${2:-uftpd}"; }

# ---------------------------------------------------------------- -t
test_tempname() {
	local sk kind b
	for sk in ref ours; do
		declare -A res=()
		for kind in $kinds; do
			b=$W/tn-$sk-$kind
			mkdir -p "$b/dest"
			rstart "$kind" "$b/dest" -t
			IL_RATE=16000 sess_bg "$sk" -- hello.txt big.bin
			if wait_for 15 grows "$b/dest/big.bin.~uftp-*"; then
				res[$kind.during]=$(listing_names "$b/dest" | tr '\n' ' ')
			else
				res[$kind.during]="no big.bin.~uftp-* file: $(ls "$b/dest" | tr '\n' ' ')"
			fi
			sess_wait
			rstop "tn-$sk-$kind"
			res[$kind.after]="uftp exit $IL_SRC_RC; $(listing "$b/dest" | tr '\n' ' ')"
		done
		local raw
		raw=$(cd "$W/tn-$sk-ours/dest" 2>/dev/null && ls -a)
		if [ "${res[ours.during]}" = "${res[ref.during]}" ] && [ "${res[ours.after]}" = "${res[ref.after]}" ] &&
			cmp -s "$SRC/big.bin" "$W/tn-$sk-ours/dest/big.bin"; then
			ok "tempname: -t from $(kname "$sk" uftp): while receiving ${res[ours.during]}; after: ${res[ours.after]} (as the real uftpd)"
		else
			ko "tempname: -t from $(kname "$sk" uftp)" "while receiving: ours: ${res[ours.during]}" \
				"real: ${res[ref.during]}" "after: ours: ${res[ours.after]}" "real: ${res[ref.after]}" "$raw"
		fi
		unset res
	done
}

# ---------------------------------------------------------------- -A
# two roots with a backup dir each; a relative and an absolute name
# overwrite existing (older) files: plain sessions, with uftpd -t (backup once
# the new file is complete), and with uftp -z (sync mode).  NOTE: the real
# uftpd 4.10.2 backs up only with -t or in sync mode, and plainly overwrites
# otherwise; ours backs up every overwritten file, as its man page says.
test_backup() {
	local kind b today v opt sopt
	today=$(date +%Y%m%d)
	for v in plain -t sync; do
		opt="" sopt=""
		[ "$v" = -t ] && opt=-t
		[ "$v" = sync ] && sopt=-z
		declare -A res=()
		for kind in $kinds; do
			b=$W/bk$v-$kind
			mkdir -p "$b/d1" "$b/d2/sub" "$b/b1" "$b/b2"
			echo "old hello" >"$b/d1/hello.txt"
			echo "old abs" >"$b/d2/sub/abs.txt"
			touch -d @1400000000 "$b/d1/hello.txt" "$b/d2/sub/abs.txt"
			# shellcheck disable=SC2086
			rstart "$kind" "$b/d1,$b/d2" -A "$b/b1,$b/b2" $opt
			# shellcheck disable=SC2086
			sess ref $sopt -- hello.txt pattern.bin
			local rc1=$IL_SRC_RC
			# shellcheck disable=SC2086
			sess ours $sopt -D "$b/d2/sub/abs.txt" -- hello.txt
			rstop "bk$v-$kind"
			res[$kind.d]="uftp exits $rc1 $IL_SRC_RC; d1: $(listing "$b/d1" | tr '\n' ' ') d2: $(listing "$b/d2" | tr '\n' ' ')"
			res[$kind.b]="b1: $(listing "$b/b1" | grep '|f|' | sed "s#$b#B#g" | tr '\n' ' ') b2: $(listing "$b/b2" | grep '|f|' | sed "s#$b#B#g" | tr '\n' ' ')"
		done
		b=$W/bk$v-ours
		local bad=() f
		[ "${res[ours.d]}" = "${res[ref.d]}" ] || bad+=("ours: ${res[ours.d]}" "real: ${res[ref.d]}")
		[ "$v" = plain ] || [ "${res[ours.b]}" = "${res[ref.b]}" ] || bad+=("backups: ours: ${res[ours.b]}" "real: ${res[ref.b]}")
		f=$(find "$b/b1" -name hello.txt | head -1)
		[ -n "$f" ] && [ "$(cat "$f")" = "old hello" ] || bad+=("old d1/hello.txt not in b1 ($f)")
		case "$f" in "$b/b1/$today/"[0-9][0-9][0-9][0-9][0-9][0-9]"$b/d1/hello.txt") ;; *) bad+=("backup path $f is not b1/$today/HHMMSS$b/d1/hello.txt") ;; esac
		f=$(find "$b/b2" -name abs.txt | head -1)
		[ -n "$f" ] && [ "$(cat "$f")" = "old abs" ] || bad+=("old d2/sub/abs.txt not in b2 ($f)")
		if [ ${#bad[@]} = 0 ]; then
			ok "backup: -D d1,d2 -A b1,b2 ($v): ${res[ours.b]}; ${res[ours.d]} ($([ "$v" = plain ] && echo "NOTE the real uftpd keeps no backup here: ${res[ref.b]}" || echo "as the real uftpd"))"
		else
			ko "backup: -D d1,d2 -A b1,b2 ($v)" "${bad[@]}" "$(tail_of "$W/bk$v-ours.log" 4)"
		fi
		unset res
	done
}

# ---------------------------------------------------------------- sync
# prepare DIR: copies of the source altered so that each sync decision occurs
sync_prepare() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/dir/sub"
	cp -a "$SRC/hello.txt" "$d/"                                                # same age and size: skipped
	cp -a "$SRC/pattern.bin" "$d/" && touch -d @1400000000 "$d/pattern.bin"     # older, same size: overwritten
	echo "newer, other size" >"$d/name with spaces.txt" && touch -d @1700000000 "$d/name with spaces.txt" # newer: skipped
	echo "same age, other size" >"$d/dir/sub/inner.txt" && touch -r "$SRC/dir/sub/inner.txt" "$d/dir/sub/inner.txt" # overwritten
	echo "older, other size" >"$d/big.bin" && touch -d @1400000000 "$d/big.bin" # overwritten
	# zero.bin missing: copied
}
# neutral RESULT/CONNECT lines: timestamps, IDs, times and speeds removed
status_norm() {
	grep -E '^(CONNECT|RESULT|HSTATS|STATS)' "$1" 2>/dev/null |
		awk -F';' 'BEGIN{OFS=";"} $1=="RESULT" && NF==6 {$6="s"} $1=="RESULT" && NF==7 {$2="T"; $4="S"} $1=="RESULT" && NF>7 {$2="T"; $7="t"; $8="s"} $1=="CONNECT" {$2="T"; $4="S"} $1=="STATS" || $1=="HSTATS" {$0=$1} {print}' | sort
}
test_sync() {
	local sk kind b mode
	for sk in ref ours; do
		declare -A res=()
		for kind in $kinds; do
			b=$W/sy-$sk-$kind
			sync_prepare "$b/dest"
			rm -f "$b.status"
			rstart "$kind" "$b/dest" -F "$b.status"
			for mode in -Z -z; do
				sess "$sk" "$mode" -S "$b$mode.sstat" -- hello.txt pattern.bin "name with spaces.txt" dir zero.bin big.bin
				res[$kind$mode]="uftp $mode exit $IL_SRC_RC; uftp -S: $(status_norm "$b$mode.sstat" | grep RESULT | sed "s#;$b#;B#" | tr '\n' ' ')"
				if [ "$mode" = -Z ]; then
					listing "$b/dest" >"$b.preview"
					res[$kind.preview]=$(tr '\n' ' ' <"$b.preview")
				fi
			done
			rstop "sy-$sk-$kind"
			res[$kind.F]=$(status_norm "$b.status" | tr '\n' ' ')
			res[$kind.after]=$(cd "$b/dest" && find . -type f -printf '%P %s %T@\n' | sort | tr '\n' ' ')
		done
		local bad=() k
		for k in -Z -z .F .after .preview; do
			[ "${res[ours$k]}" = "${res[ref$k]}" ] || bad+=("$k: ours: ${res[ours$k]}" "$k: real: ${res[ref$k]}")
		done
		sync_prepare "$W/sy-expect"
		[ "$(grep '|f|' "$W/sy-$sk-ours.preview")" = "$(listing "$W/sy-expect" | grep '|f|')" ] ||
			bad+=("-Z changed files in the destination: ${res[ours.preview]}")
		grep -q '^RESULT;.*;hello.txt;.*;skipped$' "$W/sy-$sk-ours.status" || bad+=("hello.txt not reported skipped by our -F")
		# the documented layout, checked on both files (the real one proves the pattern)
		for k in ref ours; do
			local odd
			odd=$(grep -v -E '^(CONNECT;[0-9]{4}/[0-9]{2}/[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2};[0-9A-F]{8};[0-9A-F]{8};198\.18\.0\.10;198\.18\.0\.10|RESULT;[0-9]{4}/[0-9]{2}/[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2};[0-9A-F]{8};[0-9A-F]{8};[^;]+;[0-9]+KB;(copied|overwritten|skipped|rejected))$' "$W/sy-$sk-$k.status" | head -2)
			[ -z "$odd" ] || bad+=("$k -F lines off the documented layout: $odd")
		done
		if [ ${#bad[@]} = 0 ]; then
			ok "sync: from $(kname "$sk" uftp): ${res[ours-z]}; uftpd -F: ${res[ours.F]} (same decisions, status lines and files as the real uftpd)"
		else
			ko "sync: from $(kname "$sk" uftp)" "${bad[@]}" "$(tail_of "$W/sy-$sk-ours.log" 6)"
		fi
		unset res
	done
	# -F @LOG: the same lines inside the log
	declare -A res=()
	for kind in $kinds; do
		b=$W/sylog-$kind
		mkdir -p "$b"
		rstart "$kind" "$b" -F @LOG
		sess ref -- hello.txt
		rstop "sylog-$kind"
		res[$kind]=$(grep -o -E '(CONNECT|RESULT);.*' "$W/sylog-$kind.log" | sed -E 's/^(CONNECT|RESULT);[^;]*;/\1;T;/' | awk -F';' 'BEGIN{OFS=";"}{$4="S"; print}' | tr '\n' ' ')
	done
	if [ -n "${res[ours]}" ] && [ "${res[ours]}" = "${res[ref]}" ]; then
		ok "sync: -F @LOG: ${res[ours]} in the log (as the real uftpd)"
	else
		ko "sync: -F @LOG" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
	unset res
}

# -T refuses absolute names: RESULT ... rejected in -F, nothing written
test_rejected() {
	local kind b
	declare -A res=()
	for kind in $kinds; do
		b=$W/rj-$kind
		mkdir -p "$b/dest" "$b/tmp"
		rstart "$kind" "$b/dest" -T "$b/tmp" -F "$b.status"
		sess ref -D "$b/dest/abs.txt" -- hello.txt
		local rc1=$IL_SRC_RC
		sess ours -D "$b/dest/abs2.txt" -- hello.txt
		rstop "rj-$kind"
		res[$kind]="uftp exits $rc1 $IL_SRC_RC; -F: $(status_norm "$b.status" | sed "s#$b#B#g" | tr '\n' ' ') dest: $(listing "$b/dest" | tr '\n' ' ')tmp: $(listing "$b/tmp" | tr '\n' ' ')"
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && grep -q 'rejected$' "$W/rj-ours.status"; then
		ok "rejected: -T with absolute names: ${res[ours]} (as the real uftpd)"
	else
		ko "rejected: -T with absolute names" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
}

# ---------------------------------------------------------------- restart
# FILESEG count and FILEINFO_ACK flags in a capture
pcap_summary() {
	tshark -r "$1" -T fields -e udp.payload 2>/dev/null | python3 -c '
import sys
seg = 0; acks = []
for l in sys.stdin:
    l = l.strip()
    if not l:
        continue
    b = bytes.fromhex(l)
    if len(b) > 17 and b[1] == 9:
        seg += 1
    if len(b) > 20 and b[1] == 8:
        acks.append("PARTIAL" if b[20] & 1 else "plain")
print(seg, ",".join(sorted(set(acks))) or "none")'
}
# restart_run SK KIND: uftp SK -f (hello.txt, dir, a 2 MB file) to uftpd
# KIND -T, the receiver killed by SIGKILL when 700 KB of the big file are in
# the temp dir, restarted, then uftp SK -F: the whole tree must arrive
# intact; fills res[SK.KIND], res[SK.KIND.seg], res[SK.KIND.ack] (the
# FILEINFO_ACK kinds seen: the small files are sent again whole, "plain")
restart_run() {
	local sk=$1 kind=$2 b=$W/rs-$1-$2 rf s
	mkdir -p "$b/dest" "$b/tmp" "$b/src"
	cp -a "$SRC/hello.txt" "$SRC/dir" "$SRC/big.bin" "$b/src/"
	rstart "$kind" "$b/dest" -T "$b/tmp"
	(
		IL_RATE=8000 IL_SLOG_TAG=-rs1-$sk-$kind il_server "$sk" 40 "$b/src" -f -- hello.txt dir big.bin
		echo "$IL_SRC_RC" >"$W/bg.rc"
	) &
	BG_PID=$!
	if ! wait_for 15 grows "$b/tmp/_group_*/big.bin" 700000; then
		res[$sk.$kind]="big.bin never reached 700000 bytes in the temp dir"
	fi
	kill -KILL "${IL_RPID[1]}"
	wait "${IL_RPID[1]}" 2>/dev/null
	sess_wait
	local rc1=$IL_SRC_RC
	rf=$(cd "$b/src" && ls _group_*_restart 2>/dev/null | head -1)
	if [ -z "$rf" ]; then
		res[$sk.$kind]="uftp -f wrote no restart file (exit $rc1)"
		return
	fi
	rstart "$kind" "$b/dest" -T "$b/tmp"
	il_capture_start
	IL_SLOG_TAG=-rs2-$sk-$kind il_server "$sk" 40 "$b/src" -F "$rf"
	il_capture_stop
	rstop "rs-$sk-$kind"
	read -r s "res[$sk.$kind.ack]" < <(pcap_summary "$W/$IL_LAB.pcap")
	res[$sk.$kind.seg]=$s
	res[$sk.$kind]="first uftp exit $rc1, restart exit $IL_SRC_RC; FILESEGs resent $s of 1539 blocks, FILEINFO_ACK ${res[$sk.$kind.ack]}; tmp left: $(listing "$b/tmp" | tr '\n' ' ')"
	rm -f "$b/src/$rf"
	[ -z "$(cmp_tree "$b/src" "$b/dest")" ] || res[$sk.$kind]+="; the tree in dest differs from the source: $(cmp_tree "$b/src" "$b/dest" | head -2 | tr '\n' ' ')"
}
# restart_cut KIND: the same with the receiver's network cut instead (all
# UDP to h1 dropped until the server gives it up): the receiver times out,
# keeps its state, and the restarted session resumes (as the real uftpd)
restart_cut() {
	local kind=$1 b=$W/rc-$1 rf s
	mkdir -p "$b/dest" "$b/tmp" "$b/src"
	cp -a "$SRC/big.bin" "$b/src/"
	rstart "$kind" "$b/dest" -T "$b/tmp"
	(
		IL_RATE=8000 IL_SLOG_TAG=-rc1-$kind il_server ref 40 "$b/src" -f -s 10 -- big.bin
		echo "$IL_SRC_RC" >"$W/bg.rc"
	) &
	BG_PID=$!
	wait_for 15 grows "$b/tmp/_group_*/big.bin" 700000
	il_drop 1 99.9999 # lab_drop takes < 100
	sess_wait
	local rc1=$IL_SRC_RC
	il_drop 1 0
	rf=$(cd "$b/src" && ls _group_*_restart 2>/dev/null | head -1)
	if [ -z "$rf" ]; then
		rstop "rc-$kind"
		res[cut.$kind]="uftp -f wrote no restart file (exit $rc1)"
		return
	fi
	wait_for 10 grep -q -E 'timed out|Transfer timed out|timeout' "${IL_RLOG[1]}"
	il_capture_start
	IL_SLOG_TAG=-rc2-$kind il_server ref 40 "$b/src" -F "$rf"
	il_capture_stop
	rstop "rc-$kind"
	read -r s "res[cut.$kind.ack]" < <(pcap_summary "$W/$IL_LAB.pcap")
	res[cut.$kind.seg]=$s
	res[cut.$kind]="first uftp exit $rc1, restart exit $IL_SRC_RC; FILEINFO_ACK ${res[cut.$kind.ack]}, FILESEGs resent $s of 1539"
	cmp -s "$b/src/big.bin" "$b/dest/big.bin" || res[cut.$kind]+="; dest/big.bin differs from the source"
}
test_restart() {
	local sk
	command -v tshark >/dev/null || { ko "restart: tshark is missing"; return; }
	declare -A res=()
	restart_run ref ref
	for sk in ref ours; do
		restart_run "$sk" ours
		local bad=() r=$sk.ours
		case "${res[$r.ack]:-}" in *PARTIAL*) ;; *) bad+=("no FILEINFO_ACK of ours is PARTIAL") ;; esac
		[ "${res[$r.seg]:-9999}" -lt 1300 ] || bad+=("too many blocks resent")
		case "${res[$r]}" in *differs* | *never* | *"no restart"*) bad+=("transfer broken, or the tree not intact") ;; esac
		case "${res[$r]}" in *"tmp left: ") ;; *) bad+=("the temp dir is not empty after the restart") ;; esac
		if [ ${#bad[@]} = 0 ]; then
			ok "restart: $(kname "$sk" uftp) -f, SIGKILL mid-file, uftp -F: ${res[$r]} (NOTE the real uftpd with the real uftp: ${res[ref.ref]})"
		else
			ko "restart: $(kname "$sk" uftp) -f, SIGKILL mid-file, uftp -F" "${bad[@]}" "ours: ${res[$r]}" "real: ${res[ref.ref]}" "$(tail_of "$W/rs-$sk-ours.log" 6)"
		fi
	done
	local kind
	for kind in $kinds; do restart_cut "$kind"; done
	if [ "${res[cut.ours.ack]:-}" = PARTIAL ] && [ "${res[cut.ours.ack]}" = "${res[cut.ref.ack]:-}" ] &&
		[ "${res[cut.ours.seg]:-9999}" -lt 1300 ] && [ "${res[cut.ours]}" = "${res[cut.ours]%differs*}" ]; then
		ok "restart: the real uftp -f, the receiver's network cut mid-file, uftp -F: ${res[cut.ours]} (real: ${res[cut.ref]})"
	else
		ko "restart: the real uftp -f, the receiver's network cut mid-file, uftp -F" "ours: ${res[cut.ours]}" "real: ${res[cut.ref]}" "$(tail_of "$W/rc-ours.log" 6)"
	fi
}

# ---------------------------------------------------------------- -s
# one line per call: the arguments joined with '|', the session ID made neutral
test_script() {
	local kind mode b sc
	for mode in "" "-T" "-T -i"; do
		declare -A res=()
		for kind in $kinds; do
			b=$W/sc-$kind${mode// /}
			mkdir -p "$b/dest" "$b/tmp"
			sc=$b/record.sh
			# shellcheck disable=SC2016
			printf '#!/bin/sh\nout=%s\nline=""\nfor a in "$@"; do line="$line|$a"; done\nprintf "%%s\\n" "$line" >>"$out"\n' "$b/argv" >"$sc"
			chmod 755 "$sc"
			local -a o=(-s "$sc")
			[ -n "$mode" ] && o+=(-T "$b/tmp")
			[ "$mode" = "-T -i" ] && o+=(-i)
			rstart "$kind" "$b/dest" "${o[@]}"
			# the real uftp sends, except in the -T -i run: ours
			if [ "$mode" = "-T -i" ]; then sess ours -- hello.txt "name with spaces.txt" dir odd; else sess ref -- hello.txt "name with spaces.txt" dir odd; fi
			sleep 0.5
			rstop "sc-$kind${mode// /}"
			res[$kind]=$(python3 -c '
import re, sys
calls = []
for line in open(sys.argv[1], errors="replace"):
    a = line.rstrip("\n").split("|")[1:]
    a = [x.replace(sys.argv[2], "B") for x in a]
    if len(a) > 1 and re.fullmatch("[0-9A-F]{8}", a[1]):
        a[1] = "SID"
    calls.append("[" + " ".join(a[:2] + sorted(a[2:])) + "]")
print(" ".join(sorted(calls)))' "$b/argv" "$b" 2>&1)
			res[$kind.calls]=$(wc -l <"$b/argv" 2>/dev/null || echo 0)
		done
		local bad=()
		[ "${res[ours]}" = "${res[ref]}" ] || bad+=("ours: ${res[ours]}" "real: ${res[ref]}")
		[ -e "$W/sc-ours${mode// /}/dest/odd/a;b \$x \`id\`.txt" ] || bad+=("the odd name did not arrive")
		grep -q -E '^\|-I\|[0-9A-F]{8}\|' "$W/sc-ours${mode// /}/argv" 2>/dev/null || bad+=("no '-I session_id' first")
		if [ ${#bad[@]} = 0 ]; then
			ok "script: -s ${mode:-(no -T)} ($([ "$mode" = "-T -i" ] && echo "our uftp" || echo "the real uftp") sending): ${res[ours.calls]} calls, arguments as the real uftpd's (${res[ours]})"
		else
			ko "script: -s ${mode:-(no -T)}" "${bad[@]}"
		fi
		unset res
	done
}

# -s naming a program that is not there: the session is not disturbed, and
# ours says so in its log (the real uftpd says nothing)
test_script_missing() {
	local kind
	declare -A res=()
	for kind in $kinds; do
		mkdir -p "$W/sm-$kind"
		rstart "$kind" "$W/sm-$kind" -s "$W/no-such-script"
		sess ref -- hello.txt
		sleep 0.3
		rstop "sm-$kind"
		res[$kind]="uftp exit $IL_SRC_RC, received: $(listing "$W/sm-$kind" | tr '\n' ' ')"
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && grep -q 'could not be run' "$W/sm-ours.log"; then
		ok "script_missing: -s /no/such/script: ${res[ours]}; log: $(grep -m1 'could not be run' "$W/sm-ours.log") (as the real uftpd, which logs nothing)"
	else
		ko "script_missing: -s /no/such/script" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/sm-ours.log" 4)"
	fi
}

# ---------------------------------------------------------------- -S
# -S with the server h0 listed, SSM groups (232.x): its session arrives; the
# same server announcing a private group that is not SSM is ignored; a
# server not listed (h2) is ignored; an encrypted session whose key does not
# match the listed fingerprint is refused.  (S,G) memberships compared in
# /proc/net/mcfilter.
test_serverlist() {
	local kind b sk=$W/sl-server.pem ck=$W/sl-client.pem
	cp "$top/tests/vectors/keys/server_rsa1024.pem" "$sk" && chmod 600 "$sk"
	cp "$top/tests/vectors/keys/client1_rsa1024.pem" "$ck" && chmod 600 "$ck"
	printf '%s|%s\n' "$(lab_id 0)" "$(lab_ip4 0)" >"$W/sl.list"
	printf '%s|%s|%s\n' "$(lab_id 0)" "$(lab_ip4 0)" "$(il_fp "$ck")" >"$W/sl-badfp.list"
	local PARITY_M=232.4.4.1 # il_pub: the public group of both sides
	declare -A res=()
	for kind in $kinds; do
		b=$W/sl-$kind
		mkdir -p "$b"
		rstart "$kind" "$b" -S "$W/sl.list" -k "$ck"
		local mcf
		mcf=$(lab_exec h1 cat /proc/net/mcfilter 2>/dev/null | awk 'NR>1 {print $3 "/" $4 "=" $5}' | sort -u | tr '\n' ' ')
		IL_PRIV=232.5.5.x sess ref -D listed -- hello.txt
		local rc1=$IL_SRC_RC
		# two refused sessions at once, from h0 and from h2
		(
			IL_PRIV=230.5.5.x sess ref -s 10 -D nonssm -- hello.txt
			echo "$IL_SRC_RC" >"$W/sl-rc2"
		) &
		local p2=$!
		IL_SHOST=2 IL_PRIV=232.5.5.x sess ours -s 10 -D unlisted -- hello.txt
		local rc3=$IL_SRC_RC
		lab_wait_pid "$p2" 20 >/dev/null
		local rc2
		rc2=$(cat "$W/sl-rc2" 2>/dev/null)
		rstop "sl-$kind"
		rstart "$kind" "$b" -S "$W/sl-badfp.list" -k "$ck"
		IL_PRIV=232.5.5.x sess ref -s 10 -Y aes128-cbc -h sha1 -k "$sk" -D badfp -- hello.txt
		local rc4=$IL_SRC_RC
		rstop "sl2-$kind"
		res[$kind]="listed: exit $rc1, non-SSM private group: exit $rc2, unlisted server: exit $rc3, key not matching the fingerprint: exit $rc4; received: $(listing "$b" | tr '\n' ' ')"
		res[$kind.mcf]=$mcf
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && [ "${res[ours.mcf]}" = "${res[ref.mcf]}" ] && [ -f "$W/sl-ours/listed" ]; then
		ok "serverlist: -S with SSM: ${res[ours]}; (S,G) filters: ${res[ours.mcf]} (as the real uftpd)"
	else
		ko "serverlist: -S with SSM" "ours: ${res[ours]}" "real: ${res[ref]}" "filters: ours: ${res[ours.mcf]}" "real: ${res[ref.mcf]}" "$(tail_of "$W/sl-ours.log" 5)"
	fi
}

# ---------------------------------------------------------------- -H -h
# a real uftpproxyd -s fp=FP in h2; the receiver in h1 sends heartbeats to it
test_heartbeat() {
	local kind key fp p name
	[ -x "$UFTPPROXYD_REF" ] || { ko "heartbeat: $UFTPPROXYD_REF missing"; return; }
	il_keys >/dev/null || { ko "heartbeat: no keys"; return; }
	for name in rsa ec wrong; do
		declare -A res=()
		for kind in $kinds; do
			key=$IL_KEYS/client1_rsa.pem
			[ "$name" = ec ] && key=$IL_KEYS/client1_ec.pem
			fp=$(il_fp "$key")
			[ "$name" = wrong ] && fp=$(il_fp "$IL_KEYS/client2_rsa.pem")
			lab_bg h2 p "$UFTPPROXYD_REF" -d -s "fp=$fp" -p 1044 -k "$IL_KEYS/server_rsa.pem" >"$W/hb-$name-$kind.proxy" 2>&1
			lab_wait_udp h2 1044 5 2>/dev/null
			mkdir -p "$W/hb-$kind"
			rstart "$kind" "$W/hb-$kind" -H "$(lab_ip4 2)" -h 1 -k "$key"
			sleep 1.6
			rstop "hb-$name-$kind"
			lab_stop "$p" 2
			res[$kind]="proxy got $(grep -c 'Received HB_REQ' "$W/hb-$name-$kind.proxy") HB_REQs in 1.6 s, $(grep -c 'Using .* as downstream' "$W/hb-$name-$kind.proxy") time(s) took us as downstream"
		done
		local bad=()
		[ "${res[ours]}" = "${res[ref]}" ] || bad+=("ours: ${res[ours]}" "real: ${res[ref]}")
		if [ "$name" = wrong ]; then
			grep -q -i 'refused' "$W/hb-$name-ours.log" || bad+=("no log line about the refusal")
		else
			grep -q 'Using 198.18.0.11:1044 as downstream' "$W/hb-$name-ours.proxy" || bad+=("the proxy did not take us as downstream")
		fi
		if [ ${#bad[@]} = 0 ]; then
			ok "heartbeat: -H proxy -h 1 -k $name key vs uftpproxyd -s fp=...: ${res[ours]} (as the real uftpd)"
		else
			ko "heartbeat: -H proxy -h 1 ($name key)" "${bad[@]}" "$(tail_of "$W/hb-$name-ours.log" 4)" "$(tail_of "$W/hb-$name-ours.proxy" 4)"
		fi
		unset res
	done
	heartbeat_v6
}

# heartbeat_v6: -H with an IPv6 proxy, to our uftpproxyd -s fp= (UFTP 4.10.2
# takes no IPv6 -H: its uftpd refuses the address and its fp= server proxy
# listens on IPv4 only, which is checked too, so that the man page stays true)
heartbeat_v6() {
	local key=$IL_KEYS/client1_rsa.pem v6 spec p bad n=0 ref
	v6=$(lab_ip6 2)
	for spec in "[$v6]" "[$v6]:1044" "$v6"; do
		bad=()
		n=$((n + 1))
		lab_bg h2 p "$IL_BUILD/uftpproxyd" -d -s "fp=$(il_fp "$key")" -p 1044 -k "$IL_KEYS/server_rsa.pem" \
			>"$W/hb6-$n.proxy" 2>&1
		lab_wait_udp h2 1044 5 2>/dev/null
		mkdir -p "$W/hb6"
		rstart ours "$W/hb6" -H "$spec" -h 1 -k "$key"
		wait_for 5 grep -q "downstream proxy is now \[$(lab_ip6 1)\]:1044" "$W/hb6-$n.proxy" ||
			bad+=("the proxy did not learn [$(lab_ip6 1)]:1044 from the heartbeat")
		rstop "hb6-$n"
		lab_stop "$p" 2
		grep -q "accepted us" "$W/hb6-$n.log" || bad+=("no log line that the proxy accepted us")
		if [ ${#bad[@]} = 0 ]; then
			ok "heartbeat: -H $spec: our uftpproxyd -s fp= learns [$(lab_ip6 1)]:1044"
		else
			ko "heartbeat: -H $spec (IPv6)" "${bad[@]}" "$(tail_of "$W/hb6-$n.log" 4)" "$(tail_of "$W/hb6-$n.proxy" 4)"
		fi
	done
	ref=$(ip netns exec "$(lab_ns h1)" timeout 5 "$UFTPD_REF" -d -H "[$v6]" -h 1 -D "$W/hb6" 2>&1 | head -1)
	if [[ "$ref" == *"nvalid heartbeat address"* ]]; then
		ok "heartbeat: the real uftpd refuses an IPv6 -H, as man/uftpd.1 says ($ref)"
	else
		ko "heartbeat: the real uftpd now takes an IPv6 -H: man/uftpd.1 is out of date" "$ref"
	fi
	lab_bg h2 p "$UFTPPROXYD_REF" -d -s "fp=$(il_fp "$key")" -p 1044 -k "$IL_KEYS/server_rsa.pem" >"$W/hb6-ref.proxy" 2>&1
	lab_wait_udp h2 1044 5 2>/dev/null
	rstart ours "$W/hb6" -H "[$v6]" -h 1 -k "$key"
	sleep 2.5
	rstop "hb6-ref"
	lab_stop "$p" 2
	if grep -q "as downstream" "$W/hb6-ref.proxy"; then
		ko "heartbeat: the real uftpproxyd -s fp= now takes IPv6 heartbeats: man/uftpd.1 is out of date" "$(tail_of "$W/hb6-ref.proxy" 3)"
	else
		ok "heartbeat: the real uftpproxyd -s fp= does not hear IPv6 heartbeats, as man/uftpd.1 says"
	fi
}

# ---------------------------------------------------------------- options
# opt DESC ARGS...: both uftpds must refuse to start (exit 1); ours with a
# line naming the problem
opt() {
	local desc=$1 kind rc
	shift
	declare -A res=()
	for kind in $kinds; do
		lab_exec h1 timeout -k 1 4 "$(il_bin "$kind" client)" -d -q -I eth0 -p 1044 "$@" >"$W/opt.$kind" 2>&1 </dev/null
		rc=$?
		res[$kind]=$rc
		res[$kind.msg]=$(grep -v -E 'UFTP version|Loaded|^$' "$W/opt.$kind" | head -1)
	done
	if [ "${res[ours]}" = 1 ] && [ "${res[ref]}" != 1 ] && [ "${STRICT:-0}" = 1 ] && [ -n "${res[ours.msg]}" ]; then
		ok "options: $desc: exit ${res[ours]}, '${res[ours.msg]}' (NOTE the real uftpd accepts it: exit ${res[ref]}, 124 = still running)"
	elif [ "${res[ours]}" = "${res[ref]}" ] && [ "${res[ours]}" != 0 ] && [ "${res[ours]}" != 124 ] && [ -n "${res[ours.msg]}" ]; then
		ok "options: $desc: exit ${res[ours]}, '${res[ours.msg]}' (real: '${res[ref.msg]}')"
	else
		ko "options: $desc" "ours: exit ${res[ours]} '${res[ours.msg]}'" "real: exit ${res[ref]} '${res[ref.msg]}'"
	fi
}
test_options() {
	local d=$W/od
	mkdir -p "$d/d1" "$d/d2" "$d/t" "$d/b1" "$d/b2"
	printf '0x11112222|198.18.0.10|not:a:fingerprint\n' >"$d/badfp"
	printf 'this is not a server entry\n' >"$d/garbage"
	opt "-T with -A" -D "$d/d1" -T "$d/t" -A "$d/b1"
	opt "-T with -t" -D "$d/d1" -T "$d/t" -t
	opt "-T with two -D" -D "$d/d1,$d/d2" -T "$d/t"
	opt "-T relative" -D "$d/d1" -T rel/tmp
	opt "-T missing" -D "$d/d1" -T "$d/missing"
	opt "-A count differs from -D" -D "$d/d1,$d/d2" -A "$d/b1"
	opt "-A missing" -D "$d/d1" -A "$d/missing"
	opt "-D missing" -D "$d/missing"
	opt "-D relative" -D rel/dest
	opt "-s relative" -D "$d/d1" -s rel/script
	opt "-S missing file" -D "$d/d1" -S "$d/nofile"
	printf '0x11112222|198.18.0.10\n' >"$d/good"
	opt "-S with a non-SSM -M" -D "$d/d1" -S "$d/good" -M 230.4.4.1
	STRICT=1 opt "-S bad fingerprint" -D "$d/d1" -S "$d/badfp" -M 232.4.4.1
	opt "-S garbage line" -D "$d/d1" -S "$d/garbage"
	opt "-h 0" -D "$d/d1" -H 198.18.0.12 -h 0
	opt "-h 3601" -D "$d/d1" -H 198.18.0.12 -h 3601
	opt "-H unknown host" -D "$d/d1" -H no.such.host.invalid
	STRICT=1 opt "-A three for one -D" -D "$d/d1" -A "$d/b1,$d/b2,$d/t"
}

# ---------------------------------------------------------------- bad input
# mstart KIND DEST SETUP [uftpd options]: uftpd in h1 in its own mount
# namespace where SETUP (sh code, $1 = DEST) runs first; files seen through
# /proc/PID/root
mstart() {
	local kind=$1 dest=$2 setup=$3
	shift 3
	reset_recv_state
	mkdir -p "$dest"
	IL_RKIND[1]=$kind IL_RALIVE[1]=1 IL_RLOG[1]=$W/$IL_LAB-uftpd1.log
	echo "# $kind uftpd in its own mount ns: $setup" >"${IL_RLOG[1]}"
	lab_bg h1 "IL_RPID[1]" sh -c "$setup"' && shift && exec "$@"' sh "$dest" "$(il_bin "$kind" client)" \
		-d -q -p 1044 -D "$dest" -M 230.4.4.1 -I eth0 "$@" >>"${IL_RLOG[1]}" 2>&1
	il_wait_recvs 10
}
test_diskfull() {
	local kind b seen v
	for v in plain -T; do
		declare -A res=()
		for kind in $kinds; do
			b=$W/df$v-$kind
			if [ "$v" = -T ]; then
				mstart "$kind" "$b" 'mount -t tmpfs -o size=1m uftpd-ops "$1" && mkdir "$1/t"' -T "$b/t"
			else
				mstart "$kind" "$b" 'mount -t tmpfs -o size=1m uftpd-ops "$1"'
			fi
			sess ref -- hello.txt big.bin
			local rc1=$IL_SRC_RC
			seen=$(cd "/proc/${IL_RPID[1]}/root$b" 2>/dev/null && find . -mindepth 1 -printf '%P|%s\n' | norm | sort | tr '\n' ' ')
			sess ours -D second -- pattern.bin
			local rc2=$IL_SRC_RC
			seen2=$(cd "/proc/${IL_RPID[1]}/root$b" 2>/dev/null && find . -mindepth 1 -printf '%P|%s\n' | norm | sort | tr '\n' ' ')
			rstop "df$v-$kind"
			res[$kind]="uftp (hello.txt, 2 MB big.bin) exit $rc1, left: $seen; next session exit $rc2, then: $seen2"
			res[$kind.alive]=${IL_RALIVE[1]}
			res[$kind.seen]="$seen $seen2"
		done
		local bad=()
		if [ "$v" = -T ]; then
			# what stays in the temp dir differs (the real uftpd leaves an
			# empty big.bin and its own restart file): compared outside t/
			res[ours.cmp]=$(echo "${res[ours]}" | sed -E 's# t[^ ]*##g')
			res[ref.cmp]=$(echo "${res[ref]}" | sed -E 's# t[^ ]*##g')
			case "${res[ours]}" in *"t/_group_G/hello.txt|35"*) ;; *) bad+=("hello.txt not kept in the temp dir") ;; esac
		else
			res[ours.cmp]=${res[ours]} res[ref.cmp]=${res[ref]}
		fi
		[ "${res[ours.cmp]}" = "${res[ref.cmp]}" ] || bad+=("ours: ${res[ours]}" "real: ${res[ref]}")
		grep -q -i -E 'space|ENOSPC' "$W/df$v-ours.log" || bad+=("no log line about the full disk")
		[ "${res[ours.alive]}" = 1 ] || bad+=("our uftpd died")
		case "${res[ours.seen]}" in *big.bin*) bad+=("a partial big.bin was left") ;; esac
		if [ ${#bad[@]} = 0 ]; then
			ok "diskfull: 1 MB tmpfs ($v): ${res[ours]} (real: ${res[ref]}); log: $(grep -i -m1 -E 'space' "$W/df$v-ours.log")"
		else
			ko "diskfull: 1 MB tmpfs destination ($v)" "${bad[@]}" "$(tail_of "$W/df$v-ours.log" 6)"
		fi
		unset res
	done
}
# two sessions at once (the real uftp on h0, ours on h2), 700 KB each, into
# a 1 MB tmpfs: each fits the free space when announced, together they fill
# the disk during the transfer.  Which one fails depends on timing, so the
# real uftpd is shown, not compared: ours must log the write error, remove
# the failed file, report that client failed and serve the next session.
test_diskfull_mid() {
	local kind b sh
	declare -A res=()
	for kind in $kinds; do
		b=$W/dm-$kind
		mstart "$kind" "$b" 'mount -t tmpfs -o size=1m uftpd-ops "$1"'
		local -a pids=()
		for sh in 0 2; do
			(
				sk=ref
				[ "$sh" = 2 ] && sk=ours
				IL_RATE=8000 IL_SHOST=$sh IL_PRIV=230.5.5.$((100 + sh)) IL_SLOG_TAG=-dm-$kind-h$sh \
					il_server "$sk" 6 "$SRC" -D "from-h$sh.bin" -- m700.bin
				echo "$IL_SRC_RC" >"$W/dm-$kind-rc$sh"
			) &
			pids+=($!)
		done
		for sh in "${pids[@]}"; do lab_wait_pid "$sh" 15 >/dev/null; done
		local seen
		seen=$(cd "/proc/${IL_RPID[1]}/root$b" 2>/dev/null && find . -mindepth 1 -printf '%P|%s ')
		sess ref -D after.txt -- hello.txt
		res[$kind]="uftp exits $(cat "$W/dm-$kind-rc0") (h0) $(cat "$W/dm-$kind-rc2") (h2), left: ${seen:-nothing}; next session exit $IL_SRC_RC"
		res[$kind.seen]=$seen
		res[$kind.after]=$(cd "/proc/${IL_RPID[1]}/root$b" 2>/dev/null && ls after.txt 2>/dev/null)
		rstop "dm-$kind"
		res[$kind.alive]=${IL_RALIVE[1]}
	done
	local bad=() n=0 f
	for f in ${res[ours.seen]}; do
		[ "${f#*|}" = 700000 ] || bad+=("a partial file was left: $f")
		n=$((n + 1))
	done
	[ "$n" -lt 2 ] || bad+=("both files fit: the disk never filled")
	case "$(cat "$W/dm-ours-rc0") $(cat "$W/dm-ours-rc2")" in "0 0") bad+=("no client reported failed") ;; esac
	grep -q -i 'No space left' "$W/dm-ours.log" || bad+=("no log line about the full disk")
	[ "${res[ours.alive]}" = 1 ] && [ "${res[ours.after]}" = after.txt ] || bad+=("the next session failed")
	if [ ${#bad[@]} = 0 ]; then
		ok "diskfull_mid: the disk fills during two transfers: ${res[ours]}; log: $(grep -i -m1 'No space left' "$W/dm-ours.log") (the real uftpd: ${res[ref]})"
	else
		ko "diskfull_mid: the disk fills during two transfers" "${bad[@]}" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/dm-ours.log" 8)"
	fi
}

test_readonly() {
	local kind b seen rc
	declare -A res=()
	# a read-only destination at start-up: refused at once, by both
	for kind in $kinds; do
		b=$W/rr-$kind
		mkdir -p "$b"
		lab_exec h1 sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$b" \
			timeout -k 1 4 "$(il_bin "$kind" client)" -d -q -I eth0 -p 1044 -D "$b" >"$W/rr-$kind.log" 2>&1 </dev/null
		rc=$?
		res[$kind]="exit $rc: $(grep -v -E 'UFTP version|Loaded' "$W/rr-$kind.log" | head -1)"
		res[$kind.rc]=$rc
	done
	if [ "${res[ours.rc]}" = 1 ] && [ "${res[ref.rc]}" = 1 ]; then
		ok "readonly: a read-only -D at start-up: ${res[ours]} (real: ${res[ref]})"
	else
		ko "readonly: a read-only -D at start-up" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
	for kind in $kinds; do
		b=$W/ro-$kind
		mkdir -p "$b/ro"
		mstart "$kind" "$b" 'mount --bind "$1/ro" "$1/ro" && mount -o remount,bind,ro "$1/ro"'
		sess ref -- hello.txt
		local rc0=$IL_SRC_RC
		sess ref -D ro/x.txt -- hello.txt
		local rc1=$IL_SRC_RC
		sess ours -- pattern.bin
		seen=$(cd "/proc/${IL_RPID[1]}/root$b" 2>/dev/null && find . -mindepth 1 -printf '%P|%s\n' | sort | tr '\n' ' ')
		rstop "ro-$kind"
		res[$kind]="first session exit $rc0, into the read-only dir exit $rc1, next exit $IL_SRC_RC; dest: $seen"
		res[$kind.alive]=${IL_RALIVE[1]}
	done
	local bad=()
	[ "${res[ours]}" = "${res[ref]}" ] || bad+=("ours: ${res[ours]}" "real: ${res[ref]}")
	[ "${res[ours.alive]}" = 1 ] || bad+=("our uftpd died")
	grep -q -i -E 'read-only|cannot create' "$W/ro-ours.log" || bad+=("no log line about the read-only directory")
	if [ ${#bad[@]} = 0 ]; then
		ok "readonly: ${res[ours]} (as the real uftpd); log: $(grep -i -m1 -E 'read-only|cannot create' "$W/ro-ours.log")"
	else
		ko "readonly: a read-only subdirectory" "${bad[@]}" "$(tail_of "$W/ro-ours.log" 6)"
	fi
}

# the destination removed while the daemon runs, then made again: the
# session into the missing directory fails, the next one (after mkdir)
# lands in the new directory
test_dest_removed() {
	local kind b
	declare -A res=()
	for kind in $kinds; do
		b=$W/rm-$kind
		mkdir -p "$b/dest"
		rstart "$kind" "$b/dest"
		sess ref -- hello.txt
		local rc0=$IL_SRC_RC
		rm -rf "$b/dest"
		sess ref -D gone.txt -- hello.txt
		local rc1=$IL_SRC_RC
		mkdir -p "$b/dest"
		sess ours -D back.txt -- hello.txt
		rstop "rm-$kind"
		res[$kind]="session exits $rc0, $rc1 (dest removed), $IL_SRC_RC (dest made again); dest: $(listing "$b/dest" | tr '\n' ' ')"
		res[$kind.alive]=${IL_RALIVE[1]}
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && [ "${res[ours.alive]}" = 1 ] && [ -f "$W/rm-ours/dest/back.txt" ]; then
		ok "dest_removed: ${res[ours]} (as the real uftpd)"
	else
		ko "dest_removed: the destination removed and made again" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/rm-ours.log" 5)"
	fi
}

# ---------------------------------------------------------------- main
ALL_CASES="options tempdir tempname backup sync rejected script script_missing serverlist restart heartbeat diskfull diskfull_mid readonly dest_removed"
il_run_cases "$ALL_CASES"
# with a sanitizer build: no report from our programs in any log kept
san=""
for f in "$W"/*ours*.log "$W"/*/*ours*.log; do
	[ -f "$f" ] && il_sanitized "$f" && san+=" ${f#"$W"/}"
done
if [ -z "$san" ]; then
	ok "sanitizers: no sanitizer or assertion report in the logs of our uftpd and uftp"
else
	ko "sanitizers: reports in$san"
fi
il_lab_down
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
