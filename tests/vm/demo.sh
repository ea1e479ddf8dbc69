#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run as /test.sh inside the VM: a web service on :8080 taking
# short connections from 300 clients, 800 outbound connections to one
# database, some long-lived and half-closed connections; then the report.

set -eu
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

echo "==> insmod tcptw.ko ($(uname -r))"
insmod /tcptw.ko

echo "==> making traffic: 300 web clients, an outbound burst to 127.0.20.1:5432, long-lived connections"
tcptw-traffic demo --ready /tmp/ready >/tmp/traffic.log 2>&1 &
traffic=$!
i=0
while [ ! -e /tmp/ready ]; do
	kill -0 $traffic 2>/dev/null || { cat /tmp/traffic.log; exit 1; }
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "traffic generator timed out"; exit 1; }
	sleep 0.1
done

echo "==> the kernel's own view: /proc/net/sockstat"
grep '^TCP:' /proc/net/sockstat
echo "==> PAWS: 5 SYNs from 127.0.30.1 refused by TIME-WAIT (clients behind a NAT), 2 old segments on a connection of 127.0.30.2"
tcptw-traffic paws tw --addr 127.0.30.1 --port 8443 --count 5 >/dev/null
tcptw-traffic paws estab --addr 127.0.30.2 --port 8444 --count 2 >/dev/null
echo "==> cat /proc/tcptw (summary and the first 25 peers)"
head -n 55 /proc/tcptw
echo "    ... $(tcptw-verify key peers) peers in all"
echo "==> the port table and the PAWS table of /proc/tcptw"
sed -n '/^tuple /,$p' /proc/tcptw
echo "==> is it right? every cell against /proc/net/tcp{,6}, tuples too:"
tcptw-verify compare
tcptw-verify tuples
echo "==> debugfs, root only: /sys/kernel/debug/tcptw/{sockets,ttl_hist,paws_log}"
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
head -n 4 /sys/kernel/debug/tcptw/sockets
cat /sys/kernel/debug/tcptw/ttl_hist
cat /sys/kernel/debug/tcptw/paws_log
echo "==> tcptw --top 10"
tcptw --top 10
echo "==> tcptw check --warn 'peer.tw_out>500' --crit 'tw_pressure_pct>90'"
tcptw check --warn 'peer.tw_out>500' --crit 'tw_pressure_pct>90' || true
echo "==> tcptw -o prom --top 2 (excerpt)"
tcptw -o prom --top 2 | grep -E '^tcptw_(tw_|peer_sockets.*time_wait)' | head -n 12
echo "==> tcptw doctor"
tcptw doctor || true
kill $traffic
wait $traffic || true
rmmod tcptw
