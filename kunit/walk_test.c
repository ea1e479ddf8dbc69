// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the walk against real kernel state. Each case opens kernel sockets
 * on loopback addresses of its own (a random 127.x.y.0/24, so a second run
 * within TIME-WAIT's 60 s does not meet the first one's sockets), closes them
 * in an order that leaves known TIME-WAIT and ESTABLISHED sockets, walks
 * init_net and checks the rows of exactly those peers.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/random.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "tcptw.h"

#define TCPTW_TEST_WAIT_MS	3000

/* This case's addresses, host order: server .1, clients .2 on. */
struct tcptw_test_addrs {
	u32 server;
	u32 client;
};

static int tcptw_walk_test_init(struct kunit *test)
{
	struct tcptw_test_addrs *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	u32 net;

	if (!a)
		return -ENOMEM;
	/* 127.1.0.0 - 127.254.255.0: all of 127/8 is local, 127.0.0.x avoided. */
	net = 0x7f000000 | (0x010000 + (get_random_u32() % 0xfe0000 & ~0xffU));
	a->server = net + 1;
	a->client = net + 2;
	test->priv = a;
	return 0;
}

struct tcptw_test_conn {
	struct socket *client;
	struct socket *server;
};

static struct sockaddr_in tcptw_test_sin(u32 addr, u16 port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(addr),
		.sin_port = htons(port),
	};
}

/* A listener on @family's wildcard or on the server address, port from the kernel. */
static struct socket *tcptw_test_listen(struct kunit *test, int family,
					u16 *port)
{
	struct sockaddr_storage ss = {};
	struct socket *sock;
	int len;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	if (family == AF_INET) {
		const struct tcptw_test_addrs *a = test->priv;

		*(struct sockaddr_in *)&ss = tcptw_test_sin(a->server, 0);
		len = sizeof(struct sockaddr_in);
	} else {
		/* [::]:port, dual-stack: IPv4 clients become v4-mapped. */
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	}
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(sock, 64), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(sock, (struct sockaddr *)&ss), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
			((struct sockaddr_in6 *)&ss)->sin6_port);
	return sock;
}

static void tcptw_test_connect(struct kunit *test, struct socket *listener,
			       u32 client_addr, u16 port,
			       struct tcptw_test_conn *conn)
{
	const struct tcptw_test_addrs *a = test->priv;
	struct sockaddr_in src = tcptw_test_sin(client_addr, 0);
	struct sockaddr_in dst = tcptw_test_sin(a->server, port);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &conn->client), 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(conn->client, (struct sockaddr *)&src,
					  sizeof(src)), 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(conn->client, (struct sockaddr *)&dst,
					     sizeof(dst), 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(listener, &conn->server, 0), 0);
}

static void tcptw_test_release(struct socket **sock)
{
	if (*sock) {
		sock_release(*sock);
		*sock = NULL;
	}
}

/*
 * A table for the case's walks, and @n connections from the case's client to
 * a fresh listener of @family. Returns the listener.
 */
static struct socket *tcptw_test_open(struct kunit *test, int family,
				      struct tcptw_test_conn *conn, int n,
				      struct tcptw_peer_table **t)
{
	const struct tcptw_test_addrs *a = test->priv;
	struct socket *listener;
	u16 port;
	int i;

	*t = kunit_kzalloc(test, sizeof(**t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *t);
	listener = tcptw_test_listen(test, family, &port);
	for (i = 0; i < n; i++)
		tcptw_test_connect(test, listener, a->client, port, &conn[i]);
	return listener;
}

/* The walk's row for @addr (IPv4), or NULL. */
static const struct tcptw_peer *tcptw_test_row(const struct tcptw_peer_table *t,
					       u32 addr)
{
	u32 i;

	for (i = 0; i < t->nr; i++)
		if (t->peers[i].addr.family == AF_INET &&
		    t->peers[i].addr.in6.s6_addr32[3] == htonl(addr))
			return &t->peers[i];
	return NULL;
}

struct tcptw_test_want {
	u32 addr;
	u8 state;
	u32 count;
};

static bool tcptw_test_rows_match(const struct tcptw_peer_table *t,
				  const struct tcptw_test_want *want, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct tcptw_peer *p = tcptw_test_row(t, want[i].addr);
		u32 count = p ? p->states[want[i].state] : 0;

		if (count != want[i].count)
			return false;
	}
	return true;
}

/*
 * Walk init_net until the rows in @want are there: closes on loopback finish
 * in softirq context shortly after sock_release() returns. The table of the
 * last walk is left in @t for the caller's checks.
 */
static void tcptw_test_walk_until(struct kunit *test,
				  struct tcptw_peer_table *t,
				  const struct tcptw_test_want *want, int n)
{
	struct tcptw_walk_result result;
	int waited;

	for (waited = 0;; waited += 20) {
		tcptw_peer_table_init(t, 65536);
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, t, &result), 0);
		if (tcptw_test_rows_match(t, want, n) ||
		    waited >= TCPTW_TEST_WAIT_MS)
			break;
		tcptw_peer_table_destroy(t);
		msleep(20);
	}
	KUNIT_EXPECT_GT(test, result.ehash_buckets, 0U);
	KUNIT_EXPECT_GE(test, result.sockets, result.tw_count);
}

static void walk_server_side_time_wait(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	const u32 client = a->client;
	const struct tcptw_test_want want[] = {
		{ client, TCP_TIME_WAIT, 2 },
		{ client, TCP_ESTABLISHED, 1 },
		{ a->server, TCP_ESTABLISHED, 1 },
		{ a->server, TCP_LAST_ACK, 0 },
	};
	struct tcptw_test_conn conn[3] = {};
	struct tcptw_peer_table *t;
	const struct tcptw_peer *row;
	struct socket *listener;
	int i;

	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	/* Server closes first on two: they end in TIME-WAIT on our side. */
	for (i = 0; i < 2; i++) {
		tcptw_test_release(&conn[i].server);
		tcptw_test_release(&conn[i].client);
	}
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, client);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 2U);
	/* The local port is listened on: the peer opened these. */
	KUNIT_EXPECT_EQ(test, row->tw_in, 2U);
	KUNIT_EXPECT_EQ(test, row->tw_out, 0U);
	KUNIT_EXPECT_LE(test, row->tw_ttl_max_ms, 60000U);
	KUNIT_EXPECT_GT(test, row->tw_ttl_min_ms, 50000U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	row = tcptw_test_row(t, a->server);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_CLOSE_WAIT], 0U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 0U);

	tcptw_peer_table_destroy(t);
	tcptw_test_release(&conn[2].server);
	tcptw_test_release(&conn[2].client);
	sock_release(listener);
}

static void walk_client_side_time_wait(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	const u32 client = a->client;
	const struct tcptw_test_want want[] = {
		{ a->server, TCP_TIME_WAIT, 3 },
		{ client, TCP_LAST_ACK, 0 },
	};
	struct tcptw_test_conn conn[3] = {};
	struct tcptw_peer_table *t;
	const struct tcptw_peer *row;
	struct socket *listener;
	int i;

	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	/* Client closes first: TIME-WAIT on the client's ephemeral port. */
	for (i = 0; i < 3; i++) {
		tcptw_test_release(&conn[i].client);
		tcptw_test_release(&conn[i].server);
	}
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, a->server);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 3U);
	KUNIT_EXPECT_EQ(test, row->tw_out, 3U);
	KUNIT_EXPECT_EQ(test, row->tw_in, 0U);
	/* The server side closed last: nothing of it is left. */
	KUNIT_EXPECT_NULL(test, tcptw_test_row(t, client));

	tcptw_peer_table_destroy(t);
	sock_release(listener);
}

static void walk_v4mapped_counts_as_ipv4(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	const u32 client = a->client;
	const struct tcptw_test_want want[] = {
		{ client, TCP_TIME_WAIT, 1 },
		{ client, TCP_ESTABLISHED, 1 },
	};
	struct tcptw_test_conn conn[2] = {};
	struct tcptw_peer_table *t;
	const struct tcptw_peer *row;
	struct socket *listener;
	u32 i;

	listener = tcptw_test_open(test, AF_INET6, conn, ARRAY_SIZE(conn), &t);
	KUNIT_ASSERT_EQ(test, conn[0].server->sk->sk_family, AF_INET6);
	tcptw_test_release(&conn[0].server);
	tcptw_test_release(&conn[0].client);
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, client);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 1U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	/* And no IPv6 row holds it as ::ffff:a.b.c.d. */
	for (i = 0; i < t->nr; i++)
		KUNIT_EXPECT_FALSE(test, t->peers[i].addr.family == AF_INET6 &&
				   ipv6_addr_v4mapped(&t->peers[i].addr.in6));

	tcptw_peer_table_destroy(t);
	tcptw_test_release(&conn[1].server);
	tcptw_test_release(&conn[1].client);
	sock_release(listener);
}

/* The walk's totals are the sums of its rows. */
static void walk_totals_match_rows(struct kunit *test)
{
	struct tcptw_walk_result result;
	struct tcptw_peer_table *t;
	u64 sockets = 0, tw = 0;
	int lo, hi;
	u32 i, s;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	tcptw_peer_table_init(t, 65536);
	KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, t, &result), 0);
	for (i = 0; i < t->nr; i++) {
		for (s = 0; s < TCP_MAX_STATES; s++)
			sockets += t->peers[i].states[s];
		tw += t->peers[i].states[TCP_TIME_WAIT];
		KUNIT_EXPECT_EQ(test, t->peers[i].tw_in + t->peers[i].tw_out,
				t->peers[i].states[TCP_TIME_WAIT]);
	}
	KUNIT_EXPECT_EQ(test, sockets, result.sockets);
	KUNIT_EXPECT_EQ(test, tw, result.tw_count);
	KUNIT_EXPECT_EQ(test, result.ehash_buckets,
			init_net.ipv4.tcp_death_row.hashinfo->ehash_mask + 1);
	inet_get_local_port_range(&init_net, &lo, &hi);
	KUNIT_EXPECT_EQ(test, result.port_lo, lo);
	KUNIT_EXPECT_EQ(test, result.port_hi, hi);
	tcptw_peer_table_destroy(t);
}

/* A full report of init_net: the summary agrees with the walk and the kernel. */
static void walk_report_build(struct kunit *test)
{
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536), 0);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS], (u64)r->table.nr);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_TW_MAX],
			(u64)READ_ONCE(init_net.ipv4.tcp_death_row.sysctl_max_tw_buckets));
	KUNIT_EXPECT_LE(test, r->port_lo, r->port_hi);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS_TRUNCATED], 0ULL);
	tcptw_report_free(r);
}

static struct kunit_case tcptw_walk_cases[] = {
	KUNIT_CASE(walk_server_side_time_wait),
	KUNIT_CASE(walk_client_side_time_wait),
	KUNIT_CASE(walk_v4mapped_counts_as_ipv4),
	KUNIT_CASE(walk_totals_match_rows),
	KUNIT_CASE(walk_report_build),
	{}
};

static struct kunit_suite tcptw_walk_suite = {
	.name = "tcptw_walk",
	.init = tcptw_walk_test_init,
	.test_cases = tcptw_walk_cases,
};

kunit_test_suites(&tcptw_walk_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for tcptw; never shipped");
