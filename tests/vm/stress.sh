#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress on the debug kernel (KASAN, lockdep, kmemleak), inside the VM after
# the scenario (busybox sh). For TCPTW_STRESS_SECONDS (kernel command line,
# default 75) and at least TCPTW_STRESS_CYCLES load/unload cycles (100),
# everything below runs at once; the workers are tcptw-stress (stress.c):
#
#   generators (init netns)            readers                 module
#   +-------------------------------+  +--------------------+  +------------------------+
#   | churn tw   127.0.10.x  -> .0.1 |  | 2 x /proc/tcptw +  |  | reload: rmmod (retried |
#   | churn ctw  127.0.11.x  -> .0.2 |  |   every debugfs    |  |   while a debugfs file |
#   | churn rst  127.0.12.x  -> .0.1 |  |   file, in a loop  |  |   is open) + insmod,   |
#   | churn mix  fd00:8::x   -> ::1  |  | 1 x /proc/tcptw    |  |   >= 100 times         |
#   | churn mix  ::ffff:127.0.13.x   |  | hold: /proc/tcptw  |  | params: max_peers 1..7 |
#   | paws       tcptw-traffic paws  |  |   across an unload |  |   (the "other" row),   |
#   | netns      unshare, 12 sockets |  |   (EIO), debugfs   |  |   max_tuples, paws_max |
#   |            read, destroy       |  |   for 1 s (waits)  |  |                        |
#   +-------------------------------+  +--------------------+  +------------------------+
#
# Then, the churn stopped: the report against /proc/net/tcp{,6}; failslab and
# fail_page_alloc armed for one reader only (make-it-fail), whose reads must
# fail with ENOMEM or be whole; rmmod. debug.sh's kmemleak scan follows.
# A complete read must be a whole, well-formed file (tcptw-stress checks the
# layout and, for /proc/tcptw, that every table has the rows the summary
# announces). What an unload does to readers, by design:
#   /proc/tcptw  no module reference: rmmod goes ahead; proc's rundown calls
#                our release for every open file, whose next read() is EIO
#                (lseek() EINVAL; open() is ENOENT until the module is back);
#   debugfs      fops owned by the module: rmmod is refused (EWOULDBLOCK) while
#                a file is open and retried; an open() racing the unload gets
#                ENXIO or ENOENT.
# Prints "ok N - ..." lines, a "# figures: ..." line and "# stress: N tests,
# N failed"; exits 1 if any failed.

set -u
. /tap.sh
FI=/sys/kernel/debug
DURATION=${TCPTW_STRESS_SECONDS:-75}
CYCLES=${TCPTW_STRESS_CYCLES:-100}
# One reader's fault-injected reads: rounds over /proc/tcptw and 6 debugfs files.
FAILSLAB_ROUNDS=${TCPTW_STRESS_FAILSLAB_ROUNDS:-60}
FAULT_TIMES=1000000
W=/tmp/stress
STOP=$W/stop
DEBUGFS_FILES="$DBG/sockets $DBG/ehash $DBG/paws_log $DBG/ttl_hist $DBG/count $DBG/walk_stats"
# Before the workers are killed: tell them to stop, disarm fault injection.
cleanup_hook() {
	touch "$STOP" 2>/dev/null
	fault_disarm
}

# fig FILE KEY: a value of the "figures" line in FILE (0 if none).
fig() {
	awk -v k="$2" '$1 == "figures" { for (i = 3; i < NF; i += 2) if ($i == k) { print $(i + 1); f = 1 } }
		END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0
}

# sum KEY FILE...: a figure summed over workers.
sum() {
	k=$1
	shift
	t=0
	for f in "$@"; do t=$((t + $(fig "$f" "$k"))); done
	echo $t
}

# worker NAME STATUS DESCRIPTION: one line from a worker's exit status and
# its "bad:" lines, which are shown.
worker() {
	sed -n "s/^figures /# $1: /p" "$W/$1.out"
	if [ "$2" -eq 0 ] && ! grep -q '^bad:' "$W/$1.out"; then
		ok "$3"
	else
		grep -v '^figures' "$W/$1.out" | head -n 25 | sed 's/^/#   /'
		not_ok "$3 (status $2)"
	fi
}

fault_disarm() {
	for f in failslab fail_page_alloc; do
		[ -w $FI/$f/probability ] && echo 0 >$FI/$f/probability
	done
}

# fault_arm DIR PROBABILITY: fail that share of the allocations of tasks
# with make-it-fail set, and nothing else's; no messages, count in "times".
fault_arm() {
	echo Y >$FI/$1/task-filter &&
		echo N >$FI/$1/ignore-gfp-wait &&
		echo 0 >$FI/$1/verbose &&
		echo 0 >$FI/$1/space &&
		echo 1 >$FI/$1/interval &&
		echo $FAULT_TIMES >$FI/$1/times &&
		echo "$2" >$FI/$1/probability
}

params_loop() {
	flips=0
	while [ ! -e "$STOP" ]; do
		for v in 1 2 3 7 65536; do
			{ echo $v >$PARAMS/max_peers; } 2>/dev/null && flips=$((flips + 1))
			{ echo $((v % 5 + 1)) >$PARAMS/max_tuples; } 2>/dev/null && flips=$((flips + 1))
			{ echo $((v % 3 + 1)) >$PARAMS/paws_max; } 2>/dev/null && flips=$((flips + 1))
			sleep 0.3
		done
	done
	echo "figures params flips $flips"
}

# PAWS rejects on two paths (entry kprobe and tracepoint) from 20 peers, so
# the hooks fire while the module comes and goes and paws_max caps rows.
paws_loop() {
	i=0
	injected=0
	errors=0
	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		if [ $((i % 2)) -eq 0 ]; then path=tw; else path=estab; fi
		if out=$(tcptw-traffic paws $path --addr 127.0.8.$((i % 20 + 1)) \
			--port $((9700 + i % 50)) --count 2 2>/dev/null); then
			set -- $out
			injected=$((injected + ${4:-0}))
		else
			errors=$((errors + 1))
		fi
	done
	echo "figures paws injected $injected runs $i errors $errors"
}

mkdir -p $W
rm -f $W/* /tmp/tcptw-stress.shared
echo "# stress: $DURATION s of churn and at least $CYCLES load/unload cycles on $(uname -r)"
echo "tcptw-stress: start" >/dev/kmsg

# --- setup -------------------------------------------------------------------------------
[ ! -d /sys/module/tcptw ] || rmmod tcptw
check "insmod tcptw.ko" insmod $MODULE
for i in 1 2 3 4 5 6 7 8; do ip -6 addr add fd00:8::$i/128 dev lo 2>/dev/null; done
# Below the churn's TIME-WAIT: the overflow path runs too.
tw_max=$(cat /proc/sys/net/ipv4/tcp_max_tw_buckets)
echo 3000 >/proc/sys/net/ipv4/tcp_max_tw_buckets
sleep 1

# --- everything at once ----------------------------------------------------------------------
churn() {
	name=$1
	shift
	tcptw-stress churn --stop "$STOP" "$@" >$W/$name.out 2>&1 &
	pids="$pids $!"
	eval "pid_$name=$!"
}
churn tw --mode tw --family 4 --src 127.0.10.1 --peers 50 --dst 127.0.0.1 --port 9100
churn ctw --mode ctw --family 4 --src 127.0.11.1 --peers 20 --dst 127.0.0.2 --port 9101
churn rst --mode rst --family 4 --src 127.0.12.1 --peers 10 --dst 127.0.0.1 --port 9102
churn v6 --mode mix --family 6 --src fd00:8::1 --peers 8 --dst ::1 --port 9103
churn mapped --mode mix --family mapped --src 127.0.13.1 --peers 10 --dst 127.0.0.1 --port 9104

# shellcheck disable=SC2086 # word splitting of the file lists is wanted
tcptw-stress read --stop "$STOP" --unload-ok /proc/tcptw $DEBUGFS_FILES >$W/read1.out 2>&1 &
pid_read1=$!
# shellcheck disable=SC2086
tcptw-stress read --stop "$STOP" --unload-ok $DEBUGFS_FILES /proc/tcptw /proc/tcptw \
	>$W/read2.out 2>&1 &
pid_read2=$!
tcptw-stress read --stop "$STOP" --unload-ok /proc/tcptw >$W/read3.out 2>&1 &
pid_read3=$!
# shellcheck disable=SC2086
tcptw-stress hold --stop "$STOP" $DEBUGFS_FILES >$W/hold.out 2>&1 &
pid_hold=$!
tcptw-stress netns --stop "$STOP" >$W/netns.out 2>&1 &
pid_netns=$!
params_loop >$W/params.out 2>&1 &
pid_params=$!
paws_loop >$W/paws.out 2>&1 &
pid_paws=$!
# As tcptw-stress does for itself: leave the kernel's threads room.
renice -n 10 -p $pid_params $pid_paws >/dev/null
tcptw-stress reload --stop "$STOP" --module $MODULE --cycles "$CYCLES" --done $W/cycles.done \
	>$W/reload.out 2>&1 &
pid_reload=$!
pids="$pids $pid_read1 $pid_read2 $pid_read3 $pid_hold $pid_netns $pid_params $pid_paws $pid_reload"

# Until the time is up and the cycles are done (the reload loop may end early
# only by failing); never more than 15 minutes past the time.
t0=$(date +%s)
while :; do
	elapsed=$(($(date +%s) - t0))
	if [ $elapsed -ge "$DURATION" ] && [ -e $W/cycles.done ]; then break; fi
	if ! kill -0 $pid_reload 2>/dev/null; then break; fi
	if [ $elapsed -ge $((DURATION + 900)) ]; then break; fi
	sleep 1
done
touch "$STOP"
echo "# stress: stopping after $(($(date +%s) - t0)) s"
for w in tw ctw rst v6 mapped read1 read2 read3 hold netns params paws reload; do
	eval "pid=\$pid_$w"
	wait "$pid"
	eval "status_$w=$?"
done
pids=""

worker tw "$status_tw" "churn: IPv4, server closes first (server-side TIME-WAIT), 50 peers: $(fig $W/tw.out connections) connections"
worker ctw "$status_ctw" "churn: IPv4, client closes first (client-side TIME-WAIT, port table), 20 peers: $(fig $W/ctw.out connections) connections"
worker rst "$status_rst" "churn: IPv4, reset (SO_LINGER 0): $(fig $W/rst.out connections) connections"
worker v6 "$status_v6" "churn: IPv6, all three closes: $(fig $W/v6.out connections) connections"
worker mapped "$status_mapped" "churn: v4-mapped IPv6, all three closes: $(fig $W/mapped.out connections) connections"
for r in read1 read2 read3; do
	eval "st=\$status_$r"
	worker $r "$st" "reader $r: $(fig $W/$r.out reads) whole, well-formed reads ($(fig $W/$r.out rereads) snapshot re-reads identical), $(fig $W/$r.out proc_eio) cut by an unload (EIO), no other error"
done
worker hold "$status_hold" "held open: /proc/tcptw across an unload reads EIO ($(fig $W/hold.out proc_eio) times); a held debugfs file made rmmod wait ($(fig $W/hold.out rmmod_busy_while_held) refusals over $(fig $W/hold.out debugfs_held) holds) and then read whole"
worker netns "$status_netns" "namespaces: $(fig $W/netns.out namespaces) created with 12 sockets and destroyed; /proc/tcptw and debugfs count showed exactly those ($(fig $W/netns.out checked) checked, $(fig $W/netns.out module_away) while the module was away)"
worker reload "$status_reload" "reload: $(fig $W/reload.out load_unload) rmmod + insmod cycles under load, rmmod refused $(fig $W/reload.out rmmod_busy) times ($(fig $W/reload.out rmmod_busy_errno)) while a debugfs file was open, longest wait $(fig $W/reload.out rmmod_max_wait_ms) ms"
cycles=$(fig $W/reload.out load_unload)
check "reload: at least $CYCLES cycles ($cycles)" test "$cycles" -ge "$CYCLES"
flips=$(fig $W/params.out flips)
check "params: max_peers, max_tuples, paws_max written $flips times while readers ran" \
	test "$flips" -gt 0
injected=$(fig $W/paws.out injected)
echo "# paws: $(grep '^figures' $W/paws.out)"
check "paws: $injected stale segments refused while the module came and went" \
	test "$injected" -gt 0

# --- after the churn ------------------------------------------------------------------------
echo "$tw_max" >/proc/sys/net/ipv4/tcp_max_tw_buckets
check "the module is loaded after the last cycle" test -d /sys/module/tcptw
echo 65536 >$PARAMS/max_peers
echo 64 >$PARAMS/max_tuples
echo 4096 >$PARAMS/paws_max
sleep 2
check "after the churn: every cell of /proc/tcptw equals /proc/net/tcp{,6}" tcptw-verify compare
check "after the churn: debugfs sockets equals the TIME-WAIT of /proc/net/tcp{,6}" \
	tcptw-verify debugfs-sockets
check "after the churn: debugfs count equals /proc/net/tcp{,6}" tcptw-verify count

# --- fault injection: one reader's allocations fail ------------------------------------------
# failslab only in the caches slub_debug=A marked on the command line (see
# tests/qemu/debug.config): tcptw's kmalloc()s, not vmalloc's bookkeeping.
marked=""
for c in /sys/kernel/slab/kmalloc-*; do
	[ "$(cat "$c/failslab" 2>/dev/null)" = 1 ] && marked="$marked ${c##*/}"
done
echo "# failslab: caches marked:${marked:- none}"
fs_hits=0
pa_hits=0
if [ -n "$marked" ] && echo Y >$FI/failslab/cache-filter &&
	fault_arm failslab 10 && fault_arm fail_page_alloc 20 &&
	echo N >$FI/fail_page_alloc/ignore-gfp-highmem && echo 1 >$FI/fail_page_alloc/min-order; then
	ok "fault injection armed: failslab (cache-filter) 10%, fail_page_alloc (order >= 1) 20%, make-it-fail tasks only"
	# shellcheck disable=SC2086
	tcptw-stress failslab --rounds "$FAILSLAB_ROUNDS" /proc/tcptw $DEBUGFS_FILES >$W/failslab.out 2>&1
	st=$?
	fs_hits=$((FAULT_TIMES - $(cat $FI/failslab/times)))
	pa_hits=$((FAULT_TIMES - $(cat $FI/fail_page_alloc/times)))
	fault_disarm
	echo "# failslab: injected $fs_hits slab and $pa_hits page allocation failures"
	worker failslab "$st" "fault injection: of $(fig $W/failslab.out reads) reads $(($(fig $W/failslab.out open_enomem) + $(fig $W/failslab.out read_enomem))) failed with ENOMEM ($(fig $W/failslab.out open_enomem) in open, $(fig $W/failslab.out read_enomem) in read), $(fig $W/failslab.out complete) were whole; no other outcome"
	check "fault injection: failslab failed $fs_hits allocations of the reader" test "$fs_hits" -gt 0
	check "after fault injection: every cell of /proc/tcptw equals /proc/net/tcp{,6}" \
		tcptw-verify compare
else
	not_ok "fault injection armed (failslab, fail_page_alloc under $FI; caches marked:${marked:- none})"
fi

# --- the end ----------------------------------------------------------------------------------
check "rmmod tcptw" rmmod tcptw
# The host scans the whole console; this counts what the stress itself caused.
reports=$(dmesg | sed -n '/tcptw-stress: start/,$p' |
	grep -c -E 'BUG:|WARNING:|KASAN|UBSAN|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|general protection fault|Call Trace:|list_(add|del) corruption|refcount_t:')
check "dmesg since the stress began: $reports kernel problem reports (the host scans them all)" \
	test "$reports" -eq 0

conns=$(sum connections $W/tw.out $W/ctw.out $W/rst.out $W/v6.out $W/mapped.out)
reads=$(($(sum reads $W/read1.out $W/read2.out $W/read3.out) + $(fig $W/netns.out checked) * 2 +
	$(fig $W/hold.out proc_whole) + $(fig $W/hold.out debugfs_held) + $(fig $W/failslab.out complete)))
enomem=$(($(fig $W/failslab.out open_enomem) + $(fig $W/failslab.out read_enomem)))
echo "# figures: connections $conns, reads $reads, namespaces $(fig $W/netns.out namespaces)," \
	"load_unload $cycles, rmmod_busy $(fig $W/reload.out rmmod_busy)," \
	"proc_eio $(($(sum proc_eio $W/read1.out $W/read2.out $W/read3.out) + $(fig $W/hold.out proc_eio)))," \
	"failslab_hits $fs_hits, page_alloc_hits $pa_hits, enomem $enomem, paws_injected $injected," \
	"param_flips $flips, reports $reports"
echo "# stress: $n tests, $failed failed"
[ "$failed" -eq 0 ]
