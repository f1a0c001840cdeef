# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# netns-lab.sh - a multi-host multicast testbed on one machine (sourceable library).
#
# Usage (as root):
#   . scripts/netns-lab.sh
#   lab_up mylab 3              # bridge ns "${LAB_PREFIX}mylab-br", hosts ...-h0 .. -h2
#   trap 'lab_down mylab' EXIT  # (lab_up also registers the lab for lab_down_all)
#   lab_exec h0 ip addr         # run a command in host 0 of the current lab
#   lab_bg h1 pidvar uftpd ...  # start in background, PID stored in $pidvar
#   lab_stop "$pid"             # stop a process we started (by PID only)
#   lab_drop h1 10              # drop 10% of UDP arriving at / leaving host 1
#   lab_wait_udp h1 1044 5      # wait up to 5 s until UDP port 1044 is bound in h1
#   lab_down mylab
#
# Topology: one namespace "<lab>-br" holds bridge "br0" (multicast snooping off,
# STP off, forward delay 0).  Host i is namespace "<lab>-h<i>" with interface
# "eth0" (veth peer "vh<i>" enslaved to br0), addresses 198.18.0.(10+i)/24 and
# fd00:198:18::(10+i)/64 (ULA, nodad), loopback up, routes 224.0.0.0/4 and
# ff00::/8 via eth0.  Traffic never leaves the lab namespaces.
#
# Namespace names are "lab<$$>-<name>-..." (LAB_PREFIX, default "lab$$-") so that
# parallel runs never collide.  lab_down is idempotent and safe to call from a
# trap; it kills only processes whose PIDs were recorded by lab_bg, then removes
# every namespace that carries the lab's prefix.

: "${LAB_PREFIX:=lab$$-}"
LAB_OWNER=$BASHPID    # only this shell (not subshells) may tear labs down
LAB_CUR=""            # current lab (set by lab_up; lab_exec uses it)
LAB_NHOSTS=0           # hosts in the current lab (for callers)
export LAB_NHOSTS
declare -a LAB_PIDS=()  # PIDs started with lab_bg
declare -a LAB_ALL=()   # labs created by this shell

_lab_log() { [ -n "${LAB_VERBOSE:-}" ] && echo "lab: $*" >&2; return 0; }

# lab_ns HOST -> full namespace name. HOST is "h0", "0", "br" or a full name.
lab_ns() {
	local h=$1
	case "$h" in
	"${LAB_PREFIX}"*) echo "$h" ;;
	br) echo "${LAB_PREFIX}${LAB_CUR}-br" ;;
	h[0-9]*) echo "${LAB_PREFIX}${LAB_CUR}-$h" ;;
	[0-9]*) echo "${LAB_PREFIX}${LAB_CUR}-h$h" ;;
	*) echo "${LAB_PREFIX}${LAB_CUR}-$h" ;;
	esac
}

# lab_ip4 I / lab_ip6 I -> address of host I (no prefix length)
lab_ip4() { local i=${1#h}; echo "198.18.0.$((10 + i))"; }
lab_ip6() { local i=${1#h}; echo "fd00:198:18::$((10 + i))"; }
# lab_id I -> uftp default client ID (IPv4 address as 0xXXXXXXXX)
lab_id() { local i=${1#h}; printf '0xC61200%02X\n' $((10 + i)); }

# lab_up NAME N_HOSTS
lab_up() {
	local name=$1 n=$2 i ns br
	[ -n "$name" ] && [ "$n" -ge 1 ] 2>/dev/null || { echo "lab_up NAME N" >&2; return 2; }
	[ "$(id -u)" = 0 ] || { echo "lab_up: needs root" >&2; return 2; }
	LAB_CUR=$name
	LAB_NHOSTS=$n
	LAB_ALL+=("$name")
	br=$(lab_ns br)
	ip netns add "$br" || return 1
	ip -n "$br" link set lo up
	ip -n "$br" link add br0 type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 || return 1
	ip -n "$br" link set br0 up
	# no IPv6 addresses/DAD on the bridge itself
	ip netns exec "$br" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1
	for ((i = 0; i < n; i++)); do
		ns=$(lab_ns "h$i")
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip link add "vh$i-$$" type veth peer name eth0 netns "$ns" || return 1
		ip link set "vh$i-$$" netns "$br" || return 1
		ip -n "$br" link set "vh$i-$$" name "vh$i"
		ip -n "$br" link set "vh$i" master br0
		ip -n "$br" link set "vh$i" up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 >/dev/null 2>&1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 >/dev/null 2>&1
		ip -n "$ns" addr add "$(lab_ip4 "$i")/24" dev eth0
		ip -n "$ns" -6 addr add "$(lab_ip6 "$i")/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add 224.0.0.0/4 dev eth0
		ip -n "$ns" -6 route add ff00::/8 dev eth0 2>/dev/null || true
	done
	_lab_log "up: $name ($n hosts, prefix $LAB_PREFIX)"
}

# lab_use NAME: make NAME the current lab (for scripts with several labs)
lab_use() { LAB_CUR=$1; }

# lab_exec HOST cmd...   (HOST: h0, 0, br, or full namespace name)
lab_exec() {
	local ns
	ns=$(lab_ns "$1"); shift
	ip netns exec "$ns" "$@"
}

# lab_bg HOST VAR cmd...: start cmd in HOST in the background, store PID in VAR.
# stdout/stderr go wherever the caller redirected this function's output.
lab_bg() {
	local ns var=$2 pid
	ns=$(lab_ns "$1"); shift 2
	# The child must not run the caller's traps (a TERM that arrives before
	# exec would otherwise run the caller's EXIT/cleanup trap in the child).
	(
		trap - EXIT HUP INT TERM
		exec ip netns exec "$ns" "$@"
	) &
	pid=$!
	LAB_PIDS+=("$pid")
	printf -v "$var" '%s' "$pid"
	_lab_log "bg $pid in $ns: $*"
}

# lab_track PID: have lab_down stop a process started some other way
# (e.g. a daemon that wrote a pidfile).
lab_track() { LAB_PIDS+=("$1"); }

# lab_stop PID [TIMEOUT_S]: SIGTERM, wait up to TIMEOUT (default 3 s), then SIGKILL.
lab_stop() {
	local pid=$1 t=${2:-3} k
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((k = 0; k < t * 10; k++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# lab_wait_pid PID TIMEOUT_S: wait for a child to exit; returns its status,
# or 124 on timeout (process left running).
lab_wait_pid() {
	local pid=$1 t=$2 k
	for ((k = 0; k < t * 10; k++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			return $?
		fi
		sleep 0.1
	done
	return 124
}

# lab_wait_udp HOST PORT TIMEOUT_S: wait until something binds UDP PORT in HOST.
lab_wait_udp() {
	local ns port=$2 t=${3:-5} k
	ns=$(lab_ns "$1")
	for ((k = 0; k < t * 10; k++)); do
		if [ -n "$(ip netns exec "$ns" ss -Huln "sport = :$port" 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "lab_wait_udp: nothing bound to udp/$port in $ns after ${t}s" >&2
	return 1
}

# lab_drop HOST PERCENT [DIR]: randomly drop PERCENT % (may be fractional, e.g. 0.5)
# of UDP packets in HOST. DIR: in (default), out or both. PERCENT 0 removes the rule.
lab_drop() {
	local ns pct=$2 dir=${3:-in} n
	ns=$(lab_ns "$1")
	ip netns exec "$ns" nft delete table inet labdrop 2>/dev/null
	n=$(awk -v p="$pct" 'BEGIN { printf "%d", p * 10000 }')
	[ "$n" -gt 0 ] || return 0
	ip netns exec "$ns" nft -f - <<EOF || return 1
table inet labdrop {
	chain in {
		type filter hook input priority 0; policy accept;
		$([ "$dir" = out ] || echo "meta l4proto udp numgen random mod 1000000 < $n counter drop")
	}
	chain out {
		type filter hook output priority 0; policy accept;
		$([ "$dir" = in ] || echo "meta l4proto udp numgen random mod 1000000 < $n counter drop")
	}
}
EOF
}

# lab_impair HOST LOSS DUP REORDER: impairs the link from the bridge to HOST
# (what HOST receives), in permille of UDP datagrams: LOSS dropped, DUP sent
# twice, REORDER held back in a slow HTB class (2 Mbit/s) so that later ones
# overtake them.  netem is not needed: an nftables netdev egress chain on the
# bridge port (numgen random; drop, dup to the same port, meta priority) and
# an HTB qdisc.  lab_impair HOST 0 0 0 removes it.  Counters: lab_impair_count.
lab_impair() {
	local br i=${1#h} loss=$2 dup=$3 reo=$4
	br=$(lab_ns br)
	ip netns exec "$br" nft delete table netdev "labimp$i" 2>/dev/null
	ip netns exec "$br" tc qdisc del dev "vh$i" root 2>/dev/null
	[ "$loss" -gt 0 ] || [ "$dup" -gt 0 ] || [ "$reo" -gt 0 ] || return 0
	ip netns exec "$br" tc qdisc add dev "vh$i" root handle 1: htb default 10 || return 1
	ip netns exec "$br" tc class add dev "vh$i" parent 1: classid 1:10 htb rate 10gbit || return 1
	ip netns exec "$br" tc class add dev "vh$i" parent 1: classid 1:20 htb rate 2mbit \
		ceil 2mbit burst 4k || return 1
	ip netns exec "$br" nft -f - <<EOF || return 1
table netdev labimp$i {
	chain eg {
		type filter hook egress device "vh$i" priority 0; policy accept;
		meta l4proto udp numgen random mod 1000 < $loss counter drop
		meta l4proto udp numgen random mod 1000 < $dup counter dup to "vh$i"
		meta l4proto udp numgen random mod 1000 < $reo counter meta priority set 1:20
	}
}
EOF
}

# lab_impair_count HOST: "dropped duplicated delayed" datagrams so far.
lab_impair_count() {
	local br i=${1#h}
	br=$(lab_ns br)
	ip netns exec "$br" nft list table netdev "labimp$i" 2>/dev/null |
		awk '/counter packets/ { for (k = 1; k <= NF; k++) if ($k == "packets") printf "%s ", $(k + 1) } END { print "" }'
}

# lab_drop_count HOST: number of packets dropped so far by lab_drop rules.
lab_drop_count() {
	local ns
	ns=$(lab_ns "$1")
	ip netns exec "$ns" nft list table inet labdrop 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# lab_down NAME: stop recorded processes, delete the lab's namespaces. Idempotent.
lab_down() {
	local name=${1:-$LAB_CUR} pid ns
	[ "$BASHPID" = "$LAB_OWNER" ] || return 0
	for pid in "${LAB_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && lab_stop "$pid" 2
	done
	LAB_PIDS=()
	[ -n "$name" ] || return 0
	# Any process still holding one of our namespaces was started by us (only
	# we know the per-run name); kill it by PID so the namespace can go away.
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -F -- "${LAB_PREFIX}${name}-"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns delete "$ns" 2>/dev/null
	done
	_lab_log "down: $name"
	return 0
}

# lab_down_all: tear down every lab this shell created (for trap EXIT).
lab_down_all() {
	local l
	[ "$BASHPID" = "$LAB_OWNER" ] || return 0
	for l in "${LAB_ALL[@]}"; do lab_down "$l"; done
	LAB_ALL=()
	return 0
}

# lab_list: namespaces of this run that still exist
lab_list() { ip netns list 2>/dev/null | awk '{print $1}' | grep -F -- "$LAB_PREFIX" || true; }
