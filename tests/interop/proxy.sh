#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/interop/proxy.sh - uftpproxyd (ours and the real UFTP 4.10.2) in the
# topologies of man uftpproxyd, with real and our uftp/uftpd at the ends.
#
#   sudo tests/interop/proxy.sh [BUILD_DIR]      (default build/default)
#   CASES="fig1 response" KEEP=1 sudo tests/interop/proxy.sh build/default
#
# Topology (Figure 1): network A (lab "a", 198.18.0.0/24): a-h0 server,
# a-h1 server proxy, a-h2 a client reached directly; network B (lab "b",
# 198.18.1.0/24): b-h0 client proxy, b-h1.. clients.  A router namespace
# forwards unicast between A and B but no multicast, so the clients on B
# can only get the session through the tunnel a-h1 -> b-h0.
# Response proxy cases run on network A alone: a-h1 is the response proxy
# and the clients a-h2.. send their replies to it (uftpd -R).
#
# Cases:
#   fig1       real uftp -> our server proxy -> our client proxy -> 3 real
#              uftpd, plus one real uftpd on A; aggregation counted on the wire
#   fig1bc     the whole of Figure 1: server proxies to networks B (ours) and
#              C (the real one), our client proxies on B and C, two uftp
#              sessions at once
#   agg20      as fig1 with 20 real uftpd behind our client proxy: the server
#              must get fewer replies than there are clients, per phase
#   refsp      real server proxy -> our client proxy (mixed)
#   refcp      our server proxy -> real client proxy (mixed)
#   oursd      our uftpd behind our proxies (real uftp)
#   loss       fig1 with 3% loss into one client on B (1 MB file: NAKs merged)
#   fast       an 8 MB file unpaced (uftp -R -1) through our proxies
#   ssm        232.x groups, -S lists at both proxies (SSM joins)
#   enc_gcm    fig1 encrypted: ecdh_ecdsa + aes256-gcm (the client proxy does
#              the key exchange with the server and with its clients)
#   enc_hmac   RSA key exchange + aes128-cbc + HMAC, real server proxy
#   enc_oursd  enc_gcm with our uftpd behind our proxies
#   enc_auth   client authentication (uftp -c): CLIENT_KEYs checked against
#              the fingerprints of the client proxy's -C list
#   enc_auth_bad  the same with a wrong fingerprint for one client: it gets
#              nothing, the other client's session goes on
#   enc_keyex  RSA/ECDSA signatures on every message (uftp -w keyex)
#   nat        network B behind a masquerading router (nftables): the client
#              proxy sends signed heartbeats (-H), our server proxy (-s fp=)
#              learns the NATed address from them; forged and replayed
#              heartbeats are rejected
#   nat_refsp  the same with the real server proxy checking our heartbeats
#   nat_refcp  the same with our server proxy checking the real one's
#   tfmcc      real uftp -C tfmcc through our proxies: CONG_CTRL down the
#              tunnel, every CC_ACK up at once (never aggregated)
#   tfmcc_oursd  the same with our uftpd
#   tfmcc20    20 of our uftpd under TFMCC: fewer than 5 CC_ACK per CONG_CTRL
#              (feedback suppression); tfmcc20_ref (not in the default
#              list) does the same with the real uftpd, for comparison
#   vanish     the client proxy killed mid-session: that session fails, the
#              server proxy keeps serving, the next session completes
#   hostile    fig1 while 400 malformed datagrams hit both proxies: the
#              session completes and the junk is dropped and counted
#   response   real uftp, our response proxy (-r), 3 real uftpd -R
#   resp_enc   the same encrypted (ecdh_ecdsa + aes256-gcm, PROXY_KEY)
#   resp_oursd resp_enc with our uftpd -R
# The same with OUR uftp as the server (s_*): the server core registers the
# clients a proxy's REGISTER lists, takes its aggregated replies for them and,
# encrypted, does the key exchange with the proxy alone:
#   s_fig1     fig1 (our proxies, 3 real uftpd behind them, one on A)
#   s_oursd    our uftpd behind our proxies
#   s_refpx    the real server and client proxies, real uftpd
#   s_refpx_oursd  the real proxies between our uftp and our uftpd
#   s_loss     loss into one client on B: NAKs reach us as the proxy's STATUS
#   s_enc_gcm  enc_gcm (ecdh_ecdsa + aes256-gcm) through our proxies
#   s_enc_oursd  the same with our uftpd
#   s_enc_refpx  the same through the real proxies
#   s_response our response proxy, 3 real uftpd -R
#   s_resp_enc the same encrypted (PROXY_KEY)
#   closedj    closed group (-H, the clients on A and B) through our proxies,
#              the real uftp given the client proxy in its proxy list (-j)
#   s_closedj  closedj with our uftp (-H and -j)
#   s_closed   our uftp with -H and no -j: as the reference without -j, the
#              proxy is refused, the client on A gets everything, those
#              behind the proxy nothing, exit 0
# Figure 3: the server and two response proxies on A, two clients each on B
# and C, a multicast router between them (tests/tools/mroute.py in the
# router namespace: the kernel's multicast routing table, or where the kernel
# has none nftables netdev forwarding or a user-space relay;
# MROUTE_MODE=kernel|nft|relay forces one, and the one that ran is printed
# under the case; uftp and the proxies send with TTL 4).  Clients on B
# answer to the proxy a-h1, those on C to a-h2; the server must hear only
# the proxies, each proxy only its own clients:
#   fig3       real uftp; our proxy for B, the real one for C; real uftpd
#              on B, ours on C
#   fig3_enc   the same encrypted (ecdh_ecdsa + aes256-gcm: PROXY_KEY,
#              KEYINFO multicast from each proxy across the router)
#   s_fig3, s_fig3_enc   our uftp (s_fig3_enc: the real proxy for B)
# IPv6 (V6=1: ff15::4:4:1 / ff15::5:5:x, every -I by address):
#   v6, v6_refsp, v6_refcp, v6_enc   Figure 1 tunnels (real server proxy /
#              real client proxy in the mixed ones)
#   v6_nat     heartbeats through an IPv6 masquerade, -s fp= learning
#   s_v6       our uftp, proxies and uftpd
#   v6_resp    the response proxy (Figure 2)
#   fig3_v6, s_fig3_v6   Figure 3 with IPv6 multicast routing
# SK=ours runs any case with our uftp in place of the real one.
# Every received tree is compared with the source (tests/tools/treecmp.py).
# Output: "PASS|FAIL <case>" lines, details under each FAIL, then
# "N passed, M failed" (", K skipped" when a Figure 3 case found no way of
# routing multicast on this machine: "SKIP <case>: <reason>").  Exit 0 when
# none failed, 1 otherwise, 77 when it cannot run (no root, no real UFTP, no
# uftpproxyd built).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ALL_CASES="fig1 fig1bc agg20 refsp refcp oursd loss fast ssm enc_gcm enc_hmac enc_oursd enc_auth enc_auth_bad enc_keyex nat nat_refsp nat_refcp vanish hostile response resp_enc resp_oursd
	s_fig1 s_oursd s_refpx s_refpx_oursd s_loss s_enc_gcm s_enc_oursd s_enc_refpx s_response s_resp_enc closedj s_closedj s_closed
	fig3 fig3_enc s_fig3 s_fig3_enc v6 v6_refsp v6_refcp v6_enc v6_nat s_v6 v6_resp fig3_v6 s_fig3_v6
	tfmcc tfmcc_oursd tfmcc20"
CASES=${CASES:-$ALL_CASES}
T_SESSION=${T_SESSION:-60}
PROXY_REF=${PROXY_REF:-/usr/bin/uftpproxyd}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: proxy.sh needs root (network namespaces)"
	exit 77
fi
if [ ! -x "$UFTP_REF" ] || [ ! -x "$UFTPD_REF" ] || [ ! -x "$PROXY_REF" ]; then
	echo "SKIP: the real UFTP ($UFTP_REF, $UFTPD_REF, $PROXY_REF) is not installed"
	exit 77
fi
for t in tcpdump nft python3; do
	if ! command -v "$t" >/dev/null; then
		echo "SKIP: proxy.sh needs $t"
		exit 77
	fi
done
il_init "${1:-}" || exit 2
il_keys || exit 2
PROXY_OURS=$IL_BUILD/uftpproxyd
if [ ! -x "$PROXY_OURS" ]; then
	echo "SKIP: $PROXY_OURS is not built"
	exit 77
fi

passed=0 failed=0 skipped=
declare -a WHY=() PPIDS=() U_OPTS=() CP_OPTS=() CL_OPTS=() SP_OPTS=()

# ---- topology ---------------------------------------------------------------

nsa() { echo "${LAB_PREFIX}a-h$1"; }
nsb() { echo "${LAB_PREFIX}b-h$1"; }
ipa() { echo "198.18.0.$((10 + $1))"; }
ipb() { echo "198.18.1.$((10 + $1))"; }

# topo_up NA NB [NC]: labs a, b (and c, 198.18.2.0/24) joined by a unicast
# router (no multicast routing).
topo_up() {
	local na=$1 nb=$2 nc=${3:-0} i l n rt br legs="a b"
	lab_up a "$na" >/dev/null || return 1
	for ((i = 0; i < na; i++)); do
		ip -n "$(nsa "$i")" route add default via 198.18.0.1
		ip -n "$(nsa "$i")" -6 route add default via fd00:198:18::1
	done
	for l in b c; do
		n=$nb
		[ "$l" = c ] && n=$nc
		[ "$n" -gt 0 ] || continue
		[ "$l" = c ] && legs="a b c"
		lab_up "$l" "$n" >/dev/null || return 1
		for ((i = 0; i < n; i++)); do
			ip -n "${LAB_PREFIX}$l-h$i" addr flush dev eth0 scope global
			ip -n "${LAB_PREFIX}$l-h$i" addr add "$(ipnet "$l" "$i")/24" dev eth0
			ip -n "${LAB_PREFIX}$l-h$i" route add default via "$(ipnet "$l" -9)"
			ip -n "${LAB_PREFIX}$l-h$i" -6 addr add "$(ip6net "$l" "$i")/64" dev eth0 nodad
			ip -n "${LAB_PREFIX}$l-h$i" -6 route add default via "$(ip6net "$l" -9)"
		done
	done
	rt=${LAB_PREFIX}a-rt
	ip netns add "$rt" || return 1
	ip -n "$rt" link set lo up
	ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$rt" sysctl -qw net.ipv6.conf.all.forwarding=1
	# no duplicate address detection on the router's legs: while a
	# link-local address is tentative the router cannot resolve neighbours,
	# and the first IPv6 datagrams through it wait about a second
	ip netns exec "$rt" sysctl -qw net.ipv6.conf.default.accept_dad=0
	ip netns exec "$rt" sysctl -qw net.ipv6.conf.all.accept_dad=0
	for l in $legs; do
		br=${LAB_PREFIX}$l-br
		ip link add "r$l-$$" type veth peer name "e$l" netns "$rt" || return 1
		ip link set "r$l-$$" netns "$br"
		ip -n "$br" link set "r$l-$$" master br0
		ip -n "$br" link set "r$l-$$" up
		ip -n "$rt" link set "e$l" up
		ip -n "$rt" addr add "$(ipnet "$l" -9)/24" dev "e$l"
		ip -n "$rt" -6 addr add "$(ip6net "$l" -9)/64" dev "e$l" nodad
	done
	no_uso a "$na"
	no_uso b "$nb"
	no_uso c "$nc"
}

# no_uso LAB N: the hosts' eth0 segment UDP GSO messages themselves, as a
# NIC without UDP segmentation offload does.  Our daemons send runs of
# datagrams to one address as one GSO message, which a veth passes on
# whole: captures and counters would see one packet for many datagrams.
# This way they see datagrams, which is what the cases count.
no_uso() {
	local i
	command -v ethtool >/dev/null || { echo "# no ethtool: captures may see GSO messages whole" >&2; return 0; }
	for ((i = 0; i < $2; i++)); do
		ip netns exec "${LAB_PREFIX}$1-h$i" ethtool -K eth0 tx-udp-segmentation off >/dev/null 2>&1
	done
	return 0
}

# ipnet a|b|c I -> host I's address on that network (I = -9: the router, .1)
ipnet() {
	local n=0
	case $1 in b) n=1 ;; c) n=2 ;; esac
	echo "198.18.$n.$((10 + $2))"
}
# addr a|b|c I -> host I's address (IPv6 when V6=1)
addr() { if [ "${V6:-0}" = 1 ]; then ip6net "$1" "$2"; else ipnet "$1" "$2"; fi; }

# ip6net a|b|c I -> the same for IPv6 (fd00:198:18::/64, ::19::, ::20::)
ip6net() {
	local n=18
	case $1 in b) n=19 ;; c) n=20 ;; esac
	echo "fd00:198:$n::$((10 + $2))"
}
nsc() { echo "${LAB_PREFIX}c-h$1"; }
ipc() { echo "198.18.2.$((10 + $1))"; }

topo_down() {
	lab_down a
	lab_down b
	lab_down c
	PPIDS=()
}

# ---- processes ----------------------------------------------------------------

# start NS LOG PROG ARGS...: background process in NS, output to LOG
start() {
	local ns=$1 log=$2 st_pid
	shift 2
	echo "# $ns: $*" >"$log"
	lab_bg "$ns" st_pid "$@" >>"$log" 2>&1
	PPIDS+=("$st_pid")
}

# proxy NS KIND LOG ARGS...: a proxy (ours|ref) in the foreground, debug log
proxy() {
	local ns=$1 kind=$2 log=$3 bin=$PROXY_OURS
	shift 3
	[ "$kind" = ref ] && bin=$PROXY_REF
	if [ "${V6:-0}" = 1 ]; then
		# IPv6: interfaces by address; the real client proxy picks its
		# socket family from -O (without it, it listens on IPv4 only)
		[ "$1" = -c ] && set -- "$@" -O "$(ns_ip6 "$ns")"
		set -- -I "$(ns_ip6 "$ns")" -M ff15::4:4:1 -U "$(id6 "$ns")" "$@"
	fi
	start "$ns" "$log" "$bin" -d -x 3 "$@"
}

# ns_ip6 NS -> the global IPv6 address of NS's eth0
ns_ip6() { ip -n "$1" -6 -o addr show dev eth0 scope global | awk '{sub(/\/.*/, "", $4); print $4; exit}'; }
# id6 NS -> a -U value for NS under IPv6.  The default ID is the address's
# last 4 bytes, and fd00:198:18::10 (the server) would share it with
# fd00:198:19::10 (a proxy or client on B): the real uftp ignores a REGISTER
# carrying its own ID.  Take the network's group into the ID as well.
id6() {
	local a6 net
	a6=$(ns_ip6 "$1")
	net=${a6#fd00:198:}
	printf '0x%04X%04X' "0x${net%%::*}" "0x${a6##*::}"
}
# if_arg NS -> uftp/uftpd/uftpproxyd -I value: eth0, or the IPv6 address (V6=1)
if_arg() { if [ "${V6:-0}" = 1 ]; then ns_ip6 "$1"; else echo eth0; fi; }
# mc_pub / mc_priv -> the public and private groups of the current family
mc_pub() { if [ "${V6:-0}" = 1 ]; then echo ff15::4:4:1; else echo 230.4.4.1; fi; }
mc_priv() { if [ "${V6:-0}" = 1 ]; then echo ff15::5:5:x; else echo 230.5.5.x; fi; }

# client NS KIND DEST ARGS...: uftpd (ours|ref)
client() {
	local ns=$1 kind=$2 dest=$3 bin=$UFTPD_REF
	shift 3
	[ "$kind" = ours ] && bin=$IL_BUILD/uftpd
	mkdir -p "$dest"
	if [ "${V6:-0}" = 1 ]; then
		set -- -U "$(id6 "$ns")" "$@"
	fi
	start "$ns" "$dest.log" "$bin" -d -q -p 1044 -D "$dest" -M "$(mc_pub)" -I "$(if_arg "$ns")" "$@"
}

# wait_bound NS...: every NS has something on udp/1044 (bounded)
wait_bound() {
	local ns
	for ns in "$@"; do
		lab_wait_udp "$ns" 1044 10 2>/dev/null || { WHY+=("nothing bound udp/1044 in $ns"); return 1; }
	done
}

# server NS LOG SRC ARGS...: uftp, bounded (SK=ours: our uftp, else the real one)
server() {
	local ns=$1 log=$2 src=$3
	shift 3
	echo "# $ns: uftp $*" >"$log"
	(cd "$src" && ip netns exec "$ns" timeout -k 2 "$T_SESSION" "$(il_bin "${SK:-ref}" server)" -I "$(if_arg "$ns")" -M "$(mc_pub)" \
		-P "$(mc_priv)" -p 1044 -R 50000 -r 0.1 "$@" *) >>"$log" 2>&1
}

stop_all() {
	local p
	for p in "${PPIDS[@]}"; do lab_stop "$p" 3; done
	PPIDS=()
}

# The checks count control datagrams, never file data: cleartext FILESEGs
# (version 0x40, function 9) stay out of the captures, so that a busy machine
# does not make tcpdump drop the datagrams that are counted.
CAP_FILTER='udp and not (ip and udp[8:2] = 0x4009) and not (ip6 and ip6[6] = 17 and ip6[48:2] = 0x4009)'

# capture NS FILE VAR: tcpdump of UDP in NS (bounded start-up)
capture() {
	local ns=$1 f=$2 k cap_pid
	lab_bg "$ns" cap_pid tcpdump -i eth0 -n -U --immediate-mode -B 8192 -s 0 -w "$f" "$CAP_FILTER" 2>"$f.err"
	for ((k = 0; k < 50; k++)); do
		grep -q "listening on" "$f.err" 2>/dev/null && break
		sleep 0.1
	done
	printf -v "$3" '%s' "$cap_pid"
}

# capture_end PID FILE: stops a capture; the datagram counts are only
# meaningful if tcpdump lost none of them, so a loss is a failure of its own
capture_end() {
	local n
	lab_stop "$1" 2
	n=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$2.err" 2>/dev/null)
	[ "${n:-0}" = 0 ] || WHY+=("the capture $(basename "$2") lost $n datagrams: its counts cannot be trusted")
}

# count PCAP SRC DST FUNC: datagrams SRC -> DST (IPv4, "" = any) of function FUNC
count() {
	python3 - "$@" <<'EOF'
import ipaddress, struct, sys
f, src, dst, func = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
src = ipaddress.ip_address(src) if src else None
dst = ipaddress.ip_address(dst) if dst else None
n = 0
with open(f, 'rb') as fh:
    data = fh.read()
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:]
    if pkt[12:14] == b'\x08\x00' and len(ip) >= 28:
        s = ipaddress.ip_address(ip[12:16]); d = ipaddress.ip_address(ip[16:20])
        u = ip[(ip[0] & 15) * 4 + 8:]
    elif pkt[12:14] == b'\x86\xdd' and len(ip) >= 48 and ip[6] == 17:
        s = ipaddress.ip_address(ip[8:24]); d = ipaddress.ip_address(ip[24:40])
        u = ip[48:]
    else:
        continue
    if len(u) >= 2 and u[0] == 0x40 and u[1] == func and (not src or s == src) and (not dst or d == dst):
        n += 1
print(n)
EOF
}

check_tree() {
	local src=$1 d=$2 out
	out=$(il_compare "$src" "$d" 2>&1) || WHY+=("tree $d differs: $(echo "$out" | head -3)")
}

finish() {
	local name=$1 f
	for f in "$IL_WORK/$name"/*.log; do
		il_sanitized "$f" && WHY+=("sanitizer report in $f")
	done
	if [ ${#WHY[@]} -eq 0 ]; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		for f in "${WHY[@]}"; do echo "    $f"; done
		for f in "$IL_WORK/$name"/*.log; do
			[ -f "$f" ] || continue
			echo "    --- $f"
			tail -n 5 "$f" | sed 's/^/    /'
		done
		failed=$((failed + 1))
	fi
	WHY=()
	U_OPTS=() CP_OPTS=() CL_OPTS=() SP_OPTS=()
	topo_down
}

# ---- tunnel cases -----------------------------------------------------------------

# tunnel NAME SPKIND CPKIND CLIENTKIND NCLIENTS [LOSS_PCT]
tunnel() {
	local name=$1 sp=$2 cp=$3 ck=$4 nc=$5 loss=${6:-0} w i rc capb capa
	w=$IL_WORK/$name
	mkdir -p "$w"
	il_make_tree "$w/src" small
	[ "${LOSS_TREE:-0}" = 1 ] && head -c 1048576 /dev/urandom >"$w/src/one-mb.bin"
	[ "${FAST_TREE:-0}" = 1 ] && head -c 8388608 /dev/urandom >"$w/src/eight-mb.bin"
	topo_up 3 $((nc + 1)) || { WHY+=("topology set-up failed"); finish "$name"; return; }
	capture "$(nsb 0)" "$w/b.pcap" capb
	capture "$(nsa 0)" "$w/a.pcap" capa
	if [ -n "${NAT_FP:-}" ]; then
		nat_up || { WHY+=("nftables masquerade set-up failed"); finish "$name"; return; }
		proxy "$(nsa 1)" "$sp" "$w/sproxy.log" -s "fp=$NAT_FP"
	else
		proxy "$(nsa 1)" "$sp" "$w/sproxy.log" -s "$(addr b 0)" "${SP_OPTS[@]}"
	fi
	proxy "$(nsb 0)" "$cp" "$w/cproxy.log" -c "${CP_OPTS[@]}"
	client "$(nsa 2)" "$ck" "$w/a2" "${CL_OPTS[@]}"
	for ((i = 1; i <= nc; i++)); do client "$(nsb "$i")" "$ck" "$w/b$i" "${CL_OPTS[@]}"; done
	[ "$loss" != 0 ] && lab_drop "$(nsb 1)" "$loss" in
	wait_bound "$(nsa 1)" "$(nsb 0)" "$(nsa 2)" || { finish "$name"; return; }
	for ((i = 1; i <= nc; i++)); do wait_bound "$(nsb "$i")" || { finish "$name"; return; }; done
	if [ -n "${NAT_FP:-}" ]; then
		wait_log "$w/sproxy.log" "${NAT_LEARNED:-downstream proxy is now}" 15 ||
			WHY+=("the server proxy never learned the downstream from a heartbeat")
	fi
	[ -n "${DURING:-}" ] && "$DURING" "$w"
	server "$(nsa 0)" "$w/uftp.log" "$w/src" "${U_OPTS[@]}"
	rc=$?
	sleep 0.5
	capture_end "$capa" "$w/a.pcap"
	capture_end "$capb" "$w/b.pcap"
	U_OPTS=() CP_OPTS=() CL_OPTS=() SP_OPTS=()
	[ "$rc" = 0 ] || WHY+=("uftp exited $rc")
	check_tree "$w/src" "$w/a2"
	for ((i = 1; i <= nc; i++)); do
		if [[ " ${EMPTY:-} " == *" b$i "* ]]; then
			[ -z "$(ls -A "$w/b$i")" ] || WHY+=("b$i received files it must not")
		else
			check_tree "$w/src" "$w/b$i"
		fi
	done
	[ -n "${NOAGG:-}" ] || agg_report "$w" "$nc"
	[ -n "${AFTER:-}" ] && "$AFTER" "$w"
	stop_all
	finish "$name"
}

# Replies on the wire: from the clients to the client proxy (b.pcap) and
# from the server proxy to the server (a.pcap).  Aggregation means fewer
# REGISTER / FILEINFO_ACK / COMPLETE upstream than the clients sent.
agg_report() {
	local w=$1 nc=$2 f name down up
	if [ "${ENC:-0}" = 1 ]; then # replies after REGISTER are inside ENCRYPTED
		up=$(count "$w/a.pcap" "$(addr a 1)" "$(addr a 0)" 18)
		down=$(count "$w/b.pcap" "" "$(addr b 0)" 18)
		echo "    ENCRYPTED replies: $down from $nc clients to the client proxy, $up upstream"
		[ "$nc" -lt 2 ] || [ "$up" -lt "$down" ] || WHY+=("encrypted replies not aggregated")
		set -- 2:REGISTER
	else
		set -- 2:REGISTER 8:FILEINFO_ACK 12:COMPLETE
	fi
	for f in "$@"; do
		name=${f#*:}
		down=$(count "$w/b.pcap" "" "$(addr b 0)" "${f%%:*}")
		up=$(count "$w/a.pcap" "$(addr a 1)" "$(addr a 0)" "${f%%:*}")
		echo "    $name: $down from $nc clients to the client proxy, $up upstream to the server"
		[ "$down" -ge "$nc" ] || WHY+=("only $down $name from $nc clients seen")
		[ "$up" -ge 1 ] || WHY+=("no $name reached the server")
		[ "$nc" -lt 2 ] || [ "$up" -lt "$down" ] || WHY+=("$name not aggregated: $up up for $down down")
	done
	[ "${ENC:-0}" = 1 ] && return
	down=$(count "$w/b.pcap" "" "$(addr b 0)" 11)
	up=$(count "$w/a.pcap" "$(addr a 1)" "$(addr a 0)" 11)
	echo "    STATUS: $down from clients to the client proxy, $up upstream"
	[ "$up" -le "$down" ] || WHY+=("more STATUS upstream ($up) than from the clients ($down)")
}

# wait_log FILE TEXT SECS: TEXT appears in FILE (bounded)
wait_log() {
	local k
	for ((k = 0; k < $3 * 10; k++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# nat_up: network B reaches A only through masquerade; nothing from A gets
# into B unless it answers what B sent (conntrack).
nat_up() {
	local fam=ip
	[ "${V6:-0}" = 1 ] && fam=ip6
	ip netns exec "${LAB_PREFIX}a-rt" nft -f - <<NFT
table $fam labnat {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		oifname "ea" masquerade
	}
	chain guard {
		type filter hook forward priority 0; policy drop;
		iifname "eb" oifname "ea" accept
		iifname "ea" oifname "eb" ct state established,related accept
	}
}
NFT
}

case_fig1() { tunnel fig1 ours ours ref 3; }

# Figure 1 in full: two server proxies on A (ours to B, the real one to C),
# our client proxies on B and C, 2 real uftpd behind each, one on A; and
# two uftp sessions at once through both tunnels.
case_fig1bc() {
	local name=fig1bc w i rc1 rc2 spid
	w=$IL_WORK/$name
	mkdir -p "$w"
	il_make_tree "$w/src" small
	mkdir -p "$w/src2" "$w/both"
	head -c 200000 /dev/urandom >"$w/src2/second.bin"
	touch -d @1700000000 "$w/src2/second.bin"
	cp -a "$w/src/." "$w/src2/." "$w/both/"
	topo_up 4 3 3 || { WHY+=("topology set-up failed"); finish "$name"; return; }
	proxy "$(nsa 1)" ours "$w/sproxy_b.log" -s "$(ipb 0)"
	proxy "$(nsa 3)" ref "$w/sproxy_c.log" -s "$(ipc 0)"
	proxy "$(nsb 0)" ours "$w/cproxy_b.log" -c
	proxy "$(nsc 0)" ours "$w/cproxy_c.log" -c -U 0x0000CC01
	client "$(nsa 2)" ref "$w/a2"
	for i in 1 2; do
		client "$(nsb "$i")" ref "$w/b$i"
		client "$(nsc "$i")" ref "$w/c$i" -U "0x0000CC1$i"
	done
	wait_bound "$(nsa 1)" "$(nsa 3)" "$(nsb 0)" "$(nsc 0)" "$(nsa 2)" "$(nsb 1)" "$(nsb 2)" \
		"$(nsc 1)" "$(nsc 2)" || { finish "$name"; return; }
	server "$(nsa 0)" "$w/uftp2.log" "$w/src2" &
	spid=$!
	server "$(nsa 0)" "$w/uftp.log" "$w/src"
	rc1=$?
	wait "$spid"
	rc2=$?
	[ "$rc1" = 0 ] || WHY+=("uftp (first session) exited $rc1")
	[ "$rc2" = 0 ] || WHY+=("uftp (second session) exited $rc2")
	for d in a2 b1 b2 c1 c2; do check_tree "$w/both" "$w/$d"; done
	stop_all
	echo "    sessions: $(grep -ho '[0-9]* sessions' "$w"/cproxy_*.log | tr '\n' ' ')"
	finish "$name"
}

# junk FROM_NS: 2 s of malformed datagrams at both proxies (bounded, background)
junk() {
	local jk_pid
	lab_bg "$1" jk_pid timeout 10 python3 - "$(ipa 1)" "$(ipb 0)" <<'EOF'
import os, random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', 1047))
r = random.Random(7)
for i in range(400):
    kind = i % 5
    if kind == 0:
        d = os.urandom(r.randrange(0, 1500))
    elif kind == 1:   # a header alone, any function
        d = struct.pack('>BBHIIBBBB', 0x40, r.randrange(0, 30), i, 0x0BADF00D, r.getrandbits(32), 0, 0, 0, 0)
    elif kind == 2:   # ANNOUNCE cut short
        d = struct.pack('>BBHIIBBBB', 0x40, 1, i, 0x0BADF00D, 0x1234, 0, 0, 0, 0) + bytes([1, 0xff]) + os.urandom(10)
    elif kind == 3:   # REGISTER for a session nobody knows
        d = struct.pack('>BBHIIBBBB', 0x40, 2, i, 0x0BADF00D, 0x4321, 0, 0, 0, 0) + bytes([2, 11, 0, 0]) + bytes(40)
    else:             # header length lying about the body
        d = struct.pack('>BBHIIBBBB', 0x40, 7, i, 0x0BADF00D, 0x4321, 0, 0, 0, 0) + bytes([7, 200]) + os.urandom(30)
    for dst in sys.argv[1:]:
        s.sendto(d, (dst, 1044))
    time.sleep(0.005)
EOF
	PPIDS+=("$jk_pid")
}
hostile_during() { junk "$(nsa 2)"; }
case_hostile() {
	DURING=hostile_during tunnel hostile ours ours ref 2
	# the counters are logged when the proxies exit, after the case
	local f n
	for f in "$IL_WORK/hostile/sproxy.log" "$IL_WORK/hostile/cproxy.log"; do
		n=$(sed -n 's/.*datagrams in (\([0-9]*\) dropped).*/\1/p' "$f" | tail -1)
		echo "    $(basename "$f" .log): ${n:-?} datagrams dropped"
		if [ "${n:-0}" -lt 300 ]; then
			echo "FAIL hostile: $(basename "$f" .log) dropped only ${n:-0} of the junk"
			passed=$((passed - 1)) failed=$((failed + 1))
		fi
	done
}
case_agg20() { T_SESSION=90 tunnel agg20 ours ours ref 20; }
case_refsp() { tunnel refsp ref ours ref 2; }
case_refcp() { tunnel refcp ours ref ref 2; }
case_oursd() { tunnel oursd ours ours ours 2; }
case_loss() {
	LOSS_TREE=1 tunnel loss ours ours ref 3 3
}

# proxy_key NAME SPEC: a TEST-ONLY key for a proxy, made with uftp_keymgt
proxy_key() {
	[ -f "$IL_KEYS/$1.pem" ] || "$UFTP_KEYMGT_REF" -g "$2" "$IL_KEYS/$1.pem" >/dev/null 2>&1
	chmod 600 "$IL_KEYS/$1.pem"
	echo "$IL_KEYS/$1.pem"
}

case_nat() {
	local key
	key=$(proxy_key cproxy_hb ec:prime256v1)
	CP_OPTS=(-k "$key" -H "$(ipa 1)" -h 1)
	NAT_FP=$(il_fp "$key") AFTER=nat_forgery tunnel nat ours ours ref 2
}

# hb_replay PCAP SP_ADDR PORT [FLOOD]: resends the last signed HB_REQ the
# client proxy sent (from PCAP) to the server proxy, from our PORT; with
# FLOOD, then FLOOD copies with random bytes in their last 64 (signature)
hb_replay() {
	python3 - "$1" "$2" "$3" "${4:-0}" <<'EOF'
import socket, struct, sys
data = open(sys.argv[1], 'rb').read()
off, last = 24, None
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:]
    if len(ip) < 28 or pkt[12:14] != b'\x08\x00':
        continue
    u = ip[(ip[0] & 15) * 4 + 8:]
    if len(u) > 24 and u[0] == 0x40 and u[1] == 14 and struct.unpack_from('>H', u, 20)[0]:
        last = u
if last is None:
    sys.exit('no signed HB_REQ captured')
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', int(sys.argv[3])))
s.sendto(last, (sys.argv[2], 1044))
print('replayed %d bytes' % len(last))
import os, time
for i in range(int(sys.argv[4])):
    forged = last[:-64] + os.urandom(64) if len(last) > 80 else last
    s.sendto(forged, (sys.argv[2], 1044))
    if i % 200 == 199:
        time.sleep(0.02)
if int(sys.argv[4]):
    print('flooded %d forged heartbeats' % int(sys.argv[4]))
EOF
}

# After the NAT session: a replayed signed heartbeat and a proxy with the
# wrong key both fail, and the tunnel stays where it is.
nat_forgery() {
	local w=$1 wrong hb_pid
	ip netns exec "$(nsa 2)" bash -c "$(declare -f hb_replay); hb_replay '$w/b.pcap' $(ipa 1) 1045" \
		>"$w/replay.log" 2>&1 || { WHY+=("replay: $(tail -1 "$w/replay.log")"); return; }
	wait_log "$w/sproxy.log" "rejected: stale or replayed nonce" 5 ||
		WHY+=("a replayed heartbeat was not rejected")
	wrong=$(proxy_key wrong_hb ec:prime256v1)
	lab_bg "$(nsa 2)" hb_pid "$PROXY_OURS" -c -d -p 1046 -k "$wrong" -H "$(ipa 1)" -h 1 >"$w/wrong.log" 2>&1
	wait_log "$w/sproxy.log" "rejected: key fingerprint mismatch" 8 ||
		WHY+=("a heartbeat signed with the wrong key was not rejected")
	lab_stop "$hb_pid" 2
	# a heartbeat flood: 3000 forged ones; the server proxy stays up, its
	# memory bounded, the downstream where it was
	local sp_pid="" p rss0 rss1
	for p in $(ip netns pids "$(nsa 1)"); do
		grep -q uftpproxyd "/proc/$p/cmdline" 2>/dev/null && sp_pid=$p
	done
	rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$sp_pid/status" 2>/dev/null)
	ip netns exec "$(nsa 2)" bash -c "$(declare -f hb_replay); hb_replay '$w/b.pcap' $(ipa 1) 1048 3000" \
		>"$w/flood.log" 2>&1 || WHY+=("heartbeat flood: $(tail -1 "$w/flood.log")")
	sleep 1
	rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$sp_pid/status" 2>/dev/null)
	if [ -z "$sp_pid" ] || ! kill -0 "$sp_pid" 2>/dev/null; then
		WHY+=("the server proxy did not survive a heartbeat flood")
	elif [ $((${rss1:-0} - ${rss0:-0})) -gt 8192 ]; then
		WHY+=("server proxy RSS ${rss0} -> ${rss1} KiB after a heartbeat flood")
	fi
	[ "$(grep -c "downstream proxy is now" "$w/sproxy.log")" = 1 ] ||
		WHY+=("the downstream changed after forged heartbeats")
	# the log is rate-limited (ours: 5 lines per 10 s, then a count)
	local lines held
	wait_log "$w/sproxy.log" "more heartbeats rejected in" 12 ||
		WHY+=("no count of the rejected heartbeats that were not logged")
	# (a line may start with a time and its level word:
	# "2026/12/07 11:59:22.922151: warning: heartbeat from ...")
	lines=$(grep -Ec "^([0-9/]+ [0-9:.]+: )?([a-z]+: )?heartbeat from .* rejected" "$w/sproxy.log")
	held=$(sed -En 's/^([0-9/]+ [0-9:.]+: )?([a-z]+: )?([0-9]+) more heartbeats rejected in.*/\3/p' "$w/sproxy.log" | awk '{ n += $1 } END { print n + 0 }')
	[ "$lines" -le 20 ] || WHY+=("$lines rejected heartbeats logged one by one: the log is not rate-limited")
	[ $((lines + held)) -ge 3000 ] || WHY+=("only $lines logged + $held counted rejections for 3000 forged heartbeats")
	echo "    forged heartbeats: $lines logged + $held counted as rejected (3000 flooded), downstream kept, server proxy RSS ${rss0:-?} -> ${rss1:-?} KiB"
}
case_nat_refsp() {
	local key
	key=$(proxy_key cproxy_hb ec:prime256v1)
	CP_OPTS=(-k "$key" -H "$(ipa 1)" -h 1)
	NAT_FP=$(il_fp "$key") NAT_LEARNED="as downstream address" tunnel nat_refsp ref ours ref 2
}

case_nat_refcp() {
	local key
	key=$(proxy_key cproxy_hb ec:prime256v1)
	CP_OPTS=(-k "$key" -H "$(ipa 1)" -h 1)
	NAT_FP=$(il_fp "$key") tunnel nat_refcp ours ref ref 2
}

# Source-specific multicast: the server proxy joins 232.x groups for the
# server of its -S list only; the client proxy takes announcements only from
# the server proxy's address.
case_ssm() {
	local sl=$IL_WORK/ssm.servers cl=$IL_WORK/ssm.cpservers
	echo "$(lab_id 0)|$(ipa 0)" >"$sl"
	echo "$(lab_id 0)|$(ipa 1)" >"$cl"
	U_OPTS=(-M 232.4.4.1 -P 232.5.5.x)
	SP_OPTS=(-S "$sl" -M 232.4.4.1)
	CP_OPTS=(-S "$cl")
	CL_OPTS=(-M 232.4.4.1)
	tunnel ssm ours ours ref 2
}

# The client proxy vanishes in the middle of a session: the session fails
# (its clients are lost), the server proxy keeps running, and the next
# session, with the client proxy back, completes.
case_vanish() {
	local name=vanish w i rc cpid st
	w=$IL_WORK/$name
	mkdir -p "$w/big" "$w/src"
	head -c 3000000 /dev/urandom >"$w/big/big.bin"
	il_make_tree "$w/src" small
	topo_up 2 3 || { WHY+=("topology set-up failed"); finish "$name"; return; }
	proxy "$(nsa 1)" ours "$w/sproxy.log" -s "$(ipb 0)"
	proxy "$(nsb 0)" ours "$w/cproxy.log" -c
	cpid=${PPIDS[-1]}
	for i in 1 2; do client "$(nsb "$i")" ref "$w/b$i"; done
	wait_bound "$(nsa 1)" "$(nsb 0)" "$(nsb 1)" "$(nsb 2)" || { finish "$name"; return; }
	server "$(nsa 0)" "$w/uftp1.log" "$w/big" -R 4000 &
	st=$!
	wait_log "$w/b1.log" "Name of file to receive" 20 || WHY+=("the first session never started")
	lab_stop "$cpid" 2
	wait "$st"
	rc=$?
	[ "$rc" != 0 ] || WHY+=("uftp succeeded without the client proxy")
	echo "    first session (client proxy killed): uftp exit $rc"
	kill -0 "${PPIDS[0]}" 2>/dev/null || WHY+=("the server proxy died with its downstream")
	proxy "$(nsb 0)" ours "$w/cproxy2.log" -c
	wait_bound "$(nsb 0)" || { finish "$name"; return; }
	server "$(nsa 0)" "$w/uftp.log" "$w/src"
	rc=$?
	[ "$rc" = 0 ] || WHY+=("uftp exited $rc after the client proxy came back")
	for i in 1 2; do
		rm -f "$w/b$i/big.bin"
		check_tree "$w/src" "$w/b$i"
	done
	stop_all
	finish "$name"
}

# Unpaced (uftp -R -1): the tunnel loses datagrams under the burst; NAKs
# come back through aggregated STATUS until every block is there.
case_fast() {
	U_OPTS=(-R -1)
	FAST_TREE=1 tunnel fast ours ours ref 2
}

case_enc_gcm() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	ENC=1 tunnel enc_gcm ours ours ref 3
}
case_enc_hmac() {
	U_OPTS=(-Y aes128-cbc -h sha1 -w hmac -e rsa -k "$IL_KEYS/server_rsa.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_rsa rsa:1024)")
	CL_OPTS=(-k "$IL_KEYS/client1_rsa.pem")
	ENC=1 tunnel enc_hmac ref ours ref 2
}
# Client authentication through the client proxy: -C lists both clients on B
# with their key fingerprints (and the client on A, which the server reaches
# directly); keyex signatures: every server message signed again by the proxy.
case_enc_auth() {
	local cl
	cl=$IL_WORK/enc_auth.clients
	printf '%s|%s\n' "$(ipb 1)" "$(il_fp "$IL_KEYS/client1_ec.pem")" "$(ipb 2)" "$(il_fp "$IL_KEYS/client1_ec.pem")" >"$cl"
	U_OPTS=(-Y aes256-gcm -h sha256 -c -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)" -C "$cl")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	ENC=1 tunnel enc_auth ours ours ref 2
}
case_enc_auth_bad() {
	local cl
	cl=$IL_WORK/enc_auth_bad.clients
	printf '%s|%s\n' "$(ipb 1)" "$(il_fp "$IL_KEYS/client1_ec.pem")" "$(ipb 2)" "$(il_fp "$IL_KEYS/client2_ec.pem")" >"$cl"
	U_OPTS=(-Y aes256-gcm -h sha256 -c -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)" -C "$cl")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	EMPTY=b2 ENC=1 tunnel enc_auth_bad ours ours ref 2
}
case_enc_keyex() {
	U_OPTS=(-Y aes256-cbc -h sha256 -w keyex -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	ENC=1 tunnel enc_keyex ours ours ref 2
}

case_enc_oursd() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	ENC=1 tunnel enc_oursd ours ours ours 2
}

# TFMCC (real uftp -C tfmcc): CONG_CTRL goes down the tunnel, every CC_ACK
# comes up unaggregated, and the session completes at the rate they set.
# The CC_ACKs are counted where they reach the client proxy's interface
# (b.pcap) and where the server proxy's copies reach the server (a.pcap);
# in between, the kernel drops what arrives while a proxy's socket buffer
# is full (a proxy starved of CPU: 20 receivers with the sanitizers on two
# cores).  That is loss on the network's side of the socket, not a datagram
# the proxy saw and failed to forward, so the proxies get large buffers
# here (-B: no such drops in practice) and any drop left is taken into
# account: up to that many CC_ACKs may be missing, and it is said.
TFMCC_BUF=16777216
tfmcc_report() {
	local w=$1 down up ccd drops
	ccd=$(count "$w/b.pcap" "$(addr a 1)" "$(addr b 0)" 20)
	down=$(count "$w/b.pcap" "" "$(addr b 0)" 21)
	up=$(count "$w/a.pcap" "$(addr a 1)" "$(addr a 0)" 21)
	drops=$(($(udp_drops "$(nsb 0)") + $(udp_drops "$(nsa 1)")))
	echo "    CONG_CTRL down the tunnel: $ccd; CC_ACK: $down from clients to the client proxy, $up upstream;" \
		"$drops datagrams dropped at the proxies' full sockets"
	[ "$ccd" -ge 1 ] || WHY+=("no CONG_CTRL went down the tunnel")
	[ "$down" -ge 1 ] || WHY+=("the clients sent no CC_ACK")
	if [ "$up" -gt "$down" ] || [ $((down - up)) -gt "$drops" ]; then
		WHY+=("CC_ACK not forwarded one for one: $up up for $down down ($drops dropped by the kernel at the proxies)")
	elif [ "$up" != "$down" ]; then
		echo "    NOTE: $((down - up)) CC_ACK lost among the $drops datagrams the kernel dropped at full proxy sockets"
	fi
}
# udp_drops NS -> UDP datagrams the kernel has dropped in NS because a
# socket's receive buffer was full (RcvbufErrors of /proc/net/snmp)
udp_drops() {
	ip netns exec "$1" awk '/^Udp:/ { if (!n) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") n = i } else { print $n + 0; exit } }' /proc/net/snmp
}
case_tfmcc() {
	U_OPTS=(-C tfmcc) SP_OPTS=(-B "$TFMCC_BUF") CP_OPTS=(-B "$TFMCC_BUF")
	LOSS_TREE=1 NOAGG=1 AFTER=tfmcc_report tunnel tfmcc ours ours ref 2
}
case_tfmcc_oursd() {
	U_OPTS=(-C tfmcc) SP_OPTS=(-B "$TFMCC_BUF") CP_OPTS=(-B "$TFMCC_BUF")
	LOSS_TREE=1 NOAGG=1 AFTER=tfmcc_report tunnel tfmcc_oursd ours ours ours 2
}

# 20 receivers (ours or the real one) under TFMCC: non-CLR receivers answer
# once per feedback round at most, so CC_ACKs stay far below 20 per round
tfmcc_many() {
	local w=$1 rounds acks
	tfmcc_report "$w"
	rounds=$(count "$w/b.pcap" "$(addr a 1)" "$(addr b 0)" 20)
	acks=$(count "$w/b.pcap" "" "$(addr b 0)" 21)
	echo "    20 receivers: $acks CC_ACK for $rounds CONG_CTRL"
	[ "$acks" -lt $((rounds * 5)) ] || WHY+=("feedback implosion: $acks CC_ACK for $rounds CONG_CTRL from 20 receivers")
}
case_tfmcc20() {
	U_OPTS=(-C tfmcc) SP_OPTS=(-B "$TFMCC_BUF") CP_OPTS=(-B "$TFMCC_BUF")
	T_SESSION=90 LOSS_TREE=1 NOAGG=1 AFTER=tfmcc_many tunnel tfmcc20 ours ours ours 20
}
case_tfmcc20_ref() {
	U_OPTS=(-C tfmcc) SP_OPTS=(-B "$TFMCC_BUF") CP_OPTS=(-B "$TFMCC_BUF")
	T_SESSION=90 LOSS_TREE=1 NOAGG=1 AFTER=tfmcc_many tunnel tfmcc20_ref ours ours ref 20
}

# ---- response proxy ---------------------------------------------------------------

case_response() { response response -r; }
case_resp_enc() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	response resp_enc -r -e prime256v1 -k "$(proxy_key rproxy_ec ec:prime256v1)"
}

case_resp_oursd() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem" -x 3)
	RK=ours PK_LOG="got the response proxy's key" \
		response resp_oursd -r -e prime256v1 -k "$(proxy_key rproxy_ec ec:prime256v1)"
}

# response NAME PROXY_ARGS...: real uftp, our response proxy, 3 real uftpd -R
response() {
	local name=$1 w i rc cap n=3 up down enc=0
	shift
	w=$IL_WORK/$name
	mkdir -p "$w"
	il_make_tree "$w/src" small
	lab_up a $((n + 2)) >/dev/null || { WHY+=("lab set-up failed"); finish "$name"; return; }
	proxy "$(nsa 1)" ours "$w/rproxy.log" "$@"
	for ((i = 2; i < n + 2; i++)); do
		client "$(nsa "$i")" "${RK:-ref}" "$w/c$i" -R "$(addr a 1)" "${CL_OPTS[@]}"
	done
	for ((i = 1; i < n + 2; i++)); do wait_bound "$(nsa "$i")" || { finish "$name"; return; }; done
	# PROXY_KEY goes out at most every 5 s: a client that asked meanwhile waits
	for ((i = 2; i < n + 2 && ${#U_OPTS[@]}; i++)); do
		wait_log "$w/c$i.log" "${PK_LOG:-Received PROXY_KEY}" 12 || WHY+=("client h$i got no PROXY_KEY")
	done
	capture "$(nsa 0)" "$w/a.pcap" cap
	server "$(nsa 0)" "$w/uftp.log" "$w/src" "${U_OPTS[@]}"
	rc=$?
	sleep 0.5
	capture_end "$cap" "$w/a.pcap"
	[ ${#U_OPTS[@]} -gt 0 ] && enc=1
	U_OPTS=() CL_OPTS=()
	[ "$rc" = 0 ] || WHY+=("uftp exited $rc")
	for ((i = 2; i < n + 2; i++)); do check_tree "$w/src" "$w/c$i"; done
	set -- 2:REGISTER 12:COMPLETE
	[ "$enc" = 1 ] && set -- 2:REGISTER 18:ENCRYPTED
	for f in "$@"; do
		down=$(count "$w/a.pcap" "" "$(addr a 0)" "${f%%:*}")
		up=$(count "$w/a.pcap" "$(addr a 1)" "$(addr a 0)" "${f%%:*}")
		echo "    ${f#*:}: $up from the response proxy; $((down - up)) from clients directly"
		[ "$up" -ge 1 ] || WHY+=("no aggregated ${f#*:} from the proxy")
		[ "$down" = "$up" ] || WHY+=("clients replied to the server directly")
	done
	stop_all
	finish "$name"
}

# ---- Figure 3: response proxies beside the server, clients across a router ----

# mroute_up W: the router namespace forwards multicast between A, B and C
# (tests/tools/mroute.py; IPv6 with V6=1).  Senders need a TTL above 1.
# MROUTE_MODE (default auto) is mroute.py's --mode: kernel takes the kernel's
# multicast routing table (CONFIG_IP_MROUTE / CONFIG_IPV6_MROUTE), nft
# duplicates frames to the other legs from nftables netdev ingress chains,
# relay forwards in user space (AF_PACKET); auto takes the first of these
# that works.  The method that ran is printed under the case.  Returns 0 when ready; 1 when the router did not start (WHY says
# why); 2 when auto found no method on this machine (MR_SKIP says why).
mroute_up() {
	local w=$1 k mr_pid mode rc fam=()
	[ "${V6:-0}" = 1 ] && fam=(-6)
	lab_bg "${LAB_PREFIX}a-rt" mr_pid python3 "$IL_TOP/tests/tools/mroute.py" "${fam[@]}" \
		--mode "${MROUTE_MODE:-auto}" --timeout 300 --log "$w/mroute.log" ea eb ec >"$w/mroute.out" 2>&1
	PPIDS+=("$mr_pid")
	for ((k = 0; k < 50; k++)); do
		mode=$(sed -n 's/^ready //p' "$w/mroute.out" 2>/dev/null)
		if [ -n "$mode" ]; then
			echo "    multicast routing: $mode (mroute.py --mode ${MROUTE_MODE:-auto})"
			sed -n 's/.* mroute: \(cannot use .*\)/    (\1)/p' "$w/mroute.log"
			return 0
		fi
		kill -0 "$mr_pid" 2>/dev/null || break
		sleep 0.1
	done
	rc=
	kill -0 "$mr_pid" 2>/dev/null || { wait "$mr_pid"; rc=$?; }
	if [ "$rc" = 77 ]; then
		MR_SKIP="no way of forwarding multicast here: $(sed 's/^[0-9:]* mroute: //' "$w/mroute.log" | paste -sd '|' | sed 's/|/; /g')"
		return 2
	fi
	WHY+=("the multicast router (--mode ${MROUTE_MODE:-auto}) did not start${rc:+ (exit $rc)}: $(cat "$w/mroute.log" "$w/mroute.out" 2>/dev/null | head -3)")
	return 1
}

# mroute_stats W: the nft or relay counts (logged when it stops), under the case
mroute_stats() { sed -n 's/.* mroute: \(\(relay\|nft\): .*\)/    \1/p' "$1/mroute.log"; }

# fig3 NAME RPROXY_B RPROXY_C CLIENTS_B CLIENTS_C [PROXY_ARGS...]: the man
# page's Figure 3.  The server and two response proxies on A; two clients on
# B answering to the proxy a-h1, two on C answering to a-h2.  The server's
# multicast (and each proxy's, KEYINFO when encrypted) crosses the router to
# B and C; the clients' replies go by unicast to their own proxy only, and
# the server hears nothing but the two proxies.
fig3() {
	local name=$1 rb=$2 rc=$3 kb=$4 kc=$5 w i l rc0 f cap0 cap1 cap2 up1 up2 total m
	shift 5
	w=$IL_WORK/$name
	mkdir -p "$w"
	il_make_tree "$w/src" small
	topo_up 3 2 2 || { WHY+=("topology set-up failed"); finish "$name"; return; }
	mroute_up "$w"
	case $? in
	0) ;;
	2) # last resort, never a silent pass: the reason is printed
		echo "SKIP $name: $MR_SKIP"
		skipped=$((skipped + 1))
		stop_all
		WHY=()
		U_OPTS=() CL_OPTS=()
		topo_down
		return
		;;
	*)
		finish "$name"
		return
		;;
	esac
	capture "$(nsa 0)" "$w/a0.pcap" cap0
	capture "$(nsa 1)" "$w/a1.pcap" cap1
	capture "$(nsa 2)" "$w/a2.pcap" cap2
	proxy "$(nsa 1)" "$rb" "$w/rproxy_b.log" "$@" -t 4
	proxy "$(nsa 2)" "$rc" "$w/rproxy_c.log" "$@" -t 4
	for i in 0 1; do
		client "$(nsb "$i")" "$kb" "$w/b$i" -R "$(addr a 1)" "${CL_OPTS[@]}"
		client "$(nsc "$i")" "$kc" "$w/c$i" -R "$(addr a 2)" "${CL_OPTS[@]}"
	done
	wait_bound "$(nsa 1)" "$(nsa 2)" "$(nsb 0)" "$(nsb 1)" "$(nsc 0)" "$(nsc 1)" || { finish "$name"; return; }
	if [ ${#U_OPTS[@]} -gt 0 ]; then # encrypted: every client needs its proxy's PROXY_KEY
		# (the other proxy's PROXY_KEY reaches them too, and is refused)
		for f in b0 b1 c0 c1; do
			i=1
			[ "${f%?}" = c ] && i=2
			l="Received PROXY_KEY from $(addr a "$i")\$"
			{ [ "${f%?}" = b ] && [ "$kb" = ours ]; } || { [ "${f%?}" = c ] && [ "$kc" = ours ]; } &&
				l="got the response proxy's key"
			wait_log "$w/$f.log" "$l" 12 || WHY+=("client $f got no PROXY_KEY from its proxy")
		done
	fi
	server "$(nsa 0)" "$w/uftp.log" "$w/src" -t 4 "${U_OPTS[@]}"
	rc0=$?
	sleep 0.5
	capture_end "$cap0" "$w/a0.pcap"
	capture_end "$cap1" "$w/a1.pcap"
	capture_end "$cap2" "$w/a2.pcap"
	[ "$rc0" = 0 ] || WHY+=("uftp exited $rc0")
	for f in b0 b1 c0 c1; do check_tree "$w/src" "$w/$f"; done
	# the replies: clients -> their own proxy only, proxies -> server
	set -- 2:REGISTER 12:COMPLETE
	[ ${#U_OPTS[@]} -gt 0 ] && set -- 2:REGISTER 18:ENCRYPTED
	for f in "$@"; do
		m=${f#*:}
		total=$(count "$w/a0.pcap" "" "$(addr a 0)" "${f%%:*}")
		up1=$(count "$w/a0.pcap" "$(addr a 1)" "$(addr a 0)" "${f%%:*}")
		up2=$(count "$w/a0.pcap" "$(addr a 2)" "$(addr a 0)" "${f%%:*}")
		echo "    $m to the server: $up1 from proxy B, $up2 from proxy C, $((total - up1 - up2)) from clients"
		[ "$up1" -ge 1 ] && [ "$up2" -ge 1 ] || WHY+=("no aggregated $m from one of the proxies")
		[ "$total" = $((up1 + up2)) ] || WHY+=("clients sent $m to the server directly")
		for l in b c; do
			i=1
			[ $l = c ] && i=2
			up1=$(count "$w/a$i.pcap" "$(addr "$l" 0)" "$(addr a "$i")" "${f%%:*}")
			up2=$(count "$w/a$i.pcap" "$(addr "$l" 1)" "$(addr a "$i")" "${f%%:*}")
			total=$(count "$w/a$i.pcap" "" "$(addr a "$i")" "${f%%:*}")
			echo "    $m to proxy $l: $up1 + $up2 from its clients, $((total - up1 - up2)) from elsewhere"
			[ "$up1" -ge 1 ] && [ "$up2" -ge 1 ] || WHY+=("a client on $l sent no $m to its proxy")
			[ "$total" = $((up1 + up2)) ] || WHY+=("proxy $l got $m from clients that are not its own")
		done
	done
	grep -q "route (.*) from eb\|route (.*) from ec" "$w/mroute.log" &&
		WHY+=("multicast came up from B or C: $(grep 'from e[bc]' "$w/mroute.log" | head -2)")
	grep -q "route (.*) from ea" "$w/mroute.log" || WHY+=("nothing was multicast-routed")
	stop_all
	mroute_stats "$w"
	finish "$name"
}

case_fig3() { fig3 fig3 ours ref ref ours -r; }
case_fig3_enc() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem" -x 3)
	fig3 fig3_enc ours ref ref ours -r -e prime256v1 -k "$(proxy_key rproxy_ec ec:prime256v1)"
}
case_s_fig3() { SK=ours fig3 s_fig3 ours ours ref ours -r; }
case_s_fig3_enc() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem" -x 3)
	SK=ours fig3 s_fig3_enc ref ours ours ref -r -e prime256v1 -k "$(proxy_key rproxy_ec ec:prime256v1)"
}

# ---- IPv6 ---------------------------------------------------------------------
# The same topologies over IPv6 (ff15::4:4:1 / ff15::5:5:x, -I by address,
# IDs given with -U: see id6).  v6_nat: heartbeats to "[address]" through an
# IPv6 masquerade (the real uftpproxyd cannot parse an IPv6 -H address, so
# both proxies are ours there).
case_v6() { V6=1 tunnel v6 ours ours ref 3; }
case_v6_refsp() { V6=1 tunnel v6_refsp ref ours ref 2; }
case_v6_refcp() { V6=1 tunnel v6_refcp ours ref ref 2; }
case_v6_enc() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	V6=1 ENC=1 tunnel v6_enc ours ours ours 2
}
case_v6_nat() {
	local key
	key=$(proxy_key cproxy_hb ec:prime256v1)
	CP_OPTS=(-k "$key" -H "[$(ip6net a 1)]" -h 1)
	V6=1 NAT_FP=$(il_fp "$key") tunnel v6_nat ours ours ref 2
}
case_s_v6() { SK=ours V6=1 tunnel s_v6 ours ours ours 2; }
case_v6_resp() { V6=1 response v6_resp -r; }
case_fig3_v6() { V6=1 fig3 fig3_v6 ours ref ref ours -r; }
case_s_fig3_v6() { SK=ours V6=1 fig3 s_fig3_v6 ours ours ours ref -r; }

# ---- our uftp as the server -----------------------------------------------------

case_s_fig1() { SK=ours tunnel s_fig1 ours ours ref 3; }
case_s_oursd() { SK=ours tunnel s_oursd ours ours ours 2; }
case_s_refpx() { SK=ours tunnel s_refpx ref ref ref 2; }
case_s_refpx_oursd() { SK=ours tunnel s_refpx_oursd ref ref ours 2; }
case_s_loss() { SK=ours LOSS_TREE=1 tunnel s_loss ours ours ref 3 3; }
case_s_enc_gcm() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	SK=ours ENC=1 tunnel s_enc_gcm ours ours ref 3
}
case_s_enc_oursd() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	SK=ours ENC=1 tunnel s_enc_oursd ours ours ours 2
}
case_s_enc_refpx() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CP_OPTS=(-k "$(proxy_key cproxy_ec ec:prime256v1)")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	SK=ours ENC=1 tunnel s_enc_refpx ref ref ref 2
}
case_s_response() { SK=ours response s_response -r; }
case_s_resp_enc() {
	U_OPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$IL_KEYS/server_ec.pem")
	CL_OPTS=(-k "$IL_KEYS/client1_ec.pem")
	SK=ours response s_resp_enc -r -e prime256v1 -k "$(proxy_key rproxy_ec ec:prime256v1)"
}

# closed_hosts FILE: the -H list of the tunnel cases (a2, b1, b2)
closed_hosts() { printf '%s\n' "$(lab_id 2)" "$(printf '0xC61201%02X' 11)" "$(printf '0xC61201%02X' 12)" >"$1"; }
case_closedj() {
	local hl=$IL_WORK/closedj.hosts pl=$IL_WORK/closedj.proxies
	closed_hosts "$hl"
	printf '0xC61201%02X\n' 10 >"$pl" # the client proxy's ID (its address)
	U_OPTS=(-H "@$hl" -j "$pl")
	tunnel closedj ours ours ref 2
}
case_s_closedj() {
	local hl=$IL_WORK/s_closedj.hosts pl=$IL_WORK/s_closedj.proxies
	closed_hosts "$hl"
	printf '0xC61201%02X\n' 10 >"$pl"
	U_OPTS=(-H "@$hl" -j "$pl")
	SK=ours tunnel s_closedj ours ours ref 2
}
case_s_closed() {
	local hl=$IL_WORK/s_closed.hosts
	closed_hosts "$hl"
	U_OPTS=(-H "@$hl")
	SK=ours EMPTY="b1 b2" NOAGG=1 tunnel s_closed ours ours ref 2
}

for c in $CASES; do
	if declare -F "case_$c" >/dev/null; then
		"case_$c"
	else
		echo "unknown case $c" >&2
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed${skipped:+, $skipped skipped}"
[ "$failed" = 0 ]
