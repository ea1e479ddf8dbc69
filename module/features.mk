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

# $(call tcptw-exported,SYMBOL,DEFINE): -DDEFINE when the target kernel
# exports SYMBOL to modules (its Module.symvers lists it).
tcptw-exported = $(shell grep -qsw -- '$(1)' $(objtree)/Module.symvers && \
	echo -D$(2))

tcptw-features := \
	$(call tcptw-exported,int_active_memcg,TCPTW_HAVE_INT_ACTIVE_MEMCG) \
	$(call tcptw-have,kunit/visibility.h,,TCPTW_HAVE_KUNIT_VISIBILITY_H) \
	$(call tcptw-have,linux/module.h,MODULE_INFO(import_ns$(comma) ns),TCPTW_HAVE_MODULE_NS_STRING) \
	$(call tcptw-have,linux/unaligned.h,,TCPTW_HAVE_LINUX_UNALIGNED_H) \
	$(call tcptw-have,linux/workqueue.h,struct workqueue_struct *system_dfl_wq;,TCPTW_HAVE_SYSTEM_DFL_WQ) \
	$(call tcptw-have,net/netns/ipv4.h,tw_refcount,TCPTW_HAVE_TW_REFCOUNT) \
	$(call tcptw-have,net/inet_hashtables.h,listening_hash[INET_LHTABLE_SIZE],TCPTW_HAVE_LISTENING_HASH) \
	$(call tcptw-have,trace/events/skb.h,enum skb_drop_reason reason,TCPTW_HAVE_DROP_REASONS) \
	$(call tcptw-have,trace/events/skb.h,struct sock *rx_sk,TCPTW_HAVE_KFREE_SKB_RX_SK) \
	$(call tcptw-have,trace/events/skb.h,const struct sock *rx_sk,TCPTW_HAVE_KFREE_SKB_CONST_RX_SK) \
	$(call tcptw-have,net/dropreason-core.h,LINUX_MIB_PAWSACTIVEREJECTED,TCPTW_HAVE_SYN_SENT_PAWS_REASON) \
	$(call tcptw-have,net/dropreason-core.h,TCP_RFC7323_TW_PAWS,TCPTW_HAVE_TW_PAWS_REASON) \
	$(call tcptw-have,net/dropreason-core.h,TCP_RFC7323_PAWS_ACK,TCPTW_HAVE_PAWS_ACK_REASON) \
	$(call tcptw-have,net/tcp.h,bool *lost_race$(comma) enum skb_drop_reason *drop_reason,TCPTW_HAVE_CHECK_REQ_REASON) \
	$(call tcptw-have,net/inet_connection_sock.h,reqsk_timeout(struct request_sock *req$(comma) unsigned long max_timeout),TCPTW_HAVE_REQSK_TIMEOUT) \
	$(call tcptw-have,net/tcp.h,tcp_reqsk_timeout(struct request_sock *req),TCPTW_HAVE_TCP_REQSK_TIMEOUT) \
	$(call tcptw-have,uapi/linux/snmp.h,LINUX_MIB_PAWS_TW_REJECTED,TCPTW_HAVE_MIB_PAWS_TW) \
	$(call tcptw-have,uapi/linux/snmp.h,LINUX_MIB_PAWS_OLD_ACK,TCPTW_HAVE_MIB_PAWS_OLD_ACK)

# No <kunit/visibility.h> (5.10): nothing to export to (compat.h).
ifeq ($(wildcard $(srctree)/include/kunit/visibility.h),)
tcptw-features += -D'EXPORT_SYMBOL_IF_KUNIT(symbol)=' -DVISIBLE_IF_KUNIT=static
endif
