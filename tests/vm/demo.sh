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
echo "==> cat /proc/tcptw (summary and the first 25 peers)"
head -n 43 /proc/tcptw
echo "    ... $(tcptw-verify key peers) peers in all"
echo "==> is it right? every cell against /proc/net/tcp{,6}:"
tcptw-verify compare
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
