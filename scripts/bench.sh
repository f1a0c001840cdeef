#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# scripts/bench.sh - goodput and CPU cost of our uftp/uftpd next to the real
# UFTP 4.10.2, on the network-namespace testbed (not part of CI).
#
#   sudo scripts/bench.sh [BUILD_DIR]          # default build/default
#   BENCH_SIZE=256M BENCH_RUNS=5 BENCH_RECV="1 3" BENCH_MODES="plain gcm" \
#   BENCH_GROUPS="closed open" BENCH_IMPLS="ours ref" sudo scripts/bench.sh
#
# For each receiver count (default 1), mode (plain: no encryption; gcm:
# aes256-gcm, sha256, ecdh_ecdsa key exchange with fresh prime256v1 keys) and
# group (closed: uftp -H with the receivers' IDs; open: no -H) it runs
# BENCH_RUNS (default 5) rounds; each round runs every implementation (ours:
# our uftp -> our uftpd; ref: the real ones), alternating which goes first,
# so that both see the same load of the machine. Each run sends one
# BENCH_SIZE file (default 512M; any `head -c` size) at -R -1 from /dev/shm
# (tmpfs) to receivers writing to /dev/shm, in a fresh lab (bridge + veth,
# the kernel's default settings), and checks every copy with cmp.
# One row per run, then a summary per case: medians with min-max, and the
# ratio of the medians ours/ref.
#   MiB/s    = file size / wall time of the uftp process (includes the
#              announce phase and completion, i.e. what a user waits for)
#   CPU s    = user+system seconds of uftp, and of each uftpd (from
#              /proc/<pid>/stat just before it is stopped)
#   ctxsw    = context switches of each uftpd (voluntary+involuntary, from
#              /proc/<pid>/status), i.e. how often it slept and woke
#   rx drops = UDP datagrams the kernel dropped for a full receive buffer in
#              each receiver's namespace (RcvbufErrors; they cost resends)
#   wire/file = UDP bytes the bridge forwarded to the first receiver (before
#              any loss) / the bytes of the source: 1.03 is about one pass
#              with the headers; resends and passes show above that
# More dimensions, each a list looped over like BENCH_RECV:
#   BENCH_BLOCKS="1300 8800"   uftp -b (default 1300)
#   BENCH_MODES="plain gcm cbc" (cbc: aes256-cbc with an sha256 HMAC, same keys)
#   BENCH_LOSS="0 1"           % of UDP packets dropped, independently, on the
#                              bridge's link to every receiver (default 0);
#                              a UDP GSO message of ours crosses the bridge
#                              whole and is dropped whole (a burst)
#   BENCH_DATA="file doc"      file: the BENCH_SIZE file; doc: the /usr/share/doc
#                              tree (compared entry by entry with treecmp.py)
# BENCH_RAW=1 (default) first measures the raw UDP limit of the same path:
# tests/bench/udpblast (built with the checks) sends BENCH_BLOCKS-sized
# datagrams to h1 for 3 s from h0 through our pump (GSO,
# then sendmmsg) while the same tool counts them in h1.
# Extra options: BENCH_SOPTS (uftp), BENCH_COPTS (uftpd), e.g. BENCH_COPTS="-B 8388608".
# To compare two builds of ours in the same run, BENCH_BASE=DIR (a directory
# holding uftp and uftpd, e.g. a build of main) adds the implementation
# "base" to the rounds, with its own ratio to ref.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/interop/lib.sh
. "$top/tests/interop/lib.sh"

SIZE=${BENCH_SIZE:-512M}
RECVS=${BENCH_RECV:-1}
RUNS=${BENCH_RUNS:-5}
GROUPS_=${BENCH_GROUPS:-closed open}
MODES=${BENCH_MODES:-plain gcm}
IMPLS=${BENCH_IMPLS:-ours ref${BENCH_BASE:+ base}}
BLOCKS=${BENCH_BLOCKS:-1300}
LOSSES=${BENCH_LOSS:-0}
DATAS=${BENCH_DATA:-file}
read -r -a SOPTS_X <<<"${BENCH_SOPTS:-}"
read -r -a COPTS_X <<<"${BENCH_COPTS:-}"

[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root (network namespaces)" >&2; exit 2; }
il_init "${1:-}" || exit 2
if [ -n "${BENCH_BASE:-}" ]; then
	# "base": another build of ours, from BENCH_BASE
	eval "$(declare -f il_bin | sed '1s/il_bin/il_bin_lib/')"
	il_bin() {
		case "$1/$2" in
		base/server) echo "$BENCH_BASE/uftp" ;;
		base/client) echo "$BENCH_BASE/uftpd" ;;
		*) il_bin_lib "$@" ;;
		esac
	}
fi
shm=$(mktemp -d /dev/shm/uftp-bench.XXXXXX) || exit 2
trap 'il_cleanup; rm -rf "$shm"' EXIT
il_keys || exit 2
IL_RATE=-1

echo "bench: creating a $SIZE source file in $shm"
head -c "$SIZE" /dev/urandom >"$shm/bench.bin" || exit 2
bytes=$(stat -c %s "$shm/bench.bin")
hz=$(getconf CLK_TCK)

# cpu_of PID -> user+system seconds of a running process
cpu_of() {
	awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}

# ctxsw_of PID -> voluntary+involuntary context switches of a running process
ctxsw_of() {
	awk '/^(non)?voluntary_ctxt_switches:/ { n += $2; k++ } END { if (k) print n; else print "?" }' \
		"/proc/$1/status" 2>/dev/null || echo "?"
}

# rcvbuf_drops HOST -> UDP receive-buffer drops counted in that namespace
rcvbuf_drops() {
	lab_exec "$1" cat /proc/net/snmp 2>/dev/null | awk '
		/^Udp:/ && !k { for (i = 1; i <= NF; i++) col[$i] = i; k = 1; next }
		/^Udp:/ && k { print $col["RcvbufErrors"]; exit }' | grep . || echo "?"
}

# median [min-max] of the numbers on stdin ("?" when none)
med_range() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "?"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%g [%g-%g]\n", m, v[1], v[NR] }'
}

# count_start: counts the UDP bytes the bridge forwards to h1 (every datagram
# the sender sent to the group, with its IP and UDP headers; a UDP GSO message
# that crosses the bridge whole carries one set of headers for all its
# datagrams, so ours is favoured by about 2% at block 1300). count_bytes: so far.
count_start() {
	lab_exec br nft -f - <<EOF
table netdev benchcnt {
	chain eg {
		type filter hook egress device "vh1" priority -10; policy accept;
		meta l4proto udp counter
	}
}
EOF
}
count_bytes() {
	lab_exec br nft list table netdev benchcnt 2>/dev/null |
		awk '/counter packets/ { for (k = 1; k <= NF; k++) if ($k == "bytes") print $(k + 1) }' | grep . || echo 0
}

# the source: the BENCH_SIZE file, or the /usr/share/doc tree
src_dir() { [ "$1" = doc ] && echo /usr/share || echo "$shm"; }
src_name() { [ "$1" = doc ] && echo doc || echo bench.bin; }
# same_copy DATA DIR -> 0 when DIR holds an exact copy of the source
same_copy() {
	if [ "$1" = doc ]; then
		[ -z "$(cmp_tree /usr/share/doc "$2/doc")" ]
	else
		cmp -s "$shm/bench.bin" "$2/bench.bin"
	fi
}

# run_one IMPL NRECV MODE GROUP BLOCK LOSS DATA -> one table row, and one line in
# $res/<case>: MiB/s uftp-CPU uftpd-CPU(sum) rx-drops(sum) ok wire/file
run_one() {
	local impl=$1 n=$2 mode=$3 group=$4 block=$5 loss=$6 data=$7 i
	local -a sopts=(-b "$block") copts=() ids=()
	case $mode in
	gcm) sopts+=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem") ;;
	cbc) sopts+=(-Y aes256-cbc -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem") ;;
	esac
	if [ "$group" = closed ]; then
		for ((i = 1; i <= n; i++)); do ids+=("$(lab_id "$i")"); done
		sopts+=(-H "$(
			IFS=,
			echo "${ids[*]}"
		)")
	fi
	il_lab "$n" || { echo "lab_up failed" >&2; return 1; }
	for ((i = 1; i <= n; i++)); do
		copts=()
		[ "$mode" != plain ] && copts=(-k "$IL_KEYS/client${i}_ec.pem")
		rm -rf "$shm/d$i"
		il_recv "$i" "$impl" "$shm/d$i" "${copts[@]}" "${COPTS_X[@]}"
		[ "$loss" = 0 ] || lab_impair "h$i" "$(awk -v p="$loss" 'BEGIN { printf "%d", p * 10 }')" 0 0
	done
	if ! il_wait_recvs 10; then
		printf '%-5s %5s %-6s %-6s  %s\n' "$impl" "$n" "$mode" "$group" "receivers did not start: ${IL_ERR[*]}"
		il_stop_recvs
		il_lab_down
		return 1
	fi
	local t0 t1 stime
	count_start
	t0=$(date +%s.%N)
	rm -f "$IL_WORK/stime"
	IL_SERVER_WRAP=(/usr/bin/time -f 'TIME %e %U %S' -o "$IL_WORK/stime")
	il_server "$impl" 900 "$(src_dir "$data")" "${sopts[@]}" "${SOPTS_X[@]}" -- "$(src_name "$data")"
	IL_SERVER_WRAP=()
	t1=$(date +%s.%N)
	local wire
	wire=$(count_bytes)
	local -a rcpu=() rcsw=() rdrop=()
	for ((i = 1; i <= n; i++)); do
		rcpu+=("$(cpu_of "${IL_RPID[i]}")")
		rcsw+=("$(ctxsw_of "${IL_RPID[i]}")")
		rdrop+=("$(rcvbuf_drops "h$i")")
	done
	il_stop_recvs
	stime=$(awk '/^TIME/ { printf "%.2f", $3 + $4 }' "$IL_WORK/stime" 2>/dev/null)
	local wall good okn=0 spm sbytes
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	sbytes=$(src_bytes "$data")
	good=$(awk -v s="$sbytes" -v w="$wall" 'BEGIN { printf "%.1f", s / 1048576 / w }')
	spm=$(awk -v w="$wire" -v s="$sbytes" 'BEGIN { printf "%.2f", w / s }')
	for ((i = 1; i <= n; i++)); do same_copy "$data" "$shm/d$i" && okn=$((okn + 1)); done
	printf '%-5s %-28s %9s %8s %10s  %-20s %-22s %-16s %8s %s\n' "$impl" "$(case_name "$@")" "$good" \
		"$wall" "${stime:-?}" "$(
			IFS=/
			echo "${rcpu[*]}"
		)" "$(
			IFS=/
			echo "${rcsw[*]}"
		)" "$(
			IFS=/
			echo "${rdrop[*]}"
		)" "$spm" "$okn/$n ok, uftp exit $IL_SRC_RC"
	[ "$IL_SRC_RC" = 0 ] || tail -3 "$IL_SLOG" | sed 's/^/      /'
	echo "$good ${stime:-?} $(echo "${rcpu[*]}" | awk '{ for (i = 1; i <= NF; i++) s += $i; print s + 0 }') $(echo "${rdrop[*]}" | awk '{ for (i = 1; i <= NF; i++) s += $i; print s + 0 }') $([ "$okn" = "$n" ] && [ "$IL_SRC_RC" = 0 ] && echo 1 || echo 0) $spm" >>"$res/$impl-$(case_name "$@" | tr ' ' _)"
	for ((i = 1; i <= n; i++)); do rm -rf "$shm/d$i"; done
	il_lab_down
}

# case_name IMPL NRECV MODE GROUP BLOCK LOSS DATA -> "1r plain closed b1300 0% file"
case_name() { echo "${2}r $3 $4 b$5 $6% $7"; }
src_bytes() {
	if [ "$1" = doc ]; then
		find /usr/share/doc -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
	else
		echo "$bytes"
	fi
}

# raw_limit BLOCK: the path's raw UDP rate through our pump, h0 -> h1 (unicast:
# through the same bridge and veths as the sessions' multicast)
raw_limit() {
	local blast=$IL_BUILD/tests/bench/udpblast path out rx pid
	[ -x "$blast" ] || { echo "raw: $blast not built (make check builds it)"; return 0; }
	for path in gso mmsg; do
		il_lab 1 || return 0
		rm -f "$IL_WORK/blast.rx"
		lab_bg h1 pid "$blast" recv 47001 3 >"$IL_WORK/blast.rx"
		sleep 0.5
		out=$(lab_exec h0 "$blast" send "$(lab_ip4 1)" 47001 "$1" 3 "$path" 2>&1)
		for ((k = 0; k < 100; k++)); do [ -s "$IL_WORK/blast.rx" ] && break; sleep 0.1; done
		rx=$(cat "$IL_WORK/blast.rx")
		echo "$out / $rx" | awk -v b="$1" '{ printf "raw: block %s, %-8s sent %.0f dgrams/s (%.2f Gbit/s), received %.0f dgrams/s (%.2f Gbit/s)\n",
			b, $2, $3 / $5, $4 * 8 / $5 / 1e9, ($10 > 0 ? $8 / $10 : 0), ($10 > 0 ? $9 * 8 / $10 / 1e9 : 0) }'
		il_lab_down
	done
}

res=$IL_WORK/results
mkdir -p "$res"
hdr() { printf '%-5s %-28s %9s %8s %10s  %-20s %-22s %-16s %8s %s\n' impl case "MiB/s" "wall s" \
	"uftp CPU" "uftpd CPU s (each)" "uftpd ctxsw (each)" "rx drops (each)" wire/file result; }
declare -a impls=()
for impl in $IMPLS; do
	if ! il_have "$impl" server || ! il_have "$impl" client; then
		printf '%-5s  not built (%s, %s)\n' "$impl" "$(il_bin "$impl" server)" "$(il_bin "$impl" client)"
		continue
	fi
	impls+=("$impl")
done
echo "bench: $bytes bytes, -R -1, $RUNS rounds, $(nproc) CPUs, kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "bench: ours = $IL_BUILD${BENCH_BASE:+, base = $BENCH_BASE}"
if [ "${BENCH_RAW:-1}" = 1 ]; then
	for block in $BLOCKS; do raw_limit "$block"; done
fi
# every case, in the order of the loops
declare -a cases=()
for data in $DATAS; do
	for block in $BLOCKS; do
		for n in $RECVS; do
			for mode in $MODES; do
				for group in $GROUPS_; do
					for loss in $LOSSES; do cases+=("$n $mode $group $block $loss $data"); done
				done
			done
		done
	done
done
hdr
for c in "${cases[@]}"; do
	read -r -a cv <<<"$c"
	for ((r = 1; r <= RUNS; r++)); do
		# each round starts with the next implementation
		order=("${impls[@]:$((r % ${#impls[@]}))}" "${impls[@]:0:$((r % ${#impls[@]}))}")
		for impl in "${order[@]}"; do run_one "$impl" "${cv[@]}"; done
	done
done

echo
echo "summary: median [min-max] over the rounds; ratio = median of ours (or base) / median of ref"
printf '%-5s %-28s %-24s %-20s %-20s %-22s %-18s %-7s %s\n' impl case "MiB/s" "uftp CPU s" \
	"uftpd CPU s" "rx drops" "wire/file" ok ratio
for c in "${cases[@]}"; do
	read -r -a cv <<<"$c"
	name=$(case_name x "${cv[@]}")
	for impl in "${impls[@]}"; do
		f=$res/$impl-${name// /_}
		[ -f "$f" ] || continue
		# goodput and the ratio over the rounds that ended well only (a
		# failed run's time says nothing about its speed)
		ratio=""
		if [ "$impl" != ref ] && [ -f "$res/ref-${name// /_}" ]; then
			ratio=$(awk '$5 == 1 { print $1 }' "$f" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
			ratio=$(awk '$5 == 1 { print $1 }' "$res/ref-${name// /_}" | sort -g | awk -v o="$ratio" '{ v[NR] = $1 } END { if (!NR) { print "ref failed"; exit } m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; if (m > 0) printf "%.2fx", o / m }')
		fi
		printf '%-5s %-28s %-24s %-20s %-20s %-22s %-18s %-7s %s\n' "$impl" "$name" \
			"$(awk '$5 == 1 { print $1 }' "$f" | med_range)" "$(awk '$2 != "?" { print $2 }' "$f" | med_range)" \
			"$(awk '{ print $3 }' "$f" | med_range)" "$(awk '{ print $4 }' "$f" | med_range)" \
			"$(awk '{ print $6 }' "$f" | med_range)" "$(awk '{ s += $5 } END { print s "/" NR }' "$f")" "$ratio"
	done
done
