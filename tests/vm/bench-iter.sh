# SPDX-License-Identifier: GPL-2.0
#
# make bench's BPF anchor in the VM, sourced by the bench script (busybox
# ash): pin the iter/tcp program /iter_tcp.bpf.o (tests/bench/iter.sh) with
# the host's /usr/sbin/bpftool, and check its per-peer TIME-WAIT counts
# against /proc/tcptw's tw column. The timed method is then
# `cat /sys/fs/bpf/tcptw_tw`.

ITER_PIN=/sys/fs/bpf/tcptw_tw

# iter_load: pin the iterator; on failure "BENCH na bpf_iter REASON", 1.
iter_load() {
	if ! grep -q '^[^ ]* /sys/fs/bpf bpf ' /proc/mounts &&
		! mount -t bpf bpf /sys/fs/bpf; then
		echo "BENCH na bpf_iter cannot mount bpffs"
		return 1
	fi
	rm -f "$ITER_PIN"
	if ! /usr/sbin/bpftool iter pin /iter_tcp.bpf.o "$ITER_PIN" >/tmp/iter-load.log 2>&1; then
		# bpftool's last line says what failed; the verifier's log is above it.
		cat /tmp/iter-load.log
		echo "BENCH na bpf_iter $(grep -v '^$' /tmp/iter-load.log | tail -n 1)"
		return 1
	fi
	echo "BENCH info bpf_iter loaded"
}

# iter_check SIZE: one read of the pin against one of /proc/tcptw, peer by
# peer (IPv4 peers with tw > 0; tcptw's "other" row skipped). Each read
# empties the program's map, so calling it twice in a row also proves that
# the first read left nothing behind. Needs no TIME-WAIT made or expiring
# between the two reads. 1 if any peer differs.
iter_check() {
	if ! cat "$ITER_PIN" >/tmp/iter-check.iter; then
		echo "BENCH error itercheck size $1 cannot read $ITER_PIN"
		return 1
	fi
	# The tw column of the table whose header row starts with "peer".
	if ! awk '$0 == "" { table = 0; next }
		$1 == "peer" { for (i = 1; i <= NF; i++) if ($i == "tw") col = i; table = 1; next }
		table && col && $1 ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ && $col > 0 { print $1, $col }
		END { exit (col == 0) }' /proc/tcptw >/tmp/iter-check.tcptw; then
		echo "BENCH error itercheck size $1 no tw column in /proc/tcptw"
		return 1
	fi
	awk -v size="$1" 'FILENAME == ARGV[1] { it[$1] += $2; t1 += $2; seen[$1] = 1; next }
		{ tw[$1] += $2; t2 += $2; seen[$1] = 1 }
		END {
			for (p in seen) {
				n++
				if (it[p] == tw[p]) eq++; else d++
			}
			printf "BENCH itercheck size %s peers %d equal %d differ %d tw_iter %d tw_tcptw %d\n",
				size, n, eq, d, t1, t2
			exit (d > 0)
		}' /tmp/iter-check.iter /tmp/iter-check.tcptw
}

# iter_unload: remove the pin (the program goes with its last reference).
iter_unload() {
	rm -f "$ITER_PIN"
}
