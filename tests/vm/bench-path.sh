#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, the packet path: run as /test.sh inside its own VM (tests/bench.sh
# boots it with --smp 4 and veth.ko): what tcptw.ko's PAWS hooks cost the
# traffic they sit on, with the module unloaded (A) and loaded (B).
#
#   cli (unshare -n)                         srv (unshare -n)
#  +-------------------------------+        +----------------------------------+
#  | c0 10.17.0.1/24               |--veth--| s0 10.17.0.2/24                  |
#  | bulk, crr: the clients        |        | the listeners (tcptw-bench makes |
#  | synflood: raw SYNs from       |        |   them here through setns)       |
#  |   10.18.x.y (no such address: |        | route 10.18.0.0/16 via 10.17.0.1 |
#  |   the SYN-ACKs are dropped)   |        | tcp_timestamps=2, tcp_rfc1337=1  |
#  | paws: raw SYNs, TSval 1, on   |        | PAWS_N TIME-WAIT on :7000, kept  |
#  |   the TIME-WAITs' 4-tuples    |        |   alive by the rejects           |
#  | tcp_timestamps=2              |        | tcp_max_tw_buckets 2000000       |
#  +-------------------------------+        +----------------------------------+
#
# Four workloads, each one tcptw-bench subcommand printing one rate: bulk (MB/s
# over one stream), crr (connections/s), synflood (SYNs/s the listener took,
# from the server's Tcp InSegs), paws (PAWS rejects/s, from the server's
# PAWSEstab + PAWSTimewait). Pairs alternate ABBA: pair 1 runs every workload
# unloaded then loaded, pair 2 loaded then unloaded, and so on. Each result is
# one line "BENCH path state unloaded|loaded pair P bench W KEY VALUE ...".
# TCPTW_BENCH_QUICK=1 (kernel command line): 2 pairs of 1 s runs;
# TCPTW_BENCH_PATH_PAIRS and TCPTW_BENCH_PATH_S override pairs and seconds.

set -eu
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

if [ "${TCPTW_BENCH_QUICK:-0}" = 1 ]; then
	pairs=2 secs=1
else
	pairs=8 secs=3
fi
pairs=${TCPTW_BENCH_PATH_PAIRS:-$pairs}
secs=${TCPTW_BENCH_PATH_S:-$secs}
WORKLOADS="bulk crr synflood paws"
SERVER=10.17.0.2
CLIENT=10.17.0.1
PAWS_PORT=7000
PAWS_N=256
PAWS_SPORT=10000

fail() {
	echo "BENCH error path $*"
	exit 1
}

# new_netns: the pid of a process holding a new network namespace.
new_netns() {
	unshare -n sleep 100000 </dev/null >/dev/null 2>&1 &
	echo $!
}

in_ns() {
	p=$1
	shift
	nsenter --net=/proc/"$p"/ns/net "$@"
}

echo "BENCH info path_kver $(uname -r)"
echo "BENCH info path_cpus $(grep -c ^processor /proc/cpuinfo)"
echo "BENCH info path_cmdline $(cat /proc/cmdline)"
echo "BENCH info path_plan pairs $pairs seconds $secs paws_tw $PAWS_N"

SRV=$(new_netns)
CLI=$(new_netns)
sleep 0.2
[ "$(readlink /proc/"$SRV"/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
	fail "no network namespace of its own for the server"

# The veth pair. Busybox ip has no "peer name": the kernel names the peer
# veth<N>, found by the ifindex that c0's iflink gives.
ip link add name c0 type veth || fail "ip link add c0 type veth (veth.ko loaded?)"
idx=$(cat /sys/class/net/c0/iflink)
peer=
for dev in /sys/class/net/*; do
	[ "$(cat "$dev"/ifindex)" != "$idx" ] || peer=${dev##*/}
done
[ -n "$peer" ] || fail "no peer of c0"
ip link set "$peer" netns "$SRV"
in_ns "$SRV" ip link set "$peer" name s0
ip link set c0 netns "$CLI"
in_ns "$CLI" ip link set lo up
in_ns "$CLI" ip addr add $CLIENT/24 dev c0
in_ns "$CLI" ip link set c0 up
in_ns "$SRV" ip link set lo up
in_ns "$SRV" ip addr add $SERVER/24 dev s0
in_ns "$SRV" ip link set s0 up
in_ns "$SRV" ip route add 10.18.0.0/16 via $CLIENT
for p in $SRV $CLI; do
	in_ns "$p" sh -c 'echo 2 >/proc/sys/net/ipv4/tcp_timestamps'
done
in_ns "$SRV" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_rfc1337
	echo 2000000 >/proc/sys/net/ipv4/tcp_max_tw_buckets
	echo 4096 >/proc/sys/net/core/somaxconn'
echo "BENCH info path_sysctl syncookies $(in_ns "$SRV" cat /proc/sys/net/ipv4/tcp_syncookies)" \
	"max_syn_backlog $(in_ns "$SRV" cat /proc/sys/net/ipv4/tcp_max_syn_backlog)" \
	"somaxconn $(in_ns "$SRV" cat /proc/sys/net/core/somaxconn)"
in_ns "$CLI" ping -c 1 -W 5 $SERVER >/dev/null || fail "no ping over the veth pair"

NS="--server-ns $SRV --client-ns $CLI --server $SERVER"
# The TIME-WAITs the paws workload hits: the server closes first.
# shellcheck disable=SC2086 # NS is a list of options
g=$(tcptw-bench tw $NS --base $CLIENT --peers 1 --count $PAWS_N --port $PAWS_PORT) ||
	fail "tw for paws"
echo "BENCH info path_paws_tw $g server_tw $(awk '$1 == "TCP:" { print $7 }' /proc/"$SRV"/net/sockstat)"

# run STATE PAIR: every workload once; a fresh server port for each run.
port=20000
run() {
	for w in $WORKLOADS; do
		port=$((port + 1))
		# shellcheck disable=SC2086 # NS is a list of options
		case $w in
		bulk) r=$(tcptw-bench bulk $NS --port $port --seconds "$secs") ;;
		crr) r=$(tcptw-bench crr $NS --base $CLIENT --peers 1 --port $port --seconds "$secs") ;;
		synflood) r=$(tcptw-bench synflood $NS --port $port --seconds "$secs") ;;
		paws) r=$(tcptw-bench paws $NS --client $CLIENT --sport $PAWS_SPORT \
			--conns $PAWS_N --port $PAWS_PORT --seconds "$secs") ;;
		esac || fail "$w failed"
		echo "BENCH path state $1 pair $2 bench $r"
	done
}

# Loading and unloading arm and disarm kprobes: text patching, then the
# kprobe optimizer's delayed work and RCU grace periods. Let those finish
# before the next run so that they fall on neither state's time.
SETTLE_S=2
load() {
	insmod /tcptw.ko || fail "insmod"
	[ -r /proc/tcptw ] || fail "no /proc/tcptw after insmod"
	sleep $SETTLE_S
}
unload() {
	rmmod tcptw || fail "rmmod"
	sleep $SETTLE_S
}

# A warm-up round (state "warmup", left out of the report): the first runs
# after boot are slower.
run warmup 0
t0=$(date +%s)
p=1
while [ $p -le "$pairs" ]; do
	if [ $((p % 2)) = 1 ]; then
		run unloaded $p
		load
		run loaded $p
		unload
	else
		load
		run loaded $p
		unload
		run unloaded $p
	fi
	p=$((p + 1))
done
echo "BENCH info path_seconds $(($(date +%s) - t0))"
echo "BENCH info path_server_tw $(awk '$1 == "TCP:" { print $7 }' /proc/"$SRV"/net/sockstat)"
kill "$SRV" "$CLI"
echo "BENCH path_done"
