#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# IL_* settings are read by tests/interop/lib.sh; lab_bg assigns PIDs by name:
# shellcheck disable=SC2034,SC2154
# tests/integration/control.sh - the daemons' control port (--control), in a
# namespace lab: our uftpd on h1 and our uftpproxyd (response proxy) on h2,
# each with the port on its own loopback; our uftp on h0 sends to h1.
#   - TCPMUX (RFC 1078): HELP, uftp-status (JSON), uftp-metrics (checked by
#     an exposition-format parser: HELP/TYPE lines, counters *_total, label
#     escapes, no duplicate series), names in any case, unknown names "-";
#   - HTTP/1.1 on the same port: GET /metrics and /status (Content-Type,
#     Content-Length, Connection: close), HEAD, 404, 405;
#   - a client that half-closes right after its request gets the whole
#     answer; no socket of the daemon is left in CLOSE_WAIT;
#   - a silent client and a slow writer are timed out (~5 s); a request line
#     over 256 bytes is refused; a 17th concurrent connection gets "-busy";
#     resets (also in the middle of our answer) are harmless: the daemon
#     lives on and answers the next client;
#   - a transfer in progress shows in the status (session, file, bytes) and
#     its bytes counter rises between two scrapes; the file arrives intact;
#   - meanwhile a churn of CHURN (3000) connections from 10 threads cycles
#     through 11 kinds: half-close, HTTP, request then reset, reset at once,
#     close unread, reset mid-answer, silence then close, half-close with no
#     request, slow TCPMUX and HTTP writers, half-close then reset; 3 more
#     threads keep a silent client, a slow TCPMUX and a slow HTTP writer on
#     the port until each is timed out.  Every answer is whole, "-busy" is
#     rare (<= 1 %), the transfer still runs as it ends, and afterwards
#     `ss` shows no CLOSE_WAIT and none of the daemon's connections open
#     (uftpproxyd gets a churn of 400 the same way).
# With CONTROL_CASE=prometheus (what tests/integration/prometheus.sh runs)
# it checks instead that a real Prometheus scrapes uftpd: Debian's
# prometheus binary (PROMETHEUS=path, or on PATH) runs in h1 beside uftpd
# with its own config (scrape_interval 1s) and TSDB in the work dir, its
# web/API on h1's 127.0.0.1:9090, while uftp sends a 16 MB file at 16
# Mbit/s (about 8 s); through its HTTP API: the target is up with no scrape
# error, /api/v1/query polled every second shows uftp_session_bytes_total
# (and uftp_received_datagrams_total) rising, rate() over it positive, and
# the raw samples it stored rise monotonically; the values are printed.
# Without the binary it says so and exits 77 (skipped).
#
#   sudo tests/integration/control.sh [BUILD_DIR]   (the sanitizer build in CI)
#   CONTROL_CASE=prometheus sudo tests/integration/control.sh [BUILD_DIR]
#
# Output "PASS|FAIL <what>", "N passed, M failed". Exit 0 / 1, 77 = skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"

CASE=${CONTROL_CASE:-port}
[ "$(id -u)" = 0 ] || { echo "SKIP: control.sh needs root (network namespaces)"; exit 77; }
if [ "$CASE" = prometheus ]; then
	PROMETHEUS=${PROMETHEUS:-$(command -v prometheus)}
	if [ -z "$PROMETHEUS" ] || [ ! -x "$PROMETHEUS" ]; then
		echo "SKIP: no prometheus binary (Debian package prometheus: scripts/install-deps.sh): the scrape test did not run"
		exit 77
	fi
elif [ "$CASE" != port ]; then
	echo "control.sh: CONTROL_CASE is port or prometheus, not $CASE" >&2
	exit 2
fi
il_init "${1:-${BUILD_DIR:-}}" || exit 2
for p in uftp uftpd uftpproxyd; do
	[ -x "$IL_BUILD/$p" ] || { echo "SKIP: $IL_BUILD/$p not built"; exit 77; }
done
W=$IL_WORK
CLIENT=$W/ctlclient.py
CPORT=4040
PPORT=4041
PROMPORT=9090
CHURN=${CHURN:-3000} # connections of the churn against uftpd

cat >"$CLIENT" <<'EOF'
"""Control-port client and checks; prints PASS/FAIL lines."""
import json, random, re, socket, struct, sys, threading, time, urllib.parse, urllib.request

HOST = "127.0.0.1"

def report(ok, what, detail=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else "\n    " + str(detail)[:600]))
    sys.stdout.flush()

def conn(port):
    s = socket.create_connection((HOST, port), timeout=10)
    return s

def read_all(s, limit=10):
    s.settimeout(limit)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            return out
        out += d

def ask(port, req, half=False):
    s = conn(port)
    s.sendall(req)
    if half:
        s.shutdown(socket.SHUT_WR)
    out = read_all(s)
    s.close()
    return out

def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

# ---- the Prometheus text format (0.0.4), strictly ---------------------------
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(" + NAME + r")(\{(?:" + LABEL + r"(?:," + LABEL + r")*)?\})? (\S+)$")

def check_exposition(text):
    """Returns a list of problems (empty when the text is valid)."""
    errs, types, helps, seen, done = [], {}, set(), set(), set()
    cur = None
    if not text.endswith("\n"):
        errs.append("does not end with a newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                errs.append("%d: bad metadata: %r" % (n, line)); continue
            fam = parts[2]
            if fam in done or (cur is not None and fam != cur and fam in types):
                errs.append("%d: %s metadata after its samples" % (n, fam))
            if parts[1] == "HELP":
                if fam in helps: errs.append("%d: second HELP for %s" % (n, fam))
                helps.add(fam)
            else:
                if fam in types: errs.append("%d: second TYPE for %s" % (n, fam))
                if parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    errs.append("%d: bad type %r" % (n, parts[3]))
                if parts[3] == "counter" and not fam.endswith("_total"):
                    errs.append("%d: counter %s not named *_total" % (n, fam))
                types[fam] = parts[3]
            if cur != fam and cur is not None:
                done.add(cur)
            cur = fam
            continue
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append("%d: bad sample: %r" % (n, line)); continue
        name = m.group(1)
        if name not in types:
            errs.append("%d: sample %s before its TYPE" % (n, name))
        if name != cur:
            errs.append("%d: sample %s outside its family's group" % (n, name))
        try:
            float(m.group(7))
        except ValueError:
            errs.append("%d: bad value %r" % (n, m.group(7)))
        key = (name, m.group(2) or "")
        if key in seen:
            errs.append("%d: duplicate series %s%s" % (n, name, m.group(2) or ""))
        seen.add(key)
    for fam in types:
        if fam not in helps:
            errs.append("no HELP for %s" % fam)
    return errs

def samples(text):
    out = {}
    for line in text.split("\n"):
        m = SAMPLE.match(line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = float(m.group(7))
    return out

def http(port, req, half=False):
    raw = ask(port, req, half)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return lines[0], hdrs, body

# ---- the cases ----------------------------------------------------------------
def tcpmux(port, program, role):
    out = ask(port, b"HELP\r\n")
    report(out == b"uftp-status\r\nuftp-metrics\r\n", "%s: HELP lists the services" % program, out)
    for name in (b"uftp-status", b"UFTP-Status"):
        out = ask(port, name + b"\r\n")
        ok = out.startswith(b"+\r\n")
        try:
            doc = json.loads(out[3:])
            d = doc["daemon"]
            ok = ok and d["program"] == program and d["role"] == role and d["pid"] > 0 \
                and "version" in d and d["uptime_seconds"] > 0 and isinstance(doc["sessions"], list) \
                and set(doc["dropped"]) >= {"malformed", "auth", "replay"}
        except Exception as e:  # noqa
            ok, out = False, "%r: %s" % (e, out[:300])
        report(ok, "%s: %s answers + and the status JSON" % (program, name.decode()), out)
    out = ask(port, b"uftp-metrics\r\n").decode()
    errs = check_exposition(out[3:]) if out.startswith("+\r\n") else ["no + line: %r" % out[:80]]
    report(not errs, "%s: uftp-metrics is valid exposition text" % program, errs[:5])
    s = samples(out[3:])
    report(s.get('uftp_info{program="%s",version="%s",role="%s"}' % (program, json.loads(ask(port, b"uftp-status\r\n")[3:])["daemon"]["version"], role)) == 1.0,
           "%s: uftp_info names program, version and role" % program, list(s)[:3])
    out = ask(port, b"no-such-service\r\n")
    report(out.startswith(b"-") and out.endswith(b"\r\n") and out.count(b"\n") == 1,
           "%s: an unknown service gets '-' and the close" % program, out)

def http_cases(port, program):
    st, h, body = http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
    ok = st == "HTTP/1.1 200 OK" and h.get("content-type", "").startswith("text/plain; version=0.0.4") \
        and h.get("content-length") == str(len(body)) and h.get("connection") == "close"
    errs = check_exposition(body.decode())
    report(ok and not errs, "%s: GET /metrics: 200, text/plain; version=0.0.4, length, close" % program, (st, h, errs[:3]))
    st, h, body = http(port, b"GET /status HTTP/1.0\r\n\r\n")
    try:
        json.loads(body)
        okj = True
    except ValueError:
        okj = False
    report(st == "HTTP/1.1 200 OK" and h.get("content-type") == "application/json" and okj
           and h.get("content-length") == str(len(body)), "%s: GET /status: 200 JSON" % program, (st, h, body[:100]))
    st, h, body = http(port, b"HEAD /metrics HTTP/1.1\r\n\r\n")
    report(st.startswith("HTTP/1.1 200") and int(h.get("content-length", "0")) > 100 and body == b"",
           "%s: HEAD /metrics: headers and length, no body" % program, (st, h, body[:50]))
    st, h, body = http(port, b"GET /nothing HTTP/1.1\r\n\r\n")
    report(st.startswith("HTTP/1.1 404") and h.get("content-length") == str(len(body)),
           "%s: GET of an unknown path: 404" % program, (st, h))
    st, h, body = http(port, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    report(st.startswith("HTTP/1.1 405") and h.get("allow") == "GET, HEAD",
           "%s: POST: 405 with Allow" % program, (st, h))

def half_close(port):
    out = ask(port, b"uftp-metrics\r\n", half=True).decode()
    errs = check_exposition(out[3:]) if out.startswith("+\r\n") else ["no + line"]
    report(not errs, "half-close after the TCPMUX request: the whole metrics answer", errs[:3])
    out = ask(port, b"uftp-status", half=True)
    try:
        json.loads(out[3:]); ok = out.startswith(b"+\r\n")
    except ValueError:
        ok = False
    report(ok, "half-close after the name alone (no CRLF): the whole status answer", out[:120])
    st, h, body = http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", half=True)
    report(st == "HTTP/1.1 200 OK" and h.get("content-length") == str(len(body)) and not check_exposition(body.decode()),
           "half-close after the HTTP request: the whole response", (st, h, len(body)))

def too_long(port):
    out = ask(port, b"a" * 300 + b"\r\n")
    report(out.startswith(b"-") and b"long" in out, "a 300-byte request line is refused", out)
    st, h, body = http(port, b"GET /" + b"m" * 400 + b" HTTP/1.1\r\n\r\n")
    report(st.startswith("HTTP/1.1 414"), "an HTTP request line over the limit: 414", st)

def timeouts(port):
    res = {}
    def silent():
        s = conn(port); t0 = time.time()
        out = read_all(s, 15); res["silent"] = (time.time() - t0, out); s.close()
    def slow():
        s = conn(port); t0 = time.time()
        s.sendall(b"uftp-"); time.sleep(1); s.sendall(b"sta"); time.sleep(1)
        try:
            s.sendall(b"t")
        except OSError:
            pass
        out = read_all(s, 15); res["slow"] = (time.time() - t0, out); s.close()
    th = [threading.Thread(target=silent), threading.Thread(target=slow)]
    [t.start() for t in th]; [t.join() for t in th]
    for k in ("silent", "slow"):
        t, out = res.get(k, (0, b"?"))
        report(3.5 <= t <= 9 and out == b"-timeout\r\n", "a %s client is timed out (%.1f s): %r" % (k, t, out), "")

def busy(port):
    idle = [conn(port) for _ in range(16)]
    time.sleep(0.5)
    s = conn(port)
    t0 = time.time()
    out = read_all(s, 5)
    s.close()
    report(out == b"-busy\r\n" and time.time() - t0 < 2, "a 17th concurrent connection gets -busy and the close", out)
    for c in idle:
        c.close()
    time.sleep(0.5)
    out = ask(port, b"HELP\r\n")
    report(out.startswith(b"uftp-status"), "after the idle ones closed, the port serves again", out)

def resets(port):
    s = conn(port); s.sendall(b"uftp-sta"); reset(s)
    s = conn(port); reset(s)
    for _ in range(20):   # reset while our answer is on its way (EPIPE/ECONNRESET, never SIGPIPE)
        s = conn(port); s.sendall(b"uftp-metrics\r\n"); s.shutdown(socket.SHUT_WR); reset(s)
    time.sleep(0.3)
    out = ask(port, b"HELP\r\n")
    report(out.startswith(b"uftp-status"), "resets before, during and after the request are harmless", out)

# ---- the churn: thousands of connections of every kind, some at once ------------
BUSY = b"-busy\r\n"

def running(pid):
    """pid lives (a zombie, exited but not yet reaped, does not)"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

# the checks of an answer: True, False, or "busy" (the daemon's -busy: counted, not a fault)
def _empty(out):
    return "busy" if out == BUSY else out == b""

def _status_ok(out):
    if out == BUSY:
        return "busy"
    try:
        return out.startswith(b"+\r\n") and "sessions" in json.loads(out[3:])
    except ValueError:
        return False

def _http_ok(out):
    if out == BUSY:
        return "busy"
    head, _, body = out.partition(b"\r\n\r\n")
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    return head.startswith(b"HTTP/1.1 200 OK") and m is not None and int(m.group(1)) == len(body)

def _metrics_ok(out):
    if out == BUSY:
        return "busy"
    return out.startswith(b"+\r\n") and out.endswith(b"\n") and b"# TYPE uftp_info gauge" in out

def _drip(s, parts, gap):
    for p in parts:
        s.sendall(p)
        time.sleep(gap)

# each kind: (name, function(sock) -> True / "busy" / False (a wrong answer), or None (nothing to check))
CHURN_KINDS = [
    ("half-close, status", lambda s: (s.sendall(b"uftp-status\r\n"), s.shutdown(socket.SHUT_WR), _status_ok(read_all(s)))[2]),
    ("HTTP GET /metrics", lambda s: (s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), _http_ok(read_all(s)))[1]),
    ("request, then reset", lambda s: (s.sendall(b"uftp-metrics\r\n"), reset(s))[1]),
    ("reset at once", lambda s: reset(s)),
    ("request, close unread", lambda s: (s.sendall(b"HELP\r\n"), s.close())[1]),
    ("reset mid-answer", lambda s: (s.sendall(b"uftp-metrics\r\n"), s.recv(200), reset(s))[2]),
    ("silence, then close", lambda s: (time.sleep(random.uniform(0, 0.1)), s.shutdown(socket.SHUT_WR), _empty(read_all(s)))[2]),
    ("half-close, no request", lambda s: (s.shutdown(socket.SHUT_WR), _empty(read_all(s)))[1]),
    ("slow writer, TCPMUX", lambda s: (_drip(s, [b"uftp-", b"metr", b"ics\r", b"\n"], 0.03), _metrics_ok(read_all(s)))[1]),
    ("slow writer, HTTP", lambda s: (_drip(s, [b"GET /sta", b"tus HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"], 0.03), _http_ok(read_all(s)))[1]),
    ("request, half-close, reset", lambda s: (s.sendall(b"GET /status HTTP/1.0\r\n\r\n"), s.shutdown(socket.SHUT_WR), reset(s))[2]),
]

def churn(port, n, workers, watch_pid):
    """n short connections from `workers` threads, cycling through CHURN_KINDS,
    while 3 more threads keep a silent client, a slow TCPMUX writer and a slow
    HTTP writer on the port until the daemon times each out (-timeout / 408)."""
    lock, stats = threading.Lock(), {}
    state = {"next": 0, "done": False, "during": 0, "errors": [], "held": []}
    def tally(kind, ok):
        with lock:
            st = stats.setdefault(kind, [0, 0, 0])
            st[2 if ok == "busy" else 1 if ok is False else 0] += 1
            if ok is False and len(state["errors"]) < 5:
                state["errors"].append(kind)
    def fast():
        while True:
            with lock:
                i = state["next"]; state["next"] += 1
            if i >= n:
                return
            kind, fn = CHURN_KINDS[i % len(CHURN_KINDS)]
            try:
                s = conn(port)
                ok = fn(s)
                s.close()
            except (OSError, ValueError) as e:
                ok = False
                with lock:
                    if len(state["errors"]) < 5:
                        state["errors"].append("%s: %r" % (kind, e))
            tally(kind, ok)
            if watch_pid and running(watch_pid):
                with lock:
                    state["during"] += 1
    def held(kind, send):
        while not state["done"]:
            t0 = time.time()
            try:
                s = conn(port)
                out = b""
                s.settimeout(0.5)
                k = 0
                while True:
                    if send and k < len(send):
                        try:
                            s.sendall(send[k:k + 1])
                        except OSError:
                            pass
                        k += 1
                    try:
                        d = s.recv(65536)
                    except socket.timeout:
                        if time.time() - t0 > 12:
                            break
                        continue
                    if not d:
                        break
                    out += d
                s.close()
            except OSError as e:
                out = repr(e).encode()
            dt = time.time() - t0
            good = (out == b"-timeout\r\n" or out.startswith(b"HTTP/1.1 408")) and 3.5 <= dt <= 9
            with lock:
                state["held"].append((kind, round(dt, 1), good, out[:40]))
            if not good:
                time.sleep(0.5)   # no tight loop against a daemon that refuses
    long = [threading.Thread(target=held, args=a) for a in
            (("silent", None), ("slow TCPMUX writer", b"uftp-status-"), ("slow HTTP writer", b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"y" * 200))]
    th = [threading.Thread(target=fast) for _ in range(workers)]
    t0 = time.time()
    [t.start() for t in long + th]
    [t.join() for t in th]
    dt = time.time() - t0
    state["done"] = True
    [t.join() for t in long]
    bad = sum(v[1] for v in stats.values())
    busy = sum(v[2] for v in stats.values())
    print("# churn: %d connections in %.1f s (%d threads, %d kinds):" % (n, dt, workers, len(CHURN_KINDS)))
    for kind, _ in CHURN_KINDS:
        print("#   %-28s %5d ok %3d bad %3d busy" % (kind, *stats.get(kind, [0, 0, 0])))
    hb = [h for h in state["held"] if not h[2]]
    print("# held until the daemon's timeout: %d (%s)" % (len(state["held"]),
          ", ".join(sorted(set("%s %.1f s" % (h[0], h[1]) for h in state["held"])))))
    report(bad == 0, "a churn of %d connections (%d kinds: half-close, resets, silence, slow writers) from %d threads: every answer whole"
           % (n, len(CHURN_KINDS), workers), state["errors"])
    # with at most workers + 3 < 16 clients at once, "-busy" is rare (a slot
    # is freed when the daemon's loop sees the close, a little later)
    report(busy <= n // 100, "-busy answers in the churn: %d (at most 1%%)" % busy, "")
    report(len(state["held"]) >= 3 and not hb, "silent and slow clients held meanwhile: each timed out with -timeout / 408 (%d)"
           % len(state["held"]), hb[:3])
    if watch_pid:
        report(state["during"] >= min(n, 2000), "%d of the churn's connections ended while the transfer was in progress"
               % state["during"], "")
    out = ask(port, b"HELP\r\n")
    report(out.startswith(b"uftp-status"), "after the churn the port serves at once", out)

def transfer(port, fname, timeout):
    t0, seen = time.time(), None
    while time.time() - t0 < timeout:
        doc = json.loads(ask(port, b"uftp-status\r\n")[3:])
        for s in doc["sessions"]:
            f = s.get("file")
            if f and f["name"].endswith(fname) and 0 < f["bytes_done"] < f["bytes_total"]:
                seen = s
                break
        if seen:
            break
        time.sleep(0.2)
    report(seen is not None, "a transfer in progress shows in the status: session, file, bytes", seen)
    if not seen:
        return
    report(seen["server_id"].startswith("0x") and seen["group_id"].startswith("0x") and seen["state"] == "active",
           "the session has server and group IDs and its state", seen)
    lab = '{group="%s",inst="%d",server="%s"}' % (seen["group_id"], seen["group_inst"], seen["server_id"])
    a = samples(ask(port, b"uftp-metrics\r\n")[3:].decode()).get("uftp_session_bytes_total" + lab)
    time.sleep(1)
    text = ask(port, b"uftp-metrics\r\n")[3:].decode()
    b = samples(text).get("uftp_session_bytes_total" + lab)
    with open(sys.argv[5], "w") as f:
        f.write(text)   # for promtool, where there is one
    report(a is not None and b is not None and b > a, "uftp_session_bytes_total rises during the transfer (%s -> %s)" % (a, b), "")

# ---- a real Prometheus scraping the port (CONTROL_CASE=prometheus) -----------------
def prom_get(port, path, **params):
    url = "http://%s:%d%s" % (HOST, port, path) + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())

def prom_query(port, expr):
    """An instant query through /api/v1/query: [(labels, value)]"""
    d = prom_get(port, "/api/v1/query", query=expr)
    assert d["status"] == "success", d
    return [(r["metric"], float(r["value"][1])) for r in d["data"]["result"]]

def prom_up(port, timeout):
    """Prometheus ready, and its uftpd target scraped without error."""
    t0, last = time.time(), None
    while time.time() - t0 < timeout:
        try:
            with urllib.request.urlopen("http://%s:%d/-/ready" % (HOST, port), timeout=2) as r:
                if r.status == 200:
                    last = prom_get(port, "/api/v1/targets")["data"]["activeTargets"]
                    if last and last[0]["health"] == "up":
                        break
        except OSError as e:
            last = e
        time.sleep(0.3)
    else:
        report(False, "Prometheus is ready and scrapes uftpd (%.0f s)" % timeout, last)
        sys.exit(1)
    t = last[0]
    report(t["health"] == "up" and t["lastError"] == "" and t["scrapeUrl"].endswith("/metrics"),
           "Prometheus scrapes %s: up, no scrape error (after %.1f s)" % (t["scrapeUrl"], time.time() - t0), t)
    up = prom_query(port, 'up{job="uftpd"}')
    n = prom_query(port, 'scrape_samples_scraped{job="uftpd"}')
    report(up and up[0][1] == 1 and n and n[0][1] > 10,
           "/api/v1/query: up == 1, %s samples per scrape" % (n[0][1] if n else "?"), (up, n))

def prom_watch(port, pidfile, timeout):
    """Polls Prometheus for the bytes counter while the transfer (its PID in pidfile) runs."""
    pid = int(open(pidfile).read())
    t0, seen, rates, dgrams = time.time(), [], [], []
    while time.time() - t0 < timeout and running(pid):
        b = prom_query(port, "uftp_session_bytes_total")
        r = prom_query(port, "rate(uftp_session_bytes_total[3s])")
        g = prom_query(port, "uftp_received_datagrams_total")
        t = time.time() - t0
        if b:
            lab = ",".join('%s="%s"' % (k, b[0][0][k]) for k in ("server", "group", "inst"))
            seen.append(b[0][1])
            print("# t=%5.1f s  uftp_session_bytes_total{%s} = %.0f" % (t, lab, b[0][1]))
        if r:
            rates.append(r[0][1])
            print("#           rate(uftp_session_bytes_total[3s]) = %.0f bytes/s" % r[0][1])
        if g:
            dgrams.append(g[0][1])
            print("#           uftp_received_datagrams_total = %.0f" % g[0][1])
        sys.stdout.flush()
        time.sleep(1.0)
    rising = sum(1 for a, b in zip(seen, seen[1:]) if b > a)
    report(len(set(seen)) >= 2 and rising >= 1 and all(b >= a for a, b in zip(seen, seen[1:])),
           "/api/v1/query during the transfer: uftp_session_bytes_total rises (%d samples, %d increases: %s)"
           % (len(seen), rising, " -> ".join("%.0f" % v for v in seen)), "")
    report(any(x > 0 for x in rates), "/api/v1/query: rate(uftp_session_bytes_total[3s]) > 0 (max %.0f bytes/s)"
           % max(rates or [0]), "")
    report(len(dgrams) >= 2 and dgrams[-1] > dgrams[0],
           "/api/v1/query: uftp_received_datagrams_total rises (%s)" % " -> ".join("%.0f" % v for v in dgrams), "")
    # the raw samples Prometheus stored for the session's series
    res = prom_get(port, "/api/v1/query", query="uftp_session_bytes_total[2m]")["data"]["result"]
    pts = [(float(ts), float(v)) for ts, v in res[0]["values"]] if res else []
    for ts, v in pts:
        print("# stored sample @%.3f  %.0f" % (ts, v))
    inc = sum(1 for a, b in zip(pts, pts[1:]) if b[1] > a[1])
    report(len(pts) >= 3 and inc >= 2 and all(b[1] >= a[1] and b[0] > a[0] for a, b in zip(pts, pts[1:])),
           "the stored samples (range selector [2m]): %d scrapes, %d increases, %.0f -> %.0f bytes"
           % (len(pts), inc, pts[0][1] if pts else 0, pts[-1][1] if pts else 0), res)

if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "basic":
        tcpmux(port, sys.argv[3], sys.argv[4]); http_cases(port, sys.argv[3])
    elif cmd == "tcp":
        half_close(port); too_long(port); busy(port); resets(port)
    elif cmd == "churn":
        churn(port, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "timeouts":
        timeouts(port)
    elif cmd == "transfer":
        transfer(port, sys.argv[3], float(sys.argv[4]))
    elif cmd == "prom-up":
        prom_up(port, float(sys.argv[3]))
    elif cmd == "prom-watch":
        prom_watch(port, sys.argv[3], float(sys.argv[4]))
EOF

# run_checks HOST ARGS...: the client in HOST; its PASS/FAIL lines are counted here
run_checks() {
	local host=$1 line rc out=$W/client-$RANDOM.out
	shift
	lab_exec "$host" timeout -k 2 60 python3 "$CLIENT" "$@" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) ko "${line#FAIL }" ;;
		*) echo "$line" ;;
		esac
	done <"$out"
	[ "$rc" = 0 ] || ko "the client ($*) ended with status $rc (124: timeout)" "$(tail -5 "$out")"
}

# no_close_wait HOST WHAT [PORT]: no TCP socket in CLOSE_WAIT in HOST (after
# a short settle); with PORT, none of the daemon's connections on PORT is
# left open either (only the listener and kernel-held TIME-WAITs remain)
no_close_wait() {
	local cw left="" k
	for ((k = 0; k < 15; k++)); do
		cw=$(lab_exec "$1" ss -Htan state close-wait 2>/dev/null)
		[ -n "${3:-}" ] && left=$(lab_exec "$1" ss -Htan "sport = :$3" 2>/dev/null | grep -v -E '^(LISTEN|TIME-WAIT) ')
		[ -z "$cw$left" ] && break
		sleep 0.2
	done
	if [ -z "$cw" ]; then ok "$2: no socket left in CLOSE_WAIT (ss -tan state close-wait)"; else ko "$2: sockets in CLOSE_WAIT" "$cw"; fi
	[ -n "${3:-}" ] || return 0
	if [ -z "$left" ]; then
		ok "$2: none of its connections left open ($(lab_exec "$1" ss -Htan state time-wait "sport = :$3" | wc -l) in TIME-WAIT)"
	else
		ko "$2: connections left open on :$3" "$left"
	fi
}

alive() {
	if kill -0 "$2" 2>/dev/null; then ok "$1 still running"; else ko "$1 died" "$(tail_of "$3" 8)"; fi
}

# wait_tcp HOST PORT: until something listens on tcp/PORT in HOST (bounded)
wait_tcp() {
	local k
	for ((k = 0; k < 50; k++)); do
		[ -n "$(lab_exec "$1" ss -Htln "sport = :$2" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# port_checks: the checks above, on uftpd (h1) and uftpproxyd (h2)
port_checks() {
	lab_bg h2 PPID_ "$IL_BUILD/uftpproxyd" -d -r -p 1045 -U 0xC6120099 -I eth0 --control "$PPORT" \
		>"$W/proxy.log" 2>&1
	wait_tcp h2 "$PPORT" || ko "uftpproxyd with --control did not listen" "$(tail_of "$W/proxy.log")"
	if [ "$(lab_exec h1 ss -Htln "sport = :$CPORT" | awk '{print $4}')" = "127.0.0.1:$CPORT" ]; then
		ok "uftpd: the control port is bound to loopback as asked"
	else
		ko "uftpd: control port bound elsewhere" "$(lab_exec h1 ss -Htln)"
	fi

	run_checks h1 basic "$CPORT" uftpd client
	run_checks h2 basic "$PPORT" uftpproxyd proxy
	run_checks h1 tcp "$CPORT"
	no_close_wait h1 "uftpd after half-closes and resets"

	# a transfer (about 20 s at 16 Mbit/s) while the churn and the timeouts run
	start_transfer 16000
	run_checks h1 transfer "$CPORT" big.bin 20 "$W/metrics-during-transfer.txt"
	# the real Prometheus tool, where there is one (PROMTOOL=path, or on PATH)
	PROMTOOL=${PROMTOOL:-$(command -v promtool)}
	if [ -n "$PROMTOOL" ] && [ -s "$W/metrics-during-transfer.txt" ]; then
		if out=$("$PROMTOOL" check metrics <"$W/metrics-during-transfer.txt" 2>&1); then
			ok "promtool check metrics: the metrics during the transfer are clean"
		else
			ko "promtool check metrics" "$out"
		fi
	else
		echo "# promtool not found: the exposition format was checked by the parser above only"
	fi
	run_checks h1 churn "$CPORT" "$CHURN" 10 "$UFTP_PID"
	no_close_wait h1 "uftpd after the churn" "$CPORT"
	run_checks h1 timeouts "$CPORT"
	end_transfer "meanwhile"
	no_close_wait h1 "uftpd after the timeouts and the transfer" "$CPORT"
	run_checks h2 tcp "$PPORT"
	run_checks h2 churn "$PPORT" 400 4 0
	no_close_wait h2 "uftpproxyd" "$PPORT"
	alive "uftpproxyd" "$PPID_" "$W/proxy.log"
}

# prometheus_checks: Debian's prometheus in h1 beside uftpd, its own config
# and TSDB in the work dir, web/API on h1's loopback, scraping every second
# during a transfer (about 8 s at 16 Mbit/s); the client asks its HTTP API
prometheus_checks() {
	local prom_pid
	mkdir -p "$W/prom/data"
	printf '%s\n' "global:" "  scrape_interval: 1s" "  scrape_timeout: 1s" "  evaluation_interval: 1s" \
		"scrape_configs:" "  - job_name: uftpd" "    static_configs:" \
		"      - targets: ['127.0.0.1:$CPORT']" >"$W/prom/prometheus.yml"
	echo "# $("$PROMETHEUS" --version 2>&1 | head -1)"
	lab_bg h1 prom_pid "$PROMETHEUS" --config.file="$W/prom/prometheus.yml" \
		--storage.tsdb.path="$W/prom/data" --web.listen-address="127.0.0.1:$PROMPORT" \
		--log.level=warn >"$W/prometheus.log" 2>&1
	if run_checks h1 prom-up "$PROMPORT" 30; then
		start_transfer 16000
		echo "$UFTP_PID" >"$W/uftp.pid"
		run_checks h1 prom-watch "$PROMPORT" "$W/uftp.pid" 45
		end_transfer "while Prometheus scraped"
	else
		ko "Prometheus did not come up" "$(tail_of "$W/prometheus.log" 10)"
	fi
	lab_stop "$prom_pid" 5
}

# start_transfer KBPS: our uftp in h0 sends big.bin to uftpd (PID in UFTP_PID)
start_transfer() {
	(cd "$W/src" && lab_exec h0 timeout -k 2 60 "$IL_BUILD/uftp" -I eth0 -M 230.4.4.1 \
		-P 230.5.5.x -p 1044 -R "$1" -r 0.1 big.bin) >"$W/uftp.log" 2>&1 &
	UFTP_PID=$!
}

# end_transfer WHEN: waits for it (bounded); the copy must be whole
end_transfer() {
	local urc
	lab_wait_pid "$UFTP_PID" 45
	urc=$?
	if [ "$urc" = 0 ] && cmp -s "$W/src/big.bin" "$W/d1/big.bin"; then
		ok "the transfer completed intact $1"
	else
		ko "the transfer: uftp exit $urc, copy $(cmp "$W/src/big.bin" "$W/d1/big.bin" 2>&1 | head -1)" "$(tail_of "$W/uftp.log")"
	fi
}

mkdir -p "$W/src"
if [ "$CASE" = prometheus ]; then
	head -c 16000000 /dev/urandom >"$W/src/big.bin"
else
	head -c 40000000 /dev/urandom >"$W/src/big.bin"
fi
il_lab 2 || { echo "FAIL lab_up"; exit 1; }

if [ "$CASE" = port ]; then
	# the port is off unless configured; a bad spec is a bad option
	il_recv 1 ours "$W/d0"
	il_wait_recvs 10
	if [ -z "$(lab_exec h1 ss -Htln 2>/dev/null)" ]; then ok "uftpd: no TCP port without --control"; else ko "uftpd listens on TCP without --control" "$(lab_exec h1 ss -Htln)"; fi
	il_stop_recvs
	rc=0
	"$IL_BUILD/uftpd" -d --control 127.0.0.1:0 >"$W/badspec.log" 2>&1 || rc=$?
	if [ "$rc" = 1 ] && grep -q -- "--control" "$W/badspec.log"; then ok "--control with port 0: exit 1 and a message"; else ko "--control 127.0.0.1:0: exit $rc" "$(cat "$W/badspec.log")"; fi
	IL_RPID=() IL_RLOG=()
fi

il_recv 1 ours "$W/d1" --control "127.0.0.1:$CPORT"
ULOG=${IL_RLOG[1]}
if ! il_wait_recvs 10 || ! wait_tcp h1 "$CPORT"; then
	ko "uftpd with --control did not start" "${IL_ERR[@]}" "$(tail_of "$ULOG")"
	echo "$pass passed, $fail failed"
	exit 1
fi
UPID=${IL_RPID[1]}
PPID_=""
t0=$SECONDS
if [ "$CASE" = prometheus ]; then prometheus_checks; else port_checks; fi
alive "uftpd" "$UPID" "$ULOG"
echo "# $CASE checks: $((SECONDS - t0)) s"

il_stop_recvs
logs=("$ULOG")
if [ -n "$PPID_" ]; then
	lab_stop "$PPID_" 3
	logs+=("$W/proxy.log")
fi
if grep -qE "ERROR: (Address|Leak|Undefined)|runtime error" "${logs[@]}"; then
	ko "sanitizer reports" "$(grep -hE "ERROR|runtime error" "${logs[@]}" | head -5)"
fi
il_lab_down
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
