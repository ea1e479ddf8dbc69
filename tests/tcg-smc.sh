#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Why tests/check.sh runs the debug kernel (and its stress run) on
# single-threaded TCG: Debian's stock 6.1 kernel, without tcptw, has its own
# kretprobe events switched on and off under connection churn
# (tests/vm/kprobe-events.sh), once with -accel tcg,thread=multi and once
# with thread=single. On QEMU 7.2 the multi-threaded run is expected to end
# in a kernel report (a jump to NULL or a vCPU spinning on a stale int3 at
# a probed function's entry), the single-threaded one to end clean.
# Prints one line per mode; exits 0 when single is clean.

set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TCPTW_ROOT"

out=$TCPTW_BUILD/tcg-smc
eval "$(tests/qemu/kernel.sh 6.1)"
build_vm_programs "$out/vm-bin" >/dev/null
mkdir -p "$out/overlay/bin"
cp "$out/vm-bin/tcptw-stress" "$out/overlay/bin/"
cp tests/vm/kprobe-events.sh "$out/overlay/test.sh"
status=0
for mode in multi single; do
	st=0
	tests/qemu/vm.sh --kernel "$VMLINUZ" --overlay "$out/overlay" --tcg-threads $mode \
		--timeout 300 --log "$out/console-$mode.log" --quiet >/dev/null 2>&1 || st=$?
	if [ $st -eq 0 ]; then
		echo "thread=$mode: clean ($(grep -a '^# kprobe-events' "$out/console-$mode.log" | tr -d '\r'))"
	else
		echo "thread=$mode: vm.sh status $st: $(tests/qemu/scan-kernel-log.sh \
			"$out/console-$mode.log" | head -n 2 | tr '\n' ' ')"
		[ $mode = multi ] || status=1
	fi
done
exit $status
