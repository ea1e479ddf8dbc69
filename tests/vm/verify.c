// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-verify: holds /proc/tcptw against the kernel's own ground truth
 * (/proc/net/tcp{,6}, /proc/net/sockstat, /proc/net/netstat, sysctls) inside
 * the test VM, and debugfs tcptw/sockets and tcptw/count against
 * /proc/net/tcp{,6}, tcptw/walk_stats against the report. It parses
 * both on its own, sharing no code with the module or the tool, so that a bug
 * on either side cannot hide itself.
 *
 * TCPTW_VERIFY_PROC=DIR reads DIR instead of /proc (a hand-made or saved
 * tree), so that the checker itself can be tested without the module.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PEERS	100000
#define MAX_KEYS	128
#define MAX_TEXT	(64 << 20)
#define NSTATES		13	/* st values 1..12 of /proc/net/tcp */
#define USER_HZ_MS	10	/* /proc/net/tcp timers are in 1/100 s */
#define JIFFY_MS	10	/* a ms value may be off by a jiffy; HZ=100 */
#define RETRIES		5
#define SPORTS_MAX	16	/* the PAWS table counts remote ports up to this */
#define ADDR_KEY_LEN	17	/* family byte + 16 address bytes */
#define ENDPOINT_LEN	(INET6_ADDRSTRLEN + 8)
#define DEBUGFS_DIR	"/sys/kernel/debug/tcptw"

/*
 * The tables as format 1.2 documents them, written out here, not shared.
 * A table's columns only ever grow at the end, so these are prefixes of what
 * any later MINOR prints.
 */
#define KNOWN_MINOR	2
enum { TBL_PEERS, TBL_TUPLES, TBL_PAWS, NR_TABLES };

enum peer_col {
	PEER_ADDR, PEER_TW, PEER_TW_IN, PEER_TW_OUT, PEER_ESTAB,
	PEER_SYN_SENT, PEER_SYN_RECV, PEER_FIN_WAIT1, PEER_FIN_WAIT2,
	PEER_CLOSE_WAIT, PEER_LAST_ACK, PEER_CLOSING, PEER_CLOSE,
	PEER_TTL_MIN, PEER_TTL_MAX,
	PEER_PAWS, PEER_NAT,			/* 1.1 */
	NR_PEER_COLS
};
#define PEER_COLS_1_0	PEER_PAWS

static const char *const peer_cols[NR_PEER_COLS] = {
	"peer", "tw", "tw_in", "tw_out", "estab", "syn_sent", "syn_recv",
	"fin_wait1", "fin_wait2", "close_wait", "last_ack", "closing",
	"close", "tw_ttl_min_ms", "tw_ttl_max_ms", "paws", "nat",
};

enum tuple_col { TUPLE_TUPLE, TUPLE_USED, TUPLE_RANGE, TUPLE_PCT, NR_TUPLE_COLS };

static const char *const tuple_cols[NR_TUPLE_COLS] = {
	"tuple", "used", "range", "pct",
};

enum paws_col {
	PAWS_PEER, PAWS_LPORT, PAWS_REJECTS, PAWS_ESTAB, PAWS_SYN_SENT,
	PAWS_SYN_RECV, PAWS_TW, PAWS_SPORTS, PAWS_TW_SYN, PAWS_NAT, PAWS_AGE,
	PAWS_OLD_ACK,				/* 1.2 */
	NR_PAWS_COLS
};
#define PAWS_COLS_1_1	PAWS_OLD_ACK

static const char *const paws_cols[NR_PAWS_COLS] = {
	"paws_peer", "lport", "rejects", "estab", "syn_sent", "syn_recv",
	"tw", "sports", "tw_syn", "nat", "age_s", "old_ack",
};

static const struct {
	const char *what;
	const char *const *cols;
	size_t nr_cols;
	bool has_other;
} tables[NR_TABLES] = {
	[TBL_PEERS] = { "peer table", peer_cols, NR_PEER_COLS, true },
	[TBL_TUPLES] = { "port table", tuple_cols, NR_TUPLE_COLS, false },
	[TBL_PAWS] = { "PAWS table", paws_cols, NR_PAWS_COLS, true },
};

static const char *const required_keys[] = {
	"tw_count", "tw_buckets", "tw_max", "tw_pressure_pct", "tw_overflow",
	"tw_expired", "tw_reused", "paws_estab", "paws_active", "port_range",
	"ehash_buckets", "sockets", "peers", "peers_max", "walk_us",
};

static const char *const required_keys_1_1[] = {
	"paws_rej_estab", "paws_rej_syn_sent", "paws_rej_syn_recv",
	"paws_rej_tw", "paws_since_s", "paws_rows", "paws_max", "paws_other",
	"nat_suspects", "tuples", "tuples_max", "port_usage_max_pct",
};

static const char *const required_keys_1_2[] = {
	"paws_timewait", "paws_old_ack", "paws_rej_old_ack", "paws_dropped",
};

/* The PAWS paths: summary key, PAWS table column. */
enum { PATH_ESTAB, PATH_SYN_SENT, PATH_SYN_RECV, PATH_TW, NR_PATHS };
static const struct {
	const char *key;
	int col;
} paws_paths[NR_PATHS] = {
	[PATH_ESTAB] = { "paws_rej_estab", PAWS_ESTAB },
	[PATH_SYN_SENT] = { "paws_rej_syn_sent", PAWS_SYN_SENT },
	[PATH_SYN_RECV] = { "paws_rej_syn_recv", PAWS_SYN_RECV },
	[PATH_TW] = { "paws_rej_tw", PAWS_TW },
};

/* Column of the peer table -> /proc/net/tcp st value it must equal. */
static const struct {
	int col;
	unsigned int st;
} state_cols[] = {
	{ PEER_TW, 6 }, { PEER_ESTAB, 1 }, { PEER_SYN_SENT, 2 },
	{ PEER_SYN_RECV, 3 }, { PEER_FIN_WAIT1, 4 }, { PEER_FIN_WAIT2, 5 },
	{ PEER_CLOSE_WAIT, 8 }, { PEER_LAST_ACK, 9 }, { PEER_CLOSING, 11 },
	{ PEER_CLOSE, 7 },
};
#define NR_STATE_COLS (sizeof(state_cols) / sizeof(state_cols[0]))

struct truth_peer {
	char addr[INET6_ADDRSTRLEN];
	unsigned long st[NSTATES];
	unsigned long tw_in, tw_out;
	long ttl_min_ms, ttl_max_ms;	/* -1: no TIME_WAIT */
};

/*
 * TcpExt counters the summary repeats: summary key -> netstat field. The
 * 1.2 ones exist on some kernels only (PAWSTimewait from 6.16, PAWSOldAck
 * from 6.17); where the kernel's netstat lacks the field the key is "-".
 */
enum {
	MIB_TW_OVERFLOW, MIB_TW_EXPIRED, MIB_TW_REUSED, MIB_PAWS_ESTAB,
	MIB_PAWS_ACTIVE, MIB_PAWS_TIMEWAIT, MIB_PAWS_OLD_ACK, NR_MIBS
};
static const struct {
	const char *key, *field;
	unsigned int minor;	/* the key's; 2: "-" where the kernel lacks it */
} mibs[NR_MIBS] = {
	[MIB_TW_OVERFLOW] = { "tw_overflow", "TCPTimeWaitOverflow", 0 },
	[MIB_TW_EXPIRED] = { "tw_expired", "TW", 0 },
	[MIB_TW_REUSED] = { "tw_reused", "TWRecycled", 0 },
	[MIB_PAWS_ESTAB] = { "paws_estab", "PAWSEstab", 0 },
	[MIB_PAWS_ACTIVE] = { "paws_active", "PAWSActive", 0 },
	[MIB_PAWS_TIMEWAIT] = { "paws_timewait", "PAWSTimewait", 2 },
	[MIB_PAWS_OLD_ACK] = { "paws_old_ack", "PAWSOldAck", 2 },
};

struct truth {
	struct truth_peer *peers;
	size_t nr;
	unsigned long sockets, tw, sockstat_tw;
	unsigned long long mib[NR_MIBS];
	bool mib_present[NR_MIBS];
	unsigned char listening[65536];
};

/* One line of a table, split at its spaces in place. */
struct row {
	char **f;
	size_t n;
};

struct table {
	bool present, header_ok;
	struct row header;
	struct row *rows;
	size_t nr_rows, alloc;
	struct row other;	/* .f is NULL when there is none */
};

struct report {
	char *text;
	unsigned int major, minor;
	char *summary_keys[MAX_KEYS];
	char *summary_vals[MAX_KEYS];
	size_t nr_keys;
	struct table t[NR_TABLES];
};

static int failures;
static FILE *diag;		/* where fail() writes: stdout unless a command says */
static const char *proc_root = "/proc";
/* -f REPORT: read before the ground truth, by an unknown margin. */
static bool saved_report;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# FAIL: ", diag);
	vfprintf(diag, fmt, ap);
	fputc('\n', diag);
	va_end(ap);
	failures++;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tcptw-verify: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die("out of memory");
	return p;
}

static char *read_fd_all(int fd, size_t chunk, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		die("out of memory");
	for (;;) {
		ssize_t r;

		if (n + chunk > cap) {
			cap *= 2;
			if (cap > MAX_TEXT)
				die("file too large");
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read: %s", strerror(errno));
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static char *read_file(const char *path, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	char *text;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	text = read_fd_all(fd, chunk, NULL);
	close(fd);
	return text;
}

/* A file under /proc (or under $TCPTW_VERIFY_PROC). */
static char *read_proc(const char *rel, size_t chunk)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", proc_root, rel);
	return read_file(path, chunk);
}

static unsigned long read_proc_ulong(const char *rel)
{
	char *text = read_proc(rel, 4096);
	unsigned long v = strtoul(text, NULL, 10);

	free(text);
	return v;
}

/* Addresses ------------------------------------------------------------- */

/*
 * A sortable key: IPv4 before IPv6, each in network byte order. IPv4-mapped
 * IPv6 stays IPv6 here, so that writing it back shows the mapped form.
 */
static bool addr_key(const char *s, unsigned char key[ADDR_KEY_LEN])
{
	memset(key, 0, ADDR_KEY_LEN);
	if (inet_pton(AF_INET, s, key + 1) == 1)
		return true;
	key[0] = 1;
	return inet_pton(AF_INET6, s, key + 1) == 1;
}

static void addr_text(const unsigned char key[ADDR_KEY_LEN], char *out)
{
	inet_ntop(key[0] ? AF_INET6 : AF_INET, key + 1, out, INET6_ADDRSTRLEN);
}

/* Written as the format wants it: RFC 5952, IPv4-mapped as IPv4. */
static bool addr_canonical(const char *s)
{
	unsigned char key[ADDR_KEY_LEN];
	char back[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (!addr_key(s, key))
		return false;
	memcpy(&a, key + 1, sizeof(a));
	if (key[0] && IN6_IS_ADDR_V4MAPPED(&a))
		return false;
	addr_text(key, back);
	return !strcmp(s, back);
}

static int addr_cmp(const char *a, const char *b)
{
	unsigned char ka[ADDR_KEY_LEN], kb[ADDR_KEY_LEN];

	addr_key(a, ka);
	addr_key(b, kb);
	return memcmp(ka, kb, ADDR_KEY_LEN);
}

/* "ADDR:PORT", IPv6 as "[ADDR]:PORT". */
static void endpoint_text(const char *addr, unsigned int port, char *out)
{
	snprintf(out, ENDPOINT_LEN, strchr(addr, ':') ? "[%s]:%u" : "%s:%u",
		 addr, port);
}

/* Ground truth ---------------------------------------------------------- */

static unsigned long sockstat_tw(void);
static unsigned long long netstat_value(const char *group, const char *name);
static bool netstat_try(const char *group, const char *name,
			unsigned long long *v);

static struct truth_peer *truth_peer(struct truth *t, const char *addr)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->peers[i].addr, addr))
			return &t->peers[i];
	if (t->nr == MAX_PEERS)
		die("too many peers");
	memset(&t->peers[t->nr], 0, sizeof(t->peers[0]));
	snprintf(t->peers[t->nr].addr, sizeof(t->peers[0].addr), "%s", addr);
	t->peers[t->nr].ttl_min_ms = -1;
	t->peers[t->nr].ttl_max_ms = -1;
	return &t->peers[t->nr++];
}

/* "0100007F:1F90" (v4) or 32 hex digits ":" port (v6), as the kernel prints. */
static void parse_proc_addr(const char *field, bool v6, char *out,
			    unsigned int *port)
{
	char hex[9] = { 0 };
	uint32_t words[4];
	int i, nwords = v6 ? 4 : 1;
	const char *colon = strchr(field, ':');

	if (!colon || colon - field != nwords * 8)
		die("bad address field '%s'", field);
	for (i = 0; i < nwords; i++) {
		memcpy(hex, field + 8 * i, 8);
		words[i] = (uint32_t)strtoul(hex, NULL, 16);
	}
	*port = strtoul(colon + 1, NULL, 16);
	if (!v6) {
		inet_ntop(AF_INET, &words[0], out, INET6_ADDRSTRLEN);
		return;
	}
	{
		struct in6_addr a;

		memcpy(&a, words, sizeof(a));
		if (IN6_IS_ADDR_V4MAPPED(&a))
			inet_ntop(AF_INET, &a.s6_addr[12], out, INET6_ADDRSTRLEN);
		else
			inet_ntop(AF_INET6, &a, out, INET6_ADDRSTRLEN);
	}
}

/* One line of /proc/net/tcp{,6}; addresses IPv4-mapped written as IPv4. */
struct tcp_row {
	char local[INET6_ADDRSTRLEN];
	char peer[INET6_ADDRSTRLEN];
	unsigned int lport, rport, st, timer;
	unsigned long when;
};

struct tcp_rows {
	struct tcp_row *r;
	size_t nr, alloc;
};

static void parse_proc_tcp(const char *rel, bool v6, struct tcp_rows *rows)
{
	char *text = read_proc(rel, 65536), *line, *save = NULL;
	bool first = true;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char local[64], remote[64], trwhen[64];
		struct tcp_row *r;

		if (first) {
			first = false;
			continue;
		}
		if (rows->nr == rows->alloc) {
			rows->alloc = rows->alloc ? 2 * rows->alloc : 1024;
			rows->r = xrealloc(rows->r, rows->alloc * sizeof(*rows->r));
		}
		r = &rows->r[rows->nr];
		if (sscanf(line, " %*s %63s %63s %x %*s %63s", local, remote,
			   &r->st, trwhen) != 4)
			die("%s/%s: cannot parse '%s'", proc_root, rel, line);
		parse_proc_addr(local, v6, r->local, &r->lport);
		parse_proc_addr(remote, v6, r->peer, &r->rport);
		if (sscanf(trwhen, "%x:%lx", &r->timer, &r->when) != 2)
			die("%s/%s: bad timer field '%s'", proc_root, rel, trwhen);
		rows->nr++;
	}
	free(text);
}

static void load_tcp(struct tcp_rows *rows)
{
	rows->nr = 0;
	parse_proc_tcp("net/tcp", false, rows);
	parse_proc_tcp("net/tcp6", true, rows);
}

static void port_range(unsigned int *lo, unsigned int *hi)
{
	char *text = read_proc("sys/net/ipv4/ip_local_port_range", 4096);

	if (sscanf(text, "%u %u", lo, hi) != 2 || *lo > *hi || *hi > 65535)
		die("cannot parse ip_local_port_range '%s'", text);
	free(text);
}

static void truth_load(struct truth *t)
{
	static struct tcp_rows rows;
	unsigned int lo, hi;
	size_t i;

	t->nr = 0;
	t->sockets = 0;
	t->tw = 0;
	memset(t->listening, 0, sizeof(t->listening));
	load_tcp(&rows);
	port_range(&lo, &hi);
	t->sockstat_tw = sockstat_tw();
	for (i = 0; i < NR_MIBS; i++) {
		t->mib_present[i] = netstat_try("TcpExt", mibs[i].field, &t->mib[i]);
		if (!t->mib_present[i] && !mibs[i].minor)
			die("no TcpExt %s in %s/net/netstat", mibs[i].field, proc_root);
	}

	for (i = 0; i < rows.nr; i++)
		if (rows.r[i].st == 10)
			t->listening[rows.r[i].lport] = 1;
	for (i = 0; i < rows.nr; i++) {
		struct tcp_row *r = &rows.r[i];
		struct truth_peer *p;

		if (r->st == 10)	/* LISTEN: not in the established hash */
			continue;
		if (r->st == 0 || r->st >= NSTATES)
			die("unexpected st %u", r->st);
		p = truth_peer(t, r->peer);
		p->st[r->st]++;
		t->sockets++;
		if (r->st != 6)
			continue;
		t->tw++;
		if (t->listening[r->lport] || r->lport < lo || r->lport > hi)
			p->tw_in++;
		else
			p->tw_out++;
		{
			long ms = (long)r->when * USER_HZ_MS;

			if (p->ttl_min_ms < 0 || ms < p->ttl_min_ms)
				p->ttl_min_ms = ms;
			if (ms > p->ttl_max_ms)
				p->ttl_max_ms = ms;
		}
	}
}

static bool truth_same_states(const struct truth *a, const struct truth *b)
{
	size_t i;

	if (a->nr != b->nr || a->sockets != b->sockets ||
	    a->sockstat_tw != b->sockstat_tw)
		return false;
	for (i = 0; i < a->nr; i++) {
		const struct truth_peer *pa = &a->peers[i];
		size_t j;

		for (j = 0; j < b->nr; j++)
			if (!strcmp(pa->addr, b->peers[j].addr))
				break;
		if (j == b->nr || memcmp(pa->st, b->peers[j].st, sizeof(pa->st)))
			return false;
	}
	return true;
}

static const struct truth_peer *truth_find(const struct truth *t,
					   const char *addr)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->peers[i].addr, addr))
			return &t->peers[i];
	return NULL;
}

static unsigned long sockstat_tw(void)
{
	char *text = read_proc("net/sockstat", 4096);
	char *tcp = strstr(text, "\nTCP: ");
	unsigned long tw;

	if (!tcp || !strstr(tcp, " tw ") ||
	    sscanf(strstr(tcp, " tw ") + 4, "%lu", &tw) != 1)
		die("cannot find TCP tw in %s/net/sockstat", proc_root);
	free(text);
	return tw;
}

/*
 * A counter from a /proc/net/netstat text: a "Group:" line of names, then one
 * of values. The text is cut up.
 */
static bool netstat_lookup(char *text, const char *group, const char *name,
			   unsigned long long *v)
{
	char prefix[64], *names, *values, *nl, *ns = NULL, *vs = NULL, *n, *val;

	snprintf(prefix, sizeof(prefix), "%s:", group);
	names = strstr(text, prefix);
	while (names && names != text && names[-1] != '\n')
		names = strstr(names + 1, prefix);
	if (!names)
		return false;
	values = strstr(names + 1, prefix);
	nl = strchr(names, '\n');
	if (!values || !nl)
		return false;
	*nl = 0;
	*strchrnul(values, '\n') = 0;
	n = strtok_r(names + strlen(prefix), " ", &ns);
	val = strtok_r(values + strlen(prefix), " ", &vs);
	while (n && val) {
		if (!strcmp(n, name)) {
			*v = strtoull(val, NULL, 10);
			return true;
		}
		n = strtok_r(NULL, " ", &ns);
		val = strtok_r(NULL, " ", &vs);
	}
	return false;
}

/* Whether this kernel's netstat has the counter at all, and its value. */
static bool netstat_try(const char *group, const char *name,
			unsigned long long *v)
{
	char *text = read_proc("net/netstat", 65536);
	bool found = netstat_lookup(text, group, name, v);

	free(text);
	return found;
}

static unsigned long long netstat_value(const char *group, const char *name)
{
	unsigned long long v;

	if (!netstat_try(group, name, &v))
		die("no %s %s in %s/net/netstat", group, name, proc_root);
	return v;
}

/* /proc/tcptw, parsed independently -------------------------------------- */

/* Split a line at its spaces, in place; "a  b" gives an empty field. */
static struct row split_line(char *line)
{
	struct row row = { NULL, 1 };
	size_t i = 0;
	char *p;

	for (p = line; *p; p++)
		if (*p == ' ')
			row.n++;
	row.f = malloc(row.n * sizeof(char *));
	if (!row.f)
		die("out of memory");
	row.f[i++] = line;
	for (p = line; *p; p++) {
		if (*p == ' ') {
			*p = 0;
			row.f[i++] = p + 1;
		}
	}
	return row;
}

/* A split line written back, for messages. */
static const char *joined(const struct row *row)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < row->n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				i ? " " : "", row->f[i]);
	return buf;
}

static void table_add(struct table *t, struct row row)
{
	if (t->nr_rows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 256;
		t->rows = xrealloc(t->rows, t->alloc * sizeof(*t->rows));
	}
	t->rows[t->nr_rows++] = row;
}

/* "tcptw MAJOR.MINOR"; a MAJOR other than 1 is refused, any MINOR taken. */
static void parse_version(struct report *r, const char *line)
{
	const char *p = line + 6;
	char *end;

	if (strncmp(line, "tcptw ", 6) || !isdigit((unsigned char)*p))
		die("version line is '%s', want 'tcptw MAJOR.MINOR'", line);
	r->major = strtoul(p, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		die("version line is '%s', want 'tcptw MAJOR.MINOR'", line);
	r->minor = strtoul(end + 1, &end, 10);
	if (*end)
		die("version line is '%s', want 'tcptw MAJOR.MINOR'", line);
	if (r->major != 1)
		die("format %u.%u: MAJOR %u is not known, only 1", r->major,
		    r->minor, r->major);
}

/*
 * A header is exact for the MINORs that this program knows (1.0 to 1.2); a
 * later MINOR may have appended columns.
 */
static void check_header(struct report *r, int tbl)
{
	struct table *t = &r->t[tbl];
	size_t want = tables[tbl].nr_cols, i;

	if (tbl == TBL_PEERS && r->minor == 0)
		want = PEER_COLS_1_0;
	if (tbl == TBL_PAWS && r->minor < 2)
		want = PAWS_COLS_1_1;
	t->header_ok = t->header.n == want ||
		       (r->minor > KNOWN_MINOR && t->header.n > want);
	for (i = 0; t->header_ok && i < want; i++)
		if (strcmp(t->header.f[i], tables[tbl].cols[i]))
			t->header_ok = false;
	if (!t->header_ok) {
		char expect[512];
		size_t len = 0;

		for (i = 0; i < want; i++)
			len += snprintf(expect + len, sizeof(expect) - len, "%s%s",
					i ? " " : "", tables[tbl].cols[i]);
		fail("%s header row is '%s', format 1.%u wants '%s'%s",
		     tables[tbl].what, joined(&t->header), r->minor, expect,
		     r->minor > KNOWN_MINOR ? " and maybe more" : "");
	}
}

static int table_by_name(const char *name)
{
	int i;

	for (i = 0; i < NR_TABLES; i++)
		if (!strcmp(tables[i].cols[0], name))
			return i;
	return -1;
}

static void report_parse(struct report *r, char *text)
{
	enum { IN_VERSION, IN_SUMMARY, IN_HEADER, IN_ROWS } section = IN_VERSION;
	struct table *cur = NULL;	/* NULL: an unknown table, skipped */
	int last = -1;			/* the last known table seen */
	char *line, *next;
	int i;

	memset(r, 0, sizeof(*r));
	r->text = text;
	/* strtok_r would swallow the empty lines: split by hand. */
	for (line = text; *line; line = next) {
		char *nl = strchr(line, '\n');
		struct row row;
		int tbl;

		if (!nl) {
			fail("last line not terminated: '%s'", line);
			break;
		}
		*nl = 0;
		next = nl + 1;
		switch (section) {
		case IN_VERSION:
			parse_version(r, line);
			section = IN_SUMMARY;
			break;
		case IN_SUMMARY:
			if (!*line) {
				section = IN_HEADER;
				break;
			}
			{
				char *sp = strchr(line, ' ');

				if (!sp || strchr(sp + 1, ' ') ||
				    r->nr_keys == MAX_KEYS) {
					fail("bad summary line '%s'", line);
					break;
				}
				*sp = 0;
				for (i = 0; i < (int)r->nr_keys; i++)
					if (!strcmp(r->summary_keys[i], line))
						fail("summary key %s twice", line);
				r->summary_keys[r->nr_keys] = line;
				r->summary_vals[r->nr_keys++] = sp + 1;
			}
			break;
		case IN_HEADER:
			if (!*line) {
				fail("two empty lines in a row");
				break;
			}
			section = IN_ROWS;
			row = split_line(line);
			tbl = table_by_name(row.f[0]);
			cur = NULL;
			if (last < 0 && tbl != TBL_PEERS) {
				fail("the peer table must come first, not '%s'",
				     joined(&row));
				last = TBL_PEERS;
				break;
			}
			if (tbl < 0)
				break;		/* a later MINOR's table */
			if (tbl <= last) {
				fail("%s repeated or out of order", tables[tbl].what);
				break;
			}
			last = tbl;
			if (tbl != TBL_PEERS && r->minor < 1) {
				fail("format 1.0 report has a %s", tables[tbl].what);
				break;
			}
			cur = &r->t[tbl];
			cur->present = true;
			cur->header = row;
			check_header(r, tbl);
			break;
		case IN_ROWS:
			if (!*line) {
				section = IN_HEADER;
				break;
			}
			if (!cur)
				break;
			tbl = cur - r->t;
			row = split_line(line);
			if (tables[tbl].has_other && !strcmp(row.f[0], "other")) {
				if (cur->other.f)
					fail("two 'other' rows in the %s",
					     tables[tbl].what);
				cur->other = row;
			} else if (cur->other.f) {
				fail("row after the 'other' row in the %s: '%s'",
				     tables[tbl].what, joined(&row));
			} else {
				table_add(cur, row);
			}
		}
	}
	if (section == IN_HEADER && last >= 0)
		fail("the report ends with an empty line");
	else if (section != IN_ROWS)
		fail("report ended early (in the %s)",
		     section == IN_VERSION ? "version line" :
		     section == IN_SUMMARY ? "summary" : "header of the peer table");
	for (i = TBL_TUPLES; r->minor >= 1 && i < NR_TABLES; i++)
		if (!r->t[i].present)
			fail("format 1.%u report without a %s", r->minor,
			     tables[i].what);
}

static const char *report_key(const struct report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nr_keys; i++)
		if (!strcmp(r->summary_keys[i], key))
			return r->summary_vals[i];
	return NULL;
}

static unsigned long long report_key_ull(const struct report *r,
					 const char *key)
{
	const char *v = report_key(r, key);
	char *end;
	unsigned long long n;

	if (!v) {
		fail("summary key %s missing", key);
		return 0;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*v))
		fail("summary key %s: '%s' is not a number", key, v);
	return n;
}

/*
 * A 1.2 key that is "-" where the kernel has no such counter: false then,
 * else its value (a bad one fails).
 */
static bool report_key_dash(const struct report *r, const char *key,
			    unsigned long long *v)
{
	const char *s = report_key(r, key);

	*v = 0;
	if (s && !strcmp(s, "-"))
		return false;
	*v = report_key_ull(r, key);
	return true;
}

/* A column by its header name, as scripts look them up; -1 if none. */
static int table_col(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->header.n; i++)
		if (!strcmp(t->header.f[i], name))
			return i;
	return -1;
}

/* An unsigned decimal as the format writes it; fails (giving 0) if not. */
static unsigned long long number(const char *s, const char *table,
				 const char *row, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*s)) {
		fail("%s %s: %s is '%s', not a number", table, row, what, s);
		return 0;
	}
	return v;
}

static unsigned long num(const char *s, const char *what, const char *peer)
{
	return number(s, "peer", peer, what);
}

/* The peer table --------------------------------------------------------- */

static unsigned long long peer_paws(const struct report *r, const struct row *row)
{
	return r->minor >= 1 ? number(row->f[PEER_PAWS], "peer", row->f[0], "paws") : 0;
}

/* Sort order of rows: tw desc, paws desc, then IPv4 before IPv6, numeric. */
static int row_order(const char *a_addr, unsigned long a_tw,
		     unsigned long long a_paws, const char *b_addr,
		     unsigned long b_tw, unsigned long long b_paws)
{
	if (a_tw != b_tw)
		return a_tw > b_tw ? -1 : 1;
	if (a_paws != b_paws)
		return a_paws > b_paws ? -1 : 1;
	return addr_cmp(a_addr, b_addr);
}

static void check_ttl(const char *peer, const char *what, const char *cell,
		      long before_ms, long after_ms)
{
	long v;

	if (before_ms < 0) {
		if (strcmp(cell, "-"))
			fail("peer %s: %s is '%s', want '-' (no TIME_WAIT)",
			     peer, what, cell);
		return;
	}
	v = (long)num(cell, what, peer);
	/*
	 * Time only runs down: the value read between two /proc/net/tcp reads
	 * lies between them, give or take their 10 ms resolution and a jiffy.
	 * A saved report (-f) was read before both: only the lower bound holds.
	 */
	if ((!saved_report && v > before_ms + USER_HZ_MS + 4) ||
	    v < after_ms - 4)
		fail("peer %s: %s %ld outside /proc/net/tcp's [%ld, %ld] ms",
		     peer, what, v, after_ms, before_ms + USER_HZ_MS);
}

/* Every socket column 0: a peer that has a row only for its PAWS rejects. */
static bool row_without_sockets(const struct row *row)
{
	int k;

	for (k = PEER_TW; k <= PEER_CLOSE; k++)
		if (strcmp(row->f[k], "0"))
			return false;
	return !strcmp(row->f[PEER_TTL_MIN], "-") &&
	       !strcmp(row->f[PEER_TTL_MAX], "-");
}

/*
 * Whether the PAWS table has a row of @peer: a peer whose only PAWS rows hold
 * old ACKs (1.2) may have a socketless peer row with paws 0.
 */
static bool paws_table_has_peer(const struct report *r, const char *peer)
{
	const struct table *wt = &r->t[TBL_PAWS];
	size_t i;

	for (i = 0; wt->present && i < wt->nr_rows; i++)
		if (!strcmp(wt->rows[i].f[0], peer))
			return true;
	return false;
}

static void compare_rows(const struct report *r, const struct truth *t,
			 const struct truth *after, bool truncated)
{
	const struct table *pt = &r->t[TBL_PEERS];
	unsigned long sum[NR_PEER_COLS] = { 0 }, other_sum[NR_PEER_COLS] = { 0 };
	const struct row *prev = NULL;
	size_t i, k, paws_only = 0;

	if (!pt->header_ok) {
		fail("peer rows not compared: their header is wrong");
		return;
	}
	for (i = 0; i < pt->nr_rows; i++) {
		const struct row *row = &pt->rows[i];
		char **f = row->f;
		const struct truth_peer *p, *pa;

		if (row->n != pt->header.n) {
			fail("peer row '%s' has %zu fields, the header %zu",
			     joined(row), row->n, pt->header.n);
			continue;
		}
		/* Bad numbers fail where they are compared; order parses quietly. */
		if (prev) {
			unsigned long long pp = 0, fp = 0;

			if (r->minor >= 1) {
				pp = strtoull(prev->f[PEER_PAWS], NULL, 10);
				fp = strtoull(f[PEER_PAWS], NULL, 10);
			}
			if (row_order(prev->f[0], strtoul(prev->f[PEER_TW], NULL, 10),
				      pp, f[0], strtoul(f[PEER_TW], NULL, 10), fp) >= 0)
				fail("rows out of order: %s then %s", prev->f[0], f[0]);
		}
		prev = row;
		p = truth_find(t, f[0]);
		pa = truth_find(after, f[0]);
		if (!p || !pa) {
			if (r->minor >= 1 && row_without_sockets(row) &&
			    (peer_paws(r, row) > 0 ||
			     (r->minor >= 2 && paws_table_has_peer(r, f[0])))) {
				if (!addr_canonical(f[0]))
					fail("peer %s: not an address as the format writes it",
					     f[0]);
				paws_only++;
				continue;
			}
			fail("peer %s is not in /proc/net/tcp{,6} of this namespace",
			     f[0]);
			continue;
		}
		for (k = PEER_TW; k <= PEER_CLOSE; k++)
			sum[k] += num(f[k], "cell", f[0]);
		for (k = 0; k < NR_STATE_COLS; k++) {
			const char *name = peer_cols[state_cols[k].col];
			unsigned long v = num(f[state_cols[k].col], name, f[0]);

			if (v != p->st[state_cols[k].st])
				fail("peer %s: %s is %lu, /proc/net/tcp{,6} says %lu",
				     f[0], name, v, p->st[state_cols[k].st]);
		}
		if (num(f[PEER_TW_IN], "tw_in", f[0]) != p->tw_in ||
		    num(f[PEER_TW_OUT], "tw_out", f[0]) != p->tw_out)
			fail("peer %s: tw_in/tw_out %s/%s, want %lu/%lu", f[0],
			     f[PEER_TW_IN], f[PEER_TW_OUT], p->tw_in, p->tw_out);
		check_ttl(f[0], "tw_ttl_min_ms", f[PEER_TTL_MIN], p->ttl_min_ms,
			  pa->ttl_min_ms);
		check_ttl(f[0], "tw_ttl_max_ms", f[PEER_TTL_MAX], p->ttl_max_ms,
			  pa->ttl_max_ms);
	}

	if (!truncated) {
		/* PAWS rejects of peers without a row of their own (1.1) only. */
		if (pt->other.f &&
		    !(r->minor >= 1 && pt->other.n == pt->header.n &&
		      row_without_sockets(&pt->other) &&
		      peer_paws(r, &pt->other) > 0))
			fail("an 'other' row with sockets but no peers_truncated");
		if (pt->nr_rows - paws_only != t->nr)
			fail("%zu peer rows with sockets, /proc/net/tcp{,6} has %zu peers",
			     pt->nr_rows - paws_only, t->nr);
		return;
	}
	/* Capped: the listed peers are exact, "other" holds all the rest. */
	if (!pt->other.f || pt->other.n != pt->header.n) {
		fail("peers_truncated but no well-formed 'other' row");
		return;
	}
	for (k = PEER_TW; k <= PEER_CLOSE; k++)
		other_sum[k] = num(pt->other.f[k], "other cell", "other");
	{
		unsigned long other_sockets = 0;

		for (k = 0; k < NR_STATE_COLS; k++)
			other_sockets += other_sum[state_cols[k].col];
		if (other_sockets != report_key_ull(r, "peers_truncated"))
			fail("peers_truncated %llu, the 'other' row holds %lu sockets",
			     report_key_ull(r, "peers_truncated"), other_sockets);
	}
	for (k = 0; k < NR_STATE_COLS; k++) {
		int c = state_cols[k].col;
		unsigned long total = 0;

		for (i = 0; i < t->nr; i++)
			total += t->peers[i].st[state_cols[k].st];
		if (sum[c] + other_sum[c] != total)
			fail("%s: rows %lu + other %lu != /proc/net/tcp{,6} %lu",
			     peer_cols[c], sum[c], other_sum[c], total);
	}
}

/* The PAWS table (1.1) ----------------------------------------------------- */

/* A PAWS table peer's rows summed up, for the peer table's paws and nat. */
struct paws_peer_sum {
	const char *peer;
	unsigned long long rejects;
	bool nat, matched;
};

static int paws_peer_sum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct paws_peer_sum *)a)->peer,
		      ((const struct paws_peer_sum *)b)->peer);
}

/*
 * The old_ack column (1.2): "-" in every row where the report's
 * paws_rej_old_ack is "-" (compare holds that against the kernel's netstat),
 * a number in every row otherwise.
 */
static unsigned long long paws_row_old_ack(const struct report *r,
					   const struct row *row)
{
	bool present = report_key(r, "paws_rej_old_ack") &&
		       strcmp(report_key(r, "paws_rej_old_ack"), "-");
	const char *cell;

	if (r->minor < 2 || (size_t)PAWS_OLD_ACK >= row->n)
		return 0;
	cell = row->f[PAWS_OLD_ACK];
	if (!present) {
		if (strcmp(cell, "-"))
			fail("PAWS row %s %s: old_ack is '%s' where paws_rej_old_ack is '-'",
			     row->f[0], row->f[PAWS_LPORT], cell);
		return 0;
	}
	return number(cell, "PAWS row", row->f[0], "old_ack");
}

/* One PAWS row's own rules; adds its paths (and old ACKs) to totals. */
static void check_paws_row(const struct report *r, const struct row *row,
			   bool other, unsigned long long totals[NR_PATHS],
			   unsigned long long *old_acks)
{
	const struct table *wt = &r->t[TBL_PAWS];
	char **f = row->f;
	unsigned long long v[NR_PAWS_COLS] = { 0 }, sum = 0;
	bool dashes = false;
	int k;

	if (row->n != wt->header.n) {
		fail("PAWS row '%s' has %zu fields, the header %zu", joined(row),
		     row->n, wt->header.n);
		return;
	}
	if (other) {
		if (strcmp(f[PAWS_LPORT], "-"))
			fail("PAWS 'other' row: lport is '%s', want '-'",
			     f[PAWS_LPORT]);
	} else {
		if (!addr_canonical(f[PAWS_PEER]))
			fail("PAWS row %s: not an address as the format writes it",
			     f[PAWS_PEER]);
		v[PAWS_LPORT] = number(f[PAWS_LPORT], "PAWS row", f[0], "lport");
		if (!v[PAWS_LPORT] || v[PAWS_LPORT] > 65535)
			fail("PAWS row %s: lport %s is not a port", f[0],
			     f[PAWS_LPORT]);
	}
	for (k = PAWS_REJECTS; k <= PAWS_AGE; k++) {
		/* The "other" row sums many peers: per-row traits may be "-". */
		if (other && k >= PAWS_SPORTS && !strcmp(f[k], "-")) {
			dashes = true;
			continue;
		}
		v[k] = number(f[k], "PAWS row", f[0], paws_cols[k]);
	}
	v[PAWS_OLD_ACK] = paws_row_old_ack(r, row);
	*old_acks += v[PAWS_OLD_ACK];
	for (k = 0; k < NR_PATHS; k++) {
		sum += v[paws_paths[k].col];
		totals[k] += v[paws_paths[k].col];
	}
	if (v[PAWS_REJECTS] != sum)
		fail("PAWS row %s %s: rejects %llu, estab+syn_sent+syn_recv+tw %llu",
		     f[0], f[PAWS_LPORT], v[PAWS_REJECTS], sum);
	/* Old ACKs are no rejects, but a row may hold nothing else (1.2). */
	if (!other && !v[PAWS_REJECTS] && !v[PAWS_OLD_ACK])
		fail("PAWS row %s %s: a row without rejects or old ACKs", f[0],
		     f[PAWS_LPORT]);
	if (other && r->minor >= 2 && strcmp(f[PAWS_NAT], "0"))
		fail("PAWS 'other' row: nat is '%s', want 0 (its rejects are many peers')",
		     f[PAWS_NAT]);
	if (dashes)
		return;
	if (v[PAWS_SPORTS] > SPORTS_MAX)
		fail("PAWS row %s %s: sports %llu above %d", f[0], f[PAWS_LPORT],
		     v[PAWS_SPORTS], SPORTS_MAX);
	if (v[PAWS_TW_SYN] > v[PAWS_TW])
		fail("PAWS row %s %s: tw_syn %llu above tw %llu", f[0],
		     f[PAWS_LPORT], v[PAWS_TW_SYN], v[PAWS_TW]);
	if (v[PAWS_NAT] > 1) {
		fail("PAWS row %s %s: nat %llu, want 0 or 1", f[0], f[PAWS_LPORT],
		     v[PAWS_NAT]);
	} else if (r->minor < 2) {
		if (v[PAWS_NAT] != (v[PAWS_SPORTS] >= 2 || v[PAWS_TW_SYN] >= 1))
			fail("PAWS row %s %s: nat %llu with sports %llu and tw_syn %llu",
			     f[0], f[PAWS_LPORT], v[PAWS_NAT], v[PAWS_SPORTS],
			     v[PAWS_TW_SYN]);
	} else if (v[PAWS_NAT] && (v[PAWS_TW_SYN] < 2 || v[PAWS_SPORTS] < 2)) {
		/*
		 * 1.2: nat only for SYNs refused in TIME-WAIT from two ports or
		 * more, so at least two such SYNs and two ports. Which ports
		 * those SYNs came from the row does not say: a nat 0 with
		 * tw_syn >= 2 is not wrong by itself.
		 */
		fail("PAWS row %s %s: nat 1 with tw_syn %llu and sports %llu (1.2 needs SYNs refused in TIME-WAIT from 2 ports or more)",
		     f[0], f[PAWS_LPORT], v[PAWS_TW_SYN], v[PAWS_SPORTS]);
	}
}

/* Sorted by rejects desc, then address, then lport. */
static int paws_row_order(const struct row *a, const struct row *b)
{
	unsigned long long ra = strtoull(a->f[PAWS_REJECTS], NULL, 10);
	unsigned long long rb = strtoull(b->f[PAWS_REJECTS], NULL, 10);
	unsigned long pa, pb;
	int c;

	if (ra != rb)
		return ra > rb ? -1 : 1;
	c = addr_cmp(a->f[PAWS_PEER], b->f[PAWS_PEER]);
	if (c)
		return c;
	pa = strtoul(a->f[PAWS_LPORT], NULL, 10);
	pb = strtoul(b->f[PAWS_LPORT], NULL, 10);
	return pa < pb ? -1 : pa > pb;
}

/*
 * One peer row's paws and nat against its PAWS rows. When the PAWS table is
 * capped its "other" row holds rejects of no known peer, which some peer row
 * (tcptw.ko: the peer 'other' row) may then hold beyond its own rows'.
 * *total adds up the paws column.
 */
static void check_peer_paws(const struct report *r, const struct row *row,
			    const struct paws_peer_sum *s, bool paws_capped,
			    unsigned long long *total)
{
	unsigned long long want = s ? s->rejects : 0;
	bool want_nat = s && s->nat;
	unsigned long long paws = number(row->f[PEER_PAWS], "peer", row->f[0], "paws");
	unsigned long long nat = number(row->f[PEER_NAT], "peer", row->f[0], "nat");

	if (nat > 1)
		fail("peer %s: nat is %llu, want 0 or 1", row->f[0], nat);
	*total += paws;
	if (paws != want && !(paws_capped && paws > want))
		fail("peer %s: paws %llu, its PAWS rows' rejects add up to %llu",
		     row->f[0], paws, want);
	/* 1.2: the PAWS 'other' row is never nat, so no peer is nat from it. */
	if (want_nat ? nat != 1 : (nat == 1 && (!paws_capped || r->minor >= 2)))
		fail("peer %s: nat %llu, its PAWS rows say %d", row->f[0], nat,
		     want_nat);
}

static void check_paws(const struct report *r)
{
	const struct table *pt = &r->t[TBL_PEERS], *wt = &r->t[TBL_PAWS];
	unsigned long long totals[NR_PATHS] = { 0 }, other_rejects = 0;
	unsigned long long peers_paws = 0, rejects = 0, unmatched = 0;
	unsigned long long suspects = 0, old_acks = 0, v;
	struct paws_peer_sum *sums, key;
	const struct row *prev = NULL;
	bool unmatched_nat = false;
	size_t i, nr = 0;

	if (!wt->present || !wt->header_ok || !pt->header_ok)
		return;		/* already failed */
	sums = calloc(wt->nr_rows + 1, sizeof(*sums));
	if (!sums)
		die("out of memory");
	for (i = 0; i < wt->nr_rows; i++) {
		const struct row *row = &wt->rows[i];

		check_paws_row(r, row, false, totals, &old_acks);
		if (row->n != wt->header.n)
			continue;
		if (prev && paws_row_order(prev, row) >= 0)
			fail("PAWS rows out of order: %s %s then %s %s",
			     prev->f[0], prev->f[PAWS_LPORT], row->f[0],
			     row->f[PAWS_LPORT]);
		prev = row;
		sums[nr].peer = row->f[PAWS_PEER];
		sums[nr].rejects = strtoull(row->f[PAWS_REJECTS], NULL, 10);
		sums[nr].nat = !strcmp(row->f[PAWS_NAT], "1");
		nr++;
	}
	if (wt->other.f) {
		check_paws_row(r, &wt->other, true, totals, &old_acks);
		if (wt->other.n == wt->header.n)
			other_rejects = number(wt->other.f[PAWS_REJECTS],
					       "PAWS row", "other", "rejects");
	}

	/* Summary keys of the PAWS table. */
	for (i = 0; i < NR_PATHS; i++)
		if (report_key_ull(r, paws_paths[i].key) != totals[i])
			fail("%s %llu, the PAWS table's %s column adds up to %llu",
			     paws_paths[i].key, report_key_ull(r, paws_paths[i].key),
			     paws_cols[paws_paths[i].col], totals[i]);
	if (report_key_ull(r, "paws_rows") != wt->nr_rows)
		fail("paws_rows %llu but %zu PAWS rows",
		     report_key_ull(r, "paws_rows"), wt->nr_rows);
	if (report_key_ull(r, "paws_other") != other_rejects)
		fail("paws_other %llu, the PAWS 'other' row has %llu rejects",
		     report_key_ull(r, "paws_other"), other_rejects);
	if (r->minor >= 2 && report_key_dash(r, "paws_rej_old_ack", &v) &&
	    v != old_acks)
		fail("paws_rej_old_ack %llu, the PAWS table's old_ack column adds up to %llu",
		     v, old_acks);

	/* Rows of one peer merged: sort by peer, then add up runs. */
	qsort(sums, nr, sizeof(*sums), paws_peer_sum_cmp);
	{
		size_t j = 0;

		for (i = 0; i < nr; i++) {
			if (j && !strcmp(sums[j - 1].peer, sums[i].peer)) {
				sums[j - 1].rejects += sums[i].rejects;
				sums[j - 1].nat |= sums[i].nat;
			} else {
				sums[j++] = sums[i];
			}
		}
		nr = j;
	}
	for (i = 0; i < pt->nr_rows; i++) {
		const struct row *row = &pt->rows[i];
		struct paws_peer_sum *s;

		if (row->n != pt->header.n)
			continue;
		key.peer = row->f[0];
		s = bsearch(&key, sums, nr, sizeof(*sums), paws_peer_sum_cmp);
		if (s)
			s->matched = true;
		check_peer_paws(r, row, s, wt->other.f != NULL, &peers_paws);
		suspects += !strcmp(row->f[PEER_NAT], "1");
	}
	/* PAWS peers without a row of their own are in the peer 'other' row. */
	for (i = 0; i < nr; i++) {
		/* Only old ACKs (1.2): no rejects, no row needed. */
		if (sums[i].matched || !sums[i].rejects)
			continue;
		if (!pt->other.f)
			fail("PAWS peer %s has no row in the peer table",
			     sums[i].peer);
		unmatched += sums[i].rejects;
		unmatched_nat |= sums[i].nat;
	}
	if (pt->other.f && pt->other.n == pt->header.n) {
		struct paws_peer_sum s = { "other", unmatched, unmatched_nat, true };

		check_peer_paws(r, &pt->other, &s, wt->other.f != NULL, &peers_paws);
		suspects += !strcmp(pt->other.f[PEER_NAT], "1");
	}
	/* Every reject is some peer's: the paws column holds them all. */
	for (i = 0; i < NR_PATHS; i++)
		rejects += totals[i];
	if (peers_paws != rejects)
		fail("the peer table's paws column adds up to %llu, the PAWS table's rejects to %llu",
		     peers_paws, rejects);
	/* A row of the peer table, 'other' included, as tcptw.ko counts. */
	if (report_key_ull(r, "nat_suspects") != suspects)
		fail("nat_suspects %llu, %llu peer table rows have nat 1",
		     report_key_ull(r, "nat_suspects"), suspects);
	free(sums);
}

/* The port table (1.1) ------------------------------------------------------ */

struct tuple_key {
	unsigned char local[ADDR_KEY_LEN], remote[ADDR_KEY_LEN];
	unsigned int port;
};

static int tuple_key_cmp(const struct tuple_key *a, const struct tuple_key *b)
{
	int c = memcmp(a->local, b->local, ADDR_KEY_LEN);

	if (!c)
		c = memcmp(a->remote, b->remote, ADDR_KEY_LEN);
	if (!c)
		c = a->port < b->port ? -1 : a->port > b->port;
	return c;
}

/* "LOCAL>REMOTE:PORT", IPv6 remote in brackets, local never. */
static void tuple_text(const struct tuple_key *k, char *out, size_t size)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];

	addr_text(k->local, local);
	addr_text(k->remote, remote);
	snprintf(out, size, k->remote[0] ? "%s>[%s]:%u" : "%s>%s:%u", local,
		 remote, k->port);
}

/* A tuple cell; false unless written exactly as tuple_text() would. */
static bool tuple_parse(const char *s, struct tuple_key *k)
{
	char buf[2 * INET6_ADDRSTRLEN + 16], back[sizeof(buf)];
	char *gt, *remote, *colon, *end;
	unsigned long port;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	gt = strchr(buf, '>');
	colon = strrchr(buf, ':');
	if (!gt || !colon || colon < gt)
		return false;
	*gt = 0;
	*colon = 0;
	remote = gt + 1;
	if (*remote == '[') {
		if (colon[-1] != ']')
			return false;
		colon[-1] = 0;
		remote++;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end || errno || !port ||
	    port > 65535)
		return false;
	k->port = port;
	if (!addr_canonical(buf) || !addr_canonical(remote))
		return false;
	addr_key(buf, k->local);
	addr_key(remote, k->remote);
	tuple_text(k, back, sizeof(back));
	return !strcmp(back, s);
}

/* Ranking of the port table: pct desc, used desc, then tuple order. */
static int tuple_rank(unsigned long long pct_a, unsigned long long used_a,
		      const struct tuple_key *a, unsigned long long pct_b,
		      unsigned long long used_b, const struct tuple_key *b)
{
	if (pct_a != pct_b)
		return pct_a > pct_b ? -1 : 1;
	if (used_a != used_b)
		return used_a > used_b ? -1 : 1;
	return tuple_key_cmp(a, b);
}

struct tuple_cells {
	struct tuple_key key;
	unsigned long long used, range, pct;
	bool ok;
};

/*
 * The port table on its own: each row's arithmetic, the order, the summary
 * keys that describe it. Fills cells[] (one per row) for the caller.
 */
static void check_tuple_rows(const struct report *r, struct tuple_cells *cells)
{
	const struct table *tt = &r->t[TBL_TUPLES];
	unsigned long long tuples = report_key_ull(r, "tuples");
	unsigned long long tuples_max = report_key_ull(r, "tuples_max");
	unsigned long long max_pct = report_key_ull(r, "port_usage_max_pct");
	unsigned long long range = 0;
	unsigned int lo, hi;
	const struct tuple_cells *prev = NULL;
	const struct row *prev_row = NULL;
	size_t i;

	if (report_key(r, "port_range") &&
	    sscanf(report_key(r, "port_range"), "%u-%u", &lo, &hi) == 2 && lo <= hi)
		range = hi - lo + 1;
	else
		fail("port_range '%s' gives no range for the port table",
		     report_key(r, "port_range") ?: "(none)");
	for (i = 0; i < tt->nr_rows; i++) {
		const struct row *row = &tt->rows[i];
		struct tuple_cells *c = &cells[i];

		memset(c, 0, sizeof(*c));
		if (row->n != tt->header.n) {
			fail("port row '%s' has %zu fields, the header %zu",
			     joined(row), row->n, tt->header.n);
			continue;
		}
		if (!tuple_parse(row->f[TUPLE_TUPLE], &c->key)) {
			fail("port row: tuple '%s' is not LOCAL>REMOTE:PORT as the format writes it",
			     row->f[TUPLE_TUPLE]);
			continue;
		}
		c->used = number(row->f[TUPLE_USED], "tuple", row->f[0], "used");
		c->range = number(row->f[TUPLE_RANGE], "tuple", row->f[0], "range");
		c->pct = number(row->f[TUPLE_PCT], "tuple", row->f[0], "pct");
		c->ok = true;
		if (!c->used)
			fail("tuple %s: used 0", row->f[0]);
		if (c->range != range)
			fail("tuple %s: range %llu, port_range gives %llu",
			     row->f[0], c->range, range);
		if (c->range && c->pct != c->used * 100 / c->range)
			fail("tuple %s: pct %llu, 100 * %llu / %llu is %llu",
			     row->f[0], c->pct, c->used, c->range,
			     c->used * 100 / c->range);
		if (prev && tuple_rank(prev->pct, prev->used, &prev->key, c->pct,
				       c->used, &c->key) >= 0)
			fail("port rows out of order (or repeated): %s then %s",
			     prev_row->f[0], row->f[0]);
		prev = c;
		prev_row = row;
	}
	if (tt->nr_rows != (tuples < tuples_max ? tuples : tuples_max))
		fail("%zu port rows, want the top min(tuples %llu, tuples_max %llu)",
		     tt->nr_rows, tuples, tuples_max);
	if (tt->nr_rows && cells[0].ok && max_pct != cells[0].pct)
		fail("port_usage_max_pct %llu, the first port row's pct is %llu",
		     max_pct, cells[0].pct);
	if (!tuples && max_pct)
		fail("port_usage_max_pct %llu without any tuple", max_pct);
}

/* compare ------------------------------------------------------------------- */

static void compare_summary(const struct report *r, const struct truth *t,
			    const struct truth *after, bool *truncated)
{
	unsigned long tw_max, lo, hi;
	unsigned int plo, phi;
	size_t i;

	for (i = 0; i < sizeof(required_keys) / sizeof(required_keys[0]); i++)
		if (!report_key(r, required_keys[i]))
			fail("summary key %s missing", required_keys[i]);
	for (i = 0; r->minor >= 1 &&
	     i < sizeof(required_keys_1_1) / sizeof(required_keys_1_1[0]); i++)
		if (!report_key(r, required_keys_1_1[i]))
			fail("summary key %s missing", required_keys_1_1[i]);
	for (i = 0; r->minor >= 2 &&
	     i < sizeof(required_keys_1_2) / sizeof(required_keys_1_2[0]); i++)
		if (!report_key(r, required_keys_1_2[i]))
			fail("summary key %s missing", required_keys_1_2[i]);

	if (report_key_ull(r, "tw_count") != t->tw)
		fail("tw_count %llu, /proc/net/tcp{,6} has %lu TIME_WAIT",
		     report_key_ull(r, "tw_count"), t->tw);
	if (report_key_ull(r, "sockets") != t->sockets)
		fail("sockets %llu, /proc/net/tcp{,6} has %lu non-listening",
		     report_key_ull(r, "sockets"), t->sockets);

	if (report_key_ull(r, "tw_buckets") != t->sockstat_tw)
		fail("tw_buckets %llu, sockstat tw %lu",
		     report_key_ull(r, "tw_buckets"), t->sockstat_tw);
	tw_max = read_proc_ulong("sys/net/ipv4/tcp_max_tw_buckets");
	if (report_key_ull(r, "tw_max") != tw_max)
		fail("tw_max %llu, sysctl %lu", report_key_ull(r, "tw_max"),
		     tw_max);
	if (report_key_ull(r, "tw_pressure_pct") !=
	    (tw_max ? report_key_ull(r, "tw_buckets") * 100 / tw_max : 100))
		fail("tw_pressure_pct %llu inconsistent with %llu / %lu",
		     report_key_ull(r, "tw_pressure_pct"),
		     report_key_ull(r, "tw_buckets"), tw_max);
	port_range(&plo, &phi);
	if (!report_key(r, "port_range") ||
	    sscanf(report_key(r, "port_range"), "%lu-%lu", &lo, &hi) != 2 ||
	    lo != plo || hi != phi)
		fail("port_range '%s', sysctl %u %u",
		     report_key(r, "port_range") ?: "(none)", plo, phi);
	/*
	 * Counters only grow: the value read lies between the two reads. A
	 * counter this kernel's netstat does not have is written "-" (1.2).
	 */
	for (i = 0; i < NR_MIBS; i++) {
		const char *s = report_key(r, mibs[i].key);
		unsigned long long v;

		if (r->minor < mibs[i].minor)
			continue;
		if (!t->mib_present[i]) {
			if (s && strcmp(s, "-"))
				fail("%s is '%s', but this kernel's netstat has no TcpExt %s: want '-'",
				     mibs[i].key, s, mibs[i].field);
			continue;
		}
		if (s && !strcmp(s, "-")) {
			fail("%s is '-', but this kernel's netstat has TcpExt %s %llu",
			     mibs[i].key, mibs[i].field, t->mib[i]);
			continue;
		}
		v = report_key_ull(r, mibs[i].key);
		if (v < t->mib[i] || v > after->mib[i])
			fail("%s %llu, TcpExt %s went %llu -> %llu", mibs[i].key,
			     v, mibs[i].field, t->mib[i], after->mib[i]);
	}
	/*
	 * tcptw's PAWS counters start with the module (or a reset), the MIB's
	 * with the namespace, and both move together: never above the MIB.
	 * Which MIB counts TIME-WAIT is the kernel's choice (paws-delta).
	 */
	if (r->minor >= 1) {
		unsigned long long paws_tw = 0;
		bool tw_apart = r->minor >= 2 &&
				report_key_dash(r, "paws_timewait", &paws_tw);
		unsigned long long estab = report_key_ull(r, "paws_rej_estab") +
					   report_key_ull(r, "paws_rej_syn_recv");
		unsigned long long tw = report_key_ull(r, "paws_rej_tw");

		if (!tw_apart)
			estab += tw;
		if (estab > report_key_ull(r, "paws_estab"))
			fail("paws_rej_estab + paws_rej_syn_recv%s %llu above paws_estab %llu",
			     tw_apart ? "" : " + paws_rej_tw", estab,
			     report_key_ull(r, "paws_estab"));
		if (tw_apart && tw > paws_tw)
			fail("paws_rej_tw %llu above paws_timewait %llu", tw, paws_tw);
		if (report_key_ull(r, "paws_rej_syn_sent") >
		    report_key_ull(r, "paws_active"))
			fail("paws_rej_syn_sent %llu above paws_active %llu",
			     report_key_ull(r, "paws_rej_syn_sent"),
			     report_key_ull(r, "paws_active"));
	}
	if (r->minor >= 2) {
		bool old_ack = t->mib_present[MIB_PAWS_OLD_ACK];
		unsigned long long v, mib;

		/* tcptw has the old-ACK path exactly where the kernel counts it. */
		if (report_key_dash(r, "paws_rej_old_ack", &v) != old_ack)
			fail("paws_rej_old_ack is '%s', this kernel's netstat %s TcpExt PAWSOldAck",
			     report_key(r, "paws_rej_old_ack") ?: "(none)",
			     old_ack ? "has" : "has no");
		else if (old_ack && report_key_dash(r, "paws_old_ack", &mib) && v > mib)
			fail("paws_rej_old_ack %llu above paws_old_ack %llu", v, mib);
		if (report_key_ull(r, "paws_dropped") > report_key_ull(r, "paws_other"))
			fail("paws_dropped %llu above paws_other %llu",
			     report_key_ull(r, "paws_dropped"),
			     report_key_ull(r, "paws_other"));
	}
	if (!report_key_ull(r, "ehash_buckets") ||
	    (report_key_ull(r, "ehash_buckets") &
	     (report_key_ull(r, "ehash_buckets") - 1)))
		fail("ehash_buckets %llu is not a power of two",
		     report_key_ull(r, "ehash_buckets"));

	*truncated = report_key(r, "peers_truncated") != NULL;
	if (report_key_ull(r, "peers") != r->t[TBL_PEERS].nr_rows)
		fail("peers %llu but %zu rows", report_key_ull(r, "peers"),
		     r->t[TBL_PEERS].nr_rows);
	if (*truncated && report_key_ull(r, "peers") !=
			  report_key_ull(r, "peers_max"))
		fail("truncated with peers %llu below peers_max %llu",
		     report_key_ull(r, "peers"), report_key_ull(r, "peers_max"));
}

/*
 * compare: read the ground truth, /proc/tcptw, the ground truth again; when
 * the two ground truths agree on every peer's states, nothing moved while
 * /proc/tcptw was read and every cell must match exactly.
 */
static int cmd_compare(const char *path)
{
	static struct truth before, after;
	struct report r;
	bool truncated = false;
	int attempt;

	before.peers = calloc(MAX_PEERS, sizeof(*before.peers));
	after.peers = calloc(MAX_PEERS, sizeof(*after.peers));
	if (!before.peers || !after.peers)
		die("out of memory");
	for (attempt = 1;; attempt++) {
		char *text;

		truth_load(&before);
		text = read_file(path, 1 << 16);
		truth_load(&after);
		if (truth_same_states(&before, &after)) {
			report_parse(&r, text);
			break;
		}
		free(text);
		if (attempt == RETRIES)
			die("/proc/net/tcp{,6} kept changing over %d tries", RETRIES);
		sleep(1);
	}
	compare_summary(&r, &before, &after, &truncated);
	compare_rows(&r, &before, &after, truncated);
	if (r.minor >= 1) {
		check_paws(&r);
		if (r.t[TBL_TUPLES].present && r.t[TBL_TUPLES].header_ok) {
			struct tuple_cells *cells;

			cells = calloc(r.t[TBL_TUPLES].nr_rows + 1, sizeof(*cells));
			if (!cells)
				die("out of memory");
			check_tuple_rows(&r, cells);
			free(cells);
		}
	}
	printf("# compared %zu peers, %lu sockets (%lu TIME_WAIT)%s, format 1.%u: %d mismatches\n",
	       r.t[TBL_PEERS].nr_rows, before.sockets, before.tw,
	       truncated ? ", truncated" : "", r.minor, failures);
	return failures ? 1 : 0;
}

/* tuples: the port table against /proc/net/tcp{,6} ------------------------ */

struct tuple_group {
	struct tuple_key key;
	unsigned long used;
	unsigned int pct;
	bool printed;
};

struct tuple_truth {
	struct tuple_group *g;
	size_t nr;
	unsigned int lo, hi;
};

static int tuple_group_cmp(const void *a, const void *b)
{
	return tuple_key_cmp(&((const struct tuple_group *)a)->key,
			     &((const struct tuple_group *)b)->key);
}

static int tuple_group_rank(const void *a, const void *b)
{
	const struct tuple_group *ga = *(const struct tuple_group *const *)a;
	const struct tuple_group *gb = *(const struct tuple_group *const *)b;

	return tuple_rank(ga->pct, ga->used, &ga->key, gb->pct, gb->used,
			  &gb->key);
}

/*
 * Outbound as the format defines it: not listening, no listener on the local
 * port (any address), local port inside ip_local_port_range; in any state.
 * Grouped by (local address, remote address, remote port), in tuple order.
 */
static void tuple_truth_load(struct tuple_truth *tt)
{
	static struct tcp_rows rows;
	static unsigned char listening[65536];
	size_t i, n = 0;

	load_tcp(&rows);
	port_range(&tt->lo, &tt->hi);
	memset(listening, 0, sizeof(listening));
	for (i = 0; i < rows.nr; i++)
		if (rows.r[i].st == 10)
			listening[rows.r[i].lport] = 1;
	tt->g = xrealloc(tt->g, (rows.nr + 1) * sizeof(*tt->g));
	for (i = 0; i < rows.nr; i++) {
		const struct tcp_row *r = &rows.r[i];
		struct tuple_group *g;

		if (r->st == 10 || listening[r->lport] || r->lport < tt->lo ||
		    r->lport > tt->hi)
			continue;
		g = &tt->g[n++];
		memset(g, 0, sizeof(*g));
		addr_key(r->local, g->key.local);
		addr_key(r->peer, g->key.remote);
		g->key.port = r->rport;
		g->used = 1;
	}
	qsort(tt->g, n, sizeof(*tt->g), tuple_group_cmp);
	tt->nr = 0;
	for (i = 0; i < n; i++) {
		if (tt->nr && !tuple_key_cmp(&tt->g[tt->nr - 1].key, &tt->g[i].key))
			tt->g[tt->nr - 1].used++;
		else
			tt->g[tt->nr++] = tt->g[i];
	}
	for (i = 0; i < tt->nr; i++)
		tt->g[i].pct = tt->g[i].used * 100 / (tt->hi - tt->lo + 1);
}

static bool tuple_truth_same(const struct tuple_truth *a,
			     const struct tuple_truth *b)
{
	size_t i;

	if (a->nr != b->nr || a->lo != b->lo || a->hi != b->hi)
		return false;
	for (i = 0; i < a->nr; i++)
		if (tuple_key_cmp(&a->g[i].key, &b->g[i].key) ||
		    a->g[i].used != b->g[i].used)
			return false;
	return true;
}

static int cmd_tuples(const char *path)
{
	static struct tuple_truth before, after;
	struct tuple_group **ranked, *g;
	struct tuple_cells *cells;
	const struct table *tt;
	unsigned long long tuples_max;
	unsigned int max_pct = 0;
	char text_buf[2 * INET6_ADDRSTRLEN + 16];
	struct report r;
	size_t i, shown;
	int attempt;

	diag = stderr;
	for (attempt = 1;; attempt++) {
		char *text;

		tuple_truth_load(&before);
		text = read_file(path, 1 << 16);
		tuple_truth_load(&after);
		if (tuple_truth_same(&before, &after)) {
			report_parse(&r, text);
			break;
		}
		free(text);
		if (attempt == RETRIES)
			die("/proc/net/tcp{,6} kept changing over %d tries", RETRIES);
		sleep(1);
	}
	tt = &r.t[TBL_TUPLES];
	if (!tt->present || !tt->header_ok)
		die("%s has no port table to compare (format 1.%u)", path, r.minor);
	cells = calloc(tt->nr_rows + 1, sizeof(*cells));
	ranked = calloc(before.nr + 1, sizeof(*ranked));
	if (!cells || !ranked)
		die("out of memory");
	check_tuple_rows(&r, cells);

	for (i = 0; i < before.nr; i++) {
		ranked[i] = &before.g[i];
		if (before.g[i].pct > max_pct)
			max_pct = before.g[i].pct;
	}
	qsort(ranked, before.nr, sizeof(*ranked), tuple_group_rank);
	if (report_key_ull(&r, "tuples") != before.nr)
		fail("tuples %llu, /proc/net/tcp{,6} has %zu outbound tuples",
		     report_key_ull(&r, "tuples"), before.nr);
	if (report_key_ull(&r, "port_usage_max_pct") != max_pct)
		fail("port_usage_max_pct %llu, /proc/net/tcp{,6} gives %u",
		     report_key_ull(&r, "port_usage_max_pct"), max_pct);
	tuples_max = report_key_ull(&r, "tuples_max");
	shown = before.nr < tuples_max ? before.nr : tuples_max;
	if (tt->nr_rows != shown)
		fail("%zu port rows, want %zu (%zu tuples, tuples_max %llu)",
		     tt->nr_rows, shown, before.nr, tuples_max);

	for (i = 0; i < tt->nr_rows; i++) {
		struct tuple_group key;
		const struct tuple_cells *c = &cells[i];

		if (!c->ok)
			continue;
		key.key = c->key;
		g = bsearch(&key, before.g, before.nr, sizeof(*before.g),
			    tuple_group_cmp);
		if (!g) {
			fail("tuple %s is not an outbound tuple of /proc/net/tcp{,6}",
			     tt->rows[i].f[0]);
			continue;
		}
		if (g->printed)
			fail("tuple %s printed twice", tt->rows[i].f[0]);
		g->printed = true;
		if (c->used != g->used || c->range != before.hi - before.lo + 1U ||
		    c->pct != g->pct)
			fail("tuple %s: used %llu range %llu pct %llu, /proc/net/tcp{,6} gives %lu %u %u",
			     tt->rows[i].f[0], c->used, c->range, c->pct, g->used,
			     before.hi - before.lo + 1, g->pct);
	}
	/*
	 * The top `shown` by pct, then used; among tuples tied with the last
	 * one shown, any may have made the cut.
	 */
	if (shown) {
		const struct tuple_group *cut = ranked[shown - 1];

		for (i = 0; i < before.nr; i++) {
			bool above;

			g = ranked[i];
			above = g->pct > cut->pct ||
				(g->pct == cut->pct && g->used > cut->used);
			tuple_text(&g->key, text_buf, sizeof(text_buf));
			if (above && !g->printed)
				fail("tuple %s (used %lu, pct %u) is in the top %zu but not printed",
				     text_buf, g->used, g->pct, shown);
			if (g->printed && (g->pct < cut->pct ||
					   (g->pct == cut->pct && g->used < cut->used)))
				fail("tuple %s (used %lu, pct %u) printed though %zu others rank above it",
				     text_buf, g->used, g->pct, shown);
		}
	}
	printf("# tuples: %zu outbound tuples in /proc/net/tcp{,6} (range %u-%u), %zu printed, max pct %u: %d mismatches\n",
	       before.nr, before.lo, before.hi, tt->nr_rows, max_pct, failures);
	free(cells);
	free(ranked);
	return failures ? 1 : 0;
}

/* debugfs-sockets: tcptw/sockets against /proc/net/tcp{,6} ----------------- */

/* A TIME_WAIT or FIN_WAIT2 row of /proc/net/tcp{,6}. */
struct minisock {
	char key[2 * ENDPOINT_LEN];	/* "LOCAL REMOTE" as debugfs writes them */
	unsigned int st, timer;
	unsigned long when;
	bool seen;
};

struct minisocks {
	struct minisock *m;
	size_t nr, alloc;
	size_t nr_st[NSTATES];
};

static int minisock_cmp(const void *a, const void *b)
{
	return strcmp(((const struct minisock *)a)->key,
		      ((const struct minisock *)b)->key);
}

static void minisocks_load(struct minisocks *ms)
{
	static struct tcp_rows rows;
	size_t i;

	load_tcp(&rows);
	ms->nr = 0;
	memset(ms->nr_st, 0, sizeof(ms->nr_st));
	for (i = 0; i < rows.nr; i++) {
		const struct tcp_row *r = &rows.r[i];
		char local[ENDPOINT_LEN], remote[ENDPOINT_LEN];
		struct minisock *m;

		if (r->st != 5 && r->st != 6)
			continue;
		if (ms->nr == ms->alloc) {
			ms->alloc = ms->alloc ? 2 * ms->alloc : 1024;
			ms->m = xrealloc(ms->m, ms->alloc * sizeof(*ms->m));
		}
		m = &ms->m[ms->nr++];
		endpoint_text(r->local, r->lport, local);
		endpoint_text(r->peer, r->rport, remote);
		snprintf(m->key, sizeof(m->key), "%s %s", local, remote);
		m->st = r->st;
		m->timer = r->timer;
		m->when = r->when;
		m->seen = false;
		ms->nr_st[r->st]++;
	}
	qsort(ms->m, ms->nr, sizeof(*ms->m), minisock_cmp);
}

/* Nothing entered, left or changed state between two reads (timers aside). */
static bool minisocks_same(const struct minisocks *a, const struct minisocks *b)
{
	size_t i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (strcmp(a->m[i].key, b->m[i].key) || a->m[i].st != b->m[i].st)
			return false;
	return true;
}

static struct minisock *minisock_find(const struct minisocks *ms,
				      const char *key)
{
	struct minisock k;

	snprintf(k.key, sizeof(k.key), "%s", key);
	return bsearch(&k, ms->m, ms->nr, sizeof(*ms->m), minisock_cmp);
}

static const char *const sockets_cols[] = {
	"local", "remote", "state", "ttl_ms", "ts_recent", "ts_age_s",
	"rcv_nxt", "snd_nxt",
};
enum { S_LOCAL, S_REMOTE, S_STATE, S_TTL, S_TS_RECENT, S_TS_AGE, S_RCV_NXT,
       S_SND_NXT, NR_SOCKETS_COLS };

static void check_socket_row(char **f, const int col[NR_SOCKETS_COLS],
			     const struct minisocks *before,
			     const struct minisocks *after, size_t nr[NSTATES])
{
	char key[2 * ENDPOINT_LEN];
	struct minisock *m, *ma;
	unsigned int st;
	long ttl, lo, hi;
	bool ts_none, age_none;
	int k;

	snprintf(key, sizeof(key), "%s %s", f[col[S_LOCAL]], f[col[S_REMOTE]]);
	if (!strcmp(f[col[S_STATE]], "TIME_WAIT")) {
		st = 6;
	} else if (!strcmp(f[col[S_STATE]], "FIN_WAIT2")) {
		st = 5;
	} else {
		fail("socket %s: state '%s', want TIME_WAIT or FIN_WAIT2", key,
		     f[col[S_STATE]]);
		return;
	}
	nr[st]++;
	ttl = number(f[col[S_TTL]], "socket", key, "ttl_ms");
	ts_none = !strcmp(f[col[S_TS_RECENT]], "-");
	age_none = !strcmp(f[col[S_TS_AGE]], "-");
	if (ts_none != age_none)
		fail("socket %s: ts_recent '%s' and ts_age_s '%s': both '-' or neither",
		     key, f[col[S_TS_RECENT]], f[col[S_TS_AGE]]);
	for (k = S_TS_RECENT; k < NR_SOCKETS_COLS; k++) {
		if ((k == S_TS_RECENT || k == S_TS_AGE) && (ts_none || age_none))
			continue;
		if (number(f[col[k]], "socket", key, sockets_cols[k]) > UINT32_MAX &&
		    k != S_TS_AGE)
			fail("socket %s: %s %s does not fit 32 bits", key,
			     sockets_cols[k], f[col[k]]);
	}

	m = minisock_find(before, key);
	ma = minisock_find(after, key);
	if (!m || !ma || m->st != st) {
		fail("socket %s %s: /proc/net/tcp{,6} has %s", key,
		     f[col[S_STATE]], !m ? "no such socket" :
		     m->st == 6 ? "it in TIME_WAIT (st 06)" : "it in FIN_WAIT2 (st 05)");
		return;
	}
	if (m->seen)
		fail("socket %s listed twice", key);
	m->seen = true;
	if (m->timer != 3) {
		fail("socket %s: /proc/net/tcp{,6} shows timer %u, not a minisocket's 3",
		     key, m->timer);
		return;
	}
	/*
	 * Time runs down between the reads, unless a refused segment re-armed
	 * the timer: the value lies between the two reads either way, give or
	 * take their 10 ms resolution and a jiffy.
	 */
	lo = (long)(m->when < ma->when ? m->when : ma->when) * USER_HZ_MS - JIFFY_MS;
	hi = (long)(m->when > ma->when ? m->when : ma->when) * USER_HZ_MS +
	     USER_HZ_MS + JIFFY_MS;
	if (ttl < lo || ttl > hi)
		fail("socket %s: ttl_ms %ld outside /proc/net/tcp{,6}'s [%ld, %ld]",
		     key, ttl, lo, hi);
}

static int cmd_debugfs_sockets(const char *file)
{
	static struct minisocks before, after;
	int col[NR_SOCKETS_COLS], attempt;
	size_t nr[NSTATES] = { 0 }, i, k;
	char *text, *line, *next;
	struct row header;

	diag = stderr;
	for (attempt = 1;; attempt++) {
		minisocks_load(&before);
		text = read_file(file, 1 << 16);
		minisocks_load(&after);
		if (minisocks_same(&before, &after))
			break;
		free(text);
		if (attempt == RETRIES)
			die("/proc/net/tcp{,6} kept changing over %d tries", RETRIES);
		sleep(1);
	}
	line = text;
	next = strchr(line, '\n');
	if (!next)
		die("%s: no header row", file);
	*next++ = 0;
	header = split_line(line);
	for (k = 0; k < NR_SOCKETS_COLS; k++) {
		col[k] = -1;
		for (i = 0; i < header.n; i++)
			if (!strcmp(header.f[i], sockets_cols[k]))
				col[k] = i;
		if (col[k] < 0)
			die("%s: no column %s in '%s'", file, sockets_cols[k],
			    joined(&header));
	}
	for (line = next; *line; line = next) {
		struct row row;

		next = strchr(line, '\n');
		if (!next) {
			fail("last line not terminated: '%s'", line);
			break;
		}
		*next++ = 0;
		row = split_line(line);
		if (row.n != header.n)
			fail("socket row '%s' has %zu fields, the header %zu",
			     joined(&row), row.n, header.n);
		else
			check_socket_row(row.f, col, &before, &after, nr);
		free(row.f);
	}
	for (i = 0; i < before.nr; i++)
		if (before.m[i].st == 6 && !before.m[i].seen)
			fail("socket %s: TIME_WAIT in /proc/net/tcp{,6}, not in %s",
			     before.m[i].key, file);
	printf("# debugfs sockets: %zu TIME_WAIT and %zu FIN_WAIT2 rows; /proc/net/tcp{,6} has %zu st 06 and %zu st 05: %d mismatches\n",
	       nr[6], nr[5], before.nr_st[6], before.nr_st[5], failures);
	free(text);
	return failures ? 1 : 0;
}

/* count, walk-stats: debugfs tcptw/count and tcptw/walk_stats -------------- */

/*
 * A debugfs file of "key value" lines: exactly @keys, in that order, each
 * value an unsigned decimal, nothing else. Returns false (after fail()) if
 * the file is not that.
 */
static bool keyed_parse(const char *file, char *text, const char *const keys[],
			size_t n, unsigned long long *val)
{
	char *line = text, *next, *sp;
	size_t i;

	for (i = 0; i < n; i++) {
		next = strchr(line, '\n');
		if (!next) {
			fail("%s: line %zu ('%s') missing or not terminated",
			     file, i + 1, keys[i]);
			return false;
		}
		*next = 0;
		sp = strchr(line, ' ');
		if (!sp || (size_t)(sp - line) != strlen(keys[i]) ||
		    strncmp(line, keys[i], sp - line)) {
			fail("%s: line %zu is '%s', want '%s N'", file, i + 1,
			     line, keys[i]);
			return false;
		}
		val[i] = number(sp + 1, file, keys[i], "value");
		line = next + 1;
	}
	if (*line) {
		fail("%s: unexpected '%.*s' after the %zu lines", file,
		     (int)strcspn(line, "\n"), line, n);
		return false;
	}
	return true;
}

static void keyed_read(const char *file, const char *const keys[], size_t n,
		       unsigned long long *val)
{
	char *text = read_file(file, 4096);

	if (!keyed_parse(file, text, keys, n, val))
		die("%s: cannot go on", file);
	free(text);
}

/* One "key N" line of a text (debugfs ehash), or die. */
static unsigned long long text_key(const char *file, const char *text,
				   const char *key)
{
	size_t len = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ') {
			char value[32];

			snprintf(value, sizeof(value), "%.*s",
				 (int)strcspn(p + len + 1, "\n"), p + len + 1);
			return number(value, file, key, "value");
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	die("%s: no line '%s N'", file, key);
}

static const char *const count_keys[] = { "sockets", "ehash_buckets", "walk_us" };
enum { C_SOCKETS, C_BUCKETS, C_WALK_US, NR_COUNT_KEYS };

/*
 * count: the count-only walk's sockets against /proc/net/tcp{,6} read just
 * before and after it (listeners are not in the established hash), its
 * buckets against debugfs ehash.
 */
static int cmd_count(const char *dir)
{
	static struct truth before, after;
	unsigned long long v[NR_COUNT_KEYS];
	char file[4096], ehash[4096], *text, *eh;
	int attempt;

	diag = stderr;
	snprintf(file, sizeof(file), "%s/count", dir);
	snprintf(ehash, sizeof(ehash), "%s/ehash", dir);
	before.peers = calloc(MAX_PEERS, sizeof(*before.peers));
	after.peers = calloc(MAX_PEERS, sizeof(*after.peers));
	if (!before.peers || !after.peers)
		die("out of memory");
	for (attempt = 1;; attempt++) {
		truth_load(&before);
		text = read_file(file, 4096);
		truth_load(&after);
		if (truth_same_states(&before, &after))
			break;
		free(text);
		if (attempt == RETRIES)
			die("/proc/net/tcp{,6} kept changing over %d tries", RETRIES);
		sleep(1);
	}
	if (!keyed_parse(file, text, count_keys, NR_COUNT_KEYS, v))
		return 1;
	free(text);
	if (v[C_SOCKETS] != before.sockets)
		fail("%s: sockets %llu, /proc/net/tcp{,6} has %lu besides listeners",
		     file, v[C_SOCKETS], before.sockets);
	eh = read_file(ehash, 4096);
	if (v[C_BUCKETS] != text_key(ehash, eh, "buckets"))
		fail("%s: ehash_buckets %llu, %s says %llu", file, v[C_BUCKETS],
		     ehash, text_key(ehash, eh, "buckets"));
	free(eh);
	printf("# count: sockets %llu ehash_buckets %llu walk_us %llu; /proc/net/tcp{,6}: %lu besides listeners: %d mismatches\n",
	       v[C_SOCKETS], v[C_BUCKETS], v[C_WALK_US], before.sockets,
	       failures);
	return failures ? 1 : 0;
}

static const char *const stats_keys[] = {
	"walks", "sockets", "walk_us", "ns_per_socket", "lock_max_ns",
	"lock_max_chain", "lock_holds", "lock_timed", "lock_p50_ns",
	"lock_p99_ns", "chain_max", "mem_peak_bytes",
};
enum { W_WALKS, W_SOCKETS, W_WALK_US, W_NS_PER_SOCKET, W_LOCK_MAX_NS,
       W_LOCK_MAX_CHAIN, W_LOCK_HOLDS, W_LOCK_TIMED, W_LOCK_P50, W_LOCK_P99,
       W_CHAIN_MAX, W_MEM_PEAK, NR_STATS_KEYS };

/* One bucket-lock hold in this many is timed: the 1st, 9th, ... (walk.c). */
#define WALK_LOCK_SAMPLE	8

/* The walk's per-bucket copy buffer starts at this many sockets (walk.c). */
#define WALK_RECS_INITIAL	64

#define LISTENING_BITMAP_BYTES	(65536 / 8)

/*
 * walk-stats: open the report once between two reads of walk_stats and two
 * of debugfs ehash; retried until the two ehash reads agree (nothing was
 * hashed or unhashed meanwhile, so the walk met the chains ehash shows).
 */
static int cmd_walk_stats(const char *path, const char *dir)
{
	unsigned long long w0[NR_STATS_KEYS], w[NR_STATS_KEYS];
	unsigned long long sockets, walk_us, longest, used, lo_ns, hi_ns;
	char file[4096], ehash[4096], *text, *eh1, *eh2;
	struct report r;
	int attempt;

	diag = stderr;
	snprintf(file, sizeof(file), "%s/walk_stats", dir);
	snprintf(ehash, sizeof(ehash), "%s/ehash", dir);
	for (attempt = 1;; attempt++) {
		eh1 = read_file(ehash, 4096);
		keyed_read(file, stats_keys, NR_STATS_KEYS, w0);
		text = read_file(path, 1 << 16);
		keyed_read(file, stats_keys, NR_STATS_KEYS, w);
		eh2 = read_file(ehash, 4096);
		if (!strcmp(eh1, eh2))
			break;
		free(text);
		free(eh1);
		free(eh2);
		if (attempt == 2 * RETRIES)
			die("%s kept changing over %d tries", ehash, 2 * RETRIES);
		sleep(1);
	}
	longest = text_key(ehash, eh1, "longest_chain");
	used = text_key(ehash, eh1, "used_buckets");
	free(eh1);
	free(eh2);
	report_parse(&r, text);
	sockets = report_key_ull(&r, "sockets");
	walk_us = report_key_ull(&r, "walk_us");

	if (w[W_WALKS] != w0[W_WALKS] + 1)
		fail("walks %llu after one open of %s, %llu before", w[W_WALKS],
		     path, w0[W_WALKS]);
	if (w[W_SOCKETS] != sockets)
		fail("sockets %llu, the report's sockets %llu", w[W_SOCKETS],
		     sockets);
	if (w[W_WALK_US] != walk_us)
		fail("walk_us %llu, the report's walk_us %llu", w[W_WALK_US],
		     walk_us);
	/*
	 * walk_us and ns_per_socket are both rounded down from the walk's
	 * nanoseconds: the ranges of nanoseconds they allow must meet.
	 */
	lo_ns = w[W_NS_PER_SOCKET] * w[W_SOCKETS];
	hi_ns = (w[W_NS_PER_SOCKET] + 1) * w[W_SOCKETS];
	if (!w[W_SOCKETS] ? w[W_NS_PER_SOCKET] != 0 :
	    lo_ns >= (walk_us + 1) * 1000 || hi_ns <= walk_us * 1000)
		fail("ns_per_socket %llu over %llu sockets does not fit walk_us %llu",
		     w[W_NS_PER_SOCKET], w[W_SOCKETS], walk_us);
	if (w[W_LOCK_MAX_NS] >= (walk_us + 1) * 1000)
		fail("lock_max_ns %llu, longer than the walk (walk_us %llu)",
		     w[W_LOCK_MAX_NS], walk_us);
	if (w[W_LOCK_MAX_CHAIN] > w[W_CHAIN_MAX])
		fail("lock_max_chain %llu > chain_max %llu",
		     w[W_LOCK_MAX_CHAIN], w[W_CHAIN_MAX]);
	if (w[W_SOCKETS] && !w[W_LOCK_MAX_CHAIN])
		fail("lock_max_chain 0 with %llu sockets walked", w[W_SOCKETS]);
	/*
	 * One hold per bucket not empty (every namespace's sockets count), a
	 * second only where a chain outgrew the copy buffer.
	 */
	if (longest <= WALK_RECS_INITIAL ? w[W_LOCK_HOLDS] != used :
	    w[W_LOCK_HOLDS] < used)
		fail("lock_holds %llu, %s used_buckets %llu", w[W_LOCK_HOLDS],
		     ehash, used);
	/*
	 * Percentiles are power-of-two upper bounds of holds per socket of
	 * their chain: each at most twice the longest hold, p50 <= p99.
	 */
	if (w[W_LOCK_P50] > w[W_LOCK_P99] ||
	    w[W_LOCK_P99] > 2 * w[W_LOCK_MAX_NS] + 1 ||
	    (w[W_LOCK_P99] & (w[W_LOCK_P99] - 1)) ||
	    (w[W_LOCK_P50] & (w[W_LOCK_P50] - 1)))
		fail("lock_p50_ns %llu lock_p99_ns %llu with lock_max_ns %llu",
		     w[W_LOCK_P50], w[W_LOCK_P99], w[W_LOCK_MAX_NS]);
	if (w[W_SOCKETS] && !w[W_LOCK_HOLDS])
		fail("lock_holds 0 with %llu sockets walked", w[W_SOCKETS]);
	if (w[W_LOCK_TIMED] !=
	    (w[W_LOCK_HOLDS] + WALK_LOCK_SAMPLE - 1) / WALK_LOCK_SAMPLE)
		fail("lock_timed %llu for %llu holds, one in %d timed",
		     w[W_LOCK_TIMED], w[W_LOCK_HOLDS], WALK_LOCK_SAMPLE);
	if (w[W_CHAIN_MAX] != longest)
		fail("chain_max %llu, %s longest_chain %llu", w[W_CHAIN_MAX],
		     ehash, longest);
	if (w[W_MEM_PEAK] < LISTENING_BITMAP_BYTES)
		fail("mem_peak_bytes %llu, less than the walk's %d-byte port bitmap",
		     w[W_MEM_PEAK], LISTENING_BITMAP_BYTES);
	printf("# walk_stats: walks %llu sockets %llu walk_us %llu ns_per_socket %llu lock_max_ns %llu lock_max_chain %llu lock_holds %llu lock_timed %llu lock_p50_ns %llu lock_p99_ns %llu chain_max %llu mem_peak_bytes %llu; ehash used_buckets %llu longest_chain %llu: %d mismatches\n",
	       w[W_WALKS], w[W_SOCKETS], w[W_WALK_US], w[W_NS_PER_SOCKET],
	       w[W_LOCK_MAX_NS], w[W_LOCK_MAX_CHAIN], w[W_LOCK_HOLDS],
	       w[W_LOCK_TIMED], w[W_LOCK_P50], w[W_LOCK_P99], w[W_CHAIN_MAX],
	       w[W_MEM_PEAK], used, longest, failures);
	return failures ? 1 : 0;
}

/* paws-delta: two reports and two netstat copies around one action --------- */

/* A TcpExt counter of a saved netstat; false when that kernel has none. */
static bool netstat_file_try(const char *file, const char *name,
			     unsigned long long *v)
{
	char *text = read_file(file, 65536);
	bool found = netstat_lookup(text, "TcpExt", name, v);

	free(text);
	return found;
}

static unsigned long long netstat_file_value(const char *file, const char *name)
{
	unsigned long long v;

	if (!netstat_file_try(file, name, &v))
		die("no TcpExt %s in %s", name, file);
	return v;
}

/*
 * A TcpExt counter's delta between two saved netstats, -1 when the kernel has
 * no such counter (in neither: a counter does not come and go).
 */
static long long netstat_file_delta(const char *before, const char *after,
				    const char *name)
{
	unsigned long long b, a;
	bool hb = netstat_file_try(before, name, &b);
	bool ha = netstat_file_try(after, name, &a);

	if (hb != ha)
		die("TcpExt %s in only one of %s and %s", name, before, after);
	return ha ? (long long)(a - b) : -1;
}

static void parse_report_file(struct report *r, const char *file)
{
	report_parse(r, read_file(file, 1 << 16));
	if (r->minor < 1 || !r->t[TBL_PAWS].present)
		die("%s: format 1.%u has no PAWS counters", file, r->minor);
	if (!r->t[TBL_PEERS].header_ok || !r->t[TBL_PAWS].header_ok)
		die("%s: a table header is wrong, see above", file);
}

/* Sum over a report's peer rows (and 'other') of one addresses' paws. */
static long long peer_paws_of(const struct report *r, const char *peer)
{
	const struct table *pt = &r->t[TBL_PEERS];
	size_t i;

	for (i = 0; i < pt->nr_rows; i++)
		if (pt->rows[i].n == pt->header.n && !strcmp(pt->rows[i].f[0], peer))
			return peer_paws(r, &pt->rows[i]);
	if (!strcmp(peer, "other") && pt->other.f && pt->other.n == pt->header.n)
		return peer_paws(r, &pt->other);
	return 0;
}

static long long peer_paws_total(const struct report *r)
{
	const struct table *pt = &r->t[TBL_PEERS];
	long long sum = 0;
	size_t i;

	for (i = 0; i < pt->nr_rows; i++)
		if (pt->rows[i].n == pt->header.n)
			sum += peer_paws(r, &pt->rows[i]);
	if (pt->other.f && pt->other.n == pt->header.n)
		sum += peer_paws(r, &pt->other);
	return sum;
}

/* The old_ack column of the PAWS table (1.2) added up, 'other' included. */
static long long paws_old_ack_total(const struct report *r)
{
	const struct table *wt = &r->t[TBL_PAWS];
	long long sum = 0;
	size_t i;

	for (i = 0; i <= wt->nr_rows; i++) {
		const struct row *row = i < wt->nr_rows ? &wt->rows[i] : &wt->other;

		if (row->f && row->n == wt->header.n)
			sum += paws_row_old_ack(r, row);
	}
	return sum;
}

/*
 * A 1.2 key that mirrors a TcpExt counter the kernel may lack: "-" in both
 * reports exactly when the netstat copies lack it (@d_mib -1), else its delta
 * equal to the counter's.
 */
static void check_mib_key_delta(const struct report *a, const struct report *b,
				const char *key, const char *field, long long d_mib)
{
	unsigned long long va, vb;
	bool ha = report_key_dash(a, key, &va), hb = report_key_dash(b, key, &vb);

	if (ha != (d_mib >= 0) || hb != (d_mib >= 0))
		fail("%s is '%s' then '%s', this kernel's netstat %s TcpExt %s",
		     key, report_key(a, key) ?: "(none)",
		     report_key(b, key) ?: "(none)",
		     d_mib >= 0 ? "has" : "has no", field);
	else if (d_mib >= 0 && (long long)(vb - va) != d_mib)
		fail("%s +%lld, TcpExt %s +%lld", key, (long long)(vb - va), field,
		     d_mib);
}

/* A delta for the summary line: "-" where there is no such counter. */
static const char *delta_text(long long d, const char *sign, char buf[32])
{
	if (d < 0)
		return "-";
	snprintf(buf, 32, "%s%lld", sign, d);
	return buf;
}

/*
 * What the kernel counted over the interval, path by path, against what
 * tcptw attributed (include/tcptw_format.h, paws_rej_*):
 *   PAWSActive   == syn_sent
 *   PAWSEstab    == estab + syn_recv, PAWSTimewait == tw   (6.16 and later)
 *   PAWSEstab    == estab + syn_recv + tw                 (without PAWSTimewait)
 *   PAWSOldAck   == paws_rej_old_ack == the old_ack column (6.17 and later)
 * decided from the kernel's own netstat, and the report's copies of those
 * counters "-" exactly where the netstat has none.
 */
static int cmd_paws_delta(const char *rep_before, const char *rep_after,
			  const char *ns_before, const char *ns_after)
{
	struct report a, b;
	long long d[NR_PATHS], d_estab_mib, d_active_mib, d_tw_mib, d_old_ack_mib;
	long long d_estab_key, d_active_key, d_estab_paths, d_old_ack = -1;
	long long total = 0, peers;
	unsigned long long va, vb;
	char bufs[3][32];
	size_t i;

	diag = stderr;
	parse_report_file(&a, rep_before);
	parse_report_file(&b, rep_after);
	if (report_key_ull(&b, "paws_since_s") < report_key_ull(&a, "paws_since_s"))
		fail("paws_since_s went %llu -> %llu: PAWS counting was reset in between",
		     report_key_ull(&a, "paws_since_s"),
		     report_key_ull(&b, "paws_since_s"));
	for (i = 0; i < NR_PATHS; i++) {
		d[i] = report_key_ull(&b, paws_paths[i].key) -
		       report_key_ull(&a, paws_paths[i].key);
		if (d[i] < 0)
			fail("%s went down by %lld", paws_paths[i].key, -d[i]);
		total += d[i];
	}
	d_estab_mib = netstat_file_value(ns_after, "PAWSEstab") -
		      netstat_file_value(ns_before, "PAWSEstab");
	d_active_mib = netstat_file_value(ns_after, "PAWSActive") -
		       netstat_file_value(ns_before, "PAWSActive");
	d_tw_mib = netstat_file_delta(ns_before, ns_after, "PAWSTimewait");
	d_old_ack_mib = netstat_file_delta(ns_before, ns_after, "PAWSOldAck");
	d_estab_key = report_key_ull(&b, "paws_estab") -
		      report_key_ull(&a, "paws_estab");
	d_active_key = report_key_ull(&b, "paws_active") -
		       report_key_ull(&a, "paws_active");

	d_estab_paths = d[PATH_ESTAB] + d[PATH_SYN_RECV];
	if (d_tw_mib < 0) {
		d_estab_paths += d[PATH_TW];
		if (d_estab_mib != d_estab_paths)
			fail("PAWSEstab +%lld, paws_rej_estab + paws_rej_syn_recv + paws_rej_tw +%lld (no PAWSTimewait on this kernel)",
			     d_estab_mib, d_estab_paths);
	} else {
		if (d_estab_mib != d_estab_paths)
			fail("PAWSEstab +%lld, paws_rej_estab + paws_rej_syn_recv +%lld (TIME-WAIT is PAWSTimewait's on this kernel)",
			     d_estab_mib, d_estab_paths);
		if (d_tw_mib != d[PATH_TW])
			fail("PAWSTimewait +%lld, paws_rej_tw +%lld", d_tw_mib,
			     d[PATH_TW]);
	}
	if (d_active_mib != d[PATH_SYN_SENT])
		fail("PAWSActive +%lld, paws_rej_syn_sent +%lld", d_active_mib,
		     d[PATH_SYN_SENT]);
	if (d_estab_key != d_estab_mib)
		fail("paws_estab +%lld, PAWSEstab +%lld", d_estab_key, d_estab_mib);
	if (d_active_key != d_active_mib)
		fail("paws_active +%lld, PAWSActive +%lld", d_active_key,
		     d_active_mib);
	if (a.minor >= 2 && b.minor >= 2) {
		check_mib_key_delta(&a, &b, "paws_timewait", "PAWSTimewait", d_tw_mib);
		check_mib_key_delta(&a, &b, "paws_old_ack", "PAWSOldAck",
				    d_old_ack_mib);
		/* Where the kernel has no old-ACK path, tcptw has none either. */
		check_mib_key_delta(&a, &b, "paws_rej_old_ack", "PAWSOldAck",
				    d_old_ack_mib);
		if (report_key_dash(&a, "paws_rej_old_ack", &va) &&
		    report_key_dash(&b, "paws_rej_old_ack", &vb)) {
			d_old_ack = vb - va;
			if (paws_old_ack_total(&b) - paws_old_ack_total(&a) != d_old_ack)
				fail("the PAWS table's old_ack column moved by %+lld, paws_rej_old_ack by %+lld",
				     paws_old_ack_total(&b) - paws_old_ack_total(&a),
				     d_old_ack);
		} else if (paws_old_ack_total(&a) || paws_old_ack_total(&b)) {
			fail("old_ack cells add up to %lld and %lld where paws_rej_old_ack is '-'",
			     paws_old_ack_total(&a), paws_old_ack_total(&b));
		}
	}
	peers = peer_paws_total(&b) - peer_paws_total(&a);
	if (peers != total)
		fail("the peers' paws moved by %+lld, the paws_rej_* counters by %+lld",
		     peers, total);
	/* Without a cap no peer can move into 'other': none may lose rejects. */
	if (!a.t[TBL_PEERS].other.f && !b.t[TBL_PEERS].other.f) {
		const struct table *pt = &a.t[TBL_PEERS];

		for (i = 0; i < pt->nr_rows; i++) {
			const char *peer = pt->rows[i].f[0];
			long long was = peer_paws_of(&a, peer);
			long long now = peer_paws_of(&b, peer);

			if (now < was)
				fail("peer %s: paws went %lld -> %lld", peer, was, now);
		}
	}
	printf("paws delta estab %lld syn_sent %lld syn_recv %lld tw %lld old_ack %s (PAWSEstab %+lld, PAWSActive %+lld, PAWSTimewait %s, PAWSOldAck %s)\n",
	       d[PATH_ESTAB], d[PATH_SYN_SENT], d[PATH_SYN_RECV], d[PATH_TW],
	       delta_text(d_old_ack, "", bufs[0]), d_estab_mib, d_active_mib,
	       delta_text(d_tw_mib, "+", bufs[1]),
	       delta_text(d_old_ack_mib, "+", bufs[2]));
	return failures ? 1 : 0;
}

/* Small commands --------------------------------------------------------- */

/* snapshot: one fd read in small pieces, then again after lseek(0). */
static int cmd_snapshot(const char *path, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	char *first, *second;
	size_t n1, n2;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	first = read_fd_all(fd, chunk, &n1);
	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek: %s", strerror(errno));
	second = read_fd_all(fd, 1 << 16, &n2);
	close(fd);
	if (n1 != n2 || memcmp(first, second, n1))
		fail("reads of %zu-byte pieces (%zu bytes) and a re-read after lseek (%zu bytes) differ",
		     chunk, n1, n2);
	printf("# %zu bytes read in %zu-byte pieces, identical after lseek\n",
	       n1, chunk);
	return failures ? 1 : 0;
}

/* key NAME: print a summary value (for shell tests). */
static int cmd_key(const char *path, const char *key)
{
	struct report r;
	const char *v;

	report_parse(&r, read_file(path, 1 << 16));
	v = report_key(&r, key);
	if (!v)
		die("no summary key %s", key);
	puts(v);
	return 0;
}

/* One cell of a table: the row whose first cells match, "absent" if none. */
static int print_cell(const struct table *t, const char *what,
		      const char *const match[], size_t nr_match,
		      const char *column)
{
	int c = table_col(t, column);
	size_t i, k;

	if (!t->present)
		die("the report has no %s", what);
	if (c < 0)
		die("no column %s in the %s", column, what);
	for (i = 0; i <= t->nr_rows; i++) {
		const struct row *row = i < t->nr_rows ? &t->rows[i] : &t->other;

		if (!row->f || row->n != t->header.n)
			continue;
		for (k = 0; k < nr_match; k++)
			if (strcmp(row->f[k], match[k]))
				break;
		if (k == nr_match) {
			puts(row->f[c]);
			return 0;
		}
	}
	puts("absent");
	return 0;
}

/* cell PEER COLUMN: print one cell of the peer table ("absent" if no row). */
static int cmd_cell(const char *path, const char *peer, const char *column)
{
	const char *const match[] = { peer };
	struct report r;

	report_parse(&r, read_file(path, 1 << 16));
	return print_cell(&r.t[TBL_PEERS], "peer table", match, 1, column);
}

/* paws-cell PEER LPORT COLUMN: one cell of the PAWS table. */
static int cmd_paws_cell(const char *path, const char *peer, const char *lport,
			 const char *column)
{
	const char *const match[] = { peer, lport };
	struct report r;

	report_parse(&r, read_file(path, 1 << 16));
	return print_cell(&r.t[TBL_PAWS], "PAWS table", match, 2, column);
}

/* peers: print every peer address, one per line. */
static int cmd_peers(const char *path)
{
	const struct table *pt;
	struct report r;
	size_t i;

	report_parse(&r, read_file(path, 1 << 16));
	pt = &r.t[TBL_PEERS];
	for (i = 0; i < pt->nr_rows; i++)
		if (pt->rows[i].n == pt->header.n)
			puts(pt->rows[i].f[0]);
	return 0;
}

static int usage(void)
{
	fputs("usage: tcptw-verify [-f REPORT] compare\n"
	      "       tcptw-verify [-f REPORT] tuples\n"
	      "       tcptw-verify [-f REPORT] snapshot [CHUNK]\n"
	      "       tcptw-verify [-f REPORT] key NAME\n"
	      "       tcptw-verify [-f REPORT] cell PEER COLUMN\n"
	      "       tcptw-verify [-f REPORT] paws-cell PEER LPORT COLUMN\n"
	      "       tcptw-verify [-f REPORT] peers\n"
	      "       tcptw-verify debugfs-sockets [FILE]\n"
	      "       tcptw-verify count [DEBUGFS_DIR]\n"
	      "       tcptw-verify [-f REPORT] walk-stats [DEBUGFS_DIR]\n"
	      "       tcptw-verify paws-delta BEFORE AFTER NETSTAT_BEFORE NETSTAT_AFTER\n"
	      "       tcptw-verify netstat GROUP FIELD\n"
	      "       tcptw-verify netstat-or-dash GROUP FIELD   (\"-\" where the kernel has none)\n"
	      "TCPTW_VERIFY_PROC=DIR reads DIR in place of /proc.\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	char default_path[4096];
	const char *path = default_path;

	diag = stdout;
	if (getenv("TCPTW_VERIFY_PROC") && *getenv("TCPTW_VERIFY_PROC"))
		proc_root = getenv("TCPTW_VERIFY_PROC");
	snprintf(default_path, sizeof(default_path), "%s/tcptw", proc_root);
	if (argc > 2 && !strcmp(argv[1], "-f")) {
		path = argv[2];
		saved_report = true;
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "compare") && argc == 2)
		return cmd_compare(path);
	if (!strcmp(argv[1], "tuples") && argc == 2)
		return cmd_tuples(path);
	if (!strcmp(argv[1], "snapshot") && argc <= 3)
		return cmd_snapshot(path, argc == 3 ? strtoul(argv[2], NULL, 10) : 64);
	if (!strcmp(argv[1], "key") && argc == 3)
		return cmd_key(path, argv[2]);
	if (!strcmp(argv[1], "cell") && argc == 4)
		return cmd_cell(path, argv[2], argv[3]);
	if (!strcmp(argv[1], "paws-cell") && argc == 5)
		return cmd_paws_cell(path, argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "peers") && argc == 2)
		return cmd_peers(path);
	if (!strcmp(argv[1], "debugfs-sockets") && argc <= 3)
		return cmd_debugfs_sockets(argc == 3 ? argv[2] :
					   "/sys/kernel/debug/tcptw/sockets");
	if (!strcmp(argv[1], "count") && argc <= 3)
		return cmd_count(argc == 3 ? argv[2] : DEBUGFS_DIR);
	if (!strcmp(argv[1], "walk-stats") && argc <= 3)
		return cmd_walk_stats(path, argc == 3 ? argv[2] : DEBUGFS_DIR);
	if (!strcmp(argv[1], "paws-delta") && argc == 6)
		return cmd_paws_delta(argv[2], argv[3], argv[4], argv[5]);
	if (!strcmp(argv[1], "netstat") && argc == 4) {
		printf("%llu\n", netstat_value(argv[2], argv[3]));
		return 0;
	}
	if (!strcmp(argv[1], "netstat-or-dash") && argc == 4) {
		unsigned long long v;

		if (netstat_try(argv[2], argv[3], &v))
			printf("%llu\n", v);
		else
			puts("-");
		return 0;
	}
	return usage();
}
