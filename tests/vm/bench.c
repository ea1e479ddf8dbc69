// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-bench: the helper of `make bench` inside the VM. It times one run of a
 * command (fork/exec, CLOCK_MONOTONIC wall clock, the children's peak RSS),
 * makes server-side TIME-WAIT from many explicitly bound 127.x source
 * addresses, holds many ESTABLISHED loopback connections open, and measures
 * request/response (rr) and connect/request/close (crr) rates. The packet-path
 * workloads (bulk, crr, synflood, paws) run between two network namespaces
 * (--server-ns, --client-ns) and read their rates from the server's counters.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH		256
#define HOLD_BATCH	1024
#define BACKLOG		4096
#define PORT_FIRST	10000
#define PORT_LAST	65000
#define SERVER_ADDR	0x7f000001u	/* 127.0.0.1 */
#define BULK_CHUNK	(128 * 1024)
#define SYN_LEN		60		/* IPv4 20 + TCP 20 + options 20 */

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static const char usage_text[] =
	"usage: tcptw-bench time [--sh] -- COMMAND [ARG...]\n"
	"       tcptw-bench tw --port PORT [--count N | --seconds S] [--peers 1000]\n"
	"                      [--base 127.1.0.1] [--workers 1] [NS]\n"
	"       tcptw-bench tw --outbound --port PORT --count N [--peers 1000]\n"
	"                      [--dest 127.5.0.1]\n"
	"       tcptw-bench hold --port PORT --conns N [--base 127.2.0.1] [--ready FILE]\n"
	"       tcptw-bench rr --port PORT --seconds S\n"
	"       tcptw-bench crr --port PORT --seconds S [--base 127.3.0.1] [--peers 250] [NS]\n"
	"       tcptw-bench bulk --port PORT --seconds S [--streams 1] [NS]\n"
	"       tcptw-bench synflood --port PORT --seconds S [--sources 10.18.0.0]\n"
	"                      [--backlog 4096] NS\n"
	"       tcptw-bench paws --port PORT --seconds S --client ADDR [--sport 10000]\n"
	"                      [--conns 256] NS\n"
	"NS: [--server-ns PID] [--client-ns PID] [--server 127.0.0.1]\n"
	"\n"
	"time runs COMMAND once (with --sh: sh -c COMMAND), reads its stdout through a\n"
	"pipe and prints one line:\n"
	"  wall_us U rss_kb K bytes B tw T inuse I\n"
	"U is CLOCK_MONOTONIC from before fork() to after wait4(), K the peak RSS of\n"
	"the child and the descendants it waited for (the largest one, not a sum),\n"
	"B the bytes it wrote, T and I the TCP tw and inuse counts of\n"
	"/proc/net/sockstat read just before the fork.\n"
	"\n"
	"tw makes server-side TIME-WAIT: each connection from a bound source address\n"
	"(--peers addresses counting up from --base, ports from 10000 up) to\n"
	"the server's PORT is closed by the server first.  It stops after N connections\n"
	"or S seconds and prints \"tw made M seconds S rate R\".  With --outbound the\n"
	"TIME-WAIT is client-side: N connections from 127.0.0.1 (ports from the\n"
	"kernel's allocator) to --peers addresses counting up from --dest, each on\n"
	"N / peers (rounded up) server ports from PORT, listened on 0.0.0.0: N\n"
	"distinct outbound tuples (local address, peer, peer port), the client\n"
	"closing first.\n"
	"hold opens N connections (2N ESTABLISHED sockets), writes FILE and holds\n"
	"them until SIGTERM.  rr ping-pongs 1 byte on one connection for S seconds\n"
	"(both ends in this process) and prints \"rr tps R\"; crr is tw for S\n"
	"seconds, one worker, and prints \"crr cps R\".\n"
	"\n"
	"NS: the listener is made in the network namespace of process --server-ns,\n"
	"bound to --server, every other socket in that of --client-ns.\n"
	"bulk streams data over --streams connections (a writer and a reader process\n"
	"each) for S seconds and prints \"bulk mb_per_s R bytes B seconds T\", R in\n"
	"10^6 bytes/s, counted by the readers up to the last byte.\n"
	"synflood sends SYNs from a raw socket, random sources in the /16 of\n"
	"--sources, random ports and sequence numbers, to a listener (backlog\n"
	"--backlog) that never accepts, and prints \"synflood syns_per_s R sent_per_s\n"
	"T\", R from the server namespace's Tcp InSegs.\n"
	"paws sends SYNs with TSval 1 from a raw socket on the 4-tuples --client:\n"
	"--sport...+N-1 to --server:PORT, in a loop, where tw left TIME-WAIT with\n"
	"tcp_timestamps=2, and prints \"paws rejects_per_s R sent_per_s T\", R from\n"
	"the server namespace's TcpExt PAWSEstab + PAWSTimewait.\n";

static void die(const char *fmt, ...) __noreturn __printf(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tcptw-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(void) __noreturn;
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("%s: '%s' is not a number in %ld..%ld", what, s, min, max);
	return v;
}

static uint32_t parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("'%s' is not an IPv4 address", s);
	return ntohl(a.s_addr);
}

static void raise_nofile(long want)
{
	struct rlimit rl = { want, want };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE, %ld): %s (raise fs.nr_open)", want,
		    strerror(errno));
}

/*
 * Where the sockets are made: the listener in the server's namespace, bound to
 * the server's address, the rest in the client's (-1: this process's own).
 */
static struct {
	int server_ns, client_ns;
	long server_pid;
	uint32_t server;
} path = { -1, -1, 0, SERVER_ADDR };

static int open_ns(const char *pid_arg, long *pid)
{
	char file[64];
	int fd;

	*pid = parse_num(pid_arg, 1, 1L << 30, "namespace pid");
	snprintf(file, sizeof(file), "/proc/%ld/ns/net", *pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", file, strerror(errno));
	return fd;
}

static void enter_ns(int fd)
{
	if (fd >= 0 && setns(fd, CLONE_NEWNET))
		die("setns: %s", strerror(errno));
}

/* --server-ns, --client-ns, --server: 1 when argv[*i] was one (and taken). */
static int path_option(int argc, char **argv, int *i)
{
	long pid;

	if (*i + 1 >= argc)
		return 0;
	if (!strcmp(argv[*i], "--server-ns"))
		path.server_ns = open_ns(argv[++*i], &path.server_pid);
	else if (!strcmp(argv[*i], "--client-ns"))
		path.client_ns = open_ns(argv[++*i], &pid);
	else if (!strcmp(argv[*i], "--server"))
		path.server = parse_addr(argv[++*i]);
	else
		return 0;
	return 1;
}

/*
 * The value of KEY in the "Proto: names" / "Proto: values" line pairs of
 * FILE (snmp, netstat) of the server's namespace; -1 when it has none.
 */
static long long mib(const char *file, const char *proto, const char *key)
{
	char name[64], names[8192], values[8192], *n, *v, *sn, *sv;
	long long val = -1;
	size_t plen = strlen(proto);
	FILE *f;

	if (path.server_pid)
		snprintf(name, sizeof(name), "/proc/%ld/net/%s", path.server_pid, file);
	else
		snprintf(name, sizeof(name), "/proc/self/net/%s", file);
	f = fopen(name, "r");
	if (!f)
		die("%s: %s", name, strerror(errno));
	while (val < 0 && fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, proto, plen) || names[plen] != ':')
			continue;
		n = strtok_r(names + plen + 1, "\n ", &sn);
		v = strtok_r(values + plen + 1, "\n ", &sv);
		for (; n && v; n = strtok_r(NULL, "\n ", &sn),
		     v = strtok_r(NULL, "\n ", &sv))
			if (!strcmp(n, key)) {
				val = strtoll(v, NULL, 10);
				break;
			}
	}
	fclose(f);
	return val;
}

static struct sockaddr_in sin_of(uint32_t addr, unsigned int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	return sa;
}

/*
 * The server's listener on addr:port, made in the server's namespace; returns
 * in the client's, where every later socket is made.
 */
static int listener_at(uint32_t addr, unsigned int port, int backlog)
{
	struct sockaddr_in sa = sin_of(addr, port);
	int one = 1, fd;

	enter_ns(path.server_ns);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind %s:%u: %s", inet_ntoa(sa.sin_addr), port, strerror(errno));
	if (listen(fd, backlog))
		die("listen: %s", strerror(errno));
	enter_ns(path.client_ns);
	return fd;
}

static int listener(unsigned int port)
{
	return listener_at(path.server, port, BACKLOG);
}

/* The source address of peer i: --base + i, skipping .0 and .255. */
static uint32_t peer_addr(uint32_t base, unsigned int i)
{
	uint32_t a = base;

	while (i--) {
		a++;
		if ((a & 0xff) == 255)
			a += 2;
	}
	return a;
}

/*
 * A client bound to addr:*sport (moving on past ports in use) connected to
 * the listener; blocking connect() on loopback returns once established.
 */
static int bound_connect(uint32_t addr, unsigned int *sport, unsigned int port)
{
	struct sockaddr_in dst = sin_of(path.server, port);
	struct sockaddr_in src;
	int fd;

	for (;;) {
		if (*sport > PORT_LAST)
			die("out of source ports on one peer address");
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		src = sin_of(addr, (*sport)++);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0)
			break;
		if (errno != EADDRINUSE)
			die("bind: %s", strerror(errno));
		close(fd);
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		die("connect to %s:%u: %s", inet_ntoa(dst.sin_addr), port,
		    strerror(errno));
	return fd;
}

/*
 * Server-side TIME-WAIT from peers [first, first + step, ...) of npeers until
 * count connections or the deadline: per batch, connect, accept, close the
 * server side first, wait for the FIN (read() = 0), close the client.
 */
static long make_tw(uint32_t base, unsigned int npeers, unsigned int first,
		    unsigned int step, unsigned int port, long count, double deadline)
{
	unsigned int *sports, peer = first;
	int cfd[BATCH], sfd[BATCH], lfd, i, n;
	uint32_t *addrs;
	long made = 0;
	char c;

	sports = calloc(npeers, sizeof(*sports));
	addrs = calloc(npeers, sizeof(*addrs));
	if (!sports || !addrs)
		die("out of memory");
	for (i = 0; i < (int)npeers; i++) {
		sports[i] = PORT_FIRST;
		addrs[i] = i ? peer_addr(addrs[i - 1], 1) : base;
	}
	lfd = listener(port);
	while (count < 0 ? now_s() < deadline : made < count) {
		n = BATCH;
		if (count >= 0 && count - made < n)
			n = count - made;
		for (i = 0; i < n; i++) {
			cfd[i] = bound_connect(addrs[peer], &sports[peer], port);
			peer += step;
			if (peer >= npeers)
				peer = first;
		}
		for (i = 0; i < n; i++) {
			sfd[i] = accept(lfd, NULL, NULL);
			if (sfd[i] < 0)
				die("accept: %s", strerror(errno));
		}
		for (i = 0; i < n; i++)
			close(sfd[i]);
		for (i = 0; i < n; i++) {
			if (read(cfd[i], &c, 1) != 0)
				die("client did not see the server's FIN");
			close(cfd[i]);
		}
		made += n;
	}
	close(lfd);
	free(sports);
	free(addrs);
	return made;
}

/*
 * Client-side TIME-WAIT on count distinct outbound tuples: connection k goes
 * from 127.0.0.1 (the kernel picks the port) to address k % peers from dest,
 * port port + k / peers. Per batch: connect, accept, close the client first,
 * wait for its FIN at the server (read() = 0), close the server side, whose
 * FIN puts the client in TIME-WAIT.
 */
static long make_tw_out(uint32_t dest, unsigned int peers, unsigned int port,
			long count)
{
	int cfd[BATCH], sfd[BATCH], lidx[BATCH], *lfd, i, n;
	long made = 0, k, nports = (count + peers - 1) / peers;
	struct sockaddr_in dst;
	uint32_t *addrs;
	char c;

	if (port + nports - 1 > 65535)
		die("--outbound: %ld ports from %u do not fit", nports, port);
	lfd = calloc(nports, sizeof(*lfd));
	addrs = calloc(peers, sizeof(*addrs));
	if (!lfd || !addrs)
		die("out of memory");
	for (k = 0; k < peers; k++)
		addrs[k] = peer_addr(k ? addrs[k - 1] : dest, !!k);
	for (k = 0; k < nports; k++)
		lfd[k] = listener_at(0, port + k, BACKLOG);
	while (made < count) {
		n = count - made < BATCH ? count - made : BATCH;
		for (i = 0; i < n; i++) {
			k = made + i;
			lidx[i] = k / peers;
			dst = sin_of(addrs[k % peers], port + lidx[i]);
			cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
			if (cfd[i] < 0)
				die("socket: %s", strerror(errno));
			if (connect(cfd[i], (struct sockaddr *)&dst, sizeof(dst)))
				die("connect to %s:%u: %s", inet_ntoa(dst.sin_addr),
				    port + lidx[i], strerror(errno));
		}
		for (i = 0; i < n; i++) {
			sfd[i] = accept(lfd[lidx[i]], NULL, NULL);
			if (sfd[i] < 0)
				die("accept: %s", strerror(errno));
		}
		for (i = 0; i < n; i++)
			close(cfd[i]);
		for (i = 0; i < n; i++) {
			if (read(sfd[i], &c, 1) != 0)
				die("server did not see the client's FIN");
			close(sfd[i]);
		}
		made += n;
	}
	for (k = 0; k < nports; k++)
		close(lfd[k]);
	free(lfd);
	free(addrs);
	return made;
}

static int cmd_tw(int argc, char **argv, int crr)
{
	long count = -1, seconds = -1, made = 0, workers = 1, port = -1, w;
	uint32_t base = parse_addr(crr ? "127.3.0.1" : "127.1.0.1");
	uint32_t dest = parse_addr("127.5.0.1");
	unsigned int peers = crr ? 250 : 1000;
	int i, fds[2], outbound = 0;
	double t0, t1;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--outbound") && !crr) {
			outbound = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (path_option(argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--count") && !crr)
			count = parse_num(argv[++i], 1, 100000000, "--count");
		else if (!strcmp(argv[i], "--seconds"))
			seconds = parse_num(argv[++i], 1, 100000, "--seconds");
		else if (!strcmp(argv[i], "--peers"))
			peers = parse_num(argv[++i], 1, 60000, "--peers");
		else if (!strcmp(argv[i], "--base"))
			base = parse_addr(argv[++i]);
		else if (!strcmp(argv[i], "--workers") && !crr)
			workers = parse_num(argv[++i], 1, 16, "--workers");
		else if (!strcmp(argv[i], "--port"))
			port = parse_num(argv[++i], 1, 65535, "--port");
		else if (!strcmp(argv[i], "--dest") && !crr)
			dest = parse_addr(argv[++i]);
		else
			usage();
	}
	if (port < 0 || (count < 0) == (seconds < 0) || (outbound && count < 0))
		usage();
	if (workers > peers)
		die("--workers %ld is more than --peers %u", workers, peers);
	raise_nofile(4 * BATCH + 64);
	t0 = now_s();
	if (outbound) {
		made = make_tw_out(dest, peers, port, count);
	} else if (workers == 1) {
		made = make_tw(base, peers, 0, 1, port, count,
			       seconds < 0 ? 0 : t0 + seconds);
	} else {
		/* Worker w: peers w, w + workers, ...; its count on a pipe. */
		if (pipe(fds))
			die("pipe: %s", strerror(errno));
		for (w = 0; w < workers; w++) {
			long share = count < 0 ? -1 : count / workers +
				     (w < count % workers);
			pid_t pid = fork();

			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				long m = make_tw(base, peers, w, workers, port + w,
						 share, seconds < 0 ? 0 : t0 + seconds);

				if (write(fds[1], &m, sizeof(m)) != sizeof(m))
					_exit(1);
				_exit(0);
			}
		}
		close(fds[1]);
		for (w = 0; w < workers; w++) {
			long m;
			int st;

			if (read(fds[0], &m, sizeof(m)) != sizeof(m))
				die("a tw worker failed");
			made += m;
			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				die("a tw worker failed");
		}
	}
	t1 = now_s();
	if (crr)
		printf("crr cps %.0f\n", made / (t1 - t0));
	else
		printf("tw made %ld seconds %.1f rate %.0f\n", made, t1 - t0,
		       made / (t1 - t0));
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_hold(int argc, char **argv)
{
	uint32_t base = parse_addr("127.2.0.1");
	long conns = -1, port = -1, made = 0, i, n;
	const char *ready = NULL;
	unsigned int sport = PORT_FIRST, peer = 0;
	uint32_t addr;
	int lfd, *fds;
	FILE *f;

	for (i = 0; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--conns"))
			conns = parse_num(argv[++i], 1, 1000000, "--conns");
		else if (!strcmp(argv[i], "--port"))
			port = parse_num(argv[++i], 1, 65535, "--port");
		else if (!strcmp(argv[i], "--base"))
			base = parse_addr(argv[++i]);
		else if (!strcmp(argv[i], "--ready"))
			ready = argv[++i];
		else
			usage();
	}
	if (conns < 0 || port < 0)
		usage();
	raise_nofile(2 * conns + 64);
	fds = calloc(2 * conns, sizeof(*fds));
	if (!fds)
		die("out of memory");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lfd = listener(port);
	addr = base;
	/* 1,000 source ports per address, then the next address. */
	while (made < conns) {
		n = conns - made < HOLD_BATCH ? conns - made : HOLD_BATCH;
		for (i = 0; i < n; i++) {
			if (sport >= PORT_FIRST + 1000) {
				sport = PORT_FIRST;
				peer++;
				addr = peer_addr(addr, 1);
			}
			fds[2 * (made + i)] = bound_connect(addr, &sport, port);
		}
		for (i = 0; i < n; i++) {
			fds[2 * (made + i) + 1] = accept(lfd, NULL, NULL);
			if (fds[2 * (made + i) + 1] < 0)
				die("accept: %s", strerror(errno));
		}
		made += n;
	}
	printf("hold conns %ld peers %u\n", made, peer + 1);
	fflush(stdout);
	if (ready) {
		f = fopen(ready, "w");
		if (!f || fputs("ready\n", f) < 0 || fclose(f))
			die("cannot write %s", ready);
	}
	while (!stop)
		pause();
	return 0;
}

/*
 * Both ends in this process: on loopback a write() delivers its segment
 * before it returns, so the ping-pong is CPU-bound kernel TCP work, without
 * the cross-CPU wakeups that dominate a two-process ping-pong under TCG.
 */
static int cmd_rr(int argc, char **argv)
{
	long seconds = -1, port = -1, n = 0;
	int i, lfd, cfd, sfd, one = 1;
	struct sockaddr_in dst;
	double t0, t1, deadline;
	char c = 'x';

	for (i = 0; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seconds"))
			seconds = parse_num(argv[++i], 1, 100000, "--seconds");
		else if (!strcmp(argv[i], "--port"))
			port = parse_num(argv[++i], 1, 65535, "--port");
		else
			usage();
	}
	if (seconds < 0 || port < 0)
		usage();
	lfd = listener(port);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	dst = sin_of(path.server, port);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&dst, sizeof(dst)))
		die("connect: %s", strerror(errno));
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die("accept: %s", strerror(errno));
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now_s();
	deadline = t0 + seconds;
	for (;;) {
		if (write(cfd, &c, 1) != 1 || read(sfd, &c, 1) != 1 ||
		    write(sfd, &c, 1) != 1 || read(cfd, &c, 1) != 1)
			die("rr: ping-pong failed: %s", strerror(errno));
		n++;
		if (!(n & 63) && now_s() >= deadline)
			break;
	}
	t1 = now_s();
	close(cfd);
	close(sfd);
	close(lfd);
	printf("rr tps %.0f\n", n / (t1 - t0));
	return 0;
}

/* --- the packet path ------------------------------------------------------ */

/* path options and the workload's own: --port, --seconds, then EXTRA's. */
struct path_args {
	long port, seconds;
};

static int path_args(int argc, char **argv, int *i, struct path_args *a)
{
	if (path_option(argc, argv, i))
		return 1;
	if (*i + 1 >= argc)
		usage();
	if (!strcmp(argv[*i], "--port"))
		a->port = parse_num(argv[++*i], 1, 65535, "--port");
	else if (!strcmp(argv[*i], "--seconds"))
		a->seconds = parse_num(argv[++*i], 1, 100000, "--seconds");
	else
		return 0;
	return 1;
}

/* Reads fd to its end; the byte count. */
static long long drain_fd(int fd)
{
	static char buf[BULK_CHUNK];
	long long bytes = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("bulk: read: %s", strerror(errno));
		}
		bytes += r;
	}
	return bytes;
}

/*
 * Per stream a writer process until the deadline and a reader process to the
 * end of the stream; the rate is what the readers got, up to the last byte,
 * over the time from the start to the last reader's end.
 */
static int cmd_bulk(int argc, char **argv)
{
	struct path_args a = { -1, -1 };
	int i, lfd, fds[2], *cfd, *sfd, st;
	static char chunk[BULK_CHUNK];
	long streams = 1, s, j;
	struct sockaddr_in dst;
	long long total = 0, got;
	double t0, t1, deadline;
	pid_t pid;

	for (i = 0; i < argc; i++) {
		if (path_args(argc, argv, &i, &a))
			continue;
		if (!strcmp(argv[i], "--streams"))
			streams = parse_num(argv[++i], 1, 64, "--streams");
		else
			usage();
	}
	if (a.port < 0 || a.seconds < 0)
		usage();
	cfd = calloc(streams, sizeof(*cfd));
	sfd = calloc(streams, sizeof(*sfd));
	if (!cfd || !sfd)
		die("out of memory");
	lfd = listener(a.port);
	dst = sin_of(path.server, a.port);
	for (s = 0; s < streams; s++) {
		cfd[s] = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd[s] < 0 || connect(cfd[s], (struct sockaddr *)&dst, sizeof(dst)))
			die("bulk: connect: %s", strerror(errno));
		sfd[s] = accept(lfd, NULL, NULL);
		if (sfd[s] < 0)
			die("bulk: accept: %s", strerror(errno));
	}
	close(lfd);
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	memset(chunk, 'x', sizeof(chunk));
	t0 = now_s();
	deadline = t0 + a.seconds;
	for (s = 0; s < streams; s++) {
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			for (j = 0; j < streams; j++)
				close(cfd[j]);
			got = drain_fd(sfd[s]);
			_exit(write(fds[1], &got, sizeof(got)) != sizeof(got));
		}
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			for (j = 0; j < streams; j++)
				close(sfd[j]);
			while (now_s() < deadline)
				if (write(cfd[s], chunk, sizeof(chunk)) < 0 && errno != EINTR)
					_exit(1);
			_exit(0);
		}
	}
	for (s = 0; s < streams; s++) {
		close(cfd[s]);
		close(sfd[s]);
	}
	close(fds[1]);
	for (s = 0; s < streams; s++) {
		if (read(fds[0], &got, sizeof(got)) != sizeof(got))
			die("bulk: a reader failed");
		total += got;
	}
	t1 = now_s();
	for (s = 0; s < 2 * streams; s++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			die("bulk: a writer or reader failed");
	printf("bulk mb_per_s %.1f bytes %lld seconds %.2f\n", total / (t1 - t0) / 1e6,
	       total, t1 - t0);
	return 0;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += p[0] << 8 | p[1];
	if (len)
		sum += p[0] << 8;
	return sum;
}

/*
 * A SYN as Linux sends it (MSS, SACK permitted, timestamps, window scale)
 * into pkt, IPv4 header included; the kernel fills the IP checksum, the TCP
 * checksum is ours.
 */
static void build_syn(uint8_t *pkt, uint32_t src, unsigned int sport,
		      uint32_t dst, unsigned int dport, uint32_t seq, uint32_t tsval)
{
	static const uint8_t opts[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2,				/* SACK permitted */
		8, 10, 0, 0, 0, 0, 0, 0, 0, 0,	/* timestamps */
		1, 3, 3, 7,			/* NOP, window scale 7 */
	};
	uint8_t *tcp = pkt + 20;
	uint32_t sum;

	memset(pkt, 0, SYN_LEN);
	pkt[0] = 0x45;
	pkt[3] = SYN_LEN;
	pkt[6] = 0x40;			/* DF */
	pkt[8] = 64;
	pkt[9] = IPPROTO_TCP;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	tcp[0] = sport >> 8;
	tcp[1] = sport;
	tcp[2] = dport >> 8;
	tcp[3] = dport;
	seq = htonl(seq);
	memcpy(tcp + 4, &seq, 4);
	tcp[12] = 10 << 4;		/* 40 bytes of header */
	tcp[13] = 0x02;			/* SYN */
	tcp[14] = 0xff;			/* window 65535 */
	tcp[15] = 0xff;
	memcpy(tcp + 20, opts, sizeof(opts));
	tsval = htonl(tsval);
	memcpy(tcp + 28, &tsval, 4);
	/* Pseudo-header: addresses, protocol, TCP length. */
	sum = csum_add(0, pkt + 12, 8) + IPPROTO_TCP + (SYN_LEN - 20);
	sum = csum_add(sum, tcp, SYN_LEN - 20);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	tcp[16] = sum >> 8;
	tcp[17] = sum;
}

/* A raw IPv4 socket that sends whole packets, in the client's namespace. */
static int raw_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		die("raw socket: %s", strerror(errno));
	return fd;
}

static void send_raw(int fd, const uint8_t *pkt, uint32_t dst, long *sent)
{
	struct sockaddr_in sa = sin_of(dst, 0);

	/* A full backlog drops the packet; the server's counters tell. */
	if (sendto(fd, pkt, SYN_LEN, 0, (struct sockaddr *)&sa, sizeof(sa)) == SYN_LEN)
		(*sent)++;
	else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
		die("sendto: %s", strerror(errno));
}

/* xorshift32: the SYN flood's sources, ports and sequence numbers. */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int cmd_synflood(int argc, char **argv)
{
	struct path_args a = { -1, -1 };
	uint32_t sources = parse_addr("10.18.0.0"), x = 2463534242u, r;
	long backlog = 4096, sent = 0, n = 0;
	long long in0, in1;
	uint8_t pkt[SYN_LEN];
	double t0, t1, deadline;
	int i, lfd, fd;

	for (i = 0; i < argc; i++) {
		if (path_args(argc, argv, &i, &a))
			continue;
		if (!strcmp(argv[i], "--sources"))
			sources = parse_addr(argv[++i]) & 0xffff0000u;
		else if (!strcmp(argv[i], "--backlog"))
			backlog = parse_num(argv[++i], 1, 1000000, "--backlog");
		else
			usage();
	}
	if (a.port < 0 || a.seconds < 0)
		usage();
	lfd = listener_at(path.server, a.port, backlog);
	fd = raw_socket();
	in0 = mib("snmp", "Tcp", "InSegs");
	t0 = now_s();
	deadline = t0 + a.seconds;
	for (;;) {
		r = next_rand(&x);
		/* Hosts .1-.254 of the /16; ports 1024-65535. */
		build_syn(pkt, sources | ((r >> 8) & 0xff00) | (1 + r % 254),
			  1024 + (next_rand(&x) % 64512), path.server, a.port,
			  next_rand(&x), next_rand(&x));
		send_raw(fd, pkt, path.server, &sent);
		if (!(++n & 63) && now_s() >= deadline)
			break;
	}
	t1 = now_s();
	in1 = mib("snmp", "Tcp", "InSegs");
	close(fd);
	close(lfd);
	if (in0 < 0 || in1 < 0)
		die("no Tcp InSegs in the server's /proc/net/snmp");
	printf("synflood syns_per_s %.0f sent_per_s %.0f\n", (in1 - in0) / (t1 - t0),
	       sent / (t1 - t0));
	return 0;
}

/* PAWS rejects of the server's namespace: 7.x counts TIME-WAIT's apart. */
static long long paws_rejects(void)
{
	long long estab = mib("netstat", "TcpExt", "PAWSEstab");
	long long tw = mib("netstat", "TcpExt", "PAWSTimewait");

	if (estab < 0)
		die("no TcpExt PAWSEstab in the server's /proc/net/netstat");
	return estab + (tw < 0 ? 0 : tw);
}

static int cmd_paws(int argc, char **argv)
{
	struct path_args a = { -1, -1 };
	long sport = PORT_FIRST, conns = 256, sent = 0, n = 0, c;
	uint32_t client = 0;
	long long r0, r1;
	double t0, t1, deadline;
	uint8_t *pkts;
	int i, fd;

	for (i = 0; i < argc; i++) {
		if (path_args(argc, argv, &i, &a))
			continue;
		if (!strcmp(argv[i], "--client"))
			client = parse_addr(argv[++i]);
		else if (!strcmp(argv[i], "--sport"))
			sport = parse_num(argv[++i], 1, 65535, "--sport");
		else if (!strcmp(argv[i], "--conns"))
			conns = parse_num(argv[++i], 1, 65535, "--conns");
		else
			usage();
	}
	if (a.port < 0 || a.seconds < 0 || !client || sport + conns > 65536)
		usage();
	pkts = malloc(conns * SYN_LEN);
	if (!pkts)
		die("out of memory");
	/* TSval 1: behind every TIME-WAIT's ts_recent, so PAWS rejects it. */
	for (c = 0; c < conns; c++)
		build_syn(pkts + c * SYN_LEN, client, sport + c, path.server, a.port,
			  0x10000 + c, 1);
	enter_ns(path.client_ns);
	fd = raw_socket();
	r0 = paws_rejects();
	t0 = now_s();
	deadline = t0 + a.seconds;
	for (;;) {
		send_raw(fd, pkts + (n % conns) * SYN_LEN, path.server, &sent);
		if (!(++n & 63) && now_s() >= deadline)
			break;
	}
	t1 = now_s();
	r1 = paws_rejects();
	close(fd);
	free(pkts);
	printf("paws rejects_per_s %.0f sent_per_s %.0f\n", (r1 - r0) / (t1 - t0),
	       sent / (t1 - t0));
	return 0;
}

static void sockstat(long *tw, long *inuse)
{
	char line[256];
	FILE *f = fopen("/proc/net/sockstat", "r");

	*tw = *inuse = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TCP: inuse %ld orphan %*d tw %ld", inuse, tw) == 2)
			break;
	fclose(f);
}

static int cmd_time(int argc, char **argv)
{
	int use_sh = 0, fds[2], st;
	char buf[65536], *shargv[4];
	long long bytes = 0;
	struct rusage ru;
	double t0, t1;
	long tw, inuse;
	ssize_t r;
	pid_t pid;

	while (argc > 0 && strcmp(argv[0], "--")) {
		if (!strcmp(argv[0], "--sh"))
			use_sh = 1;
		else
			usage();
		argc--;
		argv++;
	}
	if (argc < 2 || (use_sh && argc != 2))
		usage();
	argv++;
	if (use_sh) {
		shargv[0] = "sh";
		shargv[1] = "-c";
		shargv[2] = argv[0];
		shargv[3] = NULL;
		argv = shargv;
	}
	sockstat(&tw, &inuse);
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "tcptw-bench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read: %s", strerror(errno));
		}
		bytes += r;
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	t1 = now_s();
	close(fds[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("'%s' failed (status 0x%x)", use_sh ? argv[2] : argv[0], st);
	printf("wall_us %.0f rss_kb %ld bytes %lld tw %ld inuse %ld\n",
	       (t1 - t0) * 1e6, ru.ru_maxrss, bytes, tw, inuse);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "time"))
		return cmd_time(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tw"))
		return cmd_tw(argc - 2, argv + 2, 0);
	if (!strcmp(argv[1], "crr"))
		return cmd_tw(argc - 2, argv + 2, 1);
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "rr"))
		return cmd_rr(argc - 2, argv + 2);
	if (!strcmp(argv[1], "bulk"))
		return cmd_bulk(argc - 2, argv + 2);
	if (!strcmp(argv[1], "synflood"))
		return cmd_synflood(argc - 2, argv + 2);
	if (!strcmp(argv[1], "paws"))
		return cmd_paws(argc - 2, argv + 2);
	usage();
}
