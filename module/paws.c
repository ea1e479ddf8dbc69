// SPDX-License-Identifier: GPL-2.0
/*
 * PAWS rejects per peer. The kernel only counts them globally (TcpExt
 * PAWSEstab, PAWSActive); this attributes each one to the remote address and
 * our local port, per network namespace, on every path that rejects:
 *
 *   estab     tcp_validate_incoming() drops the segment with the reason
 *             TCP_RFC7323_PAWS: the kfree_skb tracepoint sees it (on
 *             kernels before 6.11, a segment from the backlog is counted by
 *             kretprobes on tcp_v{4,6}_do_rcv instead: see compat.h);
 *   syn_sent  tcp_rcv_synsent_state_process() refuses the SYN-ACK (no drop
 *             reason on 6.1), inside tcp_rcv_state_process();
 *   syn_recv  tcp_check_req() refuses a segment for a request socket;
 *   tw        tcp_timewait_state_process() refuses a segment for a
 *             TIME-WAIT minisocket (no drop reason before 6.16).
 *
 * The last three are kretprobes that note the namespace's PAWS counter on
 * entry and count a reject when the function moved it. In softirq context
 * (where these run for packets from the wire) the CPU's own counter is
 * compared, exact and cheap; in task context (a socket's backlog processed
 * by release_sock()) the task may migrate, so the sum over CPUs is compared.
 * The syn_sent probe arms its return handler only for sockets in SYN_SENT.
 *
 * Counters live in per-namespace state (net_generic), bounded by paws_max
 * rows with an "other" row beyond, kept until the namespace goes away or a
 * privileged user writes "reset paws" to /proc/tcptw. Hooks take the
 * namespace's spinlock with interrupts off: they run in softirq, task and
 * kprobe context alike.
 */

#include <kunit/visibility.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <net/inet_timewait_sock.h>
#include <net/ip.h>
#include <net/dst.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/request_sock.h>
#include <net/snmp.h>
#include <net/tcp.h>
#include <trace/events/skb.h>

#include "tcptw.h"

#define TCPTW_PAWS_HASH_BITS	8

struct tcptw_paws_entry {
	struct hlist_node node;
	struct tcptw_paws_row row;
};

/* One namespace's PAWS state. */
struct tcptw_paws_net {
	spinlock_t lock;	/* every field below; taken with irqs off */
	bool dead;
	u32 hash_seed;
	u32 nr;
	struct hlist_head hash[1 << TCPTW_PAWS_HASH_BITS];
	struct tcptw_paws_row other;
	u64 other_rejects;
	u64 totals[TCPTW_PAWS_NR_PATHS];
	u64 since;
	u32 log_next;
	u32 log_count;
	struct tcptw_paws_log_entry log[TCPTW_PAWS_LOG_LEN];
};

static unsigned int tcptw_paws_net_id __read_mostly;

static const char * const tcptw_paws_path_names[TCPTW_PAWS_NR_PATHS] = {
	[TCPTW_PAWS_ESTAB]	= "estab",
	[TCPTW_PAWS_SYN_SENT]	= "syn_sent",
	[TCPTW_PAWS_SYN_RECV]	= "syn_recv",
	[TCPTW_PAWS_TW]		= "tw",
};

const char *tcptw_paws_path_name(unsigned int path)
{
	return path < TCPTW_PAWS_NR_PATHS ? tcptw_paws_path_names[path] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_path_name);

/**
 * tcptw_tcp_timestamps() - find the timestamp option of a TCP header
 * @th: the header, @len bytes of it readable
 * @len: th->doff * 4, checked by the caller against the packet
 * @tsval: set to TSval when found
 * @tsecr: set to TSecr when found
 *
 * Return: whether a well-formed timestamp option was found.
 */
bool tcptw_tcp_timestamps(const struct tcphdr *th, unsigned int len,
			  u32 *tsval, u32 *tsecr)
{
	const u8 *p = (const u8 *)(th + 1);
	const u8 *end = (const u8 *)th + len;

	while (p < end) {
		u8 kind = p[0], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			continue;
		}
		if (end - p < 2)
			break;
		olen = p[1];
		if (olen < 2 || olen > end - p)
			break;
		if (kind == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP) {
			*tsval = get_unaligned_be32(p + 2);
			*tsecr = get_unaligned_be32(p + 6);
			return true;
		}
		p += olen;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tcp_timestamps);

u64 tcptw_paws_row_rejects(const struct tcptw_paws_row *row)
{
	u64 sum = 0;
	int path;

	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		sum += row->paths[path];
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_rejects);

/* The rule documented with the nat column of the PAWS table. */
bool tcptw_paws_row_nat(const struct tcptw_paws_row *row)
{
	return row->nr_sports >= 2 || row->tw_syn;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_nat);

/* Count @ev in @row; the caller sets row->last. */
void tcptw_paws_row_count(struct tcptw_paws_row *row,
			  const struct tcptw_paws_event *ev)
{
	u16 i;

	if (ev->path >= TCPTW_PAWS_NR_PATHS)
		return;
	row->paths[ev->path]++;
	if (ev->path == TCPTW_PAWS_TW && ev->syn)
		row->tw_syn++;
	for (i = 0; i < row->nr_sports; i++)
		if (row->sports[i] == ev->sport)
			return;
	if (row->nr_sports < TCPTW_PAWS_SPORTS_MAX)
		row->sports[row->nr_sports++] = ev->sport;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_count);

static struct tcptw_paws_net *tcptw_paws_net(const struct net *net)
{
	return net_generic(net, tcptw_paws_net_id);
}

static struct hlist_head *tcptw_paws_bucket(struct tcptw_paws_net *pn,
					    const struct tcptw_addr *peer,
					    u16 lport)
{
	u32 h = __ipv6_addr_jhash(&peer->in6,
				  pn->hash_seed ^ lport ^ (peer->family << 16));

	return &pn->hash[hash_32(h, TCPTW_PAWS_HASH_BITS)];
}

static void tcptw_paws_log_add(struct tcptw_paws_net *pn,
			       const struct tcptw_paws_event *ev, u64 now)
{
	struct tcptw_paws_log_entry *e = &pn->log[pn->log_next];

	e->when = now;
	e->ev = *ev;
	pn->log_next = (pn->log_next + 1) % TCPTW_PAWS_LOG_LEN;
	if (pn->log_count < TCPTW_PAWS_LOG_LEN)
		pn->log_count++;
}

/* Count one reject in @net. Any context; allocates atomically, bounded. */
static void tcptw_paws_record(struct net *net,
			      const struct tcptw_paws_event *ev)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	struct tcptw_paws_row *row = NULL;
	struct tcptw_paws_entry *e;
	struct hlist_head *head;
	u64 now = get_jiffies_64();
	unsigned long flags;

	spin_lock_irqsave(&pn->lock, flags);
	if (pn->dead)
		goto out;
	head = tcptw_paws_bucket(pn, &ev->peer, ev->lport);
	hlist_for_each_entry(e, head, node) {
		if (e->row.lport == ev->lport &&
		    tcptw_addr_equal(&e->row.peer, &ev->peer)) {
			row = &e->row;
			break;
		}
	}
	if (!row && pn->nr < READ_ONCE(tcptw_paws_max)) {
		e = kzalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
		if (e) {
			e->row.peer = ev->peer;
			e->row.lport = ev->lport;
			hlist_add_head(&e->node, head);
			pn->nr++;
			row = &e->row;
		}
	}
	if (!row) {
		row = &pn->other;
		pn->other_rejects++;
	}
	tcptw_paws_row_count(row, ev);
	row->last = now;
	pn->totals[ev->path]++;
	tcptw_paws_log_add(pn, ev, now);
out:
	spin_unlock_irqrestore(&pn->lock, flags);
}

/* Peer, ports, SYN flag and timestamps of the segment @skb carries. */
static bool tcptw_paws_event_from_skb(const struct sk_buff *skb, u8 path,
				      struct tcptw_paws_event *ev)
{
	const struct tcphdr *th;
	unsigned int thlen;

	memset(ev, 0, sizeof(*ev));
	ev->path = path;
	if (!skb_transport_header_was_set(skb) ||
	    skb_network_header(skb) >= skb_transport_header(skb))
		return false;
	th = tcp_hdr(skb);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) ||
	    skb_transport_header(skb) + thlen > skb_tail_pointer(skb))
		return false;

	switch (ip_hdr(skb)->version) {
	case 4:
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &ev->peer.in6);
		ev->peer.family = AF_INET;
		break;
	case 6:
		tcptw_addr_from_v6(&ev->peer, &ipv6_hdr(skb)->saddr);
		break;
	default:
		return false;
	}
	ev->sport = ntohs(th->source);
	ev->lport = ntohs(th->dest);
	ev->syn = th->syn;
	tcptw_tcp_timestamps(th, thlen, &ev->tsval, &ev->tsecr);
	return true;
}

/* --- estab: the kfree_skb tracepoint ------------------------------------ */

static void tcptw_paws_dropped(struct sk_buff *skb, struct sock *rx_sk)
{
	struct tcptw_paws_event ev;
	struct net *net;

	/* On kernels that give SYN_SENT a drop reason, the kretprobe counts. */
	if (rx_sk && READ_ONCE(rx_sk->sk_state) == TCP_SYN_SENT)
		return;
#ifndef TCPTW_HAVE_KFREE_SKB_RX_SK
	/* A backlog being processed: the tcp_v{4,6}_do_rcv probes count. */
	if (in_task() && !in_softirq())
		return;
#endif
	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_ESTAB, &ev))
		return;
	if (rx_sk) {
		net = sock_net(rx_sk);
		if (sk_fullsock(rx_sk)) {
			ev.ts_recent = READ_ONCE(tcp_sk(rx_sk)->rx_opt.ts_recent);
			ev.has_ts_recent = true;
		}
	} else if (skb->dev) {
		net = dev_net(skb->dev);
	} else if (skb_dst(skb) && skb_dst(skb)->dev) {
		/*
		 * tcp_v4_rcv() clears skb->dev before the socket sees the
		 * segment; the input route stays (refcounted when the segment
		 * waited in the backlog). tcp_v4_send_reset() finds the
		 * namespace the same way.
		 */
		net = dev_net(skb_dst(skb)->dev);
	} else {
		return;
	}
	tcptw_paws_record(net, &ev);
}

static void tcptw_paws_kfree_skb(void *data, TCPTW_KFREE_SKB_PROBE_ARGS)
{
	if (likely(reason != SKB_DROP_REASON_TCP_RFC7323_PAWS))
		return;
	tcptw_paws_dropped(skb, TCPTW_KFREE_SKB_RX_SK);
}

/* --- syn_sent, syn_recv, tw: kretprobes around the MIB counter ---------- */

struct tcptw_mib_mark {
	unsigned long val;
	bool folded;
};

struct tcptw_paws_probe_data {
	struct net *net;
	struct tcptw_mib_mark mark;
	struct tcptw_paws_event ev;
};

static int tcptw_paws_field(const struct tcptw_paws_event *ev)
{
	return ev->path == TCPTW_PAWS_SYN_SENT ? LINUX_MIB_PAWSACTIVEREJECTED :
						 LINUX_MIB_PAWSESTABREJECTED;
}

static unsigned long tcptw_mib_read(struct net *net, int field, bool folded)
{
	if (folded)
		return snmp_fold_field(net->mib.net_statistics, field);
	return this_cpu_read(net->mib.net_statistics->mibs[field]);
}

static void tcptw_paws_probe_arm(struct tcptw_paws_probe_data *d,
				 struct net *net)
{
	d->net = net;
	/* Softirq cannot migrate; a task processing its backlog can. */
	d->mark.folded = in_task();
	d->mark.val = tcptw_mib_read(net, tcptw_paws_field(&d->ev),
				     d->mark.folded);
}

static int tcptw_paws_probe_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;

	if (tcptw_mib_read(d->net, tcptw_paws_field(&d->ev), d->mark.folded) !=
	    d->mark.val)
		tcptw_paws_record(d->net, &d->ev);
	return 0;
}

static int tcptw_paws_tw_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);

	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_TW, &d->ev))
		return 1;
	d->ev.has_ts_recent = READ_ONCE(tcptw->tw_ts_recent_stamp) != 0;
	if (d->ev.has_ts_recent)
		d->ev.ts_recent = READ_ONCE(tcptw->tw_ts_recent);
	tcptw_paws_probe_arm(d, twsk_net(inet_twsk(sk)));
	return 0;
}

static int tcptw_paws_req_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 2);

	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_SYN_RECV, &d->ev))
		return 1;
	d->ev.has_ts_recent = inet_rsk(req)->tstamp_ok;
	if (d->ev.has_ts_recent)
		d->ev.ts_recent = READ_ONCE(req->ts_recent);
	tcptw_paws_probe_arm(d, sock_net(sk));
	return 0;
}

static int tcptw_paws_synsent_entry(struct kretprobe_instance *ri,
				    struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);

	/* Every state but ESTABLISHED comes here: stay cheap for them. */
	if (READ_ONCE(sk->sk_state) != TCP_SYN_SENT)
		return 1;
	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_SYN_SENT, &d->ev))
		return 1;
	tcptw_paws_probe_arm(d, sock_net(sk));
	return 0;
}

#ifndef TCPTW_HAVE_KFREE_SKB_RX_SK
/*
 * estab from a socket's backlog, on kernels whose kfree_skb tracepoint does
 * not pass the socket: by then skb->dev is cleared and the input route
 * dropped (tcp_add_backlog()), so the tracepoint cannot tell the namespace.
 * release_sock() feeds the backlog to sk_backlog_rcv (tcp_v{4,6}_do_rcv) in
 * task context with softirqs enabled; the receive path never does.
 */
static int tcptw_paws_backlog_entry(struct kretprobe_instance *ri,
				    struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	int state;

	if (!in_task() || in_softirq())
		return 1;
	/*
	 * LISTEN refuses nothing by PAWS; SYN_SENT and SYN_RECV (Fast Open:
	 * tcp_check_req()) have probes of their own.
	 */
	state = READ_ONCE(sk->sk_state);
	if (state == TCP_LISTEN || state == TCP_SYN_SENT ||
	    state == TCP_SYN_RECV)
		return 1;
	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_ESTAB, &d->ev))
		return 1;
	d->ev.has_ts_recent = true;
	d->ev.ts_recent = READ_ONCE(tcp_sk(sk)->rx_opt.ts_recent);
	tcptw_paws_probe_arm(d, sock_net(sk));
	return 0;
}
#endif

#define TCPTW_PAWS_PROBE(fn, entry) {				\
	.kp.symbol_name	= fn,					\
	.entry_handler	= entry,				\
	.handler	= tcptw_paws_probe_ret,			\
	.data_size	= sizeof(struct tcptw_paws_probe_data),	\
}

static struct kretprobe tcptw_paws_probes[] = {
	TCPTW_PAWS_PROBE("tcp_timewait_state_process", tcptw_paws_tw_entry),
	TCPTW_PAWS_PROBE("tcp_check_req", tcptw_paws_req_entry),
	TCPTW_PAWS_PROBE("tcp_rcv_state_process", tcptw_paws_synsent_entry),
#ifndef TCPTW_HAVE_KFREE_SKB_RX_SK
	TCPTW_PAWS_PROBE("tcp_v4_do_rcv", tcptw_paws_backlog_entry),
	TCPTW_PAWS_PROBE("tcp_v6_do_rcv", tcptw_paws_backlog_entry),
#endif
};

/* --- per-namespace state ----------------------------------------------- */

static int __net_init tcptw_paws_net_init(struct net *net)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);

	spin_lock_init(&pn->lock);
	pn->hash_seed = get_random_u32();
	pn->since = get_jiffies_64();
	return 0;
}

/* Unhash every row into @list; the caller frees them after unlocking. */
static void tcptw_paws_unhash(struct tcptw_paws_net *pn,
			      struct hlist_head *list)
{
	struct tcptw_paws_entry *e;
	struct hlist_node *tmp;
	int b;

	for (b = 0; b < ARRAY_SIZE(pn->hash); b++) {
		hlist_for_each_entry_safe(e, tmp, &pn->hash[b], node) {
			hlist_del(&e->node);
			hlist_add_head(&e->node, list);
		}
	}
	pn->nr = 0;
}

static void tcptw_paws_free_list(struct hlist_head *list)
{
	struct tcptw_paws_entry *e;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(e, tmp, list, node)
		kfree(e);
}

static void __net_exit tcptw_paws_net_exit(struct net *net)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	HLIST_HEAD(list);

	spin_lock_irq(&pn->lock);
	pn->dead = true;
	tcptw_paws_unhash(pn, &list);
	spin_unlock_irq(&pn->lock);
	tcptw_paws_free_list(&list);
}

static struct pernet_operations tcptw_paws_net_ops = {
	.init	= tcptw_paws_net_init,
	.exit	= tcptw_paws_net_exit,
	.id	= &tcptw_paws_net_id,
	.size	= sizeof(struct tcptw_paws_net),
};

/**
 * tcptw_paws_reset() - forget @net's PAWS rows, counters and log
 * @net: the namespace; the caller checked the writer may do this
 */
void tcptw_paws_reset(struct net *net)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	HLIST_HEAD(list);

	spin_lock_irq(&pn->lock);
	tcptw_paws_unhash(pn, &list);
	memset(&pn->other, 0, sizeof(pn->other));
	pn->other_rejects = 0;
	memset(pn->totals, 0, sizeof(pn->totals));
	pn->log_next = 0;
	pn->log_count = 0;
	pn->since = get_jiffies_64();
	spin_unlock_irq(&pn->lock);
	tcptw_paws_free_list(&list);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_reset);

static int tcptw_paws_row_cmp(const void *a, const void *b)
{
	const struct tcptw_paws_row *ra = a, *rb = b;
	u64 na = tcptw_paws_row_rejects(ra), nb = tcptw_paws_row_rejects(rb);
	int r;

	if (na != nb)
		return na > nb ? -1 : 1;
	r = tcptw_addr_cmp(&ra->peer, &rb->peer);
	if (r)
		return r;
	return ra->lport < rb->lport ? -1 : ra->lport > rb->lport;
}

/**
 * tcptw_paws_snapshot() - copy @net's PAWS table out, sorted for output
 * @net: the namespace, pinned by the caller
 * @snap: filled in; release with tcptw_paws_snap_free(), also on error
 *
 * Sleeps. Return: 0 or -ENOMEM.
 */
int tcptw_paws_snapshot(struct net *net, struct tcptw_paws_snap *snap)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	struct tcptw_paws_entry *e;
	u32 alloc, b;

	memset(snap, 0, sizeof(*snap));
	for (;;) {
		spin_lock_irq(&pn->lock);
		alloc = pn->nr;
		spin_unlock_irq(&pn->lock);
		if (alloc) {
			snap->rows = kvmalloc_array(alloc, sizeof(*snap->rows),
						    GFP_KERNEL_ACCOUNT);
			if (!snap->rows)
				return -ENOMEM;
		}
		spin_lock_irq(&pn->lock);
		if (pn->nr <= alloc)
			break;
		/* Rows were added meanwhile: size again. */
		spin_unlock_irq(&pn->lock);
		kvfree(snap->rows);
		snap->rows = NULL;
	}
	for (b = 0; b < ARRAY_SIZE(pn->hash); b++)
		hlist_for_each_entry(e, &pn->hash[b], node)
			snap->rows[snap->nr++] = e->row;
	snap->other = pn->other;
	snap->other_rejects = pn->other_rejects;
	memcpy(snap->totals, pn->totals, sizeof(snap->totals));
	snap->since = pn->since;
	spin_unlock_irq(&pn->lock);

	sort(snap->rows, snap->nr, sizeof(*snap->rows), tcptw_paws_row_cmp,
	     NULL);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_snapshot);

void tcptw_paws_snap_free(struct tcptw_paws_snap *snap)
{
	kvfree(snap->rows);
	snap->rows = NULL;
	snap->nr = 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_snap_free);

/**
 * tcptw_paws_log_copy() - @net's last PAWS rejects, oldest first
 * @net: the namespace, pinned by the caller
 * @out: room for TCPTW_PAWS_LOG_LEN entries
 *
 * Return: how many entries were copied.
 */
u32 tcptw_paws_log_copy(struct net *net, struct tcptw_paws_log_entry *out)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	u32 i, n, first;

	spin_lock_irq(&pn->lock);
	n = pn->log_count;
	first = (pn->log_next + TCPTW_PAWS_LOG_LEN - n) % TCPTW_PAWS_LOG_LEN;
	for (i = 0; i < n; i++)
		out[i] = pn->log[(first + i) % TCPTW_PAWS_LOG_LEN];
	spin_unlock_irq(&pn->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_log_copy);

/* --- module init and exit ---------------------------------------------- */

/* The first @n probes, in one call: one RCU grace period, not @n. */
static void tcptw_paws_unregister_probes(int n)
{
	struct kretprobe *rps[ARRAY_SIZE(tcptw_paws_probes)];
	int i;

	for (i = 0; i < n; i++)
		rps[i] = &tcptw_paws_probes[i];
	if (n)
		unregister_kretprobes(rps, n);
	for (i = 0; i < n; i++) {
		if (rps[i]->nmissed)
			pr_warn("%s: %d PAWS checks missed (no free kretprobe instance)\n",
				rps[i]->kp.symbol_name, rps[i]->nmissed);
	}
}

int tcptw_paws_init(void)
{
	int err, i;

	err = register_pernet_subsys(&tcptw_paws_net_ops);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(tcptw_paws_probes); i++) {
		struct kretprobe *rp = &tcptw_paws_probes[i];

		/* Softirq on top of a task on each CPU, with room to spare. */
		rp->maxactive = 4 * num_possible_cpus();
		err = register_kretprobe(rp);
		if (err) {
			pr_err("cannot probe %s: %d\n", rp->kp.symbol_name,
			       err);
			goto err_probes;
		}
	}

	err = register_trace_kfree_skb(tcptw_paws_kfree_skb, NULL);
	if (err) {
		pr_err("cannot attach to the kfree_skb tracepoint: %d\n", err);
		goto err_probes;
	}
	return 0;

err_probes:
	tcptw_paws_unregister_probes(i);
	unregister_pernet_subsys(&tcptw_paws_net_ops);
	return err;
}

void tcptw_paws_exit(void)
{
	unregister_trace_kfree_skb(tcptw_paws_kfree_skb, NULL);
	tracepoint_synchronize_unregister();
	tcptw_paws_unregister_probes(ARRAY_SIZE(tcptw_paws_probes));
	unregister_pernet_subsys(&tcptw_paws_net_ops);
}
