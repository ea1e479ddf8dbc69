#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a read of /proc/tcptw costs its reader's memory cgroup (issue 17),
# inside the VM, run by stock.sh (busybox sh; loads tcptw itself when run
# alone). In a network namespace of its own, $PEERS peers with one
# TIME-WAIT each; tcptw-badwrite cgread opens and reads /proc/tcptw from a
# cgroup v2 memory cgroup and reports that cgroup's memory.current before
# open(), while the file is open, and after close():
#
# - without a limit, the report is whole and its tables are charged to the
#   reader's cgroup (held - before: at least half the walk's own peak);
# - with memory.max at half that charge, open() still succeeds: the peer table
#   stops where the cgroup refused it room, peers_max says so (below the
#   module parameter, equal to peers) and peers_truncated counts the sockets
#   summed into "other"; every cell still equals /proc/net/tcp; the cgroup
#   saw its limit (memory.events max) and killed nothing (oom_kill 0);
# - after close() nothing stays charged: with memory.max lowered to a
#   quarter of the charge above the cgroup's level before the read (the
#   write drains the per-CPU charge caches), memory.current fits under it.
# Prints "ok N - ...", a "# memcg: ..." figures line and "# memcg: N tests,
# N failed"; exits 1 if any failed.

set -u
PEERS=${TCPTW_MEMCG_PEERS:-6000}
CG=/sys/fs/cgroup
G=$CG/tcptw-memcg
W=/tmp/memcg
BW=tcptw-badwrite
loaded_here=0
. /tap.sh

# key FILE KEY: a summary value of a saved report.
key() { awk -v k="$2" '$1 == k { print $2; exit } /^$/ { exit }' "$1"; }
# event NAME: a counter of the cgroup's memory.events.
event() { awk -v k="$1" '$1 == k { print $2 }' $G/memory.events; }
# cgfig FILE WHAT: a figure of a cgread stderr line ("cgread before B held H after A").
cgfig() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"; }
# inns COMMAND...: COMMAND in the test's network namespace.
inns() { in_ns "$NS" "$@"; }

cleanup_hook() {
	rmdir $G 2>/dev/null
	[ $loaded_here = 0 ] || rmmod tcptw 2>/dev/null
}

mkdir -p $W
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if ! grep -q '^tcptw ' /proc/modules; then
	check "insmod tcptw.ko" insmod $MODULE
	loaded_here=1
fi
grep -qs ' /sys/fs/cgroup cgroup2 ' /proc/mounts || mount -t cgroup2 none $CG
if ! grep -qw memory $CG/cgroup.controllers 2>/dev/null; then
	ok "memory cgroup: not run # SKIP no memory controller in this kernel"
	echo "# memcg: $n tests, $failed failed"
	exit 0
fi
echo +memory >$CG/cgroup.subtree_control
rmdir $G 2>/dev/null
check "memory cgroup created" mkdir $G

NS=$(new_netns)
pids="$pids $NS"
inns ip link set lo up
# One TIME-WAIT from each of $PEERS addresses (127.1.0.1 up): a peer table
# of $PEERS rows, made in a few seconds; TIME-WAIT lasts 60 s, and every
# check below waits on nothing.
check "$PEERS TIME-WAIT from $PEERS peers made" \
	sh -c "nsenter --net=/proc/$NS/ns/net tcptw-traffic tw 1 --src 127.1.0.1 --peers $PEERS --port 9900 >/dev/null"

# --- without a limit ----------------------------------------------------------------------------
inns $BW cgread $G $PROC >$W/full.report 2>$W/full.cg
check "unlimited: cgread opened and read $PROC" grep -q '^cgread before' $W/full.cg
before=$(cgfig $W/full.cg before)
held=$(cgfig $W/full.cg held)
peak=$(inns awk '$1 == "mem_peak_bytes" { print $2 }' $DBG/walk_stats)
charge=$((held - before))
peers=$(key $W/full.report peers)
check "unlimited: every peer has a row ($peers >= $PEERS), nothing truncated" \
	sh -c "[ '$peers' -ge $PEERS ] && ! grep -q '^peers_truncated ' $W/full.report"
check "unlimited: the tables are charged to the reader's cgroup ($charge bytes >= half the walk's peak, $peak)" \
	[ $((2 * charge)) -ge "$peak" ]

# --- memory.max at half the charge --------------------------------------------------------------
max_events=$(event max)
oom_kills=$(event oom_kill)
limit=$((before + charge / 2))
echo $limit >$G/memory.max
if inns $BW cgread $G $PROC >$W/limited.report 2>$W/limited.cg; then
	ok "limited: open() and read succeed at memory.max $limit"
else
	not_ok "limited: open() and read succeed at memory.max $limit ($(cat $W/limited.cg))"
fi
lpeers=$(key $W/limited.report peers)
lmax=$(key $W/limited.report peers_max)
trunc=$(key $W/limited.report peers_truncated)
param=$(cat $PARAMS/max_peers)
check "limited: the peer table stopped short ($lpeers rows, peers_max $lmax, parameter $param)" \
	sh -c "[ -n '$lpeers' ] && [ '$lpeers' = '$lmax' ] && [ '$lmax' -lt '$param' ] && [ '$lpeers' -lt '$peers' ]"
check "limited: peers_truncated counts the rest (${trunc:-none})" \
	sh -c "[ -n '$trunc' ] && [ '$trunc' -gt 0 ]"
check "limited: every cell equals /proc/net/tcp" inns tcptw-verify -f $W/limited.report compare
check "limited: the cgroup reached its limit (memory.events max $max_events -> $(event max))" \
	[ "$(event max)" -gt "$max_events" ]
expect "limited: nothing was OOM-killed (memory.events oom_kill)" "$(event oom_kill)" "$oom_kills"

# --- nothing stays charged ----------------------------------------------------------------------
echo max >$G/memory.max
floor=$((before + charge / 4))
echo $floor >$G/memory.max
now=$(cat $G/memory.current)
check "after close(): memory.current $now fits under $floor (before the read $before + a quarter of the charge)" \
	[ "$now" -le "$floor" ]
echo max >$G/memory.max

echo "# memcg: peers $PEERS charge $charge walk_peak $peak limit $limit limited_peers $lpeers truncated ${trunc:-0}"
echo "# memcg: $n tests, $failed failed"
[ "$failed" = 0 ]
