// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: tcptw_sort(), the heapsort with reschedule points the report's
 * tables use, against element sizes that take the word and the byte swap,
 * sizes around the heap's edges, duplicates, and more elements than one
 * batch between reschedule points; tcptw_isort_first() and tcptw_permute(),
 * the index sort of the peer and port tables, against it.
 */

#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "tcptw.h"
#include "tcptw_test.h"

/* 24 bytes: swapped a word at a time. */
struct tcptw_test_wide {
	u64 key;
	u64 id;
	u64 check;
};

/* 3 bytes: swapped a byte at a time. */
struct tcptw_test_narrow {
	u8 key;
	u8 id_lo;
	u8 id_hi;
};

static int tcptw_test_wide_cmp(const void *a, const void *b)
{
	const struct tcptw_test_wide *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int tcptw_test_narrow_cmp(const void *a, const void *b)
{
	const struct tcptw_test_narrow *x = a, *y = b;

	return (int)x->key - (int)y->key;
}

static const u32 tcptw_sort_sizes[] = { 0, 1, 2, 3, 7, 8, 255, 256, 257, 5000 };

static void tcptw_sort_size_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u elements", *n);
}

KUNIT_ARRAY_PARAM(tcptw_sort, tcptw_sort_sizes, tcptw_sort_size_desc);

/* Random keys with many duplicates: ordered, and nothing lost or torn. */
static void sort_wide(struct kunit *test)
{
	u32 n = *(const u32 *)test->param_value, i;
	struct tcptw_test_wide *a;
	u64 ids = 0;

	a = kunit_kcalloc(test, max(n, 1U), sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < n; i++) {
		a[i].key = get_random_u32() % 97;
		a[i].id = i;
		a[i].check = a[i].key * 1000003 + i;
	}
	tcptw_sort(a, n, sizeof(*a), tcptw_test_wide_cmp);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, a[i].check, a[i].key * 1000003 + a[i].id);
		ids += a[i].id;
		if (i)
			KUNIT_EXPECT_LT(test, tcptw_test_wide_cmp(&a[i - 1], &a[i]),
					0);
	}
	KUNIT_EXPECT_EQ(test, ids, n ? (u64)n * (n - 1) / 2 : 0);
}

static void sort_narrow(struct kunit *test)
{
	u32 n = *(const u32 *)test->param_value, i, seen = 0;
	struct tcptw_test_narrow *a;
	u64 ids = 0;

	a = kunit_kcalloc(test, max(n, 1U), sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < n; i++) {
		a[i].key = get_random_u32();
		a[i].id_lo = i & 0xff;
		a[i].id_hi = i >> 8;
	}
	tcptw_sort(a, n, sizeof(*a), tcptw_test_narrow_cmp);
	for (i = 0; i < n; i++) {
		ids += a[i].id_lo | (a[i].id_hi << 8);
		seen++;
		if (i)
			KUNIT_EXPECT_LE(test, a[i - 1].key, a[i].key);
	}
	KUNIT_EXPECT_EQ(test, seen, n);
	KUNIT_EXPECT_EQ(test, ids, n ? (u64)n * (n - 1) / 2 : 0);
}

static __always_inline bool tcptw_test_wide_before(const void *rows, u32 a,
						   u32 b)
{
	const struct tcptw_test_wide *r = rows;

	return tcptw_test_wide_cmp(&r[a], &r[b]) < 0;
}

/*
 * tcptw_isort_first() and tcptw_permute() for k of none, one, a third, two
 * thirds and all: the first k rows are those tcptw_sort() puts first, in
 * order, and no row is lost or torn.
 */
static void sort_index_first(struct kunit *test)
{
	u32 n = *(const u32 *)test->param_value, i, j, t;
	struct tcptw_test_wide *a, *sorted;
	const u32 ks[] = { 0, 1, n / 3, 2 * n / 3, n };
	u32 *idx;

	a = kunit_kcalloc(test, max(n, 1U), sizeof(*a), GFP_KERNEL);
	sorted = kunit_kcalloc(test, max(n, 1U), sizeof(*a), GFP_KERNEL);
	idx = kunit_kcalloc(test, max(n, 1U), sizeof(*idx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	for (t = 0; t < ARRAY_SIZE(ks); t++) {
		u64 ids = 0;

		for (i = 0; i < n; i++) {
			a[i].key = get_random_u32() % 97;
			a[i].id = i;
			a[i].check = a[i].key * 1000003 + i;
		}
		memcpy(sorted, a, n * sizeof(*a));
		tcptw_sort(sorted, n, sizeof(*a), tcptw_test_wide_cmp);
		tcptw_isort_first(idx, n, ks[t], a, tcptw_test_wide_before);
		for (j = 0; j < ks[t]; j++)
			KUNIT_EXPECT_EQ_MSG(test, idx[j], sorted[j].id,
					    "k %u: index %u", ks[t], j);
		tcptw_permute(a, sizeof(*a), idx, n);
		for (i = 0; i < n; i++) {
			if (i < ks[t])
				KUNIT_EXPECT_EQ_MSG(test, a[i].id, sorted[i].id,
						    "k %u: row %u", ks[t], i);
			KUNIT_EXPECT_EQ(test, a[i].check,
					a[i].key * 1000003 + a[i].id);
			/* The index is used up: each entry its own position. */
			KUNIT_EXPECT_EQ(test, idx[i], i);
			ids += a[i].id;
		}
		KUNIT_EXPECT_EQ(test, ids, n ? (u64)n * (n - 1) / 2 : 0);
	}
}

static struct kunit_case tcptw_sort_cases[] = {
	KUNIT_CASE_PARAM(sort_wide, tcptw_sort_gen_params),
	KUNIT_CASE_PARAM(sort_narrow, tcptw_sort_gen_params),
	KUNIT_CASE_PARAM(sort_index_first, tcptw_sort_gen_params),
	{}
};

static struct kunit_suite tcptw_sort_suite = {
	.name = "tcptw_sort",
	.test_cases = tcptw_sort_cases,
};

kunit_test_suites(&tcptw_sort_suite);
