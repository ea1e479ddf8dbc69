/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of tcptw.ko share: the per-socket record the walk produces,
 * the peer table it is folded into, and the report that /proc/tcptw renders.
 */
#ifndef _TCPTW_H
#define _TCPTW_H

#include <linux/gfp.h>
#include <linux/in6.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#include <net/ipv6.h>
#include <net/tcp_states.h>

#include "sort.h"
#include "tcptw_format.h"

struct net;
struct seq_file;
struct tcphdr;

/* Default and limits of the module parameters. */
#define TCPTW_MAX_PEERS_DEFAULT	65536U
#define TCPTW_MAX_PEERS_LIMIT	1048576U
#define TCPTW_MAX_TUPLES_DEFAULT	64U
#define TCPTW_MAX_TUPLES_LIMIT	65536U
#define TCPTW_PAWS_MAX_DEFAULT	4096U
#define TCPTW_PAWS_MAX_LIMIT	65536U

/*
 * What a read of the report allocates: charged to the reader's memory
 * cgroup, and failing (never invoking that cgroup's OOM killer, never
 * warning) when the cgroup is at its limit. An unprivileged reader can cause
 * it, so it is bounded by the module parameters and the reader's own limit.
 */
#define TCPTW_GFP_READ	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * An array of a read: @n elements of @size bytes, zeroed if @zero; release
 * with kvfree(). Never an allocation above order 0: a page's worth from the
 * slab, anything larger from vmalloc (kvmalloc() would first try a
 * contiguous block, and with __GFP_RETRY_MAYFAIL try it hard, up to
 * order 10 for a million rows).
 */
static inline void *tcptw_alloc_array(size_t n, size_t size, bool zero)
{
	gfp_t gfp = TCPTW_GFP_READ | (zero ? __GFP_ZERO : 0);
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	if (bytes <= PAGE_SIZE)
		return kmalloc(bytes, gfp);
	return __vmalloc(bytes, gfp);
}

extern unsigned int tcptw_max_peers;
extern unsigned int tcptw_max_tuples;
extern unsigned int tcptw_paws_max;

/*
 * Bytes one read of /proc/tcptw holds allocated: now, and the most at any
 * moment (debugfs walk_stats). A grown array is added before the old one is
 * subtracted: both exist while the rows are copied.
 */
struct tcptw_mem {
	size_t cur;
	size_t peak;
};

static inline void tcptw_mem_add(struct tcptw_mem *mem, size_t bytes)
{
	if (!mem)
		return;
	mem->cur += bytes;
	mem->peak = max(mem->peak, mem->cur);
}

static inline void tcptw_mem_sub(struct tcptw_mem *mem, size_t bytes)
{
	if (mem)
		mem->cur -= bytes;
}

/* What an index-chained table (peers, tuples) has allocated. */
static inline size_t tcptw_index_bytes(u32 alloc, size_t size,
				       const u32 *heads, u32 hash_mask)
{
	return (size_t)alloc * size +
	       (heads ? ((size_t)hash_mask + 1) * sizeof(*heads) : 0);
}

/*
 * A remote address. IPv4 is kept IPv4-mapped (::ffff:a.b.c.d) so that both
 * families compare and hash the same way; family says how to print it.
 */
struct tcptw_addr {
	struct in6_addr in6;
	u16 family;
};

static inline bool tcptw_addr_equal(const struct tcptw_addr *a,
				    const struct tcptw_addr *b)
{
	return a->family == b->family && ipv6_addr_equal(&a->in6, &b->in6);
}

static inline void tcptw_addr_from_v6(struct tcptw_addr *addr,
				      const struct in6_addr *in6)
{
	addr->in6 = *in6;
	/* A v4-mapped connection belongs to its IPv4 peer. */
	addr->family = ipv6_addr_v4mapped(in6) ? AF_INET : AF_INET6;
}

/*
 * The format's address order: IPv4 (AF_INET 2) before IPv6 (10), numeric.
 * Word by word rather than memcmp(), an out-of-line call: the sorts compare
 * addresses inline. Two IPv4 addresses share the v4-mapped prefix.
 */
static inline int tcptw_addr_cmp(const struct tcptw_addr *a,
				 const struct tcptw_addr *b)
{
	u32 i, x, y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	for (i = a->family == AF_INET ? 3 : 0; i < 4; i++) {
		x = be32_to_cpu(a->in6.s6_addr32[i]);
		y = be32_to_cpu(b->in6.s6_addr32[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* One socket as the walk saw it under its bucket lock. */
struct tcptw_sock_rec {
	struct tcptw_addr peer;
	struct tcptw_addr local;
	u16 local_port;
	u16 remote_port;
	u8 state;		/* as /proc/net/tcp's "st" shows it */
	bool minisock;		/* a TIME_WAIT or FIN_WAIT2 minisocket */
	bool has_ts;		/* minisock: the connection used timestamps */
	bool inbound;		/* tcptw_tw_inbound(), set when the walk folds */
	u32 tw_ttl_ms;		/* minisock: time left */
	u32 ts_recent;		/* minisock, has_ts: the peer's last TSval */
	u32 ts_age_s;		/* minisock, has_ts: seconds since recorded */
	u32 rcv_nxt;		/* minisock */
	u32 snd_nxt;		/* minisock */
};

struct tcptw_peer {
	struct tcptw_addr addr;
	u32 hash;		/* of addr: a grown table relinks without it */
	u32 hash_next;		/* index + 1 of the next peer in the chain */
	u32 states[TCP_MAX_STATES];
	u32 tw_in;
	u32 tw_out;
	u32 tw_ttl_min_ms;
	u32 tw_ttl_max_ms;
	u64 paws;
	bool nat;
};

/*
 * Peers of one read. At most @max rows; sockets of further peers are summed
 * into @other. Growable arrays instead of a list keep sorting cheap.
 */
struct tcptw_peer_table {
	struct tcptw_peer *peers;
	u32 nr;
	u32 alloc;
	u32 max;
	u32 *heads;		/* index + 1 of the first peer, 0 if empty */
	u32 hash_mask;
	u32 hash_seed;
	struct tcptw_peer other;
	u64 other_sockets;
	u32 hint;		/* rows expected: see tcptw_index_alloc() */
	struct tcptw_mem *mem;	/* accounts the arrays; may be NULL */
};

int tcptw_index_grow(void **rows, u32 **heads, u32 *hash_mask, u32 nr,
		     u32 alloc, size_t size);

/**
 * tcptw_index_alloc() - the rows an index-chained table grows to next
 * @alloc: the rows it has
 * @initial: its first allocation
 * @hint: the rows the namespace's last read needed, 0 if unknown
 * @cap: its most rows
 *
 * Twice @alloc; but once the table outgrows its first allocation, straight
 * to @hint when that is more: a report is read again and again, and each
 * doubling copies and relinks every row (a third of a walk over 20,000
 * outbound tuples). A read that stays within @initial rows never allocates
 * for the hint.
 */
static inline u32 tcptw_index_alloc(u32 alloc, u32 initial, u32 hint, u32 cap)
{
	u32 next = alloc * 2;

	if (alloc && hint > next)
		next = hint;
	/* Not clamp(): a cap below @initial (max_peers=10) wins. */
	return min(max(next, initial), cap);
}

/**
 * tcptw_index_sort() - sort an index-chained table's rows, dropping its chains
 * @rows: the rows, @nr of @size bytes
 * @size: the size of a row
 * @nr: rows in use
 * @k: how many come first in order (tcptw_isort_first()), @nr for all
 * @heads: the chain heads: at least a u32 per row, so they are the sort's
 *	   index; freed, and set to NULL (no lookups after this)
 * @hash_mask: their number minus one
 * @mem: accounts them; may be NULL
 * @before: the table's order, inlined with this function
 *
 * Shared by the peer and the port tables. Sleeps.
 */
static __always_inline void tcptw_index_sort(void *rows, size_t size, u32 nr,
					     u32 k, u32 **heads, u32 hash_mask,
					     struct tcptw_mem *mem,
					     tcptw_before_t before)
{
	u32 *idx = *heads;

	if (!idx)
		return;
	*heads = NULL;
	tcptw_isort_first(idx, nr, k, rows, before);
	tcptw_permute(rows, size, idx, nr);
	tcptw_mem_sub(mem, ((size_t)hash_mask + 1) * sizeof(*idx));
	kvfree(idx);
}

/* Rows the namespace's last read of the report had: the next read's hints. */
struct tcptw_table_hint {
	u32 peers;
	u32 tuples;
};

/* Bytes of rows a grown table copies between reschedule points. */
#define TCPTW_INDEX_COPY_CHUNK	(256 * 1024)

/* A reschedule point every few thousand rows relinked after a grow. */
static inline void tcptw_index_resched(u32 i)
{
	if (!(i % 4096))
		cond_resched();
}

void tcptw_peer_table_init(struct tcptw_peer_table *table, u32 max_peers);
void tcptw_peer_table_destroy(struct tcptw_peer_table *table);
void tcptw_peer_table_add(struct tcptw_peer_table *table,
			  const struct tcptw_sock_rec *rec, bool inbound);
void tcptw_peer_table_add_recs(struct tcptw_peer_table *table,
			       const struct tcptw_sock_rec *recs, u32 n);
void tcptw_peer_table_add_paws(struct tcptw_peer_table *table,
			       const struct tcptw_addr *addr, u64 rejects,
			       bool nat);
void tcptw_peer_table_sort(struct tcptw_peer_table *table);

/*
 * Port table (ports.c): outbound sockets per (local address, remote
 * address, remote port), the unit connect() runs out of ports for.
 */
struct tcptw_tuple {
	struct tcptw_addr local;
	struct tcptw_addr remote;
	u16 remote_port;
	u32 hash;		/* of the three: a grown table relinks without it */
	u32 hash_next;		/* index + 1 of the next tuple in the chain */
	u32 used;
};

struct tcptw_tuple_table {
	struct tcptw_tuple *tuples;
	u32 nr;
	u32 alloc;
	u32 *heads;
	u32 hash_mask;
	u32 hash_seed;
	u64 untracked;		/* sockets of tuples beyond the hard limit */
	u32 hint;		/* rows expected: see tcptw_index_alloc() */
	struct tcptw_mem *mem;	/* accounts the arrays; may be NULL */
};

void tcptw_tuple_table_init(struct tcptw_tuple_table *table);
void tcptw_tuple_table_destroy(struct tcptw_tuple_table *table);
int tcptw_tuple_table_add(struct tcptw_tuple_table *table,
			  const struct tcptw_sock_rec *rec);
int tcptw_tuple_table_add_recs(struct tcptw_tuple_table *table,
			       const struct tcptw_sock_rec *recs, u32 n);
void tcptw_tuple_table_sort(struct tcptw_tuple_table *table, u32 shown);
u64 tcptw_tuple_pct(u32 used, u32 range);

/*
 * Where a walk delivers what it finds; any member may be NULL. @minisock
 * sees every TIME_WAIT and FIN_WAIT2 minisocket, after it was counted.
 * @mem accounts the walk's own scratch arrays.
 */
struct tcptw_walk_sink {
	struct tcptw_peer_table *peers;
	struct tcptw_tuple_table *tuples;
	int (*minisock)(void *priv, const struct tcptw_sock_rec *rec);
	void *priv;
	struct tcptw_mem *mem;
};

/*
 * What one walk of a namespace's established hash found. Chains are counted
 * whole, every namespace's sockets included: that is what a lock hold walks.
 */
#define TCPTW_LOCK_HIST		33	/* fls64() of a u32's worth of ns, + 1 */
#define TCPTW_LOCK_SAMPLE	8	/* one hold in this many is timed */

struct tcptw_walk_result {
	u64 sockets;
	u64 tw_count;
	u32 ehash_buckets;
	int port_lo;		/* ip_local_port_range the TIME-WAIT */
	int port_hi;		/* direction was decided with */
	u64 walk_us;
	u64 walk_ns;
	u64 lock_max_ns;	/* longest timed hold of one bucket lock */
	u32 lock_max_chain;	/* the chain length during that hold */
	u32 chain_max;		/* longest chain met */
	u64 lock_holds;		/* bucket locks taken */
	u64 lock_timed;		/* of them timed: the 1st, 9th, 17th, ... */
	/* timed holds by ns per socket of the chain: [k] counts [2^(k-1), 2^k) */
	u32 lock_hist[TCPTW_LOCK_HIST];
};

int tcptw_walk(struct net *net, const struct tcptw_walk_sink *sink,
	       struct tcptw_walk_result *result);
int tcptw_walk_count(struct net *net, struct tcptw_walk_result *result);
u64 tcptw_lock_hist_pct(const struct tcptw_walk_result *result, u32 pct);

/* The last full walk of a namespace, for debugfs walk_stats (proc.c). */
struct tcptw_walk_stats {
	u64 walks;		/* full walks of the namespace since load */
	u64 sockets;
	u64 walk_us;
	u64 ns_per_socket;
	u64 lock_max_ns;
	u32 lock_max_chain;
	u64 lock_holds;
	u64 lock_timed;
	u64 lock_p50_ns;	/* per socket of the chain, upper bounds */
	u64 lock_p99_ns;
	u32 chain_max;
	u64 mem_peak_bytes;
};

void tcptw_walk_stats_get(struct net *net, struct tcptw_walk_stats *stats);

/* The shape of the established hash a namespace uses (debugfs "ehash"). */
#define TCPTW_CHAIN_HIST	64	/* lengths 1..63 exact, the last 64+ */
struct tcptw_ehash_shape {
	u32 buckets;
	u32 used_buckets;
	u64 entries;
	u64 own_entries;
	u32 longest;
	u32 hist[TCPTW_CHAIN_HIST + 1];
};

int tcptw_walk_ehash_shape(struct net *net, struct tcptw_ehash_shape *shape);

#include "paws.h"

/* One read's snapshot: summary values and the sorted tables. */
struct tcptw_report {
	u64 val[TCPTW_NR_KEYS];
	DECLARE_BITMAP(absent, TCPTW_NR_KEYS);	/* written "-": no such counter */
	int port_lo;
	int port_hi;
	struct tcptw_peer_table table;
	struct tcptw_tuple_table tuples;
	u32 tuples_shown;
	struct tcptw_paws_snap paws;
	u64 now;		/* jiffies64 the report was taken */
	struct tcptw_walk_result walk;
	struct tcptw_mem mem;	/* walk scratch, peer and port tables */
};

int tcptw_report_build(struct tcptw_report *report, struct net *net,
		       u32 max_peers, const struct tcptw_table_hint *hint);
void tcptw_report_free(struct tcptw_report *report);
struct net;
u64 tcptw_linux_mib(const struct net *net, int field);
void tcptw_report_show_summary(struct seq_file *m,
			       const struct tcptw_report *report);
void tcptw_report_show_peer(struct seq_file *m, const struct tcptw_peer *peer,
			    bool is_other);
bool tcptw_report_has_other(const struct tcptw_report *report);
bool tcptw_report_has_paws_other(const struct tcptw_report *report);
void tcptw_report_show_tuple_header(struct seq_file *m);
void tcptw_report_show_tuple(struct seq_file *m, const struct tcptw_report *report,
			     const struct tcptw_tuple *tuple);
void tcptw_report_show_paws_header(struct seq_file *m);
void tcptw_report_show_paws(struct seq_file *m, const struct tcptw_report *report,
			    const struct tcptw_paws_row *row, bool is_other);
void tcptw_show_addr(struct seq_file *m, const struct tcptw_addr *addr);
void tcptw_show_endpoint(struct seq_file *m, const struct tcptw_addr *addr,
			 u16 port);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals the KUnit suites in kunit/ call directly. */
struct sock;
void tcptw_rec_fill_peer(struct tcptw_sock_rec *rec, const struct sock *sk);
bool tcptw_tw_inbound(bool listened, u16 local_port, int port_lo,
		      int port_hi);
u64 tcptw_pressure_pct(u64 used, u64 max);
#endif

int tcptw_proc_init(void);
void tcptw_proc_exit(void);
int tcptw_paws_init(void);
void tcptw_paws_exit(void);
void tcptw_debugfs_init(void);
void tcptw_debugfs_exit(void);

#endif /* _TCPTW_H */
