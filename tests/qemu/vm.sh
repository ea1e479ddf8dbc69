#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel under QEMU TCG with a busybox initramfs plus an overlay, run the overlay's /test.sh
# and capture the console. Exit = /test.sh's status; 124 timeout, 125 no exit line, 126 kernel report.
set -euo pipefail

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	cat >&2 <<USAGE
usage: $me --kernel VMLINUZ --overlay DIR [--modules KMODDIR --mod NAME ...]
          [--timeout SECONDS (600)] [--log FILE] [--mem MB (2048)] [--smp N (2)]
          [--append "extra cmdline"] [--tcg-threads multi|single] [--quiet]
The overlay is copied at / of the initramfs and must provide /test.sh (run with sh).
Each --mod NAME (plus its modinfo dependencies) is taken from KMODDIR and insmod-ed before it.
Exit: /test.sh's status; 124 timeout; 125 no 'TCPTW-VM: exit' line (panic, crash, insmod or QEMU
failure); 126 kernel problem report in the console log (see scan-kernel-log.sh); 2 usage.
USAGE
	exit 2
}
die() { echo "$me: error: $*" >&2; exit 2; }

kernel='' overlay='' kmoddir='' logfile='' append='' quiet=0 tcg_threads=multi
timeout_s=600 mem=2048 smp=2
mods=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--overlay) overlay=${2:?}; shift 2 ;;
	--modules) kmoddir=${2:?}; shift 2 ;;
	--mod) mods+=("${2:?}"); shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--log) logfile=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--tcg-threads) tcg_threads=${2:?}; shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h | --help) usage ;;
	*) echo "$me: unknown argument '$1'" >&2; usage ;;
	esac
done
if [ -z "$kernel" ] || [ -z "$overlay" ]; then
	usage
fi
[ -f "$kernel" ] || die "kernel '$kernel' not found"
[ -d "$overlay" ] || die "overlay '$overlay' is not a directory"
[ -f "$overlay/test.sh" ] || die "overlay '$overlay' has no test.sh"
case $tcg_threads in multi | single) ;; *) die "--tcg-threads: 'multi' or 'single', not '$tcg_threads'" ;; esac
if [ ${#mods[@]} -gt 0 ]; then
	[ -n "$kmoddir" ] || die "--mod needs --modules KMODDIR"
	[ -d "$kmoddir" ] || die "modules dir '$kmoddir' not found"
fi
for n in "$timeout_s" "$mem" "$smp"; do
	case $n in '' | *[!0-9]*) die "'$n' is not a positive integer" ;; esac
done
for tool in qemu-system-x86_64 cpio gzip timeout modinfo; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done

busybox=${TCPTW_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
if LC_ALL=C ldd "$busybox" 2>&1 | grep -q '=>'; then
	die "$busybox is dynamically linked (apt-get install busybox-static)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcptw-vm.XXXXXX")
qpid=
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,lib/modules-extra}

# --- busybox and its applets -------------------------------------------------------------------
# Applet links are made in the guest by "busybox --install -s" (fast; never replaces overlay files).
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

# --- modules -------------------------------------------------------------------------------------
declare -A modpath=() loaded=()
order=()
if [ ${#mods[@]} -gt 0 ]; then
	while IFS= read -r -d '' f; do
		b=${f##*/}
		b=${b%.ko*}
		modpath[${b//-/_}]=$f
	done < <(find "$kmoddir" \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) \
		-print0 | sort -z)
fi
# resolve_mod NAME: print the key (file basename, '-' -> '_') of the module providing NAME:
# a module file of that name, else the modules.alias entry (preferring *_generic, e.g. crc32c).
resolve_mod() {
	local key=${1//-/_} alias
	if [ -n "${modpath[$key]:-}" ]; then
		printf '%s' "$key"
		return 0
	fi
	[ -f "$kmoddir/modules.alias" ] || return 0
	alias=$(awk -v n="$1" '$1 == "alias" && $2 == n { print $3 }' "$kmoddir/modules.alias" |
		awk '/_generic$/ { g = $0 } NR == 1 { f = $0 } END { print (g != "" ? g : f) }')
	printf '%s' "${alias//-/_}"
}
# add_mod NAME [soft]: place NAME.ko (decompressed) and what it needs, in load order: softdep
# "pre:" modules, modinfo "depends", NAME, softdep "post:" modules. Missing soft ones are skipped.
add_mod() {
	local name=$1 soft=${2:-} key src dst dep mode post=()
	key=$(resolve_mod "$name")
	if [ -z "$key" ] || [ -z "${modpath[$key]:-}" ]; then
		key=${name//-/_}
		if [ -f "$kmoddir/modules.builtin" ] &&
			grep -qE "/${key//_/[-_]}\.ko\$" "$kmoddir/modules.builtin"; then
			echo "$me: module $name is built into the kernel; not loading it" >&2
			return 0
		fi
		if [ -n "$soft" ]; then
			echo "$me: warning: soft dependency $name not found; skipping it" >&2
			return 0
		fi
		die "module $name not found under $kmoddir"
	fi
	[ -z "${loaded[$key]:-}" ] || return 0
	loaded[$key]=1
	src=${modpath[$key]}
	dst=$root/lib/modules-extra/$key.ko
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -dcq "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	mode=
	for dep in $(modinfo -F softdep "$dst"); do
		case $dep in
		pre:) mode=pre ;;
		post:) mode=post ;;
		*) if [ "$mode" = pre ]; then add_mod "$dep" soft; elif [ "$mode" = post ]; then post+=("$dep"); fi ;;
		esac
	done
	for dep in $(modinfo -F depends "$dst" | tr ',' ' '); do
		add_mod "$dep"
	done
	order+=("$key")
	for dep in "${post[@]}"; do
		add_mod "$dep" soft
	done
}
for m in "${mods[@]}"; do
	add_mod "$m"
done
: >"$root/lib/modules-extra/order"
if [ ${#order[@]} -gt 0 ]; then
	printf '%s\n' "${order[@]}" >"$root/lib/modules-extra/order"
fi

# --- overlay (may replace busybox applet links, hence --remove-destination) ------------------
cp -a --remove-destination "$overlay/." "$root/"

# --- /init -----------------------------------------------------------------------------------------
cat >"$root/init" <<'INIT'
#!/bin/sh
# tcptw QEMU test init (generated by tests/qemu/vm.sh)
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
hostname tcptw-vm
ip link set lo up
rc=
while read -r m; do
	[ -n "$m" ] || continue
	if ! insmod "/lib/modules-extra/$m.ko"; then
		echo "TCPTW-VM: insmod $m failed; not running /test.sh"
		rc=125
		break
	fi
done </lib/modules-extra/order
if [ -z "$rc" ]; then
	cd /
	sh /test.sh </dev/null
	rc=$?
fi
echo "TCPTW-VM: exit $rc"
echo "TCPTW-VM: dmesg-begin"
dmesg
echo "TCPTW-VM: dmesg-end"
sync
reboot -f
poweroff -f
sleep 5
exit 1
INIT
chmod 755 "$root/init"

# --- initramfs: a tiny uncompressed cpio with /dev/console (no mknod/root needed), then gzip ----
# newc entry: cpio_entry NAME MODE_HEX RDEVMAJOR RDEVMINOR (no data)
cpio_entry() {
	local name=$1 mode=$2 maj=$3 min=$4 namesize hdr pad
	namesize=$((${#name} + 1))
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$((16#$mode))" 0 0 1 0 0 0 0 "$maj" "$min" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	[ $pad -eq 0 ] || head -c "$pad" /dev/zero
}
initrd=$tmp/initrd
{
	cpio_entry dev 41ED 0 0         # dir 0755
	cpio_entry dev/console 2180 5 1 # char 0600, 5:1
	cpio_entry TRAILER!!! 0 0 0
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 | gzip -1)
} >"$initrd"

# --- QEMU --------------------------------------------------------------------------------------
consolelog=${logfile:-$tmp/console.log}
mkdir -p "$(dirname "$consolelog")"
: >"$consolelog"
cmdline="console=ttyS0 quiet panic=-1${append:+ $append}"
# thread=single where the guest patches kernel text under load (tests/vm/stress.sh): QEMU 7.2's
# multi-threaded TCG does not keep x86 cross-modifying code coherent between vCPUs, and a vCPU
# runs a stale int3 or a half-patched call; Debian 6.1's own kretprobe events, without tcptw,
# jump to NULL within a few enable/disable cycles under connection churn there, and run clean on
# thread=single.
# shellcheck disable=SC2054 # commas belong to QEMU options
qemu=(qemu-system-x86_64 -accel "tcg,thread=$tcg_threads" -cpu max -smp "$smp" -m "$mem"
	-nodefaults -no-user-config -display none -serial stdio -monitor none -nic none
	-no-reboot -kernel "$kernel" -initrd "$initrd" -append "$cmdline")
fifo=$tmp/console.fifo
mkfifo "$fifo"
start=$(date +%s.%N)
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$fifo" 2>&1 &
qpid=$!
# Line-buffered so that progress shows live; both jobs in the background so that a signal to
# this script is handled at once (wait is interruptible, a foreground pipeline is not).
if [ $quiet -eq 1 ]; then
	sed -u 's/\r//g' <"$fifo" >"$consolelog" &
else
	sed -u 's/\r//g' <"$fifo" | tee "$consolelog" &
fi
tpid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$tpid" || true
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

say() { echo "TCPTW-VM: $*" | tee -a "$consolelog" >&2; }

report=$("$here/scan-kernel-log.sh" "$consolelog" || true)
if [ -n "$report" ]; then
	while IFS= read -r line; do
		say "kernel-report: $line"
	done <<<"$report"
fi

exitline=$(grep -a -o 'TCPTW-VM: exit [0-9][0-9]*' "$consolelog" | tail -n1 || true)
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	say "timeout after ${timeout_s}s"
	exit 124
fi
if [ -z "$exitline" ]; then
	say "no exit line (kernel crash/panic or QEMU failure; qemu status $qrc, ${elapsed}s)"
	exit 125
fi
rc=${exitline##* }
if grep -aq '^TCPTW-VM: insmod .* failed' "$consolelog"; then
	say "a module failed to load; /test.sh was not run (${elapsed}s)"
	exit 125
fi
if [ -n "$report" ]; then
	say "kernel problem report found; test status was $rc (${elapsed}s)"
	exit 126
fi
say "test status $rc (${elapsed}s)"
exit "$rc"
