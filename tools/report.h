/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of a /proc/tcptw report (include/tcptw_format.h) into memory.
 * A pure function over a buffer, so the fuzzer and the tests can call it
 * without files; it never trusts a field count and never wraps a number.
 */
#ifndef _TCPTW_REPORT_H
#define _TCPTW_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../include/tcptw_format.h"

#define TCPTW_LINE_MAX		4096		/* bytes, '\n' excluded */
#define TCPTW_INPUT_MAX		(256u << 20)	/* 65536 peers fit 40 times */
#define TCPTW_NAME_MAX		64		/* a key or column name */
#define TCPTW_FIELDS_MAX	256		/* fields on one line */
#define TCPTW_EXTRA_KEYS_MAX	256		/* keys of a later MINOR kept */
#define TCPTW_ADDR_MAX		48		/* INET6_ADDRSTRLEN and a NUL */

/* A summary key this tool does not know (a later MINOR), kept for check. */
struct tcptw_extra_key {
	char name[TCPTW_NAME_MAX];
	bool numeric;	/* false: "-" or not a number */
	uint64_t val;
};

/* One row of the peer table; values are indexed by header position. */
struct tcptw_peer {
	char addr[TCPTW_ADDR_MAX];	/* as written, or "other" */
	int family;			/* AF_INET, AF_INET6; 0 for "other" */
	unsigned char bin[16];		/* network byte order */
	bool is_other;
	size_t index;			/* position in the table, for stable sorts */
	uint64_t *val;			/* [ncols] */
	unsigned char *has;		/* [ncols]; 0 where the report says "-" */
};

struct tcptw_report {
	unsigned int major, minor;

	/* Known summary keys: seen at all, and seen with a value (not "-"). */
	bool key_seen[TCPTW_NR_KEYS];
	bool key_has[TCPTW_NR_KEYS];
	uint64_t key[TCPTW_NR_KEYS];	/* port_range: use port_low/high */
	unsigned int port_low, port_high;
	struct tcptw_extra_key *extra;
	size_t nr_extra;

	/* The peer table, columns by header position. */
	unsigned int ncols;
	char (*col_name)[TCPTW_NAME_MAX];
	int col_pos[TCPTW_NR_COLS];	/* header position of each known column */
	struct tcptw_peer *peers;	/* rows, "other" excluded */
	size_t nr_peers;
	struct tcptw_peer *other;	/* the "other" row, or NULL */

	/* Private: one block for every row's values. */
	struct tcptw_peer *rows;
	size_t nr_rows, cap_rows;
};

struct tcptw_parse_error {
	unsigned long line;	/* 1-based; 0 when no line is to blame */
	char msg[256];
};

extern const char *const tcptw_key_names[TCPTW_NR_KEYS];
extern const char *const tcptw_col_names[TCPTW_NR_COLS];

/* 0 on success; -1 with @err filled and @r left empty otherwise. */
int tcptw_report_parse(struct tcptw_report *r, const char *buf, size_t len,
		       struct tcptw_parse_error *err);
void tcptw_report_free(struct tcptw_report *r);

int tcptw_key_lookup(const char *name);
int tcptw_col_lookup(const char *name);

/* Value of known column @col in @p: true when it has one. */
bool tcptw_peer_value(const struct tcptw_report *r, const struct tcptw_peer *p,
		      int col, uint64_t *val);

/*
 * A summary key by name, known or from a later MINOR:
 * 1 value in @val, 0 the report says "-", -1 no such key, -2 not a number.
 */
int tcptw_summary_lookup(const struct tcptw_report *r, const char *name,
			 uint64_t *val);

/* Header position of a peer column by name, or -1. */
int tcptw_header_lookup(const struct tcptw_report *r, const char *name);

#endif /* _TCPTW_REPORT_H */
