#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fails if the pure protocol core references I/O, clock, randomness or
# OpenSSL symbols (STYLE.md rule 1).  Usage: check-pure.sh libuftpcore.a
set -eu
lib=${1:?usage: check-pure.sh libuftpcore.a}
banned='^(socket|bind|connect|send|sendto|sendmsg|sendmmsg|recv|recvfrom|recvmsg|recvmmsg|open|openat|fopen|read|write|close|time|gettimeofday|clock_gettime|sleep|usleep|nanosleep|rand|random|srand|srandom|getrandom|poll|select|epoll_wait|(EVP|RSA|EC|BN|OPENSSL|ERR|RAND)_[A-Za-z0-9_]*)$'
bad=$(nm -u "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u | grep -E "$banned" || true)
if [ -n "$bad" ]; then
	echo "check-pure: $lib uses forbidden symbols:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "check-pure: $lib is pure ($(nm -u "$lib" | wc -l) undefined symbols, none forbidden)"
