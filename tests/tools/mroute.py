#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""mroute.py - a minimal static multicast router for the test lab.

Run inside a router namespace, it forwards every multicast group matching
--group from whichever of the interfaces named on the command line a stream
arrives on to all the others.  There is no IGMP/MLD snooping: streams are
forwarded whether or not anyone downstream joined, which is all the tests
need.  Link-local groups (224.0.0.0/24; IPv6 scopes 1 and 2) are never
routed, as a kernel router would not route them.

    mroute.py [-6] [--mode auto|kernel|nft|relay] [--group PREFIX]
              [--timeout SECS] [--log FILE] IFACE...

Three ways of forwarding (--mode):
  kernel  take the kernel's multicast routing table (MRT_INIT / MRT6_INIT),
          make a virtual interface of every IFACE, and on each "no cache
          entry" upcall install the (source, group) entry.  Needs a kernel
          built with CONFIG_IP_MROUTE / CONFIG_IPV6_MROUTE; without it
          MRT_INIT fails with ENOPROTOOPT ("Protocol not available").
  nft     an nftables netdev table: an ingress chain on every IFACE records
          each (IFACE, source, group) in a set and, when the TTL / hop limit
          is above 1, decrements it (nft fixes the IPv4 header checksum) and
          duplicates the frame to every other IFACE with that interface's
          MAC as source (nf_dup_netdev).  The router polls the set for its
          log lines and deletes the table on exit.  Needs the nft program
          and CONFIG_NF_TABLES_NETDEV / CONFIG_NFT_DUP_NETDEV.
  relay   a user-space router: an AF_PACKET socket on each IFACE takes the
          multicast frames that arrive there (never the ones sent from it),
          decrements the TTL / hop limit (IPv4: the header checksum is
          recomputed; the UDP checksum does not cover it) and sends each
          datagram, its source address and payload unchanged, out of every
          other IFACE in a frame of that interface's own (multicast MAC of
          the group, the interface's MAC as source).  Frames whose UDP
          checksum the sender left to offload (veth: TP_STATUS_CSUMNOTREADY)
          get it completed.  Slower than the other two (Python: about
          100 Mbit/s of 1400-byte datagrams on a busy 2-core machine).
  auto    (default) the first of kernel, nft, relay that can be set up.
IPv4 and IPv6 fragments are forwarded one by one like any datagram (each
carries the full IP header).  Neither nft nor the relay fragments: the legs
are taken to share one MTU.  Every mode forwards a datagram only when its
TTL / hop limit is above 1 on arrival, so senders must use a TTL of 2 or
more (uftp -t, uftpproxyd -t).

Output: "ready MODE" on stdout once forwarding is set up; on the log (--log,
default stderr) why each mode tried before could not be used, "routing
PREFIX between IFACES (MODE ...)" and, once per stream, "route (SRC, GRP)
from IFACE" when its first datagram arrives (whatever its TTL, as the
kernel's upcall).  nft and the relay log their counts on exit.
Exit status: 0 after --timeout seconds (default 600; the process never
outlives a test that forgot it) or SIGTERM; 1 when the mode asked for cannot
be set up; 77 when --mode auto finds no way of forwarding on this machine.
"""

import argparse
import errno
import fcntl
import ipaddress
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

# linux/mroute.h, linux/mroute6.h
MRT_INIT, MRT_ADD_VIF, MRT_ADD_MFC = 200, 202, 204
VIFF_USE_IFINDEX = 0x8
IGMPMSG_NOCACHE = 1
MAXVIFS = 32
MRT6_INIT, MRT6_ADD_MIF, MRT6_ADD_MFC = 200, 202, 204
MRT6MSG_NOCACHE = 1

# linux/if_ether.h, linux/if_packet.h
ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP, PACKET_STATISTICS, PACKET_AUXDATA = 1, 6, 8
PACKET_MR_ALLMULTI = 2
PACKET_MULTICAST = 2
TP_STATUS_CSUMNOTREADY = 1 << 3
SIOCGIFHWADDR = 0x8927
AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF = 8 << 20
IPPROTO_UDP = 17

LINK_LOCAL4 = ipaddress.ip_network("224.0.0.0/24")


def log(out, text):
    out.write("%s mroute: %s\n" % (time.strftime("%H:%M:%S"), text))
    out.flush()


class Router4:
    """The kernel's IPv4 multicast routing table (MRT_INIT)."""

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
    """The kernel's IPv6 multicast routing table (MRT6_INIT)."""

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


def run_kernel(router, a, prefix, out, end):
    """Answer the kernel's NOCACHE upcalls until END (monotonic)."""
    seen = set()
    while True:
        left = end - time.monotonic()
        if left <= 0:
            log(out, "timeout, exiting")
            return 0
        r, _, _ = select.select([router.sock], [], [], min(left, 1.0))
        if not r:
            continue
        up = router.upcall(router.sock.recv(65536))
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


def csum(data):
    """Internet checksum (one's complement of the one's-complement sum)."""
    if len(data) & 1:
        data += b"\0"
    n = int.from_bytes(data, "big")
    # the sum of the 16-bit words is n mod 0xffff (2^16 = 1 mod 0xffff); a
    # non-zero sum that is a multiple of 0xffff is 0xffff, not 0
    s = n % 0xFFFF
    if s == 0 and n:
        s = 0xFFFF
    return ~s & 0xFFFF


def finish_udp_csum(seg):
    """SEG: a UDP header and payload whose checksum field holds only the
    pseudo-header sum (checksum offload): the completed segment."""
    c = csum(bytes(seg)) or 0xFFFF
    seg[6:8] = struct.pack("!H", c)
    return seg


class Leg:
    """One interface of the relay: an AF_PACKET socket bound to it."""

    def __init__(self, name, ethertype):
        self.name = name
        self.ifindex = socket.if_nametoindex(name)
        # protocol 0 until bound: nothing from other interfaces is queued
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        self.sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        # struct packet_mreq: ifindex, type, alen, address[8]
        mreq = struct.pack("=iHH8s", self.ifindex, PACKET_MR_ALLMULTI, 0, b"")
        self.sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        self.sock.bind((name, ethertype))
        self.sock.setblocking(False)
        self.mac = self.sock.getsockname()[4]
        self.ethertype = struct.pack("!H", ethertype)

    def drops(self):
        """Frames the kernel dropped on this socket since the last call."""
        # struct tpacket_stats: tp_packets, tp_drops
        return struct.unpack("=II", self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))[1]


class Relay:
    """The user-space router: see the module's description."""

    def __init__(self, v6, ifaces, prefix, out):
        self.v6, self.prefix, self.out = v6, prefix, out
        self.legs = [Leg(n, ETH_P_IPV6 if v6 else ETH_P_IP) for n in ifaces]
        self.streams = {}
        self.n_in = self.n_fwd = self.n_ttl = self.n_csum = self.n_err = 0
        self.kdrops = 0
        self.first_err = None

    def header(self, ip):
        """(addresses, ttl, datagram length) of the IP datagram IP, or None;
        addresses: the raw source and destination (the stream's key)."""
        if self.v6:
            if len(ip) < 40 or ip[0] >> 4 != 6:
                return None
            tot = 40 + ((ip[4] << 8) | ip[5])
            return (bytes(ip[8:40]), ip[7], tot) if tot <= len(ip) else None
        ihl = (ip[0] & 15) * 4
        if len(ip) < 20 or ip[0] >> 4 != 4 or ihl < 20:
            return None
        tot = (ip[2] << 8) | ip[3]
        return (bytes(ip[12:20]), ip[8], tot) if ihl <= tot <= len(ip) else None

    def stream(self, leg, key, ttl):
        """The destination MAC for the stream KEY (raw source + group), or
        None when its group is not routed.  The first datagram of a routed
        stream is logged, as the kernel's upcall would be."""
        half = len(key) // 2
        src, grp = ipaddress.ip_address(key[:half]), ipaddress.ip_address(key[half:])
        if grp not in self.prefix or not grp.is_multicast:
            return None
        if self.v6 and (key[half + 1] & 15) <= 2:
            return None  # interface- or link-local scope
        if not self.v6 and grp in LINK_LOCAL4:
            return None
        log(self.out, "route (%s, %s) from %s%s" % (src, grp, leg.name,
                                                    "" if ttl > 1 else " (TTL %d: not forwarded)" % ttl))
        if self.v6:
            return b"\x33\x33" + key[-4:]
        return b"\x01\x00\x5e" + bytes([key[-3] & 0x7F]) + key[-2:]

    def rewrite(self, ip, notready):
        """IP: the datagram (bytearray) as it arrived; returns it with the
        TTL / hop limit decremented and any offloaded checksum completed."""
        if self.v6:
            ip[7] -= 1
            if notready and ip[6] == IPPROTO_UDP:
                ip[40:] = finish_udp_csum(ip[40:])
                self.n_csum += 1
            return ip
        ihl = (ip[0] & 15) * 4
        ip[8] -= 1
        frag = ((ip[6] << 8) | ip[7]) & 0x3FFF  # MF + fragment offset
        if notready and ip[9] == IPPROTO_UDP and frag == 0:
            ip[ihl:] = finish_udp_csum(ip[ihl:])
            self.n_csum += 1
        ip[10:12] = b"\0\0"
        ip[10:12] = struct.pack("!H", csum(bytes(ip[:ihl])))
        return ip

    def handle(self, leg, frame, notready):
        self.n_in += 1
        ip = bytearray(frame[14:])
        h = self.header(ip)
        if h is None:
            return
        key, ttl, tot = h
        # per stream (source, group and the leg it came from): the decision
        # and the log line once, as the kernel's cache entry
        sk = (leg.name, key)
        dst = self.streams.get(sk, False)
        if dst is False:
            dst = self.streams[sk] = self.stream(leg, key, ttl)
        if dst is None:
            return
        if ttl <= 1:
            self.n_ttl += 1
            return
        del ip[tot:]  # Ethernet padding
        ip = bytes(self.rewrite(ip, notready))
        for o in self.legs:
            if o is leg:
                continue
            try:
                o.sock.send(dst + o.mac + o.ethertype + ip)
                self.n_fwd += 1
            except OSError as e:
                self.n_err += 1
                if self.first_err is None:
                    self.first_err = "%s on %s" % (e, o.name)
                    log(self.out, "cannot send on %s: %s" % (o.name, e))

    def drain(self, leg):
        """Every frame queued on LEG's socket."""
        while True:
            try:
                frame, anc, _, addr = leg.sock.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
            except BlockingIOError:
                return
            # a router takes what arrives for a group: never what it sent
            # itself (PACKET_OUTGOING), nor unicast or broadcast
            if addr[2] != PACKET_MULTICAST:
                continue
            notready = False
            for lvl, typ, data in anc:
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= AUXDATA.size:
                    notready = bool(AUXDATA.unpack_from(data)[0] & TP_STATUS_CSUMNOTREADY)
            self.handle(leg, frame, notready)

    def serve(self, end):
        socks = {leg.sock: leg for leg in self.legs}
        for leg in self.legs:
            leg.drops()  # reset the kernel's counters
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    log(self.out, "timeout, exiting")
                    return 0
                r, _, _ = select.select(list(socks), [], [], min(left, 1.0))
                for s in r:
                    self.drain(socks[s])
        finally:
            self.kdrops += sum(leg.drops() for leg in self.legs)
            log(self.out, "relay: %d multicast frames in, %d forwarded, %d not forwarded (TTL <= 1), "
                "%d UDP checksums completed, %d send errors, %d frames dropped by the kernel"
                % (self.n_in, self.n_fwd, self.n_ttl, self.n_csum, self.n_err, self.kdrops))


def ifmac(name):
    """The MAC address of interface NAME, as nft writes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("256s", name.encode()[:15]))
    return ":".join("%02x" % b for b in ifr[18:24])


class Nft:
    """Forwarding in the kernel without its multicast routing table: an
    nftables netdev table with an ingress chain on every leg that records
    each (leg, source, group) in a set and, for a TTL / hop limit above 1,
    decrements it (nft fixes the IPv4 header checksum) and duplicates the
    frame to every other leg with that leg's MAC as source (nf_dup_netdev).
    The router polls the set for the log lines."""

    def __init__(self, v6, ifaces, prefix, out):
        self.v6, self.ifaces, self.out = v6, ifaces, out
        self.table = "mroute%d" % os.getpid()
        self.nft = shutil.which("nft")
        if self.nft is None:
            raise OSError(errno.ENOENT, "no nft program")
        self.seen = set()
        self.loaded = False
        r = self.run("-f", "-", text=self.ruleset(prefix, {n: ifmac(n) for n in ifaces}))
        if r.returncode != 0:
            err = [l for l in r.stderr.splitlines() if "Error" in l] or [r.stderr.strip()]
            raise OSError(errno.EINVAL, "nft -f: %s" % err[0][:300])
        self.loaded = True

    def run(self, *args, text=None):
        return subprocess.run((self.nft,) + args, input=text, capture_output=True,
                              text=True, timeout=30, check=False)

    def ruleset(self, prefix, macs):
        fam, ttl, addr = ("ip6", "ip6 hoplimit", "ipv6_addr") if self.v6 else ("ip", "ip ttl", "ipv4_addr")
        match = "meta protocol %s meta pkttype multicast %s daddr %s " % (fam, fam, prefix)
        # beyond link-local: the IPv6 group's scope (low nibble of byte 1)
        match += "@nh,204,4 > 2" if self.v6 else "ip daddr != 224.0.0.0/24"
        out = ["table netdev %s {" % self.table,
               "\tset streams { type ifname . %s . %s; flags dynamic; size 65535; }" % (addr, addr)]
        for i, name in enumerate(self.ifaces):
            dup = " ".join('ether saddr set %s dup to "%s"' % (macs[o], o) for o in self.ifaces if o != name)
            # nft cannot compute TTL - 1: one rule per value
            out.append("\tchain fwd%d {" % i)
            out += ["\t\t%s %d %s set %d %s return" % (ttl, t, ttl, t - 1, dup) for t in range(2, 256)]
            out += ["\t}", "\tchain in%d {" % i,
                    '\t\ttype filter hook ingress device "%s" priority 0; policy accept;' % name,
                    "\t\t%s add @streams { iifname . %s saddr . %s daddr }" % (match, fam, fam),
                    "\t\t%s %s > 1 counter jump fwd%d" % (match, ttl, i), "\t}"]
        return "\n".join(out + ["}", ""])

    def poll(self):
        """Log the streams the set gained since the last call."""
        r = self.run("list", "set", "netdev", self.table, "streams")
        for leg, src, grp in re.findall(r'"([^"]+)" \. ([0-9a-fA-F:.]+) \. ([0-9a-fA-F:.]+)', r.stdout):
            if (leg, src, grp) not in self.seen:
                self.seen.add((leg, src, grp))
                log(self.out, "route (%s, %s) from %s" % (src, grp, leg))

    def counts(self):
        r = self.run("list", "table", "netdev", self.table)
        n = re.findall(r"counter packets (\d+)", r.stdout)
        return ", ".join("%s from %s" % (c, leg) for c, leg in zip(n, self.ifaces))

    def serve(self, end):
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    log(self.out, "timeout, exiting")
                    return 0
                time.sleep(min(left, 0.25))
                self.poll()
        finally:
            self.close()

    def close(self):
        if not self.loaded:
            return
        self.poll()
        log(self.out, "nft: datagrams forwarded (TTL above 1): %s" % self.counts())
        self.run("delete", "table", "netdev", self.table)
        self.loaded = False


class Kernel:
    """The kernel's multicast routing table, answering its upcalls."""

    def __init__(self, a, prefix, out):
        self.a, self.prefix, self.out = a, prefix, out
        try:
            self.router = Router6(a.ifaces) if a.v6 else Router4(a.ifaces)
        except OSError as e:
            if e.errno == errno.ENOPROTOOPT:
                e.strerror += " (kernel built without CONFIG_%s_MROUTE)" % ("IPV6" if a.v6 else "IP")
            raise

    def serve(self, end):
        return run_kernel(self.router, self.a, self.prefix, self.out, end)


# mode -> (what the log calls it, how to open it)
MODES = {
    "kernel": ("the kernel's multicast routing table ({mrt})", lambda a, p, out: Kernel(a, p, out)),
    "nft": ("nftables netdev forwarding", lambda a, p, out: Nft(a.v6, a.ifaces, p, out)),
    "relay": ("the user-space relay", lambda a, p, out: Relay(a.v6, a.ifaces, p, out)),
}
AUTO = ("kernel", "nft", "relay")


def describe(mode, a, fwd):
    if mode == "kernel":
        return "kernel: %s" % ("MRT6_INIT" if a.v6 else "MRT_INIT")
    if mode == "nft":
        return "nft: netdev table %s, ingress + dup" % fwd.table
    return "relay: AF_PACKET, user space"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-6", dest="v6", action="store_true", help="IPv6 (default IPv4)")
    ap.add_argument("--mode", choices=("auto",) + AUTO, default="auto",
                    help="kernel: the kernel's multicast routing table; nft: nftables netdev "
                    "ingress chains duplicating to the other legs; relay: a user-space AF_PACKET "
                    "relay; auto (default): the first of these that works")
    ap.add_argument("--group", default=None,
                    help="forward only groups in this prefix (default 224.0.0.0/4 or ff00::/8)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--log", default=None)
    ap.add_argument("ifaces", nargs="+")
    a = ap.parse_args()
    out = open(a.log, "a") if a.log else sys.stderr
    prefix = ipaddress.ip_network(a.group or ("ff00::/8" if a.v6 else "224.0.0.0/4"))
    for name in a.ifaces:
        try:
            socket.if_nametoindex(name)
        except OSError as e:
            log(out, "no interface %s: %s" % (name, e))
            return 1
    # SIGTERM (how the tests stop it) ends the loops through their finally
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    end = time.monotonic() + a.timeout
    modes = AUTO if a.mode == "auto" else (a.mode,)
    for k, mode in enumerate(modes):
        what, opener = MODES[mode]
        what = what.format(mrt="MRT6_INIT" if a.v6 else "MRT_INIT")
        try:
            fwd = opener(a, prefix, out)
        except OSError as e:
            log(out, "cannot use %s: %s" % (what, e))
            if k + 1 < len(modes):
                log(out, "falling back to %s" % MODES[modes[k + 1]][0].split(" (")[0])
            continue
        log(out, "routing %s between %s (%s)" % (prefix, ", ".join(a.ifaces), describe(mode, a, fwd)))
        print("ready %s" % mode, flush=True)
        return fwd.serve(end)
    return 77 if a.mode == "auto" else 1


if __name__ == "__main__":
    sys.exit(main())
