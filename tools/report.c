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

#define TCPTW_KEY_NAME(id, name)	[TCPTW_KEY_##id] = name,
#define TCPTW_COL_NAME(id, name)	[TCPTW_COL_##id] = name,
const char *const tcptw_key_names[TCPTW_NR_KEYS] = {
	TCPTW_SUMMARY_KEYS(TCPTW_KEY_NAME)
};
const char *const tcptw_col_names[TCPTW_NR_COLS] = {
	TCPTW_PEER_COLUMNS(TCPTW_COL_NAME)
};
#undef TCPTW_KEY_NAME
#undef TCPTW_COL_NAME

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
	size_t n = f->n < size - 6 ? f->n : size - 6;

	snprintf(buf, size, "\"%.*s%s\"", (int)n, f->s, n < f->n ? "..." : "");
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
	char q[64];
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
	    major > 999999 || minor > 999999)
		return fail(p, "version line: bad version %s",
			    quote(v, q, sizeof(q)));
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
	char q[64];

	if (!dash || parse_u64(v->s, dash - v->s, &lo) ||
	    parse_u64(dash + 1, v->n - (dash - v->s) - 1, &hi) ||
	    lo > 65535 || hi > 65535 || lo > hi)
		return fail(p, "port_range: expected \"LOW-HIGH\" ports, got %s",
			    quote(v, q, sizeof(q)));
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
	int k, ret;

	for (;;) {
		const struct field *v;

		ret = next_line(p);
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
		if (k == TCPTW_KEY_PORT_RANGE)
			ret = parse_port_range(p, r, v);
		else if ((ret = parse_u64(v->s, v->n, &r->key[k])))
			return fail(p, "summary: %s: %s %s", tcptw_key_names[k],
				    ret == -2 ? "number out of range" :
				    "not a number", quote(v, q, sizeof(q)));
		if (ret)
			return -1;
		r->key_has[k] = true;
	}
	/* Removing a key would have raised MAJOR: a 1.x report has them all. */
	for (k = 0; k < TCPTW_NR_KEYS; k++)
		if (!r->key_seen[k] && k != TCPTW_KEY_PEERS_TRUNCATED)
			return fail(p, "summary: key \"%s\" is missing",
				    tcptw_key_names[k]);
	return 0;
}

static int parse_header(struct parser *p, struct tcptw_report *r)
{
	unsigned int i, j;
	char q[80];
	int c;

	for (c = 0; c < TCPTW_NR_COLS; c++)
		r->col_pos[c] = -1;
	r->col_name = calloc(p->nf, sizeof(*r->col_name));
	if (!r->col_name)
		return fail(p, "out of memory");
	r->ncols = p->nf;
	for (i = 0; i < p->nf; i++) {
		if (!valid_name(&p->f[i]))
			return fail(p, "peer table header: bad column name %s",
				    quote(&p->f[i], q, sizeof(q)));
		memcpy(r->col_name[i], p->f[i].s, p->f[i].n);
		for (j = 0; j < i; j++)
			if (!strcmp(r->col_name[j], r->col_name[i]))
				return fail(p, "peer table header: column \"%s\" appears twice",
					    r->col_name[i]);
		c = tcptw_col_lookup(r->col_name[i]);
		if (c >= 0)
			r->col_pos[c] = i;
	}
	for (c = 0; c < TCPTW_NR_COLS; c++)
		if (r->col_pos[c] < 0)
			return fail(p, "peer table header: column \"%s\" is missing",
				    tcptw_col_names[c]);
	return 0;
}

static struct tcptw_peer *new_row(struct parser *p, struct tcptw_report *r)
{
	struct tcptw_peer *row;

	if (r->nr_rows == r->cap_rows) {
		size_t cap = r->cap_rows ? r->cap_rows * 2 : 64;
		struct tcptw_peer *rows;

		if (cap > SIZE_MAX / sizeof(*rows)) {
			fail(p, "out of memory");
			return NULL;
		}
		rows = realloc(r->rows, cap * sizeof(*rows));
		if (!rows) {
			fail(p, "out of memory");
			return NULL;
		}
		r->rows = rows;
		r->cap_rows = cap;
	}
	row = &r->rows[r->nr_rows];
	memset(row, 0, sizeof(*row));
	row->val = calloc(r->ncols, sizeof(*row->val));
	row->has = calloc(r->ncols, 1);
	r->nr_rows++;
	if (!row->val || !row->has) {
		fail(p, "out of memory");
		return NULL;
	}
	row->index = r->nr_rows - 1;
	return row;
}

static int parse_address(struct parser *p, struct tcptw_peer *row,
			 const struct field *f)
{
	char q[80];

	if (f->n >= TCPTW_ADDR_MAX)
		return fail(p, "peer address too long: %s",
			    quote(f, q, sizeof(q)));
	memcpy(row->addr, f->s, f->n);
	row->addr[f->n] = '\0';
	row->family = memchr(f->s, ':', f->n) ? AF_INET6 : AF_INET;
	if (inet_pton(row->family, row->addr, row->bin) != 1)
		return fail(p, "invalid peer address %s",
			    quote(f, q, sizeof(q)));
	return 0;
}

/* The invariants the format promises for every row. */
static int check_row(struct parser *p, const struct tcptw_report *r,
		     const struct tcptw_peer *row)
{
	uint64_t tw = 0, in = 0, out = 0, lo = 0, hi = 0;
	bool has_lo, has_hi;
	int c;

	for (c = 0; c < TCPTW_NR_COLS; c++) {
		if (c == TCPTW_COL_PEER || c == TCPTW_COL_TW_TTL_MIN_MS ||
		    c == TCPTW_COL_TW_TTL_MAX_MS)
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
	if (has_lo != (tw > 0) || has_hi != (tw > 0))
		return fail(p, "peer %s: tw_ttl_min_ms and tw_ttl_max_ms must be numbers when tw > 0 and \"-\" when tw is 0",
			    row->addr);
	if (has_lo && lo > hi)
		return fail(p, "peer %s: tw_ttl_min_ms (%llu) exceeds tw_ttl_max_ms (%llu)",
			    row->addr, (unsigned long long)lo,
			    (unsigned long long)hi);
	return 0;
}

static int parse_row(struct parser *p, struct tcptw_report *r)
{
	struct tcptw_peer *row;
	unsigned int i;
	char q[80];
	int ret;

	if (p->nf != r->ncols)
		return fail(p, "peer row: expected %u fields as in the header, got %u",
			    r->ncols, p->nf);
	if (r->other)
		return fail(p, "peer row after the \"%s\" row (it must be last)",
			    TCPTW_OTHER_PEER);
	row = new_row(p, r);
	if (!row)
		return -1;
	if (field_is(&p->f[0], TCPTW_OTHER_PEER)) {
		row->is_other = true;
		strcpy(row->addr, TCPTW_OTHER_PEER);
	} else if (parse_address(p, row, &p->f[0])) {
		return -1;
	}
	for (i = 1; i < p->nf; i++) {
		const struct field *f = &p->f[i];

		if (field_is(f, TCPTW_NO_VALUE))
			continue;
		ret = parse_u64(f->s, f->n, &row->val[i]);
		if (ret)
			return fail(p, "peer %s: column \"%s\": %s %s",
				    row->addr, r->col_name[i],
				    ret == -2 ? "number out of range" :
				    "not a number", quote(f, q, sizeof(q)));
		row->has[i] = 1;
	}
	if (check_row(p, r, row))
		return -1;
	if (row->is_other)
		r->other = row;	/* set after every check: "must be last" */
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

static int parse_tables(struct parser *p, struct tcptw_report *r)
{
	bool seen_peer = false;
	char q[80];
	int ret;

	for (;;) {
		/* A table header, right after the summary or an empty line. */
		ret = next_line(p);
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
		if (!field_is(&p->f[0], "peer")) {
			if (!seen_peer)
				return fail(p, "expected the peer table header, got %s",
					    quote(&p->f[0], q, sizeof(q)));
			ret = skip_table(p);
			if (ret <= 0)
				return ret;
			continue;
		}
		if (seen_peer)
			return fail(p, "a second peer table");
		seen_peer = true;
		if (parse_header(p, r))
			return -1;
		for (;;) {
			ret = next_line(p);
			if (ret <= 0)
				return ret;
			if (split(p))
				return -1;
			if (!p->nf)
				break;
			if (parse_row(p, r))
				return -1;
		}
	}
}

/* What the summary promises about the table: catches a cut report. */
static int check_counts(struct parser *p, struct tcptw_report *r)
{
	size_t rows = r->nr_rows - (r->other ? 1 : 0);

	if (r->key_has[TCPTW_KEY_PEERS] && r->key[TCPTW_KEY_PEERS] != rows)
		return fail(p, "truncated or corrupt: the peer table has %zu rows, the summary says peers %llu",
			    rows, (unsigned long long)r->key[TCPTW_KEY_PEERS]);
	if (r->key_has[TCPTW_KEY_PEERS_TRUNCATED] && !r->other)
		return fail(p, "truncated or corrupt: the summary says peers_truncated %llu but there is no \"%s\" row",
			    (unsigned long long)r->key[TCPTW_KEY_PEERS_TRUNCATED],
			    TCPTW_OTHER_PEER);
	if (r->other && !r->key_seen[TCPTW_KEY_PEERS_TRUNCATED])
		return fail(p, "corrupt: an \"%s\" row without peers_truncated in the summary",
			    TCPTW_OTHER_PEER);
	return 0;
}

void tcptw_report_free(struct tcptw_report *r)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++) {
		free(r->rows[i].val);
		free(r->rows[i].has);
	}
	free(r->rows);
	free(r->col_name);
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
	/* "other" is last, so the peers are the rows before it. */
	r->peers = r->rows;
	r->nr_peers = r->nr_rows - (r->other ? 1 : 0);
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

int tcptw_header_lookup(const struct tcptw_report *r, const char *name)
{
	unsigned int i;

	for (i = 1; i < r->ncols; i++)
		if (!strcmp(r->col_name[i], name))
			return i;
	return -1;
}
