#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/packaging/suite.sh: the .debs on one Debian suite, as its operator gets
# them, in a throwaway overlay of the suite's packaging chroot
# (tests/packaging/chroot.sh); called by tests/packaging.sh, as root.
#
#  1. DKMS signing as the suite's dkms does it: by default where it can
#     (bookworm, trixie: its own MOK key, /var/lib/dkms/mok.key|.pub); where
#     it cannot (bullseye's dkms 2.8), configured as an operator would: that
#     key pair made with openssl, sign_tool in /etc/dkms/framework.conf;
#  2. the first kernel's headers dpkg -i'd: that kernel is the running one (a
#     uname shim in /usr/local/bin says so to DKMS, which builds for the
#     running kernel and the newest installed one); with --refused DEB, dpkg
#     must refuse that tcptw (built for a newer glibc);
#  3. dpkg -i tcptw-dkms tcptw: DKMS builds, signs and installs tcptw.ko for
#     the running kernel;
#  4. each further kernel's headers dpkg -i'd: DKMS's header_postinst.d hook
#     builds it for that kernel;
#  5. each .ko: dkms status, vermagic, version, depmod, signer and signature
#     against DKMS's certificate; each kernel booted in QEMU with that very
#     .ko and the packaged tool with the suite's libraries (tests/vm/packaging.sh);
#  6. with --upgrade: apt-get install of a newer version from a local
#     repository rebuilds for the running and the newest kernel;
#  7. dpkg --purge: nothing of tcptw left in the chroot;
#  8. with --hand SRC: make dkms-install refused while the package is there;
#     after the purge, make dkms-install / dkms-uninstall, then nothing left.
#
# Usage: suite.sh --suite S --base DIR --out DIR --version V --debs "DKMS TOOL"
#        --vm-bin DIR [--upgrade REPO=VERSION] [--hand SRC] [--refused DEB] KENV...
# KENV: tests/qemu/kernel.sh's output for each kernel, the running one first.
# Output: "ok -" / "not ok -" lines, then "# N passed, N failed"; exit 1 if
# any failed. The overlay is removed at the end; logs stay in --out.

# No -e: each step is a test line, and a failed one must not stop the rest.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../lib.sh
source "$here/../lib.sh"
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"
me=${0##*/}

suite='' base='' out='' version='' debs='' vm_bin='' upgrade='' hand='' refused=''
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--version) version=${2:?}; shift 2 ;;
	--debs) debs=${2:?}; shift 2 ;;
	--vm-bin) vm_bin=${2:?}; shift 2 ;;
	--upgrade) upgrade=${2:?}; shift 2 ;;
	--hand) hand=${2:?}; shift 2 ;;
	--refused) refused=${2:?}; shift 2 ;;
	-*) echo "$me: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ -z "$suite" ] || [ -z "$base" ] || [ -z "$out" ] || [ -z "$version" ] ||
	[ -z "$debs" ] || [ -z "$vm_bin" ] || [ $# -eq 0 ]; then
	echo "usage: $me --suite S --base DIR --out DIR --version V --debs \"DKMS TOOL\" --vm-bin DIR [--upgrade REPO=VERSION] [--hand SRC] [--refused DEB] KENV..." >&2
	exit 2
fi
read -r deb_dkms deb_tool <<<"$debs"

passed=0
failed=0
result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $suite: $2"
	else
		failed=$((failed + 1))
		echo "not ok - $suite: $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 30 | sed 's/^/#   /'
	fi
}
finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

declare -A kenv=()
kvers=()
for f in "$@"; do
	KVER=''
	# shellcheck disable=SC1090
	. "$f"
	kenv[$KVER]=$f
	kvers+=("$KVER")
done
running=${kvers[0]}

mkdir -p "$out"
trap overlay_down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if ! overlay_up "$base" "$out/chroot" 2>"$out/overlay.log"; then
	result 1 "an overlay of the packaging chroot $base" "$(cat "$out/overlay.log")"
	finish
fi
r=$pkg_root
mkdir -p "$r/srv/pkgtest"

# The uname shim: DKMS asks uname -r for the running kernel.
cat >"$r/usr/local/bin/uname" <<EOF
#!/bin/sh
# tests/packaging/suite.sh: to DKMS, this chroot runs $running.
if [ "\$*" = -r ]; then echo $running; else exec /bin/uname "\$@"; fi
EOF
chmod 755 "$r/usr/local/bin/uname"
dkms_version=$(in_chroot dpkg-query -W -f='${Version}' dkms)
echo "# $suite: dkms $dkms_version; kernels ${kvers[*]} (running: $running)"

# headers_install KVER LOG: dpkg -i the headers .debs chroot.sh left for KVER.
headers_install() {
	local k=$1 log=$2 debs

	debs=$(cat "$r/var/lib/pkgtest/headers-$k")
	# shellcheck disable=SC2086 # one path a word
	in_chroot dpkg -i $debs >"$log" 2>&1
}

# What of tcptw is in the chroot: packages, DKMS entries, files.
tcptw_traces() {
	in_chroot dpkg-query -W -f='${db:Status-Status} ${Package}\n' tcptw tcptw-dkms 2>/dev/null |
		awk '$1 != "not-installed" { print "package " $2 " (" $1 ")" }'
	in_chroot dkms status -m tcptw 2>/dev/null | sed 's/^/dkms: /'
	find "$r" -xdev -name 'tcptw*' 2>/dev/null | sed "s|^$r||" |
		grep -Ev '^/(proc|srv/pkgtest)(/|$)'
}

# Every file and directory of the chroot but what dpkg, apt and the test
# keep for themselves, DKMS's MOK key pair, depmod's indexes and ld.so.cache.
snapshot() {
	find "$r" -xdev 2>/dev/null | sed "s|^$r||" |
		grep -Ev '^/(proc|sys|dev|run|tmp|srv/pkgtest|var/cache|var/log|var/lib/apt|var/lib/dpkg)(/|$)' |
		grep -Ev '^(/usr)?/lib/modules/[^/]+/modules\.[a-z.]+$|^/var/lib/dkms/mok\.(key|pub)$|^/etc/ld\.so\.cache$' |
		LC_ALL=C sort
}

# module_file KVER: the DKMS-installed tcptw.ko (maybe compressed), in the chroot.
module_file() {
	(cd "$r" && ls lib/modules/"$1"/updates/dkms/tcptw.ko* 2>/dev/null | head -n 1 |
		sed 's|^|/|')
}

# plain_module KVER DEST: that module, uncompressed, at DEST on the host.
plain_module() {
	local f

	f=$r$(module_file "$1")
	case $f in
	*.xz) xz -dc "$f" >"$2" ;;
	*.zst) zstd -dcq "$f" >"$2" ;;
	*.gz) gzip -dc "$f" >"$2" ;;
	*) cp "$f" "$2" ;;
	esac
}

# verify_signature KO CERT: KO's appended signature (PKCS#7/CMS, then struct
# module_signature, then the magic) verifies against the DER certificate CERT.
verify_signature() {
	local ko=$1 cert=$2 size siglen tmp st=0
	local magic='~Module signature appended~'

	size=$(stat -c %s "$ko")
	[ "$(tail -c 28 "$ko")" = "$magic" ] || { echo "no signature appended"; return 1; }
	siglen=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 |
		awk '{ print ((($1 * 256 + $2) * 256 + $3) * 256 + $4) }')
	tmp=$(mktemp -d)
	head -c $((size - 28 - 12 - siglen)) "$ko" >"$tmp/content"
	tail -c $((28 + 12 + siglen)) "$ko" | head -c "$siglen" >"$tmp/sig"
	openssl x509 -inform DER -in "$cert" -out "$tmp/cert.pem" 2>&1 &&
		openssl cms -verify -binary -inform DER -in "$tmp/sig" -content "$tmp/content" \
			-certfile "$tmp/cert.pem" -nointern -noverify -out /dev/null 2>&1 || st=1
	rm -rf "$tmp"
	return $st
}

# check_installed KVER VERSION WHAT: DKMS built and installed VERSION for
# KVER, depmod knows it, vermagic and version are right, it is signed with
# DKMS's certificate.
check_installed() {
	local k=$1 v=$2 what=$3 st f info signer sig_key cn serial cert ko

	st=$(in_chroot dkms status -m tcptw -v "$v" -k "$k" 2>&1)
	[[ "$st" == *": installed"* ]]
	result $? "$k: $what: dkms status says installed" "$st"
	f=$(module_file "$k")
	[ -n "$f" ]
	result $? "$k: $what: tcptw.ko under /lib/modules/$k/updates/dkms/ (${f##*/})"
	[ -n "$f" ] || return 0
	info="$(in_chroot modinfo -F vermagic "$f" | cut -d' ' -f1) $(in_chroot modinfo -F version "$f")"
	[ "$info" = "$k $v" ]
	result $? "$k: $what: vermagic and version are '$k $v'" "got: $info"
	[ "$(in_chroot modinfo -k "$k" -F filename tcptw 2>&1)" = "$f" ]
	result $? "$k: $what: depmod resolves 'tcptw' to it (modprobe tcptw finds it)"
	cert=$r/var/lib/dkms/mok.pub
	signer=$(in_chroot modinfo -F signer "$f")
	sig_key=$(in_chroot modinfo -F sig_key "$f" | tr -d ':' | tr 'a-f' 'A-F')
	cn=$(openssl x509 -inform DER -in "$cert" -noout -subject 2>/dev/null |
		sed -n 's/.*CN *= *//p')
	serial=$(openssl x509 -inform DER -in "$cert" -noout -serial 2>/dev/null |
		sed -n 's/^serial=//p' | tr 'a-f' 'A-F')
	[ -n "$signer" ] && [ "$signer" = "$cn" ] && [ -n "$sig_key" ] && [ "$sig_key" = "$serial" ]
	result $? "$k: $what: modinfo: signer '$signer', key $sig_key: /var/lib/dkms/mok.pub's" \
		"mok.pub: CN '$cn', serial $serial"
	[ "$what" = "package install" ] || [ "$what" = "header hook" ] || return 0
	echo "# $suite: $k: vermagic '$(in_chroot modinfo -F vermagic "$f")', signer '$signer'"
	ko=$out/tcptw-$k.ko
	plain_module "$k" "$ko"
	st=$(verify_signature "$ko" "$cert")
	result $? "$k: $what: the signature verifies against /var/lib/dkms/mok.pub (openssl cms)" "$st"
}

# --- 1. signing -----------------------------------------------------------------------
if grep -q mok_signing_key "$r/usr/sbin/dkms"; then
	echo "# $suite: dkms $dkms_version signs by default (its own MOK key, made on first use)"
else
	# dkms 2.8: no signing unless sign_tool is set. The operator's way: the key pair
	# where later DKMS keeps it, and /etc/dkms/sign_helper.sh pointed at it.
	echo "# $suite: dkms $dkms_version does not sign by default: configuring sign_tool"
	st=0
	in_chroot sh -ec '
		mkdir -p /var/lib/dkms
		openssl req -new -x509 -nodes -days 36500 -subj "/CN=DKMS module signing key" \
			-newkey rsa:2048 -keyout /var/lib/dkms/mok.key \
			-outform DER -out /var/lib/dkms/mok.pub
		chmod 600 /var/lib/dkms/mok.key
		cat >/etc/dkms/sign_helper.sh <<-"EOF"
		#!/bin/sh
		/lib/modules/"$1"/build/scripts/sign-file sha512 /var/lib/dkms/mok.key /var/lib/dkms/mok.pub "$2"
		EOF
		chmod 755 /etc/dkms/sign_helper.sh
		echo "sign_tool=\"/etc/dkms/sign_helper.sh\"" >>/etc/dkms/framework.conf
	' >"$out/signing.log" 2>&1 || st=$?
	result $st "DKMS signing configured: mok.key|.pub made with openssl, sign_tool in framework.conf" \
		"$(cat "$out/signing.log")"
fi

# --- 2. the running kernel's headers -----------------------------------------------------
headers_install "$running" "$out/headers-$running.log"
result $? "$running: dpkg -i linux-headers (the running kernel)" \
	"$(tail -n 20 "$out/headers-$running.log")"
snapshot >"$out/before.list"
: >"$out/package-files.list"

if [ -n "$refused" ]; then
	cp "$refused" "$r/srv/pkgtest/"
	st=0
	msg=$(in_chroot dpkg -i "/srv/pkgtest/${refused##*/}" 2>&1) || st=$?
	dep=$(dpkg-deb -f "$refused" Depends | grep -o 'libc6 ([^)]*)')
	[ $st -ne 0 ] && [[ "$msg" == *"dependency problems"*"libc6"* ]]
	result $? "dpkg -i refuses ${refused##*/} built on a newer suite ($dep)" "$msg"
	in_chroot dpkg --purge tcptw >/dev/null 2>&1
fi

# --- 3. the packages -------------------------------------------------------------------------
cp "$deb_dkms" "$deb_tool" "$r/srv/pkgtest/"
if in_chroot dpkg -i "/srv/pkgtest/${deb_dkms##*/}" "/srv/pkgtest/${deb_tool##*/}" \
	>"$out/install.log" 2>&1; then
	result 0 "dpkg -i ${deb_dkms##*/} ${deb_tool##*/}"
else
	result 1 "dpkg -i ${deb_dkms##*/} ${deb_tool##*/}" "$(tail -n 30 "$out/install.log")"
	finish
fi
sed -n 's/^\(Building for .*\)/# '"$suite"': dkms: \1/p' "$out/install.log"
in_chroot dpkg-query -L tcptw tcptw-dkms | LC_ALL=C sort -u >>"$out/package-files.list"
check_installed "$running" "$version" "package install"

# --- 4. the other kernels arrive ----------------------------------------------------------
: >"$out/headers-files.list"
for k in "${kvers[@]:1}"; do
	headers_install "$k" "$out/headers-$k.log"
	result $? "$k: dpkg -i linux-headers (a new kernel's)" "$(tail -n 20 "$out/headers-$k.log")"
	check_installed "$k" "$version" "header hook"
	for p in $(sed 's|.*/||; s|_.*||' "$r/var/lib/pkgtest/headers-$k"); do
		in_chroot dpkg-query -L "$p"
	done >>"$out/headers-files.list"
done

out_tool=$(in_chroot tcptw --version 2>&1)
[[ "$out_tool" == "tcptw $version "* ]]
result $? "tcptw --version in the chroot: $out_tool"
out_tool=$(in_chroot tcptw 2>&1)
st=$?
[ $st -eq 3 ] && [[ "$out_tool" == *"module is not loaded"* ]]
result $? "tcptw in the chroot (no module on this host): exit 3, 'module is not loaded'" "$out_tool"

if [ -n "$hand" ]; then
	mkdir -p "$r/srv/pkgtest/src"
	cp -a "$hand/." "$r/srv/pkgtest/src/"
	st=0
	msg=$(in_chroot sh -c 'cd /srv/pkgtest/src && make --no-print-directory dkms-install KVERS="$1"' \
		sh "$running" 2>&1) || st=$?
	[ $st -ne 0 ] && [[ "$msg" == *"belongs to a package"* ]] &&
		[[ "$(in_chroot dkms status -m tcptw -v "$version" -k "$running")" == *": installed"* ]]
	result $? "make dkms-install refuses while tcptw-dkms is installed, and changes nothing" "$msg"
fi

# --- 5. boot each kernel with the DKMS-built module and the packaged tool -----------------
# overlay_add_chroot_dynamic DIR PROGRAM: PROGRAM of the chroot and the libraries
# its ldd lists there, symlinks resolved inside the chroot, under DIR.
overlay_add_chroot_dynamic() {
	local dir=$1 prog=$2 libs lib real

	libs=$(in_chroot ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }') || return 1
	for lib in "$prog" $libs; do
		real=$(in_chroot readlink -f "$lib") || return 1
		mkdir -p "$dir$(dirname "$lib")"
		cp "$r$real" "$dir$lib" || return 1
	done
}
for k in "${kvers[@]}"; do
	VMLINUZ=''
	# shellcheck disable=SC1090
	. "${kenv[$k]}"
	ov=$out/vm-$k
	rm -rf "$ov"
	mkdir -p "$ov/bin"
	if [ -z "$(module_file "$k")" ]; then
		result 1 "$k VM: no DKMS-built module to boot with"
		continue
	fi
	plain_module "$k" "$ov/tcptw.ko"
	cp "$vm_bin/tcptw-traffic" "$vm_bin/tcptw-verify" "$ov/bin/"
	cp "$TCPTW_ROOT/tests/vm/packaging.sh" "$ov/test.sh"
	cp "$TCPTW_ROOT/tests/vm/tap.sh" "$ov/tap.sh"
	cp "$r/lib/systemd/system/tcptw-prometheus.service" "$r/etc/modules-load.d/tcptw.conf" "$ov/"
	overlay_add_chroot_dynamic "$ov" /usr/sbin/tcptw
	result $? "$k: the packaged /usr/sbin/tcptw and its $suite libraries copied into the VM"
	st=0
	"$TCPTW_ROOT/tests/qemu/vm.sh" --kernel "$VMLINUZ" --overlay "$ov" --log "$out/console-$k.log" \
		--timeout 600 --quiet --append "TCPTW_WANT_VERSION=$version" \
		2>"$out/vm-$k.stderr" || st=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) result 0 "$k VM: ${line#ok * - }" ;;
		"not ok "*) result 1 "$k VM: ${line#not ok * - }" ;;
		"# "*) echo "# $suite: $k VM: ${line#\# }" ;;
		esac
	done < <(tr -d '\r' <"$out/console-$k.log" | sed -n '/^TCPTW-VM: exit/q;p')
	grep -q '^# [0-9]* tests, [0-9]* failed' "$out/console-$k.log"
	result $? "$k VM: ran to its end (console in $out/console-$k.log)"
	# 0 or 1 (failed test lines, counted above); else a timeout, a crash or an Oops,
	# BUG, WARNING on the console (tests/qemu/vm.sh).
	[ $st -le 1 ]
	result $? "$k VM: ended normally, no kernel problem report (vm.sh status $st)" \
		"$(cat "$out/vm-$k.stderr")"
	rm -rf "$ov"
done

# --- 6. an upgrade, as a fleet gets it: apt from a flat repository -------------------------
if [ -n "$upgrade" ]; then
	repo=${upgrade%%=*}
	new_version=${upgrade#*=}
	mkdir -p "$r/srv/pkgtest/repo" "$r/srv/pkgtest/apt/lists/partial"
	cp -a "$repo/." "$r/srv/pkgtest/repo/"
	echo "deb [trusted=yes] file:/srv/pkgtest/repo ./" >"$r/srv/pkgtest/apt/sources.list"
	apt_opts=(-q -y -o Dir::Etc::sourcelist=/srv/pkgtest/apt/sources.list
		  -o Dir::Etc::sourceparts=- -o Dir::State::Lists=/srv/pkgtest/apt/lists
		  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		  -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0)
	if in_chroot apt-get "${apt_opts[@]}" update >"$out/upgrade.log" 2>&1 &&
		in_chroot apt-get "${apt_opts[@]}" --no-install-recommends install tcptw-dkms tcptw \
			>>"$out/upgrade.log" 2>&1; then
		result 0 "apt-get install from a local repository upgrades to $new_version"
	else
		result 1 "apt-get install from a local repository upgrades to $new_version" \
			"$(tail -n 30 "$out/upgrade.log")"
	fi
	sed -n 's/^\(Building for .*\)/# '"$suite"': dkms (upgrade): \1/p' "$out/upgrade.log"
	for k in "${kvers[@]}"; do
		check_installed "$k" "$new_version" "after the upgrade"
	done
	left=$(in_chroot dkms status -m tcptw -v "$version" 2>&1
	       ls -d "$r/usr/src/tcptw-$version" 2>/dev/null)
	[ -z "$left" ]
	result $? "the upgrade removed $version from DKMS and /usr/src" "$left"
	in_chroot dpkg-query -L tcptw tcptw-dkms | LC_ALL=C sort -u >>"$out/package-files.list"
fi

# --- 7. purge ----------------------------------------------------------------------------
if in_chroot dpkg --purge tcptw tcptw-dkms >"$out/purge.log" 2>&1; then
	result 0 "dpkg --purge tcptw tcptw-dkms"
else
	result 1 "dpkg --purge tcptw tcptw-dkms" "$(tail -n 30 "$out/purge.log")"
fi

# assert_clean WHAT: nothing of tcptw in the chroot, and no file that was not there
# before the packages (the new kernels' headers, depmod indexes and DKMS's key aside).
assert_clean() {
	local what=$1 traces left new k

	traces=$(tcptw_traces)
	[ -z "$traces" ]
	result $? "$what: no package, DKMS entry or file named tcptw left" "$traces"
	left=$(while IFS= read -r f; do
		[ -d "$r$f" ] || [ ! -e "$r$f" ] || echo "$f"
	done <"$out/package-files.list")
	[ -z "$left" ]
	result $? "$what: none of the packages' files is left" "$left"
	new=$(snapshot | LC_ALL=C comm -13 "$out/before.list" - |
		LC_ALL=C comm -23 - <(sed 'p; s|^/lib/|/usr/lib/|' "$out/headers-files.list" | LC_ALL=C sort -u))
	[ -z "$new" ]
	result $? "$what: no file or directory that was not there before" "$new"
	for k in "${kvers[@]}"; do
		! in_chroot modinfo -k "$k" tcptw >/dev/null 2>&1
		result $? "$what: $k: depmod no longer knows tcptw"
	done
}
assert_clean "after purge"

# --- 8. the hand install -----------------------------------------------------------------
if [ -n "$hand" ]; then
	if in_chroot sh -c 'cd /srv/pkgtest/src && make --no-print-directory dkms-install KVERS="$1"' \
		sh "${kvers[*]}" >"$out/dkms-install.log" 2>&1; then
		result 0 "make dkms-install KVERS=\"${kvers[*]}\""
	else
		result 1 "make dkms-install KVERS=\"${kvers[*]}\"" "$(tail -n 30 "$out/dkms-install.log")"
	fi
	for k in "${kvers[@]}"; do
		check_installed "$k" "$version" "make dkms-install"
	done
	if in_chroot sh -c 'cd /srv/pkgtest/src && make --no-print-directory dkms-uninstall' \
		>"$out/dkms-uninstall.log" 2>&1; then
		result 0 "make dkms-uninstall"
	else
		result 1 "make dkms-uninstall" "$(tail -n 30 "$out/dkms-uninstall.log")"
	fi
	: >"$out/package-files.list"
	assert_clean "after make dkms-uninstall"
fi

finish
