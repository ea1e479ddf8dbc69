// SPDX-License-Identifier: GPL-2.0
/*
 * PAWS rejects, caught where the kernel makes them, for the table in paws.c.
 * Where the kernel drops the segment with a PAWS drop reason, the kfree_skb
 * tracepoint counts it; elsewhere a probe off the per-segment fast path does.
 * compat.h has the table of which kernel counts which path how.
 *
 * Attribution takes no guess from the context: the namespace comes from the
 * socket the kernel hands the tracepoint, from the namespace argument of
 * tcp_oow_rate_limited(), or, in the kretprobes, from the socket argument.
 * A kretprobe compares the kernel's own MIB counter on this CPU before and
 * after the function; it trusts the difference only when nothing else can
 * have moved that counter meanwhile: same CPU, the task never switched out,
 * and, with bottom halves enabled, no network softirq ran on that CPU.
 * Otherwise the reject still counts, in "other" and paws_dropped.
 */

#include <linux/kernel_stat.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <net/dst.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/snmp.h>
#include <net/tcp.h>
#include <trace/events/skb.h>

#include "tcptw.h"

/* --- the kfree_skb tracepoint ------------------------------------------- */

/*
 * On kernels whose tracepoint has no socket (6.1): the SYN_SENT segment the
 * syn_sent kretprobe is looking at on this CPU, whose PAWS drop (a SYN
 * without ACK) the kernel counts nowhere. Set and read with bottom halves
 * off, so nothing else on this CPU runs TCP receive in between.
 */
static DEFINE_PER_CPU(const struct sk_buff *, tcptw_synsent_skb);

/* The path a TCP_RFC7323_PAWS drop came from, by the socket's state. */
static int tcptw_paws_path_of(const struct sock *sk, bool ack)
{
	switch (READ_ONCE(sk->sk_state)) {
	case TCP_SYN_SENT:
		/* Without ACK: crossed SYNs, in no MIB. */
		if (!TCPTW_PAWS_SYN_SENT_BY_REASON || !ack)
			return -1;
		return TCPTW_PAWS_SYN_SENT;
	case TCP_LISTEN:
		/* tcp_check_req() refused it; the kernel drops on the listener. */
		return TCPTW_PAWS_SYN_RECV_BY_REASON ? TCPTW_PAWS_SYN_RECV : -1;
	default:
		return TCPTW_PAWS_ESTAB;
	}
}

/* The timestamp this segment was refused against, where the socket has it. */
static void tcptw_paws_ts_recent(const struct sock *sk,
				 struct tcptw_paws_event *ev)
{
	if (sk->sk_state == TCP_TIME_WAIT) {
		const struct tcp_timewait_sock *tw = tcp_twsk(sk);

		ev->has_ts_recent = READ_ONCE(tw->tw_ts_recent_stamp) != 0;
		if (ev->has_ts_recent)
			ev->ts_recent = READ_ONCE(tw->tw_ts_recent);
	} else if (sk_fullsock(sk) && sk->sk_state != TCP_LISTEN) {
		ev->has_ts_recent = true;
		ev->ts_recent = READ_ONCE(tcp_sk(sk)->rx_opt.ts_recent);
	}
}

static void tcptw_paws_dropped(struct sk_buff *skb, const struct sock *rx_sk,
			       int reason)
{
	struct tcptw_paws_event ev;
	struct net *net;
	int path;

	if (!tcptw_paws_event_from_skb(skb, 0, &ev))
		return;
	if (reason == TCPTW_DROP_TW_PAWS)
		path = TCPTW_PAWS_TW;
	else if (reason == TCPTW_DROP_PAWS_ACK)
		path = TCPTW_PAWS_OLD_ACK;
	else if (rx_sk)
		path = tcptw_paws_path_of(rx_sk, ev.ack);
	else if (this_cpu_read(tcptw_synsent_skb) == skb)
		path = -1;
	else
		path = TCPTW_PAWS_ESTAB;
	if (path < 0)
		return;
	ev.path = path;

	if (rx_sk) {
		net = sock_net(rx_sk);
		tcptw_paws_ts_recent(rx_sk, &ev);
	} else if (skb_dst(skb) && skb_dst(skb)->dev) {
		/*
		 * No socket (6.1): tcp_v4_rcv() cleared skb->dev, the input
		 * route names the namespace (tcp_v4_send_reset() finds it the
		 * same way). A segment from the backlog has no route: the oow
		 * kprobe counts it.
		 */
		net = dev_net(skb_dst(skb)->dev);
	} else {
		return;
	}
	tcptw_paws_record(net, &ev, true);
}

static void tcptw_paws_kfree_skb(void *data, TCPTW_KFREE_SKB_PROBE_ARGS)
{
	int r = TCPTW_KFREE_SKB_REASON;

	if (likely(r != TCPTW_DROP_PAWS && r != TCPTW_DROP_TW_PAWS &&
		   r != TCPTW_DROP_PAWS_ACK))
		return;
	tcptw_paws_dropped(skb, TCPTW_KFREE_SKB_RX_SK, r);
}

/* --- estab without a socket on the tracepoint: tcp_oow_rate_limited() --- */

/*
 * tcp_validate_incoming() calls tcp_oow_rate_limited() with
 * LINUX_MIB_TCPACKSKIPPEDPAWS once for every segment it counts in PAWSEstab,
 * and nowhere else is that MIB passed: exact, with the namespace as the
 * first argument. Reached only by segments out of window.
 */
static int tcptw_paws_oow_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct net *net = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	int mib = regs_get_kernel_argument(regs, 2);
	struct tcptw_paws_event ev;

	if (mib != LINUX_MIB_TCPACKSKIPPEDPAWS)
		return 0;
	/* The tracepoint counts what it can name a namespace for. */
	if (TCPTW_DROP_PAWS >= 0 && skb_dst(skb) && skb_dst(skb)->dev)
		return 0;
	if (tcptw_paws_event_from_skb(skb, TCPTW_PAWS_ESTAB, &ev))
		tcptw_paws_record(net, &ev, true);
	return 0;
}

static struct kprobe tcptw_paws_oow = {
	.symbol_name	= "tcp_oow_rate_limited",
	.pre_handler	= tcptw_paws_oow_pre,
};

/* --- syn_sent, syn_recv, tw without a drop reason: MIB kretprobes -------- */

/*
 * A MIB counter before the function: this CPU's share, and what could move
 * it besides the function; with bottom halves on (a socket's backlog), also
 * the sum over CPUs, for when the task migrates.
 */
struct tcptw_mib_mark {
	unsigned long val;
	u64 folded;
	unsigned long switches;
	unsigned int net_rx;
	int cpu;
	bool bh_off;
};

struct tcptw_paws_probe_data {
	struct net *net;
	const struct sk_buff *marked;	/* tcptw_synsent_skb set to it */
	int field;
	s8 verdict;		/* the function's own PAWS test: 1, 0, -1 unknown */
	struct tcptw_mib_mark mark;
	struct tcptw_paws_event ev;
};

static unsigned long tcptw_mib_this_cpu(struct net *net, int field)
{
	return this_cpu_read(net->mib.net_statistics->mibs[field]);
}

static void tcptw_mib_mark(struct tcptw_mib_mark *m, struct net *net,
			   int field)
{
	m->cpu = smp_processor_id();
	m->switches = current->nvcsw + current->nivcsw;
	m->net_rx = kstat_softirqs_cpu(NET_RX_SOFTIRQ, m->cpu);
	m->bh_off = in_softirq();
	m->folded = m->bh_off ? 0 : tcptw_linux_mib(net, field);
	m->val = tcptw_mib_this_cpu(net, field);
}

/*
 * Whether the counter moved, and whether only the function can have moved
 * it (@sure): with bottom halves off nothing else on this CPU runs TCP
 * receive, unless (PREEMPT_RT) the task was switched out; with them on, a
 * softirq on return from an interrupt could, or the task migrated and only
 * the sum over CPUs still tells whether anything moved.
 */
static bool tcptw_mib_moved(const struct tcptw_mib_mark *m, struct net *net,
			    int field, bool *sure)
{
	int cpu = smp_processor_id();

	if (cpu != m->cpu) {
		*sure = false;
		return tcptw_linux_mib(net, field) != m->folded;
	}
	*sure = current->nvcsw + current->nivcsw == m->switches &&
		(m->bh_off ||
		 kstat_softirqs_cpu(NET_RX_SOFTIRQ, cpu) == m->net_rx);
	return tcptw_mib_this_cpu(net, field) != m->val;
}

static void tcptw_paws_probe_arm(struct tcptw_paws_probe_data *d,
				 struct net *net, int field)
{
	d->net = net;
	d->field = field;
	d->marked = NULL;
	d->verdict = -1;
	tcptw_mib_mark(&d->mark, net, field);
}

static int tcptw_paws_probe_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	bool sure;

	if (d->marked)
		this_cpu_write(tcptw_synsent_skb, NULL);
	if (!tcptw_mib_moved(&d->mark, d->net, d->field, &sure))
		return 0;
	/*
	 * Something else could have moved the counter meanwhile (PREEMPT_RT:
	 * the softirq thread was preempted): the function's own verdict on
	 * this segment, where we have it, says whether it was this one.
	 */
	if (!sure && d->verdict >= 0) {
		if (!d->verdict)
			return 0;
		sure = true;
	}
	tcptw_paws_record(d->net, &d->ev, sure);
	return 0;
}

/*
 * Whether tcp_timewait_state_process() counts @skb in PAWSEstab: a TIME_WAIT
 * minisocket (FIN_WAIT2 ones count nothing) whose PAWS test refuses it. The
 * test is the kernel's own (tcp_parse_options(), tcp_paws_reject()) on the
 * fields the function reads, read just before it does.
 */
static bool tcptw_tw_paws_verdict(const struct sock *sk,
				  const struct sk_buff *skb)
{
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_options_received opt;
	int stamp = READ_ONCE(tcptw->tw_ts_recent_stamp);

	if (READ_ONCE(inet_twsk(sk)->tw_substate) != TCP_TIME_WAIT ||
	    th->doff <= sizeof(*th) / 4 || !stamp)
		return false;
	memset(&opt, 0, sizeof(opt));
	tcp_parse_options(sock_net(sk), skb, &opt, 0, NULL);
	if (!opt.saw_tstamp)
		return false;
	opt.ts_recent = READ_ONCE(tcptw->tw_ts_recent);
	opt.ts_recent_stamp = stamp;
	return tcp_paws_reject(&opt, th->rst);
}

static int tcptw_paws_tw_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct tcptw_paws_probe_data *d = (void *)ri->data;
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);

	if (!tcptw_paws_event_from_skb(skb, TCPTW_PAWS_TW, &d->ev))
		return 1;
	tcptw_paws_ts_recent(sk, &d->ev);
	tcptw_paws_probe_arm(d, sock_net(sk), LINUX_MIB_PAWSESTABREJECTED);
	d->verdict = tcptw_tw_paws_verdict(sk, skb);
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
	tcptw_paws_probe_arm(d, sock_net(sk), LINUX_MIB_PAWSESTABREJECTED);
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
	tcptw_paws_probe_arm(d, sock_net(sk), LINUX_MIB_PAWSACTIVEREJECTED);
	/* From the backlog (BHs on) the tracepoint cannot count it anyway. */
	if (TCPTW_DROP_PAWS >= 0 && !TCPTW_PAWS_ESTAB_BY_SOCKET &&
	    in_softirq()) {
		d->marked = skb;
		this_cpu_write(tcptw_synsent_skb, skb);
	}
	return 0;
}

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
};

/* Which of tcptw_paws_probes[] this kernel needs (compat.h). */
static bool tcptw_paws_probe_needed(int i)
{
	switch (i) {
	case 0:
		return TCPTW_DROP_TW_PAWS < 0;
	case 1:
		return !TCPTW_PAWS_SYN_RECV_BY_REASON;
	default:
		return !TCPTW_PAWS_SYN_SENT_BY_REASON;
	}
}

/* --- init and exit ------------------------------------------------------ */

static struct kretprobe *tcptw_paws_armed[ARRAY_SIZE(tcptw_paws_probes)];
static int tcptw_paws_nr_armed;
static bool tcptw_paws_oow_armed;
static bool tcptw_paws_tp_armed;

/* Everything armed, in one call per kind: one RCU grace period each. */
static void tcptw_paws_disarm(void)
{
	int i;

	if (tcptw_paws_tp_armed) {
		unregister_trace_kfree_skb(tcptw_paws_kfree_skb, NULL);
		tracepoint_synchronize_unregister();
		tcptw_paws_tp_armed = false;
	}
	if (tcptw_paws_oow_armed) {
		unregister_kprobe(&tcptw_paws_oow);
		tcptw_paws_oow_armed = false;
	}
	if (tcptw_paws_nr_armed)
		unregister_kretprobes(tcptw_paws_armed, tcptw_paws_nr_armed);
	for (i = 0; i < tcptw_paws_nr_armed; i++) {
		struct kretprobe *rp = tcptw_paws_armed[i];

		if (rp->nmissed)
			pr_warn("%s: %d PAWS checks missed (no free kretprobe instance)\n",
				rp->kp.symbol_name, rp->nmissed);
	}
	tcptw_paws_nr_armed = 0;
}

int tcptw_paws_hooks_init(void)
{
	int err, i;

	for (i = 0; i < ARRAY_SIZE(tcptw_paws_probes); i++) {
		struct kretprobe *rp = &tcptw_paws_probes[i];

		if (!tcptw_paws_probe_needed(i))
			continue;
		/* Softirq on top of a task on each CPU, with room to spare. */
		rp->maxactive = 4 * num_possible_cpus();
		err = register_kretprobe(rp);
		if (err) {
			pr_err("cannot probe %s: %d\n", rp->kp.symbol_name,
			       err);
			goto err;
		}
		tcptw_paws_armed[tcptw_paws_nr_armed++] = rp;
	}
	if (!TCPTW_PAWS_ESTAB_BY_SOCKET) {
		err = register_kprobe(&tcptw_paws_oow);
		if (err) {
			pr_err("cannot probe %s: %d\n",
			       tcptw_paws_oow.symbol_name, err);
			goto err;
		}
		tcptw_paws_oow_armed = true;
	}
	if (TCPTW_DROP_PAWS >= 0) {
		err = register_trace_kfree_skb(tcptw_paws_kfree_skb, NULL);
		if (err) {
			pr_err("cannot attach to the kfree_skb tracepoint: %d\n",
			       err);
			goto err;
		}
		tcptw_paws_tp_armed = true;
	}
	return 0;

err:
	tcptw_paws_disarm();
	return err;
}

void tcptw_paws_hooks_exit(void)
{
	tcptw_paws_disarm();
}
