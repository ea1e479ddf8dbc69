#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test.sh of tests/tcg-smc.sh: no tcptw here. The kernel's own kretprobe
# events on the functions tcptw probes, enabled and disabled
# TCPTW_KPROBE_CYCLES times (default 40) while two generators churn IPv4
# and IPv6 connections through them: kernel text patched under load, as
# each load and unload of tcptw does.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

T=/sys/kernel/tracing
mount -t tracefs none $T 2>/dev/null
if [ ! -w $T/kprobe_events ]; then
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	T=/sys/kernel/debug/tracing
fi
STOP=/tmp/kprobe-events.stop
ip -6 addr add fd00:8::1/128 dev lo
tcptw-stress churn --stop $STOP --mode mix --family 4 --src 127.0.10.1 --peers 10 \
	--dst 127.0.0.1 --port 9100 >/tmp/churn4 2>&1 &
tcptw-stress churn --stop $STOP --mode mix --family 6 --src fd00:8::1 --peers 1 \
	--dst ::1 --port 9101 >/tmp/churn6 2>&1 &
i=0
while [ $i -lt "${TCPTW_KPROBE_CYCLES:-40}" ]; do
	for f in tcp_timewait_state_process tcp_check_req tcp_rcv_state_process \
		 tcp_v4_do_rcv tcp_v6_do_rcv; do
		echo "r:tcg_$f $f" >>$T/kprobe_events
	done
	echo 1 >$T/events/kprobes/enable
	sleep 0.05
	echo 0 >$T/events/kprobes/enable
	echo >$T/kprobe_events
	i=$((i + 1))
done
touch $STOP
wait
echo "# kprobe-events: $i enable/disable cycles under churn: $(cat /tmp/churn4 /tmp/churn6 | tr '\n' ' ')"
