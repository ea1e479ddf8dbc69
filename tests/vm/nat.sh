# SPDX-License-Identifier: GPL-2.0
#
# The NAT scenario (issue 5), sourced by /test.sh inside the QEMU VM: two
# clients behind one masquerading NAT reuse a source port toward a server that
# holds TIME-WAIT for it; the server refuses, by PAWS, the client whose
# timestamps are behind, and tcptw must pin those rejects on the NAT's address.
#
#   c1 (unshare -n)            nat (unshare -n)                  srv (unshare -n)
#  +----------------+       +---------------------------+       +----------------------+
#  | c1-nat         |-------| nat-c1  10.0.1.1/24       |       | srv-nat 192.0.2.2/24 |
#  |   10.0.1.2/24  |       |                           |       | no route to 10/8     |
#  +----------------+       | nat-srv 192.0.2.1/24      |-------| tcptw-natpeer serve  |
#  c2                       |   nft masquerade (no      |       |   :8080, closes first|
#  +----------------+       |   random: ports kept)     |       |   -> holds TIME-WAIT |
#  | c2-nat         |-------| nat-c2  10.0.2.1/24       |       | tcp_rfc1337=1        |
#  |   10.0.2.2/24  |       | ip_forward=1, conntrack   |       +----------------------+
#  +----------------+       | TCP closing timeouts 1 s  |
#                           +---------------------------+
#
# Each connection's timestamps start at a random offset: per (saddr, daddr)
# pair in older kernels, per 4-tuple (ports too) in recent ones, Debian's
# 6.1.192 and 6.12.117 included (secure_tcp_seq_and_ts_off()). Once one
# client left the server in TIME-WAIT on 192.0.2.1:P, the other client's SYN
# from the same port P is refused by PAWS when its clock is behind, and takes
# over the TIME-WAIT otherwise; in that case the first client, now the one
# behind, is refused when it comes back. So on each port: first client,
# second client, and the first again if the second got through; exactly one
# of the three connections is refused, whatever the offsets. c1 goes first on
# 40001-40003, c2 on 40011-40013.
#
# A refused SYN gets the TIME-WAIT's ACK (de-NATed back to the client); the
# client answers with a RST, which tcp_rfc1337=1 keeps from killing the
# TIME-WAIT, and sends its SYN again at once (the second ACK is rate-limited),
# then on its retransmission timer: every SYN is one more reject, until the
# client gives up after NAT_REFUSED_MS.
#
# What it needs from the script that sources it (tests/vm/scenario.sh):
#   ok, not_ok, check, expect   one TAP line each (they count n and failed)
#   new_netns                   prints the pid of a process holding a new netns
#   in_ns PID CMD...            nsenter --net=/proc/PID/ns/net CMD...
#   wait_ready FILE PID         until FILE exists or PID died
#   pids                        pids the caller's EXIT trap kills; appended to
# and tcptw.ko loaded. In the VM: tcptw-natpeer and tcptw-verify (static, in
# /bin), /usr/sbin/nft with its libraries, and the modules veth, nf_tables,
# nft_chain_nat, nft_masq (vm.sh --mod). Scratch files: /tmp/nat.*.

NAT_SERVER=192.0.2.2
NAT_PUBLIC=192.0.2.1
NAT_SERVICE=8080
NAT_PORTS_C1_FIRST="40001 40002 40003"
NAT_PORTS_C2_FIRST="40011 40012 40013"
# A client not through by then was refused: one that gets through takes
# milliseconds, even on the debug kernel with the host busy.
NAT_REFUSED_MS=3000
# Conntrack forgets a closed connection 1 s after its last packet.
NAT_CT_WAIT_S=2

# nat_do CMD...: run one setup step; a failure is shown and remembered.
nat_do() {
	if ! "$@"; then
		echo "# nat setup failed: $*"
		nat_setup_failed=1
	fi
}

# nat_link NS1 IF1 NS2 IF2: a veth pair, IF1 in NS1 and IF2 in NS2.
# Busybox ip has no "peer name": the kernel names the peer veth<N>, found
# here by the ifindex that IF1's iflink gives, and renamed inside NS2.
nat_link() {
	local peer="" idx dev

	nat_do ip link add name "$2" type veth
	idx=$(cat /sys/class/net/"$2"/iflink 2>/dev/null)
	for dev in /sys/class/net/*; do
		[ "$(cat "$dev"/ifindex)" != "$idx" ] || peer=${dev##*/}
	done
	nat_do test -n "$peer"
	nat_do ip link set "$peer" netns "$3"
	nat_do in_ns "$3" ip link set "$peer" name "$4"
	nat_do ip link set "$2" netns "$1"
}

# nat_addr NS IF ADDR/LEN: address IF and bring it up.
nat_addr() {
	nat_do in_ns "$1" ip addr add "$3" dev "$2"
	nat_do in_ns "$1" ip link set "$2" up
}

# nat_sysctl NS KEY VALUE: KEY is the path under /proc/sys, which follows the
# writer's namespace.
nat_sysctl() {
	nat_do in_ns "$1" sh -c "echo $3 >/proc/sys/$2"
}

# nat_delta BEFORE AFTER: AFTER - BEFORE, "absent" BEFORE counting as 0
# (no row yet); "n/a" when either is not a number.
nat_delta() {
	local b="$1"
	[ "$b" != absent ] || b=0
	case "$b$2" in
	'' | *[!0-9]*) echo n/a ;;
	*) echo $(($2 - b)) ;;
	esac
}

# nat_clean_view NS: the namespace's /proc/tcptw has no PAWS table row for
# 192.0.2.x and no peer row for them with paws > 0 (the server's rejects are
# the server's namespace's alone).
nat_clean_view() {
	in_ns "$1" cat /proc/tcptw >/tmp/nat.client."$1" || return 1
	awk 'NR == 1 { if ($1 != "tcptw") bad = 1; next }
	     $0 == "" { t = ""; next }
	     $1 == "peer" { t = "peer"; for (i = 1; i <= NF; i++) if ($i == "paws") pc = i; next }
	     $1 == "paws_peer" { t = "paws"; next }
	     $1 !~ /^192\.0\.2\./ { next }
	     t == "paws" || (t == "peer" && pc && $pc != 0) { bad = 1; print "# " $0 }
	     END { exit bad }' /tmp/nat.client."$1"
}

# nat_netstat_delta BEFORE AFTER: "Name+delta" for every TcpExt counter of two
# /proc/net/netstat copies that changed.
nat_netstat_delta() {
	awk 'FNR == 1 { k = 0 }
	     $1 != "TcpExt:" { next }
	     ++k == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
	     FILENAME == ARGV[1] { for (i = 2; i <= NF; i++) b[i] = $i; next }
	     { for (i = 2; i <= NF; i++) if ($i != b[i]) printf "%s+%d ", name[i], $i - b[i] }' "$1" "$2"
}

# nat_connect NS PORT TIMEOUT_MS OUTFILE: one client connection, its result
# word ("closed", "timeout", "error ...") in OUTFILE.
nat_connect() {
	in_ns "$1" tcptw-natpeer connect $NAT_SERVER $NAT_SERVICE --sport "$2" \
		--timeout "$3" >"$4" 2>&1
}

# nat_round N first|other PLAN: round N of connections, all at once, each
# port's first or other client; "first" only where round N-1 got through.
nat_round() {
	local e p ns jobs=""

	for e in $3; do
		p=${e%%:*} e=${e#*:}
		if [ "$2" = first ]; then
			[ "$(cat "/tmp/nat.$(($1 - 1)).$p")" = closed ] || continue
			ns=${e%%:*}
		else
			ns=${e#*:}
		fi
		nat_connect "$ns" "$p" "$NAT_REFUSED_MS" "/tmp/nat.$1.$p" &
		jobs="$jobs $!"
	done
	# shellcheck disable=SC2086 # one pid per word
	[ -z "$jobs" ] || wait $jobs
}

# nat_paws_checks D: tcptw's own PAWS accounting (format 1.2) against the
# server namespace's delta D of $NAT_TW_MIB, the TcpExt counter of PAWS
# rejects in TIME-WAIT on this kernel, from the files saved there before and
# after (/tmp/nat.{tcptw,netstat}.{before,after}).
nat_paws_checks() {
	local d="$1" b a v

	check "tcptw-verify paws-delta: tcptw's per-path PAWS deltas equal the MIB's" \
		tcptw-verify paws-delta /tmp/nat.tcptw.before /tmp/nat.tcptw.after \
		/tmp/nat.netstat.before /tmp/nat.netstat.after
	b=$(tcptw-verify -f /tmp/nat.tcptw.before cell $NAT_PUBLIC paws)
	a=$(tcptw-verify -f /tmp/nat.tcptw.after cell $NAT_PUBLIC paws)
	expect "peer $NAT_PUBLIC: paws rose by $NAT_TW_MIB's delta" "$(nat_delta "$b" "$a")" "$d"
	expect "peer $NAT_PUBLIC: nat is 1" \
		"$(tcptw-verify -f /tmp/nat.tcptw.after cell $NAT_PUBLIC nat)" 1
	b=$(tcptw-verify -f /tmp/nat.tcptw.before key paws_rej_tw)
	a=$(tcptw-verify -f /tmp/nat.tcptw.after key paws_rej_tw)
	expect "paws_rej_tw rose by $NAT_TW_MIB's delta" "$(nat_delta "$b" "$a")" "$d"
	# 1.2's rule: SYNs refused in TIME-WAIT from 2 ports or more.
	v=$(tcptw-verify -f /tmp/nat.tcptw.after paws-cell $NAT_PUBLIC $NAT_SERVICE tw_syn)
	check "PAWS row ($NAT_PUBLIC, $NAT_SERVICE): tw_syn >= 2 (got '$v')" \
		test "$(nat_delta 0 "$v")" != n/a -a "$(nat_delta 0 "$v")" -ge 2
	v=$(tcptw-verify -f /tmp/nat.tcptw.after paws-cell $NAT_PUBLIC $NAT_SERVICE nat)
	expect "PAWS row ($NAT_PUBLIC, $NAT_SERVICE): nat is 1" "$v" 1
}

nat_scenario() {
	local nat c1 c2 srv server t0 plan nports e p r out refused through3 errors
	local want got seen paws0 paws1 d v

	echo "# --- NAT: two clients behind one masquerade reuse a port toward TIME-WAIT"
	t0=$(cut -d' ' -f1 /proc/uptime)
	rm -f /tmp/nat.*

	nat=$(new_netns)
	c1=$(new_netns)
	c2=$(new_netns)
	srv=$(new_netns)
	pids="$pids $nat $c1 $c2 $srv"
	nat_setup_failed=0
	nat_link "$nat" nat-c1 "$c1" c1-nat
	nat_link "$nat" nat-c2 "$c2" c2-nat
	nat_link "$nat" nat-srv "$srv" srv-nat
	nat_addr "$nat" nat-c1 10.0.1.1/24
	nat_addr "$nat" nat-c2 10.0.2.1/24
	nat_addr "$nat" nat-srv $NAT_PUBLIC/24
	nat_addr "$c1" c1-nat 10.0.1.2/24
	nat_addr "$c2" c2-nat 10.0.2.2/24
	nat_addr "$srv" srv-nat $NAT_SERVER/24
	nat_do in_ns "$srv" ip link set lo up
	nat_do in_ns "$c1" ip route add default via 10.0.1.1
	nat_do in_ns "$c2" ip route add default via 10.0.2.1
	nat_sysctl "$nat" net/ipv4/ip_forward 1
	# The NAT forgets a closed connection after 1 s, so that the second
	# client's SYN gets the same public port (masquerade keeps a free one).
	for p in fin_wait close_wait last_ack time_wait close; do
		nat_sysctl "$nat" net/netfilter/nf_conntrack_tcp_timeout_$p 1
	done
	# Random timestamp offsets on the clients (the default).
	nat_sysctl "$c1" net/ipv4/tcp_timestamps 1
	nat_sysctl "$c2" net/ipv4/tcp_timestamps 1
	# The refused client (or the NAT) answers the TIME-WAIT's ACK with a
	# RST that would otherwise kill the TIME-WAIT after the first reject.
	nat_sysctl "$srv" net/ipv4/tcp_rfc1337 1
	check "NAT topology: 4 namespaces, 3 veth pairs, addresses, routes, sysctls" \
		test "$nat_setup_failed" -eq 0

	cat >/tmp/nat.nft <<-EOF
	table ip nat {
		chain postrouting {
			type nat hook postrouting priority 100; policy accept;
			oifname "nat-srv" masquerade
		}
	}
	EOF
	if in_ns "$nat" nft -f /tmp/nat.nft >/tmp/nat.nft.log 2>&1 &&
		in_ns "$nat" nft list ruleset >>/tmp/nat.nft.log 2>&1 &&
		grep -q masquerade /tmp/nat.nft.log; then
		ok "nft masquerade on nat-srv in the NAT namespace"
	else
		not_ok "nft masquerade on nat-srv in the NAT namespace"
		sed 's/^/# /' /tmp/nat.nft.log
	fi

	# nsenter execs the server: $! is the server itself.
	nsenter --net=/proc/"$srv"/ns/net tcptw-natpeer serve $NAT_SERVER $NAT_SERVICE \
		--ready /tmp/nat.ready >/tmp/nat.server 2>&1 &
	server=$!
	pids="$pids $server"
	check "server listens on $NAT_SERVER:$NAT_SERVICE" wait_ready /tmp/nat.ready $server

	# Everything the later checks compare, read in the server's namespace.
	# PAWS rejects in TIME-WAIT count in PAWSTimewait where the kernel has
	# it (6.16 and later), else in PAWSEstab.
	NAT_TW_MIB=PAWSEstab
	[ "$(in_ns "$srv" tcptw-verify netstat-or-dash TcpExt PAWSTimewait)" = - ] ||
		NAT_TW_MIB=PAWSTimewait
	in_ns "$srv" cat /proc/tcptw >/tmp/nat.tcptw.before
	in_ns "$srv" cat /proc/net/netstat >/tmp/nat.netstat.before
	paws0=$(in_ns "$srv" tcptw-verify netstat TcpExt $NAT_TW_MIB)

	# A plan entry per port: PORT:FIRST:OTHER (namespace holders' pids).
	plan=""
	for p in $NAT_PORTS_C1_FIRST; do plan="$plan $p:$c1:$c2"; done
	for p in $NAT_PORTS_C2_FIRST; do plan="$plan $p:$c2:$c1"; done
	nports=$(echo "$plan" | wc -w)

	# Round 1, one at a time: each connection leaves the server in
	# TIME-WAIT on (192.0.2.2:8080, 192.0.2.1:P).
	for e in $plan; do
		p=${e%%:*} e=${e#*:}
		nat_connect "${e%%:*}" "$p" 5000 "/tmp/nat.1.$p"
	done
	expect "first connections from both clients went through the NAT" \
		"$(cat /tmp/nat.1.* | grep -c '^closed$')" "$nports"

	# Round 2, all at once: the other client from the same port. The
	# NAT's conntrack entries (TIME_WAIT 1 s) must be gone first, or
	# masquerade would pick another public port.
	sleep $NAT_CT_WAIT_S
	nat_round 2 other "$plan"
	# Round 3: the first client again where the second got through.
	sleep $NAT_CT_WAIT_S
	nat_round 3 first "$plan"
	# The last FIN/ACK exchanges of the connections that got through.
	sleep 0.5

	refused=0 through3=0 errors=0 out=""
	for e in $plan; do
		p=${e%%:*}
		for r in 1 2 3; do
			[ -e "/tmp/nat.$r.$p" ] || continue
			v=$(cat "/tmp/nat.$r.$p")
			out="$out $p.$r:$v"
			case "$r:$v" in
			[23]:timeout) refused=$((refused + 1)) ;;
			3:closed) through3=$((through3 + 1)) ;;
			*:closed) ;;
			*) errors=$((errors + 1)) ;;
			esac
		done
	done
	echo "# port.round:result$out"
	expect "every port: exactly one client refused, the second or the first one back" \
		"refused $refused, first back and through $through3, errors $errors" \
		"refused $nports, first back and through 0, errors 0"

	in_ns "$srv" cat /proc/tcptw >/tmp/nat.tcptw.after
	in_ns "$srv" cat /proc/net/netstat >/tmp/nat.netstat.after
	paws1=$(in_ns "$srv" tcptw-verify netstat TcpExt $NAT_TW_MIB)
	d=$(nat_delta "$paws0" "$paws1")

	# The server saw every client as 192.0.2.1 from the client's own port,
	# once per connection that got through.
	want="" got="" seen=0
	for e in $plan; do
		p=${e%%:*}
		want="$want $p:$(cat /tmp/nat.[123]."$p" | grep -c '^closed$')"
		v=$(grep -c "^accept $NAT_PUBLIC $p\$" /tmp/nat.server)
		got="$got $p:$v"
		seen=$((seen + v))
	done
	got="$got other:$(($(wc -l </tmp/nat.server) - seen))"
	want="$want other:0"
	expect "server's peers: $NAT_PUBLIC from the clients' own ports (port:accepts)" \
		"$got" "$want"

	check "PAWS rejects in the server namespace (TcpExt $NAT_TW_MIB $paws0 -> $paws1)" \
		test "$d" != n/a -a "$d" != 0
	check "at least one PAWS reject per refused connection ($d for $refused)" \
		test "$d" != n/a -a "$d" -ge "$refused"
	expect "server holds one TIME-WAIT per port for $NAT_PUBLIC (rfc1337 kept them)" \
		"$(tcptw-verify -f /tmp/nat.tcptw.after cell $NAT_PUBLIC tw)" "$nports"
	check "server namespace: every cell equals /proc/net/tcp{,6}" \
		in_ns "$srv" tcptw-verify compare
	echo "# server's TcpExt changes: $(nat_netstat_delta /tmp/nat.netstat.before /tmp/nat.netstat.after)"
	echo "# server's report after:"
	sed 's/^/#   /' /tmp/nat.tcptw.after

	nat_paws_checks "$d"

	check "client c1's namespace sees none of the server's PAWS rows" nat_clean_view "$c1"
	check "client c2's namespace sees none of the server's PAWS rows" nat_clean_view "$c2"

	kill "$server" "$nat" "$c1" "$c2" "$srv" 2>/dev/null
	wait "$server" "$nat" "$c1" "$c2" "$srv" 2>/dev/null
	echo "# NAT scenario took $(awk -v a="$t0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
}
