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
# in ns4; PAWS rejects on every path in ns5, held against the kernel's own
# TcpExt counters (PAWSTimewait and PAWSOldAck where it has them), with the
# segments that must never make a NAT suspect and the crossed SYNs no MIB
# counts; the PAWS 'other' row in ns7; rejects written through a tun device
# in ns8 (needs tun.ko: tests/qemu/vm.sh --mod tun); unloading under an open
# reader.
# Prints TAP-style "ok N - ..." / "not ok N - ..." lines; exits 1 if any failed.

set -u
. /tap.sh
PARAM=$PARAMS/max_peers

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

cell() { tcptw-verify cell "$1" "$2"; }

# netstat_field FILE GROUP FIELD: one counter of a saved /proc/net/netstat.
netstat_field() {
	awk -v g="$2:" -v f="$3" '$1 == g && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == g && h { print $(c[f]); exit }' "$1"
}

# Everything but what changes from one open to the next: walk time, the age
# of the PAWS counters and rows, TIME-WAIT TTLs. Columns by their header name:
# tables only grow at the end (format 1.2 put old_ack after age_s).
stable_view() {
	awk '/^(walk_us|paws_since_s) /{next}
	     /^peer /{t=1; for (i = 1; i <= NF; i++) c[$i] = i}
	     /^tuple /{t=0}
	     /^paws_peer /{t=2; for (i = 1; i <= NF; i++) c[$i] = i}
	     t==1&&NF>2&&$1!="peer"{$(c["tw_ttl_min_ms"])=""; $(c["tw_ttl_max_ms"])=""}
	     t==2&&NF>2&&$1!="paws_peer"{$(c["age_s"])=""} {print}'
}

echo "# kernel $(uname -r)"

# --- loading -----------------------------------------------------------------
check "a bad module parameter is refused" \
	sh -c "! insmod $MODULE max_peers=0 2>/dev/null"
check "insmod tcptw.ko" insmod "$MODULE"
expect "/proc/tcptw is mode 0644: readable by all, the reset command for root" \
	"$(stat -c %a /proc/tcptw)" 644
check "idle namespace: every cell equals /proc/net/tcp{,6}" tcptw-verify compare

# --- the scenario, plus a second namespace with sockets of its own -------------
# ns2 gets an established hash of its own (net.ipv4.tcp_child_ehash_entries,
# from 6.1): found only by walking the namespace's tcp_death_row.hashinfo.
# Before (5.10) every namespace shares the one hash: ns2's is the initial
# namespace's.
CHILD_EHASH=/proc/sys/net/ipv4/tcp_child_ehash_entries
if [ -e $CHILD_EHASH ]; then
	NS2_BUCKETS=1024
	echo $NS2_BUCKETS >$CHILD_EHASH
else
	NS2_BUCKETS=$(tcptw-verify key ehash_buckets)
	echo "# no $CHILD_EHASH: namespaces share the established hash ($NS2_BUCKETS buckets)"
fi
NS2=$(new_netns)
pids="$pids $NS2"
[ ! -e $CHILD_EHASH ] || echo 0 >$CHILD_EHASH
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
expect "the second namespace walks its hash ($NS2_BUCKETS buckets)" \
	"$(in_ns "$NS2" tcptw-verify key ehash_buckets)" "$NS2_BUCKETS"
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

# --- scale: 250 peers, 20 TIME-WAIT each, in a namespace of its own ----------------
# Past the peer table's first allocation: it grows and rehashes several times.
# The exact counts hold only while none of it has expired: TIME-WAIT lives
# 60 s, and the debug kernel (KASAN under TCG) makes ~80 connections/s, so it
# asks for fewer per peer (TCPTW_SCALE_PER_PEER, from tests/vm/debug.sh).
per_peer=${TCPTW_SCALE_PER_PEER:-20}
scale_tw=$((250 * per_peer))
NS4=$(new_netns)
pids="$pids $NS4"
in_ns "$NS4" ip link set lo up
in_ns "$NS4" sh -c 'echo 100000 > /proc/sys/net/ipv4/tcp_max_tw_buckets'
t0=$(date +%s)
check "scale: 250 peers close $per_peer connections each" \
	in_ns "$NS4" tcptw-traffic tw "$per_peer" --src 127.1.0.1 --peers 250 --port 9400
tw_count=$(in_ns "$NS4" tcptw-verify key tw_count)
peers=$(in_ns "$NS4" tcptw-verify key peers)
elapsed=$(($(date +%s) - t0))
echo "# scale: $scale_tw TIME-WAIT made and read in ${elapsed} s"
# Past 50 s the first ones may have expired: say so rather than a wrong count.
check "scale: made and read within 50 s (took ${elapsed} s)" test "$elapsed" -lt 50
expect "scale: tw_count" "$tw_count" "$scale_tw"
expect "scale: peers" "$peers" 250
check "scale: $scale_tw TIME-WAIT over 250 peers, every cell equals /proc/net/tcp{,6}" \
	in_ns "$NS4" tcptw-verify compare

# --- PAWS per peer, on every path (issue 5) ---------------------------------------
# A namespace of its own, so its counters start at zero and nothing else
# there rejects anything. tcptw-traffic injects segments whose timestamps
# are behind what the socket holds; the kernel's own TcpExt counters are the
# judge of how many were refused, the report must attribute each.
NS5=$(new_netns)
pids="$pids $NS5"
in_ns "$NS5" ip link set lo up
ns5() { in_ns "$NS5" "$@"; }
expect "a new namespace starts with an empty PAWS table" \
	"$(ns5 tcptw-verify key paws_rows)" 0

# Which TcpExt counter a path lands in is the kernel's choice, read from its
# own netstat: TIME-WAIT apart in PAWSTimewait (6.16 and later), old
# duplicate ACKs in PAWSOldAck (6.17 and later). The report's copies are "-"
# where the kernel has no such counter, never 0.
netstat_has() {
	awk -v g="$2:" -v f="$3" '$1 == g { for (i = 2; i <= NF; i++) if ($i == f) x = 1; exit }
		END { exit !x }' "$1"
}
ns5 cat /proc/net/netstat >/tmp/n0
TW_MIB=PAWSEstab
netstat_has /tmp/n0 TcpExt PAWSTimewait && TW_MIB=PAWSTimewait
OLD_ACK_MIB=
netstat_has /tmp/n0 TcpExt PAWSOldAck && OLD_ACK_MIB=PAWSOldAck
echo "# TIME-WAIT rejects count in $TW_MIB; old duplicate ACKs ${OLD_ACK_MIB:+in }${OLD_ACK_MIB:-as PAWSEstab rejects}"
for k in paws_timewait:PAWSTimewait paws_old_ack:PAWSOldAck paws_rej_old_ack:PAWSOldAck; do
	expect "new namespace: ${k%%:*} is TcpExt ${k#*:} ('-' where the kernel has none)" \
		"$(ns5 tcptw-verify key "${k%%:*}")" \
		"$(ns5 tcptw-verify netstat-or-dash TcpExt "${k#*:}")"
done
expect "new namespace: paws_dropped 0" "$(ns5 tcptw-verify key paws_dropped)" 0

# mib_delta FIELD: TcpExt FIELD of /tmp/na less /tmp/nb.
mib_delta() {
	echo $(($(netstat_field /tmp/na TcpExt "$1") - $(netstat_field /tmp/nb TcpExt "$1")))
}
# key_delta KEY: summary KEY of /tmp/pa less /tmp/pb.
key_delta() {
	echo $(($(tcptw-verify -f /tmp/pa key "$1") - $(tcptw-verify -f /tmp/pb key "$1")))
}
# or0 VALUE: a cell with "absent" (no row) read as 0.
or0() { if [ "$1" = absent ]; then echo 0; else echo "$1"; fi; }
# rej_sum FILE: the paws_rej_* rejects of a saved report, added up.
rej_sum() { awk '/^paws_rej_(estab|syn_sent|syn_recv|tw) / { s += $2 } END { print s + 0 }' "$1"; }

# paws_case PATH ADDR PORT: one generator run in ns5, held against the
# kernel's counters. PATH estab, syn_recv, syn_sent, tw: one PAWS path each.
# The rest must never make a NAT suspect (format 1.2: only SYNs refused in
# TIME-WAIT from 2 ports or more do): tw_ack and tw_synack (an ACK, a
# SYN-ACK into each of 3 TIME-WAIT, 3 ports), syn_recv_syn and estab_syn (a
# SYN into each of 3 request or established sockets, 3 ports). old_ack: old
# duplicate ACKs, PAWSOldAck's where the kernel has it (not rejects there).
# syn_sent_syn: SYNs without ACK refused by PAWS in SYN_SENT, in no MIB.
paws_case() {
	path=$1 addr=$2 port=$3
	case $addr in *:*) ns5 ip addr add "$addr/128" dev lo 2>/dev/null ;; esac
	ns5 cat /proc/tcptw >/tmp/pb
	ns5 cat /proc/net/netstat >/tmp/nb
	out=$(ns5 tcptw-traffic paws "$path" --addr "$addr" --port "$port" --count 3 2>/tmp/paws.err)
	st=$?
	ns5 cat /proc/tcptw >/tmp/pa
	ns5 cat /proc/net/netstat >/tmp/na
	echo "# $out"
	sed 's/^/# /' /tmp/paws.err
	check "paws $addr $path: tcptw-traffic ran (status $st)" test "$st" -eq 0
	set -- $out
	# paws PATH injected N peer ADDR lport PORT sports P1,P2...
	peer=${6:-?}
	lport=${8:-?}
	want=3 nat=0 col=estab field=PAWSEstab
	case $path in
	syn_sent) field=PAWSActive col=syn_sent ;;
	tw) field=$TW_MIB col=tw nat=1 ;;
	tw_ack | tw_synack) field=$TW_MIB col=tw ;;
	syn_recv | syn_recv_syn) col=syn_recv ;;
	old_ack) [ -z "$OLD_ACK_MIB" ] || field=$OLD_ACK_MIB col=old_ack ;;
	syn_sent_syn) field= col= want=0 ;;
	esac
	if [ "$path" = estab_syn ] && [ "$(mib_delta PAWSEstab)" = 0 ]; then
		# 6.12 and 7.x answer a SYN in ESTABLISHED with a challenge ACK
		# before PAWS: nothing refused by PAWS, nothing to attribute.
		expect "paws $addr $path: no PAWS reject, 3 challenge ACKs instead (TCPSYNChallenge)" \
			"$(mib_delta TCPSYNChallenge)" 3
		want=0
	elif [ -n "$field" ]; then
		expect "paws $addr $path: the kernel refused the 3 segments ($field)" \
			"$(mib_delta "$field")" 3
	fi
	check "paws $addr $path: per-path deltas equal the kernel's PAWS counters'" \
		ns5 tcptw-verify paws-delta /tmp/pb /tmp/pa /tmp/nb /tmp/na
	if [ "$want" -gt 0 ]; then
		expect "paws $addr $path: attributed to $peer port $lport ($col)" \
			"$(tcptw-verify -f /tmp/pa paws-cell "$peer" "$lport" "$col")" "$want"
		rejects=$want
		[ "$col" != old_ack ] || rejects=0
		expect "paws $addr $path: the row's rejects" \
			"$(tcptw-verify -f /tmp/pa paws-cell "$peer" "$lport" rejects)" "$rejects"
		expect "paws $addr $path: the peer's paws column" \
			"$(or0 "$(tcptw-verify -f /tmp/pa cell "$peer" paws)")" "$rejects"
		expect "paws $addr $path: the PAWS row's nat" \
			"$(tcptw-verify -f /tmp/pa paws-cell "$peer" "$lport" nat)" "$nat"
	else
		expect "paws $addr $path: no PAWS row for $peer" \
			"$(tcptw-verify -f /tmp/pa paws-cell "$peer" "$lport" rejects)" absent
	fi
	expect "paws $addr $path: the peer's nat column" \
		"$(or0 "$(tcptw-verify -f /tmp/pa cell "$peer" nat)")" "$nat"
	expect "paws $addr $path: nat_suspects rose by $nat" "$(key_delta nat_suspects)" "$nat"
	check "paws $addr $path: the report is consistent with /proc/net/tcp{,6}" \
		ns5 tcptw-verify compare
}

port=9500
for spec in estab:127.0.7.1 syn_recv:127.0.7.2 syn_sent:127.0.7.3 tw:127.0.7.4 \
	    estab:fd00:7::1 tw:fd00:7::4 tw_ack:127.0.7.5 tw_synack:127.0.7.6 \
	    tw_ack:fd00:7::5 syn_recv_syn:127.0.7.7 estab_syn:127.0.7.8 \
	    old_ack:127.0.7.9 syn_sent_syn:127.0.7.10; do
	port=$((port + 1))
	paws_case "${spec%%:*}" "${spec#*:}" $port
	case $spec in
	old_ack:*)
		# An old duplicate ACK: PAWSOldAck, paws_rej_old_ack and the
		# row's old_ack move together, rejects and paws do not; "-"
		# everywhere on kernels without the counter.
		if [ -n "$OLD_ACK_MIB" ]; then
			expect "old_ack: paws_rej_old_ack rose as PAWSOldAck did" \
				"$(key_delta paws_rej_old_ack)" "$(mib_delta PAWSOldAck)"
			expect "old_ack: paws_old_ack rose as PAWSOldAck did" \
				"$(key_delta paws_old_ack)" "$(mib_delta PAWSOldAck)"
			expect "old_ack: PAWSEstab and the paws_rej_* counters did not move" \
				"$(mib_delta PAWSEstab) $(($(rej_sum /tmp/pa) - $(rej_sum /tmp/pb)))" "0 0"
		else
			expect "old_ack: no old-ACK path on this kernel: paws_rej_old_ack, paws_old_ack, the column are '-'" \
				"$(tcptw-verify -f /tmp/pa key paws_rej_old_ack) $(tcptw-verify -f /tmp/pa key paws_old_ack) $(tcptw-verify -f /tmp/pa paws-cell "$peer" "$lport" old_ack)" "- - -"
		fi ;;
	syn_sent_syn:*)
		mibs="PAWSActive PAWSEstab"
		[ "$TW_MIB" = PAWSEstab ] || mibs="$mibs $TW_MIB"
		[ -z "$OLD_ACK_MIB" ] || mibs="$mibs $OLD_ACK_MIB"
		got="" zeros=""
		for f in $mibs; do got="$got $(mib_delta $f)" zeros="$zeros 0"; done
		expect "syn_sent_syn: no PAWS counter of the kernel moved ($mibs)" "$got" "$zeros"
		expect "syn_sent_syn: tcptw's paws_rej_* did not move" \
			"$(rej_sum /tmp/pa)" "$(rej_sum /tmp/pb)"
		expect "syn_sent_syn: the connect() took the TIME-WAIT over (TWRecycled)" \
			"$(mib_delta TWRecycled)" 1 ;;
	esac
done
echo "# ns5's report after the generators:"
sed -n '/^peer /,$p' /tmp/pa | sed 's/^/#   /'
# estab came from one source port: no NAT. tw refused one SYN per
# connection, each from its own port, timestamps behind the previous
# connection's: what several hosts behind one address look like.
expect "SYNs refused in TIME-WAIT from several ports: flagged as NAT" \
	"$(tcptw-verify -f /tmp/pa cell 127.0.7.4 nat)" 1
expect "the TIME-WAIT row counts its refused SYNs" \
	"$(tcptw-verify -f /tmp/pa paws-cell 127.0.7.4 9504 tw_syn)" 3
expect "ACKs refused in TIME-WAIT from 3 ports: sports 3, tw_syn 0, nat 0" \
	"$(tcptw-verify -f /tmp/pa paws-cell 127.0.7.5 9507 sports) $(tcptw-verify -f /tmp/pa paws-cell 127.0.7.5 9507 tw_syn) $(tcptw-verify -f /tmp/pa paws-cell 127.0.7.5 9507 nat)" "3 0 0"
expect "SYN-ACKs refused in TIME-WAIT from 3 ports: tw_syn 0, nat 0" \
	"$(tcptw-verify -f /tmp/pa paws-cell 127.0.7.6 9508 tw_syn) $(tcptw-verify -f /tmp/pa paws-cell 127.0.7.6 9508 nat)" "0 0"
expect "SYNs refused by request sockets from 3 ports: sports 3, nat 0" \
	"$(tcptw-verify -f /tmp/pa paws-cell 127.0.7.7 9510 sports) $(tcptw-verify -f /tmp/pa paws-cell 127.0.7.7 9510 nat)" "3 0"
check "nothing of ns5's PAWS rows shows in the initial namespace" \
	sh -c "! grep -q '^127\.0\.7\.' /proc/tcptw"
mount -t debugfs none /sys/kernel/debug 2>/dev/null
check "debugfs paws_log lists ns5's rejects with their paths" \
	sh -c "nsenter --net=/proc/$NS5/ns/net cat /sys/kernel/debug/tcptw/paws_log | grep -q ' 127\.0\.7\.4 .* tw '"
echo "# paws_log of ns5:"
ns5 cat /sys/kernel/debug/tcptw/paws_log | sed 's/^/#   /'

# The reset command: exact text, root of the namespace only, nothing else.
rows=$(ns5 tcptw-verify key paws_rows)
for bad in "reset" "reset paws now" "RESET PAWS" "reset  paws" " " "reset paws
x"; do
	if printf '%s' "$bad" | ns5 sh -c 'cat >/proc/tcptw' 2>/dev/null; then
		not_ok "write '$bad' is refused"
	else
		ok "write '$bad' is refused"
	fi
done
head -c 5000 /dev/zero | tr '\0' a | ns5 sh -c 'cat >/proc/tcptw' 2>/dev/null &&
	not_ok "a 5000-byte write is refused" || ok "a 5000-byte write is refused"
expect "refused writes change nothing" "$(ns5 tcptw-verify key paws_rows)" "$rows"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
echo 'nogroup:x:65534:' >>/etc/group
check "an unprivileged user cannot open /proc/tcptw for writing" \
	sh -c "! su -s /bin/sh nobody -c 'echo reset paws >/proc/tcptw' 2>/dev/null"
# unshare -U -r: uid 0 still, so the file opens, but no capability over the
# initial namespace: EPERM, nothing reset.
before=$(tcptw-verify key paws_rows)
check "root of a child user namespace cannot reset the initial namespace" \
	sh -c "! unshare -U -r sh -c 'echo reset paws >/proc/tcptw' 2>/dev/null"
expect "... and nothing was reset" "$(tcptw-verify key paws_rows)" "$before"
check "reset paws by root of ns5" ns5 sh -c 'echo reset paws >/proc/tcptw'
expect "after reset: no PAWS rows" "$(ns5 tcptw-verify key paws_rows)" 0
expect "after reset: no tw rejects" "$(ns5 tcptw-verify key paws_rej_tw)" 0
expect "after reset: the paws column is 0" \
	"$(ns5 tcptw-verify cell 127.0.7.4 paws)" absent
check "after reset: debugfs paws_log is empty (header only)" \
	sh -c "[ \$(nsenter --net=/proc/$NS5/ns/net cat /sys/kernel/debug/tcptw/paws_log | wc -l) -eq 1 ]"

# --- the PAWS 'other' row is never a NAT suspect (format 1.2) ------------------------
# With paws_max 1, one (peer, port) keeps its row and every further one's
# rejects go to 'other': SYNs refused in TIME-WAIT from 3 ports of 2 peers
# there are many peers' rejects, not a NAT, and make no peer a suspect.
NS7=$(new_netns)
pids="$pids $NS7"
ns7() { in_ns "$NS7" "$@"; }
ns7 ip link set lo up
paws_max_was=$(cat $PARAMS/paws_max)
ns7 cat /proc/tcptw >/tmp/ob
ns7 cat /proc/net/netstat >/tmp/onb
st=0
ns7 tcptw-traffic paws estab --addr 127.0.8.1 --port 9601 --count 2 >/dev/null || st=1
echo 1 >$PARAMS/paws_max || st=2
for k in 2 3; do
	ns7 tcptw-traffic paws tw --addr 127.0.8.$k --port 960$k --count 3 >/dev/null || st=3
done
# Old ACKs in 'other' too: no rejects where the kernel has PAWSOldAck.
ns7 tcptw-traffic paws old_ack --addr 127.0.8.4 --port 9604 --count 2 >/dev/null || st=4
echo "$paws_max_was" >$PARAMS/paws_max
ns7 cat /proc/tcptw >/tmp/oa
ns7 cat /proc/net/netstat >/tmp/ona
check "other: paws_max 1, then 2 peers' SYNs into TIME-WAIT, 3 ports each (status $st)" \
	test $st -eq 0
expect "other: paws_max restored" "$(cat $PARAMS/paws_max)" "$paws_max_was"
echo "# ns7's report:"
sed -n '/^paws_peer /,$p' /tmp/oa | sed 's/^/#   /'
expect "other: one PAWS row, the first (peer, port)'s" \
	"$(tcptw-verify -f /tmp/oa key paws_rows) $(tcptw-verify -f /tmp/oa paws-cell 127.0.8.1 9601 rejects)" "1 2"
# Each generator's client ports count from 10000: 3 distinct ports in all.
expect "other: the 'other' row holds the 6 SYNs refused in TIME-WAIT (tw_syn), from 3 ports" \
	"$(tcptw-verify -f /tmp/oa paws-cell other - tw_syn) $(tcptw-verify -f /tmp/oa paws-cell other - sports)" "6 3"
expect "other: the 'other' row's nat is 0" \
	"$(tcptw-verify -f /tmp/oa paws-cell other - nat)" 0
expect "other: no peer is a NAT suspect (nat_suspects, the peer 'other' row, 127.0.8.2, 127.0.8.3)" \
	"$(tcptw-verify -f /tmp/oa key nat_suspects) $(or0 "$(tcptw-verify -f /tmp/oa cell other nat)") $(or0 "$(tcptw-verify -f /tmp/oa cell 127.0.8.2 nat)") $(or0 "$(tcptw-verify -f /tmp/oa cell 127.0.8.3 nat)")" \
	"0 0 0 0"
other_rejects=6
[ -n "$OLD_ACK_MIB" ] || other_rejects=8
expect "other: paws_other counts the 'other' row's rejects (old ACKs are none)" \
	"$(tcptw-verify -f /tmp/oa key paws_other) $(tcptw-verify -f /tmp/oa paws-cell other - rejects)" \
	"$other_rejects $other_rejects"
check "other: per-path deltas equal the kernel's PAWS counters'" \
	tcptw-verify paws-delta /tmp/ob /tmp/oa /tmp/onb /tmp/ona
check "other: every rule of the report holds (compare)" ns7 tcptw-verify compare

# --- PAWS rejects written through a tun device ------------------------------------------
# A write() to /dev/net/tun runs the receive path in the writer's task with
# bottom halves off (softirqs run at local_bh_enable()), not in the NET_RX
# softirq: the rejects must still be attributed to the right peer, in the
# writer's namespace only, and equal that namespace's MIB deltas.
#
#   ns8: tcptw-traffic -- tcptw0 10.77.0.1/24 --(peer 10.77.0.2, played by tcptw-traffic)
NS8=$(new_netns)
pids="$pids $NS8"
ns8() { in_ns "$NS8" "$@"; }
ns8 ip link set lo up
if [ ! -e /dev/net/tun ] && [ -n "${TCPTW_NO_TUN:-}" ]; then
	ok "tun: not run # SKIP $TCPTW_NO_TUN"
elif [ ! -e /dev/net/tun ]; then
	not_ok "tun: /dev/net/tun exists (tests/qemu/vm.sh --mod tun)"
else
	for spec in tun_estab:9811 tun_tw:9812; do
		path=${spec%%:*}
		port=${spec#*:}
		ns8 cat /proc/tcptw >/tmp/pb
		ns8 cat /proc/net/netstat >/tmp/nb
		cat /proc/tcptw >/tmp/ib
		ns5 cat /proc/tcptw >/tmp/xb
		out=$(ns8 tcptw-traffic paws $path --addr 10.77.0.2 --port $port --count 3 2>/tmp/paws.err)
		st=$?
		ns8 cat /proc/tcptw >/tmp/pa
		ns8 cat /proc/net/netstat >/tmp/na
		cat /proc/tcptw >/tmp/ia
		ns5 cat /proc/tcptw >/tmp/xa
		echo "# $out"
		sed 's/^/# /' /tmp/paws.err
		check "$path: tcptw-traffic ran (status $st)" test "$st" -eq 0
		if [ $path = tun_tw ]; then field=$TW_MIB col=tw nat=1; else field=PAWSEstab col=estab nat=0; fi
		expect "$path: the kernel refused the 3 segments ($field)" "$(mib_delta $field)" 3
		check "$path: per-path deltas equal the kernel's PAWS counters'" \
			ns8 tcptw-verify paws-delta /tmp/pb /tmp/pa /tmp/nb /tmp/na
		expect "$path: attributed to 10.77.0.2 port $port ($col)" \
			"$(tcptw-verify -f /tmp/pa paws-cell 10.77.0.2 $port $col)" 3
		expect "$path: the peer's paws rose by 3" \
			"$(($(or0 "$(tcptw-verify -f /tmp/pa cell 10.77.0.2 paws)") - $(or0 "$(tcptw-verify -f /tmp/pb cell 10.77.0.2 paws)")))" 3
		expect "$path: the row's nat" \
			"$(tcptw-verify -f /tmp/pa paws-cell 10.77.0.2 $port nat)" $nat
		expect "$path: paws_dropped did not move (the hooks were sure of each reject)" \
			"$(key_delta paws_dropped)" 0
		check "$path: ns8's report is consistent with /proc/net/tcp{,6}" ns8 tcptw-verify compare
		check "$path: nothing of it in the initial namespace" \
			sh -c "! grep -q '^10\.77\.' /tmp/ia && [ $(rej_sum /tmp/ia) -eq $(rej_sum /tmp/ib) ]"
		check "$path: nothing of it in ns5" \
			sh -c "! grep -q '^10\.77\.' /tmp/xa && [ $(rej_sum /tmp/xa) -eq $(rej_sum /tmp/xb) ]"
	done
fi

# --- port exhaustion per (local, remote, port) (issue 5) ----------------------------
NS6=$(new_netns)
pids="$pids $NS6"
ns6() { in_ns "$NS6" "$@"; }
ns6 ip link set lo up
ns6 sh -c 'echo 40000 40099 >/proc/sys/net/ipv4/ip_local_port_range'
ns6 sh -c 'echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse'
rm -f /tmp/ports1.ready
ns6 tcptw-traffic ports --addr 127.0.0.1 --port 9800 --count 60 --tw 20 \
	--ready /tmp/ports1.ready >/tmp/ports1.log 2>&1 &
gen=$!
pids="$pids $gen"
check "ports: 60 connections to 127.0.0.1:9800, 20 of them in TIME-WAIT" \
	wait_ready /tmp/ports1.ready $gen
sed 's/^/# /' /tmp/ports1.log
expect "ports: the tuple uses 60 of 100 ports" \
	"$(ns6 awk '$1 == "127.0.0.1>127.0.0.1:9800" { print $2, $3, $4 }' /proc/tcptw)" "60 100 60"
expect "ports: port_usage_max_pct" "$(ns6 tcptw-verify key port_usage_max_pct)" 60
check "ports: every tuple equals what /proc/net/tcp{,6} holds" ns6 tcptw-verify tuples
kill $gen 2>/dev/null
wait $gen 2>/dev/null
sleep 0.5
rm -f /tmp/ports2.ready
ns6 tcptw-traffic ports --addr 127.0.0.1 --port 9801 --count 100 --tw 40 --extra \
	--ready /tmp/ports2.ready >/tmp/ports2.log 2>&1 &
gen=$!
pids="$pids $gen"
check "ports: 100 connections to 127.0.0.1:9801, 40 of them in TIME-WAIT" \
	wait_ready /tmp/ports2.ready $gen
sed 's/^/# /' /tmp/ports2.log
check "ports: the 101st connect() fails with EADDRNOTAVAIL" \
	grep -q '^extra EADDRNOTAVAIL' /tmp/ports2.log
expect "ports: the tuple is full" \
	"$(ns6 awk '$1 == "127.0.0.1>127.0.0.1:9801" { print $2, $3, $4 }' /proc/tcptw)" "100 100 100"
expect "ports: port_usage_max_pct at 100" "$(ns6 tcptw-verify key port_usage_max_pct)" 100
check "ports: the full tuple equals /proc/net/tcp{,6}" ns6 tcptw-verify tuples
check "ports: tcptw check port_usage_max_pct>=90 is CRITICAL" \
	sh -c "nsenter --net=/proc/$NS6/ns/net tcptw check --crit 'port_usage_max_pct>=90' >/dev/null; [ \$? -eq 2 ]"
kill $gen 2>/dev/null
wait $gen 2>/dev/null
check "scenario namespace: every tuple equals /proc/net/tcp{,6}" tcptw-verify tuples

# --- debugfs (issue 5) ----------------------------------------------------------------
for f in sockets ehash paws_log ttl_hist count walk_stats; do
	expect "debugfs tcptw/$f is mode 0400" \
		"$(stat -c %a /sys/kernel/debug/tcptw/$f 2>/dev/null)" 400
	check "debugfs tcptw/$f is unreadable to an unprivileged user" \
		sh -c "! su -s /bin/sh nobody -c 'cat /sys/kernel/debug/tcptw/$f' >/dev/null 2>&1"
done
check "debugfs sockets: TIME_WAIT rows equal /proc/net/tcp{,6}'s" \
	tcptw-verify debugfs-sockets
check "debugfs sockets in ns4 ($scale_tw TIME-WAIT): equal /proc/net/tcp{,6}'s" \
	in_ns "$NS4" tcptw-verify debugfs-sockets
# Two walks: on a slow kernel ns4's TIME-WAIT may be expiring by now, so the
# histogram is taken between two equal tw_count reads.
for try in 1 2 3 4 5 6 7 8 9 10; do
	tw_before=$(in_ns "$NS4" tcptw-verify key tw_count)
	ttl_sum=$(in_ns "$NS4" awk 'NR > 1 { n += $3 } END { print n }' /sys/kernel/debug/tcptw/ttl_hist)
	tw_after=$(in_ns "$NS4" tcptw-verify key tw_count)
	[ "$tw_before" != "$tw_after" ] || break
	sleep 1
done
expect "debugfs ttl_hist in ns4 counts every TIME-WAIT" "$ttl_sum" "$tw_before"
expect "debugfs ehash in ns2: its hash's $NS2_BUCKETS buckets" \
	"$(in_ns "$NS2" awk '$1 == "buckets" { print $2 }' /sys/kernel/debug/tcptw/ehash)" \
	"$NS2_BUCKETS"
if [ -e $CHILD_EHASH ]; then
	expect "debugfs ehash in ns2: the chains hold exactly its sockets" \
		"$(in_ns "$NS2" awk '$1 == "entries" { print $2 }' /sys/kernel/debug/tcptw/ehash)" \
		"$(in_ns "$NS2" tcptw-verify key sockets)"
else
	check "debugfs ehash in ns2: the shared chains hold its sockets and ours" \
		test "$(in_ns "$NS2" awk '$1 == "entries" { print $2 }' /sys/kernel/debug/tcptw/ehash)" \
		-ge $(($(in_ns "$NS2" tcptw-verify key sockets) + $(tcptw-verify key sockets)))
fi

# --- debugfs count and walk_stats (issue 7) -------------------------------------------
# count: a walk that only counts, the reference a full walk is measured
# against; walk_stats: the numbers of the namespace's last /proc/tcptw walk.
dbg=/sys/kernel/debug/tcptw
dbg_key() { awk -v k="$2" '$1 == k { print $2 }' "$dbg/$1"; }
for f in count walk_stats; do
	check "debugfs tcptw/$f refuses writes, even from root" \
		sh -c "! echo 1 2>/dev/null >$dbg/$f"
	check "debugfs tcptw/$f refuses writes from an unprivileged user" \
		sh -c "! su -s /bin/sh nobody -c 'echo 1 >$dbg/$f' 2>/dev/null"
done
check "debugfs count: sockets equal /proc/net/tcp{,6} less its listeners" \
	tcptw-verify count
check "debugfs count in ns2 (a hash of its own): its sockets, none of ours" \
	in_ns "$NS2" tcptw-verify count
expect "debugfs count in ns2: its hash's $NS2_BUCKETS buckets" \
	"$(in_ns "$NS2" awk '$1 == "ehash_buckets" { print $2 }' $dbg/count)" "$NS2_BUCKETS"
check "debugfs count in ns4 (shared hash, its TIME-WAIT): its sockets only" \
	in_ns "$NS4" tcptw-verify count
expect "debugfs count in a new namespace: no sockets" \
	"$(unshare -n awk '$1 == "sockets" { print $2 }' $dbg/count)" 0
expect "debugfs walk_stats in a new namespace: no walk yet" \
	"$(unshare -n awk '$1 == "walks" { print $2 }' $dbg/walk_stats)" 0
check "debugfs walk_stats: one read of /proc/tcptw, its sockets, walk_us, chains" \
	tcptw-verify walk-stats
check "debugfs walk_stats in ns2: the same, on its own hash" \
	in_ns "$NS2" tcptw-verify walk-stats
check "debugfs walk_stats in ns4: the same, on the shared hash" \
	in_ns "$NS4" tcptw-verify walk-stats
walks=$(dbg_key walk_stats walks)
in_ns "$NS2" cat /proc/tcptw >/dev/null
expect "debugfs walk_stats: a read in ns2 is not counted here" \
	"$(dbg_key walk_stats walks)" "$walks"
cat /proc/tcptw >/dev/null
expect "debugfs walk_stats: a read here is" \
	"$(dbg_key walk_stats walks)" $((walks + 1))
echo "# count and walk_stats, initial namespace and ns4:"
sed 's/^/#   /' $dbg/count $dbg/walk_stats
in_ns "$NS4" cat /proc/tcptw >/dev/null
in_ns "$NS4" sed 's/^/#   ns4 /' $dbg/count $dbg/walk_stats

# --- NAT: two clients behind one masquerade, one server holding TIME-WAIT ------------
if [ -f /nat.sh ]; then
	. /nat.sh
	nat_scenario
fi

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
