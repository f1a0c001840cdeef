#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh:
# shellcheck disable=SC2034
# scripts/tcp-friendly.sh - TCP-friendliness of uftp -C tfmcc (prints figures;
# not a CI test).  As root:
#
#   RATES="20 100" PAIRS="ours-ours ref-ref" bash scripts/tcp-friendly.sh [BUILD_DIR]
#
# Testbed (scripts/netns-lab.sh): h0 sends, h1 receives.  The bridge port
# toward h1 (vh1) is the bottleneck: an HTB class at RATE Mbit/s (ceil the
# same) with a byte FIFO of QUEUE_MS ms worth (drop-tail).  sch_netem is not
# needed.  Two flows share it:
#   - one bulk TCP flow, h0 -> h1 port 5201 (a small python3 socket sender
#     and sink; the sender's congestion control is TCP_CC, default cubic,
#     set on its socket with TCP_CONGESTION);
#   - one TFMCC session, uftp -C tfmcc on h0 -> uftpd on h1 (PAIRS names
#     server-receiver pairs: ours = BUILD_DIR's, ref = the real UFTP 4.10.2).
# Phases per pair and rate: TCP alone (ALONE s), TFMCC alone (ALONE s), then
# both (SHARED s of overlap) for each ORDERS entry: tcp-first (TFMCC joins a
# running TCP flow STAGGER s later) and/or tfmcc-first (TCP joins).
# Bytes per flow are counted by nftables counters at h1's input, sampled
# every second; the per-second throughput of each flow is printed.  Over the
# shared phase (after SETTLE s from the second flow's first byte): mean Mbit/s
# of each flow, the median per-second TFMCC share (tfmcc / (tfmcc + tcp)),
# Jain's fairness index of the two flows' mean rates (1 = equal, 0.5 = one
# flow has all), and the link's use.  A summary table closes the output.
# Drop-tail (the only queue this kernel has: no red, codel, pie, fq_codel)
# locks a lone flow out when bulk TCP keeps the FIFO full: TCP's segments
# refill each slot as it frees, a packet of another flow arriving between
# finds the queue full.  With GSO batches (TCP's 64 KB segments, our UDP
# batches) in the queue this starves any TFMCC (ours and 4.10.2's alike:
# 2-4 % of the link); a router's queue holds MTU packets, so by default h0's
# gso_max_segs is 1 and every packet reaches the bottleneck on its own.
# GSO=1 leaves the batches (the kernel's default).
# SOPTS / ROPTS: more options for uftp / uftpd (e.g. "-x 4"); KEEP=1 keeps
# their logs in the work directory.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
LAB_PREFIX=tcpf$$-
# shellcheck source=../tests/interop/lib.sh
. "$top/tests/interop/lib.sh"
RATES=${RATES:-20 100} PAIRS=${PAIRS:-ours-ours ref-ref} ORDERS=${ORDERS:-tcp-first tfmcc-first}
ALONE=${ALONE:-12} SHARED=${SHARED:-40} STAGGER=${STAGGER:-8} SETTLE=${SETTLE:-5}
QUEUE_MS=${QUEUE_MS:-75} TCP_PORT=5201 TCP_CC=${TCP_CC:-cubic} GSO=${GSO:-0}
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
il_init "${1:-}" || exit 2
shm=$(mktemp -d /dev/shm/tcp-friendly.XXXXXX) || exit 2
trap 'il_cleanup; rm -rf "$shm"' EXIT
IL_RATE=-1
res=$IL_WORK/res
mkdir -p "$res" "$shm/src"

# python helpers: a TCP sink, a TCP sender for N seconds, a counter sampler
cat >"$IL_WORK/flows.py" <<'EOF'
import json, socket, subprocess, sys, time
mode = sys.argv[1]
if mode == "sink":
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(sys.argv[2])))
    ls.listen(4)
    ls.settimeout(float(sys.argv[3]))
    end = time.monotonic() + float(sys.argv[3])
    while time.monotonic() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            break
        c.settimeout(10)
        try:
            while c.recv(1 << 18):
                pass
        except OSError:
            pass
        c.close()
elif mode == "send":
    dst, port, dur, cc = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    except OSError as e:
        print("TCP_CONGESTION %s: %s" % (cc, e), file=sys.stderr)
    s.settimeout(10)
    s.connect((dst, port))
    buf = b"\0" * (1 << 16)
    end = time.monotonic() + dur
    while time.monotonic() < end:
        s.send(buf)
    s.close()
elif mode == "sample":
    # every second: wall time, UDP bytes to the uftp port, TCP bytes to the sink
    out, dur = sys.argv[2], float(sys.argv[3])
    end = time.time() + dur
    with open(out, "w") as f:
        nxt = time.time()
        while time.time() < end:
            j = json.loads(subprocess.run(["nft", "-j", "list", "table", "inet", "tcpf"],
                                          capture_output=True, text=True).stdout)
            b = {}
            for o in j["nftables"]:
                if "counter" in o:
                    b[o["counter"]["name"]] = o["counter"]["bytes"]
            f.write("%.3f %d %d\n" % (time.time(), b.get("cudp", 0), b.get("ctcp", 0)))
            f.flush()
            nxt += 1
            time.sleep(max(0, nxt - time.time()))
EOF

# the per-second table of a phase and its figures (one line: key=value ...)
cat >"$IL_WORK/stats.py" <<'EOF'
import statistics, sys
samples, rate_mbit, t_from, t_to, label = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rows = [tuple(map(float, l.split())) for l in open(samples) if l.strip()]
per = []
for a, b in zip(rows, rows[1:]):
    dt = b[0] - a[0]
    if dt <= 0:
        continue
    per.append((b[0], (b[1] - a[1]) * 8 / dt / 1e6, (b[2] - a[2]) * 8 / dt / 1e6))
t0 = rows[0][0] if rows else 0
print("  %s: second  tfmcc Mbit/s  tcp Mbit/s" % label)
line = []
for t, u, c in per:
    line.append("%4.0f %5.1f %5.1f" % (t - t0, u, c))
for i in range(0, len(line), 4):
    print("   " + " | ".join(line[i:i + 4]))
win = [(u, c) for t, u, c in per if t_from <= t <= t_to]
if not win:
    print("RESULT n=0")
    sys.exit(0)
mu = statistics.mean(u for u, _ in win)
mc = statistics.mean(c for _, c in win)
shares = [u / (u + c) for u, c in win if u + c > 0]
share = statistics.median(shares) if shares else 0
jain = (mu + mc) ** 2 / (2 * (mu * mu + mc * mc)) if mu + mc > 0 else 0
print("RESULT n=%d tfmcc=%.2f tcp=%.2f share=%.3f jain=%.3f use=%.2f" % (
    len(win), mu, mc, share, jain, (mu + mc) / rate_mbit))
EOF

# shape the bridge port toward h1 and count h1's input per flow
shape() {
	local mbit=$1 q
	q=$(awk -v r="$mbit" -v ms="$QUEUE_MS" 'BEGIN { printf "%d", r * 1e6 / 8 * ms / 1000 }')
	[ "$q" -ge 30000 ] || q=30000
	lab_exec br tc qdisc add dev vh1 root handle 1: htb default 10 r2q 1000 || return 1
	lab_exec br tc class add dev vh1 parent 1: classid 1:10 htb rate "${mbit}mbit" \
		ceil "${mbit}mbit" burst 30k cburst 30k || return 1
	lab_exec br tc qdisc add dev vh1 parent 1:10 handle 10: bfifo limit "$q" || return 1
	lab_exec h1 nft -f - <<EOF || return 1
table inet tcpf {
	counter cudp { }
	counter ctcp { }
	chain in {
		type filter hook input priority -10; policy accept;
		udp dport $IL_PORT counter name cudp
		tcp dport $TCP_PORT counter name ctcp
	}
}
EOF
	echo "  bottleneck: HTB ${mbit} Mbit/s on vh1, bfifo $q bytes (${QUEUE_MS} ms)"
}

tcp_sink() { lab_bg h1 "$1" python3 "$IL_WORK/flows.py" sink "$TCP_PORT" "$2"; }
tcp_send() { lab_bg h0 "$1" python3 "$IL_WORK/flows.py" send "$(lab_ip4 1)" "$TCP_PORT" "$2" "$TCP_CC"; }
sampler() { lab_bg h1 "$1" python3 "$IL_WORK/flows.py" sample "$2" "$3"; }
now() { date +%s.%N; }
tadd() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN { printf "%.3f\n", a + b + c }'; }

# the time of the first sample after $2 at which the UDP counter moved
udp_start() {
	awk -v t="$2" 'NR > 1 && $1 > t && $2 > pu { print $1; exit } { pu = $2 }' "$1"
}

# tfmcc SERVER_KIND SECONDS: uftp -C tfmcc in the background (PID in tf_pid)
tfmcc() {
	local kind=$1 t=$2
	local -a so=()
	read -r -a so <<<"${SOPTS:-}"
	(il_server "$kind" "$t" "$shm/src" -C tfmcc "${so[@]}" -- big.bin) &
	tf_pid=$!
}

recv_up() {
	rm -rf "$shm/d1"
	local -a ro=()
	read -r -a ro <<<"${ROPTS:-}"
	il_recv 1 "$1" "$shm/d1" "${ro[@]}"
	il_wait_recvs 10
}
# recv_down NAME: stop the receiver; with KEEP=1 keep both logs as NAME.uftp(d).log
recv_down() {
	il_stop_recvs
	rm -rf "$shm/d1"
	[ -n "${KEEP:-}" ] || return 0
	cp "${IL_RLOG[1]}" "$IL_WORK/$1.uftpd.log" 2>/dev/null
	cp "$IL_SLOG" "$IL_WORK/$1.uftp.log" 2>/dev/null
	return 0
}

run_pair_rate() {
	local pair=$1 mbit=$2 sk=${1%-*} rk=${1#*-} key=$1@$2 s f t0 t1 ts tf_start out
	il_lab 1 || return 1
	shape "$mbit" || { echo "shaping failed"; il_lab_down; return 1; }
	# the sender's datagrams and TCP segments reach the queue one MTU each (GSO=1: batches)
	[ "$GSO" = 1 ] || { lab_exec h0 ip link set dev eth0 gso_max_segs 1 || echo "gso_max_segs failed"; }
	# a sparse source the session cannot finish in the time given
	truncate -s "$((mbit * 125000 * (SHARED + ALONE + 30)))" "$shm/src/big.bin"
	local sp snk snd

	# TCP alone
	s=$IL_WORK/$key.tcp
	tcp_sink snk $((ALONE + 15)); sleep 0.5
	sampler sp "$s" $((ALONE + 2)); t0=$(now)
	tcp_send snd "$ALONE"
	lab_wait_pid "$snd" $((ALONE + 10)) >/dev/null; lab_wait_pid "$sp" 10 >/dev/null
	lab_stop "$snk"
	out=$(python3 "$IL_WORK/stats.py" "$s" "$mbit" "$(tadd "$t0" 2)" "$(tadd "$t0" "$ALONE" -0.5)" "$key TCP alone")
	echo "$out" | grep -v ^RESULT
	echo "$out" | awk '/^RESULT/ { sub(/^RESULT /, ""); print }' >"$res/$key.tcp"

	# TFMCC alone
	s=$IL_WORK/$key.tf
	recv_up "$rk" || { echo "receiver did not start"; recv_down "$key.tf"; il_lab_down; return 1; }
	sampler sp "$s" $((ALONE + 8)); t0=$(now)
	tfmcc "$sk" $((ALONE + 6))
	lab_wait_pid "$tf_pid" $((ALONE + 20)) >/dev/null; lab_wait_pid "$sp" 10 >/dev/null
	recv_down "$key.tf"
	tf_start=$(udp_start "$s" "$t0")
	out=$(python3 "$IL_WORK/stats.py" "$s" "$mbit" "$(tadd "${tf_start:-$t0}" "$SETTLE")" "$(tadd "$t0" "$ALONE" 5)" "$key TFMCC alone")
	echo "$out" | grep -v ^RESULT
	echo "$out" | awk '/^RESULT/ { sub(/^RESULT /, ""); print }' >"$res/$key.tf"

	for o in $ORDERS; do
		s=$IL_WORK/$key.$o
		recv_up "$rk" || { echo "receiver did not start"; recv_down "$key.$o"; continue; }
		tcp_sink snk $((SHARED + STAGGER + 40)); sleep 0.5
		sampler sp "$s" $((SHARED + STAGGER + 12)); t0=$(now)
		if [ "$o" = tcp-first ]; then
			tcp_send snd $((SHARED + STAGGER + 4))
			sleep "$STAGGER"
			tfmcc "$sk" "$SHARED"
		else
			tfmcc "$sk" $((SHARED + STAGGER + 4))
			sleep "$STAGGER"
			tcp_send snd "$SHARED"
		fi
		t1=$(now)
		lab_wait_pid "$tf_pid" $((SHARED + STAGGER + 20)) >/dev/null
		lab_wait_pid "$snd" $((SHARED + STAGGER + 20)) >/dev/null
		lab_wait_pid "$sp" 20 >/dev/null
		lab_stop "$snk"
		recv_down "$key.$o"
		# the shared phase: from the later flow's start (+SETTLE) until the first one stops
		ts=$t1
		[ "$o" = tcp-first ] && { ts=$(udp_start "$s" "$t1"); ts=${ts:-$t1}; }
		f=$(tadd "$t1" "$SHARED" -1)
		out=$(python3 "$IL_WORK/stats.py" "$s" "$mbit" "$(tadd "$ts" "$SETTLE")" "$f" "$key shared, $o")
		echo "$out" | grep -v ^RESULT
		echo "$out" | awk '/^RESULT/ { sub(/^RESULT /, ""); print }' >"$res/$key.$o"
	done
	rm -f "$shm/src/big.bin"
	il_lab_down
}

kv() { tr ' ' '\n' 2>/dev/null <"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

echo "tcp-friendly: rates ${RATES} Mbit/s, pairs ${PAIRS} (server-receiver; ref = UFTP 4.10.2), $(date -u +%FT%TZ)"
echo "  TCP congestion control: $TCP_CC (TCP_CC), GSO batches at the bottleneck: $GSO, alone ${ALONE} s, shared ${SHARED} s (settle ${SETTLE} s)"
for mbit in $RATES; do
	for pair in $PAIRS; do
		echo "== $pair at $mbit Mbit/s"
		run_pair_rate "$pair" "$mbit"
	done
done

echo
echo "summary (Mbit/s, means over each phase; share = median per-second TFMCC share; J = Jain's index)"
printf '%-10s %5s | %7s %7s | %-11s %7s %7s %6s %6s %5s\n' pair link "TCP" "TFMCC" "shared" "TFMCC" "TCP" share J use
for mbit in $RATES; do
	for pair in $PAIRS; do
		k=$pair@$mbit
		for o in $ORDERS; do
			printf '%-10s %5s | %7s %7s | %-11s %7s %7s %6s %6s %5s\n' "$pair" "$mbit" \
				"$(kv "$res/$k.tcp" tcp)" "$(kv "$res/$k.tf" tfmcc)" "$o" \
				"$(kv "$res/$k.$o" tfmcc)" "$(kv "$res/$k.$o" tcp)" "$(kv "$res/$k.$o" share)" \
				"$(kv "$res/$k.$o" jain)" "$(kv "$res/$k.$o" use)"
		done
	done
done
