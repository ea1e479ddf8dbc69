# SPDX-License-Identifier: GPL-2.0
#
# Shared by tests/check.sh and tests/demo.sh: build the module for one
# kernel, build the static in-VM programs, lay out the VM's overlay.

TCPTW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TCPTW_BUILD=${TCPTW_BUILD:-$TCPTW_ROOT/build}

# build_module KDIR OUTDIR LOG [MAKE ARGS...]: tcptw.ko with W=1 in OUTDIR
# (out-of-tree builds write next to their sources, so each kernel gets a
# copy). CONFIG_TCPTW_KUNIT_TEST=m as an argument adds kunit/tcptw_test.ko.
# When the caller's CHROOT is set (kernel.sh prints it; empty by default and
# for the host's kernels), KDIR is a path inside that chroot and the build
# runs there (tests/qemu/chroot-run.sh, as root); OUTDIR and LOG come out as
# from a host build, with the log's paths pointing into OUTDIR. Callers that
# eval kernel.sh inside a function declare CHROOT local, as they do KVER.
build_module() {
	local kdir=$1 out=$2 log=$3 chroot=${CHROOT:-} tmp rep st=0

	shift 3
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$TCPTW_ROOT/Kbuild" "$TCPTW_ROOT/module" "$TCPTW_ROOT/include" \
		"$TCPTW_ROOT/kunit" "$out/"
	if [ -z "$chroot" ]; then
		make -C "$kdir" M="$out" W=1 "$@" modules >"$log" 2>&1
		return
	fi
	mkdir -p "$chroot/build"
	tmp=$(mktemp -d "$chroot/build/tcptw.XXXXXX") || return
	cp -a "$out/." "$tmp/"
	"$TCPTW_ROOT/tests/qemu/chroot-run.sh" "$chroot" make -C "$kdir" \
		M="/build/${tmp##*/}" W=1 "$@" modules >"$log" 2>&1 || st=$?
	# The log names OUTDIR, as a host build's would (OUTDIR escaped for sed).
	rep=${out//\\/\\\\}
	rep=${rep//&/\\&}
	sed -i "s|/build/${tmp##*/}|${rep//|/\\|}|g" "$log"
	rm -rf "$out"
	mkdir -p "$out"
	cp -a "$tmp/." "$out/"
	rm -rf "$tmp"
	return $st
}

# build_vm_programs OUTDIR: the traffic generator, the verifier, the NAT
# scenario's client/server and the tcptw tool, static (the VM has no libc).
build_vm_programs() {
	local out=$1 cflags="-O2 -Wall -Wextra -Werror -static"

	mkdir -p "$out"
	gcc $cflags -o "$out/tcptw-traffic" "$TCPTW_ROOT/tests/vm/traffic.c"
	gcc $cflags -o "$out/tcptw-verify" "$TCPTW_ROOT/tests/vm/verify.c"
	gcc $cflags -o "$out/tcptw-natpeer" "$TCPTW_ROOT/tests/vm/natpeer.c"
	gcc $cflags -o "$out/tcptw-bench" "$TCPTW_ROOT/tests/vm/bench.c"
	gcc $cflags -o "$out/tcptw-stress" "$TCPTW_ROOT/tests/vm/stress.c"
	gcc $cflags -o "$out/tcptw-badwrite" "$TCPTW_ROOT/tests/vm/badwrite.c"
	make -s -B -C "$TCPTW_ROOT/tools" tcptw-static CFLAGS="-O2 -Werror"
	cp "$TCPTW_ROOT/tools/tcptw-static" "$out/tcptw"
}

# make_overlay DIR KO PROGDIR TESTSCRIPT [FILE...]: the files the VM gets at
# /: tcptw.ko, the programs in /bin, TESTSCRIPT as /test.sh, FILEs at /.
make_overlay() {
	local dir=$1 ko=$2 progs=$3 script=$4

	shift 4
	rm -rf "$dir"
	mkdir -p "$dir/bin"
	cp "$ko" "$dir/tcptw.ko"
	cp "$progs"/* "$dir/bin/"
	cp "$script" "$dir/test.sh"
	chmod +x "$dir/test.sh"
	[ $# -eq 0 ] || cp "$@" "$dir/"
}

# overlay_add_dynamic DIR PROGRAM...: a dynamically linked host program (nft)
# for the VM, whose busybox has no libc: PROGRAM and every library ldd lists,
# the dynamic loader included, copied (symlinks followed) under DIR at the
# paths they have on the host.
overlay_add_dynamic() {
	local dir=$1 prog lib libs

	shift
	for prog in "$@"; do
		[ -x "$prog" ] || { echo "overlay_add_dynamic: $prog not found" >&2; return 1; }
		# "name => /path (addr)", "/path (addr)"; linux-vdso has no file.
		libs=$(LC_ALL=C ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }') || return 1
		for lib in "$prog" $libs; do
			mkdir -p "$dir$(dirname "$lib")"
			cp -L "$lib" "$dir$lib" || return 1
		done
	done
}
