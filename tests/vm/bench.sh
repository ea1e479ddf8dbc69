#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, run as /test.sh inside the VM (tests/bench.sh boots it): the
# sizes -- a: 20k TIME-WAIT over 1,000 peers, a2: 20k client-side TIME-WAIT to
# the same number of peers on 20k distinct outbound tuples, b: the largest steady TIME-WAIT count (65 s
# at full speed, then measured while it drains), c: 100k loopback connections
# held open (200k ESTABLISHED) plus 20k TIME-WAIT -- and at each size every
# method timed by tcptw-bench in rounds (the method order rotates each round).
# When the overlay has them: the BPF anchor (/bench-iter.sh: `cat
# /sys/fs/bpf/tcptw_tw`, an iter/tcp program, as one more method at sizes a and
# c, and its check against /proc/tcptw) and the latency probe
# (/bench-latency.sh, tcptw-latency) at sizes a and c. The packet path has a VM
# of its own (tests/vm/bench-path.sh). Every result is one line starting
# "BENCH " for the host to parse. TCPTW_BENCH_QUICK=1 (kernel command line)
# makes everything small; TCPTW_BENCH_TW_A, _PEERS, _GEN_B, _HOLD_C and _TW_C
# (kernel command line) override single sizes, for a run at sizes the bench
# does not use.

set -eu
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

if [ "${TCPTW_BENCH_QUICK:-0}" = 1 ]; then
	rounds_a=3 rounds_b=3 rounds_c=3 tw_a=2000 peers=100 gen_b=15
	hold_c=5000 tw_c=2000 latency_s=1
else
	rounds_a=7 rounds_b=5 rounds_c=5 tw_a=20000 peers=1000 gen_b=65
	hold_c=100000 tw_c=20000 latency_s=5
fi
tw_a=${TCPTW_BENCH_TW_A:-$tw_a}
peers=${TCPTW_BENCH_PEERS:-$peers}
gen_b=${TCPTW_BENCH_GEN_B:-$gen_b}
hold_c=${TCPTW_BENCH_HOLD_C:-$hold_c}
tw_c=${TCPTW_BENCH_TW_C:-$tw_c}

COUNT=/sys/kernel/debug/tcptw/count
WALK_STATS=/sys/kernel/debug/tcptw/walk_stats
PIPELINE="/usr/bin/ss -tan state time-wait | /usr/bin/mawk '{print \$4}' | /usr/bin/sed 's/:[0-9]*\$//' | /usr/bin/sort | /usr/bin/uniq -c | /usr/bin/sort -rn"

fail() {
	echo "BENCH error $*"
	exit 1
}

# tw_now: the TIME-WAIT count of /proc/net/sockstat.
tw_now() {
	awk '$1 == "TCP:" { print $7 }' /proc/net/sockstat
}

# drain SECONDS: wait (at most SECONDS) until no TIME-WAIT is left.
drain() {
	i=0
	while [ "$(tw_now)" -gt 0 ] && [ $i -lt "$1" ]; do
		sleep 1
		i=$((i + 1))
	done
	echo "BENCH info drained_tw $(tw_now) after_s $i"
}

# The host's ss and GNU tools, at /usr/bin (busybox applets live in /bin).
for t in ss mawk sed sort uniq; do
	[ -x /usr/bin/$t ] || fail "no /usr/bin/$t in the VM"
done

# Room for 100k+ TIME-WAIT and 200k descriptors.
echo 2000000 >/proc/sys/net/ipv4/tcp_max_tw_buckets
echo 2000000 >/proc/sys/fs/nr_open
echo 65535 >/proc/sys/net/core/somaxconn
# shellcheck disable=SC3045 # busybox ash has ulimit -n
ulimit -n 1000000

echo "BENCH info kver $(uname -r)"
echo "BENCH info cmdline $(cat /proc/cmdline)"
echo "BENCH info cpus $(grep -c ^processor /proc/cpuinfo)"
echo "BENCH info mem_kb $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
dmesg | grep -m1 'TCP established hash table entries' | sed 's/^\[[^]]*\] */BENCH info dmesg /'
echo "BENCH info tcp_max_tw_buckets $(cat /proc/sys/net/ipv4/tcp_max_tw_buckets)"
echo "BENCH info sizes tw_a $tw_a peers $peers gen_b $gen_b hold_c $hold_c tw_c $tw_c"

# --- the BPF anchor and the latency probe, when the overlay has them ----------------------------
iter_ok=0
if [ -r /bench-iter.sh ] && [ -r /iter_tcp.bpf.o ]; then
	# shellcheck source=tests/vm/bench-iter.sh disable=SC1091 # another helper's, may be absent
	. /bench-iter.sh
	if iter_load; then
		iter_ok=1
	fi
else
	echo "BENCH na bpf_iter not in this build (no tests/vm/bench-iter.sh or iter_tcp.bpf.o)"
fi
latency_ok=0
if [ -r /bench-latency.sh ] && command -v tcptw-latency >/dev/null; then
	# shellcheck source=tests/vm/bench-latency.sh
	. /bench-latency.sh
	latency_ok=1
else
	echo "BENCH na latency not in this build (no tests/vm/bench-latency.sh or latency.c)"
fi

# latency SIZE: the latency probe while SIZE is held.
latency() {
	[ $latency_ok = 1 ] || return 0
	latency_run "$1" $latency_s || echo "BENCH error latency size $1: latency_run failed"
}

insmod /tcptw.ko
echo "BENCH info ehash_buckets $(awk '$1 == "ehash_buckets" { print $2 }' /proc/tcptw)"
echo "BENCH info tcptw_version $(head -n1 /proc/tcptw)"
# The walk of an empty table: the fixed cost of visiting every bucket.
awk '$1 == "sockets" || $1 == "walk_us" || $1 == "tw_count" || $1 == "peers" {
	v = v " " $1 " " $2 } END { print "BENCH walk size empty round 1" v }' /proc/tcptw

# --- timed methods -------------------------------------------------------------------------------
# run_method SIZE ROUND METHOD: one timed run, one BENCH run line.
run_method() {
	case $3 in
	tcptw_proc) set -- "$1" "$2" "$3" -- cat /proc/tcptw ;;
	tcptw_tool) set -- "$1" "$2" "$3" -- tcptw ;;
	proc_net_tcp) set -- "$1" "$2" "$3" -- cat /proc/net/tcp ;;
	ss_tw) set -- "$1" "$2" "$3" -- /usr/bin/ss -tan state time-wait ;;
	ss_pipeline) set -- "$1" "$2" "$3" --sh -- "$PIPELINE" ;;
	ss_s) set -- "$1" "$2" "$3" -- /usr/bin/ss -s ;;
	count) set -- "$1" "$2" "$3" -- cat $COUNT ;;
	bpf_iter) set -- "$1" "$2" "$3" -- cat /sys/fs/bpf/tcptw_tw ;;
	null) set -- "$1" "$2" "$3" -- cat /dev/null ;;
	esac
	s=$1 r=$2 m=$3
	shift 3
	if out=$(tcptw-bench time "$@"); then
		echo "BENCH run size $s method $m round $r $out"
	else
		echo "BENCH error size $s method $m round $r failed"
	fi
}

# measure SIZE ROUNDS: every method once per round, the order rotating.
measure() {
	# null: cat /dev/null, what starting any command costs in this VM.
	methods="tcptw_proc tcptw_tool proc_net_tcp ss_tw ss_pipeline ss_s null"
	if [ -r $COUNT ]; then
		methods="$methods count"
	else
		echo "BENCH na size $1 method count"
	fi
	# The BPF anchor where issue 17 compares with it.
	case $1 in
	a | c) [ $iter_ok = 0 ] || methods="$methods bpf_iter" ;;
	esac
	r=1
	while [ $r -le "$2" ]; do
		# What the module saw at the start of this round.
		awk -v s="$1" -v r=$r '$1 == "sockets" || $1 == "walk_us" || $1 == "tw_count" || $1 == "peers" {
			v = v " " $1 " " $2 } END { print "BENCH walk size " s " round " r v }' /proc/tcptw
		for m in $methods; do
			run_method "$1" "$r" "$m"
		done
		# Rotate: the first method goes last.
		methods="${methods#* } ${methods%% *}"
		r=$((r + 1))
	done
	# One fresh full walk, then what it measured; the count-only walk.
	cat /proc/tcptw >/dev/null
	if [ -r $WALK_STATS ]; then
		echo "BENCH walkstats size $1 $(tr '\n' ' ' <$WALK_STATS)"
	else
		echo "BENCH na size $1 walkstats"
	fi
	if [ -r $COUNT ]; then
		echo "BENCH countwalk size $1 $(tr '\n' ' ' <$COUNT)"
	fi
	echo "BENCH sockstat size $1 $(grep '^TCP:' /proc/net/sockstat)"
}

# --- a: 20k TIME-WAIT over 1,000 peers ------------------------------------------------------------
echo "BENCH phase a start"
g=$(tcptw-bench tw --count $tw_a --peers $peers --port 9100 --workers 2) || fail "tw a"
echo "BENCH gen size a $g"
[ $iter_ok = 0 ] || iter_check a || echo "BENCH error itercheck size a failed"
measure a $rounds_a
latency a

# --- a2: as many TIME-WAIT client-side to as many peers, each on its own outbound tuple ------------
# Size a's TIME-WAIT (and the latency probe's churn) must be gone: both
# tables are walked alike, so only what a2 holds may be in them.
drain 80
echo "BENCH phase a2 start"
g=$(tcptw-bench tw --outbound --count $tw_a --peers $peers --port 9150) || fail "tw a2"
echo "BENCH gen size a2 $g"
measure a2 $rounds_a

# --- b: full speed for gen_b seconds (TIME-WAIT lives 60 s), then measured as it drains ------------
echo "BENCH phase b start"
g=$(tcptw-bench tw --seconds $gen_b --peers $peers --port 9200 --workers 2) || fail "tw b"
echo "BENCH gen size b $g"
measure b $rounds_b

# --- c: 100k connections held open (200k ESTABLISHED) plus 20k TIME-WAIT ---------------------------
echo "BENCH phase c start"
rm -f /tmp/hold.ready
tcptw-bench hold --conns $hold_c --port 9300 --ready /tmp/hold.ready >/tmp/hold.log 2>&1 &
hold=$!
i=0
while [ ! -e /tmp/hold.ready ]; do
	kill -0 $hold 2>/dev/null || { cat /tmp/hold.log; fail "hold died"; }
	i=$((i + 1))
	[ $i -lt 6000 ] || fail "hold: not ready after 600 s"
	sleep 0.1
done
echo "BENCH gen size c $(cat /tmp/hold.log) after_s $((i / 10))"
g=$(tcptw-bench tw --count $tw_c --peers $peers --port 9310 --workers 2) || fail "tw c"
echo "BENCH gen size c $g"
# The iterator's counts against the tw column while every TIME-WAIT is fresh
# (the timed rounds take longer than TIME-WAIT lives at size c).
[ $iter_ok = 0 ] || iter_check c || echo "BENCH error itercheck size c failed"
measure c $rounds_c
latency c
kill $hold
wait $hold || true
rmmod tcptw
[ $iter_ok = 0 ] || iter_unload || true
echo "BENCH done"
