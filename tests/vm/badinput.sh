#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input to everything tcptw lets anyone write (issue 8), inside the VM
# after the scenario (busybox sh): module parameters at load time and in
# sysfs, /proc/tcptw, the debugfs files. Each case is one open() and one or
# more write()s made by tcptw-badwrite (badwrite.c) with exact bytes; it must
# return the documented result (docs/SECURITY.md) and leave the state as it
# was: the three parameters, the PAWS keys and rows of /proc/tcptw and
# debugfs paws_log, in the initial namespace and in nsb, where the writes
# are made:
#
#   initial netns                          nsb (unshare -n)
#  +-----------------------------------+  +-----------------------------------+
#  | PAWS rows of 127.0.71.1:9711      |  | PAWS rows of 127.0.70.1:9701 and  |
#  | /sys/module/tcptw/parameters/*    |  |   127.0.70.2:9702 (tcptw-traffic) |
#  | debugfs tcptw/* (root, 0400)      |  | bad writes to /proc/tcptw         |
#  +-----------------------------------+  +-----------------------------------+
#
# Valid writes are tried too, and must change what they document. Then
# tests/vm/isolation.sh (permissions, namespaces, kernel pointers) runs if
# it is there. Prints "ok N - ..." lines, a "# figures: ..." line and
# "# badinput: N tests, N failed"; exits 1 if any failed.

set -u
BW=tcptw-badwrite
# Rounds per concurrent writer (8 writers at once).
ROUNDS=${TCPTW_BADINPUT_ROUNDS:-50}
W=/tmp/badinput
bad_inputs=0
valid_writes=0
. /tap.sh

# What a refused write must leave alone, for the namespace it is run in: the
# parameters, the PAWS keys (paws_since_s aside: a clock) and rows (age_s
# aside), the *_max keys the parameters show as, debugfs paws_log (age_ms
# aside).
STATE_AWK='
FNR == 1 { t = 0 }
FILENAME ~ /parameters/ { f = FILENAME; sub(/.*\//, "", f); print "param", f, $0; next }
FILENAME ~ /paws_log$/ { if (FNR > 1) { $1 = ""; print "log" $0 } next }
/^(paws_rej_[a-z_]+|paws_rows|paws_other|paws_max|peers_max|tuples_max) / { print; next }
/^paws_peer / { t = 1; for (i = 1; i <= NF; i++) if ($i == "age_s") age = i; next }
t && NF > 2 { $age = ""; print "paws", $0 }'
STATE_FILES="$PARAMS/max_peers $PARAMS/max_tuples $PARAMS/paws_max $PROC $DBG/paws_log"

state_of() { in_ns "$1" awk "$STATE_AWK" $STATE_FILES </dev/null; }
snapshot() {
	state_of ""
	echo "-- nsb"
	state_of "$NSB"
}

# show_diff BEFORE AFTER: what changed, as "# " lines.
show_diff() {
	echo "$1" >$W/before
	echo "$2" >$W/after
	diff $W/before $W/after | sed 's/^/#   /'
}

# key NS KEY: one summary value of NS's /proc/tcptw.
key() { in_ns "$1" tcptw-verify key "$2" </dev/null; }

# paws_rows_of NS: the PAWS table's "peer lport" pairs.
paws_rows_of() {
	in_ns "$1" awk '/^paws_peer /{t=1;next} t&&NF>2{print $1":"$2}' $PROC </dev/null |
		sort | tr '\n' ' '
}

# refused NS TARGET WANT SPEC...: one open of TARGET in NS, one write() per
# SPEC; the results must be WANT and nothing may change.
refused() {
	ns=$1 target=$2 want=$3
	shift 3
	before=$(snapshot)
	got=$(in_ns "$ns" $BW write "$target" "$@" </dev/null)
	after=$(snapshot)
	bad_inputs=$((bad_inputs + $#))
	what="${target##*/} <- '$1'"
	shift
	for s; do what="$what + '$s'"; done
	if [ "$got" != "$want" ]; then
		not_ok "$what: $want (got '$got')"
	elif [ "$before" != "$after" ]; then
		not_ok "$what: $want, but the state changed"
		show_diff "$before" "$after"
	else
		ok "$what: $want, nothing changed"
	fi
}

# table NS TARGET FILE: the cases of FILE, one a line: WANT|SPEC[|SPEC...]
# ('#' lines are comments), each through refused.
table() {
	ns=$1 target=$2
	while IFS= read -r line; do
		case $line in "" | "#"*) continue ;; esac
		want=${line%%|*}
		set -f
		oldifs=$IFS
		IFS='|'
		# shellcheck disable=SC2086 # split on | on purpose
		set -- ${line#*|}
		IFS=$oldifs
		set +f
		refused "$ns" "$target" "$want" "$@"
	done <"$3"
}

# unloaded: nothing of tcptw is left.
unloaded() {
	[ ! -e $PROC ] && [ ! -e $DBG ] && [ ! -e /sys/module/tcptw ] &&
		! grep -q '^tcptw ' /proc/modules
}

mkdir -p $W
mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo "tcptw-badinput: begin" >/dev/kmsg
grep -q '^tcptw ' /proc/modules && rmmod tcptw

# --- module parameters at load time ---------------------------------------------
# finit_module() with the parameter string as given. Parsing is the kernel's
# (kstrtouint, base 0) with tcptw's limits: out of range or not a number
# EINVAL, beyond 32 bits ERANGE; a bad value anywhere fails the whole load.
long9=$(head -c 65536 /dev/zero | tr '\0' 9)
cat >$W/insmod.cases <<EOF
EINVAL|max_peers=0
EINVAL|max_peers=-1
EINVAL|max_peers=1048577
ERANGE|max_peers=4294967296
ERANGE|max_peers=99999999999999999999
ERANGE|max_peers=$long9
EINVAL|max_peers=abc
EINVAL|max_peers=12abc
EINVAL|max_peers=
EINVAL|max_peers
EINVAL|max_peers= 5
EINVAL|max_peers=0x
EINVAL|max_peers=08
EINVAL|max_peers=1.5
EINVAL|max_tuples=0
EINVAL|max_tuples=65537
EINVAL|paws_max=0
EINVAL|paws_max=65537
EINVAL|paws_max=-65536
EINVAL|max_peers=5 max_tuples=5 paws_max=0
EINVAL|max_peers=1 max_peers=0
EOF
while IFS='|' read -r want params; do
	got=$($BW insmod $MODULE "$params")
	bad_inputs=$((bad_inputs + 1))
	shown=$(echo "$params" | cut -c 1-40)
	[ ${#params} -le 40 ] || shown="$shown... (${#params} bytes)"
	if [ "$got" = ok ]; then
		rmmod tcptw
		not_ok "insmod '$shown' is refused ($want), but it loaded"
	elif [ "$got" != "$want" ]; then
		not_ok "insmod '$shown': $want (got $got)"
	elif ! unloaded; then
		not_ok "insmod '$shown': $want, but something of tcptw is left"
	else
		ok "insmod '$shown': $want, nothing left behind"
	fi
done <$W/insmod.cases
check "busybox insmod with max_peers=0 fails too" \
	sh -c "! insmod $MODULE max_peers=0 2>/dev/null"
check "... and leaves nothing behind" unloaded

# The limits themselves load, and show as the report's keys.
params_and_keys() {
	echo "$(cat $PARAMS/max_peers $PARAMS/max_tuples $PARAMS/paws_max | tr '\n' ' ')" \
		"$(key "" peers_max) $(key "" tuples_max) $(key "" paws_max)" | tr -s " "
}
for spec in "1 1 1" "1048576 65536 65536"; do
	set -- $spec
	expect "insmod at the limits max_peers=$1 max_tuples=$2 paws_max=$3" \
		"$($BW insmod $MODULE "max_peers=$1 max_tuples=$2 paws_max=$3")" ok
	expect "... the parameters and the report's *_max keys hold them" \
		"$(params_and_keys)" "$1 $2 $3 $1 $2 $3"
	rmmod tcptw
	valid_writes=$((valid_writes + 1))
done
# Unknown parameters are the kernel's business: it warns and ignores them.
expect "insmod with an unknown parameter loads (the kernel ignores it)" \
	"$($BW insmod $MODULE "no_such_param=1")" ok
expect "... with the defaults" "$(params_and_keys)" "65536 64 4096 65536 64 4096"
rmmod tcptw

# --- the namespaces and their PAWS rows -------------------------------------------
check "insmod tcptw.ko" insmod $MODULE
NSB=$(new_netns)
pids="$pids $NSB"
in_ns "$NSB" ip link set lo up
inject() {
	in_ns "$1" tcptw-traffic paws estab --addr "$2" --port "$3" --count 2 \
		>/dev/null 2>$W/paws.err </dev/null || sed 's/^/# /' $W/paws.err
}
inject "$NSB" 127.0.70.1 9701
inject "$NSB" 127.0.70.2 9702
inject "" 127.0.71.1 9711
expect "nsb has two PAWS rows" "$(paws_rows_of "$NSB")" "127.0.70.1:9701 127.0.70.2:9702 "
expect "the initial namespace has one" "$(paws_rows_of "")" "127.0.71.1:9711 "
echo "# state before the bad writes (initial namespace, then nsb):"
snapshot | sed 's/^/#   /'

# --- /proc/tcptw ----------------------------------------------------------------------
# The one command is "reset paws", optionally with one '\n', in one write():
# anything else is EINVAL (docs/SECURITY.md, include/tcptw_format.h);
# a buffer the kernel cannot read is EFAULT.
cat >$W/proc.cases <<'EOF'
EINVAL|@empty
EINVAL|\n
EINVAL|\x20
EINVAL|\t\n
EINVAL|\0
EINVAL|reset
EINVAL|paws
EINVAL|reset\n
EINVAL|reset paws now
EINVAL|RESET PAWS
EINVAL|Reset paws
EINVAL|reset  paws
EINVAL|\x20reset paws
EINVAL|reset paws\x20
EINVAL|reset\tpaws
EINVAL|reset paws\n\n
EINVAL|reset paws\r\n
EINVAL|reset paws\r
EINVAL|reset paws\0
EINVAL|reset\0paws
EINVAL|\0reset paws
EINVAL|reset paw
EINVAL|reset pawsx
EINVAL|reset peers
EINVAL|reset all
EINVAL|clear paws
EINVAL|0
EINVAL|1
EINVAL|-1
EINVAL|4294967296
EINVAL|99999999999999999999
EINVAL|\xff\xfe\xfd
EINVAL|reset p\xc3\xa4ws
EINVAL|@rep:2:reset paws
EINVAL|@rep:12:x
EINVAL|@rep:4096:a
EINVAL|@rep:1048576:a
EINVAL|@rep:95326:reset paws\n
EFAULT|@fault:10
EFAULT|@fault:11
EFAULT|@edge:reset paws
EINVAL|@fault:12
EINVAL|@fault:4096
# Split: each write() is judged alone.
EINVAL EINVAL|reset\x20|paws
EINVAL EINVAL|res|et paws\n
EINVAL EINVAL EINVAL|reset|\x20|paws\n
EINVAL EINVAL|reset paws now|\n
EOF
table "$NSB" $PROC $W/proc.cases
# The file keeps no offset for writes: pwrite() is refused by seq_file.
for off in 0 5; do
	before=$(snapshot)
	got=$(in_ns "$NSB" $BW pwrite $PROC $off 'reset paws')
	bad_inputs=$((bad_inputs + 1))
	after=$(snapshot)
	if [ "$got" = ESPIPE ] && [ "$before" = "$after" ]; then
		ok "tcptw <- pwrite('reset paws', offset $off): ESPIPE, nothing changed"
	else
		not_ok "tcptw <- pwrite('reset paws', offset $off): ESPIPE (got '$got')"
	fi
done

# --- module parameters in sysfs ----------------------------------------------------------
# Each write() is a whole value, parsed by the kernel as at load time. sysfs
# passes at most one page (4096 bytes) of a write on; an empty write is
# a no-op that returns 0.
param_cases() {
	over=$(($1 + 1))
	cat <<EOF
0|@empty
EINVAL|\n
EINVAL|\x20
EINVAL|0
EINVAL|0\n
EINVAL|00
EINVAL|-1
EINVAL|-0
EINVAL|$over
EINVAL|$over\n
ERANGE|4294967296
ERANGE|18446744073709551616
ERANGE|99999999999999999999
EINVAL|-99999999999999999999
EINVAL|abc
EINVAL|12abc
EINVAL|\x2012
EINVAL|12\x20
EINVAL|1 2
EINVAL|12\n\n
EINVAL|12\r\n
EINVAL|\n12
EINVAL|0x
EINVAL|0x$(printf %x $over)
EINVAL|08
EINVAL|1e3
EINVAL|1.5
EINVAL|+-1
EINVAL|++1
EINVAL|\xff
EINVAL|\0
EINVAL|\x001
EINVAL|reset paws
ERANGE|@rep:4096:9
EINVAL|@rep:4096:a
ERANGE|@rep:1048576:9
EINVAL|@rep:1048576:a
EFAULT|@fault:4
EFAULT|@edge:12
EINVAL EINVAL|ab|c
EINVAL EINVAL|0|0
EINVAL EINVAL|+|-1
EOF
}
for p in max_peers:1048576 max_tuples:65536 paws_max:65536; do
	param_cases "${p#*:}" >$W/param.cases
	table "" $PARAMS/${p%%:*} $W/param.cases
done

# --- debugfs ---------------------------------------------------------------------------
# No file takes writes: root may open them for writing (mode 0400 does not
# bind root) but every write() is EINVAL.
for f in sockets ehash paws_log ttl_hist count walk_stats; do
	cat >$W/dbg.cases <<'EOF'
EINVAL|@empty
EINVAL|1
EINVAL|reset paws\n
EINVAL|@rep:1048576:a
EINVAL|@fault:16
EINVAL EINVAL|re|set paws
EOF
	table "$NSB" $DBG/$f $W/dbg.cases
done

# --- many writers at once ------------------------------------------------------------------
# 8 writers released together, each $ROUNDS open+write+close; two of them
# read instead. Every bad write refused, every read whole, nothing changed.
hammer() {
	want=$1 ns=$2
	shift 2
	before=$(snapshot)
	got=$(in_ns "$ns" $BW hammer 8 "$ROUNDS" "$@" </dev/null | sort | tr '\n' ' ')
	after=$(snapshot)
	if [ "$got" = "$want" ] && [ "$before" = "$after" ]; then
		ok "8 writers at once ($*): $want nothing changed"
	else
		not_ok "8 writers at once ($*): $want (got '$got')"
		show_diff "$before" "$after"
	fi
}
bad6=$((6 * ROUNDS))
read2=$((2 * ROUNDS))
hammer "EINVAL $bad6 read $read2 " "$NSB" $PROC 'reset paws now' $PROC '@rep:4096:a' \
	$PROC '\0' $PROC @read
hammer "EINVAL $bad6 read $read2 " "" $PARAMS/max_peers abc $PARAMS/max_tuples 0 \
	$PARAMS/paws_max 65537 $PARAMS/max_peers @read
hammer "EINVAL $bad6 read $read2 " "$NSB" $DBG/paws_log 'reset paws' $DBG/sockets 1 \
	$PARAMS/paws_max '@rep:4096:a' $DBG/ttl_hist @read
bad_inputs=$((bad_inputs + 3 * bad6))

# --- valid writes: what they change ----------------------------------------------------------
# A parameter takes a new value (also in base 8 and 16, and up to the first
# NUL or the end of sysfs's one page: the kernel's parsing) and the report
# shows it; the last write puts the default back.
for p in max_peers:peers_max:65536 max_tuples:tuples_max:64 paws_max:paws_max:4096; do
	name=${p%%:*}
	k=${p#*:}
	def=${k#*:}
	k=${k%%:*}
	# SPEC RETURNED VALUE
	for c in "1\n 2 1" "0x10 4 16" "010 3 8" "+7 2 7" "12\0abc 6 12" \
		 "@pad:1048576:5\n 4096 5" "$def\n $((${#def} + 1)) $def"; do
		set -- $c
		valid_writes=$((valid_writes + 1))
		expect "$name <- '$1': $2, now $3, the report's $k too" \
			"$($BW write $PARAMS/$name "$1") $(cat $PARAMS/$name) $(key "" $k)" \
			"$2 $3 $3"
	done
done
# Each write() on one open file is a value of its own.
valid_writes=$((valid_writes + 2))
expect "max_peers <- '7' + '5': 1 1, now 5" \
	"$($BW write $PARAMS/max_peers 7 5) $(cat $PARAMS/max_peers)" "1 1 5"
echo 65536 >$PARAMS/max_peers

# Concurrent valid writers: each write lands whole, the last one wins.
got=$($BW hammer 8 "$ROUNDS" $PARAMS/max_peers 100 $PARAMS/max_peers 200 \
	$PARAMS/max_peers 300 $PARAMS/max_peers 400 | sort | tr '\n' ' ')
valid_writes=$((valid_writes + 8 * ROUNDS))
expect "8 writers of max_peers at once: all accepted" "$got" "3 $((8 * ROUNDS)) "
case $(cat $PARAMS/max_peers) in
100 | 200 | 300 | 400) ok "... and it holds one of their values ($(cat $PARAMS/max_peers))" ;;
*) not_ok "... and it holds one of their values (got $(cat $PARAMS/max_peers))" ;;
esac
echo 65536 >$PARAMS/max_peers

# "reset paws" resets: nsb's rows, counters and log go, the initial
# namespace keeps its own. With or without its newline.
init_before=$(state_of "")
for cmd in 'reset paws' 'reset paws\n'; do
	[ "$(paws_rows_of "$NSB")" != "" ] || inject "$NSB" 127.0.70.3 9703
	valid_writes=$((valid_writes + 1))
	len=$(printf "$cmd" | wc -c)
	expect "nsb: '$cmd' is accepted ($len)" "$(in_ns "$NSB" $BW write $PROC "$cmd")" "$len"
	expect "... nsb's PAWS table is empty" "$(paws_rows_of "$NSB")" ""
	expect "... its counters are zero" \
		"$(key "$NSB" paws_rows) $(key "$NSB" paws_rej_estab) $(key "$NSB" paws_rej_tw) $(key "$NSB" paws_other)" \
		"0 0 0 0"
	expect "... its debugfs paws_log has the header only" \
		"$(in_ns "$NSB" awk 'END { print NR }' $DBG/paws_log)" 1
	check "... the initial namespace's PAWS state is untouched" \
		test "$(state_of "")" = "$init_before"
done

# Resets racing PAWS rejects and readers: every reset whole, then empty.
inject "$NSB" 127.0.70.4 9704
in_ns "$NSB" tcptw-traffic paws estab --addr 127.0.70.5 --port 9705 --count 20 \
	>/dev/null 2>&1 </dev/null &
gen=$!
got=$(in_ns "$NSB" $BW hammer 8 "$ROUNDS" $PROC 'reset paws\n' $PROC @read \
	$PROC 'reset paws' $DBG/paws_log @read | sort | tr '\n' ' ')
wait $gen
valid_writes=$((valid_writes + 4 * ROUNDS))
expect "4 resetters, 4 readers and PAWS rejects at once: all whole" "$got" \
	"10 $((2 * ROUNDS)) 11 $((2 * ROUNDS)) read $((4 * ROUNDS)) "
in_ns "$NSB" $BW write $PROC 'reset paws' >/dev/null
valid_writes=$((valid_writes + 1))
expect "... then one more reset leaves nsb empty" "$(paws_rows_of "$NSB") $(key "$NSB" paws_rows)" " 0"

# Loaded twice: refused, the loaded module's parameters untouched.
before=$(snapshot)
expect "insmod while loaded, with max_peers=1: EEXIST" \
	"$($BW insmod $MODULE max_peers=1)" EEXIST
bad_inputs=$((bad_inputs + 1))
check "... nothing changed" test "$before" = "$(snapshot)"

# --- then permissions, namespaces and kernel pointers ------------------------------------
kill $NSB 2>/dev/null
wait $NSB 2>/dev/null
if [ -f /isolation.sh ]; then
	sh /isolation.sh
	iso=$?
else
	iso=0
fi

# --- unloading, and what the kernel said meanwhile -------------------------------------
grep -q '^tcptw ' /proc/modules && check "rmmod" rmmod tcptw
check "nothing of tcptw is left" unloaded
reports=$(dmesg | sed -n '/tcptw-badinput: begin/,$p' |
	grep -c -E 'BUG:|WARNING:|KASAN|UBSAN|kmemleak|circular locking|lock state|recursive locking|suspicious RCU|Call Trace:|general protection')
expect "the kernel log has no problem report since the first bad input" "$reports" 0

echo "# figures: bad_inputs $bad_inputs, valid_writes $valid_writes, kernel_reports $reports"
echo "# badinput: $n tests, $failed failed"
[ "$failed" -eq 0 ] && [ "$iso" -eq 0 ]
