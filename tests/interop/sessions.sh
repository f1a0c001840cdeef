#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/interop/sessions.sh - whole UFTP sessions between our uftp/uftpd and the
# real UFTP 4.10.2, in a network-namespace lab (server h0, receivers h1, h2).
#
#   sudo tests/interop/sessions.sh [BUILD_DIR]        (default build/default)
#   COMBOS="ours-ref ref-ours" CASES="plain loss" KEEP=1 sudo tests/interop/sessions.sh
#
# Combos (server-receivers):  ours-ref  ref-ours  ours-mix  ref-mix  ours-ours
#                             (default)   ref-ref (baseline, on request)
#   mix = receiver h1 runs our uftpd, h2 the real one, in the same session.
# Cases: plain gcm_ecdsa cbc_hmac_rsa 3des_keyex ccm_clientauth closed unicast
#        ipv6 tree loss concurrent daemon tfmcc tfmcc_loss  (see case_* below; unicast has one
#        receiver, h1; concurrent: servers on h0 and h2 to the receiver h1).
# Every received tree is compared with the source byte for byte and by
# metadata (tests/tools/treecmp.py): names, types, sizes, modes, file mtimes,
# symlink targets. A case passes when uftp exits 0, every receiver's tree is
# identical, every receiver is still running, and no log shows a sanitizer
# report. Keys are made fresh for each run (TEST ONLY).
#
# Output: one line per case "PASS|FAIL|SKIP <combo> <case>", details under
# each FAIL (server exit, tree differences, log tails), then "N passed, M
# failed, K skipped". Exit 1 if anything failed, 0 otherwise, 77 if nothing
# could run (no root, no real UFTP, or every combo lacks a binary).
# KEEP=1 keeps the work dir (all logs and trees) and prints its path;
# CAPTURE=1 also records each session's datagrams (tcpdump on h0) there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ALL_COMBOS="ours-ref ref-ours ours-mix ref-mix ours-ours"
ALL_CASES="plain gcm_ecdsa cbc_hmac_rsa 3des_keyex ccm_clientauth closed unicast ipv6 tree loss msg_loss concurrent daemon tfmcc tfmcc_loss"
COMBOS=${COMBOS:-$ALL_COMBOS}
CASES=${CASES:-$ALL_CASES}
CASE_TIMEOUT=${CASE_TIMEOUT:-60}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: sessions.sh needs root (network namespaces)"
	exit 77
fi
if ! il_have ref server || ! il_have ref client; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF) is not installed"
	exit 77
fi
il_init "${1:-}" || exit 2
il_keys || exit 2

passed=0 failed=0 skipped=0

# combo -> server kind and receiver kinds (h1 h2)
combo_kinds() {
	case $1 in
	ours-ref) echo "ours ref ref" ;;
	ref-ours) echo "ref ours ours" ;;
	ours-mix) echo "ours ours ref" ;;
	ours-ours) echo "ours ours ours" ;;
	ref-ref) echo "ref ref ref" ;;
	ref-mix) echo "ref ours ref" ;;
	*) return 1 ;;
	esac
}

# ---------------------------------------------------------------- cases
# Each case sets: DESC, NRECV (1|2), SOPTS (uftp options), CKEY (rsa|ec|"":
# receiver i gets -k client<i>_<CKEY>.pem), TREE (small|full), FILES, IL_V6,
# IL_UNICAST, DROP ("<host> <pct>" or ""), MDROP ("<host> <FILEINFO pct> <DONE
# pct>": those messages alone, by their function byte, plain sessions), RHOSTS (hosts running a receiver,
# default 1..NRECV), SHOSTS (hosts running a server at the same time, default
# 0; with several, server on h<s> sends with -D from-h<s> and each receiver
# must hold every from-h<s> tree).
case_defaults() {
	DESC="" NRECV=2 SOPTS=() CKEY="" TREE=small DROP="" MDROP="" RHOSTS="" SHOSTS=0
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir)
	IL_V6=0 IL_UNICAST=0 IL_DAEMON=0
}
case_plain() { DESC="no encryption, open group"; }
case_gcm_ecdsa() {
	DESC="aes256-gcm + sha256 + ecdh_ecdsa"
	SOPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CKEY=ec
}
case_cbc_hmac_rsa() {
	DESC="aes128-cbc + sha1 + hmac + rsa"
	SOPTS=(-Y aes128-cbc -h sha1 -w hmac -e rsa -k "$IL_KEYS/server_rsa.pem")
	CKEY=rsa
}
case_3des_keyex() {
	DESC="3des + sha1 + keyex signatures + rsa"
	SOPTS=(-Y 3des -h sha1 -w keyex -e rsa -k "$IL_KEYS/server_rsa.pem")
	CKEY=rsa
}
case_ccm_clientauth() {
	DESC="aes256-ccm + sha512 + ecdh_rsa, client auth -c with -H @fingerprints"
	local f=$IL_WORK/hostlist.txt
	printf '%s|%s\n%s|%s\n' "$(il_id 1)" "$(il_fp "$IL_KEYS/client1_rsa.pem")" \
		"$(il_id 2)" "$(il_fp "$IL_KEYS/client2_rsa.pem")" >"$f"
	SOPTS=(-Y aes256-ccm -h sha512 -e ecdh_rsa -c -k "$IL_KEYS/server_rsa.pem" -H "@$f")
	CKEY=rsa
}
case_closed() {
	DESC="closed group (-H ID list)"
	SOPTS=(-H "$(il_id 1),$(il_id 2)")
}
case_unicast() {
	DESC="unicast to one receiver (-M its address)"
	NRECV=1 IL_UNICAST=1
}
case_ipv6() {
	DESC="IPv6 multicast ff15::4:4:1 / ff15::5:5:x"
	IL_V6=1
}
case_concurrent() {
	DESC="two servers (h0, h2) send to one receiver (h1) at the same time"
	RHOSTS=1 SHOSTS="0 2"
}
case_daemon() {
	DESC="receivers daemonise (no -d; -P pidfile, -L logfile), stopped by the PID in the pidfile"
	IL_DAEMON=1
}
case_tree() {
	DESC="directory tree: 1 and 3 MB files, deep dirs, empty dir, symlinks (relative, to a dir, dangling)"
	TREE=full
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree)
}
case_loss() {
	DESC="2% random inbound UDP loss on receiver h1, full tree"
	TREE=full
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree)
	DROP="1 2"
}
case_msg_loss() {
	DESC="h1 loses 30% of FILEINFOs and 20% of DONEs (not h2), full tree: our uftp's early data resends the FILEINFO"
	TREE=full
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree)
	MDROP="1 30 20"
}
case_tfmcc() {
	DESC="TFMCC congestion control (-C tfmcc), aes256-gcm, full tree"
	SOPTS=(-C tfmcc -Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CKEY=ec TREE=full
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree)
}
case_tfmcc_loss() {
	DESC="TFMCC within min/init/max (-C tfmcc:min=800:init=4000:max=400000), 2% loss on h1, full tree"
	SOPTS=(-C tfmcc:min=800:init=4000:max=400000)
	TREE=full DROP="1 2"
	FILES=(hello.txt zero.bin "name with spaces.txt" pattern.bin dir tree)
}

# ---------------------------------------------------------------- running
declare -A TREES=()
src_tree() { # small|full -> path, built once
	if [ -z "${TREES[$1]:-}" ]; then
		TREES[$1]=$IL_WORK/src-$1
		il_make_tree "${TREES[$1]}" "$1"
	fi
	echo "${TREES[$1]}"
}

# msg_drop HOST FI_PCT DONE_PCT: HOST drops the first FILEINFO of file 1
# (the real uftpd takes a DONE before any FILEINFO for the end of the
# session: early data must not start with the first file), then that share
# of the FILEINFOs (function 7: UDP payload byte 1, seen in plain sessions
# only) and DONEs (10) it receives on the session's port; msg_drop_count
# HOST: how many so far.
msg_drop() {
	ip netns exec "$(lab_ns "h$1")" nft -f - <<EOF
table inet labmsgdrop {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport $IL_PORT @th,72,8 0x07 @th,208,16 1 limit rate 1/hour burst 1 packets counter drop
		udp dport $IL_PORT @th,72,8 0x07 numgen random mod 100 < $2 counter drop
		udp dport $IL_PORT @th,72,8 0x0a numgen random mod 100 < $3 counter drop
	}
}
EOF
}
msg_drop_count() {
	ip netns exec "$(lab_ns "h$1")" nft list table inet labmsgdrop 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# the last lines of a log, indented (for failure reports)
tail_log() {
	local n=${2:-8}
	echo "    --- $(basename "$1") (last $n lines):"
	grep -v '^#' "$1" | tail -n "$n" | sed 's/^/    | /'
}

# run_case COMBO CASE: prints the result line; returns 0 pass, 1 fail
run_case() {
	local combo=$1 cs=$2 skind k1 k2 i t0=$SECONDS
	read -r skind k1 k2 <<<"$(combo_kinds "$combo")"
	case_defaults
	"case_$cs"
	local -a rk=("" "$k1" "$k2")
	local src
	src=$(src_tree "$TREE")
	local -a why=()
	[ -n "$RHOSTS" ] || RHOSTS=$(seq 1 "$NRECV")
	il_lab "$NRECV" || { echo "FAIL $combo $cs (lab_up failed)"; return 1; }
	for i in $RHOSTS; do
		local -a copts=()
		[ -n "$CKEY" ] && copts=(-k "$IL_KEYS/client${i}_$CKEY.pem")
		rm -rf "$IL_WORK/$IL_LAB-d$i"
		il_recv "$i" "${rk[i]}" "$IL_WORK/$IL_LAB-d$i" "${copts[@]}"
	done
	local started=0 sh
	local -a subs=("")
	if il_wait_recvs 10; then
		started=1
		[ -n "$DROP" ] && il_drop "${DROP%% *}" "${DROP##* }"
		# shellcheck disable=SC2086
		[ -n "$MDROP" ] && msg_drop $MDROP
		[ -n "${CAPTURE:-}" ] && il_capture_start
		if [ "$SHOSTS" = 0 ]; then
			il_server "$skind" "$CASE_TIMEOUT" "$src" "${SOPTS[@]}" -- "${FILES[@]}"
			[ "$IL_SRC_RC" = 0 ] || why+=("uftp ($skind) exit $IL_SRC_RC$([ "$IL_SRC_RC" = 124 ] && echo ' (timeout)')")
		else
			subs=()
			local -a spids=()
			for sh in $SHOSTS; do
				subs+=("from-h$sh")
				(IL_SHOST=$sh IL_PRIV=230.5.5.$((100 + sh)) IL_SLOG_TAG=-h$sh \
					il_server "$skind" "$CASE_TIMEOUT" "$src" "${SOPTS[@]}" -D "from-h$sh" -- "${FILES[@]}"
				echo "$IL_SRC_RC" >"$IL_WORK/$IL_LAB-rc-h$sh") &
				spids+=($!)
			done
			for i in "${spids[@]}"; do lab_wait_pid "$i" $((CASE_TIMEOUT + 10)); done
			for sh in $SHOSTS; do
				local src_rc
				src_rc=$(cat "$IL_WORK/$IL_LAB-rc-h$sh" 2>/dev/null)
				[ "$src_rc" = 0 ] || why+=("uftp ($skind) on h$sh exit ${src_rc:-?}")
			done
			IL_SLOG=$IL_WORK/$IL_LAB-uftp-h0.log
		fi
		sleep 0.3 # last COMPLETE/DONE_CONF exchanges
	else
		why+=("${IL_ERR[@]}" "(uftp not started)")
	fi
	il_capture_stop
	local dropped=""
	[ -n "$DROP" ] && dropped=$(lab_drop_count "h${DROP%% *}")
	[ -n "$MDROP" ] && dropped=$(msg_drop_count "${MDROP%% *}")
	[ "$dropped" = 0 ] && why+=("no datagram was dropped: the loss was not injected")
	il_stop_recvs
	local sub d
	for i in $RHOSTS; do
		[ "$started" = 1 ] || continue
		[ "${IL_RALIVE[i]}" = 1 ] || why+=("receiver h$i (${rk[i]}) exited during the session (status ${IL_RRC[i]:-?})")
		for sub in "${subs[@]}"; do
			d=$IL_WORK/$IL_LAB-d$i${sub:+/$sub}
			if ! il_compare "$src" "$d" >>"$IL_WORK/$IL_LAB-cmp$i.txt" 2>&1; then
				why+=("receiver h$i (${rk[i]}) tree ${sub:+$sub }differs: $(grep -c '^treecmp' "$IL_WORK/$IL_LAB-cmp$i.txt") entries")
			fi
		done
		il_sanitized "${IL_RLOG[i]}" && why+=("receiver h$i (${rk[i]}) log has a sanitizer/assert report")
	done
	for sh in $SHOSTS; do
		[ "$SHOSTS" = 0 ] || IL_SLOG=$IL_WORK/$IL_LAB-uftp-h$sh.log
		il_sanitized "$IL_SLOG" && why+=("uftp ($skind) log has a sanitizer/assert report")
	done
	[ "$SHOSTS" = 0 ] || IL_SLOG=$IL_WORK/$IL_LAB-uftp-h0.log
	il_lab_down
	local extra=""
	[ -n "$dropped" ] && extra=", $dropped datagrams dropped at h$(echo "${DROP:-$MDROP}" | cut -d' ' -f1)"
	if [ ${#why[@]} = 0 ]; then
		echo "PASS $combo $cs ($((SECONDS - t0)) s$extra)"
		return 0
	fi
	echo "FAIL $combo $cs ($((SECONDS - t0)) s$extra) - $DESC"
	local r
	for r in "${why[@]}"; do echo "    $r"; done
	for i in $RHOSTS; do
		[ -s "$IL_WORK/s$IL_LABNO-cmp$i.txt" ] && head -n 12 "$IL_WORK/s$IL_LABNO-cmp$i.txt" | sed "s/^/    h$i: /"
	done
	if [ "$started" = 1 ]; then
		for sh in $SHOSTS; do
			[ "$SHOSTS" = 0 ] || IL_SLOG=$IL_WORK/s$IL_LABNO-uftp-h$sh.log
			tail_log "$IL_SLOG" 10
		done
	fi
	for i in $RHOSTS; do tail_log "${IL_RLOG[i]}" 8; done
	return 1
}

# the binaries COMBO needs that are missing ("" if none)
missing_for() {
	local skind k1 k2 m=""
	read -r skind k1 k2 <<<"$(combo_kinds "$1")"
	il_have "$skind" server || m+=" $(il_bin "$skind" server)"
	if ! il_have "$k1" client || ! il_have "$k2" client; then
		il_have ours client || m+=" $(il_bin ours client)"
	fi
	echo "${m# }"
}

for combo in $COMBOS; do
	if ! combo_kinds "$combo" >/dev/null; then
		echo "unknown combo '$combo' (known: $ALL_COMBOS ref-ref)" >&2
		exit 2
	fi
	miss=$(missing_for "$combo")
	for cs in $CASES; do
		if ! declare -F "case_$cs" >/dev/null; then
			echo "unknown case '$cs' (known: $ALL_CASES)" >&2
			exit 2
		fi
		if [ -n "$miss" ]; then
			echo "SKIP $combo $cs (not built: $miss)"
			skipped=$((skipped + 1))
		elif run_case "$combo" "$cs"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] || exit 1
[ "$passed" = 0 ] && exit 77
exit 0
