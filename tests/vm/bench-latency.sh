# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC3043 # busybox ash has local
#
# Sourced by the in-VM bench script (busybox ash): scheduling latency while a
# reader loops over /proc/tcptw, against the same load reading /proc/net/tcp
# and against no reader, with connection churn running under all three.
# tcptw-latency (tests/vm/latency.c) measures; it must be on PATH, as must
# tcptw-bench for the churn. Each measurement prints one line:
#   BENCH latency size SIZE reader R run K max_us M p99_us P samples N fifo F
# and one line of context the report may ignore:
#   BENCH latency_ctx size SIZE reader R run K reads N tw T inuse I
# (reads: how many cats the reader loop finished in the window, the one cut
# off at its end not counted, so a read slower than the window shows 0 while
# the reader was busy throughout; tw and inuse from /proc/net/sockstat just
# before it).
#
# LATENCY_READER_CPU=C (unset by default) pins the reader loop to CPU C and
# the churn to the other CPUs, and adds per CPU, from tcptw-latency --per-cpu:
#   BENCH latency_cpu size SIZE reader R run K cpu C reader_cpu 0|1 max_us M
#     p99_us P p999_us Q samples N
# (one line): the host's scheduling of the VM's vCPUs hits every CPU alike,
# a long non-preemptible stretch in the reader's read only CPU C, so the other
# CPUs are the control the whole-VM maximum lacks. LATENCY_ARGS adds
# arguments to tcptw-latency (e.g. --interval-us 2000).
#
# Order: round K runs the three readers in the order of round K-1 rotated by
# one (idle tcptw net_tcp, then tcptw net_tcp idle, then net_tcp idle
# tcptw, ...), so over every three rounds each reader runs once first,
# second and third: TIME-WAIT from the churn grows and a drifting host load
# falls on all readers alike. LATENCY_ROUNDS (default 3, at least 3) sets the
# rounds.
#
# Functions and globals are prefixed latency_; every other variable is local,
# so the caller's survive. Safe under set -eu.

LATENCY_READERS="idle proc_tcptw proc_net_tcp"
latency_churn_pid=
latency_reader_pid=
latency_churn_log=/tmp/latency-churn.log

# latency_stop PID: stop a loop of latency_reader_start or
# latency_churn_start (each kills its running child on TERM) and reap it.
# Never fails; an empty PID is nothing to stop.
latency_stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# latency_reader_start READER COUNTFILE: a background loop reading the file of
# READER (proc_tcptw, proc_net_tcp) to /dev/null until TERM, then writing the
# reads it finished to COUNTFILE; its pid in latency_reader_pid (a child of
# this shell, so that latency_stop can reap it). Each read runs as a child
# the loop waits for: ash's wait returns at once on a trapped signal, and the
# trap kills a read in progress.
latency_reader_start() {
	local file

	case $1 in
	proc_tcptw) file=/proc/tcptw ;;
	proc_net_tcp) file=/proc/net/tcp ;;
	*) echo "latency_reader_start: unknown reader '$1'" >&2; return 1 ;;
	esac
	(
		# The caller's set -e would end the trap at the killed read's status.
		set +e
		n=0 c='' countfile=$2
		trap 'kill -KILL $c 2>/dev/null; wait $c; echo $n >"$countfile"; exit 0' TERM
		while :; do
			cat "$file" >/dev/null &
			c=$!
			wait $c
			n=$((n + 1))
		done
	) </dev/null >/dev/null 2>&1 &
	latency_reader_pid=$!
}

# latency_churn_start [PORT]: connection churn in the background until
# latency_churn_stop: tcptw-bench crr (connect, request, server closes first:
# one server-side TIME-WAIT per connection, from 250 peers 127.4.0.x) in
# 5-second runs, each on the next of 100 listening ports from PORT (default
# 9400), so no 4-tuple comes back while its TIME-WAIT lives. Each run's
# "crr cps R" goes to $latency_churn_log. Does nothing if already running.
latency_churn_start() {
	local base="${1:-9400}" others=''

	[ -z "$latency_churn_pid" ] || return 0
	: >"$latency_churn_log"
	if [ -n "${LATENCY_READER_CPU:-}" ]; then
		others=$(awk -v n="$(nproc)" -v c="$LATENCY_READER_CPU" 'BEGIN {
			for (i = 0; i < n; i++) if (i != c) s = s (s == "" ? "" : ",") i
			print s }')
	fi
	(
		set +e
		i=0 c=''
		trap 'kill -KILL $c 2>/dev/null; wait $c; exit 0' TERM
		while :; do
			# shellcheck disable=SC2086 # no taskset when unset
			${others:+taskset -c $others} tcptw-bench crr \
				--port $((base + i % 100)) --seconds 5 \
				--base 127.4.0.1 >>"$latency_churn_log" 2>&1 &
			c=$!
			wait $c
			i=$((i + 1))
		done
	) </dev/null >/dev/null 2>&1 &
	latency_churn_pid=$!
}

# latency_churn_stop: stop the churn; one line with the mean rate of its
# finished runs: BENCH info latency_churn_cps R runs N.
latency_churn_stop() {
	[ -n "$latency_churn_pid" ] || return 0
	latency_stop "$latency_churn_pid"
	latency_churn_pid=
	awk '$1 == "crr" && $2 == "cps" { s += $3; n++ }
		$1 != "crr" { bad++ }
		END { printf "BENCH info latency_churn_cps %.0f runs %d%s\n",
			n ? s / n : 0, n, bad ? " errors " bad : "" }' "$latency_churn_log"
}

# latency_field KEY LINE: the value after KEY in a "key value ..." LINE.
latency_field() {
	echo "$2" | awk -v k="$1" '{ for (i = 1; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }'
}

# latency_one SIZE READER RUN SECONDS: one measurement and its BENCH lines.
latency_one() {
	local size="$1" reader="$2" run="$3" secs="$4" pid='' out line reads=- tw inuse
	local cnt=/tmp/latency-reads.$$

	rm -f "$cnt"
	tw=$(awk '$1 == "TCP:" { print $7 }' /proc/net/sockstat)
	inuse=$(awk '$1 == "TCP:" { print $3 }' /proc/net/sockstat)
	if [ "$reader" != idle ]; then
		latency_reader_start "$reader" "$cnt" || return 1
		pid=$latency_reader_pid
		[ -z "${LATENCY_READER_CPU:-}" ] ||
			taskset -p -c "$LATENCY_READER_CPU" "$pid" >/dev/null
		# Let the loop get going: its first read is under way.
		sleep 0.2
	fi
	# shellcheck disable=SC2086 # LATENCY_ARGS: words on purpose
	if out=$(tcptw-latency --seconds "$secs" ${LATENCY_READER_CPU:+--per-cpu} \
		${LATENCY_ARGS:-}); then
		:
	else
		out=
	fi
	latency_stop "$pid"
	[ ! -s "$cnt" ] || reads=$(cat "$cnt")
	rm -f "$cnt"
	if [ -z "$out" ]; then
		echo "BENCH error latency size $size reader $reader run $run: tcptw-latency failed"
		return 1
	fi
	line=$(echo "$out" | head -n 1)
	echo "BENCH latency size $size reader $reader run $run" \
		"max_us $(latency_field max_us "$line")" \
		"p99_us $(latency_field p99_us "$line")" \
		"samples $(latency_field samples "$line")" \
		"fifo $(latency_field fifo "$line")"
	echo "$out" | awk -v pre="BENCH latency_cpu size $size reader $reader run $run" \
		-v rc="${LATENCY_READER_CPU:-}" '$1 == "cpu" {
		print pre, "cpu", $2, "reader_cpu", ($2 == rc && rc != "") ? 1 : 0,
			"max_us", $6, "p99_us", $8, "p999_us", $10, "samples", $4 }'
	echo "BENCH latency_ctx size $size reader $reader run $run reads $reads tw $tw inuse $inuse"
}

# latency_run SIZE SECONDS: LATENCY_ROUNDS rounds of the three readers, each
# measured for SECONDS, in the rotating order above. Starts the churn
# (latency_churn_start) for its own duration unless the caller has already
# started it; the caller holds the sockets of SIZE open. Returns 1 if a
# measurement failed (after all of them ran), else 0.
latency_run() {
	local size="$1" secs="$2" rounds="${LATENCY_ROUNDS:-3}" order="$LATENCY_READERS"
	local own_churn=0 k=1 r st=0

	case $secs in '' | *[!0-9]* | 0) echo "latency_run: SECONDS '$secs'" >&2; return 1 ;; esac
	case $rounds in '' | *[!0-9]*) rounds=3 ;; esac
	[ "$rounds" -ge 3 ] || rounds=3
	if [ -z "$latency_churn_pid" ]; then
		latency_churn_start 9400
		own_churn=1
		# The first connections are made before the first window.
		sleep 1
	fi
	while [ $k -le "$rounds" ]; do
		for r in $order; do
			latency_one "$size" "$r" "$k" "$secs" || st=1
		done
		order="${order#* } ${order%% *}"
		k=$((k + 1))
	done
	[ "$own_churn" = 0 ] || latency_churn_stop
	return $st
}
