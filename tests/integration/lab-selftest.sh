#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# p1, p2, sp are assigned by lab_bg through printf -v:
# shellcheck disable=SC2154
# lab-selftest.sh - proves scripts/netns-lab.sh works: 3 hosts on a bridge,
# IPv4 and IPv6 multicast between namespaces, unicast, the random-drop rule,
# the UDP bind wait, background start/stop by PID, and clean teardown.
# Needs root and python3. Prints one line per case, then "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/netns-lab.sh
. "$top/scripts/netns-lab.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: lab-selftest needs root"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else ko "$d"; fi; }
dead() { ! kill -0 "$1" 2>/dev/null; }

tmp=$(mktemp -d /tmp/lab-selftest.XXXXXX)
cleanup() { lab_down_all 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Receiver: join GROUP on PORT, count datagrams until N received or T seconds.
recv_py='
import socket, struct, sys
grp, port, n, t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
fam = socket.AF_INET6 if ":" in grp else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", port))
if fam == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(grp) + socket.inet_aton("0.0.0.0"))
else:
    idx = socket.if_nametoindex("eth0")
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                 socket.inet_pton(fam, grp) + struct.pack("@I", idx))
s.settimeout(t)
got = 0
try:
    while got < n:
        d, a = s.recvfrom(2048)
        if d.startswith(b"labtest"):
            got += 1
except socket.timeout:
    pass
print(got)
'
send_py='
import socket, struct, sys, time
grp, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in grp else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex("eth0"))
for i in range(n):
    s.sendto(b"labtest %d" % i, (grp, port))
    if i % 50 == 49:
        time.sleep(0.005)
'

# start_recv VAR HOST GROUP PORT N T OUTFILE: background receiver, PID in VAR
start_recv() {
	lab_bg "$2" "$1" python3 -c "$recv_py" "$3" "$4" "$5" "$6" >"$7" 2>&1
}

lab_up self 3 || { ko "lab_up"; echo "$pass passed, $fail failed"; exit 1; }
n=$(lab_list | grep -c -- "-self-")
check "lab_up creates 4 namespaces (bridge + 3 hosts)" [ "$n" = 4 ]

snoop=$(lab_exec br cat /sys/class/net/br0/bridge/multicast_snooping 2>/dev/null)
check "bridge multicast snooping is off" [ "$snoop" = 0 ]

addr=$(lab_exec h2 ip -4 -o addr show dev eth0 | awk '{print $4}')
check "h2 has 198.18.0.12/24" [ "$addr" = 198.18.0.12/24 ]

out=$(lab_exec h0 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.10", 0))
print("ok")' 2>&1)
check "h0 can bind its address" [ "$out" = ok ]

# --- IPv4 multicast, one sender (h0) to two receivers (h1, h2)
start_recv p1 h1 230.4.4.1 4711 100 5 "$tmp/r1"
start_recv p2 h2 230.4.4.1 4711 100 5 "$tmp/r2"
lab_wait_udp h1 4711 5 && lab_wait_udp h2 4711 5
check "lab_wait_udp sees the bound port" [ $? = 0 ]
sleep 0.2
lab_exec h0 timeout 5 python3 -c "$send_py" 230.4.4.1 4711 100
lab_wait_pid "$p1" 8; lab_wait_pid "$p2" 8
c1=$(cat "$tmp/r1"); c2=$(cat "$tmp/r2")
check "IPv4 multicast 230.4.4.1 h0 -> h1,h2 (got $c1, $c2 of 100)" [ "$c1" = 100 ] && [ "$c2" = 100 ]

# --- IPv6 multicast
start_recv p1 h1 ff15::4:4:1 4712 50 5 "$tmp/r6"
lab_wait_udp h1 4712 5
sleep 0.2
lab_exec h0 timeout 5 python3 -c "$send_py" ff15::4:4:1 4712 50
lab_wait_pid "$p1" 8
c=$(cat "$tmp/r6")
check "IPv6 multicast ff15::4:4:1 h0 -> h1 (got $c of 50)" [ "$c" = 50 ]

# --- unicast back from a client to the server
lab_bg h0 p1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.10", 4713)); s.settimeout(5)
got = 0
try:
    while got < 20:
        s.recvfrom(2048); got += 1
except socket.timeout:
    pass
print(got)' >"$tmp/ru" 2>&1
lab_wait_udp h0 4713 5
lab_exec h2 timeout 5 python3 -c "$send_py" 198.18.0.10 4713 20
lab_wait_pid "$p1" 8
c=$(cat "$tmp/ru")
check "IPv4 unicast h2 -> h0 (got $c of 20)" [ "$c" = 20 ]

# --- drop rule: 50% inbound UDP drop on h2, h1 unaffected
lab_drop h2 50
start_recv p1 h1 230.4.4.1 4714 1000 3 "$tmp/d1"
start_recv p2 h2 230.4.4.1 4714 1000 3 "$tmp/d2"
lab_wait_udp h1 4714 5 && lab_wait_udp h2 4714 5
sleep 0.2
lab_exec h0 timeout 10 python3 -c "$send_py" 230.4.4.1 4714 1000
lab_wait_pid "$p1" 8; lab_wait_pid "$p2" 8
c1=$(cat "$tmp/d1"); c2=$(cat "$tmp/d2")
dropped=$(lab_drop_count h2)
check "lab_drop 50% drops about half (h1 got $c1, h2 got $c2 of 1000, counter $dropped)" \
	[ "$c1" = 1000 ] && [ "$c2" -gt 350 ] && [ "$c2" -lt 650 ] && [ "$dropped" -gt 350 ]
lab_drop h2 0
c=$(lab_exec h2 nft list tables 2>/dev/null | grep -c labdrop)
check "lab_drop 0 removes the rule" [ "$c" = 0 ]

# --- background process start/stop by PID
lab_bg h1 sp sleep 60
lab_stop "$sp" 2
check "lab_stop ends a background process" dead "$sp"

# --- teardown, idempotent
lab_bg h2 sp sleep 60   # left running on purpose: lab_down must stop it
lab_down self
n=$(lab_list | grep -c -- "-self-")
check "lab_down removes every namespace" [ "$n" = 0 ]
check "lab_down stops recorded processes" dead "$sp"
lab_down self
check "lab_down is idempotent" [ $? = 0 ]
n=$(ip -o link show 2>/dev/null | grep -c "vh[0-9]*-$$")
check "no veth left in the root namespace" [ "$n" = 0 ]

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
