// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: PAWS attribution. The timestamp option parser over hand-built
 * headers, how a row counts rejects and when it flags NAT, the PAWS rows as
 * literal text, and init_net's table end to end: segments handed to the
 * kfree_skb tracepoint with the PAWS drop reason (snapshot, log, reset,
 * report), then real rejects by the kernel's own PAWS checks on loopback
 * connections, each counted once and matching TcpExt PAWSEstab.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/workqueue.h>
#include <net/dropreason.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/snmp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tcptw.h"
#include "tcptw_test.h"

/* The timestamp option parser, table-driven ------------------------------- */

#define TCPTW_TEST_TSVAL	0x01020304U
#define TCPTW_TEST_TSECR	0xa0b0c0d0U
/* Option bytes as string pieces; TS carries the two values above. */
#define TS	"\x08\x0a\x01\x02\x03\x04\xa0\xb0\xc0\xd0"
#define NOP	"\x01"
#define EOL	"\x00"

struct tcptw_ts_case {
	const char *desc;
	u8 opts[40];		/* may hold EOL bytes: @len counts */
	u8 len;
	bool found;
};

static const struct tcptw_ts_case tcptw_ts_cases[] = {
	{ "NOP NOP TS, as Linux sends it", NOP NOP TS, 12, true },
	{ "TS first, NOP padding after", TS NOP NOP, 12, true },
	{ "SYN: MSS, SACK-permitted, TS, NOP, window scale",
	  "\x02\x04\x05\xb4\x04\x02" TS NOP "\x03\x03\x07", 20, true },
	{ "a SACK block before TS",
	  NOP NOP "\x05\x0a\0\0\0\x01\0\0\0\x02" NOP NOP TS, 24, true },
	{ "an unknown option skipped by its length",
	  "\xfd\x06\xde\xad\xbe\xef" NOP NOP TS, 18, true },
	{ "TS before EOL", TS EOL EOL, 12, true },
	{ "TS after EOL is not read", NOP EOL TS, 12, false },
	/* Read as options, these bytes would skip 2 and find TS. */
	{ "what follows EOL is not options", EOL "\x02" TS, 12, false },
	{ "TS cut short by the end of the header",
	  NOP NOP "\x08\x0a\x01\x02\x03\x04", 8, false },
	{ "a kind in the last byte, no room for its length",
	  NOP NOP NOP "\x08", 4, false },
	{ "zero length option stops the parse", NOP NOP "\x1e\x00" TS, 14,
	  false },
	{ "length 1 option stops the parse", NOP NOP "\x1e\x01" TS, 14, false },
	{ "TS with length 0", NOP NOP "\x08\x00" TS, 14, false },
	{ "TS with length 8", "\x08\x08\x01\x02\x03\x04\x05\x06", 8, false },
	{ "TS with length 12",
	  "\x08\x0c\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 12, false },
	/* As the kernel's tcp_parse_options(): a bad TS is skipped, not fatal. */
	{ "TS with length 8, then a good TS",
	  "\x08\x08\x01\x02\x03\x04\x05\x06" TS NOP NOP, 20, true },
	{ "no options", "", 0, false },
	{ "only padding", NOP NOP NOP NOP, 4, false },
};

#undef TS
#undef NOP
#undef EOL

static void tcptw_ts_desc(const struct tcptw_ts_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_ts, tcptw_ts_cases, tcptw_ts_desc);

static void paws_tcp_timestamps(struct kunit *test)
{
	const struct tcptw_ts_case *c = test->param_value;
	/* 60 bytes, the largest header: room for any case's options. */
	struct tcphdr *th = kunit_kzalloc(test, 60, GFP_KERNEL);
	u32 tsval = 7, tsecr = 9;

	KUNIT_ASSERT_NOT_NULL(test, th);
	KUNIT_ASSERT_LE(test, sizeof(*th) + c->len, (size_t)60);
	memcpy(th + 1, c->opts, c->len);
	th->doff = (sizeof(*th) + c->len + 3) / 4;
	KUNIT_EXPECT_EQ(test, tcptw_tcp_timestamps(th, sizeof(*th) + c->len,
						   &tsval, &tsecr), c->found);
	if (c->found) {
		KUNIT_EXPECT_EQ(test, tsval, TCPTW_TEST_TSVAL);
		KUNIT_EXPECT_EQ(test, tsecr, TCPTW_TEST_TSECR);
	} else {
		/* Untouched: the PAWS log shows what was found, nothing else. */
		KUNIT_EXPECT_EQ(test, tsval, 7U);
		KUNIT_EXPECT_EQ(test, tsecr, 9U);
	}
}

/* Rows: counting and the NAT rule ------------------------------------------ */

static struct tcptw_paws_row *tcptw_test_row(struct kunit *test)
{
	struct tcptw_paws_row *row = kunit_kzalloc(test, sizeof(*row),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, row);
	return row;
}

static void tcptw_test_count(struct tcptw_paws_row *row, u8 path, u16 sport,
			     bool syn)
{
	struct tcptw_paws_event ev = { .path = path, .sport = sport, .syn = syn };

	tcptw_paws_row_count(row, &ev);
}

static void paws_row_counts_per_path(struct kunit *test)
{
	static const u64 want[TCPTW_PAWS_NR_PATHS] = {
		[TCPTW_PAWS_ESTAB] = 2,
		[TCPTW_PAWS_SYN_SENT] = 1,
		[TCPTW_PAWS_SYN_RECV] = 3,
		[TCPTW_PAWS_TW] = 4,
	};
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u64 n;
	int path;

	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		for (n = 0; n < want[path]; n++)
			tcptw_test_count(row, path, 1000, false);
	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		KUNIT_EXPECT_EQ_MSG(test, row->paths[path], want[path], "%s",
				    tcptw_paws_path_name(path));
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row), 10ULL);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 1);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	/* The caller stamps the time. */
	KUNIT_EXPECT_EQ(test, row->last, 0ULL);
}

static void paws_row_sports_distinct(struct kunit *test)
{
	static const u16 sports[] = { 40000, 40000, 40001, 40000, 40001, 1 };
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u32 i;

	for (i = 0; i < ARRAY_SIZE(sports); i++)
		tcptw_test_count(row, TCPTW_PAWS_ESTAB, sports[i], false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 3);
	KUNIT_EXPECT_EQ(test, row->sports[0], 40000);
	KUNIT_EXPECT_EQ(test, row->sports[1], 40001);
	KUNIT_EXPECT_EQ(test, row->sports[2], 1);
	KUNIT_EXPECT_EQ(test, row->paths[TCPTW_PAWS_ESTAB], 6ULL);
}

/* Up to TCPTW_PAWS_SPORTS_MAX distinct ports, then it stays there. */
static void paws_row_sports_saturate(struct kunit *test)
{
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u16 port;

	for (port = 1; port < TCPTW_PAWS_SPORTS_MAX; port++)
		tcptw_test_count(row, TCPTW_PAWS_TW, port, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX - 1);
	tcptw_test_count(row, TCPTW_PAWS_TW, TCPTW_PAWS_SPORTS_MAX, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX);
	for (port = TCPTW_PAWS_SPORTS_MAX + 1; port < 100; port++)
		tcptw_test_count(row, TCPTW_PAWS_TW, port, false);
	/* A port seen before the limit is still known afterwards. */
	tcptw_test_count(row, TCPTW_PAWS_TW, 1, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX);
	for (port = 0; port < TCPTW_PAWS_SPORTS_MAX; port++)
		KUNIT_EXPECT_EQ(test, row->sports[port], port + 1);
	KUNIT_EXPECT_EQ(test, row->paths[TCPTW_PAWS_TW], 100ULL);
}

struct tcptw_tw_syn_case {
	u8 path;
	bool syn;
	u64 tw_syn;
	const char *desc;
};

static const struct tcptw_tw_syn_case tcptw_tw_syn_cases[] = {
	{ TCPTW_PAWS_TW, true, 1, "SYN refused by TIME-WAIT" },
	{ TCPTW_PAWS_TW, false, 0, "ACK refused by TIME-WAIT" },
	{ TCPTW_PAWS_ESTAB, true, 0, "SYN refused on an established socket" },
	{ TCPTW_PAWS_SYN_SENT, true, 0, "SYN-ACK refused in SYN_SENT" },
	{ TCPTW_PAWS_SYN_RECV, true, 0, "SYN refused by a request socket" },
};

static void tcptw_tw_syn_desc(const struct tcptw_tw_syn_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_tw_syn, tcptw_tw_syn_cases, tcptw_tw_syn_desc);

static void paws_row_tw_syn(struct kunit *test)
{
	const struct tcptw_tw_syn_case *c = test->param_value;
	struct tcptw_paws_row *row = tcptw_test_row(test);

	tcptw_test_count(row, c->path, 5000, c->syn);
	tcptw_test_count(row, c->path, 5000, c->syn);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 2 * c->tw_syn);
	KUNIT_EXPECT_EQ(test, row->paths[c->path], 2ULL);
	/* One source port: NAT only when TIME-WAIT refused a SYN. */
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_nat(row), c->tw_syn != 0);
}

static void paws_row_ignores_unknown_path(struct kunit *test)
{
	struct tcptw_paws_row *row = tcptw_test_row(test);
	struct tcptw_paws_row *zero = tcptw_test_row(test);

	tcptw_test_count(row, TCPTW_PAWS_NR_PATHS, 80, true);
	tcptw_test_count(row, 255, 81, true);
	KUNIT_EXPECT_EQ(test, memcmp(row, zero, sizeof(*row)), 0);
}

struct tcptw_nat_case {
	u16 nr_sports;
	u64 tw_syn;
	bool nat;
	const char *desc;
};

static const struct tcptw_nat_case tcptw_nat_cases[] = {
	{ 0, 0, false, "empty" },
	{ 1, 0, false, "one source port" },
	{ 2, 0, true, "two source ports" },
	{ TCPTW_PAWS_SPORTS_MAX, 0, true, "source ports saturated" },
	{ 1, 1, true, "one port, a SYN refused by TIME-WAIT" },
	{ 0, 1, true, "a SYN refused by TIME-WAIT alone" },
	{ 3, 9, true, "both" },
};

static void tcptw_nat_desc(const struct tcptw_nat_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_nat, tcptw_nat_cases, tcptw_nat_desc);

static void paws_row_nat_rule(struct kunit *test)
{
	const struct tcptw_nat_case *c = test->param_value;
	struct tcptw_paws_row *row = tcptw_test_row(test);

	row->nr_sports = c->nr_sports;
	row->tw_syn = c->tw_syn;
	/* Rejects alone, however many, say nothing about NAT. */
	row->paths[TCPTW_PAWS_ESTAB] = 1000;
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_nat(row), c->nat);
}

static void paws_path_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_ESTAB), "estab");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_SYN_SENT),
			   "syn_sent");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_SYN_RECV),
			   "syn_recv");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_TW), "tw");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_NR_PATHS), "?");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(~0U), "?");
}

/* PAWS rows as literal text ------------------------------------------------ */

#define TCPTW_TEST_NOW	(INITIAL_JIFFIES + 1000ULL * HZ)

struct tcptw_paws_text_case {
	const char *peer;		/* NULL: the "other" row */
	u16 lport;
	u64 paths[TCPTW_PAWS_NR_PATHS];
	u16 nr_sports;
	u64 tw_syn;
	u64 age;			/* jiffies before TCPTW_TEST_NOW */
	const char *want;
};

static const struct tcptw_paws_text_case tcptw_paws_text_cases[] = {
	/* Every column its own value, so a swapped column shows. */
	{ "::ffff:203.0.113.7", 443, { 1, 2, 3, 400 }, 5, 7, 6 * HZ - 1,
	  "203.0.113.7 443 406 1 2 3 400 5 7 1 5\n" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0007", 8443, { 0, 0, 1, 0 }, 1, 0,
	  0, "2001:db8::7 8443 1 0 0 1 0 1 0 0 0\n" },
	{ "::ffff:198.51.100.1", 65535, { 0, 0, 0, 1 }, 1, 1, 60 * HZ,
	  "198.51.100.1 65535 1 0 0 0 1 1 1 1 60\n" },
	{ NULL, 0, { 3, 0, 0, 0 }, 2, 0, HZ,
	  "other - 3 3 0 0 0 2 0 1 1\n" },
	{ NULL, 0, { U64_MAX, 0, 0, 0 }, 1, 0, 0,
	  "other - 18446744073709551615 18446744073709551615 0 0 0 1 0 0 0\n" },
};

static void tcptw_paws_text_desc(const struct tcptw_paws_text_case *c,
				 char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%.*s",
		 (int)strcspn(c->want, "\n"), c->want);
}

KUNIT_ARRAY_PARAM(tcptw_paws_text, tcptw_paws_text_cases,
		  tcptw_paws_text_desc);

static void paws_row_text(struct kunit *test)
{
	const struct tcptw_paws_text_case *c = test->param_value;
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct tcptw_paws_row *row = tcptw_test_row(test);
	struct seq_file *m = tcptw_test_seq(test);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->now = TCPTW_TEST_NOW;
	if (c->peer)
		row->peer = tcptw_test_addr6(test, c->peer);
	row->lport = c->lport;
	memcpy(row->paths, c->paths, sizeof(row->paths));
	row->nr_sports = c->nr_sports;
	row->tw_syn = c->tw_syn;
	row->last = TCPTW_TEST_NOW - c->age;
	tcptw_report_show_paws(m, r, row, !c->peer);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m), c->want);
}

static void paws_header_text(struct kunit *test)
{
	struct seq_file *m = tcptw_test_seq(test);

	tcptw_report_show_paws_header(m);
	/* The empty line ends the port table. */
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "\npaws_peer lport rejects estab syn_sent syn_recv tw sports tw_syn nat age_s\n");
}

static void paws_row_column_count_matches_header(struct kunit *test)
{
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct tcptw_paws_row *row = tcptw_test_row(test);
	struct seq_file *m = tcptw_test_seq(test);
	const char *c;
	int spaces = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	row->peer = tcptw_test_addr6(test, "fd00::7");
	tcptw_report_show_paws(m, r, row, false);
	tcptw_report_show_paws(m, r, row, true);
	for (c = tcptw_test_text(test, m); *c; c++)
		spaces += *c == ' ';
	KUNIT_EXPECT_EQ(test, spaces + 2, 2 * TCPTW_NR_PAWS_COLS);
}

/* init_net's table, end to end ----------------------------------------------- */

/*
 * Peers of the documentation ranges, which nothing in the test VM talks to.
 * What each injected segment carries, and what a walk of the results wants.
 */
struct tcptw_test_seg {
	const char *src;	/* IPv6 notation; ::ffff:a.b.c.d sends IPv4 */
	u16 sport, dport;
	bool syn;
	u32 tsval, tsecr;
};

static const struct tcptw_test_seg tcptw_test_segs[] = {
	{ "::ffff:198.51.100.7", 40000, 443, false, 11, 12 },
	{ "2001:db8::7", 40000, 8443, true, 21, 22 },
	{ "::ffff:198.51.100.7", 40001, 443, false, 31, 32 },
};

/*
 * A received segment as the stack would hold it when it drops it: network
 * and transport headers set, data at the TCP header. @doff 0: a well-formed
 * header with the timestamp option; otherwise that data offset, with only
 * 20 bytes of header present.
 */
static struct sk_buff *tcptw_test_skb(struct kunit *test,
				      const struct tcptw_test_seg *seg,
				      u8 doff)
{
	struct tcptw_addr src = tcptw_test_addr6(test, seg->src);
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 128, GFP_KERNEL);
	struct tcphdr *th;
	u8 *opt;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	if (src.family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = src.in6.s6_addr32[3];
		iph->daddr = htonl(INADDR_LOOPBACK);
		skb->protocol = htons(ETH_P_IP);
		skb_set_transport_header(skb, sizeof(*iph));
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->saddr = src.in6;
		ip6h->daddr = in6addr_loopback;
		skb->protocol = htons(ETH_P_IPV6);
		skb_set_transport_header(skb, sizeof(*ip6h));
	}
	th = skb_put_zero(skb, doff ? sizeof(*th) : sizeof(*th) + 12);
	th->source = htons(seg->sport);
	th->dest = htons(seg->dport);
	th->syn = seg->syn;
	th->ack = !seg->syn;
	th->doff = doff ?: (sizeof(*th) + 12) / 4;
	if (!doff) {
		opt = (u8 *)(th + 1);
		opt[0] = TCPOPT_NOP;
		opt[1] = TCPOPT_NOP;
		opt[2] = TCPOPT_TIMESTAMP;
		opt[3] = TCPOLEN_TIMESTAMP;
		put_unaligned_be32(seg->tsval, opt + 4);
		put_unaligned_be32(seg->tsecr, opt + 8);
	}
	__skb_pull(skb, skb_transport_offset(skb));
	skb->dev = init_net.loopback_dev;
	return skb;
}

/*
 * Drop @skb the way the receive path does: in softirq context (with BH
 * disabled), where the tracepoint counts; in task context on kernels
 * without rx_sk it leaves the segment to the backlog probes.
 */
static void tcptw_test_rx_drop(struct sk_buff *skb, enum skb_drop_reason reason)
{
	local_bh_disable();
	kfree_skb_reason(skb, reason);
	local_bh_enable();
}

static void tcptw_test_drop(struct kunit *test, const struct tcptw_test_seg *seg,
			    u8 doff, enum skb_drop_reason reason)
{
	tcptw_test_rx_drop(tcptw_test_skb(test, seg, doff), reason);
}

static int tcptw_test_snap_init(struct kunit_resource *res, void *unused)
{
	struct tcptw_paws_snap *snap = kzalloc(sizeof(*snap), GFP_KERNEL);

	res->data = snap;
	return res->data ? 0 : -ENOMEM;
}

static void tcptw_test_snap_free(struct kunit_resource *res)
{
	tcptw_paws_snap_free(res->data);
	kfree(res->data);
}

/* init_net's PAWS table now, released when the test ends. */
static struct tcptw_paws_snap *tcptw_test_snapshot(struct kunit *test)
{
	struct tcptw_paws_snap *snap;

	snap = kunit_alloc_resource(test, tcptw_test_snap_init,
				    tcptw_test_snap_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, snap);
	KUNIT_ASSERT_EQ(test, tcptw_paws_snapshot(&init_net, snap), 0);
	return snap;
}

static void tcptw_test_expect_empty(struct kunit *test,
				    const struct tcptw_paws_snap *snap)
{
	int path;

	KUNIT_EXPECT_EQ(test, snap->nr, 0U);
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(&snap->other), 0ULL);
	KUNIT_EXPECT_EQ(test, snap->other.nr_sports, 0);
	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		KUNIT_EXPECT_EQ(test, snap->totals[path], 0ULL);
}

/* Each case starts from, and leaves, an empty table in init_net. */
static int tcptw_paws_test_init(struct kunit *test)
{
	tcptw_paws_reset(&init_net);
	return 0;
}

static void tcptw_paws_test_exit(struct kunit *test)
{
	tcptw_paws_reset(&init_net);
}

/* The estab hook: a segment freed with TCP_RFC7323_PAWS is counted. */
static void paws_net_drop_counted(struct kunit *test)
{
	struct tcptw_addr v4 = tcptw_test_addr4(0xc6336407);
	struct tcptw_addr v6 = tcptw_test_addr6(test, "2001:db8::7");
	const struct tcptw_paws_row *row;
	struct tcptw_paws_snap *snap;
	u64 before = get_jiffies_64();
	u32 i;

	for (i = 0; i < ARRAY_SIZE(tcptw_test_segs); i++)
		tcptw_test_drop(test, &tcptw_test_segs[i], 0,
				SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* Dropped for another reason: not PAWS. */
	tcptw_test_drop(test, &tcptw_test_segs[0], 0,
			SKB_DROP_REASON_TCP_OLD_DATA);
	snap = tcptw_test_snapshot(test);

	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB], 3ULL);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_SYN_SENT], 0ULL);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_SYN_RECV], 0ULL);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_TW], 0ULL);
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_LE(test, snap->since, before);
	KUNIT_ASSERT_EQ(test, snap->nr, 2U);

	/* Sorted by rejects: the IPv4 peer's two first. */
	row = &snap->rows[0];
	KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&row->peer, &v4));
	KUNIT_EXPECT_EQ(test, row->lport, 443);
	KUNIT_EXPECT_EQ(test, row->paths[TCPTW_PAWS_ESTAB], 2ULL);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row), 2ULL);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 2);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	KUNIT_EXPECT_TRUE(test, tcptw_paws_row_nat(row));
	KUNIT_EXPECT_GE(test, row->last, before);
	KUNIT_EXPECT_LE(test, row->last, get_jiffies_64());

	row = &snap->rows[1];
	KUNIT_EXPECT_TRUE(test, tcptw_addr_equal(&row->peer, &v6));
	KUNIT_EXPECT_EQ(test, row->lport, 8443);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row), 1ULL);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 1);
	/* A SYN, but on the estab path: not a TIME-WAIT SYN. */
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	KUNIT_EXPECT_FALSE(test, tcptw_paws_row_nat(row));
}

/* Segments the hook cannot read are not counted, and do it no harm. */
static void paws_net_malformed_ignored(struct kunit *test)
{
	const struct tcptw_test_seg *seg = &tcptw_test_segs[0];
	struct tcptw_paws_snap *snap;
	struct sk_buff *skb;

	/* Data offset 4: shorter than a TCP header. */
	tcptw_test_drop(test, seg, 4, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* Data offset 15: 60 bytes claimed, 20 there. */
	tcptw_test_drop(test, seg, 15, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* No transport header. */
	skb = tcptw_test_skb(test, seg, 0);
	skb->transport_header = (typeof(skb->transport_header))~0U;
	tcptw_test_rx_drop(skb, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* No device and no socket: no namespace to count it in. */
	skb = tcptw_test_skb(test, seg, 0);
	skb->dev = NULL;
	tcptw_test_rx_drop(skb, SKB_DROP_REASON_TCP_RFC7323_PAWS);

	snap = tcptw_test_snapshot(test);
	tcptw_test_expect_empty(test, snap);
}

/* The log (debugfs paws_log) holds the events in order, timestamps parsed. */
static void paws_net_log(struct kunit *test)
{
	struct tcptw_paws_log_entry *log;
	u32 i, n;

	log = kunit_kcalloc(test, TCPTW_PAWS_LOG_LEN, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	for (i = 0; i < ARRAY_SIZE(tcptw_test_segs); i++)
		tcptw_test_drop(test, &tcptw_test_segs[i], 0,
				SKB_DROP_REASON_TCP_RFC7323_PAWS);
	n = tcptw_paws_log_copy(&init_net, log);
	KUNIT_ASSERT_EQ(test, n, (u32)ARRAY_SIZE(tcptw_test_segs));
	for (i = 0; i < n; i++) {
		const struct tcptw_test_seg *seg = &tcptw_test_segs[i];
		struct tcptw_addr src = tcptw_test_addr6(test, seg->src);
		const struct tcptw_paws_event *ev = &log[i].ev;

		KUNIT_EXPECT_TRUE_MSG(test, tcptw_addr_equal(&ev->peer, &src),
				      "entry %u", i);
		KUNIT_EXPECT_EQ(test, ev->sport, seg->sport);
		KUNIT_EXPECT_EQ(test, ev->lport, seg->dport);
		KUNIT_EXPECT_EQ(test, ev->syn, seg->syn);
		KUNIT_EXPECT_EQ(test, ev->path, TCPTW_PAWS_ESTAB);
		KUNIT_EXPECT_EQ(test, ev->tsval, seg->tsval);
		KUNIT_EXPECT_EQ(test, ev->tsecr, seg->tsecr);
		/* No receiving socket was passed: nothing to read it from. */
		KUNIT_EXPECT_FALSE(test, ev->has_ts_recent);
		if (i)
			KUNIT_EXPECT_GE(test, log[i].when, log[i - 1].when);
	}
	/* Wraps around, keeping the last TCPTW_PAWS_LOG_LEN, oldest first. */
	for (i = 0; i < TCPTW_PAWS_LOG_LEN; i++)
		tcptw_test_drop(test, &tcptw_test_segs[i % 2], 0,
				SKB_DROP_REASON_TCP_RFC7323_PAWS);
	n = tcptw_paws_log_copy(&init_net, log);
	KUNIT_ASSERT_EQ(test, n, TCPTW_PAWS_LOG_LEN);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, log[i].ev.lport,
				    tcptw_test_segs[i % 2].dport, "entry %u", i);
}

/* "reset paws": rows, totals, "other", log and paws_since_s start over. */
static void paws_net_reset(struct kunit *test)
{
	struct tcptw_paws_log_entry *log;
	struct tcptw_paws_snap *snap;
	u64 since;

	log = kunit_kcalloc(test, TCPTW_PAWS_LOG_LEN, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	tcptw_test_drop(test, &tcptw_test_segs[0], 0,
			SKB_DROP_REASON_TCP_RFC7323_PAWS);
	snap = tcptw_test_snapshot(test);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB], 1ULL);
	since = snap->since;

	/* Let jiffies move, so a restarted paws_since_s shows. */
	msleep(jiffies_to_msecs(2));
	tcptw_paws_reset(&init_net);
	snap = tcptw_test_snapshot(test);
	tcptw_test_expect_empty(test, snap);
	KUNIT_EXPECT_NULL(test, snap->rows);
	KUNIT_EXPECT_GT(test, snap->since, since);
	KUNIT_EXPECT_LE(test, snap->since, get_jiffies_64());
	KUNIT_EXPECT_EQ(test, tcptw_paws_log_copy(&init_net, log), 0U);

	/* Counting goes on after a reset. */
	tcptw_test_drop(test, &tcptw_test_segs[1], 0,
			SKB_DROP_REASON_TCP_RFC7323_PAWS);
	snap = tcptw_test_snapshot(test);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB], 1ULL);
}

/* The report: PAWS rows merged into the peer table, the summary's 1.1 keys. */
static void paws_net_report(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report_alloc(test);
	struct tcptw_addr v4 = tcptw_test_addr4(0xc6336407);
	struct tcptw_addr v6 = tcptw_test_addr6(test, "2001:db8::7");
	const struct tcptw_peer *p4 = NULL, *p6 = NULL;
	u64 nat = 0;
	u32 i, s, sockets = 0;

	for (i = 0; i < ARRAY_SIZE(tcptw_test_segs); i++)
		tcptw_test_drop(test, &tcptw_test_segs[i], 0,
				SKB_DROP_REASON_TCP_RFC7323_PAWS);
	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536), 0);

	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_ESTAB], 3ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_SYN_SENT], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_SYN_RECV], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_TW], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_ROWS], 2ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_OTHER], 0ULL);
	KUNIT_EXPECT_FALSE(test, tcptw_report_has_paws_other(r));
	/* Reset by the case's init a moment ago. */
	KUNIT_EXPECT_LE(test, r->val[TCPTW_KEY_PAWS_SINCE_S], 5ULL);

	for (i = 0; i < r->table.nr; i++) {
		const struct tcptw_peer *p = &r->table.peers[i];

		if (tcptw_addr_equal(&p->addr, &v4))
			p4 = p;
		if (tcptw_addr_equal(&p->addr, &v6))
			p6 = p;
		nat += p->nat;
	}
	if (tcptw_report_has_other(r))
		nat += r->table.other.nat;
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_NAT_SUSPECTS], nat);
	KUNIT_EXPECT_GE(test, nat, 1ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS], (u64)r->table.nr);

	/* Peers without a socket: rows of their own, all socket columns 0. */
	KUNIT_ASSERT_NOT_NULL(test, p4);
	KUNIT_EXPECT_EQ(test, p4->paws, 2ULL);
	KUNIT_EXPECT_TRUE(test, p4->nat);
	KUNIT_ASSERT_NOT_NULL(test, p6);
	KUNIT_EXPECT_EQ(test, p6->paws, 1ULL);
	KUNIT_EXPECT_FALSE(test, p6->nat);
	for (s = 0; s < TCP_MAX_STATES; s++)
		sockets += p4->states[s] + p6->states[s];
	KUNIT_EXPECT_EQ(test, sockets, 0U);
	/* Both without TIME-WAIT: the one with more rejects first. */
	KUNIT_EXPECT_TRUE(test, p4 < p6);
}

/* Real rejects on loopback, through the kernel's own PAWS checks ---------- */

/* One connection on a random 127.x.y.0/24: server .1, client .2. */
struct tcptw_test_pair {
	u32 server_addr, client_addr;	/* host order */
	u16 port, client_port;
	struct socket *listener, *client, *server;
};

static struct sockaddr_in tcptw_test_sin4(u32 addr, u16 port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(addr),
		.sin_port = htons(port),
	};
}

/* A client socket bound to @port of the pair's client address (0: any). */
static struct socket *tcptw_test_client(struct kunit *test,
					struct tcptw_test_pair *pair, u16 port)
{
	struct sockaddr_in src = tcptw_test_sin4(pair->client_addr, port);
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	/* The second connection of a 4-tuple binds the first one's port. */
	sock_set_reuseaddr(sock->sk);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&src,
					  sizeof(src)), 0);
	return sock;
}

static void tcptw_test_pair_open(struct kunit *test,
				 struct tcptw_test_pair *pair)
{
	u32 net = 0x7f000000 | (0x010000 + (get_random_u32() % 0xfe0000 & ~0xffU));
	struct sockaddr_in sin = tcptw_test_sin4(net + 1, 0);

	pair->server_addr = net + 1;
	pair->client_addr = net + 2;
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &pair->listener), 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(pair->listener, (struct sockaddr *)&sin,
					  sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(pair->listener, 8), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(pair->listener,
						 (struct sockaddr *)&sin), 0);
	pair->port = ntohs(sin.sin_port);

	pair->client = tcptw_test_client(test, pair, 0);
	sin = tcptw_test_sin4(pair->server_addr, pair->port);
	KUNIT_ASSERT_EQ(test, kernel_connect(pair->client, (struct sockaddr *)&sin,
					     sizeof(sin), 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(pair->listener, &pair->server, 0), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(pair->client,
						 (struct sockaddr *)&sin), 0);
	pair->client_port = ntohs(sin.sin_port);
	/* Without timestamps there is no PAWS. */
	KUNIT_ASSERT_TRUE(test, tcp_sk(pair->server->sk)->rx_opt.tstamp_ok);
}

static void tcptw_test_pair_release(struct tcptw_test_pair *pair)
{
	struct socket **socks[] = { &pair->client, &pair->server,
				    &pair->listener };
	int i;

	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		if (*socks[i])
			sock_release(*socks[i]);
		*socks[i] = NULL;
	}
}

/* A case's pair, released when it ends, also when an assertion ended it. */
static int tcptw_test_pair_init(struct kunit_resource *res, void *unused)
{
	struct tcptw_test_pair *pair = kzalloc(sizeof(*pair), GFP_KERNEL);

	res->data = pair;
	return res->data ? 0 : -ENOMEM;
}

static void tcptw_test_pair_free(struct kunit_resource *res)
{
	tcptw_test_pair_release(res->data);
	kfree(res->data);
}

static struct tcptw_test_pair *tcptw_test_pair(struct kunit *test)
{
	struct tcptw_test_pair *pair;

	pair = kunit_alloc_resource(test, tcptw_test_pair_init,
				    tcptw_test_pair_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, pair);
	tcptw_test_pair_open(test, pair);
	return pair;
}

/* TcpExt PAWSEstab of init_net: what estab + syn_recv + tw must add up to. */
static u64 tcptw_test_paws_mib(void)
{
	return snmp_fold_field(init_net.mib.net_statistics,
			       LINUX_MIB_PAWSESTABREJECTED);
}

/* An empty table and the MIB it starts from, as one moment. */
static u64 tcptw_test_paws_start(void)
{
	tcptw_paws_reset(&init_net);
	return tcptw_test_paws_mib();
}

/* Wait until PAWSEstab moved past @before; return the delta. */
static u64 tcptw_test_wait_mib(u64 before)
{
	int waited;

	for (waited = 0; waited < 3000; waited += 10) {
		if (tcptw_test_paws_mib() != before)
			break;
		usleep_range(10000, 11000);
	}
	return tcptw_test_paws_mib() - before;
}

/*
 * The row of (@pair's client, @pair's service port) in a snapshot taken once
 * PAWSEstab moved past @mib_before. The kernel's count and tcptw's agree:
 * delta(paws_estab) == delta(estab + syn_recv + tw), a retransmission
 * refused while the snapshot is taken allowed for.
 */
static const struct tcptw_paws_row *
tcptw_test_paws_row(struct kunit *test, const struct tcptw_test_pair *pair,
		    u64 mib_before, int path)
{
	struct tcptw_addr peer = tcptw_test_addr4(pair->client_addr);
	u64 d1 = tcptw_test_wait_mib(mib_before), d2, sum;
	struct tcptw_paws_snap *snap = tcptw_test_snapshot(test);
	u32 i;

	d2 = tcptw_test_paws_mib() - mib_before;
	sum = snap->totals[TCPTW_PAWS_ESTAB] + snap->totals[TCPTW_PAWS_SYN_RECV] +
	      snap->totals[TCPTW_PAWS_TW];
	KUNIT_EXPECT_GE(test, d1, 1ULL);
	KUNIT_EXPECT_GE(test, sum, d1);
	KUNIT_EXPECT_LE(test, sum, d2);
	for (i = 0; i < snap->nr; i++)
		if (snap->rows[i].lport == pair->port &&
		    tcptw_addr_equal(&snap->rows[i].peer, &peer))
			break;
	KUNIT_ASSERT_LT_MSG(test, i, snap->nr, "no row for %pI4 port %u",
			    &peer.in6.s6_addr32[3], pair->port);
	KUNIT_EXPECT_GE(test, snap->rows[i].paths[path], 1ULL);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(&snap->rows[i]),
			snap->rows[i].paths[path]);
	return &snap->rows[i];
}

/*
 * estab: the server's socket is made to remember a timestamp from the
 * future, so the client's next data segment is refused by
 * tcp_validate_incoming() (PAWSEstab, drop reason TCP_RFC7323_PAWS).
 */
static void paws_hook_estab(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test);
	struct sock *sk = pair->server->sk;
	struct kvec vec = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {};
	const struct tcptw_paws_row *row;
	u32 ts_recent;
	u64 mib;

	lock_sock(sk);
	ts_recent = tcp_sk(sk)->rx_opt.ts_recent;
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent + (1U << 30);
	release_sock(sk);
	mib = tcptw_test_paws_start();
	KUNIT_ASSERT_EQ(test, kernel_sendmsg(pair->client, &msg, &vec, 1, 1), 1);
	row = tcptw_test_paws_row(test, pair, mib, TCPTW_PAWS_ESTAB);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 1);
	KUNIT_EXPECT_EQ(test, row->sports[0], pair->client_port);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	/* Let the retransmission in, so the close refuses nothing more. */
	lock_sock(sk);
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent;
	release_sock(sk);
}

/*
 * Sends one byte on @sock from a worker, while the caller holds another
 * socket's lock. The caller waits for @done, not for the work: flushing it
 * would tell lockdep that a socket lock waits for a socket lock.
 */
struct tcptw_test_send {
	struct work_struct work;
	struct completion done;
	struct socket *sock;
	int ret;
};

static void tcptw_test_send_work(struct work_struct *work)
{
	struct tcptw_test_send *send = container_of(work, struct tcptw_test_send,
						    work);
	struct kvec vec = { .iov_base = "y", .iov_len = 1 };
	struct msghdr msg = {};

	send->ret = kernel_sendmsg(send->sock, &msg, &vec, 1, 1);
	complete(&send->done);
}

/*
 * estab, from the backlog: the segment arrives while the server's socket is
 * owned by its user and is refused when release_sock() processes the
 * backlog, out of the receive path's context (skb->dev and the input route
 * are gone by then).
 */
static void paws_hook_estab_backlog(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test);
	struct sock *sk = pair->server->sk;
	struct tcptw_test_send send = { .sock = pair->client };
	const struct tcptw_paws_row *row;
	u32 ts_recent;
	u64 mib;

	lock_sock(sk);
	ts_recent = tcp_sk(sk)->rx_opt.ts_recent;
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent + (1U << 30);
	mib = tcptw_test_paws_start();
	init_completion(&send.done);
	INIT_WORK_ONSTACK(&send.work, tcptw_test_send_work);
	schedule_work(&send.work);
	wait_for_completion(&send.done);
	/* Queued, not processed: the socket is ours. */
	KUNIT_EXPECT_EQ(test, send.ret, 1);
	KUNIT_EXPECT_EQ(test, tcptw_test_paws_mib(), mib);
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(sk->sk_backlog.tail));
	release_sock(sk);
	flush_work(&send.work);
	destroy_work_on_stack(&send.work);

	row = tcptw_test_paws_row(test, pair, mib, TCPTW_PAWS_ESTAB);
	KUNIT_EXPECT_EQ(test, row->sports[0], pair->client_port);
	lock_sock(sk);
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent;
	release_sock(sk);
}

/*
 * tw: the server closes first and keeps the 4-tuple in TIME-WAIT, made to
 * remember a timestamp from the future; a new SYN on the same 4-tuple is
 * refused by tcp_timewait_state_process(), as when a second host behind
 * the client's NAT reuses the port.
 */
static void paws_hook_time_wait(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test);
	struct inet_hashinfo *hinfo = init_net.ipv4.tcp_death_row.hashinfo;
	struct sockaddr_in dst = tcptw_test_sin4(pair->server_addr, pair->port);
	const struct tcptw_paws_row *row;
	struct sock *sk = NULL;
	int waited;
	u64 mib;

	sock_release(pair->server);
	pair->server = NULL;
	sock_release(pair->client);
	pair->client = NULL;
	for (waited = 0; waited < 3000; waited += 10) {
		rcu_read_lock();
		sk = __inet_lookup_established(&init_net, hinfo,
					       htonl(pair->client_addr),
					       htons(pair->client_port),
					       htonl(pair->server_addr),
					       pair->port, 0, 0);
		rcu_read_unlock();
		if (sk && sk->sk_state == TCP_TIME_WAIT &&
		    inet_twsk(sk)->tw_substate == TCP_TIME_WAIT)
			break;
		if (sk)
			sock_gen_put(sk);
		sk = NULL;
		usleep_range(10000, 11000);
	}
	KUNIT_ASSERT_NOT_NULL(test, sk);
	KUNIT_EXPECT_NE(test, tcp_twsk(sk)->tw_ts_recent_stamp, 0U);
	WRITE_ONCE(tcp_twsk(sk)->tw_ts_recent,
		   tcp_twsk(sk)->tw_ts_recent + (1U << 30));
	sock_gen_put(sk);

	mib = tcptw_test_paws_start();
	pair->client = tcptw_test_client(test, pair, pair->client_port);
	KUNIT_ASSERT_EQ(test, kernel_connect(pair->client, (struct sockaddr *)&dst,
					     sizeof(dst), O_NONBLOCK),
			-EINPROGRESS);
	row = tcptw_test_paws_row(test, pair, mib, TCPTW_PAWS_TW);
	KUNIT_EXPECT_EQ(test, row->tw_syn, row->paths[TCPTW_PAWS_TW]);
	KUNIT_EXPECT_EQ(test, row->sports[0], pair->client_port);
	/* A SYN behind the timestamp TIME-WAIT kept: another host, or NAT. */
	KUNIT_EXPECT_TRUE(test, tcptw_paws_row_nat(row));
}

static struct kunit_case tcptw_paws_cases[] = {
	KUNIT_CASE_PARAM(paws_tcp_timestamps, tcptw_ts_gen_params),
	KUNIT_CASE(paws_row_counts_per_path),
	KUNIT_CASE(paws_row_sports_distinct),
	KUNIT_CASE(paws_row_sports_saturate),
	KUNIT_CASE_PARAM(paws_row_tw_syn, tcptw_tw_syn_gen_params),
	KUNIT_CASE(paws_row_ignores_unknown_path),
	KUNIT_CASE_PARAM(paws_row_nat_rule, tcptw_nat_gen_params),
	KUNIT_CASE(paws_path_names),
	KUNIT_CASE_PARAM(paws_row_text, tcptw_paws_text_gen_params),
	KUNIT_CASE(paws_header_text),
	KUNIT_CASE(paws_row_column_count_matches_header),
	KUNIT_CASE(paws_net_drop_counted),
	KUNIT_CASE(paws_net_malformed_ignored),
	KUNIT_CASE(paws_net_log),
	KUNIT_CASE(paws_net_reset),
	KUNIT_CASE(paws_net_report),
	KUNIT_CASE(paws_hook_estab),
	KUNIT_CASE(paws_hook_estab_backlog),
	KUNIT_CASE(paws_hook_time_wait),
	{}
};

static struct kunit_suite tcptw_paws_suite = {
	.name = "tcptw_paws",
	.init = tcptw_paws_test_init,
	.exit = tcptw_paws_test_exit,
	.test_cases = tcptw_paws_cases,
};

kunit_test_suites(&tcptw_paws_suite);
