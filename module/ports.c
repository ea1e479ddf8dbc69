// SPDX-License-Identifier: GPL-2.0
/*
 * The port table of one read: outbound sockets counted per (local address,
 * remote address, remote port). connect() needs a local port no other
 * socket of that tuple holds, in any state, so "used" against the size of
 * ip_local_port_range is how close the tuple is to EADDRNOTAVAIL.
 */

#include <linux/jhash.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "tcptw.h"

#define TCPTW_TUPLES_INITIAL	64U
/*
 * A tuple holds at least one socket, so the table never outgrows the
 * sockets walked; the limit only bounds one read's memory on absurd hosts.
 */
#define TCPTW_TUPLES_LIMIT	TCPTW_MAX_PEERS_LIMIT

void tcptw_tuple_table_init(struct tcptw_tuple_table *table)
{
	memset(table, 0, sizeof(*table));
	/* Remote addresses are chosen by others: seed the hash per read. */
	table->hash_seed = get_random_u32();
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_table_init);

static size_t tcptw_tuple_table_bytes(const struct tcptw_tuple_table *table)
{
	return tcptw_index_bytes(table->alloc, sizeof(*table->tuples),
				 table->heads, table->hash_mask);
}

void tcptw_tuple_table_destroy(struct tcptw_tuple_table *table)
{
	tcptw_mem_sub(table->mem, tcptw_tuple_table_bytes(table));
	kvfree(table->tuples);
	kvfree(table->heads);
	table->tuples = NULL;
	table->heads = NULL;
	table->nr = 0;
	table->alloc = 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_table_destroy);

/*
 * As the peer table's hash, once per outbound socket: an IPv4 tuple (both
 * ends AF_INET) is three words and one jhash round; an IPv6 one hashes each
 * address with jhash2().
 */
static __always_inline u32
tcptw_tuple_hash(const struct tcptw_tuple_table *table,
		 const struct tcptw_addr *local, const struct tcptw_addr *remote,
		 u16 port)
{
	u32 h;

	if (local->family == AF_INET && remote->family == AF_INET)
		return jhash_3words((__force u32)local->in6.s6_addr32[3],
				    (__force u32)remote->in6.s6_addr32[3],
				    port, table->hash_seed);
	h = __ipv6_addr_jhash(&remote->in6, table->hash_seed ^ port);
	return __ipv6_addr_jhash(&local->in6, h);
}

/* Chain tuple @idx by the hash it was created with. */
static void tcptw_tuple_link(struct tcptw_tuple_table *table, u32 idx)
{
	struct tcptw_tuple *t = &table->tuples[idx];
	u32 b = t->hash & table->hash_mask;

	t->hash_next = table->heads[b];
	table->heads[b] = idx + 1;
}

static int tcptw_tuple_table_grow(struct tcptw_tuple_table *table)
{
	u32 alloc = tcptw_index_alloc(table->alloc, TCPTW_TUPLES_INITIAL,
				      table->hint, TCPTW_TUPLES_LIMIT);
	size_t before = tcptw_tuple_table_bytes(table);
	u32 i;
	int err;

	err = tcptw_index_grow((void **)&table->tuples, &table->heads,
			       &table->hash_mask, table->nr, alloc,
			       sizeof(*table->tuples));
	if (err)
		return err;
	table->alloc = alloc;
	tcptw_mem_add(table->mem, tcptw_tuple_table_bytes(table));
	tcptw_mem_sub(table->mem, before);
	for (i = 0; i < table->nr; i++) {
		tcptw_tuple_link(table, i);
		tcptw_index_resched(i);
	}
	return 0;
}

static __always_inline int
__tcptw_tuple_table_add(struct tcptw_tuple_table *table,
			const struct tcptw_sock_rec *rec)
{
	u32 hash = tcptw_tuple_hash(table, &rec->local, &rec->peer,
				    rec->remote_port);
	struct tcptw_tuple *t;
	u32 idx;
	int err;

	if (table->heads) {
		idx = table->heads[hash & table->hash_mask];
		while (idx) {
			t = &table->tuples[idx - 1];
			if (t->remote_port == rec->remote_port &&
			    tcptw_addr_equal(&t->remote, &rec->peer) &&
			    tcptw_addr_equal(&t->local, &rec->local)) {
				t->used++;
				return 0;
			}
			idx = t->hash_next;
		}
	}
	if (table->nr == table->alloc) {
		if (table->alloc >= TCPTW_TUPLES_LIMIT) {
			table->untracked++;
			return 0;
		}
		err = tcptw_tuple_table_grow(table);
		if (err)
			return err;
	}
	t = &table->tuples[table->nr];
	memset(t, 0, sizeof(*t));
	t->local = rec->local;
	t->remote = rec->peer;
	t->remote_port = rec->remote_port;
	t->hash = hash;
	t->used = 1;
	tcptw_tuple_link(table, table->nr++);
	return 0;
}

/**
 * tcptw_tuple_table_add() - count one outbound socket under its tuple
 * @table: the table of this read
 * @rec: the socket; its local port is inside ip_local_port_range and no
 *	 socket of the namespace listens on it
 *
 * Return: 0, or -ENOMEM when a new tuple was due and could not be allocated.
 */
int tcptw_tuple_table_add(struct tcptw_tuple_table *table,
			  const struct tcptw_sock_rec *rec)
{
	return __tcptw_tuple_table_add(table, rec);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_table_add);

/**
 * tcptw_tuple_table_add_recs() - count a batch of a walk's outbound sockets
 * @table: the table of this read
 * @recs: the sockets; those with ->inbound set are skipped
 * @n: how many
 *
 * One call per batch, as tcptw_peer_table_add_recs().
 * Return: 0, or -ENOMEM as tcptw_tuple_table_add().
 */
int tcptw_tuple_table_add_recs(struct tcptw_tuple_table *table,
			       const struct tcptw_sock_rec *recs, u32 n)
{
	u32 j;
	int err;

	for (j = 0; j < n; j++) {
		if (recs[j].inbound)
			continue;
		err = __tcptw_tuple_table_add(table, &recs[j]);
		if (err)
			return err;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_table_add_recs);

/* 100 * used / range, rounded down; an empty range is full. */
u64 tcptw_tuple_pct(u32 used, u32 range)
{
	if (!range)
		return 100;
	return div_u64((u64)used * 100, range);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_pct);

/*
 * Most used first. Within one report every tuple has the same range, so pct
 * order is used order; sorting on used keeps the comparison free of the range.
 */
static __always_inline bool tcptw_tuple_before(const void *rows, u32 a, u32 b)
{
	const struct tcptw_tuple *ta = (const struct tcptw_tuple *)rows + a;
	const struct tcptw_tuple *tb = (const struct tcptw_tuple *)rows + b;
	int r;

	if (ta->used != tb->used)
		return ta->used > tb->used;
	r = tcptw_addr_cmp(&ta->local, &tb->local);
	if (r)
		return r < 0;
	r = tcptw_addr_cmp(&ta->remote, &tb->remote);
	if (r)
		return r < 0;
	return ta->remote_port < tb->remote_port;
}

/**
 * tcptw_tuple_table_sort() - order the tuples shown, most used first
 * @table: the table of this read; no lookups after this (the hash chains'
 *	   head array, at least a u32 per tuple, is the sort's index)
 * @shown: how many rows are shown: those come first, in order, the others
 *	   after them in no order (the report shows max_tuples of them)
 */
void tcptw_tuple_table_sort(struct tcptw_tuple_table *table, u32 shown)
{
	tcptw_index_sort(table->tuples, sizeof(*table->tuples), table->nr,
			 shown, &table->heads, table->hash_mask, table->mem,
			 tcptw_tuple_before);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_tuple_table_sort);
