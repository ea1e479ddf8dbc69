# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the VM's test scripts (busybox sh) from /tap.sh: TAP-style
# test lines, the background processes to kill on exit, network namespaces.
# Each script ends with its own "# ...: N tests, N failed" line.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

# What tcptw puts where, in the VM.
MODULE=/tcptw.ko
PROC=/proc/tcptw
DBG=/sys/kernel/debug/tcptw
PARAMS=/sys/module/tcptw/parameters

n=0
failed=0
pids=""

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# check DESCRIPTION COMMAND...: one test line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect DESCRIPTION ACTUAL WANTED
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}

# On exit: cleanup_hook (a script may define its own), then every pid in
# $pids killed and waited for.
cleanup_hook() { :; }
cleanup() {
	cleanup_hook
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# in_netns PID: wait (up to 10 s) until PID is in a network namespace other
# than ours.
in_netns() {
	i=0
	while [ "$(readlink /proc/$1/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.05
	done
}

# new_netns: the pid of a process holding a fresh network namespace.
new_netns() {
	unshare -n sleep 100000 >/dev/null 2>&1 &
	holder=$!
	in_netns $holder
	echo $holder
}

# in_ns NS COMMAND...: COMMAND in the network namespace of pid NS ("" = ours).
in_ns() {
	ns=$1
	shift
	if [ -n "$ns" ]; then
		nsenter --net=/proc/"$ns"/ns/net "$@"
	else
		"$@"
	fi
}
