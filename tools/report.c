// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/tcptw parser: version line, summary, peer table, later tables.
 * Every rule of include/tcptw_format.h is checked here so that a truncated or
 * corrupted report is refused with its line number instead of shown wrong.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/*
 * Names in the order of the enums built from the same lists in
 * tcptw_format.h; each array is sized by its enum.
 */
#define TCPTW_NAME_ENTRY(id, name)	name,
const char *const tcptw_key_names[TCPTW_NR_KEYS] = {
	TCPTW_SUMMARY_KEYS(TCPTW_NAME_ENTRY)
};

const char *const tcptw_col_names[TCPTW_NR_COLS] = {
	TCPTW_PEER_COLUMNS(TCPTW_NAME_ENTRY)
};

const char *const tcptw_tuple_col_names[TCPTW_NR_TUPLE_COLS] = {
	TCPTW_TUPLE_COLUMNS(TCPTW_NAME_ENTRY)
};

const char *const tcptw_paws_col_names[TCPTW_NR_PAWS_COLS] = {
	TCPTW_PAWS_COLUMNS(TCPTW_NAME_ENTRY)
};

#undef TCPTW_NAME_ENTRY

/*
 * The MINOR that added a key or peer column (0 for 1.0): a report of an
 * older MINOR lacks it, one of this MINOR or later must have it.
 */
static const unsigned char key_since[TCPTW_NR_KEYS] = {
	[TCPTW_KEY_PAWS_REJ_ESTAB]	= 1,
	[TCPTW_KEY_PAWS_REJ_SYN_SENT]	= 1,
	[TCPTW_KEY_PAWS_REJ_SYN_RECV]	= 1,
	[TCPTW_KEY_PAWS_REJ_TW]		= 1,
	[TCPTW_KEY_PAWS_SINCE_S]	= 1,
	[TCPTW_KEY_PAWS_ROWS]		= 1,
	[TCPTW_KEY_PAWS_MAX]		= 1,
	[TCPTW_KEY_PAWS_OTHER]		= 1,
	[TCPTW_KEY_NAT_SUSPECTS]	= 1,
	[TCPTW_KEY_TUPLES]		= 1,
	[TCPTW_KEY_TUPLES_MAX]		= 1,
	[TCPTW_KEY_PORT_USAGE_MAX_PCT]	= 1,
	[TCPTW_KEY_PAWS_TIMEWAIT]	= 2,
	[TCPTW_KEY_PAWS_OLD_ACK]	= 2,
	[TCPTW_KEY_PAWS_REJ_OLD_ACK]	= 2,
	[TCPTW_KEY_PAWS_DROPPED]	= 2,
};

static const unsigned char col_since[TCPTW_NR_COLS] = {
	[TCPTW_COL_PAWS]		= 1,
	[TCPTW_COL_NAT]			= 1,
};

/* The PAWS table came with 1.1: 0 here is "as old as the table". */
static const unsigned char paws_col_since[TCPTW_NR_PAWS_COLS] = {
	[TCPTW_COL_P_OLD_ACK]		= 2,
};

struct field {
	const char *s;
	size_t n;
};

struct parser {
	const char *buf;
	size_t len, pos;
	unsigned long lineno;
	const char *line;	/* current line, not NUL-terminated */
	size_t line_len;
	struct field f[TCPTW_FIELDS_MAX];
	unsigned int nf;
	struct tcptw_parse_error *err;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->lineno;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Quote a field for a message: bounded, and only printable bytes reach it. */
static const char *quote(const struct field *f, char *buf, size_t size)
{
	bool cut = f->n > size - 6;
	size_t n = cut ? size - 6 : f->n;

	snprintf(buf, size, "\"%.*s%s\"", (int)n, f->s, cut ? "..." : "");
	return buf;
}

/* 1 a line in p->line, 0 end of input, -1 error. */
static int next_line(struct parser *p)
{
	const char *start, *nl;
	size_t avail, i;

	if (p->pos >= p->len)
		return 0;
	p->lineno++;
	start = p->buf + p->pos;
	avail = p->len - p->pos;
	nl = memchr(start, '\n', avail < TCPTW_LINE_MAX + 1 ? avail :
		    TCPTW_LINE_MAX + 1);
	if (!nl) {
		if (avail > TCPTW_LINE_MAX)
			return fail(p, "line longer than %d bytes",
				    TCPTW_LINE_MAX);
		return fail(p, "truncated: the last line has no newline");
	}
	p->line = start;
	p->line_len = nl - start;
	p->pos += p->line_len + 1;
	for (i = 0; i < p->line_len; i++) {
		unsigned char c = start[i];

		if (c == '\r')
			return fail(p, "carriage return in line (CRLF line ends?)");
		if (c < 0x20 || c > 0x7e)
			return fail(p, "unexpected byte 0x%02x at column %zu",
				    c, i + 1);
	}
	return 1;
}

/* Split p->line at single spaces; an empty field is an error. */
static int split(struct parser *p)
{
	size_t i, start = 0;

	p->nf = 0;
	if (!p->line_len)
		return 0;
	for (i = 0; i <= p->line_len; i++) {
		if (i < p->line_len && p->line[i] != ' ')
			continue;
		if (i == start)
			return fail(p, "empty field at column %zu (fields are separated by exactly one space)",
				    i + 1);
		if (p->nf == TCPTW_FIELDS_MAX)
			return fail(p, "more than %d fields", TCPTW_FIELDS_MAX);
		p->f[p->nf].s = p->line + start;
		p->f[p->nf].n = i - start;
		p->nf++;
		start = i + 1;
	}
	return 0;
}

static bool field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && !memcmp(f->s, s, f->n);
}

/* 0 parsed, -1 not a decimal number, -2 out of range. */
static int parse_u64(const char *s, size_t n, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = s[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*val = v;
	return 0;
}

static bool valid_name(const struct field *f)
{
	size_t i;

	if (!f->n || f->n >= TCPTW_NAME_MAX)
		return false;
	for (i = 0; i < f->n; i++) {
		char c = f->s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

int tcptw_key_lookup(const char *name)
{
	int k;

	for (k = 0; k < TCPTW_NR_KEYS; k++)
		if (!strcmp(name, tcptw_key_names[k]))
			return k;
	return -1;
}

int tcptw_col_lookup(const char *name)
{
	int c;

	for (c = 0; c < TCPTW_NR_COLS; c++)
		if (!strcmp(name, tcptw_col_names[c]))
			return c;
	return -1;
}

unsigned int tcptw_key_since(int key)
{
	return key >= 0 && key < TCPTW_NR_KEYS ? key_since[key] : 0;
}

unsigned int tcptw_col_since(int col)
{
	return col >= 0 && col < TCPTW_NR_COLS ? col_since[col] : 0;
}

unsigned int tcptw_paws_col_since(int col)
{
	return col >= 0 && col < TCPTW_NR_PAWS_COLS ? paws_col_since[col] : 0;
}

bool tcptw_key_since_paws_reset(int key)
{
	switch (key) {
	case TCPTW_KEY_PAWS_REJ_ESTAB:
	case TCPTW_KEY_PAWS_REJ_SYN_SENT:
	case TCPTW_KEY_PAWS_REJ_SYN_RECV:
	case TCPTW_KEY_PAWS_REJ_TW:
	case TCPTW_KEY_PAWS_REJ_OLD_ACK:
	case TCPTW_KEY_PAWS_OTHER:
	case TCPTW_KEY_PAWS_DROPPED:
		return true;
	default:
		return false;
	}
}

static int field_key(const struct field *f)
{
	int k;

	for (k = 0; k < TCPTW_NR_KEYS; k++)
		if (field_is(f, tcptw_key_names[k]))
			return k;
	return -1;
}

static int parse_version(struct parser *p, struct tcptw_report *r)
{
	const struct field *v;
	const char *dot;
	uint64_t major, minor;
	int ret = next_line(p);

	if (ret < 0)
		return ret;
	if (!ret)
		return fail(p, "empty input: not a tcptw report");
	if (split(p))
		return -1;
	if (p->nf < 1 || !field_is(&p->f[0], TCPTW_FORMAT_NAME))
		return fail(p, "not a tcptw report (the first line should be \"%s %d.%d\")",
			    TCPTW_FORMAT_NAME, TCPTW_FORMAT_MAJOR,
			    TCPTW_FORMAT_MINOR);
	if (p->nf != 2)
		return fail(p, "version line: expected \"%s MAJOR.MINOR\"",
			    TCPTW_FORMAT_NAME);
	v = &p->f[1];
	dot = memchr(v->s, '.', v->n);
	if (!dot || parse_u64(v->s, dot - v->s, &major) ||
	    parse_u64(dot + 1, v->n - (dot - v->s) - 1, &minor) ||
	    major > 999999 || minor > 999999) {
		char q[64];

		return fail(p, "version line: bad version %s",
			    quote(v, q, sizeof(q)));
	}
	if (major != TCPTW_FORMAT_MAJOR)
		return fail(p, "unsupported format version %u.%u: this tcptw reads %d.x only (a different MAJOR changed the meaning of the report; use a matching tcptw)",
			    (unsigned int)major, (unsigned int)minor,
			    TCPTW_FORMAT_MAJOR);
	r->major = major;
	r->minor = minor;
	return 0;
}

static int parse_port_range(struct parser *p, struct tcptw_report *r,
			    const struct field *v)
{
	const char *dash = memchr(v->s, '-', v->n);
	uint64_t lo, hi;

	if (!dash || parse_u64(v->s, dash - v->s, &lo) ||
	    parse_u64(dash + 1, v->n - (dash - v->s) - 1, &hi) ||
	    lo > 65535 || hi > 65535 || lo > hi) {
		char q[64];

		return fail(p, "port_range: expected \"LOW-HIGH\" ports, got %s",
			    quote(v, q, sizeof(q)));
	}
	r->port_low = lo;
	r->port_high = hi;
	r->key[TCPTW_KEY_PORT_RANGE] = hi - lo + 1;
	return 0;
}

static int add_extra_key(struct parser *p, struct tcptw_report *r)
{
	struct tcptw_extra_key *x;
	size_t i;
	char q[80];

	if (!valid_name(&p->f[0]))
		return fail(p, "summary: bad key name %s",
			    quote(&p->f[0], q, sizeof(q)));
	for (i = 0; i < r->nr_extra; i++)
		if (field_is(&p->f[0], r->extra[i].name))
			return fail(p, "summary: key %s appears twice",
				    quote(&p->f[0], q, sizeof(q)));
	/* Beyond the cap a later MINOR's keys are skipped, as unknown. */
	if (r->nr_extra == TCPTW_EXTRA_KEYS_MAX)
		return 0;
	if (!r->extra) {
		r->extra = calloc(TCPTW_EXTRA_KEYS_MAX, sizeof(*r->extra));
		if (!r->extra)
			return fail(p, "out of memory");
	}
	x = &r->extra[r->nr_extra++];
	memcpy(x->name, p->f[0].s, p->f[0].n);
	x->name[p->f[0].n] = '\0';
	x->numeric = !parse_u64(p->f[1].s, p->f[1].n, &x->val);
	return 0;
}

static int parse_summary(struct parser *p, struct tcptw_report *r)
{
	char q[80];
	int k;

	for (;;) {
		const struct field *v;
		int ret = next_line(p);

		if (ret < 0)
			return ret;
		if (!ret)
			return fail(p, "truncated: the report ends inside the summary");
		if (split(p))
			return -1;
		if (!p->nf)
			break;
		if (p->nf != 2)
			return fail(p, "summary: expected \"key value\", got %u fields",
				    p->nf);
		k = field_key(&p->f[0]);
		if (k < 0) {
			if (add_extra_key(p, r))
				return -1;
			continue;
		}
		if (r->key_seen[k])
			return fail(p, "summary: key \"%s\" appears twice",
				    tcptw_key_names[k]);
		r->key_seen[k] = true;
		v = &p->f[1];
		if (field_is(v, TCPTW_NO_VALUE))
			continue;
		if (k == TCPTW_KEY_PORT_RANGE) {
			if (parse_port_range(p, r, v))
				return -1;
		} else {
			ret = parse_u64(v->s, v->n, &r->key[k]);
			if (ret)
				return fail(p, "summary: %s: %s %s",
					    tcptw_key_names[k],
					    ret == -2 ? "number out of range" :
					    "not a number", quote(v, q, sizeof(q)));
		}
		r->key_has[k] = true;
	}
	/*
	 * Removing a key would have raised MAJOR: a 1.MINOR report has every
	 * key of its MINOR and the earlier ones.
	 */
	for (k = 0; k < TCPTW_NR_KEYS; k++)
		if (!r->key_seen[k] && k != TCPTW_KEY_PEERS_TRUNCATED &&
		    key_since[k] <= r->minor)
			return fail(p, "summary: key \"%s\" is missing",
				    tcptw_key_names[k]);
	return 0;
}

/*
 * A header row: every name valid and there once, each known column (@known)
 * found unless a MINOR later than the report's added it (@since, or NULL
 * when the whole table is as old as its columns).
 */
static int parse_columns(struct parser *p, const struct tcptw_report *r,
			 const char *table, const char *const *known,
			 const unsigned char *since, int nr_known,
			 struct tcptw_header *h, int *pos)
{
	unsigned int i, j;
	char q[80];
	int c;

	for (c = 0; c < nr_known; c++)
		pos[c] = -1;
	h->name = calloc(p->nf, sizeof(*h->name));
	if (!h->name)
		return fail(p, "out of memory");
	h->ncols = p->nf;
	for (i = 0; i < p->nf; i++) {
		if (!valid_name(&p->f[i]))
			return fail(p, "%s header: bad column name %s", table,
				    quote(&p->f[i], q, sizeof(q)));
		memcpy(h->name[i], p->f[i].s, p->f[i].n);
		for (j = 0; j < i; j++)
			if (!strcmp(h->name[j], h->name[i]))
				return fail(p, "%s header: column \"%s\" appears twice",
					    table, h->name[i]);
		for (c = 0; c < nr_known; c++)
			if (!strcmp(known[c], h->name[i]))
				pos[c] = i;
	}
	for (c = 0; c < nr_known; c++)
		if (pos[c] < 0 && (!since || since[c] <= r->minor))
			return fail(p, "%s header: column \"%s\" is missing",
				    table, known[c]);
	return 0;
}

static int parse_header(struct parser *p, struct tcptw_report *r)
{
	struct tcptw_header h = { 0 };
	int ret;

	ret = parse_columns(p, r, "peer table", tcptw_col_names, col_since,
			    TCPTW_NR_COLS, &h, r->col_pos);
	r->ncols = h.ncols;
	r->col_name = h.name;
	return ret;
}

/* The next row of a block of address rows (peer or PAWS table). */
static struct tcptw_peer *new_row(struct parser *p, struct tcptw_peer **block,
				  size_t *nr, size_t *cap, unsigned int ncols)
{
	struct tcptw_peer *row;

	if (*nr == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct tcptw_peer *rows;

		if (n > SIZE_MAX / sizeof(*rows)) {
			fail(p, "out of memory");
			return NULL;
		}
		rows = realloc(*block, n * sizeof(*rows));
		if (!rows) {
			fail(p, "out of memory");
			return NULL;
		}
		*block = rows;
		*cap = n;
	}
	row = &(*block)[*nr];
	memset(row, 0, sizeof(*row));
	row->val = calloc(ncols, sizeof(*row->val));
	row->has = calloc(ncols, 1);
	(*nr)++;
	if (!row->val || !row->has) {
		fail(p, "out of memory");
		return NULL;
	}
	row->index = *nr - 1;
	return row;
}

/* An address field: IPv4 dotted quad or IPv6, as inet_pton() takes them. */
static int parse_addr(const char *s, size_t n, char *text, int *family,
		      unsigned char *bin)
{
	if (!n || n >= TCPTW_ADDR_MAX)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	*family = memchr(s, ':', n) ? AF_INET6 : AF_INET;
	return inet_pton(*family, text, bin) == 1 ? 0 : -1;
}

static int parse_address(struct parser *p, struct tcptw_peer *row,
			 const struct field *f)
{
	char q[80];

	if (f->n >= TCPTW_ADDR_MAX)
		return fail(p, "peer address too long: %s",
			    quote(f, q, sizeof(q)));
	if (parse_addr(f->s, f->n, row->addr, &row->family, row->bin))
		return fail(p, "invalid peer address %s",
			    quote(f, q, sizeof(q)));
	return 0;
}

/* The cells after the first: numbers or "-", by header position. */
static int parse_cells(struct parser *p, const struct tcptw_header *h,
		       const char *what, const char *name, uint64_t *val,
		       unsigned char *has)
{
	unsigned int i;
	char q[80];
	int ret;

	for (i = 1; i < p->nf; i++) {
		const struct field *f = &p->f[i];

		if (field_is(f, TCPTW_NO_VALUE))
			continue;
		ret = parse_u64(f->s, f->n, &val[i]);
		if (ret)
			return fail(p, "%s %s: column \"%s\": %s %s", what,
				    name, h->name[i],
				    ret == -2 ? "number out of range" :
				    "not a number", quote(f, q, sizeof(q)));
		has[i] = 1;
	}
	return 0;
}

/* The invariants the format promises for every row. */
static int check_row(struct parser *p, const struct tcptw_report *r,
		     const struct tcptw_peer *row)
{
	uint64_t tw = 0, in = 0, out = 0, lo = 0, hi = 0, nat = 0;
	bool has_lo, has_hi, has_tw;
	int c;

	for (c = 0; c < TCPTW_NR_COLS; c++) {
		if (c == TCPTW_COL_PEER || c == TCPTW_COL_TW_TTL_MIN_MS ||
		    c == TCPTW_COL_TW_TTL_MAX_MS || r->col_pos[c] < 0)
			continue;
		/* PAWS of peers beyond the cap may be unknown to "other". */
		if (row->is_other &&
		    (c == TCPTW_COL_PAWS || c == TCPTW_COL_NAT))
			continue;
		if (!row->has[r->col_pos[c]])
			return fail(p, "peer %s: column \"%s\" must be a number, not \"-\"",
				    row->addr, tcptw_col_names[c]);
	}
	tcptw_peer_value(r, row, TCPTW_COL_TW, &tw);
	tcptw_peer_value(r, row, TCPTW_COL_TW_IN, &in);
	tcptw_peer_value(r, row, TCPTW_COL_TW_OUT, &out);
	if (in > tw || out != tw - in)
		return fail(p, "peer %s: tw_in + tw_out (%llu + %llu) differs from tw (%llu)",
			    row->addr, (unsigned long long)in,
			    (unsigned long long)out, (unsigned long long)tw);
	has_lo = tcptw_peer_value(r, row, TCPTW_COL_TW_TTL_MIN_MS, &lo);
	has_hi = tcptw_peer_value(r, row, TCPTW_COL_TW_TTL_MAX_MS, &hi);
	has_tw = tw > 0;
	if (has_lo != has_tw || has_hi != has_tw)
		return fail(p, "peer %s: tw_ttl_min_ms and tw_ttl_max_ms must be numbers when tw > 0 and \"-\" when tw is 0",
			    row->addr);
	if (has_lo && lo > hi)
		return fail(p, "peer %s: tw_ttl_min_ms (%llu) exceeds tw_ttl_max_ms (%llu)",
			    row->addr, (unsigned long long)lo,
			    (unsigned long long)hi);
	if (tcptw_peer_value(r, row, TCPTW_COL_NAT, &nat) && nat > 1)
		return fail(p, "peer %s: nat must be 0 or 1, not %llu",
			    row->addr, (unsigned long long)nat);
	return 0;
}

static int parse_row(struct parser *p, struct tcptw_report *r)
{
	struct tcptw_header h = { r->ncols, r->col_name };
	struct tcptw_peer *row;

	if (p->nf != r->ncols)
		return fail(p, "peer row: expected %u fields as in the header, got %u",
			    r->ncols, p->nf);
	if (r->other)
		return fail(p, "peer row after the \"%s\" row (it must be last)",
			    TCPTW_OTHER_PEER);
	row = new_row(p, &r->rows, &r->nr_rows, &r->cap_rows, r->ncols);
	if (!row)
		return -1;
	if (field_is(&p->f[0], TCPTW_OTHER_PEER)) {
		row->is_other = true;
		strcpy(row->addr, TCPTW_OTHER_PEER);
	} else if (parse_address(p, row, &p->f[0])) {
		return -1;
	}
	if (parse_cells(p, &h, "peer", row->addr, row->val, row->has) ||
	    check_row(p, r, row))
		return -1;
	if (row->is_other)
		r->other = row;	/* set after every check: "must be last" */
	return 0;
}

/* "LOCAL>REMOTE:PORT", an IPv6 remote in brackets: "fd00::2>[fd00::9]:53". */
static int parse_tuple_text(struct parser *p, struct tcptw_tuple *t,
			    const struct field *f)
{
	const char *s = f->s, *end = f->s + f->n, *gt, *rem, *rem_end, *port;
	int local_family, remote_family;
	bool bracketed, v6;
	uint64_t v;
	char q[120];

	if (f->n >= TCPTW_TUPLE_MAX)
		goto bad;
	memcpy(t->text, s, f->n);
	t->text[f->n] = '\0';
	gt = memchr(s, '>', f->n);
	if (!gt || memchr(gt + 1, '>', end - gt - 1))
		goto bad;
	rem = gt + 1;
	if (rem < end && *rem == '[') {
		rem++;
		rem_end = memchr(rem, ']', end - rem);
		if (!rem_end || rem_end + 1 == end || rem_end[1] != ':')
			goto bad;
		port = rem_end + 2;
	} else {
		rem_end = memchr(rem, ':', end - rem);
		if (!rem_end)
			goto bad;
		port = rem_end + 1;
	}
	if (parse_addr(s, gt - s, t->local, &local_family, t->local_bin) ||
	    parse_addr(rem, rem_end - rem, t->remote, &remote_family,
		       t->remote_bin))
		goto bad;
	/* Brackets exactly around an IPv6 remote; one family for both ends. */
	bracketed = rem[-1] == '[';
	v6 = remote_family == AF_INET6;
	if (bracketed != v6 || local_family != remote_family)
		goto bad;
	if (end - port > 5 || parse_u64(port, end - port, &v) || v > 65535)
		goto bad;
	t->family = local_family;
	t->port = v;
	return 0;
bad:
	return fail(p, "port table: bad tuple %s: expected LOCAL>REMOTE:PORT (an IPv6 REMOTE in brackets)",
		    quote(f, q, sizeof(q)));
}

static int parse_tuple_row(struct parser *p, struct tcptw_report *r)
{
	const struct tcptw_header *h = &r->tuple_hdr;
	uint64_t used = 0, range = 0, pct = 0, want;
	struct tcptw_tuple *t;
	int c;

	if (p->nf != h->ncols)
		return fail(p, "port table row: expected %u fields as in the header, got %u",
			    h->ncols, p->nf);
	if (r->nr_tuples == r->cap_tuples) {
		size_t cap = r->cap_tuples ? r->cap_tuples * 2 : 16;
		struct tcptw_tuple *rows;

		if (cap > SIZE_MAX / sizeof(*rows))
			return fail(p, "out of memory");
		rows = realloc(r->tuples, cap * sizeof(*rows));
		if (!rows)
			return fail(p, "out of memory");
		r->tuples = rows;
		r->cap_tuples = cap;
	}
	t = &r->tuples[r->nr_tuples++];
	memset(t, 0, sizeof(*t));
	t->val = calloc(h->ncols, sizeof(*t->val));
	t->has = calloc(h->ncols, 1);
	if (!t->val || !t->has)
		return fail(p, "out of memory");
	if (parse_tuple_text(p, t, &p->f[0]) ||
	    parse_cells(p, h, "tuple", t->text, t->val, t->has))
		return -1;
	for (c = 1; c < TCPTW_NR_TUPLE_COLS; c++)
		if (!t->has[r->tuple_pos[c]])
			return fail(p, "tuple %s: column \"%s\" must be a number, not \"-\"",
				    t->text, tcptw_tuple_col_names[c]);
	tcptw_tuple_value(r, t, TCPTW_COL_USED, &used);
	tcptw_tuple_value(r, t, TCPTW_COL_RANGE, &range);
	tcptw_tuple_value(r, t, TCPTW_COL_PCT, &pct);
	if (!range || range > 65536)
		return fail(p, "tuple %s: range %llu is not a number of ports (1 to 65536)",
			    t->text, (unsigned long long)range);
	if (used / range > UINT64_MAX / 100)
		return fail(p, "tuple %s: used %llu is out of range",
			    t->text, (unsigned long long)used);
	/* 100 * used / range rounded down, without overflowing 100 * used. */
	want = used / range * 100 + used % range * 100 / range;
	if (pct != want)
		return fail(p, "tuple %s: pct %llu differs from 100 * used / range (%llu)",
			    t->text, (unsigned long long)pct,
			    (unsigned long long)want);
	return 0;
}

/*
 * old_ack (1.2) is "-" where the kernel has no old-ACK path, as
 * paws_rej_old_ack is: a row agrees with the summary.
 */
static int check_paws_old_ack(struct parser *p, const struct tcptw_report *r,
			      bool has, const char *name)
{
	int k = TCPTW_KEY_PAWS_REJ_OLD_ACK;

	if (!r->key_seen[k] || has == r->key_has[k])
		return 0;
	if (has)
		return fail(p, "PAWS row %s: old_ack must be \"-\" as paws_rej_old_ack is (the kernel has no old-ACK path)",
			    name);
	return fail(p, "PAWS row %s: column \"old_ack\" must be a number, not \"-\", as paws_rej_old_ack is",
		    name);
}

/*
 * The nat rule: 1.1 set nat for sports >= 2 or any tw_syn. Since 1.2 only
 * tw_syn from 2 or more distinct remote ports sets it; the report does not
 * say from how many, but it needs tw_syn >= 2 and sports >= 2, and the
 * "other" row (many peers' rejects) is never flagged.
 */
static int check_paws_nat(struct parser *p, const struct tcptw_report *r,
			  const struct tcptw_peer *row, const uint64_t *v,
			  const char *name)
{
	uint64_t nat = v[TCPTW_COL_P_NAT], sports = v[TCPTW_COL_SPORTS];
	uint64_t tw_syn = v[TCPTW_COL_TW_SYN];

	if (nat > 1)
		return fail(p, "PAWS row %s: nat must be 0 or 1, not %llu",
			    name, (unsigned long long)nat);
	if (r->minor < 2) {
		if (!row->is_other && nat != (sports >= 2 || tw_syn >= 1))
			return fail(p, "PAWS row %s: nat %llu contradicts sports %llu and tw_syn %llu (nat is 1 when sports >= 2 or tw_syn >= 1)",
				    name, (unsigned long long)nat,
				    (unsigned long long)sports,
				    (unsigned long long)tw_syn);
		return 0;
	}
	if (row->is_other && nat)
		return fail(p, "PAWS row %s: nat must be 0 (its rejects belong to many peers)",
			    name);
	if (nat && (sports < 2 || tw_syn < 2))
		return fail(p, "PAWS row %s: nat 1 contradicts sports %llu and tw_syn %llu (nat needs tw_syn from 2 or more source ports)",
			    name, (unsigned long long)sports,
			    (unsigned long long)tw_syn);
	return 0;
}

static int check_paws_row(struct parser *p, const struct tcptw_report *r,
			  const struct tcptw_peer *row, const char *name)
{
	uint64_t v[TCPTW_NR_PAWS_COLS] = { 0 }, sum;
	bool has[TCPTW_NR_PAWS_COLS] = { false };
	int c;

	for (c = 1; c < TCPTW_NR_PAWS_COLS; c++) {
		has[c] = tcptw_paws_value(r, row, c, &v[c]);
		if (row->is_other && c == TCPTW_COL_LPORT) {
			if (has[c])
				return fail(p, "PAWS row %s: lport must be \"-\"",
					    name);
			continue;
		}
		/* "other" sums many rows: their ports and ages are no one's. */
		if (row->is_other &&
		    (c == TCPTW_COL_SPORTS || c == TCPTW_COL_TW_SYN ||
		     c == TCPTW_COL_P_NAT || c == TCPTW_COL_AGE_S))
			continue;
		/* A later MINOR's column the report does not have. */
		if (r->paws_pos[c] < 0)
			continue;
		if (c == TCPTW_COL_P_OLD_ACK) {
			if (check_paws_old_ack(p, r, has[c], name))
				return -1;
			continue;
		}
		if (!has[c])
			return fail(p, "PAWS row %s: column \"%s\" must be a number, not \"-\"",
				    name, tcptw_paws_col_names[c]);
	}
	if (v[TCPTW_COL_LPORT] > 65535)
		return fail(p, "PAWS row %s: lport %llu is not a port", name,
			    (unsigned long long)v[TCPTW_COL_LPORT]);
	sum = v[TCPTW_COL_P_ESTAB];
	for (c = TCPTW_COL_P_SYN_SENT; c <= TCPTW_COL_P_TW; c++)
		sum = sum + v[c] < sum ? UINT64_MAX : sum + v[c];
	if (sum != v[TCPTW_COL_REJECTS])
		return fail(p, "PAWS row %s: rejects (%llu) differs from estab + syn_sent + syn_recv + tw (%llu)",
			    name, (unsigned long long)v[TCPTW_COL_REJECTS],
			    (unsigned long long)sum);
	if (v[TCPTW_COL_SPORTS] > TCPTW_PAWS_SPORTS_MAX)
		return fail(p, "PAWS row %s: sports %llu exceeds %d", name,
			    (unsigned long long)v[TCPTW_COL_SPORTS],
			    TCPTW_PAWS_SPORTS_MAX);
	if (v[TCPTW_COL_TW_SYN] > v[TCPTW_COL_P_TW])
		return fail(p, "PAWS row %s: tw_syn (%llu) exceeds tw (%llu)",
			    name, (unsigned long long)v[TCPTW_COL_TW_SYN],
			    (unsigned long long)v[TCPTW_COL_P_TW]);
	return check_paws_nat(p, r, row, v, name);
}

static int parse_paws_row(struct parser *p, struct tcptw_report *r)
{
	const struct tcptw_header *h = &r->paws_hdr;
	const struct field *lport;
	struct tcptw_peer *row;
	char name[TCPTW_ADDR_MAX + 16];

	if (p->nf != h->ncols)
		return fail(p, "PAWS row: expected %u fields as in the header, got %u",
			    h->ncols, p->nf);
	if (r->paws_other)
		return fail(p, "PAWS row after the \"%s\" row (it must be last)",
			    TCPTW_OTHER_PEER);
	row = new_row(p, &r->paws_rows, &r->nr_paws_rows, &r->cap_paws_rows,
		      h->ncols);
	if (!row)
		return -1;
	if (field_is(&p->f[0], TCPTW_OTHER_PEER)) {
		row->is_other = true;
		strcpy(row->addr, TCPTW_OTHER_PEER);
	} else if (parse_address(p, row, &p->f[0])) {
		return -1;
	}
	/* Rows are (peer, port): name both in messages. */
	lport = &p->f[r->paws_pos[TCPTW_COL_LPORT]];
	if (!row->is_other && lport->n <= 5)
		snprintf(name, sizeof(name), "%s port %.*s", row->addr,
			 (int)lport->n, lport->s);
	else
		snprintf(name, sizeof(name), "%s", row->addr);
	if (parse_cells(p, h, "PAWS row", name, row->val, row->has) ||
	    check_paws_row(p, r, row, name))
		return -1;
	if (row->is_other)
		r->paws_other = row;
	return 0;
}

/* A table of a later MINOR: skipped up to the next empty line. */
static int skip_table(struct parser *p)
{
	int ret;

	while ((ret = next_line(p)) > 0)
		if (!p->line_len)
			return 1;
	return ret;
}

/* Rows up to an empty line (1) or the end (0); -1 on error. */
static int parse_rows(struct parser *p, struct tcptw_report *r,
		      int (*row)(struct parser *, struct tcptw_report *))
{
	for (;;) {
		int ret = next_line(p);

		if (ret <= 0)
			return ret;
		if (split(p))
			return -1;
		if (!p->nf)
			return 1;
		if (row(p, r))
			return -1;
	}
}

static int parse_tables(struct parser *p, struct tcptw_report *r)
{
	bool seen_peer = false;
	char q[80];

	for (;;) {
		/* A table header, right after the summary or an empty line. */
		int ret = next_line(p);

		if (ret < 0)
			return ret;
		if (!ret) {
			if (!seen_peer)
				return fail(p, "truncated: the peer table is missing");
			return 0;
		}
		if (split(p))
			return -1;
		if (!p->nf)
			return fail(p, "unexpected empty line (a table header was expected)");
		if (field_is(&p->f[0], tcptw_col_names[TCPTW_COL_PEER])) {
			if (seen_peer)
				return fail(p, "a second peer table");
			seen_peer = true;
			if (parse_header(p, r))
				return -1;
			ret = parse_rows(p, r, parse_row);
		} else if (!seen_peer) {
			return fail(p, "expected the peer table header, got %s",
				    quote(&p->f[0], q, sizeof(q)));
		} else if (field_is(&p->f[0],
				    tcptw_tuple_col_names[TCPTW_COL_TUPLE])) {
			if (r->has_tuple_table)
				return fail(p, "a second port table");
			r->has_tuple_table = true;
			if (parse_columns(p, r, "port table",
					  tcptw_tuple_col_names, NULL,
					  TCPTW_NR_TUPLE_COLS, &r->tuple_hdr,
					  r->tuple_pos))
				return -1;
			ret = parse_rows(p, r, parse_tuple_row);
		} else if (field_is(&p->f[0],
				    tcptw_paws_col_names[TCPTW_COL_PAWS_PEER])) {
			if (r->has_paws_table)
				return fail(p, "a second PAWS table");
			r->has_paws_table = true;
			if (parse_columns(p, r, "PAWS table",
					  tcptw_paws_col_names, paws_col_since,
					  TCPTW_NR_PAWS_COLS, &r->paws_hdr,
					  r->paws_pos))
				return -1;
			ret = parse_rows(p, r, parse_paws_row);
		} else {
			ret = skip_table(p);
		}
		if (ret <= 0)
			return ret;
	}
}

/* A table's rows against the summary's count of them: catches a cut report. */
static int check_table_rows(struct parser *p, const char *table, bool present,
			    size_t rows, const char *key, uint64_t want)
{
	if (rows == want)
		return 0;
	if (!present)
		return fail(p, "truncated or corrupt: the summary says %s %llu but the %s is missing",
			    key, (unsigned long long)want, table);
	return fail(p, "truncated or corrupt: the %s has %zu rows, the summary says %s %llu",
		    table, rows, key, (unsigned long long)want);
}

static bool has_sockets(const struct tcptw_report *r,
			const struct tcptw_peer *row)
{
	uint64_t v;
	int c;

	for (c = TCPTW_COL_TW; c <= TCPTW_COL_CLOSE; c++)
		if (tcptw_peer_value(r, row, c, &v) && v)
			return true;
	return false;
}

/* What the summary promises about the tables. */
static int check_counts(struct parser *p, struct tcptw_report *r)
{
	size_t rows = r->nr_rows - (r->other ? 1 : 0), i;
	const uint64_t *key = r->key;
	const bool *has = r->key_has;
	uint64_t max_pct = 0, v;

	if (has[TCPTW_KEY_PEERS] && key[TCPTW_KEY_PEERS] != rows)
		return fail(p, "truncated or corrupt: the peer table has %zu rows, the summary says peers %llu",
			    rows, (unsigned long long)key[TCPTW_KEY_PEERS]);
	if (has[TCPTW_KEY_PEERS_TRUNCATED] && !r->other)
		return fail(p, "truncated or corrupt: the summary says peers_truncated %llu but there is no \"%s\" row",
			    (unsigned long long)key[TCPTW_KEY_PEERS_TRUNCATED],
			    TCPTW_OTHER_PEER);
	/*
	 * Since 1.1 "other" also holds the PAWS rejects of peers beyond the
	 * cap: a row without sockets needs no peers_truncated.
	 */
	if (r->other && !r->key_seen[TCPTW_KEY_PEERS_TRUNCATED] &&
	    (r->col_pos[TCPTW_COL_PAWS] < 0 || has_sockets(r, r->other)))
		return fail(p, "corrupt: an \"%s\" row without peers_truncated in the summary (it holds sockets)",
			    TCPTW_OTHER_PEER);

	/* The port table holds the tuples_max tuples with the largest pct. */
	if (has[TCPTW_KEY_TUPLES] && has[TCPTW_KEY_TUPLES_MAX] &&
	    check_table_rows(p, "port table", r->has_tuple_table, r->nr_tuples,
			     "tuples", key[TCPTW_KEY_TUPLES] <
			     key[TCPTW_KEY_TUPLES_MAX] ? key[TCPTW_KEY_TUPLES] :
			     key[TCPTW_KEY_TUPLES_MAX]))
		return -1;
	for (i = 0; i < r->nr_tuples; i++)
		if (tcptw_tuple_value(r, &r->tuples[i], TCPTW_COL_PCT, &v) &&
		    v > max_pct)
			max_pct = v;
	if (r->nr_tuples && has[TCPTW_KEY_PORT_USAGE_MAX_PCT] &&
	    key[TCPTW_KEY_PORT_USAGE_MAX_PCT] != max_pct)
		return fail(p, "corrupt: port_usage_max_pct is %llu, the port table's largest pct is %llu",
			    (unsigned long long)key[TCPTW_KEY_PORT_USAGE_MAX_PCT],
			    (unsigned long long)max_pct);

	if (has[TCPTW_KEY_PAWS_ROWS] &&
	    check_table_rows(p, "PAWS table", r->has_paws_table,
			     r->nr_paws_rows - (r->paws_other ? 1 : 0),
			     "paws_rows", key[TCPTW_KEY_PAWS_ROWS]))
		return -1;
	if (has[TCPTW_KEY_PAWS_OTHER]) {
		uint64_t other = 0;

		if (r->paws_other)
			tcptw_paws_value(r, r->paws_other, TCPTW_COL_REJECTS,
					 &other);
		if (key[TCPTW_KEY_PAWS_OTHER] && !r->paws_other)
			return fail(p, "truncated or corrupt: the summary says paws_other %llu but the PAWS table has no \"%s\" row",
				    (unsigned long long)key[TCPTW_KEY_PAWS_OTHER],
				    TCPTW_OTHER_PEER);
		if (r->paws_other && other != key[TCPTW_KEY_PAWS_OTHER])
			return fail(p, "corrupt: the PAWS \"%s\" row has %llu rejects, the summary says paws_other %llu",
				    TCPTW_OTHER_PEER, (unsigned long long)other,
				    (unsigned long long)key[TCPTW_KEY_PAWS_OTHER]);
	}
	/* 1.2: rejects that found no free row are part of "other". */
	if (has[TCPTW_KEY_PAWS_DROPPED] && has[TCPTW_KEY_PAWS_OTHER] &&
	    key[TCPTW_KEY_PAWS_DROPPED] > key[TCPTW_KEY_PAWS_OTHER])
		return fail(p, "corrupt: paws_dropped %llu exceeds paws_other %llu, which includes it",
			    (unsigned long long)key[TCPTW_KEY_PAWS_DROPPED],
			    (unsigned long long)key[TCPTW_KEY_PAWS_OTHER]);
	return 0;
}

void tcptw_report_free(struct tcptw_report *r)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++) {
		free(r->rows[i].val);
		free(r->rows[i].has);
	}
	for (i = 0; i < r->nr_paws_rows; i++) {
		free(r->paws_rows[i].val);
		free(r->paws_rows[i].has);
	}
	for (i = 0; i < r->nr_tuples; i++) {
		free(r->tuples[i].val);
		free(r->tuples[i].has);
	}
	free(r->rows);
	free(r->paws_rows);
	free(r->tuples);
	free(r->col_name);
	free(r->tuple_hdr.name);
	free(r->paws_hdr.name);
	free(r->extra);
	memset(r, 0, sizeof(*r));
}

int tcptw_report_parse(struct tcptw_report *r, const char *buf, size_t len,
		       struct tcptw_parse_error *err)
{
	struct parser p = { .buf = buf, .len = len, .err = err };

	memset(r, 0, sizeof(*r));
	err->line = 0;
	err->msg[0] = '\0';
	if (len > TCPTW_INPUT_MAX) {
		snprintf(err->msg, sizeof(err->msg),
			 "input larger than %u MiB", TCPTW_INPUT_MAX >> 20);
		return -1;
	}
	if (parse_version(&p, r) || parse_summary(&p, r) ||
	    parse_tables(&p, r) || check_counts(&p, r)) {
		tcptw_report_free(r);
		return -1;
	}
	/* "other" is last, so the rows before it are the peers. */
	r->peers = r->rows;
	r->nr_peers = r->nr_rows - (r->other ? 1 : 0);
	r->paws = r->paws_rows;
	r->nr_paws = r->nr_paws_rows - (r->paws_other ? 1 : 0);
	return 0;
}

bool tcptw_peer_value(const struct tcptw_report *r, const struct tcptw_peer *p,
		      int col, uint64_t *val)
{
	int pos = r->col_pos[col];

	if (pos <= 0 || !p->has[pos])
		return false;
	*val = p->val[pos];
	return true;
}

bool tcptw_tuple_value(const struct tcptw_report *r,
		       const struct tcptw_tuple *t, int col, uint64_t *val)
{
	int pos = r->tuple_pos[col];

	if (pos <= 0 || !t->has[pos])
		return false;
	*val = t->val[pos];
	return true;
}

bool tcptw_paws_value(const struct tcptw_report *r, const struct tcptw_peer *p,
		      int col, uint64_t *val)
{
	int pos = r->paws_pos[col];

	if (pos <= 0 || !p->has[pos])
		return false;
	*val = p->val[pos];
	return true;
}

int tcptw_summary_lookup(const struct tcptw_report *r, const char *name,
			 uint64_t *val)
{
	int k = tcptw_key_lookup(name);
	size_t i;

	if (k == TCPTW_KEY_PORT_RANGE)
		return -2;
	if (k == TCPTW_KEY_PEERS_TRUNCATED && !r->key_seen[k]) {
		*val = 0;	/* written only when the cap was reached */
		return 1;
	}
	if (k >= 0) {
		if (!r->key_seen[k])
			return -1;	/* a later MINOR's, not in this report */
		if (!r->key_has[k])
			return 0;
		*val = r->key[k];
		return 1;
	}
	for (i = 0; i < r->nr_extra; i++) {
		if (strcmp(r->extra[i].name, name))
			continue;
		if (!r->extra[i].numeric)
			return -2;
		*val = r->extra[i].val;
		return 1;
	}
	return -1;
}

int tcptw_column_lookup(const struct tcptw_header *h, const char *name)
{
	unsigned int i;

	for (i = 1; i < h->ncols; i++)
		if (!strcmp(h->name[i], name))
			return i;
	return -1;
}

int tcptw_header_lookup(const struct tcptw_report *r, const char *name)
{
	struct tcptw_header h = { r->ncols, r->col_name };

	return tcptw_column_lookup(&h, name);
}
