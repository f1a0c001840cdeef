#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/scale-bench.sh - one UFTP session to a swarm of receivers
# (tests/swarm/swarm: N of our client cores in one process, memory only,
# each checking its bytes), our uftp and the real uftp 4.10.2 alternating,
# on a two-namespace bridge lab (h0 the server, h1 the swarm, 198.18.0.x).
# A benchmark that prints figures, not a test (not run by CI).
#
#   sudo scripts/scale-bench.sh [BUILD_DIR]        # default build/default
#   SCALE_N=1000 SCALE_SIZE=100M SCALE_LOSS="0 1" SCALE_RUNS=3 SCALE_RATE=100000 \
#       SCALE_IMPLS="ours ref" SCALE_SOPTS="" sudo scripts/scale-bench.sh
#   SCALE_IMPLS="ours ref new=/path/to/other/uftp"   (a third server, named new)
#   SCALE_GROUPS="open closed"   (closed: the server lists the N swarm IDs, -H @file)
#
# Per run: open or closed group (SCALE_GROUPS, default both), no encryption, -R SCALE_RATE kbit/s (the swarm has to
# keep up with every datagram for every receiver: its own CPU and its
# kernel drops are printed so that a saturated swarm is seen), -r 0.05,
# the file (SCALE_SIZE, `head -c` syntax) on /dev/shm; loss is the swarm's
# per-receiver independent FILESEG loss in percent (seeded, the same seed
# for both servers in a run).  Figures per run and the medians per cell:
#   ok      receivers that completed byte-exact, of N (uftp's exit status after /)
#   reg_s   first ANNOUNCE to the last receiver registered (swarm clock)
#   xfer_s  first FILESEG to the last receiver done (swarm clock)
#   wall_s  the uftp process, start to exit
#   MB_tx   bytes the server's interface sent (h0 eth0 tx_bytes, MB); a
#           sender using UDP GSO (ours) is counted once per GSO message, its
#           ~42 bytes of headers per datagram missing (3% at block 1300)
#   ratio   MB_tx / file size
#   kseg    FILESEG datagrams that reached the swarm's socket, thousands:
#           the fair count of what each server sent
#   rounds  rounds of data seen on the wire (a block number going back; a
#           server resending section by section shows several per pass)
#   rss_MB  server peak RSS (/usr/bin/time %M, VmHWM)
#   cpu_s   server user+system seconds (/usr/bin/time)
#   sw_cpu  the swarm's CPU seconds; sw_drop the swarm namespace's UDP
#           receive-buffer drops (RcvbufErrors) during the run
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=netns-lab.sh
. "$top/scripts/netns-lab.sh"

B=${1:-${BUILD_DIR:-$top/build/default}}
B=$(cd "$B" && pwd) || exit 2
N=${SCALE_N:-1000}
SIZE=${SCALE_SIZE:-100M}
LOSSES=${SCALE_LOSS:-0 1}
RUNS=${SCALE_RUNS:-3}
RATE=${SCALE_RATE:-100000}
IMPLS=${SCALE_IMPLS:-ours ref}
GROUPS_=${SCALE_GROUPS:-open closed}
SOPTS=${SCALE_SOPTS:-}
REF=${UFTP_REF:-/usr/bin/uftp}
SWARM=$B/tests/swarm/swarm
# the swarm runs N receivers on one core: on a busy machine it must not be
# the one that lags (a lagging swarm answers DONE late and the server gives up)
SWARM_NICE=${SCALE_SWARM_NICE:--10}

[ "$(id -u)" = 0 ] || { echo "scale-bench.sh needs root (network namespaces)" >&2; exit 2; }
[ -x "$SWARM" ] || { echo "$SWARM missing: make -C $B tests/swarm/swarm" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 2; }

W=$(mktemp -d /dev/shm/uftp-scale.XXXXXX) || exit 2
cleanup() { lab_down_all 2>/dev/null; if [ -n "${SCALE_KEEP:-}" ]; then echo "kept $W" >&2; else rm -rf "$W"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

head -c "$SIZE" /dev/urandom >"$W/file" || exit 2
fsize=$(stat -c %s "$W/file")
# an impl is ours, ref, or NAME=PATH (another uftp build, e.g. a branch under test)
bin_of() { case $1 in ours) echo "$B/uftp" ;; ref) echo "$REF" ;; *=*) echo "${1#*=}" ;; esac; }
name_of() { echo "${1%%=*}"; }
rcvbuf_errors() { lab_exec h1 awk '/^Udp:/ && ++n == 2 {print $6}' /proc/net/snmp; }
tx_bytes() { lab_exec h0 cat /sys/class/net/eth0/statistics/tx_bytes; }
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

# ---- SCALE_PROXIES=P: N receivers through P client proxies ------------------
# Lab pa (198.18.0.0/24): h0 the server, h1..hP server proxies (our
# uftpproxyd -s, one tunnel each); lab pbI (198.18.I.0/24): h0 client proxy
# I (uftpproxyd -c, of SCALE_PROXY_IMPLS: ours, ref), h1 a swarm of N/P
# receivers (IDs 0x0A{I}0001..); a router namespace forwards unicast between
# the labs, multicast stays in each.  The swarms' clocks are one machine's:
# reg_s is the first ANNOUNCE any swarm saw to the last registration in any,
# xfer_s the first FILESEG to the last receiver done.  Per run also the
# server's and the client proxies' CPU (sum) and peak RSS (largest).
px_ip() { echo "198.18.$1.$((10 + $2))"; }
px_topo() {
	local p=$1 i rt ns br
	lab_up pa $((p + 1)) >/dev/null || return 1
	for ((i = 1; i <= p; i++)); do lab_up "pb$i" 2 >/dev/null || return 1; done
	rt=${LAB_PREFIX}pa-rt
	ip netns add "$rt" || return 1
	ip -n "$rt" link set lo up
	ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1
	for ((i = 0; i <= p; i++)); do
		local l=pa
		[ "$i" -gt 0 ] && l=pb$i
		br=${LAB_PREFIX}$l-br
		ip link add "rp$i-$$" type veth peer name "e$i" netns "$rt" || return 1
		ip link set "rp$i-$$" netns "$br"
		ip -n "$br" link set "rp$i-$$" master br0
		ip -n "$br" link set "rp$i-$$" up
		ip -n "$rt" link set "e$i" up
		ip -n "$rt" addr add "198.18.$i.1/24" dev "e$i"
	done
	lab_use pa
	for ((i = 0; i <= p; i++)); do ip -n "$(lab_ns "h$i")" route add default via 198.18.0.1; done
	for ((i = 1; i <= p; i++)); do
		lab_use "pb$i"
		for h in 0 1; do
			ns=$(lab_ns "h$h")
			ip -n "$ns" addr flush dev eth0 scope global
			ip -n "$ns" addr add "$(px_ip "$i" "$h")/24" dev eth0
			ip -n "$ns" route add default via "198.18.$i.1"
		done
	done
	lab_use pa
}
# pstat PID -> "cpu_s rss_MB" of a running process
pstat() {
	local t hz
	hz=$(getconf CLK_TCK)
	t=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null)
	awk -v t="${t:-0}" -v hz="$hz" '/^VmHWM:/ {r = $2} END {printf "%.2f %.1f\n", t / hz, r / 1024}' \
		"/proc/$1/status" 2>/dev/null || echo "0 0"
}
px_bin() { case $1 in ours) echo "$B/uftpproxyd" ;; ref) echo "$REF_PROXY" ;; *=*) echo "${1#*=}" ;; esac; }

proxy_bench() {
	local p=$SCALE_PROXIES per=$((N / SCALE_PROXIES)) i run impl pxi bin pxb tag
	local -a sps cps sws
	px_topo "$p" || { echo "proxy topology failed" >&2; exit 1; }
	echo "# $N receivers via $p client proxies ($per each), $fsize bytes, -R $RATE, loss $LOSSES, runs $RUNS, servers: $IMPLS, proxies: $PX_IMPLS"
	printf '%-5s %-5s %-4s %-3s %12s %7s %7s %7s %8s %6s %6s %7s %7s %7s %7s %7s\n' \
		impl proxy loss run ok reg_s xfer_s wall_s MB_tx ratio rss_MB cpu_s cp_cpu cp_rss sp_cpu sw_cpu
	: >"$W/prows"
	for loss in $LOSSES; do
	for run in $(seq 1 "$RUNS"); do
	for pxi in $PX_IMPLS; do
		pxb=$(px_bin "$pxi")
		[ -x "$pxb" ] || { echo "skip proxy $pxi: $pxb missing"; continue; }
		pxi=$(name_of "$pxi")
		for impl in $IMPLS; do
			bin=$(bin_of "$impl")
			[ -x "$bin" ] || { echo "skip $impl: $bin missing"; continue; }
			impl=$(name_of "$impl")
			tag=p-$pxi-$impl-$loss-$run
			sps=() cps=() sws=()
			for ((i = 1; i <= p; i++)); do
				lab_use pa
				lab_bg "h$i" bgp "$B/uftpproxyd" -d -s "$(px_ip "$i" 0)" -I eth0 -M 230.4.4.1 \
					>"$W/$tag.sp$i" 2>&1
				sps+=("$bgp")
				lab_use "pb$i"
				lab_bg h0 bgp "$pxb" -d -c -U "$(printf '0x0B%02X0001' "$i")" >"$W/$tag.cp$i" 2>&1
				cps+=("$bgp")
				lab_bg h1 bgp sh -c "exec nice -n $SWARM_NICE '$SWARM' -n $per -i $(printf '0x0A%02X0001' "$i") -f '$W/file' -I eth0 -l $loss -s $run -T 900 >'$W/$tag.sw$i' 2>'$W/$tag.sw$i.err'"
				sws+=("$bgp")
			done
			for ((i = 1; i <= p; i++)); do
				lab_use "pb$i"
				lab_wait_udp h1 1044 10 >/dev/null && lab_wait_udp h0 1044 10 >/dev/null || echo "pb$i not bound" >&2
			done
			lab_use pa
			for ((i = 1; i <= p; i++)); do lab_wait_udp "h$i" 1044 10 >/dev/null || echo "sp$i not bound" >&2; done
			b0=$(tx_bytes) t0=$(date +%s%N)
			lab_exec h0 timeout -k 5 900 /usr/bin/time -f 'TIME %e %U %S %M' -o "$W/$tag.time" \
				"$bin" -I eth0 -M 230.4.4.1 -P 230.5.5.x -R "$RATE" -r 0.05 $SOPTS "$W/file" \
				>"$W/$tag.uftp" 2>&1
			rc=$?
			t1=$(date +%s%N) b1=$(tx_bytes)
			for pid in "${sws[@]}"; do lab_wait_pid "$pid" 30 || lab_stop "$pid" 3; done
			cpu_cp=0 rss_cp=0 cpu_sp=0
			for pid in "${cps[@]}"; do
				read -r c r < <(pstat "$pid")
				cpu_cp=$(awk -v a="$cpu_cp" -v b="$c" 'BEGIN {print a + b}')
				rss_cp=$(awk -v a="$rss_cp" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
				lab_stop "$pid" 3
			done
			for pid in "${sps[@]}"; do
				read -r c r < <(pstat "$pid")
				cpu_sp=$(awk -v a="$cpu_sp" -v b="$c" 'BEGIN {print a + b}')
				lab_stop "$pid" 3
			done
			read -r _ _ u s m < <(grep '^TIME' "$W/$tag.time")
			row=$(cat "$W/$tag".sw[0-9]* | awk -v impl="$impl" -v px="$pxi" -v loss="$loss" -v run="$run" \
				-v n="$N" -v rc="$rc" -v wall="$(((t1 - t0) / 1000000))" -v tx="$((b1 - b0))" \
				-v size="$fsize" -v rss="${m:-0}" -v u="${u:-0}" -v s="${s:-0}" -v cpcpu="$cpu_cp" \
				-v cprss="$rss_cp" -v spcpu="$cpu_sp" '
				function lo(k, v) { if (v > 0 && (!(k in m) || v < m[k])) m[k] = v }
				function hi(k, v) { if (v > 0 && (!(k in x) || v > x[k])) x[k] = v }
				$1 == "succeeded" { ok += $2 }
				$1 == "cpu_s" { swcpu += $2 }
				$1 == "t_announce_ns" { lo("a", $2) }
				$1 == "t_connected_ns" { hi("c", $2) }
				$1 == "t_fileseg_ns" { lo("f", $2) }
				$1 == "t_done_ns" { hi("d", $2) }
				END {
					reg = ("a" in m && "c" in x) ? (x["c"] - m["a"]) / 1e9 : -1
					xfer = ("f" in m && "d" in x) ? (x["d"] - m["f"]) / 1e9 : -1
					printf "%-5s %-5s %-4s %-3s %12s %7.3f %7.2f %7.2f %8.1f %6.2f %6.1f %7.2f %7.2f %7.1f %7.2f %7.2f\n",
					    impl, px, loss, run, ok + 0 "/" n "/" rc, reg, xfer, wall / 1000, tx / 1e6,
					    tx / size, rss / 1024, u + s, cpcpu, cprss, spcpu, swcpu
				}')
			echo "$row"
			echo "$row" >>"$W/prows"
			[ "$rc" = 0 ] || tail -n 3 "$W/$tag.uftp" | sed 's/^/  | /'
		done
	done
	done
	done
	echo
	echo "# medians [min-max] over $RUNS runs (ok: runs where all $N succeeded and uftp exited 0)"
	printf '%-5s %-5s %-4s %7s %-22s %-19s %-19s %7s %7s %7s %7s %7s\n' \
		impl proxy loss ok_runs reg_s xfer_s MB_tx rss_MB cpu_s cp_cpu cp_rss sw_cpu
	for loss in $LOSSES; do
	for pxi in $PX_IMPLS; do
		for impl in $IMPLS; do
			awk -v impl="$(name_of "$impl")" -v px="$(name_of "$pxi")" -v loss="$loss" -v n="$N" '
			function sorted(col,   i, j, t) {
				k = 0
				for (i = 1; i <= cnt; i++) a[++k] = v[i, col]
				for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			}
			function med(col) { sorted(col); return k ? (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2) : 0 }
			function mmm(col, fmt) { sorted(col); return sprintf(fmt " [" fmt "-" fmt "]", med(col), a[1], a[k]) }
			$1 == impl && $2 == px && $3 == loss {
				cnt++
				for (c = 6; c <= 16; c++) v[cnt, c] = $c
				if ($5 == n "/" n "/0") good++
			}
			END {
				if (!cnt) exit
				printf "%-5s %-5s %-4s %7s %-22s %-19s %-19s %7.1f %7.2f %7.2f %7.1f %7.2f\n",
				    impl, px, loss, good + 0 "/" cnt, mmm(6, "%.3f"), mmm(7, "%.2f"), mmm(9, "%.1f"),
				    med(11), med(12), med(13), med(14), med(16)
			}' "$W/prows"
		done
	done
	done
}
if [ "${SCALE_PROXIES:-0}" -gt 0 ]; then
	PX_IMPLS=${SCALE_PROXY_IMPLS:-ours}
	REF_PROXY=${UFTPPROXYD_REF:-/usr/bin/uftpproxyd}
	proxy_bench
	exit 0
fi

"$SWARM" -n "$N" -w "$W/hosts" || exit 2
lab_up scale 2 || exit 2
echo "# $N receivers, $fsize bytes, -R $RATE, runs $RUNS, impls: $IMPLS, groups: $GROUPS_, build $B"


printf '%-6s %-5s %-4s %-3s %10s %7s %7s %7s %9s %6s %6s %6s %7s %7s %7s %8s\n' \
	group impl loss run ok reg_s xfer_s wall_s MB_tx ratio kseg rounds rss_MB cpu_s sw_cpu sw_drop
: >"$W/rows"
for group in $GROUPS_; do
for loss in $LOSSES; do
	for run in $(seq 1 "$RUNS"); do
		for impl in $IMPLS; do
			bin=$(bin_of "$impl")
			[ -x "$bin" ] || { echo "skip $impl: $bin missing"; continue; }
			impl=$(name_of "$impl")
			tag=$group-$impl-$loss-$run
			gopt=
			[ "$group" = closed ] && gopt="-H @$W/hosts"
			lab_bg h1 spid sh -c "exec nice -n $SWARM_NICE '$SWARM' -n $N -f '$W/file' -I eth0 -l $loss -s $run -T 900 >'$W/$tag.swarm' 2>'$W/$tag.swarm.err'"
			lab_wait_udp h1 1044 10 || { echo "swarm did not bind" >&2; exit 1; }
			d0=$(rcvbuf_errors) b0=$(tx_bytes) t0=$(date +%s%N)
			# shellcheck disable=SC2086
			lab_exec h0 timeout -k 5 900 /usr/bin/time -f 'TIME %e %U %S %M' -o "$W/$tag.time" \
				"$bin" -I eth0 -M 230.4.4.1 -P 230.5.5.x -R "$RATE" -r 0.05 $gopt $SOPTS "$W/file" \
				>"$W/$tag.uftp" 2>&1
			rc=$?
			t1=$(date +%s%N) b1=$(tx_bytes)
			lab_wait_pid "$spid" 30 || lab_stop "$spid" 3
			d1=$(rcvbuf_errors)
			read -r _ _ u s m < <(grep '^TIME' "$W/$tag.time")
			ok=$(val succeeded "$W/$tag.swarm")
			row=$(awk -v group="$group" -v impl="$impl" -v loss="$loss" -v run="$run" -v ok="${ok:-0}/$N" -v rc="$rc" \
				-v reg="$(val registration_s "$W/$tag.swarm")" -v xfer="$(val transfer_s "$W/$tag.swarm")" \
				-v wall="$(((t1 - t0) / 1000000))" -v tx="$((b1 - b0))" -v size="$fsize" \
				-v kseg="$(val rx_fileseg "$W/$tag.swarm")" \
				-v rounds="$(val rounds "$W/$tag.swarm")" -v rss="${m:-0}" -v u="${u:-0}" -v s="${s:-0}" \
				-v swcpu="$(val cpu_s "$W/$tag.swarm")" -v drop="$((d1 - d0))" 'BEGIN {
				printf "%-6s %-5s %-4s %-3s %10s %7.3f %7.2f %7.2f %9.1f %6.2f %6.1f %6s %7.1f %7.2f %7.2f %8d\n",
				    group, impl, loss, run, ok "/" rc, reg, xfer, wall / 1000, tx / 1e6, tx / size,
				    kseg / 1000, rounds,
				    rss / 1024, u + s, swcpu, drop }')
			echo "$row"
			echo "$row" >>"$W/rows"
			[ "$rc" = 0 ] || tail -n 3 "$W/$tag.uftp" | sed 's/^/  | /'
		done
	done
done
done

echo
echo "# medians [min-max] over $RUNS runs (ok: runs where every receiver succeeded and uftp exited 0)"
printf '%-6s %-5s %-4s %7s %-19s %-19s %-19s %-19s %-19s %6s %7s %7s %7s\n' \
	group impl loss ok_runs reg_s xfer_s wall_s MB_tx kseg rounds rss_MB cpu_s sw_cpu
for group in $GROUPS_; do
for loss in $LOSSES; do
	for impl in $IMPLS; do
		impl=$(name_of "$impl")
		awk -v group="$group" -v impl="$impl" -v loss="$loss" -v n="$N" '
		function sorted(col,   i, j, t) {
			k = 0
			for (i = 1; i <= cnt; i++) a[++k] = v[i, col]
			for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		}
		function med(col) {
			sorted(col)
			return k ? (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2) : 0
		}
		function mmm(col, fmt) {
			sorted(col)
			return sprintf(fmt " [" fmt "-" fmt "]", med(col), a[1], a[k])
		}
		$1 == group && $2 == impl && $3 == loss {
			cnt++
			for (c = 6; c <= 16; c++) v[cnt, c] = $c
			if ($5 == n "/" n "/0") good++
		}
		END {
			if (!cnt) exit
			printf "%-6s %-5s %-4s %7s %-19s %-19s %-19s %-19s %-19s %6s %7.1f %7.2f %7.2f\n",
			    group, impl, loss, good + 0 "/" cnt, mmm(6, "%.3f"), mmm(7, "%.2f"), mmm(8, "%.2f"),
			    mmm(9, "%.1f"), mmm(11, "%.1f"),
			    med(12), med(13), med(14), med(15)
		}' "$W/rows"
	done
done
done
