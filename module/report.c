// SPDX-License-Identifier: GPL-2.0
/*
 * One read's report: the summary (the kernel's own counters and sysctls next
 * to what the walk found) and the rendering of the format in tcptw_format.h.
 */

#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/snmp.h>

#include "tcptw.h"

/*
 * Names in the order of the enums built from the same lists in
 * tcptw_format.h; each array is sized by its enum.
 */
#define TCPTW_NAME_ENTRY(id, name)	name,
static const char * const tcptw_key_names[TCPTW_NR_KEYS] = {
	TCPTW_SUMMARY_KEYS(TCPTW_NAME_ENTRY)
};

static const char * const tcptw_col_names[TCPTW_NR_COLS] = {
	TCPTW_PEER_COLUMNS(TCPTW_NAME_ENTRY)
};

static const char * const tcptw_tuple_col_names[TCPTW_NR_TUPLE_COLS] = {
	TCPTW_TUPLE_COLUMNS(TCPTW_NAME_ENTRY)
};

static const char * const tcptw_paws_col_names[TCPTW_NR_PAWS_COLS] = {
	TCPTW_PAWS_COLUMNS(TCPTW_NAME_ENTRY)
};

#undef TCPTW_NAME_ENTRY

/* The PAWS path each per-path column of the PAWS table counts. */
static const s8 tcptw_paws_col_path[TCPTW_NR_PAWS_COLS] = {
	[TCPTW_COL_P_ESTAB]	= TCPTW_PAWS_ESTAB,
	[TCPTW_COL_P_SYN_SENT]	= TCPTW_PAWS_SYN_SENT,
	[TCPTW_COL_P_SYN_RECV]	= TCPTW_PAWS_SYN_RECV,
	[TCPTW_COL_P_TW]	= TCPTW_PAWS_TW,
};

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

/*
 * A TcpExt counter of @net summed over CPUs, as /proc/net/netstat shows it.
 * snmp_fold_field() does the same but is not exported on every kernel.
 */
u64 tcptw_linux_mib(const struct net *net, int field)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(net->mib.net_statistics,
					     cpu)->mibs[field]);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_linux_mib);

/* 100 * used / max, rounded down; a zero limit is full whatever is used. */
VISIBLE_IF_KUNIT u64 tcptw_pressure_pct(u64 used, u64 max)
{
	if (!max)
		return 100;
	return div64_u64(used * 100, max);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_pressure_pct);

/* A TcpExt counter only some kernels have (@field < 0: this one has not). */
static void tcptw_report_fill_mib(struct tcptw_report *report,
				  const struct net *net, int key, int field)
{
	if (field < 0)
		__set_bit(key, report->absent);
	else
		report->val[key] = tcptw_linux_mib(net, field);
}

static void tcptw_report_fill_counters(struct tcptw_report *report,
				       struct net *net)
{
	const struct inet_timewait_death_row *dr = &net->ipv4.tcp_death_row;
	u64 *val = report->val;

	/* As /proc/net/sockstat computes "tw". */
	val[TCPTW_KEY_TW_BUCKETS] = tcptw_tw_count(dr);
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
	tcptw_report_fill_mib(report, net, TCPTW_KEY_PAWS_TIMEWAIT,
			      TCPTW_MIB_PAWS_TW);
	tcptw_report_fill_mib(report, net, TCPTW_KEY_PAWS_OLD_ACK,
			      TCPTW_MIB_PAWS_OLD_ACK);
}

/* Every PAWS row's rejects go to its peer's row (or "other"). */
static void tcptw_report_merge_paws(struct tcptw_report *report)
{
	const struct tcptw_paws_snap *snap = &report->paws;
	u32 i;

	for (i = 0; i < snap->nr; i++) {
		const struct tcptw_paws_row *row = &snap->rows[i];
		u64 rejects = tcptw_paws_row_rejects(row);

		/* Old ACKs alone are not rejects: no peer row for them. */
		if (!rejects)
			continue;
		tcptw_peer_table_add_paws(&report->table, &row->peer, rejects,
					  tcptw_paws_row_nat(row));
	}
	/* Many peers' rejects: never a NAT suspect. */
	if (snap->other_rejects)
		tcptw_peer_table_add_paws(&report->table, NULL,
					  tcptw_paws_row_rejects(&snap->other),
					  false);
}

/* Whether the peer table ends with an "other" row. */
bool tcptw_report_has_other(const struct tcptw_report *report)
{
	return report->table.other_sockets || report->table.other.paws;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_has_other);

/* Whether the PAWS table ends with an "other" row. */
bool tcptw_report_has_paws_other(const struct tcptw_report *report)
{
	return report->paws.other_rejects ||
	       report->paws.other.paths[TCPTW_PAWS_OLD_ACK];
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_has_paws_other);

static u64 tcptw_report_nat_suspects(const struct tcptw_report *report)
{
	const struct tcptw_peer_table *table = &report->table;
	u64 n = 0;
	u32 i;

	for (i = 0; i < table->nr; i++)
		n += table->peers[i].nat;
	if (tcptw_report_has_other(report))
		n += table->other.nat;
	return n;
}

/**
 * tcptw_report_build() - take one snapshot of @net
 * @report: filled in; release with tcptw_report_free(), also on error
 * @net: the namespace, pinned by the caller
 * @max_peers: cap on peer rows
 * @hint: the rows @net's last report had, or NULL: the tables grow to that
 *	  once past their first allocation (tcptw_index_alloc())
 *
 * Return: 0 or -ENOMEM.
 */
int tcptw_report_build(struct tcptw_report *report, struct net *net,
		       u32 max_peers, const struct tcptw_table_hint *hint)
{
	struct tcptw_walk_sink sink = {
		.peers = &report->table,
		.tuples = &report->tuples,
		.mem = &report->mem,
	};
	const struct tcptw_walk_result *walk = &report->walk;
	u64 *val = report->val;
	u32 range, max_tuples = READ_ONCE(tcptw_max_tuples);
	int err;

	memset(report, 0, sizeof(*report));
	tcptw_peer_table_init(&report->table, max_peers);
	tcptw_tuple_table_init(&report->tuples);
	report->table.mem = &report->mem;
	report->tuples.mem = &report->mem;
	if (hint) {
		report->table.hint = hint->peers;
		report->tuples.hint = hint->tuples;
	}
	err = tcptw_walk(net, &sink, &report->walk);
	if (err)
		return err;
	err = tcptw_paws_snapshot(net, &report->paws);
	if (err)
		return err;
	report->now = get_jiffies_64();
	tcptw_report_merge_paws(report);
	tcptw_peer_table_sort(&report->table);
	tcptw_tuple_table_sort(&report->tuples, max_tuples);

	/* Read right after the walk, so both describe the same moment. */
	tcptw_report_fill_counters(report, net);
	/* The range tw_in/tw_out were decided with, not a second read. */
	report->port_lo = walk->port_lo;
	report->port_hi = walk->port_hi;
	range = walk->port_hi - walk->port_lo + 1;
	report->tuples_shown = min(report->tuples.nr, max_tuples);
	val[TCPTW_KEY_TW_COUNT] = walk->tw_count;
	val[TCPTW_KEY_EHASH_BUCKETS] = walk->ehash_buckets;
	val[TCPTW_KEY_SOCKETS] = walk->sockets;
	val[TCPTW_KEY_PEERS] = report->table.nr;
	/* max_peers, or fewer where the reader's memory ran short. */
	val[TCPTW_KEY_PEERS_MAX] = report->table.max;
	val[TCPTW_KEY_WALK_US] = walk->walk_us;
	val[TCPTW_KEY_PEERS_TRUNCATED] = report->table.other_sockets;
	val[TCPTW_KEY_PAWS_REJ_ESTAB] = report->paws.totals[TCPTW_PAWS_ESTAB];
	val[TCPTW_KEY_PAWS_REJ_SYN_SENT] =
		report->paws.totals[TCPTW_PAWS_SYN_SENT];
	val[TCPTW_KEY_PAWS_REJ_SYN_RECV] =
		report->paws.totals[TCPTW_PAWS_SYN_RECV];
	val[TCPTW_KEY_PAWS_REJ_TW] = report->paws.totals[TCPTW_PAWS_TW];
	val[TCPTW_KEY_PAWS_SINCE_S] =
		div_u64(report->now - report->paws.since, HZ);
	val[TCPTW_KEY_PAWS_ROWS] = report->paws.nr;
	val[TCPTW_KEY_PAWS_MAX] = READ_ONCE(tcptw_paws_max);
	val[TCPTW_KEY_PAWS_OTHER] = report->paws.other_rejects;
	val[TCPTW_KEY_PAWS_DROPPED] = report->paws.dropped;
	val[TCPTW_KEY_PAWS_REJ_OLD_ACK] =
		report->paws.totals[TCPTW_PAWS_OLD_ACK];
	if (!tcptw_paws_path_present(TCPTW_PAWS_OLD_ACK))
		__set_bit(TCPTW_KEY_PAWS_REJ_OLD_ACK, report->absent);
	val[TCPTW_KEY_NAT_SUSPECTS] = tcptw_report_nat_suspects(report);
	val[TCPTW_KEY_TUPLES] = report->tuples.nr;
	val[TCPTW_KEY_TUPLES_MAX] = max_tuples;
	val[TCPTW_KEY_PORT_USAGE_MAX_PCT] = report->tuples.nr ?
		tcptw_tuple_pct(report->tuples.tuples[0].used, range) : 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_build);

void tcptw_report_free(struct tcptw_report *report)
{
	tcptw_peer_table_destroy(&report->table);
	tcptw_tuple_table_destroy(&report->tuples);
	tcptw_paws_snap_free(&report->paws);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_free);

static void tcptw_report_show_names(struct seq_file *m,
				    const char * const *names, int n)
{
	int col;

	for (col = 0; col < n; col++)
		seq_printf(m, "%s%s", col ? " " : "", names[col]);
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
		if (test_bit(key, report->absent)) {
			seq_printf(m, "%s " TCPTW_NO_VALUE "\n",
				   tcptw_key_names[key]);
			continue;
		}
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
	tcptw_report_show_names(m, tcptw_col_names, TCPTW_NR_COLS);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_summary);

/*
 * A peer row is built in a buffer and handed to the seq_file once: a row per
 * peer, up to max_peers of them, and a seq_put_decimal_ull() per column (two
 * calls each, with the bounds checks) was most of what printing the table
 * cost. Room for the longest row: an IPv6 address, the largest numbers.
 */
#define TCPTW_ROW_MAX	(INET6_ADDRSTRLEN + TCPTW_NR_COLS * 21 + 2)

/* @v in decimal at @p; returns the end. */
static char *tcptw_row_dec(char *p, u64 v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

/* A column: " " and @v in decimal. */
static char *tcptw_row_u64(char *p, u64 v)
{
	*p++ = ' ';
	return tcptw_row_dec(p, v);
}

/*
 * @addr at @p, returning the end: IPv4 as "%pI4" prints it, four decimal
 * octets, without vsnprintf(), which parsing the format made the costliest
 * part of a row; IPv6 as "%pI6c" (RFC 5952). At most INET6_ADDRSTRLEN bytes.
 */
static char *tcptw_row_addr(char *p, const struct tcptw_addr *addr)
{
	const u8 *octet = &addr->in6.s6_addr[12];
	int i;

	if (addr->family != AF_INET)
		return p + sprintf(p, "%pI6c", &addr->in6);
	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = tcptw_row_dec(p, octet[i]);
	}
	return p;
}

void tcptw_show_addr(struct seq_file *m, const struct tcptw_addr *addr)
{
	char buf[INET6_ADDRSTRLEN];

	seq_write(m, buf, tcptw_row_addr(buf, addr) - buf);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_show_addr);

/* ADDR:PORT, with the IPv6 address in brackets. */
void tcptw_show_endpoint(struct seq_file *m, const struct tcptw_addr *addr,
			 u16 port)
{
	char buf[INET6_ADDRSTRLEN + sizeof("[]:65535")], *p = buf;

	if (addr->family != AF_INET)
		*p++ = '[';
	p = tcptw_row_addr(p, addr);
	if (addr->family != AF_INET)
		*p++ = ']';
	*p++ = ':';
	p = tcptw_row_dec(p, port);
	seq_write(m, buf, p - buf);
}

static char *tcptw_row_ttl(char *p, const struct tcptw_peer *peer, u32 ttl_ms)
{
	if (peer->states[TCP_TIME_WAIT])
		return tcptw_row_u64(p, ttl_ms);
	*p++ = ' ';
	*p++ = TCPTW_NO_VALUE[0];
	return p;
}

/* One row of the peer table; @is_other for the row beyond the cap. */
void tcptw_report_show_peer(struct seq_file *m, const struct tcptw_peer *peer,
			    bool is_other)
{
	char row[TCPTW_ROW_MAX], *p = row;
	int col;

	BUILD_BUG_ON(sizeof(TCPTW_NO_VALUE) != 2);
	BUILD_BUG_ON(sizeof(TCPTW_OTHER_PEER) > INET6_ADDRSTRLEN);
	for (col = 0; col < TCPTW_NR_COLS; col++) {
		switch (col) {
		case TCPTW_COL_PEER:
			if (is_other) {
				memcpy(p, TCPTW_OTHER_PEER,
				       sizeof(TCPTW_OTHER_PEER) - 1);
				p += sizeof(TCPTW_OTHER_PEER) - 1;
			} else {
				p = tcptw_row_addr(p, &peer->addr);
			}
			break;
		case TCPTW_COL_TW_IN:
			p = tcptw_row_u64(p, peer->tw_in);
			break;
		case TCPTW_COL_TW_OUT:
			p = tcptw_row_u64(p, peer->tw_out);
			break;
		case TCPTW_COL_TW_TTL_MIN_MS:
			p = tcptw_row_ttl(p, peer, peer->tw_ttl_min_ms);
			break;
		case TCPTW_COL_TW_TTL_MAX_MS:
			p = tcptw_row_ttl(p, peer, peer->tw_ttl_max_ms);
			break;
		case TCPTW_COL_PAWS:
			p = tcptw_row_u64(p, peer->paws);
			break;
		case TCPTW_COL_NAT:
			p = tcptw_row_u64(p, peer->nat);
			break;
		default:
			p = tcptw_row_u64(p, peer->states[tcptw_col_state[col]]);
		}
	}
	*p++ = '\n';
	seq_write(m, row, p - row);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_peer);

/* The empty line that ends the previous table and the port table header. */
void tcptw_report_show_tuple_header(struct seq_file *m)
{
	seq_putc(m, '\n');
	tcptw_report_show_names(m, tcptw_tuple_col_names, TCPTW_NR_TUPLE_COLS);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_tuple_header);

void tcptw_report_show_tuple(struct seq_file *m,
			     const struct tcptw_report *report,
			     const struct tcptw_tuple *tuple)
{
	u32 range = report->port_hi - report->port_lo + 1;

	tcptw_show_addr(m, &tuple->local);
	seq_putc(m, '>');
	tcptw_show_endpoint(m, &tuple->remote, tuple->remote_port);
	seq_put_decimal_ull(m, " ", tuple->used);
	seq_put_decimal_ull(m, " ", range);
	seq_put_decimal_ull(m, " ", tcptw_tuple_pct(tuple->used, range));
	seq_putc(m, '\n');
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_tuple);

void tcptw_report_show_paws_header(struct seq_file *m)
{
	seq_putc(m, '\n');
	tcptw_report_show_names(m, tcptw_paws_col_names, TCPTW_NR_PAWS_COLS);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_paws_header);

/* One row of the PAWS table; @is_other for the row beyond the cap. */
void tcptw_report_show_paws(struct seq_file *m,
			    const struct tcptw_report *report,
			    const struct tcptw_paws_row *row, bool is_other)
{
	int col;

	for (col = 0; col < TCPTW_NR_PAWS_COLS; col++) {
		switch (col) {
		case TCPTW_COL_PAWS_PEER:
			if (is_other)
				seq_puts(m, TCPTW_OTHER_PEER);
			else
				tcptw_show_addr(m, &row->peer);
			break;
		case TCPTW_COL_LPORT:
			if (is_other)
				seq_puts(m, " " TCPTW_NO_VALUE);
			else
				seq_put_decimal_ull(m, " ", row->lport);
			break;
		case TCPTW_COL_REJECTS:
			seq_put_decimal_ull(m, " ", tcptw_paws_row_rejects(row));
			break;
		case TCPTW_COL_SPORTS:
			seq_put_decimal_ull(m, " ", row->nr_sports);
			break;
		case TCPTW_COL_TW_SYN:
			seq_put_decimal_ull(m, " ", row->tw_syn);
			break;
		case TCPTW_COL_P_NAT:
			seq_put_decimal_ull(m, " ",
					    !is_other && tcptw_paws_row_nat(row));
			break;
		case TCPTW_COL_P_OLD_ACK:
			if (tcptw_paws_path_present(TCPTW_PAWS_OLD_ACK))
				seq_put_decimal_ull(m, " ",
						    row->paths[TCPTW_PAWS_OLD_ACK]);
			else
				seq_puts(m, " " TCPTW_NO_VALUE);
			break;
		case TCPTW_COL_AGE_S:
			seq_put_decimal_ull(m, " ",
					    div_u64(report->now - row->last, HZ));
			break;
		default:
			seq_put_decimal_ull(m, " ",
					    row->paths[tcptw_paws_col_path[col]]);
		}
	}
	seq_putc(m, '\n');
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_report_show_paws);
