// SPDX-License-Identifier: GPL-2.0
/*
 * Column output measured from the data: cells are collected first and each
 * column is as wide as its widest cell, so no width is hard-coded.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

void tcptw_table_init(struct tcptw_table *t, const struct tcptw_column *cols,
		      size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

void tcptw_table_cell(struct tcptw_table *t, const char *fmt, ...)
{
	va_list ap;
	char *cell;

	if (t->failed)
		return;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells) {
			t->failed = true;
			return;
		}
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&cell, fmt, ap) < 0) {
		t->failed = true;
		cell = NULL;
	}
	va_end(ap);
	if (cell)
		t->cells[t->ncells++] = cell;
}

void tcptw_table_print(const struct tcptw_table *t, FILE *out)
{
	size_t *width = calloc(t->ncols, sizeof(*width));
	size_t rows = t->ncells / t->ncols, r, c;

	if (!width)
		return;
	for (c = 0; c < t->ncols; c++)
		width[c] = strlen(t->cols[c].header);
	for (r = 0; r < rows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);

			if (n > width[c])
				width[c] = n;
		}
	for (r = 0; r <= rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c] :
					    t->cols[c].header;
			bool last = c + 1 == t->ncols;

			if (t->cols[c].left)
				fprintf(out, "%s%-*s", c ? "  " : "",
					last ? 0 : (int)width[c], s);
			else
				fprintf(out, "%s%*s", c ? "  " : "",
					(int)width[c], s);
		}
		fputc('\n', out);
	}
	free(width);
}

void tcptw_table_free(struct tcptw_table *t)
{
	size_t i;

	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

const char *tcptw_human(char *buf, uint64_t v)
{
	static const char units[] = "kMGTPE";
	uint64_t div = 1000;
	int u = 0;

	/* Below 10000 exact: the counts people compare by eye stay exact. */
	if (v < 10000) {
		snprintf(buf, TCPTW_UNIT_MAX, "%llu", (unsigned long long)v);
		return buf;
	}
	while (u < 5 && v / div >= 1000) {
		div *= 1000;
		u++;
	}
	if (v / div < 100) {
		/* One decimal, rounded; 99.95k becomes 100k, not 100.0k. */
		uint64_t tenths = v / (div / 10) + (v % (div / 10) >= div / 20);

		if (tenths < 1000)
			snprintf(buf, TCPTW_UNIT_MAX, "%llu.%llu%c",
				 (unsigned long long)(tenths / 10),
				 (unsigned long long)(tenths % 10), units[u]);
		else
			snprintf(buf, TCPTW_UNIT_MAX, "100%c", units[u]);
		return buf;
	}
	snprintf(buf, TCPTW_UNIT_MAX, "%llu%c",
		 (unsigned long long)(v / div), units[u]);
	return buf;
}

const char *tcptw_human_ms(char *buf, uint64_t ms)
{
	uint64_t tenths = ms / 100 + (ms % 100 >= 50);

	snprintf(buf, TCPTW_UNIT_MAX, "%llu.%llus",
		 (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10));
	return buf;
}
