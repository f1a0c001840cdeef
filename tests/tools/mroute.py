#!/usr/bin/env python3
"""mroute.py - a minimal static multicast router for the test lab.

Run inside a router namespace, it takes over the kernel's multicast routing
table (MRT_INIT / MRT6_INIT), makes a virtual interface of every interface
named on the command line, and forwards every multicast group matching
--group from whichever of those interfaces a stream arrives on to all the
others: on each "no cache entry" upcall from the kernel it installs the
(source, group) entry.  There is no IGMP/MLD snooping: streams are forwarded
whether or not anyone downstream joined, which is all the tests need.

    mroute.py [-6] [--group PREFIX] [--timeout SECS] [--log FILE] IFACE...

The kernel forwards a packet only when its TTL / hop limit is above 1 on
arrival, so senders must use a TTL of 2 or more (uftp -t, uftpproxyd -t).
The process exits after --timeout seconds (default 600) so it never outlives
a test that forgot it; tests stop it by PID.  On exit the kernel drops the
routing table with the socket.
"""

import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

# linux/mroute.h, linux/mroute6.h
MRT_INIT, MRT_ADD_VIF, MRT_ADD_MFC = 200, 202, 204
VIFF_USE_IFINDEX = 0x8
IGMPMSG_NOCACHE = 1
MAXVIFS = 32
MRT6_INIT, MRT6_ADD_MIF, MRT6_ADD_MFC = 200, 202, 204
MRT6MSG_NOCACHE = 1


def log(out, text):
    out.write("%s mroute: %s\n" % (time.strftime("%H:%M:%S"), text))
    out.flush()


class Router4:
    def __init__(self, ifaces):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
        self.sock.setsockopt(socket.IPPROTO_IP, MRT_INIT, 1)
        self.nvif = len(ifaces)
        for vif, name in enumerate(ifaces):
            # struct vifctl: vifi u16, flags u8, threshold u8, rate_limit u32,
            # union { lcl_addr, lcl_ifindex }, rmt_addr
            ctl = struct.pack("=HBBIi4s", vif, VIFF_USE_IFINDEX, 1, 0,
                              socket.if_nametoindex(name), b"\0" * 4)
            self.sock.setsockopt(socket.IPPROTO_IP, MRT_ADD_VIF, ctl)

    def upcall(self, data):
        """(vif, source, group) of a NOCACHE upcall, or None."""
        # struct igmpmsg: 8 unused bytes, msgtype, mbz, vif, vif_hi, src, dst
        if len(data) < 20 or data[9] != 0 or data[8] != IGMPMSG_NOCACHE:
            return None
        vif = data[10] | (data[11] << 8)
        return vif, ipaddress.IPv4Address(data[12:16]), ipaddress.IPv4Address(data[16:20])

    def install(self, vif, src, grp):
        ttls = bytes(1 if i != vif and i < self.nvif else 255 for i in range(MAXVIFS))
        # struct mfcctl: origin, mcastgrp, parent u16, ttls[32], 4 x u32/int
        ctl = struct.pack("=4s4sH32s2xIIIi", src.packed, grp.packed, vif, ttls, 0, 0, 0, 0)
        self.sock.setsockopt(socket.IPPROTO_IP, MRT_ADD_MFC, ctl)


class Router6:
    def __init__(self, ifaces):
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        self.sock.setsockopt(socket.IPPROTO_IPV6, MRT6_INIT, 1)
        self.nmif = len(ifaces)
        for mif, name in enumerate(ifaces):
            # struct mif6ctl: mifi u16, flags u8, threshold u8, pifi u16, rate_limit u32
            ctl = struct.pack("=HBBH2xI", mif, 0, 1, socket.if_nametoindex(name), 0)
            self.sock.setsockopt(socket.IPPROTO_IPV6, MRT6_ADD_MIF, ctl)

    def upcall(self, data):
        # struct mrt6msg: mbz u8, msgtype u8, mif u16, pad u32, src, dst
        if len(data) < 40 or data[0] != 0 or data[1] != MRT6MSG_NOCACHE:
            return None
        mif = struct.unpack_from("=H", data, 2)[0]
        return mif, ipaddress.IPv6Address(data[8:24]), ipaddress.IPv6Address(data[24:40])

    @staticmethod
    def sin6(addr):
        # struct sockaddr_in6: family u16, port u16, flowinfo u32, addr, scope u32
        return struct.pack("=HHI16sI", socket.AF_INET6, 0, 0, addr.packed, 0)

    def install(self, mif, src, grp):
        mask = 0
        for i in range(self.nmif):
            if i != mif:
                mask |= 1 << i
        ifset = struct.pack("=8I", mask, 0, 0, 0, 0, 0, 0, 0)
        # struct mf6cctl: origin, mcastgrp, parent u16, if_set (256 bits)
        ctl = self.sin6(src) + self.sin6(grp) + struct.pack("=H2x", mif) + ifset
        self.sock.setsockopt(socket.IPPROTO_IPV6, MRT6_ADD_MFC, ctl)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-6", dest="v6", action="store_true", help="IPv6 (default IPv4)")
    ap.add_argument("--group", default=None,
                    help="forward only groups in this prefix (default 224.0.0.0/4 or ff00::/8)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--log", default=None)
    ap.add_argument("ifaces", nargs="+")
    a = ap.parse_args()
    out = open(a.log, "a") if a.log else sys.stderr
    prefix = ipaddress.ip_network(a.group or ("ff00::/8" if a.v6 else "224.0.0.0/4"))
    try:
        router = Router6(a.ifaces) if a.v6 else Router4(a.ifaces)
    except OSError as e:
        log(out, "cannot take the multicast routing table: %s" % e)
        return 1
    log(out, "routing %s between %s" % (prefix, ", ".join(a.ifaces)))
    print("ready", flush=True)
    end = time.monotonic() + a.timeout
    seen = set()
    while True:
        left = end - time.monotonic()
        if left <= 0:
            log(out, "timeout, exiting")
            return 0
        r, _, _ = select.select([router.sock], [], [], min(left, 1.0))
        if not r:
            continue
        data = router.sock.recv(65536)
        up = router.upcall(data)
        if up is None:
            continue
        vif, src, grp = up
        if grp not in prefix or vif >= len(a.ifaces):
            continue
        try:
            router.install(vif, src, grp)
        except OSError as e:
            log(out, "cannot route (%s, %s): %s" % (src, grp, e))
            continue
        if (src, grp) not in seen:
            seen.add((src, grp))
            log(out, "route (%s, %s) from %s" % (src, grp, a.ifaces[vif]))


if __name__ == "__main__":
    sys.exit(main())
