/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of tcptw.ko share: the per-socket record the walk produces,
 * the peer table it is folded into, and the report that /proc/tcptw renders.
 */
#ifndef _TCPTW_H
#define _TCPTW_H

#include <linux/in6.h>
#include <linux/types.h>
#include <net/tcp_states.h>

#include "tcptw_format.h"

struct net;
struct seq_file;

/* Default and limits of the max_peers module parameter. */
#define TCPTW_MAX_PEERS_DEFAULT	65536U
#define TCPTW_MAX_PEERS_LIMIT	1048576U

extern unsigned int tcptw_max_peers;

/*
 * A remote address. IPv4 is kept IPv4-mapped (::ffff:a.b.c.d) so that both
 * families compare and hash the same way; family says how to print it.
 */
struct tcptw_addr {
	struct in6_addr in6;
	u16 family;
};

/* One socket as the walk saw it under its bucket lock. */
struct tcptw_sock_rec {
	struct tcptw_addr peer;
	u16 local_port;
	u8 state;		/* as /proc/net/tcp's "st" shows it */
	u32 tw_ttl_ms;		/* TIME_WAIT only: time left */
};

struct tcptw_peer {
	struct tcptw_addr addr;
	u32 hash_next;		/* index + 1 of the next peer in the chain */
	u32 states[TCP_MAX_STATES];
	u32 tw_in;
	u32 tw_out;
	u32 tw_ttl_min_ms;
	u32 tw_ttl_max_ms;
};

/*
 * Peers of one read. At most @max rows; sockets of further peers are summed
 * into @other. Growable arrays instead of a list keep sorting cheap.
 */
struct tcptw_peer_table {
	struct tcptw_peer *peers;
	u32 nr;
	u32 alloc;
	u32 max;
	u32 *heads;		/* index + 1 of the first peer, 0 if empty */
	u32 hash_mask;
	u32 hash_seed;
	struct tcptw_peer other;
	u64 other_sockets;
};

void tcptw_peer_table_init(struct tcptw_peer_table *table, u32 max_peers);
void tcptw_peer_table_destroy(struct tcptw_peer_table *table);
int tcptw_peer_table_add(struct tcptw_peer_table *table,
			 const struct tcptw_sock_rec *rec, bool inbound);
void tcptw_peer_table_sort(struct tcptw_peer_table *table);

/* What one walk of a namespace's established hash found. */
struct tcptw_walk_result {
	u64 sockets;
	u64 tw_count;
	u32 ehash_buckets;
	int port_lo;		/* ip_local_port_range the TIME-WAIT */
	int port_hi;		/* direction was decided with */
	u64 walk_us;
};

int tcptw_walk(struct net *net, struct tcptw_peer_table *table,
	       struct tcptw_walk_result *result);

/* One read's snapshot: summary values and the sorted peer table. */
struct tcptw_report {
	u64 val[TCPTW_NR_KEYS];
	int port_lo;
	int port_hi;
	struct tcptw_peer_table table;
};

int tcptw_report_build(struct tcptw_report *report, struct net *net,
		       u32 max_peers);
void tcptw_report_free(struct tcptw_report *report);
void tcptw_report_show_summary(struct seq_file *m,
			       const struct tcptw_report *report);
void tcptw_report_show_peer(struct seq_file *m, const struct tcptw_peer *peer,
			    bool is_other);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals the KUnit suites in kunit/ call directly. */
struct sock;
void tcptw_rec_fill_peer(struct tcptw_sock_rec *rec, const struct sock *sk);
bool tcptw_tw_inbound(bool listened, u16 local_port, int port_lo,
		      int port_hi);
u64 tcptw_pressure_pct(u64 used, u64 max);
#endif

int tcptw_proc_init(void);
void tcptw_proc_exit(void);

#endif /* _TCPTW_H */
