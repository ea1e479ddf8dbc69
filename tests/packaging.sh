#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-packaging (also part of make check): what an operator does with
# the packages, on each Debian suite of the kernel matrix, in chroots: this
# host's packages, DKMS tree and /lib/modules are left alone (no dpkg -i here).
#
#  1. build tcptw-dkms and tcptw with dpkg-buildpackage -us -uc -b from a
#     copy of the working tree, on this host (Debian 12); lintian must report
#     no error or warning; what each .deb ships;
#  2. per suite of tests/kernels.conf's gating kernels (bullseye: 5.10;
#     bookworm: 6.1, 6.12; trixie: 6.12-rt and the 7.x of trixie-backports),
#     a packaging chroot of that suite, cached (tests/packaging/chroot.sh);
#     a tcptw whose glibc the suite lacks (the host's build on bullseye) is
#     built again in that chroot, and dpkg must refuse the host's there;
#  3. in a throwaway overlay of it (tests/packaging/suite.sh): the running
#     kernel's headers, dpkg -i tcptw-dkms tcptw (DKMS builds, signs,
#     installs), the next kernel's headers (DKMS's hook builds), each .ko's
#     vermagic and MOK signature checked, each kernel booted in QEMU with
#     that .ko and the packaged tool (tests/vm/packaging.sh), purge, nothing
#     left; on this host's suite also an upgrade through apt from a local
#     repository and make dkms-install / dkms-uninstall;
#  4. this host: no tcptw package, DKMS entry or module appeared;
#  5. the RPM spec, build-tested (tests/packaging/rpm.sh).
#
# Needs root (or sudo): debootstrap, overlay mounts, chroots. Output: "ok -"
# and "not ok -" lines, then "N passed, N failed"; exit 1 if any failed.
# Logs in build/packaging/. The suites run side by side (their lines come when
# all are done); TCPTW_PACKAGING_JOBS=N runs N at a time, 1 one after the other.

# No -e: each step is a test line, and a failed one must not stop the rest.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=SCRIPTDIR/packaging/lib.sh
source "$(dirname "$0")/packaging/lib.sh"
cd "$TCPTW_ROOT" || exit 1

me=${0##*/}
out=$TCPTW_BUILD/packaging
passed=0
failed=0

result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 30 | sed 's/^/#   /'
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
# fold_lines PREFIX: a sub-test's "ok -" / "not ok -" lines counted as ours.
fold_lines() {
	local line ended=1

	while IFS= read -r line; do
		case "$line" in
		"ok - "*) result 0 "$1${line#ok - }" ;;
		"not ok - "*) result 1 "$1${line#not ok - }" ;;
		"# "*[0-9]" passed, "*[0-9]" failed") ended=0 ;;
		*) echo "$line" ;;
		esac
	done
	return $ended
}

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo --preserve-env=TCPTW_SKIP_DEPS,TCPTW_CACHE,TCPTW_BUILD,TCPTW_PACKAGING_JOBS \
			"$0" "$@"
	fi
	result 1 "root or sudo available (chroots, overlay mounts)"
	finish
fi
start=$(date +%s)
# elapsed WHAT: a "# ... s" line, how long the run has taken so far.
elapsed() { echo "# $me: $1 after $(($(date +%s) - start)) s"; }
version=$(sed -n 's/^#define TCPTW_VERSION[[:space:]]*"\(.*\)"$/\1/p' include/tcptw_version.h)
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")

# What of tcptw is on this host: packages, DKMS entries, module files, sources.
host_traces() {
	dpkg-query -W -f='${db:Status-Status} ${Package} ${Version}\n' tcptw tcptw-dkms 2>/dev/null |
		awk '$1 != "not-installed"' || true
	ls -d /var/lib/dkms/tcptw /usr/src/tcptw-* /lib/modules/*/updates/dkms/tcptw* 2>/dev/null || true
}

# --- 0. this host ------------------------------------------------------------------
scripts/install-deps.sh || { result 1 "scripts/install-deps.sh installs what the test needs"; finish; }
host_before=$(host_traces)
suite_pids=()
# On the way out: the overlay of a build in progress, suites still running
# (each unmounts its own overlay on TERM).
on_exit() {
	overlay_down
	[ ${#suite_pids[@]} -eq 0 ] || kill -TERM "${suite_pids[@]}" 2>/dev/null
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A run that was killed may have left its overlays mounted.
overlay_umount_under "$out"
rm -rf --one-file-system "$out"
mkdir -p "$out/kernels"

# --- 1. the kernels, per suite -------------------------------------------------------
# Gating kernels of the matrix, grouped by Debian suite (a backports kernel with
# its base suite), the suite's own kernels first: the first is "running".
suites=()
declare -A main_envs=() bpo_envs=()
host_kvers=()
for flavor in $(tests/qemu/kernels.sh list gating); do
	SUITE='' BUILD=''
	eval "$(tests/qemu/kernels.sh show "$flavor")"
	s=${SUITE%-backports}
	build=$BUILD
	env=$out/kernels/$flavor.env
	if tests/qemu/kernel.sh "$flavor" >"$env" 2>"$out/kernels/$flavor.log"; then
		KVER=''
		# shellcheck disable=SC1090 # kernel.sh's output
		. "$env"
		result 0 "kernel $flavor ($KVER, $SUITE): image cached"
	else
		result 1 "kernel $flavor: image cached (tests/qemu/kernel.sh $flavor)" \
			"$(tail -n 20 "$out/kernels/$flavor.log")"
		continue
	fi
	[ "$build" != host ] || host_kvers+=("$KVER")
	[[ " ${suites[*]} " == *" $s "* ]] || suites+=("$s")
	if [ "$SUITE" = "$s" ]; then
		main_envs[$s]+=" $env"
	else
		bpo_envs[$s]+=" $env"
	fi
done
[ ${#suites[@]} -gt 0 ] || finish

# --- 2. the .debs, built here -----------------------------------------------------------
# build_debs DIR VERSION [DEB_BUILD_OPTIONS]: the .debs of the working tree with
# VERSION everywhere; the build log is DIR/build.log.
build_debs() {
	local dir=$1 v=$2 opts=${3:-} src=$1/tcptw-$2

	copy_tree "$src"
	if [ "$v" != "$version" ]; then
		sed -i "s/^\(#define TCPTW_VERSION[[:space:]]*\)\".*\"$/\1\"$v\"/" \
			"$src/include/tcptw_version.h"
		sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$v\"/" "$src/dkms.conf"
		{
			printf 'tcptw (%s) unstable; urgency=medium\n\n' "$v"
			printf '  * Test upgrade built by tests/packaging.sh.\n\n'
			printf ' -- tcptw tests <tests@tcptw.invalid>  %s\n\n' "$(date -R)"
			cat "$src/debian/changelog"
		} >"$src/debian/changelog.new"
		mv "$src/debian/changelog.new" "$src/debian/changelog"
	fi
	(cd "$src" && dpkg-checkbuilddeps &&
		DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
}

if build_debs "$out/deb" "$version"; then
	result 0 "dpkg-buildpackage -us -uc -b builds tcptw-dkms and tcptw $version ($host_suite)"
else
	result 1 "dpkg-buildpackage -us -uc -b builds tcptw-dkms and tcptw $version ($host_suite)" \
		"$(tail -n 30 "$out/deb/build.log")"
	finish
fi
arch=$(dpkg --print-architecture)
deb_dkms=$out/deb/tcptw-dkms_${version}_all.deb
deb_tool=$out/deb/tcptw_${version}_$arch.deb
[ -f "$deb_dkms" ] && [ -f "$deb_tool" ]
result $? "the build made $(basename "$deb_dkms") and $(basename "$deb_tool")"

# Versions: one number, from include/tcptw_version.h to the .debs.
got="$(dpkg-parsechangelog -l debian/changelog -S Version) $(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)"
got+=" $(dpkg-deb -f "$deb_dkms" Version) $(dpkg-deb -f "$deb_tool" Version)"
[ "$got" = "$version $version $version $version" ]
result $? "debian/changelog, dkms.conf and the .debs say $version, as include/tcptw_version.h" "got: $got"

lint=$(lintian --pedantic -I "$out/deb/tcptw_${version}_$arch.changes" 2>&1 |
	grep -v '^running with root privileges' || true)
bad=$(grep -E '^[EW]: ' <<<"$lint" || true)
[ -z "$bad" ]
result $? "lintian: no error or warning on the .debs" "$bad"
[ -z "$lint" ] || [ -n "$bad" ] || printf '%s\n' "$lint" | sed 's/^/# lintian: /'

# What each .deb ships.
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
want=(/usr/sbin/tcptw /usr/share/man/man8/tcptw.8.gz /etc/modules-load.d/tcptw.conf
      /lib/systemd/system/tcptw-prometheus.service /lib/systemd/system/tcptw-prometheus.timer)
missing=$(comm -23 <(printf '%s\n' "${want[@]}" | sort) <(contents "$deb_tool" | sort))
[ -z "$missing" ]
result $? "tcptw ships the tool, its man page, modules-load.d file and the timer" "missing: $missing"
srcdir=/usr/src/tcptw-$version
want=("$srcdir/dkms.conf" "$srcdir/Kbuild" "$srcdir/module/main.c" "$srcdir/include/tcptw_format.h")
missing=$(comm -23 <(printf '%s\n' "${want[@]}" | sort) <(contents "$deb_dkms" | sort))
kunit=$(contents "$deb_dkms" | grep -E 'kunit|_test\.c' || true)
[ -z "$missing" ] && [ -z "$kunit" ]
result $? "tcptw-dkms ships the module source in $srcdir, without the KUnit suites" \
	"missing: $missing; KUnit: $kunit"

# The upgrade that the host's suite gets, from a flat repository.
upgrade=$version+pkgtest1
repo=$out/repo
if build_debs "$out/upgrade" "$upgrade" nocheck; then
	mkdir -p "$repo"
	cp "$out/upgrade"/*.deb "$repo/"
	(cd "$repo" && apt-ftparchive packages . >Packages &&
		apt-ftparchive release . >Release.new && mv Release.new Release)
	result $? "an upgrade, $upgrade, builds into a local apt repository"
else
	result 1 "an upgrade, $upgrade, builds" "$(tail -n 30 "$out/upgrade/build.log")"
	repo=
fi

if build_vm_programs "$out/vm-bin" >"$out/vm-bin.log" 2>&1; then
	result 0 "static test programs for the VM build"
else
	result 1 "static test programs for the VM build" "$(tail -n 20 "$out/vm-bin.log")"
fi

elapsed "the .debs"

# --- 3. per suite: its packaging chroot, the tool it can run, the test ------------------
libc_needed=$(dpkg-deb -f "$deb_tool" Depends | grep -o 'libc6 (>= [^)]*)' | sed 's/.*>= //; s/)//')
declare -A base_of=() tool_of=() refused_of=()
for s in "${suites[@]}"; do
	# shellcheck disable=SC2086 # env files, one a word
	if base=$(tests/packaging/chroot.sh "$s" ${main_envs[$s]:-} ${bpo_envs[$s]:-} \
		2>"$out/chroot-$s.log"); then
		base_of[$s]=$base
		result 0 "$s: packaging chroot (dkms, the kernels' images and compilers) at $base"
	else
		result 1 "$s: packaging chroot (tests/packaging/chroot.sh $s)" \
			"$(tail -n 20 "$out/chroot-$s.log")"
		continue
	fi
	tool_of[$s]=$deb_tool
	libc=$(dpkg-query --admindir="$base/var/lib/dpkg" -W -f='${Version}' libc6)
	if [ -z "$libc_needed" ] || dpkg --compare-versions "$libc" ge "$libc_needed"; then
		continue
	fi
	# The host's tcptw needs a newer glibc than the suite has: build it there.
	echo "# $s: glibc $libc, the $host_suite-built tcptw needs $libc_needed: building tcptw in $s"
	refused_of[$s]=$deb_tool
	b=$out/build-$s
	st=1
	if overlay_up "$base" "$b" 2>"$b.log"; then
		copy_tree "$pkg_root/srv/pkgtest/tcptw-$version"
		in_chroot sh -c 'cd /srv/pkgtest/tcptw-$1 && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b' \
			sh "$version" >"$b.log" 2>&1 &&
			mkdir -p "$out/deb-$s" &&
			cp "$pkg_root/srv/pkgtest/tcptw_${version}_$arch.deb" "$out/deb-$s/" && st=0
	fi
	overlay_down
	if [ $st -eq 0 ]; then
		tool_of[$s]=$out/deb-$s/tcptw_${version}_$arch.deb
		result 0 "$s: dpkg-buildpackage in the $s chroot builds tcptw $version for its glibc"
	else
		result 1 "$s: dpkg-buildpackage in the $s chroot builds tcptw $version for its glibc" \
			"$(tail -n 30 "$b.log")"
	fi
done

elapsed "the packaging chroots"

# run_suite SUITE: tests/packaging/suite.sh with what that suite gets (exec: called in a subshell).
run_suite() {
	local s=$1 args=()

	args=(--suite "$s" --base "${base_of[$s]}" --out "$out/$s" --version "$version"
	      --debs "$deb_dkms ${tool_of[$s]}" --vm-bin "$out/vm-bin")
	[ -z "${refused_of[$s]:-}" ] || args+=(--refused "${refused_of[$s]}")
	if [ "$s" = "$host_suite" ]; then
		[ -z "$repo" ] || args+=(--upgrade "$repo=$upgrade")
		args+=(--hand "$out/deb/tcptw-$version")
	fi
	# shellcheck disable=SC2086 # env files, one a word
	exec tests/packaging/suite.sh "${args[@]}" ${main_envs[$s]:-} ${bpo_envs[$s]:-}
}
jobs=${TCPTW_PACKAGING_JOBS:-${#suites[@]}}
if [ "$jobs" -le 1 ]; then
	for s in "${suites[@]}"; do
		[ -n "${base_of[$s]:-}" ] || continue
		fold_lines "" < <(run_suite "$s" 2>"$out/suite-$s.err")
		result $? "$s: tests/packaging/suite.sh ran to its end" "$(tail -n 20 "$out/suite-$s.err")"
		elapsed "$s"
	done
else
	# Suites side by side, their lines shown when all are done, in order.
	n=0
	for s in "${suites[@]}"; do
		[ -n "${base_of[$s]:-}" ] || continue
		run_suite "$s" >"$out/suite-$s.out" 2>"$out/suite-$s.err" &
		suite_pids+=($!)
		n=$((n + 1))
		[ $n -lt "$jobs" ] || { wait -n; n=$((n - 1)); }
	done
	wait
	suite_pids=()
	for s in "${suites[@]}"; do
		[ -n "${base_of[$s]:-}" ] || continue
		fold_lines "" <"$out/suite-$s.out"
		result $? "$s: tests/packaging/suite.sh ran to its end" "$(tail -n 20 "$out/suite-$s.err")"
	done
fi

# --- 4. this host --------------------------------------------------------------------------
host_after=$(host_traces)
[ "$host_after" = "$host_before" ]
result $? "this host: no tcptw package, DKMS entry or module file came or went" \
	"before: $host_before; after: $host_after"

# --- 5. RPM ---------------------------------------------------------------------------------
if [ ${#host_kvers[@]} -gt 0 ]; then
	fold_lines "rpm: " < <(tests/packaging/rpm.sh "$out/rpm" "${host_kvers[@]}" 2>&1)
	result $? "rpm: tests/packaging/rpm.sh ran to its end"
fi

elapsed "everything"
finish
