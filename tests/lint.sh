#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the static checks, host only, no VM.
#  - checkpatch.pl --strict (Debian's linux-source-6.1, the copy the debug
#    kernel is built from) on the module, the shared format header, the
#    KUnit suites and the tool;
#  - sparse (C=2, Debian's package) on the module built against both Debian
#    kernels' headers, and with the KUnit suites against the debug kernel;
#  - the tool with -Wall -Wextra -Wformat=2 -Wshadow -Werror (tools/Makefile);
#  - cppcheck on the tool.
# Prints "ok - ..." / "not ok - ..." with the findings as "#   " lines and
# ends with "N passed, N failed"; exits 1 if any failed. TCPTW_SKIP_DEPS=1
# skips apt.

set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TCPTW_ROOT"

passed=0
failed=0
out=$TCPTW_BUILD/lint
mkdir -p "$out"

# findings FILE DESCRIPTION: ok when FILE is empty, else not ok with it.
findings() {
	if [ -s "$1" ]; then
		result 1 "$2" "$1"
	else
		result 0 "$2"
	fi
}

# result STATUS DESCRIPTION [FINDINGS FILE]
result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
		[ -z "${3:-}" ] || sed 's/^/#   /' "$3"
	fi
}

scripts/install-deps.sh >&2

# --- checkpatch ---------------------------------------------------------------------------------
# Three files of the kernel's scripts/, from the tarball, cached per
# linux-source-6.1 version (unpacking the whole tree takes minutes).
tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
cache=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/checkpatch/$srcver
if [ ! -x "$cache/scripts/checkpatch.pl" ] && [ -f "$tarball" ]; then
	mkdir -p "${cache%/*}"
	tmp=$(mktemp -d "${cache%/*}/.tmp.XXXXXX")
	if tar -xJf "$tarball" -C "$tmp" --wildcards --strip-components=1 \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'; then
		rm -rf "$cache"
		mv "$tmp" "$cache"
	else
		rm -rf "$tmp"
	fi
fi
checkpatch=(perl "$cache/scripts/checkpatch.pl" --strict --no-tree --terse --show-types
	    --no-summary -f)
if [ ! -f "$cache/scripts/checkpatch.pl" ]; then
	result 1 "checkpatch.pl from linux-source-6.1 ($tarball)"
else
	# Every kernel file, no types ignored ...
	files=(module/*.c module/*.h kunit/*.c kunit/*.h)
	"${checkpatch[@]}" "${files[@]}" >"$out/checkpatch.txt" 2>&1 || true
	findings "$out/checkpatch.txt" \
		"checkpatch --strict: module/ and kunit/ (${#files[@]} files)"
	# ... but the format header: its X-macro lists (one list makes the enum,
	# the names and the tool's parser) are what COMPLEX_MACRO and
	# MACRO_ARG_REUSE flag; they cannot be parenthesised and X is a
	# macro name, never an expression with side effects.
	"${checkpatch[@]}" --ignore COMPLEX_MACRO,MACRO_ARG_REUSE include/*.h \
		>"$out/checkpatch-include.txt" 2>&1 || true
	findings "$out/checkpatch-include.txt" \
		"checkpatch --strict: include/ (X-macro lists excepted)"
	# The tool is userspace C: kernel-only rules are left out.
	#  PREFER_DEFINED_ATTRIBUTE_MACRO  __printf() is <linux/compiler.h>'s;
	#      userspace spells the attribute out (and __names are reserved).
	#  USE_NEGATIVE_ERRNO  the kernel's ABI returns -errno; read_all()
	#      returns a positive one, as pthread_*() and posix_spawn() do.
	#  LONG_LINE_STRING  a message left whole so it can be grepped: the
	#      kernel exempts printk()'s, checkpatch does not know printf().
	"${checkpatch[@]}" \
		--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,USE_NEGATIVE_ERRNO,LONG_LINE_STRING \
		tools/*.c tools/*.h >"$out/checkpatch-tools.txt" 2>&1 || true
	findings "$out/checkpatch-tools.txt" \
		"checkpatch --strict: tools/ (kernel-only rules excepted)"
fi

# --- sparse ---------------------------------------------------------------------------------------
# The stock kernels have no KUnit: the suites are checked against the debug
# kernel's tree, which make check builds (and caches) anyway.
for flavor in 6.1 6.12 debug; do
	provider=(tests/qemu/kernel.sh "$flavor")
	args=()
	if [ "$flavor" = debug ]; then
		provider=(tests/qemu/debug-kernel.sh)
		args=(CONFIG_TCPTW_KUNIT_TEST=m)
	fi
	# shellcheck disable=SC2034 # set by the provider's eval, not all used
	KVER="" KDIR="" VMLINUZ="" KMODDIR="" DEBVER=""
	if ! env=$("${provider[@]}" 2>"$out/provider-$flavor.log"); then
		result 1 "sparse: kernel $flavor (${provider[*]})" "$out/provider-$flavor.log"
		continue
	fi
	eval "$env"
	log=$out/sparse-$KVER.log
	if ! build_module "$KDIR" "$out/sparse-$KVER" "$log" C=2 CHECK=sparse "${args[@]}"; then
		result 1 "sparse: $KVER: the module builds with C=2" "$log"
		continue
	fi
	# Our files only: a kernel header's own noise would name include/linux/...
	# (KVER may hold regex characters, 6.12.117+deb12: match it literally.)
	awk -v dir="$out/sparse-$KVER/" 'index($0, dir) == 1 &&
		substr($0, length(dir) + 1) ~ /^(module|kunit|include)\/[^:]*:[0-9]+:[0-9]+: (warning|error):/' \
		"$log" >"$out/sparse-$KVER.txt"
	findings "$out/sparse-$KVER.txt" \
		"sparse (C=2): $KVER: ${args[*]:+KUnit suites and }module without warnings"
done

# --- the tool -------------------------------------------------------------------------------------
# A copy (with ../include beside it): make -B must not touch tools/.
rm -rf "$out/tools" "$out/include"
cp -r tools include "$out/"
if make -s -B -C "$out/tools" tcptw CFLAGS="-O2 -Werror" \
	>"$out/tool-build.txt" 2>&1; then
	result 0 "tool: -Wall -Wextra -Wformat=2 -Wshadow -Werror build"
else
	result 1 "tool: -Wall -Wextra -Wformat=2 -Wshadow -Werror build" "$out/tool-build.txt"
fi
# No suppressions here: an inline one (cppcheck-suppress) says why where it is.
if cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
	--inline-suppr --error-exitcode=1 \
	-D_GNU_SOURCE -I include tools/*.c >"$out/cppcheck.txt" 2>&1; then
	result 0 "cppcheck: tools/ (warning, style, performance, portability)"
else
	result 1 "cppcheck: tools/ (warning, style, performance, portability)" "$out/cppcheck.txt"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
