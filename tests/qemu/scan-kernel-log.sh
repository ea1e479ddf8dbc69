#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a kernel console/dmesg log for kernel problem reports (oops, BUG, WARNING, KASAN, lockdep,
# RCU, kmemleak, ...). Exit 0 clean, 1 with the matching lines (deduplicated) on stdout, 2 usage.
# TCPTW_SCAN_IGNORE (extended regex) drops matching lines that are known to be harmless.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: ${0##*/} LOGFILE" >&2
	exit 2
fi
log=$1
if [ ! -r "$log" ]; then
	echo "${0##*/}: cannot read '$log'" >&2
	exit 2
fi

# Problem-report signatures. "Call Trace:" and "invalid opcode:" also catch the 6.1 x86 die()
# banner, which does not say "Oops".
pattern='Oops|BUG:|kernel BUG at|WARNING:|Kernel panic|KASAN|UBSAN|KFENCE|possible circular locking'
pattern+='|inconsistent lock state|possible recursive locking|suspicious RCU usage'
pattern+='|general protection fault|unreferenced object|Call Trace:|invalid opcode:'
pattern+='|Unable to handle kernel|list_(add|del) corruption|refcount_t:|soft lockup|hard LOCKUP'
pattern+='|blocked for more than [0-9]+ seconds|rcu: INFO:|detected stalls? on CPU'
# The workqueue's deprecation notice (7.x), where it names one of ours.
pattern+='|work func tcptw_[a-z0-9_]+ enqueued on deprecated workqueue'

# vm.sh's own "TCPTW-VM: kernel-report:" lines are not scanned again.
matches=$(tr -d '\r' <"$log" | grep -a -E -- "$pattern" | grep -a -v '^TCPTW-VM: kernel-report: ' |
	awk '!seen[$0]++' || true)
if [ -n "$matches" ] && [ -n "${TCPTW_SCAN_IGNORE:-}" ]; then
	matches=$(printf '%s\n' "$matches" | grep -a -v -E -- "$TCPTW_SCAN_IGNORE" || true)
fi
if [ -n "$matches" ]; then
	printf '%s\n' "$matches"
	exit 1
fi
exit 0
