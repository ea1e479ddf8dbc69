// SPDX-License-Identifier: GPL-2.0
/*
 * tcptw-bench: the helper of `make bench` inside the VM. It times one run of a
 * command (fork/exec, CLOCK_MONOTONIC wall clock, the children's peak RSS),
 * makes server-side TIME-WAIT from many explicitly bound 127.x source
 * addresses, holds many ESTABLISHED loopback connections open, and measures
 * loopback request/response (rr) and connect/request/close (crr) rates.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static const char usage_text[] =
	"usage: tcptw-bench time [--sh] -- COMMAND [ARG...]\n"
	"       tcptw-bench tw --port PORT [--count N | --seconds S] [--peers 1000]\n"
	"                      [--base 127.1.0.1] [--workers 1]\n"
	"       tcptw-bench hold --port PORT --conns N [--base 127.2.0.1] [--ready FILE]\n"
	"       tcptw-bench rr --port PORT --seconds S\n"
	"       tcptw-bench crr --port PORT --seconds S [--base 127.3.0.1] [--peers 250]\n"
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
	"127.0.0.1:PORT is closed by the server first.  It stops after N connections\n"
	"or S seconds and prints \"tw made M seconds S rate R\".\n"
	"hold opens N connections (2N ESTABLISHED sockets), writes FILE and holds\n"
	"them until SIGTERM.  rr ping-pongs 1 byte on one connection for S seconds\n"
	"(both ends in this process) and prints \"rr tps R\"; crr is tw for S\n"
	"seconds, one worker, and prints \"crr cps R\".\n";

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

static struct sockaddr_in sin_of(uint32_t addr, unsigned int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	return sa;
}

static int listener(unsigned int port)
{
	struct sockaddr_in sa = sin_of(SERVER_ADDR, port);
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind 127.0.0.1:%u: %s", port, strerror(errno));
	if (listen(fd, BACKLOG))
		die("listen: %s", strerror(errno));
	return fd;
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
	struct sockaddr_in dst = sin_of(SERVER_ADDR, port);
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
		die("connect to 127.0.0.1:%u: %s", port, strerror(errno));
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

static int cmd_tw(int argc, char **argv, int crr)
{
	long count = -1, seconds = -1, made = 0, workers = 1, port = -1, w;
	uint32_t base = parse_addr(crr ? "127.3.0.1" : "127.1.0.1");
	unsigned int peers = crr ? 250 : 1000;
	double t0, t1;
	int i, fds[2];

	for (i = 0; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
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
		else
			usage();
	}
	if (port < 0 || (count < 0) == (seconds < 0))
		usage();
	if (workers > peers)
		die("--workers %ld is more than --peers %u", workers, peers);
	raise_nofile(4 * BATCH + 64);
	t0 = now_s();
	if (workers == 1) {
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
	dst = sin_of(SERVER_ADDR, port);
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
	usage();
}
