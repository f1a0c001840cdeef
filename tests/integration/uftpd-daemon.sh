#!/bin/bash
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
#   - the port already in use: a clear error and a non-zero exit.
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

pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() {
	echo "FAIL $1"
	fail=$((fail + 1))
	shift
	local l
	for l in "$@"; do echo "    $l"; done
}
kname() { [ "$1" = ref ] && echo "real uftpd" || echo "our uftpd"; }
tail_of() { echo "--- ${1#"$W"/}:"; grep -v '^#' "$1" 2>/dev/null | tail -n "${2:-5}" | sed 's/^/  | /'; }
cmp_tree() { python3 "$IL_TREECMP" --umask "$IL_UMASK" "$@" 2>&1 | grep -v '^[-+@ ]' | head -8; }

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

# ---------------------------------------------------------------- main
ALL_CASES="signals pidfile stale_pidfile foreground_log"
for cs in ${CASES:-$ALL_CASES}; do
	if declare -F "test_$cs" >/dev/null; then
		"test_$cs"
	else
		echo "unknown case '$cs'" >&2
		exit 2
	fi
done
il_lab_down
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
