/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The /proc/tcptw text format: the one contract between tcptw.ko and every
 * reader (the tcptw tool, the tests, operators' scripts). Documented here once;
 * the module renders from these tables and the tool parses with them.
 */
#ifndef _TCPTW_FORMAT_H
#define _TCPTW_FORMAT_H

/*
 * Layout
 * ------
 *
 *   tcptw 1.0                     <- "tcptw", a space, MAJOR.MINOR
 *   tw_count 123                  <- summary: one "key value" per line
 *   ...
 *                                 <- one empty line ends the summary
 *   peer tw tw_in tw_out ...      <- header row of the peer table
 *   192.0.2.7 120 120 0 ...       <- one row per remote address
 *   other 4 ...                   <- only when the peer cap was reached
 *                                    (sockets or, 1.1, PAWS rejects of
 *                                    peers left without a row)
 *                                 <- empty line
 *   tuple used range pct          <- header row of the port table (1.1)
 *   10.0.0.2>192.0.2.9:5432 ...   <- top max_tuples outbound tuples
 *                                 <- empty line
 *   paws_peer lport rejects ...   <- header row of the PAWS table (1.1)
 *   203.0.113.7 443 412 ...       <- one row per (peer, local port)
 *   other - 3 ...                 <- only when the PAWS cap was reached
 *
 * Fields are separated by exactly one space, lines end in '\n', every number
 * is unsigned decimal. A value that does not exist is written "-".
 *
 * Versioning
 * ----------
 * MINOR grows when something is added: summary keys (anywhere in the
 * summary), columns (at the end of a table) or whole tables (after the last
 * one, each preceded by an empty line and opened by a header row whose first
 * column names the table). Readers therefore look keys up by name, columns by
 * their header, skip tables whose first header column they do not know, and
 * accept any MINOR. MAJOR grows only if a key, column or table is removed or
 * changes meaning; readers must refuse a MAJOR they do not know.
 *
 * What is counted
 * ---------------
 * The reader's own network namespace (that of the process that opens the
 * file), nothing else: every socket in that namespace's TCP established hash
 * (net->ipv4.tcp_death_row.hashinfo), which holds full sockets in every
 * connected state, request sockets (SYN_RECV) and the TIME_WAIT and FIN_WAIT2
 * minisockets of closed connections. Listening sockets are not in that hash
 * and are not counted. One walk is made per open(): everything read from one
 * file descriptor is one consistent snapshot, however small the reads.
 *
 * A socket's state is the one /proc/net/tcp{,6} prints in its "st" column: a
 * request socket is SYN_RECV, a minisocket is its substate (TIME_WAIT or
 * FIN_WAIT2). A socket's peer is its remote address; an IPv6 socket whose
 * remote address is IPv4-mapped (::ffff:a.b.c.d) counts under the IPv4
 * address a.b.c.d.
 */

#define TCPTW_FORMAT_NAME	"tcptw"
#define TCPTW_FORMAT_MAJOR	1
#define TCPTW_FORMAT_MINOR	2

/*
 * Summary keys, in the order the module writes them.
 * X(identifier, "key")
 *
 * tw_count          sockets in TIME_WAIT found by the walk.
 * tw_buckets        TIME-WAIT minisockets charged against tcp_max_tw_buckets:
 *                   the kernel's own count (tcp_death_row.tw_refcount - 1),
 *                   which includes orphaned FIN_WAIT2 minisockets; equals
 *                   "tw" in /proc/net/sockstat.
 * tw_max            net.ipv4.tcp_max_tw_buckets of this namespace.
 * tw_pressure_pct   100 * tw_buckets / tw_max, rounded down; 100 when tw_max
 *                   is 0 (every TIME-WAIT is refused). May exceed 100 right
 *                   after tw_max was lowered.
 * tw_overflow       TcpExt TCPTimeWaitOverflow: TIME-WAIT refused because the
 *                   bucket limit was reached ("time wait bucket table
 *                   overflow"); the connection was closed without TIME-WAIT.
 * tw_expired        TcpExt TW: minisockets (TIME_WAIT and orphaned FIN_WAIT2)
 *                   given their full timeout. Despite both names, the kernel
 *                   counts a socket when it enters TIME-WAIT
 *                   (__inet_twsk_schedule), not when it expires; the rate of
 *                   this counter is the rate of new TIME-WAIT.
 * tw_reused         TcpExt TWRecycled: TIME-WAIT 4-tuples reused by connect()
 *                   (net.ipv4.tcp_tw_reuse).
 * paws_estab        TcpExt PAWSEstab: segments dropped by PAWS on existing
 *                   connections and request sockets; TIME-WAIT included on
 *                   kernels without paws_timewait.
 * paws_active       TcpExt PAWSActive: SYN-ACKs dropped by PAWS in SYN_SENT.
 * port_range        net.ipv4.ip_local_port_range as "low-high".
 * ehash_buckets     buckets in the established hash that was walked.
 * sockets           sockets walked in this namespace, of every kind.
 * peers             rows in the peer table, "other" not included.
 * peers_max         the cap on rows in force: the module parameter max_peers,
 *                   or, when the reader's memory cgroup refused the table
 *                   more room, the rows it had then (fewer than max_peers;
 *                   the rest is summed into "other" as with the parameter).
 * walk_us           microseconds the walk took.
 * peers_truncated   written only when the cap left sockets without a row:
 *                   how many sockets were summed into the "other" row
 *                   because their peer had no row. (Their distinct peers are
 *                   not counted: that would need the memory the cap exists
 *                   to bound.)
 * paws_rej_estab, paws_rej_syn_sent, paws_rej_syn_recv, paws_rej_tw (1.1)
 *                   PAWS rejects tcptw attributed, per path, since
 *                   paws_since_s: estab a segment refused by a full socket in
 *                   any synchronised state, syn_sent a SYN-ACK refused in
 *                   SYN_SENT (1.2: only those the kernel counts in
 *                   paws_active; a SYN without ACK refused in SYN_SENT, the
 *                   crossed-SYN case, is in no kernel counter and not here
 *                   either), syn_recv a segment refused by a request socket
 *                   (tcp_check_req), tw a segment refused by a TIME-WAIT
 *                   minisocket. They add up to the kernel's counters: over
 *                   any interval
 *                     delta(paws_active)   == delta(syn_sent)
 *                   and, on kernels that have paws_timewait,
 *                     delta(paws_estab)    == delta(estab + syn_recv)
 *                     delta(paws_timewait) == delta(tw)
 *                   or, on kernels that do not,
 *                     delta(paws_estab)    == delta(estab + syn_recv + tw).
 *                   Known exception: a Fast Open child socket's PAWS reject
 *                   in SYN_RECV on kernels that give tcp_check_req() a drop
 *                   reason (6.15 and later) is counted by the kernel but
 *                   drops with the reason TCP_FASTOPEN, which tcptw cannot
 *                   tell from other Fast Open drops.
 * paws_since_s      seconds since PAWS counting began in this namespace (the
 *                   module was loaded or the namespace created) or was reset.
 * paws_rows         rows in the PAWS table, "other" not included.
 * paws_max          the cap on PAWS rows per namespace (module parameter
 *                   paws_max) in force.
 * paws_other        rejects summed into the PAWS table's "other" row: the cap
 *                   was reached when their (peer, port) was new, or (1.2)
 *                   they are counted in paws_dropped.
 * nat_suspects      peer table rows whose nat column is 1.
 * tuples            distinct outbound tuples (see the port table).
 * tuples_max        the cap on port table rows (module parameter
 *                   max_tuples) in force.
 * port_usage_max_pct the largest pct of any tuple, 0 when there is none.
 * paws_timewait (1.2) TcpExt PAWSTimewait: segments dropped by PAWS on a
 *                   TIME-WAIT minisocket, on kernels that count them apart
 *                   (6.16 and later); "-" on kernels without the counter.
 * paws_old_ack (1.2) TcpExt PAWSOldAck: old duplicate ACKs dropped by PAWS
 *                   without a reply, on kernels that count them apart (6.17
 *                   and later); "-" on kernels without the counter.
 * paws_rej_old_ack (1.2) old ACKs tcptw attributed since paws_since_s
 *                   (drop reason TCP_RFC7323_PAWS_ACK): equals
 *                   delta(paws_old_ack); "-" where the kernel has no such
 *                   path. Not part of any table's rejects or the peer's paws.
 * paws_dropped (1.2) rejects summed into the PAWS table's "other" row although
 *                   the cap was not reached: no free row was at hand when
 *                   their (peer, port) was new (the hooks never allocate:
 *                   they may run where sleeping is forbidden, PREEMPT_RT
 *                   included; rows are allocated ahead and refilled from a
 *                   work item). Also part of paws_other; 0 in normal
 *                   running.
 *
 * All counters are those of the reader's namespace. The TcpExt counters are
 * cumulative since the namespace was created, as in /proc/net/netstat; the
 * paws_rej_* counters and the PAWS table since paws_since_s.
 */
#define TCPTW_SUMMARY_KEYS(X)				\
	X(TW_COUNT,		"tw_count")		\
	X(TW_BUCKETS,		"tw_buckets")		\
	X(TW_MAX,		"tw_max")		\
	X(TW_PRESSURE_PCT,	"tw_pressure_pct")	\
	X(TW_OVERFLOW,		"tw_overflow")		\
	X(TW_EXPIRED,		"tw_expired")		\
	X(TW_REUSED,		"tw_reused")		\
	X(PAWS_ESTAB,		"paws_estab")		\
	X(PAWS_ACTIVE,		"paws_active")		\
	X(PORT_RANGE,		"port_range")		\
	X(EHASH_BUCKETS,	"ehash_buckets")	\
	X(SOCKETS,		"sockets")		\
	X(PEERS,		"peers")		\
	X(PEERS_MAX,		"peers_max")		\
	X(WALK_US,		"walk_us")		\
	X(PEERS_TRUNCATED,	"peers_truncated")	\
	X(PAWS_REJ_ESTAB,	"paws_rej_estab")	\
	X(PAWS_REJ_SYN_SENT,	"paws_rej_syn_sent")	\
	X(PAWS_REJ_SYN_RECV,	"paws_rej_syn_recv")	\
	X(PAWS_REJ_TW,		"paws_rej_tw")		\
	X(PAWS_SINCE_S,		"paws_since_s")		\
	X(PAWS_ROWS,		"paws_rows")		\
	X(PAWS_MAX,		"paws_max")		\
	X(PAWS_OTHER,		"paws_other")		\
	X(NAT_SUSPECTS,		"nat_suspects")		\
	X(TUPLES,		"tuples")		\
	X(TUPLES_MAX,		"tuples_max")		\
	X(PORT_USAGE_MAX_PCT,	"port_usage_max_pct")	\
	X(PAWS_TIMEWAIT,	"paws_timewait")	\
	X(PAWS_OLD_ACK,		"paws_old_ack")		\
	X(PAWS_REJ_OLD_ACK,	"paws_rej_old_ack")	\
	X(PAWS_DROPPED,		"paws_dropped")

/*
 * Peer table columns, in order. X(identifier, "header")
 *
 * peer           remote address: IPv4 dotted quad, IPv6 in RFC 5952 form, or
 *                the literal "other" for the row summing peers beyond the cap.
 * tw             TIME_WAIT sockets (st 06).
 * tw_in, tw_out  tw split by who opened the connection: tw_in the peer
 *                (inbound, we were the server), tw_out us (outbound). A
 *                minisocket does not remember who connected, so the module
 *                decides from the local port, in this order:
 *                  1. a socket of this namespace listens on the local port
 *                     (any local address): inbound;
 *                  2. the local port lies in ip_local_port_range: outbound;
 *                  3. otherwise: inbound (a fixed service port whose
 *                     listener is gone).
 *                A client that bind()s a fixed port outside the ephemeral
 *                range is counted inbound. tw_in + tw_out == tw.
 * estab ... close one column per socket state, each counting the sockets
 *                whose /proc/net/tcp "st" is that state: estab 01,
 *                syn_sent 02, syn_recv 03 (request sockets and Fast Open
 *                children), fin_wait1 04, fin_wait2 05 (full sockets and
 *                orphaned minisockets alike), close_wait 08, last_ack 09,
 *                closing 0B, close 07 (a socket caught while closing).
 * tw_ttl_min_ms, tw_ttl_max_ms
 *                the least and the most time, in milliseconds, left to any of
 *                this peer's TIME_WAIT sockets; "-" when tw is 0.
 * paws (1.1)     PAWS rejects attributed to this peer since paws_since_s:
 *                the sum of its rows' rejects in the PAWS table.
 * nat (1.1)      1 when one of its PAWS table rows has nat 1, else 0.
 *
 * A peer with PAWS rejects but no socket left still has a row (every socket
 * column 0). Rows are sorted by tw, largest first, then by paws, largest
 * first, then by address: IPv4 before IPv6, each in numeric (network byte)
 * order. The "other" row comes last.
 */
#define TCPTW_PEER_COLUMNS(X)				\
	X(PEER,			"peer")			\
	X(TW,			"tw")			\
	X(TW_IN,		"tw_in")		\
	X(TW_OUT,		"tw_out")		\
	X(ESTAB,		"estab")		\
	X(SYN_SENT,		"syn_sent")		\
	X(SYN_RECV,		"syn_recv")		\
	X(FIN_WAIT1,		"fin_wait1")		\
	X(FIN_WAIT2,		"fin_wait2")		\
	X(CLOSE_WAIT,		"close_wait")		\
	X(LAST_ACK,		"last_ack")		\
	X(CLOSING,		"closing")		\
	X(CLOSE,		"close")		\
	X(TW_TTL_MIN_MS,	"tw_ttl_min_ms")	\
	X(TW_TTL_MAX_MS,	"tw_ttl_max_ms")	\
	X(PAWS,			"paws")			\
	X(NAT,			"nat")

/*
 * Port table (1.1): client port exhaustion. connect() needs a local port
 * that no other connection from the same local address to the same remote
 * address and port holds, in any state, TIME_WAIT included; when every port
 * of ip_local_port_range is taken for a tuple, connect() fails with
 * EADDRNOTAVAIL. A socket is outbound by the rule of tw_in/tw_out above (no
 * listener on its local port, local port inside ip_local_port_range),
 * whatever its state. X(identifier, "header")
 *
 * tuple          "LOCAL>REMOTE:PORT": our address, the remote address and
 *                port, e.g. "10.0.0.2>192.0.2.9:5432" or
 *                "fd00::2>[fd00::9]:5432". IPv4-mapped addresses are
 *                written as IPv4.
 * used           outbound sockets of the tuple, every state: each holds one
 *                local port of the range.
 * range          ports in ip_local_port_range (high - low + 1).
 * pct            100 * used / range, rounded down: 100 means the next
 *                connect() to REMOTE:PORT from LOCAL fails.
 *
 * Only the max_tuples rows with the largest pct are written, sorted by pct,
 * then used, largest first, then by tuple (local, remote, port in numeric
 * order, IPv4 before IPv6). The summary's tuples counts them all.
 */
#define TCPTW_TUPLE_COLUMNS(X)				\
	X(TUPLE,		"tuple")		\
	X(USED,			"used")			\
	X(RANGE,		"range")		\
	X(PCT,			"pct")

/*
 * PAWS table (1.1): every PAWS reject tcptw saw, attributed to the remote
 * address and our local port, kept across reads until reset. At most
 * paws_max rows per namespace; rejects of a further (peer, port) are summed
 * into an "other" row (lport "-"). X(identifier, "header")
 *
 * paws_peer      remote address (as the peer column), or "other".
 * lport          our local port: the service a NAT's clients were refused.
 * rejects        estab + syn_sent + syn_recv + tw.
 * estab ... tw   rejects per path, as the paws_rej_* summary keys.
 * sports         distinct remote ports the rejected segments came from,
 *                counted up to 16 (16 means "16 or more").
 * tw_syn         SYNs (without ACK) refused by a TIME-WAIT minisocket: a new
 *                connection whose timestamp is behind the one the previous
 *                connection on the same 4-tuple ended with. One host's
 *                timestamps do not go backwards on one 4-tuple (Linux
 *                derives its timestamp offset from the 4-tuple, so reusing it
 *                reuses the offset); several hosts behind one address do.
 * nat            1 when the row's tw_syn came from 2 or more distinct remote
 *                ports: new connections from several ports of one address,
 *                each refused for a timestamp behind its 4-tuple's last, look
 *                like several hosts sharing the address (NAT). Any other
 *                reject (a segment without SYN, a SYN-ACK, a SYN refused
 *                elsewhere than in TIME-WAIT) never sets it, and the "other"
 *                row is always 0 (its rejects belong to many peers). 1.1 set
 *                it also for sports >= 2 or a single tw_syn. The column is a
 *                heuristic flag whose rule 1.2 narrowed (fewer false
 *                positives), not a new quantity: a reader that shows or
 *                alerts on it needs no change, so MINOR, not MAJOR, moved.
 * age_s          seconds since the last reject of this row.
 * old_ack (1.2)  old ACKs dropped by PAWS (paws_rej_old_ack) for this row;
 *                "-" where the kernel has no such path. Not in rejects: the
 *                kernel itself calls old ACKs common.
 *
 * Sorted by rejects, largest first, then by address, then by lport.
 *
 * Writing to /proc/tcptw
 * ----------------------
 * The one command is "reset paws" (a trailing newline is allowed): it
 * empties the PAWS table, zeroes the paws_rej_* counters and restarts
 * paws_since_s, for the writer's namespace only. It needs CAP_NET_ADMIN
 * over that namespace (checked against the opener's credentials), else
 * EPERM. Any other write fails with EINVAL and changes nothing.
 */
#define TCPTW_PAWS_COLUMNS(X)				\
	X(PAWS_PEER,		"paws_peer")		\
	X(LPORT,		"lport")		\
	X(REJECTS,		"rejects")		\
	X(P_ESTAB,		"estab")		\
	X(P_SYN_SENT,		"syn_sent")		\
	X(P_SYN_RECV,		"syn_recv")		\
	X(P_TW,			"tw")			\
	X(SPORTS,		"sports")		\
	X(TW_SYN,		"tw_syn")		\
	X(P_NAT,		"nat")			\
	X(AGE_S,		"age_s")		\
	X(P_OLD_ACK,		"old_ack")

#define TCPTW_PAWS_SPORTS_MAX	16
#define TCPTW_PAWS_RESET_CMD	"reset paws"

#define TCPTW_OTHER_PEER	"other"
#define TCPTW_NO_VALUE		"-"

#define TCPTW_KEY_ENUM(id, name)	TCPTW_KEY_##id,
#define TCPTW_COL_ENUM(id, name)	TCPTW_COL_##id,
enum tcptw_summary_key { TCPTW_SUMMARY_KEYS(TCPTW_KEY_ENUM) TCPTW_NR_KEYS };

enum tcptw_peer_column { TCPTW_PEER_COLUMNS(TCPTW_COL_ENUM) TCPTW_NR_COLS };

enum tcptw_tuple_column {
	TCPTW_TUPLE_COLUMNS(TCPTW_COL_ENUM) TCPTW_NR_TUPLE_COLS
};

enum tcptw_paws_column {
	TCPTW_PAWS_COLUMNS(TCPTW_COL_ENUM) TCPTW_NR_PAWS_COLS
};

#undef TCPTW_KEY_ENUM
#undef TCPTW_COL_ENUM

#endif /* _TCPTW_FORMAT_H */
