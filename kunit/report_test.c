// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the /proc/tcptw renderer against literal expected text. These
 * strings are the v1.2 format as documented in tcptw_format.h; a change here
 * is a change of the contract and must move the format version.
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "tcptw.h"
#include "tcptw_test.h"

static struct tcptw_report *tcptw_test_report(struct kunit *test)
{
	struct tcptw_report *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int key;

	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Every key a distinct value, so a swapped key shows. */
	for (key = 0; key < TCPTW_NR_KEYS; key++)
		r->val[key] = 100 + key;
	r->port_lo = 32768;
	r->port_hi = 60999;
	tcptw_peer_table_init(&r->table, 65536);
	return r;
}

#define TCPTW_TEST_HEADER						\
	"peer tw tw_in tw_out estab syn_sent syn_recv fin_wait1 fin_wait2 "	\
	"close_wait last_ack closing close tw_ttl_min_ms tw_ttl_max_ms "	\
	"paws nat\n"

#define TCPTW_TEST_SUMMARY_HEAD						\
	"tcptw 1.2\n"							\
	"tw_count 100\n"						\
	"tw_buckets 101\n"						\
	"tw_max 102\n"							\
	"tw_pressure_pct 103\n"						\
	"tw_overflow 104\n"						\
	"tw_expired 105\n"						\
	"tw_reused 106\n"						\
	"paws_estab 107\n"						\
	"paws_active 108\n"						\
	"port_range 32768-60999\n"					\
	"ehash_buckets 110\n"						\
	"sockets 111\n"							\
	"peers 112\n"							\
	"peers_max 113\n"						\
	"walk_us 114\n"

/* The 1.1 keys: after peers_truncated (key 115), which is not always there. */
#define TCPTW_TEST_SUMMARY_MID						\
	"paws_rej_estab 116\n"						\
	"paws_rej_syn_sent 117\n"					\
	"paws_rej_syn_recv 118\n"					\
	"paws_rej_tw 119\n"						\
	"paws_since_s 120\n"						\
	"paws_rows 121\n"						\
	"paws_max 122\n"						\
	"paws_other 123\n"						\
	"nat_suspects 124\n"						\
	"tuples 125\n"							\
	"tuples_max 126\n"						\
	"port_usage_max_pct 127\n"

/* The 1.2 keys, each with its value. */
#define TCPTW_TEST_SUMMARY_TAIL						\
	TCPTW_TEST_SUMMARY_MID						\
	"paws_timewait 128\n"						\
	"paws_old_ack 129\n"						\
	"paws_rej_old_ack 130\n"					\
	"paws_dropped 131\n"

static void report_summary_text(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);
	struct seq_file *m = tcptw_test_seq(test);

	tcptw_report_show_summary(m, r);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   TCPTW_TEST_SUMMARY_HEAD TCPTW_TEST_SUMMARY_TAIL "\n"
			   TCPTW_TEST_HEADER);
}

static void report_summary_truncated(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);
	struct seq_file *m = tcptw_test_seq(test);

	r->table.other_sockets = 42;
	r->val[TCPTW_KEY_PEERS_TRUNCATED] = 42;
	tcptw_report_show_summary(m, r);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   TCPTW_TEST_SUMMARY_HEAD "peers_truncated 42\n"
			   TCPTW_TEST_SUMMARY_TAIL "\n" TCPTW_TEST_HEADER);
}

static void report_summary_version_line(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);
	struct seq_file *m = tcptw_test_seq(test);
	char want[32];

	snprintf(want, sizeof(want), "%s %d.%d\n", TCPTW_FORMAT_NAME,
		 TCPTW_FORMAT_MAJOR, TCPTW_FORMAT_MINOR);
	tcptw_report_show_summary(m, r);
	KUNIT_EXPECT_EQ(test, strncmp(tcptw_test_text(test, m), want,
				      strlen(want)), 0);
	KUNIT_EXPECT_STREQ(test, want, "tcptw 1.2\n");
}

static void report_summary_large_values(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);
	struct seq_file *m = tcptw_test_seq(test);

	r->val[TCPTW_KEY_TW_OVERFLOW] = U64_MAX;
	tcptw_report_show_summary(m, r);
	KUNIT_EXPECT_NOT_NULL(test, strstr(tcptw_test_text(test, m),
					   "\ntw_overflow 18446744073709551615\n"));
}

/*
 * Counters a kernel may not have are written "-" (report->absent), whatever
 * their value; the keys stay, in their place. As on the kernels tcptw knows:
 * 6.1 and 6.12 have neither PAWSTimewait nor old ACKs, 6.16 has
 * PAWSTimewait only, 6.17 and later all of them.
 */
struct tcptw_absent_case {
	const char *desc;
	bool timewait, old_ack;		/* absent */
	const char *want;
};

static const struct tcptw_absent_case tcptw_absent_cases[] = {
	{ "6.1: no paws_timewait, no old ACKs", true, true,
	  "paws_timewait -\npaws_old_ack -\npaws_rej_old_ack -\n"
	  "paws_dropped 131\n" },
	{ "6.16: paws_timewait, no old ACKs", false, true,
	  "paws_timewait 128\npaws_old_ack -\npaws_rej_old_ack -\n"
	  "paws_dropped 131\n" },
	{ "7.x: all there", false, false,
	  "paws_timewait 128\npaws_old_ack 129\npaws_rej_old_ack 130\n"
	  "paws_dropped 131\n" },
};

static void tcptw_absent_desc(const struct tcptw_absent_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(tcptw_absent, tcptw_absent_cases, tcptw_absent_desc);

static void report_summary_absent(struct kunit *test)
{
	const struct tcptw_absent_case *c = test->param_value;
	struct tcptw_report *r = tcptw_test_report(test);
	struct seq_file *m = tcptw_test_seq(test);
	char *want;

	if (c->timewait)
		__set_bit(TCPTW_KEY_PAWS_TIMEWAIT, r->absent);
	if (c->old_ack) {
		__set_bit(TCPTW_KEY_PAWS_OLD_ACK, r->absent);
		__set_bit(TCPTW_KEY_PAWS_REJ_OLD_ACK, r->absent);
	}
	want = kunit_kzalloc(test, TCPTW_TEST_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	snprintf(want, TCPTW_TEST_BUF, "%s%s%s\n%s", TCPTW_TEST_SUMMARY_HEAD,
		 TCPTW_TEST_SUMMARY_MID, c->want, TCPTW_TEST_HEADER);
	tcptw_report_show_summary(m, r);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m), want);
}

static struct tcptw_peer *tcptw_test_peer(struct kunit *test)
{
	struct tcptw_peer *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static void report_peer_row_ipv4(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);
	int s;

	ipv6_addr_set_v4mapped(htonl(0xc0000207), &p->addr.in6);
	p->addr.family = AF_INET;
	/* Each state column its own value: a swapped column shows. */
	for (s = 0; s < TCP_MAX_STATES; s++)
		p->states[s] = 10 + s;
	p->tw_in = 7;
	p->tw_out = 9;
	p->tw_ttl_min_ms = 1200;
	p->tw_ttl_max_ms = 59996;
	p->paws = 412;
	p->nat = true;
	tcptw_report_show_peer(m, p, false);
	/* tw=16 in=7 out=9 estab=11 syn_sent=12 syn_recv=13 fw1=14 fw2=15
	 * close_wait=18 last_ack=19 closing=21 close=17 paws=412 nat=1
	 */
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "192.0.2.7 16 7 9 11 12 13 14 15 18 19 21 17 1200 59996 412 1\n");
}

static void report_peer_row_ipv6_compressed(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);

	KUNIT_ASSERT_EQ(test, in6_pton("2001:0db8:0000:0000:0000:0000:0000:0001",
				       -1, p->addr.in6.s6_addr, -1, NULL), 1);
	p->addr.family = AF_INET6;
	p->states[TCP_ESTABLISHED] = 3;
	tcptw_report_show_peer(m, p, false);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "2001:db8::1 0 0 0 3 0 0 0 0 0 0 0 0 - - 0 0\n");
}

static void report_peer_row_no_tw_dashes(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);

	ipv6_addr_set_v4mapped(htonl(0x0a000001), &p->addr.in6);
	p->addr.family = AF_INET;
	p->states[TCP_CLOSE_WAIT] = 2;
	/* What tcptw_peer_init() leaves when no TIME-WAIT was seen. */
	p->tw_ttl_min_ms = U32_MAX;
	tcptw_report_show_peer(m, p, false);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "10.0.0.1 0 0 0 0 0 0 0 0 2 0 0 0 - - 0 0\n");
}

static void report_other_row(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);

	p->states[TCP_TIME_WAIT] = 5;
	p->tw_in = 5;
	p->tw_ttl_min_ms = 10;
	p->tw_ttl_max_ms = 20;
	tcptw_report_show_peer(m, p, true);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "other 5 5 0 0 0 0 0 0 0 0 0 0 10 20 0 0\n");
}

/* A peer whose sockets are all gone keeps a row for its PAWS rejects. */
static void report_peer_row_paws_only(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);

	p->addr = tcptw_test_addr4(0xcb007107);
	p->tw_ttl_min_ms = U32_MAX;
	p->paws = 3;
	p->nat = true;
	tcptw_report_show_peer(m, p, false);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "203.0.113.7 0 0 0 0 0 0 0 0 0 0 0 0 - - 3 1\n");
}

static void report_other_row_paws_only(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);

	p->tw_ttl_min_ms = U32_MAX;
	p->paws = U64_MAX;
	tcptw_report_show_peer(m, p, true);
	KUNIT_EXPECT_STREQ(test, tcptw_test_text(test, m),
			   "other 0 0 0 0 0 0 0 0 0 0 0 0 - - 18446744073709551615 0\n");
}

/* The "other" peer row: sockets beyond the cap, or PAWS rejects of such peers. */
static void report_has_other(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);

	KUNIT_EXPECT_FALSE(test, tcptw_report_has_other(r));
	r->table.other.paws = 2;
	KUNIT_EXPECT_TRUE(test, tcptw_report_has_other(r));
	r->table.other.paws = 0;
	r->table.other_sockets = 1;
	KUNIT_EXPECT_TRUE(test, tcptw_report_has_other(r));
}

/* The "other" PAWS row: only when rejects were summed into it. */
static void report_has_paws_other(struct kunit *test)
{
	struct tcptw_report *r = tcptw_test_report(test);

	KUNIT_EXPECT_FALSE(test, tcptw_report_has_paws_other(r));
	r->paws.other_rejects = 1;
	KUNIT_EXPECT_TRUE(test, tcptw_report_has_paws_other(r));
}

static void report_row_column_count_matches_header(struct kunit *test)
{
	struct tcptw_peer *p = tcptw_test_peer(test);
	struct seq_file *m = tcptw_test_seq(test);
	const char *row, *c;
	int spaces = 0;

	p->addr.family = AF_INET6;
	tcptw_report_show_peer(m, p, false);
	row = tcptw_test_text(test, m);
	for (c = row; *c; c++)
		spaces += *c == ' ';
	KUNIT_EXPECT_EQ(test, spaces + 1, TCPTW_NR_COLS);
}

static struct kunit_case tcptw_report_cases[] = {
	KUNIT_CASE(report_summary_text),
	KUNIT_CASE(report_summary_truncated),
	KUNIT_CASE(report_summary_version_line),
	KUNIT_CASE(report_summary_large_values),
	KUNIT_CASE_PARAM(report_summary_absent, tcptw_absent_gen_params),
	KUNIT_CASE(report_peer_row_ipv4),
	KUNIT_CASE(report_peer_row_ipv6_compressed),
	KUNIT_CASE(report_peer_row_no_tw_dashes),
	KUNIT_CASE(report_other_row),
	KUNIT_CASE(report_peer_row_paws_only),
	KUNIT_CASE(report_other_row_paws_only),
	KUNIT_CASE(report_has_other),
	KUNIT_CASE(report_has_paws_other),
	KUNIT_CASE(report_row_column_count_matches_header),
	{}
};

static struct kunit_suite tcptw_report_suite = {
	.name = "tcptw_report",
	.test_cases = tcptw_report_cases,
};

kunit_test_suites(&tcptw_report_suite);
