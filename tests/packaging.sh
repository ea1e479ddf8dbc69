#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-packaging (also part of make check): what an operator does with
# the packages, on this host, as root.
#
#  1. build tcptw-dkms and tcptw with dpkg-buildpackage -us -uc -b from a
#     copy of the working tree; lintian must report no error or warning;
#  2. dpkg -i both with the headers of Debian's 6.1 and 6.12 kernels
#     present: DKMS must build and install tcptw.ko for each, under
#     /lib/modules/<kver>/updates/dkms/, signed with DKMS's MOK key;
#  3. boot each kernel under QEMU with that very .ko and the packaged tool
#     (tests/vm/packaging.sh): load, report, agree with /proc/net/tcp;
#  4. new kernel headers (DKMS's header_postinst.d hook) rebuild it; an
#     upgrade to a newer package version replaces it on every kernel;
#  5. purge: nothing of tcptw left (dkms status, module files, /usr/src,
#     conffiles, every file the packages had);
#  6. make dkms-install / dkms-uninstall, the hand install, likewise;
#  7. the RPM spec, build-tested (tests/packaging/rpm.sh).
#
# It refuses to run on a host where tcptw is already installed (it would
# purge it), and purges what it installed if it stops early. Output: "ok -"
# and "not ok -" lines, then "N passed, N failed"; exit 1 if any failed.

# No -e: each step is a test line, and a failed one must not stop the rest.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
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

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		result 1 "root or sudo available (this test installs packages on the host)"
		finish
	fi
	sudo=(sudo)
fi
as_root() { "${sudo[@]}" "$@"; }

version=$(sed -n 's/^#define TCPTW_VERSION[[:space:]]*"\(.*\)"$/\1/p' include/tcptw_version.h)

# What of tcptw is on this host: packages, DKMS entries, files.
tcptw_traces() {
	dpkg-query -W -f='${db:Status-Status} ${Package}\n' tcptw tcptw-dkms 2>/dev/null |
		awk '$1 != "not-installed" { print "package " $2 " (" $1 ")" }' || true
	dkms status -m tcptw 2>/dev/null | sed 's/^/dkms: /' || true
	find /lib/modules /usr/src /var/lib/dkms /etc/modules-load.d /lib/systemd/system \
		/usr/sbin /usr/share/man/man8 /usr/share/doc -maxdepth 4 -name 'tcptw*' \
		2>/dev/null || true
}

# The files under the directories the packages and DKMS write to, minus
# what DKMS keeps for itself (its MOK key pair) and depmod's indexes.
snapshot() {
	find /lib/modules /usr/src /var/lib/dkms /etc /lib/systemd/system /usr/sbin \
		/usr/share/man/man8 /usr/share/doc -xdev 2>/dev/null |
		grep -Ev '^/lib/modules/[^/]+/modules\.[a-z.]+$|^/var/lib/dkms/mok\.(key|pub)$|^/etc/ld\.so\.cache$' |
		LC_ALL=C sort
}

installed=0
cleanup() {
	if [ $installed -eq 1 ]; then
		echo "# $me: stopped early: purging tcptw and tcptw-dkms" >&2
		as_root dpkg --purge tcptw tcptw-dkms >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# --- 0. the host ----------------------------------------------------------------
scripts/install-deps.sh || { result 1 "scripts/install-deps.sh installs what the test needs"; finish; }
traces=$(tcptw_traces)
if [ -n "$traces" ]; then
	result 1 "no tcptw on this host before the test (purge it first: apt purge tcptw tcptw-dkms; make dkms-uninstall)" "$traces"
	finish
fi
result 0 "no tcptw on this host before the test"

declare -A kenv=()
kvers=()
for flavor in 6.1 6.12; do
	if env=$(tests/qemu/kernel.sh "$flavor"); then
		eval "$env"
		kenv[$KVER]=$env
		kvers+=("$KVER")
		result 0 "kernel $flavor ($KVER): headers installed, image cached"
	else
		result 1 "kernel $flavor: headers installed, image cached (tests/qemu/kernel.sh $flavor)"
	fi
done
[ ${#kvers[@]} -gt 0 ] || finish

# depmod's indexes that exist now: DKMS's depmod adds some to a kernel that
# has only its headers here; they are removed again at the end.
indexes_before=$(ls -d /lib/modules/*/modules.* 2>/dev/null | LC_ALL=C sort || true)
rm -rf "$out"
mkdir -p "$out"
snapshot >"$out/before.list"

# --- 1. build ---------------------------------------------------------------------
# build_debs DIR VERSION: the .debs of the working tree (tracked files and
# untracked, not ignored ones) with VERSION everywhere; the build log is
# DIR/build.log.
build_debs() {
	local dir=$1 v=$2 src=$1/tcptw-$2

	mkdir -p "$src"
	git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src"
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
	(cd "$src" && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
}

if build_debs "$out/deb" "$version"; then
	result 0 "dpkg-buildpackage -us -uc -b builds tcptw-dkms and tcptw $version"
else
	result 1 "dpkg-buildpackage -us -uc -b builds tcptw-dkms and tcptw $version" \
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

# --- 2. install -----------------------------------------------------------------
installed=1
if as_root dpkg -i "$deb_dkms" "$deb_tool" >"$out/install.log" 2>&1; then
	result 0 "dpkg -i tcptw-dkms tcptw"
else
	result 1 "dpkg -i tcptw-dkms tcptw" "$(tail -n 30 "$out/install.log")"
	finish
fi
sed -n 's/^\(Building for .*\)/# dkms: \1/p' "$out/install.log"
dpkg-query -L tcptw tcptw-dkms | LC_ALL=C sort -u >"$out/package-files.list"

# module_file KVER: the DKMS-installed tcptw.ko (maybe compressed) of KVER.
module_file() {
	ls /lib/modules/"$1"/updates/dkms/tcptw.ko* 2>/dev/null | head -n 1
}

# check_installed KVER VERSION WHAT: DKMS has built and installed VERSION for
# KVER, depmod knows it, vermagic and version are right, DKMS signed it.
check_installed() {
	local k=$1 v=$2 what=$3 st f info signer cn

	st=$(dkms status -m tcptw -v "$v" -k "$k" 2>&1)
	[[ "$st" == *": installed"* ]]
	result $? "$k: $what: dkms status says installed" "$st"
	f=$(module_file "$k")
	[ -n "$f" ]
	result $? "$k: $what: tcptw.ko under /lib/modules/$k/updates/dkms/ (${f##*/})"
	[ -n "$f" ] || return 0
	info="$(modinfo -F vermagic "$f" | cut -d' ' -f1) $(modinfo -F version "$f")"
	[ "$info" = "$k $v" ]
	result $? "$k: $what: vermagic and version are '$k $v'" "got: $info"
	[ "$(modinfo -k "$k" -F filename tcptw 2>&1)" = "$f" ]
	result $? "$k: $what: depmod resolves 'tcptw' to it (modprobe tcptw finds it)"
	signer=$(modinfo -F signer "$f")
	cn=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject 2>/dev/null |
		sed -n 's/.*CN *= *//p')
	[ -n "$signer" ] && [ "$signer" = "$cn" ]
	result $? "$k: $what: signed with DKMS's MOK key (/var/lib/dkms/mok.pub, '$cn')" \
		"signer: '$signer'"
}

for k in "${kvers[@]}"; do
	check_installed "$k" "$version" "installed by the package"
done
out_tool=$(/usr/sbin/tcptw --version 2>&1)
[[ "$out_tool" == "tcptw $version "* ]]
result $? "/usr/sbin/tcptw --version on the host: $out_tool"
out_tool=$(/usr/sbin/tcptw 2>&1)
st=$?
[ $st -eq 3 ] && [[ "$out_tool" == *"module is not loaded"* ]] || [ -e /proc/tcptw ]
result $? "/usr/sbin/tcptw on the host (no module here): exit 3, 'module is not loaded'" "$out_tool"

# make dkms-install refuses to touch a packaged tree.
st=0
msg=$(make --no-print-directory dkms-install KVERS="${kvers[0]}" 2>&1) || st=$?
[ $st -ne 0 ] && [[ "$msg" == *"belongs to a package"* ]] &&
	[[ "$(dkms status -m tcptw -v "$version" -k "${kvers[0]}")" == *": installed"* ]]
result $? "make dkms-install refuses while tcptw-dkms is installed, and changes nothing" "$msg"

# --- 3. boot each kernel with the DKMS-built module and the packaged tool ----------
if build_vm_programs "$out/vm-bin" >"$out/vm-bin.log" 2>&1; then
	result 0 "static test programs for the VM build"
else
	result 1 "static test programs for the VM build" "$(tail -n 20 "$out/vm-bin.log")"
fi
for k in "${kvers[@]}"; do
	eval "${kenv[$k]}"
	f=$(module_file "$k")
	ov=$out/vm-$k
	rm -rf "$ov"
	mkdir -p "$ov/bin"
	case $f in
	*.xz) xz -dc "$f" >"$ov/tcptw.ko" ;;
	*.zst) zstd -dcq "$f" >"$ov/tcptw.ko" ;;
	*.gz) gzip -dc "$f" >"$ov/tcptw.ko" ;;
	*) cp "$f" "$ov/tcptw.ko" ;;
	esac
	cp "$out/vm-bin/tcptw-traffic" "$out/vm-bin/tcptw-verify" "$ov/bin/"
	cp tests/vm/packaging.sh "$ov/test.sh"
	cp tests/vm/tap.sh "$ov/tap.sh"
	cp /lib/systemd/system/tcptw-prometheus.service /etc/modules-load.d/tcptw.conf "$ov/"
	overlay_add_dynamic "$ov" /usr/sbin/tcptw
	result $? "$k: the packaged /usr/sbin/tcptw and its libraries copied into the VM"
	st=0
	tests/qemu/vm.sh --kernel "$VMLINUZ" --overlay "$ov" --log "$out/console-$k.log" \
		--timeout 600 --quiet --append "TCPTW_WANT_VERSION=$version" \
		2>"$out/vm-$k.stderr" || st=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) result 0 "$k VM: ${line#ok * - }" ;;
		"not ok "*) result 1 "$k VM: ${line#not ok * - }" ;;
		"# "*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$out/console-$k.log" | sed -n '/^TCPTW-VM: exit/q;p')
	grep -q '^# [0-9]* tests, [0-9]* failed' "$out/console-$k.log"
	result $? "$k VM: ran to its end (console in $out/console-$k.log)"
	# 0 or 1 (failed test lines, counted above); else a timeout, a crash or
	# an Oops, BUG, WARNING on the console (tests/qemu/vm.sh).
	[ $st -le 1 ]
	result $? "$k VM: ended normally, no kernel problem report (vm.sh status $st)" \
		"$(cat "$out/vm-$k.stderr")"
done

# --- 4. new headers, then an upgrade ----------------------------------------------
# What apt runs when a kernel's headers are installed: DKMS's hook rebuilds.
k=${kvers[-1]}
as_root dkms remove -m tcptw -v "$version" -k "$k" >"$out/hook.log" 2>&1 || true
[ -z "$(module_file "$k")" ]
result $? "$k: dkms remove -k takes the module away (as if the headers were new)"
as_root /etc/kernel/header_postinst.d/dkms "$k" >>"$out/hook.log" 2>&1 || true
check_installed "$k" "$version" "rebuilt by /etc/kernel/header_postinst.d/dkms"

# The upgrade comes as a fleet gets it: apt, from a flat repository (here
# file:, with its own sources and lists, leaving the host's apt state alone).
upgrade=$version+pkgtest1
if build_debs "$out/upgrade" "$upgrade"; then
	result 0 "an upgrade, $upgrade, builds"
	repo=$out/repo
	mkdir -p "$repo" "$out/apt/lists/partial"
	cp "$out/upgrade"/*.deb "$repo/"
	(cd "$repo" && apt-ftparchive packages . >Packages &&
		apt-ftparchive release . >Release.new && mv Release.new Release)
	echo "deb [trusted=yes] file:$repo ./" >"$out/apt/sources.list"
	apt_opts=(-q -y -o Dir::Etc::sourcelist="$out/apt/sources.list"
		  -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$out/apt/lists"
		  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		  -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0)
	if as_root apt-get "${apt_opts[@]}" update >"$out/upgrade.log" 2>&1 &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
			--no-install-recommends install tcptw-dkms tcptw >>"$out/upgrade.log" 2>&1; then
		result 0 "apt-get install from a local repository upgrades to $upgrade"
	else
		result 1 "apt-get install from a local repository upgrades to $upgrade" \
			"$(tail -n 30 "$out/upgrade.log")"
	fi
	for k in "${kvers[@]}"; do
		check_installed "$k" "$upgrade" "after the upgrade"
	done
	left=$(dkms status -m tcptw -v "$version" 2>&1; ls -d "/usr/src/tcptw-$version" 2>/dev/null || true)
	[ -z "$left" ]
	result $? "the upgrade removed $version from DKMS and /usr/src" "$left"
	dpkg-query -L tcptw tcptw-dkms | LC_ALL=C sort -u >>"$out/package-files.list"
else
	result 1 "an upgrade, $upgrade, builds" "$(tail -n 30 "$out/upgrade/build.log")"
fi

# --- 5. purge -----------------------------------------------------------------------
if as_root dpkg --purge tcptw tcptw-dkms >"$out/purge.log" 2>&1; then
	installed=0
	result 0 "dpkg --purge tcptw tcptw-dkms"
else
	result 1 "dpkg --purge tcptw tcptw-dkms" "$(tail -n 30 "$out/purge.log")"
fi

# assert_clean WHAT: nothing of tcptw on the host, and no file that was not
# there before the test (depmod indexes and DKMS's MOK key aside).
assert_clean() {
	local what=$1 traces left new k

	traces=$(tcptw_traces)
	[ -z "$traces" ]
	result $? "$what: no package, DKMS entry or file named tcptw left" "$traces"
	left=$(while IFS= read -r f; do
		[ -d "$f" ] || [ ! -e "$f" ] || echo "$f"
	done <"$out/package-files.list")
	[ -z "$left" ]
	result $? "$what: none of the packages' files is left" "$left"
	new=$(snapshot | LC_ALL=C comm -13 "$out/before.list" -)
	[ -z "$new" ]
	result $? "$what: no file or directory that was not there before" "$new"
	for k in "${kvers[@]}"; do
		! modinfo -k "$k" tcptw >/dev/null 2>&1
		result $? "$what: $k: depmod no longer knows tcptw"
	done
}
: >>"$out/package-files.list"
assert_clean "after purge"

# --- 6. the hand install ------------------------------------------------------------
src=$out/deb/tcptw-$version
if (cd "$src" && as_root make --no-print-directory dkms-install KVERS="${kvers[*]}") \
	>"$out/dkms-install.log" 2>&1; then
	result 0 "make dkms-install KVERS=\"${kvers[*]}\""
else
	result 1 "make dkms-install KVERS=\"${kvers[*]}\"" "$(tail -n 30 "$out/dkms-install.log")"
fi
for k in "${kvers[@]}"; do
	check_installed "$k" "$version" "make dkms-install"
done
if (cd "$src" && as_root make --no-print-directory dkms-uninstall) >"$out/dkms-uninstall.log" 2>&1; then
	result 0 "make dkms-uninstall"
else
	result 1 "make dkms-uninstall" "$(tail -n 30 "$out/dkms-uninstall.log")"
fi
: >"$out/package-files.list"
assert_clean "after make dkms-uninstall"

# Back to the host as it was: depmod indexes DKMS added to header-only kernels.
indexes_now=$(ls -d /lib/modules/*/modules.* 2>/dev/null | LC_ALL=C sort || true)
added=$(LC_ALL=C comm -13 <(printf '%s\n' "$indexes_before") <(printf '%s\n' "$indexes_now"))
[ -z "$added" ] || as_root rm -f $added

# --- 7. RPM ---------------------------------------------------------------------------
rpm_end=1
while IFS= read -r line; do
	case "$line" in
	"ok "*) result 0 "rpm: ${line#ok - }" ;;
	"not ok "*) result 1 "rpm: ${line#not ok - }" ;;
	"# "*[0-9]" passed, "*) rpm_end=0 ;;
	*) echo "$line" ;;
	esac
done < <(tests/packaging/rpm.sh "$out/rpm" "${kvers[@]}" 2>&1)
result $rpm_end "rpm: tests/packaging/rpm.sh ran to its end"

finish
