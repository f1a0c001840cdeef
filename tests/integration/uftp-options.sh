#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/uftp-options.sh - differential test of the uftp command
# line: every case runs the same command with the real uftp 4.10.2 and with
# ours, each to a fresh real uftpd (h1) and a fresh our uftpd (h2) in one
# namespace lab, and compares:
#   - the exit codes (real uftp vs ours),
#   - the received trees (tests/tools/treecmp.py): what our uftp delivered to
#     each receiver must equal what the real uftp delivered to the same kind
#     of receiver, and our uftpd must hold what the real uftpd holds.
# Cases: -i list_file, -i -, -D (one file, several, with -o, absolute
# paths without -E), -E (with and without a trailing slash, with -D), -X, -l
# and without, -H list and -H @file (with a listed host that never answers
# and a receiver that is not listed), -M/-P with x wildcards, -p/-u, -k -K,
# -e with a curve, -w keyex -c, -Y/-h with the default generated keys, -Q -B
# -a -m -N -W -x, -U, -L, -T, -b 8800 and 512, -s, -R (and -1), -t, -I, -q,
# @DELETE: (inside the root only) and @FREESPACE, exit codes (no receiver,
# all receivers lost, SIGTERM/SIGINT, missing / unreadable / special files),
# --help and bad option values of uftp and uftpd (exit codes).
# The two sessions of a case run at the same time in two labs (~2 minutes
# in all; cases not started within BUDGET=210 s are reported as FAIL).
# Where the real uftp contradicts its man page (REF_WRONG), ours must do
# what the man page says; such PASS lines carry a NOTE.
#
#   sudo tests/integration/uftp-options.sh [BUILD_DIR]
#   CASES="dest_one exclude" KEEP=1 sudo tests/integration/uftp-options.sh
#
# Output "PASS|FAIL <case>: <what>" lines, details under FAILs, then
# "N passed, M failed". Exit 0 all passed, 1 any failed, 77 skip (not root,
# real UFTP or our programs missing). Whole run bounded (< 4 minutes).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: uftp-options.sh needs root (network namespaces)"; exit 77; }
if ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
il_init "${1:-}" || exit 2
if ! il_have ours server || ! il_have ours client; then
	echo "SKIP: our uftp/uftpd not built in $IL_BUILD"
	exit 77
fi
SESSION_TIMEOUT=${SESSION_TIMEOUT:-12}
T_START=$SECONDS

# Overrides of the lib's address helpers (lib.sh itself is not changed):
# PARITY_PUB sets the public address of both sides, PARITY_SIF the server's -I.
il_pub() { echo "${PARITY_PUB:-230.4.4.1}"; }
il_if() {
	if [ "$1" = "${IL_SHOST:-0}" ] && [ -n "${PARITY_SIF:-}" ]; then echo "$PARITY_SIF"; else echo eth0; fi
}


# ---------------------------------------------------------------- sources
W=$IL_WORK
SRC=$W/src
il_make_tree "$SRC" small
head -c 200000 /dev/urandom >"$SRC/rand200k.bin"
touch -d @1400000000 "$SRC/rand200k.bin"
ln -s ../hello.txt "$SRC/dir/up-link"
ln -s dir/sub "$SRC/dirlink"
ln -s no/such/target "$SRC/dangling"
touch -h -d @1400000100 "$SRC/dir/up-link" "$SRC/dirlink" "$SRC/dangling"
mkdir -p "$W/elsewhere"
printf 'not under any base dir\n' >"$W/elsewhere/stray.txt"

# ---------------------------------------------------------------- lab
# Two labs, each h0 server, h1 real uftpd, h2 our uftpd: the real uftp's
# session runs in one while our uftp's runs in the other, at the same time.
# Receivers are restarted with empty directories for each session.
declare -A LAB_OF=()
il_lab 2 || { echo "FAIL lab_up"; exit 1; }
LAB_OF[ref]=$IL_LAB
il_lab 2 || { echo "FAIL lab_up"; exit 1; }
LAB_OF[ours]=$IL_LAB
BUDGET=${BUDGET:-210} # seconds: cases not started by then are reported as FAIL

reset_recv_state() { IL_RPID=() IL_RLOG=() IL_RKIND=() IL_RALIVE=() IL_RRC=() IL_ERR=(); }

# Per-case settings (case_defaults): SOPTS uftp options, FILES, STDIN (file
# fed to uftp's stdin), RHOSTS receivers started (h1 ref, h2 ours), ROPTS
# extra uftpd options, PRE (function NAME DEST run on each receiver's dest
# before the session), KILL_AFTER (stop the receivers N s into the session),
# EXPECT_RC (documented exit code both must give, "" = just equal), CHECK
# (function run after the session: extra checks, may append to why),
# SAME_RECV=0 (h1 and h2 are meant to receive different things), CMP_OPTS
# (treecmp options), REF_WRONG (why the real uftp contradicts its man page:
# then our uftp's trees are compared with the documented tree EXPECT_TREE,
# and only our exit code with EXPECT_RC).
case_defaults() {
	SOPTS=() FILES=(hello.txt) STDIN=/dev/null RHOSTS="1 2" ROPTS=() PRE="" KILL_AFTER=""
	IL_SERVER_WRAP=() EXPECT_RC="" CHECK="" DESC="" SAME_RECV=1 CMP_OPTS=() REF_WRONG="" EXPECT_TREE="" SIG_SERVER="" WIRE="" IL_PORT=1044 IL_RATE=50000 IL_PRIV="" PARITY_PUB="" PARITY_SIF=""
	SDIR=$SRC
}

# session SKIND CASE: one session with uftp of kind SKIND; receivers' trees
# land in $W/CASE/SKIND/h<i>, the exit code in $W/CASE/SKIND/rc, logs kept.
# Runs in a subshell (both kinds at once), in the lab LAB_OF[SKIND].
session() {
	local skind=$1 cs=$2 i d base=$W/$2/$1
	mkdir -p "$base"
	IL_LAB=${LAB_OF[$skind]}
	lab_use "$IL_LAB"
	reset_recv_state
	for i in $RHOSTS; do
		d=$base/h$i
		mkdir -p "$d"
		[ -n "$PRE" ] && "$PRE" "$d"
		if [ "$i" = 1 ]; then il_recv 1 ref "$d" "${ROPTS[@]}"; else il_recv "$i" ours "$d" "${ROPTS[@]}"; fi
	done
	if [ -n "$RHOSTS" ] && ! il_wait_recvs 10; then
		echo "receivers-failed: ${IL_ERR[*]}" >"$base/rc"
		il_stop_recvs
		return
	fi
	local kp="" sbin cap=""
	sbin=$(readlink -f "$(il_bin "$skind" server)")
	if [ -n "$WIRE" ] && command -v tcpdump >/dev/null; then
		# the server's first multicast datagrams, with their IP header fields
		lab_bg h0 cap tcpdump -i eth0 -n -v -l -c 12 "udp and src host $(lab_ip4 0) and dst net 224.0.0.0/4" \
			>"$base/wire.txt" 2>"$base/tcpdump.err"
		for i in $(seq 50); do grep -q "listening on" "$base/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
	fi
	if [ -n "$SIG_SERVER" ]; then
		( # signal uftp (found by its executable among h0's processes: all ours)
			sleep "${SIG_SERVER#* }"
			for i in $(ip netns pids "$(lab_ns h0)" 2>/dev/null); do
				[ "$(readlink "/proc/$i/exe" 2>/dev/null)" = "$sbin" ] && kill "-${SIG_SERVER% *}" "$i"
			done
		) &
		kp=$!
	elif [ -n "$KILL_AFTER" ]; then
		(
			sleep "$KILL_AFTER"
			for i in $RHOSTS; do kill -KILL "${IL_RPID[i]}" 2>/dev/null; done
		) &
		kp=$!
	fi
	IL_SLOG_TAG=-$cs-$skind
	SOPTS=("${SOPTS[@]//@KIND@/$skind}")
	il_server "$skind" "$SESSION_TIMEOUT" "$SDIR" "${SOPTS[@]}" -- "${FILES[@]}" <"$STDIN"
	echo "$IL_SRC_RC" >"$base/rc"
	[ -n "$kp" ] && wait "$kp" 2>/dev/null
	[ -n "$cap" ] && lab_stop "$cap" 2
	sleep 0.2
	il_stop_recvs
	for i in $RHOSTS; do
		cp "${IL_RLOG[i]}" "$base/uftpd-h$i.log" 2>/dev/null
		[ "${IL_RALIVE[i]}" = 1 ] || [ -n "$KILL_AFTER" ] || echo "receiver h$i exited during the session (status ${IL_RRC[i]:-?})" >>"$base/problems"
		il_sanitized "${IL_RLOG[i]}" && echo "receiver h$i log has a sanitizer report" >>"$base/problems"
	done
	cp "$IL_SLOG" "$base/uftp.log"
	il_sanitized "$IL_SLOG" && echo "uftp ($skind) log has a sanitizer report" >>"$base/problems"
	return 0
}

# tails of the logs of a case (for failure reports)
tails() {
	local f
	for f in "$W/$1"/*/uftp.log "$W/$1"/*/uftpd-h*.log; do
		[ -f "$f" ] || continue
		echo "--- ${f#"$W"/} (last ${2:-6} lines):"
		grep -v '^#' "$f" | tail -n "${2:-6}" | sed 's/^/  | /'
	done
}

cmp_tree() { python3 "$IL_TREECMP" --umask "$IL_UMASK" "${CMP_OPTS[@]}" "$1" "$2" 2>&1; }
count_entries() { (cd "$1" 2>/dev/null && find . -mindepth 1 | wc -l); }

# run_case CASE: both sessions, then the comparisons
run_case() {
	local cs=$1 why=() out i
	case_defaults
	"case_$cs"
	rm -rf "${W:?}/$cs"
	(session ref "$cs") &
	local p1=$!
	(session ours "$cs") &
	local p2=$!
	lab_wait_pid "$p1" $((SESSION_TIMEOUT + 30))
	lab_wait_pid "$p2" $((SESSION_TIMEOUT + 30))
	local rr ro
	rr=$(cat "$W/$cs/ref/rc" 2>/dev/null || echo none) ro=$(cat "$W/$cs/ours/rc" 2>/dev/null || echo none)
	case $rr in receivers-failed*) ko "$cs: $DESC (harness: $rr)"; return ;; esac
	case $ro in receivers-failed*) ko "$cs: $DESC (harness: $ro)"; return ;; esac
	[ "$rr" = 124 ] && why+=("real uftp timed out (${SESSION_TIMEOUT}s)")
	[ "$ro" = 124 ] && why+=("our uftp timed out (${SESSION_TIMEOUT}s)")
	if [ -n "$REF_WRONG" ]; then
		[ "$ro" = "$EXPECT_RC" ] || why+=("our uftp exit $ro, documented $EXPECT_RC (real: $rr)")
		for i in $RHOSTS; do
			if ! out=$(cmp_tree "$EXPECT_TREE" "$W/$cs/ours/h$i"); then
				why+=("h$i: our uftp's tree is not the documented one:")
				while IFS= read -r l; do why+=("  $l"); done < <(grep -v '^[-+@ ]' <<<"$out" | head -8)
			fi
		done
	elif [ -n "$EXPECT_RC" ]; then
		[ "$rr" = "$EXPECT_RC" ] || why+=("real uftp exit $rr, documented $EXPECT_RC (reference deviates)")
		[ "$ro" = "$EXPECT_RC" ] || why+=("our uftp exit $ro, expected $EXPECT_RC (real: $rr)")
	elif [ "$rr" != "$ro" ]; then
		why+=("exit codes differ: real uftp $rr, ours $ro")
	fi
	for i in $RHOSTS; do
		[ -n "$REF_WRONG" ] && break
		if ! out=$(cmp_tree "$W/$cs/ref/h$i" "$W/$cs/ours/h$i"); then
			why+=("h$i ($([ "$i" = 1 ] && echo real || echo our) uftpd): tree from our uftp differs from the real uftp's:")
			while IFS= read -r l; do why+=("  $l"); done < <(grep -v '^[-+@ ]' <<<"$out" | head -8)
		fi
	done
	if [ "$SAME_RECV" = 1 ] && [ -z "$REF_WRONG" ] && [[ " $RHOSTS " == *" 1 "* && " $RHOSTS " == *" 2 "* ]]; then
		if ! out=$(cmp_tree "$W/$cs/ref/h1" "$W/$cs/ref/h2"); then
			why+=("real uftp -> our uftpd (h2) differs from real uftp -> real uftpd (h1):")
			while IFS= read -r l; do why+=("  $l"); done < <(grep -v '^[-+@ ]' <<<"$out" | head -8)
		fi
	fi
	local p
	for p in "$W/$cs"/*/problems; do
		[ -f "$p" ] && while IFS= read -r l; do why+=("$l"); done <"$p"
	done
	[ -n "$CHECK" ] && "$CHECK" "$cs"
	[ -n "$WIRE" ] && check_wire "$cs"
	local n
	n=$(count_entries "$W/$cs/ref/h1")
	if [ ${#why[@]} = 0 ] && [ -n "$REF_WRONG" ]; then
		ok "$cs: $DESC (ours exit $ro, documented tree; NOTE the real uftp deviates: $REF_WRONG, exit $rr)"
	elif [ ${#why[@]} = 0 ]; then
		ok "$cs: $DESC (exit $rr both; ${n:-0} entries at h1)"
	else
		while IFS= read -r l; do why+=("$l"); done < <(tails "$cs")
		ko "$cs: $DESC (real exit $rr, ours $ro)" "real: $(sed -n 's/^# ref uftp on h0: //p' "$W/$cs/ref/uftp.log")" "${why[@]}"
	fi
}

# ---------------------------------------------------------------- cases
BASIC=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir)
case_plain() { DESC="baseline: files and a directory with symlinks"; FILES=("${BASIC[@]}" dirlink dangling); }
case_list_file() {
	DESC="-i list_file (blank lines ignored, command-line files ignored)"
	printf 'hello.txt\n\ndir\npattern.bin\n\n' >"$W/list.txt"
	SOPTS=(-i "$W/list.txt") FILES=(zero.bin)
}
case_list_stdin() {
	DESC="-i - (names from stdin)"
	printf 'name with spaces.txt\ndir/sub\nrand200k.bin\n' >"$W/stdin.txt"
	SOPTS=(-i -) STDIN=$W/stdin.txt FILES=()
}
case_dest_one() { DESC="-D name, one file (renamed)"; SOPTS=(-D renamed.txt) FILES=(hello.txt); }
case_dest_dir_one() { DESC="-D name, one directory (renamed)"; SOPTS=(-D newdir) FILES=(dir); }
case_dest_many() { DESC="-D name, several files (subdirectory)"; SOPTS=(-D subd) FILES=(hello.txt pattern.bin dir); }
case_dest_o() { DESC="-o -D name, one file (placed in the subdirectory)"; SOPTS=(-o -D subo) FILES=(hello.txt); }
case_dest_nested() { DESC="-D a/b/c, several files"; SOPTS=(-D a/b/c) FILES=(hello.txt zero.bin); }
# The real uftp 4.10.2 keeps the separator after a base given without a
# trailing slash: it sends "/sub" (an absolute name every receiver rejects,
# exit 10), where its man page says "-E /path ... /path/to/file ... the
# transmitted file name is to/file". Ours must follow the man page.
case_base_dirs() {
	DESC="-E base dirs (no trailing slash) with absolute paths; a path outside every base is skipped"
	SOPTS=(-E "$SRC/dir,$W/nobase") FILES=("$SRC/dir/sub" "$SRC/dir/sub/inner.txt" "$SRC/hello.txt")
	REF_WRONG="it sends '/sub' (leading slash) for -E <base> <base>/sub, receivers reject it"
	EXPECT_RC=0 EXPECT_TREE=$W/expect-base
	rm -rf "$EXPECT_TREE" && mkdir -p "$EXPECT_TREE" && cp -a "$SRC/dir/sub" "$EXPECT_TREE/"
}
case_base_slash() {
	DESC="-E base dirs with a trailing slash"
	SOPTS=(-E "$SRC/dir/,$W/nobase/") FILES=("$SRC/dir/sub" "$SRC/dir/sub/inner.txt" "$SRC/hello.txt")
}
case_base_dest() {
	DESC="-E base with -D name (the man page's example)"
	SOPTS=(-E "$SRC" -D remote) FILES=("$SRC/dir/sub/inner.txt" "$SRC/hello.txt")
}
case_no_base() { DESC="absolute paths without -E (leading elements stripped)"; FILES=("$SRC/dir/sub" "$SRC/hello.txt"); }
case_exclude() {
	DESC="-X exclude file (a file, a subdirectory, a top-level name)"
	printf 'dir/sub\ndir/link\nzero.bin\n' >"$W/exclude.txt"
	SOPTS=(-X "$W/exclude.txt") FILES=("${BASIC[@]}")
}
case_follow() { DESC="-l follows symlinks (to a file, to a dir; dangling)"; SOPTS=(-l) FILES=(dir dirlink dangling hello.txt); }
case_nofollow() { DESC="no -l: symlinks sent as links"; FILES=(dir dirlink dangling hello.txt); }
case_hosts_list() {
	DESC="-H ID list: h1 and an absent host listed, h2 (our uftpd) not listed"
	SOPTS=(-H "$(il_id 1),0xC6120063") FILES=(hello.txt pattern.bin) SAME_RECV=0
}
case_hosts_file() {
	DESC="-H @file: h2 and an absent host listed, h1 (real uftpd) not listed"
	printf '%s\n0xC6120064\n\n' "$(il_id 2)" >"$W/hosts.txt"
	SOPTS=(-H "@$W/hosts.txt") FILES=(hello.txt pattern.bin) SAME_RECV=0
}
case_hosts_both() { DESC="-H list with both receivers"; SOPTS=(-H "$(il_id 1),$(il_id 2)") FILES=(hello.txt dir); }
case_mcast() {
	DESC="-M 230.9.8.7 -P 230.6.x.x (x wildcards)"
	PARITY_PUB=230.9.8.7 IL_PRIV=230.6.x.x FILES=(hello.txt pattern.bin)
}
case_mcast_x3() { DESC="-P 239.x.x.x"; IL_PRIV=239.x.x.x FILES=(hello.txt); }
case_ports() { DESC="-p 5044 (both sides) -u 7777 (source port on the wire)"; IL_PORT=5044 SOPTS=(-u 7777) FILES=(hello.txt pattern.bin) WIRE=sport; }
case_block_big() { DESC="-b 8800 (jumbo blocks, IP fragments)"; SOPTS=(-b 8800) FILES=(rand200k.bin pattern.bin); }
case_block_small() { DESC="-b 512"; SOPTS=(-b 512) FILES=(rand200k.bin pattern.bin); }
case_robust() { DESC="-s 10"; SOPTS=(-s 10) FILES=(hello.txt pattern.bin); }
case_rate() { DESC="-R 20000"; IL_RATE=20000 FILES=(rand200k.bin); }
case_rate_max() { DESC="-R -1"; IL_RATE=-1 FILES=(rand200k.bin pattern.bin); }
# encryption with the default keys (no -k on either side: 512-bit RSA keys
# generated at start-up), the man page's example "uftp -Y aes256-cbc -h sha1"
case_enc_default_key() { DESC="-Y aes256-cbc -h sha1 with default (generated) keys"; SOPTS=(-Y aes256-cbc -h sha1) FILES=(hello.txt pattern.bin); }
case_enc_default_gcm() { DESC="-Y aes256-gcm -h sha256 with default (generated) keys"; SOPTS=(-Y aes256-gcm -h sha256) FILES=(hello.txt); }
case_misc_tuning() {
	DESC="-Q 46 -B 1048576 -a 5 -m 2 -N 50 -W 500 -x 3"
	SOPTS=(-Q 46 -B 1048576 -a 5 -m 2 -N 50 -W 500 -x 3) FILES=(hello.txt rand200k.bin)
}
check_server_id() {
	local k i
	for k in ref ours; do
		for i in $RHOSTS; do
			grep -q -i '11223344' "$W/$1/$k/uftpd-h$i.log" ||
				why+=("$k uftp -U 0x11223344: h$i's log does not name server 0x11223344")
		done
	done
}
case_server_uid() { DESC="-U 0x11223344 (server ID seen by the receivers)"; SOPTS=(-U 0x11223344) FILES=(hello.txt) CHECK=check_server_id; }
check_logfile() {
	local k
	for k in ref ours; do
		[ -s "$W/$1/$k.log" ] || why+=("$k uftp -L: log file empty or missing")
		grep -q -E '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:.]+: ' "$W/$1/$k.log" 2>/dev/null ||
			why+=("$k uftp -L: no timestamped line (-T is implied by -L): $(head -c 120 "$W/$1/$k.log" 2>/dev/null)")
	done
}
case_logfile() {
	DESC="-L logfile (timestamps implied)"
	rm -f "$W/logfile/ref.log" "$W/logfile/ours.log"
	mkdir -p "$W/logfile"
	SOPTS=(-L "$W/logfile/@KIND@.log") FILES=(hello.txt) CHECK=check_logfile
}
check_timestamps() {
	local k
	for k in ref ours; do
		grep -v '^#' "$W/$1/$k/uftp.log" | grep -q -E '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:.]+: ' ||
			why+=("$k uftp -T: no timestamped line on stderr")
	done
}
case_timestamps() { DESC="-T timestamps on stderr"; SOPTS=(-T) FILES=(hello.txt) CHECK=check_timestamps; }
# test-only keys from tests/vectors/keys (copied 0600)
KEYS=$W/keys
mkdir -p "$KEYS"
for f in server_rsa1024 server_ec256 client1_rsa1024 client1_ec256; do
	cp "$top/tests/vectors/keys/$f.pem" "$KEYS/" && chmod 600 "$KEYS/$f.pem"
done
check_keygen() {
	local k bits
	for k in ref ours; do
		bits=$(openssl pkey -in "$W/keygen/$k.pem" -noout -text 2>/dev/null | sed -n 's/.*Private-Key: (\([0-9]*\) bit.*/\1/p')
		[ "$bits" = 1024 ] || why+=("$k uftp -k FILE -K 1024: key file holds '${bits:-nothing}' bits")
	done
}
case_server_keygen() {
	DESC="-k FILE -K 1024 (server key generated and written) with -Y aes256-cbc -h sha256"
	rm -rf "$W/keygen" && mkdir -p "$W/keygen"
	SOPTS=(-Y aes256-cbc -h sha256 -k "$W/keygen/@KIND@.pem" -K 1024) ROPTS=(-k "$KEYS/client1_rsa1024.pem")
	FILES=(hello.txt) CHECK=check_keygen
}
case_ecdh_curve() {
	DESC="-e ecdh_ecdsa:secp384r1 -Y aes128-gcm -h sha384 -w keyex with EC keys"
	SOPTS=(-Y aes128-gcm -h sha384 -w keyex -e ecdh_ecdsa:secp384r1 -k "$KEYS/server_ec256.pem") ROPTS=(-k "$KEYS/client1_ec256.pem")
	FILES=(hello.txt pattern.bin)
}
case_ecdh_rsa_keyex() {
	DESC="-e ecdh_rsa -Y aes256-cbc -h sha512 -w keyex -c (client auth, no -H)"
	SOPTS=(-Y aes256-cbc -h sha512 -w keyex -e ecdh_rsa -c -k "$KEYS/server_rsa1024.pem") ROPTS=(-k "$KEYS/client1_rsa1024.pem")
	FILES=(hello.txt)
}
# wire_fields FILE -> the distinct "tos T ttl N sport P" of the captured datagrams
wire_fields() {
	awk '/IP \(tos/ { for (i = 1; i < NF; i++) { if ($i == "(tos") tos = $(i + 1); if ($i == "ttl") ttl = $(i + 1) }
	                   sub(",", "", tos); sub(",", "", ttl) }
	     / > [0-9.]+: UDP/ { n = split($1, a, "."); print "tos " tos " ttl " ttl " sport " (WANT_SPORT ? a[n] : "any") }' \
		WANT_SPORT="$2" "$1" | sort -u | tr '\n' ';'
}
# the IP TTL, TOS (DSCP << 2) and source port of our uftp's datagrams must be
# the real uftp's (WIRE=sport: compare the source port too)
check_wire() {
	local a b sp=""
	[ "$WIRE" = sport ] && sp=1
	a=$(wire_fields "$W/$1/ref/wire.txt" "$sp") b=$(wire_fields "$W/$1/ours/wire.txt" "$sp")
	[ -n "$a" ] || { why+=("(no datagram captured from the real uftp)"); return; }
	[ "$a" = "$b" ] || why+=("on the wire: real uftp [$a], ours [$b]")
}
case_ttl() { DESC="-t 4 (IP TTL on the wire)"; SOPTS=(-t 4) FILES=(hello.txt) WIRE=1; }
case_ttl_default() { DESC="default TTL and DSCP on the wire"; FILES=(hello.txt) WIRE=1; }
case_dscp() { DESC="-Q 46 (TOS 0xb8 on the wire)"; SOPTS=(-Q 46) FILES=(hello.txt) WIRE=1; }
case_iface_ip() { DESC="-I by address"; PARITY_SIF=198.18.0.10 FILES=(hello.txt); }
case_quit_absent() {
	DESC="-q with a listed host that never answers (session quits)"
	SOPTS=(-q -H "$(il_id 1),$(il_id 2),0xC6120065") FILES=(hello.txt)
}
case_noquit_absent() {
	DESC="same without -q (files still delivered)"
	SOPTS=(-H "$(il_id 1),$(il_id 2),0xC6120065") FILES=(hello.txt)
}
pre_delete() {
	printf 'victim\n' >"$1/victim.txt"
	mkdir -p "$1/vdir" "$1/keep"
	printf 'x\n' >"$1/vdir/f"
	printf 'keep\n' >"$1/keep/k.txt"
	printf 'outside\n' >"$1/../outside-${1##*/}.txt"
	touch -d @1500000000 "$1/victim.txt" "$1/vdir/f" "$1/keep/k.txt"
}
check_delete() {
	local k i d
	for k in ref ours; do
		for i in $RHOSTS; do
			d=$W/$1/$k/h$i
			[ -f "$d/../outside-h$i.txt" ] || why+=("$k uftp -> h$i: @DELETE:../ removed a file outside the root")
		done
	done
}
case_delete() {
	DESC="@DELETE: a file and a directory inside the root, ../ outside it (kept)"
	PRE=pre_delete CHECK=check_delete
	FILES=("@DELETE:victim.txt" "@DELETE:vdir" "@DELETE:../outside-h1.txt" "@DELETE:../outside-h2.txt" "@DELETE:nonexistent" hello.txt)
}
# the wording of the log differs (not part of the protocol); what must match:
# one report per receiver, with the free bytes of the filesystem (within 1%)
check_freespace() {
	local k a b
	for k in ref ours; do
		grep -v '^#' "$W/$1/$k/uftp.log" | grep -i -o -E 'free space[^0-9]*[0-9]+ bytes' |
			grep -o -E '[0-9]+ bytes' | sed 's/ bytes//' >"$W/$1/$k.free"
	done
	a=$(wc -l <"$W/$1/ref.free") b=$(wc -l <"$W/$1/ours.free")
	[ "$a" = "$b" ] || why+=("free-space reports: real uftp logged $a, ours $b")
	[ "$a" -ge 1 ] || why+=("(the real uftp logged no free-space report)")
	python3 - "$W/$1/ref.free" "$W/$1/ours.free" <<'PY' || why+=("free-space figures differ by more than 1%: real $(tr '\n' ' ' <"$W/$1/ref.free"), ours $(tr '\n' ' ' <"$W/$1/ours.free")")
import sys
a = [int(x) for x in open(sys.argv[1]).read().split()]
b = [int(x) for x in open(sys.argv[2]).read().split()]
sys.exit(0 if a and b and all(abs(x - a[0]) <= a[0] / 100 for x in b) else 1)
PY
}
case_freespace() { DESC="@FREESPACE metafile (what the server logs)"; CHECK=check_freespace FILES=(@FREESPACE hello.txt); }
case_no_receivers() { DESC="no receiver at all (exit 7 documented)"; RHOSTS="" EXPECT_RC=7 SOPTS=(-s 10) FILES=(hello.txt); }
case_all_lost() {
	DESC="every receiver killed during the transfer (exit 9 documented)"
	IL_RATE=500 KILL_AFTER=2 EXPECT_RC=9 SOPTS=(-s 10) FILES=(rand200k.bin)
	CMP_OPTS=(--no-mtime) # the partial file keeps the time it was created
}
case_sigterm() {
	DESC="uftp gets SIGTERM during the transfer (exit 6 documented: interrupted)"
	IL_RATE=500 SIG_SERVER="TERM 2" EXPECT_RC=6 FILES=(rand200k.bin) CMP_OPTS=(--no-mtime)
}
case_sigint() {
	DESC="uftp gets SIGINT during the transfer"
	IL_RATE=500 SIG_SERVER="INT 2" EXPECT_RC=6 FILES=(rand200k.bin) CMP_OPTS=(--no-mtime)
}
case_missing_file() { DESC="only a missing file"; FILES=(no-such-file); }
case_missing_some() { DESC="a missing file and a good one"; FILES=(no-such-file hello.txt); }
# uftp runs as nobody (setpriv) so that a mode-000 file is really unreadable
pre_secret() {
	printf 'secret\n' >"$SRC/secret.bin"
	chmod 000 "$SRC/secret.bin"
}
case_unreadable() {
	DESC="an unreadable file (uftp as nobody) and a good one"
	pre_secret
	IL_SERVER_WRAP=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	FILES=(secret.bin hello.txt)
}
case_unreadable_only() {
	DESC="only an unreadable file (uftp as nobody)"
	pre_secret
	IL_SERVER_WRAP=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	FILES=(secret.bin)
}
case_fifo() {
	DESC="a FIFO (special files are skipped) and a good file"
	[ -p "$W/a.fifo" ] || mkfifo "$W/a.fifo"
	FILES=("$W/a.fifo" hello.txt)
}

# ---------------------------------------------------------------- option errors
# opt_rc KIND ROLE ARGS...: exit code of the program run in h0 (bounded),
# output in $W/opt.out
opt_rc() {
	local bin
	bin=$(il_bin "$1" "$2")
	shift 2
	(cd "$SRC" && lab_exec h0 timeout -k 1 3 "$bin" "$@") >"$W/opt.out" 2>&1 </dev/null
	echo $?
}
# opt_case ROLE DESC ARGS...: same exit code from the real program and ours
opt_case() {
	local role=$1 desc=$2 rr ro outr
	shift 2
	rr=$(opt_rc ref "$role" "$@")
	outr=$(head -c 300 "$W/opt.out" | tr '\n' ' ')
	ro=$(opt_rc ours "$role" "$@")
	if [ "$rr" = "$ro" ]; then
		ok "options: $role $desc (exit $rr both)"
	else
		ko "options: $role $desc" "command: $role $*" "real exit $rr: $outr" \
			"ours exit $ro: $(head -c 300 "$W/opt.out" | tr '\n' ' ')"
	fi
}
# opt_doc ROLE DESC EXPECT WHY ARGS...: the real program contradicts its man
# page (WHY); ours must give the documented exit code EXPECT.
opt_doc() {
	local role=$1 desc=$2 want=$3 note=$4 rr ro
	shift 4
	rr=$(opt_rc ref "$role" "$@")
	ro=$(opt_rc ours "$role" "$@")
	if [ "$ro" = "$want" ]; then
		ok "options: $role $desc (ours exit $ro as documented; NOTE the real one exits $rr: $note)"
	else
		ko "options: $role $desc" "command: $role $*" "ours exit $ro, documented $want (real: $rr, $note)" \
			"ours said: $(head -c 300 "$W/opt.out" | tr '\n' ' ')"
	fi
}
# opt_help ROLE: the real programs have no --help (exit 1, "invalid option",
# usage); ours print the usage on stdout and exit 0, as the issue asks.
opt_help() {
	local role=$1 rr ro
	rr=$(opt_rc ref "$role" --help)
	ro=$(opt_rc ours "$role" --help)
	if [ "$ro" = 0 ] && grep -q '^Usage: ' "$W/opt.out"; then
		ok "options: $role --help (ours: usage, exit 0; NOTE the real one exits $rr: no --help)"
	else
		ko "options: $role --help" "ours exit $ro, expected 0 and a usage text" \
			"ours said: $(head -c 300 "$W/opt.out" | tr '\n' ' ')"
	fi
}
opt_cases() {
	local g=(-M 230.4.4.1 -I eth0 -r 0.1 -s 10)
	opt_help server
	opt_case server "-? (unknown option)" -'?'
	opt_case server "unknown option -9" -9 hello.txt
	opt_case server "no file to send" "${g[@]}"
	opt_case server "-s 5 (out of range 10-50)" "${g[@]}" -s 5 hello.txt
	opt_case server "-s 51" "${g[@]}" -s 51 hello.txt
	opt_case server "-Y bogus" "${g[@]}" -Y bogus hello.txt
	opt_case server "-h bogus with -Y aes128-cbc" "${g[@]}" -Y aes128-cbc -h md4 hello.txt
	opt_case server "-R 0" "${g[@]}" -R 0 hello.txt
	opt_case server "-B 100 (out of range)" "${g[@]}" -B 100 hello.txt
	opt_doc server "-x 9 (valid 0-5)" 1 "it accepts any level" "${g[@]}" -x 9 hello.txt
	opt_case server "-b 100 (too small)" "${g[@]}" -b 100 hello.txt
	opt_case server "-b 70000 (too big)" "${g[@]}" -b 70000 hello.txt
	opt_doc server "-p abc" 1 "it only fails when resolving the port" "${g[@]}" -p abc hello.txt
	opt_case server "-M not-an-address" -M 300.1.1.1 -I eth0 hello.txt
	opt_case server "-P unicast address with multicast -M" -M 230.4.4.1 -P 198.18.0.99 -I eth0 -r 0.1 -s 10 hello.txt
	opt_case server "-I no such interface" -I nosuchif0 hello.txt
	opt_case server "-H and -F together" "${g[@]}" -H 0x01020304 -F /nonexistent hello.txt
	opt_case server "-r 0 (below 0.001)" -M 230.4.4.1 -I eth0 -r 0 hello.txt
	opt_case server "-a 70000" "${g[@]}" -a 70000 hello.txt
	opt_case server "-k missing key file with -Y aes128-cbc" "${g[@]}" -Y aes128-cbc -k /nonexistent.pem hello.txt
	opt_case server "-L unwritable log" "${g[@]}" -L /nonexistent/dir/log hello.txt
	opt_case server "-X missing exclude file" "${g[@]}" -X /nonexistent hello.txt
	opt_case server "-i missing list file" "${g[@]}" -i /nonexistent
	opt_help client
	opt_case client "unknown option -9" -9
	opt_case client "-B 100 (out of range)" -d -q -B 100
	opt_doc client "-x 9 (valid 0-5)" 1 "it accepts any level and runs" -d -q -x 9
	opt_case client "-p abc" -d -q -p abc
	opt_doc client "-U zz (not 0xnnnnnnnn)" 1 "it accepts it and runs" -d -q -U zz
	opt_case client "-M not-an-address" -d -q -M 300.1.1.1
	opt_case client "-I no such interface" -d -q -I nosuchif0
	opt_case client "-T with -A" -d -q -T /tmp -A /tmp
	opt_case client "-k missing key file" -d -q -k /nonexistent.pem
	opt_doc client "-L unwritable log (daemon mode)" 4 "the parent has already exited when the log fails" -q -L /nonexistent/dir/log
}

# ---------------------------------------------------------------- main
ALL_CASES="plain list_file list_stdin dest_one dest_dir_one dest_many dest_o dest_nested
 base_dirs base_slash base_dest no_base exclude follow nofollow hosts_list hosts_file hosts_both
 mcast mcast_x3 ports server_keygen ecdh_curve ecdh_rsa_keyex misc_tuning server_uid logfile timestamps enc_default_key enc_default_gcm block_big block_small robust rate rate_max ttl ttl_default dscp iface_ip
 quit_absent noquit_absent delete freespace no_receivers all_lost sigterm sigint missing_file
 missing_some unreadable unreadable_only fifo"
for cs in ${CASES:-$ALL_CASES options}; do
	if [ "$cs" = options ]; then
		opt_cases
	elif declare -F "case_$cs" >/dev/null; then
		if [ $((SECONDS - T_START)) -gt "$BUDGET" ]; then
			ko "$cs: not run, time budget of ${BUDGET}s exhausted"
			continue
		fi
		run_case "$cs"
	else
		echo "unknown case '$cs'" >&2
		exit 2
	fi
done
lab_down_all
echo "($((SECONDS - T_START)) s)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
