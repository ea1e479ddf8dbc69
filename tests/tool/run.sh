#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the tcptw tool, built with ASan+UBSan: golden reports (real
# ones from the 6.1 and 6.12 VMs, 1.0 and the 1.1 NAT scenario; hand-made 1.1
# ones with the port and PAWS tables, 1.2 ones as a 6.1 and a 7.x kernel
# write them; edge cases) to text, JSON and Prometheus, the 1.1 and later
# held against the header's cross-table rules (invariants.py); corrupted
# reports to exit 3 with their message; check
# thresholds to exit codes; watch over a file that changes; doctor over
# sysctl trees of bad tuning advice and over NAT and port-exhaustion reports;
# reset-paws and its refusals; man page lint; a bounded libFuzzer run.
#
# TCPTW_REGEN=1 rewrites missing expected outputs (then read them by hand).
# --fuzz-only runs only the fuzzer, TCPTW_FUZZ_SECONDS long (default 30).

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TCPTW_TOOL_BUILD:-$root/build/tool}
fuzz_seconds=${TCPTW_FUZZ_SECONDS:-30}
fuzz_only=0
[ "${1:-}" = --fuzz-only ] && fuzz_only=1

n=0
passed=0
failed=0

# result STATUS DESCRIPTION [DETAIL]: one TAP-like line.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /' | head -20
	fi
}

finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

mkdir -p "$build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
srcs=(main.c report.c table.c output.c check.c watch.c doctor.c reset.c)

fuzz() {
	local cc="" fuzzer=$build/tcptw-fuzz corpus=$build/corpus out
	for c in clang clang-14 clang-16 clang-15; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
	if [ -z "$cc" ]; then
		result 1 "fuzz: clang with libFuzzer available (apt-get install clang-14)"
		return
	fi
	out=$(cd "$root/tools" && "$cc" -O1 -g -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$fuzzer" "$here/fuzz.c" report.c table.c output.c 2>&1)
	result $? "fuzz: harness builds with $cc -fsanitize=fuzzer,address,undefined" "$out"
	[ -x "$fuzzer" ] || return
	rm -rf "$corpus"
	mkdir -p "$corpus"
	for f in "$here"/golden/*.report "$here"/bad/*.report "$here"/doctor/*.report; do
		cp "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
	done
	out=$("$fuzzer" -max_total_time="$fuzz_seconds" -max_len=8192 \
		-dict="$here/fuzz.dict" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/" "$corpus" 2>&1)
	local st=$?
	result $st "fuzz: ${fuzz_seconds}s of libFuzzer on the parser and renderers, no crash" \
		"$(printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|crash-|stat::number_of_executed_units' | head -10)"
	printf '%s\n' "$out" | grep -E '^stat::number_of_executed_units' | sed 's/^/# /'
}

if [ "$fuzz_only" = 1 ]; then
	fuzz
	finish
fi

out=$(cd "$root/tools" && gcc -O1 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra \
	-Wformat=2 -Wshadow -Werror "${san[@]}" -o "$build/tcptw" "${srcs[@]}" -lm 2>&1)
result $? "build with -fsanitize=address,undefined and -Werror" "$out"
tool=$build/tcptw
[ -x "$tool" ] || finish

cd "$here"
unset TCPTW_PROC TCPTW_SYSCTL_ROOT

# expect NAME FILE COMMAND...: COMMAND's stdout must equal FILE, exit 0.
expect() {
	local name=$1 want=$2 got st
	shift 2
	got=$("$@" 2>&1)
	st=$?
	if [ ! -e "$want" ] && [ "${TCPTW_REGEN:-0}" = 1 ]; then
		printf '%s\n' "$got" >"$want"
	fi
	if [ $st -ne 0 ]; then
		result 1 "$name (exit $st)" "$got"
	else
		result "$(diff -u "$want" - <<<"$got" >/dev/null; echo $?)" "$name" \
			"$(diff -u "$want" - <<<"$got" | head -20)"
	fi
}

# Golden reports to every output.
for report in golden/*.report; do
	case=${report%.report}
	expect "golden $(basename "$case"): text" "$case.txt" \
		env TCPTW_PROC="$report" "$tool"
	expect "golden $(basename "$case"): json" "$case.json" \
		"$tool" -f "$report" -o json
	expect "golden $(basename "$case"): prom" "$case.prom" \
		"$tool" -f - -o prom <"$report"
	"$tool" -f "$report" -o json --top 0 | python3 -m json.tool >/dev/null 2>&1
	result $? "golden $(basename "$case"): JSON (every peer) is valid"
	out=$("$tool" -f "$report" -o prom >"$build/check.prom" 2>&1 &&
		python3 promcheck.py "$build/check.prom" 2>&1)
	result $? "golden $(basename "$case"): Prometheus exposition is valid" "$out"
done

# What a module could write: sums across tables, sort orders, the nat rule.
out=$(python3 invariants.py golden/*.report doctor/*.report 2>&1)
result $? "golden reports 1.1 and later: the header's cross-table rules hold" "$out"

# Options, each against an expected output.
options=(
	"top3|golden/scenario-6.1.report|--top 3"
	"sort-estab|golden/scenario-6.1.report|--sort estab --top 5"
	"sort-peer|golden/scenario-6.1.report|--sort peer --top 0"
	"peer-v4-cidr|golden/scenario-6.1.report|--peer 127.0.1.0/24 --top 4"
	"peer-v6-cidr|golden/scenario-6.12.report|--peer fd00:1::/64"
	"peer-v6-host|golden/ipv6.report|--peer 2001:db8::1 -o json"
	"other-top2-prom|golden/other.report|--top 2 -o prom"
	"minor-sort-new-column|golden/minor.report|--sort port_usage"
	"nat-sort-paws|golden/nat-1.1.report|--sort paws --top 4"
	"nat-sort-nat-json|golden/nat-1.1.report|--sort nat --top 2 -o json"
	"nat-peer-cidr|golden/nat-1.1.report|--peer 203.0.113.0/24"
	"nat-peer-host-prom|golden/nat-1.1.report|--peer 192.0.2.77 -o prom"
	"ports-peer-v6-json|golden/ports-1.1.report|--peer fd00::/64 -o json"
	"ports-top1-prom|golden/ports-1.1.report|--top 1 -o prom"
	"paws-other-top1|golden/paws-other-1.1.report|--top 1"
	"paws-7x-top2|golden/paws-7.x-1.2.report|--top 2"
	"paws-7x-sort-paws-json|golden/paws-7.x-1.2.report|--sort paws --top 1 -o json"
	"paws-61-peer-prom|golden/paws-6.1-1.2.report|--peer 203.0.113.0/24 -o prom"
)
for o in "${options[@]}"; do
	IFS='|' read -r name report args <<<"$o"
	# shellcheck disable=SC2086 # args are words on purpose
	expect "option $name: $args" "opts/$name.out" "$tool" -f "$report" $args
done

# Corrupted reports: exit 3, "tcptw: FILE:LINE: problem" on stderr, no stdout.
for report in bad/*.report; do
	want=$(cat "${report%.report}.expect")
	out=$("$tool" -f "$report" 2>"$build/stderr")
	st=$?
	err=$(cat "$build/stderr")
	[ $st -eq 3 ] && [ -z "$out" ] && [[ "$err" == "tcptw: $report"* ]] &&
		[[ "$err" == *"$want"* ]] && ! grep -q 'Sanitizer\|runtime error' "$build/stderr"
	result $? "bad $(basename "$report"): exit 3 with \"$want\"" "exit $st: $err"
done

# Usage and environment errors.
errors=(
	"3|no module|module is not loaded|"
	"3|missing file|No such file or directory|-f /nonexistent/report"
	"3|bad -o|expected text, json or prom|-f golden/empty.report -o xml"
	"3|bad --peer|expected an IPv4 or IPv6 address|-f golden/empty.report --peer 300.1.1.1/8"
	"3|bad --peer prefix|expected an IPv4 or IPv6 address|-f golden/empty.report --peer ::1/129"
	"3|unknown --sort column|no such column|-f golden/empty.report --sort nosuch"
	"3|unknown command|unknown command|-f golden/empty.report frobnicate"
	"3|--warn outside check|belong to \"tcptw check\"|-f golden/empty.report --warn tw_count>1"
	"3|bad --top|expected a number of peers|--top -1"
	"3|--sort paws on a 1.0 report|no such column|-f golden/scenario-6.1.report --sort paws"
	"3|reset-paws to stdin|not to standard input|-f - reset-paws"
	"3|reset-paws without the module|module is not loaded|reset-paws"
	"3|reset-paws to a directory|Is a directory|-f golden reset-paws"
)
for e in "${errors[@]}"; do
	IFS='|' read -r code name want args <<<"$e"
	if [ "$name" = "no module" ] || [ "$name" = "reset-paws without the module" ]; then
		[ ! -e /proc/tcptw ] || { result 0 "error: $name (skipped: /proc/tcptw exists)"; continue; }
	fi
	# shellcheck disable=SC2086
	out=$("$tool" $args 2>&1)
	st=$?
	[ $st -eq "$code" ] && [[ "$out" == *"$want"* ]]
	result $? "error: $name: exit $code, \"$want\"" "exit $st: $out"
done

# check: thresholds to Nagios exit codes and status lines.
checks=(
	"0|scenario-6.1|OK - tw_pressure_pct=0|--warn tw_pressure_pct>80 --crit tw_pressure_pct>90"
	"0|scenario-6.1|'tw_pressure_pct'=0;80;90;;|--warn tw_pressure_pct>80 --crit tw_pressure_pct>90"
	"1|scenario-6.1|WARNING - peer.tw>7 (8)|--warn peer.tw>7 --crit peer.tw>20000"
	"2|scenario-6.1|CRITICAL - peer.close_wait>=3 (3)|--warn peer.close_wait>=2 --crit peer.close_wait>=3"
	"0|scenario-6.1|'peer.tw'=8;20000;;;|--warn peer.tw>20000"
	"2|scenario-6.1|CRITICAL - tw_count==50 (50)|--crit tw_count==50"
	"0|scenario-6.1|OK|--crit tw_count!=50"
	"1|scenario-6.1|WARNING - tw_max<10000 (8192)|--warn tw_max<10000"
	"1|scenario-6.1|'tw_max'=8192;10000:;;;|--warn tw_max<=10000"
	"2|other|peer table truncated: 886 sockets|--warn tw_pressure_pct>30 --crit tw_pressure_pct>=33"
	"1|other|WARNING - peer.tw>799 (800)|--warn peer.tw>799"
	"0|other|OK - peer.tw=800|--warn peer.tw>800"
	"0|empty|'peer.tw'=U;1;;;|--warn peer.tw>1"
	"2|huge|CRITICAL - tw_count>18446744073709551614 (18446744073709551615)|--crit tw_count>18446744073709551614"
	"0|huge|OK|--crit tw_count>18446744073709551615"
	"1|minor|WARNING - port_usage_max_pct>40 (42)|--warn port_usage_max_pct>40"
	"1|minor|WARNING - peer.port_usage>10 (17)|--warn peer.port_usage>10"
	"3|minor|no value|--warn ehash_buckets>1"
	"3|minor|not a number|--warn future_label>1"
	"3|scenario-6.1|unknown key \"no_such_key\"|--warn no_such_key>1"
	"3|scenario-6.1|no peer column \"nope\"|--warn peer.nope>1"
	"3|scenario-6.1|bad threshold|--warn tw_count=>1"
	"3|scenario-6.1|bad threshold|--warn tw_count>"
	"3|scenario-6.1|bad threshold|--warn tw_count>-1"
	"3|scenario-6.1|bad threshold|--warn kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk>1"
	"3|scenario-6.1|not a number|--warn port_range>1"
	"3|scenario-6.1|no threshold|"
	"0|scenario-6.1|'paws_estab/s'=0.000;10;;;|-i 0.1 --warn paws_estab/s>10"
	"2|scenario-6.1|CRITICAL|--warn tw_count>10 --crit peer.syn_sent>2"
	"2|ports-1.1|CRITICAL - tuple.pct>=99 (99)|--warn tuple.pct>=90 --crit tuple.pct>=99"
	"0|ports-1.1|'tuple.pct'=99;100;;;|--warn tuple.pct>=100"
	"1|ports-1.1|WARNING - tuple.used>20000 (27950)|--warn tuple.used>20000"
	"0|nat-1.1|OK - tuple.pct=0 |--warn tuple.pct>=90 --crit tuple.pct>=99"
	"0|paws-other-1.1|'tuple.pct'=U;90;;;|--warn tuple.pct>=90"
	"2|ports-1.1|CRITICAL - port_usage_max_pct>=95 (99)|--warn port_usage_max_pct>=80 --crit port_usage_max_pct>=95"
	"1|nat-1.1|WARNING - paws.rejects>100 (409)|--warn paws.rejects>100 --crit paws.rejects>1000"
	"0|ports-1.1|'paws.rejects'=1;100;;;|--warn paws.rejects>100"
	"1|paws-other-1.1|PAWS table truncated: 9 rejects in \"other\" not judged per row|--warn paws.rejects>5"
	"2|nat-1.1|CRITICAL - paws.nat>=1 (1)|--crit paws.nat>=1"
	"1|nat-1.1|WARNING - paws.tw_syn>100 (380)|--warn paws.tw_syn>100"
	"1|nat-1.1|WARNING - peer.paws>100 (412)|--warn peer.paws>100"
	"2|nat-1.1|CRITICAL - peer.nat>=1 (1)|--crit peer.nat>=1"
	"0|ports-1.1|OK - peer.nat=0|--crit peer.nat>=1"
	"1|nat-1.1|WARNING - nat_suspects>0 (3)|--warn nat_suspects>0"
	"1|nat-1.1|WARNING - paws_rej_tw>400 (452)|--warn paws_rej_tw>400 --warn paws_rej_estab>1000"
	"0|empty-1.1|'paws.rejects'=U;1;;;|--warn paws.rejects>1"
	"1|paws-cap-1.1|PAWS rejects in \"other\" not judged per peer|--warn peer.paws>1"
	"3|nat-1.1|no paws column \"nope\"|--warn paws.nope>1"
	"3|nat-1.1|no tuple column \"tuple\"|--warn tuple.tuple>1"
	"3|nat-1.1|bad threshold|--warn paws.rejects/s>1"
	"3|scenario-6.1|has no port table; it came with format 1.1|--warn tuple.pct>90"
	"3|scenario-6.1|has no PAWS table; it came with format 1.1|--warn paws.rejects>1"
	"3|scenario-6.1|has no peer column \"nat\"; it came with format 1.1|--crit peer.nat>=1"
	"3|scenario-6.1|has no key \"port_usage_max_pct\"; it came with format 1.1|--warn port_usage_max_pct>90"
	"1|paws-7.x-1.2|WARNING - paws_timewait>1000 (1310)|--warn paws_timewait>1000"
	"2|paws-7.x-1.2|CRITICAL - paws.old_ack>40 (41)|--warn paws.old_ack>4 --crit paws.old_ack>40"
	"1|paws-7.x-1.2|WARNING - paws_dropped>0 (4)|--warn paws_dropped>0 --warn paws_rej_old_ack>100"
	"1|paws-7.x-1.2|PAWS table truncated: 9 rejects in \"other\" not judged per row|--warn paws.old_ack>1"
	"0|paws-7.x-1.2|'paws.nat'=1;;2;;|--crit paws.nat>=2"
	"2|paws-6.1-1.2|CRITICAL - paws.nat>=1 (1)|--crit paws.nat>=1"
	"0|paws-6.1-1.2|'paws.old_ack'=U;1;;;|--warn paws.old_ack>1"
	"3|paws-6.1-1.2|the report has no value (\"-\") for \"paws_timewait\"|--warn paws_timewait>1"
	"3|paws-6.1-1.2|the report has no value (\"-\") for \"paws_old_ack\"|--warn paws_old_ack/s>1"
	"3|nat-1.1|has no key \"paws_timewait\"; it came with format 1.2|--warn paws_timewait>1"
	"3|nat-1.1|has no PAWS column \"old_ack\"; it came with format 1.2|--warn paws.old_ack>1"
)
for c in "${checks[@]}"; do
	IFS='|' read -r code report want args <<<"$c"
	# shellcheck disable=SC2086
	out=$("$tool" -f "golden/$report.report" check $args 2>&1)
	st=$?
	[ $st -eq "$code" ] && [[ "$out" == *"$want"* ]] && [ "$(wc -l <<<"$out")" -eq 1 ]
	result $? "check $report $args: exit $code" "exit $st: $out"
done
out=$("$tool" -f bad/cut-peer-table.report check --warn "tw_count>1" 2>&1)
st=$?
[ $st -eq 3 ] && [[ "$out" == "TCPTW UNKNOWN - bad/cut-peer-table.report:43: "* ]]
result $? "check on a truncated report: UNKNOWN, exit 3" "exit $st: $out"

# check: a PAWS rate over two reads of a report that changes in between.
tmp=$build/rate.report
cp golden/scenario-6.1.report "$tmp"
( sleep 0.5; sed 's/^paws_estab 0$/paws_estab 40/' golden/scenario-6.1.report >"$tmp.new" && mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" check -i 1 --warn 'paws_estab/s>10' --crit 'paws_estab/s>100' 2>&1)
st=$?
wait
[ $st -eq 1 ] && [[ "$out" == "TCPTW WARNING - paws_estab/s>10 ("* ]]
result $? "check paws_estab/s over two reads: WARNING at ~40/s" "exit $st: $out"

# check: rates of the paws_rej_* counters, and a reset between the reads.
cp golden/nat-1.1.report "$tmp"
( sleep 0.5; sed 's/^paws_rej_tw 452$/paws_rej_tw 552/' golden/nat-1.1.report >"$tmp.new" &&
	mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" check -i 1 --warn 'paws_rej_tw/s>10' --crit 'paws_rej_tw/s>1000' 2>&1)
st=$?
wait
[ $st -eq 1 ] && [[ "$out" == "TCPTW WARNING - paws_rej_tw/s>10 ("* ]] &&
	[[ "$out" == *"'paws_rej_tw/s'="*";10;1000;;" ]]
result $? "check paws_rej_tw/s over two reads: WARNING at ~100/s" "exit $st: $out"
cp golden/nat-1.1.report "$tmp"
( sleep 0.5; sed -e 's/^paws_rej_tw 452$/paws_rej_tw 552/' -e 's/^paws_since_s 86400$/paws_since_s 0/' \
	golden/nat-1.1.report >"$tmp.new" && mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" check -i 1 --warn 'paws_rej_tw/s>10' 2>&1)
st=$?
wait
[ $st -eq 3 ] && [[ "$out" == *"reset between reads"* ]]
result $? "check paws_rej_tw/s across a reset-paws: UNKNOWN, not a rate" "exit $st: $out"

# check: 1.2's kernel counter of TIME-WAIT PAWS drops as a rate, and the
# old ACKs tcptw saw, which a reset-paws restarts like the paws_rej_* ones.
cp golden/paws-7.x-1.2.report "$tmp"
( sleep 0.5; sed 's/^paws_timewait 1310$/paws_timewait 1360/' golden/paws-7.x-1.2.report >"$tmp.new" &&
	mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" check -i 1 --warn 'paws_timewait/s>10' 2>&1)
st=$?
wait
[ $st -eq 1 ] && [[ "$out" == "TCPTW WARNING - paws_timewait/s>10 ("* ]]
result $? "check paws_timewait/s over two reads: WARNING at ~50/s" "exit $st: $out"
cp golden/paws-7.x-1.2.report "$tmp"
( sleep 0.5; sed -e 's/^paws_rej_old_ack 49$/paws_rej_old_ack 60/' -e 's/^paws_since_s 3600$/paws_since_s 0/' \
	golden/paws-7.x-1.2.report >"$tmp.new" && mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" check -i 1 --warn 'paws_rej_old_ack/s>1' 2>&1)
st=$?
wait
[ $st -eq 3 ] && [[ "$out" == *"reset between reads"* ]]
result $? "check paws_rej_old_ack/s across a reset-paws: UNKNOWN, not a rate" "exit $st: $out"

# watch divides by the measured time between reads: a busy host makes that
# 1.003 s and "20.0/s" "19.9/s". Rates are compared rounded to integers, the
# deltas (+20) exactly.
round_rates() {
	perl -pe 's{(\d+\.\d)/s}{sprintf("%.0f/s", $1)}ge'
}

# watch: two reads, the file changes between them.
cp golden/scenario-6.1.report "$tmp"
( sleep 0.5; sed -e 's/^tw_count 50$/tw_count 70/' -e 's/^tw_expired 52$/tw_expired 92/' \
	-e 's/^tw_overflow 0$/tw_overflow 10/' -e 's/^paws_estab 0$/paws_estab 4/' \
	-e 's/^127.0.1.8 8 8 0 /127.0.1.8 28 28 0 /' golden/scenario-6.1.report >"$tmp.new" &&
	mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" watch -i 1 --count 2 --top 3 2>&1 | round_rates)
st=$?
wait
ok=0
for want in "read 1, every 1.0s" "rates from the next read" "read 2, 1.0s after the previous" \
	"TIME-WAIT    70 sockets (growth +20, +20/s)" "new TW       40/s (+40)" \
	"overflow     10/s (+10)" "PAWS         4/s (+4) established, 0/s (+0) SYN_SENT"; do
	[[ "$out" == *"$want"* ]] || { ok=1; echo "# missing: $want"; }
done
grep -Eq '^127\.0\.1\.8 +28 .* \+20$' <<<"$out" || { ok=1; echo "# missing: per-peer +20"; }
[ $st -eq 0 ] || ok=1
result $ok "watch -i 1 --count 2: deltas and rates between reads" "$out"
out=$(TCPTW_PROC=bad/crlf.report "$tool" watch --count 1 2>&1)
[ $? -eq 3 ]
result $? "watch on a bad report: exit 3" "$out"
cp golden/nat-1.1.report "$tmp"
( sleep 0.5; sed -e 's/^paws_rej_tw 452$/paws_rej_tw 472/' -e 's/^paws_rej_syn_recv 3$/paws_rej_syn_recv 5/' \
	golden/nat-1.1.report >"$tmp.new" && mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" watch -i 1 --count 2 --top 2 2>&1 | round_rates)
st=$?
wait
ok=0
for want in "PAWS seen    - established, - SYN_SENT, - SYN_RECV, - TIME-WAIT" \
	"PAWS seen    0/s (+0) established, 0/s (+0) SYN_SENT, 2/s (+2) SYN_RECV, 20/s (+20) TIME-WAIT"; do
	[[ "$out" == *"$want"* ]] || { ok=1; echo "# missing: $want"; }
done
grep -Eq '^203\.0\.113\.7 +120 .* 412 +yes +\+0$' <<<"$out" || { ok=1; echo "# missing: peer row with paws, nat"; }
[ $st -eq 0 ] || ok=1
result $ok "watch on 1.1: paws_rej_* rates per path, paws and nat per peer" "$out"
out=$(TCPTW_PROC=golden/scenario-6.1.report "$tool" watch --count 1 2>&1)
! grep -q 'PAWS seen' <<<"$out"
result $? "watch on 1.0: no PAWS-seen line" "$out"
cp golden/paws-7.x-1.2.report "$tmp"
( sleep 0.5; sed -e 's/^paws_timewait 1310$/paws_timewait 1340/' -e 's/^paws_old_ack 356$/paws_old_ack 366/' \
	-e 's/^paws_rej_old_ack 49$/paws_rej_old_ack 54/' golden/paws-7.x-1.2.report >"$tmp.new" &&
	mv "$tmp.new" "$tmp" ) &
out=$(TCPTW_PROC=$tmp "$tool" watch -i 1 --count 2 --top 2 2>&1 | round_rates)
st=$?
wait
ok=0
for want in "PAWS         - established, - SYN_SENT, - TIME-WAIT, - old ACKs" \
	"PAWS         0/s (+0) established, 0/s (+0) SYN_SENT, 30/s (+30) TIME-WAIT, 10/s (+10) old ACKs" \
	"PAWS seen    0/s (+0) established, 0/s (+0) SYN_SENT, 0/s (+0) SYN_RECV, 0/s (+0) TIME-WAIT, 5/s (+5) old ACKs"; do
	[[ "$out" == *"$want"* ]] || { ok=1; echo "# missing: $want"; }
done
[ $st -eq 0 ] || ok=1
result $ok "watch on 1.2 (7.x): TIME-WAIT and old-ACK PAWS rates" "$out"
out=$(TCPTW_PROC=golden/paws-6.1-1.2.report "$tool" watch --count 1 2>&1)
[[ "$out" == *"PAWS         - established and TIME-WAIT, - SYN_SENT, - old ACKs"* ]] &&
	[[ "$out" == *"SYN_RECV, - TIME-WAIT, - old ACKs"* ]]
result $? "watch on 1.2 (6.1): TIME-WAIT inside established, no old ACKs" "$out"

# 1.1 allows an empty port or PAWS table to be left out: same as written.
sed -e '/^tuple /,$d' golden/empty-1.1.report | sed '$d' >"$build/no-tables.report"
out=$("$tool" -f "$build/no-tables.report" 2>&1 | tail -n +2)
[ "$out" = "$("$tool" -f golden/empty-1.1.report | tail -n +2)" ]
result $? "1.1 without its empty port and PAWS tables reads as with them" "$out"

# doctor: sysctl trees of bad advice, each must be flagged.
doctors=(
	"0|good|golden/scenario-6.1.report|0 critical, 0 warning"
	"2|recycle-on|golden/scenario-6.1.report|CRIT  net.ipv4.tcp_tw_recycle is set"
	"0|recycle-off|golden/scenario-6.1.report|INFO  net.ipv4.tcp_tw_recycle exists"
	"2|timestamps-off|golden/scenario-6.1.report|CRIT  net.ipv4.tcp_timestamps = 0"
	"2|timestamps-off|golden/scenario-6.1.report|WARN  net.ipv4.tcp_tw_reuse = 1 has no effect"
	"1|buckets-low|golden/scenario-6.1.report|WARN  net.ipv4.tcp_max_tw_buckets = 5000 is below the kernel default 8192"
	"1|buckets-low|golden/scenario-6.1.report|ehash_buckets / 2 from the report"
	"1|buckets-low|/nonexistent|default 8192 (tcp_max_orphans"
	"1|port-range-wide|golden/scenario-6.1.report|WARN  net.ipv4.ip_local_port_range overlaps common service ports"
	"1|port-range-narrow|golden/scenario-6.1.report|WARN  net.ipv4.ip_local_port_range is narrow: 1001 ports"
	"1|fin-timeout|golden/scenario-6.1.report|WARN  net.ipv4.tcp_fin_timeout = 15 does not shorten TIME-WAIT"
	"2|conntrack-full|golden/scenario-6.1.report|CRIT  the conntrack table is 94% full"
	"0|conntrack-ok|golden/scenario-6.1.report|0 critical, 0 warning, 0 info"
	"1|good|doctor/piles.report|WARN  150 sockets in CLOSE_WAIT"
	"1|good|doctor/piles.report|WARN  200 sockets in FIN_WAIT2"
	"1|good|doctor/outbound.report|WARN  outbound TIME-WAIT to 198.51.100.20 holds 70% of the local ports"
	"1|good|doctor/outbound.report|WARN  net.ipv4.tcp_tw_reuse = 2 while this host holds 20000 outbound TIME-WAIT"
	"1|reuse-off|doctor/outbound.report|WARN  net.ipv4.tcp_tw_reuse = 0 while"
	"2|good|doctor/overflow.report|CRIT  TIME-WAIT bucket table overflowed 1234 times"
	"2|good|doctor/overflow.report|CRIT  TIME-WAIT is close to tcp_max_tw_buckets: 98%"
	"2|good|doctor/overflow.report|INFO  PAWS dropped 7 SYN-ACKs"
	"2|bad-advice|/nonexistent|CRIT  net.ipv4.tcp_tw_recycle is set"
	"2|bad-advice|/nonexistent|not seen:"
	"2|bad-advice|/nonexistent|the tcptw report: /nonexistent: No such file"
	"1|good|golden/nat-1.1.report|WARN  peer 203.0.113.7: 412 segments dropped by PAWS from 9 source ports: looks like NAT"
	"1|good|golden/nat-1.1.report|local ports 443 (409), 80 (3); estab 0, syn_sent 0, syn_recv 3, TIME-WAIT 409 of which 383 new SYNs"
	"1|good|golden/nat-1.1.report|WARN  peer 203.0.113.99: 37 segments dropped by PAWS from at least 16 source ports"
	"1|good|golden/nat-1.1.report|INFO  peer 198.18.0.5: 6 segments dropped by PAWS from 1 source port: looks like NAT"
	"1|good|golden/nat-1.1.report|INFO  150 segments dropped by PAWS from peers that do not look like NAT"
	"1|good|golden/nat-1.1.report|do not enable net.ipv4.tcp_tw_recycle (removed in Linux 4.12"
	"1|good|golden/nat-1.1.report|do not set tcp_timestamps=0 here or on the clients"
	"1|good|golden/nat-1.1.report|tcp_tw_reuse does not help, it only affects connect()"
	"1|good|golden/nat-1.1.report|RFC 6191"
	"1|good|golden/nat-1.1.report|0 critical, 2 warning, 2 info"
	"2|rfc1337-on|golden/nat-1.1.report|CRIT  peer 203.0.113.7: 412 segments dropped by PAWS"
	"2|rfc1337-on|golden/nat-1.1.report|sysctl -w net.ipv4.tcp_rfc1337=0"
	"2|busy-client|golden/ports-1.1.report|CRIT  10.0.0.2 -> 192.0.2.9:5432 uses 27950 of 28232 local ports (99%): connect() will fail with EADDRNOTAVAIL"
	"2|busy-client|golden/ports-1.1.report|192.0.2.9 in all (every port): 27000 outbound TIME-WAIT, 941 established; tcp_tw_reuse = 2"
	"2|busy-client|golden/ports-1.1.report|net.ipv4.tcp_tw_reuse=1 lets connect() take a port whose TIME-WAIT is older than 1 s"
	"2|busy-client|golden/ports-1.1.report|IP_BIND_ADDRESS_NO_PORT"
	"2|busy-client|golden/ports-1.1.report|widen net.ipv4.ip_local_port_range"
	"2|busy-client|golden/ports-1.1.report|INFO  PAWS dropped 1 SYN-ACKs"
	"2|busy-client|golden/ports-1.1.report|tcptw saw 1 in SYN_SENT, most from 192.0.2.9: 1"
	"2|busy-client-reuse|golden/ports-1.1.report|tcp_tw_reuse is already 1"
	"0|good|golden/empty-1.1.report|0 critical, 0 warning, 0 info"
	"1|good|golden/minor.report|WARN  peer 192.0.2.8: 2 segments dropped by PAWS from 2 source ports"
	"1|good|golden/vm-nat-6.1.report|WARN  peer 192.0.2.1: 18 segments dropped by PAWS from 6 source ports: looks like NAT"
	"1|good|golden/paws-6.1-1.2.report|WARN  peer 203.0.113.7: 242 segments dropped by PAWS from 12 source ports: looks like NAT"
	"1|good|golden/paws-6.1-1.2.report|up to 4 source ports per peer, but new connections refused in TIME-WAIT from one at most"
	"1|good|golden/paws-6.1-1.2.report|evidence  paws_active 5, paws_estab 1204; in the last 86400 s tcptw saw 3 in SYN_SENT"
	"2|timestamps-off|golden/paws-7.x-1.2.report|outbound TIME-WAIT 0, paws_estab 2211 + paws_timewait 1310"
	"1|good|golden/paws-7.x-1.2.report|evidence  paws_active 3, paws_estab 2211 + paws_timewait 1310; in the last 3600 s"
)
for d in "${doctors[@]}"; do
	IFS='|' read -r code tree report want <<<"$d"
	out=$(TCPTW_SYSCTL_ROOT=sysctl/$tree TCPTW_PROC=$report "$tool" doctor 2>&1)
	st=$?
	[ $st -eq "$code" ] && [[ "$out" == *"$want"* ]]
	result $? "doctor $tree with $(basename "$report"): exit $code, \"$want\"" "exit $st: $out"
done
# Every item of the popular "high-performance sysctl.conf" is flagged.
out=$(TCPTW_SYSCTL_ROOT=sysctl/bad-advice TCPTW_PROC=golden/scenario-6.1.report "$tool" doctor 2>&1)
ok=0
for want in tcp_tw_recycle tcp_timestamps "tcp_tw_reuse = 1 has no effect" tcp_max_tw_buckets \
	ip_local_port_range tcp_fin_timeout; do
	grep -Eq "^(CRIT|WARN) .*$want" <<<"$out" || { ok=1; echo "# not flagged: $want"; }
done
result $ok "doctor flags every setting of the bad-advice tree" "$out"
expect "doctor bad-advice: full output" doctor/bad-advice.out \
	env TCPTW_SYSCTL_ROOT=sysctl/bad-advice TCPTW_PROC=golden/scenario-6.1.report \
	sh -c '"$0" doctor; test $? -eq 2' "$tool"
expect "doctor NAT suspects: full output" doctor/nat.out \
	env TCPTW_SYSCTL_ROOT=sysctl/good TCPTW_PROC=golden/nat-1.1.report \
	sh -c '"$0" doctor; test $? -eq 1' "$tool"
expect "doctor on 1.2 (7.x kernel): full output" doctor/paws-7.x.out \
	env TCPTW_SYSCTL_ROOT=sysctl/good TCPTW_PROC=golden/paws-7.x-1.2.report \
	sh -c '"$0" doctor; test $? -eq 1' "$tool"
expect "doctor port exhaustion: full output" doctor/ports.out \
	env TCPTW_SYSCTL_ROOT=sysctl/busy-client TCPTW_PROC=golden/ports-1.1.report \
	sh -c '"$0" doctor; test $? -eq 2' "$tool"
# Format 1.1 counts ports per destination exactly: no per-peer estimate then.
out=$(TCPTW_SYSCTL_ROOT=sysctl/busy-client TCPTW_PROC=golden/ports-1.1.report "$tool" doctor 2>&1)
! grep -q 'outbound TIME-WAIT to .* holds' <<<"$out"
result $? "doctor on 1.1: the port table replaces the per-peer port estimate" "$out"

# reset-paws: the command, whole, in one write; each refusal with its fix.
: >"$build/reset"
out=$("$tool" -f "$build/reset" reset-paws 2>&1)
st=$?
[ $st -eq 0 ] && [ "$(cat "$build/reset")" = "reset paws" ] &&
	[ "$(wc -c <"$build/reset")" -eq 11 ] && [[ "$out" == "PAWS table and paws_rej_* counters reset"* ]]
result $? "reset-paws writes \"reset paws\\n\" and exits 0" "exit $st: $out"
: >"$build/reset"
out=$(TCPTW_PROC=$build/reset "$tool" reset-paws 2>&1)
[ $? -eq 0 ] && [ "$(cat "$build/reset")" = "reset paws" ]
result $? "reset-paws writes to TCPTW_PROC" "$out"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0444 "$build/reset"
	chmod o+rx "$build"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" -f "$build/reset" reset-paws 2>&1)
	st=$?
	[ $st -eq 3 ] && [[ "$out" == *"Permission denied: resetting the PAWS counters needs root"* ]]
	result $? "reset-paws without permission to open: exit 3, needs root" "exit $st: $out"
	chmod 0644 "$build/reset"
fi
out=$(cd "$root/tools" && gcc -shared -fPIC -O1 -Wall -Wextra -Werror -o "$build/write-errno.so" \
	"$here/write-errno.c" -ldl 2>&1)
result $? "reset-paws: write() refusal shim builds" "$out"
refusals=(
	"1|needs CAP_NET_ADMIN over this network namespace"
	"13|needs CAP_NET_ADMIN over this network namespace"
	"22|refused \"reset paws\" (Invalid argument): this tcptw.ko does not know the command"
	"5|the module takes no commands; tcptw.ko older than format 1.1"
)
for f in "${refusals[@]}"; do
	IFS='|' read -r errno want <<<"$f"
	out=$(ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 LD_PRELOAD=$build/write-errno.so \
		TCPTW_TEST_WRITE_ERRNO=$errno "$tool" -f "$build/reset" reset-paws 2>&1)
	st=$?
	[ $st -eq 3 ] && [[ "$out" == *"$want"* ]]
	result $? "reset-paws refused with errno $errno: exit 3, \"$want\"" "exit $st: $out"
done

# --version: the release of include/tcptw_version.h and the format of
# include/tcptw_format.h, whatever else is on the command line.
ver=$(sed -n 's/^#define TCPTW_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$root/include/tcptw_version.h")
fmt=$(awk '$2 == "TCPTW_FORMAT_MAJOR" { a = $3 } $2 == "TCPTW_FORMAT_MINOR" { b = $3 }
	END { print a "." b }' "$root/include/tcptw_format.h")
for args in "--version" "-V" "-f /nonexistent -V"; do
	out=$("$tool" $args 2>&1)
	st=$?
	[ $st -eq 0 ] && [ -n "$ver" ] &&
		[ "$out" = "tcptw $ver (/proc/tcptw format $fmt; reads any ${fmt%%.*}.x)" ]
	result $? "tcptw $args: exit 0, \"tcptw $ver\" and format $fmt" "exit $st: $out"
done

# Man page: renders without a groff warning.
if command -v groff >/dev/null 2>&1; then
	out=$(groff -man -Tutf8 -ww -z "$root/tools/tcptw.8" 2>&1)
	[ -z "$out" ]
	result $? "tcptw.8: groff -man -ww without warnings" "$out"
fi

fuzz
finish
