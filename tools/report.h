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
#define TCPTW_TUPLE_MAX		(2 * TCPTW_ADDR_MAX + 8)	/* a>[b]:port */

/* A summary key this tool does not know (a later MINOR), kept for check. */
struct tcptw_extra_key {
	char name[TCPTW_NAME_MAX];
	bool numeric;	/* false: "-" or not a number */
	uint64_t val;
};

/*
 * One row of the peer table, or of the PAWS table (1.1), whose rows also
 * start with an address; values are indexed by header position.
 */
struct tcptw_peer {
	char addr[TCPTW_ADDR_MAX];	/* as written, or "other" */
	int family;			/* AF_INET, AF_INET6; 0 for "other" */
	unsigned char bin[16];		/* network byte order */
	bool is_other;
	size_t index;			/* position in the table, for stable sorts */
	uint64_t *val;			/* [ncols] */
	unsigned char *has;		/* [ncols]; 0 where the report says "-" */
};

/* One row of the port table (1.1): LOCAL>REMOTE:PORT and its columns. */
struct tcptw_tuple {
	char text[TCPTW_TUPLE_MAX];	/* as written */
	char local[TCPTW_ADDR_MAX];
	char remote[TCPTW_ADDR_MAX];
	int family;			/* of both addresses */
	unsigned char local_bin[16], remote_bin[16];
	unsigned int port;		/* the remote port */
	uint64_t *val;			/* [tuple_hdr.ncols] */
	unsigned char *has;
};

/* A table's header: column names by position. */
struct tcptw_header {
	unsigned int ncols;
	char (*name)[TCPTW_NAME_MAX];
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

	/*
	 * The port table (1.1): at most tuples_max rows. Absent in a 1.0
	 * report, and allowed to be absent when the summary says it is empty.
	 */
	bool has_tuple_table;
	struct tcptw_header tuple_hdr;
	int tuple_pos[TCPTW_NR_TUPLE_COLS];
	struct tcptw_tuple *tuples;
	size_t nr_tuples, cap_tuples;

	/* The PAWS table (1.1), the same way; "other" is kept apart. */
	bool has_paws_table;
	struct tcptw_header paws_hdr;
	int paws_pos[TCPTW_NR_PAWS_COLS];
	struct tcptw_peer *paws;	/* rows, "other" excluded */
	size_t nr_paws;
	struct tcptw_peer *paws_other;

	/* Private: one block for every row's values. */
	struct tcptw_peer *rows;
	size_t nr_rows, cap_rows;
	struct tcptw_peer *paws_rows;
	size_t nr_paws_rows, cap_paws_rows;
};

struct tcptw_parse_error {
	unsigned long line;	/* 1-based; 0 when no line is to blame */
	char msg[256];
};

extern const char *const tcptw_key_names[TCPTW_NR_KEYS];
extern const char *const tcptw_col_names[TCPTW_NR_COLS];
extern const char *const tcptw_tuple_col_names[TCPTW_NR_TUPLE_COLS];
extern const char *const tcptw_paws_col_names[TCPTW_NR_PAWS_COLS];

/* 0 on success; -1 with @err filled and @r left empty otherwise. */
int tcptw_report_parse(struct tcptw_report *r, const char *buf, size_t len,
		       struct tcptw_parse_error *err);
void tcptw_report_free(struct tcptw_report *r);

int tcptw_key_lookup(const char *name);
int tcptw_col_lookup(const char *name);
/* The MINOR that added a known summary key or peer column (0: 1.0). */
unsigned int tcptw_key_since(int key);
unsigned int tcptw_col_since(int col);
/* The same for a PAWS table column; 0 for those the table came with (1.1). */
unsigned int tcptw_paws_col_since(int col);
/*
 * Whether a summary key counts since paws_since_s, so that "reset paws"
 * restarts it: the paws_rej_* counters, paws_other and paws_dropped.
 */
bool tcptw_key_since_paws_reset(int key);

/* Value of known column @col in @p: true when it has one. */
bool tcptw_peer_value(const struct tcptw_report *r, const struct tcptw_peer *p,
		      int col, uint64_t *val);
/* The same for a row of the port table and of the PAWS table. */
bool tcptw_tuple_value(const struct tcptw_report *r,
		       const struct tcptw_tuple *t, int col, uint64_t *val);
bool tcptw_paws_value(const struct tcptw_report *r, const struct tcptw_peer *p,
		      int col, uint64_t *val);

/*
 * A summary key by name, known or from a later MINOR:
 * 1 value in @val, 0 the report says "-", -1 no such key (also a known key
 * of a MINOR later than the report's), -2 not a number.
 */
int tcptw_summary_lookup(const struct tcptw_report *r, const char *name,
			 uint64_t *val);

/* Header position of a peer column by name, or -1. */
int tcptw_header_lookup(const struct tcptw_report *r, const char *name);
/* Header position of a column of any table by name (0 never), or -1. */
int tcptw_column_lookup(const struct tcptw_header *h, const char *name);

#endif /* _TCPTW_REPORT_H */
