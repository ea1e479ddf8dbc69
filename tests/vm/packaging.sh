#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run as /test.sh inside the VM by tests/packaging/suite.sh: what the packages
# installed in a Debian suite's chroot, booted. /tcptw.ko is the module DKMS
# built and signed there for this kernel, /usr/sbin/tcptw the tool from the
# tcptw package (with that suite's shared libraries), /tcptw-prometheus.service
# and /tcptw.conf the package's unit and modules-load.d file.
# TCPTW_WANT_VERSION comes on the kernel command line.
# Prints "ok N - ..." / "not ok N - ..." lines; exits 1 if any failed.

set -u
. /tap.sh
want=${TCPTW_WANT_VERSION:-}
finish() {
	echo "# $n tests, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if ! insmod /tcptw.ko; then
	not_ok "insmod the DKMS-built tcptw.ko"
	finish
fi
ok "insmod the DKMS-built tcptw.ko"
expect "/sys/module/tcptw/version is the package's" \
	"$(cat /sys/module/tcptw/version 2>&1)" "$want"
expect "/proc/tcptw starts with the format line" \
	"$(head -n 1 /proc/tcptw | cut -d' ' -f1)" tcptw

# Real connections, then the report against /proc/net/tcp{,6}.
tcptw-traffic demo --ready /tmp/ready >/tmp/traffic.log 2>&1 &
traffic=$!
i=0
while [ ! -e /tmp/ready ] && kill -0 $traffic 2>/dev/null && [ $i -lt 1200 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "traffic generator holds its sockets" test -e /tmp/ready
tw=$(awk '$4 == "06"' /proc/net/tcp /proc/net/tcp6 | wc -l)
check "the traffic left TIME-WAIT sockets ($tw)" test "$tw" -gt 100
if out=$(tcptw-verify compare 2>&1); then
	ok "/proc/tcptw agrees with /proc/net/tcp{,6}, sockstat and netstat"
else
	not_ok "/proc/tcptw agrees with /proc/net/tcp{,6}, sockstat and netstat"
	echo "$out" | head -n 20 | sed 's/^/#   /'
fi

# The packaged tool (dynamically linked, Debian's build flags).
expect "tcptw --version names the package's version" \
	"$(tcptw --version 2>&1 | cut -d' ' -f1-2)" "tcptw $want"
out=$(tcptw --top 5 2>&1)
st=$?
if [ $st -eq 0 ] && echo "$out" | grep -q '^TIME-WAIT '; then
	ok "tcptw prints the summary and the peers (exit 0)"
else
	not_ok "tcptw prints the summary and the peers (exit $st)"
	echo "$out" | head -n 10 | sed 's/^/#   /'
fi
tw_json=$(tcptw -o json 2>/dev/null | tr ',{' '\n\n' | sed -n 's/^ *"tw_count": *\([0-9]*\).*/\1/p' | head -n 1)
check "tcptw -o json gives tw_count ($tw_json)" test -n "$tw_json"
tcptw check --warn 'tw_pressure_pct>=100' --crit 'tw_pressure_pct>=100' >/tmp/check.out 2>&1
expect "tcptw check: OK below its thresholds" "$? $(cut -d' ' -f1-3 /tmp/check.out)" "0 TCPTW OK -"
tcptw check --warn 'tw_count>=1' >/tmp/check.out 2>&1
expect "tcptw check: WARNING above one" "$? $(cut -d' ' -f1-3 /tmp/check.out)" "1 TCPTW WARNING -"

# The package's Prometheus unit, its ExecStart= run as systemd would.
exec_start=$(sed -n 's/^ExecStart=//p' /tcptw-prometheus.service)
TCPTW_TEXTFILE=/tmp/textfile/tcptw.prom
export TCPTW_TEXTFILE
mkdir -p /tmp/textfile
eval "$exec_start"
st=$?
expect "tcptw-prometheus.service: ExecStart exits 0" "$st" 0
check "tcptw-prometheus.service: tcptw.prom has tcptw_tw_count" \
	grep -q '^tcptw_tw_count [0-9]' $TCPTW_TEXTFILE
expect "tcptw-prometheus.service: no temporary file left" \
	"$(ls /tmp/textfile)" tcptw.prom

kill $traffic 2>/dev/null
wait $traffic 2>/dev/null
check "rmmod tcptw" rmmod tcptw

cp $TCPTW_TEXTFILE /tmp/last-good.prom
eval "$exec_start" 2>/dev/null
st=$?
expect "tcptw-prometheus.service without the module: exit 3" "$st" 3
check "... the last good tcptw.prom stays" cmp -s /tmp/last-good.prom $TCPTW_TEXTFILE
expect "... and no temporary file is left" "$(ls /tmp/textfile)" tcptw.prom

# modules-load.d: commented out as shipped; uncommented it names the module.
expect "tcptw.conf loads nothing as shipped" \
	"$(grep -v '^[[:space:]]*#' /tcptw.conf | grep -c .)" 0
expect "tcptw.conf uncommented names tcptw" \
	"$(sed -n 's/^#\(tcptw\)$/\1/p' /tcptw.conf)" tcptw

finish
