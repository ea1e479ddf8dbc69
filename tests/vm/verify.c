// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-verify: holds /proc/tcptw against the kernel's own ground truth
 * (/proc/net/tcp{,6}, /proc/net/sockstat, /proc/net/netstat, sysctls) inside
 * the test VM. It parses /proc/tcptw on its own, sharing no code with the
 * module or the tool, so that a bug on either side cannot hide itself.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
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
#define MAX_TEXT	(64 << 20)
#define NSTATES		13	/* st values 1..12 of /proc/net/tcp */
#define USER_HZ_MS	10	/* /proc/net/tcp timers are in 1/100 s */
#define RETRIES		5

/* The header row as the v1.0 format documents it, written out, not shared. */
static const char *const expected_header =
	"peer tw tw_in tw_out estab syn_sent syn_recv fin_wait1 fin_wait2 "
	"close_wait last_ack closing close tw_ttl_min_ms tw_ttl_max_ms";

static const char *const required_keys[] = {
	"tw_count", "tw_buckets", "tw_max", "tw_pressure_pct", "tw_overflow",
	"tw_expired", "tw_reused", "paws_estab", "paws_active", "port_range",
	"ehash_buckets", "sockets", "peers", "peers_max", "walk_us",
};

/* Column of the peer table -> /proc/net/tcp st value it must equal. */
static const struct {
	const char *name;
	int st;
} state_cols[] = {
	{ "tw", 6 }, { "estab", 1 }, { "syn_sent", 2 }, { "syn_recv", 3 },
	{ "fin_wait1", 4 }, { "fin_wait2", 5 }, { "close_wait", 8 },
	{ "last_ack", 9 }, { "closing", 11 }, { "close", 7 },
};
#define NR_STATE_COLS (sizeof(state_cols) / sizeof(state_cols[0]))

struct truth_peer {
	char addr[INET6_ADDRSTRLEN];
	unsigned long st[NSTATES];
	unsigned long tw_in, tw_out;
	long ttl_min_ms, ttl_max_ms;	/* -1: no TIME_WAIT */
};

/* TcpExt counters the summary repeats: summary key -> netstat field. */
static const struct {
	const char *key, *field;
} mibs[] = {
	{ "tw_overflow", "TCPTimeWaitOverflow" },
	{ "tw_expired", "TW" },
	{ "tw_reused", "TWRecycled" },
	{ "paws_estab", "PAWSEstab" },
	{ "paws_active", "PAWSActive" },
};
#define NR_MIBS (sizeof(mibs) / sizeof(mibs[0]))

struct truth {
	struct truth_peer *peers;
	size_t nr;
	unsigned long sockets, tw, sockstat_tw;
	unsigned long long mib[NR_MIBS];
	unsigned char listening[65536];
};

struct report {
	char *text;
	char *summary_keys[64];
	char *summary_vals[64];
	size_t nr_keys;
	char *header;
	char **rows;
	size_t nr_rows;
	char *other;
};

static int failures;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
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
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("out of memory");
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

static unsigned long read_ulong_file(const char *path)
{
	char *text = read_file(path, 4096);
	unsigned long v = strtoul(text, NULL, 10);

	free(text);
	return v;
}

/* Ground truth ---------------------------------------------------------- */

static unsigned long sockstat_tw(void);
static unsigned long long netstat_value(const char *group, const char *name);

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

struct tcp_row {
	char peer[INET6_ADDRSTRLEN];
	unsigned int lport, st, timer;
	unsigned long when;
};

static size_t parse_proc_tcp(const char *path, bool v6, struct tcp_row **rows,
			     size_t nr)
{
	char *text = read_file(path, 65536), *line, *save = NULL;
	bool first = true;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char local[64], remote[64], trwhen[64];
		char lbuf[INET6_ADDRSTRLEN];
		struct tcp_row *r;

		if (first) {
			first = false;
			continue;
		}
		*rows = realloc(*rows, (nr + 1) * sizeof(**rows));
		if (!*rows)
			die("out of memory");
		r = &(*rows)[nr];
		if (sscanf(line, " %*s %63s %63s %x %*s %63s", local, remote,
			   &r->st, trwhen) != 4)
			die("%s: cannot parse '%s'", path, line);
		parse_proc_addr(local, v6, lbuf, &r->lport);
		{
			unsigned int rport;

			parse_proc_addr(remote, v6, r->peer, &rport);
		}
		if (sscanf(trwhen, "%x:%lx", &r->timer, &r->when) != 2)
			die("%s: bad timer field '%s'", path, trwhen);
		nr++;
	}
	free(text);
	return nr;
}

static void port_range(unsigned int *lo, unsigned int *hi)
{
	char *text = read_file("/proc/sys/net/ipv4/ip_local_port_range", 4096);

	if (sscanf(text, "%u %u", lo, hi) != 2)
		die("cannot parse ip_local_port_range");
	free(text);
}

static void truth_load(struct truth *t)
{
	struct tcp_row *rows = NULL;
	unsigned int lo, hi;
	size_t nr, i;

	t->nr = 0;
	t->sockets = 0;
	t->tw = 0;
	memset(t->listening, 0, sizeof(t->listening));
	nr = parse_proc_tcp("/proc/net/tcp", false, &rows, 0);
	nr = parse_proc_tcp("/proc/net/tcp6", true, &rows, nr);
	port_range(&lo, &hi);
	t->sockstat_tw = sockstat_tw();
	for (i = 0; i < NR_MIBS; i++)
		t->mib[i] = netstat_value("TcpExt", mibs[i].field);

	for (i = 0; i < nr; i++)
		if (rows[i].st == 10)
			t->listening[rows[i].lport] = 1;
	for (i = 0; i < nr; i++) {
		struct tcp_row *r = &rows[i];
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
	free(rows);
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
	char *text = read_file("/proc/net/sockstat", 4096);
	char *tcp = strstr(text, "\nTCP: ");
	unsigned long tw;

	if (!tcp || !strstr(tcp, " tw ") ||
	    sscanf(strstr(tcp, " tw ") + 4, "%lu", &tw) != 1)
		die("cannot find TCP tw in /proc/net/sockstat");
	free(text);
	return tw;
}

/* A TcpExt (or other) counter from /proc/net/netstat. */
static unsigned long long netstat_value(const char *group, const char *name)
{
	char *text = read_file("/proc/net/netstat", 65536);
	char prefix[64], *names, *values;
	unsigned long long v = 0;
	bool found = false;

	snprintf(prefix, sizeof(prefix), "%s:", group);
	names = strstr(text, prefix);
	while (names && names != text && names[-1] != '\n')
		names = strstr(names + 1, prefix);
	if (!names)
		die("no %s in /proc/net/netstat", group);
	values = strstr(names + 1, prefix);
	if (!values)
		die("no %s values in /proc/net/netstat", group);
	{
		char *nl = strchr(names, '\n'), *ns = NULL, *vs = NULL;
		char *n, *val;

		*nl = 0;
		*strchrnul(values, '\n') = 0;
		n = strtok_r(names + strlen(prefix), " ", &ns);
		val = strtok_r(values + strlen(prefix), " ", &vs);
		while (n && val) {
			if (!strcmp(n, name)) {
				v = strtoull(val, NULL, 10);
				found = true;
				break;
			}
			n = strtok_r(NULL, " ", &ns);
			val = strtok_r(NULL, " ", &vs);
		}
	}
	if (!found)
		die("no %s %s in /proc/net/netstat", group, name);
	free(text);
	return v;
}

/* /proc/tcptw, parsed independently -------------------------------------- */

static void report_parse(struct report *r, char *text)
{
	char *line, *save = NULL;
	int section = 0;	/* 0 version, 1 summary, 2 header, 3 rows */

	memset(r, 0, sizeof(*r));
	r->text = text;
	r->rows = calloc(MAX_PEERS + 1, sizeof(char *));
	if (!r->rows)
		die("out of memory");
	/* strtok_r would swallow the empty line: split by hand. */
	for (line = text; line && *line; line = save) {
		char *nl = strchr(line, '\n');

		if (!nl) {
			fail("last line not terminated: '%s'", line);
			break;
		}
		*nl = 0;
		save = nl + 1;
		switch (section) {
		case 0:
			if (strncmp(line, "tcptw 1.", 8))
				fail("version line is '%s', want 'tcptw 1.N'", line);
			section = 1;
			break;
		case 1:
			if (!*line) {
				section = 2;
				break;
			}
			{
				char *sp = strchr(line, ' ');

				if (!sp || strchr(sp + 1, ' ') || r->nr_keys == 64) {
					fail("bad summary line '%s'", line);
					break;
				}
				*sp = 0;
				r->summary_keys[r->nr_keys] = line;
				r->summary_vals[r->nr_keys++] = sp + 1;
			}
			break;
		case 2:
			r->header = line;
			section = 3;
			break;
		default:
			if (!*line) {
				fail("unexpected empty line after the peer table");
				return;
			}
			if (!strncmp(line, "other ", 6)) {
				if (r->other)
					fail("two 'other' rows");
				r->other = line;
			} else if (r->other) {
				fail("row after the 'other' row: '%s'", line);
			} else if (r->nr_rows < MAX_PEERS) {
				r->rows[r->nr_rows++] = line;
			}
		}
	}
	if (section != 3)
		fail("report ended early (section %d)", section);
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
	if (errno || *end || end == v)
		fail("summary key %s: '%s' is not a number", key, v);
	return n;
}

#define NCOLS 15

/* Split a row into its 15 fields; returns false if the count is wrong. */
static bool split_row(const char *row, char fields[NCOLS][64])
{
	char copy[1024], *save = NULL, *f;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", row);
	for (f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		if (n == NCOLS)
			return false;
		snprintf(fields[n++], 64, "%s", f);
	}
	return n == NCOLS;
}

static int col_index(const char *name)
{
	static const char *const cols[NCOLS] = {
		"peer", "tw", "tw_in", "tw_out", "estab", "syn_sent",
		"syn_recv", "fin_wait1", "fin_wait2", "close_wait",
		"last_ack", "closing", "close", "tw_ttl_min_ms",
		"tw_ttl_max_ms",
	};
	int i;

	for (i = 0; i < NCOLS; i++)
		if (!strcmp(cols[i], name))
			return i;
	die("no column %s", name);
}

static unsigned long num(const char *s, const char *what, const char *peer)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s)
		fail("peer %s: %s is '%s', not a number", peer, what, s);
	return v;
}

/* Sort key of a row, as documented: tw desc, IPv4 before IPv6, numeric. */
static int row_order(const char *a_addr, unsigned long a_tw,
		     const char *b_addr, unsigned long b_tw)
{
	unsigned char a[17] = { 0 }, b[17] = { 0 };

	if (a_tw != b_tw)
		return a_tw > b_tw ? -1 : 1;
	if (inet_pton(AF_INET, a_addr, a + 1) != 1) {
		a[0] = 1;
		inet_pton(AF_INET6, a_addr, a + 1);
	}
	if (inet_pton(AF_INET, b_addr, b + 1) != 1) {
		b[0] = 1;
		inet_pton(AF_INET6, b_addr, b + 1);
	}
	return memcmp(a, b, sizeof(a));
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
	 */
	if (v > before_ms + USER_HZ_MS + 4 || v < after_ms - 4)
		fail("peer %s: %s %ld outside /proc/net/tcp's [%ld, %ld] ms",
		     peer, what, v, after_ms, before_ms + USER_HZ_MS);
}

static void compare_rows(const struct report *r, const struct truth *t,
			 const struct truth *after, bool truncated)
{
	unsigned long sum[NCOLS] = { 0 }, other_sum[NCOLS] = { 0 };
	char f[NCOLS][64], prev_addr[64] = "";
	unsigned long prev_tw = 0;
	size_t i, k;

	for (i = 0; i < r->nr_rows; i++) {
		const struct truth_peer *p, *pa;

		if (!split_row(r->rows[i], f)) {
			fail("row '%s' does not have %d fields", r->rows[i], NCOLS);
			continue;
		}
		p = truth_find(t, f[0]);
		pa = truth_find(after, f[0]);
		if (!p || !pa) {
			fail("peer %s is not in /proc/net/tcp{,6} of this namespace",
			     f[0]);
			continue;
		}
		for (k = 1; k < NCOLS - 2; k++)
			sum[k] += num(f[k], "cell", f[0]);
		for (k = 0; k < NR_STATE_COLS; k++) {
			unsigned long v = num(f[col_index(state_cols[k].name)],
					      state_cols[k].name, f[0]);

			if (v != p->st[state_cols[k].st])
				fail("peer %s: %s is %lu, /proc/net/tcp{,6} says %lu",
				     f[0], state_cols[k].name, v,
				     p->st[state_cols[k].st]);
		}
		if (num(f[2], "tw_in", f[0]) != p->tw_in ||
		    num(f[3], "tw_out", f[0]) != p->tw_out)
			fail("peer %s: tw_in/tw_out %s/%s, want %lu/%lu", f[0],
			     f[2], f[3], p->tw_in, p->tw_out);
		check_ttl(f[0], "tw_ttl_min_ms", f[13], p->ttl_min_ms,
			  pa->ttl_min_ms);
		check_ttl(f[0], "tw_ttl_max_ms", f[14], p->ttl_max_ms,
			  pa->ttl_max_ms);
		if (i && row_order(prev_addr, prev_tw, f[0],
				   num(f[1], "tw", f[0])) >= 0)
			fail("rows out of order: %s then %s", prev_addr, f[0]);
		snprintf(prev_addr, sizeof(prev_addr), "%s", f[0]);
		prev_tw = num(f[1], "tw", f[0]);
	}

	if (!truncated) {
		if (r->other)
			fail("an 'other' row without peers_truncated");
		if (r->nr_rows != t->nr)
			fail("%zu peer rows, /proc/net/tcp{,6} has %zu peers",
			     r->nr_rows, t->nr);
		return;
	}
	/* Capped: the listed peers are exact, "other" holds all the rest. */
	if (!r->other || !split_row(r->other, f)) {
		fail("peers_truncated but no well-formed 'other' row");
		return;
	}
	for (k = 1; k < NCOLS - 2; k++)
		other_sum[k] = num(f[k], "other cell", "other");
	{
		unsigned long other_sockets = 0;

		for (k = 0; k < NR_STATE_COLS; k++)
			other_sockets += other_sum[col_index(state_cols[k].name)];
		if (other_sockets != report_key_ull(r, "peers_truncated"))
			fail("peers_truncated %llu, the 'other' row holds %lu sockets",
			     report_key_ull(r, "peers_truncated"), other_sockets);
	}
	for (k = 0; k < NR_STATE_COLS; k++) {
		int c = col_index(state_cols[k].name);
		unsigned long total = 0;

		for (i = 0; i < t->nr; i++)
			total += t->peers[i].st[state_cols[k].st];
		if (sum[c] + other_sum[c] != total)
			fail("%s: rows %lu + other %lu != /proc/net/tcp{,6} %lu",
			     state_cols[k].name, sum[c], other_sum[c], total);
	}
}

static void compare_summary(const struct report *r, const struct truth *t,
			    const struct truth *after, bool *truncated)
{
	unsigned long tw_max, lo, hi;
	unsigned int plo, phi;
	size_t i;

	for (i = 0; i < sizeof(required_keys) / sizeof(required_keys[0]); i++)
		if (!report_key(r, required_keys[i]))
			fail("summary key %s missing", required_keys[i]);

	if (report_key_ull(r, "tw_count") != t->tw)
		fail("tw_count %llu, /proc/net/tcp{,6} has %lu TIME_WAIT",
		     report_key_ull(r, "tw_count"), t->tw);
	if (report_key_ull(r, "sockets") != t->sockets)
		fail("sockets %llu, /proc/net/tcp{,6} has %lu non-listening",
		     report_key_ull(r, "sockets"), t->sockets);

	if (report_key_ull(r, "tw_buckets") != t->sockstat_tw)
		fail("tw_buckets %llu, sockstat tw %lu",
		     report_key_ull(r, "tw_buckets"), t->sockstat_tw);
	tw_max = read_ulong_file("/proc/sys/net/ipv4/tcp_max_tw_buckets");
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
	/* Counters only grow: the value read lies between the two reads. */
	for (i = 0; i < NR_MIBS; i++) {
		unsigned long long v = report_key_ull(r, mibs[i].key);

		if (v < t->mib[i] || v > after->mib[i])
			fail("%s %llu, TcpExt %s went %llu -> %llu", mibs[i].key,
			     v, mibs[i].field, t->mib[i], after->mib[i]);
	}
	if (!report_key_ull(r, "ehash_buckets") ||
	    (report_key_ull(r, "ehash_buckets") &
	     (report_key_ull(r, "ehash_buckets") - 1)))
		fail("ehash_buckets %llu is not a power of two",
		     report_key_ull(r, "ehash_buckets"));

	*truncated = report_key(r, "peers_truncated") != NULL;
	if (report_key_ull(r, "peers") != r->nr_rows)
		fail("peers %llu but %zu rows", report_key_ull(r, "peers"),
		     r->nr_rows);
	if (*truncated && report_key_ull(r, "peers") !=
			  report_key_ull(r, "peers_max"))
		fail("truncated with peers %llu below peers_max %llu",
		     report_key_ull(r, "peers"), report_key_ull(r, "peers_max"));
	if (r->header && strcmp(r->header, expected_header))
		fail("header row is '%s'", r->header);
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
	printf("# compared %zu peers, %lu sockets (%lu TIME_WAIT)%s: %d mismatches\n",
	       r.nr_rows, before.sockets, before.tw,
	       truncated ? ", truncated" : "", failures);
	return failures ? 1 : 0;
}

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

/* cell PEER COLUMN: print one cell of the peer table ("absent" if no row). */
static int cmd_cell(const char *path, const char *peer, const char *column)
{
	char f[NCOLS][64];
	struct report r;
	size_t i;
	int c = col_index(column);

	report_parse(&r, read_file(path, 1 << 16));
	for (i = 0; i < r.nr_rows; i++) {
		if (split_row(r.rows[i], f) && !strcmp(f[0], peer)) {
			puts(f[c]);
			return 0;
		}
	}
	puts("absent");
	return 0;
}

/* peers: print every peer address, one per line. */
static int cmd_peers(const char *path)
{
	char f[NCOLS][64];
	struct report r;
	size_t i;

	report_parse(&r, read_file(path, 1 << 16));
	for (i = 0; i < r.nr_rows; i++)
		if (split_row(r.rows[i], f))
			puts(f[0]);
	return 0;
}

static int usage(void)
{
	fputs("usage: tcptw-verify [-f REPORT] compare\n"
	      "       tcptw-verify [-f REPORT] snapshot [CHUNK]\n"
	      "       tcptw-verify [-f REPORT] key NAME\n"
	      "       tcptw-verify [-f REPORT] cell PEER COLUMN\n"
	      "       tcptw-verify [-f REPORT] peers\n"
	      "       tcptw-verify netstat GROUP FIELD\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = "/proc/tcptw";

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		path = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "compare") && argc == 2)
		return cmd_compare(path);
	if (!strcmp(argv[1], "snapshot") && argc <= 3)
		return cmd_snapshot(path, argc == 3 ? strtoul(argv[2], NULL, 10) : 64);
	if (!strcmp(argv[1], "key") && argc == 3)
		return cmd_key(path, argv[2]);
	if (!strcmp(argv[1], "cell") && argc == 4)
		return cmd_cell(path, argv[2], argv[3]);
	if (!strcmp(argv[1], "peers") && argc == 2)
		return cmd_peers(path);
	if (!strcmp(argv[1], "netstat") && argc == 4) {
		printf("%llu\n", netstat_value(argv[2], argv[3]));
		return 0;
	}
	return usage();
}
