/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ. Force-included by Kbuild into
 * every file; decisions come from feature tests on the target's headers
 * (Debian backports make version numbers lie), never LINUX_VERSION_CODE.
 */
#ifndef _TCPTW_COMPAT_H
#define _TCPTW_COMPAT_H

/*
 * EXPORT_SYMBOL_IF_KUNIT(): <kunit/visibility.h> from 6.2 and Debian's 6.1
 * (TCPTW_HAVE_KUNIT_VISIBILITY_H); 5.10 has none, and no KUnit for us to
 * export to, so the symbols stay module-local there: features.mk defines
 * the macro empty and VISIBLE_IF_KUNIT as static.
 */
#ifdef TCPTW_HAVE_KUNIT_VISIBILITY_H
#include <kunit/visibility.h>
#endif

/*
 * The KUnit module imports the namespace EXPORT_SYMBOL_IF_KUNIT() exports
 * to: named by an identifier before 6.13, by a string literal since
 * (TCPTW_HAVE_MODULE_NS_STRING: 7.x).
 */
#ifdef TCPTW_HAVE_MODULE_NS_STRING
#define TCPTW_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define TCPTW_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/*
 * TIME-WAIT sockets of a namespace, as /proc/net/sockstat shows them: a
 * refcount biased by one from 6.0 (TCPTW_HAVE_TW_REFCOUNT: 6.1, 6.12, 7.x),
 * a plain atomic before (5.10).
 */
#ifdef TCPTW_HAVE_TW_REFCOUNT
#define tcptw_tw_count(dr)	(refcount_read(&(dr)->tw_refcount) - 1)
#else
#define tcptw_tw_count(dr)	atomic_read(&(dr)->tw_count)
#endif

/*
 * Listening sockets, for the walk's tw_in/tw_out rule: chained through
 * sk_nulls_node in the per-port listening_hash[] up to 5.18
 * (TCPTW_HAVE_LISTENING_HASH: 5.10; its lhash2 chains through
 * icsk_listen_portaddr_node instead), in lhash2 since (6.1 and later).
 */
#ifdef TCPTW_HAVE_LISTENING_HASH
#define tcptw_listen_buckets(h)		((h)->listening_hash)
#define tcptw_listen_nr_buckets(h)	INET_LHTABLE_SIZE
#else
#define tcptw_listen_buckets(h)		((h)->lhash2)
#define tcptw_listen_nr_buckets(h)	((h)->lhash2_mask + 1)
#endif

/*
 * snmp_fold_field() is not exported on 7.x: report.c sums TcpExt counters
 * over CPUs itself on every kernel (tcptw_linux_mib()), so there is no
 * difference to bridge.
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
 * The system workqueue for work bound to no CPU: system_dfl_wq where the
 * kernel has it (TCPTW_HAVE_SYSTEM_DFL_WQ: 6.12 as Debian ships it, 7.x,
 * whose workqueue code warns about work queued on system_wq or
 * system_unbound_wq), system_unbound_wq, its older name, before.
 */
#ifdef TCPTW_HAVE_SYSTEM_DFL_WQ
#define tcptw_unbound_wq	system_dfl_wq
#else
#define tcptw_unbound_wq	system_unbound_wq
#endif

/*
 * The kfree_skb tracepoint: no drop reason on 5.10 (TCPTW_HAVE_DROP_REASONS
 * unset: the tracepoint is not used there), a reason from 5.17 (6.1), the
 * receiving socket (rx_sk) from 6.11 (TCPTW_HAVE_KFREE_SKB_RX_SK: 6.12),
 * const from 6.16 (TCPTW_HAVE_KFREE_SKB_CONST_RX_SK: 7.x). A probe is
 * declared as
 *	static void probe(void *data, TCPTW_KFREE_SKB_PROBE_ARGS)
 * and reads the reason as an int, TCPTW_KFREE_SKB_REASON, and the socket, or
 * NULL where the kernel does not pass one, as TCPTW_KFREE_SKB_RX_SK.
 */
#if defined(TCPTW_HAVE_KFREE_SKB_CONST_RX_SK)
#define TCPTW_KFREE_SKB_PROBE_ARGS					\
	struct sk_buff *skb, void *location,				\
	enum skb_drop_reason reason, const struct sock *rx_sk
#define TCPTW_KFREE_SKB_RX_SK	rx_sk
#elif defined(TCPTW_HAVE_KFREE_SKB_RX_SK)
#define TCPTW_KFREE_SKB_PROBE_ARGS					\
	struct sk_buff *skb, void *location,				\
	enum skb_drop_reason reason, struct sock *rx_sk
#define TCPTW_KFREE_SKB_RX_SK	((const struct sock *)rx_sk)
#elif defined(TCPTW_HAVE_DROP_REASONS)
#define TCPTW_KFREE_SKB_PROBE_ARGS					\
	struct sk_buff *skb, void *location, enum skb_drop_reason reason
#define TCPTW_KFREE_SKB_RX_SK	((const struct sock *)NULL)
#else
#define TCPTW_KFREE_SKB_PROBE_ARGS	struct sk_buff *skb, void *location
#define TCPTW_KFREE_SKB_RX_SK	((const struct sock *)NULL)
#endif
#ifdef TCPTW_HAVE_DROP_REASONS
#define TCPTW_KFREE_SKB_REASON	((int)reason)
#else
#define TCPTW_KFREE_SKB_REASON	(-2)
#endif

/*
 * The PAWS drop reasons, -1 where the kernel has none: TCP_RFC7323_PAWS from
 * 5.17 (6.1, 6.12, 7.x), TCP_RFC7323_TW_PAWS from 6.16 and TCP_RFC7323_PAWS_ACK
 * from 6.17 (7.x). Which PAWS path each kernel drops with which reason, and
 * so how paws_hooks.c counts it (tp: the tracepoint, kprobe: a kprobe on the
 * function's entry asking the function's own PAWS test, oow: a kprobe on
 * tcp_oow_rate_limited(), off the fast path, with the namespace as argument):
 *
 *   path      5.10     6.1                 6.12     7.x
 *   estab     oow      tp, oow (backlog)   tp       tp
 *   syn_sent  kprobe   kprobe              tp       tp
 *   syn_recv  kprobe   kprobe              kprobe   tp
 *   tw        kprobe   kprobe              kprobe   tp
 *   old_ack   -        -                   -        tp
 *
 * 6.1's tracepoint has no socket: a segment refused from a socket's backlog
 * has neither skb->dev (tcp_v4_rcv() clears it) nor a route (tcp_add_backlog()
 * drops it), so its namespace is unknowable there and the oow kprobe counts
 * those. 6.1 also drops a SYN without ACK refused in SYN_SENT with the PAWS
 * reason but in no MIB; the syn_sent kprobe marks that segment so the
 * tracepoint leaves it out.
 */
#ifdef TCPTW_HAVE_DROP_REASONS
#define TCPTW_DROP_PAWS		SKB_DROP_REASON_TCP_RFC7323_PAWS
#else
#define TCPTW_DROP_PAWS		(-1)
#endif
#ifdef TCPTW_HAVE_TW_PAWS_REASON
#define TCPTW_DROP_TW_PAWS	SKB_DROP_REASON_TCP_RFC7323_TW_PAWS
#else
#define TCPTW_DROP_TW_PAWS	(-1)
#endif
#ifdef TCPTW_HAVE_PAWS_ACK_REASON
#define TCPTW_DROP_PAWS_ACK	SKB_DROP_REASON_TCP_RFC7323_PAWS_ACK
#else
#define TCPTW_DROP_PAWS_ACK	(-1)
#endif

/*
 * Which paths the tracepoint decides by the receiving socket: syn_sent where
 * the SYN-ACK the kernel counts in PAWSActive drops with the PAWS reason
 * (TCPTW_HAVE_SYN_SENT_PAWS_REASON: its dropreason header names
 * LINUX_MIB_PAWSACTIVEREJECTED, 6.12 and 7.x); syn_recv where tcp_check_req()
 * returns a drop reason (TCPTW_HAVE_CHECK_REQ_REASON: 6.15, 7.x). Both need
 * rx_sk to tell the socket's state.
 */
#if defined(TCPTW_HAVE_KFREE_SKB_RX_SK) && defined(TCPTW_HAVE_SYN_SENT_PAWS_REASON)
#define TCPTW_PAWS_SYN_SENT_BY_REASON	1
#else
#define TCPTW_PAWS_SYN_SENT_BY_REASON	0
#endif
#if defined(TCPTW_HAVE_KFREE_SKB_RX_SK) && defined(TCPTW_HAVE_CHECK_REQ_REASON)
#define TCPTW_PAWS_SYN_RECV_BY_REASON	1
#else
#define TCPTW_PAWS_SYN_RECV_BY_REASON	0
#endif
#ifdef TCPTW_HAVE_KFREE_SKB_RX_SK
#define TCPTW_PAWS_ESTAB_BY_SOCKET	1
#else
#define TCPTW_PAWS_ESTAB_BY_SOCKET	0
#endif

/*
 * tcp_check_req()'s PAWS test estimates when a request socket last took a
 * timestamp from its retransmission timeout, in seconds: reqsk_timeout()
 * from 5.17 (6.1, 6.12), tcp_reqsk_timeout() from 6.16 (7.x, whose kprobe is
 * not armed: it has the drop reason), the initial timeout shifted before
 * (5.10). The paws_hooks.c kprobe asks the same.
 */
#if defined(TCPTW_HAVE_REQSK_TIMEOUT)
#define tcptw_req_timeout_s(req)	(reqsk_timeout(req, TCP_RTO_MAX) / HZ)
#elif defined(TCPTW_HAVE_TCP_REQSK_TIMEOUT)
#define tcptw_req_timeout_s(req)	(tcp_reqsk_timeout(req) / HZ)
#else
#define tcptw_req_timeout_s(req)	\
	((TCP_TIMEOUT_INIT / HZ) << (req)->num_timeout)
#endif

/*
 * tcp_check_req() hands a segment with an unacceptable ACK back to the
 * listener before its PAWS count; from 5.17 (6.1 on) not when it is a RST.
 * No header shows that test: the drop reasons, which came in the same
 * release, stand in for it. It matters only for a RST|ACK with a wrong ACK
 * and an old timestamp.
 */
#ifdef TCPTW_HAVE_DROP_REASONS
#define TCPTW_CHECK_REQ_ACK_SKIPS_RST	1
#else
#define TCPTW_CHECK_REQ_ACK_SKIPS_RST	0
#endif

/*
 * The TcpExt counters PAWSTimewait (6.16) and PAWSOldAck (6.17), -1 where
 * the kernel has none (5.10, 6.1, 6.12): the report writes "-" for them.
 */
#ifdef TCPTW_HAVE_MIB_PAWS_TW
#define TCPTW_MIB_PAWS_TW	LINUX_MIB_PAWS_TW_REJECTED
#else
#define TCPTW_MIB_PAWS_TW	(-1)
#endif
#ifdef TCPTW_HAVE_MIB_PAWS_OLD_ACK
#define TCPTW_MIB_PAWS_OLD_ACK	LINUX_MIB_PAWS_OLD_ACK
#else
#define TCPTW_MIB_PAWS_OLD_ACK	(-1)
#endif

/*
 * set_active_memcg() from a task: its interrupt branch needs
 * int_active_memcg, exported from 5.15 (TCPTW_HAVE_INT_ACTIVE_MEMCG: 6.1
 * and later), not on 5.10. The one caller, paws.c's refill work item, runs
 * in a task, where the function sets current->active_memcg, as this does.
 */
#if defined(CONFIG_MEMCG) && !defined(TCPTW_HAVE_INT_ACTIVE_MEMCG)
#include <linux/sched.h>
static inline struct mem_cgroup *tcptw_set_active_memcg(struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = current->active_memcg;

	current->active_memcg = memcg;
	return old;
}
#else
#define tcptw_set_active_memcg(memcg)	set_active_memcg(memcg)
#endif

#endif /* _TCPTW_COMPAT_H */
