// SPDX-License-Identifier: GPL-2.0
/*
 * The sort the report's tables use: an in-place heapsort, like lib/sort.c's,
 * with a reschedule point every few hundred sift-downs. sort() has none, and
 * the peer table alone may hold max_peers (up to 1M) rows: sorting those in
 * one go would keep a non-preemptible kernel's CPU for tens of milliseconds.
 */

#include <linux/kernel.h>
#include <linux/sched.h>

#include "tcptw.h"

/* Sift-downs between reschedule points: each is O(log n) comparisons. */
#define TCPTW_SORT_BATCH	256

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
 * tcptw_sort_first() - bring the first @k elements by @cmp to the front
 * @base: the array
 * @num: its elements
 * @size: bytes per element
 * @cmp: a total order
 * @k: how many are wanted in order
 *
 * The first @k elements end up sorted at @base[0..k), the others after them
 * in no order: a heap of all @num built once, @k taken off it. For the top
 * rows of a table only @k are shown from: O(num + k log num), where sorting
 * it all would be O(num log num). Sleeps: process context, no locks held.
 */
void tcptw_sort_first(void *base, size_t num, size_t size, tcptw_cmp_t cmp,
		      size_t k)
{
	char *b = base;
	size_t i, ops = 0;

	k = min(k, num);
	if (!k)
		return;
	/* The front and back k would overlap: a whole sort costs no more. */
	if (2 * k > num) {
		tcptw_sort(base, num, size, cmp);
		return;
	}
	might_sleep();
	/* A heap with the first element at its root ... */
	for (i = num / 2; i-- > 0;) {
		tcptw_sort_sift(b, i, num, size, cmp, -1);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
	/* ... k times moved to the back, the first one last ... */
	for (i = num - 1; i >= num - k; i--) {
		tcptw_sort_swap(b, b + i * size, size);
		tcptw_sort_sift(b, 0, i, size, cmp, -1);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
	/* ... and the back k reversed onto the front. */
	for (i = 0; i < k; i++)
		tcptw_sort_swap(b + i * size, b + (num - 1 - i) * size, size);
}
EXPORT_SYMBOL_IF_KUNIT(tcptw_sort_first);
