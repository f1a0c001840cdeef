#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Builds the fuzz seed corpora (tests/fuzz/corpus/) from the captured real
UFTP 4.10.2 sessions in tests/vectors/*.pkts.

  corpus/msg/       every distinct datagram, one file each
  corpus/envelope/  mode byte + each captured ENCRYPTED datagram (open path),
                    and mode|8 + a plaintext per mode (seal/open round trip)
  corpus/client/    per scenario: what the server sent, as a fuzz.h script
  corpus/server/    per scenario: what the clients sent, as a fuzz.h script
  corpus/proxy/     per scenario and proxy mode: a mode byte, then both
                    directions as a fuzz.h script

Usage: tests/tools/fuzz_seeds.py [TOP_DIR]   (rewrites the seed files only;
crash reproducers added by hand, named crash-*, are kept)
"""
import glob
import hashlib
import os
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
vec = os.path.join(top, "tests", "vectors")
corpus = os.path.join(top, "tests", "fuzz", "corpus")


def packets(path):
    for line in open(path):
        if not line.startswith("pkt "):
            continue
        _, _, src, _dst, payload = line.split()
        host = src.rsplit(":", 1)[0]
        yield host, bytes.fromhex(payload)


def times(path):
    """Capture time (s) of each datagram, from the .summary beside the .pkts."""
    t = []
    summ = path[:-5] + ".summary"
    if os.path.exists(summ):
        for line in open(summ):
            if not line.startswith("#"):
                t.append(float(line.split("\t")[1]))
    return t


# Functions a client sends while the server announces (REGISTER, CLIENT_KEY,
# KEYINFO_ACK: the first ENCRYPTED one).  The server harness (fuzz_server.c)
# announces for 7.5 s and drops a silent client 7.5 s later: its scripts wait
# 10 s before the first reply of the file phase.
ANNOUNCE_PHASE = (2, 3, 6)  # header function codes (proto.h)


def script(pk, t, want, wait_announce=False):
    """The datagrams for which want(host) holds, each delayed as captured:
    ctl = v with v * v ms closest to the gap since the previous one (fuzz.h)."""
    out = b""
    clock = 0.0
    waited = not wait_announce
    seen_enc = False
    for i, (h, p) in enumerate(pk):
        if not want(h):
            continue
        at = t[i] if i < len(t) else clock + 0.016
        gap_ms = max(0.0, (at - clock) * 1000.0)
        v = min(127, int(round(gap_ms ** 0.5)))
        func = p[1] if len(p) > 1 else 0
        if func == 18 and not seen_enc:
            seen_enc, func = True, 6
        if not waited and func not in ANNOUNCE_PHASE:
            v, waited = 100, True
        clock = max(clock + v * v / 1000.0, at if v == 100 else 0.0)
        out += record(p, v)
    return out


def record(payload, ctl=0):
    return bytes([ctl]) + len(payload).to_bytes(2, "big") + payload


def write(sub, name, data):
    d = os.path.join(corpus, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for sub in ("msg", "envelope", "client", "server", "proxy"):
        d = os.path.join(corpus, sub)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.unlink(os.path.join(d, f))
    seen = set()
    per_kind = {}
    for path in sorted(glob.glob(os.path.join(vec, "*.pkts"))):
        scen = os.path.basename(path)[:-5]
        pk = list(packets(path))
        if not pk:
            continue
        server = pk[0][0]  # the first datagram is the server's ANNOUNCE
        t = times(path)
        for _h, p in pk:
            if len(p) < 2:
                continue
            digest = hashlib.sha1(p).hexdigest()[:12]
            # a few of each function per scenario: enough shapes, a small corpus
            kind = (scen, p[1])
            per_kind[kind] = per_kind.get(kind, 0) + 1
            if per_kind[kind] > 3:
                continue
            write("msg", "seed-%s-%s" % (scen, digest), p)
            if p[1] == 18:  # ENCRYPTED: opened under three envelope modes
                for mode in (0, 3, 5):
                    write("envelope", "seed-%s-%d-%s" % (scen, mode, digest), bytes([mode]) + p)
        write("client", "seed-%s" % scen, script(pk, t, lambda h: h == server))
        # the proxy sees both directions; first byte: mode (fuzz_proxy.c)
        both = script(pk, t, lambda h: True)
        for mode, name in ((0, "server"), (1, "client"), (2, "response")):
            write("proxy", "seed-%s-%s" % (scen, name), bytes([mode]) + both)
        write("server", "seed-%s" % scen, script(pk, t, lambda h: h != server, True))
    for mode in range(8):
        write("envelope", "seed-seal-%d" % mode, bytes([mode | 8]) + bytes(range(200)))


if __name__ == "__main__":
    main()
