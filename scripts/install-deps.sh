#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs every build and test dependency on Debian (run as root).
# The real UFTP 4.10.2 (package uftp) is our interop peer in the tests.
# Prometheus scrapes the daemons' control port in tests/integration/
# prometheus.sh (which skips, saying so, where the package does not exist).
# With --package, also what scripts/package-check.sh needs to build and
# check the Debian package (not needed by the test suite); with --build,
# only what building needs (scripts/demo.sh).
#
# uftp and prometheus ship services (uftp.service runs the real uftpd,
# prometheus.service a Prometheus server on :9090); the tests run the
# programs themselves, so the install must not start those services nor
# leave them enabled: while apt runs, /usr/sbin/policy-rc.d answers 101
# (the machine's own one, if any, is put back afterwards), and each such
# package this script installed is then disabled and, if it runs, stopped.
set -eu
pkgs="autoconf automake pkg-config make gcc clang libclang-rt-14-dev
 libssl-dev zlib1g-dev libcunit1-dev uftp iproute2 nftables tcpdump tshark ethtool
 python3 clang-format clang-tidy cppcheck procps time prometheus"
# package:service for the packages above that ship a service
services="uftp:uftp prometheus:prometheus"
if [ "${1:-}" = --build ]; then
	# what building and the demo need: no reference UFTP, no test tools
	pkgs="autoconf automake pkg-config make gcc libssl-dev zlib1g-dev libcunit1-dev"
fi
if [ "${1:-}" = --package ]; then
	pkgs="$pkgs dpkg-dev debhelper fakeroot lintian man-db"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# optional: a Debian release without it still runs the suite (the scrape
# test skips visibly)
case " $missing " in *" prometheus "*)
	if ! apt-cache show prometheus >/dev/null 2>&1; then
		echo "install-deps: no prometheus package here: tests/integration/prometheus.sh will skip" >&2
		missing=$(echo "$missing" | sed 's/ prometheus\b//')
	fi
	;;
esac
[ -n "$missing" ] || exit 0
echo "install-deps: installing$missing"
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections

# no service starts while apt runs (invoke-rc.d and deb-systemd-invoke ask
# policy-rc.d); the machine's own policy-rc.d is restored on any exit
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then
	saved=$(mktemp /usr/sbin/.policy-rc.d.saved.XXXXXX)
	cp -p "$policy" "$saved"
fi
restore_policy() {
	if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
}
trap restore_policy EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts during the install\nexit 101\n' >"$policy"
chmod 755 "$policy"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
restore_policy
trap - EXIT

# quiet SERVICE: disabled at boot and not running (systemd or sysvinit)
quiet() {
	if [ -d /run/systemd/system ]; then
		systemctl disable --now "$1.service" >/dev/null 2>&1 || true
	else
		# no systemd running: systemctl edits the links offline
		systemctl disable "$1.service" >/dev/null 2>&1 || true
		if [ -x "/etc/init.d/$1" ] && "/etc/init.d/$1" status >/dev/null 2>&1; then
			"/etc/init.d/$1" stop >/dev/null 2>&1 || true
		fi
	fi
	if [ -x "/etc/init.d/$1" ] && command -v update-rc.d >/dev/null; then
		update-rc.d "$1" disable >/dev/null 2>&1 || true
	fi
	echo "install-deps: $1 service installed disabled and not running"
}
for ps in $services; do
	case " $missing " in *" ${ps%%:*} "*) quiet "${ps#*:}" ;; esac
done
