// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's BPF anchor: what an engineer writes instead of installing
 * tcptw.ko. An iter/tcp program, pinned by tests/vm/bench-iter.sh, counts
 * TIME-WAIT sockets per IPv4 remote address; reading the pin prints
 * "a.b.c.d COUNT" lines in hash order, to equal /proc/tcptw's tw column.
 *
 * Its limits are kept on purpose, as an afternoon's program would keep them:
 * - AF_INET sockets only: IPv6 peers, and IPv6 sockets with IPv4-mapped
 *   peers (which tcptw counts under the IPv4 address), are not counted.
 * - One reader at a time: every reader shares the map, and the one that
 *   prints it empties it.
 * - All lines are printed at the end of the walk, into bpf_seq_read()'s one
 *   buffer of PAGE_SIZE << 3 (32 KiB): about 2,000 peers of 16 bytes a line,
 *   1,213 of the longest; beyond that the read fails with E2BIG (and the map
 *   is emptied all the same). A read that meets 1,000,000 sockets without
 *   printing (MAX_ITER_OBJECTS) fails with EAGAIN and leaves the map full.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define AF_INET		2
#define TCP_TIME_WAIT	6

struct bpf_map;

/* The fields used, relocated by libbpf against the running kernel's BTF. */
struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct sock_common {
	__be32 skc_daddr;
	unsigned short skc_family;
	unsigned char skc_state;
} __attribute__((preserve_access_index));

struct inet_timewait_sock {
	unsigned char tw_substate;
} __attribute__((preserve_access_index));

struct tcp_timewait_sock {
	struct inet_timewait_sock tw_sk;
} __attribute__((preserve_access_index));

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);	/* tcptw's default max_peers */
	__type(key, __be32);		/* remote address, network order */
	__type(value, __u32);
} tw_per_peer SEC(".maps");

struct print_ctx {
	struct seq_file *seq;
};

static long print_and_delete(struct bpf_map *map, __be32 *addr, __u32 *count,
			     struct print_ctx *pctx)
{
	BPF_SEQ_PRINTF(pctx->seq, "%pI4 %u\n", addr, *count);
	bpf_map_delete_elem(map, addr);
	return 0;
}

SEC("iter/tcp")
int tw_per_peer_dump(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_timewait_sock *tw;
	__u32 one = 1, *count;
	__be32 addr;

	if (!skc) {	/* the end of the walk */
		struct print_ctx pctx = { .seq = ctx->meta->seq };

		bpf_for_each_map_elem(&tw_per_peer, print_and_delete, &pctx, 0);
		return 0;
	}
	if (skc->skc_family != AF_INET || skc->skc_state != TCP_TIME_WAIT)
		return 0;
	/* A TIME_WAIT minisocket may be an orphaned FIN_WAIT2 one: like ss and
	 * /proc/net/tcp, go by its substate.
	 */
	tw = bpf_skc_to_tcp_timewait_sock(skc);
	if (!tw || tw->tw_sk.tw_substate != TCP_TIME_WAIT)
		return 0;
	addr = skc->skc_daddr;
	count = bpf_map_lookup_elem(&tw_per_peer, &addr);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&tw_per_peer, &addr, &one, BPF_NOEXIST);
	return 0;
}

char _license[] SEC("license") = "GPL";
