#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test.sh of Debian's stock kernels: the foundation scenario, then bad
# input to every writable file and parameter (badinput.sh, which runs
# isolation.sh: permissions, namespaces, kernel pointers). The debug
# kernel runs the same two from debug.sh.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

status=0
sh /scenario.sh || status=1
sh /badinput.sh || status=1
exit $status
