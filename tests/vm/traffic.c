// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-traffic: puts TCP sockets on loopback into known states with known per-peer counts, so
 * the tcptw VM tests can compare /proc/tcptw against /proc/net/tcp and /proc/net/tcp6.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WAIT_MS		10000
#define LISTEN_BACKLOG		4096
#define BATCH			256
#define FD_LIMIT		4096
#define CLIENT_PORT_FIRST	10000
#define CLIENT_PORT_LAST	65535
#define MAX_HELD		1024
#define MAX_ROWS		64
#define MAX_TW_COUNT		10000000L
#define HOST_LEN		INET6_ADDRSTRLEN
#define EP_LEN			(INET6_ADDRSTRLEN + 16)
#define CONN_LEN		(2 * EP_LEN + 8)
#define LOOPBACK4		0x7f000001u

/* Small enough that a few KB fill the window; the kernel doubles these values. */
#define TINY_RCVBUF		2048
#define TINY_SNDBUF		4096

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __noreturn		__attribute__((noreturn))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

static const char usage_text[] =
	"usage: tcptw-traffic scenario [--base 127.0.1.0] [--v6base fd00:1::] [--port 9000]\n"
	"                              [--ready FILE]\n"
	"       tcptw-traffic demo [--ready FILE]\n"
	"       tcptw-traffic tw COUNT [--src 127.0.5.1] [--peers 1] [--port 9100]\n"
	"       tcptw-traffic paws PATH [--addr 127.0.0.1] [--port 9700] [--count 3]\n"
	"       tcptw-traffic ports --count N [--tw 0] [--extra] [--addr 127.0.0.1]\n"
	"                           [--port 9800] [--ready FILE]\n"
	"\n"
	"scenario and demo create their sockets, print a summary, write \"ready\" to FILE\n"
	"and hold everything open until SIGTERM or SIGINT.  tw makes COUNT server-side\n"
	"TIME-WAIT sockets from each of --peers addresses counting up from --src to\n"
	"127.0.0.1:PORT and exits.\n"
	"\n"
	"paws makes a connection to ADDR:PORT from ADDR, then injects COUNT raw segments\n"
	"with a TSval 1000 s in the past that the kernel rejects on one PAWS path: estab\n"
	"(TcpExt PAWSEstab, established server socket), syn_recv (PAWSEstab, request\n"
	"socket of a TCP_DEFER_ACCEPT listener), syn_sent (PAWSActive, SYN-ACKs to a\n"
	"client whose SYNs a full listener drops) or tw (PAWSTimewait where the kernel\n"
	"has it, else PAWSEstab; one SYN into each of COUNT server-side TIME-WAIT).\n"
	"Segments that must not count as a NAT: tw_ack, tw_synack (as tw, an ACK or a\n"
	"SYN-ACK each), syn_recv_syn (a SYN into each of COUNT request sockets),\n"
	"estab_syn (a SYN into each of COUNT established sockets: PAWSEstab on 6.1, a\n"
	"challenge ACK on 6.12 and 7.x).  old_ack: COUNT old duplicate ACKs into an\n"
	"established socket (PAWSOldAck from 6.17, PAWSEstab before).  syn_sent_syn:\n"
	"COUNT SYNs without ACK into a SYN_SENT socket that took over a TIME-WAIT,\n"
	"refused by PAWS but counted in no MIB, then one SYN taken as crossed SYN.\n"
	"tun_estab, tun_tw: as estab and tw, written into a tun device (ADDR the peer\n"
	"beyond it, ADDR with last byte 1 ours; needs /dev/net/tun).  It exits after\n"
	"printing one line:\n"
	"  paws PATH injected COUNT peer ADDR lport PORT sports P1,P2,...\n"
	"peer and lport are the remote address and local port of the rejecting socket,\n"
	"sports the source port of each injected segment.\n"
	"\n"
	"ports opens N connections to ADDR:PORT with plain connect(), so ports come from\n"
	"ip_local_port_range; the first K (--tw) are closed client first and left in\n"
	"TIME-WAIT.  --extra tries one more connect() and prints \"extra EADDRNOTAVAIL\",\n"
	"\"extra connected PORT\" or \"extra ERRNAME\".  Then it prints\n"
	"  ports used N local ADDR remote ADDR:PORT\n"
	"(an IPv6 remote in brackets), writes FILE and holds everything like scenario.\n";

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct sock_opts {
	int backlog;		/* listeners; 0 means LISTEN_BACKLOG */
	int dual_stack;		/* AF_INET6 listeners: also take IPv4 as v4-mapped */
	int rcvbuf;		/* 0 keeps the kernel default */
	int sndbuf;
	int defer_accept;	/* seconds */
	int ephemeral;		/* clients: connect() picks the port, as real clients do */
};

struct conn {
	int client;
	int server;
	unsigned short client_port;
};

enum closer { SERVER_CLOSES_FIRST, CLIENT_CLOSES_FIRST };

/* Every fd we keep, with the state it must still be in when we announce ready. */
struct held {
	int fd;
	int state;
	const char *what;
};

struct holdings {
	struct held sock[MAX_HELD];
	int n;
};

/* One line of the summary: how many sockets /proc/net/tcp{,6} should show for a remote. */
struct row {
	int item;
	const char *kind;
	int v6;
	char remote[HOST_LEN];
	int state;
	int count;
};

struct options {
	const char *ready;
	uint32_t base;
	struct in6_addr v6base;
	uint32_t src;
	unsigned int port;
	long count;
	long peers;		/* tw: source addresses, counting up from src */
	union sockaddr_any addr;	/* paws, ports: server address, port 0 */
	const char *path;	/* paws */
	long tw;		/* ports: connections to leave in TIME-WAIT */
	int extra;		/* ports: try one connect() more */
};

static void die(const char *fmt, ...) __noreturn __printf(1, 2);
static void die_errno(const char *fmt, ...) __noreturn __printf(1, 2);

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("tcptw-traffic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("tcptw-traffic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static void usage(void) __noreturn;
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void bad_option(const char *fmt, ...) __noreturn __printf(1, 2);
static void bad_option(const char *fmt, ...)
{
	va_list ap;

	fputs("tcptw-traffic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage();
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_1ms(void)
{
	struct timespec ts = { .tv_nsec = 1000000 };

	/* An interrupted sleep only makes the caller poll sooner. */
	nanosleep(&ts, NULL);
}

static const char *const state_names[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

static const char *state_name(int state)
{
	if (state > 0 && state < (int)ARRAY_SIZE(state_names))
		return state_names[state];
	return "UNKNOWN";
}

static socklen_t sa_len(const union sockaddr_any *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in4);
}

static unsigned short sa_port(const union sockaddr_any *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in4.sin_port);
}

static void sa_set_port(union sockaddr_any *a, unsigned short port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
	else
		a->in4.sin_port = htons(port);
}

static union sockaddr_any ipv4(uint32_t addr, unsigned short port)
{
	union sockaddr_any a;

	memset(&a, 0, sizeof(a));
	a.in4.sin_family = AF_INET;
	a.in4.sin_addr.s_addr = htonl(addr);
	a.in4.sin_port = htons(port);
	return a;
}

/* @base plus @offset in its low 32 bits, which is how peers are numbered. */
static union sockaddr_any ipv6(const struct in6_addr *base, uint32_t offset, unsigned short port)
{
	union sockaddr_any a;
	uint32_t low;

	memset(&a, 0, sizeof(a));
	a.in6.sin6_family = AF_INET6;
	a.in6.sin6_addr = *base;
	memcpy(&low, &a.in6.sin6_addr.s6_addr[12], sizeof(low));
	low = htonl(ntohl(low) + offset);
	memcpy(&a.in6.sin6_addr.s6_addr[12], &low, sizeof(low));
	a.in6.sin6_port = htons(port);
	return a;
}

static union sockaddr_any ipv4_mapped(uint32_t addr)
{
	static const struct in6_addr prefix = { .s6_addr = { [10] = 0xff, [11] = 0xff } };

	return ipv6(&prefix, addr, 0);
}

static const char *host_str(const union sockaddr_any *a, char *buf)
{
	const void *addr = a->sa.sa_family == AF_INET6 ? (const void *)&a->in6.sin6_addr :
							 (const void *)&a->in4.sin_addr;

	if (!inet_ntop(a->sa.sa_family, addr, buf, HOST_LEN))
		snprintf(buf, HOST_LEN, "?");
	return buf;
}

static const char *endpoint_str(const union sockaddr_any *a, char *buf)
{
	char host[HOST_LEN];

	host_str(a, host);
	if (a->sa.sa_family == AF_INET6)
		snprintf(buf, EP_LEN, "[%s]:%u", host, sa_port(a));
	else
		snprintf(buf, EP_LEN, "%s:%u", host, sa_port(a));
	return buf;
}

/* "local -> remote" of a socket, for error messages; "?" where the kernel has no answer. */
static const char *conn_str(int fd, char *buf)
{
	union sockaddr_any local, peer;
	socklen_t len = sizeof(local);
	char l[EP_LEN] = "?", p[EP_LEN] = "?";

	if (!getsockname(fd, &local.sa, &len))
		endpoint_str(&local, l);
	len = sizeof(peer);
	if (!getpeername(fd, &peer.sa, &len))
		endpoint_str(&peer, p);
	snprintf(buf, CONN_LEN, "%s -> %s", l, p);
	return buf;
}

static unsigned short local_port(int fd)
{
	union sockaddr_any a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, &a.sa, &len))
		die_errno("getsockname");
	return sa_port(&a);
}

static unsigned short peer_port(int fd)
{
	union sockaddr_any a;
	socklen_t len = sizeof(a);

	if (getpeername(fd, &a.sa, &len))
		die_errno("getpeername");
	return sa_port(&a);
}

static void close_fd(int fd)
{
	/* Linux releases the fd even when close() reports EINTR. */
	if (close(fd) && errno != EINTR)
		die_errno("close");
}

static void set_int_opt(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)))
		die_errno("setsockopt(%s)", what);
}

static int tcp_socket(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);

	if (fd < 0)
		die_errno("socket");
	return fd;
}

static void set_buffers(int fd, const struct sock_opts *opts)
{
	if (opts->rcvbuf)
		set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, opts->rcvbuf, "SO_RCVBUF");
	if (opts->sndbuf)
		set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, opts->sndbuf, "SO_SNDBUF");
}

static void get_tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);
	char desc[CONN_LEN];

	memset(ti, 0, sizeof(*ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
		die_errno("getsockopt(TCP_INFO) on %s", conn_str(fd, desc));
}

static int tcp_state(int fd)
{
	struct tcp_info ti;

	get_tcp_info(fd, &ti);
	return ti.tcpi_state;
}

/* Returns 0 if @deadline passes before @fd reports any of @events (or an error). */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			die_errno("poll");
	}
}

static void wait_state(int fd, int state, const char *what)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char desc[CONN_LEN];
	int cur;

	while ((cur = tcp_state(fd)) != state) {
		if (now_ms() >= deadline)
			die("%s %s: still %s after %d ms, expected %s", what, conn_str(fd, desc),
			    state_name(cur), MAX_WAIT_MS, state_name(state));
		sleep_1ms();
	}
}

/* For a listener, TCP_INFO reports the accept queue length in tcpi_unacked. */
static void wait_accept_queue(int lfd, unsigned int len)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char desc[CONN_LEN];
	struct tcp_info ti;

	for (get_tcp_info(lfd, &ti); ti.tcpi_unacked != len; get_tcp_info(lfd, &ti)) {
		if (now_ms() >= deadline)
			die("listener %s: accept queue holds %u after %d ms, expected %u",
			    conn_str(lfd, desc), ti.tcpi_unacked, MAX_WAIT_MS, len);
		sleep_1ms();
	}
}

static int listen_on(const union sockaddr_any *addr, const struct sock_opts *opts)
{
	static const struct sock_opts defaults;
	char ep[EP_LEN];
	int fd = tcp_socket(addr->sa.sa_family);

	opts = opts ?: &defaults;
	set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (addr->sa.sa_family == AF_INET6)
		set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, !opts->dual_stack, "IPV6_V6ONLY");
	/* Set before listen() so that accepted sockets inherit them. */
	set_buffers(fd, opts);
	if (opts->defer_accept)
		set_int_opt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, opts->defer_accept,
			    "TCP_DEFER_ACCEPT");
	if (bind(fd, &addr->sa, sa_len(addr)))
		die_errno("bind listener to %s", endpoint_str(addr, ep));
	if (listen(fd, opts->backlog ?: LISTEN_BACKLOG))
		die_errno("listen on %s", endpoint_str(addr, ep));
	return fd;
}

/*
 * Client ports are chosen here and do not repeat until the range wraps, which only a huge
 * "tw" count reaches.  With port 0 the kernel may hand out a port that was just freed, and a
 * SYN matching the 4-tuple of a server-side TIME-WAIT recycles that TIME-WAIT, which would
 * leave a peer one socket short.
 */
static unsigned short next_client_port(void)
{
	static unsigned int next = CLIENT_PORT_FIRST;
	unsigned short port = next;

	next = next >= CLIENT_PORT_LAST ? CLIENT_PORT_FIRST : next + 1;
	return port;
}

/* Binds to @addr's address and a fresh port, which is stored back into @addr. */
static void bind_client(int fd, union sockaddr_any *addr)
{
	char ep[EP_LEN];
	int tries;

	/* Skip ports that collide with our own listeners or with leftovers of an earlier run. */
	for (tries = 0; tries < 1000; tries++) {
		sa_set_port(addr, next_client_port());
		if (!bind(fd, &addr->sa, sa_len(addr)))
			return;
		if (errno != EADDRINUSE)
			break;
	}
	die_errno("bind client to %s", endpoint_str(addr, ep));
}

/*
 * Binds to @addr's address only; connect() then takes a port from
 * ip_local_port_range and checks the whole 4-tuple, TIME-WAIT included, as
 * for any outbound connection. The module counts such TIME-WAIT as tw_out.
 */
static void bind_ephemeral(int fd, union sockaddr_any *addr)
{
	char ep[EP_LEN];
	int one = 1;

	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)))
		die_errno("setsockopt(IP_BIND_ADDRESS_NO_PORT)");
	sa_set_port(addr, 0);
	if (bind(fd, &addr->sa, sa_len(addr)))
		die_errno("bind client to %s", endpoint_str(addr, ep));
}

/* Starts a non-blocking connect; on loopback the handshake is usually done on return. */
static int open_client(const union sockaddr_any *src, const union sockaddr_any *dst,
		       const struct sock_opts *opts)
{
	union sockaddr_any local = *src;
	char s[EP_LEN], d[EP_LEN];
	int fd = tcp_socket(src->sa.sa_family);

	if (opts)
		set_buffers(fd, opts);
	if (opts && opts->ephemeral)
		bind_ephemeral(fd, &local);
	else
		bind_client(fd, &local);
	if (connect(fd, &dst->sa, sa_len(dst)) && errno != EINPROGRESS)
		die_errno("connect %s -> %s", endpoint_str(&local, s), endpoint_str(dst, d));
	return fd;
}

static void wait_connected(int fd)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	socklen_t len = sizeof(int);
	char desc[CONN_LEN];
	int err = 0;

	if (!wait_fd(fd, POLLOUT, deadline)) {
		errno = ETIMEDOUT;
		die_errno("connect %s", conn_str(fd, desc));
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die_errno("getsockopt(SO_ERROR)");
	if (err) {
		errno = err;
		die_errno("connect %s", conn_str(fd, desc));
	}
}

static int accept_conn(int lfd)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char desc[CONN_LEN];

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0)
			return fd;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die_errno("accept on %s", conn_str(lfd, desc));
		if (!wait_fd(lfd, POLLIN, deadline)) {
			errno = ETIMEDOUT;
			die_errno("waiting for a connection on %s", conn_str(lfd, desc));
		}
	}
}

/* Reads until the peer's FIN; no peer here ever sends data, so data is a bug. */
static void wait_eof(int fd)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char desc[CONN_LEN];
	char buf[64];

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r == 0)
			return;
		if (r > 0)
			die("unexpected data on %s", conn_str(fd, desc));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die_errno("read from %s", conn_str(fd, desc));
		if (!wait_fd(fd, POLLIN, deadline)) {
			errno = ETIMEDOUT;
			die_errno("waiting for EOF on %s", conn_str(fd, desc));
		}
	}
}

/* Queues data until the send buffer is full, so that a later FIN sits behind unsendable data. */
static void fill_send_buffer(int fd)
{
	static const char junk[16384];
	char desc[CONN_LEN];
	int i;

	for (i = 0; i < 1024; i++) {
		ssize_t r = send(fd, junk, sizeof(junk), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r >= 0 || errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		die_errno("send on %s", conn_str(fd, desc));
	}
	die("send buffer of %s never filled", conn_str(fd, desc));
}

/* The FIN is stuck only while data that the peer's zero window refuses is still unsent. */
static void check_fin_is_stuck(int fd)
{
	char desc[CONN_LEN];
	int unsent = 0;

	if (ioctl(fd, SIOCOUTQNSD, &unsent))
		die_errno("ioctl(SIOCOUTQNSD) on %s", conn_str(fd, desc));
	if (unsent <= 0)
		die("%s: no unsent data queued before the FIN, the zero window did not hold",
		    conn_str(fd, desc));
}

static void shut_wr(int fd)
{
	char desc[CONN_LEN];

	if (shutdown(fd, SHUT_WR))
		die_errno("shutdown(SHUT_WR) on %s", conn_str(fd, desc));
}

/* Connects @n clients to listener @lfd and pairs each with the socket accept() returns for it. */
static void connect_pairs(const union sockaddr_any *src, const union sockaddr_any *dst, int lfd,
			  const struct sock_opts *opts, struct conn *conn, int n)
{
	char desc[CONN_LEN];
	int i, j;

	for (i = 0; i < n; i++) {
		conn[i].client = open_client(src, dst, opts);
		conn[i].client_port = local_port(conn[i].client);
		conn[i].server = -1;
	}
	for (i = 0; i < n; i++)
		wait_connected(conn[i].client);
	for (i = 0; i < n; i++) {
		int fd = accept_conn(lfd);
		unsigned short port = peer_port(fd);

		for (j = 0; j < n; j++)
			if (conn[j].server < 0 && conn[j].client_port == port)
				break;
		if (j == n)
			die("accepted a connection nobody asked for: %s", conn_str(fd, desc));
		conn[j].server = fd;
	}
}

/*
 * Opens and closes @count connections, connecting and accepting in batches.  The side that
 * closes second waits for the first side's FIN before closing, so the first closer ends in
 * TIME_WAIT and the second one, after LAST_ACK, disappears.
 *
 * The second closer closes right after its EOF, one connection at a time: it delays the ACK of
 * a FIN, hoping to send it with its own FIN, and if the delayed-ACK timer fired first, that
 * stale ACK could reach the TIME-WAIT socket after the FIN (see stay_on_one_cpu()).
 */
static void cycle_connections(const union sockaddr_any *src, const union sockaddr_any *dst,
			      int lfd, long count, enum closer first)
{
	int client[BATCH], server[BATCH];
	int *closes_first = first == SERVER_CLOSES_FIRST ? server : client;
	int *closes_last = first == SERVER_CLOSES_FIRST ? client : server;
	/* The side that closes first keeps the TIME-WAIT: a real client's port. */
	const struct sock_opts outbound = { .ephemeral = 1 };
	const struct sock_opts *opts = first == CLIENT_CLOSES_FIRST ? &outbound : NULL;

	while (count > 0) {
		int n = count < BATCH ? (int)count : BATCH;
		int i;

		for (i = 0; i < n; i++)
			client[i] = open_client(src, dst, opts);
		for (i = 0; i < n; i++)
			server[i] = accept_conn(lfd);
		for (i = 0; i < n; i++) {
			close_fd(closes_first[i]);
			wait_eof(closes_last[i]);
			close_fd(closes_last[i]);
		}
		count -= n;
	}
}

static void hold(struct holdings *h, int fd, int state, const char *what)
{
	if (h->n >= MAX_HELD)
		die("more than %d sockets to keep open", MAX_HELD);
	h->sock[h->n++] = (struct held){ .fd = fd, .state = state, .what = what };
}

static void verify_holdings(const struct holdings *h)
{
	char desc[CONN_LEN];
	int i;

	for (i = 0; i < h->n; i++) {
		int state = tcp_state(h->sock[i].fd);

		if (state != h->sock[i].state)
			die("%s %s is %s, expected %s", h->sock[i].what,
			    conn_str(h->sock[i].fd, desc), state_name(state),
			    state_name(h->sock[i].state));
	}
}

static void add_rtattr(struct nlmsghdr *nh, size_t cap, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > cap)
		die("netlink request too large");
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
}

struct netlink {
	int fd;
	unsigned int seq;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} reply;
};

static void netlink_open(struct netlink *nl)
{
	struct timeval tv = { .tv_sec = MAX_WAIT_MS / 1000 };

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		die_errno("netlink socket");
	/* Bounds every recv() below. */
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die_errno("setsockopt(SO_RCVTIMEO)");
}

/* Sends @req and returns the kernel's first answer to it: data or an NLMSG_ERROR. */
static const struct nlmsghdr *netlink_ask(struct netlink *nl, struct nlmsghdr *req,
					  const char *what)
{
	int tries;

	req->nlmsg_seq = ++nl->seq;
	if (send(nl->fd, req, req->nlmsg_len, 0) < 0)
		die_errno("%s", what);
	for (tries = 0; tries < 16; tries++) {
		ssize_t len = recv(nl->fd, &nl->reply, sizeof(nl->reply), 0);
		struct nlmsghdr *nh;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			die_errno("netlink reply to %s", what);
		for (nh = &nl->reply.nh; NLMSG_OK(nh, (unsigned int)len); nh = NLMSG_NEXT(nh, len))
			if (nh->nlmsg_seq == nl->seq)
				return nh;
	}
	die("no netlink reply to %s", what);
}

static int netlink_error(const struct nlmsghdr *nh)
{
	if (nh->nlmsg_type != NLMSG_ERROR)
		return 0;
	return ((const struct nlmsgerr *)NLMSG_DATA(nh))->error;
}

static void add_ipv6_address_to_lo(struct netlink *nl, unsigned int ifindex,
				   const struct in6_addr *addr, const char *what)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[2 * RTA_SPACE(sizeof(struct in6_addr))];
	} req;
	int err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	req.ifa.ifa_family = AF_INET6;
	req.ifa.ifa_prefixlen = 128;
	/* Without NODAD the address would stay tentative and bind() would fail. */
	req.ifa.ifa_flags = IFA_F_NODAD;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = ifindex;
	add_rtattr(&req.nh, sizeof(req), IFA_LOCAL, addr, sizeof(*addr));
	add_rtattr(&req.nh, sizeof(req), IFA_ADDRESS, addr, sizeof(*addr));
	err = netlink_error(netlink_ask(nl, &req.nh, what));
	/* An address left over from an earlier run is as good as a new one. */
	if (err && err != -EEXIST) {
		errno = -err;
		die_errno("%s", what);
	}
}

static int ipv6_routes_to_host(struct netlink *nl, const struct in6_addr *addr, const char *what)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm;
		char attrs[RTA_SPACE(sizeof(struct in6_addr))];
	} req;
	const struct nlmsghdr *nh;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rtm));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.rtm.rtm_family = AF_INET6;
	req.rtm.rtm_dst_len = 128;
	add_rtattr(&req.nh, sizeof(req), RTA_DST, addr, sizeof(*addr));
	nh = netlink_ask(nl, &req.nh, what);
	return nh->nlmsg_type == RTM_NEWROUTE &&
	       ((const struct rtmsg *)NLMSG_DATA(nh))->rtm_type == RTN_LOCAL;
}

/*
 * With NODAD a new address can be bound at once, but the kernel installs its local route from
 * a workqueue a little later; a SYN-ACK sent before that is lost and costs a 1 s retransmit.
 */
static void wait_ipv6_local_route(struct netlink *nl, const struct in6_addr *addr,
				  const char *what)
{
	long long deadline = now_ms() + MAX_WAIT_MS;

	while (!ipv6_routes_to_host(nl, addr, what)) {
		if (now_ms() >= deadline) {
			errno = ETIMEDOUT;
			die_errno("waiting for the local route of %s", what);
		}
		sleep_1ms();
	}
}

/* The IPv6 peers need their own addresses on lo; IPv4 has all of 127.0.0.0/8 already. */
static void add_ipv6_peer_addresses(const struct in6_addr *base, uint32_t first, uint32_t n)
{
	unsigned int ifindex = if_nametoindex("lo");
	struct netlink *nl = malloc(sizeof(*nl));
	uint32_t i;

	if (!ifindex)
		die_errno("if_nametoindex(lo)");
	if (!nl)
		die_errno("malloc");
	netlink_open(nl);
	wait_ipv6_local_route(nl, &in6addr_loopback, "::1");
	for (i = 0; i < n; i++) {
		union sockaddr_any a = ipv6(base, first + i, 0);
		char what[HOST_LEN + 32];
		char host[HOST_LEN];

		snprintf(what, sizeof(what), "add %s/128 to lo", host_str(&a, host));
		add_ipv6_address_to_lo(nl, ifindex, &a.in6.sin6_addr, what);
	}
	for (i = 0; i < n; i++) {
		union sockaddr_any a = ipv6(base, first + i, 0);
		char host[HOST_LEN];

		wait_ipv6_local_route(nl, &a.in6.sin6_addr, host_str(&a, host));
	}
	close_fd(nl->fd);
	free(nl);
}

/*
 * Loopback queues each packet on the CPU that sends it.  With more than one CPU, a delayed ACK
 * sent from a timer on another CPU can arrive after the FIN that close() sent here; the
 * TIME-WAIT socket answers the stale ACK, the peer (gone by then) answers with a RST, and the
 * RST kills the TIME-WAIT (RFC 1337 assassination), leaving a peer short.  Seen on 6.1 under
 * QEMU TCG with 2 vCPUs.  On one CPU our packets are processed in the order they were sent.
 */
static void stay_on_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		die_errno("sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die_errno("sched_setaffinity");
}

static void raise_fd_limit(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die_errno("getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die_errno("raise RLIMIT_NOFILE to %lu", (unsigned long)want);
}

static void write_ready_file(const char *path)
{
	char tmp[4096];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		die("ready file name too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno("create %s", tmp);
	if (write(fd, "ready\n", 6) != 6)
		die_errno("write %s", tmp);
	close_fd(fd);
	/* Readers must never see an empty or half-written file. */
	if (rename(tmp, path))
		die_errno("rename %s to %s", tmp, path);
}

/* Everything stays open until SIGTERM/SIGINT; exiting then lets the kernel tear it down. */
static void announce_ready_and_hold(const char *ready_file) __noreturn;
static void announce_ready_and_hold(const char *ready_file)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before announcing, so a signal sent right after "ready" is never lost. */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die_errno("sigprocmask");
	if (fflush(stdout))
		die_errno("write summary");
	if (ready_file)
		write_ready_file(ready_file);
	while (sigwaitinfo(&set, NULL) < 0) {
		if (errno != EINTR)
			die_errno("sigwaitinfo");
	}
	exit(0);
}

/* scenario */

/* Listeners, one port each, counted from --port. */
enum {
	LST_MAIN,		/* 127.0.0.1 */
	LST_OUTBOUND,		/* base + PEER_OUTBOUND, the remote end of outbound TIME-WAIT */
	LST_V6,			/* [::1], IPV6_V6ONLY */
	LST_DUAL,		/* [::], takes IPv4 as v4-mapped */
	LST_BACKLOG,		/* backlog 1, never accepts */
	LST_DEFER,		/* TCP_DEFER_ACCEPT, keeps request sockets */
	LST_ZERO_WINDOW,	/* tiny receive buffer, never reads */
	LST_LAST_ACK,		/* tiny send buffer */
	NR_LISTENERS,
	SCENARIO_PORTS = 10,	/* ports reserved from --port on */
};

/* IPv4 peers as offsets from --base; one address per kind keeps the per-peer counts apart. */
enum {
	PEER_TW_LAST = 8,	/* 1..8: peer k makes k server-side TIME-WAIT */
	PEER_MAPPED = 20,
	PEER_ESTABLISHED,
	PEER_FIN_WAIT2,
	PEER_ORPHAN_FIN_WAIT2,
	PEER_BACKLOG,
	PEER_SYN_SENT,
	PEER_SYN_RECV,
	PEER_FIN_WAIT1,
	PEER_CLOSING,
	PEER_LAST_ACK,
	PEER_OUTBOUND = 0x101,	/* 127.0.2.1 with the default base */
	PEER_SPAN = PEER_OUTBOUND,
};

/* IPv6 peers as offsets from --v6base. */
enum {
	PEER6_TW_A = 1,
	PEER6_TW_B,
	PEER6_ESTABLISHED,
	NR_PEER6 = PEER6_ESTABLISHED,
};

/* TCP_DEFER_ACCEPT keeps request sockets for about this long (63 s with the 1 s initial RTO). */
#define DEFER_ACCEPT_SECS	60

struct scenario {
	uint32_t base;
	struct in6_addr v6base;
	unsigned short port;
	int listener[NR_LISTENERS];
	struct holdings held;
	struct row rows[MAX_ROWS];
	int nrows;
};

static union sockaddr_any peer4(const struct scenario *sc, uint32_t k)
{
	return ipv4(sc->base + k, 0);
}

static union sockaddr_any peer6(const struct scenario *sc, uint32_t k)
{
	return ipv6(&sc->v6base, k, 0);
}

static union sockaddr_any server4(const struct scenario *sc, int lst)
{
	return ipv4(LOOPBACK4, sc->port + lst);
}

static union sockaddr_any server6(const struct scenario *sc, int lst)
{
	return ipv6(&in6addr_loopback, 0, sc->port + lst);
}

/* Records that /proc/net/tcp{,6} should show @count sockets in @state towards @remote. */
static void expect(struct scenario *sc, int item, const char *kind,
		   const union sockaddr_any *remote, int state, int count)
{
	struct row *r;

	if (sc->nrows >= MAX_ROWS)
		die("too many summary rows");
	r = &sc->rows[sc->nrows++];
	r->item = item;
	r->kind = kind;
	r->v6 = remote->sa.sa_family == AF_INET6;
	host_str(remote, r->remote);
	r->state = state;
	r->count = count;
}

static void open_scenario_listeners(struct scenario *sc)
{
	const struct sock_opts backlog_one = { .backlog = 1 };
	const struct sock_opts defer = { .defer_accept = DEFER_ACCEPT_SECS };
	const struct sock_opts dual = { .dual_stack = 1 };
	const struct sock_opts zero_window = { .rcvbuf = TINY_RCVBUF, .sndbuf = TINY_SNDBUF };
	const struct sock_opts tiny_sndbuf = { .sndbuf = TINY_SNDBUF };
	union sockaddr_any a;
	int i;

	a = server4(sc, LST_MAIN);
	sc->listener[LST_MAIN] = listen_on(&a, NULL);
	a = ipv4(sc->base + PEER_OUTBOUND, sc->port + LST_OUTBOUND);
	sc->listener[LST_OUTBOUND] = listen_on(&a, NULL);
	a = server6(sc, LST_V6);
	sc->listener[LST_V6] = listen_on(&a, NULL);
	a = ipv6(&in6addr_any, 0, sc->port + LST_DUAL);
	sc->listener[LST_DUAL] = listen_on(&a, &dual);
	a = server4(sc, LST_BACKLOG);
	sc->listener[LST_BACKLOG] = listen_on(&a, &backlog_one);
	a = server4(sc, LST_DEFER);
	sc->listener[LST_DEFER] = listen_on(&a, &defer);
	a = server4(sc, LST_ZERO_WINDOW);
	sc->listener[LST_ZERO_WINDOW] = listen_on(&a, &zero_window);
	a = server4(sc, LST_LAST_ACK);
	sc->listener[LST_LAST_ACK] = listen_on(&a, &tiny_sndbuf);
	for (i = 0; i < NR_LISTENERS; i++)
		hold(&sc->held, sc->listener[i], TCP_LISTEN, "listener");
}

/* Item 1: peer base+k has k server-side TIME-WAIT sockets. */
static void make_server_side_time_wait(struct scenario *sc)
{
	union sockaddr_any dst = server4(sc, LST_MAIN);
	int k;

	for (k = 1; k <= PEER_TW_LAST; k++) {
		union sockaddr_any src = peer4(sc, k);

		cycle_connections(&src, &dst, sc->listener[LST_MAIN], k, SERVER_CLOSES_FIRST);
		expect(sc, 1, "server-side TIME-WAIT", &src, TCP_TIME_WAIT, k);
	}
}

/* Item 2: we are the client and close first, so TIME_WAIT faces the server address. */
static void make_client_side_time_wait(struct scenario *sc)
{
	union sockaddr_any src = ipv4(LOOPBACK4, 0);
	union sockaddr_any dst = ipv4(sc->base + PEER_OUTBOUND, sc->port + LST_OUTBOUND);

	cycle_connections(&src, &dst, sc->listener[LST_OUTBOUND], 5, CLIENT_CLOSES_FIRST);
	expect(sc, 2, "client-side (outbound) TIME-WAIT", &dst, TCP_TIME_WAIT, 5);
}

/* Item 3. */
static void make_ipv6_time_wait(struct scenario *sc)
{
	union sockaddr_any dst = server6(sc, LST_V6);
	union sockaddr_any a = peer6(sc, PEER6_TW_A), b = peer6(sc, PEER6_TW_B);

	cycle_connections(&a, &dst, sc->listener[LST_V6], 3, SERVER_CLOSES_FIRST);
	cycle_connections(&b, &dst, sc->listener[LST_V6], 2, SERVER_CLOSES_FIRST);
	expect(sc, 3, "IPv6 server-side TIME-WAIT", &a, TCP_TIME_WAIT, 3);
	expect(sc, 3, "IPv6 server-side TIME-WAIT", &b, TCP_TIME_WAIT, 2);
}

/* Item 4: IPv4 into a dual-stack listener leaves AF_INET6 TIME-WAIT with v4-mapped addresses. */
static void make_v4_mapped_time_wait(struct scenario *sc)
{
	union sockaddr_any src = peer4(sc, PEER_MAPPED), dst = server4(sc, LST_DUAL);
	union sockaddr_any mapped = ipv4_mapped(sc->base + PEER_MAPPED);

	cycle_connections(&src, &dst, sc->listener[LST_DUAL], 4, SERVER_CLOSES_FIRST);
	expect(sc, 4, "v4-mapped server-side TIME-WAIT", &mapped, TCP_TIME_WAIT, 4);
}

/* Item 5. */
static void make_established(struct scenario *sc)
{
	union sockaddr_any src4 = peer4(sc, PEER_ESTABLISHED), dst4 = server4(sc, LST_MAIN);
	union sockaddr_any src6 = peer6(sc, PEER6_ESTABLISHED), dst6 = server6(sc, LST_V6);
	struct conn c4[6], c6[2];
	int i;

	connect_pairs(&src4, &dst4, sc->listener[LST_MAIN], NULL, c4, ARRAY_SIZE(c4));
	connect_pairs(&src6, &dst6, sc->listener[LST_V6], NULL, c6, ARRAY_SIZE(c6));
	for (i = 0; i < (int)ARRAY_SIZE(c4); i++) {
		hold(&sc->held, c4[i].client, TCP_ESTABLISHED, "item 5 client");
		hold(&sc->held, c4[i].server, TCP_ESTABLISHED, "item 5 server");
	}
	for (i = 0; i < (int)ARRAY_SIZE(c6); i++) {
		hold(&sc->held, c6[i].client, TCP_ESTABLISHED, "item 5 IPv6 client");
		hold(&sc->held, c6[i].server, TCP_ESTABLISHED, "item 5 IPv6 server");
	}
	expect(sc, 5, "ESTABLISHED, server side", &src4, TCP_ESTABLISHED, ARRAY_SIZE(c4));
	expect(sc, 5, "ESTABLISHED, client side", &dst4, TCP_ESTABLISHED, ARRAY_SIZE(c4));
	expect(sc, 5, "IPv6 ESTABLISHED, server side", &src6, TCP_ESTABLISHED, ARRAY_SIZE(c6));
	expect(sc, 5, "IPv6 ESTABLISHED, client side", &dst6, TCP_ESTABLISHED, ARRAY_SIZE(c6));
}

/* Item 6: a half-closed client that is not orphaned keeps a full FIN_WAIT2 socket forever. */
static void make_fin_wait2_and_close_wait(struct scenario *sc)
{
	union sockaddr_any src = peer4(sc, PEER_FIN_WAIT2), dst = server4(sc, LST_MAIN);
	struct conn c[3];
	int i;

	connect_pairs(&src, &dst, sc->listener[LST_MAIN], NULL, c, ARRAY_SIZE(c));
	for (i = 0; i < (int)ARRAY_SIZE(c); i++) {
		shut_wr(c[i].client);
		wait_state(c[i].client, TCP_FIN_WAIT2, "item 6 client");
		wait_eof(c[i].server);
		hold(&sc->held, c[i].client, TCP_FIN_WAIT2, "item 6 client");
		hold(&sc->held, c[i].server, TCP_CLOSE_WAIT, "item 6 server");
	}
	expect(sc, 6, "CLOSE_WAIT, server side", &src, TCP_CLOSE_WAIT, ARRAY_SIZE(c));
	expect(sc, 6, "FIN_WAIT2 full socket, client side", &dst, TCP_FIN_WAIT2, ARRAY_SIZE(c));
}

/*
 * Item 7: closing a socket already in FIN_WAIT2 hands it to a timewait minisocket in the
 * FIN_WAIT2 substate for tcp_fin_timeout (60 s).
 */
static void make_orphaned_fin_wait2(struct scenario *sc)
{
	union sockaddr_any src = peer4(sc, PEER_ORPHAN_FIN_WAIT2), dst = server4(sc, LST_MAIN);
	struct conn c[2];
	int i;

	connect_pairs(&src, &dst, sc->listener[LST_MAIN], NULL, c, ARRAY_SIZE(c));
	for (i = 0; i < (int)ARRAY_SIZE(c); i++) {
		shut_wr(c[i].client);
		wait_state(c[i].client, TCP_FIN_WAIT2, "item 7 client");
		wait_eof(c[i].server);
		close_fd(c[i].client);
		hold(&sc->held, c[i].server, TCP_CLOSE_WAIT, "item 7 server");
	}
	expect(sc, 7, "CLOSE_WAIT, server side", &src, TCP_CLOSE_WAIT, ARRAY_SIZE(c));
	expect(sc, 7, "FIN_WAIT2 minisocket, client side", &dst, TCP_FIN_WAIT2, ARRAY_SIZE(c));
}

/*
 * Item 8: the accept queue counts as full once it holds more than the backlog, so with
 * backlog 1 two unaccepted connections make the listener drop every further SYN, and those
 * clients retransmit in SYN_SENT for about two minutes.
 */
static void make_syn_sent(struct scenario *sc)
{
	union sockaddr_any queued = peer4(sc, PEER_BACKLOG), src = peer4(sc, PEER_SYN_SENT);
	union sockaddr_any dst = server4(sc, LST_BACKLOG);
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = open_client(&queued, &dst, NULL);
		wait_connected(fd);
		hold(&sc->held, fd, TCP_ESTABLISHED, "item 8 queued client");
	}
	wait_accept_queue(sc->listener[LST_BACKLOG], 2);
	for (i = 0; i < 3; i++) {
		fd = open_client(&src, &dst, NULL);
		hold(&sc->held, fd, TCP_SYN_SENT, "item 8 SYN_SENT client");
	}
	expect(sc, 8, "ESTABLISHED, never accepted", &queued, TCP_ESTABLISHED, 2);
	expect(sc, 8, "ESTABLISHED, client side", &dst, TCP_ESTABLISHED, 2);
	expect(sc, 8, "SYN_SENT, client side", &dst, TCP_SYN_SENT, 3);
}

/*
 * Item 9: with TCP_DEFER_ACCEPT the listener drops the bare final ACK and keeps a request
 * socket (SYN_RECV) while the client already sees ESTABLISHED.
 */
static void make_syn_recv(struct scenario *sc)
{
	union sockaddr_any src = peer4(sc, PEER_SYN_RECV), dst = server4(sc, LST_DEFER);
	int i;

	for (i = 0; i < 4; i++) {
		int fd = open_client(&src, &dst, NULL);

		wait_connected(fd);
		hold(&sc->held, fd, TCP_ESTABLISHED, "item 9 client");
	}
	/* A child in the accept queue would mean the ACK was not deferred after all. */
	wait_accept_queue(sc->listener[LST_DEFER], 0);
	expect(sc, 9, "SYN_RECV request socket", &src, TCP_SYN_RECV, 4);
	expect(sc, 9, "ESTABLISHED, client side", &dst, TCP_ESTABLISHED, 4);
}

/*
 * Item 10: the server never reads and has a tiny receive buffer, so its window closes and the
 * client's FIN waits behind data (FIN_WAIT1).  If the server then closes its half, its FIN
 * meets the client's unacked one: the client goes CLOSING and the server FIN_WAIT2.
 */
static void make_fin_wait1_and_closing(struct scenario *sc)
{
	const struct sock_opts small = { .sndbuf = TINY_SNDBUF };
	union sockaddr_any src_a = peer4(sc, PEER_FIN_WAIT1), src_b = peer4(sc, PEER_CLOSING);
	union sockaddr_any dst = server4(sc, LST_ZERO_WINDOW);
	int lfd = sc->listener[LST_ZERO_WINDOW];
	struct conn a[2], b[2];
	int i;

	connect_pairs(&src_a, &dst, lfd, &small, a, ARRAY_SIZE(a));
	connect_pairs(&src_b, &dst, lfd, &small, b, ARRAY_SIZE(b));
	for (i = 0; i < 2; i++) {
		fill_send_buffer(a[i].client);
		shut_wr(a[i].client);
		wait_state(a[i].client, TCP_FIN_WAIT1, "item 10 FIN_WAIT1 client");
		check_fin_is_stuck(a[i].client);
		hold(&sc->held, a[i].client, TCP_FIN_WAIT1, "item 10 FIN_WAIT1 client");
		hold(&sc->held, a[i].server, TCP_ESTABLISHED, "item 10 zero-window server");

		fill_send_buffer(b[i].client);
		shut_wr(b[i].client);
		wait_state(b[i].client, TCP_FIN_WAIT1, "item 10 FIN_WAIT1 client");
		check_fin_is_stuck(b[i].client);
		shut_wr(b[i].server);
		wait_state(b[i].client, TCP_CLOSING, "item 10 CLOSING client");
		wait_state(b[i].server, TCP_FIN_WAIT2, "item 10 FIN_WAIT2 server");
		hold(&sc->held, b[i].client, TCP_CLOSING, "item 10 CLOSING client");
		hold(&sc->held, b[i].server, TCP_FIN_WAIT2, "item 10 FIN_WAIT2 server");
	}
	expect(sc, 10, "ESTABLISHED, zero window, server side", &src_a, TCP_ESTABLISHED, 2);
	expect(sc, 10, "FIN_WAIT1, client side", &dst, TCP_FIN_WAIT1, 2);
	expect(sc, 10, "FIN_WAIT2 full socket, server side", &src_b, TCP_FIN_WAIT2, 2);
	expect(sc, 10, "CLOSING, client side", &dst, TCP_CLOSING, 2);
}

/*
 * Item 11: as item 10 in the other direction; the server's FIN waits behind data the
 * half-closed client never reads, so the server sits in LAST_ACK.
 */
static void make_last_ack(struct scenario *sc)
{
	const struct sock_opts small = { .rcvbuf = TINY_RCVBUF };
	union sockaddr_any src = peer4(sc, PEER_LAST_ACK), dst = server4(sc, LST_LAST_ACK);
	struct conn c[2];
	int i;

	connect_pairs(&src, &dst, sc->listener[LST_LAST_ACK], &small, c, ARRAY_SIZE(c));
	for (i = 0; i < (int)ARRAY_SIZE(c); i++) {
		shut_wr(c[i].client);
		wait_state(c[i].client, TCP_FIN_WAIT2, "item 11 client");
		wait_eof(c[i].server);
		fill_send_buffer(c[i].server);
		shut_wr(c[i].server);
		wait_state(c[i].server, TCP_LAST_ACK, "item 11 server");
		check_fin_is_stuck(c[i].server);
		hold(&sc->held, c[i].client, TCP_FIN_WAIT2, "item 11 client");
		hold(&sc->held, c[i].server, TCP_LAST_ACK, "item 11 server");
	}
	expect(sc, 11, "LAST_ACK, server side", &src, TCP_LAST_ACK, ARRAY_SIZE(c));
	expect(sc, 11, "FIN_WAIT2 full socket, client side", &dst, TCP_FIN_WAIT2, ARRAY_SIZE(c));
}

static void print_scenario_summary(const struct scenario *sc, long long elapsed_ms)
{
	char base[HOST_LEN], v6base[HOST_LEN];
	union sockaddr_any a;
	int item, i, j;

	a = ipv4(sc->base, 0);
	host_str(&a, base);
	a = ipv6(&sc->v6base, 0, 0);
	host_str(&a, v6base);
	printf("tcptw-traffic scenario: base %s, v6base %s, ports %u-%u, created in %lld ms\n",
	       base, v6base, sc->port, sc->port + SCENARIO_PORTS - 1, elapsed_ms);
	printf("\n%-4s %-38s %-5s %-22s %-11s %5s\n", "item", "kind", "table", "remote", "state",
	       "count");
	for (item = 1; item <= 11; item++)
		for (i = 0; i < sc->nrows; i++) {
			const struct row *r = &sc->rows[i];

			if (r->item != item)
				continue;
			printf("%-4d %-38s %-5s %-22s %-11s %5d\n", r->item, r->kind,
			       r->v6 ? "tcp6" : "tcp", r->remote, state_name(r->state), r->count);
		}

	/* The same, merged the way a per-remote count of /proc/net/tcp{,6} sees it. */
	printf("\nexpected in /proc/net/tcp{,6} per remote and state, LISTEN aside:\n");
	printf("%-5s %-22s %-11s %5s\n", "table", "remote", "state", "count");
	for (i = 0; i < sc->nrows; i++) {
		const struct row *r = &sc->rows[i];
		int total = 0;

		for (j = 0; j < i; j++)
			if (sc->rows[j].v6 == r->v6 && sc->rows[j].state == r->state &&
			    !strcmp(sc->rows[j].remote, r->remote))
				break;
		if (j < i)
			continue;
		for (j = i; j < sc->nrows; j++)
			if (sc->rows[j].v6 == r->v6 && sc->rows[j].state == r->state &&
			    !strcmp(sc->rows[j].remote, r->remote))
				total += sc->rows[j].count;
		printf("%-5s %-22s %-11s %5d\n", r->v6 ? "tcp6" : "tcp", r->remote,
		       state_name(r->state), total);
	}
}

static void run_scenario(const struct options *opt)
{
	struct scenario *sc = calloc(1, sizeof(*sc));
	long long start = now_ms();

	if (!sc)
		die_errno("calloc");
	sc->base = opt->base;
	sc->v6base = opt->v6base;
	sc->port = opt->port;
	add_ipv6_peer_addresses(&sc->v6base, 1, NR_PEER6);
	open_scenario_listeners(sc);

	/*
	 * States that last until we exit first, then those on a kernel timer (SYN_SENT ~2 min,
	 * SYN_RECV ~63 s, FIN_WAIT2 minisockets and TIME_WAIT 60 s), so the timers start as
	 * late as possible before "ready".
	 */
	make_established(sc);
	make_fin_wait2_and_close_wait(sc);
	make_fin_wait1_and_closing(sc);
	make_last_ack(sc);
	make_syn_sent(sc);
	make_syn_recv(sc);
	make_orphaned_fin_wait2(sc);
	make_v4_mapped_time_wait(sc);
	make_ipv6_time_wait(sc);
	make_client_side_time_wait(sc);
	make_server_side_time_wait(sc);

	verify_holdings(&sc->held);
	print_scenario_summary(sc, now_ms() - start);
	announce_ready_and_hold(opt->ready);
}

/* demo */

#define DEMO_WEB_PORT		8080
#define DEMO_DB_PORT		5432
#define DEMO_WEB_PEER_FIRST	0x7f000a01u	/* 127.0.10.1 */
#define DEMO_WEB_PEERS		300		/* up to 127.0.11.44 */
#define DEMO_DB_ADDR		0x7f001401u	/* 127.0.20.1 */
#define DEMO_DB_CONNS		800
#define DEMO_LONG_PEER_FIRST	0x7f001e01u	/* 127.0.30.1 */
#define DEMO_LONG_PEERS		4
#define DEMO_LONG_PER_PEER	3
#define DEMO_STUCK_PEER		0x7f002801u	/* 127.0.40.1 */
#define DEMO_STUCK_CONNS	2
#define DEMO_V6_PEER_FIRST	0xa0		/* fd00:1::a0 */
#define DEMO_V6_PEERS		8
#define DEMO_V6_LONG_PEERS	4

static const struct in6_addr demo_v6_prefix = { .s6_addr = { 0xfd, 0x00, 0x00, 0x01 } };

/*
 * Requests per web client: a few heavy hitters, a dozen regulars and a long tail of 1-5.
 * Multiplying by 37 (coprime with 300) scatters the ranks over the address range.
 */
static int demo_web_hits(int peer)
{
	static const int heavy[] = { 200, 170, 140, 110 };
	int rank = peer * 37 % DEMO_WEB_PEERS;

	if (rank < (int)ARRAY_SIZE(heavy))
		return heavy[rank];
	if (rank < 16)
		return 40 - 2 * (rank - 4);
	return 1 + (peer * 7 + peer / 5) % 5;
}

static int demo_peer_of_rank(int rank)
{
	int peer;

	for (peer = 0; peer < DEMO_WEB_PEERS; peer++)
		if (peer * 37 % DEMO_WEB_PEERS == rank)
			return peer;
	return 0;
}

static void run_demo(const struct options *opt)
{
	struct holdings *held = calloc(1, sizeof(*held));
	union sockaddr_any web4 = ipv4(LOOPBACK4, DEMO_WEB_PORT);
	union sockaddr_any web6 = ipv6(&in6addr_loopback, 0, DEMO_WEB_PORT);
	union sockaddr_any db = ipv4(DEMO_DB_ADDR, DEMO_DB_PORT);
	union sockaddr_any lo4 = ipv4(LOOPBACK4, 0), src;
	struct conn c[DEMO_LONG_PER_PEER];
	char host[HOST_LEN];
	long long start = now_ms();
	int web4_lfd, web6_lfd, db_lfd;
	int i, j, web_total = 0, v6_total = 0;

	if (!held)
		die_errno("calloc");
	add_ipv6_peer_addresses(&demo_v6_prefix, DEMO_V6_PEER_FIRST, DEMO_V6_PEERS);
	web4_lfd = listen_on(&web4, NULL);
	web6_lfd = listen_on(&web6, NULL);
	db_lfd = listen_on(&db, NULL);
	hold(held, web4_lfd, TCP_LISTEN, "web listener");
	hold(held, web6_lfd, TCP_LISTEN, "IPv6 web listener");
	hold(held, db_lfd, TCP_LISTEN, "db listener");

	/* Keep-alive clients. */
	for (i = 0; i < DEMO_LONG_PEERS; i++) {
		src = ipv4(DEMO_LONG_PEER_FIRST + i, 0);
		connect_pairs(&src, &web4, web4_lfd, NULL, c, DEMO_LONG_PER_PEER);
		for (j = 0; j < DEMO_LONG_PER_PEER; j++) {
			hold(held, c[j].client, TCP_ESTABLISHED, "keep-alive client");
			hold(held, c[j].server, TCP_ESTABLISHED, "keep-alive server");
		}
	}
	for (i = 0; i < DEMO_V6_LONG_PEERS; i++) {
		src = ipv6(&demo_v6_prefix, DEMO_V6_PEER_FIRST + i, 0);
		connect_pairs(&src, &web6, web6_lfd, NULL, c, 1);
		hold(held, c[0].client, TCP_ESTABLISHED, "IPv6 keep-alive client");
		hold(held, c[0].server, TCP_ESTABLISHED, "IPv6 keep-alive server");
	}

	/* Clients that hung up on an app that never closes its end. */
	src = ipv4(DEMO_STUCK_PEER, 0);
	connect_pairs(&src, &web4, web4_lfd, NULL, c, DEMO_STUCK_CONNS);
	for (j = 0; j < DEMO_STUCK_CONNS; j++) {
		close_fd(c[j].client);
		wait_eof(c[j].server);
		hold(held, c[j].server, TCP_CLOSE_WAIT, "CLOSE_WAIT server");
	}

	/* Short requests; the web server closes first and collects the TIME-WAIT. */
	for (i = 0; i < DEMO_WEB_PEERS; i++) {
		src = ipv4(DEMO_WEB_PEER_FIRST + i, 0);
		cycle_connections(&src, &web4, web4_lfd, demo_web_hits(i), SERVER_CLOSES_FIRST);
		web_total += demo_web_hits(i);
	}
	for (i = 0; i < DEMO_V6_PEERS; i++) {
		src = ipv6(&demo_v6_prefix, DEMO_V6_PEER_FIRST + i, 0);
		cycle_connections(&src, &web6, web6_lfd, 3 * (i + 1), SERVER_CLOSES_FIRST);
		v6_total += 3 * (i + 1);
	}

	/* A batch job hammering the database; we close first, so TIME-WAIT faces the db. */
	cycle_connections(&lo4, &db, db_lfd, DEMO_DB_CONNS, CLIENT_CLOSES_FIRST);

	verify_holdings(held);

	printf("tcptw-traffic demo: created in %lld ms\n\n", now_ms() - start);
	printf("web 127.0.0.1:8080: %d requests from %d peers 127.0.10.1-127.0.11.44\n",
	       web_total, DEMO_WEB_PEERS);
	printf("  server closes first: server-side TIME_WAIT; heaviest peers:");
	for (i = 0; i < 16; i++) {
		int peer = demo_peer_of_rank(i);

		src = ipv4(DEMO_WEB_PEER_FIRST + peer, 0);
		printf("%s %s=%d", i % 4 ? "" : "\n   ", host_str(&src, host), demo_web_hits(peer));
	}
	printf("\n  every other peer: 1-5\n");
	printf("web [::1]:8080: %d requests from fd00:1::a0-fd00:1::a7 (3, 6, ... 24)\n",
	       v6_total);
	printf("  server closes first: server-side TIME_WAIT\n");
	printf("db 127.0.20.1:5432: %d connections from 127.0.0.1\n", DEMO_DB_CONNS);
	printf("  client closes first: client-side TIME_WAIT towards 127.0.20.1\n");
	printf("keep-alive: %d ESTABLISHED from 127.0.30.1-127.0.30.%d to 127.0.0.1:8080\n",
	       DEMO_LONG_PEERS * DEMO_LONG_PER_PEER, DEMO_LONG_PEERS);
	printf("keep-alive: %d ESTABLISHED from fd00:1::a0-fd00:1::a%d to [::1]:8080\n",
	       DEMO_V6_LONG_PEERS, DEMO_V6_LONG_PEERS - 1);
	printf("stuck app: %d CLOSE_WAIT from 127.0.40.1 on 127.0.0.1:8080\n", DEMO_STUCK_CONNS);
	printf("  the peer's FIN_WAIT2 ends time out after net.ipv4.tcp_fin_timeout\n");
	printf("TIME_WAIT beyond net.ipv4.tcp_max_tw_buckets is not created by the kernel\n");
	announce_ready_and_hold(opt->ready);
}

/* tw */

static void run_tw(const struct options *opt)
{
	union sockaddr_any src = ipv4(opt->src, 0), dst = ipv4(LOOPBACK4, opt->port);
	char s[EP_LEN], d[EP_LEN];
	long long start = now_ms();
	int lfd = listen_on(&dst, NULL);
	long k;

	/* One process for many peers: spawning one per peer is slow on debug kernels. */
	for (k = 0; k < opt->peers; k++) {
		union sockaddr_any peer = ipv4(opt->src + k, 0);

		cycle_connections(&peer, &dst, lfd, opt->count, SERVER_CLOSES_FIRST);
	}
	/* Beyond net.ipv4.tcp_max_tw_buckets the kernel creates no TIME-WAIT; not our failure. */
	printf("tcptw-traffic tw: %ld connections from each of %ld peers from %s -> %s closed server-first in %lld ms\n",
	       opt->count, opt->peers, host_str(&src, s), endpoint_str(&dst, d),
	       now_ms() - start);
	if (fflush(stdout))
		die_errno("write summary");
	close_fd(lfd);
}

/* raw TCP segments, for paws */

/* TSvals count milliseconds: 1000 s behind what the kernel holds fails PAWS on every path. */
#define PAWS_BEHIND		1000000u
#define MAX_PAWS_COUNT		1000
#define TS_OPTION_LEN		12		/* NOP, NOP, timestamp */
#define SEGMENT_WINDOW		1024
#define SEGMENT_MAX		64
/* Sequence and TSval of a peer that does not exist; any values do. */
#define FAKE_PEER_SEQ		0x50415753u
#define FAKE_PEER_TSVAL		1000u
/* In established, a segment from another incarnation's sequence space, as after NAT reuse. */
#define OTHER_INCARNATION	0x40000000u

struct segment {
	union sockaddr_any src;		/* address and port it claims to come from */
	union sockaddr_any dst;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;			/* TH_* */
	uint32_t tsval;
	uint32_t tsecr;
	int payload;			/* bytes of data */
};

/* What a sniffed segment carried. */
struct seen {
	uint32_t seq;
	uint32_t ack;
	int has_ts;
	uint32_t tsval;
	uint32_t tsecr;
};

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Raw sockets leave the TCP checksum to us.  The IPv4 and IPv6 pseudo-headers differ in
 * layout but add up the same: both addresses, the protocol and the TCP length.
 */
static uint16_t tcp_checksum(const union sockaddr_any *src, const union sockaddr_any *dst,
			     const void *tcp, size_t len)
{
	uint32_t sum = IPPROTO_TCP + (uint32_t)len;

	if (src->sa.sa_family == AF_INET6) {
		sum = csum_add(sum, &src->in6.sin6_addr, sizeof(src->in6.sin6_addr));
		sum = csum_add(sum, &dst->in6.sin6_addr, sizeof(dst->in6.sin6_addr));
	} else {
		sum = csum_add(sum, &src->in4.sin_addr, sizeof(src->in4.sin_addr));
		sum = csum_add(sum, &dst->in4.sin_addr, sizeof(dst->in4.sin_addr));
	}
	return csum_fold(csum_add(sum, tcp, len));
}

/* TCP header, timestamp option and payload of @seg in @buf; returns the length. */
static size_t build_segment(const struct segment *seg, uint8_t buf[SEGMENT_MAX])
{
	uint8_t opt[TS_OPTION_LEN] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP,
				       TCPOLEN_TIMESTAMP };
	size_t len = sizeof(struct tcphdr) + sizeof(opt) + seg->payload;
	uint32_t tsval = htonl(seg->tsval), tsecr = htonl(seg->tsecr);
	struct tcphdr th;

	if (len > SEGMENT_MAX)
		die("segment too large");
	memset(&th, 0, sizeof(th));
	th.th_sport = htons(sa_port(&seg->src));
	th.th_dport = htons(sa_port(&seg->dst));
	th.th_seq = htonl(seg->seq);
	th.th_ack = htonl(seg->ack);
	th.th_off = (sizeof(th) + sizeof(opt)) / 4;
	th.th_flags = seg->flags;
	th.th_win = htons(SEGMENT_WINDOW);
	memcpy(opt + 4, &tsval, sizeof(tsval));
	memcpy(opt + 8, &tsecr, sizeof(tsecr));
	memcpy(buf, &th, sizeof(th));
	memcpy(buf + sizeof(th), opt, sizeof(opt));
	memset(buf + sizeof(th) + sizeof(opt), 'p', seg->payload);
	th.th_sum = htons(tcp_checksum(&seg->src, &seg->dst, buf, len));
	memcpy(buf, &th, sizeof(th));
	return len;
}

static int raw_tcp_socket(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);

	if (fd < 0)
		die_errno("raw socket (needs CAP_NET_RAW)");
	return fd;
}

/* Sends @seg @count times from a raw socket bound to its source address. */
static void send_segments(const struct segment *seg, long count)
{
	union sockaddr_any from = seg->src, to = seg->dst;
	char s[EP_LEN], d[EP_LEN];
	uint8_t buf[SEGMENT_MAX];
	size_t len = build_segment(seg, buf);
	int fd = raw_tcp_socket(seg->src.sa.sa_family);
	long i;

	/* The kernel writes the IP header; bound, it uses our address as the source. */
	sa_set_port(&from, 0);
	sa_set_port(&to, 0);
	if (bind(fd, &from.sa, sa_len(&from)))
		die_errno("bind raw socket to %s", host_str(&from, s));
	for (i = 0; i < count; i++)
		if (sendto(fd, buf, len, 0, &to.sa, sa_len(&to)) != (ssize_t)len)
			die_errno("send segment %s -> %s", endpoint_str(&seg->src, s),
				  endpoint_str(&seg->dst, d));
	close_fd(fd);
}

/*
 * Waits until the kernel has processed every segment this process sent so far, and what those
 * segments made it answer.  Loopback queues a packet on the backlog of the CPU that sends it
 * (stay_on_one_cpu()), in order: a datagram to ourselves that has arrived was queued behind
 * every segment sent before it, all of them processed by then.  Their answers (an ACK, and the
 * RST our stack gives that ACK) are queued behind the datagram, so each further round flushes
 * one more generation of them.
 */
#define BARRIER_ROUNDS		3
static void loopback_barrier(void)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	union sockaddr_any self = ipv4(LOOPBACK4, 0);
	socklen_t len = sizeof(self);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char c;
	int round;

	if (fd < 0)
		die_errno("socket(SOCK_DGRAM)");
	if (bind(fd, &self.sa, sa_len(&self)) || getsockname(fd, &self.sa, &len))
		die_errno("bind barrier socket to 127.0.0.1");
	for (round = 0; round < BARRIER_ROUNDS; round++) {
		c = (char)round;
		if (sendto(fd, &c, 1, 0, &self.sa, sa_len(&self)) != 1)
			die_errno("send barrier datagram");
		for (;;) {
			if (recv(fd, &c, 1, 0) == 1)
				break;
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				die_errno("receive barrier datagram");
			if (!wait_fd(fd, POLLIN, deadline))
				die("barrier datagram not back after %d ms", MAX_WAIT_MS);
		}
	}
	close_fd(fd);
}

/* Parses one packet of a raw TCP socket: IPv4 ones start with the IP header, IPv6 ones not. */
static int parse_segment(const uint8_t *pkt, size_t len, int family, unsigned short sport,
			 unsigned short dport, uint8_t flags, struct seen *seen)
{
	const uint8_t flag_mask = TH_FIN | TH_SYN | TH_RST | TH_ACK;
	struct tcphdr th;
	size_t hlen, off;

	if (family == AF_INET) {
		size_t ihl = (size_t)(pkt[0] & 0xf) * 4;

		if (len < 20 || ihl < 20 || ihl > len || pkt[9] != IPPROTO_TCP)
			return 0;
		pkt += ihl;
		len -= ihl;
	}
	if (len < sizeof(th))
		return 0;
	memcpy(&th, pkt, sizeof(th));
	hlen = (size_t)th.th_off * 4;
	if (ntohs(th.th_sport) != sport || ntohs(th.th_dport) != dport ||
	    (th.th_flags & flag_mask) != flags || hlen < sizeof(th) || hlen > len)
		return 0;
	memset(seen, 0, sizeof(*seen));
	seen->seq = ntohl(th.th_seq);
	seen->ack = ntohl(th.th_ack);
	for (off = sizeof(th); off < hlen && pkt[off] != TCPOPT_EOL;) {
		uint8_t kind = pkt[off], optlen;

		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (off + 1 >= hlen)
			break;
		optlen = pkt[off + 1];
		if (optlen < 2 || off + optlen > hlen)
			break;
		if (kind == TCPOPT_TIMESTAMP && optlen == TCPOLEN_TIMESTAMP) {
			memcpy(&seen->tsval, pkt + off + 2, sizeof(seen->tsval));
			memcpy(&seen->tsecr, pkt + off + 6, sizeof(seen->tsecr));
			seen->tsval = ntohl(seen->tsval);
			seen->tsecr = ntohl(seen->tsecr);
			seen->has_ts = 1;
		}
		off += optlen;
	}
	return 1;
}

/*
 * Waits for the first segment @sport -> @dport whose SYN/ACK/RST/FIN bits are exactly @flags
 * on raw socket @fd, which sees every TCP segment the host receives.  Ports are unique enough
 * here: one of them is always a listener of ours.
 */
static void sniff_segment(int fd, int family, unsigned short sport, unsigned short dport,
			  uint8_t flags, struct seen *seen, const char *what)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	uint8_t pkt[2048];

	for (;;) {
		ssize_t len = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (len >= 0) {
			if (parse_segment(pkt, len, family, sport, dport, flags, seen))
				break;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die_errno("recv on raw socket");
		if (!wait_fd(fd, POLLIN, deadline))
			die("no %s %u -> %u seen in %d ms", what, sport, dport, MAX_WAIT_MS);
	}
	if (!seen->has_ts)
		die("%s %u -> %u carries no timestamp (net.ipv4.tcp_timestamps=0?), so no PAWS",
		    what, sport, dport);
}

/* paws */

struct paws_report {
	union sockaddr_any peer;	/* remote address as the rejecting socket sees it */
	unsigned short lport;		/* local port of the rejecting socket */
	unsigned short sport[MAX_PAWS_COUNT];	/* source port of each injected segment */
	long n;
};

static union sockaddr_any local_endpoint(int fd)
{
	union sockaddr_any a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, &a.sa, &len))
		die_errno("getsockname");
	return a;
}

static union sockaddr_any with_port(const union sockaddr_any *addr, unsigned short port)
{
	union sockaddr_any a = *addr;

	sa_set_port(&a, port);
	return a;
}

/* The TSval @fd would send now: the kernel's tcp_time_stamp plus the connection's offset. */
static uint32_t current_tsval(int fd)
{
	char desc[CONN_LEN];
	uint32_t val;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &val, &len))
		die_errno("getsockopt(TCP_TIMESTAMP) on %s", conn_str(fd, desc));
	return val;
}

static void check_timestamps(int fd)
{
	char desc[CONN_LEN];
	struct tcp_info ti;

	get_tcp_info(fd, &ti);
	if (!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS))
		die("%s: no TCP timestamps negotiated (net.ipv4.tcp_timestamps=0?), so no PAWS",
		    conn_str(fd, desc));
}

/* Sends one byte on @from and reads it on @to, so that @to has seen a fresh TSval. */
static void pass_byte(int from, int to)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char desc[CONN_LEN], c = 'x';

	if (send(from, &c, 1, MSG_NOSIGNAL) != 1)
		die_errno("send on %s", conn_str(from, desc));
	for (;;) {
		ssize_t r = read(to, &c, 1);

		if (r == 1)
			return;
		if (r == 0)
			die("unexpected EOF on %s", conn_str(to, desc));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die_errno("read from %s", conn_str(to, desc));
		if (!wait_fd(to, POLLIN, deadline)) {
			errno = ETIMEDOUT;
			die_errno("waiting for data on %s", conn_str(to, desc));
		}
	}
}

/* close() then sends a RST: no FIN_WAIT or TIME-WAIT is left to disturb later counts. */
static void reset_on_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die_errno("setsockopt(SO_LINGER)");
}

static void abort_fd(int fd)
{
	reset_on_close(fd);
	close_fd(fd);
}

static void report_same_sport(struct paws_report *rep, unsigned short sport, long n)
{
	for (rep->n = 0; rep->n < n; rep->n++)
		rep->sport[rep->n] = sport;
}

/*
 * tcp_validate_incoming(): the PAWS check comes before the sequence check and only spares
 * pure duplicate ACKs, so a byte of data with an old TSval is rejected whatever its sequence
 * number.  The server socket rejects it: PAWSEstab.
 */
/*
 * An established connection on opt->addr:opt->port, timestamps on, one byte passed each
 * way, its SYN-ACK sniffed: after it the server's rcv_nxt is the client ISN + 2
 * (synack.ack + 1) and its snd_una the server ISN + 2 (synack.seq + 2).
 */
struct paws_conn {
	union sockaddr_any server;
	int lfd, client, srv;
	struct seen synack;
};

static void paws_conn_open(const struct options *opt, struct paws_conn *c)
{
	union sockaddr_any src = opt->addr;
	int family, sniff;

	c->server = with_port(&opt->addr, opt->port);
	family = c->server.sa.sa_family;
	c->lfd = listen_on(&c->server, NULL);
	sniff = raw_tcp_socket(family);
	c->client = open_client(&src, &c->server, NULL);
	wait_connected(c->client);
	c->srv = accept_conn(c->lfd);
	sniff_segment(sniff, family, opt->port, local_port(c->client), TH_SYN | TH_ACK,
		      &c->synack, "SYN-ACK");
	close_fd(sniff);
	check_timestamps(c->srv);
	pass_byte(c->client, c->srv);
	pass_byte(c->srv, c->client);
}

/* @seg, from the client with an old TSval, @count times; the report; then the close. */
static void paws_conn_refuse(const struct options *opt, struct paws_report *rep,
			     struct paws_conn *c, struct segment *seg)
{
	seg->src = local_endpoint(c->client);
	seg->dst = c->server;
	seg->ack = c->synack.seq + 2;
	seg->tsval = current_tsval(c->client) - PAWS_BEHIND;
	seg->tsecr = current_tsval(c->srv);
	send_segments(seg, opt->count);
	loopback_barrier();
	wait_state(c->srv, TCP_ESTABLISHED, "paws server");

	rep->peer = seg->src;
	rep->lport = opt->port;
	report_same_sport(rep, sa_port(&seg->src), opt->count);
	abort_fd(c->client);
	abort_fd(c->srv);
	close_fd(c->lfd);
}

static void paws_estab(const struct options *opt, struct paws_report *rep)
{
	struct paws_conn c;
	struct segment seg;

	paws_conn_open(opt, &c);
	memset(&seg, 0, sizeof(seg));
	seg.flags = TH_ACK | TH_PUSH;
	seg.seq = c.synack.ack + 1 + OTHER_INCARNATION;
	seg.payload = 1;
	paws_conn_refuse(opt, rep, &c, &seg);
}

/*
 * tcp_check_req(): with TCP_DEFER_ACCEPT the bare final ACK leaves the server a request
 * socket, whose ts_recent is the client's SYN TSval.  An ACK must acknowledge the SYN-ACK
 * exactly to get as far as the PAWS check, so the SYN-ACK is sniffed for the server's ISN.
 */
static void paws_syn_recv(const struct options *opt, struct paws_report *rep)
{
	const struct sock_opts defer = { .defer_accept = DEFER_ACCEPT_SECS };
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr;
	int family = server.sa.sa_family;
	int lfd = listen_on(&server, &defer);
	int sniff = raw_tcp_socket(family);
	struct segment seg;
	struct seen synack;
	int client;

	client = open_client(&src, &server, NULL);
	wait_connected(client);
	sniff_segment(sniff, family, opt->port, local_port(client), TH_SYN | TH_ACK, &synack,
		      "SYN-ACK");
	close_fd(sniff);
	/* A child in the accept queue would mean the ACK was not deferred after all. */
	wait_accept_queue(lfd, 0);

	memset(&seg, 0, sizeof(seg));
	seg.src = local_endpoint(client);
	seg.dst = server;
	seg.flags = TH_ACK | TH_PUSH;
	seg.seq = synack.ack;
	seg.ack = synack.seq + 1;
	/* The SYN-ACK echoes the client's SYN TSval, which the request socket keeps. */
	seg.tsval = synack.tsecr - PAWS_BEHIND;
	seg.tsecr = synack.tsval;
	seg.payload = 1;
	send_segments(&seg, opt->count);
	loopback_barrier();
	wait_accept_queue(lfd, 0);

	rep->peer = seg.src;
	rep->lport = opt->port;
	report_same_sport(rep, sa_port(&seg.src), opt->count);
	abort_fd(client);
	close_fd(lfd);
}

/*
 * tcp_rcv_synsent_state_process(): a SYN-ACK that acknowledges our SYN but echoes a TSecr
 * outside [SYN sent, now] is PAWSActive.  The client stays in SYN_SENT, as in item 8 of the
 * scenario: a full accept queue makes the listener drop its SYNs.  Its SYN is sniffed for
 * the ISN and TSval.
 */
static void paws_syn_sent(const struct options *opt, struct paws_report *rep)
{
	const struct sock_opts backlog_one = { .backlog = 1 };
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr;
	int family = server.sa.sa_family;
	int lfd = listen_on(&server, &backlog_one);
	struct segment seg;
	struct seen syn;
	int queued[2], client, sniff, i;
	unsigned short cport;

	for (i = 0; i < (int)ARRAY_SIZE(queued); i++) {
		queued[i] = open_client(&src, &server, NULL);
		wait_connected(queued[i]);
	}
	wait_accept_queue(lfd, ARRAY_SIZE(queued));
	sniff = raw_tcp_socket(family);
	client = open_client(&src, &server, NULL);
	cport = local_port(client);
	sniff_segment(sniff, family, cport, opt->port, TH_SYN, &syn, "SYN");
	close_fd(sniff);
	wait_state(client, TCP_SYN_SENT, "paws syn_sent client");

	memset(&seg, 0, sizeof(seg));
	seg.src = server;
	seg.dst = local_endpoint(client);
	seg.flags = TH_SYN | TH_ACK;
	seg.seq = FAKE_PEER_SEQ;
	seg.ack = syn.seq + 1;
	seg.tsval = FAKE_PEER_TSVAL;
	seg.tsecr = syn.tsval - PAWS_BEHIND;
	/* A zero TSecr would skip the check. */
	if (!seg.tsecr)
		seg.tsecr--;
	send_segments(&seg, opt->count);
	loopback_barrier();
	/* Each reject only answers with a RST; the socket itself must not have moved. */
	wait_state(client, TCP_SYN_SENT, "paws syn_sent client");

	rep->peer = server;
	rep->lport = cport;
	report_same_sport(rep, opt->port, opt->count);
	close_fd(client);
	for (i = 0; i < (int)ARRAY_SIZE(queued); i++)
		abort_fd(queued[i]);
	close_fd(lfd);
}

/*
 * tcp_timewait_state_process(): any segment but a RST with an old TSval on the 4-tuple of a
 * TIME-WAIT is rejected by PAWS.  The TIME-WAIT answers with an ACK, our client's kernel (no
 * socket left) with a RST, and unless net.ipv4.tcp_rfc1337=1 that RST kills the TIME-WAIT: so
 * one segment per connection, each into a TIME-WAIT of its own, each from its own port.
 * @flags: TH_SYN (a new connection: tw_syn), TH_ACK or TH_SYN | TH_ACK (never tw_syn).
 */
static void paws_tw_flags(const struct options *opt, struct paws_report *rep, uint8_t flags)
{
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr;
	struct segment *seg = calloc(opt->count, sizeof(*seg));
	int lfd = listen_on(&server, NULL);
	long i;

	if (!seg)
		die_errno("calloc");
	for (i = 0; i < opt->count; i++) {
		int client = open_client(&src, &server, NULL), srv;

		wait_connected(client);
		srv = accept_conn(lfd);
		check_timestamps(srv);
		seg[i].src = local_endpoint(client);
		/* Server first; the client closes right after its EOF, see cycle_connections(). */
		close_fd(srv);
		wait_eof(client);
		seg[i].tsval = current_tsval(client) - PAWS_BEHIND;
		shut_wr(client);
		/* Closed once the server's TIME-WAIT has acknowledged our FIN. */
		wait_state(client, TCP_CLOSE, "paws tw client");
		close_fd(client);
	}
	for (i = 0; i < opt->count; i++) {
		seg[i].dst = server;
		seg[i].flags = flags;
		seg[i].seq = FAKE_PEER_SEQ;
		if (flags & TH_ACK)
			seg[i].ack = FAKE_PEER_SEQ;
		send_segments(&seg[i], 1);
	}
	loopback_barrier();

	rep->peer = seg[0].src;
	rep->lport = opt->port;
	for (rep->n = 0; rep->n < opt->count; rep->n++)
		rep->sport[rep->n] = sa_port(&seg[rep->n].src);
	free(seg);
	close_fd(lfd);
}

static void paws_tw(const struct options *opt, struct paws_report *rep)
{
	paws_tw_flags(opt, rep, TH_SYN);
}

static void paws_tw_ack(const struct options *opt, struct paws_report *rep)
{
	paws_tw_flags(opt, rep, TH_ACK);
}

static void paws_tw_synack(const struct options *opt, struct paws_report *rep)
{
	paws_tw_flags(opt, rep, TH_SYN | TH_ACK);
}

/*
 * tcp_check_req(): a SYN without ACK whose TSval is behind the request socket's (the client's
 * SYN TSval) is rejected by PAWS like any other segment there: PAWSEstab, path syn_recv.  One
 * request socket per client, so the SYNs come from --count ports.  The SYN-ACKs are sniffed for
 * the TSval each request socket holds.
 */
static void paws_syn_recv_syn(const struct options *opt, struct paws_report *rep)
{
	const struct sock_opts defer = { .defer_accept = DEFER_ACCEPT_SECS };
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr;
	int family = server.sa.sa_family;
	int lfd = listen_on(&server, &defer);
	int sniff = raw_tcp_socket(family);
	int *client = calloc(opt->count, sizeof(*client));
	struct segment seg;
	struct seen synack;
	long i;

	if (!client)
		die_errno("calloc");
	memset(&seg, 0, sizeof(seg));
	seg.dst = server;
	seg.flags = TH_SYN;
	seg.seq = FAKE_PEER_SEQ;
	for (i = 0; i < opt->count; i++) {
		client[i] = open_client(&src, &server, NULL);
		wait_connected(client[i]);
		sniff_segment(sniff, family, opt->port, local_port(client[i]), TH_SYN | TH_ACK,
			      &synack, "SYN-ACK");
		/* A child in the accept queue would mean the ACK was not deferred after all. */
		wait_accept_queue(lfd, 0);
		seg.src = local_endpoint(client[i]);
		seg.tsval = synack.tsecr - PAWS_BEHIND;
		send_segments(&seg, 1);
		rep->sport[i] = sa_port(&seg.src);
	}
	close_fd(sniff);
	loopback_barrier();
	wait_accept_queue(lfd, 0);

	rep->peer = src;
	rep->lport = opt->port;
	rep->n = opt->count;
	for (i = 0; i < opt->count; i++)
		abort_fd(client[i]);
	free(client);
	close_fd(lfd);
}

/*
 * tcp_validate_incoming(): a SYN with an old TSval into an established socket.  Debian's 6.1
 * counts it in PAWSEstab (path estab); 6.12 and 7.x answer it with a challenge ACK
 * (TCPSYNChallenge) before counting anything.  One connection per SYN, --count ports.
 */
static void paws_estab_syn(const struct options *opt, struct paws_report *rep)
{
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr;
	int lfd = listen_on(&server, NULL);
	int *fds = calloc(2 * opt->count, sizeof(*fds));
	struct segment seg;
	long i;

	if (!fds)
		die_errno("calloc");
	memset(&seg, 0, sizeof(seg));
	seg.dst = server;
	seg.flags = TH_SYN;
	seg.seq = FAKE_PEER_SEQ;
	for (i = 0; i < opt->count; i++) {
		int client = open_client(&src, &server, NULL), srv;

		wait_connected(client);
		srv = accept_conn(lfd);
		check_timestamps(srv);
		pass_byte(client, srv);
		seg.src = local_endpoint(client);
		seg.tsval = current_tsval(client) - PAWS_BEHIND;
		send_segments(&seg, 1);
		rep->sport[i] = sa_port(&seg.src);
		fds[2 * i] = client;
		fds[2 * i + 1] = srv;
	}
	loopback_barrier();
	for (i = 0; i < opt->count; i++)
		wait_state(fds[2 * i + 1], TCP_ESTABLISHED, "paws estab_syn server");

	rep->peer = src;
	rep->lport = opt->port;
	rep->n = opt->count;
	for (i = 0; i < 2 * opt->count; i++)
		abort_fd(fds[i]);
	free(fds);
	close_fd(lfd);
}

/*
 * tcp_disordered_ack_check() (6.17 and later): a pure ACK whose sequence is before rcv_nxt and
 * whose TSval is old is an old duplicate ACK, dropped without an answer and counted in
 * PAWSOldAck (drop reason TCP_RFC7323_PAWS_ACK).  Earlier kernels' tcp_disordered_ack() spares
 * only an ACK at rcv_nxt, so there the same segment is an ordinary PAWSEstab reject.
 */
static void paws_old_ack(const struct options *opt, struct paws_report *rep)
{
	struct paws_conn c;
	struct segment seg;

	paws_conn_open(opt, &c);
	/* The ACK repeats the one that carried the client's byte: rcv_nxt - 1, no data. */
	memset(&seg, 0, sizeof(seg));
	seg.flags = TH_ACK;
	seg.seq = c.synack.ack;
	paws_conn_refuse(opt, rep, &c, &seg);
}

/* /proc/net/tcp{,6} prints addresses as the hex of their 32-bit words in host order. */
static void proc_net_hex(const union sockaddr_any *a, char buf[33])
{
	uint32_t w[4];
	int i;

	if (a->sa.sa_family == AF_INET6) {
		memcpy(w, &a->in6.sin6_addr, sizeof(w));
		for (i = 0; i < 4; i++)
			snprintf(buf + 8 * i, 9, "%08X", w[i]);
	} else {
		snprintf(buf, 9, "%08X", a->in4.sin_addr.s_addr);
	}
}

/* Sockets in /proc/net/tcp{,6} on exactly this 4-tuple (@local's view) in @state. */
static long count_on_tuple(const union sockaddr_any *local, const union sockaddr_any *remote,
			   unsigned int state)
{
	const char *path = local->sa.sa_family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp";
	char want_l[33], want_r[33], l[33], r[33], line[512];
	unsigned int lport, rport, st;
	long count = 0;
	FILE *f;

	proc_net_hex(local, want_l);
	proc_net_hex(remote, want_r);
	f = fopen(path, "re");
	if (!f)
		die_errno("open %s", path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x", l, &lport, r,
			   &rport, &st) == 5 &&
		    st == state && lport == sa_port(local) && rport == sa_port(remote) &&
		    !strcasecmp(l, want_l) && !strcasecmp(r, want_r))
			count++;
	if (ferror(f))
		die_errno("read %s", path);
	fclose(f);
	return count;
}

static void wait_tuple_state(const union sockaddr_any *local, const union sockaddr_any *remote,
			     unsigned int state, long want, const char *what)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	char l[EP_LEN], r[EP_LEN];
	long n;

	while ((n = count_on_tuple(local, remote, state)) != want) {
		if (now_ms() >= deadline)
			die("%s: %ld sockets %s -> %s in %s after %d ms, want %ld", what, n,
			    endpoint_str(local, l), endpoint_str(remote, r), state_name(state),
			    MAX_WAIT_MS, want);
		sleep_1ms();
	}
}

/*
 * tcp_rcv_synsent_state_process(): a SYN without ACK (crossed SYNs) reaching a SYN_SENT socket
 * that holds a ts_recent (ts_recent_stamp set) with an older TSval is dropped by PAWS, the
 * drop reason TCP_RFC7323_PAWS from 5.17 on, but counted in no MIB: tcptw must not count it.
 *
 * A SYN_SENT socket has a ts_recent only when connect() took over a TIME-WAIT of the same
 * 4-tuple: tcp_twsk_unique() copies tw_ts_recent and tw_ts_recent_stamp into it.  Bound to the
 * port first, connect() checks the 4-tuple with no TIME-WAIT pointer to hand back
 * (__inet_hash_connect(), "if (port)"), and tcp_twsk_unique() then takes the TIME-WAIT over at
 * once, without net.ipv4.tcp_tw_reuse or its one-second wait.  So: a connection the client
 * closes first (a client-side TIME-WAIT holding the server's last TSval), SO_REUSEADDR on both
 * sockets so the port can be bound again, and a listener whose full accept queue drops the new
 * SYN, so the socket stays in SYN_SENT.  Then --count SYNs "from the server" with a TSval 1000 s
 * behind what the server last sent; the socket must still be in SYN_SENT after them.  Last, a
 * control: one SYN with a TSval ahead is taken as crossed SYN (the socket answers with a
 * SYN-ACK, sniffed), which shows the refused ones reached the PAWS check and nothing else.
 */
static void paws_syn_sent_syn(const struct options *opt, struct paws_report *rep)
{
	const struct sock_opts backlog_one = { .backlog = 1 };
	union sockaddr_any server = with_port(&opt->addr, opt->port), src = opt->addr, local;
	int family = server.sa.sa_family;
	int lfd = listen_on(&server, &backlog_one);
	int first, srv, queued[2], client, sniff, i;
	uint32_t server_tsval;
	struct segment seg;
	struct seen synack;

	first = tcp_socket(family);
	set_int_opt(first, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	bind_client(first, &src);
	if (connect(first, &server.sa, sa_len(&server)) && errno != EINPROGRESS)
		die_errno("connect");
	wait_connected(first);
	srv = accept_conn(lfd);
	check_timestamps(srv);
	local = local_endpoint(first);
	/* Client first: the client keeps the TIME-WAIT, holding the server's FIN TSval. */
	close_fd(first);
	wait_eof(srv);
	server_tsval = current_tsval(srv);
	close_fd(srv);
	wait_tuple_state(&local, &server, TCP_TIME_WAIT, 1, "paws syn_sent_syn TIME-WAIT");
	wait_tuple_state(&server, &local, TCP_LAST_ACK, 0, "paws syn_sent_syn server");

	for (i = 0; i < (int)ARRAY_SIZE(queued); i++) {
		queued[i] = open_client(&opt->addr, &server, NULL);
		wait_connected(queued[i]);
	}
	wait_accept_queue(lfd, ARRAY_SIZE(queued));

	sniff = raw_tcp_socket(family);
	client = tcp_socket(family);
	set_int_opt(client, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(client, &local.sa, sa_len(&local)))
		die_errno("bind again to the TIME-WAIT's port %u", sa_port(&local));
	if (connect(client, &server.sa, sa_len(&server)) && errno != EINPROGRESS)
		die_errno("connect over the TIME-WAIT's 4-tuple");
	wait_state(client, TCP_SYN_SENT, "paws syn_sent_syn client");
	/* Taken over: the TIME-WAIT is gone. */
	wait_tuple_state(&local, &server, TCP_TIME_WAIT, 0, "paws syn_sent_syn TIME-WAIT");

	memset(&seg, 0, sizeof(seg));
	seg.src = server;
	seg.dst = local;
	seg.flags = TH_SYN;
	seg.seq = FAKE_PEER_SEQ;
	seg.tsval = server_tsval - PAWS_BEHIND;
	send_segments(&seg, opt->count);
	loopback_barrier();
	/* Taken as crossed SYN the socket would be in SYN_RECV now. */
	wait_state(client, TCP_SYN_SENT, "paws syn_sent_syn client after the old SYNs");

	seg.tsval = server_tsval + PAWS_BEHIND;
	send_segments(&seg, 1);
	sniff_segment(sniff, family, sa_port(&local), opt->port, TH_SYN | TH_ACK, &synack,
		      "SYN-ACK to the control's crossed SYN");
	close_fd(sniff);
	if (synack.ack != FAKE_PEER_SEQ + 1)
		die("the control's SYN-ACK acknowledges %u, want %u", synack.ack, FAKE_PEER_SEQ + 1);
	loopback_barrier();

	rep->peer = server;
	rep->lport = sa_port(&local);
	report_same_sport(rep, opt->port, opt->count);
	abort_fd(client);
	for (i = 0; i < (int)ARRAY_SIZE(queued); i++)
		abort_fd(queued[i]);
	close_fd(lfd);
}

/* tun: segments written into the stack from a process */

/*
 * A write() to a tun device runs the receive path in the writer's task, bottom halves off
 * (tun_get_user(), tun_rx_batched(): local_bh_disable(); netif_receive_skb()), softirqs
 * raised meanwhile run at local_bh_enable(): the other context, besides the NET_RX softirq,
 * in which the kernel refuses segments by PAWS.  Behind the device sits a peer we play: its
 * handshakes and FINs are written here, what the kernel sends it is read here.
 */
#define TUN_PEER_PORT		41000
#define TUN_PEER_ISN		0x10000000u
#define IPV4_HEADER_LEN		20
#define TUN_PACKET_MAX		2048

struct tun {
	int fd;
	char name[IFNAMSIZ];
	union sockaddr_any local;	/* our address on it, port 0 */
	union sockaddr_any peer;	/* the peer's, port 0 */
};

static void tun_ioctl(int s, unsigned long req, struct ifreq *ifr, const char *what)
{
	if (ioctl(s, req, ifr))
		die_errno("%s %s", what, ifr->ifr_name);
}

/* A tun device with @local/24 on it, up; the peer at @peer beyond it. */
static void tun_open(struct tun *t, uint32_t local, uint32_t peer)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char path[128];
	int s, fd;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		die_errno("open /dev/net/tun (tun.ko loaded? tests/qemu/vm.sh --mod tun)");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "tcptw%%d");
	tun_ioctl(t->fd, TUNSETIFF, &ifr, "TUNSETIFF");
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	/* No IPv6 on it: no router solicitations to read past. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", t->name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			die_errno("write %s", path);
		close_fd(fd);
	}

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die_errno("socket(SOCK_DGRAM)");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, IFNAMSIZ);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(local);
	tun_ioctl(s, SIOCSIFADDR, &ifr, "SIOCSIFADDR");
	sin->sin_addr.s_addr = htonl(0xffffff00u);
	tun_ioctl(s, SIOCSIFNETMASK, &ifr, "SIOCSIFNETMASK");
	tun_ioctl(s, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	tun_ioctl(s, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
	close_fd(s);
	t->local = ipv4(local, 0);
	t->peer = ipv4(peer, 0);
}

static uint16_t ipv4_checksum(const uint8_t *hdr)
{
	return csum_fold(csum_add(0, hdr, IPV4_HEADER_LEN));
}

/* @seg, from the peer, in an IPv4 header, written into the stack; processed on return. */
static void tun_write(const struct tun *t, const struct segment *seg)
{
	uint8_t pkt[IPV4_HEADER_LEN + SEGMENT_MAX];
	size_t len = build_segment(seg, pkt + IPV4_HEADER_LEN) + IPV4_HEADER_LEN;
	uint16_t sum;
	char s[EP_LEN], d[EP_LEN];

	memset(pkt, 0, IPV4_HEADER_LEN);
	pkt[0] = 0x45;
	pkt[2] = len >> 8;
	pkt[3] = len & 0xff;
	pkt[6] = 0x40;			/* DF */
	pkt[8] = 64;			/* TTL */
	pkt[9] = IPPROTO_TCP;
	memcpy(pkt + 12, &seg->src.in4.sin_addr, 4);
	memcpy(pkt + 16, &seg->dst.in4.sin_addr, 4);
	sum = htons(ipv4_checksum(pkt));
	memcpy(pkt + 10, &sum, sizeof(sum));
	if (write(t->fd, pkt, len) != (ssize_t)len)
		die_errno("write %s -> %s into %s", endpoint_str(&seg->src, s),
			  endpoint_str(&seg->dst, d), t->name);
}

/* The first segment the kernel sent the peer from @lport to @pport with exactly @flags. */
static void tun_read(const struct tun *t, unsigned short lport, unsigned short pport,
		     uint8_t flags, struct seen *seen, const char *what)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	uint8_t pkt[TUN_PACKET_MAX];

	for (;;) {
		ssize_t len = read(t->fd, pkt, sizeof(pkt));

		if (len > 0) {
			if (parse_segment(pkt, len, AF_INET, lport, pport, flags, seen))
				return;
			continue;
		}
		if (len < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			die_errno("read %s", t->name);
		if (!wait_fd(t->fd, POLLIN, deadline))
			die("no %s %u -> %u on %s in %d ms", what, lport, pport, t->name,
			    MAX_WAIT_MS);
	}
}

/* The peer's side of one connection. */
struct tun_conn {
	union sockaddr_any peer;	/* with its port */
	union sockaddr_any server;	/* our listener's address and port */
	uint32_t snd_nxt;		/* the peer's next sequence number */
	uint32_t rcv_nxt;		/* what the peer acknowledges */
	uint32_t tsval;			/* the peer's clock, one tick per segment */
	uint32_t ts_recent;		/* the kernel's last TSval */
};

static struct segment tun_segment(struct tun_conn *c, uint8_t flags)
{
	struct segment seg;

	memset(&seg, 0, sizeof(seg));
	seg.src = c->peer;
	seg.dst = c->server;
	seg.flags = flags;
	seg.seq = c->snd_nxt;
	seg.ack = flags & TH_ACK ? c->rcv_nxt : 0;
	seg.tsval = ++c->tsval;
	seg.tsecr = c->ts_recent;
	return seg;
}

/* A handshake from the peer's port @pport, accepted on @lfd: the server socket. */
static int tun_connect(const struct tun *t, struct tun_conn *c, int lfd, unsigned short pport,
		       const union sockaddr_any *server)
{
	struct segment seg;
	struct seen synack;
	char desc[CONN_LEN];
	int srv;

	c->peer = with_port(&t->peer, pport);
	c->server = *server;
	c->snd_nxt = TUN_PEER_ISN + ((uint32_t)pport << 12);
	c->rcv_nxt = 0;
	c->tsval = FAKE_PEER_TSVAL;
	c->ts_recent = 0;
	seg = tun_segment(c, TH_SYN);
	tun_write(t, &seg);
	c->snd_nxt++;
	tun_read(t, sa_port(server), pport, TH_SYN | TH_ACK, &synack, "SYN-ACK");
	if (!synack.has_ts || synack.ack != c->snd_nxt)
		die("SYN-ACK to %u: no timestamp or acknowledges %u, want %u", pport, synack.ack,
		    c->snd_nxt);
	c->rcv_nxt = synack.seq + 1;
	c->ts_recent = synack.tsval;
	seg = tun_segment(c, TH_ACK);
	tun_write(t, &seg);
	srv = accept_conn(lfd);
	if (peer_port(srv) != pport)
		die("accepted %s, want peer port %u", conn_str(srv, desc), pport);
	check_timestamps(srv);
	return srv;
}

static void paws_tun(const struct options *opt, struct paws_report *rep, int time_wait)
{
	uint32_t peer = ntohl(opt->addr.in4.sin_addr.s_addr);
	uint32_t local = (peer & 0xffffff00u) | 1;
	union sockaddr_any server;
	struct tun_conn c;
	struct segment seg;
	struct seen fin;
	struct tun t;
	int lfd, srv;
	long i;

	if (opt->addr.sa.sa_family != AF_INET || (peer & 0xff) < 2 || (peer & 0xff) > 254 ||
	    peer >> 24 == 127)
		die("tun: --addr must be an IPv4 address x.y.z.N outside 127/8, 2 <= N <= 254");
	tun_open(&t, local, peer);
	server = with_port(&t.local, opt->port);
	lfd = listen_on(&server, NULL);
	if (!time_wait) {
		/* --count data segments, 1000 s behind, into one established connection. */
		srv = tun_connect(&t, &c, lfd, TUN_PEER_PORT, &server);
		seg = tun_segment(&c, TH_ACK | TH_PUSH);
		seg.tsval -= PAWS_BEHIND;
		seg.payload = 1;
		for (i = 0; i < opt->count; i++)
			tun_write(&t, &seg);
		/* Refused, not queued: nothing to read, the connection as it was. */
		wait_state(srv, TCP_ESTABLISHED, "paws tun_estab server");
		report_same_sport(rep, TUN_PEER_PORT, opt->count);
		abort_fd(srv);
	}
	for (i = 0; time_wait && i < opt->count; i++) {
		/* One SYN into each of --count server-side TIME-WAIT, each its own port. */
		unsigned short pport = TUN_PEER_PORT + i;

		srv = tun_connect(&t, &c, lfd, pport, &server);
		close_fd(srv);
		tun_read(&t, opt->port, pport, TH_FIN | TH_ACK, &fin, "FIN");
		c.rcv_nxt = fin.seq + 1;
		c.ts_recent = fin.tsval;
		seg = tun_segment(&c, TH_FIN | TH_ACK);
		tun_write(&t, &seg);
		c.snd_nxt++;
		wait_tuple_state(&server, &c.peer, TCP_TIME_WAIT, 1, "paws tun_tw TIME-WAIT");
		seg = tun_segment(&c, TH_SYN);
		seg.seq += 0x10000;
		seg.tsval -= PAWS_BEHIND;
		seg.tsecr = 0;
		tun_write(&t, &seg);
		rep->sport[i] = pport;
	}
	rep->n = opt->count;
	rep->peer = t.peer;
	rep->lport = opt->port;
	close_fd(lfd);
	close_fd(t.fd);
}

static void paws_tun_estab(const struct options *opt, struct paws_report *rep)
{
	paws_tun(opt, rep, 0);
}

static void paws_tun_tw(const struct options *opt, struct paws_report *rep)
{
	paws_tun(opt, rep, 1);
}

static const struct paws_path {
	const char *name;
	void (*run)(const struct options *opt, struct paws_report *rep);
} paws_paths[] = {
	{ "estab", paws_estab },
	{ "syn_recv", paws_syn_recv },
	{ "syn_sent", paws_syn_sent },
	{ "tw", paws_tw },
	{ "tw_ack", paws_tw_ack },
	{ "tw_synack", paws_tw_synack },
	{ "syn_recv_syn", paws_syn_recv_syn },
	{ "estab_syn", paws_estab_syn },
	{ "old_ack", paws_old_ack },
	{ "syn_sent_syn", paws_syn_sent_syn },
	{ "tun_estab", paws_tun_estab },
	{ "tun_tw", paws_tun_tw },
};

static const struct paws_path *find_paws_path(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paws_paths); i++)
		if (!strcmp(paws_paths[i].name, name))
			return &paws_paths[i];
	return NULL;
}

static void run_paws(const struct options *opt)
{
	const struct paws_path *path = find_paws_path(opt->path);
	struct paws_report *rep = calloc(1, sizeof(*rep));
	char host[HOST_LEN];
	long i;

	if (!rep)
		die_errno("calloc");
	path->run(opt, rep);
	printf("paws %s injected %ld peer %s lport %u sports ", path->name, rep->n,
	       host_str(&rep->peer, host), rep->lport);
	for (i = 0; i < rep->n; i++)
		printf("%s%u", i ? "," : "", rep->sport[i]);
	printf("\n");
	if (fflush(stdout))
		die_errno("write summary");
	free(rep);
}

/* ports */

static const char *const errno_names[] = {
	[EPERM] = "EPERM",
	[EINTR] = "EINTR",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE",
	[EMFILE] = "EMFILE",
	[ENOBUFS] = "ENOBUFS",
	[EADDRINUSE] = "EADDRINUSE",
	[EADDRNOTAVAIL] = "EADDRNOTAVAIL",
	[ENETUNREACH] = "ENETUNREACH",
	[ECONNRESET] = "ECONNRESET",
	[ETIMEDOUT] = "ETIMEDOUT",
	[ECONNREFUSED] = "ECONNREFUSED",
	[EHOSTUNREACH] = "EHOSTUNREACH",
};

static const char *errno_name(int err)
{
	static char buf[32];

	if (err > 0 && err < (int)ARRAY_SIZE(errno_names) && errno_names[err])
		return errno_names[err];
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* 0 once the non-blocking connect on @fd has completed, else the error it failed with. */
static int connect_result(int fd)
{
	long long deadline = now_ms() + MAX_WAIT_MS;
	socklen_t len = sizeof(int);
	int err = 0;

	if (!wait_fd(fd, POLLOUT, deadline))
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die_errno("getsockopt(SO_ERROR)");
	return err;
}

/* A plain connect(): the kernel picks the port from ip_local_port_range. */
static int connect_plain(const union sockaddr_any *dst)
{
	int fd = tcp_socket(dst->sa.sa_family);

	if (connect(fd, &dst->sa, sa_len(dst)) && errno != EINPROGRESS) {
		int err = errno;

		close_fd(fd);
		return -err;
	}
	return fd;
}

/* TIME_WAIT rows in /proc/net/tcp{,6} from one of our @n @ports towards @remote. */
static long count_time_wait(const union sockaddr_any *remote, const unsigned short *ports, long n)
{
	const char *path = remote->sa.sa_family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp";
	unsigned char *mine = calloc(65536, 1);
	char want[33], rem[33], line[512];
	unsigned int lport, rport, state;
	long i, count = 0;
	FILE *f;

	if (!mine)
		die_errno("calloc");
	for (i = 0; i < n; i++)
		mine[ports[i]] = 1;
	proc_net_hex(remote, want);
	f = fopen(path, "re");
	if (!f)
		die_errno("open %s", path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x", &lport, rem,
			   &rport, &state) == 4 &&
		    state == TCP_TIME_WAIT && lport < 65536 && mine[lport] &&
		    rport == sa_port(remote) && !strcasecmp(rem, want))
			count++;
	if (ferror(f))
		die_errno("read %s", path);
	fclose(f);
	free(mine);
	return count;
}

/*
 * Port exhaustion towards one destination: @count outbound connections with kernel-chosen
 * ports, the first --tw of them closed by us first so their ports sit in TIME-WAIT (with
 * net.ipv4.tcp_tw_reuse=0 connect() will not take those either).
 */
static void run_ports(const struct options *opt)
{
	union sockaddr_any server = with_port(&opt->addr, opt->port), local;
	long n = opt->count, first, k, j;
	int *client = calloc(n, sizeof(*client)), *srv = calloc(n, sizeof(*srv));
	unsigned short *cport = calloc(n, sizeof(*cport));
	char host[HOST_LEN], ep[EP_LEN], desc[CONN_LEN];
	int lfd;

	if (!client || !srv || !cport)
		die_errno("calloc");
	/* Both ends of every connection, the listener and some slack. */
	raise_fd_limit(2 * n + 64);
	lfd = listen_on(&server, NULL);

	/* In batches, so the accept queue never overflows. */
	for (first = 0; first < n; first += BATCH) {
		long last = first + BATCH < n ? first + BATCH : n;

		for (k = first; k < last; k++) {
			client[k] = connect_plain(&server);
			if (client[k] < 0)
				die("connect %ld failed: %s", k + 1, errno_name(-client[k]));
		}
		for (k = first; k < last; k++) {
			int err = connect_result(client[k]);

			if (err)
				die("connect %ld failed: %s", k + 1, errno_name(err));
			cport[k] = local_port(client[k]);
			srv[k] = -1;
		}
		for (k = first; k < last; k++) {
			int fd = accept_conn(lfd);
			unsigned short port = peer_port(fd);

			for (j = first; j < last; j++)
				if (srv[j] < 0 && cport[j] == port)
					break;
			if (j == last)
				die("accepted a connection nobody asked for: %s", conn_str(fd, desc));
			srv[j] = fd;
		}
	}
	local = local_endpoint(client[0]);

	for (k = 0; k < opt->tw; k++) {
		close_fd(client[k]);
		wait_eof(srv[k]);
		shut_wr(srv[k]);
		/* Our FIN is acknowledged from the client's TIME-WAIT. */
		wait_state(srv[k], TCP_CLOSE, "ports server");
		close_fd(srv[k]);
	}
	/* Beyond net.ipv4.tcp_max_tw_buckets a port would be free again. */
	k = count_time_wait(&server, cport, opt->tw);
	if (k != opt->tw)
		die("%ld of %ld closed connections are in TIME_WAIT towards %s", k, opt->tw,
		    endpoint_str(&server, ep));
	/* When we exit, only those TIME-WAIT stay to hold ports for the next test. */
	for (k = opt->tw; k < n; k++) {
		wait_state(client[k], TCP_ESTABLISHED, "ports client");
		reset_on_close(client[k]);
		reset_on_close(srv[k]);
	}

	if (opt->extra) {
		int fd = connect_plain(&server), err = fd < 0 ? -fd : connect_result(fd);

		if (!err) {
			/* Held like the others, until we exit. */
			reset_on_close(fd);
			reset_on_close(accept_conn(lfd));
			printf("extra connected %u\n", local_port(fd));
		} else {
			if (fd >= 0)
				close_fd(fd);
			printf("extra %s\n", errno_name(err));
		}
	}
	printf("ports used %ld local %s remote %s\n", n, host_str(&local, host),
	       endpoint_str(&server, ep));
	announce_ready_and_hold(opt->ready);
}

/* arguments */

enum {
	OPT_BASE = 1 << 0,
	OPT_V6BASE = 1 << 1,
	OPT_PORT = 1 << 2,
	OPT_READY = 1 << 3,
	OPT_SRC = 1 << 4,
	OPT_PEERS = 1 << 5,
	OPT_ADDR = 1 << 6,
	OPT_COUNT = 1 << 7,
	OPT_TW = 1 << 8,
	OPT_EXTRA = 1 << 9,
};

#define MAX_PORTS_COUNT		65535

static long parse_number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		usage();
	return v;
}

static uint32_t parse_ipv4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage();
	return ntohl(a.s_addr);
}

static void parse_addr(const char *s, union sockaddr_any *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->in4.sin_addr) == 1)
		a->in4.sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->in6.sin6_addr) == 1)
		a->in6.sin6_family = AF_INET6;
	else
		usage();
}

static void parse_options(int argc, char **argv, int i, unsigned int allowed, struct options *opt)
{
	for (; i < argc; i += 2) {
		const char *name = argv[i], *val = argv[i + 1];

		/* The one option without a value. */
		if (!strcmp(name, "--extra") && (allowed & OPT_EXTRA)) {
			opt->extra = 1;
			i--;
			continue;
		}
		if (!val)
			usage();
		if (!strcmp(name, "--base") && (allowed & OPT_BASE)) {
			opt->base = parse_ipv4(val);
		} else if (!strcmp(name, "--v6base") && (allowed & OPT_V6BASE)) {
			if (inet_pton(AF_INET6, val, &opt->v6base) != 1)
				usage();
		} else if (!strcmp(name, "--port") && (allowed & OPT_PORT)) {
			opt->port = parse_number(val, 1, 65535);
		} else if (!strcmp(name, "--ready") && (allowed & OPT_READY)) {
			opt->ready = val;
		} else if (!strcmp(name, "--src") && (allowed & OPT_SRC)) {
			opt->src = parse_ipv4(val);
		} else if (!strcmp(name, "--peers") && (allowed & OPT_PEERS)) {
			opt->peers = parse_number(val, 1, 65536);
		} else if (!strcmp(name, "--addr") && (allowed & OPT_ADDR)) {
			parse_addr(val, &opt->addr);
		} else if (!strcmp(name, "--count") && (allowed & OPT_COUNT)) {
			opt->count = parse_number(val, 1, MAX_PORTS_COUNT);
		} else if (!strcmp(name, "--tw") && (allowed & OPT_TW)) {
			opt->tw = parse_number(val, 0, MAX_PORTS_COUNT);
		} else {
			usage();
		}
	}
}

/* All scenario peers must be loopback addresses distinct from the 127.0.0.1 server. */
static void check_scenario_options(const struct options *opt)
{
	uint32_t last = opt->base + PEER_SPAN;
	int k;

	if (opt->base >> 24 != 127 || last >> 24 != 127 ||
	    (LOOPBACK4 >= opt->base && LOOPBACK4 <= last))
		bad_option("--base: BASE..BASE+%d must be in 127/8, not 127.0.0.1", PEER_SPAN);
	if (opt->port + SCENARIO_PORTS - 1 > 65535)
		bad_option("--port: PORT..PORT+%d must be valid ports", SCENARIO_PORTS - 1);
	for (k = 0; k <= NR_PEER6; k++) {
		union sockaddr_any a = ipv6(&opt->v6base, k, 0);

		if (IN6_IS_ADDR_LOOPBACK(&a.in6.sin6_addr) ||
		    IN6_IS_ADDR_V4MAPPED(&a.in6.sin6_addr))
			bad_option("--v6base: peers must not be ::1 or v4-mapped");
	}
}

int main(int argc, char **argv)
{
	struct options opt = { .base = 0x7f000100u, .src = 0x7f000501u };
	const char *mode = argc > 1 ? argv[1] : "";

	if (inet_pton(AF_INET6, "fd00:1::", &opt.v6base) != 1)
		die("inet_pton");
	opt.addr = ipv4(LOOPBACK4, 0);
	if (!strcmp(mode, "-h") || !strcmp(mode, "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(mode, "scenario")) {
		opt.port = 9000;
		parse_options(argc, argv, 2, OPT_BASE | OPT_V6BASE | OPT_PORT | OPT_READY, &opt);
		check_scenario_options(&opt);
	} else if (!strcmp(mode, "demo")) {
		parse_options(argc, argv, 2, OPT_READY, &opt);
	} else if (!strcmp(mode, "tw")) {
		if (argc < 3)
			usage();
		opt.count = parse_number(argv[2], 1, MAX_TW_COUNT);
		opt.port = 9100;
		opt.peers = 1;
		parse_options(argc, argv, 3, OPT_SRC | OPT_PORT | OPT_PEERS, &opt);
		if (opt.src >> 24 != 127 || (opt.src + opt.peers - 1) >> 24 != 127 ||
		    (LOOPBACK4 >= opt.src && LOOPBACK4 <= opt.src + opt.peers - 1))
			bad_option("--src, --peers: the sources must be in 127/8, not 127.0.0.1");
	} else if (!strcmp(mode, "paws")) {
		if (argc < 3 || !find_paws_path(argv[2]))
			usage();
		opt.path = argv[2];
		opt.port = 9700;
		opt.count = 3;
		parse_options(argc, argv, 3, OPT_ADDR | OPT_PORT | OPT_COUNT, &opt);
		if (opt.count > MAX_PAWS_COUNT)
			bad_option("--count: at most %d segments", MAX_PAWS_COUNT);
	} else if (!strcmp(mode, "ports")) {
		opt.port = 9800;
		parse_options(argc, argv, 2,
			      OPT_ADDR | OPT_PORT | OPT_COUNT | OPT_TW | OPT_EXTRA | OPT_READY, &opt);
		if (!opt.count)
			bad_option("ports: --count is required");
		if (opt.tw > opt.count)
			bad_option("--tw: at most --count connections");
	} else {
		usage();
	}

	raise_fd_limit(FD_LIMIT);
	stay_on_one_cpu();
	if (!strcmp(mode, "scenario"))
		run_scenario(&opt);
	else if (!strcmp(mode, "demo"))
		run_demo(&opt);
	else if (!strcmp(mode, "paws"))
		run_paws(&opt);
	else if (!strcmp(mode, "ports"))
		run_ports(&opt);
	else
		run_tw(&opt);
	return 0;
}
