# SPDX-License-Identifier: GPL-2.0
#
# make bench: time of each method against the socket count, log-log, one
# panel per kernel. tests/bench.sh runs it with
#   gnuplot -e "datadir='DIR'; out='FILE.png'" tests/bench/plot.gp
# DIR holds plot-kernels.txt (the kernels, one line) and plot-KERNEL.dat
# ("method_index sockets wall_ms", one line per timed run).

if (!exists("datadir")) datadir = "build/bench"
if (!exists("out")) out = "docs/bench.png"

kernels = system("cat '" . datadir . "/plot-kernels.txt'")
nk = words(kernels)
# The method indices of the data files (tests/bench.sh's METHODS; the last
# one, cat /dev/null, is not plotted).
methods = "tcptw_proc tcptw_tool count proc_net_tcp ss_tw ss_pipeline ss_s bpf_iter"
labels = "'cat /proc/tcptw' 'tcptw tool' 'count-only walk (debugfs)' 'cat /proc/net/tcp' 'ss -tan state time-wait' 'ss | awk | sed | sort | uniq -c' 'ss -s' 'BPF iter/tcp (bpffs)'"
array colors[8] = ["#d62728", "#ff7f0e", "#8c564b", "#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f", "#17becf"]
array points[8] = [7, 5, 13, 9, 11, 15, 3, 1]

set terminal pngcairo size (nk > 1 ? 1400 : 800), 720 font "DejaVu Sans,10"
set output out
set logscale xy
set xrange [1000:1000000]
set yrange [5:30000]
set xtics ("1k" 1000, "2k" 2000, "5k" 5000, "10k" 10000, "20k" 20000, "50k" 50000, \
	"100k" 100000, "200k" 200000, "500k" 500000, "1M" 1000000)
set ytics ("5 ms" 5, "10 ms" 10, "20 ms" 20, "50 ms" 50, "100 ms" 100, "200 ms" 200, \
	"500 ms" 500, "1 s" 1000, "2 s" 2000, "5 s" 5000, "10 s" 10000, "20 s" 20000)
set xlabel "TCP sockets (sockstat inuse + tw) at the run"
set ylabel "wall time of one run (incl. process start)"
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key below maxrows 3 font ",9"

set multiplot layout 1, nk title "tcptw make bench: time vs socket count (QEMU TCG, 2 vCPUs)"
do for [k = 1:nk] {
	f = datadir . "/plot-" . word(kernels, k) . ".dat"
	set title "kernel " . word(kernels, k)
	plot for [i = 0:7] f using ($1 == i ? $2 : 1/0):($1 == i ? $3 : 1/0) \
		with points pt points[i + 1] ps 1.1 lc rgb colors[i + 1] title word(labels, i + 1)
}
unset multiplot
