#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The "packaging" chroot of one Debian suite: where tests/packaging.sh installs the .debs, as an
# operator's host of that suite would have it. Cached and never changed once made: each test run
# works on an overlay of it (tests/packaging/suite.sh), so a purge there cannot damage it, and it is
# not one of the build chroots of tests/qemu/kernel.sh.
set -euo pipefail
# Usage: chroot.sh SUITE KENV...   (as root)
#   SUITE: bullseye | bookworm | trixie. KENV: files holding tests/qemu/kernel.sh's output for the
#   suite's kernels (KVER, DEBVER, SUITE = the apt suite, e.g. trixie-backports).
# Stdout: the chroot's directory. It has, from the suite's own mirror (its /etc/apt/sources.list
# points at deb.debian.org for SUITE, -updates, -security and the kernels' backports):
#   - dkms, kmod, openssl, xz-utils, zstd; on bullseye also build-essential and debhelper, to build
#     the tcptw package against bullseye's glibc;
#   - each kernel's image installed (a host has its kernels; 6.12 and later headers depend on
#     the image, and DKMS picks "the newest kernel" from /boot/config-*), with no initramfs: a
#     stub package provides linux-initramfs-tool (the VM boots its own initramfs);
#   - every dependency of each kernel's headers (the suite's compiler, pahole), but not the headers:
#     their .debs wait in /var/cache/pkgtest/debs/ (listed per kernel in
#     /var/lib/pkgtest/headers-KVER) for suite.sh to dpkg -i, so that DKMS's hooks fire as on a host;
#   - a backports kernel installed as Debian says to, apt-get install -t SUITE-backports;
#   - dpkg's force-unsafe-io and a policy-rc.d that starts no service.
# Cached under $TCPTW_CACHE/packaging/chroots/SUITE-KEY, KEY a hash of the suite and package list
# (kernel versions included): a kernel point release makes a new one and the old one is removed.
# A user of a chroot holds a shared flock on DIR.lock; removal takes it exclusively.

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -ge 2 ] || { echo "usage: $me SUITE KENV..." >&2; exit 2; }
suite=$1
shift
case $suite in
bullseye | bookworm | trixie) ;;
*) die "suite '$suite': bullseye, bookworm or trixie" ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for tool in debootstrap dpkg-deb flock sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done

mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
packages=(dkms kmod openssl xz-utils zstd)
[ "$suite" != bullseye ] || packages+=(build-essential debhelper)

# The kernels' packages, name=version: the image (7.x: with its linux-binary, -modules, -base)
# and the headers with their -common and linux-kbuild. Each is taken from its own apt suite.
declare -A apt_suite_of=() headers_of=()
kernel_debs=()
headers_debs=()
backports=
apt_cache() { LC_ALL=C "$here/qemu/apt.sh" "$1" apt-cache "${@:2}"; }
candidate() {
	apt_cache "$1" policy "$2" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}
# depends APTSUITE PKG VER: "name op version" or "name" per Depends, first alternative.
depends() {
	apt_cache "$1" show "$2=$3" 2>/dev/null | awk '
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
for kenv in "$@"; do
	KVER='' DEBVER='' SUITE=''
	# shellcheck disable=SC1090
	. "$kenv"
	[ -n "$KVER" ] && [ -n "$DEBVER" ] && [ -n "$SUITE" ] || die "$kenv: no KVER, DEBVER or SUITE"
	[ "${SUITE%-backports}" = "$suite" ] || die "$kenv: kernel $KVER is from $SUITE, not $suite"
	[ "$SUITE" = "$suite" ] || backports=$SUITE
	kernel_debs+=("linux-image-$KVER=$DEBVER")
	while read -r name _ ver; do
		case $name in
		"linux-binary-$KVER" | "linux-modules-$KVER" | "linux-base-$KVER")
			kernel_debs+=("$name=$ver") ;;
		esac
	done < <(depends "$SUITE" "linux-image-$KVER" "$DEBVER")
	headers_debs+=("linux-headers-$KVER=$DEBVER")
	headers_of[$KVER]=linux-headers-$KVER
	while read -r name op ver; do
		case $name in
		linux-headers-*common* | linux-kbuild-*)
			# "(= X)" pins; "(>= X)" (5.10's kbuild) takes the suite's candidate.
			[ "$op" = = ] || ver=$(candidate "$SUITE" "$name")
			[ -n "$ver" ] || die "no candidate for $name in $SUITE"
			headers_debs+=("$name=$ver")
			headers_of[$KVER]+=" $name" ;;
		esac
	done < <(depends "$SUITE" "linux-headers-$KVER" "$DEBVER")
	for p in "${kernel_debs[@]}" "${headers_debs[@]}"; do
		[ -n "${apt_suite_of[$p]:-}" ] || apt_suite_of[$p]=$SUITE
	done
done

sources() {
	local s

	for s in "$suite" "$suite-updates"; do
		echo "deb $mirror $s main"
	done
	echo "deb $security $suite-security main"
	[ -z "$backports" ] || echo "deb $mirror $backports main"
}

# Bump "layout" when what this script puts into a chroot changes.
key=$(printf '%s\n' "layout 2" "$(sources)" "${packages[@]}" "${kernel_debs[@]}" "${headers_debs[@]}" |
	sha256sum | cut -c1-12)
root=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/packaging/chroots
dir=$root/$suite-$key
mkdir -p "$root"

new=
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	# --one-file-system: a failed step may leave /proc mounted in there.
	[ -z "$new" ] || rm -rf --one-file-system "$new"
}
trap cleanup EXIT

# remove_outdated: the suite's other chroots (older kernels, older layouts) that no run is using.
remove_outdated() {
	local old

	for old in "$root/$suite"-*; do
		old=${old%.lock}
		[ "$old" != "$dir" ] || continue
		[ -e "$old" ] || [ -e "$old.lock" ] || continue # both went with the first of the pair
		(
			flock -n -x 9 || exit 0
			log "removing the outdated $old"
			rm -rf --one-file-system "$old" "$old.lock"
		) 9>"$old.lock"
	done
}

exec 8>"$root/$suite.lock"
flock 8 # one creator per suite
if [ -f "$dir/var/lib/pkgtest/complete" ]; then
	log "using $dir"
	remove_outdated
	echo "$dir"
	exit 0
fi

# Under the lock, a half-made chroot is one whose maker was killed.
for stale in "$root/$suite"-*.new.*; do
	[ ! -d "$stale" ] || rm -rf --one-file-system "$stale"
done
new=$(mktemp -d "$dir.new.XXXXXX")
chmod 755 "$new"
in_new() {
	"$here/qemu/chroot-run.sh" "$new" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"
}
log "debootstrap $suite into $dir (a few minutes, once per kernel point release)"
debootstrap --variant=minbase "$suite" "$new" "$mirror" >"$new.log" 2>&1 || {
	tail -n 20 "$new.log" >&2
	mv "$new.log" "$root/$suite.failed.log"
	die "debootstrap $suite failed (log: $root/$suite.failed.log)"
}
mkdir -p "$new/var/lib/pkgtest" "$new/var/cache/pkgtest/debs"
mv "$new.log" "$new/var/lib/pkgtest/debootstrap.log"
sources >"$new/etc/apt/sources.list"
echo force-unsafe-io >"$new/etc/dpkg/dpkg.cfg.d/pkgtest-unsafe-io"
printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"

# The initramfs stub: an operator's host has initramfs-tools; the VM here boots busybox.
stub=$new/var/cache/pkgtest/stub
mkdir -p "$stub/DEBIAN"
cat >"$stub/DEBIAN/control" <<EOF
Package: pkgtest-no-initramfs
Version: 1
Architecture: all
Maintainer: tcptw tests <tests@tcptw.invalid>
Provides: linux-initramfs-tool
Description: no initramfs (tcptw packaging test chroot)
EOF
dpkg-deb -b "$stub" "$new/var/cache/pkgtest/no-initramfs.deb" >/dev/null
rm -rf "$stub"

# The kernels' .debs, each from its apt suite (trixie-backports' through apt.sh's default release).
debs=/var/cache/pkgtest/debs
declare -A path_of=()
for p in "${kernel_debs[@]}" "${headers_debs[@]}"; do
	(cd "$new$debs" && "$here/qemu/apt.sh" "${apt_suite_of[$p]}" apt-get -q download "$p" >&2) ||
		die "apt.sh ${apt_suite_of[$p]} apt-get download $p failed"
	path_of[${p%%=*}]=$debs/$(cd "$new$debs" && ls "${p%%=*}"_*.deb)
done
for k in "${!headers_of[@]}"; do
	for p in ${headers_of[$k]}; do
		echo "${path_of[$p]}"
	done >"$new/var/lib/pkgtest/headers-$k"
done
main_debs=()
bpo_debs=()
for p in "${kernel_debs[@]}" "${headers_debs[@]}"; do
	if [ "${apt_suite_of[$p]}" = "$suite" ]; then
		main_debs+=("${path_of[${p%%=*}]}")
	else
		bpo_debs+=("${path_of[${p%%=*}]}")
	fi
done

log "installing ${packages[*]} and the kernels into $dir"
apt_install=(apt-get -q -y --no-install-recommends -o Dpkg::Use-Pty=0 install)
{
	in_new apt-get -q update &&
	in_new "${apt_install[@]}" "${packages[@]}" /var/cache/pkgtest/no-initramfs.deb \
		"${main_debs[@]}" &&
	if [ ${#bpo_debs[@]} -gt 0 ]; then
		in_new "${apt_install[@]}" -t "$backports" "${bpo_debs[@]}"
	fi
} >"$new/var/lib/pkgtest/install.log" 2>&1 || {
	tail -n 30 "$new/var/lib/pkgtest/install.log" >&2
	cp "$new/var/lib/pkgtest/install.log" "$root/$suite.failed.log"
	die "apt-get install in the $suite chroot failed (log: $root/$suite.failed.log)"
}
# The headers go again; what they needed (compiler, pahole) stays.
names=()
for p in "${headers_debs[@]}"; do
	names+=("${p%%=*}")
done
in_new dpkg --purge "${names[@]}" >>"$new/var/lib/pkgtest/install.log" 2>&1 ||
	die "dpkg --purge of the headers in the $suite chroot failed"
in_new apt-get clean
printf '%s\n' "${packages[@]}" "${kernel_debs[@]}" "${headers_debs[@]}" >"$new/var/lib/pkgtest/complete"
mv "$new" "$dir"
new=
rm -f "$root/$suite.failed.log"
log "$suite chroot ready: $dir ($(du -sh "$dir" | cut -f1))"

remove_outdated
echo "$dir"
