#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/iter.sh OUTDIR: build make bench's BPF anchor,
# OUTDIR/iter_tcp.bpf.o, from tests/bench/iter_tcp.bpf.c; the VM pins it
# with the host's /usr/sbin/bpftool (tests/vm/bench-iter.sh). Installs clang,
# libbpf's headers and bpftool from Debian when they are missing.
# TCPTW_SKIP_DEPS=1 skips apt.

set -euo pipefail
source "$(dirname "$0")/../lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1

packages=(clang-14 libbpf-dev bpftool)
missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "${TCPTW_SKIP_DEPS:-0}" != 1 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	echo "iter.sh: installing: ${missing[*]}" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o DPkg::Lock::Timeout=600 install --no-install-recommends \
		"${missing[@]}" >&2
fi

# -target bpf drops the multiarch include directory that <linux/bpf.h>'s
# <asm/types.h> lives in; libbpf's headers are at /usr/include/bpf.
mkdir -p "$out"
clang-14 -O2 -g -Wall -Werror -target bpf \
	-I"/usr/include/$(gcc -print-multiarch)" \
	-c "$TCPTW_ROOT/tests/bench/iter_tcp.bpf.c" -o "$out/iter_tcp.bpf.o"
