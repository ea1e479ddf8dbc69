#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test.sh of Debian's stock kernels: the foundation scenario, then bad
# input to every writable file and parameter (badinput.sh, which runs
# isolation.sh: permissions, namespaces, kernel pointers), then what a read
# charges its reader's memory cgroup (memcg.sh). The debug kernel runs the
# first two from debug.sh (it has no memory cgroups).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

status=0
sh /scenario.sh || status=1
sh /badinput.sh || status=1
sh /memcg.sh || status=1
exit $status
