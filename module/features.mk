# SPDX-License-Identifier: GPL-2.0
#
# Feature tests for module/compat.h, shared by ../Kbuild and ../kunit/Kbuild.
# They look at the target kernel's headers, not its version number (Debian
# backports make version numbers lie).
#
# $(call tcptw-have,FILE,STRING,DEFINE): -DDEFINE when FILE (under the
# target's include/) exists and holds STRING ("" for mere presence).
tcptw-have = $(shell f=$(srctree)/include/$(1); [ -f $$f ] && \
	grep -qsF -- '$(2)' $$f && echo -D$(3))

tcptw-features := \
	$(call tcptw-have,linux/unaligned.h,,TCPTW_HAVE_LINUX_UNALIGNED_H) \
	$(call tcptw-have,trace/events/skb.h,struct sock *rx_sk,TCPTW_HAVE_KFREE_SKB_RX_SK)
