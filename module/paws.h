/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PAWS rejects per (peer, local port): the table and log (paws.c) and the
 * hooks that feed them (paws_hooks.c). Included by tcptw.h, after struct
 * tcptw_addr.
 */
#ifndef _TCPTW_PAWS_H
#define _TCPTW_PAWS_H

struct net;
struct sk_buff;
struct tcphdr;

/*
 * The paths a PAWS reject can come from. The first four are rejects (the
 * "rejects" column, the peer's "paws"); old ACKs are counted beside them.
 */
enum tcptw_paws_path {
	TCPTW_PAWS_ESTAB,
	TCPTW_PAWS_SYN_SENT,
	TCPTW_PAWS_SYN_RECV,
	TCPTW_PAWS_TW,
	TCPTW_PAWS_NR_REJECT_PATHS,
	TCPTW_PAWS_OLD_ACK = TCPTW_PAWS_NR_REJECT_PATHS,
	TCPTW_PAWS_NR_PATHS
};

/* One refused segment, as a hook saw it. */
struct tcptw_paws_event {
	struct tcptw_addr peer;
	u16 sport;
	u16 lport;
	u8 path;
	bool syn;
	bool ack;
	bool has_ts_recent;
	u32 tsval;
	u32 tsecr;
	u32 ts_recent;
};

/* One (peer, local port) row of the PAWS table. */
struct tcptw_paws_row {
	struct tcptw_addr peer;
	u16 lport;
	u16 nr_sports;
	u16 nr_syn_sports;
	u16 sports[TCPTW_PAWS_SPORTS_MAX];
	u16 syn_sports[TCPTW_PAWS_SPORTS_MAX];	/* of tw_syn rejects */
	u64 paths[TCPTW_PAWS_NR_PATHS];
	u64 tw_syn;
	u64 last;		/* jiffies64 of the last reject */
};

u64 tcptw_paws_row_rejects(const struct tcptw_paws_row *row);
bool tcptw_paws_row_nat(const struct tcptw_paws_row *row);
void tcptw_paws_row_count(struct tcptw_paws_row *row,
			  const struct tcptw_paws_event *ev);
bool tcptw_paws_path_present(unsigned int path);

/* A namespace's PAWS table, copied out for one read. */
struct tcptw_paws_snap {
	struct tcptw_paws_row *rows;
	u32 nr;
	struct tcptw_paws_row other;
	u64 other_rejects;
	u64 dropped;
	u64 totals[TCPTW_PAWS_NR_PATHS];
	u64 since;		/* jiffies64 counting began or was reset */
};

int tcptw_paws_snapshot(struct net *net, struct tcptw_paws_snap *snap);
void tcptw_paws_snap_free(struct tcptw_paws_snap *snap);
void tcptw_paws_reset(struct net *net);

#define TCPTW_PAWS_LOG_LEN	128
struct tcptw_paws_log_entry {
	u64 when;		/* jiffies64 */
	struct tcptw_paws_event ev;
};

u32 tcptw_paws_log_copy(struct net *net, struct tcptw_paws_log_entry *out);
const char *tcptw_paws_path_name(unsigned int path);

bool tcptw_tcp_timestamps(const struct tcphdr *th, unsigned int len,
			  u32 *tsval, u32 *tsecr);

/*
 * Between the table and the hooks. tcptw_paws_record() counts one reject in
 * @net from any context the hooks run in, without sleeping or allocating.
 */
void tcptw_paws_record(struct net *net, const struct tcptw_paws_event *ev);
bool tcptw_paws_event_from_skb(const struct sk_buff *skb, u8 path,
			       struct tcptw_paws_event *ev);
int tcptw_paws_hooks_init(void);
void tcptw_paws_hooks_exit(void);

#endif /* _TCPTW_PAWS_H */
