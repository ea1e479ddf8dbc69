// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the port table. What makes two outbound sockets one tuple (local
 * address, remote address, remote port; nothing else), its growth and sort
 * order, pct, and the rows of the port table as literal text.
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/seq_file.h>
#include <net/ipv6.h>

#include "tcptw.h"
#include "tcptw_test.h"

static struct tcptw_sock_rec tcptw_test_out(struct tcptw_addr local,
					    u16 local_port,
					    struct tcptw_addr remote,
					    u16 remote_port, u8 state)
{
	return (struct tcptw_sock_rec){
		.local = local,
		.local_port = local_port,
		.peer = remote,
		.remote_port = remote_port,
		.state = state,
	};
}

static void tcptw_test_tuple_add(struct kunit *test,
				 struct tcptw_tuple_table *table,
				 struct tcptw_sock_rec rec)
{
	KUNIT_ASSERT_EQ(test, tcptw_tuple_table_add(table, &rec), 0);
}

/* The tuple of @local, @remote, @port, or NULL. */
static const struct tcptw_tuple *
tcptw_test_find(const struct tcptw_tuple_table *table,
		const struct tcptw_addr *local, const struct tcptw_addr *remote,
		u16 port)
{
	u32 i;

	for (i = 0; i < table->nr; i++) {
		const struct tcptw_tuple *t = &table->tuples[i];

		if (t->remote_port == port && tcptw_addr_equal(&t->local, local) &&
		    tcptw_addr_equal(&t->remote, remote))
			return t;
	}
	return NULL;
}

/* Every socket of a tuple holds one port, whatever its own port and state. */
static void tuple_same_tuple_counted_per_socket(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local = tcptw_test_addr4(0x0a000002);
	struct tcptw_addr remote = tcptw_test_addr4(0xc0000209);
	static const u8 states[] = { TCP_ESTABLISHED, TCP_TIME_WAIT, TCP_SYN_SENT,
				     TCP_FIN_WAIT2, TCP_TIME_WAIT };
	u32 i;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		tcptw_test_tuple_add(test, table,
				     tcptw_test_out(local, 40000 + i, remote,
						    5432, states[i]));
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->tuples[0].used, (u32)ARRAY_SIZE(states));
	KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&table->tuples[0].local, &local));
	KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&table->tuples[0].remote, &remote));
	KUNIT_EXPECT_EQ(test, table->tuples[0].remote_port, 5432);
	KUNIT_EXPECT_EQ(test, table->untracked, 0ULL);
}

struct tcptw_tuple_case {
	const char *desc;
	const char *local, *remote;	/* IPv6 notation; ::ffff:a.b.c.d is IPv4 */
	u16 port;
	bool v6_family;			/* force AF_INET6 onto the bytes */
};

/*
 * Each differs from the first in one thing and is a tuple of its own, except
 * where the comment says it is the first again.
 */
static const struct tcptw_tuple_case tcptw_tuple_cases[] = {
	{ "first", "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5432 },
	{ "other local address", "::ffff:10.0.0.3", "::ffff:192.0.2.9", 5432 },
	{ "other remote address", "::ffff:10.0.0.2", "::ffff:192.0.2.10", 5432 },
	{ "other remote port", "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5433 },
	{ "IPv6", "fd00::2", "fd00::9", 5432 },
	{ "IPv6, other local address", "fd00::3", "fd00::9", 5432 },
	{ "IPv6, other remote address", "fd00::2", "fd00::a", 5432 },
	{ "IPv6, other remote port", "fd00::2", "fd00::9", 5433 },
	/* Same 16 bytes as "first" under AF_INET6: not the IPv4 tuple. */
	{ "family alone", "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5432, true },
};

static void tuple_distinct_tuples(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local, remote;
	u32 i, round;

	/* Twice over: the second round must find every tuple again. */
	for (round = 1; round <= 2; round++) {
		for (i = 0; i < ARRAY_SIZE(tcptw_tuple_cases); i++) {
			const struct tcptw_tuple_case *c = &tcptw_tuple_cases[i];

			local = tcptw_test_addr6(test, c->local);
			remote = tcptw_test_addr6(test, c->remote);
			if (c->v6_family) {
				local.family = AF_INET6;
				remote.family = AF_INET6;
			}
			tcptw_test_tuple_add(test, table,
					     tcptw_test_out(local, 50000, remote,
							    c->port,
							    TCP_ESTABLISHED));
			KUNIT_EXPECT_EQ_MSG(test, table->nr, round == 1 ? i + 1 :
					    (u32)ARRAY_SIZE(tcptw_tuple_cases),
					    "%s, round %u", c->desc, round);
		}
	}
	for (i = 0; i < table->nr; i++)
		KUNIT_EXPECT_EQ(test, table->tuples[i].used, 2U);
}

/* A v4-mapped socket (a dual-stack one) and an IPv4 one share the tuple. */
static void tuple_v4mapped_is_ipv4(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local4 = tcptw_test_addr4(0x0a000002);
	struct tcptw_addr remote4 = tcptw_test_addr4(0xc0000209);
	struct tcptw_sock_rec mapped = { .state = TCP_ESTABLISHED,
					 .local_port = 40001,
					 .remote_port = 5432 };
	struct in6_addr in6;

	tcptw_test_tuple_add(test, table,
			     tcptw_test_out(local4, 40000, remote4, 5432,
					    TCP_ESTABLISHED));
	/* What tcptw_rec_fill_peer() makes of an AF_INET6 socket's addresses. */
	ipv6_addr_set_v4mapped(htonl(0x0a000002), &in6);
	tcptw_addr_from_v6(&mapped.local, &in6);
	ipv6_addr_set_v4mapped(htonl(0xc0000209), &in6);
	tcptw_addr_from_v6(&mapped.peer, &in6);
	tcptw_test_tuple_add(test, table, mapped);
	KUNIT_ASSERT_EQ(test, table->nr, 1U);
	KUNIT_EXPECT_EQ(test, table->tuples[0].used, 2U);
	KUNIT_EXPECT_EQ(test, table->tuples[0].local.family, AF_INET);
}

/*
 * Past the first allocation the table grows and rehashes; lookups still
 * merge. 2000 tuples over 20 local addresses, 10 remote addresses and 10
 * ports share hash chains often enough that a lookup which ignored any of
 * the three would merge two of them.
 */
static void tuple_table_grows_and_merges(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local, remote;
	u32 i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 2000; i++) {
			local = tcptw_test_addr4(0x0a000000 + i % 20);
			remote = tcptw_test_addr4(0xc6120000 + i / 20 % 10);
			tcptw_test_tuple_add(test, table,
					     tcptw_test_out(local, 32768 + round,
							    remote, 80 + i / 200,
							    TCP_TIME_WAIT));
		}
	}
	KUNIT_ASSERT_EQ(test, table->nr, 2000U);
	for (i = 0; i < table->nr; i++)
		KUNIT_EXPECT_EQ(test, table->tuples[i].used, 3U);
	KUNIT_EXPECT_EQ(test, table->untracked, 0ULL);
}

/* With the last read's size as a hint: one grow to it, then doubling. */
static void tuple_table_grows_to_hint(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local = tcptw_test_addr4(0x0a000001), remote;
	u32 i, round;

	table->hint = 1500;
	for (round = 0; round < 2; round++)
		for (i = 0; i < 2000; i++) {
			remote = tcptw_test_addr4(0xc6120000 + i);
			tcptw_test_tuple_add(test, table,
					     tcptw_test_out(local, 32768 + round,
							    remote, 443,
							    TCP_TIME_WAIT));
			if (!round && i == 64)
				KUNIT_EXPECT_EQ(test, table->alloc, 1500U);
		}
	KUNIT_EXPECT_EQ(test, table->alloc, 3000U);
	KUNIT_ASSERT_EQ(test, table->nr, 2000U);
	for (i = 0; i < table->nr; i++)
		KUNIT_EXPECT_EQ(test, table->tuples[i].used, 2U);
}

/* Rows shown: all 7, 4, 3 and 1; 0 leaves the order alone. */
static const u32 tcptw_shown_cases[] = { 7, 4, 3, 1, 0 };

/*
 * A walk's batch: its outbound sockets (->inbound clear) counted as one by
 * one, its inbound ones skipped; IPv4 and IPv6 tuples both.
 */
static void tuple_table_add_recs_skips_inbound(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr l4 = tcptw_test_addr4(0x0a000001);
	struct tcptw_addr r4 = tcptw_test_addr4(0x0a000002);
	struct tcptw_addr l6 = tcptw_test_addr6(test, "fd00::1");
	struct tcptw_addr r6 = tcptw_test_addr6(test, "fd00::2");
	const u32 nr = 90;
	const struct tcptw_tuple *t;
	struct tcptw_sock_rec *recs;
	u32 i;

	recs = kunit_kcalloc(test, nr, sizeof(*recs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, recs);
	for (i = 0; i < nr; i++) {
		bool v6 = i % 5 == 0;

		recs[i] = tcptw_test_out(v6 ? l6 : l4, 40000 + i, v6 ? r6 : r4,
					 80 + i % 3, TCP_TIME_WAIT);
		recs[i].inbound = i % 4 == 1;
	}
	KUNIT_ASSERT_EQ(test, tcptw_tuple_table_add_recs(table, recs, 40), 0);
	KUNIT_ASSERT_EQ(test, tcptw_tuple_table_add_recs(table, recs + 40, 50),
			0);
	/* (i % 5, i % 3, i % 4) over 0..89: count them the slow way. */
	for (i = 0; i < nr; i++) {
		u32 j, used = 0;

		for (j = 0; j < nr; j++)
			used += !recs[j].inbound &&
				(j % 5 == 0) == (i % 5 == 0) && j % 3 == i % 3;
		t = tcptw_test_find(table, &recs[i].local, &recs[i].peer,
				    recs[i].remote_port);
		KUNIT_ASSERT_NOT_NULL(test, t);
		KUNIT_EXPECT_EQ(test, t->used, used);
	}
	KUNIT_EXPECT_EQ(test, table->nr, 6U);
}

static void tcptw_shown_desc(const u32 *shown, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u of 7 shown", *shown);
}

KUNIT_ARRAY_PARAM(tcptw_shown, tcptw_shown_cases, tcptw_shown_desc);

/*
 * used, largest first; then local, remote, port; IPv4 before IPv6. The rows
 * shown come first in that order; every tuple stays in the table.
 */
static void tuple_table_sort_order(struct kunit *test)
{
	u32 shown = *(const u32 *)test->param_value, used = 0;
	static const struct {
		const char *local, *remote;
		u16 port;
		u32 used;
	} adds[] = {
		/* Added in an order that sorts differently on every key. */
		{ "fd00::2", "fd00::9", 5432, 2 },
		{ "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5433, 2 },
		{ "::ffff:10.0.0.3", "::ffff:192.0.2.1", 80, 2 },
		{ "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5432, 2 },
		{ "::ffff:10.0.0.2", "::ffff:192.0.2.8", 9999, 2 },
		{ "::ffff:10.0.0.9", "fd00::1", 1, 1 },
		{ "fd00::1", "::ffff:10.0.0.1", 1, 7 },
	};
	/* Expected order, as indexes into adds[]. */
	static const int want[] = { 6, 4, 3, 1, 2, 0, 5 };
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local, remote;
	u32 i, n;

	for (i = 0; i < ARRAY_SIZE(adds); i++) {
		local = tcptw_test_addr6(test, adds[i].local);
		remote = tcptw_test_addr6(test, adds[i].remote);
		for (n = 0; n < adds[i].used; n++)
			tcptw_test_tuple_add(test, table,
					     tcptw_test_out(local, 40000 + n,
							    remote, adds[i].port,
							    TCP_ESTABLISHED));
	}
	tcptw_tuple_table_sort(table, shown);
	KUNIT_ASSERT_EQ(test, table->nr, (u32)ARRAY_SIZE(adds));
	for (i = 0; i < table->nr; i++)
		used += table->tuples[i].used;
	KUNIT_EXPECT_EQ(test, used, 18U);
	for (i = 0; i < shown; i++) {
		const struct tcptw_tuple *t = &table->tuples[i];

		local = tcptw_test_addr6(test, adds[want[i]].local);
		remote = tcptw_test_addr6(test, adds[want[i]].remote);
		KUNIT_EXPECT_TRUE_MSG(test, tcptw_addr_equal(&t->local, &local) &&
				      tcptw_addr_equal(&t->remote, &remote) &&
				      t->remote_port == adds[want[i]].port &&
				      t->used == adds[want[i]].used,
				      "row %u: want %s>%s:%u", i,
				      adds[want[i]].local, adds[want[i]].remote,
				      adds[want[i]].port);
	}
}

/* Sorting drops the hash chains and moves tuples; their counts move along. */
static void tuple_table_sort_keeps_contents(struct kunit *test)
{
	struct tcptw_tuple_table *table = tcptw_test_tuple_table(test);
	struct tcptw_addr local = tcptw_test_addr4(0x0a000002);
	struct tcptw_addr r1 = tcptw_test_addr4(0xc0000201);
	struct tcptw_addr r2 = tcptw_test_addr4(0xc0000202);
	const struct tcptw_tuple *t;

	tcptw_test_tuple_add(test, table,
			     tcptw_test_out(local, 40000, r1, 80, TCP_ESTABLISHED));
	tcptw_test_tuple_add(test, table,
			     tcptw_test_out(local, 40001, r2, 80, TCP_ESTABLISHED));
	tcptw_test_tuple_add(test, table,
			     tcptw_test_out(local, 40002, r2, 80, TCP_ESTABLISHED));
	tcptw_tuple_table_sort(table, table->nr);
	KUNIT_EXPECT_NULL(test, table->heads);
	t = tcptw_test_find(table, &local, &r2, 80);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->used, 2U);
	KUNIT_EXPECT_PTR_EQ(test, t, &table->tuples[0]);
	t = tcptw_test_find(table, &local, &r1, 80);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->used, 1U);
}

/* pct, table-driven -------------------------------------------------------- */

struct tcptw_tuple_pct_case {
	u32 used, range;
	u64 want;
	const char *desc;
};

static const struct tcptw_tuple_pct_case tcptw_tuple_pct_cases[] = {
	{ 0, 28232, 0, "nothing used" },
	{ 1, 28232, 0, "one port of the default range rounds down to 0" },
	{ 282, 28232, 0, "just below 1%" },
	{ 283, 28232, 1, "just above 1%" },
	{ 14116, 28232, 50, "half" },
	{ 28231, 28232, 99, "one port left is 99, not 100" },
	{ 28232, 28232, 100, "every port taken" },
	{ 1, 3, 33, "rounds down" },
	{ 2, 3, 66, "rounds down, not to nearest" },
	{ 1, 1, 100, "range of one port" },
	{ 0, 0, 100, "empty range, nothing used" },
	{ 7, 0, 100, "empty range, some used" },
	{ 300, 200, 150, "more used than a narrowed range holds" },
	{ U32_MAX, U32_MAX, 100, "no 32-bit overflow" },
	{ U32_MAX, 1, 429496729500ULL, "no 32-bit overflow, large result" },
};

static void tcptw_tuple_pct_desc(const struct tcptw_tuple_pct_case *c,
				 char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_tuple_pct, tcptw_tuple_pct_cases, tcptw_tuple_pct_desc);

static void tuple_pct(struct kunit *test)
{
	const struct tcptw_tuple_pct_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tcptw_tuple_pct(c->used, c->range), c->want);
}

/* Rows as literal text ------------------------------------------------------ */

static struct tcptw_report *tcptw_test_report_range(struct kunit *test,
						    int lo, int hi)
{
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->port_lo = lo;
	r->port_hi = hi;
	return r;
}

struct tcptw_tuple_row_case {
	const char *local, *remote;
	u16 port;
	u32 used;
	int lo, hi;
	const char *want;
};

static const struct tcptw_tuple_row_case tcptw_tuple_row_cases[] = {
	{ "::ffff:10.0.0.2", "::ffff:192.0.2.9", 5432, 14116, 32768, 60999,
	  "10.0.0.2>192.0.2.9:5432 14116 28232 50\n" },
	{ "fd00::2", "fd00::9", 5432, 3, 32768, 60999,
	  "fd00::2>[fd00::9]:5432 3 28232 0\n" },
	/* RFC 5952: the first of two equal zero runs, a lone 0 kept. */
	{ "2001:db8:0:0:1:0:0:1", "2001:db8:0:1:0:0:0:1", 443, 1, 40000, 40000,
	  "2001:db8::1:0:0:1>[2001:db8:0:1::1]:443 1 1 100\n" },
	{ "::1", "::1", 65535, 28232, 32768, 60999,
	  "::1>[::1]:65535 28232 28232 100\n" },
	{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 1, 2, 1024, 65535,
	  "127.0.0.1>127.0.0.1:1 2 64512 0\n" },
	/* IPv4 is printed octet by octet: one, two and three digits, zero. */
	{ "::ffff:0.0.0.0", "::ffff:255.255.255.255", 80, 1, 1, 1,
	  "0.0.0.0>255.255.255.255:80 1 1 100\n" },
	{ "::ffff:1.20.100.200", "::ffff:10.0.99.9", 9, 7, 32768, 60999,
	  "1.20.100.200>10.0.99.9:9 7 28232 0\n" },
};

static void tcptw_tuple_row_desc(const struct tcptw_tuple_row_case *c,
				 char *desc)
{
	/* The expected row without its '\n'. */
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%.*s",
		 (int)strcspn(c->want, "\n"), c->want);
}

KUNIT_ARRAY_PARAM(tcptw_tuple_row, tcptw_tuple_row_cases, tcptw_tuple_row_desc);

static void tuple_row_text(struct kunit *test)
{
	const struct tcptw_tuple_row_case *c = test->param_value;
	struct tcptw_report *r = tcptw_test_report_range(test, c->lo, c->hi);
	struct tcptw_tuple *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct seq_file *m = tcptw_test_seq(test);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->local = tcptw_test_addr6(test, c->local);
	t->remote = tcptw_test_addr6(test, c->remote);
	t->remote_port = c->port;
	t->used = c->used;
	tcptw_report_show_tuple(m, r, t);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m), c->want);
}

static void tuple_header_text(struct kunit *test)
{
	struct seq_file *m = tcptw_test_seq(test);

	tcptw_report_show_tuple_header(m);
	/* The empty line ends the peer table. */
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "\ntuple used range pct\n");
}

static void tuple_row_column_count_matches_header(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report_range(test, 32768, 60999);
	struct tcptw_tuple *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct seq_file *m = tcptw_test_seq(test);
	const char *c;
	int spaces = 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->local = tcptw_test_addr6(test, "fd00::2");
	t->remote = tcptw_test_addr6(test, "fd00::9");
	tcptw_report_show_tuple(m, r, t);
	for (c = tcptw_test_text(test, m); *c; c++)
		spaces += *c == ' ';
	KUNIT_EXPECT_EQ(test, spaces + 1, TCPTW_NR_TUPLE_COLS);
}

static struct kunit_case tcptw_ports_cases[] = {
	KUNIT_CASE(tuple_same_tuple_counted_per_socket),
	KUNIT_CASE(tuple_distinct_tuples),
	KUNIT_CASE(tuple_v4mapped_is_ipv4),
	KUNIT_CASE(tuple_table_grows_and_merges),
	KUNIT_CASE(tuple_table_grows_to_hint),
	KUNIT_CASE(tuple_table_add_recs_skips_inbound),
	KUNIT_CASE_PARAM(tuple_table_sort_order, tcptw_shown_gen_params),
	KUNIT_CASE(tuple_table_sort_keeps_contents),
	KUNIT_CASE_PARAM(tuple_pct, tcptw_tuple_pct_gen_params),
	KUNIT_CASE_PARAM(tuple_row_text, tcptw_tuple_row_gen_params),
	KUNIT_CASE(tuple_header_text),
	KUNIT_CASE(tuple_row_column_count_matches_header),
	{}
};

static struct kunit_suite tcptw_ports_suite = {
	.name = "tcptw_ports",
	.test_cases = tcptw_ports_cases,
};

kunit_test_suites(&tcptw_ports_suite);
