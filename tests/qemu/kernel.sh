#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel (6.1 or 6.12 flavor) for QEMU tests: resolve the current ABI through the
# metapackage, install its headers (the module build dir), cache vmlinuz + modules outside the repo.
set -euo pipefail
# Usage: kernel.sh FLAVOR   (FLAVOR = 6.1 | 6.12)
# Stdout (only): KVER=<abi> KDIR=<headers dir> VMLINUZ=<path> KMODDIR=<lib/modules/<abi>> DEBVER=<v>
# one per line, shell-evaluable (eval "$(tests/qemu/kernel.sh 6.1)"). Progress goes to stderr.

me=${0##*/}
log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $me 6.1|6.12" >&2; exit 2; }
flavor=$1
case $flavor in
6.1) meta_image=linux-image-amd64 meta_headers=linux-headers-amd64 ;;
6.12) meta_image=linux-image-6.12-amd64 meta_headers=linux-headers-6.12-amd64 ;;
*) echo "usage: $me 6.1|6.12 (got '$flavor')" >&2; exit 2 ;;
esac

for tool in apt-cache apt-get dpkg-deb dpkg-query; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian 12 required)"
done

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi
apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
apt_root() {
	if [ ${#sudo[@]} -gt 0 ] && ! command -v sudo >/dev/null 2>&1; then
		die "need root for 'apt-get $*' and sudo is not available"
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" "$@" >&2
}

# Candidate version of a package ("" when unknown or without candidate).
candidate() {
	LC_ALL=C apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# The versioned linux-image-<abi> the metapackage's candidate depends on.
resolve_abi() {
	LC_ALL=C apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$meta_image" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1
}

updated=0
if [ -z "$(candidate "$meta_image")" ]; then
	log "$meta_image unknown to apt: running apt-get update"
	apt_root update >/dev/null
	updated=1
fi
abi=$(resolve_abi)
[ -n "$abi" ] || die "cannot resolve the linux-image package that $meta_image depends on"
image_pkg=linux-image-$abi
headers_pkg=linux-headers-$abi
debver=$(candidate "$image_pkg")
if [ -z "$debver" ] && [ $updated -eq 0 ]; then
	apt_root update >/dev/null
	updated=1
	debver=$(candidate "$image_pkg")
fi
[ -n "$debver" ] || die "no candidate version for $image_pkg"
log "flavor $flavor: $meta_image -> $image_pkg $debver"

# Sanity: the headers metapackage should point at the same ABI.
hdr_abi=$(LC_ALL=C apt-cache depends --no-recommends "$meta_headers" 2>/dev/null |
	sed -n 's/^ *|\{0,1\}Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1)
if [ -n "$hdr_abi" ] && [ "$hdr_abi" != "$abi" ]; then
	log "warning: $meta_headers points at $hdr_abi, $meta_image at $abi; using $abi"
fi

# Headers = the kernel build dir for out-of-tree modules.
# The headers come from the same source package as the image, so their versions must match.
hdr_state=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$headers_pkg" 2>/dev/null || true)
if [ "$hdr_state" != "installed $debver" ]; then
	log "installing $headers_pkg=$debver (now: ${hdr_state:-not installed})"
	apt_root install --no-install-recommends "$headers_pkg=$debver" >/dev/null ||
		die "apt-get install $headers_pkg=$debver failed"
fi
kdir=
for d in "/usr/src/linux-headers-$abi" "/lib/modules/$abi/build"; do
	if [ -f "$d/Makefile" ]; then
		kdir=$d
		break
	fi
done
[ -n "$kdir" ] || die "$headers_pkg is installed but no kernel build dir with a Makefile was found"

# Kernel image + modules, cached per (abi, Debian version).
cache_root=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/kernels
cache=$cache_root/${abi}_$debver
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9 # serialise concurrent fetches of the same cache

if [ -f "$cache/.complete" ] && [ -f "$cache/vmlinuz" ] && [ -d "$cache/modules" ]; then
	log "using cached $cache"
else
	log "downloading $image_pkg=$debver into $cache"
	rm -rf "$cache"
	work=$(mktemp -d "$cache_root/.fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	dl_opts=(-q)
	# As root, apt drops to the _apt user to download and warns when it cannot write the dir.
	[ "$(id -u)" -ne 0 ] || dl_opts+=(-o APT::Sandbox::User=root)
	(cd "$work" && apt-get "${dl_opts[@]}" download "$image_pkg=$debver" >&2) ||
		die "apt-get download $image_pkg=$debver failed"
	debs=("$work"/"$image_pkg"_*.deb)
	[ -f "${debs[0]}" ] || die "apt-get download produced no $image_pkg .deb"
	dpkg-deb -x "${debs[0]}" "$work/x"
	mkdir -p "$work/out"
	[ -f "$work/x/boot/vmlinuz-$abi" ] || die "$image_pkg has no boot/vmlinuz-$abi"
	mv "$work/x/boot/vmlinuz-$abi" "$work/out/vmlinuz"
	moddir=
	for d in "$work/x/lib/modules/$abi" "$work/x/usr/lib/modules/$abi"; do
		if [ -d "$d" ]; then
			moddir=$d
			break
		fi
	done
	[ -n "$moddir" ] || die "$image_pkg has no lib/modules/$abi"
	mv "$moddir" "$work/out/modules"
	[ -f "$work/x/boot/config-$abi" ] && mv "$work/x/boot/config-$abi" "$work/out/config"
	touch "$work/out/.complete"
	mv "$work/out" "$cache"
	rm -rf "$work"
	trap - EXIT
	log "cached $(du -sh "$cache" | cut -f1) in $cache"
fi

# modules.dep/alias/softdep (the .deb ships none; its postinst runs depmod). vm.sh resolves
# softdep aliases (e.g. libcrc32c -> crc32c) through modules.alias.
if [ ! -f "$cache/modules/modules.alias" ]; then
	command -v depmod >/dev/null 2>&1 || die "depmod not found (apt-get install kmod)"
	log "running depmod for $abi"
	dm=$(mktemp -d "$cache_root/.depmod.XXXXXX")
	mkdir -p "$dm/lib/modules"
	ln -s "$cache/modules" "$dm/lib/modules/$abi"
	depmod -b "$dm" "$abi" || { rm -rf "$dm"; die "depmod failed for $cache/modules"; }
	rm -rf "$dm"
fi
exec 9>&-

printf 'KVER=%q\n' "$abi"
printf 'KDIR=%q\n' "$kdir"
printf 'VMLINUZ=%q\n' "$cache/vmlinuz"
printf 'KMODDIR=%q\n' "$cache/modules"
printf 'DEBVER=%q\n' "$debver"
