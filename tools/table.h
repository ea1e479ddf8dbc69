/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aligned text columns whose widths are measured from the cells, as ss(8)
 * does, and the human units (1.2k, 59.9s) the cells are written in.
 */
#ifndef _TCPTW_TABLE_H
#define _TCPTW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tcptw_column {
	const char *header;
	bool left;		/* addresses left, numbers right */
};

struct tcptw_table {
	const struct tcptw_column *cols;
	size_t ncols;
	char **cells;		/* row-major, ncols per row */
	size_t ncells, cap;
	bool failed;		/* out of memory: print what fits */
};

void tcptw_table_init(struct tcptw_table *t, const struct tcptw_column *cols,
		      size_t ncols);
/* The next cell, left to right then top to bottom. */
void tcptw_table_cell(struct tcptw_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tcptw_table_print(const struct tcptw_table *t, FILE *out);
void tcptw_table_free(struct tcptw_table *t);

#define TCPTW_UNIT_MAX	32
/* 9999, 12.3k, 123k, 1.2M ... 18.4E: at most 5 characters. */
const char *tcptw_human(char *buf, uint64_t v);
/* Milliseconds as seconds with one decimal: "59.9s". */
const char *tcptw_human_ms(char *buf, uint64_t ms);

#endif /* _TCPTW_TABLE_H */
