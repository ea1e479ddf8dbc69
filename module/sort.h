/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sorts of a report's tables (sort.c). tcptw_sort() sorts rows in place
 * through a comparison pointer. The peer and port tables instead sort an
 * index of their rows with the comparison inlined (tcptw_isort_first()) and
 * then move each row once (tcptw_permute()): their rows are 56 to 112 bytes,
 * and swapping them at every step of a heapsort, with a call through a
 * pointer (a retpoline) per comparison, cost 2 ms for 1,000 peers under
 * emulation, a tenth of a report.
 */
#ifndef _TCPTW_SORT_H
#define _TCPTW_SORT_H

#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/types.h>

/* Sift-downs between reschedule points: each is O(log n) comparisons. */
#define TCPTW_SORT_BATCH	256

typedef int (*tcptw_cmp_t)(const void *a, const void *b);
void tcptw_sort(void *base, size_t num, size_t size, tcptw_cmp_t cmp);

/* Whether row @a of @rows comes before row @b. */
typedef bool (*tcptw_before_t)(const void *rows, u32 a, u32 b);

/* Let @idx[@i] sink to its place in a heap of @n whose root comes first. */
static __always_inline void tcptw_isort_sift(u32 *idx, u32 i, u32 n,
					     const void *rows,
					     tcptw_before_t before)
{
	u32 child, v = idx[i];

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n && before(rows, idx[child + 1], idx[child]))
			child++;
		if (!before(rows, idx[child], v))
			break;
		idx[i] = idx[child];
		i = child;
	}
	idx[i] = v;
}

/**
 * tcptw_isort_first() - an index of @rows, the first @k by @before in order
 * @idx: room for @num entries; set to the row numbers 0 .. @num - 1, the
 *	 first @k rows by @before at idx[0 .. @k) in order, the others after
 *	 them in no order
 * @num: rows
 * @k: how many are wanted in order (@num for a whole sort)
 * @rows: the table, passed to @before
 * @before: a strict total order; a function the caller can inline
 *
 * A heap of all @num with the first row at its root, built once and taken
 * off @k times: O(num + k log num). Inlined so that @before is too. Sleeps:
 * process context, no locks held.
 */
static __always_inline void tcptw_isort_first(u32 *idx, u32 num, u32 k,
					      const void *rows,
					      tcptw_before_t before)
{
	u32 i, ops = 0;

	might_sleep();
	for (i = 0; i < num; i++)
		idx[i] = i;
	k = min(k, num);
	if (num < 2 || !k)
		return;
	for (i = num / 2; i-- > 0;) {
		tcptw_isort_sift(idx, i, num, rows, before);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
	/* The first to the back, k times: the back k are the first k reversed ... */
	for (i = num - 1; i >= num - k && i > 0; i--) {
		swap(idx[0], idx[i]);
		tcptw_isort_sift(idx, 0, i, rows, before);
		if (!(++ops % TCPTW_SORT_BATCH))
			cond_resched();
	}
	/* ... and reversing it all brings them to the front, in order. */
	for (i = 0; i < num / 2; i++)
		swap(idx[i], idx[num - 1 - i]);
}

void tcptw_permute(void *rows, size_t size, u32 *idx, u32 num);

#endif /* _TCPTW_SORT_H */
