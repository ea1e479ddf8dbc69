#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the debug VM: load tcptw.ko and its KUnit module (kunit.ko is loaded
# by vm.sh), then turn every case of every tcptw_* suite's KTAP results in
# debugfs into an "ok"/"not ok" line. A skipped case counts as a failure:
# none of ours has a reason to skip.

set -u
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
SUITES="tcptw_peers tcptw_math tcptw_report tcptw_ports tcptw_paws tcptw_walk tcptw_sort"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

if insmod /tcptw.ko && insmod /tcptw_test.ko; then
	ok "insmod tcptw.ko tcptw_test.ko"
else
	not_ok "insmod tcptw.ko tcptw_test.ko"
fi

for suite in $SUITES; do
	results=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$results" ]; then
		not_ok "kunit $suite: results in debugfs"
		continue
	fi
	echo "# kunit $suite:"
	sed 's/^/#   /' "$results"
	# Cases are the KTAP lines one level in; parameters two levels in.
	cases=$(awk '
		/^    (not )?ok [0-9]+ / {
			line = $0
			sub(/^    /, "", line)
			status = (line ~ /^ok/ && line !~ /# SKIP/) ? "ok" : "not ok"
			sub(/^(not )?ok [0-9]+ (- )?/, "", line)
			print status "\t" line
		}' "$results")
	if [ -z "$cases" ]; then
		not_ok "kunit $suite: ran cases"
		continue
	fi
	suite_failed=$failed
	while IFS='	' read -r status name; do
		if [ "$status" = ok ]; then
			ok "kunit $suite: $name"
		else
			not_ok "kunit $suite: $name"
		fi
	done <<CASES
$cases
CASES
	total=$(echo "$cases" | grep -c .)
	suite_failed=$((failed - suite_failed))
	echo "# kunit $suite totals: $total cases, $((total - suite_failed)) passed, $suite_failed failed"
	# Each case's log is bounded: check the plan and the suite's verdict too.
	planned=$(sed -n 's/^    1\.\.\([0-9]*\)$/\1/p' "$results" | head -n 1)
	if [ "$planned" = "$total" ]; then
		ok "kunit $suite: all $planned cases reported"
	else
		not_ok "kunit $suite: $total of ${planned:-?} cases reported"
	fi
	if tail -n 1 "$results" | grep -q "^ok 1 $suite\$"; then
		ok "kunit $suite: suite passed"
	else
		not_ok "kunit $suite: suite passed ($(tail -n 1 "$results"))"
	fi
done

if rmmod tcptw_test && rmmod tcptw; then
	ok "rmmod tcptw_test tcptw"
else
	not_ok "rmmod tcptw_test tcptw"
fi
echo "# kunit: $n tests, $failed failed"
[ "$failed" -eq 0 ]
