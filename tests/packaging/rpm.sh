#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/packaging/rpm.sh OUTDIR KVER...: build-test packaging/rpm/tcptw.spec
# with Debian's rpmbuild, from the working tree (uncommitted edits included).
# Checks the versions, what each RPM ships, the DKMS scriptlets, and that
# tcptw-dkms's payload builds tcptw.ko for each KVER under DKMS in private
# trees (the host's DKMS tree and /lib/modules are left alone). Build-tested
# only: Debian cannot install EL's dkms, so nothing is installed here.
#
# Output: "ok -" and "not ok -" lines (failure details as "#   ..."), then
# "# N passed, N failed"; exit 1 if any failed. Called by tests/packaging.sh.

# The conditions check() evals expand there, late, on purpose.
# shellcheck disable=SC2016
set -euo pipefail

me=${0##*/}
if [ $# -lt 2 ]; then
	echo "usage: $me OUTDIR KVER..." >&2
	exit 2
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
kvers=("$@")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

passed=0
failed=0

# result STATUS NAME [DETAILS]: one test line; DETAILS (the first 30 lines)
# under a failed one.
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
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}
# check NAME DETAILS COMMAND...: result of COMMAND, with DETAILS if it failed.
# (Its locals start with c_: an eval'd COMMAND sees the caller's variables.)
check() {
	local c_name=$1 c_details=$2 c_st=0

	shift 2
	"$@" || c_st=$?
	result "$c_st" "$c_name" "$c_details"
}

for tool in rpmbuild rpm rpm2cpio cpio git dkms modinfo; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		result 1 "$tool is installed (needed to build-test the RPM spec: apt-get install rpm rpm2cpio cpio dkms kmod git)"
		finish
	fi
done
echo "# rpmlint is not in Debian 12: the spec is build-tested, not linted"

spec=packaging/rpm/tcptw.spec
header_version=$(sed -n 's/^#define TCPTW_VERSION[[:space:]]*"\(.*\)"$/\1/p' include/tcptw_version.h)
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
spec_version=$(sed -n 's/^Version:[[:space:]]*\([^[:space:]]*\)$/\1/p' "$spec")
v=$spec_version
if [ -z "$v" ]; then
	result 1 "$spec has a Version: line"
	finish
fi

# --- versions: one number, include/tcptw_version.h's ------------------------------
check "spec Version and dkms.conf PACKAGE_VERSION say $header_version, as include/tcptw_version.h" \
	"spec: $spec_version, dkms.conf: $dkms_version, tcptw_version.h: $header_version" \
	[ "$spec_version $dkms_version" = "$header_version $header_version" ]

# --- the source tarball and the build ------------------------------------------
top=$out/rpmbuild
rm -rf "$top" "$out/root" "$out/tool" "$out/dkms"
mkdir -p "$top/SOURCES" "$top/SPECS"
cp "$spec" "$top/SPECS/"
# What git would commit now: tracked files that still exist, and untracked
# ones that are not ignored.
st=0
msg=$(git ls-files -co --exclude-standard -z |
	while IFS= read -r -d '' f; do [ ! -e "$f" ] || printf '%s\0' "$f"; done |
	LC_ALL=C sort -z |
	tar -czf "$top/SOURCES/tcptw-$v.tar.gz" --no-recursion --null \
		--transform "s|^|tcptw-$v/|" --owner=0 --group=0 --numeric-owner -T - 2>&1) || st=$?
check "source tarball tcptw-$v.tar.gz from the working tree (git ls-files -co --exclude-standard)" \
	"$msg" [ $st -eq 0 ]
[ $st -eq 0 ] || finish

if rpmbuild -ba --nodeps --define "_topdir $top" --define 'debug_package %{nil}' \
	"$top/SPECS/tcptw.spec" >"$out/rpmbuild.log" 2>&1; then
	result 0 "rpmbuild -ba builds tcptw and tcptw-dkms $v"
else
	result 1 "rpmbuild -ba builds tcptw and tcptw-dkms $v (log: $out/rpmbuild.log)" \
		"$(tail -n 30 "$out/rpmbuild.log")"
	finish
fi
rpm_tool=$(find "$top/RPMS" -name "tcptw-$v-*.rpm" | head -n 1)
rpm_dkms=$(find "$top/RPMS" -name "tcptw-dkms-$v-*.rpm" | head -n 1)
check "the build made the tcptw and tcptw-dkms RPMs" "$(find "$top/RPMS" "$top/SRPMS" -type f)" \
	eval '[ -n "$rpm_tool" ] && [ -n "$rpm_dkms" ] && [ -n "$(find "$top/SRPMS" -name "tcptw-$v-*.src.rpm")" ]'
if [ -z "$rpm_tool" ] || [ -z "$rpm_dkms" ]; then
	finish
fi
got="$(rpm -qp --qf '%{VERSION}' "$rpm_tool") $(rpm -qp --qf '%{VERSION}' "$rpm_dkms")"
check "both RPMs are version $v" "tcptw, tcptw-dkms: $got" [ "$got" = "$v $v" ]

# --- what each RPM ships -------------------------------------------------------------
# missing FILELIST PATTERN...: the extended regexps no line of FILELIST matches.
missing() {
	local list=$1 re

	shift
	for re in "$@"; do
		grep -qE "^$re\$" <<<"$list" || echo "$re"
	done
}
files=$(rpm -qlp "$rpm_tool")
unitdir=/usr/lib/systemd/system
lack=$(missing "$files" /usr/sbin/tcptw '/usr/share/man/man8/tcptw\.8(\.gz|\.xz|\.bz2)?' \
	/etc/modules-load.d/tcptw.conf "$unitdir/tcptw-prometheus\.service" \
	"$unitdir/tcptw-prometheus\.timer")
check "tcptw ships the tool, its man page, /etc/modules-load.d/tcptw.conf and the two units" \
	"missing: $lack" [ -z "$lack" ]
flags=$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm_tool" |
	sed -n 's|^/etc/modules-load.d/tcptw.conf ||p')
check "/etc/modules-load.d/tcptw.conf is %config(noreplace)" "file flags: '$flags'" \
	eval '[[ "$flags" == *c* && "$flags" == *n* ]]'
check "tcptw recommends tcptw-dkms" "$(rpm -qp --recommends "$rpm_tool")" \
	eval 'rpm -qp --recommends "$rpm_tool" | grep -q "^tcptw-dkms"'

src=/usr/src/tcptw-$v
files=$(rpm -qlp "$rpm_dkms")
lack=$(missing "$files" "$src/dkms\.conf" "$src/Kbuild" "$src/module/main\.c" \
	"$src/include/tcptw_format\.h")
kunit=$(grep -E 'kunit|_test\.c' <<<"$files" || true)
check "tcptw-dkms ships the module source in $src, without the KUnit suites" \
	"missing: $lack; KUnit: $kunit" eval '[ -z "$lack" ] && [ -z "$kunit" ]'
arch=$(rpm -qp --qf '%{ARCH}' "$rpm_dkms")
check "tcptw-dkms is noarch" "arch: $arch" [ "$arch" = noarch ]

# scriptlet NAME: the body of tcptw-dkms's NAME scriptlet (postinstall, ...).
scriptlet() {
	rpm -qp --scripts "$rpm_dkms" |
		awk -v want="$1" '/^[a-z]+ (scriptlet|program)/ { on = ($1 == want); next } on'
}
post=$(scriptlet postinstall)
preun=$(scriptlet preuninstall)
check "tcptw-dkms %post: dkms add and dkms install of tcptw $v" "$post" \
	eval 'grep -qF "dkms add -m tcptw -v $v " <<<"$post" && grep -qF "dkms install -m tcptw -v $v" <<<"$post"'
check "tcptw-dkms %preun: dkms remove of tcptw $v from all kernels" "$preun" \
	eval 'grep -qF "dkms remove -m tcptw -v $v --all" <<<"$preun"'
requires=$(rpm -qp --requires "$rpm_dkms")
check "tcptw-dkms requires dkms" "$requires" eval 'grep -qE "^dkms( |$)" <<<"$requires"'

# --- the DKMS payload builds, in private trees --------------------------------------
# host_dkms_state: what of tcptw is in the host's DKMS tree and /lib/modules,
# and DKMS's signing key (a build here must not create or replace it).
host_dkms_state() {
	find /var/lib/dkms/tcptw /lib/modules/*/updates/dkms /var/lib/dkms/mok.key \
		/var/lib/dkms/mok.pub \( -path '/var/lib/dkms/*' -o -name 'tcptw*' \) \
		-printf '%p %T@\n' 2>/dev/null | LC_ALL=C sort || true
}
host_before=$(host_dkms_state)

mkdir -p "$out/root" "$out/dkms"
st=0
msg=$(cd "$out/root" && rpm2cpio "$rpm_dkms" | cpio -idm --quiet 2>&1) || st=$?
check "tcptw-dkms extracts (rpm2cpio | cpio)" "$msg" [ $st -eq 0 ]
# The trees DKMS works in; its signing key pair, made on first use, too.
trees=(--dkmstree "$out/dkms" --sourcetree "$out/root/usr/src")
export mok_signing_key=$out/dkms/mok.key mok_certificate=$out/dkms/mok.pub
st=0
dkms add -m tcptw -v "$v" "${trees[@]}" >"$out/dkms-add.log" 2>&1 || st=$?
check "dkms add -m tcptw -v $v (private --dkmstree and --sourcetree)" \
	"$(tail -n 20 "$out/dkms-add.log")" [ $st -eq 0 ]
for k in "${kvers[@]}"; do
	log=$out/dkms-build-$k.log
	st=0
	dkms build -m tcptw -v "$v" -k "$k" "${trees[@]}" >"$log" 2>&1 || st=$?
	ko=$(find "$out/dkms/tcptw/$v/$k" -name 'tcptw.ko*' 2>/dev/null | head -n 1 || true)
	# A failed build leaves kbuild's output in the DKMS build directory.
	details=$(tail -n 20 "$log"; tail -n 20 "$out/dkms/tcptw/$v/build/make.log" 2>/dev/null || true)
	check "$k: dkms build makes tcptw.ko from the tcptw-dkms payload${ko:+ (${ko##*/})}" \
		"$details" eval '[ $st -eq 0 ] && [ -n "$ko" ]'
	[ -n "$ko" ] || continue
	info="$(modinfo -F vermagic "$ko" | cut -d' ' -f1) $(modinfo -F version "$ko")"
	check "$k: its vermagic and version are '$k $v'" "got: $info" [ "$info" = "$k $v" ]
done
unset mok_signing_key mok_certificate
host_after=$(host_dkms_state)
check "the host's /var/lib/dkms/tcptw, /lib/modules/*/updates/dkms and DKMS key are untouched" \
	"$(diff <(echo "$host_before") <(echo "$host_after") || true)" \
	[ "$host_before" = "$host_after" ]

# --- the tool from the tcptw RPM runs -------------------------------------------------
mkdir -p "$out/tool"
st=0
msg=$(cd "$out/tool" && rpm2cpio "$rpm_tool" | cpio -idm --quiet 2>&1) || st=$?
[ $st -ne 0 ] || msg=$("$out/tool/usr/sbin/tcptw" --version 2>&1) || st=$?
check "usr/sbin/tcptw --version from the tcptw RPM: $msg" "exit status $st" \
	eval '[ $st -eq 0 ] && [[ "$msg" == "tcptw $v" || "$msg" == "tcptw $v "* ]]'

finish
