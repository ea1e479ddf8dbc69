#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the debug kernel for QEMU tests: Debian's linux-source-6.1, `make allnoconfig`
# plus tests/qemu/debug.config (KASAN, lockdep, kmemleak, debug objects, KUnit as a module, ...).
# Cached outside the repo per (linux-source-6.1 version, sha256 of debug.config); ~6-10 min on
# 2 cores the first time.
set -euo pipefail
# Usage: debug-kernel.sh
# Stdout (only): KVER=<release> KDIR=<build tree> VMLINUZ=<bzImage> KMODDIR=<lib/modules/<release>>
# DEBVER=<linux-source-6.1 version>, one per line, shell-evaluable
# (eval "$(tests/qemu/debug-kernel.sh)"). Progress goes to stderr; the build log stays in the cache.
# TCPTW_JOBS overrides make's -j (default: nproc).

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 0 ] || { echo "usage: $me (no arguments)" >&2; exit 2; }

src_pkg=linux-source-6.1
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$here/debug.config
[ -f "$fragment" ] || die "$fragment not found"
[ "$(uname -m)" = x86_64 ] || die "this builds an x86_64 kernel and needs an x86_64 host"

for tool in apt-get dpkg-query make gcc bc bison flex perl tar xz sha256sum flock depmod; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done
for hdr in libelf.h openssl/opensslv.h; do
	[ -f "/usr/include/$hdr" ] || die "/usr/include/$hdr not found (run scripts/install-deps.sh)"
done

# --- the source: linux-source-6.1, installed if missing ----------------------------------------
installed_version() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$src_pkg" 2>/dev/null || true)
	case $st in "installed "*) printf '%s' "${st#installed }" ;; esac
}
debver=$(installed_version)
if [ -z "$debver" ] || [ ! -f "$tarball" ]; then
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "need root to install $src_pkg and sudo is not available"
		sudo=(sudo)
	fi
	apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
	log "installing $src_pkg"
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
		install --no-install-recommends "$src_pkg" >&2; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >&2
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
			install --no-install-recommends "$src_pkg" >&2 || die "apt-get install $src_pkg failed"
	fi
	debver=$(installed_version)
	[ -n "$debver" ] || die "$src_pkg is still not installed"
	[ -f "$tarball" ] || die "$src_pkg $debver is installed but $tarball is missing"
fi
# The installed version is what the tarball holds; a newer candidate is only mentioned (upgrading
# it would trigger a rebuild, so that stays a deliberate apt-get upgrade).
candidate=$(LC_ALL=C apt-cache policy "$src_pkg" 2>/dev/null |
	awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
if [ -n "$candidate" ] && [ "$candidate" != "$debver" ]; then
	log "note: $src_pkg $debver is installed, apt offers $candidate (building $debver)"
fi

# --- cache: <root>/debug-kernel/<debver>-<sha256(debug.config) 12 hex> ----------------------------
hash=$(sha256sum "$fragment" | cut -c1-12)
# make cannot handle ':' (a Debian epoch) in KDIR; keep the name to a safe character set.
safever=$(printf '%s' "$debver" | tr -c 'A-Za-z0-9.+~_-' '_')
cache_root=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/debug-kernel
cache=$cache_root/$safever-$hash
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
	log "another build holds $cache_root/.lock; waiting"
	flock 9
fi

complete() {
	[ -f "$cache/.complete" ] && [ -f "$cache/linux/arch/x86/boot/bzImage" ] &&
		[ -f "$cache/linux/Module.symvers" ] && [ -s "$cache/kernelrelease" ]
}

if complete; then
	log "using cached $cache"
else
	# Leftovers of interrupted builds (we hold the lock, so none is running) and a stale cache.
	rm -rf "$cache_root"/.build.* "$cache"
	work=$(mktemp -d "$cache_root/.build.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	tree=$work/linux
	buildlog=$work/build.log
	jobs=${TCPTW_JOBS:-$(nproc)}
	start=$(date +%s)

	# run STEP CMD...: run in the tree, output to the build log; on failure show its tail, keep
	# the log next to the cache and stop.
	run() {
		local step=$1
		shift
		echo "### $step: $*" >>"$buildlog"
		if ! (cd "$tree" && "$@") >>"$buildlog" 2>&1; then
			tail -n 40 "$buildlog" | sed 's/^/  | /' >&2
			cp "$buildlog" "$cache_root/failed-build.log"
			die "$step failed (full log: $cache_root/failed-build.log)"
		fi
	}

	log "building the debug kernel from $src_pkg $debver + debug.config ($hash) in $cache"
	log "extracting $tarball"
	mkdir -p "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1 || die "cannot extract $tarball"
	cp "$fragment" "$work/debug.config"

	log "configuring: allnoconfig + debug.config + olddefconfig"
	run allnoconfig make allnoconfig
	run merge_config scripts/kconfig/merge_config.sh -m .config "$work/debug.config"
	run olddefconfig make olddefconfig

	# Every line of the fragment must survive olddefconfig: a dropped "=y"/"=m" is an unmet
	# dependency, a "is not set" that came back is selected by something else.
	dropped=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF -- "$line" "$tree/.config" ||
				dropped+=("$line (got: $(grep -E "^(# )?${sym}[= ]" "$tree/.config" || echo absent))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -qE "^$sym=" "$tree/.config"; then
				dropped+=("$line (got: $(grep -E "^$sym=" "$tree/.config"))")
			fi
			;;
		esac
	done <"$work/debug.config"
	if [ ${#dropped[@]} -gt 0 ]; then
		log "olddefconfig did not keep these debug.config lines (unmet dependencies?):"
		printf '  %s\n' "${dropped[@]}" >&2
		cp "$tree/.config" "$cache_root/failed.config"
		die "${#dropped[@]} debug.config line(s) dropped; resulting config: $cache_root/failed.config"
	fi
	log "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$work/debug.config") fragment lines kept"

	log "make -j$jobs bzImage modules (log: $buildlog)"
	run build make -j"$jobs" bzImage modules
	kver=$(cd "$tree" && make -s kernelrelease)
	[ -n "$kver" ] || die "make kernelrelease printed nothing"
	run modules_install make modules_install INSTALL_MOD_PATH="$work/modroot"
	[ -f "$work/modroot/lib/modules/$kver/modules.dep" ] ||
		die "modules_install left no lib/modules/$kver/modules.dep"
	# modules_install's build/source links point at the temporary dir; build is set again below.
	rm -f "$work/modroot/lib/modules/$kver/build" "$work/modroot/lib/modules/$kver/source"
	printf '%s\n' "$kver" >"$work/kernelrelease"
	echo "### done in $(($(date +%s) - start)) s" >>"$buildlog"
	touch "$work/.complete"
	mv "$work" "$cache"
	trap - EXIT INT TERM
	log "built $kver in $(($(date +%s) - start)) s; cache $(du -sh "$cache" | cut -f1)"
fi

kver=$(cat "$cache/kernelrelease")
kmoddir=$cache/modroot/lib/modules/$kver
[ -d "$kmoddir" ] || die "$kmoddir missing from the cache (delete $cache to rebuild)"
ln -sfn "$cache/linux" "$kmoddir/build"
exec 9>&-

printf 'KVER=%q\n' "$kver"
printf 'KDIR=%q\n' "$cache/linux"
printf 'VMLINUZ=%q\n' "$cache/linux/arch/x86/boot/bzImage"
printf 'KMODDIR=%q\n' "$kmoddir"
printf 'DEBVER=%q\n' "$debver"
