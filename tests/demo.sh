#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's 6.1 kernel under QEMU, load tcptw.ko, make
# realistic traffic (many short inbound clients, an outbound burst to one
# database, long-lived connections) and show /proc/tcptw beside the kernel's
# own counters. TCPTW_DEMO_KERNEL=6.12 boots the other kernel instead.

set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TCPTW_ROOT"

flavor=${TCPTW_DEMO_KERNEL:-6.1}
scripts/install-deps.sh
eval "$(tests/qemu/kernel.sh "$flavor")"
out=$TCPTW_BUILD/$KVER

echo "==> building tcptw.ko for $KVER"
if ! build_module "$KDIR" "$out/src" "$out/build.log"; then
	cat "$out/build.log" >&2
	exit 1
fi
build_vm_programs "$TCPTW_BUILD/vm-bin"
make_overlay "$out/demo-overlay" "$out/src/tcptw.ko" "$TCPTW_BUILD/vm-bin" \
	tests/vm/demo.sh

echo "==> booting Debian $DEBVER under QEMU (TCG, about a minute)"
status=0
tests/qemu/vm.sh --kernel "$VMLINUZ" --overlay "$out/demo-overlay" \
	--log "$out/demo-console.log" --timeout 300 --quiet || status=$?
tr -d '\r' <"$out/demo-console.log" | sed -n '/^==> /,/^TCPTW-VM: exit/p' |
	grep -v '^TCPTW-VM: exit'
if [ "$status" -ne 0 ]; then
	echo "demo failed (status $status); console: $out/demo-console.log" >&2
	exit 1
fi
