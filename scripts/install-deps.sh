#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs every build and test dependency on Debian (run as root).
# The real UFTP 4.10.2 (package uftp) is our interop peer in the tests.
# With --package, also what scripts/package-check.sh needs to build and
# check the Debian package (not needed by the test suite); with --build,
# only what building needs (scripts/demo.sh).
set -eu
pkgs="autoconf automake pkg-config make gcc clang libclang-rt-14-dev
 libssl-dev zlib1g-dev libcunit1-dev uftp iproute2 nftables tcpdump tshark
 python3 clang-format clang-tidy cppcheck procps time"
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
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
