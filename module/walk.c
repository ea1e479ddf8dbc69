// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of one network namespace's TCP established hash, the way
 * inet_diag dumps it: empty buckets skipped unlocked, one bucket lock held at
 * a time and only to copy out a few fields, cond_resched() between buckets.
 */

#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tcptw.h"

#define TCPTW_NR_PORTS		65536
/*
 * Buckets are copied into one buffer and folded a batch at a time: the
 * tables are then entered once per batch, not once per socket. Before each
 * bucket at least TCPTW_RECS_INITIAL records are free, so a chain up to that
 * long is read whole under one hold of its lock.
 */
#define TCPTW_RECS_INITIAL	64U
#define TCPTW_FOLD_BATCH	32U
#define TCPTW_LISTENING_BYTES	(BITS_TO_LONGS(TCPTW_NR_PORTS) * sizeof(long))

struct tcptw_walk {
	struct net *net;
	const struct tcptw_walk_sink *sink;
	struct inet_hashinfo *hinfo;
	unsigned long *listening;	/* local ports listened on in @net */
	int port_lo;
	int port_hi;
	struct tcptw_sock_rec *recs;	/* buckets' sockets not yet folded */
	u32 recs_alloc;
	u32 pending;			/* records in recs */
	u32 now_s;			/* ktime_get_seconds() at the start */
	bool detail;			/* minisockets' sequence and timestamps */
	struct tcptw_walk_result *result;
};

VISIBLE_IF_KUNIT void tcptw_rec_fill_peer(struct tcptw_sock_rec *rec,
					  const struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		tcptw_addr_from_v6(&rec->peer, &sk->sk_v6_daddr);
		tcptw_addr_from_v6(&rec->local, &sk->sk_v6_rcv_saddr);
		return;
	}
#endif
	ipv6_addr_set_v4mapped(sk->sk_daddr, &rec->peer.in6);
	rec->peer.family = AF_INET;
	ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &rec->local.in6);
	rec->local.family = AF_INET;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_rec_fill_peer);

/*
 * jiffies_delta_to_msecs() without its out-of-line call where HZ divides a
 * second (Debian's 250 does): it runs once per minisocket under the lock.
 */
static inline u32 tcptw_ttl_ms(long left)
{
	if (left <= 0)
		return 0;
#if !(MSEC_PER_SEC % HZ)
	return min_t(unsigned long, left, U32_MAX / (MSEC_PER_SEC / HZ)) *
	       (MSEC_PER_SEC / HZ);
#else
	return jiffies_to_msecs(left);
#endif
}

/*
 * What a TIME_WAIT or FIN_WAIT2 minisocket still knows of its connection.
 * @now_s: ktime_get_seconds() once per walk, the clock of tw_ts_recent_stamp.
 * @detail: also its sequence numbers and timestamp (debugfs "sockets"); the
 * report needs only the time left, and every field read under the bucket
 * lock costs the walk.
 */
static void tcptw_rec_fill_minisock(struct tcptw_sock_rec *rec,
				    const struct sock *sk, u32 now_s,
				    bool detail)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	u32 stamp;

	rec->minisock = true;
	rec->tw_ttl_ms = tcptw_ttl_ms(READ_ONCE(tw->tw_timer.expires) -
				      (long)jiffies);
	if (!detail)
		return;
	stamp = READ_ONCE(tcptw->tw_ts_recent_stamp);
	rec->rcv_nxt = READ_ONCE(tcptw->tw_rcv_nxt);
	rec->snd_nxt = READ_ONCE(tcptw->tw_snd_nxt);
	/* tcp_time_wait() copies a zero stamp when no timestamps were used. */
	rec->has_ts = stamp != 0;
	if (rec->has_ts) {
		rec->ts_recent = READ_ONCE(tcptw->tw_ts_recent);
		rec->ts_age_s = (s32)(now_s - stamp) > 0 ? now_s - stamp : 0;
	} else {
		rec->ts_recent = 0;
		rec->ts_age_s = 0;
	}
}

/*
 * Only struct sock_common fields for every kind of socket: the chain holds
 * full sockets, request sockets and timewait minisockets alike. Every field
 * is stored, none through memset(): this runs once per socket under the
 * bucket lock.
 */
static void tcptw_rec_fill(struct tcptw_sock_rec *rec, const struct sock *sk,
			   u32 now_s, bool detail)
{
	int state = READ_ONCE(sk->sk_state);

	if (state == TCP_TIME_WAIT) {
		state = READ_ONCE(inet_twsk(sk)->tw_substate);
		tcptw_rec_fill_minisock(rec, sk, now_s, detail);
	} else {
		if (state == TCP_NEW_SYN_RECV)
			state = TCP_SYN_RECV;
		rec->minisock = false;
		rec->has_ts = false;
		rec->tw_ttl_ms = 0;
		rec->ts_recent = 0;
		rec->ts_age_s = 0;
		rec->rcv_nxt = 0;
		rec->snd_nxt = 0;
	}
	rec->state = state;
	rec->local_port = sk->sk_num;
	rec->remote_port = ntohs(sk->sk_dport);
	tcptw_rec_fill_peer(rec, sk);
}

/* The listening hash is shared by all namespaces: filter on ours. */
static void tcptw_walk_listeners(struct tcptw_walk *w)
{
	struct inet_hashinfo *hinfo = w->hinfo;
	u32 i;

	for (i = 0; i < tcptw_listen_nr_buckets(hinfo); i++) {
		struct inet_listen_hashbucket *ilb = &tcptw_listen_buckets(hinfo)[i];
		struct hlist_nulls_node *node;
		struct sock *sk;

		if (hlist_nulls_empty(&ilb->nulls_head))
			continue;
		spin_lock(&ilb->lock);
		sk_nulls_for_each(sk, node, &ilb->nulls_head) {
			if (net_eq(sock_net(sk), w->net))
				__set_bit(sk->sk_num, w->listening);
		}
		spin_unlock(&ilb->lock);
		cond_resched();
	}
}

/*
 * Copy bucket @i's sockets of our namespace into w->recs after the pending
 * ones. Returns how many there were; when that exceeds the room left the
 * copy is incomplete and the caller folds (and grows the array if the bucket
 * alone does not fit) and copies again, so each bucket is read whole under
 * one hold of its lock. One hold in TCPTW_LOCK_SAMPLE is timed, from
 * inside the lock: the time others wait on it, not the time we waited.
 * Sampled, as two clock reads per bucket cost a tenth of the walk under
 * emulation. sched_clock(), not ktime_get_ns() or local_clock(): each read
 * must cost next to nothing. ktime_get_ns() reads the clocksource, which may be an HPET (an
 * uncached MMIO read, slow on real hardware and emulated under QEMU TCG,
 * where the TSC is often marked unstable); local_clock() then also does
 * sched_clock_local()'s per-CPU filtering. Preemption is off under the
 * lock, so both reads come from one CPU, which is all sched_clock()
 * promises.
 */
static u32 tcptw_walk_bucket(struct tcptw_walk *w, u32 i)
{
	struct tcptw_walk_result *result = w->result;
	spinlock_t *lock = inet_ehash_lockp(w->hinfo, i);
	struct tcptw_sock_rec *recs = w->recs + w->pending;
	u32 room = w->recs_alloc - w->pending;
	bool timed = !(result->lock_holds % TCPTW_LOCK_SAMPLE);
	struct hlist_nulls_node *node;
	struct sock *sk;
	u32 n = 0, len = 0;
	u64 t0 = 0, held = 0;

	spin_lock_bh(lock);
	if (timed)
		t0 = sched_clock();
	sk_nulls_for_each(sk, node, &w->hinfo->ehash[i].chain) {
		len++;
		if (!net_eq(sock_net(sk), w->net))
			continue;
		if (n < room)
			tcptw_rec_fill(&recs[n], sk, w->now_s, w->detail);
		n++;
	}
	if (timed)
		held = sched_clock() - t0;
	spin_unlock_bh(lock);

	result->lock_holds++;
	result->chain_max = max(result->chain_max, len);
	if (!timed)
		return n;
	if (held > result->lock_max_ns || !result->lock_max_chain) {
		result->lock_max_ns = held;
		result->lock_max_chain = len;
	}
	/* Per socket of the chain: a hold should grow with it and no more. */
	if (len > 1)
		held = div_u64(held, len);
	result->lock_hist[min_t(u32, fls64(held), TCPTW_LOCK_HIST - 1)]++;
	result->lock_timed++;
	return n;
}

/**
 * tcptw_lock_hist_pct() - a percentile of a walk's timed lock holds
 * @result: the walk
 * @pct: 1 to 100
 *
 * Holds are counted per socket of their chain in power-of-two buckets, so
 * the answer is the upper bound of the bucket the percentile falls in: at
 * most twice the true value. A maximum alone says little under emulation or
 * on a busy host, where one interrupt or preempted vCPU inside a hold of a
 * few hundred nanoseconds makes it a hundred microseconds.
 * Return: nanoseconds per socket, 0 when no hold was timed.
 */
u64 tcptw_lock_hist_pct(const struct tcptw_walk_result *result, u32 pct)
{
	u64 need = div_u64(result->lock_timed * pct + 99, 100), seen = 0;
	u32 k;

	if (!result->lock_timed)
		return 0;
	for (k = 0; k < TCPTW_LOCK_HIST; k++) {
		seen += result->lock_hist[k];
		if (seen >= need)
			break;
	}
	if (k >= TCPTW_LOCK_HIST)
		k = TCPTW_LOCK_HIST - 1;
	return k ? 1ULL << k : 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_lock_hist_pct);

static void tcptw_walk_recs_free(struct tcptw_walk *w)
{
	tcptw_mem_sub(w->sink->mem, w->recs_alloc * sizeof(*w->recs));
	kvfree(w->recs);
	w->recs = NULL;
	w->recs_alloc = 0;
	w->pending = 0;
}

/* Only with nothing pending: the records are not copied over. */
static int tcptw_walk_recs_grow(struct tcptw_walk *w, u32 need)
{
	u32 alloc = roundup_pow_of_two(max(need, TCPTW_RECS_INITIAL));
	struct tcptw_sock_rec *recs;

	recs = tcptw_alloc_array(alloc, sizeof(*recs), false);
	if (!recs)
		return -ENOMEM;
	tcptw_mem_add(w->sink->mem, alloc * sizeof(*recs));
	tcptw_walk_recs_free(w);
	w->recs = recs;
	w->recs_alloc = alloc;
	return 0;
}

/**
 * tcptw_tw_inbound() - whether the peer opened a TIME-WAIT connection
 * @listened: something in the namespace listens on @local_port
 * @local_port: our end's port
 * @port_lo: ip_local_port_range, low end
 * @port_hi: ip_local_port_range, high end
 *
 * The rule documented with tw_in/tw_out in tcptw_format.h.
 */
VISIBLE_IF_KUNIT bool tcptw_tw_inbound(bool listened, u16 local_port,
				       int port_lo, int port_hi)
{
	if (listened)
		return true;
	return local_port < port_lo || local_port > port_hi;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tw_inbound);

/*
 * Deliver the pending records to the sink: each socket's direction, then the
 * peer and port tables a batch at a time, then the minisocket callback.
 */
static int tcptw_walk_fold(struct tcptw_walk *w)
{
	const struct tcptw_walk_sink *sink = w->sink;
	struct tcptw_walk_result *result = w->result;
	u32 j, n = w->pending;
	int err;

	w->pending = 0;
	for (j = 0; j < n; j++) {
		struct tcptw_sock_rec *rec = &w->recs[j];

		rec->inbound = tcptw_tw_inbound(test_bit(rec->local_port,
							 w->listening),
						rec->local_port, w->port_lo,
						w->port_hi);
		if (rec->state == TCP_TIME_WAIT)
			result->tw_count++;
	}
	result->sockets += n;
	if (sink->peers)
		tcptw_peer_table_add_recs(sink->peers, w->recs, n);
	if (sink->tuples) {
		err = tcptw_tuple_table_add_recs(sink->tuples, w->recs, n);
		if (err)
			return err;
	}
	for (j = 0; sink->minisock && j < n; j++) {
		if (!w->recs[j].minisock)
			continue;
		err = sink->minisock(sink->priv, &w->recs[j]);
		if (err)
			return err;
	}
	return 0;
}

/**
 * tcptw_walk() - deliver every socket of @net's established hash to @sink
 * @net: the namespace, pinned by the caller
 * @sink: the tables and callback that take each socket
 * @result: totals of the walk
 *
 * Sleeps; takes each bucket lock once (twice only for a chain longer than
 * TCPTW_RECS_INITIAL that did not fit the copy buffer's room). The sink runs
 * with no lock held. Return: 0, -ENOMEM, or
 * what the sink's callback returned.
 */
int tcptw_walk(struct net *net, const struct tcptw_walk_sink *sink,
	       struct tcptw_walk_result *result)
{
	struct tcptw_walk w = {
		.net = net,
		.sink = sink,
		.hinfo = net->ipv4.tcp_death_row.hashinfo,
		.result = result,
		/* Only a minisock callback (debugfs "sockets") reads them. */
		.detail = !!sink->minisock,
	};
	u64 start = ktime_get_ns();
	int err;
	u32 i, n;

	memset(result, 0, sizeof(*result));
	w.now_s = (u32)ktime_get_seconds();
	w.listening = tcptw_alloc_array(1, TCPTW_LISTENING_BYTES, true);
	if (!w.listening)
		return -ENOMEM;
	tcptw_mem_add(sink->mem, TCPTW_LISTENING_BYTES);
	err = tcptw_walk_recs_grow(&w, TCPTW_RECS_INITIAL + TCPTW_FOLD_BATCH);
	if (err)
		goto out;

	inet_get_local_port_range(net, &w.port_lo, &w.port_hi);
	tcptw_walk_listeners(&w);

	for (i = 0; i <= w.hinfo->ehash_mask; i++) {
		if (hlist_nulls_empty(&w.hinfo->ehash[i].chain))
			continue;
		if (w.pending >= TCPTW_FOLD_BATCH) {
			err = tcptw_walk_fold(&w);
			if (err)
				goto out;
		}
		while ((n = tcptw_walk_bucket(&w, i)) >
		       w.recs_alloc - w.pending) {
			err = tcptw_walk_fold(&w);
			if (!err && n > w.recs_alloc)
				err = tcptw_walk_recs_grow(&w, n);
			if (err)
				goto out;
		}
		w.pending += n;
		cond_resched();
	}
	err = tcptw_walk_fold(&w);
	if (err)
		goto out;
	result->ehash_buckets = w.hinfo->ehash_mask + 1;
	result->port_lo = w.port_lo;
	result->port_hi = w.port_hi;
	result->walk_ns = ktime_get_ns() - start;
	result->walk_us = div_u64(result->walk_ns, NSEC_PER_USEC);
out:
	tcptw_walk_recs_free(&w);
	kvfree(w.listening);
	tcptw_mem_sub(sink->mem, TCPTW_LISTENING_BYTES);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_walk);

/**
 * tcptw_walk_count() - count the sockets of @net's established hash
 * @net: the namespace, pinned by the caller
 * @result: sockets, ehash_buckets and walk_us; the rest zero
 *
 * The walk of tcptw_walk() with nothing copied, folded or timed per bucket:
 * the least any walk under the same locking can cost, which a full walk is
 * measured against (debugfs "count"). Sleeps. Return: 0.
 */
int tcptw_walk_count(struct net *net, struct tcptw_walk_result *result)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	u64 start = ktime_get_ns();
	u32 i;

	memset(result, 0, sizeof(*result));
	for (i = 0; i <= hinfo->ehash_mask; i++) {
		spinlock_t *lock = inet_ehash_lockp(hinfo, i);
		struct hlist_nulls_node *node;
		struct sock *sk;

		if (hlist_nulls_empty(&hinfo->ehash[i].chain))
			continue;
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &hinfo->ehash[i].chain)
			if (net_eq(sock_net(sk), net))
				result->sockets++;
		spin_unlock_bh(lock);
		cond_resched();
	}
	result->ehash_buckets = hinfo->ehash_mask + 1;
	result->walk_ns = ktime_get_ns() - start;
	result->walk_us = div_u64(result->walk_ns, NSEC_PER_USEC);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_walk_count);

/**
 * tcptw_walk_ehash_shape() - chain lengths of the hash @net uses
 * @net: the namespace, pinned by the caller
 * @shape: filled in
 *
 * Chains are counted whole, every namespace's sockets included (that is what
 * a lookup walks); own_entries are @net's. Sleeps. Return: 0.
 */
int tcptw_walk_ehash_shape(struct net *net, struct tcptw_ehash_shape *shape)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	u32 i;

	memset(shape, 0, sizeof(*shape));
	shape->buckets = hinfo->ehash_mask + 1;
	for (i = 0; i <= hinfo->ehash_mask; i++) {
		spinlock_t *lock = inet_ehash_lockp(hinfo, i);
		struct hlist_nulls_node *node;
		struct sock *sk;
		u32 len = 0, own = 0;

		if (hlist_nulls_empty(&hinfo->ehash[i].chain))
			continue;
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &hinfo->ehash[i].chain) {
			len++;
			if (net_eq(sock_net(sk), net))
				own++;
		}
		spin_unlock_bh(lock);
		if (len) {
			shape->used_buckets++;
			shape->entries += len;
			shape->own_entries += own;
			shape->longest = max(shape->longest, len);
			shape->hist[min_t(u32, len, TCPTW_CHAIN_HIST)]++;
		}
		cond_resched();
	}
	return 0;
}

