# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# tests/interop/lib.sh - run UFTP sessions between our programs and the real
# UFTP 4.10.2 in a network-namespace lab, and check what arrived.
# Sourceable library (bash); run directly it performs its own self-test
# (real uftp -> real uftpd, plus the tree comparator catching planted
# differences): `sudo bash tests/interop/lib.sh [build_dir]`.
#
#   . tests/interop/lib.sh
#   il_init BUILD_DIR              # work dir, traps; ours = BUILD_DIR/uftp(d)
#   il_have ours server || echo "our uftp is not built"
#   il_keys                        # fresh TEST-ONLY keys in $IL_WORK/keys
#   il_lab 2                       # server h0, receivers h1..h2
#   il_make_tree "$IL_WORK/src" small
#   il_recv 1 ref "$IL_WORK/d1" -k "$IL_KEYS/client1_rsa.pem"
#   il_recv 2 ours "$IL_WORK/d2"
#   il_wait_recvs || ...
#   il_server ours 60 "$IL_WORK/src" -Y aes256-gcm ... -- file1 dir1
#   il_stop_recvs                  # sets IL_RALIVE[i]=0 if a receiver had died
#   il_compare "$IL_WORK/src" "$IL_WORK/d1" || ...
#   il_lab_down
#
# Settings (set before the calls; defaults in il_init):
#   IL_V6=1        IPv6 multicast (ff15::4:4:1 / ff15::5:5:x), -I <address>
#   IL_UNICAST=1   server sends to receiver 1's unicast address (-M <addr>)
#   IL_RATE        uftp -R (Kbps), default 50000
#   IL_GRTT        uftp -r value, default 0.1 (shorter announce phase)
#   IL_PORT        UDP port, default 1044
#   IL_UMASK       receivers' umask, default 022 (expected modes derive from it)
#   IL_DAEMON=1    receivers run as daemons (no -d; -P pidfile, -L logfile)
#   IL_SHOST       host index the server runs on (default 0)
#   IL_PRIV        private group for uftp -P (default 230.5.5.x / ff15::5:5:x)
#   IL_SLOG_TAG    suffix for the server log name (several servers per lab)
#   IL_SERVER_WRAP array: command prefix for uftp (e.g. /usr/bin/time -o f)
#   UFTP_REF, UFTPD_REF, UFTP_KEYMGT_REF   the real binaries (/usr/bin/...)
#
# Every wait is bounded; receivers are stopped by PID; il_init's trap tears
# every lab down and removes the work dir (unless KEEP=1) on any exit.

IL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${LAB_PREFIX:=il$$-}"
# shellcheck source=../../scripts/netns-lab.sh
. "$IL_TOP/scripts/netns-lab.sh"

: "${UFTP_REF:=/usr/bin/uftp}"
: "${UFTPD_REF:=/usr/bin/uftpd}"
: "${UFTP_KEYMGT_REF:=/usr/bin/uftp_keymgt}"
IL_TREECMP=$IL_TOP/tests/tools/treecmp.py
IL_BUILD=""
IL_WORK=""
IL_LABNO=0
IL_LAB=""
declare -a IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=() IL_RDLOG=()
IL_SRC_RC=""
IL_SLOG=""
IL_SCMD=""
declare -a IL_SERVER_WRAP=()

# il_init [BUILD_DIR]: defaults, work dir $IL_WORK, cleanup trap on exit.
il_init() {
	IL_BUILD=${1:-$IL_TOP/build/default}
	[ -d "$IL_BUILD" ] && IL_BUILD=$(cd "$IL_BUILD" && pwd)
	: "${IL_RATE:=50000}" "${IL_GRTT:=0.1}" "${IL_PORT:=1044}" "${IL_UMASK:=022}"
	: "${IL_V6:=0}" "${IL_UNICAST:=0}"
	IL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/uftp-interop.XXXXXX") || return 1
	chmod 755 "$IL_WORK"
	umask "$IL_UMASK"
	trap il_cleanup EXIT
	trap 'exit 130' INT TERM
}

# il_cleanup: stop everything we started, remove labs and (unless KEEP=1) files.
il_cleanup() {
	lab_down_all 2>/dev/null
	[ -n "$IL_WORK" ] || return 0
	if [ -n "${KEEP:-}" ]; then
		echo "logs and trees kept in $IL_WORK" >&2
	else
		rm -rf "$IL_WORK"
	fi
}

# il_bin KIND ROLE -> path of the program (KIND ours|ref, ROLE server|client|keymgt)
il_bin() {
	case "$1/$2" in
	ours/server) echo "$IL_BUILD/uftp" ;;
	ours/client) echo "$IL_BUILD/uftpd" ;;
	ours/keymgt) echo "$IL_BUILD/uftp_keymgt" ;;
	ref/server) echo "$UFTP_REF" ;;
	ref/client) echo "$UFTPD_REF" ;;
	ref/keymgt) echo "$UFTP_KEYMGT_REF" ;;
	*) echo "il_bin: bad kind/role $1/$2" >&2; return 2 ;;
	esac
}

# il_have KIND ROLE: the program exists and is executable
il_have() { local b; b=$(il_bin "$1" "$2") && [ -x "$b" ]; }

# il_lab N: a fresh lab with the server h0 and N receivers h1..hN (current lab).
il_lab() {
	IL_LABNO=$((IL_LABNO + 1))
	IL_LAB=s$IL_LABNO
	IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=() IL_RDLOG=()
	IL_SLOG=/dev/null IL_SRC_RC="" IL_SCMD=""
	lab_up "$IL_LAB" $(($1 + 1))
}

il_lab_down() { [ -n "$IL_LAB" ] && lab_down "$IL_LAB"; IL_LAB=""; }

# il_addr I -> host I's address for the current family
il_addr() { if [ "$IL_V6" = 1 ]; then lab_ip6 "$1"; else lab_ip4 "$1"; fi; }

# il_id I -> the UFTP client ID of host I (IPv6: last 4 bytes reversed, as 4.10.2)
il_id() {
	if [ "$IL_V6" = 1 ]; then
		python3 -c 'import ipaddress,sys; print("0x%s" % ipaddress.IPv6Address(sys.argv[1]).packed[-4:][::-1].hex().upper())' "$(lab_ip6 "$1")"
	else
		lab_id "$1"
	fi
}

il_pub() {
	if [ "$IL_UNICAST" = 1 ]; then il_addr 1
	elif [ "$IL_V6" = 1 ]; then echo ff15::4:4:1
	else echo 230.4.4.1; fi
}
il_priv() {
	if [ -n "${IL_PRIV:-}" ]; then echo "$IL_PRIV"
	elif [ "$IL_V6" = 1 ]; then echo ff15::5:5:x
	else echo 230.5.5.x; fi
}
il_if() { if [ "$IL_V6" = 1 ]; then lab_ip6 "$1"; else echo eth0; fi; }

# il_recv I KIND DEST [uftpd options...]: start a receiver (foreground mode,
# -d -q) in host hI writing to DEST (uftpd -D: one dir or a comma list); its output goes to $IL_WORK/<lab>-uftpd<I>.log.
il_recv() {
	local i=$1 kind=$2 dest=$3 bin pub
	shift 3
	bin=$(il_bin "$kind" client) || return 2
	local -a roots
	IFS=, read -r -a roots <<<"$dest"
	mkdir -p "${roots[@]}"
	pub=$(il_pub)
	[ "$IL_UNICAST" = 1 ] && pub=230.4.4.1 # listens on its own address anyway
	IL_RKIND[i]=$kind
	IL_RLOG[i]=$IL_WORK/$IL_LAB-uftpd$i.log
	IL_RALIVE[i]=1
	local -a cmd=("$bin" -d -q -p "$IL_PORT" -D "$dest" -M "$pub" -I "$(il_if "$i")" "$@")
	if [ "${IL_DAEMON:-0}" = 1 ]; then
		il_recv_daemon "$i" "${cmd[0]}" "${cmd[@]:2}"
		return
	fi
	echo "# $kind uftpd on h$i ($(il_addr "$i"), ID $(il_id "$i")): ${cmd[*]}" >"${IL_RLOG[i]}"
	lab_bg "h$i" "IL_RPID[$i]" "${cmd[@]}" >>"${IL_RLOG[i]}" 2>&1
}

# il_recv_daemon I BIN ARGS...: (IL_DAEMON=1) start uftpd as a daemon (no -d),
# with -P pidfile and -L logfile; waits (bounded) for the starter to exit and
# the pidfile to name a live process, which becomes IL_RPID[I]. On failure IL_RPID[I] is the starter's PID (exited).
il_recv_daemon() {
	local i=$1 bin=$2 starter k pid=""
	shift 2
	local pf=$IL_WORK/$IL_LAB-uftpd$i.pid lf=$IL_WORK/$IL_LAB-uftpd$i.daemon.log
	rm -f "$pf"
	echo "# ${IL_RKIND[i]} uftpd daemon on h$i: $bin $* -P $pf -L $lf (log follows at the end)" >"${IL_RLOG[i]}"
	lab_bg "h$i" starter "$bin" "$@" -P "$pf" -L "$lf" >>"${IL_RLOG[i]}" 2>&1
	lab_wait_pid "$starter" 10 >/dev/null
	echo "# starter exit status $?" >>"${IL_RLOG[i]}"
	for ((k = 0; k < 50; k++)); do
		pid=$(tr -dc 0-9 <"$pf" 2>/dev/null)
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && break
		pid=""
		sleep 0.1
	done
	# not lab_track'ed: lab_down kills whatever still runs in the namespace,
	# and would wait on a daemon left as an unreaped zombie
	if [ -n "$pid" ]; then
		IL_RPID[i]=$pid
	else
		IL_RPID[i]=$starter
	fi
	IL_RDLOG[i]=$lf
}

# il_wait_recvs [TIMEOUT_S]: wait (bounded, all receivers at once) until every
# started receiver has bound its port. On failure returns 1 and appends one
# line per culprit (exited at start-up, with its last log line; or not bound)
# to the array IL_ERR.
il_wait_recvs() {
	local t=${1:-10} i k left
	for ((k = 0; k <= t * 10; k++)); do
		left=0
		for i in "${!IL_RPID[@]}"; do
			kill -0 "${IL_RPID[i]}" 2>/dev/null || continue
			[ -n "$(lab_exec "h$i" ss -Huln "sport = :$IL_PORT" 2>/dev/null)" ] || left=1
		done
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	local rc=0
	for i in "${!IL_RPID[@]}"; do
		if ! kill -0 "${IL_RPID[i]}" 2>/dev/null; then
			wait "${IL_RPID[i]}" 2>/dev/null
			IL_RRC[i]=$?
			IL_RALIVE[i]=0
			IL_ERR+=("receiver h$i (${IL_RKIND[i]}) exited at start-up (status ${IL_RRC[i]}): $(grep -v '^#' "${IL_RLOG[i]}" | tail -1)")
			rc=1
		elif [ -z "$(lab_exec "h$i" ss -Huln "sport = :$IL_PORT" 2>/dev/null)" ]; then
			IL_ERR+=("receiver h$i (${IL_RKIND[i]}) did not bind udp/$IL_PORT within ${t}s")
			rc=1
		fi
	done
	return $rc
}

# il_server KIND TIMEOUT_S SRCDIR [uftp options...] -- FILES...
# Runs uftp in h0 (h$IL_SHOST) from SRCDIR with the lab's addresses (-I -M -P -p -R -r) and
# the given options; exit status in IL_SRC_RC (124: killed by the timeout),
# output in IL_SLOG, command line in IL_SCMD.
il_server() {
	local kind=$1 t=$2 dir=$3 bin
	shift 3
	bin=$(il_bin "$kind" server) || return 2
	local -a opts=() files=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	files=("$@")
	local sh=${IL_SHOST:-0}
	local -a cmd=("$bin" -I "$(il_if "$sh")" -M "$(il_pub)" -p "$IL_PORT" -R "$IL_RATE" -r "$IL_GRTT")
	[ "$IL_UNICAST" = 1 ] || cmd+=(-P "$(il_priv)")
	cmd+=("${opts[@]}" "${files[@]}")
	IL_SLOG=$IL_WORK/$IL_LAB-uftp${IL_SLOG_TAG:-}.log
	IL_SCMD="(cd $dir && ${cmd[*]})"
	echo "# $kind uftp on h$sh: $IL_SCMD" >"$IL_SLOG"
	(cd "$dir" && lab_exec "h$sh" timeout -k 2 "$t" "${IL_SERVER_WRAP[@]}" "${cmd[@]}") >>"$IL_SLOG" 2>&1
	IL_SRC_RC=$?
	return 0
}

# il_capture_start / il_capture_stop: tcpdump of every UDP datagram on the
# server's eth0 into $IL_WORK/<lab>.pcap (bounded start-up wait; decode with
# tshark -r FILE -d udp.port==1044,uftp). No-op when tcpdump is missing.
IL_CAP_PID=""
il_capture_start() {
	command -v tcpdump >/dev/null || return 0
	local k f=$IL_WORK/$IL_LAB.pcap
	lab_bg h0 IL_CAP_PID tcpdump -i eth0 -n -U -B 8192 -s 0 -w "$f" udp 2>"$IL_WORK/$IL_LAB-tcpdump.err"
	for ((k = 0; k < 50; k++)); do
		grep -q "listening on" "$IL_WORK/$IL_LAB-tcpdump.err" 2>/dev/null && return 0
		sleep 0.1
	done
}
il_capture_stop() { [ -n "$IL_CAP_PID" ] && lab_stop "$IL_CAP_PID" 3; IL_CAP_PID=""; }

# il_gone PID: the process is gone or a zombie (a daemon is not our child;
# it may stay a zombie if nobody reaps orphans)
il_gone() {
	local st
	kill -0 "$1" 2>/dev/null || return 0
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$st" ] || [ "$st" = Z ]
}

# il_stop_daemon PID: SIGTERM, up to 3 s, then SIGKILL (PID from our pidfile)
il_stop_daemon() {
	local k
	kill -TERM "$1" 2>/dev/null
	for ((k = 0; k < 30; k++)); do
		il_gone "$1" && return 0
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
}

# il_stop_recvs: stop every receiver by PID. IL_RALIVE[i]=0 and IL_RRC[i]=status
# when receiver i had already exited (crash or premature exit).
il_stop_recvs() {
	local i
	for i in "${!IL_RPID[@]}"; do
		if [ "${IL_RALIVE[i]}" = 0 ]; then
			continue
		elif [ -n "${IL_RDLOG[i]:-}" ] && ! il_gone "${IL_RPID[i]}"; then
			il_stop_daemon "${IL_RPID[i]}"
		elif kill -0 "${IL_RPID[i]}" 2>/dev/null; then
			lab_stop "${IL_RPID[i]}" 3
		else
			wait "${IL_RPID[i]}" 2>/dev/null
			IL_RRC[i]=$?
			IL_RALIVE[i]=0
		fi
		if [ -n "${IL_RDLOG[i]:-}" ]; then
			cat "${IL_RDLOG[i]}" >>"${IL_RLOG[i]}" 2>/dev/null
		fi
	done
}

# il_compare SRC DST: names, types, sizes, contents, modes (0666/0777 minus
# IL_UMASK), file mtimes, symlink targets. Prints the differences; 0 if equal.
il_compare() { python3 "$IL_TREECMP" --umask "$IL_UMASK" "$@"; }

# il_sanitized LOG: 0 if LOG holds a sanitizer or assertion report
il_sanitized() {
	grep -E -q 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|Assertion .* failed' "$1" 2>/dev/null
}

# il_drop I PCT: random drop of PCT % of UDP arriving at host I (0 removes)
il_drop() { lab_drop "h$1" "$2" in; }

# il_make_tree DIR small|full: the source tree. Every mtime is fixed (whole
# seconds, distinct per file) so the receivers' copies can be checked.
#   small: a 0-byte file, a name with spaces, 30 KB pattern, nested dirs, an
#          empty dir, a relative symlink
#   full:  small + 1 MB and 3 MB random files, a 1301-byte file (one byte past a
#          block), a deeper tree, a symlink to a directory and a dangling one
il_make_tree() {
	local d=$1 kind=${2:-small}
	rm -rf "$d"
	mkdir -p "$d/dir/sub" "$d/dir/empty"
	: >"$d/zero.bin"
	printf 'Hello from the UFTP interop suite.\n' >"$d/hello.txt"
	printf 'a name with spaces\n' >"$d/name with spaces.txt"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(30000)))' >"$d/pattern.bin"
	printf 'inner file\n' >"$d/dir/sub/inner.txt"
	ln -s sub/inner.txt "$d/dir/link"
	if [ "$kind" = full ]; then
		mkdir -p "$d/tree/a/b/c" "$d/tree/x"
		head -c 1048576 /dev/urandom >"$d/tree/one-mb.bin"
		head -c 3145728 /dev/urandom >"$d/tree/a/three-mb.bin"
		head -c 1301 /dev/urandom >"$d/tree/a/b/c/1301.bin"
		printf 'deep\n' >"$d/tree/a/b/c/deep file.txt"
		head -c 100000 /dev/urandom >"$d/tree/x/100k.bin"
		ln -s ../a/b "$d/tree/x/to-dir"
		ln -s does/not/exist "$d/tree/dangling"
	fi
	chmod 755 "$d" "$d/dir" "$d/dir/sub"
	local t=1500000000 f
	while IFS= read -r -d '' f; do
		t=$((t + 86413))
		touch -h -d "@$t" "$f"
	done < <(find "$d" -mindepth 1 -print0 | sort -z)
}

# il_keys [DIR]: fresh TEST-ONLY keys made with the real uftp_keymgt (ours if
# the real one is missing): server_rsa.pem (1024), server_ec.pem (prime256v1),
# client<i>_rsa.pem and client<i>_ec.pem for i = 1..3. Sets IL_KEYS.
il_keys() {
	IL_KEYS=${1:-$IL_WORK/keys}
	local km f spec
	km=$(il_bin ref keymgt)
	[ -x "$km" ] || km=$(il_bin ours keymgt)
	[ -x "$km" ] || { echo "il_keys: no uftp_keymgt" >&2; return 1; }
	mkdir -p "$IL_KEYS"
	for f in server_rsa:rsa:1024 server_ec:ec:prime256v1 client1_rsa:rsa:1024 \
		client2_rsa:rsa:1024 client3_rsa:rsa:1024 client1_ec:ec:prime256v1 \
		client2_ec:ec:prime256v1 client3_ec:ec:prime256v1; do
		spec=${f#*:}
		"$km" -g "$spec" "$IL_KEYS/${f%%:*}.pem" >/dev/null 2>&1 ||
			{ echo "il_keys: $km -g $spec failed" >&2; return 1; }
		chmod 600 "$IL_KEYS/${f%%:*}.pem"
	done
}

# il_fp KEYFILE -> fingerprint as uftp_keymgt prints it
il_fp() {
	local km
	km=$(il_bin ref keymgt)
	[ -x "$km" ] || km=$(il_bin ours keymgt)
	"$km" "$1" 2>&1 | sed -n 's/.*fingerprint: *\([0-9A-Fa-f:]*\).*/\1/p' | head -1
}

# il_logs: paths of the current lab's logs (for failure reports)
il_logs() { ls "$IL_WORK/$IL_LAB"-*.log 2>/dev/null; }

# ---------------------------------------------------------------- counted checks
# The namespace suites count their checks the same way:
#   ok WHAT              one PASS line
#   ko WHAT [DETAIL...]  one FAIL line, then each detail indented
#   tail_of FILE [N]     the last N (5) lines of a log, indented, under its name
#   cmp_tree SRC DST     what differs between two trees, briefly ("" if nothing)
pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() {
	echo "FAIL $1"
	fail=$((fail + 1))
	shift
	local l
	for l in "$@"; do echo "    $l"; done
}
tail_of() { echo "--- ${1#"${W:-$IL_WORK}"/}:"; grep -v '^#' "$1" 2>/dev/null | tail -n "${2:-5}" | sed 's/^/  | /'; }
cmp_tree() { python3 "$IL_TREECMP" --umask "$IL_UMASK" "$@" 2>&1 | grep -v '^[-+@ ]' | head -8; }

# il_run_cases LIST: runs test_<case> for each case of $CASES (default LIST),
# with its time; an unknown case ends the suite with exit 2
il_run_cases() {
	local cs t0
	for cs in ${CASES:-$1}; do
		if ! declare -F "test_$cs" >/dev/null; then
			echo "unknown case '$cs'" >&2
			exit 2
		fi
		t0=$SECONDS
		"test_$cs"
		echo "# $cs: $((SECONDS - t0)) s"
	done
}

# ---------------------------------------------------------------- self-test
_il_selftest() {
	local pass=0 fail=0
	ok() { echo "PASS lib $*"; pass=$((pass + 1)); }
	ko() { echo "FAIL lib $*"; fail=$((fail + 1)); }
	[ "$(id -u)" = 0 ] || { echo "SKIP lib self-test: needs root"; return 77; }
	il_have ref server && il_have ref client ||
		{ echo "SKIP lib self-test: real uftp/uftpd not installed"; return 77; }
	il_init "${1:-}" || return 1
	local s=$IL_WORK/src
	il_make_tree "$s" full
	il_lab 1 || { ko "lab_up"; return 1; }
	il_recv 1 ref "$IL_WORK/d1"
	if il_wait_recvs 10; then ok "real uftpd binds"; else ko "real uftpd binds"; fi
	il_server ref 60 "$s" -- hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree
	il_stop_recvs
	[ "$IL_SRC_RC" = 0 ] && ok "real uftp -> real uftpd exits 0" || ko "real uftp exit $IL_SRC_RC"
	if il_compare "$s" "$IL_WORK/d1"; then ok "received tree identical (names, sizes, bytes, modes, mtimes, links)"; else ko "received tree differs"; fi
	[ "${IL_RALIVE[1]}" = 1 ] && ok "receiver alive until stopped" || ko "receiver died"
	il_lab_down
	# the comparator must catch planted differences
	local d=$IL_WORK/d1 what
	plant() {
		what=$1
		shift
		rm -rf "$IL_WORK/p" && cp -a "$d" "$IL_WORK/p" && (cd "$IL_WORK/p" && eval "$*")
		if il_compare "$s" "$IL_WORK/p" >"$IL_WORK/plant.txt" 2>&1; then
			ko "comparator misses: $what"
		else
			ok "comparator catches: $what ($(head -1 "$IL_WORK/plant.txt"))"
		fi
	}
	plant "one flipped byte" 'printf "\xff" | dd of=tree/a/three-mb.bin bs=1 seek=2000000 conv=notrunc status=none'
	plant "a changed mtime" 'touch -d @1600000000 hello.txt'
	plant "a changed mode" 'chmod 600 pattern.bin'
	plant "a changed link target" 'ln -sfn sub/other dir/link'
	plant "a missing empty dir" 'rmdir dir/empty'
	plant "an extra temp file" ': > tree/.~uftp-tmp'
	plant "a truncated file" 'truncate -s 1300 tree/a/b/c/1301.bin'
	plant "a link turned into a file" 'rm dir/link && cp dir/sub/inner.txt dir/link && touch -r dir/sub/inner.txt dir/link'
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	_il_selftest "$@"
	exit $?
fi
