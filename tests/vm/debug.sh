#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test.sh of the debug kernel (KASAN, lockdep, kmemleak): the KUnit suites,
# then the whole foundation scenario, bad input and isolation, the stress
# run, then a kmemleak scan. Any report the kernel prints fails the run on
# the host (tests/qemu/scan-kernel-log.sh).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

# TCPTW_PARTS (from the kernel command line): "all", "kunit" or "stress"
# alone, or "checks": all but the stress run (the second debug kernel).
status=0
if [ "${TCPTW_PARTS:-all}" != stress ]; then
	sh /kunit.sh || status=1
fi
if [ "${TCPTW_PARTS:-all}" = all ] || [ "${TCPTW_PARTS:-all}" = checks ]; then
	# KASAN under TCG: ~80 connections/s, 2,000 TIME-WAIT fit well in 60 s.
	# The debug kernels are built without CONFIG_TUN: scenario.sh skips
	# its tun part, saying why, unless /dev/net/tun is there after all.
	TCPTW_SCALE_PER_PEER=8 \
	TCPTW_NO_TUN="no tun device on the debug kernel (tests/qemu/debug.config has no CONFIG_TUN)" \
		sh /scenario.sh || status=1
	# Every writable file and parameter, permissions, namespaces, pointers.
	sh /badinput.sh || status=1
fi
# Churn, reloads under readers, fault injection (TCPTW_STRESS_SECONDS); last,
# so the kmemleak scan below also covers it.
if [ "${TCPTW_PARTS:-all}" = all ] || [ "${TCPTW_PARTS:-all}" = stress ]; then
	sh /stress.sh || status=1
fi

# Everything is unloaded by now: what tcptw leaked is unreferenced.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 1
	echo scan >$KMEMLEAK
	leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	cat $KMEMLEAK
	if [ "$leaks" -eq 0 ]; then
		echo "ok 1 - kmemleak: no leaks after load, tests and unload"
	else
		echo "not ok 1 - kmemleak: $leaks unreferenced objects"
		status=1
	fi
else
	echo "not ok 1 - kmemleak: $KMEMLEAK is not there"
	status=1
fi
exit $status
