#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel of one flavor of tests/kernels.conf for QEMU tests: resolve the current ABI
# through the suite's metapackage, provide its headers (the module build dir), cache vmlinuz +
# modules outside the repo.
set -euo pipefail
# Usage: kernel.sh FLAVOR   (a flavor of tests/kernels.conf: tests/qemu/kernels.sh list)
# Stdout (only): KVER=<abi> KDIR=<headers dir> VMLINUZ=<path> KMODDIR=<lib/modules/<abi>> DEBVER=<v>
# CHROOT=<dir> SUITE=<suite> FLAVOR=<flavor>, one per line, shell-evaluable
# (eval "$(tests/qemu/kernel.sh 6.1)"). Progress goes to stderr.
# Build "host" flavors (6.1, 6.12): the headers are apt-get installed on this machine, CHROOT is
# empty. Build "chroot" flavors: the suite comes through tests/qemu/apt.sh (never the host's
# sources), the headers are unpacked into a debootstrap chroot of the suite (its compiler and
# glibc), cached under $TCPTW_CACHE/chroots; KDIR is the path inside CHROOT. These need root.

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

flavors=$("$here/kernels.sh" list | paste -sd'|')
[ $# -eq 1 ] || { echo "usage: $me $flavors" >&2; exit 2; }
flavor=$1
matrix=$("$here/kernels.sh" show "$flavor") ||
	{ echo "usage: $me $flavors (got '$flavor')" >&2; exit 2; }
SUITE='' BUILD='' IMAGE_META='' HEADERS_META=''
eval "$matrix"
suite=$SUITE build=$BUILD meta_image=$IMAGE_META meta_headers=$HEADERS_META

for tool in apt-cache apt-get dpkg-deb dpkg-query; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian 12 required)"
done
if [ "$build" = chroot ]; then
	[ "$(id -u)" -eq 0 ] || die "flavor $flavor builds in a chroot: run as root"
	for tool in debootstrap unshare chroot flock; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool not found (run scripts/install-deps.sh)"
	done
fi

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

# apt-cache of the flavor's suite: the host's for host builds, else the private configuration.
apt_cache() {
	if [ "$build" = host ]; then
		LC_ALL=C apt-cache "$@"
	else
		LC_ALL=C "$here/apt.sh" "$suite" apt-cache "$@"
	fi
}

# apt-get download PKG=VER... into the current directory.
apt_download() {
	local dl_opts=(-q)

	if [ "$build" = chroot ]; then
		"$here/apt.sh" "$suite" apt-get "${dl_opts[@]}" download "$@" >&2
		return
	fi
	# As root, apt drops to the _apt user to download and warns when it cannot write the dir.
	[ "$(id -u)" -ne 0 ] || dl_opts+=(-o APT::Sandbox::User=root)
	apt-get "${dl_opts[@]}" download "$@" >&2
}

# Candidate version of a package ("" when unknown or without candidate).
candidate() {
	apt_cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# The versioned linux-image-<abi> the metapackage's candidate depends on.
resolve_abi() {
	apt_cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$meta_image" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1
}

# depends PKG VER: the first alternative of each of its Depends, "name" or "name op version".
depends() {
	apt_cache show "$1=$2" 2>/dev/null | awk '
		/^Depends:/ {
			sub(/^Depends: */, "")
			n = split($0, dep, / *, */)
			for (i = 1; i <= n; i++) {
				sub(/ *\|.*/, "", dep[i])
				gsub(/[()]/, "", dep[i])
				print dep[i]
			}
			exit
		}'
}

updated=0
if [ "$build" = chroot ]; then
	# apt.sh refreshes its lists when a day old; run it once in the open so that its progress
	# and a failed update show.
	apt_cache policy "$meta_image" >/dev/null || die "apt.sh $suite failed"
elif [ -z "$(candidate "$meta_image")" ]; then
	log "$meta_image unknown to apt: running apt-get update"
	apt_root update >/dev/null
	updated=1
fi
abi=$(resolve_abi)
[ -n "$abi" ] || die "cannot resolve the linux-image package that $meta_image depends on"
image_pkg=linux-image-$abi
headers_pkg=linux-headers-$abi
debver=$(candidate "$image_pkg")
if [ -z "$debver" ] && [ "$build" = host ] && [ $updated -eq 0 ]; then
	apt_root update >/dev/null
	updated=1
	debver=$(candidate "$image_pkg")
fi
[ -n "$debver" ] || die "no candidate version for $image_pkg"
log "flavor $flavor: $meta_image ($suite) -> $image_pkg $debver"

# Sanity: the headers metapackage should point at the same ABI.
hdr_abi=$(apt_cache depends --no-recommends "$meta_headers" 2>/dev/null |
	sed -n 's/^ *|\{0,1\}Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1)
if [ -n "$hdr_abi" ] && [ "$hdr_abi" != "$abi" ]; then
	log "warning: $meta_headers points at $hdr_abi, $meta_image at $abi; using $abi"
fi

cache_base=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}
work=
creating=
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	[ -z "$work" ] || rm -rf "$work"
	# --one-file-system: an interrupted debootstrap may leave its /proc mounted in there.
	[ -z "$creating" ] || rm -rf --one-file-system "$creating" "$creating.log"
}
trap cleanup EXIT

# Host headers: apt-get installed, as DKMS (packaging.sh) needs them on this machine.
install_host_headers() {
	local hdr_state d

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
}

# make_chroot DIR RELEASE PACKAGES: a minbase debootstrap of RELEASE with PACKAGES (comma list),
# built aside and moved into place whole, then marked complete.
make_chroot() {
	local dir=$1 release=$2 packages=$3 new dlog

	new=$(mktemp -d "$dir.new.XXXXXX")
	creating=$new
	chmod 755 "$new"
	dlog=$new.log
	log "debootstrap $release into $dir (with $packages; about a minute)"
	if ! debootstrap --variant=minbase --include="$packages" "$release" "$new" \
		http://deb.debian.org/debian >"$dlog" 2>&1; then
		tail -n 20 "$dlog" >&2
		mv "$dlog" "$dir.failed.log"
		die "debootstrap $release failed (log: $dir.failed.log)"
	fi
	mkdir -p "$new/build" "$new/var/lib/tcptw"
	mv "$dlog" "$new/var/lib/tcptw/debootstrap.log"
	echo "$packages" >"$new/var/lib/tcptw/complete"
	mv "$new" "$dir"
	creating=
}

# probe_build DIR: build a trivial module with W=1 against KDIR inside the chroot (catches a
# compiler, glibc, perl or kbuild tool that does not fit); its log on failure.
probe_build() {
	local dir=$1 probe st=0

	probe=$(mktemp -d "$dir/build/probe.XXXXXX")
	printf '%s\n' '#include <linux/module.h>' 'MODULE_LICENSE("GPL");' >"$probe/probe.c"
	echo 'obj-m := probe.o' >"$probe/Kbuild"
	"$here/chroot-run.sh" "$dir" make -C "$kdir" M="/build/${probe##*/}" W=1 modules \
		>"$probe.log" 2>&1 || st=$?
	[ $st -ne 0 ] || [ -f "$probe/probe.ko" ] || st=1
	if [ $st -ne 0 ]; then
		tail -n 30 "$probe.log" >&2
		rm -rf "$probe"
		die "a trivial module does not build against $kdir in $dir (log: $probe.log)"
	fi
	rm -rf "$probe" "$probe.log"
}

# Chroot headers: the headers, their -common and linux-kbuild unpacked into a chroot of the suite
# that has the compiler the headers name. One chroot serves every ABI of that suite and compiler.
install_chroot_headers() {
	local deps compiler release packages key root name op ver pkgs=() complete marker d

	deps=$(depends "$headers_pkg" "$debver")
	[ -n "$deps" ] || die "$headers_pkg=$debver is unknown to apt.sh $suite"
	# gcc-N, gcc-N-for-host (7.x) or linux-compiler-gcc-N-x86 (5.10): the chroot gets gcc-N.
	compiler=$(printf '%s\n' "$deps" | awk '{ print $1 }' |
		sed -n 's/^\(linux-compiler-\)\{0,1\}\(gcc-[0-9][0-9]*\)\(-for-host\|-x86\)\{0,1\}$/\2/p' |
		head -n1)
	[ -n "$compiler" ] || die "$headers_pkg names no gcc-N in its Depends: ${deps//$'\n'/, }"
	release=${suite%-backports} # backports install on their base release
	# perl: W=1 runs scripts/kernel-doc on 6.12 and older, which needs more than perl-base.
	packages=$compiler,make,libelf-dev,bc,flex,bison,libssl-dev,dwarves,kmod,perl
	key=$(echo "$release $packages" | sha256sum | cut -c1-8)
	root=$cache_base/chroots
	chroot_dir=$root/$release-$compiler-$key
	complete=$chroot_dir/var/lib/tcptw/complete
	marker=$chroot_dir/var/lib/tcptw/headers-$abi # holds the Debian version unpacked
	kdir=/usr/src/linux-headers-$abi
	if [ -f "$complete" ] && [ "$(cat "$marker" 2>/dev/null)" = "$debver" ]; then
		log "using chroot $chroot_dir"
		return
	fi

	mkdir -p "$root"
	exec 7>"$chroot_dir.lock"
	flock 7 # one creator and one headers install at a time per chroot
	[ -f "$complete" ] || make_chroot "$chroot_dir" "$release" "$packages"
	if [ "$(cat "$marker" 2>/dev/null)" != "$debver" ]; then
		pkgs=("$headers_pkg=$debver")
		while read -r name op ver; do
			case $name in
			linux-headers-*common* | linux-kbuild-*) ;;
			*) continue ;;
			esac
			# "(= X)" pins the version; "(>= X)" (5.10's kbuild) takes the suite's candidate.
			[ "$op" = = ] || ver=$(candidate "$name")
			[ -n "$ver" ] || die "no candidate version for $name"
			pkgs+=("$name=$ver")
		done <<<"$deps"
		[ ${#pkgs[@]} -ge 3 ] || die "$headers_pkg: no -common or linux-kbuild in: ${deps//$'\n'/, }"
		log "unpacking ${pkgs[*]} into $chroot_dir"
		work=$(mktemp -d "$root/.headers.XXXXXX")
		(cd "$work" && apt_download "${pkgs[@]}") ||
			die "apt.sh $suite apt-get download ${pkgs[*]} failed"
		for d in "$work"/*.deb; do
			dpkg-deb -x "$d" "$work/x"
		done
		# usr/src and the kbuild tools only: the 5.10 package also has /lib/modules, which
		# would replace the chroot's lib -> usr/lib link.
		for d in "$work"/x/usr/src/*; do
			rm -rf "$chroot_dir/usr/src/${d##*/}"
		done
		cp -a "$work/x/usr/src/." "$chroot_dir/usr/src/"
		cp -a "$work"/x/usr/lib/linux-kbuild-* "$chroot_dir/usr/lib/"
		rm -rf "$work"
		work=
		[ -f "$chroot_dir$kdir/Makefile" ] || die "$headers_pkg has no $kdir/Makefile"
		probe_build "$chroot_dir"
		echo "$debver" >"$marker"
		log "headers $abi ($debver) ready in $chroot_dir"
	fi
	exec 7>&-
}

chroot_dir=
kdir=
if [ "$build" = host ]; then
	install_host_headers
else
	install_chroot_headers
fi

# Kernel image + modules, cached per (abi, Debian version).
cache_root=$cache_base/kernels
cache=$cache_root/${abi}_$debver
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9 # serialise concurrent fetches of the same cache

if [ -f "$cache/.complete" ] && [ -f "$cache/vmlinuz" ] && [ -d "$cache/modules" ]; then
	log "using cached $cache"
else
	# 7.x splits the image: linux-image-<abi> only depends on linux-binary-<abi> (vmlinuz),
	# linux-modules-<abi> and linux-base-<abi> (config, modules.builtin, modules.order).
	pkgs=("$image_pkg=$debver")
	while read -r name _ ver; do
		case $name in
		"linux-binary-$abi" | "linux-modules-$abi" | "linux-base-$abi") pkgs+=("$name=$ver") ;;
		esac
	done < <(depends "$image_pkg" "$debver")
	log "downloading ${pkgs[*]} into $cache"
	rm -rf "$cache"
	work=$(mktemp -d "$cache_root/.fetch.XXXXXX")
	(cd "$work" && apt_download "${pkgs[@]}") || die "apt-get download ${pkgs[*]} failed"
	debs=("$work"/"$image_pkg"_*.deb)
	[ -f "${debs[0]}" ] || die "apt-get download produced no $image_pkg .deb"
	for d in "$work"/*.deb; do
		dpkg-deb -x "$d" "$work/x"
	done
	mkdir -p "$work/out"
	moddir=
	for d in "$work/x/lib/modules/$abi" "$work/x/usr/lib/modules/$abi"; do
		if [ -d "$d" ]; then
			moddir=$d
			break
		fi
	done
	[ -n "$moddir" ] || die "${pkgs[*]}: no lib/modules/$abi"
	if [ -f "$work/x/boot/vmlinuz-$abi" ]; then
		mv "$work/x/boot/vmlinuz-$abi" "$work/out/vmlinuz"
	elif [ -f "$moddir/vmlinuz" ]; then
		mv "$moddir/vmlinuz" "$work/out/vmlinuz"
	else
		die "${pkgs[*]}: no boot/vmlinuz-$abi nor lib/modules/$abi/vmlinuz"
	fi
	for f in "$work/x/boot/config-$abi" "$moddir/config"; do
		if [ -f "$f" ]; then
			mv "$f" "$work/out/config"
			break
		fi
	done
	mv "$moddir" "$work/out/modules"
	touch "$work/out/.complete"
	mv "$work/out" "$cache"
	rm -rf "$work"
	work=
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
printf 'CHROOT=%q\n' "$chroot_dir"
printf 'SUITE=%q\n' "$suite"
printf 'FLAVOR=%q\n' "$flavor"
