#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# lab_bg assigns PIDs by name:
# shellcheck disable=SC2154
# tests/integration/prometheus.sh - a real Prometheus server scrapes our
# uftpd's control port (GET /metrics) every second while a rate-limited
# transfer runs, and its HTTP API shows the received bytes rising.
#   - h0 runs our uftp (-R 16000: a 16 MB file lasts about 8 s), h1 our
#     uftpd with --control 127.0.0.1:4040 and, beside it in the same
#     namespace, the prometheus binary of Debian's package (its own config,
#     scrape_interval 1s, TSDB storage in the work dir, web/API on
#     127.0.0.1:9090 of h1's loopback: no traffic leaves the lab);
#   - /api/v1/targets: the target is up, no scrape error (Prometheus's own
#     parser accepts our exposition text);
#   - /api/v1/query, polled during the transfer: uftp_session_bytes_total
#     (the payload bytes the session received) and
#     uftp_received_datagrams_total; at least two increasing samples of the
#     former, and rate() over it positive; then the raw samples Prometheus
#     stored (a range selector) rise monotonically; the file arrives intact.
# The values seen are printed ("# ..." lines).  Without the prometheus
# binary (scripts/install-deps.sh installs the package where Debian has it)
# the test says so and exits 77 (skipped), never passes silently.
#
#   sudo tests/integration/prometheus.sh [BUILD_DIR]   (the sanitizer build in CI)
#   PROMETHEUS=/path/to/prometheus sudo tests/integration/prometheus.sh
#
# Output "PASS|FAIL <what>", "N passed, M failed". Exit 0 / 1, 77 = skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: prometheus.sh needs root (network namespaces)"; exit 77; }
PROMETHEUS=${PROMETHEUS:-$(command -v prometheus)}
if [ -z "$PROMETHEUS" ] || [ ! -x "$PROMETHEUS" ]; then
	echo "SKIP: no prometheus binary (Debian package prometheus: scripts/install-deps.sh): the scrape test did not run"
	exit 77
fi
il_init "${1:-${BUILD_DIR:-}}" || exit 2
for p in uftp uftpd; do
	[ -x "$IL_BUILD/$p" ] || { echo "SKIP: $IL_BUILD/$p not built"; exit 77; }
done
W=$IL_WORK
CPORT=4040
PROM=127.0.0.1:9090
echo "# $("$PROMETHEUS" --version 2>&1 | head -1)"

mkdir -p "$W/src" "$W/prom/data"
head -c 16000000 /dev/urandom >"$W/src/big.bin"
cat >"$W/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: uftpd
    static_configs:
      - targets: ['127.0.0.1:$CPORT']
EOF

QUERY=$W/promquery.py
cat >"$QUERY" <<'EOF'
"""Asks Prometheus's HTTP API; prints PASS/FAIL and '# ' lines."""
import json, sys, time, urllib.parse, urllib.request

BASE = "http://" + sys.argv[1]

def report(ok, what, detail=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else "\n    " + str(detail)[:600]))
    sys.stdout.flush()

def get(path, **params):
    url = BASE + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())

def query(expr):
    """An instant query: [(labels, value)]"""
    d = get("/api/v1/query", query=expr)
    assert d["status"] == "success", d
    return [(r["metric"], float(r["value"][1])) for r in d["data"]["result"]]

def wait_up(timeout):
    """Ready, and the uftpd target scraped without error."""
    t0, last = time.time(), None
    while time.time() - t0 < timeout:
        try:
            with urllib.request.urlopen(BASE + "/-/ready", timeout=2) as r:
                if r.status == 200:
                    ts = get("/api/v1/targets")["data"]["activeTargets"]
                    last = ts
                    if ts and ts[0]["health"] == "up":
                        break
        except OSError as e:
            last = e
        time.sleep(0.3)
    else:
        report(False, "Prometheus is ready and scrapes uftpd (%.0f s)" % timeout, last)
        return False
    t = last[0]
    report(t["health"] == "up" and t["lastError"] == "" and t["scrapeUrl"].endswith("/metrics"),
           "Prometheus scrapes %s: up, no scrape error (after %.1f s)" % (t["scrapeUrl"], time.time() - t0), t)
    up = query('up{job="uftpd"}')
    n = query('scrape_samples_scraped{job="uftpd"}')
    report(up and up[0][1] == 1 and n and n[0][1] > 10,
           "/api/v1/query: up == 1, %s samples per scrape" % (n[0][1] if n else "?"), (up, n))
    return True

def running(pid):
    """pid lives (a zombie, exited but not yet reaped, does not)"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

def watch(pidfile, timeout):
    """Polls the bytes counter while the transfer (its PID in pidfile) runs."""
    pid = int(open(pidfile).read())
    t0, seen, rates, dgrams = time.time(), [], [], []
    while time.time() - t0 < timeout and running(pid):
        b = query("uftp_session_bytes_total")
        r = query("rate(uftp_session_bytes_total[3s])")
        g = query("uftp_received_datagrams_total")
        t = time.time() - t0
        if b:
            seen.append((t, b[0][1]))
            lab = ",".join('%s="%s"' % (k, b[0][0][k]) for k in ("server", "group", "inst"))
            print("# t=%5.1f s  uftp_session_bytes_total{%s} = %.0f" % (t, lab, b[0][1]))
        if r:
            rates.append(r[0][1])
            print("#           rate(uftp_session_bytes_total[3s]) = %.0f bytes/s" % r[0][1])
        if g:
            dgrams.append(g[0][1])
            print("#           uftp_received_datagrams_total = %.0f" % g[0][1])
        sys.stdout.flush()
        time.sleep(1.0)
    vals = [v for _, v in seen]
    rising = sum(1 for a, b in zip(vals, vals[1:]) if b > a)
    report(len(set(vals)) >= 2 and rising >= 1 and all(b >= a for a, b in zip(vals, vals[1:])),
           "/api/v1/query during the transfer: uftp_session_bytes_total rises (%d samples, %d increases: %s)"
           % (len(vals), rising, " -> ".join("%.0f" % v for v in vals)), "")
    report(any(x > 0 for x in rates), "/api/v1/query: rate(uftp_session_bytes_total[3s]) > 0 (max %.0f bytes/s)"
           % max(rates or [0]), "")
    report(len(dgrams) >= 2 and dgrams[-1] > dgrams[0],
           "/api/v1/query: uftp_received_datagrams_total rises (%s)" % " -> ".join("%.0f" % v for v in dgrams), "")
    # the raw samples Prometheus stored for the session's series
    d = get("/api/v1/query", query="uftp_session_bytes_total[2m]")
    res = d["data"]["result"]
    pts = [(float(ts), float(v)) for ts, v in res[0]["values"]] if res else []
    for ts, v in pts:
        print("# stored sample @%.3f  %.0f" % (ts, v))
    inc = sum(1 for a, b in zip(pts, pts[1:]) if b[1] > a[1])
    report(len(pts) >= 3 and inc >= 2 and all(b[1] >= a[1] for a, b in zip(pts, pts[1:]))
           and all(b[0] > a[0] for a, b in zip(pts, pts[1:])),
           "the stored samples (range selector [2m]): %d scrapes, %d increases, %.0f -> %.0f bytes"
           % (len(pts), inc, pts[0][1] if pts else 0, pts[-1][1] if pts else 0), res)

if __name__ == "__main__":
    if sys.argv[2] == "up":
        sys.exit(0 if wait_up(float(sys.argv[3])) else 1)
    watch(sys.argv[3], float(sys.argv[4]))
EOF

# run_checks ARGS...: the query client in h1; its PASS/FAIL lines are counted here
run_checks() {
	local line rc out=$W/query-$RANDOM.out
	lab_exec h1 timeout -k 2 60 python3 "$QUERY" "$PROM" "$@" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) ko "${line#FAIL }" ;;
		*) echo "$line" ;;
		esac
	done <"$out"
	[ "$rc" = 0 ] || ko "the query client ($*) ended with status $rc (124: timeout)" "$(tail -5 "$out")"
	return "$rc"
}

t0=$SECONDS
il_lab 1 || { echo "FAIL lab_up"; exit 1; }
il_recv 1 ours "$W/d1" --control "127.0.0.1:$CPORT"
ULOG=${IL_RLOG[1]}
il_wait_recvs 10 || ko "uftpd with --control did not start" "${IL_ERR[@]}" "$(tail_of "$ULOG")"
UPID=${IL_RPID[1]}
lab_bg h1 PROM_PID "$PROMETHEUS" --config.file="$W/prom/prometheus.yml" \
	--storage.tsdb.path="$W/prom/data" --web.listen-address="$PROM" \
	--log.level=warn >"$W/prometheus.log" 2>&1

if run_checks up 30; then
	(cd "$W/src" && lab_exec h0 timeout -k 2 60 "$IL_BUILD/uftp" -I eth0 -M 230.4.4.1 \
		-P 230.5.5.x -p 1044 -R 16000 -r 0.1 big.bin) >"$W/uftp.log" 2>&1 &
	UFTP_PID=$!
	echo "$UFTP_PID" >"$W/uftp.pid"
	run_checks watch "$W/uftp.pid" 45
	lab_wait_pid "$UFTP_PID" 45
	urc=$?
	if [ "$urc" = 0 ] && cmp -s "$W/src/big.bin" "$W/d1/big.bin"; then
		ok "the transfer completed intact while Prometheus scraped"
	else
		ko "the transfer: uftp exit $urc, copy $(cmp "$W/src/big.bin" "$W/d1/big.bin" 2>&1 | head -1)" "$(tail_of "$W/uftp.log")"
	fi
else
	ko "Prometheus did not come up" "$(tail_of "$W/prometheus.log" 10)"
fi
if kill -0 "$UPID" 2>/dev/null; then ok "uftpd still running"; else ko "uftpd died" "$(tail_of "$ULOG" 8)"; fi
lab_stop "$PROM_PID" 5
il_stop_recvs
if grep -qE "ERROR: (Address|Leak|Undefined)|runtime error" "$ULOG"; then
	ko "sanitizer reports" "$(grep -hE "ERROR|runtime error" "$ULOG" | head -5)"
fi
il_lab_down
echo "# prometheus.sh: $((SECONDS - t0)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
