// SPDX-License-Identifier: GPL-2.0
/*
 * The three renderings of one report: text for people, JSON for scripts
 * (schema in docs/JSON.md and tcptw(8)) and Prometheus text exposition.
 * Which peers appear is decided once, by tcptw_view_build().
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "tcptw.h"

int tcptw_cidr_parse(const char *s, struct tcptw_cidr *c)
{
	char addr[TCPTW_ADDR_MAX];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max;
	char *end;

	if (!n || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	c->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	memset(c->bin, 0, sizeof(c->bin));
	if (inet_pton(c->family, addr, c->bin) != 1)
		return -1;
	max = c->family == AF_INET ? 32 : 128;
	c->bits = max;
	if (slash) {
		unsigned long bits;

		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		bits = strtoul(slash + 1, &end, 10);
		if (*end || bits > max)
			return -1;
		c->bits = bits;
	}
	return 0;
}

bool tcptw_cidr_match_addr(const struct tcptw_cidr *c, int family,
			   const unsigned char *bin)
{
	unsigned int bytes = c->bits / 8, rest = c->bits % 8;

	if (!c->family)
		return true;
	if (family != c->family)
		return false;
	if (memcmp(bin, c->bin, bytes))
		return false;
	if (!rest)
		return true;
	return !((bin[bytes] ^ c->bin[bytes]) & (0xff00 >> rest));
}

bool tcptw_cidr_match(const struct tcptw_cidr *c, const struct tcptw_peer *p)
{
	return tcptw_cidr_match_addr(c, p->family, p->bin);
}

/* qsort has no context argument; the view is built by one thread. */
static const struct tcptw_report *sort_report;
static int sort_pos;

static int address_cmp(const struct tcptw_peer *a, const struct tcptw_peer *b)
{
	int n;

	/* The module's order: IPv4 before IPv6, each numerically. */
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	n = memcmp(a->bin, b->bin, a->family == AF_INET ? 4 : 16);
	return n;
}

static int view_cmp(const void *pa, const void *pb)
{
	const struct tcptw_peer *a = *(const struct tcptw_peer *const *)pa;
	const struct tcptw_peer *b = *(const struct tcptw_peer *const *)pb;

	if (sort_pos > 0) {
		bool ha = a->has[sort_pos], hb = b->has[sort_pos];

		/* Largest first; a "-" below every number. */
		if (ha != hb)
			return ha ? -1 : 1;
		if (ha && a->val[sort_pos] != b->val[sort_pos])
			return a->val[sort_pos] > b->val[sort_pos] ? -1 : 1;
	} else {
		int n = address_cmp(a, b);

		if (n)
			return n;
	}
	return a->index < b->index ? -1 : a->index > b->index;
}

static size_t cut_to_top(const struct tcptw_opts *opts, size_t matched)
{
	return opts->top && matched > opts->top ? opts->top : matched;
}

int tcptw_view_build(const struct tcptw_report *r,
		     const struct tcptw_opts *opts, struct tcptw_view *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->rows = calloc(r->nr_peers ? r->nr_peers : 1, sizeof(*v->rows));
	v->tuples = calloc(r->nr_tuples ? r->nr_tuples : 1, sizeof(*v->tuples));
	v->paws = calloc(r->nr_paws ? r->nr_paws : 1, sizeof(*v->paws));
	if (!v->rows || !v->tuples || !v->paws) {
		tcptw_view_free(v);
		return -1;
	}
	for (i = 0; i < r->nr_peers; i++)
		if (tcptw_cidr_match(&opts->cidr, &r->peers[i]))
			v->rows[v->matched++] = &r->peers[i];
	sort_report = r;
	sort_pos = opts->sort_name ? tcptw_header_lookup(r, opts->sort_name) :
				     r->col_pos[TCPTW_COL_TW];
	if (sort_pos < 0)
		sort_pos = 0;
	qsort(v->rows, v->matched, sizeof(*v->rows), view_cmp);
	v->n = cut_to_top(opts, v->matched);

	/* The module's order already is the one worth showing. */
	for (i = 0; i < r->nr_tuples; i++)
		if (tcptw_cidr_match_addr(&opts->cidr, r->tuples[i].family,
					  r->tuples[i].remote_bin))
			v->tuples[v->tuples_matched++] = &r->tuples[i];
	v->nr_tuples = cut_to_top(opts, v->tuples_matched);
	for (i = 0; i < r->nr_paws; i++)
		if (tcptw_cidr_match(&opts->cidr, &r->paws[i]))
			v->paws[v->paws_matched++] = &r->paws[i];
	v->nr_paws = cut_to_top(opts, v->paws_matched);
	return 0;
}

void tcptw_view_free(struct tcptw_view *v)
{
	free(v->rows);
	free(v->tuples);
	free(v->paws);
	memset(v, 0, sizeof(*v));
}

/* A summary value for text: "-" when the report has none. */
static const char *key_text(const struct tcptw_report *r, int k, char *buf)
{
	if (!r->key_has[k])
		return TCPTW_NO_VALUE;
	snprintf(buf, TCPTW_UNIT_MAX, "%llu", (unsigned long long)r->key[k]);
	return buf;
}

static const struct tcptw_column peer_columns[] = {
	[TCPTW_COL_PEER]		= { .header = "peer", .left = true },
	[TCPTW_COL_TW]			= { .header = "tw" },
	[TCPTW_COL_TW_IN]		= { .header = "tw_in" },
	[TCPTW_COL_TW_OUT]		= { .header = "tw_out" },
	[TCPTW_COL_ESTAB]		= { .header = "estab" },
	[TCPTW_COL_SYN_SENT]		= { .header = "syn_sent" },
	[TCPTW_COL_SYN_RECV]		= { .header = "syn_recv" },
	[TCPTW_COL_FIN_WAIT1]		= { .header = "fin_wait1" },
	[TCPTW_COL_FIN_WAIT2]		= { .header = "fin_wait2" },
	[TCPTW_COL_CLOSE_WAIT]		= { .header = "close_wait" },
	[TCPTW_COL_LAST_ACK]		= { .header = "last_ack" },
	[TCPTW_COL_CLOSING]		= { .header = "closing" },
	[TCPTW_COL_CLOSE]		= { .header = "close" },
	[TCPTW_COL_TW_TTL_MIN_MS]	= { .header = "ttl_min" },
	[TCPTW_COL_TW_TTL_MAX_MS]	= { .header = "ttl_max" },
	[TCPTW_COL_PAWS]		= { .header = "paws" },
	[TCPTW_COL_NAT]			= { .header = "nat" },
};

static const struct tcptw_column growth_column = { .header = "+tw" };	/* watch */

/* The known peer columns this report has, in table order. */
static size_t peer_columns_of(const struct tcptw_report *r, int *ids,
			      struct tcptw_column *cols)
{
	size_t n = 0;
	int c;

	for (c = 0; c < TCPTW_NR_COLS; c++) {
		if (r->col_pos[c] < 0)
			continue;	/* a later MINOR's: 1.0 shows as it did */
		ids[n] = c;
		cols[n++] = peer_columns[c];
	}
	return n;
}

static const struct tcptw_peer *find_peer(const struct tcptw_report *r,
					  const struct tcptw_peer *p)
{
	size_t i;

	if (p->is_other)
		return r->other;
	for (i = 0; i < r->nr_peers; i++)
		if (r->peers[i].family == p->family &&
		    !memcmp(r->peers[i].bin, p->bin, sizeof(p->bin)))
			return &r->peers[i];
	return NULL;
}

static void peer_cells(struct tcptw_table *t, const struct tcptw_report *r,
		       const struct tcptw_peer *p, const int *ids, size_t n,
		       const struct tcptw_report *prev)
{
	char buf[TCPTW_UNIT_MAX];
	uint64_t v, old;
	size_t i;

	tcptw_table_cell(t, "%s", p->addr);
	for (i = 1; i < n; i++) {
		int c = ids[i];

		if (!tcptw_peer_value(r, p, c, &v))
			tcptw_table_cell(t, "%s", TCPTW_NO_VALUE);
		else if (c == TCPTW_COL_TW_TTL_MIN_MS ||
			 c == TCPTW_COL_TW_TTL_MAX_MS)
			tcptw_table_cell(t, "%s", tcptw_human_ms(buf, v));
		else if (c == TCPTW_COL_NAT)
			tcptw_table_cell(t, "%s", v ? "yes" : "-");
		else
			tcptw_table_cell(t, "%s", tcptw_human(buf, v));
	}
	if (!prev)
		return;
	/* TIME-WAIT growth of this peer since the previous read. */
	{
		const struct tcptw_peer *q = find_peer(prev, p);

		tcptw_peer_value(r, p, TCPTW_COL_TW, &v);
		if (!q || !tcptw_peer_value(prev, q, TCPTW_COL_TW, &old))
			old = 0;
		if (v >= old)
			tcptw_table_cell(t, "+%s", tcptw_human(buf, v - old));
		else
			tcptw_table_cell(t, "-%s", tcptw_human(buf, old - v));
	}
}

void tcptw_print_peers(FILE *out, const struct tcptw_report *r,
		       const struct tcptw_view *v,
		       const struct tcptw_report *prev)
{
	struct tcptw_column cols[TCPTW_NR_COLS + 1];
	int ids[TCPTW_NR_COLS];
	struct tcptw_table t;
	size_t i, n;

	n = peer_columns_of(r, ids, cols);
	if (prev)
		cols[n] = growth_column;
	tcptw_table_init(&t, cols, n + (prev ? 1 : 0));
	for (i = 0; i < v->n; i++)
		peer_cells(&t, r, v->rows[i], ids, n, prev);
	if (r->other)
		peer_cells(&t, r, r->other, ids, n, prev);
	tcptw_table_print(&t, out);
	tcptw_table_free(&t);
}

/* A tuple's remote end as people write it: "192.0.2.9:5432", "[fd00::9]:53". */
static const char *remote_text(const struct tcptw_tuple *tp, char *buf,
			       size_t size)
{
	snprintf(buf, size, tp->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 tp->remote, tp->port);
	return buf;
}

static const struct tcptw_column tuple_columns[] = {
	{ .header = "local", .left = true },
	{ .header = "remote", .left = true },
	{ .header = "used" },
	{ .header = "range" },
	{ .header = "pct" },
};

/* The most exhausted ports: the port table's rows, exact numbers. */
static void print_tuples(FILE *out, const struct tcptw_report *r,
			 const struct tcptw_view *v, bool filtered)
{
	char remote[TCPTW_TUPLE_MAX];
	struct tcptw_table t;
	uint64_t val;
	size_t i;
	int c;

	fprintf(out, "\nmost exhausted ports: %zu shown of %zu%s, by pct\n",
		v->nr_tuples, r->nr_tuples, filtered ? " (filtered)" : "");
	if (!v->nr_tuples)
		return;
	tcptw_table_init(&t, tuple_columns, ARRAY_SIZE(tuple_columns));
	for (i = 0; i < v->nr_tuples; i++) {
		const struct tcptw_tuple *tp = v->tuples[i];

		tcptw_table_cell(&t, "%s", tp->local);
		tcptw_table_cell(&t, "%s", remote_text(tp, remote,
						       sizeof(remote)));
		for (c = TCPTW_COL_USED; c <= TCPTW_COL_PCT; c++) {
			if (!tcptw_tuple_value(r, tp, c, &val))
				tcptw_table_cell(&t, "%s", TCPTW_NO_VALUE);
			else
				tcptw_table_cell(&t, "%llu%s",
						 (unsigned long long)val,
						 c == TCPTW_COL_PCT ? "%" : "");
		}
	}
	tcptw_table_print(&t, out);
	tcptw_table_free(&t);
}

static const struct tcptw_column paws_columns[TCPTW_NR_PAWS_COLS] = {
	[TCPTW_COL_PAWS_PEER]	= { .header = "peer", .left = true },
	[TCPTW_COL_LPORT]	= { .header = "lport" },
	[TCPTW_COL_REJECTS]	= { .header = "rejects" },
	[TCPTW_COL_P_ESTAB]	= { .header = "estab" },
	[TCPTW_COL_P_SYN_SENT]	= { .header = "syn_sent" },
	[TCPTW_COL_P_SYN_RECV]	= { .header = "syn_recv" },
	[TCPTW_COL_P_TW]	= { .header = "tw" },
	[TCPTW_COL_SPORTS]	= { .header = "sports" },
	[TCPTW_COL_TW_SYN]	= { .header = "tw_syn" },
	[TCPTW_COL_P_NAT]	= { .header = "nat" },
	[TCPTW_COL_AGE_S]	= { .header = "age" },
	[TCPTW_COL_P_OLD_ACK]	= { .header = "old_ack" },
};

/* The known PAWS columns this report has: a 1.1 table shows as it did. */
static size_t paws_columns_of(const struct tcptw_report *r, int *ids,
			      struct tcptw_column *cols)
{
	size_t n = 0;
	int c;

	for (c = 0; c < TCPTW_NR_PAWS_COLS; c++) {
		if (c != TCPTW_COL_PAWS_PEER && r->paws_pos[c] < 0)
			continue;
		ids[n] = c;
		cols[n++] = paws_columns[c];
	}
	return n;
}

static void paws_cells(struct tcptw_table *t, const struct tcptw_report *r,
		       const struct tcptw_peer *p, const int *ids, size_t n)
{
	char buf[TCPTW_UNIT_MAX];
	uint64_t v;
	size_t i;

	tcptw_table_cell(t, "%s", p->addr);
	for (i = 1; i < n; i++) {
		int c = ids[i];

		if (!tcptw_paws_value(r, p, c, &v))
			tcptw_table_cell(t, "%s", TCPTW_NO_VALUE);
		else if (c == TCPTW_COL_LPORT)
			tcptw_table_cell(t, "%llu", (unsigned long long)v);
		else if (c == TCPTW_COL_SPORTS)
			tcptw_table_cell(t, "%llu%s", (unsigned long long)v,
					 v >= TCPTW_PAWS_SPORTS_MAX ? "+" : "");
		else if (c == TCPTW_COL_P_NAT)
			tcptw_table_cell(t, "%s", v ? "yes" : "-");
		else if (c == TCPTW_COL_AGE_S)
			tcptw_table_cell(t, "%ss", tcptw_human(buf, v));
		else
			tcptw_table_cell(t, "%s", tcptw_human(buf, v));
	}
}

/* PAWS rejects per (peer, local port), path by path, NAT suspicion. */
static void print_paws(FILE *out, const struct tcptw_report *r,
		       const struct tcptw_view *v, bool filtered)
{
	struct tcptw_column cols[TCPTW_NR_PAWS_COLS];
	int ids[TCPTW_NR_PAWS_COLS];
	struct tcptw_table t;
	size_t i, n;

	fprintf(out, "\nPAWS rejects: %zu shown of %zu%s, by rejects\n",
		v->nr_paws, r->nr_paws, filtered ? " (filtered)" : "");
	if (!v->nr_paws && !r->paws_other)
		return;
	n = paws_columns_of(r, ids, cols);
	tcptw_table_init(&t, cols, n);
	for (i = 0; i < v->nr_paws; i++)
		paws_cells(&t, r, v->paws[i], ids, n);
	if (r->paws_other)
		paws_cells(&t, r, r->paws_other, ids, n);
	tcptw_table_print(&t, out);
	tcptw_table_free(&t);
}

/*
 * The kernel's PAWS counters. Since 1.2 TIME-WAIT has its own where the
 * kernel counts it apart (else it is in paws_estab), and old ACKs theirs.
 */
static void print_paws_counters(FILE *out, const struct tcptw_report *r)
{
	char a[TCPTW_UNIT_MAX], b[TCPTW_UNIT_MAX];
	int tw = TCPTW_KEY_PAWS_TIMEWAIT, ack = TCPTW_KEY_PAWS_OLD_ACK;

	fprintf(out, "PAWS       %s dropped on established%s, %s on SYN_SENT",
		key_text(r, TCPTW_KEY_PAWS_ESTAB, a),
		r->key_seen[tw] && !r->key_has[tw] ? " and TIME-WAIT" : "",
		key_text(r, TCPTW_KEY_PAWS_ACTIVE, b));
	if (r->key_has[tw])
		fprintf(out, ", %s on TIME-WAIT", key_text(r, tw, a));
	if (r->key_seen[ack])
		fprintf(out, ", %s old ACKs", key_text(r, ack, a));
	fputc('\n', out);
}

void tcptw_print_text(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts, const char *source)
{
	char a[TCPTW_UNIT_MAX], b[TCPTW_UNIT_MAX], c[TCPTW_UNIT_MAX];
	char d[TCPTW_UNIT_MAX], e[TCPTW_UNIT_MAX];
	struct tcptw_view v;

	fprintf(out, "tcptw %u.%u report from %s\n", r->major, r->minor, source);
	fprintf(out, "TIME-WAIT  %s sockets, %s of %s buckets used (%s%% pressure)\n",
		key_text(r, TCPTW_KEY_TW_COUNT, a),
		key_text(r, TCPTW_KEY_TW_BUCKETS, b),
		key_text(r, TCPTW_KEY_TW_MAX, c),
		key_text(r, TCPTW_KEY_TW_PRESSURE_PCT, d));
	fprintf(out, "counters   %s overflow, %s entered TIME-WAIT, %s reused\n",
		key_text(r, TCPTW_KEY_TW_OVERFLOW, a),
		key_text(r, TCPTW_KEY_TW_EXPIRED, b),
		key_text(r, TCPTW_KEY_TW_REUSED, c));
	print_paws_counters(out, r);
	/* 1.1: what tcptw attributed, per path, and to how many NATs. */
	if (r->key_seen[TCPTW_KEY_PAWS_REJ_ESTAB]) {
		fprintf(out, "PAWS seen  %s established, %s SYN_SENT, %s SYN_RECV, %s TIME-WAIT",
			key_text(r, TCPTW_KEY_PAWS_REJ_ESTAB, a),
			key_text(r, TCPTW_KEY_PAWS_REJ_SYN_SENT, b),
			key_text(r, TCPTW_KEY_PAWS_REJ_SYN_RECV, c),
			key_text(r, TCPTW_KEY_PAWS_REJ_TW, d));
		if (r->key_seen[TCPTW_KEY_PAWS_REJ_OLD_ACK])
			fprintf(out, ", %s old ACKs",
				key_text(r, TCPTW_KEY_PAWS_REJ_OLD_ACK, a));
		fprintf(out, " in the last %s s\n",
			key_text(r, TCPTW_KEY_PAWS_SINCE_S, e));
		fprintf(out, "PAWS rows  %s (cap %s), %s rejects in \"other\"",
			key_text(r, TCPTW_KEY_PAWS_ROWS, a),
			key_text(r, TCPTW_KEY_PAWS_MAX, b),
			key_text(r, TCPTW_KEY_PAWS_OTHER, c));
		if (r->key_seen[TCPTW_KEY_PAWS_DROPPED])
			fprintf(out, " (%s for want of a free row)",
				key_text(r, TCPTW_KEY_PAWS_DROPPED, a));
		fprintf(out, ", NAT suspects: %s\n",
			key_text(r, TCPTW_KEY_NAT_SUSPECTS, d));
	}
	if (r->key_has[TCPTW_KEY_PORT_RANGE])
		fprintf(out, "ports      %u-%u (%u local ports)\n", r->port_low,
			r->port_high, r->port_high - r->port_low + 1);
	else
		fprintf(out, "ports      -\n");
	if (r->key_seen[TCPTW_KEY_TUPLES])
		fprintf(out, "tuples     %s (local, remote, port) of outbound sockets (cap %s rows), most used: %s%% of the local ports\n",
			key_text(r, TCPTW_KEY_TUPLES, a),
			key_text(r, TCPTW_KEY_TUPLES_MAX, b),
			key_text(r, TCPTW_KEY_PORT_USAGE_MAX_PCT, c));
	fprintf(out, "walk       %s sockets, %s peers (cap %s), %s ehash buckets, %s us\n",
		key_text(r, TCPTW_KEY_SOCKETS, a),
		key_text(r, TCPTW_KEY_PEERS, b),
		key_text(r, TCPTW_KEY_PEERS_MAX, c),
		key_text(r, TCPTW_KEY_EHASH_BUCKETS, d),
		key_text(r, TCPTW_KEY_WALK_US, e));
	if (r->key_seen[TCPTW_KEY_PEERS_TRUNCATED])
		fprintf(out, "truncated  %s sockets of peers beyond the cap are summed in the \"other\" row\n",
			key_text(r, TCPTW_KEY_PEERS_TRUNCATED, a));
	fputc('\n', out);
	if (tcptw_view_build(r, opts, &v)) {
		tcptw_err("out of memory");
		return;
	}
	fprintf(out, "peers: %zu shown of %zu%s, by %s\n", v.n, r->nr_peers,
		opts->cidr.family ? " (filtered)" : "",
		opts->sort_name ? opts->sort_name : "tw");
	tcptw_print_peers(out, r, &v, NULL);
	/* The 1.1 tables, only when they have something to say. */
	if (r->nr_tuples)
		print_tuples(out, r, &v, opts->cidr.family);
	if (r->nr_paws || r->paws_other)
		print_paws(out, r, &v, opts->cidr.family);
	tcptw_view_free(&v);
}

/* JSON strings: addresses are checked, but names reach here too. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_value(FILE *out, bool has, uint64_t v)
{
	if (has)
		fprintf(out, "%llu", (unsigned long long)v);
	else
		fputs("null", out);
}

/* Columns 1.. of a row by header name, later MINORs' included. */
static void json_columns(FILE *out, const struct tcptw_header *h,
			 const uint64_t *val, const unsigned char *has)
{
	unsigned int i;

	for (i = 1; i < h->ncols; i++) {
		fputc(',', out);
		json_string(out, h->name[i]);
		fputc(':', out);
		json_value(out, has[i], val[i]);
	}
}

static const char *family_name(const struct tcptw_peer *p)
{
	return p->is_other ? "other" : p->family == AF_INET ? "ipv4" : "ipv6";
}

static void json_peer(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_peer *p)
{
	struct tcptw_header h = { r->ncols, r->col_name };

	fputs("{\"peer\":", out);
	json_string(out, p->addr);
	fprintf(out, ",\"family\":\"%s\"", family_name(p));
	/* Header order: known columns first as in 1.0, later ones after. */
	json_columns(out, &h, p->val, p->has);
	fputc('}', out);
}

static void json_tuple(FILE *out, const struct tcptw_report *r,
		       const struct tcptw_tuple *t)
{
	fputs("{\"tuple\":", out);
	json_string(out, t->text);
	fprintf(out, ",\"family\":\"%s\",\"local\":",
		t->family == AF_INET ? "ipv4" : "ipv6");
	json_string(out, t->local);
	fputs(",\"remote\":", out);
	json_string(out, t->remote);
	fprintf(out, ",\"port\":%u", t->port);
	json_columns(out, &r->tuple_hdr, t->val, t->has);
	fputc('}', out);
}

static void json_paws(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_peer *p)
{
	fputs("{\"peer\":", out);
	json_string(out, p->addr);
	fprintf(out, ",\"family\":\"%s\"", family_name(p));
	json_columns(out, &r->paws_hdr, p->val, p->has);
	fputc('}', out);
}

/* "name": [ rows ] as the peers array is laid out. */
static void json_list_end(FILE *out, size_t n)
{
	fputs(n ? "\n  ]" : "]", out);
}

void tcptw_print_json(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts)
{
	struct tcptw_view v;
	bool first = true;
	size_t i;
	int k;

	if (tcptw_view_build(r, opts, &v)) {
		tcptw_err("out of memory");
		return;
	}
	fprintf(out, "{\n  \"format\": \"%u.%u\",\n  \"summary\": {", r->major,
		r->minor);
	for (k = 0; k < TCPTW_NR_KEYS; k++) {
		/* A later MINOR's key is absent from an older report's JSON. */
		if (!r->key_seen[k] && k != TCPTW_KEY_PEERS_TRUNCATED)
			continue;
		fprintf(out, "%s\n    \"%s\": ", first ? "" : ",",
			tcptw_key_names[k]);
		first = false;
		if (k == TCPTW_KEY_PORT_RANGE && r->key_has[k])
			fprintf(out, "{\"low\": %u, \"high\": %u}", r->port_low,
				r->port_high);
		else if (k == TCPTW_KEY_PEERS_TRUNCATED && !r->key_seen[k])
			fputs("0", out);
		else
			json_value(out, r->key_has[k], r->key[k]);
	}
	fprintf(out, "\n  },\n  \"peers_matched\": %zu,\n  \"peers\": [", v.matched);
	for (i = 0; i < v.n; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_peer(out, r, v.rows[i]);
	}
	json_list_end(out, v.n);
	fputs(",\n  \"other\": ", out);
	if (r->other)
		json_peer(out, r, r->other);
	else
		fputs("null", out);
	if (r->key_seen[TCPTW_KEY_TUPLES] || r->has_tuple_table) {
		fprintf(out, ",\n  \"tuples_matched\": %zu,\n  \"tuples\": [",
			v.tuples_matched);
		for (i = 0; i < v.nr_tuples; i++) {
			fputs(i ? ",\n    " : "\n    ", out);
			json_tuple(out, r, v.tuples[i]);
		}
		json_list_end(out, v.nr_tuples);
	}
	if (r->key_seen[TCPTW_KEY_PAWS_ROWS] || r->has_paws_table) {
		fprintf(out, ",\n  \"paws_matched\": %zu,\n  \"paws\": [",
			v.paws_matched);
		for (i = 0; i < v.nr_paws; i++) {
			fputs(i ? ",\n    " : "\n    ", out);
			json_paws(out, r, v.paws[i]);
		}
		json_list_end(out, v.nr_paws);
		fputs(",\n  \"paws_other\": ", out);
		if (r->paws_other)
			json_paws(out, r, r->paws_other);
		else
			fputs("null", out);
	}
	fputs("\n}\n", out);
	tcptw_view_free(&v);
}

struct prom_metric {
	const char *name;
	const char *type;
	const char *help;
};

/* One family per summary key; counters carry _total, as the convention asks. */
static const struct prom_metric prom_summary[TCPTW_NR_KEYS] = {
	[TCPTW_KEY_TW_COUNT] = { "tcptw_tw_count", "gauge",
		"Sockets in TIME_WAIT found by the walk.",
	},
	[TCPTW_KEY_TW_BUCKETS] = { "tcptw_tw_buckets", "gauge",
		"TIME-WAIT minisockets charged against tcp_max_tw_buckets.",
	},
	[TCPTW_KEY_TW_MAX] = { "tcptw_tw_max", "gauge",
		"net.ipv4.tcp_max_tw_buckets.",
	},
	[TCPTW_KEY_TW_PRESSURE_PCT] = { "tcptw_tw_pressure_pct", "gauge",
		"100 * tw_buckets / tw_max, rounded down.",
	},
	[TCPTW_KEY_TW_OVERFLOW] = { "tcptw_tw_overflow_total", "counter",
		"TIME-WAIT refused because tcp_max_tw_buckets was reached (TCPTimeWaitOverflow).",
	},
	[TCPTW_KEY_TW_EXPIRED] = { "tcptw_tw_expired_total", "counter",
		"Sockets that entered TIME-WAIT (TcpExt TW); its rate is the rate of new TIME-WAIT.",
	},
	[TCPTW_KEY_TW_REUSED] = { "tcptw_tw_reused_total", "counter",
		"TIME-WAIT 4-tuples reused by connect() (TWRecycled).",
	},
	[TCPTW_KEY_PAWS_ESTAB] = { "tcptw_paws_estab_total", "counter",
		"Segments dropped by PAWS on existing connections (PAWSEstab).",
	},
	[TCPTW_KEY_PAWS_ACTIVE] = { "tcptw_paws_active_total", "counter",
		"SYN-ACKs dropped by PAWS in SYN_SENT (PAWSActive).",
	},
	[TCPTW_KEY_PORT_RANGE] = { "tcptw_port_range", "gauge",
		"net.ipv4.ip_local_port_range bounds.",
	},
	[TCPTW_KEY_EHASH_BUCKETS] = { "tcptw_ehash_buckets", "gauge",
		"Buckets in the established hash that was walked.",
	},
	[TCPTW_KEY_SOCKETS] = { "tcptw_sockets", "gauge",
		"Sockets walked, of every kind.",
	},
	[TCPTW_KEY_PEERS] = { "tcptw_peers", "gauge",
		"Rows in the peer table, other not included.",
	},
	[TCPTW_KEY_PEERS_MAX] = { "tcptw_peers_max", "gauge",
		"The cap on peer rows in force: max_peers, or fewer where the reader's memory cgroup ran short.",
	},
	[TCPTW_KEY_WALK_US] = { "tcptw_walk_seconds", "gauge",
		"Time the walk took.",
	},
	[TCPTW_KEY_PEERS_TRUNCATED] = { "tcptw_peers_truncated_sockets", "gauge",
		"Sockets summed into the other row because their peer had no row.",
	},
	/* 1.1. The four paws_rej_* keys are one family, by path. */
	[TCPTW_KEY_PAWS_REJ_ESTAB] = { "tcptw_paws_rejects_total", "counter",
		"PAWS rejects tcptw attributed since paws_since_s, by path (estab, syn_sent, syn_recv, tw); reset by tcptw reset-paws.",
	},
	[TCPTW_KEY_PAWS_SINCE_S] = { "tcptw_paws_since_seconds", "gauge",
		"Seconds since PAWS counting began or was reset.",
	},
	[TCPTW_KEY_PAWS_ROWS] = { "tcptw_paws_rows", "gauge",
		"Rows in the PAWS table, other not included.",
	},
	[TCPTW_KEY_PAWS_MAX] = { "tcptw_paws_max", "gauge",
		"The cap on PAWS table rows (module parameter paws_max).",
	},
	[TCPTW_KEY_PAWS_OTHER] = { "tcptw_paws_other_rejects_total", "counter",
		"PAWS rejects summed into the PAWS table's other row because its cap was reached.",
	},
	[TCPTW_KEY_NAT_SUSPECTS] = { "tcptw_nat_suspects", "gauge",
		"Peers whose PAWS rejects look like several hosts behind one address (NAT).",
	},
	[TCPTW_KEY_TUPLES] = { "tcptw_tuples", "gauge",
		"Distinct outbound (local address, remote address, remote port) tuples.",
	},
	[TCPTW_KEY_TUPLES_MAX] = { "tcptw_tuples_max", "gauge",
		"The cap on port table rows (module parameter max_tuples).",
	},
	[TCPTW_KEY_PORT_USAGE_MAX_PCT] = { "tcptw_port_usage_max_pct", "gauge",
		"The largest share of ip_local_port_range one outbound tuple holds, in percent.",
	},
	/* 1.2. No sample where the kernel lacks the counter or the path. */
	[TCPTW_KEY_PAWS_TIMEWAIT] = { "tcptw_paws_timewait_total", "counter",
		"Segments dropped by PAWS on a TIME-WAIT minisocket (PAWSTimewait; before it, part of PAWSEstab).",
	},
	[TCPTW_KEY_PAWS_OLD_ACK] = { "tcptw_paws_old_ack_total", "counter",
		"Old duplicate ACKs dropped by PAWS without a reply (PAWSOldAck).",
	},
	[TCPTW_KEY_PAWS_REJ_OLD_ACK] = { "tcptw_paws_old_ack_rejects_total", "counter",
		"Old ACKs dropped by PAWS that tcptw attributed since paws_since_s, not in tcptw_paws_rejects_total; reset by tcptw reset-paws.",
	},
	[TCPTW_KEY_PAWS_DROPPED] = { "tcptw_paws_dropped_rejects_total", "counter",
		"PAWS rejects summed into the PAWS table's other row because no free row was at hand; part of tcptw_paws_other_rejects_total.",
	},
};

/* The path label of each paws_rej_* key. */
static const char *const prom_paws_path[TCPTW_NR_KEYS] = {
	[TCPTW_KEY_PAWS_REJ_ESTAB]	= "estab",
	[TCPTW_KEY_PAWS_REJ_SYN_SENT]	= "syn_sent",
	[TCPTW_KEY_PAWS_REJ_SYN_RECV]	= "syn_recv",
	[TCPTW_KEY_PAWS_REJ_TW]		= "tw",
};

/* Per-peer state label values: the state names of /proc/net/tcp. */
static const char *const prom_state[TCPTW_NR_COLS] = {
	[TCPTW_COL_TW]		= "time_wait",
	[TCPTW_COL_ESTAB]	= "established",
	[TCPTW_COL_SYN_SENT]	= "syn_sent",
	[TCPTW_COL_SYN_RECV]	= "syn_recv",
	[TCPTW_COL_FIN_WAIT1]	= "fin_wait1",
	[TCPTW_COL_FIN_WAIT2]	= "fin_wait2",
	[TCPTW_COL_CLOSE_WAIT]	= "close_wait",
	[TCPTW_COL_LAST_ACK]	= "last_ack",
	[TCPTW_COL_CLOSING]	= "closing",
	[TCPTW_COL_CLOSE]	= "close",
};

static void prom_head(FILE *out, const char *name, const char *type,
		      const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_summary_key(FILE *out, const struct tcptw_report *r, int k)
{
	const struct prom_metric *m = &prom_summary[k];
	uint64_t v = r->key[k];

	if (!r->key_seen[k] && k != TCPTW_KEY_PEERS_TRUNCATED)
		return;		/* a later MINOR's key: no family at all */
	if (prom_paws_path[k]) {
		m = &prom_summary[TCPTW_KEY_PAWS_REJ_ESTAB];
		if (k == TCPTW_KEY_PAWS_REJ_ESTAB)
			prom_head(out, m->name, m->type, m->help);
		if (r->key_has[k])
			fprintf(out, "%s{path=\"%s\"} %llu\n", m->name,
				prom_paws_path[k], (unsigned long long)v);
		return;
	}
	if (k == TCPTW_KEY_PORT_RANGE) {
		prom_head(out, "tcptw_port_range_low", m->type,
			  "net.ipv4.ip_local_port_range, first port.");
		if (r->key_has[k])
			fprintf(out, "tcptw_port_range_low %u\n", r->port_low);
		prom_head(out, "tcptw_port_range_high", m->type,
			  "net.ipv4.ip_local_port_range, last port.");
		if (r->key_has[k])
			fprintf(out, "tcptw_port_range_high %u\n", r->port_high);
		return;
	}
	prom_head(out, m->name, m->type, m->help);
	if (k == TCPTW_KEY_PEERS_TRUNCATED && !r->key_seen[k])
		fprintf(out, "%s 0\n", m->name);
	else if (!r->key_has[k])
		return;	/* "-": no sample rather than a made-up one */
	else if (k == TCPTW_KEY_WALK_US)
		fprintf(out, "%s %llu.%06llu\n", m->name,
			(unsigned long long)(v / 1000000),
			(unsigned long long)(v % 1000000));
	else
		fprintf(out, "%s %llu\n", m->name, (unsigned long long)v);
}

/* One per-peer sample; @extra is a further label, or "". */
static void prom_peer_sample(FILE *out, const struct tcptw_report *r,
			     const struct tcptw_peer *p, int col,
			     const char *name, const char *extra)
{
	uint64_t val;

	if (!tcptw_peer_value(r, p, col, &val))
		return;
	fprintf(out, "%s{peer=\"%s\"%s} ", name, p->addr, extra);
	if (col == TCPTW_COL_TW_TTL_MIN_MS || col == TCPTW_COL_TW_TTL_MAX_MS)
		fprintf(out, "%llu.%03llu\n", (unsigned long long)(val / 1000),
			(unsigned long long)(val % 1000));
	else
		fprintf(out, "%llu\n", (unsigned long long)val);
}

/*
 * One series per flagged peer, whether or not it is among the --top peers
 * by TIME-WAIT (a NAT may hold little of it), at most --top of them.
 */
static void prom_nat_suspects(FILE *out, const struct tcptw_report *r,
			      const struct tcptw_view *v,
			      const struct tcptw_opts *opts)
{
	size_t i, n = 0;
	uint64_t nat;

	prom_head(out, "tcptw_peer_nat_suspect", "gauge",
		  "1 for a peer whose PAWS rejects look like several hosts behind one address (NAT).");
	for (i = 0; i < v->matched && (!opts->top || n < opts->top); i++) {
		if (!tcptw_peer_value(r, v->rows[i], TCPTW_COL_NAT, &nat) ||
		    !nat)
			continue;
		fprintf(out, "tcptw_peer_nat_suspect{peer=\"%s\"} 1\n",
			v->rows[i]->addr);
		n++;
	}
}

/* The --top tuples of the port table, as the module sorted them. */
static void prom_tuples(FILE *out, const struct tcptw_report *r,
			const struct tcptw_view *v)
{
	static const struct prom_metric m[] = {
		{ "tcptw_tuple_ports_used", "gauge",
		  "Local ports an outbound (local, remote, port) tuple holds, in every state (top tuples).",
		},
		{ "tcptw_tuple_port_usage_pct", "gauge",
		  "100 * ports used / ports in ip_local_port_range for the tuple; 100: connect() fails with EADDRNOTAVAIL.",
		},
	};
	static const int col[] = { TCPTW_COL_USED, TCPTW_COL_PCT };
	size_t i, j;
	uint64_t val;

	for (j = 0; j < ARRAY_SIZE(m); j++) {
		prom_head(out, m[j].name, m[j].type, m[j].help);
		for (i = 0; i < v->nr_tuples; i++) {
			const struct tcptw_tuple *t = v->tuples[i];

			if (!tcptw_tuple_value(r, t, col[j], &val))
				continue;
			fprintf(out, "%s{local=\"%s\",remote=\"%s\",port=\"%u\"} %llu\n",
				m[j].name, t->local, t->remote, t->port,
				(unsigned long long)val);
		}
	}
}

void tcptw_print_prom(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts)
{
	const struct tcptw_peer **rows;
	struct tcptw_view v;
	char label[64];
	size_t i, n;
	int k, c;

	if (tcptw_view_build(r, opts, &v)) {
		tcptw_err("out of memory");
		return;
	}
	/* The shown peers, then "other": one list for every family. */
	rows = calloc(v.n + 1, sizeof(*rows));
	if (!rows) {
		tcptw_view_free(&v);
		tcptw_err("out of memory");
		return;
	}
	for (n = 0; n < v.n; n++)
		rows[n] = v.rows[n];
	if (r->other)
		rows[n++] = r->other;
	prom_head(out, "tcptw_info", "gauge",
		  "The /proc/tcptw format version of the report.");
	fprintf(out, "tcptw_info{format=\"%u.%u\"} 1\n", r->major, r->minor);
	for (k = 0; k < TCPTW_NR_KEYS; k++)
		prom_summary_key(out, r, k);

	/*
	 * Per peer: only the --top N peers shown, so label cardinality stays
	 * bounded, and the "other" row as peer="other".
	 */
	prom_head(out, "tcptw_peer_sockets", "gauge",
		  "Sockets per peer and TCP state (top peers; peer=\"other\" sums the peers beyond the module's cap).");
	for (c = 1; c < TCPTW_NR_COLS; c++) {
		if (!prom_state[c])
			continue;
		snprintf(label, sizeof(label), ",state=\"%s\"", prom_state[c]);
		for (i = 0; i < n; i++)
			prom_peer_sample(out, r, rows[i], c,
					 "tcptw_peer_sockets", label);
	}
	prom_head(out, "tcptw_peer_time_wait_direction_sockets", "gauge",
		  "TIME_WAIT sockets per peer by who opened the connection (in: the peer, out: this host).");
	for (i = 0; i < n; i++) {
		prom_peer_sample(out, r, rows[i], TCPTW_COL_TW_IN,
				 "tcptw_peer_time_wait_direction_sockets",
				 ",direction=\"in\"");
		prom_peer_sample(out, r, rows[i], TCPTW_COL_TW_OUT,
				 "tcptw_peer_time_wait_direction_sockets",
				 ",direction=\"out\"");
	}
	prom_head(out, "tcptw_peer_tw_ttl_min_seconds", "gauge",
		  "Least time left to any TIME_WAIT socket of the peer.");
	for (i = 0; i < n; i++)
		prom_peer_sample(out, r, rows[i], TCPTW_COL_TW_TTL_MIN_MS,
				 "tcptw_peer_tw_ttl_min_seconds", "");
	prom_head(out, "tcptw_peer_tw_ttl_max_seconds", "gauge",
		  "Most time left to any TIME_WAIT socket of the peer.");
	for (i = 0; i < n; i++)
		prom_peer_sample(out, r, rows[i], TCPTW_COL_TW_TTL_MAX_MS,
				 "tcptw_peer_tw_ttl_max_seconds", "");
	if (r->col_pos[TCPTW_COL_PAWS] > 0) {
		prom_head(out, "tcptw_peer_paws_rejects_total", "counter",
			  "PAWS rejects attributed to the peer since paws_since_s (top peers and other).");
		for (i = 0; i < n; i++)
			prom_peer_sample(out, r, rows[i], TCPTW_COL_PAWS,
					 "tcptw_peer_paws_rejects_total", "");
	}
	if (r->col_pos[TCPTW_COL_NAT] > 0)
		prom_nat_suspects(out, r, &v, opts);
	if (r->key_seen[TCPTW_KEY_TUPLES] || r->has_tuple_table)
		prom_tuples(out, r, &v);
	free(rows);
	tcptw_view_free(&v);
}
