// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the walk against real kernel state. Each case opens kernel sockets
 * on loopback addresses of its own (a 127.x.y.0/24 that no socket of init_net
 * uses yet: earlier cases and runs leave TIME-WAIT for 60 s), closes them one
 * end after the other so that known TIME-WAIT and ESTABLISHED sockets are
 * left, waits for those states, walks init_net and checks the rows of exactly
 * those peers, the minisockets the walk hands to its callback, and the
 * outbound tuples it counts. No check assumes how fast the kernel runs:
 * waits are bounded in jiffies, ages are bounded by the time measured.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tcptw.h"
#include "tcptw_test.h"

/*
 * The longest a case waits for loopback to settle. A close finishes in
 * softirq, which a slow (KASAN, TCG) or busy CPU defers to ksoftirqd: far
 * less than this, and this is far less than TIME-WAIT's 60 s.
 */
#define TCPTW_TEST_WAIT_MS	10000

/* Peers one walk may hold: far more than init_net has in the test VM. */
#define TCPTW_TEST_PEERS	65536

/* This case's addresses, host order: server .1, clients .2 on. */
struct tcptw_test_addrs {
	u32 server;
	u32 client;
};

static bool tcptw_test_in_prefix(const struct tcptw_addr *addr, u32 prefix)
{
	return addr->family == AF_INET &&
	       (ntohl(addr->in6.s6_addr32[3]) & ~0xffU) == prefix;
}

/*
 * Whether a socket of init_net has its peer in @prefix (a /24, host order):
 * both ends of every connection our cases make are in one /24, so a /24 in
 * use shows up as a peer row.
 */
static int tcptw_test_prefix_busy(u32 prefix, bool *busy)
{
	struct tcptw_peer_table *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct tcptw_walk_sink sink = { .peers = t };
	struct tcptw_walk_result result;
	int err;
	u32 i;

	if (!t)
		return -ENOMEM;
	tcptw_peer_table_init(t, TCPTW_TEST_PEERS);
	err = tcptw_walk(&init_net, &sink, &result);
	/* Sockets past the table's cap could be anyone's. */
	*busy = t->other_sockets != 0;
	for (i = 0; i < t->nr; i++)
		*busy |= tcptw_test_in_prefix(&t->peers[i].addr, prefix);
	tcptw_peer_table_destroy(t);
	kfree(t);
	return err;
}

static int tcptw_walk_test_init(struct kunit *test)
{
	struct tcptw_test_addrs *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	bool busy = true;
	int tries, err;
	u32 net = 0;

	if (!a)
		return -ENOMEM;
	/*
	 * 127.1.0.0 - 127.254.255.0: all of 127/8 is local, 127.0.0.x avoided.
	 * Random, then checked: a /24 that sockets of an earlier case or run
	 * still use (TIME-WAIT lasts 60 s) would add to the counts.
	 */
	for (tries = 0; busy && tries < 16; tries++) {
		net = 0x7f000000 |
		      (0x010000 + (get_random_u32() % 0xfe0000 & ~0xffU));
		err = tcptw_test_prefix_busy(net, &busy);
		if (err)
			return err;
	}
	if (busy)
		return -EADDRINUSE;
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

/*
 * A listener on @family's wildcard, port from the kernel. The wildcard keeps
 * the port from the clients' bind(port 0) too: the walk calls a TIME-WAIT
 * socket inbound when anything listens on its local port, whatever address.
 */
static struct socket *tcptw_test_listen(struct kunit *test, int family,
					u16 *port)
{
	struct sockaddr_storage ss = {};
	struct socket *sock;
	int len;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	if (family == AF_INET) {
		*(struct sockaddr_in *)&ss = tcptw_test_sin(INADDR_ANY, 0);
		len = sizeof(struct sockaddr_in);
	} else {
		/* [::]:port, dual-stack: IPv4 clients become v4-mapped. */
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	}
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (void *)&ss, len), 0);
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
	KUNIT_ASSERT_EQ(test, kernel_bind(conn->client, (void *)&src,
					  sizeof(src)), 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(conn->client, (void *)&dst,
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
 * Close @first, wait until its FIN has put @second in CLOSE_WAIT, close
 * @second: only @first's end ends in TIME-WAIT. Closing @second while the FIN
 * is still on its way (a deferred softirq) would cross the two FINs and leave
 * both ends in TIME-WAIT.
 */
static void tcptw_test_close_in_order(struct kunit *test, struct socket **first,
				      struct socket **second)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(TCPTW_TEST_WAIT_MS);
	int state;

	tcptw_test_release(first);
	while ((state = READ_ONCE((*second)->sk->sk_state)) != TCP_CLOSE_WAIT &&
	       time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ_MSG(test, state, TCP_CLOSE_WAIT,
			    "the peer's FIN did not arrive in %d ms",
			    TCPTW_TEST_WAIT_MS);
	tcptw_test_release(second);
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

	*t = tcptw_test_peer_table(test, TCPTW_TEST_PEERS);
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

/* Where a row is not what @want says: every state its peer has. */
static void tcptw_test_rows_explain(struct kunit *test,
				    const struct tcptw_peer_table *t,
				    const struct tcptw_test_want *want, int n)
{
	int i, s;

	for (i = 0; i < n; i++) {
		const struct tcptw_peer *p = tcptw_test_row(t, want[i].addr);

		if (p && p->states[want[i].state] == want[i].count)
			continue;
		kunit_info(test, "peer %pI4h state %u: want %u, have %u\n",
			   &want[i].addr, want[i].state, want[i].count,
			   p ? p->states[want[i].state] : 0);
		for (s = 0; p && s < TCP_MAX_STATES; s++)
			if (p->states[s])
				kunit_info(test, "  its state %d: %u\n", s,
					   p->states[s]);
	}
}

/*
 * Walk init_net until the rows in @want are there: closes on loopback finish
 * in softirq context after sock_release() returns. @want lists every state
 * the caller checks, so none of them is still on its way. The table of the
 * last walk is left in @t for the caller's checks.
 */
static void tcptw_test_walk_until(struct kunit *test,
				  struct tcptw_peer_table *t,
				  const struct tcptw_test_want *want, int n)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(TCPTW_TEST_WAIT_MS);
	struct tcptw_walk_sink sink = { .peers = t };
	struct tcptw_walk_result result;
	bool match;

	for (;;) {
		tcptw_peer_table_init(t, TCPTW_TEST_PEERS);
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &result), 0);
		match = tcptw_test_rows_match(t, want, n);
		if (match || !time_before(jiffies, deadline))
			break;
		tcptw_peer_table_destroy(t);
		msleep(20);
	}
	if (!match)
		tcptw_test_rows_explain(test, t, want, n);
	KUNIT_EXPECT_TRUE_MSG(test, match, "rows not there after %d ms",
			      TCPTW_TEST_WAIT_MS);
	KUNIT_EXPECT_GT(test, result.ehash_buckets, 0U);
	KUNIT_EXPECT_GE(test, result.sockets, result.tw_count);
}

/*
 * TTLs of TIME-WAIT sockets that entered it after @closed (jiffies), read by
 * a walk that is over: TIME-WAIT's 60 s, less at most the time since @closed
 * however slowly the kernel ran, and never more than 60 s.
 */
static void tcptw_test_expect_ttl(struct kunit *test, u32 min_ms, u32 max_ms,
				  unsigned long closed)
{
	unsigned long elapsed = jiffies - closed;

	KUNIT_ASSERT_LT(test, elapsed, (unsigned long)TCP_TIMEWAIT_LEN);
	KUNIT_EXPECT_LE(test, min_ms, max_ms);
	KUNIT_EXPECT_LE(test, max_ms, jiffies_to_msecs(TCP_TIMEWAIT_LEN));
	KUNIT_EXPECT_GE(test, min_ms,
			jiffies_to_msecs(TCP_TIMEWAIT_LEN - elapsed));
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
		{ a->server, TCP_CLOSE_WAIT, 0 },
		{ a->server, TCP_TIME_WAIT, 0 },
	};
	struct tcptw_test_conn conn[3] = {};
	struct tcptw_peer_table *t;
	const struct tcptw_peer *row;
	struct socket *listener;
	unsigned long closed;
	int i;

	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	/* Server closes first on two: they end in TIME-WAIT on our side. */
	closed = jiffies;
	for (i = 0; i < 2; i++)
		tcptw_test_close_in_order(test, &conn[i].server,
					  &conn[i].client);
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, client);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 2U);
	/* The local port is listened on: the peer opened these. */
	KUNIT_EXPECT_EQ(test, row->tw_in, 2U);
	KUNIT_EXPECT_EQ(test, row->tw_out, 0U);
	tcptw_test_expect_ttl(test, row->tw_ttl_min_ms, row->tw_ttl_max_ms,
			      closed);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	row = tcptw_test_row(t, a->server);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_CLOSE_WAIT], 0U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 0U);

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
	unsigned long closed;
	int i;

	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	/* Client closes first: TIME-WAIT on the client's ephemeral port. */
	closed = jiffies;
	for (i = 0; i < 3; i++)
		tcptw_test_close_in_order(test, &conn[i].client,
					  &conn[i].server);
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, a->server);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 3U);
	/* An ephemeral port nothing listens on: we opened these. */
	KUNIT_EXPECT_EQ(test, row->tw_out, 3U);
	KUNIT_EXPECT_EQ(test, row->tw_in, 0U);
	tcptw_test_expect_ttl(test, row->tw_ttl_min_ms, row->tw_ttl_max_ms,
			      closed);
	/* The server side closed last: nothing of it is left. */
	KUNIT_EXPECT_NULL(test, tcptw_test_row(t, client));

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
	tcptw_test_close_in_order(test, &conn[0].server, &conn[0].client);
	tcptw_test_walk_until(test, t, want, ARRAY_SIZE(want));

	row = tcptw_test_row(t, client);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->states[TCP_TIME_WAIT], 1U);
	KUNIT_EXPECT_EQ(test, row->states[TCP_ESTABLISHED], 1U);
	/* And no IPv6 row holds it as ::ffff:a.b.c.d. */
	for (i = 0; i < t->nr; i++)
		KUNIT_EXPECT_FALSE(test, t->peers[i].addr.family == AF_INET6 &&
				   ipv6_addr_v4mapped(&t->peers[i].addr.in6));

	tcptw_test_release(&conn[1].server);
	tcptw_test_release(&conn[1].client);
	sock_release(listener);
}

/* The walk's totals are the sums of its rows. */
static void walk_totals_match_rows(struct kunit *test)
{
	struct tcptw_walk_result result;
	struct tcptw_walk_sink sink = {};
	struct tcptw_peer_table *t;
	struct tcptw_tuple_table *tt;
	u64 sockets = 0, tw = 0, used = 0;
	int lo, hi;
	u32 i, s;

	t = tcptw_test_peer_table(test, TCPTW_TEST_PEERS);
	tt = tcptw_test_tuple_table(test);
	sink.peers = t;
	sink.tuples = tt;
	KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &result), 0);
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
	/* Outbound sockets are some of the sockets, each counted once. */
	for (i = 0; i < tt->nr; i++)
		used += tt->tuples[i].used;
	KUNIT_EXPECT_LE(test, used, result.sockets);
}

/* A full report of init_net: the summary agrees with the walk and the kernel. */
static void walk_report_build(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report_alloc(test);

	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536, NULL), 0);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS], (u64)r->table.nr);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_TW_MAX],
			(u64)READ_ONCE(init_net.ipv4.tcp_death_row.sysctl_max_tw_buckets));
	KUNIT_EXPECT_LE(test, r->port_lo, r->port_hi);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS_TRUNCATED], 0ULL);
}

/* The 1.1 summary keys agree with the tables they summarise. */
static void walk_report_build_tables(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report_alloc(test);
	const u64 *val;
	u64 nat = 0;
	u32 i, range;

	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536, NULL), 0);
	val = r->val;
	range = r->port_hi - r->port_lo + 1;

	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_TUPLES], (u64)r->tuples.nr);
	KUNIT_EXPECT_GE(test, val[TCPTW_KEY_TUPLES_MAX], 1ULL);
	KUNIT_EXPECT_EQ(test, (u64)r->tuples_shown,
			min_t(u64, r->tuples.nr, val[TCPTW_KEY_TUPLES_MAX]));
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PORT_USAGE_MAX_PCT], r->tuples.nr ?
			tcptw_tuple_pct(r->tuples.tuples[0].used, range) : 0);
	for (i = 1; i < r->tuples.nr; i++)
		KUNIT_EXPECT_GE(test, r->tuples.tuples[i - 1].used,
				r->tuples.tuples[i].used);

	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_ROWS], (u64)r->paws.nr);
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_OTHER], r->paws.other_rejects);
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_REJ_ESTAB],
			r->paws.totals[TCPTW_PAWS_ESTAB]);
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_REJ_SYN_SENT],
			r->paws.totals[TCPTW_PAWS_SYN_SENT]);
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_REJ_SYN_RECV],
			r->paws.totals[TCPTW_PAWS_SYN_RECV]);
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_PAWS_REJ_TW],
			r->paws.totals[TCPTW_PAWS_TW]);
	KUNIT_EXPECT_GE(test, val[TCPTW_KEY_PAWS_MAX], 1ULL);
	KUNIT_EXPECT_LE(test, r->paws.since, r->now);

	for (i = 0; i < r->table.nr; i++)
		nat += r->table.peers[i].nat;
	if (tcptw_report_has_other(r))
		nat += r->table.other.nat;
	KUNIT_EXPECT_EQ(test, val[TCPTW_KEY_NAT_SUSPECTS], nat);
}

/* Minisockets through the sink's callback ---------------------------------- */

#define TCPTW_TEST_MINISOCKS	16

/* The minisockets of this case's 127.x.y.0/24, as the callback saw them. */
struct tcptw_test_minisocks {
	u32 prefix;		/* host order, low byte 0 */
	u32 calls;
	u32 not_minisock;	/* calls for something else: must stay 0 */
	int fail;		/* return this from the callback */
	u32 nr;
	struct tcptw_sock_rec recs[TCPTW_TEST_MINISOCKS];
};

static int tcptw_test_minisock(void *priv, const struct tcptw_sock_rec *rec)
{
	struct tcptw_test_minisocks *ms = priv;

	ms->calls++;
	if (!rec->minisock ||
	    (rec->state != TCP_TIME_WAIT && rec->state != TCP_FIN_WAIT2))
		ms->not_minisock++;
	if (ms->fail)
		return ms->fail;
	if (tcptw_test_in_prefix(&rec->local, ms->prefix) &&
	    ms->nr < TCPTW_TEST_MINISOCKS)
		ms->recs[ms->nr++] = *rec;
	return 0;
}

/*
 * The TIME_WAIT rec of the connection @local - @remote, or NULL. The whole
 * 4-tuple: the server's ends share their local address and port.
 */
static const struct tcptw_sock_rec *
tcptw_test_find_tw(const struct tcptw_test_minisocks *ms,
		   const struct sockaddr_in *local,
		   const struct sockaddr_in *remote)
{
	u32 i;

	for (i = 0; i < ms->nr; i++) {
		const struct tcptw_sock_rec *rec = &ms->recs[i];

		if (rec->state == TCP_TIME_WAIT &&
		    rec->local_port == ntohs(local->sin_port) &&
		    rec->local.in6.s6_addr32[3] == local->sin_addr.s_addr &&
		    rec->remote_port == ntohs(remote->sin_port) &&
		    rec->peer.in6.s6_addr32[3] == remote->sin_addr.s_addr)
			return rec;
	}
	return NULL;
}

/*
 * What a connection's end knows before it closes, and when: @opened_s
 * (ktime_get_seconds(), the clock of timestamps' age) before the connection
 * was made, @closed (jiffies) before it was closed.
 */
struct tcptw_test_end {
	struct sockaddr_in local;
	struct sockaddr_in remote;
	u32 snd_nxt;
	u32 rcv_nxt;
	bool tstamp_ok;
	time64_t opened_s;
	unsigned long closed;
};

static const struct tcptw_sock_rec *
tcptw_test_end_tw(const struct tcptw_test_minisocks *ms,
		  const struct tcptw_test_end *end)
{
	return tcptw_test_find_tw(ms, &end->local, &end->remote);
}

/*
 * Walk init_net with only the callback until each of @ends is in TIME_WAIT
 * (a close on loopback finishes in softirq after sock_release()).
 */
static void tcptw_test_walk_minisocks(struct kunit *test,
				      struct tcptw_test_minisocks *ms,
				      const struct tcptw_test_end *ends, int n)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(TCPTW_TEST_WAIT_MS);
	struct tcptw_walk_sink sink = {
		.minisock = tcptw_test_minisock,
		.priv = ms,
	};
	struct tcptw_walk_result result;
	int i, found;

	for (;;) {
		ms->nr = 0;
		ms->calls = 0;
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &result), 0);
		for (i = 0, found = 0; i < n; i++)
			found += !!tcptw_test_end_tw(ms, &ends[i]);
		if (found == n || !time_before(jiffies, deadline))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_EQ_MSG(test, found, n, "TIME_WAIT not there after %d ms",
			    TCPTW_TEST_WAIT_MS);
	/* Every TIME_WAIT socket went through the callback. */
	KUNIT_EXPECT_GE(test, (u64)ms->calls, result.tw_count);
	KUNIT_EXPECT_EQ(test, ms->not_minisock, 0U);
}

static void tcptw_test_note_end(struct kunit *test, struct socket *sock,
				time64_t opened_s, struct tcptw_test_end *end)
{
	const struct tcp_sock *tp = tcp_sk(sock->sk);
	struct sockaddr *local = (struct sockaddr *)&end->local;
	struct sockaddr *remote = (struct sockaddr *)&end->remote;

	KUNIT_ASSERT_EQ(test, kernel_getsockname(sock, local),
			(int)sizeof(end->local));
	KUNIT_ASSERT_EQ(test, kernel_getpeername(sock, remote),
			(int)sizeof(end->remote));
	end->snd_nxt = READ_ONCE(tp->snd_nxt);
	end->rcv_nxt = READ_ONCE(tp->rcv_nxt);
	end->tstamp_ok = tp->rx_opt.tstamp_ok;
	end->opened_s = opened_s;
	end->closed = jiffies;
}

/* The TIME_WAIT minisocket @end became, as the walk delivered it. */
static void tcptw_test_expect_tw(struct kunit *test,
				 const struct tcptw_test_minisocks *ms,
				 const struct tcptw_test_end *end)
{
	const struct tcptw_sock_rec *rec = tcptw_test_end_tw(ms, end);
	bool ts_on = READ_ONCE(init_net.ipv4.sysctl_tcp_timestamps);

	KUNIT_ASSERT_NOT_NULL_MSG(test, rec, "no TIME_WAIT for %pI4:%u",
				  &end->local.sin_addr,
				  ntohs(end->local.sin_port));
	KUNIT_EXPECT_TRUE(test, rec->minisock);
	KUNIT_EXPECT_EQ(test, rec->local.family, AF_INET);
	KUNIT_EXPECT_EQ(test, rec->peer.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(rec->peer.in6.s6_addr32[3]),
			ntohl(end->remote.sin_addr.s_addr));
	KUNIT_EXPECT_EQ(test, rec->remote_port, ntohs(end->remote.sin_port));
	/* Each side sent its FIN and had the other's: one sequence number each. */
	KUNIT_EXPECT_EQ(test, rec->snd_nxt, end->snd_nxt + 1);
	KUNIT_EXPECT_EQ(test, rec->rcv_nxt, end->rcv_nxt + 1);
	KUNIT_EXPECT_NE(test, rec->snd_nxt, 0U);
	KUNIT_EXPECT_NE(test, rec->rcv_nxt, 0U);
	/* Timestamps: negotiated when the sysctl is on, remembered in TIME-WAIT. */
	KUNIT_EXPECT_EQ(test, end->tstamp_ok, ts_on);
	KUNIT_EXPECT_EQ(test, rec->has_ts, end->tstamp_ok);
	/* The last timestamp came after the connection was made. */
	if (rec->has_ts)
		KUNIT_EXPECT_LE(test, (time64_t)rec->ts_age_s,
				ktime_get_seconds() - end->opened_s);
	tcptw_test_expect_ttl(test, rec->tw_ttl_ms, rec->tw_ttl_ms,
			      end->closed);
}

static void walk_minisock_callback(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	struct tcptw_test_end ends[2];
	struct tcptw_test_minisocks *ms;
	struct tcptw_test_conn conn[2] = {};
	struct tcptw_peer_table *t;
	struct socket *listener;
	time64_t opened_s;

	ms = kunit_kzalloc(test, sizeof(*ms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ms);
	ms->prefix = a->server & ~0xffU;
	opened_s = ktime_get_seconds();
	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	/* conn[0]: the client closes first; conn[1]: the server does. */
	tcptw_test_note_end(test, conn[0].client, opened_s, &ends[0]);
	tcptw_test_note_end(test, conn[1].server, opened_s, &ends[1]);
	tcptw_test_close_in_order(test, &conn[0].client, &conn[0].server);
	tcptw_test_close_in_order(test, &conn[1].server, &conn[1].client);
	tcptw_test_walk_minisocks(test, ms, ends, ARRAY_SIZE(ends));

	tcptw_test_expect_tw(test, ms, &ends[0]);
	tcptw_test_expect_tw(test, ms, &ends[1]);
	sock_release(listener);
}

/* An error from the callback ends the walk and is what the walk returns. */
static void walk_minisock_callback_error(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	struct tcptw_walk_sink sink = { .minisock = tcptw_test_minisock };
	struct tcptw_test_minisocks *ms;
	struct tcptw_test_conn conn[1] = {};
	struct tcptw_test_end end;
	struct tcptw_walk_result result;
	struct tcptw_peer_table *t;
	struct socket *listener;
	time64_t opened_s;

	ms = kunit_kzalloc(test, sizeof(*ms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ms);
	ms->prefix = a->server & ~0xffU;
	opened_s = ktime_get_seconds();
	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	tcptw_test_note_end(test, conn[0].client, opened_s, &end);
	tcptw_test_close_in_order(test, &conn[0].client, &conn[0].server);
	/* At least this one minisocket is in the hash. */
	tcptw_test_walk_minisocks(test, ms, &end, 1);
	KUNIT_ASSERT_NOT_NULL(test, tcptw_test_end_tw(ms, &end));

	ms->fail = -EINTR;
	ms->calls = 0;
	sink.priv = ms;
	KUNIT_EXPECT_EQ(test, tcptw_walk(&init_net, &sink, &result), -EINTR);
	KUNIT_EXPECT_EQ(test, ms->calls, 1U);
	sock_release(listener);
}

/* Outbound tuples --------------------------------------------------------- */

/* A kernel socket of @family bound to @src (port 0: one from the range). */
static struct socket *tcptw_test_connect_from(struct kunit *test, int family,
					      struct sockaddr *src,
					      struct sockaddr *dst, int len)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (void *)src, len), 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(sock, (void *)dst, len, 0), 0);
	return sock;
}

static struct sockaddr_in6 tcptw_test_sin6(const struct in6_addr *addr,
					   u16 port)
{
	return (struct sockaddr_in6){
		.sin6_family = AF_INET6,
		.sin6_addr = *addr,
		.sin6_port = htons(port),
	};
}

static struct socket *tcptw_test_connect4(struct kunit *test,
					  struct sockaddr_in *src,
					  struct sockaddr_in *dst)
{
	return tcptw_test_connect_from(test, AF_INET, (struct sockaddr *)src,
				       (struct sockaddr *)dst, sizeof(*src));
}

static struct socket *tcptw_test_connect6(struct kunit *test,
					  struct sockaddr_in6 *src,
					  struct sockaddr_in6 *dst)
{
	return tcptw_test_connect_from(test, AF_INET6, (struct sockaddr *)src,
				       (struct sockaddr *)dst, sizeof(*src));
}

static u32 tcptw_test_tuple_used(const struct tcptw_tuple_table *tt,
				 const struct tcptw_addr *local,
				 const struct tcptw_addr *remote, u16 port)
{
	u32 i;

	for (i = 0; i < tt->nr; i++)
		if (tt->tuples[i].remote_port == port &&
		    tcptw_addr_equal(&tt->tuples[i].local, local) &&
		    tcptw_addr_equal(&tt->tuples[i].remote, remote))
			return tt->tuples[i].used;
	return 0;
}

#define TCPTW_TEST_OUT_SOCKS	12

/*
 * A listener on [::] whose port no socket from ::1 heads for yet. ::1 is
 * every case's and every run's address: a socket an earlier run left in
 * TIME-WAIT toward the same port would add to the count of ::1 > ::1:port.
 * Once the port is listened on, no new one can appear.
 */
static struct socket *tcptw_test_listen_unused6(struct kunit *test,
						struct tcptw_tuple_table *tt,
						u16 *port)
{
	struct tcptw_addr lo6 = { .in6 = in6addr_loopback, .family = AF_INET6 };
	struct tcptw_walk_sink sink = { .tuples = tt };
	struct tcptw_walk_result result;
	struct socket *sock;
	u32 used;
	int tries;

	for (tries = 0;; tries++) {
		sock = tcptw_test_listen(test, AF_INET6, port);
		tcptw_tuple_table_destroy(tt);
		tcptw_tuple_table_init(tt);
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &result), 0);
		used = tcptw_test_tuple_used(tt, &lo6, &lo6, *port);
		if (!used || tries == 8)
			break;
		sock_release(sock);
	}
	KUNIT_EXPECT_EQ_MSG(test, used, 0U, "::1 > ::1:%u already in use",
			    *port);
	return sock;
}

/*
 * Client A: 3 connections to port p1 (one of them closed: TIME-WAIT holds
 * its port), 1 from a dual-stack socket (v4-mapped: the same IPv4 tuple),
 * 1 to p2, and 1 from a fixed port below ip_local_port_range (a "service"
 * port: inbound by the rule, not counted). Client B: 2 to p1. IPv6: 2 from
 * ::1 to [::1]:p6. The accepted ends are inbound (their port is listened on).
 * The ::1 clients come first: bind([::1]:0) may take the port of an IPv4
 * wildcard listener, and then the walk would call them inbound; bind() of
 * that listener skips their ports.
 */
static void walk_tuples_outbound(struct kunit *test)
{
	const struct tcptw_test_addrs *a = test->priv;
	struct tcptw_addr server = tcptw_test_addr4(a->server);
	struct tcptw_addr client_a = tcptw_test_addr4(a->client);
	struct tcptw_addr client_b = tcptw_test_addr4(a->client + 1);
	struct tcptw_addr lo6 = { .in6 = in6addr_loopback, .family = AF_INET6 };
	struct socket *socks[TCPTW_TEST_OUT_SOCKS] = {};
	struct socket *accepted[TCPTW_TEST_OUT_SOCKS] = {};
	struct socket *l1, *l2, *l6;
	struct tcptw_walk_sink sink = {};
	struct tcptw_walk_result result;
	struct tcptw_tuple_table *tt;
	struct sockaddr_in src, dst;
	struct sockaddr_in6 src6, dst6;
	struct in6_addr mapped;
	u16 p1, p2, p6, fixed;
	int lo, hi, n = 0, i, closing;

	inet_get_local_port_range(&init_net, &lo, &hi);
	KUNIT_ASSERT_GT(test, lo, 1025);
	/* Below the range: bind() may pick it only when asked to. */
	fixed = 1024 + get_random_u32() % (lo - 1024);
	tt = tcptw_test_tuple_table(test);
	l6 = tcptw_test_listen_unused6(test, tt, &p6);
	for (i = 0; i < 2; i++) {
		src6 = tcptw_test_sin6(&in6addr_loopback, 0);
		dst6 = tcptw_test_sin6(&in6addr_loopback, p6);
		socks[n] = tcptw_test_connect6(test, &src6, &dst6);
		KUNIT_ASSERT_EQ(test, kernel_accept(l6, &accepted[n++], 0), 0);
	}
	l1 = tcptw_test_listen(test, AF_INET, &p1);
	l2 = tcptw_test_listen(test, AF_INET, &p2);

	closing = n;
	for (i = 0; i < 3; i++) {
		src = tcptw_test_sin(a->client, 0);
		dst = tcptw_test_sin(a->server, p1);
		socks[n] = tcptw_test_connect4(test, &src, &dst);
		KUNIT_ASSERT_EQ(test, kernel_accept(l1, &accepted[n++], 0), 0);
	}
	ipv6_addr_set_v4mapped(htonl(a->client), &mapped);
	src6 = tcptw_test_sin6(&mapped, 0);
	ipv6_addr_set_v4mapped(htonl(a->server), &mapped);
	dst6 = tcptw_test_sin6(&mapped, p1);
	socks[n] = tcptw_test_connect6(test, &src6, &dst6);
	KUNIT_ASSERT_EQ(test, kernel_accept(l1, &accepted[n++], 0), 0);
	src = tcptw_test_sin(a->client, fixed);
	dst = tcptw_test_sin(a->server, p1);
	socks[n] = tcptw_test_connect4(test, &src, &dst);
	KUNIT_ASSERT_EQ(test, kernel_accept(l1, &accepted[n++], 0), 0);
	src = tcptw_test_sin(a->client, 0);
	dst = tcptw_test_sin(a->server, p2);
	socks[n] = tcptw_test_connect4(test, &src, &dst);
	KUNIT_ASSERT_EQ(test, kernel_accept(l2, &accepted[n++], 0), 0);
	for (i = 0; i < 2; i++) {
		src = tcptw_test_sin(a->client + 1, 0);
		dst = tcptw_test_sin(a->server, p1);
		socks[n] = tcptw_test_connect4(test, &src, &dst);
		KUNIT_ASSERT_EQ(test, kernel_accept(l1, &accepted[n++], 0), 0);
	}
	/* The client closes first: TIME-WAIT on its port, still taken. */
	tcptw_test_close_in_order(test, &socks[closing], &accepted[closing]);

	tcptw_tuple_table_destroy(tt);
	tcptw_tuple_table_init(tt);
	sink.tuples = tt;
	KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &result), 0);
	KUNIT_EXPECT_EQ(test, tcptw_test_tuple_used(tt, &client_a, &server, p1), 4U);
	KUNIT_EXPECT_EQ(test, tcptw_test_tuple_used(tt, &client_a, &server, p2), 1U);
	KUNIT_EXPECT_EQ(test, tcptw_test_tuple_used(tt, &client_b, &server, p1), 2U);
	KUNIT_EXPECT_EQ(test, tcptw_test_tuple_used(tt, &lo6, &lo6, p6), 2U);
	/* The server's ends are inbound: no tuple toward the clients. */
	for (i = 0; i < tt->nr; i++)
		KUNIT_EXPECT_FALSE_MSG(test, tcptw_addr_equal(&tt->tuples[i].local,
							      &server),
				       "tuple from the server to port %u",
				       tt->tuples[i].remote_port);

	for (i = 0; i < n; i++) {
		tcptw_test_release(&socks[i]);
		tcptw_test_release(&accepted[i]);
	}
	sock_release(l6);
	sock_release(l2);
	sock_release(l1);
}

/*
 * The count-only walk (debugfs "count") against the full walk on the same
 * sockets: a full walk, the count, a full walk again, until the two full
 * walks agree (TIME-WAIT of earlier cases may expire in between). Also the
 * full walk's lock and memory numbers (debugfs "walk_stats").
 */
static void walk_count_matches_full_walk(struct kunit *test)
{
	struct tcptw_walk_result full, count, again;
	struct tcptw_test_conn conn[3] = {};
	struct tcptw_walk_sink sink = {};
	struct tcptw_peer_table *t;
	struct socket *listener;
	struct tcptw_mem *mem;
	unsigned long deadline;
	u64 rows = 0;
	u32 i, s;

	/* Before the table: resources go in reverse, the table's release uses it. */
	mem = kunit_kzalloc(test, sizeof(*mem), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	listener = tcptw_test_open(test, AF_INET, conn, ARRAY_SIZE(conn), &t);
	tcptw_test_close_in_order(test, &conn[0].server, &conn[0].client);
	sink.peers = t;
	sink.mem = mem;

	deadline = jiffies + msecs_to_jiffies(TCPTW_TEST_WAIT_MS);
	for (;;) {
		tcptw_peer_table_init(t, TCPTW_TEST_PEERS);
		t->mem = mem;
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &full), 0);
		KUNIT_ASSERT_EQ(test, tcptw_walk_count(&init_net, &count), 0);
		tcptw_peer_table_destroy(t);
		KUNIT_EXPECT_EQ(test, mem->cur, 0);
		tcptw_peer_table_init(t, TCPTW_TEST_PEERS);
		t->mem = mem;
		KUNIT_ASSERT_EQ(test, tcptw_walk(&init_net, &sink, &again), 0);
		if ((full.sockets == again.sockets &&
		     full.tw_count == again.tw_count) ||
		    !time_before(jiffies, deadline))
			break;
		tcptw_peer_table_destroy(t);
		msleep(20);
	}
	KUNIT_ASSERT_EQ(test, full.sockets, again.sockets);
	KUNIT_EXPECT_EQ(test, count.sockets, full.sockets);
	KUNIT_EXPECT_EQ(test, count.ehash_buckets, full.ehash_buckets);
	KUNIT_EXPECT_EQ(test, count.walk_us, div_u64(count.walk_ns, 1000));
	/* Only counted: no states, no per-bucket timing. */
	KUNIT_EXPECT_EQ(test, count.tw_count, 0);
	KUNIT_EXPECT_EQ(test, count.chain_max, 0U);
	KUNIT_EXPECT_EQ(test, count.lock_max_ns, 0);
	/* Two of ours are still established, both ends in the hash. */
	KUNIT_EXPECT_GE(test, count.sockets, 4);

	/* The table of the second walk holds every socket the count saw. */
	for (i = 0; i < t->nr; i++)
		for (s = 0; s < TCP_MAX_STATES; s++)
			rows += t->peers[i].states[s];
	KUNIT_EXPECT_EQ(test, rows, count.sockets);

	/* Lock holds: the longest chain held at least the longest hold's. */
	KUNIT_EXPECT_EQ(test, again.walk_us, div_u64(again.walk_ns, 1000));
	KUNIT_EXPECT_GE(test, again.chain_max, 1U);
	KUNIT_EXPECT_GE(test, again.lock_max_chain, 1U);
	KUNIT_EXPECT_LE(test, again.lock_max_chain, again.chain_max);
	KUNIT_EXPECT_LE(test, again.lock_max_ns, again.walk_ns);
	/*
	 * Every timed hold is in the histogram: the first and then one in
	 * TCPTW_LOCK_SAMPLE. The count-only walk keeps none.
	 */
	for (i = 0, s = 0; i < TCPTW_LOCK_HIST; i++)
		s += again.lock_hist[i];
	KUNIT_EXPECT_EQ(test, (u64)s, again.lock_timed);
	KUNIT_EXPECT_GE(test, again.lock_holds, 1);
	KUNIT_EXPECT_EQ(test, again.lock_timed,
			DIV_ROUND_UP_ULL(again.lock_holds, TCPTW_LOCK_SAMPLE));
	KUNIT_EXPECT_EQ(test, count.lock_holds, 0);
	KUNIT_EXPECT_EQ(test, count.lock_timed, 0);
	KUNIT_EXPECT_LE(test, tcptw_lock_hist_pct(&again, 99),
			2 * again.lock_max_ns + 1);

	/*
	 * Memory: after the walk only the table is left; at its peak the walk
	 * also held its port bitmap and a bucket's copy.
	 */
	KUNIT_EXPECT_EQ(test, mem->cur,
			tcptw_index_bytes(t->alloc, sizeof(*t->peers), t->heads,
					  t->hash_mask));
	KUNIT_EXPECT_GT(test, t->alloc, 0U);
	KUNIT_EXPECT_GE(test, mem->peak, mem->cur + 65536 / 8 +
			64 * sizeof(struct tcptw_sock_rec));
	tcptw_peer_table_sort(t);
	KUNIT_EXPECT_EQ(test, mem->cur,
			(size_t)t->alloc * sizeof(*t->peers));
	tcptw_peer_table_destroy(t);
	KUNIT_EXPECT_EQ(test, mem->cur, 0);

	for (i = 1; i < ARRAY_SIZE(conn); i++) {
		tcptw_test_release(&conn[i].server);
		tcptw_test_release(&conn[i].client);
	}
	sock_release(listener);
}

/* Percentiles of lock holds: the upper bound of the bucket they fall in. */
static void walk_lock_hist_pct(struct kunit *test)
{
	struct tcptw_walk_result r = {};

	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 99), 0);
	/* 90 holds of 100..127 ns per socket, 9 of 1000..1023, 1 of ~1 ms. */
	r.lock_hist[7] = 90;
	r.lock_hist[10] = 9;
	r.lock_hist[20] = 1;
	r.lock_timed = 100;
	r.lock_holds = 800;	/* sampled: the untimed ones count nowhere */
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 50), 128);
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 90), 128);
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 91), 1024);
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 99), 1024);
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 100), 1 << 20);
	/* Holds of 0 ns (a coarse clock) stay 0. */
	memset(&r, 0, sizeof(r));
	r.lock_hist[0] = 3;
	r.lock_timed = 3;
	KUNIT_EXPECT_EQ(test, tcptw_lock_hist_pct(&r, 99), 0);
}

static struct kunit_case tcptw_walk_cases[] = {
	KUNIT_CASE(walk_lock_hist_pct),
	KUNIT_CASE(walk_server_side_time_wait),
	KUNIT_CASE(walk_client_side_time_wait),
	KUNIT_CASE(walk_v4mapped_counts_as_ipv4),
	KUNIT_CASE(walk_totals_match_rows),
	KUNIT_CASE(walk_report_build),
	KUNIT_CASE(walk_report_build_tables),
	KUNIT_CASE(walk_minisock_callback),
	KUNIT_CASE(walk_minisock_callback_error),
	KUNIT_CASE(walk_tuples_outbound),
	KUNIT_CASE(walk_count_matches_full_walk),
	{}
};

static struct kunit_suite tcptw_walk_suite = {
	.name = "tcptw_walk",
	.init = tcptw_walk_test_init,
	.test_cases = tcptw_walk_cases,
};

kunit_test_suites(&tcptw_walk_suite);

TCPTW_IMPORT_KUNIT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for tcptw; never shipped");
