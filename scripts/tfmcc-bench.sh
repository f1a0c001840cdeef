#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh:
# shellcheck disable=SC2034
# scripts/tfmcc-bench.sh - goodput of uftp -C tfmcc under LOSS % (default 1)
# inbound UDP loss at the receiver (nft numgen, lab_drop), for server-receiver
# pairs (ours/ref) alternating per round, on the namespace testbed (not CI).
#
#   NOGSO=1 SIZE=32M RUNS=3 COMBOS="ours-ref ref-ref ours-ours ref-ours" \
#       sudo scripts/tfmcc-bench.sh [BUILD_DIR]
#
# NOGSO=1 sets the sender's gso_max_segs to 1, so that our UDP GSO messages
# are cut into datagrams before the drop and every pair loses single
# datagrams (otherwise one drop takes a whole message of ours).
# CAPTURE=1 keeps a capture of each pair in $IL_WORK.  SOPTS / ROPTS: more
# options for the servers / receivers (both kinds).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/interop/lib.sh
. "$top/tests/interop/lib.sh"
SIZE=${SIZE:-32M} RUNS=${RUNS:-3} LOSS=${LOSS:-1}
COMBOS=${COMBOS:-ours-ours ours-ref ref-ref}
il_init "${1:-}" || exit 2
shm=$(mktemp -d /dev/shm/tfmcc-bench.XXXXXX) || exit 2
trap 'il_cleanup; rm -rf "$shm"' EXIT
IL_RATE=-1
head -c "$SIZE" /dev/urandom >"$shm/bench.bin"
bytes=$(stat -c %s "$shm/bench.bin")
res=$IL_WORK/res; mkdir -p "$res"
run_one() {
	local combo=$1 sk=${1%-*} rk=${1#*-}
	il_lab 1 || return 1
	# per-datagram loss: segment GSO batches before the veth (else one drop takes a batch)
	[ -n "${NOGSO:-}" ] && { lab_exec h0 ip link set dev eth0 gso_max_segs 1 || echo "gso_max_segs failed"; }
	rm -rf "$shm/d1"
	local -a ropts=()
	read -r -a ropts <<<"${ROPTS:-}"
	il_recv 1 "$rk" "$shm/d1" "${ropts[@]}"
	il_wait_recvs 10 || { echo "recv failed"; il_stop_recvs; il_lab_down; return 1; }
	il_drop 1 "$LOSS"
	[ -n "${CAPTURE:-}" ] && il_capture_start
	local t0 t1
	t0=$(date +%s.%N)
	local -a sopts=()
	read -r -a sopts <<<"${SOPTS:-}"
	il_server "$sk" 300 "$shm" -C tfmcc "${sopts[@]}" -- bench.bin
	t1=$(date +%s.%N)
	local dropped; dropped=$(lab_drop_count h1)
	# datagrams the receiver's socket buffer refused (UDP RcvbufErrors in h1)
	# shellcheck disable=SC2016
	local rcvbuf; rcvbuf=$(lab_exec h1 awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp)
	il_capture_stop
	[ -n "${CAPTURE:-}" ] && cp "$IL_WORK/$IL_LAB.pcap" "$IL_WORK/$combo.pcap"
	il_stop_recvs
	local ok=0; cmp -s "$shm/bench.bin" "$shm/d1/bench.bin" && ok=1
	local good; good=$(awk -v s="$bytes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", s / 1048576 / (b - a) }')
	printf '%-9s %8s MiB/s  %6s s  dropped %6s  rcvbuf %5s  ok=%s rc=%s\n' "$combo" "$good" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')" "$dropped" "${rcvbuf:-?}" "$ok" "$IL_SRC_RC"
	[ "$ok" = 1 ] && [ "$IL_SRC_RC" = 0 ] && echo "$good" >>"$res/$combo"
	rm -rf "$shm/d1"
	il_lab_down
}
read -r -a cl <<<"$COMBOS"
echo "tfmcc goodput: $bytes bytes, ${LOSS}% loss in at h1, $RUNS rounds, $(date -u +%FT%TZ)"
for ((r = 1; r <= RUNS; r++)); do
	order=("${cl[@]:$((r % ${#cl[@]}))}" "${cl[@]:0:$((r % ${#cl[@]}))}")
	for c in "${order[@]}"; do run_one "$c"; done
done
echo "summary (MiB/s, median [min-max] of the runs that completed):"
for c in "${cl[@]}"; do
	printf '%-9s ' "$c"; sort -g "$res/$c" 2>/dev/null | awk '{v[NR]=$1} END {if(!NR){print "none";exit} m=NR%2?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%g [%g-%g] n=%d\n",m,v[1],v[NR],NR}'
done
