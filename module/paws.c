// SPDX-License-Identifier: GPL-2.0
/*
 * PAWS rejects per peer: the table the hooks (paws_hooks.c) count into. Each
 * reject is attributed to the remote address and our local port, per network
 * namespace, bounded by paws_max rows with an "other" row beyond, kept until
 * the namespace goes away or a privileged user writes "reset paws".
 *
 * The hooks run in softirq, in tasks with bottom halves off, in kprobe
 * handlers, and on PREEMPT_RT in preemptible softirq threads: the table is
 * guarded by a raw spinlock taken with interrupts off, and the hooks never
 * allocate. New rows come from a per-namespace free list, refilled ahead of
 * need by a work item that charges them to the memory cgroup of the task
 * that created the namespace; a reject that finds the list empty goes to
 * "other" and is counted in paws_dropped.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>

#include "tcptw.h"

#define TCPTW_PAWS_HASH_BITS	8
/* Free rows kept ready per namespace, and the level that asks for more. */
#define TCPTW_PAWS_SPARE	64
#define TCPTW_PAWS_LOW		32
/* Rows a snapshot copies per hold of the lock; restarts after resets. */
#define TCPTW_PAWS_COPY_BATCH	32
#define TCPTW_PAWS_COPY_TRIES	8

struct tcptw_paws_entry {
	struct hlist_node node;
	struct tcptw_paws_row row;
};

/* One namespace's PAWS state; allocated apart, charged to its creator. */
struct tcptw_paws_net {
	raw_spinlock_t lock;	/* every field below; taken with irqs off */
	bool dead;
	u32 gen;		/* bumped when rows are unhashed */
	u32 hash_seed;
	u32 nr;			/* rows in the hash */
	u32 nr_free;		/* rows on the free list */
	struct hlist_head free;
	struct hlist_head hash[1 << TCPTW_PAWS_HASH_BITS];
	struct tcptw_paws_row other;
	u64 other_rejects;
	u64 dropped;
	u64 since;
	u32 log_next;
	u32 log_count;
	struct tcptw_paws_log_entry log[TCPTW_PAWS_LOG_LEN];
	/* Not under the lock: */
	struct work_struct refill;
	struct mem_cgroup *memcg;	/* charged for rows; NULL: the caller's */
};

static unsigned int tcptw_paws_net_id __read_mostly;
/* Set while the namespaces that exist at load time get their state. */
static bool tcptw_paws_loading;

static const char * const tcptw_paws_path_names[TCPTW_PAWS_NR_PATHS] = {
	[TCPTW_PAWS_ESTAB]	= "estab",
	[TCPTW_PAWS_SYN_SENT]	= "syn_sent",
	[TCPTW_PAWS_SYN_RECV]	= "syn_recv",
	[TCPTW_PAWS_TW]		= "tw",
	[TCPTW_PAWS_OLD_ACK]	= "old_ack",
};

const char *tcptw_paws_path_name(unsigned int path)
{
	return path < TCPTW_PAWS_NR_PATHS ? tcptw_paws_path_names[path] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_path_name);

/* Whether this kernel has the path at all (compat.h); else its counter is "-". */
bool tcptw_paws_path_present(unsigned int path)
{
	if (path == TCPTW_PAWS_OLD_ACK)
		return TCPTW_DROP_PAWS_ACK >= 0;
	return path < TCPTW_PAWS_NR_PATHS;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_path_present);

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

/**
 * tcptw_paws_event_from_skb() - what a hook records of a refused segment
 * @skb: the segment, its network and transport headers set
 * @path: the path that refused it
 * @ev: filled in: peer, ports, SYN and ACK flags, timestamps
 *
 * Return: false when @skb is not a well-formed TCP segment over IPv4 or IPv6.
 */
bool tcptw_paws_event_from_skb(const struct sk_buff *skb, u8 path,
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
	ev->ack = th->ack;
	tcptw_tcp_timestamps(th, thlen, &ev->tsval, &ev->tsecr);
	return true;
}

u64 tcptw_paws_row_rejects(const struct tcptw_paws_row *row)
{
	u64 sum = 0;
	int path;

	for (path = 0; path < TCPTW_PAWS_NR_REJECT_PATHS; path++)
		sum += row->paths[path];
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_rejects);

/*
 * The rule documented with the nat column of the PAWS table: SYNs refused in
 * TIME-WAIT from two or more remote ports. The caller never asks it of the
 * "other" row, whose rejects belong to many peers.
 */
bool tcptw_paws_row_nat(const struct tcptw_paws_row *row)
{
	return row->nr_syn_sports >= 2;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_nat);

/* Add @port to a set of up to TCPTW_PAWS_SPORTS_MAX distinct ports. */
static void tcptw_paws_port_set_add(u16 *ports, u16 *nr, u16 port)
{
	u16 i;

	for (i = 0; i < *nr; i++)
		if (ports[i] == port)
			return;
	if (*nr < TCPTW_PAWS_SPORTS_MAX)
		ports[(*nr)++] = port;
}

/* Count @ev in @row; the caller sets row->last. */
void tcptw_paws_row_count(struct tcptw_paws_row *row,
			  const struct tcptw_paws_event *ev)
{
	if (ev->path >= TCPTW_PAWS_NR_PATHS)
		return;
	row->paths[ev->path]++;
	if (ev->path >= TCPTW_PAWS_NR_REJECT_PATHS)
		return;
	tcptw_paws_port_set_add(row->sports, &row->nr_sports, ev->sport);
	/* A new connection refused by TIME-WAIT: not a SYN-ACK, not data. */
	if (ev->path == TCPTW_PAWS_TW && ev->syn && !ev->ack) {
		row->tw_syn++;
		tcptw_paws_port_set_add(row->syn_sports, &row->nr_syn_sports,
					ev->sport);
	}
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_row_count);

static struct tcptw_paws_net *tcptw_paws_net(const struct net *net)
{
	struct tcptw_paws_net **pnp = net_generic(net, tcptw_paws_net_id);

	return *pnp;
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

/* Whether the free list is below @level and paws_max leaves room; locked. */
static bool tcptw_paws_below(const struct tcptw_paws_net *pn, u32 level)
{
	return !pn->dead && pn->nr_free < level &&
	       pn->nr + pn->nr_free < READ_ONCE(tcptw_paws_max);
}

/* A row for (@ev's peer, port): found, taken from the free list, or NULL. */
static struct tcptw_paws_row *tcptw_paws_row_get(struct tcptw_paws_net *pn,
						 const struct tcptw_paws_event *ev,
						 bool *no_free)
{
	struct hlist_head *head = tcptw_paws_bucket(pn, &ev->peer, ev->lport);
	struct tcptw_paws_entry *e;

	hlist_for_each_entry(e, head, node) {
		if (e->row.lport == ev->lport &&
		    tcptw_addr_equal(&e->row.peer, &ev->peer))
			return &e->row;
	}
	if (pn->nr >= READ_ONCE(tcptw_paws_max))
		return NULL;
	if (hlist_empty(&pn->free)) {
		*no_free = true;
		return NULL;
	}
	e = hlist_entry(pn->free.first, struct tcptw_paws_entry, node);
	hlist_del(&e->node);
	pn->nr_free--;
	memset(&e->row, 0, sizeof(e->row));
	e->row.peer = ev->peer;
	e->row.lport = ev->lport;
	hlist_add_head(&e->node, head);
	pn->nr++;
	return &e->row;
}

void tcptw_paws_record(struct net *net, const struct tcptw_paws_event *ev)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	struct tcptw_paws_row *row;
	u64 now = get_jiffies_64();
	bool no_free = false, refill;
	unsigned long flags;

	if (ev->path >= TCPTW_PAWS_NR_PATHS)
		return;
	raw_spin_lock_irqsave(&pn->lock, flags);
	if (pn->dead) {
		raw_spin_unlock_irqrestore(&pn->lock, flags);
		return;
	}
	row = tcptw_paws_row_get(pn, ev, &no_free);
	if (!row) {
		row = &pn->other;
		/* Old ACKs are counted beside the rejects, not as ones. */
		if (ev->path < TCPTW_PAWS_NR_REJECT_PATHS) {
			pn->other_rejects++;
			if (no_free)
				pn->dropped++;
		}
	}
	tcptw_paws_row_count(row, ev);
	row->last = now;
	tcptw_paws_log_add(pn, ev, now);
	refill = tcptw_paws_below(pn, TCPTW_PAWS_LOW);
	raw_spin_unlock_irqrestore(&pn->lock, flags);
	/*
	 * queue_work() takes only raw locks: fine in any of our contexts. The
	 * free list is the namespace's, not this CPU's: any CPU may refill it.
	 */
	if (refill)
		queue_work(tcptw_unbound_wq, &pn->refill);
}

/* Allocate rows until TCPTW_PAWS_SPARE are free or paws_max is in sight. */
static void tcptw_paws_fill(struct tcptw_paws_net *pn)
{
	struct tcptw_paws_entry *e;
	unsigned long flags;
	bool more = true;

	while (more) {
		e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return;
		raw_spin_lock_irqsave(&pn->lock, flags);
		if (tcptw_paws_below(pn, TCPTW_PAWS_SPARE)) {
			hlist_add_head(&e->node, &pn->free);
			pn->nr_free++;
			e = NULL;
		}
		more = tcptw_paws_below(pn, TCPTW_PAWS_SPARE);
		raw_spin_unlock_irqrestore(&pn->lock, flags);
		kfree(e);
	}
}

static void tcptw_paws_refill(struct work_struct *work)
{
	struct tcptw_paws_net *pn = container_of(work, struct tcptw_paws_net,
						 refill);
	struct mem_cgroup *old = tcptw_set_active_memcg(pn->memcg);

	tcptw_paws_fill(pn);
	tcptw_set_active_memcg(old);
}

/* --- per-namespace state ----------------------------------------------- */

static int __net_init tcptw_paws_net_init(struct net *net)
{
	struct tcptw_paws_net **pnp = net_generic(net, tcptw_paws_net_id);
	struct tcptw_paws_net *pn;

	/* Charged to the task creating the namespace, as its first rows. */
	pn = kzalloc(sizeof(*pn), GFP_KERNEL_ACCOUNT);
	if (!pn)
		return -ENOMEM;
	raw_spin_lock_init(&pn->lock);
	INIT_HLIST_HEAD(&pn->free);
	INIT_WORK(&pn->refill, tcptw_paws_refill);
	pn->hash_seed = get_random_u32();
	pn->since = get_jiffies_64();
	/*
	 * Later rows are charged to the same cgroup from the work item. The
	 * namespaces that exist at load time are not insmod's: root pays.
	 */
	if (!tcptw_paws_loading && current->mm)
		pn->memcg = get_mem_cgroup_from_mm(current->mm);
	tcptw_paws_fill(pn);
	*pnp = pn;
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
	pn->gen++;
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

	raw_spin_lock_irq(&pn->lock);
	pn->dead = true;
	tcptw_paws_unhash(pn, &list);
	raw_spin_unlock_irq(&pn->lock);
	/* Neither a hook nor the work item queues it again once dead. */
	cancel_work_sync(&pn->refill);
	tcptw_paws_free_list(&list);
	tcptw_paws_free_list(&pn->free);
	mem_cgroup_put(pn->memcg);
	kfree(pn);
}

static struct pernet_operations tcptw_paws_net_ops = {
	.init	= tcptw_paws_net_init,
	.exit	= tcptw_paws_net_exit,
	.id	= &tcptw_paws_net_id,
	.size	= sizeof(struct tcptw_paws_net *),
};

/**
 * tcptw_paws_reset() - forget @net's PAWS rows, counters and log
 * @net: the namespace; the caller checked the writer may do this
 *
 * The rows go back to the free list (up to the spare), not to the allocator.
 */
void tcptw_paws_reset(struct net *net)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	struct tcptw_paws_entry *e;
	struct hlist_node *tmp;
	HLIST_HEAD(list);

	raw_spin_lock_irq(&pn->lock);
	tcptw_paws_unhash(pn, &list);
	hlist_for_each_entry_safe(e, tmp, &list, node) {
		if (pn->nr_free >= TCPTW_PAWS_SPARE)
			break;
		hlist_del(&e->node);
		hlist_add_head(&e->node, &pn->free);
		pn->nr_free++;
	}
	memset(&pn->other, 0, sizeof(pn->other));
	pn->other_rejects = 0;
	pn->dropped = 0;
	pn->log_next = 0;
	pn->log_count = 0;
	pn->since = get_jiffies_64();
	raw_spin_unlock_irq(&pn->lock);
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

/*
 * Where a snapshot stands between two holds of the lock. Rows are never
 * unhashed but by a reset (which bumps gen) or the namespace's exit (the
 * reader pins the namespace), so the last row copied stays valid to go on
 * from while the lock is dropped.
 */
struct tcptw_paws_cursor {
	u32 bucket;
	u32 gen;
	struct tcptw_paws_entry *pos;	/* last row copied in bucket; NULL: none */
};

/*
 * Copy up to TCPTW_PAWS_COPY_BATCH rows from @c on, under one hold of the
 * lock. Return: 1 while rows are left, 0 at the end, -EAGAIN after a reset.
 */
static int tcptw_paws_copy_batch(struct tcptw_paws_net *pn,
				 struct tcptw_paws_cursor *c,
				 struct tcptw_paws_snap *snap, u32 alloc)
{
	struct tcptw_paws_entry *e;
	struct hlist_node *next;
	u32 n = 0;
	int ret = 1;

	raw_spin_lock_irq(&pn->lock);
	if (pn->gen != c->gen) {
		ret = -EAGAIN;
		goto out;
	}
	while (c->bucket < ARRAY_SIZE(pn->hash)) {
		next = c->pos ? c->pos->node.next : pn->hash[c->bucket].first;
		if (!next) {
			c->bucket++;
			c->pos = NULL;
			continue;
		}
		if (n == TCPTW_PAWS_COPY_BATCH)
			goto out;
		e = hlist_entry(next, struct tcptw_paws_entry, node);
		/* Rows added since sizing: the table is read as it was. */
		if (snap->nr < alloc)
			snap->rows[snap->nr++] = e->row;
		c->pos = e;
		n++;
	}
	snap->other = pn->other;
	snap->other_rejects = pn->other_rejects;
	snap->dropped = pn->dropped;
	snap->since = pn->since;
	ret = 0;
out:
	raw_spin_unlock_irq(&pn->lock);
	return ret;
}

/**
 * tcptw_paws_snapshot() - copy @net's PAWS table out, sorted for output
 * @net: the namespace, pinned by the caller
 * @snap: filled in; release with tcptw_paws_snap_free(), also on error
 *
 * Interrupts stay off for one batch of rows at a time, never for the whole
 * table: a hook waits at most that long. Each row is copied whole; rows that
 * take their first reject while the copy runs may be left out, as a socket
 * that appears behind the walk is. The per-path totals are the sums of the
 * rows copied and "other", so the report always adds up.
 *
 * Sleeps. Return: 0, -ENOMEM, or -EAGAIN when resets kept interrupting.
 */
int tcptw_paws_snapshot(struct net *net, struct tcptw_paws_snap *snap)
{
	struct tcptw_paws_net *pn = tcptw_paws_net(net);
	struct tcptw_paws_cursor c;
	u32 alloc, i, p, tries;
	int ret = -EAGAIN;

	memset(snap, 0, sizeof(*snap));
	for (tries = 0; tries < TCPTW_PAWS_COPY_TRIES && ret == -EAGAIN;
	     tries++) {
		tcptw_paws_snap_free(snap);
		raw_spin_lock_irq(&pn->lock);
		alloc = pn->nr;
		c.gen = pn->gen;
		raw_spin_unlock_irq(&pn->lock);
		c.bucket = 0;
		c.pos = NULL;
		if (alloc) {
			snap->rows = tcptw_alloc_array(alloc, sizeof(*snap->rows),
						       false);
			if (!snap->rows)
				return -ENOMEM;
		}
		snap->nr = 0;
		while ((ret = tcptw_paws_copy_batch(pn, &c, snap, alloc)) > 0)
			cond_resched();
	}
	if (ret)
		return ret;

	memset(snap->totals, 0, sizeof(snap->totals));
	for (i = 0; i < snap->nr; i++)
		for (p = 0; p < TCPTW_PAWS_NR_PATHS; p++)
			snap->totals[p] += snap->rows[i].paths[p];
	for (p = 0; p < TCPTW_PAWS_NR_PATHS; p++)
		snap->totals[p] += snap->other.paths[p];

	tcptw_sort(snap->rows, snap->nr, sizeof(*snap->rows),
		   tcptw_paws_row_cmp);
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

	raw_spin_lock_irq(&pn->lock);
	n = pn->log_count;
	first = (pn->log_next + TCPTW_PAWS_LOG_LEN - n) % TCPTW_PAWS_LOG_LEN;
	for (i = 0; i < n; i++)
		out[i] = pn->log[(first + i) % TCPTW_PAWS_LOG_LEN];
	raw_spin_unlock_irq(&pn->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_paws_log_copy);

/* --- module init and exit ---------------------------------------------- */

int tcptw_paws_init(void)
{
	int err;

	tcptw_paws_loading = true;
	err = register_pernet_subsys(&tcptw_paws_net_ops);
	tcptw_paws_loading = false;
	if (err)
		return err;
	err = tcptw_paws_hooks_init();
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	unregister_pernet_subsys(&tcptw_paws_net_ops);
	return err;
}

void tcptw_paws_exit(void)
{
	tcptw_paws_hooks_exit();
	unregister_pernet_subsys(&tcptw_paws_net_ops);
}
