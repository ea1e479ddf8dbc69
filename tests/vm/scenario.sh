#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The foundation scenario, run as /test.sh inside the QEMU VM (busybox sh):
# /proc/tcptw is held against the kernel's own /proc/net/tcp{,6}, sockstat,
# netstat and sysctls, in the namespace that reads it and never another's.
#
#    init netns                             ns2 (unshare -n)           ns3 (unshare -n)
#   +----------------------------------+   +----------------------+   +----------------------+
#   | lo 127.0.0.1/8 ::1 fd00:1::/64   |   | lo, fd00:9::/64      |   | lo                   |
#   | global established hash          |   | own ehash, 1024 b.   |   | tcp_max_tw_buckets   |
#   | tcptw-traffic scenario           |   | tcptw-traffic        |   |   = 50               |
#   |   peers 127.0.1.x, 127.0.2.1,    |   |   scenario,          |   | tcptw-traffic tw     |
#   |   fd00:1::x, v4-mapped .1.20     |   |   peers 127.0.9.x    |   |   200 closes         |
#   +----------------------------------+   +----------------------+   +----------------------+
#
# Then: the peer cap, bucket overflow in ns3, 5,000 TIME-WAIT over 250 peers
# in ns4, and unloading under an open reader.
# Prints TAP-style "ok N - ..." / "not ok N - ..." lines; exits 1 if any failed.

set -u
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

MODULE=/tcptw.ko
PARAM=/sys/module/tcptw/parameters/max_peers
n=0
failed=0
pids=""

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# check DESCRIPTION COMMAND...: one test line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect DESCRIPTION ACTUAL WANTED
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}

cleanup() {
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# wait_ready FILE PID: until the generator says it holds its sockets.
wait_ready() {
	i=0
	while [ ! -e "$1" ]; do
		if ! kill -0 "$2" 2>/dev/null || [ $i -ge 600 ]; then
			return 1
		fi
		i=$((i + 1))
		sleep 0.1
	done
}

# new_netns: prints the pid of a process holding a fresh network namespace,
# once it holds it (the fork returns before unshare() has run).
new_netns() {
	unshare -n sleep 100000 >/dev/null 2>&1 &
	holder=$!
	i=0
	while [ "$(readlink /proc/$holder/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || break
		sleep 0.05
	done
	echo $holder
}

in_ns() {
	ns=$1
	shift
	nsenter --net=/proc/"$ns"/ns/net "$@"
}

cell() { tcptw-verify cell "$1" "$2"; }

# Everything but what changes from one open to the next (walk time, TTLs).
stable_view() {
	awk '/^walk_us /{next} /^peer /{t=1} t&&NF>2{NF-=2} {print}'
}

echo "# kernel $(uname -r)"

# --- loading -----------------------------------------------------------------
check "a bad module parameter is refused" \
	sh -c "! insmod $MODULE max_peers=0 2>/dev/null"
check "insmod tcptw.ko" insmod "$MODULE"
expect "/proc/tcptw is mode 0444 like /proc/net/tcp" \
	"$(stat -c %a /proc/tcptw)" 444
check "idle namespace: every cell equals /proc/net/tcp{,6}" tcptw-verify compare

# --- the scenario, plus a second namespace with sockets of its own -------------
# ns2 gets an established hash of its own (net.ipv4.tcp_child_ehash_entries):
# found only by walking the namespace's tcp_death_row.hashinfo.
echo 1024 >/proc/sys/net/ipv4/tcp_child_ehash_entries
NS2=$(new_netns)
pids="$pids $NS2"
echo 0 >/proc/sys/net/ipv4/tcp_child_ehash_entries
check "ns2 is a network namespace of its own" \
	test "$(readlink /proc/$NS2/ns/net)" != "$(readlink /proc/self/ns/net)"
in_ns "$NS2" ip link set lo up
in_ns "$NS2" tcptw-traffic scenario --base 127.0.9.0 --v6base fd00:9:: \
	--ready /tmp/ns2.ready >/tmp/ns2.log 2>&1 &
pids="$pids $!"
check "second namespace's traffic is ready" wait_ready /tmp/ns2.ready $!

tcptw-traffic scenario --ready /tmp/main.ready >/tmp/main.log 2>&1 &
pids="$pids $!"
if ! wait_ready /tmp/main.ready $!; then
	not_ok "scenario traffic is ready"
	cat /tmp/main.log
else
	ok "scenario traffic is ready"
fi
sed 's/^/# /' /tmp/main.log

check "scenario: every cell and summary key equals the kernel's own counters" \
	tcptw-verify compare
echo "# report:"
sed 's/^/#   /' /proc/tcptw

# What the generator built, read back from the report (states by peer).
expect "server-side TIME-WAIT counted inbound (127.0.1.8 tw_in)" \
	"$(cell 127.0.1.8 tw_in)" 8
expect "client-side TIME-WAIT counted outbound (127.0.2.1 tw_out)" \
	"$(cell 127.0.2.1 tw_out)" 5
expect "IPv6 TIME-WAIT (fd00:1::1 tw)" "$(cell fd00:1::1 tw)" 3
expect "v4-mapped TIME-WAIT counts under the IPv4 peer (127.0.1.20 tw)" \
	"$(cell 127.0.1.20 tw)" 4
expect "no ::ffff: row" "$(cell ::ffff:127.0.1.20 tw)" absent
expect "ESTABLISHED (127.0.1.21 estab)" "$(cell 127.0.1.21 estab)" 6
expect "CLOSE_WAIT (127.0.1.22 close_wait)" "$(cell 127.0.1.22 close_wait)" 3
expect "request sockets are SYN_RECV (127.0.1.26 syn_recv)" \
	"$(cell 127.0.1.26 syn_recv)" 4
expect "LAST_ACK (127.0.1.29 last_ack)" "$(cell 127.0.1.29 last_ack)" 2
expect "SYN_SENT towards 127.0.0.1" "$(cell 127.0.0.1 syn_sent)" 3
expect "CLOSING towards 127.0.0.1" "$(cell 127.0.0.1 closing)" 2
expect "FIN_WAIT1 towards 127.0.0.1" "$(cell 127.0.0.1 fin_wait1)" 2
expect "FIN_WAIT2, full sockets and minisockets alike, towards 127.0.0.1" \
	"$(cell 127.0.0.1 fin_wait2)" 7

# The tool reads the live report (its own tests use saved ones).
check "tcptw reads the live report" sh -c "tcptw >/dev/null"
check "tcptw -o json and -o prom read it too" \
	sh -c "tcptw -o json >/dev/null && tcptw -o prom >/dev/null"
tcptw check --warn 'peer.tw>5' --crit 'peer.tw>100' >/tmp/check.out
expect "tcptw check: 8 TIME-WAIT from one peer is WARNING (exit 1)" $? 1
sed 's/^/# /' /tmp/check.out

# --- namespaces ------------------------------------------------------------------
check "the second namespace's peers never appear here" \
	sh -c "! tcptw-verify peers | grep -q -e '^127\.0\.9\.' -e '^fd00:9:'"
check "the second namespace sees its own report, equal to its /proc/net/tcp{,6}" \
	in_ns "$NS2" tcptw-verify compare
expect "the second namespace walks its own 1024-bucket hash" \
	"$(in_ns "$NS2" tcptw-verify key ehash_buckets)" 1024
check "the second namespace sees its own peers" \
	sh -c "nsenter --net=/proc/$NS2/ns/net tcptw-verify peers | grep -q '^127\.0\.9\.8$'"
check "the second namespace does not see ours" \
	sh -c "! nsenter --net=/proc/$NS2/ns/net tcptw-verify peers | grep -q '^127\.0\.1\.'"

# --- reads -----------------------------------------------------------------------
check "1-byte reads of one open equal its re-read after lseek" tcptw-verify snapshot 1
check "64-byte reads of one open equal its re-read after lseek" tcptw-verify snapshot 64
dd if=/proc/tcptw bs=64 2>/dev/null | stable_view >/tmp/dd.txt
stable_view </proc/tcptw >/tmp/cat.txt
check "dd bs=64 and cat give the same report (walk_us and TTLs aside)" \
	cmp /tmp/dd.txt /tmp/cat.txt

# An open file keeps its snapshot while the table changes under it.
exec 3</proc/tcptw
dd bs=64 count=1 <&3 >/tmp/part1 2>/dev/null
tcptw-traffic tw 30 --src 127.0.6.1 --port 9200 >/dev/null
cat <&3 >/tmp/part2
exec 3<&-
check "a report opened before new TIME-WAIT does not show them" \
	sh -c "! cat /tmp/part1 /tmp/part2 | grep -q '^127\.0\.6\.1 '"
expect "a report opened after does" "$(cell 127.0.6.1 tw)" 30
check "the held-open report is well formed" \
	sh -c "cat /tmp/part1 /tmp/part2 >/tmp/held && tcptw-verify -f /tmp/held key tw_count >/dev/null"

# --- the peer cap ------------------------------------------------------------------
expect "max_peers defaults to 65536" "$(cat $PARAM)" 65536
for bad in 0 -1 abc 1048577 99999999999999999999 "" " " "12abc"; do
	if echo "$bad" 2>/dev/null >"$PARAM"; then
		not_ok "max_peers='$bad' is refused"
	else
		ok "max_peers='$bad' is refused"
	fi
done
expect "max_peers unchanged after refused writes" "$(cat $PARAM)" 65536
echo 3 >"$PARAM"
check "capped at 3 peers: listed rows exact, the rest summed in 'other'" \
	tcptw-verify compare
expect "capped report lists 3 peers" "$(tcptw-verify key peers)" 3
check "capped report has an 'other' row" sh -c "grep -q '^other ' /proc/tcptw"
echo 65536 >"$PARAM"

# --- TIME-WAIT bucket overflow ----------------------------------------------------
NS3=$(new_netns)
pids="$pids $NS3"
check "ns3 is a network namespace of its own" \
	test "$(readlink /proc/$NS3/ns/net)" != "$(readlink /proc/self/ns/net)"
in_ns "$NS3" ip link set lo up
in_ns "$NS3" sh -c 'echo 50 > /proc/sys/net/ipv4/tcp_max_tw_buckets'
o1=$(in_ns "$NS3" tcptw-verify key tw_overflow)
k1=$(in_ns "$NS3" tcptw-verify netstat TcpExt TCPTimeWaitOverflow)
in_ns "$NS3" tcptw-traffic tw 200 --port 9300 >/dev/null
o2=$(in_ns "$NS3" tcptw-verify key tw_overflow)
k2=$(in_ns "$NS3" tcptw-verify netstat TcpExt TCPTimeWaitOverflow)
expect "tw_overflow rises as TCPTimeWaitOverflow does ($k1 -> $k2)" \
	$((o2 - o1)) $((k2 - k1))
expect "200 closes over a limit of 50 overflow 150 times" $((k2 - k1)) 150
expect "tw_buckets at the limit" "$(in_ns "$NS3" tcptw-verify key tw_buckets)" 50
expect "tw_pressure_pct at the limit" \
	"$(in_ns "$NS3" tcptw-verify key tw_pressure_pct)" 100
check "overflowed namespace: every cell equals the kernel's counters" \
	in_ns "$NS3" tcptw-verify compare

# --- scale: 5,000 TIME-WAIT over 250 peers, in a namespace of its own --------------
# Past the peer table's first allocation: it grows and rehashes several times.
NS4=$(new_netns)
pids="$pids $NS4"
in_ns "$NS4" ip link set lo up
in_ns "$NS4" sh -c 'echo 100000 > /proc/sys/net/ipv4/tcp_max_tw_buckets'
check "scale: 250 peers close 20 connections each" \
	in_ns "$NS4" tcptw-traffic tw 20 --src 127.1.0.1 --peers 250 --port 9400
check "scale: 5000 TIME-WAIT over 250 peers, every cell equals /proc/net/tcp{,6}" \
	in_ns "$NS4" tcptw-verify compare
expect "scale: tw_count" "$(in_ns "$NS4" tcptw-verify key tw_count)" 5000
expect "scale: peers" "$(in_ns "$NS4" tcptw-verify key peers)" 250

# --- unloading ---------------------------------------------------------------------
check "final comparison after everything" tcptw-verify compare
exec 3</proc/tcptw
check "rmmod while a reader holds /proc/tcptw open" rmmod tcptw
check "/proc/tcptw is gone" test ! -e /proc/tcptw
check "the held file then reads as an error, not a crash" \
	sh -c "! cat <&3 >/dev/null 2>&1"
exec 3<&-
check "insmod again" insmod "$MODULE"
check "report right after reload equals /proc/net/tcp{,6}" tcptw-verify compare
check "rmmod" rmmod tcptw

echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
