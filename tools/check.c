// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw check: threshold expressions over the report, as a Nagios plugin.
 * One status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcptw.h"

enum check_op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

static const char *const op_names[] = {
	[OP_GT] = ">", [OP_GE] = ">=", [OP_LT] = "<",
	[OP_LE] = "<=", [OP_EQ] = "==", [OP_NE] = "!=",
};

static const char *const status_names[] = {
	[TCPTW_OK] = "OK", [TCPTW_WARNING] = "WARNING",
	[TCPTW_CRITICAL] = "CRITICAL", [TCPTW_UNKNOWN] = "UNKNOWN",
};

/* What KEY names: a summary key, or a column judged on every row of a table. */
enum check_table { TABLE_SUMMARY, TABLE_PEER, TABLE_TUPLE, TABLE_PAWS };

static const char *const table_prefix[] = {
	[TABLE_PEER] = "peer.", [TABLE_TUPLE] = "tuple.", [TABLE_PAWS] = "paws.",
};

struct check_expr {
	const char *text;
	int level;			/* TCPTW_WARNING or TCPTW_CRITICAL */
	char key[TCPTW_NAME_MAX];	/* without "peer." (...) and "/s" */
	char label[TCPTW_NAME_MAX + 8];	/* as written: perfdata label */
	enum check_table table;
	bool rate;
	enum check_op op;
	/* The threshold, and as written (Nagios ranges) */
	long double num;
	char num_text[32];
	/* Evaluation */
	long double value;		/* tables: the max over rows */
	bool has_value;			/* false: no row has a value */
	bool matched;
};

/*
 * KEY OP NUMBER; KEY is a summary key, a counter KEY/s, or a column of the
 * peer, port or PAWS table: peer.COLUMN, tuple.COLUMN, paws.COLUMN.
 */
static int parse_expr(const char *text, int level, struct check_expr *e)
{
	const char *s = text, *k, *num;
	size_t n;
	char *end;
	int op, t;

	memset(e, 0, sizeof(*e));
	e->text = text;
	e->level = level;
	while (*s == ' ')
		s++;
	k = s;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_./");
	if (!n || n >= sizeof(e->label))
		return -1;
	memcpy(e->label, k, n);
	s += n;
	while (*s == ' ')
		s++;
	for (op = OP_NE; op >= 0; op--)	/* two-character ops first */
		if (!strncmp(s, op_names[op], strlen(op_names[op])) &&
		    (strlen(op_names[op]) == 2 || (s[1] != '=')))
			break;
	if (op < 0)
		return -1;
	e->op = op;
	s += strlen(op_names[op]);
	while (*s == ' ')
		s++;
	num = s;
	n = strspn(s, "0123456789.");
	if (!n || n >= sizeof(e->num_text) || num[0] == '.')
		return -1;
	memcpy(e->num_text, num, n);
	s += n;
	while (*s == ' ')
		s++;
	if (*s)
		return -1;
	errno = 0;
	e->num = strtold(e->num_text, &end);
	if (errno || *end)
		return -1;

	k = e->label;
	n = strlen(k);
	if (n > 2 && !strcmp(k + n - 2, "/s")) {
		e->rate = true;
		n -= 2;
	}
	for (t = TABLE_PEER; t <= TABLE_PAWS; t++) {
		size_t len = strlen(table_prefix[t]);

		if (n >= len && !strncmp(k, table_prefix[t], len)) {
			e->table = t;
			k += len;
			n -= len;
			break;
		}
	}
	if (!n || n >= sizeof(e->key) || memchr(k, '.', n) ||
	    memchr(k, '/', n) || (e->table != TABLE_SUMMARY && e->rate))
		return -1;
	memcpy(e->key, k, n);
	e->key[n] = '\0';
	return 0;
}

static bool compare(long double v, enum check_op op, long double num)
{
	switch (op) {
	case OP_GT: return v > num;
	case OP_GE: return v >= num;
	case OP_LT: return v < num;
	case OP_LE: return v <= num;
	case OP_EQ: return v == num;
	default: return v != num;
	}
}

/* One row's cell: the value judged is the largest, any row may match. */
static void judge_cell(struct check_expr *e, const uint64_t *val,
		       const unsigned char *has, int pos)
{
	if (!has[pos])
		return;
	if (!e->has_value || val[pos] > e->value)
		e->value = val[pos];
	e->has_value = true;
	if (compare(val[pos], e->op, e->num))
		e->matched = true;
}

static int paws_col_lookup(const char *name)
{
	int c;

	for (c = 1; c < TCPTW_NR_PAWS_COLS; c++)
		if (!strcmp(name, tcptw_paws_col_names[c]))
			return c;
	return -1;
}

/*
 * The header position of e->key in its table, or -1 with @msg. A table the
 * report does not have (an empty one may be left out) has no rows to judge:
 * 0, and the expression stays undetermined.
 */
static int table_column(struct check_expr *e, const struct tcptw_report *r,
			char *msg, size_t size)
{
	static const char *const what[] = {
		[TABLE_PEER] = "peer", [TABLE_TUPLE] = "tuple",
		[TABLE_PAWS] = "paws",
	};
	const char *const *known = NULL;
	struct tcptw_header h = { r->ncols, r->col_name };
	bool present = true, in_minor = true;
	int pos, c, pc, nr_known = 0;

	if (e->table == TABLE_TUPLE) {
		h = r->tuple_hdr;
		present = r->has_tuple_table;
		in_minor = r->key_seen[TCPTW_KEY_TUPLES];
		known = tcptw_tuple_col_names;
		nr_known = TCPTW_NR_TUPLE_COLS;
	} else if (e->table == TABLE_PAWS) {
		h = r->paws_hdr;
		present = r->has_paws_table;
		in_minor = r->key_seen[TCPTW_KEY_PAWS_ROWS];
		known = tcptw_paws_col_names;
		nr_known = TCPTW_NR_PAWS_COLS;
	}
	pos = tcptw_column_lookup(&h, e->key);
	if (pos >= 0)
		return pos;
	if (!present && in_minor)
		for (c = 1; c < nr_known; c++)
			if (!strcmp(known[c], e->key) &&
			    (e->table != TABLE_PAWS ||
			     tcptw_paws_col_since(c) <= r->minor))
				return 0;
	c = tcptw_col_lookup(e->key);
	pc = paws_col_lookup(e->key);
	if (!present && !in_minor)
		snprintf(msg, size, "%s: the report (format %u.%u) has no %s table; it came with format 1.1",
			 e->text, r->major, r->minor,
			 e->table == TABLE_TUPLE ? "port" : "PAWS");
	else if (e->table == TABLE_PEER && c >= 0 &&
		 tcptw_col_since(c) > r->minor)
		snprintf(msg, size, "%s: the report (format %u.%u) has no peer column \"%s\"; it came with format 1.%u",
			 e->text, r->major, r->minor, e->key,
			 tcptw_col_since(c));
	else if (e->table == TABLE_PAWS && pc >= 0 &&
		 tcptw_paws_col_since(pc) > r->minor)
		snprintf(msg, size, "%s: the report (format %u.%u) has no PAWS column \"%s\"; it came with format 1.%u",
			 e->text, r->major, r->minor, e->key,
			 tcptw_paws_col_since(pc));
	else
		snprintf(msg, size, "%s: no %s column \"%s\"", e->text,
			 what[e->table], e->key);
	return -1;
}

/* Whether a counter of tcptw's PAWS table restarted between two reads. */
static bool paws_reset_between(const char *key, const struct tcptw_report *r,
			       const struct tcptw_report *first)
{
	int k = tcptw_key_lookup(key), s = TCPTW_KEY_PAWS_SINCE_S;

	if (!tcptw_key_since_paws_reset(k))
		return false;
	return r->key_has[s] && first->key_has[s] && r->key[s] < first->key[s];
}

/* A table column: every row judged; 0, or -1 with @msg (UNKNOWN). */
static int eval_table(struct check_expr *e, const struct tcptw_report *r,
		      char *msg, size_t size)
{
	int pos = table_column(e, r, msg, size);
	size_t i;

	if (pos < 0)
		return -1;
	if (!pos)
		return 0;
	/* "other" is many rows summed, not one: not judged. */
	if (e->table == TABLE_PEER)
		for (i = 0; i < r->nr_peers; i++)
			judge_cell(e, r->peers[i].val, r->peers[i].has, pos);
	else if (e->table == TABLE_TUPLE)
		for (i = 0; i < r->nr_tuples; i++)
			judge_cell(e, r->tuples[i].val, r->tuples[i].has, pos);
	else
		for (i = 0; i < r->nr_paws; i++)
			judge_cell(e, r->paws[i].val, r->paws[i].has, pos);
	return 0;
}

/* 0, or -1 with @msg: the expression cannot be judged (UNKNOWN). */
static int eval_expr(struct check_expr *e, const struct tcptw_report *r,
		     const struct tcptw_report *first, double dt,
		     char *msg, size_t size)
{
	uint64_t v, v0;
	int ret, k;

	if (e->table != TABLE_SUMMARY)
		return eval_table(e, r, msg, size);
	ret = tcptw_summary_lookup(r, e->key, &v);
	k = tcptw_key_lookup(e->key);
	if (ret == -1 && k >= 0) {
		snprintf(msg, size, "%s: the report (format %u.%u) has no key \"%s\"; it came with format 1.%u",
			 e->text, r->major, r->minor, e->key,
			 tcptw_key_since(k));
		return -1;
	}
	if (ret == -1) {
		snprintf(msg, size, "%s: unknown key \"%s\" (not in this report)",
			 e->text, e->key);
		return -1;
	}
	if (ret == -2) {
		snprintf(msg, size, "%s: key \"%s\" is not a number", e->text,
			 e->key);
		return -1;
	}
	if (ret == 0) {
		snprintf(msg, size, "%s: the report has no value (\"-\") for \"%s\"",
			 e->text, e->key);
		return -1;
	}
	if (e->rate) {
		if (paws_reset_between(e->key, r, first)) {
			snprintf(msg, size, "%s: the PAWS counters were reset between reads (tcptw reset-paws)",
				 e->text);
			return -1;
		}
		if (tcptw_summary_lookup(first, e->key, &v0) != 1 || v < v0) {
			snprintf(msg, size, "%s: \"%s\" went backwards between reads (counter reset?)",
				 e->text, e->key);
			return -1;
		}
		e->value = (long double)(v - v0) / dt;
	} else {
		e->value = v;
	}
	e->has_value = true;
	e->matched = compare(e->value, e->op, e->num);
	return 0;
}

/* Nagios range for one expression: alert when the value is outside it. */
static void nagios_range(const struct check_expr *e, char *buf, size_t size)
{
	if (!e) {
		buf[0] = '\0';
		return;
	}
	switch (e->op) {
	case OP_GT:
	case OP_GE:
		snprintf(buf, size, "%s", e->num_text);
		break;
	case OP_LT:
	case OP_LE:
		snprintf(buf, size, "%s:", e->num_text);
		break;
	case OP_EQ:
		snprintf(buf, size, "@%s:%s", e->num_text, e->num_text);
		break;
	default:
		snprintf(buf, size, "%s:%s", e->num_text, e->num_text);
	}
}

static void print_value(FILE *out, const struct check_expr *e)
{
	if (!e->has_value)
		fputs("U", out);	/* Nagios: undetermined */
	else if (e->rate)
		fprintf(out, "%.3Lf", e->value);
	else
		fprintf(out, "%.0Lf", e->value);
}

static void print_perfdata(FILE *out, struct check_expr *x, size_t n)
{
	char warn[80], crit[80];
	size_t i, j;

	fputs(" |", out);
	for (i = 0; i < n; i++) {
		const struct check_expr *w = NULL, *c = NULL;

		for (j = 0; j < i; j++)
			if (!strcmp(x[j].label, x[i].label))
				break;
		if (j < i)
			continue;	/* one perfdata item per label */
		for (j = i; j < n; j++) {
			if (strcmp(x[j].label, x[i].label))
				continue;
			if (x[j].level == TCPTW_WARNING && !w)
				w = &x[j];
			if (x[j].level == TCPTW_CRITICAL && !c)
				c = &x[j];
		}
		nagios_range(w, warn, sizeof(warn));
		nagios_range(c, crit, sizeof(crit));
		fprintf(out, " '%s'=", x[i].label);
		print_value(out, &x[i]);
		fprintf(out, ";%s;%s;;", warn, crit);
	}
}

static int unknown(const char *why)
{
	printf("TCPTW UNKNOWN - %s\n", why);
	return TCPTW_UNKNOWN;
}

int tcptw_check(const struct tcptw_opts *opts)
{
	size_t n = opts->nr_warn + opts->nr_crit, i;
	struct tcptw_report first = { 0 }, r = { 0 };
	struct check_expr *x;
	bool rates = false, said = false, judges_paws = false;
	int status = TCPTW_OK;
	char msg[512];
	double t0 = 0, dt = 0;

	if (!n)
		return unknown("no threshold: give --warn EXPR and/or --crit EXPR");
	x = calloc(n, sizeof(*x));
	if (!x)
		return unknown("out of memory");
	for (i = 0; i < n; i++) {
		bool warn = i < opts->nr_warn;
		const char *t = warn ? opts->warn[i] : opts->crit[i - opts->nr_warn];

		if (parse_expr(t, warn ? TCPTW_WARNING : TCPTW_CRITICAL, &x[i])) {
			snprintf(msg, sizeof(msg), "bad threshold \"%.200s\": expected KEY OP NUMBER (OP: > >= < <= == !=; KEY: a summary key, KEY/s, peer.COLUMN, tuple.COLUMN or paws.COLUMN)",
				 t);
			free(x);
			return unknown(msg);
		}
		rates |= x[i].rate;
		judges_paws |= x[i].table == TABLE_PAWS;
	}

	/* A rate needs two reads, opts->interval apart. */
	if (rates) {
		if (tcptw_load(opts, &first, msg, sizeof(msg)))
			goto out_unknown;
		t0 = tcptw_now();
		tcptw_sleep(opts->interval);
	}
	if (tcptw_load(opts, &r, msg, sizeof(msg)))
		goto out_unknown;
	dt = rates ? tcptw_now() - t0 : 1;
	if (dt <= 0)
		dt = 1 / 1e9;
	for (i = 0; i < n; i++) {
		if (eval_expr(&x[i], &r, &first, dt, msg, sizeof(msg)))
			goto out_unknown;
		if (x[i].matched && x[i].level > status)
			status = x[i].level;
	}

	printf("TCPTW %s - ", status_names[status]);
	for (i = 0; i < n; i++) {
		if (!x[i].matched || x[i].level != status)
			continue;
		printf("%s%s (", said ? ", " : "", x[i].text);
		print_value(stdout, &x[i]);
		putchar(')');
		said = true;
	}
	if (!said) {
		for (i = 0; i < n; i++) {
			size_t j;

			for (j = 0; j < i; j++)
				if (!strcmp(x[j].label, x[i].label))
					break;
			if (j < i)
				continue;	/* warn and crit on one key */
			printf("%s%s=", i ? ", " : "", x[i].label);
			print_value(stdout, &x[i]);
		}
	}
	if (r.other && r.key_seen[TCPTW_KEY_PEERS_TRUNCATED])
		printf("; peer table truncated: %llu sockets in \"other\" not judged per peer",
		       (unsigned long long)r.key[TCPTW_KEY_PEERS_TRUNCATED]);
	else if (r.other)
		printf("; peer table truncated: PAWS rejects in \"other\" not judged per peer");
	if (r.paws_other && judges_paws)
		printf("; PAWS table truncated: %llu rejects in \"other\" not judged per row",
		       (unsigned long long)r.key[TCPTW_KEY_PAWS_OTHER]);
	print_perfdata(stdout, x, n);
	putchar('\n');
	tcptw_report_free(&first);
	tcptw_report_free(&r);
	free(x);
	return status;

out_unknown:
	tcptw_report_free(&first);
	tcptw_report_free(&r);
	free(x);
	return unknown(msg);
}
