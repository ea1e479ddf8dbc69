#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: for each Debian kernel (6.1, 6.12) build tcptw.ko with W=1,
# boot the kernel under QEMU TCG and run tests/vm/scenario.sh there. Prints
# every test line and ends with "N passed, N failed"; exits 1 if any failed.
#
# TCPTW_KERNELS="6.1" limits the kernels; TCPTW_SKIP_DEPS=1 skips apt.

set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TCPTW_ROOT"

passed=0
failed=0

# result STATUS DESCRIPTION: count and print one test line.
result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
	fi
}

# One kernel: build, boot, fold the VM's test lines into ours.
check_kernel() {
	local flavor=$1 kver kdir vmlinuz out status line
	local KVER KDIR VMLINUZ KMODDIR DEBVER

	eval "$(tests/qemu/kernel.sh "$flavor")"
	kver=$KVER
	kdir=$KDIR
	vmlinuz=$VMLINUZ
	out=$TCPTW_BUILD/$kver
	echo "# kernel $flavor: $kver (Debian $DEBVER)"

	if ! build_module "$kdir" "$out/src" "$out/build.log"; then
		result 1 "$kver: module builds"
		sed 's/^/#   /' "$out/build.log"
		return
	fi
	result 0 "$kver: module builds"
	if grep -i 'warning:' "$out/build.log" | sed 's/^/#   /' | grep .; then
		result 1 "$kver: W=1 build has no warnings"
	else
		result 0 "$kver: W=1 build has no warnings"
	fi

	make_overlay "$out/overlay" "$out/src/tcptw.ko" "$TCPTW_BUILD/vm-bin" \
		tests/vm/scenario.sh
	status=0
	tests/qemu/vm.sh --kernel "$vmlinuz" --overlay "$out/overlay" \
		--log "$out/console.log" --timeout 900 --quiet || status=$?

	while IFS= read -r line; do
		case "$line" in
		"ok "*) passed=$((passed + 1)); echo "ok - $kver: ${line#ok * - }" ;;
		"not ok "*) failed=$((failed + 1)); echo "not ok - $kver: ${line#not ok * - }" ;;
		"# "*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$out/console.log" | sed -n '/^TCPTW-VM: exit/q;p')

	if grep -q '^# [0-9]* tests, [0-9]* failed' "$out/console.log"; then
		result 0 "$kver: the scenario ran to its end"
	else
		result 1 "$kver: the scenario ran to its end"
	fi
	if tests/qemu/scan-kernel-log.sh "$out/console.log" >"$out/kernel-report.txt"; then
		result 0 "$kver: no Oops, BUG, WARNING, KASAN or lockdep report on the console"
	else
		sed 's/^/#   /' "$out/kernel-report.txt"
		result 1 "$kver: no Oops, BUG, WARNING, KASAN or lockdep report on the console"
	fi
	case $status in
	0 | 1) ;;
	*) result 1 "$kver: VM ended normally (vm.sh status $status; console in $out/console.log)" ;;
	esac
}

scripts/install-deps.sh
build_vm_programs "$TCPTW_BUILD/vm-bin"

for flavor in ${TCPTW_KERNELS:-6.1 6.12}; do
	check_kernel "$flavor"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
