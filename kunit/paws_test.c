// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: PAWS attribution. The timestamp option parser over hand-built
 * headers, how a row counts rejects and when it flags NAT, the PAWS rows as
 * literal text, and init_net's table end to end: segments handed to the
 * kfree_skb tracepoint with PAWS drop reasons (snapshot, log, reset, report,
 * the paws_max cap, the free list), then real rejects by the kernel's own
 * PAWS checks on loopback connections, matched against the kernel's MIBs.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/workqueue.h>
#include <net/dropreason.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/route.h>
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
			     bool syn, bool ack)
{
	struct tcptw_paws_event ev = {
		.path = path, .sport = sport, .syn = syn, .ack = ack,
	};

	tcptw_paws_row_count(row, &ev);
}

/* Old ACKs are counted in their own path, beside the rejects, not in them. */
static void paws_row_counts_per_path(struct kunit *test)
{
	static const u64 want[TCPTW_PAWS_NR_PATHS] = {
		[TCPTW_PAWS_ESTAB] = 2,
		[TCPTW_PAWS_SYN_SENT] = 1,
		[TCPTW_PAWS_SYN_RECV] = 3,
		[TCPTW_PAWS_TW] = 4,
		[TCPTW_PAWS_OLD_ACK] = 5,
	};
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u64 n;
	int path;

	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		for (n = 0; n < want[path]; n++)
			tcptw_test_count(row, path, 1000, false, true);
	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		KUNIT_EXPECT_EQ_MSG(test, row->paths[path], want[path], "%s",
				    tcptw_paws_path_name(path));
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row), 10ULL);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 1);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, 0);
	/* The caller stamps the time. */
	KUNIT_EXPECT_EQ(test, row->last, 0ULL);
}

static void paws_row_sports_distinct(struct kunit *test)
{
	static const u16 sports[] = { 40000, 40000, 40001, 40000, 40001, 1 };
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u32 i;

	for (i = 0; i < ARRAY_SIZE(sports); i++)
		tcptw_test_count(row, TCPTW_PAWS_ESTAB, sports[i], false, true);
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
		tcptw_test_count(row, TCPTW_PAWS_TW, port, true, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX - 1);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, TCPTW_PAWS_SPORTS_MAX - 1);
	tcptw_test_count(row, TCPTW_PAWS_TW, TCPTW_PAWS_SPORTS_MAX, true, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX);
	for (port = TCPTW_PAWS_SPORTS_MAX + 1; port < 100; port++)
		tcptw_test_count(row, TCPTW_PAWS_TW, port, true, false);
	/* A port seen before the limit is still known afterwards. */
	tcptw_test_count(row, TCPTW_PAWS_TW, 1, true, false);
	KUNIT_EXPECT_EQ(test, row->nr_sports, TCPTW_PAWS_SPORTS_MAX);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, TCPTW_PAWS_SPORTS_MAX);
	for (port = 0; port < TCPTW_PAWS_SPORTS_MAX; port++) {
		KUNIT_EXPECT_EQ(test, row->sports[port], port + 1);
		KUNIT_EXPECT_EQ(test, row->syn_sports[port], port + 1);
	}
	KUNIT_EXPECT_EQ(test, row->paths[TCPTW_PAWS_TW], 100ULL);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 100ULL);
}

/*
 * One kind of refused segment from @ports distinct source ports, @repeat
 * times each: what tw_syn, its source ports and the nat flag make of it.
 * Only a SYN without ACK refused by TIME-WAIT is a new connection behind
 * its 4-tuple's last timestamp; NAT takes such SYNs from two ports.
 */
struct tcptw_row_case {
	const char *desc;
	u8 path;
	bool syn, ack;
	u16 ports;
	u16 repeat;
	u64 tw_syn;
	u16 syn_sports;
	bool nat;
};

static const struct tcptw_row_case tcptw_row_cases[] = {
	{ "nothing refused", TCPTW_PAWS_TW, true, false, 0, 1, 0, 0, false },
	{ "TIME-WAIT: SYNs from one port", TCPTW_PAWS_TW, true, false,
	  1, 3, 3, 1, false },
	{ "TIME-WAIT: SYNs from two ports", TCPTW_PAWS_TW, true, false,
	  2, 1, 2, 2, true },
	{ "TIME-WAIT: SYNs from 40 ports", TCPTW_PAWS_TW, true, false,
	  40, 1, 40, TCPTW_PAWS_SPORTS_MAX, true },
	{ "TIME-WAIT: SYN-ACKs from 3 ports", TCPTW_PAWS_TW, true, true,
	  3, 2, 0, 0, false },
	{ "TIME-WAIT: ACKs from 5 ports", TCPTW_PAWS_TW, false, true,
	  5, 2, 0, 0, false },
	{ "estab: segments from 16 ports", TCPTW_PAWS_ESTAB, false, true,
	  16, 1, 0, 0, false },
	{ "estab: SYNs from 3 ports", TCPTW_PAWS_ESTAB, true, false,
	  3, 1, 0, 0, false },
	{ "syn_sent: SYN-ACKs from 3 ports", TCPTW_PAWS_SYN_SENT, true, true,
	  3, 1, 0, 0, false },
	{ "syn_recv: SYNs from 3 ports", TCPTW_PAWS_SYN_RECV, true, false,
	  3, 1, 0, 0, false },
	{ "old_ack: ACKs from 4 ports", TCPTW_PAWS_OLD_ACK, false, true,
	  4, 1, 0, 0, false },
};

static void tcptw_row_desc(const struct tcptw_row_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_row, tcptw_row_cases, tcptw_row_desc);

static void paws_row_events(struct kunit *test)
{
	const struct tcptw_row_case *c = test->param_value;
	struct tcptw_paws_row *row = tcptw_test_row(test);
	u64 n = (u64)c->ports * c->repeat;
	u16 port, r;

	for (r = 0; r < c->repeat; r++)
		for (port = 0; port < c->ports; port++)
			tcptw_test_count(row, c->path, 40000 + port, c->syn,
					 c->ack);
	KUNIT_EXPECT_EQ(test, row->paths[c->path], n);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row),
			c->path < TCPTW_PAWS_NR_REJECT_PATHS ? n : 0);
	/*
	 * sports counts the ports of rejects (old ACKs are none);
	 * syn_sports only tw_syn's.
	 */
	KUNIT_EXPECT_EQ(test, row->nr_sports,
			c->path < TCPTW_PAWS_NR_REJECT_PATHS ?
			min_t(u16, c->ports, TCPTW_PAWS_SPORTS_MAX) : 0);
	KUNIT_EXPECT_EQ(test, row->tw_syn, c->tw_syn);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, c->syn_sports);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_nat(row), c->nat);
}

static void paws_row_ignores_unknown_path(struct kunit *test)
{
	struct tcptw_paws_row *row = tcptw_test_row(test);
	struct tcptw_paws_row *zero = tcptw_test_row(test);

	tcptw_test_count(row, TCPTW_PAWS_NR_PATHS, 80, true, false);
	tcptw_test_count(row, 255, 81, true, false);
	KUNIT_EXPECT_EQ(test, memcmp(row, zero, sizeof(*row)), 0);
}

/* The rule by the row's fields: syn_sports alone decides. */
struct tcptw_nat_case {
	u16 nr_sports;
	u16 nr_syn_sports;
	u64 tw_syn;
	bool nat;
	const char *desc;
};

static const struct tcptw_nat_case tcptw_nat_cases[] = {
	{ 0, 0, 0, false, "empty" },
	{ TCPTW_PAWS_SPORTS_MAX, 0, 0, false, "many ports, no tw_syn" },
	{ 1, 1, 9, false, "tw_syn from one port" },
	{ TCPTW_PAWS_SPORTS_MAX, 1, 9,
	  false, "tw_syn from one port among many ports' rejects" },
	{ 2, 2, 2, true, "tw_syn from two ports" },
	{ TCPTW_PAWS_SPORTS_MAX, TCPTW_PAWS_SPORTS_MAX, 1000,
	  true, "tw_syn ports saturated" },
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
	row->nr_syn_sports = c->nr_syn_sports;
	row->tw_syn = c->tw_syn;
	/* Rejects alone, however many, say nothing about NAT. */
	row->paths[TCPTW_PAWS_ESTAB] = 1000;
	row->paths[TCPTW_PAWS_TW] = 1000;
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
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_OLD_ACK),
			   "old_ack");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(TCPTW_PAWS_NR_PATHS), "?");
	KUNIT_EXPECT_STREQ(test, tcptw_paws_path_name(~0U), "?");
}

/*
 * The four reject paths exist everywhere; old_ack where the kernel drops old
 * ACKs with their own reason, which is also where it counts them apart
 * (PAWSOldAck): a kernel with one and not the other would leave
 * paws_rej_old_ack and paws_old_ack telling different stories.
 */
static void paws_path_present(struct kunit *test)
{
	bool old_ack = tcptw_paws_path_present(TCPTW_PAWS_OLD_ACK);
	int path;

	for (path = 0; path < TCPTW_PAWS_NR_REJECT_PATHS; path++)
		KUNIT_EXPECT_TRUE_MSG(test, tcptw_paws_path_present(path), "%s",
				      tcptw_paws_path_name(path));
	KUNIT_EXPECT_EQ(test, old_ack, TCPTW_DROP_PAWS_ACK >= 0);
	KUNIT_EXPECT_EQ(test, old_ack, TCPTW_MIB_PAWS_OLD_ACK >= 0);
	KUNIT_EXPECT_FALSE(test, tcptw_paws_path_present(TCPTW_PAWS_NR_PATHS));
}

/* PAWS rows as literal text ------------------------------------------------ */

#define TCPTW_TEST_NOW	(INITIAL_JIFFIES + 1000ULL * HZ)

struct tcptw_paws_text_case {
	const char *peer;		/* NULL: the "other" row */
	u16 lport;
	u64 paths[TCPTW_PAWS_NR_PATHS];
	u16 nr_sports;
	u16 nr_syn_sports;
	u64 tw_syn;
	u64 age;			/* jiffies before TCPTW_TEST_NOW */
	const char *want;		/* up to the old_ack column */
};

static const struct tcptw_paws_text_case tcptw_paws_text_cases[] = {
	/* Every column its own value, so a swapped column shows. */
	{ "::ffff:203.0.113.7", 443, { 1, 2, 3, 400, 9 }, 5, 2, 7, 6 * HZ - 1,
	  "203.0.113.7 443 406 1 2 3 400 5 7 1 5" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0007", 8443, { 0, 0, 1, 0, 0 },
	  1, 0, 0, 0, "2001:db8::7 8443 1 0 0 1 0 1 0 0 0" },
	/* One port's SYNs refused by TIME-WAIT: not NAT. */
	{ "::ffff:198.51.100.1", 65535, { 0, 0, 0, 1, 0 }, 1, 1, 1, 60 * HZ,
	  "198.51.100.1 65535 1 0 0 0 1 1 1 0 60" },
	{ NULL, 0, { 3, 0, 0, 0, 12 }, 2, 0, 0, HZ,
	  "other - 3 3 0 0 0 2 0 0 1" },
	/* Many peers' SYNs from many ports: "other" is never NAT. */
	{ NULL, 0, { 0, 0, 0, 5, 0 }, 3, 3, 5, 0,
	  "other - 5 0 0 0 5 3 5 0 0" },
	{ NULL, 0, { U64_MAX, 0, 0, 0, U64_MAX }, 1, 0, 0, 0,
	  "other - 18446744073709551615 18446744073709551615 0 0 0 1 0 0 0" },
};

static void tcptw_paws_text_desc(const struct tcptw_paws_text_case *c,
				 char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->want);
}

KUNIT_ARRAY_PARAM(tcptw_paws_text, tcptw_paws_text_cases,
		  tcptw_paws_text_desc);

static void paws_row_text(struct kunit *test)
{
	const struct tcptw_paws_text_case *c = test->param_value;
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct tcptw_paws_row *row = tcptw_test_row(test);
	struct seq_file *m = tcptw_test_seq(test);
	char want[128];

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->now = TCPTW_TEST_NOW;
	if (c->peer)
		row->peer = tcptw_test_addr6(test, c->peer);
	row->lport = c->lport;
	memcpy(row->paths, c->paths, sizeof(row->paths));
	row->nr_sports = c->nr_sports;
	row->nr_syn_sports = c->nr_syn_sports;
	row->tw_syn = c->tw_syn;
	row->last = TCPTW_TEST_NOW - c->age;
	/* The last column, old_ack, is "-" on kernels without the path. */
	if (tcptw_paws_path_present(TCPTW_PAWS_OLD_ACK))
		snprintf(want, sizeof(want), "%s %llu\n", c->want,
			 c->paths[TCPTW_PAWS_OLD_ACK]);
	else
		snprintf(want, sizeof(want), "%s %s\n", c->want,
			 TCPTW_NO_VALUE);
	tcptw_report_show_paws(m, r, row, !c->peer);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m), want);
}

static void paws_header_text(struct kunit *test)
{
	struct seq_file *m = tcptw_test_seq(test);

	tcptw_report_show_paws_header(m);
	/* The empty line ends the port table. */
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "\npaws_peer lport rejects estab syn_sent syn_recv tw sports tw_syn nat age_s old_ack\n");
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

/* Column @col of the rendered row @text, "" past its end. */
static void tcptw_test_column(const char *text, int col, char *out, size_t size)
{
	while (col-- > 0 && text) {
		text = strchr(text, ' ');
		if (text)
			text++;
	}
	if (!text)
		text = "";
	snprintf(out, size, "%.*s", (int)strcspn(text, "\n "), text);
}

/* init_net's table, end to end ----------------------------------------------- */

/*
 * Peers of the documentation ranges, which nothing in the test VM talks to.
 * What each injected segment carries, and what a walk of the results wants.
 */
struct tcptw_test_seg {
	const char *src;	/* IPv6 notation; ::ffff:a.b.c.d sends IPv4 */
	u16 sport, dport;
	bool syn;		/* a SYN without ACK; else an ACK */
	u32 tsval, tsecr;
};

static const struct tcptw_test_seg tcptw_test_segs[] = {
	{ "::ffff:198.51.100.7", 40000, 443, false, 11, 12 },
	{ "2001:db8::7", 40000, 8443, true, 21, 22 },
	{ "::ffff:198.51.100.7", 40001, 443, false, 31, 32 },
};

/*
 * Peers the table tests make up by number, in 198.18.0.0/15 (RFC 2544),
 * which nothing in the test VM talks to either: @base + @n, host order.
 */
#define TCPTW_TEST_NET_BURST	0xc6120000U	/* 198.18.0.0 */
#define TCPTW_TEST_NET_CAP	0xc6130000U	/* 198.19.0.0 */
#define TCPTW_TEST_NET_READY	0xc613ff00U	/* 198.19.255.0 */

/* Polls for a state the test waits for: 10 ms apart, 5 s at most. */
#define TCPTW_TEST_TRIES	500

static void tcptw_test_pause(void)
{
	usleep_range(10000, 11000);
}

/*
 * A received segment as the stack would hold it when it drops it: network
 * and transport headers set, data at the TCP header, the input route to a
 * local address attached (what names the namespace when the tracepoint
 * passes no socket, as on 6.1). @doff 0: a well-formed header with the
 * timestamp option; otherwise that data offset, with only 20 bytes of header
 * present.
 */
static struct sk_buff *tcptw_test_skb(struct kunit *test,
				      const struct tcptw_addr *src,
				      const struct tcptw_test_seg *seg,
				      u8 doff)
{
	struct flowi4 fl4 = { .daddr = htonl(INADDR_LOOPBACK) };
	struct sk_buff *skb;
	struct tcphdr *th;
	struct rtable *rt;
	u8 *opt;

	rt = ip_route_output_key(&init_net, &fl4);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(rt), "no route to 127.0.0.1: %ld",
			       PTR_ERR(rt));
	skb = alloc_skb(MAX_HEADER + 128, GFP_KERNEL);
	if (!skb)
		ip_rt_put(rt);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_dst_set(skb, &rt->dst);
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	if (src->family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = src->in6.s6_addr32[3];
		iph->daddr = htonl(INADDR_LOOPBACK);
		skb->protocol = htons(ETH_P_IP);
		skb_set_transport_header(skb, sizeof(*iph));
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->saddr = src->in6;
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

/* Drop @skb the way the receive path does, with bottom halves off. */
static void tcptw_test_rx_drop(struct sk_buff *skb, int reason)
{
	local_bh_disable();
	kfree_skb_reason(skb, (enum skb_drop_reason)reason);
	local_bh_enable();
}

static void tcptw_test_drop(struct kunit *test, const struct tcptw_test_seg *seg,
			    u8 doff, int reason)
{
	struct tcptw_addr src = tcptw_test_addr6(test, seg->src);

	tcptw_test_rx_drop(tcptw_test_skb(test, &src, seg, doff), reason);
}

/* One segment from peer @addr (host order), port @sport, to port 443. */
static void tcptw_test_drop_peer(struct kunit *test, u32 addr, u16 sport,
				 bool syn, int reason)
{
	const struct tcptw_test_seg seg = {
		.sport = sport, .dport = 443, .syn = syn, .tsval = 1, .tsecr = 2,
	};
	struct tcptw_addr src = tcptw_test_addr4(addr);

	tcptw_test_rx_drop(tcptw_test_skb(test, &src, &seg, 0), reason);
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

/* Take @snap, one from tcptw_test_snapshot(), again. */
static void tcptw_test_resnap(struct kunit *test, struct tcptw_paws_snap *snap)
{
	tcptw_paws_snap_free(snap);
	KUNIT_ASSERT_EQ(test, tcptw_paws_snapshot(&init_net, snap), 0);
}

static const struct tcptw_paws_row *
tcptw_test_find_row(const struct tcptw_paws_snap *snap,
		    const struct tcptw_addr *peer, u16 lport)
{
	u32 i;

	for (i = 0; i < snap->nr; i++)
		if (snap->rows[i].lport == lport &&
		    tcptw_addr_equal(&snap->rows[i].peer, peer))
			return &snap->rows[i];
	return NULL;
}

static void tcptw_test_expect_empty(struct kunit *test,
				    const struct tcptw_paws_snap *snap)
{
	int path;

	KUNIT_EXPECT_EQ(test, snap->nr, 0U);
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(&snap->other), 0ULL);
	KUNIT_EXPECT_EQ(test, snap->other.nr_sports, 0);
	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		KUNIT_EXPECT_EQ(test, snap->totals[path], 0ULL);
}

/*
 * An empty table with at least @n rows (@n up to the spare paws.c keeps, 64)
 * on its free list, whatever an earlier case left: @n new peers recorded
 * until each has a row (a peer that found the list empty went to "other"
 * and queued the refill), then a reset, which puts rows back on the list.
 * paws_max must leave room for @n rows.
 */
static void tcptw_test_paws_ready(struct kunit *test, u32 n)
{
	struct tcptw_paws_snap *snap = tcptw_test_snapshot(test);
	u32 i, tries, missing = n;

	for (tries = 0; missing && tries < TCPTW_TEST_TRIES; tries++) {
		if (tries)
			tcptw_test_pause();
		for (i = 0; i < n; i++) {
			struct tcptw_addr peer;

			peer = tcptw_test_addr4(TCPTW_TEST_NET_READY + i);
			if (!tcptw_test_find_row(snap, &peer, 443))
				tcptw_test_drop_peer(test,
						     TCPTW_TEST_NET_READY + i,
						     40000, false,
						     SKB_DROP_REASON_TCP_RFC7323_PAWS);
		}
		tcptw_test_resnap(test, snap);
		for (i = 0, missing = 0; i < n; i++) {
			struct tcptw_addr peer;

			peer = tcptw_test_addr4(TCPTW_TEST_NET_READY + i);
			missing += !tcptw_test_find_row(snap, &peer, 443);
		}
	}
	KUNIT_ASSERT_EQ_MSG(test, missing, 0U, "%u of %u peers got no row",
			    missing, n);
	tcptw_paws_reset(&init_net);
}

/*
 * Each case starts from, and leaves, an empty table in init_net, with
 * paws_max as the module was loaded with.
 */
static unsigned int tcptw_test_paws_max;

static int tcptw_paws_test_init(struct kunit *test)
{
	tcptw_test_paws_max = READ_ONCE(tcptw_paws_max);
	tcptw_paws_reset(&init_net);
	return 0;
}

static void tcptw_paws_test_exit(struct kunit *test)
{
	WRITE_ONCE(tcptw_paws_max, tcptw_test_paws_max);
	tcptw_paws_reset(&init_net);
}

/* The estab hook: a segment freed with TCP_RFC7323_PAWS is counted. */
static void paws_net_drop_counted(struct kunit *test)
{
	struct tcptw_addr v4 = tcptw_test_addr4(0xc6336407);
	struct tcptw_addr v6 = tcptw_test_addr6(test, "2001:db8::7");
	const struct tcptw_paws_row *row;
	struct tcptw_paws_snap *snap;
	u64 before;
	u32 i;

	tcptw_test_paws_ready(test, 2);
	before = get_jiffies_64();
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
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_OLD_ACK], 0ULL);
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);
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
	/* Two ports, but no SYN refused by TIME-WAIT: not NAT. */
	KUNIT_EXPECT_FALSE(test, tcptw_paws_row_nat(row));
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

/*
 * Each PAWS drop reason this kernel has goes to its path; other reasons are
 * not PAWS. A reason the kernel lacks must come with the lack of the MIB
 * it corresponds to: the tw kprobe counts what PAWSEstab counts, and old ACKs
 * counted by the kernel but not by tcptw would break paws_rej_old_ack.
 */
struct tcptw_reason_case {
	const char *desc;
	int reason;		/* < 0: not on this kernel */
	int path;		/* < 0: not counted */
	bool syn;
	int mib;		/* the kernel's counter for it, < 0: none */
};

static const struct tcptw_reason_case tcptw_reason_cases[] = {
	{ "TCP_RFC7323_PAWS: estab", SKB_DROP_REASON_TCP_RFC7323_PAWS,
	  TCPTW_PAWS_ESTAB, false, LINUX_MIB_PAWSESTABREJECTED },
	{ "TCP_RFC7323_TW_PAWS: tw", TCPTW_DROP_TW_PAWS, TCPTW_PAWS_TW, true,
	  TCPTW_MIB_PAWS_TW },
	{ "TCP_RFC7323_PAWS_ACK: old_ack", TCPTW_DROP_PAWS_ACK,
	  TCPTW_PAWS_OLD_ACK, false, TCPTW_MIB_PAWS_OLD_ACK },
	{ "TCP_OLD_DATA: not PAWS", SKB_DROP_REASON_TCP_OLD_DATA, -1, false, -1 },
	{ "NOT_SPECIFIED: not PAWS", SKB_DROP_REASON_NOT_SPECIFIED, -1, true,
	  -1 },
};

static void tcptw_reason_desc(const struct tcptw_reason_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_reason, tcptw_reason_cases, tcptw_reason_desc);

static void paws_net_drop_reason(struct kunit *test)
{
	const struct tcptw_reason_case *c = test->param_value;
	const struct tcptw_test_seg seg = {
		"::ffff:203.0.113.9", 40000, 443, c->syn, 5, 6
	};
	struct tcptw_addr peer = tcptw_test_addr6(test, seg.src);
	const struct tcptw_paws_row *row;
	struct tcptw_paws_snap *snap;
	int path;

	if (c->reason < 0) {
		KUNIT_EXPECT_LT_MSG(test, c->mib, 0,
				    "the kernel counts these, tcptw cannot");
		if (c->path >= 0 && c->path != TCPTW_PAWS_TW)
			KUNIT_EXPECT_FALSE(test,
					   tcptw_paws_path_present(c->path));
		return;
	}
	tcptw_test_paws_ready(test, 1);
	tcptw_test_drop(test, &seg, 0, c->reason);
	snap = tcptw_test_snapshot(test);
	if (c->path < 0) {
		tcptw_test_expect_empty(test, snap);
		return;
	}
	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		KUNIT_EXPECT_EQ_MSG(test, snap->totals[path],
				    path == c->path ? 1ULL : 0ULL, "%s",
				    tcptw_paws_path_name(path));
	row = tcptw_test_find_row(snap, &peer, 443);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_EXPECT_EQ(test, row->paths[c->path], 1ULL);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row),
			c->path < TCPTW_PAWS_NR_REJECT_PATHS ? 1ULL : 0ULL);
	/* A SYN without ACK in TIME-WAIT, from one port: tw_syn, not NAT. */
	KUNIT_EXPECT_EQ(test, row->tw_syn, c->path == TCPTW_PAWS_TW ? 1ULL : 0ULL);
	KUNIT_EXPECT_FALSE(test, tcptw_paws_row_nat(row));
	KUNIT_EXPECT_TRUE(test, tcptw_paws_path_present(c->path));
}

/* Segments the hook cannot read are not counted, and do it no harm. */
static void paws_net_malformed_ignored(struct kunit *test)
{
	const struct tcptw_test_seg *seg = &tcptw_test_segs[0];
	struct tcptw_addr src = tcptw_test_addr6(test, seg->src);
	struct tcptw_paws_snap *snap;
	struct sk_buff *skb;

	tcptw_test_paws_ready(test, 1);
	/* Data offset 4: shorter than a TCP header. */
	tcptw_test_drop(test, seg, 4, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* Data offset 15: 60 bytes claimed, 20 there. */
	tcptw_test_drop(test, seg, 15, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* No transport header. */
	skb = tcptw_test_skb(test, &src, seg, 0);
	skb->transport_header = (typeof(skb->transport_header))~0U;
	tcptw_test_rx_drop(skb, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	/* No route and no socket: no namespace to count it in (skb->dev set). */
	skb = tcptw_test_skb(test, &src, seg, 0);
	skb_dst_drop(skb);
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
		KUNIT_EXPECT_EQ(test, ev->ack, !seg->syn);
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
	tcptw_test_paws_ready(test, 1);
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

	/* Counting goes on after a reset, in the row the reset freed. */
	tcptw_test_drop(test, &tcptw_test_segs[1], 0,
			SKB_DROP_REASON_TCP_RFC7323_PAWS);
	snap = tcptw_test_snapshot(test);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB], 1ULL);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);
}

/* The summary keys only some kernels have, written "-" elsewhere. */
static const struct {
	int key;
	const char *name;
	bool absent;
} tcptw_test_optional_keys[] = {
	{ TCPTW_KEY_PAWS_TIMEWAIT, "paws_timewait", TCPTW_MIB_PAWS_TW < 0 },
	{ TCPTW_KEY_PAWS_OLD_ACK, "paws_old_ack", TCPTW_MIB_PAWS_OLD_ACK < 0 },
	{ TCPTW_KEY_PAWS_REJ_OLD_ACK, "paws_rej_old_ack",
	  TCPTW_DROP_PAWS_ACK < 0 },
};

/* The report: PAWS rows merged into the peer table, the summary's keys. */
static void paws_net_report(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report_alloc(test);
	struct tcptw_addr v4 = tcptw_test_addr4(0xc6336407);
	struct tcptw_addr v6 = tcptw_test_addr6(test, "2001:db8::7");
	const struct tcptw_peer *p4 = NULL, *p6 = NULL;
	struct seq_file *m = tcptw_test_seq(test);
	u32 i, s, sockets = 0, nr_absent = 0;
	const char *text;
	char line[64];
	u64 nat = 0;
	int key;

	tcptw_test_paws_ready(test, 2);
	for (i = 0; i < ARRAY_SIZE(tcptw_test_segs); i++)
		tcptw_test_drop(test, &tcptw_test_segs[i], 0,
				SKB_DROP_REASON_TCP_RFC7323_PAWS);
	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536, NULL), 0);

	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_ESTAB], 3ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_SYN_SENT], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_SYN_RECV], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_TW], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_ROWS], 2ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_OTHER], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_DROPPED], 0ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_MAX],
			(u64)READ_ONCE(tcptw_paws_max));
	KUNIT_EXPECT_FALSE(test, tcptw_report_has_paws_other(r));
	/* Reset by the case's init a moment ago. */
	KUNIT_EXPECT_LE(test, r->val[TCPTW_KEY_PAWS_SINCE_S], 5ULL);

	/* "-" exactly for the counters this kernel does not have. */
	tcptw_report_show_summary(m, r);
	text = tcptw_test_text(test, m);
	for (i = 0; i < ARRAY_SIZE(tcptw_test_optional_keys); i++) {
		bool absent = tcptw_test_optional_keys[i].absent;

		key = tcptw_test_optional_keys[i].key;
		KUNIT_EXPECT_EQ_MSG(test, !!test_bit(key, r->absent), absent,
				    "%s", tcptw_test_optional_keys[i].name);
		snprintf(line, sizeof(line), "\n%s -\n",
			 tcptw_test_optional_keys[i].name);
		KUNIT_EXPECT_EQ_MSG(test, !!strstr(text, line), absent, "%s",
				    tcptw_test_optional_keys[i].name);
		nr_absent += absent;
	}
	/* And no other key. */
	KUNIT_EXPECT_EQ(test, bitmap_weight(r->absent, TCPTW_NR_KEYS),
			nr_absent);
	if (TCPTW_MIB_PAWS_TW >= 0)
		KUNIT_EXPECT_LE(test, r->val[TCPTW_KEY_PAWS_TIMEWAIT],
				tcptw_linux_mib(&init_net, TCPTW_MIB_PAWS_TW));
	if (!test_bit(TCPTW_KEY_PAWS_REJ_OLD_ACK, r->absent))
		KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_REJ_OLD_ACK], 0ULL);

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
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PEERS], (u64)r->table.nr);

	/* Peers without a socket: rows of their own, all socket columns 0. */
	KUNIT_ASSERT_NOT_NULL(test, p4);
	KUNIT_EXPECT_EQ(test, p4->paws, 2ULL);
	/* Rejects from two ports, none a SYN in TIME-WAIT: not NAT. */
	KUNIT_EXPECT_FALSE(test, p4->nat);
	KUNIT_ASSERT_NOT_NULL(test, p6);
	KUNIT_EXPECT_EQ(test, p6->paws, 1ULL);
	KUNIT_EXPECT_FALSE(test, p6->nat);
	for (s = 0; s < TCP_MAX_STATES; s++)
		sockets += p4->states[s] + p6->states[s];
	KUNIT_EXPECT_EQ(test, sockets, 0U);
	/* Both without TIME-WAIT: the one with more rejects first. */
	KUNIT_EXPECT_TRUE(test, p4 < p6);
}

/*
 * paws_max: new (peer, port) pairs beyond it go to "other", which is not a
 * shortage of free rows (paws_dropped stays 0); a peer that has a row goes
 * on counting there; a reset frees the rows for new peers. The peers beyond
 * the cap send SYNs refused by TIME-WAIT where the kernel has a drop reason
 * for those: from two ports, which in a row of its own would be NAT, and in
 * "other" never is.
 */
static void paws_net_cap(struct kunit *test)
{
	int tw_reason = TCPTW_DROP_TW_PAWS >= 0 ?
			TCPTW_DROP_TW_PAWS : SKB_DROP_REASON_TCP_RFC7323_PAWS;
	int tw_path = TCPTW_DROP_TW_PAWS >= 0 ? TCPTW_PAWS_TW : TCPTW_PAWS_ESTAB;
	struct tcptw_report *r = tcptw_test_report_alloc(test);
	struct seq_file *m = tcptw_test_seq(test);
	struct tcptw_paws_snap *snap;
	struct tcptw_addr peer;
	char nat[8];
	u32 i;

	WRITE_ONCE(tcptw_paws_max, 3);
	tcptw_test_paws_ready(test, 3);
	for (i = 0; i < 3; i++)
		tcptw_test_drop_peer(test, TCPTW_TEST_NET_CAP + i, 40000 + i,
				     false, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	for (i = 3; i < 5; i++)
		tcptw_test_drop_peer(test, TCPTW_TEST_NET_CAP + i, 40000 + i,
				     true, tw_reason);
	tcptw_test_drop_peer(test, TCPTW_TEST_NET_CAP, 40000, false,
			     SKB_DROP_REASON_TCP_RFC7323_PAWS);

	snap = tcptw_test_snapshot(test);
	KUNIT_ASSERT_EQ(test, snap->nr, 3U);
	for (i = 0; i < 3; i++) {
		peer = tcptw_test_addr4(TCPTW_TEST_NET_CAP + i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      tcptw_addr_equal(&snap->rows[i].peer, &peer),
				      "row %u", i);
		KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(&snap->rows[i]),
				i ? 1ULL : 2ULL);
	}
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 2ULL);
	KUNIT_EXPECT_EQ(test, snap->other.paths[tw_path], 2ULL);
	KUNIT_EXPECT_EQ(test, snap->other.nr_sports, 2);
	KUNIT_EXPECT_EQ(test, snap->other.tw_syn,
			tw_path == TCPTW_PAWS_TW ? 2ULL : 0ULL);
	/* The rule alone would call it NAT where those were tw_syn. */
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_nat(&snap->other),
			tw_path == TCPTW_PAWS_TW);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);

	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536, NULL), 0);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_ROWS], 3ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_MAX], 3ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_OTHER], 2ULL);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_PAWS_DROPPED], 0ULL);
	KUNIT_EXPECT_TRUE(test, tcptw_report_has_paws_other(r));
	/* "other" of the PAWS table feeds "other" of the peer table. */
	KUNIT_EXPECT_TRUE(test, tcptw_report_has_other(r));
	KUNIT_EXPECT_EQ(test, r->table.other.paws, 2ULL);
	KUNIT_EXPECT_FALSE(test, r->table.other.nat);
	KUNIT_EXPECT_EQ(test, r->val[TCPTW_KEY_NAT_SUSPECTS], 0ULL);
	tcptw_report_show_paws(m, r, &r->paws.other, true);
	tcptw_test_column(tcptw_test_text(test, m), TCPTW_COL_P_NAT, nat,
			  sizeof(nat));
	KUNIT_EXPECT_STREQ(test, nat, "0");

	/* The reset puts the three rows back on the free list. */
	tcptw_paws_reset(&init_net);
	for (i = 5; i < 8; i++)
		tcptw_test_drop_peer(test, TCPTW_TEST_NET_CAP + i, 40000, false,
				     SKB_DROP_REASON_TCP_RFC7323_PAWS);
	tcptw_test_resnap(test, snap);
	KUNIT_EXPECT_EQ(test, snap->nr, 3U);
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB], 3ULL);
}

/*
 * The free list. A burst of new peers while no work item can run anywhere
 * (stop_machine(): the other CPUs spin with interrupts off, so a refill
 * queued earlier cannot run meanwhile either) uses up the rows kept free;
 * the rest go to "other", counted in paws_dropped. Once the CPUs are free
 * again, the refill that the burst queued makes rows for new peers.
 */
#define TCPTW_TEST_BURST	256	/* well beyond the 64 rows kept free */

struct tcptw_test_burst {
	struct sk_buff *skbs[TCPTW_TEST_BURST];
};

static int tcptw_test_burst_init(struct kunit_resource *res, void *unused)
{
	struct tcptw_test_burst *burst = kzalloc(sizeof(*burst), GFP_KERNEL);

	res->data = burst;
	return burst ? 0 : -ENOMEM;
}

/* What the burst did not drop, when an assertion ended the case early. */
static void tcptw_test_burst_free(struct kunit_resource *res)
{
	struct tcptw_test_burst *burst = res->data;
	u32 i;

	for (i = 0; i < TCPTW_TEST_BURST; i++)
		kfree_skb(burst->skbs[i]);
	kfree(burst);
}

static int tcptw_test_burst_drop(void *data)
{
	struct tcptw_test_burst *burst = data;
	u32 i;

	for (i = 0; i < TCPTW_TEST_BURST; i++) {
		kfree_skb_reason(burst->skbs[i],
				 SKB_DROP_REASON_TCP_RFC7323_PAWS);
		burst->skbs[i] = NULL;
	}
	return 0;
}

static void paws_net_free_list(struct kunit *test)
{
	const struct tcptw_test_seg seg = {
		.sport = 40000, .dport = 443, .tsval = 1, .tsecr = 2,
	};
	const struct tcptw_paws_row *row = NULL;
	struct tcptw_test_burst *burst;
	struct tcptw_paws_snap *snap;
	struct tcptw_addr peer;
	u32 i, tries;

	/* Room for every peer: only the free list can run short. */
	WRITE_ONCE(tcptw_paws_max, 2 * TCPTW_TEST_BURST);
	burst = kunit_alloc_resource(test, tcptw_test_burst_init,
				     tcptw_test_burst_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, burst);
	for (i = 0; i < TCPTW_TEST_BURST; i++) {
		peer = tcptw_test_addr4(TCPTW_TEST_NET_BURST + i);
		burst->skbs[i] = tcptw_test_skb(test, &peer, &seg, 0);
	}
	KUNIT_ASSERT_EQ(test, stop_machine(tcptw_test_burst_drop, burst, NULL),
			0);

	snap = tcptw_test_snapshot(test);
	KUNIT_EXPECT_EQ(test, snap->nr + snap->other_rejects,
			(u64)TCPTW_TEST_BURST);
	KUNIT_EXPECT_GE_MSG(test, snap->other_rejects, 1ULL,
			    "%u new peers found a free row each", snap->nr);
	KUNIT_EXPECT_EQ(test, snap->dropped, snap->other_rejects);
	KUNIT_EXPECT_EQ(test, snap->totals[TCPTW_PAWS_ESTAB],
			(u64)TCPTW_TEST_BURST);
	/*
	 * Nothing was added to the list during the burst: the peers that got
	 * rows are the first ones, in order (equal rejects sort by address).
	 */
	for (i = 0; i < snap->nr; i++) {
		peer = tcptw_test_addr4(TCPTW_TEST_NET_BURST + i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      tcptw_addr_equal(&snap->rows[i].peer, &peer),
				      "row %u of %u", i, snap->nr);
	}

	for (tries = 0; tries < TCPTW_TEST_TRIES; tries++) {
		u32 addr = TCPTW_TEST_NET_BURST + TCPTW_TEST_BURST + tries;

		tcptw_test_drop_peer(test, addr, 40000, false,
				     SKB_DROP_REASON_TCP_RFC7323_PAWS);
		tcptw_test_resnap(test, snap);
		peer = tcptw_test_addr4(addr);
		row = tcptw_test_find_row(snap, &peer, 443);
		if (row)
			break;
		tcptw_test_pause();
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "no row after %u tries", tries);
	/* Every peer without a row lacked a free one: none hit paws_max. */
	KUNIT_EXPECT_EQ(test, snap->dropped, snap->other_rejects);
	KUNIT_EXPECT_EQ(test, snap->nr + snap->other_rejects,
			(u64)TCPTW_TEST_BURST + tries + 1);
}

/* Real rejects on loopback, through the kernel's own PAWS checks ---------- */

/*
 * Connections to one listener on a random 127.x.y.0/24: server .1, client
 * .2, each connection from its own client port.
 */
#define TCPTW_TEST_CONNS	2

struct tcptw_test_conn {
	struct socket *client, *server;
	u16 client_port;
};

struct tcptw_test_pair {
	u32 server_addr, client_addr;	/* host order */
	u16 port;
	struct socket *listener;
	struct tcptw_test_conn conn[TCPTW_TEST_CONNS];
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
	/* void *: struct sockaddr_unsized * from 6.19, struct sockaddr * before */
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (void *)&src, sizeof(src)), 0);
	return sock;
}

static void tcptw_test_pair_open(struct kunit *test,
				 struct tcptw_test_pair *pair, int nr_conns)
{
	u32 net = 0x7f000000 | (0x010000 + (get_random_u32() % 0xfe0000 & ~0xffU));
	struct sockaddr_in sin = tcptw_test_sin4(net + 1, 0);
	int i;

	pair->server_addr = net + 1;
	pair->client_addr = net + 2;
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &pair->listener), 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(pair->listener, (void *)&sin,
					  sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(pair->listener, 8), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(pair->listener,
						 (struct sockaddr *)&sin), 0);
	pair->port = ntohs(sin.sin_port);

	for (i = 0; i < nr_conns; i++) {
		struct tcptw_test_conn *conn = &pair->conn[i];

		conn->client = tcptw_test_client(test, pair, 0);
		sin = tcptw_test_sin4(pair->server_addr, pair->port);
		KUNIT_ASSERT_EQ(test, kernel_connect(conn->client, (void *)&sin,
						     sizeof(sin), 0), 0);
		KUNIT_ASSERT_EQ(test, kernel_accept(pair->listener,
						    &conn->server, 0), 0);
		KUNIT_ASSERT_GT(test, kernel_getsockname(conn->client,
							 (struct sockaddr *)&sin),
				0);
		conn->client_port = ntohs(sin.sin_port);
		/* Without timestamps there is no PAWS. */
		KUNIT_ASSERT_TRUE(test,
				  tcp_sk(conn->server->sk)->rx_opt.tstamp_ok);
	}
}

static void tcptw_test_release(struct socket **sock)
{
	if (*sock)
		sock_release(*sock);
	*sock = NULL;
}

static void tcptw_test_pair_release(struct tcptw_test_pair *pair)
{
	int i;

	for (i = 0; i < TCPTW_TEST_CONNS; i++) {
		tcptw_test_release(&pair->conn[i].client);
		tcptw_test_release(&pair->conn[i].server);
	}
	tcptw_test_release(&pair->listener);
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

static struct tcptw_test_pair *tcptw_test_pair(struct kunit *test,
					       int nr_conns)
{
	struct tcptw_test_pair *pair;

	pair = kunit_alloc_resource(test, tcptw_test_pair_init,
				    tcptw_test_pair_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, pair);
	tcptw_test_pair_open(test, pair, nr_conns);
	return pair;
}

/*
 * The TcpExt counter the kernel counts a path's rejects in, -1 for none:
 * TIME-WAIT's own PAWSTimewait where the kernel has it (6.16), PAWSEstab
 * before; old ACKs in PAWSOldAck (6.17).
 */
static int tcptw_test_path_mib(unsigned int path)
{
	switch (path) {
	case TCPTW_PAWS_SYN_SENT:
		return LINUX_MIB_PAWSACTIVEREJECTED;
	case TCPTW_PAWS_TW:
		if (TCPTW_MIB_PAWS_TW >= 0)
			return TCPTW_MIB_PAWS_TW;
		return LINUX_MIB_PAWSESTABREJECTED;
	case TCPTW_PAWS_OLD_ACK:
		return TCPTW_MIB_PAWS_OLD_ACK;
	default:
		return LINUX_MIB_PAWSESTABREJECTED;
	}
}

/* init_net's counter of each path (0 where there is none). */
static void tcptw_test_mibs(u64 *val)
{
	unsigned int path;

	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++) {
		int field = tcptw_test_path_mib(path);

		val[path] = field < 0 ? 0 : tcptw_linux_mib(&init_net, field);
	}
}

/* What the paths counted in @path's counter add up to in @snap. */
static u64 tcptw_test_mib_share(const struct tcptw_paws_snap *snap,
				unsigned int path)
{
	unsigned int p;
	u64 sum = 0;

	for (p = 0; p < TCPTW_PAWS_NR_PATHS; p++)
		if (tcptw_test_path_mib(p) == tcptw_test_path_mib(path))
			sum += snap->totals[p];
	return sum;
}

/* Whether each counter moved since @start as much as its paths in @snap. */
static bool tcptw_test_mibs_match(const u64 *start, const u64 *now,
				  const struct tcptw_paws_snap *snap)
{
	unsigned int path;

	for (path = 0; path < TCPTW_PAWS_NR_PATHS; path++)
		if (now[path] - start[path] != tcptw_test_mib_share(snap, path))
			return false;
	return true;
}

/* An empty table and the counters it starts from, as one moment. */
static void tcptw_test_paws_start(u64 *start)
{
	tcptw_paws_reset(&init_net);
	tcptw_test_mibs(start);
}

/*
 * The row of (@pair's client, @pair's service port) once the kernel counted
 * at least @want rejects of @path since @start and tcptw's totals agree with
 * every counter: on kernels with PAWSTimewait
 *	delta(PAWSEstab) == estab + syn_recv, delta(PAWSTimewait) == tw,
 * else delta(PAWSEstab) == estab + syn_recv + tw; delta(PAWSActive) ==
 * syn_sent. Polled, since a retransmission may be refused meanwhile; all
 * rejects of @path in that one row, none dropped.
 */
static const struct tcptw_paws_row *
tcptw_test_paws_row(struct kunit *test, const struct tcptw_test_pair *pair,
		    const u64 *start, unsigned int path, u64 want)
{
	struct tcptw_addr peer = tcptw_test_addr4(pair->client_addr);
	struct tcptw_paws_snap *snap = tcptw_test_snapshot(test);
	const struct tcptw_paws_row *row;
	u64 now[TCPTW_PAWS_NR_PATHS];
	unsigned int p, tries;

	for (tries = 0;; tries++) {
		tcptw_test_mibs(now);
		if (now[path] - start[path] >= want &&
		    tcptw_test_mibs_match(start, now, snap))
			break;
		if (tries == TCPTW_TEST_TRIES)
			break;
		tcptw_test_pause();
		tcptw_test_resnap(test, snap);
	}
	KUNIT_EXPECT_GE_MSG(test, now[path] - start[path], want,
			    "the kernel's count of %s rejects",
			    tcptw_paws_path_name(path));
	for (p = 0; p < TCPTW_PAWS_NR_PATHS; p++)
		KUNIT_EXPECT_EQ_MSG(test, now[p] - start[p],
				    tcptw_test_mib_share(snap, p),
				    "the counter that counts %s",
				    tcptw_paws_path_name(p));
	KUNIT_EXPECT_EQ(test, snap->other_rejects, 0ULL);
	KUNIT_EXPECT_EQ(test, snap->dropped, 0ULL);
	row = tcptw_test_find_row(snap, &peer, pair->port);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "no row for %pI4 port %u",
				  &peer.in6.s6_addr32[3], pair->port);
	KUNIT_EXPECT_GE(test, row->paths[path], want);
	KUNIT_EXPECT_EQ(test, row->paths[path], snap->totals[path]);
	KUNIT_EXPECT_EQ(test, tcptw_paws_row_rejects(row), row->paths[path]);
	return row;
}

/*
 * estab: the server's socket is made to remember a timestamp from the
 * future, so the client's next data segment is refused by
 * tcp_validate_incoming() (PAWSEstab, drop reason TCP_RFC7323_PAWS).
 */
static void paws_hook_estab(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test, 1);
	struct tcptw_test_conn *conn = &pair->conn[0];
	struct sock *sk = conn->server->sk;
	struct kvec vec = { .iov_base = "x", .iov_len = 1 };
	u64 start[TCPTW_PAWS_NR_PATHS];
	const struct tcptw_paws_row *row;
	struct msghdr msg = {};
	u32 ts_recent;

	tcptw_test_paws_ready(test, 1);
	lock_sock(sk);
	ts_recent = tcp_sk(sk)->rx_opt.ts_recent;
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent + (1U << 30);
	release_sock(sk);
	tcptw_test_paws_start(start);
	KUNIT_ASSERT_EQ(test, kernel_sendmsg(conn->client, &msg, &vec, 1, 1), 1);
	row = tcptw_test_paws_row(test, pair, start, TCPTW_PAWS_ESTAB, 1);
	KUNIT_EXPECT_EQ(test, row->nr_sports, 1);
	KUNIT_EXPECT_EQ(test, row->sports[0], conn->client_port);
	KUNIT_EXPECT_EQ(test, row->tw_syn, 0ULL);
	KUNIT_EXPECT_FALSE(test, tcptw_paws_row_nat(row));
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
	struct tcptw_test_pair *pair = tcptw_test_pair(test, 1);
	struct tcptw_test_conn *conn = &pair->conn[0];
	struct sock *sk = conn->server->sk;
	struct tcptw_test_send send = { .sock = conn->client };
	u64 start[TCPTW_PAWS_NR_PATHS], now[TCPTW_PAWS_NR_PATHS];
	const struct tcptw_paws_row *row;
	u32 ts_recent;

	tcptw_test_paws_ready(test, 1);
	lock_sock(sk);
	ts_recent = tcp_sk(sk)->rx_opt.ts_recent;
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent + (1U << 30);
	tcptw_test_paws_start(start);
	init_completion(&send.done);
	INIT_WORK_ONSTACK(&send.work, tcptw_test_send_work);
	schedule_work(&send.work);
	wait_for_completion(&send.done);
	/* Queued, not processed: the socket is ours. */
	KUNIT_EXPECT_EQ(test, send.ret, 1);
	tcptw_test_mibs(now);
	KUNIT_EXPECT_EQ(test, now[TCPTW_PAWS_ESTAB], start[TCPTW_PAWS_ESTAB]);
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(sk->sk_backlog.tail));
	release_sock(sk);
	flush_work(&send.work);
	destroy_work_on_stack(&send.work);

	row = tcptw_test_paws_row(test, pair, start, TCPTW_PAWS_ESTAB, 1);
	KUNIT_EXPECT_EQ(test, row->sports[0], conn->client_port);
	lock_sock(sk);
	tcp_sk(sk)->rx_opt.ts_recent = ts_recent;
	release_sock(sk);
}

static bool tcptw_test_is_conn(const struct sock *sk,
			       const struct tcptw_test_pair *pair,
			       const struct tcptw_test_conn *conn)
{
	return net_eq(sock_net(sk), &init_net) &&
	       sk->sk_rcv_saddr == htonl(pair->server_addr) &&
	       sk->sk_num == pair->port &&
	       sk->sk_daddr == htonl(pair->client_addr) &&
	       sk->sk_dport == htons(conn->client_port);
}

/*
 * The server's side of @conn in the established hash, held, or NULL. A walk
 * of every bucket as inet_diag does it: the lookup helpers take different
 * arguments on different kernels, and a test can afford the walk.
 */
static struct sock *tcptw_test_lookup(const struct tcptw_test_pair *pair,
				      const struct tcptw_test_conn *conn)
{
	struct inet_hashinfo *hinfo = init_net.ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	struct sock *sk;
	u32 b;

	rcu_read_lock();
	for (b = 0; b <= hinfo->ehash_mask; b++) {
		sk_nulls_for_each_rcu(sk, node, &hinfo->ehash[b].chain) {
			if (!tcptw_test_is_conn(sk, pair, conn) ||
			    !refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			/* Reused meanwhile (SLAB_TYPESAFE_BY_RCU)? */
			if (!tcptw_test_is_conn(sk, pair, conn)) {
				sock_gen_put(sk);
				continue;
			}
			rcu_read_unlock();
			return sk;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * The server closes @conn first and keeps its 4-tuple in TIME-WAIT, made to
 * remember a timestamp from the future.
 */
static void tcptw_test_conn_time_wait(struct kunit *test,
				      struct tcptw_test_pair *pair,
				      struct tcptw_test_conn *conn)
{
	struct sock *sk = NULL;
	int tries;

	tcptw_test_release(&conn->server);
	tcptw_test_release(&conn->client);
	for (tries = 0; tries < TCPTW_TEST_TRIES; tries++) {
		sk = tcptw_test_lookup(pair, conn);
		if (sk && sk->sk_state == TCP_TIME_WAIT &&
		    inet_twsk(sk)->tw_substate == TCP_TIME_WAIT)
			break;
		if (sk)
			sock_gen_put(sk);
		sk = NULL;
		tcptw_test_pause();
	}
	KUNIT_ASSERT_NOT_NULL(test, sk);
	KUNIT_EXPECT_NE(test, tcp_twsk(sk)->tw_ts_recent_stamp, 0U);
	WRITE_ONCE(tcp_twsk(sk)->tw_ts_recent,
		   tcp_twsk(sk)->tw_ts_recent + (1U << 30));
	sock_gen_put(sk);
}

/* A new connection from @conn's port: its SYN meets the TIME-WAIT. */
static void tcptw_test_conn_reopen(struct kunit *test,
				   struct tcptw_test_pair *pair,
				   struct tcptw_test_conn *conn)
{
	struct sockaddr_in dst = tcptw_test_sin4(pair->server_addr, pair->port);

	conn->client = tcptw_test_client(test, pair, conn->client_port);
	KUNIT_ASSERT_EQ(test, kernel_connect(conn->client, (void *)&dst,
					     sizeof(dst), O_NONBLOCK),
			-EINPROGRESS);
}

/*
 * tw: a new SYN on the 4-tuple of a TIME-WAIT that remembers a later
 * timestamp is refused by tcp_timewait_state_process(), as when a host
 * reuses its port after a reboot: tw_syn, but from one port, not NAT.
 */
static void paws_hook_time_wait(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test, 1);
	struct tcptw_test_conn *conn = &pair->conn[0];
	u64 start[TCPTW_PAWS_NR_PATHS];
	const struct tcptw_paws_row *row;

	tcptw_test_paws_ready(test, 1);
	tcptw_test_conn_time_wait(test, pair, conn);
	tcptw_test_paws_start(start);
	tcptw_test_conn_reopen(test, pair, conn);
	row = tcptw_test_paws_row(test, pair, start, TCPTW_PAWS_TW, 1);
	KUNIT_EXPECT_EQ(test, row->tw_syn, row->paths[TCPTW_PAWS_TW]);
	KUNIT_EXPECT_EQ(test, row->sports[0], conn->client_port);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, 1);
	KUNIT_EXPECT_EQ(test, row->syn_sports[0], conn->client_port);
	KUNIT_EXPECT_FALSE(test, tcptw_paws_row_nat(row));
}

/*
 * tw from two ports of one address, each SYN behind the timestamp its own
 * 4-tuple's TIME-WAIT kept: two hosts behind the client's NAT. The row says
 * nat, and so does the client's row of the peer table.
 */
static void paws_hook_time_wait_nat(struct kunit *test)
{
	struct tcptw_test_pair *pair = tcptw_test_pair(test, TCPTW_TEST_CONNS);
	struct tcptw_addr client = tcptw_test_addr4(pair->client_addr);
	struct tcptw_report *r = tcptw_test_report_alloc(test);
	u64 start[TCPTW_PAWS_NR_PATHS];
	const struct tcptw_paws_row *row;
	const struct tcptw_peer *peer = NULL;
	int i;

	tcptw_test_paws_ready(test, 1);
	for (i = 0; i < TCPTW_TEST_CONNS; i++)
		tcptw_test_conn_time_wait(test, pair, &pair->conn[i]);
	tcptw_test_paws_start(start);
	for (i = 0; i < TCPTW_TEST_CONNS; i++)
		tcptw_test_conn_reopen(test, pair, &pair->conn[i]);
	row = tcptw_test_paws_row(test, pair, start, TCPTW_PAWS_TW,
				  TCPTW_TEST_CONNS);
	KUNIT_EXPECT_EQ(test, row->tw_syn, row->paths[TCPTW_PAWS_TW]);
	KUNIT_EXPECT_EQ(test, row->nr_syn_sports, TCPTW_TEST_CONNS);
	KUNIT_EXPECT_TRUE(test, tcptw_paws_row_nat(row));

	KUNIT_ASSERT_EQ(test, tcptw_report_build(r, &init_net, 65536, NULL), 0);
	for (i = 0; i < r->table.nr; i++)
		if (tcptw_addr_equal(&r->table.peers[i].addr, &client))
			peer = &r->table.peers[i];
	KUNIT_ASSERT_NOT_NULL(test, peer);
	KUNIT_EXPECT_TRUE(test, peer->nat);
	KUNIT_EXPECT_EQ(test, peer->paws, tcptw_paws_row_rejects(row));
	KUNIT_EXPECT_GE(test, r->val[TCPTW_KEY_NAT_SUSPECTS], 1ULL);
}

static struct kunit_case tcptw_paws_cases[] = {
	KUNIT_CASE_PARAM(paws_tcp_timestamps, tcptw_ts_gen_params),
	KUNIT_CASE(paws_row_counts_per_path),
	KUNIT_CASE(paws_row_sports_distinct),
	KUNIT_CASE(paws_row_sports_saturate),
	KUNIT_CASE_PARAM(paws_row_events, tcptw_row_gen_params),
	KUNIT_CASE(paws_row_ignores_unknown_path),
	KUNIT_CASE_PARAM(paws_row_nat_rule, tcptw_nat_gen_params),
	KUNIT_CASE(paws_path_names),
	KUNIT_CASE(paws_path_present),
	KUNIT_CASE_PARAM(paws_row_text, tcptw_paws_text_gen_params),
	KUNIT_CASE(paws_header_text),
	KUNIT_CASE(paws_row_column_count_matches_header),
	KUNIT_CASE(paws_net_drop_counted),
	KUNIT_CASE_PARAM(paws_net_drop_reason, tcptw_reason_gen_params),
	KUNIT_CASE(paws_net_malformed_ignored),
	KUNIT_CASE(paws_net_log),
	KUNIT_CASE(paws_net_reset),
	KUNIT_CASE(paws_net_report),
	KUNIT_CASE(paws_net_cap),
	KUNIT_CASE(paws_net_free_list),
	KUNIT_CASE(paws_hook_estab),
	KUNIT_CASE(paws_hook_estab_backlog),
	KUNIT_CASE(paws_hook_time_wait),
	KUNIT_CASE(paws_hook_time_wait_nat),
	{}
};

static struct kunit_suite tcptw_paws_suite = {
	.name = "tcptw_paws",
	.init = tcptw_paws_test_init,
	.exit = tcptw_paws_test_exit,
	.test_cases = tcptw_paws_cases,
};

kunit_test_suites(&tcptw_paws_suite);
