#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install (idempotently) every Debian 12 package that tcptw's build, QEMU tests and demo need.
# apt-get update runs only when something is missing. TCPTW_SKIP_DEPS=1 skips everything.
set -euo pipefail

me=${0##*/}
die() { echo "$me: error: $*" >&2; exit 1; }

if [ "${TCPTW_SKIP_DEPS:-0}" = 1 ]; then
	echo "$me: TCPTW_SKIP_DEPS=1, skipping" >&2
	exit 0
fi

packages=(
	build-essential bc bison flex libelf-dev libssl-dev kmod cpio xz-utils zstd
	dwarves iproute2 qemu-system-x86 busybox-static nftables
	linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.1
	clang-14 libclang-rt-14-dev libbpf-dev bpftool groff-base python3
	dkms dh-dkms debhelper lintian rpm rpm2cpio openssl apt-utils debootstrap
	gnuplot-nox sparse cppcheck
)

for tool in dpkg-query apt-get; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found: this script supports Debian 12 only"
done

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "$me: all ${#packages[@]} packages already installed" >&2
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available; as root run: apt-get install ${missing[*]}"
	sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)

# Quiet on success; the full apt output is shown when a step fails.
aptlog=$(mktemp)
trap 'rm -f "$aptlog"' EXIT
run_apt() {
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" "$@" >"$aptlog" 2>&1; then
		cat "$aptlog" >&2
		die "apt-get $* failed"
	fi
}

echo "$me: installing: ${missing[*]}" >&2
run_apt update
run_apt install --no-install-recommends "${missing[@]}"

for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || die "package $p is still not installed after apt-get install"
done
echo "$me: done" >&2
