#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ok() always succeeds, so "test && ok || bad" is an if-then-else here
# shellcheck disable=SC2015
# Builds the Debian package from a clean clone of HEAD and checks it, without
# changing this machine: its contents (dpkg-deb -c), lintian, the units
# (systemd-analyze verify and security --offline), the version everywhere,
# and, as root where overlayfs works, an install, a purge and the
# replacement of Debian's uftp inside a throwaway overlay of / (the real
# system is never touched).  Not part of scripts/test.sh (it takes minutes).
#   scripts/package-check.sh            # from the tree's top or anywhere in it
#   PKG_NOCHECK=1 scripts/package-check.sh   # skip make check in the build
# Needs dpkg-dev, debhelper, lintian (scripts/install-deps.sh --package).
set -eu

top=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d /tmp/uftp-ng-pkg.XXXXXX)
fails=0
trap 'rm -rf "$work"' EXIT INT TERM
ok() { echo "ok:   $*"; }
bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || {
		echo "package-check: $t missing (scripts/install-deps.sh --package)" >&2
		exit 1
	}
done

# ---- build from a clean clone ------------------------------------------
git clone -q "$top" "$work/src/uftp-ng"
cd "$work/src/uftp-ng"
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' configure.ac)
name=$(sed -n 's/^AC_INIT(\[\([^]]*\)\].*/\1/p' configure.ac)
debver=$(dpkg-parsechangelog -S Version)
[ "$debver" = "$version" ] && ok "debian/changelog $debver = configure.ac $version" ||
	bad "debian/changelog says $debver, configure.ac $version"
echo "package-check: dpkg-buildpackage -b -us -uc in $work/src (log: $work/build.log)"
if ! DEB_BUILD_OPTIONS="${PKG_NOCHECK:+nocheck} parallel=2" \
	dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1; then
	tail -40 "$work/build.log"
	bad "dpkg-buildpackage"
	exit 1
fi
ok "dpkg-buildpackage -b -us -uc"
grep -E '^# (TOTAL|PASS|SKIP|FAIL):' "$work/build.log" | tr '\n' ' ' && echo
deb="$work/src/${name}_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || {
	bad "no $deb"
	exit 1
}

# ---- contents ---------------------------------------------------------
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/bin/uftp ./usr/bin/uftpd ./usr/bin/uftpproxyd ./usr/bin/uftp_keymgt \
	./usr/share/man/man1/uftp.1.gz ./usr/share/man/man1/uftpd.1.gz \
	./usr/share/man/man1/uftpproxyd.1.gz ./usr/share/man/man1/uftp_keymgt.1.gz \
	./lib/systemd/system/uftpd.service ./lib/systemd/system/uftpproxyd.service \
	./etc/default/uftpd ./etc/default/uftpproxyd ./etc/logrotate.d/uftp-ng \
	./usr/lib/sysusers.d/uftp-ng.conf ./usr/lib/tmpfiles.d/uftp-ng.conf \
	./usr/share/doc/uftp-ng/copyright; do
	grep -q " $f\$" "$work/contents" && ok "contains $f" || bad "missing $f"
done
# shipped 0755 as Debian wants; postinst's dpkg-statoverride makes it 0700 _uftp
grep -q ' ./etc/uftp/keys/$' "$work/contents" && ok "contains ./etc/uftp/keys/" ||
	bad "missing ./etc/uftp/keys/"
for fld in Conflicts Replaces Provides; do
	v=$(dpkg-deb -f "$deb" "$fld")
	[ "$v" = uftp ] && ok "$fld: uftp" || bad "$fld: '$v'"
done
dpkg-deb -x "$deb" "$work/root"
th=$(zcat "$work/root/usr/share/man/man1/uftpd.1.gz" | grep -m1 '^\.TH ')
echo "$th" | grep -q "\"$name $version\"" && ok "man uftpd footer: $name $version" ||
	bad "man uftpd footer: $th"
for p in uftpd uftpproxyd; do
	grep -q "^ExecStart=/usr/bin/$p -d " "$work/root/lib/systemd/system/$p.service" &&
		ok "$p.service runs /usr/bin/$p -d (foreground)" || bad "$p.service ExecStart"
done

# ---- hardening of the binaries (dpkg-buildflags kept) -------------------
for b in uftp uftpd uftpproxyd uftp_keymgt; do
	h=$(readelf -d -l -W "$work/root/usr/bin/$b")
	echo "$h" | grep -q 'GNU_RELRO' && echo "$h" | grep -q 'BIND_NOW' &&
		echo "$h" | grep -q 'PIE' && ok "$b: PIE, RELRO, BIND_NOW" || bad "$b: hardening"
	readelf -s -W "$work/root/usr/bin/$b" | grep -q '__[a-z_]*_chk' &&
		ok "$b: fortified calls" || bad "$b: no _FORTIFY_SOURCE calls"
done

# ---- lintian ----------------------------------------------------------
lintian --pedantic -I "$work/src/${name}_${version}_$(dpkg --print-architecture).changes" \
	>"$work/lintian.log" 2>&1 || true
grep -v '^running with root privileges' "$work/lintian.log" || true
if grep -q '^[EW]:' "$work/lintian.log"; then bad "lintian errors or warnings"; else
	ok "lintian: no errors or warnings ($(grep -c '^[IP]:' "$work/lintian.log") info/pedantic tags)"
fi

# ---- units ------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# verify needs the ExecStart programs at their paths: point the units at
	# the extracted binaries
	mkdir -p "$work/units"
	for p in uftpd uftpproxyd; do
		sed "s#/usr/bin/#$work/root/usr/bin/#" "$work/root/lib/systemd/system/$p.service" \
			>"$work/units/$p.service"
	done
	if systemd-analyze verify "$work/units/uftpd.service" "$work/units/uftpproxyd.service" \
		>"$work/verify.log" 2>&1 && ! grep -q . "$work/verify.log"; then
		ok "systemd-analyze verify: clean"
	else
		cat "$work/verify.log"
		bad "systemd-analyze verify"
	fi
	for p in uftpd uftpproxyd; do
		systemd-analyze security --offline=yes "$work/units/$p.service" 2>/dev/null |
			grep 'Overall exposure' || true
	done
else
	echo "skip: systemd-analyze not installed"
fi

# ---- install, replace uftp and purge in a throwaway overlay of / -------
# In new mount and PID namespaces: the overlay, its tmpfs and /proc vanish
# when the namespace ends, and maintainer scripts (uftp's prerm stops
# "uftpd" with start-stop-daemon) see and can signal only their own
# processes, never the machine's.
cat >"$work/inner.sh" <<'INNER'
set -eu
w=$1
mount --make-rprivate /
mount -t tmpfs tmpfs "$w/ovl"
mkdir -p "$w/ovl/up" "$w/ovl/wk" "$w/ovl/lower" "$w/ovl/merged"
mount --bind / "$w/ovl/lower"
m=$w/ovl/merged
mount -t overlay overlay -o "lowerdir=$w/ovl/lower,upperdir=$w/ovl/up,workdir=$w/ovl/wk" "$m"
mount -t proc proc "$m/proc"
mount --rbind /dev "$m/dev"
mount -t tmpfs tmpfs "$m/run"
mount -t tmpfs tmpfs "$m/tmp"
cp "$w/pkg.deb" "$m/tmp/pkg.deb"
exec chroot "$m" /bin/sh -ec '
	export DEBIAN_FRONTEND=noninteractive
	st() { dpkg-query -W -f="\${db:Status-Status}" "$1" 2>/dev/null || echo absent; }
	echo "in overlay: uftp was: $(st uftp)"
	# dpkg removes uftp itself: uftp-ng conflicts with and replaces it
	dpkg -i /tmp/pkg.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; exit 1; }
	grep -i "removing uftp\|in favour" /tmp/dpkg.log || true
	echo "in overlay: uftp now: $(st uftp), uftp-ng: $(st uftp-ng)"
	# the removed uftp keeps its init script until purged; its postrm makes
	# it non-executable, so it cannot start our uftpd as root at boot
	[ ! -x /etc/init.d/uftp ]
	getent passwd _uftp
	stat -c "in overlay: %a %U:%G %n" /etc/uftp/keys
	[ "$(stat -c %a:%U /etc/uftp/keys)" = 700:_uftp ]
	man -w uftpd
	MANWIDTH=80 man uftpd 2>/dev/null | tail -1
	MANWIDTH=80 man uftpd 2>/dev/null | tail -1 | grep -q "uftp-ng 0.1.0"
	[ ! -e /etc/systemd/system/multi-user.target.wants/uftpd.service ]
	[ ! -e /etc/systemd/system/multi-user.target.wants/uftpproxyd.service ]
	echo "in overlay: uftpd.service and uftpproxyd.service not enabled"
	if command -v logrotate >/dev/null; then
		logrotate -d /etc/logrotate.d/uftp-ng >/tmp/lr.log 2>&1 || { cat /tmp/lr.log; exit 1; }
		echo "in overlay: logrotate -d accepts the snippet"
	else
		echo "in overlay: logrotate not installed, snippet not parsed"
	fi
	dpkg --purge uftp-ng >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; exit 1; }
	[ ! -e /usr/bin/uftpd ] && [ ! -e /etc/default/uftpd ]
	! dpkg-statoverride --list /etc/uftp/keys >/dev/null
	echo "in overlay: purged, statoverride gone"
'
INNER
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$work/ovl"
	cp "$deb" "$work/pkg.deb"
	if unshare --mount --pid --fork sh "$work/inner.sh" "$work"; then
		ok "install (replacing uftp), _uftp user, keys 0700, man footer, units disabled, purge: in a throwaway overlay"
	else
		bad "install/purge in the overlay"
	fi
else
	echo "skip: install test (needs root and unshare)"
fi

echo "package-check: $fails failed; package in $work is removed on exit"
[ "$fails" = 0 ]
