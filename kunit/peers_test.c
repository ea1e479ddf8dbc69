// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the per-peer table (insert, merge, cap and "other", sort order,
 * TIME-WAIT TTL and direction, PAWS rejects merged in), peer address
 * normalisation, and the small math behind the summary, table-driven.
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "tcptw.h"
#include "tcptw_test.h"

static struct tcptw_sock_rec tcptw_test_rec4(__be32 addr, u8 state, u32 ttl)
{
	struct tcptw_sock_rec rec = { .state = state, .tw_ttl_ms = ttl };

	ipv6_addr_set_v4mapped(addr, &rec.peer.in6);
	rec.peer.family = AF_INET;
	return rec;
}

static struct tcptw_sock_rec tcptw_test_rec6(const char *addr, u8 state)
{
	struct tcptw_sock_rec rec = { .state = state };

	WARN_ON(in6_pton(addr, -1, rec.peer.in6.s6_addr, -1, NULL) != 1);
	rec.peer.family = AF_INET6;
	return rec;
}

static void tcptw_test_add(struct kunit *test, struct tcptw_peer_table *table,
			   struct tcptw_sock_rec rec, bool inbound)
{
	tcptw_peer_table_add(table, &rec, inbound);
}

static void peer_table_insert_one(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_peer *p;

	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0xc0000207), TCP_ESTABLISHED, 0),
		       false);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	p = &table->peers[0];
	KUNIT_EXPECT_EQ(test, p->addr.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(p->addr.in6.s6_addr32[3]), 0xc0000207);
	KUNIT_EXPECT_EQ(test, p->states[TCP_ESTABLISHED], 1U);
	KUNIT_EXPECT_EQ(test, p->states[TCP_TIME_WAIT], 0U);
	KUNIT_EXPECT_EQ(test, table->other_sockets, 0ULL);
}

static void peer_table_merge_same_peer(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	__be32 a = htonl(0x0a000001);

	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_ESTABLISHED, 0), false);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_ESTABLISHED, 0), false);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_CLOSE_WAIT, 0), false);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_ESTABLISHED], 2U);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_CLOSE_WAIT], 1U);
}

/* The same 16 bytes under two families are two peers. */
static void peer_table_family_distinguishes(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_sock_rec v4 = tcptw_test_rec4(htonl(0x7f000001),
						   TCP_ESTABLISHED, 0);
	struct tcptw_sock_rec v6 = v4;

	v6.peer.family = AF_INET6;
	tcptw_test_add(test, table, v4, false);
	tcptw_test_add(test, table, v6, false);
	KUNIT_EXPECT_EQ(test, table->nr, 2U);
}

static void peer_table_cap_sums_into_other(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 2);
	u32 i;

	for (i = 1; i <= 5; i++)
		tcptw_test_add(test, table,
			       tcptw_test_rec4(htonl(0x0a000000 + i),
					       TCP_TIME_WAIT, 1000 * i), true);
	/* A peer that has a row keeps counting there after the cap. */
	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0x0a000001), TCP_ESTABLISHED, 0),
		       false);
	KUNIT_ASSERT_EQ(test, table->nr, 2U);
	KUNIT_EXPECT_EQ(test, table->other_sockets, 3ULL);
	KUNIT_EXPECT_EQ(test, table->other.states[TCP_TIME_WAIT], 3U);
	KUNIT_EXPECT_EQ(test, table->other.tw_in, 3U);
	KUNIT_EXPECT_EQ(test, table->other.tw_ttl_min_ms, 3000U);
	KUNIT_EXPECT_EQ(test, table->other.tw_ttl_max_ms, 5000U);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_ESTABLISHED], 1U);
}

/*
 * The growth rule: doubling; the last read's size taken at the first grow
 * past the first allocation, never at that allocation; the cap over both.
 */
static void index_alloc_hint(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(0, 64, 0, 1000), 64U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(64, 64, 0, 1000), 128U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(0, 64, 500, 1000), 64U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(64, 64, 500, 1000), 500U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(64, 64, 100, 1000), 128U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(512, 64, 500, 1000), 1000U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(64, 64, 5000, 1000), 1000U);
	KUNIT_EXPECT_EQ(test, tcptw_index_alloc(0, 64, 0, 10), 10U);
}

/* A table with a hint grows to it once, then doubles; lookups still merge. */
static void peer_table_grows_to_hint(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 100000);
	u32 i, round;

	table->hint = 300;
	for (round = 0; round < 2; round++)
		for (i = 0; i < 301; i++) {
			tcptw_test_add(test, table,
				       tcptw_test_rec4(htonl(0x0a020000 + i),
						       TCP_TIME_WAIT, 5), true);
			if (!round && i == 63)
				KUNIT_EXPECT_EQ(test, table->alloc, 64U);
			if (!round && i == 64)
				KUNIT_EXPECT_EQ(test, table->alloc, 300U);
		}
	KUNIT_EXPECT_EQ(test, table->alloc, 600U);
	KUNIT_ASSERT_EQ(test, table->nr, 301U);
	for (i = 0; i < table->nr; i++)
		KUNIT_EXPECT_EQ(test, table->peers[i].states[TCP_TIME_WAIT], 2U);
	KUNIT_EXPECT_EQ(test, table->other_sockets, 0ULL);
}

/* Past the first allocation the table grows and rehashes; lookups still merge. */
static void peer_table_grows_and_merges(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 100000);
	u32 i, round;

	for (round = 0; round < 2; round++)
		for (i = 0; i < 3000; i++)
			tcptw_test_add(test, table,
				       tcptw_test_rec4(htonl(0x0a010000 + i),
						       TCP_TIME_WAIT, 5), true);
	KUNIT_ASSERT_EQ(test, table->nr, 3000U);
	for (i = 0; i < table->nr; i++)
		KUNIT_EXPECT_EQ(test, table->peers[i].states[TCP_TIME_WAIT], 2U);
	KUNIT_EXPECT_EQ(test, table->other_sockets, 0ULL);
}

static void peer_table_sort_order(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_peer *p;

	/* 3 TIME-WAIT for 10.0.0.10, 1 each for the rest. */
	tcptw_test_add(test, table, tcptw_test_rec6("2001:db8::1", TCP_TIME_WAIT), true);
	tcptw_test_add(test, table, tcptw_test_rec4(htonl(0x0a00000a), TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec4(htonl(0x0a00000a), TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec4(htonl(0x0a00000a), TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec4(htonl(0x0a000002), TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec6("::1", TCP_TIME_WAIT), true);
	/* No TIME-WAIT at all: last. */
	tcptw_test_add(test, table, tcptw_test_rec4(htonl(0x01020304), TCP_ESTABLISHED, 0), false);
	tcptw_peer_table_sort(table);
	KUNIT_ASSERT_EQ(test, table->nr, 5U);
	p = table->peers;
	KUNIT_EXPECT_EQ(test, ntohl(p[0].addr.in6.s6_addr32[3]), 0x0a00000a);
	/* Ties: IPv4 before IPv6, then numeric: 10.0.0.2, ::1, 2001:db8::1. */
	KUNIT_EXPECT_EQ(test, ntohl(p[1].addr.in6.s6_addr32[3]), 0x0a000002);
	KUNIT_EXPECT_EQ(test, p[2].addr.family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_loopback(&p[2].addr.in6));
	KUNIT_EXPECT_EQ(test, p[3].addr.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, ntohl(p[3].addr.in6.s6_addr32[0]), 0x20010db8);
	KUNIT_EXPECT_EQ(test, ntohl(p[4].addr.in6.s6_addr32[3]), 0x01020304);
}

/* tw first, then paws, then the address: a TIME-WAIT count outranks any paws. */
static void peer_table_sort_tw_then_paws(struct kunit *test)
{
	static const struct {
		u32 addr;
		u32 tw;
		u64 paws;
	} rows[] = {
		/* Added in an order that sorts differently on every key. */
		{ 0x0a000005, 0, 0 },
		{ 0x0a000004, 1, 3 },
		{ 0x0a000006, 0, 100 },
		{ 0x0a000003, 1, 9 },
		{ 0x0a000002, 1, 3 },
		{ 0x0a000009, 2, 0 },
	};
	/*
	 * Expected order, as indexes into rows[]: paws decides against the
	 * address order (.03 before .02, .06 before .05), the address breaks
	 * the remaining tie (.02 before .04).
	 */
	static const int want[] = { 5, 3, 4, 1, 2, 0 };
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_addr addr;
	u32 i, n;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		addr = tcptw_test_addr4(rows[i].addr);
		/* A peer with neither gets its row from an ESTABLISHED socket. */
		tcptw_test_add(test, table,
			       tcptw_test_rec4(htonl(rows[i].addr),
					       TCP_ESTABLISHED, 0), false);
		for (n = 0; n < rows[i].tw; n++)
			tcptw_test_add(test, table,
				       tcptw_test_rec4(htonl(rows[i].addr),
						       TCP_TIME_WAIT, 1), true);
		if (rows[i].paws)
			tcptw_peer_table_add_paws(table, &addr, rows[i].paws, false);
	}
	tcptw_peer_table_sort(table);
	KUNIT_ASSERT_EQ(test, table->nr, (u32)ARRAY_SIZE(rows));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    ntohl(table->peers[i].addr.in6.s6_addr32[3]),
				    rows[want[i]].addr, "row %u", i);
}

/* A peer with PAWS rejects and no socket left gets a row of its own. */
static void peer_table_paws_without_sockets(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_addr b = tcptw_test_addr4(0xcb007107);
	const struct tcptw_peer *p;
	u32 s, sum = 0;

	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0xc0000207), TCP_TIME_WAIT, 1), true);
	tcptw_peer_table_add_paws(table, &b, 5, true);
	KUNIT_ASSERT_EQ(test, table->nr, 2U);
	p = &table->peers[1];
	KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&p->addr, &b));
	KUNIT_EXPECT_EQ(test, p->paws, 5ULL);
	KUNIT_EXPECT_TRUE(test, p->nat);
	for (s = 0; s < TCP_MAX_STATES; s++)
		sum += p->states[s];
	KUNIT_EXPECT_EQ(test, sum + p->tw_in + p->tw_out, 0U);
	/* Rendered as "-": no TIME-WAIT was seen. */
	KUNIT_EXPECT_EQ(test, p->tw_ttl_min_ms, U32_MAX);
	/* The socket's peer is untouched. */
	KUNIT_EXPECT_EQ(test, table->peers[0].paws, 0ULL);
	KUNIT_EXPECT_FALSE(test, table->peers[0].nat);
	KUNIT_EXPECT_EQ(test, table->other.paws, 0ULL);
}

/*
 * One peer, several PAWS rows (one per local port): rejects add up, nat is
 * set by any row and cleared by none. An IPv4-mapped address is the IPv4
 * peer.
 */
static void peer_table_paws_sums_and_ors(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	struct tcptw_addr a = tcptw_test_addr4(0xc0000207);
	struct tcptw_addr mapped = tcptw_test_addr6(test, "::ffff:192.0.2.7");

	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0xc0000207), TCP_ESTABLISHED, 0),
		       false);
	tcptw_peer_table_add_paws(table, &a, 3, false);
	KUNIT_EXPECT_FALSE(test, table->peers[0].nat);
	tcptw_peer_table_add_paws(table, &a, 4, true);
	tcptw_peer_table_add_paws(table, &mapped, 1, false);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->peers[0].paws, 8ULL);
	KUNIT_EXPECT_TRUE(test, table->peers[0].nat);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_ESTABLISHED], 1U);
}

/* Past the cap, PAWS rejects of a peer without a row go to "other". */
static void peer_table_paws_cap_other(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 1);
	struct tcptw_addr a = tcptw_test_addr4(0x0a000001);
	struct tcptw_addr b = tcptw_test_addr4(0x0a000002);

	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0x0a000001), TCP_TIME_WAIT, 1), true);
	tcptw_peer_table_add_paws(table, &b, 6, true);
	KUNIT_EXPECT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->other.paws, 6ULL);
	KUNIT_EXPECT_TRUE(test, table->other.nat);
	/* No socket went there: peers_truncated stays 0. */
	KUNIT_EXPECT_EQ(test, table->other_sockets, 0ULL);
	/* The PAWS table's own "other" row has no address. */
	tcptw_peer_table_add_paws(table, NULL, 2, false);
	KUNIT_EXPECT_EQ(test, table->other.paws, 8ULL);
	/* A peer that has a row keeps counting there. */
	tcptw_peer_table_add_paws(table, &a, 1, false);
	KUNIT_EXPECT_EQ(test, table->peers[0].paws, 1ULL);
	KUNIT_EXPECT_FALSE(test, table->peers[0].nat);
	KUNIT_EXPECT_EQ(test, table->other.paws, 8ULL);
}

static void peer_table_ttl_min_max(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	__be32 a = htonl(0xc6336401);

	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 500), true);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 100), true);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 59900), true);
	/* Other states carry no TTL and must not disturb it. */
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_FIN_WAIT2, 0), false);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->peers[0].tw_ttl_min_ms, 100U);
	KUNIT_EXPECT_EQ(test, table->peers[0].tw_ttl_max_ms, 59900U);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_FIN_WAIT2], 1U);
}

static void peer_table_tw_direction(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	__be32 a = htonl(0xc6336402);

	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 1), true);
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_TIME_WAIT, 1), false);
	/* The flag only matters for TIME_WAIT. */
	tcptw_test_add(test, table, tcptw_test_rec4(a, TCP_ESTABLISHED, 0), true);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->peers[0].tw_in, 2U);
	KUNIT_EXPECT_EQ(test, table->peers[0].tw_out, 1U);
	KUNIT_EXPECT_EQ(test, table->peers[0].states[TCP_TIME_WAIT], 3U);
}

static void peer_table_ignores_unknown_state(struct kunit *test)
{
	struct tcptw_peer_table *table = tcptw_test_peer_table(test, 16);
	u32 s, sum = 0;

	tcptw_test_add(test, table,
		       tcptw_test_rec4(htonl(0x0a000009), TCP_MAX_STATES, 0), false);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	for (s = 0; s < TCP_MAX_STATES; s++)
		sum += table->peers[0].states[s];
	KUNIT_EXPECT_EQ(test, sum, 0U);
}

/* tcptw_rec_fill_peer() reads only sock_common fields: a zeroed sock will do. */
static struct sock *tcptw_test_sock(struct kunit *test, u16 family)
{
	struct sock *sk = kunit_kzalloc(test, sizeof(*sk), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sk);
	sk->sk_family = family;
	return sk;
}

/*
 * A walk's batch, added at once, gives the rows one socket at a time gives:
 * same peers in the same order, same counts, direction taken from
 * ->inbound. Peers of both families, two hashed into one batch, TIME_WAIT
 * both ways.
 */
static void peer_table_add_recs_as_one_by_one(struct kunit *test)
{
	struct tcptw_peer_table *batch = tcptw_test_peer_table(test, 16);
	struct tcptw_peer_table *single = tcptw_test_peer_table(test, 16);
	const u32 nr = 200;
	struct tcptw_sock_rec *recs;
	u32 i, s;

	recs = kunit_kcalloc(test, nr, sizeof(*recs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, recs);
	for (i = 0; i < nr; i++) {
		if (i % 7 == 3)
			recs[i] = tcptw_test_rec6("2001:db8::5", TCP_TIME_WAIT);
		else
			recs[i] = tcptw_test_rec4(htonl(0xc6336400 + i % 23),
						  i % 3 ? TCP_TIME_WAIT :
							  TCP_ESTABLISHED,
						  1000 + i);
		recs[i].inbound = i % 2;
		tcptw_peer_table_add(single, &recs[i], recs[i].inbound);
	}
	tcptw_peer_table_add_recs(batch, recs, 50);
	tcptw_peer_table_add_recs(batch, recs + 50, nr - 50);

	/* 23 IPv4 peers and one IPv6 peer: more than the cap of 16. */
	KUNIT_ASSERT_EQ(test, batch->nr, single->nr);
	KUNIT_EXPECT_EQ(test, batch->nr, 16U);
	KUNIT_EXPECT_EQ(test, batch->other_sockets, single->other_sockets);
	KUNIT_EXPECT_GT(test, batch->other_sockets, 0ULL);
	for (i = 0; i <= batch->nr; i++) {
		const struct tcptw_peer *b = i < batch->nr ? &batch->peers[i] :
							     &batch->other;
		const struct tcptw_peer *o = i < single->nr ? &single->peers[i] :
							      &single->other;

		KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&b->addr, &o->addr));
		for (s = 0; s < TCP_MAX_STATES; s++)
			KUNIT_EXPECT_EQ(test, b->states[s], o->states[s]);
		KUNIT_EXPECT_EQ(test, b->tw_in, o->tw_in);
		KUNIT_EXPECT_EQ(test, b->tw_out, o->tw_out);
		KUNIT_EXPECT_EQ(test, b->tw_ttl_min_ms, o->tw_ttl_min_ms);
		KUNIT_EXPECT_EQ(test, b->tw_ttl_max_ms, o->tw_ttl_max_ms);
	}
}

static void peer_addr_ipv4(struct kunit *test)
{
	struct sock *sk = tcptw_test_sock(test, AF_INET);
	struct tcptw_sock_rec rec;

	sk->sk_daddr = htonl(0xcb007107);
	tcptw_rec_fill_peer(&rec, sk);
	KUNIT_EXPECT_EQ(test, rec.peer.family, AF_INET);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_v4mapped(&rec.peer.in6));
	KUNIT_EXPECT_EQ(test, ntohl(rec.peer.in6.s6_addr32[3]), 0xcb007107);
}

static void peer_addr_v4mapped_is_ipv4(struct kunit *test)
{
	struct sock *v6 = tcptw_test_sock(test, AF_INET6);
	struct sock *v4 = tcptw_test_sock(test, AF_INET);
	struct tcptw_sock_rec a, b;

	ipv6_addr_set_v4mapped(htonl(0xcb007107), &v6->sk_v6_daddr);
	v4->sk_daddr = htonl(0xcb007107);
	tcptw_rec_fill_peer(&a, v6);
	tcptw_rec_fill_peer(&b, v4);
	KUNIT_EXPECT_EQ(test, a.peer.family, AF_INET);
	KUNIT_EXPECT_EQ(test, a.peer.family, b.peer.family);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&a.peer.in6, &b.peer.in6));
}

static void peer_addr_ipv6(struct kunit *test)
{
	struct sock *sk = tcptw_test_sock(test, AF_INET6);
	struct tcptw_sock_rec rec;

	KUNIT_ASSERT_EQ(test, in6_pton("2001:db8::7", -1,
				       sk->sk_v6_daddr.s6_addr, -1, NULL), 1);
	tcptw_rec_fill_peer(&rec, sk);
	KUNIT_EXPECT_EQ(test, rec.peer.family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&rec.peer.in6, &sk->sk_v6_daddr));
}

static struct kunit_case tcptw_peers_cases[] = {
	KUNIT_CASE(peer_table_insert_one),
	KUNIT_CASE(peer_table_merge_same_peer),
	KUNIT_CASE(peer_table_family_distinguishes),
	KUNIT_CASE(peer_table_cap_sums_into_other),
	KUNIT_CASE(index_alloc_hint),
	KUNIT_CASE(peer_table_grows_to_hint),
	KUNIT_CASE(peer_table_grows_and_merges),
	KUNIT_CASE(peer_table_sort_order),
	KUNIT_CASE(peer_table_sort_tw_then_paws),
	KUNIT_CASE(peer_table_paws_without_sockets),
	KUNIT_CASE(peer_table_paws_sums_and_ors),
	KUNIT_CASE(peer_table_paws_cap_other),
	KUNIT_CASE(peer_table_ttl_min_max),
	KUNIT_CASE(peer_table_tw_direction),
	KUNIT_CASE(peer_table_ignores_unknown_state),
	KUNIT_CASE(peer_table_add_recs_as_one_by_one),
	KUNIT_CASE(peer_addr_ipv4),
	KUNIT_CASE(peer_addr_v4mapped_is_ipv4),
	KUNIT_CASE(peer_addr_ipv6),
	{}
};

static struct kunit_suite tcptw_peers_suite = {
	.name = "tcptw_peers",
	.test_cases = tcptw_peers_cases,
};

/* Small math, table-driven ------------------------------------------------ */

struct tcptw_pct_case {
	u64 used, max, want;
	const char *desc;
};

static const struct tcptw_pct_case tcptw_pct_cases[] = {
	{ 0, 262144, 0, "empty" },
	{ 1, 3, 33, "rounds down" },
	{ 2, 3, 66, "rounds down, not to nearest" },
	{ 99, 100, 99, "just below full" },
	{ 131072, 262144, 50, "half of the default limit" },
	{ 262144, 262144, 100, "at the limit" },
	{ 150, 100, 150, "above a lowered limit" },
	{ 0, 0, 100, "zero limit, nothing used" },
	{ 5, 0, 100, "zero limit, some used" },
	{ 4294967295ULL, 4294967296ULL, 99, "no 32-bit overflow" },
};

static void tcptw_pct_desc(const struct tcptw_pct_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_pct, tcptw_pct_cases, tcptw_pct_desc);

static void pressure_pct(struct kunit *test)
{
	const struct tcptw_pct_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tcptw_pressure_pct(c->used, c->max), c->want);
}

struct tcptw_dir_case {
	bool listened;
	u16 port;
	int lo, hi;
	bool inbound;
	const char *desc;
};

static const struct tcptw_dir_case tcptw_dir_cases[] = {
	{ true, 80, 32768, 60999, true, "service port with a listener" },
	{ true, 40000, 32768, 60999, true, "listener inside the ephemeral range" },
	{ false, 40000, 32768, 60999, false, "ephemeral port: we connected" },
	{ false, 32768, 32768, 60999, false, "low end of the range" },
	{ false, 60999, 32768, 60999, false, "high end of the range" },
	{ false, 32767, 32768, 60999, true, "just below the range" },
	{ false, 61000, 32768, 60999, true, "just above the range" },
	{ false, 443, 32768, 60999, true, "service port whose listener is gone" },
	{ false, 1024, 1024, 65535, false, "widened range" },
};

static void tcptw_dir_desc(const struct tcptw_dir_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_dir, tcptw_dir_cases, tcptw_dir_desc);

static void tw_direction_rule(struct kunit *test)
{
	const struct tcptw_dir_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tcptw_tw_inbound(c->listened, c->port, c->lo, c->hi),
			c->inbound);
}

static struct kunit_case tcptw_math_cases[] = {
	KUNIT_CASE_PARAM(pressure_pct, tcptw_pct_gen_params),
	KUNIT_CASE_PARAM(tw_direction_rule, tcptw_dir_gen_params),
	{}
};

static struct kunit_suite tcptw_math_suite = {
	.name = "tcptw_math",
	.test_cases = tcptw_math_cases,
};

kunit_test_suites(&tcptw_peers_suite, &tcptw_math_suite);
