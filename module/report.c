// SPDX-License-Identifier: GPL-2.0
/*
 * One read's report: the summary (the kernel's own counters and sysctls next
 * to what the walk found) and the rendering of the format in tcptw_format.h.
 */

#include <kunit/visibility.h>
#include <linux/math64.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/snmp.h>

#include "tcptw.h"

#define TCPTW_NAME_ENTRY(id, name)	[TCPTW_KEY_##id] = name,
static const char * const tcptw_key_names[TCPTW_NR_KEYS] = {
	TCPTW_SUMMARY_KEYS(TCPTW_NAME_ENTRY)
};
#undef TCPTW_NAME_ENTRY

#define TCPTW_NAME_ENTRY(id, name)	[TCPTW_COL_##id] = name,
static const char * const tcptw_col_names[TCPTW_NR_COLS] = {
	TCPTW_PEER_COLUMNS(TCPTW_NAME_ENTRY)
};
#undef TCPTW_NAME_ENTRY

/* The TCP state each state column counts; 0 for columns that are not one. */
static const u8 tcptw_col_state[TCPTW_NR_COLS] = {
	[TCPTW_COL_TW]		= TCP_TIME_WAIT,
	[TCPTW_COL_ESTAB]	= TCP_ESTABLISHED,
	[TCPTW_COL_SYN_SENT]	= TCP_SYN_SENT,
	[TCPTW_COL_SYN_RECV]	= TCP_SYN_RECV,
	[TCPTW_COL_FIN_WAIT1]	= TCP_FIN_WAIT1,
	[TCPTW_COL_FIN_WAIT2]	= TCP_FIN_WAIT2,
	[TCPTW_COL_CLOSE_WAIT]	= TCP_CLOSE_WAIT,
	[TCPTW_COL_LAST_ACK]	= TCP_LAST_ACK,
	[TCPTW_COL_CLOSING]	= TCP_CLOSING,
	[TCPTW_COL_CLOSE]	= TCP_CLOSE,
};

static u64 tcptw_linux_mib(struct net *net, int field)
{
	return snmp_fold_field(net->mib.net_statistics, field);
}

/* 100 * used / max, rounded down; a zero limit is full whatever is used. */
VISIBLE_IF_KUNIT u64 tcptw_pressure_pct(u64 used, u64 max)
{
	if (!max)
		return 100;
	return div64_u64(used * 100, max);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_pressure_pct);

static void tcptw_report_fill_counters(struct tcptw_report *report,
				       struct net *net)
{
	const struct inet_timewait_death_row *dr = &net->ipv4.tcp_death_row;
	u64 *val = report->val;

	/* As /proc/net/sockstat computes "tw". */
	val[TCPTW_KEY_TW_BUCKETS] = refcount_read(&dr->tw_refcount) - 1;
	val[TCPTW_KEY_TW_MAX] = READ_ONCE(dr->sysctl_max_tw_buckets);
	val[TCPTW_KEY_TW_PRESSURE_PCT] =
		tcptw_pressure_pct(val[TCPTW_KEY_TW_BUCKETS],
				   val[TCPTW_KEY_TW_MAX]);
	val[TCPTW_KEY_TW_OVERFLOW] =
		tcptw_linux_mib(net, LINUX_MIB_TCPTIMEWAITOVERFLOW);
	val[TCPTW_KEY_TW_EXPIRED] = tcptw_linux_mib(net, LINUX_MIB_TIMEWAITED);
	val[TCPTW_KEY_TW_REUSED] =
		tcptw_linux_mib(net, LINUX_MIB_TIMEWAITRECYCLED);
	val[TCPTW_KEY_PAWS_ESTAB] =
		tcptw_linux_mib(net, LINUX_MIB_PAWSESTABREJECTED);
	val[TCPTW_KEY_PAWS_ACTIVE] =
		tcptw_linux_mib(net, LINUX_MIB_PAWSACTIVEREJECTED);
}

/**
 * tcptw_report_build() - take one snapshot of @net
 * @report: filled in; release with tcptw_report_free(), also on error
 * @net: the namespace, pinned by the caller
 * @max_peers: cap on peer rows
 *
 * Return: 0 or -ENOMEM.
 */
int tcptw_report_build(struct tcptw_report *report, struct net *net,
		       u32 max_peers)
{
	struct tcptw_walk_result walk;
	u64 *val = report->val;
	int err;

	memset(report, 0, sizeof(*report));
	tcptw_peer_table_init(&report->table, max_peers);
	err = tcptw_walk(net, &report->table, &walk);
	if (err)
		return err;
	tcptw_peer_table_sort(&report->table);

	/* Read right after the walk, so both describe the same moment. */
	tcptw_report_fill_counters(report, net);
	/* The range tw_in/tw_out were decided with, not a second read. */
	report->port_lo = walk.port_lo;
	report->port_hi = walk.port_hi;
	val[TCPTW_KEY_TW_COUNT] = walk.tw_count;
	val[TCPTW_KEY_EHASH_BUCKETS] = walk.ehash_buckets;
	val[TCPTW_KEY_SOCKETS] = walk.sockets;
	val[TCPTW_KEY_PEERS] = report->table.nr;
	val[TCPTW_KEY_PEERS_MAX] = max_peers;
	val[TCPTW_KEY_WALK_US] = walk.walk_us;
	val[TCPTW_KEY_PEERS_TRUNCATED] = report->table.other_sockets;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_build);

void tcptw_report_free(struct tcptw_report *report)
{
	tcptw_peer_table_destroy(&report->table);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_free);

static void tcptw_report_show_header(struct seq_file *m)
{
	int col;

	for (col = 0; col < TCPTW_NR_COLS; col++)
		seq_printf(m, "%s%s", col ? " " : "", tcptw_col_names[col]);
	seq_putc(m, '\n');
}

/* The version line, the summary, the blank line and the peer table header. */
void tcptw_report_show_summary(struct seq_file *m,
			       const struct tcptw_report *report)
{
	const u64 *val = report->val;
	int key;

	seq_printf(m, "%s %d.%d\n", TCPTW_FORMAT_NAME, TCPTW_FORMAT_MAJOR,
		   TCPTW_FORMAT_MINOR);
	for (key = 0; key < TCPTW_NR_KEYS; key++) {
		switch (key) {
		case TCPTW_KEY_PORT_RANGE:
			seq_printf(m, "%s %d-%d\n", tcptw_key_names[key],
				   report->port_lo, report->port_hi);
			break;
		case TCPTW_KEY_PEERS_TRUNCATED:
			if (!report->table.other_sockets)
				break;
			fallthrough;
		default:
			seq_printf(m, "%s %llu\n", tcptw_key_names[key],
				   val[key]);
		}
	}
	seq_putc(m, '\n');
	tcptw_report_show_header(m);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_summary);

static void tcptw_report_show_addr(struct seq_file *m,
				   const struct tcptw_addr *addr)
{
	if (addr->family == AF_INET)
		seq_printf(m, "%pI4", &addr->in6.s6_addr32[3]);
	else
		seq_printf(m, "%pI6c", &addr->in6);
}

static void tcptw_report_show_ttl(struct seq_file *m,
				  const struct tcptw_peer *peer, u32 ttl_ms)
{
	if (peer->states[TCP_TIME_WAIT])
		seq_printf(m, " %u", ttl_ms);
	else
		seq_puts(m, " " TCPTW_NO_VALUE);
}

/* One row of the peer table; @is_other for the row beyond the cap. */
void tcptw_report_show_peer(struct seq_file *m, const struct tcptw_peer *peer,
			    bool is_other)
{
	int col;

	for (col = 0; col < TCPTW_NR_COLS; col++) {
		switch (col) {
		case TCPTW_COL_PEER:
			if (is_other)
				seq_puts(m, TCPTW_OTHER_PEER);
			else
				tcptw_report_show_addr(m, &peer->addr);
			break;
		case TCPTW_COL_TW_IN:
			seq_printf(m, " %u", peer->tw_in);
			break;
		case TCPTW_COL_TW_OUT:
			seq_printf(m, " %u", peer->tw_out);
			break;
		case TCPTW_COL_TW_TTL_MIN_MS:
			tcptw_report_show_ttl(m, peer, peer->tw_ttl_min_ms);
			break;
		case TCPTW_COL_TW_TTL_MAX_MS:
			tcptw_report_show_ttl(m, peer, peer->tw_ttl_max_ms);
			break;
		default:
			seq_printf(m, " %u",
				   peer->states[tcptw_col_state[col]]);
		}
	}
	seq_putc(m, '\n');
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_peer);
