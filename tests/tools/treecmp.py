#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""treecmp.py - compare a received tree with the tree that was sent.

    treecmp.py [--umask 022] [--no-mode] [--no-mtime] SRC DST
    treecmp.py --manifest [--umask 022] DIR       # print the expected manifest

Both trees are turned into a manifest, one line per entry (sorted by path):

    <type> <path!r> size=<n> mode=<octal> mtime=<s> sha256=<hex> -> <target!r>

type f (regular file), d (directory), l (symlink), ? (anything else).  What is
compared is what a UFTP 4.x receiver is expected to reproduce:
  - names and types of every entry, sizes and contents (sha256, then a
    byte-by-byte compare of every file whose hash matched) of regular files,
    symlink targets;
  - modes: the protocol carries none, so a receiver creates files 0666 and
    directories 0777 minus its umask (what the real uftpd 4.10.2 does); the
    expected modes are derived from --umask (the receiver's umask);
  - mtimes of regular files (the FILEINFO timestamp, whole seconds); the
    real uftpd leaves directory and symlink times alone, so they are not
    compared.
Extra entries in DST (temp files, partial files) are differences too.
Prints a unified diff of the manifests and a one-line reason per entry on
failure; exit 0 if equal, 1 if they differ, 2 on usage errors.
"""
import argparse
import difflib
import filecmp
import hashlib
import os
import stat
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def entries(root, expected, umask, use_mode, use_mtime):
    """Manifest lines of the tree at root; expected=True derives the modes a
    receiver should create instead of the modes found on disk."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "l %r -> %r" % (rel, os.readlink(full))
                continue
            if stat.S_ISDIR(st.st_mode):
                t, base = "d", 0o777
            elif stat.S_ISREG(st.st_mode):
                t, base = "f", 0o666
            else:
                out[rel] = "? %r mode=%o" % (rel, st.st_mode)
                continue
            mode = (base & ~umask) if expected else stat.S_IMODE(st.st_mode)
            line = "%s %r" % (t, rel)
            if use_mode:
                line += " mode=%04o" % mode
            if t == "f":
                line += " size=%d" % st.st_size
                if use_mtime:
                    line += " mtime=%d" % int(st.st_mtime)
                line += " sha256=%s" % sha256(full)
            out[rel] = line
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--umask", default="022", help="receiver umask (octal)")
    ap.add_argument("--no-mode", action="store_true")
    ap.add_argument("--no-mtime", action="store_true")
    ap.add_argument("--manifest", action="store_true")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    umask = int(a.umask, 8)
    use_mode, use_mtime = not a.no_mode, not a.no_mtime
    if a.manifest:
        for line in sorted(entries(a.dirs[0], True, umask, use_mode, use_mtime).values()):
            print(line)
        return 0
    if len(a.dirs) != 2:
        ap.error("need SRC and DST")
    src, dst = a.dirs
    if not os.path.isdir(dst):
        print("treecmp: %s: no such directory (nothing received)" % dst)
        return 1
    want = entries(src, True, umask, use_mode, use_mtime)
    got = entries(dst, False, umask, use_mode, use_mtime)
    if want and not got:
        print("treecmp: nothing received (%d entries expected)" % len(want))
        return 1
    bad = []
    for rel in sorted(set(want) | set(got)):
        if rel not in got:
            bad.append("missing: %r" % rel)
        elif rel not in want:
            bad.append("extra: %r" % rel)
        elif want[rel] != got[rel]:
            bad.append("differs: want [%s] got [%s]" % (want[rel], got[rel]))
        elif want[rel].startswith("f ") and not filecmp.cmp(
            os.path.join(src, rel), os.path.join(dst, rel), shallow=False
        ):
            bad.append("content differs (byte compare): %r" % rel)
    if not bad:
        return 0
    for line in bad:
        print("treecmp: " + line)
    diff = difflib.unified_diff(
        [want[k] for k in sorted(want)],
        [got[k] for k in sorted(got)],
        "expected (from %s)" % src,
        "received (%s)" % dst,
        lineterm="",
        n=1,
    )
    for line in diff:
        print("  " + line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
