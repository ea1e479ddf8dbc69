#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the debug kernel for QEMU tests: `make allnoconfig` plus tests/qemu/debug.config
# (KASAN, lockdep, kmemleak, debug objects, KUnit as a module, ...) on Debian's linux-source-6.1
# (the host package) or on the newest linux-source-7.x of trixie-backports (fetched through
# apt.sh, unpacked into the cache, never installed). Cached outside the repo per (source package
# version, sha256 of the fragments); ~6-25 min on 2 cores the first time.
set -euo pipefail
# Usage: debug-kernel.sh [6.1|7]   (default 6.1)
#   7: debug.config + debug-7.config (the options 7.x renamed or added), gcc from the host.
# Stdout (only): KVER=<release> KDIR=<build tree> VMLINUZ=<bzImage> KMODDIR=<lib/modules/<release>>
# DEBVER=<source package version>, one per line, shell-evaluable
# (eval "$(tests/qemu/debug-kernel.sh)"). Progress goes to stderr; the build log stays in the cache.
# TCPTW_JOBS overrides make's -j (default: nproc).

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -le 1 ] || { echo "usage: $me [6.1|7]" >&2; exit 2; }
series=${1:-6.1}
case $series in
6.1) fragments=("$here/debug.config") ;;
7) fragments=("$here/debug.config" "$here/debug-7.config") ;;
*) echo "usage: $me [6.1|7] (not '$series')" >&2; exit 2 ;;
esac
for f in "${fragments[@]}"; do
	[ -f "$f" ] || die "$f not found"
done
[ "$(uname -m)" = x86_64 ] || die "this builds an x86_64 kernel and needs an x86_64 host"

tools=(apt-get dpkg-query make gcc bc bison flex perl tar xz sha256sum flock depmod)
[ "$series" = 6.1 ] || tools+=(dpkg-deb dpkg)
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done
for hdr in libelf.h openssl/opensslv.h; do
	[ -f "/usr/include/$hdr" ] || die "/usr/include/$hdr not found (run scripts/install-deps.sh)"
done

cache_root=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/debug-kernel
mkdir -p "$cache_root"
# make cannot handle ':' (a Debian epoch) in KDIR; keep names to a safe character set.
safe_name() { printf '%s' "$1" | tr -c 'A-Za-z0-9.+~_-' '_'; }

# --- the source, 6.1: linux-source-6.1, installed on the host if missing ------------------------
host_source_6_1() {
	src_pkg=linux-source-6.1
	tarball=/usr/src/linux-source-6.1.tar.xz
	debver=$(installed_version)
	if [ -z "$debver" ] || [ ! -f "$tarball" ]; then
		sudo=()
		if [ "$(id -u)" -ne 0 ]; then
			command -v sudo >/dev/null 2>&1 ||
				die "need root to install $src_pkg and sudo is not available"
			sudo=(sudo)
		fi
		apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
		log "installing $src_pkg"
		if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
			install --no-install-recommends "$src_pkg" >&2; then
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >&2
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
				install --no-install-recommends "$src_pkg" >&2 ||
				die "apt-get install $src_pkg failed"
		fi
		debver=$(installed_version)
		[ -n "$debver" ] || die "$src_pkg is still not installed"
		[ -f "$tarball" ] || die "$src_pkg $debver is installed but $tarball is missing"
	fi
	# The installed version is what the tarball holds; a newer candidate is only mentioned
	# (upgrading it would trigger a rebuild, so that stays a deliberate apt-get upgrade).
	candidate=$(LC_ALL=C apt-cache policy "$src_pkg" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
	if [ -n "$candidate" ] && [ "$candidate" != "$debver" ]; then
		log "note: $src_pkg $debver is installed, apt offers $candidate (building $debver)"
	fi
}
installed_version() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$src_pkg" 2>/dev/null || true)
	case $st in "installed "*) printf '%s' "${st#installed }" ;; esac
}

# --- the source, 7: the newest linux-source-7.N that trixie-backports' linux-source points at ----
# Every version of the metapackage apt knows, as "VERSION PACKAGE" for those that depend on a
# linux-source-7.N; the newest of them (dpkg's ordering) is built.
backports_source_7() {
	local apt=("$here/apt.sh" trixie-backports) meta pkg ver best_pkg='' best_ver=''
	local dir tmp deb
	if meta=$("${apt[@]}" apt-cache show linux-source 2>/dev/null |
		awk '/^Depends: / && match($0, /linux-source-7\.[0-9]+ \(= [^)]*\)/) {
			split(substr($0, RSTART, RLENGTH), d, /[ ()=]+/); print d[2], d[1] }'); then
		while read -r ver pkg; do
			[ -n "$ver" ] || continue
			if [ -z "$best_ver" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
				best_ver=$ver best_pkg=$pkg
			fi
		done <<<"$meta"
	fi
	if [ -z "$best_ver" ]; then
		# No answer from apt (offline with stale lists?): the newest source already unpacked.
		for dir in "$cache_root"/source/*/; do
			[ -f "$dir/.complete" ] || continue
			read -r pkg ver <"$dir/.complete"
			if [ -z "$best_ver" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
				best_ver=$ver best_pkg=$pkg
			fi
		done
		[ -n "$best_ver" ] ||
			die "trixie-backports' linux-source depends on no linux-source-7.N (apt.sh failed?)"
		log "warning: apt.sh gave no linux-source-7.N; using the cached $best_pkg $best_ver"
	fi
	src_pkg=$best_pkg
	debver=$best_ver
	dir=$cache_root/source/$(safe_name "$debver")
	tarball=$dir/$src_pkg.tar.xz
	[ -f "$dir/.complete" ] && [ -f "$tarball" ] && return
	log "downloading $src_pkg $debver from trixie-backports (~170 MB)"
	rm -rf "$dir" "$cache_root"/source/.dl.*
	mkdir -p "$cache_root/source"
	tmp=$(mktemp -d "$cache_root/source/.dl.XXXXXX")
	(cd "$tmp" && "${apt[@]}" apt-get -q download "$src_pkg=$debver" >&2) ||
		{ rm -rf "$tmp"; die "apt-get download $src_pkg=$debver failed"; }
	deb=$(find "$tmp" -maxdepth 1 -name "${src_pkg}_*.deb" | head -n 1)
	[ -n "$deb" ] || { rm -rf "$tmp"; die "apt-get download left no ${src_pkg}_*.deb"; }
	dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
	[ -f "$tmp/root/usr/src/$src_pkg.tar.xz" ] ||
		{ rm -rf "$tmp"; die "$deb has no usr/src/$src_pkg.tar.xz"; }
	mkdir -p "$dir"
	mv "$tmp/root/usr/src/$src_pkg.tar.xz" "$tarball"
	rm -rf "$tmp"
	printf '%s %s\n' "$src_pkg" "$debver" >"$dir/.complete"
}

# --- cache: <root>/debug-kernel/<debver>-<sha256(fragments) 12 hex> -------------------------------
# The fragments concatenated; for 6.1 that is debug.config alone, so its hash (and the cache
# key) is the one it always had.
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
	log "another build holds $cache_root/.lock; waiting"
	flock 9
fi
case $series in
6.1) host_source_6_1 ;;
7) backports_source_7 ;;
esac
hash=$(cat "${fragments[@]}" | sha256sum | cut -c1-12)
cache=$cache_root/$(safe_name "$debver")-$hash

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

	log "building the debug kernel from $src_pkg $debver + ${fragments[*]##*/} ($hash) in $cache"
	log "extracting $tarball"
	mkdir -p "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1 || die "cannot extract $tarball"
	cat "${fragments[@]}" >"$work/debug.config"

	log "configuring: allnoconfig + ${fragments[*]##*/} + olddefconfig"
	run allnoconfig make allnoconfig
	run merge_config scripts/kconfig/merge_config.sh -m .config "$work/debug.config"
	run olddefconfig make olddefconfig

	# Every line of the fragment must survive olddefconfig: a dropped "=y"/"=m" is an unmet
	# dependency, a "is not set" that came back is selected by something else. A version fragment
	# retires a symbol its kernel no longer has with "# gone: CONFIG_X (why)"; then CONFIG_X must
	# be absent from the .config, so a marker that outlives the rename fails too.
	dropped=()
	gone=" $(sed -n 's/^# gone: \(CONFIG_[A-Za-z0-9_]*\).*/\1/p' "$work/debug.config" | tr '\n' ' ')"
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			if [[ $gone == *" $sym "* ]]; then
				! grep -qE "^(# )?${sym}[= ]" "$tree/.config" ||
					dropped+=("$line (marked gone, but this kernel has $sym)")
				continue
			fi
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
		log "olddefconfig did not keep these fragment lines (unmet dependencies?):"
		printf '  %s\n' "${dropped[@]}" >&2
		cp "$tree/.config" "$cache_root/failed.config"
		die "${#dropped[@]} fragment line(s) dropped; resulting config: $cache_root/failed.config"
	fi
	log "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$work/debug.config") fragment lines kept" \
	    "($(wc -w <<<"$gone") marked gone)"

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
