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

bool tcptw_cidr_match(const struct tcptw_cidr *c, const struct tcptw_peer *p)
{
	unsigned int bytes = c->bits / 8, rest = c->bits % 8;

	if (!c->family)
		return true;
	if (p->family != c->family)
		return false;
	if (memcmp(p->bin, c->bin, bytes))
		return false;
	if (!rest)
		return true;
	return !((p->bin[bytes] ^ c->bin[bytes]) & (0xff00 >> rest));
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
	int n;

	if (sort_pos > 0) {
		bool ha = a->has[sort_pos], hb = b->has[sort_pos];

		/* Largest first; a "-" below every number. */
		if (ha != hb)
			return ha ? -1 : 1;
		if (ha && a->val[sort_pos] != b->val[sort_pos])
			return a->val[sort_pos] > b->val[sort_pos] ? -1 : 1;
	} else {
		n = address_cmp(a, b);
		if (n)
			return n;
	}
	return a->index < b->index ? -1 : a->index > b->index;
}

int tcptw_view_build(const struct tcptw_report *r,
		     const struct tcptw_opts *opts, struct tcptw_view *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->rows = calloc(r->nr_peers ? r->nr_peers : 1, sizeof(*v->rows));
	if (!v->rows)
		return -1;
	for (i = 0; i < r->nr_peers; i++)
		if (tcptw_cidr_match(&opts->cidr, &r->peers[i]))
			v->rows[v->matched++] = &r->peers[i];
	sort_report = r;
	sort_pos = opts->sort_name ? tcptw_header_lookup(r, opts->sort_name) :
				     r->col_pos[TCPTW_COL_TW];
	if (sort_pos < 0)
		sort_pos = 0;
	qsort(v->rows, v->matched, sizeof(*v->rows), view_cmp);
	v->n = v->matched;
	if (opts->top && v->n > opts->top)
		v->n = opts->top;
	return 0;
}

void tcptw_view_free(struct tcptw_view *v)
{
	free(v->rows);
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
	[TCPTW_COL_PEER]		= { "peer", true },
	[TCPTW_COL_TW]			= { "tw" },
	[TCPTW_COL_TW_IN]		= { "tw_in" },
	[TCPTW_COL_TW_OUT]		= { "tw_out" },
	[TCPTW_COL_ESTAB]		= { "estab" },
	[TCPTW_COL_SYN_SENT]		= { "syn_sent" },
	[TCPTW_COL_SYN_RECV]		= { "syn_recv" },
	[TCPTW_COL_FIN_WAIT1]		= { "fin_wait1" },
	[TCPTW_COL_FIN_WAIT2]		= { "fin_wait2" },
	[TCPTW_COL_CLOSE_WAIT]		= { "close_wait" },
	[TCPTW_COL_LAST_ACK]		= { "last_ack" },
	[TCPTW_COL_CLOSING]		= { "closing" },
	[TCPTW_COL_CLOSE]		= { "close" },
	[TCPTW_COL_TW_TTL_MIN_MS]	= { "ttl_min" },
	[TCPTW_COL_TW_TTL_MAX_MS]	= { "ttl_max" },
	[TCPTW_NR_COLS]			= { "+tw", false },	/* watch */
};

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
		       const struct tcptw_peer *p,
		       const struct tcptw_report *prev)
{
	char buf[TCPTW_UNIT_MAX];
	uint64_t v, old;
	int c;

	tcptw_table_cell(t, "%s", p->addr);
	for (c = 1; c < TCPTW_NR_COLS; c++) {
		if (!tcptw_peer_value(r, p, c, &v))
			tcptw_table_cell(t, "%s", TCPTW_NO_VALUE);
		else if (c == TCPTW_COL_TW_TTL_MIN_MS ||
			 c == TCPTW_COL_TW_TTL_MAX_MS)
			tcptw_table_cell(t, "%s", tcptw_human_ms(buf, v));
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
	struct tcptw_table t;
	size_t i;

	tcptw_table_init(&t, peer_columns, TCPTW_NR_COLS + (prev ? 1 : 0));
	for (i = 0; i < v->n; i++)
		peer_cells(&t, r, v->rows[i], prev);
	if (r->other)
		peer_cells(&t, r, r->other, prev);
	tcptw_table_print(&t, out);
	tcptw_table_free(&t);
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
	fprintf(out, "PAWS       %s dropped on established, %s on SYN_SENT\n",
		key_text(r, TCPTW_KEY_PAWS_ESTAB, a),
		key_text(r, TCPTW_KEY_PAWS_ACTIVE, b));
	if (r->key_has[TCPTW_KEY_PORT_RANGE])
		fprintf(out, "ports      %u-%u (%u local ports)\n", r->port_low,
			r->port_high, r->port_high - r->port_low + 1);
	else
		fprintf(out, "ports      -\n");
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

static void json_peer(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_peer *p)
{
	unsigned int i;

	fputs("{\"peer\":", out);
	json_string(out, p->addr);
	fprintf(out, ",\"family\":\"%s\"", p->is_other ? "other" :
		p->family == AF_INET ? "ipv4" : "ipv6");
	/* Header order: known columns first as in 1.0, later ones after. */
	for (i = 1; i < r->ncols; i++) {
		fputc(',', out);
		json_string(out, r->col_name[i]);
		fputc(':', out);
		json_value(out, p->has[i], p->val[i]);
	}
	fputc('}', out);
}

void tcptw_print_json(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts)
{
	struct tcptw_view v;
	size_t i;
	int k;

	if (tcptw_view_build(r, opts, &v)) {
		tcptw_err("out of memory");
		return;
	}
	fprintf(out, "{\n  \"format\": \"%u.%u\",\n  \"summary\": {", r->major,
		r->minor);
	for (k = 0; k < TCPTW_NR_KEYS; k++) {
		fprintf(out, "%s\n    \"%s\": ", k ? "," : "", tcptw_key_names[k]);
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
	fputs(v.n ? "\n  ],\n  \"other\": " : "],\n  \"other\": ", out);
	if (r->other)
		json_peer(out, r, r->other);
	else
		fputs("null", out);
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
		"Sockets in TIME_WAIT found by the walk." },
	[TCPTW_KEY_TW_BUCKETS] = { "tcptw_tw_buckets", "gauge",
		"TIME-WAIT minisockets charged against tcp_max_tw_buckets." },
	[TCPTW_KEY_TW_MAX] = { "tcptw_tw_max", "gauge",
		"net.ipv4.tcp_max_tw_buckets." },
	[TCPTW_KEY_TW_PRESSURE_PCT] = { "tcptw_tw_pressure_pct", "gauge",
		"100 * tw_buckets / tw_max, rounded down." },
	[TCPTW_KEY_TW_OVERFLOW] = { "tcptw_tw_overflow_total", "counter",
		"TIME-WAIT refused because tcp_max_tw_buckets was reached (TCPTimeWaitOverflow)." },
	[TCPTW_KEY_TW_EXPIRED] = { "tcptw_tw_expired_total", "counter",
		"Sockets that entered TIME-WAIT (TcpExt TW); its rate is the rate of new TIME-WAIT." },
	[TCPTW_KEY_TW_REUSED] = { "tcptw_tw_reused_total", "counter",
		"TIME-WAIT 4-tuples reused by connect() (TWRecycled)." },
	[TCPTW_KEY_PAWS_ESTAB] = { "tcptw_paws_estab_total", "counter",
		"Segments dropped by PAWS on existing connections (PAWSEstab)." },
	[TCPTW_KEY_PAWS_ACTIVE] = { "tcptw_paws_active_total", "counter",
		"SYN-ACKs dropped by PAWS in SYN_SENT (PAWSActive)." },
	[TCPTW_KEY_PORT_RANGE] = { "tcptw_port_range", "gauge",
		"net.ipv4.ip_local_port_range bounds." },
	[TCPTW_KEY_EHASH_BUCKETS] = { "tcptw_ehash_buckets", "gauge",
		"Buckets in the established hash that was walked." },
	[TCPTW_KEY_SOCKETS] = { "tcptw_sockets", "gauge",
		"Sockets walked, of every kind." },
	[TCPTW_KEY_PEERS] = { "tcptw_peers", "gauge",
		"Rows in the peer table, other not included." },
	[TCPTW_KEY_PEERS_MAX] = { "tcptw_peers_max", "gauge",
		"The cap on peer rows (module parameter max_peers)." },
	[TCPTW_KEY_WALK_US] = { "tcptw_walk_seconds", "gauge",
		"Time the walk took." },
	[TCPTW_KEY_PEERS_TRUNCATED] = { "tcptw_peers_truncated_sockets", "gauge",
		"Sockets summed into the other row because their peer had no row." },
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
	free(rows);
	tcptw_view_free(&v);
}
