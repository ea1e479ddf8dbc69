// SPDX-License-Identifier: GPL-2.0
/*
 * The per-peer table of one read: sockets folded by remote address, capped at
 * max_peers rows with the rest summed into an "other" row, then sorted.
 */

#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "tcptw.h"

#define TCPTW_PEERS_INITIAL	64U

static void tcptw_peer_init(struct tcptw_peer *peer,
			    const struct tcptw_addr *addr)
{
	memset(peer, 0, sizeof(*peer));
	if (addr)
		peer->addr = *addr;
	peer->tw_ttl_min_ms = U32_MAX;
}

void tcptw_peer_table_init(struct tcptw_peer_table *table, u32 max_peers)
{
	memset(table, 0, sizeof(*table));
	table->max = max_peers;
	/* Remote addresses are chosen by others: seed the hash per read. */
	table->hash_seed = get_random_u32();
	tcptw_peer_init(&table->other, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_init);

static size_t tcptw_peer_table_bytes(const struct tcptw_peer_table *table)
{
	return tcptw_index_bytes(table->alloc, sizeof(*table->peers),
				 table->heads, table->hash_mask);
}

void tcptw_peer_table_destroy(struct tcptw_peer_table *table)
{
	tcptw_mem_sub(table->mem, tcptw_peer_table_bytes(table));
	kvfree(table->peers);
	kvfree(table->heads);
	table->peers = NULL;
	table->heads = NULL;
	table->nr = 0;
	table->alloc = 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_destroy);

/*
 * The peer lookup runs once per socket: an IPv4 peer (v4-mapped, family
 * AF_INET) is hashed as its one word, jhash_1word()'s final round alone,
 * where __ipv6_addr_jhash() (jhash2() over four words) adds a mixing round.
 * Both are seeded per read, as the kernel seeds its own socket hashes:
 * remote addresses are chosen by others.
 */
static __always_inline u32
tcptw_addr_hash(const struct tcptw_peer_table *table,
		const struct tcptw_addr *addr)
{
	if (addr->family == AF_INET)
		return jhash_1word((__force u32)addr->in6.s6_addr32[3],
				   table->hash_seed);
	return __ipv6_addr_jhash(&addr->in6, table->hash_seed);
}

/* Chain row @idx by the hash it was created with. */
static void tcptw_peer_table_link(struct tcptw_peer_table *table, u32 idx)
{
	struct tcptw_peer *peer = &table->peers[idx];
	u32 bucket = peer->hash & table->hash_mask;

	peer->hash_next = table->heads[bucket];
	table->heads[bucket] = idx + 1;
}

/**
 * tcptw_index_grow() - reallocate an index-chained table to @alloc rows
 * @rows: the row array, @nr rows of @size bytes in use; replaced
 * @heads: the chain heads; replaced by a zeroed array of the next power of
 *	   two at or above @alloc entries
 * @hash_mask: set to that number of heads minus one
 * @nr: rows in use, copied over
 * @alloc: rows to allocate
 * @size: the size of a row
 *
 * Shared by the peer and the port tables. The chains are empty afterwards:
 * the caller links its @nr rows again (tcptw_index_resched() between some).
 * The rows are copied a chunk at a time with a reschedule point between
 * chunks: at the caps a table holds up to a hundred megabytes. Sleeps;
 * on failure nothing changes.
 * Return: 0 or -ENOMEM.
 */
int tcptw_index_grow(void **rows, u32 **heads, u32 *hash_mask, u32 nr,
		     u32 alloc, size_t size)
{
	u32 nheads = roundup_pow_of_two(alloc);
	size_t done, chunk;
	void *new_rows;
	u32 *new_heads;

	new_rows = tcptw_alloc_array(alloc, size, false);
	if (!new_rows)
		return -ENOMEM;
	new_heads = tcptw_alloc_array(nheads, sizeof(*new_heads), true);
	if (!new_heads) {
		kvfree(new_rows);
		return -ENOMEM;
	}
	for (done = 0; done < (size_t)nr * size; done += chunk) {
		chunk = min_t(size_t, (size_t)nr * size - done,
			      TCPTW_INDEX_COPY_CHUNK);
		memcpy(new_rows + done, *rows + done, chunk);
		cond_resched();
	}
	kvfree(*rows);
	kvfree(*heads);
	*rows = new_rows;
	*heads = new_heads;
	*hash_mask = nheads - 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_index_grow);

/* Double the rows (up to max) and rebuild the chains over a bigger head array. */
static int tcptw_peer_table_grow(struct tcptw_peer_table *table)
{
	u32 alloc = tcptw_index_alloc(table->alloc, TCPTW_PEERS_INITIAL,
				      table->hint, table->max);
	size_t before = tcptw_peer_table_bytes(table);
	u32 i;
	int err;

	err = tcptw_index_grow((void **)&table->peers, &table->heads,
			       &table->hash_mask, table->nr, alloc,
			       sizeof(*table->peers));
	if (err)
		return err;
	table->alloc = alloc;
	tcptw_mem_add(table->mem, tcptw_peer_table_bytes(table));
	tcptw_mem_sub(table->mem, before);
	for (i = 0; i < table->nr; i++) {
		tcptw_peer_table_link(table, i);
		tcptw_index_resched(i);
	}
	return 0;
}

static __always_inline struct tcptw_peer *
tcptw_peer_table_find(struct tcptw_peer_table *table,
		      const struct tcptw_addr *addr, u32 hash)
{
	u32 idx;

	if (!table->heads)
		return NULL;
	idx = table->heads[hash & table->hash_mask];
	while (idx) {
		struct tcptw_peer *peer = &table->peers[idx - 1];

		if (tcptw_addr_equal(&peer->addr, addr))
			return peer;
		idx = peer->hash_next;
	}
	return NULL;
}

/*
 * The row for @addr, created if there is room; NULL when the cap (or the
 * reader's memory) is reached. Inlined: it runs once per socket.
 */
static __always_inline struct tcptw_peer *
tcptw_peer_table_get(struct tcptw_peer_table *table,
		     const struct tcptw_addr *addr)
{
	u32 hash = tcptw_addr_hash(table, addr);
	struct tcptw_peer *peer = tcptw_peer_table_find(table, addr, hash);

	if (peer || table->nr >= table->max)
		return peer;
	if (table->nr == table->alloc &&
	    tcptw_peer_table_grow(table)) {
		/*
		 * The reader's memory cgroup is at its limit: the rows there
		 * are become the cap, and the rest is summed into "other",
		 * as peers_truncated says (with peers below peers_max).
		 */
		table->max = table->nr;
		return NULL;
	}
	peer = &table->peers[table->nr];
	tcptw_peer_init(peer, addr);
	peer->hash = hash;
	tcptw_peer_table_link(table, table->nr++);
	return peer;
}

static __always_inline void
tcptw_peer_count(struct tcptw_peer *peer, const struct tcptw_sock_rec *rec,
		 bool inbound)
{
	if (rec->state >= TCP_MAX_STATES)
		return;
	peer->states[rec->state]++;
	if (rec->state != TCP_TIME_WAIT)
		return;
	if (inbound)
		peer->tw_in++;
	else
		peer->tw_out++;
	peer->tw_ttl_min_ms = min(peer->tw_ttl_min_ms, rec->tw_ttl_ms);
	peer->tw_ttl_max_ms = max(peer->tw_ttl_max_ms, rec->tw_ttl_ms);
}

/*
 * A socket whose peer finds no row (the cap, or the reader's memory) counts
 * in the "other" row.
 */
static __always_inline void
__tcptw_peer_table_add(struct tcptw_peer_table *table,
		       const struct tcptw_sock_rec *rec, bool inbound)
{
	struct tcptw_peer *peer = tcptw_peer_table_get(table, &rec->peer);

	if (!peer) {
		peer = &table->other;
		table->other_sockets++;
	}
	tcptw_peer_count(peer, rec, inbound);
}

/**
 * tcptw_peer_table_add() - count one socket under its peer
 * @table: the table of this read
 * @rec: the socket
 * @inbound: for TIME_WAIT, whether the peer opened the connection
 */
void tcptw_peer_table_add(struct tcptw_peer_table *table,
			  const struct tcptw_sock_rec *rec, bool inbound)
{
	__tcptw_peer_table_add(table, rec, inbound);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_add);

/**
 * tcptw_peer_table_add_recs() - count a batch of a walk's sockets
 * @table: the table of this read
 * @recs: the sockets, each with its direction in ->inbound
 * @n: how many
 *
 * The walk's inner loop: one call per batch, the lookup inlined, as the
 * cost of a call per socket is most of what the lookup itself costs.
 */
void tcptw_peer_table_add_recs(struct tcptw_peer_table *table,
			       const struct tcptw_sock_rec *recs, u32 n)
{
	u32 j;

	for (j = 0; j < n; j++)
		__tcptw_peer_table_add(table, &recs[j], recs[j].inbound);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_add_recs);

/**
 * tcptw_peer_table_add_paws() - add a PAWS table row's rejects to its peer
 * @table: the table of this read, sockets already added
 * @addr: the remote address
 * @rejects: the row's rejects
 * @nat: the row's nat flag
 *
 * A peer without sockets gets a row of its own while there is room.
 */
void tcptw_peer_table_add_paws(struct tcptw_peer_table *table,
			       const struct tcptw_addr *addr, u64 rejects,
			       bool nat)
{
	struct tcptw_peer *peer;

	peer = addr ? tcptw_peer_table_get(table, addr) : NULL;
	if (!peer)
		peer = &table->other;
	peer->paws += rejects;
	peer->nat |= nat;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_add_paws);

/* Most TIME-WAIT first, then most PAWS rejects, then by address. */
static __always_inline bool tcptw_peer_before(const void *rows, u32 a, u32 b)
{
	const struct tcptw_peer *pa = (const struct tcptw_peer *)rows + a;
	const struct tcptw_peer *pb = (const struct tcptw_peer *)rows + b;
	u32 twa = pa->states[TCP_TIME_WAIT], twb = pb->states[TCP_TIME_WAIT];

	if (twa != twb)
		return twa > twb;
	if (pa->paws != pb->paws)
		return pa->paws > pb->paws;
	return tcptw_addr_cmp(&pa->addr, &pb->addr) < 0;
}

/*
 * Sort rows for output. The hash chains are dropped, no lookups after this:
 * their head array, at least a u32 per row, is the sort's index.
 */
void tcptw_peer_table_sort(struct tcptw_peer_table *table)
{
	tcptw_index_sort(table->peers, sizeof(*table->peers), table->nr,
			 table->nr, &table->heads, table->hash_mask, table->mem,
			 tcptw_peer_before);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_peer_table_sort);
