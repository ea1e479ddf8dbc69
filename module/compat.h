/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ. Force-included by Kbuild into
 * every file; decisions come from feature tests on the target's headers
 * (Debian backports make version numbers lie), never LINUX_VERSION_CODE.
 */
#ifndef _TCPTW_COMPAT_H
#define _TCPTW_COMPAT_H

/*
 * The walk needs nothing bridged: Debian's 6.1 and 6.12 agree on all it uses
 * (net->ipv4.tcp_death_row.{hashinfo,tw_refcount,sysctl_max_tw_buckets},
 * inet_ehash_lockp(), lhash2 buckets with nulls lists, tw_substate and
 * tw_timer, snmp_fold_field(), inet_get_local_port_range()). Both are built
 * with W=1 by make check, which is what shows the first difference.
 */

/*
 * get_unaligned_be32(): <asm/unaligned.h> moved to <linux/unaligned.h> in
 * 6.12 (TCPTW_HAVE_LINUX_UNALIGNED_H: Kbuild found the new header).
 */
#ifdef TCPTW_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * The kfree_skb tracepoint gained the receiving socket (rx_sk) in 6.11
 * (TCPTW_HAVE_KFREE_SKB_RX_SK: Kbuild found it in trace/events/skb.h). A
 * probe is declared as
 *	static void probe(void *data, TCPTW_KFREE_SKB_PROBE_ARGS)
 * and reads the socket, or NULL where the kernel does not pass one, as
 * TCPTW_KFREE_SKB_RX_SK.
 *
 * What the PAWS hooks rely on, checked on both kernels: the established
 * path drops with SKB_DROP_REASON_TCP_RFC7323_PAWS; TIME-WAIT and
 * tcp_check_req() give no drop reason (they do from 6.16 and 6.14: a kernel
 * that has TCP_RFC7323_TW_PAWS needs the tw and syn_recv probes dropped in
 * favour of the tracepoint); SYN_SENT gives the reason on 6.12 only, which
 * the tracepoint skips by the socket's state. Without rx_sk (6.1) the
 * tracepoint finds the namespace through skb->dev or the input route, both
 * gone when the segment waited in the socket's backlog (tcp_v4_rcv() clears
 * the one, tcp_add_backlog() drops the other): there kretprobes on
 * tcp_v{4,6}_do_rcv, armed only in task context, count instead. Their entry
 * handler runs for every segment on those kernels, a cost 6.12 does not pay.
 */
#ifdef TCPTW_HAVE_KFREE_SKB_RX_SK
#define TCPTW_KFREE_SKB_PROBE_ARGS					\
	struct sk_buff *skb, void *location,				\
	enum skb_drop_reason reason, struct sock *rx_sk
#define TCPTW_KFREE_SKB_RX_SK	rx_sk
#else
#define TCPTW_KFREE_SKB_PROBE_ARGS					\
	struct sk_buff *skb, void *location, enum skb_drop_reason reason
#define TCPTW_KFREE_SKB_RX_SK	NULL
#endif

#endif /* _TCPTW_COMPAT_H */
