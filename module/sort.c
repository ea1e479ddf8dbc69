// SPDX-License-Identifier: GPL-2.0
/*
 * The sorts the report's tables use: heapsorts, like lib/sort.c's, with a
 * reschedule point every few hundred sift-downs. sort() has none, and the
 * peer table alone may hold max_peers (up to 1M) rows: sorting those in one
 * go would keep a non-preemptible kernel's CPU for tens of milliseconds.
 */

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/sched.h>

#include "sort.h"

/* Rows moved between reschedule points by tcptw_permute(). */
#define TCPTW_PERMUTE_BATCH	4096

static void tcptw_sort_swap(void *a, void *b, size_t size)
{
	size_t i;

	if (IS_ALIGNED(size | (unsigned long)a | (unsigned long)b, 8)) {
		u64 *x = a, *y = b;

		for (i = 0; i < size / 8; i++)
			swap(x[i], y[i]);
	} else {
		u8 *x = a, *y = b;

		for (i = 0; i < size; i++)
			swap(x[i], y[i]);
	}
}

/*
 * Let element @i of the heap of @n sink to its place: a heap whose root is
 * the last element by @cmp when @sign is 1, the first when it is -1.
 */
static void tcptw_sort_sift(char *base, size_t i, size_t n, size_t size,
			    tcptw_cmp_t cmp, int sign)
{
	size_t child;

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n &&
		    sign * cmp(base + child * size,
			       base + (child + 1) * size) < 0)
			child++;
		if (sign * cmp(base + i * size, base + child * size) >= 0)
			return;
		tcptw_sort_swap(base + i * size, base + child * size, size);
		i = child;
	}
}

/**
 * tcptw_sort() - sort an array in place, ascending by @cmp
 * @base: the array
 * @num: its elements
 * @size: bytes per element
 * @cmp: a total order (ties only between equal elements: not stable)
 *
 * Sleeps: process context, no locks held.
 */
void tcptw_sort(void *base, size_t num, size_t size, tcptw_cmp_t cmp)
{
	char *b = base;
	size_t i, ops = 0;

	might_sleep();
	if (num < 2)
		return;
	for (i = num / 2; i-- > 0;) {
		tcptw_sort_sift(b, i, num, size, cmp, 1);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
	for (i = num - 1; i > 0; i--) {
		tcptw_sort_swap(b, b + i * size, size);
		tcptw_sort_sift(b, 0, i, size, cmp, 1);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_sort);

/**
 * tcptw_permute() - put rows in the order of an index
 * @rows: the array
 * @size: bytes per row
 * @idx: @num row numbers, each once: row @idx[i] is to be row i; used up
 *	 (left as 0 .. @num - 1)
 * @num: rows
 *
 * Follows each cycle of the permutation, swapping along it: every row moves
 * once or twice, with no second array. Sleeps: process context, no locks
 * held.
 */
void tcptw_permute(void *rows, size_t size, u32 *idx, u32 num)
{
	char *b = rows;
	u32 i, j, next, moved = 0;

	might_sleep();
	for (i = 0; i < num; i++) {
		for (j = i; (next = idx[j]) != i; j = next) {
			idx[j] = j;
			tcptw_sort_swap(b + (size_t)j * size,
					b + (size_t)next * size, size);
			if (!(++moved % TCPTW_PERMUTE_BATCH))
				cond_resched();
		}
		idx[j] = j;
	}
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_permute);
