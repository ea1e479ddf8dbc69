/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What several KUnit suites share: tables and reports that the test owns, a
 * seq_file over a test-owned buffer (what seq_read() hands to show()), and
 * addresses written the way people read them. Static inline: the test module
 * exports nothing.
 */
#ifndef _TCPTW_TEST_H
#define _TCPTW_TEST_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "tcptw.h"

#define TCPTW_TEST_BUF	4096

/*
 * Tables and reports owned by the test: released when it ends, also when an
 * assertion ended it early (kunit_kzalloc() would free the struct only, not
 * the arrays it points to).
 */
static inline int tcptw_test_peers_init(struct kunit_resource *res, void *max)
{
	struct tcptw_peer_table *table = kzalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return -ENOMEM;
	tcptw_peer_table_init(table, *(u32 *)max);
	res->data = table;
	return 0;
}

static inline void tcptw_test_peers_free(struct kunit_resource *res)
{
	tcptw_peer_table_destroy(res->data);
	kfree(res->data);
}

static inline struct tcptw_peer_table *tcptw_test_peer_table(struct kunit *test,
							     u32 max)
{
	struct tcptw_peer_table *table;

	table = kunit_alloc_resource(test, tcptw_test_peers_init,
				     tcptw_test_peers_free, GFP_KERNEL, &max);
	KUNIT_ASSERT_NOT_NULL(test, table);
	return table;
}

static inline int tcptw_test_tuples_init(struct kunit_resource *res,
					 void *unused)
{
	struct tcptw_tuple_table *table = kzalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return -ENOMEM;
	tcptw_tuple_table_init(table);
	res->data = table;
	return 0;
}

static inline void tcptw_test_tuples_free(struct kunit_resource *res)
{
	tcptw_tuple_table_destroy(res->data);
	kfree(res->data);
}

static inline struct tcptw_tuple_table *tcptw_test_tuple_table(struct kunit *test)
{
	struct tcptw_tuple_table *table;

	table = kunit_alloc_resource(test, tcptw_test_tuples_init,
				     tcptw_test_tuples_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, table);
	return table;
}

/* Zeroed: tcptw_report_free() is safe on it whether or not it was built. */
static inline int tcptw_test_report_init(struct kunit_resource *res,
					 void *unused)
{
	struct tcptw_report *r = kzalloc(sizeof(*r), GFP_KERNEL);

	res->data = r;
	return r ? 0 : -ENOMEM;
}

static inline void tcptw_test_report_free(struct kunit_resource *res)
{
	tcptw_report_free(res->data);
	kfree(res->data);
}

static inline struct tcptw_report *tcptw_test_report_alloc(struct kunit *test)
{
	struct tcptw_report *r;

	r = kunit_alloc_resource(test, tcptw_test_report_init,
				 tcptw_test_report_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

static inline struct seq_file *tcptw_test_seq(struct kunit *test)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->buf = kunit_kzalloc(test, TCPTW_TEST_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	m->size = TCPTW_TEST_BUF - 1;
	return m;
}

/* What was written so far, as a string; the buffer must not have overflowed. */
static inline const char *tcptw_test_text(struct kunit *test,
					  struct seq_file *m)
{
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
	m->buf[m->count] = '\0';
	return m->buf;
}

/* @addr in host order, e.g. 0xc0000207 for 192.0.2.7. */
static inline struct tcptw_addr tcptw_test_addr4(u32 addr)
{
	struct tcptw_addr a = { .family = AF_INET };

	ipv6_addr_set_v4mapped(htonl(addr), &a.in6);
	return a;
}

/* @text in any IPv6 notation; an IPv4-mapped one becomes IPv4, as the walk does. */
static inline struct tcptw_addr tcptw_test_addr6(struct kunit *test,
						 const char *text)
{
	struct in6_addr in6;
	struct tcptw_addr a;

	KUNIT_ASSERT_EQ(test, in6_pton(text, -1, in6.s6_addr, -1, NULL), 1);
	tcptw_addr_from_v6(&a, &in6);
	return a;
}

#endif /* _TCPTW_TEST_H */
