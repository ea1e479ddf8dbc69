#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Who may read and write what (issue 8), inside the VM, run by badinput.sh
# (busybox sh; loads tcptw itself when run alone): an unprivileged user, the
# roots of two user namespaces, and readers in three network namespaces,
# one of them owned by an unprivileged user's namespace (a rootless
# container):
#
#   initial netns, root          u1: userns of nobody, 0 -> 65534    u2: userns of root, 0 -> 0
#  +--------------------------+  +-------------------------------+  +-------------------------------+
#  | TIME-WAIT 127.0.72.1     |  | netns of its own              |  | netns of its own              |
#  | PAWS rows 127.0.71.1     |  | TIME-WAIT 127.0.73.1          |  | TIME-WAIT 127.0.76.1          |
#  |                          |  | PAWS rows 127.0.74.1          |  | PAWS rows 127.0.75.1          |
#  +--------------------------+  +-------------------------------+  +-------------------------------+
#
# Each namespace sees only its own peers, PAWS rows and debugfs lines; u2's
# root resets its own PAWS table and nobody else's; nobody and u1's root can
# neither write /proc/tcptw or a parameter nor read debugfs. The reset is
# judged by the credentials that opened the file. Then every output of tcptw
# in each namespace is scanned for kernel pointers.
# Prints "ok N - ...", a "# figures: ..." line and "# isolation: N tests,
# N failed"; exits 1 if any failed.

set -u
DBG_FILES="sockets ehash paws_log ttl_hist count walk_stats"
BW=tcptw-badwrite
NOBODY=65534
W=/tmp/isolation
refusals=0
scanned=0
loaded_here=0
. /tap.sh

# refused DESC WANT COMMAND...: a refusal, counted.
refused() {
	desc=$1
	want=$2
	shift 2
	refusals=$((refusals + 1))
	expect "$desc: $want" "$("$@" </dev/null 2>&1)" "$want"
}

# Commands as nobody; as u1's root (through nobody, who owns u1); as u2's root.
as_nobody() { $BW runas $NOBODY "$@"; }
# --preserve-credentials: nobody may not call setgroups() in u1.
u1() { $BW runas $NOBODY nsenter --preserve-credentials -t "$U1" -U -n "$@"; }
u2() { nsenter -t "$U2" -U -n "$@"; }
here() { "$@"; }

paws_rows() { "$@" awk '/^paws_peer /{t=1;next} t&&NF>2{print $1":"$2}' $PROC | sort | tr '\n' ' '; }
peers() { "$@" tcptw-verify peers | sort | tr '\n' ' '; }

mkdir -p $W
mount -t debugfs none /sys/kernel/debug 2>/dev/null
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
if ! grep -q '^tcptw ' /proc/modules; then
	check "insmod tcptw.ko" insmod $MODULE
	loaded_here=1
fi

# --- modes ---------------------------------------------------------------------------
expect "/proc/tcptw: mode 0644, owned by root" "$(stat -c '%a %u %g' $PROC)" "644 0 0"
for p in max_peers max_tuples paws_max; do
	expect "parameter $p: mode 0644, owned by root" \
		"$(stat -c '%a %u %g' $PARAMS/$p)" "644 0 0"
done
expect "debugfs: its root is mode 0700 (the kernel's default)" \
	"$(stat -c %a /sys/kernel/debug)" 700
for f in $DBG_FILES; do
	expect "debugfs tcptw/$f: mode 0400, owned by root" \
		"$(stat -c '%a %u %g' $DBG/$f)" "400 0 0"
done

# --- an unprivileged user ---------------------------------------------------------------
[ -n "$(paws_rows here)" ] ||
	tcptw-traffic paws estab --addr 127.0.71.1 --port 9711 --count 2 >/dev/null
init_paws=$(paws_rows here)
check "the initial namespace has PAWS rows ($init_paws)" test -n "$init_paws"
check "nobody reads /proc/tcptw" sh -c "$BW runas $NOBODY cat $PROC >/dev/null"
refused "nobody: 'reset paws' to /proc/tcptw" open:EACCES \
	as_nobody $BW write $PROC 'reset paws'
for p in max_peers max_tuples paws_max; do
	refused "nobody: '1' to parameter $p" open:EACCES as_nobody $BW write $PARAMS/$p 1
done
expect "... the parameters are unchanged" \
	"$(cat $PARAMS/max_peers $PARAMS/max_tuples $PARAMS/paws_max | tr '\n' ' ')" "65536 64 4096 "
for f in $DBG_FILES; do
	refused "nobody: open debugfs tcptw/$f for reading" EACCES as_nobody $BW open $DBG/$f r
	refused "nobody: open debugfs tcptw/$f for writing" EACCES as_nobody $BW open $DBG/$f w
done
refused "nobody: open the debugfs tcptw/ directory" EACCES as_nobody $BW open $DBG r
expect "... the initial namespace's PAWS rows are unchanged" "$(paws_rows here)" "$init_paws"

# --- two user namespaces with network namespaces of their own --------------------------
# Debian's kernels let unprivileged users create user namespaces
# (kernel.unprivileged_userns_clone, where it exists, is 1 by default).
if [ -r /proc/sys/kernel/unprivileged_userns_clone ]; then
	echo "# kernel.unprivileged_userns_clone = $(cat /proc/sys/kernel/unprivileged_userns_clone)"
fi
$BW runas $NOBODY unshare -U -r -n sleep 100000 >/dev/null 2>&1 &
U1=$!
pids="$pids $U1"
unshare -U -r -n sleep 100000 >/dev/null 2>&1 &
U2=$!
pids="$pids $U2"
check "u1: nobody made a user namespace with a network namespace" in_netns $U1
check "u2: root made a user namespace with a network namespace" in_netns $U2
expect "u1's root is uid 65534 outside" "$(u1 cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')" "0 65534 1"
expect "u2's root is uid 0 outside" "$(u2 cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')" "0 0 1"
u1 ip link set lo up
u2 ip link set lo up
tcptw-traffic tw 5 --src 127.0.72.1 --port 9720 >/dev/null
check "u1's root makes TIME-WAIT in its namespace" \
	sh -c "$BW runas $NOBODY nsenter --preserve-credentials -t $U1 -U -n tcptw-traffic tw 5 --src 127.0.73.1 --port 9730 >/dev/null"
check "u1's root makes PAWS rejects in its namespace" \
	sh -c "$BW runas $NOBODY nsenter --preserve-credentials -t $U1 -U -n tcptw-traffic paws estab --addr 127.0.74.1 --port 9740 --count 2 >/dev/null"
check "u2's root makes TIME-WAIT in its namespace" \
	sh -c "nsenter -t $U2 -U -n tcptw-traffic tw 5 --src 127.0.76.1 --port 9760 >/dev/null"
check "u2's root makes PAWS rejects in its namespace" \
	sh -c "nsenter -t $U2 -U -n tcptw-traffic paws estab --addr 127.0.75.1 --port 9750 --count 2 >/dev/null"

# Each one's report is its own: every cell equals its own /proc/net/tcp{,6},
# its markers are there, the others' are not.
for ns in here u1 u2; do
	check "$ns: every cell of /proc/tcptw equals its own /proc/net/tcp{,6}" \
		$ns tcptw-verify compare
	case $ns in
	here) mine="127.0.72.1 127.0.71.1" ;;
	u1) mine="127.0.73.1 127.0.74.1" ;;
	u2) mine="127.0.76.1 127.0.75.1" ;;
	esac
	set -- $mine
	p=$(peers $ns)
	r=$(paws_rows $ns)
	case " $p" in *" $1 "*) ok "$ns: its TIME-WAIT peer $1 is listed" ;;
	*) not_ok "$ns: its TIME-WAIT peer $1 is listed (peers: $p)" ;; esac
	case " $r" in *" $2:"*) ok "$ns: its PAWS row of $2 is listed" ;;
	*) not_ok "$ns: its PAWS row of $2 is listed (rows: $r)" ;; esac
	for other in 127.0.70. 127.0.71.1 127.0.72.1 127.0.73.1 127.0.74.1 127.0.75.1 127.0.76.1; do
		case " $mine " in *" $other "*) continue ;; esac
		case " $p $r" in
		*" $other"*) not_ok "$ns: nothing of $other (another namespace) shows" ;;
		*) ok "$ns: nothing of $other (another namespace) shows" ;;
		esac
	done
done
u1_paws=$(paws_rows u1)
u2_paws=$(paws_rows u2)

# debugfs: u2's root is uid 0, the owner of the files, so reads them, and
# sees its own namespace only; u1's root is uid 65534 outside and does not.
check "u2's root: debugfs sockets equals its own /proc/net/tcp{,6}" u2 tcptw-verify debugfs-sockets
check "u2's root: debugfs paws_log has its rejects, no other namespace's" \
	sh -c "nsenter -t $U2 -U -n cat $DBG/paws_log >$W/u2.log &&
	       grep -q ' 127\.0\.75\.1 ' $W/u2.log && ! grep -q -e ' 127\.0\.7[0-4]\.' $W/u2.log"
check "u2's root: debugfs sockets has its TIME-WAIT, no other namespace's" \
	sh -c "nsenter -t $U2 -U -n cat $DBG/sockets >$W/u2.sockets &&
	       grep -q '127\.0\.76\.1:' $W/u2.sockets && ! grep -q -e '127\.0\.7[0-4]\.' $W/u2.sockets"
for f in $DBG_FILES; do
	refused "u1's root: open debugfs tcptw/$f" EACCES u1 $BW open $DBG/$f r
done
for p in max_peers max_tuples paws_max; do
	refused "u1's root: '1' to parameter $p" open:EACCES u1 $BW write $PARAMS/$p 1
done

# The reset command. /proc/tcptw belongs to the initial namespace's root:
# u1's root (uid 65534 outside) cannot open it for writing; u2's root (uid 0)
# can, and holds CAP_NET_ADMIN over its own namespace only.
refused "u1's root: 'reset paws' for its own namespace" open:EACCES u1 $BW write $PROC 'reset paws'
expect "... u1's PAWS rows are unchanged" "$(paws_rows u1)" "$u1_paws"
refused "u2's root in the initial network namespace: 'reset paws'" EPERM \
	nsenter -t $U2 -U $BW write $PROC 'reset paws'
refused "u1's root in the initial network namespace: 'reset paws'" open:EACCES \
	$BW runas $NOBODY nsenter --preserve-credentials -t $U1 -U $BW write $PROC 'reset paws'
refused "a file opened by u2's root in the initial namespace, written by root" EPERM \
	$BW passfd $PROC 'reset paws'
check "u2's root cannot enter the initial network namespace" \
	sh -c "! nsenter -t $U2 -U -n nsenter --net=/proc/1/ns/net true 2>/dev/null"
refusals=$((refusals + 1))
expect "... the initial namespace's PAWS rows are unchanged" "$(paws_rows here)" "$init_paws"
expect "u2's root: 'reset paws' for its own namespace" "$(u2 $BW write $PROC 'reset paws')" 10
expect "... u2's PAWS table is empty" "$(paws_rows u2)" ""
expect "... u1's is unchanged" "$(paws_rows u1)" "$u1_paws"
expect "... the initial namespace's is unchanged" "$(paws_rows here)" "$init_paws"

# --- kernel pointers ------------------------------------------------------------------
# Nothing tcptw prints is an address: no 0xffff... word, no 16-hex-digit run
# (%p's hashed form), no 0x with 8 or more digits, in any namespace.
PTR_RE='(^|[^0-9A-Za-z])(0x)?[fF]{4}[0-9a-fA-F]{12}([^0-9A-Za-z]|$)|0x[0-9a-fA-F]{8,}|(^|[^0-9A-Za-z])[0-9a-f]{16}([^0-9A-Za-z]|$)'
# scan LABEL RUNNER FILE...: each FILE read through RUNNER.
scan() {
	label=$1
	run=$2
	shift 2
	for f; do
		scanned=$((scanned + 1))
		if ! $run cat "$f" >$W/out 2>$W/err; then
			not_ok "$label: $f reads ($(cat $W/err))"
		elif grep -E -q "$PTR_RE" $W/out; then
			not_ok "$label: no kernel pointer in $f"
			grep -E "$PTR_RE" $W/out | head -5 | sed 's/^/#   /'
		else
			ok "$label: no kernel pointer in $f ($(wc -l <$W/out) lines)"
		fi
	done
}
dbg_paths=""
for f in $DBG_FILES; do dbg_paths="$dbg_paths $DBG/$f"; done
scan "initial namespace" here $PROC $dbg_paths $PARAMS/max_peers $PARAMS/max_tuples \
	$PARAMS/paws_max /sys/module/tcptw/version /sys/module/tcptw/srcversion \
	/sys/module/tcptw/refcnt /sys/module/tcptw/taint /sys/module/tcptw/initstate
scan "nobody" as_nobody $PROC $PARAMS/max_peers
scan "u1's root" u1 $PROC
scan "u2's root" u2 $PROC $dbg_paths
dmesg | grep 'tcptw' >$W/dmesg
scan "the kernel log's tcptw lines" here $W/dmesg

# --- the opener's credentials, handed on ---------------------------------------------------
# Documented: a file root opened for writing keeps root's right to reset,
# whoever writes to it later (as any file descriptor does).
expect "root opens /proc/tcptw, becomes nobody, writes 'reset paws'" \
	"$($BW dropuid $NOBODY $PROC 'reset paws')" 10
expect "... the initial namespace's PAWS table is empty" "$(paws_rows here)" ""

# --- what a reader's open files cost, and whom ---------------------------------------------
# A report is built at open() and held until close(): an unprivileged reader
# holding many open files pins kernel memory, which must be charged to its own
# memory cgroup (__GFP_ACCOUNT) like any kernel memory it causes. 100 open
# files of /proc/tcptw with 250 peers against 100 of /proc/net/tcp (which
# holds nothing until read) in a fresh cgroup: about 30 KiB each measured,
# none without the accounting; at least 16 KiB each wanted.
CG=/sys/fs/cgroup
mkdir -p $CG
mount -t cgroup2 none $CG 2>/dev/null
if grep -qw memory $CG/cgroup.controllers 2>/dev/null &&
	echo +memory >$CG/cgroup.subtree_control; then
	tcptw-traffic tw 5 --src 127.0.77.1 --peers 250 --port 9770 >/dev/null
	# held N FILE: KiB cgroup N grew by while nobody, moved into it by root,
	# holds FILE open 100 times (one sleep each).
	cat >$W/held.sh <<'HELD'
b=$(cat "$1/memory.current")
pids=""
for i in $(seq 1 100); do
	sleep 1000 <"$2" &
	pids="$pids $!"
done
sleep 1
a=$(cat "$1/memory.current")
kill $pids
wait
echo $(((a - b) / 1024))
HELD
	held() {
		mkdir $CG/held$1
		sh -c "echo \$\$ >$CG/held$1/cgroup.procs &&
		       exec $BW runas $NOBODY sh $W/held.sh $CG/held$1 $2" 2>/dev/null
	}
	base=$(held 1 /proc/net/tcp)
	mine=$(held 2 $PROC)
	echo "# memcg: 100 open files: /proc/net/tcp +${base:-?} KiB, /proc/tcptw +${mine:-?} KiB"
	if [ -n "$base" ] && [ -n "$mine" ] && [ $((mine - base)) -ge 1600 ]; then
		ok "100 reports held open by nobody are charged to nobody's memory cgroup ($((mine - base)) KiB)"
	else
		not_ok "100 reports held open by nobody are charged to nobody's memory cgroup (/proc/net/tcp ${base:-?} KiB, /proc/tcptw ${mine:-?} KiB)"
	fi
else
	echo "# memcg: no memory controller in this kernel; the charge is not checked here"
fi

if [ $loaded_here -eq 1 ]; then
	check "rmmod" rmmod tcptw
fi
echo "# figures: unprivileged_refusals $refusals, namespaces 3, files_scanned $scanned"
echo "# isolation: $n tests, $failed failed"
[ "$failed" -eq 0 ]
