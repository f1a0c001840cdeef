#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Forged UFTP datagrams aimed at a proxy, sent in one burst (TEST-ONLY).

  proxy_flood.py hb HOST:PORT N        N HB_REQs, each with a made-up RSA key,
                                       a random signature and a nonce the proxy
                                       never issued (a server proxy in fp= mode
                                       must reject every one)
  proxy_flood.py announce GROUP:PORT N [--first-group G] [--src-id ID]
                                       N ANNOUNCEs, each for a new group ID
                                       (G, G+1, ...) naming its own private
                                       group 230.6.x.y, robust 1, GRTT 0.5 s

Options: --bind ADDR (source address; default: any), --ttl N (multicast).
Prints one line saying what it sent.  Builds on uftp_craft.py (header, pad4).
"""
import argparse
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uftp_craft as uc  # noqa: E402

def rsa_blob(rng, bits=1024):
    """A key blob that decodes (type RSA, e = 65537) but nobody holds the key."""
    mod = bytearray(rng.getrandbits(8) for _ in range(bits // 8))
    mod[0] |= 0x80
    mod[-1] |= 1
    return struct.pack(">BBHI", 1, 0, len(mod), 65537) + bytes(mod)


def hb_req_body(nonce, key, sig):
    fixed = struct.pack(">BBHHHI", uc.HB_REQ, 0, 0, len(key), len(sig), nonce)
    body = uc.pad4(fixed + key + sig)
    return bytes([uc.HB_REQ, len(body) // 4]) + body[2:]


def cmd_hb(a, s, rng):
    host, port = uc.hostport(a.dest)
    key = rsa_blob(rng)
    for i in range(a.count):
        sig = bytes(rng.getrandbits(8) for _ in range(128))
        body = hb_req_body(rng.getrandbits(32) | 1, key, sig)
        s.sendto(uc.header(uc.HB_REQ, i, a.src_id, 0) + body, (host, port))
    print("sent %d forged HB_REQs to %s" % (a.count, a.dest))


def cmd_announce(a, s, rng):
    host, port = uc.hostport(a.dest)
    for i in range(a.count):
        priv = "230.6.%d.%d" % ((a.first_group + i) // 250 % 250, (a.first_group + i) % 250 + 1)
        body = uc.announce_body("230.4.4.1", priv, robust=1)
        h = uc.header(uc.ANNOUNCE, 0, a.src_id, (a.first_group + i) & 0xFFFFFFFF)
        s.sendto(h + body, (host, port))
    print("sent %d forged ANNOUNCEs to %s (groups 0x%08X..)" % (a.count, a.dest, a.first_group))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("hb", "announce"))
    ap.add_argument("dest", help="HOST:PORT ([v6]:PORT)")
    ap.add_argument("count", type=int)
    ap.add_argument("--first-group", type=lambda v: int(v, 0), default=0x0F000001)
    ap.add_argument("--src-id", type=lambda v: int(v, 0), default=0x0BADBAD0)
    ap.add_argument("--bind", default="")
    ap.add_argument("--ttl", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    host, _ = uc.hostport(a.dest)
    s = socket.socket(uc.family(host), socket.SOCK_DGRAM)
    if a.bind:
        s.bind((a.bind, 0))
    if uc.family(host) == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, a.ttl)
    (cmd_hb if a.what == "hb" else cmd_announce)(a, s, rng)


if __name__ == "__main__":
    main()
