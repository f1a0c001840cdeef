#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/uftpd-daemon.sh - our uftpd as a daemon, compared with
# the real uftpd 4.10.2 wherever they meet (same command, same checks, in a
# namespace lab: h0 and h2 servers, h1 the receiver under test):
#   - foreground (-d) start, SIGTERM / SIGINT: exit codes;
#   - daemonised with -P pidfile: the start command exits 0, the pidfile holds
#     the daemon's pid, the daemon serves a session, SIGTERM ends it and the
#     pidfile is removed (or not: as the real one); a stale pidfile;
#   - -L logfile (daemon mode writes its log there; -d ignores -L);
#   - -D with two destination dirs: relative names land in the first,
#     absolute names (uftp -D /abs/path) inside either root are accepted,
#     outside both are rejected;
#   - -U client ID (closed group addressed to that ID);
#   - -E refuses a plain session, accepts an encrypted one;
#   - -x 0 / 2 / 5 log volume grows with the level;
#   - two concurrent sessions from two servers (the real uftp on h0, ours on
#     h2) into one receiver, both trees intact;
#   - the port already in use: a clear error and a non-zero exit;
#   - ours only: --user nobody:nogroup drops root after binding and opening
#     its files (/proc/PID/status Uid/Gid/Groups), still receives; an
#     unknown --user refuses to start (exit 1); --version.
#
#   sudo tests/integration/uftpd-daemon.sh [BUILD_DIR]
#   CASES="pidfile concurrent" KEEP=1 sudo tests/integration/uftpd-daemon.sh
#
# Output "PASS|FAIL <case>: <what>", details under FAILs, "N passed, M
# failed". Exit 0 / 1, 77 = skip (not root, real UFTP or ours missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: uftpd-daemon.sh needs root (network namespaces)"; exit 77; }
if ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
il_init "${1:-}" || exit 2
if ! il_have ours server || ! il_have ours client; then
	echo "SKIP: our uftp/uftpd not built in $IL_BUILD"
	exit 77
fi
T_START=$SECONDS
W=$IL_WORK
SRC=$W/src
il_make_tree "$SRC" small

kname() { [ "$1" = ref ] && echo "real uftpd" || echo "our uftpd"; }

# PARITY_PUB: the public address(es) of both sides (lib.sh is not changed)
il_pub() { echo "${PARITY_PUB:-230.4.4.1}"; }

il_lab 2 || { echo "FAIL lab_up"; exit 1; }
reset_recv_state() { IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=(); }

# wait_gone PID T: until PID (not our child) has exited, bounded
wait_gone() {
	local k
	for ((k = 0; k < $2 * 10; k++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# bound_in HOST PORT: something has bound udp/PORT in HOST
bound_in() { [ -n "$(lab_exec "$1" ss -Huln "sport = :$2" 2>/dev/null)" ]; }

# ---------------------------------------------------------------- foreground
# -d: runs in the foreground until a signal; the exit status on SIGTERM and
# SIGINT must be the real uftpd's.
test_signals() {
	local sig kind rc
	declare -A got=()
	for sig in TERM INT; do
		for kind in ref ours; do
			reset_recv_state
			il_recv 1 "$kind" "$W/sig-$kind"
			if ! il_wait_recvs 10; then
				got[$sig/$kind]="did-not-start"
				continue
			fi
			kill "-$sig" "${IL_RPID[1]}"
			lab_wait_pid "${IL_RPID[1]}" 5
			rc=$?
			[ "$rc" = 124 ] && lab_stop "${IL_RPID[1]}" 2
			got[$sig/$kind]=$rc
			cp "${IL_RLOG[1]}" "$W/sig-$sig-$kind.log"
		done
		if [ "${got[$sig/ref]}" = "${got[$sig/ours]}" ]; then
			ok "signals: -d, SIG$sig ends the daemon (exit ${got[$sig/ours]} both)"
		else
			ko "signals: -d, SIG$sig: real uftpd exit ${got[$sig/ref]}, ours ${got[$sig/ours]} (124 = still running after 5 s)" \
				"$(tail_of "$W/sig-$sig-ref.log" 3)" "$(tail_of "$W/sig-$sig-ours.log" 3)"
		fi
	done
}

# ---------------------------------------------------------------- daemon mode
# start_daemon KIND DEST PIDFILE LOG [opts]: uftpd without -d in h1; the
# starting command's exit code in D_RC, the daemon's pid (from the pidfile,
# waited for up to 3 s) in D_PID ("" if none)
start_daemon() {
	local kind=$1 dest=$2 pf=$3 log=$4 bin k
	shift 4
	bin=$(il_bin "$kind" client)
	mkdir -p "$dest"
	lab_exec h1 timeout -k 1 5 "$bin" -q -p 1044 -D "$dest" -M 230.4.4.1 -I eth0 -L "$log" -P "$pf" "$@" \
		>"$log.start" 2>&1 </dev/null
	D_RC=$?
	D_PID=""
	for ((k = 0; k < 30; k++)); do
		if [ -s "$pf" ]; then
			D_PID=$(tr -d ' \n' <"$pf")
			# the daemon may write the file before the last fork: re-read once
			sleep 0.1
			D_PID=$(tr -d ' \n' <"$pf")
			break
		fi
		sleep 0.1
	done
	case $D_PID in '' | *[!0-9]*) ;; *) lab_track "$D_PID" ;; esac
	return 0
}

# quick_session KIND DEST [uftp options] -- FILES: a session from h0 to h1
quick_session() {
	local kind=$1
	shift
	IL_SLOG_TAG=-q$RANDOM
	il_server "$kind" 15 "$SRC" "$@"
}

test_pidfile() {
	local kind pf log d why
	declare -A res=()
	for kind in ref ours; do
		pf=$W/pid-$kind/uftpd.pid log=$W/pid-$kind/uftpd.log d=$W/pid-$kind/dest
		mkdir -p "$W/pid-$kind"
		start_daemon "$kind" "$d" "$pf" "$log"
		res[$kind.rc]=$D_RC
		res[$kind.pid]=$D_PID
		why=""
		if [ -z "$D_PID" ]; then
			why="no pid in the pidfile"
		elif ! kill -0 "$D_PID" 2>/dev/null; then
			why="pid $D_PID from the pidfile is not running"
		elif [ "$(readlink "/proc/$D_PID/exe")" != "$(readlink -f "$(il_bin "$kind" client)")" ]; then
			why="pid $D_PID is $(readlink "/proc/$D_PID/exe"), not uftpd"
		elif [ "$(awk '{print $4}' "/proc/$D_PID/stat")" = "$$" ]; then
			why="the daemon is still a child of the test shell (not detached)"
		fi
		res[$kind.why]=$why
		# it serves a session while detached
		local k
		for ((k = 0; k < 30; k++)); do bound_in h1 1044 && break; sleep 0.1; done
		quick_session ref -- hello.txt
		res[$kind.sess]=$IL_SRC_RC
		[ -f "$d/hello.txt" ] && cmp -s "$d/hello.txt" "$SRC/hello.txt" && res[$kind.got]=yes || res[$kind.got]=no
		res[$kind.logsize]=$(wc -l <"$log" 2>/dev/null || echo 0)
		# SIGTERM: exits, pidfile removed?
		if [ -n "$D_PID" ] && kill -0 "$D_PID" 2>/dev/null; then
			kill -TERM "$D_PID"
			wait_gone "$D_PID" 5 && res[$kind.term]=exited || res[$kind.term]=still-running
		else
			res[$kind.term]=not-running
		fi
		[ -e "$pf" ] && res[$kind.pf]=left || res[$kind.pf]=removed
	done
	local r=ours
	local sum="start exit ${res[$r.rc]}, pid ${res[$r.pid]:-none}, session exit ${res[$r.sess]} (file ${res[$r.got]}), SIGTERM: ${res[$r.term]}, pidfile ${res[$r.pf]}, log ${res[$r.logsize]} lines"
	local refsum="start exit ${res[ref.rc]}, pid ${res[ref.pid]:-none}, session exit ${res[ref.sess]} (file ${res[ref.got]}), SIGTERM: ${res[ref.term]}, pidfile ${res[ref.pf]}, log ${res[ref.logsize]} lines"
	local bad=()
	[ "${res[ours.rc]}" = "${res[ref.rc]}" ] || bad+=("start exit code differs")
	[ "${res[ours.rc]}" = 0 ] || bad+=("start exit ${res[ours.rc]}, documented 0")
	[ -z "${res[ours.why]}" ] || bad+=("${res[ours.why]}")
	[ "${res[ours.got]}" = yes ] || bad+=("the daemon did not receive the file")
	[ "${res[ours.term]}" = exited ] || bad+=("SIGTERM: ${res[ours.term]}")
	# the real uftpd 4.10.2 leaves its pidfile behind; ours removes it (task
	# requirement: a pidfile names a running daemon or does not exist)
	[ "${res[ours.pf]}" = removed ] || bad+=("pidfile ${res[ours.pf]} at exit (the real uftpd: ${res[ref.pf]})")
	[ "${res[ours.logsize]}" -gt 0 ] || bad+=("-L log file empty or missing")
	if [ ${#bad[@]} = 0 ]; then
		ok "pidfile: daemonised with -P and -L: $sum (real: ${res[ref.why]:-ok}, pidfile ${res[ref.pf]})"
	else
		ko "pidfile: daemonised with -P and -L" "ours: $sum" "real: $refsum ${res[ref.why]}" "${bad[@]}" \
			"$(tail_of "$W/pid-ours/uftpd.log" 4)" "$(tail_of "$W/pid-ours/uftpd.log.start" 4)"
	fi
}

# a pidfile left by a dead process: the daemon starts anyway and rewrites it
test_stale_pidfile() {
	local kind pf log dead=4000000 why
	declare -A res=()
	while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
	for kind in ref ours; do
		mkdir -p "$W/stale-$kind"
		pf=$W/stale-$kind/uftpd.pid log=$W/stale-$kind/uftpd.log
		printf '%s\n' "$dead" >"$pf"
		start_daemon "$kind" "$W/stale-$kind/dest" "$pf" "$log"
		res[$kind]="start exit $D_RC, pidfile now '${D_PID}'"
		if [ -n "$D_PID" ] && [ "$D_PID" != "$dead" ] && kill -0 "$D_PID" 2>/dev/null; then
			res[$kind.ok]=1
			kill -TERM "$D_PID"
			wait_gone "$D_PID" 5
		else
			res[$kind.ok]=0
		fi
	done
	if [ "${res[ours.ok]}" = 1 ] && [ "${res[ours.ok]}" = "${res[ref.ok]}" ]; then
		ok "stale pidfile: replaced by the new daemon's pid (ours: ${res[ours]}; real: ${res[ref]})"
	elif [ "${res[ours.ok]}" = 1 ]; then
		ok "stale pidfile: ours replaces it (${res[ours]}); NOTE the real uftpd does not: ${res[ref]}"
	else
		ko "stale pidfile (a dead pid $dead in it)" "ours: ${res[ours]}" "real: ${res[ref]}" \
			"$(tail_of "$W/stale-ours/uftpd.log" 4)" "$(tail_of "$W/stale-ours/uftpd.log.start" 4)"
	fi
}

# -P in a directory that does not exist: no daemon may be left running. The
# real uftpd 4.10.2 exits 0 (its parent has already returned when the child
# fails on the pidfile), which its man page reserves for "started
# successfully and running in the background": ours must exit non-zero.
test_pidfile_unwritable() {
	local kind bin rc k running
	declare -A res=()
	for kind in ref ours; do
		bin=$(il_bin "$kind" client)
		mkdir -p "$W/pfu-$kind"
		lab_exec h1 timeout -k 1 5 "$bin" -q -p 1044 -D "$W/pfu-$kind" -M 230.4.4.1 -I eth0 \
			-L "$W/pfu-$kind.log" -P "$W/no/such/dir/uftpd.pid" >"$W/pfu-$kind.start" 2>&1 </dev/null
		rc=$?
		running=no
		for ((k = 0; k < 10; k++)); do
			bound_in h1 1044 && { running=yes; break; }
			sleep 0.1
		done
		# stop whatever is left in h1 (only our daemons run there now)
		for k in $(ip netns pids "$(lab_ns h1)" 2>/dev/null); do
			kill -TERM "$k" 2>/dev/null
			wait_gone "$k" 3 || kill -KILL "$k" 2>/dev/null
		done
		res[$kind]="start exit $rc, daemon running: $running; $(cat "$W/pfu-$kind.start" "$W/pfu-$kind.log" 2>/dev/null | grep -i -E 'pid' | head -1)"
		res[$kind.rc]=$rc res[$kind.run]=$running
	done
	if [ "${res[ours.rc]}" != 0 ] && [ "${res[ours.rc]}" != 124 ] && [ "${res[ours.run]}" = no ]; then
		ok "pidfile_unwritable: -P in a missing dir: ${res[ours]} (NOTE the real uftpd: ${res[ref]})"
	else
		ko "pidfile_unwritable: -P in a missing dir" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
}

# -d with -L: the man page says -L is ignored (output on stderr)
test_foreground_log() {
	local kind
	declare -A res=()
	for kind in ref ours; do
		rm -f "$W/fg-$kind.log"
		reset_recv_state
		il_recv 1 "$kind" "$W/fg-$kind" -L "$W/fg-$kind.log"
		il_wait_recvs 10
		quick_session ref -- hello.txt
		il_stop_recvs
		res[$kind.file]=$([ -s "$W/fg-$kind.log" ] && echo "written" || echo "not written")
		res[$kind.err]=$(grep -v '^#' "${IL_RLOG[1]}" | wc -l)
		res[$kind.got]=$([ -f "$W/fg-$kind/hello.txt" ] && echo yes || echo no)
	done
	if [ "${res[ours.file]}" = "${res[ref.file]}" ] && [ "${res[ours.got]}" = yes ] &&
		{ [ "${res[ours.err]}" -gt 0 ] || [ "${res[ref.err]}" = 0 ]; }; then
		ok "-d -L: log file ${res[ours.file]} (as the real uftpd), ${res[ours.err]} lines on stderr (real ${res[ref.err]})"
	else
		ko "-d -L: ours: log file ${res[ours.file]}, ${res[ours.err]} lines on stderr, file received ${res[ours.got]}; real: log file ${res[ref.file]}, ${res[ref.err]} lines on stderr, received ${res[ref.got]}"
	fi
}

# ---------------------------------------------------------------- -D roots
# Receiver h1 with -D R1,R2 (same paths for both kinds, run one after the
# other). Sessions from the real uftp and from ours: a relative name (-> R1), absolute
# names (uftp -D /abs/...) inside R2 and inside R1 (accepted there), a
# directory to an absolute name, and an absolute name outside both roots
# (rejected: nothing created). The resulting trees of the two kinds must be
# identical, and nothing may exist outside the roots.
test_dest_roots() {
	local kind base=$W/md r1 r2 i
	local -a sess=(
		"ref -- hello.txt"
		"ref -D $base/r2/sub/abs.txt -- hello.txt"
		"ref -D $base/r1/abs1.bin -- pattern.bin"
		"ref -D $base/r2/tree -- dir"
		"ref -D $base/outside/x.txt -- hello.txt"
		"ours -D $base/r2/sub/abs-ours.txt -- hello.txt"
		"ours -D $base/r2/tree-ours -- dir"
		"ours -D $base/r2/many-ours -- hello.txt pattern.bin"
		"ours -D $base/outside/y.txt -- hello.txt"
	)
	# An absolute name under "<R1>x/" only shares a string prefix with R1:
	# the real uftpd 4.10.2 accepts it (see hostile.sh), ours must reject it;
	# that session is checked apart from the differential ones.
	local prefix_sess="ref -D $base/r1x/y.txt -- hello.txt"
	declare -A rcs=()
	for kind in ref ours; do
		rm -rf "$base"
		r1=$base/r1 r2=$base/r2
		reset_recv_state
		il_recv 1 "$kind" "$r1,$r2"
		il_wait_recvs 10 || { ko "dest_roots: $(kname "$kind") did not start: ${IL_ERR[*]}"; return; }
		for i in "${!sess[@]}"; do
			# shellcheck disable=SC2086
			quick_session ${sess[i]}
			rcs[$kind.$i]=$IL_SRC_RC
		done
		# shellcheck disable=SC2086
		quick_session $prefix_sess
		rcs[$kind.prefix]=$IL_SRC_RC
		il_stop_recvs
		cp "${IL_RLOG[1]}" "$W/md-$kind.log"
		rm -rf "$W/md-$kind"
		cp -a "$base" "$W/md-$kind"
	done
	local bad=() out
	for i in "${!sess[@]}"; do
		[ "${rcs[ref.$i]}" = "${rcs[ours.$i]}" ] ||
			bad+=("uftp (kind) ${sess[i]}: exit ${rcs[ref.$i]} with the real uftpd, ${rcs[ours.$i]} with ours")
	done
	rm -rf "$W/md-ref/r1x" # the real uftpd's prefix-match weakness
	out=$(cmp_tree "$W/md-ref" "$W/md-ours") || true
	[ -z "$out" ] || bad+=("trees differ (real uftpd's vs ours):" "$out")
	[ -e "$W/md-ours/outside" ] && bad+=("ours created $base/outside")
	[ -e "$W/md-ours/r1x" ] && bad+=("ours created $base/r1x (prefix of a root is not inside it)")
	[ "${rcs[ours.prefix]}" = 10 ] || bad+=("uftp (kind) $prefix_sess: exit ${rcs[ours.prefix]} with ours, expected 10 (file rejected)")
	[ -f "$W/md-ours/r1/hello.txt" ] || bad+=("relative name not in the first root")
	[ -f "$W/md-ours/r2/sub/abs.txt" ] || bad+=("absolute name inside the second root not written")
	if [ ${#bad[@]} = 0 ]; then
		ok "dest_roots: -D R1,R2: relative -> R1, absolute inside R1/R2 accepted, outside rejected (same trees and exit codes as the real uftpd: $(for i in "${!sess[@]}"; do printf '%s ' "${rcs[ours.$i]}"; done)); R1x/ rejected (NOTE the real uftpd accepts it: exit ${rcs[ref.prefix]})"
	else
		ko "dest_roots: -D with two roots and absolute names" "${bad[@]}" "$(tail_of "$W/md-ours.log" 6)"
	fi
}

# ---------------------------------------------------------------- -U
test_client_id() {
	local kind
	declare -A res=()
	for kind in ref ours; do
		reset_recv_state
		rm -rf "$W/uid-$kind"
		il_recv 1 "$kind" "$W/uid-$kind" -U 0x01020304
		il_wait_recvs 10
		quick_session ref -H 0x01020304 -D by-uid -- hello.txt
		res[$kind.rc1]=$IL_SRC_RC
		quick_session ours -H 0x01020304 -D by-uid-ours -- hello.txt
		res[$kind.rc2]=$IL_SRC_RC
		quick_session ref -s 10 -H "$(il_id 1)" -D by-ip -- hello.txt
		res[$kind.rc3]=$IL_SRC_RC
		il_stop_recvs
		res[$kind]="real uftp -H 0x01020304: exit ${res[$kind.rc1]}, our uftp -H 0x01020304: exit ${res[$kind.rc2]}, -H <its IP id>: exit ${res[$kind.rc3]}; received: $(cd "$W/uid-$kind" && ls | tr '\n' ' ')"
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && [ -f "$W/uid-ours/by-uid" ]; then
		ok "client_id: -U 0x01020304 answers a closed group for that ID only (${res[ours]})"
	else
		ko "client_id: -U 0x01020304" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "${IL_RLOG[1]}" 4)"
	fi
}

# ---------------------------------------------------------------- -E
# 1024-bit RSA keys on both sides (the real uftpd only answers a server whose
# key matches one of its own in size; the default 512-bit keys are covered by
# uftp-options.sh, case enc_default_key).
test_encrypted_only() {
	local kind sk=$W/server_rsa.pem ck=$W/client_rsa.pem
	cp "$top/tests/vectors/keys/server_rsa1024.pem" "$sk" && chmod 600 "$sk"
	cp "$top/tests/vectors/keys/client1_rsa1024.pem" "$ck" && chmod 600 "$ck"
	declare -A res=()
	for kind in ref ours; do
		reset_recv_state
		rm -rf "$W/enc-$kind"
		il_recv 1 "$kind" "$W/enc-$kind" -E -k "$ck"
		il_wait_recvs 10
		quick_session ref -s 10 -D plain -- hello.txt
		res[$kind.rc1]=$IL_SRC_RC
		quick_session ref -Y aes128-cbc -h sha1 -k "$sk" -D enc -- hello.txt
		res[$kind.rc2]=$IL_SRC_RC
		quick_session ours -Y aes256-gcm -h sha256 -k "$sk" -D enc-ours -- hello.txt
		res[$kind.rc3]=$IL_SRC_RC
		il_stop_recvs
		cp "${IL_RLOG[1]}" "$W/enc-$kind.log"
		res[$kind]="plain session: uftp exit ${res[$kind.rc1]}; aes128-cbc (real uftp): exit ${res[$kind.rc2]}; aes256-gcm (our uftp): exit ${res[$kind.rc3]}; received: $(cd "$W/enc-$kind" && ls | tr '\n' ' ')"
	done
	if [ "${res[ours]}" = "${res[ref]}" ] && [ ! -e "$W/enc-ours/plain" ] && [ -f "$W/enc-ours/enc" ]; then
		ok "encrypted_only: -E refuses a plain session, accepts encrypted ones (${res[ours]})"
	else
		ko "encrypted_only: -E" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/enc-ours.log" 5)"
	fi
}

# ---------------------------------------------------------------- -x
test_log_levels() {
	local kind x
	declare -A n=()
	for kind in ref ours; do
		for x in 0 2 5; do
			reset_recv_state
			il_recv 1 "$kind" "$W/x$x-$kind" -x "$x"
			il_wait_recvs 10
			quick_session ref -- hello.txt pattern.bin
			il_stop_recvs
			n[$kind.$x]=$(grep -c -v '^#' "${IL_RLOG[1]}")
		done
	done
	local s="lines at -x 0/2/5: ours ${n[ours.0]}/${n[ours.2]}/${n[ours.5]}, real ${n[ref.0]}/${n[ref.2]}/${n[ref.5]}"
	if [ "${n[ours.0]}" -le "${n[ours.2]}" ] && [ "${n[ours.2]}" -lt "${n[ours.5]}" ]; then
		ok "log_levels: -x controls the log volume ($s)"
	else
		ko "log_levels: -x 0/2/5 ($s)"
	fi
}

# ---------------------------------------------------------------- concurrent
# the real uftp on h0 and ours on h2 send at the same time to one receiver
test_concurrent() {
	local kind sh
	declare -A res=()
	for kind in ref ours; do
		reset_recv_state
		rm -rf "$W/cc-$kind"
		il_recv 1 "$kind" "$W/cc-$kind"
		il_wait_recvs 10
		local -a pids=()
		for sh in 0 2; do
			(
				sk=ref
				[ "$sh" = 2 ] && sk=ours
				IL_SHOST=$sh IL_PRIV=230.5.5.$((100 + sh)) IL_SLOG_TAG=-cc-$kind-h$sh \
					il_server "$sk" 30 "$SRC" -D "from-h$sh" -- hello.txt zero.bin "name with spaces.txt" pattern.bin dir
				echo "$IL_SRC_RC" >"$W/cc-$kind-rc$sh"
			) &
			pids+=($!)
		done
		for sh in "${pids[@]}"; do lab_wait_pid "$sh" 40; done
		sleep 0.3
		il_stop_recvs
		cp "${IL_RLOG[1]}" "$W/cc-$kind.log"
		local bad=() out
		for sh in 0 2; do
			[ "$(cat "$W/cc-$kind-rc$sh" 2>/dev/null)" = 0 ] || bad+=("uftp on h$sh exit $(cat "$W/cc-$kind-rc$sh" 2>/dev/null)")
			out=$(cmp_tree "$SRC" "$W/cc-$kind/from-h$sh") || true
			[ -z "$out" ] || bad+=("tree from h$sh differs:" "$out")
		done
		[ "${IL_RALIVE[1]}" = 1 ] || bad+=("receiver exited during the sessions")
		res[$kind]=${#bad[@]}
		if [ "$kind" = ours ]; then
			if [ ${#bad[@]} = 0 ]; then
				ok "concurrent: two servers (real uftp h0, our uftp h2) at once into our uftpd, both trees intact (real uftpd: $([ "${res[ref]}" = 0 ] && echo same || echo "${res[ref]} problems"))"
			else
				ko "concurrent: two servers at once into our uftpd" "${bad[@]}" "$(tail_of "$W/cc-ours.log" 6)"
			fi
		fi
	done
}

# ---------------------------------------------------------------- port in use
test_port_in_use() {
	local kind holder rc
	declare -A res=()
	lab_bg h1 holder python3 -c 'import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",1044))
s6=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); s6.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,1); s6.bind(("::",1044))
time.sleep(60)'
	local k
	for ((k = 0; k < 30; k++)); do bound_in h1 1044 && break; sleep 0.1; done
	for kind in ref ours; do
		mkdir -p "$W/port-$kind"
		lab_exec h1 timeout -k 1 5 "$(il_bin "$kind" client)" -d -q -p 1044 -D "$W/port-$kind" -I eth0 \
			>"$W/port-$kind.log" 2>&1 </dev/null
		rc=$?
		res[$kind.rc]=$rc
		res[$kind]="exit $rc: $(grep -v '^#' "$W/port-$kind.log" | tail -2 | tr '\n' ' ')"
	done
	lab_stop "$holder" 2
	rc=${res[ours.rc]}
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$rc" = "${res[ref.rc]}" ] && grep -q -i -E 'in use|bind' "$W/port-ours.log"; then
		ok "port_in_use: a clear error and exit $rc, as the real uftpd (${res[ours]})"
	elif [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q -i -E 'in use|bind' "$W/port-ours.log"; then
		ko "port_in_use: exit code differs from the real uftpd" "ours: ${res[ours]}" "real: ${res[ref]}"
	else
		ko "port_in_use: no clear error / zero exit" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
}

# ---------------------------------------------------------------- options
# -B -Q -N -c -M list: accepted, the nice value and the DSCP of the replies
# applied (as the real uftpd), sessions on both
# public addresses received.
test_uftpd_opts() {
	local kind nice
	declare -A res=()
	for kind in ref ours; do
		reset_recv_state
		rm -rf "$W/uo-$kind"
		PARITY_PUB=230.4.4.1,230.9.9.9 il_recv 1 "$kind" "$W/uo-$kind" -B 1048576 -Q 10 -N 5 -c 1048576
		if ! il_wait_recvs 10; then
			res[$kind]="did not start: ${IL_ERR[*]}"
			continue
		fi
		nice=$(awk '{print $19}' "/proc/${IL_RPID[1]}/stat" 2>/dev/null)
		local cap="" k tos
		# -Q 10: the receiver's replies carry TOS 0x28 (captured in h1)
		lab_bg h1 cap tcpdump -i eth0 -n -v -l -c 3 "udp and src host $(lab_ip4 1)" >"$W/uo-$kind.wire" 2>"$W/uo-$kind.tcpdump"
		for ((k = 0; k < 50; k++)); do grep -q "listening on" "$W/uo-$kind.tcpdump" 2>/dev/null && break; sleep 0.1; done
		quick_session ref -D first -- hello.txt
		lab_stop "$cap" 2
		tos=$(grep -o -E 'tos 0x[0-9a-f]+' "$W/uo-$kind.wire" | sort -u | tr '\n' ' ')
		res[$kind.rc1]=$IL_SRC_RC
		PARITY_PUB=230.9.9.9 quick_session ours -D second -- hello.txt
		res[$kind.rc2]=$IL_SRC_RC
		il_stop_recvs
		cp "${IL_RLOG[1]}" "$W/uo-$kind.log"
		res[$kind]="nice $nice; replies with ${tos:-no capture}; session on 230.4.4.1: exit ${res[$kind.rc1]}, on 230.9.9.9: exit ${res[$kind.rc2]}; received: $(cd "$W/uo-$kind" && ls | tr '\n' ' ')"
	done
	if [ "${res[ours]}" = "${res[ref]}" ]; then
		ok "uftpd_opts: -B 1048576 -Q 10 -N 5 -c 1048576 -M 230.4.4.1,230.9.9.9 (${res[ours]})"
	else
		ko "uftpd_opts: -B -Q -N -c -M list" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/uo-ours.log" 4)"
	fi
}

# -k FILE -K rsa:1024: the key is generated and written to FILE (0600 or
# as the real one), an encrypted session with a 1024-bit server key works;
# a second start with the same -k -K refuses to overwrite (man page).
test_keygen() {
	local kind sk=$W/kg-server.pem kf rc2
	cp "$top/tests/vectors/keys/server_rsa1024.pem" "$sk" && chmod 600 "$sk"
	declare -A res=()
	for kind in ref ours; do
		kf=$W/kg-$kind/client.pem
		rm -rf "$W/kg-$kind"
		mkdir -p "$W/kg-$kind"
		reset_recv_state
		il_recv 1 "$kind" "$W/kg-$kind/d" -k "$kf" -K rsa:1024
		il_wait_recvs 10
		quick_session ref -Y aes128-cbc -h sha256 -k "$sk" -- hello.txt
		res[$kind.rc]=$IL_SRC_RC
		il_stop_recvs
		cp "${IL_RLOG[1]}" "$W/kg-$kind.log"
		lab_exec h1 timeout -k 1 3 "$(il_bin "$kind" client)" -d -q -D "$W/kg-$kind/d" -I eth0 -k "$kf" -K rsa:1024 \
			>"$W/kg-$kind.again" 2>&1 </dev/null
		rc2=$?
		res[$kind]="key file $([ -s "$kf" ] && echo written || echo missing) ($(openssl pkey -in "$kf" -noout -text 2>/dev/null | head -1 | tr -d '()')), session exit ${res[$kind.rc]}, received $([ -f "$W/kg-$kind/d/hello.txt" ] && echo yes || echo no); second start with the same -k -K: exit $rc2"
	done
	if [ "${res[ours]}" = "${res[ref]}" ]; then
		ok "keygen: uftpd -k FILE -K rsa:1024 (${res[ours]})"
	else
		ko "keygen: uftpd -k FILE -K rsa:1024" "ours: ${res[ours]}" "real: ${res[ref]}" \
			"ours second start said: $(head -c 200 "$W/kg-ours.again" | tr '\n' ' ')" \
			"real second start said: $(head -c 200 "$W/kg-ref.again" | tr '\n' ' ')"
	fi
}

# ---------------------------------------------------------------- --user
# proc_ids PID: "uid U/U/U/U gid G/G/G/G groups ..." from /proc/PID/status
proc_ids() {
	awk '/^Uid:/ {u = $2 "/" $3 "/" $4 "/" $5} /^Gid:/ {g = $2 "/" $3 "/" $4 "/" $5}
		/^Groups:/ {$1 = ""; gr = $0} END {print "uid " u " gid " g " groups" gr}' "/proc/$1/status" 2>/dev/null
}

# ours only (the real uftpd has no --user): root is dropped after the
# privileged set-up; the daemon still binds 1044, logs, and receives
test_user() {
	local uid gid top d pf log want got bad=() rc k
	uid=$(id -u nobody 2>/dev/null) gid=$(getent group nogroup | cut -d: -f3)
	if [ -z "$uid" ] || [ -z "$gid" ]; then
		ok "user: skipped (no user nobody or group nogroup on this machine)"
		return
	fi
	top=$(mktemp -d /tmp/uftpd-user.XXXXXX)
	chmod 755 "$top"
	d=$top/dest pf=$W/user.pid log=$W/user.log
	mkdir -p "$d" && chown nobody:nogroup "$d"
	start_daemon ours "$d" "$pf" "$log" --user nobody:nogroup
	want="uid $uid/$uid/$uid/$uid gid $gid/$gid/$gid/$gid groups $gid"
	got=$( [ -n "$D_PID" ] && proc_ids "$D_PID")
	[ "$D_RC" = 0 ] || bad+=("start exit $D_RC")
	[ "$got" = "$want" ] || bad+=("/proc status: '$got', want '$want'")
	for ((k = 0; k < 30; k++)); do bound_in h1 1044 && break; sleep 0.1; done
	quick_session ref -- hello.txt
	cmp -s "$d/hello.txt" "$SRC/hello.txt" || bad+=("file not received (session exit $IL_SRC_RC)")
	[ "$(stat -c %U "$d/hello.txt" 2>/dev/null)" = nobody ] || bad+=("received file owned by $(stat -c %U "$d/hello.txt" 2>/dev/null)")
	grep -q "running as --user nobody:nogroup" "$log" || bad+=("no 'running as' line in the log")
	grep -q "uftpd (uftp-ng) [0-9.]*: listening" "$log" || bad+=("no version in the start-up line")
	if [ -n "$D_PID" ]; then
		kill -TERM "$D_PID"
		wait_gone "$D_PID" 5 || bad+=("SIGTERM: still running")
	fi
	rm -f "$pf"
	lab_exec h1 timeout -k 1 5 "$(il_bin ours client)" -q -D "$d" -I eth0 -L "$W/user-bad.log" \
		--user no-such-user-xyz >"$W/user-bad.out" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 1 ] || bad+=("--user no-such-user-xyz: exit $rc, want 1")
	grep -q "no such user" "$W/user-bad.out" || bad+=("--user no-such-user-xyz said: $(head -c 200 "$W/user-bad.out")")
	"$(il_bin ours client)" --version | grep -qx "uftpd (uftp-ng) [0-9][0-9.]*" || bad+=("--version: $("$(il_bin ours client)" --version)")
	rm -rf "$top"
	if [ ${#bad[@]} = 0 ]; then
		ok "user: --user nobody:nogroup: $got after start, file received and owned by nobody; an unknown user: exit 1"
	else
		ko "user: --user nobody:nogroup" "${bad[@]}" "$(tail_of "$log" 4)" "$(tail_of "$log.start" 4)"
	fi
}

# ---------------------------------------------------------------- main
ALL_CASES="signals pidfile stale_pidfile pidfile_unwritable foreground_log dest_roots client_id encrypted_only log_levels concurrent port_in_use uftpd_opts keygen user"
il_run_cases "$ALL_CASES"
il_lab_down
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
