#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: for each Debian kernel (6.1, 6.12) build tcptw.ko with W=1,
# boot the kernel under QEMU TCG and run tests/vm/scenario.sh there (with
# tests/vm/nat.sh, the host's nft and the netfilter modules), then
# tests/vm/badinput.sh and isolation.sh; then the same on a debug kernel
# (KASAN, lockdep, kmemleak) built from Debian's linux-source-6.1, preceded
# by the KUnit suites and followed by tests/vm/stress.sh. Prints every test
# line and ends with "N passed, N failed"; exits 1 if any failed.
#
# After the tool tests, tests/lint.sh (make lint): checkpatch --strict,
# sparse, the tool's -Wextra build and cppcheck.
#
# Last, tests/packaging.sh (make check-packaging): the .debs built, installed
# here through DKMS for both kernels, booted, upgraded and purged; the RPM
# build-tested.
#
# TCPTW_KERNELS="6.1 debug" picks kernels; TCPTW_PARTS=kunit runs only the
# KUnit part on the debug kernel (make kunit), TCPTW_PARTS=stress only
# tests/vm/stress.sh, for TCPTW_STRESS_SECONDS (default 75; make stress);
# TCPTW_PACKAGING=0 leaves out the packaging part (quick loops; CI never sets
# it); TCPTW_SKIP_DEPS=1 skips apt.

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
	local build_args=() vm_args=() script=tests/vm/stock.sh
	local extra=(tests/vm/tap.sh tests/vm/scenario.sh tests/vm/nat.sh tests/vm/badinput.sh
		     tests/vm/isolation.sh)
	local ends=('^# [0-9]* tests, [0-9]* failed' '^# badinput: [0-9]* tests, [0-9]* failed'
		    '^# isolation: [0-9]* tests, [0-9]* failed') kernel_env
	local provider=(tests/qemu/kernel.sh "$flavor")

	[ "$flavor" != debug ] || provider=(tests/qemu/debug-kernel.sh)
	if ! kernel_env=$("${provider[@]}"); then
		result 1 "kernel $flavor: fetched or built (${provider[*]})"
		return
	fi
	eval "$kernel_env"
	# The NAT scenario's veth and nftables masquerade (dependencies follow).
	vm_args=(--modules "$KMODDIR" --mod veth --mod nf_tables --mod nft_chain_nat
		 --mod nft_masq)
	if [ "$flavor" = debug ]; then
		build_args=(CONFIG_TCPTW_KUNIT_TEST=m)
		# stress.sh: its seconds of churn, and the caches its failslab may
		# fail (tcptw's kmalloc()s, not vmalloc's bookkeeping: see
		# tests/qemu/debug.config).
		local stress_s=${TCPTW_STRESS_SECONDS:-75}
		local slub=A,kmalloc-256,kmalloc-512,kmalloc-1k,kmalloc-2k,kmalloc-4k,kmalloc-8k
		# Single-threaded TCG: stress.sh reloads the module (kprobes: kernel
		# text patched) under churn, which multi-threaded TCG cannot run
		# coherently (tests/qemu/vm.sh).
		vm_args+=(--mod kunit --tcg-threads single --timeout $((2400 + 2 * stress_s)) --append
			  "TCPTW_PARTS=${TCPTW_PARTS:-all} TCPTW_STRESS_SECONDS=$stress_s slub_debug=$slub")
		script=tests/vm/debug.sh
		extra+=(tests/vm/kunit.sh tests/vm/stress.sh)
		ends=()
		[ "${TCPTW_PARTS:-all}" = stress ] ||
			ends+=('^# kunit: [0-9]* tests, [0-9]* failed')
		[ "${TCPTW_PARTS:-all}" != all ] ||
			ends+=('^# [0-9]* tests, [0-9]* failed'
			       '^# badinput: [0-9]* tests, [0-9]* failed'
			       '^# isolation: [0-9]* tests, [0-9]* failed')
		[ "${TCPTW_PARTS:-all}" = kunit ] ||
			ends+=('^# stress: [0-9]* tests, [0-9]* failed')
	fi
	kver=$KVER
	kdir=$KDIR
	vmlinuz=$VMLINUZ
	out=$TCPTW_BUILD/$kver
	echo "# kernel $flavor: $kver (Debian $DEBVER)"

	if ! build_module "$kdir" "$out/src" "$out/build.log" "${build_args[@]}"; then
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

	[ "$flavor" != debug ] || extra+=("$out/src/kunit/tcptw_test.ko")
	make_overlay "$out/overlay" "$out/src/tcptw.ko" "$TCPTW_BUILD/vm-bin" \
		"$script" "${extra[@]}"
	if overlay_add_dynamic "$out/overlay" /usr/sbin/nft; then
		result 0 "$kver: nft and its libraries copied into the VM"
	else
		result 1 "$kver: nft and its libraries copied into the VM"
	fi
	status=0
	tests/qemu/vm.sh --kernel "$vmlinuz" --overlay "$out/overlay" \
		--log "$out/console.log" --timeout 900 --quiet "${vm_args[@]}" ||
		status=$?

	while IFS= read -r line; do
		case "$line" in
		"ok "*) passed=$((passed + 1)); echo "ok - $kver: ${line#ok * - }" ;;
		"not ok "*) failed=$((failed + 1)); echo "not ok - $kver: ${line#not ok * - }" ;;
		"# "*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$out/console.log" | sed -n '/^TCPTW-VM: exit/q;p')

	for line in "${ends[@]}"; do
		if grep -q "$line" "$out/console.log"; then
			result 0 "$kver: ran to its end ($line)"
		else
			result 1 "$kver: ran to its end ($line)"
		fi
	done
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

# The tool first: host only, no kernel needed.
while IFS= read -r line; do
	case "$line" in
	"ok "*) passed=$((passed + 1)); echo "ok - tool: ${line#ok * - }" ;;
	"not ok "*) failed=$((failed + 1)); echo "not ok - tool: ${line#not ok * - }" ;;
	"# "*[0-9]" passed, "*) ;;
	*) echo "$line" ;;
	esac
done < <(tests/tool/run.sh 2>&1)

# Static checks (make lint): checkpatch, sparse, the tool's warnings, cppcheck.
if [ "${TCPTW_PARTS:-all}" = all ]; then
	ended=1
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) passed=$((passed + 1)); echo "ok - lint: ${line#ok - }" ;;
		"not ok - "*) failed=$((failed + 1)); echo "not ok - lint: ${line#not ok - }" ;;
		[0-9]*" passed, "*" failed") ended=0 ;;
		*) echo "$line" ;;
		esac
	done < <(TCPTW_SKIP_DEPS=1 tests/lint.sh 2>&1)
	result $ended "lint: tests/lint.sh ran to its end"
fi

if build_vm_programs "$TCPTW_BUILD/vm-bin"; then
	result 0 "static programs for the VM build (traffic, verify, tcptw)"
	for flavor in ${TCPTW_KERNELS:-6.1 6.12 debug}; do
		check_kernel "$flavor"
	done
else
	result 1 "static programs for the VM build (traffic, verify, tcptw)"
fi

if [ "${TCPTW_PARTS:-all}" != all ] || [ "${TCPTW_PACKAGING:-1}" = 0 ]; then
	echo "# packaging: not run (TCPTW_PARTS=${TCPTW_PARTS:-all}, TCPTW_PACKAGING=${TCPTW_PACKAGING:-1})"
else
	ended=1
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) passed=$((passed + 1)); echo "ok - packaging: ${line#ok - }" ;;
		"not ok - "*) failed=$((failed + 1)); echo "not ok - packaging: ${line#not ok - }" ;;
		[0-9]*" passed, "*" failed") ended=0 ;;
		*) echo "$line" ;;
		esac
	done < <(TCPTW_SKIP_DEPS=1 tests/packaging.sh 2>&1)
	result $ended "packaging: tests/packaging.sh ran to its end"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
