#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# capture-vectors.sh - capture real UFTP 4.10.2 sessions (real uftp -> real
# uftpd) in a network-namespace lab and write them as test vectors:
#   tests/vectors/<scenario>.pkts     one line per UDP datagram (see README)
#   tests/vectors/<scenario>.meta     key=value provenance and results
#   tests/vectors/<scenario>.summary  tshark's one-line decode of each datagram
#   tests/vectors/<scenario>.log      uftp and uftpd output of the run
#
# Usage (root):  scripts/capture-vectors.sh [scenario...]
#   scenarios: plain closed rsa_hmac rsa_gcm rsa_keyex ecdh_ecdsa client_auth
#              ipv6 loss tfmcc          (default: all)
# Environment: OUT=<dir> (default tests/vectors), KEEP=1 keeps the work dir.
#
# Keys: tests/vectors/keys/*.pem are made once with `uftp_keymgt -g` and
# reused, so re-running reproduces sessions with the same long-term keys.
# They are TEST-ONLY keys, published on purpose.
#
# Every wait is bounded; the lab (namespaces, processes) is torn down on exit.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=netns-lab.sh
. "$top/scripts/netns-lab.sh"

OUT=${OUT:-$top/tests/vectors}
KEYS=$OUT/keys
UFTP=${UFTP:-/usr/bin/uftp}
UFTPD=${UFTPD:-/usr/bin/uftpd}
KEYMGT=${KEYMGT:-/usr/bin/uftp_keymgt}
SRC_PORT=1045          # uftp -u: fixed source port, so vectors are stable
PORT=1044              # default UFTP port
PUB4=230.4.4.1
PRIV4=230.5.5.180
PUB6=ff15::4:4:1
PRIV6=ff15::5:5:b4
RATE=2000              # Kbps
EPOCH=1577836800       # 2020-01-01T00:00:00Z, mtime of every sent file

[ "$(id -u)" = 0 ] || { echo "capture-vectors: needs root" >&2; exit 2; }
for t in "$UFTP" "$UFTPD" "$KEYMGT" tcpdump tshark python3 nft sha256sum; do
	command -v "$t" >/dev/null || { echo "capture-vectors: missing $t" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/capture-vectors.XXXXXX)
cleanup() {
	lab_down_all 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

VERSION=$(dpkg-query -W -f '${Version}' uftp 2>/dev/null || echo unknown)
UVER=$("$UFTP" -? 2>&1 | sed -n 's/.*UFTP version \([0-9.]*\).*/\1/p' | head -1)
[ -n "$UVER" ] || UVER=4.10.2
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
KERNEL=$(uname -r)
OPENSSL=$(openssl version 2>/dev/null || echo unknown)
TSHARK=$(tshark -v 2>/dev/null | head -1)

# ---------------------------------------------------------------- keys
keymgt_fp() { "$KEYMGT" "$1" 2>&1 | sed -n 's/.*fingerprint: *\([0-9A-Fa-f:]*\).*/\1/p' | head -1; }
make_key() { # file spec
	[ -s "$KEYS/$1" ] && return 0
	mkdir -p "$KEYS"
	"$KEYMGT" -g "$2" "$KEYS/$1" >"$WORK/keymgt.txt" 2>&1 ||
		{ echo "uftp_keymgt -g $2 failed" >&2; cat "$WORK/keymgt.txt" >&2; exit 3; }
	echo "$KEYMGT -g $2 $1   # $(date -u +%Y-%m-%d)" >>"$KEYS/GENERATED"
}
make_keys() {
	make_key server_rsa1024.pem rsa:1024
	make_key server_ec256.pem ec:prime256v1
	make_key client1_rsa1024.pem rsa:1024
	make_key client2_rsa1024.pem rsa:1024
	make_key client1_ec256.pem ec:prime256v1
	make_key client2_ec256.pem ec:prime256v1
	local f
	: >"$KEYS/FINGERPRINTS"
	for f in server_rsa1024.pem server_ec256.pem client1_rsa1024.pem client2_rsa1024.pem \
		client1_ec256.pem client2_ec256.pem; do
		"$KEYMGT" "$KEYS/$f" 2>&1 | sed "s|$KEYS/||" >>"$KEYS/FINGERPRINTS"
	done
}

# ---------------------------------------------------------------- files
# make_files DIR [big]: the deterministic file set every scenario sends.
make_files() {
	local d=$1
	mkdir -p "$d/dir/empty"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(3000)))' >"$d/pattern.bin"
	printf 'Hello from the UFTP 4.10.2 vector capture.\n' >"$d/hello.txt"
	printf 'inner file\n' >"$d/dir/inner.txt"
	ln -s inner.txt "$d/dir/link"
	if [ "${2:-}" = big ]; then
		python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + i // 256) % 256 for i in range(40000)))' >"$d/big.bin"
	fi
	find "$d" -exec touch -h -d "@$EPOCH" {} +
}
FILES_DESC='pattern.bin: 3000 bytes, byte i = i % 251; hello.txt: "Hello from the UFTP 4.10.2 vector capture.\n" (43 bytes); dir/inner.txt: "inner file\n" (11 bytes); dir/link: symlink -> inner.txt; dir/empty: empty directory; mtime of all = 1577836800 (2020-01-01T00:00:00Z)'
BIG_DESC='big.bin: 40000 bytes, byte i = (i * 7 + i // 256) % 256'

# ---------------------------------------------------------------- scenarios
# Each scenario sets:
#   NCLI            number of clients (hosts h1..hNCLI; server is h0)
#   SOPTS=()        uftp options (besides -I/-M/-P/-u/-R/-p which are common)
#   COPTS=()        uftpd options common to every client
#   CKEY=|rsa1024|ec256  give client i the key file client<i>_$CKEY.pem (-k)
#   EXPECT=ok|abort the session must succeed, or must be aborted by the client(s)
#   BIG=0|1         also send big.bin
#   V6=0|1          IPv6 multicast
#   DROP=<pct>      random inbound UDP drop on every client
#   DESC            one line
scen_defaults() { NCLI=1; SOPTS=(); COPTS=(); CKEY=""; EXPECT=ok; BIG=0; V6=0; DROP=0; DESC=""; NOTE=""; }

scen_plain() { DESC="no encryption, open group, 1 client, 2 files + dir with file and symlink"; }
scen_closed() {
	NCLI=2
	SOPTS=(-H "$(lab_id 1),$(lab_id 2)")
	DESC="no encryption, closed group (-H client IDs), 2 clients"
}
scen_rsa_hmac() {
	SOPTS=(-Y aes128-cbc -h sha1 -w hmac -e rsa -k "$KEYS/server_rsa1024.pem")
	CKEY=rsa1024
	DESC="AES-128-CBC + HMAC-SHA1, RSA key exchange with the server's 1024-bit key"
}
scen_rsa_gcm() {
	SOPTS=(-Y aes256-gcm -h sha256 -e rsa -k "$KEYS/server_rsa1024.pem")
	CKEY=rsa1024
	DESC="AES-256-GCM, SHA-256 key derivation, RSA key exchange with the server's 1024-bit key"
}
scen_rsa_keyex() {
	SOPTS=(-Y 3des -h sha1 -w keyex -e rsa -k "$KEYS/server_rsa1024.pem")
	CKEY=rsa1024
	DESC="3DES-CBC, RSA signatures on each encrypted message (-w keyex), RSA key exchange"
}
scen_ecdh_ecdsa() {
	SOPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$KEYS/server_ec256.pem")
	CKEY=ec256
	DESC="AES-256-GCM, ECDH(prime256v1) key exchange signed with the server's ECDSA key; client has an EC key (ephemeral ECDH keys unknown: for decoding/signature checks only)"
}
scen_abort_keytype() {
	SOPTS=(-Y aes256-gcm -h sha256 -e ecdh_ecdsa -k "$KEYS/server_ec256.pem")
	CKEY=rsa1024
	EXPECT=abort
	DESC="expected failure: ecdh_ecdsa server, client holding only an RSA key answers every ANNOUNCE with ABORT (No client key compatible with server key); uftp gives up after the announce phase"
}
scen_client_auth() {
	NCLI=2
	local f=$WORK/hostlist.txt
	printf '%s|%s\n%s|%s\n' "$(lab_id 1)" "$(keymgt_fp "$KEYS/client1_rsa1024.pem")" \
		"$(lab_id 2)" "$(keymgt_fp "$KEYS/client2_rsa1024.pem")" >"$f"
	SOPTS=(-Y aes256-ccm -h sha512 -e ecdh_rsa -c -k "$KEYS/server_rsa1024.pem" -H "@$f")
	CKEY=rsa1024
	DESC="client authentication (-c, CLIENT_KEY with RSA keys checked against -H @file fingerprints), ECDH+RSA, AES-256-CCM, SHA-512, 2 clients"
}
scen_ipv6() {
	V6=1
	DESC="no encryption, IPv6 multicast $PUB6 / $PRIV6, 1 client"
}
scen_loss() {
	BIG=1
	DROP=10
	DESC="no encryption, 10% random inbound UDP drop at the client (nftables), big.bin added: NAKs in STATUS and retransmissions"
}
scen_tfmcc() {
	BIG=1
	SOPTS=(-C tfmcc)
	DESC="no encryption, TFMCC congestion control (-C tfmcc), big.bin added"
}
ALL="plain closed rsa_hmac rsa_gcm rsa_keyex ecdh_ecdsa client_auth ipv6 loss tfmcc abort_keytype"

# ---------------------------------------------------------------- helpers
wait_file_re() { # file regex timeout_s
	local k
	for ((k = 0; k < $3 * 10; k++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# v6_id ADDR: the ID UFTP 4.10.2 derives from an IPv6 address. Observed: the last
# 4 address bytes in REVERSED order (fd00:198:18::11 -> 0x11000000), unlike IPv4
# where the ID is the address in network order (198.18.0.11 -> 0xC612000B).
v6_id() { python3 -c 'import ipaddress,sys; print("0x%s" % ipaddress.IPv6Address(sys.argv[1]).packed[-4:][::-1].hex().upper())' "$1"; }

quote_cmd() { local a s=""; for a in "$@"; do s+=" $(printf '%q' "$a")"; done; echo "${s# }"; }

# pcap -> pkts lines: "pkt <i> <src>:<sport> <dst>:<dport> <hex>"
pcap_to_pkts() {
	tshark -r "$1" -Y 'udp && !icmp && !icmpv6' -T fields -E separator=/t -E occurrence=f \
		-e ip.src -e ipv6.src -e udp.srcport -e ip.dst -e ipv6.dst -e udp.dstport -e udp.payload 2>/dev/null |
		awk -F'\t' '{ s = ($1 != "") ? $1 : $2; d = ($4 != "") ? $4 : $5;
			printf "pkt %d %s:%s %s:%s %s\n", NR - 1, s, $3, d, $6, tolower($7) }'
}
pcap_to_summary() {
	tshark -r "$1" -Y 'udp && !icmp && !icmpv6' -T fields -E separator=/t \
		-e frame.time_relative -e _ws.col.Source -e _ws.col.Destination -e udp.length -e _ws.col.Info 2>/dev/null |
		awk -F'\t' '{ printf "%d\t%.6f\t%s -> %s\tlen=%d\t%s\n", NR - 1, $1, $2, $3, $4 - 8, $5 }'
}

# verify SRC DEST: every regular file and symlink under SRC is identical in DEST
verify_tree() {
	local src=$1 dst=$2 f bad=0
	while IFS= read -r f; do
		if [ -L "$src/$f" ]; then
			[ -L "$dst/$f" ] && [ "$(readlink "$src/$f")" = "$(readlink "$dst/$f")" ] || { echo "link $f differs"; bad=1; }
		elif [ -f "$src/$f" ]; then
			[ -f "$dst/$f" ] && cmp -s "$src/$f" "$dst/$f" || { echo "file $f differs or missing"; bad=1; }
		fi
	done < <(cd "$src" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | sort)
	while IFS= read -r f; do
		[ -d "$dst/$f" ] && [ ! -L "$dst/$f" ] || { echo "directory $f missing"; bad=1; }
	done < <(cd "$src" && find . -mindepth 1 -type d | sed 's|^\./||' | sort)
	return $bad
}

# ---------------------------------------------------------------- one scenario
run_scenario() {
	local sc=$1 try=$2 w i rc tp ok_all=1
	scen_defaults
	"scen_$sc"
	w=$WORK/$sc.$try
	rm -rf "$w"; mkdir -p "$w/src"
	make_files "$w/src" "$([ "$BIG" = 1 ] && echo big)"

	lab_up "$sc$try" $((NCLI + 1)) || return 1
	local pub=$PUB4 priv=$PRIV4 sif=eth0
	if [ "$V6" = 1 ]; then pub=$PUB6; priv=$PRIV6; sif=$(lab_ip6 0); fi

	# capture on the server's interface: every datagram the server sends or receives
	lab_bg h0 tp tcpdump -i eth0 -n -U -s 0 -w "$w/cap.pcap" udp 2>"$w/tcpdump.err"
	wait_file_re "$w/tcpdump.err" "listening on" 5 || { echo "tcpdump did not start" >&2; return 1; }

	local -a ccmd=() cpid=()
	for ((i = 1; i <= NCLI; i++)); do
		mkdir -p "$w/dest$i"
		local -a c=("$UFTPD" -d -q -p "$PORT" -D "$w/dest$i" -M "$pub")
		if [ "$V6" = 1 ]; then c+=(-I "$(lab_ip6 "$i")"); else c+=(-I eth0); fi
		[ -n "$CKEY" ] && c+=(-k "$KEYS/client${i}_$CKEY.pem")
		c+=("${COPTS[@]}")
		ccmd[i]=$(quote_cmd "${c[@]}")
		[ "$DROP" != 0 ] && lab_drop "h$i" "$DROP" in
		lab_bg "h$i" "cpid[$i]" "${c[@]}" >"$w/uftpd$i.log" 2>&1
	done
	for ((i = 1; i <= NCLI; i++)); do
		lab_wait_udp "h$i" "$PORT" 5 || { echo "uftpd $i did not bind" >&2; return 1; }
	done
	sleep 0.5

	local -a s=("$UFTP" -I "$sif" -M "$pub" -P "$priv" -p "$PORT" -u "$SRC_PORT" -R "$RATE" "${SOPTS[@]}")
	local files=(pattern.bin hello.txt dir)
	[ "$BIG" = 1 ] && files+=(big.bin)
	s+=("${files[@]}")
	local scmd
	scmd=$(quote_cmd "${s[@]}")
	(cd "$w/src" && lab_exec h0 timeout 120 "${s[@]}") >"$w/uftp.log" 2>&1
	rc=$?
	sleep 1     # late client messages (e.g. COMPLETE retransmissions)
	lab_stop "$tp" 3
	for ((i = 1; i <= NCLI; i++)); do lab_stop "${cpid[i]}" 3; done
	local -a dropped=()
	for ((i = 1; i <= NCLI; i++)); do dropped[i]=$(lab_drop_count "h$i"); done
	lab_down "$sc$try"

	# ---- results
	local -a res=()
	for ((i = 1; i <= NCLI; i++)); do
		if verify_tree "$w/src" "$w/dest$i" >"$w/verify$i.txt" 2>&1; then
			res[i]=ok
		else
			res[i]="FAILED: $(tr '\n' ';' <"$w/verify$i.txt")"
			ok_all=0
		fi
	done
	pcap_to_pkts "$w/cap.pcap" >"$w/pkts"
	pcap_to_summary "$w/cap.pcap" >"$w/summary"
	local npk
	npk=$(wc -l <"$w/pkts")

	# a scenario that must show something specific: check, so the caller can retry
	local want_ok=1
	case $sc in
	loss) grep -q 'STATUS' "$w/summary" || want_ok=0 ;;
	tfmcc) grep -Eq 'CONG_CTRL|CC_ACK' "$w/summary" || want_ok=0 ;;
	esac
	local success=no
	if [ "$EXPECT" = abort ]; then
		[ "$rc" != 0 ] && grep -q ABORT "$w/summary" && success=yes
	elif [ "$ok_all" = 1 ] && [ "$rc" = 0 ] && [ "$want_ok" = 1 ]; then
		success=yes
	fi

	# ---- write the vector files
	local base=$OUT/$sc
	{
		echo "# UFTP test vector: $sc - $DESC"
		echo "# captured $DATE with scripts/capture-vectors.sh (attempt $try)"
		echo "# real binaries: Debian package uftp $VERSION (UFTP $UVER), $OPENSSL, kernel $KERNEL"
		echo "# lab: server h0 = 198.18.0.10 / $(lab_ip6 0), client i = h<i> = 198.18.0.(10+i) / $(lab_ip6 1 | sed 's/11$/(10+i)/'), one bridge, capture on the server's eth0 (tcpdump -i eth0 udp)"
		echo "# server: (cd src && $scmd)"
		for ((i = 1; i <= NCLI; i++)); do
			echo "# client $i (h$i, ID $([ "$V6" = 1 ] && v6_id "$(lab_ip6 "$i")" || lab_id "$i")): ${ccmd[i]}"
		done
		echo "# keys: tests/vectors/keys/ (TEST ONLY; fingerprints in keys/FINGERPRINTS)"
		echo "# files: $FILES_DESC"
		[ "$BIG" = 1 ] && echo "# files: $BIG_DESC"
		[ "$DROP" != 0 ] && echo "# loss: nftables 'meta l4proto udp numgen random mod 1000000 < $((DROP * 10000)) drop' on input of every client; the capture is at the server, so it shows every datagram the server sent, including ones the client never got"
		echo "# result: expected $EXPECT, success=$success; uftp exit $rc; receivers: $(for ((i = 1; i <= NCLI; i++)); do printf '%s ' "client$i=${res[i]}"; done)"
		echo "# format: pkt <index from 0> <src ip>:<port> <dst ip>:<port> <UDP payload hex>  (IPv6: split address and port at the LAST colon)"
		cat "$w/pkts"
	} >"$base.pkts"
	{
		echo "scenario=$sc"
		echo "description=$DESC"
		echo "date=$DATE"
		echo "uftp_package=$VERSION"
		echo "uftp_version=$UVER"
		echo "openssl=$OPENSSL"
		echo "tshark=$TSHARK"
		echo "kernel=$KERNEL"
		echo "attempt=$try"
		echo "server_host=h0"
		echo "server_ip=$([ "$V6" = 1 ] && lab_ip6 0 || lab_ip4 0)"
		echo "server_id=$([ "$V6" = 1 ] && v6_id "$(lab_ip6 0)" || lab_id 0)"
		echo "server_cwd=src"
		echo "server_cmdline=$scmd"
		echo "server_exit=$rc"
		echo "public_addr=$pub"
		echo "private_addr=$priv"
		echo "port=$PORT"
		echo "server_src_port=$SRC_PORT"
		echo "rate_kbps=$RATE"
		echo "clients=$NCLI"
		for ((i = 1; i <= NCLI; i++)); do
			echo "client${i}_host=h$i"
			echo "client${i}_ip=$([ "$V6" = 1 ] && lab_ip6 "$i" || lab_ip4 "$i")"
			if [ "$V6" = 1 ]; then
				echo "client${i}_id=$(v6_id "$(lab_ip6 "$i")")"
			else
				echo "client${i}_id=$(lab_id "$i")"
			fi
			echo "client${i}_cmdline=${ccmd[i]}"
			[ -n "$CKEY" ] && echo "client${i}_key=keys/client${i}_$CKEY.pem" &&
				echo "client${i}_key_fingerprint=$(keymgt_fp "$KEYS/client${i}_$CKEY.pem")"
			echo "client${i}_result=${res[i]}"
			[ "$DROP" != 0 ] && echo "client${i}_dropped_udp=${dropped[i]}"
		done
		local k
		for k in server_rsa1024.pem server_ec256.pem; do
			if printf '%s\n' "${SOPTS[@]}" | grep -q "$k"; then
				echo "server_key=keys/$k"
				echo "server_key_fingerprint=$(keymgt_fp "$KEYS/$k")"
			fi
		done
		[ "$sc" = client_auth ] && echo "hostlist=$(tr '\n' ' ' <"$WORK/hostlist.txt")"
		[ "$DROP" != 0 ] && echo "drop_percent=$DROP"
		(cd "$w/src" && find . -mindepth 1 | sed 's|^\./||' | sort) | while IFS= read -r f; do
			if [ -L "$w/src/$f" ]; then
				echo "file=$f symlink->$(readlink "$w/src/$f")"
			elif [ -d "$w/src/$f" ]; then
				echo "file=$f directory"
			else
				echo "file=$f size=$(stat -c %s "$w/src/$f") sha256=$(sha256sum <"$w/src/$f" | cut -d' ' -f1)"
			fi
		done
		echo "file_mtime=$EPOCH"
		echo "packets=$npk"
		echo "expect=$EXPECT"
		echo "success=$success"
		[ "$want_ok" = 1 ] || echo "note=expected messages not seen in this capture"
		[ -n "$NOTE" ] && echo "note=$NOTE"
	} >"$base.meta"
	{
		echo "# output of the run that produced $sc.pkts (timestamps are wall clock)"
		echo "===== uftp (server, h0): $scmd"
		cat "$w/uftp.log"
		for ((i = 1; i <= NCLI; i++)); do
			echo "===== uftpd (client $i, h$i): ${ccmd[i]}"
			cat "$w/uftpd$i.log"
		done
	} | sed "s|$w/|<work>/|g; s|$KEYS/|keys/|g; s|$WORK/|<work>/|g" >"$base.log"
	sed -i "s|$w/|<work>/|g; s|$KEYS/|keys/|g; s|$WORK/|<work>/|g" "$base.pkts" "$base.meta"
	{
		echo "# tshark ($TSHARK) one-line decode of $sc.pkts: index, time (s), src -> dst, UDP payload length, info"
		cat "$w/summary"
	} >"$base.summary"

	printf '%-12s %s (uftp exit %s, %d packets%s)\n' "$sc" \
		"$([ "$success" = yes ] && echo "ok (expect $EXPECT)" || echo FAILED)" "$rc" "$npk" \
		"$([ "$want_ok" = 1 ] || echo ', expected messages missing')"
	[ "$success" = yes ]
}

# ---------------------------------------------------------------- main
mkdir -p "$OUT"
make_keys
scs=${*:-$ALL}
failed=0
for sc in $scs; do
	declare -F "scen_$sc" >/dev/null || { echo "unknown scenario $sc" >&2; failed=1; continue; }
	ok=0
	for try in 1 2 3; do
		if run_scenario "$sc" "$try"; then ok=1; break; fi
	done
	[ "$ok" = 1 ] || failed=1
done
exit $failed
