#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: for each gating Debian kernel of tests/kernels.conf (5.10, 6.1,
# 6.12, newest 7.x, 6.12-rt) build tcptw.ko with W=1 (in a chroot of the
# kernel's own suite where its headers need it), boot the kernel under QEMU
# TCG and run tests/vm/scenario.sh there (with tests/vm/nat.sh, the host's
# nft and the netfilter modules), then tests/vm/badinput.sh and isolation.sh,
# and tests/vm/memcg.sh (what a read charges the reader's memory cgroup);
# then the same on a debug kernel (KASAN, lockdep, kmemleak) built from
# Debian's linux-source-6.1, preceded by the KUnit suites and followed by
# tests/vm/stress.sh; and the KUnit suites on a second debug kernel built
# from the newest linux-source-7.x. Prints every
# test line and ends with "N passed, N failed"; exits 1 if any failed. What
# each kernel proved goes to the README's table of supported kernels
# (tests/kernel-matrix.sh).
#
# After the tool tests, tests/lint.sh (make lint): checkpatch --strict,
# sparse, the tool's -Wextra build and cppcheck.
#
# Last, tests/packaging.sh (make check-packaging): the .debs built, then
# installed through DKMS, booted with two kernels each, upgraded and purged in
# chroots of bookworm, trixie and bullseye (never on this host); the RPM
# build-tested.
#
# TCPTW_KERNELS="6.1 debug debug-7" picks kernels (sid: make check-sid, the
# canary that is not part of make check); TCPTW_PARTS=kunit runs only the
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

# What each kernel proved, by the README table's columns: a test line's
# description picks its column(s); "all" counts every line.
declare -A tally
tally_reset() { tally=(); }
tally() {
	local status=$1 desc=$2 col cols=(all)

	case $desc in *"module builds"* | *"W=1 build"*) cols+=(build) ;; esac
	case $desc in *"every cell"* | *"/proc/net/tcp"*) cols+=(cells) ;; esac
	case $desc in *paws* | *PAWS*) cols+=(paws) ;; esac
	case $desc in *" nat"* | *NAT* | *nat_suspects*) cols+=(nat) ;; esac
	case $desc in "kunit "*) cols+=(kunit) ;; esac
	case $desc in *"no Oops, BUG, WARNING, KASAN or lockdep"*) cols+=(console) ;; esac
	for col in "${cols[@]}"; do
		if [ "$status" -eq 0 ]; then
			tally[$col.p]=$((${tally[$col.p]:-0} + 1))
		else
			tally[$col.f]=$((${tally[$col.f]:-0} + 1))
		fi
	done
}
tally_words() {
	local col

	for col in build cells paws nat kunit console all; do
		printf '%s=%s/%s ' "$col" "${tally[$col.p]:-0}" "${tally[$col.f]:-0}"
	done
}

# kresult STATUS KVER DESCRIPTION: a test line of one kernel.
kresult() {
	tally "$1" "$3"
	result "$1" "$2: $3"
}

# One kernel: build, boot, fold the VM's test lines into ours.
check_kernel() {
	local flavor=$1 kver kdir vmlinuz out status line desc
	local KVER KDIR VMLINUZ KMODDIR DEBVER CHROOT SUITE FLAVOR
	local build_args=() vm_args=() script=tests/vm/stock.sh
	local extra=(tests/vm/tap.sh tests/vm/scenario.sh tests/vm/nat.sh tests/vm/badinput.sh
		     tests/vm/isolation.sh tests/vm/memcg.sh)
	local ends=('^# [0-9]* tests, [0-9]* failed' '^# badinput: [0-9]* tests, [0-9]* failed'
		    '^# isolation: [0-9]* tests, [0-9]* failed'
		    '^# memcg: [0-9]* tests, [0-9]* failed') kernel_env
	local provider=(tests/qemu/kernel.sh "$flavor") parts=${TCPTW_PARTS:-all}

	CHROOT=
	tally_reset
	case $flavor in
	debug) provider=(tests/qemu/debug-kernel.sh 6.1) ;;
	debug-7)
		provider=(tests/qemu/debug-kernel.sh 7)
		# The KUnit suites under KASAN, lockdep and kmemleak; the VM
		# scenarios and the stress run go on the 6.1 one (time).
		[ "$parts" != all ] || parts=kunit
		;;
	esac
	if ! kernel_env=$("${provider[@]}"); then
		result 1 "kernel $flavor: fetched or built (${provider[*]})"
		tests/kernel-matrix.sh record "$flavor" - - "all=0/1"
		return
	fi
	eval "$kernel_env"
	# The NAT scenario's veth and nftables masquerade (dependencies follow),
	# the tun device that feeds segments in with bottom halves off.
	vm_args=(--modules "$KMODDIR" --mod veth --mod nf_tables --mod nft_chain_nat
		 --mod nft_masq)
	case $flavor in debug*) ;; *) vm_args+=(--mod tun) ;; esac
	if [ "$flavor" = debug ] || [ "$flavor" = debug-7 ]; then
		build_args=(CONFIG_TCPTW_KUNIT_TEST=m)
		# stress.sh: its seconds of churn, and the caches its failslab may
		# fail (tcptw's kmalloc()s, not vmalloc's bookkeeping: see
		# tests/qemu/debug.config).
		local stress_s=${TCPTW_STRESS_SECONDS:-75}
		local slub=A,kmalloc-256,kmalloc-512,kmalloc-1k,kmalloc-2k,kmalloc-4k,kmalloc-8k
		# Single-threaded TCG: stress.sh reloads the module (kprobes: kernel
		# text patched) under churn, which multi-threaded TCG cannot run
		# coherently (tests/qemu/vm.sh).
		# no5lvl: QEMU's -cpu max offers LA57, and an interrupt that lands
		# while identify_cpu() has the CPU features cleared makes KASAN
		# read a 5-level address with 4-level shadow rules: a false
		# "wild-memory-access" at boot, before tcptw is loaded.
		vm_args+=(--mod kunit --tcg-threads single --timeout $((2400 + 2 * stress_s)) --append
			  "TCPTW_PARTS=$parts TCPTW_STRESS_SECONDS=$stress_s slub_debug=$slub no5lvl")
		script=tests/vm/debug.sh
		extra+=(tests/vm/kunit.sh tests/vm/stress.sh)
		ends=()
		[ "$parts" = stress ] ||
			ends+=('^# kunit: [0-9]* tests, [0-9]* failed')
		case $parts in all | checks)
			ends+=('^# [0-9]* tests, [0-9]* failed'
			       '^# badinput: [0-9]* tests, [0-9]* failed'
			       '^# isolation: [0-9]* tests, [0-9]* failed') ;;
		esac
		case $parts in all | stress)
			ends+=('^# stress: [0-9]* tests, [0-9]* failed') ;;
		esac
	fi
	kver=$KVER
	kdir=$KDIR
	vmlinuz=$VMLINUZ
	out=$TCPTW_BUILD/$kver
	echo "# kernel $flavor: $kver (Debian $DEBVER)"

	if ! build_module "$kdir" "$out/src" "$out/build.log" "${build_args[@]}"; then
		kresult 1 "$kver" "module builds"
		sed 's/^/#   /' "$out/build.log"
		tests/kernel-matrix.sh record "$flavor" "$kver" "$DEBVER" "$(tally_words)"
		return
	fi
	kresult 0 "$kver" "module builds"
	if grep -i 'warning:' "$out/build.log" | sed 's/^/#   /' | grep .; then
		kresult 1 "$kver" "W=1 build has no warnings"
	else
		kresult 0 "$kver" "W=1 build has no warnings"
	fi

	case $flavor in debug*) extra+=("$out/src/kunit/tcptw_test.ko") ;; esac
	make_overlay "$out/overlay" "$out/src/tcptw.ko" "$TCPTW_BUILD/vm-bin" \
		"$script" "${extra[@]}"
	if overlay_add_dynamic "$out/overlay" /usr/sbin/nft; then
		kresult 0 "$kver" "nft and its libraries copied into the VM"
	else
		kresult 1 "$kver" "nft and its libraries copied into the VM"
	fi
	status=0
	tests/qemu/vm.sh --kernel "$vmlinuz" --overlay "$out/overlay" \
		--log "$out/console.log" --timeout 900 --quiet "${vm_args[@]}" ||
		status=$?

	while IFS= read -r line; do
		case "$line" in
		"ok "*) kresult 0 "$kver" "${line#ok * - }" ;;
		"not ok "*) kresult 1 "$kver" "${line#not ok * - }" ;;
		"# "*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$out/console.log" | sed -n '/^TCPTW-VM: exit/q;p')

	for line in "${ends[@]}"; do
		if grep -q "$line" "$out/console.log"; then
			kresult 0 "$kver" "ran to its end ($line)"
		else
			kresult 1 "$kver" "ran to its end ($line)"
		fi
	done
	desc="no Oops, BUG, WARNING, KASAN or lockdep report on the console"
	if tests/qemu/scan-kernel-log.sh "$out/console.log" >"$out/kernel-report.txt"; then
		kresult 0 "$kver" "$desc"
	else
		sed 's/^/#   /' "$out/kernel-report.txt"
		kresult 1 "$kver" "$desc"
	fi
	case $status in
	0 | 1) ;;
	*) kresult 1 "$kver" "VM ended normally (vm.sh status $status; console in $out/console.log)" ;;
	esac
	tests/kernel-matrix.sh record "$flavor" "$kver" "$DEBVER" "$(tally_words)"
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
	for flavor in ${TCPTW_KERNELS:-$(tests/qemu/kernels.sh list gating) debug debug-7}; do
		check_kernel "$flavor"
	done
	# The README's table of supported kernels, from what this run proved
	# (kernels not run keep their last results).
	tests/kernel-matrix.sh readme || result 1 "README's kernel table rewritten"
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
