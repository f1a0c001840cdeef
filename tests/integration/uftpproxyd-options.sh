#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/uftpproxyd-options.sh - the command line and the
# operational behaviour of our uftpproxyd against the real uftpproxyd of UFTP
# 4.10.2: the same invocation goes to both binaries (in a namespace lab) and
# the exit status and its effect are compared.  The contract is man
# uftpproxyd (the real one) and our man/uftpproxyd.1; where the real one
# differs from its manual or we differ on purpose, ours is held to our man
# page and the PASS line carries a NOTE with what the real one does.
#
#   badopts    every kind of bad command line: no mode, two modes, unknown
#              option, missing arguments, numbers out of range (-p -t -x -h
#              -B -Q -N -g -n), bad -U -s fp= -H -M -I -O -e -r:curve -K
#              specs, bad / missing / directory / unreadable (run as
#              nobody) -S -C -k files, -k/-K
#              counts, port in use, --help: exit status (ours: 1
#              option/list, 2 network, 3 key, as man/uftpproxyd.1) and a
#              clear message
#   signals    -d: SIGTERM and SIGINT end it with exit 6 (as the real one);
#              SIGHUP reopens the log (the real one dies); -d ignores -L
#   daemon     no -d: the starting command exits 0, -P holds the daemon's
#              PID (detached, bound to its port), -L is written with
#              timestamps and the keys' fingerprints, SIGTERM ends it; the
#              pidfile is removed at exit; -L / -P that cannot be written:
#              the starting command fails (4 / 1) and nothing is left running
#   pidfile_taken  -P naming a dead process: replaced (both); naming a
#              running one: ours refuses (exit 1), the real one overwrites
#   sighup     daemon, -L renamed away, SIGHUP: a new log file is opened
#   rolling    -x 5 -g 1 -n 2, junk datagrams until the log has rolled three
#              times: .1 and .2 kept, .3 never, archives at 1 MiB
#   keygen     -K rsa:1024,ec:prime256v1 (fingerprints logged), -k -K (the
#              made keys written to the files, their fingerprints the logged
#              ones), the same again (refused: the files exist, exit 3),
#              -k alone (loaded, same fingerprints)
#   bufsize    -B 65536 and 8388608: the socket buffers (ss -m skmem)
#   heartbeat  -H two proxies -h 1 -U: HB_REQ on the wire with the ID, the
#              rate; ICMP unreachable replies do not stop it
#   joins      server proxy -M two groups -I eth0: both joined (ip maddr)
#   loglevels  -x 0 / 2 / 5: the log volume grows with the level
#   user       ours only: -d -c --user nobody:nogroup runs as nobody
#              (/proc/PID/status), logs its version in the start-up line and
#              ends on SIGTERM (exit 6); an unknown user: exit 1 at once;
#              --version
#   memory     ulimit -v from too small to enough: reported errors (exit 5
#              "out of memory"), never a crash (normal builds only)
#   wire       a real session through both proxies of one kind: real uftp
#              (h0) -> server proxy h1 (-p 1050 -q 2000 -Q 12) -> client
#              proxy h2 (-p 2000 -q 2001 -t 3 -Q 10 -U 0x0A0B0C0D -N 5 -B
#              1048576) -> real uftpd h3 (-p 2001); captured: the ports, the
#              TTL and TOS of the re-multicast ANNOUNCE and data, the TOS of
#              the tunnel, the proxy's ID in its REGISTER; nice value and
#              receive buffer of the running proxy; files delivered
#   outif      -O eth1 and -O <its address> on a client proxy with a second
#              link: its multicast leaves by that link only, from that
#              address, and reaches a uftpd listening there (as the real one)
#
#   sudo tests/integration/uftpproxyd-options.sh [BUILD_DIR]
#   CASES="badopts wire" KEEP=1 sudo tests/integration/uftpproxyd-options.sh
#
# Output "PASS|FAIL <case>: <what>" lines, details under FAILs, then
# "N passed, M failed". Exit 0 all passed, 1 any failed, 77 skip (not root,
# the real uftpproxyd or ours missing). Every wait is bounded; the lab and
# every process started are removed on exit (lib.sh traps).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

: "${UFTPPROXYD_REF:=/usr/bin/uftpproxyd}"
[ "$(id -u)" = 0 ] || { echo "SKIP: uftpproxyd-options.sh needs root (network namespaces)"; exit 77; }
if [ ! -x "$UFTPPROXYD_REF" ] || ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTPPROXYD_REF, $UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump is not installed"; exit 77; }
il_init "${1:-}" || exit 2
if [ ! -x "$IL_BUILD/uftpproxyd" ]; then
	echo "SKIP: our uftpproxyd is not built in $IL_BUILD"
	exit 77
fi
T_START=$SECONDS
W=$IL_WORK

px_bin() { if [ "$1" = ref ]; then echo "$UFTPPROXYD_REF"; else echo "$IL_BUILD/uftpproxyd"; fi; }
oneline() { grep -v -E '^ |^$|^uftpproxyd \{|^Usage|UFTP version|(Loaded|made|loaded|saved) .*key' "$1" 2>/dev/null | head -2 | tr '\n' ' ' | cut -c1-160; }
# a log line as both write them: "YYYY/MM/DD HH:MM:SS.uuuuuu: text"
STAMP_RE='^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}: '
FP_RE='fingerprint:? ([0-9A-F]{2}:){19}[0-9A-F]{2}'

# h0 server, h1 server proxy, h2 and h3 proxies under test / client
il_lab 3 || { echo "FAIL lab_up"; exit 1; }
ip2=$(lab_ip4 2)

# wait_gone PID T: until PID (maybe not our child) is gone or a zombie
wait_gone() {
	local k
	for ((k = 0; k < $2 * 10; k++)); do
		il_gone "$1" && return 0
		sleep 0.1
	done
	return 1
}
# stop_pid PID: SIGTERM, 5 s, SIGKILL (a daemon we started, by its PID)
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait_gone "$1" 5 || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
# kill_in HOST: stop whatever still runs in HOST (only our processes run there)
kill_in() {
	local p
	for p in $(ip netns pids "$(lab_ns "$1")" 2>/dev/null); do stop_pid "$p"; done
}
bound_in() { [ -n "$(lab_exec "$1" ss -Huln "sport = :$2" 2>/dev/null)" ]; }
wait_bound() {
	local k
	for ((k = 0; k < $3 * 10; k++)); do
		bound_in "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}
# wait_file_re FILE REGEX T: until FILE has a line matching REGEX
wait_file_re() {
	local k
	for ((k = 0; k < $3 * 10; k++)); do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# rb_of HOST PORT: receive buffer of the IPv4 socket bound to udp/PORT
rb_of() {
	lab_exec "$1" ss -Huanm "sport = :$2" 2>/dev/null | tr -d '\n' |
		grep -o -E '0\.0\.0\.0:[0-9]+.*' | grep -o -E 'rb[0-9]+' | head -1 | tr -d rb
}

# ---------------------------------------------------------------- badopts
# bad EXP_OURS EXP_REF MSG_RE WHAT -- ARGS...: queues one command line for
# both binaries (in the foreground, -d); bad_flush runs the queue, BAD_SLOTS
# cases at a time, each in its own pair of hosts of the lab "bad" (the real
# one in h<2i>, ours in h<2i+1>: an accepted command line binds port 1044).
# 124 means "still running after BAD_T s": the command line was accepted.
# Ours must exit EXP_OURS with a message matching MSG_RE (grep -E -i); the
# real one is expected to exit EXP_REF (what 4.10.2 does).  When they
# differ, our man page documents ours and the PASS line says what the real
# one does.
BAD_T=2.5 BAD_SLOTS=6
declare -a B_EO=() B_ER=() B_RE=() B_WHAT=() B_ARGS=() B_WRAP=()
BAD_WRAP="" # a command prefix for the next queued cases (e.g. setpriv)
NOBODY_BIN="" NOBODY_DIR="" # our binary where nobody can run it
bad() {
	B_EO+=("$1") B_ER+=("$2") B_RE+=("$3") B_WHAT+=("$4") B_WRAP+=("$BAD_WRAP")
	shift 5
	local q=""
	[ $# = 0 ] || printf -v q '%q ' "$@"
	B_ARGS+=("$q")
}

bad_one() { # bad_one SLOT KIND N: case N of the queue, in its host
	local h=$(($1 * 2)) d=$W/bad
	[ "$2" = ours ] && h=$((h + 1))
	local -a args wrap
	local bin
	eval "args=(${B_ARGS[$3]})"
	read -r -a wrap <<<"${B_WRAP[$3]}"
	bin=$(px_bin "$2")
	[ -n "${B_WRAP[$3]}" ] && [ "$2" = ours ] && bin=$NOBODY_BIN
	(cd "$d" && lab_exec "h$h" "${wrap[@]}" timeout -k 1 "$BAD_T" "$bin" -d "${args[@]}" \
		>"$d/$3.$2.out" 2>&1 </dev/null)
	echo $? >"$d/$3.$2.rc"
}

bad_check() { # bad_check N: the verdict on case N
	local n=$1 d=$W/bad k msg bads=()
	local eo=${B_EO[n]} er=${B_ER[n]} re=${B_RE[n]} what=${B_WHAT[n]} args=${B_ARGS[n]}
	declare -A r=()
	for k in ref ours; do r[$k]=$(cat "$d/$n.$k.rc" 2>/dev/null); done
	msg=$(oneline "$d/$n.ours.out")
	[ "${r[ours]}" = "$eo" ] || bads+=("ours: exit ${r[ours]}, expected $eo")
	grep -q -i -E -- "$re" "$d/$n.ours.out" || bads+=("ours: no message matching /$re/: $msg")
	il_sanitized "$d/$n.ours.out" && bads+=("sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$d/$n.ours.out")")
	[ "${r[ref]}" = "$er" ] || bads+=("the real uftpproxyd: exit ${r[ref]}, recorded as $er: $(oneline "$d/$n.ref.out")")
	if [ ${#bads[@]} = 0 ]; then
		if [ "$eo" = "$er" ]; then
			ok "badopts: $what (${args% }): exit $eo as the real one; \"$msg\""
		else
			ok "badopts: $what (${args% }): exit $eo; \"$msg\" (NOTE the real one: $([ "$er" = 124 ] && echo "starts anyway" || echo "exit $er"))"
		fi
	else
		ko "badopts: $what (${args% })" "${bads[@]}"
	fi
}

bad_flush() { # bad_flush [FIRST_SLOT]
	local n=0 j k i f=${1:-0} order=() pids=()
	mkdir -p "$W/bad"
	# the command lines the real one accepts (it runs until the timeout) together
	for i in "${!B_ARGS[@]}"; do [ "${B_ER[i]}" = 124 ] && order+=("$i"); done
	for i in "${!B_ARGS[@]}"; do [ "${B_ER[i]}" = 124 ] || order+=("$i"); done
	while [ "$n" -lt "${#order[@]}" ]; do
		pids=()
		for ((j = 0; j < BAD_SLOTS && n + j < ${#order[@]}; j++)); do
			bad_one $((f + j)) ref "${order[n + j]}" &
			pids+=($!)
			bad_one $((f + j)) ours "${order[n + j]}" &
			pids+=($!)
		done
		for i in "${pids[@]}"; do lab_wait_pid "$i" 10 || kill "$i"; done
		for ((k = f * 2; k < (f + BAD_SLOTS) * 2; k++)); do kill_in "h$k"; done
		n=$((n + j))
	done
	for i in "${!B_ARGS[@]}"; do bad_check "$i"; done
	B_EO=() B_ER=() B_RE=() B_WHAT=() B_ARGS=() B_WRAP=()
}

test_badopts() {
	local d=$W/bad
	mkdir -p "$d"
	printf 'garbage line here\n' >"$d/badlist"
	printf '0x01020304|198.18.0.10\n' >"$d/goodsl"
	mkdir -p "$d/adir"
	printf '0x01020304\n' >"$d/unreadable"
	chmod 000 "$d/unreadable"
	printf 'not a key\n' >"$d/badkey"
	: >"$d/emptykey"
	: >"$d/exists.pem"
	# modes
	bad 1 1 'exactly one of -s, -c' "no mode" --
	bad 1 1 'exactly one of -s, -c' "two modes" -- -s 198.18.0.11 -c
	bad 1 1 'exactly one of -s, -c' "two modes, other order" -- -c -s 198.18.0.11
	bad 1 1 'exactly one of -s, -c' "client and response" -- -c -r
	bad 1 1 "invalid option -- 'Z'" "unknown option" -- -c -Z
	bad 1 124 'unexpected argument' "stray argument" -- -c extra
	bad 1 1 'missing destination|-s' "empty -s destination" -- -s ''
	bad 1 124 'fingerprint' "-s fp= too short" -- -s fp=12:34
	bad 1 124 'fingerprint' "-s fp= not hex" -- -s fp=zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz:zz
	# missing arguments
	local o
	for o in p t Q N U q x H g n h B L P C S k K e I M O; do
		bad 1 1 "requires an argument -- '$o'" "-$o without its argument" -- -c "-$o"
	done
	# numbers
	bad 1 1 '-p.*out of range' "-p 0" -- -c -p 0
	bad 1 124 '-p.*out of range' "-p 65536" -- -c -p 65536
	bad 1 2 '-p.*10x' "-p not a number" -- -c -p 10x
	bad 1 1 '-q.*out of range' "-q 0" -- -c -q 0
	bad 1 1 '-t.*out of range' "-t 0" -- -c -t 0
	bad 1 1 '-t.*out of range' "-t 256" -- -c -t 256
	bad 1 124 '-x.*out of range' "-x 9 (documented 0-5)" -- -c -x 9
	bad 1 1 '-h.*out of range' "-h 0" -- -c -h 0
	bad 1 1 '-B.*out of range' "-B below 65536" -- -c -B 65535
	bad 1 1 '-B.*out of range' "-B above 104857600" -- -c -B 104857601
	bad 1 1 '-Q.*out of range' "-Q 64" -- -c -Q 64
	bad 1 1 '-Q.*out of range' "-Q -1" -- -c -Q -1
	bad 1 1 '-Q' "-Q 0x40" -- -c -Q 0x40
	bad 1 1 '-N.*out of range' "-N 20" -- -c -N 20
	bad 1 1 '-N.*out of range' "-N -21" -- -c -N -21
	bad 1 1 '-g.*out of range' "-g 0" -- -c -g 0
	bad 1 1 '-g.*out of range' "-g 1025" -- -c -g 1025
	bad 1 1 '-n.*out of range' "-n 0" -- -c -n 0
	bad 1 1 '-n.*out of range' "-n 1001" -- -c -n 1001
	# IDs and lists
	bad 1 124 '-U.*invalid' "-U 0" -- -c -U 0
	bad 1 124 '-U.*invalid' "-U not hex" -- -c -U xyz
	bad 1 124 '-U.*invalid' "-U 0xffffffff" -- -c -U 0xffffffff
	bad 1 124 '-U.*invalid' "-U nine digits" -- -c -U 0x123456789
	bad 1 124 '-H.*empty' "-H empty item" -- -c -H 198.18.0.11,,198.18.0.12
	bad 1 124 '-H.*198.18.0.11:0' "-H port 0" -- -c -H 198.18.0.11:0
	bad 1 124 '-H.*70000' "-H port 70000" -- -c -H 198.18.0.11:70000
	bad 1 1 '-H.*no.such.host.invalid' "-H unresolvable" -- -c -H no.such.host.invalid
	bad 1 1 '-I.*nosuchif0' "-I no such interface" -- -c -I nosuchif0
	bad 1 1 '-I.*198.18.0.99' "-I an address not ours" -- -s 198.18.0.11 -I 198.18.0.99
	bad 1 1 '-O.*nosuchif0' "-O no such interface" -- -c -O nosuchif0
	bad 1 2 '-M.*not a multicast' "-M a unicast address" -- -s 198.18.0.11 -M 198.18.0.5
	bad 1 1 '-M.*notanaddr' "-M not an address" -- -s 198.18.0.11 -M notanaddr
	bad 1 124 '-M.*empty' "-M empty item" -- -s 198.18.0.11 -M 230.1.1.1,,230.1.1.2
	bad 1 1 '-M 230.4.4.1.*source-specific' "-S with the default non-SSM -M" -- -s 198.18.0.11 -S goodsl
	# list files
	bad 1 1 '-S badlist.*invalid' "-S bad line" -- -c -S badlist
	bad 1 1 '-S /nonexistent.*No such file' "-S missing file" -- -c -S /nonexistent
	bad 1 1 '-C badlist.*invalid' "-C bad line" -- -c -C badlist
	bad 1 1 '-C /nonexistent.*No such file' "-C missing file" -- -c -C /nonexistent
	bad 1 1 '-S adir.*Is a directory' "-S a directory" -- -c -S adir
	bad 1 1 '-C adir.*Is a directory' "-C a directory" -- -c -C adir
	# keys
	bad 3 3 'key file /nonexistent.pem' "-k missing file" -- -c -k /nonexistent.pem
	bad 3 3 'key file badkey' "-k not a key" -- -c -k badkey
	bad 3 3 'key file emptykey' "-k empty file" -- -c -k emptykey
	bad 3 3 'key file adir' "-k a directory" -- -c -k adir
	# unreadable files: root reads any mode, so these run as nobody
	if command -v setpriv >/dev/null; then
		BAD_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups"
		NOBODY_BIN=$(px_bin ours)
		# a build dir nobody cannot reach (a private clone, as in CI): run a copy
		if ! $BAD_WRAP test -x "$NOBODY_BIN" 2>/dev/null; then
			NOBODY_DIR=$(mktemp -d /dev/shm/pxopts.XXXXXX) && chmod 755 "$NOBODY_DIR" &&
				cp "$NOBODY_BIN" "$NOBODY_DIR/uftpproxyd" && NOBODY_BIN=$NOBODY_DIR/uftpproxyd
		fi
		bad 3 3 'key file unreadable.*Permission denied' "-k unreadable (as nobody)" -- -c -k unreadable
		bad 1 1 '-S unreadable.*Permission denied' "-S unreadable (as nobody)" -- -c -S unreadable
		bad 1 1 '-C unreadable.*Permission denied' "-C unreadable (as nobody)" -- -c -C unreadable
		BAD_WRAP=""
	else
		echo "# badopts: no setpriv: unreadable files not checked"
	fi
	bad 1 1 '-K.*same number' "-k/-K counts differ" -- -c -k a.pem -K rsa:512,rsa:512
	bad 3 3 'exists.pem.*exists' "-k -K onto an existing file" -- -c -k exists.pem -K rsa:512
	bad 1 1 '-K rsa:511.*size' "-K rsa:511" -- -c -K rsa:511
	bad 1 1 '-K rsa:2049.*size' "-K rsa:2049" -- -c -K rsa:2049
	bad 1 1 '-K rsa:abc.*size' "-K rsa:abc" -- -c -K rsa:abc
	bad 1 1 '-K dsa:1024' "-K unknown type" -- -c -K dsa:1024
	bad 1 1 '-K ec:nosuchcurve.*curve' "-K unknown curve" -- -c -K ec:nosuchcurve
	bad 1 124 '-K.*empty' "-K empty" -- -c -K ''
	bad 1 1 '-e nosuchcurve.*curve' "-e unknown curve" -- -r -e nosuchcurve
	bad 1 1 'nosuchcurve.*curve' "-r:curve unknown" -- -r:nosuchcurve
	local t0=$SECONDS
	lab_up bad $((BAD_SLOTS * 2)) || { lab_use "$IL_LAB"; ko "badopts: lab_up"; return; }
	echo "# badopts: lab up in $((SECONDS - t0)) s"
	bad_flush
	[ -n "$NOBODY_DIR" ] && rm -rf "$NOBODY_DIR"
	echo "# badopts: the queue run by $((SECONDS - t0)) s"
	lab_down bad
	lab_use "$IL_LAB"
	# network: the port taken by another socket (in the main lab's h2 and h3)
	local holder holder2
	lab_bg h2 holder python3 -c 'import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",1044)); time.sleep(30)'
	lab_bg h3 holder2 python3 -c 'import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",1044)); time.sleep(30)'
	wait_bound h2 1044 5
	wait_bound h3 1044 5
	bad 2 2 'cannot bind.*1044.*in use' "port 1044 in use" -- -c
	BAD_SLOTS=1 bad_flush 1
	lab_stop "$holder" 2
	lab_stop "$holder2" 2
	# --help
	local rc
	lab_exec h3 timeout 5 "$(px_bin ours)" --help >"$d/help.out" 2>&1
	rc=$?
	lab_exec h2 timeout 5 "$(px_bin ref)" --help >"$d/help-ref.out" 2>&1
	local rrc=$?
	if [ "$rc" = 0 ] && grep -q -- '-K' "$d/help.out" && grep -q 'Exit codes' "$d/help.out"; then
		ok "badopts: --help: usage on stdout, exit 0, as our man page (NOTE the real one: exit $rrc, \"$(oneline "$d/help-ref.out")\")"
	else
		ko "badopts: --help: exit $rc" "$(tail_of "$d/help.out")"
	fi
}

# ---------------------------------------------------------------- signals
test_signals() {
	local sig kind rc px
	declare -A got=()
	for sig in TERM INT HUP; do
		for kind in ref ours; do
			rm -f "$W/sig-$kind.L"
			lab_bg h2 px "$(px_bin "$kind")" -d -c -x 5 -L "$W/sig-$kind.L" >"$W/sig-$sig-$kind.log" 2>&1 </dev/null
			if ! wait_bound h2 1044 5; then
				got[$sig/$kind]="did-not-start"
				lab_stop "$px" 2
				continue
			fi
			kill "-$sig" "$px"
			lab_wait_pid "$px" 5 2>/dev/null # (no job notice for the HUP death)
			rc=$?
			[ "$rc" = 124 ] && lab_stop "$px" 2
			got[$sig/$kind]=$rc
			got[$sig/$kind.L]=$([ -e "$W/sig-$kind.L" ] && echo "written" || echo "not written")
		done
	done
	local s
	for sig in TERM INT; do
		s="-d, SIG$sig: exit ${got[$sig/ours]} (real ${got[$sig/ref]})"
		if [ "${got[$sig/ours]}" = 6 ] && [ "${got[$sig/ref]}" = 6 ]; then
			ok "signals: $s, as both man pages say"
		else
			ko "signals: $s, expected 6" "$(tail_of "$W/sig-$sig-ours.log" 3)"
		fi
	done
	# ours documents SIGHUP as "reopen the log"; the real one has no handler in -d mode
	s="-d, SIGHUP: ours $([ "${got[HUP/ours]}" = 124 ] && echo "keeps running" || echo "exit ${got[HUP/ours]}")"
	if [ "${got[HUP/ours]}" = 124 ]; then
		ok "signals: $s (NOTE the real one: $([ "${got[HUP/ref]}" = 124 ] && echo "keeps running" || echo "dies, exit ${got[HUP/ref]}"))"
	else
		ko "signals: $s, expected to keep running" "$(tail_of "$W/sig-HUP-ours.log" 3)"
	fi
	if [ "${got[TERM/ours.L]}" = "not written" ] && [ "${got[TERM/ref.L]}" = "not written" ] &&
		grep -q -E 'exiting' "$W/sig-TERM-ours.log"; then
		ok "signals: -d -L FILE: -L ignored, log on stderr (as the real one)"
	else
		ko "signals: -d -L FILE: ours ${got[TERM/ours.L]}, real ${got[TERM/ref.L]}" "$(tail_of "$W/sig-TERM-ours.log" 3)"
	fi
}

# ---------------------------------------------------------------- daemon
# start_daemon KIND HOST TAG [ARGS]: the proxy without -d, -P $W/TAG.pid, -L
# $W/TAG.log; D_RC exit status of the starting command, D_PID the pidfile's
# PID (bounded wait), "" if none
start_daemon() {
	local kind=$1 h=$2 tag=$3 k
	shift 3
	rm -f "$W/$tag.pid" "$W/$tag.log"*
	lab_exec "$h" timeout -k 1 10 "$(px_bin "$kind")" "$@" -P "$W/$tag.pid" -L "$W/$tag.log" \
		>"$W/$tag.start" 2>&1 </dev/null
	D_RC=$?
	D_PID=""
	for ((k = 0; k < 50; k++)); do
		D_PID=$(tr -dc 0-9 2>/dev/null <"$W/$tag.pid")
		[ -n "$D_PID" ] && ! il_gone "$D_PID" && break
		D_PID=""
		sleep 0.1
	done
	return 0
}

test_daemon() {
	local kind why bin
	declare -A res=()
	for kind in ref ours; do
		bin=$(readlink -f "$(px_bin "$kind")")
		start_daemon "$kind" h2 "dm-$kind" -c -x 3
		why=()
		res[$kind.rc]=$D_RC
		if [ -z "$D_PID" ]; then
			why+=("no live PID in the pidfile")
		else
			[ "$(readlink "/proc/$D_PID/exe")" = "$bin" ] || why+=("PID $D_PID is $(readlink "/proc/$D_PID/exe"), not the proxy")
			[ "$(awk '{print $4}' "/proc/$D_PID/stat")" != "$$" ] || why+=("the daemon is a child of the test shell")
			wait_bound h2 1044 5 || why+=("the daemon does not listen on udp/1044")
			[ -s "$W/dm-$kind.start" ] && why+=("the starting command printed: $(oneline "$W/dm-$kind.start")")
		fi
		wait_file_re "$W/dm-$kind.log" "$FP_RE" 5
		res[$kind.stamps]=$(grep -c -v -E "$STAMP_RE" "$W/dm-$kind.log" 2>/dev/null)
		res[$kind.lines]=$(wc -l <"$W/dm-$kind.log" 2>/dev/null || echo 0)
		res[$kind.fp]=$(grep -c -E "$FP_RE" "$W/dm-$kind.log" 2>/dev/null)
		if [ -n "$D_PID" ]; then
			kill -TERM "$D_PID"
			if wait_gone "$D_PID" 5; then
				res[$kind.term]=exited
			else
				res[$kind.term]=still-running
				kill -KILL "$D_PID"
			fi
		else
			res[$kind.term]=none
		fi
		kill_in h2
		[ -e "$W/dm-$kind.pid" ] && res[$kind.pf]=left || res[$kind.pf]=removed
		res[$kind.why]="${why[*]}"
	done
	local sum refsum
	sum="start exit ${res[ours.rc]}, pid $([ -z "${res[ours.why]}" ] && echo ok || echo "${res[ours.why]}"), log ${res[ours.lines]} lines (${res[ours.stamps]} without a timestamp, ${res[ours.fp]} with a key fingerprint), SIGTERM: ${res[ours.term]}, pidfile ${res[ours.pf]}"
	refsum="start exit ${res[ref.rc]}, pid $([ -z "${res[ref.why]}" ] && echo ok || echo "${res[ref.why]}"), log ${res[ref.lines]} lines (${res[ref.stamps]} without a timestamp, ${res[ref.fp]} with a key fingerprint), SIGTERM: ${res[ref.term]}, pidfile ${res[ref.pf]}"
	if [ "${res[ours.rc]}" = 0 ] && [ -z "${res[ours.why]}" ] && [ "${res[ours.lines]}" -gt 0 ] &&
		[ "${res[ours.stamps]}" = 0 ] && [ "${res[ours.fp]}" -ge 1 ] && [ "${res[ours.term]}" = exited ] &&
		[ "${res[ours.pf]}" = removed ] && [ "${res[ref.rc]}" = 0 ] && [ -z "${res[ref.why]}" ]; then
		ok "daemon: -c -x 3 -P -L: $sum (NOTE the real one leaves its pidfile: ${res[ref.pf]})"
	else
		ko "daemon: -P -L" "ours: $sum" "real: $refsum" "$(tail_of "$W/dm-ours.log")"
	fi

	# -L and -P that cannot be written: the starting command must fail
	local what
	for what in L P; do
		for kind in ref ours; do
			if [ "$what" = L ]; then
				lab_exec h2 timeout -k 1 10 "$(px_bin "$kind")" -c -L "$W/no/such/dir/px.log" \
					>"$W/bad$what-$kind.out" 2>&1 </dev/null
			else
				lab_exec h2 timeout -k 1 10 "$(px_bin "$kind")" -c -L "$W/bad$what-$kind.log" \
					-P "$W/no/such/dir/px.pid" >"$W/bad$what-$kind.out" 2>&1 </dev/null
			fi
			res[$kind.rc]=$?
			sleep 0.3
			bound_in h2 1044 && res[$kind.run]=yes || res[$kind.run]=no
			kill_in h2
			res[$kind.msg]=$(cat "$W/bad$what-$kind.out" "$W/bad$what-$kind.log" 2>/dev/null | grep -v -i fingerprint | grep -i -E 'log|pid' | head -1 | cut -c1-120)
		done
		local exp=4
		[ "$what" = P ] && exp=1
		sum="exit ${res[ours.rc]}, left running: ${res[ours.run]}, \"${res[ours.msg]}\""
		if [ "${res[ours.rc]}" = "$exp" ] && [ "${res[ours.run]}" = no ] && [ -n "${res[ours.msg]}" ]; then
			ok "daemon: -$what in a missing directory: $sum (NOTE the real one: exit ${res[ref.rc]}, left running: ${res[ref.run]}, \"${res[ref.msg]}\")"
		else
			ko "daemon: -$what in a missing directory, expected exit $exp and nothing running" "ours: $sum" \
				"real: exit ${res[ref.rc]}, left running ${res[ref.run]}"
		fi
	done
}

# A pidfile left by a dead process is replaced; one naming a running
# process (this shell) is not: ours refuses to start (exit 1), as our man
# page says; the real one overwrites it.
test_pidfile_taken() {
	local kind dead=4000000 what content
	declare -A res=()
	while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
	for what in stale live; do
		for kind in ref ours; do
			content=$dead
			[ "$what" = live ] && content=$$
			mkdir -p "$W/pt-$kind"
			printf '%s\n' "$content" >"$W/pt-$kind-$what.pid"
			rm -f "$W/pt-$kind-$what.log"
			lab_exec h2 timeout -k 1 10 "$(px_bin "$kind")" -c -P "$W/pt-$kind-$what.pid" \
				-L "$W/pt-$kind-$what.log" >"$W/pt-$kind-$what.start" 2>&1 </dev/null
			res[$kind.$what.rc]=$?
			sleep 0.3
			bound_in h2 1044 && res[$kind.$what.run]=yes || res[$kind.$what.run]=no
			res[$kind.$what.pf]=$(tr -dc 0-9 2>/dev/null <"$W/pt-$kind-$what.pid")
			[ "${res[$kind.$what.pf]}" = "$content" ] && res[$kind.$what.pf]="unchanged" || res[$kind.$what.pf]="rewritten"
			res[$kind.$what.msg]=$(grep -i -m1 'pidfile' "$W/pt-$kind-$what.log" 2>/dev/null | cut -c29-140)
			kill_in h2
			res[$kind.$what]="exit ${res[$kind.$what.rc]}, running ${res[$kind.$what.run]}, pidfile ${res[$kind.$what.pf]}"
		done
	done
	if [ "${res[ours.stale]}" = "exit 0, running yes, pidfile rewritten" ] && [ "${res[ref.stale]}" = "${res[ours.stale]}" ]; then
		ok "pidfile_taken: -P naming a dead process: replaced (${res[ours.stale]}; ${res[ours.stale.msg]:-}), as the real one"
	else
		ko "pidfile_taken: -P naming a dead process" "ours: ${res[ours.stale]}" "real: ${res[ref.stale]}"
	fi
	if [ "${res[ours.live]}" = "exit 1, running no, pidfile unchanged" ] && [ -n "${res[ours.live.msg]}" ]; then
		ok "pidfile_taken: -P naming a running process: ${res[ours.live]}, \"${res[ours.live.msg]}\" (NOTE the real one: ${res[ref.live]})"
	else
		ko "pidfile_taken: -P naming a running process" "ours: ${res[ours.live]} \"${res[ours.live.msg]}\"" "real: ${res[ref.live]}"
	fi
}

# ---------------------------------------------------------------- sighup
# junk N HOST PORT: N datagrams with a bad UFTP header from h1 to HOST
junk() {
	lab_exec h1 python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
n=int(sys.argv[1])
for i in range(n):
    s.sendto(b"\xee\x01" + b"junk" * 12, (sys.argv[2], int(sys.argv[3])))
    if i % 500 == 499: time.sleep(0.01)
' "$1" "$2" "$3"
}

test_sighup() {
	local kind
	declare -A res=()
	for kind in ref ours; do
		start_daemon "$kind" h2 "hup-$kind" -c -x 5
		if [ -z "$D_PID" ]; then
			res[$kind]="did not start (exit $D_RC)"
			continue
		fi
		wait_bound h2 1044 5
		junk 3 "$ip2" 1044
		wait_file_re "$W/hup-$kind.log" '.' 3
		mv "$W/hup-$kind.log" "$W/hup-$kind.log.moved"
		kill -HUP "$D_PID"
		sleep 0.5
		il_gone "$D_PID" && res[$kind.alive]=no || res[$kind.alive]=yes
		junk 3 "$ip2" 1044
		wait_file_re "$W/hup-$kind.log" '.' 3
		stop_pid "$D_PID"
		kill_in h2
		res[$kind]="alive after SIGHUP: ${res[$kind.alive]}, new log file: $([ -s "$W/hup-$kind.log" ] && echo "opened ($(wc -l <"$W/hup-$kind.log") lines)" || echo "none"), moved file: $(wc -l <"$W/hup-$kind.log.moved") lines"
	done
	if [ "${res[ours.alive]:-}" = yes ] && [ -s "$W/hup-ours.log" ] && [ -s "$W/hup-ours.log.moved" ] &&
		[ "$(grep -c -v -E "$STAMP_RE" "$W/hup-ours.log")" = 0 ]; then
		ok "sighup: log renamed away, SIGHUP: ours reopens -L (${res[ours]}) (NOTE the real one: ${res[ref]})"
	else
		ko "sighup: -L renamed, SIGHUP" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/hup-ours.log.moved" 3)"
	fi
}

# ---------------------------------------------------------------- rolling
# -g 1 -n 2: junk datagrams (one log line each at -x 5) in rounds until
# log.2 has been replaced once (a third roll), bounded by 40 rounds
roll_one() {
	local kind=$1 h=$2 addr=$3 tag=roll-$1 k ino="" first=""
	start_daemon "$kind" "$h" "$tag" -c -x 5 -g 1 -n 2 -B 8388608
	[ -n "$D_PID" ] || { echo "did not start (exit $D_RC)" >"$W/$tag.res"; return; }
	wait_bound "$h" 1044 5
	for ((k = 0; k < 40; k++)); do
		junk 4000 "$addr" 1044
		ino=$(stat -c %i "$W/$tag.log.2" 2>/dev/null)
		[ -z "$first" ] && first=$ino
		[ -n "$first" ] && [ "$ino" != "$first" ] && break
		sleep 0.05
	done
	sleep 0.5
	stop_pid "$D_PID"
	echo "rounds $k" >"$W/$tag.res"
}

test_rolling() {
	local kind
	# both at once: the real one in h2, ours in h3
	roll_one ref h2 "$(lab_ip4 2)" &
	local p1=$!
	roll_one ours h3 "$(lab_ip4 3)" &
	local p2=$!
	lab_wait_pid "$p1" 90
	lab_wait_pid "$p2" 90
	kill_in h2
	kill_in h3
	declare -A res=()
	local f sizes why=()
	for kind in ref ours; do
		sizes=""
		for f in "$W/roll-$kind.log" "$W/roll-$kind.log".[0-9]*; do
			[ -e "$f" ] && sizes+="${f##*/roll-"$kind".}=$(stat -c %s "$f") "
		done
		res[$kind]="$(cat "$W/roll-$kind.res" 2>/dev/null); files: $sizes"
	done
	local mib=1048576 s1 s2
	s1=$(stat -c %s "$W/roll-ours.log.1" 2>/dev/null || echo 0)
	s2=$(stat -c %s "$W/roll-ours.log.2" 2>/dev/null || echo 0)
	[ -e "$W/roll-ours.log.2" ] || why+=("no log.2")
	[ -e "$W/roll-ours.log.3" ] && why+=("log.3 kept (-n 2)")
	grep -q '^rounds 40' "$W/roll-ours.res" && why+=("log.2 was never replaced: fewer than 3 rolls")
	for f in "$s1" "$s2"; do
		{ [ "$f" -ge "$mib" ] && [ "$f" -lt $((mib + 4096)) ]; } || why+=("an archive of $f bytes, expected 1 MiB plus less than a line")
	done
	for f in "$W/roll-ours.log" "$W/roll-ours.log.1" "$W/roll-ours.log.2"; do
		[ "$(grep -c -v -E "$STAMP_RE" "$f" 2>/dev/null)" = 0 ] || why+=("${f##*/}: lines without a timestamp")
	done
	if [ ${#why[@]} = 0 ]; then
		ok "rolling: -x 5 -g 1 -n 2: ${res[ours]} (NOTE the real one, same input: ${res[ref]}; it rolls at 10^6 bytes)"
	else
		ko "rolling: -g 1 -n 2" "${why[@]}" "ours: ${res[ours]}" "real: ${res[ref]}"
	fi
}

# ---------------------------------------------------------------- keygen
# keyrun KIND TAG ARGS: the proxy in the foreground in h2 until its log has
# the "listening"/key lines (bounded), then SIGTERM; KR_RC its exit status
keyrun() {
	local kind=$1 tag=$2 px k
	shift 2
	lab_bg h2 px "$(px_bin "$kind")" -d -c "$@" >"$W/$tag.log" 2>&1 </dev/null
	for ((k = 0; k < 100; k++)); do
		kill -0 "$px" 2>/dev/null || break
		bound_in h2 1044 && [ "$(grep -c -E "$FP_RE" "$W/$tag.log")" -ge "${KR_NFP:-1}" ] && break
		sleep 0.1
	done
	if kill -0 "$px" 2>/dev/null; then
		lab_stop "$px" 5
		KR_RC=running
	else
		wait "$px"
		KR_RC=$?
	fi
}
fps_in() { grep -o -E "$FP_RE" "$1" 2>/dev/null | grep -o -E '([0-9A-F]{2}:){19}[0-9A-F]{2}' | tr '\n' ' '; }
file_fp() { "$UFTP_KEYMGT_REF" "$1" 2>&1 | grep -o -E '([0-9A-F]{2}:){19}[0-9A-F]{2}'; }

test_keygen() {
	local kind d why
	declare -A res=()
	for kind in ref ours; do
		d=$W/kg-$kind
		rm -rf "$d"
		mkdir -p "$d"
		KR_NFP=2 keyrun "$kind" "kg-$kind-made" -K rsa:1024,ec:prime256v1
		res[$kind.made]="$KR_RC: $(fps_in "$W/kg-$kind-made.log" | wc -w) fingerprints logged"
		KR_NFP=2 keyrun "$kind" "kg-$kind-save" -k "$d/rsa.pem,$d/ec.pem" -K rsa:1024,ec:prime256v1
		res[$kind.save]=$KR_RC
		res[$kind.logged]=$(fps_in "$W/kg-$kind-save.log")
		res[$kind.files]="$(file_fp "$d/rsa.pem") $(file_fp "$d/ec.pem") "
		res[$kind.types]="$("$UFTP_KEYMGT_REF" "$d/rsa.pem" 2>&1 | grep -o 'RSA, [0-9]* bits') / $("$UFTP_KEYMGT_REF" "$d/ec.pem" 2>&1 | grep -o 'curve [a-z0-9]*')"
		res[$kind.modes]="$(stat -c %a "$d/rsa.pem" 2>/dev/null) $(stat -c %a "$d/ec.pem" 2>/dev/null)"
		KR_NFP=2 keyrun "$kind" "kg-$kind-again" -k "$d/rsa.pem,$d/ec.pem" -K rsa:1024,ec:prime256v1
		res[$kind.again]=$KR_RC
		res[$kind.after]="$(file_fp "$d/rsa.pem") $(file_fp "$d/ec.pem") "
		KR_NFP=2 keyrun "$kind" "kg-$kind-load" -k "$d/rsa.pem,$d/ec.pem"
		res[$kind.load]=$KR_RC
		res[$kind.loaded]=$(fps_in "$W/kg-$kind-load.log")
		res[$kind]="-K alone: ${res[$kind.made]}; -k -K: ${res[$kind.save]}, files ${res[$kind.types]} mode ${res[$kind.modes]}, fingerprints $([ "${res[$kind.logged]}" = "${res[$kind.files]}" ] && echo "logged = files'" || echo "logged '${res[$kind.logged]}' != files' '${res[$kind.files]}'"); again: exit ${res[$kind.again]}, files $([ "${res[$kind.after]}" = "${res[$kind.files]}" ] && echo unchanged || echo CHANGED); -k alone: ${res[$kind.load]}, $([ "${res[$kind.loaded]}" = "${res[$kind.files]}" ] && echo "same fingerprints" || echo "fingerprints '${res[$kind.loaded]}'")"
	done
	why=()
	[ "${res[ours.made]}" = "running: 2 fingerprints logged" ] || why+=("-K alone: ${res[ours.made]}")
	[ "${res[ours.save]}" = running ] || why+=("-k -K: exit ${res[ours.save]}")
	[ "$(echo "${res[ours.files]}" | wc -w)" = 2 ] || why+=("key files not written")
	[ "${res[ours.logged]}" = "${res[ours.files]}" ] || why+=("logged fingerprints differ from the files'")
	[ "${res[ours.types]}" = "RSA, 1024 bits / curve prime256v1" ] || why+=("key types ${res[ours.types]}")
	[ "${res[ours.modes]}" = "600 600" ] || why+=("key file modes ${res[ours.modes]}")
	[ "${res[ours.again]}" = 3 ] && grep -q -i 'exists' "$W/kg-ours-again.log" || why+=("second -k -K: exit ${res[ours.again]}: $(oneline "$W/kg-ours-again.log")")
	[ "${res[ours.after]}" = "${res[ours.files]}" ] || why+=("the key files were overwritten")
	[ "${res[ours.loaded]}" = "${res[ours.files]}" ] || why+=("-k alone logged '${res[ours.loaded]}'")
	local refok=0
	[ "${res[ref.save]}" = running ] && [ "${res[ref.again]}" = 3 ] && [ "${res[ref.logged]}" = "${res[ref.files]}" ] && refok=1
	if [ ${#why[@]} = 0 ] && [ "$refok" = 1 ]; then
		ok "keygen: ${res[ours]} (NOTE the real one: key files mode ${res[ref.modes]}; otherwise the same: ${res[ref]})"
	else
		ko "keygen" "${why[@]}" "ours: ${res[ours]}" "real: ${res[ref]}" "$(tail_of "$W/kg-ours-save.log" 3)"
	fi
}

# ---------------------------------------------------------------- bufsize
test_bufsize() {
	local kind px B
	declare -A rb=()
	for B in 65536 8388608; do
		for kind in ref ours; do
			lab_bg h2 px "$(px_bin "$kind")" -d -c -B "$B" >"$W/buf-$kind.log" 2>&1 </dev/null
			wait_bound h2 1044 5
			rb[$kind.$B]=$(rb_of h2 1044)
			lab_stop "$px" 3
		done
	done
	local s
	s="ours rb ${rb[ours.65536]} / ${rb[ours.8388608]}, real ${rb[ref.65536]} / ${rb[ref.8388608]} (net.core.rmem_max $(lab_exec h2 sysctl -n net.core.rmem_max))"
	if [ "${rb[ours.65536]}" = 131072 ] && [ "${rb[ours.8388608]}" = 16777216 ] && [ "${rb[ref.65536]}" = 131072 ]; then
		ok "bufsize: -B 65536 / 8388608: the kernel's doubled size of what -B asks (ss -m skmem): $s$([ "${rb[ref.8388608]}" != 16777216 ] && echo "; NOTE the real one is capped by net.core.rmem_max, ours (root) is not")"
	else
		ko "bufsize: -B 65536 / 8388608: $s, expected 131072 / 16777216"
	fi
}

# ---------------------------------------------------------------- heartbeat
# -H two proxies (one with a port) -h 1 -U: HB_REQ from the client proxy to
# both, about once a second, carrying the -U ID; nobody listens there (the
# ICMP port-unreachable replies must not stop the proxy)
test_heartbeat() {
	local kind px cap s
	declare -A res=()
	for kind in ref ours; do
		s=$W/hb-$kind
		capture h2 cap "$s.pcap" "udp and src host $ip2"
		lab_bg h2 px "$(px_bin "$kind")" -d -c -H "$(lab_ip4 1):1060,$(lab_ip4 3)" -h 1 -U 0x0A0B0C0E \
			>"$s.log" 2>&1 </dev/null
		wait_bound h2 1044 5
		sleep 3.5
		kill -0 "$px" 2>/dev/null && res[$kind.alive]=yes || res[$kind.alive]=no
		lab_stop "$px" 3
		sleep 0.3
		lab_stop "$cap" 3
		pcap_summary "$s.pcap" >"$s.summary"
		res[$kind.a]=$(grep -c -E "^$ip2:1044 $(lab_ip4 1):1060 .*func=14 src_id=0x0A0B0C0E" "$s.summary")
		res[$kind.b]=$(grep -c -E "^$ip2:1044 $(lab_ip4 3):1044 .*func=14 src_id=0x0A0B0C0E" "$s.summary")
		res[$kind.other]=$(grep -c -v -E ' func=14 src_id=0x0A0B0C0E' "$s.summary")
		res[$kind]="HB_REQ with ID 0x0A0B0C0E in 3.5 s: ${res[$kind.a]} to $(lab_ip4 1):1060, ${res[$kind.b]} to $(lab_ip4 3):1044, ${res[$kind.other]} other datagrams; alive: ${res[$kind.alive]}"
	done
	if [ "${res[ours.alive]}" = yes ] && [ "${res[ours.a]}" -ge 3 ] && [ "${res[ours.a]}" -le 5 ] &&
		[ "${res[ours.b]}" -ge 3 ] && [ "${res[ours.b]}" -le 5 ] && [ "${res[ours.other]}" = 0 ]; then
		ok "heartbeat: -H $(lab_ip4 1):1060,$(lab_ip4 3) -h 1 -U 0x0A0B0C0E: ${res[ours]} (real: ${res[ref]})"
	else
		ko "heartbeat: -H -h 1 -U" "ours: ${res[ours]}, expected 3-5 to each, nothing else" "real: ${res[ref]}" \
			"$(tail_of "$W/hb-ours.log" 3)"
	fi
}

# ---------------------------------------------------------------- joins
# server proxy -M two groups -I eth0: both joined on eth0 (ip maddr)
test_joins() {
	local kind px g
	declare -A res=()
	for kind in ref ours; do
		lab_bg h1 px "$(px_bin "$kind")" -d -s "$ip2" -M 230.4.4.1,230.9.9.9 -I eth0 >"$W/joins-$kind.log" 2>&1 </dev/null
		wait_bound h1 1044 5
		sleep 0.3
		res[$kind]=""
		for g in 230.4.4.1 230.9.9.9; do
			lab_exec h1 ip maddr show dev eth0 | grep -q -w "$g" && res[$kind]+="$g "
		done
		lab_stop "$px" 3
	done
	if [ "${res[ours]}" = "230.4.4.1 230.9.9.9 " ] && [ "${res[ours]}" = "${res[ref]}" ]; then
		ok "joins: server proxy -M 230.4.4.1,230.9.9.9 -I eth0: both groups joined on eth0 (as the real one)"
	else
		ko "joins: -M two groups" "ours joined: ${res[ours]:-none}" "real joined: ${res[ref]:-none}"
	fi
}

# ---------------------------------------------------------------- loglevels
# -d -x 0 / 2 / 5 with 5 junk datagrams: the volume grows with the level
test_loglevels() {
	local kind x px
	declare -A n=()
	for kind in ref ours; do
		for x in 0 2 5; do
			lab_bg h2 px "$(px_bin "$kind")" -d -c -x "$x" >"$W/lv-$kind-$x.log" 2>&1 </dev/null
			wait_bound h2 1044 5
			junk 5 "$ip2" 1044
			sleep 0.3
			lab_stop "$px" 3
			n[$kind.$x]=$(wc -l <"$W/lv-$kind-$x.log")
		done
	done
	local s="lines at -x 0/2/5: ours ${n[ours.0]}/${n[ours.2]}/${n[ours.5]}, real ${n[ref.0]}/${n[ref.2]}/${n[ref.5]}"
	if [ "${n[ours.0]}" -lt "${n[ours.2]}" ] && [ "${n[ours.2]}" -lt "${n[ours.5]}" ] &&
		[ "$(grep -c 'dropped' "$W/lv-ours-5.log")" -ge 5 ]; then
		ok "loglevels: -x sets the volume ($s; at -x 5 each junk datagram is logged)"
	else
		ko "loglevels: -x 0/2/5 ($s)" "$(tail_of "$W/lv-ours-5.log" 3)"
	fi
}

# ---------------------------------------------------------------- memory
# The address space limited (ulimit -v, 3000 KB up in steps of 500) from
# "the libraries do not load" to "it runs": every step must end in a reported error (127 loader, 3 crypto
# library, 5 "out of memory") or a running proxy, never a crash, and some
# step must give exit 5 (man: 5 out of memory).  Not with a sanitizer build
# (its shadow memory needs terabytes of address space).
test_memory() {
	if grep -q -a __asan_init "$(px_bin ours)"; then
		echo "# memory: not run with a sanitizer build (ulimit -v)"
		return
	fi
	local kind v rc out=() five=0 bad=()
	declare -A seen=()
	for kind in ref ours; do
		out=()
		for ((v = 3000; v <= 40000; v += 500)); do
			lab_exec h2 bash -c "ulimit -v $v; exec timeout -k 1 1 $(px_bin "$kind") -d -c" \
				>"$W/mem-$kind-$v.out" 2>&1 </dev/null
			rc=$?
			out+=("$v:$rc")
			if [ "$kind" = ours ]; then
				case $rc in
				124 | 127) ;;
				3) grep -q -i 'crypto' "$W/mem-$kind-$v.out" || bad+=("ulimit -v $v: exit 3 without a message") ;;
				5) five=1
					grep -q -i 'out of memory' "$W/mem-$kind-$v.out" || bad+=("ulimit -v $v: exit 5 without a message") ;;
				*) bad+=("ulimit -v $v: exit $rc: $(head -c 200 "$W/mem-$kind-$v.out")") ;;
				esac
			fi
			kill_in h2
			[ "$rc" = 124 ] && break # runs: enough memory from here on
		done
		seen[$kind]="${out[*]}"
	done
	[ "$five" = 1 ] || bad+=("no step gave exit 5")
	if [ ${#bad[@]} = 0 ]; then
		ok "memory: ulimit -v KB:exit ours ${seen[ours]} (NOTE the real one: ${seen[ref]}; 139 = SIGSEGV)"
	else
		ko "memory: ulimit -v ladder" "${bad[@]}" "ours: ${seen[ours]}" "real: ${seen[ref]}"
	fi
}

# ---------------------------------------------------------------- wire
# pcap_summary FILE: one line per IPv4/UDP datagram:
# "SRC:SPORT DST:DPORT ttl=N tos=0xNN func=N src_id=0xNNNNNNNN"
pcap_summary() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
if len(d) < 24:
    sys.exit(0)
le = d[:4] == b'\xd4\xc3\xb2\xa1' or d[:4] == b'\x4d\x3c\xb2\xa1'
e = '<' if le else '>'
link = struct.unpack(e + 'I', d[20:24])[0]
off = 24
while off + 16 <= len(d):
    incl = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
    p = d[off + 16:off + 16 + incl]
    off += 16 + incl
    if link == 1:
        if len(p) < 14 or p[12:14] != b'\x08\x00':
            continue
        p = p[14:]
    elif link == 113:
        p = p[16:]
    if len(p) < 28 or p[0] >> 4 != 4 or p[9] != 17:
        continue
    ihl = (p[0] & 15) * 4
    tos, ttl = p[1], p[8]
    src = '.'.join(str(b) for b in p[12:16])
    dst = '.'.join(str(b) for b in p[16:20])
    sp, dp = struct.unpack('>HH', p[ihl:ihl + 4])
    u = p[ihl + 8:]
    func = u[1] if len(u) > 1 else -1
    sid = '0x%08X' % struct.unpack('>I', u[4:8])[0] if len(u) >= 8 else '-'
    print('%s:%d %s:%d ttl=%d tos=0x%02x func=%d src_id=%s' % (src, sp, dst, dp, ttl, tos, func, sid))
EOF
}

capture() { # capture HOST VAR FILE FILTER [IFACE (eth0)]
	local k
	lab_bg "$1" "$2" tcpdump --immediate-mode -i "${5:-eth0}" -n -U -s 200 -w "$3" "$4" 2>"$3.err"
	for ((k = 0; k < 50; k++)); do
		grep -q "listening on" "$3.err" 2>/dev/null && return 0
		sleep 0.1
	done
}

wire_one() {
	local kind=$1 sp cp ud c1 c2 k
	local d=$W/wire-$kind
	mkdir -p "$d/dest"
	capture h1 c1 "$d/h1.pcap" "udp and src host $(lab_ip4 1)"
	capture h2 c2 "$d/h2.pcap" "udp and src host $(lab_ip4 2)"
	lab_bg h1 sp "$(px_bin "$kind")" -d -s "$ip2" -p 1050 -q 2000 -Q 12 -x 3 >"$d/sp.log" 2>&1 </dev/null
	lab_bg h2 cp "$(px_bin "$kind")" -d -c -p 2000 -q 2001 -t 3 -Q 10 -U 0x0A0B0C0D -N 5 -B 1048576 -x 3 \
		>"$d/cp.log" 2>&1 </dev/null
	lab_bg h3 ud "$UFTPD_REF" -d -p 2001 -D "$d/dest" >"$d/uftpd.log" 2>&1 </dev/null
	wait_bound h1 1050 5
	wait_bound h2 2000 5
	wait_bound h3 2001 5
	W_NICE=$(awk '{print $19}' "/proc/$cp/stat" 2>/dev/null)
	W_RB=$(rb_of h2 2000)
	bound_in h2 1044 && W_P=1044 || W_P=none
	(cd "$SRC" && lab_exec h0 timeout -k 2 30 "$UFTP_REF" -I eth0 -M 230.4.4.1 -P 230.5.5.1 -p 1050 \
		-R 50000 -r 0.1 hello.txt rand.bin) >"$d/uftp.log" 2>&1
	W_RC=$?
	sleep 0.3
	for k in "$sp" "$cp"; do
		kill -0 "$k" 2>/dev/null || echo "a proxy exited during the session" >>"$d/problems"
	done
	lab_stop "$ud" 3
	lab_stop "$sp" 3
	lab_stop "$cp" 3
	sleep 0.5
	lab_stop "$c1" 3
	lab_stop "$c2" 3
	{
		echo "nice=$W_NICE rb=$W_RB on1044=$W_P rc=$W_RC"
		pcap_summary "$d/h1.pcap"
		pcap_summary "$d/h2.pcap"
	} >"$d/summary"
}

# wire_facts KIND -> one line of what the captures and /proc showed
wire_facts() {
	local s=$W/wire-$1/summary
	local head mc tun reg ann
	head=$(head -1 "$s")
	# re-multicast by the client proxy (h2 -> 224/4)
	mc=$(grep -E "^$(lab_ip4 2):[0-9]+ 2[23][0-9]\." "$s" | awk '{split($1,a,":"); split($2,b,":"); print "sport=" a[2], "dport=" b[2], $3, $4}' | sort -u | tr '\n' ' ')
	ann=$(grep -E "^$(lab_ip4 2):[0-9]+ 230\.4\.4\.1:[0-9]+ .*func=1 " "$s" | head -1 | awk '{print $3, $4}')
	# the tunnel (h1 -> h2)
	tun=$(grep -E "^$(lab_ip4 1):[0-9]+ $ip2:" "$s" | awk '{split($1,a,":"); split($2,b,":"); print "sport=" a[2], "dport=" b[2], $4}' | sort -u | tr '\n' ' ')
	# the client proxy's REGISTER to the server proxy
	reg=$(grep -E "^$ip2:[0-9]+ $(lab_ip4 1):[0-9]+ .*func=2 " "$s" | awk '{print $6}' | sort -u | tr '\n' ' ')
	echo "$head | client proxy multicast: ${mc:-none} | ANNOUNCE re-multicast: ${ann:-none} | tunnel: ${tun:-none} | REGISTER ${reg:-none}"
}

# session_src TEXT: $SRC with hello.txt (TEXT) and rand.bin (200000 bytes)
session_src() {
	SRC=$W/src
	mkdir -p "$SRC"
	printf '%s\n' "$1" >"$SRC/hello.txt"
	head -c 200000 /dev/urandom >"$SRC/rand.bin"
}

test_wire() {
	session_src 'hello through two proxies'
	wire_one ref
	wire_one ours
	local why=() f
	local fo fr
	fo=$(wire_facts ours)
	fr=$(wire_facts ref)
	local s=$W/wire-ours/summary
	grep -q '^nice=5 ' "$s" || why+=("nice value not 5 (-N 5): $(head -1 "$s")")
	grep -q ' rb=2097152 ' "$s" || why+=("receive buffer not 2 x 1048576 (-B): $(head -1 "$s")")
	grep -q ' on1044=none ' "$s" || why+=("the client proxy listens on 1044 despite -p 2000")
	grep -q ' rc=0$' "$s" || why+=("uftp exit status not 0")
	for f in hello.txt rand.bin; do
		cmp -s "$SRC/$f" "$W/wire-ours/dest/$f" || why+=("$f not delivered intact")
	done
	[ -e "$W/wire-ours/problems" ] && why+=("$(cat "$W/wire-ours/problems")")
	local mc
	mc=$(grep -E "^$ip2:[0-9]+ 2[23][0-9]\." "$s")
	[ -n "$mc" ] || why+=("no multicast from the client proxy captured")
	! echo "$mc" | grep -q -v ' ttl=3 ' || why+=("multicast with a TTL other than 3 (-t 3)")
	! echo "$mc" | grep -q -v ' tos=0x28 ' || why+=("multicast with a TOS other than 0x28 (-Q 10)")
	! echo "$mc" | grep -q -v -E "^$ip2:2000 [0-9.]+:2001 " || why+=("multicast not from port 2000 (-p) to port 2001 (-q)")
	echo "$mc" | grep -q -E "^$ip2:2000 230\.4\.4\.1:2001 .*func=1 " || why+=("no re-multicast ANNOUNCE to 230.4.4.1:2001")
	echo "$mc" | grep -q -E "^$ip2:2000 230\.5\.5\.1:2001 .*func=9 " || why+=("no re-multicast FILESEG to 230.5.5.1:2001")
	local counts
	counts="$(echo "$mc" | grep -c ' func=1 ') ANNOUNCE and $(echo "$mc" | grep -c ' func=9 ') FILESEG re-multicast"
	grep -q -E "^$ip2:2000 $(lab_ip4 1):1050 .*func=2 src_id=0x0A0B0C0D" "$s" ||
		why+=("no REGISTER from the client proxy with its -U ID 0x0A0B0C0D to the server proxy's port 1050")
	! grep -E "^$ip2:[0-9]+ $(lab_ip4 1):" "$s" | grep -q -v ' tos=0x28 ' || why+=("upstream datagrams without TOS 0x28")
	local tun
	tun=$(grep -E "^$(lab_ip4 1):[0-9]+ $ip2:" "$s")
	[ -n "$tun" ] || why+=("no tunnel datagrams from the server proxy")
	! echo "$tun" | grep -q -v -E "^$(lab_ip4 1):1050 $ip2:2000 " || why+=("tunnel not from port 1050 (-p) to port 2000 (-q)")
	! echo "$tun" | grep -q -v ' tos=0x30 ' || why+=("tunnel datagrams without TOS 0x30 (-Q 12)")
	il_sanitized "$W/wire-ours/sp.log" && why+=("sanitizer report in the server proxy's log")
	il_sanitized "$W/wire-ours/cp.log" && why+=("sanitizer report in the client proxy's log")
	if [ ${#why[@]} = 0 ] && [ "$fo" = "$fr" ]; then
		ok "wire: $fo; $counts (the same with the real proxies)"
	elif [ ${#why[@]} = 0 ]; then
		ok "wire: ours: $fo; $counts (NOTE the real proxies differ: $fr)"
	else
		ko "wire: session through the proxies" "${why[@]}" "ours: $fo" "real: $fr" \
			"$(tail_of "$W/wire-ours/uftp.log" 3)" "$(tail_of "$W/wire-ours/cp.log" 3)"
	fi
}

# ---------------------------------------------------------------- outif
# -O: the client proxy multicasts by the interface it names.  h2 and h3 get a
# link of their own (eth1, 198.18.7.0/24); the real uftpd in h3 listens on
# eth1 only, so the files arrive only if the re-multicast leaves h2 by eth1.
OUT2=198.18.7.2 OUT3=198.18.7.3
outif_link() {
	local n2 n3
	n2=$(lab_ns h2) n3=$(lab_ns h3)
	ip -n "$n2" link show eth1 >/dev/null 2>&1 && return 0
	ip -n "$n2" link add eth1 type veth peer name eth1 netns "$n3" &&
		ip -n "$n2" addr add "$OUT2/24" dev eth1 && ip -n "$n2" link set eth1 up &&
		ip -n "$n3" addr add "$OUT3/24" dev eth1 && ip -n "$n3" link set eth1 up
}
# outif_one KIND OUT: real uftp (h0) -> server proxy KIND (h1) -> client proxy
# KIND (h2, -O OUT) -> real uftpd (h3, -I eth1); multicast from h2 captured
# on each of its links
outif_one() {
	local kind=$1 out=$2 sp cp ud c0 c1 k f
	local d=$W/outif-$kind-$2
	mkdir -p "$d/dest"
	f="udp and dst net 224.0.0.0/4 and not src host $(lab_ip4 0)"
	capture h2 c0 "$d/eth0.pcap" "$f" eth0
	capture h2 c1 "$d/eth1.pcap" "$f" eth1
	lab_bg h1 sp "$(px_bin "$kind")" -d -s "$ip2" -x 3 >"$d/sp.log" 2>&1 </dev/null
	lab_bg h2 cp "$(px_bin "$kind")" -d -c -O "$out" -x 3 >"$d/cp.log" 2>&1 </dev/null
	lab_bg h3 ud "$UFTPD_REF" -d -I eth1 -D "$d/dest" >"$d/uftpd.log" 2>&1 </dev/null
	wait_bound h1 1044 5
	wait_bound h2 1044 5
	wait_bound h3 1044 5
	(cd "$SRC" && lab_exec h0 timeout -k 2 30 "$UFTP_REF" -I eth0 -M 230.4.4.1 -P 230.5.5.2 \
		-R 50000 -r 0.1 hello.txt rand.bin) >"$d/uftp.log" 2>&1
	echo "$?" >"$d/rc"
	sleep 0.3
	for k in "$sp" "$cp"; do
		kill -0 "$k" 2>/dev/null || echo "a proxy exited during the session" >>"$d/problems"
	done
	lab_stop "$ud" 3
	lab_stop "$sp" 3
	lab_stop "$cp" 3
	sleep 0.3
	lab_stop "$c0" 3
	lab_stop "$c1" 3
}
# outif_facts DIR -> "N by eth0, M by eth1 (from ADDR)"
outif_facts() {
	local n0 n1 src
	n0=$(pcap_summary "$1/eth0.pcap" | grep -c .)
	n1=$(pcap_summary "$1/eth1.pcap" | grep -c .)
	src=$(pcap_summary "$1/eth1.pcap" | awk '{split($1, a, ":"); print a[1]}' | sort -u | tr '\n' ' ')
	echo "$n0 multicast by eth0, $n1 by eth1 (from ${src:-nobody})"
}
test_outif() {
	session_src 'out by eth1'
	outif_link || { ko "outif: second link between h2 and h3"; return; }
	local kind out why f fo fr
	for out in eth1 "$OUT2"; do
		for kind in ref ours; do
			outif_one "$kind" "$out"
		done
		fo=$(outif_facts "$W/outif-ours-$out")
		fr=$(outif_facts "$W/outif-ref-$out")
		why=()
		for kind in ours ref; do
			[ "$(cat "$W/outif-$kind-$out/rc")" = 0 ] || why+=("$kind: uftp exit $(cat "$W/outif-$kind-$out/rc")")
			for f in hello.txt rand.bin; do
				cmp -s "$SRC/$f" "$W/outif-$kind-$out/dest/$f" || why+=("$kind: $f not delivered intact by eth1")
			done
			[ -e "$W/outif-$kind-$out/problems" ] && why+=("$kind: $(cat "$W/outif-$kind-$out/problems")")
		done
		[[ "$fo" == "0 multicast by eth0, "* ]] || why+=("ours multicast by eth0 despite -O $out: $fo")
		[[ "$fo" == *"(from $OUT2 )" ]] || why+=("ours: not (only) from $OUT2 on eth1: $fo")
		il_sanitized "$W/outif-ours-$out/cp.log" && why+=("sanitizer report in the client proxy's log")
		if [ ${#why[@]} = 0 ]; then
			ok "outif: -O $out: $fo; files delivered to a uftpd on eth1 only (real proxies: $fr)"
		else
			ko "outif: -O $out" "${why[@]}" "ours: $fo" "real: $fr" "$(tail_of "$W/outif-ours-$out/cp.log" 3)" \
				"$(tail_of "$W/outif-ours-$out/uftp.log" 3)"
		fi
	done
}

# ---------------------------------------------------------------- main
# Our sanitizer build's reports (daemons have no stderr) go to files; the
# real binaries are not instrumented.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$W/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$W/sanitizer"
# ---------------------------------------------------------------- --user
test_user() {
	local uid gid px k got want rc why=()
	uid=$(id -u nobody 2>/dev/null) gid=$(getent group nogroup | cut -d: -f3)
	if [ -z "$uid" ] || [ -z "$gid" ]; then
		ok "user: skipped (no user nobody or group nogroup on this machine)"
		return
	fi
	lab_bg h2 px "$(px_bin ours)" -d -c --user nobody:nogroup >"$W/user.log" 2>&1 </dev/null
	for ((k = 0; k < 50; k++)); do
		grep -q "listening on port" "$W/user.log" 2>/dev/null && break
		sleep 0.1
	done
	got=$(awk '/^Uid:/ {u = $2 "/" $5} /^Gid:/ {g = $2 "/" $5} /^Groups:/ {$1 = ""; gr = $0}
		END {print "uid " u " gid " g " groups" gr}' "/proc/$px/status" 2>/dev/null)
	want="uid $uid/$uid gid $gid/$gid groups $gid"
	[ "$got" = "$want" ] || why+=("/proc status: '$got', want '$want'")
	grep -q "uftpproxyd (uftp-ng) [0-9.]*: client proxy listening" "$W/user.log" || why+=("no version in the start-up line")
	kill -TERM "$px" 2>/dev/null
	lab_wait_pid "$px" 5
	rc=$?
	[ "$rc" = 6 ] || why+=("SIGTERM: exit $rc, want 6")
	lab_exec h2 timeout -k 1 5 "$(px_bin ours)" -d -c --user no-such-user-xyz >"$W/user-bad.log" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 1 ] && grep -q "no such user" "$W/user-bad.log" || why+=("--user no-such-user-xyz: exit $rc, $(head -c 200 "$W/user-bad.log")")
	"$(px_bin ours)" --version | grep -qx "uftpproxyd (uftp-ng) [0-9][0-9.]*" || why+=("--version: $("$(px_bin ours)" --version)")
	if [ ${#why[@]} = 0 ]; then
		ok "user: --user nobody:nogroup: $got; SIGTERM exit 6; an unknown user: exit 1; --version"
	else
		ko "user: --user nobody:nogroup" "${why[@]}" "$(tail_of "$W/user.log" 4)"
	fi
}

ALL_CASES="badopts signals daemon pidfile_taken sighup rolling keygen bufsize heartbeat joins loglevels memory wire outif user"
il_run_cases "$ALL_CASES"
il_lab_down
if grep -q -a __asan_init "$(px_bin ours)"; then
	if ls "$W"/sanitizer* >/dev/null 2>&1; then
		ko "sanitizers: reports from our uftpproxyd" "$(head -c 1500 "$W"/sanitizer* 2>/dev/null)"
	else
		ok "sanitizers: no ASan/UBSan report from any of our uftpproxyd processes (daemons included)"
	fi
fi
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
