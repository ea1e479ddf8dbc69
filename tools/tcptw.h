/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tcptw tool's parts share: the options of one run, reading a
 * report from its source, and each command's entry point.
 */
#ifndef _TCPTW_H
#define _TCPTW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

#define TCPTW_PROC_DEFAULT	"/proc/tcptw"
#define TCPTW_SYSCTL_DEFAULT	"/proc/sys"
#define TCPTW_TOP_DEFAULT	20

/* Elements in an array (not a pointer), as in the kernel. */
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Exit codes: those of a Nagios plugin, which every command follows. */
enum tcptw_status {
	TCPTW_OK = 0,
	TCPTW_WARNING = 1,
	TCPTW_CRITICAL = 2,
	TCPTW_UNKNOWN = 3,
};

enum tcptw_output {
	TCPTW_OUT_TEXT,
	TCPTW_OUT_JSON,
	TCPTW_OUT_PROM,
};

struct tcptw_cidr {
	int family;		/* 0: no filter */
	unsigned char bin[16];
	unsigned int bits;
};

struct tcptw_opts {
	const char *input;	/* a path, or "-" for stdin */
	bool input_is_default;	/* neither -f nor TCPTW_PROC: the module's file */
	enum tcptw_output output;
	unsigned int top;	/* 0: every peer */
	int sort_col;		/* header position; 0 sorts by address */
	const char *sort_name;
	struct tcptw_cidr cidr;
	double interval;	/* watch, check rates: seconds between reads */
	unsigned long count;	/* watch: frames, 0 = until interrupted */
	const char *sysctl_root;
	const char **warn, **crit;	/* check: threshold expressions */
	size_t nr_warn, nr_crit;
};

/*
 * Read and parse the report opts->input names: 0, or -1 with @msg set to
 * "<file>:<line>: <problem>" (or the fix, when the module is not loaded).
 */
int tcptw_load(const struct tcptw_opts *opts, struct tcptw_report *r,
	       char *msg, size_t size);

void tcptw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Peers to show: filtered by --peer, sorted by --sort, cut to --top. The
 * rows of the port and PAWS tables (1.1) likewise, by their remote address,
 * in the report's order (largest pct, most rejects first).
 */
struct tcptw_view {
	const struct tcptw_peer **rows;
	size_t n;		/* shown */
	size_t matched;		/* passing the filter, before --top */
	const struct tcptw_tuple **tuples;
	size_t nr_tuples, tuples_matched;
	const struct tcptw_peer **paws;	/* "other" excluded */
	size_t nr_paws, paws_matched;
};

int tcptw_view_build(const struct tcptw_report *r,
		     const struct tcptw_opts *opts, struct tcptw_view *v);
void tcptw_view_free(struct tcptw_view *v);
int tcptw_cidr_parse(const char *s, struct tcptw_cidr *c);
bool tcptw_cidr_match(const struct tcptw_cidr *c, const struct tcptw_peer *p);
bool tcptw_cidr_match_addr(const struct tcptw_cidr *c, int family,
			   const unsigned char *bin);

void tcptw_print_text(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts, const char *source);
void tcptw_print_json(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts);
void tcptw_print_prom(FILE *out, const struct tcptw_report *r,
		      const struct tcptw_opts *opts);
void tcptw_print_peers(FILE *out, const struct tcptw_report *r,
		       const struct tcptw_view *v,
		       const struct tcptw_report *prev);

int tcptw_check(const struct tcptw_opts *opts);
int tcptw_watch(const struct tcptw_opts *opts);
int tcptw_doctor(const struct tcptw_opts *opts);
int tcptw_reset_paws(const struct tcptw_opts *opts);

/* The time between two reads, for the rates of watch and check. */
double tcptw_now(void);
int tcptw_sleep(double seconds);
int tcptw_parse_seconds(const char *s, double *out);

#endif /* _TCPTW_H */
