// SPDX-License-Identifier: GPL-2.0
/*
 * PAWS rejects, caught where the kernel makes them, for the table in paws.c.
 * Where the kernel drops the segment with a PAWS drop reason, the kfree_skb
 * tracepoint counts it; elsewhere a probe off the per-segment fast path does.
 * compat.h has the table of which kernel counts which path how.
 *
 * Attribution takes no guess from the context: the namespace comes from the
 * socket the kernel hands the tracepoint, from the namespace argument of
 * tcp_oow_rate_limited(), or, in the entry kprobes, from the socket argument.
 * An entry kprobe counts a reject when the function's own PAWS test, asked
 * the same question just before the function asks it, says it will refuse
 * the segment and count it in its MIB. Nothing here is a kretprobe: those
 * take an instance from a freelist shared by every CPU on each call.
 */

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
 * syn_sent kprobe found the kernel is about to drop with the PAWS reason (a
 * SYN without ACK) but count nowhere. Set and read with bottom halves off,
 * so nothing else on this CPU runs TCP receive in between; only compared,
 * never dereferenced, and cleared when its drop is seen.
 */
static DEFINE_PER_CPU(const struct sk_buff *, tcptw_synsent_skb);

/* Whether @skb is the one the syn_sent kprobe marked; the mark is spent. */
static bool tcptw_synsent_marked(const struct sk_buff *skb)
{
	if (this_cpu_read(tcptw_synsent_skb) != skb)
		return false;
	this_cpu_write(tcptw_synsent_skb, NULL);
	return true;
}

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
	else if (tcptw_synsent_marked(skb))
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
	tcptw_paws_record(net, &ev);
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
		tcptw_paws_record(net, &ev);
	return 0;
}

static struct kprobe tcptw_paws_oow = {
	.symbol_name	= "tcp_oow_rate_limited",
	.pre_handler	= tcptw_paws_oow_pre,
};

/* --- syn_sent, syn_recv, tw without a drop reason: entry kprobes ---------- */

/*
 * Where the kernel gives no drop reason, a kprobe on the function's entry
 * asks the function's own PAWS test the question the function is about to
 * ask: tcp_parse_options() and tcp_paws_reject() (or, for a SYN-ACK, the
 * between() test) on the fields it reads, read just before it does. Entry
 * kprobes run from the function's ftrace site on this CPU and write nothing
 * shared: no kretprobe instance freelist, no MIB read per segment. The
 * caller holds the socket (or, for a minisocket or request socket, the only
 * reference the segment needs), so the fields are those the function sees;
 * only a second segment of the same connection racing on another CPU could
 * change one in between.
 */

/*
 * tcp_parse_options() into @opt, as the kernel's PAWS tests call it: whether
 * @skb carries a timestamp (a header without options carries none).
 */
static bool tcptw_paws_parse(const struct sock *sk, const struct sk_buff *skb,
			     struct tcp_options_received *opt)
{
	memset(opt, 0, sizeof(*opt));
	if (tcp_hdr(skb)->doff <= sizeof(struct tcphdr) / 4)
		return false;
	tcp_parse_options(sock_net(sk), skb, opt, 0, NULL);
	return opt->saw_tstamp;
}

/*
 * Whether tcp_timewait_state_process() counts @skb in PAWSEstab: a TIME_WAIT
 * minisocket (FIN_WAIT2 ones count nothing) whose PAWS test refuses it.
 */
static bool tcptw_tw_paws_verdict(const struct sock *sk,
				  const struct sk_buff *skb)
{
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_options_received opt;
	int stamp = READ_ONCE(tcptw->tw_ts_recent_stamp);

	if (READ_ONCE(inet_twsk(sk)->tw_substate) != TCP_TIME_WAIT || !stamp ||
	    !tcptw_paws_parse(sk, skb, &opt))
		return false;
	opt.ts_recent = READ_ONCE(tcptw->tw_ts_recent);
	opt.ts_recent_stamp = stamp;
	return tcp_paws_reject(&opt, th->rst);
}

/*
 * Whether tcp_check_req() counts @skb in PAWSEstab: its PAWS test refuses
 * the segment, and the segment is not first sent back to the listener for
 * an unacceptable ACK (which the kernel does before it counts).
 */
static bool tcptw_req_paws_verdict(const struct sock *sk,
				   const struct sk_buff *skb,
				   struct request_sock *req, bool fastopen)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_options_received opt;

	if (!tcptw_paws_parse(sk, skb, &opt))
		return false;
	opt.ts_recent = READ_ONCE(req->ts_recent);
	opt.ts_recent_stamp = ktime_get_seconds() - tcptw_req_timeout_s(req);
	if (!tcp_paws_reject(&opt, th->rst))
		return false;
	return !(th->ack && !fastopen &&
		 !(th->rst && TCPTW_CHECK_REQ_ACK_SKIPS_RST) &&
		 TCP_SKB_CB(skb)->ack_seq != tcp_rsk(req)->snt_isn + 1);
}

enum tcptw_synsent_verdict {
	TCPTW_SYNSENT_PASS,
	TCPTW_SYNSENT_ACK_REJECT,	/* counted in PAWSActive */
	TCPTW_SYNSENT_SYN_REJECT,	/* crossed SYNs: in no MIB */
};

/*
 * What tcp_rcv_synsent_state_process() (5.10, 6.1) makes of @skb: a SYN-ACK
 * acknowledging our SYN whose echoed timestamp is not one we sent in this
 * attempt is counted in PAWSActive; a SYN without ACK behind the timestamp
 * we hold is dropped uncounted. tcp_rcv_state_process() refreshes the clock
 * just before: the test's "now" is read here the same way.
 */
static enum tcptw_synsent_verdict
tcptw_synsent_paws_verdict(const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_options_received opt;
	u32 ack = TCP_SKB_CB(skb)->ack_seq, tsecr;

	tcptw_paws_parse(sk, skb, &opt);
	if (th->ack) {
		if (!after(ack, tp->snd_una) || after(ack, tp->snd_nxt))
			return TCPTW_SYNSENT_PASS;
		tsecr = opt.rcv_tsecr;
		if (opt.saw_tstamp && tsecr)
			tsecr -= tp->tsoffset;
		if (opt.saw_tstamp && tsecr &&
		    !between(tsecr, tp->retrans_stamp,
			     (u32)div_u64(tcp_clock_ns(), NSEC_PER_MSEC)))
			return TCPTW_SYNSENT_ACK_REJECT;
		return TCPTW_SYNSENT_PASS;
	}
	if (th->rst || !tp->rx_opt.ts_recent_stamp || !opt.saw_tstamp)
		return TCPTW_SYNSENT_PASS;
	opt.ts_recent = tp->rx_opt.ts_recent;
	opt.ts_recent_stamp = tp->rx_opt.ts_recent_stamp;
	return tcp_paws_reject(&opt, 0) ? TCPTW_SYNSENT_SYN_REJECT :
					  TCPTW_SYNSENT_PASS;
}

static int tcptw_paws_tw_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	struct tcptw_paws_event ev;

	if (!tcptw_tw_paws_verdict(sk, skb) ||
	    !tcptw_paws_event_from_skb(skb, TCPTW_PAWS_TW, &ev))
		return 0;
	tcptw_paws_ts_recent(sk, &ev);
	tcptw_paws_record(sock_net(sk), &ev);
	return 0;
}

static int tcptw_paws_req_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 2);
	bool fastopen = regs_get_kernel_argument(regs, 3) & 1;
	struct tcptw_paws_event ev;

	if (!tcptw_req_paws_verdict(sk, skb, req, fastopen) ||
	    !tcptw_paws_event_from_skb(skb, TCPTW_PAWS_SYN_RECV, &ev))
		return 0;
	ev.has_ts_recent = inet_rsk(req)->tstamp_ok;
	if (ev.has_ts_recent)
		ev.ts_recent = READ_ONCE(req->ts_recent);
	tcptw_paws_record(sock_net(sk), &ev);
	return 0;
}

static int tcptw_paws_synsent_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	struct tcptw_paws_event ev;

	/* Every state but ESTABLISHED comes here: stay cheap for them. */
	if (READ_ONCE(sk->sk_state) != TCP_SYN_SENT)
		return 0;
	switch (tcptw_synsent_paws_verdict(sk, skb)) {
	case TCPTW_SYNSENT_ACK_REJECT:
		if (tcptw_paws_event_from_skb(skb, TCPTW_PAWS_SYN_SENT, &ev))
			tcptw_paws_record(sock_net(sk), &ev);
		break;
	case TCPTW_SYNSENT_SYN_REJECT:
		/*
		 * 6.1 drops it with the PAWS reason, which its socketless
		 * tracepoint would count as estab: mark it, in softirq only
		 * (from the backlog the tracepoint cannot count it anyway).
		 */
		if (TCPTW_DROP_PAWS >= 0 && !TCPTW_PAWS_ESTAB_BY_SOCKET &&
		    in_softirq())
			this_cpu_write(tcptw_synsent_skb, skb);
		break;
	default:
		break;
	}
	return 0;
}

static struct kprobe tcptw_paws_probes[] = {
	{ .symbol_name = "tcp_timewait_state_process",
	  .pre_handler = tcptw_paws_tw_pre },
	{ .symbol_name = "tcp_check_req",
	  .pre_handler = tcptw_paws_req_pre },
	{ .symbol_name = "tcp_rcv_state_process",
	  .pre_handler = tcptw_paws_synsent_pre },
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

static struct kprobe *tcptw_paws_armed[ARRAY_SIZE(tcptw_paws_probes)];
static int tcptw_paws_nr_armed;
static bool tcptw_paws_oow_armed;
static bool tcptw_paws_tp_armed;

/* Everything armed, in one call per kind: one RCU grace period each. */
static void tcptw_paws_disarm(void)
{
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
		unregister_kprobes(tcptw_paws_armed, tcptw_paws_nr_armed);
	tcptw_paws_nr_armed = 0;
}

int tcptw_paws_hooks_init(void)
{
	int err, i;

	for (i = 0; i < ARRAY_SIZE(tcptw_paws_probes); i++) {
		struct kprobe *kp = &tcptw_paws_probes[i];

		if (!tcptw_paws_probe_needed(i))
			continue;
		err = register_kprobe(kp);
		if (err) {
			pr_err("cannot probe %s: %d\n", kp->symbol_name, err);
			goto err;
		}
		tcptw_paws_armed[tcptw_paws_nr_armed++] = kp;
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
